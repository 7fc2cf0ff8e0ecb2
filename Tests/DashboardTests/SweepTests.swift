import Foundation
import Synchronization
import Testing

@testable import DNN
@testable import Dashboard

/// The sweep's order: two runs at once, one core each, the last alone with both cores; one at
/// a time when asked; a queued run told to stop never starts.
@Suite struct SweepTests {
  struct Refused: Error {}

  /// What started, in order, from the runs' queues.
  final class Starts: Sendable {
    private let list = Mutex<[(run: Int, shares: Bool)]>([])
    func append(_ run: Int, _ shares: Bool) { list.withLock { $0.append((run, shares)) } }
    var all: [(run: Int, shares: Bool)] { list.withLock { $0 } }
  }

  /// A sweep of `count` runs that each fail at once (no training needed to see the order),
  /// recording when each starts and whether it shares the machine.
  static func sweep(_ count: Int, concurrent: Int, started: Starts) -> Sweep {
    let sweep = Sweep()
    sweep.concurrentRuns = concurrent
    for index in 0..<count {
      sweep.add(PlannedRun(name: "run\(index)", summary: "") { _, _, shares in
        started.append(index, shares)
        throw Refused()
      })
    }
    return sweep
  }

  /// Drains until every run has ended; returns the order of the events (`start i`/`end i`).
  static func drain(_ sweep: Sweep, runs: Int) -> [LinkEvent] {
    var seen: [LinkEvent] = []
    let deadline = Date().addingTimeInterval(10)
    while Date() < deadline {
      seen += sweep.drainEvents()
      let ended = seen.filter { if case .event(_, let e) = $0 { e.isTerminal } else { false } }.count
      if ended == runs && sweep.hasEnded { break }
      Thread.sleep(forTimeInterval: 0.01)
    }
    return seen
  }

  @Test func twoAtOnceThenTheLastAlone() {
    let started = Starts()
    let sweep = Self.sweep(3, concurrent: 2, started: started)
    let events = Self.drain(sweep, runs: 3)
    let added = events.filter { if case .added(let s, _) = $0 { s.status == .queued } else { false } }.count
    #expect(added == 3)
    let order = started.all
    #expect(order.map(\.run).sorted() == [0, 1, 2] && order.last?.run == 2)
    #expect(order.filter { $0.run < 2 }.allSatisfy(\.shares) && order.last?.shares == false)
    // The last run started only after both others had ended.
    let failedBeforeLast = events.prefix { if case .event(2, _) = $0 { false } else { true } }
      .filter { if case .event(_, .failed) = $0 { true } else { false } }.count
    #expect(failedBeforeLast == 2)
  }

  @Test func oneAtATimeEachHasBothCores() {
    let started = Starts()
    let sweep = Self.sweep(3, concurrent: 1, started: started)
    _ = Self.drain(sweep, runs: 3)
    #expect(started.all.map(\.run) == [0, 1, 2])
    #expect(started.all.allSatisfy { !$0.shares })
  }

  @Test func aSkippedRunNeverStarts() {
    let started = Starts()
    let sweep = Self.sweep(3, concurrent: 1, started: started)
    sweep.send(TrainingCommand.stop, to: 1)
    let skipped = sweep.drainEvents().contains { event in
      if case .event(1, .record(let record)) = event { return record.status == .skipped }
      return false
    }
    #expect(skipped, "the skipped run's record comes from the link")
    _ = Self.drain(sweep, runs: 2)
    #expect(started.all.map(\.run) == [0, 2])
  }
}
