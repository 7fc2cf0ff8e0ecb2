import Foundation
import Testing

@testable import DNN
@testable import Dashboard
@testable import TerminalUI

/// The charts' choices (x axis, smoothing, the learning-rate chart), the marks' legend, each
/// view's footer and the weights view's paging, as a user sees them: rendered frames.
@Suite struct ChartChoiceTests {
  static func frame(_ state: DashboardState, _ width: Int = 120, _ height: Int = 40, color: Bool = true) -> String {
    DashboardView.render(state, width: width, height: height, options: RenderOptions(color: color)).text
  }

  @Test func theXAxisCountsEpochsStepsOrTrainingTime() {
    var state = EventFixture.state
    let run = state.focused
    // Twenty steps of ten batches an epoch, each epoch 0.25 s of training.
    #expect(ChartAxis.steps.map(for: run)(1.5) == 15)
    #expect(ChartAxis.time.map(for: run)(1.5) == 0.375)
    #expect(ChartAxis.epochs.map(for: run)(1.5) == 1.5)
    #expect(Self.frame(state).contains("2 ep"))
    _ = state.press(.character("t"))
    #expect(state.chartAxis == .steps && Self.frame(state).contains("Loss by step") && Self.frame(state).contains("20 steps"))
    _ = state.press(.character("t"))
    #expect(state.chartAxis == .time && Self.frame(state).contains("by training time") && Self.frame(state).contains("0.2s"))
    _ = state.press(.character("t"))
    #expect(state.chartAxis == .epochs)
  }

  @Test func smoothingGoesFromNoneToStrongAndTheLegendSaysHowMuch() {
    var state = EventFixture.state
    #expect(Self.frame(state).contains("smoothed 0.9"))
    _ = state.press(.character("]"))
    #expect(Self.frame(state).contains("smoothed 0.95"))
    for _ in 0..<10 { _ = state.press(.character("]")) }
    #expect(state.smoothingWeight == 0.99)
    for _ in 0..<10 { _ = state.press(.character("[")) }
    #expect(state.smoothingWeight == 0 && Self.frame(state).contains("not smoothed"))
    // Without smoothing the smoothed line is the raw one.
    let raw = state.focused.trainLoss
    #expect(CurvesPanel.smoothed(raw, weight: 0) == raw)
  }

  @Test func theRateChartShowsEachStepsRate() {
    var state = EventFixture.state
    #expect(state.focused.learningRates.count == 20 && state.focused.learningRates.allSatisfy { $0.y == Double(Float(0.05)) })
    _ = state.press(.character("r"))
    let frame = Self.frame(state)
    #expect(frame.contains("Learning rate") && frame.contains("rate 0.05") && !frame.contains("Accuracy"))
    _ = state.press(.character("r"))
    #expect(Self.frame(state).contains("Accuracy"))
  }

  /// A run that keeps a weight average shows its curve (◎ at each epoch) on the loss and
  /// accuracy charts, with its latest value in the legend; a run without one shows neither.
  @Test func theWeightAverageHasItsOwnCurve() {
    var plain = EventFixture.state
    #expect(!Self.frame(plain).contains("◎") && !Self.frame(plain).contains("average"))
    var state = DashboardState()
    for event in EventFixture.events {
      guard case .epoch(var e) = event else {
        state.apply(event)
        continue
      }
      e.average = Metrics(loss: 0.25 / Float(e.epoch), accuracy: 0.9)
      state.apply(.epoch(e))
    }
    #expect(state.focused.averageLoss.map(\.y) == [0.25, 0.125] && state.focused.averageAccuracy.count == 2)
    let frame = Self.frame(state)
    #expect(frame.contains("◆ 0.550  ◎ avg 0.125") && frame.contains("◎ avg 90.0%"), "\(frame)")
    let chartRows = frame.split(separator: "\n").dropFirst(5).prefix(12)
    #expect(chartRows.filter { $0.contains("◎") }.count >= 2, "the marks on the chart")
    #expect(Self.frame(state, color: false).contains("◎"))
    // 80 columns: every value of the legend still shows, the per-batch dots' entry makes room.
    let small = Self.frame(state, 80, 24)
    #expect(small.contains("● val 0.550  ◆ 0.550  ◎ avg 0.125") && small.contains("◎ avg 90.0%"), "\(small)")
    let ascii = DashboardView.render(state, width: 120, height: 40, options: RenderOptions(color: false, ascii: true)).text
    #expect(ascii.contains("a avg 0.125") && !ascii.contains("◎"))
    plain.apply(.epoch(EpochReport(epoch: 3, trainLoss: 1, trainAccuracy: 0.5, validationLoss: 1, validationAccuracy: 0.5, learningRate: 0.05, seconds: 1)))
    #expect(plain.focused.averageLoss.isEmpty)
  }

