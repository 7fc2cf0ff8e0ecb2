import Testing

@testable import DNN

/// MNIST's preprocessing of a drawn digit, against examples worked by hand.
@Suite struct DigitPreprocessingTests {
  static func canvas(_ pixels: [(x: Int, y: Int)]) -> [Float] {
    var c = [Float](repeating: 0, count: 784)
    for p in pixels { c[p.y * 28 + p.x] = 1 }
    return c
  }

  /// A 1x10 vertical stroke at column 2, rows 0-9: box 1x10, scaled by 2 to 2x20 (all ones),
  /// centre of mass (0.5, 9.5) moved to (13.5, 13.5): columns 13-14, rows 4-23.
  @Test func verticalStrokeIsScaledAndCentred() throws {
    let c = Self.canvas((0..<10).map { (2, $0) })
    let box = try #require(DigitPreprocessing.boundingBox(c))
    #expect(box == (2, 0, 1, 10))
    let (scaled, w, h) = DigitPreprocessing.scaledToBox(c, bounds: box)
    #expect(w == 2 && h == 20)
    #expect(scaled == [Float](repeating: 1, count: 40))
    let centred = DigitPreprocessing.centred(scaled, width: w, height: h)
    for y in 0..<28 {
      for x in 0..<28 {
        #expect(centred[y * 28 + x] == ((13...14).contains(x) && (4...23).contains(y) ? 1 : 0), "(\(x), \(y))")
      }
    }
    // Softened: inside the stroke (1·0 + 2·1 + 1·1)/4 across and 1 down = 0.75, the brightest,
    // so 1 after rescaling; beside it (1·1)/4 = 0.25 → 1/3; the stroke's end row (rows 3 and 23
    // see half a column of ones): row 23 is 0.75·0.75 → 0.75.
    let soft = DigitPreprocessing.softened(centred)
    #expect(abs(soft[10 * 28 + 13] - 1) < 1e-6)
    #expect(abs(soft[10 * 28 + 12] - 1 / 3) < 1e-6)
    #expect(abs(soft[10 * 28 + 15] - 1 / 3) < 1e-6)
    #expect(abs(soft[23 * 28 + 13] - 0.75) < 1e-6)
    #expect(abs(soft[3 * 28 + 13] - 0.25) < 1e-6)
    #expect(soft[10 * 28 + 11] == 0)
    #expect(DigitPreprocessing.mnistStyle(c) == soft)
  }

  /// A 2x2 square in a corner becomes a 20x20 square whose centre of mass (9.5, 9.5) goes to
  /// (13.5, 13.5): columns and rows 4-23.
  @Test func smallSquareGrowsToTheBox() throws {
    let c = Self.canvas([(26, 26), (27, 26), (26, 27), (27, 27)])
    let box = try #require(DigitPreprocessing.boundingBox(c))
    let (scaled, w, h) = DigitPreprocessing.scaledToBox(c, bounds: box)
    #expect(w == 20 && h == 20 && scaled.allSatisfy { $0 == 1 })
    let centred = DigitPreprocessing.centred(scaled, width: w, height: h)
    #expect(centred[4 * 28 + 4] == 1 && centred[23 * 28 + 23] == 1 && centred[3 * 28 + 4] == 0 && centred[24 * 28 + 23] == 0)
  }

  /// Off-centre mass: a 2-wide box with a heavy left column. Box 2x1 → 20x10; the bilinear
  /// weights keep more ink on the left, so the patch shifts right of the plain centre.
  @Test func centreOfMassNotTheBoxCentreDecides() {
    var patch = [Float](repeating: 0, count: 4 * 2)  // 4 wide, 2 high: ink only in column 0
    patch[0] = 1
    patch[4] = 1
    let out = DigitPreprocessing.centred(patch, width: 4, height: 2)
    // Centre of mass (0, 0.5) → shift (13.5, 13) rounded to (14, 13): column 0 lands at x 14.
    #expect(out[13 * 28 + 14] == 1 && out[14 * 28 + 14] == 1)
  }

  @Test func blankCanvasHasNoDigit() {
    #expect(DigitPreprocessing.mnistStyle([Float](repeating: 0, count: 784)) == nil)
  }
}
