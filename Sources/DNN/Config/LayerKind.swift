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

/// One layer of a run's architecture, as written in the configuration.
public enum LayerSpec: Sendable, Equatable {
  case dense(units: Int, initializer: Initializer)
  case relu
  case leakyReLU(slope: Float)
  case softmax
  case batchNorm(momentum: Float, epsilon: Float)
  /// Per channel, over the feature maps of the layer before (`BatchNorm2d`).
  case batchNorm2D(momentum: Float, epsilon: Float)
  case dropout(rate: Float)
  case attention(tokens: Int, heads: Int, dim: Int, initializer: Initializer)
  /// `channels` filters of `kernel`×`kernel` over the image the layer before gives.
  case conv2d(channels: Int, kernel: Int, stride: Int, padding: Int, initializer: Initializer)
  case maxPool(size: Int)
  case avgPool(size: Int)
  /// An element-wise activation that describes itself (`ActivationFunction`, `Activation.all`).
  case activation(Activation)
}

extension LayerSpec {
  static func parse(_ value: JSONValue, context: String) throws -> LayerSpec {
    var r = try ObjectReader(value, context: context)
    guard let type = try r.string("type") else { throw ConfigError("\(context): missing key 'type' (one of \(LayerKind.list))") }
    if let activation = Activation(configName: type) {
      try r.rejectUnknownKeys()
      return .activation(activation)
    }
    guard let kind = LayerKind(configName: type) else {
      throw ConfigError("\(context): unknown layer type '\(type)' (known: \(LayerKind.list))")
    }
    let spec: LayerSpec
    switch kind {
    case .activation: preconditionFailure("activations are parsed by their own names above")
    case .dense:
      guard let units = try r.integer("units", in: 1...1_000_000) else { throw ConfigError("\(context): dense needs 'units'") }
      spec = .dense(units: units, initializer: try Initializer.parse(&r, context: context))
    case .relu: spec = .relu
    case .leakyrelu:
      spec = .leakyReLU(slope: Float(try r.number("slope", "at least 0 and below 1") { $0 >= 0 && $0 < 1 } ?? 0.01))
    case .softmax: spec = .softmax
    case .batchnorm, .batchnorm2d:
      let momentum = try r.number("momentum", "between 0 and 1") { $0 >= 0 && $0 <= 1 } ?? 0.1
      let epsilon = try r.number("epsilon", "positive") { $0 > 0 } ?? 1e-5
      spec = kind == .batchnorm
        ? .batchNorm(momentum: Float(momentum), epsilon: Float(epsilon)) : .batchNorm2D(momentum: Float(momentum), epsilon: Float(epsilon))
    case .dropout:
      spec = .dropout(rate: Float(try r.number("rate", "at least 0 and below 1") { $0 >= 0 && $0 < 1 } ?? 0.5))
    case .attention:
      guard let tokens = try r.integer("tokens", in: 1...100_000) else { throw ConfigError("\(context): attention needs 'tokens'") }
      let heads = try r.integer("heads", in: 1...1024) ?? 1
      let dim = try r.integer("dim", in: 1...100_000) ?? 32
      spec = .attention(tokens: tokens, heads: heads, dim: dim, initializer: try Initializer.parse(&r, context: context, default: .glorotUniform))
    case .conv2d:
      guard let channels = try r.integer("channels", in: 1...4096) else { throw ConfigError("\(context): conv2d needs 'channels'") }
      guard let kernel = try r.integer("kernel", in: 1...28) else { throw ConfigError("\(context): conv2d needs 'kernel' (its size, such as 5)") }
      let stride = try r.integer("stride", in: 1...28) ?? 1
      let padding = try r.integer("padding", in: 0...(kernel - 1)) ?? 0
      spec = .conv2d(channels: channels, kernel: kernel, stride: stride, padding: padding, initializer: try Initializer.parse(&r, context: context))
    case .maxpool: spec = .maxPool(size: try r.integer("size", in: 1...28) ?? 2)
    case .avgpool: spec = .avgPool(size: try r.integer("size", in: 1...28) ?? 2)
    }
    try r.rejectUnknownKeys()
    return spec
  }
}

