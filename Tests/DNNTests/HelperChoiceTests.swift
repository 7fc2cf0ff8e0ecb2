import Dispatch
import Foundation
import Testing

@testable import DNN

/// The split step computes the same bits whichever thread runs a half's stage, so the helper
/// may join or sit out step by step (`HelperUse`, `HelperChoice`) without changing a run.
@Suite struct HelperChoiceTests {
  /// Weights and per-step losses of `config` trained with the batch split, the helper used as
  /// `use` says.
  static func train(_ config: RunConfig, helper use: HelperUse) -> (losses: [Float], norms: [[Float]], weights: [[Float]]) {
    let (trainer, events) = Fixtures.train(config, split: true) { $0.helperUse = use }
    var losses: [Float] = [], norms: [[Float]] = []
    for case .batch(let b) in events {
      losses.append(b.loss)
      norms.append(b.gradientNorms)
    }
    return (losses, norms, trainer.model.parameters.map(\.value.values) + trainer.model.buffers.map(\.value.values))
  }

  /// BatchNorm (two meetings a step), Dropout, AdamW, clipping, an uneven split and a last
  /// batch of one row (1000 = 27 x 37 + 1); then a convolutional model: with the helper always,
  /// never, or as measured, every loss and every weight and running statistic is the same.
  @Test(arguments: [false, true]) func theHelperChangesNoBit(convolutional: Bool) {
    var config = DataParallelTests.config(
      .adamW(learningRate: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01), batchSize: 37,
      clip: .global(maxNorm: 5))
    config.layers = convolutional
      ? [.conv2d(channels: 4, kernel: 3, stride: 1, padding: 1, initializer: .he), .batchNorm2D(momentum: 0.1, epsilon: 1e-5), .relu, .maxPool(size: 2),
         .dense(units: 10, initializer: .he), .softmax]
      : [.dense(units: 48, initializer: .he), .batchNorm(momentum: 0.1, epsilon: 1e-5), .relu, .dropout(rate: 0.3),
         .dense(units: 32, initializer: .he), .batchNorm(momentum: 0.1, epsilon: 1e-5), .relu,
         .dense(units: 10, initializer: .he), .softmax]
    config.epochs = convolutional ? 1 : 2
    let always = Self.train(config, helper: .always)
    #expect(!always.losses.isEmpty)
    for use in [HelperUse.never, .auto] {
      let other = Self.train(config, helper: use)
      #expect(other.losses == always.losses, "\(use): losses differ")
      #expect(other.weights == always.weights, "\(use): weights differ")
    }
  }

  /// Runs `steps` steps of a choice whose steps take `perRow(step, usesHelper)` ns a row, on a
  /// machine whose idle cores are `idle(step)` (`.unknown` by default: no /proc/stat); the ways
  /// it ran each step.
  static func simulate(
    steps: Int, idle: @escaping (Int) -> IdleCores.Reading = { _ in .unknown }, perRow: (Int, Bool) -> Double
  ) -> [Bool] {
    let clock = StepCounter()
    var choice = HelperChoice(.auto, idleCores: { idle(clock.step) })
    return (0..<steps).map { step in
      clock.step = step
      let helped = choice.usesHelper()
      choice.record(nanoseconds: UInt64(perRow(step, helped) * 64), rows: 64)
      return helped
    }
  }

  final class StepCounter { var step = 0 }

  /// The helper is taken while it makes steps faster, left while it makes them slower, and the
  /// choice follows a change within a few dozen steps; probes cost a few steps in a hundred.
  @Test func theFasterWayWins() {
    let helpful = Self.simulate(steps: 4000) { _, helped in helped ? 600 : 1000 }
    #expect(helpful.filter { $0 }.count > 3900)
    let harmful = Self.simulate(steps: 4000) { _, helped in helped ? 2500 : 1000 }
    #expect(harmful.filter { $0 }.count < 100)
    // A neighbour arrives at step 2000 and leaves at step 3000: the next probe finds it gone.
    let changing = Self.simulate(steps: 5000) { step, helped in
      helped ? ((2000..<3000).contains(step) ? 2500 : 600) : 1000
    }
    let noticed = 3000 + HelperChoice.longestInterval + HelperChoice.probeLength
    #expect(changing[1000..<2000].filter { $0 }.count > 980)
    #expect(changing[2040..<3000].filter { $0 }.count < 30)
    #expect(changing[noticed..<5000].filter { $0 }.count > 5000 - noticed - 10)
  }

  /// A helper woken from its park runs at full speed for a few milliseconds even when another
  /// process holds its core (the scheduler credits a thread that slept), then at half speed: a
  /// short probe sees only the head start. Each probe fooled that way makes the next one wait
  /// twice as long, so the slow helper takes few steps, and those cost little.
  @Test func aWokenHelpersHeadStartFoolsNoProbeForLong() {
    var helpedInARow = 0
    var nanoseconds = 0.0
    let ways = Self.simulate(steps: 20_000) { _, helped in
      helpedInARow = helped ? helpedInARow + 1 : 0
      let perRow = helped ? (helpedInARow <= 8 ? 600.0 : 2500) : 1000
      nanoseconds += perRow
      return perRow
    }
    let share = Double(ways.filter { $0 }.count) / Double(ways.count)
    #expect(share < 0.04, "helper in \(share) of the steps")
    // Against one thread all along: at most 3% slower.
    #expect(nanoseconds < 1.03 * 1000 * 20_000, "\(nanoseconds / (1000 * 20_000))x one thread")
  }

