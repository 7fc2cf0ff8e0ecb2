import DNN
import TerminalUI

/// What a key does on the dashboard.
public enum DashboardAction: Sendable, Equatable {
  case togglePause, stepEpoch, previous, next, first, last, pageBack, pageForward, mistakesOnly, confusion, logScale, zoom
  /// `t`: the charts' x axis in epochs, steps or training time; `[`/`]`: less or more smoothing
  /// of the per-batch curves; `r`: the lower chart shows the learning rate instead of accuracy.
  case xAxis, smoothLess, smoothMore, rateChart
  /// `w`: the first layer's weights as tiles over the body (PgUp/PgDn page, Esc closes).
  case weights
  /// `i`: the gradient panel shows layer health (activations, dead units, update ratios).
  case health
  /// `e`: the layers with their equations and live shapes over the body (↑/↓ choose a layer);
  /// `g` there checks the chosen layer's gradients by finite differences.
  case layers, gradientCheck
  /// `d`: draw a digit for the model to read.
  case draw
  /// `v`: inside the browsed digit (saliency, the smallest adversarial nudge, each layer's
  /// outputs); `a` there chooses the nudge's goal.
  case inside, nudgeGoal
  /// `u`: the distributions of weights, activations and gradients by epoch.
  case distributions
  /// `L`: the learning-rate range test on a copy of the focused run (Enter applies its suggestion).
  case rateFinder
  /// `A`: the browsed digit and versions of it as the run's augmentation draws them.
  case augmentPreview
  /// ↑/↓: a cell cursor in the confusion matrix (←/→ then move it across), Enter browses that
  /// cell's digits.
  case cellUp, cellDown, select
  /// Focus the next or previous run, or run 1-9 (the digit pressed).
  case nextRun, previousRun, focusNumbered
  /// `o`: hide the focused run's curves from the overlay of the other runs' (or show them again).
  case overlay
  /// `x`: skip the focused run when queued, stop it when training (a sweep goes on).
  case skip
  /// `f`: fork the focused run (a prompt asks for the new run's learning-rate factor).
  case fork
  case learningRateUp, learningRateDown, save, help, close, quit

  /// Whether the footer shows the action only when there are several runs.
  public var concernsSeveralRuns: Bool { [.nextRun, .previousRun, .focusNumbered, .overlay, .skip].contains(self) }

  /// The actions that open a view over the body or a panel's other face (weights, layers, health,
  /// inside, distributions, the finder, the augmentation preview, the drawing pad), in the order
  /// a footer short of room names them together.
  public static let views: [DashboardAction] = [.weights, .layers, .health, .inside, .distributions, .rateFinder, .augmentPreview, .draw]

  /// Whether the action still does something once the run has ended (browsing, views, quit).
  public var worksAfterTheRun: Bool {
    switch self {
    case .togglePause, .stepEpoch, .learningRateUp, .learningRateDown, .save, .skip, .fork, .rateFinder: false
    default: true
    }
  }
}

/// One row of the key map: the keys, how the help shows them, and what they do.
public struct KeyBinding: Sendable {
  public let keys: [Key]
  public let label: String
  public let action: DashboardAction
  public let summary: String
  /// The help's description when `summary` does not fit its column (at most 24 characters), or
  /// nil for a binding the help shows on the row of the one before it (`←/h →/l`).
  public var brief: String?
  /// In the footer and panel titles: the key as shown there (Unicode, ASCII) and a word; nil
  /// for a binding shown together with the one before it (→ with ←, - with +).
  public var hint: (key: String, asciiKey: String, word: String)? = nil
}

