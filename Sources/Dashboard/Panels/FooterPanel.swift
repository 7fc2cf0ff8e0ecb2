import DNN
import TerminalUI

/// The bottom row: key hints from the key map.
struct FooterPanel {
  let options: RenderOptions

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    let style = options.paint(Style(foreground: .grey, reverse: true))
    buffer.fill(rect, with: Cell(" ", style: style))
    let hints = options.glyphs.ascii ? KeyMap.footer.replacingOccurrences(of: "←→", with: "h/l") : KeyMap.footer
    buffer.put(" " + hints, x: rect.x, y: rect.y, style: style, clip: rect)
  }
}
