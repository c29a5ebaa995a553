"""SparseTensor serialisation: the ops SerializeSparse, SerializeManySparse and DeserializeManySparse
(tf.io.serialize_sparse, tf.io.serialize_many_sparse, tf.io.deserialize_many_sparse).

A SparseTensor is written as three serialized TensorProtos (indices, values, dense_shape), each
as TF's C++ `Tensor::AsProtoTensorContent` writes it, so the bytes equal TF's: numeric data in
`tensor_content`, and string data in `tensor_content` too, as TF's string-list encoding (the
varint length of every string, then all the bytes). `serialize_many_sparse` writes one such
triple per entry of the first dimension; `deserialize_many_sparse` reads a [..., 3] batch of
them back into one SparseTensor whose leading dimensions index the batch.
"""
from __future__ import annotations

import numpy as np

from ..framework import dtypes
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor
from ..ops import shapes as sh
from ..ops.registry import NON_DIFFERENTIABLE, bind, register
from . import tensor_proto

__all__ = ["serialize_sparse", "serialize_many_sparse", "deserialize_many_sparse"]

_ORDER_HINT = " Many sparse ops require sorted indices.\n    Use `tf.sparse.reorder` to create a correctly ordered copy.\n\n"
_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def _cpp(dtype: dtypes.DType) -> str:
    return _CPP_NAMES.get(dtype.name, dtype.name)


