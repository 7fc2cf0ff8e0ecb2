import Foundation

/// How a run stands, or how it ended.
public enum RunStatus: String, Codable, Sendable, CaseIterable {
  /// Waiting for its turn in a sweep.
  case queued
  case running, paused
  /// Stopped by the user (Ctrl-C, SIGTERM, SIGHUP, `x`, `q`) before its planned epochs.
  case stopped
  /// All planned epochs done.
  case finished
  /// A NaN or infinite loss or gradient ended it.
  case diverged
  /// An error ended it (the record's `reason` says which).
  case failed
  /// Its process ended without recording an end (killed, power lost): resumable from its state.
  case interrupted
  /// Never started: skipped while it waited for its turn in a sweep.
  case skipped

  /// `FINISHED`, as screens and tables show it.
  public var label: String { rawValue.uppercased() }

  /// True for the states after which the run no longer trains.
  public var hasEnded: Bool { [.stopped, .finished, .diverged, .failed, .interrupted, .skipped].contains(self) }
}

/// The best epoch of a run, by the one rule (`BestEpochRule`: lowest validation loss, or
/// training loss without validation, smoothed when the configuration says `bestSmoothing`):
/// the epoch `best.safetensors` holds.
public struct BestEpoch: Codable, Sendable, Equatable {
  public var epoch: Int
  public var validationLoss: Float
  public var validationAccuracy: Float
  public var trainLoss: Float
  /// The smoothed criterion it won by, when the rule smooths (nil: its own criterion).
  public var smoothedCriterion: Float?

  public init(_ e: EpochReport, smoothedCriterion: Float? = nil) {
    (epoch, validationLoss, validationAccuracy, trainLoss) = (e.epoch, e.validationLoss, e.validationAccuracy, e.trainLoss)
    self.smoothedCriterion = smoothedCriterion
  }

  /// `best epoch 50: val loss 0.118, val acc 97.0%` (training loss when there is no validation;
  /// `(smoothed 0.121)` after the loss when the rule smooths).
  public var text: String {
    let smoothed = smoothedCriterion.map { " (smoothed \(String(format: "%.3f", $0)))" } ?? ""
    return validationLoss.isNaN
      ? "best epoch \(epoch): train loss \(String(format: "%.3f", trainLoss))\(smoothed)"
      : "best epoch \(epoch): val loss \(String(format: "%.3f", validationLoss))\(smoothed), val acc \(RunRecord.percent(validationAccuracy))"
  }

  /// What it won by: the smoothed criterion, or its own.
  var judged: Float { smoothedCriterion ?? criterion }
}

/// How a run picks its best epoch, the one rule: the lowest `RunLog.criterion` (validation
/// loss, or training loss without validation), or with `smoothing` w > 0 the lowest moving
/// average of it (TensorBoard's debiased one: a_e = w a_{e-1} + (1 − w) c_e, divided by
/// 1 − w^e), so one lucky epoch on few validation digits does not win; the earliest of equals.
/// Epochs whose criterion is NaN are skipped.
public struct BestEpochRule: Codable, Sendable, Equatable {
  public var smoothing: Double
  private var average = 0.0, correction = 0.0

  public init(smoothing: Double) { self.smoothing = smoothing }

  /// Folds in the next epoch's criterion; returns what the epoch is judged by.
  public mutating func judge(_ criterion: Float) -> Float {
    guard smoothing > 0, !criterion.isNaN else { return criterion }
    average = smoothing * average + (1 - smoothing) * Double(criterion)
    correction = smoothing * correction + (1 - smoothing)
    return Float(average / correction)
  }
}

