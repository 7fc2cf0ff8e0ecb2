import CCPU
import Foundation

/// Multi-head self-attention over the tokens of each sample (Vaswani et al. 2017).
///
/// The input `[B, T·F]` is read as `T` tokens of `F` features (for MNIST: 28 image rows of 28
/// pixels), that is a matrix X `[B·T, F]`. With model width D, H heads of width d = D/H:
///
///     Q = X Wqᵀ + bq,  K = X Wkᵀ + bk,  V = X Wvᵀ + bv               [B·T, D]
///     per sample and head h:  S = Q_h K_hᵀ / √d                     [T, T]
///                             P = softmax_rows(S),  O_h = P V_h      [T, d]
///     Y = O Woᵀ + bo                                                 [B·T, D] = output [B, T·D]
///
/// Backward, from dY:
///
///     dWo += dYᵀ O,  dbo += Σ dY,  dO = dY Wo
///     per sample and head:  dP = dO_h V_hᵀ,  dV_h = Pᵀ dO_h
///                           dS = P ⊙ (dP - rowsum(dP ⊙ P))
///                           dQ_h = dS K_h / √d,  dK_h = dSᵀ Q_h / √d
///     dW• += d•ᵀ X,  db• += Σ d•,  dX = dQ Wq + dK Wk + dV Wv        (• = Q, K, V)
///
/// The projections are products over the whole batch (OpenBLAS); the per-sample, per-head ones
/// are small (`[28, 16]` by `[16, 28]` for attention.json) and go through `dnn_small_gemm`
/// (CCPU, small_gemm.h), a row of the result in vector registers, rather than six library calls
/// per sample and head.
public final class Attention: Layer {
  public let kind = LayerKind.attention
  public var flattensImages: Bool { true }
  public let tokens: Int
  public let heads: Int
  /// Model width D (all heads together).
  public let dim: Int
  /// Features per token F.
  public let tokenFeatures: Int
  public var inputFeatures: Int { tokens * tokenFeatures }
  public var outputFeatures: Int { tokens * dim }
  public var summary: String { "Attention(\(tokens) tokens x \(tokenFeatures) -> \(dim), \(heads) heads)" }

  public let query: Parameter, queryBias: Parameter
  public let key: Parameter, keyBias: Parameter
  public let value: Parameter, valueBias: Parameter
  public let out: Parameter, outBias: Parameter

  private var input: Tensor?  // X [B, T·F], read as [B·T, F]
  private let q = Tensor(rows: 0, columns: 0)  // Q [B·T, D]
  private let k = Tensor(rows: 0, columns: 0)  // K [B·T, D]
  private let v = Tensor(rows: 0, columns: 0)  // V [B·T, D]
  private let probabilities = Tensor(rows: 0, columns: 0)  // P [B·H·T, T]: one [T, T] per sample and head
  private let attended = Tensor(rows: 0, columns: 0)  // O [B·T, D]
  private let output = Tensor(rows: 0, columns: 0)  // Y [B·T, D], returned as [B, T·D]
  private let dO = Tensor(rows: 0, columns: 0)  // dO [B·T, D]
  private let dQ = Tensor(rows: 0, columns: 0)  // dQ [B·T, D]
  private let dK = Tensor(rows: 0, columns: 0)  // dK [B·T, D]
  private let dV = Tensor(rows: 0, columns: 0)  // dV [B·T, D]
  private let dP = Tensor(rows: 0, columns: 0)  // dP, then dS in place: one [T, T] scratch
  private let scratch = Tensor(rows: 0, columns: 0)  // K_hᵀ or V_hᵀ [d, T] for dnn_small_gemm
  private let inputGradient = Tensor(rows: 0, columns: 0)  // dX [B·T, F], returned as [B, T·F]
  /// Where the second half of the batch starts while one pass keeps the halves apart
  /// (`keepHalvesApart`), else nil; and the second half's sums for a parameter's gradient then.
  private var halvesSplit: Int?
  private let secondHalfSums = Tensor(rows: 0, columns: 0)

  /// Self-attention over `tokens` tokens of `inputFeatures / tokens` features each.
  public init(
    inputFeatures: Int, tokens: Int, heads: Int, dim: Int, initializer: Initializer = .glorotUniform,
    generator: inout SplitMix64
  ) {
    precondition(tokens > 0 && inputFeatures % tokens == 0, "Attention tokens \(tokens) must divide \(inputFeatures) features")
    precondition(heads > 0 && dim % heads == 0, "Attention dim \(dim) must be a multiple of heads \(heads)")
    self.tokens = tokens
    self.heads = heads
    self.dim = dim
    tokenFeatures = inputFeatures / tokens
    func projection(_ name: String, _ inFeatures: Int, _ g: inout SplitMix64) -> (Parameter, Parameter) {
      let w = Parameter(name: "\(name).weight", rows: dim, columns: inFeatures)
      initializer.fill(w.value, fanIn: inFeatures, fanOut: dim, generator: &g)
      return (w, Parameter(name: "\(name).bias", rows: 1, columns: dim, isVector: true))
    }
    (query, queryBias) = projection("query", tokenFeatures, &generator)
    (key, keyBias) = projection("key", tokenFeatures, &generator)
    (value, valueBias) = projection("value", tokenFeatures, &generator)
    (out, outBias) = projection("out", dim, &generator)
  }

