"""TensorProto conversion: make_tensor_proto / make_ndarray (tf.make_tensor_proto,
tf.make_ndarray) and the ops SerializeTensor / ParseTensor (tf.io.serialize_tensor,
tf.io.parse_tensor).

`make_tensor_proto` stores numeric arrays of more than one element in `tensor_content`,
strings in `string_val`, float16/bfloat16 scalars in `half_val` (their bit patterns), and
other scalars in the typed `*_val` field, as TF's Python function does. `serialize_tensor`
follows TF's C++ `Tensor::AsProtoTensorContent`: `tensor_content` for every non-string
tensor, so its bytes equal TF's.
"""
from __future__ import annotations

import base64

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor
from ..ops import shapes as sh
from ..ops.registry import NON_DIFFERENTIABLE, bind, register

__all__ = ["make_tensor_proto", "make_ndarray", "serialize_tensor", "parse_tensor"]

# DataType names as TF's C++ prints them (DataTypeString).
_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "half"}

# dtypes whose arrays make_tensor_proto stores as raw bytes in tensor_content.
_CONTENT_TYPES = frozenset((dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64, dtypes.int8,
                            dtypes.int16, dtypes.int32, dtypes.int64, dtypes.uint8, dtypes.uint32, dtypes.uint64))


def _pb():
    from ..protos import tensor_pb2  # protobuf is imported on first use
    return tensor_pb2


def _as_bytes(v) -> bytes:
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode("utf-8")
    if isinstance(v, (bytearray, memoryview, np.bytes_)):
        return bytes(v)
    if isinstance(v, np.str_):
        return str(v).encode("utf-8")
    raise TypeError("Expected binary or unicode string, got %r" % (v,))


def _flatten_strings(values):
    if isinstance(values, (list, tuple)):
        for v in values:
            yield from _flatten_strings(v)
    else:
        yield values


def _set_shape(proto, shape) -> None:
    proto.tensor_shape.SetInParent()
    dims = proto.tensor_shape.dim
    for d in shape:
        dims.add().size = int(d)


def _append_values(proto, dtype: dtypes.DType, flat: np.ndarray) -> None:
    """Stores `flat` in the TensorProto field of `dtype` (a scalar or a partial fill)."""
    name = dtype.name
    if name in ("float16", "bfloat16"):
        proto.half_val.extend(flat.view(np.uint16).tolist())
    elif name == "float32":
        proto.float_val.extend(flat.tolist())
    elif name == "float64":
        proto.double_val.extend(flat.tolist())
    elif name in ("int8", "int16", "int32", "uint8", "uint16"):
        proto.int_val.extend(flat.tolist())
    elif name == "int64":
        proto.int64_val.extend(flat.tolist())
    elif name == "uint32":
        proto.uint32_val.extend(flat.tolist())
    elif name == "uint64":
        proto.uint64_val.extend(flat.tolist())
    elif name == "bool":
        proto.bool_val.extend(flat.tolist())
    elif name == "complex64":
        proto.scomplex_val.extend(flat.view(np.float32).tolist())
    elif name == "complex128":
        proto.dcomplex_val.extend(flat.view(np.float64).tolist())
    elif name == "string":
        proto.string_val.extend([_as_bytes(v) for v in flat])
    else:
        raise TypeError("Element type not supported in TensorProto: %s." % name)


def _python_array(values, dtype):
    """A Python value as a NumPy array with TF's dtype rules (float64 -> float32, int64 -> int32 when it fits)."""
    if values is None:
        raise ValueError("None values not supported.")
    np_dt = None if dtype is None or dtype is dtypes.string else dtype.as_numpy_dtype
    try:
        arr = np.array(values, dtype=np_dt)
    except ValueError as e:
        if "inhomogeneous" in str(e) or "sequence" in str(e):
            raise ValueError("Expected values %r to be a dense tensor." % (values,)) from None
        raise TypeError("Expected %s, but got %r of type '%s'." % (
            dtype.name if dtype is not None else "a number", values, type(values).__name__)) from None
    except TypeError:
        raise TypeError("Expected %s, but got %r of type '%s'." % (
            dtype.name if dtype is not None else "a number", values, type(values).__name__)) from None
    if dtype is not None and np_dt is not None:
        # Refuse lossy conversions TF refuses: 1.5 as an int, a string as a number.
        src = np.array(values)
        if src.dtype.kind in "OSU" or (src.dtype.kind in "fc" and dtype.is_integer) or (
                src.dtype.kind == "c" and not dtype.is_complex):
            raise TypeError("Expected %s, but got %r of type '%s'." % (dtype.name, values, type(values).__name__))
    if dtype is None:
        if arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        elif arr.dtype == np.int64:
            small = arr.astype(np.int32)
            if np.array_equal(small, arr):
                arr = small
    return arr


