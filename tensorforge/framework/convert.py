"""Converting Python and NumPy values to tensors with TensorFlow's dtype rules.

Python floats become float32, ints int32 (int64 when too large), strings tf.string; NumPy
arrays keep their dtype; a value converted for a given dtype must fit it without loss of
kind (1.5 never silently becomes an int).
"""
from __future__ import annotations

import numpy as np

from . import dtypes
from .errors import InvalidArgumentError
from .tensor import Tensor
from .tensor_shape import as_shape

_from_np = dtypes._BY_NP.get
_INT32_MIN, _INT32_MAX = -(2 ** 31), 2 ** 31 - 1


def _to_bytes(s):
    if isinstance(s, bytes):
        return s
    if isinstance(s, str):
        return s.encode("utf-8")
    if isinstance(s, np.bytes_):
        return bytes(s)
    if isinstance(s, np.ndarray) and s.ndim == 0:  # a scalar string tensor's value inside a list
        return _to_bytes(s[()])
    raise TypeError("Failed to convert elements of %r to Tensor: expected str or bytes." % (s,))


def _string_array(value) -> np.ndarray:
    arr = np.asarray(value, dtype=object)
    if arr.ndim == 0:
        out = np.empty((), dtype=object)
        out[()] = _to_bytes(arr[()])
        return out
    out = np.empty(arr.shape, dtype=object)
    flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
    for i in range(flat_in.size):  # strings have no vectorised path; string tensors are small
        flat_out[i] = _to_bytes(flat_in[i])
    return out


def _unpack_nested(value, seen=None):
    """Replace tensors inside nested lists by their values (tf.constant([t1, t2])); their dtypes go
    into `seen`, since a list of tensors keeps their dtype as TF's Pack does."""
    if isinstance(value, (list, tuple)):
        return [_unpack_nested(v, seen) for v in value]
    if hasattr(value, "_as_tensor"):
        value = value._as_tensor()
    if isinstance(value, Tensor):
        if seen is not None:
            seen.append(value.dtype)
        return value._value
    return value


def _infer_python(value) -> dtypes.DType:
    """TF's dtype for a Python value with no dtype of its own."""
    try:
        arr = np.asarray(value)
    except (ValueError, UnicodeError):
        # NumPy refuses a list mixing str and bytes (non-ASCII bytes); TF takes both as strings.
        try:
            arr = np.asarray(value, dtype=object)
        except ValueError:
            arr = None
        if arr is None or arr.size == 0 or not all(isinstance(x, (str, bytes)) for x in arr.reshape(-1)):
            raise ValueError("Can't convert non-rectangular Python sequence to Tensor.") from None
    kind = arr.dtype.kind
    if kind == "f":
        return dtypes.float32
    if kind in "iu":
        if arr.size and (arr.min() < _INT32_MIN or arr.max() > _INT32_MAX):
            return dtypes.int64
        return dtypes.int32
    if kind == "b":
        return dtypes.bool
    if kind == "c":
        return dtypes.complex128
    if kind in "SUO":
        return dtypes.string
    raise TypeError("Failed to convert object of type %s to Tensor." % type(value).__name__)


def _check_cast(arr: np.ndarray, dtype: dtypes.DType, value):
    """Refuse conversions TF refuses: a float to an int dtype, anything numeric to string."""
    if arr.size == 0:
        return  # an empty list takes any dtype
    src = arr.dtype.kind
    dst = dtype._np.kind
    if dtype.name == "bfloat16":
        dst = "f"
    bad = ((src in "fc" and dst in "iub") or (src == "c" and dst == "f")
           or (src in "OSU") != (dst == "O"))
    if bad:
        raise TypeError("Cannot convert %r to EagerTensor of dtype %s" % (value, dtype.name))
    if dst in "iu" and src in "iu" and arr.size:
        info = np.iinfo(dtype._np)
        if arr.min() < info.min or arr.max() > info.max:
            raise TypeError("Cannot convert %r to EagerTensor of dtype %s" % (value, dtype.name))


def constant_value(value, dtype=None) -> Tensor:
    """A new eager tensor for `value` (the core of tf.constant / convert_to_tensor)."""
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    t = type(value)
    # Fast paths: a Python scalar going into an operator with a tensor.
    if dtype is not None and (t is float or t is int) and dtype.is_floating:
        return Tensor(dtype._np.type(value), dtype)
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        arr = value
        if arr.dtype.kind in "SUO":
            arr = _string_array(arr)
        if dtype is not None and _from_np(arr.dtype) is not dtype:
            _check_cast(arr, dtype, value)
            arr = arr.astype(dtype._np)
        elif isinstance(arr, np.ndarray):
            arr = arr.copy()  # a tensor never aliases a caller's mutable array
        return Tensor(arr, dtype)
    if isinstance(value, (list, tuple)):
        seen: list = []
        value = _unpack_nested(value, seen)
        if dtype is None and seen:
            for i, d in enumerate(seen[1:], 1):
                if d is not seen[0]:
                    raise mixed_dtype_error("Pack", i, seen[0], d)
            dtype = seen[0]
    if dtype is None:
        dtype = _infer_python(value)
    if dtype is dtypes.string:
        if np.asarray(value, dtype=object).size and _infer_python(value) is not dtypes.string:
            raise TypeError("Cannot convert %r to EagerTensor of dtype string" % (value,))
        return Tensor(_string_array(value), dtype)
    try:
        arr = np.asarray(value)
    except ValueError:
        arr = np.empty(0, dtype=object)  # ragged nesting
    if arr.dtype == object:
        raise ValueError("Can't convert non-rectangular Python sequence to Tensor.")
    if _from_np(arr.dtype) is not dtype:
        _check_cast(arr, dtype, value)
        arr = arr.astype(dtype._np)
    return Tensor(arr, dtype)


