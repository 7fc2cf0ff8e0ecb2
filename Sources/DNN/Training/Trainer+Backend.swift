extension Trainer {
  /// Of the split steps so far, the share the helper thread took part in (`HelperChoice`); nil
  /// without the split or before a step.
  public var helperShare: Double? { parallelStep?.helperShare }

  /// How the matrix products run, for reports: `OpenBLAS (Zen kernel, 2 threads)`, or with the
  /// batch split, `OpenBLAS (Zen kernel), batch split across 2 threads`.
  public var backendSummary: String {
    parallelStep == nil
      ? BLASRuntime.summary : "OpenBLAS (\(BLASRuntime.coreName) kernel), batch split across 2 threads"
  }
}
