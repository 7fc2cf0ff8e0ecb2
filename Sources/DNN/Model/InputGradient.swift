import Foundation

/// Gradients with respect to the input pixels, through every layer's own backward pass (the
/// first layer's input gradient included), for one image: saliency maps and adversarial nudges.
/// The model is changed (its caches and gradients): use a copy, such as one made from a
/// `ModelSnapshot`, never the trainer's.
///
/// The scores z are the input of a final Softmax (the logits), else the model's output; the
/// layers run in inference mode (BatchNorm's running statistics, no dropout), as they predict.
///   z = f(x)                    x: [1, 784] pixels in [0, 1], z: [1, C]
///   ∂(gᵀz)/∂x = backward(g)     each layer's backward, last to first, g: [1, C]
public enum InputGradient {
  /// The scores of `image`, their softmax, and d(Σₖ gₖ zₖ)/d(pixels) for the weights `g` that
  /// `scoreWeights` makes of the probabilities.
  public static func of(
    _ model: Sequential, image: [Float], scoreWeights: (_ probabilities: [Float]) -> [Float]
  ) -> (gradient: [Float], scores: [Float], probabilities: [Float]) {
    precondition(image.count == model.inputFeatures, "an image of \(model.inputFeatures) values")
    let layers = model.layers.last is Softmax ? Array(model.layers.dropLast()) : model.layers
    // Every layer computes its input gradient here, the first one included.
    for layer in layers { layer.prepareForGradientCheck() }
    var x = Tensor(rows: 1, columns: image.count, values: image)
    for layer in layers { x = layer.forward(x, phase: .inference) }
    let scores = x.values
    let probabilities = softmax(scores)
    var g = Tensor(rows: 1, columns: scores.count, values: scoreWeights(probabilities))
    for layer in layers.reversed() { g = layer.backward(g) }
    return (g.values, scores, probabilities)
  }

  /// The softmax of `scores` (the Softmax layer's own).
  public static func softmax(_ scores: [Float]) -> [Float] {
    let output = Tensor(rows: 1, columns: scores.count)
    Softmax.rows(of: Tensor(rows: 1, columns: scores.count, values: scores), into: output)
    return output.values
  }

  /// `class`'s one-hot weights over `classes` scores.
  static func oneHot(_ k: Int, _ classes: Int) -> [Float] { (0..<classes).map { $0 == k ? 1 : 0 } }
}

/// Which pixels the model looks at for one image (Simonyan et al. 2013): the gradient of a
/// class's score (the predicted one's unless given) with respect to the 784 pixels, and that
/// gradient times the pixels (what the ink that is there contributes).
public struct Saliency: Sendable {
  public var classIndex: Int
  /// ∂z_c/∂x, per pixel.
  public var gradient: [Float]
  /// ∂z_c/∂x ⊙ x, per pixel.
  public var gradientTimesInput: [Float]
  /// The model's probabilities for the image.
  public var probabilities: [Float]

  /// The saliency of `image` for `classIndex` (nil: the predicted class) under `model` (changed:
  /// use a copy).
  public init(_ model: Sequential, image: [Float], classIndex: Int? = nil) {
    var chosen = classIndex ?? 0
    let result = InputGradient.of(model, image: image) { p in
      chosen = classIndex ?? Classification.argmax(p)
      return InputGradient.oneHot(chosen, p.count)
    }
    self.classIndex = chosen
    gradient = result.gradient
    gradientTimesInput = zip(result.gradient, image).map { $0 * $1 }
    probabilities = result.probabilities
  }
}

/// How little it takes (Goodfellow et al. 2015): signed-gradient steps on one image toward a
/// class, or away from its true one, each pixel moved by at most ε and kept in [0, 1].
/// FGSM: x' = clip(x + ε·sign(∇ₓ J)); iterated (Kurakin et al. 2016): 10 steps of ε/4, each
/// projected back into the ε-box and [0, 1]. J is log p_t (toward t) or -log p_y (away from y).
/// The smallest ε of a grid that reaches the goal is reported, for each form.
public enum AdversarialNudge {
  public enum Goal: Sendable, Equatable {
    case awayFrom(Int), toward(Int)

