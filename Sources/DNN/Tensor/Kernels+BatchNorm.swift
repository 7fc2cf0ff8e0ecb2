/// BatchNorm's element-wise passes. x̂ = (x − μ)·inverseStd is never stored: the forward
/// computes it on the way to y, and the backward computes it again from x with the same
/// operations, so both see the same bits. Storing it cost a third of the forward's memory
/// traffic (cnn.json's first BatchNorm: 1.6 MB a half batch, more than a core's cache), and the
/// backward reads x instead of x̂, the same amount. Each kernel comes for a plane of one feature
/// (`batchnorm2d`: scalars) and for a row of features (per-feature vectors).
extension Kernels {
  /// x̂ = (x − mean)·inverseStd, the one spelling of it every kernel below computes (the same
  /// operations in the same order, so the backward's x̂ has the forward's bits).
  @inline(__always) static func normalised(_ x: V, _ mean: V, _ inverseStd: V) -> V { (x - mean) * inverseStd }
  @inline(__always) static func normalised(_ x: Float, _ mean: Float, _ inverseStd: Float) -> Float { (x - mean) * inverseStd }

  /// y = γ x̂ + β.
  static func normalise(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int,
    mean: Float, inverseStd: Float, gamma: Float, beta: Float
  ) {
    let m = V(repeating: mean), s = V(repeating: inverseStd), g = V(repeating: gamma), b = V(repeating: beta)
    var i = 0
    while i + width <= n {
      store(g * normalised(load(x + i), m, s) + b, y + i)
      i += width
    }
    while i < n { y[i] = gamma * normalised(x[i], mean, inverseStd) + beta; i += 1 }
  }

  /// (Σ dy, Σ dy·x̂).
  static func sumAndDot(
    _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, count n: Int, mean: Float, inverseStd: Float
  ) -> (Float, Float) {
    let m = V(repeating: mean), sc = V(repeating: inverseStd)
    var s = V(repeating: 0), d = V(repeating: 0)
    var i = 0
    while i + width <= n {
      let g = load(dy + i)
      s += g
      d += g * normalised(load(x + i), m, sc)
      i += width
    }
    var sum = s.sum(), dot = d.sum()
    while i < n { sum += dy[i]; dot += dy[i] * normalised(x[i], mean, inverseStd); i += 1 }
    return (sum, dot)
  }

  /// dx = scale · (n·dy − Σdy − x̂·Σ(dy·x̂)): BatchNorm's input gradient.
  static func batchNormInputGradient(
    _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count c: Int,
    mean: Float, inverseStd: Float, scale: Float, n: Float, sumDy: Float, sumDyXhat: Float
  ) {
    let m = V(repeating: mean), sd = V(repeating: inverseStd)
    let sc = V(repeating: scale), nn = V(repeating: n), s = V(repeating: sumDy), sx = V(repeating: sumDyXhat)
    var i = 0
    while i + width <= c {
      store(sc * (nn * load(dy + i) - s - normalised(load(x + i), m, sd) * sx), dx + i)
      i += width
    }
    while i < c { dx[i] = scale * (n * dy[i] - sumDy - normalised(x[i], mean, inverseStd) * sumDyXhat); i += 1 }
  }

  /// y = γ x̂ + β with per-feature vectors (one row).
  static func normaliseRow(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int,
    mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>
  ) {
    var i = 0
    while i + width <= n {
      store(load(gamma + i) * normalised(load(x + i), load(mean + i), load(inverseStd + i)) + load(beta + i), y + i)
      i += width
    }
    while i < n { y[i] = gamma[i] * normalised(x[i], mean[i], inverseStd[i]) + beta[i]; i += 1 }
  }

  /// s += dy, sx += dy·x̂, element-wise (one row).
  static func addSumAndDot(
    _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>,
    into s: UnsafeMutablePointer<Float>, _ sx: UnsafeMutablePointer<Float>, count n: Int
  ) {
    var i = 0
    while i + width <= n {
      let g = load(dy + i)
      store(load(s + i) + g, s + i)
      store(load(sx + i) + g * normalised(load(x + i), load(mean + i), load(inverseStd + i)), sx + i)
      i += width
    }
    while i < n { s[i] += dy[i]; sx[i] += dy[i] * normalised(x[i], mean[i], inverseStd[i]); i += 1 }
  }

  /// dx = scale ⊙ (n·dy − Σdy − x̂ ⊙ Σ(dy·x̂)) with per-feature vectors (one row of BatchNorm's
  /// input gradient; `scale` = γ/(n √(σ²+ε))).
  static func batchNormInputGradientRow(
    _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count c: Int,
    mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>, scale: UnsafePointer<Float>, n: Float,
    sumDy: UnsafePointer<Float>, sumDyXhat: UnsafePointer<Float>
  ) {
    let nn = V(repeating: n)
    var i = 0
    while i + width <= c {
      let h = normalised(load(x + i), load(mean + i), load(inverseStd + i))
      store(load(scale + i) * (nn * load(dy + i) - load(sumDy + i) - h * load(sumDyXhat + i)), dx + i)
      i += width
    }
    while i < c {
      dx[i] = scale[i] * (n * dy[i] - sumDy[i] - normalised(x[i], mean[i], inverseStd[i]) * sumDyXhat[i])
      i += 1
    }
  }
}
