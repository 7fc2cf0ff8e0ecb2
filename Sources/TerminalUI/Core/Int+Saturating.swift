extension Int {
  /// `value` rounded to the nearest whole number and clamped to Int's range, 0 for NaN: what
  /// drawing and formatting code uses, so that a NaN or infinite number (a run without a
  /// validation set, a diverged loss) can never trap the way `Int(_:)` does.
  public init(saturating value: Double) {
    if value.isNaN {
      self = 0
    } else if value >= 9.2e18 {
      self = .max
    } else if value <= -9.2e18 {
      self = .min
    } else {
      self = Int(value.rounded())
    }
  }
}
