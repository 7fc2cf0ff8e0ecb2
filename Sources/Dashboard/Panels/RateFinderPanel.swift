import Foundation
import DNN
import TerminalUI

/// The learning-rate finder's plot (`L`) over the body: the loss (per step and smoothed)
/// against the rate on a log axis, the suggested rate marked ◆, and what Enter and `f` do.
struct RateFinderPanel {
  let state: DashboardState
  let options: RenderOptions

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    buffer.fill(rect)
    let hints = "\(KeyMap.name(.select)) apply  \(KeyMap.name(.fork)) fork  \(KeyMap.name(.rateFinder))/\(KeyMap.name(.close)) close"
    let inside = Box(title: "Learning-rate finder: \(state.name)", hints: hints, style: options.paint(.dim), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    guard let sweep = state.focused.rateSweep else {
      buffer.put("training a copy of the model at rates from \(LineChart.compact(Double(LearningRateSweep.lowest))) up to "
                 + "\(LineChart.compact(Double(LearningRateSweep.highest))), \(LearningRateSweep.steps) steps at most...",
                 x: inside.x, y: inside.y, style: options.paint(.dim), clip: inside)
      return
    }
    let rate = { (r: Float) in LineChart.compact(Double(r)) }
    let verdict = sweep.suggested.map { s in
      "suggested \(rate(s)): where the smoothed loss falls fastest; the run's rate now \(rate(sweep.runRate)) (\(options.glyphs.ascii ? "x" : "×")\(LineChart.compact(Double(s / sweep.runRate))))"
    } ?? "no suggestion: the loss never fell over \(sweep.rates.count) steps"
    buffer.put(verdict, x: inside.x, y: inside.y, style: options.paint(.bold), clip: inside)
    let how = "\(KeyMap.name(.select)) sets the run's rate to it (a factor on its schedule, journalled), \(KeyMap.name(.fork)) forks a run with it;"
      + " a copy of the weights, a fresh optimizer, its own batches: the run is not changed"
    let lines = Format.wrap(how, width: inside.width).prefix(3)
    for (i, line) in lines.enumerated() { buffer.put(line, x: inside.x, y: inside.y + 1 + i, style: options.paint(.dim), clip: inside) }
    let points = { (values: [Float]) in zip(sweep.rates, values).map { ChartPoint(x: Double(log10($0)), y: Double($1)) } }
    var chart = LineChart(series: [
      ChartSeries(label: "loss", points: points(sweep.losses), style: options.paint(Style(foreground: .darkGrey)), connected: options.color),
      ChartSeries(label: "smoothed", points: points(sweep.smoothed), style: options.paint(Style(foreground: .cyan, bold: true))),
    ])
    chart.formatX = { LineChart.compact(pow(10, $0)) }
    chart.yLimits = 0...Double.infinity
    if let s = sweep.suggested, let i = sweep.rates.firstIndex(of: s) {
      chart.best = ChartPoint(x: Double(log10(s)), y: Double(sweep.smoothed[i]))
    }
    let top = 2 + lines.count
    chart.draw(in: Rect(x: inside.x, y: inside.y + top, width: inside.width, height: inside.height - top), on: &buffer, glyphs: options.glyphs)
  }
}
