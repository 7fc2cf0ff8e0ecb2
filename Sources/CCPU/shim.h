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
