import Foundation
import Testing

@testable import DNN

/// The run-configuration contract: what parses, its defaults, and the errors for bad files.
@Suite struct ConfigTests {
  static let issueExample = """
    {"runs": [{
      "name": "mlp-256-128",
      "layers": [{"type": "dense", "units": 256, "initializer": "he"}, {"type": "relu"},
                 {"type": "dense", "units": 128}, {"type": "relu"},
                 {"type": "dense", "units": 10}, {"type": "softmax"}],
      "optimizer": {"type": "sgd", "learningRate": 0.05, "momentum": 0.9},
      "epochs": 10, "batchSize": 128, "seed": 1,
      "trainSamples": null, "validationFraction": 0.1, "clipNorm": 5.0
    }]}
    """

  func parse(_ text: String) throws -> RunFile { try RunFile.parse(Data(text.utf8), path: "test.json") }

  /// The run of `issueExample` with `edit` applied to its JSON text.
  func run(replacing old: String, with new: String) throws -> RunFile {
    let text = Self.issueExample.replacingOccurrences(of: old, with: new)
    precondition(text != Self.issueExample, "edit \(old) did not apply")
    return try parse(text)
  }

  func expectError(_ old: String, _ new: String, _ phrase: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
      _ = try run(replacing: old, with: new)
      Issue.record("no error for \(new)", sourceLocation: sourceLocation)
    } catch {
      #expect("\(error)".contains(phrase), "\(error)", sourceLocation: sourceLocation)
    }
  }

  @Test func theContractExampleParses() throws {
    let run = try parse(Self.issueExample).runs[0]
    #expect(run.name == "mlp-256-128")
    #expect(run.layers == [.dense(units: 256, initializer: .he), .relu, .dense(units: 128, initializer: .he), .relu,
                           .dense(units: 10, initializer: .he), .softmax])
    #expect(run.optimizer == .sgd(learningRate: 0.05, momentum: 0.9, nesterov: false, weightDecay: 0))
    #expect(run.epochs == 10 && run.batchSize == 128 && run.seed == 1 && run.trainSamples == nil)
    #expect(run.validationFraction == 0.1)
    #expect(run.clip == .global(maxNorm: 5))
  }

  @Test func theBundledConfigsParse() throws {
    let folder = URL(fileURLWithPath: Fixtures.bundledMNIST).deletingLastPathComponent().appendingPathComponent("configs")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
    #expect(files.contains("default.json"))
    for file in files { _ = try RunFile.load(path: folder.appendingPathComponent(file).path) }
  }

  @Test func extendedLayersAndOptimizersParse() throws {
    let text = """
      {"runs": [{"name": "x", "layers": [
        {"type": "attention", "tokens": 28, "heads": 4, "dim": 32},
        {"type": "dense", "units": 64, "initializer": "normal", "scale": 0.02},
        {"type": "batchnorm", "momentum": 0.2, "epsilon": 0.001}, {"type": "leakyrelu", "slope": 0.05},
        {"type": "dropout", "rate": 0.25}, {"type": "dense", "units": 10, "initializer": "glorotUniform"},
        {"type": "softmax"}],
        "optimizer": {"type": "adamw", "learningRate": 0.002, "weightDecay": 0.05},
        "schedule": {"type": "cosine", "warmupEpochs": 1}, "clip": {"mode": "perTensor", "maxNorm": 5},
        "augment": {"shift": 2}}]}
      """
    let run = try parse(text).runs[0]
    #expect(run.layers[0] == .attention(tokens: 28, heads: 4, dim: 32, initializer: .glorotUniform))
    #expect(run.layers[1] == .dense(units: 64, initializer: .normal(scale: 0.02)))
    #expect(run.layers[2] == .batchNorm(momentum: 0.2, epsilon: 0.001))
    #expect(run.optimizer == .adamW(learningRate: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.05))
    #expect(run.schedule == .cosine(warmupEpochs: 1))
    #expect(run.clip == .perTensor(maxNorm: 5))
    #expect(run.augmentShift == 2)
  }

  @Test func notJSON() {
    #expect(throws: ConfigError.self) { try parse("{runs: [") }
    do { _ = try parse("{runs: [") } catch { #expect("\(error)".hasPrefix("test.json: not valid JSON")) }
  }

  @Test func noRuns() {
    do { _ = try parse("{\"runs\": []}") } catch { #expect("\(error)".contains("runs is empty")) }
    do { _ = try parse("{}") } catch { #expect("\(error)".contains("missing key 'runs'")) }
  }

  @Test func badValuesNameTheRunAndKey() {
    expectError("\"units\": 128", "\"units\": -3", "run 'mlp-256-128': layers[2]: units must be a whole number from 1")
    expectError("\"units\": 128", "\"units\": 0", "layers[2]: units")
    expectError("{\"type\": \"relu\"},\n", "{\"type\": \"swish\"},\n", "unknown layer type 'swish'")
    expectError("\"type\": \"sgd\"", "\"type\": \"lbfgs\"", "unknown optimizer type 'lbfgs'")
    expectError("\"learningRate\": 0.05", "\"learningRate\": -0.1", "optimizer: learningRate must be positive, found -0.1")
    expectError("\"batchSize\": 128", "\"batchSize\": 0", "batchSize must be a whole number from 1")
    expectError("\"epochs\": 10", "\"epochs\": -1", "epochs must be a whole number from 1")
    expectError("\"validationFraction\": 0.1", "\"validationFraction\": 1.0", "validationFraction must be at least 0 and below 1, found 1")
    expectError("\"validationFraction\": 0.1", "\"validationFraction\": -0.2", "validationFraction must be")
    expectError("\"epochs\": 10", "\"epochs\": \"ten\"", "epochs must be a number, found a string")
    expectError("\"seed\": 1", "\"seed\": 1, \"sneed\": 2", "run 'mlp-256-128': unknown key 'sneed'")
    expectError("\"momentum\": 0.9", "\"momentum\": 0.9, \"beta\": 1", "optimizer: unknown key 'beta'")
  }

  /// Numbers are checked as the Float the engine uses: a rate that rounds to 1, a learning rate
  /// that underflows to 0, an epsilon below the normal range, a scale past Float's range.
  @Test func numbersAreCheckedAsTheFloatsTrainingUses() {
    let hidden = "{\"type\": \"dense\", \"units\": 128}, {\"type\": \"relu\"}"
    expectError(hidden, "{\"type\": \"dense\", \"units\": 128}, {\"type\": \"dropout\", \"rate\": 0.99999999}", "rate must be at least 0 and below 1 as the 32-bit float")
    expectError(hidden, "{\"type\": \"dense\", \"units\": 128}, {\"type\": \"leakyrelu\", \"slope\": 0.99999999}", "slope must be at least 0 and below 1 as the 32-bit float")
    expectError("\"learningRate\": 0.05", "\"learningRate\": 1e-50", "learningRate must be positive as the 32-bit float")
    expectError("\"clipNorm\": 5.0", "\"clipNorm\": 1e39", "clipNorm must be positive as the 32-bit float")
    expectError("\"type\": \"sgd\", \"learningRate\": 0.05, \"momentum\": 0.9", "\"type\": \"adam\", \"epsilon\": 1e-40", "epsilon must be positive as the 32-bit float")
    expectError("\"initializer\": \"he\"", "\"initializer\": \"normal\", \"scale\": 1e39", "scale must be positive as the 32-bit float")
  }

  @Test func lastLayerMustGiveTenClasses() {
    expectError("\"units\": 10", "\"units\": 12", "the last layer gives 12 outputs, but MNIST has 10 classes")
    expectError("\"units\": 10", "\"units\": 8", "the last layer gives 8 outputs, but MNIST has 10 classes")
    expectError(", {\"type\": \"softmax\"}]", "]", "the last layer must be {\"type\": \"softmax\"}")
  }

  @Test func attentionTokensMustDivideInput() throws {
    let text = """
      {"runs": [{"name": "a", "layers": [{"type": "attention", "tokens": 27, "heads": 2, "dim": 8},
        {"type": "dense", "units": 10}, {"type": "softmax"}]}]}
      """
    do { _ = try parse(text); Issue.record("accepted") } catch {
      #expect("\(error)".contains("layers[0] (attention): tokens 27 do not divide its 784 input features"), "\(error)")
    }
  }

  /// Convolutions: shapes inferred from the layer before (the first sees 1x28x28), errors that
  /// name the layer and the sizes, and the JSON round trip.
  @Test func convolutionsParseAndTheirShapesAreChecked() throws {
    func layers(_ body: String) -> String {
      "{\"runs\": [{\"name\": \"c\", \"layers\": [\(body), {\"type\": \"softmax\"}]}]}"
    }
    let good = try parse(layers("""
      {"type": "conv2d", "channels": 16, "kernel": 5, "padding": 2}, {"type": "relu"}, {"type": "maxpool", "size": 2},
      {"type": "conv2d", "channels": 32, "kernel": 3, "stride": 2}, {"type": "avgpool"}, {"type": "dense", "units": 10}
      """)).runs[0]
    #expect(good.layers[0] == .conv2d(channels: 16, kernel: 5, stride: 1, padding: 2, initializer: .he))
    #expect(good.layers[4] == .avgPool(size: 2))
    #expect(try good.layers.geometries().compactMap(\.image?.text) == ["16x28x28", "16x28x28", "16x14x14", "32x6x6", "32x3x3"])
    #expect(try RunConfig.parse(json: try JSONValue.parse(Data(good.jsonValue.text.utf8)), path: "x") == good)
    let cases: [(String, String)] = [
      ("{\"type\": \"dense\", \"units\": 64}, {\"type\": \"conv2d\", \"channels\": 4, \"kernel\": 3}, {\"type\": \"dense\", \"units\": 10}",
       "layers[1] (conv2d) needs an image (channels x height x width), but gets 64 flat features"),
      ("{\"type\": \"maxpool\", \"size\": 8}, {\"type\": \"conv2d\", \"channels\": 4, \"kernel\": 5}, {\"type\": \"dense\", \"units\": 10}",
       "layers[1] (conv2d): a 5x5 kernel does not fit its 1x3x3 input with padding 0"),
      ("{\"type\": \"conv2d\", \"channels\": 4, \"kernel\": 3, \"padding\": 3}, {\"type\": \"dense\", \"units\": 10}",
       "padding must be a whole number from 0 to 2"),
      ("{\"type\": \"conv2d\", \"channels\": 4}, {\"type\": \"dense\", \"units\": 10}", "conv2d needs 'kernel'"),
      ("{\"type\": \"dense\", \"units\": 10}, {\"type\": \"batchnorm2d\"}", "layers[1] (batchnorm2d) needs an image"),
      ("{\"type\": \"maxpool\", \"size\": 29}, {\"type\": \"dense\", \"units\": 10}", "size must be a whole number from 1 to 28"),
      ("{\"type\": \"conv2d\", \"channels\": 4, \"kernel\": 3}", "gives 2704 outputs, but MNIST has 10 classes"),
    ]
    for (body, message) in cases {
      do { _ = try parse(layers(body)); Issue.record("accepted: \(body)") } catch {
        #expect("\(error)".contains(message), "\(error)")
      }
    }
  }

  @Test func duplicateRunNames() {
    let run = Self.issueExample.dropFirst("{\"runs\": [".count).dropLast(2)
    do { _ = try parse("{\"runs\": [\(run), \(run)]}"); Issue.record("accepted") } catch {
      #expect("\(error)".contains("run 'mlp-256-128' appears twice"))
    }
  }

  @Test func unknownRunName() throws {
    let file = try parse(Self.issueExample)
    #expect(throws: ConfigError.self) { try file.run(named: "nope") }
  }
}

/// JSON written by the tools stays valid JSON.
@Suite struct JSONTextTests {
  @Test func nonFiniteNumbersBecomeNull() throws {
    let text = JSONValue.object(["a": .number(.nan), "b": .number(.infinity), "c": .number(1.5)]).text
    #expect(text == "{\"a\": null, \"b\": null, \"c\": 1.5}")
    _ = try JSONValue.parse(Data(text.utf8))
  }
}

/// The parser: strict, linear in the input, bounded in nesting, no duplicate keys.
@Suite struct JSONParserTests {
  func expectError(_ text: String, _ phrase: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do { _ = try JSONValue.parse(Data(text.utf8)); Issue.record("accepted \(text.prefix(40))", sourceLocation: sourceLocation) } catch {
      #expect("\(error)".contains(phrase), "\(error)", sourceLocation: sourceLocation)
    }
  }

  @Test func valuesParseAsWritten() throws {
    let text = #"{"a": [1, -2.5e3, 0.125, true, false, null], "b": "x\"\\\/\n\u00e9\ud83d\ude00", "c": {}, "d": []}"#
    #expect(try JSONValue.parse(Data(text.utf8)) == .object([
      "a": .array([.number(1), .number(-2500), .number(0.125), .bool(true), .bool(false), .null]),
      "b": .string("x\"\\/\né😀"), "c": .object([:]), "d": .array([]),
    ]))
  }

  @Test func malformedDocumentsSayWhereTheyBreak() {
    expectError("{\"a\": 1,\n \"b\": }", "unexpected character '}' at line 2, column 7")
    expectError("[1, 2", "unexpected end of the document")
    expectError("{\"a\": 01}", "expected ',' or '}'")
    expectError("[1.]", "invalid number")
    expectError("\"tab\there\"", "control character in a string")
    expectError("[1] [2]", "unexpected text after the document")
    expectError("[\"\\ud800\"]", "unpaired surrogate")
  }

  @Test func aKeyTwiceInOneObjectIsAnError() {
    expectError("{\"epochs\": 10, \"epochs\": 20}", "key \"epochs\" appears twice in one object at line 1, column 16")
  }

  @Test func nestingIsLimitedAndParsingIsLinear() throws {
    let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
    expectError(deep, "nested deeper than 64 levels")
    _ = try JSONValue.parse(Data((String(repeating: "[", count: 64) + String(repeating: "]", count: 64)).utf8))
    // 20 KB of nested arrays (17 s with the old decoder-based parser), and 2 MB of flat ones.
    let start = Date()
    for _ in 0..<300 { expectError(String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000), "nested deeper") }
    _ = try JSONValue.parse(Data(("[" + Array(repeating: "[1.5, \"ab\"]", count: 200_000).joined(separator: ",") + "]").utf8))
    #expect(Date().timeIntervalSince(start) < 10, "parsing took \(Date().timeIntervalSince(start)) s")
  }
}

