/// The state a forked run starts from: a copy of the parent's weights, optimizer state and
/// position taken between two steps, the parent's name, and the learning-rate factor the new
/// run starts with (the parent's, times the one the user chose).
public struct ForkPoint: Sendable {
  public let parent: String
  /// The new run's name (`NAME-fork1`).
  public let name: String
  /// `Checkpoint.stateFile` of the parent at the fork.
  public let state: Safetensors
  public let position: TrainingPosition
  public let learningRateFactor: Float

  public init(parent: String, name: String, state: Safetensors, position: TrainingPosition, learningRateFactor: Float) {
    self.parent = parent
    self.name = name
    self.state = state
    self.position = position
    self.learningRateFactor = learningRateFactor
  }

  /// The fork's configuration: `parent`'s under the fork's name, with the fork's rate as its own
  /// (config.json says it, a resume reads it, and it sets the fork apart from its parent): the
  /// factor on the parent's schedule goes into the initial rate, and the fork's factor starts at 1.
  /// A fork's factor on its own schedule when it starts (its rate is in its configuration).
  public static let startingFactor: Float = 1

  public func config(from parent: RunConfig) -> RunConfig {
    var config = parent
    config.name = name
    config.optimizer = parent.optimizer.withLearningRate(parent.optimizer.learningRate * learningRateFactor)
    return config
  }

  /// The state, read as a resume reads `last.safetensors`.
  public func savedState() throws -> SavedState {
    try SavedState(file: state, path: "the fork of \(parent) at step \(position.step)")
  }
}
