import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A grid sweep from a configuration's block, settings from the command line, and `dnn runs`:
/// the table of a folder's runs and removing runs by name, safely.
@Suite(.serialized) struct RunsCommandTests {
  static let grid = """
    {"runs": [{"name": "mlp", "layers": [{"type": "dense", "units": 16}, {"type": "relu"}, {"type": "dense", "units": 10}, {"type": "softmax"}],
     "optimizer": {"type": "sgd", "learningRate": 0.05}, "epochs": 1, "trainSamples": 400,
     "sweep": {"grid": {"optimizer.learningRate": [0.01, 0.1], "batchSize": [32, 64]}}}]}
    """

  static let names = ["mlp-batch=32,lr=0.01", "mlp-batch=32,lr=0.1", "mlp-batch=64,lr=0.01", "mlp-batch=64,lr=0.1"]

  /// Trains the grid into a new folder; the folder of runs.
  static func trainGrid() throws -> String {
    let out = Programs.temporaryFolder()
    _ = FileManager.default.createFile(atPath: "\(out)/sweep.json", contents: Data(grid.utf8))
    let trained = try Programs.dnn(["train", "--config", "\(out)/sweep.json", "--out", "\(out)/runs"])
    #expect(trained.status == 0, "\(trained.errors)")
    return "\(out)/runs"
  }

  @Test func aGridTrainsOneRunPerCombinationAndEveryTableSaysWhatDiffers() throws {
    let runs = try Self.trainGrid()
    #expect(try FileManager.default.contentsOfDirectory(atPath: runs).sorted() == Self.names)
    let listed = try Programs.dnn(["runs", runs])
    #expect(listed.status == 0, "\(listed.errors)")
    let lines = listed.output.split(separator: "\n")
    #expect(lines.first?.contains("sets it apart") == true)
    #expect(lines.contains { $0.hasPrefix("mlp-batch=64,lr=0.1 ") && $0.contains("FINISHED") && $0.hasSuffix("lr=0.1 batch=64") })
    // evaluate: the same column; summary.csv quotes the names (they hold commas).
    let evaluated = try Programs.dnn(["evaluate", runs, "--samples", "0"])
    #expect(evaluated.status == 0 && evaluated.output.contains("lr=0.01 batch=32"), "\(evaluated.errors)")
    let csv = try String(contentsOfFile: "\(runs)/summary.csv", encoding: .utf8)
    #expect(csv.contains("\n\"mlp-batch=32,lr=0.01\",finished,") && csv.split(separator: "\n")[0].hasSuffix(",optimizer.learningRate,batchSize"))
    let parsed = try Spawn.run(["python3", "-c", "import csv,sys; rows=list(csv.reader(open(sys.argv[1]))); print(len(rows), len({len(r) for r in rows}))", "\(runs)/summary.csv"])
    #expect(parsed.output.trimmingCharacters(in: .whitespacesAndNewlines) == "5 1")
    // Two folders holding runs of the same names: the tables tell them apart by folder, and
    // say why no summary files were written.
    let copy = "\(runs)/../copy"
    try FileManager.default.copyItem(atPath: runs, toPath: copy)
    let both = try Programs.dnn(["evaluate", runs, copy, "--samples", "0"])
    #expect(both.status == 0 && both.output.contains("/copy/mlp-batch=32,lr=0.01") && both.output.contains("written for one folder of runs"), "\(both.output)")
    // report.html: a table of only the differing settings.
    #expect(try Programs.dnn(["report", runs]).status == 0)
    let report = try String(contentsOfFile: "\(runs)/report.html", encoding: .utf8)
    let table = report.components(separatedBy: "<table class=\"differences\">").dropFirst().first?.components(separatedBy: "</table>").first ?? ""
    #expect(table.contains(">batch</th>") && table.contains(">lr</th>") && !table.contains(">epochs</th>") && !table.contains("momentum"))
  }

