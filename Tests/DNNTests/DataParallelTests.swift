import Foundation
import Testing

@testable import DNN

/// Splitting a batch across two threads (`DataParallelStep`) trains the same model as the
/// whole-batch step, up to float rounding, and its parts behave.
@Suite struct DataParallelTests {
  /// Runs `config` on the bundled digits with the batch split or not; returns per-step losses,
  /// gradient norms and the final weights.
  static func train(_ config: RunConfig, split: Bool) -> (losses: [Float], norms: [[Float]], weights: [[Float]], backend: String) {
    let (trainer, events) = Fixtures.train(config, split: split)
    var losses: [Float] = [], norms: [[Float]] = [], backend = ""
    for event in events {
      switch event {
      case .batch(let b):
        losses.append(b.loss)
        norms.append(b.gradientNorms)
      case .started(let s): backend = s.backend
      default: break
      }
    }
    return (losses, norms, trainer.model.parameters.map(\.value.values), backend)
  }

  static func config(_ optimizer: OptimizerSpec, batchSize: Int, clip: GradientClipping) -> RunConfig {
    var c = RunConfig(
      name: "split",
      layers: [.dense(units: 48, initializer: .he), .leakyReLU(slope: 0.01), .dense(units: 32, initializer: .he), .relu,
               .dense(units: 10, initializer: .he), .softmax],
      optimizer: optimizer)
    c.epochs = 2
    c.batchSize = batchSize
    c.trainSamples = 1000
    c.clip = clip
    return c
  }

  /// `ignoring`: parameter tensors left out of the weight comparison (see the BatchNorm test).
  static func expectSameTraining(_ config: RunConfig, ignoring: Set<Int> = [], sourceLocation: SourceLocation = #_sourceLocation) {
    let whole = train(config, split: false), split = train(config, split: true)
    #expect(split.backend.contains("batch split across 2 threads"), sourceLocation: sourceLocation)
    #expect(!whole.backend.contains("split"), sourceLocation: sourceLocation)
    #expect(whole.losses.count == split.losses.count && !whole.losses.isEmpty, sourceLocation: sourceLocation)
    for (a, b) in zip(whole.losses, split.losses) {
      #expect(abs(a - b) <= 1e-3 * max(1, abs(a)), "loss \(a) vs \(b)", sourceLocation: sourceLocation)
    }
    for (a, b) in zip(whole.norms.joined(), split.norms.joined()) {
      #expect(abs(a - b) <= 1e-3 * max(1, abs(a)), "gradient norm \(a) vs \(b)", sourceLocation: sourceLocation)
    }
    var worst: Float = 0
    for (i, (a, b)) in zip(whole.weights, split.weights).enumerated() where !ignoring.contains(i) {
      for (x, y) in zip(a, b) { worst = max(worst, abs(x - y)) }
    }
    #expect(worst < 1e-3, "largest weight difference after 2 epochs: \(worst)", sourceLocation: sourceLocation)
  }

  /// SGD with momentum and global clipping that triggers (max norm 0.5), even batches.
  @Test func sgdWithClippingMatchesTheWholeBatch() {
    Self.expectSameTraining(Self.config(
      .sgd(learningRate: 0.05, momentum: 0.9, nesterov: false, weightDecay: 1e-4), batchSize: 50, clip: .global(maxNorm: 0.5)))
  }

  /// AdamW, per-tensor clipping, and a batch size that splits unevenly (37 = 19 + 18) and
  /// leaves a last batch of one row (1000 = 27 x 37 + 1), whose second half is empty.
  @Test func adamWithOddBatchesMatchesTheWholeBatch() {
    Self.expectSameTraining(Self.config(
      .adamW(learningRate: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01), batchSize: 37,
      clip: .perTensor(maxNorm: 1)))
  }

  /// Attention mixes the tokens of one sample only, so its batches split too.
  @Test func attentionMatchesTheWholeBatch() {
    var config = Self.config(
      .adam(learningRate: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0), batchSize: 40, clip: .global(maxNorm: 5))
    config.layers = [.attention(tokens: 28, heads: 2, dim: 8, initializer: .glorotUniform), .relu,
                     .dense(units: 10, initializer: .he), .softmax]
    config.epochs = 1
    config.trainSamples = 400
    Self.expectSameTraining(config)
  }

  /// Convolutions and pooling split too (each half convolves its own samples with shared filters).
  @Test func convolutionsMatchTheWholeBatch() {
    var config = Self.config(
      .adamW(learningRate: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01), batchSize: 33, clip: .global(maxNorm: 5))
    config.layers = [.conv2d(channels: 4, kernel: 5, stride: 1, padding: 2, initializer: .he),
                     .batchNorm2D(momentum: 0.1, epsilon: 1e-5), .relu, .maxPool(size: 2),
                     .conv2d(channels: 6, kernel: 3, stride: 2, padding: 1, initializer: .he), .relu, .avgPool(size: 2),
                     .dense(units: 10, initializer: .he), .softmax]
    config.epochs = 1
    config.trainSamples = 400
    // 0.bias is followed by a BatchNorm: its gradient is rounding noise (see below).
    Self.expectSameTraining(config, ignoring: [1])
  }

