import Foundation
import Testing

@testable import DNN

/// An ensemble's probabilities are the mean of its members', its metrics those of that mean.
@Suite struct EnsembleTests {
  static func predictions(_ probabilities: [Float], labels: [UInt8]) -> ValidationPredictions {
    let predicted = labels.indices.map { n in UInt8((0..<3).max { probabilities[n * 3 + $0] < probabilities[n * 3 + $1] }!) }
    return ValidationPredictions(epoch: 1, labels: labels, predicted: predicted, probabilities: probabilities, classes: 3)
  }

  @Test func theMeanOfTheMembersProbabilities() throws {
    let labels: [UInt8] = [0, 1]
    // Member a gets sample 0 right and 1 wrong, member b the other way; their mean gets both.
    let a = Self.predictions([0.6, 0.3, 0.1, 0.5, 0.4, 0.1], labels: labels)
    let b = Self.predictions([0.4, 0.5, 0.1, 0.1, 0.8, 0.1], labels: labels)
    let ensemble = try Ensemble([a, b])
    let mean: [Float] = [0.5, 0.4, 0.1, 0.3, 0.6, 0.1]
    #expect(zip(ensemble.probabilities, mean).allSatisfy { abs($0 - $1) < 1e-6 })
    #expect(ensemble.metrics.accuracy == 1 && ensemble.members == 2)
    #expect(abs(Double(ensemble.metrics.loss) - -(log(0.5) + log(0.6)) / 2) < 1e-6)
    // Members scored on other samples are refused.
    #expect(throws: ConfigError.self) { try Ensemble([a, Self.predictions([0.6, 0.3, 0.1, 0.5, 0.4, 0.1], labels: [1, 1])]) }
  }
}
