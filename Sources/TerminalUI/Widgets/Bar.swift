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
