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
    let inside = Box(title: title, hints: KeyMap.key(.confusion, ascii: options.glyphs.ascii), style: options.paint(.dim), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    guard let p = state.predictions else {
      buffer.put("appears after epoch 1", x: inside.x, y: inside.y, style: options.paint(.dim), clip: inside)
      return
    }
    let matrix = p.confusion
    let cellWidth = max(3, String(matrix.flatMap { $0 }.max() ?? 0).count + 1)
    let dim = options.paint(.dim)
    var x = buffer.put("t\\p", x: inside.x, y: inside.y, style: dim, clip: inside)
    for k in 0..<p.classes { x = buffer.put(Format.right("\(k)", cellWidth), x: x, y: inside.y, style: dim, clip: inside) }
    buffer.put("    acc", x: x, y: inside.y, style: dim, clip: inside)
    for t in 0..<p.classes where inside.y + 1 + t < inside.maxY {
      let y = inside.y + 1 + t
      x = buffer.put(Format.right("\(t)", 3), x: inside.x, y: y, style: dim, clip: inside)
      let total = matrix[t].reduce(0, +)
      for k in 0..<p.classes {
        let n = matrix[t][k]
        let style: Style = n == 0 ? dim
          : (t == k ? options.paint(Style(foreground: .green, bold: true)) : options.paint(Style(foreground: .red)))
        x = buffer.put(Format.right(n == 0 ? (options.glyphs.ascii ? "." : "·") : "\(n)", cellWidth), x: x, y: y, style: style, clip: inside)
      }
      let accuracy = total > 0 ? Float(matrix[t][t]) / Float(total) : 0
      buffer.put(Format.right(Format.percent(accuracy), 7), x: x, y: y, style: options.paint(.bold), clip: inside)
    }
    let correct = (0..<p.classes).reduce(0) { $0 + matrix[$1][$1] }
    let summaryY = inside.y + 1 + p.classes
    if summaryY < inside.maxY {
      buffer.put("overall \(Format.percent(Float(correct) / Float(max(p.count, 1)))) of \(p.count)  ·  \(p.count - correct) mistakes (m)",
                 x: inside.x, y: summaryY, style: dim, clip: inside)
    }
  }

  private func drawEpochs(in rect: Rect, on buffer: inout ScreenBuffer) {
    let inside = Box(title: "Epochs", hints: KeyMap.key(.confusion, ascii: options.glyphs.ascii), style: options.paint(.dim), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    let header = "epoch  train loss  train acc  val loss  val acc     time"
    buffer.put(header, x: inside.x, y: inside.y, style: options.paint(.dim), clip: inside)
    let rows = max(0, inside.height - 1)
    let best = state.bestEpoch?.epoch
    for (i, e) in state.epochReports.suffix(rows).enumerated() {
      let line = Format.right("\(e.epoch)", 5) + Format.right(Format.fixed(Double(e.trainLoss), 4), 12)
        + Format.right(Format.percent(e.trainAccuracy), 11) + Format.right(Format.fixed(Double(e.validationLoss), 4), 10)
        + Format.right(Format.percent(e.validationAccuracy), 9) + Format.right(Format.fixed(e.seconds, 2) + "s", 9)
      let style = e.epoch == best ? options.paint(Style(foreground: .yellow, bold: true)) : options.paint(.plain)
      buffer.put(line, x: inside.x, y: inside.y + 1 + i, style: style, clip: inside)
    }
  }
}
