import Foundation

/// Hyperbolic tangent, PyTorch's `nn.Tanh()`:
///
///     a = tanh(z)
///     da/dz = 1 − a²
public enum Tanh: ActivationFunction {
  public static let configName = "tanh"
  public static let inferenceOperator: (op: String, attributes: [String: InferenceGraph.Attribute]) = ("Tanh", [:])
  public static let label = "Tanh"
  public static let forwardEquation = "A = tanh(Z)"
  public static let backwardEquation = "dZ = dA ⊙ (1 − A²)"

  public static func value(_ z: Float) -> Float { tanh(z) }
  public static func derivative(_ z: Float, output a: Float) -> Float { 1 - a * a }
}
