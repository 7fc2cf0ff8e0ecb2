import Foundation

/// A finished (or stopped) run read back from its folder.
public struct SavedRun: Sendable {
  public let path: String
  public let config: RunConfig
  /// Rows of metrics.csv.
  public let epochs: [EpochReport]

  /// Reads `path` (a folder with config.json and metrics.csv).
  public init(path: String) throws {
    self.path = path
    let configPath = (path as NSString).appendingPathComponent("config.json")
    guard let data = FileManager.default.contents(atPath: configPath) else {
      throw CheckpointError(path: path, problem: "is not a run folder (no config.json)")
    }
    config = try RunConfig.parse(json: try JSONValue.parse(data), path: configPath)
    let metricsPath = (path as NSString).appendingPathComponent("metrics.csv")
    let text = (try? String(contentsOfFile: metricsPath, encoding: .utf8)) ?? ""
    epochs = text.split(separator: "\n").dropFirst().compactMap { line in
      let f = line.split(separator: ",").map { String($0) }
      guard f.count >= 7, let e = Int(f[0]), let tl = Float(f[1]), let ta = Float(f[2]), let vl = Float(f[3]),
        let va = Float(f[4]), let lr = Float(f[5]), let s = Double(f[6])
      else { return nil }
      return EpochReport(epoch: e, trainLoss: tl, trainAccuracy: ta, validationLoss: vl, validationAccuracy: va, learningRate: lr, seconds: s)
    }
  }

  /// The run folders named by `paths`: each is a run folder, or a folder of run folders.
  public static func find(_ paths: [String]) throws -> [SavedRun] {
    var runs: [SavedRun] = []
    let fm = FileManager.default
    for path in paths {
      var isDirectory: ObjCBool = false
      guard fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw CheckpointError(path: path, problem: "no such run folder")
      }
      if fm.fileExists(atPath: (path as NSString).appendingPathComponent("config.json")) {
        runs.append(try SavedRun(path: path))
        continue
      }
      let children = try fm.contentsOfDirectory(atPath: path).sorted().map { (path as NSString).appendingPathComponent($0) }
        .filter { fm.fileExists(atPath: ($0 as NSString).appendingPathComponent("config.json")) }
      if children.isEmpty { throw CheckpointError(path: path, problem: "holds no run folders (folders with config.json)") }
      runs += try children.map { try SavedRun(path: $0) }
    }
    return runs
  }

  /// The model with the weights of `checkpoint` (`best` or `last`).
  public func model(checkpoint: String) throws -> Sequential {
    let model = ModelBuilder.build(config.layers, seed: config.seed)
    try Checkpoint.load((path as NSString).appendingPathComponent("\(checkpoint).safetensors"), into: model)
    return model
  }

  /// `model`'s predictions on the first `count` validation digits of this run's split (training
  /// digits when the run had no validation set); nil when there are none.
  public func sampleInferences(_ model: Sequential, folder: MNISTFolder, count: Int)
    -> (sample: DatasetView, predictions: ValidationPredictions, metrics: Metrics)?
  {
    let split = DataSplit(folder: folder, config: config)
    let view = split.validation.count > 0 ? split.validation : split.train
    let n = min(count, view.count)
    guard n > 0 else { return nil }
    let sample = DatasetView(source: view.source, indices: Array(view.indices.prefix(n)))
    let (metrics, predictions) = Evaluator.evaluate(model, on: sample, collectPredictions: true)
    return predictions.map { (sample, $0, metrics) }
  }

  /// The epoch with the lowest validation loss.
  public var bestEpoch: EpochReport? { epochs.min { $0.validationLoss < $1.validationLoss } }
  /// Seconds of training, all epochs.
  public var trainingSeconds: Double { epochs.reduce(0) { $0 + $1.seconds } }
}
