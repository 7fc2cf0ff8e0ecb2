import Foundation
import Testing

/// Twelve runs on the dashboard (a grid sweep from a configuration's block), in tmux at
/// 120x40, with and without colour: each has a style of its own, each can be focused, and one
/// can be hidden from the overlaid curves and shown again.
@Suite(.serialized) struct ManyRunsTests {
  static func gridConfig() -> String {
    let folder = Programs.temporaryFolder()
    let config = """
      {"runs": [{"name": "g", "layers": [{"type": "dense", "units": 8}, {"type": "relu"}, {"type": "dense", "units": 10}, {"type": "softmax"}],
       "optimizer": {"type": "adam", "learningRate": 0.003}, "epochs": 1, "trainSamples": 200,
       "sweep": {"grid": {"optimizer.learningRate": [0.001, 0.003, 0.01], "batchSize": [20, 25, 40, 50]}}}]}
      """
    _ = FileManager.default.createFile(atPath: "\(folder)/grid.json", contents: Data(config.utf8))
    return "\(folder)/grid.json"
  }

  /// The name in the header, `diy-dnn │ NAME │ ...` (`|` in ASCII).
  static func headerName(_ screen: String) -> String? {
    screen.split(separator: "\n").first?.split(whereSeparator: { $0 == "│" || $0 == "|" }).dropFirst().first?
      .trimmingCharacters(in: .whitespaces)
  }

  /// The marker before `name` in the runs panel's row of the focused run (`3● name`), below
  /// the header.
  static func marker(of name: String, in screen: String) -> Character? {
    for line in screen.split(separator: "\n").dropFirst(2) {
      let characters = Array(line)
      let target = Array(" \(name) ")
      guard let start = (0..<max(characters.count - target.count, 0)).first(where: { Array(characters[$0..<$0 + target.count]) == target }),
        start >= 1
      else { continue }
      return characters[start - 1]
    }
    return nil
  }

  @Test(arguments: ["", "--no-color", "--ascii"]) func twelveRunsEachWithAStyleOfItsOwn(flag: String) throws {
    let session = try EndToEndTests.Session(arguments: "--config \(Self.gridConfig()) --no-save \(flag)")
    let done = session.waitFor(90) { $0.contains("Runs (12/12 done") }
    #expect(done.ok, "the sweep did not end:\n\(done.screen)")
    var markers: [String: Character] = [:]
    for _ in 0..<12 {
      session.keys("Tab")
      Thread.sleep(forTimeInterval: 0.15)
      let screen = session.waitFor(3) { Self.headerName($0).map { !markers.keys.contains($0) } ?? false }.screen
      guard let name = Self.headerName(screen) else { continue }
      markers[name] = Self.marker(of: name, in: screen)
    }
    #expect(markers.count == 12, "each run focusable: \(markers.keys.sorted())")
    #expect(Set(markers.values.compactMap { $0 }).count == 12, "distinct markers: \(markers)")
    // Hide the focused run from the overlay; another run's legend counts it; o shows it again.
    let hiddenName = Self.headerName(session.screen()) ?? ""
    session.keys("o")
    #expect(session.waitFor(3) { $0.contains("\(hiddenName) hidden from the overlay") }.ok)
    session.keys("Tab")
    let hidden = session.waitFor(3) { $0.contains("1 hidden") }
    #expect(hidden.ok, "the legend does not count the hidden run:\n\(hidden.screen)")
    session.keys("BTab")
    session.keys("o")
    #expect(session.waitFor(3) { $0.contains("\(hiddenName) shown in the overlay") }.ok)
    session.keys("Tab")
    #expect(session.waitFor(3) { !$0.contains("1 hidden") && $0.contains("more") }.ok, "the legend drops runs silently")
  }
}
