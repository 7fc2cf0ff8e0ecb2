/// Each layer's inference as standard operators (`InferenceGraph`, ONNX's names and
/// semantics): what `forward(_:phase: .inference)` computes, written once per layer kind.

extension Dense {
  /// Y = X Wᵀ + b: Gemm with W transposed (maps are flattened first).
  public func appendInference(to graph: InferenceGraph, input: InferenceGraph.Value, name: String) -> InferenceGraph.Value {
    let x = graph.flat(input, name: name)
    let y = graph.node("Gemm", [x.name, graph.constant(weight), graph.constant(bias)], name: name, ["transB": .int(1)])
    return InferenceGraph.Value(name: y, image: nil, features: outputFeatures)
  }
}

extension ReLU {
  public func appendInference(to graph: InferenceGraph, input: InferenceGraph.Value, name: String) -> InferenceGraph.Value {
    graph.like(input, name: graph.node("Relu", [input.name], name: name))
  }
}

extension LeakyReLU {
  public func appendInference(to graph: InferenceGraph, input: InferenceGraph.Value, name: String) -> InferenceGraph.Value {
    graph.like(input, name: graph.node("LeakyRelu", [input.name], name: name, ["alpha": .float(slope)]))
  }
}

extension ActivationLayer {
  /// The activation's own operator (`ActivationFunction.inferenceOperator`).
  public func appendInference(to graph: InferenceGraph, input: InferenceGraph.Value, name: String) -> InferenceGraph.Value {
    let (op, attributes) = F.inferenceOperator
    return graph.like(input, name: graph.node(op, [input.name], name: name, attributes))
  }
}

extension Dropout {
  /// The identity at inference.
  public func appendInference(to graph: InferenceGraph, input: InferenceGraph.Value, name: String) -> InferenceGraph.Value { input }
}

extension Softmax {
  /// Over the classes of each row.
  public func appendInference(to graph: InferenceGraph, input: InferenceGraph.Value, name: String) -> InferenceGraph.Value {
    let x = graph.flat(input, name: name)
    return graph.like(x, name: graph.node("Softmax", [x.name], name: name, ["axis": .int(1)]))
  }
}

extension BatchNorm {
  /// BatchNormalization with the running statistics, over channel axis 1: the features of
  /// `[N, F]`, or the channels of maps (`batchnorm2d`). `batchnorm` on maps normalises every
  /// value apart: the maps are flattened for it and shaped back after.
  public func appendInference(to graph: InferenceGraph, input: InferenceGraph.Value, name: String) -> InferenceGraph.Value {
    let x = plane > 1 ? input : graph.flat(input, name: name)
    let constants = [weight.value, bias.value, runningMean, runningVariance].enumerated().map { i, tensor in
      graph.constant("\(name).\(["weight", "bias", "running_mean", "running_var"][i])", shape: [channels], tensor.values)
    }
    let y = graph.node("BatchNormalization", [x.name] + constants, name: name, ["epsilon": .float(epsilon)])
    let normalised = graph.like(x, name: y)
    return input.image.map { graph.maps(normalised, $0, name: name) } ?? normalised
  }
}

extension Conv2D {
  /// Conv on `[N, C, H, W]` (the pixels are shaped as 1x28x28 maps first).
  public func appendInference(to graph: InferenceGraph, input: InferenceGraph.Value, name: String) -> InferenceGraph.Value {
    let x = graph.maps(input, self.input, name: name)
    let y = graph.node("Conv", [x.name, graph.constant(weight), graph.constant(bias)], name: name, [
      "kernel_shape": .ints([kernel, kernel]), "strides": .ints([stride, stride]), "pads": .ints([padding, padding, padding, padding]),
    ])
    return InferenceGraph.Value(name: y, image: output, features: output.features)
  }
}

extension MaxPool2D {
  public func appendInference(to graph: InferenceGraph, input: InferenceGraph.Value, name: String) -> InferenceGraph.Value {
    let x = graph.maps(input, self.input, name: name)
    let y = graph.node("MaxPool", [x.name], name: name, ["kernel_shape": .ints([size, size]), "strides": .ints([size, size])])
    return InferenceGraph.Value(name: y, image: output, features: output.features)
  }
}

