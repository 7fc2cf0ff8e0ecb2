// A convolution's weight gradient with the filters in the vector lanes (Conv2D's direct path on
// AVX-512 and AVX2, kernels 3x3 to 5x5; conv.h's dnn_conv_weight_gradient everywhere else):
//
//   dw[f][c][i][j] += Σ_{s,y,x} dy[s][f][y][x] · in[s][c][y+i][x+j]
//
// conv.h's kernel puts output positions in the lanes: each step loads k shifted rows of the
// input and a row of dY per filter, most of them across two cache lines, and ran at 81 GFLOP/s
// against the forward kernel's 145 on Intel's Xeon (cnn.json's second convolution,
// benchmarks/conv_kernels.c); this one at 154, its layout of dY included. Here dY is first laid
// out filters-last (`dnn_filters_last`), so one load holds 16 filters' gradients at a position,
// and each of the k x k input values under the kernel there is broadcast into a multiply-add
// with it: the k x k sums of a channel and a vector of filters stay in registers (25 of 32 for
// 5x5) over the samples, the same pattern as the forward kernel's. AVX2 (8 lanes, 16 registers)
// keeps a kernel row's sums for two vectors of filters instead (DNN_FILTERS_ROWS): 81.7
// GFLOP/s against conv.h's 60.0 on the same Xeon built for Haswell.
#ifndef DNN_CONV_FILTERS_H
#define DNN_CONV_FILTERS_H

#include "lanes.h"

// Samples whose products one register adds up before they join the channel's totals: sums of
// about 1,600 products (8 samples of 14x14) rather than of a whole batch's.
#define DNN_FILTERS_SAMPLES 8

// Whether dnn_conv_weight_gradient_filters takes a convolution of kernel k: AVX-512 (32 registers hold the k x k sums for k <= 5) or AVX2 (a row's sums),
// k >= 3 (fewer sums cannot keep the multiply-add units busy), any number of channels. Per 32
// samples on Intel's Xeon (benchmarks/conv_kernels.c), dY's filters-last layout included:
// cnn.json's second convolution (16 channels) 1,044 us against 1,981 for conv.h's kernel (AVX2:
// 1,965 against 2,674). Its first (one channel, 28x28) took 237 us against 200 there (AVX2: 402
// against 332), but conv.h's kernel also needs dY in padded planes, which that benchmark leaves
// out: in the layer (`dnn bench --profile`, cnn.json) the first convolution's backward took 0.135
// s against 0.174 (AVX2 build: 0.186 against 0.232-0.257), so one channel takes this kernel too.
static inline int dnn_conv_filters_suits(long k) {
#if defined(__AVX512F__) || defined(__AVX2__)
  return k >= 3 && k <= 5;
#else
  (void)k;
  return 0;
#endif
}

// The filters rounded up to whole vector registers: the last stride of dnn_filters_last.
static inline long dnn_filters_padded(long filters) { return (filters + DNN_LANES - 1) / DNN_LANES * DNN_LANES; }

