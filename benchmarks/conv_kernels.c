// The direct convolution kernels of Sources/CCPU/conv.h alone, on cnn.json's second
// convolution (16 -> 32 channels, 5x5, padding 2, 14x14 maps; or C -> F channels on H x H maps)
// for a batch of SAMPLES (default 32, a split batch's half): the weight gradient against the
// forward pass (the same FLOP count), best of 5 rounds of 200 calls; with AVX-512 or AVX2 also the weight
// gradient with the filters in the lanes (conv_filters.h, its filters-last layout of dY
// included), checked against the first. Build with the engine's instruction set:
//   clang -O3 -march=native -I Sources/CCPU benchmarks/conv_kernels.c -lm -o .build/conv_kernels
//   .build/conv_kernels [SAMPLES [C F H]]     (cnn.json's first convolution: 32 1 16 28)
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conv.h"
#include "conv_filters.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static float *floats(long count) {
  float *p = aligned_alloc(64, ((size_t)count * sizeof(float) + 63) / 64 * 64);
  memset(p, 0, (size_t)count * sizeof(float));
  return p;
}

int main(int argc, char **argv) {
  const long S = argc > 1 ? atol(argv[1]) : 32, C = argc > 4 ? atol(argv[2]) : 16, F = argc > 4 ? atol(argv[3]) : 32;
  const long H = argc > 4 ? atol(argv[4]) : 14, W = H, k = 5, pad = 2;
  // The layer's padded planes (Conv2D.Direct): rows wide enough for the last chunk's loads.
  const long span = (W + DNN_LANES - 1) / DNN_LANES * DNN_LANES;
  const long rows = H + 2 * pad, stride = W + 2 * pad > span + k - 1 ? W + 2 * pad : span + k - 1;
  const long gpad = k - 1 - pad, grows = H + 2 * gpad, gstride = stride;
  const long xs = C * rows * stride, gs = F * grows * gstride, weights = F * C * k * k;
  float *x = floats(S * xs), *dy = floats(S * gs), *dw = floats(weights), *w = floats(weights);
  float *packed = floats(((F + DNN_FILTER_BLOCK - 1) / DNN_FILTER_BLOCK) * DNN_FILTER_BLOCK * C * k * k), *out = floats(S * F * H * W);
  srand(1);
  for (long s = 0; s < S; s++)
    for (long c = 0; c < C; c++)
      for (long y = 0; y < H; y++)
        for (long i = 0; i < W; i++) x[s * xs + c * rows * stride + (y + pad) * stride + i + pad] = rand() / (float)RAND_MAX - 0.5f;
  for (long s = 0; s < S; s++)
    for (long f = 0; f < F; f++)
      for (long y = 0; y < H; y++)
        for (long i = 0; i < W; i++) dy[s * gs + f * grows * gstride + (y + gpad) * gstride + i + gpad] = rand() / (float)RAND_MAX - 0.5f;
  for (long i = 0; i < weights; i++) w[i] = rand() / (float)RAND_MAX - 0.5f;
  dnn_conv_pack(w, F, C, k, 0, packed);
  // dY as the layer holds it ([S][F][H*W]) and filters-last for conv_filters.h.
  float *plain = floats(S * F * H * W), *dyT = floats(S * H * W * dnn_filters_padded(F)), *dw2 = floats(weights);
  for (long s = 0; s < S; s++)
    for (long f = 0; f < F; f++)
      for (long p = 0; p < H * W; p++) plain[(s * F + f) * H * W + p] = dy[s * gs + f * grows * gstride + (p / W + gpad) * gstride + p % W + gpad];
  const int calls = 200, lanes = dnn_conv_filters_suits(k);
  double gradient = 1e9, forward = 1e9, filters = 1e9;
  for (int round = 0; round < 5; round++) {
    double start = now();
    for (int r = 0; r < calls; r++) dnn_conv_weight_gradient(x, xs, C, rows, stride, dy, gs, F, grows, gstride, gpad, k, H, W, S, dw);
    double t = (now() - start) / calls;
    if (t < gradient) gradient = t;
    start = now();
    for (int r = 0; r < calls; r++) {
      dnn_conv_rows(x, xs, C, rows, stride, packed, F, k, NULL, out, F * H * W, H, W, S);
      __asm__ volatile("" : : "r"(out) : "memory");  // the outputs are read: the calls stay
    }
    t = (now() - start) / calls;
    if (t < forward) forward = t;
    if (!lanes) continue;
    start = now();
    for (int r = 0; r < calls; r++) {
      dnn_filters_last(plain, F * H * W, S, F, H * W, dyT);
      dnn_conv_weight_gradient_filters(x, xs, C, rows, stride, dyT, F, k, H, W, S, dw2);
    }
    t = (now() - start) / calls;
    if (t < filters) filters = t;
  }
  const double flop = 2.0 * S * F * C * k * k * H * W;
  printf("%ld samples: weight gradient %.0f us (%.1f GFLOP/s), forward %.0f us (%.1f GFLOP/s)\n", S, gradient * 1e6,
         flop / gradient * 1e-9, forward * 1e6, flop / forward * 1e-9);
  if (!lanes) return 0;
  // Both gradients were accumulated the same number of times: they must agree.
  double worst = 0;
  for (long i = 0; i < weights; i++) {
    const double e = fabs(dw[i] - dw2[i]) / (fabs(dw[i]) + 1);
    if (e > worst) worst = e;
  }
  printf("filters in the lanes: weight gradient %.0f us (%.1f GFLOP/s) with its layout of dY; largest relative difference %.1e\n",
         filters * 1e6, flop / filters * 1e-9, worst);
  return worst < 1e-3 ? 0 : 1;
}
