import Foundation

extension RunFile {
  /// The number of classes every model must end with.
  public static let classes = 10

  /// Reads and checks a configuration file.
  public static func load(path given: String) throws -> RunFile {
    let path = Assets.configPath(given)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
      let bundled = Assets.bundledConfigs().map { String($0.dropLast(5)) }
      throw ConfigError("\(path): no such configuration file" + (bundled.isEmpty ? "" : " (bundled, by name: \(bundled.joined(separator: ", ")))"))
    }
    if let problem = UnreadableFile.problem(path) { throw ConfigError("\(path): \(problem)") }
    guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError("\(path): cannot be read") }
    return try parse(data, path: path)
  }

  /// Parses a configuration document; errors name `path`, the run and the key.
  public static func parse(_ data: Data, path: String) throws -> RunFile {
    let root: JSONValue
    do { root = try JSONValue.parse(data) } catch let error as ConfigError {
      throw ConfigError("\(path): \(error.message)")
    }
    // A run folder's config.json (one run, its data recorded) is a file of that one run.
    if case .object(let fields) = root, fields["runs"] == nil, fields["name"] != nil, fields["layers"] != nil {
      return RunFile(runs: [try RunConfig.parse(json: root, path: path)], path: path)
    }
    var reader = try ObjectReader(root, context: path)
    guard let runsValue = reader.raw("runs") else { throw ConfigError("\(path): missing key 'runs' (a list of runs)") }
    try reader.rejectUnknownKeys()
    guard case .array(let items) = runsValue else {
      throw ConfigError("\(path): runs must be a list, found \(runsValue.typeName)")
    }
    if items.isEmpty { throw ConfigError("\(path): runs is empty; add at least one run") }
    var runs: [RunConfig] = []
    for (i, item) in items.enumerated() {
      for expanded in try expand(item, context: "\(path): runs[\(i)]") {
        let run = try RunConfig.parse(expanded, context: "\(path): runs[\(i)]")
        if runs.contains(where: { $0.name == run.name }) {
          throw ConfigError("\(path): run '\(run.name)' appears twice; run names must be unique")
        }
        runs.append(run)
      }
    }
    return RunFile(runs: runs, path: path)
  }
}

