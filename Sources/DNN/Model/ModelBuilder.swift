/// Builds a `Sequential` from a run's layer list.
public enum ModelBuilder {
  /// A model for 784-pixel inputs with weights drawn from `seed` (each layer from its own
  /// derived stream, so editing one layer does not change the others' initial weights).
  public static func build(_ specs: [LayerSpec], seed: UInt64) -> Sequential {
    let root = SplitMix64(seed: seed)
    var width = LabeledImages.features
    var layers: [Layer] = []
    for (index, spec) in specs.enumerated() {
      var generator = root.derived("layer \(index)")
      let layer: Layer
      switch spec {
      case .dense(let units, let initializer):
        layer = Dense(inputFeatures: width, outputFeatures: units, initializer: initializer, generator: &generator)
      case .relu: layer = ReLU(features: width)
      case .leakyReLU(let slope): layer = LeakyReLU(features: width, slope: slope)
      case .softmax: layer = Softmax(features: width)
      case .batchNorm(let momentum, let epsilon): layer = BatchNorm(features: width, momentum: momentum, epsilon: epsilon)
      case .dropout(let rate): layer = Dropout(features: width, rate: rate, generator: generator)
      case .attention(let tokens, let heads, let dim, let initializer):
        layer = Attention(inputFeatures: width, tokens: tokens, heads: heads, dim: dim, initializer: initializer, generator: &generator)
      }
      width = layer.outputFeatures
      layers.append(layer)
    }
    return Sequential(layers)
  }
}
