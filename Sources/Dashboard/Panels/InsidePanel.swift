import DNN
import TerminalUI

/// The inside view (`v`) over the body, for the browsed digit: page 0 its saliency and the
/// smallest adversarial nudge that reaches the goal; page i + 1 layer i's output (a convolution's
/// or pooling layer's channels as tiles, other layers' units as a strip, the softmax as bars).
/// Everything comes from `DashboardState.insight`, computed on a copy of the model.
struct InsidePanel {
  let state: DashboardState
  let options: RenderOptions

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    buffer.fill(rect)
    let what = state.browsingDrawings ? "your digit" : "validation digit \(state.selected + 1)/\(state.browsedIndices.count)"
    let pages = (state.insight?.layerOutputs.count ?? 0) + 1
    let page = min(state.insidePage, pages - 1)
    let title = "Inside \(what)" + (page == 0 ? ": saliency and nudge" : ": layer \(page - 1) (of \(pages - 1) layers)")
    let hints = "\(KeyMap.name(.pageBack))/\(KeyMap.name(.pageForward)) layers  \(KeyMap.name(.inside))/\(KeyMap.name(.close)) close"
    let inside = Box(title: title, hints: hints, style: options.paint(.dim), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    guard let insight = state.insight else {
      let why = state.model == nil ? "no copy of the model yet: it comes when the run starts" : "no digit to look at"
      buffer.put(why, x: inside.x, y: inside.y, style: options.paint(.dim), clip: inside)
      return
    }
    if page == 0 { drawSaliency(insight, in: inside, on: &buffer) } else { drawLayer(page - 1, of: insight, in: inside, on: &buffer) }
  }

  /// A 28x28 picture of `values` (largest magnitude 1), at full size (28x14 cells) or, `half`,
  /// 2x2 pixels averaged (14x7 cells).
  static func picture(_ values: [Float], side: Int = 28, half: Bool) -> HeatTile {
    let tile = HeatTile(values: ArraySlice(values), rows: side, columns: side, scale: WeightsPanel.scale(side: side))
    return half ? tile.halved(scale: WeightsPanel.scale(side: side / 2)) : tile
  }

  /// Captioned pictures in a row from (x, y); returns the rows they take.
  private func pictures(_ items: [(caption: String, values: [Float])], x: Int, y: Int, half: Bool, in inside: Rect, on buffer: inout ScreenBuffer) -> Int {
    var x = x, rows = 0
    for item in items {
      let tile = Self.picture(item.values, half: half)
      buffer.put(item.caption, x: x, y: y, style: options.paint(.dim), clip: inside)
      tile.draw(x: x, y: y + 1, on: &buffer, color: options.color, glyphs: options.glyphs)
      x += max(tile.width, item.caption.count) + 2
      rows = tile.height + 1
    }
    return rows
  }

  private func drawSaliency(_ insight: DigitInsight, in inside: Rect, on buffer: inout ScreenBuffer) {
    // Full-size pictures need two rows of 15 and three columns of 30 beside the text's 28.
    let half = inside.height < 32 || inside.width < 3 * 30 + 28
    let names = state.run?.classNames ?? (0..<10).map(String.init)
    let name = { (k: Int) in k < names.count ? names[k] : "\(k)" }
    let c = insight.saliency.classIndex
    let rows = pictures([
      ("the digit", insight.image), ("|∂z\(name(c))/∂x|", HeatTile.normalised(insight.saliency.gradient.map(abs))),
      ("∂z/∂x ⊙ x", HeatTile.normalised(insight.saliency.gradientTimesInput)),
    ], x: inside.x, y: inside.y, half: half, in: inside, on: &buffer)
    let textX = inside.x + 3 * ((half ? 14 : 28) + 2) + 1
    let reads = "reads \(name(insight.predicted)) \(Format.percent(insight.probabilities[insight.predicted]))"
      + (insight.label.map { " (true \(name($0)))" } ?? "")
    // Which weights: a look is taken again at most every few seconds while only the model changes.
    if let model = state.insightModel { buffer.put("by the weights of \(model)", x: textX, y: inside.y, style: options.paint(.dim), clip: inside) }
    buffer.put(reads, x: textX, y: inside.y + 1, style: options.paint(.bold), clip: inside)
    let lines = ["saliency: how much each", "pixel moves the score z", "of \(name(c)) (before softmax);", "⊙ x: of the ink there"]
    for (i, line) in lines.enumerated() { buffer.put(line, x: textX, y: inside.y + 3 + i, style: options.paint(.dim), clip: inside) }
    let goal: String
    switch insight.goal {
    case .awayFrom(let y): goal = "away from \(name(y))"
    case .toward(let t): goal = "toward \(name(t))"
    }
    let y = inside.y + rows + 1
    buffer.put("nudge \(goal) (\(KeyMap.name(.nudgeGoal)): goal): each pixel moved at most ε, kept in [0, 1]",
               x: inside.x, y: y, style: options.paint(.bold), clip: inside)
    let shown = insight.iterated.epsilon != nil ? insight.iterated : insight.singleStep
    let epsilon = shown.epsilon ?? AdversarialNudge.epsilons.last ?? 0.5
    _ = pictures([("nudged", shown.image), ("the nudge (up to \(Format.fixed(Double(epsilon), 3)))", shown.perturbation.map { $0 / epsilon })],
                 x: inside.x, y: y + 1, half: half, in: inside, on: &buffer)
    let results = [("one step (FGSM)", insight.singleStep), ("iterated (\(AdversarialNudge.iterations) × ε/4)", insight.iterated)]
    for (i, (label, result)) in results.enumerated() {
      let outcome = result.epsilon.map { "ε \(Format.fixed(Double($0), 3)) → reads \(name(result.predicted)) \(Format.percent(result.probabilities[result.predicted]))" }
        ?? "no ε up to \(Format.fixed(Double(AdversarialNudge.epsilons.last ?? 0.5), 1)) reaches it"
      buffer.put(label + ":", x: textX, y: y + 2 + 2 * i, style: options.paint(.dim), clip: inside)
      buffer.put(outcome, x: textX, y: y + 3 + 2 * i, style: options.paint(.bold), clip: inside)
    }
  }

