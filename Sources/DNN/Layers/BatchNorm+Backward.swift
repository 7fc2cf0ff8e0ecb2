/// BatchNorm's backward (the equations in BatchNorm.swift): its two parts around a split
/// step's meeting, and its halves' sums when one pass keeps a batch's halves apart.
extension BatchNorm {
  /// The last forward's input and mean, for the backward's x̂.
  var forwardInput: (x: UnsafePointer<Float>, mean: UnsafePointer<Float>) {
    guard let (input, mean) = normalisedFrom else { preconditionFailure("BatchNorm.backward before forward") }
    return (UnsafePointer(input.pointer), UnsafePointer(mean.pointer))
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    precondition(sync == nil, "a split step runs BatchNorm in two parts around its meeting")
    backwardUntilMeeting(outputGradient)
    return backwardAfterMeeting()
  }

  /// Backward up to the meeting: Σ_b dy and Σ_b dy ⊙ x̂ over this layer's rows, dγ and dβ,
  /// the two sums published to the other half when split.
  public func backwardUntilMeeting(_ outputGradient: Tensor) {
    let batch = outputGradient.rows, f = channels
    inputGradient.resize(like: outputGradient)
    pendingGradient = outputGradient
    let dgamma = weight.gradient.pointer, dbeta = bias.gradient.pointer
    let sDy = sumDy.pointer, sDyXhat = sumDyXhat.pointer
    // Σ_b dy, Σ_b dy ⊙ x̂   [1, F]; with the halves kept apart, each half's, then added (the
    // loss gave each half's rows half their own pass's dy, so these are the meeting's sums).
    if let (first, second) = halves(of: batch) {
      let s = halfSums.pointer
      sumsOfGradient(outputGradient, rows: first, into: sDy, sDyXhat)
      sumsOfGradient(outputGradient, rows: second, into: s, s + f)
      Kernels.add(s, into: sDy, count: f)
      Kernels.add(s + f, into: sDyXhat, count: f)
    } else {
      sumsOfGradient(outputGradient, rows: 0..<batch, into: sDy, sDyXhat)
    }
    // dγ += Σ dy ⊙ x̂,  dβ += Σ dy   (this half's rows: the split step combines the halves)
    for j in 0..<f {
      dgamma[j] += sDyXhat[j]
      dbeta[j] += sDy[j]
    }
    guard lastPhase == .training, let sync else { return }
    sync.slot(2, of: half).update(from: sDy, count: f)
    sync.slot(3, of: half).update(from: sDyXhat, count: f)
  }

  /// Σ_b dy and Σ_b dy ⊙ x̂ over rows `rows` of the output gradient `dy`, into `sDy`, `sDyXhat`.
  private func sumsOfGradient(
    _ outputGradient: Tensor, rows: Range<Int>, into sDy: UnsafeMutablePointer<Float>, _ sDyXhat: UnsafeMutablePointer<Float>
  ) {
    let f = channels, at0 = rows.lowerBound * inputFeatures
    let dy = outputGradient.pointer + at0, (input, mu) = forwardInput, x = input + at0, inv = inverseStd.pointer
    let gamma = weight.value.pointer, beta = bias.value.pointer
    sDy.update(repeating: 0, count: f)
    sDyXhat.update(repeating: 0, count: f)
    if plane > 1 {
      forEachPlane(rows.count) { j, at in
        let (s, sx) = Kernels.sumAndDot(
          dy + at, x + at, count: plane, mean: mu[j], inverseStd: inv[j], gamma: gamma[j], beta: beta[j], rectified: rectified)
        sDy[j] += s
        sDyXhat[j] += sx
      }
    } else {
      for b in 0..<rows.count {
        Kernels.addSumAndDot(
          dy + b * f, x + b * f, mean: mu, inverseStd: inv, gamma: gamma, beta: beta, rectified: rectified, into: sDy, sDyXhat,
          count: f)
      }
    }
  }

  /// Backward after the meeting: dx.
  public func backwardAfterMeeting() -> Tensor {
    guard let outputGradient = pendingGradient else { preconditionFailure("backwardAfterMeeting before backwardUntilMeeting") }
    pendingGradient = nil
    let batch = outputGradient.rows, f = channels
    let dy = outputGradient.pointer, dx = inputGradient.pointer
    let inv = inverseStd.pointer, gamma = weight.value.pointer, beta = bias.value.pointer
    let sDy = sumDy.pointer, sDyXhat = sumDyXhat.pointer
    guard lastPhase == .training else {
      // Inference: the statistics are constants, so dx = γ dy / √(running_var + ε).
      if plane > 1 {
        forEachPlane(batch) { j, at in for p in 0..<plane { dx[at + p] = gamma[j] * inv[j] * dy[at + p] } }
      } else {
        for b in 0..<batch { for j in 0..<f { dx[b * f + j] = gamma[j] * inv[j] * dy[b * f + j] } }
      }
      return inputGradient
    }
    // dx = γ / (B √(σ² + ε)) · (B dy - Σ dy - x̂ Σ (dy ⊙ x̂))   [B, F]
    let (x, mu) = forwardInput
    // Split: each half's dy is d(its mean loss), w = its share of the rows; the whole batch's
    // dy is w·dy, its sums Σ_halves w·Σ, and this half's dx is the whole batch's over w.
    var n = Float(batch * plane)
    if let sync {
      let total = Float(sync.rows), shares = (Float(sync.split) / total, Float(sync.rows - sync.split) / total)
      combine(sDy, slot: 2, and: sDyXhat, slot: 3, weights: shares, from: sync)
      n = total * Float(plane) * (half == 0 ? shares.0 : shares.1)
      // dx = γ inv / (B w) (B w dy - S - x̂ S'), and B w = this half's rows (times P).
    }
    if plane > 1 {
      forEachPlane(batch) { j, at in
        Kernels.batchNormInputGradient(
          dy + at, x + at, dx + at, count: plane, mean: mu[j], inverseStd: inv[j], scale: gamma[j] * inv[j] / n, n: n,
          sumDy: sDy[j], sumDyXhat: sDyXhat[j], gamma: gamma[j], beta: beta[j], rectified: rectified)
      }
      return inputGradient
    }
    let scale = gradientScale.pointer
    for j in 0..<f { scale[j] = gamma[j] * inv[j] / n }
    for b in 0..<batch {
      Kernels.batchNormInputGradientRow(
        dy + b * f, x + b * f, dx + b * f, count: f, mean: mu, inverseStd: inv, scale: scale, n: n, sumDy: sDy,
        sumDyXhat: sDyXhat, gamma: gamma, beta: beta, rectified: rectified)
    }
    return inputGradient
  }

  /// With a split batch: replaces `values` and `more` with the sum of both halves' published
  /// in slots `slot` and `moreSlot` (first half's + second's, the same bits in both layers),
  /// each half's scaled by `weights` first.
  private func combine(
    _ values: UnsafeMutablePointer<Float>, slot: Int, and more: UnsafeMutablePointer<Float>, slot moreSlot: Int,
    weights: (Float, Float), from sync: HalfBatchSync
  ) {
    let f = channels
    func add(into target: UnsafeMutablePointer<Float>, from index: Int) {
      let first = sync.slot(index, of: 0), second = sync.slot(index, of: 1)
      if sync.parties == 2 {
        for j in 0..<f { target[j] = weights.0 * first[j] + weights.1 * second[j] }
      } else {
        for j in 0..<f { target[j] = weights.0 * first[j] }
      }
    }
    add(into: values, from: slot)
    add(into: more, from: moreSlot)
  }
}
