import Foundation
import Testing

/// Line counts of files read back.
enum RunLogFile {
  static func lines(_ path: String) -> Int {
    ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").count
  }
}

/// The real `dnn-tui` binary in a real terminal (tmux at 120x40), driven with keys the way a
/// user drives it. Needs tmux (installed by .ci/run) and a built `dnn-tui` next to the tests.
@Suite(.serialized) struct EndToEndTests {
  /// A private tmux server running one dashboard.
  final class Session {
    let socket = "dnn-e2e-\(UUID().uuidString.prefix(8))"
    let binary: String

    /// Where the session's runs are saved (`--out`), unless the arguments say otherwise.
    let out = Programs.temporaryFolder()

    init(arguments: String, environment: String = "TERM=tmux-256color") throws {
      binary = try Programs.path("dnn-tui")
      let root = Programs.root
      let arguments = ["--run ", "--out ", "--no-save"].contains { arguments.contains($0) } ? arguments : arguments + " --out \(out)"
      // The tmux server this starts keeps whatever output it was given open: give it none.
      try run(["new-session", "-d", "-x", "120", "-y", "40", "-s", "e2e",
               "cd \(root.path) && \(environment) \(binary) \(arguments); echo EXIT=$?; sleep 60"])
    }

    deinit {
      try? run(["kill-server"])
      // A dashboard that outlived its server (it was seen once) must not train on behind the
      // tests' backs: its command line holds this session's unique folder.
      _ = try? Spawn.run(["pkill", "-KILL", "-f", out])
    }

    /// Runs a tmux command on this session's server and returns its standard output.
    @discardableResult
    func tmux(_ arguments: String...) throws -> String { try Spawn.run(["tmux", "-L", socket] + arguments).output }

    func screen() -> String { (try? tmux("capture-pane", "-p", "-t", "e2e")) ?? "" }
    func keys(_ keys: String...) { try? run(["send-keys", "-t", "e2e"] + keys) }

    /// Runs a tmux command whose output is not needed.
    func run(_ arguments: [String]) throws { _ = try Spawn.run(["tmux", "-L", socket] + arguments) }

    /// Polls the screen until `condition` holds or `seconds` pass; returns the last screen.
    func waitFor(_ seconds: Double, _ condition: (String) -> Bool) -> (ok: Bool, screen: String, elapsed: Double) {
      let start = Date()
      var last = ""
      while Date().timeIntervalSince(start) < seconds {
        last = screen()
        if condition(last) { return (true, last, Date().timeIntervalSince(start)) }
        Thread.sleep(forTimeInterval: 0.05)
      }
      return (false, last, seconds)
    }
  }

