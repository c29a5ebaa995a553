"""Keras 3's dtype rules for `keras.ops`: `standardize_dtype` and the type-promotion lattice.

`result_type` follows `keras.backend.result_type` on the TensorFlow backend: Python `int` and
`float` are weak types, `int8 + uint8 -> int16`, `int32 + float16 -> float16`, weak floats
resolve to `floatx()` precision, and `uint64 -> uint32` / `complex128 -> complex64` after promotion
(int64/float64 stay 64-bit on TensorFlow).
"""
from __future__ import annotations

import functools
import sys

import tensorforge as tf

_INT = ("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64")
_FLOAT = ("bfloat16", "float16", "float32", "float64")
_WEAK = ("int", "float")
_PY_DTYPES = {bool: "bool", int: "int64", float: "float32", str: "string", complex: "complex128"}


def floatx() -> str:
    """Keras' default float type ("float32" unless keras.backend.set_floatx changed it)."""
    backend = sys.modules.get("tensorforge.keras.backend")
    return backend.floatx() if backend is not None and hasattr(backend, "floatx") else "float32"


def standardize_dtype(dtype) -> str:
    """A dtype name from None (floatx), a Python type, a string, a tf.DType or a NumPy dtype."""
    if dtype is None:
        return floatx()
    if dtype in _PY_DTYPES:
        return _PY_DTYPES[dtype]
    if hasattr(dtype, "compute_dtype"):
        return standardize_dtype(dtype.compute_dtype)
    if isinstance(dtype, str):
        if dtype == "int":
            return "int64"
        if dtype == "float":
            return "float32"
    return tf.as_dtype(dtype).name


def _lattice() -> dict:
    return {"bool": ["int"], "uint8": ["int16", "uint16"], "uint16": ["int32", "uint32"],
            "uint32": ["int64", "uint64"], "uint64": ["float"], "int": ["uint8", "int8", "complex64"],
            "int8": ["int16"], "int16": ["int32"], "int32": ["int64"], "int64": ["float"],
            "float": ["bfloat16", "float16"], "bfloat16": ["float32"], "float16": ["float32"],
            "float32": ["float64", "complex64"], "float64": ["complex128"],
            "complex64": ["complex128"], "complex128": []}


def _upper_bounds() -> dict:
    lattice = _lattice()
    bounds = {n: {n} for n in lattice}
    for n in lattice:
        while True:
            new = set().union(*(lattice[b] for b in bounds[n]))
            if new <= bounds[n]:
                break
            bounds[n] |= new
    return bounds


_UB = _upper_bounds()


@functools.lru_cache(512)
def _least_upper_bound(*nodes: str) -> str:
    n = set(nodes)
    for d in n:
        if d not in _UB:
            raise ValueError(f"dtype={d!r} is not a valid dtype for Keras type promotion.")
    common = set.intersection(*(_UB[d] for d in n))
    lub = (common & n) or {c for c in common if common <= _UB[c]}
    if len(lub) != 1:
        raise ValueError(f"Input dtypes {tuple(nodes)} have no available implicit dtype promotion "
                         "path. Try explicitly casting inputs to the desired output type.")
    return lub.pop()


def _weak(dtype: str) -> str:
    if dtype == "bool":
        return dtype
    return "float" if "float" in dtype else "int" if "int" in dtype else "complex"


def result_type(*dtypes) -> str:
    """The dtype of combining `dtypes` under Keras 3's promotion rules (`int`/`float` are weak)."""
    if not dtypes:
        return floatx()
    pairs = [(standardize_dtype(d), d is int or d is float) for d in dtypes]
    names = [p[0] for p in pairs]
    weak = [p[1] for p in pairs]
    if len(names) == 1:
        out, out_weak = names[0], weak[0]
    elif len(set(names)) == 1 and not all(weak):
        out, out_weak = names[0], False
    elif all(weak):
        out, out_weak = _least_upper_bound(*set(names)), True
    else:
        out = _least_upper_bound(*{_weak(d) if w else d for d, w in zip(names, weak)})
        out_weak = out in _WEAK
    if out != "bool" and out_weak:
        precision = floatx()[-2:]
        out = ("int" + precision if out[0] == "i" else "uint" + precision if out[0] == "u"
               else "float" + precision)
    return {"uint64": "uint32", "complex128": "complex64"}.get(out, out)


def dtype_of(x) -> str:
    """Keras' dtype name of a tensor, array or Python value (Python scalars keep their type)."""
    if isinstance(x, (bool, int, float)) and not hasattr(x, "dtype"):
        return type(x)
    return standardize_dtype(x.dtype) if hasattr(x, "dtype") else standardize_dtype(
        tf.convert_to_tensor(x).dtype)


def is_float(dtype: str) -> bool:
    return dtype in _FLOAT


def is_int(dtype: str) -> bool:
    return dtype in _INT
