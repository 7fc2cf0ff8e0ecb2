import ArgumentParser
import DNN
import Foundation

/// `dnn`: the headless command line of diy-dnn.
struct DNNCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dnn",
    abstract: "Train and evaluate from-scratch neural networks on MNIST-format digits.",
    version: Version.text,
    subcommands: [TrainCommand.self, RunsCommand.self, EvaluateCommand.self, PlotCommand.self, ReportCommand.self, ExportCommand.self, DownloadCommand.self, BenchCommand.self],
    defaultSubcommand: nil)
}

@main
enum Entry {
  static func main() {
    ProcessSetup.prepare()
    if let problem = ProcessSetup.nonUTF8Argument() {
      let line = Array("error: \(problem)\n".utf8)
      _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
      exit(64)
    }
    DNNCommand.main()
  }
}
