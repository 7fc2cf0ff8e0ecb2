// swift-tools-version:6.0
import PackageDescription

import Foundation

/// The engine is numeric code: a debug build of it is ~500x slower than an optimised one, so it
/// is always compiled with -O (see README, "How it is built"). unsafeFlags are fine in a root
/// package. The instruction set is the build machine's, unless DNN_TARGET_CPU names another
/// (`x86-64` for the generic kernels, `haswell` for AVX2): CI builds and tests those too.
let targetCPU = ProcessInfo.processInfo.environment["DNN_TARGET_CPU"] ?? "native"
let optimised: [SwiftSetting] = [.unsafeFlags(["-O", "-target-cpu", targetCPU])]

// Linux only (Debian/Ubuntu): the engine links Debian's OpenBLAS and calls Glibc directly; no
// macOS platform is claimed because none is built or tested.
let package = Package(
  name: "diy-dnn",
  products: [
    .library(name: "DNN", targets: ["DNN"]),
    .executable(name: "dnn", targets: ["dnn"]),
    .executable(name: "dnn-tui", targets: ["dnn-tui"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    // ONNX models and TensorBoard event files are protobuf messages: encoded by the maintained
    // library, from code generated off their schemas (Sources/Interop/Generated, committed).
    .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
  ],
  targets: [
    .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
    .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
    .systemLibrary(name: "CNcurses", path: "Sources/CNcurses"),
    .systemLibrary(name: "CCPU", path: "Sources/CCPU"),
    .target(name: "DNN", dependencies: ["CBLAS", "CZlib", "CCPU"], swiftSettings: optimised),
    .target(name: "TerminalUI", dependencies: ["CNcurses"], swiftSettings: optimised),
    .target(name: "Dashboard", dependencies: ["DNN", "TerminalUI"], swiftSettings: optimised),
    // What other tools open: ONNX models (and TensorBoard logs), written through swift-protobuf.
    .target(name: "Interop", dependencies: ["DNN", .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
    .executableTarget(
      name: "dnn",
      dependencies: ["DNN", "TerminalUI", "Interop", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    .executableTarget(
      name: "dnn-tui",
      dependencies: [
        "DNN", "Dashboard", "TerminalUI", "Interop",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    // The tests' temporary folders, removed when the test process exits.
    .target(name: "TestSupport", path: "Tests/TestSupport"),
    .testTarget(name: "DNNTests", dependencies: ["DNN", "TestSupport"], exclude: ["numpy_forward.py"]),
    .testTarget(name: "InteropTests", dependencies: ["Interop", "DNN", "TestSupport"], exclude: ["onnx_check.py"]),
    .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI"]),
    .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "DNN", "TerminalUI"], exclude: ["Golden"]),
    // The executables as processes (dnn, dnn-tui in tmux); needs them built (swift build).
    .testTarget(name: "CommandLineTests", dependencies: ["TestSupport"], exclude: ["hostile_server.py", "tensorboard_check.py"]),
  ],
  swiftLanguageModes: [.v6]
)
