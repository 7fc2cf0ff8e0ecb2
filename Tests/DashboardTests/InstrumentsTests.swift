import Foundation
import Testing

@testable import DNN
@testable import Dashboard
@testable import TerminalUI

/// Layer health, the layers view with equations and checks, and the drawing pad, as state and
/// through the app.
@Suite struct InstrumentsTests {
  @Test func healthEventsKeepAHistoryPerTensor() {
    let state = InstrumentsFixture.state
    #expect(state.health?.step == 20)
    #expect(state.updateRatioHistory.count == 6)
    #expect(state.updateRatioHistory[0].map { ($0 * 10).rounded() / 10 } == [-3.3, -3.2, -3.1, -3, -2.9])
    let rows = HealthPanel.rows(run: state.run!, health: state.health!, history: state.updateRatioHistory)
    #expect(rows.map(\.label) == ["0 dense", "1 relu", "2 dense", "3 relu", "4 dense", "5 softmax"])
    #expect(rows.map { $0.ratio == nil } == [false, true, false, true, false, true])
    #expect(rows[2].ratio == -4.6)  // layer 2's first tensor is parameter 2 (2.weight)
  }

  /// A drawing on a Fashion-MNIST run is read as a class name, not a number.
  @Test func readingsUseTheRunsClassNames() throws {
    var started = EventFixture.started
    started.classNames = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot"]
    var state = DashboardState()
    state.apply(.started(started))
    #expect(state.focused.className(7) == "Sneaker" && state.focused.className(12) == "12")
    #expect(InstrumentsFixture.state.focused.className(7) == "7")
    // The pad's reading and the kept digit name the class on screen, not its number.
    var fashion = InstrumentsFixture.state
    fashion.runs[0].run?.classNames = started.classNames
    _ = fashion.perform(.draw)
    for key: Key in [.character(" "), .down, .down, .down] { _ = fashion.press(key) }
    #expect(Instruments().update(&fashion))
    let guess = try #require(fashion.drawing?.prediction?.digit)
    let text = DashboardView.render(fashion, width: 120, height: 40, options: RenderOptions()).text
    #expect(text.contains("reads \(started.classNames[guess])") && !text.contains("reads \(guess) "), "\(text)")
    _ = fashion.press(.enter)
    #expect(fashion.drawings.count == 1)
    #expect(fashion.notice?.contains("read as \(started.classNames[guess])") == true, "\(fashion.notice ?? "")")
  }

  /// With --ascii or a non-UTF-8 locale the equations spell their symbols out, and nothing is
  /// left as "?".
  @Test func asciiEquationsSpellTheSymbolsOut() {
    #expect(Glyphs.asciiText("dγ = Σ dy ⊙ x_hat,   dβ = Σ dy") == "dgamma = sum  dy * x_hat,   dbeta = sum  dy")
    var state = InstrumentsFixture.state
    _ = state.perform(.layers)
    let text = DashboardView.render(state, width: 120, height: 40, options: RenderOptions(ascii: true)).text
    #expect(text.contains("Z [100, 32] = X [100, 784] * W^T [784, 32] + b [32]"), "\(text)")
    let body = text.split(separator: "\n").dropLast()  // the footer's "? help" is meant
    #expect(text.contains("mean    std") && !body.contains { $0.contains("?") }, "\(text)")
  }

  /// The inside view looks at a digit at once, and again when the digit or the goal changes; a
  /// newer model alone (every epoch's end) is looked through at most every few seconds, and the
  /// view says which weights it shows.
  @Test func theInsideViewLooksAgainAtMostEveryFewSecondsForANewModel() throws {
    var state = InstrumentsFixture.state
    _ = state.perform(.inside)
    let instruments = Instruments()
    var clock: UInt64 = 1_000_000_000
    instruments.now = { clock }
    #expect(instruments.update(&state))
    #expect(state.insight != nil && state.insightModel == "step 20")
    var newer = InstrumentsFixture.model
    newer.position = TrainingPosition(epoch: 3, batch: 0, step: 30)
    state.apply(.model(newer))
    clock += 500_000_000
    #expect(!instruments.update(&state), "a new model half a second after the last look waits")
    #expect(state.insightModel == "step 20")
    _ = state.perform(.nudgeGoal)
    #expect(instruments.update(&state), "a new goal is looked at at once")
    #expect(state.insightModel == "step 30")
    newer.position = TrainingPosition(epoch: 4, batch: 0, step: 40)
    state.apply(.model(newer))
    clock += UInt64(instruments.insightRefreshSeconds * 1e9) - 1
    #expect(!instruments.update(&state))
    clock += 1
    #expect(instruments.update(&state), "and the newer model once the time is up")
    #expect(state.insightModel == "step 40")
    let text = DashboardView.render(state, width: 120, height: 40, options: RenderOptions()).text
    #expect(text.contains("by the weights of step 40"), "\(text)")
  }

