import CNcurses
#if canImport(Glibc)
  import Glibc
#endif

/// The ncurses backend: the only code that talks to ncurses. Use it from one thread only (the
/// main thread); `end()` restores the terminal and must run on every exit path.
public final class NcursesTerminal: Terminal {
  /// Whether colours are drawn (off with `--no-color`, `NO_COLOR`, or a terminal without them).
  public private(set) var usesColor: Bool
  /// Whether the environment's locale is UTF-8 (else the dashboard should draw ASCII).
  public let localeIsUTF8: Bool
  /// The terminal has only the 8 basic colours: palette colours are mapped to the nearest.
  private var basicColours = false
  private var pairs: [Style.ColorKey: Int32] = [:]
  private var active = false
  private var mouseOn = false
  public private(set) var hasHungUp = false
  /// Whether a button is down, and which (motion reports do not say): the terminal reports
  /// every motion once the mask asks for positions, and a hover is not a drag.
  private var buttonHeld = false
  private var rightButtonHeld = false

  /// Takes over the terminal: alternate screen, no echo, raw keys, hidden cursor. Nil when
  /// curses cannot drive this terminal (unknown TERM).
  public init?(color: Bool) {
    localeIsUTF8 = dnn_setup_locale() == 1
    guard dnn_start() == 1 else { return nil }
    dnn_restore_terminal_on_crash()
    cbreak()
    noecho()
    nonl()
    intrflush(dnn_stdscr(), false)
    keypad(dnn_stdscr(), true)
    curs_set(0)
    set_escdelay(25)
    usesColor = color && has_colors()
    if usesColor {
      start_color()
      use_default_colors()
      basicColours = dnn_colors() < 256
      if dnn_colors() < 8 { usesColor = false }
    }
    active = true
  }

  /// Gives the terminal back (idempotent).
  public func end() {
    guard active else { return }
    active = false
    if mouseOn { dnn_mouse(0) }
    endwin()
  }

  deinit { end() }

  public var size: (width: Int, height: Int) { (Int(dnn_cols()), Int(dnn_lines())) }

  public func put(_ cell: Cell, x: Int, y: Int) {
    let pair = usesColor ? pairNumber(cell.style) : 0
    let reverse = cell.style.reverse
    dnn_put(Int32(y), Int32(x), wchar_t(bitPattern: cell.character.value), pair, cell.style.bold ? 1 : 0, reverse ? 1 : 0)
  }

  public func clear() { wclear(dnn_stdscr()) }
  public func flush() { wrefresh(dnn_stdscr()) }

  public func readKey(timeout milliseconds: Int) -> Key? {
    wtimeout(dnn_stdscr(), Int32(milliseconds))
    var value: wint_t = 0
    let result = wget_wch(dnn_stdscr(), &value)
    if result == ERR {
      // A vanished terminal answers at once, every time: say so, and wait instead of spinning.
      if !hasHungUp {
        var input = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        hasHungUp = poll(&input, 1, 0) >= 0 && input.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
      }
      if hasHungUp { usleep(useconds_t(max(milliseconds, 0) * 1000)) }
      return nil
    }
    if result == dnn_key_code_yes() {
      switch Int32(value) {
      case KEY_LEFT: return .left
      case KEY_RIGHT: return .right
      case KEY_UP: return .up
      case KEY_DOWN: return .down
      case KEY_HOME: return .home
      case KEY_END: return .end
      case KEY_PPAGE: return .pageUp
      case KEY_NPAGE: return .pageDown
      case KEY_RESIZE: return .resize
      case KEY_ENTER: return .enter
      case KEY_BACKSPACE: return .backspace
      case KEY_BTAB: return .backTab
      case KEY_MOUSE: return mouseKey()  // nil for a hover: nothing happened
      default: return .other(Int32(value))
      }
    }
    switch value {
    case 27:
      // Esc alone, or Alt+key (Esc immediately followed by the key): look for a next key.
      wtimeout(dnn_stdscr(), 0)
      var next: wint_t = 0
      let more = wget_wch(dnn_stdscr(), &next)
      guard more != ERR else { return .escape }
      guard more != dnn_key_code_yes(), let scalar = Unicode.Scalar(UInt32(next)) else { return .other(Int32(next)) }
      if scalar == "[" { return splitSequence() }
      return .alt(Character(scalar))
    case 9: return .tab
    case 10, 13: return .enter
    case 127, 8: return .backspace
    default:
      guard let scalar = Unicode.Scalar(UInt32(value)) else { return .other(Int32(value)) }
      return .character(Character(scalar))
    }
  }

