/// A state tensor for each parameter, created zero-filled on first use.
struct SlotTable {
  private(set) var slots: [Tensor] = []

  /// The slot for parameter `index`, shaped like `parameter`.
  mutating func slot(_ index: Int, like parameter: Parameter) -> Tensor {
    while slots.count <= index {
      let p = parameter.value
      slots.append(Tensor(rows: p.rows, columns: p.columns))
    }
    return slots[index]
  }

  /// Pairs each existing slot with its parameter's name plus `suffix`.
  func named(_ parameters: [Parameter], suffix: String) -> [(name: String, tensor: Tensor)] {
    zip(parameters, slots).map { ("\($0.name).\(suffix)", $1) }
  }

  /// Loads slots from `tensors` by name; throws when one is missing or misshapen. A state saved
  /// before the first step (`stepCount` 0) has none yet, and loads as a fresh optimizer.
  mutating func load(_ tensors: [String: Tensor], parameters: [Parameter], suffix: String, stepCount: Int) throws {
    slots = []
    if stepCount == 0 && !parameters.contains(where: { tensors["\($0.name).\(suffix)"] != nil }) { return }
    for (i, p) in parameters.enumerated() {
      let name = "\(p.name).\(suffix)"
      guard let t = tensors[name] else { throw OptimizerStateError(message: "optimizer state has no tensor \(name)") }
      guard t.rows == p.value.rows && t.columns == p.value.columns else {
        throw OptimizerStateError(message: "optimizer state \(name) is \(t), expected \(p.value)")
      }
      slot(i, like: p).copy(from: t)
    }
  }
}
