"""Array ops: shapes, creation, reshaping, joining, slicing, gathering, scattering."""
from __future__ import annotations

import builtins
import collections
import functools
import numbers

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework import convert as _convert_module
from ..framework.convert import convert_to_tensor, register_tensor_conversion_function
from ..framework.indexed_slices import IndexedSlices
from ..framework.tensor import Tensor
from . import math_ops
from . import sample_inputs as S
from . import shapes as sh
from .registry import NON_DIFFERENTIABLE, bind, register

_t = convert_to_tensor
# This module defines tf.range and tf.slice (as TF's array_ops does); keep the builtins at hand.
_pyrange = builtins.range
_pyslice = builtins.slice


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
    if len(specs) == 2:  # the shape is an input tensor
        v = _shape_value(specs[1])
        if v is None:
            return [(None, specs[0].dtype)]
        if None in v:
            return [(tuple(None if d is None or d == -1 else d for d in v), specs[0].dtype)]
        attrs = {"shape": v}
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
    return [reshape(dy, shape(op.inputs[0]))] + [None] * (len(op.inputs) - 1)


register("Reshape", kernel=lambda xp, x, shape: xp.reshape(x, shape), infer=_reshape_infer, grad=_reshape_grad,
         api="tf.reshape", args=("tensor",),
         samples=lambda: [([S.normal(3, 4)], {"shape": (2, -1)}), ([S.normal(2, 3)], {"shape": (6,)}),
                          ([S.normal(2, 3), np.array([3, -1], np.int64)], {})])


@tf_export("reshape")
def reshape(tensor, shape, name=None) -> Tensor:
    """Reshapes `tensor` to `shape` (one dimension may be -1) (tf.reshape)."""
    if _is_dynamic(shape):
        return bind("Reshape", [_t(tensor), _shape_tensor(shape)], {})
    return bind("Reshape", [_t(tensor)], {"shape": _int_tuple(shape)})


def _int_tuple(v) -> tuple:
    """A shape-like argument (list, TensorShape, 1-D int tensor) as a tuple of ints.

    Inside tf.function a symbolic argument must have a value known at trace time (for
    example tf.shape of a tensor whose shape is fully known); shape attrs are static.
    """
    if isinstance(v, Tensor):
        return tuple(int(d) for d in np.asarray(v._value).reshape(-1))
    if hasattr(v, "as_list"):
        return tuple(v.as_list())
    if isinstance(v, (int, np.integer)):
        return (int(v),)
    if getattr(v, "_is_symbolic_tensor", False) or (isinstance(v, (list, tuple)) and any(
            getattr(d, "_is_symbolic_tensor", False) for d in v)):
        return tuple(int(d) for d in np.asarray(_static(v)).reshape(-1))
    return tuple(int(d) for d in v)


def _is_dynamic(v) -> bool:
    """True for a shape argument holding a symbolic tensor whose value is unknown at trace time."""
    parts = v if isinstance(v, (list, tuple)) else [v]
    return any(getattr(p, "_is_symbolic_tensor", False) and p._static_value() is None for p in parts)


def _shape_tensor(v):
    """A dynamic shape argument as a 1-D int64 tensor (TF passes shapes as tensor inputs too)."""
    if isinstance(v, (list, tuple)):
        parts = [math_ops.cast(_t(p), dtypes.int64) for p in v]
        return bind("Pack", parts, {"axis": 0})
    return math_ops.cast(_t(v), dtypes.int64)


def _shape_value(spec) -> tuple | None:
    """What is known of a 1-D shape input: a tuple with None for unknown entries, or None."""
    if type(spec) is Tensor:
        return tuple(int(d) for d in np.asarray(spec._value).reshape(-1))
    known = spec._static_value() if getattr(spec, "_is_symbolic_tensor", False) else None
    if known is not None:
        return tuple(int(d) for d in np.asarray(known).reshape(-1))
    node = getattr(spec, "node", None)
    if node is not None and node.op.name == "Cast":
        return _shape_value(node.inputs[0])
    if node is not None and node.op.name == "Shape":
        return sh.dims(node.inputs[0])
    if node is not None and node.op.name == "Pack":
        out = []
        for p in node.inputs:
            v = _shape_value(p)
            out.append(v[0] if v is not None and len(v) == 1 else None)
        return tuple(out)
    d = sh.dims(spec)
    if d is None or len(d) != 1 or d[0] is None:
        return None
    return (None,) * d[0]


def _static(v):
    """The trace-time value of a symbolic shape-like argument, or a clear error."""
    parts = v if isinstance(v, (list, tuple)) else [v]
    values = []
    for p in parts:
        sv = p._static_value() if getattr(p, "_is_symbolic_tensor", False) else np.asarray(p)
        if sv is None:
            raise TypeError("Shape argument %r must be known when the tf.function is traced: tensorforge keeps "
                            "shapes as static attrs (use static shapes or an input_signature with known "
                            "dimensions)." % (p,))
        values.append(np.asarray(sv).reshape(-1))
    return np.concatenate(values) if isinstance(v, (list, tuple)) else values[0]


# ---------------------------------------------------------------- ZerosLike / OnesLike / Fill
def _zeros_like_kernel(xp, x):
    if x.dtype == object:  # tf.string: the empty string
        return xp.full(x.shape, b"", dtype=object)
    return xp.zeros_like(x)


register("ZerosLike", kernel=_zeros_like_kernel, infer=lambda s, a: [(sh.dims(s[0]), s[0].dtype)],
         grad=NON_DIFFERENTIABLE, api="tf.zeros_like",
         samples=lambda: [([S.normal(2, 3)], {}), ([np.array([b"a", b"bc"], dtype=object)], {})])
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
    if len(specs) == 2:  # dims is an input tensor
        return [(_shape_value(specs[1]), specs[0].dtype)]
    return [(tuple(attrs["dims"]), specs[0].dtype)]


register("Fill", kernel=lambda xp, value, dims: xp.full(tuple(dims), value, dtype=value.dtype), infer=_fill_infer,
         grad=lambda op, dy: [math_ops.reduce_sum(dy)] + [None] * (len(op.inputs) - 1), api="tf.fill",
         args=("value", "dims"),
         samples=lambda: [([S.scalar(1.5, np.float64)], {"dims": (2, 3)}),
                          ([S.scalar(1.5, np.float64), np.array([3, 2], np.int64)], {})])


@tf_export("fill")
def fill(dims, value, name=None) -> Tensor:
    """A tensor of shape `dims` filled with the scalar `value` (tf.fill)."""
    if _is_dynamic(dims):
        return bind("Fill", [_t(value), _shape_tensor(dims)], {})
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
    d = sh.same_dtype("tf.stack", "Pack", specs, ["values[%d]" % i for i in _pyrange(len(specs))])
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


def _any_ragged(values) -> bool:
    """Whether a list of inputs holds a RaggedTensor (TF dispatches those ops to tf.ragged's)."""
    return isinstance(values, (list, tuple)) and any(type(v).__name__ == "RaggedTensor" for v in values)


@tf_export("stack")
def stack(values, axis=0, name="stack") -> Tensor:
    """Stacks a list of rank-R tensors into one rank-(R+1) tensor (tf.stack)."""
    if _any_ragged(values):
        from . import ragged_ops
        return ragged_ops.stack(values, axis)
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
    d = sh.same_dtype("tf.concat", "ConcatV2", specs, ["values[%d]" % i for i in _pyrange(len(specs))])
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
    if None in sizes:  # run-time sizes: SplitV with a size_splits input
        sizes = [shape(x)[axis] if d is None else d for x, d in zip(op.inputs, sizes)]
        return list(bind("SplitV", [dy, _shape_tensor(sizes)], {"axis": axis, "num_split": len(sizes)}))
    return split(dy, sizes, axis=axis)


register("ConcatV2", kernel=lambda xp, *xs, axis: xp.concatenate(xs, axis=axis), infer=_concat_infer,
         grad=_concat_grad, api="tf.concat", args=("values",),
         samples=lambda: [([S.normal(2, 3), S.normal(2, 2)], {"axis": 1})])


@tf_export("concat")
def concat(values, axis, name="concat") -> Tensor:
    """Concatenates tensors along `axis` (tf.concat)."""
    if _any_ragged(values):
        from . import ragged_ops
        return ragged_ops.concat(values, axis)
    vals = [_t(v) for v in values]
    if len(vals) == 1:
        return identity(vals[0])
    return bind("ConcatV2", vals, {"axis": int(axis)})


def _split_kernel(xp, x, sizes, axis, num_split=None):
    if type(sizes) is not tuple:  # the run-time size_splits input
        sizes = tuple(int(d) for d in sizes)
        if sum(sizes) != x.shape[axis]:
            _split_infer([_Spec(x.shape, None)], {"sizes": sizes, "axis": axis})
    return tuple(xp.split(x, np.cumsum(sizes)[:-1], axis=axis))


def _split_infer(specs, attrs):
    s = sh.dims(specs[0])
    if len(specs) == 2:  # size_splits is an input tensor; num_split outputs
        sizes = _shape_value(specs[1])
        sizes = (None,) * attrs["num_split"] if sizes is None or len(sizes) != attrs["num_split"] else sizes
        if s is None:
            return [(None, specs[0].dtype)] * len(sizes)
        axis = sh.normalize_axis(attrs["axis"], len(s), "tf.split", "SplitV")
        return [(s[:axis] + (z,) + s[axis + 1:], specs[0].dtype) for z in sizes]
    axis = sh.normalize_axis(attrs["axis"], len(s), "tf.split", "SplitV")
    if s[axis] is not None and sum(attrs["sizes"]) != s[axis]:
        raise sh.error("tf.split", "SplitV", "Determined shape must either match input shape along split_dim "
                       "exactly if fully specified, or be less than the size of the input along split_dim if not "
                       "fully specified.  Got: %d (argument value shape %s, num_or_size_splits %s)"
                       % (sum(attrs["sizes"]), sh.fmt(s), list(attrs["sizes"])))
    return [(s[:axis] + (n,) + s[axis + 1:], specs[0].dtype) for n in attrs["sizes"]]


register("SplitV", kernel=_split_kernel, infer=_split_infer,
         grad=lambda op, *dys: [concat(list(dys), axis=op.attrs["axis"])] + [None] * (len(op.inputs) - 1),
         api="tf.split", num_outputs=-1, args=("value", "size_splits"),
         samples=lambda: [([S.normal(4, 3)], {"sizes": (1, 3), "axis": 0}),
                          ([S.normal(4, 3), np.array([2, 1], np.int32)], {"axis": 1, "num_split": 2})])


@tf_export("split")
def split(value, num_or_size_splits, axis=0, num=None, name="split") -> list:
    """Splits `value` along `axis` into equal parts or parts of given sizes (tf.split)."""
    x = _t(value)
    axis = int(axis)
    dim = x.shape[axis]
    if isinstance(num_or_size_splits, (int, np.integer)) or (isinstance(num_or_size_splits, Tensor)
                                                              and num_or_size_splits.ndim == 0):
        n = int(num_or_size_splits)
        if dim is None:  # the size is known at run time only: SplitV with a size_splits input
            part = math_ops.floordiv(shape(x)[axis], n)
            return list(bind("SplitV", [x, _shape_tensor([part] * n)], {"axis": axis, "num_split": n}))
        if dim % n:
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
    xs = dynamic_shape(x, "tf.tile's gradient")
    # dy viewed as [m0, x0, m1, x1, ...] and summed over the multiples axes.
    split_shape = [v for pair in zip(m, xs) for v in pair]
    return [math_ops.reduce_sum(reshape(dy, split_shape), axis=list(_pyrange(0, 2 * len(xs), 2)))]


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
    if len(specs) == 2:  # the shape is an input tensor
        v = _shape_value(specs[1])
        if v is None or None in v:
            return [(v, specs[0].dtype)]
        attrs = {"shape": v}
    target = tuple(attrs["shape"])
    sh.broadcast_shapes(sh.dims(specs[0]), target, "tf.broadcast_to", "BroadcastTo", ("input", "shape"))
    s = sh.dims(specs[0])
    if s is not None and (len(s) > len(target) or any(
            a not in (1, b) and None not in (a, b) for a, b in zip(s[::-1], target[::-1]))):
        raise sh.error("tf.broadcast_to", "BroadcastTo", "Unable to broadcast tensor of shape %s to tensor of shape %s"
                       % (sh.fmt(s), sh.fmt(target)))
    return [(target, specs[0].dtype)]


register("BroadcastTo", kernel=lambda xp, x, shape: xp.array(xp.broadcast_to(x, tuple(shape))),
         infer=_broadcast_to_infer,
         grad=lambda op, dy: [math_ops.unbroadcast(dy, op.inputs[0].shape, op.inputs[0])] + [None] * (len(op.inputs) - 1),
         api="tf.broadcast_to", args=("input", "shape"),
         samples=lambda: [([S.normal(3, 1)], {"shape": (2, 3, 4)}),
                          ([S.normal(3, 1), np.array([2, 3, 4], np.int64)], {})])


@tf_export("broadcast_to")
def broadcast_to(input, shape, name=None) -> Tensor:  # noqa: A002
    """Broadcasts `input` to `shape` (tf.broadcast_to)."""
    if _is_dynamic(shape):
        return bind("BroadcastTo", [_t(input), _shape_tensor(shape)], {})
    return bind("BroadcastTo", [_t(input)], {"shape": _int_tuple(shape)})


# ---------------------------------------------------------------- IndexedSlices to dense
def indexed_slices_to_dense(s: IndexedSlices, dtype=None, name=None) -> Tensor:
    """Sums the rows of an IndexedSlices into a dense tensor of its dense_shape."""
    ds = s.dense_shape
    dims = _const(ds) if not isinstance(ds, (list, tuple)) else np.asarray(ds)
    if dims is not None:
        return math_ops.unsorted_segment_sum(s.values, s.indices, int(np.asarray(dims).reshape(-1)[0]))
    if ds is None:
        raise TypeError("IndexedSlices without a dense_shape cannot be made dense: %r" % (s,))
    # The number of rows is known at run time only: UnsortedSegmentSum's num_segments input.
    out = math_ops.unsorted_segment_sum(s.values, s.indices, _t(ds)[0])
    known = _shape_value(_t(ds))
    if known is not None:
        out.set_shape(known)
    return out


register_tensor_conversion_function(IndexedSlices, indexed_slices_to_dense)


# ================================================================ helpers shared below
def _const(spec):
    """The NumPy value of `spec` when it is known: an eager tensor, or a symbolic tensor whose
    value is fixed at trace time (a constant, a static shape). Else None."""
    if type(spec) is Tensor:
        return spec._value
    static = getattr(spec, "_static_value", None)
    if static is not None:
        v = static()
        return None if v is None else np.asarray(v)
    return None


def _static_dims(x) -> list:
    """The static shape of tensor `x` as a list (ints or None)."""
    d = x.shape._dims
    if d is None:
        raise ValueError("this operation needs a tensor of known rank, got %s" % x)
    return list(d)


def _prod(vals) -> int:
    n = 1
    for v in vals:
        n *= v
    return n


def dynamic_shape(x, op_name: str = "this gradient") -> list:
    """The shape of `x` for gradient code: a list of ints when it is fully known (the fast,
    static path); inside a graph with unknown dimensions, a list holding the known dims as
    ints and each unknown one as a scalar int32 tensor read at run time (tf.shape(x)[i]).
    reshape/fill/zeros/broadcast_to/scatter_nd accept such lists. Unknown rank raises."""
    d = x.shape._dims
    if d is None:
        raise ValueError("%s needs a tensor of known rank, got %s" % (op_name, x))
    if None not in d:
        return list(d)
    s = shape(x)
    return [bind("StridedSlice", [s], _SCALAR_AT[i]) if v is None else v for i, v in enumerate(d)]


class _ScalarAt(dict):
    def __missing__(self, i):
        v = self[i] = {"begin": (i,), "end": (i + 1,), "strides": (1,), "begin_mask": 0, "end_mask": 0,
                       "ellipsis_mask": 0, "new_axis_mask": 0, "shrink_axis_mask": 1}
        return v


_SCALAR_AT = _ScalarAt()  # StridedSlice attrs taking element i of a vector


def _dyn_prod(vals):
    """The product of ints and scalar int tensors: an int when all are ints."""
    n = 1
    for v in vals:
        if type(n) is int:
            n = n * v if type(v) is int else (v if n == 1 else math_ops.multiply(v, n))
        else:
            n = math_ops.multiply(n, v)
    return n


def _is_static(*dims) -> bool:
    return all(type(d) is int for d in dims)


def _int(v) -> int:
    """A scalar argument (Python int, NumPy integer, 0-d tensor) as a Python int."""
    if isinstance(v, Tensor):
        return int(v._value)
    return int(v)


def _check_index_dtype(api, op_name, spec, name="indices", allowed=(dtypes.int16, dtypes.int32, dtypes.int64)):
    if spec.dtype not in allowed:
        raise sh.error(api, op_name, "Value for attr 'Tindices' of %s is not in the list of allowed values: %s "
                       "(argument %s)" % (spec.dtype.name, ", ".join(d.name for d in allowed), name))


def _same_shape_infer(specs, attrs):
    return [(sh.dims(specs[0]), specs[0].dtype)]


