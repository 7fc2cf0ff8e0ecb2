#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A point of a chart series.
public struct ChartPoint: Equatable, Sendable {
  public var x: Double
  public var y: Double
  public init(x: Double, y: Double) {
    self.x = x
    self.y = y
  }
}

/// One line (or set of markers) of a chart.
public struct ChartSeries: Sendable {
  public var label: String
  public var points: [ChartPoint]
  public var style: Style
  /// Draw each point as this character instead of joining points with a line.
  public var marker: Unicode.Scalar?
  /// Join the points with a line (else each is a lone dot: a scatter that stays apart from a
  /// line without colour).
  public var connected: Bool

  public init(label: String, points: [ChartPoint], style: Style, marker: Unicode.Scalar? = nil, connected: Bool = true) {
    self.label = label
    self.points = points
    self.style = style
    self.marker = marker
    self.connected = connected
  }
}

/// How finely a chart draws: braille (2x4 dots per cell), half blocks (1x2) or ASCII (1x1).
/// A letter on a chart's top row at `x`.
public struct ChartMark: Sendable {
  public var x: Double
  public var letter: Unicode.Scalar
  public var style: Style
  public init(x: Double, letter: Unicode.Scalar, style: Style) {
    self.x = x
    self.letter = letter
    self.style = style
  }
}

public enum ChartResolution: Sendable {
  case braille, blocks, ascii

  var dotsPerCell: (x: Int, y: Int) {
    switch self {
    case .braille: (2, 4)
    case .blocks: (1, 2)
    case .ascii: (1, 1)
    }
  }
}

/// A line chart with y-axis tick labels, x-axis labels, an outlier-robust autoscale, a log-y
/// option and a best-point marker.
public struct LineChart {
  public var series: [ChartSeries]
  /// x range; nil: from the data.
  public var xRange: ClosedRange<Double>?
  public var logY = false
  /// Scale y to the 2nd-98th percentile of the points (those beyond are clamped to the edge).
  public var ignoreOutliers = true
  public var resolution = ChartResolution.braille
  /// A point to mark, such as the best validation loss.
  public var best: ChartPoint?
  /// Values the axis never goes beyond (such as 0...1 for accuracy), in data units.
  public var yLimits: ClosedRange<Double>?
  /// Letters drawn on the plot's top row at their x (interventions: pause, rate change, fork).
  public var marks: [ChartMark] = []
  /// Drawn where several marks fall on one column.
  public var severalMark: Unicode.Scalar = "*"
  public var formatY: (Double) -> String = { LineChart.compact($0) }
  public var formatX: (Double) -> String = { LineChart.compact($0) }

  public init(series: [ChartSeries]) { self.series = series }

  /// The y range drawn: robust and padded, in transformed (log10 when `logY`) units.
  func yBounds() -> ClosedRange<Double>? {
    // Percentiles from at most ~4,096 evenly spaced samples: a frame must stay cheap however
    // long the run.
    // Only the points in view count (a zoomed x range rescales y too).
    // The samples are every stride-th point in view of the series one after another, and the
    // last: taken in passing, without copying the points (a frame at 25,000 steps copied them).
    let inView = { (p: ChartPoint) in self.xRange?.contains(p.x) ?? true }
    let count = series.reduce(0) { total, s in total + (xRange == nil ? s.points.count : s.points.reduce(0) { inView($1) ? $0 + 1 : $0 }) }
    let stride = max(1, count / 4096)
    var values: [Double] = []
    values.reserveCapacity(count / stride + 2)
    var index = 0
    var last: ChartPoint?
    for s in series {
      for p in s.points where inView(p) {
        if index % stride == 0, case let v = transform(p.y), v.isFinite { values.append(v) }
        index += 1
        last = p
      }
    }
    if let last = last.map({ transform($0.y) }), last.isFinite { values.append(last) }
    guard !values.isEmpty else { return nil }
    var low = values.min()!, high = values.max()!
    if ignoreOutliers && values.count >= 20 {
      low = LineChart.select(Int(Double(values.count - 1) * 0.02), in: &values)
      high = LineChart.select(Int(Double(values.count - 1) * 0.98), in: &values)
      // Points of marker series (few, such as per-epoch validation) always fit.
      for s in series where s.marker != nil {
        for p in s.points where transform(p.y).isFinite && (xRange?.contains(p.x) ?? true) {
          low = min(low, transform(p.y))
          high = max(high, transform(p.y))
        }
      }
    }
    let pad = high - low < 1e-9 ? max(abs(high) * 0.1, 1e-3) : (high - low) * 0.05
    var lower = low - pad, upper = high + pad
    if let limits = yLimits {
      let limitLow = transform(limits.lowerBound), limitHigh = transform(limits.upperBound)
      if limitLow.isFinite { lower = max(lower, limitLow) }
      if limitHigh.isFinite { upper = min(upper, limitHigh) }
      if upper <= lower { upper = lower + max(abs(lower) * 0.1, 1e-3) }
    }
    return lower...upper
  }

