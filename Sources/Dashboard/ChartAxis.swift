import DNN
import TerminalUI

/// What the charts' x axis counts (`t` cycles it): epochs, optimisation steps, or training
/// seconds (TensorBoard's step / relative axes). Every curve is kept in fractional epochs; each
/// run maps its own points, so runs of other batch sizes or speeds line up by what is counted.
public enum ChartAxis: String, CaseIterable, Sendable {
  case epochs, steps, time

  /// The one after this one, for `t`.
  public var next: ChartAxis { Self.allCases[(Self.allCases.firstIndex(of: self)! + 1) % Self.allCases.count] }

  /// The unit after the last tick (`30 ep`, `1,800 steps`, `2:05 train`: seconds below a minute
  /// as `12.5s`, then minutes:seconds).
  var unit: String {
    switch self {
    case .epochs: "ep"
    case .steps: "steps"
    case .time: "train"
    }
  }

  /// How a chart's title names it (`Loss by step`).
  var title: String {
    switch self {
    case .epochs: "epoch"
    case .steps: "step"
    case .time: "training time"
    }
  }

  /// A tick label.
  func label(_ x: Double) -> String {
    switch self {
    case .epochs: x.rounded() == x ? "\(Int(saturating: x))" : Format.fixed(x, 1)
    case .steps: x.rounded() == x ? Format.grouped(Int(saturating: x)) : LineChart.compact(x)
    case .time: x < 60 ? LineChart.compact(x) + "s" : Format.duration(x)
    }
  }

  /// The x of `progress` (fractional epochs) of `run` on this axis: the same value for epochs;
  /// progress times batches per epoch for steps; for time, the run's training seconds (its
  /// epochs' `seconds`, without validation or pauses), an epoch without a report (in progress,
  /// or trained before a resume) counted at the run's median epoch.
  func map(for run: RunState) -> (Double) -> Double {
    switch self {
    case .epochs:
      return { $0 }
    case .steps:
      let batches = Double(max(run.run?.batchesPerEpoch ?? 1, 1))
      return { $0 * batches }
    case .time:
      let typical = run.medianSecondsPerEpoch ?? run.estimatedSecondsPerEpoch ?? 1
      var seconds: [Int: Double] = [:]
      for report in run.epochReports where report.seconds > 0 { seconds[report.epoch - 1] = report.seconds }
      let last = max(seconds.keys.max() ?? 0, run.epoch) + 1
      // starts[k]: seconds before epoch k (0-based).
      var starts = [0.0]
      for k in 0..<last { starts.append(starts[k] + (seconds[k] ?? typical)) }
      return { progress in
        let k = min(max(Int(saturating: progress.rounded(.down)), 0), last)
        return starts[k] + (progress - Double(k)) * (seconds[k] ?? typical)
      }
    }
  }
}

extension RunState {
  /// Seconds an epoch takes at the current throughput, before any epoch has a report.
  var estimatedSecondsPerEpoch: Double? {
    guard let run, samplesPerSecond > 0 else { return nil }
    return Double(run.trainCount) / samplesPerSecond
  }
}
