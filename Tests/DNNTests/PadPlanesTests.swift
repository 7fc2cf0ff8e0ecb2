import CCPU
import Testing

@testable import DNN

/// `dnn_pad_planes` (the direct convolutions' padded planes) on a target full of NaN: every
/// float is written, the image at (pad, pad) and zeros around it, for widths that leave partial
/// vector registers on either side; with the zeros kept from an earlier call, the image alone.
@Suite struct PadPlanesTests {
  @Test(arguments: [(28, 28, 2, 36), (14, 14, 2, 20), (5, 3, 1, 21), (1, 17, 3, 40), (6, 33, 0, 33)])
  func writesTheImageAndZerosAroundIt(height: Int, width: Int, pad: Int, stride: Int) {
    let samples = 2, channels = 3, sourceStride = channels * height * width + 5
    let rows = height + 2 * pad
    let source = (0..<samples * sourceStride).map { Float($0 % 97) + 1 }
    // The floats of `target` that are not the image at (pad, pad) with zeros around it.
    func wrongFloats(_ target: [Float]) -> Int {
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
      return wrong
    }
    let what = "\(height)x\(width) pad \(pad) stride \(stride)"
    // The zeros first with an image of NaN, then the image alone (`zeros_kept`), as a layer's
    // second step does; and the same in one call.
    var target = [Float](repeating: .nan, count: samples * channels * rows * stride)
    let stale = [Float](repeating: .nan, count: source.count)
    dnn_pad_planes(stale, sourceStride, samples, channels, height, width, &target, rows, stride, pad, 0)
    dnn_pad_planes(source, sourceStride, samples, channels, height, width, &target, rows, stride, pad, 1)
    #expect(wrongFloats(target) == 0, "\(what), zeros kept")
    target = [Float](repeating: .nan, count: target.count)
    dnn_pad_planes(source, sourceStride, samples, channels, height, width, &target, rows, stride, pad, 0)
    #expect(wrongFloats(target) == 0, "\(what), in one call")
  }
}
