import Testing

@testable import DNN

/// Choosing OpenBLAS's kernel when Debian's build does not recognise the CPU.
@Suite struct BLASRuntimeTests {
  @Test func legacyKernelOnAModernCPUGetsAFastOne() {
    #expect(BLASRuntime.preferredCoreType(cpuFlags: ["avx512f", "avx512bw", "avx2", "fma"], current: "Prescott") == "SkylakeX")
    #expect(BLASRuntime.preferredCoreType(cpuFlags: ["avx2", "fma"], current: "Prescott") == "Haswell")
    #expect(BLASRuntime.preferredCoreType(cpuFlags: ["sse2"], current: "Prescott") == nil)
  }

  @Test func aRecognisedCPUIsLeftAlone() {
    #expect(BLASRuntime.preferredCoreType(cpuFlags: ["avx2", "fma"], current: "Zen") == nil)
    #expect(BLASRuntime.preferredCoreType(cpuFlags: ["avx512f", "avx512bw"], current: "SkylakeX") == nil)
  }

  @Test func thisMachineReportsAKernel() {
    #expect(!BLASRuntime.coreName.isEmpty && BLASRuntime.summary.hasPrefix("OpenBLAS ("))
  }
}
