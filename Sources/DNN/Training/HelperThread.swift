import CCPU
import Dispatch
import Foundation
import Synchronization

/// Work for a `HelperThread`: `runOnHelper(job:)` runs on the helper while the owner runs its
/// own share of the same job.
protocol HelperWork: AnyObject {
  func runOnHelper(job: Int)
}

/// A second thread that runs one job at a time for its owner, for splitting a training step
/// across two cores. Hand-off is an atomic counter. Waiting (the helper for a job, the owner
/// for the helper's share) spins briefly, then keeps checking between `sched_yield()` calls so
/// that a third thread (the dashboard's UI, the terminal) runs on the waiting core rather than
/// taking time from a working one; the helper parks on a semaphore after 2 ms without a job,
/// so an idle or paused trainer costs no CPU. `run(job:)` allocates nothing.
final class HelperThread: @unchecked Sendable {
  // Why @unchecked Sendable is sound: the only non-atomic state, `work`, `job` and `stopping`,
  // is written by the owner before it publishes a new `posted` value (release) and read by the
  // helper only after it observes that value (acquire) and has taken that job (`claimed`, a
  // compare-exchange only one thread wins); the owner does not touch them again until it has
  // either taken the job itself (then the helper never reads them for it) or observed the
  // helper's matching `done` value (acquire after the helper's release). So the two threads
  // never access them at the same time, and each sees the other's writes.
  private let posted = Atomic<Int>(0)
  private let done = Atomic<Int>(0)
  /// The last job taken, by whichever thread took it: a job is run once, by the helper if it
  /// takes it first, else by the owner once its own share is done (work stealing: a helper
  /// whose core is taken by another process never holds the owner up before it has started).
  private let claimed = Atomic<Int>(0)
  private let sleeping = Atomic<Bool>(false)
  private let wake = DispatchSemaphore(value: 0)
  private let exited = DispatchSemaphore(value: 0)
  private weak var work: HelperWork?
  private var job = 0
  private var stopping = false
  private var sequence = 0
  /// Pure spins before yielding between checks.
  private static let spinsBeforeYield = 256
  /// The least time the owner gives a parked helper to wake and take a job before taking it
  /// itself.
  private static let stealAfterNanoseconds: UInt64 = 20_000
  /// Waiting time before the helper parks: longer than the serial work between steps.
  private static let parkAfterNanoseconds: UInt64 = 2_000_000

  init() {
    let thread = Thread { [self] in self.loop() }
    thread.name = "diy-dnn.helper"
    thread.qualityOfService = .userInitiated
    thread.start()
  }

  /// Runs `work.runOnHelper(job:)` on the helper while the caller runs `here()`; returns when
  /// both are done.
  func run(_ work: HelperWork, job: Int, alongside here: () -> Void) {
    let start = DispatchTime.now().uptimeNanoseconds
    let wasParked = post(work, job: job, stop: false)
    here()
    // The helper has not started the job while the owner ran its own share: a helper that was
    // waiting awake would have taken it within a microsecond, so its core is busy elsewhere and
    // the owner takes the job at once (same work, same memory, same result: which thread ran it
    // changes nothing). A parked helper is given time to wake: an eighth of the owner's share,
    // at least 20 µs.
    let mine = DispatchTime.now().uptimeNanoseconds &- start
    let grace = wasParked ? max(mine / 8, HelperThread.stealAfterNanoseconds) : mine / 64
    let deadline = start &+ mine &+ grace
    while claimed.load(ordering: .acquiring) != sequence {
      guard DispatchTime.now().uptimeNanoseconds < deadline else {
        if claimed.compareExchange(expected: sequence - 1, desired: sequence, ordering: .acquiringAndReleasing).exchanged {
          work.runOnHelper(job: job)
          return
        }
        break
      }
    }
    var spins = 0
    while done.load(ordering: .acquiring) != sequence {
      spins += 1
      if spins > HelperThread.spinsBeforeYield { sched_yield() }
    }
  }

  /// Ends the helper thread and waits for it.
  func stop() {
    post(nil, job: 0, stop: true)
    exited.wait()
  }

  /// Publishes a job; whether the helper was parked (and is now being woken).
  @discardableResult
  private func post(_ work: HelperWork?, job: Int, stop: Bool) -> Bool {
    self.work = work
    self.job = job
    stopping = stop
    sequence += 1
    posted.store(sequence, ordering: .sequentiallyConsistent)
    guard sleeping.exchange(false, ordering: .sequentiallyConsistent) else { return false }
    wake.signal()
    return true
  }

  private func loop() {
    dnn_flush_denormals()
    var seen = 0
    while true {
      var spins = 0
      var waitingSince: UInt64 = 0
      while posted.load(ordering: .acquiring) == seen {
        spins += 1
        if spins <= HelperThread.spinsBeforeYield { continue }
        sched_yield()
        let now = DispatchTime.now().uptimeNanoseconds
        if waitingSince == 0 { waitingSince = now }
        if now - waitingSince < HelperThread.parkAfterNanoseconds { continue }
        // Park. The owner clears `sleeping` and signals after posting; if it posted between
        // our store and our check, whoever clears `sleeping` first decides who signals.
        sleeping.store(true, ordering: .sequentiallyConsistent)
        if posted.load(ordering: .sequentiallyConsistent) == seen
          || !sleeping.exchange(false, ordering: .sequentiallyConsistent)
        {
          wake.wait()
        }
        spins = 0
        waitingSince = 0
      }
      seen = posted.load(ordering: .acquiring)
      // Only a job this thread takes is read (`work`, `job`, `stopping`): one the owner took
      // may already be followed by the owner's next post.
      guard claimed.compareExchange(expected: seen - 1, desired: seen, ordering: .acquiringAndReleasing).exchanged else {
        done.store(seen, ordering: .releasing)
        continue
      }
      if stopping {
        exited.signal()
        return
      }
      work?.runOnHelper(job: job)
      done.store(seen, ordering: .releasing)
    }
  }
}
