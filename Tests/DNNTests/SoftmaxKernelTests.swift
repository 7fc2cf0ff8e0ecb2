import CCPU
import Foundation
import Testing

@testable import DNN

/// The vectorisable exponential and softmax rows (`dnn_expf`, `dnn_softmax_rows`) against
/// Double-precision references.
@Suite struct SoftmaxKernelTests {
  @Test func exponentialIsWithinTwoUlpsOverItsRange() {
    var worst: Double = 0
    var x: Float = -87
    while x < 88 {
      let exact = Foundation.exp(Double(x))
      let error = abs(Double(dnn_expf(x)) - exact) / exact
      worst = max(worst, error)
      x += 0.0137
    }
    #expect(worst < 2.5e-7, "largest relative error \(worst)")
    #expect(dnn_expf(0) == 1)
    #expect(dnn_expf(-.infinity) == 0 && dnn_expf(-100) == 0)
    #expect(dnn_expf(.infinity) == .infinity && dnn_expf(100) == .infinity)
    #expect(dnn_expf(.nan).isNaN, "a NaN must reach the loss, which stops or rewinds the run")
  }

  @Test func softmaxRowsMatchDoublePrecisionInPlaceOrNot() {
    var generator = SplitMix64(seed: 3)
    let rows = 5, n = 28
    let z = (0..<rows * n).map { _ in generator.nextNormal() * 6 }
    var out = [Float](repeating: 0, count: rows * n)
    var inPlace = z
    z.withUnsafeBufferPointer { zp in out.withUnsafeMutableBufferPointer { Softmax.rows(zp.baseAddress!, into: $0.baseAddress!, rows: rows, columns: n) } }
    inPlace.withUnsafeMutableBufferPointer { Softmax.rows($0.baseAddress!, into: $0.baseAddress!, rows: rows, columns: n) }
    #expect(out == inPlace)
    for r in 0..<rows {
      let row = z[r * n..<(r + 1) * n].map(Double.init), m = row.max()!
      let e = row.map { Foundation.exp($0 - m) }, total = e.reduce(0, +)
      for j in 0..<n { #expect(abs(Double(out[r * n + j]) - e[j] / total) < 1e-6) }
    }
    // A NaN score makes its row NaN.
    var bad = z
    bad[3] = .nan
    bad.withUnsafeMutableBufferPointer { Softmax.rows($0.baseAddress!, into: $0.baseAddress!, rows: rows, columns: n) }
    #expect(bad[0..<n].allSatisfy { $0.isNaN })
  }
}
