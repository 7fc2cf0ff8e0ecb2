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
  /// Each layer that can meet the other half of a split batch, at its index (nil elsewhere).
  private let meetingLayers: [MeetingLayer?]
  /// The training pass under way.
  let pass = TrainingPass()
  private let crossEntropy = CrossEntropy()
  /// When set, training forward passes record each layer's output statistics in it (the
  /// layer-health report; the trainer sets it for the steps it measures, else nil: no cost).
  public var activationTrace: ActivationTrace?
  /// When set, training passes add each layer's time to it (`RunPlan.timesLayers`).
  var layerClock: LayerClock?
  /// The index of each BatchNorm followed by a ReLU: training passes that record no activations
  /// run the pair in the BatchNorm's passes (`BatchNorm.rectifies`) and skip the ReLU's, one
  /// pass less over the batch each way with the same bits (tests compare both ways).
  let rectifyingLayers: [Int]
  /// Whether training passes run those pairs as one (true but in tests).
  var fusesBatchNormReLU = true
  /// The ReLUs after them, which such passes skip.
  private let appliedReLUs: [Int]

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
    meetingLayers = layers.map { $0 as? MeetingLayer }
    rectifyingLayers = layers.indices.dropLast().filter { layers[$0] is BatchNorm && type(of: layers[$0 + 1]) == ReLU.self }
    appliedReLUs = rectifyingLayers.map { $0 + 1 }
    layers.first?.skipInputGradient()
  }

  /// Label smoothing of the training loss (`SoftmaxCrossEntropy.smoothing`, from
  /// `RunConfig.labelSmoothing`); only a model that ends in Softmax trains with one.
  public var labelSmoothing: Float {
    get { fusedLoss.smoothing }
    set {
      precondition(newValue >= 0 && newValue < 1, "label smoothing \(newValue) is not in [0, 1)")
      precondition(usesFusedLoss || newValue == 0, "label smoothing needs a model that ends in Softmax")
      fusedLoss.smoothing = newValue
    }
  }

  /// Whether a split step whose helper sits out can run both halves of its batch as one pass
  /// of this model (`halves`): every layer runs rows apart or keeps its halves' sums apart, and
  /// the fused loss keeps its halves' losses apart.
  var passesBothHalves: Bool {
    usesFusedLoss && layers.dropLast().allSatisfy(\.passesBothHalves)
  }

  /// Where the second half of the batch starts in the training passes that follow, for a split
  /// step that runs both halves as one pass (`passesBothHalves`): the pass then gives the loss,
  /// output and gradients of the two halves' passes combined, bit for bit, when the halves are
  /// of equal size. Nil (the default) for passes over one batch.
  var halves: Int? {
    didSet {
      for layer in layers { layer.keepHalvesApart(at: halves) }
      fusedLoss.halvesSplit = halves
    }
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
    copy.labelSmoothing = labelSmoothing
    return copy
  }

  /// Features per input sample.
  public var inputFeatures: Int { layers[0].inputFeatures }
  /// Features per output sample (classes).
  public var outputFeatures: Int { layers[layers.count - 1].outputFeatures }
  /// Number of learnable scalars.
  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

  /// The output for `input` `[B, inputFeatures]`: probabilities when the model ends in Softmax.
  public func predict(_ input: Tensor) -> Tensor {
    layers.reduce(input) { x, layer in layer.forward(x, phase: .inference) }
  }

  /// Each layer's inference output for `input`, in order (for activation histograms).
  public func layerOutputs(_ input: Tensor) -> [[Float]] {
    var x = input
    return layers.map { layer in
      x = layer.forward(x, phase: .inference)
      return x.values
    }
  }

  /// Clears every parameter gradient.
  public func zeroGradients() { for p in parameters { p.zeroGradient() } }

  /// One forward and backward pass over a batch: gradients are *added* to the parameters'.
  /// Returns the mean loss and the model's output (probabilities, or the last layer's output).
  public func lossAndGradients(_ input: Tensor, labels: [Int]) -> (loss: Float, output: Tensor) {
    beginPass(input, labels: labels)
    let done = advancePass()
    precondition(done, "a split step's layers meet the other half: DataParallelStep runs them")
    return pass.result
  }

  /// Starts a training pass (forward, loss, backward) over `input` and `labels`; `advancePass`
  /// runs it.
  func beginPass(_ input: Tensor, labels: [Int]) {
    pass.start(input, labels: labels)
    let fuses = fusesBatchNormReLU && activationTrace == nil
    for i in rectifyingLayers { (layers[i] as! BatchNorm).rectifies = fuses }
    pass.fuses = fuses
  }

  /// Whether this pass skips layer `index` (a ReLU its BatchNorm applies).
  @inline(__always) private func skips(_ index: Int) -> Bool {
    pass.fuses && appliedReLUs.contains(index)
  }

  /// Runs the pass begun by `beginPass` up to the next meeting with the other half of a split
  /// batch (a `MeetingLayer` while `meetsOtherHalf`: false), or to its end (true: `pass.result`
  /// holds the mean loss and the output). Without a split step, one call runs the whole pass.
  func advancePass() -> Bool {
    let s = pass
    if !s.goingBack {
      let end = usesFusedLoss ? layers.count - 1 : layers.count
      while s.next < end {
        let layer = layers[s.next]
        if skips(s.next) {
          s.next += 1
          continue
        }
        if s.resuming, let meeting = meetingLayers[s.next] {
          s.current = timed(s.next, backward: false) { meeting.forwardAfterMeeting() }
          s.resuming = false
        } else if let meeting = meetingLayers[s.next], meeting.meetsOtherHalf {
          timed(s.next, backward: false) { meeting.forwardUntilMeeting(s.current) }
          s.resuming = true
          return false
        } else {
          s.current = timed(s.next, backward: false) { layer.forward(s.current, phase: .training) }
        }
        activationTrace?.record(s.next, role: layer.outputHealth, output: s.current)
        s.next += 1
      }
      timed(layers.count - 1, backward: false) { startBackward() }
    }
    while s.next >= 0 {
      if skips(s.next) {
        s.next -= 1
        continue
      }
      if s.resuming, let meeting = meetingLayers[s.next] {
        s.current = timed(s.next, backward: true) { meeting.backwardAfterMeeting() }
        s.resuming = false
      } else if let meeting = meetingLayers[s.next], meeting.meetsOtherHalf {
        timed(s.next, backward: true) { meeting.backwardUntilMeeting(s.current) }
        s.resuming = true
        return false
      } else {
        s.current = timed(s.next, backward: true) { layers[s.next].backward(s.current) }
      }
      s.next -= 1
    }
    layerClock?.finishPass()
    // Only these passes fuse: a BatchNorm run on its own (a gradient check) is plain again.
    for i in rectifyingLayers { (layers[i] as! BatchNorm).rectifies = false }
    return true
  }

  /// `body`, timed as layer `index`'s forward or backward when a clock is set.
  @inline(__always) private func timed<T>(_ index: Int, backward: Bool, _ body: () -> T) -> T {
    guard let layerClock else { return body() }
    return layerClock.time(index, backward: backward, body)
  }

  /// The loss on the forward's output and its gradient, where the backward starts: the fused
  /// softmax + cross-entropy on the scores before `Softmax`, else cross-entropy on the output.
  private func startBackward() {
    let s = pass
    if usesFusedLoss {
      s.result = (fusedLoss.loss(logits: s.current, labels: s.labels), fusedLoss.probabilities)
      activationTrace?.record(layers.count - 1, role: layers[layers.count - 1].outputHealth, output: s.result.output)
      s.current = fusedLoss.backward()
      s.next = layers.count - 2
    } else {
      s.result = (crossEntropy.loss(probabilities: s.current, labels: s.labels), s.current)
      s.current = crossEntropy.backward()
      s.next = layers.count - 1
    }
    s.goingBack = true
    // The labels are the caller's array: holding it past the loss would make the caller's next
    // `removeAll(keepingCapacity:)` allocate a fresh one (a shared buffer), every step.
    s.labels = []
  }
}

/// Where a training pass of a `Sequential` stands between `advancePass` calls.
final class TrainingPass {
  /// The tensor going forward (an output) or back (a gradient).
  var current = Tensor(rows: 0, columns: 0)
  var labels: [Int] = []
  /// The next layer to run, forward or back.
  var next = 0
  var goingBack = false
  /// Whether the layer at `next` has run the part before its meeting.
  var resuming = false
  /// Whether this pass runs each BatchNorm and the ReLU after it as one
  /// (`Sequential.rectifyingLayers`), skipping those ReLUs.
  var fuses = false
  /// The mean loss and the output, once the forward is done.
  var result: (loss: Float, output: Tensor) = (0, Tensor(rows: 0, columns: 0))

  func start(_ input: Tensor, labels: [Int]) {
    current = input
    self.labels = labels
    next = 0
    goingBack = false
    resuming = false
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
