import CCPU
import Dispatch
import Foundation

/// Runs the training loop of one run: forward, loss, backward, clip, step, with reports out
/// through `events` and commands in through `commands`. Not thread-safe: create and run it on
/// one thread (`TrainingSession` does that on a Dispatch queue).
public final class Trainer {
  public let config: RunConfig
  public let model: Sequential
  public let optimizer: Optimizer
  public let data: DataSplit
  public let events: EventChannel
  public let commands: CommandMailbox
  /// The run as described before it started.
  public let plan: RunPlan
  /// The moving average of the weights, when the configuration asks for one.
  public let average: WeightAverage?

  private let loader: BatchLoader
  /// Splits each batch across two cores (nil: one thread drives OpenBLAS's threads).
  let parallelStep: DataParallelStep?
  /// The images activation logs run on, made once (at the first epoch's end), for observers.
  private lazy var probe: Tensor? = (data.validation.count > 0 ? data.validation : data.train).probe
  /// Threads asked for when the trainer was made (`BLASRuntime.requestedThreads`).
  private let blasThreads: Int
  private let shuffleRoot: SplitMix64
  private var state = TrainerState.running
  private var stopRequested = false
  private var saveRequested = false
  private var learningRateFactor: Float = 1
  private var norms: [Float] = []
  private(set) public var position = TrainingPosition(epoch: 0, batch: 0, step: 0)
  /// How the run stands (`RunRecord`): sent with every epoch and at the end, persisted by the
  /// observer.
  private(set) public var record: RunRecord
  /// Nanoseconds spent in the observer (persisting the run).
  private var savingNanoseconds: UInt64 = 0
  /// Run totals for the summary: seconds of each epoch, smoothed samples per second, the last
  /// epoch's metrics.
  private var secondsPerEpoch: [Double] = []
  private var throughput: Double = 0
  private var lastTrain = Metrics(loss: .nan, accuracy: .nan)
  private var lastValidation = Metrics(loss: .nan, accuracy: .nan)
  /// The state at the start of the current epoch, when the plan pauses on anomalies.
  private var lastGood: Safetensors?
  /// The training totals of the epoch under way.
  private var tally = EpochTally()
  /// Measures steps for the layer-health report, when the plan asks for it.
  private let healthProbe: HealthProbe?

  /// A trainer for `plan`: a model built from the config's seed, then, when the plan resumes a
  /// saved state, that state's weights, optimizer state and position.
  ///
  /// `plan.splitBatch`: run each batch as two halves on two cores (`DataParallelStep`); nil
  /// decides by itself: yes when OpenBLAS may use 2 or more threads, every layer can be
  /// replicated and the environment does not say `DNN_SPLIT_BATCH=0`.
  public init(plan: RunPlan, events: EventChannel, commands: CommandMailbox) throws {
    self.plan = plan
    config = plan.config
    data = plan.data
    self.events = events
    self.commands = commands
    model = ModelBuilder.build(config.layers, seed: config.seed)
    model.labelSmoothing = config.labelSmoothing
    optimizer = config.optimizer.make()
    try plan.start?.apply(to: model, optimizer: optimizer)
    position = plan.start?.position ?? position
    average = try Trainer.average(of: model, config: config, saved: plan.start)
    learningRateFactor = Trainer.clampedFactor(plan.learningRateFactor ?? plan.start?.learningRateFactor ?? 1)
    record = RunRecord(status: .running, epochs: plan.observer?.history ?? [], epochsPlanned: plan.config.epochs, bestSmoothing: plan.config.bestSmoothing)
    record.epochsDone = max(record.epochsDone, position.epoch)
    record.learningRateFactor = learningRateFactor
    shuffleRoot = SplitMix64(seed: config.seed).derived("shuffle")
    loader = BatchLoader(view: data.train, batchSize: config.batchSize, generator: shuffleRoot)
    (loader.maxShift, loader.warp) = (config.augmentShift, config.augmentWarp)
    try plan.start?.checkPosition(batchesPerEpoch: loader.batchesPerEpoch, batchSize: config.batchSize)
    tally = plan.start?.epochSoFar ?? tally
    norms.reserveCapacity(model.parameters.count)
    blasThreads = plan.blasThreads ?? BLASRuntime.requestedThreads
    if plan.timesLayers { model.layerClock = LayerClock(layers: model.layers.count) }
    let split = plan.splitBatch ?? (blasThreads >= 2 && ProcessInfo.processInfo.environment["DNN_SPLIT_BATCH"] != "0")
    parallelStep = split ? DataParallelStep(model: model, loader: loader, helperUse: plan.helperUse) : nil
    let built = model
    healthProbe = plan.healthInterval.map { HealthProbe(model: built, intervalSeconds: $0) }
  }

