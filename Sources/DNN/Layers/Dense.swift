import CCPU

/// A fully connected layer, `Linear` in PyTorch.
///
/// Forward, for a batch `X` `[B, in]`, weights `W` `[out, in]` (PyTorch's layout) and bias `b`
/// `[1, out]`:
///
///     Z = X · Wᵀ + b                                   Z: [B, out]
///
/// Backward, from `dZ = ∂J/∂Z` `[B, out]` (the original's `dA = Wᵀ · dZ`, batch-major):
///
///     dW += dZᵀ · X                                    [out, in]
///     db += Σ_batch dZ                                 [1, out]
///     dX  = dZ · W                                     [B, in]
///
/// The loss is a batch mean, so the 1/B factor is already inside `dZ` (the "1/m term" the
/// original wondered about lives in the loss gradient, once).
public final class Dense: Layer {
  public let kind = LayerKind.dense
  public let inputFeatures: Int
  public let outputFeatures: Int
  /// `[out, in]`.
  public let weight: Parameter
  /// `[1, out]`.
  public let bias: Parameter
  /// How the weights were drawn, for the summary.
  public let initializer: Initializer
  /// When false, `backward` skips `dX` and returns an empty tensor (the first layer's input
  /// gradient is never used).
  public var computesInputGradient = true
  public func prepareForGradientCheck() { computesInputGradient = true }
  public func skipInputGradient() { computesInputGradient = false }
  public var flattensImages: Bool { true }
  /// When true, `backward` leaves the weight gradient to `addWeightGradient(elements:scale:into:)`
  /// and keeps `dZ` for it: the split step (`DataParallelStep`) then has each core compute its
  /// own rows of `dW` from both halves of the batch, the rows it goes on to update, instead of
  /// each half computing the whole `dW` for its rows of the batch and the two being added.
  var defersWeightGradient = false

  private var input: Tensor?
  /// `dZ` of the last backward, while `defersWeightGradient`.
  private var deferredOutputGradient: Tensor?
  private let output = Tensor(rows: 0, columns: 0)
  private let transposedOutput = Tensor(rows: 0, columns: 0)
  /// Xᵀ, for the transposed forward's product.
  private let transposedInput = Tensor(rows: 0, columns: 0)
  private let inputGradient = Tensor(rows: 0, columns: 0)
  /// Where the second half of the batch starts while the halves are kept apart
  /// (`keepHalvesApart`), else nil.
  private var halvesSplit: Int?
  /// Row views for the products of one half: of an input (or input gradient), an output, and
  /// an output gradient.
  private let inputRows = Tensor(viewWithColumns: 0)
  private let outputRows = Tensor(viewWithColumns: 0)
  private let gradientRows = Tensor(viewWithColumns: 0)
  /// The second half's bias gradient, before it is added to the first's.
  private let secondHalfSums = Tensor(rows: 0, columns: 0)

  /// A layer mapping `inputFeatures` to `outputFeatures`, weights drawn by `initializer` from
  /// `generator`, bias zero.
  public init(
    inputFeatures: Int, outputFeatures: Int, initializer: Initializer = .he,
    generator: inout SplitMix64
  ) {
    precondition(inputFeatures > 0 && outputFeatures > 0, "Dense needs positive sizes")
    self.inputFeatures = inputFeatures
    self.outputFeatures = outputFeatures
    self.initializer = initializer
    weight = Parameter(name: "weight", rows: outputFeatures, columns: inputFeatures)
    bias = Parameter(name: "bias", rows: 1, columns: outputFeatures, isVector: true)
    initializer.fill(weight.value, fanIn: inputFeatures, fanOut: outputFeatures, generator: &generator)
  }

  /// A replica sharing `other`'s weights (see `Layer.replica()`).
  private init(sharingWeightsOf other: Dense) {
    inputFeatures = other.inputFeatures
    outputFeatures = other.outputFeatures
    initializer = other.initializer
    computesInputGradient = other.computesInputGradient
    weight = Parameter(sharingValueWith: other.weight)
    bias = Parameter(sharingValueWith: other.bias)
  }

  public func replica() -> Layer? { Dense(sharingWeightsOf: self) }
  /// It sums over rows only in its weight and bias gradients, which it sums half by half.
  public var passesBothHalves: Bool { true }
  public func keepHalvesApart(at split: Int?) { halvesSplit = split }

