/// One line of a layer's equations: a label (`forward`, `backward`, or empty to continue) and
/// the formula with shapes.
public struct EquationLine: Equatable, Sendable {
  public var label: String
  public var text: String
  public init(label: String, text: String) {
    self.label = label
    self.text = text
  }
}

/// The shapes a layer's equations are written with: the batch, what comes in and goes out.
public struct EquationContext: Sendable {
  public var batch: Int
  public var input: LayerGeometry
  public var output: LayerGeometry
  /// The layer is the last softmax, fused with the cross-entropy loss.
  public var fused: Bool
  /// The loss's label smoothing (`RunConfig.labelSmoothing`), for the fused softmax's lines.
  public var labelSmoothing: Float

  public init(batch: Int, input: LayerGeometry, output: LayerGeometry, fused: Bool, labelSmoothing: Float = 0) {
    (self.batch, self.input, self.output, self.fused) = (batch, input, output, fused)
    self.labelSmoothing = labelSmoothing
  }

  public var inputFeatures: Int { input.features }
  public var outputFeatures: Int { output.features }

  /// `[64, 784]`.
  public func shape(_ dims: Int...) -> String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }
}

extension LayerSpec {
  /// The layer's equations with this model's shapes: each layer kind writes its own, in its
  /// file next to its forward and backward passes; this only says whose they are.
  public func equations(_ c: EquationContext) -> [EquationLine] {
    switch self {
    case .dense: Dense.equations(c)
    case .relu: ReLU.equations(c)
    case .activation(let a): a.equations(c)
    case .leakyReLU(let slope): LeakyReLU.equations(c, slope: slope)
    case .softmax: Softmax.equations(c)
    case .batchNorm: BatchNorm.equations(c, perChannel: false)
    case .batchNorm2D: BatchNorm.equations(c, perChannel: true)
    case .dropout(let rate): Dropout.equations(c, rate: rate)
    case .attention(let tokens, let heads, let dim, _): Attention.equations(c, tokens: tokens, heads: heads, dim: dim)
    case .conv2d(let channels, let kernel, let stride, let padding, _):
      Conv2D.equations(c, channels: channels, kernel: kernel, stride: stride, padding: padding)
    case .maxPool(let size): MaxPool2D.equations(c, size: size)
    case .avgPool(let size): AvgPool2D.equations(c, size: size)
    }
  }
}
