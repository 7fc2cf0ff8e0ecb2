import Testing

@testable import DNN
@testable import Dashboard

/// The layers view's time, for a layer with time of its own and for a ReLU its BatchNorm runs
/// (`LayerTimes.runInside`): that one says where its time is instead of a share near 0.
@Suite struct LayerTimesColumnTests {
  /// A model's own times: Dense, BatchNorm, the ReLU inside it, Dense, Softmax.
  static var times: LayerTimes {
    let model = ModelBuilder.build(
      [.dense(units: 8, initializer: .he), .batchNorm(momentum: 0.1, epsilon: 1e-5), .relu, .dense(units: 10, initializer: .he), .softmax],
      seed: 1)
    var times = LayerTimes(model, clocks: [LayerClock(layers: model.layers.count)])
    (times.forwardSeconds, times.backwardSeconds, times.steps) = ([0.2, 0.1, 0.001, 0.05, 0.05], [0.4, 0.1, 0.001, 0.1, 0], 10)
    return times
  }

  @Test func aReLURunInsideItsBatchNormSaysSo() {
    let times = Self.times
    #expect(times.runInside == [nil, nil, 1, nil, nil])
    #expect(LayersPanel.share(times, layer: 2) == "in #1")
    #expect(LayersPanel.timeLine(times, layer: 2) == "    time  counted in layer 1's (the two run as one pass while training)")
    #expect(LayersPanel.share(times, layer: 0) == "59.9%")
    #expect(LayersPanel.timeLine(times, layer: 1).hasPrefix("    time  forward 10.00 ms + backward 10.00 ms a step, 20.0% of the layers'"))
  }
}
