import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A two-run sweep through train, evaluate, plot and report; and download against a local server.
@Suite(.serialized) struct ExperimentCommandTests {
  @Test func aTwoRunSweepLeavesEveryFile() throws {
    let out = Programs.temporaryFolder()
    let config = """
      {"runs": [
        {"name": "small", "layers": [{"type": "dense", "units": 32}, {"type": "relu"}, {"type": "dense", "units": 10}, {"type": "softmax"}],
         "optimizer": {"type": "sgd", "learningRate": 0.05, "momentum": 0.9}, "epochs": 2},
        {"name": "bn", "layers": [{"type": "dense", "units": 32}, {"type": "batchnorm"}, {"type": "relu"}, {"type": "dense", "units": 10}, {"type": "softmax"}],
         "optimizer": {"type": "adam", "learningRate": 0.002}, "epochs": 2}]}
      """
    _ = FileManager.default.createFile(atPath: "\(out)/sweep.json", contents: Data(config.utf8))
    let runs = "\(out)/runs"
    let trained = try Programs.dnn(["train", "--config", "\(out)/sweep.json", "--out", runs])
    #expect(trained.status == 0, "\(trained.errors)")
    let evaluated = try Programs.dnn(["evaluate", runs, "--json"])
    #expect(evaluated.status == 0, "\(evaluated.errors)")
    let json = try JSONSerialization.jsonObject(with: Data(evaluated.output.utf8)) as? [String: Any]
    let results = json?["runs"] as? [[String: Any]] ?? []
    #expect(results.map { $0["name"] as? String } == ["bn", "small"])
    #expect(results.allSatisfy { ($0["confusion"] as? [[Int]])?.flatMap { $0 }.reduce(0, +) == 1000 })
    #expect(results.allSatisfy { ($0["perClassAccuracy"] as? [Double])?.count == 10 })
    let summary = try String(contentsOfFile: "\(runs)/summary.csv", encoding: .utf8).split(separator: "\n")
    #expect(summary.count == 3 && summary[0].hasPrefix("run,status,parameters,epochs,best_epoch,best_val_accuracy,test_loss,test_accuracy"))
    #expect(FileManager.default.fileExists(atPath: "\(runs)/summary.md"))
    let table = try Programs.dnn(["evaluate", runs, "--samples", "2"])
    #expect(table.output.contains("true ") && table.output.contains("FINISHED") && table.output.contains("test: best checkpoint"))
    // One run of the folder: its figures, and the folder's summary left as it was; digits
    // wrap to 80 columns.
    let before = try String(contentsOfFile: "\(runs)/summary.csv", encoding: .utf8)
    let one = try Programs.dnn(["evaluate", "\(runs)/bn", "--samples", "6"])
    #expect(one.status == 0 && one.output.contains("bn (FINISHED at epoch") && one.output.contains("· best checkpoint"), "\(one.errors)")
    #expect(try String(contentsOfFile: "\(runs)/summary.csv", encoding: .utf8) == before)
    let widest = one.output.split(separator: "\n").map(\.count).max() ?? 0
    #expect(widest <= 80, "a line of \(widest) columns")
    #expect(try Programs.dnn(["plot", runs]).status == 0)
    #expect(try Programs.dnn(["report", runs]).status == 0)
    for run in ["small", "bn"] {
      for svg in ["curves.svg", "digits.svg"] {
        let check = try Spawn.run(["python3", "-c", "import sys, xml.dom.minidom as m; m.parse(sys.argv[1])", "\(runs)/\(run)/\(svg)"])
        #expect(check.status == 0, "\(run)/\(svg) is not well-formed: \(check.errors)")
      }
    }
    let report = try String(contentsOfFile: "\(runs)/report.html", encoding: .utf8)
    #expect(report.contains("<svg") && report.contains("small") && report.contains("bn"))
    // Shards split the sweep: 1/2 trains only the second run.
    let shard = "\(out)/shard"
    #expect(try Programs.dnn(["train", "--config", "\(out)/sweep.json", "--out", shard, "--shard", "1/2", "--epochs", "1"]).status == 0)
    #expect(try FileManager.default.contentsOfDirectory(atPath: shard) == ["bn"])
    #expect(try Programs.dnn(["train", "--config", "\(out)/sweep.json", "--shard", "2/2"]).status == 64)
  }