  /// BatchNorm (the whole batch's statistics, exchanged between the halves) and Dropout (each
  /// half draws its rows of the whole batch's mask) split too: the same training as the whole batch, up to rounding, with
  /// AdamW and clipping, an uneven split and a last batch of one row (1000 = 27 x 37 + 1).
  @Test func batchNormAndDropoutMatchTheWholeBatch() {
    var config = Self.config(
      .adamW(learningRate: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01), batchSize: 37,
      clip: .global(maxNorm: 5))
    config.layers = [.dense(units: 48, initializer: .he), .batchNorm(momentum: 0.1, epsilon: 1e-5), .relu, .dropout(rate: 0.3),
                     .dense(units: 32, initializer: .he), .batchNorm(momentum: 0.1, epsilon: 1e-5), .relu,
                     .dense(units: 10, initializer: .he), .softmax]
    // A dense bias followed by BatchNorm has a gradient of exactly 0 in exact arithmetic (the
    // mean is subtracted): what is left is rounding noise, which Adam turns into full-size
    // steps of either sign, differently in the two runs. Those two tensors (0.bias, 4.bias) are
    // left out of the weight comparison; the losses and every gradient norm are compared.
    Self.expectSameTraining(config, ignoring: [1, 5])
  }

  /// The split step's deferred weight gradient (each thread's range of dW from both halves):
  /// for ranges that start and end inside rows, across rows and within one row, the ranges'
  /// sums give the layers' own dW, weighted, and nothing outside a range is written.
  @Test func deferredWeightGradientsFillExactlyTheirRanges() {
    var g1 = SplitMix64(seed: 5), g2 = SplitMix64(seed: 5)
    let (inputs, outputs) = (13, 7)
    let plain = Dense(inputFeatures: inputs, outputFeatures: outputs, initializer: .he, generator: &g1)
    let deferred = Dense(inputFeatures: inputs, outputFeatures: outputs, initializer: .he, generator: &g2)
    deferred.defersWeightGradient = true
    let x = GradientCheck.randomTensor(rows: 5, columns: inputs, seed: 6)
    let dZ = GradientCheck.randomTensor(rows: 5, columns: outputs, seed: 7)
    _ = plain.forward(x, phase: .training)
    _ = plain.backward(dZ)
    _ = deferred.forward(x, phase: .training)
    _ = deferred.backward(dZ)
    #expect(deferred.weight.gradient.values.allSatisfy { $0 == 0 }, "a deferring backward leaves dW alone")
    #expect(deferred.bias.gradient.values == plain.bias.gradient.values)
    let count = inputs * outputs
    for cuts in [[0, 20, 45, count], [0, 3, 9, 13, 26, 27, count], [0, count], [5, 6, 50]] {
      let out = Tensor(rows: outputs, columns: inputs)
      out.fill(7)
      for (lower, upper) in zip(cuts, cuts.dropFirst()) {
        deferred.addWeightGradient(elements: lower..<upper, scale: 0.5, into: out.pointer)
      }
      for e in 0..<count {
        let inside = e >= cuts.first! && e < cuts.last!
        let expected = inside ? 7 + 0.5 * plain.weight.gradient[e] : 7
        #expect(abs(out[e] - expected) < 1e-5, "cuts \(cuts), element \(e): \(out[e]) vs \(expected)")
      }
    }
  }

  /// The model's layers defer their weight gradients only during a split step: after training,
  /// its own backward (a gradient check, the dashboard's `g`) computes them again.
  @Test func theModelComputesItsOwnWeightGradientsAfterASplitStep() {
    // Halves of a size that defers (32 with AVX-512, 16 with AVX2).
    let half = (1...64).last { Dense.defersInSplitStep(halfBatch: $0) }!
    let config = Self.config(
      .sgd(learningRate: 0.05, momentum: 0.9, nesterov: false, weightDecay: 0), batchSize: 2 * half, clip: .none)
    let plan = RunPlan(config: config, data: DataSplit(folder: Fixtures.mnist, config: config), splitBatch: true)
    let trainer = try! Trainer(plan: plan, events: EventChannel(capacity: 1 << 16), commands: CommandMailbox())
    trainer.run()
    let denses = trainer.model.layers.compactMap { $0 as? Dense }
    #expect(denses.count == 3 && denses.allSatisfy { !$0.defersWeightGradient })
    let result = GradientCheck.check(denses[2], input: GradientCheck.randomTensor(rows: 4, columns: 32, seed: 2))
    #expect(result.maxError < 2e-3, "\(result)")
  }

