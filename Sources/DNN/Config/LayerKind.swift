/// The layer types of a configuration, by the name the configuration and `config.json` spell
/// (`{"type": "dense"}`): the one table that layers (`Layer.kind`), parsing, JSON and messages use.
public enum LayerKind: String, CaseIterable, Sendable {
  case dense, relu, leakyrelu, softmax, batchnorm, batchnorm2d, dropout, attention, conv2d, maxpool, avgpool
  /// The self-describing element-wise activations (`Activation.all`), each with its own name.
  case activation

  /// Other spellings accepted when parsing.
  static let aliases: [String: LayerKind] = ["linear": .dense, "conv": .conv2d, "maxpool2d": .maxpool, "avgpool2d": .avgpool]

  /// The kind named `name` (any case, or an alias); `activation` is not a name (its members are).
  init?(configName name: String) {
    guard let kind = LayerKind(rawValue: name.lowercased()) ?? LayerKind.aliases[name.lowercased()], kind != .activation
    else { return nil }
    self = kind
  }

  /// `dense, relu, ...` for messages: every name a configuration may use.
  static var list: String {
    (allCases.filter { $0 != .activation }.map(\.rawValue) + Activation.all.map { $0.configName }).joined(separator: ", ")
  }
}

extension Activation {
  /// The self-describing activations, in the order help lists them: the one table of their names.
  public static let all: [any ActivationFunction.Type] = [GELU.self, Tanh.self, Sigmoid.self]
}

extension LayerSpec {
  /// The layer's type.
  public var kind: LayerKind {
    switch self {
    case .dense: .dense
    case .relu: .relu
    case .leakyReLU: .leakyrelu
    case .softmax: .softmax
    case .batchNorm: .batchnorm
    case .batchNorm2D: .batchnorm2d
    case .dropout: .dropout
    case .attention: .attention
    case .conv2d: .conv2d
    case .maxPool: .maxpool
    case .avgPool: .avgpool
    case .activation: .activation
    }
  }

  /// The name the configuration spells (`dense`, or an activation's own).
  public var configName: String {
    if case .activation(let a) = self { return a.configName }
    return kind.rawValue
  }
}
