import ArgumentParser
import DNN
import Foundation

/// `dnn report`: one static HTML page comparing every run of a folder.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report", abstract: "Write RUNS_DIR/report.html comparing all runs (table, curves, digits).")

  @Argument(help: "A folder of run folders.") var runsDir: String
  @OptionGroup var data: DataFolderOption

  func run() throws {
    try reportingErrors {
      let (runs, skipped) = try SavedRun.findComplete([runsDir])
      for note in skipped { Console.error(note) }
      let cache = DataChoice.Cache()
      var html = """
        <!doctype html><html><head><meta charset="utf-8"><title>diy-dnn runs</title>
        <style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}
        td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}
        h2{margin-top:2em}pre{background:#f6f6f6;padding:0.8em}</style></head><body>
        <h1>diy-dnn: \(runs.count) runs in \(SVG.escape(runsDir))</h1>
        <table><tr><th>run</th><th>status</th><th>parameters</th><th>epochs</th><th>best epoch</th><th>best val loss</th>
        <th>best val accuracy</th>\(CheckpointKind.allCases.map { "<th>test: \(RunRecord.modelName($0))</th>" }.joined())<th>training s</th></tr>

        """
      var sections = ""
      for r in runs {
        let folder = try data.folder(for: r, cache: cache)
        let model = try r.model(checkpoint: .best)
        var record = r.record
        record.scoreBestCheckpointIfMissing(model, on: folder.test.map { DatasetView($0) }, config: r.config)
        let test = record.testOfBestCheckpoint
        let best = r.bestEpoch
        html += "<tr><td><a href=\"#\(SVG.escape(r.config.name))\">\(SVG.escape(r.config.name))</a></td>"
          + "<td>\(record.status.label)</td><td>\(model.parameterCount.grouped)</td>"
          + "<td>\(record.epochsDone)/\(record.epochsPlanned)</td><td>\(best.map { "\($0.epoch)" } ?? "-")</td>"
          + "<td>\(best.map { String(format: "%.4f", RunLog.criterion($0)) } ?? "-")</td>"
          + "<td>\(best.map { percent($0.validationAccuracy) } ?? "-")</td>"
          + "<td>\(test.map { percent($0.accuracy) + record.viewsText } ?? "-")</td>"
          + "<td>\(record.testOfFinalModel.map { percent($0.accuracy) + record.viewsText } ?? "-")</td>"
          + "<td>\(record.testOfAverage.map { percent($0.accuracy) + record.viewsText } ?? "-")</td>"
          + "<td>\(String(format: "%.1f", r.trainingSeconds))</td></tr>\n"
        _ = try Plots.write(r, folder: folder, digits: 20)
        sections += "<h2 id=\"\(SVG.escape(r.config.name))\">\(SVG.escape(r.config.name))</h2>\n"
        sections += "<details><summary>configuration</summary><pre>\(SVG.escape(r.config.jsonValue.prettyText))</pre></details>\n"
        sections += Self.interventions(r)
        sections += fitted(Plots.curves(r))
        sections += fitted(try Plots.digits(r, folder: folder, count: 20))
      }
      html += "</table>\n" + Self.differences(runs) + fitted(Self.comparison(runs)) + sections + "</body></html>\n"
      let path = RunFiles.path(runsDir, RunFiles.report)
      try AtomicFile.write(html, to: path)
      print("wrote \(path)")
    }
  }

  /// What sets the runs apart (`RunDifferences`): a row per run, a column per setting whose
  /// value is not the same in every run.
  static func differences(_ runs: [SavedRun]) -> String {
    let differences = RunDifferences(runs.map(\.config))
    guard !differences.settings.isEmpty else { return runs.count > 1 ? "<p>The runs have the same settings.</p>\n" : "" }
    var html = "<h2>What sets them apart</h2>\n<table class=\"differences\"><tr><th>run</th>"
    html += differences.settings.map { "<th title=\"\(SVG.escape($0.dotted))\">\(SVG.escape($0.label))</th>" }.joined() + "</tr>\n"
    for (run, values) in zip(runs, differences.values) {
      html += "<tr><td>\(SVG.escape(run.config.name))</td>" + values.map { "<td>\(SVG.escape($0))</td>" }.joined() + "</tr>\n"
    }
    return html + "</table>\n"
  }

  /// Every run's validation loss and accuracy per epoch, overlaid: one colour per run.
  static func comparison(_ runs: [SavedRun]) -> String {
    var svg = SVG(width: 1000, height: 330)
    let colour = { (i: Int) in SVG.palette[i % SVG.palette.count] }
    svg.lineChart(title: "Validation loss, all runs", x: 0, y: 0, w: 500, h: 320, series: runs.enumerated().map { i, r in
      .init(label: r.config.name, points: r.epochs.map { (Double($0.epoch), Double(RunLog.criterion($0))) }, color: colour(i), markers: true)
    }, xLabel: "epoch")
    svg.lineChart(title: "Validation accuracy, all runs", x: 500, y: 0, w: 500, h: 320, series: runs.enumerated().map { i, r in
      .init(label: r.config.name, points: r.epochs.map { (Double($0.epoch), Double($0.validationAccuracy)) }, color: colour(i), markers: true)
    }, xLabel: "epoch")
    return svg.document
  }

  /// The run's journal (`events.csv`) as a list: what was done to it, when, at which step; the
  /// curves mark the same moments with their letters.
  static func interventions(_ run: SavedRun) -> String {
    let journal = RunLog.readEvents(folder: run.path)
    guard !journal.isEmpty else { return "" }
    let items = journal.map { i in
      let when = Date(timeIntervalSince1970: i.time).formatted(.iso8601)
      return "<li><b>\(i.letter)</b> \(SVG.escape(i.kind.rawValue.replacingOccurrences(of: "_", with: " "))) \(SVG.escape(i.detail))"
        + " (epoch \(String(format: "%.2f", i.progress)), step \(i.step), \(when))</li>"
    }
    return "<p>Interventions (marked on the curves):</p><ul>\n" + items.joined(separator: "\n") + "\n</ul>\n"
  }

  /// An SVG that shrinks to the page width.
  private func fitted(_ svg: String) -> String {
    svg.replacingOccurrences(of: "<svg xmlns", with: "<svg style=\"max-width:100%\" xmlns")
  }
}
