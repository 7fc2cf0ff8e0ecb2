/// A configuration that cannot be used; the message names the file, run and key.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