  public var summary: String { "Dense(\(inputFeatures) -> \(outputFeatures), \(initializer.name))" }
  public var parameters: [Parameter] { [weight, bias] }

  public func forward(_ input: Tensor, phase: Phase) -> Tensor {
    precondition(input.columns == inputFeatures, "Dense expects \(inputFeatures) features, got \(input)")
    self.input = input
    output.resize(rows: input.rows, columns: outputFeatures)
    BatchHalves(samples: input.rows, split: halvesSplit).forEach { rows in
      inputRows.view(rows: rows, of: input)
      outputRows.view(rows: rows, of: output)
      forward(inputRows, into: outputRows)
    }
    return output
  }

  /// Z = X · Wᵀ + b for `input` into `output`, sized for it.
  private func forward(_ input: Tensor, into output: Tensor) {
    let batch = input.rows
    let z = output.pointer, b = bias.value.pointer
    if Self.computesTransposed(batch: batch, outputs: outputFeatures) {
      // Zᵀ = W · Xᵀ, then Z = (Zᵀ)ᵀ + b.
      transposedOutput.resize(rows: outputFeatures, columns: batch)
      if Self.usesOwnForwardKernel(batch: batch) {
        transposedInput.resize(rows: inputFeatures, columns: batch)
        dnn_dense_forward(
          weight.value.pointer, outputFeatures, inputFeatures, input.pointer, batch, transposedInput.pointer,
          transposedOutput.pointer)
      } else {
        GEMM.multiply(weight.value, input, transposeB: true, into: transposedOutput)
      }
      dnn_transpose_add_bias(transposedOutput.pointer, outputFeatures, batch, b, z)
      return
    }
    // Z = b (broadcast), then Z += X · Wᵀ in the same sgemm (beta = 1).
    for r in 0..<batch { (z + r * outputFeatures).update(from: b, count: outputFeatures) }
    GEMM.multiply(input, weight.value, transposeB: true, into: output, beta: 1)
  }

  /// Whether the forward product is computed as `Zᵀ = W · Xᵀ` and transposed back: for a batch
  /// smaller than the layer's outputs (32 samples into 512 outputs, each half of mnist-best's
  /// batch), OpenBLAS packs W much faster in that role (`X · Wᵀ` reads it across its rows):
  /// 238 instead of 314 µs for [32, 784] into 512 outputs on one core, 10% at 64 samples into
  /// 256; the same at 1,000 samples, slower at 10 outputs (benchmarks/gemm_layout.c).
  static func computesTransposed(batch: Int, outputs: Int) -> Bool { batch < outputs }

  /// Whether a batch of this size (below the outputs) takes our own forward kernel,
  /// `dnn_dense_forward` (see `dnn_dense_forward_suits`).
  static func usesOwnForwardKernel(batch: Int) -> Bool { dnn_dense_forward_suits(batch) != 0 }

  /// Whether the split step defers the weight gradient (`defersWeightGradient`) for halves of
  /// this size: more than one vector register and at most two (17-32 samples with AVX-512,
  /// 9-16 with AVX2), the sizes it was measured faster at (mnist-best's halves of 32); the seed
  /// scan's 16 and the reference MLP's 64 were slower with it.
  static func defersInSplitStep(halfBatch: Int) -> Bool {
    let lanes = dnn_dense_lanes()
    return halfBatch > lanes && halfBatch <= 2 * lanes
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    guard let input else { preconditionFailure("Dense.backward before forward") }
    let batch = outputGradient.rows, halves = BatchHalves(samples: batch, split: halvesSplit)
    if halves.second != nil {
      addParameterGradients(outputGradient, input: input, halves: halves)
    } else {
      if defersWeightGradient {
        deferredOutputGradient = outputGradient
      } else {
        deferredOutputGradient = nil
        // dW += dZᵀ · X
        GEMM.multiply(outputGradient, transposeA: true, input, into: weight.gradient, beta: 1)
      }
      // db += column sums of dZ
      Kernels.addColumnSums(outputGradient.pointer, rows: batch, columns: outputFeatures, into: bias.gradient.pointer)
    }
    // The first layer's input gradient is never used: none is computed, and an empty tensor
    // says so (rather than last step's values).
    guard computesInputGradient else {
      inputGradient.resize(rows: 0, columns: 0)
      return inputGradient
    }
    inputGradient.resize(rows: batch, columns: inputFeatures)
    // dX = dZ · W
    halves.forEach { rows in
      gradientRows.view(rows: rows, of: outputGradient)
      inputRows.view(rows: rows, of: inputGradient)
      GEMM.multiply(gradientRows, weight.value, into: inputRows)
    }
    return inputGradient
  }

