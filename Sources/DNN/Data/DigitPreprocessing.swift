/// Makes a digit drawn by hand look like an MNIST digit, the way MNIST's were made (LeCun et
/// al.): the ink's bounding box scaled so its longer side is 20 pixels (aspect ratio kept),
/// placed in a 28x28 image so that its centre of mass is at the centre, and the stroke softened
/// (the originals are anti-aliased). Images are 28x28 row-major values in 0...1.
public enum DigitPreprocessing {
  public static let side = 28
  /// The longer side of the digit's box after scaling.
  public static let box = 20

  /// The MNIST-style image of `canvas` (28x28, 0...1), or nil when nothing is drawn.
  public static func mnistStyle(_ canvas: [Float]) -> [Float]? {
    guard let bounds = boundingBox(canvas) else { return nil }
    let (scaled, width, height) = scaledToBox(canvas, bounds: bounds)
    return softened(centred(scaled, width: width, height: height))
  }

  /// The smallest rectangle holding every pixel above 0: (x, y, width, height), nil when blank.
  public static func boundingBox(_ image: [Float]) -> (x: Int, y: Int, width: Int, height: Int)? {
    var minX = side, minY = side, maxX = -1, maxY = -1
    for y in 0..<side {
      for x in 0..<side where image[y * side + x] > 0 {
        (minX, maxX, minY, maxY) = (min(minX, x), max(maxX, x), min(minY, y), max(maxY, y))
      }
    }
    return maxX < 0 ? nil : (minX, minY, maxX - minX + 1, maxY - minY + 1)
  }

  /// The box's pixels resampled (bilinear, pixel centres aligned) so the longer side is `box`:
  /// the values, row-major, and the new width and height.
  public static func scaledToBox(_ image: [Float], bounds: (x: Int, y: Int, width: Int, height: Int)) -> ([Float], Int, Int) {
    let scale = Double(box) / Double(max(bounds.width, bounds.height))
    let width = max(1, Int((Double(bounds.width) * scale).rounded())), height = max(1, Int((Double(bounds.height) * scale).rounded()))
    func source(_ x: Int, _ y: Int) -> Float {
      let cx = min(max(x, 0), bounds.width - 1), cy = min(max(y, 0), bounds.height - 1)
      return image[(bounds.y + cy) * side + bounds.x + cx]
    }
    var out = [Float](repeating: 0, count: width * height)
    for ty in 0..<height {
      let sy = (Double(ty) + 0.5) / Double(height) * Double(bounds.height) - 0.5
      let y0 = Int(sy.rounded(.down)), fy = Float(sy - Double(y0))
      for tx in 0..<width {
        let sx = (Double(tx) + 0.5) / Double(width) * Double(bounds.width) - 0.5
        let x0 = Int(sx.rounded(.down)), fx = Float(sx - Double(x0))
        let top = source(x0, y0) * (1 - fx) + source(x0 + 1, y0) * fx
        let bottom = source(x0, y0 + 1) * (1 - fx) + source(x0 + 1, y0 + 1) * fx
        out[ty * width + tx] = top * (1 - fy) + bottom * fy
      }
    }
    return (out, width, height)
  }

  /// `patch` (`width` x `height`) in a 28x28 image, shifted so its centre of mass lands on the
  /// image's centre (13.5, 13.5 in pixel indices), rounded to whole pixels and kept inside.
  public static func centred(_ patch: [Float], width: Int, height: Int) -> [Float] {
    var mass: Double = 0, mx: Double = 0, my: Double = 0
    for y in 0..<height {
      for x in 0..<width {
        let v = Double(patch[y * width + x])
        (mass, mx, my) = (mass + v, mx + v * Double(x), my + v * Double(y))
      }
    }
    let cx = mass > 0 ? mx / mass : Double(width - 1) / 2, cy = mass > 0 ? my / mass : Double(height - 1) / 2
    let centre = Double(side - 1) / 2
    let left = min(max(Int((centre - cx).rounded()), 0), side - width)
    let top = min(max(Int((centre - cy).rounded()), 0), side - height)
    var out = [Float](repeating: 0, count: side * side)
    for y in 0..<height {
      for x in 0..<width { out[(top + y) * side + left + x] = patch[y * width + x] }
    }
    return out
  }

  /// A 3x3 blur (weights 1 2 1 across and down, over 16) rescaled so the brightest pixel is 1.
  public static func softened(_ image: [Float]) -> [Float] {
    let weights: [Float] = [1, 2, 1]
    var out = [Float](repeating: 0, count: side * side)
    for y in 0..<side {
      for x in 0..<side {
        var total: Float = 0
        for dy in -1...1 {
          for dx in -1...1 {
            let sx = x + dx, sy = y + dy
            guard sx >= 0 && sx < side && sy >= 0 && sy < side else { continue }
            total += image[sy * side + sx] * weights[dx + 1] * weights[dy + 1]
          }
        }
        out[y * side + x] = total / 16
      }
    }
    let brightest = out.max() ?? 0
    return brightest > 0 ? out.map { min($0 / brightest, 1) } : out
  }
}
