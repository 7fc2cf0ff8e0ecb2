import Testing

@testable import DNN

/// The weights view's source: the first layer's units as tiles.
@Suite struct WeightSnapshotTests {
  @Test func aDenseFirstLayerGivesOne28x28TilePerUnit() {
    let model = ModelBuilder.build([.dense(units: 5, initializer: .he), .relu, .dense(units: 10, initializer: .he), .softmax], seed: 1)
    let snapshot = WeightSnapshot.firstLayer(of: model, epoch: 3)
    #expect(snapshot?.units == 5 && snapshot?.tileRows == 28 && snapshot?.epoch == 3)
    let dense = model.layers[0] as! Dense
    #expect(snapshot?.values == dense.weight.value.values)
    // Each tile on its own symmetric scale: its largest magnitude becomes ±1.
    let tile = snapshot!.tile(2)
    #expect(abs(tile.map(abs).max()! - 1) < 1e-6)
    let raw = Array(dense.weight.value.values[2 * 784..<3 * 784]), largest = raw.map(abs).max()!
    #expect(zip(tile, raw).allSatisfy { abs($0 - $1 / largest) < 1e-6 })
  }

  @Test func aConvolutionGivesItsFilters() {
    let model = ModelBuilder.build([.conv2d(channels: 6, kernel: 3, stride: 1, padding: 1, initializer: .he), .relu,
                                    .dense(units: 10, initializer: .he), .softmax], seed: 1)
    let snapshot = WeightSnapshot.firstLayer(of: model, epoch: 0)
    #expect(snapshot?.units == 6 && snapshot?.tileRows == 3 && snapshot?.tileColumns == 3 && snapshot?.values.count == 54)
    let attention = ModelBuilder.build([.attention(tokens: 28, heads: 1, dim: 8, initializer: .he), .dense(units: 10, initializer: .he), .softmax], seed: 1)
    #expect(WeightSnapshot.firstLayer(of: attention, epoch: 0) == nil)
  }
}
