import Foundation

/// How the learning rate changes over training, as a factor of the initial rate.
///
/// `progress` is measured in epochs (fractional within an epoch). A linear warm-up, when
/// `warmupEpochs > 0`, multiplies the factor by `progress / warmupEpochs` until it ends.
public enum LearningRateSchedule: Sendable, Equatable {
  /// η(t) = η₀.
  case constant
  /// η(t) = η₀ · γ^⌊epoch / stepSize⌋ (PyTorch's StepLR stepped once per epoch).
  case step(stepSize: Int, gamma: Float, warmupEpochs: Double = 0)
  /// η(t) = η₀ · ½ (1 + cos(π t / T)), T the total epochs (CosineAnnealingLR, η_min 0).
  case cosine(warmupEpochs: Double = 0)
  /// A constant rate after a linear warm-up.
  case warmup(epochs: Double)

  /// The learning rate at `progress` epochs into a run of `totalEpochs`.
  public func rate(initial: Float, progress: Double, totalEpochs: Int) -> Float {
    var factor: Double
    var warmup: Double = 0
    switch self {
    case .constant: factor = 1
    case .step(let size, let gamma, let w):
      factor = pow(Double(gamma), floor(progress / Double(max(size, 1))))
      warmup = w
    case .cosine(let w):
      factor = 0.5 * (1 + cos(Double.pi * min(progress, Double(totalEpochs)) / Double(max(totalEpochs, 1))))
      warmup = w
    case .warmup(let w):
      factor = 1
      warmup = w
    }
    if warmup > 0 && progress < warmup { factor *= progress / warmup }
    return Float(Double(initial) * factor)
  }
}