  /// With a neighbour on the helper's core and no idle core to show for it, the trainer alone
  /// probes no more: the few helped steps are the first ones, before the neighbour showed. When
  /// the neighbour leaves (a core idle again), the next probe takes the helper back.
  @Test func noIdleCoreNoProbe() {
    let neighbour = 200..<15_000
    let ways = Self.simulate(steps: 20_000, idle: { neighbour.contains($0) ? .idle(0.05) : .idle(0.95) }) { step, helped in
      helped ? (neighbour.contains(step) ? 2500 : 600) : 1000
    }
    #expect(ways[400..<15_000].filter { $0 }.count == 0)
    let back = 15_000 + HelperChoice.longestInterval + HelperChoice.probeLength
    // (Less the probes of the trainer alone: 5 steps every 64 to 1,024.)
    #expect(ways[back..<20_000].filter { $0 }.count > (20_000 - back) * 98 / 100)
    // Without the reading (or with idle cores), probes go on as before: a few in a hundred.
    let probing = Self.simulate(steps: 20_000) { step, helped in helped ? (neighbour.contains(step) ? 2500 : 600) : 1000 }
    #expect(probing[400..<15_000].filter { $0 }.count > 20)
  }

  /// While the window of idle time is too short to read, the machine is not asked again at every
  /// step (each reading opens /proc/stat), even when the trainer alone keeps getting slower than
  /// the helper's old measurement.
  @Test func aShortWindowIsNotAskedEveryStep() {
    let asked = StepCounter()
    let ways = Self.simulate(steps: 3000, idle: { _ in asked.step += 1; return .tooSoon }) { step, helped in
      helped ? (step < 40 ? 600 : 2500) : (step < 300 ? 1000 : 1500)
    }
    #expect(ways[100..<3000].filter { $0 }.count < 100)
    #expect(asked.step < 3000 / HelperChoice.windowRetry + 10, "asked \(asked.step) times in 3,000 steps")
  }

  /// A probe due while the window of idle time is still too short to read comes a few steps
  /// later, not a whole interval later: the helper, slowed at step 1,000 and left, is fast again
  /// from 1,030, while the trainer alone slows from 1,010 (the host busy) and asks for a probe
  /// when its window is only a few steps old; the helper is back within a few dozen steps.
  @Test func aShortWindowDelaysAProbeByAFewSteps() {
    let since = StepCounter()
    var choice = HelperChoice(.auto, idleCores: { since.step < 20 ? .tooSoon : .idle(1) }, restartIdleWindow: { since.step = 0 })
    var ways: [Bool] = []
    for step in 0..<3000 {
      since.step += 1
      let helped = choice.usesHelper()
      ways.append(helped)
      let perRow = helped ? ((1000..<1030).contains(step) ? 2500 : 600) : (step >= 1010 ? 1300 : 1000)
      choice.record(nanoseconds: UInt64(perRow * 64), rows: 64)
    }
    // Left within about 20 steps: each step moves the average a 32nd of the way, at most twice itself.
    #expect(ways[1000..<1030].filter { $0 }.count < 22, "the slow helper is left")
    let back = ways[1030...].firstIndex(of: true) ?? 3000
    #expect(back < 1030 + 2 * HelperChoice.windowRetry + HelperChoice.probeLength, "back at \(back)")
  }

  /// The idle and iowait ticks of /proc/stat's first line; nothing from another kind of text.
  @Test func idleTicksFromProcStat() {
    func parse(_ text: String) -> UInt64? { Array(text.utf8).withUnsafeBufferPointer { IdleCores.parse($0) } }
    #expect(parse("cpu  4705 150 1120 16250 520 0 30 5 0 0\ncpu0 2000 75 560 8125 260 0 15 2 0 0\n") == 16_770)
    #expect(parse("cpu  1 2 3 4 5") == 9)
    #expect(parse("cpu  1 2 3 4\n5 6") == nil)
    #expect(parse("intr 1 2 3 4 5 6") == nil)
    #expect(parse("") == nil)
    // This machine's (Linux): a reading, and idle cores between 0 and the cores there are.
    if IdleCores.idleTicks() != nil {
      let idle = IdleCores()
      #expect(idle.sinceLastReading() == .tooSoon)
      var reading = idle.sinceLastReading()
      let start = DispatchTime.now().uptimeNanoseconds
      while reading == .tooSoon && DispatchTime.now().uptimeNanoseconds - start < 1_000_000_000 {
        usleep(10_000)
        reading = idle.sinceLastReading()
      }
      guard case .idle(let cores) = reading else {
        Issue.record("no reading after a second: \(reading)")
        return
      }
      #expect(cores >= 0 && cores <= Double(ProcessInfo.processInfo.activeProcessorCount) + 0.5)
    }
  }

  /// One slow step (the first after an evaluation) does not drive the helper away.
  @Test func oneSlowStepIsNotAChange() {
    let ways = Self.simulate(steps: 3000) { step, helped in
      helped ? (step % 500 == 0 ? 20_000 : 600) : 1000
    }
    #expect(ways.filter { $0 }.count > 2940)
  }

  /// Fixed uses never probe.
  @Test func fixedUsesStayFixed() {
    var always = HelperChoice(.always), never = HelperChoice(.never)
    for _ in 0..<2000 {
      let (a, n) = (always.usesHelper(), never.usesHelper())
      #expect(a && !n)
      always.record(nanoseconds: 1_000_000, rows: 64)
      never.record(nanoseconds: 1, rows: 64)
    }
  }
}
