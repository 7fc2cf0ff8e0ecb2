/// The shape of one sample's feature maps, channels × height × width, stored channel-major in
/// a batch row (`[B, C·H·W]`, PyTorch's NCHW flattened), so that dense, element-wise and
/// normalisation layers compose with convolutions unchanged.
public struct ImageShape: Sendable, Equatable {
  public var channels: Int
  public var height: Int
  public var width: Int

  public init(channels: Int, height: Int, width: Int) {
    self.channels = channels
    self.height = height
    self.width = width
  }

  /// An MNIST image: 1x28x28.
  public static let mnist = ImageShape(channels: 1, height: 28, width: 28)

  /// Features per sample, `C·H·W`.
  public var features: Int { channels * height * width }
  /// Pixels per channel, `H·W`.
  public var plane: Int { height * width }
  /// The maps after `size`×`size` pooling with stride `size` (rows and columns that do not fill
  /// a window are dropped, as PyTorch does).
  public func pooled(by size: Int) -> ImageShape {
    ImageShape(channels: channels, height: height / size, width: width / size)
  }

  /// `16x28x28`.
  public var text: String { "\(channels)x\(height)x\(width)" }
}
