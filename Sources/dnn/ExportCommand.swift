import ArgumentParser
import DNN
import Foundation
import Interop

/// `dnn export`: a saved run's model in a format other tools open.
struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write a saved run's model as ONNX (onnxruntime, Netron, TensorRT, OpenVINO, browsers), or its logs as a TensorBoard event file.",
    discussion: """
      The graph takes `pixels` [batch, 784] as float32 in [0, 1] and gives `probabilities` [batch, 10]; BatchNorm \
      uses its running statistics and dropout is left out, as in dnn evaluate; it scores each digit alone (a run whose \
      test figures average views of each digit, augment.test, scores so with dnn evaluate --views plain). Opset \
      \(InferenceGraph.opset); the run's name and configuration are in the model's metadata. --tensorboard writes the \
      run folder's event file from its logs (runs write one as they train unless --no-tensorboard), for runs made before.
      """)

  @Argument(help: "A run folder (RUNS/NAME).") var runFolder: String
  @Flag(help: "Write an ONNX model.") var onnx = false
  @Flag(help: "Write the run's TensorBoard event file (RUN_FOLDER/\(RunFiles.tensorboard)) from its logs.") var tensorboard = false
  @Option(help: "Which checkpoint: \(CheckpointKind.list) (default: the model the run keeps, its weight average when it keeps one, else best).")
  var checkpoint: CheckpointKind?
  @Option(name: [.customShort("o"), .long], help: "The file to write (default: RUN_FOLDER/model-CHECKPOINT.onnx).") var output: String?

  func validate() throws {
    guard onnx || tensorboard else { throw ValidationError("say what to export: --onnx and/or --tensorboard") }
  }

  func run() throws {
    try reportingErrors {
      let run = try SavedRun(path: runFolder)
      if tensorboard {
        if RunLock.isHeld(folder: runFolder) { throw CheckpointError(path: runFolder, problem: "is training: its event file is being written") }
        print("wrote \(try TensorBoardExport.write(run))")
      }
      guard onnx else { return }
      let checkpoint = run.checkpoint(self.checkpoint)
      if let reason = run.incompleteReason(checkpoint) { throw CheckpointError(path: runFolder, problem: "cannot be exported: \(reason)") }
      let model = try run.model(checkpoint: checkpoint)
      let path = output ?? RunFiles.path(runFolder, RunFiles.onnx(checkpoint))
      try AtomicFile.write(try OnnxExport.data(model, config: run.config), to: path)
      print("wrote \(path) (\(run.config.name), \(RunRecord.modelName(checkpoint)), opset \(InferenceGraph.opset))")
      let views = run.config.testViews.count
      if views > 1 { print("the graph scores each digit alone; the run's test figures average \(views) views of it (dnn evaluate --views plain scores as the graph does)") }
    }
  }
}
