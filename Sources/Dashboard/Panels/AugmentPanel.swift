import DNN
import TerminalUI

/// The augmentation preview (`A`) over the body: the browsed digit as it is, then seven versions
/// of it drawn as the run's `augment` block draws training images (the loader's own draw and
/// warp; seeded by the digit and the presses of Enter), so the user sees what the network is fed.
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
    let said = parts.isEmpty ? "no augmentation: the run trains on its images as they are (the configuration's augment block adds it)"
      : "each epoch draws every training image anew: " + parts.joined(separator: ", ")
    // Words for its symbols (α, ±, °) without UTF-8, before it is laid out.
    let lines = Format.wrap(options.glyphs.ascii ? Glyphs.asciiText(said) : said, width: inside.width).prefix(2)
    for (i, line) in lines.enumerated() { buffer.put(line, x: inside.x, y: inside.y + i, style: options.paint(.bold), clip: inside) }
    // Full size (28x14 cells) when all eight pictures fit so, else half size.
    let half = (inside.width / 30) * ((inside.height - lines.count - 1) / 16) < Self.versions + 1
    var pictures: [(String, [Float])] = [("as it is", pixels.map { Float($0) * BatchLoader.pixelScale })]
    for i in 0..<(parts.isEmpty ? 0 : Self.versions) {
      var generator = SplitMix64(seed: 1).derived("preview \(which) \(state.augmentDraws) \(i)")
      let (offset, draw) = BatchLoader.drawAugmentation(maxShift: shift, warp: warp, using: &generator)
      var out = [Float](repeating: 0, count: pixels.count)
      pixels.withUnsafeBufferPointer { source in
        out.withUnsafeMutableBufferPointer { target in
          if let draw {
            warp.apply(draw, to: source.baseAddress!, into: target.baseAddress!, pixelScale: BatchLoader.pixelScale)
          } else {
            BatchLoader.shifted(source.baseAddress!, into: target.baseAddress!, dx: offset.x, dy: offset.y, scale: BatchLoader.pixelScale)
          }
        }
      }
      pictures.append(("version \(i + 1)", out))
    }
    let tileWidth = (half ? 14 : 28) + 2, tileHeight = (half ? 7 : 14) + 2
    let perRow = max(inside.width / tileWidth, 1)
    for (i, (caption, values)) in pictures.enumerated() {
      let x = inside.x + (i % perRow) * tileWidth, y = inside.y + lines.count + 1 + (i / perRow) * tileHeight
      guard y + tileHeight <= inside.maxY + 1 else { break }
      buffer.put(caption, x: x, y: y, style: options.paint(.dim), clip: inside)
      InsidePanel.picture(values, half: half).draw(x: x, y: y + 1, on: &buffer, color: options.color, glyphs: options.glyphs)
    }
  }
}
