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
  /// In the footer and panel titles: the key as shown there (Unicode, ASCII) and a word; nil
  /// for a binding shown together with the one before it (→ with ←, - with +).
  public var hint: (key: String, asciiKey: String, word: String)? = nil
}

/// The single table that drives key handling, the footer hints and the help overlay.
public enum KeyMap {
  public static let bindings: [KeyBinding] = [
    KeyBinding(keys: [.character(" ")], label: "space", action: .togglePause, summary: "pause / resume training",
               hint: ("space", "space", "pause")),
    KeyBinding(keys: [.character("n")], label: "n", action: .stepEpoch, summary: "step: run to the end of the epoch, then pause",
               hint: ("n", "n", "step")),
    KeyBinding(keys: [.left, .character("h")], label: "←/h", action: .previous, summary: "previous validation digit",
               hint: ("←→", "h/l", "browse")),
    KeyBinding(keys: [.right, .character("l")], label: "→/l", action: .next, summary: "next validation digit"),
    KeyBinding(keys: [.character("m")], label: "m", action: .mistakesOnly, summary: "browse mistakes only / all digits",
               hint: ("m", "m", "mistakes")),
    KeyBinding(keys: [.character("c")], label: "c", action: .confusion, summary: "confusion matrix / epoch table",
               hint: ("c", "c", "confusion")),
    KeyBinding(keys: [.character("y")], label: "y", action: .logScale, summary: "log scale for loss and gradient norms",
               hint: ("y", "y", "log")),
    KeyBinding(keys: [.character("+"), .character("=")], label: "+", action: .learningRateUp, summary: "learning rate x2",
               hint: ("+/-", "+/-", "lr")),
    KeyBinding(keys: [.character("-"), .character("_")], label: "-", action: .learningRateDown, summary: "learning rate ÷2"),
    KeyBinding(keys: [.character("s")], label: "s", action: .save, summary: "save a checkpoint now (runs with a folder)"),
    KeyBinding(keys: [.character("?")], label: "?", action: .help, summary: "show / hide this help", hint: ("?", "?", "help")),
    KeyBinding(keys: [.character("q"), .escape], label: "q", action: .quit, summary: "stop training and quit",
               hint: ("q", "q", "quit")),
  ]

  /// The action bound to `key`, if any.
  public static func action(for key: Key) -> DashboardAction? {
    bindings.first { $0.keys.contains(key) }?.action
  }

  /// The footer: every binding's hint, `space pause  n step  ←→ browse ...`.
  public static func footer(ascii: Bool) -> String {
    bindings.compactMap { b in b.hint.map { "\(ascii ? $0.asciiKey : $0.key) \($0.word)" } }.joined(separator: "  ")
  }

  /// The key of `action` as the footer shows it (`y`, `←→`), for panel titles.
  public static func key(_ action: DashboardAction, ascii: Bool) -> String {
    guard let hint = bindings.first(where: { $0.action == action })?.hint else { return "" }
    return ascii ? hint.asciiKey : hint.key
  }

  /// `y log`: the key and word of `action`, for panel titles.
  public static func hint(_ action: DashboardAction, ascii: Bool) -> String {
    guard let hint = bindings.first(where: { $0.action == action })?.hint else { return "" }
    return "\(ascii ? hint.asciiKey : hint.key) \(hint.word)"
  }
}
