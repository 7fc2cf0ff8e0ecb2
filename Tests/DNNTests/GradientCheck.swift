import Testing

@testable import DNN

/// Finite-difference checks: the analytic gradients of a layer against central differences of
/// the scalar L = Σ G ⊙ layer(X) for a fixed random G.
enum GradientCheck {
  /// Largest |analytic - numeric| over all checked entries, relative to the largest |numeric|
  /// (so the tolerance is scale-free), and where it happened.
  struct Result: CustomStringConvertible {
    var maxError: Double = 0
    var worst = ""
    mutating func record(_ analytic: Double, _ numeric: Double, scale: Double, _ name: String) {
      let error = abs(analytic - numeric) / max(scale, 0.1)
      if error > maxError {
        maxError = error
        worst = "\(name): analytic \(analytic), numeric \(numeric)"
      }
    }
    var description: String { "max relative error \(maxError) at \(worst)" }
  }

  static func randomTensor(rows: Int, columns: Int, seed: UInt64, avoidingZero: Bool = false) -> Tensor {
    var g = SplitMix64(seed: seed)
    let t = Tensor(rows: rows, columns: columns)
    for i in 0..<t.count {
      var v = g.nextNormal()
      if avoidingZero && abs(v) < 0.1 { v += v < 0 ? -0.2 : 0.2 }
      t[i] = v
    }
    return t
  }

  static func objective(_ layer: Layer, _ x: Tensor, _ g: Tensor, phase: Phase) -> Double {
    let y = layer.forward(x, phase: phase)
    var s: Double = 0
    for i in 0..<y.count { s += Double(y[i]) * Double(g[i]) }
    return s
  }

  /// Checks d/dX and d/dθ for every parameter of `layer` at input `x`.
  static func check(_ layer: Layer, input x: Tensor, phase: Phase = .training, epsilon: Float = 1e-2, seed: UInt64 = 99) -> Result {
    let g = randomTensor(rows: x.rows, columns: layer.outputFeatures, seed: seed)
    for p in layer.parameters { p.zeroGradient() }
    _ = layer.forward(x, phase: phase)
    let dx = layer.backward(g).clone()
    var result = Result()
    func numeric(_ value: UnsafeMutablePointer<Float>) -> Double {
      let saved = value.pointee
      value.pointee = saved + epsilon
      let plus = objective(layer, x, g, phase: phase)
      value.pointee = saved - epsilon
      let minus = objective(layer, x, g, phase: phase)
      value.pointee = saved
      return (plus - minus) / Double(2 * epsilon)
    }
    var numericDx: [Double] = []
    for i in 0..<x.count { numericDx.append(numeric(x.pointer + i)) }
    let scaleX = numericDx.map(abs).max() ?? 1
    for i in 0..<x.count { result.record(Double(dx[i]), numericDx[i], scale: scaleX, "input[\(i)]") }
    for p in layer.parameters {
      let analytic = p.gradient.values
      var numericP: [Double] = []
      for i in 0..<p.value.count { numericP.append(numeric(p.value.pointer + i)) }
      let scale = numericP.map(abs).max() ?? 1
      for i in 0..<p.value.count { result.record(Double(analytic[i]), numericP[i], scale: scale, "\(p.name)[\(i)]") }
    }
    return result
  }
}
