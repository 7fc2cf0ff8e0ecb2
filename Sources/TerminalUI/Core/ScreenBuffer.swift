/// A width x height grid of cells that widgets draw into; the renderer diffs two of them.
public struct ScreenBuffer: Equatable, Sendable {
  public let width: Int
  public let height: Int
  public private(set) var cells: [Cell]

  /// A blank buffer.
  public init(width: Int, height: Int) {
    self.width = max(0, width)
    self.height = max(0, height)
    cells = Array(repeating: .blank, count: self.width * self.height)
  }

  /// The whole buffer as a rectangle.
  public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

  /// The cell at column x, row y (blank outside).
  public subscript(x: Int, y: Int) -> Cell {
    get { x >= 0 && x < width && y >= 0 && y < height ? cells[y * width + x] : .blank }
    set { if x >= 0 && x < width && y >= 0 && y < height { cells[y * width + x] = newValue } }
  }

  /// Writes `text` from (x, y) rightwards, clipped to `clip` (default: the buffer); returns
  /// the column after the last character written. Combining marks (a decomposed accent in a run
  /// name) are left out: a cell holds one scalar, and a mark on its own would shift the row.
  @discardableResult
  public mutating func put(_ text: String, x: Int, y: Int, style: Style = .plain, clip: Rect? = nil) -> Int {
    let area = clip ?? bounds
    let scalars = text.unicodeScalars.filter { ![.nonspacingMark, .enclosingMark].contains($0.properties.generalCategory) }
    guard y >= area.y && y < area.maxY else { return x + scalars.count }
    var column = x
    for scalar in scalars {
      if column >= area.maxX { break }
      if column >= area.x { self[column, y] = Cell(scalar, style: style) }
      column += 1
    }
    return column
  }

  /// Sets every cell of `rect` to `cell`.
  public mutating func fill(_ rect: Rect, with cell: Cell = .blank) {
    for y in max(rect.y, 0)..<min(rect.maxY, height) {
      for x in max(rect.x, 0)..<min(rect.maxX, width) { cells[y * width + x] = cell }
    }
  }

  /// The characters, one line per row, trailing spaces kept (for golden tests and captures).
  public var text: String {
    (0..<height).map { y in
      var line = String.UnicodeScalarView()
      for x in 0..<width { line.append(cells[y * width + x].character) }
      return String(line)
    }.joined(separator: "\n")
  }

  /// `text` with trailing spaces removed from each line.
  public var trimmedText: String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      var s = Substring(line)
      while s.last == " " { s.removeLast() }
      return String(s)
    }.joined(separator: "\n")
  }

  /// Sets every cell's foreground and background to the terminal's default, keeping bold and
  /// reverse (for terminals and users without colour).
  public mutating func removeColours() {
    for i in cells.indices {
      cells[i].style.foreground = .default
      cells[i].style.background = .default
    }
  }

  /// Replaces every non-ASCII character with its ASCII stand-in (`Glyphs.ascii`): the guarantee
  /// behind `--ascii`, whatever a widget or a message wrote.
  public mutating func makeASCII() {
    for i in cells.indices where !cells[i].character.isASCII {
      cells[i].character = Glyphs.ascii(cells[i].character)
    }
  }
}
