/// The release of diy-dnn, as `dnn --version` and `dnn-tui --version` print it.
public enum Version {
  public static let number = "0.9.0"
  public static let text = "diy-dnn \(number)"
}
