"""tf.io parsing: tf.train.Example / SequenceExample features, and the raw, CSV, compressed and
base64 decoders.

Every function a tf.data pipeline calls on tensors is a registered op under TF's name, so it
runs eagerly and inside tf.function / Dataset.map graphs alike:

  ParseExampleV2          tf.io.parse_example, tf.io.parse_single_example
  ParseSequenceExampleV2  tf.io.parse_sequence_example, tf.io.parse_single_sequence_example
  DecodeRaw, DecodePaddedRaw, DecodeCSV, DecodeCompressed, DecodeBase64, EncodeBase64,
  DecodeJSONExample

The parse ops take the feature configuration as attrs (keys, dtypes, shapes: hashable tuples)
and return TF's flat outputs (sparse indices/values/shapes, dense values, ragged values/splits);
the public functions assemble SparseTensor and RaggedTensor values from them, as TF does.
Records are decoded with the protobuf runtime (upb); values leave the message containers in
bulk (the packed float32 wire bytes go straight to np.frombuffer), never one Python object per
value where a bulk path exists.
"""
from __future__ import annotations

import base64
import collections
import math
import re
import sys
import zlib
from operator import attrgetter, methodcaller
from typing import Any, Mapping

import numpy as np

from ..framework import dtypes
from ..framework.context import ctx
from ..framework.convert import convert_to_tensor
from ..framework.errors import DataLossError, InvalidArgumentError, UnimplementedError
from ..framework.tensor import Tensor
from ..framework.tensor_shape import TensorShape, as_shape
from ..ops import shapes as sh
from ..ops.registry import NON_DIFFERENTIABLE, REGISTRY, bind, register
from ..protos import example_pb2

__all__ = [
    "FixedLenFeature", "FixedLenSequenceFeature", "RaggedFeature", "SparseFeature", "VarLenFeature",
    "decode_base64", "decode_compressed", "decode_csv", "decode_json_example", "decode_raw", "encode_base64",
    "parse_example", "parse_sequence_example", "parse_single_example", "parse_single_sequence_example",
]

_t = convert_to_tensor
_F32, _I64, _STR, _I32 = dtypes.float32, dtypes.int64, dtypes.string, dtypes.int32
_PARSE_TYPES = (_F32, _I64, _STR)
_SPLIT_TYPES = (_I32, _I64)
# TF's C++ type names, as its messages print them.
_TF_NAME = {"float32": "float", "float64": "double", "float16": "half"}


def _tf_name(dtype) -> str:
    return _TF_NAME.get(dtype.name, dtype.name)


# ================================================================ feature configurations
class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """Configuration for parsing a variable-length input feature into a SparseTensor.

    Fields:
      dtype: Data type of input (tf.float32, tf.int64 or tf.string).
    """


class RaggedFeature(collections.namedtuple(
        "RaggedFeature", ["dtype", "value_key", "partitions", "row_splits_dtype", "validate"])):
    """Configuration for parsing a feature into a RaggedTensor.

    `value_key` names the feature holding the values (default: this feature's key);
    `partitions` (outermost first) split them into higher dimensions, each one of
    `RaggedFeature.RowSplits(key)`, `RowLengths(key)`, `RowStarts(key)`, `RowLimits(key)`,
    `ValueRowIds(key)` or `UniformRowLength(length)`.

    Fields:
      dtype: tf.int64, tf.float32 or tf.string.
      value_key: optional key of the values feature.
      partitions: optional list of partition objects.
      row_splits_dtype: tf.int32 (default) or tf.int64.
      validate: whether to validate the partitions.
    """

    RowSplits = collections.namedtuple("RowSplits", ["key"])
    RowLengths = collections.namedtuple("RowLengths", ["key"])
    RowStarts = collections.namedtuple("RowStarts", ["key"])
    RowLimits = collections.namedtuple("RowLimits", ["key"])
    ValueRowIds = collections.namedtuple("ValueRowIds", ["key"])
    UniformRowLength = collections.namedtuple("UniformRowLength", ["length"])
    _PARTITION_TYPES = (RowSplits, RowLengths, RowStarts, RowLimits, ValueRowIds, UniformRowLength)

    def __new__(cls, dtype, value_key=None, partitions=(), row_splits_dtype=dtypes.int32, validate=False):
        if value_key is not None:
            if not isinstance(value_key, str):
                raise ValueError(f"Argument `value_key` must be a string; got {value_key}")
            if not value_key:
                raise ValueError("Argument `value_key` must not be empty")
        dtype = dtypes.as_dtype(dtype)
        if dtype not in (_I64, _F32, _STR):
            raise ValueError(f"Argument `dtype` must be int64, float32, or bytes; got {dtype!r}")
        row_splits_dtype = dtypes.as_dtype(row_splits_dtype)
        if row_splits_dtype not in _SPLIT_TYPES:
            raise ValueError(f"Argument `row_splits_dtype` must be int32 or int64; got{row_splits_dtype!r}")
        if not isinstance(partitions, (list, tuple)):
            raise TypeError(f"Argument `partitions` must be a list or tuple. Receivedpartitions={partitions} of type "
                            f"{type(partitions).__name__}.")
        partitions = tuple(cls._recreate_partition(p) for p in partitions)
        if not isinstance(validate, bool):
            raise TypeError(f"Argument `validate` must be a bool; got {validate!r}")
        return super().__new__(cls, dtype, value_key, partitions, row_splits_dtype, validate)

    @classmethod
    def _recreate_partition(cls, partition):
        if isinstance(partition, cls._PARTITION_TYPES):
            return partition
        for ptype in cls._PARTITION_TYPES:  # a partition unpickled elsewhere (another class object)
            if type(partition).__name__ == ptype.__name__ and getattr(partition, "_fields", None) == ptype._fields:
                return ptype(*partition)
        raise TypeError(f"Argument `partitions` cannot be cast to any of the partition types in "
                        f"{cls._PARTITION_TYPES}; got: {partition!r} with type {type(partition)}")


class SparseFeature(collections.namedtuple(
        "SparseFeature", ["index_key", "value_key", "dtype", "size", "already_sorted"])):
    """Configuration for parsing a SparseTensor from index and value features of an Example.

    Fields:
      index_key: a feature name, or a list of them (one per dimension), of int64 indices.
      value_key: the name of the values feature.
      dtype: the values' data type.
      size: an int, or a list of ints (one per index key): the dense shape.
      already_sorted: whether the values are already in index order (skips sorting).
    """

    def __new__(cls, index_key, value_key, dtype, size, already_sorted=False):
        return super().__new__(cls, index_key, value_key, dtype, size, already_sorted)


class FixedLenFeature(collections.namedtuple("FixedLenFeature", ["shape", "dtype", "default_value"])):
    """Configuration for parsing a fixed-length input feature into a dense Tensor.

    Fields:
      shape: Shape of input data.
      dtype: Data type of input.
      default_value: Value used when an example lacks this feature (of `shape`, or a
        scalar broadcast to it); without one, a missing feature is an error.
    """

    def __new__(cls, shape, dtype, default_value=None):
        return super().__new__(cls, shape, dtype, default_value)


class FixedLenSequenceFeature(collections.namedtuple(
        "FixedLenSequenceFeature", ["shape", "dtype", "allow_missing", "default_value"])):
    """Configuration for parsing a variable-length feature into a dense Tensor of shape [None] + shape.

    Fields:
      shape: Shape of each element (dimension 2 and higher of the output).
      dtype: Data type of input.
      allow_missing: Whether a missing feature (or feature list) is allowed (as empty).
      default_value: Scalar used to pad a batch to its longest example (default 0 or "").
    """

    def __new__(cls, shape, dtype, allow_missing=False, default_value=None):
        return super().__new__(cls, shape, dtype, allow_missing, default_value)


for _cls in (VarLenFeature, RaggedFeature, SparseFeature, FixedLenFeature, FixedLenSequenceFeature):
    _cls.__module__ = "tensorforge.io"


