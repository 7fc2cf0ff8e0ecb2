import Foundation
import Synchronization
import Testing

@testable import DNN

/// The run folder as its one owner writes it: logs, best epoch, lock, overwrite, resume checks.
@Suite struct RunFolderTests {
  static func epoch(_ n: Int, train: Float, validation: Float) -> EpochReport {
    EpochReport(epoch: n, trainLoss: train, trainAccuracy: 0.5, validationLoss: validation, validationAccuracy: 0.5, learningRate: 0.1, seconds: 1)
  }

  /// Every file of `folder` with its bytes.
  static func snapshot(_ folder: String) throws -> [String: Data] {
    var files: [String: Data] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
      files[name] = FileManager.default.contents(atPath: "\(folder)/\(name)")
    }
    return files
  }

  @Test func theBestEpochIsTheLowestValidationLossOrTrainingLossWithoutValidation() {
    let withValidation = [Self.epoch(1, train: 0.9, validation: 0.5), Self.epoch(2, train: 0.1, validation: 0.4),
                          Self.epoch(3, train: 0.05, validation: 0.4), Self.epoch(4, train: 0.01, validation: 0.6)]
    #expect(RunLog.bestEpoch(withValidation)?.epoch == 2)  // lowest validation loss, the earliest of equals
    let without = [Self.epoch(1, train: 0.9, validation: .nan), Self.epoch(2, train: 0.3, validation: .nan),
                   Self.epoch(3, train: 0.5, validation: .nan)]
    #expect(RunLog.bestEpoch(without)?.epoch == 2)
    #expect(RunLog.bestEpoch([]) == nil)
  }

  @Test func readersIgnoreATornLastLine() throws {
    let folder = Fixtures.temporaryFolder()
    let metrics = RunLog.metricsHeader + "\n1,0.5,0.8,0.4,0.85,0.1,1.0\n2,0.4,0.9,0.3,0.9"
    try metrics.write(toFile: "\(folder)/metrics.csv", atomically: true, encoding: .utf8)
    #expect(RunLog.readMetrics(folder: folder).map(\.epoch) == [1])
    let steps = "step,epoch,loss,accuracy,0.weight,0.bias\n1,1,2.3,0.1,0.5,0.25\n2,1,2.2,0.2,0.5,0.2"
    try steps.write(toFile: "\(folder)/steps.csv", atomically: true, encoding: .utf8)
    let read = RunLog.readSteps(folder: folder)
    #expect(read.parameterNames == ["0.weight", "0.bias"])
    #expect(read.steps == [RunLog.Step(step: 1, epoch: 1, loss: 2.3, accuracy: 0.1, gradientNorms: [0.5, 0.25])])
  }

  /// A finished run whose metrics.csv is lost or garbage still reads as finished at its epochs,
  /// with its best epoch, from run.json (it read as "FINISHED 0/3" with no best epoch).
  @Test func aDamagedLogLeavesTheRecordsEpochsAndBest() throws {
    let out = Fixtures.temporaryFolder()
    try CheckpointTests.train(CheckpointTests.smallConfig(epochs: 3), out: out, mode: .create)
    let folder = "\(out)/ckpt"
    let intact = try SavedRun(path: folder).record
    #expect(intact.status == .finished && intact.epochsDone == 3 && intact.best != nil)
    for damage in ["garbage\n1,2,3\n", RunLog.metricsHeader + "\n1,0.5,0.8,0.4,0.85,0.1,1.0\n", ""] {
      try damage.write(toFile: "\(folder)/metrics.csv", atomically: true, encoding: .utf8)
      let read = try SavedRun(path: folder).record
      #expect(read.status == .finished && read.epochsDone == 3 && read.best == intact.best, "\(damage.debugDescription)")
    }
    try FileManager.default.removeItem(atPath: "\(folder)/metrics.csv")
    #expect(try SavedRun(path: folder).record.epochsDone == 3)
  }

  @Test func logsAreAppendedNotRewritten() throws {
    let out = Fixtures.temporaryFolder()
    try CheckpointTests.train(CheckpointTests.smallConfig(epochs: 1), out: out, mode: .create)
    let path = "\(out)/ckpt/steps.csv"
    let before = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int
    var config = CheckpointTests.smallConfig(epochs: 3)
    config.dataset = nil
    try CheckpointTests.train(config, out: out, mode: .resume)
    // The same file (same inode) grew: appended, not replaced by a rewrite.
    #expect(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int == before)
    #expect(RunLog.readSteps(folder: "\(out)/ckpt").steps.map(\.step) == Array(1...30))
    #expect(RunLog.readMetrics(folder: "\(out)/ckpt").map(\.epoch) == [1, 2, 3])
  }

  @Test func bestSafetensorsHoldsTheBestEpochsModel() throws {
    let out = Fixtures.temporaryFolder()
    var config = CheckpointTests.smallConfig(epochs: 4)
    config.validationFraction = 0  // no validation set: the training loss decides
    config.optimizer = .sgd(learningRate: 0.5, momentum: 0.9, nesterov: false, weightDecay: 0)
    try CheckpointTests.train(config, out: out, mode: .create)
    let run = try SavedRun(path: "\(out)/ckpt")
    let best = try #require(run.bestEpoch)
    let metadata = try Checkpoint.load("\(out)/ckpt/best.safetensors", into: ModelBuilder.build(config.layers, seed: 1))
    #expect(try Checkpoint.position(metadata, path: "best").epoch == best.epoch)
  }

  @Test func aFolderIsWrittenByOneProcessAtATime() throws {
    let out = Fixtures.temporaryFolder()
    let config = CheckpointTests.smallConfig()
    let first = try RunFolder.create(out: out, config: config, overwrite: false)
    #expect(RunLock.isHeld(folder: first.path))
    for attempt in [{ _ = try RunFolder.create(out: out, config: config, overwrite: true) },
                    { _ = try RunFolder.resume(path: first.path, config: config) }] {
      do { try attempt(); Issue.record("a second writer was let in") } catch {
        #expect("\(error)".contains("being written by another process"), "\(error)")
      }
    }
    #expect(FileManager.default.fileExists(atPath: "\(first.path)/config.json"))
    withExtendedLifetime(first) {}
  }

  /// A lock released a moment after it is asked for is taken (a writer that has just ended can
  /// hold it a little longer while a child process forked at that instant has not yet exec'd:
  /// the likely cause of a resume refused once in a full test run); one still held after
  /// `RunLock.patience` is refused (`aFolderIsWrittenByOneProcessAtATime`).
  @Test func aLockReleasedAMomentLaterIsTaken() throws {
    let folder = Fixtures.temporaryFolder()
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    final class Holder: Sendable {
      let lock: Mutex<RunLock?>
      init(_ lock: sending RunLock) { self.lock = Mutex(lock) }
    }
    let holder = Holder(try RunLock(folder: folder))
    Thread.detachNewThread {
      usleep(150_000)
      holder.lock.withLock { $0 = nil }
    }
    let started = Date()
    let second = try RunLock(folder: folder)
    let waited = Date().timeIntervalSince(started)
    #expect(waited >= 0.1 && waited < RunLock.patience + 0.2, "took the lock after \(waited) s")
    withExtendedLifetime(second) {}
  }

  @Test func overwriteOnlyEverDeletesRunFolders() throws {
    let out = Fixtures.temporaryFolder()
    let config = CheckpointTests.smallConfig()
    // A folder that is not a run: refused, untouched.
    try FileManager.default.createDirectory(atPath: "\(out)/ckpt", withIntermediateDirectories: true)
    try "mine".write(toFile: "\(out)/ckpt/thesis.tex", atomically: true, encoding: .utf8)
    #expect(throws: CheckpointError.self) { try RunFolder.create(out: out, config: config, overwrite: true) }
    // A run folder with a foreign file in it: refused, untouched.
    try "{}".write(toFile: "\(out)/ckpt/config.json", atomically: true, encoding: .utf8)
    let before = try Self.snapshot("\(out)/ckpt")
    do { _ = try RunFolder.create(out: out, config: config, overwrite: true); Issue.record("accepted") } catch {
      #expect("\(error)".contains("holds thesis.tex, which is not a run file"), "\(error)")
    }
    #expect(try Self.snapshot("\(out)/ckpt") == before)
    // --out naming a file.
    try "x".write(toFile: "\(out)/file", atomically: true, encoding: .utf8)
    do { _ = try RunFolder.create(out: "\(out)/file", config: config, overwrite: false); Issue.record("accepted") } catch {
      #expect("\(error)".contains("is a file; --out must name a folder"), "\(error)")
    }
  }

  @Test func aRefusedResumeLeavesTheFolderByteForByte() throws {
    let out = Fixtures.temporaryFolder()
    var config = CheckpointTests.smallConfig(epochs: 2)
    config.dataset = try DatasetIdentity.of(Fixtures.mnist, name: "bundled")
    try CheckpointTests.train(config, out: out, mode: .create)
    // Logs running ahead of the state, as a kill after appending leaves them, and a torn line.
    let handle = try #require(FileHandle(forWritingAtPath: "\(out)/ckpt/metrics.csv"))
    handle.seekToEndOfFile()
    handle.write(Data("3,0.1,0.9,0.2,0.9,0.05,1.0\n4,0.1".utf8))
    try handle.close()
    let before = try Self.snapshot("\(out)/ckpt")
    func refused(_ change: (inout RunConfig) -> Void, _ phrase: String, sourceLocation: SourceLocation = #_sourceLocation) {
      var other = config
      change(&other)
      do { _ = try RunFolder.resume(path: "\(out)/ckpt", config: other); Issue.record("accepted", sourceLocation: sourceLocation) } catch {
        #expect("\(error)".contains(phrase), "\(error)", sourceLocation: sourceLocation)
      }
      #expect((try? Self.snapshot("\(out)/ckpt")) == before, "the folder changed", sourceLocation: sourceLocation)
    }
    refused({ $0.batchSize = 64 }, "batchSize is 64 here but 50 in the saved run")
    refused({ $0.layers[0] = .dense(units: 16, initializer: .he) }, "layers is")
    refused({ $0.epochs = 1 }, "has 2 epochs done; 1 epochs would be fewer")
    refused({ $0.dataset?.files["train-images-idx3-ubyte.gz"] = String(repeating: "0", count: 64) }, "was trained on other data")
    // Accepted: the logs are cut back to the saved state, the torn line goes.
    config.epochs = 3
    _ = try RunFolder.resume(path: "\(out)/ckpt", config: config)
    #expect(RunLog.readMetrics(folder: "\(out)/ckpt").map(\.epoch) == [1, 2])
    let text = try String(contentsOfFile: "\(out)/ckpt/metrics.csv", encoding: .utf8)
    #expect(text.hasSuffix("\n") && !text.contains("4,0.1\n"))
  }

  @Test func aRunSavedBeforeTheStateMovedIntoOneFileStillResumes() throws {
    let out = Fixtures.temporaryFolder()
    var config = CheckpointTests.smallConfig(epochs: 2)
    config.name = "whole"
    let whole = try CheckpointTests.train(config, out: out, mode: .create)
    config.name = "legacy"
    try CheckpointTests.train(config, out: out, mode: .create, stopAfterEpochs: 1)
    // Rewrite the state the old way: the model in last.safetensors, the optimizer apart.
    let folder = "\(out)/legacy"
    let state = try Safetensors.read("\(folder)/last.safetensors")
    let model = state.entries.filter { !$0.name.hasPrefix(Checkpoint.optimizerPrefix) }
    let optimizer = state.entries.filter { $0.name.hasPrefix(Checkpoint.optimizerPrefix) }
      .map { Safetensors.Entry(name: String($0.name.dropFirst(Checkpoint.optimizerPrefix.count)), shape: $0.shape, values: $0.values) }
    var metadata = state.metadata
    let steps = metadata.removeValue(forKey: "stepCount")!
    try Safetensors(entries: model, metadata: metadata).write(to: "\(folder)/last.safetensors")
    try Safetensors(entries: optimizer, metadata: ["stepCount": steps, "step": metadata["step"]!]).write(to: "\(folder)/optimizer.safetensors")
    let resumed = try CheckpointTests.train(config, out: out, mode: .resume)
    #expect(resumed.model.parameters.map { $0.value.values } == whole.model.parameters.map { $0.value.values })
    #expect(!FileManager.default.fileExists(atPath: "\(folder)/optimizer.safetensors"))
  }

  @Test func runsRecordTheirDataAndRefuseOtherData() throws {
    let identity = try DatasetIdentity.of(Fixtures.mnist, name: "bundled")
    #expect(identity.files.count == 4 && identity.files.values.allSatisfy { $0.count == 64 })
    var config = CheckpointTests.smallConfig()
    config.dataset = identity
    let back = try RunConfig.parse(json: try JSONValue.parse(Data(config.jsonValue.text.utf8)), path: "config.json")
    #expect(back.dataset == identity)
    // Other data at hand: a copy of the digits with one file changed.
    let other = Fixtures.temporaryFolder()
    for file in identity.files.keys {
      try FileManager.default.copyItem(atPath: "\(Fixtures.bundledMNIST)/\(file)", toPath: "\(other)/\(file)")
    }
    let labels = try IDXReader.readBytes("\(other)/t10k-labels-idx1-ubyte.gz")
    try FileManager.default.removeItem(atPath: "\(other)/t10k-labels-idx1-ubyte.gz")
    try Data(labels).write(to: URL(fileURLWithPath: "\(other)/t10k-labels-idx1-ubyte"))
    do {
      _ = try DataChoice(dataDir: other).open(forRun: "ckpt", recorded: identity)
      Issue.record("other data accepted")
    } catch {
      #expect("\(error)".contains("is not the data run 'ckpt' was trained on"), "\(error)")
    }
    #expect(try DataChoice(dataDir: other).open(forRun: "ckpt", recorded: identity, allowOther: true).folder.path == other)
    // Without a choice, the recorded data is used.
    #expect(try DataChoice().open(forRun: "ckpt", recorded: identity).identity.files == identity.files)
  }

  @Test func aTakenNameGetsTheNextFreeNumber() throws {
    let out = Fixtures.temporaryFolder()
    #expect(RunFolder.availableName(out: out, name: "mlp") == "mlp")
    try FileManager.default.createDirectory(atPath: "\(out)/mlp", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: "\(out)/mlp-2", withIntermediateDirectories: true)
    #expect(RunFolder.availableName(out: out, name: "mlp") == "mlp-3")
  }

  /// Stopped inside an epoch and resumed: that epoch's training loss, accuracy and every other
  /// epoch's match an uninterrupted run's (the state keeps the epoch's tally, `EpochTally`); a
  /// state whose tally counts more samples than its batches hold is refused.
  @Test func anEpochResumedInsideReportsAllItsBatches() throws {
    let out = Fixtures.temporaryFolder()
    var config = CheckpointTests.smallConfig(epochs: 3)
    config.name = "whole"
    try CheckpointTests.train(config, out: out, mode: .create)
    config.name = "cut"
    try CheckpointTests.train(config, out: out, mode: .create, stopAfterSteps: 13)
    let state = try Safetensors.read("\(out)/cut/last.safetensors")
    let batch = try #require(state.metadata["batch"].flatMap(Int.init))
    #expect(batch > 0 && state.metadata[EpochTally.seenKey] == "\(batch * 50)", "stopped at batch \(batch) of an epoch")
    try CheckpointTests.train(config, out: out, mode: .resume)
    let whole = RunLog.readMetrics(folder: "\(out)/whole"), cut = RunLog.readMetrics(folder: "\(out)/cut")
    #expect(cut.map(\.epoch) == [1, 2, 3])
    #expect(cut.map(\.trainLoss) == whole.map(\.trainLoss))
    #expect(cut.map(\.trainAccuracy) == whole.map(\.trainAccuracy))

    var lying = state
    lying.metadata[EpochTally.seenKey] = "\(batch * 50 + 1)"
    try lying.write(to: "\(out)/cut/last.safetensors")
    config.epochs = 4
    let error = #expect(throws: CheckpointError.self) { try CheckpointTests.train(config, out: out, mode: .resume) }
    #expect(error?.problem.contains("epoch tally counts") == true, "\(String(describing: error))")
  }

  /// Killed before its first state was whole: --resume starts it again in its folder (nothing
  /// deleted, no --overwrite needed) and ends where an uninterrupted run ends.
  @Test func aRunWithoutStateResumesFromTheStart() throws {
    let out = Fixtures.temporaryFolder()
    var config = CheckpointTests.smallConfig(epochs: 2)
    config.name = "whole"
    let whole = try CheckpointTests.train(config, out: out, mode: .create)
    config.name = "early"
    try CheckpointTests.train(config, out: out, mode: .create, stopAfterEpochs: 1)
    try FileManager.default.removeItem(atPath: "\(out)/early/last.safetensors")
    try "torn".write(toFile: "\(out)/early/last.safetensors.tmp-1", atomically: false, encoding: .utf8)
    let resumed = try CheckpointTests.train(config, out: out, mode: .resume)
    #expect(resumed.model.parameters.map { $0.value.values } == whole.model.parameters.map { $0.value.values })
    #expect(RunLog.readMetrics(folder: "\(out)/early").map(\.epoch) == [1, 2])
    #expect(!FileManager.default.fileExists(atPath: "\(out)/early/last.safetensors.tmp-1"))
  }

  /// A run that trained past its first epoch and lost its state (deleted, a dangling link, a
  /// link loop) is refused: resuming would start over and cut its logs and best checkpoint.
  @Test(arguments: ["missing", "dangling", "loop"])
  func aTrainedRunWithoutItsStateIsRefusedAndKept(_ how: String) throws {
    let out = Fixtures.temporaryFolder()
    var config = CheckpointTests.smallConfig(epochs: 3)
    config.name = "lost"
    try CheckpointTests.train(config, out: out, mode: .create, stopAfterEpochs: 2)
    let folder = "\(out)/lost", last = "\(folder)/\(CheckpointKind.last.fileName)"
    try FileManager.default.removeItem(atPath: last)
    if how == "dangling" { try FileManager.default.createSymbolicLink(atPath: last, withDestinationPath: "\(out)/nowhere") }
    if how == "loop" { try FileManager.default.createSymbolicLink(atPath: last, withDestinationPath: last) }
    let before = try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map {
      ($0, FileManager.default.contents(atPath: "\(folder)/\($0)"))
    }
    #expect(RunLog.readMetrics(folder: folder).count == 2)
    do {
      try CheckpointTests.train(config, out: out, mode: .resume)
      Issue.record("resumed a run that lost its state")
    } catch {
      #expect("\(error)".contains("epochs logged") && "\(error)".contains("nothing was changed"), "\(error)")
    }
    let after = try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map {
      ($0, FileManager.default.contents(atPath: "\(folder)/\($0)"))
    }
    #expect(before.map(\.0) == after.map(\.0) && before.map(\.1) == after.map(\.1))
  }

  /// How a run ended is in its record: stopped before its planned epochs reads STOPPED, all
  /// epochs FINISHED, and a record that says it trains with nobody holding the lock INTERRUPTED.
  @Test func theRecordSaysHowARunEnded() throws {
    let out = Fixtures.temporaryFolder()
    var config = CheckpointTests.smallConfig(epochs: 3)
    config.name = "stopped"
    try CheckpointTests.train(config, out: out, mode: .create, stopAfterEpochs: 1)
    let stopped = try SavedRun(path: "\(out)/stopped").record
    #expect(stopped.status == .stopped && stopped.epochsDone == 1 && stopped.epochsPlanned == 3 && stopped.best?.epoch == 1)
    config.name = "whole"
    try CheckpointTests.train(config, out: out, mode: .create)
    let whole = try SavedRun(path: "\(out)/whole").record
    #expect(whole.status == .finished && whole.epochsDone == 3 && whole.best != nil)
    #expect(whole.testOfBestCheckpoint != nil && whole.testOfFinalModel != nil)
    // A process killed while training leaves a record that says it runs: read back, interrupted.
    var running = whole
    running.status = .running
    try running.write(folder: "\(out)/whole")
    #expect(try SavedRun(path: "\(out)/whole").record.status == .interrupted)
  }

  /// A log a spreadsheet saved (CRLF line ends, an added column) resumes with every line kept;
  /// a line that cannot be read is refused by name and line, and nothing is changed.
  @Test func logsEditedByHandResumeOrAreRefusedWithoutLoss() throws {
    let out = Fixtures.temporaryFolder()
    var config = CheckpointTests.smallConfig(epochs: 3)
    config.name = "edited"
    try CheckpointTests.train(config, out: out, mode: .create, stopAfterEpochs: 2)
    let folder = "\(out)/edited", metrics = "\(folder)/\(RunFiles.metrics)", steps = "\(folder)/\(RunFiles.steps)"
    let original = try String(contentsOfFile: metrics, encoding: .utf8)
    let lines = original.split(separator: "\n").map { $0 + ",note" }
    try (lines.joined(separator: "\r\n") + "\r\n").write(toFile: metrics, atomically: true, encoding: .utf8)
    #expect(RunLog.readMetrics(folder: folder).map(\.epoch) == [1, 2])
    try CheckpointTests.train(config, out: out, mode: .resume)
    #expect(RunLog.readMetrics(folder: folder).map(\.epoch) == [1, 2, 3])
    // The best checkpoint is the best of all three epochs (the criterion was not forgotten).
    let bestFile = try Safetensors.read("\(folder)/\(CheckpointKind.best.fileName)")
    let saved = try Checkpoint.position(bestFile.metadata, path: "best")
    #expect(saved.epoch == RunLog.bestEpoch(RunLog.readMetrics(folder: folder))?.epoch)
    // A byte that is not UTF-8 in metrics.csv: refused by line (it used to hide the whole file,
    // and with it the best epoch); every file as it was.
    let clean = try Data(contentsOf: URL(fileURLWithPath: metrics))
    var broken = clean
    broken.append(contentsOf: [0x34, 0xFF, 0x0A])
    try broken.write(to: URL(fileURLWithPath: metrics))
    config.epochs = 4
    do {
      try CheckpointTests.train(config, out: out, mode: .resume)
      Issue.record("resumed over a line that is not UTF-8")
    } catch {
      #expect("\(error)".contains("metrics.csv") && "\(error)".contains("line 5"), "\(error)")
    }
    #expect(RunLog.readMetrics(folder: folder).map(\.epoch) == [1, 2, 3], "the other lines still read")
    try clean.write(to: URL(fileURLWithPath: metrics))
    // A garbage line at the top of steps.csv: refused, naming file and line; every file as it was.
    var text = try String(contentsOfFile: steps, encoding: .utf8)
    let headerEnd = try #require(text.firstIndex(of: "\n"))
    text.insert(contentsOf: "\ngarbage\u{1B}[2J", at: headerEnd)
    try text.write(toFile: steps, atomically: true, encoding: .utf8)
    let before = try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { FileManager.default.contents(atPath: "\(folder)/\($0)") }
    do {
      try CheckpointTests.train(config, out: out, mode: .resume)
      Issue.record("resumed over an unreadable line")
    } catch {
      #expect("\(error)".contains("steps.csv") && "\(error)".contains("line 2") && "\(error)".contains("nothing was changed"), "\(error)")
      #expect(!"\(error)".contains("\u{1B}"), "escape bytes from the file are not echoed")
    }
    let after = try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { FileManager.default.contents(atPath: "\(folder)/\($0)") }
    #expect(before == after)
  }

  /// Two dashboards on the same `--out` choose names at the same time: each claims its own
  /// (folder made, lock held), an unused claim leaves nothing behind, and a name whose folder a
  /// live process holds is never answered with "--overwrite".
  @Test func namesAreClaimedWhenChosen() throws {
    let out = Fixtures.temporaryFolder() + "/runs"
    var first: RunFolder.Claim? = try RunFolder.claim(out: out, name: "mlp")
    let second = try RunFolder.claim(out: out, name: "mlp")
    #expect(first?.name == "mlp" && second.name == "mlp-2")
    do {
      try RunFolder.checkNew(out: out, name: "mlp", overwrite: true)
      Issue.record("a claimed folder was offered for --overwrite")
    } catch {
      #expect("\(error)".contains("another process") || "\(error)".contains("still running"), "\(error)")
      #expect(!"\(error)".contains("pass --overwrite"), "\(error)")
    }
    first = nil
    #expect(!FileManager.default.fileExists(atPath: "\(out)/mlp"), "an unused claim removes the folder it made")
    var config = CheckpointTests.smallConfig(epochs: 1)
    config.name = second.name
    let folder = try RunFolder.create(claim: second, config: config)
    #expect(RunFiles.isRunFolder(folder.path) && RunLock.isHeld(folder: folder.path), "the run keeps the claimed lock")
  }
}

