"""tf.TensorArraySpec, tf.NoneTensorSpec and tf.IndexedSlicesSpec, and the nested-spec helpers
(compatibility, most specific common supertype) that tf.OptionalSpec and tf.data.IteratorSpec use.

TF derives `is_compatible_with` and `most_specific_common_supertype` of these specs from their
serialization, field by field: shapes must be compatible (their common supertype keeps the
dimensions both agree on), dtypes and flags must be equal.
"""
from __future__ import annotations

from typing import Sequence

from .._api import tf_export
from ..framework import dtypes, nest
from ..framework.tensor import TensorSpec, TypeSpec
from ..framework.tensor_shape import TensorShape, as_shape


def _shape_text(shape: TensorShape) -> str:
    return "TensorShape(%s)" % (shape.as_list() if shape.rank is not None else None)


def _dtype_text(dtype) -> str:
    return "None" if dtype is None else "tf.%s" % dtype.name


def _common_shape(shapes: Sequence[TensorShape]):
    """The most specific shape every shape in `shapes` fits, or None when their ranks differ."""
    out = shapes[0]
    for s in shapes[1:]:
        if out.rank is not None and s.rank is not None and out.rank != s.rank:
            return None
        out = out.most_specific_compatible_shape(s)
    return out


# ---------------------------------------------------------------- nested specs
def specs_compatible(a, b) -> bool:
    """Whether two (nested) element specs are compatible leaf by leaf."""
    try:
        nest.assert_same_structure(a, b)
    except (ValueError, TypeError):
        return False
    for x, y in zip(nest.flatten(a), nest.flatten(b)):
        if isinstance(x, TensorSpec) and isinstance(y, TensorSpec):
            if not x.is_compatible_with(y):
                return False
        elif isinstance(x, TypeSpec):
            if type(x) is not type(y) or not x.is_compatible_with(y):
                return False
        elif x != y:
            return False
    return True


def specs_supertype(a, b):
    """The most specific (nested) spec both `a` and `b` fit, or None when there is none."""
    try:
        nest.assert_same_structure(a, b)
    except (ValueError, TypeError):
        return None
    leaves = []
    for x, y in zip(nest.flatten(a), nest.flatten(b)):
        if isinstance(x, TensorSpec) and isinstance(y, TensorSpec):
            if x.dtype != y.dtype:
                return None
            shape = _common_shape([x.shape, y.shape])
            if shape is None:
                return None
            leaves.append(TensorSpec(shape, x.dtype))
        elif type(x) is type(y) and hasattr(x, "most_specific_common_supertype"):
            s = x.most_specific_common_supertype([y])
            if s is None:
                return None
            leaves.append(s)
        elif type(x) is type(y) and isinstance(x, TypeSpec):
            try:
                leaves.append(x.most_specific_compatible_type(y))
            except (ValueError, TypeError):
                return None
        elif x == y:
            leaves.append(x)
        else:
            return None
    return nest.pack_sequence_as(a, leaves)


class _NestedSpecMixin:
    """Spec classes whose one field is a nested element spec (OptionalSpec, IteratorSpec)."""

    __slots__ = ()

    def is_compatible_with(self, spec_or_value) -> bool:
        other = spec_or_value if isinstance(spec_or_value, TypeSpec) else self._spec_of_value(spec_or_value)
        return type(other) is type(self) and specs_compatible(self._element_spec, other._element_spec)

    def _spec_of_value(self, value):
        try:
            return type(self).from_value(value)
        except (AttributeError, TypeError):
            return None

    def is_subtype_of(self, other) -> bool:
        if type(other) is not type(self):
            return False
        sup = specs_supertype(self._element_spec, other._element_spec)
        return sup is not None and sup == other._element_spec

    def most_specific_common_supertype(self, others):
        """The most specific spec of this type that `self` and every spec in `others` fit, else None."""
        element = self._element_spec
        for o in others:
            if type(o) is not type(self):
                return None
            element = specs_supertype(element, o._element_spec)
            if element is None:
                return None
        return type(self)(element)

    def most_specific_compatible_type(self, other):
        out = self.most_specific_common_supertype([other])
        if out is None:
            raise ValueError("No TypeSpec is compatible with both %r and %r" % (self, other))
        return out

    def __eq__(self, other):
        return type(other) is type(self) and nest.flatten(self._element_spec) == nest.flatten(other._element_spec) \
            and _same_structure(self._element_spec, other._element_spec)

    def __hash__(self):
        return hash((type(self).__name__, len(nest.flatten(self._element_spec))))

    def __repr__(self):
        return "%s(%r,)" % (type(self).__name__, self._element_spec)


def _same_structure(a, b) -> bool:
    try:
        nest.assert_same_structure(a, b)
        return True
    except (ValueError, TypeError):
        return False


