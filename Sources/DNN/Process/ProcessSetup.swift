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
}
