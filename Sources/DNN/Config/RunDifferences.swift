/// What sets runs apart: the settings whose values are not the same in every run (W&B's runs
/// table), found by comparing the runs' resolved configurations leaf by leaf. The name is
/// not a setting; the dataset counts by name and path (its files' digests follow from them).
/// `report.html`, `dnn evaluate`, `dnn runs` and the dashboard's runs panel show this one table.
public struct RunDifferences: Sendable {
  /// The settings that differ: those with labels of their own first, in `RunSetting.known`'s
  /// order (rate, batch, optimizer, seed, ...), then the rest in path order.
  public let settings: [RunSetting]
  /// For each run, for each setting: its value as written, or "-" when the run has none.
  public let values: [[String]]

  public init(_ configs: [RunConfig]) {
    // Runs whose layers differ in number or kind differ in one setting, `layers`, each run's
    // written in short (`[LayerSpec].modelLine`): leaf by leaf, every layer after the first
    // difference would be a column of its own (`layers.7.type=maxpool layers.7.size=2 ...`).
    let restructured = Set(configs.map { $0.layers.map(\.configName) }).count > 1
    let leaves = configs.map { config in
      var leaves = Dictionary(
        config.jsonValue.leaves.filter { RunDifferences.compares($0.path) && !(restructured && $0.path.first == "layers") }
          .map { ($0.path, $0.value.plainText) },
        uniquingKeysWith: { first, _ in first })
      if restructured { leaves[["layers"]] = config.layers.modelLine }
      return leaves
    }
    let paths = Set(leaves.flatMap(\.keys)).sorted { $0.lexicographicallyPrecedes($1, by: RunDifferences.precedes) }
    let known = { (path: [String]) in RunSetting.known.firstIndex { $0.path == path } ?? RunSetting.known.count }
    let differing = paths.filter { path in Set(leaves.map { $0[path] ?? "-" }).count > 1 }
      .enumerated().sorted { (known($0.element), $0.offset) < (known($1.element), $1.offset) }.map(\.element)
    settings = differing.map { path in RunSetting.known.first { $0.path == path } ?? RunSetting(path: path, label: path.joined(separator: ".")) }
    values = leaves.map { run in differing.map { run[$0] ?? "-" } }
  }

  /// Whether a leaf takes part: not the name, not the dataset's digests.
  private static func compares(_ path: [String]) -> Bool {
    path != ["name"] && !(path.first == "dataset" && path.dropFirst().first == "sha256")
  }

  /// Path order, array indices by number (`layers.2` before `layers.10`).
  private static func precedes(_ a: String, _ b: String) -> Bool {
    if let x = Int(a), let y = Int(b) { return x < y }
    return a < b
  }

  /// Run `index`'s differing settings in one line (`batch=64 lr=0.01`); empty when nothing
  /// differs.
  public func summary(of index: Int) -> String {
    zip(settings, values[index]).map { $0.named($1) }.joined(separator: " ")
  }
}
