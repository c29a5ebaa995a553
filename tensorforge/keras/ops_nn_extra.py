"""keras.ops.nn, continued: more activations, normalisation, attention, CTC and patch ops.

Same conventions as `ops_nn` (channels_last unless `data_format` says otherwise), written over
tensorforge ops so they run eagerly, in tf.function and under tf.GradientTape.

>>> tf.keras.ops.hard_tanh(tf.constant([-2.0, 0.5])).numpy()
array([-1. ,  0.5], dtype=float32)
"""
from __future__ import annotations

import numpy as np

import tensorforge as tf

from . import losses as _losses
from .ops_dtypes import result_type
from .ops_nn import _data_format, _from_last, _to_last, _tuple, moments
from .ops_numpy import convert_to_tensor

_t = convert_to_tensor


# ---------------------------------------------------------------- activations


def celu(x, alpha: float = 1.0):
    """max(x, 0) + alpha * expm1(min(x, 0) / alpha)."""
    x = _t(x)
    zero = tf.zeros_like(x)
    return tf.math.maximum(x, zero) + alpha * tf.math.expm1(tf.math.minimum(x, zero) / alpha)


def glu(x, axis: int = -1):
    """Gated linear unit: a * sigmoid(b) for the two halves a, b of `x` along `axis`."""
    x = _t(x)
    if x.shape[axis] % 2 != 0:
        raise ValueError(f"axis size must be divisible by 2. Received: x.shape={x.shape} with "
                         f"axis={axis}")
    a, b = tf.split(x, 2, axis=axis)
    return a * tf.math.sigmoid(b)


def hard_tanh(x):
    """x clipped to [-1, 1]."""
    x = _t(x)
    return tf.clip_by_value(x, tf.constant(-1, x.dtype), tf.constant(1, x.dtype))


def hard_shrink(x, threshold: float = 0.5):
    """x where |x| > threshold, else 0."""
    x = _t(x)
    return tf.where(tf.math.abs(x) > threshold, x, tf.zeros_like(x))


def soft_shrink(x, threshold: float = 0.5):
    """x - threshold above it, x + threshold below -threshold, else 0."""
    x = _t(x)
    return tf.where(x > threshold, x - threshold,
                    tf.where(x < -threshold, x + threshold, tf.zeros_like(x)))


def tanh_shrink(x):
    """x - tanh(x)."""
    x = _t(x)
    return x - tf.math.tanh(x)


def threshold(x, threshold, default_value):  # noqa: A002
    """x where x > threshold, else `default_value`."""
    x = _t(x)
    return tf.where(x > threshold, x, tf.cast(default_value, x.dtype))


def sparse_plus(x):
    """0 for x <= -1, (x + 1)**2 / 4 for -1 < x < 1, x for x >= 1."""
    x = _t(x)
    return tf.where(x <= -1, tf.zeros_like(x), tf.where(x < 1, 0.25 * tf.math.square(x + 1), x))


def sparse_sigmoid(x):
    """0 for x <= -1, (x + 1) / 2 for -1 < x < 1, 1 for x >= 1."""
    x = _t(x)
    return tf.where(x <= -1, tf.zeros_like(x), tf.where(x >= 1, tf.ones_like(x), 0.5 * (x + 1)))


def squareplus(x, b=4):
    """(x + sqrt(x**2 + b)) / 2."""
    x = _t(x)
    return (x + tf.math.sqrt(tf.math.square(x) + tf.cast(b, x.dtype))) / 2


def sparsemax(x, axis: int = -1):
    """Euclidean projection of `x` onto the probability simplex along `axis`."""
    x = _t(x)
    srt = tf.sort(x, axis=axis, direction="DESCENDING")
    cum = tf.math.cumsum(srt, axis=axis)
    shape = [1] * len(x.shape)
    shape[axis] = -1
    r = tf.reshape(tf.range(1, tf.shape(x)[axis] + 1, dtype=x.dtype), shape)
    support = srt - (cum - 1) / r > 0
    k = tf.math.reduce_sum(tf.cast(support, x.dtype), axis=axis, keepdims=True)
    tau = (tf.math.reduce_sum(tf.where(support, srt, tf.zeros_like(srt)), axis=axis,
                              keepdims=True) - 1) / k
    return tf.math.maximum(x - tau, tf.zeros_like(x))


def polar(abs_, angle):
    """The complex numbers abs_ * (cos(angle) + i sin(angle))."""
    abs_, angle = _t(abs_), _t(angle)
    if not abs_.dtype.is_floating:
        abs_ = tf.cast(abs_, "float32")
    angle = tf.cast(angle, abs_.dtype)
    return tf.complex(abs_ * tf.math.cos(angle), abs_ * tf.math.sin(angle))


