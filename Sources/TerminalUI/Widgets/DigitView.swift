/// A 28x28 grey image drawn in 28x14 cells: each cell shows two pixel rows with an upper half
/// block (foreground = top pixel, background = bottom pixel) in 256-colour greys; without
/// colour, a shade character for the two pixels' mean.
public struct DigitView {
  /// 784 pixels, row-major, 0 = background.
  public var pixels: ArraySlice<UInt8>
  public static let side = 28

  public init(pixels: ArraySlice<UInt8>) {
    precondition(pixels.count == DigitView.side * DigitView.side, "a digit has 784 pixels")
    self.pixels = pixels
  }

  /// Draws at (x, y): 28 columns, 14 rows.
  public func draw(x: Int, y: Int, on buffer: inout ScreenBuffer, color: Bool, glyphs: Glyphs) {
    let side = DigitView.side
    let base = pixels.startIndex
    for row in 0..<side / 2 {
      for column in 0..<side {
        let top = Double(pixels[base + 2 * row * side + column]) / 255
        let bottom = Double(pixels[base + (2 * row + 1) * side + column]) / 255
        if color && !glyphs.ascii {
          buffer[x + column, y + row] = Cell("▀", style: Style(foreground: .grey(level: top), background: .grey(level: bottom)))
        } else {
          let shades = glyphs.shades
          let level = min(shades.count - 1, Int(((top + bottom) / 2) * Double(shades.count - 1) + 0.5))
          buffer[x + column, y + row] = Cell(shades[level])
        }
      }
    }
  }
}
