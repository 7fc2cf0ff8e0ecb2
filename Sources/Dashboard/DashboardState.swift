import DNN
import TerminalUI

/// What the dashboard shows: everything derived from training events and key presses. A pure
/// value: `apply(_:)` folds in an event, `perform(_:)` a key action.
public struct DashboardState: Sendable {
  /// The dashboard's view of the run.
  public enum Status: String, Sendable {
    case starting = "STARTING", running = "RUNNING", paused = "PAUSED", stepping = "STEPPING"
    case finished = "FINISHED", stopped = "STOPPED", diverged = "DIVERGED", failed = "FAILED"
  }

  public var run: RunStarted?
  public var status = Status.starting
  /// The latest notice (saved checkpoint, divergence, failure), shown in the header.
  public var message: String?
  public var step = 0
  /// Epoch in progress (0-based) and batch within it.
  public var epoch = 0
  public var batch = 0
  public var epochsDone = 0
  public var learningRate: Float = 0
  public var samplesPerSecond: Double = 0
  /// Per-batch training loss and accuracy, x in fractional epochs.
  public var trainLoss: [ChartPoint] = []
  public var trainAccuracy: [ChartPoint] = []
  /// Per-epoch validation loss and accuracy.
  public var validationLoss: [ChartPoint] = []
  public var validationAccuracy: [ChartPoint] = []
  public var epochReports: [EpochReport] = []
  /// Latest pre-clip gradient norm of each parameter tensor, and a short history of each.
  public var gradientNorms: [Float] = []
  public var gradientHistory: [[Float]] = []
  public var predictions: ValidationPredictions?
  public var summary: RunSummary?

  // Browsing and view options.
  /// Position in the browsed list (all validation samples, or mistakes only).
  public var selected = 0
  public var mistakesOnly = false
  /// `c` pressed: the wide layout swaps the confusion matrix for the epoch table; the compact
  /// layout shows the confusion matrix over the charts.
  public var confusionToggled: Bool {
    get { panelCycle % 2 == 1 }
    set { panelCycle = newValue ? 1 : 0 }
  }
  /// Presses of `c`: the wide layout alternates the confusion matrix and the epoch table, the
  /// compact one cycles charts, confusion matrix, epoch table.
  public var panelCycle = 0
  /// The terminal shows the compact layout (set by the app from the terminal's size).
  public var compact = false
  /// The first epoch row the epoch table shows; nil follows the newest epochs.
  public var epochTableTop: Int?

  /// What the lower panel shows now.
  public enum LowerPanel: Sendable { case charts, confusion, epochs }
  public var lowerPanel: LowerPanel {
    compact ? [.charts, .confusion, .epochs][panelCycle % 3] : [.confusion, .epochs][panelCycle % 2]
  }
  public var logScale = false
  /// `z`: the charts show the last `zoomEpochs` epochs.
  public var zoomed = false
  public static let zoomEpochs = 10
  public var showHelp = false
  public var quitting = false
  /// `q` was pressed while training: a second `q` quits, any other key cancels.
  public var confirmingQuit = false
  /// A passing remark (a save, a rate change, a key that does nothing): the app clears it after
  /// a few seconds, unlike `message`, which holds what the run ended with.
  public var notice: String?
  /// Why `s` cannot save (a replayed run, `--no-save`), or nil when it can.
  public var saveUnavailable: String?
  /// The box with a DIVERGED or FAILED run's whole message is open.
  public var showOutcome = false
  /// How long the last frame took to render and write, in milliseconds (the UI's overhead).
  public var frameMilliseconds: Double?

  /// Points kept per curve before older ones are thinned (every other one dropped).
  public static let maxCurvePoints = 8000
  /// Gradient-norm history kept per tensor.
  public static let historyLength = 120

  public init() {}

  /// True while the trainer may still send events.
  public var isLive: Bool { ![.finished, .stopped, .diverged, .failed].contains(status) }

