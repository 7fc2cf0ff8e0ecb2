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

  private var generator: SplitMix64
  private let mask = Tensor(rows: 0, columns: 0)
  private let output = Tensor(rows: 0, columns: 0)
  private let inputGradient = Tensor(rows: 0, columns: 0)
  private var lastPhase = Phase.inference

  /// Dropout of `rate` over `features` features, masks drawn from `generator`.
  public init(features: Int, rate: Float, generator: SplitMix64) {
    precondition(rate >= 0 && rate < 1, "Dropout rate must be in [0, 1), got \(rate)")
    inputFeatures = features
    self.rate = rate
    self.generator = generator
  }

  /// Replaces the generator masks are drawn from (the trainer reseeds per epoch).
  public func reseed(_ generator: SplitMix64) { self.generator = generator }

  public func forward(_ input: Tensor, phase: Phase) -> Tensor {
    lastPhase = phase
    output.resize(like: input)
    guard phase == .training, rate > 0 else {
      output.copy(from: input)
      return output
    }
    if !(freezesMask && mask.count == input.count) {
      mask.resize(like: input)
      let keep = 1 / (1 - rate)
      for i in 0..<mask.count { mask[i] = generator.nextUniform() >= rate ? keep : 0 }
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
