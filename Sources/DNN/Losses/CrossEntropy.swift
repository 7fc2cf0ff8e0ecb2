import Foundation

/// Categorical cross-entropy on probabilities, averaged over the batch, with the original's
/// epsilon clipping:
///
///     J = -(1/B) Σ_b log(clip(p[b, y_b], ε, 1 - ε))                 p: [B, classes]
///     ∂J/∂p[b, j] = -1 / (B · p[b, y_b])  for j = y_b (0 where clipped), else 0
public final class CrossEntropy {
  /// The clipping ε by default (Keras' default).
  public static let defaultEpsilon: Float = 1e-7
  /// The clipping ε.
  public let epsilon: Float
  private let gradient = Tensor(rows: 0, columns: 0)

  /// A loss with clipping `epsilon`.
  public init(epsilon: Float = CrossEntropy.defaultEpsilon) { self.epsilon = epsilon }

  /// -log(clip(p, ε, 1 - ε)): one sample's loss given the probability of its true class. Every
  /// loss the library reports (training, fused, evaluation) is this.
  @inline(__always)
  public static func negativeLogLikelihood(_ p: Float, epsilon: Float = defaultEpsilon) -> Double {
    -Double(logf(min(max(p, epsilon), 1 - epsilon)))
  }

  /// The mean loss of `probabilities` for `labels`; prepares `backward()`.
  public func loss(probabilities p: Tensor, labels: [Int]) -> Float {
    precondition(labels.count == p.rows, "\(labels.count) labels for \(p)")
    gradient.resize(like: p)
    gradient.fill(0)
    let scale = 1 / Float(p.rows)
    var total: Double = 0
    for b in 0..<p.rows {
      let raw = p[b, labels[b]]
      total += CrossEntropy.negativeLogLikelihood(raw, epsilon: epsilon)
      if raw >= epsilon && raw <= 1 - epsilon { gradient[b, labels[b]] = -scale / raw }
    }
    return Float(total / Double(p.rows))
  }

  /// ∂J/∂p of the last `loss` call.
  public func backward() -> Tensor { gradient }
}
