/// Saved optimizer state that does not fit the model.
public struct OptimizerStateError: Error, CustomStringConvertible {
  public let message: String
  public var description: String { message }
}
