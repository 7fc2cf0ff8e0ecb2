// Products of small matrices (attention's per-sample, per-head [28, 16] by [16, 28] and the
// like), without a library call each: at batch 64 with 4 heads, a step makes about 1,500 of
// them, and OpenBLAS's entry, thread lock and small-matrix dispatch cost as much as the
// arithmetic.
#ifndef DNN_SMALL_GEMM_H
#define DNN_SMALL_GEMM_H

#include "lanes.h"

// One block of C: rows i0..i0+3 (those below m) and CH chunks of columns from j0, in 4·CH
// registers (four rows at once, so four independent sums wait on each FMA's latency).
static inline __attribute__((always_inline)) void dnn_small_gemm_block(
    long m, long n, long k, float alpha, const float *restrict A, long rowStep, long depthStep, const float *restrict B,
    long ldb, float *restrict C, long ldc, long i0, long j0, const int CH) {
  dnn_mask masks[CH];
#pragma clang loop unroll(full)
  for (int c = 0; c < CH; c++) masks[c] = dnn_mask_for(n - j0 - c * DNN_LANES);
  const float *rows[4];
#pragma clang loop unroll(full)
  for (int r = 0; r < 4; r++) rows[r] = A + (i0 + r < m ? i0 + r : m - 1) * rowStep;  // past m: row m-1 again, dropped
  dnn_lanes acc[4][CH];
#pragma clang loop unroll(full)
  for (int r = 0; r < 4; r++) {
#pragma clang loop unroll(full)
    for (int c = 0; c < CH; c++) acc[r][c] = 0;
  }
  for (long l = 0; l < k; l++) {
    dnn_lanes b[CH];
#pragma clang loop unroll(full)
    for (int c = 0; c < CH; c++) b[c] = dnn_load_masked(B + l * ldb + j0 + c * DNN_LANES, masks[c]);
#pragma clang loop unroll(full)
    for (int r = 0; r < 4; r++) {
      const float x = rows[r][l * depthStep];
#pragma clang loop unroll(full)
      for (int c = 0; c < CH; c++) acc[r][c] += x * b[c];
    }
  }
#pragma clang loop unroll(full)
  for (int r = 0; r < 4; r++) {
    if (i0 + r < m) {
#pragma clang loop unroll(full)
      for (int c = 0; c < CH; c++) dnn_store(C + (i0 + r) * ldc + j0 + c * DNN_LANES, alpha * acc[r][c], n - j0 - c * DNN_LANES);
    }
  }
}

// C = alpha · op(A) · op(B), C `m x n` with row stride ldc (overwritten), op(A)[i][l] =
// transA ? A[l·lda + i] : A[i·lda + l], op(B)[l][j] = transB ? B[j·ldb + l] : B[l·ldb + j]. C is
// built in vector registers, four rows and one or two chunks of DNN_LANES columns at a time,
// from broadcasts of A's elements and rows of B; with transB, B is first copied transposed
// into `scratch` (k · n floats) so its rows are contiguous. Sums over l run in order.
static inline void dnn_small_gemm(long m, long n, long k, float alpha, const float *restrict A, long lda, int transA,
                                  const float *restrict B, long ldb, int transB, float *restrict scratch,
                                  float *restrict C, long ldc) {
  if (m <= 0 || n <= 0) return;
  if (transB) {
    for (long l = 0; l < k; l++) {
      for (long j = 0; j < n; j++) scratch[l * n + j] = B[j * ldb + l];
    }
    B = scratch;
    ldb = n;
  }
  const long rowStep = transA ? 1 : lda, depthStep = transA ? lda : 1;
  for (long j0 = 0; j0 < n; j0 += 2 * DNN_LANES) {
    const int two = n - j0 > DNN_LANES;
    for (long i0 = 0; i0 < m; i0 += 4) {
      if (two) {
        dnn_small_gemm_block(m, n, k, alpha, A, rowStep, depthStep, B, ldb, C, ldc, i0, j0, 2);
      } else {
        dnn_small_gemm_block(m, n, k, alpha, A, rowStep, depthStep, B, ldb, C, ldc, i0, j0, 1);
      }
    }
  }
}

#endif
