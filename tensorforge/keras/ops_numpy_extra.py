"""keras.ops.numpy, continued: element-wise, bitwise, window, splitting and product ops.

Same conventions as `ops_numpy`: thin wrappers over tensorforge ops (eager, tf.function and
GradientTape all work) with the TensorFlow backend's Keras 3 result dtypes. NaN-aware reductions,
set ops and other statistics live in `ops_numpy_stats`.

>>> tf.keras.ops.fmax(tf.constant([1.0, float("nan")]), 0.5).numpy()
array([1. , 0.5], dtype=float32)
"""
from __future__ import annotations

import math as _pymath
import re

import tensorforge as tf

from .ops_dtypes import dtype_of, floatx, result_type, standardize_dtype
from .ops_numpy import (_canon, _dt, _t, _to_float, concatenate, diag, diff, moveaxis, split,
                        swapaxes)

_SMALL_INT = ("bool", "int8", "int16", "int32", "uint8", "uint16", "uint32")


def _float_of(dtype: str) -> str:
    """Keras' float dtype for int-valued inputs: small ints -> floatx, int64 -> float64."""
    if dtype in _SMALL_INT:
        return floatx()
    return "float64" if dtype == "int64" else dtype


def _float_or_promote(x):
    """`x` cast as `angle`/`sinc` do: int64 -> floatx, others -> result_type(x, float)."""
    x = _t(x)
    d = _dt(x)
    return tf.cast(x, floatx() if d == "int64" else result_type(d, float))


# ---------------------------------------------------------------- element-wise unary


def angle(x):
    """Element-wise complex argument (0 or pi for real inputs; integers -> floatx)."""
    return tf.math.angle(_float_or_promote(x))


def cbrt(x):
    """Element-wise real cube root (int64 -> float64, other integers -> floatx)."""
    x = _t(x)
    d = _dt(x)
    if d == "int64":
        x = tf.cast(x, "float64")
    elif d not in ("bfloat16", "float16", "float64"):
        x = tf.cast(x, floatx())
    return tf.math.sign(x) * tf.math.pow(tf.math.abs(x), tf.constant(1.0 / 3.0, x.dtype))


def deg2rad(x):
    """Degrees to radians (small integers -> floatx, int64 -> float64)."""
    x = _t(x)
    x = tf.cast(x, _float_of(_dt(x)))
    return x * tf.constant(_pymath.pi / 180.0, x.dtype)


def rad2deg(x):
    """Radians to degrees (small integers -> floatx, int64 -> float64)."""
    x = _t(x)
    x = tf.cast(x, _float_of(_dt(x)))
    return x * tf.constant(180.0 / _pymath.pi, x.dtype)


def exp2(x):
    """Element-wise 2 ** x (integers and bool -> floatx)."""
    x = _to_float(x)
    return tf.math.pow(tf.constant(2.0, x.dtype), x)


def fabs(x):
    """Element-wise absolute value as a float (integers and bool -> floatx)."""
    return tf.math.abs(_to_float(x))


def i0(x):
    """Modified Bessel function of the first kind, order 0 (int64 -> float64)."""
    x = _t(x)
    d = _dt(x)
    d = "float64" if d in ("int64", "float64") else d if d in ("bfloat16", "float16") else floatx()
    return tf.math.bessel_i0(tf.cast(x, d))


def sinc(x):
    """Normalised sinc, sin(pi x) / (pi x), with sinc(0) = 1."""
    x = _float_or_promote(x)
    pi_x = x * tf.constant(_pymath.pi, x.dtype)
    safe = tf.where(tf.math.equal(x, 0), tf.ones_like(pi_x), pi_x)
    return tf.where(tf.math.equal(x, 0), tf.ones_like(x), tf.math.sin(safe) / safe)


