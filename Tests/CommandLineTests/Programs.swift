import Foundation
import TestSupport

/// Paths of the built executables and the repository.
enum Programs {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  static let buildFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()

  /// The executable `name` built next to the tests.
  static func path(_ name: String) throws -> String {
    let candidates = [buildFolder.appendingPathComponent(name).path, buildFolder.deletingLastPathComponent().appendingPathComponent(name).path]
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
      throw Spawn.SpawnError(message: "\(name) is not built next to the tests (\(candidates)); run swift build first")
    }
    return found
  }

  /// Runs `dnn` with `arguments` from the repository root.
  @discardableResult
  static func dnn(_ arguments: [String]) throws -> Spawn.Result {
    try Spawn.run([try path("dnn")] + arguments, directory: root.path)
  }

  /// A new empty temporary folder.
  static func temporaryFolder() -> String {
    TemporaryFolders.make("dnn-cli")
  }
}