/// The record of a run: the one answer to "how does this run stand?" that every screen and
/// command gives (the dashboard's header and runs panel, the exit lines, `dnn evaluate`,
/// `dnn report`, `--json`). The trainer produces it (`TrainingEvent.record`), the run folder
/// persists it as `run.json` at every save and at the end, and a replayed or followed run reads
/// it back (`RunRecord.read`).
public struct RunRecord: Codable, Sendable, Equatable {
  public var status: RunStatus
  /// Why it ended that way (the divergence, the error, the signal), when there is a why.
  public var reason: String?
  /// Epochs done (the last logged epoch: a fork counts its parent's) of the epochs planned.
  public var epochsDone: Int
  public var epochsPlanned: Int
  public var best: BestEpoch?
  /// Test metrics of the model at the end of the run, and of the best checkpoint; nil without
  /// a test set (or before the end).
  public var testOfFinalModel: Metrics?
  public var testOfBestCheckpoint: Metrics?
  /// Test metrics of the weight average (`WeightAverage`) at the end, in runs that keep one.
  public var testOfAverage: Metrics?
  /// How many views of each test digit the test figures average (test-time augmentation,
  /// `RunConfig.testViews`); nil: each digit as it is.
  public var testViews: Int?
  /// The user's learning-rate factor (`+`/`-`), 1 when untouched.
  public var learningRateFactor: Float
  /// The rule with its running average, when the configuration smooths the criterion
  /// (`bestSmoothing`); nil: each epoch's own criterion.
  public var bestRule: BestEpochRule?

  public init(status: RunStatus = .running, epochsDone: Int = 0, epochsPlanned: Int, learningRateFactor: Float = 1, bestSmoothing: Double = 0) {
    self.status = status
    self.epochsDone = epochsDone
    self.epochsPlanned = epochsPlanned
    self.learningRateFactor = learningRateFactor
    bestRule = bestSmoothing > 0 ? BestEpochRule(smoothing: bestSmoothing) : nil
  }

  /// Folds in a finished epoch: epochs done, and the best epoch by the one rule (`BestEpochRule`).
  public mutating func add(_ epoch: EpochReport) {
    epochsDone = epoch.epoch
    let criterion = RunLog.criterion(epoch)
    let judged = bestRule?.judge(criterion) ?? criterion
    guard !judged.isNaN, best.map({ judged < $0.judged }) ?? true else { return }
    best = BestEpoch(epoch, smoothedCriterion: bestRule == nil ? nil : judged)
  }

  /// The record of a run whose epochs are `epochs` (in order).
  public init(status: RunStatus, epochs: [EpochReport], epochsPlanned: Int, bestSmoothing: Double = 0) {
    self.init(status: status, epochsPlanned: epochsPlanned, bestSmoothing: bestSmoothing)
    for e in epochs { add(e) }
  }

  // MARK: Reading it the one way

  /// The test figure a screen shows when it has room for one, with the model it belongs to
  /// (`RunConfig.keptModel`, what `dnn evaluate` scores by default): the weight average's in a
  /// run that keeps one, else the best checkpoint's, else the final model's.
  public var headlineTest: (metrics: Metrics, model: CheckpointKind)? {
    if let m = testOfAverage { return (m, .average) }
    if let m = testOfBestCheckpoint { return (m, .best) }
    if let m = testOfFinalModel { return (m, .last) }
    return nil
  }

  /// `test 98.1% · best checkpoint`, or nil before a test.
  public var testText: String? {
    headlineTest.map { "test \(RunRecord.percent($0.metrics.accuracy)) · \(RunRecord.modelName($0.model))\(viewsText)" }
  }

  /// `, 5 views` when the test figures average views of each digit, else empty.
  public var viewsText: String {
    testViews.map { ", \($0) views" } ?? ""
  }

  /// `best checkpoint`, `final model` or `weight average`: what each test figure was measured on.
  public static func modelName(_ kind: CheckpointKind) -> String {
    switch kind {
    case .best: "best checkpoint"
    case .last: "final model"
    case .average: "weight average"
    }
  }

  /// `FINISHED at epoch 40/40`, `STOPPED at epoch 19/40`.
  public var statusText: String { "\(status.label) at epoch \(epochsDone)/\(epochsPlanned)" }

  /// Whether this run ranks above `other`: the higher validation accuracy of the best epoch
  /// (the model kept), then the lower criterion; runs without a best epoch rank last. The one
  /// rule by which runs are ranked (the dashboard's star, the report's order).
  public func ranksAbove(_ other: RunRecord) -> Bool {
    guard let mine = best else { return false }
    guard let theirs = other.best else { return true }
    let (a, b) = (mine.validationAccuracy.isNaN ? -1 : mine.validationAccuracy, theirs.validationAccuracy.isNaN ? -1 : theirs.validationAccuracy)
    if a != b { return a > b }
    return RunLog.criterion(mine.report) < RunLog.criterion(theirs.report)
  }

