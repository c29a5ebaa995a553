"""tf.SparseTensorSpec and tf.RaggedTensorSpec: the types of composite tensors.

A composite value is a few component tensors: a SparseTensor is (indices, values, dense_shape);
a RaggedTensor is (flat_values, *nested_row_splits), outermost splits first. A spec says what
those components look like, so that a traced function (a tf.data map function, say) can take
placeholders for them and rebuild the composite inside the graph, and a pipeline can move the
components as arrays.

A RaggedTensorSpec with ragged_rank 0 describes a plain tensor whose leading dimensions may
vary from value to value (the slices of a RaggedTensor: `from_tensor_slices(rt)`), as in TF.
"""
from __future__ import annotations

from typing import Sequence

from .._api import tf_export
from ..framework import dtypes
from ..framework.tensor import Tensor, TensorSpec, TypeSpec
from ..framework.tensor_shape import TensorShape


def _shape_text(shape: TensorShape) -> str:
    return "TensorShape(%s)" % (shape.as_list() if shape.rank is not None else None)


@tf_export("SparseTensorSpec")
class SparseTensorSpec(TypeSpec):
    """The type of a `tf.SparseTensor`: its dense shape (possibly partly unknown) and dtype.

    >>> tf.SparseTensorSpec([None, 4], tf.float32)
    SparseTensorSpec(TensorShape([None, 4]), tf.float32)
    """

    __slots__ = ("_shape", "_dtype")

    def __init__(self, shape=None, dtype=dtypes.float32):
        self._shape = TensorShape(shape)
        self._dtype = dtypes.as_dtype(dtype)

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)

    @property
    def value_type(self):
        from .sparse_ops import SparseTensor
        return SparseTensor

    @classmethod
    def from_value(cls, value) -> "SparseTensorSpec":
        return cls(value.shape, value.dtype)

    def is_compatible_with(self, other) -> bool:
        if not isinstance(other, SparseTensorSpec):
            if type(other).__name__ != "SparseTensor":
                return False
            other = SparseTensorSpec.from_value(other)
        return self._dtype == other._dtype and self._shape.is_compatible_with(other._shape)

    def most_specific_compatible_type(self, other) -> "SparseTensorSpec":
        if not isinstance(other, SparseTensorSpec) or other._dtype != self._dtype:
            raise ValueError("No TypeSpec is compatible with both %r and %r" % (self, other))
        return SparseTensorSpec(self._shape.most_specific_compatible_shape(other._shape), self._dtype)

    # -- components
    def _component_specs(self) -> list:
        rank = self._shape.rank
        return [TensorSpec([None, rank], dtypes.int64), TensorSpec([None], self._dtype),
                TensorSpec([rank], dtypes.int64)]

    def _to_components(self, value) -> tuple:
        return tuple(t._value if isinstance(t, Tensor) else t for t in value._to_components())

    def _from_components(self, components: Sequence):
        from .sparse_ops import SparseTensor
        st = SparseTensor(*components)
        if st.shape.is_compatible_with(self._shape):
            st._shape = st.shape.merge_with(self._shape)  # keep what the spec knows statically
        return st

    def _batch(self, batch_size) -> "SparseTensorSpec":
        return SparseTensorSpec(TensorShape([batch_size]).concatenate(self._shape), self._dtype)

    def _unbatch(self) -> "SparseTensorSpec":
        if self._shape.rank == 0:
            raise ValueError("Cannot unbatch a SparseTensor of rank 0.")
        return SparseTensorSpec(self._shape[1:] if self._shape.rank is not None else None, self._dtype)

    def __eq__(self, other):
        return isinstance(other, SparseTensorSpec) and (self._shape, self._dtype) == (other._shape, other._dtype)

    def __hash__(self):
        return hash(("SparseTensorSpec", self._dtype))

    def __repr__(self):
        return "SparseTensorSpec(%s, tf.%s)" % (_shape_text(self._shape), self._dtype.name)


