import Foundation

/// A run's folder (`RunFiles` names its files) as the one process training the run writes it:
/// the configuration when it starts, the logs as it goes (`RunLog`), the best model and the
/// whole state (`last.safetensors`, so a kill at any instant leaves a state `resume` continues
/// from: saved after the first epoch, every `saveInterval` seconds of epochs after that, and at
/// the end), and the run record (`run.json`) with every state and at the end. The lock
/// (`RunLock`) is held while this process writes.
///
/// Every checkpoint is replaced atomically (temporary file, fsync, rename).
public final class RunFolder: TrainingObserver {
  public let path: String
  public let config: RunConfig
  private let lock: RunLock
  private let log: RunLog.Writer
  /// The best model since the last save, kept in memory until the next one.
  private var pendingBest: Safetensors?
  /// When the state was last saved (uptime nanoseconds; 0 before the first save).
  private var lastSave: UInt64 = 0
  private var lastSavedPosition: TrainingPosition?
  /// Logs written beside the run's own (`RunLogSinks`), and the steps of the epoch under way
  /// for them.
  private let sinks: [RunLogSink]
  private var epochSteps: [RunLog.Step] = []

  /// Seconds between state saves at epoch ends (the first and last epochs always save, and so
  /// do `s`, Ctrl-C and the end of a run). Each save is an fsync'd write of model and optimizer:
  /// on small models it costs more than an epoch, and a kill loses at most this much training.
  public static let saveInterval: Double = 10

  /// The epochs logged before this process opened the run (a resumed run's).
  public let history: [EpochReport]

  /// Seconds spent appending to the logs so far.
  public var secondsWritingLogs: Double { log.secondsWriting }

  private init(path: String, config: RunConfig, lock: RunLock, history: [EpochReport], resumedAt: TrainingPosition? = nil) throws {
    self.path = path
    self.config = config
    self.lock = lock
    self.history = history
    log = RunLog.Writer(folder: path)
    sinks = try RunLogSinks.make(folder: path, config: config, resumedAt: resumedAt)
  }

  /// The path of `name` inside the folder.
  public func file(_ name: String) -> String { RunFiles.path(path, name) }

  // MARK: Opening

  /// `name` when `<out>/<name>` does not exist yet, else the first free `name-2`, `name-3`, ...
  public static func availableName(out: String, name: String) -> String {
    let fm = FileManager.default
    guard fm.fileExists(atPath: RunFiles.path(out, name)) else { return name }
    var n = 2
    while fm.fileExists(atPath: RunFiles.path(out, "\(name)-\(n)")) { n += 1 }
    return "\(name)-\(n)"
  }

