import Testing

@testable import DNN

/// A BatchNorm followed by a ReLU runs as one layer in training passes (`BatchNorm.rectifies`,
/// `Sequential.rectifyingLayers`): the same bits as the two layers apart, step after step, per
/// feature and per channel, alone and with the batch split; the layers each pass on their own
/// finite-difference checks (`LayerGradientCheckTests`), so the pair passes them too.
@Suite struct BatchNormReLUTests {
  static let perFeature: [LayerSpec] = [
    .dense(units: 40, initializer: .he), .batchNorm(momentum: 0.1, epsilon: 1e-5), .relu,
    .dense(units: 24, initializer: .he), .batchNorm(momentum: 0.1, epsilon: 1e-5), .relu, .dense(units: 10, initializer: .he),
    .softmax,
  ]
  /// Planes of 14 x 14 = 196 values (12 vectors and a tail of 4) and a per-feature BatchNorm
  /// over rows of 4 x 7 x 7 = 196 features.
  static let convolutional: [LayerSpec] = [
    .conv2d(channels: 3, kernel: 3, stride: 1, padding: 1, initializer: .he), .maxPool(size: 2),
    .batchNorm2D(momentum: 0.1, epsilon: 1e-5), .relu, .conv2d(channels: 4, kernel: 3, stride: 1, padding: 1, initializer: .he),
    .maxPool(size: 2), .batchNorm(momentum: 0.1, epsilon: 1e-5), .relu, .dense(units: 10, initializer: .he), .softmax,
  ]

  /// Six SGD steps on batches of 24 digits with the pairs fused or not: every loss, gradient
  /// and weight, and the running statistics, bit for bit.
  @Test(arguments: [perFeature, convolutional])
  func fusedPassesGiveTheLayersBits(_ layers: [LayerSpec]) {
    let fused = ModelBuilder.build(layers, seed: 5), apart = ModelBuilder.build(layers, seed: 5)
    apart.fusesBatchNormReLU = false
    #expect(fused.rectifyingLayers.count == 2)
    let images = LayerGradientCheckTests.images(24 * 6), labels = DatasetView(Fixtures.mnist.train).source.labels
    let batch = Tensor(rows: 24, columns: 784)
    for step in 0..<6 {
      for r in 0..<24 { for j in 0..<784 { batch[r, j] = images[step * 24 + r, j] } }
      let rows = Array(labels[step * 24..<(step + 1) * 24]).map(Int.init)
      let results = [fused, apart].map { model in
        model.zeroGradients()
        let loss = model.lossAndGradients(batch, labels: rows).loss
        for p in model.parameters { for i in 0..<p.value.count { p.value[i] -= 0.5 * p.gradient[i] } }
        return loss
      }
      #expect(results[0] == results[1], "step \(step): loss \(results[0]) fused, \(results[1]) apart")
      for (a, b) in zip(fused.parameters, apart.parameters) {
        #expect(a.gradient.values == b.gradient.values, "step \(step): \(a.name)'s gradient")
        #expect(a.value.values == b.value.values, "step \(step): \(a.name)")
      }
    }
    for (a, b) in zip(fused.buffers, apart.buffers) { #expect(a.value.values == b.value.values, "\(a.name)") }
  }

  /// A step the layer-health probe measures records every layer's output, so it runs the pairs
  /// apart: a run measured at every step trains to the same bits as one never measured, with
  /// the whole batch and split across two threads.
  @Test(arguments: [false, true])
  func measuredStepsTrainTheSameBits(split: Bool) {
    var config = RunConfig(name: "pairs", layers: Self.perFeature, optimizer: .adamW(
      learningRate: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01))
    config.epochs = 1
    config.batchSize = 37
    config.trainSamples = 400
    let plain = Fixtures.train(config, split: split).trainer
    let measured = Fixtures.train(config, split: split) { $0.healthInterval = 0 }
    #expect(measured.events.contains { if case .health = $0 { true } else { false } })
    for (a, b) in zip(plain.model.parameters, measured.trainer.model.parameters) {
      #expect(a.value.values == b.value.values, "\(a.name)")
    }
  }

  /// Only training passes fuse: afterwards the BatchNorm is plain again (a gradient check runs
  /// it alone), and its profile names the ReLU it ran.
  @Test func aPassLeavesTheLayerPlain() {
    let model = ModelBuilder.build(Self.perFeature, seed: 2)
    _ = model.lossAndGradients(LayerGradientCheckTests.images(8), labels: Array(repeating: 3, count: 8))
    #expect(model.rectifyingLayers == [1, 4])
    #expect(model.rectifyingLayers.allSatisfy { (model.layers[$0] as! BatchNorm).rectifies == false })
    let times = LayerTimes(model, clocks: [LayerClock(layers: model.layers.count)])
    #expect(times.layers[2] == "ReLU (in BatchNorm #1)" && times.layers[5] == "ReLU (in BatchNorm #4)")
  }
}
