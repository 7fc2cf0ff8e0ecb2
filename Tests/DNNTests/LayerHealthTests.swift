import Foundation
import Testing

@testable import DNN

/// The layer-health statistics by hand, and a watched trainer's health and model events.
@Suite struct LayerHealthTests {
  @Test func deadUnitsAreThoseNeverPositiveInTheBatch() {
    // 3 samples x 4 units: unit 0 fires once, unit 1 never (zeros), unit 2 never (negative
    // LeakyReLU outputs), unit 3 always.
    let x = Tensor(rows: 3, columns: 4, values: [0, 0, -0.1, 2, 0.5, 0, -0.2, 1, 0, 0, -0.3, 3])
    #expect(ActivationStats.measure(x, role: ReLU(features: 1).outputHealth).deadFraction == 0.5)
    #expect(ActivationStats.measure(x, role: LeakyReLU(features: 1, slope: 0.01).outputHealth).deadFraction == 0.5)
    #expect(ActivationStats.measure(x, role: .spread).deadFraction == nil)
    let stats = ActivationStats.measure(x, role: ReLU(features: 1).outputHealth)
    let values: [Double] = [0, 0, -0.1, 2, 0.5, 0, -0.2, 1, 0, 0, -0.3, 3]
    let mean = values.reduce(0, +) / 12
    let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 12).squareRoot()
    #expect(abs(Double(stats.mean) - mean) < 1e-6)
    #expect(abs(Double(stats.standardDeviation) - std) < 1e-6)
  }

  @Test func saturatedSoftmaxRowsHaveAProbabilityOfAtLeast099() {
    let p = Tensor(rows: 4, columns: 3, values: [0.995, 0.004, 0.001, 0.5, 0.3, 0.2, 0.0, 0.99, 0.01, 0.98, 0.01, 0.01])
    #expect(ActivationStats.measure(p, role: Softmax(features: 1).outputHealth).saturatedFraction == 0.5)
    #expect(ActivationStats.measure(p, role: Softmax(features: 1).outputHealth).deadFraction == nil)
  }

  @Test func updateRatioIsLog10OfTheUpdateOverTheWeights() {
    // W = (3, 4), ‖W‖ = 5; ΔW = (0.003, -0.004), ‖ΔW‖ = 0.005: ratio 1e-3, log10 -3.
    let before: [Float] = [2.997, 4.004], after: [Float] = [3, 4]
    let ratio = LayerHealth.updateRatio(before: before, after: after, count: 2)
    #expect(abs(ratio - -3) < 1e-4)
    #expect(LayerHealth.updateRatio(before: after, after: after, count: 2) == -.infinity)
    #expect(LayerHealth.updateRatio(before: [1], after: [0], count: 1).isNaN)
  }

  /// A watched trainer reports health with per-layer statistics and update ratios that match
  /// the weights it sends before and after the step.
  @Test func watchedTrainerSendsHealthAndModels() throws {
    var config = TrainerTests.config(epochs: 1)
    config.layers = [.dense(units: 32, initializer: .he), .relu, .dropout(rate: 0.2), .dense(units: 10, initializer: .he), .softmax]
    for split in [false, true] {
      var plan = try RunPlan(config: config, folder: Fixtures.mnist).watched()
      plan.splitBatch = split
      plan.healthInterval = 0  // every step
      let events = EventChannel(capacity: 1 << 20)
      try Trainer(plan: plan, events: events, commands: CommandMailbox()).run()
      let all = events.drain()
      let health = all.compactMap { if case .health(let h) = $0 { h } else { nil } }
      let steps = all.filter { if case .batch = $0 { true } else { false } }.count
      #expect(health.count == steps && steps == 20)
      let first = try #require(health.first)
      #expect(first.step == 1)
      #expect(first.activations.count == 5)
      #expect(first.updateRatios.count == 4)
      #expect(first.samples == (split ? 25 : 50))
      #expect(first.activations[1].deadFraction != nil)
      #expect(first.activations[4].saturatedFraction != nil)
      #expect(first.activations.allSatisfy { $0.mean.isFinite && $0.standardDeviation.isFinite })
      // Weights move a little; biases start at 0, so their first step is all of them (ratio 1, log 0).
      #expect([first.updateRatios[0], first.updateRatios[2]].allSatisfy { $0 > -6 && $0 < -1 })
      #expect(abs(first.updateRatios[1]) < 1e-5 && abs(first.updateRatios[3]) < 1e-5)
      // Two models: the start and the end of the epoch; the step's ratio follows from them
      // with plain SGD momentum's first step (v = g, ΔW = -lr g).
      let models = all.compactMap { if case .model(let m) = $0 { m } else { nil } }
      #expect(models.count == 2)
      #expect(models.first?.position.step == 0 && models.last?.position.step == 20)
      let rebuilt = try models[1].makeModel()
      #expect(rebuilt.parameters.map(\.value.values) == models[1].tensors.entries.prefix(4).map(\.values))
    }
  }

  @Test func unwatchedTrainerSendsNeither() throws {
    let events = try TrainerTests.runToEnd(TrainerTests.config(epochs: 1))
    #expect(!events.contains { if case .health = $0 { true } else if case .model = $0 { true } else { false } })
  }

  /// The first step's update ratio of the first weight tensor, by hand: SGD with momentum's
  /// first step moves W by -lr·g, so ‖ΔW‖ = lr·‖g‖ (the reported gradient norm, no clipping).
  @Test func firstStepRatioMatchesTheGradientNorm() throws {
    var config = TrainerTests.config(epochs: 1)
    config.clip = .none
    var plan = try RunPlan(config: config, folder: Fixtures.mnist).watched()
    plan.healthInterval = 0
    plan.splitBatch = false
    let events = EventChannel(capacity: 1 << 20)
    try Trainer(plan: plan, events: events, commands: CommandMailbox()).run()
    let all = events.drain()
    let batch = try #require(all.compactMap { if case .batch(let b) = $0 { b } else { nil } }.first)
    let health = try #require(all.compactMap { if case .health(let h) = $0 { h } else { nil } }.first)
    let initial = try #require(all.compactMap { if case .model(let m) = $0 { m } else { nil } }.first)
    let w0 = try #require(initial.values(of: "0.weight"))
    let moved = Double(0.05 * batch.gradientNorms[0])
    let norm = w0.map { Double($0) * Double($0) }.reduce(0, +).squareRoot()
    // ‖W1‖ differs from ‖W0‖ by at most ‖ΔW‖: compare within that.
    let expected = log10(moved / norm)
    #expect(abs(Double(health.updateRatios[0]) - expected) < 0.01)
  }
}
