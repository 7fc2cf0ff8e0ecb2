import Testing

@testable import DNN

/// `RunPlan.timesLayers` (`dnn bench --profile`): each layer's passes timed, both halves of a
/// split batch added, and nothing about the training changed.
@Suite struct LayerClockTests {
  /// Trains `config` with layers timed or not; the summary's layer times and the weights.
  static func train(_ config: RunConfig, split: Bool, timed: Bool) -> (times: LayerTimes?, weights: [[Float]], replica: [UInt64]?) {
    let (trainer, events) = Fixtures.train(config, split: split) { $0.timesLayers = timed }
    let summary = events.compactMap { event -> RunSummary? in
      if case .finished(let s) = event { return s }
      return nil
    }.last
    return (summary?.layerTimes, trainer.model.parameters.map(\.value.values), trainer.parallelStep?.replicaClock?.forward)
  }

  @Test(arguments: [false, true]) func everyLayerIsTimedAndNoBitChanges(split: Bool) throws {
    var config = DataParallelTests.config(.sgd(learningRate: 0.05, momentum: 0.9, nesterov: false, weightDecay: 0), batchSize: 50, clip: .none)
    config.layers = [.dense(units: 32, initializer: .he), .batchNorm(momentum: 0.1, epsilon: 1e-5), .relu, .dense(units: 10, initializer: .he), .softmax]
    config.epochs = 1
    let timed = Self.train(config, split: split, timed: true)
    let plain = Self.train(config, split: split, timed: false)
    #expect(plain.times == nil)
    let times = try #require(timed.times)
    #expect(times.layers == ["Dense(784 -> 32, he)", "BatchNorm(32, momentum: 0.1)", "ReLU (in BatchNorm #1)", "Dense(32 -> 10, he)", "Softmax"])
    // Every layer's forward took time (the softmax's is the loss); every backward but the
    // fused softmax's, which the loss's gradient replaces. The ReLU runs in the BatchNorm's
    // passes (BatchNormReLUTests): its time is that layer's.
    let own = [0, 1, 3, 4]
    #expect(own.allSatisfy { times.forwardSeconds[$0] > 0 } && times.forwardSeconds[2] == 0, "\(times.forwardSeconds)")
    #expect([0, 1, 3].allSatisfy { times.backwardSeconds[$0] > 0 } && times.backwardSeconds[2] == 0 && times.backwardSeconds.last == 0,
            "\(times.backwardSeconds)")
    #expect(timed.weights == plain.weights)
    // The second half's layers are timed too (and added in).
    #expect(split ? timed.replica.map { r in own.allSatisfy { r[$0] > 0 } } == true : timed.replica == nil, "\(timed.replica ?? [])")
  }

  /// A watched run (the dashboard's) times its layers and sends the times so far with each
  /// layer-health report: the layers view's `time` column.
  @Test func aWatchedRunsHealthReportsCarryTheTimes() throws {
    var config = DataParallelTests.config(.sgd(learningRate: 0.05, momentum: 0.9, nesterov: false, weightDecay: 0), batchSize: 50, clip: .none)
    config.epochs = 1
    let (_, events) = Fixtures.train(config, split: true) { plan in
      plan = plan.watched()
      plan.healthInterval = 0
    }
    let reports = events.compactMap { event -> LayerHealth? in
      if case .health(let h) = event { return h }
      return nil
    }
    let last = try #require(reports.last?.layerTimes)
    #expect(reports.count > 10 && reports.allSatisfy { $0.layerTimes?.steps == $0.step }, "\(reports.map { ($0.step, $0.layerTimes?.steps ?? -1) })")
    #expect(last.layers.count == config.layers.count && last.forwardSeconds.allSatisfy { $0 > 0 })
    #expect(abs(last.layers.indices.map { last.share(of: $0) }.reduce(0, +) - 1) < 1e-9)
  }
}
