import Foundation
import Testing

@testable import DNN

/// Saliency (the gradient of a class score with respect to the pixels, through every layer's own
/// backward) against finite differences, and the adversarial nudge on a trained model.
@Suite struct InputGradientTests {
  /// The first validation image of the bundled digits, as the model reads it.
  static func image(_ index: Int = 0) -> [Float] {
    let view = DatasetView(Fixtures.mnist.test!)
    let loader = BatchLoader(view: view, batchSize: 1, generator: nil)
    loader.load(batch: index)
    return loader.images.values
  }

  /// z_c for `image` (the input of the final Softmax).
  static func score(_ model: Sequential, _ image: [Float], _ c: Int) -> Double {
    var x = Tensor(rows: 1, columns: image.count, values: image)
    for layer in model.layers.dropLast() { x = layer.forward(x, phase: .inference) }
    return Double(x[c])
  }

  /// The largest |analytic − numeric| over the 60 pixels with the largest numeric gradients and
  /// 40 others, over the largest |numeric| (scale-free). Central differences, ε = 1e-2.
  static func saliencyError(_ layers: [LayerSpec], seed: UInt64 = 3) -> Double {
    let model = ModelBuilder.build(layers, seed: seed)
    let x = image()
    let saliency = Saliency(model, image: x)
    let reference = ModelBuilder.build(layers, seed: seed)
    let c = saliency.classIndex
    let epsilon: Float = 1e-2
    var numeric = [Double](repeating: 0, count: x.count)
    for i in x.indices {
      var plus = x, minus = x
      plus[i] += epsilon
      minus[i] -= epsilon
      numeric[i] = (score(reference, plus, c) - score(reference, minus, c)) / Double(2 * epsilon)
    }
    let scale = numeric.map(abs).max() ?? 1
    return x.indices.map { abs(Double(saliency.gradient[$0]) - numeric[$0]) / scale }.max() ?? 0
  }

  @Test func saliencyOfADenseModelIsTheFiniteDifferenceGradient() {
    let error = Self.saliencyError([.dense(units: 64, initializer: .he), .activation(Activation(configName: "tanh")!), .dense(units: 10, initializer: .he), .softmax])
    #expect(error < 1e-2, "relative error \(error)")
  }

  @Test func saliencyOfABatchNormModelIsTheFiniteDifferenceGradient() {
    let error = Self.saliencyError([
      .dense(units: 64, initializer: .he), .batchNorm(momentum: 0.1, epsilon: 1e-5), .activation(Activation(configName: "sigmoid")!), .dense(units: 10, initializer: .he), .softmax,
    ])
    #expect(error < 1e-2, "relative error \(error)")
  }

  @Test func saliencyOfAConvolutionalModelIsTheFiniteDifferenceGradient() {
    let error = Self.saliencyError([
      .conv2d(channels: 4, kernel: 5, stride: 1, padding: 2, initializer: .he), .batchNorm2D(momentum: 0.1, epsilon: 1e-5), .activation(Activation(configName: "tanh")!),
      .avgPool(size: 2), .dense(units: 10, initializer: .he), .softmax,
    ])
    #expect(error < 1e-2, "relative error \(error)")
  }

  /// A checker that can fail: a gradient with one pixel's sign flipped is caught.
  @Test func aWrongPixelIsCaught() {
    let layers: [LayerSpec] = [.dense(units: 32, initializer: .he), .activation(Activation(configName: "tanh")!), .dense(units: 10, initializer: .he), .softmax]
    let model = ModelBuilder.build(layers, seed: 3)
    var saliency = Saliency(model, image: Self.image())
    let largest = saliency.gradient.indices.max { abs(saliency.gradient[$0]) < abs(saliency.gradient[$1]) }!
    saliency.gradient[largest] = -saliency.gradient[largest]
    let reference = ModelBuilder.build(layers, seed: 3)
    var plus = Self.image(), minus = Self.image()
    plus[largest] += 1e-2
    minus[largest] -= 1e-2
    let numeric = (Self.score(reference, plus, saliency.classIndex) - Self.score(reference, minus, saliency.classIndex)) / 2e-2
    #expect(abs(Double(saliency.gradient[largest]) - numeric) > 0.5 * abs(numeric))
  }

  /// The default configuration, trained as shipped: a correctly classified digit is flipped by
  /// a small signed step, the perturbed image stays in [0, 1] and within ε of the original.
  @Test func theNudgeFlipsADigitOfTheTrainedDefaultModel() throws {
    var config = try RunFile.load(path: URL(fileURLWithPath: Fixtures.bundledMNIST).deletingLastPathComponent().appendingPathComponent("configs/default.json").path).runs[0]
    config.epochs = 5
    var plan = try RunPlan(config: config, folder: Fixtures.mnist)
    plan.sendsModel = true
    let events = EventChannel(capacity: 1 << 20)
    try Trainer(plan: plan, events: events, commands: CommandMailbox()).run()
    let snapshot = events.drain().compactMap { if case .model(let m) = $0 { m } else { nil } }.last!
    let model = try snapshot.makeModel()
    let view = DatasetView(Fixtures.mnist.test!)
    let loader = BatchLoader(view: view, batchSize: 1, generator: nil)
    var checked = 0
    for i in 0..<20 {
      loader.load(batch: i)
      let x = loader.images.values, label = view.label(i)
      let p = model.predict(loader.images).values
      guard p.indices.max(by: { p[$0] < p[$1] }) == label else { continue }
      for iterated in [false, true] {
        let result = AdversarialNudge.nudge(model, image: x, goal: .awayFrom(label), iterated: iterated)
        #expect(result.epsilon != nil && result.predicted != label, "digit \(i) (\(label)) not flipped")
        let epsilon = result.epsilon ?? 0.5
        #expect(result.image.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(result.perturbation.allSatisfy { abs($0) <= epsilon + 1e-6 })
      }
      let toward = AdversarialNudge.nudge(model, image: x, goal: .toward((label + 1) % 10), iterated: true)
      #expect(toward.epsilon == nil || toward.predicted == (label + 1) % 10)
      checked += 1
      if checked == 3 { break }
    }
    #expect(checked == 3)
  }
}
