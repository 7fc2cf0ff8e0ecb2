// libFuzzer harness: the IDX reader on arbitrary bytes must throw or succeed, never crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  _ = try? IDXReader.parseImages(bytes, path: "fuzz")
  _ = try? IDXReader.parseLabels(bytes, path: "fuzz")
  return 0
}