# ---------------------------------------------------------------- Size / Rank / ShapeN
register("Size", kernel=lambda xp, x, out_type: xp.asarray(x.size, dtype=out_type.as_numpy_dtype),
         infer=lambda s, a: [((), a["out_type"])], grad=NON_DIFFERENTIABLE, api="tf.size", args=("input",),
         samples=lambda: [([S.normal(2, 3)], {"out_type": dtypes.int32}), ([S.normal(4)], {"out_type": dtypes.int64})])


@tf_export("size")
def size(input, out_type=dtypes.int32, name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """The number of elements of `input`, as a scalar of `out_type` (tf.size)."""
    return bind("Size", [_t(input)], {"out_type": dtypes.as_dtype(out_type)})


register("Rank", kernel=lambda xp, x: xp.asarray(x.ndim, dtype=np.int32), infer=lambda s, a: [((), dtypes.int32)],
         grad=NON_DIFFERENTIABLE, api="tf.rank", args=("input",), samples=lambda: [([S.normal(2, 3)], {})])


@tf_export("rank")
def rank(input, name=None) -> Tensor:  # noqa: A002
    """The rank (number of dimensions) of `input`, as an int32 scalar (tf.rank)."""
    return bind("Rank", [_t(input)])


@tf_export("shape_n")
def shape_n(input, out_type=dtypes.int32, name=None) -> list:  # noqa: A002
    """The shapes of a list of tensors (tf.shape_n)."""
    return [shape(x, out_type) for x in input]


# ---------------------------------------------------------------- Transpose
def _transpose_infer(api, op_name):
    def infer(specs, attrs):
        s = sh.dims(specs[0])
        perm = attrs["perm"]
        if s is None:
            return [(tuple(None for _ in perm) if perm else None, specs[0].dtype)]
        if len(perm) != len(s):
            raise sh.error(api, op_name, "transpose expects a vector of size %d. But input(1) is a vector of size %d "
                           "(argument a shape %s, perm %s)" % (len(s), len(perm), sh.fmt(s), list(perm)))
        for p in perm:
            if not 0 <= p < len(s):
                raise sh.error(api, op_name, "%d is out of range [0 .. %d)" % (p, len(s)))
        for i in _pyrange(len(s)):
            if i not in perm:
                raise sh.error(api, op_name, "%d is missing from {%s}." % (i, ",".join(str(p) for p in perm)))
        return [(tuple(s[p] for p in perm), specs[0].dtype)]
    return infer


def _inverse_perm(perm) -> tuple:
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return tuple(inv)


register("Transpose", kernel=lambda xp, x, perm: xp.transpose(x, perm), infer=_transpose_infer("tf.transpose", "Transpose"),
         grad=lambda op, dy: [bind("Transpose", [dy], {"perm": _inverse_perm(op.attrs["perm"])})],
         api="tf.transpose", args=("a",),
         samples=lambda: [([S.normal(2, 3, 4)], {"perm": (2, 0, 1)}), ([S.normal(3, 4)], {"perm": (1, 0)})])
register("ConjugateTranspose", kernel=lambda xp, x, perm: xp.conj(xp.transpose(x, perm)),
         infer=_transpose_infer("tf.transpose", "ConjugateTranspose"),
         grad=lambda op, dy: [bind("ConjugateTranspose", [dy], {"perm": _inverse_perm(op.attrs["perm"])})],
         api="tf.transpose", args=("a",),
         samples=lambda: [([S.normal(2, 3) + 1j * S.normal(2, 3)], {"perm": (1, 0)}),
                          ([S.normal(3, 2)], {"perm": (1, 0)})])


@tf_export("transpose")
def transpose(a, perm=None, conjugate=False, name="transpose") -> Tensor:
    """Permutes the dimensions of `a` by `perm` (reversed when None) (tf.transpose).

    With `conjugate=True` complex values are also conjugated (ConjugateTranspose).
    """
    x = _t(a)
    if perm is None:
        r = x.shape.rank
        if r is None:
            raise ValueError("tf.transpose with perm=None needs a tensor of known rank")
        perm = tuple(_pyrange(r - 1, -1, -1))
    else:
        perm = _int_tuple(perm)
    if conjugate and x.dtype.is_complex:
        return bind("ConjugateTranspose", [x], {"perm": perm})
    return bind("Transpose", [x], {"perm": perm})


# ---------------------------------------------------------------- Squeeze / ExpandDims
def _squeeze_infer(specs, attrs):
    s = sh.dims(specs[0])
    axes = attrs["squeeze_dims"]
    if s is None:
        return [(None, specs[0].dtype)]
    r = len(s)
    norm = set()
    for a in axes:
        if not -r <= a < r:
            raise sh.error("tf.squeeze", "Squeeze", "Tried to squeeze dim index %d for tensor with %d dimensions." % (a, r))
        a %= r
        if s[a] is not None and s[a] != 1:
            raise sh.error("tf.squeeze", "Squeeze", "Can not squeeze dim[%d], expected a dimension of 1, got %d "
                           "(argument input shape %s)" % (a, s[a], sh.fmt(s)))
        norm.add(a)
    if not axes:
        if None in s:
            return [(None, specs[0].dtype)]
        return [(tuple(d for d in s if d != 1), specs[0].dtype)]
    return [(tuple(d for i, d in enumerate(s) if i not in norm), specs[0].dtype)]


def _reshape_like(dy, x):
    """`dy` reshaped to the shape of `x` (static when known)."""
    d = x.shape._dims
    if d is not None and None not in d:
        return reshape(dy, d)
    return reshape(dy, shape(x))


def _squeeze_kernel(xp, x, squeeze_dims):
    if not squeeze_dims:
        return xp.reshape(x, tuple(d for d in x.shape if d != 1))
    return xp.squeeze(x, axis=squeeze_dims)


register("Squeeze", kernel=_squeeze_kernel, infer=_squeeze_infer, grad=lambda op, dy: [_reshape_like(dy, op.inputs[0])],
         api="tf.squeeze", args=("input",),
         samples=lambda: [([S.normal(1, 3, 1)], {"squeeze_dims": ()}), ([S.normal(1, 3, 1)], {"squeeze_dims": (-1,)})])


@tf_export("squeeze")
def squeeze(input, axis=None, name=None) -> Tensor:  # noqa: A002
    """Removes dimensions of size 1 (all of them, or those in `axis`) (tf.squeeze)."""
    if axis is None:
        axes = ()
    elif isinstance(axis, (int, np.integer)):
        axes = (int(axis),)
    else:
        axes = _int_tuple(axis)
    return bind("Squeeze", [_t(input)], {"squeeze_dims": axes})


def _expand_dims_infer(specs, attrs):
    s = sh.dims(specs[0])
    if s is None:
        return [(None, specs[0].dtype)]
    r = len(s)
    a = attrs["axis"]
    if not -r - 1 <= a <= r:
        raise sh.error("tf.expand_dims", "ExpandDims", "Tried to expand dim index %d for tensor with %d dimensions."
                       % (a, r))
    a = a % (r + 1)
    return [(s[:a] + (1,) + s[a:], specs[0].dtype)]


register("ExpandDims", kernel=lambda xp, x, axis: xp.expand_dims(x, axis), infer=_expand_dims_infer,
         grad=lambda op, dy: [_reshape_like(dy, op.inputs[0])], api="tf.expand_dims", args=("input",),
         samples=lambda: [([S.normal(2, 3)], {"axis": -1}), ([S.normal(2, 3)], {"axis": 1})])


@tf_export("expand_dims")
def expand_dims(input, axis, name=None) -> Tensor:  # noqa: A002
    """Inserts a dimension of size 1 at index `axis` (tf.expand_dims)."""
    return bind("ExpandDims", [_t(input)], {"axis": _int(axis)})


# ---------------------------------------------------------------- StridedSlice / Slice / __getitem__
_SS_ATTRS = ("begin", "end", "strides", "begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")
_NEW_AXIS, _SHRINK = -1, -2


def _ss_error(msg):
    return sh.error("tf.strided_slice", "StridedSlice", msg)


@functools.lru_cache(maxsize=4096)
def _strided_plan(shape, begin, end, strides, begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask):
    """TF's strided-slice semantics for an input of `shape` (ints, None for unknown).

    Returns (NumPy index tuple, output shape). The index is only meaningful when every
    dimension is known. Raises TF's errors for out-of-range indices and bad specs.
    """
    n = len(begin)
    if len(end) != n or len(strides) != n:
        raise _ss_error("Expected begin, end, and strides to be 1D equal size tensors, but got shapes [%d], [%d], "
                        "and [%d] instead." % (n, len(end), len(strides)))
    if ellipsis_mask & (ellipsis_mask - 1):
        raise _ss_error("Multiple ellipses in slice spec not allowed")
    rank = len(shape)
    nsparse = n
    if not ellipsis_mask:  # an implicit ellipsis at the end
        ellipsis_mask = 1 << n
        nsparse = n + 1
    ell = ellipsis_mask.bit_length() - 1
    add_after = sum(1 for i in _pyrange(ell + 1, n) if new_axis_mask >> i & 1)
    dense = []  # per input dim: (begin, end, stride, begin masked, end masked, shrink)
    final = []  # per output entry: dense index, _NEW_AXIS, or (_SHRINK, dense index)
    for i in _pyrange(nsparse):
        bit = 1 << i
        if ellipsis_mask & bit:
            stop = min(rank - (nsparse - i) + 1 + add_after, rank)
            while len(dense) < stop:
                final.append(len(dense))
                dense.append((0, 0, 1, True, True, False))
        elif new_axis_mask & bit:
            final.append(_NEW_AXIS)
        else:
            if len(dense) == rank:
                raise _ss_error("Index out of range using input dim %d; input has only %d dims" % (rank, rank))
            shrink = bool(shrink_axis_mask & bit)
            final.append((_SHRINK, len(dense)) if shrink else len(dense))
            dense.append((begin[i], end[i], strides[i], bool(begin_mask & bit), bool(end_mask & bit), shrink))
    sizes, index = [], []
    for d, (b, e, s, bm, em, shrink) in enumerate(dense):
        dim = shape[d]
        if s == 0:
            raise _ss_error("strides[%d] must be non-zero" % d)
        if shrink and s <= 0:
            raise _ss_error("only stride 1 allowed on non-range indexing.")
        if dim is None:
            sizes.append(1 if shrink else None)
            index.append(None)
            continue
        if shrink:
            x = b + dim if b < 0 else b
            if not 0 <= x < dim:
                raise _ss_error("slice index %d of dimension %d out of bounds." % (x, d))
            sizes.append(1)
            index.append(x)
            continue
        lo, hi = (0, dim) if s > 0 else (-1, dim - 1)
        if bm:
            b = lo if s > 0 else hi
        else:
            b = b + dim if b < 0 else b
            b = lo if b < lo else hi if b > hi else b
        if em:
            e = hi if s > 0 else lo
        else:
            e = e + dim if e < 0 else e
            e = lo if e < lo else hi if e > hi else e
        length = e - b
        sizes.append(0 if length == 0 or (length < 0) != (s < 0) else -(-length // s))
        index.append(_pyslice(b, e if e >= 0 else None, s))
    out_shape, np_index = [], []
    for f in final:
        if f == _NEW_AXIS:
            out_shape.append(1)
            np_index.append(None)
        elif type(f) is tuple:
            np_index.append(index[f[1]])
        else:
            out_shape.append(sizes[f])
            np_index.append(index[f])
    return tuple(np_index), tuple(out_shape)


def _ss_args(attrs):
    return tuple(attrs[k] for k in _SS_ATTRS)


def _strided_slice_infer(specs, attrs):
    s = sh.dims(specs[0])
    if s is None:
        return [(None, specs[0].dtype)]
    return [(_strided_plan(s, *_ss_args(attrs))[1], specs[0].dtype)]


def _strided_slice_kernel(xp, x, **attrs):
    idx = _strided_plan(x.shape, *_ss_args(attrs))[0]
    out = x[idx]
    if type(out) is not np.ndarray:  # a single element: keep a 0-d array of the same dtype
        out = np.array(out, dtype=x.dtype)
    return out


def _strided_slice_grad(op, dy):
    x = op.inputs[0]
    attrs = dict(op.attrs)
    d = x.shape._dims
    if d is None or None in d:  # the input's shape is only known at run time: pass it as an input
        return [bind("StridedSliceGrad", [dy, shape(x)], attrs)]
    attrs["shape"] = d
    return [bind("StridedSliceGrad", [dy], attrs)]


register("StridedSlice", kernel=_strided_slice_kernel, infer=_strided_slice_infer, grad=_strided_slice_grad,
         api="tf.strided_slice", args=("input_",),
         samples=lambda: [([S.normal(4, 5)], _ss_attrs((0, 1), (4, 5), (2, 2))),
                          ([S.normal(4, 5)], _ss_attrs((-1, 0), (0, 0), (-1, 1), end_mask=1, shrink_axis_mask=2)),
                          ([S.normal(3, 4, 2)], _ss_attrs((0, 0, 1), (0, 0, 2), (1, 1, 1), ellipsis_mask=2,
                                                           new_axis_mask=1)),
                          ([S.normal(3, 4)], _ss_attrs((1, 0), (2, 0), (1, 1), shrink_axis_mask=1, end_mask=2))])


def _ss_attrs(begin, end, strides, begin_mask=0, end_mask=0, ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0):
    return {"begin": begin, "end": end, "strides": strides, "begin_mask": begin_mask, "end_mask": end_mask,
            "ellipsis_mask": ellipsis_mask, "new_axis_mask": new_axis_mask, "shrink_axis_mask": shrink_axis_mask}


def _strided_slice_grad_kernel(xp, dy, shape, **attrs):
    if type(shape) is not tuple:  # the run-time shape input
        shape = tuple(int(d) for d in shape)
    out = xp.zeros(shape, dtype=dy.dtype)
    out[_strided_plan(shape, *_ss_args(attrs))[0]] = dy
    return out


def _strided_slice_grad_grad(op, ddx):
    attrs = {k: op.attrs[k] for k in _SS_ATTRS}
    return [bind("StridedSlice", [ddx], attrs)] + [None] * (len(op.inputs) - 1)


def _strided_slice_grad_infer(specs, attrs):
    if len(specs) == 2:  # the shape is an input tensor
        return [(_shape_value(specs[1]), specs[0].dtype)]
    return [(tuple(attrs["shape"]), specs[0].dtype)]


register("StridedSliceGrad", kernel=_strided_slice_grad_kernel,
         infer=_strided_slice_grad_infer, grad=_strided_slice_grad_grad,
         api="tf.raw_ops.StridedSliceGrad", args=("dy", "shape"),
         samples=lambda: [([S.normal(2, 2)], dict(_ss_attrs((0, 1), (4, 5), (2, 2)), shape=(4, 5))),
                          ([S.normal(2, 2), np.array([4, 5], np.int32)], _ss_attrs((0, 1), (4, 5), (2, 2))),
                          ([S.normal(4)], dict(_ss_attrs((-1, 0), (0, 0), (-1, 1), end_mask=1, shrink_axis_mask=2),
                                               shape=(4, 5)))])


@tf_export("strided_slice")
def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0, new_axis_mask=0,
                  shrink_axis_mask=0, var=None, name=None) -> Tensor:
    """Extracts a strided slice of `input_` (tf.strided_slice).

    `begin`, `end` and `strides` give one entry per slice-spec position; the masks mark
    entries whose begin/end are ignored (full range), the ellipsis, new axes of size 1,
    and indices that remove their dimension, as in TF.
    """
    begin = _int_tuple(begin)
    end = _int_tuple(end)
    strides = (1,) * len(begin) if strides is None else _int_tuple(strides)
    return bind("StridedSlice", [_t(input_)], {
        "begin": begin, "end": end, "strides": strides, "begin_mask": int(begin_mask), "end_mask": int(end_mask),
        "ellipsis_mask": int(ellipsis_mask), "new_axis_mask": int(new_axis_mask),
        "shrink_axis_mask": int(shrink_axis_mask)})


_SLICE_TYPE_ERROR = ("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                     "tf.int32/tf.int64 tensors are valid indices")
_INDEX_DTYPES = (dtypes.int16, dtypes.int32, dtypes.int64)
_DYNAMIC = object()


def _is_symbolic(v) -> bool:
    return getattr(v, "_is_symbolic_tensor", False)


def _index_value(v):
    """A slice-spec index as a Python int; _DYNAMIC for a symbolic int scalar; else TypeError."""
    if isinstance(v, numbers.Integral):
        return int(v)
    if hasattr(v, "_as_tensor") and not isinstance(v, Tensor):
        v = v._as_tensor()
    dt = getattr(v, "dtype", None)
    if dt is not None and v.shape is not None and len(v.shape) == 0:
        try:
            d = dtypes.as_dtype(dt)
        except (TypeError, ValueError, KeyError):
            d = None
        if d in _INDEX_DTYPES:
            if _is_symbolic(v):
                return _DYNAMIC
            return int(np.asarray(v._value if isinstance(v, Tensor) else v))
    raise TypeError(_SLICE_TYPE_ERROR + ", got %r" % (v,))


def _is_bool_mask(spec) -> bool:
    if type(spec) is bool:
        return True
    dt = getattr(spec, "dtype", None)
    if isinstance(spec, Tensor) or _is_symbolic(spec):
        return dt is dtypes.bool
    return isinstance(spec, np.ndarray) and dt == np.bool_


def slice_helper(tensor, slice_spec, var=None):
    """Tensor.__getitem__ with TF's semantics (ints, slices, `...`, tf.newaxis, scalar int tensors).

    A boolean tensor (or NumPy array, or Python bool) as the whole key applies
    tf.boolean_mask, as in TF. Out-of-range integer indices raise InvalidArgumentError.
    """
    x = tensor if type(tensor) is Tensor else _t(tensor)
    if _is_bool_mask(slice_spec):
        return boolean_mask(x, slice_spec)
    if not isinstance(slice_spec, (list, tuple)):
        slice_spec = (slice_spec,)
    begin, end, strides = [], [], []
    begin_mask = end_mask = ellipsis_mask = new_axis_mask = shrink_axis_mask = 0
    dynamic = []  # (position in spec, spec entry) resolved after the static slice
    for i, s in enumerate(slice_spec):
        bit = 1 << i
        if type(s) is _pyslice:
            parts = []
            for v, default in ((s.start, 0), (s.stop, 0), (s.step, 1)):
                parts.append(default if v is None else _index_value(v))
            if _DYNAMIC in parts:
                dynamic.append((i, s))
                parts = [0, 0, 1]
                begin_mask |= bit
                end_mask |= bit
            else:
                if s.start is None:
                    begin_mask |= bit
                if s.stop is None:
                    end_mask |= bit
            begin.append(parts[0])
            end.append(parts[1])
            strides.append(parts[2])
        elif s is Ellipsis:
            begin.append(0)
            end.append(0)
            strides.append(1)
            ellipsis_mask |= bit
        elif s is None:
            begin.append(0)
            end.append(0)
            strides.append(1)
            new_axis_mask |= bit
        else:
            v = _index_value(s)
            if v is _DYNAMIC:
                dynamic.append((i, s))
                begin.append(0)
                end.append(0)
                begin_mask |= bit
                end_mask |= bit
            else:
                begin.append(v)
                end.append(v + 1)
                shrink_axis_mask |= bit
            strides.append(1)
    out = bind("StridedSlice", [x], {
        "begin": tuple(begin), "end": tuple(end), "strides": tuple(strides), "begin_mask": begin_mask,
        "end_mask": end_mask, "ellipsis_mask": ellipsis_mask, "new_axis_mask": new_axis_mask,
        "shrink_axis_mask": shrink_axis_mask})
    if dynamic:
        out = _dynamic_slices(out, slice_spec, dynamic, x.shape.rank)
    return out


def _dynamic_slices(out, spec, dynamic, in_rank):
    """Applies the spec entries that hold symbolic tensors, as gathers along their output axes."""
    if in_rank is None:
        raise ValueError("slicing with a symbolic index needs a tensor of known rank")
    consumed = sum(1 for s in spec if s is not None and s is not Ellipsis)
    axis_of, pos = {}, 0
    for i, s in enumerate(spec):
        if s is Ellipsis:
            pos += in_rank - consumed
        elif s is None or type(s) is _pyslice:
            axis_of[i] = pos
            pos += 1
        else:
            if any(i == j for j, _ in dynamic):
                axis_of[i] = pos
                pos += 1
    for i, s in reversed(dynamic):
        ax = axis_of[i]
        dim = out.shape[ax]
        dim = shape(out)[ax] if dim is None else dim
        if type(s) is not _pyslice:
            idx = _t(s)
            idx = where(math_ops.less(idx, 0), math_ops.add(idx, math_ops.cast(dim, idx.dtype)), idx)
            out = gather(out, idx, axis=ax)
            continue
        step = 1 if s.step is None else _index_value(s.step)
        if step is _DYNAMIC:
            raise TypeError("slicing with a symbolic step is not supported; got %r" % (s,))
        lo, hi = (0, dim) if step > 0 else (-1, math_ops.subtract(dim, 1))

        def canon(v, default, lo=lo, hi=hi, dim=dim):
            if v is None:
                return _t(default, dtypes.int32) if not isinstance(default, Tensor) else default
            v = math_ops.cast(_t(v), dtypes.int32)
            v = where(math_ops.less(v, 0), math_ops.add(v, dim), v)
            return math_ops.minimum(math_ops.maximum(v, lo), hi)
        b = canon(s.start, lo if step > 0 else hi)
        e = canon(s.stop, hi if step > 0 else lo)
        e = math_ops.maximum(e, b) if step > 0 else math_ops.minimum(e, b)
        out = gather(out, range(b, e, step), axis=ax)
    return out


def _slice_infer(specs, attrs):
    s = sh.dims(specs[0])
    if len(specs) == 3:  # begin and size as run-time inputs (known sizes still give static dims)
        begin_v, size_v = _const(specs[1]), _const(specs[2])
        if begin_v is None or size_v is None:
            n = sh.dims(specs[1])[0] if sh.dims(specs[1]) else (len(s) if s is not None else None)
            if n is None:
                return [(None, specs[0].dtype)]
            sizes = [None] * n if size_v is None else [None if int(z) == -1 else int(z) for z in size_v.reshape(-1)]
            return [(tuple(sizes), specs[0].dtype)]
        attrs = {"begin": tuple(int(b) for b in begin_v.reshape(-1)), "size": tuple(int(z) for z in size_v.reshape(-1))}
    begin, size_ = attrs["begin"], attrs["size"]
    if s is None:
        return [(tuple(None if z == -1 else z for z in size_), specs[0].dtype)]
    if len(begin) != len(s) or len(size_) != len(s):
        raise sh.error("tf.slice", "Slice", "Expected begin and size arguments to be 1-D tensors of size %d, but got "
                       "shapes [%d] and [%d] instead." % (len(s), len(begin), len(size_)))
    out = []
    for i, (d, b, z) in enumerate(zip(s, begin, size_)):
        if d is None:
            out.append(None if z == -1 else z)
            continue
        if not 0 <= b <= d:
            raise sh.error("tf.slice", "Slice", "Expected begin[%d] in [0, %d], but got %d" % (i, d, b))
        if z == -1:
            z = d - b
        if not 0 <= z <= d - b:
            raise sh.error("tf.slice", "Slice", "Expected size[%d] in [0, %d], but got %d" % (i, d - b, z))
        out.append(z)
    return [(tuple(out), specs[0].dtype)]


def _slice_kernel(xp, x, begin, size):
    if len(begin) != x.ndim or len(size) != x.ndim or any(
            not 0 <= b <= d or not (z == -1 or 0 <= z <= d - b) for d, b, z in zip(x.shape, begin, size)):
        _slice_infer([_Spec(x.shape, None)], {"begin": begin, "size": size})
    return x[tuple(_pyslice(b, None if z == -1 else b + z) for b, z in zip(begin, size))]


def _slice_grad(op, dy):
    x = op.inputs[0]
    if len(op.inputs) == 3:  # run-time begin: pad dy back to x's shape with run-time paddings
        begin = math_ops.cast(op.inputs[1], dtypes.int32)
        after = math_ops.subtract(math_ops.subtract(shape(x), begin), shape(dy))
        return [bind("Pad", [dy, stack([begin, after], axis=1)]), None, None]
    xs = _static_dims(x)
    out = dy.shape.as_list()
    if None in xs or None in out:  # run-time shapes: Slice is the strided slice [begin, begin + size)
        begin, size_ = op.attrs["begin"], op.attrs["size"]
        end_mask = sum(1 << i for i, z in enumerate(size_) if z == -1)
        attrs = _ss_attrs(begin, tuple(0 if z == -1 else b + z for b, z in zip(begin, size_)), (1,) * len(begin),
                          end_mask=end_mask)
        return [bind("StridedSliceGrad", [dy, shape(x)], attrs)]
    return [pad(dy, [[b, d - b - z] for b, d, z in zip(op.attrs["begin"], xs, out)])]


register("Slice", kernel=_slice_kernel, infer=_slice_infer, grad=_slice_grad, api="tf.slice", args=("input_",),
         samples=lambda: [([S.normal(4, 5)], {"begin": (1, 0), "size": (2, 3)}),
                          ([S.normal(3, 4, 2)], {"begin": (1, 1, 0), "size": (-1, 2, -1)})])


@tf_export("slice")
def slice(input_, begin, size, name=None) -> Tensor:  # noqa: A001 - TF's name
    """The `size`-shaped slice of `input_` starting at `begin`; size -1 takes the rest (tf.slice).

    `begin` and `size` may be tensors known only at run time (inside tf.function or tf.data).
    """
    x = _t(input_)
    try:
        return bind("Slice", [x], {"begin": _int_tuple(begin), "size": _int_tuple(size)})
    except TypeError:
        if not (_run_time(begin) or _run_time(size)):
            raise
    return bind("Slice", [x, _index_vector(begin), _index_vector(size)])


def _autopack(values, dtype=None):
    """A nested list of tensors and Python numbers as one tensor (Pack ops), in the dtype of its
    first tensor (or `dtype`), as TF converts such lists."""
    def first_dtype(v):
        if isinstance(v, (list, tuple)):
            for x in v:
                d = first_dtype(x)
                if d is not None:
                    return d
            return None
        return getattr(v, "dtype", None) if _is_symbolic(v) or isinstance(v, Tensor) else None

    dtype = dtypes.as_dtype(dtype) if dtype is not None else first_dtype(values)

    def pack(v):
        if isinstance(v, (list, tuple)):
            return stack([pack(x) for x in v]) if v else _t(np.zeros((0,)), dtype)
        return _t(v, dtype)
    return pack(values)


_convert_module.AUTOPACK = _autopack


def _run_time(v) -> bool:
    """Whether a shape-like argument (a tensor, or a nested list) holds a value known only at run time."""
    if isinstance(v, (list, tuple)):
        return any(_run_time(p) for p in v)
    return _is_symbolic(v) and _const(v) is None


def _index_vector(v):
    """A begin/size/paddings argument as an int32/int64 tensor (lists may mix ints and tensors)."""
    t = _t(v)
    return t if t.dtype in (dtypes.int32, dtypes.int64) else math_ops.cast(t, dtypes.int32)


# ---------------------------------------------------------------- GatherV2
def _gather_infer(specs, attrs):
    p, i = sh.dims(specs[0]), sh.dims(specs[1])
    _check_index_dtype("tf.gather", "GatherV2", specs[1])
    axis, bd = attrs["axis"], attrs["batch_dims"]
    if p is None or i is None:
        return [(None, specs[0].dtype)]
    if axis >= len(p):
        raise sh.error("tf.gather", "GatherV2", "Shape must be at least rank %d but is rank %d (argument params shape %s, "
                       "axis %d)" % (axis + 1, len(p), sh.fmt(p), axis))
    if bd > len(i):
        raise sh.error("tf.gather", "GatherV2", "batch_dims (%d) must be less than or equal to rank(indices) (%d)."
                       % (bd, len(i)))
    if bd >= len(p):
        raise sh.error("tf.gather", "GatherV2", "batch_dims (%d) must be less than rank(params) (%d)." % (bd, len(p)))
    if bd > axis:
        raise sh.error("tf.gather", "GatherV2", "batch_dims (%d) must be less than or equal to axis (%d)." % (bd, axis))
    for k in _pyrange(bd):
        if p[k] is not None and i[k] is not None and p[k] != i[k]:
            raise sh.error("tf.gather", "GatherV2", "params.shape[%d]: %d should be equal to indices.shape[%d]: %d "
                           "(argument params shape %s, indices shape %s)" % (k, p[k], k, i[k], sh.fmt(p), sh.fmt(i)))
    return [(p[:axis] + i[bd:] + p[axis + 1:], specs[0].dtype)]


def _index_text(indices, pos) -> str:
    return ",".join(str(int(v)) for v in pos) if indices.ndim else ""


def _check_gather_indices(indices, n):
    if indices.size and (indices.min() < 0 or indices.max() >= n):
        pos = np.argwhere((indices < 0) | (indices >= n))[0]
        raise sh.error("tf.gather", "GatherV2", "indices[%s] = %d is not in [0, %d)"
                       % (_index_text(indices, pos), indices[tuple(pos)], n))


def _gather_kernel(xp, params, indices, axis, batch_dims):
    _check_gather_indices(indices, params.shape[axis])
    if batch_dims == 0:
        return xp.take(params, indices, axis=axis)
    ps = params.shape
    if ps[:batch_dims] != indices.shape[:batch_dims] or batch_dims > axis:
        _gather_infer([_Spec(ps, dtypes.float32), _Spec(indices.shape, dtypes.int32)],
                      {"axis": axis, "batch_dims": batch_dims})
    bshape, ashape, rshape = ps[:batch_dims], ps[batch_dims:axis], ps[axis + 1:]
    ishape = indices.shape[batch_dims:]
    nb, na = _prod(bshape), _prod(ashape)
    p = params.reshape((nb, na, ps[axis], _prod(rshape)))
    i = indices.reshape(nb, _prod(ishape))
    out = p[xp.arange(nb)[:, None, None], xp.arange(na)[None, :, None], i[:, None, :]]
    return out.reshape(bshape + ashape + ishape + rshape)


def _gather_grad(op, dy):
    params, indices = op.inputs
    axis, bd = op.attrs["axis"], op.attrs["batch_dims"]
    p = dynamic_shape(params, "tf.gather's gradient")
    if axis == 0:
        values = reshape(dy, [-1] + p[1:])
        return [IndexedSlices(values, reshape(indices, [-1]), shape(params)), None]
    bshape, ashape, n, rshape = p[:bd], p[bd:axis], p[axis], p[axis + 1:]
    ishape = dynamic_shape(indices, "tf.gather's gradient")[bd:]
    nb, na, ni, nr = _dyn_prod(bshape), _dyn_prod(ashape), _dyn_prod(ishape), _dyn_prod(rshape)
    g = transpose(reshape(dy, [nb, na, ni, nr]), [0, 2, 1, 3])
    g = reshape(g, [_dyn_prod([nb, ni]), na, nr])
    ids = reshape(indices, [nb, ni])
    if not _is_static(nb) or nb > 1:
        nbn = _dyn_prod([nb, n])
        step = n if type(n) is int else math_ops.cast(n, ids.dtype)
        limit = nbn if type(nbn) is int else math_ops.cast(nbn, ids.dtype)
        ids = math_ops.add(ids, reshape(range(0, limit, step, dtype=ids.dtype), [nb, 1]))
    seg = math_ops.unsorted_segment_sum(g, reshape(ids, [-1]), _dyn_prod([nb, n]))
    seg = transpose(reshape(seg, [nb, n, na, nr]), [0, 2, 1, 3])
    return [reshape(seg, p), None]


register("GatherV2", kernel=_gather_kernel, infer=_gather_infer, grad=_gather_grad, api="tf.gather",
         args=("params", "indices"),
         samples=lambda: [([S.normal(4, 3), S.ints(0, 4, 5)], {"axis": 0, "batch_dims": 0}),
                          ([S.normal(4, 3, 2), S.ints(0, 3, 2, 2)], {"axis": 1, "batch_dims": 0}),
                          ([S.normal(2, 5), S.ints(0, 5, 2, 3)], {"axis": 1, "batch_dims": 1}),
                          ([S.normal(2, 3, 4, 2), S.ints(0, 4, 2, 3).astype(np.int64)], {"axis": 2, "batch_dims": 1})])


@tf_export("gather")
def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None) -> Tensor:
    """Gathers slices of `params` along `axis` at `indices` (tf.gather).

    `batch_dims` leading dimensions are batch dimensions shared by `params` and `indices`.
    Out-of-range indices raise InvalidArgumentError. The gradient with respect to `params`
    is a tf.IndexedSlices when axis is 0.
    """
    p = _t(params)
    i = _t(indices)
    bd = int(batch_dims)
    if bd < 0:
        if i.shape.rank is None:
            raise ValueError("tf.gather with negative batch_dims needs indices of known rank")
        bd += i.shape.rank
    if axis is None:
        axis = bd
    axis = _int(axis)
    if axis < 0:
        r = p.shape.rank
        if r is None:
            raise ValueError("tf.gather with a negative axis needs params of known rank")
        if axis < -r:
            raise sh.error("tf.gather", "GatherV2", "Expected axis in the range [%d, %d), but got %d" % (-r, r, axis))
        axis += r
    return bind("GatherV2", [p, i], {"axis": axis, "batch_dims": bd})


# ---------------------------------------------------------------- GatherNd
def _gather_nd_infer(specs, attrs):
    p, i = sh.dims(specs[0]), sh.dims(specs[1])
    _check_index_dtype("tf.gather_nd", "GatherNd", specs[1])
    bd = attrs["batch_dims"]
    if p is None or i is None or i[-1:] == (None,):
        return [(None, specs[0].dtype)]
    if not i:
        raise sh.error("tf.gather_nd", "GatherNd", "indices must be at least a vector")
    k = i[-1]
    if k > len(p) - bd:
        raise sh.error("tf.gather_nd", "GatherNd", "index innermost dimension length must be <= params rank; saw: %d vs. %d"
                       % (k, len(p) - bd))
    for j in _pyrange(bd):
        if p[j] is not None and i[j] is not None and p[j] != i[j]:
            raise sh.error("tf.gather_nd", "GatherNd", "Batch dimensions of params and indices differ: params shape %s, "
                           "indices shape %s" % (sh.fmt(p), sh.fmt(i)))
    return [(i[:-1] + p[bd + k:], specs[0].dtype)]


def _gather_nd_kernel(xp, params, indices, batch_dims):
    ps, ish = params.shape, indices.shape
    if not ish or ish[-1] > len(ps) - batch_dims or ps[:batch_dims] != ish[:batch_dims]:
        _gather_nd_infer([_Spec(ps, dtypes.float32), _Spec(ish, dtypes.int32)], {"batch_dims": batch_dims})
    k = ish[-1]
    bshape = ps[:batch_dims]
    nb = _prod(bshape)
    ni = _prod(ish[batch_dims:-1])
    inner = ps[batch_dims:batch_dims + k]
    idx = indices.reshape(nb, ni, k)
    if idx.size:
        bad = ((idx < 0) | (idx >= np.asarray(inner, dtype=np.int64))).any(axis=-1)
        if bad.any():
            pos = int(np.argwhere(bad.reshape(-1))[0][0])
            raise sh.error("tf.gather_nd", "GatherNd", "indices[%d] = [%s] does not index into param shape %s"
                           % (pos, ", ".join(str(int(v)) for v in idx.reshape(-1, k)[pos]), sh.fmt(ps)))
    p = params.reshape((nb,) + ps[batch_dims:])
    if k == 0:
        out = xp.broadcast_to(p[:, None], (nb, ni) + ps[batch_dims:])
    else:
        out = p[(xp.arange(nb)[:, None],) + tuple(idx[..., j] for j in _pyrange(k))]
    return xp.ascontiguousarray(out).reshape(ish[:-1] + ps[batch_dims + k:])


def _gather_nd_grad(op, dy):
    params, indices = op.inputs
    bd = op.attrs["batch_dims"]
    p = dynamic_shape(params, "tf.gather_nd's gradient")
    if bd == 0:
        return [scatter_nd(indices, dy, p), None]
    ish = dynamic_shape(indices, "tf.gather_nd's gradient")
    k = indices.shape[-1]
    if k is None:
        raise ValueError("tf.gather_nd's gradient needs indices whose last dimension is known, got %s" % indices)
    nb, ni = _dyn_prod(p[:bd]), _dyn_prod(ish[bd:-1])
    idx = reshape(indices, [nb, ni, k])
    nb_ = nb if type(nb) is int else math_ops.cast(nb, idx.dtype)
    rows = broadcast_to(reshape(range(nb_, dtype=idx.dtype), [nb, 1, 1]), [nb, ni, 1])
    full = concat([rows, idx], axis=-1)
    g = reshape(dy, [nb, ni] + p[bd + k:])
    return [reshape(scatter_nd(full, g, [nb] + p[bd:]), p), None]


register("GatherNd", kernel=_gather_nd_kernel, infer=_gather_nd_infer, grad=_gather_nd_grad, api="tf.gather_nd",
         args=("params", "indices"),
         samples=lambda: [([S.normal(3, 4, 2), np.array([[0, 1], [2, 3], [0, 1], [1, 0]], np.int32)], {"batch_dims": 0}),
                          ([S.normal(3, 4), np.array([[2], [0]], np.int64)], {"batch_dims": 0}),
                          ([S.normal(2, 3, 4), np.array([[[1, 2], [0, 0]], [[2, 3], [2, 3]]], np.int32)],
                           {"batch_dims": 1})])


@tf_export("gather_nd")
def gather_nd(params, indices, batch_dims=0, name=None) -> Tensor:
    """Gathers slices of `params` addressed by the innermost dimension of `indices` (tf.gather_nd)."""
    return bind("GatherNd", [_t(params), _t(indices)], {"batch_dims": int(batch_dims)})


# ---------------------------------------------------------------- ScatterNd / TensorScatter*
def _scatter_check_shapes(api, op_name, ishape, ushape, target):
    """TF's shape rule: updates.shape == indices.shape[:-1] + shape[indices.shape[-1]:]."""
    if ishape is None or ushape is None or target is None or not ishape or ishape[-1] is None:
        return
    k = ishape[-1]
    if k > len(target):
        raise sh.error(api, op_name, "Output must have at least %d dimensions (indices.shape[-1]), got shape %s"
                       % (k, sh.fmt(target)))
    want = tuple(ishape[:-1]) + tuple(target[k:])
    if len(want) != len(ushape) or any(a != b and None not in (a, b) for a, b in zip(want, ushape)):
        raise sh.error(api, op_name, "Dimensions of indices and updates do not match: updates.shape must be "
                       "indices.shape[:-1] + shape[indices.shape[-1]:] = %s, but indices shape %s, updates shape %s, "
                       "shape %s" % (sh.fmt(want), sh.fmt(ishape), sh.fmt(ushape), sh.fmt(target)))


def _scatter_positions(api, op_name, indices, shape):
    """The flat row positions of `indices` over the first K dims of `shape`, bounds-checked."""
    k = indices.shape[-1]
    idx = indices.reshape(-1, k)
    lead = shape[:k]
    if idx.size:
        bad = ((idx < 0) | (idx >= np.asarray(lead, dtype=np.int64))).any(axis=-1)
        if bad.any():
            pos = int(np.argwhere(bad)[0][0])
            raise sh.error(api, op_name, "indices[%d] = [%s] does not index into shape %s"
                           % (pos, ", ".join(str(int(v)) for v in idx[pos]), sh.fmt(shape)))
    if k == 0:
        return np.zeros(idx.shape[0], dtype=np.intp)
    return np.ravel_multi_index(tuple(idx.T), lead) if idx.size else np.zeros(0, dtype=np.intp)


def _scatter_into(out, positions, updates, k, mode):
    rows = out.reshape((_prod(out.shape[:k]),) + out.shape[k:])
    upd = updates.reshape((len(positions),) + out.shape[k:])
    if mode == "update":
        rows[positions] = upd
    elif mode == "add":
        np.add.at(rows, positions, upd)
    elif mode == "sub":
        np.subtract.at(rows, positions, upd)
    elif mode == "max":
        np.maximum.at(rows, positions, upd)
    else:
        np.minimum.at(rows, positions, upd)
    return out


def _scatter_nd_kernel(xp, indices, updates, shape):
    if type(shape) is not tuple:  # the run-time shape input
        shape = tuple(int(d) for d in shape)
    _scatter_check_shapes("tf.scatter_nd", "ScatterNd", indices.shape, updates.shape, tuple(shape))
    pos = _scatter_positions("tf.scatter_nd", "ScatterNd", indices, tuple(shape))
    out = xp.zeros(shape, dtype=updates.dtype)
    return _scatter_into(out, pos, updates, indices.shape[-1], "add")


def _scatter_nd_infer(specs, attrs):
    _check_index_dtype("tf.scatter_nd", "ScatterNd", specs[0])
    target = _shape_value(specs[2]) if len(specs) == 3 else tuple(attrs["shape"])
    _scatter_check_shapes("tf.scatter_nd", "ScatterNd", sh.dims(specs[0]), sh.dims(specs[1]), target)
    return [(target, specs[1].dtype)]


register("ScatterNd", kernel=_scatter_nd_kernel, infer=_scatter_nd_infer,
         grad=lambda op, dy: [None, gather_nd(dy, op.inputs[0])] + [None] * (len(op.inputs) - 2), api="tf.scatter_nd",
         args=("indices", "updates", "shape"),
         samples=lambda: [([np.array([[1], [3], [1], [0]], np.int32), S.normal(4, 2)], {"shape": (6, 2)}),
                          ([np.array([[1], [0]], np.int32), S.normal(2, 3), np.array([4, 3], np.int32)], {}),
                          ([np.array([[1, 0], [2, 1]], np.int64), S.normal(2)], {"shape": (3, 2)})])


@tf_export("scatter_nd")
def scatter_nd(indices, updates, shape, name=None) -> Tensor:
    """A zero tensor of `shape` with `updates` added at `indices` (duplicates sum) (tf.scatter_nd)."""
    if _is_dynamic(shape):
        return bind("ScatterNd", [_t(indices), _t(updates), _shape_tensor(shape)], {})
    return bind("ScatterNd", [_t(indices), _t(updates)], {"shape": _int_tuple(shape)})


def _tensor_scatter_infer(api, op_name):
    def infer(specs, attrs):
        _check_index_dtype(api, op_name, specs[1])
        sh.same_dtype(api, op_name, [specs[0], specs[2]], ("tensor", "updates"))
        _scatter_check_shapes(api, op_name, sh.dims(specs[1]), sh.dims(specs[2]), sh.dims(specs[0]))
        return [(sh.dims(specs[0]), specs[0].dtype)]
    return infer


def _tensor_scatter_kernel(api, op_name, mode):
    def kernel(xp, tensor, indices, updates):
        _scatter_check_shapes(api, op_name, indices.shape, updates.shape, tensor.shape)
        pos = _scatter_positions(api, op_name, indices, tensor.shape)
        return _scatter_into(tensor.copy(), pos, updates, indices.shape[-1], mode)
    return kernel


def _tensor_scatter_update_grad(op, dy):
    indices, updates = op.inputs[1], op.inputs[2]
    return [tensor_scatter_nd_update(dy, indices, zeros_like(updates)), None, gather_nd(dy, indices)]


def _tensor_scatter_minmax_grad(op, dy):
    x, indices, updates = op.inputs
    out = op.outputs[0]
    x_ind = math_ops.cast(math_ops.equal(x, out), dy.dtype)
    u_ind = math_ops.cast(math_ops.equal(updates, gather_nd(out, indices)), dy.dtype)
    count = math_ops.add(x_ind, scatter_nd(indices, u_ind, dynamic_shape(x, "tf.tensor_scatter_nd_max's gradient")))
    dx = math_ops.divide(math_ops.multiply(dy, x_ind), count)
    du = math_ops.multiply(gather_nd(math_ops.divide(dy, count), indices), u_ind)
    return [dx, None, du]


_TENSOR_SCATTER = {
    "TensorScatterUpdate": ("tensor_scatter_nd_update", "update", _tensor_scatter_update_grad),
    "TensorScatterAdd": ("tensor_scatter_nd_add", "add", lambda op, dy: [dy, None, gather_nd(dy, op.inputs[1])]),
    "TensorScatterSub": ("tensor_scatter_nd_sub", "sub",
                         lambda op, dy: [dy, None, math_ops.negative(gather_nd(dy, op.inputs[1]))]),
    "TensorScatterMax": ("tensor_scatter_nd_max", "max", _tensor_scatter_minmax_grad),
    "TensorScatterMin": ("tensor_scatter_nd_min", "min", _tensor_scatter_minmax_grad),
}
for _op_name, (_fn, _mode, _grad) in _TENSOR_SCATTER.items():
    register(_op_name, kernel=_tensor_scatter_kernel("tf." + _fn, _op_name, _mode),
             infer=_tensor_scatter_infer("tf." + _fn, _op_name), grad=_grad, api="tf." + _fn,
             args=("tensor", "indices", "updates"),
             samples=lambda: [([S.distinct(4, 3), np.array([[0], [2]], np.int32), S.distinct(2, 3) + 0.1], {}),
                              ([S.distinct(3, 2), np.array([[1, 1], [0, 1], [2, 0]], np.int64), S.distinct(3) + 0.05], {})])
del _op_name, _fn, _mode, _grad


def _tensor_scatter(op_name, tensor, indices, updates):
    t = _t(tensor)
    u = updates if isinstance(updates, Tensor) else _t(updates, dtype_hint=t.dtype)
    return bind(op_name, [t, _t(indices), u])


@tf_export("tensor_scatter_nd_update")
def tensor_scatter_nd_update(tensor, indices, updates, name=None) -> Tensor:
    """A copy of `tensor` with the slices at `indices` replaced by `updates` (tf.tensor_scatter_nd_update)."""
    return _tensor_scatter("TensorScatterUpdate", tensor, indices, updates)


@tf_export("tensor_scatter_nd_add")
def tensor_scatter_nd_add(tensor, indices, updates, name=None) -> Tensor:
    """A copy of `tensor` with `updates` added at `indices` (tf.tensor_scatter_nd_add)."""
    return _tensor_scatter("TensorScatterAdd", tensor, indices, updates)


@tf_export("tensor_scatter_nd_sub")
def tensor_scatter_nd_sub(tensor, indices, updates, name=None) -> Tensor:
    """A copy of `tensor` with `updates` subtracted at `indices` (tf.tensor_scatter_nd_sub)."""
    return _tensor_scatter("TensorScatterSub", tensor, indices, updates)


@tf_export("tensor_scatter_nd_max")
def tensor_scatter_nd_max(tensor, indices, updates, name=None) -> Tensor:
    """A copy of `tensor` with the element-wise max of it and `updates` at `indices` (tf.tensor_scatter_nd_max)."""
    return _tensor_scatter("TensorScatterMax", tensor, indices, updates)


@tf_export("tensor_scatter_nd_min")
def tensor_scatter_nd_min(tensor, indices, updates, name=None) -> Tensor:
    """A copy of `tensor` with the element-wise min of it and `updates` at `indices` (tf.tensor_scatter_nd_min)."""
    return _tensor_scatter("TensorScatterMin", tensor, indices, updates)


# ---------------------------------------------------------------- Pad / PadV2 / MirrorPad
def _paddings(v) -> tuple:
    """A paddings argument ([[before, after], ...] as list, array or tensor) as a tuple of int pairs."""
    arr = np.asarray(v._value if isinstance(v, Tensor) else v)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise sh.error("tf.pad", "Pad", "paddings must be a matrix with 2 columns: %s" % sh.fmt(arr.shape))
    return tuple((int(a), int(b)) for a, b in arr.tolist())


def _pad_infer(api, op_name, mode=None):
    def infer(specs, attrs):
        s = sh.dims(specs[0])
        if "paddings" not in attrs:  # Pad with run-time paddings: [x, paddings]
            known = _const(specs[1])
            if known is None:
                return [(None if s is None else tuple(None for _ in s), specs[0].dtype)]
            attrs, specs = {"paddings": tuple((int(a), int(b)) for a, b in known.reshape(-1, 2))}, specs[:1]
        p = attrs["paddings"]
        if len(specs) > 1 and sh.dims(specs[1]) not in (None, ()):
            raise sh.error(api, op_name, "constant_values must be a scalar. Shape of constant_values is %s"
                           % sh.fmt(sh.dims(specs[1])))
        if len(specs) > 1:
            sh.same_dtype(api, op_name, specs, ("tensor", "constant_values"))
        if s is None:
            return [(tuple(None for _ in p), specs[0].dtype)]
        if len(p) != len(s):
            raise sh.error(api, op_name, "The first dimension of paddings must be the rank of inputs[%d,2] %s"
                           % (len(p), sh.fmt(s)))
        for i, (a, b) in enumerate(p):
            if a < 0 or b < 0:
                raise sh.error(api, op_name, "Paddings must be non-negative: %d %d" % (a, b))
            d = s[i]
            if mode == "REFLECT" and d is not None and (a >= d or b >= d):
                raise sh.error(api, op_name, "paddings must be less than the dimension size: %d, %d not less than %d"
                               % (a, b, d))
            if mode == "SYMMETRIC" and d is not None and (a > d or b > d):
                raise sh.error(api, op_name, "paddings must be no greater than the dimension size: %d, %d greater "
                               "than %d" % (a, b, d))
        return [(tuple(None if d is None else d + a + b for d, (a, b) in zip(s, p)), specs[0].dtype)]
    return infer


def _pad_kernel(xp, x, constant_values=None, paddings=()):
    if len(paddings) != x.ndim:
        raise sh.error("tf.pad", "Pad", "The first dimension of paddings must be the rank of inputs[%d,2] %s"
                       % (len(paddings), sh.fmt(x.shape)))
    shape_ = tuple(d + a + b for d, (a, b) in zip(x.shape, paddings))
    if constant_values is None:
        fill_value = b"" if x.dtype == object else 0
    else:
        fill_value = constant_values
    out = xp.full(shape_, fill_value, dtype=x.dtype)
    out[tuple(_pyslice(a, a + d) for d, (a, _) in zip(x.shape, paddings))] = x
    return out


def _pad_grad(op, dy):
    x = op.inputs[0]
    if "paddings" not in op.attrs:  # run-time paddings: the slice of dy at the paddings' starts
        begin = math_ops.cast(bind("StridedSlice", [op.inputs[1]], _ss_attrs((0, 0), (0, 1), (1, 1), begin_mask=1,
                                                                            end_mask=1, shrink_axis_mask=2)),
                              dtypes.int32)
        return [bind("Slice", [dy, begin, shape(x)]), None]
    paddings = op.attrs["paddings"]
    begin = tuple(a for a, _ in paddings)
    xs = _static_dims(x)
    if None in xs:  # run-time shapes: dy[a0:-b0, a1:-b1, ...]
        attrs = _ss_attrs(begin, tuple(-b for _, b in paddings), (1,) * len(paddings),
                          end_mask=sum(1 << i for i, (_, b) in enumerate(paddings) if b == 0))
        dx = bind("StridedSlice", [dy], attrs)
    else:
        dx = bind("Slice", [dy], {"begin": begin, "size": tuple(xs)})
    if len(op.inputs) == 1:
        return [dx]
    # PadV2: the padding cells all hold constant_values.
    return [dx, math_ops.subtract(math_ops.reduce_sum(dy), math_ops.reduce_sum(dx))]


register("Pad", kernel=lambda xp, x, paddings: _pad_kernel(xp, x, None, paddings), infer=_pad_infer("tf.pad", "Pad"),
         grad=_pad_grad, api="tf.pad", args=("tensor",),
         samples=lambda: [([S.normal(3, 4)], {"paddings": ((1, 2), (2, 1))}), ([S.normal(2)], {"paddings": ((0, 3),)})])
register("PadV2", kernel=lambda xp, x, c, paddings: _pad_kernel(xp, x, c, paddings), infer=_pad_infer("tf.pad", "PadV2"),
         grad=_pad_grad, api="tf.pad", args=("tensor", "constant_values"),
         samples=lambda: [([S.normal(3, 4), S.scalar(1.5, np.float64)], {"paddings": ((1, 0), (0, 2))})])


def _mirror_pad_kernel(xp, x, paddings, mode):
    _pad_infer("tf.pad", "MirrorPad", mode)([_Spec(x.shape, None)], {"paddings": paddings})
    return xp.pad(x, paddings, mode="reflect" if mode == "REFLECT" else "symmetric")


def _mirror_pad_grad_kernel(xp, dy, paddings, mode):
    off = 1 if mode == "REFLECT" else 0
    g = dy
    for ax, (a, b) in enumerate(paddings):
        if not a and not b:
            continue
        g = xp.moveaxis(g, ax, 0)
        n = g.shape[0] - a - b
        core = g[a:a + n].copy()
        if a:
            core[a - 1 + off - xp.arange(a)] += g[:a]
        if b:
            core[n - 1 - off - xp.arange(b)] += g[a + n:]
        g = xp.moveaxis(core, 0, ax)
    return xp.ascontiguousarray(g)


def _mirror_pad_grad_infer(specs, attrs):
    s = sh.dims(specs[0])
    if s is None:
        return [(None, specs[0].dtype)]
    return [(tuple(None if d is None else d - a - b for d, (a, b) in zip(s, attrs["paddings"])), specs[0].dtype)]


register("MirrorPad", kernel=_mirror_pad_kernel,
         infer=lambda s, a: _pad_infer("tf.pad", "MirrorPad", a["mode"])(s, a),
         grad=lambda op, dy: [bind("MirrorPadGrad", [dy], op.attrs)], api="tf.pad", args=("tensor",),
         samples=lambda: [([S.normal(3, 4)], {"paddings": ((1, 2), (2, 1)), "mode": "REFLECT"}),
                          ([S.normal(3, 4)], {"paddings": ((3, 2), (0, 4)), "mode": "SYMMETRIC"})])
register("MirrorPadGrad", kernel=_mirror_pad_grad_kernel, infer=_mirror_pad_grad_infer,
         grad=lambda op, ddx: [bind("MirrorPad", [ddx], op.attrs)], api="tf.raw_ops.MirrorPadGrad", args=("input",),
         samples=lambda: [([S.normal(6, 7)], {"paddings": ((1, 2), (2, 1)), "mode": "REFLECT"}),
                          ([S.normal(8, 8)], {"paddings": ((3, 2), (0, 4)), "mode": "SYMMETRIC"})])


@tf_export("pad")
def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None) -> Tensor:
    """Pads `tensor` by `paddings` ([[before, after]] per dimension) (tf.pad).

    `mode` is "CONSTANT" (with `constant_values`), "REFLECT" or "SYMMETRIC" (case-insensitive).
    """
    x = _t(tensor)
    m = str(mode).upper()
    if m == "CONSTANT" and _run_time(paddings) and not _is_symbolic(constant_values) and not isinstance(
            constant_values, (Tensor, np.ndarray)) and constant_values == 0:
        return bind("Pad", [x, _index_vector(paddings)])  # paddings known only at run time
    p = _paddings(paddings)
    if m == "CONSTANT":
        if not isinstance(constant_values, (Tensor, np.ndarray)) and not _is_symbolic(constant_values) \
                and constant_values == 0:
            return bind("Pad", [x], {"paddings": p})
        c = constant_values if isinstance(constant_values, Tensor) or _is_symbolic(constant_values) \
            else _t(constant_values, x.dtype)
        return bind("PadV2", [x, c], {"paddings": p})
    if m in ("REFLECT", "SYMMETRIC"):
        return bind("MirrorPad", [x], {"paddings": p, "mode": m})
    raise ValueError('Value of argument `mode` expected to be one of "CONSTANT", "REFLECT", or "SYMMETRIC". '
                     "Received `mode` = %s" % mode)


# ---------------------------------------------------------------- ReverseV2 / Roll
def _reverse_infer(specs, attrs):
    s = sh.dims(specs[0])
    if s is not None:
        for a in attrs["axis"]:
            if not 0 <= a < len(s):
                raise sh.error("tf.reverse", "ReverseV2", "'axis'[0] = %d is out of valid range [0, %d)" % (a, len(s)))
    return [(s, specs[0].dtype)]


register("ReverseV2", kernel=lambda xp, x, axis: xp.flip(x, axis) if axis else x, infer=_reverse_infer,
         grad=lambda op, dy: [bind("ReverseV2", [dy], op.attrs)], api="tf.reverse", args=("tensor",),
         samples=lambda: [([S.normal(3, 4)], {"axis": (1,)}), ([S.normal(2, 3, 2)], {"axis": (0, 2)})])


@tf_export("reverse")
def reverse(tensor, axis, name=None) -> Tensor:
    """Reverses `tensor` along the dimensions in `axis` (tf.reverse)."""
    x = _t(tensor)
    axes = _int_tuple(axis)
    r = x.shape.rank
    norm = []
    for a in axes:
        if r is not None:
            if not -r <= a < r:
                raise sh.error("tf.reverse", "ReverseV2", "'axis'[0] = %d is out of valid range [0, %d)" % (a, r))
            a %= r
        if a in norm:
            raise sh.error("tf.reverse", "ReverseV2", "axis %d specified more than once." % a)
        norm.append(a)
    return bind("ReverseV2", [x], {"axis": tuple(norm)})


def _roll_infer(specs, attrs):
    s = sh.dims(specs[0])
    if len(attrs["shift"]) != len(attrs["axis"]):
        raise sh.error("tf.roll", "Roll", "shift and axis must have the same size")
    if s is not None:
        for a in attrs["axis"]:
            if not -len(s) <= a < len(s):
                raise sh.error("tf.roll", "Roll", "axis %d is out of range for a tensor of rank %d" % (a, len(s)))
    return [(s, specs[0].dtype)]


def _roll_kernel(xp, x, shift, axis):
    if len(shift) != len(axis):
        raise sh.error("tf.roll", "Roll", "shift and axis must have the same size")
    return xp.roll(x, shift, axis) if axis else x


register("Roll", kernel=_roll_kernel, infer=_roll_infer,
         grad=lambda op, dy: [bind("Roll", [dy], {"shift": tuple(-s for s in op.attrs["shift"]),
                                                  "axis": op.attrs["axis"]})],
         api="tf.roll", args=("input",),
         samples=lambda: [([S.normal(3, 4)], {"shift": (1,), "axis": (0,)}),
                          ([S.normal(3, 4)], {"shift": (1, -2), "axis": (0, 1)})])


@tf_export("roll")
def roll(input, shift, axis, name=None) -> Tensor:  # noqa: A002
    """Rolls elements of `input` by `shift` along `axis` (tf.roll)."""
    return bind("Roll", [_t(input)], {"shift": _int_tuple(shift), "axis": _int_tuple(axis)})


# ---------------------------------------------------------------- SelectV2 / Where
def _select_infer(specs, attrs):
    c, x, y = specs
    if c.dtype is not dtypes.bool:
        raise sh.error("tf.where", "SelectV2", "cannot compute SelectV2 as input #0(zero-based) was expected to be a bool "
                       "tensor but is a %s tensor" % c.dtype.name)
    if x.dtype is not y.dtype:
        raise sh.error("tf.where", "SelectV2", "cannot compute SelectV2 as input #2(zero-based) was expected to be a %s "
                       "tensor but is a %s tensor" % (x.dtype.name, y.dtype.name))
    xy = sh.broadcast_shapes(sh.dims(x), sh.dims(y), "tf.where", "SelectV2", ("x", "y"))
    return [(sh.broadcast_shapes(sh.dims(c), xy, "tf.where", "SelectV2", ("condition", "x")), x.dtype)]


def _select_grad(op, dy):
    c, x, y = op.inputs
    zeros = zeros_like(dy)
    return [None, math_ops.unbroadcast(bind("SelectV2", [c, dy, zeros]), x.shape, x),
            math_ops.unbroadcast(bind("SelectV2", [c, zeros, dy]), y.shape, y)]


def _select_kernel(xp, c, x, y):
    if c.dtype != np.bool_:
        raise sh.error("tf.where", "SelectV2", "cannot compute SelectV2 as input #0(zero-based) was expected to be a "
                       "bool tensor but is a %s tensor" % dtypes.from_numpy(c.dtype).name)
    if (type(x) is np.ndarray and x.shape == c.shape and x.dtype == y.dtype and x.dtype.itemsize in _BITS
            and x.dtype.kind in "fiu" and (y.shape == () or y.shape == x.shape) and x.size >= 4096):
        # np.where branches per element and is slow on random masks (dropout); selecting by bit
        # masks is exact for every value (NaN, inf, -0.0 included) and about 3x faster.
        ut = _BITS[x.dtype.itemsize]
        m = np.negative(c.view(np.uint8), dtype=ut)  # all ones where c, zeros elsewhere
        out = np.bitwise_and(x.view(ut), m)
        yb = y.view(ut) if y.shape else np.asarray(y).reshape(1).view(ut)[0]
        if yb.any():
            np.bitwise_or(out, np.bitwise_and(yb, np.invert(m)), out=out)
        return out.view(x.dtype)
    out = xp.where(c, x, y)
    return out if out.dtype == x.dtype else out.astype(x.dtype)


_BITS = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


register("SelectV2", kernel=_select_kernel, infer=_select_infer, grad=_select_grad, api="tf.where",
         args=("condition", "x", "y"),
         samples=lambda: [([S.bools(3, 4), S.normal(3, 4), S.normal(3, 4)], {}),
                          ([S.bools(3, 1), S.normal(1, 4), S.normal(3, 4)], {})])


def _where_infer(specs, attrs):
    s = sh.dims(specs[0])
    v = _const(specs[0])
    n = None if v is None else int(np.count_nonzero(v))
    return [((n, None if s is None else len(s)), dtypes.int64)]


def _where_kernel(xp, x):
    if x.ndim == 0:
        raise sh.error("tf.where", "Where", "WhereOp : Unhandled input dimensions: 0")
    return xp.argwhere(x).astype(np.int64, copy=False)


register("Where", kernel=_where_kernel, infer=_where_infer,
         grad=NON_DIFFERENTIABLE, api="tf.where", args=("condition",),
         samples=lambda: [([S.bools(3, 4)], {}), ([S.ints(0, 2, 5)], {})])


@tf_export("where")
def where(condition, x=None, y=None, name=None) -> Tensor:
    """Elements of `x` where `condition` is true, else of `y`, with broadcasting (tf.where).

    With only `condition`, returns the int64 coordinates [num_true, rank] of its true
    (non-zero) elements.
    """
    if x is None and y is None:
        return bind("Where", [_t(condition)])
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    c = _t(condition)
    if math_ops._is_tensorish(x) and math_ops._is_tensorish(y):
        x, y = _t(x), _t(y)
        if x.dtype is not y.dtype:
            raise sh.error("tf.where", "SelectV2", "cannot compute SelectV2 as input #2(zero-based) was expected to be a "
                           "%s tensor but is a %s tensor" % (x.dtype.name, y.dtype.name))
    else:
        x, y = math_ops.binary_operands("SelectV2", x, y)
    return bind("SelectV2", [c, x, y])


# ---------------------------------------------------------------- Range / LinSpace
_RANGE_HIERARCHY = (dtypes.int32, dtypes.int64, dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64)
_RANGE_DTYPES = (dtypes.bfloat16, dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int8, dtypes.int16,
                 dtypes.int32, dtypes.int64, dtypes.uint16, dtypes.uint32, dtypes.uint64)


def _range_size(start, limit, delta) -> int:
    """TF's Range length for NumPy scalars start/limit/delta; raises TF's errors."""
    integer = np.asarray(start).dtype.kind in "iu"
    if integer:
        start, limit, delta = int(start), int(limit), int(delta)
    show = (lambda v: str(v)) if integer else (lambda v: "%g" % float(v))
    if delta == 0:
        raise sh.error("tf.range", "Range", "Requires delta != 0: %s" % show(delta))
    if delta > 0 and start > limit:
        raise sh.error("tf.range", "Range", "Requires start <= limit when delta > 0: %s/%s" % (show(start), show(limit)))
    if delta < 0 and start < limit:
        raise sh.error("tf.range", "Range", "Requires start >= limit when delta < 0: %s/%s" % (show(start), show(limit)))
    if integer:
        return (abs(limit - start) + abs(delta) - 1) // abs(delta)
    return int(np.ceil(np.abs((limit - start) / delta)))


def _range_kernel(xp, start, limit, delta):
    n = _range_size(start[()], limit[()], delta[()])
    dt = start.dtype
    return start + xp.arange(n).astype(dt) * delta


def _range_infer(specs, attrs):
    names = ("start", "limit", "delta")
    sh.same_dtype("tf.range", "Range", specs, names)
    sh.check_dtype("tf.range", "Range", specs[0], _RANGE_DTYPES, "start")
    for s, nm in zip(specs, names):
        d = sh.dims(s)
        if d not in (None, ()):
            raise sh.error("tf.range", "Range", "%s must be a scalar, not shape %s" % (nm, sh.fmt(d)))
    vals = [_const(s) for s in specs]
    n = None if any(v is None for v in vals) else _range_size(*(v[()] for v in vals))
    return [((n,), specs[0].dtype)]


register("Range", kernel=_range_kernel, infer=_range_infer, grad=NON_DIFFERENTIABLE, api="tf.range",
         args=("start", "limit", "delta"),
         samples=lambda: [([S.scalar(1), S.scalar(10), S.scalar(3)], {}),
                          ([S.scalar(0.0, np.float32), S.scalar(1.0, np.float32), S.scalar(0.25, np.float32)], {}),
                          ([S.scalar(5, np.int64), S.scalar(-3, np.int64), S.scalar(-2, np.int64)], {})])


@tf_export("range")
def range(start, limit=None, delta=1, dtype=None, name="range") -> Tensor:  # noqa: A001 - TF's name
    """A 1-D tensor [start, start + delta, ...) up to but excluding `limit` (tf.range).

    `tf.range(n)` counts from 0. Without `dtype`, the result takes the widest type of
    the arguments (int32 < int64 < float16 < bfloat16 < float32 < float64): Python ints
    give int32 and floats float32.
    """
    if limit is None:
        start, limit = 0, start
    dt = None if dtype is None else dtypes.as_dtype(dtype)
    args = [_range_arg(a, dt) for a in (start, limit, delta)]
    if dt is None:
        for a in args:
            if a.dtype not in _RANGE_HIERARCHY:
                raise TypeError("tf.range arguments must be int32, int64, float16, bfloat16, float32 or float64 "
                                "without `dtype`, got %s" % a.dtype.name)
        dt = max((a.dtype for a in args), key=_RANGE_HIERARCHY.index)
    args = [a if a.dtype is dt else math_ops.cast(a, dt) for a in args]
    return bind("Range", args)


def _range_arg(a, dt):
    t = type(a)
    if t is int and -2147483648 <= a <= 2147483647 and (dt is None or dt is dtypes.int32):
        return Tensor(np.asarray(a, np.int32), dtypes.int32)
    if t is float and (dt is None or dt is dtypes.float32):
        return Tensor(np.asarray(a, np.float32), dtypes.float32)
    if isinstance(a, Tensor) or _is_symbolic(a):
        return a
    return _t(a, dt)


def _linspace_kernel(xp, start, stop, num):
    if num < 0 or start.ndim or stop.ndim:
        raise sh.error("tf.linspace", "LinSpace", "Requires num >= 0 and scalar start/stop: num %d, start shape %s, "
                       "stop shape %s" % (num, sh.fmt(start.shape), sh.fmt(stop.shape)))
    dt = start.dtype
    steps = np.asarray(max(num - 1, 1)).astype(dt)
    delta = (stop - start) / steps
    out = start + delta * xp.arange(num).astype(dt)
    if num > 1:
        out[-1] = stop
    if num > 0:
        out[0] = start
    return out


def _linspace_infer(specs, attrs):
    sh.same_dtype("tf.linspace", "LinSpace", specs, ("start", "stop"))
    sh.check_dtype("tf.linspace", "LinSpace", specs[0], sh.FLOATS, "start")
    if attrs["num"] < 0:
        raise sh.error("tf.linspace", "LinSpace", "Requires num >= 0: %d" % attrs["num"])
    return [((attrs["num"],), specs[0].dtype)]


def _linspace_grad(op, dy):
    start = op.inputs[0]
    w = bind("LinSpace", [zeros([], start.dtype), ones([], start.dtype)], op.attrs)
    d_stop = math_ops.reduce_sum(math_ops.multiply(dy, w))
    return [math_ops.subtract(math_ops.reduce_sum(dy), d_stop), d_stop]


register("LinSpace", kernel=_linspace_kernel, infer=_linspace_infer, grad=_linspace_grad, api="tf.linspace",
         args=("start", "stop"),
         samples=lambda: [([S.scalar(-1.0, np.float64), S.scalar(2.5, np.float64)], {"num": 6}),
                          ([S.scalar(0.0, np.float32), S.scalar(1.0, np.float32)], {"num": 1})])


@tf_export("linspace")
def linspace(start, stop, num, name=None, axis=0) -> Tensor:
    """`num` evenly spaced values from `start` to `stop` inclusive, along `axis` (tf.linspace).

    `start` and `stop` may be tensors (broadcast together); integer inputs give float64.
    """
    start = _t(start)
    stop = _t(stop, start.dtype) if not isinstance(stop, Tensor) else stop
    if not start.dtype.is_floating:
        ft = dtypes.float64 if start.dtype.size >= 4 else dtypes.float32
        start, stop = math_ops.cast(start, ft), math_ops.cast(stop, ft)
    num = _int(num)
    if start.shape.rank == 0 and stop.shape.rank == 0 and axis in (0, -1):
        return bind("LinSpace", [start, stop], {"num": num})
    out_shape = broadcast_static_shape(start.shape, stop.shape)
    start = broadcast_to(start, out_shape)
    stop = broadcast_to(stop, out_shape)
    r = out_shape.rank + 1
    ax = sh.normalize_axis(int(axis), r, "tf.linspace", "LinSpace")
    es, ee = expand_dims(start, ax), expand_dims(stop, ax)
    delta = math_ops.divide(math_ops.subtract(ee, es), _t(max(num - 1, 1), es.dtype))
    mid = math_ops.cast(range(1, max(num - 1, 1)), es.dtype)
    mid = reshape(mid, [-1 if i == ax else 1 for i in _pyrange(r)])
    res = math_ops.add(es, math_ops.multiply(delta, mid))
    full = concat([es, res, ee], axis=ax)
    return bind("Slice", [full], {"begin": (0,) * r, "size": tuple(num if i == ax else -1 for i in _pyrange(r))})


# ---------------------------------------------------------------- StopGradient / EnsureShape / broadcast shapes
register("StopGradient", kernel=lambda xp, x: x, infer=_same_shape_infer, grad=NON_DIFFERENTIABLE,
         api="tf.stop_gradient", args=("input",), samples=lambda: [([S.normal(3)], {})])


@tf_export("stop_gradient")
def stop_gradient(input, name=None) -> Tensor:  # noqa: A002
    """Returns `input`, with no gradient flowing through it (tf.stop_gradient)."""
    return bind("StopGradient", [_t(input)])


def _ensure_shape_infer(specs, attrs):
    s = sh.dims(specs[0])
    want = attrs["shape"]
    if want is None:
        return [(s, specs[0].dtype)]
    if s is None:
        return [(tuple(want), specs[0].dtype)]
    if len(s) != len(want) or any(a is not None and b is not None and a != b for a, b in zip(s, want)):
        raise sh.error("tf.ensure_shape", "EnsureShape", "Shape of tensor input %s is not compatible with expected shape "
                       "%s." % (sh.fmt(s), sh.fmt(want)))
    return [(tuple(a if a is not None else b for a, b in zip(s, want)), specs[0].dtype)]


def _ensure_shape_kernel(xp, x, shape):
    _ensure_shape_infer([_Spec(x.shape, None)], {"shape": shape})
    return x


class _Spec:
    """A minimal spec (shape, dtype) for running inference helpers on raw arrays."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape_, dtype):
        from ..framework.tensor_shape import TensorShape
        self.shape = TensorShape(shape_)
        self.dtype = dtype


register("EnsureShape", kernel=_ensure_shape_kernel, infer=_ensure_shape_infer, grad=lambda op, dy: [dy],
         api="tf.ensure_shape", args=("x",),
         samples=lambda: [([S.normal(3, 4)], {"shape": (None, 4)}), ([S.normal(2)], {"shape": None})])


@tf_export("ensure_shape")
def ensure_shape(x, shape, name=None) -> Tensor:
    """Checks that `x` has a shape compatible with `shape` (None dims match anything) (tf.ensure_shape)."""
    from ..framework.tensor_shape import TensorShape
    s = shape if isinstance(shape, TensorShape) else TensorShape(None if shape is None else list(shape))
    return bind("EnsureShape", [_t(x)], {"shape": s._dims})


def _broadcast_args_infer(specs, attrs):
    sh.same_dtype("tf.broadcast_dynamic_shape", "BroadcastArgs", specs, ("s0", "s1"))
    a, b = sh.dims(specs[0]), sh.dims(specs[1])
    n = None if a is None or b is None or None in a + b else max(a[0], b[0])
    return [((n,), specs[0].dtype)]


def _broadcast_args_kernel(xp, s0, s1):
    a, b = tuple(int(v) for v in s0), tuple(int(v) for v in s1)
    try:
        out = sh.broadcast_shapes(a, b)
    except Exception:  # noqa: BLE001
        raise sh.error("tf.broadcast_dynamic_shape", "BroadcastArgs", "Incompatible shapes: %s vs. %s"
                       % (sh.fmt(a), sh.fmt(b))) from None
    return xp.asarray(out, dtype=s0.dtype).reshape(len(out))


register("BroadcastArgs", kernel=_broadcast_args_kernel, infer=_broadcast_args_infer, grad=NON_DIFFERENTIABLE,
         api="tf.broadcast_dynamic_shape", args=("s0", "s1"),
         samples=lambda: [([np.array([2, 1, 3], np.int32), np.array([4, 1], np.int32)], {})])


@tf_export("broadcast_dynamic_shape")
def broadcast_dynamic_shape(shape_x, shape_y) -> Tensor:
    """The broadcast of two shapes given as 1-D int tensors (tf.broadcast_dynamic_shape)."""
    if isinstance(shape_x, (list, tuple)) and not shape_x:
        shape_x = np.zeros(0, np.int32 if not isinstance(shape_y, Tensor) else shape_y.dtype.as_numpy_dtype)
    if isinstance(shape_y, (list, tuple)) and not shape_y:
        shape_y = np.zeros(0, np.int32)
    x = _t(shape_x, dtype_hint=dtypes.int32)
    return bind("BroadcastArgs", [x, _t(shape_y, x.dtype) if not isinstance(shape_y, Tensor) else shape_y])


@tf_export("broadcast_static_shape")
def broadcast_static_shape(shape_x, shape_y):
    """The broadcast of two TensorShapes (tf.broadcast_static_shape); ValueError when incompatible."""
    from ..framework.tensor_shape import TensorShape
    a, b = TensorShape(shape_x), TensorShape(shape_y)
    if a.rank is None or b.rank is None:
        return TensorShape(None)
    try:
        return TensorShape(sh.broadcast_shapes(a._dims, b._dims))
    except Exception:  # noqa: BLE001
        raise ValueError("Incompatible shapes for broadcasting. Two shapes are compatible if for each dimension pair "
                         "they are either equal or one of them is 1. Received: %s and %s." % (a, b)) from None


# ---------------------------------------------------------------- boolean_mask
@tf_export("boolean_mask")
def boolean_mask(tensor, mask, axis=None, name="boolean_mask") -> Tensor:
    """The elements (or slices along `axis`) of `tensor` where `mask` is true (tf.boolean_mask).

    `mask` covers dimensions axis .. axis + mask.rank of `tensor`; the result has those
    dimensions replaced by one of size count(mask).
    """
    x = _t(tensor)
    m = _t(mask)
    mdims = m.shape._dims
    if mdims is None:
        raise ValueError("Number of mask dimensions must be specified, even if some dimensions are None.  E.g. "
                         "shape=[None] is ok, but shape=None is not.")
    k = len(mdims)
    if k == 0:
        raise ValueError("mask cannot be scalar.")
    axis = 0 if axis is None else _int(axis)
    xd = _static_dims(x)
    if axis < 0:
        axis += len(xd)
    covered = xd[axis:axis + k]
    if len(covered) != k or any(a is not None and b is not None and a != b for a, b in zip(covered, mdims)):
        raise ValueError("Shapes %s and %s are incompatible" % (_shape_text(covered), _shape_text(mdims)))
    if k > 1:
        lead = None if None in covered else _prod(covered)
        x = reshape(x, xd[:axis] + [-1 if lead is None else lead] + xd[axis + k:])
        m = reshape(m, [-1])
    idx = squeeze(bind("Where", [m]), axis=[1])
    return gather(x, idx, axis=axis)


def _shape_text(dims) -> str:
    from ..framework.tensor_shape import TensorShape
    return str(TensorShape(list(dims)))


# ---------------------------------------------------------------- TopKV2 / sort / argsort
def _top_k_indices(x, k):
    """Indices of the k largest entries along the last axis; ties go to the lower index (as TF)."""
    n = x.shape[-1]
    if k == 0 or n == 0:
        return np.zeros(x.shape[:-1] + (k,), dtype=np.int64)
    if x.dtype.kind == "f" and np.isnan(x).any():  # NaN ranks below everything (sorts last, as TF's tf.sort)
        nan = np.isnan(x)
        pos = np.broadcast_to(np.arange(n), x.shape)
        return np.lexsort((pos, -np.where(nan, 0, x), nan), axis=-1)[..., :k]
    if k * 4 <= n and n >= 64:  # select the k largest first, then order only those
        kth = np.partition(x, n - k, axis=-1)[..., n - k:n - k + 1]
        take = x >= kth
        if not (np.count_nonzero(take, axis=-1) == k).all():  # ties at the k-th value: keep the lowest indices
            gt, eq = x > kth, x == kth
            take = gt | (eq & (np.cumsum(eq, axis=-1) <= k - gt.sum(axis=-1, keepdims=True)))
        cand = np.nonzero(take.reshape(-1, n))[1].reshape(x.shape[:-1] + (k,))
        return np.take_along_axis(cand, _desc_order(np.take_along_axis(x, cand, axis=-1)), axis=-1)
    return _desc_order(x)[..., :k]


def _desc_order(x):
    """A stable descending argsort along the last axis (equal values keep index order)."""
    n = x.shape[-1]
    order = (n - 1) - np.argsort(x[..., ::-1], axis=-1)[..., ::-1]  # fast; exact unless there are ties
    v = np.take_along_axis(x, order, axis=-1)
    if n > 1 and (v[..., 1:] == v[..., :-1]).any():
        order = (n - 1) - np.argsort(x[..., ::-1], axis=-1, kind="stable")[..., ::-1]
    return order


def _top_k_kernel(xp, x, k, sorted, index_type):  # noqa: A002 - TF's attr name
    if type(k) is not int:  # the run-time k input
        k = int(k)
    if x.ndim == 0 or k < 0 or x.shape[-1] < k:
        _top_k_infer([_Spec(x.shape, dtypes.from_numpy(x.dtype))], {"k": k, "index_type": index_type})
    idx = _top_k_indices(x, k)
    return xp.take_along_axis(x, idx, axis=-1), idx.astype(index_type.as_numpy_dtype)


def _top_k_infer(specs, attrs):
    s = sh.dims(specs[0])
    if len(specs) == 2:  # k is an input tensor
        k = _const(specs[1])
        k = None if k is None else int(k)
    else:
        k = attrs["k"]
    sh.check_dtype("tf.math.top_k", "TopKV2", specs[0], sh.REAL, "input")
    if k is not None and k < 0:
        raise sh.error("tf.math.top_k", "TopKV2", "Need k >= 0, got %d" % k)
    if s is None:
        return [(None, specs[0].dtype), (None, attrs["index_type"])]
    if not s:
        raise sh.error("tf.math.top_k", "TopKV2", "input must be >= 1-D, got shape %s" % sh.fmt(s))
    if s[-1] is not None and k is not None and s[-1] < k:
        raise sh.error("tf.math.top_k", "TopKV2", "input must have at least k columns. Had %d, needed %d" % (s[-1], k))
    out = s[:-1] + (k,)
    return [(out, specs[0].dtype), (out, attrs["index_type"])]


def _top_k_grad(op, dv, di):
    x = op.inputs[0]
    idx = op.outputs[1]
    xs = dynamic_shape(x, "tf.math.top_k's gradient")
    n, k = xs[-1], (op.inputs[1] if len(op.inputs) == 2 else op.attrs["k"])
    m = _dyn_prod(xs[:-1])
    idx2 = reshape(idx, [m, k])
    m_ = m if type(m) is int else math_ops.cast(m, idx2.dtype)
    rows = broadcast_to(reshape(range(m_, dtype=idx2.dtype), [m, 1]), [m, k])
    full = stack([rows, idx2], axis=-1)
    return [reshape(scatter_nd(full, reshape(dv, [m, k]), [m, n]), xs)] + [None] * (len(op.inputs) - 1)


register("TopKV2", kernel=_top_k_kernel, infer=_top_k_infer, grad=_top_k_grad, api="tf.math.top_k", num_outputs=2,
         args=("input",),
         samples=lambda: [([S.distinct(2, 6)], {"k": 3, "sorted": True, "index_type": dtypes.int32}),
                          ([S.distinct(7)], {"k": 7, "sorted": True, "index_type": dtypes.int32}),
                          ([np.array([[1, 3, 3, 2, 3]], np.int32)], {"k": 2, "sorted": True, "index_type": dtypes.int64}),
                          ([S.distinct(3, 5), np.array(2, np.int32)], {"sorted": True, "index_type": dtypes.int32})])


@tf_export("math.top_k", "nn.top_k")
def top_k(input, k=1, sorted=True, index_type=dtypes.int32, name=None):  # noqa: A002
    """The `k` largest entries along the last axis and their indices (tf.math.top_k).

    Returns a (values, indices) named tuple; equal values keep their order (lower index first).
    """
    if _is_symbolic(k) and k._static_value() is None:  # k known at run time only: TF's k input
        values, indices = bind("TopKV2", [_t(input), math_ops.cast(k, dtypes.int32)],
                               {"sorted": bool(sorted), "index_type": dtypes.as_dtype(index_type)})
        return _TopKV2(values, indices)
    values, indices = bind("TopKV2", [_t(input)], {"k": _int(k), "sorted": bool(sorted),
                                                    "index_type": dtypes.as_dtype(index_type)})
    return _TopKV2(values, indices)


_TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])


def _sort_impl(values, axis, direction, return_argsort):
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError("Argument `direction` should be one of ASCENDING, DESCENDING. Received: direction=%s" % direction)
    x = _t(values)
    r = x.shape.rank
    axis = _int(axis)
    if r is None:
        raise ValueError("tf.sort needs a tensor of known rank")
    if r == 0:
        raise sh.error("tf.sort", "TopKV2", "input must be >= 1-D, got shape []")
    axis = sh.normalize_axis(axis, r, "tf.sort", "TopKV2")
    perm = None
    if axis != r - 1:
        perm = list(_pyrange(r))
        perm[axis], perm[r - 1] = r - 1, axis
        x = transpose(x, perm)
    n = x.shape[-1]
    if n is None:
        n = shape(x)[-1]
    if direction == "DESCENDING":
        v, i = top_k(x, n)
        out = i if return_argsort else v
    else:
        d = x.dtype
        if d.is_unsigned:
            big = _t(np.iinfo(d.as_numpy_dtype).max, d)
            v, i = top_k(math_ops.subtract(big, x), n)
            out = i if return_argsort else math_ops.subtract(big, v)
        elif d.is_integer:
            v, i = top_k(math_ops.subtract(math_ops.negative(x), 1), n)
            out = i if return_argsort else math_ops.subtract(math_ops.negative(v), 1)
        else:
            v, i = top_k(math_ops.negative(x), n)
            out = i if return_argsort else math_ops.negative(v)
    if perm is not None:
        out = transpose(out, perm)
    return out


@tf_export("sort")
def sort(values, axis=-1, direction="ASCENDING", name=None) -> Tensor:
    """Sorts `values` along `axis` (tf.sort); direction "ASCENDING" or "DESCENDING"."""
    return _sort_impl(values, axis, direction, False)


@tf_export("argsort")
def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None) -> Tensor:
    """The int32 indices that sort `values` along `axis` (tf.argsort); always stable."""
    return _sort_impl(values, axis, direction, True)


# ---------------------------------------------------------------- Unique / UniqueWithCounts
def _unique_parts(x):
    _, first, inv = np.unique(x, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank_ = np.empty_like(order)
    rank_[order] = np.arange(len(order))
    return x[first[order]], rank_[inv.reshape(-1)]


def _unique_infer(with_counts):
    api, op_name = ("tf.unique_with_counts", "UniqueWithCounts") if with_counts else ("tf.unique", "Unique")

    def infer(specs, attrs):
        s = sh.dims(specs[0])
        if s is not None and len(s) != 1:
            raise sh.error(api, op_name, "unique expects a 1D vector.")
        v = _const(specs[0])
        n = None if v is None else len(_unique_parts(v)[0])
        out = [((n,), specs[0].dtype), (s, attrs["out_idx"])]
        return out + [((n,), attrs["out_idx"])] if with_counts else out
    return infer


def _unique_kernel(xp, x, out_idx):
    if x.ndim != 1:
        raise sh.error("tf.unique", "Unique", "unique expects a 1D vector.")
    y, idx = _unique_parts(x)
    return y, idx.astype(out_idx.as_numpy_dtype)


def _unique_with_counts_kernel(xp, x, out_idx):
    if x.ndim != 1:
        raise sh.error("tf.unique_with_counts", "UniqueWithCounts", "unique expects a 1D vector.")
    y, idx = _unique_parts(x)
    dt = out_idx.as_numpy_dtype
    return y, idx.astype(dt), np.bincount(idx, minlength=len(y)).astype(dt)


register("Unique", kernel=_unique_kernel, infer=_unique_infer(False), grad=NON_DIFFERENTIABLE, api="tf.unique",
         num_outputs=2, args=("x",),
         samples=lambda: [([np.array([3, 1, 3, 2, 1, 7], np.int32)], {"out_idx": dtypes.int32}),
                          ([np.array([0.5, -1.0, 0.5], np.float64)], {"out_idx": dtypes.int64})])
register("UniqueWithCounts", kernel=_unique_with_counts_kernel, infer=_unique_infer(True), grad=NON_DIFFERENTIABLE,
         api="tf.unique_with_counts", num_outputs=3, args=("x",),
         samples=lambda: [([np.array([3, 1, 3, 2, 1, 7], np.int32)], {"out_idx": dtypes.int32})])

_Unique = collections.namedtuple("Unique", ["y", "idx"])
_UniqueWithCounts = collections.namedtuple("UniqueWithCounts", ["y", "idx", "count"])


@tf_export("unique")
def unique(x, out_idx=dtypes.int32, name=None):
    """The unique elements of 1-D `x` in order of first appearance, and each element's index into them (tf.unique)."""
    y, idx = bind("Unique", [_t(x)], {"out_idx": dtypes.as_dtype(out_idx)})
    return _Unique(y, idx)


@tf_export("unique_with_counts")
def unique_with_counts(x, out_idx=dtypes.int32, name=None):
    """tf.unique plus the number of times each unique element occurs (tf.unique_with_counts)."""
    y, idx, count = bind("UniqueWithCounts", [_t(x)], {"out_idx": dtypes.as_dtype(out_idx)})
    return _UniqueWithCounts(y, idx, count)


# ---------------------------------------------------------------- repeat / meshgrid / sequence_mask
@tf_export("repeat")
def repeat(input, repeats, axis=None, name=None) -> Tensor:  # noqa: A002
    """Repeats each element (or slice along `axis`) of `input` `repeats` times (tf.repeat).

    `repeats` is a scalar or one count per slice; with axis None `input` is flattened first.
    """
    x = _t(input)
    if axis is None:
        x = reshape(x, [-1])
        axis = 0
    xd = _static_dims(x)
    axis = sh.normalize_axis(_int(axis), len(xd), "tf.repeat", "Repeat")
    r = _t(repeats)
    if r.shape.rank == 0 and not _is_symbolic(r):
        k = int(r._value)
        e = expand_dims(x, axis + 1)
        tiled = tile(e, [k if i == axis + 1 else 1 for i in _pyrange(len(xd) + 1)])
        if xd.count(None) <= 1:
            return reshape(tiled, [(-1 if d is None else d * k) if i == axis else (-1 if d is None else d)
                                   for i, d in enumerate(xd)])
        ds = dynamic_shape(x, "tf.repeat")
        ds[axis] = math_ops.multiply(ds[axis], k) if _is_symbolic(ds[axis]) else ds[axis] * k
        return reshape(tiled, ds)
    if r.shape.rank == 0 or r.shape._dims == (1,):
        r = broadcast_to(reshape(r, [1]), [xd[axis] if xd[axis] is not None else shape(x)[axis]])
    if r.shape.rank != 1:
        raise ValueError("`repeats` must be a scalar or a 1-D tensor, got shape %s" % r.shape)
    if xd[axis] is not None and r.shape[0] is not None and r.shape[0] != xd[axis]:
        raise sh.error("tf.repeat", "Repeat", "Dimensions must be equal, but are %d and %d for repeats and input "
                       "dimension %d" % (r.shape[0], xd[axis], axis))
    if isinstance(r, Tensor):  # eager: the gather positions directly
        reps = np.asarray(r._value).astype(np.int64)
        if reps.size and reps.min() < 0:
            raise sh.error("tf.repeat", "Repeat", "`repeats` must be non-negative, got %s" % reps.tolist())
        rows = _t(np.repeat(np.arange(len(reps), dtype=np.int64), reps))
        return gather(x, rows, axis=axis)
    mask = sequence_mask(r)
    rows = bind("StridedSlice", [bind("Where", [mask])], _ss_attrs((0, 0), (0, 1), (1, 1), begin_mask=1, end_mask=1,
                                                                      shrink_axis_mask=2))
    return gather(x, rows, axis=axis)


@tf_export("meshgrid")
def meshgrid(*args, **kwargs) -> list:
    """N-D coordinate grids from 1-D coordinate vectors (tf.meshgrid); indexing 'xy' or 'ij'."""
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError("Invalid keywords to meshgrid: %s" % ", ".join(kwargs))
    if indexing not in ("xy", "ij"):
        raise ValueError("Argument `indexing` parameter must be either 'xy' or 'ij', got '%s'" % indexing)
    xs = [reshape(_t(a), [-1]) for a in args]
    ndim = len(xs)
    if not ndim:
        return []
    sizes = [x.shape[0] for x in xs]
    outs = []
    for i, x in enumerate(xs):
        s = [1] * ndim
        s[i] = -1
        outs.append(reshape(x, s))
    if indexing == "xy" and ndim > 1:
        outs[0] = reshape(outs[0], [1, -1] + [1] * (ndim - 2))
        outs[1] = reshape(outs[1], [-1, 1] + [1] * (ndim - 2))
        sizes[0], sizes[1] = sizes[1], sizes[0]
    if None in sizes:
        target = stack([size(x) for x in xs])
        return [broadcast_to(o, target) for o in outs]
    return [broadcast_to(o, sizes) for o in outs]


@tf_export("sequence_mask")
def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name=None) -> Tensor:
    """mask[i..., j] = j < lengths[i...], for j in [0, maxlen) (tf.sequence_mask).

    `maxlen` defaults to max(lengths).
    """
    lengths = _t(lengths)
    if maxlen is None:
        maxlen = math_ops.maximum(math_ops.reduce_max(lengths), 0)
    else:
        maxlen = _t(maxlen)
    row = range(maxlen)
    matrix = math_ops.cast(expand_dims(lengths, -1), row.dtype)
    result = math_ops.less(row, matrix)
    dtype = dtypes.as_dtype(dtype)
    return result if dtype is dtypes.bool else math_ops.cast(result, dtype)


