import Testing

@testable import DNN

/// Convolution and pooling against finite differences, and against a direct (loop-by-loop)
/// convolution, so that im2col, the reordering and col2im are each proven.
@Suite struct ConvolutionGradientTests {
  let tolerance = 2e-3

  static func conv(_ input: ImageShape, filters: Int, kernel: Int, stride: Int, padding: Int, seed: UInt64 = 1) -> Conv2D {
    var g = SplitMix64(seed: seed)
    let layer = Conv2D(input: input, filters: filters, kernel: kernel, stride: stride, padding: padding, generator: &g)
    for f in 0..<filters { layer.bias.value[f] = Float(f) * 0.1 - 0.05 }
    return layer
  }

  /// The convolution written the textbook way: every output is a sum over its window.
  static func direct(_ layer: Conv2D, _ x: Tensor) -> [Float] {
    let i = layer.input, o = layer.output, k = layer.kernel
    var y = [Float](repeating: 0, count: x.rows * o.features)
    for s in 0..<x.rows {
      for f in 0..<o.channels {
        for oy in 0..<o.height {
          for ox in 0..<o.width {
            var sum = layer.bias.value[f]
            for c in 0..<i.channels {
              for a in 0..<k {
                for b in 0..<k {
                  let yy = oy * layer.stride - layer.padding + a, xx = ox * layer.stride - layer.padding + b
                  guard yy >= 0 && yy < i.height && xx >= 0 && xx < i.width else { continue }
                  sum += layer.weight.value[f * i.channels * k * k + (c * k + a) * k + b] * x[s * i.features + (c * i.height + yy) * i.width + xx]
                }
              }
            }
            y[s * o.features + (f * o.height + oy) * o.width + ox] = sum
          }
        }
      }
    }
    return y
  }

  @Test(arguments: [
    (ImageShape(channels: 1, height: 6, width: 6), 3, 3, 1, 1),  // padding keeps the size
    (ImageShape(channels: 2, height: 7, width: 5), 3, 3, 2, 1),  // stride 2, odd sizes
    (ImageShape(channels: 3, height: 5, width: 5), 2, 2, 1, 0),  // no padding, even kernel
    (ImageShape(channels: 2, height: 8, width: 8), 4, 5, 2, 2),  // MNIST-like: 5x5, padding 2, stride 2
  ])
  func conv2DMatchesTheDirectSumAndFiniteDifferences(input: ImageShape, filters: Int, kernel: Int, stride: Int, padding: Int) {
    for im2col in stride == 1 ? [false, true] : [true] {
      let layer = Self.conv(input, filters: filters, kernel: kernel, stride: stride, padding: padding)
      #expect((layer.direct == nil) == (stride != 1), "the direct kernels take every stride-1 case here")
      if im2col { layer.direct = nil }
      checkAgainstTheDirectSumAndFiniteDifferences(layer)
    }
  }

  func checkAgainstTheDirectSumAndFiniteDifferences(_ layer: Conv2D) {
    let input = layer.input
    let x = GradientCheck.randomTensor(rows: 3, columns: input.features, seed: 2)
    let y = layer.forward(x, phase: .training).values
    let expected = Self.direct(layer, x)
    #expect(zip(y, expected).allSatisfy { abs($0 - $1) < 1e-4 }, "forward differs from the direct convolution")
    let result = GradientCheck.check(layer, input: x)
    #expect(result.maxError < tolerance, "\(layer.summary) on \(input.text), direct \(layer.direct != nil): \(result)")
  }

  /// What `trainingPass` returns, in order.
  static let passTensors = ["output", "input gradient", "weight gradient", "bias gradient"]

  /// One training forward of `x` and backward of `g` from zeroed gradients: the layer's output,
  /// input gradient, weight and bias gradients.
  static func trainingPass(_ layer: Conv2D, _ x: Tensor, _ g: Tensor) -> [[Float]] {
    let y = layer.forward(x, phase: .training).values
    for q in layer.parameters { q.zeroGradient() }
    let dx = layer.backward(g).values
    return [y, dx] + layer.parameters.map(\.gradient.values)
  }

