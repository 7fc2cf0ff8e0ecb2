import Foundation
import Testing

@testable import DNN

/// Forks (a new run from a parent's state between two steps), the interventions journal
/// (`events.csv`) and following a folder another writer fills (`RunFollower`).
@Suite(.serialized) struct ForkAndJournalTests {
  /// Every event of `session` until one satisfies `condition` (that one included, nothing after it lost).
  final class Collector {
    let session: TrainingSession
    var seen: [TrainingEvent] = []
    /// The first event the next `until` looks at.
    private var cursor = 0
    init(_ session: TrainingSession) { self.session = session }

    @discardableResult
    func until(_ condition: (TrainingEvent) -> Bool) -> TrainingEvent? {
      let deadline = Date().addingTimeInterval(20)
      while Date() < deadline {
        while cursor < seen.count {
          defer { cursor += 1 }
          if condition(seen[cursor]) { return seen[cursor] }
        }
        session.events.wait(timeout: 0.05)
        seen += session.events.drain()
      }
      Issue.record("timed out; the last events: \(seen.suffix(4).map { "\($0)".prefix(80) })")
      return nil
    }
  }

  static func batches(_ events: [TrainingEvent]) -> [BatchReport] {
    events.compactMap { if case .batch(let b) = $0 { b } else { nil } }
  }

  @Test func aForkWithTheSameRateContinuesExactlyAsItsParentWould() throws {
    _ = Fixtures.pinThreads
    let config = TrainerTests.config(epochs: 3, trainSamples: 500)
    let session = TrainingSession(events: EventChannel(capacity: 1 << 20))
    session.start { events, commands in
      try Trainer(plan: RunPlan(config: config, folder: Fixtures.mnist, startsPaused: true), events: events, commands: commands)
    }
    let parent = Collector(session)
    parent.until { if case .state(.paused) = $0 { true } else { false } }
    session.send(.stepEpoch)
    parent.until { if case .epoch = $0 { true } else { false } }
    parent.until { if case .state(.paused) = $0 { true } else { false } }
    session.send(.fork(name: "t-fork1", learningRateFactor: 1))
    session.send(.fork(name: "t-fork2", learningRateFactor: 0.5))
    let forked = [parent.until { if case .forked = $0 { true } else { false } }, parent.until {
      if case .forked(let p) = $0 { p.name == "t-fork2" } else { false }
    }].compactMap { event -> ForkPoint? in if case .forked(let p) = event { p } else { nil } }
    #expect(forked.map(\.position) == [TrainingPosition(epoch: 1, batch: 0, step: 10), TrainingPosition(epoch: 1, batch: 0, step: 10)])
    session.send(.resume)
    parent.until { $0.isTerminal }
    let journal = parent.seen.compactMap { if case .intervention(let i) = $0 { i } else { nil } }
    #expect(journal.map(\.kind) == [.step, .fork, .fork, .resume])
    #expect(journal[1].detail == "t-fork1" && journal[1].step == 10 && journal[1].progress == 1)
    let parentAfter = Self.batches(parent.seen).filter { $0.step > 10 }

    // A fork's folder holds its starting state before it trains: a kill at once resumes it from
    // the fork point, at the fork's rate, which its config.json holds (its factor starts at 1).
    let out = Fixtures.temporaryFolder()
    let saved = forked[1].config(from: config)
    #expect(saved.name == "t-fork2" && saved.optimizer.learningRate == config.optimizer.learningRate * 0.5)
    try RunFolder.create(out: out, config: saved, overwrite: false).saveStart(forked[1])
    let (resumed, start) = try RunFolder.resume(path: "\(out)/t-fork2", config: saved)
    #expect(start?.position == forked[1].position && start?.learningRateFactor == 1)
    #expect(resumed.config.optimizer.learningRate == 0.025, "config.json records the fork's rate")
    #expect(try String(contentsOfFile: "\(out)/t-fork2/config.json", encoding: .utf8).contains("0.025"))

    for point in forked {
      var plan = try RunPlan(config: point.config(from: config), folder: Fixtures.mnist, start: try point.savedState())
      plan.learningRateFactor = 1
      plan.forkedFrom = (point.parent, point.position.step)
      plan.sendsModel = true
      let events = EventChannel(capacity: 1 << 20)
      try Trainer(plan: plan, events: events, commands: CommandMailbox()).run()
      let all = events.drain()
      // A front end sees the fork's predictions at once, before its first step (not after an epoch).
      let firstPredictions = all.firstIndex { if case .predictions(let p) = $0 { p.epoch == 1 } else { false } }
      let firstBatch = all.firstIndex { if case .batch = $0 { true } else { false } }
      #expect(firstPredictions != nil && firstPredictions! < firstBatch!, "the fork's predictions come before its first step")
      let fork = Self.batches(all)
      #expect(fork.first?.step == 11, "the fork's first step follows the parent's")
      let first = all.compactMap { if case .intervention(let i) = $0 { i } else { nil } }.first
      #expect(first?.kind == .forkedFrom && first?.detail == "t at step 10")
      if point.learningRateFactor == 1 {
        #expect(fork.map(\.loss.bitPattern) == parentAfter.map(\.loss.bitPattern), "same state, same batches, same rate: same losses")
      } else {
        #expect(fork.allSatisfy { $0.learningRate == 0.025 } && fork.map(\.loss) != parentAfter.map(\.loss))
      }
    }
  }