  /// With label smoothing the training loss cannot go near 0: the loss chart's title says why,
  /// in full at 120 columns, by the setting's label at 80 (the key hints keep their place).
  @Test func aSmoothedTrainingLossIsNamedOnItsChart() {
    #expect(!Self.frame(EventFixture.state).contains("smoothing"))
    var state = DashboardState()
    for event in EventFixture.events {
      guard case .started(var s) = event else {
        state.apply(event)
        continue
      }
      s.labelSmoothing = 0.1
      state.apply(.started(s))
    }
    #expect(Self.frame(state).contains("Loss · label smoothing 0.1"))
    let small = Self.frame(state, 80, 24)
    #expect(small.contains("Loss · ls=0.1") && small.contains("y log"), "\(small)")
  }

  @Test func marksAtOnePlaceAreOneStarAndTheBorderSaysWhatEachMarkIs() {
    var state = EventFixture.state
    state.apply(.intervention(Intervention(kind: .save, step: 5, progress: 0.5)))
    var frame = Self.frame(state)
    #expect(frame.contains("V save") && !frame.contains("several"))
    state.apply(.intervention(Intervention(kind: .pause, step: 20, progress: 2)))
    state.apply(.intervention(Intervention(kind: .learningRate, step: 20, progress: 2)))
    frame = Self.frame(state)
    #expect(frame.contains("P pause  L rate  V save  * several"), "\(frame)")
    let lossRows = frame.split(separator: "\n").dropFirst(4).prefix(1).joined()
    #expect(lossRows.contains("*") && lossRows.contains("V"), "the chart's top row: \(lossRows)")
  }

  @Test func eachViewsFooterListsItsOwnKeys() {
    var state = WeightsFixture.state
    let footer = { (s: DashboardState) in Self.frame(s).split(separator: "\n").last.map(String.init) ?? "" }
    #expect(footer(state).contains("PgUp/PgDn page") && footer(state).contains("Home/End first/last"))
    _ = state.perform(.close)
    _ = state.perform(.cellUp)
    #expect(footer(state).contains("Enter browse its digits") && footer(state).contains("Esc leave"))
    _ = state.perform(.close)
    _ = state.perform(.layers)
    #expect(footer(state).contains("g check its backward"))
    _ = state.perform(.close)
    _ = state.perform(.draw)
    #expect(footer(state).contains("space pen down/up"))
    _ = state.press(.escape)
    #expect(footer(state).contains("m mistakes"))
    // Every view is one key away and the board's footer says which, at 120 and 80 columns.
    #expect(footer(state).contains("w e i v u L A d views"), "\(footer(state))")
    let narrow = DashboardView.render(state, width: 80, height: 24, options: RenderOptions()).text.split(separator: "\n").last ?? ""
    #expect(narrow.contains("w e i v u L A d views"), "\(narrow)")
  }

  @Test func theWeightsViewGoesToItsEndsAndHalvesItsTiles() {
    var state = WeightsFixture.state
    let area = DrawingPanel.area(width: 80, height: 24)
    state.weightsPerPage = WeightsPanel.tilesPerPage(state, in: area)
    #expect(state.weightsPerPage == 2 && state.weightsPages == 4)
    _ = state.press(.end)
    #expect(state.weightsPage == 3 && Self.frame(state, 80, 24).contains("units 7-8 of 8"))
    _ = state.press(.pageUp)
    #expect(state.weightsPage == 2)
    _ = state.press(.pageDown)
    _ = state.press(.pageDown)
    #expect(state.weightsPage == 3, "no page after the last")
    _ = state.press(.home)
    _ = state.press(.character("z"))
    state.weightsPerPage = WeightsPanel.tilesPerPage(state, in: area)
    #expect(state.halfSizeWeights && state.weightsPerPage >= 8 && Self.frame(state, 80, 24).contains("units 1-8 of 8"))
  }

