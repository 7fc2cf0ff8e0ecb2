import DNN
import TerminalUI

/// The help overlay, generated from the key map.
struct HelpOverlay {
  let options: RenderOptions
  /// The last frame's cost, shown at the bottom (the dashboard's own overhead).
  var frameMilliseconds: Double?

  func draw(on buffer: inout ScreenBuffer) {
    let rows = KeyMap.helpRows
    let labelWidth = (rows.map(\.label.count).max() ?? 0) + 1
    // One column when every row fits the height, else two; a row's summary where it fits its
    // column, else its brief (every brief fits an 80-column terminal's two columns).
    let columns = rows.count + 8 <= buffer.height - 2 ? 1 : 2
    let rowsNeeded = (rows.count + columns - 1) / columns
    let widest = rows.map { labelWidth + $0.summary.count }.max() ?? 0
    let width = min(buffer.width - 4, columns * (widest + 2) + 3)
    let marks = "marks on the charts: \(options.glyphs.best) best  \(options.glyphs.average) weight average  " + Intervention.legend(of: Intervention.Kind.allCases, several: true)
    var footer = [""] + Format.wrap(marks, width: width - 4)
    if let frameMilliseconds { footer += ["drawing takes \(Format.fixed(frameMilliseconds, 1)) ms a frame"] }
    let height = min(buffer.height - 2, rowsNeeded + footer.count + 2)
    let rect = Rect(x: (buffer.width - width) / 2, y: (buffer.height - height) / 2, width: width, height: height)
    buffer.fill(rect)
    let inside = Box(title: "Keys", hints: "any key closes", style: options.paint(Style(foreground: .cyan)), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    let columnWidth = (inside.width - 1) / columns
    let room = columnWidth - 2
    for (i, row) in rows.enumerated() {
      let column = i / rowsNeeded, line = i % rowsNeeded
      guard line < inside.height else { continue }
      let text = Format.left(row.label, labelWidth) + (labelWidth + row.summary.count <= room ? row.summary : row.brief)
      buffer.put(options.glyphs.cut(text, to: room), x: inside.x + 1 + column * columnWidth, y: inside.y + line, clip: inside)
    }
    for (i, line) in footer.enumerated() where rowsNeeded + i < inside.height {
      buffer.put(options.glyphs.cut(line, to: inside.width - 2), x: inside.x + 1, y: inside.y + rowsNeeded + i, clip: inside)
    }
  }
}

/// How a run ended badly (DIVERGED, FAILED), the whole message wrapped in a box over the
/// charts until a key closes it; the header keeps the first line of it.
struct OutcomeOverlay {
  let title: String
  let message: String
  let options: RenderOptions

  func draw(on buffer: inout ScreenBuffer) {
    let width = min(buffer.width - 8, 72)
    let lines = Format.wrap(message, width: width - 4) + ["", "\(KeyMap.name(.close)) or any key closes this; \(KeyMap.name(.quit)) quits"]
    let height = min(buffer.height - 4, lines.count + 2)
    let rect = Rect(x: (buffer.width - width) / 2, y: (buffer.height - height) / 2, width: width, height: height)
    buffer.fill(rect)
    let inside = Box(title: title, style: options.paint(Style(foreground: .red, bold: true)), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    for (i, line) in lines.enumerated() where i < inside.height {
      buffer.put(line, x: inside.x + 1, y: inside.y + i, clip: inside)
    }
  }
}

/// What the dashboard shows when the terminal is below the minimum size.
struct TooSmallScreen {
  let width: Int, height: Int

  func draw(on buffer: inout ScreenBuffer) {
    let lines = [
      "terminal too small (need \(Layout.minimumWidth)x\(Layout.minimumHeight), have \(width)x\(height))",
      "enlarge the window, or press \(KeyMap.name(.quit)) to quit",
    ]
    for (i, line) in lines.enumerated() {
      let y = max(0, height / 2 - 1 + i)
      buffer.put(line, x: max(0, (width - line.count) / 2), y: y, style: i == 0 ? .bold : .plain)
    }
  }
}
