/// A 2-D convolution (`Conv2d` in PyTorch, cross-correlation), over a batch of images stored
/// channel-major in rows: input `[B, C·H·W]`, output `[B, F·H'·W']`, with
/// `H' = (H + 2p − k) / s + 1` (and the same for W'), `F` filters of `C×k×k` weights.
///
/// Forward, through im2col: the `K = C·k·k` input values under each output position of every
/// sample become one column of `cols` `[K, B·P]` (`P = H'·W'`; padding reads zeros), and
///
///     Y = W · cols + b                      W: [F, K] (PyTorch's [F, C, k, k] flattened)
///                                           Y: [F, B·P], then reordered to [B, F·P]
///
/// Backward, from `dY` reordered to `[F, B·P]`:
///
///     dW    += dY · colsᵀ                   [F, K]
///     db    += Σ_{B·P} dY                   [1, F]
///     dcols  = Wᵀ · dY                      [K, B·P]
///     dX     = col2im(dcols)                [B, C·H·W]  (each column's values added back
///                                                        to the pixels it was read from)
///
/// One product per batch each way (wider and faster here than one per sample).
///
/// With stride 1, padding below the kernel size and kernels up to 7x7 (every convolution of the
/// shipped configurations), the layer skips the columns and computes the same sums directly on
/// zero-padded planes (`Direct`, the CCPU kernels in conv.h): an output row a vector register
/// at a time, a block of filters at once; the weight gradient the same way, and the input
/// gradient as a forward convolution of the padded `dY` with the kernels turned by 180 degrees
/// and filters and channels swapped:
///
///     dX[c, y, x] = Σ_{f,i,j} W[f, c, k−1−i, k−1−j] · dYpad[f, y+i, x+j]    (pad k−1−p)
public final class Conv2D: Layer {
  public let kind = LayerKind.conv2d
  public let input: ImageShape
  public let output: ImageShape
  public let kernel: Int
  public let stride: Int
  public let padding: Int
  /// `[F, C·k·k]`.
  public let weight: Parameter
  /// `[1, F]`.
  public let bias: Parameter
  public let initializer: Initializer
  /// When false, `backward` skips `dX` (the first layer's input gradient is never used).
  public var computesInputGradient = true
  public func prepareForGradientCheck() { computesInputGradient = true }
  public func skipInputGradient() { computesInputGradient = false }
  public var readsImages: Bool { true }
  /// The direct kernels' geometry, or nil for im2col (set to nil by tests to compare the two).
  var direct: Direct?

  public var inputFeatures: Int { input.features }
  public var outputFeatures: Int { output.features }

  /// `[K, B·P]` for the last forward batch.
  private let cols = Tensor(rows: 0, columns: 0)
  /// `[F, B·P]`: the product before reordering, and `dY` reordered for backward.
  private let planes = Tensor(rows: 0, columns: 0)
  let result = Tensor(rows: 0, columns: 0)
  private let columnGradient = Tensor(rows: 0, columns: 0)
  let inputGradient = Tensor(rows: 0, columns: 0)
  /// The direct kernels' buffers: the forward input in padded planes (kept for the weight
  /// gradient), `dY` in padded planes, the weights packed for a forward or input-gradient pass.
  let padded = Tensor(rows: 0, columns: 0)
  let paddedGradient = Tensor(rows: 0, columns: 0)
  /// Which samples of `padded` and `paddedGradient` hold their zeros.
  var paddedZeros = PaddedZeros(), paddedGradientZeros = PaddedZeros()
  /// `dY` with the filters last (`dnn_filters_last`), where the weight gradient reads it so.
  let filtersLast = Tensor(rows: 0, columns: 0)
  let packed = Tensor(rows: 0, columns: 0)
  /// Where the second half of the batch starts while one pass keeps the halves apart
  /// (`keepHalvesApart`), else nil; and the second half's sums for a parameter's gradient then.
  var halvesSplit: Int?
  let secondHalfSums = Tensor(rows: 0, columns: 0)

