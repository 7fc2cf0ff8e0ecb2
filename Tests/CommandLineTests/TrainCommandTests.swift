import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `dnn train` as a process, the way a user runs it.
@Suite(.serialized) struct TrainCommandTests {
  @Test func theDefaultRunLearnsTheBundledDigits() throws {
    let out = Programs.temporaryFolder()
    let result = try Programs.dnn(["train", "--out", out, "--json"])
    #expect(result.status == 0, "\(result.errors)")
    let last = result.output.split(separator: "\n").last.map(String.init) ?? ""
    let json = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
    let test = json?["test"] as? [String: Double]
    #expect(json?["run"] as? String == "mlp-256-128" && json?["epochs"] as? Int == 10)
    #expect((test?["accuracy"] ?? 0) >= 0.92, "test accuracy \(test?["accuracy"] ?? 0)")
    #expect((json?["secondsPerEpoch"] as? [Double])?.count == 10)
    for file in ["config.json", "metrics.csv", "steps.csv", "best.safetensors", "last.safetensors"] {
      #expect(FileManager.default.fileExists(atPath: "\(out)/mlp-256-128/\(file)"), "\(file) missing")
    }
    // The same again refuses to overwrite the run folder.
    let again = try Programs.dnn(["train", "--out", out, "--epochs", "1"])
    #expect(again.status == 1 && again.errors.contains("already exists: pass --overwrite"))
  }

