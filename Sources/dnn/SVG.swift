import Foundation
import DNN
import TerminalUI

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
  /// Ticks sit at round values, the legend is a row above the plot (never over a curve), and
  /// `xRange` lines charts up with each other.
  mutating func lineChart(title: String, x: Double, y: Double, w: Double, h: Double, series: [Series], xLabel: String,
                          logY: Bool = false, marker: (x: Double, label: String)? = nil, xRange: ClosedRange<Double>? = nil,
                          events: [(x: Double, label: String)] = []) {
    let left = x + 60, plotW = w - 80
    text(title, x: x + w / 2, y: y + 15, size: 14, anchor: "middle", bold: true)
    let legendRows = legend(series, x: left, y: y + 32, width: plotW)
    // Below the plot: tick labels (15) and the axis label (30).
    let top = y + 30 + Double(legendRows) * 12, plotH = h - (top - y) - 40
    rect(x: left, y: top, width: plotW, height: plotH, fill: "white", stroke: "#999")
    let transform: (Double) -> Double = { logY ? log10(max($0, 1e-12)) : $0 }
    let all = series.flatMap(\.points).filter { $0.0.isFinite && $0.1.isFinite && (!logY || $0.1 > 0) }
    guard !all.isEmpty else { return }
    let xs = all.map(\.0), ys = all.map { transform($0.1) }
    let x0 = xRange?.lowerBound ?? xs.min()!, x1 = max(xRange?.upperBound ?? xs.max()!, x0 + 1e-9)
    var y0 = ys.min()!, y1 = ys.max()!
    if y1 - y0 < 1e-9 { y0 -= 0.5; y1 += 0.5 }
    let pad = (y1 - y0) * 0.05
    y0 -= pad
    y1 += pad
    let px = { (v: Double) in left + (v - x0) / (x1 - x0) * plotW }
    let py = { (v: Double) in top + plotH - (transform(v) - y0) / (y1 - y0) * plotH }
    for value in LineChart.ticks(y0...y1, count: 5, logarithmic: logY) {
      let yy = top + plotH - (value - y0) / (y1 - y0) * plotH
      raw(String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", left, yy, left + plotW, yy))
      text(LineChart.compact(logY ? pow(10, value) : value), x: left - 5, y: yy + 4, size: 10, anchor: "end", color: "#555")
    }
    for value in LineChart.ticks(x0...x1, count: 6, logarithmic: false) {
      let xx = px(value)
      // Labels at the edges are anchored inwards, so none is cut off.
      let anchor = xx - left < 15 ? "start" : (left + plotW - xx < 15 ? "end" : "middle")
      text(LineChart.compact(value), x: xx, y: top + plotH + 15, size: 10, anchor: anchor, color: "#555")
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
    // Interventions (pause, rate change, fork, ...): a thin grey line each, and one label per
    // group of lines closer than a label's width (`V`, `V×3`, or `*4` for several kinds), so
    // labels never pile up.
    let shown = events.filter { $0.x >= x0 && $0.x <= x1 }.sorted { $0.x < $1.x }
    for event in shown {
      let ex = px(event.x)
      raw(String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"2,2\"/>", ex, top, ex, top + plotH))
    }
    for group in Self.groups(of: shown.map { (px($0.x), $0.label) }, within: 14) {
      text(group.label, x: group.x, y: top - 2, size: 9, anchor: "middle", color: "#555", bold: true)
    }
    if let marker {
      let mx = px(marker.x)
      raw(String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d62728\" stroke-dasharray=\"3,3\"/>", mx, top, mx, top + plotH))
      let anchor = left + plotW - mx < 90 ? "end" : "start"
      text(marker.label, x: mx + (anchor == "end" ? -3 : 3), y: top + 12, size: 10, anchor: anchor, color: "#d62728")
    }
  }

  /// Marks at positions `x` gathered into groups whose neighbours are closer than `within`: each
  /// group labelled once, at its middle, by its letter (`V`), its letter and count (`V×3`), or
  /// `Intervention.severalLetter` and the count for several letters (`*4`).
  static func groups(of marks: [(x: Double, label: String)], within: Double) -> [(x: Double, label: String)] {
    var groups: [[(x: Double, label: String)]] = []
    for mark in marks.sorted(by: { $0.x < $1.x }) {
      if let last = groups.last?.last, mark.x - last.x < within { groups[groups.count - 1].append(mark) } else { groups.append([mark]) }
    }
    return groups.map { group in
      let letters = Set(group.map(\.label))
      let label = group.count == 1 ? group[0].label
        : (letters.count == 1 ? "\(group[0].label)×\(group.count)" : "\(Intervention.severalLetter)\(group.count)")
      return ((group.first!.x + group.last!.x) / 2, label)
    }
  }

  /// Legend entries in rows starting at (x, y), a new row past `width`; returns the rows used.
  private mutating func legend(_ series: [Series], x: Double, y: Double, width: Double) -> Int {
    var lx = x, ly = y, rows = series.isEmpty ? 0 : 1
    for s in series {
      let entry = 28 + Double(s.label.count) * 6 + 12
      if lx + entry > x + width && lx > x {
        lx = x
        ly += 12
        rows += 1
      }
      raw(String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"2\"%@/>", lx, ly - 4, lx + 20, ly - 4, s.color,
                 s.dashed ? " stroke-dasharray=\"5,3\"" : ""))
      text(s.label, x: lx + 24, y: ly, size: 10)
      lx += entry
    }
    return rows
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
