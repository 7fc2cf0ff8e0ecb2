import DNN
import TerminalUI

extension RunConfig {
  /// What sets a run apart in a runs table, from its configuration alone (before it starts):
  /// `784-256-128-10 bn drop · sgd 0.05 · batch 128`.
  public var summaryLine: String {
    var widths: [String] = ["784"], extras: [String] = []
    for layer in layers {
      switch layer {
      case .dense(let units, _): widths.append("\(units)")
      case .batchNorm, .batchNorm2D: if !extras.contains("bn") { extras.append("bn") }
      case .dropout: if !extras.contains("drop") { extras.append("drop") }
      case .attention(let tokens, let heads, _, _): extras.append("attn \(tokens)x\(heads)")
      case .leakyReLU: if !extras.contains("leaky") { extras.append("leaky") }
      case .conv2d(let channels, let kernel, _, _, _): widths.append("c\(channels)k\(kernel)")
      case .maxPool(let size): widths.append("max\(size)")
      case .avgPool(let size): widths.append("avg\(size)")
      case .activation(let a): if !extras.contains(a.configName) { extras.append(a.configName) }
      case .relu, .softmax: break
      }
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
