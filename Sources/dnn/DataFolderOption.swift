import ArgumentParser
import DNN

/// The data options of the commands that read saved runs (evaluate, plot, report): by default
/// each run's own recorded data; `--data-dir` or `--dataset` to choose, checked against it.
struct DataFolderOption: ParsableArguments {
  @Option(help: "Folder with the MNIST files. Default: the data each run was trained on.") var dataDir: String?
  @Option(help: "bundled, mnist or fashion-mnist; --data-dir wins.") var dataset: String?
  @Flag(help: "Use the data given even when it is not the data a run was trained on.") var allowOtherData = false

  /// The data for `run`, each folder read once through `cache`.
  func folder(for run: SavedRun, cache: DataChoice.Cache) throws -> MNISTFolder {
    try DataChoice(dataDir: dataDir, dataset: dataset)
      .open(forRun: run.config.name, recorded: run.config.dataset, allowOther: allowOtherData, cache: cache).folder
  }
}
