import Foundation

/// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), with PyTorch's formulas and
/// bias correction, at step t:
///
///     Adam:   g ← ∇θ + λ θ                      (L2 decay folded into the gradient)
///     AdamW:  θ ← θ (1 - η λ)                    (decoupled decay), g ← ∇θ
///     m ← β₁ m + (1 - β₁) g
///     v ← β₂ v + (1 - β₂) g²
///     θ ← θ - η · (m / (1 - β₁ᵗ)) / (√(v / (1 - β₂ᵗ)) + ε)
///
/// t advances once per `step`, for all parameters together.
public final class Adam: Optimizer {
  public var learningRate: Float
  public let beta1: Float
  public let beta2: Float
  public let epsilon: Float
  public let weightDecay: Float
  /// True for AdamW's decoupled weight decay.
  public let decoupledWeightDecay: Bool
  public private(set) var stepCount = 0
  private var firstMoment = SlotTable()
  private var secondMoment = SlotTable()

  /// Adam (`decoupledWeightDecay: false`, PyTorch default decay 0) or AdamW (`true`, PyTorch
  /// default decay 0.01).
  public init(
    learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
    weightDecay: Float = 0, decoupledWeightDecay: Bool = false
  ) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    self.decoupledWeightDecay = decoupledWeightDecay
  }

  public func startStep(_ parameters: [Parameter]) {
    stepCount += 1
    for (index, parameter) in parameters.enumerated() {
      _ = firstMoment.slot(index, like: parameter)
      _ = secondMoment.slot(index, like: parameter)
    }
  }

  public func update(_ parameters: [Parameter], slice: Slice, clearingGradients clear: Bool) {
    let t = Double(stepCount)
    let correction1 = Float(1 - pow(Double(beta1), t))
    let correction2Root = Float((1 - pow(Double(beta2), t)).squareRoot())
    let lr = learningRate, b1 = beta1, b2 = beta2, eps = epsilon, wd = weightDecay
    let stepSize = lr / correction1
    let l2: Float = decoupledWeightDecay ? 0 : wd
    let shrink: Float = decoupledWeightDecay ? 1 - lr * wd : 1
    for (index, parameter) in parameters.enumerated() {
      let range = slice.range(count: parameter.value.count)
      let theta = parameter.value.pointer + range.lowerBound, grad = parameter.gradient.pointer + range.lowerBound
      let m = firstMoment.slots[index].pointer + range.lowerBound
      let v = secondMoment.slots[index].pointer + range.lowerBound
      for i in 0..<range.count {
        let p = theta[i] * shrink
        let g = grad[i] + l2 * p
        let mi = b1 * m[i] + (1 - b1) * g
        let vi = b2 * v[i] + (1 - b2) * g * g
        m[i] = mi
        v[i] = vi
        theta[i] = p - stepSize * mi / (vi.squareRoot() / correction2Root + eps)
        if clear { grad[i] = 0 }
      }
    }
  }

  public func stateTensors(for parameters: [Parameter]) -> [(name: String, tensor: Tensor)] {
    firstMoment.named(parameters, suffix: "exp_avg") + secondMoment.named(parameters, suffix: "exp_avg_sq")
  }

  public func restore(_ tensors: [String: Tensor], stepCount: Int, for parameters: [Parameter]) throws {
    try firstMoment.load(tensors, parameters: parameters, suffix: "exp_avg")
    try secondMoment.load(tensors, parameters: parameters, suffix: "exp_avg_sq")
    self.stepCount = stepCount
  }
}