def signbit(x):
    """Element-wise: whether the sign bit is set (True for -0.0 and negative NaNs)."""
    x = _t(x)
    d = _dt(x)
    if d == "bool":
        return tf.zeros(tf.shape(x), "bool")
    if "int" in d:
        return x < tf.constant(0, x.dtype)
    bits = tf.bitcast(tf.cast(x, "float32"), "int32")
    return tf.bitwise.bitwise_and(bits, tf.constant(-2 ** 31, "int32")) < 0


def trunc(x):
    """Round toward zero (integers and bool unchanged)."""
    x = _t(x)
    d = _dt(x)
    if d == "bool" or "int" in d:
        return x
    return tf.where(x < 0, tf.math.ceil(x), tf.math.floor(x))


def isneginf(x):
    """Element-wise x == -inf (False for integers)."""
    x = _t(x)
    if not x.dtype.is_floating:
        return tf.zeros(tf.shape(x), "bool")
    return tf.math.equal(x, tf.constant(float("-inf"), x.dtype))


def isposinf(x):
    """Element-wise x == +inf (False for integers)."""
    x = _t(x)
    if not x.dtype.is_floating:
        return tf.zeros(tf.shape(x), "bool")
    return tf.math.equal(x, tf.constant(float("inf"), x.dtype))


def isreal(x):
    """Element-wise: whether the imaginary part is zero (True for real dtypes)."""
    x = _t(x)
    if x.dtype.is_complex:
        return tf.math.equal(tf.math.imag(x), 0)
    return tf.ones(tf.shape(x), "bool")


def empty_like(x, dtype=None):
    """An (all-zero) tensor with the shape, and by default dtype, of `x`."""
    x = _t(x)
    return tf.zeros_like(x, dtype=standardize_dtype(dtype) if dtype else x.dtype)


# ---------------------------------------------------------------- element-wise binary


def _common(x1, x2, *extra):
    x1, x2 = _t(x1), _t(x2)
    dtype = result_type(_dt(x1), _dt(x2), *extra)
    return tf.cast(x1, dtype), tf.cast(x2, dtype)


def _weak_common(x1, x2):
    """Both operands cast to their result type, Python scalars weak (as in `fmax`)."""
    if not isinstance(x1, (int, float)):
        x1 = _t(x1)
    if not isinstance(x2, (int, float)):
        x2 = _t(x2)
    dtype = result_type(dtype_of(x1), dtype_of(x2))
    return _t(x1, dtype), _t(x2, dtype)


def fmax(x1, x2):
    """Element-wise maximum that ignores NaNs (NaN only where both are NaN)."""
    x1, x2 = _weak_common(x1, x2)
    res = tf.math.maximum(x1, x2)
    if "float" not in _dt(x1):
        return res
    n1, n2 = tf.math.is_nan(x1), tf.math.is_nan(x2)
    return tf.where(n1 & ~n2, x2, tf.where(n2 & ~n1, x1, res))


def fmin(x1, x2):
    """Element-wise minimum that ignores NaNs (NaN only where both are NaN)."""
    x1, x2 = _weak_common(x1, x2)
    res = tf.math.minimum(x1, x2)
    if "float" not in _dt(x1):
        return res
    n1, n2 = tf.math.is_nan(x1), tf.math.is_nan(x2)
    return tf.where(n1 & ~n2, x2, tf.where(n2 & ~n1, x1, res))


def fmod(x1, x2):
    """Element-wise C-style remainder: the sign of the dividend (bool -> int32)."""
    x1, x2 = _t(x1), _t(x2)
    dtype = result_type(_dt(x1), _dt(x2))
    dtype = "int32" if dtype == "bool" else dtype
    compute = "int32" if dtype in ("uint8", "uint16", "uint32") else dtype
    x1, x2 = tf.cast(x1, compute), tf.cast(x2, compute)
    out = tf.math.sign(x1) * tf.math.floormod(tf.math.abs(x1), tf.math.abs(x2))
    return tf.cast(out, dtype)


