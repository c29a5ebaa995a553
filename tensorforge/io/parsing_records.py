"""Shared helpers of the parse ops: records, names, value lists out of protobuf containers in bulk,
ragged layouts and errors."""

import math
from operator import attrgetter, methodcaller

import numpy as np

from ..framework import dtypes
from ..framework.context import ctx
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor
from ..ops import shapes as sh
from ..ops.registry import REGISTRY, bind

__all__: list = []


_t = convert_to_tensor
_F32, _I64, _STR, _I32 = dtypes.float32, dtypes.int64, dtypes.string, dtypes.int32
_PARSE_TYPES = (_F32, _I64, _STR)
_SPLIT_TYPES = (_I32, _I64)
# TF's C++ type names, as its messages print them.
_TF_NAME = {"float32": "float", "float64": "double", "float16": "half"}


def _tf_name(dtype) -> str:
    return _TF_NAME.get(dtype.name, dtype.name)


# ================================================================ reading records
_FIELD = {_F32: "float_list", _I64: "int64_list", _STR: "bytes_list"}
_FIELD_TYPE = {"float_list": "float", "int64_list": "int64", "bytes_list": "string"}
_FIELD_WORD = {"float_list": "float", "int64_list": "int64", "bytes_list": "bytes"}
_NP = {_F32: np.float32, _I64: np.int64, _STR: object}
_F32_LE = np.dtype("<f4")
_WHICH_KIND = methodcaller("WhichOneof", "kind")
_VALUE = attrgetter("value")


def _strs(x) -> np.ndarray:
    """A string input as an object ndarray (a scalar may arrive as a bare bytes object)."""
    if type(x) is np.ndarray:
        return x
    out = np.empty((), object)
    out[()] = x
    return out


def _arr(x):
    """A kernel input as an array (NumPy scalars pass; a bare bytes scalar is wrapped)."""
    return x if isinstance(x, (np.ndarray, np.generic)) else _strs(x)


def _text(b) -> str:
    if isinstance(b, bytes):
        return b.decode("utf-8", "backslashreplace")
    return str(b)


def _record_list(serialized: np.ndarray) -> list:
    return [serialized[()]] if serialized.ndim == 0 else serialized.tolist()


def _names_list(names: np.ndarray, serialized: np.ndarray, op_name: str):
    """Each record's debug name (None when no names were given)."""
    if names.size == 0:
        return None
    if names.shape != serialized.shape:
        raise InvalidArgumentError(None, None, "Expected names have the same shape as serialized: name.shape=%s, "
                                   "serialized.shape=%s [Op:%s]" % (sh.fmt(names.shape), sh.fmt(serialized.shape),
                                                                    op_name))
    return _record_list(names)


def _name(names, i) -> str:
    return "<unknown>" if names is None else _text(names[i])


def _lists(maps, key, field):
    """The `field` list message of feature `key` in each feature map, and its value counts.

    Returns (lists, counts, mismatch): lists[i] is None and counts[i] -1 where the record lacks
    the feature (or it has no kind); mismatch is (index, field) of the first record whose
    feature holds another kind, else None.
    """
    feats = list(map(methodcaller("get", key), maps))
    if None not in feats:  # the common case: every record has the feature (C-level loops only)
        kinds = list(map(_WHICH_KIND, feats))
        if kinds.count(field) == len(kinds):
            lists = list(map(attrgetter(field), feats))
            return lists, list(map(len, map(_VALUE, lists))), None
    lists, counts, bad = [], [], None
    for i, fm in enumerate(maps):
        f = fm.get(key)
        kind = None if f is None else f.WhichOneof("kind")
        if kind == field:
            lst = getattr(f, field)
            lists.append(lst)
            counts.append(len(lst.value))
        else:
            lists.append(None)
            counts.append(-1)
            if kind is not None and bad is None:
                bad = (i, kind)
    return lists, counts, bad


def _packed_payload(s: bytes):
    """The packed field data of a serialized FloatList/Int64List (after its tag and length)."""
    if not s:
        return s
    i = 1
    while s[i] & 0x80:
        i += 1
    return memoryview(s)[i + 1:]


