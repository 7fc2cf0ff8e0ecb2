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
      func image() throws -> ImageShape {
        guard let image = current.image else {
          throw ConfigError("\(here) needs an image (channels x height x width), but gets \(current.features) flat features: put convolutions and pooling before the dense layers")
        }
        return image
      }
      switch layer {
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
      out.append(current)
    }
    return out
  }
}
