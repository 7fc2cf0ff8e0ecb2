import DNN
import TerminalUI

/// What a key does on the dashboard.
public enum DashboardAction: Sendable, Equatable {
  case togglePause, stepEpoch, previous, next, mistakesOnly, confusion, logScale
  case learningRateUp, learningRateDown, save, help, quit
}

/// One row of the key map: the keys, how the help shows them, and what they do.
public struct KeyBinding: Sendable {
  public let keys: [Key]
  public let label: String
  public let action: DashboardAction
  public let summary: String
}

/// The single table that drives key handling, the footer hints and the help overlay.
public enum KeyMap {
  public static let bindings: [KeyBinding] = [
    KeyBinding(keys: [.character(" ")], label: "space", action: .togglePause, summary: "pause / resume training"),
    KeyBinding(keys: [.character("n")], label: "n", action: .stepEpoch, summary: "step: run to the end of the epoch, then pause"),
    KeyBinding(keys: [.left, .character("h")], label: "←/h", action: .previous, summary: "previous validation digit"),
    KeyBinding(keys: [.right, .character("l")], label: "→/l", action: .next, summary: "next validation digit"),
    KeyBinding(keys: [.character("m")], label: "m", action: .mistakesOnly, summary: "browse mistakes only / all digits"),
    KeyBinding(keys: [.character("c")], label: "c", action: .confusion, summary: "confusion matrix / epoch table"),
    KeyBinding(keys: [.character("y")], label: "y", action: .logScale, summary: "log scale for loss and gradient norms"),
    KeyBinding(keys: [.character("+"), .character("=")], label: "+", action: .learningRateUp, summary: "learning rate x2"),
    KeyBinding(keys: [.character("-"), .character("_")], label: "-", action: .learningRateDown, summary: "learning rate ÷2"),
    KeyBinding(keys: [.character("s")], label: "s", action: .save, summary: "save a checkpoint now (runs with a folder)"),
    KeyBinding(keys: [.character("?")], label: "?", action: .help, summary: "show / hide this help"),
    KeyBinding(keys: [.character("q"), .escape], label: "q", action: .quit, summary: "stop training and quit"),
  ]

  /// The action bound to `key`, if any.
  public static func action(for key: Key) -> DashboardAction? {
    bindings.first { $0.keys.contains(key) }?.action
  }

  /// The footer's short hints.
  public static let footer = "space pause  n step  ←→ browse  m mistakes  c confusion  y log  +/- lr  ? help  q quit"
}