def _flat_values(lists, total: int, dtype) -> np.ndarray:
    """The concatenated values of the list messages `lists` (None entries skipped) as one array."""
    lists = [lst for lst in lists if lst is not None]
    if dtype is _STR:
        vals = []
        for lst in lists:
            vals.extend(lst.value)
        out = np.empty(len(vals), object)
        out[:] = vals
        return out
    if total == 0:
        return np.zeros(0, _NP[dtype])
    long_lists = total >= 16 * len(lists)
    if dtype is _F32 and long_lists:
        # The packed wire form of a FloatList is its float32 values, little-endian.
        buf = bytearray().join([_packed_payload(lst.SerializeToString()) for lst in lists])
        if len(buf) == 4 * total:
            return np.frombuffer(buf, _F32_LE).astype(np.float32, copy=False)
    if long_lists:
        return np.concatenate([np.array(lst.value, _NP[dtype]) for lst in lists])
    vals = []
    for lst in lists:
        vals.extend(lst.value)
    return np.array(vals, _NP[dtype])


def _ragged_layout(counts: np.ndarray):
    """Row ids and positions within the row of values laid out row after row with `counts`."""
    total = int(counts.sum())
    rows = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    starts = np.cumsum(counts) - counts
    return rows, np.arange(total, dtype=np.int64) - np.repeat(starts, counts)


def _splits(counts: np.ndarray, dtype) -> np.ndarray:
    out = np.zeros(len(counts) + 1, dtype.as_numpy_dtype)
    np.cumsum(counts, out=out[1:])
    return out


def _fill_rows(values: np.ndarray, present: np.ndarray, n: int, shape: tuple, default: np.ndarray, np_dtype):
    """A [n] + shape array: the rows of `values` where `present`, `default` elsewhere."""
    out = np.empty((n,) + shape, np_dtype)
    out[present] = values.reshape((-1,) + shape)
    out[~present] = default.reshape(shape)
    return out


def _pad_rows(values: np.ndarray, rows: np.ndarray, inner: tuple, pad, np_dtype):
    """A [n, max(rows)] + inner array holding rows[i] rows of `values` per example, padded with `pad`."""
    n = len(rows)
    longest = int(rows.max()) if n else 0
    out = np.full((n, longest) + inner, pad, np_dtype)
    mask = np.arange(longest) < rows[:, None]
    out[mask] = values.reshape((-1,) + inner)
    return out


def _invalid(message: str, op_name: str) -> InvalidArgumentError:
    return InvalidArgumentError(None, None, "%s [Op:%s]" % (message, op_name))


def _size(shape) -> int:
    return math.prod(shape)


def _check_types(api, op_name, attr, types, allowed):
    for t in types:
        if t not in allowed:
            raise InvalidArgumentError(None, None, "%s: Value for attr '%s' of %s is not in the list of allowed values: "
                                       "%s [Op:%s]" % (api, attr, _tf_name(t), ", ".join(_tf_name(a) for a in allowed),
                                                       op_name))


def _check_string_input(api, op_name, spec, index, name):
    if spec.dtype is not _STR:
        raise InvalidArgumentError(None, None, "%s: cannot compute %s as input #%d(zero-based) (argument %s) was "
                                   "expected to be a string tensor but is a %s tensor [Op:%s]"
                                   % (api, op_name, index, name, _tf_name(spec.dtype), op_name))


def _str_array(*values) -> np.ndarray:
    out = np.empty(len(values), object)
    out[:] = list(values)
    return out


def _checked_bind(op_name, inputs, attrs, check=None):
    """bind() after running the op's checks eagerly too (attr and dtype errors before any parsing).

    `check` validates the inputs and attrs without computing value-dependent shapes (the op's
    infer by default).
    """
    if ctx.graph is None:
        (check or REGISTRY[op_name].infer)(inputs, attrs)
    return bind(op_name, inputs, attrs)


def _string_tensor(x):
    """`x` as a string tensor; lists of str/bytes (also empty or mixed ones) convert directly."""
    if isinstance(x, Tensor) or getattr(x, "_is_symbolic_tensor", False):
        return x
    if isinstance(x, (list, tuple)):
        arr = np.array(x, dtype=object)
        flat = arr.reshape(-1).tolist()
        if all(isinstance(v, (bytes, str)) for v in flat) and (flat or arr.ndim):
            out = np.empty(arr.shape, object)
            out.reshape(-1)[:] = [v.encode("utf-8") if isinstance(v, str) else v for v in flat]
            return Tensor(out, _STR)
    return _t(x, _STR)


def _static(spec):
    """The NumPy value of `spec` when known now (eager, or a constant while tracing), else None."""
    if type(spec) is Tensor:
        return spec._value
    static = getattr(spec, "_static_value", None)
    v = static() if static is not None else None
    return None if v is None else np.asarray(v)