  /// The direct kernels (conv.h) against im2col + GEMM on the same weights and batch: output,
  /// weight, bias and input gradients, over kernels 1 to 7, every padding below the kernel,
  /// rows wider than one and two vector registers, filter and channel counts that leave the
  /// kernels' blocks part-filled, a first layer (no input gradient), and a batch of many blocks
  /// of the samples the weight gradient sums in registers at once (`DNN_GRADIENT_BYTES`: 6
  /// samples of that shape), the last part-filled; on AVX-512 and AVX2, the weight gradient with the
  /// filters in the lanes (conv_filters.h: k 3 to 5) over part-filled
  /// vectors of filters and blocks of samples.
  @Test func directKernelsMatchIm2col() {
    var cases: [(ImageShape, Int, Int, Int, batch: Int)] = []
    for k in 1...7 { for p in 0..<k { cases.append((ImageShape(channels: 2, height: 9, width: 11), 3, k, p, 3)) } }
    cases += [
      (ImageShape(channels: 1, height: 28, width: 28), 16, 5, 2, 3), (ImageShape(channels: 16, height: 14, width: 14), 32, 5, 2, 3),
      (ImageShape(channels: 3, height: 5, width: 37), 19, 3, 1, 3), (ImageShape(channels: 17, height: 6, width: 4), 5, 3, 0, 3),
      (ImageShape(channels: 1, height: 7, width: 1), 2, 1, 0, 3), (ImageShape(channels: 2, height: 9, width: 11), 5, 3, 1, 151),
      (ImageShape(channels: 4, height: 6, width: 5), 18, 4, 1, 19),
    ]
    for (shape, filters, k, p, batch) in cases {
      for first in [false, true] {
        let direct = Self.conv(shape, filters: filters, kernel: k, stride: 1, padding: p, seed: 9)
        let reference = Self.conv(shape, filters: filters, kernel: k, stride: 1, padding: p, seed: 9)
        #expect(direct.direct != nil)
        reference.direct = nil
        direct.computesInputGradient = !first
        reference.computesInputGradient = !first
        let x = GradientCheck.randomTensor(rows: batch, columns: shape.features, seed: 4)
        let g = GradientCheck.randomTensor(rows: batch, columns: direct.outputFeatures, seed: 5)
        let results = [direct, reference].map { Self.trainingPass($0, x, g) }
        let what = "\(shape.text), \(filters) filters, k \(k), p \(p), first \(first), batch \(batch)"
        #expect(results[0].map(\.count) == results[1].map(\.count), "\(what): shapes")
        #expect(first ? results[0][1].isEmpty : results[0][1].count == x.count, "\(what): input gradient")
        for (name, (a, b)) in zip(Self.passTensors, zip(results[0], results[1])) {
          // Relative to the tensor's largest value: sums of thousands of products, added in
          // another order.
          let scale = max(1, b.map(abs).max() ?? 0)
          let worst = zip(a, b).map { abs($0 - $1) / scale }.max() ?? 0
          #expect(worst < 1e-5, "\(what): \(name) differs by \(worst) of \(scale)")
        }
      }
    }
    // Where they do not apply, im2col does.
    #expect(Self.conv(.mnist, filters: 2, kernel: 3, stride: 2, padding: 1).direct == nil)
    #expect(Self.conv(.mnist, filters: 2, kernel: 3, stride: 1, padding: 3).direct == nil)
    #expect(Self.conv(.mnist, filters: 2, kernel: 9, stride: 1, padding: 4).direct == nil)
  }

  /// A direct convolution's padded planes keep their zeros from step to step (`PaddedZeros`):
  /// a layer run over batches of other sizes, growing and shrinking, gives the bits of a fresh
  /// layer on each batch (output, input and weight gradients).
  @Test func aLayerReusedOverBatchesOfOtherSizesMatchesAFreshOne() {
    let shape = ImageShape(channels: 4, height: 9, width: 11)
    let reused = Self.conv(shape, filters: 6, kernel: 5, stride: 1, padding: 2, seed: 3)
    for (step, batch) in [3, 5, 2, 5, 6].enumerated() {
      let fresh = Self.conv(shape, filters: 6, kernel: 5, stride: 1, padding: 2, seed: 3)
      let x = GradientCheck.randomTensor(rows: batch, columns: shape.features, seed: UInt64(10 + step))
      let g = GradientCheck.randomTensor(rows: batch, columns: reused.outputFeatures, seed: UInt64(20 + step))
      let results = [reused, fresh].map { Self.trainingPass($0, x, g) }
      for (name, (a, b)) in zip(Self.passTensors, zip(results[0], results[1])) {
        let differing = a.count == b.count ? zip(a, b).filter { $0 != $1 }.count : max(a.count, b.count)
        #expect(differing == 0, "step \(step), batch \(batch): \(differing) floats of the \(name) differ")
      }
    }
  }

