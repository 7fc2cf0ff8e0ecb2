import Foundation

/// Several models' predictions averaged (an ensemble, such as the seeds of a sweep): for each
/// sample the mean of the members' probabilities, its most probable class, and the loss of
/// that mean (the library's own loss, `CrossEntropy.negativeLogLikelihood`).
///   p̄ = (1/M) Σ_m p_m          [N, C]
///   ŷ = argmax_c p̄_c,  loss = −(1/N) Σ_n log clip(p̄_{n, y_n}, ε, 1 − ε)
public struct Ensemble: Sendable {
  public var members: Int
  /// The averaged probabilities, sample after sample (`classes` each).
  public var probabilities: [Float]
  public var classes: Int
  public var metrics: Metrics

  /// The ensemble of the members' predictions on the same samples (same labels, same order).
  public init(_ members: [ValidationPredictions]) throws {
    guard let first = members.first else { throw ConfigError("an ensemble needs at least one member") }
    guard members.allSatisfy({ $0.labels == first.labels && $0.classes == first.classes }) else {
      throw ConfigError("the runs of an ensemble must be scored on the same test samples (the same data, the same labels)")
    }
    self.members = members.count
    classes = first.classes
    var sum = [Double](repeating: 0, count: first.probabilities.count)
    for member in members { for i in sum.indices { sum[i] += Double(member.probabilities[i]) } }
    probabilities = sum.map { Float($0 / Double(members.count)) }
    var (loss, correct) = (0.0, 0)
    for (n, label) in first.labels.enumerated() {
      let row = probabilities[n * classes..<(n + 1) * classes]
      if Classification.argmax(row) == Int(label) { correct += 1 }
      loss += CrossEntropy.negativeLogLikelihood(row[row.startIndex + Int(label)])
    }
    let count = Double(max(first.labels.count, 1))
    metrics = Metrics(loss: Float(loss / count), accuracy: Float(Double(correct) / count))
  }

  /// The member with the highest accuracy (the first of equals): what the ensemble's gain is
  /// measured against.
  public static func bestMember(_ members: [ValidationPredictions]) -> (index: Int, accuracy: Float)? {
    members.map(\.accuracy).enumerated().max { $0.element < $1.element || ($0.element == $1.element && $0.offset > $1.offset) }
      .map { ($0.offset, $0.element) }
  }
}

extension ValidationPredictions {
  /// The fraction of samples predicted right.
  public var accuracy: Float {
    Float(zip(labels, predicted).filter { $0 == $1 }.count) / Float(max(count, 1))
  }
}