  /// A replica sharing `other`'s weights (see `Layer.replica()`): attention mixes the tokens
  /// of one sample, never two samples, so halves of a batch can run on two replicas.
  private init(sharingWeightsOf other: Attention) {
    tokens = other.tokens
    heads = other.heads
    dim = other.dim
    tokenFeatures = other.tokenFeatures
    (query, queryBias) = (Parameter(sharingValueWith: other.query), Parameter(sharingValueWith: other.queryBias))
    (key, keyBias) = (Parameter(sharingValueWith: other.key), Parameter(sharingValueWith: other.keyBias))
    (value, valueBias) = (Parameter(sharingValueWith: other.value), Parameter(sharingValueWith: other.valueBias))
    (out, outBias) = (Parameter(sharingValueWith: other.out), Parameter(sharingValueWith: other.outBias))
  }

  public func replica() -> Layer? { Attention(sharingWeightsOf: self) }

  public var parameters: [Parameter] { [query, queryBias, key, keyBias, value, valueBias, out, outBias] }

  /// Its samples meet only in the projections' weight and bias gradients, which it sums half by
  /// half; its products over rows run half by half too, as the halves' own passes run them.
  public var passesBothHalves: Bool { true }
  public func keepHalvesApart(at split: Int?) { halvesSplit = split }

  private func halves(_ batch: Int) -> BatchHalves { BatchHalves(samples: batch, split: halvesSplit, rowsPerSample: tokens) }

  /// `y = x Wᵀ + b` for the token rows `rows` of `x` into the same rows of `y`.
  private func project(
    _ x: UnsafePointer<Float>, rows: Range<Int>, columns: Int, _ w: Parameter, _ b: Parameter, into y: UnsafeMutablePointer<Float>
  ) {
    let y = y + rows.lowerBound * dim
    for r in 0..<rows.count { (y + r * dim).update(from: b.value.pointer, count: dim) }
    GEMM.multiply(m: rows.count, n: dim, k: columns, x + rows.lowerBound * columns, lda: columns, w.value.pointer, ldb: columns,
                  transposeB: true, into: y, ldc: dim, beta: 1)
  }