/// A configuration too big for the machine is refused before anything is allocated.
@Suite struct MemoryEstimateTests {
  @Test func aModelLargerThanTheMachineIsRefusedWithItsSize() throws {
    var config = CheckpointTests.smallConfig()
    config.layers = [.dense(units: 1_000_000, initializer: .he), .relu, .dense(units: 1_000_000, initializer: .he), .relu,
                     .dense(units: 10, initializer: .he), .softmax]
    #expect(config.memoryEstimate > 1.6e13)  // 10^12 weights, 4 copies of 4 bytes
    do { try config.checkMemory(available: 24e9); Issue.record("accepted") } catch {
      #expect("\(error)".contains("its layers need about 16"), "\(error)")
      #expect("\(error)".contains("more than this machine's 24.0 GB"), "\(error)")
    }
    do { _ = try RunPlan(config: config, folder: Fixtures.mnist); Issue.record("accepted") } catch {
      #expect("\(error)".contains("its layers need about"), "\(error)")
    }
    // The shipped configurations fit in 1 GB.
    #expect(Assets.bundledConfigs().count >= 6)
    for file in Assets.bundledConfigs() {
      for run in try RunFile.load(path: "\(Fixtures.bundledMNIST)/../configs/\(file)").runs {
        #expect(run.memoryEstimate < 1e9, "\(run.name): \(run.memoryEstimate)")
      }
    }
  }
}

