import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The logs of a run folder and their one owner: the format of `metrics.csv` and `steps.csv`,
/// how they are appended and read back, and which epoch is the best.
///
/// - `metrics.csv`: `epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds`,
///   then `average_val_loss,average_val_accuracy` in runs that average their weights
/// - `steps.csv`: `step,epoch,loss,accuracy`, then one gradient-norm column per parameter tensor
/// - `events.csv`: `step,epoch,time,event,detail`: the interventions (`Intervention`), `epoch`
///   fractional, `time` ISO 8601 UTC, written as they happen
///
/// Lines are appended (a `Writer` flushes once per epoch), never rewritten while a run trains,
/// so writing costs the same at epoch 2,000 as at epoch 1. A reader takes whole lines only: a
/// torn last line (a writer killed mid-write, or still writing) is ignored.
public enum RunLog {
  public static let metricsHeader = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds"
  /// The columns a run that averages its weights adds: the average's validation loss and accuracy.
  public static let averageColumns = "average_val_loss,average_val_accuracy"
  public static let eventsHeader = "step,epoch,time,event,detail"

  /// One logged optimisation step.
  public struct Step: Sendable, Equatable {
    /// Steps done in the run, this one included (1-based).
    public var step: Int
    /// The epoch it belongs to (1-based).
    public var epoch: Int
    public var loss: Float
    public var accuracy: Float
    /// The gradient norm of each parameter tensor, in the model's order.
    public var gradientNorms: [Float]

    public init(step: Int, epoch: Int, loss: Float, accuracy: Float, gradientNorms: [Float]) {
      self.step = step
      self.epoch = epoch
      self.loss = loss
      self.accuracy = accuracy
      self.gradientNorms = gradientNorms
    }
  }

  // MARK: The best epoch

  /// What "best" minimises: the validation loss, or the training loss when the run has no
  /// validation set (`validationFraction` 0, so the validation loss is NaN).
  public static func criterion(_ epoch: EpochReport) -> Float {
    epoch.validationLoss.isNaN ? epoch.trainLoss : epoch.validationLoss
  }

  /// The best epoch: the lowest `criterion` (smoothed over the epochs before it when
  /// `smoothing` > 0: `BestEpochRule`), the earliest of equals. The dashboard's ◆, `dnn plot`,
  /// `dnn report` and `best.safetensors` all follow this rule (`RunRecord.add` applies it).
  public static func bestEpoch(_ epochs: [EpochReport], smoothing: Double = 0) -> EpochReport? {
    let best = RunRecord(status: .running, epochs: epochs, epochsPlanned: 0, bestSmoothing: smoothing).best
    return best.flatMap { b in epochs.last { $0.epoch == b.epoch } }
  }

  // MARK: Lines

  static func line(_ e: EpochReport) -> String {
    let average = e.average.map { ["\($0.loss)", "\($0.accuracy)"] } ?? []
    return (["\(e.epoch)", "\(e.trainLoss)", "\(e.trainAccuracy)", "\(e.validationLoss)", "\(e.validationAccuracy)",
     "\(e.learningRate)", String(format: "%.4f", e.seconds)] + average).joined(separator: ",")
  }

  static func line(_ s: Step) -> String {
    var line = "\(s.step),\(s.epoch),\(s.loss),\(s.accuracy)"
    for norm in s.gradientNorms { line += ",\(norm)" }
    return line
  }

  /// The comma-separated fields of a line, without the carriage return of a CRLF line (a
  /// spreadsheet that saved the file).
  static func fields(_ line: Substring, maxSplits: Int = Int.max) -> [Substring] {
    (line.last == "\r" ? line.dropLast() : line).split(separator: ",", maxSplits: maxSplits, omittingEmptySubsequences: false)
  }

  /// An epoch line; the weight average's two columns are read when both are numbers, and other
  /// columns after the seventh (added by hand or by a spreadsheet) are ignored.
  static func epoch(from line: Substring) -> EpochReport? {
    let f = fields(line)
    guard f.count >= 7, let e = Int(f[0]), let tl = Float(f[1]), let ta = Float(f[2]), let vl = Float(f[3]),
      let va = Float(f[4]), let lr = Float(f[5]), let s = Double(f[6])
    else { return nil }
    var report = EpochReport(epoch: e, trainLoss: tl, trainAccuracy: ta, validationLoss: vl, validationAccuracy: va, learningRate: lr, seconds: s)
    if f.count >= 9, let al = Float(f[7]), let aa = Float(f[8]) { report.average = Metrics(loss: al, accuracy: aa) }
    return report
  }

  /// A step line with `tensors` gradient norms; columns after them are ignored.
  static func step(from line: Substring, tensors: Int) -> Step? {
    let f = fields(line)
    guard f.count >= 4 + tensors, let step = Int(f[0]), let epoch = Int(f[1]), let loss = Float(f[2]),
      let accuracy = Float(f[3])
    else { return nil }
    let norms = f[4..<(4 + tensors)].compactMap { Float($0) }
    guard norms.count == tensors else { return nil }
    return Step(step: step, epoch: epoch, loss: loss, accuracy: accuracy, gradientNorms: norms)
  }

