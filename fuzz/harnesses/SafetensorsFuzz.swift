import Foundation

// libFuzzer harness: the safetensors reader, then loading into a model, must never crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard let file = try? Safetensors.decode(Data(bytes: data, count: size), path: "fuzz") else { return 0 }
  let model = ModelBuilder.build([.dense(units: 4, initializer: .he), .batchNorm(momentum: 0.1, epsilon: 1e-5), .relu,
                                  .dense(units: 10, initializer: .he), .softmax], seed: 1)
  let path = NSTemporaryDirectory() + "fuzz-\(getpid()).safetensors"
  if (try? file.write(to: path)) != nil { _ = try? Checkpoint.load(path, into: model) }
  return 0
}
