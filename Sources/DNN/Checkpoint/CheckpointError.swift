/// A checkpoint or run file that cannot be read or written, with what is wrong.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
  public let path: String
  public let problem: String
  public init(path: String, problem: String) {
    self.path = path
    self.problem = problem
  }
  public var description: String { "\(path): \(problem)" }
}