  /// Calls the observer, if any, timing it.
  private func observe<T>(_ call: (TrainingObserver) throws -> T) rethrows -> T? {
    guard let observer = plan.observer else { return nil }
    let start = DispatchTime.now().uptimeNanoseconds
    defer { savingNanoseconds += DispatchTime.now().uptimeNanoseconds - start }
    return try call(observer)
  }

  /// What observers receive now.
  private var progress: TrainingProgress {
    TrainingProgress(
      model: model, optimizer: optimizer, position: position, learningRateFactor: learningRateFactor, record: record, average: average,
      epochSoFar: tally)
  }

  /// The learning rate at `progress` epochs, including the user's +/- factor.
  public func learningRate(at progress: Double) -> Float {
    config.scheduledRate(at: progress) * learningRateFactor
  }

  /// Trains to the configured number of epochs, or until stopped or diverged. Emits
  /// `.finished`, `.diverged` or `.failed` last.
  public func run() {
    dnn_flush_denormals()
    // Split batches: each half runs one-thread products; else OpenBLAS splits each product.
    BLASRuntime.useThreads(parallelStep == nil ? blasThreads : 1)
    defer { BLASRuntime.useThreads(blasThreads) }
    do {
      try train()
    } catch {
      try? end(.failed, reason: "\(error)")
      events.send(.failed(message: "\(error)"))
    }
  }

  private func train() throws {
    let start = position
    events.send(.started(RunStarted(
      config: config, model: model, dataset: plan.datasetName, data: data, startEpoch: start.epoch,
      batchesPerEpoch: loader.batchesPerEpoch, learningRate: learningRate(at: Double(start.epoch)), backend: backendSummary)))
    if let weights = WeightSnapshot.firstLayer(of: model, epoch: start.epoch) { events.send(.weights(weights)) }
    // A run that starts from trained weights (a fork, a resume) shows what they predict at once,
    // not after its next epoch. Only for a front end that asks for the model.
    if plan.sendsModel && start.step > 0 {
      events.send(predictions: Evaluator.evaluate(model, on: data.validation, collectPredictions: true).1, epoch: start.epoch)
    }
    // Starting paused sends the model with the pause (once).
    if plan.startsPaused {
      setState(.paused)
    } else {
      sendModel()
      events.send(.state(.running))
    }
    if let origin = plan.forkedFrom {
      try intervene(.forkedFrom, detail: "\(origin.parent) at step \(origin.step)")
    }
    var epoch = start.epoch, firstBatch = start.batch
    keepLastGood()
    epochs: while epoch < config.epochs {
      switch try trainBatches(of: epoch, from: firstBatch) {
      case .completed(let tally):
        try endEpoch(epoch, tally)
        keepLastGood()
        epoch += 1
        firstBatch = 0
      case .rewound:
        (epoch, firstBatch) = (position.epoch, position.batch)
      case .stopped: break epochs
      case .diverged: return
      }
    }
    try finish()
  }