#if defined(__AVX512F__)
// Writes the DNN_LANES x DNN_LANES block `r` (r[i]: row i's values) transposed: its column c, the 16 rows'
// values at c, to `to + c * stride`. The unpack, in-lane shuffle and 128-bit-lane shuffle steps.
static inline __attribute__((always_inline)) void dnn_transpose_lanes(const dnn_lanes r[16], float *to, long stride) {
  __m512 t[16], u[16];
#pragma clang loop unroll(full)
  for (int i = 0; i < 8; i++) {
    t[2 * i] = _mm512_unpacklo_ps((__m512)r[2 * i], (__m512)r[2 * i + 1]);      // per 128-bit lane: a0 b0 a1 b1
    t[2 * i + 1] = _mm512_unpackhi_ps((__m512)r[2 * i], (__m512)r[2 * i + 1]);  // a2 b2 a3 b3
  }
#pragma clang loop unroll(full)
  for (int i = 0; i < 4; i++) {  // u[4i + k], lane L: rows 4i..4i+3 at column 4L + k
    u[4 * i] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
    u[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
    u[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
    u[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
  }
#pragma clang loop unroll(full)
  for (int k = 0; k < 4; k++) {  // the lanes L of u[k], u[4+k], u[8+k], u[12+k], as columns 4L + k
    const __m512 s0 = _mm512_shuffle_f32x4(u[k], u[4 + k], 0x44), s1 = _mm512_shuffle_f32x4(u[k], u[4 + k], 0xEE);
    const __m512 s2 = _mm512_shuffle_f32x4(u[8 + k], u[12 + k], 0x44);
    const __m512 s3 = _mm512_shuffle_f32x4(u[8 + k], u[12 + k], 0xEE);
    _mm512_storeu_ps(to + k * stride, _mm512_shuffle_f32x4(s0, s2, 0x88));
    _mm512_storeu_ps(to + (4 + k) * stride, _mm512_shuffle_f32x4(s0, s2, 0xDD));
    _mm512_storeu_ps(to + (8 + k) * stride, _mm512_shuffle_f32x4(s1, s3, 0x88));
    _mm512_storeu_ps(to + (12 + k) * stride, _mm512_shuffle_f32x4(s1, s3, 0xDD));
  }
}
#elif defined(__AVX2__)
// The same for AVX2's 8 x 8 blocks: the unpack and in-lane shuffle steps, then the halves.
static inline __attribute__((always_inline)) void dnn_transpose_lanes(const dnn_lanes r[8], float *to, long stride) {
  __m256 t[8], u[8];
#pragma clang loop unroll(full)
  for (int i = 0; i < 4; i++) {
    t[2 * i] = _mm256_unpacklo_ps((__m256)r[2 * i], (__m256)r[2 * i + 1]);      // per 128-bit lane: a0 b0 a1 b1
    t[2 * i + 1] = _mm256_unpackhi_ps((__m256)r[2 * i], (__m256)r[2 * i + 1]);  // a2 b2 a3 b3
  }
#pragma clang loop unroll(full)
  for (int i = 0; i < 2; i++) {  // u[4i + k], lane L: rows 4i..4i+3 at column 4L + k
    u[4 * i] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
    u[4 * i + 1] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
    u[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
    u[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
  }
#pragma clang loop unroll(full)
  for (int k = 0; k < 4; k++) {  // columns k (low lanes) and 4 + k (high lanes)
    _mm256_storeu_ps(to + k * stride, _mm256_permute2f128_ps(u[k], u[4 + k], 0x20));
    _mm256_storeu_ps(to + (4 + k) * stride, _mm256_permute2f128_ps(u[k], u[4 + k], 0x31));
  }
}
#endif

// target[s][p][f] = source[s][f][p] for `samples` samples of `filters` planes of `positions`
// floats (`sourceStride` apart from one sample to the next), zero for f from `filters` to
// dnn_filters_padded(filters). With AVX-512 and AVX2, blocks of DNN_LANES filters x DNN_LANES
// positions transposed in registers (a position at a time, lane by lane, took as long as a
// channel's sums).
static inline void dnn_filters_last(const float *restrict source, long sourceStride, long samples, long filters,
                                    long positions, float *restrict target) {
  const long padded = dnn_filters_padded(filters);
  for (long s = 0; s < samples; s++) {
    const float *from = source + s * sourceStride;
    float *to = target + s * positions * padded;
    for (long f0 = 0; f0 < padded; f0 += DNN_LANES) {
      long p0 = 0;
#if defined(__AVX512F__) || defined(__AVX2__)
      for (; p0 + DNN_LANES <= positions; p0 += DNN_LANES) {
        dnn_lanes r[DNN_LANES];
#pragma clang loop unroll(full)
        for (int i = 0; i < DNN_LANES; i++) r[i] = f0 + i < filters ? dnn_load(from + (f0 + i) * positions + p0) : 0;
        dnn_transpose_lanes(r, to + p0 * padded + f0, padded);
      }
#endif
      for (long p = p0; p < positions; p++) {
        dnn_lanes v;
#pragma clang loop unroll(full)
        for (int f = 0; f < DNN_LANES; f++) v[f] = f0 + f < filters ? from[(f0 + f) * positions + p] : 0;
        *(dnn_lanes_unaligned *)(to + p * padded + f0) = v;
      }
    }
  }
}

#if defined(__AVX512F__) || defined(__AVX2__)
// Kernel rows per call and vectors of filters per call: AVX-512 holds a channel's K x K sums
// for one vector of 16 filters in registers (25 of 32 for 5x5); AVX2's 16 registers cannot, so
// it holds one kernel row's K sums for two vectors of 8 filters (10 of 16) and goes row by row.
#if defined(__AVX512F__)
#define DNN_FILTERS_ROWS(K) (K)
#define DNN_FILTERS_VECTORS 1
#else
#define DNN_FILTERS_ROWS(K) 1
#define DNN_FILTERS_VECTORS 2
#endif

// One channel c, kernel rows i0..i0+R-1 and V vectors of filters (fv..fv+V*DNN_LANES-1 of the
// padded layout), K known at compile time: the R x V x K sums in registers, each input value
// under the kernel broadcast into a multiply-add with each vector of dY, over blocks of
// DNN_FILTERS_SAMPLES samples added to `total`, then added to dw for the real filters. Each
// weight sums in the same order whatever R and V: both instruction sets give it the same bits.
static inline __attribute__((always_inline)) void dnn_conv_filters_block(
    const float *restrict x, long xSample, long rows, long stride, const float *restrict dyT, long padded, long c,
    long i0, long fv, long filters, long channels, long outHeight, long outWidth, long samples, float *restrict dw,
    const int K, const int R, const int V) {
  const long positions = outHeight * outWidth;
  // [R][V][K]: fixed sizes, not arrays of variable length, which stayed in memory.
  dnn_lanes total[5][2][5];
#pragma clang loop unroll(full)
  for (int r = 0; r < R; r++) {
#pragma clang loop unroll(full)
    for (int v = 0; v < V; v++) {
#pragma clang loop unroll(full)
      for (int j = 0; j < K; j++) total[r][v][j] = 0;
    }
  }
  for (long first = 0; first < samples; first += DNN_FILTERS_SAMPLES) {
    const long end = first + DNN_FILTERS_SAMPLES < samples ? first + DNN_FILTERS_SAMPLES : samples;
    dnn_lanes acc[5][2][5];
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
#pragma clang loop unroll(full)
      for (int v = 0; v < V; v++) {
#pragma clang loop unroll(full)
        for (int j = 0; j < K; j++) acc[r][v][j] = 0;
      }
    }
    for (long s = first; s < end; s++) {
      const float *plane = x + s * xSample + (c * rows + i0) * stride;
      const float *gradient = dyT + s * positions * padded + fv;
      for (long y = 0; y < outHeight; y++) {
        const float *line = plane + y * stride;
        const float *d = gradient + y * outWidth * padded;
        for (long ox = 0; ox < outWidth; ox++, d += padded) {
          // Through dnn_load, whose 512-bit result keeps the function's vectors 512 bits wide:
          // with none in a call, clang prefers 256-bit halves on these CPUs, and 50 of them spill.
          dnn_lanes dv[2];
#pragma clang loop unroll(full)
          for (int v = 0; v < V; v++) dv[v] = dnn_load(d + v * DNN_LANES);
#pragma clang loop unroll(full)
          for (int r = 0; r < R; r++) {
#pragma clang loop unroll(full)
            for (int j = 0; j < K; j++) {
              const dnn_lanes b = line[r * stride + ox + j];
#pragma clang loop unroll(full)
              for (int v = 0; v < V; v++) acc[r][v][j] += dv[v] * b;
            }
          }
        }
      }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
#pragma clang loop unroll(full)
      for (int v = 0; v < V; v++) {
#pragma clang loop unroll(full)
        for (int j = 0; j < K; j++) total[r][v][j] += acc[r][v][j];
      }
    }
  }
  const long count = filters - fv < V * DNN_LANES ? filters - fv : V * DNN_LANES;
  for (long f = 0; f < count; f++) {
    float *to = dw + ((fv + f) * channels + c) * K * K + i0 * K;
    for (int r = 0; r < R; r++) {
      for (int j = 0; j < K; j++) to[r * K + j] += total[r][f / DNN_LANES][j][f % DNN_LANES];
    }
  }
}
#endif

// dw[f][c][i][j] += Σ_{s,y,x} dy[s][f][y][x] · in[s][c][y+i][x+j]: `x` the forward's padded
// inputs (conv.h's layout), `dyT` the output gradients from dnn_filters_last.
// Only where dnn_conv_filters_suits(k).
static inline void dnn_conv_weight_gradient_filters(const float *restrict x, long xSample, long channels, long rows,
                                                    long stride, const float *restrict dyT, long filters, long k,
                                                    long outHeight, long outWidth, long samples, float *restrict dw) {
#if defined(__AVX512F__) || defined(__AVX2__)
  const long padded = dnn_filters_padded(filters);
  for (long c = 0; c < channels; c++) {
    for (long fv = 0; fv < filters; fv += DNN_FILTERS_VECTORS * DNN_LANES) {
      // The last block's filters may fill one vector of the two (AVX2).
      const int pair = DNN_FILTERS_VECTORS == 2 && fv + DNN_LANES < filters;
#define DNN_FILTERS_CASE(K)                                                                                           \
  case K:                                                                                                             \
    for (long i0 = 0; i0 < K; i0 += DNN_FILTERS_ROWS(K)) {                                                            \
      if (pair) {                                                                                                     \
        dnn_conv_filters_block(x, xSample, rows, stride, dyT, padded, c, i0, fv, filters, channels, outHeight,        \
                               outWidth, samples, dw, K, DNN_FILTERS_ROWS(K), 2);                                     \
      } else {                                                                                                        \
        dnn_conv_filters_block(x, xSample, rows, stride, dyT, padded, c, i0, fv, filters, channels, outHeight,        \
                               outWidth, samples, dw, K, DNN_FILTERS_ROWS(K), 1);                                     \
      }                                                                                                               \
    }                                                                                                                 \
    break;
      switch (k) {
        DNN_FILTERS_CASE(3)
        DNN_FILTERS_CASE(4)
        DNN_FILTERS_CASE(5)
        default: break;
      }
#undef DNN_FILTERS_CASE
    }
  }
#else
  (void)x, (void)xSample, (void)channels, (void)rows, (void)stride, (void)dyT, (void)filters, (void)k;
  (void)outHeight, (void)outWidth, (void)samples, (void)dw;
#endif
}

#endif
