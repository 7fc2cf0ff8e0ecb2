import CCPU

/// Turns byte images into Float batches `[B, 784]` scaled to [0, 1], in a seeded order.
///
/// The batch tensor and label array are reused from batch to batch: filling one allocates
/// nothing once they have reached their largest size.
public final class BatchLoader {
  /// The images batches are drawn from.
  public let view: DatasetView
  /// Samples per batch (the last batch of an epoch may be smaller).
  public let batchSize: Int
  /// The current batch's pixels, `[B, 784]`.
  public let images = Tensor(rows: 0, columns: LabeledImages.features)
  /// The current batch's labels.
  public private(set) var labels: [Int] = []
  /// Random shifts of up to this many pixels (0: none), for augmentation.
  public var maxShift = 0

  /// The epoch's order: the sample index (into `view.source`) and label of each position.
  /// `prepare` reads them in order (random reads into the dataset there stall on memory).
  private var epochSamples: [Int]
  private var epochLabels: [Int]
  private var generator: SplitMix64
  /// The prepared batch: its first position in the epoch, and the shift (dx, dy) of each row.
  private var batchStart = 0
  private var shifts: [SIMD2<Int>] = []
  /// Rotation, scaling and elastic distortion of training images (`Warp`), and each row's draw.
  public var warp = Warp()
  private var draws: [Warp.Draw] = []
  /// One view drawn on every row instead (a test view, `Warp.testViews`), with no elastic
  /// distortion; nil: each row as the augmentation draws it.
  public var fixedView: Warp.Draw?

  /// A loader over `view`; a nil `generator` keeps the view's order (no shuffling).
  public init(view: DatasetView, batchSize: Int, generator: SplitMix64?) {
    precondition(batchSize > 0, "batchSize must be positive")
    self.view = view
    self.batchSize = batchSize
    self.epochSamples = view.indices
    self.epochLabels = view.indices.map { Int(view.source.labels[$0]) }
    self.generator = generator ?? SplitMix64(seed: 0)
    self.shuffles = generator != nil
    labels.reserveCapacity(batchSize)
    shifts.reserveCapacity(batchSize)
  }

  private let shuffles: Bool

  /// Batches per epoch, counting a final partial batch.
  public var batchesPerEpoch: Int { (view.count + batchSize - 1) / batchSize }

  /// Replaces the generator that orders batches and draws shifts.
  public func reseed(_ generator: SplitMix64) { self.generator = generator }

  /// Starts an epoch: when the loader shuffles, a fresh permutation drawn from the generator
  /// (independent of earlier epochs' orders).
  public func startEpoch() {
    guard shuffles else { return }
    for i in epochSamples.indices { epochSamples[i] = i }
    epochSamples.shuffle(using: &generator)
    let labels = view.source.labels
    for i in epochSamples.indices {
      epochSamples[i] = view.indices[epochSamples[i]]
      epochLabels[i] = Int(labels[epochSamples[i]])
    }
  }

  /// Hints the CPU to fetch the pixels of rows `rows` of batch `index` of this epoch (nothing
  /// past its end). Called one step ahead, the next batch's rows, scattered over 47 MB, are in
  /// cache when `fillImages` reads them instead of stalling it on memory.
  public func prefetch(batch index: Int, rows: Range<Int>) {
    let start = index * batchSize
    let positions = min(start + rows.lowerBound, view.count)..<min(start + rows.upperBound, view.count)
    let features = LabeledImages.features
    view.source.pixels.withUnsafeBufferPointer { pixels in
      for position in positions {
        let row = pixels.baseAddress! + epochSamples[position] * features
        for offset in stride(from: 0, to: features, by: 64) { dnn_prefetch(row + offset) }
        dnn_prefetch(row + features - 1)
      }
    }
  }

  /// Fills `images` and `labels` with batch `index` of the current epoch.
  public func load(batch index: Int) {
    prepare(batch: index)
    fillImages(rows: 0..<images.rows)
  }