  @Test func commandLineSettingsMakeANamedRun() throws {
    let out = Programs.temporaryFolder()
    let config = Self.grid.replacingOccurrences(of: #""sweep": {"grid": {"optimizer.learningRate": [0.01, 0.1], "batchSize": [32, 64]}}"#, with: #""seed": 1"#)
    _ = FileManager.default.createFile(atPath: "\(out)/one.json", contents: Data(config.utf8))
    let trained = try Programs.dnn(["train", "--config", "\(out)/one.json", "--out", out, "--lr", "0.2", "--optimizer", "adamw", "--seed", "7", "--batch-size", "50", "--json"])
    #expect(trained.status == 0, "\(trained.errors)")
    // Accuracies as float32 holds them (0.981), not their double expansion (0.9810000061988831).
    let json = trained.output.split(separator: "\n").last.map(String.init) ?? ""
    #expect(json.contains("\"accuracy\": 0.") && json.range(of: #""accuracy": 0\.\d{9,}"#, options: .regularExpression) == nil, "\(json)")
    let saved = try String(contentsOfFile: "\(out)/mlp-opt=adamw,lr=0.2,batch=50,seed=7/config.json", encoding: .utf8)
    #expect(saved.contains("\"adamw\"") && saved.contains("\"batchSize\": 50") && saved.contains("\"seed\": 7"))
    #expect(try Programs.dnn(["train", "--config", "\(out)/one.json", "--optimizer", "rmsprop"]).status == 64)
    let version = try Programs.dnn(["--version"])
    #expect(version.status == 0 && version.output.hasPrefix("diy-dnn "))
  }

  /// Bundled configurations are found by name from any folder (as after scripts/install.sh),
  /// and a name that is not one lists those that are.
  @Test func bundledConfigurationsAreFoundByName() throws {
    let out = Programs.temporaryFolder()
    let trained = try Spawn.run([try Programs.path("dnn"), "train", "--config", "default.json", "--epochs", "1", "--out", out], directory: "/tmp")
    #expect(trained.status == 0, "\(trained.errors)")
    #expect(FileManager.default.fileExists(atPath: "\(out)/mlp-256-128/config.json"))
    let missing = try Spawn.run([try Programs.path("dnn"), "train", "--config", "nosuch", "--out", out], directory: "/tmp")
    #expect(missing.status != 0 && missing.errors.contains("no such configuration file (bundled, by name: attention, best-accuracy, cnn, default,"), "\(missing.errors)")
  }

  /// A run with every epoch done is not reopened to train nothing (and rewrite its state): one
  /// line says how to train it on, before anything starts.
  @Test func aFinishedRunIsRefusedByResumeUnlessGivenMoreEpochs() throws {
    let runs = try Self.trainGrid()
    let run = "\(runs)/\(Self.names[0])"
    let before = FileManager.default.contents(atPath: "\(run)/last.safetensors")
    let refused = try Programs.dnn(["train", run, "--resume"])
    #expect(refused.status != 0 && refused.errors.contains("at 1/1: pass --epochs N (more than 1) to train on"), "\(refused.errors)")
    let fewer = try Programs.dnn(["train", run, "--resume", "--epochs", "1"])
    #expect(fewer.status != 0 && fewer.errors.contains("--epochs 1 trains none"), "\(fewer.errors)")
    #expect(FileManager.default.contents(atPath: "\(run)/last.safetensors") == before)
    let more = try Programs.dnn(["train", run, "--resume", "--epochs", "2"])
    #expect(more.status == 0, "\(more.errors)")
    #expect(RunLogFile.lines("\(run)/metrics.csv") == 3)
  }

  @Test func removingRunsAsksAndRefusesWhatIsNotARunsToRemove() throws {
    let runs = try Self.trainGrid()
    let first = "\(runs)/\(Self.names[0])"
    // Not on a terminal: only with --yes.
    let refused = try Programs.dnn(["runs", runs, "--remove", Self.names[0]])
    #expect(refused.status != 0 && refused.errors.contains("--yes"))
    #expect(FileManager.default.fileExists(atPath: first))
    // On a terminal: asks; "n" keeps it, "y" removes it.
    for (answer, kept) in [("n", true), ("y", false)] {
      let input = "\(runs)/../answer"
      _ = FileManager.default.createFile(atPath: input, contents: Data("\(answer)\n".utf8))
      let command = "\(try Programs.path("dnn")) runs '\(runs)' --remove '\(Self.names[0])'"
      let asked = try Spawn.run(["script", "-qec", command, "/dev/null"], input: input)
      #expect(asked.output.contains("remove the run folder"), "\(asked.output)")
      #expect(FileManager.default.fileExists(atPath: first) == kept)
    }
    // A folder with a file of the user's, a folder that is not a run, a run being trained: refused, untouched.
    let second = "\(runs)/\(Self.names[1])"
    _ = FileManager.default.createFile(atPath: "\(second)/notes.txt", contents: Data("mine".utf8))
    let foreign = try Programs.dnn(["runs", runs, "--remove", Self.names[1], "--yes"])
    #expect(foreign.status != 0 && foreign.errors.contains("notes.txt"))
    #expect(FileManager.default.fileExists(atPath: "\(second)/notes.txt"))
    try FileManager.default.createDirectory(atPath: "\(runs)/photos", withIntermediateDirectories: true)
    #expect(try Programs.dnn(["runs", runs, "--remove", "photos", "--yes"]).errors.contains("not a run folder"))
    #expect(FileManager.default.fileExists(atPath: "\(runs)/photos"))
    let third = "\(runs)/\(Self.names[2])"
    let marker = "\(runs)/../held"
    let holder = try Spawn.start(["python3", "-c", "import fcntl,sys,time; f=open(sys.argv[1]+'/.lock','a'); fcntl.flock(f, fcntl.LOCK_EX); open(sys.argv[2],'w').close(); time.sleep(60)", third, marker])
    defer {
      kill(holder, SIGKILL)
      _ = Spawn.wait(holder)
    }
    for _ in 0..<500 where !FileManager.default.fileExists(atPath: marker) { usleep(10_000) }
    let locked = try Programs.dnn(["runs", runs, "--remove", Self.names[2], "--yes"])
    #expect(locked.status != 0 && locked.errors.contains("another process"), "\(locked.errors)")
    #expect(FileManager.default.fileExists(atPath: "\(third)/config.json"))
    // With --yes, several at once.
    let removed = try Programs.dnn(["runs", runs, "--remove", Self.names[3], "--yes"])
    #expect(removed.status == 0 && !FileManager.default.fileExists(atPath: "\(runs)/\(Self.names[3])"), "\(removed.errors)")
  }
}
