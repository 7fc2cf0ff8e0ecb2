/// A row-major, batch-major Float32 matrix `[rows, columns]` with its own contiguous storage.
///
/// `Tensor` is a reference type on purpose: layers own their output and gradient buffers and
/// hand them to the next layer without copies, and a training step reuses the same storage every
/// time (no copy-on-write surprises, no allocation). `resize(rows:columns:)` only allocates when
/// the new shape needs more room than the buffer has ever held.
public final class Tensor {
  /// Number of rows (the batch dimension for activations).
  public private(set) var rows: Int
  /// Number of columns (features).
  public private(set) var columns: Int
  /// Elements the storage can hold without reallocating.
  public private(set) var capacity: Int
  /// Start of the storage; valid for `count` elements.
  public private(set) var pointer: UnsafeMutablePointer<Float>
  /// False for a view into another tensor's storage (see `view(rows:of:)`).
  private let ownsStorage: Bool

  /// Number of elements, `rows * columns`.
  @inlinable public var count: Int { rows * columns }

  /// A zero-filled tensor of the given shape.
  public init(rows: Int, columns: Int) {
    precondition(rows >= 0 && columns >= 0, "Tensor shape must be non-negative, got [\(rows), \(columns)]")
    self.rows = rows
    self.columns = columns
    self.capacity = max(rows * columns, 1)
    self.pointer = .allocate(capacity: capacity)
    self.ownsStorage = true
    pointer.initialize(repeating: 0, count: capacity)
  }

  /// An empty view: a tensor without storage of its own, to be pointed at rows of other
  /// tensors with `view(rows:of:)` (no copy, no allocation).
  public init(viewWithColumns columns: Int) {
    rows = 0
    self.columns = columns
    capacity = 0
    ownsStorage = false
    pointer = UnsafeMutablePointer(bitPattern: MemoryLayout<Float>.alignment)!
  }

  /// Points this view at rows `range` of `other` (valid while `other` keeps its storage).
  public func view(rows range: Range<Int>, of other: Tensor) {
    precondition(!ownsStorage, "view(rows:of:) is for views")
    precondition(range.lowerBound >= 0 && range.upperBound <= other.rows, "rows \(range) outside \(other)")
    pointer = other.pointer + range.lowerBound * other.columns
    rows = range.count
    columns = other.columns
    capacity = rows * columns
  }

  /// A tensor holding a copy of `values`, shaped `[rows, columns]`.
  public convenience init(rows: Int, columns: Int, values: [Float]) {
    precondition(values.count == rows * columns, "\(values.count) values do not fill [\(rows), \(columns)]")
    self.init(rows: rows, columns: columns)
    values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
  }

  deinit { if ownsStorage { pointer.deallocate() } }

  /// Reshapes to `[rows, columns]`, growing the storage only when it is too small.
  /// Contents are unspecified afterwards unless the element count is unchanged.
  public func resize(rows: Int, columns: Int) {
    let needed = rows * columns
    if needed > capacity {
      precondition(ownsStorage, "a view cannot grow")
      pointer.deallocate()
      capacity = needed
      pointer = .allocate(capacity: needed)
      pointer.initialize(repeating: 0, count: needed)
    }
    self.rows = rows
    self.columns = columns
  }

  /// Resizes to the shape of `other`.
  public func resize(like other: Tensor) { resize(rows: other.rows, columns: other.columns) }

  /// The elements as a mutable buffer.
  @inlinable public var buffer: UnsafeMutableBufferPointer<Float> {
    UnsafeMutableBufferPointer(start: pointer, count: count)
  }

  /// Element at `[row, column]`.
  @inlinable public subscript(row: Int, column: Int) -> Float {
    get { pointer[row * columns + column] }
    set { pointer[row * columns + column] = newValue }
  }

  /// Element at flat index `i`.
  @inlinable public subscript(i: Int) -> Float {
    get { pointer[i] }
    set { pointer[i] = newValue }
  }

  /// A copy of the elements.
  public var values: [Float] { Array(buffer) }

  /// Sets every element to `value`.
  public func fill(_ value: Float) { pointer.update(repeating: value, count: count) }

  /// Copies shape and elements from `other`.
  public func copy(from other: Tensor) {
    resize(like: other)
    pointer.update(from: other.pointer, count: count)
  }

  /// A new tensor with the same shape and elements.
  public func clone() -> Tensor {
    let t = Tensor(rows: rows, columns: columns)
    t.pointer.update(from: pointer, count: count)
    return t
  }

  /// Sum of squares of all elements (partial sums folded into Double).
  public func sumOfSquares() -> Double { Kernels.sumOfSquares(pointer, count: count) }

  /// Multiplies every element by `factor`.
  public func scale(by factor: Float) { Kernels.scale(pointer, count: count, by: factor) }
}

extension Tensor: CustomStringConvertible {
  public var description: String { "Tensor[\(rows), \(columns)]" }
}
