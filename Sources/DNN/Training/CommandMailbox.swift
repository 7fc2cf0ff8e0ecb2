import Dispatch
import Synchronization

/// The trainer's inbox. `send` never blocks; a paused trainer sleeps in `waitForCommand`.
public final class CommandMailbox: Sendable {
  private let pending = Mutex<[TrainingCommand]>([])
  private let signal = DispatchSemaphore(value: 0)

  public init() {}

  /// Queues `command` and wakes a waiting trainer.
  public func send(_ command: TrainingCommand) {
    pending.withLock { $0.append(command) }
    signal.signal()
  }

  /// Takes every pending command, oldest first.
  public func drain() -> [TrainingCommand] {
    pending.withLock { queue in
      var commands: [TrainingCommand] = []
      swap(&commands, &queue)
      return commands
    }
  }

  /// Blocks the calling thread until a command is sent (or one already was).
  public func waitForCommand() { signal.wait() }
}
