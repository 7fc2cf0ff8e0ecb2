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

  /// Whether the tiles are shown at half size (`z`: 2x2 pixels averaged, four times as many on
  /// a page); only tiles of 14 pixels or more are halved.
  static func halves(_ snapshot: WeightSnapshot, _ state: DashboardState) -> Bool { state.halfSizeWeights && snapshot.tileRows >= 14 }

  /// Unit `unit`'s tile as drawn: its values (largest magnitude 1), rows and columns.
  static func tile(_ unit: Int, of snapshot: WeightSnapshot, half: Bool) -> HeatTile {
    let tile = HeatTile(values: ArraySlice(snapshot.tile(unit)), rows: snapshot.tileRows, columns: snapshot.tileColumns,
                        scale: scale(side: snapshot.tileColumns))
    return half ? tile.halved() : tile
  }

  /// Tiles per row and per column in `rect` for `snapshot`.
  static func grid(_ snapshot: WeightSnapshot, half: Bool, in rect: Rect) -> (columns: Int, rows: Int) {
    let tile = tile(0, of: snapshot, half: half)
    return (max(1, (rect.width + 2) / (tile.width + 2)), max(1, rect.height / (tile.height + 1)))
  }

  /// The tiles one page of the view holds in `area` (the body the view covers), for paging.
  static func tilesPerPage(_ state: DashboardState, in area: Rect) -> Int {
    guard let snapshot = state.weights else { return 1 }
    let inside = Rect(x: area.x + 1, y: area.y + 2, width: area.width - 2, height: area.height - 3)
    let (columns, rows) = grid(snapshot, half: halves(snapshot, state), in: inside)
    return columns * rows
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
    let half = Self.halves(snapshot, state)
    let probe = Box(title: "", hints: "").draw(in: rect, on: &buffer, glyphs: options.glyphs)
    let (columns, _) = Self.grid(snapshot, half: half, in: Rect(x: probe.x, y: probe.y + 1, width: probe.width, height: probe.height - 1))
    let perPage = Self.tilesPerPage(state, in: rect)
    let pages = (snapshot.units + perPage - 1) / perPage
    let page = min(state.weightsPage, pages - 1)
    let first = page * perPage, last = min(first + perPage, snapshot.units)
    let title = "Layer 0 weights, \(snapshot.summary), epoch \(snapshot.epoch): units \(first + 1)-\(last) of \(snapshot.units)"
      + (pages > 1 ? ", page \(page + 1)/\(pages)" : "")
    let hints = (snapshot.tileRows >= 14 ? "\(KeyMap.name(.zoom)) \(half ? "full" : "half") size  " : "") + Self.closeHint
    let inside = Box(title: title, hints: hints, style: options.paint(.dim), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    let shades = options.glyphs.signedShades
    let legend = options.color && !options.glyphs.ascii
      ? "each tile on its own scale: red positive, blue negative, white 0"
      : "each tile on its own scale: \(shades.positive.last!) positive, \(shades.negative.last!) negative, blank 0"
    buffer.put(legend, x: inside.x, y: inside.y, style: options.paint(.dim), clip: inside)
    for unit in first..<last {
      let tile = Self.tile(unit, of: snapshot, half: half)
      let index = unit - first
      let x = inside.x + (index % columns) * (tile.width + 2), y = inside.y + 1 + (index / columns) * (tile.height + 1)
      tile.draw(x: x, y: y, on: &buffer, color: options.color, glyphs: options.glyphs)
      buffer.put("\(unit + 1)", x: x, y: y + tile.height, style: options.paint(.dim), clip: inside)
    }
  }
}
