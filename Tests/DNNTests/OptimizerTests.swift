import Foundation
import Testing

@testable import DNN

/// The first three steps of each optimizer against values hand-computed with PyTorch's update
/// formulas (torch.optim.SGD / Adam / AdamW, in float64) for θ₀ = [1, -2] and the gradients
/// g₁ = [0.5, -0.3], g₂ = [0.1, 0.2], g₃ = [-0.4, 0.6].
@Suite struct OptimizerTests {
  static let gradients: [[Float]] = [[0.5, -0.3], [0.1, 0.2], [-0.4, 0.6]]

  func trajectory(_ optimizer: Optimizer) -> [[Float]] {
    let p = Parameter(name: "w", rows: 1, columns: 2)
    p.value[0] = 1
    p.value[1] = -2
    var out: [[Float]] = []
    for g in Self.gradients {
      p.gradient[0] = g[0]
      p.gradient[1] = g[1]
      optimizer.step([p])
      out.append(p.value.values)
    }
    return out
  }

  func expectClose(_ actual: [[Float]], _ expected: [[Double]], sourceLocation: SourceLocation = #_sourceLocation) {
    for (a, e) in zip(actual.joined(), expected.joined()) {
      #expect(abs(Double(a) - e) < 2e-6, "got \(actual), expected \(expected)", sourceLocation: sourceLocation)
    }
  }

  @Test func plainSGD() {
    expectClose(trajectory(SGD(learningRate: 0.1)), [[0.95, -1.97], [0.94, -1.99], [0.98, -2.05]])
  }

  @Test func sgdWithMomentum() {
    expectClose(trajectory(SGD(learningRate: 0.1, momentum: 0.9)), [[0.95, -1.97], [0.895, -1.963], [0.8855, -2.0167]])
  }

  @Test func sgdNesterovWithWeightDecay() {
    expectClose(
      trajectory(SGD(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01)),
      [[0.9031, -1.9392], [0.84107411, -1.94759552], [0.869465558, -2.04919634]])
  }

  @Test func adamWithBiasCorrection() {
    expectClose(
      trajectory(Adam(learningRate: 0.01)),
      [[0.99, -1.99], [0.981969591, -1.9885548], [0.981032597, -1.99345651]])
  }

  @Test func adamWithL2Decay() {
    expectClose(
      trajectory(Adam(learningRate: 0.01, weightDecay: 0.1)),
      [[0.99, -1.99], [0.981296786, -1.98331432], [0.977981875, -1.98329009]])
  }

  @Test func adamWDecoupledDecay() {
    expectClose(
      trajectory(Adam(learningRate: 0.01, weightDecay: 0.1, decoupledWeightDecay: true)),
      [[0.989, -1.988], [0.979980591, -1.9845668], [0.978063616, -1.98748394]])
  }

  /// The kernels' SIMD main loops (16 lanes) and their scalar tails, on 37 elements: three
  /// steps against PyTorch's formulas evaluated in Double, element by element.
  @Test(arguments: ["sgd", "sgdL2", "momentum", "nesterov", "adam", "adamL2", "adamW"])
  func simdLoopsFollowThePyTorchFormulas(_ kind: String) {
    let n = 37
    let p = Parameter(name: "w", rows: 1, columns: n)
    var theta = (0..<n).map { Double($0 % 7) * 0.25 - 0.8 }
    for i in 0..<n { p.value[i] = Float(theta[i]) }
    let lr = 0.05, mu = 0.9, wd = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8
    let optimizer: Optimizer = switch kind {
    case "sgd": SGD(learningRate: Float(lr))
    case "sgdL2": SGD(learningRate: Float(lr), weightDecay: Float(wd))
    case "momentum": SGD(learningRate: Float(lr), momentum: Float(mu), weightDecay: Float(wd))
    case "nesterov": SGD(learningRate: Float(lr), momentum: Float(mu), nesterov: true, weightDecay: Float(wd))
    case "adam": Adam(learningRate: Float(lr))
    case "adamL2": Adam(learningRate: Float(lr), weightDecay: Float(wd))
    default: Adam(learningRate: Float(lr), weightDecay: Float(wd), decoupledWeightDecay: true)
    }
    var buffer = [Double](repeating: 0, count: n), m = buffer, v = buffer
    for t in 1...3 {
      let g = (0..<n).map { Double(Float(sin(Double($0 * t) * 0.7) * 0.5)) }
      for i in 0..<n { p.gradient[i] = Float(g[i]) }
      optimizer.step([p])
      for i in 0..<n {
        switch kind {
        case "sgd": theta[i] -= lr * g[i]
        case "sgdL2": theta[i] -= lr * (g[i] + wd * theta[i])
        case "momentum", "nesterov":  // torch.optim.SGD, dampening 0
          let d = g[i] + wd * theta[i]
          buffer[i] = t == 1 ? d : mu * buffer[i] + d
          theta[i] -= lr * (kind == "nesterov" ? d + mu * buffer[i] : buffer[i])
        default:  // torch.optim.Adam (L2 in the gradient) / AdamW (decoupled)
          var d = g[i]
          if kind == "adamL2" { d += wd * theta[i] }
          if kind == "adamW" { theta[i] *= 1 - lr * wd }
          m[i] = b1 * m[i] + (1 - b1) * d
          v[i] = b2 * v[i] + (1 - b2) * d * d
          let mHat = m[i] / (1 - pow(b1, Double(t))), vHat = v[i] / (1 - pow(b2, Double(t)))
          theta[i] -= lr * mHat / (vHat.squareRoot() + eps)
        }
      }
      for i in 0..<n {
        #expect(abs(Double(p.value[i]) - theta[i]) < 2e-6, "\(kind) step \(t) element \(i): \(p.value[i]) vs \(theta[i])")
      }
    }
  }

