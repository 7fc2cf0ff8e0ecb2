import DNN
import TerminalUI

/// The distributions view (`u`) over the body: TensorBoard's distributions in the terminal. For
/// each tensor of the chosen kind (weights, activations, gradients; ←/→), a heat map of its values
/// (up) by epoch (right): each epoch's histogram re-binned onto the tensor's range over all
/// epochs, darker where more values are. A layer whose outputs are all 0 says `dead`, one whose
/// values pass 1e3 in size `exploding`.
struct DistributionsPanel {
  let state: DashboardState
  let options: RenderOptions

  /// Rows of one tensor's heat map.
  static let mapRows = 5

  /// The kinds the view shows, in ←/→ order.
  static let kinds = ["weights", "activations", "gradients"]

  /// Kind `kind`'s tensors of `d`.
  static func tensors(_ d: Distributions, kind: Int) -> [(name: String, histogram: ValueHistogram)] {
    switch kind % kinds.count {
    case 0: d.weights
    case 1: d.activations
    default: d.gradients
    }
  }

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    buffer.fill(rect)
    let kind = state.distributionKind % Self.kinds.count
    let title = "Distributions by epoch: \(Self.kinds[kind])"
    let hints = "\(KeyMap.key(.previous, ascii: options.glyphs.ascii)) kind  \(KeyMap.name(.cellUp)) tensors  \(KeyMap.name(.distributions))/\(KeyMap.name(.close)) close"
    let inside = Box(title: title, hints: hints, style: options.paint(.dim), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    let history = state.focused.distributions
    guard let latest = history.last else {
      let why = state.following || !state.isLive ? "distributions are measured while a run trains here: \(state.name) has none"
        : "the first distributions come at the end of the first epoch"
      buffer.put(why, x: inside.x, y: inside.y, style: options.paint(.dim), clip: inside)
      return
    }
    // Short enough for 80 columns with the epochs (it was cut before them there).
    let legend = "each tensor's values (up) by epoch (right), darker where more; epochs \(history.first!.epoch)-\(latest.epoch)"
    buffer.put(options.glyphs.cut(legend, to: inside.width), x: inside.x, y: inside.y, style: options.paint(.dim), clip: inside)
    let names = Self.tensors(latest, kind: kind).map(\.name)
    let perBlock = Self.mapRows + 1
    let fit = max((inside.height - 1) / perBlock, 1)
    let top = min(state.distributionTop, max(names.count - fit, 0))
    for (row, index) in names.indices.dropFirst(top).prefix(fit).enumerated() {
      let series = history.map { Self.tensors($0, kind: kind)[safe: index]?.histogram }
      drawTensor(names[index], series, at: Rect(x: inside.x, y: inside.y + 1 + row * perBlock, width: inside.width, height: perBlock), on: &buffer)
    }
    if names.count > fit {
      buffer.put("tensors \(top + 1)-\(min(top + fit, names.count)) of \(names.count)", x: inside.maxX - 24, y: inside.maxY - 1,
                 style: options.paint(.dim), clip: inside)
    }
  }

  /// One tensor: its name, range and verdict, then its heat map with the range at the left.
  private func drawTensor(_ name: String, _ series: [ValueHistogram?], at area: Rect, on buffer: inout ScreenBuffer) {
    let present = series.compactMap { $0 }
    let low = present.map(\.low).min() ?? 0, high = present.map(\.high).max() ?? 0
    let last = present.last
    let verdict = last.map { $0.low == 0 && $0.high == 0 ? "  dead: all 0" : (max(abs($0.low), abs($0.high)) > 1e3 ? "  exploding" : "") } ?? ""
    var x = buffer.put(name, x: area.x, y: area.y, style: options.paint(.bold), clip: area)
    x = buffer.put("  \(LineChart.compact(Double(low))) to \(LineChart.compact(Double(high)))", x: x, y: area.y, style: options.paint(.dim), clip: area)
    buffer.put(verdict, x: x, y: area.y, style: options.paint(Style(foreground: .red, bold: true)), clip: area)
    let labelWidth = 8
    let map = Rect(x: area.x + labelWidth, y: area.y + 1, width: area.width - labelWidth, height: Self.mapRows)
    buffer.put(Format.right(LineChart.compact(Double(high)), labelWidth - 1), x: area.x, y: map.y, style: options.paint(.dim), clip: area)
    buffer.put(Format.right(LineChart.compact(Double(low)), labelWidth - 1), x: area.x, y: map.maxY - 1, style: options.paint(.dim), clip: area)
    let shades = options.glyphs.shades
    // The latest epochs that fit, one column each.
    for (column, histogram) in series.suffix(map.width).enumerated() {
      guard let histogram else { continue }
      let density = Self.rebinned(histogram, rows: Self.mapRows, low: low, high: high)
      let most = max(density.max() ?? 0, 1)
      for (row, count) in density.enumerated() where count > 0 {
        let level = max(1, Int((Double(count) / Double(most) * Double(shades.count - 1)).rounded(.up)))
        buffer[map.x + column, map.maxY - 1 - row] = Cell(shades[min(level, shades.count - 1)], style: options.paint(Style(foreground: .cyan)))
      }
    }
  }

  /// `histogram`'s counts in `rows` equal bands from `low` (row 0) to `high`, each bucket in the
  /// band of its centre.
  static func rebinned(_ histogram: ValueHistogram, rows: Int, low: Float, high: Float) -> [Int] {
    var bands = [Int](repeating: 0, count: rows)
    let span = Double(high - low)
    for (k, count) in histogram.counts.enumerated() where count > 0 {
      let position = span > 0 ? (histogram.centre(k) - Double(low)) / span : 0.5
      bands[min(max(Int(position * Double(rows)), 0), rows - 1)] += count
    }
    return bands
  }
}

extension Array {
  /// The element at `index`, or nil outside the array.
  subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
