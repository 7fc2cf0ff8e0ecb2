import ArgumentParser
import DNN
import Foundation

/// Output helpers for the command line: messages to stderr, terminal detection.
enum Console {
  /// True when standard output is a terminal.
  static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

  /// Writes `text` and a newline to standard error (a closed or full stderr loses the text,
  /// nothing else).
  static func error(_ text: String) { put(MessageText.readable(text) + "\n", to: STDERR_FILENO) }

  /// Writes `text` to standard output without a newline, unbuffered.
  static func write(_ text: String) {
    fflush(nil)
    put(text, to: STDOUT_FILENO)
  }

  /// Writes `text` to descriptor `fd`, ignoring a closed or full one.
  static func put(_ text: String, to fd: Int32) {
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { return }
      offset += n
    }
  }
}

/// Runs a command's body: an error is one `error: ...` line on stderr and exit status 1
/// (an `ExitCode` passes through, for commands that choose their status).
func reportingErrors(_ body: () throws -> Void) throws {
  do { try body() } catch let error as ExitCode { throw error } catch {
    Console.error("error: \(error)")
    throw ExitCode.failure
  }
}

/// A fraction as a percentage, in the one format of screens and tables (`RunRecord.percent`).
func percent(_ value: Float) -> String { RunRecord.percent(value) }
