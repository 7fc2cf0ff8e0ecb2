/// Equal-width buckets from the smallest value to the largest: how a tensor's values spread
/// (TensorBoard's histograms and distributions, the dashboard's distributions view).
public struct ValueHistogram: Sendable, Equatable {
  public var low: Float
  public var high: Float
  /// Values per bucket, bucket k covering [low + k·w, low + (k+1)·w), the last one closed.
  public var counts: [Int]
  /// Values that were not finite (NaN, ±∞), counted apart.
  public var nonFinite: Int
  /// The sum and the sum of squares of the finite values.
  public var sum: Double
  public var sumSquares: Double

  /// Buckets of a histogram unless told otherwise.
  public static let defaultBuckets = 30

  /// The histogram of `values` in `buckets` buckets (every value in one bucket when all are equal).
  public init(_ values: [Float], buckets: Int = defaultBuckets) {
    precondition(buckets > 0, "a histogram needs a bucket")
    // Two passes over the values, no copy: the range of the finite ones, then their buckets.
    var (low, high, nonFinite) = (Float.infinity, -Float.infinity, 0)
    var (sum, squares) = (0.0, 0.0)
    for v in values {
      if v.isFinite {
        low = min(low, v)
        high = max(high, v)
        sum += Double(v)
        squares += Double(v) * Double(v)
      } else {
        nonFinite += 1
      }
    }
    if low > high { (low, high) = (0, 0) }
    (self.low, self.high, self.nonFinite, self.sum, self.sumSquares) = (low, high, nonFinite, sum, squares)
    var counts = [Int](repeating: 0, count: buckets)
    let perUnit = high > low ? Double(buckets) / Double(high - low) : 0
    for v in values where v.isFinite { counts[min(Int(Double(v - low) * perUnit), buckets - 1)] += 1 }
    self.counts = counts
  }

  /// Values counted (finite ones).
  public var total: Int { counts.reduce(0, +) }

  /// The upper edge of bucket `k`.
  public func upperEdge(_ k: Int) -> Double { Double(low) + Double(high - low) * Double(k + 1) / Double(counts.count) }

  /// The middle of bucket `k`.
  public func centre(_ k: Int) -> Double { Double(low) + Double(high - low) * (Double(k) + 0.5) / Double(counts.count) }
}

/// How a run's tensors spread after an epoch: each parameter's values and gradients (the
/// epoch's last step), each layer's outputs on the probe images. Sent after every epoch to a
/// front end that asks for the model (`RunPlan.sendsModel`), for the distributions view.
public struct Distributions: Sendable {
  /// Epochs done (1-based).
  public var epoch: Int
  public var weights: [(name: String, histogram: ValueHistogram)]
  public var gradients: [(name: String, histogram: ValueHistogram)]
  /// `0.dense`, `1.relu`, ...: each layer's inference output on the probe images.
  public var activations: [(name: String, histogram: ValueHistogram)]

  /// Measures `model` now, its layers' outputs on `probe` `[B, 784]` (none without one).
  public init(epoch: Int, model: Sequential, probe: Tensor?) {
    self.epoch = epoch
    weights = model.parameters.map { ($0.name, ValueHistogram($0.value.values)) }
    gradients = model.parameters.map { ($0.name, ValueHistogram($0.gradient.values)) }
    activations = probe.map { probe in
      zip(model.layers, model.layerOutputs(probe)).enumerated().map { i, pair in ("\(i).\(pair.0.configName)", ValueHistogram(pair.1)) }
    } ?? []
  }
}

/// An epoch's `Distributions`, measured when first asked for and then kept: the front end's event
/// and the TensorBoard log share one measurement, and a run that asks for neither makes none.
/// Used on the training thread only, within the epoch's end.
public final class EpochDistributions {
  private let measure: () -> Distributions
  public private(set) lazy var value: Distributions? = measure()

  init(epoch: Int, model: Sequential, probe: Tensor?) {
    measure = { Distributions(epoch: epoch, model: model, probe: probe) }
  }
}
