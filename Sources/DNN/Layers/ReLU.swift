/// Rectified linear unit, element-wise.
///
///     forward:  a = max(0, z)
///     backward: dz = da if z > 0, else 0          (shapes [B, features] both ways)
///
/// The mask is read from the cached output (`a > 0` exactly when `z > 0`).
public final class ReLU: Layer {
  public let kind = LayerKind.relu
  public var isPiecewiseLinear: Bool { true }
  public var outputHealth: OutputHealth { .deadUnits }
  public let inputFeatures: Int
  public var outputFeatures: Int { inputFeatures }
  public var summary: String { "ReLU" }

  private let output = Tensor(rows: 0, columns: 0)
  private let inputGradient = Tensor(rows: 0, columns: 0)

  /// A ReLU over `features` features.
  public init(features: Int) { inputFeatures = features }

  public func replica() -> Layer? { ReLU(features: inputFeatures) }
  /// Row by row: the halves' rows never meet.
  public var passesBothHalves: Bool { true }

  public func forward(_ input: Tensor, phase: Phase) -> Tensor {
    output.resize(like: input)
    Kernels.relu(input.pointer, output.pointer, count: input.count)
    return output
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    inputGradient.resize(like: outputGradient)
    Kernels.reluBackward(output.pointer, outputGradient.pointer, inputGradient.pointer, count: outputGradient.count)
    return inputGradient
  }
}

extension ReLU {
  /// The equations the layers view (`e`) shows, this model's shapes filled in: the doc
  /// comment's, in the order the code runs them.
  static func equations(_ c: EquationContext) -> [EquationLine] {
    let (b, m) = (c.batch, c.outputFeatures)
    return [
      EquationLine(label: "forward", text: "A = max(0, Z)                          \(c.shape(b, m))"),
      EquationLine(label: "backward", text: "dZ = dA ⊙ 1[Z > 0]                     \(c.shape(b, m))"),
    ]
  }
}