extension RunConfig {
  /// Parses one entry of `runs`.
  static func parse(_ value: JSONValue, context: String) throws -> RunConfig {
    var r = try ObjectReader(value, context: context)
    guard let name = try r.string("name"), !name.isEmpty else { throw ConfigError("\(context): missing key 'name'") }
    guard name.range(of: "^[A-Za-z0-9._=,+-]+$", options: .regularExpression) != nil, name != ".", name != "..", name.count <= 200 else {
      throw ConfigError("\(context): name '\(name)' may only use letters, digits and . _ - = , + (it names a folder), at most 200 of them")
    }
    let ctx = "\(context.split(separator: ":").first ?? ""): run '\(name)'"
    r = try ObjectReader(value, context: ctx)
    _ = try r.string("name")
    guard let layersValue = r.raw("layers") else { throw ConfigError("\(ctx): missing key 'layers'") }
    guard case .array(let layerItems) = layersValue, !layerItems.isEmpty else {
      throw ConfigError("\(ctx): layers must be a non-empty list")
    }
    let layers = try layerItems.enumerated().map { try LayerSpec.parse($1, context: "\(ctx): layers[\($0)]") }
    let optimizer = try r.raw("optimizer").map { try OptimizerSpec.parse($0, context: "\(ctx): optimizer") }
      ?? .sgd(learningRate: 0.01, momentum: 0, nesterov: false, weightDecay: 0)
    var run = RunConfig(name: name, layers: layers, optimizer: optimizer)
    if let s = r.raw("schedule") { run.schedule = try LearningRateSchedule.parse(s, context: "\(ctx): schedule") }
    run.epochs = try r.integer("epochs", in: epochRange) ?? run.epochs
    run.batchSize = try r.integer("batchSize", in: 1...1_000_000) ?? run.batchSize
    run.seed = UInt64(try r.integer("seed", in: seedRange) ?? Int(run.seed))
    run.trainSamples = try r.integer("trainSamples", in: 1...100_000_000)
    run.validationFraction = try r.number("validationFraction", "at least 0 and below 1") { $0 >= 0 && $0 < 1 } ?? run.validationFraction
    if r.has("clipNorm") && r.has("clip") { throw ConfigError("\(ctx): give either clipNorm or clip, not both") }
    if let n = try r.number("clipNorm", "positive", { $0 > 0 }) { run.clip = .global(maxNorm: Float(n)) }
    if let c = r.raw("clip") { run.clip = try GradientClipping.parse(c, context: "\(ctx): clip") }
    if let a = r.raw("augment") {
      var ar = try ObjectReader(a, context: "\(ctx): augment")
      run.augmentShift = try ar.integer("shift", in: 0...8) ?? 0
      let within = { (limit: Double) in { (v: Double) in v >= 0 && v <= limit } }
      run.augmentWarp.rotation = Float(try ar.number("rotate", "degrees from 0 to 45", within(45)) ?? 0)
      run.augmentWarp.scale = Float(try ar.number("scale", "a fraction from 0 to 0.5", within(0.5)) ?? 0)
      run.augmentWarp.elasticAlpha = Float(try ar.number("elastic", "a strength from 0 to 100 (pixels)", within(100)) ?? 0)
      run.augmentWarp.elasticSigma = Float(try ar.number("elasticSigma", "from 0.5 to 10 pixels") { $0 >= 0.5 && $0 <= 10 } ?? 4)
      // σ without a distortion does nothing: it is not kept (config.json leaves it out).
      if run.augmentWarp.elasticAlpha == 0 { run.augmentWarp.elasticSigma = Warp().elasticSigma }
      run.testAugment = try ar.bool("test") ?? false
      if run.testAugment && run.augmentWarp.testViews.count == 1 {
        throw ConfigError("\(ctx): augment: test averages the digit turned by ±rotate and scaled by ±scale: give rotate or scale")
      }
      try ar.rejectUnknownKeys()
    }
    if let a = r.raw("average") {
      var ar = try ObjectReader(a, context: "\(ctx): average")
      let range = WeightAverage.decayRange
      let decay = try ar.number("decay", "from \(range.lowerBound) to \(range.upperBound)") { range.contains($0) }
      guard let decay else { throw ConfigError("\(ctx): average needs a decay, such as {\"decay\": 0.999}") }
      run.averageDecay = Float(decay)
      try ar.rejectUnknownKeys()
    }
    run.bestSmoothing = try r.number("bestSmoothing", "at least 0 and below 1") { $0 >= 0 && $0 < 1 } ?? 0
    run.labelSmoothing = Float(try r.number("labelSmoothing", "at least 0 and below 1") { $0 >= 0 && $0 < 1 } ?? 0)
    if let d = r.raw("dataset") { run.dataset = try DatasetIdentity.parse(d, context: "\(ctx): dataset") }
    try r.rejectUnknownKeys()
    try run.checkShapes(context: ctx)
    return run
  }

  /// Checks that the layers chain from 784 inputs to `RunFile.classes` outputs.
  func checkShapes(context: String) throws {
    let width = try layers.geometries(context: context).last?.features ?? LabeledImages.features
    guard !layers.isEmpty && layers.isFusedWithTheLoss(layers.count - 1) else {
      throw ConfigError("\(context): the last layer must be {\"type\": \"softmax\"}: the loss is categorical cross-entropy on probabilities")
    }
    guard width == RunFile.classes else {
      throw ConfigError("\(context): the last layer gives \(width) outputs, but MNIST has \(RunFile.classes) classes: end with a dense layer of 10 units")
    }
  }
}

extension Initializer {
  static func parse(_ r: inout ObjectReader, context: String, default fallback: Initializer = .he) throws -> Initializer {
    let scale = try r.number("scale", "positive") { $0 > 0 }
    guard let name = try r.string("initializer") else {
      if scale != nil { throw ConfigError("\(context): scale applies only to initializer \"normal\"") }
      return fallback
    }
    // "random" is the original's name for the scaled normal.
    guard let found = all.first(where: { $0.configName == (name == "random" ? "normal" : name) }) else {
      throw ConfigError("\(context): unknown initializer '\(name)' (known: \(all.map(\.configName).joined(separator: ", ")))")
    }
    if case .normal(let defaultScale) = found { return .normal(scale: Float(scale ?? Double(defaultScale))) }
    if scale != nil { throw ConfigError("\(context): scale applies only to initializer \"normal\"") }
    return found
  }
}

