/// An exponential moving average of a model's weights (Polyak averaging, as timm's `ModelEmaV2`
/// and PyTorch's `AveragedModel` with `get_ema_multi_avg_fn` keep it), evaluated and saved as a
/// model of its own beside the best and last ones. After every optimisation step n (1-based),
/// for every parameter and buffer (BatchNorm's running statistics too, `use_buffers=True`):
///
///     d_n = min(decay, (1 + n) / (10 + n))          (a warm-up: early weights are forgotten fast)
///     avg ← avg + (1 − d_n) (w − avg)               (PyTorch's `lerp_`: d_n avg + (1 − d_n) w)
///
/// The average starts as a copy of the weights it averages. Its horizon is about 1/(1 − decay)
/// steps: 0.999 averages the last ~1,000 steps.
public final class WeightAverage {
  /// The averaged model (same architecture as the trained one).
  public let model: Sequential
  /// The configured decay (`average.decay`).
  public let decay: Float
  /// Steps averaged so far (saved with the run's state, so a resumed run continues the same sums).
  public private(set) var updates: Int

  /// The decays a configuration may give: from 0.5 to just below 1.
  public static let decayRange: ClosedRange<Double> = 0.5...0.99999

  /// The averaged model's tensors and the source's, in the same order, listed once (the
  /// training step calls `update` and allocates nothing).
  private let averaged: [Tensor], sources: [Tensor]

  /// An average of `source` (a copy of its weights and buffers now, no steps averaged yet),
  /// which `update` folds in after each step.
  public init(of source: Sequential, layers: [LayerSpec], decay: Float) {
    model = ModelBuilder.build(layers, seed: 0)
    self.decay = decay
    updates = 0
    (averaged, sources) = (WeightAverage.tensors(of: model), WeightAverage.tensors(of: source))
    for (mine, theirs) in zip(averaged, sources) { mine.copy(from: theirs) }
  }

  /// The decay of step `n` (1-based): `min(decay, (1 + n) / (10 + n))`.
  public static func decay(_ decay: Float, atUpdate n: Int) -> Float { min(decay, Float(1 + n) / Float(10 + n)) }

  /// Folds in the source's weights after an optimisation step.
  public func update() {
    updates += 1
    let keep = WeightAverage.decay(decay, atUpdate: updates), take = 1 - keep
    for (mine, theirs) in zip(averaged, sources) {
      let a = mine.pointer, w = theirs.pointer
      for i in 0..<mine.count { a[i] += take * (w[i] - a[i]) }
    }
  }

  /// Puts a saved average back (a resumed run's): its tensors are already in `model`.
  public func restore(updates: Int) { self.updates = max(updates, 0) }

  /// Every tensor averaged, in the model's order: parameters, then buffers.
  static func tensors(of model: Sequential) -> [Tensor] { model.parameters.map(\.value) + model.buffers.map(\.value) }
}
