// The vector register the C kernels work in (conv.h, small_gemm.h): DNN_LANES floats, 16 with
// AVX-512, 8 with AVX, 4 with SSE only, with loads and stores of a whole or a partial register.
#ifndef DNN_LANES_H
#define DNN_LANES_H

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#if defined(__AVX512F__)
#define DNN_LANES 16
#elif defined(__AVX__)
#define DNN_LANES 8
#else
// SSE: 16 registers of 4 floats. With 8-lane vectors each took two, and the small products'
// sums (4 rows x 2 chunks) no longer fitted: spilled, attention ran 7x slower than with AVX2.
#define DNN_LANES 4
#endif

// 1 where `a += b * c` on lanes compiles to one fused multiply-add (one rounding), 0 where it is a
// multiply and an add (SSE): the scalar references of the kernels' order (tests) round the same way.
static inline int dnn_fuses_multiply_add(void) {
#if defined(__FMA__)
  return 1;
#else
  return 0;
#endif
}

typedef float dnn_lanes __attribute__((ext_vector_type(DNN_LANES)));
typedef float dnn_lanes_unaligned __attribute__((ext_vector_type(DNN_LANES), aligned(4)));

static inline dnn_lanes dnn_load(const float *p) { return *(const dnn_lanes_unaligned *)p; }

// The first lanes of a register, chosen once (dnn_mask_for) and used for loads and stores in a
// loop: a masked load or store on AVX-512 and AVX2 costs about what a plain one does, with no
// branch per access. Lanes outside the mask are neither read (loads give 0) nor written.
#if defined(__AVX512F__)
typedef __mmask16 dnn_mask;
static inline dnn_mask dnn_mask_for(long count) {
  return count >= 16 ? (dnn_mask)0xFFFF : (count <= 0 ? (dnn_mask)0 : (dnn_mask)((1u << count) - 1));
}
static inline __attribute__((always_inline)) dnn_lanes dnn_load_masked(const float *p, dnn_mask m) {
  return (dnn_lanes)_mm512_maskz_loadu_ps(m, p);
}
static inline __attribute__((always_inline)) void dnn_store_masked(float *p, dnn_lanes v, dnn_mask m) {
  _mm512_mask_storeu_ps(p, m, (__m512)v);
}
#elif defined(__AVX2__)
typedef __m256i dnn_mask;
static inline dnn_mask dnn_mask_for(long count) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(count > 8 ? 8 : count)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
static inline __attribute__((always_inline)) dnn_lanes dnn_load_masked(const float *p, dnn_mask m) {
  return (dnn_lanes)_mm256_maskload_ps(p, m);
}
static inline __attribute__((always_inline)) void dnn_store_masked(float *p, dnn_lanes v, dnn_mask m) {
  _mm256_maskstore_ps(p, m, (__m256)v);
}
#else
typedef long dnn_mask;  // the number of lanes
static inline dnn_mask dnn_mask_for(long count) { return count < 0 ? 0 : (count > DNN_LANES ? DNN_LANES : count); }
// Whole registers (the inner loops' common case) as plain loads and stores: lane by lane, the
// generic build's small products (attention's per-head ones) ran 7x slower than AVX2's.
static inline __attribute__((always_inline)) dnn_lanes dnn_load_masked(const float *p, dnn_mask m) {
  if (m == DNN_LANES) return dnn_load(p);
  dnn_lanes v = 0;
  for (long l = 0; l < m; l++) v[l] = p[l];
  return v;
}
static inline __attribute__((always_inline)) void dnn_store_masked(float *p, dnn_lanes v, dnn_mask m) {
  if (m == DNN_LANES) {
    *(dnn_lanes_unaligned *)p = v;
    return;
  }
  for (long l = 0; l < m; l++) p[l] = v[l];
}
#endif

// Stores the first `count` lanes of `v` at `p` (all of them when count >= DNN_LANES).
static inline __attribute__((always_inline)) void dnn_store(float *p, dnn_lanes v, long count) {
  if (count >= DNN_LANES) {
    *(dnn_lanes_unaligned *)p = v;
  } else {
    dnn_store_masked(p, v, dnn_mask_for(count));
  }
}

// The first `count` floats at `p` in the low lanes, zeros above; nothing past `p + count` is read.
static inline __attribute__((always_inline)) dnn_lanes dnn_load_partial(const float *p, long count) {
  return count >= DNN_LANES ? dnn_load(p) : dnn_load_masked(p, dnn_mask_for(count));
}

#endif
