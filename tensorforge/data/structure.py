"""Element structures of tf.data: specs of nested elements and their flat components.

Inside a pipeline an element travels as a flat tuple of *components*, one per leaf of the
dataset's `element_spec` (in tf.nest order): a NumPy array for a `tf.TensorSpec` leaf (or a
`tf.RaggedTensorSpec` of ragged_rank 0, a dense value of varying shape), and the value itself
for composite leaves (a `tf.SparseTensor`, `tf.RaggedTensor` or nested `tf.data.Dataset`). Only
the iterator a user holds wraps components as `tf.Tensor`s, so stages pass plain arrays between
them.
"""
from __future__ import annotations

import numpy as np

from ..framework import dtypes, nest
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor, TensorSpec, TypeSpec
from ..framework.tensor_shape import TensorShape
from ..ops import composite_specs
from ..ops.composite_specs import COMPOSITE_SPECS, RaggedTensorSpec


class DatasetSpec(TypeSpec):
    """The type of a dataset-valued element (e.g. the windows of `Dataset.window`)."""

    __slots__ = ("element_spec",)

    def __init__(self, element_spec):
        self.element_spec = element_spec

    @property
    def value_type(self):
        from .dataset import Dataset
        return Dataset

    def __eq__(self, other):
        return isinstance(other, DatasetSpec) and other.element_spec == self.element_spec

    def __hash__(self):
        return hash(("DatasetSpec", repr(self.element_spec)))

    def __repr__(self):
        return "DatasetSpec(%r, TensorShape([]))" % (self.element_spec,)


def _is_dataset(v) -> bool:
    from .dataset import Dataset
    return isinstance(v, Dataset)


def _composite_spec(v):
    """The spec of a composite leaf value, or None when `v` is not a composite."""
    if _is_dataset(v):
        return DatasetSpec(v.element_spec)
    return composite_specs.spec_of(v)


def is_array_leaf(spec) -> bool:
    """Whether elements of this leaf spec travel as one NumPy array (and reach users as a Tensor):
    a TensorSpec, or a RaggedTensorSpec of ragged_rank 0 (a dense value whose shape may vary)."""
    return isinstance(spec, TensorSpec) or (isinstance(spec, RaggedTensorSpec) and spec.ragged_rank == 0)


def normalize(value, convert=None):
    """`value` as a structure whose leaves are Tensors or composites (tf.data's element).

    As in TF, tuples, namedtuples and dicts are structure while a Python list is one value,
    converted to a tensor.
    """
    convert = convert or convert_to_tensor

    def walk(v):
        if isinstance(v, tuple):
            parts = [walk(x) for x in v]
            return type(v)(*parts) if hasattr(type(v), "_fields") else tuple(parts)
        if isinstance(v, dict):
            return type(v)((k, walk(x)) for k, x in v.items())
        if isinstance(v, Tensor) or getattr(v, "_is_symbolic_tensor", False) or _composite_spec(v) is not None:
            return v
        return convert(v)
    return walk(value)


def flatten_value(v) -> list:
    """The leaves of an element value, where (as in tf.data) lists are leaves, not structure."""
    if isinstance(v, tuple):
        return [x for p in v for x in flatten_value(p)]
    if isinstance(v, dict):
        return [x for k in sorted(v) for x in flatten_value(v[k])]
    return [v]


def same_structure(spec, v) -> bool:
    if isinstance(spec, tuple):
        return isinstance(v, tuple) and len(v) == len(spec) and all(same_structure(a, b) for a, b in zip(spec, v))
    if isinstance(spec, dict):
        return isinstance(v, dict) and sorted(v) == sorted(spec) and all(same_structure(spec[k], v[k]) for k in spec)
    return not isinstance(v, (tuple, dict))


def spec_of(value):
    """The element_spec of a normalized structure."""
    def leaf(v):
        c = _composite_spec(v)
        return c if c is not None else TensorSpec(v.shape, v.dtype)
    return nest.map_structure(leaf, value)


def to_components(value) -> tuple:
    """The flat components of a normalized structure."""
    return tuple(v._value if isinstance(v, Tensor) else v for v in nest.flatten(value))


def flat_specs(spec) -> list:
    return nest.flatten(spec)


def component_specs(flat_leaf_specs) -> list:
    """The specs of the tensors a graph takes for these leaves (a sparse/ragged leaf: several)."""
    return [c for s in flat_leaf_specs for c in (s._component_specs() if isinstance(s, COMPOSITE_SPECS) else [s])]


def leaves_from_components(flat_leaf_specs, components) -> list:
    """The leaf values of `component_specs(flat_leaf_specs)` tensors: sparse/ragged leaves rebuilt."""
    leaves, k = [], 0
    for s in flat_leaf_specs:
        if isinstance(s, COMPOSITE_SPECS):
            n = len(s._component_specs())
            leaves.append(s._from_components(components[k:k + n]))
            k += n
        else:
            leaves.append(components[k])
            k += 1
    return leaves


