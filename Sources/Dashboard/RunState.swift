import DNN
import TerminalUI

/// One run as the dashboard knows it: everything folded in from its event stream (a live
/// trainer, a replayed folder or a followed one: the same events, so this reducer never knows
/// which). `DashboardState` holds one per run and the view options around them.
public struct RunState: Sendable {
  /// The dashboard's view of a run.
  public enum Status: String, Sendable {
    case queued = "QUEUED", starting = "STARTING", running = "RUNNING", paused = "PAUSED", stepping = "STEPPING"
    case finished = "FINISHED", stopped = "STOPPED", diverged = "DIVERGED", failed = "FAILED", skipped = "SKIPPED"
    case interrupted = "INTERRUPTED"

    /// The dashboard's status of a run whose record says `status`.
    init(_ status: RunStatus) {
      switch status {
      case .queued: self = .queued
      case .running: self = .running
      case .paused: self = .paused
      case .stopped: self = .stopped
      case .finished: self = .finished
      case .diverged: self = .diverged
      case .failed: self = .failed
      case .interrupted: self = .interrupted
      case .skipped: self = .skipped
      }
    }
  }

  /// The run's name before it starts (its folder name), and what sets it apart in a sweep
  /// (`256-128-10 · sgd 0.05 · batch 128`).
  public var name = ""
  public var summaryLine = ""
  public var run: RunStarted?
  public var status = Status.starting
  /// Another process writes this run (a run folder being followed, not trained here).
  public var following = false
  /// What the last NaN or infinite step did (the run went back and paused), until it runs again.
  public var anomaly: String?
  /// Why `s` cannot save this run (a replayed run, `--no-save`), or nil when it can.
  public var saveUnavailable: String?
  /// What the run ended with (divergence, failure), shown in the header and the outcome box.
  public var message: String?
  public var step = 0
  /// Epoch in progress (0-based) and batch within it.
  public var epoch = 0
  public var batch = 0
  public var epochsDone = 0
  public var learningRate: Float = 0
  /// The user's factor on the schedule's rate (`+`/`-`, a fork's choice), as the engine reports it.
  public var learningRateFactor: Float = 1
  public var samplesPerSecond: Double = 0
  /// Per-batch training loss and accuracy, x in fractional epochs.
  public var trainLoss: [ChartPoint] = []
  public var trainAccuracy: [ChartPoint] = []
  /// The learning rate of each batch, x in fractional epochs.
  public var learningRates: [ChartPoint] = []
  /// Per-epoch validation loss and accuracy.
  public var validationLoss: [ChartPoint] = []
  public var validationAccuracy: [ChartPoint] = []
  /// Per-epoch validation loss and accuracy of the weight average (`WeightAverage`), in runs
  /// that keep one.
  public var averageLoss: [ChartPoint] = []
  public var averageAccuracy: [ChartPoint] = []
  public var epochReports: [EpochReport] = []
  /// Latest pre-clip gradient norm of each parameter tensor, and a short history of each.
  public var gradientNorms: [Float] = []
  public var gradientHistory: [[Float]] = []
  public var predictions: ValidationPredictions?
  /// The probe digits: the first validation sample of each class, its prediction after the
  /// latest epoch, and which predictions flipped since the epoch before.
  public var probes: [(sample: Int, predicted: Int, confidence: Float, flipped: Bool)] = []
  /// The first layer's weights, for the weights view (`w`).
  public var weights: WeightSnapshot?
  /// The latest layer-health measurement, and each parameter tensor's recent update ratios.
  public var health: LayerHealth?
  public var updateRatioHistory: [[Float]] = []
  /// The latest copy of the whole model (live runs: each epoch and pause; saved runs: their
  /// checkpoint), for drawing a digit and gradient checks.
  public var model: ModelSnapshot?
  public var summary: RunSummary?
  /// The run's record (`RunRecord`) as the engine last sent it: best epoch, test accuracies.
  public var record: RunRecord?
  /// The latest learning-rate range test (`L`), nil until one comes back.
  public var rateSweep: LearningRateSweep?
  /// How weights, gradients and activations spread after each epoch (live runs), for `u`.
  public var distributions: [Distributions] = []
  /// Interventions (pauses, rate changes, forks, saves), marked on the curves.
  public var interventions: [Intervention] = []
  /// Position in the browsed list of digits (all validation samples, or mistakes only).
  public var selected = 0
  /// The first epoch row the epoch table shows; nil follows the newest epochs.
  public var epochTableTop: Int?

