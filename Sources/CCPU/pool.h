// 2x2 max pooling with stride 2 (MaxPool2D.swift's common case), a register of outputs at a
// time: the scalar walk compared four values and branched per output, 7% of a cnn.json step
// with its backward's clearing pass.
#ifndef DNN_POOL_H
#define DNN_POOL_H

#include "lanes.h"

typedef int dnn_ints __attribute__((ext_vector_type(DNN_LANES)));

// The even- and odd-numbered lanes of the pair (lo, hi), and the reverse: two registers from
// the interleaving of two.
#if DNN_LANES == 16
#define DNN_EVENS(lo, hi) __builtin_shufflevector(lo, hi, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)
#define DNN_ODDS(lo, hi) __builtin_shufflevector(lo, hi, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31)
#define DNN_ZIP_LO(a, b) __builtin_shufflevector(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23)
#define DNN_ZIP_HI(a, b) __builtin_shufflevector(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31)
#define DNN_IOTA ((dnn_ints){0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
#elif DNN_LANES == 8
#define DNN_EVENS(lo, hi) __builtin_shufflevector(lo, hi, 0, 2, 4, 6, 8, 10, 12, 14)
#define DNN_ODDS(lo, hi) __builtin_shufflevector(lo, hi, 1, 3, 5, 7, 9, 11, 13, 15)
#define DNN_ZIP_LO(a, b) __builtin_shufflevector(a, b, 0, 8, 1, 9, 2, 10, 3, 11)
#define DNN_ZIP_HI(a, b) __builtin_shufflevector(a, b, 4, 12, 5, 13, 6, 14, 7, 15)
#define DNN_IOTA ((dnn_ints){0, 1, 2, 3, 4, 5, 6, 7})
#else
#define DNN_EVENS(lo, hi) __builtin_shufflevector(lo, hi, 0, 2, 4, 6)
#define DNN_ODDS(lo, hi) __builtin_shufflevector(lo, hi, 1, 3, 5, 7)
#define DNN_ZIP_LO(a, b) __builtin_shufflevector(a, b, 0, 4, 1, 5)
#define DNN_ZIP_HI(a, b) __builtin_shufflevector(a, b, 2, 6, 3, 7)
#define DNN_IOTA ((dnn_ints){0, 1, 2, 3})
#endif

// `candidate` where `take` (all bits set), else `current`.
static inline __attribute__((always_inline)) dnn_lanes dnn_pick(dnn_ints take, dnn_lanes candidate, dnn_lanes current) {
  return (dnn_lanes)((take & (dnn_ints)candidate) | (~take & (dnn_ints)current));
}

// One step of a window's walk in reading order: where `candidate` is greater than `best`, it
// becomes the best and `index` the winner (equal values and NaNs do not take over).
static inline __attribute__((always_inline)) void dnn_take_greater(dnn_lanes *best, dnn_ints *won, dnn_lanes candidate,
                                                                   dnn_ints index) {
  const dnn_ints take = candidate > *best;
  *best = dnn_pick(take, candidate, *best);
  *won = (take & index) | (~take & *won);
}

// One plane (height x width) into (height/2) x (width/2) maxima, the last row or column
// dropped when odd; `winners` gets each one's input index plus `offset`. The four values of a
// window are compared in reading order, a later one winning only when greater (the first of
// equal values wins, a NaN only in the first place), as MaxPool2D's scalar walk does.
static inline void dnn_max_pool2(const float *restrict plane, long width, long height, float *restrict out,
                                 int *restrict winners, int offset) {
  const long ow = width / 2, oh = height / 2;
  for (long oy = 0; oy < oh; oy++) {
    const float *top = plane + 2 * oy * width, *bottom = top + width;
    for (long ox = 0; ox < ow; ox += DNN_LANES) {
      const long count = ow - ox < DNN_LANES ? ow - ox : DNN_LANES, inputs = 2 * count;
      const dnn_lanes t0 = dnn_load_partial(top + 2 * ox, inputs);
      const dnn_lanes t1 = dnn_load_partial(top + 2 * ox + DNN_LANES, inputs - DNN_LANES);
      const dnn_lanes b0 = dnn_load_partial(bottom + 2 * ox, inputs);
      const dnn_lanes b1 = dnn_load_partial(bottom + 2 * ox + DNN_LANES, inputs - DNN_LANES);
      const dnn_ints first = offset + (int)(2 * oy * width + 2 * ox) + 2 * DNN_IOTA;
      dnn_lanes best = DNN_EVENS(t0, t1);
      dnn_ints won = first;
      dnn_take_greater(&best, &won, DNN_ODDS(t0, t1), first + 1);
      dnn_take_greater(&best, &won, DNN_EVENS(b0, b1), first + (int)width);
      dnn_take_greater(&best, &won, DNN_ODDS(b0, b1), first + (int)width + 1);
      dnn_store(out + oy * ow + ox, best, count);
      dnn_store((float *)(winners + oy * ow + ox), (dnn_lanes)won, count);
    }
  }
}

// The backward of dnn_max_pool2 for one plane: every input of a window gets its output's
// gradient if it won, else 0, written directly (no clearing pass); the dropped last row or
// column, when odd, is set to 0.
static inline void dnn_max_pool2_backward(const float *restrict dy, const int *restrict winners, int offset, long width,
                                          long height, float *restrict dx) {
  const long ow = width / 2, oh = height / 2;
  const dnn_lanes zero = 0;
  for (long oy = 0; oy < oh; oy++) {
    float *top = dx + 2 * oy * width, *bottom = top + width;
    for (long ox = 0; ox < ow; ox += DNN_LANES) {
      const long count = ow - ox < DNN_LANES ? ow - ox : DNN_LANES, inputs = 2 * count;
      const dnn_lanes g = dnn_load_partial(dy + oy * ow + ox, count);
      const dnn_ints won = (dnn_ints)dnn_load_partial((const float *)(winners + oy * ow + ox), count);
      const dnn_ints first = offset + (int)(2 * oy * width + 2 * ox) + 2 * DNN_IOTA;
      const dnn_lanes a = dnn_pick(won == first, g, zero), b = dnn_pick(won == first + 1, g, zero);
      const dnn_lanes c = dnn_pick(won == first + (int)width, g, zero);
      const dnn_lanes d = dnn_pick(won == first + (int)width + 1, g, zero);
      dnn_store(top + 2 * ox, DNN_ZIP_LO(a, b), inputs);
      dnn_store(top + 2 * ox + DNN_LANES, DNN_ZIP_HI(a, b), inputs - DNN_LANES);
      dnn_store(bottom + 2 * ox, DNN_ZIP_LO(c, d), inputs);
      dnn_store(bottom + 2 * ox + DNN_LANES, DNN_ZIP_HI(c, d), inputs - DNN_LANES);
    }
    if (width % 2) top[width - 1] = bottom[width - 1] = 0;
  }
  if (height % 2) {
    for (long x = 0; x < width; x++) dx[(height - 1) * width + x] = 0;
  }
}

#endif