extension LayerSpec {
  var jsonValue: JSONValue {
    func n(_ v: Float) -> JSONValue { .number(Double("\(v)") ?? Double(v)) }
    var o: [String: JSONValue] = ["type": .string(configName)]
    switch self {
    case .dense(let units, let initializer):
      o["units"] = .number(Double(units))
      o.merge(initializer.jsonFields) { a, _ in a }
    case .relu, .softmax, .activation: break
    case .leakyReLU(let slope): o["slope"] = n(slope)
    case .batchNorm(let momentum, let epsilon), .batchNorm2D(let momentum, let epsilon):
      o["momentum"] = n(momentum)
      o["epsilon"] = n(epsilon)
    case .dropout(let rate): o["rate"] = n(rate)
    case .attention(let tokens, let heads, let dim, let initializer):
      o["tokens"] = .number(Double(tokens))
      o["heads"] = .number(Double(heads))
      o["dim"] = .number(Double(dim))
      o.merge(initializer.jsonFields) { a, _ in a }
    case .conv2d(let channels, let kernel, let stride, let padding, let initializer):
      o["channels"] = .number(Double(channels))
      o["kernel"] = .number(Double(kernel))
      o["stride"] = .number(Double(stride))
      o["padding"] = .number(Double(padding))
      o.merge(initializer.jsonFields) { a, _ in a }
    case .maxPool(let size), .avgPool(let size): o["size"] = .number(Double(size))
    }
    return .object(o)
  }
}

extension LayerSpec {
  /// What this layer gives after `current` (the shape walk of `[LayerSpec].geometries()`);
  /// `here` names the layer in messages.
  func geometry(after current: LayerGeometry, here: String) throws -> LayerGeometry {
    var current = current
    func image() throws -> ImageShape {
      guard let image = current.image else {
        throw ConfigError("\(here) needs an image (channels x height x width), but gets \(current.features) flat features: put convolutions and pooling before the dense layers")
      }
      return image
    }
    switch self {
    case .dense(let units, _): current = LayerGeometry(features: units, image: nil)
    case .attention(let tokens, let heads, let dim, _):
      guard current.features % tokens == 0 else {
        throw ConfigError("\(here): tokens \(tokens) do not divide its \(current.features) input features")
      }
      guard dim % heads == 0 else { throw ConfigError("\(here): dim \(dim) is not a multiple of heads \(heads)") }
      current = LayerGeometry(features: tokens * dim, image: nil)
    case .conv2d(let channels, let kernel, let stride, let padding, _):
      let input = try image()
      guard let output = Conv2D.outputShape(input, filters: channels, kernel: kernel, stride: stride, padding: padding) else {
        throw ConfigError("\(here): a \(kernel)x\(kernel) kernel does not fit its \(input.text) input with padding \(padding)")
      }
      current = LayerGeometry(features: output.features, image: output)
    case .maxPool(let size), .avgPool(let size):
      let input = try image()
      guard size <= input.height && size <= input.width else {
        throw ConfigError("\(here): a \(size)x\(size) window does not fit its \(input.text) input")
      }
      let output = input.pooled(by: size)
      current = LayerGeometry(features: output.features, image: output)
    case .batchNorm2D: _ = try image()
    case .relu, .leakyReLU, .softmax, .batchNorm, .dropout, .activation: break
    }
    return current
  }
}

extension LayerSpec {
  /// Floats this layer adds to training's memory: its parameters (counted four times by
  /// `RunConfig.memoryEstimate`) and per-sample buffers beyond its output.
  func memory(before: LayerGeometry, after: LayerGeometry) -> (parameters: Double, activations: Double) {
    switch self {
    case .conv2d(let channels, let kernel, _, _, _):
      let fanIn = Double((before.image?.channels ?? 1) * kernel * kernel)
      // im2col's columns and their gradient: k² values per input channel and output position.
      return (Double(channels) * (fanIn + 1), 2 * fanIn * Double(after.image?.plane ?? 0))
    case .dense(let units, _):
      return (Double(before.features) * Double(units) + Double(units), 0)
    case .attention(let tokens, let heads, let dim, _):
      let features = before.features / max(tokens, 1)
      // The attention weights per sample.
      return (3 * Double(features) * Double(dim) + Double(dim) * Double(dim), Double(heads) * Double(tokens) * Double(tokens))
    case .batchNorm: return (4 * Double(before.features), 0)
    case .batchNorm2D: return (4 * Double(before.image?.channels ?? 1), 0)
    default: return (0, 0)
    }
  }

  /// Floating-point operations of one training step per sample in this layer's products
  /// (`first`: the model's first layer, whose input gradient nobody needs), nil for the
  /// element-wise layers (a rounding error).
  func trainingFlops(before: LayerGeometry, after: LayerGeometry, first: Bool) -> Double? {
    let product: Double
    switch self {
    case .conv2d(let channels, let kernel, _, _, _):
      let fanIn = Double((before.image?.channels ?? 1) * kernel * kernel)
      product = 2 * Double(channels) * fanIn * Double(after.image?.plane ?? 0)
    case .dense(let units, _):
      product = 2 * Double(before.features) * Double(units)
    case .attention(let tokens, _, let dim, _):
      let t = Double(tokens), f = Double(before.features) / t, d = Double(dim)
      let projections = 2 * t * f * d * 3 + 2 * t * d * d  // Q, K, V from X; Y from O
      let attention = 2 * t * t * d * 2  // S = Q Kᵀ and O = P V over all heads
      return (projections + attention) * 3 - (first ? 2 * t * f * d * 3 : 0)
    default: return nil
    }
    return product * (first ? 2 : 3)
  }
}