@tf_export("make_tensor_proto")
def make_tensor_proto(values, dtype=None, shape=None, verify_shape: bool = False, allow_broadcast: bool = False):
    """Creates a TensorProto from a Python value, NumPy array or tensor (tf.make_tensor_proto).

    Example:

    >>> proto = tf.make_tensor_proto([[1.0, 2.0]])
    >>> tf.make_ndarray(proto)
    array([[1., 2.]], dtype=float32)

    Args:
      values: the value; a TensorProto is returned as is.
      dtype: the element type (inferred from `values` when None: Python floats become
        float32 and Python ints int32 where they fit).
      shape: the proto's shape; `values` may have fewer elements (the rest repeat the last).
      verify_shape: require `values` to have exactly `shape`.
      allow_broadcast: allow a scalar or one-element `values` for any `shape`.

    Returns:
      A `tensorflow.TensorProto` (tensorforge.protos.tensor_pb2).

    Raises:
      TypeError: for values that do not fit `dtype`, or unsupported types.
      ValueError: for None, ragged values or too many elements for `shape`.
    """
    pb = _pb()
    if isinstance(values, pb.TensorProto):
        return values
    if allow_broadcast and verify_shape:
        raise ValueError("allow_broadcast and verify_shape are not both allowed.")
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    if isinstance(values, Tensor):
        values = values._value
    elif hasattr(values, "__array__") and not isinstance(values, (np.ndarray, np.generic)):
        values = np.asarray(values)
    if isinstance(values, (np.ndarray, np.generic)):
        arr = values
        if dtype is not None and dtype is not dtypes.string:
            arr = arr.astype(dtype.as_numpy_dtype)
    elif shape is not None and int(np.prod(shape, dtype=np.int64)) == 0:
        arr = np.empty(shape, dtype=None if dtype is None or dtype is dtypes.string else dtype.as_numpy_dtype)
    else:
        arr = _python_array(values, dtype)
    arr_dtype = dtypes.from_numpy(arr.dtype)
    if dtype is not None and dtype is not arr_dtype:
        raise TypeError("`dtype` %r is not compatible with %r of dtype %s." % (dtype, values, arr.dtype))
    dtype = arr_dtype

    if shape is None:
        shape = arr.shape
        same_size = True
        size = arr.size
    else:
        shape = [int(d) for d in shape]
        size = int(np.prod(shape, dtype=np.int64))
        same_size = size == arr.size
        if allow_broadcast:
            if arr.shape not in ((1,), ()) and arr.size != size:
                raise TypeError("Expected Tensor's shape: %s, but got %s." % (tuple(shape), arr.shape))
        else:
            if verify_shape and arr.shape != tuple(shape):
                raise TypeError("Expected Tensor's shape: %s, but got %s." % (tuple(shape), arr.shape))
            if arr.size > size:
                raise ValueError("Too many elements provided. Takes at most %d, but got %d." % (size, arr.size))

    proto = pb.TensorProto(dtype=dtype.as_datatype_enum)
    _set_shape(proto, shape)
    if same_size and dtype in _CONTENT_TYPES and size > 1:
        if arr.nbytes >= (1 << 31):
            raise ValueError("Cannot create a tensor proto whose content is larger than 2GB.")
        proto.tensor_content = np.ascontiguousarray(arr).tobytes()
        return proto
    if dtype is dtypes.string and not isinstance(values, (np.ndarray, np.generic)):
        proto.string_val.extend([_as_bytes(v) for v in _flatten_strings(values)])
        return proto
    _append_values(proto, dtype, np.ascontiguousarray(arr).reshape(-1))
    return proto


