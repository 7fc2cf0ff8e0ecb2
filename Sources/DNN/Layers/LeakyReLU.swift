/// Leaky rectified linear unit (Maas et al. 2013), element-wise, slope α in [0, 1):
///
///     forward:  a = z if z > 0, else α z
///     backward: dz = da if z > 0, else α da          (shapes [B, features] both ways)
///
/// With α ≥ 0, `a > 0` exactly when `z > 0`, so the cached output gives the mask.
public final class LeakyReLU: Layer {
  public let kind = LayerKind.leakyrelu
  public var isPiecewiseLinear: Bool { true }
  public var outputHealth: OutputHealth { .deadUnits }
  public let inputFeatures: Int
  public var outputFeatures: Int { inputFeatures }
  /// α, the slope for negative inputs.
  public let slope: Float
  public var summary: String { "LeakyReLU(\(slope))" }

  private let output = Tensor(rows: 0, columns: 0)
  private let inputGradient = Tensor(rows: 0, columns: 0)

  /// A leaky ReLU over `features` features with negative slope `slope` (PyTorch default 0.01).
  public init(features: Int, slope: Float = 0.01) {
    precondition(slope >= 0 && slope < 1, "LeakyReLU slope must be in [0, 1), got \(slope)")
    inputFeatures = features
    self.slope = slope
  }

  public func replica() -> Layer? { LeakyReLU(features: inputFeatures, slope: slope) }
  /// Row by row: the halves' rows never meet.
  public var passesBothHalves: Bool { true }

  public func forward(_ input: Tensor, phase: Phase) -> Tensor {
    output.resize(like: input)
    Kernels.leakyReLU(input.pointer, output.pointer, count: input.count, slope: slope)
    return output
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    inputGradient.resize(like: outputGradient)
    Kernels.reluBackward(output.pointer, outputGradient.pointer, inputGradient.pointer, count: outputGradient.count, slope: slope)
    return inputGradient
  }
}

extension LeakyReLU {
  /// The equations the layers view (`e`) shows, this model's shapes filled in: the doc
  /// comment's, in the order the code runs them.
  static func equations(_ c: EquationContext, slope: Float) -> [EquationLine] {
    let (b, m) = (c.batch, c.outputFeatures)
    return [
      EquationLine(label: "forward", text: "A = Z if Z > 0, else \(slope) Z          \(c.shape(b, m))"),
      EquationLine(label: "backward", text: "dZ = dA if Z > 0, else \(slope) dA      \(c.shape(b, m))"),
    ]
  }
}
