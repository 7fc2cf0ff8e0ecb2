/// Whether a split step runs its two halves on two threads (the helper takes the second half
/// of each stage) or one after the other on the trainer's thread alone. The step computes the
/// same bits either way (`DataParallelStep`): only the time differs, so the choice can follow
/// the clock without making runs less reproducible.
public enum HelperUse: String, Sendable, CaseIterable {
  /// Whichever measured faster lately (`HelperChoice`): the default.
  case auto
  /// Always both threads (for measuring the split alone).
  case always
  /// Never the helper: both halves on the trainer's thread.
  case never
}

/// The choice `HelperUse.auto` makes, step by step: a two-armed bandit on the time per row.
/// Steps run the way that measured faster (a moving average of each way's nanoseconds per
/// row), and every so often a few steps the other way, to notice when a neighbour comes or
/// goes: every 64 steps while the two are close, up to every 1,024 while one is clearly
/// faster. The helper is left at once when its average climbs `margin` (2%) above the trainer
/// alone's last measurement; the trainer alone, in the same case, probes the helper at once (its
/// measurement may be old). When another process takes the helper's core, one thread is faster
/// and the step stops waiting for a helper that is not running; when the core is free again,
/// the next probe sees it. A probe can be fooled: a helper woken from its park runs at full speed for a few
/// milliseconds even on a core another process holds (the scheduler credits a thread that
/// slept), then at its share. A way a probe chose that is left at once, before any later probe
/// confirmed it, was such a false lead: the next probe then waits twice as long instead of the
/// shortest interval, so a neighbour that stays costs a few fooled probes, not one every 64
/// steps. While the trainer runs alone, a probe that comes due waits when the machine had no
/// idle core since the trainer was left alone or last asked (`IdleCores`): a neighbour that
/// holds the helper's core then costs no probes at all.
struct HelperChoice {
  private let use: HelperUse
  /// Nanoseconds per row, index 0 for one thread and 1 for two; nil until measured.
  private var cost: [Double?] = [nil, nil]
  /// The way steps run outside probes.
  private var preferred = 1
  /// Steps left before the next probe, and between probes.
  private var untilProbe = 16
  private var probeInterval = 64
  /// True while the preferred way is one the last probe chose and no later probe has confirmed.
  private var onTrial = false
  /// Steps left in the probe under way (0: none), and what it measured (the first step of a
  /// probe is not counted: it pays for the switch, such as waking a parked helper).
  private var probeLeft = 0
  private var probeSum = 0.0
  private var probeCount = 0
  /// The way this step runs.
  private(set) var way = 1
  /// Steps run each way, for reports.
  private(set) var steps = [0, 0]

  /// The idle cores since the last reading (`.unknown`: probe anyway), and a call that starts a
  /// new window.
  private let idleCores: () -> IdleCores.Reading
  private let restartIdleWindow: () -> Void
  /// True while a probe waits for the window of idle time to grow (no earlier probe for it).
  private var waitingForWindow = false

  static let probeLength = 5
  /// The weight of a step in its way's moving average is 1/memory; a way is left (or the other
  /// probed) when its average climbs past `margin` times the other's. Measured with a neighbour
  /// at 50% duty (benchmarks/noisy_neighbour.sh): with 1/8 and 5% the helper was left in its
  /// bursts and took part in a third of the steps (0.88-1.01 of one thread); with these, 97-99%
  /// (0.74-0.92).
  static let memory = 32.0
  static let margin = 1.02
  static let shortestInterval = 64
  static let longestInterval = 1024
  /// Steps before the idle cores are asked again when their window was too short to read.
  static let windowRetry = 16
  /// Idle cores needed to probe the helper while the trainer runs alone: a quarter of a core, so
  /// that a neighbour busy half the time (the helper then helps in its pauses) is still probed,
  /// and one that holds a whole core (0.0-0.02 read here) is not.
  static let idleCoresToProbe = 0.25

  init(_ use: HelperUse, idle: IdleCores = IdleCores()) {
    self.init(use, idleCores: idle.sinceLastReading, restartIdleWindow: idle.restart)
  }

