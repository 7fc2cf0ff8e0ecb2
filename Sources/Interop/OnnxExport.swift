import DNN
import Foundation
import SwiftProtobuf

/// A trained model as an ONNX file: the layers' own inference graph (`InferenceGraph`, which
/// each layer writes) encoded as an `onnx.ModelProto` by swift-protobuf from the code generated
/// off onnx's schema (`Generated/onnx.pb.swift`). Input `pixels` `[batch, 784]` float32 in
/// [0, 1], output `probabilities` `[batch, 10]`; the run's name and configuration in the
/// model's metadata.
public enum OnnxExport {
  /// ONNX's IR version for `InferenceGraph.opset` 20 (onnx's versioning table).
  static let irVersion: Int64 = 9

  /// The model file's bytes for `model`, trained as `config`.
  public static func data(_ model: Sequential, config: RunConfig) throws -> Data {
    try modelProto(model.inferenceGraph(), config: config).serializedData()
  }

  static func modelProto(_ graph: InferenceGraph, config: RunConfig) -> Onnx_ModelProto {
    var proto = Onnx_ModelProto()
    proto.irVersion = irVersion
    proto.producerName = "diy-dnn"
    proto.producerVersion = Version.number
    proto.modelVersion = 1
    proto.docString = "\(config.name): trained with diy-dnn"
    proto.opsetImport = [Onnx_OperatorSetIdProto.with { $0.domain = ""; $0.version = Int64(InferenceGraph.opset) }]
    proto.metadataProps = [("run", config.name), ("configuration", config.jsonValue.text)].map { key, value in
      Onnx_StringStringEntryProto.with { $0.key = key; $0.value = value }
    }
    proto.graph = graphProto(graph, name: config.name)
    return proto
  }

  private static func graphProto(_ graph: InferenceGraph, name: String) -> Onnx_GraphProto {
    var proto = Onnx_GraphProto()
    proto.name = name
    let output = graph.output ?? graph.input
    proto.node = graph.nodes.map(nodeProto)
    // The last node's output is renamed to the graph's: an Identity keeps names stable.
    proto.node.append(Onnx_NodeProto.with {
      $0.opType = "Identity"
      $0.name = "probabilities"
      $0.input = [output.name]
      $0.output = ["probabilities"]
    })
    proto.initializer = graph.constants.map(tensorProto)
    proto.input = [valueInfo(graph.input.name, features: graph.input.features)]
    proto.output = [valueInfo("probabilities", features: output.features)]
    return proto
  }

  private static func nodeProto(_ node: InferenceGraph.Node) -> Onnx_NodeProto {
    Onnx_NodeProto.with { proto in
      proto.opType = node.op
      proto.name = node.name
      proto.input = node.inputs
      proto.output = [node.output]
      proto.attribute = node.attributes.map { name, value in attributeProto(name, value) }
    }
  }

  private static func attributeProto(_ name: String, _ value: InferenceGraph.Attribute) -> Onnx_AttributeProto {
    Onnx_AttributeProto.with { proto in
      proto.name = name
      switch value {
      case .int(let i):
        proto.type = .int
        proto.i = Int64(i)
      case .float(let f):
        proto.type = .float
        proto.f = f
      case .ints(let list):
        proto.type = .ints
        proto.ints = list.map(Int64.init)
      case .string(let s):
        proto.type = .string
        proto.s = Data(s.utf8)
      }
    }
  }

  /// A constant as little-endian raw data (float32 or int64), as ONNX stores initializers.
  private static func tensorProto(_ constant: InferenceGraph.Constant) -> Onnx_TensorProto {
    Onnx_TensorProto.with { proto in
      proto.name = constant.name
      proto.dims = constant.shape.map(Int64.init)
      switch constant.values {
      case .floats(let values):
        proto.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        proto.rawData = values.withUnsafeBufferPointer { Data(buffer: $0) }
      case .int64s(let values):
        proto.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        proto.rawData = values.withUnsafeBufferPointer { Data(buffer: $0) }
      }
    }
  }

  /// `[batch, features]` float32, the batch dynamic.
  private static func valueInfo(_ name: String, features: Int) -> Onnx_ValueInfoProto {
    Onnx_ValueInfoProto.with { info in
      info.name = name
      info.type.tensorType.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
      info.type.tensorType.shape.dim = [
        Onnx_TensorShapeProto.Dimension.with { $0.dimParam = "batch" },
        Onnx_TensorShapeProto.Dimension.with { $0.dimValue = Int64(features) },
      ]
    }
  }
}
