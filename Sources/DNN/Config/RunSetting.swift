/// A setting of a run, addressed by its path in the configuration's JSON
/// (`optimizer.learningRate`, `layers.0.units`), with the short label that run names and
/// tables use (`lr`). The one owner of a setting's name: sweeps (`"sweep"` blocks), the
/// command line's overrides (`--lr`) and the tables of what sets runs apart ask it.
public struct RunSetting: Sendable, Hashable {
  /// Keys from the run object down; array elements by their index (`layers.0.units`).
  public let path: [String]
  /// The short name in run names and table headers.
  public let label: String

  public init(path: [String], label: String) {
    self.path = path
    self.label = label
  }

  public static let learningRate = RunSetting(path: ["optimizer", "learningRate"], label: "lr")
  public static let batchSize = RunSetting(path: ["batchSize"], label: "batch")
  public static let optimizer = RunSetting(path: ["optimizer", "type"], label: "opt")
  public static let seed = RunSetting(path: ["seed"], label: "seed")
  public static let epochs = RunSetting(path: ["epochs"], label: "epochs")
  public static let labelSmoothing = RunSetting(path: ["labelSmoothing"], label: "ls")
  /// The settings with labels of their own; any other path is labelled by itself.
  public static let known: [RunSetting] = [
    learningRate, batchSize, optimizer, seed, epochs,
    RunSetting(path: ["optimizer", "momentum"], label: "momentum"),
    RunSetting(path: ["optimizer", "weightDecay"], label: "wd"),
    RunSetting(path: ["schedule", "type"], label: "schedule"),
    RunSetting(path: ["schedule", "warmupEpochs"], label: "warmup"),
    RunSetting(path: ["validationFraction"], label: "val"),
    RunSetting(path: ["trainSamples"], label: "samples"),
    RunSetting(path: ["clip", "maxNorm"], label: "clip"),
    RunSetting(path: ["augment", "shift"], label: "shift"),
    RunSetting(path: ["augment", "test"], label: "tta"),
    RunSetting(path: ["average", "decay"], label: "ema"),
    labelSmoothing,
  ]

  /// The setting at a dotted path (`optimizer.learningRate`), or nil for an empty part.
  public init?(dotted text: String) {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard !parts.isEmpty, !parts.contains(where: \.isEmpty) else { return nil }
    self = RunSetting.known.first { $0.path == parts } ?? RunSetting(path: parts, label: text)
  }

  /// The path written with dots.
  public var dotted: String { path.joined(separator: ".") }

  /// `label=value` for run names and summaries (`lr=0.01`).
  public func named(_ value: JSONValue) -> String { named(value.plainText) }

  /// `label=text`, the one way a setting and its value are written together.
  public func named(_ text: String) -> String { "\(label)=\(text)" }
}

extension JSONValue {
  /// The value as a person writes it: strings without quotes, numbers as short as they read
  /// back (`0.01`, `64`), anything else as JSON.
  public var plainText: String {
    switch self {
    case .string(let s): s
    case .number(let n) where n.isFinite && n != n.rounded(): "\(Float(n))"
    default: text
    }
  }

  /// The value at `path` (object keys, array indices), or nil where there is none.
  public func value(at path: some Collection<String>) -> JSONValue? {
    guard let key = path.first else { return self }
    switch self {
    case .object(let fields): return fields[key]?.value(at: path.dropFirst())
    case .array(let items):
      guard let i = Int(key), items.indices.contains(i) else { return nil }
      return items[i].value(at: path.dropFirst())
    default: return nil
    }
  }

  /// This value with `path` set to `newValue`: missing object keys are added (with the objects
  /// on the way); an array index must exist. Throws naming the path when the way is blocked.
  public func setting(_ path: some Collection<String>, to newValue: JSONValue, whole: String? = nil) throws -> JSONValue {
    let name = whole ?? path.joined(separator: ".")
    guard let key = path.first else { return newValue }
    switch self {
    case .object(var fields):
      fields[key] = try (fields[key] ?? .object([:])).setting(path.dropFirst(), to: newValue, whole: name)
      return .object(fields)
    case .array(var items):
      guard let i = Int(key), items.indices.contains(i) else {
        throw ConfigError("\(name): '\(key)' is not an index of a list of \(items.count)")
      }
      items[i] = try items[i].setting(path.dropFirst(), to: newValue, whole: name)
      return .array(items)
    default:
      throw ConfigError("\(name): '\(key)' goes inside \(typeName), which has no keys")
    }
  }

  /// Every leaf of the value (not an object, not a list of objects) with its path; lists of
  /// plain values count as one leaf.
  public var leaves: [(path: [String], value: JSONValue)] {
    switch self {
    case .object(let fields):
      return fields.keys.sorted().flatMap { key in fields[key]!.leaves.map { ([key] + $0.path, $0.value) } }
    case .array(let items) where items.contains(where: { if case .object = $0 { true } else { false } }):
      return items.enumerated().flatMap { i, item in item.leaves.map { ([String(i)] + $0.path, $0.value) } }
    default:
      return [([], self)]
    }
  }
}
