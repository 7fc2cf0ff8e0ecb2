import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The advisory lock of a run folder (`.lock`, `flock`): held by the one process that writes
/// the run, for as long as it writes. The kernel drops it when the process ends, however it
/// ends, so a killed trainer never leaves a folder locked.
public final class RunLock {
  public static let fileName = ".lock"
  private let fd: Int32

  /// Takes the lock of `folder` (which must exist), or throws naming the process that holds it.
  public init(folder: String) throws {
    let path = (folder as NSString).appendingPathComponent(RunLock.fileName)
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw CheckpointError(path: folder, problem: "cannot be locked (\(String(cString: strerror(errno))))")
    }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
      close(fd)
      throw CheckpointError(
        path: folder, problem: "is being written by another process\(holder.isEmpty ? "" : " (pid \(holder))"): wait for it to finish or stop it first")
    }
    // The holder's pid, for the message above (informative only: the flock is the lock).
    let pid = "\(getpid())\n"
    _ = ftruncate(fd, 0)
    _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
  }

  deinit { close(fd) }

  /// Whether another process holds the lock of `folder` now. Never creates or writes anything.
  public static func isHeld(folder: String) -> Bool {
    let fd = open((folder as NSString).appendingPathComponent(fileName), O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    return flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK
  }
}
