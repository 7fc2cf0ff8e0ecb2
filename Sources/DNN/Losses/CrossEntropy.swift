import Foundation

/// Categorical cross-entropy on probabilities, averaged over the batch, with the original's
/// epsilon clipping:
///
///     J = -(1/B) Σ_b log(clip(p[b, y_b], ε, 1 - ε))                 p: [B, classes]
///     ∂J/∂p[b, j] = -1 / (B · p[b, y_b])  for j = y_b (0 where clipped), else 0
public final class CrossEntropy {
  /// The clipping ε (Keras' default).
  public let epsilon: Float
  private let gradient = Tensor(rows: 0, columns: 0)

  /// A loss with clipping `epsilon`.
  public init(epsilon: Float = 1e-7) { self.epsilon = epsilon }

  /// The mean loss of `probabilities` for `labels`; prepares `backward()`.
  public func loss(probabilities p: Tensor, labels: [Int]) -> Float {
    precondition(labels.count == p.rows, "\(labels.count) labels for \(p)")
    gradient.resize(like: p)
    gradient.fill(0)
    let scale = 1 / Float(p.rows)
    var total: Double = 0
    for b in 0..<p.rows {
      let raw = p[b, labels[b]]
      let clipped = min(max(raw, epsilon), 1 - epsilon)
      total -= Double(logf(clipped))
      if raw == clipped { gradient[b, labels[b]] = -scale / clipped }
    }
    return Float(total / Double(p.rows))
  }

  /// ∂J/∂p of the last `loss` call.
  public func backward() -> Tensor { gradient }
}

/// Softmax followed by cross-entropy, fused: the gradient with respect to the scores is
///
///     ∂J/∂z[b, j] = (p[b, j] - 1[j = y_b]) / B
///
/// which is what the separate `Softmax` Jacobian times the `CrossEntropy` gradient gives
/// (exactly, except where the ε clip is active). The loss value is computed as in
/// `CrossEntropy`, so both paths report the same numbers.
public final class SoftmaxCrossEntropy {
  /// The clipping ε, as in `CrossEntropy`.
  public let epsilon: Float
  /// Softmax of the last scores, `[B, classes]`.
  public let probabilities = Tensor(rows: 0, columns: 0)
  private let gradient = Tensor(rows: 0, columns: 0)

  /// A fused loss with clipping `epsilon`.
  public init(epsilon: Float = 1e-7) { self.epsilon = epsilon }

  /// The mean loss of `logits` `[B, classes]` for `labels`; prepares `backward()`.
  public func loss(logits: Tensor, labels: [Int]) -> Float {
    precondition(labels.count == logits.rows, "\(labels.count) labels for \(logits)")
    probabilities.resize(like: logits)
    gradient.resize(like: logits)
    Softmax.rows(of: logits, into: probabilities)
    let scale = 1 / Float(logits.rows)
    let n = logits.count
    let p = probabilities.pointer, g = gradient.pointer
    for i in 0..<n { g[i] = p[i] * scale }
    var total: Double = 0
    for b in 0..<logits.rows {
      let y = labels[b]
      let clipped = min(max(probabilities[b, y], epsilon), 1 - epsilon)
      total -= Double(logf(clipped))
      gradient[b, y] -= scale
    }
    return Float(total / Double(logits.rows))
  }

  /// ∂J/∂z of the last `loss` call.
  public func backward() -> Tensor { gradient }
}

/// Helpers for classification outputs.
public enum Classification {
  /// The index of the largest value in each row.
  public static func argmax(_ scores: Tensor, row: Int) -> Int {
    var best = 0
    var bestValue = -Float.infinity
    for j in 0..<scores.columns where scores[row, j] > bestValue {
      bestValue = scores[row, j]
      best = j
    }
    return best
  }

  /// How many rows of `scores` have their largest value at the label.
  public static func correctCount(_ scores: Tensor, labels: [Int]) -> Int {
    var correct = 0
    for r in 0..<scores.rows where argmax(scores, row: r) == labels[r] { correct += 1 }
    return correct
  }
}
