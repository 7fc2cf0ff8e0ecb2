/// Inverted dropout (Srivastava et al. 2014): in training each feature is kept with
/// probability 1 - p and scaled by 1/(1 - p); in inference the layer is the identity.
///
///     forward (training):  a = z ⊙ m,   m_i = 1/(1-p) with probability 1-p, else 0
///     backward:            dz = da ⊙ m                     (shapes [B, features])
public final class Dropout: Layer {
  public let kind = LayerKind.dropout
  public let inputFeatures: Int
  public var outputFeatures: Int { inputFeatures }
  /// p, the probability of dropping a feature.
  public let rate: Float
  public var summary: String { "Dropout(p: \(rate))" }
  /// When true, training passes reuse the last mask instead of drawing a new one (for
  /// gradient checks, which need the same function twice).
  public var freezesMask = false
  public func prepareForGradientCheck() { freezesMask = true }

  private var generator: SplitMix64
  /// The mask of the last training pass, `[rows, features]` for this layer's rows.
  private let mask: Tensor
  /// With a replica: which half of a split batch this layer runs, and the object the split step
  /// sets the batch's rows and split in (the halves never wait for each other: see `forward`).
  private var half = 0
  private var sharedSync: HalfBatchSync?
  /// The sync object while a split step drives this layer (it has set the batch's rows); nil
  /// otherwise, so a layer that has a replica still trains alone correctly.
  private var sync: HalfBatchSync? { sharedSync.flatMap { $0.rows > 0 ? $0 : nil } }
  private let output = Tensor(rows: 0, columns: 0)
  private let inputGradient = Tensor(rows: 0, columns: 0)
  private var lastPhase = Phase.inference

  /// Dropout of `rate` over `features` features, masks drawn from `generator`.
  public init(features: Int, rate: Float, generator: SplitMix64) {
    precondition(rate >= 0 && rate < 1, "Dropout rate must be in [0, 1), got \(rate)")
    inputFeatures = features
    self.rate = rate
    self.generator = generator
    mask = Tensor(rows: 0, columns: 0)
  }

  /// The replica for the second half of a split batch: it draws its own rows of the mask from
  /// the same stream, so the masks are those of an unsplit step.
  private init(secondHalfOf other: Dropout, sync: HalfBatchSync) {
    inputFeatures = other.inputFeatures
    rate = other.rate
    generator = other.generator
    mask = Tensor(rows: 0, columns: 0)
    half = 1
    sharedSync = sync
  }

  public func replica() -> Layer? {
    let shared = sharedSync ?? HalfBatchSync(features: inputFeatures, slots: 0)
    sharedSync = shared
    return Dropout(secondHalfOf: self, sync: shared)
  }

  /// For a split step, before its halves run: the second half's layer starts this step's draws
  /// where the first half's generator stands (whatever reseeding or unsplit steps moved it).
  func startDrawing(where first: Dropout) { generator = first.generator }

  /// The sync object a split step configures each step (nil until a replica exists).
  var halfBatchSync: HalfBatchSync? { sharedSync }

  /// Element by element, its mask drawn in the batch's order: one pass over both halves draws
  /// what the halves draw apart.
  public var passesBothHalves: Bool { true }

  /// Replaces the generator masks are drawn from (the trainer reseeds per epoch).
  public func reseed(_ generator: SplitMix64) { self.generator = generator }

  /// Moves the generator past the masks of `rows` rows of training forwards (a run resumed inside
  /// an epoch skips the masks of the batches before it).
  public func skipDraws(rows: Int) {
    if rate > 0 { generator = generator.advanced(by: rows * inputFeatures) }
  }

  public func forward(_ input: Tensor, phase: Phase) -> Tensor {
    lastPhase = phase
    output.resize(like: input)
    guard phase == .training, rate > 0 else {
      output.copy(from: input)
      return output
    }
    // Element e of the whole batch's mask (row-major) is draw e of the generator from where this
    // step starts (SplitMix64 jumps ahead at once): each half draws its own rows, at the same
    // time as the other, and both generators then move past the whole batch.
    let whole = sync?.rows ?? input.rows, first = sync?.rows(of: half).lowerBound ?? 0
    if !(freezesMask && mask.count == input.count) {
      mask.resize(rows: input.rows, columns: inputFeatures)
      let keep = 1 / (1 - rate)
      var draws = generator.advanced(by: first * inputFeatures)
      for i in 0..<mask.count { mask[i] = draws.nextUniform() >= rate ? keep : 0 }
      generator = generator.advanced(by: whole * inputFeatures)
    }
    let x = input.pointer, y = output.pointer, m = mask.pointer
    for i in 0..<input.count { y[i] = x[i] * m[i] }
    return output
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    inputGradient.resize(like: outputGradient)
    guard lastPhase == .training, rate > 0 else {
      inputGradient.copy(from: outputGradient)
      return inputGradient
    }
    let da = outputGradient.pointer, dz = inputGradient.pointer, m = mask.pointer
    for i in 0..<outputGradient.count { dz[i] = da[i] * m[i] }
    return inputGradient
  }
}

extension Dropout {
  /// The equations the layers view (`e`) shows, this model's shapes filled in: the doc
  /// comment's, in the order the code runs them.
  static func equations(_ c: EquationContext, rate: Float) -> [EquationLine] {
    let (b, m) = (c.batch, c.outputFeatures)
    return [
      EquationLine(label: "forward", text: "A = Z ⊙ M,  M = 1/(1−\(rate)) with probability 1−\(rate), else 0   \(c.shape(b, m))"),
      EquationLine(label: "backward", text: "dZ = dA ⊙ M                                    \(c.shape(b, m))"),
    ]
  }
}
