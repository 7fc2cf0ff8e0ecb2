import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// What a layer and its replica share when a batch is split in two halves (`DataParallelStep`)
/// and the layer needs the whole batch: BatchNorm's statistics, Dropout's place in the mask.
/// The step sets the batch's rows and split before the halves run; BatchNorm's layers then call
/// `meet()` where the two must wait for each other, and exchange per-feature sums through
/// `partial` (Dropout only reads which rows are its own).
///
/// When only one half runs (a last batch of one row), `parties` is 1 and `meet()` returns at once.
final class HalfBatchSync: @unchecked Sendable {
  // Why @unchecked Sendable is sound: `rows`, `split` and `parties` are written by the step's
  // owner before it starts the halves (the helper thread's job hand-off publishes them) and
  // only read during the halves. Each `partial` slot is written by one half before `meet()` and
  // read by either only after it; the barrier's release/acquire orders those accesses, and no
  // slot is written again before both halves have passed the next meeting.
  /// Rows in the whole batch, and in the first half (the second has the rest).
  var rows = 0
  var split = 0
  /// Halves that run this step: 2, or 1 when the second is empty.
  var parties = 2
  /// Per-feature scratch for each half: `partial[half]`, `features * slots` floats.
  let partial: [UnsafeMutablePointer<Float>]
  let features: Int
  private let arrived = Atomic<Int>(0)
  private let generation = Atomic<Int>(0)

  init(features: Int, slots: Int) {
    self.features = features
    partial = (0..<2).map { _ in
      let p = UnsafeMutablePointer<Float>.allocate(capacity: features * slots)
      p.initialize(repeating: 0, count: features * slots)
      return p
    }
  }

  deinit { for p in partial { p.deallocate() } }

  /// Slot `slot` of half `half`'s scratch: `features` floats.
  func slot(_ slot: Int, of half: Int) -> UnsafeMutablePointer<Float> { partial[half] + slot * features }

  /// Waits until both halves have arrived (a reusable two-party barrier: spin, then yield).
  func meet() {
    guard parties == 2 else { return }
    let current = generation.load(ordering: .acquiring)
    if arrived.add(1, ordering: .acquiringAndReleasing).newValue == 2 {
      arrived.store(0, ordering: .relaxed)
      generation.store(current + 1, ordering: .releasing)
      return
    }
    var spins = 0
    while generation.load(ordering: .acquiring) == current {
      spins += 1
      if spins > 256 { sched_yield() }
    }
  }

  /// The first row of `half` in the whole batch, and its rows.
  func rows(of half: Int) -> Range<Int> { half == 0 ? 0..<split : split..<rows }
}
