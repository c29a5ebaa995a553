"""keras.ops.math: Keras 3's math ops (segment reductions, top-k, logsumexp, erf, FFTs, rsqrt).

FFTs take and return `(real, imag)` pairs of float tensors, as in Keras 3.
"""
from __future__ import annotations

import tensorforge as tf

from .ops_numpy import convert_to_tensor

_t = convert_to_tensor


def _segment(sorted_fn, unsorted_fn, data, segment_ids, num_segments, sorted, count_unique):  # noqa: A002
    data, segment_ids = _t(data), _t(segment_ids)
    if sorted:
        if num_segments is not None:
            raise ValueError("Argument `num_segments` cannot be set when sorted is True when using the "
                             f"tensorflow backend.Received: num_segments={num_segments}, sorted={sorted}.")
        return sorted_fn(data, segment_ids)
    if num_segments is None:
        num_segments = (tf.shape(tf.unique(segment_ids)[0])[0] if count_unique
                        else tf.cast(tf.math.reduce_max(segment_ids) + 1, "int32"))
    return unsorted_fn(data, segment_ids, num_segments)


def segment_sum(data, segment_ids, num_segments=None, sorted: bool = False):  # noqa: A002
    """Sum of the rows of `data` that share a segment id."""
    return _segment(tf.math.segment_sum, tf.math.unsorted_segment_sum, data, segment_ids,
                    num_segments, sorted, True)


def segment_max(data, segment_ids, num_segments=None, sorted: bool = False):  # noqa: A002
    """Maximum of the rows of `data` that share a segment id."""
    return _segment(tf.math.segment_max, tf.math.unsorted_segment_max, data, segment_ids,
                    num_segments, sorted, False)


def segment_min(data, segment_ids, num_segments=None, sorted: bool = False):  # noqa: A002
    """Minimum of the rows of `data` that share a segment id."""
    return _segment(tf.math.segment_min, tf.math.unsorted_segment_min, data, segment_ids,
                    num_segments, sorted, False)


def segment_prod(data, segment_ids, num_segments=None, sorted: bool = False):  # noqa: A002
    """Product of the rows of `data` that share a segment id."""
    return _segment(tf.math.segment_prod, tf.math.unsorted_segment_prod, data, segment_ids,
                    num_segments, sorted, False)


def top_k(x, k, sorted: bool = True):  # noqa: A002
    """The `k` largest values along the last axis and their int32 indices."""
    return tf.math.top_k(_t(x), k, sorted=sorted)


def in_top_k(targets, predictions, k):
    """Whether each target is among the `k` largest predictions of its row."""
    return tf.math.in_top_k(_t(targets), _t(predictions), k)


def logsumexp(x, axis=None, keepdims: bool = False):
    """log(sum(exp(x))) over `axis`, computed stably."""
    return tf.math.reduce_logsumexp(_t(x), axis=axis, keepdims=keepdims)


def erf(x):
    """Element-wise Gauss error function."""
    return tf.math.erf(_t(x))


def erfinv(x):
    """Element-wise inverse error function (float16 computed in float32)."""
    x = _t(x)
    if x.dtype.name in ("float16", "bfloat16"):
        return tf.cast(tf.math.erfinv(tf.cast(x, "float32")), x.dtype)
    return tf.math.erfinv(x)


def rsqrt(x):
    """Element-wise 1 / sqrt(x)."""
    return tf.math.rsqrt(_t(x))


def _complex(x):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError("Input `x` should be a tuple of two tensors - real and imaginary."
                         f"Received: x={x}")
    real, imag = _t(x[0]), _t(x[1])
    if real.shape != imag.shape:
        raise ValueError("Input `x` should be a tuple of two tensors - real and imaginary.Both the real and "
                         "imaginary parts should have the same shape. Received: "
                         f"x[0].shape = {real.shape}, x[1].shape = {imag.shape}")
    if not real.dtype.is_floating or not imag.dtype.is_floating:
        raise ValueError(f"At least one tensor in input `x` is not of type float.Received: x={x}.")
    return tf.complex(real, imag)


def fft(x):
    """FFT over the last axis of a `(real, imag)` pair; returns `(real, imag)`."""
    out = tf.signal.fft(_complex(x))
    return tf.math.real(out), tf.math.imag(out)


def fft2(x):
    """2-D FFT over the last two axes of a `(real, imag)` pair; returns `(real, imag)`."""
    out = tf.signal.fft2d(_complex(x))
    return tf.math.real(out), tf.math.imag(out)


def rfft(x, fft_length=None):
    """Real FFT over the last axis; returns `(real, imag)` with fft_length // 2 + 1 bins."""
    out = tf.signal.rfft(_t(x), fft_length=None if fft_length is None else [fft_length])
    return tf.math.real(out), tf.math.imag(out)


def irfft(x, fft_length=None):
    """Inverse of `rfft` from a `(real, imag)` pair."""
    return tf.signal.irfft(_complex(x), fft_length=None if fft_length is None else [fft_length])
