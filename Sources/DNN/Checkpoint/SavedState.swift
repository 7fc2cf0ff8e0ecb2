import Foundation

extension Checkpoint {
  /// The prefix of the optimizer's tensors inside a run state file (`optimizer.0.weight.exp_avg`).
  public static let optimizerPrefix = "optimizer."
  /// The prefix of the weight average's tensors inside a run state file (`average.0.weight`).
  public static let averagePrefix = "average."
  /// The prefixes of a state file's tensors that are not the model's.
  static let statePrefixes = [optimizerPrefix, averagePrefix]

  /// Saves a run's whole state in one file, replaced atomically: the model's tensors under their
  /// PyTorch names, the optimizer's under `optimizer.`, and in the metadata the configuration,
  /// the training position and the optimizer's step count. One file means one rename: a kill at
  /// any instant leaves either the previous state or this one, never half of each.
  public static func saveState(
    _ model: Sequential, optimizer: Optimizer, config: RunConfig, position: TrainingPosition, learningRateFactor: Float = 1,
    average: WeightAverage? = nil, epochSoFar: EpochTally? = nil, to path: String
  ) throws {
    try stateFile(
      model, optimizer: optimizer, config: config, position: position, learningRateFactor: learningRateFactor, average: average,
      epochSoFar: epochSoFar
    ).write(to: path)
  }

  /// The content of `saveState`, in memory (what a fork starts from). The user's factor on the
  /// schedule's learning rate (`+`/`-`, a fork's choice) is kept with it, and so is the weight
  /// average (its tensors under `average.`, its step count in the metadata), and inside an epoch
  /// the epoch's training totals so far (`EpochTally`).
  public static func stateFile(
    _ model: Sequential, optimizer: Optimizer, config: RunConfig, position: TrainingPosition, learningRateFactor: Float = 1,
    average: WeightAverage? = nil, epochSoFar: EpochTally? = nil
  ) -> Safetensors {
    var file = modelFile(model, config: config, position: position)
    for pair in optimizer.stateTensors(for: model.parameters) {
      file.entries.append(.init(name: optimizerPrefix + pair.name, shape: [pair.tensor.rows, pair.tensor.columns], values: pair.tensor.values))
    }
    if let average {
      for entry in modelFile(average.model, config: config, position: position).entries {
        file.entries.append(.init(name: averagePrefix + entry.name, shape: entry.shape, values: entry.values))
      }
      file.metadata["averageUpdates"] = "\(average.updates)"
    }
    file.metadata["stepCount"] = "\(optimizer.stepCount)"
    file.metadata["learningRateFactor"] = "\(learningRateFactor)"
    if position.batch > 0, let epochSoFar { epochSoFar.write(into: &file.metadata) }
    return file
  }
}

/// A run's saved state, read and checked, ready to be put into a new model and optimizer: how a
/// resumed run starts.
public struct SavedState {
  /// The file it was read from.
  public let path: String
  /// Where training stood when it was saved.
  public let position: TrainingPosition
  /// The factor on the schedule's learning rate at the save (1 for states saved without one).
  public var learningRateFactor: Float { file.metadata["learningRateFactor"].flatMap(Float.init) ?? 1 }
  /// The training totals of the epoch it was saved in, when saved inside one.
  public let epochSoFar: EpochTally?
  private let file: Safetensors
  /// Optimizer tensors by name (without the prefix) and step count.
  private let optimizerTensors: [String: Tensor]
  private let optimizerSteps: Int

  /// Reads `path` (a `last.safetensors`). A state saved before the optimizer moved into that
  /// file takes it from `legacyOptimizer` when that file is from the same step.
  public init(path: String, legacyOptimizer: String? = nil) throws {
    try self.init(file: try Safetensors.read(path), path: path, legacyOptimizer: legacyOptimizer)
  }