# ---------------------------------------------------------------- ReverseSequence
def _reverse_sequence_infer(specs, attrs):
    s, l_ = sh.dims(specs[0]), sh.dims(specs[1])
    _check_index_dtype("tf.reverse_sequence", "ReverseSequence", specs[1], "seq_lengths", (dtypes.int32, dtypes.int64))
    sd, bd = attrs["seq_dim"], attrs["batch_dim"]
    if s is not None:
        if not (0 <= sd < len(s) and 0 <= bd < len(s)) or sd == bd:
            raise sh.error("tf.reverse_sequence", "ReverseSequence", "Invalid seq_dim %d / batch_dim %d for input of rank "
                           "%d" % (sd, bd, len(s)))
        if l_ is not None and (len(l_) != 1 or (l_[0] is not None and s[bd] is not None and l_[0] != s[bd])):
            raise sh.error("tf.reverse_sequence", "ReverseSequence", "Length of seq_lengths != input.dims(%d), (%s vs. %s)"
                           % (bd, sh.fmt(l_), s[bd]))
    return [(s, specs[0].dtype)]


def _reverse_sequence_kernel(xp, x, seq_lengths, seq_dim, batch_dim):
    t = x.shape[seq_dim]
    lens = seq_lengths.astype(np.int64)
    if lens.size and (lens.max() > t or lens.min() < 0):
        bad = int(np.argmax((lens > t) | (lens < 0)))
        raise sh.error("tf.reverse_sequence", "ReverseSequence", "seq_lens(%d) > input.dims(%d)" % (bad, seq_dim)
                       if lens[bad] > t else "seq_lens(%d) < 0" % bad)
    shp = [1] * x.ndim
    shp[seq_dim] = t
    j = xp.arange(t).reshape(shp)
    shp = [1] * x.ndim
    shp[batch_dim] = len(lens)
    L = lens.reshape(shp)
    src = xp.where(j < L, L - 1 - j, j)
    return xp.take_along_axis(x, xp.broadcast_to(src, x.shape), axis=seq_dim)


