import Foundation

/// The events of a saved run, rebuilt from its folder (metrics.csv, steps.csv and the best
/// checkpoint's predictions), so a front end can show a finished run as if it had watched it.
public enum RunReplay {
  /// Events from `run.started` to `.finished` (or up to the last epoch when `final` is false).
  public static func events(of run: SavedRun, folder: MNISTFolder, final: Bool = true) throws -> [TrainingEvent] {
    let split = DataSplit(folder: folder, config: run.config)
    let model = try run.model(checkpoint: "best")
    let batches = (split.train.count + run.config.batchSize - 1) / run.config.batchSize
    var events: [TrainingEvent] = [.started(RunStarted(
      runName: run.config.name, modelDescription: model.description, modelOneLine: model.oneLine,
      parameterCount: model.parameterCount, parameterNames: model.parameters.map(\.name), dataset: folder.path,
      trainCount: split.train.count, validation: split.validation, testCount: split.test?.count, epochs: run.config.epochs,
      startEpoch: 0, batchSize: run.config.batchSize, batchesPerEpoch: batches,
      learningRate: run.config.optimizer.learningRate, clipNorm: run.config.clip.maxNorm, backend: "saved run \(run.path)"))]
    // Steps, interleaved with epoch ends.
    let stepsText = (try? String(contentsOfFile: (run.path as NSString).appendingPathComponent("steps.csv"), encoding: .utf8)) ?? ""
    var epochIndex = 0
    for line in stepsText.split(separator: "\n").dropFirst() {
      let f = line.split(separator: ",")
      guard f.count >= 4, let step = Int(f[0]), let epoch = Int(f[1]), let loss = Float(f[2]), let accuracy = Float(f[3]) else { continue }
      while epochIndex < run.epochs.count && run.epochs[epochIndex].epoch < epoch {
        events.append(.epoch(run.epochs[epochIndex]))
        epochIndex += 1
      }
      let norms = f.dropFirst(4).compactMap { Float($0) }
      let batch = (step - 1) % batches
      events.append(.batch(BatchReport(
        step: step, epoch: epoch - 1, batch: batch, batchesPerEpoch: batches, loss: loss, accuracy: accuracy,
        gradientNorms: norms, globalNorm: GradientClipping.globalNorm(norms),
        learningRate: run.epochs.last?.learningRate ?? run.config.optimizer.learningRate, samplesPerSecond: 0)))
    }
    while epochIndex < run.epochs.count {
      events.append(.epoch(run.epochs[epochIndex]))
      epochIndex += 1
    }
    var (_, predictions) = Evaluator.evaluate(model, on: split.validation, collectPredictions: true)
    predictions?.epoch = run.bestEpoch?.epoch ?? 0
    if let predictions { events.append(.predictions(predictions)) }
    if final {
      let test = split.test.map { Evaluator.evaluate(model, on: $0) }
      let last = run.epochs.last
      events.append(.finished(RunSummary(
        runName: run.config.name, epochs: run.epochs.count,
        train: Metrics(loss: last?.trainLoss ?? .nan, accuracy: last?.trainAccuracy ?? .nan),
        validation: Metrics(loss: last?.validationLoss ?? .nan, accuracy: last?.validationAccuracy ?? .nan),
        test: test, secondsPerEpoch: run.epochs.map(\.seconds), samplesPerSecond: 0, stopped: false)))
    }
    return events
  }
}