  /// Throws the error `create` would for the folder of a new run, without touching anything;
  /// returns the folder's path.
  @discardableResult
  public static func checkNew(out: String, name: String, overwrite: Bool) throws -> String {
    let path = RunFiles.path(out, name)
    try checkOut(out)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return path }
    if let writer = RunLock.writer(folder: path) {
      throw CheckpointError(path: path, problem: "already exists and \(writer): choose another name (--overwrite would replace another process's run)")
    }
    guard overwrite else {
      throw CheckpointError(path: path, problem: "already exists: pass --overwrite to replace it or --resume to continue it")
    }
    guard isDirectory.boolValue else { throw CheckpointError(path: path, problem: "is a file, not a run folder; not replaced") }
    // A run folder holds run files only (a run killed before its config.json was whole holds
    // just the lock and a temporary file, and is still one).
    if let foreign = foreignFile(in: path) {
      throw CheckpointError(path: path, problem: "holds \(foreign), which is not a run file; --overwrite only replaces run folders, so move it first")
    }
    if RunLock.isHeld(folder: path) {
      throw CheckpointError(path: path, problem: "is being written by another process: --overwrite cannot replace a run that is training")
    }
    return path
  }

  /// A run folder's name claimed for a run that starts later (a queued run of a dashboard):
  /// the folder exists and its lock is held from the moment the name is chosen, so two
  /// processes never pick the same name. A claim whose run never wrote into it removes the
  /// folder it made (the lock file being all it holds) when it goes.
  public final class Claim: Sendable {
    public let path: String
    public let name: String
    let lock: RunLock

    init(path: String, name: String, lock: RunLock) {
      (self.path, self.name, self.lock) = (path, name, lock)
    }

    deinit {
      let contents = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
      guard contents == [RunFiles.lock] else { return }
      unlink(RunFiles.path(path, RunFiles.lock))
      rmdir(path)
    }
  }

  /// Claims `<out>/<name>`, else the first free of `name-2`, `name-3`, ... (skipping `taken`):
  /// `mkdir` makes the folder only if nobody has (another dashboard choosing at the same
  /// moment gets the next one), then its lock is taken.
  public static func claim(out: String, name: String, taken: Set<String> = []) throws -> Claim {
    try checkOut(out)
    do {
      try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    } catch {
      throw CheckpointError(path: out, problem: "cannot be created (\(error.localizedDescription))")
    }
    var n = 1
    while true {
      let candidate = n == 1 ? name : "\(name)-\(n)"
      n += 1
      guard !taken.contains(candidate) else { continue }
      let path = RunFiles.path(out, candidate)
      if mkdir(path, 0o755) == 0 { return Claim(path: path, name: candidate, lock: try RunLock(folder: path)) }
      guard errno == EEXIST else {
        throw CheckpointError(path: path, problem: "cannot be created (\(String(cString: strerror(errno))))")
      }
    }
  }

  /// Starts a new run in the folder `claim` holds for it.
  public static func create(claim: Claim, config: RunConfig) throws -> RunFolder {
    precondition(config.name == claim.name, "the run takes the claimed name")
    let folder = try RunFolder(path: claim.path, config: config, lock: claim.lock, history: [])
    try AtomicFile.write(config.jsonValue.text + "\n", to: folder.file(RunFiles.config))
    try RunRecord(epochsPlanned: config.epochs).write(folder: claim.path)
    return folder
  }

  /// Starts the folder of a new run at `<out>/<config.name>`. `overwrite` replaces an existing
  /// run folder's files (never a folder holding anything else, never one another process is
  /// writing).
  public static func create(out: String, config: RunConfig, overwrite: Bool) throws -> RunFolder {
    let path = try checkNew(out: out, name: config.name, overwrite: overwrite)
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      throw CheckpointError(path: path, problem: "cannot be created (\(error.localizedDescription))")
    }
    let lock = try RunLock(folder: path)
    // Checked again under the lock: nobody can start writing it from here on.
    let fm = FileManager.default
    for name in (try? fm.contentsOfDirectory(atPath: path)) ?? [] where name != RunFiles.lock {
      guard RunFiles.isRunFile(name) else { throw CheckpointError(path: path, problem: "holds \(name), which is not a run file; not replaced") }
      try? fm.removeItem(atPath: RunFiles.path(path, name))
    }
    let folder = try RunFolder(path: path, config: config, lock: lock, history: [])
    try AtomicFile.write(config.jsonValue.text + "\n", to: folder.file(RunFiles.config))
    try RunRecord(epochsPlanned: config.epochs).write(folder: path)
    return folder
  }

  /// Opens the run folder `path` to continue training it with `config`, and returns its saved
  /// state. Everything is checked before anything is written: the lock, the configuration
  /// (only `epochs` may change, and not below the epochs done), the dataset, the saved state
  /// against the architecture. Then stale temporary files go, the logs are cut back to the
  /// saved position, and `config.json` is rewritten when `epochs` changed. A run killed before
  /// its first state was whole has no state (nil) and starts again from the beginning in its
  /// folder; "before its first state" means exactly that: no best checkpoint and no epoch
  /// logged past the first. Any other folder without a readable state is refused, and nothing
  /// is touched.
  public static func resume(path: String, config: RunConfig) throws -> (folder: RunFolder, state: SavedState?) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw CheckpointError(path: path, problem: "no such run folder to resume")
    }
    let lock = try RunLock(folder: path)
    let saved = try SavedRun(path: path)
    if let difference = saved.config.differenceForResume(config) {
      throw CheckpointError(path: path, problem: "cannot be resumed with this configuration: \(difference)")
    }
    if let recorded = saved.config.dataset, let current = config.dataset, let difference = recorded.difference(from: current) {
      throw CheckpointError(path: path, problem: "was trained on other data (\(recorded.name), \(recorded.path)): \(difference)")
    }
    let last = RunFiles.path(path, CheckpointKind.last.fileName)
    try config.checkMemory()
    var state: SavedState?
    if FileManager.default.fileExists(atPath: last) {
      let saved = try SavedState(path: last, legacyOptimizer: RunFiles.path(path, RunFiles.legacyOptimizer))
      try saved.apply(to: ModelBuilder.build(config.layers, seed: config.seed), optimizer: config.optimizer.make())
      state = saved
    } else if let trained = trainedWithoutState(path) {
      throw CheckpointError(
        path: last, problem: "is missing or unreadable, but the run \(trained): resuming would start over and lose it; nothing was changed (restore the file, or start a new run)")
    }
    let position = state?.position ?? TrainingPosition(epoch: 0, batch: 0, step: 0)
    guard config.epochs >= position.epoch else {
      throw CheckpointError(path: path, problem: "has \(position.epoch) epochs done; \(config.epochs) epochs would be fewer (pass --epochs \(position.epoch) or more)")
    }
    if let bad = RunLog.firstUnreadableLine(folder: path) {
      throw CheckpointError(
        path: RunFiles.path(path, bad.file),
        problem: "line \(bad.line) cannot be read (\(String(reflecting: String(bad.text.prefix(60))))): resuming would cut the log there; fix or delete that line, nothing was changed")
    }
    // Checked: now write.
    removeTemporaryFiles(in: path)
    try RunLog.truncate(folder: path, to: position)
    var recorded = config
    recorded.dataset = config.dataset ?? saved.config.dataset
    if recorded != saved.config { try AtomicFile.write(recorded.jsonValue.text + "\n", to: RunFiles.path(path, RunFiles.config)) }
    let history = RunLog.readMetrics(folder: path)
    var record = RunRecord(status: .running, epochs: history, epochsPlanned: recorded.epochs, bestSmoothing: recorded.bestSmoothing)
    record.learningRateFactor = state?.learningRateFactor ?? 1
    try record.write(folder: path)
    return (try RunFolder(path: path, config: recorded, lock: lock, history: history, resumedAt: position), state)
  }

  /// What shows that the run in `path` trained past its first epoch (epochs logged after the
  /// first, or a best checkpoint of a later epoch, or one that cannot be read), or nil when it
  /// was killed before its first whole state: then at most its first epoch is logged and its
  /// best checkpoint (written just before the first state) is of epoch 1, which the same seed
  /// trains again bit for bit.
  private static func trainedWithoutState(_ path: String) -> String? {
    let epochs = RunLog.readMetrics(folder: path)
    if let last = epochs.last, epochs.count > 1 || last.epoch > 1 { return "has \(last.epoch) epochs logged" }
    let best = RunFiles.path(path, CheckpointKind.best.fileName)
    var info = stat()
    guard lstat(best, &info) == 0 else { return nil }
    guard let file = try? Safetensors.read(best), let position = try? Checkpoint.position(file.metadata, path: best) else {
      return "has a best checkpoint that cannot be read"
    }
    return position.epoch > 1 ? "has a best checkpoint of epoch \(position.epoch)" : nil
  }

  /// Throws when `out`, the folder of run folders, exists as a file.
  public static func checkOut(_ out: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory) && !isDirectory.boolValue {
      throw CheckpointError(path: out, problem: "is a file; --out must name a folder")
    }
  }

  /// Deletes `*.tmp-<pid>` files left by a process killed while it saved.
  private static func removeTemporaryFiles(in path: String) {
    for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where RunFiles.isTemporary(name) {
      try? FileManager.default.removeItem(atPath: RunFiles.path(path, name))
    }
  }

  // MARK: Observing the trainer

  public func didFinish(_ batch: BatchReport) throws {
    let step = RunLog.Step(step: batch.step, epoch: batch.epoch + 1, loss: batch.loss, accuracy: batch.accuracy, gradientNorms: batch.gradientNorms)
    log.append(step)
    if !sinks.isEmpty { epochSteps.append(step) }
  }

  /// Logs the epoch and keeps the model in memory when it is the best so far; then, when it is
  /// the first or last epoch or `saveInterval` seconds have passed since the last save, writes
  /// `best.safetensors` (if a better model is waiting) and the state. A kill between these
  /// steps leaves logs that run ahead of the state: resume cuts them back and retrains the
  /// same epochs, bit for bit.
  public func didFinish(_ epoch: EpochReport, _ progress: TrainingProgress) throws {
    log.append(epoch)
    try log.flush(parameterNames: progress.model.parameters.map(\.name))
    for sink in sinks { try sink.write(epoch: epoch, steps: epochSteps, progress: progress) }
    epochSteps.removeAll(keepingCapacity: true)
    let position = TrainingPosition(epoch: epoch.epoch, batch: 0, step: progress.position.step)
    // The record (the trainer's, this epoch folded in) says whether this epoch is the best.
    if progress.record.best?.epoch == epoch.epoch {
      pendingBest = Checkpoint.modelFile(progress.model, config: config, position: position)
    }
    let due = Double(DispatchTime.now().uptimeNanoseconds &- lastSave) * 1e-9 >= RunFolder.saveInterval
    if lastSave == 0 || due || epoch.epoch >= config.epochs {
      try saveState(progress, position: position)
    }
  }

  public func didIntervene(_ intervention: Intervention) throws {
    try log.append(intervention)
    for sink in sinks { try sink.write(intervention) }
  }

  /// The steps after `position` were undone: their lines, not yet written (logs are written at
  /// epoch ends, and the run goes back to an epoch's start), are dropped.
  public func didRewind(to position: TrainingPosition) throws {
    log.discardSteps(after: position.step)
    epochSteps.removeAll { $0.step > position.step }
  }

  /// Saves a fork's starting state (the parent's, under this run's configuration) as this
  /// run's state before it trains a step, so a kill at any instant leaves a fork that resumes
  /// from its fork point.
  public func saveStart(_ point: ForkPoint) throws {
    var file = point.state
    file.metadata["config"] = config.jsonValue.text
    // The fork's rate is in its configuration (`ForkPoint.config(from:)`): its factor starts anew.
    file.metadata["learningRateFactor"] = "\(ForkPoint.startingFactor)"
    try file.write(to: self.file(CheckpointKind.last.fileName))
  }

  public func save(_ progress: TrainingProgress) throws -> String? {
    try log.flush(parameterNames: progress.model.parameters.map(\.name))
    // The end of a run right after its last epoch's save has nothing new to write.
    if progress.position != lastSavedPosition || pendingBest != nil { try saveState(progress, position: progress.position) }
    return file(CheckpointKind.last.fileName)
  }

  public func didEnd(_ record: RunRecord) throws { try record.write(folder: path) }

  public var bestCheckpointPath: String? {
    let best = file(CheckpointKind.best.fileName)
    return FileManager.default.fileExists(atPath: best) ? best : nil
  }

  /// Writes the waiting best model, the weight average, then the state.
  private func saveState(_ progress: TrainingProgress, position: TrainingPosition) throws {
    if let best = pendingBest {
      try best.write(to: file(CheckpointKind.best.fileName))
      pendingBest = nil
    }
    if let average = progress.average {
      try Checkpoint.save(average.model, config: config, position: position, to: file(CheckpointKind.average.fileName))
    }
    try Checkpoint.saveState(
      progress.model, optimizer: progress.optimizer, config: config, position: position,
      learningRateFactor: progress.learningRateFactor, average: progress.average, epochSoFar: progress.epochSoFar,
      to: file(CheckpointKind.last.fileName))
    try progress.record.write(folder: path)
    lastSave = DispatchTime.now().uptimeNanoseconds
    lastSavedPosition = position
    // A run saved by an earlier version kept its optimizer apart; the state above replaces it.
    unlink(file(RunFiles.legacyOptimizer))
  }
}
