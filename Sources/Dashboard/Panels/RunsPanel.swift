import DNN
import TerminalUI

/// The runs of a sweep (or of an opened folder, or forks): one row each with its name, what
/// sets it apart, its state, epoch, best validation accuracy, test accuracy and speed. The
/// focused run's row is highlighted; its marker is its curve's on the charts.
struct RunsPanel {
  let state: DashboardState
  let options: RenderOptions

  /// Rows a runs panel needs to show `count` runs (borders and column header included), at most
  /// `maxRows` runs at once.
  static func height(runs count: Int, maxRows: Int) -> Int { min(count, maxRows) + 3 }

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    // Skipping and forking concern live runs only: their hints go once every run has ended.
    let live = state.runs.contains(where: \.isLive)
    let hints = ([.nextRun, .overlay] + (live ? [DashboardAction.skip, .fork] : []))
      .map { KeyMap.hint($0, ascii: options.glyphs.ascii) }.joined(separator: "  ")
    let finished = state.runs.filter { !$0.isLive }.count
    let rows = max(rect.height - 3, 1)
    let first = Self.firstRow(focus: state.focus, rows: rows, count: state.runs.count)
    // Which rows show when they do not all fit: the panel scrolls with the focus.
    let window = state.runs.count > rows ? " · rows \(first + 1)-\(first + rows) of \(state.runs.count)" : ""
    let title = "Runs (\(finished)/\(state.runs.count) done\(window)) · best val, test: \(Self.testLegend(state.runs))"
    let inside = Box(title: title, hints: hints, style: options.paint(.dim), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    guard inside.height >= 2 else { return }
    drawEnsemble(below: inside, on: &buffer)
    // Fixed columns at the right; name and summary share the rest.
    let right = [(" state", 12), ("epoch", 9), ("best val", 9), ("test", 7), ("s/ep", 7)]
    let rightWidth = right.map(\.1).reduce(0, +)
    let flexible = max(inside.width - 3 - rightWidth, 8)
    // The name first (it is what Tab shows in the header), the summary in what is left.
    let nameWidth = min(max(state.runs.map(\.name.count).max() ?? 8, 8), max(flexible - 12, 8))
    let summaryWidth = max(flexible - nameWidth - 1, 0)
    var header = "   " + Format.left("run", nameWidth) + " " + Format.left(summaryWidth >= 5 ? Self.summaryHeader(several: state.runs.count > 1, width: summaryWidth) : "", summaryWidth)
    for (title, width) in right { header += Format.right(title, width) }
    buffer.put(header, x: inside.x, y: inside.y, style: options.paint(.dim), clip: inside)
    // The rows, scrolled so that the focused run shows.
    for (row, index) in (first..<min(first + rows, state.runs.count)).enumerated() {
      drawRow(index, y: inside.y + 1 + row, in: inside, on: &buffer, nameWidth: nameWidth, summaryWidth: summaryWidth, columns: right.map(\.1))
    }
  }

  /// What marks a test figure's model in the test column: none for the best checkpoint, `*` for
  /// the final model, `a` for the weight average.
  static func suffix(_ model: CheckpointKind) -> String {
    switch model {
    case .best: ""
    case .last: "*"
    case .average: "a"
    }
  }

  /// `best checkpoint (* final model)`, with `a weight average` when a run keeps one.
  static func testLegend(_ runs: [RunState]) -> String {
    let averages = runs.contains { !$0.averageLoss.isEmpty || $0.record?.testOfAverage != nil }
    let others: [CheckpointKind] = averages ? [.last, .average] : [.last]
    return RunRecord.modelName(.best) + " (" + others.map { "\(suffix($0)) \(RunRecord.modelName($0))" }.joined(separator: ", ") + ")"
  }