  /// A run without validation digits has nothing to check on: a notice, no crash.
  @Test func aCheckWithoutValidationDigitsSaysSo() {
    var started = EventFixture.started
    started.validation = DatasetView(source: EventFixture.validation.source, indices: [])
    var state = DashboardState()
    state.apply(.started(started))
    state.apply(.model(InstrumentsFixture.model))
    _ = state.perform(.layers)
    _ = state.perform(.gradientCheck)
    #expect(Instruments().update(&state))
    #expect(state.gradientCheck == nil && state.notice?.hasPrefix("no validation digits") == true)
  }

  @Test func ratioColoursFollowTheBand() {
    #expect(HealthPanel.style(-3).foreground == .green)
    #expect(HealthPanel.style(-4.5).foreground == .yellow)
    #expect(HealthPanel.style(-1.5).foreground == .red)
    #expect(HealthPanel.style(-.infinity).foreground == .grey)
  }

  @Test func denseEquationsCarryTheModelsShapes() {
    let layers: [LayerSpec] = [.dense(units: 256, initializer: .he), .relu, .dense(units: 10, initializer: .he), .softmax]
    let lines = Equations.lines(of: layers, index: 0, batch: 128).map(\.text)
    #expect(lines.contains("dW [256, 784] = dZᵀ [256, 128] · X [128, 784]"))
    #expect(lines.contains("dX [128, 784] = dZ [128, 256] · W [256, 784]"))
    let softmax = Equations.lines(of: layers, index: 3, batch: 128)
    #expect(softmax.map(\.label).contains("fused") && softmax.map(\.label).contains("Jacobian"))
    // A stride-1 convolution runs on the direct kernels, a stride-2 one through im2col.
    let conv: [LayerSpec] = [.conv2d(channels: 16, kernel: 5, stride: 1, padding: 2, initializer: .he), .relu]
    let direct = Equations.lines(of: conv, index: 0, batch: 64)
    #expect(direct.map(\.label).contains("direct") && direct.contains { $0.text.contains("W [16, 1, 5, 5], [64, 784] → [64, 12544]") })
    #expect(direct.contains { $0.text.hasPrefix("dX [64, 784] = the same convolution of dY padded by 2") })
    let strided: [LayerSpec] = [.conv2d(channels: 16, kernel: 5, stride: 2, padding: 2, initializer: .he), .relu]
    #expect(Equations.lines(of: strided, index: 0, batch: 64).map(\.text).contains("dW [16, 25] = dY [16, 12544] · colsᵀ [12544, 25]"))
    // Every kind has a forward and a backward line.
    let all: [LayerSpec] = [
      .conv2d(channels: 4, kernel: 3, stride: 1, padding: 1, initializer: .he), .batchNorm2D(momentum: 0.1, epsilon: 1e-5), .maxPool(size: 2),
      .avgPool(size: 2), .leakyReLU(slope: 0.1), .dropout(rate: 0.5), .dense(units: 28 * 8, initializer: .he),
      .attention(tokens: 28, heads: 2, dim: 16, initializer: .he), .batchNorm(momentum: 0.1, epsilon: 1e-5), .softmax,
    ]
    for i in all.indices {
      let labels = Equations.lines(of: all, index: i, batch: 8).map(\.label)
      #expect(labels.contains("forward") && labels.contains("backward"), "layer \(i): \(labels)")
    }
  }

  @Test func layersViewChoosesALayerAndAsksForAChecksThatTheAppRuns() {
    var state = InstrumentsFixture.state
    _ = state.perform(.gradientCheck)
    #expect(state.notice?.contains("e opens it") == true && state.checkRequested == nil)
    _ = state.perform(.layers)
    #expect(state.showLayers)
    _ = state.perform(.cellUp)
    #expect(state.layerCursor == 0)
    for _ in 0..<9 { _ = state.perform(.cellDown) }
    #expect(state.layerCursor == 5)
    _ = state.perform(.cellUp)
    _ = state.perform(.cellUp)
    _ = state.perform(.gradientCheck)
    #expect(state.checkRequested == 3)
    let instruments = Instruments()
    #expect(instruments.update(&state))
    let report = try! #require(state.gradientCheck)
    #expect(report.layer == 3 && report.tensors.map(\.name) == ["input"])
    #expect(report.maxRelativeError < 1e-2)
    #expect(state.checkRequested == nil)
    // Another layer: the report goes; Esc closes the view.
    _ = state.perform(.cellUp)
    #expect(state.gradientCheck == nil)
    _ = state.perform(.close)
    #expect(!state.showLayers)
  }

