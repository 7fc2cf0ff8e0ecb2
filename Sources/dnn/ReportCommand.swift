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
      let cache = DataFolderOption.Cache()
      var html = """
        <!doctype html><html><head><meta charset="utf-8"><title>diy-dnn runs</title>
        <style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}
        td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}
        h2{margin-top:2em}</style></head><body><h1>diy-dnn: \(runs.count) runs in \(SVG.escape(runsDir))</h1>
        <table><tr><th>run</th><th>epochs</th><th>best val loss</th><th>best val accuracy</th><th>last val accuracy</th><th>training s</th></tr>

        """
      for r in runs {
        let best = r.bestEpoch
        html += "<tr><td><a href=\"#\(SVG.escape(r.config.name))\">\(SVG.escape(r.config.name))</a></td><td>\(r.epochs.count)</td>"
          + "<td>\(best.map { String(format: "%.4f", $0.validationLoss) } ?? "-")</td>"
          + "<td>\(r.epochs.map(\.validationAccuracy).max().map(percent) ?? "-")</td>"
          + "<td>\(r.epochs.last.map { percent($0.validationAccuracy) } ?? "-")</td>"
          + "<td>\(String(format: "%.1f", r.trainingSeconds))</td></tr>\n"
      }
      html += "</table>\n"
      for r in runs {
        let folder = try data.folder(for: r, cache: cache)
        _ = try Plots.write(r, folder: folder, digits: 20)
        html += "<h2 id=\"\(SVG.escape(r.config.name))\">\(SVG.escape(r.config.name))</h2>\n"
        html += "<pre>\(SVG.escape(r.config.jsonValue.text))</pre>\n"
        html += fitted(Plots.curves(r))
        html += fitted(try Plots.digits(r, folder: folder, count: 20))
      }
      html += "</body></html>\n"
      let path = (runsDir as NSString).appendingPathComponent("report.html")
      try AtomicFile.write(html, to: path)
      print("wrote \(path)")
    }
  }

  /// An SVG that shrinks to the page width.
  private func fitted(_ svg: String) -> String {
    svg.replacingOccurrences(of: "<svg xmlns", with: "<svg style=\"max-width:100%\" xmlns")
  }
}
