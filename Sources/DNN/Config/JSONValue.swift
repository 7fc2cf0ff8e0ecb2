import Foundation

/// A parsed JSON document, keeping booleans, numbers and null apart (JSONSerialization on
/// Linux blurs `true` and `1`), so that configuration errors can say exactly what was found.
public enum JSONValue: Sendable, Equatable, Decodable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  public init(from decoder: Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() { self = .null }
    else if let b = try? container.decode(Bool.self) { self = .bool(b) }
    else if let n = try? container.decode(Double.self) { self = .number(n) }
    else if let s = try? container.decode(String.self) { self = .string(s) }
    else if let a = try? container.decode([JSONValue].self) { self = .array(a) }
    else { self = .object(try container.decode([String: JSONValue].self)) }
  }

  /// Parses `data`; the error names what JSONDecoder found wrong.
  public static func parse(_ data: Data) throws -> JSONValue {
    do {
      return try JSONDecoder().decode(JSONValue.self, from: data)
    } catch let DecodingError.dataCorrupted(context) {
      let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
      throw ConfigError("not valid JSON (\(underlying ?? context.debugDescription))")
    } catch {
      throw ConfigError("not valid JSON (\(error))")
    }
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

/// A configuration that cannot be used; the message names the file, run and key.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// Reads keys of one JSON object, remembering which were used so unknown keys are errors.
struct ObjectReader {
  let values: [String: JSONValue]
  /// Where this object is, for messages: `run 'mlp': layers[2]`.
  let context: String
  private(set) var used: Set<String> = []

  init(_ value: JSONValue, context: String) throws {
    guard case .object(let values) = value else {
      throw ConfigError("\(context): expected an object, found \(value.typeName)")
    }
    self.values = values
    self.context = context
  }

  func has(_ key: String) -> Bool {
    if case .null? = values[key] { return false }
    return values[key] != nil
  }

  mutating func raw(_ key: String) -> JSONValue? {
    used.insert(key)
    if case .null? = values[key] { return nil }
    return values[key]
  }

  mutating func string(_ key: String) throws -> String? {
    guard let v = raw(key) else { return nil }
    guard case .string(let s) = v else { throw ConfigError("\(context): \(key) must be a string, found \(v.typeName)") }
    return s
  }

  mutating func bool(_ key: String) throws -> Bool? {
    guard let v = raw(key) else { return nil }
    guard case .bool(let b) = v else { throw ConfigError("\(context): \(key) must be true or false, found \(v.typeName)") }
    return b
  }

  mutating func number(_ key: String) throws -> Double? {
    guard let v = raw(key) else { return nil }
    guard case .number(let n) = v, n.isFinite else { throw ConfigError("\(context): \(key) must be a number, found \(v.typeName)") }
    return n
  }

  /// A whole number within `range`.
  mutating func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
    guard let n = try number(key) else { return nil }
    guard n == n.rounded(), n >= Double(range.lowerBound), n <= Double(range.upperBound) else {
      throw ConfigError("\(context): \(key) must be a whole number from \(range.lowerBound) to \(range.upperBound), found \(JSONValue.number(n).text)")
    }
    return Int(n)
  }

  /// A number satisfying `check`, described by `requirement` in the error.
  mutating func number(_ key: String, _ requirement: String, _ check: (Double) -> Bool) throws -> Double? {
    guard let n = try number(key) else { return nil }
    guard check(n) else { throw ConfigError("\(context): \(key) must be \(requirement), found \(JSONValue.number(n).text)") }
    return n
  }

  /// Throws when the object has a key nobody read.
  func rejectUnknownKeys() throws {
    let unknown = Set(values.keys).subtracting(used).sorted()
    if let first = unknown.first {
      throw ConfigError("\(context): unknown key '\(first)' (known: \(used.sorted().joined(separator: ", ")))")
    }
  }
}