# ---------------------------------------------------------------- normalisation


def _norm_axes(axis, ndim):
    axes = [axis] if isinstance(axis, int) else list(axis)
    return sorted(a + ndim if a < 0 else a for a in axes)


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """(x - mean) / sqrt(var + epsilon) * gamma + beta over `axis` (computed in >= float32)."""
    rms_scaling = kwargs.pop("rms_scaling", False)
    epsilon = _losses._epsilon() if epsilon is None else epsilon
    x = _t(x)
    original = x.dtype.name
    x = tf.cast(x, result_type(original, "float32"))
    ndim = len(x.shape)
    axes = _norm_axes(axis, ndim)
    bshape = [1] * ndim
    for a in axes:
        bshape[a] = x.shape[a] if x.shape[a] is not None else -1

    def bcast(v):
        if v is None:
            return None
        v = tf.cast(_t(v), x.dtype)
        if len(v.shape) != ndim and axes != [ndim - 1]:
            v = tf.reshape(v, bshape)
        return v

    gamma, beta = bcast(gamma), bcast(beta)
    if rms_scaling:
        var = tf.math.reduce_variance(x, axis=axes, keepdims=True)
        out = x * tf.math.rsqrt(var + epsilon)
        if gamma is not None:
            out = out * gamma
    else:
        mean, var = moments(x, axes, keepdims=True)
        inv = tf.math.rsqrt(var + epsilon)
        if gamma is not None:
            inv = inv * gamma
        res = -mean * inv
        if beta is not None:
            res = res + beta
        out = x * inv + res
    return tf.cast(out, original)


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """x / sqrt(mean(x**2) + epsilon) * scale over `axis` (computed in >= float32)."""
    epsilon = _losses._epsilon() if epsilon is None else epsilon
    x = _t(x)
    original = x.dtype.name
    x = tf.cast(x, result_type(original, "float32"))
    if len(x.shape) == 0:
        x = tf.expand_dims(x, 0)
    axes = sorted(axis) if isinstance(axis, (list, tuple)) else axis
    out = x * tf.math.rsqrt(tf.math.reduce_mean(tf.math.square(x), axis=axes, keepdims=True)
                            + epsilon)
    if scale is not None:
        out = out * tf.cast(_t(scale), x.dtype)
    return tf.cast(out, original)


