#!/usr/bin/env python3
"""The reference MLP in PyTorch (CPU), idiomatic: nn.Sequential, CrossEntropyLoss, SGD momentum
0.9, lr 0.05, batch 128, clip_grad_norm_ 5, He-normal init. Prints a final JSON line like
numpy_reference.py.

    pip install "torch==2.13.0+cpu"; python3 benchmarks/torch_reference.py [--data-dir DIR] [--epochs N] [--threads N]
"""
import json, os, statistics, sys, time

sys.path.insert(0, os.path.dirname(__file__))
import reference_args  # noqa: E402

args = reference_args.parse()
import numpy as np  # noqa: E402
import torch  # noqa: E402
from mnist_files import load  # noqa: E402

if args.threads:
    torch.set_num_threads(args.threads)
torch.manual_seed(1)
x_train, y_train, x_test, y_test = load(args.data_dir)
x_train = torch.from_numpy(x_train.copy())
y_train = torch.from_numpy(y_train.copy())
x_test = torch.from_numpy(x_test.copy()).float() / 255
y_test = torch.from_numpy(y_test.copy())
model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(),
                            torch.nn.Linear(128, 10))
for m in model:
    if isinstance(m, torch.nn.Linear):
        torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        torch.nn.init.zeros_(m.bias)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
loss_fn = torch.nn.CrossEntropyLoss()
times = []
for epoch in range(args.epochs):
    order = torch.randperm(len(x_train))
    start = time.perf_counter()
    for s in range(0, len(order), 128):
        idx = order[s:s + 128]
        x = x_train[idx].float() / 255
        optimizer.zero_grad(set_to_none=False)
        loss = loss_fn(model(x), y_train[idx])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
    times.append(time.perf_counter() - start)
    with torch.no_grad():
        accuracy = float((model(x_test).argmax(1) == y_test).float().mean())
    print(f"epoch {epoch + 1}: {times[-1]:.3f} s, test accuracy {accuracy:.4f}", flush=True)
print(json.dumps({"impl": "pytorch", "secondsPerEpoch": times, "medianSecondsPerEpoch": statistics.median(times[1:] or times),
                  "testAccuracy": accuracy}))
