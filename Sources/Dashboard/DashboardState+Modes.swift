import DNN
import TerminalUI

/// Each view's own keys (weights, layers, the cell cursor, the drawing pad, the fork prompt),
/// and browsing on the board.
extension DashboardState {
  /// The weights view: PgUp/PgDn page, Home/End first and last page, `z` half or full size,
  /// Esc closes.
  mutating func performInWeights(_ action: DashboardAction) -> KeyOutcome {
    switch action {
    case .pageBack, .previous: weightsPage = min(max(weightsPage - 1, 0), weightsPages - 1)
    case .pageForward, .next: weightsPage = min(weightsPage + 1, weightsPages - 1)
    case .first: weightsPage = 0
    case .last: weightsPage = weightsPages - 1
    case .zoom:
      // The first unit of the page stays on screen.
      let unit = weightsPage * weightsPerPage
      halfSizeWeights.toggle()
      weightsPerPage = halfSizeWeights ? weightsPerPage * 4 : max(weightsPerPage / 4, 1)
      weightsPage = unit / weightsPerPage
    case .close: mode = .board
    default: return .toBoard
    }
    return .done(nil)
  }

  /// The inside view: PgUp/PgDn (or ↑/↓) walk its pages, `a` changes the nudge's goal, Esc
  /// closes; ←/→ browse the digits as on the board.
  mutating func performInInside(_ action: DashboardAction) -> KeyOutcome {
    let pages = (self.run?.layers.count ?? 0) + 1
    switch action {
    case .pageBack, .cellUp: insidePage = max(insidePage - 1, 0)
    case .pageForward, .cellDown: insidePage = min(insidePage + 1, pages - 1)
    case .nudgeGoal:
      // Away from the true class, then toward 0, 1, ..., 9, then away again.
      let next = nudgeToward.map { $0 + 1 } ?? 0
      nudgeToward = next < (self.predictions?.classes ?? 10) ? next : nil
      insidePage = 0
    case .inside, .close: mode = .board
    default: return .toBoard
    }
    return .done(nil)
  }

  /// The distributions view: ←/→ the kind (weights, activations, gradients), ↑/↓ and PgUp/PgDn
  /// scroll the tensors, Esc closes.
  mutating func performInDistributions(_ action: DashboardAction) -> KeyOutcome {
    let kinds = DistributionsPanel.kinds.count
    let tensors = self.distributions.last.map { DistributionsPanel.tensors($0, kind: distributionKind).count } ?? 0
    switch action {
    case .previous, .next:
      distributionKind = (distributionKind + (action == .next ? 1 : kinds - 1)) % kinds
      distributionTop = 0
    case .cellUp, .pageBack: distributionTop = max(distributionTop - (action == .pageBack ? 5 : 1), 0)
    case .cellDown, .pageForward: distributionTop = min(distributionTop + (action == .pageForward ? 5 : 1), max(tensors - 1, 0))
    case .distributions, .close: mode = .board
    default: return .toBoard
    }
    return .done(nil)
  }

  /// The learning-rate finder: Enter applies the suggestion to the run (a factor on its
  /// schedule, journalled as any rate change), `f` opens the fork prompt at it, Esc closes.
  mutating func performInRateFinder(_ action: DashboardAction) -> KeyOutcome {
    switch action {
    case .select, .fork:
      guard let sweep = self.rateSweep, let suggested = sweep.suggested, sweep.runRate > 0 else {
        notice = self.rateSweep == nil ? "the finder has not answered yet" : "no suggestion to use: the loss never fell"
        return .done(nil)
      }
      let factor = suggested / sweep.runRate
      mode = .board
      guard action == .select else {
        mode = .forkPrompt(factor: factor, over: .board)
        notice = forkQuestion
        return .done(nil)
      }
      return .done(.scaleLearningRate(factor))
    case .rateFinder, .close: mode = .board
    default: return .toBoard
    }
    return .done(nil)
  }

  /// The augmentation preview: Enter draws other versions, Esc closes; ←/→ browse the digits.
  mutating func performInAugmentPreview(_ action: DashboardAction) -> KeyOutcome {
    switch action {
    case .select: augmentDraws += 1
    case .augmentPreview, .close: mode = .board
    default: return .toBoard
    }
    return .done(nil)
  }

