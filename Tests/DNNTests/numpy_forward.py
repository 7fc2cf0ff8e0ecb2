#!/usr/bin/env python3
"""Reads a diy-dnn checkpoint with NumPy alone and predicts MNIST-format images with it.

    python3 numpy_forward.py CHECKPOINT IMAGES_IDX COUNT  ->  JSON {"predicted": [...], "probabilities": [[...]]}

Supports the layers dense, relu, leakyrelu, batchnorm (inference), dropout (identity), softmax.
"""
import gzip, json, struct, sys
import numpy as np

path, images_path, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(path, "rb") as f:
    raw = f.read()
(header_length,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + header_length])
data = raw[8 + header_length:]
tensors = {}
for name, info in header.items():
    if name == "__metadata__":
        continue
    assert info["dtype"] == "F32"
    begin, end = info["data_offsets"]
    tensors[name] = np.frombuffer(data[begin:end], dtype="<f4").reshape(info["shape"])
architecture = json.loads(header["__metadata__"]["architecture"])

opener = gzip.open if images_path.endswith(".gz") else open
with opener(images_path, "rb") as f:
    idx = f.read()
x = np.frombuffer(idx, dtype=np.uint8, offset=16)[: count * 784].reshape(count, 784).astype(np.float32) / np.float32(255)

for i, layer in enumerate(architecture):
    kind = layer["type"]
    if kind == "dense":
        x = x @ tensors[f"{i}.weight"].T + tensors[f"{i}.bias"]
    elif kind == "relu":
        x = np.maximum(x, 0)
    elif kind == "leakyrelu":
        x = np.where(x > 0, x, np.float32(layer["slope"]) * x)
    elif kind == "batchnorm":
        mean, var = tensors[f"{i}.running_mean"], tensors[f"{i}.running_var"]
        x = (x - mean) / np.sqrt(var + np.float32(layer["epsilon"])) * tensors[f"{i}.weight"] + tensors[f"{i}.bias"]
    elif kind == "dropout":
        pass
    elif kind == "softmax":
        e = np.exp(x - x.max(1, keepdims=True))
        x = e / e.sum(1, keepdims=True)
    else:
        raise SystemExit(f"layer {kind} not supported here")
print(json.dumps({"predicted": x.argmax(1).tolist(), "probabilities": x.astype(float).tolist()}))
