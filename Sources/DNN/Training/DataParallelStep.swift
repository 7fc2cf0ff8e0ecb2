import Dispatch

/// One training step with the batch split in two halves that run at the same time on two cores:
/// the model takes the first rows, a replica sharing its weights the rest, each with
/// single-threaded matrix products. Their gradients are then combined into the model's
/// parameters, weighted by rows, so the result is the full-batch gradient (up to float
/// rounding: sums run in a different order).
///
/// Why: on this kind of machine two independent single-threaded products keep both cores busy
/// better than one product split by OpenBLAS's own threads (benchmarks/gemm_floor.sh), and the
/// element-wise work (batch conversion, activations, softmax) runs on both cores too.
///
/// Only for models whose layers all have replicas (`Layer.replica()`): Dense, ReLU, LeakyReLU,
/// Softmax, Attention, Conv2D, the pooling layers, BatchNorm, whose halves meet
/// (`HalfBatchSync`, `MeetingLayer`) to use the whole batch's statistics, and Dropout, whose
/// halves draw their rows of the whole batch's mask from one stream. Allocates nothing once
/// its buffers have reached the batch size.
///
/// The halves' passes run in stages that end at the meetings (`Sequential.advancePass`), one
/// job per stage, so nothing waits inside a job: when the helper has not started its half of
/// a stage (another process has its core), the trainer's thread runs it too (`HelperThread`),
/// and `HelperChoice` runs whole steps without the helper while that is faster; such a step,
/// when its halves are of equal size and every layer allows it (`Sequential.passesBothHalves`),
/// runs both halves as one pass of the model, without the replica and the combine's adding.
/// Which thread runs a half's stage, and whether the halves run as one pass, changes nothing in
/// the result: two threads, one, or any mix give the same bits.
final class DataParallelStep: HelperWork {
  private let model: Sequential
  private let replica: Sequential
  private let loader: BatchLoader
  private let helper = HelperThread()
  private let firstRows = Tensor(viewWithColumns: LabeledImages.features)
  private let secondRows = Tensor(viewWithColumns: LabeledImages.features)
  private var firstLabels: [Int] = []
  private var secondLabels: [Int] = []
  private var split = 0
  /// The batch being trained, for prefetching the next one's rows.
  private var batch = 0
  private var secondLoss: Float = 0
  /// Both halves' outputs, `[B, classes]`.
  let output: Tensor

  private enum Job: Int { case stage, combine, update }
  /// Whether the helper takes part in this step, chosen step by step.
  private var choice: HelperChoice
  /// True while the second half's pass has not started (its first stage fills its rows).
  private var secondStarting = false
  /// Sum of squares of each parameter's combined gradient: slice 0's at [i], slice 1's at
  /// [count + i]. Raw storage, so the two threads write their own elements without touching a
  /// shared array value.
  private let squares: UnsafeMutablePointer<Double>
  private var clipFactors: [Float]
  /// The optimizer, while an update runs.
  private var optimizer: Optimizer?
  /// True when the last update left the model's gradients at 0 (they then accumulate).
  private var modelGradientsCleared = false
  /// The meeting points of the layers that need the whole batch (BatchNorm, Dropout).
  private let syncs: [HalfBatchSync]
  /// Each Dropout layer of the model and of the replica.
  private let dropouts: [(first: Dropout, second: Dropout)]
  /// Each Dense layer of the model and of the replica. When `deferring`, their backward leaves
  /// the weight gradient to the combine, where each thread computes its slice of `dW` from
  /// both halves.
  private let denses: [(first: Dense, second: Dense)]
  /// For each of the model's parameters, the Dense pair when it is their weight.
  private let deferredWeights: [(first: Dense, second: Dense)?]
  /// Whether this step's Dense layers defer their weight gradients.
  private var deferring = false
  /// Whether the model's layers can run both halves as one pass (`Sequential.passesBothHalves`).
  private let passesBothHalves: Bool
  /// Whether this step runs them so (`bothHalvesInOnePass`).
  private var together = false
  /// The batch's rows, for such a pass.
  private let wholeBatch = Tensor(viewWithColumns: LabeledImages.features)

