extension RunConfig {
  /// Why a saved run with this configuration cannot be continued with `other`, or nil when it
  /// can: everything but `epochs` (and the recorded dataset, checked apart) must be the same.
  public func differenceForResume(_ other: RunConfig) -> String? {
    guard case .object(var mine) = jsonValue, case .object(var theirs) = other.jsonValue else { return nil }
    for key in ["epochs", "dataset"] {
      mine[key] = nil
      theirs[key] = nil
    }
    let keys = Set(mine.keys).union(theirs.keys).sorted().filter { mine[$0] != theirs[$0] }
    guard !keys.isEmpty else { return nil }
    return keys.map { key in
      "\(key) is \(theirs[key]?.text ?? "unset") here but \(mine[key]?.text ?? "unset") in the saved run"
    }.joined(separator: "; ")
  }
}
