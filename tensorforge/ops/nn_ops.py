"""Neural-network ops (tf.nn): activations, softmax and cross-entropies, normalization,
convolutions (im2col + one matmul), pooling (strided windows) and dropout.

Convolution and pooling kernels are written once for any number of spatial dimensions on
channels-last arrays ([N, *spatial, C]); channels-first formats (NCHW, ...) are transposed
around them. A gradient of a convolution is itself an op (Conv2DBackpropInput/Filter) whose
gradient is expressed with the other two, so derivatives of any order exist.
"""
from __future__ import annotations

import math
import numbers

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import convert_to_tensor
from ..framework.tensor import Tensor
from . import array_ops, intra_op, math_ops
from . import sample_inputs as S
from . import shapes as sh
from .registry import bind, register

_t = convert_to_tensor
_HALF = (np.dtype(np.float16), np.dtype(dtypes.bfloat16.as_numpy_dtype))


def _work(a):
    """`a` in a dtype NumPy computes well in: half precision is widened to float32."""
    return a.astype(np.float32) if a.dtype in _HALF else a


def _floats(*arrays):
    """Kernel guard: one floating dtype for all inputs. (A failing kernel makes bind re-run the
    inference, which raises TF's error; NumPy would otherwise promote silently.)"""
    d = arrays[0].dtype
    if not (d.kind == "f" or d in _HALF) or any(a.dtype != d for a in arrays[1:]):
        raise TypeError("unsupported or mixed dtypes")


def _reals(*arrays):
    """Kernel guard: one real (float or integer) dtype for all inputs."""
    d = arrays[0].dtype
    if not (d.kind in "fiu" or d in _HALF) or any(a.dtype != d for a in arrays[1:]):
        raise TypeError("unsupported or mixed dtypes")


def _same_shape_infer(api, op_name, allowed, names=("features",)):
    def infer(specs, attrs):
        if len(specs) > 1:
            sh.same_dtype(api, op_name, specs, names)
        sh.check_dtype(api, op_name, specs[-1], allowed, names[-1])
        return [(sh.dims(specs[-1]), specs[-1].dtype)]
    return infer


def _grad_infer(api, op_name, allowed):
    """Inference of an activation's gradient op (gradients, features) -> gradients."""
    return _same_shape_infer(api, op_name, allowed, ("gradients", "features"))


# ================================================================ activations
_REAL = sh.REAL
_FLOATS = sh.FLOATS
_FAST_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


# NumPy's maximum with a scalar runs a slow loop; against an array of zeros it is vectorised (same
# results, bit for bit). Large float arrays take their relu in chunks of this many elements.
_RELU_CHUNK = 1 << 16
_ZEROS: dict = {}


def _zeros_chunk(dtype, n):
    z = _ZEROS.get(dtype)
    if z is None or z.size < n:
        z = _ZEROS[dtype] = np.zeros(max(n, _RELU_CHUNK), dtype)
        z.flags.writeable = False
    return z[:n]


def _relu_into(x, out):
    """out = maximum(x, 0) for contiguous float arrays (out may be x)."""
    xf, of = x.reshape(-1), out.reshape(-1)
    n = xf.size
    z = _zeros_chunk(x.dtype, min(n, _RELU_CHUNK))
    for i in range(0, n, _RELU_CHUNK):
        j = min(i + _RELU_CHUNK, n)
        np.maximum(xf[i:j], z[:j - i], out=of[i:j])
    return out


def _relu_kernel(xp, x):
    _reals(x)
    if x.dtype in _FAST_FLOATS and x.size >= _RELU_CHUNK and x.flags.c_contiguous:
        return _relu_into(x, np.empty(x.shape, x.dtype))
    return xp.maximum(x, x.dtype.type(0))


def _relu6_kernel(xp, x):
    _reals(x)
    return xp.minimum(xp.maximum(x, x.dtype.type(0)), x.dtype.type(6))


def _relu_grad_kernel(xp, g, f):
    return g * (f > 0)


register("Relu", kernel=_relu_kernel,
         infer=_same_shape_infer("tf.nn.relu", "Relu", _REAL),
         grad=lambda op, dy: [bind("ReluGrad", [dy, op.outputs[0]])], api="tf.nn.relu", args=("features",),
         samples=lambda: [([S.normal(3, 4)], {})])
register("ReluGrad", kernel=_relu_grad_kernel, infer=_grad_infer("tf.raw_ops.ReluGrad", "ReluGrad", _REAL),
         grad=lambda op, ddx: [bind("ReluGrad", [ddx, op.inputs[1]]), None], api="tf.raw_ops.ReluGrad",
         args=("gradients", "features"), samples=lambda: [([S.normal(3, 4), S.normal(3, 4)], {})])


@tf_export("nn.relu")
def relu(features, name=None) -> Tensor:
    """Rectified linear unit: max(features, 0) (tf.nn.relu)."""
    return bind("Relu", [features if type(features) is Tensor else _t(features)])


register("Relu6", kernel=_relu6_kernel,
         infer=_same_shape_infer("tf.nn.relu6", "Relu6", _REAL),
         grad=lambda op, dy: [bind("Relu6Grad", [dy, op.inputs[0]])], api="tf.nn.relu6", args=("features",),
         samples=lambda: [([S.normal(3, 4) * 5.0], {})])
register("Relu6Grad", kernel=lambda xp, g, f: g * ((f > 0) & (f < 6)),
         infer=_grad_infer("tf.raw_ops.Relu6Grad", "Relu6Grad", _REAL),
         grad=lambda op, ddx: [bind("Relu6Grad", [ddx, op.inputs[1]]), None], api="tf.raw_ops.Relu6Grad",
         args=("gradients", "features"), samples=lambda: [([S.normal(3, 4), S.normal(3, 4) * 5.0], {})])


@tf_export("nn.relu6")
def relu6(features, name=None) -> Tensor:
    """Rectified linear 6: min(max(features, 0), 6) (tf.nn.relu6)."""
    return bind("Relu6", [_t(features)])


def _elu_kernel(xp, x):
    _floats(x)
    return xp.where(x > 0, x, xp.expm1(xp.minimum(x, x.dtype.type(0))))


def _elu_grad_kernel(xp, g, y):
    return xp.where(y < 0, g * (y + y.dtype.type(1)), g)


def _elu_grad_grad(op, ddx):
    g, y = op.inputs
    # d/dy of g * (y + 1) where y < 0 is g; ReluGrad(v, -y) is v masked to y < 0.
    return [bind(op.type, [ddx, y]), bind("ReluGrad", [math_ops.multiply(ddx, g), math_ops.negative(y)])]


register("Elu", kernel=_elu_kernel, infer=_same_shape_infer("tf.nn.elu", "Elu", _FLOATS),
         grad=lambda op, dy: [bind("EluGrad", [dy, op.outputs[0]])], api="tf.nn.elu", args=("features",),
         samples=lambda: [([S.normal(3, 4)], {})])
register("EluGrad", kernel=_elu_grad_kernel, infer=_grad_infer("tf.raw_ops.EluGrad", "EluGrad", _FLOATS),
         grad=_elu_grad_grad, api="tf.raw_ops.EluGrad", args=("gradients", "outputs"),
         samples=lambda: [([S.normal(3, 4), _elu_kernel(np, S.normal(3, 4))], {})])


@tf_export("nn.elu")
def elu(features, name=None) -> Tensor:
    """Exponential linear unit: features if > 0 else exp(features) - 1 (tf.nn.elu)."""
    return bind("Elu", [_t(features)])


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _selu_kernel(xp, x):
    _floats(x)
    t = x.dtype.type
    return xp.where(x > 0, t(_SELU_SCALE) * x, t(_SELU_SCALE * _SELU_ALPHA) * xp.expm1(xp.minimum(x, t(0))))


def _selu_grad_kernel(xp, g, y):
    t = y.dtype.type
    return xp.where(y < 0, g * (y + t(_SELU_SCALE * _SELU_ALPHA)), g * t(_SELU_SCALE))


register("Selu", kernel=_selu_kernel, infer=_same_shape_infer("tf.nn.selu", "Selu", _FLOATS),
         grad=lambda op, dy: [bind("SeluGrad", [dy, op.outputs[0]])], api="tf.nn.selu", args=("features",),
         samples=lambda: [([S.normal(3, 4)], {})])
register("SeluGrad", kernel=_selu_grad_kernel, infer=_grad_infer("tf.raw_ops.SeluGrad", "SeluGrad", _FLOATS),
         grad=_elu_grad_grad, api="tf.raw_ops.SeluGrad", args=("gradients", "outputs"),
         samples=lambda: [([S.normal(3, 4), _selu_kernel(np, S.normal(3, 4))], {})])


@tf_export("nn.selu")
def selu(features, name=None) -> Tensor:
    """Scaled exponential linear unit, scale * (features if > 0 else alpha * (exp(features) - 1)) (tf.nn.selu)."""
    return bind("Selu", [_t(features)])


# TF's `alpha` attr is a float32: a float64 op multiplies by float32(alpha) too.
def _leaky_relu_kernel(xp, x, alpha):
    _floats(x)
    return xp.where(x > 0, x, x * x.dtype.type(np.float32(alpha)))


def _leaky_relu_grad_kernel(xp, g, f, alpha):
    return xp.where(f > 0, g, g * g.dtype.type(np.float32(alpha)))


register("LeakyRelu", kernel=_leaky_relu_kernel, infer=_same_shape_infer("tf.nn.leaky_relu", "LeakyRelu", _FLOATS),
         grad=lambda op, dy: [bind("LeakyReluGrad", [dy, op.inputs[0]], op.attrs)], api="tf.nn.leaky_relu",
         args=("features",), samples=lambda: [([S.normal(3, 4)], {"alpha": 0.2}), ([S.normal(5)], {"alpha": 1.5})])
register("LeakyReluGrad", kernel=_leaky_relu_grad_kernel,
         infer=_grad_infer("tf.raw_ops.LeakyReluGrad", "LeakyReluGrad", _FLOATS),
         grad=lambda op, ddx: [bind("LeakyReluGrad", [ddx, op.inputs[1]], op.attrs), None],
         api="tf.raw_ops.LeakyReluGrad", args=("gradients", "features"),
         samples=lambda: [([S.normal(3, 4), S.normal(3, 4)], {"alpha": 0.2})])


@tf_export("nn.leaky_relu")
def leaky_relu(features, alpha=0.2, name=None) -> Tensor:
    """Leaky ReLU: features if > 0 else alpha * features; integers are computed as float32 (tf.nn.leaky_relu)."""
    x = _t(features)
    if x.dtype.is_integer:
        x = math_ops.cast(x, dtypes.float32)
    if isinstance(alpha, (Tensor, np.ndarray, np.generic)):
        alpha = float(np.asarray(alpha))
    return bind("LeakyRelu", [x], {"alpha": float(alpha)})


@tf_export("nn.silu", "nn.swish")
def silu(features, beta=1.0) -> Tensor:
    """Sigmoid linear unit (swish): features * sigmoid(beta * features) (tf.nn.silu)."""
    x = _t(features)
    if isinstance(beta, numbers.Real) and beta == 1.0:
        return math_ops.multiply(x, math_ops.sigmoid(x))
    beta = math_ops.cast(_t(beta), x.dtype)
    return math_ops.multiply(x, math_ops.sigmoid(math_ops.multiply(beta, x)))


@tf_export("nn.gelu")
def gelu(features, approximate=False, name=None) -> Tensor:
    """Gaussian error linear unit: x * P(X <= x) for X ~ N(0, 1); `approximate` uses the tanh form (tf.nn.gelu)."""
    x = _t(features)
    if not x.dtype.is_floating:
        raise ValueError("`features.dtype` must be a floating point tensor.Received:features.dtype=%s" % x.dtype.name)
    c = x.dtype._np.type
    if approximate:
        cube = math_ops.pow(x, c(3))
        inner = math_ops.multiply(c(0.7978845608028654), math_ops.add(x, math_ops.multiply(c(np.float32(0.044715)), cube)))
        return math_ops.multiply(math_ops.multiply(c(0.5), x), math_ops.add(c(1.0), math_ops.tanh(inner)))
    # TF 2.21 writes the exact form with erfc(-x / sqrt(2)), which keeps precision for x << 0. Its constants
    # (here and coeff above) go through tf.cast of a Python float, i.e. through float32.
    return math_ops.multiply(math_ops.multiply(c(0.5), x),
                             math_ops.erfc(math_ops.multiply(math_ops.negative(x), c(np.float32(0.7071067811865476)))))


@tf_export("nn.crelu")
def crelu(features, axis=-1, name=None) -> Tensor:
    """Concatenated ReLU: concat([relu(x), relu(-x)], axis) (tf.nn.crelu)."""
    x = _t(features)
    return relu(array_ops.concat([x, math_ops.negative(x)], axis))


