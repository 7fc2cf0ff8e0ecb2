/// A finite-difference check of one layer of a model, on real inputs: the layer's hand-written
/// backward against central differences of the scalar L = Σ G ⊙ layer(X), for a fixed random G
/// and X the layer's input on a batch of digits (the layers before it in inference mode; the
/// layer itself in training mode, so BatchNorm's batch statistics are what is checked).
///
/// For each tensor (the input, then each parameter) up to `entriesPerTensor` entries are
/// perturbed by ±ε. The error of an entry is |analytic − numeric| divided by the largest
/// |numeric| of its tensor (scale-free, as in the tests; at least a thousandth of the layer's
/// largest). In ReLU, LeakyReLU and max-pool layers, entries at a kink (an input within ε of 0,
/// a window's maximum within ε of switching, where the one-sided differences disagree) are
/// skipped and counted: no derivative exists there to compare.
public enum LayerGradientCheck {
  /// The outcome for one tensor.
  public struct TensorResult: Sendable, Equatable {
    /// `input`, or the parameter's name (`0.weight`).
    public var name: String
    /// The largest error over the checked entries (0 when none was checked).
    public var maxRelativeError: Double
    public var checked: Int
    /// Entries skipped at kinks.
    public var skipped: Int
    /// Elements in the tensor.
    public var total: Int
  }

  /// The outcome of a check.
  public struct Report: Sendable {
    public var layer: Int
    public var summary: String
    public var samples: Int
    public var epsilon: Float
    public var tensors: [TensorResult]
    /// The largest error over every tensor.
    public var maxRelativeError: Double { tensors.map(\.maxRelativeError).max() ?? 0 }
    /// The verdict: the backward agrees with finite differences (`maxRelativeError` below
    /// `LayerGradientCheck.passingError`).
    public var passed: Bool { maxRelativeError < LayerGradientCheck.passingError }
  }

  /// The largest relative error a right backward pass shows (float32 differences with ε 1e-2:
  /// rounding and curvature stay well under it; a wrong term is of order 1).
  public static let passingError = 1e-2

  /// Checks layer `index` of `model` (which it changes: use a copy, such as one made from a
  /// `ModelSnapshot`) on `images` `[B, 784]`.
  public static func run(
    _ model: Sequential, layer index: Int, images: Tensor, entriesPerTensor: Int = 24, epsilon: Float = 1e-2, seed: UInt64 = 7
  ) -> Report {
    precondition(model.layers.indices.contains(index), "no layer \(index)")
    var x = images
    for layer in model.layers[0..<index] { x = layer.forward(x, phase: .inference) }
    let input = x.clone()
    let layer = model.layers[index]
    layer.prepareForGradientCheck()
    var generator = SplitMix64(seed: seed)
    let g = Tensor(rows: input.rows, columns: layer.outputFeatures)
    for i in 0..<g.count { g[i] = generator.nextNormal() }

    for p in layer.parameters { p.zeroGradient() }
    _ = layer.forward(input, phase: .training)
    let inputGradient = layer.backward(g).clone()
    func objective() -> Double {
      let y = layer.forward(input, phase: .training)
      var total: Double = 0
      for i in 0..<y.count { total += Double(y[i]) * Double(g[i]) }
      return total
    }
    let centre = objective()
    let hasKinks = layer.isPiecewiseLinear
    typealias Measured = (name: String, pairs: [(analytic: Double, numeric: Double)], skipped: Int, total: Int)
    func check(_ name: String, values: Tensor, analytic: Tensor) -> Measured {
      let picks = entries(count: values.count, limit: entriesPerTensor, generator: &generator)
      var pairs: [(analytic: Double, numeric: Double)] = []
      var skipped = 0
      for i in picks {
        let saved = values[i]
        values[i] = saved + epsilon
        let plus = objective()
        values[i] = saved - epsilon
        let minus = objective()
        values[i] = saved
        let forward = (plus - centre) / Double(epsilon), backward = (centre - minus) / Double(epsilon)
        // A kink between x − ε and x + ε: the one-sided slopes differ, no derivative to compare.
        // (Only piecewise-linear layers have kinks; elsewhere the slopes differ by curvature.)
        if hasKinks && abs(forward - backward) > 1e-2 * max(abs(forward), abs(backward), 1e-3) + 1e-3 {
          skipped += 1
          continue
        }
        pairs.append((Double(analytic[i]), (plus - minus) / Double(2 * epsilon)))
      }
      return (name, pairs, skipped, values.count)
    }
    var measured = [check("input", values: input, analytic: inputGradient)]
    for p in layer.parameters { measured.append(check(p.name, values: p.value, analytic: p.gradient)) }
    // A tensor whose true gradient is 0 (attention's key bias: softmax ignores a shift shared by
    // every score) has only rounding noise to compare: its scale has a floor of a thousandth of
    // the layer's largest gradient.
    let largest = measured.flatMap { $0.pairs.map { abs($0.numeric) } }.max() ?? 0
    let results = measured.map { m in
      let scale = max(m.pairs.map { abs($0.numeric) }.max() ?? 0, 1e-3 * largest, 1e-9)
      let worst = m.pairs.map { abs($0.analytic - $0.numeric) / scale }.max() ?? 0
      return TensorResult(name: m.name, maxRelativeError: worst, checked: m.pairs.count, skipped: m.skipped, total: m.total)
    }
    return Report(layer: index, summary: layer.summary, samples: input.rows, epsilon: epsilon, tensors: results)
  }

  /// Up to `limit` distinct indices below `count`: all of them when few, else a random choice.
  static func entries(count: Int, limit: Int, generator: inout SplitMix64) -> [Int] {
    guard count > limit else { return Array(0..<count) }
    var chosen = Set<Int>()
    while chosen.count < limit { chosen.insert(Int(generator.next() % UInt64(count))) }
    return chosen.sorted()
  }
}
