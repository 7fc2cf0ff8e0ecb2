import DNN

/// The engine side as the dashboard sees it: runs join, their events come out, commands go in.
/// `Sweep` is the real one (live trainers, replayed and followed folders); tests script their own.
public protocol TrainingLink: AnyObject {
  /// What happened since the last call, oldest first.
  func drainEvents() -> [LinkEvent]
  /// Sends `command` to run `run`'s trainer (a queued run told to `.stop` is skipped).
  func send(_ command: TrainingCommand, to run: Int)
}

/// Something the dashboard learns from its link.
public enum LinkEvent: Sendable {
  /// A run joins, as the next index (a sweep's run, a fork, a run found in a folder); `focus`
  /// asks the dashboard to show it (a fork the user just made).
  case added(RunState, focus: Bool)
  /// An event of run `run`.
  case event(run: Int, TrainingEvent)
}

/// One run's event stream: a live trainer, a replayed folder, a followed one.
public protocol RunSource: AnyObject {
  func drainEvents() -> [TrainingEvent]
  func send(_ command: TrainingCommand)
  /// True once no more events will come.
  var hasEnded: Bool { get }
}