  /// The layers view: ↑/↓ choose a layer, `g` checks it, Esc closes.
  mutating func performInLayers(_ action: DashboardAction) -> KeyOutcome {
    switch action {
    case .cellUp: selectLayer(layerCursor - 1)
    case .cellDown: selectLayer(layerCursor + 1)
    case .close: mode = .board
    case .gradientCheck:
      guard self.model != nil else {
        notice = "no copy of \(self.name)'s model yet: it comes when the run starts"
        return .done(nil)
      }
      checkRequested = layerCursor
      gradientCheck = nil
    default: return .toBoard
    }
    return .done(nil)
  }

  /// The cell cursor: ↑/↓ change the true class, ←/→ the predicted one, Enter browses the
  /// cell's digits, Esc leaves. Off the confusion matrix (`c` moved it away) it acts as the board.
  mutating func performInCellCursor(_ action: DashboardAction, cell: Cell) -> KeyOutcome {
    guard showsConfusion, let p = self.predictions else { return .toBoard }
    let step = [DashboardAction.cellUp: -1, .cellDown: 1, .previous: -1, .next: 1][action] ?? 0
    switch action {
    case .cellUp, .cellDown: mode = .cellCursor(Cell(truth: (cell.truth + step + p.classes) % p.classes, predicted: cell.predicted))
    case .previous, .next: mode = .cellCursor(Cell(truth: cell.truth, predicted: (cell.predicted + step + p.classes) % p.classes))
    case .select:
      cellFilter = cell
      (mode, browsingDrawings) = (.board, false)
      self.selected = 0
      if browsedIndices.isEmpty { notice = "no validation digit is true \(cell.truth) and predicted \(cell.predicted)" }
    case .close: mode = .board
    default: return .toBoard
    }
    return .done(nil)
  }

  /// ↑/↓ on the board: the cell cursor starts on the most confused cell.
  mutating func startCellCursor() {
    guard showsConfusion, self.predictions != nil else {
      notice = "\(KeyMap.name(.cellUp)) move a cell cursor in the confusion matrix: \(KeyMap.name(.confusion)) shows it"
      return
    }
    mode = .cellCursor(mostConfused.first?.cell ?? Cell(truth: 0, predicted: 0))
  }

  /// Browsing keys on the board: your digits when they are browsed; Home, End, PgUp, PgDn
  /// scroll the epoch table when it shows; else the digits. False for other actions.
  mutating func browse(_ action: DashboardAction) -> Bool {
    if browsingDrawings {
      let count = max(drawings.count, 1)
      switch action {
      case .previous, .next: drawingSelected = (drawingSelected + (action == .previous ? -1 : 1) + count) % count
      case .first: drawingSelected = 0
      case .last: drawingSelected = max(drawings.count - 1, 0)
      default: return false
      }
      return true
    }
    if lowerPanel == .epochs, [.first, .last, .pageBack, .pageForward].contains(action) {
      let count = self.epochReports.count
      switch action {
      case .first: self.epochTableTop = 0
      case .last: self.epochTableTop = nil
      case .pageBack: self.epochTableTop = max(0, (self.epochTableTop ?? max(count - Self.epochPage, 0)) - Self.epochPage)
      default:
        let top = (self.epochTableTop ?? count) + Self.epochPage
        self.epochTableTop = top >= count - Self.epochPage ? nil : top
      }
      return true
    }
    switch action {
    case .previous: moveSelection(by: -1, wrapping: true)
    case .next: moveSelection(by: 1, wrapping: true)
    case .first: self.selected = 0
    case .last: self.selected = max(browsedIndices.count - 1, 0)
    case .pageBack: moveSelection(by: -10, wrapping: false)
    case .pageForward: moveSelection(by: 10, wrapping: false)
    default: return false
    }
    return true
  }

  /// Rows PgUp and PgDn move the epoch table by.
  static let epochPage = 10

  /// Moves the layers view's cursor to layer `index` (kept in range); a check of another layer
  /// no longer shows.
  private mutating func selectLayer(_ index: Int) {
    let count = self.run?.layers.count ?? 0
    guard count > 0 else { return }
    let next = min(max(index, 0), count - 1)
    if next != layerCursor { gradientCheck = nil }
    layerCursor = next
  }

  /// Moves the browsed digit by `delta`: around the ends when `wrapping`, else stopping there.
  private mutating func moveSelection(by delta: Int, wrapping: Bool) {
    let count = browsedIndices.count
    guard count > 0 else { return }
    self.selected = wrapping ? ((self.selected + delta) % count + count) % count : min(max(self.selected + delta, 0), count - 1)
  }

  // MARK: The drawing pad

