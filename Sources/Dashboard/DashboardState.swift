import DNN
import Foundation
import TerminalUI

/// What the dashboard shows: one `RunState` per run (a single run, a sweep, a folder of runs,
/// forks) with one of them focused, and the view options around them. A pure value: `apply`
/// folds in an event of a run, `perform` a key action.
///
/// Reading a run's field through the dashboard state (`state.status`, `state.epochReports`)
/// reads the focused run's (dynamic member lookup): panels show the focused run without
/// knowing that other runs exist; only the runs panel and the overlaid charts look at `runs`.
@dynamicMemberLookup
public struct DashboardState: Sendable {
  public typealias Status = RunState.Status

  /// Every run shown, in order (a sweep's runs, then forks); never empty.
  public var runs: [RunState] = [RunState()]
  /// The run the panels and keys act on.
  public var focus = 0
  /// The user chose the focus (Tab, 1-9): the end of a sweep leaves it there instead of
  /// focusing the best run.
  public var focusChosen = false
  /// Runs hidden from the overlaid curves (`o`): indices into `runs`. The focused run's own
  /// curves always show.
  public var hiddenRuns: Set<Int> = []
  /// The fork prompt paused the focused run (it was training): answering it resumes the run.
  var resumesAfterFork = false
  /// A command to send after the one a key returned (`takeFollowUp`).
  var followUp: TrainingCommand?

  public subscript<T>(dynamicMember path: WritableKeyPath<RunState, T>) -> T {
    get { runs[focus][keyPath: path] }
    set { runs[focus][keyPath: path] = newValue }
  }

  public subscript<T>(dynamicMember path: KeyPath<RunState, T>) -> T { runs[focus][keyPath: path] }

  /// The focused run.
  public var focused: RunState {
    get { runs[focus] }
    set { runs[focus] = newValue }
  }

  // Browsing and view options.
  public var mistakesOnly = false
  /// A cell of the confusion matrix: true class and predicted class.
  public struct Cell: Sendable, Equatable {
    public var truth: Int
    public var predicted: Int
    public init(truth: Int, predicted: Int) {
      self.truth = truth
      self.predicted = predicted
    }
  }
  /// The digit browser shows only this cell's digits (true `truth`, predicted `predicted`).
  public var cellFilter: Cell?
  /// `c` pressed: the wide layout swaps the confusion matrix for the epoch table; the compact
  /// layout shows the confusion matrix over the charts.
  public var confusionToggled: Bool {
    get { panelCycle % 2 == 1 }
    set { panelCycle = newValue ? 1 : 0 }
  }
  /// Presses of `c`: the wide layout alternates the confusion matrix and the epoch table, the
  /// compact one cycles charts, (runs,) confusion matrix, epoch table.
  public var panelCycle = 0
  /// The terminal shows the compact layout (set by the app from the terminal's size).
  public var compact = false

  /// What the lower panel shows now.
  public enum LowerPanel: Sendable { case charts, runs, confusion, epochs }
  public var lowerPanel: LowerPanel {
    guard compact else { return [.confusion, .epochs][panelCycle % 2] }
    let cycle: [LowerPanel] = isSweep ? [.charts, .runs, .confusion, .epochs] : [.charts, .confusion, .epochs]
    return cycle[panelCycle % cycle.count]
  }
  public var logScale = false
  /// `z`: the charts show the last `zoomEpochs` epochs.
  public var zoomed = false
  public static let zoomEpochs = 10
  /// `t`: what the charts' x axis counts.
  public var chartAxis = ChartAxis.epochs
  /// `[`/`]`: the per-batch curves' moving-average weight, an index into `smoothingWeights`.
  public var smoothing = 3
  public static let smoothingWeights = [0, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99]
  public var smoothingWeight: Double { Self.smoothingWeights[min(max(smoothing, 0), Self.smoothingWeights.count - 1)] }
  /// The distributions view's kind (weights, activations, gradients) and first tensor shown.
  public var distributionKind = 0
  public var distributionTop = 0
  /// Presses of Enter in the augmentation preview: each draws other versions.
  public var augmentDraws = 0
  /// The inside view's page: 0 saliency and the nudge, i + 1 layer i's output.
  public var insidePage = 0
  /// The nudge's goal: toward this class, or nil for away from the true one.
  public var nudgeToward: Int?
  /// What the app computed for the inside view (`Instruments`), and for which digit, model and goal.
  public var insight: DigitInsight?
  public var insightKey = ""
  /// Which weights `insight` was computed with (`ModelSnapshot.label`).
  public var insightModel: String?
  /// `r`: the lower chart shows the learning rate instead of accuracy.
  public var showRateChart = false
  /// What the keys act on: the view and its overlays (`DashboardMode`), one value.
  public var mode = DashboardMode.board
  /// The weights view's page of tiles.
  public var weightsPage = 0
  /// Tiles on a page of the weights view at the terminal's size (the app sets it, as `compact`),
  /// and whether they are shown at half size (`z` there).
  public var weightsPerPage = 1
  public var halfSizeWeights = false
  /// The weights view's pages.
  public var weightsPages: Int { max(((self.weights?.units ?? 1) + max(weightsPerPage, 1) - 1) / max(weightsPerPage, 1), 1) }
  /// `i`: the gradient panel shows layer health instead of gradient norms.
  public var showHealth = false
  /// The layer whose equations the layers view shows.
  public var layerCursor = 0
  /// `g` asked for a finite-difference check of this layer: the app runs it on its copy of the
  /// model and puts the report in `gradientCheck`.
  public var checkRequested: Int?
  public var gradientCheck: LayerGradientCheck.Report?
  /// Digits kept from the pad (Enter), and whether the digit browser shows them ("your digits")
  /// instead of validation digits, at position `drawingSelected`.
  public var drawings: [KeptDrawing] = []
  public var browsingDrawings = false
  public var drawingSelected = 0
  public var quitting = false
  /// A passing remark (a save, a rate change, a key that does nothing): the app clears it after
  /// a few seconds, unlike a run's `message`, which holds what the run ended with.
  public var notice: String?
  /// How long the last frame took to render and write, in milliseconds (the UI's overhead).
  public var frameMilliseconds: Double?