  /// Trains the batches of `epoch` from `firstBatch` on, reporting and logging each step.
  private func trainBatches(of epoch: Int, from firstBatch: Int) throws -> EpochEnd {
    startEpoch(epoch, from: firstBatch)
    let batches = loader.batchesPerEpoch
    // A run resumed inside an epoch goes on from the tally it saved.
    if firstBatch == 0 { tally = EpochTally() }
    for batch in firstBatch..<batches {
      if try obeyCommands() { return .stopped }
      let begin = DispatchTime.now().uptimeNanoseconds
      let rate = learningRate(at: Double(epoch) + Double(batch + 1) / Double(batches))
      healthProbe?.beforeStep()
      let (loss, output, globalNorm) = step(batch: batch, learningRate: rate)
      let health = healthProbe?.afterStep(step: position.step + 1, applied: loss.isFinite && globalNorm.isFinite, layerTimes: layerTimes)
      guard loss.isFinite && globalNorm.isFinite else {
        let what = loss.isFinite ? "gradient norm is \(globalNorm)" : "loss is \(loss)"
        if plan.pausesOnAnomaly, try rewind(step: position.step + 1, what: what) { return .rewound }
        let message = "training diverged at step \(position.step + 1) (epoch \(epoch + 1), batch \(batch + 1)): \(what); the step was not applied. Lower the learning rate or enable clipping."
        try end(.diverged, reason: message)
        events.send(.diverged(step: position.step + 1, epoch: epoch, message: message))
        return .diverged
      }
      let elapsed = DispatchTime.now().uptimeNanoseconds - begin
      let batchCorrect = Classification.correctCount(output, labels: loader.labels)
      let count = loader.labels.count
      tally.nanoseconds += elapsed
      tally.lossSum += Double(loss) * Double(count)
      tally.correct += batchCorrect
      tally.seen += count
      let instant = Double(count) / max(Double(elapsed) * 1e-9, 1e-9)
      throughput = throughput == 0 ? instant : 0.9 * throughput + 0.1 * instant
      position = TrainingPosition(epoch: epoch, batch: batch + 1, step: position.step + 1)
      let report = BatchReport(
        step: position.step, epoch: epoch, batch: batch, batchesPerEpoch: batches, loss: loss,
        accuracy: Float(batchCorrect) / Float(count), gradientNorms: norms, globalNorm: globalNorm,
        learningRate: rate, samplesPerSecond: throughput)
      events.send(.batch(report))
      if let health { events.send(.health(health)) }
      try observe { try $0.didFinish(report) }
    }
    return .completed(tally)
  }

  /// Copies the state (model, optimizer, position) to go back to after an anomaly.
  private func keepLastGood() {
    guard plan.pausesOnAnomaly else { return }
    lastGood = Checkpoint.stateFile(
      model, optimizer: optimizer, config: config, position: position, learningRateFactor: learningRateFactor, average: average,
      epochSoFar: tally)
  }

  /// After a NaN or infinite step: puts back the state of the epoch's start, journals it, says
  /// so and pauses. False when there is no such state (then the run ends as diverged).
  private func rewind(step: Int, what: String) throws -> Bool {
    guard let lastGood, let state = try? SavedState(file: lastGood, path: "the state of epoch \(position.epoch + 1)'s start") else { return false }
    try state.apply(to: model, optimizer: optimizer)
    if let average { try state.restore(average) }
    position = state.position
    tally = state.epochSoFar ?? EpochTally()
    let message = "step \(step): \(what); back to the start of epoch \(position.epoch + 1) (step \(position.step)) and paused: lower the learning rate, then resume."
    events.send(.anomaly(step: step, restoredTo: position, message: message))
    try observe { try $0.didRewind(to: position) }
    try intervene(.rewind, detail: "\(what) at step \(step)")
    setState(.paused)
    return true
  }

