/// Builds a `Sequential` from a run's layer list.
public enum ModelBuilder {
  /// A model for 784-pixel inputs with weights drawn from `seed` (each layer from its own
  /// derived stream, so editing one layer does not change the others' initial weights).
  public static func build(_ specs: [LayerSpec], seed: UInt64) -> Sequential {
    let root = SplitMix64(seed: seed)
    var width = LabeledImages.features
    var image: ImageShape? = .mnist
    var layers: [Layer] = []
    for (index, spec) in specs.enumerated() {
      var generator = root.derived("layer \(index)")
      let layer: Layer
      switch spec {
      case .dense(let units, let initializer):
        layer = Dense(inputFeatures: width, outputFeatures: units, initializer: initializer, generator: &generator)
      case .relu: layer = ReLU(features: width)
      case .activation(let a): layer = a.makeLayer(features: width)
      case .leakyReLU(let slope): layer = LeakyReLU(features: width, slope: slope)
      case .softmax: layer = Softmax(features: width)
      case .batchNorm(let momentum, let epsilon): layer = BatchNorm(features: width, momentum: momentum, epsilon: epsilon)
      case .dropout(let rate): layer = Dropout(features: width, rate: rate, generator: generator)
      case .attention(let tokens, let heads, let dim, let initializer):
        layer = Attention(inputFeatures: width, tokens: tokens, heads: heads, dim: dim, initializer: initializer, generator: &generator)
      case .conv2d(let channels, let kernel, let stride, let padding, let initializer):
        guard let image else { preconditionFailure("conv2d after flat features (RunConfig.checkShapes refuses this)") }
        layer = Conv2D(input: image, filters: channels, kernel: kernel, stride: stride, padding: padding, initializer: initializer, generator: &generator)
      case .batchNorm2D(let momentum, let epsilon):
        guard let image else { preconditionFailure("batchnorm2d after flat features (RunConfig.checkShapes refuses this)") }
        layer = BatchNorm(image: image, momentum: momentum, epsilon: epsilon)
      case .maxPool(let size):
        guard let image else { preconditionFailure("maxpool after flat features (RunConfig.checkShapes refuses this)") }
        layer = MaxPool2D(input: image, size: size)
      case .avgPool(let size):
        guard let image else { preconditionFailure("avgpool after flat features (RunConfig.checkShapes refuses this)") }
        layer = AvgPool2D(input: image, size: size)
      }
      image = layer.image(after: image)
      width = layer.outputFeatures
      layers.append(layer)
    }
    return Sequential(layers)
  }
}
