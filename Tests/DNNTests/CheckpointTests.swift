import Foundation
import Testing

@testable import DNN

/// Safetensors files, run folders, resume, and NumPy reading our checkpoints.
@Suite struct CheckpointTests {
  static func smallConfig(epochs: Int = 2) -> RunConfig {
    var c = RunConfig(
      name: "ckpt", layers: [.dense(units: 32, initializer: .he), .batchNorm(momentum: 0.1, epsilon: 1e-5), .relu,
                             .dense(units: 10, initializer: .he), .softmax],
      optimizer: .sgd(learningRate: 0.05, momentum: 0.9, nesterov: false, weightDecay: 0))
    c.epochs = epochs
    c.batchSize = 50
    c.trainSamples = 500
    return c
  }

  @Test func safetensorsRoundTrip() throws {
    let file = Safetensors(entries: [.init(name: "a", shape: [2, 3], values: [1, 2, 3, 4, 5, 6]), .init(name: "b", shape: [1], values: [-0.5])],
                           metadata: ["k": "v"])
    let back = try Safetensors.decode(file.encoded(), path: "x")
    #expect(back["a"]?.values == [1, 2, 3, 4, 5, 6] && back["a"]?.shape == [2, 3])
    #expect(back["b"]?.values == [-0.5])
    #expect(back.metadata == ["k": "v"])
    // The JSON header is padded with spaces to a multiple of 8 bytes, as the reference writer does.
    let headerLength = file.encoded().prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    #expect(headerLength % 8 == 0)
  }