  /// `PaddedZeros`: known zeros for as many samples as were written in the same layout.
  @Test func paddedZerosAreKeptOnlyForTheLayoutAndSamplesWritten() {
    var zeros = Conv2D.PaddedZeros()
    let answers = [(10, 4), (10, 3), (10, 4), (10, 5), (10, 5), (12, 2), (10, 2), (10, 2)].map { zeros.kept(columns: $0.0, samples: $0.1) }
    #expect(answers == [false, true, true, false, true, false, false, true])
  }

  @Test func conv2DShapesAndPyTorchParameterNames() {
    let layer = Self.conv(.mnist, filters: 16, kernel: 5, stride: 1, padding: 2)
    #expect(layer.output == ImageShape(channels: 16, height: 28, width: 28))
    #expect(layer.weight.shape == [16, 1, 5, 5] && layer.bias.shape == [16])
    #expect(Conv2D.outputShape(.mnist, filters: 8, kernel: 5, stride: 2, padding: 0) == ImageShape(channels: 8, height: 12, width: 12))
    #expect(Conv2D.outputShape(ImageShape(channels: 1, height: 3, width: 3), filters: 1, kernel: 5, stride: 1, padding: 0) == nil)
  }

  /// Size 2 (its own fast path) and size 3 (the general window walk).
  @Test(arguments: [2, 3])
  func maxPoolAgainstFiniteDifferences(size: Int) {
    let input = ImageShape(channels: 2, height: 5, width: 7)  // the last row and column do not fill a window
    let layer = MaxPool2D(input: input, size: size)
    #expect(layer.output == ImageShape(channels: 2, height: 5 / size, width: 7 / size))
    // Distinct values, well apart, so no step of the difference changes the winner.
    let x = Tensor(rows: 2, columns: input.features)
    var g = SplitMix64(seed: 5)
    var values = (0..<x.count).map { Float($0) * 0.1 }
    for i in stride(from: values.count - 1, to: 0, by: -1) { values.swapAt(i, Int(g.next() % UInt64(i + 1))) }
    for i in 0..<x.count { x[i] = values[i] }
    let result = GradientCheck.check(layer, input: x, epsilon: 1e-3)
    #expect(result.maxError < tolerance, "\(result)")
  }

  /// Equal values in a window: the whole gradient goes to the first of them (PyTorch's choice),
  /// none is lost and none is doubled.
  @Test func maxPoolTiesRouteTheGradientToTheFirstWinner() {
    let input = ImageShape(channels: 1, height: 2, width: 4)
    let layer = MaxPool2D(input: input, size: 2)
    let x = Tensor(rows: 1, columns: 8, values: [3, 3, 1, 2, 3, 0, 2, 2])
    #expect(layer.forward(x, phase: .training).values == [3, 2])
    let dx = layer.backward(Tensor(rows: 1, columns: 2, values: [10, 7])).values
    #expect(dx == [10, 0, 0, 7, 0, 0, 0, 0])
    // The same through the general walk (3x3 windows): ties in reading order, first wins.
    let three = MaxPool2D(input: ImageShape(channels: 1, height: 3, width: 3), size: 3)
    #expect(three.forward(Tensor(rows: 1, columns: 9, values: [1, 5, 0, 5, 2, 5, 0, 0, 1]), phase: .training).values == [5])
    #expect(three.backward(Tensor(rows: 1, columns: 1, values: [4])).values == [0, 4, 0, 0, 0, 0, 0, 0, 0])
  }

