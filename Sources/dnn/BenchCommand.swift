import ArgumentParser
import DNN
import Foundation

/// `dnn bench`: the reference MLP through the normal training path, timed.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Time the reference MLP (784-256-128-10, batch 128, SGD momentum 0.9, lr 0.05), or a configuration's model, through the normal training path.",
    discussion: "Uses /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist), or synthetic data of the same shape when absent. Prints seconds per epoch (median of the epochs after the first), samples per second, effective GFLOPS, peak RSS and the GEMM backend; --json prints them as one JSON line.")

  @Option(help: "MNIST-format folder.") var dataDir = "/usr/share/datasets/fashion-mnist"
  @Option(help: "Time the model of this configuration file instead of the reference MLP (augmentation and validation off).")
  var config: String?
  @Option(name: .customLong("run"), help: "With --config: the run to time (default: the first).") var runName: String?
  @Option(help: "Epochs to time (the first is a warm-up).") var epochs = 4
  @Option(help: "OpenBLAS threads (default: all cores).") var threads: Int?
  @Option(help: "With the batch split (2 threads or more): the helper thread runs the second half always, never, or when measured faster (auto).")
  var helper = HelperUse.auto
  @Flag(help: "Train as the dashboard does (layer health measured a few times a second, a model copy per epoch, the epoch's start kept for anomalies), to time what watching costs.")
  var watched = false
  @Flag(help: "Also time each layer's forward and backward passes (a clock read around each layer call) and print where the training time went.")
  var profile = false
  @Flag(help: "Print one JSON line.") var json = false
  @Flag(help: "Count heap allocations per training step (run through benchmarks/alloc_check.sh).") var countAllocations = false

  func validate() throws {
    if let problem = RunConfig.outOfRange("--epochs", epochs, RunConfig.epochRange) { throw ValidationError(problem) }
    if let threads, let problem = RunConfig.outOfRange("--threads", threads, 1...1024) { throw ValidationError(problem) }
  }

  func run() throws { try reportingErrors(benchmark) }

  private func benchmark() throws {
    if let threads { BLASRuntime.setThreads(threads) }
    let (folder, dataset) = try Self.data(dataDir)
    let config = try benchmarkedRun().benchmarked(epochs: epochs)
    if countAllocations { return try Self.countAllocations(config: config, folder: folder, helper: helper) }
    let (summary, backend, helperShare) = try Self.train(config, on: folder, watched: watched, helper: helper, profile: profile)
    report(summary, config: config, backend: backend, helperShare: helperShare, dataset: dataset, samples: Double(folder.train.count))
    if profile, !json, let times = summary.layerTimes { Self.printProfile(times, trainingSeconds: summary.secondsPerEpoch.reduce(0, +)) }
  }

  /// The run of `--config` (`--run` or the first), or the reference MLP.
  private func benchmarkedRun() throws -> RunConfig {
    if let config {
      let file = try RunFile.load(path: config)
      return try runName.map { try file.run(named: $0) } ?? file.runs[0]
    }
    var reference = RunConfig(
      name: "bench-mlp",
      layers: [.dense(units: 256, initializer: .he), .relu, .dense(units: 128, initializer: .he), .relu,
               .dense(units: 10, initializer: .he), .softmax],
      optimizer: .sgd(learningRate: 0.05, momentum: 0.9, nesterov: false, weightDecay: 0))
    reference.clip = .global(maxNorm: 5)
    return reference
  }

  /// The data folder, or synthetic data of the same shape when it does not exist.
  static func data(_ dataDir: String) throws -> (folder: MNISTFolder, name: String) {
    if FileManager.default.fileExists(atPath: dataDir) { return (try MNISTFolder(path: dataDir), dataDir) }
    return (try synthetic(), "synthetic (\(dataDir) not found)")
  }

  /// Trains `config` on a session, as `dnn train` does, without saving; the summary and backend.
  static func train(
    _ config: RunConfig, on folder: MNISTFolder, watched: Bool = false, helper: HelperUse = .auto, profile: Bool = false
  ) throws -> (RunSummary, String, Double?) {
    let events = EventChannel(capacity: 1 << 20)
    let session = TrainingSession(events: events)
    session.start { events, commands in
      try Trainer.make(config, on: folder, start: .new(out: nil), events: events, commands: commands) { plan in
        if watched { plan = plan.watched() }
        plan.helperUse = helper
        // A watched run times its layers already (the dashboard's layers view shows them).
        plan.timesLayers = plan.timesLayers || profile
      }
    }
    session.wait()
    var summary: RunSummary?
    var backend = BLASRuntime.summary
    var helperShare: Double?
    for event in events.drain() {
      switch event {
      case .started(let s): backend = s.backend
      case .epoch(let report): helperShare = report.helperShare
      case .finished(let s): summary = s
      case .failed(let message), .diverged(_, _, let message): throw ConfigError(message)
      default: break
      }
    }
    guard let summary else { throw ConfigError("the benchmark run did not finish") }
    return (summary, backend, helperShare)
  }

  /// Prints the figures: seconds per epoch (median after the first), throughput, GFLOPS, RSS.
  private func report(
    _ summary: RunSummary, config: RunConfig, backend: String, helperShare: Double?, dataset: String, samples: Double
  ) {
    let timed = summary.secondsPerEpoch.count > 1 ? Array(summary.secondsPerEpoch.dropFirst()) : summary.secondsPerEpoch
    let median = timed.sorted()[timed.count / 2]
    let gflops = config.trainingFlopsPerSample * samples / median / 1e9
    let rss = BenchCommand.peakResidentMegabytes()
    if json {
      print(JSONValue.object([
        "impl": .string(watched ? "diy-dnn watched" : "diy-dnn"), "run": .string(config.name), "secondsPerEpoch": .array(summary.secondsPerEpoch.map { .number($0) }),
        "medianSecondsPerEpoch": .number(median), "samplesPerSecond": .number(samples / median),
        "gflops": .number(gflops), "peakRSSMegabytes": .number(rss), "backend": .string(backend),
        "testAccuracy": .number(Double(summary.test?.accuracy ?? .nan)), "dataset": .string(dataset),
        "helperShare": helperShare.map { .number($0) } ?? .null,
        "layerSeconds": (profile ? summary.layerTimes : nil).map { times in
          .array(times.layers.indices.map { i in
            .object(["layer": .string(times.layers[i]), "forward": .number(times.forwardSeconds[i]), "backward": .number(times.backwardSeconds[i])])
          })
        } ?? .null,
      ]).text)
      return
    }
    print("model              \(config.name): \(config.layers.map(\.configName).joined(separator: " ")), batch \(config.batchSize)")
    print("dataset            \(dataset), \(Int(samples)) training samples")
    print("backend            \(backend)")
    if let helperShare { print("helper thread      in \(percent(Float(helperShare))) of the split steps (--helper \(helper.rawValue))") }
    print("seconds per epoch  \(String(format: "%.3f", median)) (median of \(timed.count); all: \(summary.secondsPerEpoch.map { String(format: "%.3f", $0) }.joined(separator: " ")))")
    print("samples per second \(Int(samples / median))")
    print("effective GFLOPS   \(String(format: "%.1f", gflops))")
    print("peak RSS           \(String(format: "%.1f", rss)) MB")
    if let test = summary.test { print("test accuracy      \(percent(test.accuracy))") }
  }

  /// Where the training time went, layer by layer (`--profile`): seconds in each pass over
  /// all epochs and each layer's share of the layers' time.
  static func printProfile(_ times: LayerTimes, trainingSeconds: Double) {
    let total = max(times.totalSeconds, 1e-12)
    let width = min(times.layers.map(\.count).max() ?? 10, 44)
    print("")
    print("time in each layer (seconds over all epochs; the loss is the last layer's; with the batch split, both halves added)")
    print("  #  " + "layer".padding(toLength: width, withPad: " ", startingAt: 0) + "  forward  backward   share")
    for i in times.layers.indices {
      let name = String(times.layers[i].prefix(width)).padding(toLength: width, withPad: " ", startingAt: 0)
      let share = (times.forwardSeconds[i] + times.backwardSeconds[i]) / total
      print(String(format: "%3d  %@ %8.3f  %8.3f  %5.1f%%", i, name, times.forwardSeconds[i], times.backwardSeconds[i], share * 100))
    }
    // The rest of a step: batches, the halves' meetings and combine, clipping, the optimizer.
    print(String(format: "layers in all: %.3f s of %.3f s training (wall clock; layer times are thread time)", times.totalSeconds, trainingSeconds))
  }

  /// Steps the trainer directly and reads the LD_PRELOADed malloc counter around 200 steps. A
  /// split step's buffers reach the batch's size the first time its halves run as one pass,
  /// which `auto` may choose only later (`HelperChoice`): `--helper never` and `always` count the
  /// steady state of each way.
  static func countAllocations(config: RunConfig, folder: MNISTFolder, helper: HelperUse) throws {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "dnn_malloc_count") else {
      throw ConfigError("the malloc counter is not loaded: run benchmarks/alloc_check.sh")
    }
    typealias Counter = @convention(c) () -> Int
    let count = unsafeBitCast(symbol, to: Counter.self)
    let trainer = try Trainer.make(config, on: folder, start: .new(out: nil), events: EventChannel(), commands: CommandMailbox()) {
      $0.helperUse = helper
    }
    trainer.prepareEpoch(0)
    for batch in 0..<5 { _ = trainer.step(batch: batch, learningRate: 0.05) }  // buffers reach their size
    let steps = 200
    let before = count()
    for batch in 5..<(5 + steps) { _ = trainer.step(batch: batch, learningRate: 0.05) }
    let allocations = count() - before
    print("heap allocations in \(steps) training steps: \(allocations) (\(Double(allocations) / Double(steps)) per step)")
  }

  static func peakResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
  }

  /// 60,000 random images and labels, for machines without Fashion-MNIST.
  static func synthetic() throws -> MNISTFolder {
    let folder = NSTemporaryDirectory() + "dnn-bench-synthetic"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var generator = SplitMix64(seed: 0)
    func write(_ name: String, magic: UInt32, dims: [Int], count: Int, modulo: UInt64) {
      var bytes: [UInt8] = []
      for v in [magic] + dims.map(UInt32.init) { bytes += [UInt8(v >> 24), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }
      bytes += (0..<count).map { _ in UInt8(generator.next() % modulo) }
      _ = FileManager.default.createFile(atPath: "\(folder)/\(name)", contents: Data(bytes))
    }
    write("train-images-idx3-ubyte", magic: 0x803, dims: [60000, 28, 28], count: 60000 * 784, modulo: 256)
    write("train-labels-idx1-ubyte", magic: 0x801, dims: [60000], count: 60000, modulo: 10)
    return try MNISTFolder(path: folder)
  }
}
extension HelperUse: ExpressibleByArgument {}
