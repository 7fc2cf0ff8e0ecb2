extension Trainer {
  /// How far `+` and `-` may move the learning rate from its schedule: 2^-20 to 2^10 (a factor
  /// pressed past either end stays there, instead of underflowing to 0 or overflowing).
  public static let learningRateFactorRange: ClosedRange<Float> = 0x1p-20...0x1p10

  /// `factor` within `learningRateFactorRange`.
  static func clampedFactor(_ factor: Float) -> Float {
    min(max(factor, learningRateFactorRange.lowerBound), learningRateFactorRange.upperBound)
  }
}
