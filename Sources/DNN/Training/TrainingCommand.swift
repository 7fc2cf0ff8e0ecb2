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
  /// Hand over a copy of the run's state (`TrainingEvent.forked`) for a new run that goes on
  /// from here with the learning-rate factor multiplied by the given one; `name` is the new run's.
  case fork(name: String, learningRateFactor: Float)
  /// Run the learning-rate range test on a copy of the model now (`LearningRateSweep`), answered
  /// with `TrainingEvent.learningRateSweep`; the run itself is not changed.
  case findLearningRate
}