  private func drawLayer(_ index: Int, of insight: DigitInsight, in inside: Rect, on buffer: inout ScreenBuffer) {
    let output = insight.layerOutputs[index]
    let shape = insight.shapes[index]
    let finite = output.filter(\.isFinite)
    let stats = "min \(LineChart.compact(Double(finite.min() ?? 0)))  max \(LineChart.compact(Double(finite.max() ?? 0)))"
      + "  zero \(finite.filter { $0 == 0 }.count) of \(output.count)"
    buffer.put("\(insight.summaries[index]) → \(shape?.text ?? "\(output.count)")   \(stats)", x: inside.x, y: inside.y, style: options.paint(.bold), clip: inside)
    let area = Rect(x: inside.x, y: inside.y + 2, width: inside.width, height: inside.height - 2)
    if index == insight.layerOutputs.count - 1, output.count == insight.probabilities.count {
      let names = state.run?.classNames ?? (0..<output.count).map(String.init)
      ProbabilityBars(probabilities: output, names: names, label: insight.label, guess: insight.predicted, options: options)
        .draw(classes: Array(output.indices), x: area.x, y: area.y, width: min(area.width, 60), on: &buffer)
    } else if let shape {
      drawChannels(output, shape: shape, in: area, on: &buffer)
    } else {
      drawStrip(output, in: area, on: &buffer)
    }
  }

  /// One tile per channel, each on its own scale, as large as lets every channel fit (else as
  /// many as fit, the rest counted).
  private func drawChannels(_ output: [Float], shape: ImageShape, in area: Rect, on buffer: inout ScreenBuffer) {
    let plane = shape.height * shape.width
    func tile(_ c: Int, half: Bool) -> HeatTile {
      let values = HeatTile.normalised(Array(output[c * plane..<(c + 1) * plane]))
      return half && shape.height >= 14 ? Self.picture(values, side: shape.height, half: true)
        : HeatTile(values: ArraySlice(values), rows: shape.height, columns: shape.width, scale: WeightsPanel.scale(side: shape.width))
    }
    func fits(_ half: Bool) -> (columns: Int, rows: Int) {
      let t = tile(0, half: half)
      return (max((area.width + 2) / (t.width + 2), 1), max(area.height / (t.height + 1), 1))
    }
    let half = fits(false).columns * fits(false).rows < shape.channels
    let (columns, rows) = fits(half)
    let shown = min(shape.channels, columns * rows)
    for c in 0..<shown {
      let t = tile(c, half: half)
      let x = area.x + (c % columns) * (t.width + 2), y = area.y + (c / columns) * (t.height + 1)
      t.draw(x: x, y: y, on: &buffer, color: options.color, glyphs: options.glyphs)
      buffer.put("\(c + 1)", x: x, y: y + t.height, style: options.paint(.dim), clip: area)
    }
    if shown < shape.channels {
      buffer.put("+\(shape.channels - shown) more channels (a larger terminal shows them)", x: area.x, y: area.maxY - 1, style: options.paint(.dim), clip: area)
    }
  }

  /// A layer's units as one cell each, on a symmetric scale, rows of the area's width.
  private func drawStrip(_ output: [Float], in area: Rect, on buffer: inout ScreenBuffer) {
    let values = HeatTile.normalised(output)
    let width = max(area.width, 1)
    for row in 0..<min((values.count + width - 1) / width, area.height) {
      let slice = Array(values[(row * width)..<min((row + 1) * width, values.count)])
      // A tile one pixel high per row of units: its top half only.
      HeatTile(values: ArraySlice(slice), rows: 1, columns: slice.count).draw(x: area.x, y: area.y + row, on: &buffer, color: options.color, glyphs: options.glyphs)
    }
  }
}
