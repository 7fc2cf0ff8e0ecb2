import Testing
import Foundation

@testable import TerminalUI

/// Golden-text renderings of each widget.
@Suite struct WidgetTests {
  func render(width: Int, height: Int, _ draw: (inout ScreenBuffer) -> Void) -> String {
    var buffer = ScreenBuffer(width: width, height: height)
    draw(&buffer)
    return buffer.trimmedText
  }

  @Test func boxWithTitleAndHints() {
    let text = render(width: 24, height: 4) { b in
      let inside = Box(title: "Loss", hints: "y log").draw(in: b.bounds, on: &b, glyphs: .unicode)
      b.put("inside", x: inside.x, y: inside.y)
    }
    #expect(text == """
      ╭ Loss ───────── y log ╮
      │inside                │
      │                      │
      ╰──────────────────────╯
      """)
  }

  @Test func asciiBox() {
    let text = render(width: 10, height: 3) { b in _ = Box(title: "A").draw(in: b.bounds, on: &b, glyphs: .plain) }
    #expect(text == "+ A -----+\n|        |\n+--------+")
  }

  /// A title longer than its box ends in an ellipsis rather than mid-word at the corner
  /// (`units 1-16 of` read as if nothing followed).
  @Test func aLongTitleShowsWhereItIsCut() {
    let unicode = render(width: 16, height: 2) { b in _ = Box(title: "units 1-16 of 16").draw(in: b.bounds, on: &b, glyphs: .unicode) }
    #expect(unicode.split(separator: "\n").first == "╭ units 1-16… ─╮")
    let plain = render(width: 16, height: 2) { b in _ = Box(title: "units 1-16 of 16").draw(in: b.bounds, on: &b, glyphs: .plain) }
    #expect(plain.split(separator: "\n").first == "+ units 1-16~ -+")
    let fits = render(width: 16, height: 2) { b in _ = Box(title: "units 1-16").draw(in: b.bounds, on: &b, glyphs: .unicode) }
    #expect(fits.split(separator: "\n").first == "╭ units 1-16 ──╮")
  }

  @Test func barsInEighthsWithMarker() {
    let text = render(width: 10, height: 3) { b in
      Bar(fraction: 0.5).draw(x: 0, y: 0, width: 10, on: &b, glyphs: .unicode)
      Bar(fraction: 0.4375).draw(x: 0, y: 1, width: 4, on: &b, glyphs: .unicode)  // 1.75 cells
      Bar(fraction: 0.3, marker: 7).draw(x: 0, y: 2, width: 10, on: &b, glyphs: .plain)
    }
    #expect(text == "█████\n█▊\n###    |")
  }

  @Test func sparklineScalesToItsRange() {
    let text = render(width: 8, height: 2) { b in
      Sparkline(values: [1, 2, 3, 4, 5, 6, 7, 8]).draw(x: 0, y: 0, width: 8, on: &b, glyphs: .unicode)
      Sparkline(values: [1, 10, 100, 1000]).draw(x: 0, y: 1, width: 6, on: &b, glyphs: .plain)
    }
    // Linear scale: 1 and 10 at the bottom level, 100 one level up; right-aligned in 6 columns.
    #expect(text == "▁▂▃▄▅▆▇█\n  ..:@")
  }

  @Test func digitViewInShadesWithoutColour() {
    var pixels = [UInt8](repeating: 0, count: 784)
    for y in 4..<24 { pixels[y * 28 + 13] = 255; pixels[y * 28 + 14] = 255 }  // a vertical stroke
    let text = render(width: 28, height: 14) { b in
      DigitView(pixels: pixels[...]).draw(x: 0, y: 0, on: &b, color: false, glyphs: .unicode)
    }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 14)
    #expect(lines[1] == "")
    #expect(lines[2] == "             ██")
    #expect(lines[11] == "             ██")
    #expect(lines[12] == "")
  }

  @Test func digitViewInColourUsesUpperHalfBlocksAndGreys() {
    var pixels = [UInt8](repeating: 0, count: 784)
    pixels[0] = 255  // top pixel of cell (0, 0) white, bottom black
    var buffer = ScreenBuffer(width: 28, height: 14)
    DigitView(pixels: pixels[...]).draw(x: 0, y: 0, on: &buffer, color: true, glyphs: .unicode)
    #expect(buffer[0, 0] == Cell("▀", style: Style(foreground: .palette(231), background: .palette(16))))
    #expect(buffer[1, 0].style.foreground == .palette(16))
  }

  @Test func brailleLineChartWithAxes() {
    var chart = LineChart(series: [
      ChartSeries(label: "a", points: (0...10).map { ChartPoint(x: Double($0), y: Double(10 - $0)) }, style: .plain)
    ])
    chart.ignoreOutliers = false
    let text = render(width: 20, height: 6) { b in chart.draw(in: b.bounds, on: &b, glyphs: .unicode) }
    // Ticks at round values (1-2-5 steps), on both axes.
    #expect(text == """
      10┤⠢⢄⡀
           ⠈⠉⠒⢄⡀
       5┤      ⠈⠒⠤⢄⡀
                   ⠈⠑⠤⣀
       0┤              ⠉⠑⠢
         0       5      10
      """)
  }

  @Test func ticksAreRoundNumbers() {
    #expect(LineChart.ticks(0.915...2.06, count: 5, logarithmic: false) == [1, 1.5, 2])  // not 0.915, 1.2, ..., 2.06
    #expect(LineChart.ticks(0...200, count: 4, logarithmic: false) == [0, 50, 100, 150, 200])
    #expect(LineChart.ticks(-0.5...10.5, count: 3, logarithmic: false) == [0, 5, 10])
    // A log axis (in log10 units) ticks at powers of ten, or 1-2-5 values inside one decade.
    #expect(LineChart.ticks(-3.2...0.4, count: 5, logarithmic: true) == [-3, -2, -1, 0])
    let inDecade = LineChart.ticks(log10(0.15)...log10(0.9), count: 3, logarithmic: true).map { (pow(10, $0) * 100).rounded() / 100 }
    #expect(inDecade == [0.2, 0.4, 0.6, 0.8])
  }

  @Test func asciiChartWithMarkerSeriesAndBestPoint() {
    var chart = LineChart(series: [
      ChartSeries(label: "a", points: [ChartPoint(x: 0, y: 0), ChartPoint(x: 4, y: 4)], style: .plain),
      ChartSeries(label: "v", points: [ChartPoint(x: 2, y: 1)], style: .plain, marker: "o"),
    ])
    chart.ignoreOutliers = false
    chart.yLimits = 0...4
    chart.best = ChartPoint(x: 4, y: 4)
    let text = render(width: 16, height: 5) { b in chart.draw(in: b.bounds, on: &b, glyphs: .plain) }
    #expect(text == """
      4+           **@
               ****
           ****o
      0+***
        0      2     4
      """)
  }

  @Test func chartIgnoresOutliersAndSupportsLogScale() {
    var points = (0..<100).map { ChartPoint(x: Double($0), y: 1 + Double($0 % 2) * 0.1) }
    points[0].y = 1000  // one spike
    var chart = LineChart(series: [ChartSeries(label: "a", points: points, style: .plain)])
    let robust = chart.yBounds()!
    #expect(robust.upperBound < 2)
    chart.ignoreOutliers = false
    #expect(chart.yBounds()!.upperBound > 1000)
    chart.logY = true
    #expect(chart.yBounds()!.upperBound > 3 && chart.yBounds()!.upperBound < 3.5)
  }

  /// A long series is drawn from at most four points per dot column: the first, lowest,
  /// highest and last of the column, in x order, so the line looks the same.
  @Test func envelopeKeepsEachColumnsExtremesInOrder() {
    let points = (0..<5000).map { i in ChartPoint(x: Double(i), y: sin(Double(i) * 0.37) * Double(i % 97)) }
    let columns = 40
    let kept = LineChart.envelope(points, columns: columns, xLow: 0, xHigh: 4999)
    #expect(kept.count <= 4 * columns && kept.count >= 2 * columns)
    #expect(kept.first == points.first && kept.last == points.last)
    #expect(zip(kept, kept.dropFirst()).allSatisfy { $0.x < $1.x })
    let column = { (p: ChartPoint) in Int(p.x / 4999 * Double(columns - 1)) }
    for c in 0..<columns {
      let inColumn = points.filter { column($0) == c }, keptInColumn = kept.filter { column($0) == c }
      #expect(keptInColumn.contains(inColumn.min { $0.y < $1.y }!) && keptInColumn.contains(inColumn.max { $0.y < $1.y }!))
      #expect(keptInColumn.first == inColumn.first && keptInColumn.last == inColumn.last)
    }
    #expect(LineChart.envelope(Array(points.prefix(100)), columns: columns, xLow: 0, xHigh: 99).count == 100)  // short: all
  }

  /// The percentiles of the autoscale come from quickselect: the same value a sort gives.
  /// A seeded generator (SplitMix64's step), so a failure repeats.
  struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  @Test func selectGivesTheSortedValue() {
    var generator = SeededGenerator(state: 7)
    for count in [1, 2, 3, 20, 101, 4096] {
      for duplicates in [false, true] {
        let values = (0..<count).map { _ in
          duplicates ? Double(Int.random(in: 0..<5, using: &generator)) : Double.random(in: -1e3...1e3, using: &generator)
        }
        let sorted = values.sorted()
        for k in Set([0, count / 50, count / 2, count * 98 / 100, count - 1]) {
          var scratch = values
          #expect(LineChart.select(k, in: &scratch) == sorted[k], "k \(k) of \(count)")
          #expect(scratch.sorted() == sorted)  // reordered, nothing lost
        }
      }
    }
  }

  @Test func emptyChartSaysItIsWaiting() {
    let text = render(width: 30, height: 5) { b in LineChart(series: []).draw(in: b.bounds, on: &b, glyphs: .unicode) }
    #expect(text.contains("waiting for data"))
  }

  @Test func compactNumbers() {
    #expect(LineChart.compact(0.012345) == "0.012")
    #expect(LineChart.compact(2.5) == "2.5")
    #expect(LineChart.compact(123.4) == "123")
    #expect(LineChart.compact(0.00002) == "2e-5")
    #expect(LineChart.compact(0) == "0")
  }
}

/// The renderer writes only what changed.
@Suite struct RendererTests {
  @Test func onlyChangedCellsAreWritten() {
    let terminal = TextTerminal(width: 10, height: 3)
    let renderer = Renderer(terminal: terminal)
    var frame = ScreenBuffer(width: 10, height: 3)
    frame.put("hello", x: 0, y: 0)
    renderer.present(frame)
    #expect(renderer.lastChangedCells == 30)
    frame.put("j", x: 0, y: 0)
    renderer.present(frame)
    #expect(renderer.lastChangedCells == 1)
    #expect(terminal.screen.trimmedText == "jello\n\n")
    renderer.present(frame)
    #expect(renderer.lastChangedCells == 0)
  }

  @Test func resizeRedrawsEverything() {
    let terminal = TextTerminal(width: 4, height: 2)
    let renderer = Renderer(terminal: terminal)
    renderer.present(ScreenBuffer(width: 4, height: 2))
    terminal.resize(width: 6, height: 2)
    renderer.present(ScreenBuffer(width: 6, height: 2))
    #expect(renderer.lastChangedCells == 12)
  }

  @Test func combiningMarksTakeNoCell() {
    var buffer = ScreenBuffer(width: 10, height: 1)
    let end = buffer.put("x\u{0302}=1 e\u{0301}", x: 0, y: 0)
    #expect(end == 5)
    #expect(buffer.text.hasPrefix("x=1 e"))
  }
}