  /// Folds one training event into the state.
  public mutating func apply(_ event: TrainingEvent) {
    switch event {
    case .started(let s):
      run = s
      learningRate = s.learningRate
      epochsDone = s.startEpoch
      epoch = s.startEpoch
      gradientNorms = Array(repeating: 0, count: s.parameterNames.count)
      gradientHistory = Array(repeating: [], count: s.parameterNames.count)
    case .state(let s):
      guard isLive else { return }
      switch s {
      case .running: status = .running
      case .paused: status = .paused
      case .stepping: status = .stepping
      }
    case .batch(let b):
      step = b.step
      epoch = b.epoch
      batch = b.batch + 1
      learningRate = b.learningRate
      samplesPerSecond = b.samplesPerSecond
      Self.append(ChartPoint(x: b.progress, y: Double(b.loss)), to: &trainLoss)
      Self.append(ChartPoint(x: b.progress, y: Double(b.accuracy)), to: &trainAccuracy)
      gradientNorms = b.gradientNorms
      for i in b.gradientNorms.indices where i < gradientHistory.count {
        gradientHistory[i].append(b.gradientNorms[i])
        if gradientHistory[i].count > Self.historyLength { gradientHistory[i].removeFirst() }
      }
    case .epoch(let e):
      epochsDone = e.epoch
      epochReports.append(e)
      validationLoss.append(ChartPoint(x: Double(e.epoch), y: Double(e.validationLoss)))
      validationAccuracy.append(ChartPoint(x: Double(e.epoch), y: Double(e.validationAccuracy)))
    case .predictions(let p):
      let current = browsedSample
      predictions = p
      // Stay on the same sample when it is still in the browsed list.
      if let current, let position = browsedIndices.firstIndex(of: current) { selected = position }
      clampSelection()
    case .checkpointSaved(let path, let epoch):
      notice = "saved \(path) (epoch \(epoch))"
    case .learningRateScaled(let rate, let factor, let atLimit):
      learningRate = rate
      let shown = factor >= 1 ? "×\(Int(saturating: Double(factor)))" : "×1/\(Int(saturating: Double(1 / factor)))"
      notice = "learning rate \(LineChart.compact(Double(rate))) (\(shown) the schedule's)" + (atLimit ? ", at its limit" : "")
    case .diverged(_, _, let text):
      status = .diverged
      message = text
      showOutcome = true
    case .finished(let s):
      summary = s
      status = s.stopped ? .stopped : .finished
    case .failed(let text):
      status = .failed
      message = text
      showOutcome = true
    }
  }

  private static func append(_ point: ChartPoint, to series: inout [ChartPoint]) {
    series.append(point)
    if series.count > Self.maxCurvePoints {
      series = series.enumerated().filter { $0.offset % 2 == 0 || $0.offset == series.count - 1 }.map(\.element)
    }
  }

  /// Validation indices being browsed: all, or the misclassified ones.
  public var browsedIndices: [Int] {
    guard let p = predictions else { return [] }
    if !mistakesOnly { return Array(0..<p.count) }
    return (0..<p.count).filter { p.labels[$0] != p.predicted[$0] }
  }

  /// The validation index on screen, if any.
  public var browsedSample: Int? {
    let list = browsedIndices
    return list.isEmpty ? nil : list[min(selected, list.count - 1)]
  }

  mutating func clampSelection() {
    let count = browsedIndices.count
    selected = count == 0 ? 0 : min(max(selected, 0), count - 1)
  }

  /// Seconds left at the current throughput, if known.
  public var secondsRemaining: Double? {
    guard let run, samplesPerSecond > 0, isLive else { return nil }
    let progress = Double(epoch) + Double(batch) / Double(max(run.batchesPerEpoch, 1))
    return max(0, Double(run.epochs) - progress) * Double(run.trainCount) / samplesPerSecond
  }

  /// The best epoch (`RunLog.bestEpoch`: lowest validation loss, or training loss without validation).
  public var bestEpoch: EpochReport? { RunLog.bestEpoch(epochReports) }

  /// `0.9512` -> `95.1%`.
  public static func percent(_ v: Float) -> String {
    guard v.isFinite else { return "–" }
    let tenths = Int(saturating: Double(v) * 1000)
    return "\(tenths / 10).\(tenths % 10)%"
  }
}