/// The one place keys are spelled: the table that drives key handling, the footer hints, the
/// help overlay, panel titles, notices and `dnn-tui --help`, and the tables of the two modes
/// that read keys first (the fork prompt, the drawing pad). `scripts/check-house-rules.sh`
/// refuses a key literal anywhere else in the dashboard.
public enum KeyMap {
  public static let bindings: [KeyBinding] = [
    KeyBinding(keys: [.character(" ")], label: "space", action: .togglePause, summary: "pause / resume training",
               brief: "pause / resume", hint: ("space", "space", "pause")),
    KeyBinding(keys: [.character("n")], label: "n", action: .stepEpoch, summary: "step: run to the end of the epoch, then pause",
               brief: "finish the epoch, pause", hint: ("n", "n", "step")),
    KeyBinding(keys: [.left, .character("h")], label: "←/h", action: .previous, summary: "previous / next validation digit",
               brief: "previous / next digit", hint: ("←→", "h/l", "browse")),
    KeyBinding(keys: [.right, .character("l")], label: "→/l", action: .next, summary: "next validation digit"),
    KeyBinding(keys: [.up, .character("k")], label: "↑/k", action: .cellUp,
               summary: "confusion matrix: a cell cursor (←→ across, Enter browses its digits, Esc leaves)",
               brief: "confusion cell cursor", hint: ("↑↓", "j/k", "cell")),
    KeyBinding(keys: [.down, .character("j")], label: "↓/j", action: .cellDown, summary: "cell cursor down"),
    KeyBinding(keys: [.enter], label: "Enter", action: .select, summary: "browse the digits of the cell under the cursor",
               brief: "browse the cell's digits"),
    KeyBinding(keys: [.home], label: "Home", action: .first, summary: "first / last validation digit (weights: first / last page)",
               brief: "first / last digit, page"),
    KeyBinding(keys: [.end], label: "End", action: .last, summary: "last validation digit"),
    KeyBinding(keys: [.pageUp], label: "PgUp", action: .pageBack, summary: "ten digits back / on (weights: a page)",
               brief: "ten digits back / on"),
    KeyBinding(keys: [.pageDown], label: "PgDn", action: .pageForward, summary: "ten digits on"),
    KeyBinding(keys: [.character("m")], label: "m", action: .mistakesOnly, summary: "browse mistakes only / all digits",
               brief: "mistakes only / all", hint: ("m", "m", "mistakes")),
    KeyBinding(keys: [.character("c")], label: "c", action: .confusion, summary: "confusion matrix / epoch table",
               brief: "confusion / epoch table", hint: ("c", "c", "confusion")),
    KeyBinding(keys: [.character("y")], label: "y", action: .logScale, summary: "log scale for the loss chart (gradient norms are always log)",
               brief: "log scale (loss, rate)", hint: ("y", "y", "log")),
    KeyBinding(keys: [.character("z")], label: "z", action: .zoom, summary: "zoom the charts on the last 10 epochs / whole run",
               brief: "last 10 epochs / all", hint: ("z", "z", "zoom")),
    KeyBinding(keys: [.character("t")], label: "t", action: .xAxis, summary: "the charts' x axis: epochs, steps or training time",
               brief: "x: epochs, steps, time", hint: ("t", "t", "x-axis")),
    KeyBinding(keys: [.character("[")], label: "[", action: .smoothLess,
               summary: "less / more smoothing of the per-batch curves (moving average weight 0 to 0.99)",
               brief: "less / more smoothing", hint: ("[]", "[]", "smooth")),
    KeyBinding(keys: [.character("]")], label: "]", action: .smoothMore, summary: "more smoothing"),
    KeyBinding(keys: [.character("r")], label: "r", action: .rateChart, summary: "the lower chart: accuracy / learning rate per step",
               brief: "accuracy / learning rate", hint: ("r", "r", "rate")),
    KeyBinding(keys: [.character("w")], label: "w", action: .weights,
               summary: "the first layer's weights as pictures, one per unit (PgUp/PgDn pages)", brief: "first layer's weights",
               hint: ("w", "w", "weights")),
    KeyBinding(keys: [.character("i")], label: "i", action: .health,
               summary: "layer health in the gradient panel: activations, dead units, log10 update/weight", brief: "layer health",
               hint: ("i", "i", "health")),
    KeyBinding(keys: [.character("e")], label: "e", action: .layers,
               summary: "the layers with their equations and this model's shapes (↑/↓ choose a layer)", brief: "layers and equations",
               hint: ("e", "e", "equations")),
    KeyBinding(keys: [.character("g")], label: "g", action: .gradientCheck,
               summary: "in the equations view: check the chosen layer's backward by finite differences",
               brief: "check a layer's backward"),
    KeyBinding(keys: [.character("d")], label: "d", action: .draw,
               summary: "draw a digit for the model to read (arrows + space, or the mouse; Esc closes)", brief: "draw a digit",
               hint: ("d", "d", "draw")),
    KeyBinding(keys: [.character("v")], label: "v", action: .inside,
               summary: "inside the browsed digit: saliency, the smallest adversarial nudge, each layer's output (PgUp/PgDn)",
               brief: "saliency, nudge, layers", hint: ("v", "v", "inside")),
    KeyBinding(keys: [.character("a")], label: "a", action: .nudgeGoal,
               summary: "in the inside view: the nudge's goal (away from the true class, toward 0-9)", brief: "(inside) nudge's goal"),
    KeyBinding(keys: [.character("u")], label: "u", action: .distributions,
               summary: "distributions by epoch of each tensor's weights, activations or gradients (←/→ kind, ↑/↓ tensors)",
               brief: "value distributions", hint: ("u", "u", "distrib")),
    KeyBinding(keys: [.character("L")], label: "L", action: .rateFinder,
               summary: "learning-rate finder: the loss against a growing rate on a copy of the run (Enter applies its suggestion, f forks)",
               brief: "learning-rate finder", hint: ("L", "L", "lr-find")),
    KeyBinding(keys: [.character("A")], label: "A", action: .augmentPreview,
               summary: "what the network is fed: the browsed digit and seven versions as the run's augmentation draws them (Enter: others)",
               brief: "augmentation preview", hint: ("A", "A", "augment")),
    KeyBinding(keys: [.tab], label: "Tab", action: .nextRun, summary: "focus the next / previous run (every panel shows the focused run)",
               brief: "next / previous run", hint: ("Tab", "Tab", "run")),
    KeyBinding(keys: [.backTab], label: "S-Tab", action: .previousRun, summary: "focus the previous run"),
    KeyBinding(keys: (1...9).map { .character(Character("\($0)")) }, label: "1-9", action: .focusNumbered,
               summary: "focus run 1-9 of the runs panel", brief: "focus run 1-9"),
    KeyBinding(keys: [.character("o")], label: "o", action: .overlay,
               summary: "hide the focused run from the other runs' overlaid curves, or show it again", brief: "hide / show in overlay",
               hint: ("o", "o", "overlay")),
    KeyBinding(keys: [.character("x")], label: "x", action: .skip, summary: "skip the focused run if queued, stop it if training (the sweep goes on)",
               brief: "skip or stop this run", hint: ("x", "x", "skip")),
    KeyBinding(keys: [.character("f")], label: "f", action: .fork, summary: "fork the focused run: a new run from its weights now, at a rate you choose",
               brief: "fork at a new rate", hint: ("f", "f", "fork")),
    KeyBinding(keys: [.character("+"), .character("=")], label: "+", action: .learningRateUp, summary: "learning rate x2 / ÷2",
               brief: "learning rate x2 / ÷2", hint: ("+/-", "+/-", "lr")),
    KeyBinding(keys: [.character("-"), .character("_")], label: "-", action: .learningRateDown, summary: "learning rate ÷2"),
    KeyBinding(keys: [.character("s")], label: "s", action: .save, summary: "save a checkpoint now (runs with a folder)",
               brief: "save a checkpoint now"),
    KeyBinding(keys: [.character("?")], label: "?", action: .help, summary: "show / hide this help", brief: "this help",
               hint: ("?", "?", "help")),
    KeyBinding(keys: [.escape], label: "Esc", action: .close, summary: "close this help or a view (never quits)",
               brief: "close (never quits)"),
    KeyBinding(keys: [.character("q")], label: "q", action: .quit, summary: "quit (while training: asks first, q again or \(quitYes.label) \(quitYes.word))",
               brief: "quit (asks if training)", hint: ("q", "q", "quit")),
  ]

