import Dispatch

/// Time spent in each layer's forward and backward passes, for `dnn bench --profile` and the
/// dashboard's layers view (a watched run times its layers): two clock
/// reads around each layer call in `Sequential.advancePass` (about 50 ns each, against a
/// layer's microseconds; nothing is read without a clock). A layer that meets the other half
/// of a split batch counts the parts before and after the meeting, not the wait between them.
/// The loss (the fused softmax + cross-entropy, or the cross-entropy after the last layer)
/// counts as the last layer's. One clock per `Sequential`, read by the thread that runs it.
final class LayerClock {
  private(set) var forward: [UInt64]
  private(set) var backward: [UInt64]
  /// Training passes completed.
  private(set) var passes = 0

  init(layers: Int) {
    forward = Array(repeating: 0, count: layers)
    backward = Array(repeating: 0, count: layers)
  }

  /// Counts a completed pass.
  func finishPass() { passes += 1 }

  /// Runs `body`, adding its time to layer `layer`'s forward or backward.
  @inline(__always) func time<T>(_ layer: Int, backward isBackward: Bool, _ body: () -> T) -> T {
    let start = DispatchTime.now().uptimeNanoseconds
    let result = body()
    let elapsed = DispatchTime.now().uptimeNanoseconds &- start
    if isBackward { backward[layer] &+= elapsed } else { forward[layer] &+= elapsed }
    return result
  }
}

/// Where a run's training time went, layer by layer (`LayerClock`). With the batch split the
/// two halves' times add up: thread time, which on two threads exceeds the wall clock.
public struct LayerTimes: Sendable, Equatable {
  /// Each layer as the model prints it (`Conv2D(1 -> 16, 5x5, padding 2, he)`).
  public var layers: [String]
  public var forwardSeconds: [Double]
  public var backwardSeconds: [Double]
  /// Training steps timed.
  public var steps: Int
  /// For a layer that training passes run inside another's (a ReLU its BatchNorm applies:
  /// `Sequential.rectifyingLayers`), that layer's index, whose time holds its time; else nil.
  public var runInside: [Int?]

  /// Both passes of every layer.
  public var totalSeconds: Double { forwardSeconds.reduce(0, +) + backwardSeconds.reduce(0, +) }

  /// Layer `index`'s share of the layers' time, from 0 to 1 (0 before any time was measured).
  public func share(of index: Int) -> Double {
    let total = totalSeconds
    return total > 0 ? (forwardSeconds[index] + backwardSeconds[index]) / total : 0
  }

  public init(layers: [String], forwardSeconds: [Double], backwardSeconds: [Double], steps: Int, runInside: [Int?]? = nil) {
    (self.layers, self.forwardSeconds, self.backwardSeconds, self.steps) = (layers, forwardSeconds, backwardSeconds, steps)
    self.runInside = runInside ?? Array(repeating: nil, count: layers.count)
  }

  /// The times of `model`'s layers from `clocks`, added: the model's and, with the batch
  /// split, the replica's.
  init(_ model: Sequential, clocks: [LayerClock]) {
    runInside = model.layers.indices.map { model.rectifyingLayers.contains($0 - 1) ? $0 - 1 : nil }
    layers = zip(model.layers, runInside).map { layer, host in host.map { "\(layer.summary) (in BatchNorm #\($0))" } ?? layer.summary }
    let sum = { (pick: (LayerClock) -> [UInt64]) in
      (0..<model.layers.count).map { i in Double(clocks.map { pick($0)[i] }.reduce(0, +)) * 1e-9 }
    }
    forwardSeconds = sum(\.forward)
    backwardSeconds = sum(\.backward)
    steps = clocks.first?.passes ?? 0
  }
}
