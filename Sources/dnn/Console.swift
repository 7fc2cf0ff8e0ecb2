import Foundation

/// Output helpers for the command line: messages to stderr, terminal detection.
enum Console {
  /// True when standard output is a terminal.
  static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

  /// Writes `text` and a newline to standard error.
  static func error(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }

  /// Writes `text` to standard output without a newline and flushes.
  static func write(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
  }
}

/// Formats a fraction as a percentage with two decimals: `0.9512` -> `95.12%`.
func percent(_ value: Float) -> String { String(format: "%.2f%%", Double(value) * 100) }
