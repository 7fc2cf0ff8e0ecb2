/// Batch normalisation over features (Ioffe & Szegedy 2015), `BatchNorm1d` in PyTorch.
///
/// Training, per feature over the batch of B rows:
///
///     μ = (1/B) Σ x,   σ² = (1/B) Σ (x - μ)²                   (biased, as the paper)
///     x̂ = (x - μ) / √(σ² + ε),   y = γ x̂ + β                   x, y: [B, F]; γ, β: [1, F]
///     running_mean ← (1 - m) running_mean + m μ
///     running_var  ← (1 - m) running_var + m σ² B/(B-1)         (unbiased, as PyTorch)
///
/// Inference uses the running statistics instead of μ and σ². Backward (training):
///
///     dγ += Σ dy ⊙ x̂,   dβ += Σ dy
///     dx = γ / (B √(σ² + ε)) · (B dy - Σ dy - x̂ Σ (dy ⊙ x̂))
///
/// `momentum` has PyTorch's meaning: the weight of the new batch (0.1 by default).
///
/// Over feature maps (`BatchNorm2d`, config `batchnorm2d`): the F features are the C channels,
/// and each sample's row holds every channel's plane of P = H·W values; the sums above run over
/// the B·P values of a channel, B·P takes B's place, and γ, β, the statistics are `[1, C]`.
public final class BatchNorm: Layer {
  public let kind: LayerKind
  public let inputFeatures: Int
  public var outputFeatures: Int { inputFeatures }
  /// Values per feature in a row: 1, or H·W for `batchnorm2d` (channels are the features).
  public let plane: Int
  /// Features normalised apart: the columns, or the channels of `batchnorm2d`.
  public var channels: Int { inputFeatures / plane }
  public let momentum: Float
  public let epsilon: Float
  /// γ, `[1, F]`, starts at 1.
  public let weight: Parameter
  /// β, `[1, F]`, starts at 0.
  public let bias: Parameter
  /// Running mean, `[1, F]`, starts at 0.
  public let runningMean: Tensor
  /// Running variance, `[1, F]`, starts at 1.
  public let runningVariance: Tensor
  public var summary: String {
    plane == 1 ? "BatchNorm(\(inputFeatures), momentum: \(momentum))" : "BatchNorm2D(\(channels) channels, momentum: \(momentum))"
  }

  /// The last forward's input and the mean it was normalised with (the batch's or the running
  /// one): x̂ is computed from them again rather than stored (Kernels+BatchNorm.swift).
  var normalisedFrom: (input: Tensor, mean: Tensor)?
  private let batchMean = Tensor(rows: 1, columns: 0)  // μ [1, F]
  private let batchVariance = Tensor(rows: 1, columns: 0)  // σ² [1, F]
  let inverseStd = Tensor(rows: 1, columns: 0)  // 1/√(σ²+ε) [1, F]
  let sumDy = Tensor(rows: 1, columns: 0)  // Σ_b dy [1, F]
  let sumDyXhat = Tensor(rows: 1, columns: 0)  // Σ_b dy ⊙ x̂ [1, F]
  let gradientScale = Tensor(rows: 1, columns: 0)  // γ / (n √(σ²+ε)) [1, F]
  private let output = Tensor(rows: 0, columns: 0)  // y [B, F]
  let inputGradient = Tensor(rows: 0, columns: 0)  // dx [B, F]
  var lastPhase = Phase.inference
  /// Whether training forwards apply the ReLU after the layer, y = max(0, γ x̂ + β), and
  /// backwards take that ReLU's output gradient (masked where γ x̂ + β ≤ 0): `Sequential` sets it
  /// for each training pass it runs both in one (`Sequential.rectifyingLayers`), the same bits
  /// as the two layers apart with one pass less over the batch each way. `rectified`: the last
  /// training forward's, which its backward follows.
  var rectifies = false
  var rectified = false
  /// The input of a training forward, and the output gradient of a backward, between their
  /// two parts (`forwardUntilMeeting`, `forwardAfterMeeting`, and the backward's).
  private var pendingInput: Tensor?
  var pendingGradient: Tensor?
  /// With a replica (the batch split in two halves): which half this layer runs, and what the
  /// two share to compute the whole batch's statistics (`HalfBatchSync`, 4 slots: each half's μ
  /// and Σ(x-μ)², Σdy, Σdy⊙x̂; one meeting forward, one backward).
  var half = 0
  private var sharedSync: HalfBatchSync?
  /// Where the second half of the batch starts while one pass keeps the halves apart
  /// (`keepHalvesApart`), else nil; and each half's sums then: μ_h and M_h forward, Σdy and
  /// Σdy⊙x̂ backward (rows 0, 1 for the first half, 2, 3 for the second), `[4, F]`.
  private var halvesSplit: Int?
  let halfSums = Tensor(rows: 0, columns: 0)
  /// The sync object while a split step drives this layer (it has set the batch's rows); nil
  /// otherwise, so a layer that has a replica still trains alone correctly.
  var sync: HalfBatchSync? { sharedSync.flatMap { $0.rows > 0 ? $0 : nil } }

