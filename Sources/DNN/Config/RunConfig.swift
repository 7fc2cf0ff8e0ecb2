/// The optimizer of a run and its hyper-parameters (PyTorch's defaults where unset).
public enum OptimizerSpec: Sendable, Equatable {
  case sgd(learningRate: Float, momentum: Float, nesterov: Bool, weightDecay: Float)
  case adam(learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float)
  case adamW(learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float)

  /// The names of `type` in a configuration.
  public static let typeNames = ["sgd", "adam", "adamw"]

  /// The initial learning rate.
  public var learningRate: Float {
    switch self {
    case .sgd(let lr, _, _, _), .adam(let lr, _, _, _, _), .adamW(let lr, _, _, _, _): lr
    }
  }

  /// The same optimizer at another initial learning rate.
  public func withLearningRate(_ rate: Float) -> OptimizerSpec {
    switch self {
    case .sgd(_, let momentum, let nesterov, let wd): .sgd(learningRate: rate, momentum: momentum, nesterov: nesterov, weightDecay: wd)
    case .adam(_, let b1, let b2, let eps, let wd): .adam(learningRate: rate, beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd)
    case .adamW(_, let b1, let b2, let eps, let wd): .adamW(learningRate: rate, beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd)
    }
  }

  /// A new optimizer with these settings.
  public func make() -> Optimizer {
    switch self {
    case .sgd(let lr, let momentum, let nesterov, let wd):
      SGD(learningRate: lr, momentum: momentum, nesterov: nesterov, weightDecay: wd)
    case .adam(let lr, let b1, let b2, let eps, let wd):
      Adam(learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd)
    case .adamW(let lr, let b1, let b2, let eps, let wd):
      Adam(learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd, decoupledWeightDecay: true)
    }
  }
}

/// Everything that defines one training run: the contract of the `runs` entries of a
/// configuration file (see README, "Run configuration").
public struct RunConfig: Sendable, Equatable {
  public var name: String
  public var layers: [LayerSpec]
  public var optimizer: OptimizerSpec
  public var schedule: LearningRateSchedule = .constant
  public var epochs: Int = 10
  public var batchSize: Int = 128
  public var seed: UInt64 = 1
  /// Training samples to use (the original's `train_abs_samples`); nil for all.
  public var trainSamples: Int? = nil
  public var validationFraction: Double = 0.1
  public var clip: GradientClipping = .none
  /// Random shifts of training images by up to this many pixels (0: off).
  public var augmentShift: Int = 0
  /// Rotation, scaling and elastic distortion of training images (`Warp`; identity: off).
  public var augmentWarp = Warp()
  /// Test-time augmentation (`augment.test`): test figures score each digit as the mean of the
  /// warp's test views (`Warp.testViews`) instead of the digit alone.
  public var testAugment = false
  /// The decay of the exponential moving average of the weights (`WeightAverage`), kept, scored
  /// and saved as a model of its own; nil: no average.
  public var averageDecay: Float? = nil
  /// Label smoothing of the training loss (`SoftmaxCrossEntropy`): each target is
  /// (1 − s)·onehot + s/K; 0: one-hot. Validation and test losses stay the plain cross-entropy.
  public var labelSmoothing: Float = 0
  /// The weight of the moving average of the validation loss that picks the best epoch
  /// (`BestEpochRule`); 0: each epoch's own loss.
  public var bestSmoothing: Double = 0
  /// The data the run trains on, recorded when it starts (nil in configuration files: the
  /// command line chooses).
  public var dataset: DatasetIdentity? = nil

  /// The views of each test digit the run's test figures average (`Evaluator.test`): the
  /// warp's test views with `testAugment`, else the digit as it is.
  public var testViews: [Warp.Draw?] { testAugment ? augmentWarp.testViews : [nil] }
  /// How many views the test figures average, as a record keeps it (`RunRecord.testViews`):
  /// nil when each digit is scored alone.
  public var recordedTestViews: Int? { testViews.count > 1 ? testViews.count : nil }

  /// The values `epochs` may take, in a file or on a command line.
  public static let epochRange = 1...100_000
  /// The values `seed` may take, in a file or on a command line.
  public static let seedRange = 0...Int(Int32.max)

  /// The message for a command-line value outside `range`, or nil when it is inside.
  public static func outOfRange(_ option: String, _ value: Int, _ range: ClosedRange<Int>) -> String? {
    range.contains(value) ? nil : "\(option) must be from \(range.lowerBound) to \(range.upperBound), got \(value)"
  }

  public init(name: String, layers: [LayerSpec], optimizer: OptimizerSpec) {
    self.name = name
    self.layers = layers
    self.optimizer = optimizer
  }

  /// The model a run keeps as its result: the one its summary names and `dnn evaluate` scores
  /// by default (`RunRecord.headlineTest`): the weight average when the run keeps one, else the
  /// best checkpoint.
  public var keptModel: CheckpointKind { averageDecay == nil ? .best : .average }

  /// What `dnn bench` trains of this run: the same model, optimizer and batches for `epochs`
  /// epochs, on every training image, with no validation set and no augmentation of any kind
  /// (shifts, rotation, scaling, elastic distortion), as the peers it is compared with train.
  public func benchmarked(epochs: Int) -> RunConfig {
    var run = self
    run.epochs = epochs
    run.validationFraction = 0
    run.augmentShift = 0
    run.augmentWarp = Warp()
    run.trainSamples = nil
    return run
  }

  /// The schedule's learning rate at `progress` epochs, before the user's factor.
  public func scheduledRate(at progress: Double) -> Float {
    schedule.rate(initial: optimizer.learningRate, progress: progress, totalEpochs: epochs)
  }
}

/// A configuration file: a list of runs.
public struct RunFile: Sendable {
  public var runs: [RunConfig]
  /// Where it was read from, for messages.
  public var path: String

  /// The run called `name`; throws listing the names when there is none.
  public func run(named name: String) throws -> RunConfig {
    guard let run = runs.first(where: { $0.name == name }) else {
      throw ConfigError("\(path): no run named '\(name)' (runs: \(runs.map(\.name).joined(separator: ", ")))")
    }
    return run
  }
}
