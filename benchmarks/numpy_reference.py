#!/usr/bin/env python3
"""The reference MLP trained from scratch in NumPy (float32), the same training as `dnn bench`.

784-256-128-10, ReLU, softmax + cross-entropy, He-normal weights, zero biases, SGD with
momentum 0.9 (PyTorch's formula), learning rate 0.05, batch 128, global clip-norm 5, a fresh
shuffle each epoch. Prints one line per epoch and a final JSON line with the median seconds per
epoch after the first.

    python3 benchmarks/numpy_reference.py [--data-dir DIR] [--epochs N] [--threads N]
"""
import json, os, statistics, sys, time

sys.path.insert(0, os.path.dirname(__file__))
import reference_args  # noqa: E402

args = reference_args.parse()
if args.threads:  # must be set before NumPy loads its BLAS
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
import numpy as np  # noqa: E402


from mnist_files import load  # noqa: E402

x_train, y_train, x_test, y_test = load(args.data_dir)
rng = np.random.default_rng(args.seed)
sizes = [784, 256, 128, 10]
W = [(rng.standard_normal((o, i)) * np.sqrt(2.0 / i)).astype(np.float32) for i, o in zip(sizes, sizes[1:])]
b = [np.zeros(o, np.float32) for o in sizes[1:]]
vW = [np.zeros_like(w) for w in W]
vb = [np.zeros_like(x) for x in b]
lr, mu, clip, batch = np.float32(0.05), np.float32(0.9), 5.0, 128


def forward(x):
    acts = [x]
    for i in range(3):
        z = acts[-1] @ W[i].T + b[i]
        acts.append(np.maximum(z, 0) if i < 2 else z)
    return acts


def evaluate(x, y):
    correct = 0
    for s in range(0, len(x), 1000):
        logits = forward(x[s:s + 1000].astype(np.float32) / np.float32(255))[-1]
        correct += int((logits.argmax(1) == y[s:s + 1000]).sum())
    return correct / len(x)


times = []
for epoch in range(args.epochs):
    order = rng.permutation(len(x_train))
    start = time.perf_counter()
    for s in range(0, len(order), batch):
        idxs = order[s:s + batch]
        x = x_train[idxs].astype(np.float32) * np.float32(1 / 255)
        y = y_train[idxs]
        acts = forward(x)
        logits = acts[-1]
        p = np.exp(logits - logits.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        p[np.arange(len(y)), y] -= 1
        dz = p / np.float32(len(y))
        gW, gb = [None] * 3, [None] * 3
        for i in (2, 1, 0):
            gW[i] = dz.T @ acts[i]
            gb[i] = dz.sum(0)
            if i > 0:
                dz = (dz @ W[i]) * (acts[i] > 0)
        norm = np.sqrt(sum(float((g * g).sum()) for g in gW + gb))
        scale = np.float32(clip / (norm + 1e-6)) if norm > clip else np.float32(1)
        for i in range(3):
            vW[i] = mu * vW[i] + gW[i] * scale
            vb[i] = mu * vb[i] + gb[i] * scale
            W[i] -= lr * vW[i]
            b[i] -= lr * vb[i]
    times.append(time.perf_counter() - start)
    print(f"epoch {epoch + 1}: {times[-1]:.3f} s, test accuracy {evaluate(x_test, y_test):.4f}", flush=True)

median = statistics.median(times[1:] if len(times) > 1 else times)
print(json.dumps({"impl": "numpy", "secondsPerEpoch": times, "medianSecondsPerEpoch": median,
                  "testAccuracy": evaluate(x_test, y_test)}))
