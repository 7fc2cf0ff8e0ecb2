/// Whether a forward pass is part of training (batch statistics, dropout on) or inference.
public enum Phase: Sendable {
  case training, inference
}

/// A learnable tensor and the gradient accumulated for it by backward passes.
public final class Parameter {
  /// PyTorch-style state-dict name, such as `0.weight`; the model sets the layer-index prefix.
  public internal(set) var name: String
  /// The current values.
  public let value: Tensor
  /// d(loss)/d(value), accumulated (`+=`) by `backward` and cleared by `zeroGradient()`.
  public let gradient: Tensor

  /// True for a per-feature vector (biases, BatchNorm scale and shift): stored `[rows: 1, F]`,
  /// saved with PyTorch's 1-D shape `[F]`.
  public let isVector: Bool
  /// The shape checkpoints save, PyTorch's: `[F, C, k, k]` for a convolution's weights,
  /// `[F]` for a vector, else `[rows, columns]`.
  public let shape: [Int]

  /// A parameter shaped `[rows, columns]`, zero-filled, with a zero gradient; `shape` is its
  /// saved shape when that has more dimensions (same elements in the same order).
  public init(name: String, rows: Int, columns: Int, isVector: Bool = false, shape: [Int]? = nil) {
    precondition(!isVector || rows == 1, "a vector parameter has one row")
    precondition(shape.map { $0.reduce(1, *) == rows * columns } ?? true, "shape \(shape ?? []) does not hold [\(rows), \(columns)]")
    self.isVector = isVector
    self.shape = shape ?? (isVector ? [columns] : [rows, columns])
    self.name = name
    value = Tensor(rows: rows, columns: columns)
    gradient = Tensor(rows: rows, columns: columns)
  }

  /// A parameter with the same values (the same storage) as `other` and a gradient of its own,
  /// for a layer replica that works on part of a batch.
  public init(sharingValueWith other: Parameter) {
    name = other.name
    isVector = other.isVector
    shape = other.shape
    value = other.value
    gradient = Tensor(rows: other.value.rows, columns: other.value.columns)
  }

  /// Sets the gradient to zero.
  public func zeroGradient() { gradient.fill(0) }
}

/// A named tensor that is state but not learnt, such as BatchNorm's running mean.
public struct Buffer {
  /// State-dict name, such as `1.running_mean`.
  public var name: String
  /// The values.
  public let value: Tensor
}

