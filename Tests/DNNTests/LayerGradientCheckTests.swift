import Testing

@testable import DNN

/// The on-demand finite-difference check (`g` on the dashboard) passes on every layer kind of
/// the shipped models, and catches a wrong backward.
@Suite struct LayerGradientCheckTests {
  static func images(_ count: Int) -> Tensor {
    let view = DatasetView(Fixtures.mnist.train)
    let t = Tensor(rows: count, columns: 784)
    for r in 0..<count {
      for (j, p) in view.source.image(r).enumerated() { t[r, j] = Float(p) / 255 }
    }
    return t
  }

  @Test(arguments: [
    [LayerSpec.dense(units: 32, initializer: .he), .batchNorm(momentum: 0.1, epsilon: 1e-5), .relu, .dropout(rate: 0.3),
     .dense(units: 16, initializer: .he), .leakyReLU(slope: 0.1), .dense(units: 10, initializer: .he), .softmax],
    [.conv2d(channels: 4, kernel: 5, stride: 1, padding: 2, initializer: .he), .batchNorm2D(momentum: 0.1, epsilon: 1e-5), .relu,
     .maxPool(size: 2), .avgPool(size: 2), .dense(units: 10, initializer: .he), .softmax],
    [.attention(tokens: 28, heads: 2, dim: 16, initializer: .he), .dense(units: 10, initializer: .he), .softmax],
  ])
  func everyLayerPasses(_ layers: [LayerSpec]) throws {
    let input = Self.images(8)
    for index in layers.indices {
      let model = ModelBuilder.build(layers, seed: 3)
      let report = LayerGradientCheck.run(model, layer: index, images: input)
      #expect(report.maxRelativeError < 1e-2, "layer \(index) \(report.summary): \(report.tensors)")
      #expect(report.tensors.first?.name == "input")
      #expect(report.tensors.count == 1 + model.layers[index].parameters.count)
      #expect(report.tensors.allSatisfy { $0.checked > 0 }, "\(report.tensors)")
    }
  }

  @Test func aWrongGradientIsCaught() {
    let model = ModelBuilder.build([.dense(units: 10, initializer: .he), .softmax], seed: 1)
    // A backward that forgets the bias gradient, as a broken layer would: zero gradient where
    // the differences say otherwise.
    let broken = BrokenBias(model.layers[0] as! Dense)
    let report = LayerGradientCheck.run(Sequential([broken, Softmax(features: 10)]), layer: 0, images: Self.images(4))
    #expect(report.tensors.first { $0.name.hasSuffix("bias") }!.maxRelativeError > 0.5)
  }
}

/// A dense layer whose backward leaves the bias gradient out.
private final class BrokenBias: Layer {
  let inner: Dense
  init(_ inner: Dense) { self.inner = inner }
  var kind: LayerKind { .dense }
  var summary: String { inner.summary }
  var inputFeatures: Int { inner.inputFeatures }
  var outputFeatures: Int { inner.outputFeatures }
  var parameters: [Parameter] { inner.parameters }
  func appendInference(to graph: InferenceGraph, input: InferenceGraph.Value, name: String) -> InferenceGraph.Value {
    inner.appendInference(to: graph, input: input, name: name)
  }
  func forward(_ input: Tensor, phase: Phase) -> Tensor { inner.forward(input, phase: phase) }
  func backward(_ outputGradient: Tensor) -> Tensor {
    let dx = inner.backward(outputGradient)
    inner.parameters[1].zeroGradient()
    return dx
  }
}
