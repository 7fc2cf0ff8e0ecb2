import ArgumentParser
import DNN
import Dashboard
import Foundation

/// What the dashboard opens, decided (and every input checked) before the screen is taken
/// over: the runs of a configuration file (a sweep), a saved run folder (shown, followed while
/// another process writes it, or resumed), or a folder of run folders.
struct DashboardOpening {
  let sweep: Sweep
  /// Where each run this session trains is saved, for the closing lines.
  var savedPaths: [String: String] = [:]
  /// A folder of runs opened before it holds any: the dashboard waits for the first.
  var waitingFor: String?
  private let context: ForkContext
  /// Where forks made during the session are saved.
  var forkPaths: [String: String] { context.savedPaths }

  /// The runs `command` asks for.
  init(_ command: DashboardCommand) throws {
    let context = ForkContext(out: command.out, save: !command.noSave)
    self.context = context
    sweep = Sweep(planFork: { point in context.plan(point) }, freeName: { context.freeName($0) })
    let choice = DataChoice(dataDir: command.dataDir, dataset: command.dataset)
    if let folder = command.savedFolder {
      try openFolder(folder, command: command, choice: choice, context: context)
      return
    }
    if command.resume { throw ValidationError("--resume needs a saved run folder: dnn-tui RUNS/NAME --resume") }
    let file = try RunFile.load(path: command.config ?? Assets.experimentConfig())
    let configs = try command.runName.map { [try file.run(named: $0)] } ?? file.runs
    let concurrent = command.concurrentRuns(for: configs)
    let cache = DataChoice.Cache()
    var taken: Set<String> = []
    if !command.noSave { try RunFolder.checkOut(command.out) }
    let given = try configs.map { try command.overrides.apply(to: $0) }
    let apart = RunConfig.apartLines(given)
    for (index, var config) in given.enumerated() {
      if let epochs = command.epochs { config.epochs = epochs }
      let data = try choice.open(forRun: config.name, recorded: config.dataset, cache: cache)
      config.dataset = data.identity
      var start = RunStart.new(out: command.noSave ? nil : command.out, overwrite: command.overwrite)
      if !command.noSave {
        if command.overwrite {
          try RunFolder.checkNew(out: command.out, name: config.name, overwrite: true)
        } else {
          // The name is claimed now (folder made, lock held), so another dashboard cannot take it.
          let claim = try RunFolder.claim(out: command.out, name: config.name, taken: taken)
          config.name = claim.name
          start = .claimed(claim)
        }
        savedPaths[config.name] = RunFiles.path(command.out, config.name)
      }
      taken.insert(config.name)
      try config.checkMemory()
      context.register(config, folder: data.folder)
      let folder = data.folder, run = config, begin = start
      var planned = PlannedRun(name: config.name, summary: apart[index]) { events, commands, sharesTheMachine in
        try Trainer.make(run, on: folder, start: begin, events: events, commands: commands) { plan in
          plan = plan.watched()
          // Two runs at once: each on one core, unsplit, one-thread products.
          if sharesTheMachine { (plan.splitBatch, plan.blasThreads) = (false, 1) }
        }
      }
      if command.noSave { planned.state.saveUnavailable = "started with --no-save" }
      sweep.add(planned)
    }
    sweep.concurrentRuns = concurrent
  }

  /// Whether `path` is a folder that is not a run folder and holds none (yet).
  static func isFolderWithoutRuns(_ path: String) -> Bool {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue,
      !RunFiles.isRunFolder(path)
    else { return false }
    return RunFiles.runFolders(in: path).isEmpty
  }

