/// What a training run reports, as value snapshots that may cross threads.
public enum TrainingEvent: Sendable {
  case started(RunStarted)
  case batch(BatchReport)
  case epoch(EpochReport)
  case predictions(ValidationPredictions)
  /// The first layer's weights as tiles, at the start and after every epoch.
  case weights(WeightSnapshot)
  /// Layer health of a measured step (`RunPlan.healthInterval`): activation statistics and
  /// update ratios.
  case health(LayerHealth)
  /// The whole model (`RunPlan.sendsModel`), for inference in the front end.
  case model(ModelSnapshot)
  /// The learning-rate range test's result (answer to `TrainingCommand.findLearningRate`).
  case learningRateSweep(LearningRateSweep)
  /// How weights, gradients and activations spread after an epoch (`RunPlan.sendsModel`).
  case distributions(Distributions)
  case state(TrainerState)
  case checkpointSaved(path: String, epoch: Int)
  /// How the run stands (`RunRecord`): after every epoch and before the last event.
  case record(RunRecord)
  /// The user's learning-rate factor changed (`+`/`-`): the rate now, the factor, and whether
  /// the factor has reached an end of `Trainer.learningRateFactorRange`.
  case learningRateScaled(rate: Float, factor: Float, atLimit: Bool)
  /// The user acted on the run (or it began as a fork): journalled in the run folder's
  /// `events.csv` and marked on the curves.
  case intervention(Intervention)
  /// The state a fork starts from (answer to `TrainingCommand.fork`).
  case forked(ForkPoint)
  /// NaN or infinite loss or gradients with `RunPlan.pausesOnAnomaly`: the step was not applied,
  /// the run went back to the state at the start of the epoch (`restoredTo`) and paused.
  case anomaly(step: Int, restoredTo: TrainingPosition, message: String)
  /// NaN or infinite loss or gradients: the run stopped before applying that step.
  case diverged(step: Int, epoch: Int, message: String)
  case finished(RunSummary)
  case failed(message: String)

  /// True for the events after which nothing more comes.
  public var isTerminal: Bool {
    switch self {
    case .finished, .failed, .diverged: true
    default: false
    }
  }
}

/// Whether the trainer is working through batches.
public enum TrainerState: String, Sendable {
  case running = "RUNNING"
  /// Running to the end of the current epoch, then pausing.
  case stepping = "STEPPING"
  case paused = "PAUSED"
}

/// The first event of a run: what is being trained on what.
public struct RunStarted: Sendable {
  public var runName: String
  /// `print(model)`: the layer tree with shapes and parameter counts.
  public var modelDescription: String
  /// A compact one-liner such as `784-256 relu-10 softmax`.
  public var modelOneLine: String
  public var parameterCount: Int
  /// Names of the parameter tensors, in the order of `BatchReport.gradientNorms`.
  public var parameterNames: [String]
  public var dataset: String
  public var trainCount: Int
  public var validation: DatasetView
  public var testCount: Int?
  public var epochs: Int
  /// Epochs already done (non-zero when resuming).
  public var startEpoch: Int
  public var batchSize: Int
  public var batchesPerEpoch: Int
  public var learningRate: Float
  /// The clip threshold, nil when not clipping.
  public var clipNorm: Float?
  /// The matrix-product backend, such as `OpenBLAS (Zen kernel, 2 threads)`.
  public var backend: String
  /// The layers as configured (with `layers.geometries()`, the shapes each one gives).
  public var layers: [LayerSpec] = []
  /// What each label means: `0`-`9` for digits, `T-shirt`, ... for Fashion-MNIST.
  public var classNames: [String] = (0..<10).map(String.init)
  /// How training images are varied (the configuration's `augment`), for the preview.
  public var augmentShift = 0
  public var augmentWarp = Warp()
  /// The views of each digit its test figures average (`RunConfig.testViews`), for the preview.
  public var testViews: [Warp.Draw?] = [nil]
  /// How the run picks its best epoch (`RunConfig.bestSmoothing`), for a front end that folds
  /// epochs into a record of its own.
  public var bestSmoothing = 0.0
  /// The training loss's label smoothing (`RunConfig.labelSmoothing`), for its equations.
  public var labelSmoothing: Float = 0

  /// Whether the labels are digits (MNIST) rather than named classes.
  public var isDigits: Bool { classNames == (0..<10).map(String.init) }

  /// The positions in `parameterNames` of layer `layer`'s tensors (`2.weight`, `2.bias`).
  public func parameterIndices(ofLayer layer: Int) -> [Int] {
    parameterNames.indices.filter { parameterNames[$0].hasPrefix("\(layer).") }
  }
}

