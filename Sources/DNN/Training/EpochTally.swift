/// Training totals of one epoch so far. A state saved inside an epoch keeps them
/// (`Checkpoint.stateFile`), so that a run resumed there reports the whole epoch's training
/// loss, accuracy and time, not only those of the batches after the resume.
public struct EpochTally: Equatable, Sendable {
  public var lossSum: Double = 0
  public var correct = 0
  public var seen = 0
  public var nanoseconds: UInt64 = 0

  public init() {}

  var metrics: Metrics { Metrics(loss: Float(lossSum / Double(max(seen, 1))), accuracy: Float(correct) / Float(max(seen, 1))) }

  /// The state file's metadata keys that hold it.
  static let lossKey = "epochLossSum", correctKey = "epochCorrect", seenKey = "epochSeen", timeKey = "epochNanoseconds"

  /// Writes it into a state file's metadata.
  func write(into metadata: inout [String: String]) {
    metadata[Self.lossKey] = "\(lossSum)"
    metadata[Self.correctKey] = "\(correct)"
    metadata[Self.seenKey] = "\(seen)"
    metadata[Self.timeKey] = "\(nanoseconds)"
  }

  /// The tally a state file's metadata holds, checked; nil when it holds none (a state saved at
  /// an epoch's start, or by an earlier version).
  init?(metadata: [String: String], path: String) throws {
    guard metadata[Self.seenKey] != nil else { return nil }
    guard let loss = metadata[Self.lossKey].flatMap(Double.init), let correct = metadata[Self.correctKey].flatMap(Int.init),
      let seen = metadata[Self.seenKey].flatMap(Int.init), let time = metadata[Self.timeKey].flatMap(UInt64.init)
    else { throw CheckpointError(path: path, problem: "metadata holds an unreadable epoch tally (\(Self.seenKey) and the rest)") }
    guard loss.isFinite && loss >= 0, (0...Checkpoint.maxSteps).contains(seen), (0...seen).contains(correct) else {
      throw CheckpointError(path: path, problem: "metadata epoch tally is impossible: loss sum \(loss), \(correct) correct of \(seen) samples")
    }
    (lossSum, self.correct, self.seen, nanoseconds) = (loss, correct, seen, time)
  }
}
