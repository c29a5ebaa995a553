"""Deterministic sample inputs for registry entries (`samples=`), used by the registry tests.

Float samples are float64 so that gradients can be checked by finite differences.
"""
from __future__ import annotations

import numpy as np

_state = {}


def _gen():
    # Made on first use, so that importing tensorforge does not import numpy.random.
    if "rng" not in _state:
        _state["rng"] = np.random.default_rng(0)
    return _state["rng"]


def normal(*shape, dtype=np.float64):
    return _gen().standard_normal(shape).astype(dtype)


def positive(*shape, dtype=np.float64):
    return _gen().uniform(0.5, 2.0, shape).astype(dtype)


def unit(*shape, dtype=np.float64):
    return _gen().uniform(-0.9, 0.9, shape).astype(dtype)


def distinct(*shape, dtype=np.float64):
    """Values far apart (no ties), for max/min/sort/pool gradients."""
    n = int(np.prod(shape)) if shape else 1
    return (_gen().permutation(n).reshape(shape) * 0.37 - 1.5).astype(dtype)


def ints(lo, hi, *shape, dtype=np.int32):
    return _gen().integers(lo, hi, shape).astype(dtype)


def bools(*shape):
    return _gen().uniform(0, 1, shape) > 0.5


def scalar(v, dtype=np.int32):
    return np.asarray(v, dtype=dtype)
