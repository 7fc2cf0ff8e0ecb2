import Foundation

/// Gaussian error linear unit (Hendrycks & Gimpel 2016), exact form, PyTorch's `nn.GELU()`
/// (`approximate='none'`):
///
///     a = z Φ(z) = z · ½ (1 + erf(z / √2))
///     da/dz = Φ(z) + z φ(z),  φ(z) = exp(−z²/2) / √(2π)
public enum GELU: ActivationFunction {
  public static let configName = "gelu"
  public static let inferenceOperator: (op: String, attributes: [String: InferenceGraph.Attribute]) = ("Gelu", ["approximate": .string("none")])
  public static let label = "GELU"
  public static let forwardEquation = "A = Z Φ(Z),  Φ(z) = ½ (1 + erf(z/√2))"
  public static let backwardEquation = "dZ = dA ⊙ (Φ(Z) + Z φ(Z)),  φ(z) = e^(−z²/2)/√(2π)"

  public static func value(_ z: Float) -> Float { z * 0.5 * (1 + erf(z * 0.70710678)) }

  public static func derivative(_ z: Float, output a: Float) -> Float {
    0.5 * (1 + erf(z * 0.70710678)) + z * exp(-0.5 * z * z) * 0.39894228
  }
}