def all_dense(spec) -> bool:
    return all(isinstance(s, TensorSpec) for s in nest.flatten(spec))


def packer(spec):
    """A function turning a component tuple into the user-facing structure of Tensors."""
    flat = nest.flatten(spec)
    dense = [is_array_leaf(s) for s in flat]
    if not nest.is_nested(spec):
        if dense[0]:
            return lambda c: Tensor(c[0])
        return lambda c: c[0]
    if all(dense):
        if type(spec) is tuple and all(not nest.is_nested(s) for s in spec):
            return lambda c: tuple([Tensor(a) for a in c])
        return lambda c: nest.pack_sequence_as(spec, [Tensor(a) for a in c])
    return lambda c: nest.pack_sequence_as(spec, [Tensor(a) if d else a for a, d in zip(c, dense)])


def numpy_packer(spec):
    """Like `packer`, with NumPy values (as_numpy_iterator)."""
    flat = nest.flatten(spec)
    dense = [is_array_leaf(s) for s in flat]

    def conv(a, d):
        # TF's scalars come out as NumPy scalars (bytes for strings), other values as arrays.
        if d and isinstance(a, np.ndarray) and a.ndim == 0:
            return a.item() if a.dtype.kind in "SO" else a[()]
        return a
    return lambda c: nest.pack_sequence_as(spec, [conv(a, d) for a, d in zip(c, dense)])


def batched_spec(spec, batch_dim):
    """The spec of `spec` elements stacked along a new leading dimension of size `batch_dim`."""
    def leaf(s):
        if isinstance(s, TensorSpec):
            return TensorSpec(TensorShape([batch_dim]).concatenate(s.shape), s.dtype)
        if isinstance(s, COMPOSITE_SPECS):
            return s._batch(batch_dim)
        raise TypeError("Cannot batch elements of type %r." % (s,))
    return nest.map_structure(leaf, spec)


def unbatched_spec(spec):
    def leaf(s):
        if isinstance(s, COMPOSITE_SPECS):
            return s._unbatch()
        if not isinstance(s, TensorSpec):
            raise TypeError("Cannot unbatch elements of type %r." % (s,))
        if s.shape.rank == 0:
            raise ValueError("Cannot unbatch an input with scalar components.")
        return TensorSpec(s.shape[1:] if s.shape.rank is not None else None, s.dtype)
    return nest.map_structure(leaf, spec)


def most_specific(a, b):
    """The most specific spec both `a` and `b` elements fit (for concatenate / choose_from)."""
    nest.assert_same_structure(a, b)

    def leaf(x, y):
        if isinstance(x, TensorSpec) and isinstance(y, TensorSpec):
            if x.dtype != y.dtype:
                raise TypeError("Incompatible dataset elements: dtype %s vs %s." % (x.dtype.name, y.dtype.name))
            return TensorSpec(x.shape.most_specific_compatible_shape(y.shape), x.dtype)
        if isinstance(x, COMPOSITE_SPECS) and type(x) is type(y):
            try:
                return x.most_specific_compatible_type(y)
            except ValueError:
                raise TypeError("Incompatible dataset elements: %r vs %r." % (x, y)) from None
        if x != y:
            raise TypeError("Incompatible dataset elements: %r vs %r." % (x, y))
        return x
    return nest.map_structure(leaf, a, b)


def stack(rows: list, index: int, what: str = "batch"):
    """np.stack of one component's values, with TF's error when their shapes differ."""
    try:
        return np.stack(rows)
    except ValueError:
        first = np.shape(rows[0])
        for i, r in enumerate(rows):
            if np.shape(r) != first:
                raise InvalidArgumentError(
                    None, None, "Cannot %s tensors with different shapes in component %d. First element had shape "
                    "%s and element %d had shape %s." % (what, index, _fmt(first), i, _fmt(np.shape(r)))) from None
        raise


def _fmt(shape) -> str:
    return "[%s]" % ",".join(str(d) for d in shape)


def check_component(array, spec: TensorSpec, where: str):
    """`array` (anything array-like) as a NumPy array of spec's dtype, checked against its shape."""
    a = np.asarray(array, dtype=spec.dtype.as_numpy_dtype) if spec.dtype != dtypes.string else _as_bytes(array)
    if not spec.shape.is_compatible_with(TensorShape(a.shape)):
        raise InvalidArgumentError(None, None, "%s: expected a value of shape %s, got shape %s."
                                   % (where, spec.shape, _fmt(a.shape)))
    return a


def _as_bytes(v):
    a = np.asarray(v, dtype=object)
    if a.ndim == 0:
        x = a.item()
        return np.array(x.encode() if isinstance(x, str) else x, dtype=object)
    flat = [x.encode() if isinstance(x, str) else x for x in a.reshape(-1)]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(a.shape)
