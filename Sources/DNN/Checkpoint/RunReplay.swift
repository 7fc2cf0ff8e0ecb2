import Foundation

/// The events of a saved run, rebuilt from its folder (metrics.csv, steps.csv and the best
/// checkpoint's predictions), so a front end can show a finished run as if it had watched it.
public enum RunReplay {
  /// Events from `run.started` to `.finished` (or up to the last epoch when `final` is false).
  public static func events(of run: SavedRun, folder: MNISTFolder, final: Bool = true) throws -> [TrainingEvent] {
    let split = DataSplit(folder: folder, config: run.config)
    // The best checkpoint's model; a run killed before its first save has none (nor a state):
    // its logs replay all the same, with the untrained model.
    let checkpoint = CheckpointKind.allCases.first { FileManager.default.fileExists(atPath: RunFiles.path(run.path, $0.fileName)) }
    let model = try checkpoint.map { try run.model(checkpoint: $0) } ?? ModelBuilder.build(run.config.layers, seed: run.config.seed)
    // At least one: a hand-edited configuration can leave no training digits (a replay shows what
    // the logs hold all the same).
    let batches = max((split.train.count + run.config.batchSize - 1) / run.config.batchSize, 1)
    var events: [TrainingEvent] = [.started(RunStarted(
      config: run.config, model: model, dataset: folder.path, data: split, startEpoch: 0, batchesPerEpoch: batches,
      learningRate: run.config.optimizer.learningRate, backend: "saved run \(run.path)"))]
    // Steps, interleaved with epoch ends.
    var epochIndex = 0
    let rate = learningRates(of: run)
    for s in RunLog.readSteps(folder: run.path).steps {
      while epochIndex < run.epochs.count && run.epochs[epochIndex].epoch < s.epoch {
        events.append(.epoch(run.epochs[epochIndex]))
        epochIndex += 1
      }
      let batch = (s.step - 1) % batches
      let progress = Double(s.epoch - 1) + Double(batch + 1) / Double(batches)
      events.append(.batch(BatchReport(
        step: s.step, epoch: s.epoch - 1, batch: batch, batchesPerEpoch: batches, loss: s.loss,
        accuracy: s.accuracy, gradientNorms: s.gradientNorms, globalNorm: GradientClipping.globalNorm(s.gradientNorms),
        learningRate: rate(s.epoch, progress), samplesPerSecond: 0)))
    }
    while epochIndex < run.epochs.count {
      events.append(.epoch(run.epochs[epochIndex]))
      epochIndex += 1
    }
    if checkpoint != nil {
      var (_, predictions) = Evaluator.evaluate(model, on: split.validation, collectPredictions: true)
      predictions?.epoch = run.bestEpoch?.epoch ?? 0
      if let predictions { events.append(.predictions(predictions)) }
      if let weights = WeightSnapshot.firstLayer(of: model, epoch: run.bestEpoch?.epoch ?? 0) { events.append(.weights(weights)) }
      let best = TrainingPosition(epoch: run.bestEpoch?.epoch ?? 0, batch: 0, step: 0)
      events.append(.model(ModelSnapshot(model: model, config: run.config, position: best)))
    }
    if final {
      var record = run.record
      if checkpoint == .best { record.scoreBestCheckpointIfMissing(model, on: split.test, config: run.config) }
      events.append(.record(record))
      events.append(.finished(RunSummary(name: run.config.name, epochs: run.epochs, record: record)))
    }
    return events
  }

  /// The learning rate of the steps of a saved run, which steps.csv does not keep: the
  /// schedule's at the step, times the user's factor on the schedule in the step's epoch: its logged rate
  /// over the schedule's at the epoch's end (`Trainer.learningRate(at:)`), the factor before it
  /// where the schedule's rate is 0 there (a cosine's last epoch). Given a step's epoch (1-based)
  /// and progress (fractional epochs).
  public static func learningRates(of run: SavedRun) -> (_ epoch: Int, _ progress: Double) -> Float {
    var factors: [Int: Float] = [:]
    var factor: Float = 1
    for e in run.epochs {
      let scheduled = run.config.scheduledRate(at: Double(e.epoch))
      if scheduled > 0 && e.learningRate.isFinite { factor = e.learningRate / scheduled }
      factors[e.epoch] = factor
    }
    // An epoch without a logged rate (the one a killed run was in) keeps the last factor.
    return { [factor, config = run.config] epoch, progress in config.scheduledRate(at: progress) * (factors[epoch] ?? factor) }
  }
}
