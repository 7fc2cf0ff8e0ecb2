import DNN
import TerminalUI

/// The drawing pad (`d`) over the body: the 28x28 canvas (two pixels per cell, the cursor
/// marked), the drawing as the model reads it after MNIST's preprocessing, the model's
/// probabilities for each class, and the digits kept with Enter.
struct DrawingPanel {
  let state: DashboardState
  let options: RenderOptions

  /// The body rect the view covers in a `width` x `height` terminal.
  static func area(width: Int, height: Int) -> Rect { Rect(x: 0, y: 2, width: width, height: height - 3) }

  /// Where the canvas's top-left cell is in a `width` x `height` terminal.
  static func canvasOrigin(width: Int, height: Int) -> (x: Int, y: Int) {
    let area = area(width: width, height: height)
    return (area.x + 2, area.y + 2)
  }

  /// The canvas pixel under terminal cell (column, row), nil outside the canvas. A cell holds two
  /// pixel rows: the brush paints from the upper one.
  static func pixel(atColumn column: Int, row: Int, width: Int, height: Int) -> (x: Int, y: Int)? {
    let origin = canvasOrigin(width: width, height: height)
    let x = column - origin.x, y = (row - origin.y) * 2
    guard x >= 0 && x < DrawingPad.side && y >= 0 && y < DrawingPad.side else { return nil }
    return (x, y)
  }

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    buffer.fill(rect)
    let pad = state.drawing ?? DrawingPad()
    let by = pad.modelLabel.map { " (\(state.name), \($0))" } ?? ""
    let inside = Box(title: "Draw a digit\(by)", hints: "\(KeyMap.name(.close, in: KeyMap.padKeys)) close", style: options.paint(.dim), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    let side = DrawingPad.side
    let origin = (x: inside.x + 1, y: inside.y + 1)
    // The canvas, in a frame, with the brush under the cursor marked.
    let frame = Rect(x: origin.x - 1, y: origin.y - 1, width: side + 2, height: side / 2 + 2)
    let penWord = pad.pen == .painting ? "pen down" : pad.pen == .erasing ? "eraser" : "pen up"
    _ = Box(title: penWord, style: options.paint(Style(foreground: pad.pen == .up ? .grey : .orange))).draw(in: frame, on: &buffer, glyphs: options.glyphs)
    DigitView(pixels: ArraySlice(DrawingPad.greyBytes(pad.canvas))).draw(x: origin.x, y: origin.y, on: &buffer, color: options.color, glyphs: options.glyphs)
    for dy in 0..<DrawingPad.brush {
      for dx in 0..<DrawingPad.brush {
        let row = pad.cursorY + dy, x = origin.x + pad.cursorX + dx, y = origin.y + row / 2
        var cell = buffer[x, y]
        if options.color && !options.glyphs.ascii {
          // The brush's pixels in orange: a cell's upper half is its foreground, the lower its background.
          if row % 2 == 0 { cell.style.foreground = .orange } else { cell.style.background = .orange }
        } else {
          cell = Cell(options.glyphs.ascii ? "+" : "▒", style: Style(reverse: true))
        }
        buffer[x, y] = cell
      }
    }
    var x = frame.maxX + 2
    let keys = KeyMap.hints(KeyMap.padKeys, separator: " · ") + " · the mouse draws (right button erases)"
    // What the model reads, when there is room for it.
    let room = inside.maxX - x
    if room >= side + 26, let seen = pad.seen {
      buffer.put("as the model reads it", x: x, y: inside.y, style: options.paint(.dim), clip: inside)
      DigitView(pixels: ArraySlice(DrawingPad.greyBytes(seen))).draw(x: x, y: origin.y, on: &buffer, color: options.color, glyphs: options.glyphs)
      x += side + 3
    }
    drawReading(pad, x: x, y: inside.y, right: inside.maxX, on: &buffer)
    var y = frame.maxY
    let help = Format.wrap(keys, width: inside.width)
    for line in help where y < inside.maxY - 1 {
      buffer.put(line, x: inside.x, y: y, style: options.paint(.dim), clip: inside)
      y += 1
    }
    if !state.drawings.isEmpty && y < inside.maxY {
      let kept = state.drawings.suffix(12).map { "\(state.focused.className($0.prediction.digit)) (\(Format.percent($0.prediction.probability)))" }
      buffer.put("kept (the digit browser lists them): " + kept.joined(separator: "  "), x: inside.x, y: y, clip: inside)
    }
  }

  /// The model's reading: the digit it sees and a bar per class.
  private func drawReading(_ pad: DrawingPad, x: Int, y: Int, right: Int, on buffer: inout ScreenBuffer) {
    let clip = Rect(x: x, y: y, width: max(right - x, 0), height: 14)
    guard state.model != nil else {
      buffer.put("no model yet", x: x, y: y, style: options.paint(.dim), clip: clip)
      return
    }
    guard let p = pad.probabilities, let guess = pad.prediction else {
      buffer.put(pad.isBlank ? "draw a digit" : "reading…", x: x, y: y, style: options.paint(.dim), clip: clip)
      return
    }
    buffer.put("reads \(state.focused.className(guess.digit))  \(Format.percent(guess.probability))", x: x, y: y, style: options.paint(Style(foreground: .green, bold: true)), clip: clip)
    ProbabilityBars(probabilities: p, names: state.run?.classNames ?? [], label: nil, guess: guess.digit, options: options, otherColour: .blue)
      .draw(classes: Array(p.indices), x: x, y: y + 2, width: clip.width, maxBarWidth: 30, maxNameWidth: 11, on: &buffer)
    // Every run's reading, side by side: the obvious comparison.
    guard !pad.byRun.isEmpty else { return }
    let readings = pad.byRun.map { "\($0.run) \(state.focused.className($0.digit)) \(Format.percent($0.probability))" }
    // Three rows above the canvas's key help; what does not fit is counted, never dropped silently.
    var lines = Format.wrap("every run reads: " + readings.joined(separator: " · "), width: max(right - x, 10))
    if lines.count > 3 {
      lines = Array(lines.prefix(3))
      lines[2] = String(lines[2].prefix(max(right - x - 12, 0)))
      // Each reading shown whole has its percentage.
      let shown = lines.joined().filter { $0 == "%" }.count
      lines[2] += " +\(max(readings.count - shown, 1)) more"
    }
    for (i, line) in lines.enumerated() {
      buffer.put(line, x: x, y: y + 13 + i, style: options.paint(.dim), clip: Rect(x: x, y: y + 13, width: max(right - x, 0), height: 3))
    }
  }

}
