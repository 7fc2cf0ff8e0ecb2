import DNN
import TerminalUI

/// The bottom row: key hints from the key map.
struct FooterPanel {
  let options: RenderOptions
  /// Whether the run still trains (else only the keys that still act are listed).
  var live = true
  /// Several runs: the keys that choose and skip runs are listed too.
  var sweep = false

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    let style = options.paint(Style(foreground: .grey, reverse: true))
    buffer.fill(rect, with: Cell(" ", style: style))
    // Narrow terminals lose hints from the middle of the list: `? help` and `q quit` always stay.
    var hints = KeyMap.footerHints(ascii: options.glyphs.ascii, live: live, sweep: sweep)
    while hints.count > 2 && 1 + hints.joined(separator: "  ").count > rect.width { hints.remove(at: hints.count - 3) }
    buffer.put(" " + hints.joined(separator: "  "), x: rect.x, y: rect.y, style: style, clip: rect)
  }
}
