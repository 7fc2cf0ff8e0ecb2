/// Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay, with
/// PyTorch's `torch.optim.SGD` formulas (dampening 0):
///
///     g ← ∇θ + λ θ                      (weight decay λ)
///     b ← μ b + g                       (b starts at 0, so b₁ = g₁ as in PyTorch)
///     g ← g + μ b  if Nesterov, else g ← b
///     θ ← θ - η g
public final class SGD: Optimizer {
  public var learningRate: Float
  public let momentum: Float
  public let nesterov: Bool
  public let weightDecay: Float
  public private(set) var stepCount = 0
  private var velocity = SlotTable()

  /// An optimizer with PyTorch's defaults (no momentum, no decay).
  public init(learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
    precondition(!nesterov || momentum > 0, "Nesterov momentum needs momentum > 0")
    self.learningRate = learningRate
    self.momentum = momentum
    self.nesterov = nesterov
    self.weightDecay = weightDecay
  }

  public func startStep(_ parameters: [Parameter]) {
    stepCount += 1
    if momentum != 0 { for (index, parameter) in parameters.enumerated() { _ = velocity.slot(index, like: parameter) } }
  }

  public func update(_ parameters: [Parameter], slice: Slice, clearingGradients clear: Bool) {
    let lr = learningRate, mu = momentum, wd = weightDecay
    for (index, parameter) in parameters.enumerated() {
      let range = slice.range(count: parameter.value.count)
      let theta = parameter.value.pointer + range.lowerBound, grad = parameter.gradient.pointer + range.lowerBound
      if mu == 0 {
        Kernels.sgd(theta, grad, count: range.count, lr: lr, weightDecay: wd, clearingGradient: clear)
        continue
      }
      let b = velocity.slots[index].pointer + range.lowerBound
      Kernels.sgdMomentum(
        theta, grad, b, count: range.count, lr: lr, momentum: mu, weightDecay: wd, nesterov: nesterov,
        clearingGradient: clear)
    }
  }

  public func stateTensors(for parameters: [Parameter]) -> [(name: String, tensor: Tensor)] {
    velocity.named(parameters, suffix: "momentum_buffer")
  }

  public func restore(_ tensors: [String: Tensor], stepCount: Int, for parameters: [Parameter]) throws {
    if momentum != 0 { try velocity.load(tensors, parameters: parameters, suffix: "momentum_buffer", stepCount: stepCount) }
    self.stepCount = stepCount
  }
}
