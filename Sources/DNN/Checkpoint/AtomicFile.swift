import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Writes files so that a reader (or a crash) sees the old content or the new, never a mix:
/// write a temporary file in the same folder, flush it to disk, rename it into place.
public enum AtomicFile {
  /// Replaces `path` with `bytes`.
  public static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
    let temporary = "\(path).tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw CheckpointError(path: path, problem: "cannot be written (\(String(cString: strerror(errno))))") }
    var offset = 0
    while offset < bytes.count {
      let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
      if n < 0 {
        if errno == EINTR { continue }
        let reason = String(cString: strerror(errno))
        close(fd)
        unlink(temporary)
        throw CheckpointError(path: path, problem: "cannot be written (\(reason))")
      }
      offset += n
    }
    let synced = fsync(fd) == 0
    close(fd)
    guard synced, rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw CheckpointError(path: path, problem: "cannot be written (\(reason))")
    }
  }

  /// Replaces `path` with `data`.
  public static func write(_ data: Data, to path: String) throws {
    try data.withUnsafeBytes { try write($0, to: path) }
  }

  /// Replaces `path` with the UTF-8 of `text`.
  public static func write(_ text: String, to path: String) throws { try write(Data(text.utf8), to: path) }
}

/// Why a file a command was given cannot be read, in words: not there, not a regular file (a
/// folder, a device such as /dev/null, a pipe), or the system's reason (`Permission denied`).
/// One wording for configurations and checkpoints.
public enum UnreadableFile {
  /// The problem with reading `path`, or nil when it reads.
  public static func problem(_ path: String) -> String? {
    var info = stat()
    guard stat(path, &info) == 0 else { return "cannot be read (\(String(cString: strerror(errno))))" }
    guard info.st_mode & S_IFMT == S_IFREG else {
      return info.st_mode & S_IFMT == S_IFDIR ? "is a folder, not a file" : "is not a regular file (a device, pipe or socket)"
    }
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return "cannot be read (\(String(cString: strerror(errno))))" }
    close(fd)
    return nil
  }
}

