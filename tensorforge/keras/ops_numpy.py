"""keras.ops.numpy: Keras 3's NumPy-style ops, with the TensorFlow backend's dtype rules.

Every function is a thin wrapper over tensorforge ops, so it runs eagerly, inside tf.function and
under tf.GradientTape. Dtypes follow Keras 3 (see `ops_dtypes.result_type`): `mean`/`sqrt`/... of
integers give `floatx()`, `sum` of int8/bool gives int32, Python scalars are weak types.

>>> tf.keras.ops.mean(tf.constant([1, 2])).numpy()
np.float32(1.5)
"""
from __future__ import annotations

import builtins
import math as _pymath

import tensorforge as tf

from .ops_dtypes import dtype_of, floatx, result_type, standardize_dtype

# ---------------------------------------------------------------- helpers


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """`x` as a tensor (Python ints -> int32, floats -> float32), cast to `dtype` if given."""
    if dtype is not None:
        dtype = standardize_dtype(dtype)
    if tf.is_tensor(x) or isinstance(x, tf.Variable) or hasattr(x, "value") and tf.is_tensor(
            getattr(x, "value", None)):
        x = x if tf.is_tensor(x) else tf.convert_to_tensor(x)
        return x if dtype is None or x.dtype.name == dtype else tf.cast(x, dtype)
    if dtype is not None and isinstance(x, (bool, int, float, list, tuple)):
        return tf.convert_to_tensor(x, dtype=dtype) if not _has_float(x) or "int" not in dtype \
            else tf.cast(tf.convert_to_tensor(x), dtype)
    t = tf.convert_to_tensor(x)
    return t if dtype is None or t.dtype.name == dtype else tf.cast(t, dtype)


def _has_float(x) -> bool:
    if isinstance(x, (list, tuple)):
        return builtins.any(_has_float(v) for v in x)
    return isinstance(x, float)


_t = convert_to_tensor


def _dt(x) -> str:
    return x.dtype.name


def _promote(x1, x2, *extra):
    """Both operands converted and cast to their Keras result type (Python scalars weak)."""
    if not isinstance(x1, (int, float)):
        x1 = _t(x1)
    if not isinstance(x2, (int, float)):
        x2 = _t(x2)
    dtype = result_type(dtype_of(x1), dtype_of(x2), *extra)
    return _t(x1, dtype), _t(x2, dtype)


def _tensor_promote(x1, x2, *extra):
    """Like `_promote`, but Python scalars become tensors first (int32/float32, not weak)."""
    x1, x2 = _t(x1), _t(x2)
    dtype = result_type(_dt(x1), _dt(x2), *extra)
    return _t(x1, dtype), _t(x2, dtype)


def _to_float(x):
    """`x` as a tensor; integers and booleans cast to floatx (Keras' rule for float-valued ops)."""
    x = _t(x)
    d = _dt(x)
    return tf.cast(x, floatx()) if "int" in d or d == "bool" else x


def _axis(axis):
    if axis is None or isinstance(axis, int):
        return axis
    return list(axis)


def _canon(axis: int, rank: int) -> int:
    return axis + rank if axis < 0 else axis


# ---------------------------------------------------------------- elementwise unary


def _float_unary(fn, name, doc):
    def op(x):
        return fn(_to_float(x))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc + "\n\n    Integer and boolean inputs are cast to `floatx()` first."
    return op


sqrt = _float_unary(tf.math.sqrt, "sqrt", "Element-wise square root.")
exp = _float_unary(tf.math.exp, "exp", "Element-wise exponential.")
expm1 = _float_unary(tf.math.expm1, "expm1", "Element-wise exp(x) - 1.")
log = _float_unary(tf.math.log, "log", "Element-wise natural logarithm.")
log1p = _float_unary(tf.math.log1p, "log1p", "Element-wise log(1 + x).")
sin = _float_unary(tf.math.sin, "sin", "Element-wise sine.")
cos = _float_unary(tf.math.cos, "cos", "Element-wise cosine.")
tan = _float_unary(tf.math.tan, "tan", "Element-wise tangent.")
sinh = _float_unary(tf.math.sinh, "sinh", "Element-wise hyperbolic sine.")
cosh = _float_unary(tf.math.cosh, "cosh", "Element-wise hyperbolic cosine.")
tanh = _float_unary(tf.math.tanh, "tanh", "Element-wise hyperbolic tangent.")
arcsin = _float_unary(tf.math.asin, "arcsin", "Element-wise inverse sine.")
arccos = _float_unary(tf.math.acos, "arccos", "Element-wise inverse cosine.")
arctan = _float_unary(tf.math.atan, "arctan", "Element-wise inverse tangent.")
arcsinh = _float_unary(tf.math.asinh, "arcsinh", "Element-wise inverse hyperbolic sine.")
arccosh = _float_unary(tf.math.acosh, "arccosh", "Element-wise inverse hyperbolic cosine.")
arctanh = _float_unary(tf.math.atanh, "arctanh", "Element-wise inverse hyperbolic tangent.")
ceil = _float_unary(tf.math.ceil, "ceil", "Element-wise ceiling.")
floor = _float_unary(tf.math.floor, "floor", "Element-wise floor.")


def log2(x):
    """Element-wise base-2 logarithm (integers cast to floatx)."""
    x = _to_float(x)
    return tf.math.log(x) / tf.math.log(tf.constant(2, x.dtype))


def log10(x):
    """Element-wise base-10 logarithm (integers cast to floatx)."""
    x = _to_float(x)
    return tf.math.log(x) / tf.math.log(tf.constant(10, x.dtype))


