import CCPU
import Testing

@testable import DNN

/// `dnn_small_gemm` (attention's per-head products) against the sum written out, for every
/// transpose combination, row strides wider than the matrices, and widths that leave partial
/// vector registers and need more than one block of four.
@Suite struct SmallGEMMTests {
  @Test(arguments: [(28, 28, 16), (28, 16, 28), (3, 1, 5), (5, 70, 3), (1, 131, 2), (7, 9, 1)])
  func matchesTheSumWrittenOut(m: Int, n: Int, k: Int) {
    for transA in [false, true] {
      for transB in [false, true] {
        let lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 2, ldc = n + 5
        let a = GradientCheck.randomTensor(rows: 1, columns: (transA ? k : m) * lda, seed: 1).values
        let b = GradientCheck.randomTensor(rows: 1, columns: (transB ? n : k) * ldb, seed: 2).values
        var c = [Float](repeating: 7, count: m * ldc)
        var scratch = [Float](repeating: .nan, count: k * n)
        dnn_small_gemm(m, n, k, 0.5, a, lda, transA ? 1 : 0, b, ldb, transB ? 1 : 0, &scratch, &c, ldc)
        var worst: Float = 0
        for i in 0..<m {
          for j in 0..<n {
            var sum: Float = 0
            for l in 0..<k { sum += (transA ? a[l * lda + i] : a[i * lda + l]) * (transB ? b[j * ldb + l] : b[l * ldb + j]) }
            worst = max(worst, abs(c[i * ldc + j] - 0.5 * sum))
          }
          // Past n, the row stride's gap is left alone.
          #expect((n..<ldc).allSatisfy { c[i * ldc + $0] == 7 }, "row \(i): written past its end")
        }
        #expect(worst < 1e-5, "m \(m) n \(n) k \(k) transA \(transA) transB \(transB): \(worst)")
      }
    }
  }
}
