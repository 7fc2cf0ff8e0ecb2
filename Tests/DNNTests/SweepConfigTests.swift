import Foundation
import Testing

@testable import DNN

/// Sweeps written as a block (`"sweep"`: grid or random search), settings given on the command
/// line (`RunOverrides`), and the table of what sets runs apart (`RunDifferences`).
@Suite struct SweepConfigTests {
  static let base = """
    {"name": "mlp", "layers": [{"type": "dense", "units": 32}, {"type": "relu"}, {"type": "dense", "units": 10}, {"type": "softmax"}],
     "optimizer": {"type": "sgd", "learningRate": 0.05, "momentum": 0.9}, "epochs": 2
    """

  static func parse(_ sweep: String) throws -> RunFile {
    try RunFile.parse(Data("{\"runs\": [\(base), \"sweep\": \(sweep)}]}".utf8), path: "sweep.json")
  }

  static func learningRate(_ run: RunConfig) -> Float { run.optimizer.learningRate }

  @Test func aGridIsTheCartesianProductNamedByItsValues() throws {
    let file = try Self.parse(#"{"grid": {"optimizer.learningRate": [0.01, 0.1], "batchSize": [64, 128]}}"#)
    #expect(file.runs.map(\.name) == ["mlp-batch=64,lr=0.01", "mlp-batch=64,lr=0.1", "mlp-batch=128,lr=0.01", "mlp-batch=128,lr=0.1"])
    #expect(file.runs.map(\.batchSize) == [64, 64, 128, 128])
    #expect(file.runs.map(Self.learningRate) == [0.01, 0.1, 0.01, 0.1])
    // What the block does not set stays the run's.
    #expect(file.runs.allSatisfy { $0.epochs == 2 && $0.layers.count == 4 })
    if case .sgd(_, let momentum, _, _) = file.runs[0].optimizer { #expect(momentum == 0.9) } else { Issue.record("not sgd") }
    // A layer's setting by index.
    let widths = try Self.parse(#"{"grid": {"layers.0.units": [16, 64]}}"#)
    #expect(widths.runs.map(\.name) == ["mlp-layers.0.units=16", "mlp-layers.0.units=64"])
    #expect(widths.runs.map { $0.layers[0] } == [.dense(units: 16, initializer: .he), .dense(units: 64, initializer: .he)])
  }

  @Test func aRandomSearchDrawsTheSameRunsForTheSameSeed() throws {
    let block = #"{"random": {"count": 6, "seed": 4, "values": {"optimizer.learningRate": {"logUniform": [0.0001, 0.1]}, "batchSize": [32, 64, 128], "optimizer.momentum": {"uniform": [0.5, 0.99]}}}}"#
    let first = try Self.parse(block), second = try Self.parse(block)
    #expect(first.runs.count == 6)
    #expect(first.runs.map(\.name) == second.runs.map(\.name))
    for run in first.runs {
      let lr = Double(Self.learningRate(run))
      #expect(lr >= 0.0001 && lr <= 0.1)
      // Three significant digits, and the name says the value the run trains with.
      #expect(Double(String(format: "%.3g", lr)) == lr || abs(Double(String(format: "%.3g", lr))! - lr) < lr * 1e-6)
      #expect(run.name.contains("lr=\(JSONValue.number(lr).plainText)") || run.name.contains("lr=\(Float(lr))"))
      #expect([32, 64, 128].contains(run.batchSize))
    }
    #expect(Set(first.runs.map(\.batchSize)).count > 1)
    let other = try Self.parse(block.replacingOccurrences(of: "\"seed\": 4", with: "\"seed\": 5"))
    #expect(other.runs.map(\.name) != first.runs.map(\.name))
  }

  @Test(arguments: [
    (#"{"grid": {"batchSize": []}}"#, "non-empty list"),
    (#"{"grid": {"batchSize": [64]}, "random": {"count": 2, "values": {"seed": [1]}}}"#, "exactly one of grid and random"),
    (#"{"grid": {"epochs.x": [1]}}"#, "epochs.x"),
    (#"{"grid": {"layers.9.units": [1]}}"#, "not an index"),
    (#"{"grid": {"batchSize": [0]}}"#, "batchSize"),
    (#"{"grid": {"name": ["a"]}}"#, "not a setting path"),
    (#"{"random": {"count": 3, "values": {"optimizer.learningRate": {"logUniform": [0, 1]}}}}"#, "0 < low < high"),
    (#"{"random": {"values": {"seed": [1]}}}"#, "count"),
  ])
  func badSweepsSayWhatIsWrong(block: String, expected: String) {
    #expect {
      try Self.parse(block)
    } throws: { error in
      "\(error)".contains(expected) && "\(error)".contains("sweep.json")
    }
  }

  @Test func commandLineSettingsRenameTheRun() throws {
    let run = try Self.parse(#"{"grid": {"seed": [1]}}"#).runs[0]
    let faster = try RunOverrides(learningRate: 0.2, batchSize: 32).apply(to: run)
    #expect(faster.name == "mlp-seed=1-lr=0.2,batch=32")
    #expect(Self.learningRate(faster) == 0.2 && faster.batchSize == 32)
    // Another optimizer keeps the rate and drops what it does not have (momentum).
    let adam = try RunOverrides(optimizer: "adam").apply(to: run)
    guard case .adam(let lr, _, _, _, _) = adam.optimizer else {
      Issue.record("not adam: \(adam.optimizer)")
      return
    }
    #expect(lr == 0.05 && adam.name == "mlp-seed=1-opt=adam")
    #expect(try RunOverrides().apply(to: run) == run)
    #expect(RunOverrides(learningRate: -1).problem(resuming: false)?.contains("--lr") == true)
    #expect(RunOverrides(optimizer: "rmsprop").problem(resuming: false)?.contains("sgd, adam, adamw") == true)
    #expect(RunOverrides(seed: 3).problem(resuming: true)?.contains("resumed run keeps its own") == true)
    #expect(RunOverrides(batchSize: 64).problem(resuming: false) == nil)
  }

  @Test func differencesListOnlyWhatDiffers() throws {
    let runs = try Self.parse(#"{"grid": {"optimizer.learningRate": [0.01, 0.1], "batchSize": [64, 128]}}"#).runs
    let differences = RunDifferences(runs)
    #expect(differences.settings.map(\.label) == ["lr", "batch"])
    #expect(differences.values[1] == ["0.1", "64"])
    #expect(differences.summary(of: 2) == "lr=0.01 batch=128")
    // The same settings (names apart): nothing; a different dataset digest alone: nothing.
    var copy = runs[0]
    copy.name = "other"
    #expect(RunDifferences([runs[0], copy]).settings.isEmpty)
    copy.dataset = DatasetIdentity(name: "MNIST", path: "/x", files: ["a": "1"])
    var digest = copy
    digest.dataset = DatasetIdentity(name: "MNIST", path: "/x", files: ["a": "2"])
    #expect(RunDifferences([copy, digest]).settings.isEmpty)
    // Layers of the same kinds: the settings that differ, leaf by leaf.
    var wider = runs[0]
    wider.layers[0] = .dense(units: 64, initializer: .he)
    #expect(RunDifferences([runs[0], wider]).settings.map(\.dotted) == ["layers.0.units"])
    // A layer more (or of another kind): one setting, the layers in short, not a column for
    // every leaf after the first difference.
    var deeper = runs[0]
    deeper.layers = [.dense(units: 32, initializer: .he), .relu, .dropout(rate: 0.3), .dense(units: 16, initializer: .he), .relu, .dense(units: 10, initializer: .he), .softmax]
    let layered = RunDifferences([runs[0], deeper, wider])
    #expect(layered.settings.map(\.dotted) == ["layers"])
    #expect(layered.summary(of: 1) == "layers=784-32-16-10 drop")
    #expect(layered.values[2] == ["784-64-10"])
  }
}