def absolute(x):
    """Element-wise absolute value (bool and unsigned inputs are returned unchanged)."""
    x = _t(x)
    if _dt(x) == "bool" or _dt(x).startswith("uint"):
        return x
    return tf.math.abs(x)


abs = absolute  # noqa: A001


def negative(x):
    """Element-wise negation."""
    return tf.math.negative(_t(x))


def reciprocal(x):
    """Element-wise 1 / x."""
    return tf.math.reciprocal(_t(x))


def sign(x):
    """Element-wise sign (-1, 0 or 1) in the input dtype."""
    x = _t(x)
    if _dt(x) in ("uint8", "uint16", "uint32"):
        return tf.cast(tf.math.sign(tf.cast(x, "int32")), _dt(x))
    return tf.math.sign(x)


def square(x):
    """Element-wise x * x (bool -> int32)."""
    x = _t(x)
    if _dt(x) == "bool":
        x = tf.cast(x, "int32")
    return tf.math.square(x)


def round(x, decimals: int = 0):  # noqa: A001
    """Round half to even, to `decimals` decimal places, keeping the dtype."""
    x = _t(x)
    if decimals == 0:
        return tf.math.round(x)
    dtype = x.dtype
    if dtype.is_integer:
        if decimals > 0:
            return x
        factor = tf.cast(_pymath.pow(10, decimals), floatx())
        x = tf.cast(x, floatx())
    else:
        factor = tf.cast(_pymath.pow(10, decimals), dtype)
    return tf.cast(tf.math.round(x * factor) / factor, dtype)


def conj(x):
    """Complex conjugate (real inputs unchanged)."""
    return tf.math.conj(_t(x))


conjugate = conj


def real(x):
    """Real part."""
    x = _t(x)
    if _dt(x) == "bool":
        raise TypeError("input must be a numeric tensor, but got tensor with dtype <dtype: 'bool'>")
    return tf.math.real(x) if x.dtype.is_complex else x


def imag(x):
    """Imaginary part (zeros for real inputs)."""
    x = _t(x)
    return tf.math.imag(x) if x.dtype.is_complex else tf.zeros_like(x)


def copy(x):
    """A copy of `x` as a tensor."""
    return tf.identity(_t(x))


def isnan(x):
    """Element-wise NaN test (False for integer inputs)."""
    x = _t(x)
    return tf.math.is_nan(x) if x.dtype.is_floating else tf.zeros(tf.shape(x), "bool")


def isinf(x):
    """Element-wise infinity test (False for integer inputs)."""
    x = _t(x)
    return tf.math.is_inf(x) if x.dtype.is_floating else tf.zeros(tf.shape(x), "bool")


def isfinite(x):
    """Element-wise finiteness test (True for integer inputs)."""
    x = _t(x)
    return tf.math.is_finite(x) if x.dtype.is_floating else tf.ones(tf.shape(x), "bool")


def logical_not(x):
    """Element-wise logical NOT (inputs cast to bool)."""
    return tf.math.logical_not(tf.cast(_t(x), "bool"))


def nan_to_num(x, nan: float = 0.0, posinf=None, neginf=None):
    """Replace NaN by `nan` and +/-inf by `posinf`/`neginf` (the dtype's max/min by default)."""
    x = _t(x)
    if not x.dtype.is_floating:
        return x
    dtype = x.dtype
    x = tf.where(tf.math.is_nan(x), tf.constant(nan, dtype), x)
    posinf = dtype.max if posinf is None else posinf
    neginf = dtype.min if neginf is None else neginf
    x = tf.where(tf.math.is_inf(x) & (x > 0), tf.constant(posinf, dtype), x)
    return tf.where(tf.math.is_inf(x) & (x < 0), tf.constant(neginf, dtype), x)


# ---------------------------------------------------------------- elementwise binary


def add(x1, x2):
    """Element-wise x1 + x2 with Keras type promotion."""
    x1, x2 = _promote(x1, x2)
    return tf.math.add(x1, x2)


def subtract(x1, x2):
    """Element-wise x1 - x2 with Keras type promotion."""
    x1, x2 = _promote(x1, x2)
    if _dt(x1) == "bool":
        return tf.math.logical_xor(x1, x2)
    return tf.math.subtract(x1, x2)


def multiply(x1, x2):
    """Element-wise x1 * x2 with Keras type promotion."""
    x1, x2 = _promote(x1, x2)
    return tf.math.multiply(x1, x2)


def divide(x1, x2):
    """Element-wise true division (integer inputs give floatx)."""
    x1, x2 = _promote(x1, x2, float)
    return tf.math.divide(x1, x2)


true_divide = divide


def divide_no_nan(x1, x2):
    """Element-wise x1 / x2, with 0 where x2 == 0."""
    x1, x2 = _promote(x1, x2, float)
    return tf.math.divide_no_nan(x1, x2)


def floor_divide(x1, x2):
    """Element-wise floor(x1 / x2) with Keras type promotion."""
    x1, x2 = _promote(x1, x2)
    return tf.math.floordiv(x1, x2)


def mod(x1, x2):
    """Element-wise remainder with the sign of the divisor (bool -> int32)."""
    x1, x2 = _tensor_promote(x1, x2)
    if _dt(x1) == "bool":
        x1, x2 = tf.cast(x1, "int32"), tf.cast(x2, "int32")
    return tf.math.floormod(x1, x2)


