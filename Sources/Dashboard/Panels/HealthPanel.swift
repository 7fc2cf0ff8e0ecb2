import DNN
import TerminalUI

/// The gradient panel's other view (`i`): per layer, its output's mean and spread on a training
/// batch, dead ReLU units or saturated softmax rows, and its weights' update ratio
/// log10(‖ΔW‖/‖W‖) with a sparkline on a fixed scale, coloured against the healthy band.
struct HealthPanel {
  let state: DashboardState
  let options: RenderOptions

  /// The sparkline's fixed scale: update ratios from 10^-6 to 10^0.
  static let ratioScale: ClosedRange<Float> = -6...0

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    let band = LayerHealth.healthyBand
    let title = state.health.map { "Layer health, step \($0.step)" } ?? "Layer health"
    let inside = Box(title: title, hints: "log10 \(options.glyphs.ascii ? "dW" : "ΔW")/W, \(Int(band.lowerBound))..\(Int(band.upperBound)) ok  \(KeyMap.name(.health)) norms",
                     style: options.paint(.dim), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    guard let run = state.run, inside.height > 0 else { return }
    guard let health = state.health else {
      let why = state.following || !state.isLive && state.health == nil
        ? "measured only while a run trains in this dashboard" : "measured a few times a second: the first comes with the next steps"
      buffer.put(why, x: inside.x, y: inside.y, style: options.paint(.dim), clip: inside)
      return
    }
    let rows = Self.rows(run: run, health: health, history: state.updateRatioHistory)
    let shown = rows.count > inside.height ? max(inside.height - 1, 0) : rows.count
    let showsMean = inside.width >= 56
    for (i, row) in rows.prefix(shown).enumerated() {
      let y = inside.y + i
      var x = buffer.put(Format.left(row.label, 12), x: inside.x, y: y, clip: inside)
      let a = row.stats
      if showsMean { x = buffer.put("μ" + Format.right(Format.fixed(Double(a.mean), 2), 6), x: x, y: y, clip: inside) }
      x = buffer.put(" σ" + Format.right(Format.fixed(Double(a.standardDeviation), 2), 5), x: x, y: y, clip: inside)
      let (flag, fraction) = a.deadFraction.map { ("dead", $0) } ?? a.saturatedFraction.map { ("sat", $0) } ?? ("", 0)
      let flagText = flag.isEmpty ? "" : "\(flag) \(Format.right(Format.percent(fraction), 5))"
      let flagStyle = fraction > 0.5 ? Style(foreground: .orange, bold: true) : Style.plain
      x = buffer.put("  " + Format.left(flagText, 10), x: x, y: y, style: options.paint(flagStyle), clip: inside)
      guard let ratio = row.ratio else { continue }
      x = buffer.put(Format.right(ratio.isFinite ? Format.fixed(Double(ratio), 1) : "–", 5), x: x, y: y,
                     style: options.paint(Self.style(ratio, bold: true)), clip: inside)
      drawSparkline(row.history, x: x + 1, y: y, width: inside.maxX - x - 1, on: &buffer)
    }
    if rows.count > shown {
      buffer.put("+\(rows.count - shown) more layers (\(KeyMap.name(.layers)) shows all)", x: inside.x, y: inside.maxY - 1, style: options.paint(.dim), clip: inside)
    }
  }

  /// One row per layer: `0 dense`, its statistics, its first parameter's latest update ratio
  /// and their history (nil for layers without parameters).
  static func rows(run: RunStarted, health: LayerHealth, history: [[Float]]) -> [(label: String, stats: ActivationStats, ratio: Float?, history: [Float])] {
    health.activations.enumerated().map { index, stats in
      let kind = run.layers.indices.contains(index) ? run.layers[index].configName : "layer"
      let parameter = run.parameterIndices(ofLayer: index).first
      let ratio = parameter.flatMap { health.updateRatios.indices.contains($0) ? health.updateRatios[$0] : nil }
      let past = parameter.flatMap { history.indices.contains($0) ? history[$0] : nil } ?? []
      return ("\(index) \(kind)", stats, ratio, past)
    }
  }

  /// Green inside the healthy band, yellow below (barely learning), red above (unstable).
  static func style(_ ratio: Float, bold: Bool = false) -> Style {
    let colour: Color
    if !ratio.isFinite { colour = .grey }
    else if ratio < LayerHealth.healthyBand.lowerBound { colour = .yellow }
    else if ratio > LayerHealth.healthyBand.upperBound { colour = .red }
    else { colour = .green }
    return Style(foreground: colour, bold: bold)
  }

  /// The ratios on the fixed scale, each coloured as `style`.
  private func drawSparkline(_ values: [Float], x: Int, y: Int, width: Int, on buffer: inout ScreenBuffer) {
    guard width > 0 else { return }
    let levels = options.glyphs.sparkLevels
    let scale = Self.ratioScale
    let shown = values.suffix(min(width, 24)).filter(\.isFinite)
    for (i, v) in shown.enumerated() {
      let t = (min(max(v, scale.lowerBound), scale.upperBound) - scale.lowerBound) / (scale.upperBound - scale.lowerBound)
      let level = min(levels.count - 1, max(0, Int(saturating: (Double(t) * Double(levels.count - 1) + 0.5).rounded(.down))))
      buffer[x + i, y] = Cell(levels[level], style: options.paint(Self.style(v)))
    }
  }
}
