// Dense's forward in its transposed form (see Dense.swift): the product comes out as
// Zᵀ [outs, batch] and is turned into Z [batch, outs] with the bias added.
#ifndef DNN_TRANSPOSE_H
#define DNN_TRANSPOSE_H

// out[b][o] = t[o][b] + bias[o]. Sixteen outputs at a time, so that each row of `out` is
// written a vector at a time while the sixteen rows of `t` being read stay in the cache.
static inline void dnn_transpose_add_bias(const float *restrict t, long outs, long batch, const float *restrict bias,
                                          float *restrict out) {
  for (long o0 = 0; o0 < outs; o0 += 16) {
    const long o1 = o0 + 16 < outs ? o0 + 16 : outs;
    for (long b = 0; b < batch; b++) {
      for (long o = o0; o < o1; o++) out[b * outs + o] = t[o * batch + b] + bias[o];
    }
  }
}

#endif