  /// Points kept per curve before older ones are thinned (every other one dropped).
  public static let maxCurvePoints = 8000
  /// Gradient-norm history kept per tensor.
  public static let historyLength = 120

  public init(name: String = "", summaryLine: String = "", status: Status = .starting) {
    self.name = name
    self.summaryLine = summaryLine
    self.status = status
  }

  /// The name of class `k` in this run's data (`7`, or `Sneaker` for Fashion-MNIST).
  public func className(_ k: Int) -> String {
    guard let names = run?.classNames, names.indices.contains(k) else { return "\(k)" }
    return names[k]
  }

  /// The stand-in a dashboard shows before its first run arrives (no name, nothing started).
  public var isPlaceholder: Bool { run == nil && name.isEmpty && status == .starting }

  /// True while the run may still train (queued runs included).
  public var isLive: Bool { ![.finished, .stopped, .diverged, .failed, .skipped, .interrupted].contains(status) }
  /// Whether it trains now, is about to, or is held by the user: what keeps the focus.
  public var isTraining: Bool { [.starting, .running, .paused, .stepping].contains(status) }

  /// Folds one training event into the run (`DashboardState.apply` adds the notices).
  public mutating func apply(_ event: TrainingEvent) {
    switch event {
    case .started(let s): start(s)
    case .state(let s):
      guard isLive else { return }
      switch s {
      case .running:
        status = .running
        if anomaly != nil { (anomaly, message) = (nil, nil) }
      case .paused: status = .paused
      case .stepping: status = .stepping
      }
    case .batch(let b): add(b)
    case .epoch(let e): add(e)
    case .predictions(let p): show(p)
    case .weights(let w): weights = w
    case .health(let h): add(h)
    case .model(let m): model = m
    case .distributions(let d): distributions.append(d)
    case .learningRateSweep(let s): rateSweep = s
    case .checkpointSaved, .forked: break
    case .record(let r):
      record = r
      learningRateFactor = r.learningRateFactor
      if r.status.hasEnded && isLive { status = Status(r.status) }
    case .learningRateScaled(let rate, let factor, _): (learningRate, learningRateFactor) = (rate, factor)
    case .intervention(let i): interventions.append(i)
    case .anomaly(_, let position, let text): rewind(to: position, text)
    case .diverged(_, _, let text):
      status = .diverged
      message = text
    case .finished(let s): finish(s)
    case .failed(let text):
      status = .failed
      message = text
    }
  }


  // MARK: What each event changes

  private mutating func start(_ s: RunStarted) {
    run = s
    if name.isEmpty { name = s.runName }
    if status == .queued { status = .starting }
    learningRate = s.learningRate
    epochsDone = s.startEpoch
    epoch = s.startEpoch
    gradientNorms = Array(repeating: 0, count: s.parameterNames.count)
    gradientHistory = Array(repeating: [], count: s.parameterNames.count)
  }

  private mutating func add(_ b: BatchReport) {
    step = b.step
    epoch = b.epoch
    batch = b.batch + 1
    learningRate = b.learningRate
    samplesPerSecond = b.samplesPerSecond
    Self.append(ChartPoint(x: b.progress, y: Double(b.loss)), to: &trainLoss)
    Self.append(ChartPoint(x: b.progress, y: Double(b.accuracy)), to: &trainAccuracy)
    Self.append(ChartPoint(x: b.progress, y: Double(b.learningRate)), to: &learningRates)
    gradientNorms = b.gradientNorms
    for i in b.gradientNorms.indices where i < gradientHistory.count {
      gradientHistory[i].append(b.gradientNorms[i])
      if gradientHistory[i].count > Self.historyLength { gradientHistory[i].removeFirst() }
    }
  }