  /// The output shape of a `kernel`×`kernel` convolution with `filters` filters on `input`, or
  /// nil when the kernel does not fit the padded input.
  public static func outputShape(_ input: ImageShape, filters: Int, kernel: Int, stride: Int, padding: Int) -> ImageShape? {
    let h = input.height + 2 * padding - kernel, w = input.width + 2 * padding - kernel
    guard h >= 0, w >= 0, stride > 0 else { return nil }
    return ImageShape(channels: filters, height: h / stride + 1, width: w / stride + 1)
  }

  public init(
    input: ImageShape, filters: Int, kernel: Int, stride: Int = 1, padding: Int = 0, initializer: Initializer = .he,
    generator: inout SplitMix64
  ) {
    guard let output = Conv2D.outputShape(input, filters: filters, kernel: kernel, stride: stride, padding: padding) else {
      preconditionFailure("Conv2D: a \(kernel)x\(kernel) kernel does not fit \(input.text) with padding \(padding)")
    }
    self.input = input
    self.output = output
    self.kernel = kernel
    self.stride = stride
    self.padding = padding
    self.initializer = initializer
    let fanIn = input.channels * kernel * kernel
    weight = Parameter(name: "weight", rows: filters, columns: fanIn, shape: [filters, input.channels, kernel, kernel])
    bias = Parameter(name: "bias", rows: 1, columns: filters, isVector: true)
    initializer.fill(weight.value, fanIn: fanIn, fanOut: filters * kernel * kernel, generator: &generator)
    direct = Direct(input: input, output: output, kernel: kernel, stride: stride, padding: padding)
  }

  private init(sharingWeightsOf other: Conv2D) {
    input = other.input
    output = other.output
    kernel = other.kernel
    stride = other.stride
    padding = other.padding
    initializer = other.initializer
    computesInputGradient = other.computesInputGradient
    direct = other.direct
    weight = Parameter(sharingValueWith: other.weight)
    bias = Parameter(sharingValueWith: other.bias)
  }

  public func replica() -> Layer? { Conv2D(sharingWeightsOf: self) }
  /// On the direct kernels, its samples meet only in its weight and bias gradients, which it
  /// sums half by half (`directBackward`); im2col's products run over the batch's columns.
  public var passesBothHalves: Bool { direct != nil }
  public func keepHalvesApart(at split: Int?) { halvesSplit = split }

  public var summary: String {
    "Conv2D(\(input.channels) -> \(output.channels), \(kernel)x\(kernel)"
      + (stride == 1 ? "" : ", stride \(stride)") + (padding == 0 ? "" : ", padding \(padding)") + ", \(initializer.name))"
  }
  public var parameters: [Parameter] { [weight, bias] }
  public var outputShape: ImageShape? { output }
  /// The padded input and output-gradient planes (direct), or im2col's columns: k² values per
  /// input channel and output position.
  public var workspacePerSample: Int {
    guard let direct else { return input.channels * kernel * kernel * output.plane }
    return max(direct.inputPlanes, direct.gradientPlanes)
  }

