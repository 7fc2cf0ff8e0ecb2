/// A small matrix of signed values (a unit's weights) as a picture: each value on a symmetric
/// scale from −1 to 1, enlarged `scale` times, two pixel rows per cell (upper half blocks). In
/// colour, white at 0, red for positive and blue for negative (256-colour cube); without colour,
/// `Glyphs.signedShades`: blank at 0, solid shades for positive, dotted for negative.
public struct HeatTile {
  /// Row-major values, already divided by the tile's largest magnitude.
  public var values: ArraySlice<Float>
  public var rows: Int
  public var columns: Int
  public var scale: Int

  public init(values: ArraySlice<Float>, rows: Int, columns: Int, scale: Int = 1) {
    precondition(values.count == rows * columns, "a tile of \(rows)x\(columns) needs \(rows * columns) values")
    self.values = values
    self.rows = rows
    self.columns = columns
    self.scale = max(scale, 1)
  }

  /// The tile at half size: each 2x2 block of values averaged (a last odd row or column
  /// dropped), then divided by the largest magnitude again; enlarged `scale` times.
  public func halved(scale: Int = 1) -> HeatTile {
    let (r, c) = (rows / 2, columns / 2)
    let at = { (y: Int, x: Int) in self.values[self.values.startIndex + y * self.columns + x] }
    let halved = (0..<r * c).map { i -> Float in
      let (y, x) = (2 * (i / c), 2 * (i % c))
      return (at(y, x) + at(y, x + 1) + at(y + 1, x) + at(y + 1, x + 1)) / 4
    }
    return HeatTile(values: ArraySlice(Self.normalised(halved)), rows: r, columns: c, scale: scale)
  }

  /// `values` over their largest finite magnitude (a symmetric scale; zeros stay zeros, values
  /// that are not finite become 0).
  public static func normalised(_ values: [Float]) -> [Float] {
    let largest = values.map { $0.isFinite ? abs($0) : 0 }.max() ?? 0
    return largest > 0 ? values.map { $0.isFinite ? $0 / largest : 0 } : values
  }

  /// Cells the tile takes.
  public var width: Int { columns * scale }
  public var height: Int { (rows * scale + 1) / 2 }

  /// The colour of `v` in [−1, 1]: white at 0, red up to 1, blue down to −1.
  public static func colour(_ v: Float) -> Color {
    let t = Int(saturating: (Double(min(abs(v), 1)) * 5).rounded())
    let pale = 5 - t
    return v >= 0 ? .palette(UInt8(16 + 36 * 5 + 6 * pale + pale)) : .palette(UInt8(16 + 36 * pale + 6 * pale + 5))
  }

  /// The value under pixel row `y`, column `x` of the enlarged picture (nil below the last row).
  private func value(_ y: Int, _ x: Int) -> Float? {
    guard y < rows * scale else { return nil }
    return values[values.startIndex + (y / scale) * columns + x / scale]
  }

  /// Draws with its top-left cell at (x, y).
  public func draw(x: Int, y: Int, on buffer: inout ScreenBuffer, color: Bool, glyphs: Glyphs) {
    for row in 0..<height {
      for column in 0..<width {
        let top = value(2 * row, column) ?? 0, bottom = value(2 * row + 1, column)
        if color && !glyphs.ascii {
          let background = bottom.map(HeatTile.colour) ?? .default
          buffer[x + column, y + row] = Cell("▀", style: Style(foreground: HeatTile.colour(top), background: background))
        } else {
          // The two pixels' mean: its magnitude picks the shade, its sign the family.
          let mean = (top + (bottom ?? top)) / 2
          let shades = mean >= 0 ? glyphs.signedShades.positive : glyphs.signedShades.negative
          let level = min(shades.count - 1, max(0, Int(saturating: (Double(abs(mean)) * Double(shades.count - 1) + 0.5).rounded(.down))))
          buffer[x + column, y + row] = Cell(shades[level])
        }
      }
    }
  }
}
