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

// Adam / AdamW's update of one element (PyTorch's formulas; see Kernels.adam). No contraction
// into FMAs: the bits are those of the formula as written, as in the Swift kernels.
static inline void dnn_adam_element(float *restrict theta, const float *restrict grad, float *restrict m, float *restrict v,
                                    long i, float beta1, float beta2, float shrink, float l2, float step_size, float root,
                                    float epsilon) {
#pragma clang fp contract(off)
  const float p = theta[i] * shrink;
  const float g = grad[i] + l2 * p;
  const float mi = beta1 * m[i] + (1 - beta1) * g;
  const float vi = beta2 * v[i] + (1 - beta2) * g * g;
  m[i] = mi;
  v[i] = vi;
  theta[i] = p - step_size * mi / (__builtin_elementwise_sqrt(vi) / root + epsilon);
}

// The update over n elements, clearing the gradient in the same pass when `clear`. In C because
// Swift's square root is libm's sqrtf, which keeps errno and so stops LLVM from vectorising the
// loop; `__builtin_elementwise_sqrt` is the plain instruction (vsqrtps), the same IEEE result.
static inline void dnn_adam(float *restrict theta, float *restrict grad, float *restrict m, float *restrict v, long n,
                            float beta1, float beta2, float shrink, float l2, float step_size, float root, float epsilon,
                            int clear) {
  if (clear) {
    for (long i = 0; i < n; i++) {
      dnn_adam_element(theta, grad, m, v, i, beta1, beta2, shrink, l2, step_size, root, epsilon);
      grad[i] = 0;
    }
  } else {
    for (long i = 0; i < n; i++) dnn_adam_element(theta, grad, m, v, i, beta1, beta2, shrink, l2, step_size, root, epsilon);
  }
}
