// Direct stride-1 convolution kernels (Conv2D's fast path; see Conv2D.swift for the equations).
//
// Everything works on zero-padded planes: a sample's channels one after another, each `rows`
// rows of `stride` floats, the image placed `pad` rows down and `pad` columns in. An output row
// is computed in chunks of DNN_LANES consecutive positions, one vector register each; reading
// `DNN_LANES + k - 1` columns from a chunk's start must stay inside the padded row, which the
// caller's row stride guarantees. Lanes past the end of the output row compute values that are
// never stored.
//
// In C for the vector types: one register holds a chunk, a filter's weight is broadcast to it,
// and a block of filters is accumulated at once (im2col + GEMM wrote, packed and read a K x
// positions matrix from memory instead: 20 MB per batch for cnn.json's second convolution).
#ifndef DNN_CONV_H
#define DNN_CONV_H

#include "lanes.h"

#if defined(__AVX512F__)
#define DNN_FILTER_BLOCK 16   // 16 accumulators of 32 zmm registers
#define DNN_GRADIENT_BLOCK 4  // 4 filters x k <= 7 columns: up to 28 accumulators
#elif defined(__AVX2__)
#define DNN_FILTER_BLOCK 4    // x 3 chunks of positions (dnn_conv_units): 12 of 16 ymm registers
#define DNN_GRADIENT_BLOCK 2
#else
#define DNN_FILTER_BLOCK 8    // 8 of 16 registers, one for the input, broadcasts
#define DNN_GRADIENT_BLOCK 2
#endif

// The bytes of input and output-gradient planes a block of samples may span in the weight
// gradient (dnn_conv_gradient_block): enough samples that a kernel row's sums run over several
// in registers, few enough that the block's planes stay in a 32 KB first-level cache (beside
// the 6 KB of sums) while every kernel row rereads them. Settable for benchmarks/conv_kernels.c.
#ifndef DNN_GRADIENT_BYTES
#define DNN_GRADIENT_BYTES 24576
#endif

static inline long dnn_conv_lanes(void) { return DNN_LANES; }
static inline long dnn_conv_filter_block(void) { return DNN_FILTER_BLOCK; }

// Copies `samples` images of `channels` planes `height` x `width` (consecutive in `source`,
// `sourceStride` floats apart from one sample to the next) into padded planes of `rows` x
// `stride`, the image at (pad, pad), zeros around it. Every float of the target is written,
// unless `zeros_kept`: the target already holds the zeros (an earlier call with the same
// layout wrote them, and nothing wrote there since), and only the images are copied.
static inline void dnn_pad_planes(const float *restrict source, long sourceStride, long samples, long channels, long height,
                                  long width, float *restrict target, long rows, long stride, long pad, int zeros_kept) {
  for (long s = 0; s < samples; s++) {
    for (long c = 0; c < channels; c++) {
      const float *image = source + s * sourceStride + c * height * width;
      float *plane = target + (s * channels + c) * rows * stride;
      // Vector stores rather than memset/memcpy: the rows are short (14 to 36 floats here) and
      // a call per row cost 5% of a cnn.json step.
      for (long r = zeros_kept ? pad : 0; r < (zeros_kept ? pad + height : rows); r++) {
        float *line = plane + r * stride;
        if (!zeros_kept) {
          for (long x = 0; x < stride; x += DNN_LANES) dnn_store(line + x, 0, stride - x);
        }
        const long y = r - pad;
        if (y < 0 || y >= height) continue;
        const float *from = image + y * width;
        for (long x = 0; x < width; x += DNN_LANES) {
          float *to = line + pad + x;
          __asm__("" : "+r"(to));  // an opaque address, or LLVM turns the loop back into a memmove call
          dnn_store(to, dnn_load_partial(from + x, width - x), width - x);
        }
      }
    }
  }
}