  /// A split step for `model` fed by `loader`, or nil when a layer cannot be replicated.
  init?(model: Sequential, loader: BatchLoader, helperUse: HelperUse = .auto) {
    guard let replica = model.replica() else { return nil }
    choice = HelperChoice(helperUse)
    self.model = model
    self.replica = replica
    if model.layerClock != nil { replica.layerClock = LayerClock(layers: replica.layers.count) }
    syncs = model.layers.compactMap { ($0 as? BatchNorm)?.halfBatchSync ?? ($0 as? Dropout)?.halfBatchSync }
    dropouts = zip(model.layers, replica.layers).compactMap { pair in
      (pair.0 as? Dropout).flatMap { first in (pair.1 as? Dropout).map { (first, $0) } }
    }
    deferredWeights = zip(model.layers, replica.layers).flatMap { first, second in
      first.parameters.map { p -> (first: Dense, second: Dense)? in
        guard let a = first as? Dense, let b = second as? Dense, p === a.weight else { return nil }
        return (a, b)
      }
    }
    denses = deferredWeights.compactMap { $0 }
    passesBothHalves = model.passesBothHalves
    self.loader = loader
    output = Tensor(rows: 0, columns: model.outputFeatures)
    squares = .allocate(capacity: 2 * model.parameters.count)
    squares.initialize(repeating: 0, count: 2 * model.parameters.count)
    clipFactors = Array(repeating: 1, count: model.parameters.count)
    firstLabels.reserveCapacity(loader.batchSize)
    secondLabels.reserveCapacity(loader.batchSize)
  }

  deinit {
    helper.stop()
    squares.deallocate()
  }

  /// One optimisation step on batch `batch`: both halves' forward and backward at once, then
  /// the gradients combined, their norms, clipping and the optimizer update, each split
  /// between the two threads. Returns what `Trainer.step` returns; nothing is updated when the
  /// loss or a gradient is not finite. `norms` receives each parameter's gradient norm.
  /// An applied update leaves the gradients at 0 (cleared in the passes that read them last, so
  /// the next backward can add to them without a separate clearing pass).
  func step(
    batch: Int, learningRate: Float, clip: GradientClipping, optimizer: Optimizer, norms: inout [Float]
  ) -> (loss: Float, output: Tensor, globalNorm: Float) {
    let parameters = model.parameters
    let rows = prepare(batch: batch)
    let started = DispatchTime.now().uptimeNanoseconds
    defer { choice.record(nanoseconds: DispatchTime.now().uptimeNanoseconds &- started, rows: rows) }
    let helped = choice.usesHelper()
    together = !helped && passesBothHalves && rows == 2 * split && split <= Self.togetherRows
    // Only for a split step, and for the half-batch sizes it was measured faster at: the model's
    // own backward (a gradient check, a whole-batch step) computes its weight gradients as usual.
    deferring = Dense.defersInSplitStep(halfBatch: split)
    for (first, second) in denses {
      first.defersWeightGradient = deferring
      second.defersWeightGradient = deferring
    }
    let loss = together ? bothHalvesInOnePass(rows: rows) : halvesApart(helped: helped, rows: rows)

    run(.combine, helped: helped) { combine(Slice(0, of: 2)) }
    for (first, _) in denses { first.defersWeightGradient = false }
    norms.removeAll(keepingCapacity: true)
    let count = parameters.count
    for i in 0..<count { norms.append(Float((squares[i] + squares[count + i]).squareRoot())) }
    let globalNorm = GradientClipping.globalNorm(norms)
    modelGradientsCleared = false
    guard loss.isFinite && globalNorm.isFinite else { return (loss, output, globalNorm) }

    for i in parameters.indices { clipFactors[i] = clip.factor(norm: norms[i], globalNorm: globalNorm) }
    optimizer.learningRate = learningRate
    optimizer.startStep(parameters)
    self.optimizer = optimizer
    run(.update, helped: helped) { update(Slice(0, of: 2)) }
    self.optimizer = nil
    modelGradientsCleared = true
    return (loss, output, globalNorm)
  }

