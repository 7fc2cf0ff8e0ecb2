import CCPU

/// Element-wise kernels on raw storage, written with explicit SIMD so they vectorise whatever
/// the compiler can prove about aliasing. Each has a scalar tail for the last < 16 elements.
enum Kernels {
  typealias V = SIMD16<Float>
  static let width = V.scalarCount

  @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V {
    UnsafeRawPointer(p).loadUnaligned(as: V.self)
  }

  @inline(__always) static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
  }

  /// max(x, 0) of a vector and of one element: the ReLU's operations, wherever a ReLU is
  /// computed (`relu`, and BatchNorm's passes that apply the ReLU after it).
  @inline(__always) static func rectify(_ x: V) -> V { pointwiseMax(x, V(repeating: 0)) }
  @inline(__always) static func rectify(_ x: Float) -> Float { max(x, 0) }

  /// What a ReLU (slope 0) or leaky ReLU passes back of `da`: da where `a` > 0, else slope · da,
  /// `a` its output or anything positive exactly where that is (`reluBackward`, BatchNorm's
  /// passes that apply the ReLU after it).
  @inline(__always) static func reluGradient(_ da: V, where a: V, slope: V) -> V {
    (da * slope).replacing(with: da, where: a .> V(repeating: 0))
  }
  @inline(__always) static func reluGradient(_ da: Float, where a: Float, slope: Float) -> Float { a > 0 ? da : slope * da }

  /// y = max(x, 0)
  static func relu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
    var i = 0
    while i + width <= n {
      store(rectify(load(x + i)), y + i)
      i += width
    }
    while i < n { y[i] = rectify(x[i]); i += 1 }
  }

  /// dz = da where a > 0, else slope · da (slope 0: ReLU).
  static func reluBackward(
    _ a: UnsafePointer<Float>, _ da: UnsafePointer<Float>, _ dz: UnsafeMutablePointer<Float>, count n: Int, slope: Float = 0
  ) {
    var i = 0
    let s = V(repeating: slope)
    while i + width <= n {
      store(reluGradient(load(da + i), where: load(a + i), slope: s), dz + i)
      i += width
    }
    while i < n { dz[i] = reluGradient(da[i], where: a[i], slope: slope); i += 1 }
  }

  /// y = x > 0 ? x : slope · x
  static func leakyReLU(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, slope: Float) {
    var i = 0
    let zero = V(repeating: 0), s = V(repeating: slope)
    while i + width <= n {
      let v = load(x + i)
      store((v * s).replacing(with: v, where: v .> zero), y + i)
      i += width
    }
    while i < n { y[i] = x[i] > 0 ? x[i] : slope * x[i]; i += 1 }
  }

  /// y = Float(x) · scale, for pixels.
  static func bytesToFloats(_ x: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>, count n: Int, scale: Float) {
    var i = 0
    let s = V(repeating: scale)
    while i + width <= n {
      let bytes = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<UInt8>.self)
      store(V(SIMD16<Int32>(truncatingIfNeeded: bytes)) * s, y + i)
      i += width
    }
    while i < n { y[i] = Float(x[i]) * scale; i += 1 }
  }

  /// Σ x², with Float SIMD partial sums folded into Double every 4,096 elements.
  static func sumOfSquares(_ x: UnsafePointer<Float>, count n: Int) -> Double {
    var total: Double = 0
    var i = 0
    while i < n {
      let end = min(i + 4096, n)
      var acc0 = V(repeating: 0), acc1 = V(repeating: 0)
      while i + 2 * width <= end {
        let a = load(x + i), b = load(x + i + width)
        acc0 += a * a
        acc1 += b * b
        i += 2 * width
      }
      var partial = (acc0 + acc1).sum()
      while i < end { partial += x[i] * x[i]; i += 1 }
      total += Double(partial)
    }
    return total
  }

  /// Σ x over `n` floats: one vector register of partial sums, then the tail.
  static func sum(_ x: UnsafePointer<Float>, count n: Int) -> Float {
    var acc = V(repeating: 0)
    var i = 0
    while i + width <= n {
      acc += load(x + i)
      i += width
    }
    var total = acc.sum()
    while i < n { total += x[i]; i += 1 }
    return total
  }

  /// Σ (x − mean)².
  static func sumOfSquaredDifferences(_ x: UnsafePointer<Float>, from mean: Float, count n: Int) -> Float {
    var acc = V(repeating: 0)
    let m = V(repeating: mean)
    var i = 0
    while i + width <= n {
      let d = load(x + i) - m
      acc += d * d
      i += width
    }
    var total = acc.sum()
    while i < n { total += (x[i] - mean) * (x[i] - mean); i += 1 }
    return total
  }

  /// s += (x − mean)², element-wise (a variance's sums, one row of a batch).
  static func addSquaredDifferences(
    _ x: UnsafePointer<Float>, _ mean: UnsafePointer<Float>, into s: UnsafeMutablePointer<Float>, count n: Int
  ) {
    var i = 0
    while i + width <= n {
      let d = load(x + i) - load(mean + i)
      store(load(s + i) + d * d, s + i)
      i += width
    }
    while i < n { s[i] += (x[i] - mean[i]) * (x[i] - mean[i]); i += 1 }
  }

  /// y += x for a short row (an image row of a convolution: 14-28 values), inlined, in steps of
  /// 8 and 4 so that rows shorter than 16 do not fall to the scalar tail (col2im called `add`
  /// hundreds of thousands of times a step, each for about 12 values).
  @inline(__always)
  static func addRow(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count n: Int) {
    var i = 0
    while i + 8 <= n {
      let a = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self), b = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(y + i).storeBytes(of: a + b, as: SIMD8<Float>.self)
      i += 8
    }
    if i + 4 <= n {
      let a = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD4<Float>.self), b = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD4<Float>.self)
      UnsafeMutableRawPointer(y + i).storeBytes(of: a + b, as: SIMD4<Float>.self)
      i += 4
    }
    while i < n { y[i] += x[i]; i += 1 }
  }

  /// y = x for a short row (im2col's image rows), inlined, in steps of 8 and 4 instead of a
  /// `memmove` call per row.
  @inline(__always)
  static func copyRow(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count n: Int) {
    var i = 0
    while i + 8 <= n {
      UnsafeMutableRawPointer(y + i).storeBytes(of: UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
      i += 8
    }
    if i + 4 <= n {
      UnsafeMutableRawPointer(y + i).storeBytes(of: UnsafeRawPointer(x + i).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
      i += 4
    }
    while i < n { y[i] = x[i]; i += 1 }
  }

  /// y = 0 over a short row (im2col's padding: a few values), inlined.
  @inline(__always)
  static func zeroRow(_ y: UnsafeMutablePointer<Float>, count n: Int) {
    var i = 0
    while i + 4 <= n {
      UnsafeMutableRawPointer(y + i).storeBytes(of: SIMD4<Float>(repeating: 0), as: SIMD4<Float>.self)
      i += 4
    }
    while i < n { y[i] = 0; i += 1 }
  }

  /// y += x, element-wise.
  static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count n: Int) {
    var i = 0
    while i + width <= n {
      store(load(y + i) + load(x + i), y + i)
      i += width
    }
    while i < n { y[i] += x[i]; i += 1 }
  }

  static func addColumnSums(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>) {
    for r in 0..<rows {
      let row = x + r * columns
      var j = 0
      while j + width <= columns {
        store(load(sums + j) + load(row + j), sums + j)
        j += width
      }
      while j < columns { sums[j] += row[j]; j += 1 }
    }
  }

  /// x = a·x + b·y, then y = 0 when `clearingY`; returns Σ x² of the result (for gradient norms
  /// in the same pass), with Float SIMD partial sums folded into Double every 4,096 elements
  /// like `sumOfSquares`.
  static func weightedSum(
    _ x: UnsafeMutablePointer<Float>, _ a: Float, _ y: UnsafeMutablePointer<Float>, _ b: Float, count n: Int,
    clearingY: Bool
  ) -> Double {
    let va = V(repeating: a), vb = V(repeating: b), zero = V(repeating: 0)
    return squaresAsCombined(count: n) { i in
      let v = va * load(x + i) + vb * load(y + i)
      store(v, x + i)
      if clearingY { store(zero, y + i) }
      return v
    } scalar: { i in
      x[i] = a * x[i] + b * y[i]
      if clearingY { y[i] = 0 }
      return x[i]
    }
  }

  /// Σ x², summed as `weightedSum` sums its result's squares (the same bits for the same
  /// values): the norms of gradients combined some other way.
  static func sumOfSquaresAsCombined(_ x: UnsafePointer<Float>, count n: Int) -> Double {
    squaresAsCombined(count: n) { load(x + $0) } scalar: { x[$0] }
  }

  /// Σ v² of the values `vector` (a vector at an index) and `scalar` (one at an index) give for
  /// indices 0..<n: one vector register of Float partial sums, folded into Double every 4,096.
  @inline(__always) private static func squaresAsCombined(
    count n: Int, vector: (Int) -> V, scalar: (Int) -> Float
  ) -> Double {
    var total: Double = 0
    var i = 0
    while i < n {
      let end = min(i + 4096, n)
      var acc = V(repeating: 0)
      while i + width <= end {
        let v = vector(i)
        acc += v * v
        i += width
      }
      var partial = acc.sum()
      while i < end {
        let v = scalar(i)
        partial += v * v
        i += 1
      }
      total += Double(partial)
    }
    return total
  }

  /// x ·= factor
  static func scale(_ x: UnsafeMutablePointer<Float>, count n: Int, by factor: Float) {
    var i = 0
    let f = V(repeating: factor)
    while i + width <= n {
      store(load(x + i) * f, x + i)
      i += width
    }
    while i < n { x[i] *= factor; i += 1 }
  }

  /// How far ahead of an optimizer's update (in floats, 16 cache lines) the parameters are
  /// fetched for writing (`dnn_prefetch_write`). With the batch split, both cores read every
  /// weight in their forward and each updates its slice: the slice's lines sit in both caches,
  /// and each store waited for the other core's copy to be invalidated, one line at a time.
  /// The reference MLP's momentum update took 12.7% of a split step's samples, 3x its time on
  /// one core; fetched ahead for ownership, 4.7%, and its epoch 0.383 -> 0.318 s (Intel Xeon,
  /// AVX-512; docs/performance.md). 128 and 256 were equal, 512 slower.
  static let writeAhead = 256

  /// Plain SGD (PyTorch, no momentum): θ -= η (∇ + λθ). With `clearingGradient`, ∇ is set to
  /// 0 in the same pass.
  static func sgd(
    _ theta: UnsafeMutablePointer<Float>, _ grad: UnsafeMutablePointer<Float>, count n: Int, lr: Float,
    weightDecay wd: Float, clearingGradient: Bool
  ) {
    var i = 0
    let vlr = V(repeating: lr), vwd = V(repeating: wd), zero = V(repeating: 0)
    while i + width <= n {
      dnn_prefetch_write(theta + i + writeAhead)
      let p = load(theta + i)
      store(p - vlr * (load(grad + i) + vwd * p), theta + i)
      if clearingGradient { store(zero, grad + i) }
      i += width
    }
    while i < n {
      theta[i] -= lr * (grad[i] + wd * theta[i])
      if clearingGradient { grad[i] = 0 }
      i += 1
    }
  }

  /// SGD with momentum (PyTorch, dampening 0): g = ∇ + λθ; b = μb + g; θ -= η (Nesterov ? g + μb : b).
  /// With `clearingGradient`, ∇ is set to 0 in the same pass (cheaper than clearing it later).
  static func sgdMomentum(
    _ theta: UnsafeMutablePointer<Float>, _ grad: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>,
    count n: Int, lr: Float, momentum mu: Float, weightDecay wd: Float, nesterov: Bool, clearingGradient: Bool
  ) {
    var i = 0
    let vlr = V(repeating: lr), vmu = V(repeating: mu), vwd = V(repeating: wd), zero = V(repeating: 0)
    while i + width <= n {
      dnn_prefetch_write(theta + i + writeAhead)
      let p = load(theta + i)
      let g = load(grad + i) + vwd * p
      let v = vmu * load(b + i) + g
      store(v, b + i)
      store(p - vlr * (nesterov ? g + vmu * v : v), theta + i)
      if clearingGradient { store(zero, grad + i) }
      i += width
    }
    while i < n {
      let g = grad[i] + wd * theta[i]
      let v = mu * b[i] + g
      b[i] = v
      theta[i] -= lr * (nesterov ? g + mu * v : v)
      if clearingGradient { grad[i] = 0 }
      i += 1
    }
  }

  /// The constants of one Adam step (see `Adam`): `shrink` = 1 - ηλ for AdamW (else 1), `l2` = λ
  /// for Adam (else 0), `stepSize` = η / (1 - β₁ᵗ), `inverseCorrection2Root` = 1 / √(1 - β₂ᵗ).
  struct AdamStep {
    var beta1: Float, beta2: Float, epsilon: Float, shrink: Float, l2: Float, stepSize: Float, inverseCorrection2Root: Float
  }

  /// Adam / AdamW (PyTorch): p = θ·shrink; g = ∇ + l2·p; m = β₁m + (1-β₁)g; v = β₂v + (1-β₂)g²;
  /// θ = p - stepSize·m / (√v · (1 / √(1-β₂ᵗ)) + ε). With `clearingGradient`, ∇ is set to 0 in
  /// the same pass.
  ///
  /// PyTorch divides √v by √(1-β₂ᵗ); here it is a multiplication by the inverse (computed once
  /// per step in Double), at most an ulp from the division: the loop was bound by the divider
  /// (two divisions and a square root per element, each 5-6 cycles per 8 lanes on the Xeon,
  /// while its loads and stores wait), and this takes one division out.
  ///
  /// In C (`dnn_adam`, CCPU): `SIMD16<Float>.squareRoot()` compiles to sixteen scalar square
  /// roots with the vector spilled to the stack (perf annotate: 44% of this kernel in those
  /// spills), and a plain Swift loop is not vectorised either (`Float.squareRoot()` is libm's
  /// `sqrtf`, which keeps errno); C's `__builtin_elementwise_sqrt` vectorises to `vsqrtps`.
  /// Every element takes the same operations in the same order (no contraction into FMAs), so
  /// the bits are the formula's whatever the vector width.
  static func adam(
    _ theta: UnsafeMutablePointer<Float>, _ grad: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>,
    _ v: UnsafeMutablePointer<Float>, count n: Int, _ s: AdamStep, clearingGradient: Bool
  ) {
    dnn_adam(theta, grad, m, v, n, s.beta1, s.beta2, s.shrink, s.l2, s.stepSize, s.inverseCorrection2Root, s.epsilon, clearingGradient ? 1 : 0)
  }
}