class _ParseOpParams:
    """The parse op's raw configuration, built from a features dict as TF builds it (sorted keys)."""

    def __init__(self):
        self.sparse_keys, self.sparse_types = [], []
        self.dense_keys, self.dense_types, self.dense_shapes, self.dense_defaults = [], [], [], {}
        self.ragged_keys, self.ragged_value_types, self.ragged_split_types = [], [], []

    @classmethod
    def from_features(cls, features, types):
        params = cls()
        if features:
            for key in sorted(features):
                feature = features[key]
                if not isinstance(feature, tuple(types)):
                    raise ValueError(f"Unsupported {type(feature).__name__} {feature} for key '{key}'")
                params._add_feature(key, feature)
        params._validate()
        return params

    @property
    def num_features(self) -> int:
        return len(self.dense_keys) + len(self.sparse_keys) + len(self.ragged_keys)

    def _add_feature(self, key, feature):
        if isinstance(feature, VarLenFeature):
            if not feature.dtype:
                raise ValueError(f"Missing type for feature {key}. Received feature={feature}")
            self._add_sparse_key(key, dtypes.as_dtype(feature.dtype))
        elif isinstance(feature, SparseFeature):
            self._add_sparse_feature(key, feature)
        elif isinstance(feature, FixedLenFeature):
            self._add_fixed_len_feature(key, feature)
        elif isinstance(feature, FixedLenSequenceFeature):
            self._add_fixed_len_sequence_feature(key, feature)
        elif isinstance(feature, RaggedFeature):
            value_key = key if feature.value_key is None else feature.value_key
            self._add_ragged_key(value_key, feature.dtype, feature.row_splits_dtype)
            for partition in feature.partitions:
                if not isinstance(partition, RaggedFeature.UniformRowLength):
                    self._add_ragged_key(partition.key, _I64, feature.row_splits_dtype)
        else:
            raise ValueError(f"Invalid feature {key}:{feature}.")

    def _add_sparse_key(self, key, dtype):
        if key in self.sparse_keys:
            original = self.sparse_types[self.sparse_keys.index(key)]
            if original != dtype:
                raise ValueError(f"Conflicting type {_dtype_repr(original)} vs {_dtype_repr(dtype)} for feature {key}.")
        else:
            self.sparse_keys.append(key)
            self.sparse_types.append(dtype)

    def _add_sparse_feature(self, key, feature):
        if not feature.index_key:
            raise ValueError(f"Missing index_key for SparseFeature {feature}.")
        if not feature.value_key:
            raise ValueError(f"Missing value_key for SparseFeature {feature}.")
        if not feature.dtype:
            raise ValueError(f"Missing type for feature {key}. Received feature={feature}.")
        index_keys = [feature.index_key] if isinstance(feature.index_key, str) else feature.index_key
        for index_key in sorted(index_keys):
            self._add_sparse_key(index_key, _I64)
        self._add_sparse_key(feature.value_key, dtypes.as_dtype(feature.dtype))

    def _add_fixed_len_feature(self, key, feature):
        if not feature.dtype:
            raise ValueError(f"Missing type for feature {key}. Received feature={feature}.")
        if feature.shape is None:
            raise ValueError(f"Missing shape for feature {key}. Received feature={feature}.")
        shape = as_shape(feature.shape)
        if feature.shape and shape.rank and shape._dims[0] is None:
            raise ValueError(f"First dimension of shape for feature {key} unknown. Consider using "
                             f"FixedLenSequenceFeature. Received feature={feature}.")
        if not shape.is_fully_defined():
            raise ValueError(f"All dimensions of shape for feature {key} need to be known but received "
                             f"{feature.shape!s}.")
        self.dense_keys.append(key)
        self.dense_shapes.append(shape)
        self.dense_types.append(dtypes.as_dtype(feature.dtype))
        if feature.default_value is not None:
            self.dense_defaults[key] = feature.default_value

    def _add_fixed_len_sequence_feature(self, key, feature):
        if not feature.dtype:
            raise ValueError(f"Missing type for feature {key}. Received feature={feature}.")
        if feature.shape is None:
            raise ValueError(f"Missing shape for feature {key}. Received feature={feature}.")
        self.dense_keys.append(key)
        self.dense_shapes.append(as_shape(feature.shape))
        self.dense_types.append(dtypes.as_dtype(feature.dtype))
        if feature.allow_missing:
            self.dense_defaults[key] = None
        if feature.default_value is not None:
            self.dense_defaults[key] = feature.default_value

    def _add_ragged_key(self, key, value_type, split_type):
        if key in self.ragged_keys:
            i = self.ragged_keys.index(key)
            if self.ragged_value_types[i] != value_type:
                raise ValueError(f"Conflicting type {_dtype_repr(self.ragged_value_types[i])} vs {_dtype_repr(value_type)} "
                                 f"for feature {key}.")
            if self.ragged_split_types[i] != split_type:
                raise ValueError(f"Conflicting partition type {_dtype_repr(self.ragged_split_types[i])} vs "
                                 f"{_dtype_repr(split_type)} for feature {key}.")
        else:
            self.ragged_keys.append(key)
            self.ragged_value_types.append(value_type)
            self.ragged_split_types.append(split_type)

    def _validate(self):
        dense, sparse, ragged = set(self.dense_keys), set(self.sparse_keys), set(self.ragged_keys)
        if not dense.isdisjoint(sparse):
            raise ValueError(f"Dense and sparse keys must not intersect; dense_keys: {self.dense_keys}, sparse_keys: "
                             f"{self.sparse_keys}, intersection: {dense & sparse}")
        if not dense.isdisjoint(ragged):
            raise ValueError(f"Dense and ragged keys must not intersect; dense_keys: {self.dense_keys}, ragged_keys: "
                             f"{self.ragged_keys}, intersection: {dense & ragged}")
        if not ragged.isdisjoint(sparse):
            raise ValueError(f"Ragged and sparse keys must not intersect; ragged_keys: {self.ragged_keys}, "
                             f"sparse_keys: {self.sparse_keys}, intersection: {ragged & sparse}")

    def dense_default_tensors(self) -> list:
        """One default tensor per dense key: its value, a scalar pad (variable length), or [] (required)."""
        from ..ops import array_ops
        out = []
        for key, shape, dtype in zip(self.dense_keys, self.dense_shapes, self.dense_types):
            value = self.dense_defaults.get(key)
            if shape.rank and shape._dims[0] is None:  # variable length: a scalar padding value
                value = ("" if dtype is _STR else 0) if value is None else value
                t = array_ops.reshape(_default_tensor(value, dtype), [])
            elif value is None:
                t = Tensor(np.zeros(0, dtype.as_numpy_dtype), dtype)
            else:
                t = _default_tensor(value, dtype)
                if getattr(t, "_is_symbolic_tensor", False) or tuple(t.shape._dims or ()) != tuple(shape._dims):
                    t = array_ops.reshape(t, shape.as_list())
            out.append(t)
        return out

    def attrs(self, prefix="") -> dict:
        return {prefix + "sparse_keys": tuple(self.sparse_keys), prefix + "sparse_types": tuple(self.sparse_types),
                prefix + "dense_keys": tuple(self.dense_keys), prefix + "dense_types": tuple(self.dense_types),
                prefix + "dense_shapes": tuple(tuple(s._dims) for s in self.dense_shapes),
                prefix + "ragged_keys": tuple(self.ragged_keys),
                prefix + "ragged_value_types": tuple(self.ragged_value_types),
                prefix + "ragged_split_types": tuple(self.ragged_split_types)}


def _dtype_repr(dtype) -> str:
    return "<dtype: '%s'>" % dtype.name


def _default_tensor(value, dtype):
    if isinstance(value, Tensor) or getattr(value, "_is_symbolic_tensor", False):
        return value
    if dtype is _STR and isinstance(value, (list, tuple)):
        return _string_tensor(value)
    return _t(value, dtype)


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


# ================================================================ ParseExampleV2
_PARSE_EXAMPLE = "ParseExampleV2"


class _RecordError(Exception):
    """A parse error found in record `index`: TF reports the error of the first bad record."""

    def __init__(self, index: int, error: Exception):
        super().__init__(index, error)
        self.index, self.error = index, error


def _first_error(candidates):
    """Raises the error of the earliest record among (index, rank, error) candidates, if any."""
    if candidates:
        index, _, error = min(candidates, key=lambda c: (c[0], c[1]))
        raise _RecordError(index, error)


def _parse_examples(records: list):
    """The feature maps of the records before the first malformed one, and that one's error."""
    from_string = example_pb2.Example.FromString
    maps = []
    for i, rec in enumerate(records):
        try:
            maps.append(from_string(rec).features.feature)
        except Exception:  # noqa: BLE001 - DecodeError, or a value that is not bytes
            return maps, (i, -1, _invalid("Could not parse example input, value: '%s'" % _text(rec), _PARSE_EXAMPLE))
    return maps, None


def _type_mismatch(scalar, names, i, key, field, dtype, dense: bool):
    actual = _FIELD_TYPE[field]
    if dense:
        msg = "Data types don't match. Data type: %s but expected type: %s" % (actual, _tf_name(dtype))
    else:
        msg = "Data types don't match. Expected type: %s, Actual type: %s" % (_tf_name(dtype), actual)
    if scalar:
        return _invalid("Key: %s.  %s" % (key, msg), _PARSE_EXAMPLE)
    return _invalid("Name: %s, Key: %s, Index: %d.  %s" % (_name(names, i), key, i, msg), _PARSE_EXAMPLE)


def _required_missing(prefix, key, dtype, op_name=_PARSE_EXAMPLE):
    return _invalid("%sFeature: %s (data type: %s) is required but could not be found." % (prefix, key, _tf_name(dtype)),
                    op_name)


