import DNN
import TerminalUI

extension RunConfig {
  /// What sets a run apart in a runs table, from its configuration alone (before it starts):
  /// `784-256-128-10 bn drop · sgd 0.05 · batch 128`.
  public var summaryLine: String {
    var widths: [String] = ["784"], extras: [String] = []
    for part in layers.map(\.summaryPart) {
      if let width = part.width { widths.append(width) }
      if let tag = part.tag, !extras.contains(tag) { extras.append(tag) }
    }
    let model = ([widths.joined(separator: "-")] + extras).joined(separator: " ")
    let optimizer: String
    switch self.optimizer {
    case .sgd(let lr, _, _, _): optimizer = "sgd \(LineChart.compact(Double(lr)))"
    case .adam(let lr, _, _, _, _): optimizer = "adam \(LineChart.compact(Double(lr)))"
    case .adamW(let lr, _, _, _, _): optimizer = "adamw \(LineChart.compact(Double(lr)))"
    }
    return "\(model) · \(optimizer) · batch \(batchSize)"
  }
}