  /// `0.9512` -> `95.1%` (`–` when not a number): the one format of percentages on screens and
  /// in tables (files keep fractions).
  public static func percent(_ v: Float) -> String {
    guard v.isFinite else { return "–" }
    let tenths = Int(min(max(Double(v) * 1000, -1e15), 1e15).rounded())
    return "\(tenths / 10).\(tenths % 10)%"
  }
}

extension BestEpoch {
  /// What made it the best: `RunLog.criterion` (validation loss, or training loss without validation).
  public var criterion: Float { RunLog.criterion(report) }

  /// As an epoch report, for `RunLog.criterion`.
  var report: EpochReport {
    EpochReport(
      epoch: epoch, trainLoss: trainLoss, trainAccuracy: .nan, validationLoss: validationLoss,
      validationAccuracy: validationAccuracy, learningRate: .nan, seconds: 0)
  }
}

extension RunRecord {
  /// Encodes as `run.json` (NaN as `"nan"`).
  public var json: Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return (try? encoder.encode(self)) ?? Data()
  }

  /// Writes `run.json` in `folder`, atomically.
  public func write(folder: String) throws {
    try json.withUnsafeBytes { try AtomicFile.write($0, to: RunFiles.path(folder, RunFiles.record)) }
  }

  /// The record of the run in `folder` whose configuration plans `epochsPlanned` epochs and whose
  /// logged epochs are `epochs`. A record that says the run trains while nobody holds its lock
  /// reads as `interrupted`, as of its last saved state; a folder from before records (no
  /// `run.json`) is read from its logs: finished when every planned epoch is logged, else
  /// interrupted. Epochs done and the best epoch come from the log, or from the saved record
  /// where the log holds fewer epochs than it saved.
  public static func read(folder: String, epochs: [EpochReport], epochsPlanned: Int, bestSmoothing: Double = 0) -> RunRecord {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    let saved = FileManager.default.contents(atPath: RunFiles.path(folder, RunFiles.record)).flatMap { try? decoder.decode(RunRecord.self, from: $0) }
    var record = RunRecord(status: .interrupted, epochs: epochs, epochsPlanned: epochsPlanned, bestSmoothing: bestSmoothing)
    if let saved {
      record.status = saved.status
      record.reason = saved.reason
      record.testOfFinalModel = saved.testOfFinalModel
      record.testOfBestCheckpoint = saved.testOfBestCheckpoint
      record.testOfAverage = saved.testOfAverage
      record.testViews = saved.testViews
      record.learningRateFactor = saved.learningRateFactor
    } else if let last = epochs.last, last.epoch >= epochsPlanned {
      record.status = .finished
    }
    if RunLock.isHeld(folder: folder) {
      if record.status.hasEnded { record.status = .running }
    } else if !record.status.hasEnded {
      // Killed: what counts is what was saved (the record is written with every state); the
      // epochs logged after it are trained again on --resume, and the best checkpoint is as of then.
      let saved = saved?.epochsDone ?? epochs.last?.epoch ?? 0
      record = RunRecord(status: .interrupted, epochs: epochs.filter { $0.epoch <= saved }, epochsPlanned: epochsPlanned, bestSmoothing: bestSmoothing)
      record.reason = "its process ended without saving an end (killed?): --resume continues from epoch \(saved)"
    }
    // A log with fewer epochs than the record saved (metrics.csv cut short, damaged or removed):
    // the record's count and best epoch stand, rather than a finished run read as 0 epochs done.
    if let saved, saved.epochsDone > record.epochsDone {
      record.epochsDone = saved.epochsDone
      record.best = saved.best
    }
    return record
  }
}

extension RunSummary {
  /// The summary of a run read back from its folder (replayed or followed): its logged epochs
  /// and its record, the same way for both.
  public init(name: String, epochs: [EpochReport], record: RunRecord) {
    let last = epochs.last
    self.init(
      runName: name, epochs: record.epochsDone,
      train: Metrics(loss: last?.trainLoss ?? .nan, accuracy: last?.trainAccuracy ?? .nan),
      validation: Metrics(loss: last?.validationLoss ?? .nan, accuracy: last?.validationAccuracy ?? .nan),
      test: record.testOfFinalModel, secondsPerEpoch: epochs.map(\.seconds), samplesPerSecond: 0,
      stopped: record.status == .stopped, record: record)
  }
}
