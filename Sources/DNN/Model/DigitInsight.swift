/// What a model makes of one digit, for the dashboard's inside view: its probabilities, its
/// saliency, the smallest adversarial nudges that reach a goal, and every layer's output (the
/// feature maps of convolutions and pooling, the activations of the others). Computed on a copy
/// of the model (`ModelSnapshot.makeModel()`), never the trainer's.
public struct DigitInsight: Sendable {
  public var image: [Float]
  /// The true class, when the digit has one (a validation digit; not a drawing).
  public var label: Int?
  public var probabilities: [Float]
  public var saliency: Saliency
  /// The goal of the nudges: away from the true class (or the predicted one), or toward a class.
  public var goal: AdversarialNudge.Goal
  /// One signed step (FGSM) and its iterated form, each at the smallest ε that reaches the goal.
  public var singleStep: AdversarialNudge.Result
  public var iterated: AdversarialNudge.Result
  /// Each layer's inference output for the digit, its feature maps' shape (nil once flattened),
  /// and its summary (`Conv2D(1 -> 16, 5x5, padding 2, he)`).
  public var layerOutputs: [[Float]]
  public var shapes: [ImageShape?]
  public var summaries: [String]

  /// The predicted class.
  public var predicted: Int { Classification.argmax(probabilities) }

  /// Looks at `image` (784 pixels in [0, 1]) through `model`, which it changes (use a copy);
  /// `toward` a class, or nil to nudge away from `label` (the predicted class without one).
  public init(_ model: Sequential, image: [Float], label: Int?, toward: Int?) {
    self.image = image
    self.label = label
    let input = Tensor(rows: 1, columns: image.count, values: image)
    layerOutputs = model.layerOutputs(input)
    shapes = model.imageShapes
    summaries = model.layers.map(\.summary)
    probabilities = layerOutputs.last ?? []
    saliency = Saliency(model, image: image)
    let away = label ?? saliency.classIndex
    goal = toward.map { .toward($0) } ?? .awayFrom(away)
    singleStep = AdversarialNudge.nudge(model, image: image, goal: goal, iterated: false)
    iterated = AdversarialNudge.nudge(model, image: image, goal: goal, iterated: true)
  }
}