  /// The action bound to `key`, if any.
  public static func action(for key: Key) -> DashboardAction? {
    bindings.first { $0.keys.contains(key) }?.action
  }

  /// The footer: the hint of every binding that still does something, `space pause  n step ...`
  /// while a run trains, fewer once it has ended.
  public static func footer(ascii: Bool, live: Bool = true, sweep: Bool = false) -> String {
    footerHints(ascii: ascii, live: live, sweep: sweep).joined(separator: "  ")
  }

  /// The footer's hints in table order (`? help` and `q quit` last): the run keys only with
  /// several runs.
  public static func footerHints(ascii: Bool, live: Bool = true, sweep: Bool = false) -> [String] {
    bindings.filter { (live || $0.action.worksAfterTheRun) && (sweep || !$0.action.concernsSeveralRuns) }
      .compactMap { b in b.hint.map { "\(ascii ? $0.asciiKey : $0.key) \($0.word)" } }
  }

  /// The footer of a view that is not the board: the keys that act there, then `? help` and
  /// `q quit`; nil on the board (its footer is `footerHints`).
  public static func footerHints(in view: DashboardMode, ascii: Bool) -> [String]? {
    func key(_ action: DashboardAction) -> String {
      guard let hint = bindings.first(where: { $0.action == action })?.hint else { return name(action) }
      return ascii ? hint.asciiKey : hint.key
    }
    let keys: [String]
    switch view {
    case .board, .help, .outcome, .quitQuestion, .forkPrompt: return nil
    case .cellCursor:
      keys = ["\(key(.cellUp))\(key(.previous)) move", "\(key(.select)) browse its digits", "\(key(.close)) leave"]
    case .weights:
      keys = ["\(key(.pageBack))/\(key(.pageForward)) page", "\(key(.first))/\(key(.last)) first/last", "\(key(.zoom)) size",
              "\(key(.close)) close"]
    case .layers:
      keys = ["\(key(.cellUp)) layer", "\(key(.gradientCheck)) check its backward", "\(key(.close)) close"]
    case .augmentPreview:
      keys = ["\(key(.previous)) digit", "\(key(.select)) draw others", "\(key(.close)) close"]
    case .rateFinder:
      keys = ["\(key(.select)) apply", "\(key(.fork)) fork with it", "\(key(.close)) close"]
    case .distributions:
      keys = ["\(key(.previous)) kind", "\(key(.cellUp)) tensors", "\(key(.close)) close"]
    case .inside:
      keys = ["\(key(.previous)) digit", "\(key(.pageBack))/\(key(.pageForward)) layer", "\(key(.nudgeGoal)) nudge's goal", "\(key(.close)) close"]
    case .drawing:
      keys = [hints(padKeys, separator: "  ")]
    }
    return keys + [hint(.help, ascii: ascii), hint(.quit, ascii: ascii)]
  }