  /// After the last batch of `epoch`: validation, the epoch's report and predictions, the log.
  private func endEpoch(_ epoch: Int, _ tally: EpochTally) throws {
    position = TrainingPosition(epoch: epoch + 1, batch: 0, step: position.step)
    let seconds = Double(tally.nanoseconds) * 1e-9
    secondsPerEpoch.append(seconds)
    let (validation, predictions) = Evaluator.evaluate(model, on: data.validation, collectPredictions: true)
    lastTrain = tally.metrics
    lastValidation = validation
    var report = EpochReport(
      epoch: epoch + 1, trainLoss: lastTrain.loss, trainAccuracy: lastTrain.accuracy,
      validationLoss: validation.loss, validationAccuracy: validation.accuracy,
      learningRate: learningRate(at: Double(epoch + 1)), seconds: seconds, helperShare: helperShare)
    report.average = average.map { Evaluator.evaluate($0.model, on: data.validation) }
    record.add(report)
    events.send(.epoch(report))
    events.send(.record(record))
    events.send(predictions: predictions, epoch: epoch + 1)
    if let weights = WeightSnapshot.firstLayer(of: model, epoch: epoch + 1) { events.send(.weights(weights)) }
    var measured = progress
    measured.distributions = EpochDistributions(epoch: epoch + 1, model: model, probe: probe)
    if plan.sendsModel, let distributions = measured.distributions?.value { events.send(.distributions(distributions)) }
    sendModel()
    try observe { try $0.didFinish(report, measured) }
    if state == .stepping && epoch + 1 < config.epochs { setState(.paused) }
  }

  /// The end of the run (all epochs done, or stopped): save, test, summary.
  private func finish() throws {
    if let path = try observe({ try $0.save(progress) }) ?? nil {
      events.send(.checkpointSaved(path: path, epoch: position.epoch))
    }
    let test = data.test.map { Evaluator.test(model, on: $0, config: config).metrics }
    record.testOfFinalModel = test
    record.testOfBestCheckpoint = try testOfBestCheckpoint()
    record.testOfAverage = average.flatMap { a in data.test.map { Evaluator.test(a.model, on: $0, config: config).metrics } }
    record.testViews = config.recordedTestViews
    try end(position.epoch >= config.epochs ? .finished : .stopped)
    events.send(.finished(RunSummary(
      runName: config.name, epochs: position.epoch, train: lastTrain, validation: lastValidation, test: test,
      secondsPerEpoch: secondsPerEpoch, samplesPerSecond: throughput, stopped: record.status == .stopped,
      savingSeconds: Double(savingNanoseconds) * 1e-9, logSeconds: plan.observer?.secondsWritingLogs ?? 0,
      record: record, layerTimes: layerTimes)))
  }

  /// Records how the run ended: in the record, with the observer (`run.json`), to the front end.
  private func end(_ status: RunStatus, reason: String? = nil) throws {
    (record.status, record.reason) = (status, reason)
    try observe { try $0.didEnd(record) }
    events.send(.record(record))
  }

  /// One optimisation step on batch `batch` of the current epoch: load, forward, loss,
  /// backward, gradient norms, clip, update. Nothing is updated when the loss or a gradient is
  /// not finite. Allocates nothing once buffers have reached their size (see README, Performance).
  public func step(batch: Int, learningRate rate: Float) -> (loss: Float, output: Tensor, globalNorm: Float) {
    if let parallelStep {
      BLASRuntime.useThreads(1)  // when driven without run() (benchmarks)
      let result = parallelStep.step(batch: batch, learningRate: rate, clip: config.clip, optimizer: optimizer, norms: &norms)
      if result.loss.isFinite && result.globalNorm.isFinite { average?.update() }
      return result
    }
    loader.load(batch: batch)
    model.zeroGradients()
    let (loss, output) = model.lossAndGradients(loader.images, labels: loader.labels)
    loader.prefetch(batch: batch + 1, rows: 0..<loader.batchSize)
    GradientClipping.norms(of: model.parameters, into: &norms)
    let globalNorm = GradientClipping.globalNorm(norms)
    guard loss.isFinite && globalNorm.isFinite else { return (loss, output, globalNorm) }
    config.clip.apply(to: model.parameters, norms: norms)
    optimizer.learningRate = rate
    optimizer.step(model.parameters)
    average?.update()
    return (loss, output, globalNorm)
  }

  /// Starts epoch `epoch` outside `run()` (for benchmarks that drive `step` themselves).
  public func prepareEpoch(_ epoch: Int) { startEpoch(epoch) }

