"""keras.ops.nn: Keras 3's neural-network ops (activations, cross-entropies, conv/pool, moments).

Thin wrappers over tf.nn with Keras 3's argument names and defaults (`leaky_relu(negative_slope=0.2)`,
`gelu(approximate=True)`, `data_format=None` meaning "channels_last").
"""
from __future__ import annotations

import tensorforge as tf

from . import losses as _losses
from .ops_dtypes import standardize_dtype
from .ops_numpy import convert_to_tensor, maximum, minimum, square
from .ops_numpy import sum as _sum

_t = convert_to_tensor


def _float(x):
    x = _t(x)
    return x if x.dtype.is_floating else tf.cast(x, "float32")


def relu(x):
    """max(x, 0)."""
    return tf.nn.relu(_t(x))


def relu6(x):
    """min(max(x, 0), 6)."""
    return tf.nn.relu6(_t(x))


def sigmoid(x):
    """1 / (1 + exp(-x)); the result remembers `x` as its logits for the cross-entropies."""
    x = _t(x)
    out = tf.math.sigmoid(x)
    _remember_logits(out, x)
    return out


def _remember_logits(out, logits):
    try:
        out._keras_logits = logits
    except AttributeError:  # tensors with __slots__ and no room for it
        pass


def softplus(x):
    """log(1 + exp(x))."""
    return tf.math.softplus(_t(x))


def softsign(x):
    """x / (1 + |x|)."""
    return tf.math.softsign(_t(x))


def silu(x):
    """x * sigmoid(x)."""
    return tf.nn.silu(_t(x))


swish = silu


def log_sigmoid(x):
    """log(sigmoid(x)), computed stably."""
    return tf.math.log_sigmoid(_t(x))


def leaky_relu(x, negative_slope: float = 0.2):
    """x for x >= 0, negative_slope * x otherwise."""
    return tf.nn.leaky_relu(_t(x), alpha=negative_slope)


def hard_sigmoid(x):
    """relu6(x + 3) / 6."""
    x = _t(x)
    return tf.nn.relu6(x + tf.constant(3.0, x.dtype)) / tf.constant(6.0, x.dtype)


