import Foundation

/// Data sets `dnn download` knows: where to fetch them and the published digests of each file.
public struct DatasetSource: Sendable {
  public let name: String
  public let mirrors: [String]
  /// File name -> "sha256:<hex>" or "md5:<hex>", as published.
  public let files: [(name: String, digest: String)]
  /// The largest file's size in bytes: a download that sends more is cut off.
  public let largestFile: Int

  public static let mnist = DatasetSource(
    name: "mnist", mirrors: ["https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"],
    files: [
      ("train-images-idx3-ubyte.gz", "sha256:440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
      ("train-labels-idx1-ubyte.gz", "sha256:3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
      ("t10k-images-idx3-ubyte.gz", "sha256:8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
      ("t10k-labels-idx1-ubyte.gz", "sha256:f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
    ], largestFile: 9_912_422)

  /// Zalando publishes MD5 sums for Fashion-MNIST, so those are what is checked.
  public static let fashionMNIST = DatasetSource(
    name: "fashion-mnist", mirrors: ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
    files: [
      ("train-images-idx3-ubyte.gz", "md5:8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
      ("train-labels-idx1-ubyte.gz", "md5:25c81989df183df01b3e8a0aad5dffbe"),
      ("t10k-images-idx3-ubyte.gz", "md5:bef4ecab320f06d8554ea6380940ec79"),
      ("t10k-labels-idx1-ubyte.gz", "md5:bb300cfdad3c16e7a12a480ee83cd310"),
    ], largestFile: 26_421_880)

  public static let all = [mnist, fashionMNIST]

  /// The source called `name`.
  public static func named(_ name: String) -> DatasetSource? { all.first { $0.name == name } }

  /// Checks `bytes` against a published digest ("sha256:..." or "md5:...").
  public static func matches(_ bytes: [UInt8], digest: String) -> (ok: Bool, actual: String) {
    if digest.hasPrefix("md5:") {
      let actual = "md5:" + Digest.md5(bytes)
      return (actual == digest, actual)
    }
    let actual = "sha256:" + Digest.sha256(bytes)
    return (actual == digest, actual)
  }

  /// Where downloads go by default, and where `--dataset NAME` looks:
  /// `$XDG_CACHE_HOME/diy-dnn/NAME` or `~/.cache/diy-dnn/NAME`.
  public static func cacheFolder(_ name: String) -> String {
    let env = ProcessInfo.processInfo.environment
    let base = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache")
    return "\(base)/diy-dnn/\(name)"
  }

  /// The folder for `--dataset NAME`: `bundled`, or a downloaded (or system) copy.
  public static func folder(forDataset name: String) throws -> String {
    if name == "bundled" { return try Assets.mnistFolder() }
    guard named(name) != nil else {
      throw DataError(path: name, problem: "unknown dataset", hint: "Use bundled, \(all.map(\.name).joined(separator: ", ")), or --data-dir.")
    }
    let cache = cacheFolder(name)
    if FileManager.default.fileExists(atPath: cache) { return cache }
    if name == "fashion-mnist" && FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist") {
      return "/usr/share/datasets/fashion-mnist"
    }
    throw DataError(path: cache, problem: "no such folder", hint: "Fetch it first with: dnn download \(name)")
  }
}