def power(x1, x2):
    """Element-wise x1 ** x2 with Keras type promotion."""
    if not isinstance(x1, (int, float)):
        x1 = _t(x1)
    if not isinstance(x2, (int, float)):
        x2 = _t(x2)
    dtype = result_type(dtype_of(x1), dtype_of(x2))
    if "uint" in dtype:
        return tf.cast(tf.math.pow(_t(x1, "int32"), _t(x2, "int32")), dtype)
    return tf.math.pow(_t(x1, dtype), _t(x2, dtype))


def maximum(x1, x2):
    """Element-wise maximum with Keras type promotion."""
    x1, x2 = _promote(x1, x2)
    return tf.math.maximum(x1, x2)


def minimum(x1, x2):
    """Element-wise minimum with Keras type promotion."""
    x1, x2 = _promote(x1, x2)
    return tf.math.minimum(x1, x2)


def arctan2(x1, x2):
    """Element-wise arctan(x1 / x2) choosing the quadrant (integers -> floatx)."""
    x1, x2 = _tensor_promote(x1, x2, float)
    return tf.math.atan2(x1, x2)


def logaddexp(x1, x2):
    """Element-wise log(exp(x1) + exp(x2)), computed stably."""
    x1, x2 = _tensor_promote(x1, x2, float)
    delta = x1 - x2
    return tf.where(tf.math.is_nan(delta), x1 + x2,
                    tf.math.maximum(x1, x2) + tf.math.log1p(tf.math.exp(-tf.math.abs(delta))))


def _comparison(fn, name, doc):
    def op(x1, x2):
        x1, x2 = _tensor_promote(x1, x2)
        return fn(x1, x2)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


equal = _comparison(tf.math.equal, "equal", "Element-wise x1 == x2 (bool).")
not_equal = _comparison(tf.math.not_equal, "not_equal", "Element-wise x1 != x2 (bool).")
greater = _comparison(tf.math.greater, "greater", "Element-wise x1 > x2 (bool).")
greater_equal = _comparison(tf.math.greater_equal, "greater_equal", "Element-wise x1 >= x2 (bool).")
less = _comparison(tf.math.less, "less", "Element-wise x1 < x2 (bool).")
less_equal = _comparison(tf.math.less_equal, "less_equal", "Element-wise x1 <= x2 (bool).")


def _logical(fn, name, doc):
    def op(x1, x2):
        return fn(tf.cast(_t(x1), "bool"), tf.cast(_t(x2), "bool"))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc + " Inputs are cast to bool."
    return op


logical_and = _logical(tf.math.logical_and, "logical_and", "Element-wise logical AND.")
logical_or = _logical(tf.math.logical_or, "logical_or", "Element-wise logical OR.")
logical_xor = _logical(tf.math.logical_xor, "logical_xor", "Element-wise logical XOR.")


def isclose(x1, x2, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False):
    """Element-wise |x1 - x2| <= atol + rtol * |x2| (exact equality for integers)."""
    x1, x2 = _tensor_promote(x1, x2)
    if "float" not in _dt(x1):
        return tf.math.equal(x1, x2)
    result = tf.math.abs(x1 - x2) <= (atol + rtol * tf.math.abs(x2))
    if equal_nan:
        result = result | (tf.math.is_nan(x1) & tf.math.is_nan(x2))
    return result


def clip(x, x_min, x_max):
    """Clip values to [x_min, x_max] (bool -> int32)."""
    x = _t(x)
    if _dt(x) == "bool":
        x = tf.cast(x, "int32")
    return tf.clip_by_value(x, tf.cast(x_min, x.dtype), tf.cast(x_max, x.dtype))


def where(condition, x1=None, x2=None):
    """Choose x1 where `condition` else x2; with neither, the indices of nonzero elements."""
    condition = tf.cast(_t(condition), "bool")
    if x1 is not None and x2 is not None:
        x1, x2 = _promote(x1, x2)
        return tf.where(condition, x1, x2)
    if x1 is None and x2 is None:
        return nonzero(condition)
    raise ValueError("`x1` and `x2` either both should be `None` or both should have non-None value.")


# ---------------------------------------------------------------- reductions


def _reduce_int_dtype(d: str) -> str:
    if d in ("bool", "int8", "int16"):
        return "int32"
    if d in ("uint8", "uint16"):
        return "uint32"
    return d


def sum(x, axis=None, keepdims: bool = False):  # noqa: A001
    """Sum over `axis` (bool/int8/int16 -> int32, uint8/uint16 -> uint32)."""
    x = _t(x)
    x = tf.cast(x, _reduce_int_dtype(_dt(x)))
    return tf.math.reduce_sum(x, axis=_axis(axis), keepdims=keepdims)


def prod(x, axis=None, keepdims: bool = False, dtype=None):
    """Product over `axis` (small integers and bool widened as in `sum`)."""
    x = _t(x)
    if dtype is None:  # as on Keras' TensorFlow backend, an explicit `dtype` is not applied
        x = tf.cast(x, _reduce_int_dtype(_dt(x)))
    return tf.math.reduce_prod(x, axis=_axis(axis), keepdims=keepdims)


def mean(x, axis=None, keepdims: bool = False):
    """Arithmetic mean over `axis`; integer inputs give floatx."""
    x = _t(x)
    d = _dt(x)
    if "int" in d or d == "bool":
        out = result_type(d, float)
        return tf.cast(tf.math.reduce_mean(tf.cast(x, "float32"), axis=_axis(axis),
                                           keepdims=keepdims), out)
    if d in ("float16", "bfloat16"):
        return tf.cast(tf.math.reduce_mean(tf.cast(x, "float32"), axis=_axis(axis),
                                           keepdims=keepdims), d)
    return tf.math.reduce_mean(x, axis=_axis(axis), keepdims=keepdims)


