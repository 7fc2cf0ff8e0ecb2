import ArgumentParser
import DNN

/// `--data-dir` of the commands that read the test files of saved runs (evaluate, plot, report).
struct DataFolderOption: ParsableArguments {
  @Option(help: "Folder with the MNIST files. Default: the bundled digits.") var dataDir: String?

  /// The folder named by --data-dir, or the bundled digits.
  func folder() throws -> MNISTFolder { try MNISTFolder(path: dataDir ?? Assets.mnistFolder()) }
}
