import Testing

@testable import DNN
@testable import Dashboard
@testable import TerminalUI

/// The reducer: events in, dashboard state out.
@Suite struct DashboardStateTests {
  @Test func foldsTheFixtureSequence() {
    let state = EventFixture.state
    #expect(state.status == .running)
    #expect(state.step == 20 && state.epoch == 1 && state.batch == 10 && state.epochsDone == 2)
    #expect(state.trainLoss.count == 20 && state.validationLoss.count == 2)
    #expect(state.trainLoss[9].x == 1.0 && state.validationLoss[1].x == 2)
    #expect(state.gradientNorms.count == 6 && state.gradientHistory.allSatisfy { $0.count == 20 })
    #expect(state.predictions?.epoch == 2)
    #expect(state.bestEpoch?.epoch == 2)
    // (5 - 2) epochs of 1,000 samples left, at 50,000 samples/s.
    #expect(state.secondsRemaining == 3000.0 / 50_000)
  }

  @Test func pauseStateAndTerminalEvents() {
    var state = EventFixture.state
    state.apply(.state(.paused))
    #expect(state.status == .paused)
    state.apply(.diverged(step: 21, epoch: 2, message: "training diverged at step 21"))
    #expect(state.status == .diverged && state.message == "training diverged at step 21")
    state.apply(.state(.running))  // late state events do not revive a dead run
    #expect(state.status == .diverged)
    #expect(!state.isLive)
  }

  @Test func finishedRunShowsTestAccuracy() {
    var state = EventFixture.state
    state.apply(.finished(RunSummary(runName: "x", epochs: 2, train: Metrics(loss: 0.1, accuracy: 0.9),
                                      validation: Metrics(loss: 0.2, accuracy: 0.9), test: Metrics(loss: 0.3, accuracy: 0.925),
                                      secondsPerEpoch: [1, 1], samplesPerSecond: 1, stopped: false)))
    #expect(state.status == .finished)
    let header = DashboardView.render(state, width: 80, height: 24, options: RenderOptions()).text.split(separator: "\n")[1]
    #expect(header.contains("val acc 90.0% (last) │ test 92.5% · final model"), "\(header)")
  }

  @Test func curvesAreThinnedPastTheLimit() {
    var state = DashboardState()
    state.apply(.started(EventFixture.started))
    for step in 1...(DashboardState.maxCurvePoints + 1) { state.apply(.batch(EventFixture.batch(step: step))) }
    #expect(state.trainLoss.count <= DashboardState.maxCurvePoints / 2 + 2)
    #expect(state.trainLoss.last?.x == EventFixture.batch(step: DashboardState.maxCurvePoints + 1).progress)
  }

  @Test func browsingWrapsAndMistakesFilter() {
    var state = EventFixture.state
    #expect(state.browsedSample == 0)
    _ = state.perform(.previous)
    #expect(state.browsedSample == 19)
    _ = state.perform(.next)
    #expect(state.browsedSample == 0)
    _ = state.perform(.next)
    _ = state.perform(.next)
    _ = state.perform(.next)  // sample 3, a mistake (3 % 3 == 0)
    _ = state.perform(.mistakesOnly)
    #expect(state.browsedIndices == [0, 3, 6, 9, 12, 15, 18])
    #expect(state.browsedSample == 3)
    _ = state.perform(.next)
    #expect(state.browsedSample == 6)
    // New predictions keep the same sample on screen.
    state.apply(.predictions(EventFixture.predictions(epoch: 3)))
    #expect(state.browsedSample == 6)
  }

