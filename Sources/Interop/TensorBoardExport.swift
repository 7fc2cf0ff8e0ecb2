import DNN
import Foundation

/// The TensorBoard event file of a run made before runs wrote one, or without it
/// (`dnn export RUN --tensorboard`): the same events `TensorBoardLog` writes live, from the run
/// folder's logs (`steps.csv`, `metrics.csv`, `events.csv`) and, for the weights, its last
/// checkpoint (at its last step: earlier epochs' weights were not kept). Wall times are
/// rebuilt from the epochs' seconds, from when `config.json` was written.
public enum TensorBoardExport {
  /// Writes `run`'s event file into its folder; returns its path.
  @discardableResult
  public static func write(_ run: SavedRun) throws -> String {
    let folder = run.path
    let (names, steps) = RunLog.readSteps(folder: folder)
    let attributes = try? FileManager.default.attributesOfItem(atPath: RunFiles.path(folder, RunFiles.config))
    var time = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? Date().timeIntervalSince1970
    var events = TensorBoardEvents.start(config: run.config, time: time)
    for epoch in run.epochs {
      let inEpoch = steps.filter { $0.epoch == epoch.epoch }
      let start = time
      time += epoch.seconds
      for (i, step) in inEpoch.enumerated() {
        events.append(TensorBoardEvents.step(step, parameterNames: names, time: start + epoch.seconds * Double(i + 1) / Double(inEpoch.count)))
      }
      events.append(TensorBoardEvents.epoch(epoch, step: inEpoch.last?.step ?? 0, time: time))
    }
    if run.incompleteReason(.last) == nil, let model = try? run.model(checkpoint: .last) {
      events.append(TensorBoardEvents.weights(model, step: steps.last?.step ?? 0, time: time))
    }
    events += RunLog.readEvents(folder: folder).map(TensorBoardEvents.intervention)
    // TensorBoard keeps each tag's points in step order; interventions interleave by step.
    events = events.enumerated().sorted { ($0.element.step, $0.offset) < ($1.element.step, $1.offset) }.map(\.element)
    var data = Data()
    for event in events { data.append(TensorBoardRecords.frame(try event.serializedData())) }
    let path = RunFiles.path(folder, RunFiles.tensorboard)
    try AtomicFile.write(data, to: path)
    return path
  }
}