register("ReverseSequence", kernel=_reverse_sequence_kernel, infer=_reverse_sequence_infer,
         grad=lambda op, dy: [bind("ReverseSequence", [dy, op.inputs[1]], op.attrs), None],
         api="tf.reverse_sequence", args=("input", "seq_lengths"),
         samples=lambda: [([S.normal(4, 5), np.array([1, 2, 5, 0], np.int32)], {"seq_dim": 1, "batch_dim": 0}),
                          ([S.normal(3, 2, 2), np.array([3, 1], np.int64)], {"seq_dim": 0, "batch_dim": 1})])


@tf_export("reverse_sequence")
def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name=None) -> Tensor:  # noqa: A002
    """Reverses the first seq_lengths[b] elements along `seq_axis` of each batch entry b (tf.reverse_sequence)."""
    x = _t(input)
    r = x.shape.rank
    sa = 0 if seq_axis is None else _int(seq_axis)
    ba = 0 if batch_axis is None else _int(batch_axis)
    if r is not None:
        sa, ba = sa % r if sa < 0 else sa, ba % r if ba < 0 else ba
    return bind("ReverseSequence", [x, _t(seq_lengths)], {"seq_dim": sa, "batch_dim": ba})


# ---------------------------------------------------------------- searchsorted (LowerBound / UpperBound)
def _bound_infer(api, op_name):
    def infer(specs, attrs):
        s, v = sh.dims(specs[0]), sh.dims(specs[1])
        sh.same_dtype(api, op_name, specs, ("sorted_sequence", "values"))
        if s is not None and v is not None:
            if len(s) != len(v) or (len(s) > 1 and None not in s[:-1] + v[:-1] and s[:-1] != v[:-1]):
                raise sh.error(api, op_name, "Leading dim_size of both tensors must match. (sorted_sequence shape %s, "
                               "values shape %s)" % (sh.fmt(s), sh.fmt(v)))
        return [(v, attrs["out_type"])]
    return infer


