import DNN
import TerminalUI

/// The loss or accuracy chart: per-batch training values raw and smoothed, per-epoch validation.
struct CurvesPanel {
  enum Kind { case loss, accuracy }

  let kind: Kind
  let state: DashboardState
  let options: RenderOptions

  /// TensorBoard-style debiased exponential moving average.
  static func smoothed(_ points: [ChartPoint], weight: Double) -> [ChartPoint] {
    var average = 0.0, correction = 0.0
    return points.map { p in
      average = weight * average + (1 - weight) * p.y
      correction = weight * correction + (1 - weight)
      return ChartPoint(x: p.x, y: average / correction)
    }
  }

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    let isLoss = kind == .loss
    let logScale = isLoss && state.logScale
    let zoom = state.zoomed ? " (last \(DashboardState.zoomEpochs) epochs)" : ""
    let title = (isLoss ? "Loss" + (logScale ? " (log)" : "") : "Accuracy") + zoom
    let hints = isLoss ? KeyMap.hint(.logScale, ascii: options.glyphs.ascii) : KeyMap.hint(.zoom, ascii: options.glyphs.ascii)
    let inside = Box(title: title, hints: hints, style: options.paint(.dim), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    guard inside.height >= 3 else { return }
    let raw = isLoss ? state.trainLoss : state.trainAccuracy
    let validation = isLoss ? state.validationLoss : state.validationAccuracy
    let rawStyle = options.paint(Style(foreground: .darkGrey))
    let smoothStyle = options.paint(Style(foreground: .cyan, bold: true))
    let validationStyle = options.paint(Style(foreground: state.isSweep ? RunStyle.colour(state.focus) : .orange, bold: true))
    drawLegend(in: inside, on: &buffer, isLoss: isLoss, validation: validation, styles: (rawStyle, smoothStyle, validationStyle))
    let marker = RunStyle.marker(state.isSweep ? state.focus : 0, ascii: options.glyphs.ascii)
    let ascii = options.glyphs.ascii
    // Other runs' validation curves under the focused run's curves, each in its colour and marker.
    var others: [ChartSeries] = []
    for (index, run) in state.runs.enumerated() where index != state.focus && state.isSweep && !state.hiddenRuns.contains(index) {
      let points = isLoss ? run.validationLoss : run.validationAccuracy
      let style = options.paint(Style(foreground: RunStyle.colour(index)))
      if options.color { others.append(ChartSeries(label: run.name, points: points, style: style)) }
      others.append(ChartSeries(label: run.name, points: points, style: style, marker: RunStyle.marker(index, ascii: ascii)))
    }
    var chart = LineChart(series: others + [
      ChartSeries(label: "train", points: raw, style: rawStyle, connected: options.color),
      ChartSeries(label: "smoothed", points: Self.smoothed(raw, weight: 0.9), style: smoothStyle),
      ChartSeries(label: "validation", points: validation, style: validationStyle, marker: marker),
    ])
    chart.logY = logScale
    chart.marks = state.interventions.map {
      ChartMark(x: $0.progress, letter: $0.letter.unicodeScalars.first ?? "*", style: options.paint(Style(foreground: .yellow)))
    }
    // The x axis grows with the runs (whole epochs, at least one); z shows the last ten epochs.
    let progress = state.runs.map { run in
      max((isLoss ? run.trainLoss : run.trainAccuracy).last?.x ?? 0, (isLoss ? run.validationLoss : run.validationAccuracy).last?.x ?? 0)
    }.max() ?? 0
    let end = max(progress.rounded(.up), 1)
    let start = state.zoomed ? max(end - Double(DashboardState.zoomEpochs), 0) : 0
    chart.xRange = start...end
    chart.formatX = { x in
      let whole = x.rounded() == x ? "\(Int(saturating: x))" : Format.fixed(x, 1)
      return whole + (x == end ? " ep" : "")
    }
    if isLoss {
      chart.yLimits = 0...Double.infinity
    } else {
      chart.formatY = { Format.percent(Float($0)) }
      chart.yLimits = 0...1
    }
    if isLoss, let best = state.bestEpoch {
      chart.best = ChartPoint(x: Double(best.epoch), y: Double(best.criterion))
    }
    chart.draw(in: Rect(x: inside.x, y: inside.y + 1, width: inside.width, height: inside.height - 1), on: &buffer, glyphs: options.glyphs)
  }

