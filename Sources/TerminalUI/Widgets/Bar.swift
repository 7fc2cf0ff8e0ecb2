/// A horizontal bar showing a fraction of its width, with eighth-cell resolution.
public struct Bar {
  public var fraction: Double
  public var style: Style
  /// Optional column (0..<width) marked with a tick, such as a threshold.
  public var marker: Int?

  public init(fraction: Double, style: Style = .plain, marker: Int? = nil) {
    self.fraction = fraction.isFinite ? min(max(fraction, 0), 1) : 0
    self.style = style
    self.marker = marker
  }

  /// Draws the bar from (x, y), `width` cells wide.
  public func draw(x: Int, y: Int, width: Int, on buffer: inout ScreenBuffer, glyphs: Glyphs) {
    guard width > 0 else { return }
    let eighths = min(max(Int(saturating: fraction * Double(width * 8)), 0), width * 8)
    for i in 0..<width {
      let filled = eighths - i * 8
      let scalar: Unicode.Scalar = filled >= 8 ? glyphs.barFull : (filled > 0 ? glyphs.barEighths[filled] : " ")
      buffer[x + i, y] = Cell(scalar, style: style)
    }
    if let marker, marker >= 0, marker < width {
      let current = buffer[x + marker, y].character
      let tick: Unicode.Scalar = glyphs.ascii ? "|" : (current == " " ? "┊" : "┃")
      buffer[x + marker, y] = Cell(tick, style: Style(foreground: .red, bold: true))
    }
  }
}

/// A one-row chart of recent values using eight block heights.
public struct Sparkline {
  public var values: [Double]
  public var logScale: Bool
  public var style: Style

  public init(values: [Double], logScale: Bool = false, style: Style = .plain) {
    self.values = values
    self.logScale = logScale
    self.style = style
  }

  /// Draws the last `width` values from (x, y).
  public func draw(x: Int, y: Int, width: Int, on buffer: inout ScreenBuffer, glyphs: Glyphs) {
    let shown = values.suffix(width).map { logScale ? log10(max($0, 1e-12)) : $0 }.filter(\.isFinite)
    guard let low = shown.min(), let high = shown.max() else { return }
    let levels = glyphs.sparkLevels
    for (i, v) in shown.enumerated() {
      let t = high > low ? (v - low) / (high - low) : 0.5
      let level = min(levels.count - 1, Int(saturating: (t * Double(levels.count - 1) + 0.5).rounded(.down)))
      buffer[x + width - shown.count + i, y] = Cell(levels[level], style: style)
    }
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
