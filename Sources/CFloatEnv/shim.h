// Per-thread floating-point environment: flush denormals to zero. Tiny gradients and momentum
// values drift into the subnormal range, where x86 arithmetic is ~100x slower; training
// accuracy is unchanged with these flags (see README, Performance).
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