  /// Batch normalisation of `features` features.
  public convenience init(features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
    self.init(channels: features, plane: 1, momentum: momentum, epsilon: epsilon)
  }

  /// Batch normalisation of the channels of `image`'s feature maps (`BatchNorm2d`).
  public convenience init(image: ImageShape, momentum: Float = 0.1, epsilon: Float = 1e-5) {
    self.init(channels: image.channels, plane: image.plane, momentum: momentum, epsilon: epsilon)
  }

  private init(channels: Int, plane: Int, momentum: Float, epsilon: Float) {
    precondition(channels > 0 && plane > 0, "BatchNorm needs features > 0")
    precondition(momentum >= 0 && momentum <= 1, "BatchNorm momentum must be in [0, 1]")
    kind = plane == 1 ? .batchnorm : .batchnorm2d
    inputFeatures = channels * plane
    self.plane = plane
    self.momentum = momentum
    self.epsilon = epsilon
    weight = Parameter(name: "weight", rows: 1, columns: channels, isVector: true)
    bias = Parameter(name: "bias", rows: 1, columns: channels, isVector: true)
    weight.value.fill(1)
    runningMean = Tensor(rows: 1, columns: channels)
    runningVariance = Tensor(rows: 1, columns: channels)
    runningVariance.fill(1)
    for t in [batchMean, batchVariance, inverseStd, sumDy, sumDyXhat, gradientScale] { t.resize(rows: 1, columns: channels) }
    halfSums.resize(rows: 4, columns: channels)
  }

  /// A replica for the second half of a split batch: γ, β and the running statistics shared,
  /// its own gradients, and the batch statistics exchanged with this layer (`HalfBatchSync`), so
  /// that both halves normalise with the whole batch's mean and variance.
  private init(secondHalfOf other: BatchNorm, sync: HalfBatchSync) {
    kind = other.kind
    inputFeatures = other.inputFeatures
    plane = other.plane
    momentum = other.momentum
    epsilon = other.epsilon
    weight = Parameter(sharingValueWith: other.weight)
    bias = Parameter(sharingValueWith: other.bias)
    runningMean = other.runningMean
    runningVariance = other.runningVariance
    for t in [batchMean, batchVariance, inverseStd, sumDy, sumDyXhat, gradientScale] { t.resize(rows: 1, columns: other.channels) }
    halfSums.resize(rows: 4, columns: other.channels)
    half = 1
    sharedSync = sync
  }

  public func replica() -> Layer? {
    let shared = sharedSync ?? HalfBatchSync(features: channels, slots: 4)
    sharedSync = shared
    return BatchNorm(secondHalfOf: self, sync: shared)
  }

  /// The sync object a split step configures each step (nil until a replica exists).
  var halfBatchSync: HalfBatchSync? { sharedSync }

  /// It sums over rows in its statistics and its backward's sums, which it keeps half by half
  /// and combines as the halves' meetings do.
  public var passesBothHalves: Bool { true }
  public func keepHalvesApart(at split: Int?) { halvesSplit = split }

  /// The rows of each half, while one pass keeps the halves of a batch of `rows` apart (not while
  /// a split step drives the halves apart: they meet then).
  func halves(of rows: Int) -> (first: Range<Int>, second: Range<Int>)? {
    let halves = BatchHalves(samples: rows, split: sync == nil ? halvesSplit : nil)
    return halves.second.map { (halves.first, $0) }
  }

  public var parameters: [Parameter] { [weight, bias] }
  public var buffers: [Buffer] {
    [Buffer(name: "running_mean", value: runningMean), Buffer(name: "running_var", value: runningVariance)]
  }

  // Every loop below runs over rows b, then features j, so the inner loop walks memory in
  // order; each feature's sums still add its rows in order b = 0, 1, ..., as the equations do.

  public func forward(_ input: Tensor, phase: Phase) -> Tensor {
    guard phase == .training else {
      lastPhase = phase
      rectified = false
      output.resize(like: input)
      invertStd(runningVariance)  // 1/√(running_var + ε)
      normalise(input, mean: runningMean)  // x̂ = (x - running_mean)/√(running_var + ε), y = γ x̂ + β
      return output
    }
    precondition(sync == nil, "a split step runs BatchNorm in two parts around its meeting")
    forwardUntilMeeting(input)
    return forwardAfterMeeting()
  }