/// Every name of every vocabulary goes through JSON and back unchanged.
@Suite struct VocabularyRoundTripTests {
  @Test func everyLayerOptimizerScheduleClipAndInitializerRoundTrips() throws {
    var layers: [LayerSpec] = Initializer.all.map { .conv2d(channels: 2, kernel: 3, stride: 1, padding: 1, initializer: $0) }
    layers += [.conv2d(channels: 3, kernel: 5, stride: 2, padding: 2, initializer: .he), .maxPool(size: 2), .avgPool(size: 3)]
    layers += Initializer.all.map { .dense(units: 16, initializer: $0) }
    layers += [.dense(units: 16, initializer: .normal(scale: 0.25)), .relu, .leakyReLU(slope: 0.2),
               .batchNorm(momentum: 0.2, epsilon: 1e-3), .dropout(rate: 0.3)]
    layers += Activation.all.map { .activation(Activation($0)) }
    layers.insert(.batchNorm2D(momentum: 0.3, epsilon: 1e-4), at: 1)
    layers += Initializer.all.map { .attention(tokens: 4, heads: 2, dim: 4, initializer: $0) }
    layers += [.dense(units: 10, initializer: .glorot), .softmax]
    #expect(Set(layers.map(\.kind)) == Set(LayerKind.allCases))
    let optimizers: [OptimizerSpec] = [
      .sgd(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.001),
      .adam(learningRate: 0.002, beta1: 0.8, beta2: 0.99, epsilon: 1e-7, weightDecay: 0.01),
      .adamW(learningRate: 0.003, beta1: 0.85, beta2: 0.995, epsilon: 1e-6, weightDecay: 0.05),
    ]
    let schedules: [LearningRateSchedule] = [.constant, .warmup(epochs: 2), .step(stepSize: 3, gamma: 0.5, warmupEpochs: 1), .cosine(warmupEpochs: 0.5)]
    let clips: [GradientClipping] = [.none, .global(maxNorm: 5), .perTensor(maxNorm: 2)]
    for (i, optimizer) in optimizers.enumerated() {
      for (j, schedule) in schedules.enumerated() {
        var config = RunConfig(name: "r\(i)\(j)", layers: layers, optimizer: optimizer)
        config.schedule = schedule
        config.clip = clips[(i + j) % clips.count]
        config.augmentShift = 2
        config.trainSamples = 100
        let text = JSONValue.object(["runs": .array([config.jsonValue])]).text
        let back = try RunFile.parse(Data(text.utf8), path: "round-trip.json").runs[0]
        #expect(back == config, "\(text)")
      }
    }
  }
}

