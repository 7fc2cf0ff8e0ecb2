import DNN
import TerminalUI

/// The validation inference browser: a digit, its true label, the model's guess and the ten
/// class probabilities.
struct InferencePanel {
  let state: DashboardState
  let options: RenderOptions

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    if state.browsingDrawings && !state.drawings.isEmpty { return drawKept(in: rect, on: &buffer) }
    let things = state.run?.isDigits == false ? "images" : "digits"
    let arrow = options.glyphs.ascii ? "->" : "→"
    let title = state.cellFilter.map { "Validation \(things): true \($0.truth) \(arrow) predicted \($0.predicted)" }
      ?? (state.mistakesOnly ? "Validation mistakes" : "Validation \(things)")
    // The legend of the bars' mark, then the keys.
    let hints = (options.glyphs.ascii ? "< true  " : "◂ true  ") + KeyMap.key(.previous, ascii: options.glyphs.ascii) + " "
      + KeyMap.key(.mistakesOnly, ascii: options.glyphs.ascii)
    let inside = Box(title: title, hints: hints, style: options.paint(.dim), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    guard let run = state.run, inside.height > 0 else { return }
    guard let p = state.predictions else {
      buffer.put("predictions appear after epoch 1", x: inside.x, y: inside.y, style: options.paint(.dim), clip: inside)
      return
    }
    guard let sample = state.browsedSample else {
      buffer.put(state.mistakesOnly ? "no mistakes on validation: \(KeyMap.name(.mistakesOnly)) shows all" : "no validation \(things)", x: inside.x, y: inside.y, style: options.paint(.dim), clip: inside)
      return
    }
    let names = run.classNames.count == p.classes ? run.classNames : (0..<p.classes).map(String.init)
    let label = Int(p.labels[sample]), guess = Int(p.predicted[sample])
    let probabilities = Array(p.probabilities(of: sample))
    let correct = label == guess
    let ok = options.paint(Style(foreground: .green, bold: true)), bad = options.paint(Style(foreground: .red, bold: true))
    // "1/20  true 3  pred 5 82.0% ✗ mistake", or when that does not fit, "1/20 3→5 82.0% ✗".
    let position = "\(state.selected + 1)/\(state.browsedIndices.count)"
    let percent = " \(Format.percent(probabilities[guess]))"
    let mark = options.glyphs.ascii ? (correct ? " ok" : " WRONG") : (correct ? " ✓" : " ✗ mistake")
    let full = position.count + 7 + names[label].count + 7 + names[guess].count + percent.count
    let compact = full + 2 > inside.width
    let shortMark = full + mark.count > inside.width
    var x = buffer.put(position, x: inside.x, y: inside.y, style: options.paint(.bold), clip: inside)
    x = buffer.put(compact ? " \(names[label])" + (options.glyphs.ascii ? "->" : "→") : "  true \(names[label])  pred ", x: x, y: inside.y, clip: inside)
    x = buffer.put(names[guess], x: x, y: inside.y, style: correct ? ok : bad, clip: inside)
    x = buffer.put(percent, x: x, y: inside.y, clip: inside)
    buffer.put(shortMark ? String(mark.prefix(options.glyphs.ascii ? 3 : 2)) : mark, x: x, y: inside.y, style: correct ? ok : bad, clip: inside)

    let digitY = inside.y + 1
    if inside.height >= 15 {
      let image = run.validation.source.image(run.validation.indices[sample])
      DigitView(pixels: image).draw(x: inside.x, y: digitY, on: &buffer, color: options.color, glyphs: options.glyphs)
    }
    let probes = inside.height >= 16 && !state.probes.isEmpty
    if probes { drawProbes(y: inside.y + 15, in: inside, on: &buffer) }
    drawBars(probabilities, names: names, label: label, guess: guess, digitY: digitY, belowProbes: probes, in: inside, on: &buffer)
    // No row under the digit (the sweep layout): the strip goes under the bars beside it, on two rows.
    let besideBars = Rect(x: inside.x + 30, y: digitY + 12, width: inside.width - 30, height: 2)
    if !probes && inside.height >= 15 && inside.width >= 28 + 2 + 14 && classesFit(probabilities.count, in: inside, from: digitY + 2) {
      drawProbes(y: besideBars.y, in: besideBars, on: &buffer)
    }
  }

