"""Math ops: elementwise arithmetic, comparisons, reductions, scans, segments."""
from __future__ import annotations

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import constant_value, convert_to_tensor, mixed_dtype_error
from ..framework.tensor import Tensor
from . import array_ops
from . import sample_inputs as S
from . import shapes as sh
from .registry import bind, register

_t = convert_to_tensor


# ---------------------------------------------------------------- conversion of operands
def binary_operands(op_name: str, x, y):
    """Converts the two operands of a binary op with TF's rules.

    A Python/NumPy value takes the dtype of the tensor beside it; two tensors must share a
    dtype, else InvalidArgumentError (TF never promotes implicitly).
    """
    tx, ty = type(x), type(y)
    if tx is Tensor:
        if ty is Tensor:
            if x._dtype is not y._dtype:
                raise mixed_dtype_error(op_name, 1, x._dtype, y._dtype)
            return x, y
        if ty is float or ty is int:
            if x._dtype.is_floating:
                return x, Tensor(x._dtype._np.type(y), x._dtype)
        return x, _convert_like(op_name, y, x._dtype, 1)
    if ty is Tensor or _is_tensorish(y):
        y = _t(y)
        return _convert_like(op_name, x, y.dtype, 0), y
    x = _t(x)
    return x, _convert_like(op_name, y, x.dtype, 1)


def _is_tensorish(v) -> bool:
    return isinstance(v, Tensor) or hasattr(v, "_as_tensor") or getattr(v, "_is_symbolic_tensor", False)


def _convert_like(op_name, v, dtype, index):
    if _is_tensorish(v):
        t = _t(v)
        if t.dtype is not dtype:
            raise mixed_dtype_error(op_name, index, dtype, t.dtype) if index else mixed_dtype_error(
                op_name, 1, t.dtype, dtype)
        return t
    if isinstance(v, (np.ndarray, np.generic)) and dtypes.from_numpy(v.dtype) is not dtype:
        # NumPy values keep their dtype in TF, so a different one is a mismatch.
        other = dtypes.from_numpy(v.dtype)
        if index:
            raise mixed_dtype_error(op_name, 1, dtype, other)
        raise mixed_dtype_error(op_name, 1, other, dtype)
    try:
        return constant_value(v, dtype)
    except TypeError:
        other = _t(v).dtype
        raise (mixed_dtype_error(op_name, 1, dtype, other) if index else mixed_dtype_error(op_name, 1, other, dtype)) \
            from None


# ---------------------------------------------------------------- gradient helpers
def unbroadcast(g, shape):
    """Sums `g` over the axes that broadcasting added to reach it from `shape`."""
    gshape = g.shape._dims
    target = tuple(shape)
    if gshape == target:
        return g
    nlead = len(gshape) - len(target)
    axes = list(range(nlead)) + [i + nlead for i, d in enumerate(target) if d == 1 and gshape[i + nlead] != 1]
    if axes:
        g = reduce_sum(g, axis=axes, keepdims=False)
    return array_ops.reshape(g, target)


def _binary_infer(api, op_name, out_dtype=None, allowed=None):
    def infer(specs, attrs):
        d = sh.same_dtype(api, op_name, specs, ("x", "y"))
        if allowed is not None:
            sh.check_dtype(api, op_name, specs[0], allowed)
        return [(sh.broadcast_shapes(sh.dims(specs[0]), sh.dims(specs[1]), api, op_name), out_dtype or d)]
    return infer


def _unary_infer(api, op_name, allowed=None, out_dtype=None):
    def infer(specs, attrs):
        if allowed is not None:
            sh.check_dtype(api, op_name, specs[0], allowed)
        return [(sh.dims(specs[0]), out_dtype or specs[0].dtype)]
    return infer


def _binary_samples(a=S.normal, b=S.normal):
    return lambda: [([a(3, 4), b(3, 4)], {}), ([a(2, 1, 4), b(3, 1)], {})]


