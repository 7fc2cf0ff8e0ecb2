import Foundation

/// Softmax followed by cross-entropy, fused: the gradient with respect to the scores is
///
///     ∂J/∂z[b, j] = (p[b, j] - 1[j = y_b]) / B
///
/// which is what the separate `Softmax` Jacobian times the `CrossEntropy` gradient gives
/// (exactly, except where the ε clip is active). The loss value is computed as in
/// `CrossEntropy`, so both paths report the same numbers.
///
/// With label smoothing s (PyTorch's `CrossEntropyLoss(label_smoothing=s)`) the target of a
/// sample is q = (1 − s)·onehot(y) + s/K over K classes instead of the one-hot row:
///
///     J = −(1/B) Σ_b [(1 − s) log p[b, y_b] + (s/K) Σ_j log p[b, j]]
///     ∂J/∂z[b, j] = (p[b, j] − q[b, j]) / B
///
/// The first term is the clipped log-likelihood above; the second uses the exact log-softmax,
/// log p[b, j] = z[b, j] − logsumexp(z[b]) (a confident network's small probabilities are far
/// below the clip, and the gradient is that of the exact loss).
public final class SoftmaxCrossEntropy {
  /// The clipping ε, as in `CrossEntropy`.
  public let epsilon: Float
  /// Label smoothing s, from 0 (one-hot targets) to below 1 (`RunConfig.labelSmoothing`).
  public var smoothing: Float = 0
  /// Softmax of the last scores, `[B, classes]`.
  public let probabilities = Tensor(rows: 0, columns: 0)
  private let gradient = Tensor(rows: 0, columns: 0)
  /// Where the second half of the batch starts while a split step's halves run as one pass
  /// (`Sequential.halves`): the loss is then the halves' mean losses combined as the split
  /// step combines them (the gradient's 1/B needs nothing: it is half each half's, exactly).
  var halvesSplit: Int?

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
    // Without smoothing (s = 0) every term below reduces exactly to the one-hot loss: p·scale,
    // −scale at the label, the log-likelihood alone.
    let classes = logits.columns
    let spread = smoothing / Float(classes)
    for i in 0..<n { g[i] = (p[i] - spread) * scale }
    var total: Double = 0, firstHalf: Double = 0
    for b in 0..<logits.rows {
      if b == halvesSplit {
        firstHalf = total
        total = 0
      }
      let y = labels[b]
      let nll = CrossEntropy.negativeLogLikelihood(probabilities[b, y], epsilon: epsilon)
      let spreadTerm = smoothing > 0 ? Double(spread) * Self.sumOfNegativeLogSoftmax(logits.pointer + b * classes, count: classes) : 0
      total += Double(1 - smoothing) * nll + spreadTerm
      gradient[b, y] -= (1 - smoothing) * scale
    }
    if let split = halvesSplit, split < logits.rows {
      let rows = logits.rows
      return DataParallelStep.batchLoss(
        Float(firstHalf / Double(split)), Float(total / Double(rows - split)), split: split, rows: rows)
    }
    return Float(total / Double(logits.rows))
  }

  /// Σ_j −log softmax(z)_j = K · logsumexp(z) − Σ_j z_j, in Double.
  static func sumOfNegativeLogSoftmax(_ z: UnsafePointer<Float>, count: Int) -> Double {
    var top = -Double.infinity
    for j in 0..<count { top = max(top, Double(z[j])) }
    var exponentials = 0.0, sum = 0.0
    for j in 0..<count {
      exponentials += exp(Double(z[j]) - top)
      sum += Double(z[j])
    }
    return Double(count) * (top + log(exponentials)) - sum
  }

  /// How a training loss with label smoothing `s` is named wherever it is shown (the loss
  /// chart's title, `dnn train`'s header): `label smoothing 0.1`, or short `ls=0.1` (the
  /// setting's label in run names); nil without smoothing.
  public static func smoothingName(_ s: Float, short: Bool) -> String? {
    guard s > 0 else { return nil }
    return short ? RunSetting.labelSmoothing.named("\(s)") : "label smoothing \(s)"
  }

  /// ∂J/∂z of the last `loss` call.
  public func backward() -> Tensor { gradient }
}
