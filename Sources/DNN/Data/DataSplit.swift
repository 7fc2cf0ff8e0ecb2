/// The training, validation and test views of one run.
public struct DataSplit: Sendable {
  public let train: DatasetView
  public let validation: DatasetView
  public let test: DatasetView?

  /// Splits `folder`'s training files: a seeded shuffle, the first `validationFraction` of it
  /// held out for validation, then the first `trainSamples` of the rest (all when nil) for
  /// training. The test files, when present, are the test view.
  public init(folder: MNISTFolder, validationFraction: Double, trainSamples: Int?, seed: UInt64) {
    precondition(validationFraction >= 0 && validationFraction < 1, "validationFraction must be in [0, 1)")
    var generator = SplitMix64(seed: seed).derived("split")
    var order = Array(0..<folder.train.count)
    order.shuffle(using: &generator)
    let validationCount = Int((Double(order.count) * validationFraction).rounded())
    let rest = order[validationCount...]
    let trainCount = min(trainSamples ?? rest.count, rest.count)
    train = DatasetView(source: folder.train, indices: Array(rest.prefix(trainCount)))
    validation = DatasetView(source: folder.train, indices: Array(order[..<validationCount]))
    test = folder.test.map { DatasetView($0) }
  }

  /// The split a run uses: its validation fraction, training subset and seed.
  public init(folder: MNISTFolder, config: RunConfig) {
    self.init(folder: folder, validationFraction: config.validationFraction, trainSamples: config.trainSamples, seed: config.seed)
  }
}
