import Testing

@testable import DNN

/// A split step whose helper sits out runs both halves as one pass of the model
/// (`Sequential.halves`, `DataParallelStep.bothHalvesInOnePass`): it must give the bits of the
/// two halves' own passes and their combine, or a run would depend on which steps the helper
/// took.
@Suite struct BothHalvesInOnePassTests {
  static let layers: [LayerSpec] = [
    .dense(units: 48, initializer: .he), .leakyReLU(slope: 0.01), .dense(units: 32, initializer: .he), .relu,
    .dense(units: 10, initializer: .he), .softmax,
  ]

  static func bits(_ t: Tensor) -> [UInt32] { t.values.map(\.bitPattern) }

  /// Halves of 1, 5, 16, 64 and 128 rows (the largest that may run so), with label smoothing
  /// and without: the loss, the output, every gradient and its sum of squares equal those of
  /// the model and its replica each running a half, combined as the split step combines them.
  @Test(arguments: [1, 5, 16, 64, DataParallelStep.togetherRows]) func oneLikeTwo(half: Int) {
    for smoothing: Float in [0, 0.1] {
      let x = GradientCheck.randomTensor(rows: 2 * half, columns: 784, seed: UInt64(half))
      let labels = (0..<2 * half).map { ($0 * 7 + half) % 10 }
      let apart = ModelBuilder.build(Self.layers, seed: 3), together = ModelBuilder.build(Self.layers, seed: 3)
      apart.labelSmoothing = smoothing
      together.labelSmoothing = smoothing
      let replica = apart.replica()!
      #expect(together.passesBothHalves)

      let first = Tensor(viewWithColumns: 784), second = Tensor(viewWithColumns: 784)
      first.view(rows: 0..<half, of: x)
      second.view(rows: half..<2 * half, of: x)
      let (firstLoss, firstOutput) = apart.lossAndGradients(first, labels: Array(labels[..<half]))
      let firstBits = Self.bits(firstOutput)
      let (secondLoss, secondOutput) = replica.lossAndGradients(second, labels: Array(labels[half...]))
      var squares: [Double] = []
      for (p, q) in zip(apart.parameters, replica.parameters) {
        squares.append(Kernels.weightedSum(p.gradient.pointer, 0.5, q.gradient.pointer, 0.5, count: p.gradient.count, clearingY: true))
      }

      together.halves = half
      let (loss, output) = together.lossAndGradients(x, labels: labels)
      together.halves = nil
      #expect(loss == DataParallelStep.batchLoss(firstLoss, secondLoss, split: half, rows: 2 * half))
      #expect(Self.bits(output) == firstBits + Self.bits(secondOutput), "half \(half): outputs differ")
      for (p, q) in zip(together.parameters, apart.parameters) {
        #expect(Self.bits(p.gradient) == Self.bits(q.gradient), "half \(half), smoothing \(smoothing): \(p.name) differs")
      }
      let togetherSquares = together.parameters.map { Kernels.sumOfSquaresAsCombined($0.gradient.pointer, count: $0.gradient.count) }
      #expect(togetherSquares == squares)
    }
  }

  /// Only models whose every layer keeps the halves apart may: a model without the fused loss
  /// keeps no halves' losses.
  @Test func onlyLayersThatKeepHalvesApart() {
    #expect(ModelBuilder.build(Self.layers, seed: 1).passesBothHalves)
    #expect(ModelBuilder.build(Self.meeting, seed: 1).passesBothHalves)
    #expect(!ModelBuilder.build([.dense(units: 10, initializer: .he)], seed: 1).passesBothHalves)
  }

  /// BatchNorm (with the ReLU it runs with, and before the loss), Dropout: the layers whose
  /// halves meet when apart.
  static let meeting: [LayerSpec] = [
    .dense(units: 48, initializer: .he), .batchNorm(momentum: 0.1, epsilon: 1e-5), .relu, .dropout(rate: 0.3),
    .dense(units: 32, initializer: .he), .batchNorm(momentum: 0.1, epsilon: 1e-5), .leakyReLU(slope: 0.01),
    .dense(units: 10, initializer: .he), .batchNorm(momentum: 0.1, epsilon: 1e-5), .softmax,
  ]
  /// Feature maps: a convolution, BatchNorm over its channels, both poolings.
  static let convolutional: [LayerSpec] = [
    .conv2d(channels: 4, kernel: 3, stride: 1, padding: 1, initializer: .he), .batchNorm2D(momentum: 0.1, epsilon: 1e-5),
    .relu, .maxPool(size: 2), .conv2d(channels: 6, kernel: 5, stride: 1, padding: 2, initializer: .he), .relu,
    .avgPool(size: 2), .dense(units: 10, initializer: .he), .softmax,
  ]

  /// Attention: products over token rows, sums over samples in its weight gradients.
  static let attention: [LayerSpec] = [
    .attention(tokens: 28, heads: 2, dim: 16, initializer: .glorotUniform), .relu, .dense(units: 10, initializer: .he), .softmax,
  ]

  /// As below, for the layers that meet the other half, sum over feature maps or tokens, with AdamW:
  /// batches of 2, 32 (halves of 16) and 64, the last batches uneven; the running statistics
  /// are among the weights compared.
  @Test(arguments: [2, 32, 64]) func layersThatMeetTheOtherHalfToo(batch: Int) {
    for layers in [Self.meeting, Self.convolutional, Self.attention] {
      #expect(ModelBuilder.build(layers, seed: 1).passesBothHalves)
      var config = DataParallelTests.config(
        .adamW(learningRate: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01), batchSize: batch,
        clip: .global(maxNorm: 5))
      config.layers = layers
      config.epochs = 1
      config.trainSamples = layers == Self.meeting ? 1000 : 200
      let always = HelperChoiceTests.train(config, helper: .always), never = HelperChoiceTests.train(config, helper: .never)
      #expect(!always.losses.isEmpty)
      #expect(never.losses == always.losses, "batch \(batch), \(layers[0]): losses differ")
      #expect(never.norms == always.norms, "batch \(batch), \(layers[0]): gradient norms differ")
      #expect(never.weights == always.weights, "batch \(batch), \(layers[0]): weights differ")
    }
  }

  /// Trained with the helper always (the halves apart on two threads) and never (the halves in
  /// one pass whenever they are of equal size, else apart on one thread): the same losses,
  /// gradient norms and weights, bit for bit. Halves of 1 (the smallest batch), 5, 16, 64 and
  /// 128 rows, with the last batches the samples leave (uneven halves for 128 and 256), with and
  /// without label smoothing.
  @Test(arguments: [2, 10, 32, 128, 256]) func theHelperChangesNoBitWhenTheHalvesRunTogether(batch: Int) {
    for smoothing: Float in [0, 0.1] {
      var config = DataParallelTests.config(
        .sgd(learningRate: 0.05, momentum: 0.9, nesterov: false, weightDecay: 1e-4), batchSize: batch, clip: .global(maxNorm: 0.5))
      config.labelSmoothing = smoothing
      config.epochs = 1
      let always = HelperChoiceTests.train(config, helper: .always), never = HelperChoiceTests.train(config, helper: .never)
      #expect(!always.losses.isEmpty)
      #expect(never.losses == always.losses, "batch \(batch), smoothing \(smoothing): losses differ")
      #expect(never.norms == always.norms, "batch \(batch), smoothing \(smoothing): gradient norms differ")
      #expect(never.weights == always.weights, "batch \(batch), smoothing \(smoothing): weights differ")
    }
  }
}
