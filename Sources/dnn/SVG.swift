import Foundation

/// Just enough SVG for the run figures: line charts with axes and legends, and digit grids.
struct SVG {
  var width: Double, height: Double
  private var elements: [String] = []

  init(width: Double, height: Double) {
    self.width = width
    self.height = height
  }

  static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
  }

  mutating func text(_ s: String, x: Double, y: Double, size: Double = 12, anchor: String = "start", color: String = "#222", bold: Bool = false) {
    elements.append(String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" text-anchor=\"%@\" fill=\"%@\"%@>%@</text>",
                           x, y, size, anchor, color, bold ? " font-weight=\"bold\"" : "", SVG.escape(s)))
  }

  mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String = "none") {
    elements.append(String(format: "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%@\" stroke=\"%@\" shape-rendering=\"crispEdges\"/>", x, y, width, height, fill, stroke))
  }

  mutating func raw(_ element: String) { elements.append(element) }

  /// A series for `lineChart`.
  struct Series {
    var label: String
    var points: [(Double, Double)]
    var color: String
    var dashed = false
    var markers = false
  }

  /// Draws a chart with axes in the box (x, y, w, h); `logY` plots log10 of positive values.
  mutating func lineChart(title: String, x: Double, y: Double, w: Double, h: Double, series: [Series], xLabel: String,
                          logY: Bool = false, marker: (x: Double, label: String)? = nil) {
    let left = x + 55, top = y + 25, plotW = w - 70, plotH = h - 60
    text(title, x: x + w / 2, y: y + 15, size: 14, anchor: "middle", bold: true)
    rect(x: left, y: top, width: plotW, height: plotH, fill: "white", stroke: "#999")
    let transform: (Double) -> Double = { logY ? log10(max($0, 1e-12)) : $0 }
    let all = series.flatMap(\.points).filter { $0.0.isFinite && $0.1.isFinite }
    guard !all.isEmpty else { return }
    let xs = all.map(\.0), ys = all.map { transform($0.1) }
    let x0 = xs.min()!, x1 = max(xs.max()!, x0 + 1e-9)
    var y0 = ys.min()!, y1 = ys.max()!
    if y1 - y0 < 1e-9 { y0 -= 0.5; y1 += 0.5 }
    let px = { (v: Double) in left + (v - x0) / (x1 - x0) * plotW }
    let py = { (v: Double) in top + plotH - (transform(v) - y0) / (y1 - y0) * plotH }
    for i in 0...4 {
      let t = Double(i) / 4
      let value = y0 + t * (y1 - y0)
      let yy = top + plotH - t * plotH
      raw(String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", left, yy, left + plotW, yy))
      let label = logY ? String(format: "%.0e", pow(10, value)) : String(format: abs(value) < 10 ? "%.3g" : "%.0f", value)
      text(label, x: left - 5, y: yy + 4, size: 10, anchor: "end", color: "#555")
      let xv = x0 + t * (x1 - x0)
      text(String(format: x1 - x0 >= 10 ? "%.0f" : "%.2g", xv), x: left + t * plotW, y: top + plotH + 15, size: 10, anchor: "middle", color: "#555")
    }
    text(xLabel, x: left + plotW / 2, y: top + plotH + 30, size: 11, anchor: "middle", color: "#555")
    for s in series {
      let points = s.points.filter { $0.0.isFinite && $0.1.isFinite && (!logY || $0.1 > 0) }
      guard !points.isEmpty else { continue }
      let path = points.map { String(format: "%.1f,%.1f", px($0.0), py($0.1)) }.joined(separator: " ")
      raw("<polyline fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"1.5\"\(s.dashed ? " stroke-dasharray=\"5,3\"" : "") points=\"\(path)\"/>")
      if s.markers {
        for p in points { raw(String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%@\"/>", px(p.0), py(p.1), s.color)) }
      }
    }
    if let marker {
      let mx = px(marker.x)
      raw(String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d62728\" stroke-dasharray=\"3,3\"/>", mx, top, mx, top + plotH))
      text(marker.label, x: mx + 3, y: top + plotH - 6, size: 10, color: "#d62728")
    }
    // Legend in the top-right corner, on a white panel so the lines do not run through it.
    let legendWidth = 130.0
    rect(x: left + plotW - legendWidth - 5, y: top + 3, width: legendWidth, height: Double(series.count) * 14 + 6,
         fill: "white", stroke: "#ccc")
    for (i, s) in series.enumerated() {
      let ly = top + 14 + Double(i) * 14
      raw(String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"2\"/>", left + plotW - 120, ly - 4, left + plotW - 100, ly - 4, s.color))
      text(s.label, x: left + plotW - 95, y: ly, size: 10)
    }
  }

  /// A 28x28 digit as grey squares (only the inked pixels), with a caption.
  mutating func digit(_ pixels: ArraySlice<UInt8>, x: Double, y: Double, scale: Double, caption: String, mistake: Bool) {
    rect(x: x, y: y, width: 28 * scale, height: 28 * scale, fill: "white", stroke: mistake ? "#d62728" : "#ccc")
    for (i, v) in pixels.enumerated() where v > 20 {
      let shade = 255 - Int(v)
      rect(x: x + Double(i % 28) * scale, y: y + Double(i / 28) * scale, width: scale, height: scale,
           fill: String(format: "#%02x%02x%02x", shade, shade, shade))
    }
    text(caption, x: x + 14 * scale, y: y + 28 * scale + 13, size: 11, anchor: "middle", color: mistake ? "#d62728" : "#222", bold: mistake)
  }

  var document: String {
    String(format: "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n", width, height, width, height)
      + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + elements.joined(separator: "\n") + "\n</svg>\n"
  }
}
