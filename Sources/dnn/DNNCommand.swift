import ArgumentParser
import DNN

/// `dnn`: the headless command line of diy-dnn.
struct DNNCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dnn",
    abstract: "Train and evaluate from-scratch neural networks on MNIST-format digits.",
    subcommands: [TrainCommand.self, EvaluateCommand.self, PlotCommand.self, ReportCommand.self, DownloadCommand.self, BenchCommand.self],
    defaultSubcommand: nil)
}

@main
enum Entry {
  static func main() {
    ProcessSetup.prepare()
    DNNCommand.main()
  }
}
