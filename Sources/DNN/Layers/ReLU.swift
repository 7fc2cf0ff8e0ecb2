/// Rectified linear unit, element-wise.
///
///     forward:  a = max(0, z)
///     backward: dz = da if z > 0, else 0          (shapes [B, features] both ways)
///
/// The mask is read from the cached output (`a > 0` exactly when `z > 0`).
public final class ReLU: Layer {
  public let kind = LayerKind.relu
  public let inputFeatures: Int
  public var outputFeatures: Int { inputFeatures }
  public var summary: String { "ReLU" }

  private let output = Tensor(rows: 0, columns: 0)
  private let inputGradient = Tensor(rows: 0, columns: 0)

  /// A ReLU over `features` features.
  public init(features: Int) { inputFeatures = features }

  public func replica() -> Layer? { ReLU(features: inputFeatures) }

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
