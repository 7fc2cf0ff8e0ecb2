import ArgumentParser
import DNN
import Dashboard
import Foundation
import Synchronization
import TerminalUI

/// Set by SIGINT / SIGTERM; the run loop polls it (a signal handler may only touch atomics).
let interruptSignal = Atomic<Int32>(0)

/// `dnn-tui`: the live training dashboard.
struct DashboardCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dnn-tui",
    abstract: "Train a network on MNIST digits and watch it learn: curves, gradient norms, digits and guesses.",
    discussion: """
      Runs are saved like dnn train's, into OUT/NAME (default runs/NAME; runs/NAME-2, -3, ... when that exists). \
      Keys: space pause/resume, n step one epoch, ←/→ Home End PgUp PgDn browse digits, m mistakes only, c confusion matrix, \
      y log scale, +/- learning rate, s save now, ? help, Esc close, q quit (asks first while training).
      """)

  @Option(help: "Run configuration file (JSON). Default: assets/configs/default.json.") var config: String?
  @Option(name: .customLong("run"), help: "The run of the configuration file to train (default: the first), or a saved run folder (RUNS/NAME) to open.")
  var runName: String?
  @Option(help: "Folder for run folders: the run is saved into OUT/NAME (checkpoints, logs; `s` saves now).") var out = "runs"
  @Flag(help: "Replace OUT/NAME if it exists (instead of saving into OUT/NAME-2).") var overwrite = false
  @Flag(help: "Do not save the run.") var noSave = false
  @Flag(help: "With --run RUNS/NAME: continue training it from its last checkpoint.") var resume = false
  @Option(help: "Folder with the MNIST files (train-*, t10k-*; .gz or raw). Default: the bundled digits.") var dataDir: String?
  @Option(help: "bundled, mnist or fashion-mnist (as fetched by dnn download); --data-dir wins.") var dataset: String?
  @Option(help: "Override the number of epochs.") var epochs: Int?
  @Option(help: "Override the random seed.") var seed: Int?
  @Flag(help: "Draw with ASCII characters only.") var ascii = false
  @Flag(help: "No colours (also when the NO_COLOR environment variable is set).") var noColor = false

  func validate() throws {
    if let epochs, let problem = RunConfig.outOfRange("--epochs", epochs, RunConfig.epochRange) { throw ValidationError(problem) }
    if let seed, let problem = RunConfig.outOfRange("--seed", seed, RunConfig.seedRange) { throw ValidationError(problem) }
  }

  /// What the dashboard shows: a new run, or a saved run folder reopened (and maybe resumed).
  private struct Opening {
    var config: RunConfig
    var folder: MNISTFolder
    var history: [TrainingEvent] = []
    /// Where a new run is saved (`--out`), or the saved run folder being resumed.
    var saveInto: String?
    var resumePath: String?
    var live = true

    /// Why `s` cannot save, or nil when it can.
    var saveUnavailable: String? {
      if !live { return "this is a saved run being shown (add --resume to train it on)" }
      return saveInto == nil && resumePath == nil ? "started with --no-save" : nil
    }

    /// The run folder being written, if any.
    var savedPath: String? {
      resumePath ?? saveInto.map { ($0 as NSString).appendingPathComponent(config.name) }
    }
  }

  /// Everything that can fail on input fails here, before the screen is taken over.
  private func open() throws -> Opening {
    let choice = DataChoice(dataDir: dataDir, dataset: dataset)
    if let runName, FileManager.default.fileExists(atPath: (runName as NSString).appendingPathComponent("config.json")) {
      let saved = try SavedRun(path: runName)
      let data = try choice.open(forRun: saved.config.name, recorded: saved.config.dataset)
      var config = saved.config
      if let epochs { config.epochs = epochs }
      config.dataset = data.identity
      var opening = Opening(config: config, folder: data.folder, live: resume)
      opening.history = try RunReplay.events(of: saved, folder: data.folder, final: !resume)
      if resume { opening.resumePath = runName }
      return opening
    }
    if resume { throw ValidationError("--resume needs --run RUNS/NAME, a saved run folder") }
    let file = try RunFile.load(path: config ?? Assets.defaultConfig())
    var runConfig = try runName.map { try file.run(named: $0) } ?? file.runs[0]
    if let epochs { runConfig.epochs = epochs }
    if let seed { runConfig.seed = UInt64(seed) }
    let data = try choice.open(forRun: runConfig.name, recorded: runConfig.dataset)
    runConfig.dataset = data.identity
    var opening = Opening(config: runConfig, folder: data.folder)
    if !noSave {
      if !overwrite { runConfig.name = RunFolder.availableName(out: out, name: runConfig.name) }
      try RunFolder.checkNew(out: out, name: runConfig.name, overwrite: overwrite)
      opening.config = runConfig
      opening.saveInto = out
    }
    return opening
  }

  func run() throws {
    guard isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 else {
      fail("dnn-tui needs an interactive terminal; for training without one use `dnn train` (same options).")
    }
    let opening: Opening
    do { opening = try open() } catch { fail("error: \(error)") }
    let runConfig = opening.config, folder = opening.folder
    // The terminal before the run: a terminal that cannot show the dashboard starts nothing.
    let color = !noColor && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
    guard let terminal = NcursesTerminal(color: color) else {
      fail("error: this terminal cannot show the dashboard (TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? "unset")): it needs cursor movement; try TERM=xterm-256color, or use `dnn train` (same options).")
    }

    let session = TrainingSession()
    if opening.live {
      let saveInto = opening.saveInto, resumePath = opening.resumePath, overwriting = overwrite
      session.start { events, commands in
        if let resumePath {
          let (runFolder, state) = try RunFolder.resume(path: resumePath, config: runConfig)
          return try Trainer(plan: RunPlan(config: runFolder.config, folder: folder, start: state, observer: runFolder), events: events, commands: commands)
        }
        let runFolder = try saveInto.map { try RunFolder.create(out: $0, config: runConfig, overwrite: overwriting) }
        return try Trainer(plan: RunPlan(config: runConfig, folder: folder, observer: runFolder), events: events, commands: commands)
      }
    }
    let history = opening.history, live = opening.live
    let link = HistoryLink(history: history, session: live ? session : nil)
    // A parent may have left signals blocked (the mask survives exec): resizes and Ctrl-C must arrive.
    var wanted = sigset_t()
    sigemptyset(&wanted)
    for s in [SIGWINCH, SIGINT, SIGTERM] { sigaddset(&wanted, s) }
    pthread_sigmask(SIG_UNBLOCK, &wanted, nil)
    signal(SIGINT) { interruptSignal.store($0, ordering: .relaxed) }
    signal(SIGTERM) { interruptSignal.store($0, ordering: .relaxed) }
    let app = DashboardApp(
      terminal: terminal, link: link, options: RenderOptions(color: terminal.usesColor, ascii: ascii || !terminal.localeIsUTF8),
      saveUnavailable: opening.saveUnavailable)
    app.draw()
    while app.tick() {
      if interruptSignal.load(ordering: .relaxed) != 0 { app.requestQuit() }
    }
    terminal.end()
    let state = app.state
    var line = "\(runConfig.name): \(state.status.rawValue) at epoch \(state.epochsDone)/\(runConfig.epochs)"
    if let last = state.epochReports.last { line += ", validation accuracy \(DashboardState.percent(last.validationAccuracy))" }
    if let test = state.summary?.test { line += ", test accuracy \(DashboardState.percent(test.accuracy))" }
    let seconds = state.epochReports.map(\.seconds).filter { $0 > 0 }.sorted()
    if !seconds.isEmpty { line += String(format: ", %.3f s/epoch (median)", seconds[seconds.count / 2]) }
    print(line)
    if let saved = opening.savedPath { print("saved in \(saved) (continue it with: dnn-tui --run \(saved) --resume)") }
    if let message = state.message, state.status == .failed || state.status == .diverged { print(message) }
    let signalNumber = interruptSignal.load(ordering: .relaxed)
    if signalNumber != 0 { throw ExitCode(128 + signalNumber) }
    if state.status == .failed || state.status == .diverged { throw ExitCode.failure }
  }

  private func fail(_ message: String) -> Never {
    // write(2), not FileHandle: a closed stderr (2>&-) loses the message instead of crashing.
    let line = Array((message + "\n").utf8)
    _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    Foundation.exit(1)
  }
}

/// Saved history first (a reopened run), then the live session's events, if any.
final class HistoryLink: TrainingLink {
  private var history: [TrainingEvent]
  private let session: TrainingSession?

  init(history: [TrainingEvent], session: TrainingSession?) {
    self.history = history
    self.session = session
  }

  func drainEvents() -> [TrainingEvent] {
    if !history.isEmpty {
      defer { history = [] }
      // A resumed run's replayed start is replaced by the live one.
      return session == nil ? history : history.filter { if case .started = $0 { false } else { true } } + (session?.drainEvents() ?? [])
    }
    return session?.drainEvents() ?? []
  }

  func send(_ command: TrainingCommand) { session?.send(command) }
}

@main
enum Entry {
  static func main() {
    ProcessSetup.prepare()
    if let problem = ProcessSetup.nonUTF8Argument() {
      let line = Array("error: \(problem)\n".utf8)
      _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
      exit(64)
    }
    DashboardCommand.main()
  }
}
