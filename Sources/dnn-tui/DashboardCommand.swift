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
    discussion: "Keys: space pause/resume, n step one epoch, ←/→ browse digits, m mistakes only, c confusion matrix, y log scale, +/- learning rate, ? help, q quit.")

  @Option(help: "Run configuration file (JSON). Default: assets/configs/default.json.") var config: String?
  @Option(name: .customLong("run"), help: "The run of the configuration file to train (default: the first).") var runName: String?
  @Option(help: "Folder with the MNIST files (train-*, t10k-*; .gz or raw). Default: the bundled digits.") var dataDir: String?
  @Option(help: "bundled, mnist or fashion-mnist (as fetched by dnn download); --data-dir wins.") var dataset: String?
  @Option(help: "Override the number of epochs.") var epochs: Int?
  @Option(help: "Override the random seed.") var seed: Int?
  @Flag(help: "Draw with ASCII characters only.") var ascii = false
  @Flag(help: "No colours (also when the NO_COLOR environment variable is set).") var noColor = false

  func validate() throws {
    if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
    if let seed, seed < 0 { throw ValidationError("--seed must be 0 or more") }
  }

  func run() throws {
    guard isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 else {
      fail("dnn-tui needs an interactive terminal; for training without one use `dnn train` (same options).")
    }
    // Everything that can fail on input fails here, before the screen is taken over.
    var runConfig: RunConfig
    let folder: MNISTFolder
    do {
      let file = try RunFile.load(path: config ?? Assets.defaultConfig())
      runConfig = try runName.map { try file.run(named: $0) } ?? file.runs[0]
      if let epochs { runConfig.epochs = epochs }
      if let seed { runConfig.seed = UInt64(seed) }
      folder = try MNISTFolder(path: dataDir ?? DatasetSource.folder(forDataset: dataset ?? "bundled"))
    } catch {
      fail("error: \(error)")
    }

    let session = TrainingSession()
    let trainerConfig = runConfig
    session.start { events, commands in
      try Trainer.make(config: trainerConfig, folder: folder, events: events, commands: commands)
    }
    let color = !noColor && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
    guard let terminal = NcursesTerminal(color: color) else {
      fail("error: cannot drive this terminal (TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? "unset")); try TERM=xterm-256color, or use `dnn train`.")
    }
    // A parent may have left signals blocked (the mask survives exec): resizes and Ctrl-C must arrive.
    var wanted = sigset_t()
    sigemptyset(&wanted)
    for s in [SIGWINCH, SIGINT, SIGTERM] { sigaddset(&wanted, s) }
    pthread_sigmask(SIG_UNBLOCK, &wanted, nil)
    signal(SIGINT) { interruptSignal.store($0, ordering: .relaxed) }
    signal(SIGTERM) { interruptSignal.store($0, ordering: .relaxed) }
    let app = DashboardApp(terminal: terminal, link: session, options: RenderOptions(color: terminal.usesColor, ascii: ascii))
    app.draw()
    while app.tick() {
      if interruptSignal.load(ordering: .relaxed) != 0 { app.requestQuit() }
    }
    terminal.end()
    let state = app.state
    var line = "\(runConfig.name): \(state.status.rawValue) at epoch \(state.epochsDone)/\(runConfig.epochs)"
    if let last = state.epochReports.last { line += ", validation accuracy \(DashboardState.percent(last.validationAccuracy))" }
    if let test = state.summary?.test { line += ", test accuracy \(DashboardState.percent(test.accuracy))" }
    print(line)
    if let message = state.message, state.status == .failed || state.status == .diverged { print(message) }
    let signalNumber = interruptSignal.load(ordering: .relaxed)
    if signalNumber != 0 { throw ExitCode(128 + signalNumber) }
    if state.status == .failed || state.status == .diverged { throw ExitCode.failure }
  }

  private func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    Foundation.exit(1)
  }
}

@main
enum Entry {
  static func main() {
    BLASRuntime.reexecWithFastKernelIfNeeded()
    DashboardCommand.main()
  }
}
