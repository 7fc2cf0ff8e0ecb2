/// A terminal colour: the terminal's default, or an entry of the 256-colour palette.
public enum Color: Hashable, Sendable {
  case `default`
  case palette(UInt8)

  public static let red = Color.palette(196), green = Color.palette(76), yellow = Color.palette(220)
  public static let blue = Color.palette(75), cyan = Color.palette(80), magenta = Color.palette(170)
  public static let orange = Color.palette(208), white = Color.palette(255), grey = Color.palette(245)
  public static let darkGrey = Color.palette(239)

  /// A grey from the palette's 24-step ramp (232-255) for a level in [0, 1]; 0 and 1 map to
  /// palette black (16) and white (231) so the ends are true black and white.
  public static func grey(level: Double) -> Color {
    if level <= 0.02 { return .palette(16) }
    if level >= 0.98 { return .palette(231) }
    return .palette(UInt8(232 + min(23, max(0, Int(saturating: (level * 24).rounded(.down))))))
  }
}

extension Color {
  /// The xterm 256-colour palette entry as RGB (0-255 each): 0-15 the basic and bright colours,
  /// 16-231 a 6x6x6 cube, 232-255 a grey ramp.
  var rgb: (Int, Int, Int) {
    guard case .palette(let n) = self else { return (0, 0, 0) }
    let basic = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229)]
    switch n {
    case 0..<8: return basic[Int(n)]
    case 8..<16: return (basic[Int(n) - 8].0 / 2 + 127, basic[Int(n) - 8].1 / 2 + 127, basic[Int(n) - 8].2 / 2 + 127)
    case 16..<232:
      let i = Int(n) - 16, level = { $0 == 0 ? 0 : 55 + 40 * $0 }
      return (level(i / 36), level(i / 6 % 6), level(i % 6))
    default:
      let g = 8 + 10 * (Int(n) - 232)
      return (g, g, g)
    }
  }

  /// The nearest of the 8 basic colours (0-7), for terminals that have only those.
  public var nearestBasic: UInt8 {
    if case .palette(let n) = self, n < 8 { return n }
    let (r, g, b) = rgb
    // Greys go to black or white; colours to the basic hue with the same bright channels.
    if max(r, g, b) - min(r, g, b) < 40 { return r + g + b > 3 * 100 ? 7 : 0 }
    let threshold = (max(r, g, b) + min(r, g, b)) / 2
    return UInt8((r > threshold ? 1 : 0) | (g > threshold ? 2 : 0) | (b > threshold ? 4 : 0))
  }
}

/// How a cell is drawn.
public struct Style: Hashable, Sendable {
  public var foreground: Color
  public var background: Color
  public var bold: Bool
  public var reverse: Bool

  public init(foreground: Color = .default, background: Color = .default, bold: Bool = false, reverse: Bool = false) {
    self.foreground = foreground
    self.background = background
    self.bold = bold
    self.reverse = reverse
  }

  public static let plain = Style()
  public static let bold = Style(bold: true)
  public static let dim = Style(foreground: .grey)
  public static let reversed = Style(reverse: true)

  /// This style with another foreground.
  public func with(foreground: Color) -> Style {
    var s = self
    s.foreground = foreground
    return s
  }
}

/// One character cell of the screen.
public struct Cell: Hashable, Sendable {
  public var character: Unicode.Scalar
  public var style: Style

  public init(_ character: Unicode.Scalar = " ", style: Style = .plain) {
    self.character = character
    self.style = style
  }

  public static let blank = Cell()
}

/// A rectangle of cells.
public struct Rect: Equatable, Sendable {
  public var x: Int, y: Int, width: Int, height: Int

  public init(x: Int, y: Int, width: Int, height: Int) {
    self.x = x
    self.y = y
    self.width = max(0, width)
    self.height = max(0, height)
  }

  public var maxX: Int { x + width }
  public var maxY: Int { y + height }
  public var isEmpty: Bool { width <= 0 || height <= 0 }

  /// The rectangle shrunk by `dx` columns and `dy` rows on each side.
  public func inset(dx: Int = 1, dy: Int = 1) -> Rect {
    Rect(x: x + dx, y: y + dy, width: width - 2 * dx, height: height - 2 * dy)
  }

  /// Splits into a left part `width` columns wide and the rest.
  public func splitColumns(_ left: Int) -> (Rect, Rect) {
    let l = min(max(left, 0), width)
    return (Rect(x: x, y: y, width: l, height: height), Rect(x: x + l, y: y, width: width - l, height: height))
  }

  /// Splits into a top part `height` rows high and the rest.
  public func splitRows(_ top: Int) -> (Rect, Rect) {
    let t = min(max(top, 0), height)
    return (Rect(x: x, y: y, width: width, height: t), Rect(x: x, y: y + t, width: width, height: height - t))
  }
}