@tf_export("make_ndarray")
def make_ndarray(tensor) -> np.ndarray:
    """The NumPy array a TensorProto holds (tf.make_ndarray).

    Args:
      tensor: a TensorProto (or an eager tensor, whose value is returned).

    Returns:
      A NumPy array with the proto's dtype and shape; string tensors are object arrays of bytes.

    Raises:
      TypeError: for dtypes a TensorProto cannot hold here.
    """
    if isinstance(tensor, Tensor):
        return np.array(tensor._value)
    shape = [d.size for d in tensor.tensor_shape.dim]
    n = int(np.prod(shape, dtype=np.int64))
    try:
        dtype = dtypes.as_dtype(tensor.dtype)
    except TypeError:
        raise TypeError("Unsupported tensor type: %s." % tensor.dtype) from None
    np_dt = dtype.as_numpy_dtype
    if tensor.tensor_content:
        if dtype is dtypes.string:
            raise TypeError("Unsupported tensor type: tensor_content for a string tensor.")
        return np.frombuffer(tensor.tensor_content, dtype=np_dt).copy().reshape(shape)
    name = dtype.name
    if name == "string":
        vals = list(tensor.string_val)
        if len(vals) < n:
            vals.extend([vals[-1] if vals else b""] * (n - len(vals)))
        out = np.empty(len(vals), dtype=object)
        out[:] = vals
        return out.reshape(shape)
    if name in ("float16", "bfloat16"):
        values = np.array(tensor.half_val, dtype=np.uint16).view(np_dt)
    elif name == "float32":
        values = np.array(tensor.float_val, dtype=np_dt)
    elif name == "float64":
        values = np.array(tensor.double_val, dtype=np_dt)
    elif name in ("int8", "int16", "int32", "uint8", "uint16"):
        values = np.array(tensor.int_val, dtype=np.int64).astype(np_dt)
    elif name == "int64":
        values = np.array(tensor.int64_val, dtype=np_dt)
    elif name == "uint32":
        values = np.array(tensor.uint32_val, dtype=np_dt)
    elif name == "uint64":
        values = np.array(tensor.uint64_val, dtype=np_dt)
    elif name == "bool":
        values = np.array(tensor.bool_val, dtype=np_dt)
    elif name == "complex64":
        values = np.array(tensor.scomplex_val, dtype=np.float32).view(np_dt)
    elif name == "complex128":
        values = np.array(tensor.dcomplex_val, dtype=np.float64).view(np_dt)
    else:
        raise TypeError("Unsupported tensor type: %s." % tensor.dtype)
    if values.size == 0:
        return np.zeros(shape, np_dt)
    if values.size != n:
        values = np.pad(values, (0, n - values.size), "edge")
    return values.reshape(shape)


# ---------------------------------------------------------------- SerializeTensor
def serialize_array(a) -> bytes:
    """The serialized TensorProto of array `a`, as TF's SerializeTensor writes it."""
    a = np.asarray(a)
    dtype = dtypes.from_numpy(a.dtype)
    proto = _pb().TensorProto(dtype=dtype.as_datatype_enum)
    _set_shape(proto, a.shape)
    if dtype is dtypes.string:
        proto.string_val.extend([_as_bytes(v) for v in a.reshape(-1)])
    elif a.size:
        proto.tensor_content = np.ascontiguousarray(a).tobytes()
    return proto.SerializeToString()


def _serialize_kernel(xp, tensor):
    out = np.empty((), dtype=object)
    out[()] = serialize_array(tensor)
    return out


def _serialize_infer(specs, attrs):
    return [((), dtypes.string)]


def _serialize_samples():
    strings = np.empty(2, dtype=object)
    strings[:] = [b"ab", b""]
    return [([np.array([[1.5, -2.0]], np.float32)], {}), ([np.arange(3, dtype=np.int64)], {}),
            ([strings], {}), ([np.array([True, False])], {}), ([np.float64(3.0)], {})]


