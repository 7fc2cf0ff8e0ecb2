import Foundation
import Testing

@testable import DNN

/// A run stopped inside an epoch and resumed draws what the uninterrupted run drew: the rest of
/// the epoch's augmentation (shifts, rotations, scaling) and Dropout's masks, so its weights and
/// metrics are the same bits.
@Suite struct ResumeDrawsTests {
  static func config(_ name: String) -> RunConfig {
    var c = RunConfig(
      name: name,
      layers: [.dense(units: 32, initializer: .he), .relu, .dropout(rate: 0.3), .dense(units: 10, initializer: .he), .softmax],
      optimizer: .adamW(learningRate: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01))
    c.epochs = 2
    c.batchSize = 50
    c.trainSamples = 500
    c.augmentShift = 2
    c.augmentWarp = Warp(rotation: 8, scale: 0.08)
    return c
  }

  @Test(arguments: [3, 13]) func aResumeInsideAnEpochDrawsWhatTheRunWouldHave(stopAfterSteps: Int) throws {
    let out = Fixtures.temporaryFolder()
    let whole = try CheckpointTests.train(Self.config("whole"), out: out, mode: .create)
    try CheckpointTests.train(Self.config("cut"), out: out, mode: .create, stopAfterSteps: stopAfterSteps)
    let state = try Safetensors.read("\(out)/cut/last.safetensors")
    #expect(state.metadata["batch"].flatMap(Int.init).map { $0 > 0 } == true, "stopped inside an epoch")
    let resumed = try CheckpointTests.train(Self.config("cut"), out: out, mode: .resume)
    #expect(resumed.model.parameters.map(\.value.values) == whole.model.parameters.map(\.value.values))
    let metrics = RunLog.readMetrics(folder: "\(out)/cut"), wholeMetrics = RunLog.readMetrics(folder: "\(out)/whole")
    #expect(metrics.map(\.trainLoss) == wholeMetrics.map(\.trainLoss))
    #expect(metrics.map(\.validationLoss) == wholeMetrics.map(\.validationLoss))
  }
}
