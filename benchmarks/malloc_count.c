// LD_PRELOAD shim that counts calls to malloc, calloc, realloc and posix_memalign, for
// `dnn bench --count-allocations` (benchmarks/alloc_check.sh). The count is read through
// dnn_malloc_count(), found with dlsym at run time.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdatomic.h>

static atomic_long count;
long dnn_malloc_count(void) { return atomic_load(&count); }

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern int __posix_memalign(void **, size_t, size_t) __attribute__((weak));

void *malloc(size_t n) { atomic_fetch_add(&count, 1); return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { atomic_fetch_add(&count, 1); return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { atomic_fetch_add(&count, 1); return __libc_realloc(p, n); }
