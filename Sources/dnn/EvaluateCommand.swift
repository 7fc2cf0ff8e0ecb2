import ArgumentParser
import DNN
import Foundation
import TerminalUI

/// `dnn evaluate`: test metrics of saved runs, a summary of all, and sample inferences.
struct EvaluateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Evaluate saved runs on the test files: loss, accuracy, per-class accuracy, confusion matrix; write summary.csv and summary.md.")

  @Argument(help: "Run folders, or folders of run folders (such as runs/).") var runs: [String]
  @OptionGroup var data: DataFolderOption
  @Option(help: "Which checkpoint to evaluate: \(CheckpointKind.list) (default: the model each run keeps, its weight average in a run that keeps one, else best).")
  var checkpoint: CheckpointKind?
  @Option(help: "Validation digits to draw per run (0: none).") var samples = 6
  @Flag(help: "Print the results as one JSON object.") var json = false
  @Flag(help: "Also score the runs as one ensemble: the mean of their probabilities (for example the seeds of a sweep), and what it gains over its best member.")
  var ensemble = false
  @Option(help: "How each test digit is scored: config (as each run's configuration says, augment.test), plain (the digit as it is) or augmented (test-time augmentation: the mean of the digit as it is, turned by ±rotate and scaled by ±scale of the run's augmentation).")
  var views: ViewChoice = .config

  enum ViewChoice: String, ExpressibleByArgument, CaseIterable { case config, plain, augmented }

  struct Result {
    let run: SavedRun
    /// The checkpoint scored.
    let kind: CheckpointKind
    let parameters: Int
    let test: Metrics
    let perClass: [Float]
    let confusion: [[Int]]
    let predictions: ValidationPredictions
    /// The views of each digit averaged (`Warp.testViews`; 1: the digit as it is).
    let views: Int
    /// With views, the test metrics of each digit as it is: what the views gain over.
    let plain: Metrics?
  }

  /// `run`'s configuration with the test views `--views` asks for; a run whose augmentation has
  /// none to draw is scored on the digits alone, with a note (as a folder's unfinished runs are skipped).
  private func scoring(_ run: SavedRun) -> RunConfig {
    var config = run.config
    guard views != .config else { return config }
    config.testAugment = views == .augmented
    if views == .augmented && config.testViews.count == 1 {
      Console.error("\(run.path): its augmentation neither turns nor scales digits (augment.rotate, augment.scale): scored on the digits alone")
    }
    return config
  }

  func run() throws {
    try reportingErrors(evaluate)
  }

  private func evaluate() throws {
    let (saved, skipped) = try SavedRun.findComplete(runs, checkpoint: checkpoint)
    for note in skipped { Console.error(note) }
    let cache = DataChoice.Cache()
    var results: [Result] = []
    for run in saved {
      let folder = try data.folder(for: run, cache: cache)
      guard let test = folder.test, test.count > 0 else {
        throw DataError(path: folder.path, problem: "has no t10k-* test images", hint: "Evaluate with a data folder that has them (--data-dir).")
      }
      let kind = run.checkpoint(checkpoint)
      let model = try run.model(checkpoint: kind)
      let config = scoring(run)
      let (metrics, predictions) = Evaluator.test(model, on: DatasetView(test), config: config, collectPredictions: true)
      let confusion = predictions!.confusion
      let perClass = confusion.enumerated().map { t, row in Float(row[t]) / Float(max(row.reduce(0, +), 1)) }
      results.append(Result(
        run: run, kind: kind, parameters: model.parameterCount, test: metrics, perClass: perClass, confusion: confusion,
        predictions: predictions!, views: config.testViews.count,
        plain: config.testViews.count > 1 ? Evaluator.evaluate(model, on: DatasetView(test)) : nil))
      if !json && samples > 0 { printSamples(run: run, model: model, folder: folder) }
    }
    let table = summaryRows(results)
    // The summary files belong to a folder of runs: evaluating one run folder never replaces
    // the summary of the folder around it.
    let folderOfRuns = runs.count == 1 && !RunFiles.isRunFolder(runs[0])
    if folderOfRuns {
      try AtomicFile.write(TextTable.csv(table), to: RunFiles.path(runs[0], RunFiles.summaryCSV))
      try AtomicFile.write(TextTable.markdown(table), to: RunFiles.path(runs[0], RunFiles.summaryMarkdown))
    }
    let together = try ensemble ? Self.ensemble(of: results) : nil
    if json {
      var object: [String: JSONValue] = ["runs": .array(results.map(jsonValue))]
      if let together { object["ensemble"] = together.json }
      print(JSONValue.object(object).text)
    } else {
      for r in results { printConfusion(r) }
      print(TextTable.aligned(displayRows(results), left: [0, 8]))
      let scored = CheckpointKind.allCases.filter { kind in results.contains { $0.kind == kind } }.map(RunRecord.modelName)
      let viewed = results.filter { $0.views > 1 }
      let viewsNote = viewed.first.map { ", each digit the mean of \($0.views) views\(viewed.count < results.count ? " in \(viewed.count) of the \(results.count) runs" : "")" } ?? ""
      print("best val: val acc of the best epoch (@ epoch); test: \(scored.joined(separator: " or "))\(scored.count > 1 ? " (the model each run keeps)" : "")\(viewsNote)")
      if let together { print(together.line) }
      if folderOfRuns {
        print("wrote \(RunFiles.path(runs[0], RunFiles.summaryCSV)) and \(RunFiles.summaryMarkdown)")
      } else {
        print("(\(RunFiles.summaryCSV) and .md are written for one folder of runs: dnn evaluate RUNS)")
      }
    }
  }

  /// The ensemble of `results` and how it compares with its best member.
  static func ensemble(of results: [Result]) throws -> (json: JSONValue, line: String) {
    guard results.count >= 2 else { throw ConfigError("--ensemble needs two runs or more (got \(results.count))") }
    let scored = try Ensemble(results.map(\.predictions))
    let best = results.max { $0.test.accuracy < $1.test.accuracy }!
    let gain = Double(scored.metrics.accuracy - best.test.accuracy) * 100
    let line = "ensemble of \(scored.members) runs (the mean of their probabilities): test \(percent(scored.metrics.accuracy)), loss "
      + String(format: "%.4f", Double(scored.metrics.loss)) + String(format: "; %+.1f points over its best member, ", gain)
      + "\(label(best.run, among: results)) \(percent(best.test.accuracy))"
    let json = JSONValue.object([
      "members": .array(results.map { .string($0.run.path) }),
      "test": .object(["loss": .float(scored.metrics.loss), "accuracy": .float(scored.metrics.accuracy)]),
      "bestMember": .string(best.run.path), "bestMemberAccuracy": .float(best.test.accuracy),
    ])
    return (json, line)
  }

  private func summaryRows(_ results: [Result]) -> [[String]] {
    let differences = RunDifferences(results.map(\.run.config))
    return [["run", "status", "parameters", "epochs", "best_epoch", "best_val_accuracy", "test_loss", "test_accuracy", "training_seconds", "model", "test_views"]
      + differences.settings.map(\.dotted)]
      + results.enumerated().map { i, r in
        let record = r.run.record
        return [Self.label(r.run, among: results), record.status.rawValue, "\(r.parameters)", "\(record.epochsDone)",
         record.best.map { "\($0.epoch)" } ?? "", String(format: "%.4f", Double(record.best?.validationAccuracy ?? .nan)),
         String(format: "%.4f", Double(r.test.loss)), String(format: "%.4f", Double(r.test.accuracy)),
         String(format: "%.2f", r.run.trainingSeconds), RunRecord.modelName(r.kind), "\(r.views)"] + differences.values[i]
      }
  }

  /// The summary as printed: percentages, short headers, within 80 columns.
  private func displayRows(_ results: [Result]) -> [[String]] {
    // The last column only when the runs differ in something.
    let differences = RunDifferences(results.map(\.run.config))
    let apart = differences.settings.isEmpty ? [] : ["sets it apart"]
    return [["run", "status", "params", "epochs", "best val", "test loss", "test", "train s"] + apart]
      + results.enumerated().map { i, r in
        let record = r.run.record
        return [Self.label(r.run, among: results), record.status.label, r.parameters.grouped, "\(record.epochsDone)/\(record.epochsPlanned)",
         record.best.map { "\(percent($0.validationAccuracy)) @\($0.epoch)" } ?? "–",
         String(format: "%.4f", Double(r.test.loss)), percent(r.test.accuracy), String(format: "%.1f", r.run.trainingSeconds)]
          + (apart.isEmpty ? [] : [differences.summary(of: i)])
      }
  }

  /// How a run is named in the tables: its name, or its folder when another run has that name
  /// (the same configuration trained into two folders of runs).
  static func label(_ run: SavedRun, among results: [Result]) -> String {
    results.filter { $0.run.config.name == run.config.name }.count > 1 ? run.path : run.config.name
  }

  private func jsonValue(_ r: Result) -> JSONValue {
    .object([
      "name": .string(r.run.config.name), "path": .string(r.run.path), "parameters": .number(Double(r.parameters)),
      "epochs": .number(Double(r.run.record.epochsDone)), "epochsPlanned": .number(Double(r.run.record.epochsPlanned)),
      "status": .string(r.run.record.status.rawValue), "checkpoint": .string(r.kind.rawValue),
      "bestEpoch": r.run.record.best.map { .number(Double($0.epoch)) } ?? .null,
      "bestValidationAccuracy": r.run.record.best.map { .float($0.validationAccuracy) } ?? .null,
      "test": .object(["loss": .float(r.test.loss), "accuracy": .float(r.test.accuracy)]),
      "perClassAccuracy": .array(r.perClass.map { .float($0) }),
      "confusion": .array(r.confusion.map { .array($0.map { .number(Double($0)) }) }),
      "trainingSeconds": .number(r.run.trainingSeconds), "testViews": .number(Double(r.views)),
      "testOfDigitsAlone": r.plain.map { .object(["loss": .float($0.loss), "accuracy": .float($0.accuracy)]) } ?? .null,
    ])
  }

  private func printConfusion(_ r: Result) {
    let gain = r.plain.map { String(format: " %+.1f points over the digits alone, ", Double(r.test.accuracy - $0.accuracy) * 100) + percent($0.accuracy) } ?? ""
    let viewsText = r.views > 1 ? ", the mean of \(r.views) views (\(r.run.config.augmentWarp.testViewsText);\(gain))" : ""
    print("\(r.run.config.name) (\(r.run.record.statusText)): test \(percent(r.test.accuracy)) · \(RunRecord.modelName(r.kind))\(viewsText), loss \(String(format: "%.4f", r.test.loss))")
    print("  true\\pred" + (0..<10).map { String(format: "%5d", $0) }.joined() + "    acc")
    for (t, row) in r.confusion.enumerated() {
      print(String(format: "  %9d", t) + row.map { String(format: "%5d", $0) }.joined() + "  " + percent(r.perClass[t]))
    }
    print("")
  }

  /// Draws `samples` validation digits of the run side by side with their predictions.
  private func printSamples(run: SavedRun, model: Sequential, folder: MNISTFolder) {
    guard let (sample, p, _) = run.sampleInferences(model, folder: folder, count: samples) else { return }
    // As many digits side by side as the terminal is wide (80 columns when it is not one).
    let width = Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 80
    let perRow = max(1, (width + 2) / 30)
    print("\(run.config.name): validation digits")
    for start in stride(from: 0, to: sample.count, by: perRow) {
      let shown = start..<min(start + perRow, sample.count)
      var buffer = ScreenBuffer(width: shown.count * 30, height: 15)
      for (column, i) in shown.enumerated() {
        let label = Int(p.labels[i]), guess = Int(p.predicted[i])
        let caption = "true \(label) pred \(guess) \(percent(p.probabilities(of: i)[p.probabilities(of: i).startIndex + guess]))" + (label == guess ? "" : " X")
        buffer.put(caption, x: column * 30, y: 0)
        DigitView(pixels: sample.source.image(sample.indices[i])).draw(x: column * 30, y: 1, on: &buffer, color: false, glyphs: .plain)
      }
      print(buffer.trimmedText)
    }
  }
}
extension CheckpointKind: ExpressibleByArgument {}