def max(x, axis=None, keepdims: bool = False, initial=None):  # noqa: A001
    """Maximum over `axis`, at least `initial` when given."""
    x = _t(x)
    out = tf.math.reduce_max(x, axis=_axis(axis), keepdims=keepdims) if _dt(x) != "bool" else \
        tf.math.reduce_any(x, axis=_axis(axis), keepdims=keepdims)
    if initial is not None:
        out = tf.math.maximum(out, tf.cast(initial, out.dtype)) if _dt(x) != "bool" else \
            tf.math.logical_or(out, bool(initial))
    return out


def min(x, axis=None, keepdims: bool = False, initial=None):  # noqa: A001
    """Minimum over `axis`, at most `initial` when given."""
    x = _t(x)
    out = tf.math.reduce_min(x, axis=_axis(axis), keepdims=keepdims) if _dt(x) != "bool" else \
        tf.math.reduce_all(x, axis=_axis(axis), keepdims=keepdims)
    if initial is not None:
        out = tf.math.minimum(out, tf.cast(initial, out.dtype)) if _dt(x) != "bool" else \
            tf.math.logical_and(out, bool(initial))
    return out


def amax(x, axis=None, keepdims: bool = False):
    """Maximum over `axis`."""
    return max(x, axis=axis, keepdims=keepdims)


def amin(x, axis=None, keepdims: bool = False):
    """Minimum over `axis`."""
    return min(x, axis=axis, keepdims=keepdims)


def all(x, axis=None, keepdims: bool = False):  # noqa: A001
    """Whether all elements over `axis` are truthy."""
    return tf.math.reduce_all(tf.cast(_t(x), "bool"), axis=_axis(axis), keepdims=keepdims)


def any(x, axis=None, keepdims: bool = False):  # noqa: A001
    """Whether any element over `axis` is truthy."""
    return tf.math.reduce_any(tf.cast(_t(x), "bool"), axis=_axis(axis), keepdims=keepdims)


def var(x, axis=None, keepdims: bool = False):
    """Population variance over `axis` (integers -> floatx)."""
    x = _t(x)
    out = result_type(_dt(x), float)
    x = tf.cast(x, result_type(_dt(x), "float32"))
    return tf.cast(tf.math.reduce_variance(x, axis=_axis(axis), keepdims=keepdims), out)


def std(x, axis=None, keepdims: bool = False):
    """Population standard deviation over `axis` (integers -> floatx)."""
    return tf.math.reduce_std(_to_float(x), axis=_axis(axis), keepdims=keepdims)


def average(x, axis=None, weights=None):
    """Weighted mean over `axis` (weights broadcast along `axis` when 1-D)."""
    x = _t(x)
    if weights is None:
        return mean(x, axis=axis)
    weights = _t(weights)
    dtype = result_type(_dt(x), _dt(weights), float)
    x, weights = tf.cast(x, dtype), tf.cast(weights, dtype)
    if axis is None or len(x.shape) == len(weights.shape):
        return tf.math.reduce_sum(x * weights, axis=axis) / tf.math.reduce_sum(weights, axis=axis)
    return tf.tensordot(x, weights, [[axis], [0]]) / tf.math.reduce_sum(weights)


def count_nonzero(x, axis=None):
    """Number of nonzero elements over `axis` (int32)."""
    return tf.math.count_nonzero(_t(x), axis=_axis(axis), dtype="int32")


def argmax(x, axis=None, keepdims: bool = False):
    """Index of the maximum along `axis` (flattened when None), as int32."""
    return _arg_reduce(tf.math.argmax, x, axis, keepdims)


def argmin(x, axis=None, keepdims: bool = False):
    """Index of the minimum along `axis` (flattened when None), as int32."""
    return _arg_reduce(tf.math.argmin, x, axis, keepdims)


def _arg_reduce(fn, x, axis, keepdims):
    x = _t(x)
    if _dt(x) == "bool":
        x = tf.cast(x, "int32")
    rank = len(x.shape)
    if axis is None:
        out = fn(tf.reshape(x, [-1]), axis=0, output_type="int32")
        return tf.reshape(out, [1] * rank) if keepdims else out
    out = fn(x, axis=axis, output_type="int32")
    return tf.expand_dims(out, axis) if keepdims else out


def median(x, axis=None, keepdims: bool = False):
    """Median over `axis` (linear interpolation; integers -> floatx)."""
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


