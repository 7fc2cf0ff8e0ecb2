import Foundation

// libFuzzer harness: a run state file (last.safetensors) from arbitrary bytes, read the way
// --resume reads it: the safetensors decoder, the metadata's position and step count, the
// configuration it carries. Each must throw or succeed, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzState(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard let file = try? Safetensors.decode(Data(bytes: data, count: size), path: "fuzz") else { return 0 }
  guard let state = try? SavedState(file: file, path: "fuzz") else { return 0 }
  try? state.checkPosition(batchesPerEpoch: 30)
  if let text = file.metadata["config"], let json = try? JSONValue.parse(Data(text.utf8)),
    let config = try? RunConfig.parse(json: json, path: "fuzz"), (try? config.checkMemory()) != nil, config.layers.count < 16
  {
    let model = ModelBuilder.build(config.layers, seed: config.seed)
    try? state.apply(to: model, optimizer: config.optimizer.make())
  }
  return 0
}
