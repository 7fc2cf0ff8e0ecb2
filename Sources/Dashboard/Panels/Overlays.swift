import TerminalUI

/// The help overlay, generated from the key map.
struct HelpOverlay {
  let options: RenderOptions
  /// The last frame's cost, shown at the bottom (the dashboard's own overhead).
  var frameMilliseconds: Double?

  func draw(on buffer: inout ScreenBuffer) {
    var lines = KeyMap.bindings.map { Format.left($0.label, 7) + $0.summary }
    if let frameMilliseconds { lines += ["", "drawing takes \(Format.fixed(frameMilliseconds, 1)) ms a frame"] }
    // One column when every line fits the height, else two, each line cut to its column.
    let columns = lines.count + 4 <= buffer.height - 2 ? 1 : 2
    let rowsNeeded = (lines.count + columns - 1) / columns
    let width = min(buffer.width - 4, columns * ((lines.map(\.count).max() ?? 0) + 2) + 3)
    let height = min(buffer.height - 2, rowsNeeded + 4)
    let rect = Rect(x: (buffer.width - width) / 2, y: (buffer.height - height) / 2, width: width, height: height)
    buffer.fill(rect)
    let inside = Box(title: "Keys", hints: "any key closes", style: options.paint(Style(foreground: .cyan)), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    let columnWidth = (inside.width - 1) / columns
    for (i, line) in lines.enumerated() {
      let column = i / rowsNeeded, row = i % rowsNeeded
      guard row + 1 < inside.height else { continue }
      let room = columnWidth - 2
      let text = line.count > room ? String(line.prefix(max(room - 1, 0))) + (options.glyphs.ascii ? "~" : "…") : line
      buffer.put(text, x: inside.x + 1 + column * columnWidth, y: inside.y + 1 + row, clip: inside)
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