  /// Training forward up to the meeting: this half's (or the whole batch's) per-feature mean
  /// μ_h and squared deviations M_h = Σ (x - μ_h)², published to the other half when split.
  public func forwardUntilMeeting(_ input: Tensor) {
    lastPhase = .training
    rectified = rectifies
    output.resize(like: input)
    pendingInput = input
    if let (first, second) = halves(of: input.rows) {
      let s = halfSums.pointer, f = channels
      meanAndSquares(of: input.pointer, rows: first, mean: s, squares: s + f)
      meanAndSquares(of: input.pointer, rows: second, mean: s + 2 * f, squares: s + 3 * f)
      return
    }
    meanAndSquares(of: input.pointer, rows: 0..<input.rows, mean: batchMean.pointer, squares: batchVariance.pointer)
    guard let sync else { return }
    sync.slot(0, of: half).update(from: batchMean.pointer, count: channels)
    sync.slot(1, of: half).update(from: batchVariance.pointer, count: channels)
  }

  /// Training forward after the meeting: the batch's μ and σ², the running statistics, x̂ and y.
  public func forwardAfterMeeting() -> Tensor {
    guard let input = pendingInput else { preconditionFailure("forwardAfterMeeting before forwardUntilMeeting") }
    pendingInput = nil
    combineMeanAndVariance(rows: input.rows)
    // running ← (1 - m) running + m (μ, σ² B/(B-1)); the first half's layer only, when split
    if half == 0 { updateRunningStatistics(batch: (sync?.rows ?? input.rows) * plane) }
    invertStd(batchVariance)  // 1/√(σ² + ε) [1, F]
    normalise(input, mean: batchMean)  // x̂ = (x - μ)/√(σ² + ε), y = γ x̂ + β   [B, F]
    return output
  }

  /// μ = (1/B) Σ_b x into `mu`, and Σ_b (x - μ)² into `sigma2` (two passes, for accuracy), over
  /// rows `rows` of `input`.
  private func meanAndSquares(
    of input: UnsafePointer<Float>, rows: Range<Int>, mean mu: UnsafeMutablePointer<Float>,
    squares sigma2: UnsafeMutablePointer<Float>
  ) {
    let batch = rows.count, f = channels, x = input + rows.lowerBound * inputFeatures
    let count = Float(batch * plane)
    mu.update(repeating: 0, count: f)
    sigma2.update(repeating: 0, count: f)
    if plane == 1 {
      for b in 0..<batch { Kernels.add(x + b * f, into: mu, count: f) }
    } else {
      forEachPlane(batch) { j, at in mu[j] += Kernels.sum(x + at, count: plane) }
    }
    for j in 0..<f { mu[j] /= count }
    if plane == 1 {
      for b in 0..<batch { Kernels.addSquaredDifferences(x + b * f, mu, into: sigma2, count: f) }
    } else {
      forEachPlane(batch) { j, at in sigma2[j] += Kernels.sumOfSquaredDifferences(x + at, from: mu[j], count: plane) }
    }
  }

  /// σ² = M / B over this layer's `rows`, or with a split batch (or halves kept apart) the two
  /// halves' μ_h and M_h combined (Chan, Golub and LeVeque's pairwise update, as exact as the
  /// two passes): μ = (n₀μ₀ + n₁μ₁)/n, nσ² = M₀ + M₁ + (μ₁ − μ₀)² n₀n₁/n. Both halves compute
  /// the same bits from the slots, and one pass from its own sums.
  private func combineMeanAndVariance(rows: Int) {
    let f = channels, mu = batchMean.pointer, sigma2 = batchVariance.pointer
    if let (first, second) = halves(of: rows) {
      let s = halfSums.pointer
      combineStatistics((s, s + f, Float(first.count * plane)), (s + 2 * f, s + 3 * f, Float(second.count * plane)))
      return
    }
    guard let sync else {
      for j in 0..<f { sigma2[j] /= Float(rows * plane) }
      return
    }
    let n0 = Float(sync.split * plane), n1 = Float((sync.rows - sync.split) * plane)
    let mean0 = sync.slot(0, of: 0), squares0 = sync.slot(1, of: 0)
    guard sync.parties == 2 else {
      for j in 0..<f { (mu[j], sigma2[j]) = (mean0[j], squares0[j] / n0) }
      return
    }
    combineStatistics((mean0, squares0, n0), (sync.slot(0, of: 1), sync.slot(1, of: 1), n1))
  }

