extension Int {
  /// The number with its thousands grouped: `235146` -> `235,146`, `-1234` -> `-1,234`.
  public var grouped: String {
    let digits = Array(String(magnitude))
    var out = self < 0 ? "-" : ""
    for (i, d) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
      out.append(d)
    }
    return out
  }
}
