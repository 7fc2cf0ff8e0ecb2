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

  /// The output, y or, when the layer applies the ReLU after it (`rectified`, see
  /// `BatchNorm.rectifies`), the ReLU's `rectify(y)`, so the ReLU's bits.
  @inline(__always) static func output(_ y: V, rectified: Bool) -> V { rectified ? rectify(y) : y }
  @inline(__always) static func output(_ y: Float, rectified: Bool) -> Float { rectified ? rectify(y) : y }

  /// The gradient the layer's y receives: dy, or when it applies the ReLU after it, what that
  /// ReLU passes back of dy, its output's gradient (`reluGradient` where y = γ x̂ + β, above 0
  /// exactly where max(y, 0) is). y is computed again with the forward's operations, so the mask
  /// is the forward's.
  @inline(__always) static func gradient(_ dy: V, y: @autoclosure () -> V, rectified: Bool) -> V {
    rectified ? reluGradient(dy, where: y(), slope: V(repeating: 0)) : dy
  }
  @inline(__always) static func gradient(_ dy: Float, y: @autoclosure () -> Float, rectified: Bool) -> Float {
    rectified ? reluGradient(dy, where: y(), slope: 0) : dy
  }

  /// y = γ x̂ + β (`rectified`: max(y, 0)).
  static func normalise(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int,
    mean: Float, inverseStd: Float, gamma: Float, beta: Float, rectified: Bool
  ) {
    let m = V(repeating: mean), s = V(repeating: inverseStd), g = V(repeating: gamma), b = V(repeating: beta)
    var i = 0
    while i + width <= n {
      store(output(g * normalised(load(x + i), m, s) + b, rectified: rectified), y + i)
      i += width
    }
    while i < n { y[i] = output(gamma * normalised(x[i], mean, inverseStd) + beta, rectified: rectified); i += 1 }
  }

  /// (Σ dy, Σ dy·x̂), dy as `gradient` passes it (γ, β and `rectified` for the ReLU's mask).
  static func sumAndDot(
    _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, count n: Int, mean: Float, inverseStd: Float,
    gamma: Float, beta: Float, rectified: Bool
  ) -> (Float, Float) {
    let m = V(repeating: mean), sc = V(repeating: inverseStd), gv = V(repeating: gamma), bv = V(repeating: beta)
    var s = V(repeating: 0), d = V(repeating: 0)
    var i = 0
    while i + width <= n {
      let h = normalised(load(x + i), m, sc)
      let g = gradient(load(dy + i), y: gv * h + bv, rectified: rectified)
      s += g
      d += g * h
      i += width
    }
    var sum = s.sum(), dot = d.sum()
    while i < n {
      let h = normalised(x[i], mean, inverseStd)
      let g = gradient(dy[i], y: gamma * h + beta, rectified: rectified)
      sum += g
      dot += g * h
      i += 1
    }
    return (sum, dot)
  }

  /// dx = scale · (n·dy − Σdy − x̂·Σ(dy·x̂)): BatchNorm's input gradient.
  static func batchNormInputGradient(
    _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count c: Int,
    mean: Float, inverseStd: Float, scale: Float, n: Float, sumDy: Float, sumDyXhat: Float,
    gamma: Float, beta: Float, rectified: Bool
  ) {
    let m = V(repeating: mean), sd = V(repeating: inverseStd), gv = V(repeating: gamma), bv = V(repeating: beta)
    let sc = V(repeating: scale), nn = V(repeating: n), s = V(repeating: sumDy), sx = V(repeating: sumDyXhat)
    var i = 0
    while i + width <= c {
      let h = normalised(load(x + i), m, sd)
      store(sc * (nn * gradient(load(dy + i), y: gv * h + bv, rectified: rectified) - s - h * sx), dx + i)
      i += width
    }
    while i < c {
      let h = normalised(x[i], mean, inverseStd)
      dx[i] = scale * (n * gradient(dy[i], y: gamma * h + beta, rectified: rectified) - sumDy - h * sumDyXhat)
      i += 1
    }
  }

  /// y = γ x̂ + β with per-feature vectors (one row; `rectified`: max(y, 0)).
  static func normaliseRow(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int,
    mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
    rectified: Bool
  ) {
    var i = 0
    while i + width <= n {
      let h = normalised(load(x + i), load(mean + i), load(inverseStd + i))
      store(output(load(gamma + i) * h + load(beta + i), rectified: rectified), y + i)
      i += width
    }
    while i < n { y[i] = output(gamma[i] * normalised(x[i], mean[i], inverseStd[i]) + beta[i], rectified: rectified); i += 1 }
  }

  /// s += dy, sx += dy·x̂, element-wise (one row; dy as `gradient` passes it).
  static func addSumAndDot(
    _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>,
    gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, rectified: Bool,
    into s: UnsafeMutablePointer<Float>, _ sx: UnsafeMutablePointer<Float>, count n: Int
  ) {
    var i = 0
    while i + width <= n {
      let h = normalised(load(x + i), load(mean + i), load(inverseStd + i))
      let g = gradient(load(dy + i), y: load(gamma + i) * h + load(beta + i), rectified: rectified)
      store(load(s + i) + g, s + i)
      store(load(sx + i) + g * h, sx + i)
      i += width
    }
    while i < n {
      let h = normalised(x[i], mean[i], inverseStd[i])
      let g = gradient(dy[i], y: gamma[i] * h + beta[i], rectified: rectified)
      s[i] += g
      sx[i] += g * h
      i += 1
    }
  }

  /// dx = scale ⊙ (n·dy − Σdy − x̂ ⊙ Σ(dy·x̂)) with per-feature vectors (one row of BatchNorm's
  /// input gradient; `scale` = γ/(n √(σ²+ε))).
  static func batchNormInputGradientRow(
    _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count c: Int,
    mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>, scale: UnsafePointer<Float>, n: Float,
    sumDy: UnsafePointer<Float>, sumDyXhat: UnsafePointer<Float>,
    gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, rectified: Bool
  ) {
    let nn = V(repeating: n)
    var i = 0
    while i + width <= c {
      let h = normalised(load(x + i), load(mean + i), load(inverseStd + i))
      let g = gradient(load(dy + i), y: load(gamma + i) * h + load(beta + i), rectified: rectified)
      store(load(scale + i) * (nn * g - load(sumDy + i) - h * load(sumDyXhat + i)), dx + i)
      i += width
    }
    while i < c {
      let h = normalised(x[i], mean[i], inverseStd[i])
      dx[i] = scale[i] * (n * gradient(dy[i], y: gamma[i] * h + beta[i], rectified: rectified) - sumDy[i] - h * sumDyXhat[i])
      i += 1
    }
  }
}
