import DNN
import TerminalUI

/// The weights view (`w`): the focused run's first layer as tiles over the body, one per unit,
/// as many as fit, each on its own symmetric scale (`HeatTile`): what each hidden unit of a
/// dense layer looks for in the 28x28 pixels, or a convolution's k×k filters enlarged.
struct WeightsPanel {
  let state: DashboardState
  let options: RenderOptions
  /// `w/Esc close`.
  static var closeHint: String { "\(KeyMap.name(.weights))/\(KeyMap.name(.close)) close" }

  /// How many times a tile of `side` pixels is enlarged: filters are small.
  static func scale(side: Int) -> Int { side >= 14 ? 1 : max(1, 12 / side) }

  /// Tiles per row and per column in `rect` for `snapshot`.
  static func grid(_ snapshot: WeightSnapshot, in rect: Rect) -> (columns: Int, rows: Int) {
    let tile = HeatTile(values: ArraySlice(snapshot.tile(0)), rows: snapshot.tileRows, columns: snapshot.tileColumns,
                        scale: scale(side: snapshot.tileColumns))
    return (max(1, (rect.width + 2) / (tile.width + 2)), max(1, rect.height / (tile.height + 1)))
  }

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    buffer.fill(rect)
    guard let snapshot = state.weights else {
      let inside = Box(title: "Weights", hints: Self.closeHint, style: options.paint(.dim), titleStyle: options.paint(.bold))
        .draw(in: rect, on: &buffer, glyphs: options.glyphs)
      buffer.put("no weights to show: the first layer is not a dense layer on the pixels or a convolution", x: inside.x, y: inside.y,
                 style: options.paint(.dim), clip: inside)
      return
    }
    let probe = Box(title: "", hints: "").draw(in: rect, on: &buffer, glyphs: options.glyphs)
    let (columns, rows) = Self.grid(snapshot, in: Rect(x: probe.x, y: probe.y + 1, width: probe.width, height: probe.height - 1))
    let perPage = columns * rows
    let pages = (snapshot.units + perPage - 1) / perPage
    let page = min(state.weightsPage, pages - 1)
    let first = page * perPage, last = min(first + perPage, snapshot.units)
    let title = "Layer 0 weights, \(snapshot.summary), epoch \(snapshot.epoch): units \(first + 1)-\(last) of \(snapshot.units)"
      + (pages > 1 ? ", page \(page + 1)/\(pages)" : "")
    let hints = pages > 1 ? "\(KeyMap.name(.pageBack))/\(KeyMap.name(.pageForward))  \(KeyMap.name(.weights))/\(KeyMap.name(.close))" : Self.closeHint
    let inside = Box(title: title, hints: hints, style: options.paint(.dim), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    let legend = options.color && !options.glyphs.ascii
      ? "each tile on its own scale: red positive, blue negative, white 0"
      : "each tile on its own scale: dark positive, blank negative"
    buffer.put(legend, x: inside.x, y: inside.y, style: options.paint(.dim), clip: inside)
    let scale = Self.scale(side: snapshot.tileColumns)
    for unit in first..<last {
      let tile = HeatTile(values: ArraySlice(snapshot.tile(unit)), rows: snapshot.tileRows, columns: snapshot.tileColumns, scale: scale)
      let index = unit - first
      let x = inside.x + (index % columns) * (tile.width + 2), y = inside.y + 1 + (index / columns) * (tile.height + 1)
      tile.draw(x: x, y: y, on: &buffer, color: options.color, glyphs: options.glyphs)
      buffer.put("\(unit + 1)", x: x, y: y + tile.height, style: options.paint(.dim), clip: inside)
    }
  }
}
