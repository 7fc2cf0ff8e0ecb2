/// Message digests for verifying downloads: SHA-256 (FIPS 180-4) and MD5 (RFC 1321, only
/// because Fashion-MNIST publishes MD5 sums). Written here to avoid a crypto dependency.
public enum Digest {
  /// The lowercase hex SHA-256 of `bytes`.
  public static func sha256(_ bytes: [UInt8]) -> String {
    var hasher = SHA256()
    bytes.withUnsafeBufferPointer { hasher.update($0) }
    return hasher.finish()
  }

  /// The lowercase hex SHA-256 of the file at `path`, read a megabyte at a time (a 26 MB data
  /// file is never held whole next to the dataset it was decoded into), or nil when it cannot
  /// be read.
  public static func sha256(file path: String) -> String? {
    var hasher = SHA256()
    return FileChunks.read(path) { hasher.update($0) } ? hasher.finish() : nil
  }

  /// SHA-256 (FIPS 180-4) fed in pieces of any size.
  struct SHA256 {
    private static let k: [UInt32] = [
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
      0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
      0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
      0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
      0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
      0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
      0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]
    private var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
    /// Bytes not yet hashed (fewer than a 64-byte block).
    private var pending: [UInt8] = []
    private var length: UInt64 = 0
    private var w = [UInt32](repeating: 0, count: 64)

    mutating func update(_ bytes: UnsafeBufferPointer<UInt8>) {
      length &+= UInt64(bytes.count)
      var rest = bytes[...]
      if !pending.isEmpty {
        let take = min(64 - pending.count, rest.count)
        pending += rest.prefix(take)
        rest = rest.dropFirst(take)
        guard pending.count == 64 else { return }
        pending.withUnsafeBufferPointer { block($0.baseAddress!) }
        pending.removeAll(keepingCapacity: true)
      }
      while rest.count >= 64 {
        block(bytes.baseAddress! + rest.startIndex)
        rest = rest.dropFirst(64)
      }
      pending += rest
    }

    /// Pads, hashes the last block(s) and returns the hex digest.
    mutating func finish() -> String {
      let bitLength = length &* 8
      var tail = pending + [0x80]
      while tail.count % 64 != 56 { tail.append(0) }
      for i in (0..<8).reversed() { tail.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i)))) }
      tail.withUnsafeBufferPointer { p in
        for offset in stride(from: 0, to: p.count, by: 64) { block(p.baseAddress! + offset) }
      }
      return h.map { Digest.hex($0, bytes: 4, bigEndian: true) }.joined()
    }

    /// One 64-byte block.
    private mutating func block(_ m: UnsafePointer<UInt8>) {
      func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
      for i in 0..<16 {
        w[i] = UInt32(m[4 * i]) << 24 | UInt32(m[4 * i + 1]) << 16 | UInt32(m[4 * i + 2]) << 8 | UInt32(m[4 * i + 3])
      }
      for i in 16..<64 {
        let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
        let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
        w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
      }
      var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
      for i in 0..<64 {
        let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
        let choice = (e & f) ^ (~e & g)
        let t1 = hh &+ s1 &+ choice &+ SHA256.k[i] &+ w[i]
        let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
        let majority = (a & b) ^ (a & c) ^ (b & c)
        (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ s0 &+ majority)
      }
      for (i, v) in [a, b, c, d, e, f, g, hh].enumerated() { h[i] = h[i] &+ v }
    }
  }

  /// The lowercase hex MD5 of `bytes`.
  public static func md5(_ bytes: [UInt8]) -> String {
    let s: [UInt32] = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
                       4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]
    let k: [UInt32] = (0..<64).map { UInt32(truncatingIfNeeded: Int64(abs(sinDouble(Double($0 + 1))) * 4_294_967_296)) }
    var a0: UInt32 = 0x67452301, b0: UInt32 = 0xefcdab89, c0: UInt32 = 0x98badcfe, d0: UInt32 = 0x10325476
    var message = bytes
    let bitLength = UInt64(bytes.count) * 8
    message.append(0x80)
    while message.count % 64 != 56 { message.append(0) }
    for i in 0..<8 { message.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i)))) }
    for chunk in stride(from: 0, to: message.count, by: 64) {
      var m = [UInt32](repeating: 0, count: 16)
      for i in 0..<16 {
        let j = chunk + 4 * i
        m[i] = UInt32(message[j]) | UInt32(message[j + 1]) << 8 | UInt32(message[j + 2]) << 16 | UInt32(message[j + 3]) << 24
      }
      var (a, b, c, d) = (a0, b0, c0, d0)
      for i in 0..<64 {
        var f: UInt32
        let g: Int
        switch i {
        case 0..<16: f = (b & c) | (~b & d); g = i
        case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) % 16
        case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) % 16
        default: f = c ^ (b | ~d); g = (7 * i) % 16
        }
        f = f &+ a &+ k[i] &+ m[g]
        a = d
        d = c
        c = b
        b = b &+ ((f << s[i]) | (f >> (32 - s[i])))
      }
      a0 = a0 &+ a; b0 = b0 &+ b; c0 = c0 &+ c; d0 = d0 &+ d
    }
    return [a0, b0, c0, d0].map { hex($0, bytes: 4, bigEndian: false) }.joined()
  }

  static func hex(_ v: UInt32, bytes: Int, bigEndian: Bool) -> String {
    let order = bigEndian ? Array((0..<bytes).reversed()) : Array(0..<bytes)
    return order.map { i in
      let byte = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))
      let s = String(byte, radix: 16)
      return s.count == 1 ? "0" + s : s
    }.joined()
  }
}

#if canImport(Glibc)
  import Glibc
  private func sinDouble(_ x: Double) -> Double { Glibc.sin(x) }
#else
  import Darwin
  private func sinDouble(_ x: Double) -> Double { Darwin.sin(x) }
#endif