  /// The key of `action` as the footer shows it (`y`, `←→`), for panel titles.
  public static func key(_ action: DashboardAction, ascii: Bool) -> String {
    guard let hint = bindings.first(where: { $0.action == action })?.hint else { return "" }
    return ascii ? hint.asciiKey : hint.key
  }

  /// The help's label of the first key bound to `action` (`space`, `+`), for messages.
  public static func key(forAction action: DashboardAction) -> String {
    bindings.first { $0.action == action }?.label ?? "that key"
  }

  /// The help's label of `action`'s key (`q`, `Esc`, `↑/k`): the one way a notice, a title or
  /// `--help` names a key.
  public static func name(_ action: DashboardAction) -> String {
    let binding = bindings.first { $0.action == action }
    return binding?.hint?.key ?? binding?.label ?? "that key"
  }

  /// Every help row as `label summary`, for `dnn-tui --help`.
  public static var helpText: String {
    helpRows.map { "\($0.label) \($0.summary)" }.joined(separator: "; ")
  }

  /// The help's rows: a binding with a `brief`, and the bindings after it without one on its row
  /// (`←/h →/l`, `PgUp PgDn`), described by the first one's summary (or brief where it does not fit).
  public static var helpRows: [(label: String, summary: String, brief: String)] {
    var rows: [(label: String, summary: String, brief: String)] = []
    for binding in bindings {
      if let brief = binding.brief {
        rows.append((binding.label, binding.summary, brief))
      } else if !rows.isEmpty {
        rows[rows.count - 1].label += " " + binding.label
      }
    }
    return rows
  }

