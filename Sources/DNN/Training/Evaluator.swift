import Foundation

/// Loss, accuracy and predictions of a model on a dataset view, in large inference batches.
public enum Evaluator {
  /// Samples per inference batch: large for speed, bounded for memory (3 MB of input).
  public static let batchSize = 1000
  /// Floats an inference batch may keep in its layers' buffers, all of them together (32 MB):
  /// every layer keeps its buffers at the largest batch it has run, so a model evaluated in
  /// batches of B holds B x (the sum of its layers' largest buffers per sample) from then on.
  /// cnn.json's layers keep about 49,000 floats per sample (its first convolution's padded
  /// planes, outputs, BatchNorm's and pooling's), so its batches are about 160 samples: sized by
  /// the largest layer alone (430), each model held 85 MB, and a run with a weight average two.
  public static let floatsPerBatch = 8_000_000

  /// The inference batch for `model`: `batchSize`, or fewer when its layers' buffers per
  /// sample would take more than `floatsPerBatch` together.
  public static func batchSize(for model: Sequential) -> Int {
    let perSample = model.layers.reduce(0) { $0 + $1.workspacePerSample }
    return max(1, min(batchSize, floatsPerBatch / max(perSample, 1)))
  }

  /// Metrics of `model` on `view`.
  public static func evaluate(_ model: Sequential, on view: DatasetView) -> Metrics {
    evaluate(model, on: view, collectPredictions: false).metrics
  }

  /// Test metrics of `model` on `view` as a run with `config` scores them, and every sample's
  /// prediction when `collectPredictions`: each digit as the mean of the configuration's test
  /// views (`RunConfig.testViews`). The one rule of the test figures every screen and file shows.
  public static func test(
    _ model: Sequential, on view: DatasetView, config: RunConfig, collectPredictions: Bool = false
  ) -> (metrics: Metrics, predictions: ValidationPredictions?) {
    evaluate(model, on: view, views: config.testViews, collectPredictions: collectPredictions)
  }

  /// Metrics of `model` on `view`, and every sample's prediction when `collectPredictions`.
  /// With more than one view (test-time augmentation, `Warp.testViews`) each sample's
  /// probabilities are the mean of its views' (nil: the image as it is), and its loss and
  /// prediction are those of the mean:
  ///   p̄ = (1/V) Σ_v model(view_v(x)),  ŷ = argmax_c p̄_c,  loss = −log clip(p̄_y, ε, 1 − ε)
  public static func evaluate(
    _ model: Sequential, on view: DatasetView, views: [Warp.Draw?] = [nil], collectPredictions: Bool
  ) -> (metrics: Metrics, predictions: ValidationPredictions?) {
    guard view.count > 0 else { return (Metrics(loss: .nan, accuracy: .nan), nil) }
    let loader = BatchLoader(view: view, batchSize: batchSize(for: model), generator: nil)
    var totalLoss: Double = 0
    var correct = 0
    let classes = model.outputFeatures
    var labels: [UInt8] = [], predicted: [UInt8] = [], probabilities: [Float] = []
    if collectPredictions {
      labels.reserveCapacity(view.count)
      predicted.reserveCapacity(view.count)
      probabilities.reserveCapacity(view.count * classes)
    }
    let mean = views.count > 1 ? Tensor(rows: 0, columns: classes) : nil
    for batch in 0..<loader.batchesPerEpoch {
      let output: Tensor
      if let mean {
        loader.prepare(batch: batch)
        output = meanOfViews(model, views: views, loader: loader, into: mean)
      } else {
        loader.load(batch: batch)
        output = model.predict(loader.images)
      }
      for r in 0..<output.rows {
        let y = loader.labels[r]
        totalLoss += CrossEntropy.negativeLogLikelihood(output[r, y])
        let guess = Classification.argmax(output, row: r)
        if guess == y { correct += 1 }
        if collectPredictions {
          labels.append(UInt8(y))
          predicted.append(UInt8(guess))
          for j in 0..<classes { probabilities.append(output[r, j]) }
        }
      }
    }
    let metrics = Metrics(loss: Float(totalLoss / Double(view.count)), accuracy: Float(correct) / Float(view.count))
    guard collectPredictions else { return (metrics, nil) }
    return (metrics, ValidationPredictions(epoch: 0, labels: labels, predicted: predicted, probabilities: probabilities, classes: classes))
  }

  /// The mean of `model`'s probabilities over `views` of the prepared batch, in `mean` (summed in
  /// Double, the order of `views`, as `Ensemble` averages its members).
  private static func meanOfViews(_ model: Sequential, views: [Warp.Draw?], loader: BatchLoader, into mean: Tensor) -> Tensor {
    mean.resize(rows: loader.labels.count, columns: model.outputFeatures)
    var sum = [Double](repeating: 0, count: mean.count)
    for view in views {
      loader.fixedView = view
      loader.fillImages(rows: 0..<loader.images.rows)
      let output = model.predict(loader.images)
      for i in sum.indices { sum[i] += Double(output.pointer[i]) }
    }
    loader.fixedView = nil
    for i in sum.indices { mean.pointer[i] = Float(sum[i] / Double(views.count)) }
    return mean
  }
}