  @Test func withoutColourTheSignOfAWeightReadsFromItsShade() {
    var buffer = ScreenBuffer(width: 3, height: 1)
    HeatTile(values: [1, -1, 0, 1, -1, 0], rows: 2, columns: 3).draw(x: 0, y: 0, on: &buffer, color: false, glyphs: .unicode)
    #expect(buffer.text.hasPrefix("█⠿ "))
    HeatTile(values: [1, -1, 0, 1, -1, 0], rows: 2, columns: 3).draw(x: 0, y: 0, on: &buffer, color: false, glyphs: .plain)
    #expect(buffer.text.hasPrefix("@= "))
  }

  @Test func fashionClassesAreNamedInTheConfusionMatrix() {
    var state = DashboardState()
    var started = EventFixture.started
    started.classNames = DatasetIdentity.fashionClassNames
    for event in EventFixture.events {
      if case .started = event { state.apply(.started(started)) } else { state.apply(event) }
    }
    let frame = Self.frame(state)
    #expect(frame.contains(" 6 Shirt") && frame.contains("T-shirt→Trouser"), "\(frame)")
  }

  @Test func at80x24TheProbeStripHasItsOwnRow() {
    let frame = Self.frame(EventFixture.state, 80, 24)
    let probes = frame.split(separator: "\n").first { $0.contains("probes ") }
    #expect(probes != nil, "\(frame)")
    #expect(probes.map { !$0.contains("%") } == true, "the class bars start below the strip: \(probes ?? "")")
  }

  /// The sweep layout at 120x40 has no row under the digit or the matrix: the probe strip goes
  /// under the class bars and the most confused pairs down the matrix's margin.
  @Test func theSweepLayoutKeepsTheProbeStripAndTheMostConfused() {
    let frame = Self.frame(SweepFixture.state)
    #expect(frame.contains("probes 1") && frame.contains("confused") && frame.contains("0→1 (1)"), "\(frame)")
  }
}

/// The inside view's feature maps and goal, on real models.
@Suite struct InsideViewTests {
  /// The convolutional configuration's model: its first convolution shows 16 channel tiles, its
  /// second 32, for the browsed digit (each numbered, none left out at 120x40).
  @Test func theConvolutionalModelShows16And32ChannelTiles() throws {
    let config = try RunFile.load(path: Assets.configPath("cnn.json")).runs[0]
    let model = ModelBuilder.build(config.layers, seed: 1)
    var state = InsideFixture.state
    let image = EventFixture.validation.source.image(3).map { Float($0) / 255 }
    state.insight = DigitInsight(model, image: image, label: 3, toward: nil)
    let convolutions = model.layers.indices.filter { model.layers[$0] is Conv2D }
    #expect(convolutions.count == 2)
    for (layer, channels) in zip(convolutions, [16, 32]) {
      state.insidePage = layer + 1
      let frame = DashboardView.render(state, width: 120, height: 40, options: RenderOptions(color: false)).text
      #expect(frame.contains("x\(channels)") == false && frame.contains("→ \(channels)x"), "layer \(layer):\n\(frame)")
      let numbers = Set(frame.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "│" }).compactMap { Int($0) })
      #expect((1...channels).allSatisfy(numbers.contains) && !frame.contains("more channels"), "layer \(layer):\n\(frame)")
    }
  }

  /// Without UTF-8 the symbols read as letters, never as `?`.
  @Test func inASCIITheSymbolsAreLetters() {
    let frame = DashboardView.render(InsideFixture.state, width: 120, height: 40, options: RenderOptions(color: false, ascii: true)).text
    #expect(frame.contains("|dz1/dx|") && frame.contains("dz/dx * x") && !frame.contains("?z"), "\(frame)")
  }

  /// `a` cycles the nudge's goal: away from the true class, toward 0 ... 9, away again.
  @Test func theGoalCycles() {
    var state = InsideFixture.state
    #expect(state.nudgeToward == nil)
    _ = state.press(.character("a"))
    #expect(state.nudgeToward == 0)
    for _ in 0..<9 { _ = state.press(.character("a")) }
    #expect(state.nudgeToward == 9)
    _ = state.press(.character("a"))
    #expect(state.nudgeToward == nil)
  }
}

