import Foundation
import Testing

@testable import DNN

/// The moving average of the weights: its formula, its files, its resume.
@Suite struct WeightAverageTests {
  static func averagingConfig(epochs: Int = 3) -> RunConfig {
    var c = CheckpointTests.smallConfig(epochs: epochs)
    c.name = "ema"
    c.averageDecay = 0.95
    return c
  }

  /// PyTorch's `AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(d))` computes
  /// `ema ← ema + (1 − d)(w − ema)` per step, timm's `ModelEmaV2` with warm-up the same with
  /// `d_n = min(d, (1 + n)/(10 + n))`: the average, parameters and BatchNorm statistics alike,
  /// against that formula in Double after 40 steps of moving weights.
  @Test func theAverageFollowsItsFormula() {
    let layers = CheckpointTests.smallConfig().layers
    let source = ModelBuilder.build(layers, seed: 3)
    let average = WeightAverage(of: source, layers: layers, decay: 0.9)
    let tensors = WeightAverage.tensors(of: source)
    #expect(tensors.count == source.parameters.count + source.buffers.count && source.buffers.count == 2)
    var expected = tensors.map { $0.values.map(Double.init) }
    for n in 1...40 {
      for (t, tensor) in tensors.enumerated() {
        for i in 0..<tensor.count { tensor.pointer[i] += Float(sin(Double(n * 7 + i + t))) * 0.1 }
      }
      average.update()
      let d = min(0.9, Double(1 + n) / Double(10 + n))
      for (t, tensor) in tensors.enumerated() {
        for i in 0..<tensor.count { expected[t][i] = d * expected[t][i] + (1 - d) * Double(tensor.pointer[i]) }
      }
    }
    #expect(average.updates == 40)
    #expect(WeightAverage.decay(0.9, atUpdate: 1) == 2 / 11 && WeightAverage.decay(0.9, atUpdate: 100) == 0.9)
    for (mine, theirs) in zip(WeightAverage.tensors(of: average.model), expected) {
      let error = zip(mine.values, theirs).map { abs(Double($0) - $1) }.max() ?? 0
      #expect(error < 1e-5)
    }
    // The average is not the weights: it lags them.
    #expect(WeightAverage.tensors(of: average.model)[0].values != tensors[0].values)
  }

  /// A run that averages writes `average.safetensors` and the columns of its curve, scores it on
  /// the test set and names it as its result; stopped after one epoch and resumed, it reaches the
  /// same average, bit for bit, as the run trained in one go.
  @Test func aRunKeepsItsAverageAndResumesIt() throws {
    let out = Fixtures.temporaryFolder()
    var config = Self.averagingConfig()
    config.name = "whole"
    let whole = try CheckpointTests.train(config, out: out, mode: .create)
    config.name = "split"
    try CheckpointTests.train(config, out: out, mode: .create, stopAfterEpochs: 1)
    let resumed = try CheckpointTests.train(config, out: out, mode: .resume)
    let bits = { (t: Trainer) in WeightAverage.tensors(of: t.average!.model).map { $0.values.map(\.bitPattern) } }
    #expect(bits(whole) == bits(resumed))
    #expect(whole.average!.updates == 30 && resumed.average!.updates == 30)
    for name in ["whole", "split"] {
      let folder = "\(out)/\(name)"
      let saved = ModelBuilder.build(config.layers, seed: 9)
      try Checkpoint.load(RunFiles.path(folder, CheckpointKind.average.fileName), into: saved)
      #expect(WeightAverage.tensors(of: saved).map { $0.values.map(\.bitPattern) } == bits(whole))
      let metrics = try String(contentsOfFile: RunFiles.path(folder, RunFiles.metrics), encoding: .utf8)
      #expect(metrics.hasPrefix(RunLog.metricsHeader + "," + RunLog.averageColumns + "\n"))
      let epochs = RunLog.readMetrics(folder: folder)
      #expect(epochs.count == 3 && epochs.allSatisfy { $0.average != nil && $0.average!.accuracy > 0.5 })
      let record = try SavedRun(path: folder).record
      #expect(record.headlineTest?.model == .average && record.testOfAverage != nil)
      #expect(try SavedRun(path: folder).checkpoint(nil) == .average)
    }
    #expect(RunLog.readMetrics(folder: "\(out)/whole").map(\.average) == RunLog.readMetrics(folder: "\(out)/split").map(\.average))
    // Its last epoch's validation figures are the average's own, not the model's.
    let last = RunLog.readMetrics(folder: "\(out)/whole").last!
    let scored = Evaluator.evaluate(whole.average!.model, on: whole.data.validation)
    #expect(last.average == scored && scored != Metrics(loss: last.validationLoss, accuracy: last.validationAccuracy))
  }

  /// A run without `average` keeps none and its logs keep their seven columns.
  @Test func aRunWithoutAnAverageKeepsNone() throws {
    let out = Fixtures.temporaryFolder()
    let trainer = try CheckpointTests.train(CheckpointTests.smallConfig(epochs: 1), out: out, mode: .create)
    #expect(trainer.average == nil)
    #expect(!FileManager.default.fileExists(atPath: "\(out)/ckpt/\(CheckpointKind.average.fileName)"))
    let metrics = try String(contentsOfFile: "\(out)/ckpt/\(RunFiles.metrics)", encoding: .utf8)
    #expect(metrics.split(separator: "\n").allSatisfy { $0.split(separator: ",").count == 7 })
    #expect(try SavedRun(path: "\(out)/ckpt").checkpoint(nil) == .best)
  }

  @Test func theConfigurationSaysTheDecay() throws {
    let text = { (average: String) in
      #"{"runs": [{"name": "a", "layers": [{"type": "dense", "units": 10}, {"type": "softmax"}], "average": \#(average)}]}"#
    }
    let run = try RunFile.parse(Data(text(#"{"decay": 0.999}"#).utf8), path: "a.json").runs[0]
    #expect(run.averageDecay == 0.999 && run.keptModel == .average)
    #expect(try RunConfig.parse(json: try JSONValue.parse(Data(run.jsonValue.text.utf8)), path: "x") == run)
    for bad in [#"{"decay": 1}"#, #"{"decay": 0.2}"#, "{}", #"{"decay": 0.9, "start": 3}"#] {
      #expect(throws: ConfigError.self) { try RunFile.parse(Data(text(bad).utf8), path: "a.json") }
    }
  }
}