def _bound_kernel(side):
    def kernel(xp, sorted_inputs, values, out_type):
        n, m = sorted_inputs.shape[-1], values.shape[-1]
        s2 = sorted_inputs.reshape(-1, n)
        v2 = values.reshape(-1, m)
        if s2.shape[0] != v2.shape[0]:
            raise sh.error("tf.searchsorted", "LowerBound" if side == "left" else "UpperBound",
                           "Leading dim_size of both tensors must match.")
        out = np.empty(v2.shape, dtype=out_type.as_numpy_dtype)
        for r in _pyrange(s2.shape[0]):  # one vectorised search per row
            out[r] = np.searchsorted(s2[r], v2[r], side=side)
        return out.reshape(values.shape)
    return kernel


for _op_name, _side in (("LowerBound", "left"), ("UpperBound", "right")):
    register(_op_name, kernel=_bound_kernel(_side), infer=_bound_infer("tf.searchsorted", _op_name),
             grad=NON_DIFFERENTIABLE, api="tf.searchsorted", args=("sorted_inputs", "values"),
             samples=lambda: [([np.array([[1.0, 2, 3], [2, 4, 6]]), np.array([[2.0, 0.5], [4.0, 7.0]])],
                               {"out_type": dtypes.int32}),
                              ([np.array([1, 3, 3, 5], np.int32), np.array([3, 0, 9], np.int32)], {"out_type": dtypes.int64})])
