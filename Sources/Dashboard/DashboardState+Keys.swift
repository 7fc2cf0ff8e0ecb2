import DNN
import TerminalUI

extension DashboardState {
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
