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
      let layer = spec.makeLayer(width: width, image: image, generator: &generator)
      image = layer.image(after: image)
      width = layer.outputFeatures
      layers.append(layer)
    }
    return Sequential(layers)
  }
}
