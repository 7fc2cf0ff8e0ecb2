import Foundation
import Testing

@testable import DNN

/// The best epoch by a smoothed validation loss (`bestSmoothing`): one lucky epoch on few
/// validation digits no longer wins, and every reader of a run agrees on the epoch.
@Suite struct BestEpochRuleTests {
  static func epochs(_ losses: [Float]) -> [EpochReport] {
    losses.enumerated().map { i, loss in
      EpochReport(epoch: i + 1, trainLoss: 1, trainAccuracy: 0.5, validationLoss: loss, validationAccuracy: 1 - loss, learningRate: 0.1, seconds: 1)
    }
  }

  @Test func aLuckyEpochWinsOnlyUnsmoothed() {
    // Epoch 3 dips by luck; the loss then settles lower, slowly.
    let epochs = Self.epochs([1.0, 0.6, 0.30, 0.50, 0.34, 0.33, 0.32, 0.32])
    #expect(RunLog.bestEpoch(epochs)?.epoch == 3)
    #expect(RunLog.bestEpoch(epochs, smoothing: 0.6)?.epoch == 8)
    // The smoothed values, TensorBoard's debiased average, computed here in Double.
    var (average, correction) = (0.0, 0.0)
    let expected = epochs.map { e -> Float in
      average = 0.6 * average + 0.4 * Double(e.validationLoss)
      correction = 0.6 * correction + 0.4
      return Float(average / correction)
    }
    let record = RunRecord(status: .finished, epochs: epochs, epochsPlanned: 8, bestSmoothing: 0.6)
    #expect(record.best?.epoch == 8 && record.best?.smoothedCriterion == expected[7], "\(expected)")
    #expect(record.best?.text == "best epoch 8: val loss 0.320 (smoothed 0.345), val acc 68.0%")
    #expect(RunRecord(status: .finished, epochs: epochs, epochsPlanned: 8).best?.smoothedCriterion == nil)
    // NaN epochs are skipped by both rules; ties keep the earliest.
    let flat = Self.epochs([0.5, .nan, 0.5, 0.5])
    #expect(RunLog.bestEpoch(flat)?.epoch == 1 && RunLog.bestEpoch(flat, smoothing: 0.5)?.epoch == 1)
  }

  /// A run that smooths saves the model of the epoch its rule picks, and the record read back
  /// from the folder, `dnn`'s best epoch and the dashboard's fold agree on it.
  @Test func aRunSavesTheEpochTheSmoothedRulePicks() throws {
    let out = Fixtures.temporaryFolder()
    var config = CheckpointTests.smallConfig(epochs: 6)
    config.name = "smooth"
    config.bestSmoothing = 0.8
    let trainer = try CheckpointTests.train(config, out: out, mode: .create)
    let folder = "\(out)/smooth"
    let logged = RunLog.readMetrics(folder: folder)
    let picked = try #require(RunLog.bestEpoch(logged, smoothing: 0.8))
    #expect(trainer.record.best?.epoch == picked.epoch && trainer.record.best?.smoothedCriterion != nil)
    let saved = try SavedRun(path: folder)
    #expect(saved.record.best == trainer.record.best && saved.bestEpoch?.epoch == picked.epoch)
    let best = try Safetensors.read(RunFiles.path(folder, CheckpointKind.best.fileName))
    #expect(try Checkpoint.position(best.metadata, path: "best").epoch == picked.epoch)
    // The dashboard's own fold, from the run's start and epochs.
    var record = RunRecord(epochsPlanned: 6, bestSmoothing: 0.8)
    for e in logged { record.add(e) }
    #expect(record.best == trainer.record.best)
  }

  @Test func theConfigurationSaysHowMuch() throws {
    let text = { (value: String) in
      #"{"runs": [{"name": "a", "layers": [{"type": "dense", "units": 10}, {"type": "softmax"}], "bestSmoothing": \#(value)}]}"#
    }
    let run = try RunFile.parse(Data(text("0.6").utf8), path: "a.json").runs[0]
    #expect(run.bestSmoothing == 0.6)
    #expect(try RunConfig.parse(json: try JSONValue.parse(Data(run.jsonValue.text.utf8)), path: "x") == run)
    for bad in ["1", "-0.1", "\"high\""] {
      #expect(throws: ConfigError.self) { try RunFile.parse(Data(text(bad).utf8), path: "a.json") }
    }
  }
}
