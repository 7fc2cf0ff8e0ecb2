import DNN
import TerminalUI

extension DashboardState {
  /// The question `q` asks while a run trains.
  public static var quitQuestion: String { "quit and stop training? \(KeyMap.name(.quit)) again or \(KeyMap.quitYes.label) / any other key to stay" }

  /// What a mode made of a key action: done (with the command for the focused trainer, if
  /// any), or left to the board.
  enum KeyOutcome {
    case done(TrainingCommand?)
    case toBoard
  }

  /// A key press. The fork prompt and the drawing pad read their keys first (`KeyMap.forkPromptKeys`,
  /// `KeyMap.padKeys`); otherwise the key map's action goes to `perform`. A key with no action
  /// (or Alt+key) only closes an overlay (help, an outcome, the quit question).
  public mutating func press(_ key: Key) -> (action: DashboardAction?, command: TrainingCommand?) {
    if case .forkPrompt(let factor, let under) = mode { return (nil, answerFork(key, factor: factor, under: under)) }
    if case .drawing(var pad) = mode, answerDrawing(key, pad: &pad) { return (nil, nil) }
    if mode.isQuitQuestion, KeyMap.quitYes.keys.contains(key) { return (.quit, perform(.quit)) }
    guard let action = KeyMap.action(for: key) else {
      if let under = mode.under {
        if mode.isQuitQuestion { notice = nil }
        mode = under
      } else if case .character(let c) = key, !c.isWhitespace {
        notice = "\(c): not a key here, \(KeyMap.name(.help)) for help"
      }
      return (nil, nil)
    }
    if action == .focusNumbered, case .character(let c) = key, let n = c.wholeNumberValue {
      if mode.under != nil { return (action, perform(action)) }
      focusChosen = true
      focusNumbered(n)
      return (action, nil)
    }
    return (action, perform(action))
  }

  /// Applies a key action: an overlay answers first (the quit question takes `q` as yes, as
  /// `press` does `KeyMap.quitYes`, and anything else as no; help and an outcome close on
  /// any key but `q`, which goes on to quit),
  /// then the view (weights, layers, cell cursor) takes its keys, then the board the rest.
  /// Returns the command for the focused run's trainer, if any.
  public mutating func perform(_ action: DashboardAction) -> TrainingCommand? {
    if let under = mode.under {
      let wasQuitQuestion = mode.isQuitQuestion
      mode = under
      if wasQuitQuestion {
        notice = nil
        guard action == .quit else { return nil }
        quitting = true
        return .stop
      }
      guard action == .quit else { return nil }
    }
    if !action.worksAfterTheRun, let refusal = refusal(of: action) {
      notice = refusal
      return nil
    }
    let outcome: KeyOutcome
    switch mode {
    case .weights: outcome = performInWeights(action)
    case .layers: outcome = performInLayers(action)
    case .inside: outcome = performInInside(action)
    case .distributions: outcome = performInDistributions(action)
    case .rateFinder: outcome = performInRateFinder(action)
    case .augmentPreview: outcome = performInAugmentPreview(action)
    case .cellCursor(let cell): outcome = performInCellCursor(action, cell: cell)
    default: outcome = .toBoard
    }
    if case .done(let command) = outcome { return command }
    if browse(action) { return nil }
    return performOnBoard(action)
  }

  /// The board's actions that open views and change what the panels show.
  private mutating func performOnBoard(_ action: DashboardAction) -> TrainingCommand? {
    switch action {
    case .weights:
      mode = showWeights ? .board : .weights
      if showWeights && self.weights == nil { notice = "no weights to show: the first layer is not a dense layer on the pixels or a convolution" }
    case .health:
      showHealth.toggle()
      if showHealth && self.health == nil {
        notice = self.following || !self.isLive
          ? "layer health is measured while a run trains here: \(self.name) has none"
          : "layer health: the first measurement comes with the next steps"
      }
    case .layers:
      mode = showLayers ? .board : .layers
      layerCursor = min(layerCursor, max((self.run?.layers.count ?? 1) - 1, 0))
      if showLayers && self.run == nil { notice = "\(self.name) has not started: no layers to show yet" }
    case .gradientCheck:
      notice = "\(KeyMap.name(.gradientCheck)) checks a layer's backward by finite differences in the equations view: \(KeyMap.name(.layers)) opens it"
    case .inside:
      mode = showInside ? .board : .inside
      if showInside && self.model == nil { notice = "no copy of \(self.name)'s model yet: it comes when the run starts" }
    case .distributions:
      mode = showDistributions ? .board : .distributions
    case .augmentPreview: mode = .augmentPreview
    case .nudgeGoal:
      notice = "\(KeyMap.name(.nudgeGoal)) chooses the nudge's goal in the inside view: \(KeyMap.name(.inside)) opens it"
    case .draw:
      mode = .drawing(DrawingPad())
      if self.model == nil { notice = "no model to read the drawing yet: it comes when the run starts" }
    case .cellUp, .cellDown: startCellCursor()
    case .select:
      notice = "\(KeyMap.name(.select)) browses the digits of a confusion cell: \(KeyMap.name(.cellUp)) puts the cursor on one"
    case .mistakesOnly:
      (cellFilter, browsingDrawings) = (nil, false)
      let current = browsedSample
      mistakesOnly.toggle()
      self.selected = current.flatMap { browsedIndices.firstIndex(of: $0) } ?? 0
      clampSelection()
    case .confusion: panelCycle += 1
    case .logScale: logScale.toggle()
    case .zoom: zoomed.toggle()
    case .xAxis:
      chartAxis = chartAxis.next
      notice = "charts by \(chartAxis.title)" + (chartAxis == .time ? " (without validation and pauses)" : "")
    case .smoothLess, .smoothMore:
      smoothing = min(max(smoothing + (action == .smoothMore ? 1 : -1), 0), Self.smoothingWeights.count - 1)
      notice = smoothingWeight == 0 ? "per-batch curves not smoothed" : "per-batch curves smoothed: moving average weight \(smoothingWeight)"
    case .rateChart: showRateChart.toggle()
    case .nextRun, .previousRun:
      focusChosen = true
      focus(on: (focus + (action == .nextRun ? 1 : runs.count - 1)) % runs.count)
    case .overlay: toggleOverlay()
    case .help: mode = .help(over: mode)
    case .close: closeOnBoard()
    default: return steer(action)
    }
    return nil
  }