def heaviside(x1, x2):
    """0 where x1 < 0, 1 where x1 > 0, x2 where x1 == 0 (integers -> float)."""
    x1, x2 = _t(x1), _t(x2)
    dtype = _float_of(result_type(_dt(x1), _dt(x2)))
    dtype = dtype if dtype != "bool" else "bool"
    x1, x2 = tf.cast(x1, dtype), tf.cast(x2, dtype)
    zero, one = tf.zeros_like(x1), tf.ones_like(x1)
    return tf.where(x1 < zero, zero, tf.where(x1 > zero, one, x2))


def hypot(x1, x2):
    """Element-wise sqrt(x1**2 + x2**2), computed without overflow (integers -> float)."""
    x1, x2 = _t(x1), _t(x2)
    dtype = _float_of(result_type(_dt(x1), _dt(x2)))
    a1, a2 = tf.math.abs(tf.cast(x1, dtype)), tf.math.abs(tf.cast(x2, dtype))
    hi, lo = tf.math.maximum(a1, a2), tf.math.minimum(a1, a2)
    ratio = tf.math.divide_no_nan(lo, hi)
    return hi * tf.math.sqrt(1.0 + tf.math.square(ratio))


def ldexp(x1, x2):
    """Element-wise x1 * 2 ** x2 for an integer exponent `x2`."""
    x1, x2 = _t(x1), _t(x2)
    if not (x2.dtype.is_integer or _dt(x2).startswith("uint")):
        raise TypeError(f"ldexp exponent must be an integer type. Received: x2 dtype={x2.dtype}")
    dtype = result_type(_dt(x1), _dt(x2), float)
    x1 = tf.cast(x1, dtype)
    out = x1 * tf.math.pow(tf.constant(2.0, dtype), tf.cast(x2, dtype))
    return tf.where(tf.math.is_inf(x1) | tf.math.equal(x1, 0), x1, out)


def logaddexp2(x1, x2):
    """Element-wise log2(2**x1 + 2**x2), computed stably (integers -> floatx)."""
    x1, x2 = _common(x1, x2, float)
    delta = x1 - x2
    ln2 = tf.constant(_pymath.log(2.0), x1.dtype)
    out = tf.math.maximum(x1, x2) + tf.math.log1p(tf.math.exp(-tf.math.abs(delta) * ln2)) / ln2
    return tf.where(tf.math.is_nan(delta), x1 + x2, out)


def nextafter(x1, x2):
    """The next representable value after x1 toward x2 (computed in float64)."""
    x1, x2 = _t(x1), _t(x2)
    dtype = result_type(_dt(x1), _dt(x2), float)
    return tf.cast(tf.math.nextafter(tf.cast(x1, "float64"), tf.cast(x2, "float64")), dtype)


def allclose(x1, x2, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False):
    """Whether all elements satisfy |x1 - x2| <= atol + rtol * |x2| (a scalar bool tensor)."""
    x1, x2 = _common(x1, x2)
    if "float" not in _dt(x1):
        return tf.math.reduce_all(tf.math.equal(x1, x2))
    finite = tf.math.is_finite(x1) & tf.math.is_finite(x2)
    close = tf.math.abs(x1 - x2) <= (atol + rtol * tf.math.abs(x2))
    result = (finite & close) | tf.math.equal(x1, x2)
    if equal_nan:
        result = result | (tf.math.is_nan(x1) & tf.math.is_nan(x2))
    return tf.math.reduce_all(result)


def _gcd_loop(a, b):
    def body(a, b):
        nz = tf.math.not_equal(b, 0)
        b_safe = tf.where(nz, b, tf.ones_like(b))
        return tf.where(nz, b, a), tf.where(nz, tf.math.floormod(a, b_safe), tf.zeros_like(b))

    a, _ = tf.while_loop(lambda a, b: tf.math.reduce_any(tf.math.not_equal(b, 0)), body, (a, b))
    return a


