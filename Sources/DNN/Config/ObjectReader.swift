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

  /// A number satisfying `check`, described by `requirement` in the error. The engine computes
  /// in 32-bit floats, so the check must also hold for the Float it becomes, which must be a
  /// finite normal number, or zero only when written as zero: 0.99999999 is 1.0 as a Float,
  /// 1e-50 is 0, 1e-40 is subnormal, 1e39 is infinite.
  mutating func number(_ key: String, _ requirement: String, _ check: (Double) -> Bool) throws -> Double? {
    guard let n = try number(key) else { return nil }
    guard check(n) else { throw ConfigError("\(context): \(key) must be \(requirement), found \(JSONValue.number(n).text)") }
    let f = Float(n)
    guard f.isFinite, f == 0 ? n == 0 : f.isNormal, check(Double(f)) else {
      throw ConfigError("\(context): \(key) must be \(requirement) as the 32-bit float training computes with, found \(JSONValue.number(n).text) (\(f) as a float)")
    }
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
