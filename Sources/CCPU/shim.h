// CPU controls the engine needs beyond Swift: the per-thread floating-point environment and a
// cache prefetch hint.
//
// Flush denormals to zero: tiny gradients and momentum values drift into the subnormal range,
// where x86 arithmetic is ~100x slower; training accuracy is unchanged with these flags (see
// README, Performance).
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
static inline void dnn_flush_denormals(void) { _mm_setcsr(_mm_getcsr() | 0x8040); }
#elif defined(__aarch64__)
static inline void dnn_flush_denormals(void) {
  unsigned long fpcr;
  __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
  __asm__ volatile("msr fpcr, %0" : : "r"(fpcr | (1UL << 24)));
}
#else
static inline void dnn_flush_denormals(void) {}
#endif

// Asks the CPU to bring the cache line holding `address` into its caches ahead of a read: a
// hint that never faults (any address is fine) and returns at once.
static inline void dnn_prefetch(const void *address) { __builtin_prefetch(address, 0, 2); }

// The same ahead of a write: on x86 `prefetchw`, which fetches the line for ownership
// (invalidating other cores' copies) so the store that follows does not wait for it. Every
// machine of this project's kind reports it (`3dnowprefetch` in /proc/cpuinfo: every AMD64
// processor, Intel since Broadwell); Intel processors before that execute it as a no-op.
#if defined(__x86_64__)
static inline void dnn_prefetch_write(const void *address) { __asm__ volatile("prefetchw %0" : : "m"(*(const char *)address)); }
#else
static inline void dnn_prefetch_write(const void *address) { __builtin_prefetch(address, 1, 3); }
#endif

// Adam / AdamW's update of one element (PyTorch's formulas, the bias correction of v as a
// multiplication by its inverse root; see Kernels.adam). No contraction into FMAs: the bits are
// those of the formula as written, as in the Swift kernels.
static inline void dnn_adam_element(float *restrict theta, const float *restrict grad, float *restrict m, float *restrict v,
                                    long i, float beta1, float beta2, float shrink, float l2, float step_size,
                                    float inverse_root, float epsilon) {
#pragma clang fp contract(off)
  const float p = theta[i] * shrink;
  const float g = grad[i] + l2 * p;
  const float mi = beta1 * m[i] + (1 - beta1) * g;
  const float vi = beta2 * v[i] + (1 - beta2) * g * g;
  m[i] = mi;
  v[i] = vi;
  theta[i] = p - step_size * mi / (__builtin_elementwise_sqrt(vi) * inverse_root + epsilon);
}

// The update over n elements, clearing the gradient in the same pass when `clear`. In C because
// Swift's square root is libm's sqrtf, which keeps errno and so stops LLVM from vectorising the
// loop; `__builtin_elementwise_sqrt` is the plain instruction (vsqrtps), the same IEEE result.
static inline void dnn_adam(float *restrict theta, float *restrict grad, float *restrict m, float *restrict v, long n,
                            float beta1, float beta2, float shrink, float l2, float step_size, float inverse_root,
                            float epsilon, int clear) {
  if (clear) {
    for (long i = 0; i < n; i++) {
      dnn_adam_element(theta, grad, m, v, i, beta1, beta2, shrink, l2, step_size, inverse_root, epsilon);
      grad[i] = 0;
    }
  } else {
    for (long i = 0; i < n; i++) dnn_adam_element(theta, grad, m, v, i, beta1, beta2, shrink, l2, step_size, inverse_root, epsilon);
  }
}

// e^x for softmax, in a form the loop vectoriser turns into vector instructions (libm's expf is
// one call per element: 9% of an attention step). x = n ln 2 + r with |r| <= ln 2 / 2, e^r by
// its Taylor series to r^7 (truncation below 1e-8 relative, so within 2 ulp of expf), 2^n
// built in the exponent bits. Below -87.3 it is 0, above 88.3 infinity; NaN stays NaN.
static inline float dnn_expf(float x) {
#pragma clang fp contract(off)
  const float low = -87.33654f, high = 88.3762626647949f;
  const float c = x < low ? low : (x > high ? high : x);
  float n = __builtin_rintf(c * 1.44269504088896341f);
  n = n != n ? 0.0f : n;  // NaN: a defined integer below, the NaN goes on through r
  const float r = (c - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  union { unsigned int bits; float value; } scale = {(unsigned int)((int)n + 127) << 23};
  float y = p * scale.value;
  y = x < low ? 0.0f : y;
  return x > high ? __builtin_inff() : y;
}

// Row-wise softmax of `rows` rows of n values: a = e^(z − max z) / Σ e^(z − max z). The
// shifted values first, row by row; then the exponentials of all of them in one vectorisable
// loop (rows of 28, attention's, left a 4-value scalar tail per row that took half of the
// time); then each row's sum, in order (the same sum as a scalar loop). `a` may be `z`.
static inline void dnn_softmax_rows(const float *z0, float *a0, long rows, long n) {
#pragma clang fp contract(off)
  for (long row = 0; row < rows; row++) {
    const float *z = z0 + row * n;
    float *a = a0 + row * n;
    float m = -__builtin_inff();
    for (long j = 0; j < n; j++) m = z[j] > m ? z[j] : m;
    for (long j = 0; j < n; j++) a[j] = z[j] - m;
  }
  float *restrict all = a0;
  for (long i = 0; i < rows * n; i++) all[i] = dnn_expf(all[i]);
  for (long row = 0; row < rows; row++) {
    float *a = a0 + row * n;
    float sum = 0;
    for (long j = 0; j < n; j++) sum += a[j];
    const float inverse = 1 / sum;
    for (long j = 0; j < n; j++) a[j] *= inverse;
  }
}
