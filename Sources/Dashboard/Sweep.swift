import DNN
import Dispatch

/// A run waiting for its turn in a sweep: how it shows while queued, and how it starts.
public struct PlannedRun {
  public var state: RunState
  /// Runs on the run's Dispatch queue and returns its trainer (see `TrainingSession.start`);
  /// the flag says whether it shares the machine with another run (then it trains on one
  /// core, unsplit) or has both cores (then it splits its batches).
  public var start: @Sendable (EventChannel, CommandMailbox, _ sharesTheMachine: Bool) throws -> Trainer

  public init(
    name: String, summary: String, start: @escaping @Sendable (EventChannel, CommandMailbox, _ sharesTheMachine: Bool) throws -> Trainer
  ) {
    state = RunState(name: name, summaryLine: summary, status: .queued)
    self.start = start
  }
}

/// The dashboard's runs and where their events come from: a sweep's runs trained in order
/// (two at a time, one per core, when `concurrentRuns` is 2: see `startQueued`), forks started
/// at once, replayed and followed run folders.
/// Lives on the dashboard's thread; every trainer runs on its own Dispatch queue.
public final class Sweep: TrainingLink {
  /// The source of each run; nil while it waits in `queued`.
  private var sources: [RunSource?] = []
  private var queued: [Int: PlannedRun] = [:]
  private var pending: [LinkEvent] = []
  /// How many of the queued runs may train at the same time.
  public var concurrentRuns = 1
  /// The run a fork becomes (its folder, its trainer from the fork point).
  private let planFork: ((ForkPoint) -> PlannedRun)?
  /// A fork name that is free (on disk too) for a proposed one.
  private let freeName: (String) -> String
  /// New runs to show, looked for every `discoverInterval` seconds (run folders that appear in
  /// a folder of runs being watched: a headless sweep's next run).
  public var discover: (() -> [(source: RunSource, state: RunState)])?
  public var discoverInterval = 1.0
  private var lastDiscovery: UInt64 = 0

  public init(planFork: ((ForkPoint) -> PlannedRun)? = nil, freeName: @escaping (String) -> String = { $0 }) {
    self.planFork = planFork
    self.freeName = freeName
  }

  /// Queues a run; it starts when the runs before it leave a place.
  public func add(_ planned: PlannedRun) {
    queued[sources.count] = planned
    sources.append(nil)
    pending.append(.added(planned.state, focus: false))
  }

  /// Adds a run whose events already flow (a replay, a followed folder, a live run).
  public func add(_ source: RunSource, as state: RunState, focus: Bool = false) {
    sources.append(source)
    pending.append(.added(state, focus: focus))
  }

  /// Runs training now (started and not ended).
  public var runningCount: Int { sources.filter { $0.map { !$0.hasEnded } ?? false }.count }

  /// True when no run can send anything more.
  public var hasEnded: Bool { queued.isEmpty && runningCount == 0 && pending.isEmpty }

  public func drainEvents() -> [LinkEvent] {
    startQueued()
    let now = DispatchTime.now().uptimeNanoseconds
    if let discover, Double(now - lastDiscovery) * 1e-9 >= discoverInterval {
      lastDiscovery = now
      for found in discover() { add(found.source, as: found.state) }
    }
    var out = pending
    pending = []
    for index in sources.indices {
      guard let source = sources[index] else { continue }
      for event in source.drainEvents() {
        out.append(.event(run: index, event))
        if case .forked(let point) = event, let planFork {
          let planned = planFork(point)
          let start = planned.start
          sources.append(LiveRun { try start($0, $1, false) })
          var state = planned.state
          state.status = .starting
          out.append(.added(state, focus: true))
        }
      }
    }
    return out
  }

  public func send(_ command: TrainingCommand, to run: Int) {
    guard sources.indices.contains(run) else { return }
    if queued[run] != nil {
      // A queued run told to stop never starts: the link says so, as a trainer would.
      if command == .stop {
        queued[run] = nil
        pending.append(.event(run: run, .record(RunRecord(status: .skipped, epochsPlanned: 0))))
      }
      return
    }
    if case .fork(let name, let factor) = command {
      sources[run]?.send(.fork(name: freeName(name), learningRateFactor: factor))
      return
    }
    sources[run]?.send(command)
  }

  /// Starts queued runs in order. One at a time, each run has both cores (it splits its
  /// batches). Two at a time, each has one core, which on small runs beats splitting (see
  /// README, "Sweeps"); but the last queued run waits until it can start alone, with both
  /// cores, so that no sweep ends with one core idle through its longest run.
  private func startQueued() {
    while let next = queued.keys.min() {
      let running = runningCount
      let shares: Bool
      if concurrentRuns <= 1 || queued.count == 1 {
        guard running == 0 else { return }
        shares = false
      } else {
        guard running < concurrentRuns else { return }
        shares = true
      }
      guard let planned = queued.removeValue(forKey: next) else { return }
      let start = planned.start
      sources[next] = LiveRun { try start($0, $1, shares) }
    }
  }
}
