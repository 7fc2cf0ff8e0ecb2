import Foundation

/// Which data a run was trained on: how it was chosen (`bundled`, `mnist`, `fashion-mnist`, or
/// `folder` for a `--data-dir`), where it was read from, and the SHA-256 of each of its files.
///
/// Recorded in a run's `config.json` (key `dataset`) and checkpoint metadata, so that every later
/// use of the run (evaluate, plot, report, replay, resume) reads the same data or says that the
/// data at hand differs.
public struct DatasetIdentity: Sendable, Equatable {
  /// `bundled`, `mnist`, `fashion-mnist` or `folder`.
  public var name: String
  /// The folder the files were read from.
  public var path: String
  /// File name (not path) -> lowercase hex SHA-256 of its bytes as stored (gzipped or raw).
  public var files: [String: String]

  public init(name: String, path: String, files: [String: String]) {
    self.name = name
    self.path = path
    self.files = files
  }

  /// The identity of the files `folder` was read from.
  public static func of(_ folder: MNISTFolder, name: String) throws -> DatasetIdentity {
    var files: [String: String] = [:]
    for file in folder.files {
      guard let digest = Digest.sha256(file: file) else {
        throw DataError(path: file, problem: "cannot be read to compute its digest", hint: "Check the file's permissions.")
      }
      files[(file as NSString).lastPathComponent] = digest
    }
    return DatasetIdentity(name: name, path: folder.path, files: files)
  }

  /// Why `other` (the data at hand) is not this data, or nil when every file matches. Only the
  /// digests count: the same files in another folder are the same data.
  public func difference(from other: DatasetIdentity) -> String? {
    let names = Set(files.keys).union(other.files.keys).sorted()
    for name in names where files[name] != other.files[name] {
      switch (files[name], other.files[name]) {
      case (nil, _): return "\(other.path) has \(name), which the run's data did not"
      case (_, nil): return "\(other.path) lacks \(name)"
      case (let a?, let b?): return "\(other.path)/\(name) has SHA-256 \(b.prefix(12))…, the run's had \(a.prefix(12))…"
      }
    }
    return nil
  }

  /// Fashion-MNIST's ten classes, short enough for a label column.
  public static let fashionClassNames = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot"]

  /// What the ten labels mean: Fashion-MNIST's clothes (by name, or a folder with "fashion" in
  /// its path), else the digits 0-9.
  public var classNames: [String] {
    name == "fashion-mnist" || path.lowercased().contains("fashion") ? Self.fashionClassNames : (0..<10).map(String.init)
  }

  /// The `dataset` object of `config.json`.
  public var jsonValue: JSONValue {
    .object([
      "name": .string(name), "path": .string(path),
      "sha256": .object(files.mapValues { .string($0) }),
    ])
  }

  /// Reads the `dataset` object of `config.json`.
  static func parse(_ value: JSONValue, context: String) throws -> DatasetIdentity {
    var r = try ObjectReader(value, context: context)
    guard let name = try r.string("name"), let path = try r.string("path") else {
      throw ConfigError("\(context): needs name and path")
    }
    guard case .object(let digests)? = r.raw("sha256") else { throw ConfigError("\(context): sha256 must be an object") }
    try r.rejectUnknownKeys()
    var files: [String: String] = [:]
    for (file, digest) in digests {
      guard case .string(let hex) = digest, hex.count == 64, hex.allSatisfy(\.isHexDigit) else {
        throw ConfigError("\(context): sha256.\(file) must be 64 hex digits")
      }
      files[file] = hex
    }
    return DatasetIdentity(name: name, path: path, files: files)
  }
}
