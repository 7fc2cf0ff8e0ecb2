/// Part `index` of `count` equal parts of a tensor's elements (boundaries on multiples of 16, so
/// SIMD loops see whole vectors), for splitting element-wise work across threads.
public struct Slice: Sendable, Equatable {
  public var index: Int
  public var count: Int

  public init(_ index: Int, of count: Int) {
    precondition(index >= 0 && index < count, "slice \(index) of \(count)")
    self.index = index
    self.count = count
  }

  /// All elements.
  public static let whole = Slice(0, of: 1)

  /// This slice's elements of a tensor of `elements` elements.
  public func range(count elements: Int) -> Range<Int> {
    func boundary(_ i: Int) -> Int { i == count ? elements : min(elements, (elements * i / count) & ~15) }
    return boundary(index)..<boundary(index + 1)
  }
}