  @Test func keysBecomeCommands() {
    var state = EventFixture.state
    #expect(state.perform(.togglePause) == .pause)
    state.apply(.state(.paused))
    #expect(state.perform(.togglePause) == .resume)
    #expect(state.perform(.stepEpoch) == .stepEpoch)
    #expect(state.perform(.learningRateUp) == .scaleLearningRate(2))
    #expect(state.perform(.learningRateDown) == .scaleLearningRate(0.5))
    #expect(state.perform(.logScale) == nil && state.logScale)
    #expect(state.perform(.confusion) == nil && state.confusionToggled)
    #expect(state.perform(.help) == nil && state.showHelp)
    #expect(state.perform(.next) == nil && !state.showHelp)  // any key closes the help first
    // q asks first; any other key stays; q, q stops.
    #expect(state.perform(.quit) == nil && state.confirmingQuit && state.notice == DashboardState.quitQuestion)
    #expect(state.perform(.next) == nil && !state.confirmingQuit && !state.quitting)
    #expect(state.perform(.quit) == nil && state.perform(.quit) == .stop && state.quitting)
    // Esc closes the help and never quits.
    state = EventFixture.state
    _ = state.perform(.help)
    #expect(state.press(.escape).command == nil && !state.showHelp && !state.quitting)
    #expect(state.press(.escape).command == nil && !state.quitting)
    #expect(state.press(.alt("q")).command == nil && !state.quitting && !state.confirmingQuit)
    // y answers the question yes (not the log scale's key there); elsewhere it stays that key.
    state = EventFixture.state
    #expect(state.press(.character("y")).command == nil && state.logScale && !state.confirmingQuit)
    _ = state.perform(.quit)
    #expect(state.press(.character("y")).command == .stop && state.quitting && state.logScale)
    // After the run, keys that train say they do nothing; q quits at once.
    state.apply(.finished(RunSummary(runName: "x", epochs: 2, train: Metrics(loss: 0.1, accuracy: 0.9),
                                      validation: Metrics(loss: 0.2, accuracy: 0.9), test: nil,
                                      secondsPerEpoch: [1, 1], samplesPerSecond: 1, stopped: false)))
    #expect(state.perform(.togglePause) == nil && state.notice == "the run has ended: space does nothing now")
    #expect(!KeyMap.footer(ascii: false, live: false).contains("pause") && KeyMap.footer(ascii: false, live: false).contains("q quit"))
    #expect(state.perform(.quit) == nil && state.quitting)
  }

  @Test func saveWithoutAFolderSaysWhy() {
    var state = EventFixture.state
    state.saveUnavailable = "started with --no-save"
    #expect(state.perform(.save) == nil && state.notice == "not saved: started with --no-save")
    state.saveUnavailable = nil
    #expect(state.perform(.save) == .saveCheckpoint)
  }

  @Test func theDigitBrowserPagesAndJumps() {
    var state = EventFixture.state
    _ = state.perform(.last)
    #expect(state.browsedSample == 19)
    _ = state.perform(.pageBack)
    #expect(state.browsedSample == 9)
    _ = state.perform(.pageBack)
    #expect(state.browsedSample == 0)  // stops at the first
    _ = state.perform(.pageForward)
    _ = state.perform(.pageForward)
    #expect(state.browsedSample == 19)  // stops at the last
    _ = state.perform(.first)
    #expect(state.browsedSample == 0)
  }
}