  /// Probability bars, beside the image when there is room, else below it (and below the probe
  /// strip, when it is drawn under the image).
  private func drawBars(
    _ probabilities: [Float], names: [String], label: Int?, guess: Int, digitY: Int, belowProbes: Bool = false, in inside: Rect,
    on buffer: inout ScreenBuffer
  ) {
    let barsX = inside.width >= 28 + 2 + 14 ? inside.x + 30 : inside.x
    let barsY = barsX == inside.x ? digitY + (inside.height >= 15 ? 14 : 0) + (belowProbes ? 1 : 0) : digitY + 2
    let shown = Self.classesToShow(probabilities, label: label ?? guess, guess: guess, rows: inside.maxY - barsY)
    ProbabilityBars(probabilities: probabilities, names: names, label: label, guess: guess, options: options)
      .draw(classes: shown, x: barsX, y: barsY, width: inside.maxX - barsX, on: &buffer)
  }

  /// "Your digits": the drawings kept from the pad, as the model read them, with its reading.
  private func drawKept(in rect: Rect, on buffer: inout ScreenBuffer) {
    let hints = KeyMap.key(.previous, ascii: options.glyphs.ascii) + "  \(KeyMap.name(.close)) validation"
    let inside = Box(title: "Your digits (\(KeyMap.name(.draw)) draws more)", hints: hints, style: options.paint(.dim), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    guard inside.height > 0 else { return }
    let index = min(state.drawingSelected, state.drawings.count - 1)
    let kept = state.drawings[index]
    let read = kept.prediction
    let names = state.run?.classNames.count == kept.probabilities.count ? state.run!.classNames : kept.probabilities.indices.map(String.init)
    var x = buffer.put("\(index + 1)/\(state.drawings.count)", x: inside.x, y: inside.y, style: options.paint(.bold), clip: inside)
    x = buffer.put("  read as ", x: x, y: inside.y, clip: inside)
    x = buffer.put(names[read.digit], x: x, y: inside.y, style: options.paint(Style(foreground: .green, bold: true)), clip: inside)
    x = buffer.put(" \(Format.percent(read.probability))", x: x, y: inside.y, clip: inside)
    buffer.put(kept.readBy.isEmpty ? "" : "  (\(kept.readBy))", x: x, y: inside.y, style: options.paint(.dim), clip: inside)
    let digitY = inside.y + 1
    if inside.height >= 15 {
      DigitView(pixels: ArraySlice(kept.pixels)).draw(x: inside.x, y: digitY, on: &buffer, color: options.color, glyphs: options.glyphs)
    }
    drawBars(kept.probabilities, names: names, label: nil, guess: read.digit, digitY: digitY, in: inside, on: &buffer)
  }

  /// Whether `classes` bars starting at row `y` leave the two rows the probe strip needs.
  private func classesFit(_ classes: Int, in inside: Rect, from y: Int) -> Bool { y + classes + 2 <= inside.maxY }

  /// The probe strip: the first validation digit of each class, its predicted class (green when
  /// right, red when wrong, reversed when it changed since the epoch before) and confidence.
  private func drawProbes(y: Int, in inside: Rect, on buffer: inout ScreenBuffer) {
    let probes = state.probes
    guard !probes.isEmpty else { return }
    var x = buffer.put("probes ", x: inside.x, y: y, style: options.paint(.dim), clip: inside)
    var y = y
    let levels: [Character] = options.glyphs.ascii ? ["1", "2", "3", "4", "5", "6", "7", "8", "9"] : ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    for (c, probe) in probes.enumerated() {
      // Too narrow for the strip: it goes on below, under its first probe.
      if x + 3 > inside.maxX && y + 1 < inside.maxY {
        (x, y) = (inside.x + 7, y + 1)
      }
      var style = options.paint(Style(foreground: probe.predicted == c ? .green : .red, bold: true))
      if probe.flipped { style.reverse = true }
      x = buffer.put("\(probe.predicted)", x: x, y: y, style: style, clip: inside)
      let level = levels[min(levels.count - 1, max(0, Int(saturating: (Double(probe.confidence) * Double(levels.count)).rounded(.down))))]
      x = buffer.put("\(level) ", x: x, y: y, style: options.paint(.dim), clip: inside)
    }
    let flips = probes.filter(\.flipped).count
    buffer.put(flips == 0 ? "" : "\(flips) flipped", x: x, y: y, style: options.paint(Style(foreground: .yellow)), clip: inside)
  }

  /// The classes whose bars fit in `rows` rows, in class order: all of them when they fit, else
  /// the true and predicted classes and then the most probable others.
  static func classesToShow(_ probabilities: [Float], label: Int, guess: Int, rows: Int) -> [Int] {
    guard rows < probabilities.count else { return Array(probabilities.indices) }
    guard rows > 0 else { return [] }
    var chosen = [label, guess].reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
    let others = probabilities.indices.filter { !chosen.contains($0) }.sorted { probabilities[$0] > probabilities[$1] }
    chosen += others.prefix(max(rows - chosen.count, 0))
    return Array(chosen.prefix(rows)).sorted()
  }
}
