import DNN
import TerminalUI

/// Shared formatting for panels.
enum Format {
  static func percent(_ v: Float) -> String { RunRecord.percent(v) }

  /// `1:02:03` or `2:03`.
  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "–" }
    let s = Int(saturating: seconds)
    return s >= 3600 ? "\(s / 3600):\(pad2(s / 60 % 60)):\(pad2(s % 60))" : "\(s / 60):\(pad2(s % 60))"
  }

  static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

  /// Groups thousands: `41230` -> `41,230`.
  static func grouped(_ n: Int) -> String { n.grouped }

  /// Fixed decimals: `fixed(0.12345, 3)` -> `0.123`.
  static func fixed(_ v: Double, _ decimals: Int) -> String {
    guard v.isFinite else { return v.isNaN ? "–" : "\(v)" }
    guard abs(v) < 1e12 else { return "\(v)" }
    let scale = Double(Int(pow10(decimals)))
    let r = Int((abs(v) * scale).rounded())
    let whole = r / Int(scale), fraction = r % Int(scale)
    var f = String(fraction)
    while f.count < decimals { f = "0" + f }
    return (v < 0 && r != 0 ? "-" : "") + "\(whole)" + (decimals > 0 ? ".\(f)" : "")
  }

  private static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { r, _ in r * 10 } }

  /// Right-aligns `text` in `width` columns.
  static func right(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
  }

  /// Left-aligns `text` in `width` columns, cutting it when longer.
  static func left(_ text: String, _ width: Int) -> String {
    text.count >= width ? String(text.prefix(width)) : text + String(repeating: " ", count: width - text.count)
  }

  /// `text` wrapped like `wrap`, keeping its leading spaces on every line (continuation lines
  /// indented two more), for indented panel lines.
  static func wrapIndented(_ text: String, width: Int) -> [String] {
    guard text.count > width else { return [text] }
    let indent = text.prefix { $0 == " " }.count
    let lines = wrap(String(text.dropFirst(indent)), width: max(width - indent - 2, 8))
    return lines.enumerated().map { String(repeating: " ", count: indent + ($0.offset > 0 ? 2 : 0)) + $0.element }
  }

  /// `text` in lines of at most `width` characters, broken at spaces (a longer word is cut).
  static func wrap(_ text: String, width: Int) -> [String] {
    guard width > 0 else { return [text] }
    var lines: [String] = [], line = ""
    for word in text.split(separator: " ") {
      if !line.isEmpty && line.count + 1 + word.count > width {
        lines.append(line)
        line = ""
      }
      line += (line.isEmpty ? "" : " ") + word
      while line.count > width {
        lines.append(String(line.prefix(width)))
        line = String(line.dropFirst(width))
      }
    }
    if !line.isEmpty { lines.append(line) }
    return lines
  }
}
