// The fastest an epoch of the reference MLP can be on this machine if everything but the matrix
// products took no time: times the eight sgemm calls of one training step (784-256-128-10,
// batch 128, first layer without dX) through OpenBLAS, and the CPU's FMA peak.
//
//   gemm_floor peak          FMA-only loop, GFLOPS of one thread
//   gemm_floor step THREADS  microseconds per step of the eight products, with THREADS threads
//
// benchmarks/gemm_floor.sh runs both alone and two at once and prints the table.
#include <cblas.h>
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

// 12 independent FMA chains on 8 floats each: two FMA units, 4-cycle latency, all busy.
static double peak(void) {
  __m256 acc[12];
  for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_ps(i * 0.001f);
  const __m256 x = _mm256_set1_ps(0.9999f), y = _mm256_set1_ps(0.00001f);
  const long n = 200000000;
  double t0 = now();
  for (long i = 0; i < n; i++) {
#pragma GCC unroll 12
    for (int j = 0; j < 12; j++) acc[j] = _mm256_fmadd_ps(acc[j], x, y);
  }
  double dt = now() - t0;
  float sink = 0, lane[8];
  for (int i = 0; i < 12; i++) { _mm256_storeu_ps(lane, acc[i]); sink += lane[0]; }
  if (sink == 12345.f) puts("");  // keep the loop
  return n * 12.0 * 16 / dt * 1e-9;
}

struct shape { int ta, tb, m, n, k; };
// Row-major, weights [out, in] as in PyTorch: forward X·Wᵀ, dW = dZᵀ·X, dX = dZ·W.
static const struct shape step[8] = {
  {0, 1, 128, 256, 784}, {1, 0, 256, 784, 128},                         // layer 1: forward, dW
  {0, 1, 128, 128, 256}, {1, 0, 128, 256, 128}, {0, 0, 128, 256, 128},  // layer 2: forward, dW, dX
  {0, 1, 128, 10, 128},  {1, 0, 10, 128, 128},  {0, 0, 128, 128, 10},   // layer 3
};

static double step_seconds(float *a, float *b, float *c) {
  double t = 0;
  for (int round = 0; round < 2; round++) {  // first round warms up
    const int reps = 600;
    double t0 = now();
    for (int r = 0; r < reps; r++)
      for (int q = 0; q < 8; q++) {
        const struct shape s = step[q];
        cblas_sgemm(CblasRowMajor, s.ta ? CblasTrans : CblasNoTrans, s.tb ? CblasTrans : CblasNoTrans, s.m, s.n, s.k,
                    1, a, s.ta ? s.m : s.k, b, s.tb ? s.k : s.n, 1, c, s.n);
      }
    t = (now() - t0) / reps;
  }
  return t;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "peak") == 0) {
    printf("%.1f\n", peak());
    return 0;
  }
  if (argc < 3 || strcmp(argv[1], "step") != 0) {
    fprintf(stderr, "usage: gemm_floor peak | gemm_floor step THREADS\n");
    return 2;
  }
  openblas_set_num_threads(atoi(argv[2]));
  const int size = 256 * 784;
  float *a = malloc(sizeof(float) * size), *b = malloc(sizeof(float) * size), *c = malloc(sizeof(float) * size);
  for (int i = 0; i < size; i++) { a[i] = (float)rand() / RAND_MAX - 0.5f; b[i] = 0.5f * a[i]; c[i] = 0; }
  printf("%.1f\n", step_seconds(a, b, c) * 1e6);
  return 0;
}
