// The vector register the C kernels work in (conv.h, small_gemm.h): DNN_LANES floats, 16 with
// AVX-512, else 8, with loads and stores of a whole or a partial register.
#ifndef DNN_LANES_H
#define DNN_LANES_H

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#if defined(__AVX512F__)
#define DNN_LANES 16
#else
#define DNN_LANES 8
#endif

typedef float dnn_lanes __attribute__((ext_vector_type(DNN_LANES)));
typedef float dnn_lanes_unaligned __attribute__((ext_vector_type(DNN_LANES), aligned(4)));

static inline dnn_lanes dnn_load(const float *p) { return *(const dnn_lanes_unaligned *)p; }

// Stores the first `count` lanes of `v` at `p` (a masked store where the CPU has one).
static inline __attribute__((always_inline)) void dnn_store(float *p, dnn_lanes v, long count) {
  if (count >= DNN_LANES) {
    *(dnn_lanes_unaligned *)p = v;
    return;
  }
#if defined(__AVX512F__)
  _mm512_mask_storeu_ps(p, (__mmask16)((1u << count) - 1), (__m512)v);
#elif defined(__AVX2__)
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  _mm256_maskstore_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), lane), (__m256)v);
#else
  for (long l = 0; l < count; l++) p[l] = v[l];
#endif
}

// The first `count` floats at `p` in the low lanes, zeros above (a masked load where the CPU
// has one: nothing past `p + count` is read).
static inline __attribute__((always_inline)) dnn_lanes dnn_load_partial(const float *p, long count) {
  if (count >= DNN_LANES) return dnn_load(p);
#if defined(__AVX512F__)
  return (dnn_lanes)_mm512_maskz_loadu_ps((__mmask16)((1u << count) - 1), p);
#elif defined(__AVX2__)
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return (dnn_lanes)_mm256_maskload_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), lane));
#else
  dnn_lanes v = 0;
  for (long l = 0; l < count; l++) v[l] = p[l];
  return v;
#endif
}

// A load of the first lanes chosen once (dnn_mask_for) and used in a loop: a masked load on
// AVX-512 and AVX2 costs about what a plain one does, with no branch per load.
#if defined(__AVX512F__)
typedef __mmask16 dnn_mask;
static inline dnn_mask dnn_mask_for(long count) { return count >= 16 ? (dnn_mask)0xFFFF : (dnn_mask)((1u << count) - 1); }
static inline __attribute__((always_inline)) dnn_lanes dnn_load_masked(const float *p, dnn_mask m) {
  return (dnn_lanes)_mm512_maskz_loadu_ps(m, p);
}
#elif defined(__AVX2__)
typedef __m256i dnn_mask;
static inline dnn_mask dnn_mask_for(long count) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(count > 8 ? 8 : count)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
static inline __attribute__((always_inline)) dnn_lanes dnn_load_masked(const float *p, dnn_mask m) {
  return (dnn_lanes)_mm256_maskload_ps(p, m);
}
#else
typedef long dnn_mask;
static inline dnn_mask dnn_mask_for(long count) { return count < 0 ? 0 : count; }
static inline __attribute__((always_inline)) dnn_lanes dnn_load_masked(const float *p, dnn_mask m) {
  return dnn_load_partial(p, m);
}
#endif

#endif
