import DNN
import TerminalUI

#if canImport(Glibc)
  import Glibc
#endif

/// The layers view (`e`) over the body: every layer with its output shape and health, and for
/// the chosen one (↑/↓) its forward and backward equations with this model's shapes, the live
/// norms of the tensors they name, and the finite-difference check `g` runs.
struct LayersPanel {
  let state: DashboardState
  let options: RenderOptions

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    buffer.fill(rect)
    let name = state.isSweep ? " of \(state.name)" : ""
    let inside = Box(title: "Layers\(name)", hints: "\(KeyMap.key(.cellUp, ascii: options.glyphs.ascii)) layer  \(KeyMap.name(.gradientCheck)) check  \(KeyMap.name(.layers))/\(KeyMap.name(.close)) close", style: options.paint(.dim), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    guard let run = state.run, !run.layers.isEmpty, let geometries = try? run.layers.geometries(), inside.height > 4 else {
      buffer.put("no layers to show yet: the run has not started", x: inside.x, y: inside.y, style: options.paint(.dim), clip: inside)
      return
    }
    let cursor = min(state.layerCursor, run.layers.count - 1)
    // Formulas in ASCII as words (`dgamma = sum dy`) before they are wrapped.
    let text = { (line: String) in options.glyphs.ascii ? Glyphs.asciiText(line) : line }
    let details = detailLines(run: run, layer: cursor).flatMap { line in
      Format.wrapIndented(text(line.text), width: inside.width).map { (text: $0, style: line.style) }
    }
    // The table gets what the details leave, at least 3 rows, scrolled to keep the cursor in view.
    let tableRows = max(3, min(run.layers.count, inside.height - 2 - details.count))
    let top = min(max(cursor - tableRows / 2, 0), max(run.layers.count - tableRows, 0))
    var y = inside.y
    // Each layer's share of the step's time, where the panel is wide enough (the details say it
    // for the chosen layer at any width).
    let times = state.health?.layerTimes.flatMap { $0.layers.count == run.layers.count ? $0 : nil }
    let timeColumn = inside.width >= Self.header.count + Self.timeHeader.count
    let header = (options.glyphs.ascii ? Self.asciiHeader : Self.header) + (timeColumn ? Self.timeHeader : "")
    buffer.put(header, x: inside.x, y: y, style: options.paint(.dim), clip: inside)
    y += 1
    for index in top..<min(top + tableRows, run.layers.count) {
      let selected = index == cursor
      let base = selected ? Style(reverse: true) : Style.plain
      buffer.fill(Rect(x: inside.x, y: y, width: inside.width, height: 1), with: Cell(" ", style: base))
      let input = index == 0 ? ImageShape.mnist.features : geometries[index - 1].features
      var text = row(run: run, index: index, input: input, geometry: geometries[index])
      if timeColumn { text = Format.left(text, Self.header.count) + Format.right(times.map { Self.share($0, layer: index) } ?? "–", Self.timeHeader.count) }
      buffer.put(text, x: inside.x, y: y, style: base, clip: inside)
      if let ratio = ratio(run: run, layer: index) {
        var style = options.paint(HealthPanel.style(ratio, bold: true))
        style.reverse = selected
        buffer.put(Format.right(ratio.isFinite ? Format.fixed(Double(ratio), 1) : "–", 6), x: inside.x + Self.ratioColumn, y: y, style: style, clip: inside)
      }
      y += 1
    }
    y += 1
    for line in details where y < inside.maxY {
      buffer.put(line.text, x: inside.x, y: y, style: options.paint(line.style), clip: inside)
      y += 1
    }
  }

  static let header = "  #  layer                 output         μ      σ  dead/sat  log10 ΔW/W  ‖∇W‖"
  /// The same columns in ASCII (a one-character stand-in for each symbol would say nothing).
  static let asciiHeader = "  #  layer                 output      mean    std  dead/sat  log10 dW/W  |dW|"
  static let ratioColumn = 58
  static let timeHeader = "    time"

  /// `  0  dense 784→256         [B, 256]      0.02   0.51            -2.9   0.0412`.
  private func row(run: RunStarted, index: Int, input: Int, geometry: LayerGeometry) -> String {
    let spec = run.layers[index]
    let label = spec.label(inputFeatures: input, output: geometry)
    let output = geometry.image?.text ?? "[B, \(geometry.features)]"
    var text = Format.right("\(index)", 3) + "  " + Format.left(label, 22) + Format.left(output, 12)
    if let stats = state.health?.activations, stats.indices.contains(index) {
      let a = stats[index]
      text += Format.right(Format.fixed(Double(a.mean), 2), 7) + Format.right(Format.fixed(Double(a.standardDeviation), 2), 7)
      let flag = a.deadFraction ?? a.saturatedFraction
      text += Format.right(flag.map(Format.percent) ?? "", 10)
    } else {
      text += String(repeating: " ", count: 24)
    }
    if let p = run.parameterIndices(ofLayer: index).first, state.gradientNorms.indices.contains(p), state.step > 0 {
      text = Format.left(text, Self.ratioColumn + 6) + Format.right(LineChart.compact(Double(state.gradientNorms[p])), 8)
    }
    return " " + text
  }

  private func ratio(run: RunStarted, layer: Int) -> Float? {
    guard let health = state.health, let p = run.parameterIndices(ofLayer: layer).first, health.updateRatios.indices.contains(p) else { return nil }
    return health.updateRatios[p]
  }

