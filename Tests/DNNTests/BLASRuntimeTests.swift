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

  /// On this machine, the kernel the executables run with (OpenBLAS's own pick, or the one the
  /// re-exec asks for) is a vector kernel whenever the CPU has AVX2: never a legacy one.
  @Test func thisMachineRunsAVectorKernel() {
    let flags = BLASRuntime.cpuFlags()
    #expect(flags.contains("sse2"), "no CPU flags read from /proc/cpuinfo")
    let effective = BLASRuntime.preferredCoreType(cpuFlags: flags, current: BLASRuntime.coreName) ?? BLASRuntime.coreName
    if flags.contains("avx2") && flags.contains("fma") {
      #expect(!BLASRuntime.legacyCores.contains(effective), "kernel \(effective) on a CPU with AVX2")
    }
    #expect(BLASRuntime.summary.hasPrefix("OpenBLAS (\(BLASRuntime.coreName) kernel"), "\(BLASRuntime.summary)")
  }
}
