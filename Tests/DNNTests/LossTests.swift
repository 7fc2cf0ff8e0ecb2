import Foundation
import Testing

@testable import DNN

/// Cross-entropy, the fused softmax + cross-entropy, and their agreement.
@Suite struct LossTests {
  let labels = [2, 0, 4]

  func probabilities() -> Tensor {
    let logits = GradientCheck.randomTensor(rows: 3, columns: 5, seed: 21)
    return Softmax(features: 5).forward(logits, phase: .training).clone()
  }

  /// The largest |analytic - central difference| of `f` over the entries of `x`.
  func worstError(_ x: Tensor, analytic: Tensor, epsilon eps: Float, _ f: () -> Float) -> Double {
    var worst: Double = 0
    for i in 0..<x.count {
      let saved = x[i]
      x[i] = saved + eps
      let plus = Double(f())
      x[i] = saved - eps
      let minus = Double(f())
      x[i] = saved
      worst = max(worst, abs((plus - minus) / Double(2 * eps) - Double(analytic[i])))
    }
    return worst
  }

  @Test func crossEntropyGradientMatchesFiniteDifferences() {
    let p = probabilities()
    let loss = CrossEntropy()
    _ = loss.loss(probabilities: p, labels: labels)
    let analytic = loss.backward().clone()
    let worst = worstError(p, analytic: analytic, epsilon: 1e-4) { loss.loss(probabilities: p, labels: labels) }
    // Relative to the largest gradient: -1/(B p) is steep where p is small.
    let scale = analytic.values.map { Double(abs($0)) }.max()!
    #expect(worst / scale < 5e-3, "max abs error \(worst) of \(scale)")
  }

  @Test func crossEntropyValueIsMeanNegativeLogLikelihood() {
    let p = Tensor(rows: 2, columns: 3, values: [0.7, 0.2, 0.1, 0.1, 0.1, 0.8])
    let value = CrossEntropy().loss(probabilities: p, labels: [0, 2])
    #expect(abs(Double(value) - (-(log(0.7) + log(0.8)) / 2)) < 1e-6)
  }

  @Test func crossEntropyClipsZeroProbabilities() {
    let p = Tensor(rows: 1, columns: 2, values: [1, 0])
    let value = CrossEntropy(epsilon: 1e-7).loss(probabilities: p, labels: [1])
    #expect(abs(Double(value) - (-log(1e-7))) < 1e-3)
  }

  @Test func fusedGradientMatchesFiniteDifferences() {
    let z = GradientCheck.randomTensor(rows: 3, columns: 5, seed: 22)
    let loss = SoftmaxCrossEntropy()
    _ = loss.loss(logits: z, labels: labels)
    let analytic = loss.backward().clone()
    let worst = worstError(z, analytic: analytic, epsilon: 1e-2) { loss.loss(logits: z, labels: labels) }
    #expect(worst < 2e-3, "max abs error \(worst)")
  }

  @Test func fusedPathEqualsSoftmaxThenCrossEntropy() {
    let z = GradientCheck.randomTensor(rows: 4, columns: 6, seed: 23)
    let labels = [1, 5, 0, 3]
    let softmax = Softmax(features: 6)
    let separate = CrossEntropy()
    let p = softmax.forward(z, phase: .training)
    let separateLoss = separate.loss(probabilities: p, labels: labels)
    let separateGradient = softmax.backward(separate.backward())
    let fused = SoftmaxCrossEntropy()
    let fusedLoss = fused.loss(logits: z, labels: labels)
    #expect(separateLoss == fusedLoss)
    let fusedGradient = fused.backward()
    for i in 0..<z.count { #expect(abs(fusedGradient[i] - separateGradient[i]) < 1e-6) }
    for i in 0..<p.count { #expect(abs(fused.probabilities[i] - p[i]) < 1e-7) }
  }

  @Test func modelUsesFusedPathOnlyWhenEndingInSoftmax() {
    var g = SplitMix64(seed: 3)
    let withSoftmax = Sequential([Dense(inputFeatures: 4, outputFeatures: 3, generator: &g), Softmax(features: 3)])
    #expect(withSoftmax.usesFusedLoss)
    let fusedLoss = withSoftmax.lossAndGradients(GradientCheck.randomTensor(rows: 2, columns: 4, seed: 5), labels: [0, 2]).loss
    // The same weights through the separate path give the same loss.
    var g2 = SplitMix64(seed: 3)
    let dense = Dense(inputFeatures: 4, outputFeatures: 3, generator: &g2)
    let p = Softmax(features: 3).forward(dense.forward(GradientCheck.randomTensor(rows: 2, columns: 4, seed: 5), phase: .training), phase: .training)
    #expect(CrossEntropy().loss(probabilities: p, labels: [0, 2]) == fusedLoss)
  }
}

/// The checker itself must catch a wrong backward.
@Suite struct GradientCheckSelfTest {
  final class WrongDense: Layer {
    let inner: Dense
    let kind = LayerKind.dense
    var summary: String { "Wrong" }
    var inputFeatures: Int { inner.inputFeatures }
    var outputFeatures: Int { inner.outputFeatures }
    func appendInference(to graph: InferenceGraph, input: InferenceGraph.Value, name: String) -> InferenceGraph.Value {
      inner.appendInference(to: graph, input: input, name: name)
    }
    var parameters: [Parameter] { inner.parameters }
    init() {
      var g = SplitMix64(seed: 1)
      inner = Dense(inputFeatures: 3, outputFeatures: 2, generator: &g)
    }
    func forward(_ input: Tensor, phase: Phase) -> Tensor { inner.forward(input, phase: phase) }
    func backward(_ outputGradient: Tensor) -> Tensor {
      let dx = inner.backward(outputGradient)
      dx.scale(by: 1.05)  // a 5% error
      return dx
    }
  }

  @Test func aFivePercentErrorIsCaught() {
    let result = GradientCheck.check(WrongDense(), input: GradientCheck.randomTensor(rows: 2, columns: 3, seed: 4))
    #expect(result.maxError > 0.01)
  }
}
