/// How a layer's weights are drawn before training.
///
/// | case | distribution | reference |
/// |---|---|---|
/// | `normal(scale:)` | N(0, scale²), the original's "random" (scale 0.01) | |
/// | `he` | N(0, 2/fan_in) | He et al. 2015 |
/// | `heUniform` | U(±√(6/fan_in)) | He et al. 2015 |
/// | `glorot` | N(0, 2/(fan_in+fan_out)) | Glorot & Bengio 2010 |
/// | `glorotUniform` | U(±√(6/(fan_in+fan_out))) | Glorot & Bengio 2010 |
public enum Initializer: Sendable, Equatable {
  case normal(scale: Float)
  case he, heUniform, glorot, glorotUniform

  /// The configuration spelling, such as `heUniform`: the one place initializer names are
  /// written (parsing, `config.json` and summaries use it).
  public var configName: String {
    switch self {
    case .normal: "normal"
    case .he: "he"
    case .heUniform: "heUniform"
    case .glorot: "glorot"
    case .glorotUniform: "glorotUniform"
    }
  }

  /// One of each, for parsing by name (`normal` with the original's scale, 0.01).
  public static let all: [Initializer] = [.normal(scale: 0.01), .he, .heUniform, .glorot, .glorotUniform]

  /// For summaries: `he`, or `normal(0.01)` with its scale.
  public var name: String {
    if case .normal(let scale) = self { return "normal(\(scale))" }
    return configName
  }

  /// Fills `tensor` with draws for a layer with the given fan-in and fan-out.
  public func fill(_ tensor: Tensor, fanIn: Int, fanOut: Int, generator: inout SplitMix64) {
    let fanIn = Float(fanIn), fanOut = Float(fanOut)
    switch self {
    case .normal(let scale): normal(tensor, std: scale, &generator)
    case .he: normal(tensor, std: (2 / fanIn).squareRoot(), &generator)
    case .glorot: normal(tensor, std: (2 / (fanIn + fanOut)).squareRoot(), &generator)
    case .heUniform: uniform(tensor, bound: (6 / fanIn).squareRoot(), &generator)
    case .glorotUniform: uniform(tensor, bound: (6 / (fanIn + fanOut)).squareRoot(), &generator)
    }
  }

  private func normal(_ t: Tensor, std: Float, _ g: inout SplitMix64) {
    for i in 0..<t.count { t[i] = g.nextNormal() * std }
  }

  private func uniform(_ t: Tensor, bound: Float, _ g: inout SplitMix64) {
    for i in 0..<t.count { t[i] = (g.nextUniform() * 2 - 1) * bound }
  }
}