def hard_silu(x):
    """x * hard_sigmoid(x)."""
    x = _t(x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def elu(x, alpha: float = 1.0):
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    x = _t(x)
    res = tf.nn.elu(x)
    return res if alpha == 1 else tf.where(x > 0, res, alpha * res)


def selu(x):
    """Scaled exponential linear unit."""
    return tf.nn.selu(_t(x))


def gelu(x, approximate: bool = True):
    """Gaussian error linear unit (tanh approximation by default)."""
    return tf.nn.gelu(_t(x), approximate=approximate)


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along `axis` (all elements when None)."""
    x = _t(x)
    if axis is None:
        out = tf.reshape(tf.nn.softmax(tf.reshape(x, [-1]), axis=-1), tf.shape(x))
    else:
        out = tf.nn.softmax(x, axis=axis)
    _remember_logits(out, x)
    return out


def log_softmax(x, axis=-1):
    """x - logsumexp(x) along `axis` (all elements when None)."""
    x = _t(x)
    if axis is None:
        return tf.reshape(tf.nn.log_softmax(tf.reshape(x, [-1]), axis=-1), tf.shape(x))
    return tf.nn.log_softmax(x, axis=axis)


def one_hot(x, num_classes, axis: int = -1, dtype=None, sparse: bool = False):
    """One-hot encoding of integer `x` (float32 by default; negative indices give zeros)."""
    if sparse:
        raise NotImplementedError("keras.ops.one_hot(sparse=True) is not supported by tensorforge.")
    x = _t(x, "int64")
    dtype = "float32" if dtype is None else standardize_dtype(dtype)
    if dtype == "bool":
        return tf.one_hot(x, num_classes, on_value=True, off_value=False, axis=axis, dtype=dtype)
    return tf.one_hot(x, num_classes, axis=axis, dtype=dtype)


def multi_hot(inputs, num_classes=None, axis: int = -1, dtype=None, sparse: bool = False, **kwargs):
    """Multi-hot encoding: the classes present in each row of integer `inputs`."""
    if "num_tokens" in kwargs:
        num_classes = kwargs.pop("num_tokens")
    if num_classes is None:
        raise ValueError("Argument `num_classes` must be specified.")
    if sparse:
        raise NotImplementedError("keras.ops.multi_hot(sparse=True) is not supported by tensorforge.")
    inputs = _t(inputs)
    reduction_axis = 1 if len(inputs.shape) > 1 else 0
    out = one_hot(inputs, num_classes, axis=axis, dtype=dtype)
    if standardize_dtype(dtype) == "bool":
        return tf.math.reduce_any(out, axis=reduction_axis)
    return tf.math.reduce_max(out, axis=reduction_axis)


def binary_crossentropy(target, output, from_logits: bool = False):
    """Element-wise binary cross-entropy (probabilities clipped to [eps, 1 - eps])."""
    return _losses._binary_crossentropy_op(target, output, from_logits=from_logits)


def categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1):
    """Cross-entropy between one-hot/probability `target` and `output` along `axis`."""
    return _losses._categorical_crossentropy_op(target, output, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1):
    """Cross-entropy between integer `target` and probabilities/logits `output`."""
    return _losses._sparse_categorical_crossentropy_op(target, output, from_logits=from_logits,
                                                       axis=axis)


def moments(x, axes, keepdims: bool = False, synchronized: bool = False):
    """Mean and variance of `x` over `axes` (float16 computed in float32)."""
    x = _t(x)
    dtype = x.dtype.name
    if dtype in ("float16", "bfloat16"):
        x = tf.cast(x, "float32")
    mean, variance = tf.nn.moments(x, list(axes) if not isinstance(axes, int) else [axes],
                                   keepdims=keepdims)
    if dtype in ("float16", "bfloat16"):
        lo, hi = float(tf.float16.min), float(tf.float16.max)
        mean = tf.cast(tf.clip_by_value(mean, lo, hi), dtype)
        variance = tf.cast(tf.clip_by_value(variance, lo, hi), dtype)
    return mean, variance


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon: float = 1e-3):
    """(x - mean) / sqrt(variance + epsilon) * scale + offset, with the statistics along `axis`."""
    x, mean, variance = _t(x), _t(mean), _t(variance)
    offset = None if offset is None else _t(offset)
    scale = None if scale is None else _t(scale)
    if axis != -1:
        shape = [1] * len(x.shape)
        shape[axis] = mean.shape[0]
        mean, variance = tf.reshape(mean, shape), tf.reshape(variance, shape)
        offset = None if offset is None else tf.reshape(offset, shape)
        scale = None if scale is None else tf.reshape(scale, shape)
    return tf.nn.batch_normalization(x, mean, variance, offset, scale, epsilon)


# ---------------------------------------------------------------- convolution and pooling


def _data_format(data_format) -> str:
    if data_format is None:
        backend = __import__("sys").modules.get("tensorforge.keras.backend")
        data_format = backend.image_data_format() if backend is not None and hasattr(
            backend, "image_data_format") else "channels_last"
    data_format = str(data_format).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
                         f"Received: data_format={data_format}")
    return data_format


def _tf_format(data_format: str, ndim: int) -> str:
    names = {3: ("NWC", "NCW"), 4: ("NHWC", "NCHW"), 5: ("NDHWC", "NCDHW")}
    if ndim not in names:
        raise ValueError(f"Input rank not supported: {ndim}. Expected values are [3, 4, 5]")
    return names[ndim][data_format == "channels_first"]


def _to_last(x, data_format):
    if data_format == "channels_first":
        rank = len(x.shape)
        return tf.transpose(x, [0] + list(range(2, rank)) + [1])
    return x


def _from_last(x, data_format):
    if data_format == "channels_first":
        rank = len(x.shape)
        return tf.transpose(x, [0, rank - 1] + list(range(1, rank - 1)))
    return x


def _tuple(v, n):
    return (v,) * n if isinstance(v, int) else tuple(v)


def conv(inputs, kernel, strides=1, padding: str = "valid", data_format=None, dilation_rate=1):
    """N-D convolution; `kernel` is (*spatial, in_channels // groups, out_channels)."""
    data_format = _data_format(data_format)
    inputs, kernel = _t(inputs), _t(kernel)
    n = len(inputs.shape) - 2
    x = _to_last(inputs, data_format)
    out = tf.nn.convolution(x, kernel, list(_tuple(strides, n)), padding.upper(),
                            data_format=_tf_format("channels_last", n + 2),
                            dilations=list(_tuple(dilation_rate, n)))
    return _from_last(out, data_format)


def depthwise_conv(inputs, kernel, strides=1, padding: str = "valid", data_format=None,
                   dilation_rate=1):
    """1-D or 2-D depthwise convolution; `kernel` is (*spatial, in_channels, multiplier)."""
    data_format = _data_format(data_format)
    inputs, kernel = _t(inputs), _t(kernel)
    n = len(inputs.shape) - 2
    if n > 2:
        raise ValueError(f"`inputs` rank must be 3 (1D conv) or 4 (2D conv). Received: {len(inputs.shape)}.")
    x = _to_last(inputs, data_format)
    strides, dilation_rate = _tuple(strides, n), _tuple(dilation_rate, n)
    if n == 1:
        x = tf.expand_dims(x, 1)
        kernel = tf.expand_dims(kernel, 0)
        strides, dilation_rate = (1,) + strides, (1,) + dilation_rate
    out = tf.nn.depthwise_conv2d(x, kernel, [1, *strides, 1], padding.upper(), data_format="NHWC",
                                 dilations=list(dilation_rate))
    if n == 1:
        out = tf.squeeze(out, [1])
    return _from_last(out, data_format)


def _deconv_length(size, stride, kernel, padding, output_padding, dilation):
    kernel = kernel + (kernel - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return size * stride + max(kernel - stride, 0)
        return size * stride
    pad = kernel // 2 if padding == "same" else 0
    return (size - 1) * stride + kernel - 2 * pad + output_padding


def conv_transpose(inputs, kernel, strides=1, padding: str = "valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """N-D transposed convolution; `kernel` is (*spatial, out_channels, in_channels)."""
    data_format = _data_format(data_format)
    inputs, kernel = _t(inputs), _t(kernel)
    n = len(inputs.shape) - 2
    x = _to_last(inputs, data_format)
    strides, dilation_rate = _tuple(strides, n), _tuple(dilation_rate, n)
    out_pad = [None] * n if output_padding is None else list(_tuple(output_padding, n))
    shape = list(x.shape)
    dyn = tf.shape(x)
    spatial = [_deconv_length(shape[1 + i], strides[i], kernel.shape[i], padding.lower(), out_pad[i],
                              dilation_rate[i]) for i in range(n)]
    batch = shape[0] if shape[0] is not None else dyn[0]
    out_shape = tf.stack([batch, *spatial, kernel.shape[-2]]) if shape[0] is None else \
        [batch, *spatial, kernel.shape[-2]]
    out = tf.nn.conv_transpose(x, kernel, out_shape, list(strides), padding=padding.upper(),
                               data_format=_tf_format("channels_last", n + 2),
                               dilations=list(dilation_rate))
    return _from_last(out, data_format)


def _pool(kind, inputs, pool_size, strides, padding, data_format):
    data_format = _data_format(data_format)
    inputs = _t(inputs)
    n = len(inputs.shape) - 2
    pool_size = _tuple(pool_size, n)
    strides = pool_size if strides is None else _tuple(strides, n)
    x = _to_last(inputs, data_format)
    out = tf.nn.pool(x, list(pool_size), kind, strides=list(strides), padding=padding.upper(),
                     data_format=_tf_format("channels_last", n + 2))
    return _from_last(out, data_format)


def max_pool(inputs, pool_size, strides=None, padding: str = "valid", data_format=None):
    """Max pooling over the spatial dims (strides default to `pool_size`)."""
    return _pool("MAX", inputs, pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides=None, padding: str = "valid", data_format=None):
    """Average pooling over the spatial dims (strides default to `pool_size`)."""
    return _pool("AVG", inputs, pool_size, strides, padding, data_format)


def normalize(x, axis: int = -1, order: int = 2, epsilon=None):
    """`x` divided by its `order`-norm along `axis` (at least `epsilon`)."""
    from .ops_linalg import norm
    from .ops_math import rsqrt

    if not isinstance(order, int) or not order >= 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    x = _t(x)
    if len(x.shape) == 0:
        x = tf.expand_dims(x, 0)
    if epsilon is None:
        epsilon = _losses._epsilon()
    if order == 2:
        inv_norm = minimum(rsqrt(_sum(square(x), axis=axis, keepdims=True)), 1.0 / epsilon)
        return x * inv_norm
    n = norm(x, ord=order, axis=axis, keepdims=True)
    return x / maximum(n, epsilon)
