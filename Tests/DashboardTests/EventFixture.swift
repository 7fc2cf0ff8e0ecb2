import Foundation

@testable import DNN
@testable import Dashboard

/// A fixed, deterministic sequence of training events: two epochs of a five-epoch run.
enum EventFixture {
  static let parameterNames = ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]

  /// Twenty synthetic 28x28 "digits": a bar whose position depends on the index.
  static let validation: DatasetView = {
    var pixels = [UInt8](repeating: 0, count: 20 * 784)
    for i in 0..<20 {
      for y in 6..<22 { for x in 0..<3 { pixels[i * 784 + y * 28 + 6 + i % 10 + x] = UInt8(120 + 6 * y) } }
    }
    let images = LabeledImages(pixels: pixels, labels: (0..<20).map { UInt8($0 % 10) })
    return DatasetView(images)
  }()

  static let started = RunStarted(
    runName: "fixture-run", modelDescription: "Sequential(784 -> 10)", modelOneLine: "784-32 relu-16 relu-10 softmax",
    parameterCount: 25_818, parameterNames: parameterNames, dataset: "fixture", trainCount: 1000, validation: validation,
    testCount: 100, epochs: 5, startEpoch: 0, batchSize: 100, batchesPerEpoch: 10, learningRate: 0.05, clipNorm: 5,
    backend: "test", layers: layers)

  /// The fixture's architecture, as its one-liner says.
  static let layers: [LayerSpec] = [
    .dense(units: 32, initializer: .he), .relu, .dense(units: 16, initializer: .he), .relu, .dense(units: 10, initializer: .he), .softmax,
  ]

  static func batch(step: Int) -> BatchReport {
    let epoch = (step - 1) / 10, batch = (step - 1) % 10
    let loss = Float(2.3 * exp(-Double(step) / 6) + 0.1)
    let norms = parameterNames.indices.map { Float(0.5 / Double($0 + 1) * exp(-Double(step) / 20) + 0.001) }
    return BatchReport(
      step: step, epoch: epoch, batch: batch, batchesPerEpoch: 10, loss: loss,
      accuracy: Float(min(0.98, 0.1 + Double(step) * 0.045)), gradientNorms: norms,
      globalNorm: GradientClipping.globalNorm(norms), learningRate: 0.05, samplesPerSecond: 50_000)
  }

  static func epoch(_ n: Int) -> EpochReport {
    EpochReport(epoch: n, trainLoss: batch(step: n * 10).loss + 0.05, trainAccuracy: 0.5 + 0.2 * Float(n),
                validationLoss: 0.9 / Float(n) + 0.1, validationAccuracy: 0.6 + 0.15 * Float(n),
                learningRate: 0.05, seconds: 0.25)
  }

  /// Predictions after `epoch`: every third sample wrong (predicted label + 1).
  static func predictions(epoch: Int) -> ValidationPredictions {
    var labels: [UInt8] = [], predicted: [UInt8] = [], probabilities: [Float] = []
    for i in 0..<20 {
      let label = i % 10, guess = i % 3 == 0 ? (label + 1) % 10 : label
      labels.append(UInt8(label))
      predicted.append(UInt8(guess))
      for k in 0..<10 { probabilities.append(k == guess ? 0.82 : (k == label ? 0.11 : 0.07 / 8)) }
    }
    return ValidationPredictions(epoch: epoch, labels: labels, predicted: predicted, probabilities: probabilities, classes: 10)
  }

  /// started, running, 20 batches with two epoch ends and their predictions.
  static var events: [TrainingEvent] {
    var events: [TrainingEvent] = [.started(started), .state(.running)]
    for step in 1...20 {
      events.append(.batch(batch(step: step)))
      if step % 10 == 0 {
        events.append(.epoch(epoch(step / 10)))
        events.append(.predictions(predictions(epoch: step / 10)))
      }
    }
    return events
  }

  /// The state after `events`.
  static var state: DashboardState {
    var state = DashboardState()
    for event in events { state.apply(event) }
    state.notice = nil  // the first step's check would have faded twenty steps later
    return state
  }
}

/// A three-run sweep: the fixture run finished, a second run (other name, other curves)
/// training with a pause and a rate change marked, a third queued.
enum SweepFixture {
  static func renamed(_ events: [TrainingEvent], name: String, lossScale: Float, accuracyShift: Float) -> [TrainingEvent] {
    events.map { event in
      switch event {
      case .started(var s):
        s.runName = name
        return .started(s)
      case .epoch(var e):
        e.validationLoss *= lossScale
        e.validationAccuracy = min(e.validationAccuracy + accuracyShift, 1)
        return .epoch(e)
      case .batch(var b):
        b.loss *= lossScale
        return .batch(b)
      default: return event
      }
    }
  }