def _int_pair(x1, x2, name):
    x1, x2 = _common(x1, x2)
    if not (x1.dtype.is_integer or _dt(x1).startswith("uint")):
        raise TypeError(f"Arguments to {name} must be integers.")
    shape = tf.broadcast_dynamic_shape(tf.shape(x1), tf.shape(x2))
    x1, x2 = tf.broadcast_to(x1, shape), tf.broadcast_to(x2, shape)
    if not _dt(x1).startswith("uint"):
        x1, x2 = tf.math.abs(x1), tf.math.abs(x2)
    return x1, x2


def gcd(x1, x2):
    """Element-wise greatest common divisor of integers (non-negative)."""
    x1, x2 = _int_pair(x1, x2, "gcd")
    return _gcd_loop(x1, x2)


def lcm(x1, x2):
    """Element-wise least common multiple of integers (0 where either is 0)."""
    x1, x2 = _int_pair(x1, x2, "lcm")
    g = _gcd_loop(x1, x2)
    zero = tf.math.equal(g, 0)
    out = x1 * tf.math.floordiv(x2, tf.where(zero, tf.ones_like(g), g))
    return tf.where(zero, tf.zeros_like(out), out)


# ---------------------------------------------------------------- bitwise


def bitwise_and(x, y):
    """Element-wise bitwise AND of integers (Keras type promotion)."""
    return tf.bitwise.bitwise_and(*_common(x, y))


def bitwise_or(x, y):
    """Element-wise bitwise OR of integers (Keras type promotion)."""
    return tf.bitwise.bitwise_or(*_common(x, y))


def bitwise_xor(x, y):
    """Element-wise bitwise XOR of integers (Keras type promotion)."""
    return tf.bitwise.bitwise_xor(*_common(x, y))


def bitwise_invert(x):
    """Element-wise bitwise NOT of integers."""
    return tf.bitwise.invert(_t(x))


bitwise_not = bitwise_invert


def _shift_operands(x, y):
    x = _t(x)
    if isinstance(y, int) and not isinstance(y, bool):
        return x, tf.constant(y, x.dtype)
    return _common(x, y)


def bitwise_left_shift(x, y):
    """Element-wise x << y."""
    return tf.bitwise.left_shift(*_shift_operands(x, y))


def bitwise_right_shift(x, y):
    """Element-wise x >> y (arithmetic for signed integers)."""
    return tf.bitwise.right_shift(*_shift_operands(x, y))


left_shift = bitwise_left_shift
right_shift = bitwise_right_shift


# ---------------------------------------------------------------- windows


def _window_length(x) -> int:
    return int(x.numpy()) if tf.is_tensor(x) else int(x)


def bartlett(x):
    """The Bartlett (triangular) window of length `x` (floatx)."""
    n = _window_length(x)
    dtype = floatx()
    if n <= 1:
        return tf.ones([n], dtype)
    k = tf.range(n, dtype=dtype)
    half = (n - 1) / 2.0
    return tf.where(k <= half, 2.0 * k / (n - 1), 2.0 - 2.0 * k / (n - 1))


def blackman(x):
    """The Blackman window of length `x` (floatx)."""
    n = _window_length(x)
    dtype = floatx()
    if n <= 1:
        return tf.ones([n], dtype)
    k = tf.range(n, dtype=dtype)
    return (0.42 - 0.5 * tf.math.cos(2.0 * _pymath.pi * k / (n - 1))
            + 0.08 * tf.math.cos(4.0 * _pymath.pi * k / (n - 1)))


def hamming(x):
    """The (symmetric) Hamming window of length `x` (float32)."""
    return tf.signal.hamming_window(_window_length(x), periodic=False)


def hanning(x):
    """The (symmetric) Hann window of length `x` (float32)."""
    return tf.signal.hann_window(_window_length(x), periodic=False)


def kaiser(x, beta):
    """The Kaiser window of length `x` with shape parameter `beta` (float32)."""
    return tf.signal.kaiser_window(_window_length(x), beta=beta)


# ---------------------------------------------------------------- shape and splitting