/// Checkpoints that lie: every field read from a file is range-checked, and NaN never enters or
/// leaves a checkpoint.
@Suite struct LyingCheckpointTests {
  /// Trains a 2-epoch run and returns its folder and state file.
  static func trainedRun(_ name: String) throws -> (out: String, folder: String, last: String, config: RunConfig) {
    let out = Fixtures.temporaryFolder()
    var config = CheckpointTests.smallConfig(epochs: 3)
    config.name = name
    try CheckpointTests.train(config, out: out, mode: .create, stopAfterEpochs: 2)
    let folder = "\(out)/\(name)"
    return (out, folder, "\(folder)/\(CheckpointKind.last.fileName)", config)
  }

  @Test(arguments: [("epoch", "-1"), ("epoch", "100001"), ("batch", "-3"), ("batch", "999999"), ("step", "-1"), ("stepCount", "\(Int.max)")])
  func aLyingFieldIsRefusedAndNothingChanges(_ field: String, _ value: String) throws {
    let run = try Self.trainedRun("liar")
    var file = try Safetensors.read(run.last)
    file.metadata[field] = value
    try AtomicFile.write(file.encoded(), to: run.last)
    let before = try FileManager.default.contentsOfDirectory(atPath: run.folder).sorted().map { FileManager.default.contents(atPath: "\(run.folder)/\($0)") }
    do {
      try CheckpointTests.train(run.config, out: run.out, mode: .resume)
      Issue.record("resumed a state whose \(field) is \(value)")
    } catch {
      #expect("\(error)".contains(field) && "\(error)".contains(CheckpointKind.last.fileName), "\(error)")
    }
    let after = try FileManager.default.contentsOfDirectory(atPath: run.folder).sorted().map { FileManager.default.contents(atPath: "\(run.folder)/\($0)") }
    #expect(before == after, "\(field) \(value): the folder changed")
  }

  @Test func nanNeverEntersOrLeavesACheckpoint() throws {
    let run = try Self.trainedRun("nan")
    var file = try Safetensors.read(run.last)
    file.entries[0].values[0] = .nan
    #expect(throws: CheckpointError.self) { try file.write(to: run.last) }
    #expect(try Safetensors.read(run.last).entries[0].values[0].isFinite, "the file before stays")
    try AtomicFile.write(file.encoded(), to: run.last)
    do {
      _ = try Safetensors.read(run.last)
      Issue.record("read a checkpoint holding NaN")
    } catch {
      #expect("\(error)".contains("NaN or infinity"), "\(error)")
    }
  }

  @Test func aShapeWhoseByteCountOverflowsIsRefused() throws {
    let header = #"{"x": {"dtype": "F32", "shape": [2147483648, 2147483648], "data_offsets": [0, 0]}}"#
    var data = Data()
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: Array(header.utf8))
    #expect(throws: CheckpointError.self) { _ = try Safetensors.decode(data, path: "overflow.safetensors") }
  }
}
