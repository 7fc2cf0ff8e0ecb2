/// The non-overlapping `size`×`size` windows of pooling (`MaxPool2D`, `AvgPool2D`): one walk over
/// every window of every channel of every sample, shared by the layers' passes.
struct PoolWindows {
  let input: ImageShape
  let output: ImageShape
  let size: Int

  /// Calls `body(plane, window, out)` for every window of `batch` samples, in output order:
  /// `plane` is the offset of a (sample, channel) plane in a `[B, C·H·W]` batch, `window` that of
  /// the window's top-left pixel within the plane, `out` the index of its value in `[B, C·H'·W']`.
  @inline(__always)
  func forEach(batch: Int, _ body: (_ plane: Int, _ window: Int, _ out: Int) -> Void) {
    for s in 0..<batch {
      for c in 0..<input.channels {
        let plane = s * input.features + c * input.plane, first = s * output.features + c * output.plane
        for oy in 0..<output.height {
          for ox in 0..<output.width { body(plane, oy * size * input.width + ox * size, first + oy * output.width + ox) }
        }
      }
    }
  }
}
