import DNN

/// Each layer's forward and backward equations, as in the original's table and the layers' doc
/// comments, with this model's shapes filled in (`dW [256, 784] = dZᵀ [256, 64] · X [64, 784]`).
enum Equations {
  /// One line of the equations view: a label (`forward`, `backward`, or empty to continue) and
  /// the formula.
  struct Line: Equatable {
    var label: String
    var text: String
  }

  /// The lines of layer `index` of `layers`, for batches of `batch` samples.
  static func lines(of layers: [LayerSpec], index: Int, batch: Int) -> [Line] {
    guard layers.indices.contains(index), let geometries = try? layers.geometries() else { return [] }
    let input = index == 0 ? LayerGeometry(features: ImageShape.mnist.features, image: .mnist) : geometries[index - 1]
    let output = geometries[index]
    let n = input.features, m = output.features, b = batch
    let fused = index == layers.count - 1 && layers[index] == .softmax
    func shape(_ dims: Int...) -> String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }
    switch layers[index] {
    case .dense:
      return [
        Line(label: "forward", text: "Z \(shape(b, m)) = X \(shape(b, n)) · Wᵀ \(shape(n, m)) + b \(shape(m))"),
        Line(label: "backward", text: "dW \(shape(m, n)) = dZᵀ \(shape(m, b)) · X \(shape(b, n))"),
        Line(label: "", text: "db \(shape(m)) = Σ_batch dZ \(shape(b, m))"),
        Line(label: "", text: "dX \(shape(b, n)) = dZ \(shape(b, m)) · W \(shape(m, n))"),
      ]
    case .activation(let a):
      return [
        Line(label: "forward", text: "\(a.function.forwardEquation)      \(shape(b, m))"),
        Line(label: "backward", text: "\(a.function.backwardEquation)      \(shape(b, m))"),
      ]
    case .relu:
      return [
        Line(label: "forward", text: "A = max(0, Z)                          \(shape(b, m))"),
        Line(label: "backward", text: "dZ = dA ⊙ 1[Z > 0]                     \(shape(b, m))"),
      ]
    case .leakyReLU(let slope):
      return [
        Line(label: "forward", text: "A = Z if Z > 0, else \(slope) Z          \(shape(b, m))"),
        Line(label: "backward", text: "dZ = dA if Z > 0, else \(slope) dA      \(shape(b, m))"),
      ]
    case .softmax:
      var lines = [
        Line(label: "forward", text: "p_i = exp(z_i − max z) / Σ_j exp(z_j − max z)      P \(shape(b, m))"),
        Line(label: "Jacobian", text: "∂p_i/∂z_j = p_i (δ_ij − p_j)                       \(shape(m, m)) per sample"),
        Line(label: "backward", text: "dz_j = p_j (dp_j − Σ_i dp_i p_i)                   dZ \(shape(b, m))"),
      ]
      if fused {
        lines += [
          Line(label: "loss", text: "J = −(1/B) Σ_b log p[b, y_b]                       B = \(b)"),
          Line(label: "fused", text: "softmax + cross-entropy: dZ = (P − Y) / B           \(shape(b, m)), Y one-hot"),
        ]
      }
      return lines
    case .batchNorm, .batchNorm2D:
      var perChannel = false
      if case .batchNorm2D = layers[index] { perChannel = true }
      let f = perChannel ? (output.image?.channels ?? m) : m
      let over = perChannel ? "the B·H·W = \(b * (output.image.map { $0.height * $0.width } ?? 1)) values of a channel" : "the batch, B = \(b)"
      return [
        Line(label: "forward", text: "μ, σ² = mean and variance over \(over)     γ, β \(shape(f))"),
        Line(label: "", text: "x_hat = (x − μ) / √(σ² + ε),   y = γ x_hat + β               \(shape(b, m))"),
        Line(label: "backward", text: "dγ = Σ dy ⊙ x_hat,   dβ = Σ dy                          \(shape(f))"),
        Line(label: "", text: "dx = γ / (B √(σ² + ε)) · (B dy − Σ dy − x_hat Σ (dy ⊙ x_hat))   \(shape(b, m))"),
      ]
    case .dropout(let rate):
      return [
        Line(label: "forward", text: "A = Z ⊙ M,  M = 1/(1−\(rate)) with probability 1−\(rate), else 0   \(shape(b, m))"),
        Line(label: "backward", text: "dZ = dA ⊙ M                                    \(shape(b, m))"),
      ]
    case .attention(let tokens, let heads, let dim, _):
      let f = n / max(tokens, 1), d = dim / max(heads, 1), rows = b * tokens
      return [
        Line(label: "forward", text: "Q, K, V = X Wᵀ + b       X \(shape(rows, f)), W \(shape(dim, f)) → \(shape(rows, dim))"),
        Line(label: "", text: "S = Q_h K_hᵀ / √\(d)   P = softmax_rows(S)   \(shape(tokens, tokens)) per sample and head (\(heads))"),
        Line(label: "", text: "O_h = P V_h \(shape(tokens, d)),   Y = O Woᵀ + bo \(shape(rows, dim))"),
        Line(label: "backward", text: "dWo = dYᵀ O \(shape(dim, dim)),   dO = dY Wo,   dP = dO_h V_hᵀ,   dV_h = Pᵀ dO_h"),
        Line(label: "", text: "dS = P ⊙ (dP − rowsum(dP ⊙ P)),   dQ_h = dS K_h / √\(d),   dK_h = dSᵀ Q_h / √\(d)"),
        Line(label: "", text: "dW• = d•ᵀ X \(shape(dim, f)),   dX = dQ Wq + dK Wk + dV Wv \(shape(rows, f))"),
      ]
    case .conv2d(let channels, let kernel, let stride, let padding, _):
      let c = input.image?.channels ?? 1, k = c * kernel * kernel
      let p = output.image.map { $0.height * $0.width } ?? 1
      if Conv2D.usesDirectKernels(kernel: kernel, stride: stride, padding: padding) {
        let q = kernel - 1 - padding
        return [
          Line(label: "direct", text: "zero-padded planes (padding \(padding)), no im2col columns"),
          Line(label: "forward", text: "Y[f,y,x] = b[f] + Σ W[f,c,i,j] Xpad[c,y+i,x+j]   W \(shape(channels, c, kernel, kernel)), \(shape(b, n)) → \(shape(b, m))"),
          Line(label: "backward", text: "dW[f,c,i,j] = Σ_{s,y,x} dY[s,f,y,x] Xpad[s,c,y+i,x+j],   db \(shape(channels)) = Σ dY"),
          Line(label: "", text: "dX \(shape(b, n)) = the same convolution of dY padded by \(q), W turned 180 degrees, f and c swapped"),
        ]
      }
      return [
        Line(label: "im2col", text: "cols \(shape(k, b * p)): the \(c)×\(kernel)×\(kernel) inputs under each of the B·\(p) positions (stride \(stride), padding \(padding))"),
        Line(label: "forward", text: "Y \(shape(channels, b * p)) = W \(shape(channels, k)) · cols \(shape(k, b * p)) + b \(shape(channels))"),
        Line(label: "backward", text: "dW \(shape(channels, k)) = dY \(shape(channels, b * p)) · colsᵀ \(shape(b * p, k))"),
        Line(label: "", text: "db \(shape(channels)) = Σ dY,   dcols \(shape(k, b * p)) = Wᵀ · dY,   dX \(shape(b, n)) = col2im(dcols)"),
      ]
    case .maxPool(let size):
      return [
        Line(label: "forward", text: "y = max of each \(size)×\(size) window, argmax kept       \(shape(b, n)) → \(shape(b, m))"),
        Line(label: "backward", text: "dx[argmax] = dy, 0 for the window's other inputs   \(shape(b, n))"),
      ]
    case .avgPool(let size):
      return [
        Line(label: "forward", text: "y = (1/\(size * size)) Σ over each \(size)×\(size) window          \(shape(b, n)) → \(shape(b, m))"),
        Line(label: "backward", text: "dx = dy / \(size * size) for every input of the window   \(shape(b, n))"),
      ]
    }
  }
}