  /// 2x2 pooling (a register of outputs at a time in C) against the scalar rule written out:
  /// planes whose output rows fill less than one register, one, and more than one (with AVX-512
  /// and AVX2), odd sizes, values from a small set so that windows tie; the backward writes
  /// the winner's gradient and 0 everywhere else, over whatever the buffer held.
  @Test func maxPool2MatchesTheRuleWrittenOut() {
    let shapes = [(1, 2, 4), (3, 28, 28), (2, 14, 14), (1, 5, 41), (2, 7, 40), (1, 3, 66)]
    var g = SplitMix64(seed: 8)
    for (channels, height, width) in shapes {
      let input = ImageShape(channels: channels, height: height, width: width)
      let layer = MaxPool2D(input: input, size: 2)
      let (oh, ow) = (height / 2, width / 2)
      for round in 0..<2 {
        let x = Tensor(rows: 3, columns: input.features)
        for i in 0..<x.count { x[i] = Float(g.next() % 5) - 2 }
        let y = layer.forward(x, phase: .training)
        let dy = Tensor(rows: 3, columns: y.columns)
        for i in 0..<dy.count { dy[i] = Float(i % 7) + 1 }
        if round == 1 { _ = layer.backward(dy) }  // leaves a gradient in the buffer the next call writes over
        let dx = layer.backward(dy)
        var expectedDx = [Float](repeating: 0, count: x.count)
        for s in 0..<3 {
          for c in 0..<channels {
            for oy in 0..<oh {
              for ox in 0..<ow {
                let plane = s * input.features + c * height * width
                var winner = plane + 2 * oy * width + 2 * ox
                for candidate in [winner + 1, winner + width, winner + width + 1] where x[candidate] > x[winner] {
                  winner = candidate
                }
                let o = s * y.columns + c * oh * ow + oy * ow + ox
                #expect(y[o] == x[winner], "\(input.text) output \(o)")
                expectedDx[winner] += dy[o]
              }
            }
          }
        }
        #expect(dx.values == expectedDx, "\(input.text): backward")
      }
    }
  }

  /// BatchNorm2d: each channel normalised over the batch and its plane; both phases.
  @Test(arguments: [Phase.training, Phase.inference])
  func batchNorm2DAgainstFiniteDifferences(phase: Phase) {
    let image = ImageShape(channels: 3, height: 4, width: 5)
    let layer = BatchNorm(image: image, momentum: 0.1, epsilon: 1e-5)
    #expect(layer.kind == .batchnorm2d && layer.weight.shape == [3] && layer.runningMean.count == 3)
    for c in 0..<3 {
      layer.weight.value[c] = 1 + 0.3 * Float(c)
      layer.bias.value[c] = 0.1 * Float(c)
      layer.runningMean[c] = 0.2 * Float(c) - 0.1
      layer.runningVariance[c] = 0.5 + Float(c)
    }
    let x = GradientCheck.randomTensor(rows: 4, columns: image.features, seed: 11)
    if phase == .training {
      // Each channel's 4·20 values come out with mean β and standard deviation γ.
      let y = layer.forward(x, phase: .training)
      for c in 0..<3 {
        let values = (0..<4).flatMap { s in (0..<20).map { y[s * 60 + c * 20 + $0] } }
        let mean = values.reduce(0, +) / 80
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 80
        #expect(abs(mean - layer.bias.value[c]) < 1e-5 && abs(variance.squareRoot() - layer.weight.value[c]) < 1e-3)
      }
    }
    let result = GradientCheck.check(layer, input: x, phase: phase, epsilon: 1e-3)
    #expect(result.maxError < tolerance, "\(phase): \(result)")
  }

  @Test func avgPoolAgainstFiniteDifferences() {
    let input = ImageShape(channels: 3, height: 4, width: 6)
    let layer = AvgPool2D(input: input, size: 2)
    let result = GradientCheck.check(layer, input: GradientCheck.randomTensor(rows: 2, columns: input.features, seed: 7))
    #expect(result.maxError < tolerance, "\(result)")
    let three = AvgPool2D(input: ImageShape(channels: 1, height: 3, width: 3), size: 3)
    #expect(three.forward(Tensor(rows: 1, columns: 9, values: (1...9).map(Float.init)), phase: .training).values == [5])
  }

