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
public final class BatchNorm: Layer {
  public let kind = LayerKind.batchnorm
  public let inputFeatures: Int
  public var outputFeatures: Int { inputFeatures }
  public let momentum: Float
  public let epsilon: Float
  /// γ, `[1, F]`, starts at 1.
  public let weight: Parameter
  /// β, `[1, F]`, starts at 0.
  public let bias: Parameter
  /// Running mean, `[1, F]`, starts at 0.
  public let runningMean = Tensor(rows: 1, columns: 0)
  /// Running variance, `[1, F]`, starts at 1.
  public let runningVariance = Tensor(rows: 1, columns: 0)
  public var summary: String { "BatchNorm(\(inputFeatures), momentum: \(momentum))" }

  private let normalised = Tensor(rows: 0, columns: 0)  // x̂ [B, F]
  private let inverseStd = Tensor(rows: 1, columns: 0)  // 1/√(σ²+ε) [1, F]
  private let output = Tensor(rows: 0, columns: 0)
  private let inputGradient = Tensor(rows: 0, columns: 0)
  private var lastPhase = Phase.inference

  /// Batch normalisation of `features` features.
  public init(features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
    precondition(features > 0, "BatchNorm needs features > 0")
    precondition(momentum >= 0 && momentum <= 1, "BatchNorm momentum must be in [0, 1]")
    inputFeatures = features
    self.momentum = momentum
    self.epsilon = epsilon
    weight = Parameter(name: "weight", rows: 1, columns: features, isVector: true)
    bias = Parameter(name: "bias", rows: 1, columns: features, isVector: true)
    weight.value.fill(1)
    runningMean.resize(rows: 1, columns: features)
    runningVariance.resize(rows: 1, columns: features)
    runningVariance.fill(1)
    inverseStd.resize(rows: 1, columns: features)
  }

  public var parameters: [Parameter] { [weight, bias] }
  public var buffers: [Buffer] {
    [Buffer(name: "running_mean", value: runningMean), Buffer(name: "running_var", value: runningVariance)]
  }

  public func forward(_ input: Tensor, phase: Phase) -> Tensor {
    lastPhase = phase
    let batch = input.rows, f = inputFeatures
    output.resize(like: input)
    normalised.resize(like: input)
    let x = input.pointer, y = output.pointer, xhat = normalised.pointer, inv = inverseStd.pointer
    let gamma = weight.value.pointer, beta = bias.value.pointer
    if phase == .training {
      let mean = runningMean.pointer, variance = runningVariance.pointer
      for j in 0..<f {
        var sum: Float = 0
        for b in 0..<batch { sum += x[b * f + j] }
        let mu = sum / Float(batch)
        var squares: Float = 0
        for b in 0..<batch {
          let d = x[b * f + j] - mu
          squares += d * d
        }
        let sigma2 = squares / Float(batch)
        inv[j] = 1 / (sigma2 + epsilon).squareRoot()
        mean[j] = (1 - momentum) * mean[j] + momentum * mu
        let unbiased = batch > 1 ? squares / Float(batch - 1) : sigma2
        variance[j] = (1 - momentum) * variance[j] + momentum * unbiased
        for b in 0..<batch {
          let n = (x[b * f + j] - mu) * inv[j]
          xhat[b * f + j] = n
          y[b * f + j] = gamma[j] * n + beta[j]
        }
      }
    } else {
      let mean = runningMean.pointer, variance = runningVariance.pointer
      for j in 0..<f { inv[j] = 1 / (variance[j] + epsilon).squareRoot() }
      for b in 0..<batch {
        for j in 0..<f {
          let n = (x[b * f + j] - mean[j]) * inv[j]
          xhat[b * f + j] = n
          y[b * f + j] = gamma[j] * n + beta[j]
        }
      }
    }
    return output
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    let batch = outputGradient.rows, f = inputFeatures
    inputGradient.resize(like: outputGradient)
    let dy = outputGradient.pointer, dx = inputGradient.pointer, xhat = normalised.pointer
    let inv = inverseStd.pointer, gamma = weight.value.pointer
    let dgamma = weight.gradient.pointer, dbeta = bias.gradient.pointer
    for j in 0..<f {
      var sumDy: Float = 0, sumDyXhat: Float = 0
      for b in 0..<batch {
        sumDy += dy[b * f + j]
        sumDyXhat += dy[b * f + j] * xhat[b * f + j]
      }
      dgamma[j] += sumDyXhat
      dbeta[j] += sumDy
      if lastPhase == .training {
        let scale = gamma[j] * inv[j] / Float(batch)
        for b in 0..<batch {
          dx[b * f + j] = scale * (Float(batch) * dy[b * f + j] - sumDy - xhat[b * f + j] * sumDyXhat)
        }
      } else {
        // Inference: the statistics are constants, so dx = γ dy / √(running_var + ε).
        for b in 0..<batch { dx[b * f + j] = gamma[j] * inv[j] * dy[b * f + j] }
      }
    }
    return inputGradient
  }
}
