import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// What both executables do first, before anything can open a file or print.
public enum ProcessSetup {
  /// Opens /dev/null on standard input, output or error when the caller closed them (`2>&-`),
  /// so that no data or checkpoint file is ever opened as descriptor 1 or 2 and then written
  /// by a `print`; ignores SIGPIPE, so a closed pipe is a failed write, not a silent death;
  /// then re-executes with the fast OpenBLAS kernel if needed (`BLASRuntime`), and for a
  /// full-screen program (`interactiveCrashes` false) with a backtracer that never waits for a key.
  public static func prepare(interactiveCrashes: Bool = true) {
    for fd in Int32(0)...2 where fcntl(fd, F_GETFD) < 0 && errno == EBADF {
      let opened = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY)
      if opened >= 0 && opened != fd {
        dup2(opened, fd)
        close(opened)
      }
    }
    signal(SIGPIPE, SIG_IGN)
    var settings: [(name: String, value: String)] = []
    if let core = BLASRuntime.fastKernelSetting() { settings.append(("OPENBLAS_CORETYPE", core)) }
    // A crash must not end in the backtracer's "Press space to interact" on a terminal that
    // a full-screen program was using: it prints its backtrace and exits instead.
    if !interactiveCrashes && getenv("SWIFT_BACKTRACE") == nil { settings.append(("SWIFT_BACKTRACE", "interactive=no")) }
    reexec(with: settings)
  }

  /// Sets `settings` in the environment and starts the program again (they are read when the
  /// process starts), once; returns at once when there is nothing to set or `DNN_NO_REEXEC=1`.
  /// The raw argv, not CommandLine.arguments (repaired into valid UTF-8: other bytes than the
  /// user typed); the resolved path, not /proc/self/exe (exec names the process after the file,
  /// and `pkill dnn-tui` must still find it).
  private static func reexec(with settings: [(name: String, value: String)]) {
    guard !settings.isEmpty, getenv("DNN_NO_REEXEC") == nil else { return }
    for s in settings { setenv(s.name, s.value, 1) }
    var cArguments: [UnsafeMutablePointer<CChar>?] = (0..<Int(CommandLine.argc)).map { CommandLine.unsafeArgv[$0] }
    cArguments.append(nil)
    var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let length = readlink("/proc/self/exe", &target, Int(PATH_MAX))
    execv(length > 0 ? String(decoding: target[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "/proc/self/exe", &cArguments)
    // execv only returns on failure: carry on as things are (the slow kernel, say).
    for s in settings { unsetenv(s.name) }
  }

  /// The signals that ask a run to stop and save: SIGINT (Ctrl-C), SIGTERM, and SIGHUP (a closed
  /// terminal, a dropped ssh session) unless the process was started with it ignored (`nohup`,
  /// `trap '' HUP`: then the user asked for training to go on without a terminal).
  public static var stopSignals: [Int32] {
    var current = sigaction()
    let hangupIgnored = sigaction(SIGHUP, nil, &current) == 0
      && unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    return [SIGINT, SIGTERM] + (hangupIgnored ? [] : [SIGHUP])
  }

  /// The message for the first command-line argument that is not valid UTF-8, or nil. Swift
  /// repairs such arguments into other strings (U+FFFD), so a path given that way would name
  /// another file: the executables refuse it instead.
  public static func nonUTF8Argument() -> String? {
    for i in 1..<Int(CommandLine.argc) {
      guard let raw = CommandLine.unsafeArgv[i], String(validatingCString: raw) == nil else { continue }
      let shown = String(decoding: UnsafeRawBufferPointer(start: raw, count: strlen(raw)), as: UTF8.self)
      return "argument \(i) (\(shown)) is not valid UTF-8: rename the file or folder, or reach it through a UTF-8 path (a symbolic link)"
    }
    return nil
  }
}