/// One layer of a feed-forward network, with its forward and backward pass written by hand.
///
/// Contract: `forward` caches what `backward` needs and returns a tensor the layer owns (valid
/// until the next call); `backward` takes d(loss)/d(output), *adds* parameter gradients into
/// each `Parameter.gradient` and returns d(loss)/d(input), also layer-owned. Shapes are
/// `[batch, features]` throughout.
public protocol Layer: AnyObject {
  /// The layer's type, whose raw value is its configuration name (`dense`).
  var kind: LayerKind { get }
  /// The name its configuration spells (`dense`, or an activation's own).
  var configName: String { get }
  /// Makes every gradient of the layer computable and its forward pass repeatable, for the
  /// finite-difference check (`LayerGradientCheck`): the input gradient even of a first layer,
  /// the same dropout mask on every pass. Default: nothing to do.
  func prepareForGradientCheck()
  /// What layer health measures of its output besides mean and spread: dead units (ReLU
  /// kinds), saturated rows (softmax). Default: the spread only.
  var outputHealth: OutputHealth { get }
  /// Whether its function has kinks (ReLU kinds, max-pooling): the finite-difference check
  /// skips entries whose one-sided slopes differ there. Default: smooth.
  var isPiecewiseLinear: Bool { get }
  /// As the first layer, it need not compute d(loss)/d(input) (nothing is before it): the
  /// layers that can skip that product do. Default: nothing to skip.
  func skipInputGradient()
  /// Whether it flattens feature maps into plain features (dense, attention): no image after it.
  var flattensImages: Bool { get }
  /// Whether it reads feature maps (convolution, pooling): as the first layer, it reads the
  /// 1x28x28 image.
  var readsImages: Bool { get }
  /// One line for model summaries, such as `Dense(784 -> 256, he)`.
  var summary: String { get }
  /// Features per sample going in.
  var inputFeatures: Int { get }
  /// Features per sample coming out.
  var outputFeatures: Int { get }
  /// The feature maps coming out, for layers that make images (convolution, pooling); nil for
  /// the others (element-wise layers keep the shape they get).
  var outputShape: ImageShape? { get }
  /// Floats per sample of the largest buffer the layer keeps (default: its output).
  var workspacePerSample: Int { get }
  /// Learnable tensors, named without the layer-index prefix (`weight`, `bias`).
  var parameters: [Parameter] { get }
  /// Non-learnt state saved with checkpoints (`running_mean`), without the prefix.
  var buffers: [Buffer] { get }
  /// Computes the output `[batch, outputFeatures]` of `input` `[batch, inputFeatures]`.
  func forward(_ input: Tensor, phase: Phase) -> Tensor
  /// Back-propagates `outputGradient` `[batch, outputFeatures]`; returns `[batch, inputFeatures]`.
  func backward(_ outputGradient: Tensor) -> Tensor
  /// A copy that shares this layer's parameter values but has its own gradients and buffers,
  /// so that two threads can each run forward and backward on part of a batch (the first half
  /// on this layer, the second on the replica). Layers that need the whole batch (BatchNorm's
  /// statistics, Dropout's mask) share a `HalfBatchSync` with their replica. Nil for a layer
  /// that cannot be split.
  func replica() -> Layer?
  /// Whether one thread may run both halves of a split step's batch through it as one pass
  /// (`Sequential.halves`) with the bits of the two halves' passes: true for layers whose rows
  /// never meet (element-wise and row-wise ones) and for those that keep each half's sums over
  /// rows apart when told where the second half starts (`keepHalvesApart`). Default: false.
  var passesBothHalves: Bool { get }
  /// Where the second half of the batch starts in the training passes that follow, nil for
  /// passes over one batch. Only layers that sum over rows need it (Dense). Default: nothing.
  func keepHalvesApart(at split: Int?)
  /// Appends what `forward(_:phase: .inference)` computes to `graph` as standard operators
  /// (`InferenceGraph`: ONNX's), reading `input`; nodes and constants named from `name` (the
  /// layer's index); returns the output value. Every layer writes its own (no default).
  func appendInference(to graph: InferenceGraph, input: InferenceGraph.Value, name: String) -> InferenceGraph.Value
}

extension Layer {
  public func replica() -> Layer? { nil }
  public var passesBothHalves: Bool { false }
  public func keepHalvesApart(at split: Int?) {}
  public var outputShape: ImageShape? { nil }

  /// The feature maps after this layer when `input` comes in: its own (convolution, pooling),
  /// none once a dense or attention layer has flattened them, else the input's (element-wise
  /// layers and BatchNorm keep the image). The one rule the builder and summaries follow.
  public func image(after input: ImageShape?) -> ImageShape? {
    if let shape = outputShape { return shape }
    return flattensImages ? nil : input
  }

  /// Floats per sample of the largest buffer the layer keeps (its output; a convolution's im2col
  /// columns are larger), for sizing inference batches.
  public var workspacePerSample: Int { outputFeatures }
  public var configName: String { kind.rawValue }
  public func prepareForGradientCheck() {}
  public var outputHealth: OutputHealth { .spread }
  public var isPiecewiseLinear: Bool { false }
  public func skipInputGradient() {}
  public var flattensImages: Bool { false }
  public var readsImages: Bool { false }
  public var parameters: [Parameter] { [] }
  public var buffers: [Buffer] { [] }
  /// Number of learnable scalars.
  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
}

/// What layer health reads from a layer's output (`Layer.outputHealth`).
public enum OutputHealth: Sendable {
  /// Mean and standard deviation only.
  case spread
  /// Also the fraction of units not positive for any sample (units that no longer learn).
  case deadUnits
  /// Also the fraction of rows whose largest value is at least `ActivationStats.saturationThreshold`.
  case saturation
}