/// The FLOP count `dnn bench` divides by.
@Suite struct FlopCountTests {
  @Test func theReferenceMLPCostsWhatThePlatformNotesSay() {
    var config = CheckpointTests.smallConfig()
    config.layers = [.dense(units: 256, initializer: .he), .relu, .dense(units: 128, initializer: .he), .relu,
                     .dense(units: 10, initializer: .he), .softmax]
    // 60.4 GFLOP per 60,000-sample epoch (../shared/platform-notes.md): about 1.0 MFLOP a sample.
    #expect(abs(config.trainingFlopsPerSample * 60_000 / 1e9 - 60.4) < 0.5, "\(config.trainingFlopsPerSample)")
    let best = try! RunFile.load(path: "\(Fixtures.bundledMNIST)/../configs/mnist-best.json").runs[0]
    // 145 GFLOP per epoch for mnist-best's model (issue 18's figure).
    #expect(abs(best.trainingFlopsPerSample * 60_000 / 1e9 - 145) < 5, "\(best.trainingFlopsPerSample * 60_000 / 1e9)")
  }
}

/// What the executables print of a message: control characters escaped, monster words cut.
@Suite struct MessageTextTests {
  @Test func controlCharactersAreEscapedAndLongWordsCut() {
    #expect(MessageText.readable("bad \u{1B}[2J line\r") == "bad \\u{1B}[2J line\\r")
    #expect(MessageText.readable("two\nlines\tand tabs") == "two\nlines\tand tabs")
    let long = MessageText.readable("run '" + String(repeating: "x", count: 300) + "' is too long")
    #expect(long.count < 140 && long.contains("characters)") && long.hasSuffix("' is too long"), "\(long)")
  }

