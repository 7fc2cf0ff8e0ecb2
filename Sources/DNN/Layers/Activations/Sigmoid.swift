import Foundation

/// The logistic sigmoid, PyTorch's `nn.Sigmoid()`:
///
///     a = σ(z) = 1 / (1 + e^(−z))     (as e^z / (1 + e^z) for z < 0, so that e^(−z) never overflows)
///     da/dz = a (1 − a)
public enum Sigmoid: ActivationFunction {
  public static let configName = "sigmoid"
  public static let inferenceOperator: (op: String, attributes: [String: InferenceGraph.Attribute]) = ("Sigmoid", [:])
  public static let label = "Sigmoid"
  public static let forwardEquation = "A = σ(Z) = 1 / (1 + e^(−Z))"
  public static let backwardEquation = "dZ = dA ⊙ A (1 − A)"

  public static func value(_ z: Float) -> Float {
    if z >= 0 { return 1 / (1 + exp(-z)) }
    let e = exp(z)
    return e / (1 + e)
  }

  public static func derivative(_ z: Float, output a: Float) -> Float { a * (1 - a) }
}
