import Foundation

/// An element-wise activation that describes itself: the name a configuration spells, the label
/// summaries print (PyTorch's module name), the function and its derivative, and the equations
/// the dashboard's `e` shows. One `ActivationLayer` runs any of them, forward and backward, so a
/// new kind is one file here and one entry in `Activation.all` (`LayerKind.swift`).
public protocol ActivationFunction: Sendable {
  /// The configuration's `type`, such as `sigmoid`.
  static var configName: String { get }
  /// PyTorch's module name, such as `Sigmoid` (`nn.Sigmoid`).
  static var label: String { get }
  /// `A = …` and `dZ = …`, element-wise, for the equations view.
  static var forwardEquation: String { get }
  static var backwardEquation: String { get }
  /// a = f(z).
  static func value(_ z: Float) -> Float
  /// f′(z), given z and a = f(z) (whichever is cheaper to use).
  static func derivative(_ z: Float, output a: Float) -> Float
  /// The standard operator computing it (ONNX's name and attributes, `InferenceGraph.opset`).
  static var inferenceOperator: (op: String, attributes: [String: InferenceGraph.Attribute]) { get }
}

/// An activation of the self-describing family, as a value a `LayerSpec` holds.
public struct Activation: Sendable, Equatable, CustomStringConvertible {
  public let function: any ActivationFunction.Type

  public init(_ function: any ActivationFunction.Type) { self.function = function }

  /// The activation a configuration names `name` (any case), if it is one of `all`.
  public init?(configName name: String) {
    guard let f = Activation.all.first(where: { $0.configName == name.lowercased() }) else { return nil }
    function = f
  }

  public var configName: String { function.configName }
  public var description: String { function.label }

  public static func == (a: Activation, b: Activation) -> Bool { a.configName == b.configName }

  /// A layer of this activation over `features` features.
  public func makeLayer(features: Int) -> Layer { function.makeLayer(features: features) }
}

extension ActivationFunction {
  /// A layer of this activation over `features` features.
  public static func makeLayer(features: Int) -> Layer { ActivationLayer<Self>(features: features) }
}

/// An element-wise activation layer, for any `ActivationFunction` F:
///
///     forward:  A = F(Z)                     [B, features]
///     backward: dZ = dA ⊙ F′(Z)             [B, features]
///
/// It keeps its input (for F′) and its output.
public final class ActivationLayer<F: ActivationFunction>: Layer {
  public let kind = LayerKind.activation
  public let inputFeatures: Int
  public var outputFeatures: Int { inputFeatures }
  public var summary: String { F.label }
  public var configName: String { F.configName }
  public var workspacePerSample: Int { 2 * inputFeatures }

  private let input = Tensor(rows: 0, columns: 0)
  private let output = Tensor(rows: 0, columns: 0)
  private let inputGradient = Tensor(rows: 0, columns: 0)

  public init(features: Int) { inputFeatures = features }

  public func replica() -> Layer? { ActivationLayer<F>(features: inputFeatures) }
  /// Row by row: the halves' rows never meet.
  public var passesBothHalves: Bool { true }

  public func forward(_ x: Tensor, phase: Phase) -> Tensor {
    input.resize(like: x)
    output.resize(like: x)
    let (z, a) = (input.pointer, output.pointer)
    z.update(from: x.pointer, count: x.count)
    for i in 0..<x.count { a[i] = F.value(z[i]) }  // A = F(Z)
    return output
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    inputGradient.resize(like: outputGradient)
    let (z, a, da, dz) = (input.pointer, output.pointer, outputGradient.pointer, inputGradient.pointer)
    for i in 0..<outputGradient.count { dz[i] = da[i] * F.derivative(z[i], output: a[i]) }  // dZ = dA ⊙ F′(Z)
    return inputGradient
  }
}

extension Activation {
  /// The equations the layers view (`e`) shows, this model's shapes filled in: the doc
  /// comment's, in the order the code runs them.
  func equations(_ c: EquationContext) -> [EquationLine] {
    let (b, m) = (c.batch, c.outputFeatures)
    return [
      EquationLine(label: "forward", text: "\(function.forwardEquation)      \(c.shape(b, m))"),
      EquationLine(label: "backward", text: "\(function.backwardEquation)      \(c.shape(b, m))"),
    ]
  }
}
