import DNN

/// Each layer's forward and backward equations (`LayerSpec.equations`: every layer writes its
/// own), with this model's shapes filled in (`dW [256, 784] = dZᵀ [256, 64] · X [64, 784]`).
enum Equations {
  /// One line of the equations view.
  typealias Line = EquationLine

  /// The lines of layer `index` of `layers`, for batches of `batch` samples.
  static func lines(of layers: [LayerSpec], index: Int, batch: Int, labelSmoothing: Float = 0) -> [Line] {
    guard layers.indices.contains(index), let geometries = try? layers.geometries() else { return [] }
    let input = index == 0 ? LayerGeometry(features: ImageShape.mnist.features, image: .mnist) : geometries[index - 1]
    let fused = layers.isFusedWithTheLoss(index)
    return layers[index].equations(EquationContext(batch: batch, input: input, output: geometries[index], fused: fused, labelSmoothing: labelSmoothing))
  }
}
