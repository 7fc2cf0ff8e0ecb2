/// A bordered panel with a title on the left of its top edge and key hints on the right.
public struct Box {
  public var title: String
  public var hints: String
  public var style: Style
  public var titleStyle: Style

  public init(title: String, hints: String = "", style: Style = .dim, titleStyle: Style = .bold) {
    self.title = title
    self.hints = hints
    self.style = style
    self.titleStyle = titleStyle
  }

  /// Draws the border in `rect` and returns the inside.
  @discardableResult
  public func draw(in rect: Rect, on buffer: inout ScreenBuffer, glyphs: Glyphs) -> Rect {
    guard rect.width >= 2 && rect.height >= 2 else { return Rect(x: rect.x, y: rect.y, width: 0, height: 0) }
    let right = rect.maxX - 1, bottom = rect.maxY - 1
    for x in rect.x...right {
      buffer[x, rect.y] = Cell(glyphs.horizontal, style: style)
      buffer[x, bottom] = Cell(glyphs.horizontal, style: style)
    }
    for y in rect.y...bottom {
      buffer[rect.x, y] = Cell(glyphs.vertical, style: style)
      buffer[right, y] = Cell(glyphs.vertical, style: style)
    }
    buffer[rect.x, rect.y] = Cell(glyphs.topLeft, style: style)
    buffer[right, rect.y] = Cell(glyphs.topRight, style: style)
    buffer[rect.x, bottom] = Cell(glyphs.bottomLeft, style: style)
    buffer[right, bottom] = Cell(glyphs.bottomRight, style: style)
    let titleClip = Rect(x: rect.x + 1, y: rect.y, width: rect.width - 2, height: 1)
    let titleEnd = buffer.put(" \(glyphs.cut(title, to: rect.width - 4)) ", x: rect.x + 1, y: rect.y, style: titleStyle, clip: titleClip)
    if !hints.isEmpty {
      let text = " \(hints) "
      let start = right - text.unicodeScalars.count
      if start > titleEnd { buffer.put(text, x: start, y: rect.y, style: style, clip: titleClip) }
    }
    return rect.inset()
  }
}