def array_split(x, indices_or_sections, axis: int = 0):
    """Split into `indices_or_sections` nearly equal parts (the first ones one longer)."""
    if not isinstance(indices_or_sections, int):
        raise TypeError("Argument `indices_or_sections` must be of type `int`. "
                        f"Received: indices_or_sections={indices_or_sections}")
    if indices_or_sections <= 0:
        raise ValueError("Argument `indices_or_sections` must be a positive integer. "
                         f"Received: indices_or_sections={indices_or_sections}")
    if not isinstance(axis, int):
        raise TypeError(f"Argument `axis` must be of type `int`. Received: {axis}")
    x = _t(x)
    total = x.shape[axis]
    avg, rem = divmod(total, indices_or_sections)
    sizes = [avg + 1] * rem + [avg] * (indices_or_sections - rem)
    return tf.split(x, sizes, axis=axis)


def hsplit(x, indices_or_sections):
    """Split along axis 1 (axis 0 for 1-D inputs)."""
    x = _t(x)
    return split(x, indices_or_sections, axis=0 if len(x.shape) == 1 else 1)


def vsplit(x, indices_or_sections):
    """Split along axis 0."""
    return split(x, indices_or_sections, axis=0)


def dsplit(x, indices_or_sections):
    """Split along axis 2."""
    return split(x, indices_or_sections, axis=2)


def dstack(xs):
    """Stack along a third axis (0-D -> (1, 1, 1), 1-D (N,) -> (1, N, 1), 2-D -> (M, N, 1))."""
    xs = [_t(x) for x in xs]
    out = []
    for x in xs:
        rank = len(x.shape)
        if rank == 0:
            x = tf.reshape(x, [1, 1, 1])
        elif rank == 1:
            x = tf.reshape(x, [1, -1, 1])
        elif rank == 2:
            x = tf.expand_dims(x, 2)
        out.append(x)
    return concatenate(out, axis=2)


def fliplr(x):
    """Reverse the order of elements along axis 1."""
    return tf.reverse(_t(x), [1])


def flipud(x):
    """Reverse the order of elements along axis 0."""
    return tf.reverse(_t(x), [0])


def rot90(array, k: int = 1, axes=(0, 1)):
    """Rotate by 90 degrees `k` times in the plane of `axes` (from the first toward the second)."""
    array = _t(array)
    rank = len(array.shape)
    if rank < 2:
        raise ValueError(f"Input array must have at least 2 dimensions. Received: array.ndim={rank}")
    if len(axes) != 2 or axes[0] == axes[1]:
        raise ValueError(f"Invalid axes: {axes}. Axes must be a tuple of two different dimensions.")
    k = k % 4
    a0, a1 = _canon(axes[0], rank), _canon(axes[1], rank)
    if k == 0:
        return array
    if k == 2:
        return tf.reverse(array, [a0, a1])
    if k == 1:
        return swapaxes(tf.reverse(array, [a1]), a0, a1)
    return tf.reverse(swapaxes(array, a0, a1), [a1])


def diagflat(x, k: int = 0):
    """A 2-D tensor with the flattened `x` on its k-th diagonal."""
    return diag(tf.reshape(_t(x), [-1]), k)


def unravel_index(indices, shape):
    """A tuple of coordinate tensors for the flat `indices` into an array of `shape`."""
    if None in list(shape):
        raise ValueError(f"`shape` argument cannot contain `None`. Received: shape={shape}")
    indices = _t(indices)
    coords = []
    for dim in reversed(list(shape)):
        coords.append(tf.math.floormod(indices, tf.constant(dim, indices.dtype)))
        indices = tf.math.floordiv(indices, tf.constant(dim, indices.dtype))
    return tuple(reversed(coords))