  public func setMouseTracking(_ on: Bool) {
    guard on != mouseOn, active else { return }
    mouseOn = on
    dnn_mouse(on ? 1 : 0)
  }

  /// The rest of a control sequence whose ESC came alone, past the 25 ms ncurses waits for the
  /// rest (a slow link, a busy machine): read whole rather than typed as keys, where a mouse
  /// report's bytes would be a space (the pen), letters, or `q`. An X10 mouse report (ESC [ M
  /// and three bytes: 32 + the button, 33 + column, 33 + row) is decoded as ncurses would have,
  /// and so are the arrows, Home, End, Page Up, Page Down and Shift+Tab; any other sequence is
  /// dropped: nil, nothing happened. A cut right after the ESC stays an Esc: nothing tells the
  /// two apart.
  private func splitSequence() -> Key? {
    // Up to half a second for each further byte: a sequence cut once is often late again.
    wtimeout(dnn_stdscr(), 500)
    defer { wtimeout(dnn_stdscr(), 0) }
    func byte() -> Int? {
      var value: wint_t = 0
      let result = wget_wch(dnn_stdscr(), &value)
      return result == ERR || result == dnn_key_code_yes() ? nil : Int(value)
    }
    var final = byte(), parameters = ""
    while let b = final, (0x20...0x3F).contains(b), let scalar = Unicode.Scalar(b) {  // parameters, intermediates
      parameters.unicodeScalars.append(scalar)
      final = byte()
    }
    let keys: [String: Key] = [
      "A": .up, "B": .down, "C": .right, "D": .left, "H": .home, "F": .end, "5~": .pageUp, "6~": .pageDown, "Z": .backTab,
    ]
    guard let f = final, let scalar = Unicode.Scalar(f) else { return nil }
    if let key = keys[parameters + String(Character(scalar))] { return key }
    guard scalar == "M", parameters.isEmpty, let b = byte(), let column = byte(), let row = byte() else { return nil }
    let code = b - 32, moving = code & 32 != 0, button = code & 3
    let kind: Int32
    switch (moving, button) {
    case (false, 0): kind = 0
    case (false, 2): kind = 1
    case (false, 3): kind = 3
    case (true, 0...2): kind = 2
    default: return nil  // the middle button, or a motion with no button (a hover)
    }
    return mouseKey(x: Int32(column - 33), y: Int32(row - 33), kind: kind)
  }

  private func mouseKey() -> Key? {
    var x: Int32 = 0, y: Int32 = 0, kind: Int32 = 0
    guard dnn_mouse_event(&x, &y, &kind) == 1 else { return nil }
    return mouseKey(x: x, y: y, kind: kind)
  }

  /// A mouse event as the dashboard takes it (`kind` as `dnn_mouse_event` gives it): a motion
  /// counts as a drag only while a button is held.
  private func mouseKey(x: Int32, y: Int32, kind: Int32) -> Key? {
    let action: MouseAction
    switch kind {
    case 0, 1:
      (buttonHeld, rightButtonHeld) = (true, kind == 1)
      action = .press(right: rightButtonHeld)
    case 2:
      guard buttonHeld else { return nil }
      action = .drag(right: rightButtonHeld)
    default:
      buttonHeld = false
      action = .release
    }
    return .mouse(x: Int(x), y: Int(y), action: action)
  }

  private func pairNumber(_ style: Style) -> Int32 {
    let key = Style.ColorKey(foreground: style.foreground, background: style.background)
    if key.foreground == .default && key.background == .default { return 0 }
    if let pair = pairs[key] { return pair }
    let next = Int32(pairs.count + 1)
    guard next < dnn_color_pairs() else { return 0 }
    _ = dnn_init_pair(next, number(key.foreground), number(key.background))
    pairs[key] = next
    return next
  }

  private func number(_ color: Color) -> Int32 {
    switch color {
    case .default: -1
    case .palette(let n): basicColours ? Int32(color.nearestBasic) : Int32(n)
    }
  }
}

extension Style {
  /// The colour part of a style, which is what a colour pair holds.
  struct ColorKey: Hashable {
    var foreground: Color
    var background: Color
  }
}