extension AvgPool2D {
  public func appendInference(to graph: InferenceGraph, input: InferenceGraph.Value, name: String) -> InferenceGraph.Value {
    let x = graph.maps(input, self.input, name: name)
    let y = graph.node("AveragePool", [x.name], name: name, ["kernel_shape": .ints([size, size]), "strides": .ints([size, size])])
    return InferenceGraph.Value(name: y, image: output, features: output.features)
  }
}

extension Attention {
  /// The doc comment's equations in MatMul, Add, Reshape, Transpose and Softmax, per sample and
  /// head with the batch dynamic: X `[N, T, F]`, Q, K, V `[N, H, T, d]` (K as `[N, H, d, T]`),
  /// S = Q Kᵀ / √d, P = softmax over the last axis, O = P V back to `[N, T, D]`, Y = O Woᵀ + bo.
  public func appendInference(to graph: InferenceGraph, input: InferenceGraph.Value, name: String) -> InferenceGraph.Value {
    let d = dim / heads
    let flat = graph.flat(input, name: name)
    let x = graph.node("Reshape", [flat.name, graph.dims("\(name)_tokens_shape", [-1, tokens, tokenFeatures])], name: "\(name)_tokens")
    let headsShape = graph.dims("\(name)_heads_shape", [-1, tokens, self.heads, d])
    /// x Wᵀ + b for a projection, split into heads and transposed by `perm`.
    func project(_ weight: Parameter, _ bias: Parameter, _ label: String, inputs: Int) -> String {
      let transposed = transpose(weight.value.values, rows: weight.value.rows, columns: weight.value.columns)
      let w = graph.constant("\(weight.name)_t", shape: [inputs, dim], transposed)
      let product = graph.node("MatMul", [x, w], name: "\(name)_\(label)_matmul")
      return graph.node("Add", [product, graph.constant(bias, shape: [dim])], name: "\(name)_\(label)")
    }
    func splitHeads(_ projected: String, _ label: String, perm: [Int]) -> String {
      let split = graph.node("Reshape", [projected, headsShape], name: "\(name)_\(label)_heads")
      return graph.node("Transpose", [split], name: "\(name)_\(label)_t", ["perm": .ints(perm)])
    }
    let q = splitHeads(project(query, queryBias, "q", inputs: tokenFeatures), "q", perm: [0, 2, 1, 3])
    let k = splitHeads(project(key, keyBias, "k", inputs: tokenFeatures), "k", perm: [0, 2, 3, 1])
    let v = splitHeads(project(value, valueBias, "v", inputs: tokenFeatures), "v", perm: [0, 2, 1, 3])
    let scores = graph.node("MatMul", [q, k], name: "\(name)_scores")
    let scaled = graph.node("Mul", [scores, graph.constant("\(name)_scale", shape: [], [1 / Float(d).squareRoot()])], name: "\(name)_scaled")
    let p = graph.node("Softmax", [scaled], name: "\(name)_p", ["axis": .int(-1)])
    let o = graph.node("MatMul", [p, v], name: "\(name)_o")
    let merged = graph.node("Transpose", [o], name: "\(name)_o_t", ["perm": .ints([0, 2, 1, 3])])
    let joined = graph.node("Reshape", [merged, graph.dims("\(name)_joined_shape", [-1, tokens, dim])], name: "\(name)_joined")
    let wo = graph.constant("\(out.name)_t", shape: [dim, dim], transpose(out.value.values, rows: dim, columns: dim))
    let y = graph.node("Add", [graph.node("MatMul", [joined, wo], name: "\(name)_out_matmul"), graph.constant(outBias, shape: [dim])], name: "\(name)_out")
    let result = graph.node("Reshape", [y, graph.dims("\(name)_flat_shape", [-1, tokens * dim])], name: name)
    return InferenceGraph.Value(name: result, image: nil, features: outputFeatures)
  }

  /// The `[columns, rows]` transpose of a row-major `[rows, columns]` matrix.
  private func transpose(_ values: [Float], rows: Int, columns: Int) -> [Float] {
    var result = [Float](repeating: 0, count: values.count)
    for r in 0..<rows { for c in 0..<columns { result[c * rows + r] = values[r * columns + c] } }
    return result
  }
}
