#!/usr/bin/env python3
"""Reads a diy-dnn checkpoint with NumPy alone and predicts MNIST-format images with it.

    python3 numpy_forward.py CHECKPOINT IMAGES_IDX COUNT  ->  JSON {"predicted": [...], "probabilities": [[...]]}

Supports the layers dense, relu, leakyrelu, batchnorm and batchnorm2d (inference), dropout (identity), softmax,
and conv2d, maxpool, avgpool on images kept as NCHW (its own convolution: a sum over the kernel's
offsets of shifted, padded input slices, nothing shared with the Swift im2col).
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
x = x.reshape(count, 1, 28, 28)  # an image until a dense layer flattens it


def conv2d(x, w, b, stride, padding):
    n, c, h, wd = x.shape
    f, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh, ow = (h + 2 * padding - k) // stride + 1, (wd + 2 * padding - k) // stride + 1
    y = np.zeros((n, f, oh, ow), dtype=np.float64)
    for a in range(k):
        for bb in range(k):
            patch = xp[:, :, a : a + stride * (oh - 1) + 1 : stride, bb : bb + stride * (ow - 1) + 1 : stride]
            y += np.einsum("nchw,fc->nfhw", patch.astype(np.float64), w[:, :, a, bb].astype(np.float64))
    return (y + b.reshape(1, f, 1, 1)).astype(np.float32)


def pool(x, size, reduce):
    n, c, h, w = x.shape
    oh, ow = h // size, w // size
    windows = x[:, :, : oh * size, : ow * size].reshape(n, c, oh, size, ow, size)
    return reduce(windows, axis=(3, 5)).astype(np.float32)


for i, layer in enumerate(architecture):
    kind = layer["type"]
    if kind == "conv2d":
        x = conv2d(x, tensors[f"{i}.weight"], tensors[f"{i}.bias"], layer["stride"], layer["padding"])
    elif kind == "maxpool":
        x = pool(x, layer["size"], np.max)
    elif kind == "avgpool":
        x = pool(x, layer["size"], np.mean)
    elif kind == "dense":
        x = x.reshape(x.shape[0], -1) @ tensors[f"{i}.weight"].T + tensors[f"{i}.bias"]
    elif kind == "relu":
        x = np.maximum(x, 0)
    elif kind == "leakyrelu":
        x = np.where(x > 0, x, np.float32(layer["slope"]) * x)
    elif kind == "batchnorm":
        shape = x.shape
        x = x.reshape(shape[0], -1)
        mean, var = tensors[f"{i}.running_mean"], tensors[f"{i}.running_var"]
        x = (x - mean) / np.sqrt(var + np.float32(layer["epsilon"])) * tensors[f"{i}.weight"] + tensors[f"{i}.bias"]
        x = x.reshape(shape)
    elif kind == "batchnorm2d":
        shape = (1, -1, 1, 1)
        mean, var = tensors[f"{i}.running_mean"].reshape(shape), tensors[f"{i}.running_var"].reshape(shape)
        x = (x - mean) / np.sqrt(var + np.float32(layer["epsilon"])) * tensors[f"{i}.weight"].reshape(shape) + tensors[f"{i}.bias"].reshape(shape)
    elif kind == "dropout":
        pass
    elif kind == "softmax":
        x = x.reshape(x.shape[0], -1)
        e = np.exp(x - x.max(1, keepdims=True))
        x = e / e.sum(1, keepdims=True)
    else:
        raise SystemExit(f"layer {kind} not supported here")
print(json.dumps({"predicted": x.argmax(1).tolist(), "probabilities": x.astype(float).tolist()}))
