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
  public init(epsilon: Float = CrossEntropy.defaultEpsilon) { self.epsilon = epsilon }

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
      total += CrossEntropy.negativeLogLikelihood(probabilities[b, y], epsilon: epsilon)
      gradient[b, y] -= scale
    }
    return Float(total / Double(logits.rows))
  }

  /// ∂J/∂z of the last `loss` call.
  public func backward() -> Tensor { gradient }
}
