/// Updates parameters from their gradients.
public protocol Optimizer: AnyObject {
  /// The step size; the trainer sets it from the schedule before every step.
  var learningRate: Float { get set }
  /// Steps taken so far (advances once per `startStep`, however many parameters there are).
  var stepCount: Int { get }
  /// First part of a step: advances the step count and creates any missing state tensors.
  func startStep(_ parameters: [Parameter])
  /// Second part of a step: updates elements `slice.range(count:)` of every parameter from its
  /// gradient, and sets those gradient elements to 0 when `clearingGradients` (in the same
  /// pass). Disjoint slices may run on different threads at once (after `startStep`).
  func update(_ parameters: [Parameter], slice: Slice, clearingGradients: Bool)
  /// Per-parameter state tensors (momentum, moments) named like `0.weight.momentum`, for
  /// checkpoints; the step count travels separately.
  func stateTensors(for parameters: [Parameter]) -> [(name: String, tensor: Tensor)]
  /// Restores state saved by `stateTensors`; `stepCount` is the saved step count.
  func restore(_ tensors: [String: Tensor], stepCount: Int, for parameters: [Parameter]) throws
}

extension Optimizer {
  /// Applies one update to every parameter from its current gradient.
  public func step(_ parameters: [Parameter]) {
    startStep(parameters)
    update(parameters, slice: .whole, clearingGradients: false)
  }
}
