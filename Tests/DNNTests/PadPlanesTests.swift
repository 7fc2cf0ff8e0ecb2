import CCPU
import Testing

@testable import DNN

/// `dnn_pad_planes` (the direct convolutions' padded planes) on a target full of NaN, as a
/// buffer reused from a step of another batch is: every float is written, the image at (pad,
/// pad) and zeros around it, for widths that leave partial vector registers on either side.
@Suite struct PadPlanesTests {
  @Test(arguments: [(28, 28, 2, 36), (14, 14, 2, 20), (5, 3, 1, 21), (1, 17, 3, 40), (6, 33, 0, 33)])
  func writesTheImageAndZerosAroundIt(height: Int, width: Int, pad: Int, stride: Int) {
    let samples = 2, channels = 3, sourceStride = channels * height * width + 5
    let rows = height + 2 * pad
    let source = (0..<samples * sourceStride).map { Float($0 % 97) + 1 }
    var target = [Float](repeating: .nan, count: samples * channels * rows * stride)
    dnn_pad_planes(source, sourceStride, samples, channels, height, width, &target, rows, stride, pad)
    var wrong = 0
    for s in 0..<samples {
      for c in 0..<channels {
        for r in 0..<rows {
          for x in 0..<stride {
            let (y, i) = (r - pad, x - pad)
            let inside = (0..<height).contains(y) && (0..<width).contains(i)
            let expected = inside ? source[s * sourceStride + (c * height + y) * width + i] : 0
            if target[((s * channels + c) * rows + r) * stride + x] != expected { wrong += 1 }
          }
        }
      }
    }
    #expect(wrong == 0, "\(wrong) floats wrong for \(height)x\(width) pad \(pad) stride \(stride)")
  }
}
