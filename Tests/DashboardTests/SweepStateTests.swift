import Foundation
import Testing

@testable import DNN
@testable import Dashboard
@testable import TerminalUI

/// Several runs in one dashboard: focus, keys that act on the focused run, queued and skipped
/// runs, the best run focused at the end, the fork prompt, followed runs.
@Suite struct SweepStateTests {
  @Test func everyPanelFieldReadsTheFocusedRun() {
    var state = SweepFixture.state
    #expect(state.isSweep && state.runs.count == 3)
    #expect(state.run?.runName == "wider-run" && state.interventions.count == 2)
    _ = state.press(.tab)
    #expect(state.focus == 2 && state.status == .queued && state.run == nil)
    _ = state.press(.tab)
    #expect(state.focus == 0 && state.run?.runName == "fixture-run" && state.summary?.test?.accuracy == 0.88)
    _ = state.press(.backTab)
    #expect(state.focus == 2)
    _ = state.press(.character("2"))
    #expect(state.focus == 1 && state.focusChosen)
    _ = state.press(.character("7"))
    #expect(state.focus == 1 && state.notice == "there are 3 runs: 1-3 focus one")
  }

  /// The runs panel scores the runs' latest validation predictions as one ensemble (the mean of
  /// their probabilities) and says what it gains over its best member, on its bottom border.
  @Test func theRunsPanelScoresTheRunsAsAnEnsemble() {
    // Five digits; each run gets a different one wrong, confidently but not very.
    let labels: [UInt8] = [0, 1, 2, 3, 4]
    func predictions(wrong: Int) -> ValidationPredictions {
      var probabilities: [Float] = []
      for (n, label) in labels.enumerated() {
        var row = [Float](repeating: 0.01, count: 10)
        if n == wrong { row[Int(label)] = 0.35; row[9] = 0.57 } else { row[Int(label)] = 0.91 }
        probabilities += row
      }
      return ValidationPredictions(
        epoch: 1, labels: labels, predicted: labels.enumerated().map { $0.offset == wrong ? 9 : $0.element },
        probabilities: probabilities, classes: 10)
    }
    var state = SweepFixture.state
    for (run, wrong) in [(0, 0), (1, 1), (2, 1)] { state.apply(.predictions(predictions(wrong: wrong)), run: run) }
    let text = RunsPanel.ensembleText(state.runs, focus: state.focus, ascii: false)
    #expect(text == "ensemble of 3: val 100.0%, +20.0 over ● fixture-run 80.0%")
    let frame = ChartChoiceTests.frame(state)
    #expect(frame.contains("ensemble of 3: val 100.0%"), "\(frame)")
    // A run on other digits is not a member; one member is no ensemble.
    var other = predictions(wrong: 0)
    other.labels = [1, 1, 2, 3, 4]
    state.apply(.predictions(other), run: 2)
    #expect(RunsPanel.ensembleText(state.runs, focus: state.focus, ascii: true)?.hasPrefix("ensemble of 2: val 100.0%, +20.0 over o fixture-run") == true)
    state.apply(.predictions(other), run: 0)
    #expect(RunsPanel.ensembleText(state.runs, focus: state.focus, ascii: false) == nil)
  }

  @Test func keysActOnTheFocusedRunOnly() {
    var state = SweepFixture.state
    #expect(state.status == .running && state.perform(.togglePause) == .pause)
    state.focus(on: 0)
    #expect(state.perform(.togglePause) == nil && state.notice == "fixture-run has ended: space does nothing now")
    state.focus(on: 2)
    #expect(state.perform(.learningRateUp) == nil && state.notice == "adam-run is queued: + does nothing yet (x skips it)")
  }

  @Test func xSkipsAQueuedRunAndStopsATrainingOne() {
    var state = SweepFixture.state
    #expect(state.perform(.skip) == .stop && state.notice == "stopping wider-run; the sweep goes on")
    state.focus(on: 2)
    #expect(state.perform(.skip) == .stop && state.status == .queued, "the link answers, not the key")
    state.apply(.record(RunRecord(status: .skipped, epochsPlanned: 0)), run: 2)
    #expect(state.status == .skipped && !state.runs[2].isLive)
    #expect(state.perform(.skip) == nil, "a skipped run has ended")
  }

  @Test func whenEveryRunHasEndedTheBestIsFocused() {
    var state = SweepFixture.state
    state.focus(on: 0)
    state.runs[2].status = .skipped
    state.apply(.finished(RunSummary(
      runName: "wider-run", epochs: 2, train: Metrics(loss: 0.4, accuracy: 0.9), validation: Metrics(loss: 0.4, accuracy: 0.95),
      test: nil, secondsPerEpoch: [], samplesPerSecond: 0, stopped: false)), run: 1)
    #expect(!state.anyLive && state.focus == 1, "wider-run's validation accuracy is the higher")
    #expect(state.notice == "all runs ended: wider-run ranks first")
  }

  /// Until the user picks a run, the focus follows the run that trains: a finished run's
  /// screen does not stay up while another trains off-screen; once a run is picked, it stays.
  @Test func theFocusFollowsTrainingUntilTheUserPicks() {
    var state = SweepFixture.state
    state.focus(on: 0)  // fixture-run, finished
    state.apply(.state(.running), run: 1)
    #expect(state.focus == 1, "wider-run trains: it takes the focus from the finished run")
    state.runs[2].status = .running
    state.apply(.state(.running), run: 2)
    #expect(state.focus == 1, "a training run keeps the focus")
    var picked = SweepFixture.state
    _ = picked.press(.character("1"))
    picked.apply(.state(.running), run: 1)
    #expect(picked.focus == 0, "the user's pick stays")
  }

