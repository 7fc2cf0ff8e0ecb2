/// What comes out of a layer of a configuration: its features per sample, and its feature maps
/// when it keeps an image (convolution, pooling, and element-wise layers after them).
public struct LayerGeometry: Sendable, Equatable {
  public var features: Int
  public var image: ImageShape?

  public init(features: Int, image: ImageShape?) {
    self.features = features
    self.image = image
  }
}

extension Array where Element == LayerSpec {
  /// The geometry after each layer, starting from an MNIST image (1x28x28), from the
  /// configuration alone: what the shape checks, the memory estimate, the FLOP count and the
  /// dashboard's views use (the model builder follows the layers it builds instead,
  /// `Layer.image(after:)`). Throws a
  /// message naming the layer and the sizes when a layer does not fit what it gets.
  public func geometries(context: String = "") throws -> [LayerGeometry] {
    var current = LayerGeometry(features: ImageShape.mnist.features, image: .mnist)
    var out: [LayerGeometry] = []
    let prefix = context.isEmpty ? "" : "\(context): "
    for (i, layer) in enumerated() {
      let here = "\(prefix)layers[\(i)] (\(layer.configName))"
      current = try layer.geometry(after: current, here: here)
      out.append(current)
    }
    return out
  }
}
