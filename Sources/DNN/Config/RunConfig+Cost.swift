import Foundation

extension RunConfig {
  /// About how many bytes training this run needs: each parameter four times (value, gradient,
  /// the batch split's second gradient, an optimizer moment) and each layer's output for a
  /// batch three times (output, its gradient, what backward keeps). A lower bound, enough to
  /// refuse a configuration that cannot fit before anything is allocated.
  public var memoryEstimate: Double {
    var width = LabeledImages.features
    var parameters = 0.0, activations = 0.0
    let geometries = (try? layers.geometries()) ?? []
    for (index, layer) in layers.enumerated() {
      let before = index == 0 ? LayerGeometry(features: width, image: .mnist) : geometries.indices.contains(index - 1) ? geometries[index - 1] : nil
      switch layer {
      case .conv2d(let channels, let kernel, _, _, _):
        let inputChannels = before?.image?.channels ?? 1
        parameters += Double(channels * (inputChannels * kernel * kernel + 1))
        width = geometries.indices.contains(index) ? geometries[index].features : width
        // im2col's columns and their gradient: k² values per input channel and output position.
        activations += 2 * Double(inputChannels * kernel * kernel) * Double(geometries.indices.contains(index) ? geometries[index].image?.plane ?? 0 : 0)
      case .maxPool, .avgPool:
        width = geometries.indices.contains(index) ? geometries[index].features : width
      case .dense(let units, _):
        parameters += Double(width) * Double(units) + Double(units)
        width = units
      case .attention(let tokens, let heads, let dim, _):
        let features = width / max(tokens, 1)
        parameters += 3 * Double(features) * Double(dim) + Double(dim) * Double(dim)
        activations += Double(heads) * Double(tokens) * Double(tokens)  // attention weights per sample
        width = tokens * dim
      case .batchNorm: parameters += 4 * Double(width)
      default: break
      }
      activations += Double(width)
    }
    return 4 * (4 * parameters + 3 * Double(batchSize) * activations)
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
    var width = Double(LabeledImages.features)
    var total = 0.0
    var first = true
    let geometries = (try? layers.geometries()) ?? []
    for (index, layer) in layers.enumerated() {
      switch layer {
      case .conv2d(let channels, let kernel, _, _, _):
        let inputChannels = index == 0 ? 1 : geometries.indices.contains(index - 1) ? geometries[index - 1].image?.channels ?? 1 : 1
        let positions = geometries.indices.contains(index) ? Double(geometries[index].image?.plane ?? 0) : 0
        let product = 2 * Double(channels) * Double(inputChannels * kernel * kernel) * positions
        total += product * (first ? 2 : 3)
        width = geometries.indices.contains(index) ? Double(geometries[index].features) : width
        first = false
      case .dense(let units, _):
        let product = 2 * width * Double(units)
        total += product * (first ? 2 : 3)
        width = Double(units)
        first = false
      case .attention(let tokens, _, let dim, _):
        let t = Double(tokens), f = width / t, d = Double(dim)
        let projections = 2 * t * f * d * 3 + 2 * t * d * d  // Q, K, V from X; Y from O
        let attention = 2 * t * t * d * 2  // S = Q Kᵀ and O = P V over all heads
        total += (projections + attention) * 3 - (first ? 2 * t * f * d * 3 : 0)
        width = t * d
        first = false
      default: break
      }
    }
    return total
  }
}
