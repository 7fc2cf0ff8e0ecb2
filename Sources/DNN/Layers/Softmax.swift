import CCPU
import Foundation

/// Row-wise softmax, turning scores into class probabilities.
///
///     forward:  a_i = exp(z_i - max z) / Σ_j exp(z_j - max z)          [B, classes]
///     backward: dz_j = Σ_i da_i · a_i (δ_ij - a_j) = a_j (da_j - Σ_i da_i a_i)
///
/// The backward is the original's Jacobian product, done without building the Jacobian. When a
/// model ends in Softmax and trains with cross-entropy, the trainer uses the fused path instead
/// (`SoftmaxCrossEntropy`), which gives the same numbers with one subtraction.
public final class Softmax: Layer {
  public let kind = LayerKind.softmax
  public var outputHealth: OutputHealth { .saturation }
  public let inputFeatures: Int
  public var outputFeatures: Int { inputFeatures }
  public var summary: String { "Softmax" }

  private let output = Tensor(rows: 0, columns: 0)
  private let inputGradient = Tensor(rows: 0, columns: 0)

  /// A softmax over `features` classes.
  public init(features: Int) { inputFeatures = features }

  public func replica() -> Layer? { Softmax(features: inputFeatures) }
  /// Row by row: the halves' rows never meet.
  public var passesBothHalves: Bool { true }

  public func forward(_ input: Tensor, phase: Phase) -> Tensor {
    output.resize(like: input)
    Softmax.rows(of: input, into: output)
    return output
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    inputGradient.resize(like: outputGradient)
    Softmax.rowsBackward(
      output.pointer, outputGradient.pointer, into: inputGradient.pointer, rows: outputGradient.rows, columns: inputFeatures)
    return inputGradient
  }

  /// Writes the row-wise softmax of `input` into `output` (same shape).
  static func rows(of input: Tensor, into output: Tensor) {
    rows(input.pointer, into: output.pointer, rows: input.rows, columns: input.columns)
  }

  /// Row-wise softmax on raw row-major storage; `z` and `a` may be the same (in place). In C
  /// (`dnn_softmax_rows`, CCPU) with an exponential the compiler vectorises: libm's `expf`, one
  /// call per value, was 9% of an attention step (28x28 scores per sample and head).
  static func rows(_ z0: UnsafePointer<Float>, into a0: UnsafeMutablePointer<Float>, rows: Int, columns n: Int) {
    dnn_softmax_rows(z0, a0, rows, n)
  }

  /// The backward of `rows`, on raw row-major storage: dz = a ⊙ (da - rowsum(da ⊙ a)) for each
  /// row, from the softmax outputs `a` and their gradient `da`. `dz` may be `da` (in place).
  static func rowsBackward(
    _ a0: UnsafePointer<Float>, _ da0: UnsafePointer<Float>, into dz0: UnsafeMutablePointer<Float>, rows: Int, columns n: Int
  ) {
    for r in 0..<rows {
      let a = a0 + r * n, da = da0 + r * n, dz = dz0 + r * n
      var dot: Float = 0
      for i in 0..<n { dot += da[i] * a[i] }
      for j in 0..<n { dz[j] = a[j] * (da[j] - dot) }
    }
  }
}

extension Softmax {
  /// The equations the layers view (`e`) shows, this model's shapes filled in: the doc
  /// comment's, in the order the code runs them.
  static func equations(_ c: EquationContext) -> [EquationLine] {
    let (b, m) = (c.batch, c.outputFeatures)
    var lines = [
      EquationLine(label: "forward", text: "p_i = exp(z_i − max z) / Σ_j exp(z_j − max z)      P \(c.shape(b, m))"),
      EquationLine(label: "Jacobian", text: "∂p_i/∂z_j = p_i (δ_ij − p_j)                       \(c.shape(m, m)) per sample"),
      EquationLine(label: "backward", text: "dz_j = p_j (dp_j − Σ_i dp_i p_i)                   dZ \(c.shape(b, m))"),
    ]
    if c.fused && c.labelSmoothing > 0 {
      // SoftmaxCrossEntropy with label smoothing s: targets (1 − s)·onehot + s/K.
      let s = "\(c.labelSmoothing)"
      lines += [
        EquationLine(label: "loss", text: "J = −(1/B) Σ_b Σ_j Y[b, j] log p[b, j]             B = \(b)"),
        EquationLine(label: "", text: "Y = (1 − s)·onehot(y) + s/K, label smoothing s = \(s), K = \(m)"),
        EquationLine(label: "fused", text: "softmax + cross-entropy: dZ = (P − Y) / B           \(c.shape(b, m))"),
      ]
    } else if c.fused {
      lines += [
        EquationLine(label: "loss", text: "J = −(1/B) Σ_b log p[b, y_b]                       B = \(b)"),
        EquationLine(label: "fused", text: "softmax + cross-entropy: dZ = (P − Y) / B           \(c.shape(b, m)), Y one-hot"),
      ]
    }
    return lines
  }
}
