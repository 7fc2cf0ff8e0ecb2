/// Commands the trainer obeys between batches.
public enum TrainingCommand: Sendable, Equatable {
  case pause
  case resume
  /// Run to the end of the current epoch, then pause.
  case stepEpoch
  /// End the run after the current step.
  case stop
  /// Multiply the learning rate (on top of its schedule) by a factor.
  case scaleLearningRate(Float)
  /// Save a checkpoint now (when the run has a folder).
  case saveCheckpoint
}
