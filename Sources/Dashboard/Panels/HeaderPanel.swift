import DNN
import TerminalUI

/// Two header rows: run, data, model, progress and state; then speed, ETA, rate and notices.
struct HeaderPanel {
  let state: DashboardState
  let options: RenderOptions

  func statusStyle(_ status: DashboardState.Status) -> Style {
    switch status {
    case .running, .stepping: options.paint(Style(foreground: .green, bold: true))
    case .paused: options.paint(Style(foreground: .yellow, bold: true))
    case .finished: options.paint(Style(foreground: .cyan, bold: true))
    case .stopped, .starting: options.paint(.bold)
    case .diverged, .failed: options.paint(Style(foreground: .red, bold: true, reverse: true))
    }
  }

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    let dim = options.paint(.dim), separator = options.glyphs.ascii ? " | " : " │ "
    var x = buffer.put(" diy-dnn ", x: rect.x, y: rect.y, style: options.paint(Style(foreground: .cyan, bold: true)))
    guard let run = state.run else {
      buffer.put("loading data and building the model…", x: x, y: rect.y, style: dim, clip: rect)
      return
    }
    let status = " \(state.status.rawValue) "
    let statusX = rect.maxX - status.count - 1
    let top = Rect(x: rect.x, y: rect.y, width: statusX - rect.x - 1, height: 1)
    x = buffer.put(run.runName, x: x, y: rect.y, style: options.paint(.bold), clip: top)
    x = buffer.put(separator, x: x, y: rect.y, style: dim, clip: top)
    let epochText = "epoch \(min(state.epoch + 1, run.epochs))/\(run.epochs)  batch \(state.batch)/\(run.batchesPerEpoch)"
    x = buffer.put(epochText, x: x, y: rect.y, style: options.paint(.bold), clip: top)
    x = buffer.put(separator, x: x, y: rect.y, style: dim, clip: top)
    x = buffer.put(run.modelOneLine, x: x, y: rect.y, clip: top)
    x = buffer.put(separator, x: x, y: rect.y, style: dim, clip: top)
    buffer.put("\(run.dataset) (\(Format.grouped(run.trainCount)) train, \(Format.grouped(run.validation.count)) val)", x: x, y: rect.y, style: dim, clip: top)
    buffer.put(status, x: statusX, y: rect.y, style: statusStyle(state.status))

    let line = rect.y + 1
    var parts = ["step \(Format.grouped(state.step))", "\(Format.grouped(Int(saturating: state.samplesPerSecond))) samples/s"]
    if let eta = state.secondsRemaining { parts.append("ETA \(Format.duration(eta))") }
    parts.append("lr \(LineChart.compact(Double(state.learningRate)))")
    if let last = state.epochReports.last {
      parts.append("val acc \(Format.percent(last.validationAccuracy))")
    }
    if let best = state.bestEpoch { parts.append("best val loss \(Format.fixed(Double(best.validationLoss), 4)) @ \(best.epoch)") }
    if let ms = state.frameMilliseconds { parts.append("ui \(Format.fixed(ms, 1)) ms/frame") }
    x = rect.x + 1
    for (i, part) in parts.enumerated() {
      if i > 0 { x = buffer.put(separator, x: x, y: line, style: dim, clip: rect) }
      x = buffer.put(part, x: x, y: line, clip: rect)
    }
    if let message = state.message {
      let style = state.status == .diverged || state.status == .failed
        ? options.paint(Style(foreground: .red, bold: true)) : options.paint(Style(foreground: .yellow))
      buffer.put("  " + message, x: x, y: line, style: style, clip: rect)
    }
  }
}
