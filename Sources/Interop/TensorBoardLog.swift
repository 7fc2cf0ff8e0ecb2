import DNN
import Foundation
import SwiftProtobuf

/// A run folder's TensorBoard event file (`RunFiles.tensorboard`), written as the run trains
/// (a `RunLogSink`): per step the training loss and accuracy and each parameter's gradient
/// norm; per epoch the losses, accuracies and learning rate, and each parameter's values as a
/// histogram; the configuration as text at step 0 and each intervention as text at its step.
/// Event and Summary messages are TensorBoard's own schema's (generated code, swift-protobuf),
/// framed as TFRecords (`TensorBoardRecords`). A resumed run's file is cut back to its saved
/// step first, as the CSV logs are, so a killed and resumed run reads as one history.
public final class TensorBoardLog: RunLogSink {
  public let path: String
  private let handle: FileHandle
  /// The wall time of the last event, from which the next epoch's steps are spread.
  private var lastTime = Date().timeIntervalSince1970

  /// Opens (creates, or for a resumed run cuts back to `resumedAt`) the event file of `folder`.
  public init(folder: String, config: RunConfig, resumedAt: TrainingPosition?) throws {
    path = RunFiles.path(folder, RunFiles.tensorboard)
    let existing = resumedAt == nil ? Data() : (FileManager.default.contents(atPath: path) ?? Data())
    // Whole records of steps up to the saved one (the first, the file version, is step 0).
    let keep = TensorBoardRecords.wholeRecords(existing).prefix { record in
      ((try? Tensorboard_Event(serializedBytes: record.payload))?.step ?? .max) <= Int64(resumedAt?.step ?? 0)
    }.last?.end ?? 0
    // open(2), not FileManager.createFile: that one writes a temporary file and renames it,
    // which a kill can leave behind in the run folder.
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw CheckpointError(path: path, problem: "cannot be opened (\(String(cString: strerror(errno))))") }
    let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    self.handle = handle
    try handle.truncate(atOffset: UInt64(keep))
    try handle.seekToEnd()
    if keep == 0 { try append(TensorBoardEvents.start(config: config, time: lastTime)) }
  }

  /// Every run folder this process opens from now on writes its event file.
  public static func writeForEveryRun() {
    RunLogSinks.register("tensorboard") { folder, config, resumedAt in try TensorBoardLog(folder: folder, config: config, resumedAt: resumedAt) }
  }

  /// The command-line flag's help, the same in dnn train and dnn-tui.
  public static let flagHelp = "Do not write the TensorBoard event file (RUN/\(RunFiles.tensorboard)) beside the CSV logs."

  public func write(epoch: EpochReport, steps: [RunLog.Step], progress: TrainingProgress) throws {
    let model = progress.model
    let now = Date().timeIntervalSince1970
    let names = model.parameters.map(\.name)
    var events: [Tensorboard_Event] = []
    for (i, step) in steps.enumerated() {
      let time = lastTime + (now - lastTime) * Double(i + 1) / Double(steps.count)
      events.append(TensorBoardEvents.step(step, parameterNames: names, time: time))
    }
    let last = steps.last?.step ?? 0
    events.append(TensorBoardEvents.epoch(epoch, step: last, time: now))
    if let measured = progress.distributions?.value {
      events.append(TensorBoardEvents.histograms(measured.weights, prefix: "weights", step: last, time: now))
      if !measured.activations.isEmpty {
        events.append(TensorBoardEvents.histograms(measured.activations, prefix: "activations", step: last, time: now))
      }
    } else {
      events.append(TensorBoardEvents.weights(model, step: last, time: now))
    }
    lastTime = now
    try append(events)
  }

  public func write(_ intervention: Intervention) throws {
    try append([TensorBoardEvents.intervention(intervention)])
  }

  /// Appends `events` as records, in one write.
  private func append(_ events: [Tensorboard_Event]) throws {
    var data = Data()
    for event in events { data.append(TensorBoardRecords.frame(try event.serializedData())) }
    do { try handle.write(contentsOf: data) } catch {
      throw CheckpointError(path: path, problem: "cannot be written (\(error.localizedDescription))")
    }
  }
}

/// The events of a run as TensorBoard's messages: what `TensorBoardLog` writes live and
/// `dnn export --tensorboard` writes for a run made before.
enum TensorBoardEvents {
  /// The file version event, then the configuration as text at step 0.
  static func start(config: RunConfig, time: Double) -> [Tensorboard_Event] {
    let version = Tensorboard_Event.with {
      $0.wallTime = time
      $0.fileVersion = "brain.Event:2"
      $0.sourceMetadata.writer = "diy-dnn \(Version.number)"
    }
    return [version, text("configuration", "```\n\(config.jsonValue.prettyText)\n```", step: 0, time: time)]
  }