def _example_dense(maps, names, scalar, key, dtype, shape, default):
    field = _FIELD[dtype]
    lists, counts, bad = _lists(maps, key, field)
    errors = [] if bad is None else [(bad[0], 0, _type_mismatch(scalar, names, bad[0], key, bad[1], dtype, True))]
    if shape and shape[0] is None:  # FixedLenSequenceFeature in an Example: [n, max rows] + shape[1:], padded
        counts = np.asarray(counts, np.int64)
        present = counts >= 0
        inner = tuple(shape[1:])
        stride = max(_size(inner), 1)
        wrong = np.flatnonzero(present & (counts % stride != 0))
        if len(wrong):
            i = int(wrong[0])
            if scalar:
                e = _invalid("Error while parsing feature with key %s: number of elements should be divisible by %d, "
                             "found %d instead" % (key, stride, counts[i]), _PARSE_EXAMPLE)
            else:
                e = _invalid("Name: %s, Key: %s, Index: %d.  Number of %s values is not a multiple of stride length. "
                             "Saw %d values but output shape is: %s" % (_name(names, i), key, i, _FIELD_WORD[field],
                                                                        counts[i], sh.fmt(shape)), _PARSE_EXAMPLE)
            errors.append((i, 1, e))
        _first_error(errors)
        values = _flat_values(lists, int(counts[present].sum()), dtype)
        if scalar:
            return values.reshape((-1,) + inner)
        return _pad_rows(values, np.where(present, counts // stride, 0), inner, default.reshape(()), _NP[dtype])
    shape = tuple(shape)
    expected = _size(shape)
    n, n_missing = len(counts), counts.count(-1)
    if counts.count(expected) + n_missing != n:  # some record has the wrong number of values
        i = next(i for i, c in enumerate(counts) if c >= 0 and c != expected)
        if scalar:
            what = ("Parsing bytes_list failed" if field == "bytes_list" and counts[i] > expected
                    else "Some %s slice was not parsed" % field)
            e = _invalid("Key: %s.  Can't parse serialized Example: %s." % (key, what), _PARSE_EXAMPLE)
        else:
            e = _invalid("Name: %s, Key: %s, Index: %d.  Number of %s values != expected.  Values size: %d but output "
                         "shape: %s" % (_name(names, i), key, i, _FIELD_WORD[field], counts[i], sh.fmt(shape)),
                         _PARSE_EXAMPLE)
        errors.append((i, 1, e))
    if n_missing and default.size == 0:
        i = counts.index(-1)
        errors.append((i, 2, _required_missing("" if scalar else "Name: %s, " % _name(names, i), key, dtype)))
    _first_error(errors)
    values = _flat_values(lists, expected * (n - n_missing), dtype)
    if not n_missing:
        return values.reshape(shape if scalar else (n,) + shape)
    if scalar:
        return default.reshape(shape)
    return _fill_rows(values, np.asarray(counts) >= 0, n, shape, default, _NP[dtype])


def _example_varlen(maps, names, scalar, key, dtype):
    """(values, counts) of a VarLen/ragged feature (missing: no values)."""
    lists, counts, bad = _lists(maps, key, _FIELD[dtype])
    if bad is not None:
        raise _RecordError(bad[0], _type_mismatch(scalar, names, bad[0], key, bad[1], dtype, False))
    counts = np.maximum(np.asarray(counts, np.int64), 0)
    return _flat_values(lists, int(counts.sum()), dtype), counts


def _sparse_outputs(values, counts, scalar):
    if scalar:
        n = len(values)
        return np.arange(n, dtype=np.int64).reshape(n, 1), values, np.array([n], np.int64)
    rows, pos = _ragged_layout(counts)
    longest = int(counts.max()) if len(counts) else 0
    return np.stack([rows, pos], axis=1), values, np.array([len(counts), longest], np.int64)


def _parse_example_kernel(xp, serialized, names, *dense_defaults, sparse_keys, sparse_types, dense_keys, dense_types,
                          dense_shapes, ragged_keys, ragged_value_types, ragged_split_types):
    serialized, names = _strs(serialized), _strs(names)
    dense_defaults = [_arr(d) for d in dense_defaults]
    if serialized.ndim > 1:
        raise _invalid("Expected serialized to be a scalar or vector, got shape: %s" % sh.fmt(serialized.shape),
                       _PARSE_EXAMPLE)
    scalar = serialized.ndim == 0
    names = _names_list(names, serialized, _PARSE_EXAMPLE)
    maps, malformed = _parse_examples(_record_list(serialized))
    if malformed is not None and malformed[0] == 0:
        raise malformed[2]
    errors = [] if malformed is None else [malformed]  # records before it may hold an earlier error
    sp_idx, sp_val, sp_shape, dense, rg_val, rg_splits = [], [], [], [], [], []
    rank = 0
    for key, dtype in zip(sparse_keys, sparse_types):
        rank += 1
        try:
            i, v, s = _sparse_outputs(*_example_varlen(maps, names, scalar, key, dtype), scalar)
        except _RecordError as e:
            errors.append((e.index, rank, e.error))
            continue
        sp_idx.append(i)
        sp_val.append(v)
        sp_shape.append(s)
    for key, dtype, shape, default in zip(dense_keys, dense_types, dense_shapes, dense_defaults):
        rank += 1
        try:
            dense.append(_example_dense(maps, names, scalar, key, dtype, shape, default))
        except _RecordError as e:
            errors.append((e.index, rank, e.error))
    for key, dtype, split_dtype in zip(ragged_keys, ragged_value_types, ragged_split_types):
        rank += 1
        try:
            values, counts = _example_varlen(maps, names, scalar, key, dtype)
        except _RecordError as e:
            errors.append((e.index, rank, e.error))
            continue
        rg_val.append(values)
        rg_splits.append(np.zeros(0, split_dtype.as_numpy_dtype) if scalar else _splits(counts, split_dtype))
    if errors:  # the first bad record's error (a malformed record stops the parse there)
        raise min(errors, key=lambda c: (c[0], c[1]))[2]
    return tuple(sp_idx + sp_val + sp_shape + dense + rg_val + rg_splits)


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


def _batch_rank(api, op_name, spec):
    """(rank, batch size) of a serialized input: rank None when unknown, batch None when unknown."""
    d = sh.dims(spec)
    if d is None:
        return None, None
    if len(d) > 1:
        raise _invalid("%s: Expected serialized to be a scalar or vector, got shape: %s" % (api, sh.fmt(d)), op_name)
    return len(d), (d[0] if d else None)


def _check_defaults(api, op_name, defaults, types, shapes, index0):
    if len(defaults) != len(types):
        raise _invalid("%s: expected %d dense defaults, got %d" % (api, len(types), len(defaults)), op_name)
    for j, (spec, dtype, shape) in enumerate(zip(defaults, types, shapes)):
        if spec.dtype is not dtype:
            raise _invalid("%s: cannot compute %s as input #%d(zero-based) was expected to be a %s tensor but is a %s "
                           "tensor" % (api, op_name, index0 + j, _tf_name(dtype), _tf_name(spec.dtype)), op_name)
        d = sh.dims(spec)
        if d is None or d == shape or d == (0,):
            continue
        if shape and shape[0] is None:
            if d != ():
                raise _invalid("%s: Padding value for a variable-length dense feature must be a scalar, got shape %s"
                               % (api, sh.fmt(d)), op_name)
        elif not (TensorShape(d).is_compatible_with(tuple(shape)) or TensorShape(d).is_compatible_with((0,))):
            raise _invalid("%s: dense_defaults[%d] must be empty (required) or of shape %s, got shape %s"
                           % (api, j, sh.fmt(shape), sh.fmt(d)), op_name)


def _exact_shapes(kernel, specs, attrs, inferred):
    """`inferred`, with each shape replaced by the kernel's when every input's value is known now."""
    values = [_static(spec) for spec in specs]
    if any(v is None for v in values):
        return inferred
    try:
        outs = kernel(np, *values, **attrs)
    except Exception:  # noqa: BLE001 - the error belongs to run time
        return inferred
    outs = outs if isinstance(outs, tuple) else (outs,)
    return [(o.shape, dtype) for o, (_, dtype) in zip(outs, inferred)]


def _parse_example_check(specs, attrs):
    api = "tf.io.parse_example"
    ser, names = specs[0], specs[1]
    _check_string_input(api, _PARSE_EXAMPLE, ser, 0, "serialized")
    _check_string_input(api, _PARSE_EXAMPLE, names, 1, "names")
    _check_types(api, _PARSE_EXAMPLE, "sparse_types", attrs["sparse_types"], _PARSE_TYPES)
    _check_types(api, _PARSE_EXAMPLE, "Tdense", attrs["dense_types"], _PARSE_TYPES)
    _check_types(api, _PARSE_EXAMPLE, "ragged_value_types", attrs["ragged_value_types"], _PARSE_TYPES)
    _check_types(api, _PARSE_EXAMPLE, "ragged_split_types", attrs["ragged_split_types"], _SPLIT_TYPES)
    _check_defaults(api, _PARSE_EXAMPLE, specs[2:], attrs["dense_types"], attrs["dense_shapes"], 2)
    return _batch_rank(api, _PARSE_EXAMPLE, ser)


def _parse_example_infer(specs, attrs):
    rank, batch = _parse_example_check(specs, attrs)
    ns = len(attrs["sparse_keys"])
    idx_rank = None if rank is None else rank + 1
    out = [((None, idx_rank), _I64)] * ns
    out += [((None,), t) for t in attrs["sparse_types"]]
    out += [((idx_rank,), _I64)] * ns
    outer = () if rank == 0 else (batch,)
    out += [(None if rank is None else outer + tuple(s), t) for s, t in zip(attrs["dense_shapes"], attrs["dense_types"])]
    out += [((None,), t) for t in attrs["ragged_value_types"]]
    splits = (0,) if rank == 0 else ((batch + 1,) if batch is not None else (None,))
    out += [(splits, t) for t in attrs["ragged_split_types"]]
    return _exact_shapes(_parse_example_kernel, specs, attrs, out)


def _example_record(features: Mapping[str, tuple]) -> bytes:
    ex = example_pb2.Example()
    for key, (field, values) in features.items():
        getattr(ex.features.feature[key], field).value.extend(values)
    return ex.SerializeToString()


def _str_array(*values) -> np.ndarray:
    out = np.empty(len(values), object)
    out[:] = list(values)
    return out


def _parse_example_samples():
    r1 = _example_record({"a": ("float_list", [1.0, 2.0, 3.0]), "b": ("int64_list", [4, 5]),
                          "c": ("bytes_list", [b"x"]), "s": ("float_list", [1.0, 2.0, 3.0, 4.0])})
    r2 = _example_record({"b": ("int64_list", [6]), "c": ("bytes_list", [b"y", b"z"]), "s": ("float_list", [5.0, 6.0])})
    attrs = {"sparse_keys": ("b",), "sparse_types": (_I64,), "dense_keys": ("a", "s"), "dense_types": (_F32, _F32),
             "dense_shapes": ((3,), (None, 2)), "ragged_keys": ("c",), "ragged_value_types": (_STR,),
             "ragged_split_types": (_I64,)}
    defaults = [np.array([7.0, 8.0, 9.0], np.float32), np.array(-1.0, np.float32)]
    single = dict(attrs, dense_keys=("a",), dense_types=(_F32,), dense_shapes=((3,),), ragged_split_types=(_I32,))
    return [([_str_array(r1, r2), _str_array(b"first", b"second")] + defaults, attrs),
            ([np.array(r1, object), np.zeros(0, object), np.zeros(0, np.float32)], single)]


register(_PARSE_EXAMPLE, kernel=_parse_example_kernel, infer=_parse_example_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.parse_example", num_outputs=-1, args=("serialized", "names"), samples=_parse_example_samples)


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


def _names_tensor(names):
    if names is None:
        return Tensor(np.zeros(0, object), _STR)
    return _string_tensor(names)


def _prepend_none_dimension(features):
    out = dict(features)
    for key, feature in features.items():
        if isinstance(feature, FixedLenSequenceFeature):
            if not feature.allow_missing:
                raise ValueError("Unsupported: FixedLenSequenceFeature requires allow_missing to be True.")
            out[key] = FixedLenSequenceFeature([None] + list(as_shape(feature.shape).as_list()), feature.dtype,
                                               feature.allow_missing, feature.default_value)
    return out


def parse_example(serialized, features: Mapping[str, Any], example_names=None, name=None) -> dict:
    """Parses a batch of serialized `tf.train.Example` protos (tf.io.parse_example).

    Each feature config gives one output: `FixedLenFeature` a dense Tensor of shape
    [batch] + shape (the default filled in where an example lacks it), `FixedLenSequenceFeature`
    (allow_missing=True) a dense [batch, None] + shape Tensor padded with its default,
    `VarLenFeature` a SparseTensor with indices [example, position] and dense_shape
    [batch, longest], `SparseFeature` a SparseTensor of dense_shape [batch] + size, and
    `RaggedFeature` a RaggedTensor with the batch as its outer dimension.

    Args:
      serialized: a 1-D string tensor (a scalar parses one example, without the batch dimension).
      features: a dict mapping feature keys to feature configurations.
      example_names: optional string tensor of the same shape, used in error messages.
      name: unused.

    Returns:
      A dict mapping feature keys to Tensor, SparseTensor and RaggedTensor values.

    Raises:
      ValueError: if a feature configuration is invalid.
      InvalidArgumentError: for a malformed record, a missing required feature, a value count
        or type that does not match the configuration.
    """
    if not features:
        raise ValueError("Argument `features` cannot be None or falsy. Got %s" % (features,))
    features = _prepend_none_dimension(features)
    params = _ParseOpParams.from_features(features, [VarLenFeature, SparseFeature, FixedLenFeature,
                                                     FixedLenSequenceFeature, RaggedFeature])
    serialized = _string_tensor(serialized)
    outputs = _parse_example_raw(serialized, example_names, params)
    return _construct_composites(features, outputs, serialized.shape.rank != 0)


def _parse_example_raw(serialized, names, params) -> dict:
    if params.num_features == 0:
        raise ValueError("Must provide at least one feature key.")
    serialized = _string_tensor(serialized)
    if params.ragged_keys and serialized.shape.rank is None:
        raise ValueError("serialized must have statically-known rank to parse ragged features.")
    defaults = params.dense_default_tensors()
    outs = _checked_bind(_PARSE_EXAMPLE, [serialized, _names_tensor(names)] + defaults, params.attrs(),
                         _parse_example_check)
    ns, nd, nr = len(params.sparse_keys), len(params.dense_keys), len(params.ragged_keys)
    idx, vals, shapes = outs[:ns], outs[ns:2 * ns], outs[2 * ns:3 * ns]
    dense = outs[3 * ns:3 * ns + nd]
    rvals, rsplits = outs[3 * ns + nd:3 * ns + nd + nr], outs[3 * ns + nd + nr:]
    rank = serialized.shape.rank
    batch = serialized.shape[0] if rank == 1 else None
    sparse = [_sparse_tensor(i, v, s, (batch, None) if rank == 1 else ((None,) if rank == 0 else None))
              for i, v, s in zip(idx, vals, shapes)]
    ragged = [v if rank == 0 else _ragged_rows(v, s) for v, s in zip(rvals, rsplits)]
    return dict(zip(params.sparse_keys + params.dense_keys + params.ragged_keys, sparse + list(dense) + ragged))


def _sparse_tensor(indices, values, dense_shape, static_shape=None):
    from ..ops import sparse_ops
    if type(dense_shape) is Tensor:
        static_shape = tuple(int(d) for d in dense_shape._value)
    return sparse_ops._wrap(indices, values, dense_shape, None if static_shape is None else TensorShape(static_shape))


def _ragged_rows(values, splits):
    from ..ops import ragged_ops
    return ragged_ops.RaggedTensor.from_row_splits(values, splits, validate=False)


def parse_single_example(serialized, features: Mapping[str, Any], example_names=None, name=None) -> dict:
    """Parses one serialized `tf.train.Example` proto (tf.io.parse_single_example).

    Like `parse_example` without the batch dimension: dense features have exactly their
    configured shape, a VarLenFeature's SparseTensor has indices [position] and dense_shape
    [count], a RaggedFeature without partitions gives a 1-D Tensor.

    Args:
      serialized: a scalar string tensor (or bytes), one serialized Example.
      features: a dict mapping feature keys to feature configurations.
      example_names: optional scalar string, the record's name in error messages.
      name: unused.

    Returns:
      A dict mapping feature keys to Tensor, SparseTensor and RaggedTensor values.
    """
    if features is None:
        raise ValueError("Invalid argument: features cannot be None.")
    if not features:
        raise ValueError("Invalid argument: features cannot be empty.")
    serialized = _string_tensor(serialized)
    rank = serialized.shape.rank
    if rank is not None and rank != 0:
        raise ValueError("Input serialized must be a scalar")
    if rank is None:
        from ..ops import array_ops
        serialized = array_ops.reshape(serialized, [])
    return parse_example(serialized, features, example_names, name)


# ================================================================ composite features (SparseFeature, RaggedFeature)
def _construct_composites(features, tensors: dict, batched: bool) -> dict:
    tensors = dict(tensors)
    updates = {}
    for key in sorted(features):
        feature = features[key]
        if isinstance(feature, SparseFeature):
            updates[key] = _sparse_merge(feature, tensors, batched)
        elif isinstance(feature, RaggedFeature):
            value_key = key if feature.value_key is None else feature.value_key
            updates[key] = _ragged_feature(feature, tensors[value_key], tensors)
    tensors.update(updates)
    for key in set(tensors) - set(features):
        del tensors[key]
    return tensors


def _sparse_merge(feature: SparseFeature, tensors: dict, batched: bool):
    """TF's sparse_merge: the index features' values become the last index columns."""
    from ..ops import array_ops, sparse_ops
    single_key = isinstance(feature.index_key, str)
    index_keys = [feature.index_key] if single_key else list(feature.index_key)
    sizes = [feature.size] if single_key else list(feature.size)
    if len(sizes) != len(index_keys):
        raise ValueError("len(vocab_size) != len(sp_ids).")
    ids = [tensors[k] for k in index_keys]
    values = tensors[feature.value_key]
    n_val = values.values.shape[0]
    for sp in ids:
        n_id = sp.values.shape[0]
        if n_val is not None and n_id is not None and n_val != n_id:
            raise ValueError("Dimensions %d and %d are not compatible" % (n_id, n_val))
    keep = [array_ops.slice(ids[0].indices, [0, 0], [-1, 1])] if batched else []
    columns = keep + [array_ops.reshape(sp.values, [-1, 1]) for sp in ids]
    indices = array_ops.concat(columns, 1)
    size_t = Tensor(np.asarray([int(s) for s in sizes], np.int64), _I64)
    if batched:
        shape = array_ops.concat([array_ops.slice(ids[0].dense_shape, [0], [1]), size_t], 0)
        static = (tensors[feature.value_key].shape[0],) + tuple(int(s) for s in sizes)
    else:
        shape, static = size_t, tuple(int(s) for s in sizes)
    out = sparse_ops._wrap(indices, values.values, shape, TensorShape(static))
    if feature.already_sorted:
        return out
    out = sparse_ops.reorder(out)
    out._shape = TensorShape(static)
    return out


def _ragged_feature(feature: RaggedFeature, rt, tensors):
    from ..ops import array_ops, ragged_ops
    if not feature.partitions:
        return rt
    if isinstance(rt, ragged_ops.RaggedTensor):  # a batch: partition the rows of each example
        return _partition(feature, rt, tensors)
    # One Example: the same, as a batch of one example whose single row is then taken.
    n = array_ops.shape(rt, out_type=_I64)[:1]
    one = ragged_ops.RaggedTensor.from_row_splits(rt, array_ops.concat([array_ops.zeros([1], _I64), n], 0),
                                                  validate=False)
    return _partition(feature, one, tensors, single=True)


def _partition(feature: RaggedFeature, rt, tensors, single=False):
    """Groups the items (rows of `rt.values`) of each example into the rows the partitions describe.

    Partitions apply innermost first; each one turns the per-example item splits into inner row
    splits plus new per-example splits over the rows it made. Written with tensor ops, so that it
    runs the same eagerly and in graphs.
    """
    from ..ops import array_ops as A
    from ..ops import math_ops as M
    from ..ops import ragged_ops
    cls = ragged_ops.RaggedTensor
    outer = None
    if rt.ragged_rank > 1:  # a batch of SequenceExamples: examples -> steps -> values
        outer, rt = rt.row_splits, rt.values
    values = rt.values
    items = M.cast(rt.row_splits, _I64)
    zero = A.zeros([1], _I64)
    inner_splits = []  # (splits tensor or uniform length) per partition, innermost first
    for partition in reversed(feature.partitions):
        if isinstance(partition, RaggedFeature.UniformRowLength):
            length = int(partition.length)
            if not inner_splits and not isinstance(values, cls):  # the innermost: a dense dimension
                values = A.reshape(values, [-1, length] + values.shape.as_list()[1:])
            else:
                inner_splits.append(length)
            items = M.floordiv(items, length)
            continue
        p = tensors[partition.key]
        if single:
            pv = M.cast(p, _I64)
            ps = A.concat([zero, A.shape(pv, out_type=_I64)], 0)
        else:
            if isinstance(p.values, cls):
                p = p.values
            pv, ps = M.cast(p.values, _I64), M.cast(p.row_splits, _I64)
        counts = ps[1:] - ps[:-1]
        starts = A.repeat(items[:-1], counts)
        if isinstance(partition, RaggedFeature.RowLengths):
            inner, items = A.concat([zero, M.cumsum(pv)], 0), ps
        elif isinstance(partition, RaggedFeature.RowLimits):
            inner, items = A.concat([zero, pv + starts], 0), ps
        elif isinstance(partition, RaggedFeature.RowSplits):  # each example's splits start with 0: drop it
            position = A.range(A.shape(pv, out_type=_I64)[0], dtype=_I64) - A.repeat(ps[:-1], counts)
            inner = A.concat([zero, A.boolean_mask(pv + starts, position > 0)], 0)
            items = A.concat([zero, M.cumsum(M.maximum(counts - 1, 0))], 0)
        elif isinstance(partition, RaggedFeature.RowStarts):
            inner, items = A.concat([pv + starts, items[-1:]], 0), ps
        elif isinstance(partition, RaggedFeature.ValueRowIds):
            last = A.gather(A.concat([pv, zero], 0), M.maximum(ps[1:] - 1, 0))
            nrows = (last + 1) * M.cast(counts > 0, _I64)
            rowids = pv + A.repeat(M.cumsum(nrows, exclusive=True), counts)
            total = M.reduce_sum(nrows)
            inner = A.searchsorted(rowids, A.range(total + 1, dtype=_I64), side="left", out_type=_I64)
            items = A.concat([zero, M.cumsum(nrows)], 0)
        else:
            raise ValueError(f"Unhandled partition type {partition!r}")
        inner_splits.append(inner)
    split_dtype = feature.row_splits_dtype
    result = values
    for inner in inner_splits:
        if isinstance(inner, int):  # a uniform dimension over ragged rows
            nrows = result.nrows_static() if isinstance(result, cls) else result.shape[0]
            if nrows is not None:
                result = cls.from_uniform_row_length(result, inner, validate=feature.validate)
            else:
                n = (A.shape(result.row_splits, out_type=_I64)[0] - 1 if isinstance(result, cls)
                     else A.shape(result, out_type=_I64)[0])
                splits = A.range(0, n + 1, inner, dtype=_I64)
                result = cls.from_row_splits(result, M.cast(splits, split_dtype), validate=feature.validate)
            continue
        result = cls.from_row_splits(result, M.cast(inner, split_dtype), validate=feature.validate)
    if single:
        return result
    result = cls.from_row_splits(result, M.cast(items, split_dtype), validate=feature.validate)
    if outer is not None:
        result = cls.from_row_splits(result, outer, validate=feature.validate)
    return result


# ================================================================ ParseSequenceExampleV2
_PARSE_SEQ = "ParseSequenceExampleV2"


def _parse_sequences(records, names) -> list:
    from_string = example_pb2.SequenceExample.FromString
    out = []
    for i, rec in enumerate(records):
        try:
            out.append(from_string(rec))
        except Exception:  # noqa: BLE001
            raise _invalid("Invalid protocol message input, example id: %s" % _name(names, i), _PARSE_SEQ) from None
    return out


def _context_lists(maps, names, key, dtype):
    lists, counts, bad = _lists(maps, key, _FIELD[dtype])
    if bad is not None:
        raise _invalid("Name: %s, Context feature: %s.  Data types don't match. Expected type: %s"
                       % (_name(names, bad[0]), key, _tf_name(dtype)), _PARSE_SEQ)
    return lists, np.asarray(counts, np.int64)


def _context_dense(maps, names, scalar, key, dtype, shape, default):
    lists, counts = _context_lists(maps, names, key, dtype)
    present = counts >= 0
    expected = _size(shape)
    required = default.size == 0
    if required:
        longest = int(counts[present].max()) if present.any() else 0
        if longest != expected:
            raise _invalid("Inconsistent max number of elements for feature %s: expected %d, but found %d"
                           % (key, expected, longest), _PARSE_SEQ)
    wrong = np.flatnonzero(present & (counts != expected))
    if len(wrong):
        raise _invalid("Unexpected number of elements in example %s" % _name(names, int(wrong[0])), _PARSE_SEQ)
    if required and not present.all():
        raise _required_missing("", key, dtype, _PARSE_SEQ)
    values = _flat_values(lists, expected * int(present.sum()), dtype)
    if present.all():
        out = values.reshape((len(maps),) + tuple(shape))
    else:
        out = _fill_rows(values, present, len(maps), tuple(shape), default, _NP[dtype])
    return out[0, ...] if scalar else out


def _context_varlen(maps, names, key, dtype):
    lists, counts = _context_lists(maps, names, key, dtype)
    counts = np.maximum(counts, 0)
    return _flat_values(lists, int(counts.sum()), dtype), counts


def _feature_list_steps(fl_maps, names, key, dtype):
    """Each step's list message of feature list `key`, flattened over the batch.

    Returns (lists, step_counts, steps_per_example, present): a step whose Feature has no kind
    holds no values; an example without the feature list has no steps and present False.
    """
    field = _FIELD[dtype]
    lists, step_counts, steps, present = [], [], [], []
    for i, m in enumerate(fl_maps):
        fl = m.get(key)
        if fl is None:
            steps.append(0)
            present.append(False)
            continue
        feats = fl.feature
        steps.append(len(feats))
        present.append(True)
        for j, f in enumerate(feats):
            kind = f.WhichOneof("kind")
            if kind == field:
                lst = getattr(f, field)
                lists.append(lst)
                step_counts.append(len(lst.value))
            elif kind is None:
                step_counts.append(0)
            else:
                raise _invalid("Name: %s, Feature list: %s, Index: %d.  Data types don't match. Expected type: %s"
                               % (_name(names, i), key, j, _tf_name(dtype)), _PARSE_SEQ)
    return lists, np.asarray(step_counts, np.int64), np.asarray(steps, np.int64), np.asarray(present, bool)


def _feature_list_dense(fl_maps, names, scalar, key, dtype, shape, missing_ok):
    lists, step_counts, steps, present = _feature_list_steps(fl_maps, names, key, dtype)
    shape = tuple(shape)
    stride = _size(shape)
    example_of_step = np.repeat(np.arange(len(steps)), steps)
    totals = np.bincount(example_of_step, weights=step_counts, minlength=len(steps)).astype(np.int64) \
        if len(step_counts) else np.zeros(len(steps), np.int64)
    bad_total = np.flatnonzero(totals % max(stride, 1) != 0) if stride else np.zeros(0, np.int64)
    if len(bad_total):
        raise _invalid("Feature list '%s' has an unexpected number of values.  Total values size: %d is not consistent "
                       "with output shape: %s" % (key, totals[bad_total[0]], sh.fmt((None,) + shape)), _PARSE_SEQ)
    bad_step = np.flatnonzero(step_counts != stride)
    if len(bad_step):
        s = int(bad_step[0])
        i = int(example_of_step[s])
        j = s - int(np.sum(steps[:i]))
        raise _invalid("Name: %s, Key: %s, Index: %d.  Number of values != expected.  values size: %d but output "
                       "shape: %s" % (_name(names, i), key, j, step_counts[s], sh.fmt(shape)), _PARSE_SEQ)
    if not missing_ok and not present.all():
        i = int(np.flatnonzero(~present)[0])
        raise _invalid("Name: %s, Feature list '%s' is required but could not be found.  Did you mean to include it in "
                       "feature_list_dense_missing_assumed_empty or feature_list_dense_defaults?" % (_name(names, i), key),
                       _PARSE_SEQ)
    values = _flat_values(lists, int(step_counts.sum()), dtype)
    if scalar:
        return values.reshape((-1,) + shape), np.asarray(steps[0], np.int64)
    pad = b"" if dtype is _STR else 0
    return _pad_rows(values, steps, shape, pad, _NP[dtype]), steps


def _feature_list_sparse(fl_maps, names, scalar, key, dtype):
    lists, step_counts, steps, _ = _feature_list_steps(fl_maps, names, key, dtype)
    values = _flat_values(lists, int(step_counts.sum()), dtype)
    step_rows, pos = _ragged_layout(step_counts)
    example_of_step = np.repeat(np.arange(len(steps), dtype=np.int64), steps)
    step_in_example = np.arange(len(step_counts), dtype=np.int64) - np.repeat(np.cumsum(steps) - steps, steps)
    longest = int(step_counts.max()) if len(step_counts) else 0
    max_steps = int(steps.max()) if len(steps) else 0
    if scalar:
        return (np.stack([step_in_example[step_rows], pos], axis=1), values,
                np.array([max_steps, longest], np.int64))
    return (np.stack([example_of_step[step_rows], step_in_example[step_rows], pos], axis=1), values,
            np.array([len(steps), max_steps, longest], np.int64))


def _parse_sequence_kernel(xp, serialized, debug_name, *context_dense_defaults, context_sparse_keys,
                           context_sparse_types, context_dense_keys, context_dense_types, context_dense_shapes,
                           context_ragged_keys, context_ragged_value_types, context_ragged_split_types,
                           feature_list_sparse_keys, feature_list_sparse_types, feature_list_dense_keys,
                           feature_list_dense_types, feature_list_dense_shapes, feature_list_ragged_keys,
                           feature_list_ragged_value_types, feature_list_ragged_split_types,
                           feature_list_dense_missing_assumed_empty):
    serialized, debug_name = _strs(serialized), _strs(debug_name)
    context_dense_defaults = [_arr(d) for d in context_dense_defaults]
    if serialized.ndim > 1:
        raise _invalid("Expected serialized to be a scalar or vector, got shape: %s" % sh.fmt(serialized.shape),
                       _PARSE_SEQ)
    scalar = serialized.ndim == 0
    names = _names_list(debug_name, serialized, _PARSE_SEQ)
    seqs = _parse_sequences(_record_list(serialized), names)
    cmaps = [s.context.feature for s in seqs]
    fmaps = [s.feature_lists.feature_list for s in seqs]
    c_idx, c_val, c_shape = [], [], []
    for key, dtype in zip(context_sparse_keys, context_sparse_types):
        i, v, s = _sparse_outputs(*_context_varlen(cmaps, names, key, dtype), scalar)
        c_idx.append(i)
        c_val.append(v)
        c_shape.append(s)
    c_dense = [_context_dense(cmaps, names, scalar, key, dtype, shape, default) for key, dtype, shape, default
               in zip(context_dense_keys, context_dense_types, context_dense_shapes, context_dense_defaults)]
    c_rval, c_rsplits = [], []
    for key, dtype, split_dtype in zip(context_ragged_keys, context_ragged_value_types, context_ragged_split_types):
        values, counts = _context_varlen(cmaps, names, key, dtype)
        c_rval.append(values)
        c_rsplits.append(np.zeros(0, split_dtype.as_numpy_dtype) if scalar else _splits(counts, split_dtype))
    f_idx, f_val, f_shape = [], [], []
    for key, dtype in zip(feature_list_sparse_keys, feature_list_sparse_types):
        i, v, s = _feature_list_sparse(fmaps, names, scalar, key, dtype)
        f_idx.append(i)
        f_val.append(v)
        f_shape.append(s)
    f_dense, f_len = [], []
    for key, dtype, shape, missing_ok in zip(feature_list_dense_keys, feature_list_dense_types,
                                             feature_list_dense_shapes, feature_list_dense_missing_assumed_empty):
        v, n = _feature_list_dense(fmaps, names, scalar, key, dtype, shape, missing_ok)
        f_dense.append(v)
        f_len.append(n)
    f_rval, f_outer, f_inner = [], [], []
    for key, dtype, split_dtype in zip(feature_list_ragged_keys, feature_list_ragged_value_types,
                                       feature_list_ragged_split_types):
        lists, step_counts, steps, _ = _feature_list_steps(fmaps, names, key, dtype)
        f_rval.append(_flat_values(lists, int(step_counts.sum()), dtype))
        f_outer.append(np.zeros(0, split_dtype.as_numpy_dtype) if scalar else _splits(steps, split_dtype))
        f_inner.append(_splits(step_counts, split_dtype))
    return tuple(c_idx + c_val + c_shape + c_dense + c_rval + c_rsplits + f_idx + f_val + f_shape + f_dense + f_len
                 + f_rval + f_outer + f_inner)


def _parse_sequence_check(specs, attrs):
    api = "tf.io.parse_sequence_example"
    ser, names = specs[0], specs[1]
    _check_string_input(api, _PARSE_SEQ, ser, 0, "serialized")
    _check_string_input(api, _PARSE_SEQ, names, 1, "debug_name")
    for prefix in ("context_", "feature_list_"):
        _check_types(api, _PARSE_SEQ, prefix + "sparse_types", attrs[prefix + "sparse_types"], _PARSE_TYPES)
        _check_types(api, _PARSE_SEQ, prefix + "dense_types", attrs[prefix + "dense_types"], _PARSE_TYPES)
        _check_types(api, _PARSE_SEQ, prefix + "ragged_value_types", attrs[prefix + "ragged_value_types"], _PARSE_TYPES)
        _check_types(api, _PARSE_SEQ, prefix + "ragged_split_types", attrs[prefix + "ragged_split_types"],
                     _SPLIT_TYPES)
    _check_defaults(api, _PARSE_SEQ, specs[2:], attrs["context_dense_types"], attrs["context_dense_shapes"], 2)
    if len(attrs["feature_list_dense_missing_assumed_empty"]) != len(attrs["feature_list_dense_keys"]):
        raise _invalid("%s: feature_list_dense_missing_assumed_empty must have one entry per feature_list_dense_key"
                       % api, _PARSE_SEQ)
    return _batch_rank(api, _PARSE_SEQ, ser)


def _parse_sequence_infer(specs, attrs):
    rank, batch = _parse_sequence_check(specs, attrs)
    outer = () if rank == 0 else (batch,)
    splits = (0,) if rank == 0 else ((batch + 1,) if batch is not None else (None,))
    out = []
    for prefix, extra in (("context_", 1), ("feature_list_", 2)):
        ns = len(attrs[prefix + "sparse_keys"])
        idx_rank = None if rank is None else rank + extra
        out += [((None, idx_rank), _I64)] * ns
        out += [((None,), t) for t in attrs[prefix + "sparse_types"]]
        out += [((idx_rank,), _I64)] * ns
        if prefix == "context_":
            out += [(None if rank is None else outer + tuple(s), t)
                    for s, t in zip(attrs["context_dense_shapes"], attrs["context_dense_types"])]
            out += [((None,), t) for t in attrs["context_ragged_value_types"]]
            out += [(splits, t) for t in attrs["context_ragged_split_types"]]
        else:
            out += [(None if rank is None else outer + (None,) + tuple(s), t)
                    for s, t in zip(attrs["feature_list_dense_shapes"], attrs["feature_list_dense_types"])]
            out += [(None if rank is None else outer, _I64)] * len(attrs["feature_list_dense_keys"])
            out += [((None,), t) for t in attrs["feature_list_ragged_value_types"]]
            out += [(splits, t) for t in attrs["feature_list_ragged_split_types"]]
            out += [((None,), t) for t in attrs["feature_list_ragged_split_types"]]
    return _exact_shapes(_parse_sequence_kernel, specs, attrs, out)


def _sequence_record(context: Mapping[str, tuple], feature_lists: Mapping[str, list]) -> bytes:
    se = example_pb2.SequenceExample()
    for key, (field, values) in context.items():
        getattr(se.context.feature[key], field).value.extend(values)
    for key, steps in feature_lists.items():
        fl = se.feature_lists.feature_list[key]
        for field, values in steps:
            getattr(fl.feature.add(), field).value.extend(values)
    return se.SerializeToString()


def _parse_sequence_samples():
    r1 = _sequence_record({"len": ("int64_list", [3]), "tags": ("bytes_list", [b"a", b"b"])},
                          {"tok": [("int64_list", [1, 2]), ("int64_list", [3, 4]), ("int64_list", [5, 6])],
                           "w": [("float_list", [1.0]), ("float_list", [2.0, 3.0]), ("float_list", [])]})
    r2 = _sequence_record({"len": ("int64_list", [1])}, {"tok": [("int64_list", [7, 8])], "w": [("float_list", [9.0])]})
    attrs = {"context_sparse_keys": ("tags",), "context_sparse_types": (_STR,), "context_dense_keys": ("len",),
             "context_dense_types": (_I64,), "context_dense_shapes": ((),), "context_ragged_keys": ("tags2",),
             "context_ragged_value_types": (_F32,), "context_ragged_split_types": (_I64,),
             "feature_list_sparse_keys": ("w",), "feature_list_sparse_types": (_F32,),
             "feature_list_dense_keys": ("tok",), "feature_list_dense_types": (_I64,),
             "feature_list_dense_shapes": ((2,),), "feature_list_ragged_keys": ("w2",),
             "feature_list_ragged_value_types": (_F32,), "feature_list_ragged_split_types": (_I32,),
             "feature_list_dense_missing_assumed_empty": (False,)}
    single = dict(attrs, feature_list_ragged_keys=("w",), feature_list_sparse_keys=("tok",),
                  feature_list_sparse_types=(_I64,), feature_list_dense_keys=(), feature_list_dense_types=(),
                  feature_list_dense_shapes=(), feature_list_dense_missing_assumed_empty=())
    return [([_str_array(r1, r2), _str_array(b"n1", b"n2"), np.zeros(0, np.int64)], attrs),
            ([np.array(r1, object), np.zeros(0, object), np.array(0, np.int64)], single)]


register(_PARSE_SEQ, kernel=_parse_sequence_kernel, infer=_parse_sequence_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.parse_sequence_example", num_outputs=-1, args=("serialized", "debug_name"),
         samples=_parse_sequence_samples)


def _sequence_params(context_features, sequence_features):
    context = _ParseOpParams.from_features(context_features, [VarLenFeature, FixedLenFeature, RaggedFeature])
    feature_list = _ParseOpParams.from_features(sequence_features,
                                                [VarLenFeature, FixedLenSequenceFeature, RaggedFeature])
    return context, feature_list


def _parse_sequence_raw(serialized, names, context, feature_list):
    if context.num_features + feature_list.num_features == 0:
        raise ValueError("Must provide at least one feature key.")
    for k, v in feature_list.dense_defaults.items():
        if v is not None:
            raise ValueError("Value feature_list.dense_defaults[%s] must be None" % k)
    serialized = _string_tensor(serialized)
    if (context.ragged_keys or feature_list.ragged_keys) and serialized.shape.rank is None:
        raise ValueError("serialized must have statically-known rank to parse ragged features.")
    attrs = context.attrs("context_")
    fl = feature_list.attrs("feature_list_")
    attrs.update(fl)
    attrs["feature_list_dense_missing_assumed_empty"] = tuple(k in feature_list.dense_defaults
                                                              for k in feature_list.dense_keys)
    outs = _checked_bind(_PARSE_SEQ, [serialized, _names_tensor(names)] + context.dense_default_tensors(), attrs,
                         _parse_sequence_check)
    outs = list(outs)
    rank = serialized.shape.rank
    batch = serialized.shape[0] if rank == 1 else None

    def take(n):
        taken = outs[:n]
        del outs[:n]
        return taken

    def sparse(params, extra):
        n = len(params.sparse_keys)
        idx, val, shp = take(n), take(n), take(n)
        static = None if rank is None else ((batch,) if rank == 1 else ()) + (None,) * extra
        return [_sparse_tensor(i, v, s, static) for i, v, s in zip(idx, val, shp)]

    c_sparse = sparse(context, 1)
    c_dense = take(len(context.dense_keys))
    nr = len(context.ragged_keys)
    c_rval, c_rsplits = take(nr), take(nr)
    c_ragged = [v if rank == 0 else _ragged_rows(v, s) for v, s in zip(c_rval, c_rsplits)]
    f_sparse = sparse(feature_list, 2)
    nd = len(feature_list.dense_keys)
    f_dense, f_len = take(nd), take(nd)
    nr = len(feature_list.ragged_keys)
    f_rval, f_outer, f_inner = take(nr), take(nr), take(nr)
    f_ragged = []
    for v, o, i in zip(f_rval, f_outer, f_inner):
        rt = _ragged_rows(v, i)
        f_ragged.append(rt if rank == 0 else _ragged_rows(rt, o))
    context_out = dict(zip(context.sparse_keys + context.dense_keys + context.ragged_keys,
                           c_sparse + c_dense + c_ragged))
    feature_list_out = dict(zip(feature_list.sparse_keys + feature_list.dense_keys + feature_list.ragged_keys,
                                f_sparse + f_dense + f_ragged))
    lengths = dict(zip(feature_list.dense_keys, f_len))
    return context_out, feature_list_out, lengths


def parse_sequence_example(serialized, context_features=None, sequence_features=None, example_names=None,
                           name=None) -> tuple:
    """Parses a batch of serialized `tf.train.SequenceExample` protos (tf.io.parse_sequence_example).

    Args:
      serialized: a 1-D string tensor of serialized SequenceExamples.
      context_features: dict of FixedLenFeature / VarLenFeature / RaggedFeature for the context.
      sequence_features: dict of FixedLenSequenceFeature / VarLenFeature / RaggedFeature for the
        feature lists.
      example_names: optional string tensor of the records' names (for error messages).
      name: unused.

    Returns:
      (context, feature_lists, lengths): dicts of Tensor / SparseTensor / RaggedTensor values;
      `lengths` gives each dense feature list's number of steps per example.
    """
    if not (context_features or sequence_features):
        raise ValueError("Both `context_features` and `sequence_features` argument are None, but at least one should "
                         "have values.")
    context, feature_list = _sequence_params(context_features, sequence_features)
    ctx_out, fl_out, lengths = _parse_sequence_raw(serialized, example_names, context, feature_list)
    batched = _string_tensor(serialized).shape.rank != 0
    if context.ragged_keys:
        ctx_out = _construct_composites(context_features, ctx_out, batched)
    if feature_list.ragged_keys:
        fl_out = _construct_composites(sequence_features, fl_out, True)
    return ctx_out, fl_out, lengths


def parse_single_sequence_example(serialized, context_features=None, sequence_features=None, example_name=None,
                                  name=None) -> tuple:
    """Parses one serialized `tf.train.SequenceExample` proto (tf.io.parse_single_sequence_example).

    Context features parse as in `parse_single_example`; a FixedLenSequenceFeature gives a
    [steps] + shape Tensor, a VarLenFeature a SparseTensor with indices [step, position], a
    RaggedFeature a RaggedTensor [steps, None].

    Args:
      serialized: a scalar string tensor, one serialized SequenceExample.
      context_features: dict of FixedLenFeature / VarLenFeature / RaggedFeature.
      sequence_features: dict of FixedLenSequenceFeature / VarLenFeature / RaggedFeature.
      example_name: optional scalar string, the record's name in error messages.
      name: unused.

    Returns:
      (context, feature_lists): two dicts of Tensor / SparseTensor / RaggedTensor values.
    """
    if not (context_features or sequence_features):
        raise ValueError("Both context_features and sequence_features are None, but at least one should have values.")
    context, feature_list = _sequence_params(context_features, sequence_features)
    serialized = _string_tensor(serialized)
    rank = serialized.shape.rank
    if rank is not None and rank != 0:
        raise ValueError("Input serialized must be a scalar")
    if rank is None:
        from ..ops import array_ops
        serialized = array_ops.reshape(serialized, [])
    ctx_out, fl_out, _ = _parse_sequence_raw(serialized, example_name, context, feature_list)
    if context.ragged_keys:
        ctx_out = _construct_composites(context_features, ctx_out, False)
    if feature_list.ragged_keys:
        fl_out = _construct_composites(sequence_features, fl_out, True)
    return ctx_out, fl_out


# ================================================================ DecodeRaw / DecodePaddedRaw
_RAW_TYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.uint16, dtypes.uint8, dtypes.int16,
              dtypes.int8, dtypes.int64, dtypes.complex64, dtypes.complex128, dtypes.bool, dtypes.bfloat16)
_PADDED_RAW_TYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.uint16, dtypes.uint8,
                     dtypes.int16, dtypes.int8, dtypes.int64, dtypes.bfloat16)
_HOST_LITTLE = sys.byteorder == "little"


def _from_bytes(buf: bytearray, out_type, little_endian: bool) -> np.ndarray:
    """The values of `out_type` packed in `buf` with the given byte order, as a flat array."""
    np_dtype = np.dtype(out_type.as_numpy_dtype)
    if out_type is dtypes.bool:
        return np.frombuffer(buf, np.uint8) != 0
    size = np_dtype.itemsize // (2 if np_dtype.kind == "c" else 1)  # complex: each part separately
    if size > 1 and little_endian != _HOST_LITTLE:  # reverse each value's bytes, as TF does
        swapped = np.frombuffer(buf, np.uint8).reshape(-1, size)[:, ::-1]
        return np.ascontiguousarray(swapped).reshape(-1).view(np_dtype)
    return np.frombuffer(buf, np_dtype)


def _decode_raw_kernel(xp, x, out_type, little_endian=True):
    x = _strs(x)
    size = np.dtype(out_type.as_numpy_dtype).itemsize
    flat = x.reshape(-1).tolist()
    if not flat:
        return np.zeros(x.shape + (0,), out_type.as_numpy_dtype)
    first = len(flat[0])
    lengths = np.fromiter(map(len, flat), np.int64, len(flat))
    bad = np.flatnonzero(lengths != first)
    if len(bad):
        raise _invalid("DecodeRaw requires input strings to all be the same size, but element %d has size %d != %d"
                       % (bad[0], first, lengths[bad[0]]), "DecodeRaw")
    if first % size:
        raise _invalid("Input to DecodeRaw has length %d that is not a multiple of %d, the size of %s"
                       % (first, size, _tf_name(out_type)), "DecodeRaw")
    values = _from_bytes(bytearray().join(flat), out_type, little_endian)
    return values.reshape(x.shape + (first // size,))


def _decode_raw_infer(specs, attrs):
    api, op = "tf.io.decode_raw", "DecodeRaw"
    _check_string_input(api, op, specs[0], 0, "bytes")
    _check_types(api, op, "out_type", (attrs["out_type"],), _RAW_TYPES)
    d = sh.dims(specs[0])
    if d is None:
        return [(None, attrs["out_type"])]
    inner = None
    v = _static(specs[0])
    if v is not None:
        flat = v.reshape(-1)
        inner = len(flat[0]) // np.dtype(attrs["out_type"].as_numpy_dtype).itemsize if flat.size else 0
    return [(tuple(d) + (inner,), attrs["out_type"])]


def _static(spec):
    """The NumPy value of `spec` when known now (eager, or a constant while tracing), else None."""
    if type(spec) is Tensor:
        return spec._value
    static = getattr(spec, "_static_value", None)
    v = static() if static is not None else None
    return None if v is None else np.asarray(v)


register("DecodeRaw", kernel=_decode_raw_kernel, infer=_decode_raw_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.decode_raw", args=("bytes",),
         samples=lambda: [([_str_array(b"\x01\x02\x03\x04", b"\xff\xfe\x00\x80")], {"out_type": dtypes.int16,
                                                                                    "little_endian": True}),
                          ([_str_array(b"\x3f\x80\x00\x00\x40\x00\x00\x00")], {"out_type": dtypes.float32,
                                                                             "little_endian": False}),
                          ([np.array(b"abc", object)], {"out_type": dtypes.uint8, "little_endian": True})])


def _decode_padded_raw_kernel(xp, x, fixed_length, out_type, little_endian=True):
    x = _strs(x)
    length = int(fixed_length)
    size = np.dtype(out_type.as_numpy_dtype).itemsize
    if length <= 0:
        raise _invalid("fixed_length (%d) must be greater than zero." % length, "DecodePaddedRaw")
    if length % size:
        raise _invalid("fixed_length (%d) must be a multiple of the size of out_type (%d)" % (length, size),
                       "DecodePaddedRaw")
    zeros = bytes(length)
    flat = x.reshape(-1).tolist()
    buf = bytearray().join([s[:length] if len(s) >= length else s + zeros[len(s):] for s in flat])
    return _from_bytes(buf, out_type, little_endian).reshape(x.shape + (length // size,))


def _decode_padded_raw_infer(specs, attrs):
    api, op = "tf.io.decode_raw", "DecodePaddedRaw"
    _check_string_input(api, op, specs[0], 0, "input_bytes")
    if specs[1].dtype is not _I32:
        raise _invalid("%s: fixed_length must be an int32 scalar, got %s" % (api, specs[1].dtype.name), op)
    _check_types(api, op, "out_type", (attrs["out_type"],), _PADDED_RAW_TYPES)
    d = sh.dims(specs[0])
    if d is None:
        return [(None, attrs["out_type"])]
    length = _static(specs[1])
    inner = None if length is None else int(length) // np.dtype(attrs["out_type"].as_numpy_dtype).itemsize
    return [(tuple(d) + (inner,), attrs["out_type"])]


register("DecodePaddedRaw", kernel=_decode_padded_raw_kernel, infer=_decode_padded_raw_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.decode_raw", args=("input_bytes", "fixed_length"),
         samples=lambda: [([_str_array(b"\x01", b"\x01\x02\x03\x04\x05"), np.array(4, np.int32)],
                           {"out_type": dtypes.uint16, "little_endian": False}),
                          ([_str_array(b"\x00\x00\x80\x3f"), np.array(8, np.int32)],
                           {"out_type": dtypes.float32, "little_endian": True})])


def decode_raw(input_bytes, out_type, little_endian: bool = True, fixed_length=None, name=None) -> Tensor:
    """Reinterprets the bytes of each string as a vector of numbers (tf.io.decode_raw).

    The output has one more dimension than `input_bytes`: element i becomes
    len(input_bytes[i]) / sizeof(out_type) values. All strings must have the same length
    unless `fixed_length` is given, which zero-pads or truncates each one to that many bytes.

    Args:
      input_bytes: a string tensor.
      out_type: half, float, double, int32, uint16, uint8, int16, int8, int64 or bfloat16;
        also complex64, complex128 and bool without `fixed_length`.
      little_endian: whether the bytes are little-endian.
      fixed_length: optional byte length to pad or truncate each string to (a multiple of
        the size of out_type).
      name: unused.

    Returns:
      A tensor of `out_type`.
    """
    x = _string_tensor(input_bytes)
    attrs = {"out_type": dtypes.as_dtype(out_type), "little_endian": bool(little_endian)}
    if fixed_length is not None:
        length = fixed_length if isinstance(fixed_length, Tensor) or getattr(fixed_length, "_is_symbolic_tensor", False) \
            else Tensor(np.asarray(int(fixed_length), np.int32), _I32)
        return _checked_bind("DecodePaddedRaw", [x, length], attrs)
    return _checked_bind("DecodeRaw", [x], attrs)


# ================================================================ DecodeCSV
_CSV_TYPES = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64, dtypes.string)
_QUOTED = re.compile(rb'"((?:[^"]|"")*+)"', re.S)
_WS = rb"[ \t\n\v\f\r]*"
_INT_RE = re.compile(_WS + rb"[+-]?[0-9]+" + _WS)
_FLOAT_RE = re.compile(_WS + rb"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf(?:inity)?|nan"
                       rb"|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?)" + _WS, re.I)
_INT_RANGE = {dtypes.int32: (-(2 ** 31), 2 ** 31 - 1), dtypes.int64: (-(2 ** 63), 2 ** 63 - 1)}


def _csv_fields_slow(rec: bytes, delim: bytes, use_quote: bool, select) -> list:
    """TF's CSV field scanner (RFC 4180 quoting), for records with quotes or line breaks."""
    d = delim[0]
    n = len(rec)
    fields, pos, parsed, chosen = [], 0, 0, 0
    while pos < n:
        c = rec[pos]
        if c == 10 or c == 13:  # line breaks between fields are skipped
            pos += 1
            continue
        include = select is None or select[chosen] == parsed
        if use_quote and c == 34:
            m = _QUOTED.match(rec, pos)
            if m is None:
                raise ValueError("Quoted field has to end with quote followed by delim or end")
            end = m.end()
            if end < n and rec[end] != d:
                raise ValueError("Quote inside a string has to be escaped by another quote")
            field = m.group(1).replace(b'""', b'"') if include else None
            pos = end + 1
        else:
            j = rec.find(delim, pos)
            j = n if j < 0 else j
            field = rec[pos:j]
            if (use_quote and b'"' in field) or b"\n" in field or b"\r" in field:
                raise ValueError("Unquoted fields cannot have quotes/CRLFs inside")
            pos = j + 1
        parsed += 1
        if include:
            fields.append(field)
            chosen += 1
            if select is not None and chosen == len(select):
                return fields
    if n and rec[-1] == d and (select is None or select[chosen] == parsed):
        fields.append(b"")
    return fields


def _csv_record(i: int, rec: bytes, delim: bytes, use_quote: bool, select, ncols: int) -> list:
    """The fields of one record (TF's scanner when it holds quotes or line breaks)."""
    if (use_quote and b'"' in rec) or b"\n" in rec or b"\r" in rec:
        try:
            fields = _csv_fields_slow(rec, delim, use_quote, select)
        except ValueError as e:
            raise _invalid(str(e), "DecodeCSV") from None
    else:
        fields = rec.split(delim) if rec else []
        if select is not None:
            fields = [fields[c] for c in select if c < len(fields)]
    if len(fields) != ncols:
        raise _invalid("Expect %d fields but have %d in record %d" % (ncols, len(fields), i), "DecodeCSV")
    return fields


def _csv_columns(records: list, delim: bytes, use_quote: bool, select, ncols: int) -> list:
    """The fields of all records, column by column (tuples)."""
    if not records:
        return [()] * ncols
    joined = b"\x00".join(records)
    plain = not ((use_quote and b'"' in joined) or b"\n" in joined or b"\r" in joined or records.count(b""))
    if plain:  # no quoting anywhere: one C-level split per record
        rows = list(map(methodcaller("split", delim), records))
        width = set(map(len, rows))
        need = ncols if select is None else select[-1] + 1
        if len(width) == 1 and (width.pop() == ncols if select is None else min(map(len, rows)) >= need):
            columns = list(zip(*rows))
            return columns if select is None else [columns[c] for c in select]
    rows = [_csv_record(i, rec, delim, use_quote, select, ncols) for i, rec in enumerate(records)]
    return list(zip(*rows))


def _first_bad(col, ok) -> int:
    return next(i for i, v in enumerate(col) if not ok(v))


def _csv_column(col: tuple, j: int, dtype, default: np.ndarray, na: bytes) -> np.ndarray:
    n = len(col)
    n_missing = col.count(b"") + (col.count(na) if na else 0)
    missing = [i for i, v in enumerate(col) if v == b"" or v == na] if n_missing else []
    if missing and default.size == 0:
        raise _invalid("Field %d is required but missing in record %d!" % (j, missing[0]), "DecodeCSV")
    if dtype is _STR:
        out = np.empty(n, object)
        out[:] = col
        if missing:
            out[missing] = default.reshape(())[()]
        return out
    if missing:
        col = list(col)
        for i in missing:
            col[i] = b"0"
    is_int = dtype in _INT_RANGE
    one = (_INT_RE if is_int else _FLOAT_RE).fullmatch
    joined = b"\x00".join(col)
    try:
        if b"_" in joined:  # Python's int() and float() accept digit separators; TF does not
            raise ValueError
        if is_int:
            values = list(map(int, col))
        elif b"x" in joined or b"X" in joined:
            values = [float.fromhex(v.decode()) if (b"x" in v or b"X" in v) else float(v) for v in col]
        else:
            values = list(map(float, col))
    except ValueError:
        i = _first_bad(col, one)
        raise _invalid("Field %d in record %d is not a valid %s: %s" % (j, i, _tf_name(dtype), _text(col[i])),
                       "DecodeCSV") from None
    if is_int:
        lo, hi = _INT_RANGE[dtype]
        if values and (min(values) < lo or max(values) > hi):
            i = _first_bad(values, lambda v: lo <= v <= hi)
            raise _invalid("Field %d in record %d is not a valid %s: %s" % (j, i, _tf_name(dtype), _text(col[i])),
                           "DecodeCSV")
    out = np.array(values, dtype.as_numpy_dtype)
    if missing:
        out[missing] = default.reshape(())
    return out


def _decode_csv_kernel(xp, records, *record_defaults, OUT_TYPE, field_delim, use_quote_delim, na_value, select_cols):
    records = _strs(records)
    record_defaults = [_arr(d) for d in record_defaults]
    for j, d in enumerate(record_defaults):
        if d.size > 1:
            raise _invalid("There should only be 1 default per field but field %d has %d" % (j, d.size), "DecodeCSV")
    delim = field_delim.encode("utf-8")
    select = list(select_cols) if select_cols else None
    columns = _csv_columns(records.reshape(-1).tolist(), delim, use_quote_delim, select, len(OUT_TYPE))
    na = na_value.encode("utf-8")
    return tuple(_csv_column(col, j, dtype, default, na).reshape(records.shape)
                 for j, (col, dtype, default) in enumerate(zip(columns, OUT_TYPE, record_defaults)))


def _decode_csv_infer(specs, attrs):
    api, op = "tf.io.decode_csv", "DecodeCSV"
    _check_string_input(api, op, specs[0], 0, "records")
    types = attrs["OUT_TYPE"]
    if not types:
        raise _invalid("%s: Length for attr 'OUT_TYPE' of 0 must be at least minimum 1" % api, op)
    _check_types(api, op, "OUT_TYPE", types, _CSV_TYPES)
    if len(attrs["field_delim"].encode("utf-8")) != 1:
        raise _invalid("%s: field_delim should be only 1 char" % api, op)
    for j, (spec, dtype) in enumerate(zip(specs[1:], types)):
        if spec.dtype is not dtype:
            raise _invalid("%s: record_defaults[%d] has dtype %s but OUT_TYPE[%d] is %s"
                           % (api, j, spec.dtype.name, j, dtype.name), op)
        d = sh.dims(spec)
        if d is not None and len(d) > 1:
            raise _invalid("%s: Each record default should be at most rank 1" % api, op)
    return [(sh.dims(specs[0]), t) for t in types]


def _csv_samples():
    recs = _str_array(b'1,2.5,"a,""b",4', b" 7 ,,x,", b'-3,1e3,"",0x10')
    defaults = [np.zeros(0, np.int32), np.array([9.0], np.float32), np.array([b"z"], object), np.array([5.0])]
    attrs = {"OUT_TYPE": (dtypes.int32, dtypes.float32, dtypes.string, dtypes.float64), "field_delim": ",",
             "use_quote_delim": True, "na_value": "", "select_cols": ()}
    sel = {"OUT_TYPE": (dtypes.int64, dtypes.string), "field_delim": ";", "use_quote_delim": False, "na_value": "NA",
           "select_cols": (0, 2)}
    return [([recs] + defaults, attrs),
            ([_str_array(b"1;x;NA", b"NA;y;z"), np.array([0], np.int64), np.array([b"d"], object)], sel)]


register("DecodeCSV", kernel=_decode_csv_kernel, infer=_decode_csv_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.decode_csv", num_outputs=-1, args=("records",), samples=_csv_samples)


def decode_csv(records, record_defaults, field_delim: str = ",", use_quote_delim: bool = True, na_value: str = "",
               select_cols=None, name=None) -> list:
    """Converts CSV records to tensors, one per column (tf.io.decode_csv).

    RFC 4180 quoting: a field in double quotes may hold the delimiter, line breaks and `""`
    (an escaped quote). Int and float fields may have leading and trailing spaces; an empty
    field (or one equal to `na_value`) takes its column's default.

    Args:
      records: a string tensor; each string is one record.
      record_defaults: one tensor per column (float32, float64, int32, int64 or string):
        a one-element default value, or an empty tensor if the column is required.
      field_delim: the one-character field delimiter.
      use_quote_delim: if False, double quotes are ordinary characters.
      na_value: an additional string that marks a missing value.
      select_cols: optional sorted list of the column indices to parse and return.
      name: unused.

    Returns:
      A list of tensors of the defaults' dtypes, each of the shape of `records`.

    Raises:
      ValueError: if `select_cols` is not strictly increasing, negative, or does not match
        `record_defaults` in length.
      InvalidArgumentError: for a malformed record or a field that does not parse.
    """
    if select_cols is not None and any(select_cols[i] >= select_cols[i + 1] for i in range(len(select_cols) - 1)):
        raise ValueError("select_cols is not strictly increasing.")
    if select_cols is not None and select_cols[0] < 0:
        raise ValueError("select_cols contains negative values.")
    if select_cols is not None and len(select_cols) != len(record_defaults):
        raise ValueError("Length of select_cols and record_defaults do not match.")
    x = _string_tensor(records)
    defaults = [_record_default(d) for d in record_defaults]
    attrs = {"OUT_TYPE": tuple(d.dtype for d in defaults), "field_delim": field_delim,
             "use_quote_delim": bool(use_quote_delim), "na_value": na_value,
             "select_cols": tuple(int(c) for c in select_cols) if select_cols is not None else ()}
    return list(_checked_bind("DecodeCSV", [x] + defaults, attrs))


def _record_default(d):
    """A record default as a tensor; [t] of a tensor t keeps t's dtype, as in TF."""
    if isinstance(d, Tensor) or getattr(d, "_is_symbolic_tensor", False):
        return d
    if isinstance(d, (list, tuple)):
        kinds = {x.dtype for x in d if isinstance(x, Tensor) or getattr(x, "_is_symbolic_tensor", False)}
        if len(kinds) == 1 and len(d) == 1:
            from ..ops import array_ops
            return array_ops.reshape(d[0], [1])
        if kinds:
            return _t([np.asarray(x._value) if isinstance(x, Tensor) else x for x in d], kinds.pop())
        if all(isinstance(x, (str, bytes)) for x in d):
            return _string_tensor(list(d))
    return _t(d)


# ================================================================ DecodeCompressed
_ZLIB_ERROR = re.compile(r"Error (-?\d+) while \w+ data: (.*)")


def _inflate(data: bytes, wbits: int) -> bytes:
    out = []
    while True:
        d = zlib.decompressobj(wbits)
        try:
            out.append(d.decompress(data))
            out.append(d.flush())
        except zlib.error as e:
            m = _ZLIB_ERROR.match(str(e))
            code, what = (m.group(1), m.group(2)) if m else ("-3", str(e))
            raise DataLossError(None, None, "inflate() failed with error %s: %s [Op:DecodeCompressed]"
                                % (code, what)) from None
        data = d.unused_data
        # GZIP streams may hold several members; anything else after the end is ignored.
        if wbits != 31 or not d.eof or data[:2] != b"\x1f\x8b":
            return b"".join(out)


def _decode_compressed_kernel(xp, x, compression_type):
    x = _strs(x)
    if compression_type in ("", "NONE"):
        return x
    if compression_type == "ZSTD":
        raise UnimplementedError(None, None, "ZSTD decompression is not available in tensorforge "
                                 "[Op:DecodeCompressed]")
    wbits = 15 if compression_type == "ZLIB" else 31
    out = np.empty(x.shape, object)
    out.reshape(-1)[:] = [_inflate(s, wbits) for s in x.reshape(-1).tolist()]
    return out


def _decode_compressed_infer(specs, attrs):
    api, op = "tf.io.decode_compressed", "DecodeCompressed"
    _check_string_input(api, op, specs[0], 0, "bytes")
    if attrs["compression_type"] not in ("", "NONE", "ZLIB", "GZIP", "ZSTD"):
        raise _invalid("Only ZLIB, ZSTD, GZIP or NONE are supported compressions", op)
    return [(sh.dims(specs[0]), _STR)]


register("DecodeCompressed", kernel=_decode_compressed_kernel, infer=_decode_compressed_infer,
         grad=NON_DIFFERENTIABLE, api="tf.io.decode_compressed", args=("bytes",),
         samples=lambda: [([_str_array(zlib.compress(b"hello"), zlib.compress(b""))], {"compression_type": "ZLIB"}),
                          ([np.array(_gzip(b"abc") + _gzip(b"def"), object)], {"compression_type": "GZIP"}),
                          ([_str_array(b"raw")], {"compression_type": ""})])


def _gzip(data: bytes) -> bytes:
    import gzip
    return gzip.compress(data, mtime=0)


def decode_compressed(bytes, compression_type: str = "", name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """Decompresses each string of a tensor (tf.io.decode_compressed).

    Args:
      bytes: a string tensor of compressed data.
      compression_type: "" (or "NONE": no compression), "ZLIB" or "GZIP".
      name: unused.

    Returns:
      A string tensor of the shape of `bytes`.

    Raises:
      DataLossError: if a string does not decompress.
    """
    return _checked_bind("DecodeCompressed", [_string_tensor(bytes)], {"compression_type": compression_type})


# ================================================================ DecodeBase64 / EncodeBase64 (web-safe alphabet)
_B64_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _b64_decode_one(s: bytes) -> bytes:
    n = len(s)
    if n and n % 4 == 0:  # up to two '=' pad the last quantum
        s = s[:-2] if s.endswith(b"==") else (s[:-1] if s.endswith(b"=") else s)
        n = len(s)
    head = n - n % 4
    if not _B64_CHARS.issuperset(s[:head]):
        raise _invalid("Invalid character found in base64.", "DecodeBase64")
    if n % 4 == 1:
        raise _invalid("Base64 string length cannot be 1 modulo 4.", "DecodeBase64")
    if not _B64_CHARS.issuperset(s[head:]):
        raise _invalid("Invalid character found in base64.", "DecodeBase64")
    return base64.urlsafe_b64decode(s + b"=" * (-n % 4))


def _b64_map(fn, x):
    x = _strs(x)
    out = np.empty(x.shape, object)
    out.reshape(-1)[:] = [fn(s) for s in x.reshape(-1).tolist()]
    return out


def _string_map_infer(api, op):
    def infer(specs, attrs):
        _check_string_input(api, op, specs[0], 0, "input")
        return [(sh.dims(specs[0]), _STR)]
    return infer


def _b64_encode_kernel(xp, x, pad=False):
    if pad:
        return _b64_map(base64.urlsafe_b64encode, x)
    return _b64_map(lambda s: base64.urlsafe_b64encode(s).rstrip(b"="), x)


register("DecodeBase64", kernel=lambda xp, x: _b64_map(_b64_decode_one, x),
         infer=_string_map_infer("tf.io.decode_base64", "DecodeBase64"), grad=NON_DIFFERENTIABLE,
         api="tf.io.decode_base64", args=("input",),
         samples=lambda: [([_str_array(b"aGVsbG8_Pg", b"__4=", b"")], {})])
register("EncodeBase64", kernel=_b64_encode_kernel, infer=_string_map_infer("tf.io.encode_base64", "EncodeBase64"),
         grad=NON_DIFFERENTIABLE, api="tf.io.encode_base64", args=("input",),
         samples=lambda: [([_str_array(b"hello?>", b"\xff\xfe")], {"pad": False}),
                          ([np.array(b"ab", object)], {"pad": True})])


def decode_base64(input, name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """Decodes web-safe base64 strings ('-' and '_' for '+' and '/'; padding optional) (tf.io.decode_base64)."""
    return _checked_bind("DecodeBase64", [_string_tensor(input)], {})


def encode_base64(input, pad: bool = False, name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """Encodes strings as web-safe base64, with '=' padding only if `pad` (tf.io.encode_base64)."""
    return _checked_bind("EncodeBase64", [_string_tensor(input)], {"pad": bool(pad)})


# ================================================================ DecodeJSONExample
def _json_example(s: bytes) -> bytes:
    from google.protobuf import json_format
    try:
        return json_format.Parse(s.decode("utf-8"), example_pb2.Example()).SerializeToString()
    except (json_format.ParseError, UnicodeDecodeError) as e:
        raise _invalid("Error while parsing JSON: %s" % e, "DecodeJSONExample") from None


register("DecodeJSONExample", kernel=lambda xp, x: _b64_map(_json_example, x),
         infer=_string_map_infer("tf.io.decode_json_example", "DecodeJSONExample"), grad=NON_DIFFERENTIABLE,
         api="tf.io.decode_json_example", args=("json_examples",),
         samples=lambda: [([_str_array(b'{"features": {"feature": {"x": {"floatList": {"value": [1.5]}}}}}')], {})])


def decode_json_example(json_examples, name=None) -> Tensor:
    """Converts tf.train.Example protos in JSON (proto3 JSON mapping) to their binary form
    (tf.io.decode_json_example)."""
    return _checked_bind("DecodeJSONExample", [_string_tensor(json_examples)], {})