  /// Points kept per curve (see `RunState`).
  public static let maxCurvePoints = RunState.maxCurvePoints
  public static let historyLength = RunState.historyLength

  public init() {}

  /// A dashboard of several runs, all queued, the first focused.
  public init(queued: [(name: String, summary: String)]) {
    if !queued.isEmpty { runs = queued.map { RunState(name: $0.name, summaryLine: $0.summary, status: .queued) } }
  }

  /// More than one run: the runs panel and the overlaid curves show.
  public var isSweep: Bool { runs.count > 1 }

  /// A folder of runs opened before it held any: shown until the first run comes.
  public var waitingFor: String?

  /// True while any run may still train (the sweep has not ended); false while the dashboard
  /// only waits for runs to appear in a folder.
  public var anyLive: Bool {
    if waitingFor != nil && runs.allSatisfy(\.isPlaceholder) { return false }
    return runs.contains { $0.isLive }
  }

  /// Adds a run (a fork, a run found in a followed folder); returns its index.
  @discardableResult
  public mutating func add(_ run: RunState) -> Int {
    if runs.count == 1 && runs[0].isPlaceholder {
      runs[0] = run
      return 0
    }
    runs.append(run)
    return runs.count - 1
  }

  /// Folds one event of the focused run into the state.
  public mutating func apply(_ event: TrainingEvent) { apply(event, run: focus) }

  /// Folds one event of run `index` into the state, with the notices it brings.
  public mutating func apply(_ event: TrainingEvent, run index: Int) {
    guard runs.indices.contains(index) else { return }
    // The digit on screen, kept across new predictions (only they move it: asked for nothing
    // else, it would cost a list of every validation index per step).
    var current: Int?
    if case .predictions = event, index == focus { current = browsedSample }
    runs[index].apply(event)
    // A notice about another run than the focused one says which.
    let who = index == focus || !isSweep ? "" : "\(runs[index].name): "
    switch event {
    case .predictions where index == focus:
      // Stay on the same sample when it is still in the browsed list.
      if let current, let position = browsedIndices.firstIndex(of: current) { runs[index].selected = position }
      clampSelection()
    case .checkpointSaved(let path, let epoch):
      notice = who + "saved \(path) (epoch \(epoch))"
    case .learningRateScaled(let rate, let factor, let atLimit):
      notice = who + "learning rate \(LineChart.compact(Double(rate))) (\(Self.factor(factor)) the schedule's)" + (atLimit ? ", at its limit" : "")
    case .anomaly(_, _, let text):
      notice = who + text + " (keys: \(KeyMap.name(.learningRateDown)), then \(KeyMap.name(.togglePause)))"
    case .batch(let b) where b.step == 1:
      notice = who + Self.initialLossCheck(b.loss, classes: runs[index].run?.classNames.count ?? 10)
    case .diverged, .failed:
      if index == focus { showOutcome = true } else { notice = who + (runs[index].message ?? "ended") }
    default:
      break
    }
    // Until the user picks a run (Tab, 1-9), the focus follows training: a run that trains
    // takes it from one that has ended or has not started.
    if !focusChosen && index != focus && runs[index].status == .running && !runs[focus].isTraining {
      focus(on: index)
    }
    if event.isTerminal && isSweep && !anyLive && !focusChosen, let best = bestRun, best != focus {
      focus(on: best)
      notice = "all runs ended: \(runs[best].name) ranks first"
    }
  }

