import CBLAS
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Facts about, and settings of, the BLAS library that runs our matrix products.
public enum BLASRuntime {
  /// The kernel OpenBLAS chose for this CPU, for example `Haswell`, `Zen` or `SkylakeX`.
  public static var coreName: String {
    guard let name = openblas_get_corename() else { return "unknown" }
    return String(cString: name)
  }

  /// A one-line description such as `OpenBLAS (Zen kernel, 2 threads)`.
  public static var summary: String {
    "OpenBLAS (\(coreName) kernel, \(openblas_get_num_threads()) thread\(openblas_get_num_threads() == 1 ? "" : "s"))"
  }

  /// How many threads OpenBLAS uses for one product right now.
  public static var threads: Int { Int(openblas_get_num_threads()) }

  /// The threads the user asked for (`setThreads`, else OpenBLAS's own default: all cores or
  /// OPENBLAS_NUM_THREADS). A trainer uses them its own way: split across batch halves, each
  /// with one-thread products, or for OpenBLAS to split each product (see `Trainer`).
  public static var requestedThreads: Int {
    let r = requested.load(ordering: .relaxed)
    return r > 0 ? r : initialThreads
  }

  /// Sets the threads to use (`requestedThreads`), and OpenBLAS's count to match.
  public static func setThreads(_ count: Int) {
    requested.store(max(1, count), ordering: .relaxed)
    openblas_set_num_threads(Int32(max(1, count)))
  }

  /// Sets OpenBLAS's own count for a training run, leaving `requestedThreads` as it is.
  /// OpenBLAS's count is process-wide and its results depend on it (its blocking changes), so
  /// two trainers running at once in one process share it: both train correctly, but they are
  /// bit-reproducible only when they do not overlap.
  static func useThreads(_ count: Int) {
    // Read OpenBLAS's own count before the first change (a lazy static would otherwise take
    // the changed count as the default of every later trainer).
    _ = initialThreads
    if threads != count { openblas_set_num_threads(Int32(max(1, count))) }
  }

  private static let requested = Atomic<Int>(0)
  /// OpenBLAS's count when first asked, before any trainer changed it.
  private static let initialThreads = Int(openblas_get_num_threads())

  /// Kernels older than the CPU's vector units: Debian's OpenBLAS 0.3.21 falls back to one of
  /// these on CPUs newer than itself (it calls a 2023 Xeon "Prescott", ~4x slower).
  static let legacyCores: Set<String> = [
    "Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Katmai", "Coppermine",
    "Northwood", "Banias", "Opteron", "Barcelona", "Unknown",
  ]

  /// The `OPENBLAS_CORETYPE` that fits this CPU when OpenBLAS picked a legacy kernel, else nil.
  public static func preferredCoreType(cpuFlags: Set<String>, current: String) -> String? {
    guard legacyCores.contains(current) else { return nil }
    if cpuFlags.contains("avx512f") && cpuFlags.contains("avx512bw") { return "SkylakeX" }
    if cpuFlags.contains("avx2") && cpuFlags.contains("fma") { return "Haswell" }
    return nil
  }

  /// The flags line of /proc/cpuinfo, as a set (empty when it cannot be read).
  static func cpuFlags() -> Set<String> {
    guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
    defer { fclose(file) }
    var line: UnsafeMutablePointer<CChar>? = nil
    var length = 0
    defer { free(line) }
    while getline(&line, &length, file) > 0 {
      let text = String(cString: line!)
      if text.hasPrefix("flags") {
        return Set(text.split(separator: ":").last?.split(separator: " ").map { String($0).trimmingCharacters() } ?? [])
      }
    }
    return []
  }

  /// The `OPENBLAS_CORETYPE` this machine needs and does not have: OpenBLAS reads it once,
  /// when the library loads, so the only way to give it the right kernel from inside the
  /// program is to set the variable and start the program again (`ProcessSetup.prepare`).
  /// Nil when nothing needs fixing or the variable is already set.
  static func fastKernelSetting() -> String? {
    #if os(Linux)
      if getenv("OPENBLAS_CORETYPE") != nil { return nil }
      return preferredCoreType(cpuFlags: cpuFlags(), current: coreName)
    #else
      return nil
    #endif
  }
}

extension StringProtocol {
  /// The string without leading and trailing spaces, tabs and newlines.
  func trimmingCharacters() -> String {
    var s = Substring(self)
    while let f = s.first, f == " " || f == "\n" || f == "\t" { s.removeFirst() }
    while let l = s.last, l == " " || l == "\n" || l == "\t" { s.removeLast() }
    return String(s)
  }
}
