/// A key press, decoded.
public enum Key: Equatable, Sendable {
  case character(Character)
  case left, right, up, down
  case home, end, pageUp, pageDown
  case enter, escape, backspace
  /// Tab and Shift+Tab.
  case tab, backTab
  /// Alt (Meta) with a key: terminals send it as Esc then the key.
  case alt(Character)
  case resize
  /// A mouse report at cell (x, y), when mouse tracking is on.
  case mouse(x: Int, y: Int, action: MouseAction)
  case other(Int32)
}

/// What the mouse did.
public enum MouseAction: Equatable, Sendable {
  /// A button went down (`right`: the right button), or moved while held.
  case press(right: Bool), drag(right: Bool)
  case release
}

/// The seam between drawing and a real screen: an ncurses backend and a plain-text one (tests).
public protocol Terminal: AnyObject {
  /// Current size in cells (columns, rows).
  var size: (width: Int, height: Int) { get }
  /// Draws `cell` at (x, y); visible after `flush()`.
  func put(_ cell: Cell, x: Int, y: Int)
  /// Clears the whole screen (after a resize).
  func clear()
  /// Makes the drawn cells visible.
  func flush()
  /// Waits up to `milliseconds` for a key; nil on timeout.
  func readKey(timeout milliseconds: Int) -> Key?
  /// Reports mouse presses and drags as keys (on while a view draws with the mouse: off, the
  /// terminal keeps its own text selection).
  func setMouseTracking(_ on: Bool)
  /// True once the terminal went away (its input hung up: a closed window, a dropped ssh
  /// session, with SIGHUP ignored): the program should end as on a hangup.
  var hasHungUp: Bool { get }
}

extension Terminal {
  public func setMouseTracking(_ on: Bool) {}
  public var hasHungUp: Bool { false }
}

/// Writes a `ScreenBuffer` to a terminal, sending only the cells that changed since the last
/// frame (the whole screen after a resize).
public final class Renderer {
  public let terminal: Terminal
  private var previous: ScreenBuffer?
  /// Cells written by the last `present`, for measuring.
  public private(set) var lastChangedCells = 0

  public init(terminal: Terminal) { self.terminal = terminal }

  /// Forgets the last frame, so the next `present` redraws everything.
  public func invalidate() { previous = nil }

  /// Shows `frame`.
  public func present(_ frame: ScreenBuffer) {
    var changed = 0
    if let previous, previous.width == frame.width, previous.height == frame.height {
      for y in 0..<frame.height {
        for x in 0..<frame.width where previous[x, y] != frame[x, y] {
          terminal.put(frame[x, y], x: x, y: y)
          changed += 1
        }
      }
    } else {
      terminal.clear()
      for y in 0..<frame.height {
        for x in 0..<frame.width {
          terminal.put(frame[x, y], x: x, y: y)
          changed += 1
        }
      }
    }
    lastChangedCells = changed
    previous = frame
    terminal.flush()
  }
}