  /// A choice reading idle cores from `idleCores` (for tests: a simulated machine).
  init(_ use: HelperUse, idleCores: @escaping () -> IdleCores.Reading, restartIdleWindow: @escaping () -> Void = {}) {
    self.use = use
    way = use == .never ? 0 : 1
    preferred = way
    self.idleCores = idleCores
    self.restartIdleWindow = restartIdleWindow
  }

  /// Whether this step uses the helper.
  mutating func usesHelper() -> Bool {
    if use == .auto {
      if probeLeft == 0 && untilProbe == 0 {
        let reading = preferred == 0 ? idleCores() : .unknown
        waitingForWindow = false
        if case .idle(let cores) = reading, cores < HelperChoice.idleCoresToProbe {
          // No core to spare: the helper would share one with another process. Ask again later;
          // until then its last measurement is stale, and no reason to switch to it.
          untilProbe = probeInterval
          cost[1] = nil
        } else if reading == .tooSoon {
          // A window of a few ms (the ticks are 10 ms apart): ask again a few steps on (not a
          // whole interval, up to 1,024 steps, later).
          untilProbe = min(probeInterval, HelperChoice.windowRetry)
          waitingForWindow = true
        } else {
          probeLeft = HelperChoice.probeLength
          probeSum = 0
          probeCount = 0
        }
      }
      way = probeLeft > 0 ? 1 - preferred : preferred
    }
    steps[way] += 1
    return way == 1
  }

  /// Records the time the step took on `rows` rows.
  mutating func record(nanoseconds: UInt64, rows: Int) {
    guard use == .auto, rows > 0 else { return }
    let perRow = Double(nanoseconds) / Double(rows)
    if probeLeft > 0 {
      if probeLeft < HelperChoice.probeLength {
        probeSum += perRow
        probeCount += 1
      }
      probeLeft -= 1
      if probeLeft == 0 { finishProbe() }
      return
    }
    untilProbe = max(untilProbe - 1, 0)
    // The first step pays for first touches of every buffer: not a measure of either way.
    guard steps[0] + steps[1] > 1 else { return }
    // A single slow step (the first after an evaluation, a page fault) moves the average by a
    // 32nd of at most twice itself; a lasting change moves it past the margin within about 20
    // steps. A neighbour busy in bursts of tens of milliseconds (a 50% duty cycle) leaves the
    // helper's average below the margin: its pauses pay for its bursts, and the helper stays.
    let average = cost[preferred].map { $0 + (min(perRow, 2 * $0) - $0) / HelperChoice.memory } ?? perRow
    cost[preferred] = average
    guard let other = cost[1 - preferred], average > other * HelperChoice.margin else { return }
    if preferred == 0 {
      // The trainer alone got slower than the helper's last measurement, which may be stale:
      // measure it again now (a probe, put off when no core is idle) rather than switch to it.
      if untilProbe > 0 && !waitingForWindow { untilProbe = 0 }
      return
    }
    // The helper got slower than the trainer alone: leave it at once.
    preferred = 0
    probeInterval = onTrial ? min(probeInterval * 2, HelperChoice.longestInterval) : HelperChoice.shortestInterval
    onTrial = false
    untilProbe = probeInterval
    restartIdleWindow()
  }

  /// After a probe: the faster way is preferred; the clearer the difference, the longer until
  /// the next probe.
  private mutating func finishProbe() {
    let probed = 1 - preferred
    cost[probed] = probeSum / Double(max(probeCount, 1))
    if let mine = cost[preferred], let theirs = cost[probed] {
      onTrial = theirs < mine
      if onTrial { preferred = probed }
      let ratio = max(mine, theirs) / min(mine, theirs)
      probeInterval = ratio > 1.15 ? min(probeInterval * 2, HelperChoice.longestInterval) : HelperChoice.shortestInterval
    }
    untilProbe = probeInterval
    // The window of idle time starts once the trainer is alone again (the probe's steps kept
    // both cores busy).
    if preferred == 0 { restartIdleWindow() }
  }
}