# ---------------------------------------------------------------- TensorArraySpec
@tf_export("TensorArraySpec")
class TensorArraySpec(TypeSpec):
    """Type specification for a `tf.TensorArray`.

    >>> tf.TensorArraySpec([2], tf.float32)
    TensorArraySpec(TensorShape([2]), tf.float32, False, True)

    Args:
      element_shape: The shape of each element in the `TensorArray`.
      dtype: Data type of the `TensorArray`.
      dynamic_size: Whether the `TensorArray` can grow past its initial size.
      infer_shape: Whether shape inference is enabled.
    """

    __slots__ = ("_element_shape", "_dtype", "_dynamic_size", "_infer_shape")

    def __init__(self, element_shape=None, dtype=dtypes.float32, dynamic_size=False, infer_shape=True):
        self._element_shape = as_shape(element_shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._dynamic_size = dynamic_size
        self._infer_shape = infer_shape

    @property
    def value_type(self):
        from ..graph.control_flow import TensorArray
        return TensorArray

    @classmethod
    def from_value(cls, value) -> "TensorArraySpec":
        if type(value).__name__ != "TensorArray":
            raise ValueError("Expected value to be a TensorArray, but saw: %s" % type(value).__name__)
        return cls(value.element_shape, value.dtype, value.dynamic_size, value._infer_shape)

    def is_compatible_with(self, other) -> bool:
        if not isinstance(other, TypeSpec):
            if type(other).__name__ != "TensorArray":
                return False
            other = TensorArraySpec.from_value(other)
        return (isinstance(other, TensorArraySpec) and self._dtype == other._dtype
                and self._element_shape.is_compatible_with(other._element_shape)
                and self._dynamic_size == other._dynamic_size)

    def is_subtype_of(self, other) -> bool:
        return isinstance(other, TensorArraySpec) and self._dtype == other._dtype and \
            self._dynamic_size == other._dynamic_size

    def most_specific_common_supertype(self, others):
        """The most specific TensorArraySpec `self` and all `others` fit, or None when there is none."""
        if not all(isinstance(o, TensorArraySpec) for o in others):
            return None
        shape = _common_shape([self._element_shape] + [o._element_shape for o in others])
        if shape is None or any(o._dtype != self._dtype or o._dynamic_size != self._dynamic_size for o in others):
            return None
        infer = self._infer_shape and all(o._infer_shape for o in others)
        return TensorArraySpec(shape, self._dtype, self._dynamic_size, infer)

    def most_specific_compatible_type(self, other) -> "TensorArraySpec":
        out = self.most_specific_common_supertype([other]) if self.is_compatible_with(other) else None
        if out is None:
            raise ValueError("No TypeSpec is compatible with both %r and %r" % (self, other))
        return out

    def __eq__(self, other):
        return isinstance(other, TensorArraySpec) and (
            self._element_shape, self._dtype, self._dynamic_size, self._infer_shape) == (
            other._element_shape, other._dtype, other._dynamic_size, other._infer_shape)

    def __hash__(self):
        return hash(("TensorArraySpec", self._dtype, self._dynamic_size, self._infer_shape))

    def __repr__(self):
        return "TensorArraySpec(%s, %s, %r, %r)" % (_shape_text(self._element_shape), _dtype_text(self._dtype),
                                                    self._dynamic_size, self._infer_shape)


# ---------------------------------------------------------------- NoneTensorSpec
@tf_export("NoneTensorSpec")
class NoneTensorSpec(TypeSpec):
    """The type of `None` where TF expects a value (an absent optional output, say).

    >>> tf.NoneTensorSpec()
    NoneTensorSpec()
    """

    __slots__ = ()

    @property
    def value_type(self):
        return type(None)

    @classmethod
    def from_value(cls, value) -> "NoneTensorSpec":
        if value is not None:
            raise ValueError("NoneTensorSpec.from_value: expected None, got %r" % (value,))
        return cls()

    def is_compatible_with(self, spec_or_value) -> bool:
        return spec_or_value is None or isinstance(spec_or_value, NoneTensorSpec)

    def is_subtype_of(self, other) -> bool:
        return isinstance(other, NoneTensorSpec)

    def most_specific_common_supertype(self, others):
        return self if all(isinstance(o, NoneTensorSpec) for o in others) else None

    def most_specific_compatible_type(self, other) -> "NoneTensorSpec":
        if not isinstance(other, NoneTensorSpec):
            raise ValueError("No TypeSpec is compatible with both %r and %r" % (self, other))
        return self

    def _component_specs(self) -> list:
        return []

    def _to_components(self, value) -> tuple:
        return ()

    def _from_components(self, components):
        return None

    def __eq__(self, other):
        return isinstance(other, NoneTensorSpec)

    def __hash__(self):
        return hash("NoneTensorSpec")

    def __repr__(self):
        return "NoneTensorSpec()"


# ---------------------------------------------------------------- IndexedSlicesSpec
@tf_export("IndexedSlicesSpec")
class IndexedSlicesSpec(TypeSpec):
    """Type specification for a `tf.IndexedSlices`.

    >>> tf.IndexedSlicesSpec([None, 3], tf.float32)
    IndexedSlicesSpec(TensorShape([None, 3]), tf.float32, tf.int64, None, TensorShape([None]))

    Args:
      shape: The dense shape of the `IndexedSlices`, or `None` to allow any dense shape.
      dtype: `tf.DType` of values in the `IndexedSlices`.
      indices_dtype: `tf.DType` of the `indices` (tf.int32 or tf.int64).
      dense_shape_dtype: `tf.DType` of the `dense_shape` (tf.int32, tf.int64), or `None` when the
        `IndexedSlices` has no `dense_shape` tensor.
      indices_shape: The shape of the `indices` component (how many slices there are).
    """

    __slots__ = ("_shape", "_values_dtype", "_indices_dtype", "_dense_shape_dtype", "_indices_shape")

    def __init__(self, shape=None, dtype=dtypes.float32, indices_dtype=dtypes.int64, dense_shape_dtype=None,
                 indices_shape=None):
        self._shape = as_shape(shape)
        self._values_dtype = dtypes.as_dtype(dtype)
        self._indices_dtype = dtypes.as_dtype(indices_dtype)
        self._dense_shape_dtype = None if dense_shape_dtype is None else dtypes.as_dtype(dense_shape_dtype)
        indices_shape = as_shape(indices_shape)
        if indices_shape.rank is None:
            indices_shape = TensorShape([None])
        elif indices_shape.rank != 1:
            raise ValueError("Shape %s must have rank 1" % (indices_shape,))
        self._indices_shape = indices_shape

    @property
    def value_type(self):
        from ..framework.indexed_slices import IndexedSlices
        return IndexedSlices

    @classmethod
    def from_value(cls, value) -> "IndexedSlicesSpec":
        ds = value.dense_shape
        ds_dtype = None if ds is None else ds.dtype
        shape = value.shape
        if ds is None and value.values.shape.rank is not None:
            shape = TensorShape([None]).concatenate(value.values.shape[1:])
        return cls(shape, value.dtype, value.indices.dtype, ds_dtype, value.indices.shape)

    def _fields(self) -> tuple:
        return (self._shape, self._values_dtype, self._indices_dtype, self._dense_shape_dtype, self._indices_shape)

    def is_compatible_with(self, spec_or_value) -> bool:
        other = spec_or_value
        if not isinstance(other, TypeSpec):
            if type(other).__name__ != "IndexedSlices":
                return False
            other = IndexedSlicesSpec.from_value(other)
        if not isinstance(other, IndexedSlicesSpec):
            return False
        for a, b in zip(self._fields(), other._fields()):
            if isinstance(a, TensorShape):
                if not a.is_compatible_with(b):
                    return False
            elif a != b:
                return False
        return True

    def is_subtype_of(self, other) -> bool:
        sup = self.most_specific_common_supertype([other])
        return sup is not None and sup == other

    def most_specific_common_supertype(self, others):
        """The most specific IndexedSlicesSpec `self` and all `others` fit, or None when there is none."""
        if not all(isinstance(o, IndexedSlicesSpec) for o in others):
            return None
        fields = []
        for i, a in enumerate(self._fields()):
            values = [a] + [o._fields()[i] for o in others]
            if isinstance(a, TensorShape):
                common = _common_shape(values)
                if common is None:
                    return None
                fields.append(common)
            elif any(v != a for v in values):
                return None
            else:
                fields.append(a)
        return IndexedSlicesSpec(*fields)

    def most_specific_compatible_type(self, other) -> "IndexedSlicesSpec":
        out = self.most_specific_common_supertype([other]) if self.is_compatible_with(other) else None
        if out is None:
            raise ValueError("No TypeSpec is compatible with both %r and %r" % (self, other))
        return out

    def _component_specs(self) -> list:
        values_shape = self._indices_shape.concatenate(self._shape[1:]) if self._shape.rank is not None else None
        specs = [TensorSpec(values_shape, self._values_dtype), TensorSpec(self._indices_shape, self._indices_dtype)]
        if self._dense_shape_dtype is not None:
            specs.append(TensorSpec([self._shape.rank], self._dense_shape_dtype))
        return specs

    def __eq__(self, other):
        return isinstance(other, IndexedSlicesSpec) and self._fields() == other._fields()

    def __hash__(self):
        return hash(("IndexedSlicesSpec", self._values_dtype, self._indices_dtype, self._dense_shape_dtype))

    def __repr__(self):
        return "IndexedSlicesSpec(%s, %s, %s, %s, %s)" % (
            _shape_text(self._shape), _dtype_text(self._values_dtype), _dtype_text(self._indices_dtype),
            _dtype_text(self._dense_shape_dtype), _shape_text(self._indices_shape))
