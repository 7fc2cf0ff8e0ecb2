/// The rows of a batch a layer's products and sums run over: the whole batch's, or each half's
/// in turn while one pass keeps a split step's halves apart (`Layer.keepHalvesApart`), so that
/// every product and sum is the one the half's own pass would compute.
struct BatchHalves {
  let first: Range<Int>
  let second: Range<Int>?

  /// For a batch of `samples` samples split at `split` (nil: not split), each sample
  /// `rowsPerSample` rows of the layer's products (its tokens for Attention).
  init(samples: Int, split: Int?, rowsPerSample: Int = 1) {
    if let split, split < samples {
      first = 0..<split * rowsPerSample
      second = split * rowsPerSample..<samples * rowsPerSample
    } else {
      first = 0..<samples * rowsPerSample
      second = nil
    }
  }

  /// `body` for each half's rows, the first first (or the whole batch's).
  func forEach(_ body: (Range<Int>) -> Void) {
    body(first)
    if let second { body(second) }
  }

  /// `body(rows, into)` adds the sums over `rows` to `into`, for each half: the first half's (or
  /// the batch's) to `p`'s gradient, the second's to zeros in `scratch`, then added to it. With
  /// the gradient at 0 (as a split step leaves it) these are the bits of the halves' own passes
  /// and the step's combine: the loss's 1/B is then half each half's, which scales every sum
  /// exactly.
  func addSums(to p: Parameter, scratch: Tensor, _ body: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) {
    body(first, p.gradient.pointer)
    guard let second else { return }
    scratch.resize(like: p.gradient)
    scratch.fill(0)
    body(second, scratch.pointer)
    Kernels.add(scratch.pointer, into: p.gradient.pointer, count: p.gradient.count)
  }
}
