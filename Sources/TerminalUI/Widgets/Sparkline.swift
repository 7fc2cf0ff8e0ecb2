#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

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
