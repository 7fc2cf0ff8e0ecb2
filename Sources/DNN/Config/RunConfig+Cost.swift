import Foundation

extension RunConfig {
  /// About how many bytes training this run needs: each parameter four times (value, gradient,
  /// the batch split's second gradient, an optimizer moment) and each layer's output for a
  /// batch three times (output, its gradient, what backward keeps). A lower bound, enough to
  /// refuse a configuration that cannot fit before anything is allocated.
  public var memoryEstimate: Double {
    var parameters = 0.0, activations = 0.0
    for (layer, (before, after)) in zip(layers, geometryPairs) {
      switch layer {
      case .conv2d(let channels, let kernel, _, _, _):
        let fanIn = Double((before.image?.channels ?? 1) * kernel * kernel)
        parameters += Double(channels) * (fanIn + 1)
        // im2col's columns and their gradient: k² values per input channel and output position.
        activations += 2 * fanIn * Double(after.image?.plane ?? 0)
      case .dense(let units, _):
        parameters += Double(before.features) * Double(units) + Double(units)
      case .attention(let tokens, let heads, let dim, _):
        let features = before.features / max(tokens, 1)
        parameters += 3 * Double(features) * Double(dim) + Double(dim) * Double(dim)
        activations += Double(heads) * Double(tokens) * Double(tokens)  // attention weights per sample
      case .batchNorm: parameters += 4 * Double(before.features)
      case .batchNorm2D: parameters += 4 * Double(before.image?.channels ?? 1)
      default: break
      }
      activations += Double(after.features)
    }
    return 4 * (4 * parameters + 3 * Double(batchSize) * activations)
  }

  /// What each layer gets and gives (`LayerGeometry`), from 1x28x28; empty for layers that do
  /// not chain (the parser refuses those first).
  var geometryPairs: [(LayerGeometry, LayerGeometry)] {
    guard let after = try? layers.geometries() else { return [] }
    let before = [LayerGeometry(features: ImageShape.mnist.features, image: .mnist)] + after.dropLast()
    return Array(zip(before, after))
  }

  /// Throws when `memoryEstimate` exceeds this machine's memory, naming the size.
  public func checkMemory(available: Double = Double(ProcessInfo.processInfo.physicalMemory)) throws {
    let needed = memoryEstimate
    guard needed > available else { return }
    func gigabytes(_ bytes: Double) -> String { String(format: "%.1f GB", bytes / 1e9) }
    throw ConfigError(
      "run '\(name)': its layers need about \(gigabytes(needed)) of memory for parameters and batch buffers, more than this machine's \(gigabytes(available)); use fewer units or a smaller batchSize")
  }

  /// Floating-point operations of one training step per sample, from the matrix products (the
  /// element-wise layers are a rounding error): a product of `n·k` by `k·m` is `2·n·k·m`;
  /// backward costs twice the forward, except the first layer, whose input gradient nobody needs.
  public var trainingFlopsPerSample: Double {
    var total = 0.0
    var first = true
    for (layer, (before, after)) in zip(layers, geometryPairs) {
      let product: Double
      switch layer {
      case .conv2d(let channels, let kernel, _, _, _):
        let fanIn = Double((before.image?.channels ?? 1) * kernel * kernel)
        product = 2 * Double(channels) * fanIn * Double(after.image?.plane ?? 0)
      case .dense(let units, _):
        product = 2 * Double(before.features) * Double(units)
      case .attention(let tokens, _, let dim, _):
        let t = Double(tokens), f = Double(before.features) / t, d = Double(dim)
        let projections = 2 * t * f * d * 3 + 2 * t * d * d  // Q, K, V from X; Y from O
        let attention = 2 * t * t * d * 2  // S = Q Kᵀ and O = P V over all heads
        total += (projections + attention) * 3 - (first ? 2 * t * f * d * 3 : 0)
        first = false
        continue
      default: continue
      }
      total += product * (first ? 2 : 3)
      first = false
    }
    return total
  }
}
