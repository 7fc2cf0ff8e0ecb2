import DNN
import TerminalUI

#if canImport(Glibc)
  import Glibc
#endif

/// Per-tensor gradient norms: value, a log-scale bar with the clip threshold marked, and a
/// sparkline of recent steps.
struct GradientPanel {
  let state: DashboardState
  let options: RenderOptions

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    let clip = state.run?.clipNorm
    let hints = clip.map { "clip \(LineChart.compact(Double($0))) " + (options.glyphs.ascii ? "|" : "┃") } ?? "no clipping"
    let inside = Box(title: "Gradient norms (pre-clip, log bars)", hints: hints + "  " + KeyMap.hint(.health, ascii: options.glyphs.ascii), style: options.paint(.dim), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    guard let run = state.run, inside.height > 0 else { return }
    let names = run.parameterNames
    let nameWidth = min(max(names.map(\.count).max() ?? 6, 6), 18)
    let valueWidth = 8
    let remaining = inside.width - nameWidth - valueWidth - 3
    let sparkWidth = max(0, min(24, remaining / 3))
    let barWidth = max(0, remaining - sparkWidth - 1)
    // Log scale from 1e-4 to the larger of 10 and twice the clip threshold.
    let low = -4.0, high = log10(max(10, Double(clip ?? 5) * 2))
    func fraction(_ v: Double) -> Double { (log10(max(v, 1e-12)) - low) / (high - low) }
    let marker = clip.map { Int(saturating: (fraction(Double($0)) * Double(barWidth)).rounded(.down)) }
    // When not every tensor fits, the last row says how many are left out.
    let shown = names.count > inside.height ? max(inside.height - 1, 0) : names.count
    for i in 0..<shown {
      let y = inside.y + i
      let norm = i < state.gradientNorms.count ? Double(state.gradientNorms[i]) : 0
      var x = buffer.put(Format.left(names[i], nameWidth), x: inside.x, y: y, clip: inside)
      x = buffer.put(Format.right(state.step > 0 ? LineChart.compact(norm) : "-", valueWidth), x: x + 1, y: y, style: options.paint(.bold), clip: inside)
      let over = clip.map { norm > Double($0) } ?? false
      let barStyle = options.paint(Style(foreground: over ? .orange : .blue))
      Bar(fraction: state.step > 0 ? fraction(norm) : 0, style: barStyle, marker: marker)
        .draw(x: x + 1, y: y, width: barWidth, on: &buffer, glyphs: options.glyphs)
      let history = i < state.gradientHistory.count ? state.gradientHistory[i].map(Double.init) : []
      Sparkline(values: history, logScale: true, style: options.paint(Style(foreground: .magenta)))
        .draw(x: x + 2 + barWidth, y: y, width: sparkWidth, on: &buffer, glyphs: options.glyphs)
    }
    if names.count > shown {
      buffer.put("+\(names.count - shown) more (a taller terminal shows all)", x: inside.x, y: inside.maxY - 1, style: options.paint(.dim), clip: inside)
    }
  }
}
