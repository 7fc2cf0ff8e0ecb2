import Dispatch

/// A training run on a background Dispatch queue: the thread-safe handle front ends hold.
///
/// Only value snapshots cross: `TrainingEvent`s come out through `events`, `TrainingCommand`s
/// go in through `send`. The `Trainer` itself (model, buffers) lives on the queue.
public final class TrainingSession: Sendable {
  public let events: EventChannel
  private let commands = CommandMailbox()
  private let queue = DispatchQueue(label: "diy-dnn.training", qos: .userInitiated)
  private let done = DispatchGroup()

  /// A session whose events go to `events` (give a large capacity to keep every batch).
  public init(events: EventChannel = EventChannel()) { self.events = events }

  /// Starts training on the queue. `prepare` runs there first and returns the trainer (so that
  /// non-Sendable engine objects are created on the thread that uses them); a thrown error
  /// becomes a `.failed` event.
  public func start(_ prepare: @escaping @Sendable (EventChannel, CommandMailbox) throws -> Trainer) {
    let events = self.events, commands = self.commands
    queue.async(group: done) {
      do {
        let trainer = try prepare(events, commands)
        trainer.run()
      } catch {
        events.send(.failed(message: "\(error)"))
      }
    }
  }

  /// Sends a command; never blocks.
  public func send(_ command: TrainingCommand) { commands.send(command) }

  /// Blocks until the run has ended, or `timeout` seconds; true when it ended.
  @discardableResult
  public func wait(timeout: Double = .infinity) -> Bool {
    if timeout == .infinity {
      done.wait()
      return true
    }
    return done.wait(timeout: .now() + timeout) == .success
  }
}