/// The distributions view (`u`) and what it is drawn from.
@Suite struct DistributionsViewTests {
  /// A histogram per tensor counts every value: the weights' and gradients' counts are the
  /// tensors' sizes, the activations' the probe images times the layer's features.
  @Test func histogramCountsEqualTheTensorsSizes() {
    let model = ModelBuilder.build(EventFixture.layers, seed: 1)
    let probe = Tensor(rows: 3, columns: 784, values: (0..<3).flatMap { EventFixture.validation.source.image($0).map { Float($0) / 255 } })
    let d = Distributions(epoch: 1, model: model, probe: probe)
    for (p, w) in zip(model.parameters, d.weights) { #expect(w.histogram.total == p.value.count && w.name == p.name) }
    for (p, g) in zip(model.parameters, d.gradients) { #expect(g.histogram.total == p.gradient.count) }
    for (layer, a) in zip(model.layers, d.activations) { #expect(a.histogram.total == 3 * layer.outputFeatures, "\(a.name)") }
    #expect(ValueHistogram([1, 2, 3, .nan, 4]).total == 4 && ValueHistogram([1, 2, 3, .nan, 4]).nonFinite == 1)
    #expect(ValueHistogram([0, 0, 0]).counts[0] == 3)
  }

  /// A layer driven dead (its bias far below 0, so the ReLU after it outputs 0 for every
  /// digit) shows as such in the activations' heat maps; the same model without it does not.
  @Test func aDeadLayerShowsInTheHeatMap() {
    for dead in [false, true] {
      let model = ModelBuilder.build(EventFixture.layers, seed: 1)
      if dead { model.parameters.first { $0.name == "0.bias" }!.value.fill(-100) }
      let probe = Tensor(rows: 4, columns: 784, values: (0..<4).flatMap { EventFixture.validation.source.image($0).map { Float($0) / 255 } })
      var state = EventFixture.state
      for epoch in 1...3 { state.apply(.distributions(Distributions(epoch: epoch, model: model, probe: probe))) }
      _ = state.press(.character("u"))
      _ = state.press(.right)
      let frame = DashboardView.render(state, width: 120, height: 40, options: RenderOptions(color: false)).text
      #expect(frame.contains("Distributions by epoch: activations") && frame.contains("1.relu"), "\(frame)")
      #expect(frame.contains("1.relu  0 to 0  dead: all 0") == dead, "\(frame)")
    }
  }

  /// ←/→ cycle the kinds, ↑/↓ scroll the tensors within their number, Esc closes.
  @Test func keysChooseTheKindAndTheTensors() {
    var state = DistributionsFixture.state
    #expect(state.showDistributions && state.distributionKind == 0)
    _ = state.press(.left)
    #expect(state.distributionKind == 2)
    _ = state.press(.down)
    _ = state.press(.down)
    #expect(state.distributionTop == 2)
    for _ in 0..<20 { _ = state.press(.down) }
    #expect(state.distributionTop == EventFixture.parameterNames.count - 1)
    _ = state.press(.escape)
    #expect(!state.showDistributions)
  }
}

/// The learning-rate finder's view (`L`): it asks the trainer, waits, shows the answer, and
/// Enter or `f` use the suggestion.
@Suite struct RateFinderViewTests {
  static func sweep() -> LearningRateSweep {
    var sweep = LearningRateSweep(config: RunConfig(name: "x", layers: [], optimizer: .sgd(learningRate: 0.05, momentum: 0, nesterov: false, weightDecay: 0)),
                                  model: Sequential([Softmax(features: 10)]), train: DatasetView(LabeledImages(pixels: [], labels: [])), runRate: 0.05)
    sweep.rates = (0..<40).map { Float(1e-4) * pow(10, Float($0) / 10) }
    sweep.smoothed = sweep.rates.indices.map { Float(2 - tanh(Double($0 - 20) / 4)) }
    sweep.losses = sweep.smoothed.enumerated().map { $1 + Float($0 % 3) * 0.05 }
    sweep.suggested = sweep.rates[20]
    return sweep
  }

  @Test func theFinderAsksWaitsAndApplies() {
    var state = EventFixture.state
    let (_, command) = state.press(.character("L"))
    #expect(command == .findLearningRate && state.showRateFinder)
    #expect(DashboardView.render(state, width: 120, height: 40, options: RenderOptions()).text.contains("training a copy of the model"))
    state.apply(.learningRateSweep(Self.sweep()))
    let frame = DashboardView.render(state, width: 120, height: 40, options: RenderOptions()).text
    #expect(frame.contains("suggested 0.01") && frame.contains("the run's rate now 0.05") && frame.contains("◆"), "\(frame)")
    var forking = state
    let (_, apply) = state.press(.enter)
    #expect(apply == .scaleLearningRate(Self.sweep().suggested! / 0.05) && !state.showRateFinder)
    _ = forking.press(.character("f"))
    #expect(forking.forkFactor == Self.sweep().suggested! / 0.05)
  }
}

/// The augmentation preview (`A`): the run's augmentation named, the digit and seven versions,
/// Enter draws others, a run without augmentation says so.
@Suite struct AugmentPreviewTests {
  @Test func theVersionsAreTheRunsAugmentation() {
    var state = AugmentFixture.state
    let frame = DashboardView.render(state, width: 120, height: 40, options: RenderOptions(color: false)).text
    #expect(frame.contains("shifts up to 2 px, rotations up to ±15°, sizes ×0.9-1.1, elastic α 20, σ 4") && frame.contains("version 7"), "\(frame)")
    let ascii = DashboardView.render(state, width: 120, height: 40, options: RenderOptions(color: false, ascii: true)).text
    #expect(ascii.contains("rotations up to +/-15 degrees") && ascii.contains("alpha 20, sigma 4"), "\(ascii)")
    _ = state.press(.enter)
    #expect(DashboardView.render(state, width: 120, height: 40, options: RenderOptions(color: false)).text != frame, "Enter draws others")
    _ = state.press(.escape)
    #expect(!state.showAugmentPreview)
    var plain = EventFixture.state
    _ = plain.press(.character("A"))
    let none = DashboardView.render(plain, width: 120, height: 40, options: RenderOptions(color: false)).text
    #expect(none.contains("no augmentation") && !none.contains("version 1"))
  }

  /// A run with test-time augmentation shows, on a row of their own, the five views its test
  /// figures average, drawn without the elastic field; the training versions stay as they were.
  @Test func aRunWithTestViewsShowsThem() {
    let state = AugmentFixture.state(testAugment: true)
    for (width, height) in [(120, 40), (80, 24)] {
      let frame = DashboardView.render(state, width: width, height: height, options: RenderOptions(color: false)).text
      #expect(frame.contains("mean of 5 views (as is, turned ±15°,"), "\(frame)")
      if width == 120 {
        for caption in ["test as is", "test +15°", "test -15°", "test x1.1", "test x0.9", "version 7"] { #expect(frame.contains(caption), "\(caption)\n\(frame)") }
        let lines = frame.split(separator: "\n", omittingEmptySubsequences: false)
        let row = { (caption: String) in lines.firstIndex { $0.contains(caption) } }
        #expect(row("test as is")! > row("version 7")! && row("test as is") == row("test x0.9"))
      }
    }
    let ascii = DashboardView.render(state, width: 120, height: 40, options: RenderOptions(color: false, ascii: true)).text
    #expect(ascii.contains("test +15 degrees") || ascii.contains("test +15deg"), "\(ascii)")
    let plain = DashboardView.render(AugmentFixture.state, width: 120, height: 40, options: RenderOptions(color: false)).text
    #expect(!plain.contains("test as is") && !plain.contains("views"))
  }
}
