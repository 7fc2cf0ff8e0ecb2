/// Settings the command line gives for every run of a configuration (`--lr`, `--batch-size`,
/// `--optimizer`, `--seed`), the same for `dnn train` and `dnn-tui`. A run given any is named
/// by them (`mlp-lr=0.1`, as a sweep's runs are), so that it neither takes the original's
/// folder nor piles up as `mlp-2`; `--epochs` only says how long to train and keeps the name.
public struct RunOverrides: Sendable, Equatable {
  public var learningRate: Double?
  public var batchSize: Int?
  public var optimizer: String?
  public var seed: Int?

  public init(learningRate: Double? = nil, batchSize: Int? = nil, optimizer: String? = nil, seed: Int? = nil) {
    self.learningRate = learningRate
    self.batchSize = batchSize
    self.optimizer = optimizer
    self.seed = seed
  }

  /// The options' help, one place for both commands.
  public static let help = (
    learningRate: "Learning rate of every run (the optimizer's learningRate).",
    batchSize: "Batch size of every run.",
    optimizer: "Optimizer of every run: \(OptimizerSpec.typeNames.joined(separator: ", ")) (with its defaults and the run's learning rate).",
    seed: "Random seed of every run (initial weights, shuffling, dropout)."
  )

  public var isEmpty: Bool { self == RunOverrides() }

  /// The settings given, in the order they name a run.
  private var settings: [(RunSetting, JSONValue)] {
    var list: [(RunSetting, JSONValue)] = []
    if let optimizer { list.append((.optimizer, .string(optimizer.lowercased()))) }
    if let learningRate { list.append((.learningRate, .number(learningRate))) }
    if let batchSize { list.append((.batchSize, .number(Double(batchSize)))) }
    if let seed { list.append((.seed, .number(Double(seed)))) }
    return list
  }

  /// `run` with these settings, renamed by them; checked as a configuration's run is.
  public func apply(to run: RunConfig) throws -> RunConfig {
    guard !isEmpty else { return run }
    var json = run.jsonValue
    for (setting, value) in settings {
      if setting == .optimizer {
        // Another optimizer's keys (momentum, betas) do not carry over; the rate does.
        let rate = json.value(at: RunSetting.learningRate.path) ?? .null
        json = try json.setting(["optimizer"], to: .object(["type": value, "learningRate": rate]))
      } else {
        json = try json.setting(setting.path, to: value)
      }
    }
    let name = run.name + "-" + settings.map { $0.0.named($0.1) }.joined(separator: ",")
    json = try json.setting(["name"], to: .string(name))
    return try RunConfig.parse(json: json, path: "the command line")
  }

  /// Range problems of the numbers given, as the commands' validation reports them, and
  /// overrides given to a run that is continued (`--resume`), which keeps its own settings.
  public func problem(resuming: Bool) -> String? {
    if resuming && !isEmpty { return "--lr, --batch-size, --optimizer and --seed make new runs; a resumed run keeps its own" }
    if let learningRate, !(learningRate > 0 && learningRate.isFinite) { return "--lr must be a positive number, got \(learningRate)" }
    if let batchSize, let p = RunConfig.outOfRange("--batch-size", batchSize, 1...1_000_000) { return p }
    if let seed, let p = RunConfig.outOfRange("--seed", seed, RunConfig.seedRange) { return p }
    if let optimizer, !OptimizerSpec.typeNames.contains(optimizer.lowercased()) {
      return "--optimizer must be one of \(OptimizerSpec.typeNames.joined(separator: ", ")), got '\(optimizer)'"
    }
    return nil
  }
}
