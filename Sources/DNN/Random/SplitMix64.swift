import Foundation

/// A small, fast, seeded random number generator (Steele, Lea & Flood 2014, "SplitMix").
///
/// All randomness in a run (initial weights, shuffling, dropout masks, augmentation) comes from
/// generators of this type derived from the run's seed, so the same seed gives the same run.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  private var state: UInt64

  /// A generator whose sequence is fixed by `seed`.
  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// An independent generator for a named purpose ("init", "shuffle", ...), so that adding a
  /// consumer of randomness in one place does not shift the numbers another place sees.
  public func derived(_ purpose: String) -> SplitMix64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a
    for byte in purpose.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    var copy = self
    return SplitMix64(seed: copy.next() ^ hash)
  }

  /// A uniform Float in [0, 1).
  public mutating func nextUniform() -> Float { Float(next() >> 40) * 0x1p-24 }

  /// The generator `n` draws of `next()` later, at once (the state moves by a constant per draw).
  public func advanced(by n: Int) -> SplitMix64 {
    var copy = self
    copy.state &+= UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15
    return copy
  }

  /// A standard-normal Float (Box-Muller).
  public mutating func nextNormal() -> Float {
    let u1 = max(Double(next() >> 11) * 0x1p-53, 1e-300)
    let u2 = Double(next() >> 11) * 0x1p-53
    return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
  }
}