// Lays weights out for dnn_conv_rows: blocks of DNN_FILTER_BLOCK filters, in each
// `[channel][i][j][filter of the block]` (zero for filters past the last). `weights` is
// `[filters][channels][k][k]`. With `flip`, the layout of the input gradient's convolution:
// filters and channels swap and each kernel turns by 180 degrees (filter c, channel f, (i, j)
// takes weights[f][c][k-1-i][k-1-j]).
static inline void dnn_conv_pack(const float *restrict weights, long filters, long channels, long k, int flip,
                                 float *restrict packed) {
  const long outs = flip ? channels : filters, ins = flip ? filters : channels;
  const long blocks = (outs + DNN_FILTER_BLOCK - 1) / DNN_FILTER_BLOCK;
  for (long b = 0; b < blocks; b++) {
    for (long c = 0; c < ins; c++) {
      for (long i = 0; i < k; i++) {
        for (long j = 0; j < k; j++) {
          float *to = packed + (((b * ins + c) * k + i) * k + j) * DNN_FILTER_BLOCK;
          for (long f = 0; f < DNN_FILTER_BLOCK; f++) {
            const long o = b * DNN_FILTER_BLOCK + f;
            float value = 0;
            if (o < outs) {
              value = flip ? weights[((c * channels + o) * k + (k - 1 - i)) * k + (k - 1 - j)]
                           : weights[((o * channels + c) * k + i) * k + j];
            }
            to[f] = value;
          }
        }
      }
    }
  }
}

#if defined(__AVX2__) && !defined(__AVX512F__)
// AVX2: U (1 to 3) chunks of DNN_LANES output positions at once, chunk n at row y[n] from
// column x0[n], for one block of DNN_FILTER_BLOCK filters.
// With one chunk and 8 filters, 8 sums each took a multiply-add per input value, one after
// another: four cycles apart, AVX2's two units waited for them; 3 x 4 sums keep them busy and
// load 3 inputs and 4 broadcasts for 12 multiply-adds instead of 1 and 8 for 8. Each output
// sums over (c, i, j) in the order of the other instruction sets' kernel: the same bits.
static inline __attribute__((always_inline)) void dnn_conv_units(
    const float *restrict image, long channels, long rows, long stride, const float *restrict weights, long k,
    const long y[3], const long x0[3], long first, long count, const float *restrict bias, float *restrict target,
    long plane, long outWidth, const int U) {
  const float *base[3];
  long offset[3], valid[3];
#pragma clang loop unroll(full)
  for (int n = 0; n < U; n++) {
    base[n] = image + y[n] * stride + x0[n];
    offset[n] = y[n] * outWidth + x0[n];
    valid[n] = outWidth - x0[n];
  }
  dnn_lanes acc[3][DNN_FILTER_BLOCK];
#pragma clang loop unroll(full)
  for (int n = 0; n < U; n++) {
#pragma clang loop unroll(full)
    for (int f = 0; f < DNN_FILTER_BLOCK; f++) acc[n][f] = 0;
  }
  const float *w = weights;
  for (long c = 0; c < channels; c++) {
    for (long i = 0; i < k; i++) {
      const long line = (c * rows + i) * stride;
      for (long j = 0; j < k; j++, w += DNN_FILTER_BLOCK) {
        dnn_lanes x[3];
#pragma clang loop unroll(full)
        for (int n = 0; n < U; n++) x[n] = dnn_load(base[n] + line + j);
#pragma clang loop unroll(full)
        for (int f = 0; f < DNN_FILTER_BLOCK; f++) {
          const dnn_lanes weight = w[f];
#pragma clang loop unroll(full)
          for (int n = 0; n < U; n++) acc[n][f] += x[n] * weight;
        }
      }
    }
  }
#pragma clang loop unroll(full)
  for (int f = 0; f < DNN_FILTER_BLOCK; f++) {
    if (f < count) {
      const float b = bias ? bias[first + f] : 0.0f;
#pragma clang loop unroll(full)
      for (int n = 0; n < U; n++) dnn_store(target + (first + f) * plane + offset[n], acc[n][f] + b, valid[n]);
    }
  }
}
#endif

