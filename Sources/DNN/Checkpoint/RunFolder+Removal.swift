import Foundation

/// Deleting a run folder (`--overwrite`, `dnn runs --remove`): only a folder of run files,
/// only when no process writes it, and only the files a run writes.
extension RunFolder {
  /// The first entry of `path` that is not a run file (`RunFiles.isRunFile`), or nil.
  static func foreignFile(in path: String) -> String? {
    let contents = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    return contents.filter { !RunFiles.isRunFile($0) }.sorted().first
  }

  /// Why the run folder at `path` may not be removed, or nil when it may.
  public static func removalProblem(_ path: String) -> String? {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "does not exist" }
    guard isDirectory.boolValue, RunFiles.isRunFolder(path) else { return "is not a run folder (no config.json): not removed" }
    if let writer = RunLock.writer(folder: path) { return "\(writer): not removed" }
    if let foreign = foreignFile(in: path) { return "holds \(foreign), which is not a run file: not removed (move it first)" }
    return nil
  }

  /// Removes the run folder at `path`: its run files, then the folder. Throws (having removed
  /// nothing) when `removalProblem` names one.
  public static func removeRun(_ path: String) throws {
    if let problem = removalProblem(path) { throw CheckpointError(path: path, problem: problem) }
    // Held while deleting: a trainer starting on this folder now waits, then finds it gone.
    let lock = try RunLock(folder: path)
    defer { withExtendedLifetime(lock) {} }
    let contents = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    for name in contents where RunFiles.isRunFile(name) {
      guard unlink(RunFiles.path(path, name)) == 0 || errno == ENOENT else {
        throw CheckpointError(path: RunFiles.path(path, name), problem: "cannot be removed (\(String(cString: strerror(errno))))")
      }
    }
    guard rmdir(path) == 0 else {
      throw CheckpointError(path: path, problem: "cannot be removed (\(String(cString: strerror(errno))))")
    }
  }
}
