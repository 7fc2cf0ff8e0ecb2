import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The tests' temporary folders: all inside one folder per test process, removed when the
/// process exits, so a test run leaves nothing behind in the system's temporary folder (every
/// `swift test` used to leave some 200 folders of runs there).
public enum TemporaryFolders {
  /// This process's folder, created on first use; its removal is registered with it.
  public static let root: String = {
    let path = NSTemporaryDirectory() + "diy-dnn-tests-\(getpid())-" + UUID().uuidString.prefix(8)
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: TemporaryFolders.root) }
    return path
  }()

  /// A new empty folder named `prefix-UUID` inside `root`.
  public static func make(_ prefix: String) -> String {
    let path = root + "/" + prefix + "-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }
}
