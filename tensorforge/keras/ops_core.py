"""keras.ops.core: Keras 3's backend-agnostic core ops (casting, control flow, scatter, slicing).

Control flow maps onto tf.cond / tf.while_loop / tf.switch_case, so these work eagerly and inside
tf.function; scatter and slice updates are tensor_scatter_nd ops, differentiable under a tape.
"""
from __future__ import annotations

import builtins

import numpy as np

import tensorforge as tf

from .ops_dtypes import standardize_dtype
from .ops_numpy import convert_to_tensor, moveaxis

_t = convert_to_tensor


def cast(x, dtype):
    """`x` as a tensor of `dtype`."""
    dtype = standardize_dtype(dtype)
    x = _t(x)
    return x if x.dtype.name == dtype else tf.cast(x, dtype)


def convert_to_numpy(x):
    """`x` as a NumPy array (host-side; eager values only)."""
    if isinstance(x, np.ndarray):
        return x
    x = _t(x)
    return x.numpy()


def is_tensor(x) -> bool:
    """Whether `x` is a tensorforge tensor (not a NumPy array or Python value)."""
    return tf.is_tensor(x)


def dtype(x) -> str:
    """The Keras dtype name of `x` ("float32", ...)."""
    return standardize_dtype(x.dtype if hasattr(x, "dtype") else _t(x).dtype)


def shape(x) -> tuple:
    """The shape of `x` as a tuple; unknown dimensions are scalar tensors."""
    x = _t(x)
    static = x.shape
    if static.rank is None:
        return tuple(tf.unstack(tf.shape(x)))
    dims = list(static)
    if builtins.all(d is not None for d in dims):
        return tuple(dims)
    dynamic = tf.shape(x)
    return tuple(dynamic[i] if d is None else d for i, d in enumerate(dims))


def stop_gradient(variable):
    """The value of `variable`, with no gradient flowing through it."""
    return tf.stop_gradient(_t(variable))


def cond(pred, true_fn, false_fn):
    """`true_fn()` if `pred` else `false_fn()` (a graph conditional inside tf.function)."""
    return tf.cond(pred, true_fn, false_fn)


def switch(index, branches, *operands):
    """`branches[index](*operands)`; `index` is clamped to [0, len(branches) - 1]."""
    index = _t(index, "int32")
    index = tf.clip_by_value(index, 0, len(branches) - 1)
    return tf.switch_case(index, [lambda b=b: b(*operands) for b in branches])


def while_loop(cond, body, loop_vars, maximum_iterations=None):  # noqa: A002
    """Repeat `loop_vars = body(*loop_vars)` while `cond(*loop_vars)`.

    A tuple/list of loop variables is unpacked into `cond` and `body`; a single one is passed as is.
    """
    is_tuple = isinstance(loop_vars, (tuple, list))
    loop_vars = tuple(loop_vars) if is_tuple else (loop_vars,)

    def _body(*args):
        out = body(*args) if is_tuple else body(args[0])
        return tuple(out) if is_tuple else (out,)

    out = tf.while_loop(lambda *a: cond(*a), _body, loop_vars,
                        maximum_iterations=maximum_iterations)
    return tuple(out) if is_tuple else out[0]


def fori_loop(lower, upper, body_fun, init_val):
    """`init_val` updated by `body_fun(i, val)` for i in [lower, upper)."""
    _, val = tf.while_loop(lambda i, v: i < upper, lambda i, v: (i + 1, body_fun(i, v)),
                           (lower, init_val))
    return val


def map(f, xs):  # noqa: A001
    """`f` applied to each slice of `xs` along its first axis, the results stacked."""
    xs = tf.nest.map_structure(_t, xs)
    first = tf.nest.pack_sequence_as(xs, [x[0] for x in tf.nest.flatten(xs)])
    sig = tf.nest.map_structure(lambda o: tf.TensorSpec.from_tensor(_t(o)), f(first)) \
        if tf.executing_eagerly() else None
    if sig is None:
        return tf.map_fn(f, xs)
    return tf.map_fn(f, xs, fn_output_signature=sig)


def vectorized_map(function, elements):
    """`function` applied to each slice of `elements` along axis 0, vectorised where possible."""
    return tf.vectorized_map(function, elements)


