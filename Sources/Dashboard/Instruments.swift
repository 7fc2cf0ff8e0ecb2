import DNN
import Dispatch

/// The dashboard's own inference, on the main thread: a model rebuilt from the focused run's
/// latest `ModelSnapshot` reads the drawing pad, and a fresh copy runs the finite-difference
/// checks `g` asks for. The trainer's model is never touched (only value snapshots cross).
final class Instruments {
  /// The model the drawing is read with, and which snapshot it was built from.
  private var reader: (key: String, model: Sequential)?
  /// Each run's model, for reading the drawing with every run (`DrawingPad.byRun`).
  private var runReaders: [Int: (key: String, model: Sequential)] = [:]
  /// Validation digits a check runs on.
  static let checkSamples = 16
  /// Least time between two looks inside the same digit when only the model changed (every
  /// epoch's end): a look (saliency, two nudge searches, every layer's output) takes 15-20 ms of
  /// the dashboard's thread with the reference MLP, which at 0.4-s epochs took 3% of a core from
  /// the two training threads (benchmarks/dashboard_cpu.sh). A new digit or goal is looked at at once.
  var insightRefreshSeconds = 2.0
  /// The digit and goal of the last look, and when it was taken.
  private var lastLook: (digit: String, at: UInt64)?
  /// The clock (nanoseconds), for tests.
  var now: () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }

  /// Fulfils what the state asks for: a reading of a changed drawing (or of the same drawing by
  /// a newer model), a requested gradient check. True when the state changed.
  func update(_ state: inout DashboardState) -> Bool {
    var changed = false
    if let layer = state.checkRequested {
      state.checkRequested = nil
      if state.run?.validation.count ?? 0 == 0 {
        state.notice = "no validation digits to check on (the run keeps none: validationFraction 0)"
      } else {
        state.gradientCheck = check(state.focused, layer: layer)
        if state.gradientCheck == nil { state.notice = "the gradient check could not rebuild the model" }
      }
      changed = true
    }
    if state.showInside { changed = lookInside(&state) || changed }
    if var pad = state.drawing, let snapshot = state.model {
      let key = "\(state.focus) \(state.name) \(snapshot.position.step) \(snapshot.position.epoch)"
      if pad.classifiedVersion != pad.version || reader?.key != key {
        read(&pad, with: snapshot, key: key)
        state.drawing = pad
        changed = true
      }
      if state.isSweep, readByEveryRun(&pad, runs: state.runs) {
        state.drawing = pad
        changed = true
      }
    }
    return changed
  }

  /// Every run's reading of the drawing, by its latest model: read again when the drawing or a
  /// run's model changed. True when it was.
  private func readByEveryRun(_ pad: inout DrawingPad, runs: [RunState]) -> Bool {
    let keys = runs.enumerated().map { i, run in run.model.map { "\(i) \(run.name) \($0.position.step) \($0.position.epoch)" } }
    let key = "\(pad.version) " + keys.map { $0 ?? "-" }.joined(separator: "|")
    guard pad.byRunKey != key else { return false }
    pad.byRunKey = key
    pad.byRun = []
    guard let image = DigitPreprocessing.mnistStyle(pad.canvas) else { return true }
    let input = Tensor(rows: 1, columns: image.count, values: image)
    for (i, run) in runs.enumerated() {
      guard let snapshot = run.model, let runKey = keys[i] else { continue }
      if runReaders[i]?.key != runKey { runReaders[i] = (try? snapshot.makeModel()).map { (runKey, $0) } }
      guard let p = runReaders[i]?.model.predict(input).values, let best = p.indices.max(by: { p[$0] < p[$1] }) else { continue }
      pad.byRun.append((run.name, best, p[best]))
    }
    return true
  }

  /// Classifies the pad's drawing after MNIST's preprocessing.
  private func read(_ pad: inout DrawingPad, with snapshot: ModelSnapshot, key: String) {
    if reader?.key != key {
      reader = (try? snapshot.makeModel()).map { (key, $0) }
    }
    pad.classifiedVersion = pad.version
    pad.modelLabel = snapshot.label
    guard let model = reader?.model, let image = DigitPreprocessing.mnistStyle(pad.canvas) else {
      (pad.probabilities, pad.seen) = (nil, nil)
      return
    }
    let output = model.predict(Tensor(rows: 1, columns: image.count, values: image))
    pad.probabilities = output.values
    pad.seen = image
  }

  /// The inside view's insight into the browsed digit (a validation digit, or one of yours) by
  /// the focused run's latest model, computed again when the digit or the goal changed, and when
  /// the model did, `insightRefreshSeconds` after the last look at the latest. True when it was.
  private func lookInside(_ state: inout DashboardState) -> Bool {
    guard let snapshot = state.model, let (pixels, label, which) = Self.browsedPixels(state) else { return false }
    let digit = "\(state.focus) \(state.name) \(which) \(state.nudgeToward ?? -1)"
    let key = "\(digit) \(snapshot.position.step) \(snapshot.position.epoch)"
    guard state.insightKey != key else { return false }
    let now = now()
    if let lastLook, lastLook.digit == digit, Double(now &- lastLook.at) * 1e-9 < insightRefreshSeconds { return false }
    lastLook = (digit, now)
    state.insightKey = key
    let image = pixels.map { Float($0) * BatchLoader.pixelScale }
    state.insight = (try? snapshot.makeModel()).map { DigitInsight($0, image: image, label: label, toward: state.nudgeToward) }
    state.insightModel = snapshot.label
    return true
  }

  /// The browsed digit's pixel bytes (a validation digit, or one of yours), its true class, and a
  /// name for it.
  static func browsedPixels(_ state: DashboardState) -> (pixels: [UInt8], label: Int?, which: String)? {
    if state.browsingDrawings, state.drawings.indices.contains(state.drawingSelected) {
      return (state.drawings[state.drawingSelected].pixels, nil, "drawing \(state.drawingSelected)")
    }
    guard let sample = state.browsedSample, let view = state.run?.validation else { return nil }
    return (Array(view.source.image(view.indices[sample])), view.label(sample), "sample \(sample)")
  }

  /// The finite-difference check of `layer` of `run`'s latest model on its first validation digits.
  private func check(_ run: RunState, layer: Int) -> LayerGradientCheck.Report? {
    guard let snapshot = run.model, let model = try? snapshot.makeModel(), model.layers.indices.contains(layer),
      let validation = run.run?.validation
    else { return nil }
    let loader = BatchLoader(view: validation, batchSize: min(Self.checkSamples, validation.count), generator: nil)
    loader.load(batch: 0)
    return LayerGradientCheck.run(model, layer: layer, images: loader.images)
  }
}

extension ModelSnapshot {
  /// Which weights these are, as the drawing pad and the inside view name them: `step 1266`
  /// (or `epoch 3` for a snapshot taken before any step).
  var label: String { position.step > 0 ? "step \(position.step)" : "epoch \(position.epoch)" }
}
