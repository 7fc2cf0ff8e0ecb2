import ArgumentParser
import DNN
import Foundation
import Interop
import Synchronization

/// The signal that asked `dnn train` to stop (`ProcessSetup.stopSignals`), 0 for none.
let stopSignal = Atomic<Int32>(0)

/// `dnn train`: trains the runs of a configuration file, each into its own run folder.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train the runs of a configuration file (default: assets/configs/default.json).",
    discussion: """
      Each run writes <out>/<name>/: config.json (with the dataset's SHA-256 digests), metrics.csv, steps.csv, \
      best.safetensors and last.safetensors (model and optimizer state). Ctrl-C, SIGTERM or SIGHUP finishes the current step, \
      saves last.safetensors and exits 130 / 143; --resume continues from there, on the run's recorded data. --shard K/N trains runs K, K+N, K+2N, ... (0-based), so that a sweep can be \
      spread over machines, for example as a Slurm array job with --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT.
      """)

  @Argument(help: "A run folder to continue (with --resume): any run folder, forks included; its config.json is the configuration and its parent the --out.")
  var runFolder: String?
  @Option(help: "Run configuration file (JSON), a bundled one by name (cnn, mnist-best, ...), or a run folder's config.json.") var config: String?
  @Option(name: .customLong("run"), help: "Train only the run with this name.") var runName: String?
  @Option(help: "Folder with the MNIST files (train-*, t10k-*; .gz or raw). Default: the bundled digits.")
  var dataDir: String?
  @Option(help: "bundled, mnist or fashion-mnist (as fetched by dnn download); --data-dir wins.") var dataset: String?
  @Option(help: "Override the number of epochs.") var epochs: Int?
  @Option(name: .customLong("lr"), help: ArgumentHelp(RunOverrides.help.learningRate)) var learningRate: Double?
  @Option(help: ArgumentHelp(RunOverrides.help.batchSize)) var batchSize: Int?
  @Option(help: ArgumentHelp(RunOverrides.help.optimizer)) var optimizer: String?
  @Option(help: ArgumentHelp(RunOverrides.help.seed)) var seed: Int?
  @Option(help: "Folder for run folders.") var out = "runs"
  @Flag(help: "Replace existing run folders.") var overwrite = false
  @Flag(help: "Continue runs from their last checkpoint and optimizer state.") var resume = false
  @Option(help: "K/N: train only every N-th run starting at run K (0-based).") var shard: String?
  @Flag(help: "Print one JSON object per run as the last line(s) of stdout.") var json = false
  @Flag(help: ArgumentHelp(TensorBoardLog.flagHelp)) var noTensorboard = false

  func validate() throws {
    if let epochs, let problem = RunConfig.outOfRange("--epochs", epochs, RunConfig.epochRange) { throw ValidationError(problem) }
    if overwrite && resume { throw ValidationError("--overwrite and --resume exclude each other") }
    if let problem = overrides.problem(resuming: resume) { throw ValidationError(problem) }
    if let shard, Self.parseShard(shard) == nil { throw ValidationError("--shard must be K/N with 0 <= K < N, got '\(shard)'") }
  }

  /// The settings given for every run.
  private var overrides: RunOverrides {
    RunOverrides(learningRate: learningRate, batchSize: batchSize, optimizer: optimizer, seed: seed)
  }

  /// Where run folders are: the named run folder's parent, else --out.
  private var outFolder: String {
    guard let runFolder else { return out }
    let parent = (runFolder as NSString).deletingLastPathComponent
    return parent.isEmpty ? "." : parent
  }

  /// The folder of the run `name` to resume: the run folder named, else OUT/NAME.
  private func folderToResume(_ name: String) -> String { runFolder ?? RunFiles.path(out, name) }

  static func parseShard(_ text: String) -> (index: Int, count: Int)? {
    let parts = text.split(separator: "/").compactMap { Int($0) }
    guard parts.count == 2, parts[1] > 0, parts[0] >= 0, parts[0] < parts[1] else { return nil }
    return (parts[0], parts[1])
  }

  func run() throws { try reportingErrors(train) }

  private func train() throws {
    // Checked here, not in validate(): a stray word after a mistyped option (`--epoch 3`) lands
    // in the run folder, and the unknown option is what the user must hear about.
    if runFolder != nil && (!resume || config != nil) {
      throw ValidationError("a run folder is continued with --resume (and without --config): dnn train RUNS/NAME --resume")
    }
    let configPath = try runFolder.map { RunFiles.path($0, RunFiles.config) } ?? config ?? Assets.defaultConfig()
    let file = try RunFile.load(path: configPath)
    var runs = file.runs
    if let runName { runs = [try file.run(named: runName)] }
    if let shard, let (k, n) = Self.parseShard(shard) { runs = runs.enumerated().filter { $0.offset % n == k }.map(\.element) }
    if runs.isEmpty { throw ValidationError("--shard \(shard ?? "") selects none of the \(file.runs.count) runs of \(configPath)") }
    runs = try runs.map { try overrides.apply(to: $0) }
    // A run with nothing left to train is refused before anything starts.
    for run in runs where resume {
      let path = folderToResume(run.name)
      if let problem = (try? SavedRun(path: path))?.resumeProblem(epochs: epochs) { throw ValidationError("\(path) \(problem)") }
    }
    try RunFolder.checkOut(outFolder)
    if !noTensorboard { TensorBoardLog.writeForEveryRun() }
    for s in ProcessSetup.stopSignals { signal(s) { stopSignal.store($0, ordering: .relaxed) } }
    var failed = false
    let opened = DataChoice.Cache()
    for var runConfig in runs {
      if let epochs { runConfig.epochs = epochs }
      let outcome: RunOutcome
      do {
        let data = try self.data(for: runConfig, cache: opened)
        runConfig.dataset = data.identity
        outcome = try trainOne(runConfig, folder: data.folder)
      } catch let error as ExitCode {
        throw error
      } catch {
        outcome = .failed(run: runConfig.name, diverged: false, message: "\(error)")
        Console.error("error: \(error)")
      }
      if json { print(outcome.json) }
      if case .failed = outcome { failed = true }
      let signalNumber = stopSignal.load(ordering: .relaxed)
      if signalNumber != 0 {
        Console.error("stopped by signal \(signalNumber); last.safetensors holds the state: continue with --resume")
        throw ExitCode(128 + signalNumber)
      }
    }
    if failed { throw ExitCode.failure }
  }

  /// The data of `config`: the one chosen on the command line, else the one a resumed run (or a
  /// config.json used as a configuration) recorded, else the bundled digits. Each folder is read once.
  private func data(for config: RunConfig, cache: DataChoice.Cache) throws -> (folder: MNISTFolder, identity: DatasetIdentity) {
    let savedConfig = resume ? (try? SavedRun(path: folderToResume(config.name)))?.config : nil
    return try DataChoice(dataDir: dataDir, dataset: dataset)
      .open(forRun: config.name, recorded: savedConfig?.dataset ?? config.dataset, cache: cache)
  }

  /// How one run ended.
  enum RunOutcome {
    case finished(RunSummary)
    case failed(run: String, diverged: Bool, message: String)

    /// The `--json` line of the run.
    var json: String {
      switch self {
      case .finished(let summary): summary.json
      case .failed(let run, let diverged, let message):
        JSONValue.object([
          "run": .string(run), "failed": .bool(true), "diverged": .bool(diverged), "message": .string(message),
        ]).text
      }
    }
  }

  /// Trains one run, printing progress; the outcome's message is printed when it failed.
  private func trainOne(_ config: RunConfig, folder: MNISTFolder) throws -> RunOutcome {
    let session = TrainingSession(events: EventChannel(capacity: 1 << 20))
    let start = resume ? RunStart.resume(path: folderToResume(config.name)) : .new(out: outFolder, overwrite: overwrite)
    session.start { events, commands in try Trainer.make(config, on: folder, start: start, events: events, commands: commands) }
    let printer = ProgressPrinter(live: Console.stdoutIsTerminal)
    var stopSent = false
    while true {
      session.events.wait(timeout: 0.1)
      if !stopSent && stopSignal.load(ordering: .relaxed) != 0 {
        session.send(.stop)
        stopSent = true
      }
      for event in session.events.drain() {
        printer.handle(event)
        switch event {
        case .finished(let summary): return .finished(summary)
        case .failed(let message), .diverged(_, _, let message):
          Console.error(message.hasPrefix("run '") ? "error: \(message)" : "error: run '\(config.name)': \(message)")
          if case .diverged = event { return .failed(run: config.name, diverged: true, message: message) }
          return .failed(run: config.name, diverged: false, message: message)
        default: break
        }
      }
    }
  }
}

extension RunSummary {
  /// The `--json` line: `{"run": ..., "epochs": ..., "train": {...}, "validation": {...}, ...}`.
  var json: String {
    func metrics(_ m: Metrics?) -> JSONValue {
      guard let m else { return .null }
      return .object(["loss": .float(m.loss), "accuracy": .float(m.accuracy)])
    }
    return JSONValue.object([
      "run": .string(runName), "epochs": .number(Double(epochs)), "train": metrics(train),
      "validation": metrics(validation), "test": metrics(test),
      "secondsPerEpoch": .array(secondsPerEpoch.map { .number($0) }),
      "samplesPerSecond": .number(samplesPerSecond), "stopped": .bool(stopped), "failed": .bool(false),
      "status": record.map { .string($0.status.rawValue) } ?? .null,
      "bestEpoch": record?.best.map { .number(Double($0.epoch)) } ?? .null,
      "testOfBestCheckpoint": metrics(record?.testOfBestCheckpoint), "testOfFinalModel": metrics(record?.testOfFinalModel),
      "testOfAverage": metrics(record?.testOfAverage), "testViews": .number(Double(record?.testViews ?? 1)),
      "savingSeconds": .number(savingSeconds), "logSeconds": .number(logSeconds),
    ]).text
  }
}