  /// A local HTTP server on 127.0.0.1 serving `folder`.
  final class Server {
    let pid: pid_t
    let port = Int.random(in: 20_000...40_000)
    init(folder: String, hostile: Bool = false) throws {
      let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("hostile_server.py").path
      pid = try Spawn.start(hostile ? ["python3", script, "\(port)", folder]
                                    : ["python3", "-m", "http.server", "\(port)", "--bind", "127.0.0.1", "--directory", folder])
      Thread.sleep(forTimeInterval: 0.8)
    }
    deinit {
      kill(pid, SIGTERM)
      _ = Spawn.wait(pid)
    }
    var url: String { "http://127.0.0.1:\(port)/" }
  }

  @Test func downloadVerifiesAndRefusesCorruptFiles() throws {
    let served = Programs.temporaryFolder()
    var sums: [String: String] = [:]
    for file in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
      try FileManager.default.copyItem(atPath: Programs.root.path + "/assets/mnist/" + file, toPath: "\(served)/\(file)")
      let sha = try Spawn.run(["sha256sum", "\(served)/\(file)"]).output.split(separator: " ")[0]
      sums[file] = "sha256:\(sha)"
    }
    let checksums = "\(served)/sums.json"
    try JSONSerialization.data(withJSONObject: sums).write(to: URL(fileURLWithPath: checksums))
    let server = try Server(folder: served)
    let good = Programs.temporaryFolder() + "/mnist"
    let fetched = try Programs.dnn(["download", "mnist", "--to", good, "--mirror", server.url, "--checksums", checksums])
    #expect(fetched.status == 0, "\(fetched.errors)")
    for file in sums.keys { #expect(FileManager.default.fileExists(atPath: "\(good)/\(file)")) }
    // A file where the folder should be, a folder that cannot be made: one line each, no dump.
    let file = Programs.temporaryFolder() + "/a-file"
    _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
    for to in [file, "/proc/diy-dnn-test/mnist"] {
      let result = try Programs.dnn(["download", "mnist", "--to", to, "--mirror", server.url, "--checksums", checksums])
      #expect(result.status == 1 && !result.errors.contains("NSCocoaErrorDomain") && !result.errors.contains("Check the network"), "\(result.errors)")
      #expect(result.errors.contains("is a file, not a folder") || result.errors.contains("cannot be created"), "\(result.errors)")
    }
    // A full disk (every fsync fails with ENOSPC, as a delayed allocation does): the disk is
    // named, not the network.
    let full = Programs.temporaryFolder() + "/mnist"
    let injected = try Spawn.run(["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=fsync", "-e", "inject=fsync:error=ENOSPC",
                                  try Programs.path("dnn"), "download", "mnist", "--to", full, "--mirror", server.url, "--checksums", checksums])
    #expect(injected.status == 1 && injected.errors.contains("No space left on device") && !injected.errors.contains("Check the network"), "\(injected.errors)")
    // The downloaded folder trains.
    #expect(try Programs.dnn(["train", "--data-dir", good, "--epochs", "1", "--out", Programs.temporaryFolder()]).status == 0)
    // A corrupted file on the server: refused, nothing of it kept.
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(served)/t10k-labels-idx1-ubyte.gz")))
    bytes[bytes.count / 2] ^= 0xFF
    try Data(bytes).write(to: URL(fileURLWithPath: "\(served)/t10k-labels-idx1-ubyte.gz"))
    let bad = Programs.temporaryFolder() + "/mnist"
    let refused = try Programs.dnn(["download", "mnist", "--to", bad, "--mirror", server.url, "--checksums", checksums])
    #expect(refused.status == 1)
    #expect(refused.errors.contains("checksum mismatch"))
    #expect(!FileManager.default.fileExists(atPath: "\(bad)/t10k-labels-idx1-ubyte.gz"))
    #expect((try? FileManager.default.contentsOfDirectory(atPath: bad))?.contains { $0.hasPrefix("t10k-labels") } != true)
  }

