/// 28x28 grey images with their class labels, stored as bytes (47 MB for 60,000 images).
public struct LabeledImages: Sendable {
  /// Pixels, `count * 784` bytes, image after image, row-major.
  public let pixels: [UInt8]
  /// One class label per image.
  public let labels: [UInt8]
  /// Pixels per image.
  public static let features = IDXReader.side * IDXReader.side

  /// Number of images.
  public var count: Int { labels.count }

  public init(pixels: [UInt8], labels: [UInt8]) {
    precondition(pixels.count == labels.count * LabeledImages.features, "pixels do not match labels")
    self.pixels = pixels
    self.labels = labels
  }

  /// The 784 pixels of image `index`.
  public func image(_ index: Int) -> ArraySlice<UInt8> {
    pixels[index * LabeledImages.features..<(index + 1) * LabeledImages.features]
  }
}

/// A subset of a `LabeledImages`, by index, without copying pixels.
public struct DatasetView: Sendable {
  /// Its first (up to) 256 images as pixels in [0, 1], `[n, 784]` (the batch loader's
  /// conversion), or nil when it is empty: what logs of the layers' activations run the model on.
  public var probe: Tensor? {
    guard count > 0 else { return nil }
    let loader = BatchLoader(view: self, batchSize: min(count, 256), generator: nil)
    loader.load(batch: 0)
    return loader.images
  }

  /// The images this view picks from.
  public let source: LabeledImages
  /// Indices into `source`, in this view's order.
  public let indices: [Int]

  public init(source: LabeledImages, indices: [Int]) {
    self.source = source
    self.indices = indices
  }

  /// All of `source`, in order.
  public init(_ source: LabeledImages) { self.init(source: source, indices: Array(0..<source.count)) }

  /// Number of images in the view.
  public var count: Int { indices.count }

  /// Label of the view's `i`-th image.
  public func label(_ i: Int) -> Int { Int(source.labels[indices[i]]) }
}
