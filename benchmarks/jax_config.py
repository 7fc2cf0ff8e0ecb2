#!/usr/bin/env python3
"""A run of a diy-dnn configuration file in JAX, written as a JAX user writes a fast trainer:
pure functions of the parameters, the whole epoch in one jitted `lax.scan` (full batches),
float32. The same layers (lax.conv_general_dilated in NCHW, reduce_window pooling, BatchNorm
in training mode with batch statistics, dropout from a key split per step, the attention layer
of diy-dnn), softmax cross-entropy on the logits, the config's optimizer (SGD with momentum,
Adam, AdamW, PyTorch's formulas), batch size and global clip-norm; no augmentation and no
validation split, as `dnn bench`. Prints a final JSON line like jax_reference.py.

    pip install jax
    python3 benchmarks/jax_config.py --config assets/configs/mnist-best.json [--data-dir DIR] [--epochs N] [--threads N]
"""
import json, math, os, statistics, sys, time

sys.path.insert(0, os.path.dirname(__file__))
import reference_args  # noqa: E402

args = reference_args.parse(config=True)
if args.threads == 1:
    os.environ["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
import numpy as np  # noqa: E402
import jax, jax.numpy as jnp  # noqa: E402
from mnist_files import load  # noqa: E402

run = json.load(open(args.config))["runs"][0]
key = jax.random.PRNGKey(1)


def he(key, shape, fan_in):
    return jax.random.normal(key, shape, jnp.float32) * math.sqrt(2.0 / fan_in)


# Build: per layer a (kind, static settings) entry, its parameters and its state (BatchNorm's
# running statistics, kept as PyTorch keeps them, though only training is timed).
layers, params, state = [], [], []
shape, features = (1, 28, 28), 784  # shape is None once flattened
for spec in run["layers"]:
    kind = spec["type"].lower()
    key, sub = jax.random.split(key)
    p_, s_ = {}, {}
    if kind == "conv2d":
        c, h, w = shape
        k, st, pad, f = spec["kernel"], spec.get("stride", 1), spec.get("padding", 0), spec["channels"]
        p_ = {"w": he(sub, (f, c, k, k), c * k * k), "b": jnp.zeros(f)}
        layers.append((kind, (st, pad)))
        shape = (f, (h + 2 * pad - k) // st + 1, (w + 2 * pad - k) // st + 1)
    elif kind in ("maxpool", "avgpool"):
        size = spec.get("size", 2)
        layers.append((kind, size))
        shape = (shape[0], shape[1] // size, shape[2] // size)
    elif kind in ("batchnorm", "batchnorm2d"):
        n = shape[0] if kind == "batchnorm2d" else (math.prod(shape) if shape else features)
        p_ = {"g": jnp.ones(n), "b": jnp.zeros(n)}
        s_ = {"mean": jnp.zeros(n), "var": jnp.ones(n)}
        layers.append((kind, shape))
    elif kind == "dense":
        if shape:
            features, shape = math.prod(shape), None
        p_ = {"w": he(sub, (spec["units"], features), features), "b": jnp.zeros(spec["units"])}
        layers.append((kind, None))
        features = spec["units"]
    elif kind == "attention":
        if shape:
            features, shape = math.prod(shape), None
        t, heads, d = spec["tokens"], spec.get("heads", 1), spec.get("dim", 32)
        f = features // t
        keys = jax.random.split(sub, 4)
        p_ = {n: he(kk, (d, fi), fi) for n, kk, fi in zip(["q", "k", "v", "o"], keys, [f, f, f, d])}
        p_.update({n + "b": jnp.zeros(d) for n in ["q", "k", "v", "o"]})
        layers.append((kind, (t, f, heads, d)))
        features = t * d
    elif kind in ("relu", "leakyrelu", "dropout", "softmax"):
        layers.append((kind, spec.get("slope", 0.01) if kind == "leakyrelu" else spec.get("rate", 0.5)))
    else:
        raise SystemExit(f"layer {kind} has no JAX equivalent here")
    params.append(p_)
    state.append(s_)
image_input = layers[0][0] in ("conv2d", "maxpool", "avgpool", "batchnorm2d")


def forward(params, state, x, key, train):
    """Logits of `x` `[B, 784]`, and the new BatchNorm state."""
    h = x.reshape(-1, 1, 28, 28) if image_input else x
    new_state = []
    for (kind, setting), p_, s_ in zip(layers, params, state):
        if kind == "conv2d":
            st, pad = setting
            h = jax.lax.conv_general_dilated(h, p_["w"], (st, st), [(pad, pad), (pad, pad)],
                                             dimension_numbers=("NCHW", "OIHW", "NCHW")) + p_["b"][None, :, None, None]
        elif kind == "maxpool":
            h = jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 1, setting, setting), (1, 1, setting, setting), "VALID")
        elif kind == "avgpool":
            h = jax.lax.reduce_window(h, 0.0, jax.lax.add, (1, 1, setting, setting), (1, 1, setting, setting), "VALID") / setting**2
        elif kind in ("batchnorm", "batchnorm2d"):
            per_channel = kind == "batchnorm2d"
            x2 = h if per_channel else h.reshape(h.shape[0], -1)
            axes = (0, 2, 3) if per_channel else (0,)
            view = (lambda v: v[None, :, None, None]) if per_channel else (lambda v: v)
            if train:
                mean, var = jnp.mean(x2, axes), jnp.var(x2, axes)
                n = x2.size // mean.size
                s_ = {"mean": 0.9 * s_["mean"] + 0.1 * mean, "var": 0.9 * s_["var"] + 0.1 * var * n / (n - 1)}
            else:
                mean, var = s_["mean"], s_["var"]
            x2 = (x2 - view(mean)) / jnp.sqrt(view(var) + 1e-5) * view(p_["g"]) + view(p_["b"])
            h = x2.reshape(h.shape)
        elif kind == "dense":
            h = h.reshape(h.shape[0], -1) @ p_["w"].T + p_["b"]
        elif kind == "attention":
            t, f, heads, d = setting
            b = h.shape[0]
            tok = h.reshape(b, t, f)
            split = lambda z: z.reshape(b, t, heads, d // heads).transpose(0, 2, 1, 3)
            q, k, v = (split(tok @ p_[n].T + p_[n + "b"]) for n in ["q", "k", "v"])
            att = jax.nn.softmax(q @ k.transpose(0, 1, 3, 2) / math.sqrt(d // heads), axis=-1)
            o = (att @ v).transpose(0, 2, 1, 3).reshape(b, t, d)
            h = (o @ p_["o"].T + p_["ob"]).reshape(b, t * d)
        elif kind == "relu":
            h = jax.nn.relu(h)
        elif kind == "leakyrelu":
            h = jax.nn.leaky_relu(h, setting)
        elif kind == "dropout" and train and setting > 0:
            key, sub = jax.random.split(key)
            h = h * jax.random.bernoulli(sub, 1 - setting, h.shape) / (1 - setting)
        new_state.append(s_)
    return h.reshape(h.shape[0], -1), new_state


o = run.get("optimizer", {"type": "sgd"})
kind = o["type"].lower()
lr, wd = o.get("learningRate", 0.01), o.get("weightDecay", 0.01 if kind == "adamw" else 0.0)
momentum, b1, b2, eps = o.get("momentum", 0.0), o.get("beta1", 0.9), o.get("beta2", 0.999), o.get("epsilon", 1e-8)
clip = run.get("clipNorm")
batch = run.get("batchSize", 128)
tree = jax.tree_util.tree_map
slots = (tree(jnp.zeros_like, params), tree(jnp.zeros_like, params))


def loss_fn(params, state, x, y, key):
    logits, new_state = forward(params, state, x, key, True)
    return -jnp.mean(jax.nn.log_softmax(logits)[jnp.arange(y.shape[0]), y]), new_state


def step(carry, data):
    params, state, (m, v), t, key = carry
    x, y = data
    key, sub = jax.random.split(key)
    (loss, state), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, state, x.astype(jnp.float32) / 255.0, y, sub)
    if clip:
        norm = jnp.sqrt(sum(jnp.sum(g * g) for g in jax.tree_util.tree_leaves(grads)))
        grads = tree(lambda g: g * jnp.minimum(1.0, clip / (norm + 1e-6)), grads)
    t = t + 1
    if kind == "sgd":
        grads = tree(lambda g, w: g + wd * w, grads, params) if wd else grads
        m = tree(lambda m_, g: momentum * m_ + g, m, grads)
        params = tree(lambda w, m_: w - lr * m_, params, m)
    else:
        if kind == "adam" and wd:
            grads = tree(lambda g, w: g + wd * w, grads, params)
        if kind == "adamw":
            params = tree(lambda w: w * (1 - lr * wd), params)
        m = tree(lambda m_, g: b1 * m_ + (1 - b1) * g, m, grads)
        v = tree(lambda v_, g: b2 * v_ + (1 - b2) * g * g, v, grads)
        c1, c2 = 1 - b1**t, 1 - b2**t
        params = tree(lambda w, m_, v_: w - lr * (m_ / c1) / (jnp.sqrt(v_ / c2) + eps), params, m, v)
    return (params, state, (m, v), t, key), None


@jax.jit
def epoch(carry, xs, ys):
    carry, _ = jax.lax.scan(step, carry, (xs, ys))
    return carry


@jax.jit
def predict(params, state, x):
    return jnp.argmax(forward(params, state, x.astype(jnp.float32) / 255.0, None, False)[0], 1)


x_train, y_train, x_test, y_test = load(args.data_dir)
x_train = x_train.reshape(len(x_train), 784)
x_test = x_test.reshape(len(x_test), 784)
n_batches = len(x_train) // batch
rng = np.random.default_rng(1)
carry = (params, state, slots, jnp.float32(0), jax.random.PRNGKey(2))
times = []


def accuracy():
    guesses = np.concatenate([np.asarray(predict(carry[0], carry[1], x_test[i:i + 1000])) for i in range(0, len(x_test), 1000)])
    return float(np.mean(guesses == y_test))


for e in range(args.epochs):
    order = rng.permutation(len(x_train))[: n_batches * batch]
    xs = jnp.asarray(x_train[order].reshape(n_batches, batch, 784))
    ys = jnp.asarray(y_train[order].reshape(n_batches, batch))
    start = time.perf_counter()
    carry = epoch(carry, xs, ys)
    jax.block_until_ready(carry[0])
    times.append(time.perf_counter() - start)
    print(f"epoch {e + 1}: {times[-1]:.3f} s, test accuracy {accuracy():.4f}", flush=True)
print(json.dumps({"impl": "jax-scan", "config": args.config, "secondsPerEpoch": times,
                  "medianSecondsPerEpoch": statistics.median(times[1:] or times), "testAccuracy": accuracy()}))