  /// A paused run that holds a place says the queued runs wait for it, and a queued run says
  /// which paused run it waits for; the ETA stays, as the time left once resumed.
  @Test func aPausedRunSaysTheQueueWaitsForIt() {
    var state = SweepFixture.state
    state.runs[1].status = .paused
    #expect(state.pausedAheadOfTheQueue == ["wider-run"])
    let paused = DashboardView.render(state, width: 120, height: 40, options: RenderOptions()).trimmedText
    #expect(paused.contains("1 queued run waits for it"), "\(paused.prefix(250))")
    state.focus(on: 2)
    let queued = DashboardView.render(state, width: 120, height: 40, options: RenderOptions()).trimmedText
    #expect(queued.contains("queued: waits for wider-run, paused"), "\(queued.prefix(250))")
    state.runs[1].status = .running
    #expect(state.pausedAheadOfTheQueue.isEmpty)
  }

  /// A key that does nothing says so, briefly.
  @Test func anUnknownKeySaysSo() {
    var state = SweepFixture.state
    #expect(state.press(.character("p")).command == nil && state.notice == "p: not a key here, ? for help")
  }

  @Test func aChosenFocusStaysAtTheEnd() {
    var state = SweepFixture.state
    _ = state.press(.character("1"))
    state.runs[2].status = .skipped
    state.apply(.finished(RunSummary(
      runName: "wider-run", epochs: 2, train: Metrics(loss: 0.4, accuracy: 0.9), validation: Metrics(loss: 0.4, accuracy: 0.95),
      test: nil, secondsPerEpoch: [], samplesPerSecond: 0, stopped: false)), run: 1)
    #expect(state.focus == 0)
  }

  @Test func theForkPromptChoosesTheFactor() {
    var state = SweepFixture.state
    state.runs[1].status = .running
    // A training run waits while the user chooses: f pauses it, the answer resumes it.
    #expect(state.perform(.fork) == .pause && state.forkFactor == 0.5)
    #expect(state.notice?.hasPrefix("fork ×1/2 of wider-run: learning rate 0.025 (×1/2 its rate now)") == true, "\(state.notice ?? "")")
    #expect(state.press(.left).command == nil && state.forkFactor == 0.25)
    #expect(state.press(.character("+")).command == nil && state.press(.right).command == nil && state.forkFactor == 1)
    // Another run's notice does not replace the open prompt.
    state.apply(.checkpointSaved(path: "x", epoch: 1), run: 0)
    #expect(state.shownNotice?.hasPrefix("fork ×1 of wider-run") == true, "\(state.shownNotice ?? "")")
    #expect(state.press(.enter).command == .fork(name: "wider-run-fork1", learningRateFactor: 1))
    #expect(state.takeFollowUp() == .resume && state.takeFollowUp() == nil)
    #expect(state.forkFactor == nil)
    // Esc (any other key) cancels; the name skips those taken.
    state.add(RunState(name: "wider-run-fork1"))
    #expect(state.perform(.fork) == .pause)
    #expect(state.press(.escape).command == .resume && state.forkFactor == nil && state.notice == nil)
    // A paused run stays paused whatever the answer.
    state.runs[1].status = .paused
    #expect(state.perform(.fork) == nil && state.press(.escape).command == nil)
    #expect(state.forkName == "wider-run-fork2")
  }

  @Test func aFollowedRunIsNotSteered() {
    var state = SweepFixture.state
    state.runs[1].following = true
    #expect(state.perform(.togglePause) == nil && state.notice == "wider-run is trained by another process: space does nothing here")
    #expect(state.perform(.fork) == nil && state.forkFactor == nil)
    #expect(HeaderPanel.statusText(state.focused) == "FOLLOWING")
  }

  @Test func noticesOfOtherRunsSayWhich() {
    var state = SweepFixture.state
    state.apply(.checkpointSaved(path: "runs/fixture-run/last.safetensors", epoch: 2), run: 0)
    #expect(state.notice == "fixture-run: saved runs/fixture-run/last.safetensors (epoch 2)")
  }

  @Test func theCompactLayoutCyclesThroughTheRunsPanel() {
    var state = SweepFixture.state
    state.compact = true
    var seen: [DashboardState.LowerPanel] = []
    for _ in 0..<4 {
      seen.append(state.lowerPanel)
      _ = state.perform(.confusion)
    }
    #expect(seen == [.charts, .runs, .confusion, .epochs])
  }
}

/// A NaN step in the dashboard: back to the epoch's start, paused, the header says what to do.
@Suite struct AnomalyStateTests {
  @Test func theRunGoesBackPausedAndSaysWhatToDo() {
    var state = EventFixture.state  // 20 steps, 2 epochs
    let text = "step 21: loss is nan; back to the start of epoch 3 (step 20) and paused: lower the learning rate, then resume."
    state.apply(.anomaly(step: 21, restoredTo: TrainingPosition(epoch: 2, batch: 0, step: 20), message: text))
    state.apply(.state(.paused))
    #expect(state.status == .paused && state.isLive && state.step == 20)
    #expect(state.notice == text + " (keys: -, then space)" && state.anomaly == text)
    let header = DashboardView.render(state, width: 120, height: 40, options: RenderOptions()).text
    #expect(header.contains("PAUSED") && header.contains("step 21: loss is nan"))
    // Points after the restored state are gone (they will come again); running again clears it.
    #expect(state.trainLoss.allSatisfy { $0.x <= 2 })
    state.apply(.state(.running))
    #expect(state.anomaly == nil && state.message == nil && state.status == .running)
  }
}