  /// A key while the drawing pad is open (`KeyMap.padKeys`): move, pen, eraser, clear, keep,
  /// close; a mouse release lifts the pen. False for other keys, which then act as usual.
  mutating func answerDrawing(_ key: Key, pad: inout DrawingPad) -> Bool {
    if case .mouse(_, _, .release) = key {
      pad.pen = .up
      mode = .drawing(pad)
      return true
    }
    guard let action = KeyMap.action(for: key, in: KeyMap.padKeys) else { return false }
    switch action {
    case .left: pad.move(dx: -1, dy: 0)
    case .right: pad.move(dx: 1, dy: 0)
    case .up: pad.move(dx: 0, dy: -1)
    case .down: pad.move(dx: 0, dy: 1)
    case .pen: pad.toggle(.painting)
    case .eraser: pad.toggle(.erasing)
    case .clear: pad.clear()
    case .keep: keep(&pad)
    case .close:
      mode = .board
      return true
    }
    mode = .drawing(pad)
    return true
  }

  /// Enter on the pad: the digit joins your digits, which the digit browser then shows.
  private mutating func keep(_ pad: inout DrawingPad) {
    guard let kept = pad.keep() else {
      notice = pad.isBlank
        ? "nothing drawn yet: \(KeyMap.hints(Array(KeyMap.padKeys.prefix(5)), separator: ", ")) (or the mouse)"
        : "no reading yet: the model has not read the drawing"
      return
    }
    drawings.append(kept)
    (browsingDrawings, drawingSelected) = (true, drawings.count - 1)
    notice = "kept: read as \(focused.className(kept.prediction.digit)) (\(Self.percent(kept.prediction.probability))); the digit browser lists your digits (\(KeyMap.name(.close)): validation digits)"
  }

  // MARK: Forks

  /// The line the header shows: an open question (the fork prompt, the quit question) stays
  /// until it is answered, whatever other runs report meanwhile; otherwise the latest notice.
  public var shownNotice: String? {
    if case .forkPrompt = mode { return forkQuestion }
    if mode.isQuitQuestion { return Self.quitQuestion }
    return notice
  }

  /// The paused runs holding places that queued runs wait for (none when nothing is queued).
  public var pausedAheadOfTheQueue: [String] {
    guard runs.contains(where: { $0.status == .queued }) else { return [] }
    return runs.filter { $0.status == .paused }.map(\.name)
  }

  /// The command to send after the one a key returned (the resume after a fork the prompt
  /// paused for), once.
  public mutating func takeFollowUp() -> TrainingCommand? {
    defer { followUp = nil }
    return followUp
  }

  /// The fork prompt: the rate the new run would start with and the keys.
  /// The factor is shown as the runs panel shows the fork (`fork ×4`: on the schedule's rate),
  /// with what it is against the run's rate now.
  var forkQuestion: String {
    let factor = forkFactor ?? 1
    let rate = LineChart.compact(Double(self.learningRate * factor))
    let onSchedule = Self.forkLabel(self.learningRateFactor * factor)
    return "\(onSchedule) of \(self.name): learning rate \(rate) (\(Self.factor(factor)) its rate now): \(KeyMap.hints(KeyMap.forkPromptKeys, separator: ", ")), any other key cancels"
  }

  /// `fork ×4`: a fork by its factor on the schedule's learning rate, here and in the runs panel.
  public static func forkLabel(_ factorOnSchedule: Float) -> String { "fork \(factor(factorOnSchedule))" }

  /// Fork factors the prompt offers.
  static let forkFactors: ClosedRange<Float> = 1.0 / 1024...1024

  /// A key while the fork prompt is open (`KeyMap.forkPromptKeys`): halve or double the factor,
  /// fork (the command for the focused trainer); anything else cancels.
  mutating func answerFork(_ key: Key, factor: Float, under: DashboardMode) -> TrainingCommand? {
    switch KeyMap.action(for: key, in: KeyMap.forkPromptKeys) {
    case .halve: mode = .forkPrompt(factor: max(factor / 2, Self.forkFactors.lowerBound), over: under)
    case .double: mode = .forkPrompt(factor: min(factor * 2, Self.forkFactors.upperBound), over: under)
    case .fork:
      mode = under
      guard self.isLive && self.run != nil else {
        notice = "\(self.name) has ended: nothing to fork"
        return nil
      }
      notice = "forking \(self.name)…"
      if resumesAfterFork { followUp = .resume }
      resumesAfterFork = false
      return .fork(name: forkName, learningRateFactor: factor)
    case nil:
      mode = under
      notice = nil
      defer { resumesAfterFork = false }
      return resumesAfterFork ? .resume : nil
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
}
