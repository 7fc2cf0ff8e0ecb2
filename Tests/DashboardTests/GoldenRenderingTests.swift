import Foundation
import Testing

@testable import DNN
@testable import Dashboard
@testable import TerminalUI

/// The whole dashboard rendered from the fixed event sequence, against committed text files.
/// Set UPDATE_GOLDEN=1 to rewrite them after an intended change (and review the diff).
@Suite struct GoldenRenderingTests {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

  func check(_ name: String, _ buffer: ScreenBuffer, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = Self.folder.appendingPathComponent(name)
    let actual = buffer.trimmedText + "\n"
    if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
      try actual.write(to: url, atomically: true, encoding: .utf8)
      return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    #expect(actual == expected, "rendering differs from Golden/\(name)", sourceLocation: sourceLocation)
  }

  /// One letter per cell for its colour (`.` default, `r`ed, `g`reen, `y`ellow, `b`lue, `c`yan,
  /// `m`agenta, `o`range, `w`hite, gr`e`y, `d`ark grey, `k` a grey level of a digit, `?` other),
  /// upper case when bold, `#` when reversed: the colours of a frame as a golden file.
  static func colourMap(_ buffer: ScreenBuffer) -> String {
    let names: [Color: Character] = [.default: ".", .red: "r", .green: "g", .yellow: "y", .blue: "b", .cyan: "c",
                                     .magenta: "m", .orange: "o", .white: "w", .grey: "e", .darkGrey: "d"]
    var lines: [String] = []
    for y in 0..<buffer.height {
      var line = ""
      for x in 0..<buffer.width {
        let style = buffer[x, y].style
        var letter = names[style.foreground] ?? {
          if case .palette(let p) = style.foreground, p >= 232 || p == 16 || p == 231 { return "k" }
          return "?"
        }()
        if style.bold { letter = Character(letter.uppercased()) }
        line.append(style.reverse ? "#" : letter)
      }
      lines.append(line)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  @Test func coloursOfTheWideLayout() throws {
    let buffer = DashboardView.render(EventFixture.state, width: 120, height: 40, options: RenderOptions())
    let url = Self.folder.appendingPathComponent("dashboard-120x40-colours.txt")
    let actual = Self.colourMap(buffer)
    if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" { try actual.write(to: url, atomically: true, encoding: .utf8) }
    #expect(actual == (try String(contentsOf: url, encoding: .utf8)), "colours differ from Golden/dashboard-120x40-colours.txt")
    #expect(actual.contains("r") && actual.contains("g") && actual.contains("k"), "mistakes red, right answers green, grey digits")
    // Without colour (NO_COLOR, --no-color) no cell has one; bold and reverse stay.
    let plain = Self.colourMap(DashboardView.render(EventFixture.state, width: 120, height: 40, options: RenderOptions(color: false)))
    #expect(plain.allSatisfy { ".\n#".contains($0) }, "colour without colour:\n\(plain)")
  }

  @Test func wide120x40() throws {
    try check("dashboard-120x40.txt", DashboardView.render(EventFixture.state, width: 120, height: 40, options: RenderOptions()))
  }

  @Test func compact80x24() throws {
    try check("dashboard-80x24.txt", DashboardView.render(EventFixture.state, width: 80, height: 24, options: RenderOptions()))
  }

  @Test func asciiNoColour120x40() throws {
    try check("dashboard-120x40-ascii.txt",
              DashboardView.render(EventFixture.state, width: 120, height: 40, options: RenderOptions(color: false, ascii: true)))
  }

  @Test func mistakesOnlyWithEpochTableAndLogScale() throws {
    var state = EventFixture.state
    _ = state.perform(.mistakesOnly)
    _ = state.perform(.confusion)
    _ = state.perform(.logScale)
    try check("dashboard-120x40-mistakes-epochs-log.txt", DashboardView.render(state, width: 120, height: 40, options: RenderOptions()))
  }

  @Test func confusionOnTheCompactLayout() throws {
    var state = EventFixture.state
    _ = state.perform(.confusion)
    try check("dashboard-80x24-confusion.txt", DashboardView.render(state, width: 80, height: 24, options: RenderOptions()))
  }

  @Test func sweep120x40() throws {
    try check("sweep-120x40.txt", DashboardView.render(SweepFixture.state, width: 120, height: 40, options: RenderOptions()))
  }

  /// Without colour, runs are told apart by their markers (● ▲ ■) in the legend, the charts and
  /// the runs panel.
  @Test func sweepWithoutColour120x40() throws {
    try check("sweep-120x40-no-colour.txt",
              DashboardView.render(SweepFixture.state, width: 120, height: 40, options: RenderOptions(color: false)))
  }

  @Test func sweepCompact80x24() throws {
    var state = SweepFixture.state
    try check("sweep-80x24.txt", DashboardView.render(state, width: 80, height: 24, options: RenderOptions()))
    state.compact = true
    _ = state.perform(.confusion)
    try check("sweep-80x24-runs.txt", DashboardView.render(state, width: 80, height: 24, options: RenderOptions()))
  }

  /// `w`: the first layer's units as tiles (4 per row at 120 columns, 2 at 80), paged.
  @Test func weights120x40And80x24() throws {
    var state = WeightsFixture.state
    try check("weights-120x40.txt", DashboardView.render(state, width: 120, height: 40, options: RenderOptions(color: false)))
    try check("weights-80x24.txt", DashboardView.render(state, width: 80, height: 24, options: RenderOptions(color: false)))
    _ = state.perform(.pageForward)
    let second = DashboardView.render(state, width: 80, height: 24, options: RenderOptions()).text
    #expect(second.contains("units 3-4 of 8") && second.contains("page 2/4"), "\(second)")
    _ = state.perform(.close)
    #expect(!state.showWeights)
  }

  /// `i`: layer health in the gradient panel, ratios coloured against the band.
  @Test func health120x40And80x24() throws {
    var state = InstrumentsFixture.state
    _ = state.perform(.health)
    try check("health-120x40.txt", DashboardView.render(state, width: 120, height: 40, options: RenderOptions(color: false)))
    try check("health-80x24.txt", DashboardView.render(state, width: 80, height: 24, options: RenderOptions(color: false)))
    let colours = Self.colourMap(DashboardView.render(state, width: 120, height: 40, options: RenderOptions()))
    let rows = colours.split(separator: "\n").map(String.init)
    let text = DashboardView.render(state, width: 120, height: 40, options: RenderOptions()).text.split(separator: "\n").map(String.init)
    // The ratio of each row in its band's colour: -2.9 green, -4.6 yellow (below), -1.2 red (above).
    for (value, letter) in [("-2.9", "G"), ("-4.6", "Y"), ("-1.2", "R")] {
      let y = try #require(text.firstIndex { $0.contains(" " + value + " ") }, "\(value) on screen")
      let x = text[y].distance(from: text[y].startIndex, to: text[y].range(of: value)!.lowerBound)
      #expect(Array(rows[y])[x] == Character(letter), "\(value) coloured \(letter)")
    }
  }

  /// `e` on layer 0 after `g`: the table, the equations with the model's shapes, the check.
  @Test func layers120x40And80x24() throws {
    var state = InstrumentsFixture.state
    _ = state.perform(.layers)
    state.gradientCheck = InstrumentsFixture.check
    try check("layers-120x40.txt", DashboardView.render(state, width: 120, height: 40, options: RenderOptions(color: false)))
    try check("layers-80x24.txt", DashboardView.render(state, width: 80, height: 24, options: RenderOptions(color: false)))
  }

  /// `v`: inside the digit, saliency and the nudge, then a layer's output (PgDn).
  @Test func inside120x40And80x24() throws {
    var state = InsideFixture.state
    try check("inside-120x40.txt", DashboardView.render(state, width: 120, height: 40, options: RenderOptions(color: false)))
    try check("inside-80x24.txt", DashboardView.render(state, width: 80, height: 24, options: RenderOptions(color: false)))
    _ = state.press(.pageDown)
    try check("inside-layer-120x40.txt", DashboardView.render(state, width: 120, height: 40, options: RenderOptions(color: false)))
    _ = state.press(.escape)
    #expect(!state.showInside)
  }

  /// `u`: the weights' distributions by epoch, then the activations' (→), a dead layer flagged.
  @Test func distributions120x40And80x24() throws {
    var state = DistributionsFixture.state
    try check("distributions-120x40.txt", DashboardView.render(state, width: 120, height: 40, options: RenderOptions(color: false)))
    try check("distributions-80x24.txt", DashboardView.render(state, width: 80, height: 24, options: RenderOptions(color: false)))
    _ = state.press(.right)
    try check("distributions-activations-120x40.txt", DashboardView.render(state, width: 120, height: 40, options: RenderOptions(color: false)))
  }

  /// `L`: the learning-rate finder's answer (a fixed curve) with its suggestion.
  @Test func rateFinder120x40And80x24() throws {
    var state = EventFixture.state
    _ = state.press(.character("L"))
    state.apply(.learningRateSweep(RateFinderViewTests.sweep()))
    state.notice = nil
    try check("rate-finder-120x40.txt", DashboardView.render(state, width: 120, height: 40, options: RenderOptions(color: false)))
    try check("rate-finder-80x24.txt", DashboardView.render(state, width: 80, height: 24, options: RenderOptions(color: false)))
  }

  /// `A`: the browsed digit and seven augmented versions of it.
  @Test func augmentPreview120x40And80x24() throws {
    let state = AugmentFixture.state
    try check("augment-120x40.txt", DashboardView.render(state, width: 120, height: 40, options: RenderOptions(color: false)))
    try check("augment-80x24.txt", DashboardView.render(state, width: 80, height: 24, options: RenderOptions(color: false)))
  }

  /// `d` with a vertical stroke drawn and a fixed reading.
  @Test func drawing120x40And80x24() throws {
    var state = InstrumentsFixture.state
    _ = state.perform(.draw)
    for key: Key in [.character(" ")] + Array(repeating: Key.down, count: 16) + [.character(" ")] { _ = state.press(key) }
    var pad = try #require(state.drawing)
    pad.probabilities = (0..<10).map { $0 == 1 ? 0.91 : 0.01 }
    pad.seen = DigitPreprocessing.mnistStyle(pad.canvas)
    pad.classifiedVersion = pad.version
    pad.modelLabel = "step 20"
    state.drawing = pad
    try check("draw-120x40.txt", DashboardView.render(state, width: 120, height: 40, options: RenderOptions(color: false)))
    try check("draw-80x24.txt", DashboardView.render(state, width: 80, height: 24, options: RenderOptions(color: false)))
    // Enter keeps it; Esc closes the pad: the digit browser lists "your digits".
    _ = state.press(.enter)
    _ = state.press(.escape)
    state.notice = nil
    try check("kept-digit-120x40.txt", DashboardView.render(state, width: 120, height: 40, options: RenderOptions(color: false)))
    try check("kept-digit-80x24.txt", DashboardView.render(state, width: 80, height: 24, options: RenderOptions(color: false)))
  }

  @Test func tooSmall() {
    let text = DashboardView.render(EventFixture.state, width: 50, height: 12, options: RenderOptions()).text
    #expect(text.contains("terminal too small (need 80x24, have 50x12)"))
  }

  @Test func beforeTheFirstEvent() {
    let text = DashboardView.render(DashboardState(), width: 120, height: 40, options: RenderOptions()).text
    #expect(text.contains("loading data and building the model"))
  }

  @Test func everyPanelIsOnTheWideScreen() {
    let text = DashboardView.render(EventFixture.state, width: 120, height: 40, options: RenderOptions()).text
    for title in ["Loss", "Accuracy", "Gradient norms", "Validation digits", "Confusion matrix", "q quit", "RUNNING", "fixture-run"] {
      #expect(text.contains(title), "\(title) missing")
    }
  }
}

/// `--ascii` means ASCII: every view, every size, every overlay.
@Suite struct AsciiOnlyTests {
  @Test func everyViewIsPureASCII() {
    let options = RenderOptions(color: false, ascii: true)
    var states: [DashboardState] = []
    var state = EventFixture.state
    states.append(state)
    state.confusionToggled = true
    states.append(state)
    state.showHelp = true
    states.append(state)
    state.showHelp = false
    state.apply(.diverged(step: 21, epoch: 2, message: "training diverged at step 21 (epoch 3, batch 1): loss is nan; the step was not applied. Lower the learning rate or enable clipping."))
    states.append(state)
    state.notice = DashboardState.quitQuestion
    state.apply(.learningRateScaled(rate: 0.025, factor: 0.5, atLimit: false))
    states.append(state)
    var sweep = SweepFixture.state
    states.append(sweep)
    sweep.compact = true
    _ = sweep.perform(.confusion)
    states.append(sweep)
    _ = sweep.perform(.fork)
    states.append(sweep)
    states.append(WeightsFixture.state)
    for (i, s) in states.enumerated() {
      for (width, height) in [(80, 24), (120, 40), (50, 12)] {
        let text = DashboardView.render(s, width: width, height: height, options: options).text
        let offenders = Set(text.unicodeScalars.filter { !$0.isASCII }.map(String.init))
        #expect(offenders.isEmpty, "view \(i) at \(width)x\(height): \(offenders.sorted().joined())")
      }
    }
  }
}
