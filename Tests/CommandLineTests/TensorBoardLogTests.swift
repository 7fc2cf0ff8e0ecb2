import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Every run writes a TensorBoard event file as it trains, and TensorBoard's reader (tbparse,
/// from the project's .venv) finds in it what the CSV logs hold: every step's loss, every
/// epoch's metrics, histograms counting every weight, the configuration as text. A file cut
/// mid-record reads up to its last whole record; a killed and resumed run reads as one history;
/// `dnn export --tensorboard` writes the same for a run trained without it.
@Suite(.serialized) struct TensorBoardLogTests {
  static var python: String { Programs.root.appendingPathComponent(".venv/bin/python").path }

  /// What tbparse reads from `folder`.
  static func read(_ folder: String) throws -> [String: [String: [[Any]]]] {
    let result = try Spawn.run([python, Programs.root.appendingPathComponent("Tests/CommandLineTests/tensorboard_check.py").path, folder])
    #expect(result.status == 0, "\(result.errors)")
    return (try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: [String: [[Any]]]]) ?? [:]
  }

  /// Rows of a CSV log after its header, split into fields.
  static func rows(_ path: String) -> [[String]] {
    ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
  }

  /// `[step, value]` pairs of `tag`.
  static func series(_ read: [String: [String: [[Any]]]], _ tag: String) -> [(Int, Float)] {
    (read["scalars"]?[tag] ?? []).map { ($0[0] as? Int ?? -1, Float($0[1] as? Double ?? .nan)) }
  }

  /// The steps of steps.csv and its loss column, as the event file must have them.
  static func expectMatchesLogs(_ run: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let read = try Self.read(run)
    let steps = Self.rows("\(run)/steps.csv")
    let loss = Self.series(read, "train/loss")
    #expect(loss.map(\.0) == steps.map { Int($0[0])! }, "train/loss steps", sourceLocation: sourceLocation)
    #expect(zip(loss, steps).allSatisfy { $0.1 == Float($1[2])! }, "train/loss values", sourceLocation: sourceLocation)
    let metrics = Self.rows("\(run)/metrics.csv")
    let accuracy = Self.series(read, "epoch/validation_accuracy")
    #expect(accuracy.map(\.1) == metrics.map { Float($0[4])! }, "validation accuracy per epoch", sourceLocation: sourceLocation)
    #expect(Self.series(read, "epoch/learning_rate").map(\.1) == metrics.map { Float($0[5])! }, sourceLocation: sourceLocation)
  }

  @Test func aRunsEventFileHoldsWhatItsLogsHold() throws {
    try #require(FileManager.default.isExecutableFile(atPath: Self.python), "no .venv: run scripts/install-deps.sh")
    let out = Programs.temporaryFolder()
    let trained = try Programs.dnn(["train", "--config", RunSafetyTests.tinyConfig(epochs: 3), "--out", out])
    #expect(trained.status == 0, "\(trained.errors)")
    let run = "\(out)/tiny"
    try Self.expectMatchesLogs(run)
    let read = try Self.read(run)
    // 16 → 10 weights and biases (tinyConfig): each histogram counts all of a tensor's values.
    let counts = (read["histograms"] ?? [:]).mapValues { $0.map { $0[1] as? Double ?? 0 } }
    #expect(counts.count >= 4 && counts.values.allSatisfy { $0.count == 3 }, "\(counts.keys.sorted())")
    #expect(counts["weights/0.weight"]?.first == 784 * 16 && counts["weights/2.bias"]?.first == 10, "\(counts)")
    // Activations on the probe images (the first 256 of the 400 validation digits): 16 per
    // digit after the first layer and the ReLU, 10 after the last two.
    #expect(counts["activations/1.relu"]?.first == 256 * 16 && counts["activations/3.softmax"]?.first == 256 * 10, "\(counts.keys.sorted())")
    #expect((read["text"]?["configuration"]?.first?[1] as? String)?.contains("\"layers\"") == true)
    #expect(Self.series(read, "gradient_norm/0.weight").count == Self.rows("\(run)/steps.csv").count)
    // Cut mid-record, as a kill would: read up to the last whole record.
    let file = "\(run)/events.out.tfevents.diy-dnn"
    let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as! Int
    #expect(truncate(file, off_t(size - 7)) == 0)
    let cut = try Self.read(run)
    #expect(Self.series(cut, "train/loss").count == Self.rows("\(run)/steps.csv").count)
    #expect(cut["histograms"]?["weights/0.weight"]?.count == 3 && cut["histograms"]?["activations/1.relu"]?.count == 2,
            "the last epoch's activations were the torn record")
  }

  @Test func aKilledAndResumedRunReadsAsOneHistory() throws {
    try #require(FileManager.default.isExecutableFile(atPath: Self.python), "no .venv: run scripts/install-deps.sh")
    let config = RunSafetyTests.tinyConfig(epochs: 4)
    // Killed at a rename of the final save: the logs (CSV and event file) hold 4 epochs while
    // the state holds 1, so the resumed run trains epochs 2-4 again. The first such rename.
    var tried = 0
    for n in 4...14 {
      let out = Programs.temporaryFolder()
      let killed = try Spawn.run(["strace", "-f", "-o", "/dev/null", "-e", "trace=rename", "-e", "inject=rename:signal=SIGKILL:when=\(n)",
                                  try Programs.path("dnn"), "train", "--config", config, "--out", out], directory: Programs.root.path)
      guard killed.status == 128 + SIGKILL, Self.rows("\(out)/tiny/metrics.csv").count == 4 else { continue }
      tried += 1
      let resumed = try Programs.dnn(["train", "--config", config, "--out", out, "--resume"])
      #expect(resumed.status == 0, "\(resumed.errors)")
      try Self.expectMatchesLogs("\(out)/tiny")
      // The file itself holds each step once: cut back to the saved step on resume, not left
      // for the reader's restart rule to sort out.
      let raw = (try Self.read("\(out)/tiny")["raw"]?["train/loss"] ?? []).map { $0[0] as? Int ?? -1 }
      #expect(raw == Self.rows("\(out)/tiny/steps.csv").map { Int($0[0])! }, "rename #\(n): steps in the file: \(raw)")
      break
    }
    #expect(tried == 1, "no rename left the logs ahead of the state")
  }

  @Test func exportWritesTheFileForARunTrainedWithoutIt() throws {
    try #require(FileManager.default.isExecutableFile(atPath: Self.python), "no .venv: run scripts/install-deps.sh")
    let out = Programs.temporaryFolder()
    let trained = try Programs.dnn(["train", "--config", RunSafetyTests.tinyConfig(epochs: 2), "--out", out, "--no-tensorboard"])
    #expect(trained.status == 0, "\(trained.errors)")
    #expect(!FileManager.default.fileExists(atPath: "\(out)/tiny/events.out.tfevents.diy-dnn"))
    let exported = try Programs.dnn(["export", "\(out)/tiny", "--tensorboard"])
    #expect(exported.status == 0, "\(exported.errors)")
    try Self.expectMatchesLogs("\(out)/tiny")
  }
}
