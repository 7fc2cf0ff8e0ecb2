import Testing

@testable import DNN

/// Every layer's backward pass against finite differences, in training mode.
@Suite struct LayerGradientTests {
  let tolerance = 2e-3

  @Test func dense() {
    var g = SplitMix64(seed: 1)
    let layer = Dense(inputFeatures: 7, outputFeatures: 5, initializer: .he, generator: &g)
    for i in 0..<5 { layer.bias.value[i] = Float(i) * 0.1 }
    let result = GradientCheck.check(layer, input: GradientCheck.randomTensor(rows: 4, columns: 7, seed: 2))
    #expect(result.maxError < tolerance, "\(result)")
  }

  /// Both forms of the forward product (`Zᵀ = W · Xᵀ` by dnn_dense_forward, transposed back,
  /// for batches smaller than the outputs, `X · Wᵀ` for the others) against the sum written
  /// out, bias included: inputs below one prefetch group (9) and over two and a half (40),
  /// outputs that leave a block of rows part-filled (37), batches of one to four registers,
  /// whole and part-filled (the kernel takes 9-16 samples with AVX2, 17-64 with AVX-512, in
  /// blocks of two or four registers).
  @Test func denseForwardInBothForms() {
    for inputs in [9, 40] {
      var g = SplitMix64(seed: 4)
      let layer = Dense(inputFeatures: inputs, outputFeatures: 37, initializer: .he, generator: &g)
      for o in 0..<37 { layer.bias.value[o] = Float(o) * 0.01 - 0.2 }
      for batch in [1, 5, 8, 12, 16, 20, 30, 33, 36, 37, 60] {
        #expect(Dense.computesTransposed(batch: batch, outputs: 37) == (batch < 37))
        let x = GradientCheck.randomTensor(rows: batch, columns: inputs, seed: UInt64(batch))
        let z = layer.forward(x, phase: .training)
        var worst: Float = 0
        for b in 0..<batch {
          for o in 0..<37 {
            var sum = layer.bias.value[o]
            for i in 0..<inputs { sum += x[b * inputs + i] * layer.weight.value[o * inputs + i] }
            worst = max(worst, abs(z[b * 37 + o] - sum))
          }
        }
        #expect(z.rows == batch && z.columns == 37 && worst < 1e-5, "\(inputs) inputs, batch \(batch): \(worst)")
      }
      let result = GradientCheck.check(layer, input: GradientCheck.randomTensor(rows: 4, columns: inputs, seed: 2))
      #expect(result.maxError < tolerance, "transposed form: \(result)")
    }
  }

  /// The first layer skips dX: the same parameter gradients, and no input gradient at all.
  @Test func denseWithoutInputGradient() {
    var g1 = SplitMix64(seed: 1), g2 = SplitMix64(seed: 1)
    let full = Dense(inputFeatures: 7, outputFeatures: 5, initializer: .he, generator: &g1)
    let first = Dense(inputFeatures: 7, outputFeatures: 5, initializer: .he, generator: &g2)
    first.computesInputGradient = false
    let x = GradientCheck.randomTensor(rows: 4, columns: 7, seed: 2)
    let dY = GradientCheck.randomTensor(rows: 4, columns: 5, seed: 3)
    _ = full.forward(x, phase: .training)
    _ = first.forward(x, phase: .training)
    let dX = full.backward(dY)
    #expect(dX.rows == 4 && dX.columns == 7 && dX.values.contains { $0 != 0 })
    #expect(first.backward(dY).count == 0)
    #expect(first.weight.gradient.values == full.weight.gradient.values && first.bias.gradient.values == full.bias.gradient.values)
  }

  @Test func relu() {
    let layer = ReLU(features: 6)
    let x = GradientCheck.randomTensor(rows: 3, columns: 6, seed: 3, avoidingZero: true)
    let result = GradientCheck.check(layer, input: x, epsilon: 1e-3)
    #expect(result.maxError < tolerance, "\(result)")
  }

  @Test func leakyReLU() {
    let layer = LeakyReLU(features: 6, slope: 0.1)
    let x = GradientCheck.randomTensor(rows: 3, columns: 6, seed: 4, avoidingZero: true)
    let result = GradientCheck.check(layer, input: x, epsilon: 1e-3)
    #expect(result.maxError < tolerance, "\(result)")
  }

  @Test func softmaxJacobian() {
    let layer = Softmax(features: 5)
    let result = GradientCheck.check(layer, input: GradientCheck.randomTensor(rows: 3, columns: 5, seed: 5))
    #expect(result.maxError < tolerance, "\(result)")
  }

  @Test func batchNormTraining() {
    let layer = BatchNorm(features: 4)
    for j in 0..<4 {
      layer.weight.value[j] = 1 + Float(j) * 0.3
      layer.bias.value[j] = Float(j) * 0.2
    }
    let result = GradientCheck.check(layer, input: GradientCheck.randomTensor(rows: 6, columns: 4, seed: 6))
    #expect(result.maxError < tolerance, "\(result)")
  }

  @Test func batchNormInference() {
    let layer = BatchNorm(features: 4)
    for j in 0..<4 {
      layer.runningMean[j] = Float(j) * 0.5
      layer.runningVariance[j] = 0.5 + Float(j)
      layer.weight.value[j] = 2
    }
    let result = GradientCheck.check(layer, input: GradientCheck.randomTensor(rows: 5, columns: 4, seed: 7), phase: .inference)
    #expect(result.maxError < tolerance, "\(result)")
  }

  @Test func dropoutWithFixedMask() {
    let layer = Dropout(features: 8, rate: 0.3, generator: SplitMix64(seed: 8))
    layer.freezesMask = true
    let x = GradientCheck.randomTensor(rows: 4, columns: 8, seed: 9)
    _ = layer.forward(x, phase: .training)  // draw the mask once
    let result = GradientCheck.check(layer, input: x)
    #expect(result.maxError < tolerance, "\(result)")
  }

  @Test func attentionWithTwoHeads() {
    var g = SplitMix64(seed: 10)
    let layer = Attention(inputFeatures: 12, tokens: 4, heads: 2, dim: 6, initializer: .glorotUniform, generator: &g)
    for p in layer.parameters where p.name.hasSuffix("bias") {
      for i in 0..<p.value.count { p.value[i] = Float(i % 3) * 0.1 - 0.1 }
    }
    let result = GradientCheck.check(layer, input: GradientCheck.randomTensor(rows: 3, columns: 12, seed: 11))
    #expect(result.maxError < tolerance, "\(result)")
  }
}
