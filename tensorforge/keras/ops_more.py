"""keras.ops.math / linalg / core, continued: erfc, logdet, STFT, cdist, pinv, lstsq, jvp, ...

Written over tensorforge ops (eager, tf.function and GradientTape all work). FFT-style results are
`(real, imag)` pairs of float tensors, as in Keras 3.
"""
from __future__ import annotations

import numpy as np

import tensorforge as tf

from .ops_dtypes import standardize_dtype
from .ops_math import _complex, fft2
from .ops_numpy import convert_to_tensor

_t = convert_to_tensor


# ---------------------------------------------------------------- math


def erfc(x):
    """Element-wise complementary error function 1 - erf(x)."""
    return tf.math.erfc(_t(x))


def logdet(x):
    """log(det(x)) of (a batch of) Hermitian positive-definite matrices."""
    return tf.linalg.logdet(_t(x))


def cdist(x, y):
    """Euclidean distances between the rows of `x` (..., P, M) and `y` (..., R, M)."""
    x, y = _t(x), _t(y)
    if len(x.shape) < 2 or len(y.shape) < 2:
        raise ValueError("`cdist` inputs must have rank >= 2")
    if x.shape[-1] != y.shape[-1]:
        raise ValueError("Last dimension of inputs to `cdist` must match")
    diff = tf.expand_dims(x, -2) - tf.expand_dims(y, -3)
    return tf.math.sqrt(tf.math.reduce_sum(tf.math.square(diff), axis=-1))


def extract_sequences(x, sequence_length: int, sequence_stride: int):
    """Frames of `sequence_length` every `sequence_stride` samples along the last axis."""
    return tf.signal.frame(_t(x), sequence_length, sequence_stride, pad_end=False, axis=-1)


def ifft2(x):
    """Inverse 2-D FFT over the last two axes of a `(real, imag)` pair."""
    real, imag = _t(x[0]), _t(x[1])
    hw = tf.cast(tf.shape(real)[-2] * tf.shape(real)[-1], real.dtype)
    fr, fi = fft2((real, -imag))
    return fr / hw, -fi / hw


def view_as_complex(x):
    """A complex64 tensor from a float tensor whose last axis holds (real, imag)."""
    x = _t(x)
    if len(x.shape) < 1 or x.shape[-1] != 2:
        raise ValueError("Last dimension of input must be size 2 (real and imaginary). "
                         f"Received shape: {x.shape}")
    return tf.complex(tf.cast(x[..., 0], "float32"), tf.cast(x[..., 1], "float32"))


def view_as_real(x):
    """A float tensor with a trailing axis of (real, imag) from a complex tensor."""
    x = _t(x)
    if x.dtype.is_complex:
        return tf.stack([tf.math.real(x), tf.math.imag(x)], axis=-1)
    return tf.stack([x, tf.zeros_like(x)], axis=-1)


def _window(window, sequence_length, fft_length, dtype):
    if window is None:
        return None
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError('If a string is passed to `window`, it must be one of `"hann"`, '
                             f'`"hamming"`. Received: window={window}')
        fn = tf.signal.hann_window if window == "hann" else tf.signal.hamming_window
        win = fn(sequence_length, periodic=True, dtype=dtype)
    else:
        win = _t(window, dtype)
    if len(win.shape) != 1 or win.shape[-1] != sequence_length:
        raise ValueError("The shape of `window` must be equal to [sequence_length]."
                         f"Received: window shape={win.shape}")
    left = (fft_length - sequence_length) // 2
    return tf.pad(win, [[left, fft_length - sequence_length - left]])


def _check_stride(sequence_stride):
    if not isinstance(sequence_stride, int) or sequence_stride <= 0:
        raise ValueError("`sequence_stride` must be a positive integer. "
                         f"Received: sequence_stride={sequence_stride}")