  private func transform(_ y: Double) -> Double { logY ? log10(max(y, 1e-12)) : y }

  /// The data ranges a frame shows: x from `xLow` to `xHigh`, y (transformed) over `y`.
  struct Bounds {
    let xLow: Double, xHigh: Double
    let y: ClosedRange<Double>
  }

  private func bounds() -> Bounds? {
    // The x range given, or the points' finite extremes (found in passing, nothing copied).
    var xs = xRange
    if xs == nil {
      for s in series {
        for p in s.points where p.x.isFinite { xs = min(xs?.lowerBound ?? p.x, p.x)...max(xs?.upperBound ?? p.x, p.x) }
      }
    }
    guard let y = yBounds(), let xLow = xs?.lowerBound, let xHigh = xs?.upperBound else { return nil }
    return Bounds(xLow: xLow, xHigh: xHigh > xLow ? xHigh : xLow + 1, y: y)
  }

  /// Draws into `rect`: tick labels on the left and below, the plot in the rest.
  /// Draws the chart; returns which marks it shows.
  @discardableResult
  public func draw(in rect: Rect, on buffer: inout ScreenBuffer, glyphs: Glyphs) -> DrawnMarks {
    guard rect.width >= 12 && rect.height >= 3 else { return DrawnMarks() }
    guard let bounds = bounds() else {
      buffer.put("waiting for data", x: rect.x + max(0, (rect.width - 16) / 2), y: rect.y + rect.height / 2, style: .dim, clip: rect)
      return DrawnMarks()
    }
    let plot = drawAxes(in: rect, bounds, on: &buffer, glyphs: glyphs)
    return drawSeries(in: plot, bounds, on: &buffer, glyphs: glyphs)
  }

  /// Tick labels on the left (y) and below (x); returns the rectangle left for the plot.
  private func drawAxes(in rect: Rect, _ bounds: Bounds, on buffer: inout ScreenBuffer, glyphs: Glyphs) -> Rect {
    let plotHeight = rect.height - 1
    let yb = bounds.y
    // Round values (1-2-5 steps, powers of ten on a log axis), each on the row nearest to it,
    // no two on neighbouring rows.
    var ticks: [(row: Int, label: String)] = []
    for value in LineChart.ticks(yb, count: plotHeight >= 9 ? 5 : 3, logarithmic: logY) {
      let row = Int(saturating: (yb.upperBound - value) / (yb.upperBound - yb.lowerBound) * Double(max(plotHeight - 1, 1)))
      guard row >= 0, row < plotHeight, !ticks.contains(where: { abs($0.row - row) < 2 }) else { continue }
      ticks.append((row, formatY(logY ? pow(10, value) : value)))
    }
    let tickRows = ticks.map(\.row), labels = ticks.map(\.label)
    let labelWidth = (labels.map(\.unicodeScalars.count).max() ?? 0) + 1
    let plot = Rect(x: rect.x + labelWidth, y: rect.y, width: rect.width - labelWidth, height: plotHeight)
    for (row, label) in zip(tickRows, labels) {
      let padded = String(repeating: " ", count: labelWidth - 1 - label.unicodeScalars.count) + label
      buffer.put(padded, x: rect.x, y: plot.y + row, style: .dim)
      buffer[rect.x + labelWidth - 1, plot.y + row] = Cell(glyphs.ascii ? "+" : "┤", style: .dim)
    }
    // x labels at round values, as many as fit with room between them.
    let bottom = rect.maxY - 1
    var nextFree = plot.x
    let xTicks = LineChart.ticks(bounds.xLow...bounds.xHigh, count: max(3, min(6, plot.width / 8)), logarithmic: false)
    for value in xTicks {
      let label = formatX(value)
      let center = plot.x + Int(saturating: (value - bounds.xLow) / (bounds.xHigh - bounds.xLow) * Double(plot.width - 1))
      let x = min(max(center - label.count / 2, plot.x), plot.maxX - label.count)
      guard x >= nextFree else { continue }
      buffer.put(label, x: x, y: bottom, style: .dim)
      nextFree = x + label.count + 2
    }
    return plot
  }

