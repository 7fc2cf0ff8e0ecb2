import DNN
import TerminalUI

/// The loss or accuracy chart: per-batch training values raw and smoothed, per-epoch validation.
struct CurvesPanel {
  enum Kind { case loss, accuracy, learningRate }

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

  /// A run's per-batch values of this chart, x in fractional epochs.
  private func perBatch(_ run: RunState) -> [ChartPoint] {
    switch kind {
    case .loss: run.trainLoss
    case .accuracy: run.trainAccuracy
    case .learningRate: run.learningRates
    }
  }

  /// A run's per-epoch validation values (none for the learning rate).
  private func validation(_ run: RunState) -> [ChartPoint] {
    switch kind {
    case .loss: run.validationLoss
    case .accuracy: run.validationAccuracy
    case .learningRate: []
    }
  }

  /// A run's per-epoch values of its weight average (none in a run that keeps none).
  private func averaged(_ run: RunState) -> [ChartPoint] {
    switch kind {
    case .loss: run.averageLoss
    case .accuracy: run.averageAccuracy
    case .learningRate: []
    }
  }

  /// The title; a loss chart says when the training loss is against label-smoothed targets
  /// (its floor is then well above 0), in full where `width` leaves room beside the hints.
  private func title(width: Int) -> String {
    let zoom = state.zoomed ? " (last \(DashboardState.zoomEpochs) epochs)" : ""
    let log = (state.logScale && kind != .accuracy ? " (log)" : "") + (state.chartAxis == .epochs ? "" : " by \(state.chartAxis.title)")
    switch kind {
    case .loss:
      let smoothing = state.runs[state.focus].run?.labelSmoothing ?? 0
      let note = SoftmaxCrossEntropy.smoothingName(smoothing, short: width < 56).map { " · " + $0 }
      return "Loss" + log + zoom + (note ?? "")
    case .accuracy: return "Accuracy" + zoom
    case .learningRate: return "Learning rate" + log + zoom
    }
  }

  private var hints: String {
    let ascii = options.glyphs.ascii
    let keys: [DashboardAction] = kind == .loss ? [.logScale, .smoothLess] : [.rateChart, .xAxis, .zoom]
    return keys.map { KeyMap.hint($0, ascii: ascii) }.joined(separator: "  ")
  }

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    let inside = Box(title: title(width: rect.width), hints: hints, style: options.paint(.dim), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    guard inside.height >= 3 else { return }
    let axis = state.chartAxis
    let maps = state.runs.map { axis.map(for: $0) }
    func onAxis(_ points: [ChartPoint], of run: Int) -> [ChartPoint] {
      axis == .epochs ? points : points.map { ChartPoint(x: maps[run]($0.x), y: $0.y) }
    }
    let focused = state.runs[state.focus]
    let raw = onAxis(perBatch(focused), of: state.focus)
    let validation = onAxis(self.validation(focused), of: state.focus)
    let rawStyle = options.paint(Style(foreground: .darkGrey))
    let smoothStyle = options.paint(Style(foreground: .cyan, bold: true))
    let validationStyle = options.paint(Style(foreground: state.isSweep ? RunStyle.colour(state.focus) : .orange, bold: true))
    let average = onAxis(averaged(focused), of: state.focus)
    drawLegend(in: inside, on: &buffer, validation: validation, styles: (rawStyle, smoothStyle, validationStyle))
    let marker = RunStyle.marker(state.isSweep ? state.focus : 0, ascii: options.glyphs.ascii)
    let others = otherRuns(onAxis)
    let mine = kind == .learningRate
      ? [ChartSeries(label: "rate", points: raw, style: smoothStyle)]
      : [ChartSeries(label: "train", points: raw, style: rawStyle, connected: options.color),
         ChartSeries(label: "smoothed", points: Self.smoothed(raw, weight: state.smoothingWeight), style: smoothStyle),
         ChartSeries(label: "validation", points: validation, style: validationStyle, marker: marker)]
      + averageSeries(average)
    var chart = LineChart(series: others + mine)
    chart.logY = state.logScale && kind != .accuracy
    let focusMap = maps[state.focus]
    chart.marks = state.interventions.map {
      ChartMark(x: focusMap($0.progress), letter: $0.letter.unicodeScalars.first ?? "*", style: options.paint(Style(foreground: .yellow)))
    }
    chart.severalMark = Intervention.severalLetter.unicodeScalars.first ?? "*"
    // The x axis grows with the runs (whole epochs, at least one); z shows the last ten epochs.
    let progress = state.runs.map { run in max(perBatch(run).last?.x ?? 0, self.validation(run).last?.x ?? 0) }
    let lastEpoch = max((progress.max() ?? 0).rounded(.up), 1)
    let end = axis == .epochs ? lastEpoch : max(zip(progress, maps).map { $1($0) }.max() ?? 0, 1e-9)
    let start = state.zoomed ? focusMap(max((progress[state.focus]).rounded(.up) - Double(DashboardState.zoomEpochs), 0)) : 0
    chart.xRange = start...max(end, start + 1e-9)
    chart.formatX = { x in axis.label(x) + (x == end ? " \(axis.unit)" : "") }
    switch kind {
    case .loss: chart.yLimits = 0...Double.infinity
    case .accuracy:
      chart.formatY = { Format.percent(Float($0)) }
      chart.yLimits = 0...1
    case .learningRate: chart.yLimits = 0...Double.infinity
    }
    if kind == .loss, let best = state.bestEpoch {
      chart.best = ChartPoint(x: focusMap(Double(best.epoch)), y: Double(best.criterion))
    }
    let drawn = chart.draw(in: Rect(x: inside.x, y: inside.y + 1, width: inside.width, height: inside.height - 1), on: &buffer, glyphs: options.glyphs)
    drawMarksLegend(drawn, below: inside, on: &buffer)
  }

