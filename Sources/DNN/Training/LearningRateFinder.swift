import Foundation

/// The learning-rate range test (Smith 2015, fastai's `lr_find`): from a copy of a run's
/// weights, with a fresh optimizer of the run's kind, train on training batches while the rate
/// grows exponentially from `lowest` to `highest`; record the loss at each rate (smoothed as
/// TensorBoard does), stop when it passes four times its lowest, and suggest the rate where the
/// smoothed loss falls fastest against log(rate) (before its minimum).
///   η_i = lowest · (highest / lowest)^(i / (steps − 1))
///   L̃_i = β L̃_{i−1} + (1 − β) L_i, debiased by 1 − β^(i+1)     (β = 0.9)
///   suggested = η at argmin_i (L̃_{i+1} − L̃_{i−1}) / (log η_{i+1} − log η_{i−1})
/// The run is not touched: the model is a copy, the batches come from a loader of their own.
public struct LearningRateSweep: Sendable {
  /// Rate, raw loss and smoothed loss of each step taken.
  public var rates: [Float]
  public var losses: [Float]
  public var smoothed: [Float]
  /// The suggested rate (nil when the loss never fell).
  public var suggested: Float?
  /// The run's rate when the test began (its schedule's at that point, times its factor).
  public var runRate: Float

  public static let lowest: Float = 1e-6
  public static let highest: Float = 10
  public static let steps = 140
  /// The smoothing's weight.
  public static let beta: Float = 0.9

  /// Runs the test for `config`'s optimizer and batch size from `model` (changed: use a copy) on
  /// `train`, with `runRate` the run's rate now (reported beside the suggestion).
  public init(config: RunConfig, model: Sequential, train: DatasetView, runRate: Float, seed: UInt64 = 1) {
    self.runRate = runRate
    (rates, losses, smoothed) = ([], [], [])
    guard train.count > 0 else { return }
    // The loss the run trains on (with its label smoothing), so the curve is the run's.
    model.labelSmoothing = config.labelSmoothing
    let optimizer = config.optimizer.make()
    let loader = BatchLoader(view: train, batchSize: min(config.batchSize, train.count), generator: SplitMix64(seed: seed).derived("lr-finder"))
    var (average, best, batch) = (Float(0), Float.infinity, 0)
    var norms = [Float](repeating: 0, count: model.parameters.count)
    for i in 0..<Self.steps {
      if batch == 0 { loader.startEpoch() }
      loader.load(batch: batch)
      batch = (batch + 1) % loader.batchesPerEpoch
      let rate = Self.lowest * pow(Self.highest / Self.lowest, Float(i) / Float(Self.steps - 1))
      model.zeroGradients()
      let (loss, _) = model.lossAndGradients(loader.images, labels: loader.labels)
      GradientClipping.norms(of: model.parameters, into: &norms)
      guard loss.isFinite && GradientClipping.globalNorm(norms).isFinite else { break }
      _ = config.clip.apply(to: model.parameters, norms: norms)
      optimizer.learningRate = rate
      optimizer.step(model.parameters)
      average = Self.beta * average + (1 - Self.beta) * loss
      let debiased = average / (1 - pow(Self.beta, Float(i + 1)))
      rates.append(rate)
      losses.append(loss)
      smoothed.append(debiased)
      best = min(best, debiased)
      if debiased > 4 * best && i > 10 { break }
    }
    suggested = Self.steepest(rates: rates, smoothed: smoothed)
  }

  /// The rate where the smoothed loss falls fastest against log(rate), among the points before
  /// its minimum (the first tenth skipped: the average is still settling there).
  static func steepest(rates: [Float], smoothed: [Float]) -> Float? {
    guard let minimum = smoothed.indices.min(by: { smoothed[$0] < smoothed[$1] }) else { return nil }
    let first = max(1, rates.count / 10)
    guard minimum - 1 > first else { return nil }
    let slope = { (i: Int) -> Float in (smoothed[i + 1] - smoothed[i - 1]) / (log(rates[i + 1]) - log(rates[i - 1])) }
    let steepest = (first..<minimum).min { slope($0) < slope($1) }
    return steepest.flatMap { slope($0) < 0 ? rates[$0] : nil }
  }
}
