import ArgumentParser
import DNN
import Foundation

/// `dnn train`: trains the runs of a configuration file.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train the runs of a configuration file (default: assets/configs/default.json).")

  @Option(help: "Run configuration file (JSON).") var config: String?
  @Option(name: .customLong("run"), help: "Train only the run with this name.") var runName: String?
  @Option(help: "Folder with the MNIST files (train-*, t10k-*; .gz or raw). Default: the bundled digits.")
  var dataDir: String?
  @Option(help: "Override the number of epochs.") var epochs: Int?
  @Flag(help: "Print one JSON object per run as the last line(s) of stdout.") var json = false

  func validate() throws {
    if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
  }

  func run() throws {
    do {
      try train()
    } catch let error as ExitCode {
      throw error
    } catch {
      Console.error("error: \(error)")
      throw ExitCode.failure
    }
  }

  private func train() throws {
    let configPath = try config ?? Assets.defaultConfig()
    let file = try RunFile.load(path: configPath)
    var runs = file.runs
    if let runName { runs = [try file.run(named: runName)] }
    let folder = try MNISTFolder(path: dataDir ?? Assets.mnistFolder())
    var failed = false
    for var runConfig in runs {
      if let epochs { runConfig.epochs = epochs }
      let summary = try trainOne(runConfig, folder: folder)
      if let summary, json { print(summary.json) }
      if summary == nil { failed = true }
    }
    if failed { throw ExitCode.failure }
  }

  /// Trains one run, printing progress; nil when it diverged or failed (message printed).
  private func trainOne(_ config: RunConfig, folder: MNISTFolder) throws -> RunSummary? {
    let session = TrainingSession(events: EventChannel(capacity: 1 << 20))
    session.start { events, commands in
      try Trainer.make(config: config, folder: folder, events: events, commands: commands)
    }
    let printer = ProgressPrinter(live: Console.stdoutIsTerminal)
    while true {
      session.events.wait(timeout: 0.1)
      for event in session.events.drain() {
        printer.handle(event)
        switch event {
        case .finished(let summary): return summary
        case .failed(let message):
          Console.error("error: run '\(config.name)': \(message)")
          return nil
        case .diverged(_, _, let message):
          Console.error("error: run '\(config.name)': \(message)")
          return nil
        default: break
        }
      }
    }
  }
}

extension RunSummary {
  /// The `--json` line: `{"run": ..., "epochs": ..., "train": {...}, "validation": {...}, ...}`.
  var json: String {
    func metrics(_ m: Metrics?) -> JSONValue {
      guard let m else { return .null }
      return .object(["loss": .number(Double(m.loss)), "accuracy": .number(Double(m.accuracy))])
    }
    return JSONValue.object([
      "run": .string(runName), "epochs": .number(Double(epochs)), "train": metrics(train),
      "validation": metrics(validation), "test": metrics(test),
      "secondsPerEpoch": .array(secondsPerEpoch.map { .number($0) }),
      "samplesPerSecond": .number(samplesPerSecond), "stopped": .bool(stopped),
    ]).text
  }
}