  /// The focused run's weight average: its mark at each epoch, joined by a line with colour.
  private func averageSeries(_ points: [ChartPoint]) -> [ChartSeries] {
    guard !points.isEmpty else { return [] }
    let style = options.paint(Self.averageStyle)
    return (options.color ? [ChartSeries(label: "average", points: points, style: style)] : [])
      + [ChartSeries(label: "average", points: points, style: style, marker: options.glyphs.average)]
  }

  static let averageStyle = Style(foreground: .green, bold: true)

  /// Other runs' validation curves (their rates, on the rate chart) under the focused run's
  /// curves, each in its colour and marker.
  private func otherRuns(_ onAxis: ([ChartPoint], Int) -> [ChartPoint]) -> [ChartSeries] {
    var others: [ChartSeries] = []
    for (index, run) in state.runs.enumerated() where index != state.focus && state.isSweep && !state.hiddenRuns.contains(index) {
      let style = options.paint(Style(foreground: RunStyle.colour(index)))
      if kind == .learningRate {
        others.append(ChartSeries(label: run.name, points: onAxis(run.learningRates, index), style: style))
        continue
      }
      let points = onAxis(self.validation(run), index)
      if options.color { others.append(ChartSeries(label: run.name, points: points, style: style)) }
      others.append(ChartSeries(label: run.name, points: points, style: style, marker: RunStyle.marker(index, ascii: options.glyphs.ascii)))
    }
    return others
  }

