import CCPU

/// Max pooling over `size`×`size` windows with stride `size` (`MaxPool2d(size)` in PyTorch),
/// per channel: input `[B, C·H·W]`, output `[B, C·(H/size)·(W/size)]` (rows and columns that do
/// not fill a window are dropped, as PyTorch does).
///
///     forward:  y = max over the window;   argmax remembered (the first of equal values)
///     backward: dx[argmax] += dy;          every other input of the window gets 0
///
/// The gradient of a maximum flows to the one input that won; with ties it goes to the first,
/// whole, as in PyTorch (a subgradient: a finite difference there sees half of it each way).
public final class MaxPool2D: Layer {
  public let kind = LayerKind.maxpool
  public var isPiecewiseLinear: Bool { true }
  public var readsImages: Bool { true }
  public let input: ImageShape
  public let output: ImageShape
  public let size: Int
  public var inputFeatures: Int { input.features }
  public var outputFeatures: Int { output.features }
  public var outputShape: ImageShape? { output }
  public var summary: String { "MaxPool2D(\(size))" }

  private let result = Tensor(rows: 0, columns: 0)
  private let inputGradient = Tensor(rows: 0, columns: 0)
  /// For every output value, the index of its input within the sample.
  private var winners: [Int32] = []

  public init(input: ImageShape, size: Int) {
    precondition(size >= 1 && size <= input.height && size <= input.width, "MaxPool2D(\(size)) does not fit \(input.text)")
    self.input = input
    self.size = size
    output = input.pooled(by: size)
  }

  public func replica() -> Layer? { MaxPool2D(input: input, size: size) }
  /// Sample by sample: the halves' rows never meet.
  public var passesBothHalves: Bool { true }

  public func forward(_ x: Tensor, phase: Phase) -> Tensor {
    precondition(x.columns == input.features, "MaxPool2D expects \(input.text) = \(input.features) features, got \(x)")
    let batch = x.rows
    result.resize(rows: batch, columns: output.features)
    if winners.count < batch * output.features { winners = Array(repeating: 0, count: batch * output.features) }
    let size = self.size, source = x.pointer, target = result.pointer
    winners.withUnsafeMutableBufferPointer { won in
      if size == 2 {
        for s in 0..<batch {
          for c in 0..<input.channels {
            let first = s * output.features + c * output.plane
            dnn_max_pool2(
              source + s * input.features + c * input.plane, input.width, input.height, target + first,
              won.baseAddress! + first, Int32(c * input.plane))
          }
        }
        return
      }
      let width = input.width, features = input.features
      PoolWindows(input: input, output: output, size: size).forEach(batch: batch) { plane, window, out in
        var winner = window, best = source[plane + window]
        for i in 0..<size {
          let line = window + i * width
          for j in 0..<size where source[plane + line + j] > best {
            best = source[plane + line + j]
            winner = line + j
          }
        }
        target[out] = best
        won[out] = Int32(plane % features + winner)  // within the sample: the channel's plane, then the pixel
      }
    }
    return result
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    let batch = outputGradient.rows
    inputGradient.resize(rows: batch, columns: input.features)
    let source = outputGradient.pointer, target = inputGradient.pointer
    if size == 2 {
      // Every input written once, winners' gradients and zeros (dnn_max_pool2_backward, CCPU).
      winners.withUnsafeBufferPointer { won in
        for s in 0..<batch {
          for c in 0..<input.channels {
            let at = s * output.features + c * output.plane
            dnn_max_pool2_backward(
              source + at, won.baseAddress! + at, Int32(c * input.plane), input.width, input.height,
              target + s * input.features + c * input.plane)
          }
        }
      }
      return inputGradient
    }
    inputGradient.fill(0)
    winners.withUnsafeBufferPointer { won in
      for s in 0..<batch {
        let row = target + s * input.features
        for o in 0..<output.features { row[Int(won[s * output.features + o])] += source[s * output.features + o] }
      }
    }
    return inputGradient
  }
}

extension MaxPool2D {
  /// The equations the layers view (`e`) shows, this model's shapes filled in: the doc
  /// comment's, in the order the code runs them.
  static func equations(_ c: EquationContext, size: Int) -> [EquationLine] {
    let (b, n, m) = (c.batch, c.inputFeatures, c.outputFeatures)
    return [
      EquationLine(label: "forward", text: "y = max of each \(size)×\(size) window, argmax kept       \(c.shape(b, n)) → \(c.shape(b, m))"),
      EquationLine(label: "backward", text: "dx[argmax] = dy, 0 for the window's other inputs   \(c.shape(b, n))"),
    ]
  }
}
