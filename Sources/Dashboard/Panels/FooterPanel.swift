import DNN
import TerminalUI

/// The bottom row: key hints from the key map.
struct FooterPanel {
  let options: RenderOptions

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    let style = options.paint(Style(foreground: .grey, reverse: true))
    buffer.fill(rect, with: Cell(" ", style: style))
    buffer.put(" " + KeyMap.footer(ascii: options.glyphs.ascii), x: rect.x, y: rect.y, style: style, clip: rect)
  }
}
