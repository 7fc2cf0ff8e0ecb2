import Foundation
import Testing

@testable import DNN

/// The download digests against the standards' test vectors.
@Suite struct DigestTests {
  @Test func sha256Vectors() {
    #expect(Digest.sha256(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(Digest.sha256([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(Digest.sha256(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
  }

  @Test func md5Vectors() {
    #expect(Digest.md5([]) == "d41d8cd98f00b204e9800998ecf8427e")
    #expect(Digest.md5(Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
    #expect(Digest.md5(Array("The quick brown fox jumps over the lazy dog".utf8)) == "9e107d9d372bb6826bd81d3542a419d6")
  }
}

/// A file's digest read a megabyte at a time equals the digest of its bytes at once, across
/// block and chunk boundaries.
@Suite struct StreamedDigestTests {
  @Test(arguments: [0, 1, 55, 56, 63, 64, 65, 1000, (1 << 20) - 1, 1 << 20, (1 << 20) + 7, 3 * (1 << 20) + 100])
  func aFileHashesAsItsBytes(_ size: Int) throws {
    var generator = SplitMix64(seed: UInt64(size) + 1)
    let bytes = (0..<size).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    let path = Fixtures.temporaryFolder() + "/bytes"
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    #expect(Digest.sha256(file: path) == Digest.sha256(bytes))
  }

  @Test func theStandardVectorsStillHold() {
    #expect(Digest.sha256(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(Digest.sha256([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
  }
}