def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio 20 log10(max_val) - 10 log10(mse), in dB."""
    x1, x2 = _t(x1), _t(x2)
    if x1.shape != x2.shape:
        raise ValueError(f"Input shapes {x1.shape} and {x2.shape} must match for PSNR calculation. ")
    max_val = tf.cast(max_val, x2.dtype)
    mse = tf.math.reduce_mean(tf.math.square(x1 - x2))
    ln10 = tf.math.log(tf.constant(10.0, x2.dtype))
    return 20 * tf.math.log(max_val) / ln10 - 10 * tf.math.log(mse) / ln10


# ---------------------------------------------------------------- attention


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None,
                          is_causal: bool = False, flash_attention=None, attn_logits_soft_cap=None):
    """softmax(q k^T * scale + bias, masked) v for (batch, seq, heads, head_dim) inputs."""
    if attn_logits_soft_cap is not None:
        raise ValueError("attn_logits_soft_cap is only supported for JAX on TPU. Set "
                         "attn_logits_soft_cap=None when not using JAX on TPU.")
    if flash_attention:
        raise ValueError("Flash attention is not supported in tensorflow backend.")
    query, key, value = _t(query), _t(key), _t(value)
    if len(query.shape) != 4:
        raise ValueError("`dot_product_attention` only supports 4D inputs. Received: "
                         f"query.shape={query.shape}, key.shape={key.shape}, "
                         f"value.shape={value.shape}.")
    dtype = result_type(query.dtype.name, key.dtype.name, value.dtype.name)
    query, key, value = (tf.cast(v, dtype) for v in (query, key, value))
    nq, nk = query.shape[2], key.shape[2]
    if nq is not None and nk is not None and nq > nk > 1:
        key = tf.repeat(key, nq // nk, axis=2)
        value = tf.repeat(value, nq // nk, axis=2)
    if scale is None:
        scale = 1.0 / tf.math.sqrt(tf.cast(tf.shape(key)[-1], "float32"))
    logits = tf.cast(tf.einsum("BTNH,BSNH->BNTS", query, key), result_type(dtype, "float32"))
    logits = logits * tf.cast(scale, logits.dtype)
    if bias is not None:
        logits = logits + tf.cast(_t(bias), logits.dtype)
    if mask is not None or is_causal:
        keep = tf.ones_like(logits, dtype="bool")
        if mask is not None:
            keep = keep & tf.cast(_t(mask), "bool")
        if is_causal:
            shape = tf.shape(logits)
            causal = tf.linalg.band_part(tf.ones(tf.stack([shape[2], shape[3]]), "bool"), -1, 0)
            keep = keep & causal
        big = 65500.0 if logits.dtype.name == "float16" else 3.38953e38
        logits = tf.where(keep, logits, tf.constant(-0.7 * big, logits.dtype))
    probs = tf.cast(tf.nn.softmax(tf.cast(logits, result_type(logits.dtype.name, "float32")),
                                  axis=-1), key.dtype)
    return tf.einsum("BNTS,BSNH->BTNH", probs, value)


# ---------------------------------------------------------------- space/depth and patches


def _check_block(block_size):
    if block_size < 2:
        raise ValueError(f"`block_size` must be at least 2. Received: block_size={block_size}")


def depth_to_space(x, block_size: int, data_format="channels_last"):
    """Move depth into (block_size x block_size) spatial blocks of a 4-D tensor."""
    _check_block(block_size)
    data_format = _data_format(data_format)
    out = tf.nn.depth_to_space(_to_last(_t(x), data_format), block_size)
    return _from_last(out, data_format)


def space_to_depth(x, block_size: int, data_format="channels_last"):
    """Move (block_size x block_size) spatial blocks of a 4-D tensor into depth."""
    _check_block(block_size)
    data_format = _data_format(data_format)
    out = tf.nn.space_to_depth(_to_last(_t(x), data_format), block_size)
    return _from_last(out, data_format)


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):  # noqa: A002
    """Sliding (kH, kW) blocks of an NCHW tensor as (N, C * kH * kW, L) (PyTorch's unfold)."""
    x = _t(input)
    k, d, p, s = _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    if p[0] or p[1]:
        x = tf.pad(x, [[0, 0], [0, 0], [p[0], p[0]], [p[1], p[1]]])
    n, c = x.shape[0], x.shape[1]
    patches = tf.image.extract_patches(tf.transpose(x, [0, 2, 3, 1]), [1, k[0], k[1], 1],
                                       [1, s[0], s[1], 1], [1, d[0], d[1], 1], "VALID")
    nh, nw = patches.shape[1], patches.shape[2]
    patches = tf.reshape(patches, [-1 if n is None else n, nh, nw, k[0], k[1], c])
    patches = tf.transpose(patches, [0, 5, 3, 4, 1, 2])
    return tf.reshape(patches, [-1 if n is None else n, c * k[0] * k[1], nh * nw])


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum sliding blocks (N, C * kH * kW, L) back into an NCHW tensor (PyTorch's fold)."""
    x = _t(x)
    k, o, d, p, s = (_pair(v) for v in (kernel_size, output_size, dilation, padding, stride))
    c = x.shape[1] // (k[0] * k[1])
    nh = (o[0] + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    nw = (o[1] + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    hp, wp = o[0] + 2 * p[0], o[1] + 2 * p[1]
    # Flat target position (in the padded output) of every (kh, kw, bh, bw) element.
    rows = (np.arange(k[0]) * d[0])[:, None, None, None] + (np.arange(nh) * s[0])[None, None, :, None]
    cols = (np.arange(k[1]) * d[1])[None, :, None, None] + (np.arange(nw) * s[1])[None, None, None, :]
    target = tf.constant((rows * wp + cols).reshape(-1).astype(np.int32))
    n = tf.shape(x)[0]
    blocks = tf.reshape(x, tf.stack([n * c, k[0] * k[1] * nh * nw]))
    out = tf.transpose(tf.math.unsorted_segment_sum(tf.transpose(blocks), target, hp * wp))
    out = tf.reshape(out, tf.stack([n, c, hp, wp]))
    return out[:, :, p[0]:hp - p[0], p[1]:wp - p[1]]


# ---------------------------------------------------------------- pooling and convolution


def _adaptive_indices(size: int, out: int):
    """(out, width) gather indices and validity mask of PyTorch's adaptive pooling windows."""
    starts = (np.arange(out) * size) // out
    ends = -((-(np.arange(1, out + 1) * size)) // out)
    width = int((ends - starts).max())
    idx = starts[:, None] + np.arange(width)[None, :]
    valid = idx < ends[:, None]
    return np.minimum(idx, size - 1).astype(np.int32), valid


def _adaptive_pool(kind, inputs, output_size, data_format):
    data_format = _data_format(data_format)
    x = _to_last(_t(inputs), data_format)
    n = len(x.shape) - 2
    if n not in (1, 2, 3):
        raise ValueError(f"adaptive_{kind}_pool supports 1D, 2D, or 3D inputs only.")
    sizes = _tuple(output_size, n)
    for i in range(n):
        axis = 1 + i
        size = x.shape[axis]
        if size is None:
            raise ValueError("Input spatial dimensions must be statically known for adaptive pooling")
        idx, valid = _adaptive_indices(size, sizes[i])
        g = tf.gather(x, tf.constant(idx), axis=axis)  # (..., out, width, ...)
        shape = [1] * len(g.shape)
        shape[axis], shape[axis + 1] = valid.shape
        if kind == "max":
            fill = tf.constant(np.where(valid, 0, -np.inf).reshape(shape), g.dtype) \
                if g.dtype.is_floating else None
            x = tf.math.reduce_max(g if fill is None else g + fill, axis=axis + 1)
        else:
            w = valid / valid.sum(axis=1, keepdims=True)
            x = tf.math.reduce_sum(g * tf.constant(w.reshape(shape), g.dtype), axis=axis + 1)
    return _from_last(x, data_format)


def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average pooling to a fixed spatial `output_size` (PyTorch's adaptive windows)."""
    return _adaptive_pool("average", inputs, output_size, data_format)


def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling to a fixed spatial `output_size` (PyTorch's adaptive windows)."""
    return _adaptive_pool("max", inputs, output_size, data_format)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding: str = "valid",
                   data_format=None, dilation_rate=1):
    """Depthwise then pointwise (1x1) convolution, 1-D or 2-D."""
    from .ops_nn import conv, depthwise_conv

    inputs = _t(inputs)
    n = len(inputs.shape) - 2
    if n > 2:
        raise ValueError(f"`num_spatial_dims` must be 1 or 2. Received: num_spatial_dims={n}.")
    out = depthwise_conv(inputs, depthwise_kernel, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate)
    return conv(out, pointwise_kernel, strides=1, padding="valid", data_format=data_format)


# ---------------------------------------------------------------- CTC


def ctc_loss(target, output, target_length, output_length, mask_index: int = 0):
    """Per-sample CTC loss of (batch, time, classes) logits `output` against int `target`."""
    target = tf.cast(_t(target), "int32")
    output = _t(output)
    out_dtype = result_type(output.dtype.name, "float32")
    compute = "float32" if out_dtype == "float64" else out_dtype
    loss = tf.nn.ctc_loss(target, tf.cast(output, compute), _t(target_length), _t(output_length),
                          logits_time_major=False, blank_index=mask_index)
    return tf.cast(loss, out_dtype)


def ctc_decode(inputs, sequence_lengths, strategy: str = "greedy", beam_width: int = 100,
               top_paths: int = 1, merge_repeated: bool = True, mask_index: int = 0):
    """Decode (batch, time, classes) CTC outputs: (paths padded with -1, scores)."""
    inputs = _t(inputs)
    shape = tf.shape(inputs)
    batch, steps = shape[0], shape[1]
    inputs = tf.transpose(tf.cast(inputs, result_type(inputs.dtype.name, "float32")), [1, 0, 2])
    lengths = _t(sequence_lengths, "int32")
    if strategy == "greedy":
        decoded, scores = tf.nn.ctc_greedy_decoder(inputs, lengths, merge_repeated=merge_repeated,
                                                   blank_index=mask_index)
    elif strategy == "beam_search":
        if mask_index is not None:
            inputs = tf.concat([inputs[..., :mask_index], inputs[..., mask_index + 1:],
                                inputs[..., mask_index:mask_index + 1]], axis=-1)
        decoded, scores = tf.nn.ctc_beam_search_decoder(inputs, lengths, beam_width=beam_width,
                                                        top_paths=top_paths)
    else:
        raise ValueError(f"Invalid strategy {strategy}. Supported values are 'greedy' and "
                         "'beam_search'.")
    dense = []
    for st in decoded:
        st = tf.SparseTensor(st.indices, st.values, tf.cast(tf.stack([batch, steps]), "int64"))
        dense.append(tf.sparse.to_dense(st, default_value=-1))
    dense = tf.cast(tf.stack(dense, axis=0), "int32")
    if strategy == "beam_search" and mask_index is not None:
        m = mask_index + inputs.shape[-1] if mask_index < 0 else mask_index
        dense = tf.where(dense >= m, dense + 1, dense)
    return dense, scores

