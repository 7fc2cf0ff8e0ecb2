import Foundation
import Testing

@testable import DNN

/// Rotation, scaling and elastic distortion of training images, against transforms worked out
/// by hand on a small pattern, seeded and reproducible.
@Suite struct WarpTests {
  /// An asymmetric pattern: a bar, a dot, and a ramp, so every symmetry shows.
  static let pattern: [UInt8] = (0..<784).map { i in
    let (x, y) = (i % 28, i / 28)
    if y == 5 && (4..<20).contains(x) { return 200 }
    if x == 22 && y == 20 { return 255 }
    return UInt8((x * 3 + y) % 50)
  }

  static func warped(_ warp: Warp, _ draw: Warp.Draw) -> [Float] {
    var out = [Float](repeating: 0, count: 784)
    pattern.withUnsafeBufferPointer { source in out.withUnsafeMutableBufferPointer { warp.apply(draw, to: source.baseAddress!, into: $0.baseAddress!, pixelScale: 1) } }
    return out
  }

  static func source(_ x: Int, _ y: Int) -> Float { x >= 0 && x < 28 && y >= 0 && y < 28 ? Float(pattern[y * 28 + x]) : 0 }

  @Test func aQuarterTurnMovesEveryPixelWhereTheHandSaysItGoes() {
    // θ = 90°: s = R(−θ)(p − c) + c gives out(x, y) = source(y, 27 − x).
    let out = Self.warped(Warp(rotation: 90), Warp.Draw(angle: .pi / 2))
    for y in 0..<28 { for x in 0..<28 { #expect(abs(out[y * 28 + x] - Self.source(y, 27 - x)) < 1e-2, "(\(x), \(y))") } }
  }

  @Test func doublingTheSizeSamplesBetweenPixels() {
    // k = 2: out(x, y) = source((x − 13.5)/2 + 13.5, …): at (13, 13) the point (13.25, 13.25), a
    // bilinear mix of (13, 13), (14, 13), (13, 14), (14, 14) with weights 9/16, 3/16, 3/16, 1/16.
    let out = Self.warped(Warp(scale: 0.5), Warp.Draw(factor: 2))
    let expected = (9 * Self.source(13, 13) + 3 * Self.source(14, 13) + 3 * Self.source(13, 14) + Self.source(14, 14)) / 16
    #expect(abs(out[13 * 28 + 13] - expected) < 1e-3)
    // The corners come from inside the image: (0, 0) samples (6.75, 6.75), weights 1/16 for
    // (6, 6) up to 9/16 for (7, 7).
    let corner = (Self.source(6, 6) + 3 * Self.source(7, 6) + 3 * Self.source(6, 7) + 9 * Self.source(7, 7)) / 16
    #expect(abs(out[0] - corner) < 1e-3)
  }

  @Test func aShiftAloneIsTheLoadersShift() {
    let out = Self.warped(Warp(rotation: 1), Warp.Draw(dx: 2, dy: -1))
    var shifted = [Float](repeating: 0, count: 784)
    Self.pattern.withUnsafeBufferPointer { s in shifted.withUnsafeMutableBufferPointer { BatchLoader.shifted(s.baseAddress!, into: $0.baseAddress!, dx: 2, dy: -1, scale: 1) } }
    #expect(zip(out, shifted).allSatisfy { abs($0 - $1) < 1e-3 })
  }

  @Test func elasticDistortionIsSmoothSeededAndBounded() {
    let warp = Warp(elasticAlpha: 34, elasticSigma: 4)
    let (field, kernel) = warp.elasticField(seed: 7)
    #expect(abs(kernel.reduce(0, +) - 1) < 1e-5 && field.count == 2 * 784)
    #expect(field.allSatisfy { abs($0) <= 34 } && field.contains { $0 != 0 })
    // Smooth: neighbours move together far more than the raw noise would.
    let step = (0..<27).map { abs(field[2 * $0] - field[2 * ($0 + 1)]) }.max()!
    #expect(step < 0.5 * field.map(abs).max()!)
    let draw = Warp.Draw(seed: 7)
    #expect(Self.warped(warp, draw) == Self.warped(warp, draw))
    #expect(Self.warped(warp, draw) != Self.warped(warp, Warp.Draw(seed: 8)))
    #expect(Self.warped(Warp(elasticAlpha: 0), draw).enumerated().allSatisfy { abs($1 - Float(Self.pattern[$0])) < 1e-3 })
  }

  /// The loader draws each image's warp from its seeded generator: the same seed gives the same
  /// batch, angles and sizes stay within their limits.
  @Test func theLoaderIsSeededAndWithinLimits() {
    let view = DatasetView(Fixtures.mnist.train)
    func batch(_ seed: UInt64) -> [Float] {
      let loader = BatchLoader(view: view, batchSize: 16, generator: SplitMix64(seed: seed))
      (loader.maxShift, loader.warp) = (2, Warp(rotation: 10, scale: 0.1, elasticAlpha: 20))
      loader.startEpoch()
      loader.load(batch: 0)
      return loader.images.values
    }
    #expect(batch(3) == batch(3) && batch(3) != batch(4))
    var generator = SplitMix64(seed: 1)
    for _ in 0..<200 {
      let d = Warp(rotation: 10, scale: 0.1).draw(dx: 0, dy: 0, using: &generator)
      #expect(abs(d.angle) <= 10 * .pi / 180 + 1e-6 && abs(d.factor - 1) <= 0.1 + 1e-6)
    }
  }

  @Test func theConfigurationSaysItAndReadsItBack() throws {
    let text = """
      {"runs": [{"name": "w", "layers": [{"type": "dense", "units": 10}, {"type": "softmax"}], "optimizer": {"type": "sgd", "learningRate": 0.1},
      "augment": {"shift": 2, "rotate": 12, "scale": 0.15, "elastic": 34, "elasticSigma": 4}}]}
      """
    let run = try RunFile.parse(Data(text.utf8), path: "w.json").runs[0]
    #expect(run.augmentWarp == Warp(rotation: 12, scale: 0.15, elasticAlpha: 34, elasticSigma: 4) && run.augmentShift == 2)
    let again = try RunConfig.parse(json: run.jsonValue, path: "config.json")
    #expect(again.augmentWarp == run.augmentWarp)
    #expect(throws: ConfigError.self) { try RunFile.parse(Data(text.replacingOccurrences(of: "\"rotate\": 12", with: "\"rotate\": 90").utf8), path: "w.json") }
  }
}