  static var state: DashboardState {
    var state = DashboardState()
    let summary = "784-32-16-10 · sgd 0.05 · batch 100"
    state.add(RunState(name: "fixture-run", summaryLine: summary, status: .queued))
    state.add(RunState(name: "wider-run", summaryLine: "784-64-32-10 · sgd 0.05 · batch 100", status: .queued))
    state.add(RunState(name: "adam-run", summaryLine: "784-32-16-10 · adam 0.001 · batch 100", status: .queued))
    for event in EventFixture.events { state.apply(event, run: 0) }
    state.apply(.finished(RunSummary(
      runName: "fixture-run", epochs: 2, train: Metrics(loss: 0.5, accuracy: 0.9), validation: Metrics(loss: 0.55, accuracy: 0.9),
      test: Metrics(loss: 0.6, accuracy: 0.88), secondsPerEpoch: [0.25, 0.25], samplesPerSecond: 50_000, stopped: false)), run: 0)
    let second = renamed(EventFixture.events, name: "wider-run", lossScale: 0.7, accuracyShift: 0.05)
    for event in second.prefix(14) { state.apply(event, run: 1) }
    state.apply(.intervention(Intervention(kind: .learningRate, step: 12, progress: 1.2, time: 0, detail: "x0.5 -> 0.025")), run: 1)
    for event in second.dropFirst(14) { state.apply(event, run: 1) }
    state.apply(.intervention(Intervention(kind: .pause, step: 20, progress: 2, time: 0)), run: 1)
    state.focus(on: 1)
    state.notice = nil
    return state
  }
}

/// Weights of a 784-8 first layer: unit u is a bar at column 3u, positive, on a faint negative field.
enum WeightsFixture {
  static var snapshot: WeightSnapshot {
    var values: [Float] = []
    for u in 0..<8 {
      for y in 0..<28 { for x in 0..<28 { values.append(abs(x - 3 * u - 2) < 2 && y > 4 && y < 24 ? 0.8 : -0.1) } }
    }
    return WeightSnapshot(summary: "Dense(784 -> 8, he)", tileRows: 28, tileColumns: 28, units: 8, values: values, epoch: 2)
  }

  static var state: DashboardState {
    var state = EventFixture.state
    state.apply(.weights(snapshot))
    _ = state.perform(.weights)
    return state
  }
}

/// The instruments on the fixture run: a layer-health measurement, a model copy (seed 1, the
/// fixture's architecture) and a finished check of layer 0 with fixed numbers (a real check's
/// last digits depend on the CPU's float kernels; `InstrumentsTests` runs real ones).
enum InstrumentsFixture {
  static var health: LayerHealth {
    var health = LayerHealth(
      step: 20,
      activations: [
        ActivationStats(mean: 0.02, standardDeviation: 0.61), ActivationStats(mean: 0.27, standardDeviation: 0.41, deadFraction: 0.125),
        ActivationStats(mean: -0.1, standardDeviation: 0.9), ActivationStats(mean: 0.31, standardDeviation: 0.52, deadFraction: 0.625),
        ActivationStats(mean: 0.0, standardDeviation: 2.1), ActivationStats(mean: 0.1, standardDeviation: 0.27, saturatedFraction: 0.4),
      ],
      updateRatios: [-2.9, -2.5, -4.6, -3.8, -1.2, -1.9], samples: 50)
    // 20 steps: the first dense 0.8 ms a step of 1.2 ms.
    health.layerTimes = LayerTimes(
      layers: ["Dense(784 -> 32, he)", "ReLU", "Dense(32 -> 16, he)", "ReLU", "Dense(16 -> 10, he)", "Softmax"],
      forwardSeconds: [0.006, 0.0004, 0.001, 0.0002, 0.0004, 0.0004], backwardSeconds: [0.01, 0.0004, 0.002, 0.0002, 0.0008, 0], steps: 20)
    return health
  }

  static var model: ModelSnapshot {
    let config = RunConfig(name: "fixture-run", layers: EventFixture.layers, optimizer: .sgd(learningRate: 0.05, momentum: 0, nesterov: false, weightDecay: 0))
    return ModelSnapshot(model: ModelBuilder.build(EventFixture.layers, seed: 1), config: config, position: TrainingPosition(epoch: 2, batch: 0, step: 20))
  }

  static var check: LayerGradientCheck.Report {
    LayerGradientCheck.Report(layer: 0, summary: "Dense(784 -> 32, he)", samples: 16, epsilon: 0.01, tensors: [
      .init(name: "input", maxRelativeError: 3.7e-5, checked: 24, skipped: 0, total: 12_544),
      .init(name: "0.weight", maxRelativeError: 8.6e-7, checked: 24, skipped: 0, total: 25_088),
      .init(name: "0.bias", maxRelativeError: 6.7e-7, checked: 24, skipped: 1, total: 32),
    ])
  }

