"""tf.io feature configurations (FixedLenFeature, VarLenFeature, SparseFeature, RaggedFeature,
FixedLenSequenceFeature) and their translation into the parse ops' attrs."""

import collections

import numpy as np

from ..framework import dtypes
from ..framework.tensor import Tensor
from ..framework.tensor_shape import as_shape
from .parsing_records import _F32, _I64, _SPLIT_TYPES, _STR, _string_tensor, _t

__all__ = ["FixedLenFeature", "FixedLenSequenceFeature", "RaggedFeature", "SparseFeature", "VarLenFeature"]


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


