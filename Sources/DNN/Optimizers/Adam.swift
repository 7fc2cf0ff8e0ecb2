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
    let inverseCorrection2Root = Float(1 / (1 - pow(Double(beta2), t)).squareRoot())
    let step = Kernels.AdamStep(
      beta1: beta1, beta2: beta2, epsilon: epsilon, shrink: decoupledWeightDecay ? 1 - learningRate * weightDecay : 1,
      l2: decoupledWeightDecay ? 0 : weightDecay, stepSize: learningRate / correction1,
      inverseCorrection2Root: inverseCorrection2Root)
    for (index, parameter) in parameters.enumerated() {
      let range = slice.range(count: parameter.value.count)
      Kernels.adam(
        parameter.value.pointer + range.lowerBound, parameter.gradient.pointer + range.lowerBound,
        firstMoment.slots[index].pointer + range.lowerBound, secondMoment.slots[index].pointer + range.lowerBound,
        count: range.count, step, clearingGradient: clear)
    }
  }

  public func stateTensors(for parameters: [Parameter]) -> [(name: String, tensor: Tensor)] {
    firstMoment.named(parameters, suffix: "exp_avg") + secondMoment.named(parameters, suffix: "exp_avg_sq")
  }

  public func restore(_ tensors: [String: Tensor], stepCount: Int, for parameters: [Parameter]) throws {
    try firstMoment.load(tensors, parameters: parameters, suffix: "exp_avg", stepCount: stepCount)
    try secondMoment.load(tensors, parameters: parameters, suffix: "exp_avg_sq", stepCount: stepCount)
    self.stepCount = stepCount
  }
}
