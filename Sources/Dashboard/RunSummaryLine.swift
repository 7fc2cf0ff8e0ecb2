import DNN
import TerminalUI

extension RunConfig {
  /// What sets a run apart in a runs table, from its configuration alone (before it starts):
  /// `784-256-128-10 bn drop · sgd 0.05 · batch 128`.
  public var summaryLine: String {
    let optimizer: String
    switch self.optimizer {
    case .sgd(let lr, _, _, _): optimizer = "sgd \(LineChart.compact(Double(lr)))"
    case .adam(let lr, _, _, _, _): optimizer = "adam \(LineChart.compact(Double(lr)))"
    case .adamW(let lr, _, _, _, _): optimizer = "adamw \(LineChart.compact(Double(lr)))"
    }
    return "\(modelLine) · \(optimizer) · batch \(batchSize)"
  }

  /// The model in a few characters: `784-256-128-10 bn drop` (`[LayerSpec].modelLine`).
  public var modelLine: String { layers.modelLine }

  /// What sets each of `configs` apart in the runs panel: the settings whose values differ
  /// between them (`RunDifferences`: `batch=64 lr=0.01`), led by the model when their layers
  /// differ; each run's `summaryLine` when nothing does (a single run).
  public static func apartLines(_ configs: [RunConfig]) -> [String] {
    let differences = RunDifferences(configs)
    guard !differences.settings.isEmpty else { return configs.map(\.summaryLine) }
    let layersDiffer = differences.settings.contains { $0.path.first == "layers" }
    return configs.indices.map { i in
      let settings = zip(differences.settings, differences.values[i]).filter { $0.0.path.first != "layers" }.map { $0.0.named($0.1) }
      return ((layersDiffer ? [configs[i].modelLine] : []) + settings).joined(separator: " ")
    }
  }
}