  @Test func aByteOrderMarkIsSkipped() throws {
    let file = try RunFile.parse(Data([0xEF, 0xBB, 0xBF]) + Data(ConfigTests.issueExample.utf8), path: "bom.json")
    #expect(file.runs.count == 1)
  }
}

/// What `dnn bench` trains of a configuration (`RunConfig.benchmarked`).
@Suite struct BenchmarkedRunTests {
  /// best-accuracy.json rotates, scales and shifts its digits and holds out validation digits;
  /// its benchmark does none of that (the warp was left on once: 11% of its epoch, and not what
  /// the peers it is compared with do), and keeps the model, optimizer and weight average.
  @Test func aBenchmarkTrainsWithoutAugmentationOrValidation() throws {
    let run = try RunFile.load(path: "\(Fixtures.bundledMNIST)/../configs/best-accuracy.json").runs[0]
    #expect(run.augmentShift > 0 && !run.augmentWarp.isIdentity && run.validationFraction > 0)
    let bench = run.benchmarked(epochs: 3)
    #expect(bench.epochs == 3 && bench.validationFraction == 0 && bench.trainSamples == nil)
    #expect(bench.augmentShift == 0 && bench.augmentWarp.isIdentity)
    #expect(bench.layers == run.layers && bench.optimizer == run.optimizer && bench.averageDecay == run.averageDecay)
  }
}
