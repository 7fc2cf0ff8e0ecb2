/// The letters a chart draws on its top row (`marks`): one per column, `severalMark` where
/// several fall on one column.
extension LineChart {
  /// What a drawn chart shows of its marks, for a legend.
  public struct DrawnMarks: Sendable, Equatable {
    /// The marks' letters on the chart (`severalMark` not among them).
    public var letters: Set<Unicode.Scalar> = []
    /// Some column holds several marks, drawn as `severalMark`.
    public var several = false
  }

  /// Draws the marks inside `bounds` on the plot's top row; returns what it drew.
  func drawMarks(in plot: Rect, _ bounds: Bounds, on buffer: inout ScreenBuffer) -> DrawnMarks {
    var marksByColumn: [Int: [ChartMark]] = [:]
    for mark in marks where mark.x >= bounds.xLow && mark.x <= bounds.xHigh {
      marksByColumn[Int(saturating: (mark.x - bounds.xLow) / (bounds.xHigh - bounds.xLow) * Double(plot.width - 1)), default: []].append(mark)
    }
    var drawn = DrawnMarks()
    for (column, here) in marksByColumn {
      buffer[plot.x + column, plot.y] = Cell(here.count == 1 ? here[0].letter : severalMark, style: here[0].style)
      drawn.letters.formUnion(here.map(\.letter))
      drawn.several = drawn.several || here.count > 1
    }
    return drawn
  }
}
