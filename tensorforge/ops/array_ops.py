"""Array ops: shapes, creation, reshaping, joining, slicing, gathering, scattering."""
from __future__ import annotations

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import convert_to_tensor, register_tensor_conversion_function
from ..framework.indexed_slices import IndexedSlices
from ..framework.tensor import Tensor
from . import math_ops
from . import sample_inputs as S
from . import shapes as sh
from .registry import NON_DIFFERENTIABLE, bind, register

_t = convert_to_tensor


# ---------------------------------------------------------------- Shape
def _shape_kernel(xp, x, out_type):
    return xp.asarray(x.shape, dtype=out_type.as_numpy_dtype)


register("Shape", kernel=_shape_kernel,
         infer=lambda s, a: [((None if sh.dims(s[0]) is None else len(sh.dims(s[0])),), a["out_type"])],
         grad=NON_DIFFERENTIABLE, api="tf.shape", args=("input",),
         samples=lambda: [([S.normal(2, 3)], {"out_type": dtypes.int32})])


@tf_export("shape")
def shape(input, out_type=dtypes.int32, name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """The shape of a tensor, as a 1-D int tensor (tf.shape)."""
    return bind("Shape", [_t(input)], {"out_type": dtypes.as_dtype(out_type)})


# ---------------------------------------------------------------- Reshape
def _reshape_infer(specs, attrs):
    x = sh.dims(specs[0])
    new = list(attrs["shape"])
    if x is not None and None not in x:
        n = int(np.prod(x))
        if new.count(-1) > 1:
            raise sh.error("tf.reshape", "Reshape", "only one input size may be -1, not both %d and %d"
                           % tuple(i for i, d in enumerate(new) if d == -1)[:2])
        known = int(np.prod([d for d in new if d != -1]))
        if -1 in new:
            if known == 0 or n % known:
                raise sh.error("tf.reshape", "Reshape", "Input to reshape is a tensor with %d values, but the "
                               "requested shape requires a multiple of %d (argument tensor shape %s, shape %s)"
                               % (n, known, sh.fmt(x), sh.fmt(new)))
            new[new.index(-1)] = n // known
        elif known != n:
            raise sh.error("tf.reshape", "Reshape", "Input to reshape is a tensor with %d values, but the "
                           "requested shape has %d (argument tensor shape %s, shape %s)" % (n, known, sh.fmt(x), sh.fmt(new)))
    return [(tuple(None if d == -1 else d for d in new), specs[0].dtype)]


def _reshape_grad(op, dy):
    return [reshape(dy, shape(op.inputs[0]))]


register("Reshape", kernel=lambda xp, x, shape: xp.reshape(x, shape), infer=_reshape_infer, grad=_reshape_grad,
         api="tf.reshape", args=("tensor",),
         samples=lambda: [([S.normal(3, 4)], {"shape": (2, -1)}), ([S.normal(2, 3)], {"shape": (6,)})])


@tf_export("reshape")
def reshape(tensor, shape, name=None) -> Tensor:
    """Reshapes `tensor` to `shape` (one dimension may be -1) (tf.reshape)."""
    shape = _int_tuple(shape)
    return bind("Reshape", [_t(tensor)], {"shape": shape})


def _int_tuple(v) -> tuple:
    """A shape-like argument (list, TensorShape, 1-D int tensor) as a tuple of ints."""
    if isinstance(v, Tensor):
        return tuple(int(d) for d in np.asarray(v._value).reshape(-1))
    if hasattr(v, "as_list"):
        return tuple(v.as_list())
    if isinstance(v, (int, np.integer)):
        return (int(v),)
    return tuple(int(d) for d in v)


# ---------------------------------------------------------------- ZerosLike / OnesLike / Fill
register("ZerosLike", kernel=lambda xp, x: xp.zeros_like(x), infer=lambda s, a: [(sh.dims(s[0]), s[0].dtype)],
         grad=NON_DIFFERENTIABLE, api="tf.zeros_like", samples=lambda: [([S.normal(2, 3)], {})])
register("OnesLike", kernel=lambda xp, x: xp.ones_like(x), infer=lambda s, a: [(sh.dims(s[0]), s[0].dtype)],
         grad=NON_DIFFERENTIABLE, api="tf.ones_like", samples=lambda: [([S.normal(2, 3)], {})])


@tf_export("zeros_like")
def zeros_like(input, dtype=None, name=None) -> Tensor:  # noqa: A002
    """A tensor of zeros with the shape (and dtype) of `input` (tf.zeros_like)."""
    x = _t(input)
    if dtype is not None and dtypes.as_dtype(dtype) is not x.dtype:
        return zeros(shape(x), dtype)
    return bind("ZerosLike", [x])


@tf_export("ones_like")
def ones_like(input, dtype=None, name=None) -> Tensor:  # noqa: A002
    """A tensor of ones with the shape (and dtype) of `input` (tf.ones_like)."""
    x = _t(input)
    if dtype is not None and dtypes.as_dtype(dtype) is not x.dtype:
        return ones(shape(x), dtype)
    return bind("OnesLike", [x])


def _fill_infer(specs, attrs):
    return [(tuple(attrs["dims"]), specs[0].dtype)]


register("Fill", kernel=lambda xp, value, dims: xp.full(dims, value, dtype=value.dtype), infer=_fill_infer,
         grad=lambda op, dy: [math_ops.reduce_sum(dy)], api="tf.fill", args=("value",),
         samples=lambda: [([S.scalar(1.5, np.float64)], {"dims": (2, 3)})])


@tf_export("fill")
def fill(dims, value, name=None) -> Tensor:
    """A tensor of shape `dims` filled with the scalar `value` (tf.fill)."""
    return bind("Fill", [_t(value)], {"dims": _int_tuple(dims)})


@tf_export("zeros")
def zeros(shape, dtype=dtypes.float32, name=None) -> Tensor:
    """A tensor of zeros (tf.zeros)."""
    dtype = dtypes.as_dtype(dtype)
    return fill(shape, _t(np.zeros((), dtype.as_numpy_dtype) if dtype is not dtypes.string else b"", dtype))


@tf_export("ones")
def ones(shape, dtype=dtypes.float32, name=None) -> Tensor:
    """A tensor of ones (tf.ones)."""
    dtype = dtypes.as_dtype(dtype)
    return fill(shape, _t(np.ones((), dtype.as_numpy_dtype), dtype))


# ---------------------------------------------------------------- Pack / ConcatV2 / OneHot / Tile
def _pack_infer(specs, attrs):
    d = sh.same_dtype("tf.stack", "Pack", specs, ["values[%d]" % i for i in range(len(specs))])
    s0 = sh.dims(specs[0])
    for i, s in enumerate(specs[1:], 1):
        if sh.dims(s) != s0:
            raise sh.error("tf.stack", "Pack", "Shapes of all inputs must match: values[0].shape = %s != values[%d].shape = %s"
                           % (sh.fmt(s0), i, sh.fmt(sh.dims(s))))
    axis = attrs["axis"]
    if s0 is None:
        return [(None, d)]
    axis = sh.normalize_axis(axis, len(s0) + 1, "tf.stack", "Pack")
    return [(s0[:axis] + (len(specs),) + s0[axis:], d)]


def _pack_grad(op, dy):
    return list(unstack(dy, num=len(op.inputs), axis=op.attrs["axis"]))


register("Pack", kernel=lambda xp, *xs, axis: xp.stack(xs, axis=axis), infer=_pack_infer, grad=_pack_grad,
         api="tf.stack", args=("values",),
         samples=lambda: [([S.normal(2, 3), S.normal(2, 3)], {"axis": 1})])


@tf_export("stack")
def stack(values, axis=0, name="stack") -> Tensor:
    """Stacks a list of rank-R tensors into one rank-(R+1) tensor (tf.stack)."""
    vals = [_t(v) for v in values]
    if len(vals) > 1:
        d = vals[0].dtype
        vals = [v if v.dtype is d else _t(v, d) for v in vals]
    return bind("Pack", vals, {"axis": int(axis)})


def _unpack_infer(specs, attrs):
    s = sh.dims(specs[0])
    axis = sh.normalize_axis(attrs["axis"], len(s), "tf.unstack", "Unpack")
    return [(s[:axis] + s[axis + 1:], specs[0].dtype)] * attrs["num"]


register("Unpack", kernel=lambda xp, x, num, axis: tuple(xp.moveaxis(x, axis, 0)), infer=_unpack_infer,
         grad=lambda op, *dys: [stack(list(dys), axis=op.attrs["axis"])], api="tf.unstack", num_outputs=-1,
         args=("value",), samples=lambda: [([S.normal(2, 3)], {"num": 3, "axis": 1})])


@tf_export("unstack")
def unstack(value, num=None, axis=0, name="unstack") -> list:
    """Unpacks `value` along `axis` into a list of tensors (tf.unstack)."""
    x = _t(value)
    n = x.shape[axis] if num is None else num
    if n is None:
        raise ValueError("Cannot infer argument `num` from shape %s" % x.shape)
    return list(bind("Unpack", [x], {"num": int(n), "axis": int(axis)}))


def _concat_infer(specs, attrs):
    d = sh.same_dtype("tf.concat", "ConcatV2", specs, ["values[%d]" % i for i in range(len(specs))])
    s0 = sh.dims(specs[0])
    if s0 is None:
        return [(None, d)]
    axis = sh.normalize_axis(attrs["axis"], len(s0), "tf.concat", "ConcatV2")
    total = 0
    for i, s in enumerate(specs):
        si = sh.dims(s)
        if len(si) != len(s0) or any(a != b and None not in (a, b) for j, (a, b) in enumerate(zip(si, s0)) if j != axis):
            raise sh.error("tf.concat", "ConcatV2", "ConcatOp : Dimension mismatch: values[0].shape = %s vs. "
                           "values[%d].shape = %s (axis %d)" % (sh.fmt(s0), i, sh.fmt(si), axis))
        total = None if total is None or si[axis] is None else total + si[axis]
    return [(s0[:axis] + (total,) + s0[axis + 1:], d)]


def _concat_grad(op, dy):
    axis = op.attrs["axis"]
    sizes = [x.shape[axis] for x in op.inputs]
    return split(dy, sizes, axis=axis)


register("ConcatV2", kernel=lambda xp, *xs, axis: xp.concatenate(xs, axis=axis), infer=_concat_infer,
         grad=_concat_grad, api="tf.concat", args=("values",),
         samples=lambda: [([S.normal(2, 3), S.normal(2, 2)], {"axis": 1})])


@tf_export("concat")
def concat(values, axis, name="concat") -> Tensor:
    """Concatenates tensors along `axis` (tf.concat)."""
    vals = [_t(v) for v in values]
    if len(vals) == 1:
        return identity(vals[0])
    return bind("ConcatV2", vals, {"axis": int(axis)})


def _split_kernel(xp, x, sizes, axis):
    return tuple(xp.split(x, np.cumsum(sizes)[:-1], axis=axis))


def _split_infer(specs, attrs):
    s = sh.dims(specs[0])
    axis = sh.normalize_axis(attrs["axis"], len(s), "tf.split", "SplitV")
    if s[axis] is not None and sum(attrs["sizes"]) != s[axis]:
        raise sh.error("tf.split", "SplitV", "Determined shape must either match input shape along split_dim "
                       "exactly if fully specified, or be less than the size of the input along split_dim if not "
                       "fully specified.  Got: %d (argument value shape %s, num_or_size_splits %s)"
                       % (sum(attrs["sizes"]), sh.fmt(s), list(attrs["sizes"])))
    return [(s[:axis] + (n,) + s[axis + 1:], specs[0].dtype) for n in attrs["sizes"]]


register("SplitV", kernel=_split_kernel, infer=_split_infer,
         grad=lambda op, *dys: [concat(list(dys), axis=op.attrs["axis"])], api="tf.split", num_outputs=-1,
         args=("value",), samples=lambda: [([S.normal(4, 3)], {"sizes": (1, 3), "axis": 0})])


@tf_export("split")
def split(value, num_or_size_splits, axis=0, num=None, name="split") -> list:
    """Splits `value` along `axis` into equal parts or parts of given sizes (tf.split)."""
    x = _t(value)
    axis = int(axis)
    dim = x.shape[axis]
    if isinstance(num_or_size_splits, (int, np.integer)) or (isinstance(num_or_size_splits, Tensor)
                                                              and num_or_size_splits.ndim == 0):
        n = int(num_or_size_splits)
        if dim is not None and dim % n:
            raise sh.error("tf.split", "Split", "Number of ways to split should evenly divide the split dimension, "
                           "but got split_dim %d (size = %d) and num_split %d" % (axis, dim, n))
        sizes = (dim // n,) * n
    else:
        sizes = list(_int_tuple(num_or_size_splits))
        if -1 in sizes and dim is not None:
            sizes[sizes.index(-1)] = dim - (sum(sizes) + 1)
        sizes = tuple(sizes)
    return list(bind("SplitV", [x], {"sizes": sizes, "axis": axis}))


def _one_hot_kernel(xp, indices, on_value, off_value, depth, axis):
    idx = xp.asarray(indices)
    eye = idx[..., None] == xp.arange(depth)
    out = xp.where(eye, on_value, off_value).astype(on_value.dtype)
    if axis != -1 and axis != idx.ndim:
        out = xp.moveaxis(out, -1, axis)
    return out


def _one_hot_infer(specs, attrs):
    s = sh.dims(specs[0])
    axis = attrs["axis"]
    if s is None:
        return [(None, specs[1].dtype)]
    axis = len(s) if axis == -1 else axis
    return [(s[:axis] + (attrs["depth"],) + s[axis:], specs[1].dtype)]


register("OneHot", kernel=_one_hot_kernel, infer=_one_hot_infer, grad=NON_DIFFERENTIABLE, api="tf.one_hot",
         args=("indices", "on_value", "off_value"),
         samples=lambda: [([S.ints(0, 4, 5), S.scalar(1.0, np.float32), S.scalar(0.0, np.float32)],
                           {"depth": 4, "axis": -1})])


@tf_export("one_hot")
def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None) -> Tensor:
    """A one-hot tensor: `on_value` where the index matches, `off_value` elsewhere (tf.one_hot)."""
    if dtype is None:
        dtype = (_t(on_value).dtype if on_value is not None else
                 _t(off_value).dtype if off_value is not None else dtypes.float32)
    dtype = dtypes.as_dtype(dtype)
    on = _t(1 if on_value is None else on_value, dtype)
    off = _t(0 if off_value is None else off_value, dtype)
    return bind("OneHot", [_t(indices), on, off], {"depth": int(depth), "axis": -1 if axis is None else int(axis)})


def _tile_infer(specs, attrs):
    s = sh.dims(specs[0])
    m = attrs["multiples"]
    if s is None:
        return [(None, specs[0].dtype)]
    if len(m) != len(s):
        raise sh.error("tf.tile", "Tile", "Expected multiples argument to be a vector of length %d but got length %d"
                       % (len(s), len(m)))
    return [(tuple(None if d is None else d * k for d, k in zip(s, m)), specs[0].dtype)]


def _tile_grad(op, dy):
    x = op.inputs[0]
    m = op.attrs["multiples"]
    xs = x.shape.as_list()
    # dy viewed as [m0, x0, m1, x1, ...] and summed over the multiples axes.
    split_shape = [v for pair in zip(m, xs) for v in pair]
    return [math_ops.reduce_sum(reshape(dy, split_shape), axis=list(range(0, 2 * len(xs), 2)))]


register("Tile", kernel=lambda xp, x, multiples: xp.tile(x, multiples), infer=_tile_infer, grad=_tile_grad,
         api="tf.tile", args=("input",), samples=lambda: [([S.normal(2, 3)], {"multiples": (2, 3)})])


@tf_export("tile")
def tile(input, multiples, name=None) -> Tensor:  # noqa: A002
    """Repeats `input` `multiples[i]` times along dimension i (tf.tile)."""
    return bind("Tile", [_t(input)], {"multiples": _int_tuple(multiples)})


register("Identity", kernel=lambda xp, x: x, infer=lambda s, a: [(sh.dims(s[0]), s[0].dtype)],
         grad=lambda op, dy: [dy], api="tf.identity", args=("input",), samples=lambda: [([S.normal(3)], {})])


@tf_export("identity")
def identity(input, name=None) -> Tensor:  # noqa: A002
    """Returns a tensor with the same value as `input` (tf.identity)."""
    return bind("Identity", [_t(input)])


def _broadcast_to_infer(specs, attrs):
    target = tuple(attrs["shape"])
    sh.broadcast_shapes(sh.dims(specs[0]), target, "tf.broadcast_to", "BroadcastTo", ("input", "shape"))
    s = sh.dims(specs[0])
    if s is not None and (len(s) > len(target) or any(
            a not in (1, b) and None not in (a, b) for a, b in zip(s[::-1], target[::-1]))):
        raise sh.error("tf.broadcast_to", "BroadcastTo", "Unable to broadcast tensor of shape %s to tensor of shape %s"
                       % (sh.fmt(s), sh.fmt(target)))
    return [(target, specs[0].dtype)]


register("BroadcastTo", kernel=lambda xp, x, shape: xp.array(xp.broadcast_to(x, shape)), infer=_broadcast_to_infer,
         grad=lambda op, dy: [math_ops.unbroadcast(dy, op.inputs[0].shape)], api="tf.broadcast_to",
         args=("input",), samples=lambda: [([S.normal(3, 1)], {"shape": (2, 3, 4)})])


@tf_export("broadcast_to")
def broadcast_to(input, shape, name=None) -> Tensor:  # noqa: A002
    """Broadcasts `input` to `shape` (tf.broadcast_to)."""
    return bind("BroadcastTo", [_t(input)], {"shape": _int_tuple(shape)})


# ---------------------------------------------------------------- IndexedSlices to dense
def indexed_slices_to_dense(s: IndexedSlices, dtype=None, name=None) -> Tensor:
    """Sums the rows of an IndexedSlices into a dense tensor of its dense_shape."""
    n = int(np.asarray(_t(s.dense_shape)._value)[0])
    return math_ops.unsorted_segment_sum(s.values, s.indices, n)


register_tensor_conversion_function(IndexedSlices, indexed_slices_to_dense)
