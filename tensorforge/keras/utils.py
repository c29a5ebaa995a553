"""tf.keras.utils."""
from __future__ import annotations

import random

import numpy as np


def set_random_seed(seed: int) -> None:
    """Seeds Python's, NumPy's and tensorforge's random generators (tf.keras.utils.set_random_seed)."""
    if not isinstance(seed, int):
        raise ValueError("Expected `seed` argument to be an integer. Received: seed=%r" % (seed,))
    from ..ops import random_ops
    random.seed(seed)
    np.random.seed(seed)
    random_ops.set_seed(seed)
