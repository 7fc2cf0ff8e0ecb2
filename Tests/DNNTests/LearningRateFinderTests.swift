import Foundation
import Testing

@testable import DNN

/// The learning-rate range test: its suggestion for the shipped configurations, its stopping
/// rule, and that it leaves the run alone.
@Suite(.serialized) struct LearningRateFinderTests {
  static func bundled(_ name: String) throws -> RunConfig {
    try RunFile.load(path: URL(fileURLWithPath: Fixtures.bundledMNIST).deletingLastPathComponent().appendingPathComponent("configs/\(name)").path).runs[0]
  }

  /// The default configuration's model as it starts, and the convolutional one's: each
  /// suggestion within 10x of the rate the configuration trains at.
  @Test(arguments: ["default.json", "cnn.json"]) func theSuggestionIsWithinTenTimesTheConfiguredRate(_ name: String) throws {
    _ = Fixtures.pinThreads
    let config = try Self.bundled(name)
    let split = DataSplit(folder: Fixtures.mnist, config: config)
    let sweep = LearningRateSweep(config: config, model: ModelBuilder.build(config.layers, seed: config.seed), train: split.train,
                                  runRate: config.optimizer.learningRate)
    let suggested = try #require(sweep.suggested, "no suggestion: \(sweep.smoothed)")
    let configured = config.optimizer.learningRate
    #expect(suggested >= configured / 10 && suggested <= configured * 10, "\(name): suggested \(suggested), configured \(configured)")
    // The rate grows by a constant factor per step, and the test stopped once the loss ran away
    // (or at its last step).
    #expect(sweep.rates.first == LearningRateSweep.lowest && zip(sweep.rates, sweep.rates.dropFirst()).allSatisfy { $1 > $0 })
    #expect(sweep.rates.count == LearningRateSweep.steps || sweep.smoothed.last! > 4 * sweep.smoothed.min()! || !sweep.losses.last!.isFinite)
  }

  /// The test trains on the run's own loss: with label smoothing, the smoothed cross-entropy
  /// (the first step's loss is that of the same batch through a smoothed fused loss).
  @Test func itTrainsOnTheRunsLoss() throws {
    var config = try Self.bundled("default.json")
    config.labelSmoothing = 0.3
    let split = DataSplit(folder: Fixtures.mnist, config: config)
    let sweep = LearningRateSweep(config: config, model: ModelBuilder.build(config.layers, seed: config.seed), train: split.train, runRate: 0.1)
    let loader = BatchLoader(view: split.train, batchSize: config.batchSize, generator: SplitMix64(seed: 1).derived("lr-finder"))
    loader.startEpoch()
    loader.load(batch: 0)
    let model = ModelBuilder.build(config.layers, seed: config.seed)
    model.labelSmoothing = 0.3
    let first = model.lossAndGradients(loader.images, labels: loader.labels).loss
    #expect(sweep.losses.first == first, "\(sweep.losses.first ?? .nan) vs \(first)")
  }

  /// The steepest descent is found where it is, before the minimum, and nothing is suggested for
  /// a loss that never falls.
  @Test func theSteepestPointOfAKnownCurve() {
    let rates = (0..<60).map { Float(1e-4) * pow(10, Float($0) / 10) }
    // Falls fastest around rate 1e-2 (index 20), lowest at index 40, then rises.
    let smoothed = rates.indices.map { i -> Float in i < 40 ? 2 - tanh(Float(i - 20) / 4) : 2 - tanh(5) + Float(i - 40) * 0.2 }
    #expect(LearningRateSweep.steepest(rates: rates, smoothed: smoothed) == rates[20])
    #expect(LearningRateSweep.steepest(rates: rates, smoothed: rates.map { $0 * 0 + 3 }) == nil)
  }
}

/// The finder as a command to a running trainer: it answers between two steps, leaves the run's
/// losses bit for bit as they were, and applying its suggestion is journalled as a rate change.
@Suite(.serialized) struct LearningRateFinderCommandTests {
  @Test func theRunIsNotDisturbedAndApplyingIsJournalled() throws {
    _ = Fixtures.pinThreads
    let config = TrainerTests.config(epochs: 2, trainSamples: 500)
    let undisturbed = TrainerTests.losses(try TrainerTests.runToEnd(config))
    let session = TrainingSession(events: EventChannel(capacity: 1 << 20))
    session.start { events, commands in
      try Trainer(plan: RunPlan(config: config, folder: Fixtures.mnist, startsPaused: true), events: events, commands: commands)
    }
    let run = ForkAndJournalTests.Collector(session)
    run.until { if case .state(.paused) = $0 { true } else { false } }
    session.send(.findLearningRate)
    let answer = run.until { if case .learningRateSweep = $0 { true } else { false } }
    guard case .learningRateSweep(let sweep) = answer else { return }
    #expect(sweep.runRate == config.optimizer.learningRate && !sweep.rates.isEmpty)
    session.send(.resume)
    run.until { $0.isTerminal }
    #expect(ForkAndJournalTests.batches(run.seen).map(\.loss.bitPattern) == undisturbed.map(\.bitPattern), "the finder changed the run")

    // Applying a suggestion is a rate change like + and -: journalled with its factor.
    let second = TrainingSession(events: EventChannel(capacity: 1 << 20))
    second.start { events, commands in
      try Trainer(plan: RunPlan(config: config, folder: Fixtures.mnist, startsPaused: true), events: events, commands: commands)
    }
    let applied = ForkAndJournalTests.Collector(second)
    applied.until { if case .state(.paused) = $0 { true } else { false } }
    second.send(.scaleLearningRate(0.25))
    let journalled = applied.until { if case .intervention(let i) = $0 { i.kind == .learningRate } else { false } }
    if case .intervention(let i) = journalled { #expect(i.detail.contains("0.0125"), "\(i.detail)") }
    second.send(.stop)
    applied.until { $0.isTerminal }
  }
}