  /// The chosen layer's equations, live values and check.
  private func detailLines(run: RunStarted, layer: Int) -> [(text: String, style: Style)] {
    var lines: [(String, Style)] = [("Layer \(layer): \(run.layers[layer].configName), batch B = \(run.batchSize)", .bold)]
    // A check the user asked for comes first: a small terminal cuts the panel's end, and a
    // convolution's equations take most of 80x24.
    let checked = state.gradientCheck?.layer == layer
    if checked { lines += checkLines(layer: layer) + [("", .plain)] }
    for line in Equations.lines(of: run.layers, index: layer, batch: run.batchSize, labelSmoothing: run.labelSmoothing) {
      lines.append((Format.right(line.label, 9) + "  " + line.text, line.label.isEmpty ? .plain : Style(foreground: .cyan)))
    }
    // Live norms of the tensors the equations name.
    let parameters = run.parameterIndices(ofLayer: layer)
    if !parameters.isEmpty {
      let parts = parameters.map { p -> String in
        let name = run.parameterNames[p]
        let short = String(name.dropFirst("\(layer).".count))
        let norm = state.model?.values(of: name).map { v in v.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot() }
        let gradient = state.gradientNorms.indices.contains(p) && state.step > 0 ? LineChart.compact(Double(state.gradientNorms[p])) : "–"
        return "‖\(short)‖ \(norm.map { LineChart.compact($0) } ?? "–")  ‖∇\(short)‖ \(gradient)"
      }
      let when = state.model.map { $0.position.step > 0 ? " (weights of \($0.label))" : "" } ?? ""
      lines.append(("", .plain))
      lines.append(("     now  " + parts.joined(separator: " · ") + when, .plain))
    }
    if let stats = state.health?.activations, stats.indices.contains(layer) {
      let a = stats[layer]
      var text = "  output  μ \(Format.fixed(Double(a.mean), 3)), σ \(Format.fixed(Double(a.standardDeviation), 3)) on \(state.health?.samples ?? 0) samples of step \(state.health?.step ?? 0)"
      if let dead = a.deadFraction { text += ", \(Format.percent(dead)) of units dead" }
      if let saturated = a.saturatedFraction { text += ", \(Format.percent(saturated)) of rows saturated (p ≥ \(ActivationStats.saturationThreshold))" }
      lines.append((text, .plain))
    }
    if let times = state.health?.layerTimes, times.layers.indices.contains(layer), times.steps > 0 {
      lines.append((Self.timeLine(times, layer: layer), .plain))
    }
    if !checked {
      lines.append(("", .plain))
      lines += checkLines(layer: layer)
    }
    return lines
  }

  /// The time column: the layer's share, or `in #1` for a layer run inside another's passes.
  static func share(_ times: LayerTimes, layer: Int) -> String {
    times.runInside[layer].map { "in #\($0)" } ?? Format.percent(Float(times.share(of: layer)))
  }

  /// `    time  forward 0.21 ms + backward 0.40 ms a step, 62.1% of the layers'`: the mean over
  /// the steps timed so far (thread time; a split batch's two halves added); for a layer run
  /// inside another's passes (`LayerTimes.runInside`), which layer's time holds its.
  static func timeLine(_ times: LayerTimes, layer: Int) -> String {
    if let host = times.runInside[layer] {
      return "    time  counted in layer \(host)'s (the two run as one pass while training)"
    }
    let perStep = { (seconds: Double) in Format.fixed(seconds / Double(times.steps) * 1000, 2) + " ms" }
    return "    time  forward \(perStep(times.forwardSeconds[layer])) + backward \(perStep(times.backwardSeconds[layer])) a step, "
      + "\(Format.percent(Float(times.share(of: layer)))) of the layers' (thread time; a split batch's halves added)"
  }

  /// The check's result for `layer`, or how to run one.
  private func checkLines(layer: Int) -> [(text: String, style: Style)] {
    guard let report = state.gradientCheck, report.layer == layer else {
      return [("g: check this layer's backward against finite differences (on \(Instruments.checkSamples) validation digits)", Style(foreground: .grey))]
    }
    let passed = report.passed, bound = Self.scientific(LayerGradientCheck.passingError)
    var lines: [(String, Style)] = [(
      "finite differences, ε \(report.epsilon), \(report.samples) validation digits: largest relative error \(Self.scientific(report.maxRelativeError)) "
        + (passed ? "(< \(bound): the backward is right)" : "(≥ \(bound): the backward disagrees)"),
      Style(foreground: passed ? .green : .red, bold: true)
    )]
    for t in report.tensors {
      let kinks = t.skipped > 0 ? ", \(t.skipped) at a kink skipped" : ""
      lines.append((
        "  " + Format.left(t.name, 16) + " max rel. error " + Format.left(Self.scientific(t.maxRelativeError), 9)
          + "(\(t.checked) of \(t.total.grouped) entries\(kinks))", .plain
      ))
    }
    return lines
  }

  /// `2.1e-04`.
  static func scientific(_ v: Double) -> String {
    guard v > 0 && v.isFinite else { return v == 0 ? "0" : "\(v)" }
    var exponent = Int((log10(v)).rounded(.down))
    var mantissa = v / pow(10, Double(exponent))
    if mantissa >= 9.95 { (mantissa, exponent) = (mantissa / 10, exponent + 1) }
    let sign = exponent < 0 ? "-" : "+"
    return "\(Format.fixed(mantissa, 1))e\(sign)\(Format.pad2(abs(exponent)))"
  }
}