  static func line(_ i: Intervention) -> String {
    let time = Date(timeIntervalSince1970: i.time).formatted(.iso8601)
    return "\(i.step),\(String(format: "%.4f", i.progress)),\(time),\(i.kind.rawValue),\(i.detail)"
  }

  static func intervention(from line: Substring) -> Intervention? {
    let f = fields(line, maxSplits: 4)
    guard f.count == 5, let step = Int(f[0]), let progress = Double(f[1]), let kind = Intervention.Kind(rawValue: String(f[3])),
      let time = try? Date(String(f[2]), strategy: .iso8601)
    else { return nil }
    return Intervention(kind: kind, step: step, progress: progress, time: time.timeIntervalSince1970, detail: String(f[4]))
  }

  // MARK: Reading

  /// The whole lines of `path` after its header, or none when it does not exist.
  static func wholeLines(_ path: String) -> (header: Substring?, lines: ArraySlice<Substring>) {
    guard let bytes = readBytes(path) else { return (nil, []) }
    var lines = byteLines(bytes).map(decoded)
    lines.removeLast()  // text after the last newline: "" or a torn line
    guard let header = lines.first else { return (nil, []) }
    return (header, lines.dropFirst())
  }

  /// The epochs logged in `folder`'s `metrics.csv` (lines that do not parse are skipped).
  public static func readMetrics(folder: String) -> [EpochReport] {
    wholeLines((folder as NSString).appendingPathComponent(RunFiles.metrics)).lines.compactMap { epoch(from: $0) }
  }

  /// The steps logged in `folder`'s `steps.csv`, with the parameter names of its header.
  public static func readSteps(folder: String) -> (parameterNames: [String], steps: [Step]) {
    let (header, lines) = wholeLines((folder as NSString).appendingPathComponent(RunFiles.steps))
    guard let header else { return ([], []) }
    let names = fields(header).dropFirst(4).map(String.init)
    return (names, lines.compactMap { step(from: $0, tensors: names.count) })
  }

  /// The interventions journalled in `folder`'s `events.csv` (none when there is no such file).
  public static func readEvents(folder: String) -> [Intervention] {
    wholeLines((folder as NSString).appendingPathComponent(RunFiles.events)).lines.compactMap { intervention(from: $0) }
  }

  /// The first whole line of `folder`'s logs that cannot be read (its file, its 1-based line
  /// number and its text), or nil. Blank lines are allowed; a torn last line is not looked at
  /// (a killed writer's: resume cuts it). Resume refuses a run with such a line rather than
  /// cut the log there.
  static func firstUnreadableLine(folder: String) -> (file: String, line: Int, text: Substring)? {
    func first(_ file: String, _ readable: (Substring) -> Bool) -> (file: String, line: Int, text: Substring)? {
      let lines = wholeLines(RunFiles.path(folder, file)).lines
      guard let bad = lines.firstIndex(where: { !isBlank($0) && !readable($0) }) else { return nil }
      return (file, bad - lines.startIndex + 2, lines[bad])
    }
    let tensors = readSteps(folder: folder).parameterNames.count
    return first(RunFiles.metrics) { epoch(from: $0) != nil }
      ?? first(RunFiles.steps) { step(from: $0, tensors: tensors) != nil }
      ?? first(RunFiles.events) { intervention(from: $0) != nil }
  }