# ---------------------------------------------------------------- arithmetic
def _add_grad(op, dy):
    x, y = op.inputs
    return [unbroadcast(dy, x.shape), unbroadcast(dy, y.shape)]


def _add_kernel(xp, x, y):
    if x.dtype == object:  # tf.string addition concatenates
        return xp.frompyfunc(lambda a, b: a + b, 2, 1)(x, y).astype(object)
    return x + y


register("AddV2", kernel=_add_kernel, infer=_binary_infer("tf.math.add", "AddV2"), grad=_add_grad,
         api="tf.math.add", args=("x", "y"), samples=_binary_samples())


@tf_export("math.add", "add")
def add(x, y, name=None) -> Tensor:
    """Returns x + y element-wise, with broadcasting (tf.math.add)."""
    if type(x) is Tensor and type(y) is Tensor and x._dtype is y._dtype:
        return bind("AddV2", (x, y))
    return bind("AddV2", binary_operands("AddV2", x, y))


register("Sub", kernel=lambda xp, x, y: x - y, infer=_binary_infer("tf.math.subtract", "Sub"),
         grad=lambda op, dy: [unbroadcast(dy, op.inputs[0].shape), unbroadcast(negative(dy), op.inputs[1].shape)],
         api="tf.math.subtract", args=("x", "y"), samples=_binary_samples())


@tf_export("math.subtract", "subtract")
def subtract(x, y, name=None) -> Tensor:
    """Returns x - y element-wise (tf.math.subtract)."""
    return bind("Sub", binary_operands("Sub", x, y))


def _mul_grad(op, dy):
    x, y = op.inputs
    return [unbroadcast(multiply(dy, y), x.shape), unbroadcast(multiply(x, dy), y.shape)]


register("Mul", kernel=lambda xp, x, y: x * y, infer=_binary_infer("tf.math.multiply", "Mul"), grad=_mul_grad,
         api="tf.math.multiply", args=("x", "y"), samples=_binary_samples())


@tf_export("math.multiply", "multiply")
def multiply(x, y, name=None) -> Tensor:
    """Returns x * y element-wise (tf.math.multiply)."""
    return bind("Mul", binary_operands("Mul", x, y))


def _realdiv_grad(op, dy):
    x, y = op.inputs
    return [unbroadcast(divide(dy, y), x.shape),
            unbroadcast(negative(multiply(dy, divide(op.outputs[0], y))), y.shape)]


register("RealDiv", kernel=lambda xp, x, y: x / y, infer=_binary_infer("tf.math.divide", "RealDiv", allowed=sh.FLOATS_COMPLEX),
         grad=_realdiv_grad, api="tf.math.divide", args=("x", "y"), samples=_binary_samples(S.normal, S.positive))


@tf_export("math.truediv", "truediv")
def truediv(x, y, name=None) -> Tensor:
    """x / y; integer inputs are cast to floating first, as Python 3 division (tf.math.truediv)."""
    x, y = binary_operands("RealDiv", x, y)
    d = x.dtype
    if d.is_integer:
        ft = dtypes.float64 if d.size >= 4 else dtypes.float32
        x, y = cast(x, ft), cast(y, ft)
    return bind("RealDiv", (x, y))


@tf_export("math.divide", "divide")
def divide(x, y, name=None) -> Tensor:
    """Returns x / y element-wise (tf.math.divide)."""
    return truediv(x, y)


register("Neg", kernel=lambda xp, x: -x, infer=_unary_infer("tf.math.negative", "Neg"),
         grad=lambda op, dy: [negative(dy)], api="tf.math.negative", samples=lambda: [([S.normal(3, 4)], {})])


@tf_export("math.negative", "negative")
def negative(x, name=None) -> Tensor:
    """Returns -x element-wise (tf.math.negative)."""
    return bind("Neg", [_t(x)])


