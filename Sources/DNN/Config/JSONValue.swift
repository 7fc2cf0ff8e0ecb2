import Foundation

/// A parsed JSON document, keeping booleans, numbers and null apart, so that configuration
/// errors can say exactly what was found.
public enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  /// Parses `data` (`JSONParser`: strict, linear, nesting limited, duplicate keys refused).
  /// Parses JSON text; a UTF-8 byte-order mark before it (an editor's) is skipped.
  public static func parse(_ data: Data) throws -> JSONValue {
    try JSONParser.parse(data.starts(with: [0xEF, 0xBB, 0xBF]) ? Data(data.dropFirst(3)) : data)
  }

  /// A Float as the shortest decimal that reads back as it (0.981, not the 0.9810000061988831
  /// its Double conversion prints); null when not finite.
  public static func float(_ value: Float) -> JSONValue {
    value.isFinite ? .number(Double("\(value)") ?? Double(value)) : .null
  }

  /// A short description of the value's type, for messages.
  public var typeName: String {
    switch self {
    case .null: "null"
    case .bool: "a boolean"
    case .number: "a number"
    case .string: "a string"
    case .array: "a list"
    case .object: "an object"
    }
  }

  /// Serialises the value as compact JSON with sorted keys.
  public var text: String {
    switch self {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .number(let n):
      if !n.isFinite { return "null" }  // JSON has no NaN or infinity
      if n == n.rounded() && abs(n) < 1e15 { return String(Int64(n)) }
      return "\(n)"
    case .string(let s): return JSONValue.quote(s)
    case .array(let a): return "[" + a.map(\.text).joined(separator: ", ") + "]"
    case .object(let o):
      return "{" + o.keys.sorted().map { "\(JSONValue.quote($0)): \(o[$0]!.text)" }.joined(separator: ", ") + "}"
    }
  }

  /// The value as JSON indented by two spaces a level, keys sorted: for people to read.
  public var prettyText: String { pretty(indent: "") }

  private func pretty(indent: String) -> String {
    let inner = indent + "  "
    switch self {
    case .array(let a) where !a.isEmpty && a.contains(where: { if case .object = $0 { true } else if case .array = $0 { true } else { false } }):
      return "[\n" + a.map { inner + $0.pretty(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
    case .object(let o) where !o.isEmpty:
      return "{\n" + o.keys.sorted().map { "\(inner)\(JSONValue.quote($0)): \(o[$0]!.pretty(indent: inner))" }.joined(separator: ",\n") + "\n\(indent)}"
    default: return text
    }
  }

  /// `s` as a JSON string literal.
  public static func quote(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
      }
    }
    return out + "\""
  }
}
