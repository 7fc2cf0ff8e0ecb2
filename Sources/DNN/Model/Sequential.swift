/// Layers applied one after another, with the loss that trains them.
///
/// Parameters get PyTorch state-dict names from the layer index (`0.weight`, `2.bias`). When
/// the last layer is `Softmax`, training uses the fused softmax + cross-entropy on the scores
/// of the layer before it; inference still returns probabilities.
public final class Sequential {
  /// The layers, in order.
  public let layers: [Layer]
  /// Every learnable tensor, named `<layer index>.<name>`.
  public let parameters: [Parameter]
  /// Every non-learnt state tensor (`1.running_mean`), for checkpoints.
  public let buffers: [Buffer]
  /// True when the model ends in `Softmax` and trains through the fused loss.
  public let usesFusedLoss: Bool

  private let fusedLoss = SoftmaxCrossEntropy()
  private let crossEntropy = CrossEntropy()
  /// When set, training forward passes record each layer's output statistics in it (the
  /// layer-health report; the trainer sets it for the steps it measures, else nil: no cost).
  public var activationTrace: ActivationTrace?

  /// A model of `layers`; widths must chain (`layers[i].outputFeatures == layers[i+1].inputFeatures`).
  public init(_ layers: [Layer]) {
    precondition(!layers.isEmpty, "A model needs at least one layer")
    for i in 1..<max(layers.count, 1) {
      precondition(
        layers[i - 1].outputFeatures == layers[i].inputFeatures,
        "Layer \(i) expects \(layers[i].inputFeatures) features but layer \(i - 1) gives \(layers[i - 1].outputFeatures)")
    }
    self.layers = layers
    var parameters: [Parameter] = []
    var buffers: [Buffer] = []
    for (index, layer) in layers.enumerated() {
      for p in layer.parameters {
        p.name = "\(index).\(p.name)"
        parameters.append(p)
      }
      for b in layer.buffers { buffers.append(Buffer(name: "\(index).\(b.name)", value: b.value)) }
    }
    self.parameters = parameters
    self.buffers = buffers
    usesFusedLoss = layers.last is Softmax
    layers.first?.skipInputGradient()
  }

  /// A model sharing this one's parameter values, with its own gradients and buffers, or nil
  /// when a layer has no replica (see `Layer.replica()`).
  public func replica() -> Sequential? {
    var copies: [Layer] = []
    for layer in layers {
      guard let copy = layer.replica() else { return nil }
      copies.append(copy)
    }
    let copy = Sequential(copies)
    for (mine, theirs) in zip(parameters, copy.parameters) { theirs.name = mine.name }
    return copy
  }

  /// Features per input sample.
  public var inputFeatures: Int { layers[0].inputFeatures }
  /// Features per output sample (classes).
  public var outputFeatures: Int { layers[layers.count - 1].outputFeatures }
  /// Number of learnable scalars.
  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

  /// The output for `input` `[B, inputFeatures]`: probabilities when the model ends in Softmax.
  public func predict(_ input: Tensor) -> Tensor { forward(input, phase: .inference, through: layers.count) }

  /// Forward through the first `count` layers.
  private func forward(_ input: Tensor, phase: Phase, through count: Int) -> Tensor {
    var x = input
    for index in 0..<count {
      x = layers[index].forward(x, phase: phase)
      if phase == .training, let activationTrace { activationTrace.record(index, role: layers[index].outputHealth, output: x) }
    }
    return x
  }

  /// Clears every parameter gradient.
  public func zeroGradients() { for p in parameters { p.zeroGradient() } }

  /// One forward and backward pass over a batch: gradients are *added* to the parameters'.
  /// Returns the mean loss and the model's output (probabilities, or the last layer's output).
  public func lossAndGradients(_ input: Tensor, labels: [Int]) -> (loss: Float, output: Tensor) {
    let loss: Float
    let output: Tensor
    var gradient: Tensor
    var backwardFrom: Int
    if usesFusedLoss {
      let logits = forward(input, phase: .training, through: layers.count - 1)
      loss = fusedLoss.loss(logits: logits, labels: labels)
      output = fusedLoss.probabilities
      activationTrace?.record(layers.count - 1, role: layers[layers.count - 1].outputHealth, output: output)
      gradient = fusedLoss.backward()
      backwardFrom = layers.count - 2
    } else {
      output = forward(input, phase: .training, through: layers.count)
      loss = crossEntropy.loss(probabilities: output, labels: labels)
      gradient = crossEntropy.backward()
      backwardFrom = layers.count - 1
    }
    while backwardFrom >= 0 {
      gradient = layers[backwardFrom].backward(gradient)
      backwardFrom -= 1
    }
    return (loss, output)
  }
}

extension Sequential: CustomStringConvertible {
  /// The layer tree with output shapes and parameter counts, like `print(model)` in PyTorch.
  public var description: String {
    var lines = ["Sequential(\(inputFeatures) -> \(outputFeatures), \(parameterCount.grouped) parameters)"]
    let width = layers.map(\.summary.count).max() ?? 0
    for (i, layer) in layers.enumerated() {
      let pad = String(repeating: " ", count: width - layer.summary.count)
      let count = layer.parameterCount
      let shape = imageShapes[i].map { " (\($0.text))" } ?? ""
      lines.append(
        "  (\(i)) \(layer.summary)\(pad)  -> [B, \(layer.outputFeatures)]\(shape)"
          + (count > 0 ? "  \(count.grouped) params" : ""))
    }
    return lines.joined(separator: "\n")
  }

  /// The feature maps after each layer: those of convolutions and pooling, kept by the
  /// element-wise layers after them; nil once a dense or attention layer has flattened them.
  public var imageShapes: [ImageShape?] {
    var current: ImageShape? = layers.first?.readsImages == true ? .mnist : nil
    return layers.map { layer in
      current = layer.image(after: current)
      return current
    }
  }

  /// A one-line description such as `784-256-128-10 relu softmax`, or with convolutions
  /// the feature maps: `1x28x28 → 16x28x28 relu → 16x14x14 → 32x14x14 relu → 32x7x7-128 relu-10 softmax`.
  public var oneLine: String {
    let shapes = imageShapes
    let start = layers.first?.outputShape != nil ? ImageShape.mnist.text : "\(inputFeatures)"
    return layers.enumerated().map { i, layer in
      if layer.outputShape != nil, let shape = shapes[i] { return "→ \(shape.text)" }
      return layer is Dense ? "\(layer.outputFeatures)" : layer.configName
    }.reduce(into: start) { text, part in
      text += part.first!.isNumber ? "-\(part)" : " \(part)"
    }
  }
}
