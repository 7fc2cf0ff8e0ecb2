"""Reads an MNIST-format folder (IDX, gzipped or raw) for the reference scripts; synthetic data of
the same shape when the folder is absent."""
import gzip, os
import numpy as np


def _idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def _find(folder, prefix, kind, n):
    for name in (f"{prefix}-{kind}-idx{n}-ubyte.gz", f"{prefix}-{kind}-idx{n}-ubyte"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return path
    return None


def load(folder):
    """(x_train uint8 [n, 784], y_train int64, x_test, y_test)."""
    if _find(folder, "train", "images", 3):
        return (_idx(_find(folder, "train", "images", 3)).reshape(-1, 784),
                _idx(_find(folder, "train", "labels", 1)).astype(np.int64),
                _idx(_find(folder, "t10k", "images", 3)).reshape(-1, 784),
                _idx(_find(folder, "t10k", "labels", 1)).astype(np.int64))
    g = np.random.default_rng(0)
    x = g.integers(0, 256, (60000, 784), dtype=np.uint8)
    y = g.integers(0, 10, 60000)
    return x, y, x[:10000], y[:10000]
