import Testing

@testable import DNN

/// The README's "Using the library" example, so that it keeps compiling and working.
@Suite struct ReadmeExampleTests {
  @Test func theExampleTrains() throws {
    var generator = SplitMix64(seed: 1)
    let model = Sequential([
      Dense(inputFeatures: 784, outputFeatures: 128, initializer: .he, generator: &generator), ReLU(features: 128),
      Dense(inputFeatures: 128, outputFeatures: 10, initializer: .he, generator: &generator), Softmax(features: 10),
    ])
    #expect(model.description.contains("Dense(784 -> 128, he)"))
    let optimizer = Adam(learningRate: 1e-3, weightDecay: 0.01, decoupledWeightDecay: true)
    let folder = try MNISTFolder(path: Fixtures.bundledMNIST)
    let batches = BatchLoader(view: DatasetView(folder.train), batchSize: 64, generator: SplitMix64(seed: 2))
    batches.startEpoch()
    var losses: [Float] = []
    for b in 0..<batches.batchesPerEpoch {
      batches.load(batch: b)
      model.zeroGradients()
      let (loss, _) = model.lossAndGradients(batches.images, labels: batches.labels)
      var norms: [Float] = []
      GradientClipping.norms(of: model.parameters, into: &norms)
      GradientClipping.global(maxNorm: 5).apply(to: model.parameters, norms: norms)
      optimizer.step(model.parameters)
      losses.append(loss)
    }
    let probabilities = model.predict(batches.images)
    #expect(probabilities.columns == 10)
    let first: Float = losses.prefix(10).reduce(0, +) / 10
    let last: Float = losses.suffix(10).reduce(0, +) / 10
    #expect(last < first / 3, "one epoch should cut the loss: \(first) -> \(last)")
  }
}
