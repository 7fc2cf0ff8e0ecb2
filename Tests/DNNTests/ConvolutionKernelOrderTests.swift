import Testing

@testable import DNN

/// The direct convolution kernels (conv.h, conv_filters.h) against scalar references that add
/// in the kernels' own order, bit for bit, on whichever instruction set the tests were built for
/// (`scripts/test-instruction-sets.sh` runs them for AVX2 and generic x86-64 too): the forward
/// and the input gradient sum each output over (channel, kernel row, kernel column) in turn,
/// starting from 0, the bias added last; the weight gradient with the filters in the lanes sums
/// each weight's products over blocks of 8 samples (positions in order), the blocks into a
/// total, the total into the gradient. So a register blocking that changes the order, or an
/// instruction set that sums differently from another, fails here, not only a wrong value.
@Suite struct ConvolutionKernelOrderTests {
  /// `acc + a · b` the way the kernels round it: one rounding where they fuse it.
  static func multiplyAdd(_ acc: Float, _ a: Float, _ b: Float) -> Float {
    Conv2D.kernelsFuseMultiplyAdd ? acc.addingProduct(a, b) : acc + a * b
  }

  /// Where two results differ in any bit: how many elements, and the first; nil when none.
  static func difference(_ a: [Float], _ b: [Float]) -> String? {
    guard a.count == b.count else { return "\(a.count) values against \(b.count)" }
    let differing = a.indices.filter { a[$0].bitPattern != b[$0].bitPattern && a[$0] != b[$0] }
    guard let first = differing.first else { return nil }
    return "\(differing.count) of \(a.count) differ, the first at [\(first)]: \(a[first]) against \(b[first])"
  }

  /// `x[s][c][y][x]` of a `[batch, channels · h · w]` tensor, 0 outside the image.
  static func value(_ t: Tensor, _ shape: ImageShape, _ s: Int, _ c: Int, _ y: Int, _ x: Int) -> Float {
    guard y >= 0 && y < shape.height && x >= 0 && x < shape.width else { return 0 }
    return t[s * shape.features + (c * shape.height + y) * shape.width + x]
  }

  static let shapes: [(ImageShape, filters: Int, kernel: Int, padding: Int, batch: Int)] = [
    (ImageShape(channels: 8, height: 10, width: 10), 20, 5, 2, 9),  // 5x5 as cnn.json's second; 2 blocks of samples
    (ImageShape(channels: 4, height: 6, width: 5), 18, 4, 1, 11),  // a part-filled vector of filters
    (ImageShape(channels: 5, height: 9, width: 11), 7, 3, 0, 3),  // no padding, rows past one vector
    (ImageShape(channels: 1, height: 28, width: 28), 16, 5, 2, 2),  // cnn.json's first
  ]

  @Test(arguments: 0..<shapes.count)
  func theKernelsAddInTheirDocumentedOrder(index: Int) {
    let (input, filters, k, p, batch) = Self.shapes[index]
    let layer = ConvolutionGradientTests.conv(input, filters: filters, kernel: k, stride: 1, padding: p, seed: 3)
    #expect(layer.direct != nil)
    let output = layer.output
    let x = GradientCheck.randomTensor(rows: batch, columns: input.features, seed: 6)
    let g = GradientCheck.randomTensor(rows: batch, columns: output.features, seed: 7)
    let pass = ConvolutionGradientTests.trainingPass(layer, x, g)
    let w = layer.weight.value
    func weight(_ f: Int, _ c: Int, _ i: Int, _ j: Int) -> Float { w[((f * input.channels + c) * k + i) * k + j] }
    var forward: [Float] = [], inputGradient: [Float] = []
    for s in 0..<batch {
      for f in 0..<filters {
        for y in 0..<output.height {
          for ox in 0..<output.width {
            var acc: Float = 0
            for c in 0..<input.channels {
              for i in 0..<k {
                for j in 0..<k { acc = Self.multiplyAdd(acc, Self.value(x, input, s, c, y + i - p, ox + j - p), weight(f, c, i, j)) }
              }
            }
            forward.append(acc + layer.bias.value[f])
          }
        }
      }
      // dX: the convolution of dY (padded by k − 1 − p) with the kernels turned by 180 degrees.
      let q = k - 1 - p
      for c in 0..<input.channels {
        for y in 0..<input.height {
          for ox in 0..<input.width {
            var acc: Float = 0
            for f in 0..<filters {
              for i in 0..<k {
                for j in 0..<k {
                  acc = Self.multiplyAdd(acc, Self.value(g, output, s, f, y + i - q, ox + j - q), weight(f, c, k - 1 - i, k - 1 - j))
                }
              }
            }
            inputGradient.append(acc)
          }
        }
      }
    }
    #expect(Self.difference(pass[0], forward) == nil, "forward, \(input.text), k \(k)")
    #expect(Self.difference(pass[1], inputGradient) == nil, "input gradient, \(input.text), k \(k)")
    guard Conv2D.weightGradientHasFiltersInLanes(kernel: k) else { return }
    var weightGradient: [Float] = []
    for f in 0..<filters {
      for c in 0..<input.channels {
        for i in 0..<k {
          for j in 0..<k {
            var total: Float = 0
            for first in stride(from: 0, to: batch, by: 8) {
              var acc: Float = 0
              for s in first..<min(first + 8, batch) {
                for y in 0..<output.height {
                  for ox in 0..<output.width {
                    acc = Self.multiplyAdd(acc, Self.value(g, output, s, f, y, ox), Self.value(x, input, s, c, y + i - p, ox + j - p))
                  }
                }
              }
              total += acc
            }
            weightGradient.append(0 + total)
          }
        }
      }
    }
    #expect(Self.difference(pass[2], weightGradient) == nil, "weight gradient, \(input.text), k \(k)")
  }
}
