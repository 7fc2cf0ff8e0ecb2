import Dispatch

/// Measures some training steps for the layer-health report (`RunPlan.healthInterval`): before
/// a measured step it keeps a copy of the weights and sets the model's activation trace; after
/// it, the update ratios and the trace make a `LayerHealth`. Steps are measured at most once per
/// interval of time, so the cost stays a small share of training whatever a step takes.
final class HealthProbe {
  private let model: Sequential
  private let intervalNanoseconds: UInt64
  private let trace: ActivationTrace
  /// The weights before the measured step, one buffer per parameter tensor.
  private var before: [[Float]]
  private var lastMeasured: UInt64 = 0
  private var measuring = false

  init(model: Sequential, intervalSeconds: Double) {
    self.model = model
    intervalNanoseconds = UInt64(max(intervalSeconds, 0) * 1e9)
    trace = ActivationTrace(layers: model.layers.count)
    before = model.parameters.map { Array(repeating: 0, count: $0.value.count) }
  }

  /// Called before each step: when one is due, keeps the weights and traces the forward pass.
  func beforeStep() {
    let now = DispatchTime.now().uptimeNanoseconds
    guard lastMeasured == 0 || now - lastMeasured >= intervalNanoseconds else { return }
    lastMeasured = now
    measuring = true
    for (i, p) in model.parameters.enumerated() {
      before[i].withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: p.value.pointer, count: p.value.count) }
    }
    trace.reset()
    model.activationTrace = trace
  }

  /// Called after each step (`applied`: the optimizer updated the weights): the report of a
  /// measured step, with the layers' times so far (read only then), else nil.
  func afterStep(step: Int, applied: Bool, layerTimes: @autoclosure () -> LayerTimes?) -> LayerHealth? {
    guard measuring else { return nil }
    measuring = false
    model.activationTrace = nil
    guard applied else { return nil }
    let ratios = model.parameters.enumerated().map { i, p in
      before[i].withUnsafeBufferPointer { LayerHealth.updateRatio(before: $0.baseAddress!, after: p.value.pointer, count: p.value.count) }
    }
    let missing = ActivationStats(mean: .nan, standardDeviation: .nan)
    var health = LayerHealth(step: step, activations: trace.stats.map { $0 ?? missing }, updateRatios: ratios, samples: trace.samples)
    health.layerTimes = layerTimes()
    return health
  }
}
