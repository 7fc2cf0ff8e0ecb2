import Foundation

/// How many of the machine's cores stood idle between two readings, on average, from the
/// kernel's account of every core's time (Linux's `/proc/stat`, first line: the idle and
/// iowait ticks of all cores together). `HelperChoice` asks it before probing the helper while
/// the trainer runs alone: with no idle core (another process holds the helper's core), a probe
/// would only cost its steps.
///
/// A core the hypervisor takes back while it is busy counts as stolen, not idle; an idle vCPU
/// that the host would take once it runs still counts as idle, so the probe stays the judge of
/// that case.
final class IdleCores {
  /// What a reading found.
  enum Reading: Equatable {
    /// `/proc/stat` could not be read (not Linux, no /proc): nothing is known.
    case unknown
    /// The window is still shorter than `shortestWindowNanoseconds` (it goes on).
    case tooSoon
    /// The average number of idle cores over the window (which then starts anew).
    case idle(Double)
  }

  private var last: (ticks: UInt64, nanoseconds: UInt64)?
  private let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
  /// Shortest window read: under it, the ticks (10 ms apart) say too little.
  static let shortestWindowNanoseconds: UInt64 = 40_000_000

  /// The average number of idle cores since the window started (the last `.idle` reading, the
  /// last `restart()`, or the first call, which starts it and is `.tooSoon`).
  func sinceLastReading() -> Reading {
    guard ticksPerSecond > 0, let ticks = Self.idleTicks() else { return .unknown }
    let now = DispatchTime.now().uptimeNanoseconds
    guard let (lastTicks, lastTime) = last else {
      last = (ticks, now)
      return .tooSoon
    }
    let elapsed = now &- lastTime
    guard elapsed >= Self.shortestWindowNanoseconds else { return .tooSoon }
    last = (ticks, now)
    // (iowait can step back on some kernels: a window that went backwards counts as none idle)
    let idle = ticks >= lastTicks ? ticks - lastTicks : 0
    return .idle(Double(idle) / ticksPerSecond / (Double(elapsed) * 1e-9))
  }

  /// Starts a new window now.
  func restart() {
    last = Self.idleTicks().map { ($0, DispatchTime.now().uptimeNanoseconds) }
  }

  /// Idle plus iowait ticks of all cores: fields 4 and 5 of `/proc/stat`'s first line
  /// (`cpu  user nice system idle iowait irq softirq steal ...`).
  static func idleTicks() -> UInt64? {
    let descriptor = open("/proc/stat", O_RDONLY)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { buffer -> UInt64? in
      let count = read(descriptor, buffer.baseAddress, buffer.count)
      guard count > 0 else { return nil }
      return parse(UnsafeBufferPointer(rebasing: buffer[0..<count]))
    }
  }

  /// The idle and iowait ticks of a `/proc/stat` text's first line; nil when it is not a `cpu`
  /// line with at least five numbers. Allocates nothing (it runs on the trainer's thread).
  static func parse(_ text: UnsafeBufferPointer<UInt8>) -> UInt64? {
    guard text.starts(with: "cpu ".utf8) else { return nil }
    var field = 0, value: UInt64 = 0, inNumber = false, idle: UInt64 = 0
    for byte in text {
      if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
        value = value &* 10 &+ UInt64(byte - UInt8(ascii: "0"))
        inNumber = true
        continue
      }
      if inNumber {
        // Fields 4 and 5 (1-based): idle and iowait.
        field += 1
        if field >= 4 { idle &+= value }
        if field == 5 { return idle }
        (value, inNumber) = (0, false)
      }
      if byte == UInt8(ascii: "\n") { return nil }
    }
    return inNumber && field == 4 ? idle &+ value : nil
  }
}