  /// A run folder, or a folder of run folders: each shown, followed or (one) resumed. A folder
  /// of runs is watched: run folders that appear in it later (a headless sweep's next run) join.
  private mutating func openFolder(_ path: String, command: DashboardCommand, choice: DataChoice, context: ForkContext) throws {
    // A folder that holds no run yet (a `dnn train --out RUNS` about to start): wait for runs.
    let empty = !command.resume && Self.isFolderWithoutRuns(path)
    if empty { waitingFor = path }
    let runs = empty ? [] : try SavedRun.find([path])
    if command.resume && runs.count != 1 { throw ValidationError("--resume continues one run: name its folder (RUNS/NAME)") }
    let cache = DataChoice.Cache()
    if !command.resume && !RunFiles.isRunFolder(path) {
      var known = Set(runs.map(\.path))
      // Runs that join later come as they are found (a new folder of a headless sweep).
      sweep.discover = {
        // Folders whose config.json is whole; one that cannot be read is passed over for good.
        return RunFiles.runFolders(in: path)
          .filter { known.insert($0).inserted }
          .compactMap { try? Self.show(try SavedRun(path: $0), choice: choice, cache: cache) }
      }
    }
    for saved in runs {
      if !command.resume {
        let shown = try Self.show(saved, choice: choice, cache: cache)
        sweep.add(shown.source, as: shown.state)
        continue
      }
      if let problem = saved.resumeProblem(epochs: command.epochs) { throw ValidationError("\(saved.path) \(problem)") }
      let data = try choice.open(forRun: saved.config.name, recorded: saved.config.dataset, cache: cache)
      var config = saved.config
      if let epochs = command.epochs { config.epochs = epochs }
      config.dataset = data.identity
      let state = RunState(name: config.name, summaryLine: config.summaryLine)
      if RunLock.isHeld(folder: saved.path) {
        throw ValidationError("\(saved.path) is being trained by another process: open it without --resume to follow it")
      }
      let history = try RunReplay.events(of: saved, folder: data.folder, final: false)
      context.register(config, folder: data.folder, out: (saved.path as NSString).deletingLastPathComponent)
      savedPaths[config.name] = saved.path
      let runPath = saved.path, folder = data.folder, run = config
      let live = LiveRun { events, commands in
        try Trainer.make(run, on: folder, start: .resume(path: runPath), events: events, commands: commands) { $0 = $0.watched() }
      }
      sweep.add(ReplayedRun(history: history, resumedBy: live), as: state)
    }
  }

  /// A saved run as the dashboard shows it: followed while another process writes it, else
  /// replayed from its files.
  static func show(_ saved: SavedRun, choice: DataChoice, cache: DataChoice.Cache) throws
    -> (source: RunSource, state: RunState)
  {
    let data = try choice.open(forRun: saved.config.name, recorded: saved.config.dataset, cache: cache)
    var state = RunState(name: saved.config.name, summaryLine: saved.config.summaryLine)
    if RunLock.isHeld(folder: saved.path) {
      state.following = true
      return (FollowedRun(try RunFollower(path: saved.path, folder: data.folder)), state)
    }
    state.saveUnavailable = "this is a saved run being shown (add --resume to train it on)"
    return (ReplayedRun(history: try RunReplay.events(of: saved, folder: data.folder, final: true)), state)
  }

  /// `name`, or `name-2`, `name-3`, ... : free on disk and not given to an earlier run of the sweep.
  static func freeName(_ name: String, out: String, taken: Set<String>) -> String {
    var candidate = RunFolder.availableName(out: out, name: name)
    var n = 2
    while taken.contains(candidate) {
      candidate = RunFolder.availableName(out: out, name: "\(name)-\(n)")
      n += 1
    }
    return candidate
  }
}

/// What a fork needs from the session: the parent's configuration and data, where to save.
/// Used on the dashboard's thread only.
final class ForkContext {
  private let out: String
  private let save: Bool
  private var runs: [String: (config: RunConfig, folder: MNISTFolder, out: String)] = [:]
  private var given: Set<String> = []
  /// Forks made, with their folders.
  private(set) var savedPaths: [String: String] = [:]

  init(out: String, save: Bool) {
    self.out = out
    self.save = save
  }

  func register(_ config: RunConfig, folder: MNISTFolder, out: String? = nil) {
    runs[config.name] = (config, folder, out ?? self.out)
    given.insert(config.name)
  }

  /// A fork name free on disk (in the parent's folder of runs) and in this session.
  func freeName(_ proposed: String) -> String {
    let name = DashboardOpening.freeName(proposed, out: out, taken: given)
    given.insert(name)
    return name
  }

  /// The run `point` becomes: the parent's configuration under the fork's name, saved next to
  /// the parent, starting from the fork point's state and rate.
  func plan(_ point: ForkPoint) -> PlannedRun {
    guard let parent = runs[point.parent] else {
      return PlannedRun(name: point.name, summary: "") { _, _, _ in throw ConfigError("run '\(point.parent)' cannot be forked here") }
    }
    let config = point.config(from: parent.config)
    register(config, folder: parent.folder, out: parent.out)
    let out = save ? parent.out : nil, folder = parent.folder, run = config
    if let out { savedPaths[point.name] = (out as NSString).appendingPathComponent(point.name) }
    var planned = PlannedRun(name: point.name, summary: config.summaryLine + " · " + DashboardState.forkLabel(point.learningRateFactor)) { events, commands, _ in
      try Trainer.make(run, on: folder, start: .fork(point, out: out), events: events, commands: commands) { $0 = $0.watched() }
    }
    if !save { planned.state.saveUnavailable = "started with --no-save" }
    return planned
  }
}