@tf_export("RaggedTensorSpec")
class RaggedTensorSpec(TypeSpec):
    """The type of a `tf.RaggedTensor`: shape (None for ragged dimensions), dtype, ragged_rank and
    the dtype of its row partitions.

    >>> tf.RaggedTensorSpec([None, None], tf.int32)
    RaggedTensorSpec(TensorShape([None, None]), tf.int32, 1, tf.int64)

    Args:
      shape: the static shape; its rank must be known unless `ragged_rank` is given.
      dtype: the dtype of the values.
      ragged_rank: how many partitioned dimensions (default: rank - 1). 0 describes a dense tensor
        whose outer dimensions may vary between values.
      row_splits_dtype: tf.int64 (default) or tf.int32.
      flat_values_spec: optional TensorSpec of the flat values (its dtype must agree).
    """

    __slots__ = ("_shape", "_dtype", "_ragged_rank", "_row_splits_dtype", "_flat_values_spec")

    def __init__(self, shape=None, dtype=dtypes.float32, ragged_rank=None, row_splits_dtype=dtypes.int64,
                 flat_values_spec=None):
        self._shape = TensorShape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._row_splits_dtype = dtypes.as_dtype(row_splits_dtype)
        if self._row_splits_dtype not in (dtypes.int32, dtypes.int64):
            raise ValueError("row_splits_dtype must be tf.int32 or tf.int64, got %s" % self._row_splits_dtype.name)
        if flat_values_spec is not None and flat_values_spec.dtype != self._dtype:
            raise ValueError("dtype must be the same as flat_values_spec.dtype")
        self._flat_values_spec = flat_values_spec
        rank = self._shape.rank
        if ragged_rank is None:
            if rank is None:
                raise ValueError("Must specify ragged_rank or a shape with a known rank.")
            ragged_rank = rank - 1
        ragged_rank = int(ragged_rank)
        if ragged_rank < 0 or (rank is not None and ragged_rank >= max(rank, 1)):
            raise ValueError("ragged_rank must be non-negative and less than the rank (%s), got %d" % (rank, ragged_rank))
        self._ragged_rank = ragged_rank

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    ragged_rank = property(lambda self: self._ragged_rank)
    row_splits_dtype = property(lambda self: self._row_splits_dtype)
    flat_values_spec = property(lambda self: self._flat_values_spec)

    @property
    def value_type(self):
        if self._ragged_rank == 0:
            return Tensor
        from .ragged_ops import RaggedTensor
        return RaggedTensor

    @classmethod
    def from_value(cls, value) -> "RaggedTensorSpec":
        if type(value).__name__ == "RaggedTensor":
            return cls(value.shape, value.dtype, value.ragged_rank, value.row_splits.dtype)
        return cls(value.shape, value.dtype, 0)

    def is_compatible_with(self, other) -> bool:
        if not isinstance(other, RaggedTensorSpec):
            if type(other).__name__ != "RaggedTensor":
                return False
            other = RaggedTensorSpec.from_value(other)
        return (self._dtype == other._dtype and self._ragged_rank == other._ragged_rank
                and self._row_splits_dtype == other._row_splits_dtype and self._shape.is_compatible_with(other._shape))

    def most_specific_compatible_type(self, other) -> "RaggedTensorSpec":
        if not isinstance(other, RaggedTensorSpec) or (other._dtype, other._ragged_rank, other._row_splits_dtype) != (
                self._dtype, self._ragged_rank, self._row_splits_dtype):
            raise ValueError("No TypeSpec is compatible with both %r and %r" % (self, other))
        return RaggedTensorSpec(self._shape.most_specific_compatible_shape(other._shape), self._dtype,
                                self._ragged_rank, self._row_splits_dtype)

    # -- components
    def _component_specs(self) -> list:
        if self._ragged_rank == 0:
            return [TensorSpec(self._shape, self._dtype)]
        inner = self._shape[self._ragged_rank + 1:] if self._shape.rank is not None else None
        flat = TensorShape([None]).concatenate(inner) if inner is not None else TensorShape(None)
        return [TensorSpec(flat, self._dtype)] + [TensorSpec([None], self._row_splits_dtype)] * self._ragged_rank

    def _to_components(self, value) -> tuple:
        if self._ragged_rank == 0:
            return (value._value if isinstance(value, Tensor) else value,)
        parts = (value.flat_values,) + tuple(value.nested_row_splits)
        return tuple(t._value if isinstance(t, Tensor) else t for t in parts)

    def _from_components(self, components: Sequence):
        if self._ragged_rank == 0:
            return components[0]
        from .ragged_ops import RaggedTensor
        return RaggedTensor.from_nested_row_splits(components[0], list(components[1:]), validate=False)

    def _batch(self, batch_size) -> "RaggedTensorSpec":
        return RaggedTensorSpec(TensorShape([batch_size]).concatenate(self._shape), self._dtype,
                                self._ragged_rank + 1, self._row_splits_dtype)

    def _unbatch(self) -> "RaggedTensorSpec":
        if self._ragged_rank == 0:
            raise ValueError("Cannot unbatch a RaggedTensorSpec with ragged_rank 0 (a dense value).")
        return RaggedTensorSpec(self._shape[1:] if self._shape.rank is not None else None, self._dtype,
                                self._ragged_rank - 1, self._row_splits_dtype)

    def __eq__(self, other):
        return isinstance(other, RaggedTensorSpec) and (
            self._shape, self._dtype, self._ragged_rank, self._row_splits_dtype) == (
            other._shape, other._dtype, other._ragged_rank, other._row_splits_dtype)

    def __hash__(self):
        return hash(("RaggedTensorSpec", self._dtype, self._ragged_rank))

    def __repr__(self):
        return "RaggedTensorSpec(%s, tf.%s, %d, tf.%s)" % (_shape_text(self._shape), self._dtype.name,
                                                           self._ragged_rank, self._row_splits_dtype.name)


def spec_of(value):
    """The composite spec of a SparseTensor or RaggedTensor value, else None."""
    name = type(value).__name__
    if name == "SparseTensor":
        return SparseTensorSpec.from_value(value)
    if name == "RaggedTensor":
        return RaggedTensorSpec.from_value(value)
    return None


COMPOSITE_SPECS = (SparseTensorSpec, RaggedTensorSpec)
