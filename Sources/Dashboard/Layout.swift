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
  var footer: Rect
  var wide: Bool

  /// The layout for `width` x `height`, or nil when too small.
  init?(width: Int, height: Int, parameterCount: Int) {
    guard width >= Layout.minimumWidth && height >= Layout.minimumHeight else { return nil }
    header = Rect(x: 0, y: 0, width: width, height: 2)
    footer = Rect(x: 0, y: height - 1, width: width, height: 1)
    let body = Rect(x: 0, y: 2, width: width, height: height - 3)
    wide = width >= Layout.wideWidth && height >= Layout.wideHeight
    let rightWidth = wide ? 58 : 32
    let (left, right) = body.splitColumns(body.width - rightWidth)
    let gradientHeight = min(max(parameterCount + 3, 5), body.height / 3)
    let (charts, gradientArea) = left.splitRows(left.height - gradientHeight)
    gradients = gradientArea
    (loss, accuracy) = charts.splitRows(charts.height / 2 + charts.height % 2)
    if wide {
      (inference, lower) = right.splitRows(18)
    } else {
      inference = right
      // Shown instead of every other panel: the whole body, for 4-digit confusion counts.
      lower = body
    }
  }
}
