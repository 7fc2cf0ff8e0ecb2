import Foundation

/// A strict JSON parser (RFC 8259) for configuration files and safetensors headers: one pass
/// over the bytes (linear time whatever the nesting), nesting limited to `maximumDepth`, and a
/// key that appears twice in one object is an error instead of a silent last-one-wins.
/// Errors say what was found and where (line and column).
struct JSONParser {
  /// Deeper documents are refused: no configuration or header nests anywhere near this.
  static let maximumDepth = 64

  private let bytes: [UInt8]
  private var index = 0
  private var depth = 0

  /// Parses `data` as one JSON value, with nothing but whitespace after it.
  static func parse(_ data: Data) throws -> JSONValue {
    var parser = JSONParser(bytes: [UInt8](data))
    parser.skipWhitespace()
    let value = try parser.value()
    parser.skipWhitespace()
    guard parser.index == parser.bytes.count else { throw parser.error("unexpected text after the document") }
    return value
  }

  private init(bytes: [UInt8]) { self.bytes = bytes }

  private func error(_ what: String) -> ConfigError {
    var line = 1, column = 1
    for b in bytes[..<min(index, bytes.count)] {
      if b == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
    }
    return ConfigError("not valid JSON (\(what) at line \(line), column \(column))")
  }

  private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

  private mutating func skipWhitespace() {
    while let b = current, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { index += 1 }
  }

  private mutating func expect(_ literal: String, _ value: JSONValue) throws -> JSONValue {
    let utf8 = Array(literal.utf8)
    guard bytes.count - index >= utf8.count, Array(bytes[index..<index + utf8.count]) == utf8 else {
      throw error("unexpected character")
    }
    index += utf8.count
    return value
  }

  private mutating func value() throws -> JSONValue {
    guard let b = current else { throw error("unexpected end of the document") }
    switch b {
    case UInt8(ascii: "{"): return try nested { try $0.object() }
    case UInt8(ascii: "["): return try nested { try $0.array() }
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): return try expect("true", .bool(true))
    case UInt8(ascii: "f"): return try expect("false", .bool(false))
    case UInt8(ascii: "n"): return try expect("null", .null)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
    default: throw error("unexpected character '\(Unicode.Scalar(b))'")
    }
  }

  private mutating func nested(_ body: (inout JSONParser) throws -> JSONValue) throws -> JSONValue {
    depth += 1
    defer { depth -= 1 }
    guard depth <= JSONParser.maximumDepth else { throw error("nested deeper than \(JSONParser.maximumDepth) levels") }
    return try body(&self)
  }

  private mutating func object() throws -> JSONValue {
    index += 1  // {
    var members: [String: JSONValue] = [:]
    skipWhitespace()
    if current == UInt8(ascii: "}") {
      index += 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard current == UInt8(ascii: "\"") else { throw error("expected a key in quotes") }
      let keyStart = index
      let key = try string()
      skipWhitespace()
      guard current == UInt8(ascii: ":") else { throw error("expected ':' after key \"\(key)\"") }
      index += 1
      skipWhitespace()
      let member = try value()
      guard members.updateValue(member, forKey: key) == nil else {
        index = keyStart
        throw error("key \"\(key)\" appears twice in one object")
      }
      skipWhitespace()
      switch current {
      case UInt8(ascii: ","): index += 1
      case UInt8(ascii: "}"):
        index += 1
        return .object(members)
      default: throw error(current == nil ? "unexpected end of the document" : "expected ',' or '}'")
      }
    }
  }

  private mutating func array() throws -> JSONValue {
    index += 1  // [
    var items: [JSONValue] = []
    skipWhitespace()
    if current == UInt8(ascii: "]") {
      index += 1
      return .array(items)
    }
    while true {
      skipWhitespace()
      items.append(try value())
      skipWhitespace()
      switch current {
      case UInt8(ascii: ","): index += 1
      case UInt8(ascii: "]"):
        index += 1
        return .array(items)
      default: throw error(current == nil ? "unexpected end of the document" : "expected ',' or ']'")
      }
    }
  }

  private mutating func string() throws -> String {
    index += 1  // opening quote
    var scalars = String.UnicodeScalarView()
    var run = index  // start of the bytes not yet copied
    func flush(_ parser: JSONParser, to end: Int) throws {
      guard let text = String(bytes: parser.bytes[run..<end], encoding: .utf8) else { throw parser.error("invalid UTF-8 in a string") }
      scalars.append(contentsOf: text.unicodeScalars)
    }
    while true {
      guard let b = current else { throw error("unterminated string") }
      if b == UInt8(ascii: "\"") {
        try flush(self, to: index)
        index += 1
        return String(scalars)
      }
      if b < 0x20 { throw error("control character in a string") }
      if b != UInt8(ascii: "\\") {
        index += 1
        continue
      }
      try flush(self, to: index)
      index += 1
      guard let escape = current else { throw error("unterminated string") }
      index += 1
      switch escape {
      case UInt8(ascii: "\""): scalars.append("\"")
      case UInt8(ascii: "\\"): scalars.append("\\")
      case UInt8(ascii: "/"): scalars.append("/")
      case UInt8(ascii: "b"): scalars.append("\u{08}")
      case UInt8(ascii: "f"): scalars.append("\u{0C}")
      case UInt8(ascii: "n"): scalars.append("\n")
      case UInt8(ascii: "r"): scalars.append("\r")
      case UInt8(ascii: "t"): scalars.append("\t")
      case UInt8(ascii: "u"):
        var code = try hex4()
        if (0xD800..<0xDC00).contains(code) {
          guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
            throw error("unpaired surrogate in a string")
          }
          index += 2
          let low = try hex4()
          guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in a string") }
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
        scalars.append(scalar)
      default: throw error("invalid escape '\\\(Unicode.Scalar(escape))'")
      }
      run = index
    }
  }

  private mutating func hex4() throws -> UInt32 {
    guard bytes.count - index >= 4, let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
      throw error("invalid \\u escape")
    }
    index += 4
    return code
  }

  /// A number in JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  private mutating func number() throws -> Double {
    let start = index
    func digits(_ parser: inout JSONParser) -> Int {
      let from = parser.index
      while let b = parser.current, b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") { parser.index += 1 }
      return parser.index - from
    }
    if current == UInt8(ascii: "-") { index += 1 }
    if current == UInt8(ascii: "0") {
      index += 1
    } else if digits(&self) == 0 {
      throw error("invalid number")
    }
    if current == UInt8(ascii: ".") {
      index += 1
      guard digits(&self) > 0 else { throw error("invalid number") }
    }
    if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
      index += 1
      if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
      guard digits(&self) > 0 else { throw error("invalid number") }
    }
    guard let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)) else { throw error("invalid number") }
    return value
  }
}
