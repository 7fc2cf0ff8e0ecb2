import Foundation

/// Model and optimizer state in safetensors files, with PyTorch state-dict names
/// (`0.weight`, `1.running_mean`) and the architecture and run configuration in the metadata.
public enum Checkpoint {
  /// Format marker in the metadata, checked on load.
  public static let format = "diy-dnn/1"

  /// Saves `model`'s parameters and buffers (vectors with 1-D shapes, as PyTorch has them).
  public static func save(_ model: Sequential, config: RunConfig, position: TrainingPosition, to path: String) throws {
    var entries: [Safetensors.Entry] = []
    for p in model.parameters {
      let shape = p.isVector ? [p.value.columns] : [p.value.rows, p.value.columns]
      entries.append(.init(name: p.name, shape: shape, values: p.value.values))
    }
    for b in model.buffers { entries.append(.init(name: b.name, shape: [b.value.columns], values: b.value.values)) }
    let metadata = [
      "format": format, "architecture": JSONValue.array(config.layers.map(\.jsonValue)).text,
      "config": config.jsonValue.text, "epoch": "\(position.epoch)", "batch": "\(position.batch)", "step": "\(position.step)",
    ]
    try Safetensors(entries: entries, metadata: metadata).write(to: path)
  }

  /// Loads the tensors of `path` into `model`; every tensor must be there with the right shape.
  /// Returns the file's metadata.
  @discardableResult
  public static func load(_ path: String, into model: Sequential) throws -> [String: String] {
    let file = try Safetensors.read(path)
    let targets = model.parameters.map { ($0.name, $0.value) } + model.buffers.map { ($0.name, $0.value) }
    for (name, tensor) in targets {
      guard let entry = file[name] else {
        throw CheckpointError(path: path, problem: "has no tensor \(name): it was saved from another architecture")
      }
      let fits = entry.shape == [tensor.rows, tensor.columns] || (tensor.rows == 1 && entry.shape == [tensor.columns])
      guard fits else {
        throw CheckpointError(path: path, problem: "tensor \(name) has shape \(entry.shape), the model needs [\(tensor.rows), \(tensor.columns)]")
      }
      entry.values.withUnsafeBufferPointer { tensor.pointer.update(from: $0.baseAddress!, count: $0.count) }
    }
    let extra = Set(file.entries.map(\.name)).subtracting(targets.map(\.0))
    if let name = extra.sorted().first {
      throw CheckpointError(path: path, problem: "has tensor \(name) that the model does not: it was saved from another architecture")
    }
    return file.metadata
  }

  /// The training position stored in a checkpoint's metadata.
  public static func position(_ metadata: [String: String], path: String) throws -> TrainingPosition {
    guard let e = metadata["epoch"].flatMap(Int.init), let b = metadata["batch"].flatMap(Int.init),
      let s = metadata["step"].flatMap(Int.init)
    else { throw CheckpointError(path: path, problem: "metadata lacks the training position (epoch, batch, step)") }
    return TrainingPosition(epoch: e, batch: b, step: s)
  }

  /// Saves the optimizer's state tensors and step count.
  public static func saveOptimizer(_ optimizer: Optimizer, parameters: [Parameter], step: Int, to path: String) throws {
    let entries = optimizer.stateTensors(for: parameters).map { pair in
      Safetensors.Entry(name: pair.name, shape: [pair.tensor.rows, pair.tensor.columns], values: pair.tensor.values)
    }
    try Safetensors(entries: entries, metadata: ["format": format, "stepCount": "\(optimizer.stepCount)", "step": "\(step)"]).write(to: path)
  }

  /// Restores the optimizer state saved by `saveOptimizer`; returns the training step it was saved at.
  @discardableResult
  public static func loadOptimizer(_ path: String, into optimizer: Optimizer, parameters: [Parameter]) throws -> Int {
    let file = try Safetensors.read(path)
    guard let steps = file.metadata["stepCount"].flatMap(Int.init) else {
      throw CheckpointError(path: path, problem: "metadata lacks stepCount: not an optimizer state file")
    }
    var tensors: [String: Tensor] = [:]
    for e in file.entries {
      let rows = e.shape.count == 2 ? e.shape[0] : 1
      tensors[e.name] = Tensor(rows: rows, columns: e.values.count / max(rows, 1), values: e.values)
    }
    do {
      try optimizer.restore(tensors, stepCount: steps, for: parameters)
    } catch let error as OptimizerStateError {
      throw CheckpointError(path: path, problem: error.message)
    }
    return file.metadata["step"].flatMap(Int.init) ?? steps
  }
}