  /// The series as dots (braille, blocks or ASCII) in `plot`, markers over them, then the best point.
  private func drawSeries(in plot: Rect, _ bounds: Bounds, on buffer: inout ScreenBuffer, glyphs: Glyphs) -> DrawnMarks {
    let resolution = glyphs.ascii ? ChartResolution.ascii : self.resolution
    let (cx, cy) = resolution.dotsPerCell
    let dotsX = plot.width * cx, dotsY = plot.height * cy
    var bits = [UInt8](repeating: 0, count: plot.width * plot.height)
    var owner = [Int](repeating: -1, count: plot.width * plot.height)
    var markers: [(Int, Int, Unicode.Scalar, Style)] = []
    func dot(_ dx: Int, _ dy: Int, series index: Int) {
      guard dx >= 0 && dx < dotsX && dy >= 0 && dy < dotsY else { return }
      let cell = (dy / cy) * plot.width + dx / cx
      bits[cell] |= LineChart.bit(resolution, dx % cx, dy % cy)
      owner[cell] = index
    }
    func toDots(_ p: ChartPoint) -> (Int, Int)? {
      let ty = transform(p.y)
      guard p.x.isFinite && ty.isFinite else { return nil }
      let fx = (p.x - bounds.xLow) / (bounds.xHigh - bounds.xLow)
      let fy = (ty - bounds.y.lowerBound) / (bounds.y.upperBound - bounds.y.lowerBound)
      let dx = Int(saturating: min(max(fx, 0), 1) * Double(dotsX - 1))
      let dy = Int(saturating: (1 - min(max(fy, 0), 1)) * Double(dotsY - 1))
      return (dx, dy)
    }
    for (index, s) in series.enumerated() {
      var previous: (Int, Int)?
      let points = s.marker == nil ? LineChart.envelope(s.points, columns: dotsX, xLow: bounds.xLow, xHigh: bounds.xHigh) : s.points
      for p in points {
        guard let d = toDots(p) else {
          previous = nil
          continue
        }
        if let m = s.marker {
          markers.append((d.0 / cx, d.1 / cy, m, s.style))
        } else if !s.connected {
          dot(d.0, d.1, series: index)
        } else if let prev = previous {
          LineChart.line(from: prev, to: d) { dot($0, $1, series: index) }
        } else {
          dot(d.0, d.1, series: index)
        }
        previous = d
      }
    }
    for i in 0..<bits.count where bits[i] != 0 {
      let scalar = LineChart.glyph(resolution, bits[i])
      buffer[plot.x + i % plot.width, plot.y + i / plot.width] = Cell(scalar, style: series[owner[i]].style)
    }
    for (x, y, m, style) in markers { buffer[plot.x + x, plot.y + y] = Cell(m, style: style) }
    let drawn = drawMarks(in: plot, bounds, on: &buffer)
    if let best, let d = toDots(best) {
      buffer[plot.x + d.0 / cx, plot.y + d.1 / cy] = Cell(glyphs.best, style: Style(foreground: .yellow, bold: true))
    }
    return drawn
  }