  @Test func aHostileMirrorIsCutOffWithOneLine() throws {
    let served = Programs.temporaryFolder()
    try FileManager.default.copyItem(atPath: Programs.root.path + "/assets/mnist/t10k-labels-idx1-ubyte.gz",
                                     toPath: "\(served)/train-images-idx3-ubyte.gz")
    let server = try Server(folder: served, hostile: true)
    for (mode, phrase) in [
      ("endless", "sent more than the 9912422 bytes this file can have; cut off"),
      ("liar", "announces 10737418240 bytes, more than the 9912422"),
      ("gzip", "checksum mismatch"),
      ("stall", "no complete answer within 2 s"),
      ("missing", "HTTP status 404"),
    ] {
      let to = Programs.temporaryFolder()
      let start = Date()
      // Only the stalling mirror meets the deadline; the others must be stopped for what they do.
      let timeout = mode == "stall" ? "2" : "15"
      let result = try Programs.dnn(["download", "mnist", "--to", to, "--mirror", server.url + mode, "--timeout", timeout])
      #expect(result.status == 1, "\(mode): \(result.status)")
      #expect(result.errors.contains(phrase), "\(mode): \(result.errors)")
      #expect(result.errors.contains("127.0.0.1") && !result.errors.contains("Error Domain"), "\(mode): \(result.errors)")
      #expect(Date().timeIntervalSince(start) < 20, "\(mode) took \(Date().timeIntervalSince(start)) s: \(result.errors)")
      #expect((try? FileManager.default.contentsOfDirectory(atPath: to)) == [], "\(mode): a file was kept")
    }
  }
}

/// The figures as files: round ticks, and a report that compares the runs.
@Suite struct FigureFileTests {
  @Test func curvesHaveRoundTicksAndTheReportComparesRuns() throws {
    let out = Programs.temporaryFolder()
    #expect(try Programs.dnn(["train", "--config", RunSafetyTests.tinyConfig(epochs: 3), "--out", out]).status == 0)
    #expect(try Programs.dnn(["plot", "\(out)/tiny"]).status == 0)
    let svg = try String(contentsOfFile: "\(out)/tiny/curves.svg", encoding: .utf8)
    // Every tick label is a round number (at most two significant digits) or a power of ten.
    let labels = svg.matches(of: /font-size="10" text-anchor="(?:end|middle|start)" fill="#555">([^<]+)</).map { String($0.1) }
    #expect(!labels.isEmpty)
    for label in labels where label != "epoch" {
      let digits = label.filter(\.isNumber).drop { $0 == "0" }
      #expect(digits.count <= 2 || label.contains("e"), "tick label \(label)")
    }
    #expect(try Programs.dnn(["report", out]).status == 0)
    let html = try String(contentsOfFile: "\(out)/report.html", encoding: .utf8)
    #expect(html.contains("<th>parameters</th>") && html.contains("<th>test: best checkpoint</th>") && html.contains("<th>status</th>"))
    #expect(html.contains("Validation accuracy, all runs") && html.contains("\"batchSize\": 50,\n"))
    #expect(!html.contains("Interventions"), "a run nobody touched has none")
  }

  /// A convolutional run through every command: trained, evaluated, plotted, reported.
  @Test func aConvolutionalRunGoesThroughEveryCommand() throws {
    let folder = Programs.temporaryFolder(), out = Programs.temporaryFolder()
    let json = """
      {"runs": [{"name": "conv", "layers": [{"type": "conv2d", "channels": 4, "kernel": 5, "padding": 2}, {"type": "relu"},
      {"type": "maxpool", "size": 2}, {"type": "dense", "units": 10}, {"type": "softmax"}],
      "optimizer": {"type": "adam", "learningRate": 0.003}, "epochs": 2, "batchSize": 50, "trainSamples": 300}]}
      """
    _ = FileManager.default.createFile(atPath: "\(folder)/conv.json", contents: Data(json.utf8))
    let trained = try Programs.dnn(["train", "--config", "\(folder)/conv.json", "--out", out])
    #expect(trained.status == 0, "\(trained.errors)")
    let evaluated = try Programs.dnn(["evaluate", "\(out)/conv"])
    #expect(evaluated.status == 0 && evaluated.output.contains("test"), "\(evaluated.output)\(evaluated.errors)")
    #expect(try Programs.dnn(["plot", "\(out)/conv"]).status == 0)
    #expect(FileManager.default.fileExists(atPath: "\(out)/conv/digits.svg"))
    #expect(try Programs.dnn(["report", out]).status == 0)
    let html = try String(contentsOfFile: "\(out)/report.html", encoding: .utf8)
    #expect(html.contains("\"type\": \"conv2d\""))
  }

