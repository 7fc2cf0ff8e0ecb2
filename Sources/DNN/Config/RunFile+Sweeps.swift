import Foundation

/// A run of a configuration file may carry a `"sweep"` block that expands it into several
/// runs, each named by what it sets (`mlp-batch=64,lr=0.01`, labels from `RunSetting`):
///
///     "sweep": {"grid": {"optimizer.learningRate": [0.01, 0.05], "batchSize": [64, 128]}}
///
/// is the cartesian product (4 runs; settings in the order of their paths, the last varying
/// fastest), and
///
///     "sweep": {"random": {"count": 6, "seed": 1, "values": {
///        "optimizer.learningRate": {"logUniform": [0.0001, 0.1]}, "batchSize": [32, 64, 128]}}}
///
/// draws `count` runs (a list: one of its values; `uniform` or `logUniform`: a number between
/// the two, rounded to 3 significant digits, the value the run trains with), the same runs
/// for the same seed. Paths are those of the run object (`layers.0.units` works too); each
/// expanded run is checked like any other.
extension RunFile {
  /// The runs `item` stands for: itself, or its sweep's runs.
  static func expand(_ item: JSONValue, context: String) throws -> [JSONValue] {
    guard case .object(var fields) = item, let sweep = fields.removeValue(forKey: "sweep") else { return [item] }
    let base = JSONValue.object(fields)
    let baseName = fields["name"]?.plainText ?? "run"
    var r = try ObjectReader(sweep, context: "\(context): sweep")
    let grid = r.raw("grid"), random = r.raw("random")
    try r.rejectUnknownKeys()
    let choices: [[(RunSetting, JSONValue)]]
    switch (grid, random) {
    case (let grid?, nil): choices = try gridChoices(grid, context: "\(context): sweep.grid")
    case (nil, let random?): choices = try randomChoices(random, context: "\(context): sweep.random")
    default: throw ConfigError("\(context): sweep needs exactly one of grid and random")
    }
    return try choices.map { settings in
      var run = base
      for (setting, value) in settings { run = try run.setting(setting.path, to: value, whole: "\(context): sweep: \(setting.dotted)") }
      let name = baseName + "-" + settings.map { $0.0.named($0.1) }.joined(separator: ",")
      return try run.setting(["name"], to: .string(name))
    }
  }

  /// The settings a sweep block names, sorted by path, each with a non-empty value.
  private static func settings(_ value: JSONValue, context: String) throws -> [(RunSetting, JSONValue)] {
    guard case .object(let fields) = value, !fields.isEmpty else {
      throw ConfigError("\(context): must be an object of setting paths, such as {\"optimizer.learningRate\": [0.01, 0.1]}")
    }
    return try fields.keys.sorted().map { key in
      guard let setting = RunSetting(dotted: key), setting.path != ["name"], setting.path.first != "sweep" else {
        throw ConfigError("\(context): '\(key)' is not a setting path")
      }
      return (setting, fields[key]!)
    }
  }

  private static func gridChoices(_ value: JSONValue, context: String) throws -> [[(RunSetting, JSONValue)]] {
    var runs: [[(RunSetting, JSONValue)]] = [[]]
    for (setting, values) in try settings(value, context: context) {
      guard case .array(let list) = values, !list.isEmpty else {
        throw ConfigError("\(context): \(setting.dotted) must be a non-empty list of values")
      }
      runs = runs.flatMap { run in list.map { run + [(setting, $0)] } }
    }
    guard runs.count <= maxRuns else { throw ConfigError("\(context): the grid makes \(runs.count) runs (at most \(maxRuns))") }
    return runs
  }

  private static func randomChoices(_ value: JSONValue, context: String) throws -> [[(RunSetting, JSONValue)]] {
    var r = try ObjectReader(value, context: context)
    guard let count = try r.integer("count", in: 1...maxRuns) else { throw ConfigError("\(context): missing key 'count' (runs to draw)") }
    let seed = try r.integer("seed", in: RunConfig.seedRange) ?? 0
    guard let values = r.raw("values") else { throw ConfigError("\(context): missing key 'values'") }
    try r.rejectUnknownKeys()
    let draws = try settings(values, context: "\(context).values").map { setting, spec in
      (setting, try Distribution(spec, context: "\(context).values.\(setting.dotted)"))
    }
    var generator = SplitMix64(seed: UInt64(seed)).derived("sweep")
    return (0..<count).map { _ in draws.map { ($0.0, $0.1.draw(&generator)) } }
  }

  /// The most runs one sweep block expands into.
  static let maxRuns = 1000

  /// What a random sweep draws a setting from.
  private enum Distribution {
    case oneOf([JSONValue])
    case uniform(Double, Double)
    case logUniform(Double, Double)

    init(_ value: JSONValue, context: String) throws {
      if case .array(let list) = value, !list.isEmpty {
        self = .oneOf(list)
        return
      }
      var r = try ObjectReader(value, context: context)
      let bounds = r.raw("uniform").map { (false, $0) } ?? r.raw("logUniform").map { (true, $0) }
      try r.rejectUnknownKeys()
      guard let (log, range) = bounds, case .array(let ends) = range, ends.count == 2,
        case .number(let low) = ends[0], case .number(let high) = ends[1], low < high, !log || low > 0
      else {
        throw ConfigError("\(context): must be a non-empty list of values, {\"uniform\": [low, high]} or {\"logUniform\": [low, high]} with 0 < low < high")
      }
      self = log ? .logUniform(low, high) : .uniform(low, high)
    }

    func draw(_ generator: inout SplitMix64) -> JSONValue {
      let u = Double(generator.next() >> 11) * 0x1p-53
      switch self {
      case .oneOf(let list): return list[min(Int(u * Double(list.count)), list.count - 1)]
      case .uniform(let a, let b): return .number(Distribution.threeDigits(a + u * (b - a)))
      case .logUniform(let a, let b): return .number(Distribution.threeDigits(exp(Foundation.log(a) + u * (Foundation.log(b) - Foundation.log(a)))))
      }
    }

    /// `x` rounded to 3 significant digits, so that names stay short and say the value exactly.
    static func threeDigits(_ x: Double) -> Double {
      guard x != 0 else { return 0 }
      return Double(String(format: "%.3g", x)) ?? x
    }
  }
}