  /// The halves, a stage at a time, the second on the helper when `helped`: both halves' stage
  /// k is done before either starts k + 1. Their batch loss.
  private func halvesApart(helped: Bool, rows: Int) -> Float {
    var firstLoss: Float?
    var firstStarting = true
    secondStarting = true
    repeat {
      run(.stage, helped: helped) {
        firstLoss = advanceHalf(model, starting: firstStarting, rows: 0..<split, input: firstRows, labels: firstLabels)
        firstStarting = false
      }
    } while firstLoss == nil
    for sync in syncs { sync.rows = 0 }
    return Self.batchLoss(firstLoss!, secondLoss, split: split, rows: rows)
  }

  /// Both halves as one pass of the model on this thread (`Sequential.halves`), for a step the
  /// helper sits out: the halves' products, sums and loss as their own passes compute them,
  /// without the replica's pass or the combine's adding (the model's gradients come out
  /// combined), so a trainer alone pays about what an unsplit step costs. Its batch loss.
  private func bothHalvesInOnePass(rows: Int) -> Float {
    loader.fillImages(rows: 0..<rows)
    if !modelGradientsCleared { model.zeroGradients() }
    // The layers that meet the other half (BatchNorm, Dropout) keep the halves apart themselves.
    for sync in syncs { sync.rows = 0 }
    wholeBatch.view(rows: 0..<rows, of: loader.images)
    model.halves = split
    defer { model.halves = nil }
    let result = model.lossAndGradients(wholeBatch, labels: loader.labels)
    loader.prefetch(batch: batch + 1, rows: 0..<rows)
    output.pointer.update(from: result.output.pointer, count: result.output.count)
    return result.loss
  }

  /// The largest half that may run in one pass with its twin. A Dense layer there adds its
  /// second half's weight-gradient product onto the first's, which gives the combine's bits
  /// only while OpenBLAS sums each half's rows in one block (it adds a longer sum to the output
  /// block by block); checked up to here with its SkylakeX, Haswell and Nehalem kernels
  /// (`BothHalvesInOnePassTests`, `scripts/test-instruction-sets.sh`).
  static let togetherRows = 128

  /// Loads batch `batch` and sets up the halves: their rows, labels, the meeting points and
  /// Dropout generators. The batch's rows.
  private func prepare(batch: Int) -> Int {
    loader.prepare(batch: batch)
    self.batch = batch
    let rows = loader.labels.count
    split = (rows + 1) / 2
    firstRows.view(rows: 0..<split, of: loader.images)
    secondRows.view(rows: split..<rows, of: loader.images)
    firstLabels.removeAll(keepingCapacity: true)
    firstLabels.append(contentsOf: loader.labels[0..<split])
    secondLabels.removeAll(keepingCapacity: true)
    secondLabels.append(contentsOf: loader.labels[split..<rows])
    output.resize(rows: rows, columns: model.outputFeatures)
    for sync in syncs {
      sync.rows = rows
      sync.split = split
      sync.parties = rows > split ? 2 : 1
    }
    for (first, second) in dropouts { second.startDrawing(where: first) }
    return rows
  }

  func runOnHelper(job: Int) {
    switch Job(rawValue: job)! {
    case .stage:
      // An empty second half (a last batch of one row) leaves the replica's gradients at the 0
      // the last combine left them at, and gets weight 0 in this step's combine.
      let rows = split..<loader.labels.count
      guard !rows.isEmpty else { secondLoss = 0; return }
      if let loss = advanceHalf(replica, starting: secondStarting, rows: rows, input: secondRows, labels: secondLabels) {
        secondLoss = loss
      }
      secondStarting = false
    case .combine: combine(Slice(1, of: 2))
    case .update: update(Slice(1, of: 2))
    }
  }

  /// Job `job`: its first share here, its second on the helper, or after the first here when
  /// the helper sits this step out.
  private func run(_ job: Job, helped: Bool, here: () -> Void) {
    guard helped else {
      here()
      runOnHelper(job: job.rawValue)
      return
    }
    helper.run(self, job: job.rawValue, alongside: here)
  }

