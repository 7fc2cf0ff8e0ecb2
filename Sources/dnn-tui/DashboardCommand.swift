import ArgumentParser
import DNN
import Dashboard
import Foundation
import Interop
import Synchronization
import TerminalUI

/// Set by `ProcessSetup.stopSignals`; the run loop polls it (a signal handler may only touch atomics).
let interruptSignal = Atomic<Int32>(0)

/// `dnn-tui`: the live training dashboard.
struct DashboardCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dnn-tui",
    abstract: "Train a network on MNIST digits and watch it learn: curves, gradient norms, digits and guesses.",
    discussion: """
      Runs are saved like dnn train's, into OUT/NAME (default runs/NAME; runs/NAME-2, -3, ... when that exists). \
      With a configuration of several runs, trains them all in order (a sweep) and overlays their curves. \
      A NaN or infinite step sends the run back to its epoch's start, paused.
      """ + " Keys: " + KeyMap.helpText + ".",
    version: Version.text)

  @Argument(help: "A saved run folder (RUNS/NAME) or a folder of run folders (RUNS) to open: finished runs are shown, runs a `dnn train` elsewhere is writing are followed live.")
  var path: String?
  @Option(help: ArgumentHelp(
    "Run configuration file (JSON), or a bundled one by name (\(Assets.bundledConfigs().map { String($0.dropLast(5)) }.joined(separator: ", "))): every run in it is trained, in order. Default: \((try? Assets.experimentConfig()) ?? "assets/configs/experiment.json") (the original's experiment: five runs, under 20 s here)."))
  var config: String?
  @Option(name: .customLong("run"), help: "The one run of the configuration file to train, or a saved run folder (RUNS/NAME) to open.")
  var runName: String?
  @Option(help: "Folder for run folders: each run is saved into OUT/NAME (checkpoints, logs; `s` saves now).") var out = "runs"
  @Flag(help: "Replace OUT/NAME if it exists (instead of saving into OUT/NAME-2).") var overwrite = false
  @Flag(help: "Do not save the runs.") var noSave = false
  @Flag(help: ArgumentHelp(TensorBoardLog.flagHelp)) var noTensorboard = false
  @Flag(help: "With a saved run folder: continue training it from its last checkpoint.") var resume = false
  @Option(help: "Folder with the MNIST files (train-*, t10k-*; .gz or raw). Default: the bundled digits.") var dataDir: String?
  @Option(help: "bundled, mnist or fashion-mnist (as fetched by dnn download); --data-dir wins.") var dataset: String?
  @Option(help: "Override the number of epochs (every run).") var epochs: Int?
  @Option(name: .customLong("lr"), help: ArgumentHelp(RunOverrides.help.learningRate)) var learningRate: Double?
  @Option(help: ArgumentHelp(RunOverrides.help.batchSize)) var batchSize: Int?
  @Option(help: ArgumentHelp(RunOverrides.help.optimizer)) var optimizer: String?
  @Option(help: ArgumentHelp(RunOverrides.help.seed)) var seed: Int?
  @Option(help: "Runs of a sweep trained at the same time (1 or 2, default 2): two at once train on one core each (the last run of the sweep trains alone on both); one at a time each splits its batches over both cores.")
  var concurrent: Int?
  @Flag(help: "Draw with ASCII characters only.") var ascii = false
  @Flag(help: "No colours (also when the NO_COLOR environment variable is set).") var noColor = false

  func validate() throws {
    if let epochs, let problem = RunConfig.outOfRange("--epochs", epochs, RunConfig.epochRange) { throw ValidationError(problem) }
    if let problem = overrides.problem(resuming: resume) { throw ValidationError(problem) }
    if let concurrent, !(1...2).contains(concurrent) { throw ValidationError("--concurrent must be 1 or 2, got \(concurrent)") }
    if overwrite && resume { throw ValidationError("--overwrite and --resume exclude each other") }
    if path != nil && (config != nil || runName != nil) {
      throw ValidationError("open a saved run folder (PATH) or train a configuration (--config/--run), not both")
    }
  }

  /// The settings given for every run.
  var overrides: RunOverrides {
    RunOverrides(learningRate: learningRate, batchSize: batchSize, optimizer: optimizer, seed: seed)
  }

  /// The saved run folder (or folder of runs) to open: PATH, or --run naming a folder.
  var savedFolder: String? {
    if let path { return path }
    guard let runName, RunFiles.isRunFolder(runName) else { return nil }
    return runName
  }

  /// How many runs of `configs` train at once: `--concurrent`, else 2 for a sweep (measured
  /// faster on every bundled model: `bash benchmarks/sweep.sh`, README "Sweeps"), 1 for one run.
  func concurrentRuns(for configs: [RunConfig]) -> Int {
    guard configs.count > 1 else { return 1 }
    return concurrent ?? 2
  }

  func run() throws {
    guard isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 else {
      fail("dnn-tui needs an interactive terminal; for training without one use `dnn train` (same options).")
    }
    if !noTensorboard { TensorBoardLog.writeForEveryRun() }
    let opening: DashboardOpening
    do { opening = try DashboardOpening(self) } catch { fail("error: \(error)") }
    // The terminal before the run: a terminal that cannot show the dashboard starts nothing.
    let color = !noColor && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
    guard let terminal = NcursesTerminal(color: color) else {
      fail("error: this terminal cannot show the dashboard (TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? "unset")): it needs cursor movement; try TERM=xterm-256color, or use `dnn train` (same options).")
    }
    // A parent may have left signals blocked (the mask survives exec): resizes and Ctrl-C must arrive.
    var wanted = sigset_t()
    sigemptyset(&wanted)
    let stopSignals = ProcessSetup.stopSignals
    for s in [SIGWINCH] + stopSignals { sigaddset(&wanted, s) }
    pthread_sigmask(SIG_UNBLOCK, &wanted, nil)
    for s in stopSignals { signal(s) { interruptSignal.store($0, ordering: .relaxed) } }
    let options = RenderOptions(color: terminal.usesColor, ascii: ascii || !terminal.localeIsUTF8)
    let app = DashboardApp(terminal: terminal, link: opening.sweep, options: options, waitingFor: opening.waitingFor)
    app.draw()
    while app.tick() {
      if interruptSignal.load(ordering: .relaxed) != 0 { app.requestQuit() }
    }
    terminal.end()
    let state = app.state
    for run in state.runs where !run.isPlaceholder {
      // In the terminal's characters: the dashboard drew in ASCII, so do its last lines (`·` as `.`).
      let line = MessageText.readable(Self.closingLine(run, savedIn: opening.savedPaths[run.name] ?? opening.forkPaths[run.name]))
      print(options.glyphs.ascii ? Glyphs.asciiCharacters(line) : line)
    }
    if let folder = opening.waitingFor, state.runs.allSatisfy(\.isPlaceholder) { print("no run folder appeared in \(folder)") }
    let signalNumber = interruptSignal.load(ordering: .relaxed)
    if signalNumber != 0 { throw ExitCode(128 + signalNumber) }
    if state.runs.contains(where: { $0.status == .failed || $0.status == .diverged }) { throw ExitCode.failure }
  }

  /// What a run ended with, after the dashboard closes: one line, a second with its folder, and
  /// the message of a failure.
  static func closingLine(_ run: RunState, savedIn: String?) -> String {
    let epochs = run.run?.epochs ?? 0
    var line = "\(run.name): \(run.status.rawValue)"
    if run.run != nil { line += " at epoch \(run.record?.epochsDone ?? run.epochsDone)/\(epochs)" }
    if let best = run.record?.best { line += ", \(best.text)" }
    if let test = run.record?.testText { line += ", \(test)" }
    if let seconds = run.medianSecondsPerEpoch { line += String(format: ", %.3f s/epoch (median)", seconds) }
    if let savedIn, run.run != nil && !run.following {
      // Only a folder with a saved state can be continued (a full disk can fail the first save).
      let state = RunFiles.path(savedIn, CheckpointKind.last.fileName)
      line += FileManager.default.fileExists(atPath: state)
        ? "\nsaved in \(savedIn) " + (run.record.map { $0.epochsDone >= $0.epochsPlanned } ?? false
          ? "(all epochs done; train it on with: dnn-tui \(savedIn) --resume --epochs N)"
          : "(continue it with: dnn-tui \(savedIn) --resume)")
        : "\nits folder \(savedIn) holds no saved state: nothing to continue"
    }
    if let message = run.message, run.status == .failed || run.status == .diverged { line += "\n" + message }
    return line
  }

  private func fail(_ message: String) -> Never {
    // write(2), not FileHandle: a closed stderr (2>&-) loses the message instead of crashing.
    let line = Array((MessageText.readable(message) + "\n").utf8)
    _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    Foundation.exit(1)
  }
}

@main
enum Entry {
  static func main() {
    ProcessSetup.prepare(interactiveCrashes: false)
    if let problem = ProcessSetup.nonUTF8Argument() {
      let line = Array("error: \(problem)\n".utf8)
      _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
      exit(64)
    }
    DashboardCommand.main()
  }
}
