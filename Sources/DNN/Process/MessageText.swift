/// Error and status text as the executables print it: control characters from a file or a
/// name (an escape sequence in a damaged log, a carriage return) are shown escaped instead of
/// acting on the terminal, and a single word longer than `longestWord` characters (a 300-letter
/// run name, echoed in a path) is cut in its middle, so a message stays a few lines long.
public enum MessageText {
  public static let longestWord = 100

  public static func readable(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      let v = scalar.value
      let control = (v < 0x20 && scalar != "\n" && scalar != "\t") || (0x7F...0x9F).contains(v)
      out += control ? scalar.escaped(asASCII: true) : String(scalar)
    }
    return out.split(separator: " ", omittingEmptySubsequences: false).map { word in
      guard word.count > longestWord else { return String(word) }
      let keep = longestWord / 2 - 1
      return "\(word.prefix(keep))…(\(word.count - 2 * keep) characters)…\(word.suffix(keep))"
    }.joined(separator: " ")
  }
}
