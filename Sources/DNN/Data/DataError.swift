/// A data file or folder that cannot be used, with what is wrong and what to do about it.
public struct DataError: Error, CustomStringConvertible, Equatable {
  /// The file or folder at fault.
  public let path: String
  /// What is wrong, in a phrase ("wrong magic number 0x00000000, expected 0x00000803").
  public let problem: String
  /// What the user can do next.
  public let hint: String

  public init(path: String, problem: String, hint: String = DataError.refetchHint) {
    self.path = path
    self.problem = problem
    self.hint = hint
  }

  public var description: String { "\(path): \(problem). \(hint)" }

  /// The usual advice for a damaged MNIST-format file.
  public static let refetchHint =
    "The file is damaged or not an MNIST IDX file: fetch it again (dnn download mnist) or point --data-dir at a good copy."
}
