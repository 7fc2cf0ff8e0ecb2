import TerminalUI

/// How run `index` looks wherever runs are told apart (overlaid curves, legend, runs panel):
/// a colour and a marker. Markers alone tell 24 runs apart (without colour, in ASCII too);
/// with colour, the pair does. The one owner of those choices.
enum RunStyle {
  static let colours: [Color] = [.orange, .magenta, .green, .blue, .yellow, .red]
  static let markers: [Unicode.Scalar] = ["●", "▲", "■", "★", "✚", "✖", "▼", "◀", "▶", "○", "△", "□", "☆", "◇", "♠", "♣", "♥", "♦", "✦", "✱", "◐", "◑", "⊕", "⊗"]
  /// ASCII markers: none of them a chart's own mark (`.` per batch, `@` best, `|` and the
  /// intervention letters P R S L V F), nor `=` and `,`, which sweep names are made of.
  static let asciiMarkers: [Unicode.Scalar] = ["o", "^", "#", "*", "+", "x", "v", "<", ">", "%", "&", "W", "$", "~", "?", "A", "H", "K", "N", "T", "U", "X", "Y", "Z"]

  /// The colour of run `index`.
  static func colour(_ index: Int) -> Color { colours[index % colours.count] }

  /// The marker of run `index`.
  static func marker(_ index: Int, ascii: Bool) -> Unicode.Scalar {
    let set = ascii ? asciiMarkers : markers
    return set[index % set.count]
  }
}