  /// The letters on the chart and what they mean, on the box's bottom border (` V save  P pause `).
  private func drawMarksLegend(_ drawn: LineChart.DrawnMarks, below inside: Rect, on buffer: inout ScreenBuffer) {
    guard !drawn.letters.isEmpty else { return }
    let kinds = Intervention.Kind.allCases.filter { kind in drawn.letters.contains { $0 == kind.letter.unicodeScalars.first } }
    let legend = " " + Intervention.legend(of: kinds, several: drawn.several) + " "
    let border = Rect(x: inside.x + 1, y: inside.y + inside.height, width: max(inside.width - 2, 0), height: 1)
    buffer.put(legend, x: border.x, y: border.y, style: options.paint(Style(foreground: .yellow)), clip: border)
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
    in inside: Rect, on buffer: inout ScreenBuffer, validation: [ChartPoint], styles: (raw: Style, smooth: Style, validation: Style)
  ) {
    let (rawStyle, smoothStyle, validationStyle) = styles
    let marker = RunStyle.marker(state.isSweep ? state.focus : 0, ascii: options.glyphs.ascii)
    let ascii = options.glyphs.ascii
    var x = buffer.put(ascii ? "- " : "━ ", x: inside.x, y: inside.y, style: smoothStyle)
    if kind == .learningRate {
      // The focused run's rate now, and the user's factor on its schedule when not 1.
      let run = state.runs[state.focus]
      let factor = run.learningRateFactor == 1 ? "" : " (\(ascii ? "x" : "×")\(LineChart.compact(Double(run.learningRateFactor))) of schedule)"
      x = buffer.put("rate \(LineChart.compact(Double(run.learningRate)))" + factor + "  ", x: x, y: inside.y, clip: inside)
      if state.isSweep { drawRunLegend(from: x, in: inside, on: &buffer) }
      return
    }
    // A narrow chart says the same in fewer words (`smooth 0.9`, `batch`, `◆ 0.470`); with a
    // weight average too little room for all (80 columns), it leaves out the per-batch dots'
    // entry (the dots speak for themselves) so that every value still shows (`sm 0.9`).
    let hasAverage = !averaged(state.runs[state.focus]).isEmpty
    let narrow = inside.width < (hasAverage ? 72 : 56)
    let tight = hasAverage && !state.isSweep && inside.width < 58
    let weight = state.smoothingWeight
    let smoothWord = tight ? "sm" : narrow ? "smooth" : "smoothed"
    let smoothing = weight == 0 ? (narrow ? "raw  " : "not smoothed  ") : "\(smoothWord) \(LineChart.compact(weight))  "
    x = buffer.put(state.isSweep ? "train  " : smoothing, x: x, y: inside.y, clip: inside)
    if !tight {
      x = buffer.put(ascii ? ". " : (options.color ? "⠒ " : "⠂ "), x: x, y: inside.y, style: rawStyle, clip: inside)
      x = buffer.put(state.isSweep || narrow ? "batch  " : "per batch  ", x: x, y: inside.y, clip: inside)
    }
    if state.isSweep {
      drawRunLegend(from: x, in: inside, on: &buffer)
    } else {
      x = buffer.put("\(marker) ", x: x, y: inside.y, style: validationStyle, clip: inside)
      x = buffer.put("val", x: x, y: inside.y, clip: inside)
      // The latest value beside "validation", the best epoch's beside its ◆ (RunRecord's best).
      if let last = validation.last {
        let value = kind == .loss ? Format.fixed(last.y, 3) : Format.percent(Float(last.y))
        x = buffer.put(" \(value)", x: x, y: inside.y, style: options.paint(.bold), clip: inside)
      }
      if kind == .loss, let best = state.bestEpoch {
        x = buffer.put("  \(options.glyphs.best) ", x: x, y: inside.y, style: options.paint(Style(foreground: .yellow, bold: true)), clip: inside)
        if !narrow { x = buffer.put("best ", x: x, y: inside.y, clip: inside) }
        x = buffer.put(Format.fixed(Double(best.criterion), 3), x: x, y: inside.y, style: options.paint(.bold), clip: inside)
      }
      drawAverageLegend(from: x, narrow: narrow, in: inside, on: &buffer)
    }
  }

  /// `◎ average 0.031` (`avg` on a narrow chart): the weight average's latest value.
  private func drawAverageLegend(from start: Int, narrow: Bool, in inside: Rect, on buffer: inout ScreenBuffer) {
    guard let last = averaged(state.runs[state.focus]).last else { return }
    var x = buffer.put("  \(options.glyphs.average) ", x: start, y: inside.y, style: options.paint(Self.averageStyle), clip: inside)
    x = buffer.put(narrow ? "avg " : "average ", x: x, y: inside.y, clip: inside)
    let value = kind == .loss ? Format.fixed(last.y, 3) : Format.percent(Float(last.y))
    buffer.put(value, x: x, y: inside.y, style: options.paint(.bold), clip: inside)
  }
}
