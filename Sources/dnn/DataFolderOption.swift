import ArgumentParser
import DNN

/// The data options of the commands that read saved runs (evaluate, plot, report): by default
/// each run's own recorded data; `--data-dir` or `--dataset` to choose, checked against it.
struct DataFolderOption: ParsableArguments {
  @Option(help: "Folder with the MNIST files. Default: the data each run was trained on.") var dataDir: String?
  @Option(help: "bundled, mnist or fashion-mnist; --data-dir wins.") var dataset: String?
  @Flag(help: "Use the data given even when it is not the data a run was trained on.") var allowOtherData = false

  /// Opens data once per distinct choice.
  final class Cache {
    var opened: [String: (folder: MNISTFolder, identity: DatasetIdentity)] = [:]
  }

  /// The data for `run`, read once per distinct folder through `cache`.
  func folder(for run: SavedRun, cache: Cache) throws -> MNISTFolder {
    let recorded = run.config.dataset
    let key = "\(dataDir ?? "")|\(dataset ?? "")|\(recorded?.name ?? "")|\(recorded?.path ?? "")"
    if let cached = cache.opened[key] {
      if let recorded, !allowOtherData, let difference = recorded.difference(from: cached.identity) {
        throw DataError(path: cached.folder.path, problem: "is not the data run '\(run.config.name)' was trained on: \(difference)",
                        hint: "Leave out --data-dir and --dataset to use the run's own data, or pass --allow-other-data.")
      }
      return cached.folder
    }
    let opened = try DataChoice(dataDir: dataDir, dataset: dataset)
      .open(forRun: run.config.name, recorded: recorded, allowOther: allowOtherData)
    cache.opened[key] = opened
    return opened.folder
  }
}