# ---------------------------------------------------------------- Cast
def _cast_kernel(xp, x, DstT):
    if DstT is dtypes.string:
        raise TypeError("Cast to string is not supported")
    if x.dtype.kind == "f" and DstT.is_integer:
        # TF truncates toward zero; NumPy's cast of nan/inf is undefined, TF gives INT_MIN.
        return xp.trunc(x).astype(DstT.as_numpy_dtype)
    if x.dtype.kind == "c" and not DstT.is_complex:
        x = x.real
    return x.astype(DstT.as_numpy_dtype)


def _cast_grad(op, dy):
    src = op.inputs[0].dtype
    if not (src.is_floating or src.is_complex):
        return [None]
    return [cast(dy, src)]  # complex -> real keeps the real part


register("Cast", kernel=_cast_kernel, infer=lambda s, a: [(sh.dims(s[0]), a["DstT"])], grad=_cast_grad,
         api="tf.cast", samples=lambda: [([S.normal(3, 4)], {"DstT": dtypes.float32}),
                                         ([S.normal(2, 2)], {"DstT": dtypes.int32}),
                                         ([S.normal(3)], {"DstT": dtypes.float64})])


@tf_export("cast", "dtypes.cast")
def cast(x, dtype, name=None) -> Tensor:
    """Casts `x` to `dtype`; float to int truncates toward zero (tf.cast)."""
    dtype = dtypes.as_dtype(dtype)
    if not _is_tensorish(x):
        x = _t(x) if not isinstance(x, (float, int, bool, list, tuple)) else constant_value(x)
    else:
        x = _t(x)
    if x.dtype is dtype:
        return x
    return bind("Cast", [x], {"DstT": dtype})


# ---------------------------------------------------------------- reductions (Sum)
def _axes(axis, rank):
    if axis is None:
        return tuple(range(rank))
    if isinstance(axis, Tensor):
        axis = np.asarray(axis._value).tolist()
    if isinstance(axis, (int, np.integer)):
        axis = [axis]
    return tuple(sorted(int(a) % rank if rank else 0 for a in axis))


def _reduce_infer(api, op_name, out_dtype=None, allowed=None):
    def infer(specs, attrs):
        s = sh.dims(specs[0])
        if allowed is not None:
            sh.check_dtype(api, op_name, specs[0], allowed, "input_tensor")
        d = out_dtype or specs[0].dtype
        if s is None:
            return [(None, d)]
        for a in attrs["axis"]:
            if not 0 <= a < max(len(s), 1):
                raise sh.error(api, op_name, "Invalid reduction dimension %d for input with %d dimensions" % (a, len(s)))
        if attrs["keep_dims"]:
            return [(tuple(1 if i in attrs["axis"] else d_ for i, d_ in enumerate(s)), d)]
        return [(tuple(d_ for i, d_ in enumerate(s) if i not in attrs["axis"]), d)]
    return infer


def _sum_kernel(xp, x, axis, keep_dims):
    return xp.asarray(xp.sum(x, axis=axis, keepdims=keep_dims, dtype=x.dtype))


def restore_reduced(dy, x_shape, axis, keep_dims):
    """Reshape a reduction's gradient so it broadcasts against the input."""
    if keep_dims:
        return dy
    return array_ops.reshape(dy, [1 if i in axis else d for i, d in enumerate(x_shape)])


def _sum_grad(op, dy):
    x = op.inputs[0]
    xs = x.shape.as_list()
    dy = restore_reduced(dy, xs, op.attrs["axis"], op.attrs["keep_dims"])
    return [array_ops.broadcast_to(dy, xs)]


register("Sum", kernel=_sum_kernel, infer=_reduce_infer("tf.math.reduce_sum", "Sum"), grad=_sum_grad,
         api="tf.math.reduce_sum", args=("input_tensor",),
         samples=lambda: [([S.normal(2, 3, 4)], {"axis": (0, 2), "keep_dims": False}),
                          ([S.normal(2, 3)], {"axis": (1,), "keep_dims": True})])


