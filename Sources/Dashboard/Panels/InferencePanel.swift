import DNN
import TerminalUI

/// The validation inference browser: a digit, its true label, the model's guess and the ten
/// class probabilities.
struct InferencePanel {
  let state: DashboardState
  let options: RenderOptions

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    let title = state.mistakesOnly ? "Validation mistakes" : "Validation digits"
    let inside = Box(title: title, hints: KeyMap.key(.previous, ascii: options.glyphs.ascii) + " " + KeyMap.key(.mistakesOnly, ascii: options.glyphs.ascii), style: options.paint(.dim), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    guard let run = state.run, inside.height > 0 else { return }
    guard let p = state.predictions else {
      buffer.put("predictions appear after epoch 1", x: inside.x, y: inside.y, style: options.paint(.dim), clip: inside)
      return
    }
    let list = state.browsedIndices
    guard let sample = state.browsedSample else {
      buffer.put(state.mistakesOnly ? "no mistakes on validation: m shows all" : "no validation digits", x: inside.x, y: inside.y, style: options.paint(.dim), clip: inside)
      return
    }
    let label = Int(p.labels[sample]), guess = Int(p.predicted[sample])
    let probabilities = Array(p.probabilities(of: sample))
    let correct = label == guess
    let ok = options.paint(Style(foreground: .green, bold: true)), bad = options.paint(Style(foreground: .red, bold: true))
    var x = buffer.put("\(state.selected + 1)/\(list.count)", x: inside.x, y: inside.y, style: options.paint(.bold), clip: inside)
    x = buffer.put("  true \(label)  pred ", x: x, y: inside.y, clip: inside)
    x = buffer.put("\(guess)", x: x, y: inside.y, style: correct ? ok : bad, clip: inside)
    x = buffer.put(" \(Format.percent(probabilities[guess]))", x: x, y: inside.y, clip: inside)
    let mark = options.glyphs.ascii ? (correct ? " ok" : " WRONG") : (correct ? " ✓" : " ✗ mistake")
    buffer.put(mark, x: x, y: inside.y, style: correct ? ok : bad, clip: inside)

    let digitY = inside.y + 1
    if inside.height >= 15 {
      let image = run.validation.source.image(run.validation.indices[sample])
      DigitView(pixels: image).draw(x: inside.x, y: digitY, on: &buffer, color: options.color, glyphs: options.glyphs)
    }
    // Probability bars: beside the digit when there is room, else below the title.
    let barsX = inside.width >= 28 + 2 + 14 ? inside.x + 30 : inside.x
    let barsY = barsX == inside.x ? digitY + (inside.height >= 15 ? 14 : 0) : digitY + 2
    let barWidth = inside.maxX - barsX - 9
    for k in 0..<p.classes where barsY + k < inside.maxY && barWidth > 0 {
      let y = barsY + k
      let isTrue = k == label, isGuess = k == guess
      let labelStyle = isTrue ? ok : (isGuess ? bad : options.paint(.plain))
      buffer.put("\(k)", x: barsX, y: y, style: labelStyle)
      let barStyle = options.paint(Style(foreground: isTrue ? .green : (isGuess ? .red : .grey)))
      Bar(fraction: Double(probabilities[k]), style: barStyle).draw(x: barsX + 2, y: y, width: barWidth, on: &buffer, glyphs: options.glyphs)
      buffer.put(Format.right(Format.percent(probabilities[k]), 6), x: barsX + 2 + barWidth, y: y, style: labelStyle)
      if isTrue { buffer.put(options.glyphs.ascii ? "<" : "◂", x: barsX + 8 + barWidth, y: y, style: ok) }
    }
  }
}