  /// The interventions journal (events.csv, as the dashboard writes it) marks the curves and
  /// is listed in the report.
  @Test func interventionsAreMarkedInTheFigures() throws {
    let out = Programs.temporaryFolder()
    #expect(try Programs.dnn(["train", "--config", RunSafetyTests.tinyConfig(epochs: 3), "--out", out]).status == 0)
    // A pause and a rate change at one step, five saves close together, one save apart.
    var journal = "step,epoch,time,event,detail\n6,1.0000,2026-11-29T12:00:00Z,pause,\n6,1.0000,2026-11-29T12:00:05Z,learning_rate,x0.5 -> 0.0015\n"
    for i in 0..<5 { journal += "\(10 + i),\(String(format: "%.4f", 2 + 0.05 * Double(i))),2026-11-29T12:01:0\(i)Z,save,last.safetensors\n" }
    journal += "16,3.0000,2026-11-29T12:02:00Z,save,last.safetensors\n"
    try journal.write(toFile: "\(out)/tiny/events.csv", atomically: true, encoding: .utf8)
    #expect(try Programs.dnn(["plot", "\(out)/tiny"]).status == 0)
    let svg = try String(contentsOfFile: "\(out)/tiny/curves.svg", encoding: .utf8)
    // Labels grouped, never piled: `*2` for the two kinds at one step, `V×5`, then a lone `V`.
    #expect(svg.contains("stroke=\"#888\" stroke-dasharray=\"2,2\"") && svg.contains(">*2</text>") && svg.contains(">V×5</text>"))
    #expect(svg.contains(">V</text>") && !svg.contains(">P</text>"), "\(svg.prefix(400))")
    #expect(svg.contains("marks: P pause · L rate · V save · * several") && svg.contains(">Learning rate</text>"))
    #expect(try Programs.dnn(["report", out]).status == 0)
    let html = try String(contentsOfFile: "\(out)/report.html", encoding: .utf8)
    #expect(html.contains("<li><b>L</b> learning rate x0.5 -&gt; 0.0015 (epoch 1.00, step 6, 2026-11-29T12:00:05Z)</li>"), "\(html)")
  }

  /// `dnn evaluate RUNS --ensemble`: the runs' mean probabilities scored on the test digits, and
  /// the gain over the best member; one run alone is refused with a line.
  @Test func anEnsembleOfSeeds() throws {
    let out = Programs.temporaryFolder()
    for seed in ["1", "2", "3"] {
      let trained = try Programs.dnn(["train", "--config", RunSafetyTests.tinyConfig(epochs: 2), "--seed", seed, "--out", out])
      #expect(trained.status == 0, "\(trained.errors)")
    }
    let evaluated = try Programs.dnn(["evaluate", out, "--ensemble", "--samples", "0"])
    #expect(evaluated.status == 0 && evaluated.output.contains("ensemble of 3 runs (the mean of their probabilities): test "), "\(evaluated.output)\(evaluated.errors)")
    #expect(evaluated.output.contains("points over its best member"))
    let json = try Programs.dnn(["evaluate", out, "--ensemble", "--json"])
    let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
    let ensemble = object?["ensemble"] as? [String: Any]
    #expect((ensemble?["members"] as? [String])?.count == 3 && (ensemble?["test"] as? [String: Any])?["accuracy"] is Double, "\(json.output)")
    let alone = try Programs.dnn(["evaluate", "\(out)/tiny-seed=1", "--ensemble"])
    #expect(alone.status != 0 && alone.errors.contains("--ensemble needs two runs or more"), "\(alone.output)\(alone.errors)")
  }
}