  /// Dropout's halves draw their own rows of the mask by jumping the generator ahead: n draws
  /// in one step.
  @Test func theGeneratorJumpsAheadByAnyNumberOfDraws() {
    for n in [0, 1, 7, 37 * 48, 1 << 20] {
      var drawn = SplitMix64(seed: 9)
      for _ in 0..<n { _ = drawn.next() }
      var jumped = SplitMix64(seed: 9).advanced(by: n)
      #expect(jumped.next() == drawn.next(), "\(n) draws")
    }
  }

  /// A model whose BatchNorm and Dropout have replicas still trains alone exactly as before
  /// (the shared sync is only used once a split step has set the batch's rows).
  @Test func aReplicatedModelStillTrainsAlone() {
    let layers: [LayerSpec] = [.dense(units: 8, initializer: .he), .batchNorm(momentum: 0.1, epsilon: 1e-5), .relu,
                               .dropout(rate: 0.5), .dense(units: 10, initializer: .he), .softmax]
    let alone = ModelBuilder.build(layers, seed: 3), replicated = ModelBuilder.build(layers, seed: 3)
    _ = replicated.replica()
    let x = GradientCheck.randomTensor(rows: 6, columns: 784, seed: 4)
    let labels = [0, 1, 2, 3, 4, 5]
    let (a, _) = alone.lossAndGradients(x, labels: labels)
    let (b, _) = replicated.lossAndGradients(x, labels: labels)
    #expect(a == b && a.isFinite)
    #expect(alone.parameters.map(\.gradient.values) == replicated.parameters.map(\.gradient.values))
  }

  /// The replicas share values (and BatchNorm's running statistics), never gradients.
  @Test func replicasShareValuesNotGradients() {
    let plain = ModelBuilder.build([.dense(units: 8, initializer: .he), .batchNorm(momentum: 0.1, epsilon: 1e-5), .relu,
                                    .dropout(rate: 0.5), .dense(units: 10, initializer: .he), .softmax], seed: 1)
    let copy = plain.replica()!
    #expect(copy.parameters.map(\.name) == plain.parameters.map(\.name))
    #expect(zip(copy.parameters, plain.parameters).allSatisfy { $0.value === $1.value && $0.gradient !== $1.gradient })
    #expect(zip(copy.buffers, plain.buffers).allSatisfy { $0.value === $1.value })
  }

  @Test func slicesCoverEveryElementOnceOnVectorBoundaries() {
    for count in [0, 1, 15, 16, 17, 100, 1280, 200_704] {
      for parts in 1...3 {
        let ranges = (0..<parts).map { Slice($0, of: parts).range(count: count) }
        #expect(ranges.first!.lowerBound == 0 && ranges.last!.upperBound == count)
        for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
        #expect(ranges.dropLast().allSatisfy { $0.upperBound % 16 == 0 || $0.upperBound == count })
      }
    }
  }

  /// An optimizer stepped in two slices gives exactly the whole-tensor update.
  @Test func slicedUpdatesEqualWholeUpdates() {
    for make in [{ SGD(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01) as Optimizer },
                 { Adam(learningRate: 0.01, weightDecay: 0.01, decoupledWeightDecay: true) as Optimizer }] {
      let a = Parameter(name: "w", rows: 7, columns: 13), b = Parameter(name: "w", rows: 7, columns: 13)
      for i in 0..<a.value.count {
        a.value[i] = Float(i % 5) - 2; b.value[i] = a.value[i]
        a.gradient[i] = Float(i % 3) * 0.1 - 0.1; b.gradient[i] = a.gradient[i]
      }
      let whole = make(), sliced = make()
      for _ in 0..<3 {
        whole.step([a])
        sliced.startStep([b])
        sliced.update([b], slice: Slice(1, of: 2), clearingGradients: false)
        sliced.update([b], slice: Slice(0, of: 2), clearingGradients: false)
      }
      #expect(a.value.values == b.value.values)
      #expect(whole.stepCount == 3 && sliced.stepCount == 3)
    }
  }

  /// A view reads and writes its source's rows without copying or owning them.
  @Test func tensorViewsShareRows() {
    let t = Tensor(rows: 4, columns: 3, values: (0..<12).map(Float.init))
    let v = Tensor(viewWithColumns: 3)
    v.view(rows: 1..<3, of: t)
    #expect(v.rows == 2 && v.values == [3, 4, 5, 6, 7, 8])
    v[0, 0] = 42
    #expect(t[1, 0] == 42)
  }

  /// The helper thread parks when idle and wakes for the next job; stopping it returns.
  @Test func helperParksAndWakes() {
    final class Counter: HelperWork {
      var total = 0
      func runOnHelper(job: Int) { total += job }
    }
    let helper = HelperThread()
    let counter = Counter()
    var here = 0
    helper.run(counter, job: 5) { here += 1 }
    Thread.sleep(forTimeInterval: 0.2)  // long past the spin limit: the helper is parked
    helper.run(counter, job: 7) { here += 1 }
    #expect(counter.total == 12 && here == 2)
    helper.stop()
  }
}
