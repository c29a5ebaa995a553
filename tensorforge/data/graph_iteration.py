"""`for element in dataset` inside tf.function.

AutoGraph turns the loop into a while_loop over three stateful ops, as TF does with its
iterator ops: AnonymousIteratorV3 makes an iterator when the function runs (a handle into
a table here), IteratorGetNextAsOptional yields (has_value, element components) with the
element spec's shapes, and DeleteIterator drops the iterator after the loop (also when a
`break` ends it early). The dataset itself runs eagerly, on its own threads, as TF's does.
"""
from __future__ import annotations

import itertools
import threading

import numpy as np

from ..framework import dtypes, nest
from ..framework.context import ctx
from ..ops.registry import NON_DIFFERENTIABLE, bind, register
from . import structure

_DATASETS: dict = {}
_ITERATORS: dict = {}
_ids = itertools.count(1)
_lock = threading.Lock()


def _register_dataset(ds) -> int:
    key = next(_ids)
    _DATASETS[key] = ds
    return key


def _make_iterator(xp, dataset_id):
    ds = _DATASETS[dataset_id]
    with _lock:
        h = next(_ids)
    _ITERATORS[h] = ds._elements()
    return np.array(h, np.int64)


def _empty(dtype, shape):
    dims = [0 if d is None else d for d in shape] if shape is not None else []
    if dtype == dtypes.string:
        return np.full(dims, b"", dtype=object)
    return np.zeros(dims, dtype.as_numpy_dtype)


def _get_next(xp, handle, output_types, output_shapes):
    it = _ITERATORS.get(int(handle))
    c = next(it, None) if it is not None else None
    if c is None:
        _ITERATORS.pop(int(handle), None)
        return (np.array(False),) + tuple(_empty(t, s) for t, s in zip(output_types, output_shapes))
    return (np.array(True),) + tuple(a for v in c for a in _parts(v))


def _parts(v) -> tuple:
    """The component arrays of one element leaf (a sparse or ragged value has several)."""
    name = type(v).__name__
    if name == "RaggedTensor":
        return tuple(t._value for t in (v.flat_values,) + tuple(v.nested_row_splits))
    if name == "SparseTensor":
        return tuple(t._value for t in v._to_components())
    return (np.asarray(v),)


def _delete_iterator(xp, handle):
    it = _ITERATORS.pop(int(handle), None)
    close = getattr(it, "close", None)
    if close is not None:
        close()
    return np.array(True)


def _sample_dataset():
    from .dataset import Dataset
    return _register_dataset(Dataset.range(3))


register("AnonymousIteratorV3", kernel=_make_iterator, infer=lambda s, a: [((), dtypes.int64)],
         grad=NON_DIFFERENTIABLE, api="tf.data.Dataset.__iter__", stateful=True,
         samples=lambda: [([], {"dataset_id": _sample_dataset()})])
register("IteratorGetNextAsOptional", kernel=_get_next,
         infer=lambda s, a: [((), dtypes.bool)] + [(shape, t) for t, shape in zip(a["output_types"], a["output_shapes"])],
         grad=NON_DIFFERENTIABLE, api="tf.data.Iterator.get_next_as_optional", stateful=True, num_outputs=-1, args=("iterator",),
         samples=lambda: [([_make_iterator(np, _sample_dataset())],
                           {"output_types": (dtypes.int64,), "output_shapes": ((),)})])
def _get_next_or_raise(xp, handle, output_types, output_shapes):
    out = _get_next(xp, handle, output_types, output_shapes)
    if not out[0]:
        from ..framework.errors import OutOfRangeError
        raise OutOfRangeError(None, None, "End of sequence")
    return out[1:]


register("IteratorGetNext", kernel=_get_next_or_raise,
         infer=lambda s, a: [(shape, t) for t, shape in zip(a["output_types"], a["output_shapes"])],
         grad=NON_DIFFERENTIABLE, api="tf.data.Iterator.get_next", stateful=True, num_outputs=-1, args=("iterator",),
         samples=lambda: [([_make_iterator(np, _sample_dataset())],
                           {"output_types": (dtypes.int64,), "output_shapes": ((),)})])
register("DeleteIterator", kernel=_delete_iterator, infer=lambda s, a: [((), dtypes.bool)],
         grad=NON_DIFFERENTIABLE, api="tf.data.Iterator.__del__", stateful=True, args=("iterator",),
         samples=lambda: [([_make_iterator(np, _sample_dataset())], {})])


def _shape_tuple(spec):
    return None if spec.shape.rank is None else tuple(spec.shape.as_list())


def dataset_for_stmt(ds, extra_test, body, get_state, set_state, names, opts):
    """AutoGraph's `for` over a dataset: a while_loop pulling elements at run time."""
    from ..graph import autograph_operators as ag
    if ctx.graph is None:
        return ag._py_for_stmt(ds, extra_test, body)
    spec = ds.element_spec
    leaves = structure.flat_specs(spec)
    if any(isinstance(s, structure.DatasetSpec) for s in leaves):
        raise TypeError("Iterating a dataset of dataset elements inside tf.function is not supported yet.")
    # Sparse and ragged leaves travel through the loop as their component tensors.
    flat = structure.component_specs(leaves)
    attrs = {"output_types": tuple(s.dtype for s in flat), "output_shapes": tuple(_shape_tuple(s) for s in flat)}

    def element(components):
        out = structure.leaves_from_components(leaves, components)
        return nest.pack_sequence_as(spec, out) if nest.is_nested(spec) else out[0]

    handle = bind("AnonymousIteratorV3", [], {"dataset_id": _register_dataset(ds)})
    first = bind("IteratorGetNextAsOptional", [handle], attrs)
    loop = {"handle": handle, "has": first[0], "elem": tuple(first[1:])}

    def aug_get_state():
        return (loop["handle"], loop["has"]) + loop["elem"] + tuple(get_state())

    def aug_set_state(values):
        loop["handle"], loop["has"] = values[0], values[1]
        loop["elem"] = tuple(values[2:2 + len(flat)])
        set_state(tuple(values[2 + len(flat):]))

    def aug_body():
        body(element(list(loop["elem"])))
        nxt = bind("IteratorGetNextAsOptional", [loop["handle"]], attrs)
        loop["has"], loop["elem"] = nxt[0], tuple(nxt[1:])

    def aug_test():
        return ag._and_extra(loop["has"], extra_test)

    internal = ("<internal iterator>", "<internal has_value>") + tuple("<internal element %d>" % i
                                                                         for i in range(len(flat)))
    invariants = [(t, s.shape) for t, s in zip(loop["elem"], flat)]
    opts = dict(opts)
    opts["shape_invariants"] = list(opts.get("shape_invariants") or ()) + invariants
    ag._tf_while_stmt(aug_test, aug_body, aug_get_state, aug_set_state, internal + tuple(names), opts)
    bind("DeleteIterator", [loop["handle"]], {})