def scan(f, init, xs=None, length=None, reverse: bool = False, unroll=1):
    """Loop `carry, y = f(carry, x)` over the leading axis of `xs`; returns (carry, stacked ys)."""
    if not callable(f):
        raise TypeError(f"`f` should be a callable. Received: f={f}")
    if xs is None and length is None:
        raise ValueError("Got no `xs` to scan over and `length` not provided.")
    xs_flat = [] if xs is None else [_t(x) for x in tf.nest.flatten(xs)]
    n = int(length) if length is not None else (
        xs_flat[0].shape[0] if xs_flat[0].shape[0] is not None else tf.shape(xs_flat[0])[0])
    init_flat = [_t(v) for v in tf.nest.flatten(init)]
    in_nested = tf.nest.is_nested(xs)
    out_nested = tf.nest.is_nested(init)

    def pack_in(vals):
        return tf.nest.pack_sequence_as(xs, vals) if in_nested else vals[0]

    def pack_out(vals, like=init, nested=out_nested):
        return tf.nest.pack_sequence_as(like, vals) if nested else vals[0]

    xs_ta = [tf.TensorArray(x.dtype, size=n).unstack(x) for x in xs_flat]
    # Trace `f` on the first step to learn the structure of `y`.
    step0 = n - 1 if reverse else 0
    first_x = pack_in([ta.read(step0) for ta in xs_ta]) if xs_ta else None
    carry0, y0 = f(pack_out(init_flat), first_x)
    y_nested = tf.nest.is_nested(y0)
    y0_flat = [] if y0 is None else [_t(v) for v in tf.nest.flatten(y0)]
    ys_ta = [tf.TensorArray(y.dtype, size=n).write(step0, y) for y in y0_flat]
    carry_flat = [tf.cast(_t(c), i.dtype) for c, i in zip(tf.nest.flatten(carry0), init_flat)]

    def body(i, carry, ys):
        x = pack_in([ta.read(i) for ta in xs_ta]) if xs_ta else None
        c, y = f(pack_out(list(carry)), x)
        ys = [ta.write(i, _t(v)) for ta, v in zip(ys, [] if y is None else tf.nest.flatten(y))]
        c = [tf.cast(_t(v), i0.dtype) for v, i0 in zip(tf.nest.flatten(c), init_flat)]
        return (i - 1 if reverse else i + 1, c, ys)

    start = n - 2 if reverse else 1
    _, carry_flat, ys_ta = tf.while_loop(
        lambda i, c, y: (i >= 0) if reverse else (i < n), body, (start, carry_flat, ys_ta))
    ys_flat = [ta.stack() for ta in ys_ta]
    ys_out = None if y0 is None else (tf.nest.pack_sequence_as(y0, ys_flat) if y_nested
                                      else ys_flat[0])
    return pack_out(list(carry_flat)), ys_out


def associative_scan(f, elems, reverse: bool = False, axis: int = 0):
    """Inclusive scan of an associative binary `f` along `axis` (computed sequentially)."""
    flat = [moveaxis(_t(e), axis, 0) for e in tf.nest.flatten(elems)]
    if reverse:
        flat = [tf.reverse(e, [0]) for e in flat]
    first = [e[0] for e in flat]
    rest = [e[1:] for e in flat]

    def step(carry, x):
        c = tf.nest.flatten(f(tf.nest.pack_sequence_as(elems, list(carry)),
                              tf.nest.pack_sequence_as(elems, list(x))))
        return tuple(c), tuple(c)

    _, ys = scan(step, tuple(first), tuple(rest))
    out = [tf.concat([tf.expand_dims(a, 0), b], 0) for a, b in zip(first, ys)]
    if reverse:
        out = [tf.reverse(e, [0]) for e in out]
    return tf.nest.pack_sequence_as(elems, [moveaxis(e, 0, axis) for e in out])


def scatter(indices, values, shape):  # noqa: A002
    """A zero tensor of `shape` with `values` added at `indices` (duplicates accumulate)."""
    return tf.scatter_nd(_t(indices), _t(values), shape)


def scatter_update(inputs, indices, updates, reduction=None):
    """`inputs` with `updates` written (or reduced: "add", "max", "min", "mul") at `indices`."""
    inputs = _t(inputs)
    indices = _t(indices)
    updates = tf.cast(_t(updates), inputs.dtype)
    if reduction is None:
        return tf.tensor_scatter_nd_update(inputs, indices, updates)
    if reduction == "add":
        return tf.tensor_scatter_nd_add(inputs, indices, updates)
    if reduction == "max":
        return tf.tensor_scatter_nd_max(inputs, indices, updates)
    if reduction == "min":
        return tf.tensor_scatter_nd_min(inputs, indices, updates)
    if reduction == "mul":
        depth = indices.shape[-1]
        dims = tf.shape(inputs)
        outer = tf.math.reduce_prod(dims[:depth])
        prods = tf.math.unsorted_segment_prod(updates, _flat_positions(indices, dims[:depth]), outer)
        return inputs * tf.reshape(prods, dims)
    raise ValueError(f"Unsupported reduction: {reduction}")


def _flat_positions(indices, dims):
    """Row-major positions of the index tuples in `indices` within a grid of shape `dims`."""
    dims = tf.cast(dims, indices.dtype)
    strides = tf.math.cumprod(dims, exclusive=True, reverse=True)
    return tf.math.reduce_sum(indices * strides, axis=-1)


def slice(inputs, start_indices, shape):  # noqa: A001,A002
    """The block of `inputs` starting at `start_indices` with size `shape`."""
    return tf.slice(_t(inputs), start_indices, shape)


def slice_update(inputs, start_indices, updates):
    """`inputs` with the block starting at `start_indices` replaced by `updates`."""
    inputs = _t(inputs)
    updates = tf.cast(_t(updates), inputs.dtype)
    upd_shape = tf.shape(updates)
    rank = len(updates.shape)
    grids = tf.meshgrid(*[tf.range(upd_shape[i]) for i in range(rank)], indexing="ij")
    start = tf.cast(_t(start_indices), "int32")
    idx = tf.stack([g + start[i] for i, g in enumerate(grids)], axis=-1)
    return tf.tensor_scatter_nd_update(inputs, idx, updates)


def unstack(x, num=None, axis: int = 0):
    """A list of tensors, the slices of `x` along `axis`."""
    return tf.unstack(_t(x), num=num, axis=axis)