/// The one key-map table.
@Suite struct KeyMapTests {
  @Test func everyDocumentedKeyIsBound() {
    let expected: [(Key, DashboardAction)] = [
      (.character(" "), .togglePause), (.character("n"), .stepEpoch), (.left, .previous), (.character("h"), .previous),
      (.right, .next), (.character("l"), .next), (.character("m"), .mistakesOnly), (.character("c"), .confusion),
      (.character("y"), .logScale), (.character("+"), .learningRateUp), (.character("-"), .learningRateDown),
      (.character("?"), .help), (.character("q"), .quit), (.character("s"), .save),
    ]
    for (key, action) in expected { #expect(KeyMap.action(for: key) == action, "\(key)") }
    #expect(KeyMap.action(for: .character("z")) == .zoom && KeyMap.action(for: .character("Z")) == nil)
  }

  @Test func noKeyIsBoundTwice() {
    let keys = KeyMap.bindings.flatMap(\.keys)
    for (i, key) in keys.enumerated() { #expect(!keys[(i + 1)...].contains(key), "\(key) bound twice") }
  }

  @Test func theHelpOverlayListsEveryBinding() {
    var state = EventFixture.state
    state.showHelp = true
    // Every binding is on a row of the help (paired keys share one: `←/h →/l`), described by its
    // summary or, where that does not fit, its brief; never cut (no ellipsis), at 80x24 too.
    let rows = KeyMap.helpRows
    for binding in KeyMap.bindings { #expect(rows.contains { $0.label.split(separator: " ").contains(Substring(binding.label)) }, "\(binding.label)") }
    for (width, height) in [(120, 40), (80, 24)] {
      let text = DashboardView.render(state, width: width, height: height, options: RenderOptions()).text
      for row in rows {
        #expect(text.contains(row.label + " ") && (text.contains(row.summary) || text.contains(row.brief)), "\(row.label) at \(width)x\(height):\n\(text)")
      }
      #expect(!text.contains("…"), "a description cut at \(width)x\(height):\n\(text)")
      #expect(text.contains("V save") && text.contains("several"), "the chart marks' legend at \(width)x\(height)")
    }
    for binding in KeyMap.bindings { #expect((binding.brief?.count ?? 0) <= 24, "brief of \(binding.label) longer than 24") }
  }
}

/// Numbers that are not numbers: a run without a validation set, a diverged loss.
@Suite struct NonFiniteNumberTests {
  /// A checkpoint whose model gives NaN probabilities (a damaged or diverged one): every view
  /// draws, the probe strip and the weights tiles included, without trapping.
  @Test func nanProbabilitiesAndWeightsRender() {
    var state = DashboardState()
    for event in EventFixture.events {
      switch event {
      case .predictions(var p):
        p.probabilities = p.probabilities.map { _ in .nan }
        state.apply(.predictions(p))
      case .weights(var w):
        w.values = w.values.map { _ in .nan }
        state.apply(.weights(w))
      default: state.apply(event)
      }
    }
    for mode in [DashboardMode.board, .weights, .layers] {
      state.mode = mode
      for (width, height) in [(80, 24), (120, 40)] {
        let text = DashboardView.render(state, width: width, height: height, options: RenderOptions()).text
        #expect(text.contains("fixture-run"), "\(width)x\(height)")
      }
    }
  }

  @Test func aRunWithoutValidationRendersAtEverySize() {
    var state = DashboardState()
    for event in EventFixture.events {
      switch event {
      case .epoch(var e):
        e.validationLoss = .nan
        e.validationAccuracy = .nan
        state.apply(.epoch(e))
      case .batch(var b):
        b.samplesPerSecond = .infinity
        b.loss = b.step == 20 ? .infinity : b.loss
        state.apply(.batch(b))
      default: state.apply(event)
      }
    }
    for (width, height) in [(80, 24), (120, 40), (200, 60)] {
      for toggled in [false, true] {
        state.confusionToggled = toggled
        let text = DashboardView.render(state, width: width, height: height, options: RenderOptions()).text
        #expect(text.contains("fixture-run"), "\(width)x\(height)")
      }
    }
    #expect(DashboardState.percent(.nan) == "–" && DashboardState.percent(0.9512) == "95.1%")
    #expect(Format.duration(.infinity) == "–" && Format.fixed(.nan, 2) == "–" && Format.fixed(1e300, 2) == "1e+300")
    #expect(Int(saturating: .nan) == 0 && Int(saturating: 1e300) == .max && Int(saturating: -.infinity) == .min)
  }

  @Test func theLearningRateFactorStopsAtItsLimits() {
    var state = EventFixture.state
    state.apply(.learningRateScaled(rate: 0.05 * 0x1p-20, factor: 0x1p-20, atLimit: true))
    #expect(state.notice == "learning rate 4.8e-8 (×1/1048576 the schedule's), at its limit", "\(state.notice ?? "")")
    #expect(state.learningRate > 0)
  }
}

/// The inference panel at small sizes and with named classes.
@Suite struct InferencePanelTests {
  @Test func theTrueAndPredictedBarsAlwaysShow() {
    var p = [Float](repeating: 0.01, count: 10)
    p[7] = 0.02; p[2] = 0.5; p[4] = 0.3
    let four = InferencePanel.classesToShow(p, label: 7, guess: 2, rows: 4)
    #expect(four.count == 4 && four.contains(7) && four.contains(2) && four.contains(4) && four == four.sorted())
    #expect(InferencePanel.classesToShow(p, label: 7, guess: 2, rows: 2) == [2, 7])
    #expect(InferencePanel.classesToShow(p, label: 7, guess: 7, rows: 1) == [7])
    #expect(InferencePanel.classesToShow(p, label: 7, guess: 2, rows: 12) == Array(0..<10))
  }

  @Test func fashionRunsShowClassNames() {
    var state = DashboardState()
    var started = EventFixture.started
    started.classNames = DatasetIdentity.fashionClassNames
    for event in EventFixture.events {
      if case .started = event { state.apply(.started(started)) } else { state.apply(event) }
    }
    for (width, height) in [(80, 24), (120, 40)] {
      let text = DashboardView.render(state, width: width, height: height, options: RenderOptions()).text
      let line = width == 80 ? "1/20 T-shirt→Trouser 82.0% ✗" : "1/20  true T-shirt  pred Trouser 82.0% ✗ mistake"
      #expect(text.contains("Validation images") && text.contains(line), "\(width)x\(height)\n\(text)")
      #expect(text.contains("Trouser ") && !text.contains("Validation digits"))
    }
  }
}

/// The epoch table: every column at every size, scrolling, reachable in the compact layout.
@Suite struct EpochTableTests {
  static func longRun(epochs: Int) -> DashboardState {
    var state = EventFixture.state
    for n in 3...epochs { state.apply(.epoch(EventFixture.epoch(n))) }
    return state
  }

  @Test func theTableShowsEveryColumnAndScrolls() {
    var state = Self.longRun(epochs: 40)
    for (width, height, presses) in [(120, 40, 1), (80, 24, 2)] {
      state.panelCycle = presses
      let text = DashboardView.render(state, width: width, height: height, options: RenderOptions()).text
      #expect(text.contains("Epochs "), "\(width)x\(height): no epoch table\n\(text)")
      for column in ["loss", "acc", "val loss", "val acc", "time"] { #expect(text.contains(column), "\(width)x\(height): no \(column)") }
      #expect(text.contains(" of 40"), "\(width)x\(height)")
      let row40 = text.split(separator: "\n").contains { $0.contains("   40 ") || $0.contains(" 40  ") || $0.contains("│ 40") }
      #expect(row40, "\(width)x\(height): the newest epoch is not shown\n\(text)")
    }
    // Home goes to the first epochs, End back to following the newest.
    state.panelCycle = 1
    state.compact = false
    _ = state.perform(.first)
    #expect(state.epochTableTop == 0 && state.browsedSample == 0)
    let top = DashboardView.render(state, width: 120, height: 40, options: RenderOptions()).text
    #expect(top.contains("Epochs 1-"), "\(top)")
    _ = state.perform(.pageForward)
    #expect(state.epochTableTop == 10)
    _ = state.perform(.last)
    #expect(state.epochTableTop == nil)
  }
}

/// The charts' x axis follows the run; z zooms on the last ten epochs.
@Suite struct ChartAxisTests {
  @Test func theAxisGrowsWithTheRunAndZooms() {
    var state = EventFixture.state
    let early = DashboardView.render(state, width: 120, height: 40, options: RenderOptions()).text
    #expect(early.contains("2 ep") && !early.contains("5 ep"), "the axis is fixed to the total epochs:\n\(early)")
    state = EpochTableTests.longRun(epochs: 40)
    // Validation points reach epoch 40 (the per-batch points stop at 2).
    let whole = DashboardView.render(state, width: 120, height: 40, options: RenderOptions()).text
    #expect(whole.contains("40 ep") && whole.contains("│    0 "), "\(whole)")
    _ = state.perform(.zoom)
    let zoomed = DashboardView.render(state, width: 120, height: 40, options: RenderOptions()).text
    #expect(zoomed.contains("Loss (last 10 epochs)") && zoomed.contains("30") && zoomed.contains("40 ep"), "\(zoomed)")
    #expect(!zoomed.contains("│    0 "), "\(zoomed)")
  }
}

/// The confusion matrix keeps its accuracy column with 4-digit counts, at 80x24 too.
@Suite struct ConfusionFitTests {
  @Test func fourDigitCountsFitAt80x24() {
    var state = EventFixture.state
    let n = 12_000
    let labels = (0..<n).map { UInt8($0 % 10) }
    var probabilities = [Float](repeating: 0, count: n * 10)
    for i in 0..<n { probabilities[i * 10 + i % 10] = 1 }
    state.apply(.predictions(ValidationPredictions(epoch: 2, labels: labels, predicted: labels, probabilities: probabilities, classes: 10)))
    for (width, height, presses) in [(80, 24, 1), (120, 40, 0)] {
      state.panelCycle = presses
      let text = DashboardView.render(state, width: width, height: height, options: RenderOptions()).text
      let rows = text.split(separator: "\n").filter { $0.contains(" 1200 ") }
      #expect(rows.count == 10 && rows.allSatisfy { $0.contains("100.0%") || $0.contains(" 100%") }, "\(width)x\(height)\n\(text)")
    }
  }
}
