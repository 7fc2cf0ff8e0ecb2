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

  /// The position (from 0) of the largest of `values`, the first of equals; 0 when there is none.
  public static func argmax(_ values: some Collection<Float>) -> Int {
    var (best, bestValue) = (0, -Float.infinity)
    for (j, v) in values.enumerated() where v > bestValue { (best, bestValue) = (j, v) }
    return best
  }

  /// How many rows of `scores` have their largest value at the label.
  public static func correctCount(_ scores: Tensor, labels: [Int]) -> Int {
    var correct = 0
    for r in 0..<scores.rows where argmax(scores, row: r) == labels[r] { correct += 1 }
    return correct
  }
}
