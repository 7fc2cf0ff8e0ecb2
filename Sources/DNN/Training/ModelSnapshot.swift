/// A copy of a model's weights and buffers with its architecture, a value that may cross
/// threads: a front end rebuilds the model from it for its own inference (a digit drawn by the
/// user, a gradient check) without touching the trainer's.
public struct ModelSnapshot: Sendable {
  public var layers: [LayerSpec]
  /// The tensors, named and shaped as in a checkpoint.
  public var tensors: Safetensors
  /// Where the run stood when the copy was taken.
  public var position: TrainingPosition

  public init(model: Sequential, config: RunConfig, position: TrainingPosition) {
    layers = config.layers
    tensors = Checkpoint.modelFile(model, config: config, position: position)
    self.position = position
  }

  /// A new model with these weights.
  public func makeModel() throws -> Sequential {
    let model = ModelBuilder.build(layers, seed: 0)
    try Checkpoint.load(tensors, path: "the model of step \(position.step)", into: model)
    return model
  }

  /// The values of tensor `name` (`0.weight`), if there is one.
  public func values(of name: String) -> [Float]? { tensors[name]?.values }
}