# ---------------------------------------------------------------- encoding
def _varints(n: np.ndarray) -> bytes:
    """The protobuf varints of non-negative integers `n`, concatenated (vectorised over `n`)."""
    n = np.asarray(n, dtype=np.uint64).reshape(-1)
    if n.size == 0:
        return b""
    if n.max() < 128:
        return n.astype(np.uint8).tobytes()
    shifts = np.arange(10, dtype=np.uint64) * np.uint64(7)
    groups = (n[:, None] >> shifts[None, :]) & np.uint64(0x7F)
    nbytes = np.maximum(1, (np.floor(np.log2(np.maximum(n, 1).astype(np.float64))).astype(np.int64) // 7) + 1)
    k = np.arange(10)[None, :]
    out = groups | np.where(k < nbytes[:, None] - 1, np.uint64(0x80), np.uint64(0))
    return out.astype(np.uint8)[k < nbytes[:, None]].tobytes()


def _read_varints(buf: np.ndarray, count: int):
    """The first `count` varints of the uint8 array `buf`, and the offset after them."""
    if count == 0:
        return np.zeros(0, np.int64), 0
    ends = np.flatnonzero(buf < 128)
    if len(ends) < count:
        raise ValueError("truncated string list")
    ends = ends[:count]
    starts = np.concatenate([[0], ends[:-1] + 1])
    lens = ends - starts + 1
    vals = np.zeros(count, np.uint64)
    for k in range(int(lens.max())):  # at most 10 rounds: one per varint byte position
        has = lens > k
        vals[has] |= (buf[starts[has] + k].astype(np.uint64) & np.uint64(0x7F)) << np.uint64(7 * k)
    return vals.astype(np.int64), int(ends[-1]) + 1


def _string_content(flat: np.ndarray) -> bytes:
    items = [v if isinstance(v, bytes) else tensor_proto._as_bytes(v) for v in flat.tolist()]
    return _varints(np.fromiter((len(v) for v in items), np.int64, len(items))) + b"".join(items)


def _serialize(a: np.ndarray) -> bytes:
    """The serialized TensorProto of `a` as TF's AsProtoTensorContent writes it."""
    if a.dtype != object:
        return tensor_proto.serialize_array(a)
    proto = tensor_proto._pb().TensorProto(dtype=dtypes.string.as_datatype_enum)
    tensor_proto._set_shape(proto, a.shape)
    if a.size:
        proto.tensor_content = _string_content(a.reshape(-1))
    return proto.SerializeToString()


def _triple(indices, values, shape) -> list:
    return [_serialize(np.ascontiguousarray(indices)), _serialize(np.ascontiguousarray(values)),
            _serialize(np.ascontiguousarray(shape))]


def _parse(data, api, op) -> np.ndarray:
    """The array a serialized TensorProto holds (string `tensor_content` included)."""
    proto = tensor_proto._pb().TensorProto()
    try:
        proto.ParseFromString(tensor_proto._as_bytes(data))
        dtype = dtypes.as_dtype(proto.dtype)
    except Exception:  # noqa: BLE001 - a protobuf DecodeError or an unknown DataType
        raise sh.error(api, op, "Could not parse serialized proto") from None
    shape = [d.size for d in proto.tensor_shape.dim]
    if dtype is dtypes.string and proto.tensor_content:
        n = int(np.prod(shape, dtype=np.int64))
        buf = np.frombuffer(proto.tensor_content, np.uint8)
        try:
            lens, pos = _read_varints(buf, n)
        except ValueError:
            raise sh.error(api, op, "Could not parse serialized proto") from None
        raw = proto.tensor_content
        ends = pos + np.cumsum(lens)
        out = np.empty(n, dtype=object)
        out[:] = [raw[s:e] for s, e in zip((ends - lens).tolist(), ends.tolist())]
        return out.reshape(shape)
    try:
        return tensor_proto.make_ndarray(proto)
    except (TypeError, ValueError):
        raise sh.error(api, op, "Could not parse serialized proto") from None


def _string_array(rows, shape) -> np.ndarray:
    out = np.empty(len(rows) * 3, dtype=object)
    out[:] = [s for r in rows for s in r]
    return out.reshape(shape)


def _check_out_type(out_type) -> dtypes.DType:
    out_type = dtypes.as_dtype(out_type)
    if out_type is not dtypes.string:
        raise InvalidArgumentError(None, None, "Value for attr 'out_type' of %s is not in the list of allowed values: "
                                   "string, variant" % out_type.name)
    return out_type


def _sparse_infer_checks(api, op, specs):
    ind, val, shp = specs
    for i, (s, rank, name) in enumerate(((ind, 2, "sparse_indices"), (val, 1, "sparse_values"),
                                         (shp, 1, "sparse_shape"))):
        d = sh.dims(s)
        if d is not None and len(d) != rank:
            raise sh.error(api, op, "Input %s should be a %s but received shape %s"
                           % (name, "matrix" if rank == 2 else "vector", sh.fmt(d)))
        if i != 1 and s.dtype is not dtypes.int64:
            raise sh.error(api, op, "cannot compute %s as input #%d(zero-based) (argument %s) was expected to be a "
                           "int64 tensor but is a %s tensor" % (op, i, name, s.dtype.name))


def _samples():
    strings = np.empty(3, dtype=object)
    strings[:] = [b"a", b"", b"x" * 200]
    return [([np.array([[0, 1], [2, 0], [2, 3]], np.int64), np.array([1.5, -2.0, 3.0], np.float32),
              np.array([3, 4], np.int64)], {"out_type": dtypes.string}),
            ([np.array([[0, 0, 1], [1, 1, 1], [1, 2, 0]], np.int64), strings, np.array([2, 3, 2], np.int64)],
             {"out_type": dtypes.string}),
            ([np.zeros((0, 2), np.int64), np.zeros(0, np.int32), np.array([2, 2], np.int64)],
             {"out_type": dtypes.string})]


# ---------------------------------------------------------------- SerializeSparse
def _serialize_sparse_kernel(xp, sparse_indices, sparse_values, sparse_shape, out_type):
    return _string_array([_triple(sparse_indices, sparse_values, sparse_shape)], (3,))


def _serialize_sparse_infer(specs, attrs):
    _sparse_infer_checks("tf.io.serialize_sparse", "SerializeSparse", specs)
    return [((3,), dtypes.string)]


register("SerializeSparse", kernel=_serialize_sparse_kernel, infer=_serialize_sparse_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.serialize_sparse", args=("sparse_indices", "sparse_values", "sparse_shape"), samples=_samples)


def _components(sp_input):
    from ..ops import sparse_ops
    sp = sparse_ops._convert_to_sparse_tensor(sp_input)
    return [sp.indices, sp.values, sp.dense_shape]


def serialize_sparse(sp_input, name=None, out_type=dtypes.string) -> Tensor:
    """Serializes a SparseTensor into a 3-vector of strings (tf.io.serialize_sparse).

    Example:

    >>> st = tf.sparse.SparseTensor([[0, 1]], [2.0], [2, 3])
    >>> tf.io.serialize_sparse(st).shape
    TensorShape([3])

    Args:
      sp_input: a SparseTensor.
      name: unused.
      out_type: tf.string (the only type supported here).

    Returns:
      A [3] string tensor: the serialized TensorProtos of indices, values and dense_shape.

    Raises:
      TypeError: if `sp_input` is not a SparseTensor.
    """
    return bind("SerializeSparse", _components(sp_input), {"out_type": _check_out_type(out_type)})


# ---------------------------------------------------------------- SerializeManySparse
def _validate(api, op, idx: np.ndarray, shape: np.ndarray) -> None:
    """TF's SparseTensor::IndicesValid: every index in bounds, in row-major order, no repeats."""
    if len(idx) == 0:
        return
    bad = ((idx < 0) | (idx >= shape)).any(axis=1)
    diff = idx[1:] - idx[:-1]
    nz = diff != 0
    first = np.where(nz.any(axis=1), nz.argmax(axis=1), 0)
    sign = np.sign(diff[np.arange(len(diff)), first])  # 0: repeated, -1: out of order
    wrong = bad | np.concatenate([[False], sign <= 0])
    if not wrong.any():
        return
    i = int(wrong.argmax())
    fmt = lambda v: "[" + ",".join(str(int(x)) for x in v) + "]"  # noqa: E731
    if bad[i]:
        msg = "indices[%d] = %s is out of bounds: need 0 <= index < %s" % (i, fmt(idx[i]), fmt(shape))
    elif sign[i - 1] == 0:
        msg = "indices[%d] = %s is repeated" % (i, fmt(idx[i]))
    else:
        msg = "indices[%d] = %s is out of order.%s" % (i, fmt(idx[i]), _ORDER_HINT)
    raise sh.error(api, op, msg)


def _serialize_many_kernel(xp, sparse_indices, sparse_values, sparse_shape, out_type):
    api, op = "tf.io.serialize_many_sparse", "SerializeManySparse"
    shape = np.asarray(sparse_shape, np.int64)
    if shape.size < 2:
        raise sh.error(api, op, "Rank of input SparseTensor should be > 1, but saw rank: %d" % shape.size)
    idx = np.asarray(sparse_indices, np.int64).reshape(-1, shape.size)
    _validate(api, op, idx, shape)
    n = int(shape[0])
    bounds = np.searchsorted(idx[:, 0], np.arange(n + 1))
    rest, inner = idx[:, 1:], shape[1:]
    rows = [_triple(rest[a:b], sparse_values[a:b], inner) for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist())]
    return _string_array(rows, (n, 3))


def _serialize_many_infer(specs, attrs):
    api, op = "tf.io.serialize_many_sparse", "SerializeManySparse"
    _sparse_infer_checks(api, op, specs)
    s = specs[2]
    n = None
    if type(s) is Tensor:  # an eager dense shape: the batch size is known
        v = np.asarray(s._value).reshape(-1)
        n = int(v[0]) if v.size >= 2 else None
    return [((n, 3), dtypes.string)]


register("SerializeManySparse", kernel=_serialize_many_kernel, infer=_serialize_many_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.serialize_many_sparse", args=("sparse_indices", "sparse_values", "sparse_shape"), samples=_samples)


def serialize_many_sparse(sp_input, name=None, out_type=dtypes.string) -> Tensor:
    """Serializes each entry of the first dimension of a SparseTensor (tf.io.serialize_many_sparse).

    Row `i` of the result holds the serialized indices, values and dense shape of the
    SparseTensor `sp_input[i]` (rank one less than `sp_input`).

    Args:
      sp_input: a SparseTensor of rank >= 2 with indices in row-major order.
      name: unused.
      out_type: tf.string (the only type supported here).

    Returns:
      An [N, 3] string tensor, N = sp_input.dense_shape[0].

    Raises:
      InvalidArgumentError: for rank < 2, or indices out of bounds, out of order or repeated.
    """
    return bind("SerializeManySparse", _components(sp_input), {"out_type": _check_out_type(out_type)})


# ---------------------------------------------------------------- DeserializeManySparse
def _deserialize_kernel(xp, serialized_sparse, dtype):
    api, op = "tf.io.deserialize_many_sparse", "DeserializeManySparse"
    s = np.asarray(serialized_sparse)
    lead = s.shape[:-1]
    flat = s.reshape(-1, 3)
    if len(flat) == 0:
        raise sh.error(api, op, "Serialized sparse should have at least 1 serialized tensor, but has a zero "
                       "dimension %s" % sh.fmt(s.shape))
    parts = [[_parse(v, api, op) for v in row] for row in flat.tolist()]
    rank = None
    for i, (ind, val, shp) in enumerate(parts):
        if val.dtype != dtype.as_numpy_dtype and not (dtype is dtypes.string and val.dtype == object):
            raise sh.error(api, op, "Requested SparseTensor of type %s but SparseTensor[%d].values.dtype() == %s"
                           % (_cpp(dtype), i, _cpp(dtypes.from_numpy(val.dtype))))
        if ind.ndim != 2 or val.ndim != 1 or shp.ndim != 1:
            raise sh.error(api, op, "Expected SparseTensor[%d] to have matrix indices and vector values and shape, "
                           "got %s, %s and %s" % (i, sh.fmt(ind.shape), sh.fmt(val.shape), sh.fmt(shp.shape)))
        if rank is None:
            rank = shp.size
        elif shp.size != rank:
            raise sh.error(api, op, "Inconsistent shape across SparseTensors: rank prior to SparseTensor[%d] was: %d "
                           "but rank of SparseTensor[%d] is: %d" % (i, rank, i, shp.size))
        if ind.shape[0] != val.shape[0] or ind.shape[1] != rank:
            raise sh.error(api, op, "Inconsistent SparseTensor[%d]: indices %s, values %s and shape %s"
                           % (i, sh.fmt(ind.shape), sh.fmt(val.shape), sh.fmt(shp.shape)))
    counts = np.array([p[1].shape[0] for p in parts], np.int64)
    batch_idx = np.stack(np.unravel_index(np.repeat(np.arange(len(parts)), counts), lead), axis=1) if lead else \
        np.zeros((int(counts.sum()), 0), np.int64)
    inner = np.concatenate([p[0] for p in parts], axis=0).astype(np.int64).reshape(-1, rank)
    indices = np.concatenate([batch_idx.astype(np.int64), inner], axis=1)
    values = np.concatenate([p[1] for p in parts]).astype(dtype.as_numpy_dtype if dtype is not dtypes.string else object)
    dense = np.concatenate([np.array(lead, np.int64), np.max(np.stack([p[2] for p in parts]), axis=0).astype(np.int64)])
    return indices, values, dense


def _deserialize_infer(specs, attrs):
    api, op = "tf.io.deserialize_many_sparse", "DeserializeManySparse"
    s = specs[0]
    if s.dtype is not dtypes.string:
        raise sh.error(api, op, "cannot compute DeserializeManySparse as input #0(zero-based) was expected to be a "
                       "string tensor but is a %s tensor" % s.dtype.name)
    d = sh.dims(s)
    if d is not None and (len(d) < 1 or d[-1] not in (None, 3)):
        raise sh.error(api, op, "Serialized sparse should have 3 as the last dimension %s" % sh.fmt(d))
    if type(s) is Tensor:  # an eager value: the shapes are in the protos
        ind, _, shape = _deserialize_kernel(np, s._value, attrs["dtype"])
        return [(ind.shape, dtypes.int64), ((ind.shape[0],), attrs["dtype"]), (shape.shape, dtypes.int64)]
    return [((None, None), dtypes.int64), ((None,), attrs["dtype"]), ((None,), dtypes.int64)]


def _deserialize_samples():
    out = []
    for arrays, attrs in _samples()[:2]:
        rows = _serialize_many_kernel(np, *arrays, **attrs)
        out.append(([rows], {"dtype": dtypes.from_numpy(arrays[1].dtype) if arrays[1].dtype != object
                             else dtypes.string}))
    return out


register("DeserializeManySparse", kernel=_deserialize_kernel, infer=_deserialize_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.deserialize_many_sparse", args=("serialized_sparse",), num_outputs=-1,
         samples=_deserialize_samples)


def deserialize_many_sparse(serialized_sparse, dtype, rank=None, name=None):
    """Deserializes a [..., 3] batch of serialized SparseTensors into one (tf.io.deserialize_many_sparse).

    The result's leading dimensions index the batch; its other dimensions are, each, the
    largest of the serialized dense shapes.

    Example:

    >>> st = tf.sparse.SparseTensor([[0, 1], [1, 0]], [1.0, 2.0], [2, 3])
    >>> tf.io.deserialize_many_sparse(tf.io.serialize_many_sparse(st), tf.float32).dense_shape.numpy()
    array([2, 3])

    Args:
      serialized_sparse: a string tensor [..., 3] (rows of tf.io.serialize_sparse outputs).
      dtype: the dtype of the values.
      rank: the rank of the result, if known (checked against the result).
      name: unused.

    Returns:
      A SparseTensor.

    Raises:
      InvalidArgumentError: for bytes that are not TensorProtos, values of another dtype, or
        serialized SparseTensors of different ranks.
    """
    from ..ops import sparse_ops
    dtype = dtypes.as_dtype(dtype)
    serialized = convert_to_tensor(serialized_sparse)
    if serialized.dtype is not dtypes.string:
        raise sh.error("tf.io.deserialize_many_sparse", "DeserializeManySparse", "cannot compute DeserializeManySparse "
                       "as input #0(zero-based) was expected to be a string tensor but is a %s tensor"
                       % serialized.dtype.name)
    indices, values, shape = bind("DeserializeManySparse", [serialized], {"dtype": dtype})
    if rank is not None and indices.shape.rank == 2 and indices.shape[1] is not None and indices.shape[1] != int(rank):
        raise ValueError("Shapes (None, %d) and (None, %d) are incompatible" % (indices.shape[1], int(rank)))
    return sparse_ops._wrap(indices, values, shape)
