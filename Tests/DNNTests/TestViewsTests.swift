import Foundation
import Testing

@testable import DNN

/// Test-time augmentation (`augment.test`): the views of a digit, their mean against its
/// formula, the configuration key, and a run's test figures.
@Suite struct TestViewsTests {
  @Test func theViewsAreTheAugmentationsExtremesOneAtATime() {
    let both = Warp(rotation: 8, scale: 0.08, elasticAlpha: 20)
    #expect(both.testViews == [nil, Warp.Draw(angle: 8 * .pi / 180), Warp.Draw(angle: -8 * .pi / 180), Warp.Draw(factor: 1.08), Warp.Draw(factor: 0.92)])
    #expect(both.testViewsText == "as is, turned ±8°, scaled ±8%")
    #expect(Warp(rotation: 10).testViews == [nil, Warp.Draw(angle: 10 * .pi / 180), Warp.Draw(angle: -10 * .pi / 180)])
    #expect(Warp(scale: 0.1).testViews.count == 3 && Warp(elasticAlpha: 30).testViews == [nil] && Warp().testViews == [nil])
  }

  /// Each sample's probabilities are the mean of the model's on each view of it (each view
  /// drawn here pixel by pixel with `Warp.apply`, no elastic field), its loss and prediction
  /// those of the mean; one view (nil) is the plain evaluation, bit for bit.
  @Test func theMeanOfTheViewsFollowsItsFormula() throws {
    let model = ModelBuilder.build(CheckpointTests.smallConfig().layers, seed: 4)
    let view = DatasetView(source: Fixtures.mnist.train, indices: Array(0..<70))
    // A distortion that would change every view if the evaluator applied it.
    let warp = Warp(rotation: 12, scale: 0.1, elasticAlpha: 40)
    let (scored, predictions) = Evaluator.evaluate(model, on: view, views: warp.testViews, collectPredictions: true)
    let images = Tensor(rows: view.count, columns: 784)
    var sum = [Double](repeating: 0, count: view.count * 10)
    for v in warp.testViews {
      for (row, index) in view.indices.enumerated() {
        view.source.pixels.withUnsafeBufferPointer { pixels in
          let source = pixels.baseAddress! + index * 784, target = images.pointer + row * 784
          if let v {
            Warp().apply(v, to: source, into: target, pixelScale: BatchLoader.pixelScale)
          } else {
            for i in 0..<784 { target[i] = Float(source[i]) * BatchLoader.pixelScale }
          }
        }
      }
      let output = model.predict(images)
      for i in sum.indices { sum[i] += Double(output.pointer[i]) }
    }
    let mean = sum.map { Float($0 / 5) }
    #expect(predictions!.probabilities == mean)
    var (loss, correct) = (0.0, 0)
    for (n, index) in view.indices.enumerated() {
      let label = Int(view.source.labels[index]), row = mean[n * 10..<(n + 1) * 10]
      loss += CrossEntropy.negativeLogLikelihood(row[row.startIndex + label])
      if Classification.argmax(row) == label { correct += 1 }
    }
    #expect(abs(Double(scored.loss) - loss / 70) < 1e-6 && scored.accuracy == Float(correct) / 70)
    // One view is the plain evaluation; the views change the figures.
    let plain = Evaluator.evaluate(model, on: view, views: [nil], collectPredictions: true)
    #expect(plain.metrics == Evaluator.evaluate(model, on: view) && plain.predictions!.probabilities != mean)
  }

  @Test func theKeyReadsBackAndNeedsATurnOrAScale() throws {
    let run = { (augment: String) in
      try RunFile.parse(Data(#"{"runs": [{"name": "t", "layers": [{"type": "dense", "units": 10}, {"type": "softmax"}], "augment": \#(augment)}]}"#.utf8), path: "t.json").runs[0]
    }
    let config = try run(#"{"rotate": 8, "scale": 0.08, "test": true}"#)
    #expect(config.testAugment && config.testViews.count == 5)
    #expect(try RunConfig.parse(json: config.jsonValue, path: "config.json") == config)
    #expect(try run(#"{"rotate": 8}"#).testViews == [nil])
    #expect(throws: ConfigError.self) { try run(#"{"shift": 2, "test": true}"#) }
    #expect(throws: ConfigError.self) { try run(#"{"rotate": 8, "test": "yes"}"#) }
  }

  /// A run that asks for them scores every test figure with them and records how many; the
  /// record's figure is `Evaluator.test` of the saved model.
  @Test func aRunsTestFiguresAverageTheViews() throws {
    let out = Fixtures.temporaryFolder()
    var config = CheckpointTests.smallConfig(epochs: 1)
    config.name = "tta"
    config.augmentWarp = Warp(rotation: 10, scale: 0.1)
    config.testAugment = true
    let trainer = try CheckpointTests.train(config, out: out, mode: .create)
    let record = try SavedRun(path: "\(out)/tta").record
    #expect(record.testViews == 5 && record.testText!.hasSuffix("best checkpoint, 5 views"))
    let test = try #require(trainer.data.test)
    #expect(record.testOfFinalModel == Evaluator.evaluate(trainer.model, on: test, views: config.augmentWarp.testViews, collectPredictions: false).metrics)
    #expect(record.testOfFinalModel != Evaluator.evaluate(trainer.model, on: test))
    let saved = try SavedRun(path: "\(out)/tta")
    #expect(record.testOfBestCheckpoint == Evaluator.test(try saved.model(checkpoint: .best), on: test, config: saved.config).metrics)
  }
}
