import Synchronization

/// A log a run folder writes besides its own files, at the same moments: after each epoch
/// (with that epoch's steps and the model after it) and at each intervention. TensorBoard's
/// event file is one (`Interop`'s `TensorBoardLog`, registered by the programs that want it):
/// the engine says when and what, the format lives elsewhere.
public protocol RunLogSink: AnyObject {
  /// An epoch ended: its steps (in order), its metrics, the model after it (with the probe
  /// images to show activations on).
  func write(epoch: EpochReport, steps: [RunLog.Step], progress: TrainingProgress) throws
  /// An intervention (pause, rate change, fork, ...) at its step.
  func write(_ intervention: Intervention) throws
}

/// The sinks every run folder a process opens gets, made by the makers registered here.
public enum RunLogSinks {
  /// Makes a sink for the run folder at `folder` training `config`; `resumedAt` is the saved
  /// position of a resumed run (its log is cut back to it, as the CSV logs are), nil for a new one.
  public typealias Maker = @Sendable (_ folder: String, _ config: RunConfig, _ resumedAt: TrainingPosition?) throws -> RunLogSink

  private static let makers = Mutex<[String: Maker]>([:])

  /// Every run folder opened from now on gets a sink from `maker`; registering under the same
  /// `name` again replaces it (a log is never written twice).
  public static func register(_ name: String, _ maker: @escaping Maker) { makers.withLock { $0[name] = maker } }

  static func make(folder: String, config: RunConfig, resumedAt: TrainingPosition?) throws -> [RunLogSink] {
    try makers.withLock { $0 }.sorted { $0.key < $1.key }.map { try $0.value(folder, config, resumedAt) }
  }
}
