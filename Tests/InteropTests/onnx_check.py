"""Checks an exported ONNX model with the real tools: onnx's full checker (with shape
inference), then onnxruntime's probabilities on the given pixels against diy-dnn's.

    python onnx_check.py MODEL.onnx PIXELS.f32 EXPECTED.f32 LABELS.u8

PIXELS: float32 [N, 784]; EXPECTED: float32 [N, 10] (diy-dnn's probabilities); LABELS: uint8 [N].
Prints one JSON object: max_abs_diff, accuracy_onnxruntime, accuracy_diy_dnn, opset, metadata.
"""
import json, sys
import numpy as np
import onnx
import onnxruntime as ort

model_path, pixels_path, expected_path, labels_path = sys.argv[1:5]
model = onnx.load(model_path)
onnx.checker.check_model(model, full_check=True)
labels = np.fromfile(labels_path, dtype=np.uint8)
pixels = np.fromfile(pixels_path, dtype=np.float32).reshape(len(labels), 784)
expected = np.fromfile(expected_path, dtype=np.float32).reshape(len(labels), -1)
session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
name = session.get_inputs()[0].name
# Two batch sizes: the batch is dynamic.
got = np.concatenate([session.run(None, {name: pixels[:7]})[0], session.run(None, {name: pixels[7:]})[0]])
print(json.dumps({
    "max_abs_diff": float(np.abs(got - expected).max()),
    "accuracy_onnxruntime": float((got.argmax(1) == labels).mean()),
    "accuracy_diy_dnn": float((expected.argmax(1) == labels).mean()),
    "opset": [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")][0],
    "input": [d.dim_param or d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim],
    "metadata": {p.key: p.value for p in model.metadata_props},
}))
