import Foundation

/// A run's folder, `<out>/<name>/`, kept up to date as the run trains:
///
/// - `config.json`: the run as resolved (defaults filled in)
/// - `metrics.csv`: epoch, train_loss, train_accuracy, val_loss, val_accuracy, learning_rate, seconds
/// - `steps.csv`: step, epoch, loss, accuracy, then one gradient-norm column per parameter tensor
/// - `best.safetensors` (lowest validation loss so far), `last.safetensors`, `optimizer.safetensors`
///
/// Every file is replaced atomically (temporary file, fsync, rename), so a killed run leaves the
/// previous whole version of each.
public final class RunFolder: TrainingObserver {
  public let path: String
  public let config: RunConfig
  private var metricsLines: [String] = []
  private var stepLines: [String] = []
  private var bestValidationLoss = Float.infinity

  public static let metricsHeader = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds"

  /// How to treat an existing folder.
  public enum Mode: Sendable { case create, overwrite, resume }

  /// Throws the error `init` would for an existing (or, to resume, missing) folder, without
  /// creating anything; returns the folder's path.
  public static func check(out: String, name: String, mode: Mode) throws -> String {
    let path = (out as NSString).appendingPathComponent(name)
    let exists = FileManager.default.fileExists(atPath: path)
    if mode == .create && exists {
      throw CheckpointError(path: path, problem: "already exists: pass --overwrite to replace it or --resume to continue it")
    }
    if mode == .resume && !exists { throw CheckpointError(path: path, problem: "no such run folder to resume") }
    return path
  }

  /// Prepares `<out>/<config.name>`. `.create` refuses an existing run folder; `.overwrite`
  /// replaces it; `.resume` keeps its files.
  public init(out: String, config: RunConfig, mode: Mode) throws {
    path = (out as NSString).appendingPathComponent(config.name)
    self.config = config
    let fm = FileManager.default
    let exists = fm.fileExists(atPath: path)
    switch mode {
    case .create where exists:
      throw CheckpointError(path: path, problem: "already exists: pass --overwrite to replace it or --resume to continue it")
    case .overwrite where exists:
      try fm.removeItem(atPath: path)
    case .resume where !exists:
      throw CheckpointError(path: path, problem: "no such run folder to resume")
    default: break
    }
    do {
      try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      throw CheckpointError(path: path, problem: "cannot be created (\(error.localizedDescription))")
    }
    try AtomicFile.write(config.jsonValue.text + "\n", to: file("config.json"))
  }

  /// The path of `name` inside the folder.
  public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

  /// Loads the saved state into `trainer` (model, optimizer, position) and the logs up to it.
  public func restore(into trainer: Trainer) throws {
    let last = file("last.safetensors")
    let metadata = try Checkpoint.load(last, into: trainer.model)
    let position = try Checkpoint.position(metadata, path: last)
    let optimizerStep = try Checkpoint.loadOptimizer(file("optimizer.safetensors"), into: trainer.optimizer, parameters: trainer.model.parameters)
    guard optimizerStep == position.step else {
      throw CheckpointError(path: file("optimizer.safetensors"), problem: "is from step \(optimizerStep) but last.safetensors from step \(position.step) (the run was killed while saving); start the run again with --overwrite")
    }
    trainer.start = position
    metricsLines = try readLines("metrics.csv").filter { (Int($0.prefix { $0 != "," }) ?? .max) <= position.epoch }
    stepLines = try readLines("steps.csv").filter { (Int($0.prefix { $0 != "," }) ?? .max) <= position.step }
    bestValidationLoss = metricsLines.compactMap { Float($0.split(separator: ",")[3]) }.min() ?? .infinity
  }

  private func readLines(_ name: String) throws -> [String] {
    guard let text = try? String(contentsOfFile: file(name), encoding: .utf8) else { return [] }
    return text.split(separator: "\n").dropFirst().map(String.init)
  }

  public func trainer(_ trainer: Trainer, didFinish batch: BatchReport) throws {
    var line = "\(batch.step),\(batch.epoch + 1),\(batch.loss),\(batch.accuracy)"
    for norm in batch.gradientNorms { line += ",\(norm)" }
    stepLines.append(line)
  }

  public func trainer(_ trainer: Trainer, didFinish epoch: EpochReport) throws {
    metricsLines.append([
      "\(epoch.epoch)", "\(epoch.trainLoss)", "\(epoch.trainAccuracy)", "\(epoch.validationLoss)",
      "\(epoch.validationAccuracy)", "\(epoch.learningRate)", String(format: "%.4f", epoch.seconds),
    ].joined(separator: ","))
    try writeLogs(parameterNames: trainer.model.parameters.map(\.name))
    let position = TrainingPosition(epoch: epoch.epoch, batch: 0, step: trainer.position.step)
    try saveState(trainer, position: position)
    // Without a validation set (validationFraction 0) the training loss decides what is best.
    let criterion = epoch.validationLoss.isNaN ? epoch.trainLoss : epoch.validationLoss
    if criterion < bestValidationLoss {
      bestValidationLoss = criterion
      try Checkpoint.save(trainer.model, config: config, position: position, to: file("best.safetensors"))
    }
  }

  public func trainerShouldSave(_ trainer: Trainer, position: TrainingPosition) throws -> String? {
    try writeLogs(parameterNames: trainer.model.parameters.map(\.name))
    try saveState(trainer, position: position)
    return file("last.safetensors")
  }

  private func saveState(_ trainer: Trainer, position: TrainingPosition) throws {
    // Optimizer first: a kill between the two leaves an older last.safetensors whose position
    // still matches a consistent model, and resume reloads both.
    try Checkpoint.saveOptimizer(trainer.optimizer, parameters: trainer.model.parameters, step: position.step, to: file("optimizer.safetensors"))
    try Checkpoint.save(trainer.model, config: config, position: position, to: file("last.safetensors"))
  }

  private func writeLogs(parameterNames: [String]) throws {
    try AtomicFile.write(([RunFolder.metricsHeader] + metricsLines).joined(separator: "\n") + "\n", to: file("metrics.csv"))
    let header = (["step", "epoch", "loss", "accuracy"] + parameterNames).joined(separator: ",")
    try AtomicFile.write(([header] + stepLines).joined(separator: "\n") + "\n", to: file("steps.csv"))
  }
}
