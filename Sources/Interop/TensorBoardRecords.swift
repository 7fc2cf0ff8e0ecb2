import Foundation

/// TensorBoard's file framing (TFRecord): each record is its length as a little-endian UInt64,
/// the masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data. A file
/// cut by a kill ends in a torn record: readers (and `wholeRecords`) stop before it.
enum TensorBoardRecords {
  /// One record around `data`.
  static func frame(_ data: Data) -> Data {
    var out = Data(capacity: data.count + 16)
    let length = littleEndian(UInt64(data.count))
    out.append(length)
    out.append(littleEndian(masked(crc32c(length))))
    out.append(data)
    out.append(littleEndian(masked(crc32c(data))))
    return out
  }

  /// The records of `data` in order, each with the offset just past it, up to the first torn
  /// or damaged one.
  static func wholeRecords(_ data: Data) -> [(payload: Data, end: Int)] {
    var records: [(Data, Int)] = []
    var at = data.startIndex
    while data.endIndex - at >= 16 {
      let lengthBytes = data[at..<at + 8]
      let length = lengthBytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }.littleEndian
      let lengthCRC = data[at + 8..<at + 12].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }.littleEndian
      guard lengthCRC == masked(crc32c(lengthBytes)), length <= UInt64(data.endIndex - at - 16) else { break }
      let payload = data[at + 12..<at + 12 + Int(length)]
      let crc = data[at + 12 + Int(length)..<at + 16 + Int(length)].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }.littleEndian
      guard crc == masked(crc32c(payload)) else { break }
      at += 16 + Int(length)
      records.append((Data(payload), at - data.startIndex))
    }
    return records
  }

  /// TensorFlow's mask: rotate right by 15 bits, add a constant.
  static func masked(_ crc: UInt32) -> UInt32 { ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8 }

  /// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as TFRecord uses.
  static func crc32c(_ bytes: some DataProtocol) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
    return crc ^ 0xFFFF_FFFF
  }

  private static let table: [UInt32] = (0..<256).map { n in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0x82F6_3B78 ^ (c >> 1) : c >> 1 }
    return c
  }

  private static func littleEndian<T: FixedWidthInteger>(_ value: T) -> Data {
    withUnsafeBytes(of: value.littleEndian) { Data($0) }
  }
}
