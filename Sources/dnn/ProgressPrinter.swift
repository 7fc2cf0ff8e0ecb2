import DNN
import Foundation

/// Prints training events: a live progress bar per epoch on a terminal, else one line per epoch.
final class ProgressPrinter {
  private let live: Bool
  private var started: RunStarted?
  private var lastDraw: UInt64 = 0

  init(live: Bool) { self.live = live }

  func handle(_ event: TrainingEvent) {
    switch event {
    case .started(let s):
      started = s
      print("run \(s.runName): \(s.trainCount) training, \(s.validation.count) validation"
            + (s.testCount.map { ", \($0) test" } ?? "") + " samples from \(s.dataset)")
      print(s.modelDescription)
      print("matrix products: \(s.backend)")
      if let smoothing = SoftmaxCrossEntropy.smoothingName(s.labelSmoothing, short: false) {
        print("loss: cross-entropy against smoothed targets (\(smoothing)); validation and test losses are the plain cross-entropy")
      }
    case .batch(let b) where live:
      let now = DispatchTime.now().uptimeNanoseconds
      guard now - lastDraw > 50_000_000 || b.batch + 1 == b.batchesPerEpoch else { return }
      lastDraw = now
      let width = 30
      let filled = width * (b.batch + 1) / b.batchesPerEpoch
      let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
      Console.write(String(format: "\r\u{1B}[2Kepoch %d/%d [%@] %d/%d  loss %.4f  %.0f samples/s",
                           b.epoch + 1, started?.epochs ?? 0, bar, b.batch + 1, b.batchesPerEpoch,
                           Double(b.loss), b.samplesPerSecond))
    case .epoch(let e):
      if live { Console.write("\r\u{1B}[2K") }
      // A run that holds out no validation digits has no validation figures to print (not "nan").
      let validated = started.map { $0.validation.count > 0 } ?? true
      let validation = validated
        ? String(format: "  val_loss %.4f  val_acc %@", Double(e.validationLoss), percent(e.validationAccuracy)) : ""
      let average = e.average.map { String(format: "  avg_val_loss %.4f  avg_val_acc %@", Double($0.loss), percent($0.accuracy)) } ?? ""
      print(String(format: "epoch %3d/%d  loss %.4f  acc %@%@%@  lr %.4g  %.2f s",
                   e.epoch, started?.epochs ?? 0, Double(e.trainLoss), percent(e.trainAccuracy),
                   validation, validated ? average : "", Double(e.learningRate), e.seconds))
    case .finished(let s):
      var line = "\(s.runName): \(s.record?.statusText ?? (s.stopped ? RunStatus.stopped : .finished).label)"
      if let best = s.record?.best { line += ", \(best.text)" }
      if let test = s.record?.testText { line += ", \(test)" }
      print(line)
    case .checkpointSaved(let path, _):
      print("saved \(path)")
    default: break
    }
    fflush(nil)
  }
}