  /// Round values inside `range`, about `count` of them: multiples of 1, 2 or 5 times a power of
  /// ten; on a `logarithmic` axis (`range` in log10 units) the powers of ten in it (in log10
  /// units), or, when fewer than two fit, the 1-2-5 values of the range.
  public static func ticks(_ range: ClosedRange<Double>, count: Int, logarithmic: Bool) -> [Double] {
    guard range.upperBound > range.lowerBound, range.lowerBound.isFinite, range.upperBound.isFinite else { return [] }
    if logarithmic {
      let low = Int(saturating: ceil(range.lowerBound)), high = Int(saturating: floor(range.upperBound))
      let decades = low <= high ? (low...high).map(Double.init) : []
      if decades.count >= 2 { return decades.count > count * 2 ? decades.enumerated().filter { $0.offset % 2 == 0 }.map(\.element) : decades }
      let linear = ticks(pow(10, range.lowerBound)...pow(10, range.upperBound), count: count * 2, logarithmic: false)
      return linear.filter { $0 > 0 }.map { log10($0) }
    }
    let rough = (range.upperBound - range.lowerBound) / Double(max(count - 1, 1))
    let magnitude = pow(10, floor(log10(rough)))
    // The smallest 1-2-5 step near the rough one (a little under it still gives about `count`).
    let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough * 0.7 } ?? 10 * magnitude
    var value = ceil(range.lowerBound / step) * step
    var out: [Double] = []
    while value <= range.upperBound + step * 1e-9 && out.count < 100 {
      out.append(abs(value) < step * 1e-9 ? 0 : value)
      value += step
    }
    return out
  }

  /// At most four points per dot column (first, lowest, highest, last), in order: the drawn
  /// line is the same, the work no longer grows with the number of points. `points` must be
  /// in x order (a series over time).
  static func envelope(_ points: [ChartPoint], columns: Int, xLow: Double, xHigh: Double) -> [ChartPoint] {
    guard points.count > 4 * columns, columns > 0 else { return points }
    var out: [ChartPoint] = []
    out.reserveCapacity(4 * columns + 4)
    var column = -1
    var first = points[0], low = points[0], high = points[0], last = points[0]
    func append(_ p: ChartPoint) { if out.last != p { out.append(p) } }
    // Points come in x order, so within a column `first` is leftmost and `last` rightmost.
    func flush() {
      append(first)
      append(low.x <= high.x ? low : high)
      append(low.x <= high.x ? high : low)
      append(last)
    }
    for p in points {
      let c = Int(saturating: ((p.x - xLow) / (xHigh - xLow) * Double(columns - 1)).rounded(.towardZero))
      if c != column {
        if column >= 0 { flush() }
        column = c
        first = p; low = p; high = p
      }
      if p.y < low.y { low = p }
      if p.y > high.y { high = p }
      last = p
    }
    flush()
    return out
  }

  static func bit(_ resolution: ChartResolution, _ x: Int, _ y: Int) -> UInt8 {
    switch resolution {
    case .braille:
      // Unicode braille: dots 1-3 and 7 down the left column, 4-6 and 8 down the right.
      let left: [UInt8] = [0x01, 0x02, 0x04, 0x40], right: [UInt8] = [0x08, 0x10, 0x20, 0x80]
      return x == 0 ? left[y] : right[y]
    case .blocks: return y == 0 ? 1 : 2
    case .ascii: return 1
    }
  }

  static func glyph(_ resolution: ChartResolution, _ bits: UInt8) -> Unicode.Scalar {
    switch resolution {
    case .braille: return Unicode.Scalar(0x2800 + UInt32(bits))!
    case .blocks: return bits == 3 ? "█" : (bits == 1 ? "▀" : "▄")
    case .ascii: return "*"
    }
  }

  /// Bresenham's line between two dots.
  static func line(from a: (Int, Int), to b: (Int, Int), plot: (Int, Int) -> Void) {
    var (x0, y0) = a
    let (x1, y1) = b
    let dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1
    let dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1
    var err = dx + dy
    while true {
      plot(x0, y0)
      if x0 == x1 && y0 == y1 { break }
      let e2 = 2 * err
      if e2 >= dy { err += dy; x0 += sx }
      if e2 <= dx { err += dx; y0 += sy }
    }
  }

  /// A short number: `0.0123`, `1.25`, `12.5`, `2e-05`.
  public static func compact(_ v: Double) -> String {
    guard v.isFinite else { return "\(v)" }
    let a = abs(v)
    if a == 0 { return "0" }
    if a >= 1000 || a < 0.001 {
      let e = Int(saturating: floor(log10(a)))
      let m = v / pow(10, Double(e))
      return trim(format(m, 1)) + "e\(e)"
    }
    let decimals = a >= 100 ? 0 : (a >= 10 ? 1 : (a >= 1 ? 2 : 3))
    return trim(format(v, decimals))
  }

  static func format(_ v: Double, _ decimals: Int) -> String {
    let scale = pow(10, Double(decimals))
    let r = (v * scale).rounded() / scale
    var s = decimals == 0 ? String(Int(saturating: r)) : String(r)
    if let dot = s.firstIndex(of: "."), s.distance(from: dot, to: s.endIndex) - 1 > decimals {
      s = String(s[..<s.index(dot, offsetBy: decimals + 1)])
    }
    return s
  }

  static func trim(_ s: String) -> String {
    guard s.contains(".") else { return s }
    var t = s
    while t.last == "0" { t.removeLast() }
    if t.last == "." { t.removeLast() }
    return t
  }
}
