import Foundation

/// Something done to a run while it trained: a pause, a resume, a step, a learning-rate change,
/// a save, a fork (in the parent), or the fork it began as (in the child). The run folder
/// journals them in `events.csv` (`RunLog`), the dashboard marks them on the curves, and
/// `dnn plot` / `dnn report` draw them.
public struct Intervention: Sendable, Equatable {
  public enum Kind: String, Sendable, CaseIterable {
    case pause, resume, step, learningRate = "learning_rate", save, fork, forkedFrom = "forked_from"
    /// A NaN or infinite step sent the run back to the start of its epoch, paused.
    case rewind
  }

  public var kind: Kind
  /// Optimisation steps done when it happened.
  public var step: Int
  /// Where in the run, in fractional epochs (the charts' x).
  public var progress: Double
  /// Seconds since 1970 (UTC).
  public var time: Double
  /// What it was: `×1/2 -> 0.025`, the fork's name, the file saved. No commas or newlines.
  public var detail: String

  public init(kind: Kind, step: Int, progress: Double, time: Double = Date().timeIntervalSince1970, detail: String = "") {
    self.kind = kind
    self.step = step
    self.progress = progress
    self.time = time
    self.detail = String(detail.map { $0 == "," || $0.isNewline ? ";" : $0 })
  }

  /// One letter for marks on charts: `P`ause, `R`esume, `S`tep, `L`earning rate, sa`V`e, `F`ork.
  public var letter: Character {
    switch kind {
    case .pause: "P"
    case .resume: "R"
    case .step: "S"
    case .learningRate: "L"
    case .save: "V"
    case .fork, .forkedFrom: "F"
    case .rewind: "!"
    }
  }
}
