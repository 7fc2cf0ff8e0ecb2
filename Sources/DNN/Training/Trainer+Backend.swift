extension Trainer {
  /// Of the split steps so far, the share the helper thread took part in (`HelperChoice`); nil
  /// without the split or before a step.
  public var helperShare: Double? { parallelStep?.helperShare }

  /// The time in each layer so far, both halves of a split batch added (`RunPlan.timesLayers`).
  var layerTimes: LayerTimes? {
    model.layerClock.map { LayerTimes(model, clocks: [$0] + (parallelStep?.replicaClock.map { [$0] } ?? [])) }
  }

  /// How the matrix products run, for reports: `OpenBLAS (Zen kernel, 2 threads)`, or with the
  /// batch split, `OpenBLAS (Zen kernel), batch split across 2 threads`.
  public var backendSummary: String {
    parallelStep == nil
      ? BLASRuntime.summary : "OpenBLAS (\(BLASRuntime.coreName) kernel), batch split across 2 threads"
  }
}
