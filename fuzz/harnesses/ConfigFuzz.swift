import Foundation

// libFuzzer harness: the configuration parser on arbitrary bytes must throw or succeed.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  if let file = try? RunFile.parse(Data(bytes: data, count: size), path: "fuzz") {
    for run in file.runs where run.layers.count < 64 {
      _ = run.jsonValue.text  // and what parses can be written back
    }
  }
  return 0
}
