"""tf.experimental.Optional and tf.OptionalSpec: a value that may be absent.

An optional is a boolean `has_value` tensor and a structure of component tensors (zeros of the
element spec when empty). Eagerly both are concrete; inside tf.function they are graph tensors,
so `tf.cond(opt.has_value(), lambda: opt.get_value(), ...)` works: `get_value` is the op
OptionalGetValue, which returns the components and fails at run time, with TF's
InvalidArgumentError, only where it runs on an empty optional.

`Iterator.get_next_as_optional()` inside tf.function pulls from an iterator made eagerly (passed
in or captured) with the IteratorGetNextAsOptional op, one element each time the function runs.
"""
from __future__ import annotations

import abc
import threading
import weakref

import numpy as np

from .._api import tf_export
from ..framework import dtypes, nest
from ..framework.context import ctx
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import TypeSpec
from ..ops.extra_specs import _NestedSpecMixin
from ..ops.registry import bind, register
from . import graph_iteration, structure

_NO_VALUE = "The given optional does not have a value."


# ---------------------------------------------------------------- the OptionalGetValue op
def _get_value_kernel(xp, has_value, *components, output_types, output_shapes):
    if not bool(np.asarray(has_value)):
        raise InvalidArgumentError(None, None, _NO_VALUE)
    return tuple(components)


def _get_value_grad(op, *dys):
    return [None] + list(dys)


register("OptionalGetValue", kernel=_get_value_kernel,
         infer=lambda s, a: [(shape, t) for t, shape in zip(a["output_types"], a["output_shapes"])],
         grad=_get_value_grad, api="tf.experimental.Optional.get_value", num_outputs=-1,
         args=("optional",), nondiff_inputs=(),
         samples=lambda: [([np.array(True), np.array([1.5, -2.0])],
                           {"output_types": (dtypes.float64,), "output_shapes": ((2,),)})])


# ---------------------------------------------------------------- Optional
def _empty_component(spec):
    dims = [0 if d is None else d for d in spec.shape.as_list()] if spec.shape.rank is not None else []
    if spec.dtype == dtypes.string:
        return np.full(dims, b"", dtype=object)
    return np.zeros(dims, spec.dtype.as_numpy_dtype)


def _is_graph_value(v) -> bool:
    return getattr(v, "_is_symbolic_tensor", False)


@tf_export("experimental.Optional")
class Optional(metaclass=abc.ABCMeta):
    """Represents a value that may or may not be present (`tf.experimental.Optional`).

    >>> optional = tf.experimental.Optional.from_value(42)
    >>> optional.has_value().numpy(), optional.get_value().numpy()
    (True, 42)
    >>> empty = tf.experimental.Optional.empty(tf.TensorSpec([], tf.int32))
    >>> empty.has_value().numpy()
    False
    """

    @abc.abstractmethod
    def has_value(self, name=None):
        """A scalar boolean tensor: whether this optional holds a value."""

    @abc.abstractmethod
    def get_value(self, name=None):
        """The value; InvalidArgumentError (at run time inside tf.function) when there is none."""

    @property
    @abc.abstractmethod
    def element_spec(self):
        """The (nested) type specification of the value."""

    @property
    @abc.abstractmethod
    def _type_spec(self):
        """This optional's tf.OptionalSpec."""

    @staticmethod
    def empty(element_spec) -> "Optional":
        """An optional with no value, of element type `element_spec`."""
        return _OptionalImpl(None, element_spec, False)

    @staticmethod
    def from_value(value) -> "Optional":
        """An optional holding `value` (a structure of tensors, or values convertible to them)."""
        if value is None or (nest.is_nested(value) and not nest.flatten(value)):
            raise InvalidArgumentError(None, None, "Optional.from_value: the value must have at least one "
                                       "component, got %r." % (value,))
        value = structure.normalize(value)
        return _OptionalImpl(value, structure.spec_of(value), True)


class _OptionalImpl(Optional):
    """The concrete optional: a has-value flag and a structure of values."""

    __slots__ = ("_value", "_element_spec", "_has")

    def __init__(self, value, element_spec, has):
        self._element_spec = element_spec
        if isinstance(has, bool):
            has = convert_to_tensor(has)
        self._has = has
        self._value = value

    @property
    def element_spec(self):
        return self._element_spec

    @property
    def _type_spec(self) -> "OptionalSpec":
        return OptionalSpec(self._element_spec)

    def has_value(self, name=None):
        return self._has

    def get_value(self, name=None):
        has = self._has
        if not _is_graph_value(has) and ctx.graph is None:
            if not bool(has._value):
                raise InvalidArgumentError(None, None, _NO_VALUE)
            return self._value
        if self._value is not None and not _is_graph_value(has) and bool(has._value):
            return self._value  # known to hold a value while tracing
        return self._graph_get_value()

    def _graph_get_value(self):
        leaves = structure.flat_specs(self._element_spec)
        flat = structure.component_specs(leaves)
        if self._value is None:
            components = [_empty_component(s) for s in flat]
        else:
            components = [c for v, s in zip(structure.flatten_value(self._value), leaves)
                          for c in (_value_components(v, s))]
        attrs = {"output_types": tuple(s.dtype for s in flat),
                 "output_shapes": tuple(graph_iteration._shape_tuple(s) for s in flat)}
        out = bind("OptionalGetValue", [self._has] + components, attrs)
        out = list(out) if isinstance(out, (list, tuple)) else [out]
        values = structure.leaves_from_components(leaves, out)
        return nest.pack_sequence_as(self._element_spec, values) if nest.is_nested(self._element_spec) \
            else values[0]

    def __repr__(self):
        return "<tf.experimental.Optional element_spec=%r>" % (self._element_spec,)


