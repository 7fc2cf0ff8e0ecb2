import CBLAS

/// Matrix products, all through BLAS `sgemm` (row-major).
public enum GEMM {
  /// `c = alpha * op(a) · op(b) + beta * c` where `op` optionally transposes.
  /// Shapes: op(a) `[m, k]`, op(b) `[k, n]`, c `[m, n]` (c must already have that shape).
  public static func multiply(
    _ a: Tensor, transposeA: Bool = false, _ b: Tensor, transposeB: Bool = false,
    into c: Tensor, alpha: Float = 1, beta: Float = 0
  ) {
    let m = transposeA ? a.columns : a.rows
    let k = transposeA ? a.rows : a.columns
    let kb = transposeB ? b.columns : b.rows
    let n = transposeB ? b.rows : b.columns
    precondition(k == kb, "GEMM inner dimensions differ: \(a) x \(b)")
    precondition(c.rows == m && c.columns == n, "GEMM output \(c) is not [\(m), \(n)]")
    if m == 0 || n == 0 { return }
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a.pointer, Int32(a.columns), b.pointer, Int32(b.columns),
      beta, c.pointer, Int32(c.columns))
  }
}

extension GEMM {
  /// `c = alpha * op(a) · op(b) + beta * c` on raw row-major storage with leading dimensions,
  /// for strided sub-matrices (attention heads). Shapes: op(a) `[m, k]`, op(b) `[k, n]`, c `[m, n]`.
  public static func multiply(
    m: Int, n: Int, k: Int,
    _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
    _ b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
    into c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float = 1, beta: Float = 0
  ) {
    if m == 0 || n == 0 { return }
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }
}
