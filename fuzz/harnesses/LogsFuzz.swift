import Foundation

// libFuzzer harness: a run folder's logs from arbitrary bytes (metrics.csv, steps.csv and
// events.csv, the input split at its first two zero bytes), read as every command reads them,
// checked as resume checks them, cut back as resume cuts them, and summed up as a run record.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLogs(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let parts = bytes.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
  let folder = NSTemporaryDirectory() + "dnn-fuzz-logs-\(getpid())"
  try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  for (i, name) in [RunFiles.metrics, RunFiles.steps, RunFiles.events].enumerated() {
    let content = i < parts.count ? Data(parts[i]) : Data()
    FileManager.default.createFile(atPath: RunFiles.path(folder, name), contents: content)
  }
  let epochs = RunLog.readMetrics(folder: folder)
  _ = RunLog.readSteps(folder: folder)
  _ = RunLog.readEvents(folder: folder)
  _ = RunRecord.read(folder: folder, epochs: epochs, epochsPlanned: 10)
  if RunLog.firstUnreadableLine(folder: folder) == nil {
    try? RunLog.truncate(folder: folder, to: TrainingPosition(epoch: 1, batch: 0, step: 3))
  }
  return 0
}