extension LayerSpec {
  /// The layer this describes, over `width` features (`image` when they are feature maps),
  /// its weights drawn from `generator`.
  func makeLayer(width: Int, image: ImageShape?, generator: inout SplitMix64) -> Layer {
    switch self {
    case .dense(let units, let initializer):
      return Dense(inputFeatures: width, outputFeatures: units, initializer: initializer, generator: &generator)
    case .relu: return ReLU(features: width)
    case .activation(let a): return a.makeLayer(features: width)
    case .leakyReLU(let slope): return LeakyReLU(features: width, slope: slope)
    case .softmax: return Softmax(features: width)
    case .batchNorm(let momentum, let epsilon): return BatchNorm(features: width, momentum: momentum, epsilon: epsilon)
    case .dropout(let rate): return Dropout(features: width, rate: rate, generator: generator)
    case .attention(let tokens, let heads, let dim, let initializer):
      return Attention(inputFeatures: width, tokens: tokens, heads: heads, dim: dim, initializer: initializer, generator: &generator)
    case .conv2d(let channels, let kernel, let stride, let padding, let initializer):
      guard let image else { preconditionFailure("conv2d after flat features (RunConfig.checkShapes refuses this)") }
      return Conv2D(input: image, filters: channels, kernel: kernel, stride: stride, padding: padding, initializer: initializer, generator: &generator)
    case .batchNorm2D(let momentum, let epsilon):
      guard let image else { preconditionFailure("batchnorm2d after flat features (RunConfig.checkShapes refuses this)") }
      return BatchNorm(image: image, momentum: momentum, epsilon: epsilon)
    case .maxPool(let size):
      guard let image else { preconditionFailure("maxpool after flat features (RunConfig.checkShapes refuses this)") }
      return MaxPool2D(input: image, size: size)
    case .avgPool(let size):
      guard let image else { preconditionFailure("avgpool after flat features (RunConfig.checkShapes refuses this)") }
      return AvgPool2D(input: image, size: size)
    }
  }
}

extension LayerSpec {
  /// What a run's one-line summary says of this layer: a width in the chain (`256`, `c16k5`,
  /// `max2`) or a tag after it (`bn`, `drop`, `attn 28x4`, an activation's name).
  public var summaryPart: (width: String?, tag: String?) {
    switch self {
    case .dense(let units, _): ("\(units)", nil)
    case .conv2d(let channels, let kernel, _, _, _): ("c\(channels)k\(kernel)", nil)
    case .maxPool(let size): ("max\(size)", nil)
    case .avgPool(let size): ("avg\(size)", nil)
    case .batchNorm, .batchNorm2D: (nil, "bn")
    case .dropout: (nil, "drop")
    case .attention(let tokens, let heads, _, _): (nil, "attn \(tokens)x\(heads)")
    case .leakyReLU: (nil, "leaky")
    case .activation(let a): (nil, a.configName)
    case .relu, .softmax: (nil, nil)
    }
  }

  /// The layers view's label: `dense 784→256`, `conv2d 5x5`, `dropout 0.5`, `relu`.
  public func label(inputFeatures: Int, output: LayerGeometry) -> String {
    switch self {
    case .dense: "\(configName) \(inputFeatures)→\(output.features)"
    case .dropout(let rate): "\(configName) \(rate)"
    case .conv2d(_, let k, _, _, _): "\(configName) \(k)x\(k)"
    case .maxPool(let s), .avgPool(let s): "\(configName) \(s)x\(s)"
    default: configName
    }
  }
}

extension Array where Element == LayerSpec {
  /// Whether layer `index` is the last softmax, which training fuses with the cross-entropy
  /// loss (`Sequential.usesFusedLoss`).
  public func isFusedWithTheLoss(_ index: Int) -> Bool { index == count - 1 && self[index] == .softmax }

  /// The model in a few characters, for tables of runs (`summaryPart`): `784-256-128-10 bn drop`,
  /// `784-c16k5-max2-c32k5-max2-128-10 bn drop`.
  public var modelLine: String {
    var widths: [String] = ["784"], extras: [String] = []
    for part in map(\.summaryPart) {
      if let width = part.width { widths.append(width) }
      if let tag = part.tag, !extras.contains(tag) { extras.append(tag) }
    }
    return ([widths.joined(separator: "-")] + extras).joined(separator: " ")
  }
}

