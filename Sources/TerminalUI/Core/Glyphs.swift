/// The characters widgets draw with: Unicode (box lines, blocks, braille) or plain ASCII.
public struct Glyphs: Sendable, Equatable {
  public var ascii: Bool
  public init(ascii: Bool) { self.ascii = ascii }

  public static let unicode = Glyphs(ascii: false)
  public static let plain = Glyphs(ascii: true)

  /// `text`, or its start and an ellipsis where it is longer than `room` columns: a cut that
  /// shows (`epochs=40` cut to `epochs=4` would read as another value).
  public func cut(_ text: String, to room: Int) -> String {
    guard text.count > room else { return text }
    var kept = text.prefix(max(room - 1, 0))
    while kept.last == " " { kept.removeLast() }
    return String(kept) + (ascii ? "~" : "…")
  }

  var topLeft: Unicode.Scalar { ascii ? "+" : "╭" }
  var topRight: Unicode.Scalar { ascii ? "+" : "╮" }
  var bottomLeft: Unicode.Scalar { ascii ? "+" : "╰" }
  var bottomRight: Unicode.Scalar { ascii ? "+" : "╯" }
  var horizontal: Unicode.Scalar { ascii ? "-" : "─" }
  var vertical: Unicode.Scalar { ascii ? "|" : "│" }
  /// Levels from empty to full, for sparklines.
  public var sparkLevels: [Unicode.Scalar] {
    ascii ? [".", ":", "-", "=", "+", "*", "#", "@"] : ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
  }
  /// Partial-cell fills in eighths (index 1-7), for bars.
  var barEighths: [Unicode.Scalar] { ascii ? [" ", " ", " ", " ", "#", "#", "#", "#"] : [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉"] }
  var barFull: Unicode.Scalar { ascii ? "#" : "█" }
  /// Grey shades from white paper to full ink, for digits without colour.
  public var shades: [Unicode.Scalar] { ascii ? [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"] : [" ", "░", "▒", "▓", "█"] }
  /// Shades of signed values without colour, from 0 (blank) to a magnitude of 1: solid for
  /// positive, dotted for negative, so the sign reads at a glance.
  public var signedShades: (positive: [Unicode.Scalar], negative: [Unicode.Scalar]) {
    ascii ? ([" ", ":", "+", "#", "@"], [" ", ".", "-", "~", "="]) : ([" ", "░", "▒", "▓", "█"], [" ", "⠂", "⠒", "⠶", "⠿"])
  }
  /// The best epoch's mark on a chart.
  public var best: Unicode.Scalar { ascii ? "@" : "◆" }
  /// The weight average's mark on a chart (no run's marker, no intervention's letter).
  public var average: Unicode.Scalar { ascii ? "a" : "◎" }
}

extension Glyphs {
  /// ASCII stand-ins for the few non-ASCII characters that text (not line art) uses.
  static let asciiStandIns: [Unicode.Scalar: Unicode.Scalar] = [
    "←": "<", "→": ">", "↑": "^", "↓": "v", "÷": "/", "×": "x", "·": ".", "…": "~", "◆": "@", "◎": "a", "◂": "<", "✓": "+",
    "✗": "x", "–": "-", "—": "-", "█": "#", "┊": "|", "┃": "|", "│": "|", "─": "-", "╭": "+", "╮": "+", "╰": "+", "╯": "+",
    "≈": "~", "é": "e", "ε": "e", "σ": "s", "μ": "u", "∂": "d", "⊙": "*",
  ]

  /// Words for the symbols of formulas, where one character would say nothing (`γ` as `gamma`).
  static let asciiWords: [Unicode.Scalar: String] = [
    "γ": "gamma", "β": "beta", "Σ": "sum ", "⊙": "*", "√": "sqrt", "−": "-", "‖": "|", "∇": "grad ", "²": "^2",
    "ᵀ": "^T", "Δ": "d", "δ": "delta", "μ": "mu", "σ": "sigma", "ε": "eps", "≥": ">=", "≤": "<=", "•": "*", "·": "*",
    "→": "->", "×": "x", "…": "...", "α": "alpha", "±": "+/-", "°": " degrees",
  ]

  /// `text` in ASCII for a terminal without UTF-8, before it is laid out: formula symbols as
  /// words (`dγ = Σ dy` -> `dgamma = sum dy`), other characters as their one-character stand-ins.
  public static func asciiText(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      if scalar.isASCII { out.unicodeScalars.append(scalar) } else { out += asciiWords[scalar] ?? String(ascii(scalar)) }
    }
    return out
  }

  /// `text` as an ASCII screen shows it: each character its one-character stand-in (`·` as `.`),
  /// as `ScreenBuffer` draws it, for lines printed after the dashboard.
  public static func asciiCharacters(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    out.append(contentsOf: text.unicodeScalars.map(ascii))
    return String(out)
  }

  /// `scalar`, or its ASCII stand-in (`?` when there is none).
  public static func ascii(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
    scalar.isASCII ? scalar : asciiStandIns[scalar] ?? "?"
  }
}
