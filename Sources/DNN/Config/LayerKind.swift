/// The layer types of a configuration, by the name the configuration and `config.json` spell
/// (`{"type": "dense"}`): the one table that layers (`Layer.kind`), parsing, JSON and messages use.
public enum LayerKind: String, CaseIterable, Sendable {
  case dense, relu, leakyrelu, softmax, batchnorm, batchnorm2d, dropout, attention, conv2d, maxpool, avgpool

  /// Other spellings accepted when parsing.
  static let aliases: [String: LayerKind] = ["linear": .dense, "conv": .conv2d, "maxpool2d": .maxpool, "avgpool2d": .avgpool]

  /// The kind named `name` (any case, or an alias).
  init?(configName name: String) {
    guard let kind = LayerKind(rawValue: name.lowercased()) ?? LayerKind.aliases[name.lowercased()] else { return nil }
    self = kind
  }

  /// `dense, relu, ...` for messages.
  static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }
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
    }
  }
}
