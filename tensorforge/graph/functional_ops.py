"""tf.map_fn, tf.scan, tf.foldl, tf.foldr and tf.vectorized_map.

Eagerly each runs a Python loop over the unstacked elements (one Unpack op per input, one Pack
per output: the tape records it all, so gradients flow). Inside a graph it is a tf.while_loop
over TensorArrays, as TF builds it, so the number of elements may be known only at run time
and the loop body is traced once. The gradient of a graph while_loop cannot itself be
differentiated here yet, so when a GradientTape is recording inside the tf.function and the
number of elements is known while tracing, the loop is unrolled instead (fn is traced once per
element), which keeps higher-order gradients; otherwise it is a while_loop whose first-order
gradients flow through the TensorArrays.
"""
from __future__ import annotations

from typing import Any, Callable

from .._api import tf_export
from ..framework import dtypes, nest
from ..framework.context import ctx
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError, OutOfRangeError
from ..framework.tensor import TensorSpec


# Unrolling (see above) stops at this many elements.
_MAX_UNROLL = 4096


def _python_loop(flat) -> bool:
    """Whether to run the Python loop: eagerly, or unrolled in a graph under a recording tape."""
    if ctx.graph is None:
        return True
    n = flat[0].shape[0]
    return bool(ctx.tapes) and n is not None and n <= _MAX_UNROLL


def _flat_elems(elems, api: str) -> list:
    flat = [convert_to_tensor(e) for e in nest.flatten(elems)]
    if not flat:
        raise ValueError("%s: elems must be a Tensor or a (possibly nested) sequence of Tensors, got %r" % (api, elems))
    for e in flat:
        if type(e).__name__ in ("RaggedTensor", "SparseTensor") or e.shape.rank == 0:
            raise ValueError("%s: elements must be tensors of rank >= 1, got %r" % (api, e))
    first = flat[0].shape[0]
    for e in flat[1:]:
        d = e.shape[0]
        if first is not None and d is not None and d != first:
            raise ValueError("Dimensions %d and %d are not compatible" % (first, d))
        first = first if first is not None else d
    return flat


def _signature_dtypes(signature, like) -> list:
    """The dtype of each output leaf: from `fn_output_signature` / `dtype`, else those of `like`."""
    if signature is None:
        return [t.dtype for t in nest.flatten(like)]
    out = []
    for s in nest.flatten(signature):
        if type(s).__name__ in ("RaggedTensorSpec", "SparseTensorSpec"):
            raise TypeError("map_fn with %s outputs is not supported; give dense fn_output_signature specs" % (s,))
        out.append(s.dtype if isinstance(s, TensorSpec) else dtypes.as_dtype(s))
    return out


def _check_written(dtype, value, what="TensorArray"):
    if value.dtype != dtype:
        raise InvalidArgumentError(None, None, "%s dtype is %s but Op is trying to write dtype %s "
                                   % (what, dtype.name, value.dtype.name))


def _stack_eager(outputs: list, dtypes_: list, structure):
    from ..ops import array_ops
    if not outputs:
        return nest.pack_sequence_as(structure, [array_ops.zeros([0], d) for d in dtypes_])
    flat = [nest.flatten(o) for o in outputs]
    cols = []
    for j, d in enumerate(dtypes_):
        col = [convert_to_tensor(row[j]) for row in flat]
        for v in col:
            _check_written(d, v)
        cols.append(array_ops.stack(col))
    return nest.pack_sequence_as(structure, cols)


