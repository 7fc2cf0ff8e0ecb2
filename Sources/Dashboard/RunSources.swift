import DNN
import Dispatch

/// A run trained here, on a background Dispatch queue.
public final class LiveRun: RunSource {
  private let session = TrainingSession()
  public private(set) var hasEnded = false

  public init(_ prepare: @escaping @Sendable (EventChannel, CommandMailbox) throws -> Trainer) {
    session.start(prepare)
  }

  public func drainEvents() -> [TrainingEvent] {
    let events = session.drainEvents()
    if events.contains(where: \.isTerminal) { hasEnded = true }
    return events
  }

  public func send(_ command: TrainingCommand) { session.send(command) }
}

/// A saved run's events (`RunReplay`), all at once; then, when it is resumed, a live run's.
public final class ReplayedRun: RunSource {
  private var history: [TrainingEvent]
  private let live: LiveRun?

  public init(history: [TrainingEvent], resumedBy live: LiveRun? = nil) {
    self.history = history
    self.live = live
  }

  public var hasEnded: Bool { history.isEmpty && (live?.hasEnded ?? true) }

  public func drainEvents() -> [TrainingEvent] {
    guard !history.isEmpty else { return live?.drainEvents() ?? [] }
    defer { history = [] }
    guard let live else { return history }
    // A resumed run's replayed start is replaced by the live one.
    return history.filter { if case .started = $0 { false } else { true } } + live.drainEvents()
  }

  public func send(_ command: TrainingCommand) { live?.send(command) }
}

/// A run folder another process writes (`RunFollower`), looked at every `interval` seconds.
public final class FollowedRun: RunSource {
  private let follower: RunFollower
  private var lastLook: UInt64 = 0
  public var interval = 0.5

  public init(_ follower: RunFollower) { self.follower = follower }

  public var hasEnded: Bool { follower.hasEnded }

  public func drainEvents() -> [TrainingEvent] {
    let now = DispatchTime.now().uptimeNanoseconds
    guard lastLook == 0 || Double(now - lastLook) * 1e-9 >= interval else { return [] }
    lastLook = now
    return follower.poll()
  }

  /// Following never steers: the dashboard refuses the keys that would.
  public func send(_ command: TrainingCommand) {}
}
