/// The resolved configuration as JSON, in the configuration file's format (defaults filled in),
/// so that `config.json` of a run folder reads back as the same run.
extension RunConfig {
  public var jsonValue: JSONValue {
    let n = JSONValue.float
    var object: [String: JSONValue] = [
      "name": .string(name), "layers": .array(layers.map(\.jsonValue)), "optimizer": optimizer.jsonValue,
      "schedule": schedule.jsonValue, "epochs": .number(Double(epochs)), "batchSize": .number(Double(batchSize)),
      "seed": .number(Double(seed)), "trainSamples": trainSamples.map { .number(Double($0)) } ?? .null,
      "validationFraction": .number(validationFraction), "augment": .object(["shift": .number(Double(augmentShift))]),
    ]
    if !augmentWarp.isIdentity, case .object(var augment) = object["augment"]! {
      (augment["rotate"], augment["scale"]) = (n(augmentWarp.rotation), n(augmentWarp.scale))
      // The elastic distortion's σ only with the distortion (else it reads as a setting that differs).
      if augmentWarp.elasticAlpha > 0 {
        (augment["elastic"], augment["elasticSigma"]) = (n(augmentWarp.elasticAlpha), n(augmentWarp.elasticSigma))
      }
      if testAugment { augment["test"] = .bool(true) }
      object["augment"] = .object(augment)
    }
    if let averageDecay { object["average"] = .object(["decay": n(averageDecay)]) }
    if bestSmoothing > 0 { object["bestSmoothing"] = .number(bestSmoothing) }
    if labelSmoothing > 0 { object["labelSmoothing"] = n(labelSmoothing) }
    if let dataset { object["dataset"] = dataset.jsonValue }
    switch clip {
    case .none: break
    case .global(let m): object["clip"] = .object(["mode": .string("global"), "maxNorm": n(m)])
    case .perTensor(let m): object["clip"] = .object(["mode": .string("perTensor"), "maxNorm": n(m)])
    }
    return .object(object)
  }

  /// Reads a run object such as `config.json` of a run folder.
  public static func parse(json value: JSONValue, path: String) throws -> RunConfig {
    try parse(value, context: path)
  }
}

extension Initializer {
  var jsonFields: [String: JSONValue] {
    var fields: [String: JSONValue] = ["initializer": .string(configName)]
    if case .normal(let scale) = self { fields["scale"] = .number(Double(scale)) }
    return fields
  }
}

extension OptimizerSpec {
  var jsonValue: JSONValue {
    let n = JSONValue.float
    switch self {
    case .sgd(let lr, let momentum, let nesterov, let wd):
      return .object(["type": .string("sgd"), "learningRate": n(lr), "momentum": n(momentum), "nesterov": .bool(nesterov), "weightDecay": n(wd)])
    case .adam(let lr, let b1, let b2, let eps, let wd), .adamW(let lr, let b1, let b2, let eps, let wd):
      let type = if case .adam = self { "adam" } else { "adamw" }
      return .object(["type": .string(type), "learningRate": n(lr), "beta1": n(b1), "beta2": n(b2), "epsilon": n(eps), "weightDecay": n(wd)])
    }
  }
}

extension LearningRateSchedule {
  var jsonValue: JSONValue {
    switch self {
    case .constant: .object(["type": .string("constant")])
    case .warmup(let w): .object(["type": .string("constant"), "warmupEpochs": .number(w)])
    case .step(let size, let gamma, let w):
      .object(["type": .string("step"), "stepSize": .number(Double(size)), "gamma": .number(Double(gamma)), "warmupEpochs": .number(w)])
    case .cosine(let w): .object(["type": .string("cosine"), "warmupEpochs": .number(w)])
    }
  }
}
