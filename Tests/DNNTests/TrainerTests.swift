import Foundation
import Testing

@testable import DNN

/// The training loop: it learns, it is deterministic, it obeys commands, it stops on NaN.
@Suite struct TrainerTests {
  static func config(epochs: Int = 2, learningRate: Float = 0.05, trainSamples: Int? = 1000) -> RunConfig {
    var c = RunConfig(
      name: "t", layers: [.dense(units: 64, initializer: .he), .relu, .dense(units: 10, initializer: .he), .softmax],
      optimizer: .sgd(learningRate: learningRate, momentum: 0.9, nesterov: false, weightDecay: 0))
    c.epochs = epochs
    c.batchSize = 50
    c.trainSamples = trainSamples
    c.clip = .global(maxNorm: 5)
    return c
  }

  /// Runs `config` to the end on this thread; returns every event.
  static func runToEnd(_ config: RunConfig) throws -> [TrainingEvent] {
    let events = EventChannel(capacity: 1 << 20)
    let trainer = try Trainer(plan: RunPlan(config: config, folder: Fixtures.mnist), events: events, commands: CommandMailbox())
    trainer.run()
    return events.drain()
  }

  static func losses(_ events: [TrainingEvent]) -> [Float] {
    events.compactMap { if case .batch(let b) = $0 { b.loss } else { nil } }
  }

  @Test func sameSeedSameLossesBitForBit() throws {
    let a = Self.losses(try Self.runToEnd(Self.config()))
    let b = Self.losses(try Self.runToEnd(Self.config()))
    #expect(a.count == 40)
    #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
    var other = Self.config()
    other.seed = 2
    #expect(Self.losses(try Self.runToEnd(other)) != a)
  }

  @Test func eventsComeInOrderWithNamedGradientNorms() throws {
    let events = try Self.runToEnd(Self.config(epochs: 1))
    guard case .started(let start) = events.first else { Issue.record("first event is not started"); return }
    #expect(start.parameterNames == ["0.weight", "0.bias", "2.weight", "2.bias"])
    #expect(start.trainCount == 1000 && start.validation.count == 400 && start.testCount == 1000)
    let batches = events.compactMap { if case .batch(let b) = $0 { b } else { nil } }
    #expect(batches.map(\.step) == Array(1...20))
    #expect(batches.allSatisfy { $0.gradientNorms.count == 4 && $0.gradientNorms.allSatisfy { $0 > 0 } })
    let global = batches[0].gradientNorms.reduce(0) { $0 + $1 * $1 }.squareRoot()
    #expect(abs(batches[0].globalNorm - global) < 1e-3 * global)
    let predictions = events.compactMap { if case .predictions(let p) = $0 { p } else { nil } }
    #expect(predictions.count == 1 && predictions[0].count == 400 && predictions[0].probabilities.count == 4000)
    let sums = (0..<400).map { predictions[0].probabilities(of: $0).reduce(0, +) }
    #expect(sums.allSatisfy { abs($0 - 1) < 1e-4 })
    guard case .finished(let summary) = events.last else { Issue.record("last event is not finished"); return }
    #expect(summary.epochs == 1 && summary.test != nil && !summary.stopped)
  }

  /// The accuracy gate: the default architecture learns the bundled digits.
  @Test func learnsTheBundledDigits() throws {
    let events = try Self.runToEnd(Self.config(epochs: 5, trainSamples: nil))
    guard case .finished(let summary) = events.last else { Issue.record("no finish"); return }
    #expect(summary.test!.accuracy > 0.90, "test accuracy \(summary.test!.accuracy)")
  }

  @Test func divergenceStopsBeforeApplyingTheStep() throws {
    var config = Self.config(epochs: 3, learningRate: 1e30)
    config.clip = .none
    let events = try Self.runToEnd(config)
    guard case .diverged(let step, _, let message) = events.last else { Issue.record("did not diverge: \(events.last!)"); return }
    #expect(message.contains("training diverged at step \(step)"))
    // The step that diverged left the weights as they were.
    for split in [false, true] {
      let plan = RunPlan(config: config, data: DataSplit(folder: Fixtures.mnist, config: config), splitBatch: split)
      let trainer = try Trainer(plan: plan, events: EventChannel(), commands: CommandMailbox())
      trainer.prepareEpoch(0)
      var diverged = false
      for batch in 0..<10 {
        let before = trainer.model.parameters.map { $0.value.values }
        let (loss, _, norm) = trainer.step(batch: batch, learningRate: 1e30)
        guard loss.isFinite && norm.isFinite else {
          #expect(trainer.model.parameters.map { $0.value.values } == before, "split \(split): weights changed")
          diverged = true
          break
        }
      }
      #expect(diverged, "split \(split): never diverged")
    }
  }

  /// Waits until `condition` holds for a drained event, up to 20 s; returns the events seen.
  static func waitFor(_ session: TrainingSession, _ condition: (TrainingEvent) -> Bool) -> [TrainingEvent] {
    var seen: [TrainingEvent] = []
    let deadline = Date().addingTimeInterval(20)
    while Date() < deadline {
      session.events.wait(timeout: 0.05)
      for event in session.events.drain() {
        seen.append(event)
        if condition(event) { return seen }
      }
    }
    Issue.record("timed out")
    return seen
  }