// For each of `samples` padded inputs (`channels` planes of `rows` x `stride`, `inSample`
// floats apart): out[f][y][x] = bias[f] + Σ_{c,i,j} w[f][c][i][j] · in[c][y+i][x+j] for
// y < outHeight, x < outWidth; `packed` from dnn_conv_pack; `bias` may be null (zero); the
// outputs of a sample are `[outs][outHeight][outWidth]`, `outSample` floats apart.
static inline void dnn_conv_rows(const float *restrict in, long inSample, long channels, long rows, long stride,
                                 const float *restrict packed, long outs, long k, const float *restrict bias,
                                 float *restrict out, long outSample, long outHeight, long outWidth, long samples) {
  const long blocks = (outs + DNN_FILTER_BLOCK - 1) / DNN_FILTER_BLOCK;
  const long chunks = (outWidth + DNN_LANES - 1) / DNN_LANES, plane = outHeight * outWidth;
  for (long s = 0; s < samples; s++) {
    const float *image = in + s * inSample;
    float *target = out + s * outSample;
    for (long b = 0; b < blocks; b++) {
      const float *weights = packed + b * channels * k * k * DNN_FILTER_BLOCK;
      const long first = b * DNN_FILTER_BLOCK;
      const long count = outs - first < DNN_FILTER_BLOCK ? outs - first : DNN_FILTER_BLOCK;
#if defined(__AVX2__) && !defined(__AVX512F__)
      // The chunks row by row, three at a time (their rows and first columns), then the last one or two.
      long y[3], x0[3], n = 0;
      for (long row = 0; row < outHeight; row++) {
        for (long chunk = 0; chunk < chunks; chunk++) {
          y[n] = row, x0[n] = chunk * DNN_LANES;
          if (++n == 3) {
            dnn_conv_units(image, channels, rows, stride, weights, k, y, x0, first, count, bias, target, plane, outWidth, 3);
            n = 0;
          }
        }
      }
      if (n == 2) {
        dnn_conv_units(image, channels, rows, stride, weights, k, y, x0, first, count, bias, target, plane, outWidth, 2);
      } else if (n == 1) {
        dnn_conv_units(image, channels, rows, stride, weights, k, y, x0, first, count, bias, target, plane, outWidth, 1);
      }
#else
      for (long y = 0; y < outHeight; y++) {
        for (long chunk = 0; chunk < chunks; chunk++) {
          const long x0 = chunk * DNN_LANES;
          dnn_lanes acc[DNN_FILTER_BLOCK];
#pragma clang loop unroll(full)
          for (int f = 0; f < DNN_FILTER_BLOCK; f++) acc[f] = 0;
          const float *w = weights;
          for (long c = 0; c < channels; c++) {
            for (long i = 0; i < k; i++) {
              const float *line = image + (c * rows + y + i) * stride + x0;
              for (long j = 0; j < k; j++, w += DNN_FILTER_BLOCK) {
                const dnn_lanes x = dnn_load(line + j);
#pragma clang loop unroll(full)
                for (int f = 0; f < DNN_FILTER_BLOCK; f++) acc[f] += x * w[f];
              }
            }
          }
          // A constant-bound loop with a test, not `f < count`: indexing the accumulators by a
          // run-time value kept a copy of all of them in memory, stored on every iteration.
          const long valid = outWidth - x0;
#pragma clang loop unroll(full)
          for (int f = 0; f < DNN_FILTER_BLOCK; f++) {
            if (f < count) {
              dnn_store(target + (first + f) * plane + y * outWidth + x0, acc[f] + (bias ? bias[first + f] : 0.0f), valid);
            }
          }
        }
      }
#endif
    }
  }
}

