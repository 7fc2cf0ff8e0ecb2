import DNN
import TerminalUI

extension DashboardState {
  /// The question `q` asks while a run trains.
  public static let quitQuestion = "quit and stop training? q again / any key to stay"

  /// A key press: the key map's action for it (see `perform`). A key with no action (or Alt+key)
  /// only closes the help and cancels a pending quit.
  public mutating func press(_ key: Key) -> (action: DashboardAction?, command: TrainingCommand?) {
    guard let action = KeyMap.action(for: key) else {
      showHelp = false
      showOutcome = false
      if confirmingQuit { cancelQuit() }
      return (nil, nil)
    }
    return (action, perform(action))
  }

  /// Applies a key action to the view state; returns the command for the trainer, if any. While
  /// the help is open any key but `?` and `q` only closes it; while `q` waits for its answer any
  /// key but `q` only cancels it.
  public mutating func perform(_ action: DashboardAction) -> TrainingCommand? {
    if confirmingQuit && action != .quit {
      cancelQuit()
      return nil
    }
    if showHelp && action != .quit && action != .help {
      showHelp = false
      return nil
    }
    if showOutcome && action != .quit {
      showOutcome = false
      return nil
    }
    if !isLive && !action.worksAfterTheRun {
      notice = "the run has ended: \(KeyMap.key(forAction: action)) does nothing now"
      return nil
    }
    switch action {
    case .togglePause: return status == .paused ? .resume : .pause
    case .stepEpoch: return .stepEpoch
    case .previous: moveSelection(by: -1, wrapping: true)
    case .next: moveSelection(by: 1, wrapping: true)
    // Home, End, PgUp, PgDn scroll the epoch table when it shows, else browse the digits.
    case .first where lowerPanel == .epochs: epochTableTop = 0
    case .last where lowerPanel == .epochs: epochTableTop = nil
    case .pageBack where lowerPanel == .epochs:
      epochTableTop = max(0, (epochTableTop ?? max(epochReports.count - Self.epochPage, 0)) - Self.epochPage)
    case .pageForward where lowerPanel == .epochs:
      let top = (epochTableTop ?? epochReports.count) + Self.epochPage
      epochTableTop = top >= epochReports.count - Self.epochPage ? nil : top
    case .first: selected = 0
    case .last: selected = max(browsedIndices.count - 1, 0)
    case .pageBack: moveSelection(by: -10, wrapping: false)
    case .pageForward: moveSelection(by: 10, wrapping: false)
    case .mistakesOnly:
      let current = browsedSample
      mistakesOnly.toggle()
      selected = current.flatMap { browsedIndices.firstIndex(of: $0) } ?? 0
      clampSelection()
    case .confusion: panelCycle += 1
    case .logScale: logScale.toggle()
    case .zoom: zoomed.toggle()
    case .learningRateUp: return .scaleLearningRate(2)
    case .learningRateDown: return .scaleLearningRate(0.5)
    case .save:
      if let saveUnavailable {
        notice = "not saved: \(saveUnavailable)"
        return nil
      }
      return .saveCheckpoint
    case .help: showHelp.toggle()
    case .close: notice = "Esc closes the help; q quits"
    case .quit:
      guard isLive else {
        quitting = true
        return nil
      }
      guard confirmingQuit else {
        confirmingQuit = true
        notice = Self.quitQuestion
        return nil
      }
      confirmingQuit = false
      quitting = true
      notice = nil
      return .stop
    }
    return nil
  }

  /// Rows PgUp and PgDn move the epoch table by.
  static let epochPage = 10

  private mutating func cancelQuit() {
    confirmingQuit = false
    notice = nil
  }

  /// Moves the browsed digit by `delta`: around the ends when `wrapping`, else stopping there.
  private mutating func moveSelection(by delta: Int, wrapping: Bool) {
    let count = browsedIndices.count
    guard count > 0 else { return }
    selected = wrapping ? ((selected + delta) % count + count) % count : min(max(selected + delta, 0), count - 1)
  }
}
