import CCPU

extension Conv2D {
  /// Whether a convolution of this geometry runs on the direct kernels (else im2col): stride 1,
  /// padding below the kernel size, kernels up to 7x7.
  public static func usesDirectKernels(kernel: Int, stride: Int, padding: Int) -> Bool {
    stride == 1 && padding < kernel && kernel <= 7
  }

  /// Where the direct kernels read and write (see conv.h): the input in planes padded by `p`,
  /// `dY` in planes padded by `k − 1 − p`, each row wide enough for a vector register's worth
  /// of positions past the last chunk's start plus the kernel.
  struct Direct: Equatable {
    let inputRows: Int, inputStride: Int
    let gradientPad: Int, gradientRows: Int, gradientStride: Int
    /// Floats per sample of the padded input and of the padded output gradient.
    let inputPlanes: Int, gradientPlanes: Int

    /// nil where the kernels do not apply: stride above 1, padding of k or more (the input
    /// gradient's padding k − 1 − p would be negative), kernels above 7.
    init?(input: ImageShape, output: ImageShape, kernel k: Int, stride: Int, padding p: Int) {
      guard Conv2D.usesDirectKernels(kernel: k, stride: stride, padding: p) else { return nil }
      let lanes = dnn_conv_lanes()
      func span(_ width: Int) -> Int { (width + lanes - 1) / lanes * lanes }
      inputRows = input.height + 2 * p
      inputStride = max(input.width + 2 * p, span(output.width) + k - 1)
      gradientPad = k - 1 - p
      gradientRows = output.height + 2 * gradientPad
      gradientStride = max(output.width + 2 * gradientPad, span(input.width) + k - 1, gradientPad + span(output.width))
      inputPlanes = input.channels * inputRows * inputStride
      gradientPlanes = output.channels * gradientRows * gradientStride
    }
  }

  /// Which samples of a padded-planes buffer hold their zeros: those below `samples` in a
  /// layout of `columns` floats per sample. Only `dnn_pad_planes` writes these buffers (the
  /// kernels read them), inside the images once the zeros are there, and storage a tensor grows
  /// into starts at 0; so a buffer's zeros are written once, not at every step (where they cost
  /// a store per float, the images' floats twice).
  struct PaddedZeros {
    private var columns = 0, samples = 0

    /// Whether `samples` samples of `columns` floats are known to hold their zeros; after the
    /// call they are (the caller writes them when the answer is no).
    mutating func kept(columns: Int, samples: Int) -> Bool {
      if columns == self.columns && samples <= self.samples { return true }
      self.samples = columns == self.columns ? max(samples, self.samples) : samples
      self.columns = columns
      return false
    }
  }

  /// Whether the direct path's weight gradient runs with the filters in the vector lanes
  /// (conv_filters.h, AVX-512 and AVX2) for this kernel size, rather than conv.h's kernel with
  /// output positions in the lanes.
  static func weightGradientHasFiltersInLanes(kernel: Int) -> Bool { dnn_conv_filters_suits(kernel) != 0 }

  /// Whether the C kernels' multiply-adds are fused (one rounding; not on SSE), for references
  /// that add in their order.
  static var kernelsFuseMultiplyAdd: Bool { dnn_fuses_multiply_add() != 0 }

  func directForward(_ x: Tensor, _ d: Direct) -> Tensor {
    let batch = x.rows, k = kernel
    padded.resize(rows: batch, columns: d.inputPlanes)
    dnn_pad_planes(
      x.pointer, input.features, batch, input.channels, input.height, input.width, padded.pointer, d.inputRows,
      d.inputStride, padding, paddedZeros.kept(columns: d.inputPlanes, samples: batch) ? 1 : 0)
    pack(flipped: false)
    result.resize(rows: batch, columns: output.features)
    dnn_conv_rows(
      padded.pointer, d.inputPlanes, input.channels, d.inputRows, d.inputStride, packed.pointer, output.channels, k,
      bias.value.pointer, result.pointer, output.features, output.height, output.width, batch)
    return result
  }

  func directBackward(_ outputGradient: Tensor, _ d: Direct) -> Tensor {
    let batch = outputGradient.rows, positions = output.plane, filters = output.channels
    precondition(padded.rows == batch && padded.columns == d.inputPlanes, "Conv2D.backward before forward")
    // db += Σ over samples and positions of dY (each half's, while they are kept apart).
    let dy = outputGradient.pointer, halves = BatchHalves(samples: batch, split: halvesSplit)
    halves.addSums(to: bias, scratch: secondHalfSums) { samples, db in
      for f in 0..<filters {
        var sum: Float = 0
        for s in samples { sum += Kernels.sum(dy + s * output.features + f * positions, count: positions) }
        db[f] += sum
      }
    }
    let filtersInLanes = Conv2D.weightGradientHasFiltersInLanes(kernel: kernel)
    // dY in padded planes, for conv.h's weight gradient and the input gradient.
    if !filtersInLanes || computesInputGradient {
      paddedGradient.resize(rows: batch, columns: d.gradientPlanes)
      dnn_pad_planes(
        dy, output.features, batch, filters, output.height, output.width, paddedGradient.pointer, d.gradientRows,
        d.gradientStride, d.gradientPad,
        paddedGradientZeros.kept(columns: d.gradientPlanes, samples: batch) ? 1 : 0)
    }
    if filtersInLanes {
      // dW with the filters in the vector lanes (conv_filters.h), from dY laid out filters-last.
      filtersLast.resize(rows: batch, columns: positions * dnn_filters_padded(filters))
      dnn_filters_last(dy, output.features, batch, filters, positions, filtersLast.pointer)
      halves.addSums(to: weight, scratch: secondHalfSums) { samples, dw in
        dnn_conv_weight_gradient_filters(
          padded.pointer + samples.lowerBound * d.inputPlanes, d.inputPlanes, input.channels, d.inputRows, d.inputStride,
          filtersLast.pointer + samples.lowerBound * filtersLast.columns, filters, kernel, output.height, output.width,
          samples.count, dw)
      }
    } else {
      halves.addSums(to: weight, scratch: secondHalfSums) { samples, dw in
        dnn_conv_weight_gradient(
          padded.pointer + samples.lowerBound * d.inputPlanes, d.inputPlanes, input.channels, d.inputRows, d.inputStride,
          paddedGradient.pointer + samples.lowerBound * d.gradientPlanes, d.gradientPlanes, filters, d.gradientRows,
          d.gradientStride, d.gradientPad, kernel, output.height, output.width, samples.count, dw)
      }
    }
    guard computesInputGradient else {
      inputGradient.resize(rows: 0, columns: 0)
      return inputGradient
    }
    pack(flipped: true)
    inputGradient.resize(rows: batch, columns: input.features)
    dnn_conv_rows(
      paddedGradient.pointer, d.gradientPlanes, filters, d.gradientRows, d.gradientStride, packed.pointer, input.channels,
      kernel, nil, inputGradient.pointer, input.features, input.height, input.width, batch)
    return inputGradient
  }

  /// The weights in dnn_conv_pack's layout, for the forward pass or (flipped) the input gradient.
  private func pack(flipped: Bool) {
    let block = dnn_conv_filter_block(), outs = flipped ? input.channels : output.channels
    let ins = flipped ? output.channels : input.channels
    packed.resize(rows: 1, columns: (outs + block - 1) / block * block * ins * kernel * kernel)
    dnn_conv_pack(weight.value.pointer, output.channels, input.channels, kernel, flipped ? 1 : 0, packed.pointer)
  }
}
