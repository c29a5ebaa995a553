"""Loading the small real datasets shipped inside the package."""
from __future__ import annotations

import os

import numpy as np

DATA_DIR = os.path.join(os.path.dirname(__file__), "data")


def load_split(filename: str, test_split: float, seed: int):
    """Shuffles a shipped dataset with `seed` and splits off the last `test_split` fraction.

    Returns `(x_train, y_train), (x_test, y_test)` as NumPy arrays, like Keras loaders.
    """
    if not 0.0 <= test_split < 1.0:
        raise ValueError("test_split must be in [0, 1), received: %r" % (test_split,))
    with np.load(os.path.join(DATA_DIR, filename)) as data:
        x, y = data["x"], data["y"]
    order = np.random.RandomState(seed).permutation(len(x))
    x, y = x[order], y[order]
    n_train = int(round(len(x) * (1 - test_split)))
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])