  /// Prepares the loader and stochastic layers for `epoch` from batch `firstBatch` on: an epoch's
  /// order and draws (augmentation, Dropout's masks) depend only on the seed and the epoch, and
  /// a run resumed (rewound, forked) inside it skips the draws of the batches before it.
  private func startEpoch(_ epoch: Int, from firstBatch: Int = 0) {
    loader.reseed(shuffleRoot.derived("epoch \(epoch)"))
    loader.startEpoch()
    loader.skipDraws(batches: firstBatch)
    for (index, layer) in model.layers.enumerated() {
      guard let dropout = layer as? Dropout else { continue }
      dropout.reseed(SplitMix64(seed: config.seed).derived("dropout \(index) epoch \(epoch)"))
      dropout.skipDraws(rows: firstBatch * loader.batchSize)
    }
  }

  /// Applies pending commands; sleeps while paused. Returns true when the run should stop.
  private func obeyCommands() throws -> Bool {
    while true {
      for command in commands.drain() {
        switch command {
        case .pause: if setState(.paused) { try intervene(.pause) }
        case .resume: if setState(.running) { try intervene(.resume) }
        case .stepEpoch: if setState(.stepping) { try intervene(.step) }
        case .stop: stopRequested = true
        case .scaleLearningRate(let factor): try scaleLearningRate(by: factor)
        case .saveCheckpoint: saveRequested = true
        case .fork(let name, let factor): try fork(name: name, factor: factor)
        case .findLearningRate: events.send(.learningRateSweep(LearningRateSweep(
          config: config, model: try ModelSnapshot(model: model, config: config, position: position).makeModel(), train: data.train, runRate: learningRate(at: epochProgress))))
        }
      }
      if saveRequested {
        saveRequested = false
        if let path = try observe({ try $0.save(progress) }) ?? nil {
          events.send(.checkpointSaved(path: path, epoch: position.epoch))
          try intervene(.save, detail: path)
        }
      }
      if stopRequested { return true }
      if state != .paused { return false }
      commands.waitForCommand()
    }
  }

  private func scaleLearningRate(by factor: Float) throws {
    let range = Trainer.learningRateFactorRange
    learningRateFactor = Trainer.clampedFactor(learningRateFactor * factor)
    record.learningRateFactor = learningRateFactor
    let rate = learningRate(at: epochProgress)
    events.send(.learningRateScaled(
      rate: rate, factor: learningRateFactor,
      atLimit: learningRateFactor == range.lowerBound || learningRateFactor == range.upperBound))
    try intervene(.learningRate, detail: "x\(factor) -> \(rate)")
  }

  /// Where the run stands in fractional epochs.
  private var epochProgress: Double {
    Double(position.epoch) + Double(position.batch) / Double(max(loader.batchesPerEpoch, 1))
  }

  /// Hands a copy of the state to a new run `name` (`TrainingEvent.forked`), between two steps.
  private func fork(name: String, factor: Float) throws {
    let state = Checkpoint.stateFile(
      model, optimizer: optimizer, config: config, position: position, learningRateFactor: learningRateFactor, average: average,
      epochSoFar: tally)
    events.send(.forked(ForkPoint(
      parent: config.name, name: name, state: state, position: position,
      learningRateFactor: Trainer.clampedFactor(learningRateFactor * factor))))
    try intervene(.fork, detail: name)
  }

  /// Reports and journals an intervention at the current position.
  private func intervene(_ kind: Intervention.Kind, detail: String = "") throws {
    let intervention = Intervention(kind: kind, step: position.step, progress: epochProgress, detail: detail)
    events.send(.intervention(intervention))
    try observe { try $0.didIntervene(intervention) }
  }

  /// Changes the state; false when it already was `newState`. A pause sends the model as it
  /// is now (for the front end's inference on the paused weights).
  @discardableResult
  private func setState(_ newState: TrainerState) -> Bool {
    guard newState != state else { return false }
    state = newState
    if newState == .paused { sendModel() }
    events.send(.state(newState))
    return true
  }

  /// A copy of the model for the front end, when the plan asks for one.
  private func sendModel() {
    guard plan.sendsModel else { return }
    events.send(.model(ModelSnapshot(model: model, config: config, position: position)))
  }
}
