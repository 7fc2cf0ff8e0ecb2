extension Trainer {
  /// The test metrics of the best checkpoint, when there is a test set and a saved best model
  /// (`RunRecord.testOfBestCheckpoint`: what `dnn evaluate` measures by default).
  func testOfBestCheckpoint() throws -> Metrics? {
    guard let test = data.test, let path = plan.observer?.bestCheckpointPath else { return nil }
    let best = ModelBuilder.build(config.layers, seed: config.seed)
    _ = try Checkpoint.load(path, into: best)
    return Evaluator.evaluate(best, on: test)
  }
}
