import DNN
import TerminalUI

/// The bottom row: key hints from the key map.
struct FooterPanel {
  let options: RenderOptions
  /// Whether the run still trains (else only the keys that still act are listed).
  var live = true
  /// Several runs: the keys that choose and skip runs are listed too.
  var sweep = false
  /// The view under the overlays: a view other than the board lists its own keys.
  var view = DashboardMode.board

  /// Which hints a narrow footer drops first.
  static let dropOrder: [DashboardAction] = [.smoothLess, .xAxis, .rateChart, .cellUp, .zoom, .logScale, .learningRateUp, .fork, .skip, .mistakesOnly, .confusion]


  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    let style = options.paint(Style(foreground: .grey, reverse: true))
    buffer.fill(rect, with: Cell(" ", style: style))
    // Narrow terminals lose the hints of views first, then of the rarer keys: `? help` and
    // `q quit` always stay.
    var hints = KeyMap.footerHints(in: view, ascii: options.glyphs.ascii) ?? KeyMap.footerHints(ascii: options.glyphs.ascii, live: live, sweep: sweep)
    // The keys that open views (`DashboardAction.views`), where their hints do not all fit,
    // share one (`w e i v u L A d views`); help says what each does.
    let views = DashboardAction.views.filter { hints.contains(KeyMap.hint($0, ascii: options.glyphs.ascii)) }
    let viewHints = views.map { KeyMap.hint($0, ascii: options.glyphs.ascii) }
    if 1 + hints.joined(separator: "  ").count > rect.width, let first = hints.firstIndex(where: viewHints.contains) {
      hints.removeAll { viewHints.contains($0) }
      hints.insert(views.map { KeyMap.key($0, ascii: options.glyphs.ascii) }.joined(separator: " ") + " views", at: first)
    }
    var droppable = Self.dropOrder.map { KeyMap.hint($0, ascii: options.glyphs.ascii) }.filter(hints.contains)
    while 1 + hints.joined(separator: "  ").count > rect.width {
      if droppable.isEmpty {
        guard hints.count > 2 else { break }
        hints.remove(at: hints.count - 3)
      } else {
        let next = droppable.removeFirst()
        hints.removeAll { $0 == next }
      }
    }
    buffer.put(" " + hints.joined(separator: "  "), x: rect.x, y: rect.y, style: style, clip: rect)
  }
}
