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

    /// One letter for marks on charts: `P`ause, `R`esume, `S`tep, `L`earning rate, sa`V`e, `F`ork.
    public var letter: Character {
      switch self {
      case .pause: "P"
      case .resume: "R"
      case .step: "S"
      case .learningRate: "L"
      case .save: "V"
      case .fork, .forkedFrom: "F"
      case .rewind: "!"
      }
    }

    /// The word a chart's legend gives the letter.
    public var word: String {
      switch self {
      case .learningRate: "rate"
      case .forkedFrom: "fork"
      default: rawValue
      }
    }
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

  /// The mark's letter on charts (`Kind.letter`).
  public var letter: Character { kind.letter }
}

extension Intervention {
  /// The mark of several interventions that fall on one place of a chart.
  public static let severalLetter: Character = "*"

  /// `P pause  V save`: each distinct letter of `kinds` with its word, in `Kind` order, and
  /// `* several` when `several` is set: the legend of a chart's marks.
  public static func legend(of kinds: some Sequence<Kind>, several: Bool = false, separator: String = "  ") -> String {
    let present = Set(kinds)
    var seen = Set<Character>()
    let entries = Kind.allCases.filter { present.contains($0) && seen.insert($0.letter).inserted }.map { "\($0.letter) \($0.word)" }
    return (entries + (several ? ["\(severalLetter) several"] : [])).joined(separator: separator)
  }
}
