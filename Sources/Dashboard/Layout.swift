import TerminalUI

/// Where each panel goes for a terminal size.
struct Layout: Equatable {
  /// Smallest terminal the dashboard draws in.
  static let minimumWidth = 80, minimumHeight = 24
  /// Below this the compact layout is used (confusion matrix on demand, fewer labels).
  static let wideWidth = 116, wideHeight = 34

  var header: Rect
  var loss: Rect
  var accuracy: Rect
  var gradients: Rect
  var inference: Rect
  /// The confusion matrix or epoch table; in the compact layout it covers the charts when shown.
  var lower: Rect
  /// The runs panel under the header (wide layout, several runs), else nil: the compact layout
  /// shows it over the body, as `lower`.
  var runs: Rect?
  var footer: Rect
  var wide: Bool

  /// Runs the wide layout's runs panel shows at once (it scrolls to the focused run): 3 at 40
  /// rows, one more per extra row up to 8, so the panels below keep their height.
  static func runRows(height: Int) -> Int { min(max(height - 37, 2), 8) }

  /// The layout for `width` x `height`, or nil when too small; `runCount` runs (more than one
  /// adds the runs panel).
  init?(width: Int, height: Int, parameterCount: Int, runCount: Int = 1) {
    guard width >= Layout.minimumWidth && height >= Layout.minimumHeight else { return nil }
    header = Rect(x: 0, y: 0, width: width, height: 2)
    footer = Rect(x: 0, y: height - 1, width: width, height: 1)
    wide = width >= Layout.wideWidth && height >= Layout.wideHeight
    var body = Rect(x: 0, y: 2, width: width, height: height - 3)
    if wide && runCount > 1 {
      let (top, rest) = body.splitRows(RunsPanel.height(runs: runCount, maxRows: Layout.runRows(height: height)))
      runs = top
      body = rest
    }
    let rightWidth = wide ? 58 : 32
    let (left, right) = body.splitColumns(body.width - rightWidth)
    let gradientHeight = min(max(parameterCount + 3, 5), body.height / 3)
    let (charts, gradientArea) = left.splitRows(left.height - gradientHeight)
    gradients = gradientArea
    (loss, accuracy) = charts.splitRows(charts.height / 2 + charts.height % 2)
    if wide {
      // The digit browser needs 17 rows; the confusion matrix below it 14.
      (inference, lower) = right.splitRows(max(17, min(18, right.height - 14)))
    } else {
      inference = right
      // Shown instead of every other panel: the whole body, for 4-digit confusion counts.
      lower = body
    }
  }
}
