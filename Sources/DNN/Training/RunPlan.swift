/// Everything a `Trainer` needs to know about its run, fixed before it starts: the
/// configuration, the data, where it starts (a saved state when resuming), whether it starts
/// paused, how it splits batches, and who persists it.
public struct RunPlan {
  public let config: RunConfig
  public let data: DataSplit
  /// Name of the dataset, for the start event (its folder, usually).
  public let datasetName: String
  /// The saved state to continue from; nil starts from the seed's initial weights.
  public let start: SavedState?
  /// Start paused (the first command decides).
  public let startsPaused: Bool
  /// Split each batch across two cores; nil decides (see `Trainer.init`).
  public var splitBatch: Bool?
  /// With the batch split: whether the helper thread runs the second half (`HelperUse`).
  public var helperUse = HelperUse.auto
  /// Time each layer's passes (`LayerClock`; the run's summary gets `layerTimes`).
  public var timesLayers = false
  /// Persists the run (a `RunFolder`), if any.
  public let observer: TrainingObserver?
  /// OpenBLAS threads for an unsplit run (nil: `BLASRuntime.requestedThreads`): 1 when two
  /// runs train at once, one per core.
  public var blasThreads: Int?
  /// The factor on the schedule's learning rate the run starts with (a fork's choice); nil
  /// takes the saved state's (a resumed run keeps its `+`/`-`), or 1.
  public var learningRateFactor: Float?
  /// On a NaN or infinite loss or gradient, go back to the state at the start of the epoch and
  /// pause (the dashboard: the user lowers the rate and goes on) instead of ending the run
  /// (`dnn train`: it stops with a message).
  public var pausesOnAnomaly = false
  /// Seconds between two layer-health measurements (`TrainingEvent.health`: activation
  /// statistics and update ratios of a step); nil measures nothing (`dnn train`).
  public var healthInterval: Double?
  /// Send a copy of the whole model (`TrainingEvent.model`) at the start, after every epoch and
  /// when pausing, for a front end's own inference (drawing a digit, gradient checks).
  public var sendsModel = false
  /// The run this one was forked from and at which step, journalled when it starts.
  public var forkedFrom: (parent: String, step: Int)?

  public init(
    config: RunConfig, data: DataSplit, datasetName: String = "MNIST", start: SavedState? = nil,
    startsPaused: Bool = false, splitBatch: Bool? = nil, observer: TrainingObserver? = nil
  ) {
    self.config = config
    self.data = data
    self.datasetName = datasetName
    self.start = start
    self.startsPaused = startsPaused
    self.splitBatch = splitBatch
    self.observer = observer
  }

  /// Seconds between layer-health measurements when a dashboard watches (a few a second: the
  /// panel's refresh rate; the cost is a copy of the weights and a pass over the activations).
  public static let dashboardHealthInterval = 0.2

  /// This plan as a dashboard runs it: anomalies pause the run, layer health is measured and the
  /// model is sent for the dashboard's own inference.
  public func watched() -> RunPlan {
    var plan = self
    plan.pausesOnAnomaly = true
    plan.healthInterval = RunPlan.dashboardHealthInterval
    plan.timesLayers = true
    plan.sendsModel = true
    return plan
  }

  /// The plan of `config` on `folder`'s data, checking that the config fits the data.
  public init(
    config: RunConfig, folder: MNISTFolder, start: SavedState? = nil, startsPaused: Bool = false,
    observer: TrainingObserver? = nil
  ) throws {
    let split = try RunPlan.check(config, on: folder)
    self.init(config: config, data: split, datasetName: folder.path, start: start, startsPaused: startsPaused, observer: observer)
  }

  /// Throws what the plan of `config` on `folder`'s data would (memory, an empty training set,
  /// a batch larger than it), so a caller can refuse a run before creating its folder; returns
  /// the split.
  @discardableResult
  public static func check(_ config: RunConfig, on folder: MNISTFolder) throws -> DataSplit {
    try config.checkMemory()
    let split = DataSplit(folder: folder, config: config)
    guard split.train.count > 0 else {
      throw ConfigError("run '\(config.name)': no training samples left after the validation split")
    }
    guard config.batchSize <= split.train.count else {
      throw ConfigError("run '\(config.name)': batchSize \(config.batchSize) is larger than the \(split.train.count) training samples")
    }
    return split
  }
}
