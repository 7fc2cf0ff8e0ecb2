#!/usr/bin/env python3
"""A run of a diy-dnn configuration file in PyTorch (CPU), written as a PyTorch user writes it:
nn.Sequential of the same layers (Conv2d/MaxPool2d/AvgPool2d/BatchNorm2d on images, Flatten,
Linear/BatchNorm1d/Dropout/ReLU after), CrossEntropyLoss on the logits (the config's softmax is
the loss's), the config's optimizer, batch size and clipping; no augmentation and no validation
split, as `dnn bench`. Prints a final JSON line like torch_reference.py.

    pip install "torch==2.13.0+cpu"
    python3 benchmarks/torch_config.py --config assets/configs/cnn.json [--data-dir DIR] [--epochs N] [--threads N]
"""
import json, os, statistics, sys, time

sys.path.insert(0, os.path.dirname(__file__))
import reference_args  # noqa: E402

args = reference_args.parse(config=True)
import torch  # noqa: E402
from mnist_files import load  # noqa: E402

if args.threads:
    torch.set_num_threads(args.threads)
torch.manual_seed(1)
run = json.load(open(args.config))["runs"][0]
nn = torch.nn


class SelfAttention(nn.Module):
    """diy-dnn's attention layer: the sample's T tokens of F features, Q/K/V projections to D,
    H heads (scaled_dot_product_attention), an output projection, flattened to T*D."""

    def __init__(self, tokens, features, heads, dim):
        super().__init__()
        self.tokens, self.features, self.heads, self.dim = tokens, features, heads, dim
        self.qkv = nn.Linear(features, 3 * dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x):
        b = x.shape[0]
        q, k, v = self.qkv(x.reshape(b, self.tokens, self.features)).chunk(3, dim=-1)
        split = lambda t: t.reshape(b, self.tokens, self.heads, self.dim // self.heads).transpose(1, 2)
        o = torch.nn.functional.scaled_dot_product_attention(split(q), split(k), split(v))
        return self.out(o.transpose(1, 2).reshape(b, self.tokens, self.dim)).reshape(b, -1)


layers, shape, features = [], (1, 28, 28), 784  # shape is None once flattened
for spec in run["layers"]:
    kind = spec["type"].lower()
    if kind == "conv2d":
        c, h, w = shape
        k, s, pad = spec["kernel"], spec.get("stride", 1), spec.get("padding", 0)
        layers.append(nn.Conv2d(c, spec["channels"], k, stride=s, padding=pad))
        shape = (spec["channels"], (h + 2 * pad - k) // s + 1, (w + 2 * pad - k) // s + 1)
    elif kind in ("maxpool", "avgpool"):
        size = spec.get("size", 2)
        layers.append(nn.MaxPool2d(size) if kind == "maxpool" else nn.AvgPool2d(size))
        shape = (shape[0], shape[1] // size, shape[2] // size)
    elif kind == "batchnorm":
        # diy-dnn's batchnorm normalises every feature; on feature maps that is BatchNorm1d of
        # the flattened maps (BatchNorm2d is its batchnorm2d).
        if shape:
            c, h, w = shape
            layers += [nn.Flatten(), nn.BatchNorm1d(c * h * w), nn.Unflatten(1, shape)]
        else:
            layers.append(nn.BatchNorm1d(features))
    elif kind == "batchnorm2d":
        layers.append(nn.BatchNorm2d(shape[0]))
    elif kind == "dense":
        if shape:
            layers.append(nn.Flatten())
            features, shape = shape[0] * shape[1] * shape[2], None
        layers.append(nn.Linear(features, spec["units"]))
        features = spec["units"]
    elif kind == "attention":
        if shape:
            layers.append(nn.Flatten())
            shape = None
        t, h, d = spec["tokens"], spec.get("heads", 1), spec.get("dim", 32)
        layers.append(SelfAttention(t, features // t, h, d))
        features = t * d
    elif kind == "relu":
        layers.append(nn.ReLU())
    elif kind == "leakyrelu":
        layers.append(nn.LeakyReLU(spec.get("slope", 0.01)))
    elif kind == "dropout":
        layers.append(nn.Dropout(spec.get("rate", 0.5)))
    elif kind == "softmax":
        pass  # CrossEntropyLoss takes the logits
    else:
        raise SystemExit(f"layer {kind} has no PyTorch equivalent here")
model = nn.Sequential(*layers)
o = run.get("optimizer", {"type": "sgd"})
lr = o.get("learningRate", 0.01)
if o["type"].lower() == "adamw":
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=o.get("weightDecay", 0.01))
elif o["type"].lower() == "adam":
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=o.get("weightDecay", 0))
else:
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=o.get("momentum", 0), weight_decay=o.get("weightDecay", 0))
clip = run.get("clipNorm")
batch = run.get("batchSize", 128)
loss_fn = nn.CrossEntropyLoss()

x_train, y_train, x_test, y_test = load(args.data_dir)
image = (-1, 1, 28, 28) if isinstance(model[0], (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d, nn.BatchNorm2d)) else (-1, 784)
x_train = torch.from_numpy(x_train.copy())
y_train = torch.from_numpy(y_train.copy())
x_test = (torch.from_numpy(x_test.copy()).float() / 255).reshape(image)
y_test = torch.from_numpy(y_test.copy())
times = []
for epoch in range(args.epochs):
    model.train()
    order = torch.randperm(len(x_train))
    start = time.perf_counter()
    for s in range(0, len(order), batch):
        idx = order[s:s + batch]
        x = (x_train[idx].float() / 255).reshape(image)
        optimizer.zero_grad(set_to_none=False)
        loss = loss_fn(model(x), y_train[idx])
        loss.backward()
        if clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
    times.append(time.perf_counter() - start)
    model.eval()
    with torch.no_grad():
        accuracy = float(torch.cat([model(x_test[i:i + 1000]).argmax(1) for i in range(0, len(x_test), 1000)]).eq(y_test).float().mean())
    print(f"epoch {epoch + 1}: {times[-1]:.3f} s, test accuracy {accuracy:.4f}", flush=True)
print(json.dumps({"impl": "pytorch", "config": args.config, "secondsPerEpoch": times,
                  "medianSecondsPerEpoch": statistics.median(times[1:] or times), "testAccuracy": accuracy}))