  func expectError(_ data: Data, _ phrase: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
      _ = try Safetensors.decode(data, path: "bad.safetensors")
      Issue.record("accepted", sourceLocation: sourceLocation)
    } catch {
      #expect("\(error)".contains(phrase), "\(error)", sourceLocation: sourceLocation)
    }
  }

  @Test func damagedFilesAreNamedErrors() {
    let good = Safetensors(entries: [.init(name: "w", shape: [4], values: [1, 2, 3, 4])]).encoded()
    expectError(Data(), "is empty")
    expectError(good.prefix(5), "too short for the 8-byte header length")
    expectError(good.prefix(20), "runs past the end")
    expectError(good.dropLast(4), "lie outside the 12 data bytes")
    var notJSON = good
    notJSON[8] = UInt8(ascii: "x")
    expectError(notJSON, "header is not JSON")
    let f16 = String(decoding: good, as: UTF8.self).replacingOccurrences(of: "F32", with: "F16")
    expectError(Data(f16.utf8), "only F32 is supported")
    let shape = String(decoding: good, as: UTF8.self).replacingOccurrences(of: "[4]", with: "[5]")
    expectError(Data(shape.utf8), "does not match its 16 data bytes")
  }

  /// A path that is not a regular file (a device, a pipe) says so, for a checkpoint and for a
  /// configuration, instead of "check its permissions"; a pipe is not opened (nothing blocks).
  @Test func filesThatAreNotFilesSaySo() throws {
    let fifo = Fixtures.temporaryFolder() + "/pipe"
    #expect(mkfifo(fifo, 0o600) == 0)
    for path in ["/dev/null", fifo] {
      #expect(throws: CheckpointError.self) { try Safetensors.read(path) }
      do { _ = try Safetensors.read(path) } catch { #expect("\(error)".contains("is not a regular file"), "\(error)") }
      do {
        _ = try RunFile.load(path: path)
        Issue.record("\(path) loaded as a configuration")
      } catch { #expect("\(error)".contains("\(path): is not a regular file"), "\(error)") }
    }
    #expect(UnreadableFile.problem("/nonexistent/x")?.contains("No such file") == true)
    #expect(UnreadableFile.problem(Fixtures.temporaryFolder()) == "is a folder, not a file")
  }

  @Test func checkpointsMustFitTheArchitecture() throws {
    let folder = Fixtures.temporaryFolder()
    let model = ModelBuilder.build(Self.smallConfig().layers, seed: 1)
    try Checkpoint.save(model, config: Self.smallConfig(), position: TrainingPosition(epoch: 1, batch: 0, step: 10), to: "\(folder)/m.safetensors")
    let other = ModelBuilder.build([.dense(units: 64, initializer: .he), .relu, .dense(units: 10, initializer: .he), .softmax], seed: 1)
    #expect(throws: CheckpointError.self) { try Checkpoint.load("\(folder)/m.safetensors", into: other) }
    do { try Checkpoint.load("\(folder)/m.safetensors", into: other) } catch {
      #expect("\(error)".contains("tensor 0.weight has shape [32, 784], the model needs [64, 784]"))
    }
    let fewer = ModelBuilder.build([.dense(units: 32, initializer: .he), .relu, .dense(units: 10, initializer: .he), .softmax], seed: 1)
    do { try Checkpoint.load("\(folder)/m.safetensors", into: fewer); Issue.record("accepted") } catch {
      #expect("\(error)".contains("has no tensor 2.weight: it was saved from another architecture"), "\(error)")
    }
    // A file with a tensor the model lacks.
    var extra = try Safetensors.read("\(folder)/m.safetensors")
    extra.entries.append(.init(name: "9.weight", shape: [2], values: [1, 2]))
    try extra.write(to: "\(folder)/extra.safetensors")
    do { try Checkpoint.load("\(folder)/extra.safetensors", into: model); Issue.record("accepted") } catch {
      #expect("\(error)".contains("has tensor 9.weight that the model does not"), "\(error)")
    }
    // The same architecture loads, with every value.
    let twin = ModelBuilder.build(Self.smallConfig().layers, seed: 99)
    let metadata = try Checkpoint.load("\(folder)/m.safetensors", into: twin)
    #expect(twin.parameters.map { $0.value.values } == model.parameters.map { $0.value.values })
    #expect(try Checkpoint.position(metadata, path: "m") == TrainingPosition(epoch: 1, batch: 0, step: 10))
  }

  enum Mode { case create, overwrite, resume }

  /// Trains in a run folder on this thread, optionally stopping after `stopAfterEpochs`.
  @discardableResult
  /// `stopAfterEpochs` or `stopAfterSteps`: the run is asked to stop after that epoch or step.
  static func train(_ config: RunConfig, out: String, mode: Mode, stopAfterEpochs: Int? = nil, stopAfterSteps: Int? = nil) throws -> Trainer {
    let commands = CommandMailbox()
    let folder: RunFolder, start: SavedState?
    if mode == .resume {
      (folder, start) = try RunFolder.resume(path: "\(out)/\(config.name)", config: config)
    } else {
      (folder, start) = (try RunFolder.create(out: out, config: config, overwrite: mode == .overwrite), nil)
    }
    var observer: TrainingObserver = folder
    if stopAfterEpochs != nil || stopAfterSteps != nil {
      final class Stopper: TrainingObserver {
        let inner: RunFolder, epochs: Int?, steps: Int?, commands: CommandMailbox
        init(_ inner: RunFolder, _ epochs: Int?, _ steps: Int?, _ commands: CommandMailbox) {
          (self.inner, self.epochs, self.steps, self.commands) = (inner, epochs, steps, commands)
        }
        func didFinish(_ b: BatchReport) throws {
          try inner.didFinish(b)
          if b.step == steps { commands.send(.stop) }
        }
        func didFinish(_ e: EpochReport, _ progress: TrainingProgress) throws {
          try inner.didFinish(e, progress)
          if e.epoch == epochs { commands.send(.stop) }
        }
        func save(_ progress: TrainingProgress) throws -> String? { try inner.save(progress) }
        func didEnd(_ record: RunRecord) throws { try inner.didEnd(record) }
        var history: [EpochReport] { inner.history }
        var bestCheckpointPath: String? { inner.bestCheckpointPath }
      }
      observer = Stopper(folder, stopAfterEpochs, stopAfterSteps, commands)
    }
    let plan = try RunPlan(config: folder.config, folder: Fixtures.mnist, start: start, observer: observer)
    let trainer = try Trainer(plan: plan, events: EventChannel(capacity: 1 << 20), commands: commands)
    trainer.run()
    return trainer
  }

  @Test func resumeReachesTheSameWeightsAsAnUninterruptedRun() throws {
    let out = Fixtures.temporaryFolder()
    var config = Self.smallConfig(epochs: 3)
    config.name = "whole"
    let whole = try Self.train(config, out: out, mode: .create)
    config.name = "split"
    _ = try Self.train(config, out: out, mode: .create, stopAfterEpochs: 1)
    let metrics = try String(contentsOfFile: "\(out)/split/metrics.csv", encoding: .utf8)
    #expect(metrics.split(separator: "\n").count == 2)  // header + epoch 1
    let resumed = try Self.train(config, out: out, mode: .resume)
    #expect(resumed.model.parameters.map { $0.value.values.map(\.bitPattern) } == whole.model.parameters.map { $0.value.values.map(\.bitPattern) })
    #expect(resumed.model.buffers.map { $0.value.values } == whole.model.buffers.map { $0.value.values })
    let wholeMetrics = try String(contentsOfFile: "\(out)/whole/metrics.csv", encoding: .utf8)
    let resumedMetrics = try String(contentsOfFile: "\(out)/split/metrics.csv", encoding: .utf8)
    #expect(wholeMetrics.split(separator: "\n").map { $0.split(separator: ",").dropLast() } == resumedMetrics.split(separator: "\n").map { $0.split(separator: ",").dropLast() })
    let steps = try String(contentsOfFile: "\(out)/split/steps.csv", encoding: .utf8).split(separator: "\n")
    #expect(steps.count == 31 && steps[0].hasPrefix("step,epoch,loss,accuracy,0.weight,0.bias,1.weight,1.bias,3.weight"))
  }

  @Test func existingRunFoldersAreKept() throws {
    let out = Fixtures.temporaryFolder()
    try Self.train(Self.smallConfig(epochs: 1), out: out, mode: .create)
    #expect(FileManager.default.fileExists(atPath: "\(out)/ckpt/best.safetensors"))
    #expect(throws: CheckpointError.self) { try RunFolder.create(out: out, config: Self.smallConfig(), overwrite: false) }
    // Overwriting starts the run afresh: the old checkpoints and logs are gone.
    let fresh = try RunFolder.create(out: out, config: Self.smallConfig(), overwrite: true)
    #expect(Set(try FileManager.default.contentsOfDirectory(atPath: fresh.path)) == [RunFiles.config, RunFiles.record, RunFiles.lock])
  }

  /// A small convolutional run: conv, BatchNorm2d, pool, conv, BatchNorm over every feature, dense.
  static func convolutionalConfig() -> RunConfig {
    var c = smallConfig()
    c.layers = [
      .conv2d(channels: 4, kernel: 5, stride: 1, padding: 2, initializer: .he), .batchNorm2D(momentum: 0.1, epsilon: 1e-5),
      .relu, .maxPool(size: 2),
      .conv2d(channels: 6, kernel: 3, stride: 2, padding: 1, initializer: .he), .batchNorm(momentum: 0.1, epsilon: 1e-5), .relu,
      .avgPool(size: 2), .dense(units: 10, initializer: .he), .softmax,
    ]
    return c
  }

  @Test(arguments: [false, true])
  func numpyReadsTheCheckpointAndPredictsLikeSwift(convolutional: Bool) throws {
    let out = Fixtures.temporaryFolder()
    let trainer = try Self.train(convolutional ? Self.convolutionalConfig() : Self.smallConfig(), out: out, mode: .create)
    let model = trainer.model
    let checkpoint = "\(out)/ckpt/best.safetensors"
    try Checkpoint.load(checkpoint, into: model)
    let count = 200
    let view = DatasetView(source: Fixtures.mnist.test!, indices: Array(0..<count))
    let loader = BatchLoader(view: view, batchSize: count, generator: nil)
    loader.load(batch: 0)
    let swift = model.predict(loader.images).clone()
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("numpy_forward.py").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script, checkpoint, "\(Fixtures.bundledMNIST)/t10k-images-idx3-ubyte.gz", "\(count)"]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "python3 with numpy is needed for this test")
    guard case .object(let result) = try JSONValue.parse(output), case .array(let predicted)? = result["predicted"],
      case .array(let rows)? = result["probabilities"]
    else { Issue.record("bad output"); return }
    var worst: Double = 0
    for r in 0..<count {
      guard case .number(let p) = predicted[r], case .array(let probabilities) = rows[r] else { continue }
      #expect(Int(p) == Classification.argmax(swift, row: r), "row \(r)")
      for j in 0..<10 { if case .number(let v) = probabilities[j] { worst = max(worst, abs(v - Double(swift[r, j]))) } }
    }
    #expect(worst < 1e-5, "max probability difference \(worst)")
  }
}