  /// One stage of `net`'s forward and backward on rows `rows` of the batch (the first stage
  /// when `starting`): the mean loss once the pass is done, with its output copied into
  /// `output`; nil at a meeting.
  private func advanceHalf(_ net: Sequential, starting: Bool, rows: Range<Int>, input: Tensor, labels: [Int]) -> Float? {
    if starting {
      loader.fillImages(rows: rows)
      // The gradients were left at 0 by the last step's combine (replica) and update (model),
      // except the model's after a skipped update (or before the first step).
      if net === model && !modelGradientsCleared { net.zeroGradients() }
      net.beginPass(input, labels: labels)
    }
    guard net.advancePass() else { return nil }
    loader.prefetch(batch: batch + 1, rows: rows)
    let out = net.pass.result.output
    (output.pointer + rows.lowerBound * output.columns).update(from: out.pointer, count: out.count)
    return net.pass.result.loss
  }

  /// The batch's mean loss from its halves' (rows `0..<split` and `split..<rows`), weighted by
  /// rows: what a split step reports, however its halves ran.
  static func batchLoss(_ first: Float, _ second: Float, split: Int, rows: Int) -> Float {
    (first * Float(split) + second * Float(rows - split)) / Float(rows)
  }

  /// The replica's layer times (`RunPlan.timesLayers`).
  var replicaClock: LayerClock? { replica.layerClock }

  /// The share of the steps so far that the helper took part in; nil before the first.
  var helperShare: Double? {
    let (with, without) = (choice.steps[1], choice.steps[0])
    return with + without > 0 ? Double(with) / Double(with + without) : nil
  }

  /// Each half's gradient is a mean over its rows; the batch's is their row-weighted mean,
  /// g = (n1 g1 + n2 g2) / n, written into the model's gradients, with the sum of squares of
  /// the slice's result for the norms. A Dense weight's slice is computed here from both
  /// halves' dZ and X (deferred by their backward) into the model's gradient, which the last
  /// update left at 0: the slice is then in this core's cache for its update, and no half
  /// writes a whole weight gradient of its own. After both halves ran as one pass (`together`)
  /// the model's gradients are combined already: only their norms are left.
  private func combine(_ slice: Slice) {
    let rows = loader.labels.count
    let w1 = Float(split) / Float(rows), w2 = 1 - w1
    for (i, (p, q)) in zip(model.parameters, replica.parameters).enumerated() {
      let range = slice.range(count: p.gradient.count)
      let g = p.gradient.pointer + range.lowerBound
      let square: Double
      if deferring, together, let (first, _) = deferredWeights[i] {
        // Each half's rows' product as the halves' own would be: the loss gave them half their dZ.
        first.addWeightGradient(elements: range, scale: 1, rows: 0..<split, into: p.gradient.pointer)
        first.addWeightGradient(elements: range, scale: 1, rows: split..<rows, into: p.gradient.pointer)
        square = Kernels.sumOfSquares(g, count: range.count)
      } else if together {
        // The model's gradients are the combined ones already; the replica's stayed at 0.
        square = Kernels.sumOfSquaresAsCombined(g, count: range.count)
      } else if deferring, let (first, second) = deferredWeights[i] {
        first.addWeightGradient(elements: range, scale: w1, into: p.gradient.pointer)
        if rows > split { second.addWeightGradient(elements: range, scale: w2, into: p.gradient.pointer) }
        square = Kernels.sumOfSquares(g, count: range.count)
      } else {
        square = Kernels.weightedSum(g, w1, q.gradient.pointer + range.lowerBound, w2, count: range.count, clearingY: true)
      }
      squares[slice.index * model.parameters.count + i] = square
    }
  }

  /// Clips the slice of every gradient and applies the optimizer to it.
  private func update(_ slice: Slice) {
    let parameters = model.parameters
    for (i, p) in parameters.enumerated() where clipFactors[i] != 1 {
      let range = slice.range(count: p.gradient.count)
      Kernels.scale(p.gradient.pointer + range.lowerBound, count: range.count, by: clipFactors[i])
    }
    optimizer?.update(parameters, slice: slice, clearingGradients: true)
  }
}