  public func forward(_ x: Tensor, phase: Phase) -> Tensor {
    precondition(x.columns == input.features, "Conv2D expects \(input.text) = \(input.features) features, got \(x)")
    if let direct { return directForward(x, direct) }
    let batch = x.rows, positions = output.plane, filters = output.channels
    cols.resize(rows: input.channels * kernel * kernel, columns: batch * positions)
    im2col(x, batch: batch)
    planes.resize(rows: filters, columns: batch * positions)
    GEMM.multiply(weight.value, cols, into: planes)
    // [F, B·P] -> [B, F·P], adding the bias.
    result.resize(rows: batch, columns: output.features)
    let source = planes.pointer, target = result.pointer, b = bias.value.pointer
    for f in 0..<filters {
      let value = b[f]
      for s in 0..<batch {
        let from = source + f * batch * positions + s * positions, to = target + s * output.features + f * positions
        for p in 0..<positions { to[p] = from[p] + value }
      }
    }
    return result
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    if let direct { return directBackward(outputGradient, direct) }
    let batch = outputGradient.rows, positions = output.plane, filters = output.channels
    precondition(cols.columns == batch * positions, "Conv2D.backward before forward")
    // dY [B, F·P] -> [F, B·P]; db += its row sums.
    planes.resize(rows: filters, columns: batch * positions)
    let source = outputGradient.pointer, target = planes.pointer, db = bias.gradient.pointer
    for f in 0..<filters {
      var sum: Float = 0
      for s in 0..<batch {
        let from = source + s * output.features + f * positions, to = target + f * batch * positions + s * positions
        for p in 0..<positions {
          to[p] = from[p]
          sum += from[p]
        }
      }
      db[f] += sum
    }
    // dW += dY · colsᵀ
    GEMM.multiply(planes, cols, transposeB: true, into: weight.gradient, beta: 1)
    guard computesInputGradient else {
      inputGradient.resize(rows: 0, columns: 0)
      return inputGradient
    }
    // dcols = Wᵀ · dY, then dX = col2im(dcols), a few samples at a time: each block of dcols
    // stays in the core's cache between its product and col2im (the whole [K, B·P] was 10 MB for
    // the second convolution of cnn.json, written, read back and added from memory).
    inputGradient.resize(rows: batch, columns: input.features)
    inputGradient.fill(0)
    let k = cols.rows, block = Self.samplesPerBlock(columns: k * positions)
    columnGradient.resize(rows: k, columns: min(block, batch) * positions)
    var first = 0
    while first < batch {
      let samples = first..<min(first + block, batch)
      let width = samples.count * positions
      GEMM.multiply(
        m: k, n: width, k: filters, weight.value.pointer, lda: k, transposeA: true, planes.pointer + first * positions,
        ldb: batch * positions, into: columnGradient.pointer, ldc: width)
      col2im(columnGradient.pointer, columns: width, samples: samples, into: inputGradient)
      first = samples.upperBound
    }
    return inputGradient
  }

  /// Samples per block of the input-gradient pass: as many as keep a block of dcols within
  /// about 256 KB (a core's L2 holds it with room to spare), at least one.
  static func samplesPerBlock(columns perSample: Int) -> Int { max(1, (64 * 1024) / max(perSample, 1)) }

  /// For row `(c, i, j)` of `cols` and output row `oy` of a sample: the input row read (or nil
  /// in the padding) and the output columns `ox` whose input column `ox·s − p + j` is inside.
  @inline(__always)
  private func columns(j: Int) -> Range<Int> {
    // ox·s − p + j ∈ [0, W)  ⇔  ox ∈ [ceil((p − j) / s), floor((W − 1 + p − j) / s)]
    let low = max(0, (padding - j + stride - 1) / stride)
    let highNumerator = input.width - 1 + padding - j
    let high = highNumerator < 0 ? -1 : min(output.width - 1, highNumerator / stride)
    return low..<max(low, high + 1)
  }

  /// Fills `cols` from `x`: zeros where the window hangs over the padding.
  private func im2col(_ x: Tensor, batch: Int) {
    let k = kernel, positions = output.plane, stride = self.stride, padding = self.padding
    let total = batch * positions
    let source = x.pointer, target = cols.pointer
    for c in 0..<input.channels {
      for i in 0..<k {
        for j in 0..<k {
          let row = target + ((c * k + i) * k + j) * total
          let inside = columns(j: j)
          for s in 0..<batch {
            let image = source + s * input.features + c * input.plane
            for oy in 0..<output.height {
              let out = row + s * positions + oy * output.width
              let y = oy * stride - padding + i
              guard y >= 0 && y < input.height else {
                Kernels.zeroRow(out, count: output.width)
                continue
              }
              let line = image + y * input.width
              if inside.lowerBound > 0 { Kernels.zeroRow(out, count: inside.lowerBound) }
              if inside.upperBound < output.width { Kernels.zeroRow(out + inside.upperBound, count: output.width - inside.upperBound) }
              if stride == 1 {
                if !inside.isEmpty { Kernels.copyRow(line + inside.lowerBound - padding + j, into: out + inside.lowerBound, count: inside.count) }
              } else {
                for ox in inside { out[ox] = line[ox * stride - padding + j] }
              }
            }
          }
        }
      }
    }
  }