  /// One validation entry per run shown, the focused one first; what does not fit, and the runs
  /// hidden from the overlay (`o`), are counted at the end (`+3 more, 2 hidden`), never dropped
  /// silently.
  private func drawRunLegend(from start: Int, in inside: Rect, on buffer: inout ScreenBuffer) {
    let ascii = options.glyphs.ascii
    let shown = [state.focus] + state.runs.indices.filter { $0 != state.focus && !state.hiddenRuns.contains($0) }
    let hidden = state.runs.indices.filter { $0 != state.focus && state.hiddenRuns.contains($0) }.count
    var x = start
    for (n, index) in shown.enumerated() {
      let entry = String(state.runs[index].name.prefix(14))
      let left = shown.count - n - 1
      let tail = left > 0 || hidden > 0 ? Self.legendTail(more: left, hidden: hidden).count + 2 : 0
      // Room for this entry and, if runs remain, the count of those that would be left out.
      guard x + 2 + entry.count + 2 + (left > 0 ? tail : 0) <= inside.x + inside.width || n == 0 else {
        buffer.put(Self.legendTail(more: shown.count - n, hidden: hidden), x: x, y: inside.y, style: options.paint(.dim), clip: inside)
        return
      }
      let style = options.paint(Style(foreground: RunStyle.colour(index), bold: index == state.focus))
      x = buffer.put("\(RunStyle.marker(index, ascii: ascii)) ", x: x, y: inside.y, style: style, clip: inside)
      x = buffer.put(entry + "  ", x: x, y: inside.y, style: index == state.focus ? options.paint(.bold) : options.paint(.plain), clip: inside)
    }
    if hidden > 0 { buffer.put(Self.legendTail(more: 0, hidden: hidden), x: x, y: inside.y, style: options.paint(.dim), clip: inside) }
  }

  /// `+3 more`, `2 hidden`, or both.
  static func legendTail(more: Int, hidden: Int) -> String {
    [more > 0 ? "+\(more) more" : nil, hidden > 0 ? "\(hidden) hidden" : nil].compactMap { $0 }.joined(separator: ", ")
  }

  /// The legend: every mark on the chart. Without colour the per-batch values are lone dots, so
  /// they stay apart from the smoothed line.
  private func drawLegend(
    in inside: Rect, on buffer: inout ScreenBuffer, isLoss: Bool, validation: [ChartPoint],
    styles: (raw: Style, smooth: Style, validation: Style)
  ) {
    let (rawStyle, smoothStyle, validationStyle) = styles
    let marker = RunStyle.marker(state.isSweep ? state.focus : 0, ascii: options.glyphs.ascii)
    let ascii = options.glyphs.ascii
    var x = buffer.put(ascii ? "- " : "━ ", x: inside.x, y: inside.y, style: smoothStyle)
    x = buffer.put(state.isSweep ? "train  " : "train (smoothed)  ", x: x, y: inside.y, clip: inside)
    x = buffer.put(ascii ? ". " : (options.color ? "⠒ " : "⠂ "), x: x, y: inside.y, style: rawStyle, clip: inside)
    x = buffer.put(state.isSweep ? "batch  " : "per batch  ", x: x, y: inside.y, clip: inside)
    if state.isSweep {
      drawRunLegend(from: x, in: inside, on: &buffer)
    } else {
      x = buffer.put("\(marker) ", x: x, y: inside.y, style: validationStyle, clip: inside)
      x = buffer.put("val", x: x, y: inside.y, clip: inside)
      // The latest value beside "validation", the best epoch's beside its ◆ (RunRecord's best).
      if let last = validation.last {
        let value = isLoss ? Format.fixed(last.y, 3) : Format.percent(Float(last.y))
        x = buffer.put(" \(value)", x: x, y: inside.y, style: options.paint(.bold), clip: inside)
      }
      if isLoss, let best = state.bestEpoch {
        x = buffer.put(ascii ? "  @ " : "  ◆ ", x: x, y: inside.y, style: options.paint(Style(foreground: .yellow, bold: true)), clip: inside)
        x = buffer.put("best ", x: x, y: inside.y, clip: inside)
        buffer.put(Format.fixed(Double(best.criterion), 3), x: x, y: inside.y, style: options.paint(.bold), clip: inside)
      }
    }

  }
}
