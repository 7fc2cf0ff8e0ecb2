import Foundation

/// The layout of a run folder, `<out>/<name>/`, and its one owner: every file name a run folder
/// (or a folder of runs) holds is spelled here and nowhere else, and so is the test "is this a
/// run folder". `scripts/check-house-rules.sh` fails when a name below appears as a literal in
/// another Swift file.
///
/// - `config.json`: the run as resolved (defaults filled in, the dataset's identity recorded)
/// - `run.json`: the run record (`RunRecord`): how the run stands or ended, its best epoch, its
///   test accuracies
/// - `metrics.csv`, `steps.csv`, `events.csv`: the logs (`RunLog`)
/// - `best.safetensors`, `last.safetensors`, `average.safetensors`: the checkpoints (`CheckpointKind`)
/// - `.lock`: held while a process writes the run (`RunLock`)
/// - `curves.svg`, `digits.svg`: pictures `dnn plot` adds
/// - `model-best.onnx`, `model-last.onnx`, `model-average.onnx`: the model as `dnn export --onnx` writes it
/// - `events.out.tfevents.diy-dnn`: the run for TensorBoard (`tensorboard --logdir runs`)
public enum RunFiles {
  public static let config = "config.json"
  public static let record = "run.json"
  public static let metrics = "metrics.csv"
  public static let steps = "steps.csv"
  public static let events = "events.csv"
  public static let lock = ".lock"
  public static let curves = "curves.svg"
  public static let digits = "digits.svg"
  /// Where an early version kept the optimizer state apart from `last.safetensors`.
  public static let legacyOptimizer = "optimizer.safetensors"
  /// What `dnn evaluate` and `dnn report` write in a folder of runs.
  public static let summaryCSV = "summary.csv"
  public static let summaryMarkdown = "summary.md"
  public static let report = "report.html"
  /// TensorBoard's event file (a name with `tfevents` in it is what TensorBoard reads).
  public static let tensorboard = "events.out.tfevents.diy-dnn"

  /// What `dnn export --onnx` writes into a run folder by default: `model-best.onnx`.
  public static func onnx(_ checkpoint: CheckpointKind) -> String { "model-\(checkpoint.rawValue).onnx" }

  /// The files a run folder may hold (those it writes, and those `dnn plot` and `dnn report` on
  /// the run add): `--overwrite` deletes a folder only when it holds nothing else.
  public static let known: Set<String> = Set(
    [config, record, metrics, steps, events, lock, curves, digits, legacyOptimizer, report, tensorboard]
      + CheckpointKind.allCases.map(\.fileName) + CheckpointKind.allCases.map(onnx))

  /// The path of `name` in `folder`.
  public static func path(_ folder: String, _ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

  /// Whether `folder` is a run folder (it holds the file `config.json`; a folder of runs holding
  /// a run named `config.json` has a folder by that name, and is not one).
  public static func isRunFolder(_ folder: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path(folder, config), isDirectory: &isDirectory) && !isDirectory.boolValue
  }

  /// Whether `name` is a file a run folder may hold (a known name, or a temporary file of one).
  public static func isRunFile(_ name: String) -> Bool { known.contains(name) || isTemporary(name) }

  /// Whether `name` is a temporary file left by a process killed while it saved (`AtomicFile`).
  public static func isTemporary(_ name: String) -> Bool { name.contains(".tmp-") }

  /// The run folders among `folder`'s children, sorted by name.
  public static func runFolders(in folder: String) -> [String] {
    let children = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return children.sorted().map { path(folder, $0) }.filter(isRunFolder)
  }
}

/// The checkpoints of a run folder.
public enum CheckpointKind: String, CaseIterable, Sendable {
  /// The model of the best epoch (`RunLog.bestEpoch`'s rule), as of the last save.
  case best
  /// The run's whole state (model, optimizer, position): what `--resume` continues from.
  case last
  /// The moving average of the weights (`WeightAverage`), as of the last save: only in runs
  /// whose configuration asks for one (`average`).
  case average

  /// `best.safetensors`, `last.safetensors`.
  public var fileName: String { "\(rawValue).safetensors" }

  /// `best or last`, for messages.
  public static var list: String { allCases.map(\.rawValue).joined(separator: " or ") }
}
