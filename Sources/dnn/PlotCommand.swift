import ArgumentParser
import DNN
import Foundation

/// `dnn plot`: the original's figures for each run, as SVG files in the run folder.
struct PlotCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plot",
    abstract: "Write curves.svg (loss and accuracy above, per-layer gradient norms below) and digits.svg (validation digits with predictions) into each run folder.")

  @Argument(help: "Run folders, or folders of run folders.") var runs: [String]
  @Option(help: "Folder with the MNIST files. Default: the bundled digits.") var dataDir: String?
  @Option(help: "Validation digits in digits.svg.") var digits = 40

  func run() throws {
    do {
      let folder = try MNISTFolder(path: dataDir ?? Assets.mnistFolder())
      for run in try SavedRun.find(runs) {
        for file in try Plots.write(run, folder: folder, digits: digits) { print("wrote \(file)") }
      }
    } catch {
      Console.error("error: \(error)")
      throw ExitCode.failure
    }
  }
}

/// The figures of one run.
enum Plots {
  /// Writes curves.svg and digits.svg; returns their paths.
  static func write(_ run: SavedRun, folder: MNISTFolder, digits: Int) throws -> [String] {
    let curves = (run.path as NSString).appendingPathComponent("curves.svg")
    try AtomicFile.write(self.curves(run), to: curves)
    let grid = (run.path as NSString).appendingPathComponent("digits.svg")
    try AtomicFile.write(try self.digits(run, folder: folder, count: digits), to: grid)
    return [curves, grid]
  }

  static func curves(_ run: SavedRun) -> String {
    var svg = SVG(width: 1000, height: 640)
    let e = run.epochs
    let best = run.bestEpoch.map { (x: Double($0.epoch), label: "best (epoch \($0.epoch))") }
    svg.text("\(run.config.name)", x: 500, y: 18, size: 16, anchor: "middle", bold: true)
    svg.lineChart(title: "Loss", x: 0, y: 25, w: 500, h: 300, series: [
      .init(label: "train", points: e.map { (Double($0.epoch), Double($0.trainLoss)) }, color: SVG.palette[0], markers: true),
      .init(label: "validation", points: e.map { (Double($0.epoch), Double($0.validationLoss)) }, color: SVG.palette[1], markers: true),
    ], xLabel: "epoch", marker: best)
    svg.lineChart(title: "Accuracy", x: 500, y: 25, w: 500, h: 300, series: [
      .init(label: "train", points: e.map { (Double($0.epoch), Double($0.trainAccuracy)) }, color: SVG.palette[0], markers: true),
      .init(label: "validation", points: e.map { (Double($0.epoch), Double($0.validationAccuracy)) }, color: SVG.palette[1], markers: true),
    ], xLabel: "epoch", marker: best)
    // Gradient norms per step from steps.csv, thinned to at most 2,000 points per tensor.
    let stepsText = (try? String(contentsOfFile: (run.path as NSString).appendingPathComponent("steps.csv"), encoding: .utf8)) ?? ""
    let lines = stepsText.split(separator: "\n")
    var series: [SVG.Series] = []
    if let header = lines.first?.split(separator: ",").map(String.init), header.count > 4 {
      let rows = lines.dropFirst().map { $0.split(separator: ",").compactMap { Double($0) } }.filter { $0.count == header.count }
      let stride = max(1, rows.count / 2000)
      let thinned = rows.enumerated().filter { $0.offset % stride == 0 }.map(\.element)
      let batchesPerEpoch = Double(max(rows.count, 1)) / Double(max(run.epochs.count, 1))
      for c in 4..<header.count {
        series.append(.init(label: header[c], points: thinned.map { ($0[0] / batchesPerEpoch, $0[c]) }, color: SVG.palette[(c - 4) % 10]))
      }
    }
    svg.lineChart(title: "Gradient norms per tensor (pre-clip, log scale)", x: 0, y: 330, w: 1000, h: 300, series: series,
                  xLabel: "epoch", logY: true, marker: best)
    return svg.document
  }

  static func digits(_ run: SavedRun, folder: MNISTFolder, count: Int) throws -> String {
    let model = try run.model(checkpoint: "best")
    guard let (sample, p, metrics) = run.sampleInferences(model, folder: folder, count: count) else {
      return SVG(width: 400, height: 40).document
    }
    let n = sample.count
    let columns = 10, scale = 3.0, cellW = 28 * scale + 14, cellH = 28 * scale + 26
    let rows = (n + columns - 1) / columns
    var svg = SVG(width: Double(columns) * cellW + 10, height: Double(rows) * cellH + 40)
    svg.text("\(run.config.name): validation digits, best checkpoint (\(String(format: "%.1f%%", Double(metrics.accuracy) * 100)) of these; mistakes in red)",
             x: 10, y: 20, size: 13, bold: true)
    for i in 0..<n {
      let label = Int(p.labels[i]), guess = Int(p.predicted[i])
      svg.digit(sample.source.image(sample.indices[i]), x: 10 + Double(i % columns) * cellW, y: 32 + Double(i / columns) * cellH,
                scale: scale, caption: label == guess ? "\(guess)" : "\(guess) (true \(label))", mistake: label != guess)
    }
    return svg.document
  }
}

/// `dnn report`: one static HTML page comparing every run of a folder.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report", abstract: "Write RUNS_DIR/report.html comparing all runs (table, curves, digits).")

  @Argument(help: "A folder of run folders.") var runsDir: String
  @Option(help: "Folder with the MNIST files. Default: the bundled digits.") var dataDir: String?

  func run() throws {
    do {
      let folder = try MNISTFolder(path: dataDir ?? Assets.mnistFolder())
      let runs = try SavedRun.find([runsDir])
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
          + "<td>\(r.epochs.map(\.validationAccuracy).max().map { String(format: "%.2f%%", Double($0) * 100) } ?? "-")</td>"
          + "<td>\(r.epochs.last.map { String(format: "%.2f%%", Double($0.validationAccuracy) * 100) } ?? "-")</td>"
          + "<td>\(String(format: "%.1f", r.trainingSeconds))</td></tr>\n"
      }
      html += "</table>\n"
      for r in runs {
        _ = try Plots.write(r, folder: folder, digits: 20)
        html += "<h2 id=\"\(SVG.escape(r.config.name))\">\(SVG.escape(r.config.name))</h2>\n"
        html += "<pre>\(SVG.escape(r.config.jsonValue.text))</pre>\n"
        html += Plots.curves(r).replacingOccurrences(of: "<svg xmlns", with: "<svg style=\"max-width:100%\" xmlns")
        html += try Plots.digits(r, folder: folder, count: 20).replacingOccurrences(of: "<svg xmlns", with: "<svg style=\"max-width:100%\" xmlns")
      }
      html += "</body></html>\n"
      let path = (runsDir as NSString).appendingPathComponent("report.html")
      try AtomicFile.write(html, to: path)
      print("wrote \(path)")
    } catch {
      Console.error("error: \(error)")
      throw ExitCode.failure
    }
  }
}