  private mutating func add(_ e: EpochReport) {
    epochsDone = e.epoch
    learningRate = e.learningRate
    // The record's rule, folded here too: a followed run sends its record only at its end.
    if record == nil { record = RunRecord(epochsPlanned: run?.epochs ?? 0, bestSmoothing: run?.bestSmoothing ?? 0) }
    record?.add(e)
    epochReports.append(e)
    validationLoss.append(ChartPoint(x: Double(e.epoch), y: Double(e.validationLoss)))
    validationAccuracy.append(ChartPoint(x: Double(e.epoch), y: Double(e.validationAccuracy)))
    if let average = e.average {
      averageLoss.append(ChartPoint(x: Double(e.epoch), y: Double(average.loss)))
      averageAccuracy.append(ChartPoint(x: Double(e.epoch), y: Double(average.accuracy)))
    }
  }

  private mutating func show(_ p: ValidationPredictions) {
    let before = Dictionary(uniqueKeysWithValues: probes.map { ($0.sample, $0.predicted) })
    predictions = p
    probes = (0..<p.classes).compactMap { c in
      guard let sample = p.labels.firstIndex(of: UInt8(c)) else { return nil }
      let predicted = Int(p.predicted[sample])
      let flipped = before[sample].map { $0 != predicted } ?? false
      return (sample, predicted, p.probabilities[sample * p.classes + predicted], flipped)
    }
  }

  private mutating func add(_ h: LayerHealth) {
    health = h
    if updateRatioHistory.count != h.updateRatios.count { updateRatioHistory = Array(repeating: [], count: h.updateRatios.count) }
    for (i, ratio) in h.updateRatios.enumerated() {
      updateRatioHistory[i].append(ratio)
      if updateRatioHistory[i].count > Self.historyLength { updateRatioHistory[i].removeFirst() }
    }
  }

  private mutating func rewind(to position: TrainingPosition, _ text: String) {
    // The steps after the restored state will come again: their points go.
    let batches = Double(max(run?.batchesPerEpoch ?? 1, 1))
    let restored = Double(position.epoch) + Double(position.batch) / batches
    trainLoss.removeAll { $0.x > restored }
    trainAccuracy.removeAll { $0.x > restored }
    learningRates.removeAll { $0.x > restored }
    (step, epoch, batch) = (position.step, position.epoch, position.batch)
    anomaly = text
    message = text
  }

  private mutating func finish(_ s: RunSummary) {
    summary = s
    status = s.record.map { Status($0.status) } ?? (s.stopped ? .stopped : .finished)
    if let r = s.record {
      record = r
    } else {
      // An engine's summary without a record (it had no test set of the best checkpoint).
      if record == nil { record = RunRecord(epochsPlanned: run?.epochs ?? 0, bestSmoothing: run?.bestSmoothing ?? 0) }
      record?.testOfFinalModel = s.test
    }
  }

  private static func append(_ point: ChartPoint, to series: inout [ChartPoint]) {
    series.append(point)
    if series.count > Self.maxCurvePoints {
      series = series.enumerated().filter { $0.offset % 2 == 0 || $0.offset == series.count - 1 }.map(\.element)
    }
  }

  /// The validation indices browsed: all, or the misclassified ones.
  public func browsedIndices(mistakesOnly: Bool) -> [Int] {
    guard let p = predictions else { return [] }
    if !mistakesOnly { return Array(0..<p.count) }
    return (0..<p.count).filter { p.labels[$0] != p.predicted[$0] }
  }

  /// Seconds left at the current throughput, if known.
  public var secondsRemaining: Double? {
    guard let run, samplesPerSecond > 0, isLive, !following || status != .stopped else { return nil }
    let progress = Double(epoch) + Double(batch) / Double(max(run.batchesPerEpoch, 1))
    return max(0, Double(run.epochs) - progress) * (estimatedSecondsPerEpoch ?? 0)
  }

  /// The best epoch, as the run's record has it (`RunLog.bestEpoch`'s rule).
  public var bestEpoch: BestEpoch? { record?.best }

  /// The validation accuracy of the best epoch (the model `best.safetensors` keeps), for the
  /// runs table.
  public var bestValidationAccuracy: Float? {
    (bestEpoch?.validationAccuracy).flatMap { $0.isNaN ? nil : $0 }
  }

  /// The median seconds per epoch, for the runs table and the closing line.
  public var medianSecondsPerEpoch: Double? {
    let seconds = epochReports.map(\.seconds).filter { $0 > 0 }.sorted()
    return seconds.isEmpty ? nil : seconds[seconds.count / 2]
  }
}
