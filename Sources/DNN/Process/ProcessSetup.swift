import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// What both executables do first, before anything can open a file or print.
public enum ProcessSetup {
  /// Opens /dev/null on standard input, output or error when the caller closed them (`2>&-`),
  /// so that no data or checkpoint file is ever opened as descriptor 1 or 2 and then written
  /// by a `print`; ignores SIGPIPE, so a closed pipe is a failed write, not a silent death;
  /// then re-executes with the fast OpenBLAS kernel if needed (`BLASRuntime`).
  public static func prepare() {
    for fd in Int32(0)...2 where fcntl(fd, F_GETFD) < 0 && errno == EBADF {
      let opened = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY)
      if opened >= 0 && opened != fd {
        dup2(opened, fd)
        close(opened)
      }
    }
    signal(SIGPIPE, SIG_IGN)
    BLASRuntime.reexecWithFastKernelIfNeeded()
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
