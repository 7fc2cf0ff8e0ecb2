/// What an observer gets at the trainer's milestones: the model, the optimizer and where the
/// run stands (not the trainer: an observer persists, it does not steer).
public struct TrainingProgress {
  public let model: Sequential
  public let optimizer: Optimizer
  public let position: TrainingPosition
  /// The user's factor on the schedule's learning rate (saved with the state).
  public var learningRateFactor: Float = 1
  /// The run record as of now (persisted with the state as `run.json`).
  public var record: RunRecord
  /// The weight average, in runs that keep one (saved as `average.safetensors` and in the state).
  public var average: WeightAverage? = nil
  /// The training totals of the epoch under way (saved with a state taken inside it).
  public var epochSoFar: EpochTally? = nil
  /// After an epoch: how weights, gradients and the layers' outputs on the probe images spread,
  /// measured once when first asked for (by a log, or the front end's event); nil elsewhere.
  public var distributions: EpochDistributions? = nil
}

/// Called on the training thread at the trainer's milestones, to persist a run (files) without
/// the trainer knowing about folders. Errors thrown here fail the run with their message.
public protocol TrainingObserver: AnyObject {
  /// After every optimisation step.
  func didFinish(_ batch: BatchReport) throws
  /// After every epoch, with its validation metrics.
  func didFinish(_ epoch: EpochReport, _ progress: TrainingProgress) throws
  /// When asked to save now, or when the run ends or stops; returns the path written, if any.
  func save(_ progress: TrainingProgress) throws -> String?
  /// When the user acts on the run (pause, rate change, save, fork, ...), to journal it.
  func didIntervene(_ intervention: Intervention) throws
  /// When an anomaly sent the run back to `position` (the steps after it will be trained again).
  func didRewind(to position: TrainingPosition) throws
  /// When the run ended, however it ended (after the last `save`), with its final record.
  func didEnd(_ record: RunRecord) throws
  /// Seconds spent appending log lines so far, for the run's summary.
  var secondsWritingLogs: Double { get }
  /// The epochs logged before this trainer started (a resumed run's), for the run record.
  var history: [EpochReport] { get }
  /// Where the best checkpoint is, once there is one (to score it on the test set at the end).
  var bestCheckpointPath: String? { get }
}

extension TrainingObserver {
  public func didIntervene(_ intervention: Intervention) throws {}
  public func didRewind(to position: TrainingPosition) throws {}
  public func didEnd(_ record: RunRecord) throws {}
  public var history: [EpochReport] { [] }
  public var secondsWritingLogs: Double { 0 }
  public var bestCheckpointPath: String? { nil }
}

/// Where a run stands: epochs and steps done.
public struct TrainingPosition: Sendable, Equatable, Codable {
  /// The epoch in progress (0-based), or the number of epochs done when `batch` is 0.
  public var epoch: Int
  /// Batches done within `epoch`.
  public var batch: Int
  /// Optimisation steps done in the whole run.
  public var step: Int

  public init(epoch: Int, batch: Int, step: Int) {
    self.epoch = epoch
    self.batch = batch
    self.step = step
  }
}