def quantile(x, q, axis=None, method: str = "linear", keepdims: bool = False):
    """The `q`-th quantile(s) over `axis`; `method` is linear/lower/higher/midpoint/nearest."""
    x = _t(x)
    x = tf.cast(x, result_type(_dt(x), float))
    q = _t(q)
    rank = len(x.shape)
    axes = list(range(rank)) if axis is None else [
        _canon(a, rank) for a in ([axis] if isinstance(axis, int) else axis)]
    keep = [a for a in range(rank) if a not in axes]
    y = tf.transpose(x, keep + axes)
    kept_shape = [x.shape[a] if x.shape[a] is not None else tf.shape(x)[a] for a in keep]
    y = tf.reshape(y, [-1] if not keep else [-1, int(_pymath.prod(x.shape[a] for a in axes))]) \
        if builtins.all(x.shape[a] is not None for a in axes) else tf.reshape(y, tf.concat(
            [[-1] if keep else [], [tf.reduce_prod(tf.gather(tf.shape(x), axes))]], 0))
    y = tf.sort(y, axis=-1)
    n = tf.cast(tf.shape(y)[-1], y.dtype)
    qv = tf.cast(q, y.dtype)
    pos = qv * (n - 1)
    lo_f, hi_f = tf.math.floor(pos), tf.math.ceil(pos)
    if method == "lower":
        hi_f = lo_f
    elif method == "higher":
        lo_f = hi_f
    elif method == "nearest":
        lo_f = hi_f = tf.math.round(pos)
    elif method not in ("linear", "midpoint"):
        raise ValueError(f"Invalid method: {method}")
    lo = tf.gather(y, tf.cast(lo_f, "int32"), axis=-1)
    hi = tf.gather(y, tf.cast(hi_f, "int32"), axis=-1)
    if method == "midpoint":
        out = tf.where(tf.math.equal(lo_f, hi_f), lo, (lo + hi) * tf.cast(0.5, y.dtype))
    else:
        frac = pos - lo_f
        out = lo + (hi - lo) * frac
    # out: kept..., q... (or q... when nothing is kept); move q dims to the front like NumPy.
    qrank = len(q.shape)
    out_rank = (1 if keep else 0) + qrank
    if keep and qrank:
        out = tf.transpose(out, list(range(1, out_rank)) + [0])
    kept_out = list(kept_shape)
    if keepdims:
        kept_out = [1 if a in axes else (x.shape[a] if x.shape[a] is not None else tf.shape(x)[a])
                    for a in range(rank)]
    qshape = list(q.shape)
    if builtins.all(isinstance(d, int) for d in kept_out):
        return tf.reshape(out, qshape + kept_out)
    return tf.reshape(out, tf.concat([qshape, tf.stack(kept_out)], 0))


# ---------------------------------------------------------------- creation


def _float_default(dtype) -> str:
    return standardize_dtype(dtype or floatx())


def zeros(shape, dtype=None):
    """A tensor of zeros (floatx by default)."""
    return tf.zeros(shape, dtype=_float_default(dtype))


def ones(shape, dtype=None):
    """A tensor of ones (floatx by default)."""
    return tf.ones(shape, dtype=_float_default(dtype))


def empty(shape, dtype=None):
    """An (all-zero) tensor of `shape` (floatx by default)."""
    return zeros(shape, dtype)


def full(shape, fill_value, dtype=None):
    """A tensor of `shape` filled with `fill_value` (floatx by default)."""
    return tf.broadcast_to(_t(fill_value, _float_default(dtype)), shape)


def zeros_like(x, dtype=None):
    """Zeros with the shape (and, by default, dtype) of `x`."""
    x = _t(x)
    return tf.zeros_like(x, dtype=standardize_dtype(dtype) if dtype else x.dtype)


def ones_like(x, dtype=None):
    """Ones with the shape (and, by default, dtype) of `x`."""
    x = _t(x)
    return tf.ones_like(x, dtype=standardize_dtype(dtype) if dtype else x.dtype)


def full_like(x, fill_value, dtype=None):
    """`fill_value` broadcast to the shape of `x`, in `dtype` (default: x's dtype)."""
    x = _t(x)
    dtype = result_type(dtype or x.dtype)
    return tf.broadcast_to(_t(fill_value, dtype), tf.shape(x))


def array(x, dtype=None):
    """`x` as a tensor of `dtype`."""
    return _t(x, dtype)