  /// A state held in memory (`Checkpoint.stateFile`), such as a fork's starting point; `path`
  /// names it in messages.
  public init(file: Safetensors, path: String, legacyOptimizer: String? = nil) throws {
    self.path = path
    self.file = file
    position = try Checkpoint.position(file.metadata, path: path)
    epochSoFar = position.batch > 0 ? try EpochTally(metadata: file.metadata, path: path) : nil
    if let steps = file.metadata["stepCount"].flatMap(Int.init) {
      guard (0...Checkpoint.maxSteps).contains(steps) else {
        throw CheckpointError(path: path, problem: "metadata stepCount \(steps) is outside 0...\(Checkpoint.maxSteps)")
      }
      optimizerSteps = steps
      optimizerTensors = Self.tensors(file.entries, prefix: Checkpoint.optimizerPrefix)
    } else if let legacyOptimizer, FileManager.default.fileExists(atPath: legacyOptimizer) {
      let legacy = try Safetensors.read(legacyOptimizer)
      guard let steps = legacy.metadata["stepCount"].flatMap(Int.init), (0...Checkpoint.maxSteps).contains(steps),
        (legacy.metadata["step"].flatMap(Int.init) ?? steps) == position.step
      else {
        throw CheckpointError(path: legacyOptimizer, problem: "is not the optimizer state of step \(position.step) of last.safetensors")
      }
      optimizerSteps = steps
      optimizerTensors = Self.tensors(legacy.entries, prefix: "")
    } else {
      throw CheckpointError(path: path, problem: "holds no optimizer state (stepCount): it is a model checkpoint, not a run state")
    }
  }

  /// The entries whose names start with `prefix`, by name without it, as tensors.
  private static func tensors(_ entries: [Safetensors.Entry], prefix: String) -> [String: Tensor] {
    var tensors: [String: Tensor] = [:]
    for e in entries where e.name.hasPrefix(prefix) {
      let rows = e.shape.count == 2 ? e.shape[0] : 1
      tensors[String(e.name.dropFirst(prefix.count))] = Tensor(rows: rows, columns: e.values.count / max(rows, 1), values: e.values)
    }
    return tensors
  }

  /// Puts the saved weight average into `average`, which keeps its start (a copy of the
  /// weights) when the state holds none; throws when it does not fit.
  public func restore(_ average: WeightAverage) throws {
    if let updates = file.metadata["averageUpdates"].flatMap(Int.init) {
      guard (0...Checkpoint.maxSteps).contains(updates) else {
        throw CheckpointError(path: path, problem: "metadata averageUpdates \(updates) is outside 0...\(Checkpoint.maxSteps)")
      }
      let prefix = Checkpoint.averagePrefix
      let entries = file.entries.filter { $0.name.hasPrefix(prefix) }.map {
        Safetensors.Entry(name: String($0.name.dropFirst(prefix.count)), shape: $0.shape, values: $0.values)
      }
      try Checkpoint.load(Safetensors(entries: entries, metadata: file.metadata), path: "\(path) (its weight average)", into: average.model)
      average.restore(updates: updates)
    }
  }

  /// Puts the saved tensors into `model` and `optimizer`; throws when they do not fit.
  public func apply(to model: Sequential, optimizer: Optimizer) throws {
    try Checkpoint.load(file, path: path, into: model)
    do {
      try optimizer.restore(optimizerTensors, stepCount: optimizerSteps, for: model.parameters)
    } catch let error as OptimizerStateError {
      throw CheckpointError(path: path, problem: error.message)
    }
  }

  /// Throws when the saved batch lies past an epoch of this run (`batchesPerEpoch`), or the
  /// epoch's tally counts more samples than its batches (of `batchSize`) hold: a state from other
  /// data, or one whose metadata lies.
  public func checkPosition(batchesPerEpoch: Int, batchSize: Int) throws {
    guard position.batch <= batchesPerEpoch else {
      throw CheckpointError(path: path, problem: "metadata batch \(position.batch) is past the \(batchesPerEpoch) batches of an epoch of this run")
    }
    if let seen = epochSoFar?.seen, seen > position.batch * batchSize {
      throw CheckpointError(path: path, problem: "metadata epoch tally counts \(seen) samples in \(position.batch) batches of \(batchSize)")
    }
  }
}