  /// A run that holds out no validation digits prints no validation columns (they were
  /// "val_loss nan  val_acc –"), with or without a weight average.
  @Test func aRunWithoutValidationPrintsNoValidationFigures() throws {
    let config = RunSafetyTests.tinyConfig(epochs: 2, extra: #""validationFraction": 0, "average": {"decay": 0.9}"#)
    let trained = try Programs.dnn(["train", "--config", config, "--out", Programs.temporaryFolder()])
    #expect(trained.status == 0, "\(trained.errors)")
    let epochs = trained.output.split(separator: "\n").filter { $0.hasPrefix("epoch ") }
    #expect(epochs.count == 2 && epochs.allSatisfy { $0.contains("acc ") && !$0.contains("val") && !$0.contains("nan") }, "\(trained.output)")
    #expect(trained.output.contains("0 validation"))
  }

  /// `dnn bench --profile` says where the training time went, layer by layer, in text and JSON.
  @Test func benchProfilesTheLayers() throws {
    let config = RunSafetyTests.tinyConfig(epochs: 1)
    let text = try Programs.dnn(["bench", "--config", config, "--epochs", "1", "--data-dir", "assets/mnist", "--profile"])
    #expect(text.status == 0, "\(text.errors)")
    let rows = text.output.split(separator: "\n").drop { !$0.hasPrefix("time in each layer") }
    #expect(rows.count == 7, "\(text.output)")  // the title, the header, 4 layers, the total
    #expect(rows.contains { $0.contains("Dense(784 -> 16, he)") } && rows.last?.hasPrefix("layers in all: ") == true, "\(rows)")
    let json = try Programs.dnn(["bench", "--config", config, "--epochs", "1", "--data-dir", "assets/mnist", "--profile", "--json"])
    let line = try JSONSerialization.jsonObject(with: Data((json.output.split(separator: "\n").last ?? "").utf8)) as? [String: Any]
    let layers = line?["layerSeconds"] as? [[String: Any]]
    #expect(layers?.map { $0["layer"] as? String } == ["Dense(784 -> 16, he)", "ReLU", "Dense(16 -> 10, he)", "Softmax"], "\(json.output)")
    #expect(layers?.allSatisfy { ($0["forward"] as? Double ?? 0) > 0 } == true)
  }

  /// Any run folder resumes by its path, its config.json being the configuration (a fork's has
  /// no `runs` list, and resumes the same way), or through --config RUN/config.json.
  @Test func aRunFolderResumesByItsPath() throws {
    let out = Programs.temporaryFolder()
    #expect(try Programs.dnn(["train", "--out", out, "--epochs", "2"]).status == 0)
    let folder = "\(out)/mlp-256-128"
    let resumed = try Programs.dnn(["train", folder, "--resume", "--epochs", "3"])
    #expect(resumed.status == 0, "\(resumed.errors)")
    let again = try Programs.dnn(["train", "--config", "\(folder)/config.json", "--out", out, "--resume", "--epochs", "4"])
    #expect(again.status == 0, "\(again.errors)")
    let epochs = try String(contentsOfFile: "\(folder)/metrics.csv", encoding: .utf8).split(separator: "\n").dropFirst()
    #expect(epochs.map { $0.split(separator: ",")[0] } == ["1", "2", "3", "4"])
    let refused = try Programs.dnn(["train", folder])
    #expect(refused.status != 0 && refused.errors.contains("--resume"), "\(refused.errors)")
  }

  /// A run named like a run-folder file (`config.json`) leaves its folder of runs a folder of
  /// runs; a report written into a run folder does not stop `--overwrite` from replacing it.
  @Test func aRunNamedConfigJSONAndAReportInARun() throws {
    let folder = Programs.temporaryFolder(), out = Programs.temporaryFolder()
    let text = try String(contentsOfFile: "\(Programs.root.path)/assets/configs/default.json", encoding: .utf8)
      .replacingOccurrences(of: "\"mlp-256-128\"", with: "\"config.json\"")
    _ = FileManager.default.createFile(atPath: "\(folder)/named.json", contents: Data(text.utf8))
    #expect(try Programs.dnn(["train", "--config", "\(folder)/named.json", "--out", out, "--epochs", "1"]).status == 0)
    let evaluated = try Programs.dnn(["evaluate", out, "--samples", "0"])
    #expect(evaluated.status == 0 && evaluated.output.contains("config.json"), "\(evaluated.errors)")
    #expect(try Programs.dnn(["report", "\(out)/config.json"]).status == 0)
    let again = try Programs.dnn(["train", "--config", "\(folder)/named.json", "--out", out, "--epochs", "1", "--overwrite"])
    #expect(again.status == 0, "\(again.errors)")
  }

  /// `evaluate --checkpoint last` works without `best.safetensors`, and the default names the
  /// checkpoint that is there; dnn-tui refuses --overwrite with --resume as dnn train does.
  @Test func theCheckpointAskedForIsTheOneLookedFor() throws {
    let out = Programs.temporaryFolder()
    #expect(try Programs.dnn(["train", "--out", out, "--epochs", "1"]).status == 0)
    try FileManager.default.removeItem(atPath: "\(out)/mlp-256-128/best.safetensors")
    let last = try Programs.dnn(["evaluate", "\(out)/mlp-256-128", "--checkpoint", "last", "--samples", "0"])
    #expect(last.status == 0 && last.output.contains("final model"), "\(last.errors)")
    let best = try Programs.dnn(["evaluate", "\(out)/mlp-256-128", "--samples", "0"])
    #expect(best.status != 0 && best.errors.contains("--checkpoint last"), "\(best.errors)")
    let both = try Spawn.run([try Programs.path("dnn-tui"), "\(out)/mlp-256-128", "--overwrite", "--resume"])
    #expect(both.status != 0 && both.errors.contains("--overwrite and --resume exclude each other"), "\(both.errors)")
  }

  /// A data folder copied from the bundled digits with one file replaced.
  func brokenFolder(_ name: String, _ bytes: [UInt8]?) throws -> String {
    let folder = Programs.temporaryFolder()
    for file in try FileManager.default.contentsOfDirectory(atPath: Programs.root.path + "/assets/mnist") where file.hasSuffix(".gz") {
      try FileManager.default.copyItem(atPath: Programs.root.path + "/assets/mnist/" + file, toPath: "\(folder)/\(file)")
    }
    try FileManager.default.removeItem(atPath: "\(folder)/\(name)")
    if let bytes { _ = FileManager.default.createFile(atPath: "\(folder)/\(name.replacingOccurrences(of: ".gz", with: ""))", contents: Data(bytes)) }
    return folder
  }

  func expectCleanFailure(_ arguments: [String], mentions phrases: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
    let result = try Programs.dnn(arguments)
    #expect(result.status != 0 && result.status < 128, "status \(result.status)", sourceLocation: sourceLocation)
    let lines = result.errors.split(separator: "\n")
    #expect(lines.count == 1, "stderr: \(result.errors)", sourceLocation: sourceLocation)
    for phrase in phrases { #expect(result.errors.contains(phrase), "stderr: \(result.errors)", sourceLocation: sourceLocation) }
  }

  @Test func badDataIsOneClearLine() throws {
    let out = Programs.temporaryFolder()
    let header: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28]
    try expectCleanFailure(["train", "--out", out, "--data-dir", "/nonexistent"], mentions: ["/nonexistent: no such folder"])
    var wrongMagic = header
    wrongMagic[3] = 9
    try expectCleanFailure(["train", "--out", out, "--data-dir", try brokenFolder("train-images-idx3-ubyte.gz", wrongMagic + [UInt8](repeating: 0, count: 7840))],
                           mentions: ["train-images-idx3-ubyte: wrong magic number 0x00000809"])
    try expectCleanFailure(["train", "--out", out, "--data-dir", try brokenFolder("train-images-idx3-ubyte.gz", header + [1, 2, 3])],
                           mentions: ["train-images-idx3-ubyte: truncated"])
    try expectCleanFailure(["train", "--out", out, "--data-dir", try brokenFolder("train-labels-idx1-ubyte.gz", [0, 0, 8, 1, 0, 0, 0, 2, 1, 2])],
                           mentions: ["has 2 labels but", "4000 images"])
    try expectCleanFailure(["train", "--out", out, "--data-dir", try brokenFolder("train-labels-idx1-ubyte.gz", nil)],
                           mentions: ["train-labels-idx1-ubyte.gz: no such file"])
  }

  @Test func badConfigsAndFlagsAreOneClearLine() throws {
    let folder = Programs.temporaryFolder()
    _ = FileManager.default.createFile(atPath: "\(folder)/broken.json", contents: Data("{\"runs\": [".utf8))
    try expectCleanFailure(["train", "--config", "\(folder)/broken.json"], mentions: ["broken.json: not valid JSON"])
    let unknown = try String(contentsOfFile: Programs.root.path + "/assets/configs/default.json", encoding: .utf8)
      .replacingOccurrences(of: "\"epochs\": 10", with: "\"epochz\": 10")
    _ = FileManager.default.createFile(atPath: "\(folder)/unknown.json", contents: Data(unknown.utf8))
    try expectCleanFailure(["train", "--config", "\(folder)/unknown.json"], mentions: ["run 'mlp-256-128': unknown key 'epochz'"])
    try expectCleanFailure(["train", "--config", "\(folder)/missing.json"], mentions: ["missing.json: no such configuration file"])
    let flag = try Programs.dnn(["train", "--epoch", "3"])
    #expect(flag.status == 64 && flag.errors.contains("Unknown option '--epoch'"))
    let command = try Programs.dnn(["trian"])
    #expect(command.status == 64)
  }

  /// Ctrl-C and a hang-up (a closed terminal, a dropped ssh session) both save and record STOPPED.
  @Test(arguments: [SIGINT, SIGHUP])
  func interruptSavesTheLastCheckpointAndResumeContinues(_ signal: Int32) throws {
    let out = Programs.temporaryFolder()
    let pid = try Spawn.start([try Programs.path("dnn"), "train", "--out", out, "--epochs", "300"])
    // Wait for the first epoch's checkpoint, then interrupt.
    let last = "\(out)/mlp-256-128/last.safetensors"
    let deadline = Date().addingTimeInterval(20)
    while !FileManager.default.fileExists(atPath: last) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    Thread.sleep(forTimeInterval: 0.3)
    let asked = Date()
    kill(pid, signal)
    let status = Spawn.wait(pid)
    #expect(status == 128 + signal)
    #expect(Date().timeIntervalSince(asked) < 5)
    let record = try String(contentsOfFile: "\(out)/mlp-256-128/run.json", encoding: .utf8)
    #expect(record.contains("\"status\" : \"stopped\""), "\(record)")
    let metrics = try String(contentsOfFile: "\(out)/mlp-256-128/metrics.csv", encoding: .utf8)
    let epochsDone = metrics.split(separator: "\n").count - 1
    let resumed = try Programs.dnn(["train", "--out", out, "--resume", "--epochs", "\(epochsDone + 2)", "--json"])
    #expect(resumed.status == 0, "\(resumed.errors)")
    #expect(resumed.output.contains("\"epochs\": \(epochsDone + 2)"))
  }

  /// Kills `dnn train` with SIGKILL at random moments; every checkpoint left must load.
  @Test func sigkillNeverLeavesABrokenCheckpoint() throws {
    var generator = SystemRandomNumberGenerator()
    var checked = 0
    for round in 0..<20 {
      let out = Programs.temporaryFolder()
      let pid = try Spawn.start([try Programs.path("dnn"), "train", "--out", out, "--epochs", "100"])
      Thread.sleep(forTimeInterval: Double.random(in: 0.3...1.6, using: &generator))
      kill(pid, SIGKILL)
      _ = Spawn.wait(pid)
      let folder = "\(out)/mlp-256-128"
      for file in ["best", "last"] where FileManager.default.fileExists(atPath: "\(folder)/\(file).safetensors") {
        let result = try Programs.dnn(["evaluate", folder, "--checkpoint", file, "--samples", "0", "--json"])
        #expect(result.status == 0, "round \(round): \(file).safetensors did not load: \(result.errors)")
        checked += 1
      }
      let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { $0.contains(".tmp-") } ?? []
      for temporary in leftovers { #expect(temporary.contains(".tmp-"), "only temporary files may be partial") }
    }
    #expect(checked >= 10, "too few checkpoints were written before the kills to prove anything")
  }
}

/// The programs copied into an install prefix (as `scripts/install.sh` lays it out) work from
/// any folder.
@Suite struct InstalledLayoutTests {
  @Test func installedProgramsFindTheirAssetsFromAnyFolder() throws {
    let prefix = Programs.temporaryFolder()
    try FileManager.default.createDirectory(atPath: "\(prefix)/bin", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: "\(prefix)/share/diy-dnn", withIntermediateDirectories: true)
    // Copied by a cp process: a copy written by this (multi-threaded) test process could still be
    // open in a child another test forks at that moment, and executing it would fail with ETXTBSY.
    #expect(try Spawn.run(["cp", try Programs.path("dnn"), "\(prefix)/bin/dnn"]).status == 0)
    for folder in ["mnist", "configs"] {
      try FileManager.default.copyItem(atPath: Programs.root.path + "/assets/\(folder)", toPath: "\(prefix)/share/diy-dnn/\(folder)")
    }
    let elsewhere = Programs.temporaryFolder()
    let result = try Spawn.run(["\(prefix)/bin/dnn", "train", "--epochs", "1", "--out", "runs"], directory: elsewhere)
    #expect(result.status == 0, "\(result.errors)")
    #expect(result.output.contains("share/diy-dnn/mnist"), "\(result.output)")
    #expect(FileManager.default.fileExists(atPath: "\(elsewhere)/runs/mlp-256-128/last.safetensors"))
  }
}