def _value_components(v, spec) -> list:
    if hasattr(spec, "_component_specs") and not structure.is_array_leaf(spec):
        if type(v).__name__ == "RaggedTensor":
            return [v.flat_values] + list(v.nested_row_splits)
        if type(v).__name__ == "SparseTensor":
            return [v.indices, v.values, v.dense_shape]
    return [v]


@tf_export("OptionalSpec")
class OptionalSpec(_NestedSpecMixin, TypeSpec):
    """Type specification for `tf.experimental.Optional`.

    >>> tf.OptionalSpec(tf.TensorSpec([], tf.int32))
    OptionalSpec(TensorSpec(shape=(), dtype=tf.int32, name=None),)
    """

    __slots__ = ("_element_spec",)

    def __init__(self, element_spec):
        self._element_spec = element_spec

    @property
    def value_type(self):
        return _OptionalImpl

    @staticmethod
    def from_value(value) -> "OptionalSpec":
        if not isinstance(value, Optional):
            raise TypeError("OptionalSpec.from_value: expected a tf.experimental.Optional, got %r" % (value,))
        return OptionalSpec(value.element_spec)


# ---------------------------------------------------------------- get_next_as_optional
class _OwnedSource:
    """The element source an eager iterator lends to a traced function: the function's
    IteratorGetNextAsOptional op pulls component tuples from it, advancing the iterator itself."""

    def __init__(self, owned):
        self._owned = weakref.ref(owned)

    def __iter__(self):
        return self

    def __next__(self):
        owned = self._owned()
        if owned is None:
            raise StopIteration
        return next_components(owned)


def next_components(owned) -> tuple:
    """The next element of an OwnedIterator as its component tuple (StopIteration at the end)."""
    from .dataset import _ITERATION_SEEDS
    token = _ITERATION_SEEDS.set(owned._seeds)
    try:
        c = next(owned._it)
    finally:
        _ITERATION_SEEDS.reset(token)
    owned._consumed += 1
    return c


_handle_lock = threading.Lock()


def _graph_handle(owned) -> int:
    """A handle under which IteratorGetNextAsOptional finds `owned` (made once per iterator)."""
    with _handle_lock:
        h = getattr(owned, "_tf_graph_handle", None)
        if h is None or h not in graph_iteration._ITERATORS:
            h = next(graph_iteration._ids)
            graph_iteration._ITERATORS[h] = _OwnedSource(owned)
            weakref.finalize(owned, graph_iteration._ITERATORS.pop, h, None)
            owned._tf_graph_handle = h
    return h


def iterator_get_next_as_optional(owned) -> Optional:
    """`Iterator.get_next_as_optional()`: eagerly the next element or an empty optional; inside
    tf.function an op that pulls the next element each time the function runs."""
    spec = owned.element_spec
    if ctx.graph is None:
        try:
            return Optional.from_value(owned._pack(next_components(owned)))
        except StopIteration:
            return Optional.empty(spec)
    leaves = structure.flat_specs(spec)
    if any(isinstance(s, structure.DatasetSpec) for s in leaves):
        raise TypeError("get_next_as_optional() inside tf.function does not support dataset-valued elements.")
    flat = structure.component_specs(leaves)
    attrs = {"output_types": tuple(s.dtype for s in flat),
             "output_shapes": tuple(graph_iteration._shape_tuple(s) for s in flat)}
    handle = convert_to_tensor(np.int64(_graph_handle(owned)))
    out = bind("IteratorGetNextAsOptional", [handle], attrs)
    values = structure.leaves_from_components(leaves, list(out[1:]))
    value = nest.pack_sequence_as(spec, values) if nest.is_nested(spec) else values[0]
    return _OptionalImpl(value, spec, out[0])


def iterator_get_next(owned):
    """`next(iterator)` / `Iterator.get_next()` inside tf.function: an IteratorGetNext op that pulls
    the next element each time the function runs (OutOfRangeError at the end), as in TF."""
    spec = owned.element_spec
    leaves = structure.flat_specs(spec)
    if any(isinstance(s, structure.DatasetSpec) for s in leaves):
        raise TypeError("get_next() inside tf.function does not support dataset-valued elements.")
    flat = structure.component_specs(leaves)
    attrs = {"output_types": tuple(s.dtype for s in flat),
             "output_shapes": tuple(graph_iteration._shape_tuple(s) for s in flat)}
    handle = convert_to_tensor(np.int64(_graph_handle(owned)))
    out = bind("IteratorGetNext", [handle], attrs)
    out = list(out) if isinstance(out, tuple) else [out]
    values = structure.leaves_from_components(leaves, out)
    return nest.pack_sequence_as(spec, values) if nest.is_nested(spec) else values[0]


def get_next_as_optional(iterator) -> Optional:
    """tf.data.experimental.get_next_as_optional: `iterator.get_next_as_optional()`."""
    return iterator.get_next_as_optional()


__all__ = ["Optional", "OptionalSpec", "get_next_as_optional", "iterator_get_next", "iterator_get_next_as_optional"]
