import DNN
import TerminalUI

/// The bottom row: key hints from the key map.
struct FooterPanel {
  let options: RenderOptions
  /// Whether the run still trains (else only the keys that still act are listed).
  var live = true

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    let style = options.paint(Style(foreground: .grey, reverse: true))
    buffer.fill(rect, with: Cell(" ", style: style))
    buffer.put(" " + KeyMap.footer(ascii: options.glyphs.ascii, live: live), x: rect.x, y: rect.y, style: style, clip: rect)
  }
}
