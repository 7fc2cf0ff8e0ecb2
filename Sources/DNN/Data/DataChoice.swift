import Foundation

/// Where a command's data comes from: `--data-dir`, `--dataset`, or, for a saved run, the data
/// the run recorded. One place decides, for `dnn train`, `evaluate`, `plot`, `report` and `dnn-tui`.
public struct DataChoice: Sendable {
  /// `--data-dir`: a folder of MNIST-format files (wins over `dataset`).
  public var dataDir: String?
  /// `--dataset`: `bundled`, `mnist` or `fashion-mnist`.
  public var dataset: String?

  public init(dataDir: String? = nil, dataset: String? = nil) {
    self.dataDir = dataDir
    self.dataset = dataset
  }

  /// Whether the user named data on the command line.
  public var isExplicit: Bool { dataDir != nil || dataset != nil }

  /// The chosen data (the bundled digits when none was chosen) and its identity.
  public func open() throws -> (folder: MNISTFolder, identity: DatasetIdentity) {
    if let dataDir {
      let absolute = dataDir.hasPrefix("/") ? dataDir : FileManager.default.currentDirectoryPath + "/" + dataDir
      let folder = try MNISTFolder(path: dataDir)
      var identity = try DatasetIdentity.of(folder, name: "folder")
      identity.path = (absolute as NSString).standardizingPath
      return (folder, identity)
    }
    let name = dataset ?? "bundled"
    let folder = try MNISTFolder(path: try DatasetSource.folder(forDataset: name))
    return (folder, try DatasetIdentity.of(folder, name: name))
  }

  /// Data folders already read, by where they were chosen from, so that a command over many
  /// runs reads and hashes each folder once.
  public final class Cache {
    fileprivate var opened: [String: (folder: MNISTFolder, identity: DatasetIdentity)] = [:]
    public init() {}
  }

  /// The chosen data through `cache`.
  private func open(cache: Cache?) throws -> (folder: MNISTFolder, identity: DatasetIdentity) {
    let key = "\(dataDir ?? "")|\(dataset ?? "")"
    if let cached = cache?.opened[key] { return cached }
    let opened = try open()
    cache?.opened[key] = opened
    return opened
  }

  /// The data for a saved run that recorded `recorded` (nil for runs saved before runs
  /// recorded their data): the chosen data when the user chose, else the recorded data where it
  /// was. Throws when the data differs from the recorded, unless `allowOther`.
  public func open(forRun run: String, recorded: DatasetIdentity?, allowOther: Bool = false, cache: Cache? = nil)
    throws -> (folder: MNISTFolder, identity: DatasetIdentity)
  {
    guard let recorded, !isExplicit else {
      let opened = try open(cache: cache)
      if let recorded, !allowOther, let difference = recorded.difference(from: opened.identity) {
        throw DataError(
          path: opened.folder.path, problem: "is not the data run '\(run)' was trained on (\(recorded.name), \(recorded.path)): \(difference)",
          hint: "Leave out --data-dir and --dataset to use the run's own data.")
      }
      return opened
    }
    let location = recorded.name == "folder" ? DataChoice(dataDir: recorded.path) : DataChoice(dataset: recorded.name)
    let opened: (folder: MNISTFolder, identity: DatasetIdentity)
    do { opened = try location.open(cache: cache) } catch let error as DataError {
      throw DataError(
        path: error.path, problem: "run '\(run)' was trained on this data, which cannot be read now (\(error.problem))",
        hint: "Pass --data-dir with a folder holding the same files.")
    }
    if !allowOther, let difference = recorded.difference(from: opened.identity) {
      throw DataError(
        path: opened.folder.path, problem: "has changed since run '\(run)' was trained on it: \(difference)",
        hint: "Pass --data-dir with a folder holding the run's original files.")
    }
    return opened
  }
}