  /// A whole convolutional model: the loss's gradient through conv, pool, ReLU and dense
  /// layers, checked on a few weights of the first convolution.
  @Test func aConvolutionalModelBackpropagatesEndToEnd() throws {
    let specs: [LayerSpec] = [
      .conv2d(channels: 3, kernel: 3, stride: 1, padding: 1, initializer: .he), .relu, .maxPool(size: 2),
      .conv2d(channels: 4, kernel: 3, stride: 2, padding: 1, initializer: .he), .avgPool(size: 2), .relu,
      .dense(units: 10, initializer: .he), .softmax,
    ]
    #expect(try specs.geometries().map(\.features) == [2352, 2352, 588, 196, 36, 36, 10, 10])
    let model = ModelBuilder.build(specs, seed: 3)
    #expect(model.oneLine == "1x28x28 → 3x28x28 relu → 3x14x14 → 4x7x7 → 4x3x3 relu-10 softmax")
    let x = GradientCheck.randomTensor(rows: 2, columns: 784, seed: 4)
    let labels = [3, 7]
    model.zeroGradients()
    _ = model.lossAndGradients(x, labels: labels)
    let conv = model.layers[0] as! Conv2D
    let analytic = conv.weight.gradient.values
    for i in 0..<27 {
      let saved = conv.weight.value[i]
      conv.weight.value[i] = saved + 1e-3
      let plus = Double(model.lossAndGradients(x, labels: labels).loss)
      conv.weight.value[i] = saved - 1e-3
      let minus = Double(model.lossAndGradients(x, labels: labels).loss)
      conv.weight.value[i] = saved
      let numeric = (plus - minus) / 2e-3
      #expect(abs(numeric - Double(analytic[i])) < 2e-3 + 2e-2 * abs(numeric), "0.weight[\(i)]: \(analytic[i]) vs \(numeric)")
    }
  }

  /// The input gradient is computed a few samples at a time (`Conv2D.samplesPerBlock`, one
  /// sample per block here): the output and input gradient are each sample's alone, the weight
  /// and bias gradients the sum of the samples'.
  @Test func blockedInputGradientMatchesSampleBySample() {
    let shape = ImageShape(channels: 4, height: 28, width: 28)
    #expect(Conv2D.samplesPerBlock(columns: 4 * 25 * 784) == 1, "several blocks for a batch of 3")
    var generator = SplitMix64(seed: 5)
    let layer = Conv2D(input: shape, filters: 6, kernel: 5, stride: 1, padding: 2, generator: &generator)
    layer.direct = nil  // the blocks are im2col's
    let x = GradientCheck.randomTensor(rows: 3, columns: shape.features, seed: 1)
    let g = GradientCheck.randomTensor(rows: 3, columns: layer.outputFeatures, seed: 2)
    let output = layer.forward(x, phase: .training).clone()
    for p in layer.parameters { p.zeroGradient() }
    let whole = layer.backward(g).clone()
    let wholeParameters = layer.parameters.map { $0.gradient.values }
    var summed = layer.parameters.map { [Float](repeating: 0, count: $0.gradient.count) }
    for r in 0..<3 {
      let xr = Tensor(rows: 1, columns: x.columns, values: Array(x.values[r * x.columns..<(r + 1) * x.columns]))
      let gr = Tensor(rows: 1, columns: g.columns, values: Array(g.values[r * g.columns..<(r + 1) * g.columns]))
      let y = layer.forward(xr, phase: .training)
      let outputError = (0..<y.count).map { abs(y[$0] - output[r * output.columns + $0]) }.max() ?? 0
      #expect(outputError < 1e-5, "sample \(r) output: \(outputError)")
      for p in layer.parameters { p.zeroGradient() }
      let alone = layer.backward(gr)
      let worst = (0..<alone.count).map { abs(alone[$0] - whole[r * whole.columns + $0]) }.max() ?? 0
      #expect(worst < 1e-5, "sample \(r): \(worst)")
      for (i, p) in layer.parameters.enumerated() { for j in 0..<p.gradient.count { summed[i][j] += p.gradient[j] } }
    }
    for (i, expected) in wholeParameters.enumerated() {
      let worst = zip(summed[i], expected).map { abs($0 - $1) / max(abs($1), 1) }.max() ?? 0
      #expect(worst < 1e-4, "\(layer.parameters[i].name): \(worst)")
    }
  }
}
