import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Runs that survive anything, as processes: kills at every save, closed descriptors, limits,
/// locks, data checks and incomplete runs.
@Suite(.serialized) struct RunSafetyTests {
  /// A small run (a second or so) written as a configuration file.
  /// A small run's configuration file; `extra` adds keys to the run (`"average": {...}`).
  static func tinyConfig(epochs: Int = 3, extra: String = "") -> String {
    let folder = Programs.temporaryFolder()
    let json = """
      {"runs": [{"name": "tiny", "layers": [{"type": "dense", "units": 16}, {"type": "relu"}, {"type": "dense", "units": 10},
      {"type": "softmax"}], "optimizer": {"type": "adam", "learningRate": 0.003}, "epochs": \(epochs), "batchSize": 50,
      "trainSamples": 300\(extra.isEmpty ? "" : ", " + extra)}]}
      """
    _ = FileManager.default.createFile(atPath: "\(folder)/tiny.json", contents: Data(json.utf8))
    return "\(folder)/tiny.json"
  }

  static func contents(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

  /// Kills `dnn train` at its N-th rename (and, separately, its N-th fsync and N-th write: log
  /// appends, checkpoint bodies, progress lines) for every N until a run gets through, resumes
  /// each killed run, and checks that it ends bit for bit where an uninterrupted run ends.
  @Test func aKillAtEverySaveLeavesARunThatResumesToTheSameWeights() throws {
    let config = Self.tinyConfig(epochs: 4)
    let reference = Programs.temporaryFolder()
    let whole = try Programs.dnn(["train", "--config", config, "--out", reference])
    #expect(whole.status == 0, "\(whole.errors)")
    var kills = 0
    for call in ["rename", "fsync", "write"] {
      for n in 1...80 {
        let out = Programs.temporaryFolder()
        let killed = try Spawn.run(
          ["strace", "-f", "-o", "/dev/null", "-e", "trace=\(call)", "-e", "inject=\(call):signal=SIGKILL:when=\(n)",
           try Programs.path("dnn"), "train", "--config", config, "--out", out], directory: Programs.root.path)
        if killed.status == 0 { break }  // fewer than n calls: every one has been tried
        #expect(killed.status == 128 + SIGKILL, "\(call) #\(n): status \(killed.status) \(killed.errors)")
        kills += 1
        var resumed = try Programs.dnn(["train", "--config", config, "--out", out, "--resume"])
        if resumed.errors.contains("has no saved state yet") || resumed.errors.contains("no config.json") {
          // Killed in the first epoch: nothing to resume, and --overwrite must be allowed.
          resumed = try Programs.dnn(["train", "--config", config, "--out", out, "--overwrite"])
        }
        #expect(resumed.status == 0, "\(call) #\(n): \(resumed.errors)")
        for file in ["last.safetensors", "best.safetensors", "metrics.csv"] {
          let same = file == "metrics.csv"
            ? Self.withoutSeconds("\(out)/tiny/\(file)") == Self.withoutSeconds("\(reference)/tiny/\(file)")
            : Self.contents("\(out)/tiny/\(file)") == Self.contents("\(reference)/tiny/\(file)")
          #expect(same, "\(call) #\(n): \(file) differs from the uninterrupted run's")
        }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: "\(out)/tiny")) ?? []
        #expect(!left.contains { $0.contains(".tmp-") }, "\(call) #\(n): temporary files left: \(left)")
      }
    }
    #expect(kills >= 20, "only \(kills) kills: the run saves less often than this test assumes")
  }

  /// metrics.csv without its seconds column (timings differ between runs).
  static func withoutSeconds(_ path: String) -> [String] {
    ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map { line in
      line.split(separator: ",").dropLast().joined(separator: ",")
    }
  }

  @Test func closedOrFullStandardStreamsAreNotACrash() throws {
    let config = Self.tinyConfig(epochs: 1)
    let dnn = try Programs.path("dnn")
    for redirect in ["2>&-", "2>/dev/full", ">&- 2>&-", ">/dev/full"] {
      let out = Programs.temporaryFolder()
      try Spawn.run(["/bin/sh", "-c", "\"$0\" train --config \"$1\" --out \"$2\" \(redirect); echo status=$? > \"$2/status\"", dnn, config, out],
                    directory: Programs.root.path)
      let status = String(decoding: Self.contents("\(out)/status") ?? Data(), as: UTF8.self)
      #expect(status.contains("status=0"), "\(redirect): \(status)")
      #expect(Self.contents("\(out)/tiny/last.safetensors") != nil, "\(redirect): no checkpoint")
    }
    // An error with stderr closed: exit 1, no crash.
    let out = Programs.temporaryFolder()
    try Spawn.run(["/bin/sh", "-c", "\"$0\" train --config /nonexistent.json 2>&-; echo status=$? > \"$1/status\"", dnn, out])
    #expect(String(decoding: Self.contents("\(out)/status") ?? Data(), as: UTF8.self).contains("status=1"))
  }

  @Test func jsonEndsWithOneObjectPerRunWhateverHappens() throws {
    let folder = Programs.temporaryFolder()
    let json = """
      {"runs": [{"name": "diverges", "layers": [{"type": "dense", "units": 64}, {"type": "relu"}, {"type": "dense", "units": 64},
      {"type": "relu"}, {"type": "dense", "units": 10}, {"type": "softmax"}],
      "optimizer": {"type": "sgd", "learningRate": 1e30}, "epochs": 2, "trainSamples": 300},
      {"name": "fine", "layers": [{"type": "dense", "units": 10}, {"type": "softmax"}], "epochs": 1, "trainSamples": 300}]}
      """
    _ = FileManager.default.createFile(atPath: "\(folder)/two.json", contents: Data(json.utf8))
    let result = try Programs.dnn(["train", "--config", "\(folder)/two.json", "--out", folder, "--json"])
    #expect(result.status == 1)
    let objects = result.output.split(separator: "\n").filter { $0.hasPrefix("{") }
      .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    #expect(objects.count == 2, "\(result.output)")
    #expect(objects.first?["run"] as? String == "diverges" && objects.first?["diverged"] as? Bool == true)
    #expect((objects.first?["message"] as? String)?.contains("diverged") == true)
    #expect(objects.last?["run"] as? String == "fine" && objects.last?["failed"] as? Bool == false)
  }

  @Test func commandLineValuesObeyTheConfigurationsLimits() throws {
    let out = Programs.temporaryFolder()
    for (arguments, phrase) in [
      (["train", "--out", out, "--epochs", "200000"], "--epochs must be from 1 to 100000, got 200000"),
      (["bench", "--epochs", "0"], "--epochs must be from 1 to 100000, got 0"),
      (["bench", "--epochs=-1"], "--epochs must be from 1 to 100000, got -1"),
      (["train", "--out", out, "--shard", "3/4", "--config", Self.tinyConfig()], "selects none of the 1 runs"),
      (["dnn-tui", "--seed", "99999999999"], "--seed must be from 0 to 2147483647, got 99999999999"),
      (["dnn-tui", "--epochs", "0"], "--epochs must be from 1 to 100000, got 0"),
    ] {
      let result = arguments[0] == "dnn-tui"
        ? try Spawn.run([try Programs.path("dnn-tui")] + arguments.dropFirst(), directory: Programs.root.path)
        : try Programs.dnn(arguments)
      #expect(result.status != 0 && result.status < 128, "\(arguments): \(result.status)")
      #expect(result.errors.contains(phrase), "\(arguments): \(result.errors)")
    }
    _ = FileManager.default.createFile(atPath: "\(out)/file", contents: Data())
    let file = try Programs.dnn(["train", "--config", Self.tinyConfig(), "--out", "\(out)/file"])
    #expect(file.status == 1 && file.errors.contains("is a file; --out must name a folder"), "\(file.errors)")
    let long = try Programs.dnn(["train", "--config", Self.tinyConfig(), "--out", out + "/" + String(repeating: "x", count: 300)])
    #expect(long.status == 1 && long.errors.contains("cannot be created"), "\(long.errors)")
    #expect(!long.errors.contains("Error Domain"), "\(long.errors)")
  }

  @Test func aPathThatIsNotUTF8IsRefusedNotRenamed() throws {
    let out = Programs.temporaryFolder()
    try Spawn.run(["/bin/sh", "-c", "\"$0\" train --epochs 1 --out \"$(printf '\(out)/\\377')\" 2> \"$1/err\"; echo $? > \"$1/status\"",
                   try Programs.path("dnn"), out], directory: Programs.root.path)
    #expect(String(decoding: Self.contents("\(out)/status") ?? Data(), as: UTF8.self) == "64\n")
    #expect(String(decoding: Self.contents("\(out)/err") ?? Data(), as: UTF8.self).contains("is not valid UTF-8"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["err", "status"])
  }

  @Test func aSecondWriterIsRefusedWhileARunTrains() throws {
    let out = Programs.temporaryFolder()
    let config = Self.tinyConfig(epochs: 2000)
    let pid = try Spawn.start([try Programs.path("dnn"), "train", "--config", config, "--out", out])
    defer {
      kill(pid, SIGKILL)
      _ = Spawn.wait(pid)
    }
    let deadline = Date().addingTimeInterval(20)
    while Self.contents("\(out)/tiny/last.safetensors") == nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    for extra in [["--overwrite"], ["--resume"]] {
      let second = try Programs.dnn(["train", "--config", config, "--out", out] + extra)
      #expect(second.status == 1 && second.errors.contains("being written by another process"), "\(extra): \(second.errors)")
    }
    // Evaluating a folder of runs skips the one still training, with a note.
    let evaluate = try Programs.dnn(["evaluate", out, "--samples", "0"])
    #expect(evaluate.status == 1 && evaluate.errors.contains("still training"), "\(evaluate.errors)")
    #expect(Self.contents("\(out)/tiny/config.json") != nil)
  }

  @Test func laterCommandsUseAndCheckTheRunsOwnData() throws {
    // A copy of the digits with the test labels stored raw: the same digits, other files.
    let data = Programs.temporaryFolder()
    for file in try FileManager.default.contentsOfDirectory(atPath: Programs.root.path + "/assets/mnist") where file.hasSuffix(".gz") {
      try FileManager.default.copyItem(atPath: Programs.root.path + "/assets/mnist/" + file, toPath: "\(data)/\(file)")
    }
    try Spawn.run(["gunzip", "\(data)/t10k-labels-idx1-ubyte.gz"])
    let out = Programs.temporaryFolder()
    let config = Self.tinyConfig(epochs: 1)
    #expect(try Programs.dnn(["train", "--config", config, "--out", out, "--data-dir", data]).status == 0)
    let recorded = String(decoding: Self.contents("\(out)/tiny/config.json") ?? Data(), as: UTF8.self)
    #expect(recorded.contains("\"sha256\"") && recorded.contains(data), "\(recorded)")
    // By default the recorded data; the bundled digits are refused; --allow-other-data overrides.
    let own = try Programs.dnn(["evaluate", "\(out)/tiny", "--samples", "0", "--json"])
    #expect(own.status == 0, "\(own.errors)")
    let other = try Programs.dnn(["evaluate", "\(out)/tiny", "--samples", "0", "--dataset", "bundled"])
    #expect(other.status == 1 && other.errors.contains("is not the data run 'tiny' was trained on"), "\(other.errors)")
    #expect(try Programs.dnn(["evaluate", "\(out)/tiny", "--samples", "0", "--dataset", "bundled", "--allow-other-data"]).status == 0)
    let plot = try Programs.dnn(["plot", "\(out)/tiny", "--data-dir", "assets/mnist"])
    #expect(plot.status == 1 && plot.errors.contains("is not the data"), "\(plot.errors)")
    let resume = try Programs.dnn(["train", "--config", config, "--out", out, "--resume", "--epochs", "2", "--dataset", "bundled"])
    #expect(resume.status == 1 && resume.errors.contains("is not the data run 'tiny' was trained on"), "\(resume.errors)")
    // A changed data file is found out too.
    try Spawn.run(["gzip", "\(data)/t10k-labels-idx1-ubyte"])
    let changed = try Programs.dnn(["evaluate", "\(out)/tiny", "--samples", "0"])
    #expect(changed.status == 1 && changed.errors.contains("has changed since run 'tiny' was trained on it"), "\(changed.errors)")
  }

  @Test func aFolderOfRunsSkipsIncompleteOnes() throws {
    let out = Programs.temporaryFolder()
    #expect(try Programs.dnn(["train", "--config", Self.tinyConfig(epochs: 1), "--out", out]).status == 0)
    // A run killed before its first epoch ended: config.json only.
    try FileManager.default.createDirectory(atPath: "\(out)/early", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: "\(out)/tiny/config.json", toPath: "\(out)/early/config.json")
    for command in [["evaluate", out, "--samples", "0"], ["plot", out], ["report", out]] {
      let result = try Programs.dnn(command)
      #expect(result.status == 0, "\(command): \(result.errors)")
      #expect(result.errors.contains("skipped \(out)/early: no checkpoint yet"), "\(command): \(result.errors)")
    }
    let direct = try Programs.dnn(["evaluate", "\(out)/early"])
    #expect(direct.status == 1 && direct.errors.contains("is incomplete: no checkpoint yet"), "\(direct.errors)")
  }
}