del _op_name, _side


@tf_export("searchsorted")
def searchsorted(sorted_sequence, values, side="left", out_type=dtypes.int32, name=None) -> Tensor:
    """Indices where `values` would be inserted into the innermost dimension of `sorted_sequence` (tf.searchsorted)."""
    s = _t(sorted_sequence)
    v = _t(values, s.dtype) if not isinstance(values, Tensor) else values
    if side not in ("left", "right"):
        raise ValueError("Argument `side` must be either 'right' or 'left'. Received: `side` = %s." % side)
    return bind("LowerBound" if side == "left" else "UpperBound", [s, v], {"out_type": dtypes.as_dtype(out_type)})


# ---------------------------------------------------------------- InvertPermutation / UnravelIndex / IdentityN
def _invert_permutation_kernel(xp, x):
    n = x.shape[0] if x.ndim == 1 else -1
    if x.ndim != 1 or (n and (x.min() < 0 or x.max() >= n or len(np.unique(x)) != n)):
        raise sh.error("tf.math.invert_permutation", "InvertPermutation", "x must be a permutation of 0..n-1, got %s"
                       % np.asarray(x).tolist())
    out = xp.empty_like(x)
    out[x] = xp.arange(n, dtype=x.dtype)
    return out


register("InvertPermutation", kernel=_invert_permutation_kernel, infer=_same_shape_infer, grad=NON_DIFFERENTIABLE,
         api="tf.math.invert_permutation", args=("x",), samples=lambda: [([np.array([3, 4, 0, 2, 1], np.int32)], {})])