  @Test func drawingKeysPaintEraseAndKeep() throws {
    var state = InstrumentsFixture.state
    _ = state.perform(.draw)
    #expect(state.drawing?.isBlank == true)
    // Pen down, four steps down: a 2-wide stroke of 6 rows (the brush is 2x2).
    for key: Key in [.character(" "), .down, .down, .down, .down, .character(" "), .down] { _ = state.press(key) }
    var pad = try #require(state.drawing)
    #expect(pad.canvas.filter { $0 > 0 }.count == 12)
    #expect(pad.canvas[4 * 28 + 13] == 1 && pad.canvas[9 * 28 + 14] == 1 && pad.canvas[10 * 28 + 13] == 0)
    // Keys the pad does not use still work (the pause), and q is not swallowed.
    let (_, command) = state.press(.character("n"))
    #expect(command == .stepEpoch)
    // The app's model reads it.
    let instruments = Instruments()
    #expect(instruments.update(&state))
    pad = try #require(state.drawing)
    #expect(pad.probabilities?.count == 10 && pad.seen?.count == 784)
    #expect(abs((pad.probabilities ?? []).reduce(0, +) - 1) < 1e-4)
    #expect(!instruments.update(&state), "the same drawing is read once")
    // The eraser takes the stroke's bottom away; Enter keeps the digit and clears the canvas.
    for key: Key in [.character("x"), .up, .character("x")] { _ = state.press(key) }
    #expect(state.drawing!.canvas.filter { $0 > 0 }.count == 8)
    _ = instruments.update(&state)
    _ = state.press(.enter)
    #expect(state.drawings.count == 1 && state.drawing?.isBlank == true)
    #expect(state.drawings[0].pixels.count == 784 && state.drawings[0].readBy == "step 20")
    #expect(state.notice?.hasPrefix("kept: read as") == true)
    _ = state.press(.character("c"))
    _ = state.press(.escape)
    #expect(state.drawing == nil)
    // The digit browser lists the kept digit ("your digits") until Esc or m.
    #expect(state.browsingDrawings)
    let text = DashboardView.render(state, width: 120, height: 40, options: RenderOptions()).text
    #expect(text.contains("Your digits") && text.contains("1/1  read as \(state.drawings[0].prediction.digit)"), "\(text)")
    _ = state.press(.right)
    #expect(state.drawingSelected == 0, "one digit: → wraps to it")
    _ = state.press(.escape)
    #expect(!state.browsingDrawings)
    #expect(DashboardView.render(state, width: 120, height: 40, options: RenderOptions()).text.contains("Validation digits"))
  }

  /// With several runs, the drawing is read by every run's latest model, side by side.
  @Test func everyRunReadsTheDrawing() throws {
    var state = InstrumentsFixture.state
    state.apply(.model(InstrumentsFixture.model))
    let second = state.add(RunState(name: "second-run", status: .running))
    state.apply(.model(InstrumentsFixture.model), run: second)
    _ = state.perform(.draw)
    for key: Key in [.character(" "), .down, .down, .down, .down, .down, .down] { _ = state.press(key) }
    let instruments = Instruments()
    #expect(instruments.update(&state))
    let pad = try #require(state.drawing)
    #expect(pad.byRun.map(\.run) == ["fixture-run", "second-run"])
    #expect(pad.byRun.first?.digit == pad.prediction?.digit, "the focused run's reading is the pad's")
    #expect(!instruments.update(&state), "read once per drawing and models")
    let text = DashboardView.render(state, width: 120, height: 40, options: RenderOptions()).text
    #expect(text.contains("every run reads: fixture-run"), "\(text)")
  }

  @Test func theMousePaintsWhereItPoints() throws {
    let terminal = TextTerminal(width: 120, height: 40)
    let link = DashboardAppTests.ScriptedLink(EventFixture.events + [.model(InstrumentsFixture.model)])
    let app = DashboardApp(terminal: terminal, link: link, options: RenderOptions())
    (app.maxFramesPerSecond, app.idleFramesPerSecond) = (1e9, 1e9)
    _ = app.tick()
    let origin = DrawingPanel.canvasOrigin(width: 120, height: 40)
    terminal.pendingKeys = [
      .character("d"), .mouse(x: origin.x + 5, y: origin.y + 3, action: .press(right: false)),
      .mouse(x: origin.x + 5, y: origin.y + 4, action: .drag(right: false)), .mouse(x: origin.x + 5, y: origin.y + 4, action: .release),
      .mouse(x: 0, y: 0, action: .press(right: false)),  // off the canvas: nothing
    ]
    for _ in 0..<5 { _ = app.tick() }
    let pad = try #require(app.state.drawing)
    // Cell row 3 holds pixel rows 6-7; the 2x2 brush from (5, 6), then from (5, 8).
    let painted = pad.canvas.indices.filter { pad.canvas[$0] > 0 }.map { ($0 % 28, $0 / 28) }
    #expect(painted.map { "\($0)" }.sorted() == ["(5, 6)", "(5, 7)", "(5, 8)", "(5, 9)", "(6, 6)", "(6, 7)", "(6, 8)", "(6, 9)"].sorted())
    #expect(pad.probabilities != nil, "read by the fixture's model")
    #expect(terminal.screen.text.contains("Draw a digit") && terminal.screen.text.contains("reads"))
    terminal.pendingKeys = [.mouse(x: origin.x + 5, y: origin.y + 3, action: .press(right: true))]
    _ = app.tick()
    #expect(app.state.drawing!.canvas.filter { $0 > 0 }.count == 4, "the right button erases")
  }
}