  /// The best run by `RunRecord.ranksAbove`, if any run has a best epoch.
  public var bestRun: Int? {
    let ranked = runs.indices.compactMap { i in runs[i].record.flatMap { $0.best == nil ? nil : (i, $0) } }
    return ranked.min { $0.1.ranksAbove($1.1) }?.0
  }

  /// Moves the focus to run `index` (keeping the browsing position within its list).
  public mutating func focus(on index: Int) {
    guard runs.indices.contains(index) else { return }
    if index != focus { (gradientCheck, checkRequested) = (nil, nil) }
    focus = index
    showOutcome = false
    clampSelection()
  }

  /// Validation indices being browsed: all, the misclassified ones, or one confusion cell's.
  public var browsedIndices: [Int] {
    guard let cell = cellFilter, let p = self.predictions else { return focused.browsedIndices(mistakesOnly: mistakesOnly) }
    return (0..<p.count).filter { Int(p.labels[$0]) == cell.truth && Int(p.predicted[$0]) == cell.predicted }
  }

  /// The three largest off-diagonal cells (true, predicted, count), largest first.
  public var mostConfused: [(cell: Cell, count: Int)] {
    guard let p = self.predictions else { return [] }
    let matrix = p.confusion
    var cells: [(cell: Cell, count: Int)] = []
    for t in 0..<p.classes { for k in 0..<p.classes where t != k && matrix[t][k] > 0 { cells.append((Cell(truth: t, predicted: k), matrix[t][k])) } }
    return Array(cells.sorted { $0.count > $1.count || ($0.count == $1.count && ($0.cell.truth, $0.cell.predicted) < ($1.cell.truth, $1.cell.predicted)) }.prefix(3))
  }

  /// Whether the confusion matrix is on screen.
  public var showsConfusion: Bool { lowerPanel == .confusion }

  /// The validation index on screen, if any.
  public var browsedSample: Int? {
    // Browsing every digit, the position is the index (no list to build).
    if cellFilter == nil && !mistakesOnly, let count = focused.predictions?.count {
      return count == 0 ? nil : min(max(focused.selected, 0), count - 1)
    }
    let list = browsedIndices
    return list.isEmpty ? nil : list[min(focused.selected, list.count - 1)]
  }

  mutating func clampSelection() {
    let count = browsedIndices.count
    runs[focus].selected = count == 0 ? 0 : min(max(focused.selected, 0), count - 1)
  }

  /// The sanity check of a run's first step: with untrained weights every class is about as
  /// likely, so the loss should be near ln(classes), 2.303 for 10. Far above, the initial weights
  /// are too large (overconfident wrong guesses); far below, something gives the answer away.
  public static func initialLossCheck(_ loss: Float, classes: Int) -> String {
    let expected = log(Double(max(classes, 2)))
    let shown = "initial loss \(Format.fixed(Double(loss), 3)), ln \(classes) = \(Format.fixed(expected, 3))"
    guard loss.isFinite else { return shown + ": not a number from the first step, lower the learning rate" }
    let ratio = Double(loss) / expected
    if ratio > 1.5 { return shown + ": far above, the initial weights look too large (try \"initializer\": \"he\" or a smaller scale)" }
    if ratio < 0.6 { return shown + ": far below, as if the labels leaked into the inputs" }
    // Within ±15% it is what an untrained model gives; between that and "far", say how far.
    guard abs(ratio - 1) <= 0.15 else {
      return shown + ": \(Format.fixed(ratio, 2))x of it, " + (ratio > 1 ? "the initial weights are on the large side" : "lower than an untrained model gives")
    }
    return "initial loss \(Format.fixed(Double(loss), 2)) ≈ ln \(classes), as it should be"
  }

  /// A learning-rate factor as the dashboard shows it: `×2`, `×1/4`.
  public static func factor(_ f: Float) -> String {
    f >= 1 ? "×\(Int(saturating: Double(f)))" : "×1/\(Int(saturating: Double(1 / f)))"
  }

  /// `0.9512` -> `95.1%`.
  public static func percent(_ v: Float) -> String { RunRecord.percent(v) }
}
