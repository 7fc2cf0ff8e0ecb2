import Foundation

/// What one layer's output looked like on a training batch: the statistics practitioners read
/// to see whether a layer still works (Karpathy's "recipe": activations neither collapsing to
/// zero nor exploding, units alive, updates about a thousandth of the weights).
public struct ActivationStats: Sendable, Equatable {
  /// Mean and standard deviation over every value of the batch's output `[B, F]`.
  public var mean: Float
  public var standardDeviation: Float
  /// ReLU and LeakyReLU: the fraction of the F units that are not positive for any sample of
  /// the batch (a dead ReLU passes no gradient back: it no longer learns). Nil for other layers.
  public var deadFraction: Float?
  /// Softmax: the fraction of samples whose largest probability is at least
  /// `saturationThreshold` (one-hot outputs: little gradient when right, huge loss when wrong).
  public var saturatedFraction: Float?

  public static let saturationThreshold: Float = 0.99

  public init(mean: Float, standardDeviation: Float, deadFraction: Float? = nil, saturatedFraction: Float? = nil) {
    self.mean = mean
    self.standardDeviation = standardDeviation
    self.deadFraction = deadFraction
    self.saturatedFraction = saturatedFraction
  }

  /// The statistics of `output` `[B, F]` of a layer of kind `kind`.
  public static func measure(_ output: Tensor, role: OutputHealth) -> ActivationStats {
    let n = output.count
    guard n > 0 else { return ActivationStats(mean: .nan, standardDeviation: .nan) }
    let mean = Kernels.sum(output.pointer, count: n) / Float(n)
    let variance = Kernels.sumOfSquaredDifferences(output.pointer, from: mean, count: n) / Float(n)
    var stats = ActivationStats(mean: mean, standardDeviation: variance.squareRoot())
    switch role {
    case .deadUnits: stats.deadFraction = deadFraction(output)
    case .saturation: stats.saturatedFraction = saturatedFraction(output)
    case .spread: break
    }
    return stats
  }

  /// The fraction of columns of `x` with no positive value in any row.
  static func deadFraction(_ x: Tensor) -> Float {
    guard x.columns > 0 else { return 0 }
    var alive = [Bool](repeating: false, count: x.columns)
    for r in 0..<x.rows {
      let row = x.pointer + r * x.columns
      for c in 0..<x.columns where row[c] > 0 { alive[c] = true }
    }
    return Float(alive.lazy.filter { !$0 }.count) / Float(x.columns)
  }

  /// The fraction of rows of `x` whose largest value is at least `saturationThreshold`.
  static func saturatedFraction(_ x: Tensor) -> Float {
    guard x.rows > 0 else { return 0 }
    var saturated = 0
    for r in 0..<x.rows {
      let row = UnsafeBufferPointer(start: x.pointer + r * x.columns, count: x.columns)
      if (row.max() ?? 0) >= saturationThreshold { saturated += 1 }
    }
    return Float(saturated) / Float(x.rows)
  }
}

/// The layer-health report of one training step (`TrainingEvent.health`): each layer's output
/// statistics on the step's batch and each parameter tensor's update ratio.
public struct LayerHealth: Sendable {
  /// The step measured (1-based, as `BatchReport.step`).
  public var step: Int
  /// Per layer, in model order.
  public var activations: [ActivationStats]
  /// Per parameter tensor (in `RunStarted.parameterNames` order): log10(‖ΔW‖ / ‖W‖) of the
  /// step, the size of the update relative to the weights. About -3 is healthy; far below, the
  /// tensor barely learns; far above, training is unstable. -infinity for a step that left the
  /// tensor unchanged; NaN for a tensor of zeros.
  public var updateRatios: [Float]
  /// Samples the statistics come from (the first half of the batch when it is split).
  public var samples: Int
  /// The time in each layer since training started in this process, when the run times its
  /// layers (`RunPlan.timesLayers`, which a watched run does).
  public var layerTimes: LayerTimes? = nil

  public init(step: Int, activations: [ActivationStats], updateRatios: [Float], samples: Int) {
    self.step = step
    self.activations = activations
    self.updateRatios = updateRatios
    self.samples = samples
  }

  /// The band around the rule of thumb's -3 in which an update ratio counts as healthy.
  public static let healthyBand: ClosedRange<Float> = -4...(-2)

  /// log10(‖after - before‖ / ‖after‖).
  public static func updateRatio(before: UnsafePointer<Float>, after: UnsafePointer<Float>, count: Int) -> Float {
    var difference: Double = 0, weights: Double = 0
    for i in 0..<count {
      let d = Double(after[i]) - Double(before[i])
      difference += d * d
      weights += Double(after[i]) * Double(after[i])
    }
    guard weights > 0 else { return .nan }
    return Float(log10((difference / weights).squareRoot()))
  }
}

/// Collects `ActivationStats` of each layer's output during a training forward pass
/// (`Sequential.activationTrace`), for the layer-health report.
public final class ActivationTrace {
  public private(set) var stats: [ActivationStats?]
  public private(set) var samples = 0

  public init(layers: Int) { stats = Array(repeating: nil, count: layers) }

  /// Records the output of layer `index`.
  func record(_ index: Int, role: OutputHealth, output: Tensor) {
    guard stats.indices.contains(index) else { return }
    stats[index] = ActivationStats.measure(output, role: role)
    samples = output.rows
  }

  /// Forgets what was recorded.
  func reset() {
    for i in stats.indices { stats[i] = nil }
    samples = 0
  }
}