# ================================================================ softmax
def _softmax_kernel(xp, x):
    _floats(x)
    w = _work(x)
    if w.shape[-1] == 0:
        return x.copy()
    e = xp.exp(w - w.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e.astype(x.dtype, copy=False)


def _log_softmax_kernel(xp, x):
    _floats(x)
    w = _work(x)
    if w.shape[-1] == 0:
        return x.copy()
    s = w - w.max(axis=-1, keepdims=True)
    s -= xp.log(xp.exp(s).sum(axis=-1, keepdims=True))
    return s.astype(x.dtype, copy=False)


def _softmax_infer(api, op_name):
    def infer(specs, attrs):
        sh.check_dtype(api, op_name, specs[0], _FLOATS, "logits")
        s = sh.dims(specs[0])
        if s is not None and len(s) < 1:
            raise sh.error(api, op_name, "logits must have >= 1 dimension, got %s" % sh.fmt(s))
        return [(s, specs[0].dtype)]
    return infer


def _softmax_grad(op, dy):
    y = op.outputs[0]
    return [math_ops.multiply(math_ops.subtract(dy, math_ops.reduce_sum(math_ops.multiply(dy, y), -1, keepdims=True)), y)]


def _log_softmax_grad(op, dy):
    return [math_ops.subtract(dy, math_ops.multiply(math_ops.exp(op.outputs[0]), math_ops.reduce_sum(dy, -1, keepdims=True)))]


register("Softmax", kernel=_softmax_kernel, infer=_softmax_infer("tf.nn.softmax", "Softmax"), grad=_softmax_grad,
         api="tf.nn.softmax", args=("logits",), samples=lambda: [([S.normal(3, 4)], {}), ([S.normal(2, 2, 3)], {})])
register("LogSoftmax", kernel=_log_softmax_kernel, infer=_softmax_infer("tf.nn.log_softmax", "LogSoftmax"),
         grad=_log_softmax_grad, api="tf.nn.log_softmax", args=("logits",),
         samples=lambda: [([S.normal(3, 4)], {}), ([S.normal(2, 2, 3)], {})])


def _softmax_along(op_name, logits, axis):
    x = logits if type(logits) is Tensor else _t(logits)
    if axis is None or axis == -1:
        return bind(op_name, [x])
    rank = x.shape.rank
    if rank is None:
        return bind(op_name, [x])
    axis = int(axis)
    if not -rank <= axis < rank:
        raise sh.error("tf.nn.softmax" if op_name == "Softmax" else "tf.nn.log_softmax", op_name,
                       "`dim` must be in the range [%d, %d) where %d is the number of dimensions in the input. "
                       "Received: dim=%d" % (-rank, rank, rank, axis))
    axis %= rank
    if axis == rank - 1:
        return bind(op_name, [x])
    perm = list(range(rank))
    perm[axis], perm[-1] = perm[-1], perm[axis]  # TF swaps the axis with the last one and back
    return array_ops.transpose(bind(op_name, [array_ops.transpose(x, perm)]), perm)


@tf_export("nn.softmax", "math.softmax")
def softmax(logits, axis=None, name=None) -> Tensor:
    """Softmax activations exp(logits) / reduce_sum(exp(logits), axis) along `axis` (default -1) (tf.nn.softmax)."""
    return _softmax_along("Softmax", logits, axis)


@tf_export("nn.log_softmax", "math.log_softmax")
def log_softmax(logits, axis=None, name=None) -> Tensor:
    """Log-softmax activations logits - log(reduce_sum(exp(logits), axis)) (tf.nn.log_softmax)."""
    return _softmax_along("LogSoftmax", logits, axis)


# ================================================================ BiasAdd
def _bias_axis(ndim, data_format):
    return 1 if data_format.startswith("NC") else ndim - 1


# A per-channel vector broadcast over [rows, C] makes NumPy run one inner loop per row, slow for small C:
# bias adds and bias gradients work on rows of about this many elements instead (k rows side by side).
_WIDE = 1024


def _channel_rows(a, c):
    """(head [R // k, k * C], tail [R % k, C], k): contiguous `a` [..., C] as wide rows (views)."""
    flat = a.reshape(-1, c)
    k = max(1, _WIDE // max(c, 1))
    m = flat.shape[0] // k * k
    return flat[:m].reshape(-1, k * c), flat[m:], k


def _add_channels(a, b, out, wide_b=None):
    """out = a + b for contiguous a, out [..., C] and b [C]: the same sums as broadcasting, in wide rows.
    `wide_b` may hold b tiled to the wide rows' width (np.tile(b, k)), computed once by the caller."""
    c = b.shape[0]
    head, tail, k = _channel_rows(a, c)
    ohead, otail, _ = _channel_rows(out, c)
    if k > 1 and wide_b is None:
        wide_b = np.tile(b, k)
    np.add(head, wide_b if k > 1 else b, out=ohead)
    if tail.size:
        np.add(tail, b, out=otail)
    return out


def _bias_add_kernel(xp, x, b, data_format):
    if (x.dtype != b.dtype or x.dtype.kind in "bO" or x.ndim < 2 or b.ndim != 1
            or x.shape[_bias_axis(x.ndim, data_format)] != b.shape[0]):
        raise ValueError("invalid arguments")
    if data_format.startswith("NC") and x.ndim > 2:
        return x + b.reshape((-1,) + (1,) * (x.ndim - 2))
    if x.dtype in _FAST_FLOATS and x.size >= 1 << 18 and b.shape[0] <= 64 and x.flags.c_contiguous:
        return _add_channels(x, b, np.empty(x.shape, x.dtype))  # measured faster from these sizes on
    return x + b


def _bias_add_infer(specs, attrs):
    api, op = "tf.nn.bias_add", "BiasAdd"
    d = sh.same_dtype(api, op, specs, ("value", "bias"))
    sh.check_dtype(api, op, specs[0], sh.NUMERIC, "value")
    s, b = sh.dims(specs[0]), sh.dims(specs[1])
    if s is not None and len(s) < 2:
        raise sh.error(api, op, "Input tensor must be at least 2D: %s" % sh.fmt(s))
    if b is not None and len(b) != 1:
        raise sh.error(api, op, "Biases must be 1D: %s" % sh.fmt(b))
    if s is not None and b is not None:
        c = s[_bias_axis(len(s), attrs["data_format"])]
        if c is not None and b[0] is not None and c != b[0]:
            where = "channel" if attrs["data_format"].startswith("NC") else "last"
            raise sh.error(api, op, "Must provide as many biases as the %s dimension of the input tensor: %s vs. %s"
                           % (where, sh.fmt(b), sh.fmt(s)))
    return [(s, d)]


def _bias_add_grad_kernel(xp, dy, data_format):
    axis = _bias_axis(dy.ndim, data_format)
    c = dy.shape[axis]
    if axis == dy.ndim - 1 and 0 < c < _WIDE and dy.size >= max(1 << 15, _WIDE * c):  # measured faster from there
        head, tail, k = _channel_rows(np.ascontiguousarray(_work(dy)), c)  # sums of wide rows, then folded
        total = head.sum(axis=0).reshape(k, c).sum(axis=0) + tail.sum(axis=0)
        return xp.asarray(total.astype(dy.dtype, copy=False))
    axes = tuple(i for i in range(dy.ndim) if i != axis)
    return xp.asarray(_work(dy).sum(axis=axes).astype(dy.dtype, copy=False))


def _bias_add_grad_infer(specs, attrs):
    s = sh.dims(specs[0])
    if s is None:
        return [(None, specs[0].dtype)]
    return [((s[_bias_axis(len(s), attrs["data_format"])],), specs[0].dtype)]


register("BiasAdd", kernel=_bias_add_kernel, infer=_bias_add_infer,
         grad=lambda op, dy: [dy, bind("BiasAddGrad", [dy], op.attrs)], api="tf.nn.bias_add", args=("value", "bias"),
         samples=lambda: [([S.normal(2, 3, 4), S.normal(4)], {"data_format": "NHWC"}),
                          ([S.normal(2, 3, 4, 2), S.normal(3)], {"data_format": "NCHW"})])
# The gradient of BiasAddGrad broadcasts back: BiasAdd(zeros_like(dy), g) works for dynamic shapes too.
register("BiasAddGrad", kernel=_bias_add_grad_kernel, infer=_bias_add_grad_infer,
         grad=lambda op, g: [bind("BiasAdd", [array_ops.zeros_like(op.inputs[0]), g], op.attrs)],
         api="tf.raw_ops.BiasAddGrad", args=("out_backprop",),
         samples=lambda: [([S.normal(2, 3, 4)], {"data_format": "NHWC"}), ([S.normal(2, 3, 4)], {"data_format": "NCHW"})])


@tf_export("nn.bias_add")
def bias_add(value, bias, data_format=None, name=None) -> Tensor:
    """Adds the 1-D `bias` along the channel dimension of `value` (last, or 1 for 'NC...') (tf.nn.bias_add)."""
    if data_format is None or (data_format.startswith("N") and data_format.endswith("C")):
        data_format = "NHWC"
    elif data_format.startswith("NC"):
        data_format = "NCHW"
    else:
        raise ValueError("data_format must be of the form `N...C` or `NC...`")
    x = value if type(value) is Tensor else _t(value)
    b = bias if type(bias) is Tensor else _t(bias, dtype_hint=x.dtype)
    return bind("BiasAdd", [x, b], {"data_format": data_format})


# ================================================================ L2Loss
def _l2_loss_kernel(xp, x):
    _floats(x)
    return xp.asarray(xp.sum(xp.square(_work(x))) / 2, dtype=x.dtype)


register("L2Loss", kernel=_l2_loss_kernel,
         infer=lambda specs, attrs: (sh.check_dtype("tf.nn.l2_loss", "L2Loss", specs[0], _FLOATS, "t"),
                                     [((), specs[0].dtype)])[1],
         grad=lambda op, dy: [math_ops.multiply(op.inputs[0], dy)], api="tf.nn.l2_loss", args=("t",),
         samples=lambda: [([S.normal(3, 4)], {})])


@tf_export("nn.l2_loss")
def l2_loss(t, name=None) -> Tensor:
    """Half the squared L2 norm of `t`: sum(t ** 2) / 2 (tf.nn.l2_loss)."""
    return bind("L2Loss", [_t(t)])


# ================================================================ cross-entropies
def _sparse_xent_kernel(xp, features, labels):
    _floats(features)
    n, c = features.shape
    lab = labels.astype(np.int64, copy=False)
    bad = (lab < 0) | (lab >= c)
    if bad.any():
        raise sh.error("tf.nn.sparse_softmax_cross_entropy_with_logits", "SparseSoftmaxCrossEntropyWithLogits",
                       "Received a label value of %d which is outside the valid range of [0, %d).  Label values: %s"
                       % (lab[bad][0], c, " ".join(str(v) for v in lab.tolist())))
    w = _work(features)
    if c == 0:
        return xp.zeros((n,), features.dtype), xp.zeros((n, 0), features.dtype)
    s = w - w.max(axis=1, keepdims=True)
    e = xp.exp(s)
    total = e.sum(axis=1, keepdims=True)
    rows = xp.arange(n)
    loss = xp.log(total[:, 0]) - s[rows, lab]
    e /= total
    e[rows, lab] -= 1
    return loss.astype(features.dtype, copy=False), e.astype(features.dtype, copy=False)


def _sparse_xent_infer(specs, attrs):
    api, op = "tf.nn.sparse_softmax_cross_entropy_with_logits", "SparseSoftmaxCrossEntropyWithLogits"
    sh.check_dtype(api, op, specs[0], _FLOATS, "logits")
    sh.check_dtype(api, op, specs[1], (dtypes.int32, dtypes.int64), "labels")
    f, lab = sh.dims(specs[0]), sh.dims(specs[1])
    if f is not None and len(f) != 2:
        raise sh.error(api, op, "logits must be 2-D, but got shape %s" % sh.fmt(f))
    if lab is not None and len(lab) != 1:
        raise sh.error(api, op, "labels must be 1-D, but got shape %s" % sh.fmt(lab))
    n = None if f is None else f[0]
    if lab is not None:
        if n is not None and lab[0] is not None and n != lab[0]:
            raise sh.error(api, op, "logits and labels must have the same first dimension, got logits shape %s and "
                           "labels shape %s" % (sh.fmt(f), sh.fmt(lab)))
        n = lab[0] if n is None else n
    d = specs[0].dtype
    return [((n,), d), (None if f is None else (n, f[1]), d)]


def _is_zero(t) -> bool:
    """Whether `t` is known to be all zeros (an eager tensor: the tape's stand-in for no gradient)."""
    return type(t) is Tensor and not t._value.any()


def _softmax_backprop(dbackprop, logits):
    """The gradient through backprop = softmax(logits) - labels, w.r.t. logits."""
    sm = softmax(logits)
    return math_ops.multiply(math_ops.subtract(
        dbackprop, math_ops.reduce_sum(math_ops.multiply(dbackprop, sm), -1, keepdims=True)), sm)


def _sparse_xent_grad(op, dloss, dbackprop):
    g = math_ops.multiply(array_ops.expand_dims(dloss, -1), op.outputs[1])
    if not _is_zero(dbackprop):
        g = math_ops.add(g, _softmax_backprop(dbackprop, op.inputs[0]))
    return [g, None]


register("SparseSoftmaxCrossEntropyWithLogits", kernel=_sparse_xent_kernel, infer=_sparse_xent_infer,
         grad=_sparse_xent_grad, api="tf.nn.sparse_softmax_cross_entropy_with_logits", num_outputs=2,
         args=("logits", "labels"),
         samples=lambda: [([S.normal(4, 5), S.ints(0, 5, 4)], {}), ([S.normal(3, 2), S.ints(0, 2, 3, dtype=np.int64)], {})])


def _xent_kernel(xp, features, labels):
    _floats(features, labels)
    w, lab = np.broadcast_arrays(_work(features), _work(labels))
    s = w - w.max(axis=-1, keepdims=True)
    e = xp.exp(s)
    total = e.sum(axis=-1, keepdims=True)
    loss = (lab * (xp.log(total) - s)).sum(axis=-1)
    e /= total
    e -= lab
    return loss.astype(features.dtype, copy=False), e.astype(features.dtype, copy=False)


def _xent_infer(specs, attrs):
    api, op = "tf.nn.softmax_cross_entropy_with_logits", "SoftmaxCrossEntropyWithLogits"
    d = sh.same_dtype(api, op, specs, ("logits", "labels"))
    sh.check_dtype(api, op, specs[0], _FLOATS, "logits")
    f, lab = sh.dims(specs[0]), sh.dims(specs[1])
    try:
        s = sh.broadcast_shapes(f, lab, api, op, ("logits", "labels"))
    except Exception:  # noqa: BLE001
        raise sh.error(api, op, "logits and labels must be broadcastable: logits_size=%s labels_size=%s"
                       % (sh.fmt(f), sh.fmt(lab))) from None
    if s is not None and len(s) != 2:
        raise sh.error(api, op, "logits and labels must be either 2-dimensional, or broadcasted to be "
                       "2-dimensional, got logits shape %s and labels shape %s" % (sh.fmt(f), sh.fmt(lab)))
    return [(None if s is None else (s[0],), d), (s, d)]


def _xent_grad(op, dloss, dbackprop):
    logits = op.inputs[0]
    dl = array_ops.expand_dims(dloss, -1)
    g = math_ops.multiply(dl, op.outputs[1])
    g_labels = math_ops.multiply(dl, math_ops.negative(log_softmax(logits)))
    if not _is_zero(dbackprop):
        g = math_ops.add(g, _softmax_backprop(dbackprop, logits))
        g_labels = math_ops.subtract(g_labels, dbackprop)
    return [g, g_labels]


def _xent_samples():
    lab = np.exp(S.normal(3, 4))
    return [([S.normal(3, 4), lab / lab.sum(-1, keepdims=True)], {})]


register("SoftmaxCrossEntropyWithLogits", kernel=_xent_kernel, infer=_xent_infer, grad=_xent_grad,
         api="tf.nn.softmax_cross_entropy_with_logits", num_outputs=2, args=("logits", "labels"), samples=_xent_samples)


@tf_export("nn.sparse_softmax_cross_entropy_with_logits")
def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None) -> Tensor:
    """Softmax cross-entropy between `logits` [..., C] and integer class `labels` [...]
    (tf.nn.sparse_softmax_cross_entropy_with_logits).

    A label outside [0, C) raises InvalidArgumentError.
    """
    logits = _t(logits)
    labels = _t(labels)
    ls, xs = labels.shape, logits.shape
    if xs.rank == 0:
        raise ValueError("`logits` cannot be a scalar. Received logits=%s`" % format(logits, ""))
    if ls.rank is not None and xs.rank is not None:
        if ls.rank != xs.rank - 1:
            raise ValueError("Rank mismatch: Rank of labels (received %d) should equal rank of logits minus 1 "
                             "(received %d)." % (ls.rank, xs.rank))
        if not ls.is_compatible_with(xs[:-1]):
            raise ValueError("`labels.shape` must equal `logits.shape` except for the last dimension. Received: "
                             "labels.shape=%s and logits.shape=%s" % (ls, xs))
    wide = logits.dtype in (dtypes.float16, dtypes.bfloat16)
    x = math_ops.cast(logits, dtypes.float32) if wide else logits
    if xs.rank == 2:
        cost = bind("SparseSoftmaxCrossEntropyWithLogits", [x, labels])[0]
    else:
        c = xs[-1]
        cost = bind("SparseSoftmaxCrossEntropyWithLogits",
                    [array_ops.reshape(x, [-1, -1 if c is None else c]), array_ops.reshape(labels, [-1])])[0]
        cost = array_ops.reshape(cost, array_ops.shape(labels) if not ls.is_fully_defined() else ls.as_list())
    return math_ops.cast(cost, logits.dtype) if wide else cost


@tf_export("nn.softmax_cross_entropy_with_logits")
def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None) -> Tensor:
    """Softmax cross-entropy between `logits` and a probability distribution `labels` along `axis`
    (tf.nn.softmax_cross_entropy_with_logits)."""
    logits = _t(logits)
    labels = _t(labels, dtype_hint=logits.dtype)
    wide = logits.dtype in (dtypes.float16, dtypes.bfloat16)
    x = math_ops.cast(logits, dtypes.float32) if wide else logits
    if labels.dtype is not x.dtype:
        labels = math_ops.cast(labels, x.dtype)
    rank = x.shape.rank
    if rank == 0:
        raise ValueError("Logits cannot be scalars - received shape %s." % x.shape)
    axis = int(axis) % rank
    if axis != rank - 1:
        perm = [i for i in range(rank) if i != axis] + [axis]
        x = array_ops.transpose(x, perm)
        labels = array_ops.transpose(labels, perm) if labels.shape.rank == rank else labels
    shape = x.shape.as_list()
    if rank == 2:
        cost = bind("SoftmaxCrossEntropyWithLogits", [x, labels])[0]
    else:
        c = shape[-1]
        flat = [-1, -1 if c is None else c]
        lab = array_ops.reshape(labels if labels.shape.as_list() == shape else array_ops.broadcast_to(labels, shape), flat)
        cost = bind("SoftmaxCrossEntropyWithLogits", [array_ops.reshape(x, flat), lab])[0]
        cost = array_ops.reshape(cost, shape[:-1])
    return math_ops.cast(cost, logits.dtype) if wide else cost


@tf_export("nn.sigmoid_cross_entropy_with_logits")
def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None) -> Tensor:
    """Element-wise logistic loss, computed stably as max(x, 0) - x * z + log(1 + exp(-|x|))
    (tf.nn.sigmoid_cross_entropy_with_logits)."""
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")
    x = _t(logits)
    z = _t(labels, dtype_hint=x.dtype)
    if not x.shape.is_compatible_with(z.shape):
        raise ValueError("`logits` and `labels` must have the same shape, received (%s vs %s)." % (x.shape, z.shape))
    # TF's form (with where, so that the gradient at x == 0 is 0.5 - z as in TF).
    zeros = array_ops.zeros_like(x)
    cond = math_ops.greater_equal(x, zeros)
    relu_logits = array_ops.where(cond, x, zeros)
    neg_abs_logits = array_ops.where(cond, math_ops.negative(x), x)
    return math_ops.add(math_ops.subtract(relu_logits, math_ops.multiply(x, z)),
                        math_ops.log1p(math_ops.exp(neg_abs_logits)))


@tf_export("nn.weighted_cross_entropy_with_logits")
def weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=None) -> Tensor:
    """Sigmoid cross-entropy with positive examples weighted by `pos_weight`
    (tf.nn.weighted_cross_entropy_with_logits)."""
    x = _t(logits)
    z = _t(labels, dtype_hint=x.dtype)
    if not x.shape.is_compatible_with(z.shape):
        raise ValueError("`logits` and `labels` must have the same shape, received (%s vs %s)." % (x.shape, z.shape))
    one = x.dtype._np.type(1)
    pos_weight = _t(pos_weight, dtype_hint=x.dtype)
    log_weight = math_ops.add(one, math_ops.multiply(math_ops.subtract(pos_weight, one), z))
    softplus_neg = math_ops.add(math_ops.log1p(math_ops.exp(math_ops.negative(math_ops.abs(x)))),
                                relu(math_ops.negative(x)))
    return math_ops.add(math_ops.multiply(math_ops.subtract(one, z), x), math_ops.multiply(log_weight, softplus_neg))


@tf_export("nn.log_poisson_loss")
def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None) -> Tensor:
    """Poisson negative log-likelihood exp(log_input) - log_input * targets, optionally with the Stirling term
    (tf.nn.log_poisson_loss)."""
    log_input = _t(log_input)
    targets = _t(targets, dtype_hint=log_input.dtype)
    if not log_input.shape.is_compatible_with(targets.shape):
        raise ValueError("`log_input` and `targets` must have the same shape, received (%s vs %s)."
                         % (log_input.shape, targets.shape))
    result = math_ops.subtract(math_ops.exp(log_input), math_ops.multiply(log_input, targets))
    if compute_full_loss:
        c = targets.dtype._np.type
        stirling = math_ops.add(math_ops.subtract(math_ops.multiply(targets, math_ops.log(targets)), targets),
                                math_ops.multiply(c(0.5), math_ops.log(math_ops.multiply(c(2 * math.pi), targets))))
        zeros = array_ops.zeros_like(targets)
        small = math_ops.logical_and(math_ops.greater_equal(targets, zeros),
                                     math_ops.less_equal(targets, array_ops.ones_like(targets)))
        result = math_ops.add(result, array_ops.where(small, zeros, stirling))
    return result


# ================================================================ moments / normalization
def _axes_list(axes):
    if isinstance(axes, Tensor):
        axes = np.asarray(axes._value).tolist()
    if isinstance(axes, (int, np.integer)):
        return [int(axes)]
    return [int(a) for a in axes]


@tf_export("nn.moments")
def moments(x, axes, shift=None, keepdims=False, name=None):
    """Mean and variance of `x` over `axes` (tf.nn.moments); float16 is computed in float32.

    Returns:
      Two tensors, `mean` and `variance`.
    """
    x = _t(x)
    axes = _axes_list(axes)
    y = math_ops.cast(x, dtypes.float32) if x.dtype is dtypes.float16 else x
    mean = math_ops.reduce_mean(y, axes, keepdims=True)
    variance = math_ops.reduce_mean(math_ops.squared_difference(y, array_ops.stop_gradient(mean)), axes,
                                    keepdims=keepdims)
    if not keepdims:
        mean = array_ops.squeeze(mean, axes)
    if x.dtype is dtypes.float16:
        return math_ops.cast(mean, dtypes.float16), math_ops.cast(variance, dtypes.float16)
    return mean, variance


@tf_export("nn.weighted_moments")
def weighted_moments(x, axes, frequency_weights, keepdims=False, name=None):
    """Frequency-weighted mean and variance of `x` over `axes` (tf.nn.weighted_moments)."""
    x = _t(x)
    axes = _axes_list(axes)
    y = math_ops.cast(x, dtypes.float32) if x.dtype is dtypes.float16 else x
    w = math_ops.cast(_t(frequency_weights), y.dtype)
    weighted_input_sum = math_ops.reduce_sum(math_ops.multiply(w, y), axes, keepdims=True)
    broadcast_w = math_ops.add(w, array_ops.zeros_like(y))
    sum_of_weights = math_ops.reduce_sum(broadcast_w, axes, keepdims=True)
    divisor = math_ops.reciprocal(sum_of_weights)
    mean = math_ops.multiply(weighted_input_sum, divisor)
    weighted_dist = math_ops.reduce_sum(math_ops.multiply(w, math_ops.squared_difference(y, mean)), axes, keepdims=True)
    variance = math_ops.multiply(weighted_dist, divisor)
    if not keepdims:
        mean = array_ops.squeeze(mean, axes)
        variance = array_ops.squeeze(variance, axes)
    if x.dtype is dtypes.float16:
        return math_ops.cast(mean, dtypes.float16), math_ops.cast(variance, dtypes.float16)
    return mean, variance


@tf_export("nn.sufficient_statistics")
def sufficient_statistics(x, axes, shift=None, keepdims=False, name=None):
    """Count, (shifted) sum and sum of squares of `x` over `axes` (tf.nn.sufficient_statistics)."""
    x = _t(x)
    axes = _axes_list(axes)
    dims = x.shape.as_list()
    count = 1
    for a in axes:
        count *= dims[a]
    counts = _t(np.asarray(count, x.dtype._np))
    if shift is not None:
        shift = _t(shift, dtype_hint=x.dtype)
        m_ss = math_ops.subtract(x, shift)
        v_ss = math_ops.squared_difference(x, shift)
    else:
        m_ss, v_ss = x, math_ops.square(x)
    return (counts, math_ops.reduce_sum(m_ss, axes, keepdims=keepdims),
            math_ops.reduce_sum(v_ss, axes, keepdims=keepdims), shift)


@tf_export("nn.normalize_moments")
def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """Mean and variance from sufficient statistics (tf.nn.normalize_moments)."""
    divisor = math_ops.reciprocal(_t(counts))
    shifted_mean = math_ops.multiply(mean_ss, divisor)
    mean = shifted_mean if shift is None else math_ops.add(shifted_mean, shift)
    variance = math_ops.subtract(math_ops.multiply(variance_ss, divisor), math_ops.square(shifted_mean))
    return mean, variance


@tf_export("nn.batch_normalization")
def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None) -> Tensor:
    """(x - mean) * scale / sqrt(variance + variance_epsilon) + offset (tf.nn.batch_normalization)."""
    x = _t(x)
    variance = _t(variance, dtype_hint=x.dtype)
    inv = math_ops.rsqrt(math_ops.add(variance, variance_epsilon))
    if scale is not None:
        inv = math_ops.multiply(inv, scale)
    mean = _t(mean, dtype_hint=x.dtype)
    shift = math_ops.negative(math_ops.multiply(mean, inv)) if offset is None else \
        math_ops.subtract(offset, math_ops.multiply(mean, inv))
    return math_ops.add(math_ops.multiply(x, math_ops.cast(inv, x.dtype)), math_ops.cast(shift, x.dtype))


# ---------------------------------------------------------------- FusedBatchNormV3 (graphs made by TF use it)
def _bn_axes(ndim, data_format):
    c = 1 if _channels_first(data_format) else ndim - 1
    return c, tuple(i for i in range(ndim) if i != c)


