import DNN
import TerminalUI

/// The validation confusion matrix (rows: true class, columns: predicted) with per-class
/// accuracy; or, when hidden with `c`, a table of the epochs so far.
struct ConfusionPanel {
  let showsMatrix: Bool
  let state: DashboardState
  let options: RenderOptions

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    if showsMatrix { drawMatrix(in: rect, on: &buffer) } else { drawEpochs(in: rect, on: &buffer) }
  }

  private func drawMatrix(in rect: Rect, on buffer: inout ScreenBuffer) {
    let title = "Confusion matrix" + (state.predictions.map { " (validation, epoch \($0.epoch))" } ?? "")
    let hints = (state.cellCursor == nil ? KeyMap.key(.cellUp, ascii: options.glyphs.ascii) : "\(KeyMap.name(.select)) browse  \(KeyMap.name(.close))") + "  "
      + KeyMap.key(.confusion, ascii: options.glyphs.ascii)
    let inside = Box(title: title, hints: hints, style: options.paint(.dim), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    guard let p = state.predictions else {
      buffer.put("appears after epoch 1", x: inside.x, y: inside.y, style: options.paint(.dim), clip: inside)
      return
    }
    let matrix = p.confusion
    // Widest first: a space before every count and accuracy with a decimal; narrower panels
    // (4-digit counts) drop the decimal, then the spaces, so the accuracy column always shows.
    let digits = String(matrix.flatMap { $0 }.max() ?? 0).count
    let layouts = [(label: 3, cell: max(3, digits + 1), acc: 7), (label: 1, cell: digits + 1, acc: 5), (label: 2, cell: max(digits, 2), acc: 5)]
    var fit = layouts.first { $0.label + p.classes * $0.cell + $0.acc <= inside.width } ?? layouts[2]
    let focused = state.focused
    fit.label = Self.labelWidth(fit.label, of: focused, classes: p.classes, room: inside.width - p.classes * fit.cell - fit.acc)
    func rowLabel(_ t: Int) -> String {
      guard fit.label >= 6 else { return Format.right("\(t)", fit.label) }
      return Format.left(String("\(Format.right("\(t)", 2)) \(focused.className(t))".prefix(fit.label)), fit.label)
    }
    let cellWidth = fit.cell
    let dim = options.paint(.dim)
    var x = buffer.put(fit.label >= 3 ? Format.left("t\\p", fit.label) : String(repeating: " ", count: fit.label), x: inside.x, y: inside.y, style: dim, clip: inside)
    for k in 0..<p.classes { x = buffer.put(Format.right("\(k)", cellWidth), x: x, y: inside.y, style: dim, clip: inside) }
    buffer.put(Format.right("acc", fit.acc), x: x, y: inside.y, style: dim, clip: inside)
    for t in 0..<p.classes where inside.y + 1 + t < inside.maxY {
      let y = inside.y + 1 + t
      x = buffer.put(rowLabel(t), x: inside.x, y: y, style: dim, clip: inside)
      let total = matrix[t].reduce(0, +)
      for k in 0..<p.classes {
        let n = matrix[t][k]
        var style: Style = n == 0 ? dim
          : (t == k ? options.paint(Style(foreground: .green, bold: true)) : options.paint(Style(foreground: .red)))
        if state.cellCursor == DashboardState.Cell(truth: t, predicted: k) || state.cellFilter == DashboardState.Cell(truth: t, predicted: k) {
          style.reverse = true
        }
        x = buffer.put(Format.right(n == 0 ? (options.glyphs.ascii ? "." : "·") : "\(n)", cellWidth), x: x, y: y, style: style, clip: inside)
      }
      let accuracy = total > 0 ? Float(matrix[t][t]) / Float(total) : 0
      let shown = fit.acc == 7 ? Format.percent(accuracy) : "\(Int(saturating: Double(accuracy) * 100))%"
      buffer.put(Format.right(shown, fit.acc), x: x, y: y, style: options.paint(.bold), clip: inside)
    }
    let correct = (0..<p.classes).reduce(0) { $0 + matrix[$1][$1] }
    let summaryY = inside.y + 1 + p.classes
    if summaryY < inside.maxY {
      buffer.put("overall \(Format.percent(Float(correct) / Float(max(p.count, 1)))) of \(p.count)  ·  \(p.count - correct) mistakes (\(KeyMap.name(.mistakesOnly)))",
                 x: inside.x, y: summaryY, style: dim, clip: inside)
    }
    let margin = Rect(x: x + fit.acc + 2, y: inside.y, width: inside.maxX - x - fit.acc - 2, height: inside.height)
    drawMostConfused(below: summaryY + 1 < inside.maxY ? Rect(x: inside.x, y: summaryY + 1, width: inside.width, height: 1) : nil,
                     orDown: margin, on: &buffer)
  }

  /// The most confused pairs (`7→9 (2)`) on a row under the matrix, or where there is none (the
  /// sweep layout), down its right margin.
  private func drawMostConfused(below row: Rect?, orDown margin: Rect, on buffer: inout ScreenBuffer) {
    let focused = state.focused, dim = options.paint(.dim)
    let arrow = options.glyphs.ascii ? "->" : "→"
    let pairs = state.mostConfused.map { "\(focused.className($0.cell.truth))\(arrow)\(focused.className($0.cell.predicted)) (\($0.count))" }
    guard !pairs.isEmpty else { return }
    if let row {
      buffer.put("most confused: " + pairs.joined(separator: ", "), x: row.x, y: row.y, style: dim, clip: row)
    } else if margin.width >= 9 {
      for (i, line) in (["confused"] + pairs).prefix(margin.height).enumerated() {
        buffer.put(line, x: margin.x, y: margin.y + i, style: dim, clip: margin)
      }
    }
  }

  /// The row labels' width: `width` for digits; for classes with names (Fashion-MNIST) wide
  /// enough for `6 Shirt` where the panel has `room` for six characters or more (names cut to fit;
  /// the columns keep the numbers).
  static func labelWidth(_ width: Int, of run: RunState, classes: Int, room: Int) -> Int {
    guard run.run?.isDigits == false, room >= 6 else { return width }
    return min(room, ((0..<classes).map { run.className($0).count }.max() ?? 0) + 3)
  }

  /// The epoch table's columns: header when wide, header when narrow, width.
  private static let columns: [(wide: String, narrow: String, width: Int)] = [
    ("epoch", "ep", 5), ("train loss", "trn loss", 11), ("train acc", "trn acc", 10), ("val loss", "val loss", 10),
    ("val acc", "val acc", 9), ("time", "time", 8),
  ]

  private func drawEpochs(in rect: Rect, on buffer: inout ScreenBuffer) {
    let reports = state.epochReports
    let rows = max(0, rect.height - 3)
    let start = min(state.epochTableTop ?? max(reports.count - rows, 0), max(reports.count - rows, 0))
    let shown = reports.dropFirst(start).prefix(rows)
    let range = shown.isEmpty ? "" : " \(start + 1)-\(start + shown.count) of \(reports.count)"
    let hints = (reports.count > rows ? "\(KeyMap.name(.pageBack))/\(KeyMap.name(.pageForward)) " : "") + KeyMap.key(.confusion, ascii: options.glyphs.ascii)
    let inside = Box(title: "Epochs" + range, hints: hints, style: options.paint(.dim), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    // Every column at every width: narrower headers and cells when the full ones do not fit.
    let fullWidth = Self.columns.map(\.width).reduce(0, +)
    let squeeze = max(0, fullWidth - inside.width)
    let firstCut = min(squeeze, 2), otherCut = min(2, (squeeze - firstCut + 4) / 5)  // the epoch column gives first
    let widths = Self.columns.enumerated().map { i, c in c.width - (i == 0 ? firstCut : otherCut) }
    let header = zip(Self.columns, widths).map { c, w in Format.right(squeeze > 0 ? c.narrow : c.wide, w) }.joined()
    buffer.put(header, x: inside.x, y: inside.y, style: options.paint(.dim), clip: inside)
    let best = state.bestEpoch?.epoch
    for (i, e) in shown.enumerated() {
      let cells = ["\(e.epoch)", Format.fixed(Double(e.trainLoss), 4), Format.percent(e.trainAccuracy),
                   Format.fixed(Double(e.validationLoss), 4), Format.percent(e.validationAccuracy), Format.fixed(e.seconds, 2) + "s"]
      let line = zip(cells, widths).map { Format.right($0, $1) }.joined()
      let style = e.epoch == best ? options.paint(Style(foreground: .yellow, bold: true)) : options.paint(.plain)
      buffer.put(line, x: inside.x, y: inside.y + 1 + i, style: style, clip: inside)
    }
  }
}