@tf_export("map_fn")
def map_fn(fn: Callable, elems, dtype=None, parallel_iterations=None, back_prop=True, swap_memory=False,
           infer_shape=True, name=None, fn_output_signature=None) -> Any:
    """Applies `fn` to each slice of `elems` along axis 0 and stacks the results (tf.map_fn).

    Args:
      fn: a callable taking one slice (with the structure of `elems`).
      elems: a tensor, or a nested structure of tensors with the same first dimension.
      dtype: deprecated alias of `fn_output_signature`.
      fn_output_signature: the output's structure of dtypes / tf.TensorSpecs; by default that of
        `elems` (as in TF: an fn returning another dtype needs it).
      parallel_iterations, back_prop, swap_memory, infer_shape, name: accepted for TF's signature.

    Returns:
      The stacked outputs, with the structure of `fn_output_signature` (or `elems`).
    """
    signature = fn_output_signature if fn_output_signature is not None else dtype
    flat = _flat_elems(elems, "map_fn")
    out_structure = signature if signature is not None else elems
    out_dtypes = _signature_dtypes(signature, elems)

    def call(slices):
        out = fn(nest.pack_sequence_as(elems, slices))
        nest.assert_same_structure(out_structure, out, check_types=False)
        return nest.flatten(out)

    if _python_loop(flat):
        from ..ops import array_ops
        columns = [array_ops.unstack(e) for e in flat]
        return _stack_eager([call(list(row)) for row in zip(*columns)], out_dtypes, out_structure)
    return nest.pack_sequence_as(out_structure, _graph_map(call, flat, out_dtypes))


def _graph_map(call, flat, out_dtypes) -> list:
    from .control_flow import TensorArray, while_loop
    n = _length(flat)
    outputs = [TensorArray(d, size=n) for d in out_dtypes]

    def body(i, outs):
        values = call(_slices(flat, i))
        written = []
        for ta, v, d in zip(outs, values, out_dtypes):
            v = convert_to_tensor(v)
            _check_written(d, v)
            written.append(ta.write(i, v))
        return i + 1, written

    _, outputs = while_loop(lambda i, _: i < n, body, [convert_to_tensor(0), outputs])
    return [ta.stack() for ta in outputs]


def _slices(flat, i) -> list:
    """Row i of each input, read in the loop body (slicing keeps the gradient path to the input)."""
    return [e[i] for e in flat]


def _length(flat):
    from ..ops import array_ops
    d = flat[0].shape[0]
    return d if d is not None else array_ops.shape(flat[0])[0]


@tf_export("scan")
def scan(fn: Callable, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
         infer_shape=True, reverse=False, name=None) -> Any:
    """A running reduction: `acc = fn(acc, x)` over the slices of `elems`, stacking every `acc`
    (tf.scan). Without `initializer` the first slice is the first accumulator (and output).

    Returns:
      The stacked accumulators, with the structure of `initializer` (or `elems`).
    """
    flat = _flat_elems(elems, "scan")
    if _python_loop(flat):
        from ..ops import array_ops
        rows = [nest.pack_sequence_as(elems, list(r)) for r in zip(*[array_ops.unstack(e) for e in flat])]
        if reverse:
            rows = rows[::-1]
        if initializer is None:
            if not rows:
                return nest.map_structure(lambda e: e, elems)
            acc, rows, outputs = rows[0], rows[1:], [rows[0]]
        else:
            acc, outputs = nest.map_structure(convert_to_tensor, initializer), []
        for x in rows:
            acc = fn(acc, x)
            outputs.append(acc)
        if reverse:
            outputs = outputs[::-1]
        structure = initializer if initializer is not None else elems
        like = nest.map_structure(convert_to_tensor, structure)
        return _stack_eager(outputs, [t.dtype for t in nest.flatten(like)], structure)
    return _graph_scan(fn, elems, flat, initializer, reverse)


def _graph_scan(fn, elems, flat, initializer, reverse):
    from .control_flow import TensorArray, while_loop
    n = _length(flat)

    def index(i):
        return n - 1 - i if reverse else i

    if initializer is None:
        structure = elems
        acc = _slices(flat, index(0))
        start = 1
    else:
        structure = initializer
        acc = [convert_to_tensor(a) for a in nest.flatten(initializer)]
        start = 0
    outputs = [TensorArray(a.dtype, size=n, element_shape=a.shape) for a in acc]
    if initializer is None:
        outputs = [ta.write(index(0), a) for ta, a in zip(outputs, acc)]

    def body(i, acc, outs):
        x = nest.pack_sequence_as(elems, _slices(flat, index(i)))
        new = nest.flatten(fn(nest.pack_sequence_as(structure, list(acc)), x))
        new = [convert_to_tensor(v) for v in new]
        for a, v in zip(acc, new):
            _check_written(a.dtype, v)
        return i + 1, new, [ta.write(index(i), v) for ta, v in zip(outs, new)]

    _, _, outputs = while_loop(lambda i, a, o: i < n, body, [convert_to_tensor(start), acc, outputs])
    return nest.pack_sequence_as(structure, [ta.stack() for ta in outputs])