  @Test func interventionsAreJournalledAndCutBackOnResume() throws {
    _ = Fixtures.pinThreads
    let out = Fixtures.temporaryFolder()
    let config = TrainerTests.config(epochs: 4, trainSamples: 500)
    let session = TrainingSession(events: EventChannel(capacity: 1 << 20))
    session.start { events, commands in
      let folder = try RunFolder.create(out: out, config: config, overwrite: false)
      return try Trainer(plan: RunPlan(config: config, folder: Fixtures.mnist, startsPaused: true, observer: folder), events: events, commands: commands)
    }
    let run = Collector(session)
    run.until { if case .state(.paused) = $0 { true } else { false } }
    session.send(.stepEpoch)
    run.until { if case .state(.paused) = $0 { true } else { false } }
    session.send(.scaleLearningRate(0.5))
    session.send(.saveCheckpoint)
    run.until { if case .checkpointSaved = $0 { true } else { false } }
    session.send(.stepEpoch)
    run.until { if case .state(.paused) = $0 { true } else { false } }
    session.send(.stop)
    run.until { $0.isTerminal }
    #expect(session.wait(timeout: 5))
    let path = "\(out)/t"
    let journal = RunLog.readEvents(folder: path)
    #expect(journal.map(\.kind) == [.step, .learningRate, .save, .step])
    #expect(journal.map(\.step) == [0, 10, 10, 10])
    #expect(journal[1].detail == "x0.5 -> 0.025" && journal[2].detail.hasSuffix("last.safetensors"))
    let text = try String(contentsOfFile: "\(path)/events.csv", encoding: .utf8)
    #expect(text.hasPrefix(RunLog.eventsHeader + "\n0,0.0000,20"), "\(text)")
    // A resume from the state saved at step 10 keeps what happened up to it, and the rate.
    let (_, state) = try RunFolder.resume(path: path, config: config)
    #expect(state?.learningRateFactor == 0.5)
    let resumed = EventChannel(capacity: 16)
    #expect(abs(try Trainer(plan: RunPlan(config: config, folder: Fixtures.mnist, start: state), events: resumed, commands: CommandMailbox())
      .learningRate(at: 2) - 0.025) < 1e-7)
    #expect(RunLog.readEvents(folder: path).map(\.step) == [0, 10, 10, 10])
    try (text + "30,3.0000,2026-11-29T12:00:00Z,pause,\n25,2").write(toFile: "\(path)/events.csv", atomically: true, encoding: .utf8)
    #expect(RunLog.readEvents(folder: path).count == 5, "a torn last line is not read")
    _ = try RunFolder.resume(path: path, config: config)
    #expect(RunLog.readEvents(folder: path).map(\.step) == [0, 10, 10, 10], "events after the state (step 20) are cut")
    #expect(try String(contentsOfFile: "\(path)/events.csv", encoding: .utf8) == text)
  }

  @Test func theKernelsLockTableSaysWhoHoldsAFolder() {
    let table = """
      1: FLOCK  ADVISORY  WRITE 4321 fe:00:16508857 0 EOF
      1: -> FLOCK  ADVISORY  WRITE 4400 fe:01:777 0 EOF
      2: POSIX  ADVISORY  WRITE 99 fe:00:555 0 EOF
      """
    let device = UInt64(0xfe) << 8  // major 0xfe, minor 0
    #expect(RunLock.holdsFlock(table: table, device: device, inode: 16508857))
    #expect(!RunLock.holdsFlock(table: table, device: device, inode: 555), "a POSIX lock is not the run lock")
    #expect(!RunLock.holdsFlock(table: table, device: device | 1, inode: 777), "a waiter does not hold it")
    #expect(!RunLock.holdsFlock(table: table, device: device | 1, inode: 16508857), "another device")
  }

  @Test func aFollowerSeesWhatTheWriterAppendsAndNothingTorn() throws {
    _ = Fixtures.pinThreads
    let out = Fixtures.temporaryFolder()
    let config = TrainerTests.config(epochs: 2, trainSamples: 500)
    var folder: RunFolder? = try RunFolder.create(out: out, config: config, overwrite: false)
    let path = "\(out)/t"
    let follower = try RunFollower(path: path, folder: Fixtures.mnist)
    let first = follower.poll()
    #expect(first.count == 2 && !follower.hasEnded)
    guard case .started(let started) = first.first else { Issue.record("no start"); return }
    #expect(started.runName == "t" && started.batchesPerEpoch == 10)
    var trainer: Trainer? = try Trainer(
      plan: RunPlan(config: config, folder: Fixtures.mnist, observer: folder), events: EventChannel(capacity: 1 << 20), commands: CommandMailbox())
    trainer?.run()
    let grown = follower.poll()
    #expect(Self.batches(grown).map(\.step) == Array(1...20))
    let epochs = grown.compactMap { if case .epoch(let e) = $0 { e.epoch } else { nil } }
    #expect(epochs == [1, 2])
    // Epoch 1 comes after its last step and before the first step of epoch 2.
    let order = grown.compactMap { event -> String? in
      switch event {
      case .batch(let b) where b.step == 10 || b.step == 11: "step \(b.step)"
      case .epoch(let e): "epoch \(e.epoch)"
      default: nil
      }
    }
    #expect(order == ["step 10", "epoch 1", "step 11", "epoch 2"])
    #expect(grown.contains { if case .predictions = $0 { true } else { false } })
    #expect(!follower.hasEnded, "the writer still holds the folder")
    // A line being written is not read until it is whole.
    let metrics = FileHandle(forWritingAtPath: "\(path)/metrics.csv")!
    metrics.seekToEndOfFile()
    metrics.write("3,0.5,0.8,0.4,0.8".data(using: .utf8)!)
    #expect(follower.poll().isEmpty)
    metrics.write("5,0.1,1.0\n".data(using: .utf8)!)
    try metrics.close()
    #expect(follower.poll().compactMap { if case .epoch(let e) = $0 { e.epoch } else { nil } } == [3])
    // The writer lets go: the follower ends.
    trainer = nil
    folder = nil
    // The lock goes with the last descriptor of it: a program that another test of this process
    // is spawning at that instant holds a copy until its exec closes it, so the end may take a
    // few polls (CI saw one such race).
    var last = follower.poll()
    for _ in 0..<100 where !follower.hasEnded {
      usleep(50_000)
      last = follower.poll()
    }
    #expect(follower.hasEnded)
    guard case .finished(let summary) = last.last else { Issue.record("no finish"); return }
    #expect(summary.epochs == 3)
    #expect(try FileManager.default.contentsOfDirectory(atPath: path).sorted()
            == [".lock", "best.safetensors", "config.json", "last.safetensors", "metrics.csv", "run.json", "steps.csv"])
  }
}

