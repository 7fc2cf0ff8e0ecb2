import Foundation
import Testing

@testable import DNN

/// The self-describing activations: each backward pass against finite differences, each
/// function against its formula written out (PyTorch's definitions), and each trained from a
/// configuration that names it.
@Suite struct ActivationTests {
  static let names = ["gelu", "tanh", "sigmoid"]

  @Test(arguments: names)
  func backwardMatchesFiniteDifferences(_ name: String) throws {
    let activation = try #require(Activation(configName: name))
    let layer = activation.makeLayer(features: 6)
    // Values of both signs, some large (saturation), none at 0.
    let input = GradientCheck.randomTensor(rows: 5, columns: 6, seed: 3)
    for i in 0..<input.count { input[i] *= 3 }
    let result = GradientCheck.check(layer, input: input)
    #expect(result.maxError < 2e-3, "\(name): \(result)")
  }

  @Test func valuesMatchTheirFormulas() throws {
    let zs: [Float] = [-30, -3, -0.5, 0, 0.5, 3, 30]
    for z in zs {
      let phi = 0.5 * (1 + erf(Double(z) / 2.0.squareRoot()))
      #expect(abs(Double(GELU.value(z)) - Double(z) * phi) < 1e-5 * max(1, abs(Double(z))), "GELU(\(z))")
      #expect(abs(Double(Tanh.value(z)) - tanh(Double(z))) < 1e-6, "tanh(\(z))")
      #expect(abs(Double(Sigmoid.value(z)) - 1 / (1 + exp(-Double(z)))) < 1e-6, "sigmoid(\(z))")
      #expect(Sigmoid.value(z).isFinite && GELU.value(z).isFinite)
    }
    // PyTorch: torch.nn.GELU()(torch.tensor(1.0)) = 0.8413447, nn.Sigmoid(-1) = 0.2689414.
    #expect(abs(GELU.value(1) - 0.8413447) < 1e-6 && abs(Sigmoid.value(-1) - 0.2689414) < 1e-6)
  }

  @Test(arguments: names)
  func aConfigurationNamesItAndItTrains(_ name: String) throws {
    let json = """
      {"runs": [{"name": "\(name)-net", "epochs": 2, "batchSize": 32, "validationFraction": 0.05, "seed": 1,
        "optimizer": {"type": "adam", "learningRate": 0.002},
        "layers": [{"type": "dense", "units": 64}, {"type": "\(name.uppercased())"}, {"type": "dense", "units": 10}, {"type": "softmax"}]}]}
      """
    let config = try #require(try RunFile.parse(Data(json.utf8), path: "test").runs.first)
    #expect(config.layers[1].configName == name && config.layers[1] == .activation(Activation(configName: name)!))
    // The configuration writes the name back, and reads back the same.
    let again = try RunConfig.parse(json: JSONValue.parse(Data(config.jsonValue.text.utf8)), path: "again")
    #expect(again.layers == config.layers)
    let model = ModelBuilder.build(config.layers, seed: 1)
    #expect(model.layers[1].summary.lowercased() == name && model.oneLine.contains(name))
    let plan = try RunPlan(config: config, folder: Fixtures.mnist)
    let trainer = try Trainer(plan: plan, events: EventChannel(capacity: 1 << 20), commands: CommandMailbox())
    trainer.run()
    let record = trainer.record
    #expect(record.status == .finished && record.epochsDone == 2)
    #expect((record.best?.validationAccuracy ?? 0) > 0.6, "\(name): \(String(describing: record.best))")
  }
}