def _fused_bn_kernel(xp, x, scale, offset, mean, variance, epsilon, exponential_avg_factor, data_format,
                     is_training):
    _floats(x)
    _floats(scale, offset)
    c, axes = _bn_axes(x.ndim, data_format)
    bshape = [1] * x.ndim
    bshape[c] = -1
    u = scale.dtype
    xw = x.astype(u)
    if is_training:
        n = x.size // max(x.shape[c], 1)
        bm = xw.mean(axis=axes)
        bv = xw.var(axis=axes)
        uv = bv * u.type(n / max(n - 1, 1))
        f = u.type(exponential_avg_factor)
        out_m, out_v = (bm, uv) if exponential_avg_factor == 1.0 else (
            (1 - f) * mean + f * bm, (1 - f) * variance + f * uv)
        rs1, rs2 = bm.copy(), bv.copy()
    else:
        bm, bv = mean, variance
        out_m, out_v, rs1, rs2 = mean.copy(), variance.copy(), mean.copy(), variance.copy()
    inv = scale / np.sqrt(bv + u.type(epsilon))
    y = (xw - bm.reshape(bshape)) * inv.reshape(bshape) + offset.reshape(bshape)
    return (y.astype(x.dtype, copy=False), out_m.astype(u, copy=False), out_v.astype(u, copy=False),
            rs1.astype(u, copy=False), rs2.astype(u, copy=False), np.zeros((), u))


def _fused_bn_infer(specs, attrs):
    api, op = "tf.compat.v1.nn.fused_batch_norm", "FusedBatchNormV3"
    sh.check_dtype(api, op, specs[0], _FLOATS, "x")
    sh.same_dtype(api, op, specs[1:3], ("scale", "offset"))
    xs = sh.dims(specs[0])
    if xs is not None and len(xs) not in (4, 5):
        raise sh.error(api, op, "input must be 4 or 5-dimensional %s" % sh.fmt(xs))
    c = None if xs is None else xs[_bn_axes(len(xs), attrs["data_format"])[0]]
    u = specs[1].dtype
    return [(xs, specs[0].dtype), ((c,), u), ((c,), u), ((c,), u), ((c,), u), ((), u)]


def _fused_bn_grad(op, dy, dbm, dbv, drs1, drs2, _):
    x, scale, offset, mean, variance = op.inputs
    a = op.attrs
    c, axes = _bn_axes(x.shape.rank, a["data_format"])
    u = scale.dtype
    bshape = [1] * x.shape.rank
    bshape[c] = -1
    axes = list(axes)

    def b(v):  # a [C] vector broadcast against x
        return array_ops.reshape(v, bshape)
    xw = math_ops.cast(x, u)
    dyw = math_ops.cast(dy, u)
    eps = u._np.type(a["epsilon"])
    if a["is_training"]:
        bm, bv = op.outputs[3], op.outputs[4]
        n = 1
        for i in axes:
            n *= x.shape[i]
        inv = math_ops.rsqrt(math_ops.add(bv, eps))
        centered = math_ops.subtract(xw, b(bm))
        xhat = math_ops.multiply(centered, b(inv))
        mean_dy = math_ops.reduce_mean(dyw, axes, keepdims=True)
        mean_dy_xhat = math_ops.reduce_mean(math_ops.multiply(dyw, xhat), axes, keepdims=True)
        dx = math_ops.multiply(b(math_ops.multiply(scale, inv)),
                               math_ops.subtract(math_ops.subtract(dyw, mean_dy), math_ops.multiply(xhat, mean_dy_xhat)))
        f = a["exponential_avg_factor"]
        uf = u._np.type(f)
        g_m = math_ops.add(math_ops.multiply(dbm, uf) if f != 1.0 else dbm, drs1)
        g_v = math_ops.add(math_ops.multiply(dbv, u._np.type(f * n / max(n - 1, 1))), drs2)
        dx = math_ops.add(dx, math_ops.add(b(math_ops.multiply(g_m, u._np.type(1.0 / n))),
                                           math_ops.multiply(centered, b(math_ops.multiply(g_v, u._np.type(2.0 / n))))))
        dscale = math_ops.reduce_sum(math_ops.multiply(dyw, xhat), axes)
        dmean = dvar = None
        if f != 1.0:
            dmean = math_ops.multiply(dbm, u._np.type(1 - f))
            dvar = math_ops.multiply(dbv, u._np.type(1 - f))
    else:
        inv = math_ops.rsqrt(math_ops.add(variance, eps))
        centered = math_ops.subtract(xw, b(mean))
        dx = math_ops.multiply(dyw, b(math_ops.multiply(scale, inv)))
        sum_dy = math_ops.reduce_sum(dyw, axes)
        sum_dy_c = math_ops.reduce_sum(math_ops.multiply(dyw, centered), axes)
        dscale = math_ops.multiply(sum_dy_c, inv)
        dmean = math_ops.add(math_ops.subtract(dbm, math_ops.multiply(sum_dy, math_ops.multiply(scale, inv))), drs1)
        cube = math_ops.multiply(math_ops.multiply(inv, inv), inv)
        dvar = math_ops.add(math_ops.add(dbv, drs2), math_ops.multiply(
            math_ops.multiply(sum_dy_c, scale), math_ops.multiply(cube, u._np.type(-0.5))))
    return [math_ops.cast(dx, x.dtype), dscale, math_ops.reduce_sum(dyw, axes), dmean, dvar]


def _fused_bn_samples():
    out = []
    for training, f, fmt, shape in [(True, 1.0, "NHWC", (2, 3, 3, 2)), (True, 0.3, "NCHW", (2, 2, 3, 3)),
                                    (False, 1.0, "NHWC", (2, 3, 2, 2))]:
        c = shape[1] if fmt == "NCHW" else shape[-1]
        out.append(([S.normal(*shape), S.positive(c), S.normal(c), S.normal(c), S.positive(c)],
                    {"epsilon": 0.001, "exponential_avg_factor": f, "data_format": fmt, "is_training": training}))
    return out


register("FusedBatchNormV3", kernel=_fused_bn_kernel, infer=_fused_bn_infer, grad=_fused_bn_grad,
         api="tf.compat.v1.nn.fused_batch_norm", num_outputs=6, args=("x", "scale", "offset", "mean", "variance"),
         samples=_fused_bn_samples)


# ================================================================ embeddings
@tf_export("nn.embedding_lookup")
def embedding_lookup(params, ids, max_norm=None, name=None) -> Tensor:
    """Rows `ids` of `params` (a tensor, or a list of shards split by rows in order) (tf.nn.embedding_lookup).

    With `max_norm`, rows whose L2 norm exceeds it are scaled down to it.
    """
    if isinstance(params, (list, tuple)):
        if not params:
            raise ValueError("Need at least one param")
        params = params[0] if len(params) == 1 else array_ops.concat([_t(p) for p in params], 0)
    ids = _t(ids)
    out = array_ops.gather(params, ids)
    if max_norm is not None:
        out = math_ops.clip_by_norm(out, max_norm, axes=list(range(ids.shape.rank, out.shape.rank)))
    return out


# ================================================================ convolution and pooling geometry
_CONV_T = _FLOATS + (dtypes.int32,)


def _channels_first(data_format: str) -> bool:
    return data_format.startswith("NC")


def _spatial(values, data_format):
    """The spatial entries of a full-rank attr (strides, dilations, ksize, a shape) in `data_format`."""
    return tuple(values[2:]) if _channels_first(data_format) else tuple(values[1:-1])


def _explicit_pairs(explicit, data_format):
    pairs = [tuple(explicit[i:i + 2]) for i in range(0, len(explicit), 2)]
    return _spatial(pairs, data_format)


def _to_last(a, cf):
    return np.moveaxis(a, 1, -1) if cf else a


def _from_last(a, cf):
    return np.ascontiguousarray(np.moveaxis(a, -1, 1)) if cf else a


def _shape_to_last(shape, cf):
    shape = tuple(shape)
    return (shape[0],) + shape[2:] + (shape[1],) if cf else shape


def _shape_from_last(shape, cf):
    shape = tuple(shape)
    return (shape[0], shape[-1]) + shape[1:-1] if cf else shape