  /// dW and db while the halves are kept apart: each half's sums over its rows, then the two
  /// added (`BatchHalves.addSums`), the bits of the halves' own passes and their combine. The
  /// second half's weight-gradient product adds onto the first's in dW itself, which gives the
  /// same bits while OpenBLAS sums each half's rows in one block (`DataParallelStep.togetherRows`).
  /// A deferred weight gradient (`defersWeightGradient`) is left to `addWeightGradient`, half by half.
  private func addParameterGradients(_ outputGradient: Tensor, input: Tensor, halves: BatchHalves) {
    deferredOutputGradient = defersWeightGradient ? outputGradient : nil
    if !defersWeightGradient {
      halves.forEach { rows in
        gradientRows.view(rows: rows, of: outputGradient)
        inputRows.view(rows: rows, of: input)
        GEMM.multiply(gradientRows, transposeA: true, inputRows, into: weight.gradient, beta: 1)
      }
    }
    halves.addSums(to: bias, scratch: secondHalfSums) { rows, db in
      Kernels.addColumnSums(outputGradient.pointer + rows.lowerBound * outputFeatures, rows: rows.count, columns: outputFeatures, into: db)
    }
  }

  /// The deferred part of the last `backward` (see `defersWeightGradient`): adds
  /// `scale · (dZᵀ · X)` to the elements `elements` of `gradient`, row-major `[out, in]` storage
  /// like `weight.gradient`'s, from the batch's rows `rows` (all when nil). Whole rows in one
  /// product; a range that starts or ends inside a row gets a one-row product for that part.
  /// Touches no other element, so two threads can fill two ranges of one gradient at once.
  func addWeightGradient(
    elements: Range<Int>, scale: Float, rows batchRows: Range<Int>? = nil, into gradient: UnsafeMutablePointer<Float>
  ) {
    guard let input, let dZ = deferredOutputGradient else {
      preconditionFailure("Dense.addWeightGradient without a deferred backward")
    }
    precondition(elements.upperBound <= weight.gradient.count, "Dense.addWeightGradient: \(elements) out of range")
    let samples = batchRows ?? 0..<dZ.rows
    if samples.isEmpty { return }
    let dz = dZ.pointer + samples.lowerBound * outputFeatures, x = input.pointer + samples.lowerBound * inputFeatures
    let n = inputFeatures
    var e = elements.lowerBound
    while e < elements.upperBound {
      let row = e / n, column = e % n, left = elements.upperBound - e
      let (rows, columns) = column == 0 && left >= n ? (left / n, n) : (1, min(n - column, left))
      // gradient[rows, columns] += scale · dZ[:, rows]ᵀ · X[:, columns]
      GEMM.multiply(
        m: rows, n: columns, k: samples.count, dz + row, lda: outputFeatures, transposeA: true,
        x + column, ldb: n, into: gradient + e, ldc: n, alpha: scale, beta: 1)
      e += rows * columns
    }
  }
}

extension Dense {
  /// The equations the layers view (`e`) shows, this model's shapes filled in: the doc
  /// comment's, in the order the code runs them.
  static func equations(_ c: EquationContext) -> [EquationLine] {
    let (b, n, m) = (c.batch, c.inputFeatures, c.outputFeatures)
    return [
      EquationLine(label: "forward", text: "Z \(c.shape(b, m)) = X \(c.shape(b, n)) · Wᵀ \(c.shape(n, m)) + b \(c.shape(m))"),
      EquationLine(label: "backward", text: "dW \(c.shape(m, n)) = dZᵀ \(c.shape(m, b)) · X \(c.shape(b, n))"),
      EquationLine(label: "", text: "db \(c.shape(m)) = Σ_batch dZ \(c.shape(b, m))"),
      EquationLine(label: "", text: "dX \(c.shape(b, n)) = dZ \(c.shape(b, m)) · W \(c.shape(m, n))"),
    ]
  }
}
