extension RunRecord {
  /// For a run from before records, or one that never reached its end (no test figure of its
  /// best checkpoint): `best`, the best checkpoint's model, scored on `test` as the run's
  /// configuration scores test digits (`Evaluator.test`), and how many views that took.
  public mutating func scoreBestCheckpointIfMissing(_ best: Sequential, on test: DatasetView?, config: RunConfig) {
    guard testOfBestCheckpoint == nil, let test else { return }
    testOfBestCheckpoint = Evaluator.test(best, on: test, config: config).metrics
    testViews = config.recordedTestViews
  }
}

extension Trainer {
  /// The test metrics of the best checkpoint, when there is a test set and a saved best model
  /// (`RunRecord.testOfBestCheckpoint`: what `dnn evaluate` measures by default).
  func testOfBestCheckpoint() throws -> Metrics? {
    guard let test = data.test, let path = plan.observer?.bestCheckpointPath else { return nil }
    let best = ModelBuilder.build(config.layers, seed: config.seed)
    _ = try Checkpoint.load(path, into: best)
    return Evaluator.test(best, on: test, config: config).metrics
  }
}

extension Trainer {
  /// The weight average a run with `config` keeps, if any: from the saved state's average when
  /// there is one, else starting at `model`'s weights.
  static func average(of model: Sequential, config: RunConfig, saved: SavedState?) throws -> WeightAverage? {
    guard let decay = config.averageDecay else { return nil }
    let average = WeightAverage(of: model, layers: config.layers, decay: decay)
    try saved?.restore(average)
    return average
  }
}

extension Trainer {
  /// How the batches of an epoch ended.
  enum EpochEnd {
    case completed(EpochTally)
    case stopped, diverged
    /// An anomaly sent the run back to the start of this epoch.
    case rewound
  }
}