def _fold(fn, elems, initializer, reverse: bool, api: str):
    flat = _flat_elems(elems, api)
    if _python_loop(flat):
        from ..ops import array_ops
        rows = [nest.pack_sequence_as(elems, list(r)) for r in zip(*[array_ops.unstack(e) for e in flat])]
        if reverse:
            rows = rows[::-1]
        if initializer is None:
            if not rows:
                raise OutOfRangeError(None, None, "Tried to read from index 0 but array size is: 0 ")
            acc, rows = rows[0], rows[1:]
        else:
            acc = nest.map_structure(convert_to_tensor, initializer)
        for x in rows:
            acc = fn(acc, x)
        return acc
    from ..ops import array_ops
    from .control_flow import while_loop
    n = _length(flat)

    def index(i):
        return n - 1 - i if reverse else i

    if initializer is None:
        structure, acc, start = elems, _slices(flat, index(0)), 1
    else:
        structure, acc, start = initializer, [convert_to_tensor(a) for a in nest.flatten(initializer)], 0

    def body(i, acc):
        x = nest.pack_sequence_as(elems, _slices(flat, index(i)))
        new = [convert_to_tensor(v) for v in nest.flatten(fn(nest.pack_sequence_as(structure, list(acc)), x))]
        return i + 1, new

    _, acc = while_loop(lambda i, a: i < n, body, [convert_to_tensor(start), acc])
    return nest.pack_sequence_as(structure, list(acc))


@tf_export("foldl")
def foldl(fn: Callable, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
          name=None) -> Any:
    """`acc = fn(acc, x)` over the slices of `elems` from the first; returns the last `acc` (tf.foldl).
    Without `initializer` the first slice is the first accumulator."""
    return _fold(fn, elems, initializer, False, "foldl")


@tf_export("foldr")
def foldr(fn: Callable, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
          name=None) -> Any:
    """`acc = fn(acc, x)` over the slices of `elems` from the last; returns the last `acc` (tf.foldr)."""
    return _fold(fn, elems, initializer, True, "foldr")


@tf_export("vectorized_map")
def vectorized_map(fn: Callable, elems, fallback_to_while_loop=True, warn=True) -> Any:
    """fn applied to each slice of `elems`, stacked (tf.vectorized_map).

    TF vectorises `fn` with its pfor converter; here it runs as `map_fn` (the same results),
    with the output structure and dtypes taken from `fn` itself.
    """
    flat = _flat_elems(elems, "vectorized_map")
    if _python_loop(flat):
        from ..ops import array_ops
        columns = [array_ops.unstack(e) for e in flat]
        outs = [fn(nest.pack_sequence_as(elems, list(row))) for row in zip(*columns)]
        if not outs:
            raise ValueError("vectorized_map needs at least one element to learn fn's outputs eagerly")
        like = nest.map_structure(convert_to_tensor, outs[0])
        return _stack_eager(outs, [t.dtype for t in nest.flatten(like)], outs[0])
    from .function import Function
    spec = nest.pack_sequence_as(elems, [TensorSpec(e.shape[1:], e.dtype) for e in flat])
    traced = Function(lambda x: fn(x), autograph=True).get_concrete_function(spec)
    out_structure = traced.structured_outputs
    return map_fn(fn, elems, fn_output_signature=nest.map_structure(lambda t: TensorSpec(t.shape, t.dtype),
                                                                    out_structure))