  /// The runs scored as one ensemble on their latest validation predictions (the mean of their
  /// probabilities, `Ensemble`), on the panel's bottom border: `ensemble of 3: val 99.0%, +0.5
  /// over ◆ seed=2`. Runs on other validation digits than the focused run's are left out; fewer
  /// than two members, nothing.
  static func ensembleText(_ runs: [RunState], focus: Int, ascii: Bool) -> String? {
    guard let labels = runs[focus].predictions?.labels else { return nil }
    let members = runs.indices.filter { runs[$0].predictions?.labels == labels }
    let predictions = members.compactMap { runs[$0].predictions }
    guard predictions.count >= 2, let scored = try? Ensemble(predictions), let best = Ensemble.bestMember(predictions) else { return nil }
    let gain = (scored.metrics.accuracy - best.accuracy) * 100
    let sign = gain < 0 ? "-" : "+"
    return "ensemble of \(predictions.count): val \(Format.percent(scored.metrics.accuracy)), \(sign)\(Format.fixed(Double(abs(gain)), 1)) over "
      + "\(RunStyle.marker(members[best.index], ascii: ascii)) \(runs[members[best.index]].name) \(Format.percent(best.accuracy))"
  }

  private func drawEnsemble(below inside: Rect, on buffer: inout ScreenBuffer) {
    guard let text = Self.ensembleText(state.runs, focus: state.focus, ascii: options.glyphs.ascii) else { return }
    let border = Rect(x: inside.x + 1, y: inside.y + inside.height, width: max(inside.width - 2, 0), height: 1)
    buffer.put(" \(text) ", x: border.x, y: border.y, style: options.paint(Style(foreground: .cyan)), clip: border)
  }

  /// The summary column's header, shortened rather than cut when the column is narrow.
  static func summaryHeader(several: Bool, width: Int) -> String {
    guard several else { return "model · optimizer" }
    return width >= 18 ? "what sets it apart" : "differs"
  }

  /// The first run row shown when `rows` rows show `count` runs: the focused one stays in view.
  static func firstRow(focus: Int, rows: Int, count: Int) -> Int {
    min(max(focus - rows + 1, 0), max(count - rows, 0))
  }

  private func drawRow(_ index: Int, y: Int, in inside: Rect, on buffer: inout ScreenBuffer, nameWidth: Int, summaryWidth: Int, columns: [Int]) {
    let run = state.runs[index]
    let focused = index == state.focus
    let ascii = options.glyphs.ascii
    let rowStyle = options.paint(focused ? Style(bold: true, reverse: true) : .plain)
    if focused { buffer.fill(Rect(x: inside.x, y: y, width: inside.width, height: 1), with: Cell(" ", style: rowStyle)) }
    let number = index < 9 ? "\(index + 1)" : " "
    var x = buffer.put(number, x: inside.x, y: y, style: rowStyle, clip: inside)
    // A run hidden from the overlay (`o`) keeps its marker, dimmed.
    let hidden = state.hiddenRuns.contains(index)
    let markerStyle = options.paint(Style(foreground: hidden ? .darkGrey : RunStyle.colour(index), bold: !hidden, reverse: focused))
    x = buffer.put("\(RunStyle.marker(index, ascii: ascii)) ", x: x, y: y, style: markerStyle, clip: inside)
    x = buffer.put(Format.left(options.glyphs.cut(run.name, to: nameWidth), nameWidth) + " ", x: x, y: y, style: rowStyle, clip: inside)
    let summary = Format.left(options.glyphs.cut(run.summaryLine, to: summaryWidth), summaryWidth)
    x = buffer.put(summary, x: x, y: y, style: focused ? rowStyle : options.paint(.dim), clip: inside)
    let status = HeaderPanel.statusText(run)
    var statusStyle = HeaderPanel.statusStyle(run.status, options: options)
    if focused { statusStyle.reverse = true }
    x = buffer.put(Format.right(status, columns[0]), x: x, y: y, style: statusStyle, clip: inside)
    let epochs = run.run.map { "\(run.epochsDone)/\($0.epochs)" } ?? "–"
    let best = run.bestValidationAccuracy.map(Format.percent) ?? "–"
    let test = run.record?.headlineTest.map { Format.percent($0.metrics.accuracy) + Self.suffix($0.model) } ?? "–"
    let seconds = run.medianSecondsPerEpoch.map { Format.fixed($0, $0 < 10 ? 2 : 1) } ?? "–"
    for (text, width) in zip([epochs, best, test, seconds], columns.dropFirst()) {
      x = buffer.put(Format.right(text, width), x: x, y: y, style: rowStyle, clip: inside)
    }
  }
}