// One block of the weight gradient, for K = k known at compile time (so the
// DNN_GRADIENT_BLOCK x K accumulators live in registers): filters first..first+count-1,
// channel c, every kernel row. Samples go in blocks whose planes fit DNN_GRADIENT_BYTES (3 of
// cnn.json's second convolution, 1 of its first); each kernel row runs over a block's samples
// in its registers, adds its lane-wise sums to `sums`, and the next row rereads the block from
// the first-level cache. Adding to `sums` after every sample cost two thirds of the forward
// kernel's rate on AMD's EPYC; blocks of 64 samples, whose rows came from the second-level
// cache, ran at 65 GFLOP/s on Intel's Xeon against 82 for blocks of 3-5 and 145 for the forward
// kernel (benchmarks/conv_kernels.c, cnn.json's second convolution). The blocks also bound how
// many products one float lane adds up before they join the rest.
static inline __attribute__((always_inline)) void dnn_conv_gradient_block(
    const float *restrict x, long xSample, long rows, long stride, const float *restrict dy, long dySample, long dyRows,
    long dyStride, long pad, long channels, long c, long first, long count, long outHeight, long outWidth,
    long samples, float *restrict dw, const int K) {
  const long chunks = (outWidth + DNN_LANES - 1) / DNN_LANES;
  dnn_lanes sums[K][DNN_GRADIENT_BLOCK][K];
  for (int i = 0; i < K; i++) {
#pragma clang loop unroll(full)
    for (int f = 0; f < DNN_GRADIENT_BLOCK; f++) {
#pragma clang loop unroll(full)
      for (int j = 0; j < K; j++) sums[i][f][j] = 0;
    }
  }
  // Filters past the last of the block reread the last one; their sums are dropped.
  long offsets[DNN_GRADIENT_BLOCK];
#pragma clang loop unroll(full)
  for (int f = 0; f < DNN_GRADIENT_BLOCK; f++) {
    offsets[f] = (first + (f < count ? f : count - 1)) * dyRows * dyStride + pad * dyStride + pad;
  }
  const long bytes = (rows * stride + DNN_GRADIENT_BLOCK * dyRows * dyStride) * (long)sizeof(float);
  const long block = bytes <= DNN_GRADIENT_BYTES ? DNN_GRADIENT_BYTES / bytes : 1;
  for (long first_sample = 0; first_sample < samples; first_sample += block) {
    const long end = first_sample + block < samples ? first_sample + block : samples;
#pragma clang loop unroll(disable)
    for (int i = 0; i < K; i++) {
      dnn_lanes acc[DNN_GRADIENT_BLOCK][K];
#pragma clang loop unroll(full)
      for (int f = 0; f < DNN_GRADIENT_BLOCK; f++) {
#pragma clang loop unroll(full)
        for (int j = 0; j < K; j++) acc[f][j] = 0;  // (copied in from sums, LLVM made a memmove call of it)
      }
      for (long s = first_sample; s < end; s++) {
        const float *image = x + s * xSample + c * rows * stride;
        const float *gradient = dy + s * dySample;
        for (long y = 0; y < outHeight; y++) {
          for (long chunk = 0; chunk < chunks; chunk++) {
            const long x0 = chunk * DNN_LANES;
            dnn_lanes in[K];
#pragma clang loop unroll(full)
            for (int j = 0; j < K; j++) in[j] = dnn_load(image + (y + i) * stride + x0 + j);
#pragma clang loop unroll(full)
            for (int f = 0; f < DNN_GRADIENT_BLOCK; f++) {
              const dnn_lanes d = dnn_load(gradient + offsets[f] + y * dyStride + x0);
#pragma clang loop unroll(full)
              for (int j = 0; j < K; j++) acc[f][j] += d * in[j];
            }
          }
        }
      }
#pragma clang loop unroll(full)
      for (int f = 0; f < DNN_GRADIENT_BLOCK; f++) {
#pragma clang loop unroll(full)
        for (int j = 0; j < K; j++) sums[i][f][j] += acc[f][j];
      }
    }
  }
  for (int i = 0; i < K; i++) {
#pragma clang loop unroll(full)
    for (int f = 0; f < DNN_GRADIENT_BLOCK; f++) {
      if (f < count) {
#pragma clang loop unroll(full)
        for (int j = 0; j < K; j++) {
          float sum = 0;
          for (int l = 0; l < DNN_LANES; l++) sum += sums[i][f][j][l];
          dw[(((first + f) * channels + c) * K + i) * K + j] += sum;
        }
      }
    }
  }
}

// dw[f][c][i][j] += Σ_{s,y,x} dy[s][f][y][x] · in[s][c][y+i][x+j]: `x` the forward's padded
// inputs, `dy` the output gradients in padded planes of `dyRows` x `dyStride` with the values at
// (pad, pad) and zeros around them (so the lanes past a row's end add nothing). k from 1 to 7.
static inline void dnn_conv_weight_gradient(const float *restrict x, long xSample, long channels, long rows, long stride,
                                            const float *restrict dy, long dySample, long filters, long dyRows,
                                            long dyStride, long pad, long k, long outHeight, long outWidth, long samples,
                                            float *restrict dw) {
  for (long first = 0; first < filters; first += DNN_GRADIENT_BLOCK) {
    const long count = filters - first < DNN_GRADIENT_BLOCK ? filters - first : DNN_GRADIENT_BLOCK;
    for (long c = 0; c < channels; c++) {
      {
#define DNN_GRADIENT_CASE(K)                                                                                          \
  case K:                                                                                                             \
    dnn_conv_gradient_block(x, xSample, rows, stride, dy, dySample, dyRows, dyStride, pad, channels, c, first, count, \
                            outHeight, outWidth, samples, dw, K);                                                     \
    break;
        switch (k) {
          DNN_GRADIENT_CASE(1)
          DNN_GRADIENT_CASE(2)
          DNN_GRADIENT_CASE(3)
          DNN_GRADIENT_CASE(4)
          DNN_GRADIENT_CASE(5)
          DNN_GRADIENT_CASE(6)
          DNN_GRADIENT_CASE(7)
          default: break;
        }
#undef DNN_GRADIENT_CASE
      }
    }
  }
}

#endif
