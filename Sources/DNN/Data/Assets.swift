import Foundation

/// Finds the project's `assets/` folder (bundled MNIST digits, default configurations).
public enum Assets {
  /// The first of: `$DNN_ASSETS`, `./assets`, an install prefix's `share/diy-dnn` beside the
  /// executable's `bin/` (`scripts/install.sh`), or an `assets` folder beside or above the
  /// running executable (so `swift run` and `.build/release/dnn` work from any directory).
  public static func folder() -> String? {
    folder(
      environment: ProcessInfo.processInfo.environment, workingDirectory: FileManager.default.currentDirectoryPath,
      executable: CommandLine.arguments.first.map(resolveExecutable) ?? "")
  }

  /// `folder()` for a given environment, working directory and executable path (for tests).
  static func folder(environment: [String: String], workingDirectory: String, executable: String) -> String? {
    var candidates: [String] = []
    if let env = environment["DNN_ASSETS"] { candidates.append(env) }
    candidates.append(workingDirectory + "/assets")
    let bin = URL(fileURLWithPath: executable).deletingLastPathComponent()
    candidates.append(bin.deletingLastPathComponent().appendingPathComponent("share/diy-dnn").path)
    var dir = bin
    for _ in 0..<6 {
      candidates.append(dir.appendingPathComponent("assets").path)
      dir.deleteLastPathComponent()
    }
    let fm = FileManager.default
    guard let found = candidates.first(where: { fm.fileExists(atPath: $0 + "/configs/default.json") }) else { return nil }
    // Shown to users (dataset names, messages): relative when it is the working directory's.
    return found == workingDirectory + "/assets" ? "assets" : found
  }

  /// The bundled MNIST folder.
  public static func mnistFolder() throws -> String {
    guard let folder = folder() else { throw missing }
    return folder + "/mnist"
  }

  /// The default run configuration file (`dnn train`: the reference MLP).
  public static func defaultConfig() throws -> String { try config("default.json") }

  /// The dashboard's default: the original's experiment as a sweep (architecture scan,
  /// reference MLP, best configuration), 13-16 s on the bundled digits (Intel, 2 vCPUs).
  public static func experimentConfig() throws -> String { try config("experiment.json") }

  /// The bundled configuration file `name`.
  public static func config(_ name: String) throws -> String {
    guard let folder = folder() else { throw missing }
    return folder + "/configs/" + name
  }

  /// The bundled configurations' names (`cnn.json`, ...), sorted; none without the assets.
  public static func bundledConfigs() -> [String] {
    guard let folder = folder() else { return [] }
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder + "/configs")) ?? []
    return names.filter { $0.hasSuffix(".json") }.sorted()
  }

  /// `path` when it names a file; else, for a bare name (`cnn` or `cnn.json`), the bundled
  /// configuration of that name when there is one (so `--config cnn.json` works from any
  /// folder after `scripts/install.sh`); else `path` unchanged.
  public static func configPath(_ path: String) -> String {
    guard !FileManager.default.fileExists(atPath: path), !path.contains("/") else { return path }
    let name = path.hasSuffix(".json") ? path : path + ".json"
    guard bundledConfigs().contains(name), let found = try? config(name) else { return path }
    return found
  }

  private static var missing: DataError {
    DataError(path: "assets/", problem: "the bundled assets folder was not found",
              hint: "Install with scripts/install.sh, run from the project folder, set DNN_ASSETS to the assets folder, or pass --data-dir and --config.")
  }

  private static func resolveExecutable(_ argument: String) -> String {
    if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return link }
    return argument
  }
}