  @Test func stepCounterAdvancesOncePerStepNotPerParameter() {
    let adam = Adam()
    let params = (0..<3).map { Parameter(name: "p\($0)", rows: 1, columns: 1) }
    adam.step(params)
    adam.step(params)
    #expect(adam.stepCount == 2)
    // The same trajectory for a parameter whether or not others share the optimizer.
    let alone = Adam(learningRate: 0.01)
    let together = Adam(learningRate: 0.01)
    let a = Parameter(name: "a", rows: 1, columns: 1)
    let b = Parameter(name: "b", rows: 1, columns: 1)
    let c = Parameter(name: "c", rows: 1, columns: 1)
    for _ in 0..<3 {
      a.gradient[0] = 0.3; b.gradient[0] = 0.3; c.gradient[0] = -1
      alone.step([a])
      together.step([b, c])
    }
    #expect(a.value[0] == b.value[0])
  }

  @Test func globalClipMatchesClipGradNorm() {
    let p = Parameter(name: "a", rows: 1, columns: 2)
    let q = Parameter(name: "b", rows: 1, columns: 1)
    p.gradient[0] = 3; p.gradient[1] = 4; q.gradient[0] = 12  // global norm 13
    var norms: [Float] = []
    GradientClipping.norms(of: [p, q], into: &norms)
    #expect(norms == [5, 12])
    let total = GradientClipping.global(maxNorm: 6.5).apply(to: [p, q], norms: norms)
    #expect(total == 13)  // the norm before clipping, as clip_grad_norm_ returns
    let factor = 6.5 / (13 + 1e-6)
    #expect(abs(Double(p.gradient[0]) - 3 * factor) < 1e-6)
    #expect(abs(Double(q.gradient[0]) - 12 * factor) < 1e-6)
  }

  @Test func perTensorClipOnlyTouchesLargeTensors() {
    let p = Parameter(name: "a", rows: 1, columns: 2)
    let q = Parameter(name: "b", rows: 1, columns: 1)
    p.gradient[0] = 3; p.gradient[1] = 4; q.gradient[0] = 1
    GradientClipping.perTensor(maxNorm: 2.5).apply(to: [p, q], norms: [5, 1])
    #expect(abs(p.gradient[0] - 1.5) < 1e-5 && abs(p.gradient[1] - 2) < 1e-5)
    #expect(q.gradient[0] == 1)
  }
}

/// Learning-rate schedules against their formulas.
@Suite struct ScheduleTests {
  @Test func constant() {
    #expect(LearningRateSchedule.constant.rate(initial: 0.1, progress: 7.5, totalEpochs: 10) == 0.1)
  }

  @Test func stepDecay() {
    let s = LearningRateSchedule.step(stepSize: 3, gamma: 0.5)
    #expect(s.rate(initial: 0.8, progress: 2.9, totalEpochs: 10) == 0.8)
    #expect(s.rate(initial: 0.8, progress: 3, totalEpochs: 10) == 0.4)
    #expect(s.rate(initial: 0.8, progress: 6.5, totalEpochs: 10) == 0.2)
  }

  @Test func cosine() {
    let s = LearningRateSchedule.cosine()
    #expect(abs(s.rate(initial: 1, progress: 0, totalEpochs: 10) - 1) < 1e-6)
    #expect(abs(s.rate(initial: 1, progress: 5, totalEpochs: 10) - 0.5) < 1e-6)
    #expect(abs(s.rate(initial: 1, progress: 2.5, totalEpochs: 10) - Float(0.5 * (1 + cos(Double.pi / 4)))) < 1e-6)
    #expect(abs(s.rate(initial: 1, progress: 10, totalEpochs: 10)) < 1e-6)
  }

  @Test func linearWarmup() {
    let s = LearningRateSchedule.cosine(warmupEpochs: 2)
    let cosineAtHalf = Float(0.5 * (1 + cos(Double.pi * 0.5 / 10)))
    #expect(abs(s.rate(initial: 1, progress: 0.5, totalEpochs: 10) - 0.25 * cosineAtHalf) < 1e-6)
    #expect(LearningRateSchedule.warmup(epochs: 4).rate(initial: 2, progress: 1, totalEpochs: 10) == 0.5)
    #expect(LearningRateSchedule.warmup(epochs: 4).rate(initial: 2, progress: 5, totalEpochs: 10) == 2)
  }
}
