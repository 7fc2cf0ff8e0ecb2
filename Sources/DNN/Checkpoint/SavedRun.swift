import Foundation

/// A finished (or stopped) run read back from its folder.
public struct SavedRun: Sendable {
  public let path: String
  public let config: RunConfig
  /// Rows of metrics.csv.
  public let epochs: [EpochReport]

  /// Reads `path` (a folder with config.json and metrics.csv).
  public init(path: String) throws {
    self.path = path
    let configPath = RunFiles.path(path, RunFiles.config)
    guard let data = FileManager.default.contents(atPath: configPath) else {
      throw CheckpointError(path: path, problem: "is not a run folder (no config.json)")
    }
    do {
      config = try RunConfig.parse(json: try JSONValue.parse(data), path: configPath)
    } catch let error as ConfigError {
      throw CheckpointError(path: configPath, problem: "is damaged (\(error.message))")
    }
    epochs = RunLog.readMetrics(folder: path)
    record = RunRecord.read(folder: path, epochs: epochs, epochsPlanned: config.epochs, bestSmoothing: config.bestSmoothing)
  }

  /// How the run stands or ended (`run.json`, read by `RunRecord.read`'s rules).
  public let record: RunRecord

  /// Why `--resume` cannot train this run on to `epochs` (nil: its own plan), or nil when it
  /// can: a finished run with all its epochs done would train nothing and only rewrite its
  /// state. (A run killed while it saved its last epoch may resume: that finishes its files.)
  public func resumeProblem(epochs: Int?) -> String? {
    let planned = epochs ?? config.epochs, done = record.epochsDone
    guard done > planned || (done == planned && record.status == .finished) else { return nil }
    return epochs == nil
      ? "is \(record.status.label) at \(done)/\(planned): pass --epochs N (more than \(done)) to train on"
      : "has \(done) epochs done: --epochs \(planned) trains none (pass more than \(done))"
  }

  /// Why this run cannot be evaluated or plotted with `checkpoint` (another process is still
  /// training it, or that checkpoint is not there), or nil when it can.
  public func incompleteReason(_ checkpoint: CheckpointKind = .best) -> String? {
    if RunLock.isHeld(folder: path) { return "still training" }
    guard FileManager.default.fileExists(atPath: RunFiles.path(path, checkpoint.fileName)) else {
      let other = CheckpointKind.allCases.first { $0 != checkpoint && FileManager.default.fileExists(atPath: RunFiles.path(path, $0.fileName)) }
      return other.map { "no \(checkpoint.fileName) (it has \($0.fileName): --checkpoint \($0.rawValue))" }
        ?? "no checkpoint yet (stopped in its first epoch?)"
    }
    return nil
  }

  /// The complete run folders named by `paths` (each a run folder, or a folder of run folders),
  /// and a note for each incomplete one found in a folder of runs (with `checkpoint`, or each
  /// the one it keeps). A run folder named directly must be complete.
  public static func findComplete(_ paths: [String], checkpoint: CheckpointKind? = nil) throws -> (runs: [SavedRun], skipped: [String]) {
    var runs: [SavedRun] = [], skipped: [String] = []
    for path in paths {
      let direct = RunFiles.isRunFolder(path)
      for run in try find([path]) {
        guard let reason = run.incompleteReason(run.checkpoint(checkpoint)) else {
          runs.append(run)
          continue
        }
        if direct { throw CheckpointError(path: run.path, problem: "is incomplete: \(reason)") }
        skipped.append("skipped \(run.path): \(reason)")
      }
    }
    if runs.isEmpty && !skipped.isEmpty {
      throw CheckpointError(path: paths.joined(separator: ", "), problem: "holds no complete run (\(skipped.joined(separator: "; ")))")
    }
    return (runs, skipped)
  }

  /// The run folders named by `paths`: each is a run folder, or a folder of run folders.
  public static func find(_ paths: [String]) throws -> [SavedRun] {
    var runs: [SavedRun] = []
    let fm = FileManager.default
    for path in paths {
      var isDirectory: ObjCBool = false
      guard fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw CheckpointError(path: path, problem: "no such run folder")
      }
      if RunFiles.isRunFolder(path) {
        runs.append(try SavedRun(path: path))
        continue
      }
      let children = RunFiles.runFolders(in: path)
      if children.isEmpty { throw CheckpointError(path: path, problem: "holds no run folders (folders with config.json)") }
      runs += try children.map { try SavedRun(path: $0) }
    }
    return runs
  }

  /// The checkpoint chosen, or the one the run keeps (`RunConfig.keptModel`) when none is.
  public func checkpoint(_ chosen: CheckpointKind?) -> CheckpointKind { chosen ?? config.keptModel }

  /// The model with the weights of `checkpoint`.
  public func model(checkpoint: CheckpointKind) throws -> Sequential {
    try config.checkMemory()
    let model = ModelBuilder.build(config.layers, seed: config.seed)
    try Checkpoint.load(RunFiles.path(path, checkpoint.fileName), into: model)
    return model
  }

  /// `model`'s predictions on the first `count` validation digits of this run's split (training
  /// digits when the run had no validation set); nil when there are none.
  public func sampleInferences(_ model: Sequential, folder: MNISTFolder, count: Int)
    -> (sample: DatasetView, predictions: ValidationPredictions, metrics: Metrics)?
  {
    let split = DataSplit(folder: folder, config: config)
    let view = split.validation.count > 0 ? split.validation : split.train
    let n = min(count, view.count)
    guard n > 0 else { return nil }
    let sample = DatasetView(source: view.source, indices: Array(view.indices.prefix(n)))
    let (metrics, predictions) = Evaluator.evaluate(model, on: sample, collectPredictions: true)
    return predictions.map { (sample, $0, metrics) }
  }

  /// The best epoch (`RunLog.bestEpoch`).
  public var bestEpoch: EpochReport? { RunLog.bestEpoch(epochs, smoothing: config.bestSmoothing) }
  /// Seconds of training, all epochs.
  public var trainingSeconds: Double { epochs.reduce(0) { $0 + $1.seconds } }
}