  struct E2EError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
  }

  /// "epoch 3/400  batch 12/29" from the header.
  static func position(_ screen: String) -> (epoch: Int, batch: Int)? {
    guard let range = screen.range(of: #"epoch (\d+)/\d+  batch (\d+)/\d+"#, options: .regularExpression) else { return nil }
    let numbers = screen[range].split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
    return (numbers[0], numbers[2])
  }

  static func step(_ screen: String) -> Int? {
    guard let range = screen.range(of: #"step [\d,]+"#, options: .regularExpression) else { return nil }
    return Int(screen[range].dropFirst(5).replacingOccurrences(of: ",", with: ""))
  }

  @Test func aUserSession() throws {
    let session = try Session(arguments: "--config assets/configs/default.json --epochs 400")
    // First frame with every panel within 5 s.
    let panels = ["Loss", "Accuracy", "Gradient norms", "Validation digits", "Confusion matrix", "q quit"]
    let first = session.waitFor(5) { s in panels.allSatisfy { s.contains($0) } && s.contains("true ") }
    #expect(first.ok, "first frame incomplete after 5 s:\n\(first.screen)")
    // Curves gain points while running.
    let stepA = Self.step(first.screen) ?? 0
    let later = session.waitFor(5) { (Self.step($0) ?? 0) > stepA + 20 }
    #expect(later.ok, "the step counter did not move:\n\(later.screen)")
    #expect(later.screen.contains("RUNNING"))
    // Space pauses; the batch counter stays still for 2 s.
    session.keys("Space")
    let paused = session.waitFor(3) { $0.contains("PAUSED") }
    #expect(paused.ok, "no PAUSED after space:\n\(paused.screen)")
    let before = Self.position(paused.screen)
    Thread.sleep(forTimeInterval: 2)
    let still = session.screen()
    #expect(Self.position(still)?.epoch == before?.epoch && Self.position(still)?.batch == before?.batch)
    #expect(Self.step(still) == Self.step(paused.screen))
    // n runs to the end of the epoch and pauses; n again advances exactly one epoch.
    session.keys("n")
    let stepped = session.waitFor(5) { s in s.contains("PAUSED") && Self.position(s)?.batch == 29 }
    #expect(stepped.ok, "n did not finish the epoch:\n\(stepped.screen)")
    let epoch = Self.position(stepped.screen)?.epoch ?? -1
    let stepBefore = Self.step(stepped.screen) ?? -1
    session.keys("n")
    let next = session.waitFor(5) { s in s.contains("PAUSED") && Self.position(s)?.epoch == epoch + 1 && Self.position(s)?.batch == 29 }
    #expect(next.ok, "a second n did not advance exactly one epoch:\n\(next.screen)")
    #expect(Self.step(next.screen) == stepBefore + 29)
    // Right arrow changes the digit.
    let digitLine = { (s: String) in s.split(separator: "\n").first { $0.contains("true ") && $0.contains("pred ") }.map(String.init) ?? "" }
    let shown = digitLine(next.screen)
    session.keys("Right")
    let browsed = session.waitFor(3) { digitLine($0) != shown && digitLine($0).contains("2/") }
    #expect(browsed.ok, "right arrow did not change the digit:\n\(browsed.screen)")
    // ? shows the help; Esc closes it and the run goes on; Alt+x does nothing.
    session.keys("?")
    #expect(session.waitFor(3) { $0.contains("pause / resume training") }.ok)
    session.keys("Escape")
    let closed = session.waitFor(3) { !$0.contains("pause / resume training") }
    #expect(closed.ok && !closed.screen.contains("EXIT="), "Esc did more than close the help:\n\(closed.screen)")
    session.keys("M-x")
    Thread.sleep(forTimeInterval: 0.5)
    #expect(!session.screen().contains("EXIT="), "Alt+x quit the dashboard")
    // Too small, then back.
    try session.run(["resize-window", "-t", "e2e", "-x", "50", "-y", "12"])
    let small = session.waitFor(3) { $0.contains("terminal too small (need 80x24, have 50x12)") }
    #expect(small.ok, "no too-small screen:\n\(small.screen)")
    try session.run(["resize-window", "-t", "e2e", "-x", "120", "-y", "40"])
    #expect(session.waitFor(3) { s in panels.allSatisfy { s.contains($0) } }.ok)
    // q asks first while training; any other key stays.
    session.keys("q")
    #expect(session.waitFor(3) { $0.contains("quit and stop training? q again") }.ok, "q did not ask:\n\(session.screen())")
    session.keys("m")
    let stayed = session.waitFor(3) { !$0.contains("quit and stop training?") }
    #expect(stayed.ok && !stayed.screen.contains("EXIT="), "any key did not cancel the quit:\n\(stayed.screen)")
    // q, q exits 0 within 3 s, out of the alternate screen, saying where the run was saved.
    session.keys("q")
    #expect(session.waitFor(3) { $0.contains("quit and stop training?") }.ok)
    session.keys("q")
    let exited = session.waitFor(3) { $0.contains("EXIT=") }
    #expect(exited.ok && exited.screen.contains("EXIT=0"), "no clean exit:\n\(exited.screen)")
    #expect(exited.screen.contains("saved in \(session.out)/mlp-256-128"), "\(exited.screen)")
    #expect(FileManager.default.fileExists(atPath: "\(session.out)/mlp-256-128/last.safetensors"))
    let alternate = try session.tmux("display-message", "-p", "-t", "e2e", "#{alternate_on}")
    #expect(alternate.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
  }

  @Test func sigtermRestoresTheTerminal() throws {
    let session = try Session(arguments: "--config assets/configs/default.json --epochs 400")
    #expect(session.waitFor(5) { $0.contains("RUNNING") }.ok)
    let pid = try session.tmux("display-message", "-p", "-t", "e2e", "#{pane_pid}").trimmingCharacters(in: .whitespacesAndNewlines)
    // The pane's shell runs dnn-tui as its child.
    try Spawn.run(["pkill", "-TERM", "-P", pid, "dnn-tui"])
    let exited = session.waitFor(5) { $0.contains("EXIT=") }
    #expect(exited.ok && exited.screen.contains("EXIT=143"), "\(exited.screen)")
    #expect(try session.tmux("display-message", "-p", "-t", "e2e", "#{alternate_on}").contains("0"))
  }

  /// A run saved by `dnn train`, continued in the dashboard: it trains on in its own folder.
  @Test func resumingASavedRunWritesIntoItsFolder() throws {
    let runs = Programs.temporaryFolder()
    let config = RunSafetyTests.tinyConfig(epochs: 1)
    #expect(try Programs.dnn(["train", "--config", config, "--out", runs]).status == 0)
    let session = try Session(arguments: "--run \(runs)/tiny --resume --epochs 3")
    let finished = session.waitFor(20) { $0.contains("FINISHED") }
    #expect(finished.ok, "the resumed run did not finish:\n\(finished.screen)")
    session.keys("q")
    #expect(session.waitFor(5) { $0.contains("EXIT=0") }.ok)
    let metrics = try String(contentsOfFile: "\(runs)/tiny/metrics.csv", encoding: .utf8)
    #expect(metrics.split(separator: "\n").count == 4, "\(metrics)")  // header + 3 epochs
    #expect(try FileManager.default.contentsOfDirectory(atPath: runs) == ["tiny"])
  }

  /// Saving by default: a taken name gets -2; --overwrite replaces the run folder instead.
  @Test func savedRunsNeverOverwriteUnlessAsked() throws {
    let runs = Programs.temporaryFolder()
    let config = RunSafetyTests.tinyConfig(epochs: 1)
    #expect(try Programs.dnn(["train", "--config", config, "--out", runs]).status == 0)
    let second = try Session(arguments: "--config \(config) --out \(runs)")
    #expect(second.waitFor(20) { $0.contains("FINISHED") }.ok)
    second.keys("q")
    let exited = second.waitFor(5) { $0.contains("EXIT=0") }
    #expect(exited.screen.contains("saved in \(runs)/tiny-2"), "\(exited.screen)")
    let third = try Session(arguments: "--config \(config) --out \(runs) --overwrite")
    #expect(third.waitFor(20) { $0.contains("FINISHED") }.ok)
    third.keys("q")
    let replaced = third.waitFor(5) { $0.contains("EXIT=0") }
    #expect(replaced.screen.contains("saved in \(runs)/tiny "), "\(replaced.screen)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: runs).sorted() == ["tiny", "tiny-2"])
  }

  /// No validation set: every validation number is NaN, shown as a dash, and nothing crashes.
  @Test func aRunWithoutValidationShowsDashes() throws {
    let folder = Programs.temporaryFolder()
    let json = try String(contentsOfFile: RunSafetyTests.tinyConfig(epochs: 2), encoding: .utf8)
      .replacingOccurrences(of: "\"trainSamples\": 300", with: "\"trainSamples\": 300, \"validationFraction\": 0")
    _ = FileManager.default.createFile(atPath: "\(folder)/noval.json", contents: Data(json.utf8))
    let session = try Session(arguments: "--config \(folder)/noval.json")
    let finished = session.waitFor(20) { $0.contains("FINISHED") }
    #expect(finished.ok, "no FINISHED:\n\(finished.screen)")
    #expect(!finished.screen.contains("EXIT="), "the dashboard exited:\n\(finished.screen)")
    session.keys("q")
    let exited = session.waitFor(5) { $0.contains("EXIT=") }
    #expect(exited.screen.contains("EXIT=0"), "\(exited.screen)")
  }

  /// A C locale gets ASCII by itself; a terminal without cursor movement gets one clear line.
  @Test func theCLocaleDrawsASCIIAndADumbTerminalIsRefused() throws {
    let ascii = try Session(arguments: "--config assets/configs/default.json --epochs 2 --no-save", environment: "TERM=tmux-256color LANG=C LC_ALL=C")
    let shown = ascii.waitFor(10) { $0.contains("FINISHED") }
    #expect(shown.ok, "\(shown.screen)")
    let isASCII = shown.screen.unicodeScalars.allSatisfy { $0.isASCII }
    #expect(isASCII, "not ASCII in the C locale:\n\(shown.screen)")
    // The lines printed after it too (`test 88.3% . final model`, not a UTF-8 `·`).
    ascii.keys("q")
    let closed = ascii.waitFor(5) { $0.contains("EXIT=") }
    #expect(closed.screen.contains("% . final model") && closed.screen.unicodeScalars.allSatisfy { $0.isASCII }, "\(closed.screen)")
    let dumb = try Session(arguments: "--config assets/configs/default.json --epochs 2 --no-save", environment: "TERM=dumb")
    let refused = dumb.waitFor(5) { $0.contains("EXIT=") }
    #expect(refused.screen.contains("this terminal cannot show the dashboard (TERM=dumb)") && refused.screen.contains("EXIT=1"), "\(refused.screen)")
  }

  /// A dashboard started with hang-ups ignored (nohup, `trap '' HUP`) whose terminal vanishes
  /// stops and saves its run and exits, instead of spinning on a dead terminal.
  @Test func aVanishedTerminalEndsTheDashboardWithItsRunSaved() throws {
    let session = try Session(arguments: "--config assets/configs/default.json --epochs 300", environment: "trap '' HUP; TERM=tmux-256color")
    #expect(session.waitFor(10) { $0.contains("RUNNING") && (Self.step($0) ?? 0) > 40 }.ok, "\(session.screen())")
    let pattern = "^/[^ ]*dnn-tui --config assets/configs/default.json --epochs 300 --out \(session.out)"
    let pids = try Spawn.run(["pgrep", "-f", pattern]).output.split(separator: "\n")
    #expect(pids.count == 1, "\(pids)")
    _ = try? session.tmux("kill-server")
    let deadline = Date().addingTimeInterval(15)
    while Date() < deadline, (try? Spawn.run(["pgrep", "-f", pattern]))?.output.isEmpty == false { Thread.sleep(forTimeInterval: 0.1) }
    #expect((try? Spawn.run(["pgrep", "-f", pattern]))?.output.isEmpty == true, "dnn-tui still runs without its terminal")
    let record = (try? String(contentsOfFile: "\(session.out)/mlp-256-128/run.json", encoding: .utf8)) ?? ""
    #expect(record.contains("\"status\" : \"stopped\""), "\(record)")
  }

  /// COLUMNS and LINES left in the environment (a shell's stale ones) do not shrink the
  /// terminal; a crash (SIGSEGV from outside here) gives the terminal back and waits for no key.
  @Test func environmentSizesAreIgnoredAndACrashRestoresTheTerminal() throws {
    let session = try Session(arguments: "--config assets/configs/default.json --epochs 300 --no-save", environment: "TERM=tmux-256color COLUMNS=5 LINES=3")
    let shown = session.waitFor(10) { $0.contains("RUNNING") }
    #expect(shown.ok && !shown.screen.contains("too small"), "\(shown.screen)")
    let pids = try Spawn.run(["pgrep", "-f", "^/[^ ]*dnn-tui --config assets/configs/default.json --epochs 300 --no-save"]).output
    for pid in pids.split(separator: "\n") { _ = try? Spawn.run(["kill", "-SEGV", String(pid)]) }
    let ended = session.waitFor(20) { $0.contains("EXIT=") }
    #expect(ended.ok && !ended.screen.contains("Press space"), "\(ended.screen)")
    #expect(!ended.screen.contains("EXIT=0"), "a crash ends with a failure status: \(ended.screen)")
  }

  /// A configuration of three runs: all trained in order and saved, listed in the runs panel,
  /// Tab changes the run the header names.
  static func sweepConfig(epochs: Int, names: [String] = ["one", "two", "three"]) -> String {
    let folder = Programs.temporaryFolder()
    let runs = names.enumerated().map { index, name in
      """
      {"name": "\(name)", "layers": [{"type": "dense", "units": \(8 * (index + 1))}, {"type": "relu"}, {"type": "dense", "units": 10},
      {"type": "softmax"}], "optimizer": {"type": "adam", "learningRate": 0.003}, "epochs": \(epochs), "batchSize": 50, "trainSamples": 300}
      """
    }
    _ = FileManager.default.createFile(atPath: "\(folder)/sweep.json", contents: Data("{\"runs\": [\(runs.joined(separator: ","))]}".utf8))
    return "\(folder)/sweep.json"
  }

  /// The name in the header: `diy-dnn │ NAME │ ...`.
  static func headerName(_ screen: String) -> String? {
    screen.split(separator: "\n").first?.split(separator: "│").dropFirst().first?.trimmingCharacters(in: .whitespaces)
  }

  @Test func aSweepTrainsEveryRunAndTabChangesTheFocus() throws {
    let session = try Session(arguments: "--config \(Self.sweepConfig(epochs: 3))")
    let done = session.waitFor(30) { $0.contains("Runs (3/3 done)") }
    #expect(done.ok, "the sweep did not end:\n\(done.screen)")
    for name in ["one", "two", "three"] { #expect(done.screen.contains("\(name) "), "\(name) missing:\n\(done.screen)") }
    let first = Self.headerName(done.screen)
    session.keys("Tab")
    let tabbed = session.waitFor(3) { Self.headerName($0) != first }
    #expect(tabbed.ok, "Tab did not change the focused run (\(first ?? "")):\n\(tabbed.screen)")
    session.keys("1")
    #expect(session.waitFor(3) { Self.headerName($0) == "one" }.ok)
    session.keys("q")
    let exited = session.waitFor(5) { $0.contains("EXIT=") }
    #expect(exited.screen.contains("EXIT=0"), "\(exited.screen)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: session.out).sorted() == ["one", "three", "two"])
    for name in ["one", "two", "three"] {
      #expect(RunLogFile.lines("\(session.out)/\(name)/metrics.csv") == 4, "\(name): header + 3 epochs")
    }
  }

  /// A run of the sweep that cannot train (a batch larger than its data) fails alone, leaves no
  /// folder, and the sweep goes on; the exit status says something failed.
  @Test func aRunThatCannotTrainFailsAloneAndTheSweepGoesOn() throws {
    let folder = Programs.temporaryFolder()
    let run = { (name: String, batch: Int) in
      "{\"name\": \"\(name)\", \"layers\": [{\"type\": \"dense\", \"units\": 8}, {\"type\": \"relu\"}, {\"type\": \"dense\", \"units\": 10}, {\"type\": \"softmax\"}], \"epochs\": 2, \"batchSize\": \(batch), \"trainSamples\": 300}"
    }
    let json = "{\"runs\": [\(run("ok1", 50)), \(run("toobig", 5000)), \(run("ok2", 50))]}"
    _ = FileManager.default.createFile(atPath: "\(folder)/sweep.json", contents: Data(json.utf8))
    let session = try Session(arguments: "--config \(folder)/sweep.json")
    let done = session.waitFor(20) { $0.contains("Runs (3/3 done)") }
    #expect(done.ok && done.screen.contains("FAILED"), "\(done.screen)")
    session.keys("q")
    let exited = session.waitFor(5) { $0.contains("EXIT=") }
    #expect(exited.screen.contains("EXIT=1") && exited.screen.contains("batchSize 5000 is larger than the 300 training samples"), "\(exited.screen)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: session.out).sorted() == ["ok1", "ok2"])
  }

  /// `x` on a queued run skips it; on the training run it stops it and the sweep goes on.
  @Test func xSkipsAndStopsWhileTheSweepGoesOn() throws {
    let session = try Session(arguments: "--config \(Self.sweepConfig(epochs: 3000))")
    #expect(session.waitFor(10) { $0.contains("RUNNING") && Self.headerName($0) == "one" }.ok)
    session.keys("3")
    #expect(session.waitFor(3) { Self.headerName($0) == "three" && $0.contains("QUEUED") }.ok)
    session.keys("x")
    #expect(session.waitFor(3) { $0.contains("three skipped") }.ok, "\(session.screen())")
    session.keys("1")
    session.keys("x")
    let second = session.waitFor(10) { $0.contains("STOPPED") && $0.contains("two ") && $0.split(separator: "\n").contains { $0.contains("two") && $0.contains("RUNNING") } }
    #expect(second.ok, "stopping one did not start two:\n\(second.screen)")
    session.keys("q")
    #expect(session.waitFor(3) { $0.contains("quit and stop training?") }.ok)
    session.keys("q")
    let exited = session.waitFor(10) { $0.contains("EXIT=") }
    #expect(exited.screen.contains("EXIT=0") && exited.screen.contains("three: SKIPPED"), "\(exited.screen)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: session.out).sorted() == ["one", "two"])
  }

  /// `dnn-tui RUNS` on a folder a background `dnn train` is writing follows it live, never
  /// writing into it; when the trainer stops, so does the following.
  /// A folder of runs opened empty waits: the first run a `dnn train --out` starts there joins
  /// and is followed; before it, q quits at once.
  @Test func anEmptyFolderOfRunsWaitsForTheFirstRun() throws {
    let empty = Programs.temporaryFolder()
    let quitter = try Session(arguments: empty)
    #expect(quitter.waitFor(5) { $0.contains("waiting for runs in \(empty)") }.ok, "\(quitter.screen())")
    quitter.keys("q")
    let quit = quitter.waitFor(5) { $0.contains("EXIT=0") }
    #expect(quit.ok && quit.screen.contains("no run folder appeared in \(empty)"), "\(quit.screen)")

    let runs = Programs.temporaryFolder()
    let session = try Session(arguments: runs)
    #expect(session.waitFor(5) { $0.contains("waiting for runs in") }.ok, "\(session.screen())")
    let trainer = try Spawn.start([try Programs.path("dnn"), "train", "--config", RunSafetyTests.tinyConfig(epochs: 100_000), "--out", runs])
    defer { kill(trainer, SIGKILL); _ = Spawn.wait(trainer) }
    let following = session.waitFor(15) { $0.contains("tiny") && $0.contains("FOLLOWING") && Self.position($0) != nil }
    #expect(following.ok, "the new run did not join:\n\(following.screen)")
    kill(trainer, SIGINT)
    #expect(Spawn.wait(trainer) == 130)
    #expect(session.waitFor(10) { $0.contains("STOPPED") }.ok, "\(session.screen())")
    session.keys("q")
    #expect(session.waitFor(5) { $0.contains("EXIT=0") }.ok, "\(session.screen())")
  }

  @Test func aHeadlessRunIsFollowedLive() throws {
    let runs = Programs.temporaryFolder()
    let trainer = try Spawn.start([try Programs.path("dnn"), "train", "--config", RunSafetyTests.tinyConfig(epochs: 100_000), "--out", runs])
    defer { kill(trainer, SIGKILL); _ = Spawn.wait(trainer) }
    let deadline = Date().addingTimeInterval(10)
    while !FileManager.default.fileExists(atPath: "\(runs)/tiny/metrics.csv") && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    let session = try Session(arguments: runs)
    let following = session.waitFor(10) { $0.contains("FOLLOWING") && Self.position($0) != nil }
    #expect(following.ok, "not following:\n\(following.screen)")
    let epoch = Self.position(following.screen)?.epoch ?? 0
    let advanced = session.waitFor(10) { (Self.position($0)?.epoch ?? 0) > epoch + 2 }
    #expect(advanced.ok, "the epoch counter did not advance past \(epoch):\n\(advanced.screen)")
    session.keys("Space")
    #expect(session.waitFor(3) { $0.contains("tiny is trained by another process: space does nothing here") }.ok)
    kill(trainer, SIGINT)
    #expect(Spawn.wait(trainer) == 130)
    let stopped = session.waitFor(10) { $0.contains("STOPPED") && !$0.contains("FOLLOWING") }
    #expect(stopped.ok, "following did not end with the trainer:\n\(stopped.screen)")
    session.keys("q")
    #expect(session.waitFor(5) { $0.contains("EXIT=0") }.ok, "\(session.screen())")
    #expect(try FileManager.default.contentsOfDirectory(atPath: "\(runs)/tiny").sorted()
            == [".lock", "best.safetensors", "config.json", "events.out.tfevents.diy-dnn", "last.safetensors", "metrics.csv", "run.json", "steps.csv"])
  }

  /// A headless sweep followed from its folder of runs: the runs `dnn train` starts later join
  /// the dashboard as their folders appear.
  @Test func aHeadlessSweepIsFollowedRunByRun() throws {
    let runs = Programs.temporaryFolder()
    // 600 epochs of 300 samples: a second or more per run, so that the first run is still the
    // one training when the dashboard, started under the parallel tests' load, first draws.
    let trainer = try Spawn.start([try Programs.path("dnn"), "train", "--config", Self.sweepConfig(epochs: 600), "--out", runs])
    defer { kill(trainer, SIGKILL); _ = Spawn.wait(trainer) }
    let deadline = Date().addingTimeInterval(10)
    while !FileManager.default.fileExists(atPath: "\(runs)/one/config.json") && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    let session = try Session(arguments: runs)
    let first = session.waitFor(10) { $0.contains("one") }
    #expect(first.ok && !first.screen.contains("three "), "\(first.screen)")
    let all = session.waitFor(60) { $0.contains("Runs (3/3 done)") }
    #expect(all.ok, "the later runs did not join:\n\(all.screen)")
    #expect(Spawn.wait(trainer) == 0)
    session.keys("q")
    #expect(session.waitFor(5) { $0.contains("EXIT=0") }.ok, "\(session.screen())")
  }

  /// `f` then Enter forks the run: a second run folder whose first step follows the parent's
  /// step at the fork, journalled in both runs' events.csv.
  @Test func aForkStartsFromTheParentsStep() throws {
    let session = try Session(arguments: "--config \(RunSafetyTests.tinyConfig(epochs: 100_000))")
    #expect(session.waitFor(10) { $0.contains("RUNNING") && (Self.step($0) ?? 0) > 20 }.ok)
    session.keys("f")
    #expect(session.waitFor(3) { $0.contains("fork ×1/2 of tiny: learning rate") }.ok, "\(session.screen())")
    session.keys("Enter")
    let forked = session.waitFor(10) { $0.contains("tiny-fork1") && $0.contains("run 2/2") }
    #expect(forked.ok, "no fork:\n\(forked.screen)")
    // Quit once the fork has trained a step (on a loaded machine it may not have yet).
    let atFork = Self.step(forked.screen) ?? 0
    _ = session.waitFor(10) { (Self.step($0) ?? 0) > atFork }
    session.keys("q")
    session.keys("q")
    let exited = session.waitFor(10) { $0.contains("EXIT=") }
    #expect(exited.screen.contains("EXIT=0") && exited.screen.contains("saved in \(session.out)/tiny-fork1"), "\(exited.screen)")
    let parentEvents = (try? String(contentsOfFile: "\(session.out)/tiny/events.csv", encoding: .utf8)) ?? ""
    let forkLine = parentEvents.split(separator: "\n").first { $0.contains(",fork,tiny-fork1") }
    let forkStep = forkLine.flatMap { Int($0.split(separator: ",")[0]) }
    #expect(forkStep != nil, "no fork in the parent's journal:\n\(parentEvents)")
    let steps = (try? String(contentsOfFile: "\(session.out)/tiny-fork1/steps.csv", encoding: .utf8)) ?? ""
    let firstStep = steps.split(separator: "\n").dropFirst().first.flatMap { Int($0.split(separator: ",")[0]) }
    #expect(firstStep != nil && firstStep == forkStep.map { $0 + 1 }, "fork's first step \(firstStep ?? -1), parent forked at \(forkStep ?? -1)")
    let forkEvents = (try? String(contentsOfFile: "\(session.out)/tiny-fork1/events.csv", encoding: .utf8)) ?? ""
    #expect(forkEvents.contains(",forked_from,tiny at step \(forkStep ?? -1)"), "\(forkEvents)")
  }

  /// ↓ puts a cursor on the most confused cell of the confusion matrix, Enter shows a digit of
  /// that cell in the browser.
  @Test func enterOnAConfusionCellShowsItsDigits() throws {
    let session = try Session(arguments: "--config assets/configs/default.json --epochs 3 --no-save")
    let done = session.waitFor(20) { $0.contains("FINISHED") && $0.contains("most confused: ") }
    #expect(done.ok, "\(done.screen)")
    // "most confused: 4→9 (3), ...": the first pair.
    guard let line = done.screen.split(separator: "\n").first(where: { $0.contains("most confused: ") }),
      let match = line.firstMatch(of: /most confused: (\d)(?:→|->)(\d)/)
    else { Issue.record("no pair"); return }
    let (truth, predicted) = (String(match.1), String(match.2))
    session.keys("Down")
    session.keys("Enter")
    let shown = session.waitFor(5) { $0.contains("true \(truth) ") && $0.contains("predicted \(predicted)") && $0.contains("pred \(predicted)") }
    #expect(shown.ok, "no digit of cell \(truth)→\(predicted):\n\(shown.screen)")
    session.keys("q")
    #expect(session.waitFor(5) { $0.contains("EXIT=0") }.ok)
  }

  /// A NaN step in the dashboard does not end the run: it goes back and pauses, and says so.
  @Test func aNaNStepPausesTheRunInsteadOfEndingIt() throws {
    let folder = Programs.temporaryFolder()
    let json = """
      {"runs": [{"name": "nan", "layers": [{"type": "dense", "units": 16}, {"type": "relu"}, {"type": "dense", "units": 10},
      {"type": "softmax"}], "optimizer": {"type": "sgd", "learningRate": 1e30}, "epochs": 5, "batchSize": 50, "trainSamples": 300}]}
      """
    _ = FileManager.default.createFile(atPath: "\(folder)/nan.json", contents: Data(json.utf8))
    let session = try Session(arguments: "--config \(folder)/nan.json")
    let paused = session.waitFor(10) { $0.contains("PAUSED") && $0.contains("back to the start of epoch 1 (step 0) and paused") }
    #expect(paused.ok && !paused.screen.contains("DIVERGED"), "\(paused.screen)")
    session.keys("q")
    session.keys("q")
    let exited = session.waitFor(5) { $0.contains("EXIT=") }
    #expect(exited.screen.contains("EXIT=0") && exited.screen.contains("nan: STOPPED"), "\(exited.screen)")
  }

  /// `v` opens the inside view on the browsed digit while the run trains: its saliency and the
  /// smallest nudge, PgDn a layer's output, Esc closes.
  @Test func theInsideViewLooksAtTheBrowsedDigit() throws {
    let session = try Session(arguments: "--config assets/configs/default.json --epochs 400 --no-save")
    #expect(session.waitFor(10) { $0.contains("RUNNING") && $0.contains(" true ") }.ok)
    session.keys("v")
    let shown = session.waitFor(10) {
      $0.contains("saliency and nudge") && $0.contains("|∂z") && $0.contains("reads ") && ($0.contains("→ reads") || $0.contains("reaches it"))
    }
    #expect(shown.ok, "\(shown.screen)")
    session.keys("NPage")
    #expect(session.waitFor(5) { $0.contains("layer 0 (of 6 layers)") && $0.contains("Dense(784 -> 256, he) → 256") }.ok, "\(session.screen())")
    session.keys("Escape")
    #expect(session.waitFor(3) { $0.contains("Validation digits") && !$0.contains("Inside validation") && $0.contains("RUNNING") }.ok)
  }

  /// `u` shows the distributions once an epoch has ended; `L` runs the learning-rate finder on a
  /// copy of the run and shows its answer; Esc closes each; training goes on.
  @Test func theDistributionsAndTheRateFinder() throws {
    let session = try Session(arguments: "--config assets/configs/default.json --epochs 400 --no-save")
    #expect(session.waitFor(10) { $0.contains("RUNNING") && $0.contains(" true ") }.ok)
    session.keys("u")
    #expect(session.waitFor(5) { $0.contains("Distributions by epoch: weights") && $0.contains("0.weight") }.ok, "\(session.screen())")
    session.keys("Right")
    #expect(session.waitFor(5) { $0.contains("Distributions by epoch: activations") && $0.contains("1.relu") }.ok, "\(session.screen())")
    session.keys("Escape")
    // (Waited for: an Esc followed at once by a key reads as Alt and that key.)
    #expect(session.waitFor(3) { !$0.contains("Distributions by epoch") }.ok)
    session.keys("L")
    let answered = session.waitFor(20) { $0.contains("Learning-rate finder: mlp-256-128") && ($0.contains("suggested ") || $0.contains("no suggestion")) }
    #expect(answered.ok, "\(answered.screen)")
    session.keys("Escape")
    #expect(session.waitFor(3) { $0.contains("Validation digits") && !$0.contains("Learning-rate finder") && $0.contains("RUNNING") }.ok)
  }

  /// `A` previews what the network is fed: the browsed digit and versions of it as the run's
  /// augment block draws them.
  @Test func theAugmentationPreview() throws {
    let folder = Programs.temporaryFolder()
    let json = """
      {"runs": [{"name": "aug", "layers": [{"type": "dense", "units": 32}, {"type": "relu"}, {"type": "dense", "units": 10},
      {"type": "softmax"}], "optimizer": {"type": "sgd", "learningRate": 0.05}, "epochs": 400, "batchSize": 100,
      "augment": {"shift": 1, "rotate": 10, "scale": 0.1, "elastic": 20}}]}
      """
    _ = FileManager.default.createFile(atPath: "\(folder)/aug.json", contents: Data(json.utf8))
    let session = try Session(arguments: "--config \(folder)/aug.json --no-save")
    #expect(session.waitFor(10) { $0.contains("RUNNING") && $0.contains(" true ") }.ok)
    session.keys("A")
    let shown = session.waitFor(5) { $0.contains("What the network is fed: aug") && $0.contains("rotations up to ±10°") && $0.contains("version 6") }
    #expect(shown.ok, "\(shown.screen)")
    session.keys("Escape")
    #expect(session.waitFor(3) { $0.contains("Validation digits") && !$0.contains("What the network is fed") }.ok)
  }

  /// `w` shows the first layer's units as tiles, PgDn pages, Esc closes; training goes on.
  @Test func theWeightsViewShowsTheFirstLayer() throws {
    let session = try Session(arguments: "--config assets/configs/default.json --epochs 400 --no-save")
    #expect(session.waitFor(10) { $0.contains("RUNNING") }.ok)
    session.keys("w")
    // Tile rows: half blocks in colour (full lines); without colour signed shades, blank where a
    // weight is near 0, so a row of four tiles holds at least 30 marks.
    // (Polled: a capture can land between two halves of a redraw.)
    let tileRows = { (screen: String) in screen.split(separator: "\n").filter { $0.filter { $0 != " " }.count >= 30 }.count }
    let shown = session.waitFor(5) {
      $0.contains("Layer 0 weights, Dense(784 -> 256, he)") && $0.contains("units 1-8 of 256") && tileRows($0) >= 28
    }
    #expect(shown.ok, "\(shown.screen)")
    let tiles = tileRows(shown.screen)
    #expect(tiles >= 28, "the tiles fill the screen: \(tiles) rows of them")
    session.keys("NPage")
    #expect(session.waitFor(3) { $0.contains("units 9-16 of 256, page 2/32") }.ok, "\(session.screen())")
    session.keys("Escape")
    #expect(session.waitFor(3) { $0.contains("Validation digits") && !$0.contains("Layer 0 weights") }.ok)
    session.keys("q")
    session.keys("q")
    #expect(session.waitFor(5) { $0.contains("EXIT=0") }.ok)
  }

  /// The instruments on the default model after training: `i` layer health, `e` the first dense
  /// layer's equations with its shapes, `g` a finite-difference check that passes, `d` a
  /// vertical stroke drawn with the keyboard read as a 1.
  @Test func theInstrumentsLookInsideTheTrainedModel() throws {
    let session = try Session(arguments: "--config assets/configs/default.json --no-save")
    #expect(session.waitFor(60) { $0.contains("FINISHED") }.ok, "\(session.screen())")
    session.keys("i")
    let health = session.waitFor(5) { $0.contains("Layer health, step") && $0.contains("dead") }
    #expect(health.ok, "\(health.screen)")
    session.keys("e")
    let equations = session.waitFor(5) { $0.contains("Layers") && $0.contains("backward") }
    #expect(equations.ok, "\(equations.screen)")
    #expect(equations.screen.contains("dW [256, 784] = dZᵀ [256, 128] · X [128, 784]"), "\(equations.screen)")
    session.keys("g")
    let checked = session.waitFor(10) { $0.contains("largest relative error") }
    #expect(checked.ok, "\(checked.screen)")
    let error = checked.screen.range(of: #"largest relative error [0-9.e+-]+"#, options: .regularExpression)
      .flatMap { Double(checked.screen[$0].split(separator: " ").last!) }
    #expect(error.map { $0 < 1e-2 } == true, "relative error \(String(describing: error)): \(checked.screen)")
    session.keys("Escape")
    #expect(session.waitFor(3) { !$0.contains("largest relative error") }.ok)
    session.keys("d")
    #expect(session.waitFor(3) { $0.contains("Draw a digit") }.ok)
    // Pen down, 16 pixels down, pen up: a vertical stroke. (Keys one by one: a terminal reads
    // Esc followed at once by a key as Alt+key.)
    session.keys("Space")
    for _ in 0..<16 { session.keys("Down") }
    session.keys("Space")
    let read = session.waitFor(5) { $0.contains("reads 1 ") }
    #expect(read.ok, "\(read.screen)")
    // Enter keeps it: listed under the canvas, and later in the digit browser.
    session.keys("Enter")
    #expect(session.waitFor(3) { $0.contains("kept (the digit browser lists them): 1 (") }.ok, "\(session.screen())")
    // The same stroke with the mouse: press, drag down a column of the canvas, release (the
    // terminal's X10 reports, as a terminal sends them once the pad turns the mouse on).
    session.keys("c")
    #expect(session.waitFor(3) { $0.contains("draw a digit") }.ok, "\(session.screen())")
    func mouse(_ button: Int, _ x: Int, _ y: Int) {
      let bytes = [27, 91, 77, 32 + button, 33 + x, 33 + y].map { Character(Unicode.Scalar(UInt8($0))) }
      session.keys("-l", String(bytes))
    }
    // Moving over the canvas with no button down draws nothing (the terminal reports every motion).
    for x in 10...20 { mouse(35, x, 8) }
    Thread.sleep(forTimeInterval: 0.3)
    #expect(session.screen().contains("draw a digit"), "a hover painted:\n\(session.screen())")
    mouse(0, 15, 6)
    for y in 7...13 { mouse(32, 15, y) }
    mouse(3, 15, 13)
    let drawn = session.waitFor(5) { $0.contains("reads 1 ") }
    #expect(drawn.ok, "\(drawn.screen)")
    // The same stroke over a slow link: each report cut after its ESC [, the rest 0.1 s later
    // (past the 25 ms ncurses waits for it): still a stroke, not keys (its space would lift the
    // pen, its letters act).
    session.keys("c")
    #expect(session.waitFor(3) { $0.contains("draw a digit") }.ok, "\(session.screen())")
    func cut(_ button: Int, _ x: Int, _ y: Int) {
      session.keys("-l", "\u{1B}[")
      Thread.sleep(forTimeInterval: 0.1)
      session.keys("-l", String([77, 32 + button, 33 + x, 33 + y].map { Character(Unicode.Scalar(UInt8($0))) }))
    }
    cut(0, 15, 6)
    for y in 7...13 { cut(32, 15, y) }
    cut(3, 15, 13)
    let slow = session.waitFor(5) { $0.contains("reads 1 ") }
    #expect(slow.ok, "\(slow.screen)")
    session.keys("Escape")
    let browsed = session.waitFor(3) { !$0.contains("Draw a digit") && $0.contains("Your digits") && $0.contains("1/1  read as 1") }
    #expect(browsed.ok, "\(browsed.screen)")
    session.keys("q")
    #expect(session.waitFor(5) { $0.contains("EXIT=0") }.ok, "\(session.screen())")
  }

  @Test func notATerminalPointsToDnnTrain() throws {
    let result = try Spawn.run([try Programs.path("dnn-tui")], input: "/dev/null")
    #expect(result.status == 1)
    #expect(result.errors.contains("dnn train"))
  }
}