def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in [start, stop) with `step` (dtype from the arguments)."""
    if dtype is None:
        parts = [start] + [v for v in (stop, step) if v is not None]
        dtype = result_type(*(getattr(v, "dtype", type(v)) for v in parts))
    dtype = standardize_dtype(dtype)
    return tf.range(start, stop, delta=1 if step is None else step, dtype=dtype)


def linspace(start, stop, num: int = 50, endpoint: bool = True, retstep: bool = False, dtype=None,
             axis: int = 0):
    """`num` evenly spaced samples from start to stop (excluding stop if not `endpoint`)."""
    if num < 0:
        raise ValueError(f"`num` must be a non-negative integer. Received: num={num}")
    if dtype is None:
        dtype = result_type(getattr(start, "dtype", type(start)), getattr(stop, "dtype", type(stop)),
                            float)
    else:
        dtype = standardize_dtype(dtype)
    compute = dtype if "float" in dtype else floatx()
    start, stop = _t(start, compute), _t(stop, compute)
    step = tf.constant(float("nan"), compute)
    if endpoint:
        result = tf.linspace(start, stop, num, axis=axis)
        if num > 1:
            step = (stop - start) / tf.cast(num - 1, compute)
    else:
        if num > 0:
            step = (stop - start) / tf.cast(num, compute)
        result = tf.linspace(start, stop - step if num > 1 else stop, num, axis=axis)
    if "int" in dtype:
        result = tf.math.floor(result)
    result = tf.cast(result, dtype)
    return (result, step) if retstep else result


def logspace(start, stop, num: int = 50, endpoint: bool = True, base=10, dtype=None, axis: int = 0):
    """`base ** linspace(start, stop, num)`."""
    result = linspace(start, stop, num=num, endpoint=endpoint, dtype=dtype, axis=axis)
    return tf.math.pow(tf.cast(base, result.dtype), result)


def eye(N, M=None, k: int = 0, dtype=None):
    """A 2-D tensor with ones on the k-th diagonal."""
    dtype = _float_default(dtype)
    M = N if M is None else M
    if k == 0:
        return tf.eye(N, M, dtype=dtype)
    return tf.cast(tri(N, M, k, "bool") & tf.math.logical_not(tri(N, M, k - 1, "bool")), dtype)


def identity(n, dtype=None):
    """The n x n identity matrix."""
    return eye(n, dtype=dtype)


def tri(N, M=None, k: int = 0, dtype=None):
    """Ones at and below the k-th diagonal of an N x M matrix."""
    M = N if M is None else M
    rows = tf.expand_dims(tf.range(N), 1)
    cols = tf.expand_dims(tf.range(M), 0)
    return tf.cast(cols - rows <= k, _float_default(dtype))


def tril(x, k: int = 0):
    """Zero the elements above the k-th diagonal of the last two dims."""
    x = _t(x)
    shape = tf.shape(x)
    mask = tri(shape[-2], shape[-1], k, "bool")
    return tf.where(mask, x, tf.zeros_like(x))


def triu(x, k: int = 0):
    """Zero the elements below the k-th diagonal of the last two dims."""
    x = _t(x)
    shape = tf.shape(x)
    mask = tri(shape[-2], shape[-1], k - 1, "bool")
    return tf.where(mask, tf.zeros_like(x), x)


def meshgrid(*x, indexing: str = "xy"):
    """Coordinate grids from 1-D vectors ('xy' or 'ij' indexing)."""
    return tf.meshgrid(*[_t(v) for v in x], indexing=indexing)


# ---------------------------------------------------------------- shape manipulation


def reshape(x, newshape):
    """`x` with a new shape (-1 infers one dimension)."""
    return tf.reshape(_t(x), newshape)


def ravel(x):
    """`x` flattened to 1-D."""
    return tf.reshape(_t(x), [-1])


def expand_dims(x, axis):
    """Insert size-1 axes at `axis` (an int or a tuple)."""
    x = _t(x)
    if isinstance(axis, int):
        return tf.expand_dims(x, axis)
    out_rank = len(x.shape) + len(axis)
    axes = sorted(_canon(a, out_rank) for a in axis)
    for a in axes:
        x = tf.expand_dims(x, a)
    return x


def squeeze(x, axis=None):
    """Remove size-1 axes (all of them, or those in `axis`)."""
    x = _t(x)
    if axis is None:
        return tf.squeeze(x)
    return tf.squeeze(x, axis=[axis] if isinstance(axis, int) else list(axis))


def transpose(x, axes=None):
    """Permute the axes (reverse them by default)."""
    return tf.transpose(_t(x), perm=None if axes is None else list(axes))


def swapaxes(x, axis1: int, axis2: int):
    """Interchange two axes."""
    x = _t(x)
    rank = len(x.shape)
    perm = list(range(rank))
    a, b = _canon(axis1, rank), _canon(axis2, rank)
    perm[a], perm[b] = perm[b], perm[a]
    return tf.transpose(x, perm)


def moveaxis(x, source, destination):
    """Move axes `source` to positions `destination`, keeping the order of the others."""
    x = _t(x)
    rank = len(x.shape)
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    src = [_canon(a, rank) for a in src]
    dst = [_canon(a, rank) for a in dst]
    perm = [a for a in range(rank) if a not in src]
    for d, s in sorted(zip(dst, src)):
        perm.insert(d, s)
    return tf.transpose(x, perm)


def broadcast_to(x, shape):
    """`x` broadcast to `shape`."""
    return tf.broadcast_to(_t(x), shape)


def flip(x, axis=None):
    """Reverse the order of elements along `axis` (all axes by default)."""
    x = _t(x)
    rank = len(x.shape)
    axes = list(range(rank)) if axis is None else [
        _canon(a, rank) for a in ([axis] if isinstance(axis, int) else axis)]
    return tf.reverse(x, axes)


def roll(x, shift, axis=None):
    """Roll elements by `shift` along `axis` (the flattened array when None)."""
    x = _t(x)
    if axis is None:
        return tf.reshape(tf.roll(tf.reshape(x, [-1]), shift, 0), tf.shape(x))
    return tf.roll(x, shift, axis)


def tile(x, repeats):
    """Repeat `x` `repeats` times along each axis (NumPy's rank rules)."""
    x = _t(x)
    reps = [repeats] if isinstance(repeats, int) else list(repeats)
    rank = len(x.shape)
    if len(reps) > rank:
        x = tf.reshape(x, [1] * (len(reps) - rank) + [d if d is not None else -1 for d in x.shape])
    elif len(reps) < rank:
        reps = [1] * (rank - len(reps)) + reps
    return tf.tile(x, reps)


def repeat(x, repeats, axis=None):
    """Repeat each element `repeats` times along `axis` (flattened when None)."""
    return tf.repeat(_t(x), repeats, axis=axis)


def concatenate(xs, axis: int = 0):
    """Join tensors along an existing axis (common Keras dtype)."""
    xs = [_t(x) for x in xs]
    dtype = result_type(*[_dt(x) for x in xs])
    return tf.concat([tf.cast(x, dtype) for x in xs], axis=axis)


def append(x1, x2, axis=None):
    """Concatenate x2 after x1 (both flattened when `axis` is None)."""
    x1, x2 = _tensor_promote(x1, x2)
    if axis is None:
        return tf.concat([tf.reshape(x1, [-1]), tf.reshape(x2, [-1])], 0)
    return tf.concat([x1, x2], axis)


def stack(x, axis: int = 0):
    """Join tensors along a new axis (common Keras dtype)."""
    xs = [_t(v) for v in x]
    dtype = result_type(*[_dt(v) for v in xs])
    return tf.stack([tf.cast(v, dtype) for v in xs], axis=axis)


def hstack(xs):
    """Concatenate along axis 1 (axis 0 for 1-D inputs)."""
    xs = [_t(x) for x in xs]
    return concatenate(xs, axis=0 if len(xs[0].shape) == 1 else 1)


def vstack(xs):
    """Concatenate along axis 0 (as Keras' TensorFlow backend does, 1-D inputs stay 1-D)."""
    return concatenate(xs, axis=0)


def split(x, indices_or_sections, axis: int = 0):
    """Split into equal sections, or at the given indices, along `axis`."""
    x = _t(x)
    if isinstance(indices_or_sections, int):
        return tf.split(x, indices_or_sections, axis=axis)
    total = x.shape[axis]
    bounds = [0] + [int(i) for i in indices_or_sections] + [total]
    return tf.split(x, [b - a for a, b in zip(bounds[:-1], bounds[1:])], axis=axis)


def pad(x, pad_width, mode: str = "constant", constant_values=None):
    """Pad `x` (`mode` constant/reflect/symmetric)."""
    x = _t(x)
    kwargs = {}
    if constant_values is not None:
        if mode != "constant":
            raise ValueError("Argument `constant_values` can only be provided when "
                             f"`mode == 'constant'`. Received: mode={mode}")
        kwargs["constant_values"] = constant_values
    pw = _t(pad_width, "int32")
    if len(pw.shape) < 2:
        pw = tf.broadcast_to(tf.reshape(pw, [-1, 2] if len(pw.shape) == 1 and pw.shape[0] == 2
                                        else [1, 1]), [len(x.shape), 2])
    return tf.pad(x, pw, mode.upper(), **kwargs)


def diag(x, k: int = 0):
    """The k-th diagonal of a 2-D `x`, or a 2-D matrix with 1-D `x` on its k-th diagonal."""
    x = _t(x)
    if len(x.shape) == 1:
        return tf.linalg.diag(x, k=k)
    if len(x.shape) == 2:
        return diagonal(x, offset=k)
    raise ValueError(f"`x` must be 1d or 2d. Received: x.shape={x.shape}")


def diagonal(x, offset: int = 0, axis1: int = 0, axis2: int = 1):
    """Diagonals over axes (axis1, axis2), appended as the last axis."""
    x = moveaxis(_t(x), (axis1, axis2), (-2, -1))
    rows, cols = x.shape[-2], x.shape[-1]
    if offset <= -rows or offset >= cols:
        return tf.zeros(list(x.shape[:-2]) + [0], x.dtype)
    return tf.linalg.diag_part(x, k=offset)


def trace(x, offset: int = 0, axis1: int = 0, axis2: int = 1):
    """Sum of the diagonal over (axis1, axis2) (small integers widened as in `sum`)."""
    x = _t(x)
    x = tf.cast(x, _reduce_int_dtype(_dt(x)))
    return tf.math.reduce_sum(diagonal(x, offset, axis1, axis2), axis=-1)


def diff(a, n: int = 1, axis: int = -1):
    """The n-th discrete difference along `axis`."""
    a = _t(a)
    if n == 0:
        return a
    if n < 0:
        raise ValueError(f"Order `n` must be non-negative. Received n={n}")
    rank = len(a.shape)
    if rank == 0:
        raise ValueError(f"`diff` requires input that is at least one dimensional. Received: a={a}")
    axis = _canon(axis, rank)
    hi = tuple(slice(1, None) if i == axis else slice(None) for i in range(rank))
    lo = tuple(slice(None, -1) if i == axis else slice(None) for i in range(rank))
    for _ in range(n):
        a = tf.math.not_equal(a[hi], a[lo]) if _dt(a) == "bool" else a[hi] - a[lo]
    return a


def sort(x, axis: int = -1):
    """Sorted copy along `axis` (flattened when None)."""
    x = _t(x)
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    if _dt(x) == "bool":
        return tf.cast(tf.sort(tf.cast(x, "int8"), axis=axis), "bool")
    return tf.sort(x, axis=axis)


def argsort(x, axis: int = -1):
    """Indices that sort `x` along `axis` (int32; flattened when None)."""
    x = _t(x)
    if _dt(x) == "bool":
        x = tf.cast(x, "uint8")
    if len(x.shape) == 0:
        return tf.constant([0], "int32")
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    return tf.argsort(x, axis=axis, stable=True)


def nonzero(x):
    """A tuple of int32 index vectors, one per axis, of the nonzero elements."""
    x = _t(x)
    idx = tf.cast(tf.where(tf.cast(x, "bool")), "int32")
    return tuple(tf.unstack(idx, len(x.shape), axis=1))


def take(x, indices, axis=None):
    """Elements of `x` at `indices` along `axis` (flattened when None); negative indices wrap."""
    x = _t(x)
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    indices = _t(indices)
    if indices.dtype.is_floating:
        indices = tf.cast(indices, "int32")
    indices = tf.where(indices < 0, indices + tf.cast(tf.shape(x)[axis], indices.dtype), indices)
    return tf.gather(x, indices, axis=axis)


def take_along_axis(x, indices, axis=None):
    """`x` gathered with `indices` matching its shape along `axis` (NumPy's take_along_axis)."""
    x = _t(x)
    indices = _t(indices, "int64")
    if axis is None:
        if len(indices.shape) != 1:
            raise ValueError(f"`indices` must be 1D if axis=None. Received: indices.shape={indices.shape}")
        x, axis = tf.reshape(x, [-1]), 0
    rank = len(x.shape)
    axis = _canon(axis, rank)
    xs, ish = tf.shape(x), tf.shape(indices, out_type="int64")
    xs64 = tf.cast(xs, "int64")
    unit = tf.one_hot(axis, rank, on_value=tf.constant(0, "int64"), off_value=tf.constant(1, "int64"))
    bshape = tf.maximum(xs64 * unit, ish * unit)
    axis_sel = 1 - unit
    x = tf.broadcast_to(x, bshape + xs64 * axis_sel)
    indices = tf.broadcast_to(indices, bshape + ish * axis_sel)
    indices = tf.where(indices < 0, indices + xs64[axis], indices)
    out = tf.gather(moveaxis(x, axis, -1), moveaxis(indices, axis, -1), batch_dims=rank - 1)
    return moveaxis(out, -1, axis)


def get_item(x, key):
    """`x[key]`."""
    return _t(x)[key]


# ---------------------------------------------------------------- cumulative


def cumsum(x, axis=None, dtype=None):
    """Cumulative sum along `axis` (flattened when None; bool -> int32)."""
    x = _t(x, dtype)
    if _dt(x) == "bool":
        x = tf.cast(x, "int32")
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    return tf.math.cumsum(x, axis=axis)


def cumprod(x, axis=None, dtype=None):
    """Cumulative product along `axis` (flattened when None; bool -> int32)."""
    x = _t(x, dtype)
    if _dt(x) == "bool":
        x = tf.cast(x, "int32")
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    return tf.math.cumprod(x, axis=axis)


# ---------------------------------------------------------------- products


def matmul(x1, x2):
    """Matrix product with NumPy's broadcasting and 1-D rules (int8 x int8 -> int32)."""
    x1, x2 = _t(x1), _t(x2)
    if _dt(x1) == "int8" and _dt(x2) == "int8":
        compute, out = "int32", "int32"
    else:
        compute = result_type(_dt(x1), _dt(x2), float)
        out = result_type(_dt(x1), _dt(x2))
    x1, x2 = tf.cast(x1, compute), tf.cast(x2, compute)
    r1, r2 = len(x1.shape), len(x2.shape)
    if r2 == 1:
        output = tf.tensordot(x1, x2, axes=1)
    elif r1 == 1:
        output = tf.tensordot(x1, x2, axes=[[0], [-2]])
    elif r2 == 2 and r1 > 2:
        output = tf.tensordot(x1, x2, axes=[[-1], [0]])
    else:
        output = tf.linalg.matmul(x1, x2)
    return tf.cast(output, out)


def dot(x1, x2):
    """NumPy's dot: scalar multiply, inner product, or sum over x1's last and x2's second-last axis."""
    x1, x2 = _t(x1), _t(x2)
    out = result_type(_dt(x1), _dt(x2))
    compute = result_type(out, float)
    x1, x2 = tf.cast(x1, compute), tf.cast(x2, compute)
    if len(x1.shape) == 0 or len(x2.shape) == 0:
        output = x1 * x2
    elif len(x2.shape) == 1:
        output = tf.tensordot(x1, x2, axes=[[-1 + len(x1.shape)], [0]])
    else:
        output = tf.tensordot(x1, x2, axes=[[len(x1.shape) - 1], [len(x2.shape) - 2]])
    return tf.cast(output, out)


def vdot(x1, x2):
    """Dot product of the flattened inputs."""
    x1, x2 = _t(x1), _t(x2)
    out = result_type(_dt(x1), _dt(x2))
    compute = result_type(out, float)
    return tf.cast(tf.tensordot(tf.reshape(tf.cast(x1, compute), [-1]),
                                tf.reshape(tf.cast(x2, compute), [-1]), 1), out)


def outer(x1, x2):
    """Outer product of the flattened inputs."""
    x1, x2 = _tensor_promote(x1, x2)
    return tf.reshape(x1, [-1, 1]) * tf.reshape(x2, [-1])


def tensordot(x1, x2, axes=2):
    """Sum of products over the given axes."""
    x1, x2 = _t(x1), _t(x2)
    out = result_type(_dt(x1), _dt(x2))
    compute = out if out in ("int32", "int64", "float16", "float32", "float64", "bfloat16",
                             "complex64", "complex128") else result_type(out, float)
    return tf.cast(tf.tensordot(tf.cast(x1, compute), tf.cast(x2, compute), axes), out)


def einsum(subscripts, *operands, **kwargs):
    """Einstein summation (int8 operands computed as int32, as on TensorFlow)."""
    operands = [_t(o) for o in operands]
    out = result_type(*[_dt(o) for o in operands])
    compute = out
    if out in ("bool", "int8", "int16", "uint8", "uint16", "uint32", "uint64"):
        compute = "int32"
    return tf.cast(tf.einsum(subscripts, *[tf.cast(o, compute) for o in operands], **kwargs),
                   out if out != "int8" else "int32")


def cross(x1, x2, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis=None):
    """Cross product of 2- or 3-vectors along the given axes."""
    x1, x2 = _tensor_promote(x1, x2)
    if axis is not None:
        axisa = axisb = axisc = axis
    x1, x2 = moveaxis(x1, axisa, -1), moveaxis(x2, axisb, -1)
    d1, d2 = x1.shape[-1], x2.shape[-1]

    def pad3(v, d):
        return tf.pad(v, [[0, 0]] * (len(v.shape) - 1) + [[0, 1]]) if d == 2 else v

    x1, x2 = pad3(x1, d1), pad3(x2, d2)
    shape = tf.broadcast_dynamic_shape(tf.shape(x1), tf.shape(x2))
    c = tf.linalg.cross(tf.broadcast_to(x1, shape), tf.broadcast_to(x2, shape))
    if d1 == 2 and d2 == 2:
        return c[..., 2]
    return moveaxis(c, -1, axisc)


# ---------------------------------------------------------------- properties


def ndim(x) -> int:
    """Number of dimensions of `x`."""
    return len(_t(x).shape)


def size(x):
    """Number of elements of `x` (an int32 tensor)."""
    return tf.size(_t(x), out_type="int32")