/// A saved run replayed as events, as `dnn-tui --run RUNS/NAME` shows it.
@Suite struct RunReplayTests {
  /// A configuration edited to leave no training digits still replays (no division by zero).
  @Test func aRunWithoutTrainingDigitsReplays() throws {
    let out = Fixtures.temporaryFolder()
    _ = try CheckpointTests.train(CheckpointTests.smallConfig(epochs: 1), out: out, mode: .create)
    let path = "\(out)/ckpt/\(RunFiles.config)"
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let edited = text.replacingOccurrences(of: #""validationFraction" *: *[0-9.e-]+"#, with: "\"validationFraction\": 0.9999", options: .regularExpression)
    #expect(edited != text)
    try edited.write(toFile: path, atomically: true, encoding: .utf8)
    let events = try RunReplay.events(of: try SavedRun(path: "\(out)/ckpt"), folder: Fixtures.mnist)
    #expect(events.contains { if case .finished = $0 { true } else { false } })
  }

  /// steps.csv keeps no rate: a replayed step's rate is the schedule's at the step (a cosine
  /// falls within an epoch), times the factor its epoch's logged rate shows.
  @Test func aReplayedStepHasTheRateItTrainedAt() throws {
    let out = Fixtures.temporaryFolder()
    var config = CheckpointTests.smallConfig(epochs: 2)
    config.schedule = .cosine(warmupEpochs: 0)
    _ = try CheckpointTests.train(config, out: out, mode: .create)
    let events = try RunReplay.events(of: try SavedRun(path: "\(out)/ckpt"), folder: Fixtures.mnist)
    let batches = events.compactMap { if case .batch(let b) = $0 { b } else { nil } }
    #expect(batches.count == 20)
    for b in batches {
      let expected = config.scheduledRate(at: Double(b.epoch) + Double(b.batch + 1) / 10)
      #expect(abs(b.learningRate - expected) <= 1e-6 * config.optimizer.learningRate, "step \(b.step): \(b.learningRate) vs \(expected)")
    }
    #expect(Set(batches.map(\.learningRate)).count == 20, "the rate falls at every step")
  }

  @Test func replayRebuildsTheRunsEvents() throws {
    let out = Fixtures.temporaryFolder()
    _ = try CheckpointTests.train(CheckpointTests.smallConfig(epochs: 2), out: out, mode: .create)
    let saved = try SavedRun(path: "\(out)/ckpt")
    #expect(saved.epochs.map(\.epoch) == [1, 2])
    let events = try RunReplay.events(of: saved, folder: Fixtures.mnist)
    guard case .started(let start) = events.first, case .finished(let summary) = events.last else {
      Issue.record("replay does not start and finish")
      return
    }
    #expect(start.runName == "ckpt" && start.parameterNames.count == 6)
    #expect(events.filter { if case .batch = $0 { true } else { false } }.count == 20)
    #expect(events.filter { if case .epoch = $0 { true } else { false } }.count == 2)
    #expect(summary.epochs == 2 && summary.test != nil)
    // Batches come before the end of their epoch.
    let order = events.compactMap { e -> String? in
      switch e {
      case .batch(let b) where b.batch == 9: "b\(b.epoch + 1)"
      case .epoch(let r): "e\(r.epoch)"
      default: nil
      }
    }
    #expect(order == ["b1", "e1", "b2", "e2"])
  }

  @Test func aFolderWithoutConfigIsNotARun() {
    #expect(throws: CheckpointError.self) { try SavedRun(path: Fixtures.temporaryFolder()) }
    #expect(throws: CheckpointError.self) { try SavedRun.find([Fixtures.temporaryFolder()]) }
  }
}

/// A run killed in its first epoch (no checkpoint, no state) still replays: a folder of runs
/// shows it, as interrupted, instead of refusing the whole folder.
@Suite struct IncompleteRunReplayTests {
  @Test func aRunWithoutCheckpointsReplaysAsInterrupted() throws {
    let out = Fixtures.temporaryFolder()
    _ = try CheckpointTests.train(CheckpointTests.smallConfig(epochs: 2), out: out, mode: .create)
    for kind in CheckpointKind.allCases { unlink("\(out)/ckpt/\(kind.fileName)") }
    var record = try SavedRun(path: "\(out)/ckpt").record
    record.status = .running
    try record.write(folder: "\(out)/ckpt")
    let events = try RunReplay.events(of: try SavedRun(path: "\(out)/ckpt"), folder: Fixtures.mnist)
    guard case .finished(let summary) = events.last else {
      Issue.record("no end")
      return
    }
    #expect(summary.record?.status == .interrupted)
    #expect(!events.contains { if case .predictions = $0 { true } else { false } }, "no checkpoint: no predictions")
  }
}