def stft(x, sequence_length: int, sequence_stride: int, fft_length: int, window="hann",
         center: bool = True):
    """Short-time Fourier transform along the last axis; returns `(real, imag)`."""
    _check_stride(sequence_stride)
    x = _t(x)
    if x.dtype.name not in ("float32", "float64"):
        raise TypeError(f"Invalid input type. Expected `float32` or `float64`. Received: input "
                        f"type={x.dtype.name}")
    if fft_length < sequence_length:
        raise ValueError("`fft_length` must equal or larger than `sequence_length`. Received: "
                         f"sequence_length={sequence_length}, fft_length={fft_length}")
    win = _window(window, sequence_length, fft_length, x.dtype)
    if center:
        pads = [[0, 0]] * (len(x.shape) - 1) + [[fft_length // 2, fft_length // 2]]
        x = tf.pad(x, pads, mode="REFLECT")
    frames = tf.signal.frame(x, fft_length, sequence_stride, axis=-1)
    if win is not None:
        frames = frames * win
    out = tf.signal.rfft(frames, fft_length=[fft_length])
    return tf.math.real(out), tf.math.imag(out)


def istft(x, sequence_length: int, sequence_stride: int, fft_length: int, length=None,
          window="hann", center: bool = True):
    """Inverse of `stft` from a `(real, imag)` pair (overlap-add with window normalisation)."""
    _check_stride(sequence_stride)
    spec = _complex(x)
    dtype = tf.math.real(spec).dtype
    frames = tf.signal.irfft(spec, fft_length=[fft_length])
    win = _window(window, sequence_length, fft_length, dtype)
    if win is not None:
        # The inverse window of tf.signal.inverse_stft_window_fn: w / sum of overlapping w**2.
        denom = tf.math.square(win)
        reps = -(-fft_length // sequence_stride)
        denom = tf.pad(denom, [[0, reps * sequence_stride - fft_length]])
        denom = tf.math.reduce_sum(tf.reshape(denom, [reps, sequence_stride]), 0, keepdims=True)
        denom = tf.reshape(tf.tile(denom, [reps, 1]), [-1])[:fft_length]
        frames = frames * (win / denom)
    out = tf.signal.overlap_and_add(frames, sequence_stride)
    n_frames = tf.shape(spec)[-2]
    expected = fft_length + sequence_stride * (n_frames - 1)
    start = fft_length // 2 if center else 0
    if length is not None:
        end = start + length
    elif center:
        end = -(fft_length // 2)
    else:
        end = expected
    return out[..., start:end]


# ---------------------------------------------------------------- linalg


def cholesky_inverse(x, upper: bool = False):
    """The inverse of A from its Cholesky factor `x` (lower, or upper when `upper`)."""
    x = _t(x)
    n = x.shape[-1]
    eye = tf.eye(n if n is not None else tf.shape(x)[-1], dtype=x.dtype)
    inv = tf.linalg.triangular_solve(x, eye, lower=not upper)
    if upper:
        return tf.linalg.matmul(inv, inv, transpose_b=True)
    return tf.linalg.matmul(inv, inv, transpose_a=True)


def lu_factor(x):
    """(LU, pivots): the packed LU factors and the row permutation of (a batch of) matrices."""
    lu, p = tf.linalg.lu(_t(x))
    return lu, tf.math.invert_permutation(p)


def matrix_rank(x, tol=None):
    """Number of singular values above `tol` (default: max(M, N) * eps * max singular value)."""
    return tf.linalg.matrix_rank(_t(x), tol=tol)


def pinv(x, rcond=None):
    """Moore-Penrose pseudo-inverse of (a batch of) matrices."""
    return tf.linalg.pinv(_t(x), rcond=rcond)


def lstsq(a, b, rcond=None):
    """Least-squares solution x of a @ x = b for 2-D `a` and 1-D/2-D `b` (via the SVD)."""
    a, b = _t(a), _t(b)
    if a.shape[0] != b.shape[0]:
        raise ValueError("Leading dimensions of input arrays must match")
    vec = len(b.shape) == 1
    if vec:
        b = b[:, None]
    if len(a.shape) != 2:
        raise TypeError(f"{len(a.shape)}-dimensional array given. Array must be two-dimensional")
    if len(b.shape) != 2:
        raise TypeError(f"{len(b.shape)}-dimensional array given. Array must be one or "
                        "two-dimensional")
    m, n = a.shape
    eps = float(np.finfo(a.dtype.name).eps)
    rcond = eps * max(m, n) if rcond is None else (eps if rcond < 0 else rcond)
    s, u, v = tf.linalg.svd(a, full_matrices=False)
    mask = s >= tf.cast(rcond, s.dtype) * s[0]
    s_inv = tf.where(mask, 1 / tf.where(mask, s, tf.ones_like(s)), tf.zeros_like(s))[:, None]
    x = tf.linalg.matmul(v, s_inv * tf.linalg.matmul(u, b, adjoint_a=True))
    return tf.reshape(x, [-1]) if vec else x


def jvp(fun, primals, tangents, has_aux: bool = False):
    """(fun(*primals), the Jacobian-vector product with `tangents`) [, aux].

    Computed as the derivative, with respect to a dummy cotangent, of the vector-Jacobian product
    (two nested gradient tapes), so it needs no forward-mode support.
    """
    flat_p = [_t(p) for p in tf.nest.flatten(primals)]
    flat_t = [tf.cast(_t(t), p.dtype) for t, p in zip(tf.nest.flatten(tangents), flat_p)]
    args = tf.nest.pack_sequence_as(primals, flat_p)
    with tf.GradientTape(persistent=True) as outer:
        with tf.GradientTape(persistent=True) as inner:
            inner.watch(flat_p)
            res = fun(*args)
        out, aux = res if has_aux else (res, None)
        flat_o = [_t(o) for o in tf.nest.flatten(out)]
        dummies = [tf.zeros_like(o) for o in flat_o]
        outer.watch(dummies)
        vjps = inner.gradient(flat_o, flat_p, output_gradients=dummies,
                              unconnected_gradients="zero")
        inner_prod = tf.add_n([tf.math.reduce_sum(g * t) for g, t in zip(vjps, flat_t)])
    flat_jvp = outer.gradient(inner_prod, dummies, unconnected_gradients="zero")
    tangents_out = tf.nest.pack_sequence_as(out, flat_jvp)
    return (out, tangents_out, aux) if has_aux else (out, tangents_out)


# ---------------------------------------------------------------- core


def custom_gradient(fun):
    """Decorator for a function returning (result, grad_fn), as tf.custom_gradient."""
    return tf.custom_gradient(f=fun)


def _limits(dtype: str):
    if dtype == "bool":
        return 0, 1
    if "int" in dtype:
        info = np.iinfo(dtype)
    else:
        info = tf.as_dtype(dtype)
        return info.min, info.max
    return info.min, info.max


def saturate_cast(x, dtype):
    """`x` cast to `dtype` with values clipped to its range first (no wrap-around)."""
    dtype = standardize_dtype(dtype)
    x = _t(x)
    in_dtype = x.dtype.name
    in_min, in_max = _limits(in_dtype)
    out_min, out_max = _limits(dtype)
    np_in = np.float32 if in_dtype == "bfloat16" else np.dtype(in_dtype)
    lo = np.asarray(max(in_min, out_min)).astype(np_in)
    if lo < out_min:
        lo = np.nextafter(lo, np_in.type(0) if hasattr(np_in, "type") else 0, dtype=np_in)
    hi = np.asarray(min(in_max, out_max)).astype(np_in)
    if hi > out_max:
        hi = np.nextafter(hi, np_in.type(0) if hasattr(np_in, "type") else 0, dtype=np_in)
    if in_dtype == "bool":
        return tf.cast(x, dtype)
    x = tf.clip_by_value(x, tf.constant(lo, x.dtype), tf.constant(hi, x.dtype))
    return tf.cast(x, dtype)