@tf_export("math.invert_permutation")
def invert_permutation(x, name=None) -> Tensor:
    """y such that y[x[i]] = i, for a permutation x of 0..n-1 (tf.math.invert_permutation)."""
    return bind("InvertPermutation", [_t(x)])


def _unravel_index_kernel(xp, indices, dims):
    total = int(np.prod(dims))
    if indices.size and (indices.min() < 0 or indices.max() >= total):
        raise sh.error("tf.unravel_index", "UnravelIndex", "index out of bounds: every index must be in [0, %d), got %s"
                       % (total, np.asarray(indices).tolist()))
    return xp.stack(xp.unravel_index(indices, tuple(int(d) for d in dims))).astype(indices.dtype).reshape(
        (len(dims),) + indices.shape)


def _unravel_index_infer(specs, attrs):
    sh.same_dtype("tf.unravel_index", "UnravelIndex", specs, ("indices", "dims"))
    i, d = sh.dims(specs[0]), sh.dims(specs[1])
    return [(None if i is None or d is None else (d[0],) + i, specs[0].dtype)]


register("UnravelIndex", kernel=_unravel_index_kernel, infer=_unravel_index_infer, grad=NON_DIFFERENTIABLE,
         api="tf.unravel_index", args=("indices", "dims"),
         samples=lambda: [([np.array([1, 5, 11], np.int32), np.array([3, 4], np.int32)], {}),
                          ([np.array(7, np.int64), np.array([2, 2, 2], np.int64)], {})])


@tf_export("unravel_index")
def unravel_index(indices, dims, name=None) -> Tensor:
    """The coordinates in an array of shape `dims` of flat `indices` (tf.unravel_index)."""
    i = _t(indices)
    return bind("UnravelIndex", [i, _t(dims, i.dtype) if not isinstance(dims, Tensor) else dims])


register("IdentityN", kernel=lambda xp, *xs: tuple(xs), infer=lambda s, a: [(sh.dims(x), x.dtype) for x in s],
         grad=lambda op, *dys: list(dys), api="tf.identity_n", num_outputs=-1, args=("input",),
         samples=lambda: [([S.normal(2, 3), S.ints(0, 3, 4)], {})])


@tf_export("identity_n")
def identity_n(input, name=None) -> list:  # noqa: A002
    """Returns the list of tensors `input` unchanged (tf.identity_n)."""
    return list(bind("IdentityN", [_t(v) for v in input]))


# ---------------------------------------------------------------- DynamicPartition / DynamicStitch
def _dynamic_partition_kernel(xp, data, partitions, num_partitions):
    p = partitions
    if p.shape != data.shape[:p.ndim]:
        raise sh.error("tf.dynamic_partition", "DynamicPartition", "data.shape must start with partitions.shape, got "
                       "data.shape = %s, partitions.shape = %s" % (sh.fmt(data.shape), sh.fmt(p.shape)))
    if p.size and (p.min() < 0 or p.max() >= num_partitions):
        bad = p[(p < 0) | (p >= num_partitions)].reshape(-1)[0]
        raise sh.error("tf.dynamic_partition", "DynamicPartition", "partitions contains %d, which is not in [0, %d)"
                       % (bad, num_partitions))
    flat = data.reshape((p.size,) + data.shape[p.ndim:])
    pf = p.reshape(-1)
    order = np.argsort(pf, kind="stable")
    counts = np.bincount(pf, minlength=num_partitions)
    return tuple(xp.split(flat[order], np.cumsum(counts)[:-1]))


def _dynamic_partition_infer(specs, attrs):
    d, p = sh.dims(specs[0]), sh.dims(specs[1])
    n = attrs["num_partitions"]
    v = _const(specs[1])
    counts = [None] * n if v is None else np.bincount(np.asarray(v).reshape(-1).clip(0), minlength=n).tolist()[:n]
    rest = None if d is None or p is None else d[len(p):]
    return [(None if rest is None else (c,) + rest, specs[0].dtype) for c in counts]


def _dynamic_partition_grad(op, *dys):
    data, partitions = op.inputs
    ps = dynamic_shape(partitions, "tf.dynamic_partition's gradient")
    original = reshape(range(_dyn_prod(ps)), ps)
    parts = dynamic_partition(original, partitions, op.attrs["num_partitions"])
    return [reshape(dynamic_stitch(parts, list(dys)), dynamic_shape(data, "tf.dynamic_partition's gradient")), None]


