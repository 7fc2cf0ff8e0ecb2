import DNN
import TerminalUI

/// Two header rows: run, data, model, progress and state; then speed, ETA, rate and notices.
struct HeaderPanel {
  let state: DashboardState
  let options: RenderOptions

  /// The colour of a run's state, here and in the runs panel.
  static func statusStyle(_ status: DashboardState.Status, options: RenderOptions) -> Style {
    switch status {
    case .running, .stepping: options.paint(Style(foreground: .green, bold: true))
    case .paused: options.paint(Style(foreground: .yellow, bold: true))
    case .finished: options.paint(Style(foreground: .cyan, bold: true))
    case .stopped, .starting, .interrupted: options.paint(.bold)
    case .queued, .skipped: options.paint(.dim)
    case .diverged, .failed: options.paint(Style(foreground: .red, bold: true, reverse: true))
    }
  }

  /// The state word of a run: `FOLLOWING` while another process trains it.
  static func statusText(_ run: RunState) -> String {
    run.following && run.isLive ? "FOLLOWING" : run.status.rawValue
  }

  /// One piece of a header row: lower `priority` numbers are kept first when the row is short.
  struct Item {
    var text: String
    var style: Style
    var priority: Int
  }

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    let brand = Item(text: "diy-dnn", style: options.paint(Style(foreground: .cyan, bold: true)), priority: 5)
    // Row 1: the state at the right; the run and where it stands before it.
    let status = " \(Self.statusText(state.focused)) "
    let statusX = rect.maxX - status.count - 1
    buffer.put(status, x: statusX, y: rect.y, style: Self.statusStyle(state.status, options: options))
    let row1 = Rect(x: rect.x, y: rect.y, width: statusX - rect.x - 1, height: 1)
    guard let run = state.run else {
      let waiting = switch state.status {
      case .queued where !state.pausedAheadOfTheQueue.isEmpty:
        "queued: waits for \(state.pausedAheadOfTheQueue.joined(separator: ", ")), paused (\(KeyMap.name(.togglePause)) there resumes it; \(KeyMap.name(.skip)) skips this one)"
      case .queued: "queued: starts when the runs before it leave a place (\(KeyMap.name(.skip)) skips it)"
      case .skipped: "skipped"
      case .failed: state.message ?? "failed"
      default:
        state.waitingFor.map { "waiting for runs in \($0): `dnn train --out \($0)` starts one (\(KeyMap.name(.quit)) quits)" }
          ?? "loading data and building the model…"
      }
      draw([brand] + nameItems(state.name) + [Item(text: waiting, style: options.paint(.dim), priority: 0)], in: row1, on: &buffer)
      if let notice = state.shownNotice {
        draw([Item(text: notice, style: options.paint(Style(foreground: .yellow)), priority: 0)],
             in: Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: 1), on: &buffer)
      }
      return
    }
    let epochText = "epoch \(min(state.epoch + 1, run.epochs))/\(run.epochs)  batch \(state.batch)/\(run.batchesPerEpoch)"
    draw([brand] + nameItems(run.runName) + [
      Item(text: epochText, style: options.paint(.bold), priority: 0),
      Item(text: run.modelOneLine, style: options.paint(.plain), priority: 6),
      Item(text: "\(run.dataset) (\(Format.grouped(run.trainCount)) train, \(Format.grouped(run.validation.count)) val)",
           style: options.paint(.dim), priority: 7),
    ], in: row1, on: &buffer)
    // Row 2: the numbers that matter, then the notice; speed and counters only when there is room.
    var items: [Item] = []
    let bold = options.paint(.bold), plain = options.paint(.plain)
    // A notice answers the key just pressed and goes in seconds: on a narrow terminal the
    // figures make room for it rather than cut it (they are back when it goes).
    let figures = state.shownNotice == nil ? 0 : 1
    if let last = state.epochReports.last {
      items.append(Item(text: "val acc \(Format.percent(last.validationAccuracy)) (last)", style: bold, priority: figures))
    }
    if let test = state.focused.record?.testText { items.append(Item(text: test, style: bold, priority: figures)) }
    if state.status == .paused && state.pausedAheadOfTheQueue.contains(state.name) {
      let waiting = state.runs.filter { $0.status == .queued }.count
      items.append(Item(text: "\(waiting) queued run\(waiting == 1 ? "" : "s") wait\(waiting == 1 ? "s" : "") for it", style: options.paint(Style(foreground: .yellow)), priority: 0))
    }
    if let eta = state.secondsRemaining {
      items.append(Item(text: "ETA \(Format.duration(eta))" + (state.status == .paused ? " when resumed" : ""), style: plain, priority: 1))
    }
    items.append(Item(text: "lr \(LineChart.compact(Double(state.learningRate)))", style: plain, priority: 2))
    if let best = state.bestEpoch { items.append(Item(text: best.text, style: plain, priority: 4)) }
    items.append(Item(text: "step \(Format.grouped(state.step))", style: plain, priority: 3))
    if state.isLive { items.append(Item(text: "\(Format.grouped(Int(saturating: state.samplesPerSecond))) samples/s", style: plain, priority: 6)) }
    if let text = state.shownNotice ?? state.message {
      let failed = state.shownNotice == nil && (state.status == .diverged || state.status == .failed)
      items.append(Item(text: text, style: options.paint(Style(foreground: failed ? .red : .yellow, bold: failed)), priority: 0))
    }
    draw(items, in: Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: 1), on: &buffer)
  }

  /// The run's name and, in a sweep, which run it is (`run 2/5`).
  private func nameItems(_ name: String) -> [Item] {
    var items: [Item] = name.isEmpty ? [] : [Item(text: name, style: options.paint(.bold), priority: 1)]
    if state.isSweep { items.append(Item(text: "run \(state.focus + 1)/\(state.runs.count)", style: options.paint(.plain), priority: 2)) }
    return items
  }

  /// Draws `items` in order with separators, leaving out the lowest priorities until the rest
  /// fits; an item that still does not fit alone is shortened with an ellipsis.
  func draw(_ items: [Item], in rect: Rect, on buffer: inout ScreenBuffer) {
    let separator = options.glyphs.ascii ? " | " : " │ "
    var kept = items
    func width(_ list: [Item]) -> Int { 1 + list.map(\.text.count).reduce(0, +) + max(list.count - 1, 0) * separator.count }
    while width(kept) > rect.width, let lowest = kept.map(\.priority).max(), lowest > 0 {
      kept.remove(at: kept.lastIndex { $0.priority == lowest }!)
    }
    var x = rect.x + 1
    for (i, item) in kept.enumerated() {
      if i > 0 { x = buffer.put(separator, x: x, y: rect.y, style: options.paint(.dim), clip: rect) }
      let room = rect.maxX - x
      let text = room > 1 ? options.glyphs.cut(item.text, to: room) : item.text
      x = buffer.put(text, x: x, y: rect.y, style: item.style, clip: rect)
    }
  }
}
