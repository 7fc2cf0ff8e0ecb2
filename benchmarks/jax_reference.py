#!/usr/bin/env python3
"""The reference MLP in JAX, the whole epoch in one jitted `lax.scan` (JAX's fastest form):
784-256-128-10, ReLU, softmax cross-entropy, He init, SGD momentum 0.9, lr 0.05, batch 128,
global clip-norm 5, float32. Prints a final JSON line like numpy_reference.py.

    pip install jax; python3 benchmarks/jax_reference.py [--data-dir DIR] [--epochs N]
"""
import json, os, statistics, sys, time

sys.path.insert(0, os.path.dirname(__file__))
import reference_args  # noqa: E402

args = reference_args.parse()
if args.threads == 1:
    os.environ["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
import numpy as np  # noqa: E402
import jax, jax.numpy as jnp  # noqa: E402
from mnist_files import load  # noqa: E402

x_train, y_train, x_test, y_test = load(args.data_dir)
batch = 128
n_batches = len(x_train) // batch  # full batches only inside the scan
key = jax.random.PRNGKey(1)
sizes = [784, 256, 128, 10]
params = []
for i, o in zip(sizes, sizes[1:]):
    key, sub = jax.random.split(key)
    params.append((jax.random.normal(sub, (o, i), jnp.float32) * np.sqrt(2.0 / i), jnp.zeros(o, jnp.float32)))
velocity = jax.tree_util.tree_map(jnp.zeros_like, params)


def loss_fn(params, x, y):
    h = x
    for i, (w, b) in enumerate(params):
        h = h @ w.T + b
        if i < 2:
            h = jax.nn.relu(h)
    return -jnp.mean(jax.nn.log_softmax(h)[jnp.arange(y.shape[0]), y])


def step(carry, batch_data):
    params, velocity = carry
    x, y = batch_data
    x = x.astype(jnp.float32) / 255.0
    grads = jax.grad(loss_fn)(params, x, y)
    norm = jnp.sqrt(sum(jnp.sum(g * g) for g in jax.tree_util.tree_leaves(grads)))
    scale = jnp.minimum(1.0, 5.0 / (norm + 1e-6))
    velocity = jax.tree_util.tree_map(lambda v, g: 0.9 * v + g * scale, velocity, grads)
    params = jax.tree_util.tree_map(lambda p, v: p - 0.05 * v, params, velocity)
    return (params, velocity), None


@jax.jit
def epoch(params, velocity, xs, ys):
    (params, velocity), _ = jax.lax.scan(step, (params, velocity), (xs, ys))
    return params, velocity


@jax.jit
def accuracy(params, x, y):
    h = x.astype(jnp.float32) / 255.0
    for i, (w, b) in enumerate(params):
        h = h @ w.T + b
        if i < 2:
            h = jax.nn.relu(h)
    return jnp.mean(jnp.argmax(h, 1) == y)


rng = np.random.default_rng(1)
times = []
for e in range(args.epochs):
    order = rng.permutation(len(x_train))[: n_batches * batch]
    xs = jnp.asarray(x_train[order].reshape(n_batches, batch, 784))
    ys = jnp.asarray(y_train[order].reshape(n_batches, batch))
    start = time.perf_counter()
    params, velocity = epoch(params, velocity, xs, ys)
    jax.block_until_ready(params)
    times.append(time.perf_counter() - start)
    print(f"epoch {e + 1}: {times[-1]:.3f} s, test accuracy {float(accuracy(params, x_test, y_test)):.4f}", flush=True)
print(json.dumps({"impl": "jax-scan", "secondsPerEpoch": times, "medianSecondsPerEpoch": statistics.median(times[1:] or times),
                  "testAccuracy": float(accuracy(params, x_test, y_test))}))
