import Foundation
import Testing

/// Label smoothing the way a user meets it: `dnn train` says what its training loss is, the
/// run's config.json keeps the setting, a resume with another value is refused, and a value
/// out of range is an error naming the key.
@Suite struct LabelSmoothingCommandTests {
  @Test func theRunSaysWhatItsLossIs() throws {
    let out = Programs.temporaryFolder()
    let config = RunSafetyTests.tinyConfig(epochs: 2, extra: #""labelSmoothing": 0.2"#)
    let trained = try Programs.dnn(["train", "--config", config, "--out", out])
    #expect(trained.status == 0, "\(trained.errors)")
    #expect(trained.output.contains("loss: cross-entropy against smoothed targets (label smoothing 0.2)"), "\(trained.output)")
    let configJSON = try String(contentsOfFile: "\(out)/tiny/config.json", encoding: .utf8)
    #expect(configJSON.contains("\"labelSmoothing\""))
    // The training loss is against smoothed targets, the validation loss is not: with 10
    // classes and s = 0.2 the training loss cannot fall below the targets' entropy (0.87).
    let metrics = TensorBoardLogTests.rows("\(out)/tiny/metrics.csv")
    #expect(metrics.count == 2 && metrics.allSatisfy { Float($0[1])! > 0.86 }, "\(metrics)")

    let other = RunSafetyTests.tinyConfig(epochs: 3, extra: #""labelSmoothing": 0.1"#)
    let resumed = try Programs.dnn(["train", "--config", other, "--out", out, "--resume", "--epochs", "3"])
    #expect(resumed.status != 0 && resumed.errors.contains("labelSmoothing"), "\(resumed.output) \(resumed.errors)")

    let bad = RunSafetyTests.tinyConfig(epochs: 1, extra: #""labelSmoothing": 1.5"#)
    let refused = try Programs.dnn(["train", "--config", bad, "--out", Programs.temporaryFolder()])
    #expect(refused.status != 0 && refused.errors.contains("labelSmoothing must be at least 0 and below 1"), "\(refused.errors)")
  }
}
