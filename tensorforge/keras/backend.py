"""tf.keras.backend: Keras 3's backend utilities (global settings, name uids, dtype helpers) plus
the commonly used functions of the legacy `tf.keras.backend` namespace (int_shape, get_value, ...).
"""
from __future__ import annotations

import collections
import gc
import math

import numpy as np

import tensorforge as tf

from .config import (backend, epsilon, floatx, image_data_format, set_epsilon, set_floatx,  # noqa: F401
                     set_image_data_format)
from .ops_dtypes import result_type  # noqa: F401

_ALLOWED_DTYPES = ("float16", "float32", "float64", "uint8", "uint16", "uint32", "uint64", "int8", "int16",
                   "int32", "int64", "bfloat16", "bool", "string", "float8_e4m3fn", "float8_e5m2", "complex64",
                   "complex128")
_PYTHON_DTYPES = {bool: "bool", int: "int64", float: "float32", str: "string", "int": "int64",
                  complex: "complex128"}
_OBJECT_NAME_UIDS: collections.defaultdict = collections.defaultdict(int)


def get_uid(prefix: str = "") -> int:
    """A counter per string prefix: 1 on the first call with `prefix`, then 2, 3, ..."""
    _OBJECT_NAME_UIDS[prefix] += 1
    return _OBJECT_NAME_UIDS[prefix]


def clear_session(free_memory: bool = True) -> None:
    """Resets the state Keras keeps globally: automatic names start again ('dense', 'dense_1', ...),
    `get_uid` counters restart, and interactive logging / traceback filtering return to their defaults.

    Args:
      free_memory: whether to run Python's garbage collector afterwards.
    """
    from . import config, losses
    from .layers import layer
    from .optimizers import base
    _OBJECT_NAME_UIDS.clear()
    layer._names.counts = {}
    losses._NAME_UIDS.clear()
    base._NAME_UIDS.clear()
    config._reset_state()
    if free_memory:
        gc.collect()


def random_seed_dtype() -> str:
    """The dtype of the seeds Keras's stateless random ops take ('int64' on TensorFlow)."""
    return "int64"


def standardize_dtype(dtype) -> str:
    """A Keras dtype name from None (floatx), a Python type, a string, a tf.DType or a NumPy dtype.

    Raises:
      ValueError: `Invalid dtype: ...` for anything Keras does not support.
    """
    if dtype is None:
        return floatx()
    try:
        dtype = _PYTHON_DTYPES.get(dtype, dtype)
    except TypeError:  # unhashable
        pass
    if hasattr(dtype, "name"):
        dtype = dtype.name
    elif hasattr(dtype, "__name__"):
        dtype = dtype.__name__
    if dtype not in _ALLOWED_DTYPES:
        raise ValueError("Invalid dtype: %s" % (dtype,))
    return dtype


def is_float_dtype(dtype) -> bool:
    """Whether `dtype` is a floating-point type (float16/32/64, bfloat16, float8)."""
    dtype = standardize_dtype(dtype)
    return dtype.startswith("float") or dtype.startswith("bfloat")


def is_int_dtype(dtype) -> bool:
    """Whether `dtype` is a signed or unsigned integer type."""
    dtype = standardize_dtype(dtype)
    return dtype.startswith("int") or dtype.startswith("uint")


def is_keras_tensor(x) -> bool:
    """Whether `x` is a Keras symbolic tensor (made by `keras.Input` or by a layer called on one)."""
    from .layers.layer import functional_graph_of
    if isinstance(x, (list, tuple, dict)) or not hasattr(x, "dtype"):
        return False
    return functional_graph_of(x) is not None


# ------------------------------------------------------------------ legacy tf.keras.backend functions
def cast_to_floatx(x):
    """`x` cast to floatx: a tensor for tensors and variables, a NumPy array otherwise."""
    if tf.is_tensor(x) or isinstance(x, tf.Variable):
        return tf.cast(x, floatx())
    return np.asarray(x, dtype=floatx())


def int_shape(x) -> tuple | None:
    """The static shape of a tensor, variable or array as a tuple of ints / None."""
    try:
        shape = x.shape
        if not isinstance(shape, tuple):
            shape = tuple(shape.as_list())
        return shape
    except ValueError:
        return None


def ndim(x) -> int | None:
    """The rank of a tensor or variable."""
    return x.shape.rank


def dtype(x) -> str:
    """The dtype name of a tensor or variable."""
    return x.dtype.base_dtype.name


def shape(x):
    """The dynamic shape of `x` as an int32 tensor."""
    return tf.shape(x)


def constant(value, dtype=None, shape=None, name=None):
    """A constant tensor (floatx by default)."""
    return tf.constant(value, dtype=dtype or floatx(), shape=shape, name=name)


def variable(value, dtype=None, name=None, constraint=None):
    """A tf.Variable holding `value` (floatx by default)."""
    return tf.Variable(value, dtype=tf.as_dtype(dtype or floatx()), name=name, constraint=constraint)


def count_params(x) -> int:
    """The number of scalars in a tensor or variable."""
    return math.prod(x.shape.as_list())


def get_value(x):
    """The value of a tensor or variable as a NumPy array (other values are returned as they are)."""
    if not (tf.is_tensor(x) or isinstance(x, tf.Variable)) and not hasattr(x, "numpy"):
        return x
    return x.numpy()


def batch_get_value(tensors) -> list:
    """The values of several tensors or variables as NumPy arrays."""
    return [x.numpy() for x in tensors]


def set_value(x, value) -> None:
    """Assigns a NumPy value to a variable."""
    x.assign(np.asarray(value, dtype=x.dtype.name))


def batch_set_value(tuples) -> None:
    """Assigns values to several variables: an iterable of (variable, value) pairs."""
    for x, value in tuples:
        set_value(x, value)


def eval(x):  # noqa: A001 - Keras's name
    """The value of a tensor or variable as a NumPy array."""
    return get_value(x)


def is_sparse(tensor) -> bool:
    """Whether `tensor` is a tf.SparseTensor."""
    return isinstance(tensor, tf.SparseTensor)