@tf_export("math.reduce_sum", "reduce_sum")
def reduce_sum(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Sums elements across `axis` (all axes when None) (tf.math.reduce_sum)."""
    x = _t(input_tensor)
    return bind("Sum", [x], {"axis": _axes(axis, x.ndim if hasattr(x, "ndim") else x.shape.rank),
                             "keep_dims": bool(keepdims)})


# ---------------------------------------------------------------- AddN / segments
def _add_n_infer(specs, attrs):
    d = sh.same_dtype("tf.math.add_n", "AddN", specs, ["inputs[%d]" % i for i in range(len(specs))])
    s0 = sh.dims(specs[0])
    for i, s in enumerate(specs[1:], 1):
        if sh.dims(s) != s0:
            raise sh.error("tf.math.add_n", "AddN", "Inputs to operation AddN must have the same size and shape. "
                           "Input 0: %s != input %d: %s" % (sh.fmt(s0), i, sh.fmt(sh.dims(s))))
    return [(s0, d)]


def _add_n_kernel(xp, *xs):
    out = xs[0] + xs[1] if len(xs) > 1 else xs[0].copy()
    for x in xs[2:]:
        out += x
    return out


register("AddN", kernel=_add_n_kernel, infer=_add_n_infer, grad=lambda op, dy: [dy] * len(op.inputs),
         api="tf.math.add_n", args=("inputs",), samples=lambda: [([S.normal(3), S.normal(3), S.normal(3)], {})])


@tf_export("math.add_n", "add_n")
def add_n(inputs, name=None) -> Tensor:
    """Adds all input tensors element-wise (tf.math.add_n)."""
    xs = [_t(v) for v in inputs]
    if not xs:
        raise ValueError("inputs must be an iterable of at least one Tensor/IndexedSlices with the same dtype and shape")
    return bind("AddN", xs)


def _unsorted_segment_infer(api, op_name):
    def infer(specs, attrs):
        x, ids = sh.dims(specs[0]), sh.dims(specs[1])
        if x is None or ids is None:
            return [(None, specs[0].dtype)]
        if x[:len(ids)] != ids and None not in x[:len(ids)] + ids:
            raise sh.error(api, op_name, "data.shape = %s does not start with segment_ids.shape = %s"
                           % (sh.fmt(x), sh.fmt(ids)))
        return [((attrs["num_segments"],) + x[len(ids):], specs[0].dtype)]
    return infer


def _unsorted_segment_sum_kernel(xp, data, ids, num_segments):
    ids = ids.astype(np.int64)
    out = xp.zeros((num_segments,) + data.shape[ids.ndim:], dtype=data.dtype)
    valid = (ids >= 0) & (ids < num_segments)  # TF drops negative ids
    xp.add.at(out, ids[valid], data[valid])
    return out


register("UnsortedSegmentSum", kernel=_unsorted_segment_sum_kernel,
         infer=_unsorted_segment_infer("tf.math.unsorted_segment_sum", "UnsortedSegmentSum"),
         grad=lambda op, dy: [_segment_rows(dy, op.inputs[1]), None],
         api="tf.math.unsorted_segment_sum", args=("data", "segment_ids"),
         samples=lambda: [([S.normal(5, 2), S.ints(0, 3, 5)], {"num_segments": 3})])


def _segment_rows(dy, ids):
    """Row ids[i] of dy for each i; zero where the id was negative (dropped by the op)."""
    valid = greater_equal(ids, array_ops.zeros_like(ids))
    rows = array_ops.gather(dy, maximum(ids, array_ops.zeros_like(ids)))
    mask = cast(valid, dy.dtype)
    return multiply(rows, array_ops.reshape(mask, mask.shape.as_list() + [1] * (rows.shape.rank - mask.shape.rank)))


@tf_export("math.unsorted_segment_sum")
def unsorted_segment_sum(data, segment_ids, num_segments, name=None) -> Tensor:
    """Sums rows of `data` by `segment_ids` into `num_segments` rows (tf.math.unsorted_segment_sum)."""
    return bind("UnsortedSegmentSum", [_t(data), _t(segment_ids)], {"num_segments": int(num_segments)})
