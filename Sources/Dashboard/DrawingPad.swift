import DNN

/// The draw-your-own-digit canvas (`d`): 28x28 pixels in 0...1, a cursor the arrows move, a pen
/// that paints or erases as it moves, and what the focused run's model reads in the drawing
/// (filled in by the app, which owns the model copy: `Instruments`).
public struct DrawingPad: Sendable {
  public static let side = DigitPreprocessing.side
  /// The brush paints `brush` x `brush` pixels from the cursor (MNIST strokes are 2-3 pixels wide).
  public static let brush = 2

  /// What the cursor does as it moves.
  public enum Pen: Sendable { case up, painting, erasing }

  public var canvas = [Float](repeating: 0, count: side * side)
  public var cursorX = 13, cursorY = 4
  public var pen = Pen.up
  /// Changes with every change of the canvas: the app classifies each version once.
  public private(set) var version = 0
  /// The version `probabilities` and `seen` belong to, and the model's step (nil: not yet).
  public var classifiedVersion: Int?
  /// The model's class probabilities for the drawing, and the drawing as the model reads it
  /// (MNIST's preprocessing: scaled into 20x20, centred by mass, softened).
  public var probabilities: [Float]?
  public var seen: [Float]?
  /// Where the classifying model came from (`epoch 12`), for the title.
  public var modelLabel: String?
  /// With several runs: every run's reading of the drawing (its latest model), in run order.
  public var byRun: [(run: String, digit: Int, probability: Float)] = []
  /// What `byRun` was read from: the version and each run's model, so each is read once.
  public var byRunKey: String?
  public init() {}

  public var isBlank: Bool { !canvas.contains { $0 > 0 } }

  /// 0...1 values as grey bytes (what `DigitView` draws).
  public static func greyBytes(_ values: [Float]) -> [UInt8] { values.map { UInt8(min(max($0, 0), 1) * 255) } }

  /// The class read, with its probability, once classified.
  public var prediction: (digit: Int, probability: Float)? {
    guard let p = probabilities, let best = p.indices.max(by: { p[$0] < p[$1] }) else { return nil }
    return (best, p[best])
  }

  /// Moves the cursor (kept so the brush stays on the canvas); the pen marks its way.
  public mutating func move(dx: Int, dy: Int) {
    cursorX = min(max(cursorX + dx, 0), Self.side - Self.brush)
    cursorY = min(max(cursorY + dy, 0), Self.side - Self.brush)
    applyPen()
  }

  /// Space: the pen goes down (painting at once) or up. `x`: the same with the eraser.
  public mutating func toggle(_ pen: Pen) {
    self.pen = self.pen == pen ? .up : pen
    applyPen()
  }

  /// Paints (or erases) the brush at pixel (x, y), from a mouse press or drag.
  public mutating func stroke(x: Int, y: Int, erasing: Bool) {
    cursorX = min(max(x, 0), Self.side - Self.brush)
    cursorY = min(max(y, 0), Self.side - Self.brush)
    stamp(erasing ? 0 : 1)
  }

  public mutating func clear() {
    guard !isBlank else { return }
    canvas = [Float](repeating: 0, count: Self.side * Self.side)
    pen = .up
    version += 1
  }

  /// Enter: the drawing as read (for the digit browser's "your digits"), the canvas cleared for
  /// the next; nil before the model has read this version.
  public mutating func keep() -> KeptDrawing? {
    guard let seen, let probabilities, classifiedVersion == version else { return nil }
    let kept = KeptDrawing(pixels: Self.greyBytes(seen), probabilities: probabilities, readBy: modelLabel ?? "")
    clear()
    return kept
  }

  private mutating func applyPen() {
    switch pen {
    case .up: break
    case .painting: stamp(1)
    case .erasing: stamp(0)
    }
  }

  private mutating func stamp(_ value: Float) {
    var changed = false
    for y in cursorY..<cursorY + Self.brush {
      for x in cursorX..<cursorX + Self.brush where canvas[y * Self.side + x] != value {
        canvas[y * Self.side + x] = value
        changed = true
      }
    }
    if changed { version += 1 }
  }
}

/// A digit drawn on the pad and kept with Enter: the picture the model read, its probabilities,
/// and which model read it.
public struct KeptDrawing: Sendable {
  public var pixels: [UInt8]
  public var probabilities: [Float]
  /// `mnist-best, step 3600`.
  public var readBy: String

  /// The class read and its probability.
  public var prediction: (digit: Int, probability: Float) {
    let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
    return (best, probabilities.isEmpty ? 0 : probabilities[best])
  }
}