  /// A file's bytes split at every newline byte, a CRLF line keeping its carriage return (Swift's
  /// `Character` "\r\n" is one grapheme, so splitting a String at "\n" would not split it): each
  /// line's count plus one is its length in the file, whatever its bytes (a line that is not
  /// UTF-8 stays one line, and is not readable).
  static func byteLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
  }

  /// A line's text (bytes that are not UTF-8 become U+FFFD, so the line does not parse).
  static func decoded(_ line: ArraySlice<UInt8>) -> Substring { Substring(String(decoding: line, as: UTF8.self)) }

  /// The bytes of the file at `path`, or nil when it cannot be read.
  static func readBytes(_ path: String) -> [UInt8]? {
    var bytes: [UInt8] = []
    return FileChunks.read(path, chunkSize: 1 << 16) { bytes += $0 } ? bytes : nil
  }

  /// An empty line, or one with only a carriage return.
  static func isBlank(_ line: Substring) -> Bool { line.isEmpty || line == "\r" }

  /// Cuts the logs back to `position` (a resumed run repeats what came after it), dropping a
  /// torn last line too: each file is truncated in place after its last line at or before the
  /// position (lines are in order), so a kill during this leaves a file the next resume cuts.
  static func truncate(folder: String, to position: TrainingPosition) throws {
    try truncate(RunFiles.path(folder, RunFiles.metrics)) { line in
      isBlank(line) || epoch(from: line).map { $0.epoch <= position.epoch } ?? false
    }
    for file in [RunFiles.steps, RunFiles.events] {
      try truncate(RunFiles.path(folder, file)) { line in
        isBlank(line) || fields(line, maxSplits: 1).first.flatMap { Int($0) }.map { $0 <= position.step } ?? false
      }
    }
  }

  /// Truncates `path` after its header and the whole lines that `keep` accepts, up to the first
  /// it does not.
  private static func truncate(_ path: String, keep: (Substring) -> Bool) throws {
    guard let bytes = readBytes(path) else { return }
    var length = 0
    var isHeader = true
    for line in byteLines(bytes).dropLast() {
      guard isHeader || keep(decoded(line)) else { break }
      isHeader = false
      length += line.count + 1
    }
    guard length < bytes.count else { return }
    guard Glibc.truncate(path, off_t(length)) == 0 else {
      throw CheckpointError(path: path, problem: "cannot be cut back to the saved state (\(String(cString: strerror(errno))))")
    }
  }

  /// The whole lines a growing log gained since the last look: what a follower reads. Only
  /// complete lines are taken (the rest waits for its newline); the header is kept apart.
  struct Tail {
    let path: String
    private var offset: UInt64 = 0
    private var pending = Data()
    private(set) var header: Substring?

    init(path: String) { self.path = path }

    mutating func newLines() -> [Substring] {
      guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
      defer { try? handle.close() }
      guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.readToEnd(), !data.isEmpty else { return [] }
      offset += UInt64(data.count)
      pending.append(data)
      guard let lastNewline = pending.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
      let whole = pending[pending.startIndex...lastNewline]
      pending = Data(pending[(lastNewline + 1)...])
      var lines = byteLines([UInt8](whole)).map(decoded).filter { !$0.isEmpty }[...]
      if header == nil, let first = lines.first {
        header = first
        lines = lines.dropFirst()
      }
      return Array(lines)
    }
  }

  // MARK: Writing

  /// Appends to a run folder's logs: step lines gather in memory until `flush` (once per epoch
  /// and at every save), then go out with one `write` per file.
  public final class Writer {
    private let folder: String
    private var metrics: Int32 = -1
    private var steps: Int32 = -1
    private var events: Int32 = -1
    private var pendingMetrics = ""
    private var pendingSteps = ""
    /// Whether the epochs logged have the weight average's columns (the header names them).
    private var averages = false
    /// Seconds spent formatting and writing lines, for the run's summary.
    public private(set) var secondsWriting: Double = 0

    public init(folder: String) { self.folder = folder }

    deinit {
      if metrics >= 0 { close(metrics) }
      if steps >= 0 { close(steps) }
      if events >= 0 { close(events) }
    }

    /// Journals an intervention at once (they are rare, and a kill must not lose them).
    public func append(_ intervention: Intervention) throws {
      if events < 0 { events = try open(RunFiles.events, header: RunLog.eventsHeader) }
      var line = RunLog.line(intervention) + "\n"
      try write(&line, to: events, file: RunFiles.events)
    }

    public func append(_ step: Step) {
      let start = DispatchTime.now().uptimeNanoseconds
      pendingSteps += RunLog.line(step)
      pendingSteps += "\n"
      secondsWriting += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    }

    /// Drops step lines not yet written whose step is after `step`.
    public func discardSteps(after step: Int) {
      pendingSteps = pendingSteps.split(separator: "\n").filter { line in
        line.split(separator: ",", maxSplits: 1).first.flatMap { Int($0) }.map { $0 <= step } ?? false
      }.map { $0 + "\n" }.joined()
    }

    public func append(_ epoch: EpochReport) {
      if pendingMetrics.isEmpty && metrics < 0 { averages = epoch.average != nil }
      pendingMetrics += RunLog.line(epoch)
      pendingMetrics += "\n"
    }

    /// Writes what was appended; a new file first gets its header (`parameterNames` name the
    /// gradient-norm columns of `steps.csv`).
    public func flush(parameterNames: [String]) throws {
      let start = DispatchTime.now().uptimeNanoseconds
      defer { secondsWriting += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }
      if metrics < 0 {
        metrics = try open(RunFiles.metrics, header: RunLog.metricsHeader + (averages ? "," + RunLog.averageColumns : ""))
      }
      if steps < 0 {
        steps = try open(RunFiles.steps, header: (["step", "epoch", "loss", "accuracy"] + parameterNames).joined(separator: ","))
      }
      try write(&pendingSteps, to: steps, file: RunFiles.steps)
      try write(&pendingMetrics, to: metrics, file: RunFiles.metrics)
    }

    private func open(_ name: String, header: String) throws -> Int32 {
      let path = (folder as NSString).appendingPathComponent(name)
      let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
      guard fd >= 0 else { throw CheckpointError(path: path, problem: "cannot be opened (\(String(cString: strerror(errno))))") }
      var info = stat()
      if fstat(fd, &info) == 0 && info.st_size == 0 {
        var line = header + "\n"
        try write(&line, to: fd, file: name)
      }
      return fd
    }

    private func write(_ text: inout String, to fd: Int32, file: String) throws {
      guard !text.isEmpty else { return }
      let bytes = Array(text.utf8)
      var offset = 0
      while offset < bytes.count {
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else {
          let path = (folder as NSString).appendingPathComponent(file)
          throw CheckpointError(path: path, problem: "cannot be written (\(String(cString: strerror(errno))))")
        }
        offset += n
      }
      text = ""
    }
  }
}
