import DNN
import TerminalUI

/// What the dashboard shows over its panels, and so what its keys do: one value. A view (the
/// board, the cell cursor, the weights, the layers, the drawing pad) with at most a stack of
/// overlays on it (help, a run's outcome, the quit question, the fork prompt), each of which
/// returns to the mode under it. Each mode handles its own keys (`DashboardState.perform`);
/// nothing decides by the order of clauses which mode wins.
public indirect enum DashboardMode: Sendable {
  /// The panels: keys browse the digits, steer the run and open the views.
  case board
  /// The confusion matrix's cell cursor on a cell: ↑/↓ and ←/→ move it, Enter browses its
  /// digits, Esc leaves.
  case cellCursor(DashboardState.Cell)
  /// The first layer's weights as tiles over the body (`DashboardState.weightsPage`).
  case weights
  /// The layers with their equations over the body (`DashboardState.layerCursor`).
  case layers
  /// Inside the browsed digit over the body: saliency and the nudge (page 0), then each
  /// layer's output (`DashboardState.insidePage`, `DashboardState.insight`).
  case inside
  /// The distributions of the focused run's tensors by epoch over the body
  /// (`DashboardState.distributionKind`, `distributionTop`).
  case distributions
  /// The learning-rate finder's plot over the body (the focused run's `rateSweep`).
  case rateFinder
  /// The augmentation preview over the body (`DashboardState.augmentDraws`).
  case augmentPreview
  /// The drawing pad (it reads its own keys, `KeyMap.padKeys`, before the key map).
  case drawing(DrawingPad)
  /// The help overlay.
  case help(over: DashboardMode)
  /// The box with a DIVERGED or FAILED run's whole message.
  case outcome(over: DashboardMode)
  /// `q` while training asked whether to stop: `q` again quits, any other key stays.
  case quitQuestion(over: DashboardMode)
  /// `f` asked for the fork's learning-rate factor (it reads its own keys, `KeyMap.forkPromptKeys`).
  case forkPrompt(factor: Float, over: DashboardMode)

  /// The mode under the overlay, for an overlay.
  var under: DashboardMode? {
    switch self {
    case .help(let m), .outcome(let m), .quitQuestion(let m), .forkPrompt(_, let m): m
    default: nil
    }
  }

  /// The view under every overlay.
  public var view: DashboardMode { under?.view ?? self }

  /// The same overlays over `newView`.
  func replacingView(with newView: DashboardMode) -> DashboardMode {
    switch self {
    case .help(let m): .help(over: m.replacingView(with: newView))
    case .outcome(let m): .outcome(over: m.replacingView(with: newView))
    case .quitQuestion(let m): .quitQuestion(over: m.replacingView(with: newView))
    case .forkPrompt(let f, let m): .forkPrompt(factor: f, over: m.replacingView(with: newView))
    default: newView
    }
  }

  var isHelp: Bool { if case .help = self { true } else { false } }
  var isOutcome: Bool { if case .outcome = self { true } else { false } }
  var isQuitQuestion: Bool { if case .quitQuestion = self { true } else { false } }
}

/// The mode seen as the flags the panels read (each a view of `mode`, none stored apart).
extension DashboardState {
  public var showHelp: Bool {
    get { mode.isHelp }
    set { setOverlay(newValue, is: mode.isHelp, make: DashboardMode.help) }
  }

  /// The box with a DIVERGED or FAILED run's whole message is open.
  public var showOutcome: Bool {
    get { mode.isOutcome }
    set { setOverlay(newValue, is: mode.isOutcome, make: DashboardMode.outcome) }
  }

  /// `q` was pressed while training: a second `q` quits, any other key cancels.
  public var confirmingQuit: Bool {
    get { mode.isQuitQuestion }
    set { setOverlay(newValue, is: mode.isQuitQuestion, make: DashboardMode.quitQuestion) }
  }

  /// The fork prompt's learning-rate factor while it is open.
  public var forkFactor: Float? {
    get { if case .forkPrompt(let f, _) = mode { f } else { nil } }
    set {
      let under = mode.under.flatMap { if case .forkPrompt = mode { $0 } else { nil } } ?? mode
      mode = newValue.map { .forkPrompt(factor: $0, over: under) } ?? under
    }
  }

  /// `w`: the weights view covers the body.
  public var showWeights: Bool {
    get { if case .weights = mode.view { true } else { false } }
    set { setView(newValue ? .weights : nil, when: showWeights) }
  }

  /// `e`: the layers view covers the body.
  public var showLayers: Bool {
    get { if case .layers = mode.view { true } else { false } }
    set { setView(newValue ? .layers : nil, when: showLayers) }
  }

  /// `v`: the inside view covers the body.
  public var showInside: Bool {
    get { if case .inside = mode.view { true } else { false } }
    set { setView(newValue ? .inside : nil, when: showInside) }
  }

  /// `u`: the distributions view covers the body.
  public var showDistributions: Bool {
    get { if case .distributions = mode.view { true } else { false } }
    set { setView(newValue ? .distributions : nil, when: showDistributions) }
  }

  /// `L`: the learning-rate finder's plot covers the body.
  public var showRateFinder: Bool {
    get { if case .rateFinder = mode.view { true } else { false } }
    set { setView(newValue ? .rateFinder : nil, when: showRateFinder) }
  }

  /// `A`: the augmentation preview covers the body.
  public var showAugmentPreview: Bool {
    get { if case .augmentPreview = mode.view { true } else { false } }
    set { setView(newValue ? .augmentPreview : nil, when: showAugmentPreview) }
  }

  /// `d`: the drawing pad, while open.
  public var drawing: DrawingPad? {
    get { if case .drawing(let pad) = mode.view { pad } else { nil } }
    set { setView(newValue.map { .drawing($0) }, when: drawing != nil) }
  }

  /// The confusion matrix's cell cursor, while on.
  public var cellCursor: Cell? {
    get { if case .cellCursor(let c) = mode.view { c } else { nil } }
    set { setView(newValue.map { .cellCursor($0) }, when: cellCursor != nil) }
  }

  /// Opens (`on`) or closes the overlay that `make` builds, when it is (`isOn`) or is not on top.
  private mutating func setOverlay(_ on: Bool, is isOn: Bool, make: (DashboardMode) -> DashboardMode) {
    if on && !isOn { mode = make(mode) }
    if !on && isOn, let under = mode.under { mode = under }
  }

  /// Puts `view` under the overlays; nil closes the view that is open (`open`) back to the board.
  private mutating func setView(_ view: DashboardMode?, when open: Bool) {
    if let view { mode = mode.replacingView(with: view) } else if open { mode = mode.replacingView(with: .board) }
  }
}