register("DynamicPartition", kernel=_dynamic_partition_kernel, infer=_dynamic_partition_infer,
         grad=_dynamic_partition_grad, api="tf.dynamic_partition", num_outputs=-1, args=("data", "partitions"),
         samples=lambda: [([S.normal(5, 2), np.array([0, 2, 0, 1, 2], np.int32)], {"num_partitions": 3})])


@tf_export("dynamic_partition")
def dynamic_partition(data, partitions, num_partitions, name=None) -> list:
    """Splits `data` into `num_partitions` tensors by the index in `partitions` (tf.dynamic_partition)."""
    return list(bind("DynamicPartition", [_t(data), _t(partitions)], {"num_partitions": int(num_partitions)}))


def _dynamic_stitch_kernel(xp, *arrays, N):
    indices, data = arrays[:N], arrays[N:]
    m = max((int(i.max()) + 1 for i in indices if i.size), default=0)
    inner = data[0].shape[indices[0].ndim:]
    out = xp.zeros((m,) + inner, dtype=data[0].dtype)
    for idx, d in zip(indices, data):  # one vectorised assignment per input; later inputs win
        if idx.size and idx.min() < 0:
            raise sh.error("tf.dynamic_stitch", "DynamicStitch", "indices must be non-negative, got %d" % idx.min())
        out[idx.reshape(-1)] = d.reshape((idx.size,) + inner)
    return out


def _dynamic_stitch_infer(specs, attrs):
    n = attrs["N"]
    idx, data = specs[:n], specs[n:]
    sh.same_dtype("tf.dynamic_stitch", "DynamicStitch", data, ["data[%d]" % i for i in _pyrange(n)])
    vals = [_const(s) for s in idx]
    m = None if any(v is None for v in vals) else max((int(np.max(v)) + 1 for v in vals if np.size(v)), default=0)
    i0, d0 = sh.dims(idx[0]), sh.dims(data[0])
    return [(None if i0 is None or d0 is None else (m,) + d0[len(i0):], data[0].dtype)]


def _dynamic_stitch_grad(op, dy):
    n = op.attrs["N"]
    return [None] * n + [gather(dy, i) for i in op.inputs[:n]]


register("DynamicStitch", kernel=_dynamic_stitch_kernel, infer=_dynamic_stitch_infer, grad=_dynamic_stitch_grad,
         api="tf.dynamic_stitch", args=("indices", "data"),
         samples=lambda: [([np.array([0, 2], np.int32), np.array([[1, 4], [3, 5]], np.int32), S.normal(2, 3),
                            S.normal(2, 2, 3)], {"N": 2})])


@tf_export("dynamic_stitch")
def dynamic_stitch(indices, data, name=None) -> Tensor:
    """Interleaves the values of `data` into one tensor by `indices` (tf.dynamic_stitch)."""
    idx = [_t(i) for i in indices]
    vals = [_t(d) for d in data]
    return bind("DynamicStitch", idx + vals, {"N": len(idx)})


# ---------------------------------------------------------------- SpaceToDepth / DepthToSpace
def _s2d_infer(specs, attrs):
    s = sh.dims(specs[0])
    bs = attrs["block_size"]
    if s is None:
        return [(None, specs[0].dtype)]
    if len(s) != 4:
        raise sh.error("tf.nn.space_to_depth", "SpaceToDepth", "input rank should be: 4 instead of: %d" % len(s))
    b, h, w, c = s
    if (h is not None and h % bs) or (w is not None and w % bs):
        raise sh.error("tf.nn.space_to_depth", "SpaceToDepth", "Image width %s and height %s should be divisible by "
                       "block_size: %d" % (w, h, bs))
    return [((b, None if h is None else h // bs, None if w is None else w // bs, None if c is None else c * bs * bs),
             specs[0].dtype)]


def _s2d_kernel(xp, x, block_size):
    _s2d_infer([_Spec(x.shape, None)], {"block_size": block_size})
    b, h, w, c = x.shape
    bs = block_size
    y = x.reshape(b, h // bs, bs, w // bs, bs, c).transpose(0, 1, 3, 2, 4, 5)
    return y.reshape(b, h // bs, w // bs, bs * bs * c)


def _d2s_infer(specs, attrs):
    s = sh.dims(specs[0])
    bs = attrs["block_size"]
    if s is None:
        return [(None, specs[0].dtype)]
    if len(s) != 4:
        raise sh.error("tf.nn.depth_to_space", "DepthToSpace", "input rank should be 4 instead of %d" % len(s))
    b, h, w, c = s
    if c is not None and c % (bs * bs):
        raise sh.error("tf.nn.depth_to_space", "DepthToSpace", "Input depth dimension %d should be divisible by: %d"
                       % (c, bs * bs))
    return [((b, None if h is None else h * bs, None if w is None else w * bs, None if c is None else c // (bs * bs)),
             specs[0].dtype)]


def _d2s_kernel(xp, x, block_size):
    _d2s_infer([_Spec(x.shape, None)], {"block_size": block_size})
    b, h, w, c = x.shape
    bs = block_size
    y = x.reshape(b, h, w, bs, bs, c // (bs * bs)).transpose(0, 1, 3, 2, 4, 5)
    return y.reshape(b, h * bs, w * bs, c // (bs * bs))


register("SpaceToDepth", kernel=_s2d_kernel, infer=_s2d_infer,
         grad=lambda op, dy: [bind("DepthToSpace", [dy], op.attrs)], api="tf.nn.space_to_depth", args=("input",),
         samples=lambda: [([S.normal(2, 4, 6, 3)], {"block_size": 2})])
register("DepthToSpace", kernel=_d2s_kernel, infer=_d2s_infer,
         grad=lambda op, dy: [bind("SpaceToDepth", [dy], op.attrs)], api="tf.nn.depth_to_space", args=("input",),
         samples=lambda: [([S.normal(2, 2, 3, 8)], {"block_size": 2})])


def _nchw(fn, x, block_size, data_format):
    if data_format == "NHWC":
        return fn(x, block_size)
    if data_format != "NCHW":
        raise ValueError("data_format must be 'NHWC' or 'NCHW', got %r" % data_format)
    return transpose(fn(transpose(x, [0, 2, 3, 1]), block_size), [0, 3, 1, 2])


@tf_export("nn.space_to_depth")
def space_to_depth(input, block_size, data_format="NHWC", name=None) -> Tensor:  # noqa: A002
    """Moves block_size x block_size spatial blocks into the depth dimension (tf.nn.space_to_depth)."""
    return _nchw(lambda x, bs: bind("SpaceToDepth", [x], {"block_size": bs}), _t(input), int(block_size), data_format)


@tf_export("nn.depth_to_space")
def depth_to_space(input, block_size, data_format="NHWC", name=None) -> Tensor:  # noqa: A002
    """Moves depth values into block_size x block_size spatial blocks (tf.nn.depth_to_space)."""
    return _nchw(lambda x, bs: bind("DepthToSpace", [x], {"block_size": bs}), _t(input), int(block_size), data_format)


# ---------------------------------------------------------------- SpaceToBatchND / BatchToSpaceND
def _s2b_infer(specs, attrs):
    s = sh.dims(specs[0])
    block, pads = attrs["block_shape"], attrs["paddings"]
    if s is None:
        return [(None, specs[0].dtype)]
    m = len(block)
    if len(pads) != m or len(s) < m + 1:
        raise sh.error("tf.space_to_batch_nd", "SpaceToBatchND", "block_shape %s and paddings %s do not fit input shape "
                       "%s" % (list(block), [list(p) for p in pads], sh.fmt(s)))
    out = [None if s[0] is None else s[0] * _prod(block)]
    for i, (bk, (a, b)) in enumerate(zip(block, pads)):
        d = s[i + 1]
        if d is not None and (d + a + b) % bk:
            raise sh.error("tf.space_to_batch_nd", "SpaceToBatchND", "padded_shape[%d]=%d is not divisible by "
                           "block_shape[%d]=%d" % (i, d + a + b, i, bk))
        out.append(None if d is None else (d + a + b) // bk)
    return [(tuple(out) + s[m + 1:], specs[0].dtype)]


def _s2b_kernel(xp, x, block_shape, paddings):
    _s2b_infer([_Spec(x.shape, None)], {"block_shape": block_shape, "paddings": paddings})
    m = len(block_shape)
    x = xp.pad(x, [(0, 0)] + [tuple(p) for p in paddings] + [(0, 0)] * (x.ndim - m - 1))
    b = x.shape[0]
    shp = [b]
    for i, bk in enumerate(block_shape):
        shp += [x.shape[i + 1] // bk, bk]
    rest = list(x.shape[m + 1:])
    y = x.reshape(shp + rest)
    perm = [2 + 2 * i for i in _pyrange(m)] + [0] + [1 + 2 * i for i in _pyrange(m)] + \
        list(_pyrange(1 + 2 * m, 1 + 2 * m + len(rest)))
    y = y.transpose(perm)
    return y.reshape([b * _prod(block_shape)] + [x.shape[i + 1] // bk for i, bk in enumerate(block_shape)] + rest)


def _b2s_infer(specs, attrs):
    s = sh.dims(specs[0])
    block, crops = attrs["block_shape"], attrs["crops"]
    if s is None:
        return [(None, specs[0].dtype)]
    m = len(block)
    nb = _prod(block)
    if len(crops) != m or len(s) < m + 1 or (s[0] is not None and s[0] % nb):
        raise sh.error("tf.batch_to_space", "BatchToSpaceND", "Input batch dimension %s and block_shape %s / crops %s do "
                       "not fit (input shape %s)" % (s[0], list(block), [list(c) for c in crops], sh.fmt(s)))
    out = [None if s[0] is None else s[0] // nb]
    for i, (bk, (a, b)) in enumerate(zip(block, crops)):
        d = s[i + 1]
        if d is not None and d * bk - a - b < 0:
            raise sh.error("tf.batch_to_space", "BatchToSpaceND", "Negative output dimension size caused by crops")
        out.append(None if d is None else d * bk - a - b)
    return [(tuple(out) + s[m + 1:], specs[0].dtype)]


def _b2s_kernel(xp, x, block_shape, crops):
    _b2s_infer([_Spec(x.shape, None)], {"block_shape": block_shape, "crops": crops})
    m = len(block_shape)
    b = x.shape[0] // _prod(block_shape)
    spatial = list(x.shape[1:m + 1])
    rest = list(x.shape[m + 1:])
    y = x.reshape(list(block_shape) + [b] + spatial + rest)
    perm = [m]
    for i in _pyrange(m):
        perm += [m + 1 + i, i]
    perm += list(_pyrange(2 * m + 1, 2 * m + 1 + len(rest)))
    y = y.transpose(perm).reshape([b] + [d * bk for d, bk in zip(spatial, block_shape)] + rest)
    return y[(_pyslice(None),) + tuple(_pyslice(a, d * bk - c) for (a, c), d, bk in zip(crops, spatial, block_shape))]


register("SpaceToBatchND", kernel=_s2b_kernel, infer=_s2b_infer,
         grad=lambda op, dy: [bind("BatchToSpaceND", [dy], {"block_shape": op.attrs["block_shape"],
                                                            "crops": op.attrs["paddings"]})],
         api="tf.space_to_batch_nd", args=("input",),
         samples=lambda: [([S.normal(2, 3, 4, 2)], {"block_shape": (2, 2), "paddings": ((1, 0), (0, 0))})])
register("BatchToSpaceND", kernel=_b2s_kernel, infer=_b2s_infer,
         grad=lambda op, dy: [bind("SpaceToBatchND", [dy], {"block_shape": op.attrs["block_shape"],
                                                            "paddings": op.attrs["crops"]})],
         api="tf.batch_to_space", args=("input",),
         samples=lambda: [([S.normal(8, 2, 2, 2)], {"block_shape": (2, 2), "crops": ((1, 0), (0, 1))})])


def _block_args(block_shape, pairs):
    block = _int_tuple(block_shape)
    p = _paddings(pairs) if not (isinstance(pairs, (list, tuple)) and len(pairs) == 0) else ()
    if len(block) == 1 and len(p) > 1:
        block = block * len(p)
    return block, p


@tf_export("space_to_batch_nd", "space_to_batch", "nn.space_to_batch")
def space_to_batch_nd(input, block_shape, paddings, name=None) -> Tensor:  # noqa: A002
    """Zero-pads the spatial dimensions and moves blocks of them into the batch dimension (tf.space_to_batch)."""
    block, p = _block_args(block_shape, paddings)
    return bind("SpaceToBatchND", [_t(input)], {"block_shape": block, "paddings": p})


@tf_export("batch_to_space")
def batch_to_space(input, block_shape, crops, name=None) -> Tensor:  # noqa: A002
    """Moves blocks of the batch dimension back into the spatial dimensions, then crops (tf.batch_to_space)."""
    block, c = _block_args(block_shape, crops)
    return bind("BatchToSpaceND", [_t(input)], {"block_shape": block, "crops": c})


# ---------------------------------------------------------------- InTopKV2 / CheckNumerics / Bitcast
def _in_top_k_kernel(xp, predictions, targets, k):
    if predictions.ndim != 2 or targets.shape != predictions.shape[:1]:
        raise sh.error("tf.math.in_top_k", "InTopKV2", "predictions must be [batch, classes] and targets [batch], got "
                       "%s and %s" % (sh.fmt(predictions.shape), sh.fmt(targets.shape)))
    n = predictions.shape[1]
    ok = (targets >= 0) & (targets < n)
    t = xp.where(ok, targets, 0)
    v = predictions[xp.arange(len(t)), t]
    ok &= xp.isfinite(predictions).all(axis=1)  # TF: a non-finite value anywhere in the row gives False
    larger = xp.count_nonzero(predictions > v[:, None], axis=1)
    return ok & (larger < k)


register("InTopKV2", kernel=_in_top_k_kernel, infer=lambda s, a: [(sh.dims(s[1]), dtypes.bool)],
         grad=NON_DIFFERENTIABLE, api="tf.math.in_top_k", args=("predictions", "targets"),
         samples=lambda: [([np.array([[0.1, 0.8, 0.1], [0.3, 0.3, 0.4]], np.float32), np.array([1, 0], np.int32)],
                           {"k": 1})])


@tf_export("math.in_top_k", "nn.in_top_k")
def in_top_k(targets, predictions, k, name=None) -> Tensor:
    """Whether each target's prediction is among the `k` largest of its row (tf.math.in_top_k).

    Ties at the k-th value count as in the top k; a row with NaN or Inf gives False.
    """
    return bind("InTopKV2", [_t(predictions), _t(targets)], {"k": _int(k)})


def _check_numerics_kernel(xp, x, message):
    if x.dtype.kind in "fc":
        nan, inf = bool(xp.isnan(x).any()), bool(xp.isinf(x).any())
        if nan or inf:
            what = "Inf and NaN" if nan and inf else "NaN" if nan else "Inf"
            raise sh.error("tf.debugging.check_numerics", "CheckNumerics", "%s : Tensor had %s values" % (message, what))
    return x


register("CheckNumerics", kernel=_check_numerics_kernel, infer=_same_shape_infer,
         grad=lambda op, dy: [check_numerics(dy, "Not a number (NaN) or infinity (Inf) values detected in gradient. "
                                                 + op.attrs["message"])],
         api="tf.debugging.check_numerics", args=("tensor",), samples=lambda: [([S.normal(2, 3)], {"message": "x"})])


@tf_export("debugging.check_numerics")
def check_numerics(tensor, message, name=None) -> Tensor:
    """Returns `tensor`, raising InvalidArgumentError with `message` if it has NaN or Inf (tf.debugging.check_numerics)."""
    return bind("CheckNumerics", [_t(tensor)], {"message": str(message)})


def _bitcast_infer(specs, attrs):
    s = sh.dims(specs[0])
    src, dst = specs[0].dtype, attrs["type"]
    if src is dtypes.string or dst is dtypes.string:
        raise sh.error("tf.bitcast", "Bitcast", "Cannot bitcast to or from string")
    a, b = src.size, dst.size
    if s is None or a == b:
        return [(s, dst)]
    if a > b:
        return [(s + (a // b,), dst)]
    if not s or (s[-1] is not None and s[-1] != b // a):
        raise sh.error("tf.bitcast", "Bitcast", "Cannot bitcast from %s to %s: shape %s" % (src.name, dst.name, sh.fmt(s)))
    return [(s[:-1], dst)]


def _bitcast_kernel(xp, x, type):  # noqa: A002 - TF's attr name
    out_shape = _bitcast_infer([_Spec(x.shape, dtypes.from_numpy(x.dtype))], {"type": type})[0][0]
    return xp.ascontiguousarray(x).view(type.as_numpy_dtype).reshape(out_shape)


register("Bitcast", kernel=_bitcast_kernel, infer=_bitcast_infer, grad=NON_DIFFERENTIABLE, api="tf.bitcast",
         args=("input",),
         samples=lambda: [([S.normal(2, 3)], {"type": dtypes.int32}), ([S.ints(0, 9, 3, 2)], {"type": dtypes.float64}),
                          ([S.normal(3).astype(np.float32)], {"type": dtypes.uint32})])


@tf_export("bitcast")
def bitcast(input, type, name=None) -> Tensor:  # noqa: A002
    """Reinterprets the bytes of `input` as `type`, adding or removing a last dimension as sizes require (tf.bitcast)."""
    return bind("Bitcast", [_t(input)], {"type": dtypes.as_dtype(type)})
