/// A model's inference written as a graph of standard operators, with ONNX's operator names,
/// attributes and semantics (opset `InferenceGraph.opset`), by the layers themselves
/// (`Layer.appendInference`): the engine says what its layers compute, and a file format
/// (`dnn export --onnx`) only encodes it. Values keep their natural ONNX shapes: `[N, F]` for
/// features, `[N, C, H, W]` for feature maps, with the batch N dynamic.
public final class InferenceGraph {
  /// The operator set the nodes are written for.
  public static let opset = 20

  public enum Attribute: Sendable, Equatable {
    case int(Int)
    case float(Float)
    case ints([Int])
    case string(String)
  }

  public struct Node: Sendable {
    public let op: String
    public let name: String
    public let inputs: [String]
    public let output: String
    /// Sorted by name.
    public let attributes: [(name: String, value: Attribute)]
  }

  /// A constant tensor: a parameter, a buffer, or a shape for Reshape.
  public struct Constant: Sendable {
    public enum Values: Sendable {
      case floats([Float])
      case int64s([Int64])
    }
    public let name: String
    public let shape: [Int]
    public let values: Values
  }

  /// A value flowing through the graph: its name, and what one sample of it is.
  public struct Value: Sendable {
    public let name: String
    /// The feature maps, or nil for `[N, features]`.
    public let image: ImageShape?
    public let features: Int
  }

  public private(set) var nodes: [Node] = []
  public private(set) var constants: [Constant] = []
  /// The graph's input: the pixels as float32 in [0, 1], `[N, 784]`.
  public let input = Value(name: "pixels", image: nil, features: 784)
  /// The graph's output, once the layers have run.
  public private(set) var output: Value?

  public init() {}

  /// Adds `op` on `inputs`; returns its output's name (`<name>_out`).
  @discardableResult
  public func node(_ op: String, _ inputs: [String], name: String, _ attributes: [String: Attribute] = [:]) -> String {
    let output = "\(name)_out"
    nodes.append(Node(op: op, name: name, inputs: inputs, output: output, attributes: attributes.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
    return output
  }

  /// Adds a float constant; returns its name.
  @discardableResult
  public func constant(_ name: String, shape: [Int], _ values: [Float]) -> String {
    precondition(shape.reduce(1, *) == values.count, "\(name): \(values.count) values for shape \(shape)")
    constants.append(Constant(name: name, shape: shape, values: .floats(values)))
    return name
  }

  /// A parameter or buffer as a constant under its own name (`0.weight`), in `shape` (its
  /// saved shape when nil).
  public func constant(_ parameter: Parameter, shape: [Int]? = nil) -> String {
    constant(parameter.name, shape: shape ?? parameter.shape, parameter.value.values)
  }

  /// `dims` as an int64 constant, for Reshape (−1: the batch).
  public func dims(_ name: String, _ dims: [Int]) -> String {
    constants.append(Constant(name: name, shape: [dims.count], values: .int64s(dims.map(Int64.init))))
    return name
  }

  /// `value` as `[N, features]` (feature maps flattened, channel-major as the layers store them).
  public func flat(_ value: Value, name: String) -> Value {
    guard value.image != nil else { return value }
    return Value(name: node("Flatten", [value.name], name: "\(name)_flatten", ["axis": .int(1)]), image: nil, features: value.features)
  }

  /// `value` as `[N, C, H, W]` maps of `shape`.
  public func maps(_ value: Value, _ shape: ImageShape, name: String) -> Value {
    if value.image == shape { return value }
    let target = dims("\(name)_maps_shape", [-1, shape.channels, shape.height, shape.width])
    return Value(name: node("Reshape", [value.name, target], name: "\(name)_maps"), image: shape, features: shape.features)
  }

  /// The same kind of value as `input` (features or maps), named `name`.
  public func like(_ input: Value, name: String) -> Value { Value(name: name, image: input.image, features: input.features) }

  /// Ends the graph at `value`.
  func finish(_ value: Value) { output = value }
}

extension Sequential {
  /// The inference of this model as a graph of standard operators (`InferenceGraph`): pixels
  /// in, the last layer's output (probabilities) out. BatchNorm uses its running statistics and
  /// dropout is the identity, as in `predict`.
  public func inferenceGraph() -> InferenceGraph {
    let graph = InferenceGraph()
    var value = graph.input
    for (index, layer) in layers.enumerated() { value = layer.appendInference(to: graph, input: value, name: "\(index)") }
    graph.finish(value)
    return graph
  }
}