extension RunStarted {
  /// The start of a run of `config` with `model` on `data`: what a live trainer and a replay
  /// of a saved run both announce.
  public init(
    config: RunConfig, model: Sequential, dataset: String, data: DataSplit, startEpoch: Int, batchesPerEpoch: Int,
    learningRate: Float, backend: String
  ) {
    self.init(
      runName: config.name, modelDescription: model.description, modelOneLine: model.oneLine,
      parameterCount: model.parameterCount, parameterNames: model.parameters.map(\.name), dataset: dataset,
      trainCount: data.train.count, validation: data.validation, testCount: data.test?.count, epochs: config.epochs,
      startEpoch: startEpoch, batchSize: config.batchSize, batchesPerEpoch: batchesPerEpoch, learningRate: learningRate,
      clipNorm: config.clip.maxNorm, backend: backend, layers: config.layers,
      classNames: config.dataset?.classNames ?? (0..<10).map(String.init))
    (augmentShift, augmentWarp, testViews) = (config.augmentShift, config.augmentWarp, config.testViews)
    bestSmoothing = config.bestSmoothing
    labelSmoothing = config.labelSmoothing
  }
}

/// One optimisation step.
public struct BatchReport: Sendable {
  /// Steps done in the run, counting this one (1-based).
  public var step: Int
  /// The epoch this batch belongs to (0-based).
  public var epoch: Int
  /// Index of the batch within its epoch (0-based).
  public var batch: Int
  public var batchesPerEpoch: Int
  public var loss: Float
  public var accuracy: Float
  /// Pre-clip L2 norm of each parameter's gradient, in `RunStarted.parameterNames` order.
  public var gradientNorms: [Float]
  /// Pre-clip norm of all gradients together.
  public var globalNorm: Float
  public var learningRate: Float
  /// Training throughput, smoothed, excluding paused time.
  public var samplesPerSecond: Double

  /// Position in epochs, such as 2.25 for a quarter through the third epoch.
  public var progress: Double { Double(epoch) + Double(batch + 1) / Double(batchesPerEpoch) }
}

/// The end of an epoch.
public struct EpochReport: Sendable {
  /// Epochs completed (1-based).
  public var epoch: Int
  /// Mean loss and accuracy over the epoch's training batches.
  public var trainLoss: Float
  public var trainAccuracy: Float
  public var validationLoss: Float
  public var validationAccuracy: Float
  public var learningRate: Float
  /// Wall-clock training seconds of the epoch, without validation or paused time.
  public var seconds: Double
  /// The weight average's validation loss and accuracy (`WeightAverage`), in runs that keep one.
  public var average: Metrics? = nil
  /// With the batch split: the share of the run's steps so far that the helper thread took
  /// part in (`Trainer.helperShare`). Live only: not in `metrics.csv`.
  public var helperShare: Double? = nil
}

/// The model's outputs on the validation view after an epoch.
public struct ValidationPredictions: Sendable {
  public var epoch: Int
  /// Per sample, in validation order: the true class.
  public var labels: [UInt8]
  /// Per sample: the predicted class.
  public var predicted: [UInt8]
  /// Per sample: `classes` probabilities, flattened.
  public var probabilities: [Float]
  public var classes: Int

  public var count: Int { labels.count }

  /// The probabilities of sample `i`.
  public func probabilities(of i: Int) -> ArraySlice<Float> {
    probabilities[i * classes..<(i + 1) * classes]
  }

  /// `confusion[true][predicted]` counts.
  public var confusion: [[Int]] {
    var m = Array(repeating: Array(repeating: 0, count: classes), count: classes)
    for (l, p) in zip(labels, predicted) { m[Int(l)][Int(p)] += 1 }
    return m
  }
}

/// Loss and accuracy on a set of samples.
public struct Metrics: Sendable, Equatable, Codable {
  public var loss: Float
  public var accuracy: Float
  public init(loss: Float, accuracy: Float) {
    self.loss = loss
    self.accuracy = accuracy
  }
}

/// The last event of a run that ended normally or was stopped.
public struct RunSummary: Sendable {
  public var runName: String
  public var epochs: Int
  public var train: Metrics
  public var validation: Metrics
  public var test: Metrics?
  public var secondsPerEpoch: [Double]
  public var samplesPerSecond: Double
  /// True when a stop command ended the run early.
  public var stopped: Bool
  /// Seconds the run spent persisting itself (logs and checkpoints: the observer's share).
  public var savingSeconds: Double = 0
  /// Of those, seconds spent formatting and appending log lines.
  public var logSeconds: Double = 0
  /// The run's record at its end (status, best epoch, test of the final model and of the best
  /// checkpoint).
  public var record: RunRecord? = nil
  /// The time in each layer, when the run timed them (`RunPlan.timesLayers`).
  public var layerTimes: LayerTimes? = nil
}

extension EventChannel {
  /// Sends `predictions` (when there are some) as those after `epoch` epochs.
  func send(predictions: ValidationPredictions?, epoch: Int) {
    guard var predictions else { return }
    predictions.epoch = epoch
    send(.predictions(predictions))
  }
}
