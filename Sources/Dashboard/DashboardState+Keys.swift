import DNN
import TerminalUI

extension DashboardState {
  /// A key press: the key map's action for it (see `perform`); a key with no action only
  /// closes the help, like every key but `?` and `q`.
  public mutating func press(_ key: Key) -> (action: DashboardAction?, command: TrainingCommand?) {
    guard let action = KeyMap.action(for: key) else {
      showHelp = false
      return (nil, nil)
    }
    return (action, perform(action))
  }

  /// Applies a key action to the view state; returns the command for the trainer, if any.
  public mutating func perform(_ action: DashboardAction) -> TrainingCommand? {
    if showHelp && action != .quit && action != .help {
      showHelp = false
      return nil
    }
    switch action {
    case .togglePause:
      guard isLive else { return nil }
      return status == .paused ? .resume : .pause
    case .stepEpoch:
      return isLive ? .stepEpoch : nil
    case .previous:
      selected -= 1
      if selected < 0 { selected = max(browsedIndices.count - 1, 0) }
    case .next:
      selected += 1
      if selected >= browsedIndices.count { selected = 0 }
    case .mistakesOnly:
      let current = browsedSample
      mistakesOnly.toggle()
      selected = current.flatMap { browsedIndices.firstIndex(of: $0) } ?? 0
      clampSelection()
    case .confusion: confusionToggled.toggle()
    case .logScale: logScale.toggle()
    case .learningRateUp: return isLive ? .scaleLearningRate(2) : nil
    case .learningRateDown: return isLive ? .scaleLearningRate(0.5) : nil
    case .save:
      return .saveCheckpoint
    case .help: showHelp.toggle()
    case .quit:
      quitting = true
      return isLive ? .stop : nil
    }
    return nil
  }
}
