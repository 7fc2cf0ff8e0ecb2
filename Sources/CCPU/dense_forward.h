// Dense's forward for a batch smaller than its outputs, Zᵀ = W · Xᵀ, without OpenBLAS packing
// W (Dense.swift): at 32 samples (each half of mnist-best's batch) into 512 outputs, OpenBLAS
// spent as long copying W into its panel layout (sgemm_oncopy) as multiplying, in both halves,
// every step. Here W is read once, in place, a block of rows at a time, each element broadcast
// against Xᵀ's row of the same input (a register at a time), the block of Zᵀ held in registers
// over the whole sum (in order of the inputs).
#ifndef DNN_DENSE_FORWARD_H
#define DNN_DENSE_FORWARD_H

#include "lanes.h"

// Rows of A per block, and how far ahead (in floats) each row is prefetched; measured with
// benchmarks/gemm_layout.c (which can set both) for [32, 784] into 512 on one core of the
// AVX-512 Xeon: 8 rows 170-180 µs (OpenBLAS with its SkylakeX kernel 240-440), 4 rows 250-330;
// built for AVX2 (16 registers: 12 sums, two chunks, a broadcast), 6 rows 312 µs, 4 rows
// 370-460, OpenBLAS's Haswell kernel 380-470.
#ifndef DNN_DENSE_ROWS
#if defined(__AVX512F__)
#define DNN_DENSE_ROWS 8
#else
#define DNN_DENSE_ROWS 6
#endif
#endif
#ifndef DNN_DENSE_PREFETCH
#define DNN_DENSE_PREFETCH 128
#endif
// With AVX-512, batches of three or four registers (the reference MLP's halves of 64) in one
// pass over W: 6 rows x 4 registers, 24 sums next to four chunks of Xᵀ and a broadcast.
#ifndef DNN_DENSE_WIDE_ROWS
#define DNN_DENSE_WIDE_ROWS 6
#endif

// One block of C = A · B: R rows from i0 (those below m; R ≤ 8) and CH chunks of DNN_LANES
// columns from j0 (those below n; CH ≤ 4). A is [m, k] with row stride lda, B [k, n] with row
// stride ldb. Rows past m read row m-1 again and are not stored. A's rows are prefetched
// ahead: R streams at once are more than the hardware prefetcher keeps up with.
static inline __attribute__((always_inline)) void dnn_dense_block(
    const float *restrict A, long lda, long m, long k, const float *restrict B, long ldb, long n, float *restrict C,
    long ldc, long i0, long j0, const int R, const int CH) {
  // Fixed-size arrays with the first R and CH used: arrays sized by R or CH are stack
  // allocations in the loop.
  const float *rows[8];
#pragma clang loop unroll(full)
  for (int r = 0; r < R; r++) rows[r] = A + (i0 + r < m ? i0 + r : m - 1) * lda;
  dnn_mask masks[4];
  dnn_lanes acc[8][4];
#pragma clang loop unroll(full)
  for (int c = 0; c < CH; c++) masks[c] = dnn_mask_for(n - j0 - c * DNN_LANES);
#pragma clang loop unroll(full)
  for (int r = 0; r < R; r++) {
#pragma clang loop unroll(full)
    for (int c = 0; c < CH; c++) acc[r][c] = 0;
  }
  B += j0;
  long l = 0;
  for (; l + 16 <= k; l += 16) {
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) __builtin_prefetch(rows[r] + l + DNN_DENSE_PREFETCH);
#pragma clang loop unroll(full)
    for (int u = 0; u < 16; u++) {
      dnn_lanes b[4];
#pragma clang loop unroll(full)
      for (int c = 0; c < CH; c++) b[c] = dnn_load_masked(B + (l + u) * ldb + c * DNN_LANES, masks[c]);
#pragma clang loop unroll(full)
      for (int r = 0; r < R; r++) {
        const float x = rows[r][l + u];
#pragma clang loop unroll(full)
        for (int c = 0; c < CH; c++) acc[r][c] += x * b[c];
      }
    }
  }
  for (; l < k; l++) {
    dnn_lanes b[4];
#pragma clang loop unroll(full)
    for (int c = 0; c < CH; c++) b[c] = dnn_load_masked(B + l * ldb + c * DNN_LANES, masks[c]);
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
      const float x = rows[r][l];
#pragma clang loop unroll(full)
      for (int c = 0; c < CH; c++) acc[r][c] += x * b[c];
    }
  }
#pragma clang loop unroll(full)
  for (int r = 0; r < R; r++) {
    if (i0 + r < m) {
#pragma clang loop unroll(full)
      for (int c = 0; c < CH; c++) dnn_store(C + (i0 + r) * ldc + j0 + c * DNN_LANES, acc[r][c], n - j0 - c * DNN_LANES);
    }
  }
}

// C [m, n] (row stride ldc, overwritten) = A [m, k] · B [k, n] (see dnn_dense_block). Columns
// in chunks of two registers (with AVX-512, four while more than two are left), each chunk's
// strip of B staying in the cache while every block of A's rows goes by.
static inline void dnn_dense_product(const float *restrict A, long lda, long m, long k, const float *restrict B,
                                     long ldb, long n, float *restrict C, long ldc) {
  if (m <= 0 || n <= 0) return;
  long j0 = 0;
#if defined(__AVX512F__)
  for (; n - j0 > 2 * DNN_LANES; j0 += 4 * DNN_LANES) {
    for (long i0 = 0; i0 < m; i0 += DNN_DENSE_WIDE_ROWS) {
      dnn_dense_block(A, lda, m, k, B, ldb, n, C, ldc, i0, j0, DNN_DENSE_WIDE_ROWS, 4);
    }
  }
#endif
  for (; j0 < n; j0 += 2 * DNN_LANES) {
    const int two = n - j0 > DNN_LANES;
    for (long i0 = 0; i0 < m; i0 += DNN_DENSE_ROWS) {
      if (two) {
        dnn_dense_block(A, lda, m, k, B, ldb, n, C, ldc, i0, j0, DNN_DENSE_ROWS, 2);
      } else {
        dnn_dense_block(A, lda, m, k, B, ldb, n, C, ldc, i0, j0, DNN_DENSE_ROWS, 1);
      }
    }
  }
}

// Whether a batch (a half batch with the split) is one this kernel is used for: more than
// one register (at 16 samples with AVX-512, a load per FMA: the seed scan's halves were slower
// than with OpenBLAS) and at most what one pass holds (two registers, four with AVX-512).
static inline int dnn_dense_forward_suits(long batch) {
#if defined(__AVX512F__)
  return batch > DNN_LANES && batch <= 4 * DNN_LANES;
#else
  return batch > DNN_LANES && batch <= 2 * DNN_LANES;
#endif
}

// The floats in a vector register, for choices made in Swift.
static inline long dnn_dense_lanes(void) { return DNN_LANES; }

// Zt [outs, batch] = W [outs, in] · Xᵀ, X [batch, in], all row-major; `scratch` holds in ·
// batch floats (Xᵀ: a few kilobytes against W's hundreds). Each sum runs over the inputs in order.
static inline void dnn_dense_forward(const float *restrict W, long outs, long in, const float *restrict X, long batch,
                                     float *restrict scratch, float *restrict Zt) {
  if (outs <= 0 || batch <= 0) return;
  for (long l = 0; l < in; l++) {
    for (long j = 0; j < batch; j++) scratch[l * batch + j] = X[j * in + l];
  }
  dnn_dense_product(W, in, outs, in, scratch, batch, batch, Zt, batch);
}

#endif
