import DNN
import TerminalUI

/// The augmentation preview (`A`) over the body: the browsed digit as it is, then seven versions
/// of it drawn as the run's `augment` block draws training images (the loader's own draw and
/// warp; seeded by the digit and the presses of Enter), so the user sees what the network is fed;
/// in a run with test-time augmentation, a row of the views its test figures average.
struct AugmentPanel {
  let state: DashboardState
  let options: RenderOptions
  static let versions = 7

  func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
    buffer.fill(rect)
    let hints = "\(KeyMap.name(.select)) others  \(KeyMap.name(.augmentPreview))/\(KeyMap.name(.close)) close"
    let inside = Box(title: "What the network is fed: \(state.name)", hints: hints, style: options.paint(.dim), titleStyle: options.paint(.bold))
      .draw(in: rect, on: &buffer, glyphs: options.glyphs)
    guard let run = state.run, let (pixels, _, which) = Instruments.browsedPixels(state) else {
      buffer.put("no digit to show", x: inside.x, y: inside.y, style: options.paint(.dim), clip: inside)
      return
    }
    let warp = run.augmentWarp, shift = run.augmentShift
    var parts: [String] = []
    if shift > 0 { parts.append("shifts up to \(shift) px") }
    if warp.rotation > 0 { parts.append("rotations up to ±\(LineChart.compact(Double(warp.rotation)))°") }
    if warp.scale > 0 { parts.append("sizes ×\(LineChart.compact(Double(1 - warp.scale)))-\(LineChart.compact(Double(1 + warp.scale)))") }
    if warp.elasticAlpha > 0 { parts.append("elastic α \(LineChart.compact(Double(warp.elasticAlpha))), σ \(LineChart.compact(Double(warp.elasticSigma)))") }
    var said = parts.isEmpty ? "no augmentation: the run trains on its images as they are (the configuration's augment block adds it)"
      : "each epoch draws every training image anew: " + parts.joined(separator: ", ")
    let testViews = run.testViews.count > 1 ? run.testViews : []
    if !testViews.isEmpty { said += "; its test figures score each digit as the mean of \(testViews.count) views (\(warp.testViewsText))" }
    // Words for its symbols (α, ±, °) without UTF-8, before it is laid out.
    let lines = Format.wrap(options.glyphs.ascii ? Glyphs.asciiText(said) : said, width: inside.width).prefix(3)
    for (i, line) in lines.enumerated() { buffer.put(line, x: inside.x, y: inside.y + i, style: options.paint(.bold), clip: inside) }
    let source = pixels.map { Float($0) * BatchLoader.pixelScale }
    var training: [(String, [Float])] = [("as it is", source)]
    for i in 0..<(parts.isEmpty ? 0 : Self.versions) {
      var generator = SplitMix64(seed: 1).derived("preview \(which) \(state.augmentDraws) \(i)")
      let (offset, draw) = BatchLoader.drawAugmentation(maxShift: shift, warp: warp, using: &generator)
      training.append(("version \(i + 1)", Self.drawn(pixels) { source, target in
        if let draw {
          warp.apply(draw, to: source, into: target, pixelScale: BatchLoader.pixelScale)
        } else {
          BatchLoader.shifted(source, into: target, dx: offset.x, dy: offset.y, scale: BatchLoader.pixelScale)
        }
      }))
    }
    // The test views as the evaluator draws them (`Warp.drawTestView`).
    let test = testViews.map { view in
      (Self.caption(view, of: warp), view.map { v in Self.drawn(pixels) { Warp.drawTestView(v, of: $0, into: $1, pixelScale: BatchLoader.pixelScale) } } ?? source)
    }
    let groups = [training, test].filter { !$0.isEmpty }
    // Full size (28x14 cells) when every group fits so, each on rows of its own; else half size.
    let full = max(inside.width / 30, 1)
    let half = groups.reduce(0) { $0 + ($1.count + full - 1) / full } > (inside.height - lines.count - 1) / 16
    let tileWidth = (half ? 14 : 28) + 2, tileHeight = (half ? 7 : 14) + 2
    let perRow = max(inside.width / tileWidth, 1)
    var row = 0
    for group in groups {
      for (i, (caption, values)) in group.enumerated() {
        let x = inside.x + (i % perRow) * tileWidth, y = inside.y + lines.count + 1 + (row + i / perRow) * tileHeight
        guard y + tileHeight <= inside.maxY + 1 else { break }
        buffer.put(options.glyphs.ascii ? Glyphs.asciiText(caption) : caption, x: x, y: y, style: options.paint(.dim), clip: inside)
        InsidePanel.picture(values, half: half).draw(x: x, y: y + 1, on: &buffer, color: options.color, glyphs: options.glyphs)
      }
      row += (group.count + perRow - 1) / perRow
    }
  }

  /// `pixels` (28x28 bytes) drawn into floats by `transform(source, target)`.
  static func drawn(_ pixels: [UInt8], _ transform: (UnsafePointer<UInt8>, UnsafeMutablePointer<Float>) -> Void) -> [Float] {
    var out = [Float](repeating: 0, count: pixels.count)
    pixels.withUnsafeBufferPointer { source in out.withUnsafeMutableBufferPointer { transform(source.baseAddress!, $0.baseAddress!) } }
    return out
  }

  /// `test as is`, `test +8°`, `test x1.08`: a test view's caption.
  static func caption(_ view: Warp.Draw?, of warp: Warp) -> String {
    guard let view else { return "test as is" }
    if view.angle != 0 { return "test \(view.angle > 0 ? "+" : "-")\(LineChart.compact(Double(warp.rotation)))°" }
    return "test x\(LineChart.compact(Double(view.factor)))"
  }
}