  static func step(_ step: RunLog.Step, parameterNames: [String], time: Double) -> Tensorboard_Event {
    var values = [scalar("train/loss", step.loss), scalar("train/accuracy", step.accuracy)]
    values += zip(parameterNames, step.gradientNorms).map { scalar("gradient_norm/\($0)", $1) }
    return event(step: step.step, time: time, values)
  }

  /// The epoch's scalars, with the weight average's validation loss and accuracy in a run that
  /// keeps one (`epoch/average_validation_loss`).
  static func epoch(_ epoch: EpochReport, step: Int, time: Double) -> Tensorboard_Event {
    let average = epoch.average.map {
      [scalar("epoch/average_validation_loss", $0.loss), scalar("epoch/average_validation_accuracy", $0.accuracy)]
    } ?? []
    return event(step: step, time: time, [
      scalar("epoch/train_loss", epoch.trainLoss), scalar("epoch/train_accuracy", epoch.trainAccuracy),
      scalar("epoch/validation_loss", epoch.validationLoss), scalar("epoch/validation_accuracy", epoch.validationAccuracy),
      scalar("epoch/learning_rate", epoch.learningRate), scalar("epoch/epoch", Float(epoch.epoch)),
    ] + average)
  }

  /// Each parameter's values as a histogram (`weights/0.weight`).
  static func weights(_ model: Sequential, step: Int, time: Double) -> Tensorboard_Event {
    histograms(model.parameters.map { ($0.name, ValueHistogram($0.value.values)) }, prefix: "weights", step: step, time: time)
  }

  /// Named histograms (`Distributions`' weights, `0.weight`; activations, `1.relu`) under
  /// `prefix/` (`weights/0.weight`, `activations/1.relu`).
  static func histograms(_ named: [(name: String, histogram: ValueHistogram)], prefix: String, step: Int, time: Double) -> Tensorboard_Event {
    event(step: step, time: time, named.map { item in
      Tensorboard_Summary.Value.with {
        $0.tag = "\(prefix)/\(item.name)"
        $0.histo = histogram(item.histogram)
      }
    })
  }

  static func intervention(_ intervention: Intervention) -> Tensorboard_Event {
    let detail = intervention.detail.isEmpty ? "" : ": \(intervention.detail)"
    return text("interventions", "\(intervention.kind.rawValue)\(detail) (epoch \(String(format: "%.2f", intervention.progress)))",
                step: intervention.step, time: intervention.time)
  }

  /// A `ValueHistogram`'s equal-width buckets as TensorBoard's legacy histogram (each bucket's
  /// upper edge and count; finite values only).
  static func histogram(_ h: ValueHistogram) -> Tensorboard_HistogramProto {
    Tensorboard_HistogramProto.with {
      $0.min = Double(h.low)
      $0.max = Double(h.high)
      $0.num = Double(h.total)
      $0.sum = h.sum
      $0.sumSquares = h.sumSquares
      // Equal edges (all values equal) would be no bucket at all to TensorBoard: a tiny width.
      $0.bucketLimit = h.counts.indices.map { h.high > h.low ? h.upperEdge($0) : Double(h.low) + 1e-12 * Double($0 + 1) }
      $0.bucket = h.counts.map(Double.init)
    }
  }

  static func scalar(_ tag: String, _ value: Float) -> Tensorboard_Summary.Value {
    Tensorboard_Summary.Value.with {
      $0.tag = tag
      $0.simpleValue = value
    }
  }

  /// Markdown for TensorBoard's text plugin: a string tensor under the `text` plugin.
  static func text(_ tag: String, _ markdown: String, step: Int, time: Double) -> Tensorboard_Event {
    event(step: step, time: time, [Tensorboard_Summary.Value.with {
      $0.tag = tag
      $0.metadata.pluginData.pluginName = "text"
      $0.tensor.dtype = .dtString
      $0.tensor.stringVal = [Data(markdown.utf8)]
    }])
  }

  static func event(step: Int, time: Double, _ values: [Tensorboard_Summary.Value]) -> Tensorboard_Event {
    Tensorboard_Event.with {
      $0.wallTime = time
      $0.step = Int64(step)
      $0.summary.value = values
    }
  }
}