  /// The board's actions that steer the focused run (or the dashboard: quit).
  private mutating func steer(_ action: DashboardAction) -> TrainingCommand? {
    switch action {
    case .togglePause: return self.status == .paused ? .resume : .pause
    case .stepEpoch: return .stepEpoch
    case .learningRateUp: return .scaleLearningRate(2)
    case .learningRateDown: return .scaleLearningRate(0.5)
    case .save:
      if let reason = self.saveUnavailable {
        notice = "not saved: \(reason)"
        return nil
      }
      return .saveCheckpoint
    case .skip:
      if self.status == .queued {
        notice = "\(self.name) skipped"  // the link answers with the skipped run's record
      } else {
        notice = "stopping \(self.name)" + (runs.contains { $0.status == .queued } ? "; the sweep goes on" : "")
      }
      return .stop
    case .rateFinder:
      mode = .rateFinder
      self.rateSweep = nil
      notice = "finding a learning rate on a copy of \(self.name): \(LearningRateSweep.steps) steps, the run waits meanwhile"
      return .findLearningRate
    case .fork:
      mode = .forkPrompt(factor: 0.5, over: mode)
      notice = forkQuestion
      // The run waits while the user chooses: the fork starts from the weights of now.
      resumesAfterFork = self.status == .running
      if resumesAfterFork { return .pause }
    case .quit:
      guard anyLive else {
        quitting = true
        return nil
      }
      mode = .quitQuestion(over: mode)
      notice = Self.quitQuestion
    default: break
    }
    return nil
  }

  /// Esc on the board: leaves a cell's digits, then your digits; else says what it closes.
  private mutating func closeOnBoard() {
    if cellFilter != nil {
      cellFilter = nil
      clampSelection()
    } else if browsingDrawings {
      browsingDrawings = false
    } else {
      notice = "\(KeyMap.name(.close)) closes the help or a view; \(KeyMap.name(.quit)) quits"
    }
  }

  /// Why `action` (one that steers a trainer) does nothing on the focused run now, or nil.
  private func refusal(of action: DashboardAction) -> String? {
    let key = KeyMap.key(forAction: action)
    if self.following { return "\(self.name) is trained by another process: \(key) does nothing here" }
    if self.status == .queued && action != .skip {
      return "\(self.name) is queued: \(key) does nothing yet (\(KeyMap.name(.skip)) skips it)"
    }
    if !self.isLive {
      return isSweep ? "\(self.name) has ended: \(key) does nothing now" : "the run has ended: \(key) does nothing now"
    }
    if action == .fork && self.run == nil { return "\(self.name) has not started: nothing to fork yet" }
    return nil
  }

  /// `o`: the focused run leaves the overlay of the runs' curves, or comes back.
  private mutating func toggleOverlay() {
    guard isSweep else {
      notice = "one run only: \(KeyMap.name(.overlay)) hides a run of several from the overlaid curves"
      return
    }
    if hiddenRuns.remove(focus) == nil {
      hiddenRuns.insert(focus)
      notice = "\(self.name) hidden from the overlay while another run is focused (\(KeyMap.name(.overlay)) shows it)"
    } else {
      notice = "\(self.name) shown in the overlay"
    }
  }

  /// `1`-`9`: focus that run, when there is one.
  private mutating func focusNumbered(_ n: Int) {
    guard n >= 1 && n <= runs.count else {
      notice = runs.count == 1 ? "one run only: \(n) focuses run \(n) of a sweep" : "there are \(runs.count) runs: 1-\(min(runs.count, 9)) focus one"
      return
    }
    focus(on: n - 1)
  }
}
