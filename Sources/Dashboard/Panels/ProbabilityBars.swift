import DNN
import TerminalUI

/// Class probabilities as bars, one row per class shown: its name, a bar, the percentage. The
/// true class (when known) is green and marked, a wrong guess red; without a true class (a
/// drawn digit) the guess is green. Used by the digit browser and the drawing pad.
struct ProbabilityBars {
  let probabilities: [Float]
  let names: [String]
  /// The true class, if known.
  let label: Int?
  let guess: Int
  let options: RenderOptions
  /// The bars of classes that are neither the truth nor the guess.
  var otherColour = Color.grey

  /// Draws `classes`, one per row from (x, y), in `width` columns, the bars at most `maxBarWidth`
  /// wide; the name column is as wide as the longest name shown, at most `maxNameWidth`.
  func draw(classes: [Int], x: Int, y: Int, width: Int, maxBarWidth: Int = .max, maxNameWidth: Int = .max, on buffer: inout ScreenBuffer) {
    let ok = options.paint(Style(foreground: .green, bold: true)), bad = options.paint(Style(foreground: .red, bold: true))
    let labelWidth = min(classes.map { name($0).count }.max() ?? 1, maxNameWidth)
    let barWidth = min(width - labelWidth - 8, maxBarWidth)
    guard barWidth > 0 else { return }
    for (row, k) in classes.enumerated() {
      let rowY = y + row
      let isTrue = k == label, isGuess = k == guess, right = isTrue || (label == nil && isGuess)
      let labelStyle = right ? ok : (isGuess ? bad : options.paint(.plain))
      buffer.put(Format.left(name(k), labelWidth), x: x, y: rowY, style: labelStyle)
      let barStyle = options.paint(Style(foreground: right ? .green : (isGuess ? .red : otherColour)))
      Bar(fraction: Double(probabilities[k]), style: barStyle).draw(x: x + labelWidth + 1, y: rowY, width: barWidth, on: &buffer, glyphs: options.glyphs)
      buffer.put(Format.right(Format.percent(probabilities[k]), 6), x: x + labelWidth + 1 + barWidth, y: rowY, style: labelStyle)
      if isTrue { buffer.put(options.glyphs.ascii ? "<" : "◂", x: x + labelWidth + 7 + barWidth, y: rowY, style: ok) }
    }
  }

  private func name(_ k: Int) -> String { k < names.count ? names[k] : "\(k)" }
}