  /// The fixture after a few more measurements (for the sparklines), with `model` sent.
  static var state: DashboardState {
    var state = EventFixture.state
    for shift: Float in [0.4, 0.3, 0.2, 0.1, 0] {
      var h = health
      h.updateRatios = h.updateRatios.map { $0 - shift }
      state.apply(.health(h))
    }
    state.apply(.model(model))
    return state
  }
}

/// The inside view on the fixture's first digit, with the real model's insight and its numbers
/// replaced by fixed ones (a real gradient's last digits depend on the CPU's float kernels):
/// saliency a ring, the nudge a square, layer outputs ramps.
enum InsideFixture {
  static var state: DashboardState {
    var state = InstrumentsFixture.state
    _ = state.perform(.inside)
    let image = EventFixture.validation.source.image(0).map { Float($0) / 255 }
    var insight = DigitInsight(try! InstrumentsFixture.model.makeModel(), image: image, label: 0, toward: nil)
    let ring = (0..<784).map { i -> Float in
      let (r, c) = (Double(i / 28) - 13.5, Double(i % 28) - 13.5)
      return abs((r * r + c * c).squareRoot() - 8) < 2 ? (i % 2 == 0 ? 1 : -0.5) : 0
    }
    insight.saliency.gradient = ring
    insight.saliency.gradientTimesInput = zip(ring, image).map { $0 * $1 }
    insight.saliency.classIndex = 1
    insight.probabilities = (0..<10).map { $0 == 1 ? 0.82 : 0.02 }
    let square = (0..<784).map { i -> Float in (8..<20).contains(i / 28) && (8..<20).contains(i % 28) ? 0.05 : 0 }
    for iterated in [false, true] {
      let result = AdversarialNudge.Result(
        goal: .awayFrom(0), epsilon: iterated ? 0.05 : 0.089, iterated: iterated, image: zip(image, square).map { min($0 + $1, 1) },
        perturbation: square, predicted: 7, probabilities: (0..<10).map { $0 == 7 ? 0.61 : 0.04 })
      if iterated { insight.iterated = result } else { insight.singleStep = result }
    }
    insight.layerOutputs = insight.layerOutputs.map { layer in layer.indices.map { Float($0 % 7) / 3 - 1 } }
    state.insight = insight
    state.insightKey = "fixture"
    state.insightModel = "step 20"
    return state
  }
}

/// The distributions view on six epochs of synthetic histograms (a real model's activations
/// depend on the CPU's float kernels): spreads that widen with the epochs, layer 1's outputs
/// all 0 (a dead ReLU).
enum DistributionsFixture {
  static func spread(_ seed: Int, epoch: Int) -> ValueHistogram {
    ValueHistogram((0..<240).map { k in Float(sin(Double(k * (seed + 2)) * 0.37)) * Float(epoch) / 6 + Float(seed) * 0.1 })
  }

  static var state: DashboardState {
    var state = InstrumentsFixture.state
    let model = try! InstrumentsFixture.model.makeModel()
    let probe = Tensor(rows: 1, columns: 784, values: EventFixture.validation.source.image(0).map { Float($0) / 255 })
    for epoch in 1...6 {
      var d = Distributions(epoch: epoch, model: model, probe: probe)
      d.weights = d.weights.enumerated().map { i, w in (w.name, spread(i, epoch: epoch)) }
      d.gradients = d.gradients.enumerated().map { i, g in (g.name, spread(i + 5, epoch: 7 - epoch)) }
      d.activations = d.activations.enumerated().map { i, a in (a.name, i == 1 ? ValueHistogram([Float](repeating: 0, count: 32)) : spread(i, epoch: epoch)) }
      state.apply(.distributions(d))
    }
    _ = state.perform(.distributions)
    return state
  }
}

/// The fixture run as if its configuration augmented: shifts of 2, rotations of 15°, sizes
/// ±10%, elastic α 20, for the augmentation preview.
enum AugmentFixture {
  static var state: DashboardState { state(testAugment: false) }

  /// The same, its test figures averaging the views of each digit when `testAugment`.
  static func state(testAugment: Bool) -> DashboardState {
    var started = EventFixture.started
    (started.augmentShift, started.augmentWarp) = (2, Warp(rotation: 15, scale: 0.1, elasticAlpha: 20, elasticSigma: 4))
    if testAugment { started.testViews = started.augmentWarp.testViews }
    var state = DashboardState()
    for event in EventFixture.events {
      if case .started = event { state.apply(.started(started)) } else { state.apply(event) }
    }
    state.notice = nil
    _ = state.press(.character("A"))
    return state
  }
}
