import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The advisory lock of a run folder (`.lock`, `flock`): held by the one process that writes
/// the run, for as long as it writes. The kernel drops it when the process ends, however it
/// ends, so a killed trainer never leaves a folder locked.
public final class RunLock: Sendable {
  private let fd: Int32

  /// How long a lock held by someone else is waited for before giving up: a writer that has
  /// just finished can hold it a moment longer, when a process forked by its program (a
  /// `Process` started at that instant) still has a copy of the descriptor until it execs.
  static let patience = 0.5

  /// Takes the lock of `folder` (which must exist), or throws naming the process that holds it
  /// (after trying for `patience` seconds).
  public init(folder: String) throws {
    let path = (folder as NSString).appendingPathComponent(RunFiles.lock)
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw CheckpointError(path: folder, problem: "cannot be locked (\(String(cString: strerror(errno))))")
    }
    let deadline = Date().addingTimeInterval(RunLock.patience)
    while flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK && Date() < deadline { usleep(10_000) }
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

  /// Who writes `folder`, or wrote it and still runs (a dashboard that claimed the name for a
  /// queued run holds the lock; the pid in the lock file names the last writer), or nil.
  public static func writer(folder: String) -> String? {
    if isHeld(folder: folder) { return "is being written by another process" }
    let text = (try? String(contentsOfFile: RunFiles.path(folder, RunFiles.lock), encoding: .utf8)) ?? ""
    guard let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0, pid != getpid(), kill(pid, 0) == 0
    else { return nil }
    // A live process of ours (`dnn`, `dnn-tui`), not another program that reused the number.
    let name = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
    guard name.hasPrefix("dnn") else { return nil }
    return "its last writer (pid \(pid)) is still running"
  }

  /// Whether another process holds the lock of `folder` now. Never creates or writes anything,
  /// and never takes the lock, even for an instant (a trainer starting at that instant would
  /// find it taken): the kernel's table of locks says who holds what.
  public static func isHeld(folder: String) -> Bool {
    let path = (folder as NSString).appendingPathComponent(RunFiles.lock)
    var info = stat()
    guard stat(path, &info) == 0 else { return false }
    if let table = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) {
      return holdsFlock(table: table, device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
    // Without /proc: try the lock (shared, at once released).
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    return flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK
  }

  /// Whether `/proc/locks` (`1: FLOCK  ADVISORY  WRITE 4321 fe:00:16508857 0 EOF`) lists a
  /// granted flock on the file `device`/`inode` (waiters, marked `->`, do not hold it).
  static func holdsFlock(table: String, device: UInt64, inode: UInt64) -> Bool {
    // glibc's dev_t: major in bits 8-19 and 32-43, minor in bits 0-7 and 20-31.
    let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~0xfff)
    let minor = (device & 0xff) | ((device >> 12) & ~0xff)
    for line in table.split(separator: "\n") {
      let fields = line.split(separator: " ")
      guard fields.count >= 6, fields[1] == "FLOCK", let id = fields.last(where: { $0.filter { $0 == ":" }.count == 2 }) else { continue }
      let parts = id.split(separator: ":")
      if UInt64(parts[0], radix: 16) == major && UInt64(parts[1], radix: 16) == minor && UInt64(parts[2]) == inode { return true }
    }
    return false
  }
}
