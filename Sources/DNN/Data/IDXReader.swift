import CZlib
import Foundation

/// Reads the IDX files of the MNIST distribution (LeCun et al.), gzipped or raw.
///
/// Format: a big-endian header, `0x00 0x00 <type> <ndims>` then one UInt32 per dimension, then
/// the unsigned bytes. Images are `0x00000803` `[n, 28, 28]`, labels `0x00000801` `[n]`.
public enum IDXReader {
  /// Image side the engine expects.
  public static let side = 28

  /// The most bytes an IDX file may hold (a header announcing more is refused): 2 GiB, eight
  /// times the 60,000-image training file of any MNIST-format set.
  public static let maximumSize = 1 << 31

  /// The whole content of `path`, decompressed when it is gzip (zlib reads raw files as-is).
  /// Only regular files are read (a FIFO, a device or a link to one is refused by its type),
  /// and reading stops as soon as the content passes the size its IDX header announces, so a
  /// small gzip file that inflates without end costs no more than the file it claims to be.
  /// When the header's magic number is not `magic`, reading stops there (the parser says why).
  public static func readBytes(_ path: String, magic: UInt32? = nil) throws -> [UInt8] {
    var info = stat()
    guard stat(path, &info) == 0 else {
      throw DataError(path: path, problem: "no such file", hint: "Check --data-dir, or fetch the data with dnn download mnist.")
    }
    if (info.st_mode & S_IFMT) == S_IFDIR {
      throw DataError(path: path, problem: "is a folder, expected an IDX file", hint: "Point --data-dir at the folder that holds the MNIST files.")
    }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
      throw DataError(path: path, problem: "is not a regular file (a device, FIFO or socket)", hint: "Point --data-dir at a folder of real MNIST files.")
    }
    guard let file = gzopen(path, "rb") else {
      throw DataError(path: path, problem: "cannot be opened (\(String(cString: strerror(errno))))", hint: "Check the file's permissions.")
    }
    defer { gzclose(file) }
    gzbuffer(file, 1 << 20)
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    var limit: Int?  // known once the header is read
    while true {
      let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
      if n < 0 {
        var code: Int32 = 0
        let message = gzerror(file, &code).map { String(cString: $0) } ?? "unknown error"
        throw DataError(path: path, problem: "is not a valid gzip file (\(message))")
      }
      if n == 0 { break }
      bytes.append(contentsOf: chunk[0..<Int(n)])
      if limit == nil && bytes.count >= 16 {
        // Not IDX, or another kind: what was read is enough for the parser to say so.
        guard let announced = announcedSize(bytes), magic.map({ $0 == readUInt32(bytes, at: 0) }) ?? true else {
          return bytes
        }
        limit = announced
      }
      if let limit, bytes.count > limit {
        throw DataError(path: path, problem: "holds more than the \(limit) bytes its header announces (stopped reading)")
      }
    }
    // A stream cut short ends without an error from gzread, but gzerror reports it.
    var code: Int32 = 0
    let message = gzerror(file, &code).map { String(cString: $0) } ?? ""
    if code != Z_OK {
      throw DataError(path: path, problem: "is not a valid gzip file (\(message.isEmpty ? "error \(code)" : message))")
    }
    return bytes
  }

  /// The file size an IDX header (first 16 bytes) announces: header plus the product of its
  /// dimensions, capped at `maximumSize`; nil for a header that is not IDX.
  static func announcedSize(_ bytes: [UInt8]) -> Int? {
    let magic = readUInt32(bytes, at: 0)
    guard magic >> 8 == 0x08, (1...3).contains(Int(magic & 0xff)) else { return nil }
    let dimensions = Int(magic & 0xff)
    let count = (0..<dimensions).reduce(1) { partial, d in
      let (product, overflow) = partial.multipliedReportingOverflow(by: Int(readUInt32(bytes, at: 4 + 4 * d)))
      return overflow ? Int.max : product
    }
    return count >= maximumSize ? maximumSize : 4 + 4 * dimensions + count
  }

  /// Images `[n, 28, 28]` from an IDX3 file, as `n * 784` bytes.
  public static func readImages(_ path: String) throws -> (count: Int, pixels: [UInt8]) {
    try parseImages(try readBytes(path, magic: 0x0000_0803), path: path)
  }

  /// Images from the bytes of an IDX3 file; `path` is for messages.
  public static func parseImages(_ bytes: [UInt8], path: String) throws -> (count: Int, pixels: [UInt8]) {
    let dims = try header(bytes, path: path, magic: 0x0000_0803, dimensions: 3)
    guard dims[1] == side && dims[2] == side else {
      throw DataError(path: path, problem: "images are \(dims[1])x\(dims[2]), expected \(side)x\(side)",
                      hint: "Only 28x28 MNIST-format images are supported.")
    }
    let headerSize = 16
    try checkLength(bytes, path: path, headerSize: headerSize, expected: dims[0] * side * side)
    return (dims[0], Array(bytes[headerSize...]))
  }

  /// Labels `[n]` from an IDX1 file; each must be below `classes`.
  public static func readLabels(_ path: String, classes: Int = 10) throws -> [UInt8] {
    try parseLabels(try readBytes(path, magic: 0x0000_0801), path: path, classes: classes)
  }

  /// Labels from the bytes of an IDX1 file; `path` is for messages.
  public static func parseLabels(_ bytes: [UInt8], path: String, classes: Int = 10) throws -> [UInt8] {
    let dims = try header(bytes, path: path, magic: 0x0000_0801, dimensions: 1)
    let headerSize = 8
    try checkLength(bytes, path: path, headerSize: headerSize, expected: dims[0])
    let labels = Array(bytes[headerSize...])
    if let bad = labels.firstIndex(where: { Int($0) >= classes }) {
      throw DataError(path: path, problem: "label \(labels[bad]) at index \(bad) is not a class 0-\(classes - 1)")
    }
    return labels
  }

  private static func header(_ bytes: [UInt8], path: String, magic: UInt32, dimensions: Int) throws -> [Int] {
    if bytes.isEmpty { throw DataError(path: path, problem: "is empty") }
    let headerSize = 4 + 4 * dimensions
    guard bytes.count >= 4 else {
      throw DataError(path: path, problem: "truncated header (\(bytes.count) bytes, need \(headerSize))")
    }
    let found = readUInt32(bytes, at: 0)
    guard found == magic else {
      throw DataError(path: path, problem: "wrong magic number \(hex(found)), expected \(hex(magic))")
    }
    guard bytes.count >= headerSize else {
      throw DataError(path: path, problem: "truncated header (\(bytes.count) bytes, need \(headerSize))")
    }
    return (0..<dimensions).map { Int(readUInt32(bytes, at: 4 + 4 * $0)) }
  }

  private static func checkLength(_ bytes: [UInt8], path: String, headerSize: Int, expected: Int) throws {
    let body = bytes.count - headerSize
    if body < expected {
      throw DataError(path: path, problem: "truncated: header promises \(expected) data bytes, file has \(body)")
    }
    if body > expected {
      throw DataError(path: path, problem: "\(body - expected) unexpected bytes after the \(expected) the header promises")
    }
  }

  private static func readUInt32(_ b: [UInt8], at i: Int) -> UInt32 {
    UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
  }

  private static func hex(_ v: UInt32) -> String {
    let digits = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
  }
}