  // MARK: Keys of the modes that read keys before the table above

  /// A key of the fork prompt or the drawing pad: the keys, how hints show them, and the word.
  public struct ModeKey<Action: Sendable>: Sendable {
    public let keys: [Key]
    public let label: String
    public let word: String
    public let action: Action
  }

  /// The answer the quit question takes besides the quit key itself.
  public enum QuitAnswer: Sendable { case yes }
  /// `y` answers yes to the quit question, as most programs take it (here it would otherwise
  /// mean "stay", being another key).
  public static let quitYes = ModeKey(keys: [.character("y"), .character("Y")], label: "y", word: "stops it", action: QuitAnswer.yes)

  /// What a key does in the fork prompt (anything else cancels it).
  public enum ForkPromptAction: Sendable { case halve, double, fork }

  public static let forkPromptKeys: [ModeKey<ForkPromptAction>] = [
    ModeKey(keys: [.left, .character("-"), .character("h")], label: "←", word: "halves", action: .halve),
    ModeKey(keys: [.right, .character("+"), .character("="), .character("l")], label: "→", word: "doubles", action: .double),
    ModeKey(keys: [.enter], label: "Enter", word: "forks", action: .fork),
  ]

  /// What a key does on the drawing pad (keys not listed act as usual: q, ?, Tab).
  public enum PadAction: Sendable { case left, right, up, down, pen, eraser, clear, keep, close }

  public static let padKeys: [ModeKey<PadAction>] = [
    ModeKey(keys: [.left, .character("h")], label: "arrows", word: "move", action: .left),
    ModeKey(keys: [.right, .character("l")], label: "", word: "", action: .right),
    ModeKey(keys: [.up, .character("k")], label: "", word: "", action: .up),
    ModeKey(keys: [.down, .character("j")], label: "", word: "", action: .down),
    ModeKey(keys: [.character(" ")], label: "space", word: "pen down/up", action: .pen),
    ModeKey(keys: [.character("x")], label: "x", word: "eraser", action: .eraser),
    ModeKey(keys: [.character("c")], label: "c", word: "clears", action: .clear),
    ModeKey(keys: [.enter], label: "Enter", word: "keeps", action: .keep),
    ModeKey(keys: [.escape, .character("d")], label: "Esc", word: "closes", action: .close),
  ]

  /// The action of `key` in a mode's table.
  public static func action<A>(for key: Key, in table: [ModeKey<A>]) -> A? { table.first { $0.keys.contains(key) }?.action }

  /// `space pen down/up · x eraser`: the labelled keys of a mode's table, joined.
  public static func hints<A>(_ table: [ModeKey<A>], separator: String) -> String {
    table.filter { !$0.label.isEmpty }.map { "\($0.label) \($0.word)" }.joined(separator: separator)
  }

  /// The label of the first key of `table` doing `action`.
  public static func name<A: Equatable>(_ action: A, in table: [ModeKey<A>]) -> String {
    table.first { $0.action == action }?.label ?? "that key"
  }

  /// `y log`: the key and word of `action`, for panel titles.
  public static func hint(_ action: DashboardAction, ascii: Bool) -> String {
    guard let hint = bindings.first(where: { $0.action == action })?.hint else { return "" }
    return "\(ascii ? hint.asciiKey : hint.key) \(hint.word)"
  }
}
