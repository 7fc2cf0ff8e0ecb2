import DNN
import Dispatch
import TerminalUI

extension TrainingSession {
  public func drainEvents() -> [TrainingEvent] { events.drain() }
}

/// The dashboard's run loop, on the thread that owns the terminal: poll keys with a short
/// timeout, drain events, redraw at most `maxFramesPerSecond` times a second while the user is
/// at the keys (and at once on a key), `idleFramesPerSecond` while training is only watched.
public final class DashboardApp {
  public private(set) var state = DashboardState()
  public let terminal: Terminal
  public let link: TrainingLink
  public let options: RenderOptions
  public var maxFramesPerSecond = 10.0
  /// Frames a second when no key came for `idleAfterSeconds`: every frame's drawing takes the
  /// main thread from a core the trainer's two threads share (about 1 ms at 120x40), and a step
  /// split in halves waits for the slower one, so a watched run trains faster with fewer frames.
  public var idleFramesPerSecond = 4.0
  public var idleAfterSeconds = 3.0
  private var lastKey: UInt64 = 0
  /// Key-poll timeout in milliseconds.
  public var pollMilliseconds = 50
  private let renderer: Renderer
  private let instruments = Instruments()
  /// Whether the terminal reports the mouse (while the drawing pad is open).
  private var mouseTracking = false
  private var lastFrame: UInt64 = 0
  private var dirty = true
  private var quitRequestedAt: UInt64?
  /// The notice on screen and when it appeared: it fades after `noticeSeconds`.
  private var shownNotice: (text: String, since: UInt64)?
  /// How long a notice stays (a pending quit question stays until answered).
  public var noticeSeconds = 4.0
  /// Seconds to wait after `q` for the trainer to stop cleanly (it finishes its step and saves).
  public var quitGracePeriod = 2.0

  /// `waitingFor`: a folder of runs opened empty (the header says the dashboard waits for runs
  /// to appear in it, and `q` quits at once until one does).
  public init(terminal: Terminal, link: TrainingLink, options: RenderOptions, waitingFor: String? = nil) {
    self.terminal = terminal
    self.link = link
    self.options = options
    renderer = Renderer(terminal: terminal)
    state.waitingFor = waitingFor
  }

  /// One iteration: events, one key, maybe a frame. Returns false when the app should exit.
  public func tick() -> Bool {
    let events = link.drainEvents()
    for event in events {
      switch event {
      case .added(let run, let focus):
        let index = state.add(run)
        // A fork the user asked for: focusing it is the user's choice.
        if focus {
          state.focusChosen = true
          state.focus(on: index)
        }
      case .event(let run, let event):
        state.apply(event, run: run)
      }
    }
    if !events.isEmpty { dirty = true }
    if let key = terminal.readKey(timeout: pollMilliseconds) {
      lastKey = DispatchTime.now().uptimeNanoseconds
      handle(key)
    }
    // A terminal that went away ends the dashboard as a hangup does: every run saves, then exit.
    if terminal.hasHungUp { requestQuit() }
    if instruments.update(&state) { dirty = true }
    let now = DispatchTime.now().uptimeNanoseconds
    fadeNotice(now: now)
    let idle = Double(now &- lastKey) * 1e-9 >= idleAfterSeconds
    if dirty && Double(now - lastFrame) >= 1e9 / (idle ? min(idleFramesPerSecond, maxFramesPerSecond) : maxFramesPerSecond) {
      draw()
    }
    if let asked = quitRequestedAt {
      // Quit once the trainer has ended (its final events drained), or after the grace period.
      if !state.anyLive || Double(now - asked) * 1e-9 >= quitGracePeriod { return false }
    }
    return true
  }

  private func fadeNotice(now: UInt64) {
    guard let notice = state.notice, !state.confirmingQuit && state.forkFactor == nil else {
      shownNotice = nil
      return
    }
    if shownNotice?.text != notice {
      shownNotice = (notice, now)
    } else if let since = shownNotice?.since, Double(now - since) * 1e-9 >= noticeSeconds {
      state.notice = nil
      shownNotice = nil
      dirty = true
    }
  }

  /// Handles one key: resize, or the key map's action.
  public func handle(_ key: Key) {
    if key == .resize {
      renderer.invalidate()
      draw()
      return
    }
    // Too small to show anything: only quitting works.
    let tooSmall = terminal.size.width < Layout.minimumWidth || terminal.size.height < Layout.minimumHeight
    guard !tooSmall || KeyMap.action(for: key) == .quit else { return }
    state.compact = Layout(width: terminal.size.width, height: terminal.size.height, parameterCount: 6)?.wide == false
    state.weightsPerPage = WeightsPanel.tilesPerPage(state, in: DrawingPanel.area(width: terminal.size.width, height: terminal.size.height))
    if case .mouse(let x, let y, let action) = key, state.drawing != nil, action != .release {
      // A press or drag on the canvas paints (the right button erases).
      if let pixel = DrawingPanel.pixel(atColumn: x, row: y, width: terminal.size.width, height: terminal.size.height) {
        let erasing: Bool
        switch action {
        case .press(let right), .drag(let right): erasing = right
        case .release: erasing = false
        }
        state.drawing?.stroke(x: pixel.x, y: pixel.y, erasing: erasing)
      }
      _ = instruments.update(&state)
      draw()
      return
    }
    let (action, command) = state.press(key)
    if action == .quit && state.quitting {
      requestQuit()
    } else if let command {
      link.send(command, to: state.focus)
      if let next = state.takeFollowUp() { link.send(next, to: state.focus) }
    }
    if mouseTracking != (state.drawing != nil) {
      mouseTracking = state.drawing != nil
      terminal.setMouseTracking(mouseTracking)
    }
    _ = instruments.update(&state)
    draw()
  }

  /// Stops training and ends the loop once the trainer has stopped (Ctrl-C, SIGTERM, `q`).
  public func requestQuit() {
    if quitRequestedAt == nil {
      // Every run stops (each saves its state); queued runs never start.
      for index in state.runs.indices where state.runs[index].isLive && !state.runs[index].following {
        link.send(.stop, to: index)
      }
      state.quitting = true
      quitRequestedAt = DispatchTime.now().uptimeNanoseconds
    }
  }

  /// Renders the current state now.
  public func draw() {
    let size = terminal.size
    let start = DispatchTime.now().uptimeNanoseconds
    renderer.present(DashboardView.render(state, width: size.width, height: size.height, options: options))
    lastFrame = DispatchTime.now().uptimeNanoseconds
    state.frameMilliseconds = Double(lastFrame - start) / 1e6
    dirty = false
  }
}
