// OpenBLAS's own cblas.h (Debian: libopenblas-dev), which also declares openblas_get_corename
// and openblas_set_num_threads. Debian keeps it under the pthread variant's folder.
#if __has_include("/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h")
#include "/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h"
#elif __has_include("/usr/include/aarch64-linux-gnu/openblas-pthread/cblas.h")
#include "/usr/include/aarch64-linux-gnu/openblas-pthread/cblas.h"
#else
#include <cblas.h>
#endif