    /// Whether `predicted` reaches the goal.
    public func isReached(by predicted: Int) -> Bool {
      switch self {
      case .awayFrom(let y): predicted != y
      case .toward(let t): predicted == t
      }
    }

    /// ∂J/∂z for the softmax probabilities p: J = -log p_y (away) or log p_t (toward).
    func scoreWeights(_ p: [Float]) -> [Float] {
      switch self {
      case .awayFrom(let y): p.indices.map { p[$0] - ($0 == y ? 1 : 0) }
      case .toward(let t): p.indices.map { ($0 == t ? 1 : 0) - p[$0] }
      }
    }
  }

  /// A nudged image and what the model makes of it.
  public struct Result: Sendable {
    public var goal: Goal
    /// The smallest ε of the grid that reaches the goal, or nil (the largest ε's image is kept).
    public var epsilon: Float?
    /// The iterated form (`iterated`) or the single step.
    public var iterated: Bool
    public var image: [Float]
    /// image − original, per pixel, in [−ε, ε].
    public var perturbation: [Float]
    public var predicted: Int
    public var probabilities: [Float]
  }

  /// ε tried, smallest first: 0.005 to 0.5 in steps that grow by a third.
  public static let epsilons: [Float] = {
    var values: [Float] = []
    var e: Float = 0.005
    while e <= 0.5 {
      values.append(e)
      e *= 4 / 3
    }
    return values + [0.5]
  }()

  /// Iterated steps, each of ε/4.
  public static let iterations = 10

  /// The smallest ε of `grid` (ascending) with which one signed step (or, `iterated`, ten)
  /// moves `image` to `goal` under `model` (changed: use a copy). The largest ε is tried first
  /// (nil when even it fails), then a bisection of the grid: a larger step reaches the goal at
  /// least as surely, so six tries stand for eighteen.
  public static func nudge(_ model: Sequential, image: [Float], goal: Goal, iterated: Bool, grid: [Float] = epsilons) -> Result {
    precondition(!grid.isEmpty, "a grid of step sizes")
    func attempt(_ epsilon: Float) -> Result {
      let nudged = iterated ? iterate(model, image, goal: goal, epsilon: epsilon) : step(model, image, from: image, goal: goal, size: epsilon, box: epsilon)
      let p = model.predict(Tensor(rows: 1, columns: nudged.count, values: nudged)).values
      let predicted = Classification.argmax(p)
      return Result(goal: goal, epsilon: epsilon, iterated: iterated, image: nudged, perturbation: zip(nudged, image).map { $0 - $1 },
                    predicted: predicted, probabilities: p)
    }
    var found = attempt(grid[grid.count - 1])
    guard goal.isReached(by: found.predicted) else {
      found.epsilon = nil
      return found
    }
    // Invariant: grid[high] reaches the goal; below `low` nothing tried does.
    var (low, high) = (0, grid.count - 1)
    while low < high {
      let middle = (low + high) / 2
      let result = attempt(grid[middle])
      if goal.isReached(by: result.predicted) {
        (high, found) = (middle, result)
      } else {
        low = middle + 1
      }
    }
    return found
  }

  /// One signed-gradient step of `size` from `x`, kept within `box` of `original` and in [0, 1].
  static func step(_ model: Sequential, _ x: [Float], from original: [Float], goal: Goal, size: Float, box: Float) -> [Float] {
    let g = InputGradient.of(model, image: x, scoreWeights: goal.scoreWeights).gradient
    return x.indices.map { i in
      let moved = x[i] + size * (g[i] > 0 ? 1 : (g[i] < 0 ? -1 : 0))
      return min(max(min(max(moved, original[i] - box), original[i] + box), 0), 1)
    }
  }

  private static func iterate(_ model: Sequential, _ image: [Float], goal: Goal, epsilon: Float) -> [Float] {
    var x = image
    for _ in 0..<iterations { x = step(model, x, from: image, goal: goal, size: epsilon / 4, box: epsilon) }
    return x
  }
}
