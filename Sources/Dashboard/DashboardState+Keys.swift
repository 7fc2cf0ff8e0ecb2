import DNN
import TerminalUI

extension DashboardState {
  /// The question `q` asks while a run trains.
  public static let quitQuestion = "quit and stop training? q again / any key to stay"

  /// A key press: the key map's action for it (see `perform`). A key with no action (or Alt+key)
  /// only closes the help and cancels a pending quit. While the fork prompt is open, keys answer it.
  public mutating func press(_ key: Key) -> (action: DashboardAction?, command: TrainingCommand?) {
    if forkFactor != nil { return (nil, answerFork(key)) }
    if drawing != nil, answerDrawing(key) { return (nil, nil) }
    guard let action = KeyMap.action(for: key) else {
      showHelp = false
      showOutcome = false
      if confirmingQuit { cancelQuit() }
      return (nil, nil)
    }
    if action == .focusNumbered, case .character(let c) = key, let n = c.wholeNumberValue {
      if confirmingQuit || showHelp || showOutcome { return (action, perform(action)) }
      focusChosen = true
      focusNumbered(n)
      return (action, nil)
    }
    return (action, perform(action))
  }

  /// Applies a key action to the view state; returns the command for the focused run's trainer,
  /// if any. While the help is open any key but `?` and `q` only closes it; while `q` waits for
  /// its answer any key but `q` only cancels it.
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
    if !action.worksAfterTheRun, let refusal = refusal(of: action) {
      notice = refusal
      return nil
    }
    switch action {
    case .togglePause: return self.status == .paused ? .resume : .pause
    case .weights:
      (showLayers, drawing) = (false, nil)
      showWeights.toggle()
      if showWeights && self.weights == nil { notice = "no weights to show: the first layer is not a dense layer on the pixels or a convolution" }
    case .pageBack where showWeights: weightsPage = max(weightsPage - 1, 0)
    case .pageForward where showWeights: weightsPage += 1  // the view clamps it to the last page
    case .close where showWeights: showWeights = false
    case .stepEpoch: return .stepEpoch
    case .health:
      showHealth.toggle()
      if showHealth && self.health == nil {
        notice = self.following || !self.isLive
          ? "layer health is measured while a run trains here: \(self.name) has none"
          : "layer health: the first measurement comes with the next steps"
      }
    case .layers:
      (showWeights, drawing) = (false, nil)
      showLayers.toggle()
      layerCursor = min(layerCursor, max((self.run?.layers.count ?? 1) - 1, 0))
      if showLayers && self.run == nil { notice = "\(self.name) has not started: no layers to show yet" }
    case .cellUp where showLayers: selectLayer(layerCursor - 1)
    case .cellDown where showLayers: selectLayer(layerCursor + 1)
    case .close where showLayers: showLayers = false
    case .gradientCheck:
      guard showLayers else {
        notice = "g checks a layer's backward by finite differences in the equations view: e opens it"
        return nil
      }
      guard self.model != nil else {
        notice = "no copy of \(self.name)'s model yet: it comes when the run starts"
        return nil
      }
      checkRequested = layerCursor
      gradientCheck = nil
    case .draw:
      (showWeights, showLayers) = (false, false)
      drawing = DrawingPad()
      if self.model == nil { notice = "no model to read the drawing yet: it comes when the run starts" }
    case .cellUp, .cellDown:
      guard showsConfusion, let p = self.predictions else {
        notice = "↑/↓ move a cell cursor in the confusion matrix: c shows it"
        return nil
      }
      let start = cellCursor ?? mostConfused.first?.cell ?? Cell(truth: 0, predicted: 0)
      let delta = cellCursor == nil ? 0 : (action == .cellUp ? -1 : 1)
      cellCursor = Cell(truth: (start.truth + delta + p.classes) % p.classes, predicted: start.predicted)
    case .previous where cellCursor != nil, .next where cellCursor != nil:
      if let cursor = cellCursor, let p = self.predictions {
        cellCursor = Cell(truth: cursor.truth, predicted: (cursor.predicted + (action == .previous ? -1 : 1) + p.classes) % p.classes)
      }
    case .select:
      guard let cursor = cellCursor else {
        notice = "Enter browses the digits of a confusion cell: ↑/↓ put the cursor on one"
        return nil
      }
      cellFilter = cursor
      (cellCursor, browsingDrawings) = (nil, false)
      self.selected = 0
      if browsedIndices.isEmpty { notice = "no validation digit is true \(cursor.truth) and predicted \(cursor.predicted)" }
    case .close where cellCursor != nil: cellCursor = nil
    case .close where cellFilter != nil:
      cellFilter = nil
      clampSelection()
    case .previous where browsingDrawings, .next where browsingDrawings:
      let count = max(drawings.count, 1)
      drawingSelected = (drawingSelected + (action == .previous ? -1 : 1) + count) % count
    case .first where browsingDrawings: drawingSelected = 0
    case .last where browsingDrawings: drawingSelected = max(drawings.count - 1, 0)
    case .close where browsingDrawings: browsingDrawings = false
    case .previous: moveSelection(by: -1, wrapping: true)
    case .next: moveSelection(by: 1, wrapping: true)
    // Home, End, PgUp, PgDn scroll the epoch table when it shows, else browse the digits.
    case .first where lowerPanel == .epochs: self.epochTableTop = 0
    case .last where lowerPanel == .epochs: self.epochTableTop = nil
    case .pageBack where lowerPanel == .epochs:
      self.epochTableTop = max(0, (self.epochTableTop ?? max(self.epochReports.count - Self.epochPage, 0)) - Self.epochPage)
    case .pageForward where lowerPanel == .epochs:
      let top = (self.epochTableTop ?? self.epochReports.count) + Self.epochPage
      self.epochTableTop = top >= self.epochReports.count - Self.epochPage ? nil : top
    case .first: self.selected = 0
    case .last: self.selected = max(browsedIndices.count - 1, 0)
    case .pageBack: moveSelection(by: -10, wrapping: false)
    case .pageForward: moveSelection(by: 10, wrapping: false)
    case .mistakesOnly:
      (cellFilter, browsingDrawings) = (nil, false)
      let current = browsedSample
      mistakesOnly.toggle()
      self.selected = current.flatMap { browsedIndices.firstIndex(of: $0) } ?? 0
      clampSelection()
    case .confusion: panelCycle += 1
    case .logScale: logScale.toggle()
    case .zoom: zoomed.toggle()
    case .nextRun:
      focusChosen = true
      focus(on: (focus + 1) % runs.count)
    case .previousRun:
      focusChosen = true
      focus(on: (focus + runs.count - 1) % runs.count)
    case .focusNumbered: break
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
        self.status = .skipped
        notice = "\(self.name) skipped"
      } else {
        notice = "stopping \(self.name)" + (runs.contains { $0.status == .queued } ? "; the sweep goes on" : "")
      }
      return .stop
    case .fork:
      forkFactor = 0.5
      notice = forkQuestion
    case .help: showHelp.toggle()
    case .close: notice = "Esc closes the help; q quits"
    case .quit:
      guard anyLive else {
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

  /// Why `action` (one that steers a trainer) does nothing on the focused run now, or nil.
  private func refusal(of action: DashboardAction) -> String? {
    let key = KeyMap.key(forAction: action)
    if self.following { return "\(self.name) is trained by another process: \(key) does nothing here" }
    if self.status == .queued && action != .skip { return "\(self.name) is queued: \(key) does nothing yet (x skips it)" }
    if !self.isLive {
      return isSweep ? "\(self.name) has ended: \(key) does nothing now" : "the run has ended: \(key) does nothing now"
    }
    if action == .fork && self.run == nil { return "\(self.name) has not started: nothing to fork yet" }
    return nil
  }

  /// Moves the layers view's cursor to layer `index` (kept in range); a check of another layer
  /// no longer shows.
  private mutating func selectLayer(_ index: Int) {
    let count = self.run?.layers.count ?? 0
    guard count > 0 else { return }
    let next = min(max(index, 0), count - 1)
    if next != layerCursor { gradientCheck = nil }
    layerCursor = next
  }

  // MARK: Drawing

  /// A key while the drawing pad is open: arrows (h/j/k/l) move, space and x put the pen or the
  /// eraser down or up, c clears, Enter keeps the digit, Esc or d closes. False for other keys,
  /// which then act as usual (q, ?, Tab).
  private mutating func answerDrawing(_ key: Key) -> Bool {
    guard var pad = drawing else { return false }
    defer { if drawing != nil { drawing = pad } }
    switch key {
    case .left, .character("h"): pad.move(dx: -1, dy: 0)
    case .right, .character("l"): pad.move(dx: 1, dy: 0)
    case .up, .character("k"): pad.move(dx: 0, dy: -1)
    case .down, .character("j"): pad.move(dx: 0, dy: 1)
    case .character(" "): pad.toggle(.painting)
    case .character("x"): pad.toggle(.erasing)
    case .character("c"): pad.clear()
    case .enter:
      if let kept = pad.keep() {
        drawings.append(kept)
        (browsingDrawings, drawingSelected) = (true, drawings.count - 1)
        notice = "kept: read as \(focused.className(kept.prediction.digit)) (\(Self.percent(kept.prediction.probability))); the digit browser lists your digits (Esc: validation digits)"
      } else {
        notice = pad.isBlank ? "nothing drawn yet: arrows and space (or the mouse) draw" : "no reading yet: the model has not read the drawing"
      }
    case .escape, .character("d"):
      drawing = nil
    case .mouse(_, _, .release):
      pad.pen = .up
    default:
      return false
    }
    return true
  }

  /// Rows PgUp and PgDn move the epoch table by.
  static let epochPage = 10

  private mutating func cancelQuit() {
    confirmingQuit = false
    notice = nil
  }

  /// `1`-`9`: focus that run, when there is one.
  private mutating func focusNumbered(_ n: Int) {
    guard n >= 1 && n <= runs.count else {
      notice = runs.count == 1 ? "one run only: \(n) focuses run \(n) of a sweep" : "there are \(runs.count) runs: 1-\(min(runs.count, 9)) focus one"
      return
    }
    focus(on: n - 1)
  }

  // MARK: Forks

  /// The fork prompt: the rate the new run would start with and the keys.
  var forkQuestion: String {
    let factor = forkFactor ?? 1
    let rate = LineChart.compact(Double(self.learningRate * factor))
    return "fork \(self.name) with learning rate \(Self.factor(factor)) (\(rate)): ←→ change, Enter forks, Esc cancels"
  }

  /// Fork factors the prompt offers.
  static let forkFactors: ClosedRange<Float> = 1.0 / 1024...1024

  /// A key while the fork prompt is open: ←/→ (or -/+) halve or double the factor, Enter forks
  /// (the command for the focused trainer), anything else cancels.
  private mutating func answerFork(_ key: Key) -> TrainingCommand? {
    guard let factor = forkFactor else { return nil }
    switch key {
    case .left, .character("-"), .character("h"):
      forkFactor = max(factor / 2, Self.forkFactors.lowerBound)
    case .right, .character("+"), .character("="), .character("l"):
      forkFactor = min(factor * 2, Self.forkFactors.upperBound)
    case .enter:
      forkFactor = nil
      guard self.isLive && self.run != nil else {
        notice = "\(self.name) has ended: nothing to fork"
        return nil
      }
      notice = "forking \(self.name)…"
      return .fork(name: forkName, learningRateFactor: factor)
    default:
      forkFactor = nil
      notice = nil
      return nil
    }
    notice = forkQuestion
    return nil
  }

  /// The focused run's next fork name: `NAME-fork1`, `NAME-fork2`, ... (one no run here has;
  /// the sweep may still change it to one that is free on disk).
  var forkName: String {
    let names = Set(runs.map(\.name))
    var n = 1
    while names.contains("\(self.name)-fork\(n)") { n += 1 }
    return "\(self.name)-fork\(n)"
  }

  /// Moves the browsed digit by `delta`: around the ends when `wrapping`, else stopping there.
  private mutating func moveSelection(by delta: Int, wrapping: Bool) {
    let count = browsedIndices.count
    guard count > 0 else { return }
    self.selected = wrapping ? ((self.selected + delta) % count + count) % count : min(max(self.selected + delta, 0), count - 1)
  }
}
