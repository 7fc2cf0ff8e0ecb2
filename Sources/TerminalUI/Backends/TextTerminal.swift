/// A terminal in memory, for tests: keys come from a script, the screen is a `ScreenBuffer`.
public final class TextTerminal: Terminal {
  public private(set) var screen: ScreenBuffer
  /// Keys `readKey` returns, in order.
  public var pendingKeys: [Key] = []
  /// Number of `put` calls since creation.
  public private(set) var writes = 0

  public init(width: Int, height: Int) { screen = ScreenBuffer(width: width, height: height) }

  public var size: (width: Int, height: Int) { (screen.width, screen.height) }

  /// Changes the size, as a window resize would, and queues a `.resize` key.
  public func resize(width: Int, height: Int) {
    screen = ScreenBuffer(width: width, height: height)
    pendingKeys.append(.resize)
  }

  public func put(_ cell: Cell, x: Int, y: Int) {
    screen[x, y] = cell
    writes += 1
  }

  public func clear() { screen.fill(screen.bounds) }
  public func flush() {}

  public func readKey(timeout milliseconds: Int) -> Key? {
    pendingKeys.isEmpty ? nil : pendingKeys.removeFirst()
  }
}
