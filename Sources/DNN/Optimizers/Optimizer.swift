/// Updates parameters from their gradients.
public protocol Optimizer: AnyObject {
  /// The step size; the trainer sets it from the schedule before every step.
  var learningRate: Float { get set }
  /// Steps taken so far (advances once per `step`, however many parameters there are).
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
  /// Restores state saved by `stateTensors`; `step` is the saved step count.
  func restore(_ tensors: [String: Tensor], stepCount: Int, for parameters: [Parameter]) throws
}

extension Optimizer {
  /// Applies one update to every parameter from its current gradient.
  public func step(_ parameters: [Parameter]) {
    startStep(parameters)
    update(parameters, slice: .whole, clearingGradients: false)
  }
}

/// Part `index` of `count` equal parts of a tensor's elements (boundaries on multiples of 16, so
/// SIMD loops see whole vectors), for splitting element-wise work across threads.
public struct Slice: Sendable, Equatable {
  public var index: Int
  public var count: Int

  public init(_ index: Int, of count: Int) {
    precondition(index >= 0 && index < count, "slice \(index) of \(count)")
    self.index = index
    self.count = count
  }

  /// All elements.
  public static let whole = Slice(0, of: 1)

  /// This slice's elements of a tensor of `elements` elements.
  public func range(count elements: Int) -> Range<Int> {
    func boundary(_ i: Int) -> Int { i == count ? elements : min(elements, (elements * i / count) & ~15) }
    return boundary(index)..<boundary(index + 1)
  }
}

/// A state tensor for each parameter, created zero-filled on first use.
struct SlotTable {
  private(set) var slots: [Tensor] = []

  /// The slot for parameter `index`, shaped like `parameter`.
  mutating func slot(_ index: Int, like parameter: Parameter) -> Tensor {
    while slots.count <= index {
      let p = parameter.value
      slots.append(Tensor(rows: p.rows, columns: p.columns))
    }
    return slots[index]
  }

  /// Pairs each existing slot with its parameter's name plus `suffix`.
  func named(_ parameters: [Parameter], suffix: String) -> [(name: String, tensor: Tensor)] {
    zip(parameters, slots).map { ("\($0.name).\(suffix)", $1) }
  }

  /// Loads slots from `tensors` by name; throws when one is missing or misshapen.
  mutating func load(_ tensors: [String: Tensor], parameters: [Parameter], suffix: String) throws {
    slots = []
    for (i, p) in parameters.enumerated() {
      let name = "\(p.name).\(suffix)"
      guard let t = tensors[name] else { throw OptimizerStateError(message: "optimizer state has no tensor \(name)") }
      guard t.rows == p.value.rows && t.columns == p.value.columns else {
        throw OptimizerStateError(message: "optimizer state \(name) is \(t), expected \(p.value)")
      }
      slot(i, like: p).copy(from: t)
    }
  }
}

/// Saved optimizer state that does not fit the model.
public struct OptimizerStateError: Error, CustomStringConvertible {
  public let message: String
  public var description: String { message }
}