  public func forward(_ input: Tensor, phase: Phase) -> Tensor {
    precondition(input.columns == inputFeatures, "Attention expects \(inputFeatures) features, got \(input)")
    self.input = input
    let batch = input.rows, t = tokens, d = dim / heads, rows = batch * tokens
    let scale = 1 / Float(d).squareRoot(), ranges = halves(batch)
    q.resize(rows: rows, columns: dim)
    k.resize(rows: rows, columns: dim)
    v.resize(rows: rows, columns: dim)
    ranges.forEach { r in
      project(input.pointer, rows: r, columns: tokenFeatures, query, queryBias, into: q.pointer)
      project(input.pointer, rows: r, columns: tokenFeatures, key, keyBias, into: k.pointer)
      project(input.pointer, rows: r, columns: tokenFeatures, value, valueBias, into: v.pointer)
    }
    probabilities.resize(rows: batch * heads * t, columns: t)
    attended.resize(rows: rows, columns: dim)
    scratch.resize(rows: d, columns: t)
    for b in 0..<batch {
      for h in 0..<heads {
        let offset = b * t * dim + h * d
        let p = probabilities.pointer + (b * heads + h) * t * t
        // S = Q_h K_hᵀ / √d
        dnn_small_gemm(t, t, d, scale, q.pointer + offset, dim, 0, k.pointer + offset, dim, 1, scratch.pointer, p, t)
        Softmax.rows(p, into: p, rows: t, columns: t)
        // O_h = P V_h
        dnn_small_gemm(t, d, t, 1, p, t, 0, v.pointer + offset, dim, 0, nil, attended.pointer + offset, dim)
      }
    }
    output.resize(rows: rows, columns: dim)
    ranges.forEach { r in project(attended.pointer, rows: r, columns: dim, out, outBias, into: output.pointer) }
    output.resize(rows: batch, columns: outputFeatures)
    return output
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    guard let input else { preconditionFailure("Attention.backward before forward") }
    let batch = outputGradient.rows, t = tokens, d = dim / heads, rows = batch * tokens
    let scale = 1 / Float(d).squareRoot(), ranges = halves(batch)
    let dY = outputGradient.pointer
    // Output projection.
    ranges.addSums(to: out, scratch: secondHalfSums) { r, dW in
      GEMM.multiply(m: dim, n: dim, k: r.count, dY + r.lowerBound * dim, lda: dim, transposeA: true,
                    attended.pointer + r.lowerBound * dim, ldb: dim, into: dW, ldc: dim, beta: 1)
    }
    ranges.addSums(to: outBias, scratch: secondHalfSums) { r, db in Kernels.addColumnSums(dY + r.lowerBound * dim, rows: r.count, columns: dim, into: db) }
    dO.resize(rows: rows, columns: dim)
    ranges.forEach { r in
      GEMM.multiply(m: r.count, n: dim, k: dim, dY + r.lowerBound * dim, lda: dim, out.value.pointer, ldb: dim,
                    into: dO.pointer + r.lowerBound * dim, ldc: dim)
    }
    // Attention heads.
    dQ.resize(rows: rows, columns: dim)
    dK.resize(rows: rows, columns: dim)
    dV.resize(rows: rows, columns: dim)
    dP.resize(rows: t, columns: t)
    scratch.resize(rows: d, columns: t)
    for b in 0..<batch {
      for h in 0..<heads {
        let offset = b * t * dim + h * d
        let p = probabilities.pointer + (b * heads + h) * t * t
        let dp = dP.pointer
        // dP = dO_h V_hᵀ ; dV_h = Pᵀ dO_h
        dnn_small_gemm(t, t, d, 1, dO.pointer + offset, dim, 0, v.pointer + offset, dim, 1, scratch.pointer, dp, t)
        dnn_small_gemm(t, d, t, 1, p, t, 1, dO.pointer + offset, dim, 0, nil, dV.pointer + offset, dim)
        // dS = P ⊙ (dP - rowsum(dP ⊙ P)), in place in dP
        Softmax.rowsBackward(p, dp, into: dp, rows: t, columns: t)
        // dQ_h = dS K_h / √d ; dK_h = dSᵀ Q_h / √d
        dnn_small_gemm(t, d, t, scale, dp, t, 0, k.pointer + offset, dim, 0, nil, dQ.pointer + offset, dim)
        dnn_small_gemm(t, d, t, scale, dp, t, 1, q.pointer + offset, dim, 0, nil, dK.pointer + offset, dim)
      }
    }
    // Input projections.
    let f = tokenFeatures
    inputGradient.resize(rows: rows, columns: f)
    func backProject(_ grad: Tensor, _ w: Parameter, _ bias: Parameter, accumulate: Bool) {
      let g = grad.pointer
      ranges.addSums(to: w, scratch: secondHalfSums) { r, dW in
        GEMM.multiply(m: dim, n: f, k: r.count, g + r.lowerBound * dim, lda: dim, transposeA: true,
                      input.pointer + r.lowerBound * f, ldb: f, into: dW, ldc: f, beta: 1)
      }
      ranges.addSums(to: bias, scratch: secondHalfSums) { r, db in Kernels.addColumnSums(g + r.lowerBound * dim, rows: r.count, columns: dim, into: db) }
      ranges.forEach { r in
        GEMM.multiply(m: r.count, n: f, k: dim, g + r.lowerBound * dim, lda: dim, w.value.pointer, ldb: f,
                      into: inputGradient.pointer + r.lowerBound * f, ldc: f, beta: accumulate ? 1 : 0)
      }
    }
    backProject(dQ, query, queryBias, accumulate: false)
    backProject(dK, key, keyBias, accumulate: true)
    backProject(dV, value, valueBias, accumulate: true)
    inputGradient.resize(rows: batch, columns: inputFeatures)
    return inputGradient
  }
}

extension Attention {
  /// The equations the layers view (`e`) shows, this model's shapes filled in: the doc
  /// comment's, in the order the code runs them.
  static func equations(_ c: EquationContext, tokens: Int, heads: Int, dim: Int) -> [EquationLine] {
    let (b, n) = (c.batch, c.inputFeatures)
    let f = n / max(tokens, 1), d = dim / max(heads, 1), rows = b * tokens
    return [
      EquationLine(label: "forward", text: "Q, K, V = X Wᵀ + b       X \(c.shape(rows, f)), W \(c.shape(dim, f)) → \(c.shape(rows, dim))"),
      EquationLine(label: "", text: "S = Q_h K_hᵀ / √\(d)   P = softmax_rows(S)   \(c.shape(tokens, tokens)) per sample and head (\(heads))"),
      EquationLine(label: "", text: "O_h = P V_h \(c.shape(tokens, d)),   Y = O Woᵀ + bo \(c.shape(rows, dim))"),
      EquationLine(label: "backward", text: "dWo = dYᵀ O \(c.shape(dim, dim)),   dO = dY Wo,   dP = dO_h V_hᵀ,   dV_h = Pᵀ dO_h"),
      EquationLine(label: "", text: "dS = P ⊙ (dP − rowsum(dP ⊙ P)),   dQ_h = dS K_h / √\(d),   dK_h = dSᵀ Q_h / √\(d)"),
      EquationLine(label: "", text: "dW• = d•ᵀ X \(c.shape(dim, f)),   dX = dQ Wq + dK Wk + dV Wv \(c.shape(rows, f))"),
    ]
  }
}
