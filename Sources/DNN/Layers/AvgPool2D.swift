/// Average pooling over `size`×`size` windows with stride `size` (`AvgPool2d(size)` in
/// PyTorch), per channel: input `[B, C·H·W]`, output `[B, C·(H/size)·(W/size)]`.
///
///     forward:  y = (1 / size²) Σ_window x
///     backward: dx = dy / size² for every input of the window
public final class AvgPool2D: Layer {
  public let kind = LayerKind.avgpool
  public var readsImages: Bool { true }
  public let input: ImageShape
  public let output: ImageShape
  public let size: Int
  public var inputFeatures: Int { input.features }
  public var outputFeatures: Int { output.features }
  public var outputShape: ImageShape? { output }
  public var summary: String { "AvgPool2D(\(size))" }

  private let result = Tensor(rows: 0, columns: 0)
  private let inputGradient = Tensor(rows: 0, columns: 0)

  public init(input: ImageShape, size: Int) {
    precondition(size >= 1 && size <= input.height && size <= input.width, "AvgPool2D(\(size)) does not fit \(input.text)")
    self.input = input
    self.size = size
    output = input.pooled(by: size)
  }

  public func replica() -> Layer? { AvgPool2D(input: input, size: size) }
  /// Sample by sample: the halves' rows never meet.
  public var passesBothHalves: Bool { true }

  public func forward(_ x: Tensor, phase: Phase) -> Tensor {
    precondition(x.columns == input.features, "AvgPool2D expects \(input.text) = \(input.features) features, got \(x)")
    let batch = x.rows
    result.resize(rows: batch, columns: output.features)
    let scale = 1 / Float(size * size), size = self.size, width = input.width, source = x.pointer, target = result.pointer
    PoolWindows(input: input, output: output, size: size).forEach(batch: batch) { plane, window, out in
      var sum: Float = 0
      for i in 0..<size {
        let line = source + plane + window + i * width
        for j in 0..<size { sum += line[j] }
      }
      target[out] = sum * scale
    }
    return result
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    let batch = outputGradient.rows
    inputGradient.resize(rows: batch, columns: input.features)
    inputGradient.fill(0)
    let scale = 1 / Float(size * size), size = self.size, width = input.width
    let source = outputGradient.pointer, target = inputGradient.pointer
    PoolWindows(input: input, output: output, size: size).forEach(batch: batch) { plane, window, out in
      let share = source[out] * scale
      for i in 0..<size {
        let line = target + plane + window + i * width
        for j in 0..<size { line[j] += share }
      }
    }
    return inputGradient
  }
}

extension AvgPool2D {
  /// The equations the layers view (`e`) shows, this model's shapes filled in: the doc
  /// comment's, in the order the code runs them.
  static func equations(_ c: EquationContext, size: Int) -> [EquationLine] {
    let (b, n, m) = (c.batch, c.inputFeatures, c.outputFeatures)
    return [
      EquationLine(label: "forward", text: "y = (1/\(size * size)) Σ over each \(size)×\(size) window          \(c.shape(b, n)) → \(c.shape(b, m))"),
      EquationLine(label: "backward", text: "dx = dy / \(size * size) for every input of the window   \(c.shape(b, n))"),
    ]
  }
}