extension OptimizerSpec {
  static func parse(_ value: JSONValue, context: String) throws -> OptimizerSpec {
    var r = try ObjectReader(value, context: context)
    let type = try r.string("type") ?? "sgd"
    let spec: OptimizerSpec
    func lr(_ r: inout ObjectReader, _ fallback: Double) throws -> Float {
      Float(try r.number("learningRate", "positive") { $0 > 0 } ?? fallback)
    }
    func decay(_ r: inout ObjectReader, _ fallback: Double) throws -> Float {
      Float(try r.number("weightDecay", "at least 0") { $0 >= 0 } ?? fallback)
    }
    switch type.lowercased() {
    case "sgd":
      let rate = try lr(&r, 0.01)
      let momentum = Float(try r.number("momentum", "at least 0 and below 1") { $0 >= 0 && $0 < 1 } ?? 0)
      let nesterov = try r.bool("nesterov") ?? false
      if nesterov && momentum == 0 { throw ConfigError("\(context): nesterov needs momentum above 0") }
      spec = .sgd(learningRate: rate, momentum: momentum, nesterov: nesterov, weightDecay: try decay(&r, 0))
    case "adam", "adamw":
      let rate = try lr(&r, 0.001)
      let b1 = Float(try r.number("beta1", "at least 0 and below 1") { $0 >= 0 && $0 < 1 } ?? 0.9)
      let b2 = Float(try r.number("beta2", "at least 0 and below 1") { $0 >= 0 && $0 < 1 } ?? 0.999)
      let eps = Float(try r.number("epsilon", "positive") { $0 > 0 } ?? 1e-8)
      if type.lowercased() == "adam" {
        spec = .adam(learningRate: rate, beta1: b1, beta2: b2, epsilon: eps, weightDecay: try decay(&r, 0))
      } else {
        spec = .adamW(learningRate: rate, beta1: b1, beta2: b2, epsilon: eps, weightDecay: try decay(&r, 0.01))
      }
    default:
      throw ConfigError("\(context): unknown optimizer type '\(type)' (known: \(OptimizerSpec.typeNames.joined(separator: ", ")))")
    }
    try r.rejectUnknownKeys()
    return spec
  }
}

extension LearningRateSchedule {
  static func parse(_ value: JSONValue, context: String) throws -> LearningRateSchedule {
    var r = try ObjectReader(value, context: context)
    let type = try r.string("type") ?? "constant"
    let warmup = try r.number("warmupEpochs", "at least 0") { $0 >= 0 } ?? 0
    let schedule: LearningRateSchedule
    switch type {
    case "constant": schedule = warmup > 0 ? .warmup(epochs: warmup) : .constant
    case "step":
      guard let size = try r.integer("stepSize", in: 1...100_000) else { throw ConfigError("\(context): step schedule needs 'stepSize' (epochs)") }
      let gamma = try r.number("gamma", "between 0 and 1") { $0 > 0 && $0 <= 1 } ?? 0.1
      schedule = .step(stepSize: size, gamma: Float(gamma), warmupEpochs: warmup)
    case "cosine": schedule = .cosine(warmupEpochs: warmup)
    default: throw ConfigError("\(context): unknown schedule type '\(type)' (known: constant, step, cosine)")
    }
    try r.rejectUnknownKeys()
    return schedule
  }
}

extension GradientClipping {
  static func parse(_ value: JSONValue, context: String) throws -> GradientClipping {
    var r = try ObjectReader(value, context: context)
    let mode = try r.string("mode") ?? "global"
    guard let maxNorm = try r.number("maxNorm", "positive", { $0 > 0 }) else { throw ConfigError("\(context): missing key 'maxNorm'") }
    try r.rejectUnknownKeys()
    switch mode {
    case "global": return .global(maxNorm: Float(maxNorm))
    case "perTensor": return .perTensor(maxNorm: Float(maxNorm))
    default: throw ConfigError("\(context): unknown clip mode '\(mode)' (known: global, perTensor)")
    }
  }
}
