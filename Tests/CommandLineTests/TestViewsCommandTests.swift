import Foundation
import Testing

/// Test-time augmentation the way a user meets it: `dnn train` names the views in its last line
/// and records them, `dnn evaluate` scores with them by default and says what they gain over
/// the digits alone, `--views plain` and `--views augmented` choose otherwise (a run with no
/// views to draw scored alone, with a note).
@Suite struct TestViewsCommandTests {
  static func accuracy(_ result: Spawn.Result) -> (test: Double, views: Int, alone: Double?) {
    let runs = ((try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])?["runs"] as? [[String: Any]]) ?? [[:]]
    let test = ((runs[0]["test"] as? [String: Any])?["accuracy"] as? Double) ?? -1
    return (test, (runs[0]["testViews"] as? Int) ?? -1, (runs[0]["testOfDigitsAlone"] as? [String: Any])?["accuracy"] as? Double)
  }

  @Test func theViewsAreRecordedAndChosen() throws {
    let out = Programs.temporaryFolder()
    let config = RunSafetyTests.tinyConfig(epochs: 2, extra: #""augment": {"rotate": 10, "scale": 0.1, "test": true}"#)
    let trained = try Programs.dnn(["train", "--config", config, "--out", out])
    #expect(trained.status == 0, "\(trained.errors)")
    let last = trained.output.split(separator: "\n").last.map(String.init) ?? ""
    #expect(last.contains("· best checkpoint, 5 views"), "\(last)")
    let run = "\(out)/tiny"
    let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(run)/run.json"))) as? [String: Any]
    #expect(record?["testViews"] as? Int == 5)
    let recorded = ((record?["testOfBestCheckpoint"] as? [String: Any])?["accuracy"] as? Double) ?? -2

    let viewed = Self.accuracy(try Programs.dnn(["evaluate", run, "--samples", "0", "--json"]))
    #expect(viewed.views == 5 && abs(viewed.test - recorded) < 1e-6 && viewed.alone != nil)
    let plain = Self.accuracy(try Programs.dnn(["evaluate", run, "--samples", "0", "--json", "--views", "plain"]))
    #expect(plain.views == 1 && plain.alone == nil && abs(plain.test - viewed.alone!) < 1e-6)
    let text = try Programs.dnn(["evaluate", run, "--samples", "0"])
    #expect(text.output.contains("the mean of 5 views (as is, turned ±10°, scaled ±10%;") && text.output.contains("points over the digits alone"), "\(text.output)")

    // A run trained without views: scored alone unless asked, and asking needs a turn or a scale.
    let other = Programs.temporaryFolder()
    let shifted = RunSafetyTests.tinyConfig(epochs: 1, extra: #""augment": {"shift": 1}"#)
    #expect(try Programs.dnn(["train", "--config", shifted, "--out", other]).status == 0)
    let asked = try Programs.dnn(["evaluate", "\(other)/tiny", "--views", "augmented", "--json"])
    #expect(asked.status == 0 && asked.errors.contains("neither turns nor scales digits") && Self.accuracy(asked).views == 1, "\(asked.errors)")
    let refused = try Programs.dnn(["train", "--config", RunSafetyTests.tinyConfig(epochs: 1, extra: #""augment": {"shift": 1, "test": true}"#), "--out", other, "--overwrite"])
    #expect(refused.status != 0 && refused.errors.contains("give rotate or scale"), "\(refused.errors)")
  }
}