_CONVERSIONS: list = []


def register_tensor_conversion_function(base_type, conversion_func, priority: int = 100) -> None:
    """Registers `conversion_func(value, dtype, name)` for instances of `base_type`."""
    _CONVERSIONS.append((base_type, conversion_func))


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None) -> Tensor:
    """Converts `value` to a `Tensor` (tf.convert_to_tensor).

    Args:
      value: a Tensor, Variable, NumPy array, Python scalar or (nested) list.
      dtype: the required element type; a tensor of another dtype is an error.
      dtype_hint: the element type to use when `value` has none of its own.
      name: unused in eager mode.

    Returns:
      A `Tensor`.
    """
    if isinstance(value, Tensor) or getattr(value, "_is_symbolic_tensor", False):
        if dtype is not None and value.dtype is not dtypes.as_dtype(dtype):
            raise ValueError("Tensor conversion requested dtype %s for Tensor with dtype %s: %r"
                             % (dtypes.as_dtype(dtype).name, value.dtype.name, value))
        return value
    conv = getattr(value, "_as_tensor", None)
    if conv is not None:
        t = conv()
        if dtype is not None and t.dtype is not dtypes.as_dtype(dtype):
            raise ValueError("Tensor conversion requested dtype %s for Tensor with dtype %s"
                             % (dtypes.as_dtype(dtype).name, t.dtype.name))
        return t
    hook = getattr(value, "__tf_tensor__", None)
    if hook is not None:
        return hook(dtype, name)
    for cls, fn in _CONVERSIONS:
        if isinstance(value, cls):
            return fn(value, dtype=dtype, name=name)
    if dtype is None and dtype_hint is not None and not isinstance(value, (np.ndarray, np.generic)):
        try:
            return constant_value(value, dtype_hint)
        except (TypeError, ValueError):
            pass
    try:
        return constant_value(value, dtype)
    except NotImplementedError:  # a list holding symbolic tensors: TF packs it with a Pack op
        if AUTOPACK is not None and isinstance(value, (list, tuple)):
            return AUTOPACK(value, dtype)
        raise


# Set by ops/array_ops (framework knows nothing of ops): packs a nested list holding symbolic
# tensors into one tensor, as TF's autopacking conversion does.
AUTOPACK = None


def constant(value, dtype=None, shape=None, name: str = "Const") -> Tensor:
    """Creates a constant tensor from a tensor-like object (tf.constant).

    Args:
      value: a Python scalar, list, NumPy array or tensor.
      dtype: the element type; inferred from `value` when None.
      shape: optional shape; a scalar is broadcast to it, a value with the same number of
        elements is reshaped to it.
      name: unused in eager mode.

    Returns:
      A constant `Tensor`.
    """
    if isinstance(value, Tensor) or hasattr(value, "_as_tensor"):
        t = convert_to_tensor(value)
        if dtype is not None and t.dtype is not dtypes.as_dtype(dtype):
            t = constant_value(np.asarray(t._value), dtype)
    else:
        t = constant_value(value, dtype)
    if shape is None:
        return t
    shape = as_shape(shape)
    arr = np.asarray(t._value)
    target = tuple(shape.as_list())
    if arr.shape == target:
        return t
    if arr.size == 1:
        return Tensor(np.full(target, arr.reshape(()), dtype=arr.dtype), t.dtype)
    if arr.size == int(np.prod(target)):
        return Tensor(arr.reshape(target), t.dtype)
    raise TypeError("Eager execution of tf.constant with unsupported shape. Tried to convert value "
                    "of shape %s to shape %s" % (arr.shape, target))


def is_tensor(x) -> bool:
    """Whether `x` is a tensor-like object, composite tensors included (tf.is_tensor)."""
    return (isinstance(x, Tensor) or getattr(x, "_is_symbolic_tensor", False) or hasattr(x, "_as_tensor")
            or hasattr(x, "_to_components"))


# TF's messages use the C++ type names for these dtypes.
_TF_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def mixed_dtype_error(op_name: str, index: int, want, got) -> InvalidArgumentError:
    """TF's error for an input whose dtype differs from the op's type attr."""
    return InvalidArgumentError(
        None, None, "cannot compute %s as input #%d(zero-based) was expected to be a %s tensor but is a %s tensor [Op:%s]"
        % (op_name, index, _TF_TYPE_NAMES.get(want.name, want.name), _TF_TYPE_NAMES.get(got.name, got.name), op_name))

