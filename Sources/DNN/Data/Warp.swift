import Foundation

/// Augmentation that moves pixels off the grid (the configuration's `augment` `rotate`, `scale`,
/// `elastic`, `elasticSigma`): each training image drawn anew every epoch, seeded like the
/// shifts. Each output pixel samples the source bilinearly (0 outside) at
///   s = R(−θ) (p − c) / k + c − t + e(p)
/// for p the output pixel, c = (13.5, 13.5) the centre, θ uniform in ±rotate degrees, k uniform in
/// 1 ± scale, t the shift (as `BatchLoader.shifted` draws it), and e the elastic displacement of
/// Simard et al. 2003: uniform noise in [−1, 1] per pixel and axis, smoothed by a Gaussian of
/// `elasticSigma` pixels, times `elastic` (α).
public struct Warp: Sendable, Equatable {
  /// Largest rotation, in degrees either way.
  public var rotation: Float = 0
  /// Largest change of size, as a fraction (0.1: 0.9x to 1.1x).
  public var scale: Float = 0
  /// Elastic displacement strength α (pixels before smoothing; 0: none) and smoothing σ.
  public var elasticAlpha: Float = 0
  public var elasticSigma: Float = 4

  public init(rotation: Float = 0, scale: Float = 0, elasticAlpha: Float = 0, elasticSigma: Float = 4) {
    (self.rotation, self.scale, self.elasticAlpha, self.elasticSigma) = (rotation, scale, elasticAlpha, elasticSigma)
  }

  /// Whether it changes nothing (the loader then keeps its plain path).
  public var isIdentity: Bool { rotation == 0 && scale == 0 && elasticAlpha == 0 }

  /// One image's transform.
  public struct Draw: Sendable, Equatable {
    /// Rotation in radians, size factor, shift in pixels, and the elastic field's seed.
    public var angle: Float = 0
    public var factor: Float = 1
    public var dx = 0, dy = 0
    public var seed: UInt64 = 0

    public init(angle: Float = 0, factor: Float = 1, dx: Int = 0, dy: Int = 0, seed: UInt64 = 0) {
      (self.angle, self.factor, self.dx, self.dy, self.seed) = (angle, factor, dx, dy, seed)
    }
  }

  /// The views of a test digit that test-time augmentation averages (`augment.test`): the digit
  /// as it is (nil), turned by +rotation and −rotation, scaled by 1 + scale and 1 − scale: each
  /// extreme of the training augmentation alone, no shift, no elastic distortion. Just the
  /// digit as it is when the warp neither turns nor scales.
  public var testViews: [Draw?] {
    var views: [Draw?] = [nil]
    if rotation > 0 { views += [Draw(angle: rotation * .pi / 180), Draw(angle: -rotation * .pi / 180)] }
    if scale > 0 { views += [Draw(factor: 1 + scale), Draw(factor: 1 - scale)] }
    return views
  }

  /// Writes test view `view` (one of `testViews`) of `source` into `target`, times
  /// `pixelScale`: its turn or scaling alone, never an elastic field.
  public static func drawTestView(_ view: Draw, of source: UnsafePointer<UInt8>, into target: UnsafeMutablePointer<Float>, pixelScale: Float) {
    Warp().apply(view, to: source, into: target, pixelScale: pixelScale)
  }

  /// `as is, turned ±8°, scaled ±8%`: what `testViews` holds, for screens.
  public var testViewsText: String {
    var parts = ["as is"]
    if rotation > 0 { parts.append("turned ±\(JSONValue.float(rotation).plainText)°") }
    if scale > 0 { parts.append("scaled ±\(JSONValue.float(scale * 100).plainText)%") }
    return parts.joined(separator: ", ")
  }

  /// Draws one image's transform from `generator` (the shift already drawn by the loader).
  public func draw(dx: Int, dy: Int, using generator: inout SplitMix64) -> Draw {
    let uniform = { (g: inout SplitMix64) in g.nextUniform() * 2 - 1 }  // [−1, 1)
    let angle = uniform(&generator) * rotation * .pi / 180
    let factor = 1 + uniform(&generator) * scale
    return Draw(angle: angle, factor: factor, dx: dx, dy: dy, seed: generator.next())
  }

  /// Writes `source` (28x28 bytes) transformed by `draw` into `target`, times `pixelScale`.
  public func apply(_ draw: Draw, to source: UnsafePointer<UInt8>, into target: UnsafeMutablePointer<Float>, pixelScale: Float) {
    let side = IDXReader.side, centre = Float(side - 1) / 2
    let (field, _) = elasticField(seed: draw.seed)
    let (c, s) = (cos(draw.angle), sin(draw.angle))
    func at(_ x: Int, _ y: Int) -> Float { x >= 0 && x < side && y >= 0 && y < side ? Float(source[y * side + x]) : 0 }
    for y in 0..<side {
      for x in 0..<side {
        // s = R(−θ)(p − c)/k + c − t + e(p)
        let (px, py) = (Float(x) - centre, Float(y) - centre)
        var sx = (c * px + s * py) / draw.factor + centre - Float(draw.dx)
        var sy = (-s * px + c * py) / draw.factor + centre - Float(draw.dy)
        if !field.isEmpty {
          sx += field[2 * (y * side + x)]
          sy += field[2 * (y * side + x) + 1]
        }
        let (x0, y0) = (Int(sx.rounded(.down)), Int(sy.rounded(.down)))
        let (fx, fy) = (sx - Float(x0), sy - Float(y0))
        let top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx
        let bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx
        target[y * side + x] = (top * (1 - fy) + bottom * fy) * pixelScale
      }
    }
  }

  /// The elastic displacement (x, y interleaved per pixel) for `seed`, empty without one; and
  /// the smoothing kernel used.
  func elasticField(seed: UInt64) -> (field: [Float], kernel: [Float]) {
    guard elasticAlpha > 0 else { return ([], []) }
    let side = IDXReader.side
    var generator = SplitMix64(seed: seed)
    var noise = (0..<2 * side * side).map { _ in generator.nextUniform() * 2 - 1 }
    // A normalised Gaussian of σ, radius 3σ (at most the image), applied along x then y.
    let radius = min(Int((3 * elasticSigma).rounded(.up)), side - 1)
    var kernel = (-radius...radius).map { exp(-Float($0 * $0) / (2 * elasticSigma * elasticSigma)) }
    let total = kernel.reduce(0, +)
    kernel = kernel.map { $0 / total }
    // Along x (stride 2: x and y displacements interleaved), then along y (stride 2·side), each
    // tap range clipped to the image once per pixel instead of tested per tap.
    var smoothed = [Float](repeating: 0, count: noise.count)
    kernel.withUnsafeBufferPointer { w in
      for (step, along) in [(2, { (x: Int, y: Int) in x }), (2 * side, { (x: Int, y: Int) in y })] {
        noise.withUnsafeBufferPointer { n in
          smoothed.withUnsafeMutableBufferPointer { out in
            for y in 0..<side {
              for x in 0..<side {
                let at = along(x, y), base = 2 * (y * side + x)
                let (first, last) = (max(-radius, -at), min(radius, side - 1 - at))
                var (sx, sy): (Float, Float) = (0, 0)
                for k in first...last {
                  let i = base + k * step
                  sx += w[k + radius] * n[i]
                  sy += w[k + radius] * n[i + 1]
                }
                (out[base], out[base + 1]) = (sx * (step == 2 ? 1 : elasticAlpha), sy * (step == 2 ? 1 : elasticAlpha))
              }
            }
          }
        }
        swap(&noise, &smoothed)
      }
    }
    return (noise, kernel)
  }
}