  static func lastStep(_ events: [TrainingEvent]) -> Int? {
    events.compactMap { if case .batch(let b) = $0 { b.step } else { nil } }.last
  }

  @Test func pauseStepEpochResumeAndStop() throws {
    let session = TrainingSession(events: EventChannel(capacity: 1 << 20))
    let config = Self.config(epochs: 50, trainSamples: 500)
    session.start { events, commands in
      try Trainer(plan: RunPlan(config: config, folder: Fixtures.mnist, startsPaused: true), events: events, commands: commands)
    }
    _ = Self.waitFor(session) { if case .state(.paused) = $0 { true } else { false } }
    // Paused: nothing happens.
    Thread.sleep(forTimeInterval: 0.3)
    #expect(Self.lastStep(session.events.drain()) == nil)
    // Step one epoch: exactly 10 batches (500 / 50), then paused again.
    session.send(.stepEpoch)
    let stepped = Self.waitFor(session) { if case .state(.paused) = $0 { true } else { false } }
    #expect(Self.lastStep(stepped) == 10)
    #expect(stepped.filter { if case .epoch = $0 { true } else { false } }.count == 1)
    Thread.sleep(forTimeInterval: 0.3)
    #expect(Self.lastStep(session.events.drain()) == nil)
    // Halve the learning rate, resume, then stop.
    session.send(.scaleLearningRate(0.5))
    session.send(.resume)
    let resumed = Self.waitFor(session) { if case .batch(let b) = $0 { b.step >= 15 } else { false } }
    let rates = resumed.compactMap { if case .batch(let b) = $0 { b.learningRate } else { nil } }
    #expect(rates.allSatisfy { $0 == 0.025 })
    session.send(.stop)
    let end = Self.waitFor(session) { $0.isTerminal }
    guard case .finished(let summary) = end.last else { Issue.record("no finish"); return }
    #expect(summary.stopped)
    #expect(session.wait(timeout: 5))
  }

  @Test func theLearningRateFactorIsClampedNotUnderflowed() throws {
    let session = TrainingSession(events: EventChannel(capacity: 1 << 20))
    let config = Self.config(epochs: 50, trainSamples: 500)
    session.start { events, commands in
      try Trainer(plan: RunPlan(config: config, folder: Fixtures.mnist, startsPaused: true), events: events, commands: commands)
    }
    _ = Self.waitFor(session) { if case .state(.paused) = $0 { true } else { false } }
    for _ in 0..<300 { session.send(.scaleLearningRate(0.5)) }
    session.send(.stepEpoch)
    let stepped = Self.waitFor(session) { if case .epoch = $0 { true } else { false } }
    let scaled = stepped.compactMap { if case .learningRateScaled(let r, let f, let l) = $0 { (r, f, l) } else { nil } }
    #expect(scaled.count == 300)
    #expect(scaled.last.map { $0.1 == Trainer.learningRateFactorRange.lowerBound && $0.2 && $0.0 > 0 } == true)
    #expect(scaled.filter(\.2).count == 300 - 19)  // 2^-20 is reached at the 20th press, and stays
    let rates = stepped.compactMap { if case .batch(let b) = $0 { b.learningRate } else { nil } }
    #expect(!rates.isEmpty && rates.allSatisfy { $0 == 0.05 * 0x1p-20 })
    session.send(.stop)
    _ = Self.waitFor(session) { $0.isTerminal }
  }

  @Test func batchLargerThanTheDataIsAConfigError() {
    var config = Self.config(trainSamples: 30)
    config.batchSize = 64
    #expect(throws: ConfigError.self) {
      _ = try Trainer(plan: RunPlan(config: config, folder: Fixtures.mnist), events: EventChannel(), commands: CommandMailbox())
    }
  }
}

/// The event channel when the consumer falls behind.
@Suite struct EventChannelTests {
  @Test func overflowDropsTheOldestBatchesAndKeepsEverythingElse() {
    let channel = EventChannel(capacity: 4)
    channel.send(.state(.running))
    for step in 1...10 {
      channel.send(.batch(BatchReport(
        step: step, epoch: 0, batch: step - 1, batchesPerEpoch: 20, loss: 1, accuracy: 0.5, gradientNorms: [],
        globalNorm: 0, learningRate: 0.1, samplesPerSecond: 0)))
      if step == 5 {
        channel.send(.epoch(EpochReport(epoch: 1, trainLoss: 1, trainAccuracy: 0.5, validationLoss: 1, validationAccuracy: 0.5, learningRate: 0.1, seconds: 1)))
      }
    }
    let events = channel.drain()
    #expect(events.count == 4)
    guard case .state(.running) = events.first else { Issue.record("the state event was dropped"); return }
    guard case .epoch = events[1] else { Issue.record("the epoch event was dropped: \(events)"); return }
    #expect(events.compactMap { if case .batch(let b) = $0 { b.step } else { nil } } == [9, 10])
    #expect(channel.drain().isEmpty)
  }
}
