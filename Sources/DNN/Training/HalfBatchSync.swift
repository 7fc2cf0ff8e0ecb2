/// What a layer and its replica share when a batch is split in two halves (`DataParallelStep`)
/// and the layer needs the whole batch: BatchNorm's statistics, Dropout's place in the mask.
/// The step sets the batch's rows and split before the halves run and clears `rows` after
/// them (a layer sees a sync only while `rows > 0`). BatchNorm's halves publish per-feature
/// sums in their own `partial` slots before their meeting and read both halves' after it
/// (`MeetingLayer`); Dropout only reads which rows are its own.
///
/// When only one half runs (a last batch of one row), `parties` is 1.
final class HalfBatchSync: @unchecked Sendable {
  // Why @unchecked Sendable is sound: `rows`, `split` and `parties` are written by the step's
  // owner before it posts the halves' first stage to the helper and read only during the
  // halves. Each `partial` slot is written by one half in the stage before a meeting and read
  // by either half only in a later stage; stages are jobs of `HelperThread`, whose hand-off
  // (the owner's release when it posts, the helper's release when it is done, each acquired by
  // the other) orders every write of one stage before every read of the next, whichever
  // thread runs which half.
  /// Rows in the whole batch, and in the first half (the second has the rest).
  var rows = 0
  var split = 0
  /// Halves that run this step: 2, or 1 when the second is empty.
  var parties = 2
  /// Per-feature scratch for each half: `partial[half]`, `features * slots` floats.
  let partial: [UnsafeMutablePointer<Float>]
  let features: Int

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

  /// The first row of `half` in the whole batch, and its rows.
  func rows(of half: Int) -> Range<Int> { half == 0 ? 0..<split : split..<rows }
}
