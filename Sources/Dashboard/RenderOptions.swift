import DNN
import TerminalUI

/// How the dashboard draws: colours on or off, Unicode or ASCII glyphs.
public struct RenderOptions: Sendable {
  public var color: Bool
  public var glyphs: Glyphs

  public init(color: Bool = true, ascii: Bool = false) {
    self.color = color
    glyphs = Glyphs(ascii: ascii)
  }

  /// `style`, or plain text when colours are off (bold and reverse stay).
  func paint(_ style: Style) -> Style {
    color ? style : Style(bold: style.bold, reverse: style.reverse)
  }
}
