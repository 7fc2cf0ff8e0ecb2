import Foundation
import Testing

/// A run that keeps a weight average, the way a user meets it: `dnn train` names it in its last
/// line and saves `average.safetensors`, the logs and the TensorBoard file carry its curve, and
/// `dnn evaluate` and `dnn export` take it by default (the other checkpoints on request).
@Suite struct WeightAverageCommandTests {
  @Test func theAverageIsWhatTheRunKeeps() throws {
    let out = Programs.temporaryFolder()
    let config = RunSafetyTests.tinyConfig(epochs: 3, extra: #""average": {"decay": 0.99}"#)
    let trained = try Programs.dnn(["train", "--config", config, "--out", out])
    #expect(trained.status == 0, "\(trained.errors)")
    #expect(!trained.output.contains("smoothed targets"), "no label smoothing here")
    let run = "\(out)/tiny"
    let last = trained.output.split(separator: "\n").last.map(String.init) ?? ""
    #expect(last.hasPrefix("tiny: FINISHED at epoch 3/3") && last.contains("· weight average"), "\(last)")
    #expect(trained.output.contains("avg_val_acc"), "the epoch lines show the average's figures")
    #expect(FileManager.default.fileExists(atPath: "\(run)/average.safetensors"))
    let metrics = TensorBoardLogTests.rows("\(run)/metrics.csv")
    #expect(metrics.count == 3 && metrics.allSatisfy { $0.count == 9 }, "\(metrics)")
    let configJSON = try String(contentsOfFile: "\(run)/config.json", encoding: .utf8)
    #expect(configJSON.contains("\"average\""), "config.json keeps the decay")

    let evaluated = try Programs.dnn(["evaluate", run, "--samples", "0"])
    #expect(evaluated.status == 0 && evaluated.output.contains("· weight average"), "\(evaluated.output)")
    let best = try Programs.dnn(["evaluate", run, "--samples", "0", "--checkpoint", "best"])
    #expect(best.status == 0 && best.output.contains("· best checkpoint") && !best.output.contains("· weight average"))
    // The same figure the run recorded for its average.
    let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(run)/run.json"))) as? [String: Any]
    let recorded = ((record?["testOfAverage"] as? [String: Any])?["accuracy"] as? Double) ?? -1
    let json = try Programs.dnn(["evaluate", run, "--samples", "0", "--json"])
    let runs = ((try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])?["runs"] as? [[String: Any]]) ?? []
    #expect(runs.first?["checkpoint"] as? String == "average")
    #expect(((runs.first?["test"] as? [String: Any])?["accuracy"] as? Double).map { abs($0 - recorded) < 1e-6 } == true)

    let exported = try Programs.dnn(["export", run, "--onnx"])
    #expect(exported.status == 0 && exported.output.contains("weight average"), "\(exported.errors)")
    #expect(FileManager.default.fileExists(atPath: "\(run)/model-average.onnx"))

    if FileManager.default.isExecutableFile(atPath: TensorBoardLogTests.python) {
      let read = try TensorBoardLogTests.read(run)
      let accuracy = TensorBoardLogTests.series(read, "epoch/average_validation_accuracy").map(\.1)
      #expect(accuracy == metrics.map { Float($0[8])! }, "the event file's average curve")
    }
  }

  /// A run without one keeps the best checkpoint as before; asking for its average says what it has.
  @Test func aRunWithoutAnAverageSaysSo() throws {
    let out = Programs.temporaryFolder()
    let trained = try Programs.dnn(["train", "--config", RunSafetyTests.tinyConfig(epochs: 1), "--out", out])
    #expect(trained.status == 0 && trained.output.contains("· best checkpoint"), "\(trained.output)")
    let asked = try Programs.dnn(["evaluate", "\(out)/tiny", "--checkpoint", "average"])
    #expect(asked.status != 0 && asked.errors.contains("no average.safetensors"), "\(asked.errors)")
  }
}