  /// Adds every value of a block of dcols (`source`, `[K, total]`: the columns of `samples`) to
  /// the input pixel its column read (the transpose of `im2col`).
  private func col2im(_ source: UnsafePointer<Float>, columns total: Int, samples: Range<Int>, into dx: Tensor) {
    let k = kernel, positions = output.plane, stride = self.stride, padding = self.padding
    let target = dx.pointer
    for c in 0..<input.channels {
      for i in 0..<k {
        for j in 0..<k {
          let row = source + ((c * k + i) * k + j) * total
          let inside = columns(j: j)
          for s in samples {
            let image = target + s * input.features + c * input.plane
            for oy in 0..<output.height {
              let y = oy * stride - padding + i
              guard y >= 0 && y < input.height else { continue }
              let from = row + (s - samples.lowerBound) * positions + oy * output.width, line = image + y * input.width
              if stride == 1 {
                if !inside.isEmpty { Kernels.addRow(from + inside.lowerBound, into: line + inside.lowerBound - padding + j, count: inside.count) }
              } else {
                for ox in inside { line[ox * stride - padding + j] += from[ox] }
              }
            }
          }
        }
      }
    }
  }
}

extension Conv2D {
  /// The equations the layers view (`e`) shows, this model's shapes filled in: the doc
  /// comment's, in the order the code runs them.
  static func equations(_ c: EquationContext, channels: Int, kernel: Int, stride: Int, padding: Int) -> [EquationLine] {
    let (b, n, m) = (c.batch, c.inputFeatures, c.outputFeatures)
    let inChannels = c.input.image?.channels ?? 1, k = inChannels * kernel * kernel
    let p = c.output.image.map { $0.height * $0.width } ?? 1
    if Conv2D.usesDirectKernels(kernel: kernel, stride: stride, padding: padding) {
      let q = kernel - 1 - padding
      return [
        EquationLine(label: "direct", text: "zero-padded planes (padding \(padding)), no im2col columns"),
        EquationLine(label: "forward", text: "Y[f,y,x] = b[f] + Σ W[f,c,i,j] Xpad[c,y+i,x+j]   W \(c.shape(channels, inChannels, kernel, kernel)), \(c.shape(b, n)) → \(c.shape(b, m))"),
        EquationLine(label: "backward", text: "dW[f,c,i,j] = Σ_{s,y,x} dY[s,f,y,x] Xpad[s,c,y+i,x+j],   db \(c.shape(channels)) = Σ dY"),
        EquationLine(label: "", text: "dX \(c.shape(b, n)) = the same convolution of dY padded by \(q), W turned 180 degrees, f and c swapped"),
      ]
    }
    return [
      EquationLine(label: "im2col", text: "cols \(c.shape(k, b * p)): the \(inChannels)×\(kernel)×\(kernel) inputs under each of the B·\(p) positions (stride \(stride), padding \(padding))"),
      EquationLine(label: "forward", text: "Y \(c.shape(channels, b * p)) = W \(c.shape(channels, k)) · cols \(c.shape(k, b * p)) + b \(c.shape(channels))"),
      EquationLine(label: "backward", text: "dW \(c.shape(channels, k)) = dY \(c.shape(channels, b * p)) · colsᵀ \(c.shape(b * p, k))"),
      EquationLine(label: "", text: "db \(c.shape(channels)) = Σ dY,   dcols \(c.shape(k, b * p)) = Wᵀ · dY,   dX \(c.shape(b, n)) = col2im(dcols)"),
    ]
  }
}
