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

  /// The keys that open views over the body: where their hints do not all fit, they share one
  /// (`w e i v u L A d views`), and help says what each does.
  static let views: [DashboardAction] = [.weights, .layers, .health, .inside, .distributions, .rateFinder, .augmentPreview, .draw]

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    let style = options.paint(Style(foreground: .grey, reverse: true))
    buffer.fill(rect, with: Cell(" ", style: style))
    // Narrow terminals lose the hints of views first, then of the rarer keys: `? help` and
    // `q quit` always stay.
    var hints = KeyMap.footerHints(in: view, ascii: options.glyphs.ascii) ?? KeyMap.footerHints(ascii: options.glyphs.ascii, live: live, sweep: sweep)
    let viewHints = Self.views.map { KeyMap.hint($0, ascii: options.glyphs.ascii) }.filter(hints.contains)
    if 1 + hints.joined(separator: "  ").count > rect.width, let first = hints.firstIndex(where: viewHints.contains) {
      hints.removeAll { viewHints.contains($0) }
      let present = Self.views.filter { viewHints.contains(KeyMap.hint($0, ascii: options.glyphs.ascii)) }
      hints.insert(present.map { KeyMap.key($0, ascii: options.glyphs.ascii) }.joined(separator: " ") + " views", at: first)
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
