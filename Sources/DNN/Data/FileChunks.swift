import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Reads a file in chunks with `read(2)` (retried on EINTR): the one loop behind reading run
/// logs as bytes (`RunLog`) and hashing data files without holding them whole (`Digest`).
enum FileChunks {
  /// Calls `body` with each chunk of the file at `path`, in order; false when the file cannot
  /// be opened or a read fails.
  static func read(_ path: String, chunkSize: Int = 1 << 20, _ body: (UnsafeBufferPointer<UInt8>) -> Void) -> Bool {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var chunk = [UInt8](repeating: 0, count: chunkSize)
    while true {
      let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      guard n >= 0 else { return false }
      if n == 0 { return true }
      chunk.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[..<n])) }
    }
  }
}
