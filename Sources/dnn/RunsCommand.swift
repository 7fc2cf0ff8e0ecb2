import ArgumentParser
import DNN
import Foundation

/// `dnn runs`: the run folders of a folder, as a table, and removing runs by name.
struct RunsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "runs",
    abstract: "List the runs of a folder (status, epochs, best epoch, test accuracy, what sets each apart), or remove runs by name.",
    discussion: """
      --remove deletes run folders only (folders with config.json), only the files a run writes, and refuses a run \
      that a process is training or a folder holding anything else. On a terminal it asks first; otherwise pass --yes.
      """)

  @Argument(help: "A folder of run folders.") var folder = "runs"
  @Option(parsing: .upToNextOption, help: "Names of runs in the folder to remove.") var remove: [String] = []
  @Flag(help: "Remove without asking.") var yes = false
  @Flag(help: "Print the runs as one JSON object.") var json = false

  func run() throws { try reportingErrors(remove.isEmpty ? list : removeRuns) }

  private func list() throws {
    let runs = try SavedRun.find([folder])
    let differences = RunDifferences(runs.map(\.config))
    if json {
      print(JSONValue.object(["runs": .array(runs.enumerated().map { i, run in jsonValue(run, differences, i) })]).text)
      return
    }
    let rows = [["run", "status", "epochs", "best", "test", "sets it apart"]]
      + runs.enumerated().map { i, run in
        let record = run.record
        return [(run.path as NSString).lastPathComponent, record.status.label, "\(record.epochsDone)/\(record.epochsPlanned)",
                record.best?.text ?? "–", record.headlineTest.map { percent($0.metrics.accuracy) } ?? "–", differences.summary(of: i)]
      }
    print(TextTable.aligned(rows, left: [0, 1, 5]))
  }

  private func jsonValue(_ run: SavedRun, _ differences: RunDifferences, _ i: Int) -> JSONValue {
    let record = run.record
    return .object([
      "name": .string(run.config.name), "path": .string(run.path), "status": .string(record.status.rawValue),
      "epochs": .number(Double(record.epochsDone)), "epochsPlanned": .number(Double(record.epochsPlanned)),
      "bestEpoch": record.best.map { .number(Double($0.epoch)) } ?? .null,
      "test": record.headlineTest.map { .float($0.metrics.accuracy) } ?? .null,
      "differences": .object(Dictionary(uniqueKeysWithValues: zip(differences.settings.map(\.dotted), differences.values[i].map { .string($0) }))),
    ])
  }

  private func removeRuns() throws {
    let folders = try remove.map { name in
      let path = RunFiles.path(folder, name)
      if let problem = RunFolder.removalProblem(path) { throw ValidationError("\(path) \(problem)") }
      return path
    }
    if !yes {
      guard isatty(STDIN_FILENO) == 1 else {
        throw ValidationError("not on a terminal: pass --yes to remove \(folders.joined(separator: ", "))")
      }
      Console.write("remove \(folders.count == 1 ? "the run folder" : "\(folders.count) run folders") \(folders.joined(separator: ", "))? [y/N] ")
      guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
        print("nothing removed")
        return
      }
    }
    for path in folders {
      try RunFolder.removeRun(path)
      print("removed \(path)")
    }
  }
}
