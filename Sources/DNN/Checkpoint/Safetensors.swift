import Foundation

/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
/// naming each tensor's `dtype`, `shape` and `data_offsets` (into the data that follows), an
/// optional `__metadata__` of string pairs, then little-endian tensor data. We write and read
/// `F32` only. NumPy reads it with a few lines (`Tests/DNNTests/numpy_forward.py`), PyTorch
/// with `safetensors.torch.load_file`.
public struct Safetensors: Sendable {
  /// One named tensor.
  public struct Entry: Sendable {
    public var name: String
    public var shape: [Int]
    public var values: [Float]
    public init(name: String, shape: [Int], values: [Float]) {
      self.name = name
      self.shape = shape
      self.values = values
    }
  }

  public var entries: [Entry]
  public var metadata: [String: String]

  public init(entries: [Entry], metadata: [String: String] = [:]) {
    self.entries = entries
    self.metadata = metadata
  }

  /// The entry called `name`.
  public subscript(name: String) -> Entry? { entries.first { $0.name == name } }

  /// The file's bytes.
  public func encoded() -> Data {
    var header: [String: JSONValue] = [:]
    var offset = 0
    for e in entries {
      let size = e.values.count * 4
      header[e.name] = .object([
        "dtype": .string("F32"), "shape": .array(e.shape.map { .number(Double($0)) }),
        "data_offsets": .array([.number(Double(offset)), .number(Double(offset + size))]),
      ])
      offset += size
    }
    if !metadata.isEmpty { header["__metadata__"] = .object(metadata.mapValues { .string($0) }) }
    var json = Array(JSONValue.object(header).text.utf8)
    while json.count % 8 != 0 { json.append(0x20) }  // pad with spaces, as the reference does
    var data = Data(capacity: 8 + json.count + offset)
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: json)
    for e in entries {
      e.values.withUnsafeBufferPointer { values in
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
      }
    }
    return data
  }

  /// Writes the file atomically.
  /// Writes the file atomically; a tensor holding NaN or infinity is refused (a checkpoint is
  /// never written with weights that have diverged: the file before stays).
  public func write(to path: String) throws {
    if let bad = firstNonFinite {
      throw CheckpointError(path: path, problem: "not written: tensor \(bad) holds NaN or infinity (the weights have diverged; lower the learning rate or clip)")
    }
    try AtomicFile.write(encoded(), to: path)
  }

  /// The name of the first tensor holding a value that is not finite, or nil.
  var firstNonFinite: String? { entries.first { $0.values.contains { !$0.isFinite } }?.name }

  /// Reads and checks a file: every way it can be damaged is a `CheckpointError` naming it.
  public static func read(_ path: String) throws -> Safetensors {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw CheckpointError(path: path, problem: "no such checkpoint")
    }
    guard !isDirectory.boolValue else { throw CheckpointError(path: path, problem: "is a folder, expected a .safetensors file") }
    if let problem = UnreadableFile.problem(path) { throw CheckpointError(path: path, problem: problem) }
    guard let data = FileManager.default.contents(atPath: path) else { throw CheckpointError(path: path, problem: "cannot be read") }
    return try decode(data, path: path)
  }

  /// Parses the bytes of a file; `path` is for messages.
  public static func decode(_ data: Data, path: String) throws -> Safetensors {
    func fail(_ problem: String) -> CheckpointError { CheckpointError(path: path, problem: problem) }
    if data.isEmpty { throw fail("is empty") }
    guard data.count >= 8 else { throw fail("truncated: \(data.count) bytes, too short for the 8-byte header length") }
    let headerLength = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    guard headerLength <= UInt64(data.count - 8) else {
      throw fail("header length \(headerLength) runs past the end of the \(data.count)-byte file (truncated or not safetensors)")
    }
    let headerEnd = 8 + Int(headerLength)
    let root: JSONValue
    do { root = try JSONValue.parse(data.subdata(in: 8..<headerEnd)) } catch { throw fail("header is not JSON") }
    guard case .object(let header) = root else { throw fail("header is not a JSON object") }
    let body = data.count - headerEnd
    var metadata: [String: String] = [:]
    var entries: [Entry] = []
    for (name, value) in header.sorted(by: { $0.key < $1.key }) {
      if name == "__metadata__" {
        guard case .object(let pairs) = value else { throw fail("__metadata__ is not an object") }
        for (k, v) in pairs {
          guard case .string(let s) = v else { throw fail("__metadata__.\(k) is not a string") }
          metadata[k] = s
        }
        continue
      }
      guard case .object(let info) = value, case .string(let dtype)? = info["dtype"],
        case .array(let shapeValues)? = info["shape"], case .array(let offsetValues)? = info["data_offsets"]
      else { throw fail("tensor \(name) lacks dtype, shape or data_offsets") }
      guard dtype == "F32" else { throw fail("tensor \(name) has dtype \(dtype); only F32 is supported") }
      let shape = try shapeValues.map { v -> Int in
        guard case .number(let n) = v, n >= 0, n == n.rounded(), n < 1e12 else { throw fail("tensor \(name) has a bad shape") }
        return Int(n)
      }
      let offsets = try offsetValues.map { v -> Int in
        guard case .number(let n) = v, n >= 0, n == n.rounded(), n < 1e15 else { throw fail("tensor \(name) has bad data_offsets") }
        return Int(n)
      }
      guard offsets.count == 2, offsets[0] <= offsets[1], offsets[1] <= body else {
        throw fail("tensor \(name) data_offsets \(offsets) lie outside the \(body) data bytes (truncated?)")
      }
      let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
      let bytes = count.multipliedReportingOverflow(by: 4)
      guard count != Int.max, !bytes.overflow, bytes.partialValue == offsets[1] - offsets[0] else {
        throw fail("tensor \(name) of shape \(shape) does not match its \(offsets[1] - offsets[0]) data bytes")
      }
      var values = [Float](repeating: 0, count: count)
      data.withUnsafeBytes { raw in
        let base = raw.baseAddress! + headerEnd + offsets[0]
        for i in 0..<count { values[i] = Float(bitPattern: UInt32(littleEndian: (base + 4 * i).loadUnaligned(as: UInt32.self))) }
      }
      if values.contains(where: { !$0.isFinite }) { throw fail("tensor \(name) holds NaN or infinity: not a usable checkpoint") }
      entries.append(Entry(name: name, shape: shape, values: values))
    }
    return Safetensors(entries: entries, metadata: metadata)
  }
}