def view(x, dtype=None):
    """The bytes of `x` reinterpreted as `dtype` (the last axis rescaled by the size ratio)."""
    x = _t(x)
    new = tf.as_dtype(standardize_dtype(dtype if dtype else x.dtype))
    old_size, new_size = x.dtype.size, new.size
    shape = list(x.shape)
    last = shape[-1] if shape else -1
    if (last == -1 and old_size != new_size) or (last * old_size) % new_size != 0:
        raise ValueError(f"Cannot view array of shape {x.shape} and dtype {x.dtype} as dtype {new} "
                         "because the total number of bytes is not divisible by the new itemsize.")
    if old_size == new_size:
        return tf.bitcast(x, new)
    if old_size > new_size:
        out = tf.bitcast(x, new)
        return tf.reshape(out, shape[:-1] + [last * (old_size // new_size)])
    ratio = new_size // old_size
    return tf.bitcast(tf.reshape(x, shape[:-1] + [last // ratio, ratio]), new)


# ---------------------------------------------------------------- products and signal


def inner(x1, x2):
    """Sum of products over the last axes (a plain product when either is a scalar)."""
    x1, x2 = _t(x1), _t(x2)
    out = result_type(_dt(x1), _dt(x2))
    compute = result_type(out, float)
    x1, x2 = tf.cast(x1, compute), tf.cast(x2, compute)
    if len(x1.shape) == 0 or len(x2.shape) == 0:
        res = x1 * x2
    else:
        res = tf.tensordot(x1, x2, axes=[[len(x1.shape) - 1], [len(x2.shape) - 1]])
    return tf.cast(res, out)


def kron(x1, x2):
    """Kronecker product (the lower-rank operand gets leading unit axes)."""
    x1, x2 = _common(x1, x2)
    r1, r2 = len(x1.shape), len(x2.shape)
    if r1 < r2:
        x1 = tf.reshape(x1, [1] * (r2 - r1) + [d if d is not None else -1 for d in x1.shape])
    elif r2 < r1:
        x2 = tf.reshape(x2, [1] * (r1 - r2) + [d if d is not None else -1 for d in x2.shape])
    s1, s2 = tf.shape(x1), tf.shape(x2)
    ones1, ones2 = tf.ones_like(s1), tf.ones_like(s2)
    a = tf.reshape(x1, tf.reshape(tf.stack([s1, ones1], axis=1), [-1]))
    b = tf.reshape(x2, tf.reshape(tf.stack([ones2, s2], axis=1), [-1]))
    return tf.reshape(a * b, s1 * s2)


def _corr_dtype(x1, x2) -> str:
    dtype = result_type(_dt(x1), _dt(x2))
    if dtype == "int64":
        return "float64"
    return dtype if dtype in ("bfloat16", "float16", "float64") else "float32"


def correlate(x1, x2, mode: str = "valid"):
    """Cross-correlation of two 1-D sequences (`mode` valid, same or full)."""
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"Invalid mode: '{mode}'. Mode must be one of: 'full', 'same', 'valid'.")
    x1, x2 = _t(x1), _t(x2)
    dtype = _corr_dtype(x1, x2)
    x1, x2 = tf.cast(x1, dtype), tf.cast(x2, dtype)
    n, m = x1.shape[0], x2.shape[0]
    if mode != "valid":
        x1 = tf.pad(x1, [[m - 1, m - 1]])
    out = tf.squeeze(tf.nn.conv1d(tf.reshape(x1, [1, -1, 1]), tf.reshape(x2, [-1, 1, 1]), 1,
                                  "VALID"), [0, 2])
    if mode == "same":
        full_len, out_len = n + m - 1, max(n, m)
        start = (full_len - out_len) // 2
        out = out[start:start + out_len]
    return out


def vander(x, N=None, increasing: bool = False):
    """The Vandermonde matrix of 1-D `x` with `N` columns of powers."""
    x = _t(x)
    out = _dt(x)
    n = x.shape[0] if N is None else N
    powers = tf.range(n) if increasing else tf.range(n - 1, -1, -1)
    compute = result_type(out, "float32")
    res = tf.math.pow(tf.expand_dims(tf.cast(x, compute), -1), tf.cast(powers, compute))
    return tf.cast(res, out)


def trapezoid(y, x=None, dx: float = 1.0, axis: int = -1):
    """Integral of `y` along `axis` by the trapezoidal rule (samples `x` or spacing `dx`)."""
    y = _t(y)
    dtype = result_type(_dt(y), float)
    y = moveaxis(tf.cast(y, dtype), axis, -1)
    if x is None:
        d = tf.constant(dx, dtype)
    else:
        d = moveaxis(diff(_t(x, dtype), axis=axis), axis, -1) if len(_t(x).shape) > 1 else \
            diff(_t(x, dtype))
    return tf.math.reduce_sum(0.5 * (y[..., 1:] + y[..., :-1]) * d, axis=-1)


def geomspace(start, stop, num: int = 50, endpoint: bool = True, dtype=None, axis: int = 0):
    """`num` samples spaced evenly on a log scale from `start` to `stop` (same sign)."""
    from .ops_numpy import logspace

    dtype = standardize_dtype(dtype) if dtype is not None else None
    compute = dtype or floatx()
    start, stop = _t(start), _t(stop)
    log_start = tf.math.log(tf.cast(tf.math.abs(start), compute))
    log_stop = tf.math.log(tf.cast(tf.math.abs(stop), compute))
    ln10 = tf.math.log(tf.constant(10.0, compute))
    res = logspace(log_start / ln10, log_stop / ln10, num=num, endpoint=endpoint, base=10,
                   dtype=dtype, axis=axis)
    return res * tf.cast(tf.math.sign(tf.cast(start, compute)), res.dtype)


# ---------------------------------------------------------------- vectorize

_ARG = r"\w+(?:,\w+)*"
_SIG = re.compile(rf"^\(({_ARG})?\)(?:,\(({_ARG})?\))*->\(({_ARG})?\)(?:,\(({_ARG})?\))*$")


def _parse_signature(signature: str):
    if not _SIG.match(signature.replace(" ", "")):
        raise ValueError(f"not a valid gufunc signature: {signature}")
    ins, outs = signature.replace(" ", "").split("->")

    def dims(part):
        return [tuple(d for d in grp.split(",") if d) for grp in re.findall(r"\((.*?)\)", part)]

    return dims(ins), dims(outs)


def vectorize(pyfunc, *, excluded=None, signature=None):
    """`pyfunc` lifted to act element-wise (or on core dims given by a gufunc `signature`)."""
    if not callable(pyfunc):
        raise ValueError(f"Expected argument `pyfunc` to be a callable. Received: pyfunc={pyfunc}")
    excluded = set(excluded or ())

    def wrapped(*args, **kwargs):
        keep = [i for i, a in enumerate(args) if i not in excluded and a is not None]
        core = _parse_signature(signature)[0] if signature else [()] * len(keep)
        if len(core) != len(keep):
            raise TypeError(f"wrong number of positional arguments: expected {len(core)}, got "
                            f"{len(keep)}")
        tensors = [_t(args[i]) for i in keep]
        batch_shapes = [tf.shape(t)[:len(t.shape) - len(c)] for t, c in zip(tensors, core)]
        bshape = batch_shapes[0]
        for s in batch_shapes[1:]:
            bshape = tf.broadcast_dynamic_shape(bshape, s)
        flat = []
        for t, c in zip(tensors, core):
            core_shape = tf.shape(t)[len(t.shape) - len(c):]
            full = tf.concat([bshape, core_shape], 0)
            flat.append(tf.reshape(tf.broadcast_to(t, full), tf.concat([[-1], core_shape], 0)))

        def call(elems):
            full_args = list(args)
            for i, e in zip(keep, elems):
                full_args[i] = e
            return pyfunc(*full_args, **kwargs)

        out = tf.vectorized_map(call, tuple(flat))

        def unflatten(o):
            o = _t(o)
            return tf.reshape(o, tf.concat([bshape, tf.shape(o)[1:]], 0))

        return tf.nest.map_structure(unflatten, out)

    wrapped.__name__ = getattr(pyfunc, "__name__", "vectorized")
    wrapped.__doc__ = getattr(pyfunc, "__doc__", None)
    return wrapped
