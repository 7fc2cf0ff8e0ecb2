import Foundation

/// Model and optimizer state in safetensors files, with PyTorch state-dict names
/// (`0.weight`, `1.running_mean`) and the architecture and run configuration in the metadata.
public enum Checkpoint {
  /// Format marker in the metadata, checked on load.
  public static let format = "diy-dnn/1"

  /// Saves `model`'s parameters and buffers (vectors with 1-D shapes, as PyTorch has them).
  public static func save(_ model: Sequential, config: RunConfig, position: TrainingPosition, to path: String) throws {
    try modelFile(model, config: config, position: position).write(to: path)
  }

  /// The safetensors content of `save`.
  static func modelFile(_ model: Sequential, config: RunConfig, position: TrainingPosition) -> Safetensors {
    var entries: [Safetensors.Entry] = []
    for p in model.parameters { entries.append(.init(name: p.name, shape: p.shape, values: p.value.values)) }
    for b in model.buffers { entries.append(.init(name: b.name, shape: [b.value.columns], values: b.value.values)) }
    let metadata = [
      "format": format, "architecture": JSONValue.array(config.layers.map(\.jsonValue)).text,
      "config": config.jsonValue.text, "epoch": "\(position.epoch)", "batch": "\(position.batch)", "step": "\(position.step)",
    ]
    return Safetensors(entries: entries, metadata: metadata)
  }

  /// Loads the tensors of `path` into `model`; every tensor must be there with the right shape.
  /// Returns the file's metadata.
  @discardableResult
  public static func load(_ path: String, into model: Sequential) throws -> [String: String] {
    let file = try Safetensors.read(path)
    try load(file, path: path, into: model)
    return file.metadata
  }

  /// Loads the model tensors of `file` (all but the `optimizer.` and `average.` ones of a run
  /// state) into `model`.
  static func load(_ file: Safetensors, path: String, into model: Sequential) throws {
    let targets = model.parameters.map { ($0.name, $0.value, $0.shape) } + model.buffers.map { ($0.name, $0.value, [$0.value.columns]) }
    for (name, tensor, shape) in targets {
      guard let entry = file[name] else {
        throw CheckpointError(path: path, problem: "has no tensor \(name): it was saved from another architecture")
      }
      let fits = entry.shape == shape || entry.shape == [tensor.rows, tensor.columns] || (tensor.rows == 1 && entry.shape == [tensor.columns])
      guard fits else {
        throw CheckpointError(path: path, problem: "tensor \(name) has shape \(entry.shape), the model needs \(shape)")
      }
      entry.values.withUnsafeBufferPointer { tensor.pointer.update(from: $0.baseAddress!, count: $0.count) }
    }
    let modelEntries = file.entries.map(\.name).filter { name in !statePrefixes.contains { name.hasPrefix($0) } }
    if let name = Set(modelEntries).subtracting(targets.map(\.0)).sorted().first {
      throw CheckpointError(path: path, problem: "has tensor \(name) that the model does not: it was saved from another architecture")
    }
  }

  /// The training position stored in a checkpoint's metadata.
  public static func position(_ metadata: [String: String], path: String) throws -> TrainingPosition {
    guard let e = metadata["epoch"].flatMap(Int.init), let b = metadata["batch"].flatMap(Int.init),
      let s = metadata["step"].flatMap(Int.init)
    else { throw CheckpointError(path: path, problem: "metadata lacks the training position (epoch, batch, step)") }
    // Every field read from a file is range-checked before use (the batch against the epoch's
    // batches when the run's data is known: `RunPlan`).
    let epochs = RunConfig.epochRange.upperBound, steps = Checkpoint.maxSteps
    guard (0...epochs).contains(e) else { throw CheckpointError(path: path, problem: "metadata epoch \(e) is outside 0...\(epochs)") }
    guard (0...steps).contains(b) else { throw CheckpointError(path: path, problem: "metadata batch \(b) is outside 0...\(steps)") }
    guard (0...steps).contains(s) else { throw CheckpointError(path: path, problem: "metadata step \(s) is outside 0...\(steps)") }
    guard b <= s else { throw CheckpointError(path: path, problem: "metadata batch \(b) is more than its step \(s)") }
    return TrainingPosition(epoch: e, batch: b, step: s)
  }

  /// The most optimisation steps a saved position or optimizer may claim (2^40: more than any
  /// run makes, and far from overflowing the arithmetic done with it).
  public static let maxSteps = 1 << 40
}
