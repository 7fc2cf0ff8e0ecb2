import CZlib
import Foundation
import TestSupport

@testable import DNN

/// Test data: the bundled digits, and small IDX files written on the fly.
enum Fixtures {
  /// The repository's `assets/mnist` folder.
  static let bundledMNIST = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("assets/mnist").path

  /// The bundled digits, read once. Also pins the test process to one OpenBLAS thread (see
  /// `pinThreads`).
  static let mnist: MNISTFolder = {
    pinThreads
    return try! MNISTFolder(path: bundledMNIST)
  }()

  /// Tests run many trainers at once in one process, and OpenBLAS's thread count is
  /// process-wide with results that depend on it: a trainer sets it for its run (1 when it
  /// splits batches, else the requested count). Asking for one thread keeps every trainer here
  /// on the same setting, so bit-for-bit comparisons hold. The split path is tested with
  /// `splitBatch: true`, and by the command-line tests in processes of their own.
  static let pinThreads: Void = BLASRuntime.setThreads(1)

  /// Trains `config` on the bundled digits to its end, with the batch split or not and the plan
  /// as `adjust` leaves it: the trainer and every event it sent.
  static func train(
    _ config: RunConfig, split: Bool, _ adjust: (inout RunPlan) -> Void = { _ in }
  ) -> (trainer: Trainer, events: [TrainingEvent]) {
    let events = EventChannel(capacity: 1 << 20)
    var plan = RunPlan(config: config, data: DataSplit(folder: mnist, config: config), splitBatch: split)
    adjust(&plan)
    let trainer = try! Trainer(plan: plan, events: events, commands: CommandMailbox())
    trainer.run()
    return (trainer, events.drain())
  }

  /// A new empty temporary folder.
  static func temporaryFolder() -> String {
    TemporaryFolders.make("dnn-tests")
  }

  /// IDX bytes: magic, dimensions, then `body`.
  static func idx(magic: UInt32, dimensions: [Int], body: [UInt8]) -> [UInt8] {
    func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }
    return be(magic) + dimensions.flatMap { be(UInt32($0)) } + body
  }

  static func imagesFile(count: Int, side: Int = 28, seed: UInt8 = 0) -> [UInt8] {
    idx(magic: 0x803, dimensions: [count, side, side], body: (0..<count * side * side).map { UInt8(truncatingIfNeeded: $0 &+ Int(seed)) })
  }

  static func labelsFile(_ labels: [UInt8]) -> [UInt8] { idx(magic: 0x801, dimensions: [labels.count], body: labels) }

  /// Writes `bytes` to `path`, gzipped when the name ends in `.gz`.
  static func write(_ bytes: [UInt8], to path: String) {
    if path.hasSuffix(".gz") {
      let file = gzopen(path, "wb")!
      bytes.withUnsafeBytes { _ = gzwrite(file, $0.baseAddress, UInt32($0.count)) }
      gzclose(file)
    } else {
      _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }
  }

  /// A folder with a complete, valid small data set (`count` training images, 10 test images).
  static func smallFolder(count: Int = 20, gzip: Bool = true) -> String {
    let folder = temporaryFolder()
    let ext = gzip ? ".gz" : ""
    write(imagesFile(count: count), to: "\(folder)/train-images-idx3-ubyte\(ext)")
    write(labelsFile((0..<count).map { UInt8($0 % 10) }), to: "\(folder)/train-labels-idx1-ubyte\(ext)")
    write(imagesFile(count: 10), to: "\(folder)/t10k-images-idx3-ubyte\(ext)")
    write(labelsFile((0..<10).map { UInt8($0) }), to: "\(folder)/t10k-labels-idx1-ubyte\(ext)")
    return folder
  }
}
