import Foundation
import Testing

@testable import DNN

/// Label smoothing (`labelSmoothing`): the fused loss's targets are (1 − s)·onehot + s/K.
@Suite struct LabelSmoothingTests {
  /// Three rows of scores; the last has a class 34 units below its largest, a probability far
  /// under the clip ε (1e-7): the smoothing term must use the exact log-softmax there.
  static let logits: [Float] = [2, -1, 0.5, 0, 3, 0.3, 0.2, -2, 1.5, -0.5, -30, 4, 0, 1, 2]
  static let labels = [4, 0, 1]

  /// Value and gradient against PyTorch 2.13's
  /// `torch.nn.functional.cross_entropy(z, y, label_smoothing=0.1)` and `z.grad` on the same
  /// numbers (printed by PyTorch, pasted here).
  @Test func lossAndGradientAreWhatPyTorchComputes() {
    let z = Tensor(rows: 3, columns: 5, values: Self.logits)
    let loss = SoftmaxCrossEntropy()
    loss.smoothing = 0.1
    let value = loss.loss(logits: z, labels: Self.labels)
    #expect(abs(Double(value) - 1.1553597450256348) < 1e-5, "\(value)")
    let torchGradient: [Double] = [
      0.07411136478185654, -0.002644965425133705, 0.011357350274920464, 0.004265451803803444, -0.0870891809463501,
      -0.24894201755523682, 0.04556473717093468, -0.0008792635635472834, 0.18498584628105164, 0.019270680844783783,
      -0.006666666362434626, -0.029682468622922897, -0.0015935248229652643, 0.007123562972992659, 0.030819062143564224,
    ]
    let gradient = loss.backward()
    for i in 0..<z.count { #expect(abs(Double(gradient[i]) - torchGradient[i]) < 1e-6, "element \(i)") }
  }

  /// The gradient is the loss's derivative: central differences of the loss value.
  @Test func gradientMatchesFiniteDifferences() {
    let z = GradientCheck.randomTensor(rows: 4, columns: 6, seed: 31)
    let labels = [1, 5, 0, 3]
    let loss = SoftmaxCrossEntropy()
    loss.smoothing = 0.2
    _ = loss.loss(logits: z, labels: labels)
    let analytic = loss.backward().clone()
    var worst = 0.0
    for i in 0..<z.count {
      let saved = z[i]
      z[i] = saved + 1e-2
      let plus = Double(loss.loss(logits: z, labels: labels))
      z[i] = saved - 1e-2
      let minus = Double(loss.loss(logits: z, labels: labels))
      z[i] = saved
      worst = max(worst, abs((plus - minus) / 2e-2 - Double(analytic[i])))
    }
    #expect(worst < 2e-3, "max abs error \(worst)")
  }

  /// Uniform scores lose ln K with or without smoothing (the dashboard's first-loss check holds).
  @Test func uniformScoresStillLoseLnK() {
    let loss = SoftmaxCrossEntropy()
    loss.smoothing = 0.3
    let value = loss.loss(logits: Tensor(rows: 2, columns: 10, values: Array(repeating: 0.5, count: 20)), labels: [3, 7])
    #expect(abs(Double(value) - log(10)) < 1e-6)
  }

  /// The setting reaches both halves of a split batch: a split step's losses and weights are
  /// the whole batch's, and differ from training without smoothing.
  @Test func theSplitBatchSmoothsBothHalves() {
    var config = DataParallelTests.config(.sgd(learningRate: 0.05, momentum: 0.9, nesterov: false, weightDecay: 0), batchSize: 50, clip: .none)
    config.epochs = 1
    config.labelSmoothing = 0.1
    DataParallelTests.expectSameTraining(config)
    var plain = config
    plain.labelSmoothing = 0
    let smoothed = DataParallelTests.train(config, split: true).losses, unsmoothed = DataParallelTests.train(plain, split: true).losses
    #expect(smoothed.last! > unsmoothed.last! + 0.05, "a smoothed target keeps the loss up: \(smoothed.last!) vs \(unsmoothed.last!)")
  }

  /// The softmax's equations (the dashboard's layers view) say what the targets are.
  @Test func theEquationsSayTheTargets() {
    let geometry = LayerGeometry(features: 10, image: nil)
    let context = { (s: Float) in EquationContext(batch: 64, input: geometry, output: geometry, fused: true, labelSmoothing: s) }
    let smoothed = LayerSpec.softmax.equations(context(0.1)).map(\.text).joined(separator: "\n")
    #expect(smoothed.contains("Y = (1 − s)·onehot(y) + s/K, label smoothing s = 0.1, K = 10"), "\(smoothed)")
    #expect(LayerSpec.softmax.equations(context(0)).map(\.text).joined().contains("Y one-hot"))
  }

  /// Read, written to config.json and read back; out of range refused; `ls` in run names.
  @Test func theConfigurationSaysHowMuch() throws {
    let text = { (value: String) in
      #"{"runs": [{"name": "a", "layers": [{"type": "dense", "units": 10}, {"type": "softmax"}], "labelSmoothing": \#(value)}]}"#
    }
    let run = try RunFile.parse(Data(text("0.1").utf8), path: "a.json").runs[0]
    #expect(run.labelSmoothing == 0.1)
    #expect(run.jsonValue.text.contains("\"labelSmoothing\""))
    #expect(try RunConfig.parse(json: try JSONValue.parse(Data(run.jsonValue.text.utf8)), path: "x") == run)
    #expect(!RunConfig(name: "b", layers: [.dense(units: 10, initializer: .he), .softmax], optimizer: .sgd(learningRate: 0.1, momentum: 0, nesterov: false, weightDecay: 0)).jsonValue.text.contains("labelSmoothing"))
    for bad in ["1", "-0.1", "\"some\""] {
      #expect(throws: ConfigError.self) { try RunFile.parse(Data(text(bad).utf8), path: "a.json") }
    }
    #expect(RunSetting(dotted: "labelSmoothing")?.label == "ls")
  }
}
