/// Gradient clipping by norm, applied after backward and before the optimizer step.
public enum GradientClipping: Sendable, Equatable {
  /// No clipping.
  case none
  /// PyTorch's `clip_grad_norm_`: when the norm of all gradients together exceeds `maxNorm`,
  /// every gradient is scaled by `maxNorm / (norm + 1e-6)`.
  case global(maxNorm: Float)
  /// The original's clipping: each gradient tensor whose own norm exceeds `maxNorm` is scaled
  /// by `maxNorm / (norm + 1e-6)`.
  case perTensor(maxNorm: Float)

  /// The threshold, or nil for `.none`.
  public var maxNorm: Float? {
    switch self {
    case .none: nil
    case .global(let m), .perTensor(let m): m
    }
  }

  /// Clips `parameters`' gradients given their pre-clip norms (`norms[i]` for parameter i, as
  /// from `norms(of:)`), and returns the global norm before clipping.
  @discardableResult
  public func apply(to parameters: [Parameter], norms: [Float]) -> Float {
    let total = GradientClipping.globalNorm(norms)
    for (p, norm) in zip(parameters, norms) {
      let f = factor(norm: norm, globalNorm: total)
      if f != 1 { p.gradient.scale(by: f) }
    }
    return total
  }

  /// What a gradient with norm `norm` is multiplied by when all gradients together have norm
  /// `globalNorm` (1: unchanged).
  public func factor(norm: Float, globalNorm: Float) -> Float {
    switch self {
    case .none: 1
    case .global(let maxNorm): globalNorm > maxNorm ? maxNorm / (globalNorm + 1e-6) : 1
    case .perTensor(let maxNorm): norm > maxNorm ? maxNorm / (norm + 1e-6) : 1
    }
  }

  /// The L2 norm of each parameter's gradient.
  public static func norms(of parameters: [Parameter], into norms: inout [Float]) {
    norms.removeAll(keepingCapacity: true)
    for p in parameters { norms.append(Float(p.gradient.sumOfSquares().squareRoot())) }
  }

  /// √(Σ norm²): the norm of all gradients as one vector.
  public static func globalNorm(_ norms: [Float]) -> Float {
    Float(norms.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot())
  }
}