  /// μ and σ² into `batchMean` and `batchVariance` from two halves' means, squared deviations
  /// and counts (`combineMeanAndVariance`).
  private func combineStatistics(
    _ first: (mean: UnsafeMutablePointer<Float>, squares: UnsafeMutablePointer<Float>, count: Float),
    _ second: (mean: UnsafeMutablePointer<Float>, squares: UnsafeMutablePointer<Float>, count: Float)
  ) {
    let mu = batchMean.pointer, sigma2 = batchVariance.pointer
    let (mean0, squares0, n0) = first, (mean1, squares1, n1) = second, n = n0 + n1, cross = n0 * n1 / n
    for j in 0..<channels {
      let delta = mean1[j] - mean0[j]
      mu[j] = (n0 * mean0[j] + n1 * mean1[j]) / n
      sigma2[j] = (squares0[j] + squares1[j] + delta * delta * cross) / n
    }
  }

  /// Calls `body(channel, offset)` for the plane of every channel of every sample
  /// (`batchnorm2d`): its `plane` values start at `offset` of a `[B, C·P]` tensor.
  @inline(__always)
  func forEachPlane(_ batch: Int, _ body: (Int, Int) -> Void) {
    let f = channels
    for b in 0..<batch { for j in 0..<f { body(j, (b * f + j) * plane) } }
  }

  /// running_mean ← (1 - m) running_mean + m μ;  running_var ← (1 - m) running_var + m σ² B/(B-1).
  private func updateRunningStatistics(batch: Int) {
    let mean = runningMean.pointer, variance = runningVariance.pointer
    let mu = batchMean.pointer, sigma2 = batchVariance.pointer
    let unbias: Float = batch > 1 ? Float(batch) / Float(batch - 1) : 1
    for j in 0..<channels {
      mean[j] = (1 - momentum) * mean[j] + momentum * mu[j]
      variance[j] = (1 - momentum) * variance[j] + momentum * sigma2[j] * unbias
    }
  }

  /// 1/√(v + ε) for each feature of `variance`.
  private func invertStd(_ variance: Tensor) {
    let v = variance.pointer, inv = inverseStd.pointer
    for j in 0..<channels { inv[j] = 1 / (v[j] + epsilon).squareRoot() }
  }

  /// x̂ = (x - mean) · inverseStd,  y = γ x̂ + β; x̂ is not kept (see `normalisedFrom`).
  private func normalise(_ input: Tensor, mean: Tensor) {
    normalisedFrom = (input, mean)
    let batch = input.rows, f = channels
    let x = input.pointer, y = output.pointer
    let mu = mean.pointer, inv = inverseStd.pointer, gamma = weight.value.pointer, beta = bias.value.pointer
    if plane > 1 {
      forEachPlane(batch) { j, at in
        Kernels.normalise(
          x + at, y + at, count: plane, mean: mu[j], inverseStd: inv[j], gamma: gamma[j], beta: beta[j], rectified: rectified)
      }
      return
    }
    for b in 0..<batch {
      Kernels.normaliseRow(x + b * f, y + b * f, count: f, mean: mu, inverseStd: inv, gamma: gamma, beta: beta, rectified: rectified)
    }
  }

}

extension BatchNorm: MeetingLayer {
  /// While a split step drives it: its two halves exchange sums once forward, once backward.
  public var meetsOtherHalf: Bool { sync != nil }
}

extension BatchNorm {
  /// The equations the layers view (`e`) shows, this model's shapes filled in: the doc
  /// comment's, in the order the code runs them.
  static func equations(_ c: EquationContext, perChannel: Bool) -> [EquationLine] {
    let (b, m) = (c.batch, c.outputFeatures)
    let f = perChannel ? (c.output.image?.channels ?? m) : m
    let over = perChannel ? "the B·H·W = \(b * (c.output.image.map { $0.height * $0.width } ?? 1)) values of a channel" : "the batch, B = \(b)"
    return [
      EquationLine(label: "forward", text: "μ, σ² = mean and variance over \(over)     γ, β \(c.shape(f))"),
      EquationLine(label: "", text: "x_hat = (x − μ) / √(σ² + ε),   y = γ x_hat + β               \(c.shape(b, m))"),
      EquationLine(label: "backward", text: "dγ = Σ dy ⊙ x_hat,   dβ = Σ dy                          \(c.shape(f))"),
      EquationLine(label: "", text: "dx = γ / (B √(σ² + ε)) · (B dy − Σ dy − x_hat Σ (dy ⊙ x_hat))   \(c.shape(b, m))"),
    ]
  }
}