/// With `pausesOnAnomaly` (the dashboard), a NaN step sends the run back to its epoch's start,
/// paused, with the weights it had there; `dnn train` still stops (`divergenceStopsBeforeApplyingTheStep`).
@Suite struct AnomalyTests {
  @Test func aNaNStepRewindsToTheEpochsStartAndPauses() throws {
    _ = Fixtures.pinThreads
    var blowsUp = TrainerTests.config(epochs: 3, learningRate: 1e30, trainSamples: 500)
    blowsUp.clip = .none
    let config = blowsUp
    let out = Fixtures.temporaryFolder()
    let session = TrainingSession(events: EventChannel(capacity: 1 << 20))
    session.start { events, commands in
      let folder = try RunFolder.create(out: out, config: config, overwrite: false)
      var plan = try RunPlan(config: config, folder: Fixtures.mnist, observer: folder)
      plan.pausesOnAnomaly = true
      return try Trainer(plan: plan, events: events, commands: commands)
    }
    let run = ForkAndJournalTests.Collector(session)
    guard case .anomaly(let step, let restored, let message)? = run.until({ if case .anomaly = $0 { true } else { false } }) else { return }
    #expect(restored == TrainingPosition(epoch: 0, batch: 0, step: 0) && step >= 1)
    #expect(message.contains("back to the start of epoch 1 (step 0) and paused: lower the learning rate"), "\(message)")
    run.until { if case .state(.paused) = $0 { true } else { false } }
    // Still far too high: it goes back and pauses again, never applying a bad step.
    session.send(.scaleLearningRate(0x1p-20))
    session.send(.resume)
    run.until { if case .anomaly = $0 { true } else { false } }
    run.until { if case .state(.paused) = $0 { true } else { false } }
    session.send(.stop)
    guard case .finished(let summary)? = run.until({ $0.isTerminal }) else { Issue.record("did not end"); return }
    #expect(summary.stopped)
    #expect(session.wait(timeout: 5))
    // The saved state is the start's: the seed's initial weights; no undone step was logged.
    let saved = try SavedState(path: "\(out)/t/last.safetensors")
    let fresh = ModelBuilder.build(config.layers, seed: config.seed), loaded = ModelBuilder.build(config.layers, seed: 99)
    try saved.apply(to: loaded, optimizer: config.optimizer.make())
    #expect(saved.position.step == 0 && loaded.parameters.map(\.value.values) == fresh.parameters.map(\.value.values))
    #expect(RunLog.readSteps(folder: "\(out)/t").steps.isEmpty)
    #expect(RunLog.readEvents(folder: "\(out)/t").filter { $0.kind == .rewind }.count == 2)
  }
}