def _out_size(n, k, s, d, padding, before=0, after=0):
    """TF's windowed output size for input size n, filter k, stride s, dilation d: (out, pad_before, pad_after)."""
    if n is None or k is None:
        return None, 0, 0
    eff = (k - 1) * d + 1
    if padding == "SAME":
        out = (n + s - 1) // s
        total = max((out - 1) * s + eff - n, 0)
        return out, total // 2, total - total // 2
    if padding != "EXPLICIT":
        before = after = 0
    v = n + before + after - eff + s
    return (v // s if v >= 0 else -((-v) // s)), before, after  # C++ division truncates toward zero


def _geometry(in_sp, k_sp, strides, dilations, padding, pairs=None):
    """Output spatial sizes and per-dimension (before, after) paddings."""
    outs, pads = [], []
    for i, n in enumerate(in_sp):
        b, a = pairs[i] if padding == "EXPLICIT" else (0, 0)
        o, pb, pa = _out_size(n, k_sp[i], strides[i], dilations[i], padding, b, a)
        outs.append(o)
        pads.append((pb, pa))
    return tuple(outs), pads


def _pad(x, pads, value=0):
    """`x` [N, *spatial, C] padded with `value` by `pads` [(before, after), ...] (no copy when no padding)."""
    if not any(b or a for b, a in pads):
        return x
    shape = (x.shape[0],) + tuple(n + b + a for n, (b, a) in zip(x.shape[1:-1], pads)) + (x.shape[-1],)
    out = np.full(shape, value, x.dtype) if value else np.zeros(shape, x.dtype)
    out[_interior(x.shape, pads)] = x
    return out


def _interior(shape, pads):
    """The slices of a padded array that hold the unpadded [N, *spatial, C] array of `shape`."""
    return (slice(None),) + tuple(slice(b, b + n) for n, (b, _) in zip(shape[1:-1], pads)) + (slice(None),)


def _windows(x, out_sp, k_sp, strides, dilations):
    """A read-only view [N, *out, *k, C] of the windows of padded `x` [N, *spatial, C] (no copy)."""
    st = x.strides
    nsp = len(out_sp)
    shape = (x.shape[0],) + tuple(out_sp) + tuple(k_sp) + (x.shape[-1],)
    strides_ = ((st[0],) + tuple(st[i + 1] * strides[i] for i in range(nsp))
                + tuple(st[i + 1] * dilations[i] for i in range(nsp)) + (st[-1],))
    return as_strided(x, shape, strides_, writeable=False)


def _tap_slices(k_sp, out_sp, strides, dilations):
    """(tap, slices) for each filter tap: the strided slice of the padded input that the tap reads."""
    for tap in np.ndindex(*k_sp):
        yield tap, (slice(None),) + tuple(slice(t * d, t * d + (o - 1) * s + 1, s) for t, d, o, s in
                                          zip(tap, dilations, out_sp, strides)) + (slice(None),)


def _lowest(dtype):
    return np.array(-np.inf).astype(dtype) if dtype.kind == "f" or dtype in _HALF else np.iinfo(dtype).min


# ================================================================ convolution kernels (channels last, any rank)
def _im2col(x, k_sp, strides, dilations, pads, out_sp):
    """The [N * prod(out), prod(k) * C] patch matrix of `x` (one copy)."""
    c = x.shape[-1]
    kp = math.prod(k_sp)
    if kp == 1 and all(s == 1 for s in strides) and not any(b or a for b, a in pads):
        return x.reshape(-1, c)
    return _windows(_pad(x, pads), out_sp, k_sp, strides, dilations).reshape(-1, kp * c)


# The patch matrix is built and multiplied in blocks of about this many bytes, so that each block
# is still in cache when the matmul reads it (about twice as fast as one big im2col for large inputs).
_BLOCK_BYTES = 1 << 22


def _blocks(n, rows, row_bytes):
    """Blocks (n0, n1, r0, r1) over the batch and the first output dimension, each about _BLOCK_BYTES
    of patches; a block covers whole images, or rows of a single image (so its outputs are contiguous)."""
    per_image = rows * row_bytes
    if per_image > _BLOCK_BYTES:
        step = max(1, _BLOCK_BYTES // max(row_bytes, 1))
        return [(i, i + 1, r, min(r + step, rows)) for i in range(n) for r in range(0, rows, step)]
    step = max(1, _BLOCK_BYTES // max(per_image, 1))
    return [(i, min(i + step, n), 0, rows) for i in range(0, n, step)]


def _patch_blocks(x, k_sp, strides, dilations, pads, out_sp):
    """((n0, n1, r0, r1), patches [rows, prod(k) * C]) over the blocks of `x`'s patch matrix.

    The patches of a block live in a buffer reused by the next block: use them before iterating on."""
    kc = math.prod(k_sp) * x.shape[-1]
    if kc == x.shape[-1] and all(s == 1 for s in strides) and not any(b or a for b, a in pads):
        yield (0, x.shape[0], 0, out_sp[0]), x.reshape(-1, kc)  # 1x1: the input is the patch matrix
        return
    win = _windows(_pad(x, pads), out_sp, k_sp, strides, dilations)
    row_bytes = math.prod(out_sp[1:]) * kc * x.itemsize
    blocks = _blocks(x.shape[0], out_sp[0], row_bytes)
    # One buffer for all blocks: it stays mapped and cached (a fresh array per block pays page faults).
    n0, n1, r0, r1 = blocks[0]
    buf = np.empty((n1 - n0, r1 - r0) + win.shape[2:], x.dtype)
    for n0, n1, r0, r1 in blocks:
        b = buf[:n1 - n0, :r1 - r0]
        np.copyto(b, win[n0:n1, r0:r1])
        yield (n0, n1, r0, r1), b.reshape(-1, kc)


def _trim_zero_tail(dy, out_sp):
    """(dy, out_sp) without trailing all-zero output rows/columns/planes of dy (a view): positions whose
    gradient is exactly zero add nothing to the input gradient of a convolution with finite filters.
    (A pooling that drops the last row of an odd-sized map leaves such zeros: skipping them saves
    their share of the matmuls.)"""
    out_sp = list(out_sp)
    for i in range(len(out_sp)):
        while out_sp[i] > 1 and not dy[(slice(None),) * (i + 1) + (out_sp[i] - 1,)].any():
            out_sp[i] -= 1
            dy = dy[(slice(None),) * (i + 1) + (slice(0, out_sp[i]),)]
    return dy, tuple(out_sp)


def _check_groups(c, cin, o):
    if cin == 0 or c % cin or o % (c // cin):
        raise ValueError("input depth %d is not a multiple of the filter depth %d, or output depth %d of the groups"
                         % (c, cin, o))
    return c // cin


# One-channel inputs (a grayscale image's first layer) use the transposed patch matrix [prod(k), rows],
# one long copy per filter tap (the window copy of _patch_blocks would move one element at a time).
# Its blocks hold whole images and about this many bytes of output, so that a fused epilogue (bias,
# relu) finds each block's output still in cache.
_TAP_BLOCK_BYTES = 1 << 19


def _tap_col_blocks(x, k_sp, strides, dilations, pads, out_sp, row_bytes):
    """((n0, n1), cols [prod(k), rows]) over blocks of whole images of a one-channel `x` [N, *S, 1]: row t
    of cols holds what filter tap t reads at each output position of images n0..n1 (the transposed patch
    matrix). `row_bytes` (bytes per output position) sizes the blocks. The buffer is reused by the next block."""
    xpd = _pad(x, pads)
    n, kp, per = x.shape[0], math.prod(k_sp), math.prod(out_sp)
    step = max(1, min(n, _TAP_BLOCK_BYTES // max(per * row_bytes, 1)))
    taps = [sl[:-1] + (0,) for _, sl in _tap_slices(k_sp, out_sp, strides, dilations)]
    buf = np.empty(kp * step * per, x.dtype)
    for n0 in range(0, n, step):
        n1 = min(n0 + step, n)
        cols = buf[:kp * (n1 - n0) * per].reshape((kp, n1 - n0) + tuple(out_sp))
        for t, sl in enumerate(taps):
            np.copyto(cols[t], xpd[n0:n1][sl])
        yield (n0, n1), cols.reshape(kp, -1)


def _conv_core(x, w, strides, dilations, pads, out_sp, epilogue=None):
    """Grouped N-d convolution: x [N, *S, C], w [*K, C/G, O] -> [N, *out, O].

    `epilogue(rows, images)`, if given, is applied in place to each block of output rows [r, O] (in the
    working dtype) right after its matmul, while the block is in cache: the fused BiasAdd/Relu/MaxPool of
    _FusedConv2D. `images` is (n0, n1) when the block holds whole images n0..n1, else None."""
    nsp = x.ndim - 2
    n, c = x.shape[0], x.shape[-1]
    k_sp, (cin, o) = w.shape[:nsp], w.shape[-2:]
    g = _check_groups(c, cin, o)
    if n == 0 or c == 0 or o == 0 or 0 in out_sp:
        out = np.zeros((n,) + tuple(out_sp) + (o,), x.dtype)
        if epilogue is not None and out.size:
            epilogue(out.reshape(-1, o), (0, n))
        return out
    kp = math.prod(k_sp)
    xw, ww = _work(x), _work(w)
    if g == 1:
        out = np.empty((n,) + tuple(out_sp) + (o,), np.result_type(xw, ww))
        if c == 1 and kp > 1:
            wmat, images = ww.reshape(kp, o), out.reshape(n, -1)
            for (n0, n1), cols in _tap_col_blocks(xw, k_sp, strides, dilations, pads, out_sp, o * out.itemsize):
                block = images[n0:n1].reshape(-1, o)
                np.matmul(cols.T, wmat, out=block)
                if epilogue is not None:
                    epilogue(block, (n0, n1))
            return out.astype(x.dtype, copy=False)
        wmat = ww.reshape(kp * c, o)
        rows = out.reshape(n, out_sp[0], -1)
        for (n0, n1, r0, r1), cols in _patch_blocks(xw, k_sp, strides, dilations, pads, out_sp):
            block = rows[n0:n1, r0:r1].reshape(-1, o)  # a view: whole images, or rows of one image
            np.matmul(cols, wmat, out=block)
            if epilogue is not None:
                epilogue(block, (n0, n1) if r1 - r0 == out_sp[0] else None)
        return out.astype(x.dtype, copy=False)
    else:
        cols = _im2col(xw, k_sp, strides, dilations, pads, out_sp)
        og = o // g
        out = np.matmul(cols.reshape(-1, kp, g, cin).transpose(2, 0, 1, 3).reshape(g, -1, kp * cin),
                        ww.reshape(kp, cin, g, og).transpose(2, 0, 1, 3).reshape(g, kp * cin, og))
        out = np.ascontiguousarray(out.transpose(1, 0, 2)).reshape(-1, o)
        if epilogue is not None:
            epilogue(out, (0, n))
    return out.reshape((n,) + tuple(out_sp) + (o,)).astype(x.dtype, copy=False)


# The stride-1 input gradient works on blocks of whole images of about this many bytes of dy.
_TAP_GRAD_BLOCK_BYTES = 1 << 20


def _conv_input_taps(dy, w, in_shape, dilations, pads, out_sp):
    """The stride-1 input gradient of an ungrouped convolution: one matmul per filter tap, dy @ w_t^T,
    added into the tap's shifted window of the padded dx. With stride 1 that window is contiguous along
    its rows (out_w * C elements), so the adds run long loops, where col2im's scatter of one patch
    matrix adds one short channel vector at a time; and no padded copy of dy is made. Blocks of whole
    images keep each product in cache until it is added."""
    nsp = dy.ndim - 2
    n, c = in_shape[0], in_shape[-1]
    k_sp, o = w.shape[:nsp], w.shape[-1]
    if np.isfinite(w).all():  # else 0 * inf must still give NaN, as TF's
        dy, out_sp = _trim_zero_tail(dy, out_sp)
    dyw, ww = _work(dy), _work(w)
    dt = np.result_type(dyw, ww)
    padded = (n,) + tuple(s + b + a for s, (b, a) in zip(in_shape[1:-1], pads)) + (c,)
    dx = np.zeros(padded, dt)
    per = math.prod(out_sp)
    step = max(1, min(n, _TAP_GRAD_BLOCK_BYTES // max(per * o * dt.itemsize, 1)))
    tmp = np.empty(step * per * c, dt)
    taps = [(np.ascontiguousarray(ww[tap].T), sl) for tap, sl in _tap_slices(k_sp, out_sp, (1,) * nsp, dilations)]
    for n0 in range(0, n, step):
        n1 = min(n0 + step, n)
        rows, dxb = np.ascontiguousarray(dyw[n0:n1]).reshape(-1, o), dx[n0:n1]
        part = tmp[:rows.shape[0] * c].reshape(rows.shape[0], c)
        for wt, sl in taps:
            np.matmul(rows, wt, out=part)
            dxb[sl] += part.reshape((n1 - n0,) + tuple(out_sp) + (c,))
    if any(b or a for b, a in pads):
        dx = dx[_interior(in_shape, pads)]
    return np.ascontiguousarray(dx, dtype=dy.dtype)


def _conv_input_core(dy, w, in_shape, strides, dilations, pads, out_sp):
    """The gradient of _conv_core w.r.t. x (col2im): dy [N, *out, O], w [*K, C/G, O] -> [N, *S, C]."""
    nsp = dy.ndim - 2
    n, c = in_shape[0], in_shape[-1]
    k_sp, (cin, o) = w.shape[:nsp], w.shape[-2:]
    g = _check_groups(c, cin, o)
    kp = math.prod(k_sp)
    if n == 0 or c == 0 or o == 0 or 0 in out_sp:
        return np.zeros(in_shape, dy.dtype)
    if g == 1 and kp > 1 and all(s == 1 for s in strides) and math.prod(in_shape[1:-1]) > 1.25 * math.prod(out_sp):
        # Stride 1, dy much smaller than x (VALID-like padding): a convolution of dy with the flipped
        # filter would mostly multiply its zero padding; one product per tap, added in place, does not.
        return _conv_input_taps(dy, w, in_shape, dilations, pads, out_sp)
    if g == 1 and kp > 1 and all(s == 1 for s in strides):
        # Stride 1: a convolution of dy with the flipped, transposed filter (no scatter).
        effs = [(k - 1) * d + 1 for k, d in zip(k_sp, dilations)]
        full = [(e - 1 - b, e - 1 - a) for e, (b, a) in zip(effs, pads)]
        if min(min(p) for p in full) >= 0:
            wf = np.ascontiguousarray(np.flip(w, axis=tuple(range(nsp))).swapaxes(-1, -2))
            return _conv_core(dy, wf, strides, dilations, full, tuple(in_shape[1:-1]))
    dyf, ww = _work(dy).reshape(-1, o), _work(w)
    if g == 1:
        dcols = dyf @ ww.reshape(kp * c, o).T
    else:
        og = o // g
        dcols = np.matmul(dyf.reshape(-1, g, og).transpose(1, 0, 2),
                          ww.reshape(kp, cin, g, og).transpose(2, 3, 0, 1).reshape(g, og, kp * cin))
        dcols = dcols.reshape(g, -1, kp, cin).transpose(1, 2, 0, 3)
    if kp == 1 and all(s == 1 for s in strides) and not any(b or a for b, a in pads):
        return dcols.reshape(in_shape).astype(dy.dtype, copy=False)
    dcols = dcols.reshape((n,) + tuple(out_sp) + tuple(k_sp) + (c,))
    padded = (n,) + tuple(s + b + a for s, (b, a) in zip(in_shape[1:-1], pads)) + (c,)
    dx = np.zeros(padded, dcols.dtype)
    lead = (slice(None),) * (nsp + 1)
    for tap, sl in _tap_slices(k_sp, out_sp, strides, dilations):
        dx[sl] += dcols[lead + tap]
    return np.ascontiguousarray(dx[_interior(in_shape, pads)], dtype=dy.dtype)


def _conv_filter_core(x, dy, k_sp, cin, strides, dilations, pads, out_sp):
    """The gradient of _conv_core w.r.t. w: x [N, *S, C], dy [N, *out, O] -> [*K, C/G, O]."""
    c, o = x.shape[-1], dy.shape[-1]
    g = _check_groups(c, cin, o)
    kp = math.prod(k_sp)
    if x.shape[0] == 0 or c == 0 or o == 0 or 0 in out_sp:
        return np.zeros(tuple(k_sp) + (cin, o), x.dtype)
    xw, dyw = _work(x), _work(dy)
    if g == 1 and c == 1 and kp > 1:
        dw = None
        images = dyw.reshape(dyw.shape[0], -1)
        for (n0, n1), cols in _tap_col_blocks(xw, k_sp, strides, dilations, pads, out_sp, kp * xw.itemsize):
            part = cols @ images[n0:n1].reshape(-1, o)
            if dw is None:
                dw = part
            else:
                dw += part
    elif g == 1:
        dw = None
        dy_rows = dyw.reshape(dyw.shape[0], out_sp[0], -1)
        for (n0, n1, r0, r1), cols in _patch_blocks(xw, k_sp, strides, dilations, pads, out_sp):
            part = cols.T @ dy_rows[n0:n1, r0:r1].reshape(-1, o)
            if dw is None:
                dw = part
            else:
                dw += part
    else:
        cols = _im2col(xw, k_sp, strides, dilations, pads, out_sp)
        dyf = dyw.reshape(-1, o)
        og = o // g
        dw = np.matmul(cols.reshape(-1, kp, g, cin).transpose(2, 1, 3, 0).reshape(g, kp * cin, -1),
                       dyf.reshape(-1, g, og).transpose(1, 0, 2))
        dw = dw.reshape(g, kp, cin, og).transpose(1, 2, 0, 3)
    return np.ascontiguousarray(dw.reshape(tuple(k_sp) + (cin, o)), dtype=x.dtype)


def _conv_setup(attrs_strides, dilations, padding, explicit_paddings, data_format):
    cf = _channels_first(data_format)
    c = 1 if cf else -1
    if (attrs_strides[0] != 1 or attrs_strides[c] != 1 or dilations[0] != 1 or dilations[c] != 1
            or (explicit_paddings and (explicit_paddings[0] or explicit_paddings[1] or explicit_paddings[2 * c]
                                       or explicit_paddings[2 * c + 1]))):
        raise ValueError("batch and depth dimensions take no strides, dilations or padding")  # infer explains
    pairs = _explicit_pairs(explicit_paddings, data_format) if padding == "EXPLICIT" else None
    return cf, _spatial(attrs_strides, data_format), _spatial(dilations, data_format), pairs


def _window_subscripts(nsp):
    """einsum subscripts contracting a window view [N, *out, *k, C] with a filter [*k, C]."""
    o, k = "abd"[:nsp], "ijl"[:nsp]
    return "n%s%sc,%sc->n%sc" % (o, k, k, o)


def _depthwise_core(x, w, strides, dilations, pads, out_sp):
    """Depthwise convolution, one filter tap at a time: x [N, *S, C], w [*K, C, M] -> [N, *out, C * M]."""
    nsp = x.ndim - 2
    n, c, m = x.shape[0], x.shape[-1], w.shape[-1]
    if n == 0 or c == 0 or m == 0 or 0 in out_sp:
        return np.zeros((n,) + tuple(out_sp) + (c * m,), x.dtype)
    xpd, ww = _pad(_work(x), pads), _work(w)
    if m == 1:  # one einsum over the window view (no temporaries)
        win = _windows(xpd, out_sp, w.shape[:nsp], strides, dilations)
        return np.einsum(_window_subscripts(nsp), win, ww[..., 0]).astype(x.dtype, copy=False)
    out = tmp = None
    for tap, sl in _tap_slices(w.shape[:nsp], out_sp, strides, dilations):
        v = xpd[sl][..., None]
        if out is None:
            out = v * ww[tap]
            tmp = np.empty_like(out)
        else:
            np.multiply(v, ww[tap], out=tmp)
            out += tmp
    return out.reshape((n,) + tuple(out_sp) + (c * m,)).astype(x.dtype, copy=False)


def _depthwise_input_core(dy, w, in_shape, strides, dilations, pads, out_sp):
    """The gradient of _depthwise_core w.r.t. x: dy [N, *out, C * M] -> [N, *S, C]."""
    nsp = dy.ndim - 2
    n, c, m = in_shape[0], in_shape[-1], w.shape[-1]
    if n == 0 or c == 0 or m == 0 or 0 in out_sp:
        return np.zeros(in_shape, dy.dtype)
    dyr, ww = _work(dy).reshape((n,) + tuple(out_sp) + (c, m)), _work(w)
    if m == 1 and all(s == 1 for s in strides):
        # Stride 1: a depthwise correlation of dy with the flipped filter.
        k_sp = w.shape[:nsp]
        full = [((k - 1) * d - b, (k - 1) * d - a) for k, d, (b, a) in zip(k_sp, dilations, pads)]
        if min(min(p) for p in full) >= 0:
            win = _windows(_pad(dyr[..., 0], full), tuple(in_shape[1:-1]), k_sp, strides, dilations)
            wf = np.flip(ww[..., 0], axis=tuple(range(nsp)))
            return np.einsum(_window_subscripts(nsp), win, wf).astype(dy.dtype, copy=False)
    padded = (n,) + tuple(sz + b + a for sz, (b, a) in zip(in_shape[1:-1], pads)) + (c,)
    dx = np.zeros(padded, dyr.dtype)
    for tap, sl in _tap_slices(w.shape[:nsp], out_sp, strides, dilations):
        dx[sl] += dyr[..., 0] * ww[tap][:, 0] if m == 1 else (dyr * ww[tap]).sum(-1)
    return np.ascontiguousarray(dx[_interior(in_shape, pads)], dtype=dy.dtype)


def _depthwise_filter_core(x, dy, k_sp, strides, dilations, pads, out_sp):
    """The gradient of _depthwise_core w.r.t. w: -> [*K, C, M]."""
    n, c = x.shape[0], x.shape[-1]
    m = dy.shape[-1] // c if c else 0
    if n == 0 or c == 0 or m == 0 or 0 in out_sp:
        return np.zeros(tuple(k_sp) + (c, m), x.dtype)
    xpd, dyr = _pad(_work(x), pads), _work(dy).reshape((n,) + tuple(out_sp) + (c, m))
    dw = np.empty(tuple(k_sp) + (c, m), dyr.dtype)
    o = "abd"[:len(k_sp)]
    subs = "n%sc,n%scm->cm" % (o, o)
    for tap, sl in _tap_slices(k_sp, out_sp, strides, dilations):
        dw[tap] = np.einsum(subs, xpd[sl], dyr)
    return dw.astype(x.dtype, copy=False)


def _conv_fwd(depthwise):
    def kernel(xp, x, w, strides, padding, data_format, dilations, explicit_paddings=()):
        (_floats if depthwise else _reals)(x, w)
        cf, s, d, pairs = _conv_setup(strides, dilations, padding, explicit_paddings, data_format)
        x = _to_last(x, cf)
        nsp = x.ndim - 2
        out_sp, pads = _geometry(x.shape[1:-1], w.shape[:nsp], s, d, padding, pairs)
        if depthwise:
            if w.shape[-2] != x.shape[-1]:
                raise ValueError("depth mismatch")
            return _from_last(_depthwise_core(x, w, s, d, pads, out_sp), cf)
        return _from_last(_conv_core(x, w, s, d, pads, out_sp), cf)
    return kernel


def _resolve_input_sizes(sizes, dy_last, w, s, d, padding, pairs, cf, depthwise):
    """input_sizes in channels-last order with unknown (None/-1) entries filled from dy and the filter."""
    nsp = dy_last.ndim - 2
    sizes = [None if v is None or v < 0 else v for v in _shape_to_last(sizes, cf)]
    if sizes[0] is None:
        sizes[0] = dy_last.shape[0]
    if sizes[-1] is None:
        sizes[-1] = w.shape[-2]
    for i in range(nsp):
        if sizes[i + 1] is None:
            o, k = dy_last.shape[i + 1], w.shape[i]
            eff = (k - 1) * d[i] + 1
            extra = {"SAME": 1, "VALID": eff}.get(padding, None)
            if extra is None:
                extra = eff - pairs[i][0] - pairs[i][1]
            sizes[i + 1] = max((o - 1) * s[i] + extra, 0)
    return tuple(sizes)


def _conv_input(depthwise):
    def kernel(xp, w, dy, input_sizes, strides, padding, data_format, dilations, explicit_paddings=()):
        if type(input_sizes) is not tuple:  # the run-time input_sizes input
            input_sizes = tuple(int(v) for v in input_sizes)
        (_floats if depthwise else _reals)(w, dy)
        cf, s, d, pairs = _conv_setup(strides, dilations, padding, explicit_paddings, data_format)
        dy = _to_last(dy, cf)
        nsp = dy.ndim - 2
        in_shape = _resolve_input_sizes(input_sizes, dy, w, s, d, padding, pairs, cf, depthwise)
        out_sp, pads = _geometry(in_shape[1:-1], w.shape[:nsp], s, d, padding, pairs)
        if depthwise:
            if w.shape[-2] != in_shape[-1] or out_sp != dy.shape[1:-1] or w.shape[-2] * w.shape[-1] != dy.shape[-1]:
                raise ValueError("depth mismatch")
            return _from_last(_depthwise_input_core(dy, w, in_shape, s, d, pads, out_sp), cf)
        if out_sp != dy.shape[1:-1] or w.shape[-1] != dy.shape[-1]:
            raise ValueError("out_backprop does not match the computed output")
        return _from_last(_conv_input_core(dy, w, in_shape, s, d, pads, out_sp), cf)
    return kernel


def _conv_filter(depthwise):
    def kernel(xp, x, dy, filter_sizes, strides, padding, data_format, dilations, explicit_paddings=()):
        if type(filter_sizes) is not tuple:  # the run-time filter_sizes input
            filter_sizes = tuple(int(v) for v in filter_sizes)
        (_floats if depthwise else _reals)(x, dy)
        cf, s, d, pairs = _conv_setup(strides, dilations, padding, explicit_paddings, data_format)
        x, dy = _to_last(x, cf), _to_last(dy, cf)
        nsp = x.ndim - 2
        k_sp = tuple(filter_sizes[:nsp])
        out_sp, pads = _geometry(x.shape[1:-1], k_sp, s, d, padding, pairs)
        if out_sp != dy.shape[1:-1]:
            raise ValueError("out_backprop does not match the computed output")
        if depthwise:
            c, m = filter_sizes[-2], filter_sizes[-1]
            if c != x.shape[-1] or m * c != dy.shape[-1]:
                raise ValueError("depth mismatch")
            return _depthwise_filter_core(x, dy, k_sp, s, d, pads, out_sp)
        cin = x.shape[-1] if filter_sizes[-2] is None or filter_sizes[-2] < 0 else filter_sizes[-2]
        dw = _conv_filter_core(x, dy, k_sp, cin, s, d, pads, out_sp)
        if filter_sizes[-1] is not None and filter_sizes[-1] >= 0 and dw.shape[-1] != filter_sizes[-1]:
            raise ValueError("filter_sizes do not match out_backprop")
        return dw
    return kernel


# ---------------------------------------------------------------- convolution inference
def _failer(api, op_name, names, shapes):
    suffix = " (%s)" % ", ".join("%s shape %s" % (n, sh.fmt(s)) for n, s in zip(names, shapes))

    def fail(msg):
        raise sh.error(api, op_name, msg + suffix)
    return fail


def _check_window_attrs(nsp, attrs, fail, names=("strides", "dilations")):
    df = attrs["data_format"]
    cf = _channels_first(df)
    for name in names:
        v = attrs[name]
        if len(v) != nsp + 2:
            fail("Sliding window %s field must specify %d dimensions" % (name, nsp + 2))
        if v[0] != 1 or v[1 if cf else -1] != 1:
            fail("Current implementation does not yet support %s in the batch and depth dimensions." % name)
        if any(e < 1 for e in v):
            fail("%s must be positive: %s" % (name, list(v)))
    padding = attrs["padding"]
    if padding not in ("SAME", "VALID", "EXPLICIT"):
        fail("padding must be one of SAME, VALID, EXPLICIT, got %r" % padding)
    if padding == "EXPLICIT":
        ex = attrs.get("explicit_paddings", ())
        if len(ex) != 2 * (nsp + 2):
            fail("explicit_paddings attribute must contain %d values, but got: %d" % (2 * (nsp + 2), len(ex)))
        if any(p < 0 for p in ex):
            fail("All elements of explicit_paddings must be nonnegative")
        c = 1 if cf else nsp + 1
        if ex[0] or ex[1] or ex[2 * c] or ex[2 * c + 1]:
            fail("Nonzero explicit padding in the batch or depth dimensions is not supported")


def _rank_check(fail, nsp, pairs):
    for what, s in pairs:
        if s is not None and len(s) != nsp + 2:
            fail("%s must be %d-dimensional: %s" % (what, nsp + 2, sh.fmt(s)))


def _spatial_out(attrs, in_last, k_sp, fail, s, dil, pairs):
    out = []
    for i, k in enumerate(k_sp):
        n = in_last[i + 1]
        o, _, _ = _out_size(n, k, s[i], dil[i], attrs["padding"], *(pairs[i] if pairs else (0, 0)))
        if o is not None and o < 0:
            fail("Computed output size would be negative: %d [input_size: %d, effective_filter_size: %d, stride: %d]"
                 % (o, n, (k - 1) * dil[i] + 1, s[i]))
        out.append(o)
    return tuple(out)


def _conv_setup_attrs(attrs):
    return _conv_setup(attrs["strides"], attrs["dilations"], attrs["padding"], attrs.get("explicit_paddings", ()),
                       attrs["data_format"])


def _depth_checks(fail, depthwise, c, cin, o):
    """Checks input depth c against a filter [.., cin, o]; returns the output depth (or None)."""
    if depthwise:
        if c is not None and cin is not None and c != cin:
            fail("input and filter must have the same depth: %d vs %d" % (c, cin))
        c = c if c is not None else cin
        return None if c is None or o is None else c * o
    if c is not None and cin is not None:
        if cin == 0 or c % cin:
            fail("input depth must be evenly divisible by filter depth: %d vs %d" % (c, cin))
        if o is not None and o % (c // cin):
            fail("output depth must be evenly divisible by number of groups: %d vs %d" % (o, c // cin))
    return o


def _conv_infer(api, op_name, nsp, allowed, depthwise=False):
    fname = "filter" if depthwise else "filters"

    def infer(specs, attrs):
        d = sh.same_dtype(api, op_name, specs, ("input", fname))
        sh.check_dtype(api, op_name, specs[0], allowed, "input")
        xs, ws = sh.dims(specs[0]), sh.dims(specs[1])
        fail = _failer(api, op_name, ("input", fname), (xs, ws))
        _check_window_attrs(nsp, attrs, fail)
        if xs is not None and len(xs) != nsp + 2:
            fail("convolution input must be %d-dimensional: %s" % (nsp + 2, sh.fmt(xs)))
        _rank_check(fail, nsp, [("filter", ws)])
        if xs is None:
            return [(None, d)]
        cf, s, dil, pairs = _conv_setup_attrs(attrs)
        xl = _shape_to_last(xs, cf)
        ws = ws if ws is not None else (None,) * (nsp + 2)
        out_c = _depth_checks(fail, depthwise, xl[-1], ws[-2], ws[-1])
        out_sp = _spatial_out(attrs, xl, ws[:nsp], fail, s, dil, pairs)
        return [(_shape_from_last((xl[0],) + out_sp + (out_c,), cf), d)]
    return infer


def _conv_input_infer(api, op_name, nsp, allowed, prefix, depthwise=False):
    def infer(specs, attrs):
        d = sh.same_dtype(api, op_name, specs[:2], ("filters", "out_backprop"))
        sh.check_dtype(api, op_name, specs[0], allowed, "filters")
        ws, ys = sh.dims(specs[0]), sh.dims(specs[1])
        fail = _failer(api, op_name, ("out_backprop", "filters"), (ys, ws))
        _check_window_attrs(nsp, attrs, fail)
        _rank_check(fail, nsp, [("filter", ws), ("out_backprop", ys)])
        sizes = _sizes_of(specs, attrs, "input_sizes", nsp)
        if len(sizes) != nsp + 2:
            fail("input_sizes must have %d elements, got %s" % (nsp + 2, list(sizes)))
        cf, s, dil, pairs = _conv_setup_attrs(attrs)
        il = [None if v is None or v < 0 else v for v in _shape_to_last(sizes, cf)]
        yl = _shape_to_last(ys, cf) if ys is not None else (None,) * (nsp + 2)
        ws = ws if ws is not None else (None,) * (nsp + 2)
        if il[0] is None:
            il[0] = yl[0]
        if il[-1] is None:
            il[-1] = ws[-2]
        out_c = _depth_checks(fail, depthwise, il[-1], ws[-2], ws[-1])
        if out_c is not None and yl[-1] is not None and out_c != yl[-1]:
            fail("%s: filter and out_backprop must have the same out_depth" % prefix)
        for i in range(nsp):
            n, k, o = il[i + 1], ws[i], yl[i + 1]
            if None in (n, k, o):
                continue
            want, _, _ = _out_size(n, k, s[i], dil[i], attrs["padding"], *(pairs[i] if pairs else (0, 0)))
            if want != o:
                fail("%s: Size of out_backprop doesn't match computed: actual = %d, computed = %d spatial_dim: %d "
                     "input: %d filter: %d output: %d stride: %d dilation: %d"
                     % (prefix, o, want, i + 1, n, k, o, s[i], dil[i]))
        return [(_shape_from_last(tuple(il), cf), d)]
    return infer


def _sizes_of(specs, attrs, key, nsp):
    """A conv backprop op's input_sizes/filter_sizes: its attr, or what is known of its third input."""
    if len(specs) == 3:
        v = array_ops._shape_value(specs[2])
        return (None,) * (nsp + 2) if v is None else v
    return attrs[key]


def _conv_filter_infer(api, op_name, nsp, allowed, prefix, depthwise=False):
    def infer(specs, attrs):
        d = sh.same_dtype(api, op_name, specs[:2], ("input", "out_backprop"))
        sh.check_dtype(api, op_name, specs[0], allowed, "input")
        xs, ys = sh.dims(specs[0]), sh.dims(specs[1])
        fail = _failer(api, op_name, ("input", "out_backprop"), (xs, ys))
        _check_window_attrs(nsp, attrs, fail)
        _rank_check(fail, nsp, [("input", xs), ("out_backprop", ys)])
        sizes = tuple(None if v is None or v < 0 else v for v in _sizes_of(specs, attrs, "filter_sizes", nsp))
        if len(sizes) != nsp + 2:
            fail("filter_sizes must have %d elements, got %s" % (nsp + 2, list(sizes)))
        cf, s, dil, pairs = _conv_setup_attrs(attrs)
        xl = _shape_to_last(xs, cf) if xs is not None else (None,) * (nsp + 2)
        yl = _shape_to_last(ys, cf) if ys is not None else (None,) * (nsp + 2)
        out_c = _depth_checks(fail, depthwise, xl[-1], sizes[-2], sizes[-1])
        if out_c is not None and yl[-1] is not None and out_c != yl[-1]:
            fail("%s: filter and out_backprop must have the same out_depth" % prefix)
        for i in range(nsp):
            n, k, o = xl[i + 1], sizes[i], yl[i + 1]
            if None in (n, k, o):
                continue
            want, _, _ = _out_size(n, k, s[i], dil[i], attrs["padding"], *(pairs[i] if pairs else (0, 0)))
            if want != o:
                fail("%s: Size of out_backprop doesn't match computed: actual = %d, computed = %d spatial_dim: %d "
                     "input: %d filter: %d output: %d stride: %d dilation: %d"
                     % (prefix, o, want, i + 1, n, k, o, s[i], dil[i]))
        return [(sizes, d)]
    return infer


# ---------------------------------------------------------------- convolution gradients
def _static(t):
    s = t.shape
    return tuple(s.as_list()) if s.rank is not None else None


def _fwd_attrs(attrs):
    return {k: v for k, v in attrs.items() if k not in ("input_sizes", "filter_sizes")}


def _bind_sized(op_name, a, b, attrs, key, t):
    """Binds a conv backprop op whose `key` (input_sizes / filter_sizes) is tensor t's shape: an
    attr when the shape is fully known, else a run-time input (TF's own form of these ops)."""
    s = t.shape._dims
    if s is not None and None not in s:
        return bind(op_name, [a, b], dict(attrs, **{key: s}))
    return bind(op_name, [a, b, array_ops.shape(t)], _fwd_attrs(attrs))


def _conv_grads(fwd, bwd_input, bwd_filter):
    """Gradients of a convolution family, each written with the other two ops (any order works)."""
    def fwd_grad(op, dy):
        x, w = op.inputs
        skip = op.skip_input_indices  # e.g. a first layer's input needs no gradient
        return [None if 0 in skip else _bind_sized(bwd_input, w, dy, op.attrs, "input_sizes", x),
                None if 1 in skip else _bind_sized(bwd_filter, x, dy, op.attrs, "filter_sizes", w)]

    def input_grad(op, g):  # dx = bwd_input(w, dy)
        w, dy = op.inputs[:2]
        a = _fwd_attrs(op.attrs)
        return [_bind_sized(bwd_filter, g, dy, a, "filter_sizes", w), bind(fwd, [g, w], a)] + [None] * (
            len(op.inputs) - 2)

    def filter_grad(op, g):  # dw = bwd_filter(x, dy)
        x, dy = op.inputs[:2]
        a = _fwd_attrs(op.attrs)
        return [_bind_sized(bwd_input, g, dy, a, "input_sizes", x), bind(fwd, [x, g], a)] + [None] * (
            len(op.inputs) - 2)
    return fwd_grad, input_grad, filter_grad


def _conv_attrs(nsp, strides=1, padding="SAME", dilations=1, data_format=None, explicit=None):
    data_format = data_format or ("NHWC" if nsp == 2 else "NDHWC")
    cf = _channels_first(data_format)

    def full(v):
        v = (v,) * nsp if isinstance(v, int) else tuple(v)
        return (1, 1) + v if cf else (1,) + v + (1,)
    a = {"strides": full(strides), "padding": padding, "data_format": data_format, "dilations": full(dilations)}
    if nsp == 2:
        a["explicit_paddings"] = ()
        if explicit is not None:
            a["padding"] = "EXPLICIT"
            pairs = [(0, 0)] + [tuple(p) for p in explicit] + [(0, 0)]
            if cf:
                pairs = [pairs[0], pairs[-1]] + pairs[1:-1]
            a["explicit_paddings"] = tuple(v for p in pairs for v in p)
    return a


def _conv_samples(nsp, depthwise=False):
    """(x, w, attrs) triples for the convolution families' registry samples."""
    if nsp == 3:
        return [((2, 4, 4, 3, 2), (2, 2, 3, 2, 3), _conv_attrs(3)),
                ((1, 5, 4, 4, 2), (3, 2, 2, 2, 2), _conv_attrs(3, strides=2, padding="VALID")),
                ((1, 2, 5, 4, 3), (2, 3, 2, 2, 2), _conv_attrs(3, dilations=(1, 2, 1), data_format="NCDHW"))]
    m = 2 if depthwise else 4
    out = [((2, 5, 5, 3), (3, 3, 3, m), _conv_attrs(2)),
           ((2, 6, 7, 3), (3, 2, 3, m), _conv_attrs(2, strides=2, padding="VALID")),
           ((1, 7, 6, 2), (3, 3, 2, m), _conv_attrs(2, dilations=2)),
           ((1, 5, 6, 3), (2, 3, 3, m), _conv_attrs(2, strides=(2, 1), explicit=[(1, 2), (0, 1)])),
           ((1, 3, 5, 4), (3, 2, 3, m), _conv_attrs(2, strides=2, data_format="NCHW"))]
    if not depthwise:
        out.append(((2, 4, 4, 4), (3, 3, 2, 4), _conv_attrs(2, strides=2)))  # grouped: 2 groups
    return out


def _conv_register(fwd, bwd_input, bwd_filter, nsp, apis, allowed, prefix, depthwise=False):
    fwd_grad, input_grad, filter_grad = _conv_grads(fwd, bwd_input, bwd_filter)
    fwd_kernel, in_kernel, f_kernel = _conv_fwd(depthwise), _conv_input(depthwise), _conv_filter(depthwise)

    def fwd_samples():
        return [([S.normal(*xs), S.normal(*ws)], a) for xs, ws, a in _conv_samples(nsp, depthwise)]

    def dy_for(xs, ws, a):
        return fwd_kernel(np, np.zeros(xs), np.zeros(ws), **a).shape

    def input_samples():
        out = [([S.normal(*ws), S.normal(*dy_for(xs, ws, a))], dict(a, input_sizes=xs))
               for xs, ws, a in _conv_samples(nsp, depthwise)]
        xs, ws, a = _conv_samples(nsp, depthwise)[0]  # input_sizes as a run-time input
        return out + [([S.normal(*ws), S.normal(*dy_for(xs, ws, a)), np.array(xs, np.int32)], a)]

    def filter_samples():
        out = [([S.normal(*xs), S.normal(*dy_for(xs, ws, a))], dict(a, filter_sizes=ws))
               for xs, ws, a in _conv_samples(nsp, depthwise)]
        xs, ws, a = _conv_samples(nsp, depthwise)[0]  # filter_sizes as a run-time input
        return out + [([S.normal(*xs), S.normal(*dy_for(xs, ws, a)), np.array(ws, np.int32)], a)]

    api, api_in, api_f = apis
    register(fwd, kernel=fwd_kernel, infer=_conv_infer(api, fwd, nsp, allowed, depthwise), grad=fwd_grad,
             api=api, args=("input", "filter" if depthwise else "filters"), samples=fwd_samples)
    register(bwd_input, kernel=in_kernel, infer=_conv_input_infer(api_in, bwd_input, nsp, allowed, prefix, depthwise),
             grad=input_grad, api=api_in, args=("filters", "out_backprop", "input_sizes"), samples=input_samples)
    register(bwd_filter, kernel=f_kernel,
             infer=_conv_filter_infer(api_f, bwd_filter, nsp, allowed, prefix.replace("Input", "Filter"), depthwise),
             grad=filter_grad, api=api_f, args=("input", "out_backprop", "filter_sizes"), samples=filter_samples)


_conv_register("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter", 2,
               ("tf.nn.conv2d", "tf.nn.conv2d_transpose", "tf.compat.v1.nn.conv2d_backprop_filter"), _CONV_T,
               "Conv2DCustomBackpropInput")
_conv_register("Conv3D", "Conv3DBackpropInputV2", "Conv3DBackpropFilterV2", 3,
               ("tf.nn.conv3d", "tf.nn.conv3d_transpose", "tf.compat.v1.nn.conv3d_backprop_filter"), _FLOATS,
               "Conv3DBackpropInputOp")
_conv_register("DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropInput", "DepthwiseConv2dNativeBackpropFilter", 2,
               ("tf.nn.depthwise_conv2d", "tf.nn.depthwise_conv2d_backprop_input",
                "tf.nn.depthwise_conv2d_backprop_filter"), _FLOATS, "DepthwiseConv2DBackpropInput", depthwise=True)


def _bias_epilogue(b, relu, pool=None):
    """The in-place BiasAdd (+ Relu) of a block of convolution output rows [r, O], as the BiasAdd and
    Relu kernels compute it (the same additions and maxima, bit for bit); with `pool` = (k, out_sp,
    image_shape, pooled, code), also the tiled MaxPool of blocks of whole images into `pooled` (and,
    when `code` is an array, their argmax codes: see _pool_code). Returns (epilogue, whether every
    block was pooled: a one-item list). (Not shared with the intra-op threads: right after a matmul,
    BLAS's own threads still hold the other cores.)"""
    wide_b = np.tile(b, max(1, _WIDE // max(b.shape[0], 1)))
    pooled_all = [pool is not None]

    def epilogue(rows, images):
        _add_channels(rows, b, rows, wide_b)
        if relu:
            _relu_into(rows, rows)
        if pool is not None:
            if images is None:
                pooled_all[0] = False
                return
            k, pout, image, pooled, code = pool
            n0, n1 = images
            xv = _tile_view(rows.reshape((n1 - n0,) + image), k, pout)
            if code is None:
                _tiled_max(xv, k, out=pooled[n0:n1])
            else:
                _pool_code(xv, pooled[n0:n1], code[n0:n1])
    return epilogue, pooled_all


def fused_conv2d(x, w, b, relu, strides, padding, data_format, dilations, explicit_paddings=(), pool=None,
                 code=False):
    """Relu(BiasAdd(Conv2D(x, w), b)) (or without the Relu) as one kernel, TF's `_FusedConv2D`: the bias
    and relu are applied to each block of output rows right after its matmul, while it is in cache.
    With `pool` (the attrs of a MaxPool of the result: ksize, strides, padding), also returns that
    MaxPool, computed from the same blocks when its windows tile them: (result, pooled); with `code`,
    also the argmax codes of a 2x2 pooling for max_pool_grad_relu: (result, pooled, code).

    The graph remapper (tensorforge/graph/passes/remapping.py) calls this for float32/float64 NHWC
    convolutions whose intermediate results nothing else reads; the results equal the kernels'.
    """
    _reals(x, w)
    if (b.dtype != x.dtype or b.ndim != 1 or b.shape[0] != w.shape[-1] or x.dtype not in _FAST_FLOATS
            or _channels_first(data_format)):
        out = _conv_fwd(False)(np, x, w, strides, padding, data_format, dilations, explicit_paddings)
        out = _bias_add_kernel(np, out, b, "NCHW" if _channels_first(data_format) else "NHWC")
        out = _relu_kernel(np, out) if relu else out
        if pool is None:
            return out
        pooled = _max_pool_kernel(np, out, data_format=data_format, **pool)
        return (out, pooled) if not code else (out, pooled, np.full(pooled.shape, _NAN_CODE, np.uint8))
    cf, s, d, pairs = _conv_setup(strides, dilations, padding, explicit_paddings, data_format)
    out_sp, pads = _geometry(x.shape[1:-1], w.shape[:x.ndim - 2], s, d, padding, pairs)
    tiles = None
    if pool is not None:
        image = tuple(out_sp) + (w.shape[-1],)
        _, k, ps, _, pout, ppads = _pool_setup(pool["ksize"], pool["strides"], pool["padding"], "NHWC",
                                                (x.shape[0],) + image)
        if _tiled(k, ps, ppads) and min(pout) > 0 and 0 not in image and x.shape[0]:
            shape = (x.shape[0],) + tuple(pout) + (w.shape[-1],)
            codes = np.empty(shape, np.uint8) if code and tuple(k) == (2, 2) else None
            tiles = (k, pout, image, np.empty(shape, x.dtype), codes)
    epilogue, pooled_all = _bias_epilogue(b, relu, tiles)
    out = _conv_core(x, w, s, d, pads, out_sp, epilogue=epilogue)
    if pool is None:
        return out
    if tiles is not None and pooled_all[0]:
        pooled, codes = tiles[3], tiles[4]
    else:
        pooled, codes = _max_pool_kernel(np, out, data_format="NHWC", **pool), None
        if tiles is not None and tiles[4] is not None:  # blocks of rows: pooled (and coded) afterwards
            codes = tiles[4]
            _pool_code(_tile_view(out, tiles[0], tiles[1]), np.empty_like(pooled), codes)
    if not code:
        return out, pooled
    return out, pooled, codes if codes is not None else np.full(pooled.shape, _NAN_CODE, np.uint8)


# ================================================================ pooling kernels (channels last, any rank)
def _pool_setup(ksize, strides, padding, data_format, in_shape):
    cf = _channels_first(data_format)
    c = 1 if cf else -1
    if ksize[0] != 1 or strides[0] != 1 or ksize[c] != 1 or strides[c] != 1 or len(in_shape) != len(ksize):
        raise ValueError("invalid pooling window")  # the inference explains
    k, s = _spatial(ksize, data_format), _spatial(strides, data_format)
    in_last = _shape_to_last(in_shape, cf)
    out_sp, pads = _geometry(in_last[1:-1], k, s, (1,) * len(k), padding)
    return cf, k, s, in_last, out_sp, pads


def _empty(shape):
    return any(d == 0 for d in shape)


def _max_pool_padded(x, k, s, out_sp, pads):
    """The padded input (padding never wins) and the window maxima [N, *out, C]."""
    xpd = _pad(x, pads, _lowest(x.dtype))
    return xpd, _window_reduce(xpd, k, s, out_sp, np.maximum)


def _max_pool_kernel(xp, x, ksize, strides, padding, data_format):
    _reals(x)
    cf, k, s, in_last, out_sp, pads = _pool_setup(ksize, strides, padding, data_format, x.shape)
    x = _to_last(x, cf)
    if min(out_sp) < 0:
        raise ValueError("negative output size")
    if _empty(x.shape) or _empty(out_sp):
        return _from_last(np.zeros((x.shape[0],) + out_sp + (x.shape[-1],), x.dtype), cf)
    if _tiled(k, s, pads):
        return _from_last(_tiled_max_pool(x, k, out_sp), cf)
    return _from_last(_max_pool_padded(x, k, s, out_sp, pads)[1], cf)


def _tiled(k, s, pads):
    """Whether the pooling windows tile the input: stride == ksize and no padding (the common 2x2/2 case)."""
    return tuple(k) == tuple(s) and not any(b or a for b, a in pads)


def _tile_view(x, k, out_sp):
    """A view [N, o0, k0, o1, k1, ..., C] of `x` [N, *S, C] cropped to whole tiles (no copy)."""
    nsp = len(k)
    crop = x[(slice(None),) + tuple(slice(0, o * kk) for o, kk in zip(out_sp, k)) + (slice(None),)]
    shape = (x.shape[0],) + tuple(d for o, kk in zip(out_sp, k) for d in (o, kk)) + (x.shape[-1],)
    st = crop.strides
    strides_ = (st[0],) + tuple(d for i in range(nsp) for d in (st[i + 1] * k[i], st[i + 1])) + (st[-1],)
    return as_strided(crop, shape, strides_, writeable=x.flags.writeable)


def _tap_index(nsp, tap):
    """The index of one window tap in a _tile_view: [N, *out, C]."""
    return (slice(None),) + tuple(e for t in tap for e in (slice(None), t)) + (slice(None),)


# Tiled pooling works on batch chunks of about this many input bytes, so that its several passes over
# a chunk (maxima, comparisons, products) hit the cache instead of main memory.
_POOL_CHUNK_BYTES = 1 << 20


def _batch_chunks(x):
    step = max(1, _POOL_CHUNK_BYTES // max(x[:1].nbytes, 1))
    return [(i, min(i + step, x.shape[0])) for i in range(0, x.shape[0], step)]


# Pooling kernels run their batch chunks on the intra-op threads (ops/intra_op.py).
_run_chunks = intra_op.run_chunks


def _tiled_max(xv, k, out=None):
    """Window maxima [N, *out, C] of a _tile_view, reduced one spatial dimension at a time in the order
    (and argument order) of _window_reduce, so the results agree bit for bit."""
    # Window sizes of 1 are indexed away first; then, reducing in order, dimension i's tap axis is 2 + i.
    acc = xv[(slice(None),) + tuple(e for kk in k for e in (slice(None), 0 if kk == 1 else slice(None)))]
    last = max((i for i, kk in enumerate(k) if kk > 1), default=-1)
    for i in range(len(k)):
        if k[i] == 1:
            continue
        lead = (slice(None),) * (2 + i)
        part = np.maximum(acc[lead + (0,)], acc[lead + (1,)], out=out if i == last else None)
        for t in range(2, k[i]):
            np.maximum(part, acc[lead + (t,)], out=part)
        acc = part
    if out is not None:
        if last < 0:
            np.copyto(out, acc)
        return out
    return np.ascontiguousarray(acc)


def _tiled_max_pool(x, k, out_sp):
    """MaxPool for tiling windows, one cache-sized batch chunk at a time."""
    y = np.empty((x.shape[0],) + tuple(out_sp) + (x.shape[-1],), x.dtype)

    def chunk(n0, n1):
        _tiled_max(_tile_view(x[n0:n1], k, out_sp), k, out=y[n0:n1])
    _run_chunks(chunk, _batch_chunks(x))
    return y


def _argmax_masks(x, k, s, out_sp, pads):
    """(slices, mask) per window tap: where the tap holds its window's first maximum (TF's argmax).

    The maxima are recomputed from `x` (as TF does), so the result depends on orig_input only.
    """
    xpd, y = _max_pool_padded(x, k, s, out_sp, pads)
    todo = np.ones(y.shape, bool)
    for _, sl in _tap_slices(k, out_sp, s, (1,) * len(k)):
        m = xpd[sl] == y
        m &= todo
        todo ^= m
        yield sl, m


def _max_pool_grad_kernel(xp, orig_input, orig_output, grad, ksize, strides, padding, data_format):
    cf, k, s, in_last, out_sp, pads = _pool_setup(ksize, strides, padding, data_format, orig_input.shape)
    x, g = _to_last(orig_input, cf), _to_last(grad, cf)
    if g.shape[1:-1] != out_sp or g.shape[0] != x.shape[0] or g.shape[-1] != x.shape[-1]:
        raise ValueError("grad shape does not match the pooled output")
    if _empty(x.shape) or _empty(out_sp):
        return np.zeros(orig_input.shape, grad.dtype)
    if _tiled(k, s, pads):
        return _from_last(_tiled_max_grad(x, g, k, out_sp), cf)
    padded = (x.shape[0],) + tuple(n + b + a for n, (b, a) in zip(x.shape[1:-1], pads)) + (x.shape[-1],)
    dx = np.zeros(padded, grad.dtype)
    tmp = np.empty(g.shape, grad.dtype)
    for sl, m in _argmax_masks(x, k, s, out_sp, pads):
        np.multiply(g, m, out=tmp)
        dx[sl] += tmp
    return _from_last(np.ascontiguousarray(dx[_interior(x.shape, pads)]), cf)


def _take(a, axis, i):
    """a[..., i, ...] along `axis` (a view)."""
    return a[(slice(None),) * axis + (i,)]


def _tiled_route(xv, g, dxv, k, relu):
    """The fast MaxPoolGrad of one batch chunk of tiling windows: writes into `dxv` (a _tile_view of dx)
    each window's gradient from `g` [N, *out, C] at the window's first maximum in row-major tap order
    (TF's argmax); with `relu`, only where that maximum is > 0 (ReluGrad of the pooled input).

    Windows are reduced one spatial dimension at a time from the last: per dimension, a tap "wins"
    when it is greater than every tap before it, and the first maximum is the last winner. The
    reductions over earlier dimensions, and the routing of the gradient back through them, work on
    whole rows of the chunk (long contiguous runs), which is what makes this faster than comparing
    every tap with the window's maximum. Returns False (having written nothing) when a window holds
    a NaN: TF's argmax then needs the sequential scan of _seq_route.
    """
    nsp = len(k)
    vals, wins = xv, [None] * nsp  # wins[d]: per tap t >= 1 of dimension d, where it beats taps < t
    for d in reversed(range(nsp)):
        ax = 2 + 2 * d
        if k[d] == 1:
            vals = _take(vals, ax, 0)
            continue
        best, ms = _take(vals, ax, 0), []
        for t in range(1, k[d]):
            tap = _take(vals, ax, t)
            ms.append(np.greater(tap, best))
            best = np.maximum(best, tap, out=None if t == 1 else best)
        wins[d], vals = ms, best
    if vals.dtype.kind == "f" or vals.dtype in _HALF:
        if np.not_equal(vals, vals).any():  # maximum propagates NaN: some window holds one
            return False
    if relu:
        g = g * np.greater(vals, 0)
    routed = g
    for d in range(nsp):
        ax = 2 + 2 * d
        last = d == nsp - 1
        shape = routed.shape[:ax] + (k[d],) + routed.shape[ax:]
        out = dxv if last else np.empty(shape, routed.dtype)
        if k[d] == 1:
            np.copyto(_take(out, ax, 0), routed)
        else:
            rem = routed
            for t in range(k[d] - 1, 0, -1):  # the last winner takes the gradient
                sel = np.multiply(rem, wins[d][t - 1], out=_take(out, ax, t))
                rem = np.subtract(rem, sel, out=_take(out, ax, 0) if t == 1 else None)
        routed = out
    return True


def _seq_route(xv, g, dxv, k, relu):
    """MaxPoolGrad of one batch chunk as TF computes it: a scan of each window's taps in row-major order
    that moves the argmax only to a tap greater than the current maximum (the first tap starts it, NaN
    or not; a later NaN never wins)."""
    taps = [_tap_index(len(k), tap) for tap in np.ndindex(*k)]
    best = np.array(xv[taps[0]])
    arg = np.zeros(best.shape, np.intp)
    for i, idx in enumerate(taps[1:], 1):
        m = xv[idx] > best
        np.copyto(best, xv[idx], where=m)
        arg[m] = i
    if relu:
        g = g * (best > 0)
    for i, idx in enumerate(taps):
        np.multiply(g, arg == i, out=dxv[idx])


def _tiled_max_grad(x, g, k, out_sp, relu=False):
    """MaxPoolGrad for tiling windows (stride == ksize, no padding), written straight into the taps of dx
    (no scatter-add), one cache-sized batch chunk at a time; `relu` fuses the ReluGrad of the pooled input."""
    whole = all(o * kk == n for o, kk, n in zip(out_sp, k, x.shape[1:-1]))
    dx = (np.empty if whole else np.zeros)(x.shape, g.dtype)  # whole tiles: every element is written

    def chunk(n0, n1):
        xv, dxv, gc = _tile_view(x[n0:n1], k, out_sp), _tile_view(dx[n0:n1], k, out_sp), g[n0:n1]
        if not _tiled_route(xv, gc, dxv, k, relu):
            _seq_route(xv, gc, dxv, k, relu)
    _run_chunks(chunk, _batch_chunks(x))
    return dx


# A 2x2 MaxPool fused into a convolution (fused_conv2d) can record where each window's first maximum is,
# its "argmax code" (uint8, one per pooled element): bit 0: in the top row the right tap beats the left,
# bit 1: the same in the bottom row, bit 2: the bottom row's maximum beats the top row's. Then the
# backward (max_pool_grad_relu) routes the gradient without reading the pooled input again. A block
# with a NaN gets _NAN_CODE everywhere: TF's argmax of such windows needs the sequential scan.
_NAN_CODE = 255


def _pool_code(xv, pooled, code):
    """The 2x2 MaxPool of a _tile_view `xv` [N, o0, 2, o1, 2, C] into `pooled` [N, o0, o1, C], and the
    windows' argmax codes into `code` (the same first maxima as _tiled_route finds)."""
    t0, t1 = xv[:, :, :, :, 0], xv[:, :, :, :, 1]
    right = np.greater(t1, t0)  # [N, o0, 2, o1, C]: per row, whether the right tap wins
    rows = np.maximum(t0, t1)
    low = np.greater(rows[:, :, 1], rows[:, :, 0])
    np.maximum(rows[:, :, 0], rows[:, :, 1], out=pooled)
    if pooled.dtype.kind == "f" and np.not_equal(pooled, pooled).any():
        code.fill(_NAN_CODE)
        return
    bits = right.view(np.uint8)
    np.multiply(low.view(np.uint8), 4, out=code)
    code += bits[:, :, 0]
    code += np.multiply(bits[:, :, 1], 2)


def _route_code(code, p, g, dxv, relu):
    """Writes into `dxv` (a 2x2 _tile_view of dx) the gradient `g` of each window at its first maximum,
    found from the windows' argmax codes; with `relu`, only where the maximum `p` is > 0."""
    gg = g * np.greater(p, 0) if relu else g
    shape = g.shape[:2] + (2,) + g.shape[2:]
    rows = np.empty(shape, g.dtype)  # the gradient of each window's top and bottom row
    low = np.right_shift(code, 2).view(bool)
    sel = np.multiply(gg, low, out=rows[:, :, 1])
    np.subtract(gg, sel, out=rows[:, :, 0])
    right = np.empty(shape, np.uint8)
    np.bitwise_and(code, 1, out=right[:, :, 0])
    np.right_shift(code, 1, out=right[:, :, 1])
    right[:, :, 1] &= 1
    sel = np.multiply(rows, right.view(bool), out=dxv[:, :, :, :, 1])
    np.subtract(rows, sel, out=dxv[:, :, :, :, 0])


def max_pool_grad_relu(orig_input, orig_output, grad, ksize, strides, padding, data_format, code=None):
    """ReluGrad(MaxPoolGrad(orig_input, orig_output, grad), orig_input) as one kernel: the backward of
    MaxPool(Relu(...)). For tiling windows each window's gradient is kept only where its maximum is
    > 0 and then routed to the maximum, so the relu mask costs one pass over the pooled size.
    `code`: the argmax codes of a 2x2 pooling, from the fused_conv2d that computed orig_input and
    orig_output (then orig_input is read only for windows with a NaN).

    The graph remapper (tensorforge/graph/passes/remapping.py) calls this when the MaxPoolGrad's result
    is read by that ReluGrad only; the result equals the two kernels' (up to the sign of zeros).
    """
    cf, k, s, in_last, out_sp, pads = _pool_setup(ksize, strides, padding, data_format, orig_input.shape)
    x, g = _to_last(orig_input, cf), _to_last(grad, cf)
    if (_tiled(k, s, pads) and not _empty(x.shape) and not _empty(out_sp) and g.shape[1:-1] == out_sp
            and g.shape[0] == x.shape[0] and g.shape[-1] == x.shape[-1] and g.dtype == x.dtype):
        if (code is not None and not cf and tuple(k) == (2, 2) and code.shape == g.shape
                and orig_output.shape == g.shape and orig_output.dtype == g.dtype):
            return _coded_max_grad(x, orig_output, g, code, out_sp)
        return _from_last(_tiled_max_grad(x, g, k, out_sp, relu=True), cf)
    dx = _max_pool_grad_kernel(np, orig_input, orig_output, grad, ksize, strides, padding, data_format)
    return _relu_grad_kernel(np, dx, orig_input)


def _coded_max_grad(x, p, g, code, out_sp):
    """max_pool_grad_relu of 2x2 tiles routed by argmax codes, one batch chunk at a time (a chunk with a
    NaN window is computed from x instead)."""
    whole = all(o * 2 == n for o, n in zip(out_sp, x.shape[1:-1]))
    dx = (np.empty if whole else np.zeros)(x.shape, g.dtype)

    def chunk(n0, n1):
        dxv, cc = _tile_view(dx[n0:n1], (2, 2), out_sp), code[n0:n1]
        if cc.max() == _NAN_CODE:
            xv = _tile_view(x[n0:n1], (2, 2), out_sp)
            if not _tiled_route(xv, g[n0:n1], dxv, (2, 2), True):
                _seq_route(xv, g[n0:n1], dxv, (2, 2), True)
        else:
            _route_code(cc, p[n0:n1], g[n0:n1], dxv, True)
    _run_chunks(chunk, _batch_chunks(x))
    return dx


def _max_pool_grad_grad_kernel(xp, orig_input, orig_output, grad, ksize, strides, padding, data_format):
    cf, k, s, in_last, out_sp, pads = _pool_setup(ksize, strides, padding, data_format, orig_input.shape)
    x, g = _to_last(orig_input, cf), _to_last(grad, cf)
    if g.shape != x.shape:
        raise ValueError("grad shape does not match the input")
    if _empty(x.shape) or _empty(out_sp):
        return np.zeros(orig_output.shape, grad.dtype)
    gp = _pad(g, pads)
    out = np.zeros((x.shape[0],) + out_sp + (x.shape[-1],), grad.dtype)
    for sl, m in _argmax_masks(x, k, s, out_sp, pads):
        out += gp[sl] * m
    return _from_last(out, cf)


def _avg_counts(in_sp, k, s, pads, out_sp):
    """How many real (unpadded) elements each window covers, shaped to broadcast over [N, *out, C]."""
    nsp = len(k)
    cnt = np.ones((1,) * (nsp + 2), np.float64)
    for i in range(nsp):
        start = np.arange(out_sp[i]) * s[i] - pads[i][0]
        c = np.minimum(start + k[i], in_sp[i]) - np.maximum(start, 0)
        cnt = cnt * c.reshape((1,) * (i + 1) + (-1,) + (1,) * (nsp - i))
    return cnt


def _axis_slice(ndim, axis, sl):
    return (slice(None),) * axis + (sl,) + (slice(None),) * (ndim - axis - 1)


def _window_reduce(xpd, k, s, out_sp, ufunc):
    """Reduces (np.add, np.maximum) over pooling windows one spatial dimension at a time:
    sum(k) strided passes instead of prod(k)."""
    acc = xpd
    for i in range(len(k)):
        ax = i + 1
        part = None
        for t in range(k[i]):
            v = acc[_axis_slice(acc.ndim, ax, slice(t, t + (out_sp[i] - 1) * s[i] + 1, s[i]))]
            if part is None:
                part = v.copy()
            else:
                ufunc(part, v, out=part)
        acc = part
    return acc


def _window_spread(g, padded, k, s, out_sp):
    """The transpose of _window_reduce(np.add): adds each window's value to every element it covers."""
    acc = g
    for i in reversed(range(len(k))):
        ax = i + 1
        shape = acc.shape[:ax] + (padded[ax],) + acc.shape[ax + 1:]
        nxt = np.zeros(shape, acc.dtype)
        for t in range(k[i]):
            nxt[_axis_slice(nxt.ndim, ax, slice(t, t + (out_sp[i] - 1) * s[i] + 1, s[i]))] += acc
        acc = nxt
    return acc


def _avg_pool_kernel(xp, value, ksize, strides, padding, data_format):
    _floats(value)
    cf, k, s, in_last, out_sp, pads = _pool_setup(ksize, strides, padding, data_format, value.shape)
    x = _to_last(value, cf)
    if min(out_sp) < 0:
        raise ValueError("negative output size")
    if _empty(x.shape) or _empty(out_sp):
        return _from_last(np.zeros((x.shape[0],) + out_sp + (x.shape[-1],), value.dtype), cf)
    acc = _window_reduce(_pad(_work(x), pads), k, s, out_sp, np.add)
    if padding == "SAME" and any(b or a for b, a in pads):
        acc /= _avg_counts(x.shape[1:-1], k, s, pads, out_sp).astype(acc.dtype)
    else:
        acc /= acc.dtype.type(math.prod(k))
    return _from_last(acc.astype(value.dtype, copy=False), cf)


def _avg_pool_grad_kernel(xp, grad, orig_input_shape, ksize, strides, padding, data_format):
    if type(orig_input_shape) is not tuple:  # the run-time orig_input_shape input
        orig_input_shape = tuple(int(v) for v in orig_input_shape)
    cf = _channels_first(data_format)
    g = _to_last(grad, cf)
    shape = list(_shape_to_last(orig_input_shape, cf))
    shape[0] = g.shape[0] if shape[0] is None or shape[0] < 0 else shape[0]
    shape[-1] = g.shape[-1] if shape[-1] is None or shape[-1] < 0 else shape[-1]
    k, s = _spatial(ksize, data_format), _spatial(strides, data_format)
    for i in range(len(k)):
        if shape[i + 1] is None or shape[i + 1] < 0:
            shape[i + 1] = (g.shape[i + 1] - 1) * s[i] + (1 if padding == "SAME" else k[i])
    shape = tuple(shape)
    out_sp, pads = _geometry(shape[1:-1], k, s, (1,) * len(k), padding)
    if g.shape[1:-1] != out_sp or g.shape[0] != shape[0] or g.shape[-1] != shape[-1]:
        raise ValueError("grad shape does not match the pooled output")
    if _empty(shape) or _empty(out_sp):
        return _from_last(np.zeros(shape, grad.dtype), cf)
    gw = _work(g)
    if padding == "SAME" and any(b or a for b, a in pads):
        gw = gw / _avg_counts(shape[1:-1], k, s, pads, out_sp).astype(gw.dtype)
    else:
        gw = gw / gw.dtype.type(math.prod(k))
    padded = (shape[0],) + tuple(n + b + a for n, (b, a) in zip(shape[1:-1], pads)) + (shape[-1],)
    dx = _window_spread(gw, padded, k, s, out_sp)
    return _from_last(np.ascontiguousarray(dx[_interior(shape, pads)], dtype=grad.dtype), cf)


# ---------------------------------------------------------------- pooling inference, gradients, registration
def _pool_check(api, op_name, nsp, attrs, fail):
    for name in ("ksize", "strides"):
        v = attrs[name]
        if len(v) != nsp + 2:
            fail("Sliding window %s field must specify %d dimensions" % (name, nsp + 2))
        if any(e < 1 for e in v):
            fail("Sliding window %s must be positive: %s" % (name, list(v)))
    cf = _channels_first(attrs["data_format"])
    if attrs["ksize"][0] != 1 or attrs["strides"][0] != 1:
        fail("Pooling is not yet supported on the batch dimension.")
    if attrs["ksize"][1 if cf else -1] != 1 or attrs["strides"][1 if cf else -1] != 1:
        fail("Pooling on the depth dimension is not supported.")
    if attrs["padding"] not in ("SAME", "VALID"):
        fail("padding must be SAME or VALID, got %r" % attrs["padding"])


def _pool_out(api, op_name, nsp, attrs, xs, fail):
    _pool_check(api, op_name, nsp, attrs, fail)
    if xs is None:
        return None
    if len(xs) != nsp + 2:
        fail("input must be %d-dimensional" % (nsp + 2))
    df = attrs["data_format"]
    cf = _channels_first(df)
    xl = _shape_to_last(xs, cf)
    k, s = _spatial(attrs["ksize"], df), _spatial(attrs["strides"], df)
    out_sp = _spatial_out(dict(attrs, padding=attrs["padding"]), xl, k, fail, s, (1,) * nsp, None)
    return _shape_from_last((xl[0],) + out_sp + (xl[-1],), cf)


def _pool_infer(api, op_name, nsp, allowed):
    def infer(specs, attrs):
        sh.check_dtype(api, op_name, specs[0], allowed, "input")
        xs = sh.dims(specs[0])
        fail = _failer(api, op_name, ("input",), (xs,))
        return [(_pool_out(api, op_name, nsp, attrs, xs, fail), specs[0].dtype)]
    return infer


def _max_pool_grad_infer(api, op_name, nsp, out_is_input):
    def infer(specs, attrs):
        d = sh.same_dtype(api, op_name, specs, ("orig_input", "orig_output", "grad"))
        xs = sh.dims(specs[0])
        fail = _failer(api, op_name, ("orig_input", "orig_output", "grad"), [sh.dims(s) for s in specs])
        out = _pool_out(api, op_name, nsp, attrs, xs, fail)
        return [(xs if out_is_input else out, d)]
    return infer


def _avg_pool_grad_infer(api, op_name, nsp):
    def infer(specs, attrs):
        gs = sh.dims(specs[0])
        fail = _failer(api, op_name, ("grad",), (gs,))
        _pool_check(api, op_name, nsp, attrs, fail)
        if len(specs) == 2:  # orig_input_shape is an input tensor
            v = array_ops._shape_value(specs[1])
            shape = (None,) * (nsp + 2) if v is None else v
        else:
            shape = tuple(None if v is None or v < 0 else v for v in attrs["orig_input_shape"])
        if len(shape) != nsp + 2:
            fail("orig_input_shape must have %d elements" % (nsp + 2))
        if gs is not None:
            cf = _channels_first(attrs["data_format"])
            b, c = (0, 1) if cf else (0, nsp + 1)
            shape = tuple(gs[i] if v is None and i in (b, c) else v for i, v in enumerate(shape))
        return [(shape, specs[0].dtype)]
    return infer


def _avg_pool_grad(avg_grad, op, dy):
    """AvgPoolGrad with the input's shape as an attr when it is fully known, else as a run-time input."""
    s = op.inputs[0].shape._dims
    if s is not None and None not in s:
        return bind(avg_grad, [dy], dict(op.attrs, orig_input_shape=s))
    return bind(avg_grad, [dy, array_ops.shape(op.inputs[0])], op.attrs)


def _pool_register(nsp, max_name, max_grad, max_grad_grad, avg_name, avg_grad, apis):
    max_api, avg_api = apis
    df = "NHWC" if nsp == 2 else "NDHWC"
    dfc = "NCHW" if nsp == 2 else "NCDHW"

    def attrs(k, s, padding, data_format=df):
        cf = _channels_first(data_format)
        full = (lambda v: (1, 1) + v) if cf else (lambda v: (1,) + v + (1,))
        return {"ksize": full((k,) * nsp), "strides": full((s,) * nsp), "padding": padding, "data_format": data_format}

    shapes = [((2, 7, 7, 3) if nsp == 2 else (1, 5, 5, 5, 2), attrs(3, 2, "SAME")),
              ((2, 7, 6, 3) if nsp == 2 else (1, 5, 4, 5, 2), attrs(3, 2, "VALID")),
              ((1, 2, 5, 6) if nsp == 2 else (1, 2, 4, 5, 4), attrs(2, 1, "SAME", dfc))]

    def max_grad_samples():
        out = []
        for xs, a in shapes:
            x = S.distinct(*xs)
            y = _max_pool_kernel(np, x, **a)
            out.append(([x, y, S.normal(*y.shape)], a))
        return out

    def max_grad_grad_samples():
        out = []
        for xs, a in shapes:
            x = S.distinct(*xs)
            y = _max_pool_kernel(np, x, **a)
            out.append(([x, y, S.normal(*xs)], a))
        return out

    def avg_grad_samples():
        out = [([S.normal(*_avg_pool_kernel(np, np.zeros(xs), **a).shape)], dict(a, orig_input_shape=xs))
               for xs, a in shapes]
        xs, a = shapes[0]  # orig_input_shape as a run-time input
        return out + [([S.normal(*_avg_pool_kernel(np, np.zeros(xs), **a).shape), np.array(xs, np.int32)], a)]

    def max_pool_grad_grad(op, g):
        x, y, _ = op.inputs
        return [None, None, bind(max_grad_grad, [x, y, g], op.attrs)]

    def max_pool_grad_grad_grad(op, g):
        x, y, _ = op.inputs
        return [None, None, bind(max_grad, [x, y, g], op.attrs)]

    register(max_name, kernel=_max_pool_kernel, infer=_pool_infer(max_api, max_name, nsp, _REAL),
             grad=lambda op, dy: [bind(max_grad, [op.inputs[0], op.outputs[0], dy], op.attrs)],
             api=max_api, args=("input",), samples=lambda: [([S.distinct(*xs)], a) for xs, a in shapes])
    register(max_grad, kernel=_max_pool_grad_kernel, infer=_max_pool_grad_infer(max_api, max_grad, nsp, True),
             grad=max_pool_grad_grad, api=max_api, args=("orig_input", "orig_output", "grad"),
             samples=max_grad_samples)
    register(max_grad_grad, kernel=_max_pool_grad_grad_kernel,
             infer=_max_pool_grad_infer(max_api, max_grad_grad, nsp, False), grad=max_pool_grad_grad_grad,
             api=max_api, args=("orig_input", "orig_output", "grad"), samples=max_grad_grad_samples)
    register(avg_name, kernel=_avg_pool_kernel, infer=_pool_infer(avg_api, avg_name, nsp, _FLOATS),
             grad=lambda op, dy: [_avg_pool_grad(avg_grad, op, dy)],
             api=avg_api, args=("value",), samples=lambda: [([S.normal(*xs)], a) for xs, a in shapes])
    register(avg_grad, kernel=_avg_pool_grad_kernel, infer=_avg_pool_grad_infer(avg_api, avg_grad, nsp),
             grad=lambda op, g: [bind(avg_name, [g], {k: v for k, v in op.attrs.items() if k != "orig_input_shape"})]
             + [None] * (len(op.inputs) - 1),
             api=avg_api, args=("grad", "orig_input_shape"), samples=avg_grad_samples)


_pool_register(2, "MaxPool", "MaxPoolGrad", "MaxPoolGradGrad", "AvgPool", "AvgPoolGrad",
               ("tf.nn.max_pool2d", "tf.nn.avg_pool2d"))
_pool_register(3, "MaxPool3D", "MaxPool3DGrad", "MaxPool3DGradGrad", "AvgPool3D", "AvgPool3DGrad",
               ("tf.nn.max_pool3d", "tf.nn.avg_pool3d"))


def _max_pool_argmax_kernel(xp, x, ksize, strides, padding, Targmax, include_batch_in_index):
    _reals(x)
    cf, k, s, in_last, out_sp, pads = _pool_setup(ksize, strides, padding, "NHWC", x.shape)
    if min(out_sp) < 0:
        raise ValueError("negative output size")
    n, c = x.shape[0], x.shape[-1]
    if _empty(x.shape) or _empty(out_sp):
        shape = (n,) + out_sp + (c,)
        return np.zeros(shape, x.dtype), np.zeros(shape, Targmax.as_numpy_dtype)
    xpd = _pad(x, pads, _lowest(x.dtype))
    best = arg = None
    for t, (_, sl) in enumerate(_tap_slices(k, out_sp, s, (1, 1))):
        v = xpd[sl]
        if best is None:
            best, arg = v.copy(), np.zeros(v.shape, np.int64)
        else:
            m = v > best
            np.copyto(best, v, where=m)
            np.copyto(arg, t, where=m)
    ti, tj = np.divmod(arg, k[1])
    rows = (np.arange(out_sp[0]) * s[0] - pads[0][0]).reshape(1, -1, 1, 1) + ti
    cols = (np.arange(out_sp[1]) * s[1] - pads[1][0]).reshape(1, 1, -1, 1) + tj
    flat = (rows * x.shape[2] + cols) * c + np.arange(c)
    if include_batch_in_index:
        flat = flat + (np.arange(n) * (x.shape[1] * x.shape[2] * c)).reshape(-1, 1, 1, 1)
    return best, flat.astype(Targmax.as_numpy_dtype)


def _max_pool_argmax_infer(specs, attrs):
    api, op = "tf.nn.max_pool_with_argmax", "MaxPoolWithArgmax"
    sh.check_dtype(api, op, specs[0], _REAL, "input")
    xs = sh.dims(specs[0])
    fail = _failer(api, op, ("input",), (xs,))
    out = _pool_out(api, op, 2, dict(attrs, data_format="NHWC"), xs, fail)
    return [(out, specs[0].dtype), (out, attrs["Targmax"])]


def _max_pool_argmax_grad(op, dy, dargmax):
    a = {"ksize": op.attrs["ksize"], "strides": op.attrs["strides"], "padding": op.attrs["padding"],
         "data_format": "NHWC"}
    return [bind("MaxPoolGrad", [op.inputs[0], op.outputs[0], dy], a)]


register("MaxPoolWithArgmax", kernel=_max_pool_argmax_kernel, infer=_max_pool_argmax_infer,
         grad=_max_pool_argmax_grad, api="tf.nn.max_pool_with_argmax", num_outputs=2, args=("input",),
         samples=lambda: [([S.distinct(2, 5, 6, 3)], {"ksize": (1, 3, 3, 1), "strides": (1, 2, 2, 1), "padding": "SAME",
                                                     "Targmax": dtypes.int64, "include_batch_in_index": True}),
                          ([S.distinct(1, 5, 6, 2)], {"ksize": (1, 2, 3, 1), "strides": (1, 1, 2, 1),
                                                      "padding": "VALID", "Targmax": dtypes.int32,
                                                      "include_batch_in_index": False})])


@tf_export("nn.max_pool_with_argmax")
def max_pool_with_argmax(input, ksize, strides, padding, data_format="NHWC", output_dtype=dtypes.int64,  # noqa: A002
                         include_batch_in_index=False, name=None):
    """2-D max pooling that also returns the flat index of each maximum, ((b * H + y) * W + x) * C + c
    with `include_batch_in_index`, else (y * W + x) * C + c (tf.nn.max_pool_with_argmax).

    Returns:
      A tuple (output, argmax).
    """
    if data_format != "NHWC":
        raise ValueError("`data_format` values other  than 'NHWC' are not supported. Received: data_format=%s"
                         % data_format)
    attrs = _pool_attrs(2, ksize, strides, padding, "NHWC")
    del attrs["data_format"]
    attrs["Targmax"] = dtypes.as_dtype(output_dtype)
    attrs["include_batch_in_index"] = bool(include_batch_in_index)
    return bind("MaxPoolWithArgmax", [_t(input)], attrs)


@tf_export("nn.local_response_normalization", "nn.lrn")
def local_response_normalization(input, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5, name=None) -> Tensor:  # noqa: A002
    """input / (bias + alpha * sqr_sum) ** beta, sqr_sum summing input ** 2 over the 2 * depth_radius + 1
    neighbouring channels (tf.nn.local_response_normalization)."""
    x = _t(input)
    if x.shape.rank is not None and x.shape.rank != 4:
        raise sh.error("tf.nn.local_response_normalization", "LRN", "input must be 4-dimensional, got shape %s"
                       % sh.fmt(x.shape._dims))
    c = x.shape[-1]
    r = int(depth_radius)
    # The windowed sum over channels as a 1-D convolution of the squares with a ones filter.
    sq = array_ops.reshape(math_ops.square(x), [-1, c, 1])
    ones = array_ops.ones([2 * r + 1, 1, 1], x.dtype)
    sqr_sum = array_ops.reshape(conv1d(sq, ones, 1, [[0, 0], [r, r], [0, 0]]), array_ops.shape(x))
    t = x.dtype._np.type
    denom = math_ops.pow(math_ops.add(t(bias), math_ops.multiply(t(alpha), sqr_sum)), t(beta))
    return math_ops.divide(x, denom)


@tf_export("nn.batch_norm_with_global_normalization")
def batch_norm_with_global_normalization(input, mean, variance, beta, gamma, variance_epsilon,  # noqa: A002
                                         scale_after_normalization, name=None) -> Tensor:
    """batch_normalization with offset `beta` and, when `scale_after_normalization`, scale `gamma`
    (tf.nn.batch_norm_with_global_normalization)."""
    return batch_normalization(input, mean, variance, beta, gamma if scale_after_normalization else None,
                               variance_epsilon)


# ================================================================ public convolution and pooling functions
def _get_sequence(value, n, channel_index, name):
    """TF's _get_sequence: an int or a list of 1, n or n + 2 values -> the full (n + 2)-tuple."""
    if value is None:
        value = [1]
    elif isinstance(value, Tensor):
        value = np.asarray(value._value).reshape(-1).tolist()
    elif not isinstance(value, (list, tuple)):
        value = [value]
    current_n = len(value)
    if current_n == n + 2:
        return tuple(int(v) for v in value)
    if current_n == 1:
        value = list(value) * n
    elif current_n != n:
        raise ValueError("%s should be of length 1, %d or %d. Received: %s=%s of length %d"
                         % (name, n, n + 2, name, value, current_n))
    value = tuple(int(v) for v in value)
    return (1, 1) + value if channel_index == 1 else (1,) + value + (1,)


def _convert_padding(padding, expected_length=4):
    """A padding argument as (padding attr, explicit_paddings tuple)."""
    if isinstance(padding, (list, tuple)):
        explicit = []
        for i, dim in enumerate(padding):
            if not isinstance(dim, (list, tuple)):
                raise ValueError("When `padding` is a list, each element of `padding` must be a list/tuple of size 2. "
                                 "Received: padding=%s with element at index %d of type %s"
                                 % (padding, i, type(dim)))
            if len(dim) != 2:
                raise ValueError("When `padding` is a list, each element of `padding` must be a list/tuple of size 2. "
                                 "Received: padding=%s with element at index %d of size %d" % (padding, i, len(dim)))
            explicit.extend(int(v) for v in dim)
        if len(padding) != expected_length:
            raise ValueError("When padding is a list, it must be of size %d. Received: padding=%s of size %d"
                             % (expected_length, padding, len(padding)))
        return "EXPLICIT", tuple(explicit)
    if isinstance(padding, bytes):
        padding = padding.decode()
    padding = str(padding).upper()
    if padding == "EXPLICIT":
        raise ValueError("'EXPLICIT' is not a valid value for `padding`. To use explicit padding, `padding` must be "
                         "a list.")
    if padding not in ("SAME", "VALID"):
        raise ValueError("`padding` must be 'SAME', 'VALID' or a list of paddings. Received: padding=%r" % padding)
    return padding, ()


def _sizes(v) -> tuple:
    """An output/input shape argument as a tuple (unknown entries, e.g. symbolic, as None)."""
    if isinstance(v, Tensor):
        return tuple(int(d) for d in np.asarray(v._value).reshape(-1))
    if hasattr(v, "as_list"):
        return tuple(v.as_list())
    if getattr(v, "_is_symbolic_tensor", False):
        n = v.shape[0]
        return (None,) * n
    out = []
    for d in v:
        try:
            out.append(int(d))
        except (TypeError, ValueError):
            out.append(None)
    return tuple(out)


def _batched(fn, x, inner_rank):
    """Runs `fn` on x reshaped to a single batch dimension when x has several (TF's squeeze_batch_dims)."""
    rank = x.shape.rank
    if rank is None or rank <= inner_rank + 1:
        return fn(x)
    shape = x.shape.as_list()
    batch, inner = shape[:rank - inner_rank], shape[rank - inner_rank:]
    out = fn(array_ops.reshape(x, [-1] + [-1 if d is None else d for d in inner]))
    batch = array_ops.shape(x)[:rank - inner_rank] if None in batch else batch
    out_inner = out.shape.as_list()[1:]
    if isinstance(batch, list):
        return array_ops.reshape(out, batch + out_inner)
    return array_ops.reshape(out, array_ops.concat([batch, _t(np.asarray(out_inner, np.int32))], 0))


def _conv_op_attrs(nsp, strides, padding, data_format, dilations):
    cidx = 1 if data_format.startswith("NC") else nsp + 1
    padding, explicit = _convert_padding(padding, nsp + 2)
    attrs = {"strides": _get_sequence(strides, nsp, cidx, "strides"), "padding": padding,
             "data_format": data_format, "dilations": _get_sequence(dilations, nsp, cidx, "dilations")}
    if nsp == 2:
        attrs["explicit_paddings"] = explicit
    elif explicit:
        raise ValueError("Explicit padding is only supported for 2-D convolutions; got padding=%s" % (padding,))
    return attrs


@tf_export("nn.conv2d")
def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None) -> Tensor:  # noqa: A002
    """2-D convolution of `input` [batch..., H, W, C] with `filters` [kh, kw, C / groups, out] (tf.nn.conv2d).

    Args:
      input: a tensor of rank >= 4 (batch dimensions, then height, width, channels for NHWC).
      filters: [filter_height, filter_width, in_channels / groups, out_channels].
      strides: an int or a list of 1, 2 or 4 ints.
      padding: 'SAME', 'VALID', or explicit [[0, 0], [top, bottom], [left, right], [0, 0]].
      data_format: 'NHWC' (default) or 'NCHW'.
      dilations: an int or a list of 1, 2 or 4 ints (atrous convolution); gradients support them too.
    """
    x = input if type(input) is Tensor else _t(input)
    w = filters if type(filters) is Tensor else _t(filters, dtype_hint=x.dtype)
    attrs = _conv_op_attrs(2, strides, padding, data_format or "NHWC", dilations)
    return _batched(lambda v: bind("Conv2D", [v, w], attrs), x, 3)


@tf_export("nn.conv3d")
def conv3d(input, filters, strides, padding, data_format="NDHWC", dilations=None, name=None) -> Tensor:  # noqa: A002
    """3-D convolution of `input` [N, D, H, W, C] with `filters` [kd, kh, kw, C, out] (tf.nn.conv3d)."""
    x = _t(input)
    w = _t(filters, dtype_hint=x.dtype)
    if isinstance(padding, (list, tuple)):
        raise TypeError("Expected string for argument 'padding' not %r." % (padding,))
    attrs = _conv_op_attrs(3, strides, padding, data_format or "NDHWC", dilations)
    return _batched(lambda v: bind("Conv3D", [v, w], attrs), x, 4)


@tf_export("nn.conv1d")
def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None, name=None) -> Tensor:  # noqa: A002
    """1-D convolution of `input` [N, W, C] with `filters` [k, C, out], computed as a 2-D one (tf.nn.conv1d)."""
    if data_format is None or data_format in ("NHWC", "NWC"):
        data_format, spatial_start, cidx = "NHWC", -3, 2
    elif data_format in ("NCHW", "NCW"):
        data_format, spatial_start, cidx = "NCHW", -2, 1
    else:
        raise ValueError("`data_format` must be 'NWC' or 'NCW'. Received: data_format=%s" % data_format)
    x = _t(input)
    w = _t(filters, dtype_hint=x.dtype)
    strides = (1,) + _get_sequence(stride, 1, cidx, "stride")
    dil = (1,) + _get_sequence(dilations, 1, cidx, "dilations")
    if isinstance(padding, (list, tuple)):
        padding = list(padding)
        padding.insert(len(padding) + spatial_start + 1, [0, 0])
    padding, explicit = _convert_padding(padding, 4)
    attrs = {"strides": strides, "padding": padding, "explicit_paddings": explicit, "data_format": data_format,
             "dilations": dil}
    w4 = array_ops.expand_dims(w, 0)

    def run(v):
        return array_ops.squeeze(bind("Conv2D", [array_ops.expand_dims(v, spatial_start), w4], attrs), [spatial_start])
    return _batched(run, x, 2)


@tf_export("nn.convolution")
def convolution(input, filters, strides=None, padding="VALID", data_format=None, dilations=None,  # noqa: A002
                name=None) -> Tensor:
    """N-D convolution (N = 1, 2, 3 from the rank of `filters`) (tf.nn.convolution)."""
    w = _t(filters)
    n = w.shape.rank - 2 if w.shape.rank is not None else _t(input).shape.rank - 2
    if n == 1:
        return conv1d(input, w, 1 if strides is None else strides, padding, data_format, dilations)
    if n == 2:
        return conv2d(input, w, 1 if strides is None else strides, padding, data_format or "NHWC", dilations)
    if n == 3:
        return conv3d(input, w, 1 if strides is None else strides, padding, data_format or "NDHWC", dilations)
    raise ValueError("`filters` must have rank 3, 4 or 5 (1-D, 2-D or 3-D convolution). Received: %s" % w.shape)


def _transpose_conv(op_name, nsp, input, filters, output_shape, strides, padding, data_format, dilations):  # noqa: A002
    x = _t(input)
    w = _t(filters, dtype_hint=x.dtype)
    sizes = _sizes(output_shape)
    if len(sizes) != nsp + 2:
        raise ValueError("output_shape must have shape (%d,), got (%d,)" % (nsp + 2, len(sizes)))
    attrs = _conv_op_attrs(nsp, strides, padding, data_format, dilations)
    if None in sizes and not isinstance(output_shape, (list, tuple)) and getattr(output_shape, "_is_symbolic_tensor",
                                                                                   False):
        # known at run time only: the op's input_sizes input (spatial sizes cannot be inferred from strides)
        return bind(op_name, [w, x, math_ops.cast(output_shape, dtypes.int32)], attrs)
    attrs["input_sizes"] = sizes
    return bind(op_name, [w, x], attrs)


@tf_export("nn.conv2d_transpose")
def conv2d_transpose(input, filters, output_shape, strides, padding="SAME", data_format="NHWC",  # noqa: A002
                     dilations=None, name=None) -> Tensor:
    """Transposed 2-D convolution (the gradient of conv2d w.r.t. its input) (tf.nn.conv2d_transpose).

    `filters` is [kh, kw, output_channels, input_channels]; `output_shape` is the 4-element result shape.
    """
    return _transpose_conv("Conv2DBackpropInput", 2, input, filters, output_shape, strides, padding,
                           data_format or "NHWC", dilations)


@tf_export("nn.conv3d_transpose")
def conv3d_transpose(input, filters, output_shape, strides, padding="SAME", data_format="NDHWC",  # noqa: A002
                     dilations=None, name=None) -> Tensor:
    """Transposed 3-D convolution (tf.nn.conv3d_transpose)."""
    return _transpose_conv("Conv3DBackpropInputV2", 3, input, filters, output_shape, strides, padding,
                           data_format or "NDHWC", dilations)


@tf_export("nn.conv1d_transpose")
def conv1d_transpose(input, filters, output_shape, strides, padding="SAME", data_format="NWC",  # noqa: A002
                     dilations=None, name=None) -> Tensor:
    """Transposed 1-D convolution, computed as a 2-D one (tf.nn.conv1d_transpose)."""
    if data_format is None or data_format == "NWC":
        data_format, spatial_start, cidx = "NHWC", 1, 2
    elif data_format == "NCW":
        data_format, spatial_start, cidx = "NCHW", 2, 1
    else:
        raise ValueError("`data_format` must be 'NWC' or 'NCW'. Received: data_format=%s" % data_format)
    sizes = list(_sizes(output_shape))
    if len(sizes) != 3:
        raise ValueError("`output_shape` must be of length 3. Received: output_shape=%s" % (output_shape,))
    sizes.insert(spatial_start, 1)
    strides = (1,) + _get_sequence(strides, 1, cidx, "stride")
    dil = (1,) + _get_sequence(dilations, 1, cidx, "dilations")
    x = array_ops.expand_dims(_t(input), spatial_start)
    w = array_ops.expand_dims(_t(filters, dtype_hint=x.dtype), 0)
    padding, explicit = _convert_padding(padding, 4)
    out = bind("Conv2DBackpropInput", [w, x], {"strides": strides, "padding": padding, "explicit_paddings": explicit,
                                               "data_format": data_format, "dilations": dil, "input_sizes": tuple(sizes)})
    return array_ops.squeeze(out, [spatial_start])


@tf_export("nn.conv_transpose")
def conv_transpose(input, filters, output_shape, strides, padding="SAME", data_format=None,  # noqa: A002
                   dilations=None, name=None) -> Tensor:
    """Transposed N-D convolution (N from the length of `output_shape`) (tf.nn.conv_transpose)."""
    n = len(_sizes(output_shape)) - 2
    fn = {1: conv1d_transpose, 2: conv2d_transpose, 3: conv3d_transpose}.get(n)
    if fn is None:
        raise ValueError("`output_shape` must be of length 3, 4 or 5. Received: output_shape=%s" % (output_shape,))
    default = {1: "NWC", 2: "NHWC", 3: "NDHWC"}[n]
    return fn(input, filters, output_shape, strides, padding, data_format or default, dilations)


@tf_export("nn.atrous_conv2d")
def atrous_conv2d(value, filters, rate, padding, name=None) -> Tensor:
    """Atrous (dilated) 2-D convolution with stride 1 (tf.nn.atrous_conv2d)."""
    if rate < 1:
        raise ValueError("Rate %d must be greater than or equal to 1." % rate)
    return conv2d(value, filters, 1, padding, dilations=rate)


@tf_export("nn.atrous_conv2d_transpose")
def atrous_conv2d_transpose(value, filters, output_shape, rate, padding, name=None) -> Tensor:
    """The transpose of atrous_conv2d (tf.nn.atrous_conv2d_transpose)."""
    if rate < 1:
        raise ValueError("Rate %d must be greater than or equal to 1." % rate)
    return conv2d_transpose(value, filters, output_shape, 1, padding, dilations=rate)


def _depthwise_attrs(strides, padding, data_format, dilations):
    data_format = data_format or "NHWC"
    return _conv_op_attrs(2, strides, padding, data_format, dilations)


@tf_export("nn.depthwise_conv2d")
def depthwise_conv2d(input, filter, strides, padding, data_format=None, dilations=None, name=None) -> Tensor:  # noqa: A002
    """Depthwise 2-D convolution: each input channel with its own `channel_multiplier` filters
    (filter [kh, kw, in_channels, channel_multiplier]) (tf.nn.depthwise_conv2d)."""
    x = _t(input)
    w = _t(filter, dtype_hint=x.dtype)
    return bind("DepthwiseConv2dNative", [x, w], _depthwise_attrs(strides, padding, data_format, dilations))


@tf_export("nn.depthwise_conv2d_backprop_input")
def depthwise_conv2d_backprop_input(input_sizes, filter, out_backprop, strides, padding, data_format="NHWC",  # noqa: A002
                                    dilations=[1, 1, 1, 1], name=None) -> Tensor:
    """The gradient of depthwise_conv2d w.r.t. its input (tf.nn.depthwise_conv2d_backprop_input)."""
    attrs = _depthwise_attrs(strides, padding, data_format, dilations)
    attrs["input_sizes"] = _sizes(input_sizes)
    dy = _t(out_backprop)
    return bind("DepthwiseConv2dNativeBackpropInput", [_t(filter, dtype_hint=dy.dtype), dy], attrs)


@tf_export("nn.depthwise_conv2d_backprop_filter")
def depthwise_conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002
                                     data_format="NHWC", dilations=[1, 1, 1, 1], name=None) -> Tensor:
    """The gradient of depthwise_conv2d w.r.t. its filter (tf.nn.depthwise_conv2d_backprop_filter)."""
    attrs = _depthwise_attrs(strides, padding, data_format, dilations)
    attrs["filter_sizes"] = _sizes(filter_sizes)
    x = _t(input)
    return bind("DepthwiseConv2dNativeBackpropFilter", [x, _t(out_backprop, dtype_hint=x.dtype)], attrs)


@tf_export("nn.separable_conv2d")
def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding, data_format=None,  # noqa: A002
                     dilations=None, name=None) -> Tensor:
    """A depthwise convolution followed by a 1x1 (pointwise) convolution (tf.nn.separable_conv2d)."""
    x = _t(input)
    pw = _t(pointwise_filter, dtype_hint=x.dtype)
    ps = pw.shape
    if ps.rank is not None and (ps.rank != 4 or ps[0] != 1 or ps[1] != 1):
        raise ValueError("Pointwise filter must be of shape [1, 1, in_channels * channel_multiplier, out_channels]. "
                         "Received: %s" % ps)
    data_format = data_format or "NHWC"
    depthwise = depthwise_conv2d(x, depthwise_filter, strides, padding, data_format, dilations)
    return conv2d(depthwise, pw, 1, "VALID", data_format)


def _pool_attrs(nsp, ksize, strides, padding, data_format):
    if isinstance(padding, (list, tuple)):
        raise TypeError("Expected string for argument 'padding' not %r." % (padding,))
    cidx = 1 if data_format.startswith("NC") else nsp + 1
    padding, _ = _convert_padding(padding)
    return {"ksize": _get_sequence(ksize, nsp, cidx, "ksize"), "strides": _get_sequence(strides, nsp, cidx, "strides"),
            "padding": padding, "data_format": data_format}


def _pool1d(op_name, input, ksize, strides, padding, data_format):  # noqa: A002
    if data_format is None or data_format == "NWC":
        df, spatial_start, cidx = "NHWC", 1, 2
    elif data_format == "NCW":
        df, spatial_start, cidx = "NCHW", 2, 1
    else:
        raise ValueError("`data_format` must be 'NWC' or 'NCW'. Received: data_format=%s" % data_format)
    ksize = (1,) + _get_sequence(ksize, 1, cidx, "ksize")
    strides = (1,) + _get_sequence(strides, 1, cidx, "strides")
    attrs = _pool_attrs(2, ksize, strides, padding, df)
    x = array_ops.expand_dims(_t(input), spatial_start)
    return array_ops.squeeze(bind(op_name, [x], attrs), [spatial_start])


@tf_export("nn.max_pool2d")
def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None) -> Tensor:  # noqa: A002
    """2-D max pooling; `ksize`/`strides` are an int or lists of 1, 2 or 4 ints (tf.nn.max_pool2d)."""
    x = input if type(input) is Tensor else _t(input)
    return bind("MaxPool", [x], _pool_attrs(2, ksize, strides, padding, data_format or "NHWC"))


@tf_export("nn.avg_pool2d")
def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None) -> Tensor:  # noqa: A002
    """2-D average pooling; with SAME padding each window averages only its real elements (tf.nn.avg_pool2d)."""
    x = input if type(input) is Tensor else _t(input)
    return bind("AvgPool", [x], _pool_attrs(2, ksize, strides, padding, data_format or "NHWC"))


@tf_export("nn.max_pool3d")
def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None) -> Tensor:  # noqa: A002
    """3-D max pooling (tf.nn.max_pool3d)."""
    return bind("MaxPool3D", [_t(input)], _pool_attrs(3, ksize, strides, padding, data_format or "NDHWC"))


@tf_export("nn.avg_pool3d")
def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None) -> Tensor:  # noqa: A002
    """3-D average pooling (tf.nn.avg_pool3d)."""
    return bind("AvgPool3D", [_t(input)], _pool_attrs(3, ksize, strides, padding, data_format or "NDHWC"))


@tf_export("nn.max_pool1d")
def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None) -> Tensor:  # noqa: A002
    """1-D max pooling, computed as a 2-D one (tf.nn.max_pool1d)."""
    return _pool1d("MaxPool", input, ksize, strides, padding, data_format)


@tf_export("nn.avg_pool1d")
def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None) -> Tensor:  # noqa: A002
    """1-D average pooling, computed as a 2-D one (tf.nn.avg_pool1d)."""
    return _pool1d("AvgPool", input, ksize, strides, padding, data_format)


def _pool_nd(kind, input, ksize, strides, padding, data_format):  # noqa: A002
    x = _t(input)
    rank = x.shape.rank
    if rank is None or not 3 <= rank <= 5:
        raise ValueError("`input.shape.rank` must be 3, 4 or 5. Received: input.shape=%s of rank %s" % (x.shape, rank))
    n = rank - 2
    if data_format is None:
        data_format = {1: "NWC", 2: "NHWC", 3: "NDHWC"}[n]
    fn = {("max", 1): max_pool1d, ("max", 2): max_pool2d, ("max", 3): max_pool3d,
          ("avg", 1): avg_pool1d, ("avg", 2): avg_pool2d, ("avg", 3): avg_pool3d}[(kind, n)]
    return fn(x, ksize, strides, padding, data_format)


@tf_export("nn.max_pool")
def max_pool(input, ksize, strides, padding, data_format=None, name=None) -> Tensor:  # noqa: A002
    """N-D max pooling, N = rank(input) - 2 (tf.nn.max_pool)."""
    return _pool_nd("max", input, ksize, strides, padding, data_format)


@tf_export("nn.avg_pool")
def avg_pool(input, ksize, strides, padding, data_format=None, name=None) -> Tensor:  # noqa: A002
    """N-D average pooling, N = rank(input) - 2 (tf.nn.avg_pool)."""
    return _pool_nd("avg", input, ksize, strides, padding, data_format)


@tf_export("nn.pool")
def pool(input, window_shape, pooling_type, strides=None, padding="VALID", data_format=None,  # noqa: A002
         dilations=None, name=None) -> Tensor:
    """N-D pooling with `pooling_type` 'MAX' or 'AVG' (tf.nn.pool); dilations must be 1."""
    if dilations is not None and any(int(d) != 1 for d in np.ravel(dilations)):
        raise NotImplementedError("tf.nn.pool with dilation_rate > 1 is not supported")
    kind = {"MAX": "max", "AVG": "avg"}.get(str(pooling_type).upper())
    if kind is None:
        raise ValueError("`pooling_type` must be 'MAX' or 'AVG'. Received: pooling_type=%s" % pooling_type)
    return _pool_nd(kind, input, list(window_shape), 1 if strides is None else strides, padding, data_format)


# ================================================================ dropout and losses helpers
def _dropout(x, rate, noise_shape, uniform_sampler):
    """TF's shared dropout: keep where uniform(noise_shape) >= rate, scaled by 1 / (1 - rate)."""
    is_number = isinstance(rate, numbers.Real)
    if is_number and (rate < 0 or rate >= 1):
        raise ValueError("`rate` must be a scalar tensor or a float in the range [0, 1). Received: rate=%s" % rate)
    x = _t(x)
    if not x.dtype.is_floating:
        raise ValueError("`x.dtype` must be a floating point tensor as `x` will be scaled. Received: x_dtype=%s"
                         % x.dtype)
    if is_number and rate == 0:
        return x
    if is_number:
        ret = math_ops.multiply(x, x.dtype._np.type(1.0 / (1.0 - rate)))
    else:
        rate = _t(rate)
        if rate.shape.rank not in (None, 0):
            raise ValueError("`rate` must be a scalar or scalar tensor. Received: rate=%s" % rate)
        if rate.dtype is not x.dtype:
            rate = math_ops.cast(rate, x.dtype)
        ret = math_ops.divide(x, math_ops.subtract(x.dtype._np.type(1), rate))
    if noise_shape is None:
        shape = x.shape.as_list() if x.shape.is_fully_defined() else array_ops.shape(x)
    else:
        shape = list(_sizes(noise_shape))
        if x.shape.rank is not None and len(shape) == x.shape.rank:
            shape = [x.shape[i] if d is None else d for i, d in enumerate(shape)]
    keep = math_ops.greater_equal(uniform_sampler(shape=shape, dtype=x.dtype), rate)
    return array_ops.where(keep, ret, array_ops.zeros([], x.dtype))


@tf_export("nn.dropout")
def dropout(x, rate, noise_shape=None, seed=None, name=None) -> Tensor:
    """Zeroes each element with probability `rate` and scales the rest by 1 / (1 - rate) (tf.nn.dropout).

    `noise_shape` (broadcastable to x's shape) shares one random draw along dimensions of size 1.
    """
    from . import random_ops

    def sampler(shape, dtype):
        return random_ops.random_uniform(shape, dtype=dtype, seed=seed)
    return _dropout(x, rate, noise_shape, sampler)


@tf_export("nn.experimental.stateless_dropout")
def stateless_dropout(x, rate, seed, rng_alg=None, noise_shape=None, name=None) -> Tensor:
    """Dropout whose mask is a function of `seed` (shape [2]) only (tf.nn.experimental.stateless_dropout)."""
    from . import random_ops

    def sampler(shape, dtype):
        return random_ops.stateless_random_uniform(shape, seed=seed, dtype=dtype, alg=rng_alg or "auto_select")
    return _dropout(x, rate, noise_shape, sampler)


@tf_export("nn.experimental.general_dropout")
def general_dropout(x, rate, uniform_sampler, noise_shape=None, name=None) -> Tensor:
    """Dropout with a caller-supplied `uniform_sampler(shape=, dtype=)` (tf.nn.experimental.general_dropout)."""
    return _dropout(x, rate, noise_shape, uniform_sampler)


@tf_export("nn.compute_average_loss")
def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None) -> Tensor:
    """Sum of the (weighted) per-example losses divided by the global batch size (tf.nn.compute_average_loss)."""
    loss = _t(per_example_loss)
    if sample_weight is not None:
        loss = math_ops.multiply(loss, math_ops.cast(_t(sample_weight), loss.dtype))
    total = math_ops.reduce_sum(loss)
    if global_batch_size is None:
        n = array_ops.shape(loss)[0] if loss.shape.rank else _t(1)
        global_batch_size = math_ops.cast(n, loss.dtype)
    return math_ops.divide(total, math_ops.cast(_t(global_batch_size), loss.dtype))


@tf_export("nn.scale_regularization_loss")
def scale_regularization_loss(regularization_loss) -> Tensor:
    """The regularization loss divided by the number of replicas (1 here) (tf.nn.scale_regularization_loss)."""
    return math_ops.reduce_sum(_t(regularization_loss))


# ---------------------------------------------------------------- sparse embedding lookups
def _combine_embeddings(params, ids, segments, weights, num_segments, combiner, max_norm):
    """The per-row combination of the embeddings of `ids` (rows `segments`), weighted."""
    if combiner not in ("sum", "mean", "sqrtn"):
        raise ValueError("combiner must be one of 'mean', 'sqrtn' or 'sum', got %r" % (combiner,))
    emb = array_ops.gather(params, ids)
    if max_norm is not None:
        emb = math_ops.clip_by_norm(emb, max_norm, axes=[1])
    w = array_ops.ones_like(ids, dtype=emb.dtype) if weights is None else math_ops.cast(weights, emb.dtype)
    summed = math_ops.unsorted_segment_sum(emb * array_ops.expand_dims(w, 1), segments, num_segments)
    if combiner == "sum":
        return summed
    scale = math_ops.unsorted_segment_sum(w if combiner == "mean" else w * w, segments, num_segments)
    if combiner == "sqrtn":
        scale = math_ops.sqrt(scale)
    return math_ops.div_no_nan(summed, array_ops.expand_dims(scale, 1))


def _params(params):
    if isinstance(params, (list, tuple)):
        return params[0] if len(params) == 1 else array_ops.concat(list(params), 0)
    return convert_to_tensor(params)


@tf_export("nn.embedding_lookup_sparse")
def embedding_lookup_sparse(params, sp_ids, sp_weights, combiner="mean", max_norm=None, name=None,
                            allow_fast_lookup=False) -> Tensor:
    """Combined embeddings of the ids in each row of the SparseTensor `sp_ids` (tf.nn.embedding_lookup_sparse).

    Row r of the result combines params[id] for the ids of row r, weighted by `sp_weights`
    ("sum", "mean": divided by the weights' sum, "sqrtn": by the root of their squares' sum); it has
    as many rows as the last row holding an id, plus one, as TF's.
    """
    params = _params(params)
    ids = convert_to_tensor(sp_ids.values)
    segments = array_ops.reshape(array_ops.slice(sp_ids.indices, [0, 0], [-1, 1]), [-1])
    n = math_ops.reduce_max(segments) + 1 if ids.shape[0] != 0 else convert_to_tensor(np.int64(0))
    weights = None if sp_weights is None else sp_weights.values
    return _combine_embeddings(params, ids, segments, weights, n, combiner, max_norm)


@tf_export("nn.safe_embedding_lookup_sparse")
def safe_embedding_lookup_sparse(embedding_weights, sparse_ids, sparse_weights=None, combiner="mean",
                                 default_id=None, max_norm=None, name=None, allow_fast_lookup=False) -> Tensor:
    """Like embedding_lookup_sparse, with one result row per row of `sparse_ids` (of any rank >= 2):
    negative ids and non-positive weights are dropped, and an empty row gives params[default_id]
    (zeros when default_id is None) (tf.nn.safe_embedding_lookup_sparse)."""
    from . import sparse_ops
    params = _params(embedding_weights)
    shape = convert_to_tensor(sparse_ids.dense_shape)
    rows = math_ops.reduce_prod(array_ops.slice(shape, [0], [array_ops.size(shape) - 1]))
    width = array_ops.gather(shape, array_ops.size(shape) - 1)
    flat = sparse_ops.reshape(sparse_ids, array_ops.stack([rows, width]))
    keep = math_ops.greater_equal(flat.values, 0)
    weights = None
    if sparse_weights is not None:
        wflat = sparse_ops.reshape(sparse_weights, array_ops.stack([rows, width]))
        keep = math_ops.logical_and(keep, math_ops.greater(wflat.values, 0))
        weights = sparse_ops.retain(wflat, keep)
    ids = sparse_ops.retain(flat, keep)
    ids, empty = sparse_ops.fill_empty_rows(ids, 0 if default_id is None else default_id)
    if weights is not None:
        weights, _ = sparse_ops.fill_empty_rows(weights, 1.0)
    segments = array_ops.reshape(array_ops.slice(ids.indices, [0, 0], [-1, 1]), [-1])
    out = _combine_embeddings(params, ids.values, segments, None if weights is None else weights.values, rows,
                              combiner, max_norm)
    if default_id is None:
        out = array_ops.where(array_ops.expand_dims(empty, 1), array_ops.zeros_like(out), out)
    dim = array_ops.slice(array_ops.shape(params, out_type=shape.dtype), [1], [-1])
    return array_ops.reshape(out, array_ops.concat([array_ops.slice(shape, [0], [array_ops.size(shape) - 1]), dim],
                                                   0))
