import Foundation
import Testing

@testable import DNN
@testable import Dashboard
@testable import TerminalUI

/// The run loop against an in-memory terminal and a scripted trainer.
@Suite struct DashboardAppTests {
  /// Events of run 0 (`pending`) or of any run (`linkEvents`); commands recorded with their run.
  final class ScriptedLink: TrainingLink {
    var pending: [TrainingEvent]
    var linkEvents: [LinkEvent] = []
    var sentTo: [(command: TrainingCommand, run: Int)] = []
    var sent: [TrainingCommand] { sentTo.map(\.command) }
    init(_ events: [TrainingEvent]) { pending = events }
    func drainEvents() -> [LinkEvent] {
      defer { (pending, linkEvents) = ([], []) }
      return linkEvents + pending.map { .event(run: 0, $0) }
    }
    func send(_ command: TrainingCommand, to run: Int) { sentTo.append((command, run)) }
  }

  func makeApp(width: Int = 120, height: Int = 40) -> (DashboardApp, TextTerminal, ScriptedLink) {
    let terminal = TextTerminal(width: width, height: height)
    let link = ScriptedLink(EventFixture.events)
    let app = DashboardApp(terminal: terminal, link: link, options: RenderOptions())
    (app.maxFramesPerSecond, app.idleFramesPerSecond) = (1e9, 1e9)
    return (app, terminal, link)
  }

  @Test func keysDriveTheTrainerAndTheScreen() {
    let (app, terminal, link) = makeApp()
    #expect(app.tick())
    #expect(terminal.screen.text.contains("RUNNING"))
    terminal.pendingKeys = [.character(" ")]
    #expect(app.tick())
    #expect(link.sent == [.pause])
    link.pending = [.state(.paused)]
    #expect(app.tick())
    #expect(terminal.screen.text.contains("PAUSED"))
    terminal.pendingKeys = [.right]
    #expect(app.tick())
    #expect(terminal.screen.text.contains("2/20  true 1  pred 1"))
    terminal.pendingKeys = [.character("?")]
    _ = app.tick()
    #expect(terminal.screen.text.contains("pause / resume training"))
  }

  @Test func noticesFadeButTheQuitQuestionWaits() {
    let (app, terminal, _) = makeApp()
    app.noticeSeconds = 0.05
    _ = app.tick()
    link(app).pending = [.checkpointSaved(path: "runs/x/last.safetensors", epoch: 2)]
    _ = app.tick()
    #expect(terminal.screen.text.contains("saved runs/x/last.safetensors (epoch 2)"))
    Thread.sleep(forTimeInterval: 0.1)
    _ = app.tick()
    _ = app.tick()
    #expect(!terminal.screen.text.contains("saved runs/x"))
    terminal.pendingKeys = [.character("q")]
    _ = app.tick()
    Thread.sleep(forTimeInterval: 0.1)
    _ = app.tick()
    #expect(terminal.screen.text.contains("quit and stop training?"))
  }

  /// At 80 columns a notice shows whole: the figures beside it make room while it shows (it was
  /// cut to `Esc closes the help or a…` beside the validation and test figures).
  @Test func aNoticeShowsWholeAt80Columns() {
    let (app, terminal, _) = makeApp(width: 80, height: 24)
    _ = app.tick()
    link(app).pending = [.finished(RunSummary(
      runName: "fixture-run", epochs: 2, train: Metrics(loss: 0.1, accuracy: 0.9), validation: Metrics(loss: 0.2, accuracy: 0.9),
      test: Metrics(loss: 0.25, accuracy: 0.875), secondsPerEpoch: [1, 1], samplesPerSecond: 1, stopped: false))]
    _ = app.tick()
    #expect(terminal.screen.text.contains("val acc"))
    terminal.pendingKeys = [.escape]
    _ = app.tick()
    let notice = "\(KeyMap.name(.close)) closes the help or a view; \(KeyMap.name(.quit)) quits"
    #expect(terminal.screen.text.contains(notice), "\(terminal.screen.text)")
  }

  func link(_ app: DashboardApp) -> ScriptedLink { app.link as! ScriptedLink }

  @Test func tooSmallScreenStillQuits() {
    let (app, terminal, link) = makeApp()
    _ = app.tick()
    terminal.resize(width: 50, height: 12)
    _ = app.tick()
    #expect(terminal.screen.text.contains("terminal too small (need 80x24, have 50x12)"))
    terminal.pendingKeys = [.character(" ")]  // ignored while too small
    _ = app.tick()
    #expect(link.sent.isEmpty)
    terminal.resize(width: 120, height: 40)
    _ = app.tick()
    #expect(terminal.screen.text.contains("Gradient norms"))
    terminal.pendingKeys = [.character("q"), .character("q")]  // asks, then quits
    _ = app.tick()
    #expect(link.sent.isEmpty && terminal.screen.text.contains("quit and stop training?"))
    _ = app.tick()
    #expect(link.sent == [.stop])
    link.pending = [.finished(RunSummary(runName: "x", epochs: 2, train: Metrics(loss: 1, accuracy: 0.5),
                                          validation: Metrics(loss: 1, accuracy: 0.5), test: nil, secondsPerEpoch: [],
                                          samplesPerSecond: 0, stopped: true))]
    #expect(!app.tick())  // the trainer stopped: the loop ends
  }

  @Test func onlyChangedCellsAreRedrawn() {
    let (app, terminal, _) = makeApp()
    _ = app.tick()
    let afterFirst = terminal.writes
    terminal.pendingKeys = [.character("y")]  // log scale: only the loss panel changes
    _ = app.tick()
    #expect(terminal.writes - afterFirst < 120 * 40 / 4)
  }
}
