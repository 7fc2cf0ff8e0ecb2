/// Tables as the commands print and write them: aligned text, Markdown, CSV.
enum TextTable {
  /// Columns padded to their widest cell: the first left-aligned, the others right-aligned,
  /// except the columns in `left`.
  static func aligned(_ rows: [[String]], left: Set<Int> = [0]) -> String {
    let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
    return rows.map { row in
      row.enumerated().map { c, cell in
        let pad = String(repeating: " ", count: widths[c] - cell.count)
        return left.contains(c) ? cell + pad : pad + cell
      }.joined(separator: "  ").trimmingTrailingSpaces
    }.joined(separator: "\n")
  }

  static func markdown(_ rows: [[String]]) -> String {
    var lines = ["| " + rows[0].joined(separator: " | ") + " |", "|" + String(repeating: "---|", count: rows[0].count)]
    lines += rows.dropFirst().map { "| " + $0.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |" }
    return lines.joined(separator: "\n") + "\n"
  }

  /// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled (run
  /// names of sweeps have commas: `mlp-batch=64,lr=0.01`).
  static func csv(_ rows: [[String]]) -> String {
    rows.map { row in
      row.map { field in
        field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
          ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
      }.joined(separator: ",")
    }.joined(separator: "\n") + "\n"
  }
}

extension String {
  var trimmingTrailingSpaces: String {
    var s = Substring(self)
    while s.last == " " { s = s.dropLast() }
    return String(s)
  }
}