register("SerializeTensor", kernel=_serialize_kernel, infer=_serialize_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.serialize_tensor", args=("tensor",), samples=_serialize_samples)


def serialize_tensor(tensor, name=None) -> Tensor:
    """Serializes `tensor` as a TensorProto into a scalar string (tf.io.serialize_tensor).

    The bytes equal TF's: numeric tensors in `tensor_content`, strings in `string_val`.

    Args:
      tensor: a tensor (or a value convertible to one).
      name: unused.

    Returns:
      A scalar tf.string tensor.
    """
    return bind("SerializeTensor", [convert_to_tensor(tensor)])


# ---------------------------------------------------------------- ParseTensor
def _parse_proto(serialized):
    if np.ndim(serialized) != 0:
        raise InvalidArgumentError(None, None, "Expected `serialized` to be a scalar, got shape: %s [Op:ParseTensor]"
                                   % sh.fmt(np.shape(serialized)))
    data = _as_bytes(serialized[()] if isinstance(serialized, np.ndarray) else serialized)
    proto = _pb().TensorProto()
    try:
        proto.ParseFromString(data)
    except Exception:  # noqa: BLE001 - any protobuf DecodeError
        raise InvalidArgumentError(None, None, "Could not parse `serialized` as TensorProto, base64: %s "
                                   "[Op:ParseTensor]" % base64.b64encode(data).decode("ascii")) from None
    try:
        dtype = dtypes.as_dtype(proto.dtype)
    except TypeError:
        dtype = None
    if dtype is None:
        raise _cannot_parse(proto)
    return proto, dtype


def _cannot_parse(proto) -> InvalidArgumentError:
    return InvalidArgumentError(None, None, "Cannot parse tensor from proto: %s [Op:ParseTensor]" % str(proto).strip())


def _parse_kernel(xp, serialized, out_type):
    proto, dtype = _parse_proto(serialized)
    if dtype is not out_type:
        raise InvalidArgumentError(None, None, "Type mismatch between parsed tensor (%s) and dtype (%s) [Op:ParseTensor]"
                                   % (_CPP_NAMES.get(dtype.name, dtype.name), _CPP_NAMES.get(out_type.name, out_type.name)))
    try:
        return make_ndarray(proto)
    except (TypeError, ValueError):  # e.g. tensor_content of the wrong size for the shape
        raise _cannot_parse(proto) from None


def _parse_infer(specs, attrs):
    s = specs[0]
    if s.dtype is not dtypes.string:
        raise InvalidArgumentError(
            None, None, "tf.io.parse_tensor: cannot compute ParseTensor as input #0(zero-based) (argument serialized) "
            "was expected to be a string tensor but is a %s tensor [Op:ParseTensor]" % s.dtype.name)
    d = sh.dims(s)
    if d is not None and len(d) != 0:
        raise InvalidArgumentError(None, None, "Expected `serialized` to be a scalar, got shape: %s [Op:ParseTensor]"
                                   % sh.fmt(d))
    if type(s) is Tensor:  # an eager value: its shape is in the proto
        proto, _ = _parse_proto(s._value)
        return [(tuple(dim.size for dim in proto.tensor_shape.dim), attrs["out_type"])]
    return [(None, attrs["out_type"])]


def _parse_samples():
    out = []
    for arr in ([np.array([[1.5, -2.0]], np.float32)], [np.arange(3, dtype=np.int64)], [np.array([b"x", b"yz"], object)]):
        s = np.empty((), dtype=object)
        s[()] = serialize_array(arr[0])
        out.append(([s], {"out_type": dtypes.from_numpy(arr[0].dtype)}))
    return out


register("ParseTensor", kernel=_parse_kernel, infer=_parse_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.parse_tensor", args=("serialized",), samples=_parse_samples)


def parse_tensor(serialized, out_type, name=None) -> Tensor:
    """Parses a serialized TensorProto back into a tensor (tf.io.parse_tensor).

    Args:
      serialized: a scalar string tensor holding a serialized TensorProto.
      out_type: the dtype the proto must hold.
      name: unused.

    Returns:
      A tensor of dtype `out_type` (its shape is known only when the op runs).

    Raises:
      InvalidArgumentError: if the bytes are not a TensorProto, or hold another dtype.
    """
    return bind("ParseTensor", [convert_to_tensor(serialized, dtype=dtypes.string)],
                {"out_type": dtypes.as_dtype(out_type)})
