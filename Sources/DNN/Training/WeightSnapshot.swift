/// A copy of the first layer's weights as pictures, one tile per unit: a Dense layer on the
/// 784 pixels gives 28x28 tiles (what each hidden unit looks for), a convolution on the image
/// gives its k×k filters (the first input channel). Sent at the start and after every epoch,
/// for the dashboard's weights view.
public struct WeightSnapshot: Sendable {
  /// `Dense(784 -> 256, he)`, `Conv2D(1 -> 16, 5x5, padding 2, he)`.
  public var summary: String
  public var tileRows: Int
  public var tileColumns: Int
  /// Units (tiles), each `tileRows * tileColumns` values in `values`.
  public var units: Int
  public var values: [Float]
  /// Epochs done when taken.
  public var epoch: Int

  /// Tile `unit`'s values divided by their largest magnitude (a symmetric scale per tile).
  public func tile(_ unit: Int) -> [Float] {
    let size = tileRows * tileColumns
    let slice = values[unit * size..<(unit + 1) * size]
    let largest = slice.map(abs).max() ?? 0
    return largest > 0 ? slice.map { $0 / largest } : Array(slice)
  }

  /// The first layer's weights of `model`, when it is a Dense layer on the 784 pixels or a
  /// convolution on the image; nil for other first layers (attention, BatchNorm).
  public static func firstLayer(of model: Sequential, epoch: Int) -> WeightSnapshot? {
    if let dense = model.layers.first as? Dense, dense.inputFeatures == ImageShape.mnist.features {
      return WeightSnapshot(
        summary: dense.summary, tileRows: 28, tileColumns: 28, units: dense.outputFeatures, values: dense.weight.value.values,
        epoch: epoch)
    }
    if let conv = model.layers.first as? Conv2D {
      let k = conv.kernel, perFilter = conv.input.channels * k * k
      var values: [Float] = []
      values.reserveCapacity(conv.output.channels * k * k)
      let all = conv.weight.value.values
      for f in 0..<conv.output.channels { values += all[f * perFilter..<f * perFilter + k * k] }
      return WeightSnapshot(
        summary: conv.summary, tileRows: k, tileColumns: k, units: conv.output.channels, values: values, epoch: epoch)
    }
    return nil
  }
}
