import Foundation
import TestSupport
import Testing

@testable import DNN
@testable import Interop

/// Every shipped configuration, trained briefly, exported as ONNX and opened by the real tools:
/// onnx's full checker passes and onnxruntime's class probabilities on the 1,000 bundled test
/// digits match diy-dnn's within 1e-4, with the same accuracy. Python with onnx and
/// onnxruntime comes from the project's virtual environment (`.venv`, made by
/// scripts/install-deps.sh).
@Suite(.serialized) struct OnnxExportTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  static var python: String { root.appendingPathComponent(".venv/bin/python").path }

  static var shippedRuns: [RunConfig] {
    let folder = root.appendingPathComponent("assets/configs").path
    let files = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { $0.hasSuffix(".json") }.sorted() ?? []
    // Every architecture of every shipped file (the seed scan repeats the experiment's).
    var seen = Set<String>()
    return files.flatMap { (try? RunFile.load(path: "\(folder)/\($0)").runs) ?? [] }.filter { seen.insert("\($0.layers)").inserted }
  }

  /// Trains `config` for one short epoch on the bundled digits; the model.
  static func trainBriefly(_ config: RunConfig) throws -> Sequential {
    var config = config
    config.epochs = 1
    config.trainSamples = 256
    config.batchSize = min(config.batchSize, 64)
    let folder = try MNISTFolder(path: root.appendingPathComponent("assets/mnist").path)
    let plan = RunPlan(config: config, data: DataSplit(folder: folder, config: config), splitBatch: false)
    let trainer = try Trainer(plan: plan, events: EventChannel(capacity: 1 << 16), commands: CommandMailbox())
    trainer.run()
    return trainer.model
  }

  @Test func everyShippedModelRunsInOnnxruntimeAsItDoesHere() throws {
    try #require(FileManager.default.isExecutableFile(atPath: Self.python), "no .venv/bin/python: run scripts/install-deps.sh (it installs onnx and onnxruntime there)")
    let runs = Self.shippedRuns
    #expect(runs.count >= 5, "\(runs.map(\.name))")
    let test = try MNISTFolder(path: Self.root.appendingPathComponent("assets/mnist").path).test!
    let pixels = Tensor(rows: test.count, columns: 784)
    for i in 0..<test.count { for (j, byte) in test.image(i).enumerated() { pixels[i * 784 + j] = Float(byte) / 255 } }
    let work = TemporaryFolders.make("dnn-onnx")
    try Data(buffer: UnsafeBufferPointer(start: pixels.pointer, count: pixels.count)).write(to: URL(fileURLWithPath: "\(work)/pixels.f32"))
    try Data(test.labels).write(to: URL(fileURLWithPath: "\(work)/labels.u8"))
    for config in runs {
      let model = try Self.trainBriefly(config)
      let probabilities = model.predict(pixels)
      try Data(buffer: UnsafeBufferPointer(start: probabilities.pointer, count: probabilities.count))
        .write(to: URL(fileURLWithPath: "\(work)/expected.f32"))
      let path = "\(work)/\(config.name).onnx"
      try OnnxExport.data(model, config: config).write(to: URL(fileURLWithPath: path))
      let checked = try Self.run([Self.python, Self.root.appendingPathComponent("Tests/InteropTests/onnx_check.py").path,
                                  path, "\(work)/pixels.f32", "\(work)/expected.f32", "\(work)/labels.u8"])
      #expect(checked.status == 0, "\(config.name): \(checked.errors)")
      guard checked.status == 0, let result = try JSONSerialization.jsonObject(with: Data(checked.output.utf8)) as? [String: Any] else { continue }
      let difference = result["max_abs_diff"] as? Double ?? 1
      #expect(difference < 1e-4, "\(config.name): probabilities differ by \(difference)")
      #expect(result["accuracy_onnxruntime"] as? Double == result["accuracy_diy_dnn"] as? Double, "\(config.name): \(result)")
      #expect((result["opset"] as? Int ?? 0) >= 17)
      #expect((result["input"] as? [Any])?.first as? String == "batch", "the batch is not dynamic: \(result)")
      let metadata = result["metadata"] as? [String: String] ?? [:]
      #expect(metadata["run"] == config.name && metadata["configuration"] == config.jsonValue.text)
    }
  }

  static func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let output = out.fileHandleForReading.readDataToEndOfFile(), errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
  }
}
