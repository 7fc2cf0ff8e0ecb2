import Dispatch
import Synchronization

/// The trainer's outbox: `send` never blocks; the consumer drains at its own pace.
///
/// Bounded: past `capacity` pending events the oldest *batch* events are dropped (a UI that
/// fell behind still gets every epoch, state and final event, and the newest batches).
public final class EventChannel: Sendable {
  private let pending = Mutex<[TrainingEvent]>([])
  private let signal = DispatchSemaphore(value: 0)
  /// Pending events beyond which old batch events are dropped.
  public let capacity: Int

  public init(capacity: Int = 8192) {
    precondition(capacity > 0, "capacity must be positive")
    self.capacity = capacity
  }

  /// Queues `event` without blocking.
  public func send(_ event: TrainingEvent) {
    pending.withLock { queue in
      queue.append(event)
      if queue.count > capacity, let oldBatch = queue.firstIndex(where: { if case .batch = $0 { true } else { false } }) {
        queue.remove(at: oldBatch)
      }
    }
    signal.signal()
  }

  /// Takes every pending event, oldest first.
  public func drain() -> [TrainingEvent] {
    pending.withLock { queue in
      var events: [TrainingEvent] = []
      swap(&events, &queue)  // hand over the storage instead of copying it
      return events
    }
  }

  /// Waits until an event may be pending or `timeout` seconds pass (no busy wait).
  public func wait(timeout: Double) {
    _ = signal.wait(timeout: .now() + timeout)
  }
}