  /// First half of `load(batch:)`: sets `labels`, sizes `images` and draws the batch's shifts,
  /// without converting pixels. `fillImages(rows:)` then converts any rows, from any thread.
  public func prepare(batch index: Int) {
    let start = index * batchSize
    let end = min(start + batchSize, view.count)
    precondition(start < end, "batch \(index) is past the end of the epoch")
    images.resize(rows: end - start, columns: LabeledImages.features)
    batchStart = start
    labels.removeAll(keepingCapacity: true)
    labels.append(contentsOf: epochLabels[start..<end])
    shifts.removeAll(keepingCapacity: true)
    draws.removeAll(keepingCapacity: true)
    if maxShift > 0 || !warp.isIdentity {
      for _ in start..<end {
        let (shift, draw) = Self.drawAugmentation(maxShift: maxShift, warp: warp, using: &generator)
        shifts.append(shift)
        if let draw { draws.append(draw) }
      }
    }
  }

  /// Draws, and forgets, the augmentation of the epoch's first `batches` batches (call after
  /// `startEpoch`): the batches after them then get the draws they get in an epoch trained from
  /// its start (a run resumed inside an epoch).
  public func skipDraws(batches: Int) {
    guard maxShift > 0 || !warp.isIdentity else { return }
    for _ in 0..<min(batches * batchSize, view.count) { _ = Self.drawAugmentation(maxShift: maxShift, warp: warp, using: &generator) }
  }

  /// What a pixel byte is multiplied by for the model: 0-255 to [0, 1].
  public static let pixelScale: Float = 1 / 255

  /// Converts rows `rows` of the prepared batch into `images` (pixels scaled to [0, 1]). Only
  /// reads the loader's state, so two threads may fill disjoint rows at once.
  public func fillImages(rows: Range<Int>) {
    let features = LabeledImages.features
    let scale = Self.pixelScale
    view.source.pixels.withUnsafeBufferPointer { pixels in
      for row in rows {
        let source = pixels.baseAddress! + epochSamples[batchStart + row] * features
        let target = images.pointer + row * features
        if let fixedView {
          Warp.drawTestView(fixedView, of: source, into: target, pixelScale: scale)
        } else if !draws.isEmpty {
          warp.apply(draws[row], to: source, into: target, pixelScale: scale)
        } else if shifts.isEmpty {
          Kernels.bytesToFloats(source, target, count: features, scale: scale)
        } else {
          BatchLoader.shifted(source, into: target, dx: shifts[row].x, dy: shifts[row].y, scale: scale)
        }
      }
    }
  }

  /// One training image's augmentation: its shift (uniform in ±`maxShift` each way) and, when
  /// `warp` does something, its warp: what the loader draws per image, and the preview shows.
  public static func drawAugmentation(maxShift: Int, warp: Warp, using generator: inout SplitMix64) -> (SIMD2<Int>, Warp.Draw?) {
    let dx = maxShift > 0 ? Int(generator.next() % UInt64(2 * maxShift + 1)) - maxShift : 0
    let dy = maxShift > 0 ? Int(generator.next() % UInt64(2 * maxShift + 1)) - maxShift : 0
    return (SIMD2(dx, dy), warp.isIdentity ? nil : warp.draw(dx: dx, dy: dy, using: &generator))
  }

  /// Copies a 28x28 image moved by (dx, dy) pixels, filling the uncovered border with 0.
  public static func shifted(_ source: UnsafePointer<UInt8>, into target: UnsafeMutablePointer<Float>, dx: Int, dy: Int, scale: Float) {
    let side = IDXReader.side
    for y in 0..<side {
      let sy = y - dy
      for x in 0..<side {
        let sx = x - dx
        target[y * side + x] = (sy >= 0 && sy < side && sx >= 0 && sx < side) ? Float(source[sy * side + sx]) * scale : 0
      }
    }
  }
}
