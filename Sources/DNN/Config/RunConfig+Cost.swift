import Foundation

extension RunConfig {
  /// About how many bytes training this run needs: each parameter four times (value, gradient,
  /// the batch split's second gradient, an optimizer moment) and each layer's output for a
  /// batch three times (output, its gradient, what backward keeps). A lower bound, enough to
  /// refuse a configuration that cannot fit before anything is allocated.
  public var memoryEstimate: Double {
    var parameters = 0.0, activations = 0.0
    for (layer, (before, after)) in zip(layers, geometryPairs) {
      let cost = layer.memory(before: before, after: after)
      parameters += cost.parameters
      activations += cost.activations
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
      guard let flops = layer.trainingFlops(before: before, after: after, first: first) else { continue }
      total += flops
      first = false
    }
    return total
  }
}
