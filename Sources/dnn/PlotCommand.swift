import ArgumentParser
import DNN
import Foundation

/// `dnn plot`: the original's figures for each run, as SVG files in the run folder.
struct PlotCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plot",
    abstract: "Write curves.svg (loss and accuracy above, per-layer gradient norms below) and digits.svg (validation digits with predictions) into each run folder.")

  @Argument(help: "Run folders, or folders of run folders.") var runs: [String]
  @OptionGroup var data: DataFolderOption
  @Option(help: "Validation digits in digits.svg.") var digits = 40

  func run() throws {
    try reportingErrors {
      let (found, skipped) = try SavedRun.findComplete(runs)
      for note in skipped { Console.error(note) }
      let cache = DataChoice.Cache()
      for run in found {
        for file in try Plots.write(run, folder: try data.folder(for: run, cache: cache), digits: digits) { print("wrote \(file)") }
      }
    }
  }
}

/// The figures of one run.
enum Plots {
  /// Writes curves.svg and digits.svg; returns their paths.
  static func write(_ run: SavedRun, folder: MNISTFolder, digits: Int) throws -> [String] {
    let curves = RunFiles.path(run.path, RunFiles.curves)
    try AtomicFile.write(self.curves(run), to: curves)
    let grid = RunFiles.path(run.path, RunFiles.digits)
    try AtomicFile.write(try self.digits(run, folder: folder, count: digits), to: grid)
    return [curves, grid]
  }

  static func curves(_ run: SavedRun) -> String {
    var svg = SVG(width: 1000, height: 660)
    let e = run.epochs
    let best = run.bestEpoch.map { (x: Double($0.epoch), label: "best (epoch \($0.epoch))") }
    // One epoch axis for all four charts: 0 to the last epoch.
    let epochs = 0...Double(max(e.last?.epoch ?? 1, 1))
    let journal = RunLog.readEvents(folder: run.path)
    let events = journal.map { (x: $0.progress, label: String($0.letter)) }
    svg.text("\(run.config.name)", x: 500, y: 18, size: 16, anchor: "middle", bold: true)
    svg.lineChart(title: "Loss", x: 0, y: 25, w: 500, h: 300, series: [
      .init(label: "train", points: e.map { (Double($0.epoch), Double($0.trainLoss)) }, color: SVG.palette[0], markers: true),
      .init(label: "validation", points: e.map { (Double($0.epoch), Double($0.validationLoss)) }, color: SVG.palette[1], markers: true),
    ], xLabel: "epoch", marker: best, xRange: epochs, events: events)
    svg.lineChart(title: "Accuracy", x: 500, y: 25, w: 500, h: 300, series: [
      .init(label: "train", points: e.map { (Double($0.epoch), Double($0.trainAccuracy)) }, color: SVG.palette[0], markers: true),
      .init(label: "validation", points: e.map { (Double($0.epoch), Double($0.validationAccuracy)) }, color: SVG.palette[1], markers: true),
    ], xLabel: "epoch", marker: best, xRange: epochs, events: events)
    // Gradient norms per step from steps.csv, thinned to at most 2,000 points per tensor.
    let (names, steps) = RunLog.readSteps(folder: run.path)
    let stride = max(1, steps.count / 2000)
    let thinned = steps.enumerated().filter { $0.offset % stride == 0 }.map(\.element)
    let batchesPerEpoch = Double(max(steps.count, 1)) / Double(max(run.epochs.count, 1))
    let series: [SVG.Series] = names.enumerated().map { c, name in
      .init(label: name, points: thinned.map { (Double($0.step) / batchesPerEpoch, Double($0.gradientNorms[c])) }, color: SVG.palette[c % 10])
    }
    svg.lineChart(title: "Gradient norms per tensor (pre-clip, log scale)", x: 0, y: 330, w: 660, h: 300, series: series,
                  xLabel: "epoch", logY: true, marker: best, xRange: epochs, events: events)
    // The learning rate of each step: the schedule's times the factor each epoch's logged rate shows.
    let rate = RunReplay.learningRates(of: run)
    let rates = thinned.map { s in (Double(s.step) / batchesPerEpoch, Double(rate(s.epoch, Double(s.step) / batchesPerEpoch))) }
    svg.lineChart(title: "Learning rate", x: 660, y: 330, w: 340, h: 300, series: [.init(label: "per step", points: rates, color: SVG.palette[2])],
                  xLabel: "epoch", xRange: epochs, events: events)
    if !journal.isEmpty {
      let legend = "marks: " + Intervention.legend(of: journal.map(\.kind), several: true, separator: " · ")
      svg.text(legend, x: 60, y: 652, size: 11, color: "#555")
    }
    return svg.document
  }

  static func digits(_ run: SavedRun, folder: MNISTFolder, count: Int) throws -> String {
    let model = try run.model(checkpoint: run.config.keptModel)
    guard let (sample, p, metrics) = run.sampleInferences(model, folder: folder, count: count) else {
      return SVG(width: 400, height: 40).document
    }
    let n = sample.count
    let columns = 10, scale = 3.0, cellW = 28 * scale + 14, cellH = 28 * scale + 26
    let rows = (n + columns - 1) / columns
    var svg = SVG(width: Double(columns) * cellW + 10, height: Double(rows) * cellH + 40)
    svg.text("\(run.config.name): validation digits, best checkpoint (\(percent(metrics.accuracy)) of these; mistakes in red)",
             x: 10, y: 20, size: 13, bold: true)
    for i in 0..<n {
      let label = Int(p.labels[i]), guess = Int(p.predicted[i])
      svg.digit(sample.source.image(sample.indices[i]), x: 10 + Double(i % columns) * cellW, y: 32 + Double(i / columns) * cellH,
                scale: scale, caption: label == guess ? "\(guess)" : "\(guess) (true \(label))", mistake: label != guess)
    }
    return svg.document
  }
}
