import Foundation

/// A run folder that another process (a `dnn train` elsewhere) is still writing, read as it
/// grows: the same `TrainingEvent`s a live trainer sends, so a front end shows it like a run it
/// trains. It never writes into the folder and never takes its lock; a torn last line is
/// simply not read yet. Predictions follow the saved state (`last.safetensors`) when it changes.
public final class RunFollower {
  public let path: String
  public let config: RunConfig
  private let split: DataSplit
  private let batchesPerEpoch: Int
  private let datasetName: String
  private var metrics: RunLog.Tail
  private var steps: RunLog.Tail
  private var events: RunLog.Tail
  private var stepColumns: Int?
  private var started = false
  private var epochs: [EpochReport] = []
  private var lastStep: RunLog.Step?
  private var stateStamp: timespec?
  public private(set) var hasEnded = false

  /// Follows `path`, whose data is `folder` (the run's recorded data, as `DataChoice` opens it).
  public init(path: String, folder: MNISTFolder) throws {
    let saved = try SavedRun(path: path)
    try saved.config.checkMemory()
    self.path = path
    config = saved.config
    split = DataSplit(folder: folder, config: config)
    batchesPerEpoch = (split.train.count + config.batchSize - 1) / max(config.batchSize, 1)
    datasetName = folder.path
    metrics = RunLog.Tail(path: RunFiles.path(path, RunFiles.metrics))
    steps = RunLog.Tail(path: RunFiles.path(path, RunFiles.steps))
    events = RunLog.Tail(path: RunFiles.path(path, RunFiles.events))
  }

  /// Whether a process is writing the run now (it holds the folder's lock).
  public var isBeingWritten: Bool { RunLock.isHeld(folder: path) }

  /// What was written since the last call. When the writer has let go of the folder, the rest
  /// and a final `.finished` come, and `hasEnded` turns true.
  public func poll() -> [TrainingEvent] {
    guard !hasEnded else { return [] }
    let writing = isBeingWritten
    var out: [TrainingEvent] = []
    if !started {
      started = true
      let model = ModelBuilder.build(config.layers, seed: config.seed)
      out.append(.started(RunStarted(
        config: config, model: model, dataset: datasetName, data: split, startEpoch: 0, batchesPerEpoch: batchesPerEpoch,
        learningRate: config.optimizer.learningRate, backend: "followed: \(path)")))
      out.append(.state(.running))
    }
    out += newLogEvents()
    if let (predictions, weights, model) = newPredictions() {
      out.append(.predictions(predictions))
      if let weights { out.append(.weights(weights)) }
      out.append(.model(model))
    }
    if !writing {
      hasEnded = true
      let summary = summary
      if let record = summary.record { out.append(.record(record)) }
      out.append(.finished(summary))
    }
    return out
  }

  /// New steps, epochs and interventions, in training order (a step's epoch ends after it).
  private func newLogEvents() -> [TrainingEvent] {
    var out: [TrainingEvent] = []
    // Steps first: the writer appends steps.csv before metrics.csv at each epoch end.
    let stepLines = steps.newLines()
    if stepColumns == nil, let header = steps.header {
      stepColumns = header.split(separator: ",").count - 4
    }
    let newSteps = stepLines.compactMap { RunLog.step(from: $0, tensors: stepColumns ?? 0) }
    var newEpochs = metrics.newLines().compactMap { RunLog.epoch(from: $0) }[...]
    for s in newSteps {
      while let e = newEpochs.first, e.epoch < s.epoch {
        out.append(.epoch(e))
        epochs.append(e)
        newEpochs.removeFirst()
      }
      out.append(.batch(report(s)))
      lastStep = s
    }
    for e in newEpochs {
      out.append(.epoch(e))
      epochs.append(e)
    }
    out += events.newLines().compactMap { RunLog.intervention(from: $0) }.map { .intervention($0) }
    return out
  }

  private func report(_ s: RunLog.Step) -> BatchReport {
    let batch = (s.step - 1) % max(batchesPerEpoch, 1)
    let seconds = epochs.last?.seconds ?? 0
    return BatchReport(
      step: s.step, epoch: s.epoch - 1, batch: batch, batchesPerEpoch: batchesPerEpoch, loss: s.loss, accuracy: s.accuracy,
      gradientNorms: s.gradientNorms, globalNorm: GradientClipping.globalNorm(s.gradientNorms),
      learningRate: epochs.last?.learningRate ?? config.optimizer.learningRate,
      samplesPerSecond: seconds > 0 ? Double(split.train.count) / seconds : 0)
  }

  /// The saved state's predictions on the validation digits, its first layer's weights and the
  /// model, when the state changed.
  private func newPredictions() -> (ValidationPredictions, WeightSnapshot?, ModelSnapshot)? {
    let last = RunFiles.path(path, CheckpointKind.last.fileName)
    var info = stat()
    guard stat(last, &info) == 0 else { return nil }
    if let stamp = stateStamp, stamp.tv_sec == info.st_mtim.tv_sec && stamp.tv_nsec == info.st_mtim.tv_nsec { return nil }
    stateStamp = info.st_mtim
    // The file is replaced by rename: what is opened is one whole state.
    guard let state = try? SavedState(path: last) else { return nil }
    let model = ModelBuilder.build(config.layers, seed: config.seed)
    guard (try? state.apply(to: model, optimizer: config.optimizer.make())) != nil else { return nil }
    guard var predictions = Evaluator.evaluate(model, on: split.validation, collectPredictions: true).predictions else { return nil }
    predictions.epoch = state.position.epoch
    return (
      predictions, WeightSnapshot.firstLayer(of: model, epoch: state.position.epoch),
      ModelSnapshot(model: model, config: config, position: state.position)
    )
  }

  /// The run as its files show it when the writer let go (its record, `RunRecord.read`).
  private var summary: RunSummary {
    RunSummary(name: config.name, epochs: epochs, record: RunRecord.read(folder: path, epochs: epochs, epochsPlanned: config.epochs, bestSmoothing: config.bestSmoothing))
  }
}
