"""keras.ops.numpy, continued: NaN-aware reductions, percentiles, histograms, set and search ops.

Thin wrappers over tensorforge ops with Keras 3's TensorFlow-backend dtypes (`nansum` of int8 ->
int32, `nanmean` of integers -> float32, `searchsorted`/`digitize` -> int32, ...).

>>> tf.keras.ops.nanmean(tf.constant([1.0, float("nan"), 3.0])).numpy()
np.float32(2.0)
"""
from __future__ import annotations

import numpy as np

import tensorforge as tf

from .ops_dtypes import floatx, result_type, standardize_dtype
from .ops_numpy import (_axis, _canon, _dt, _reduce_int_dtype, _t, argmax, argmin, cumprod, cumsum,
                        nan_to_num, prod, quantile, swapaxes)


def _is_nan(x):
    return tf.math.is_nan(x) if x.dtype.is_floating else tf.zeros(tf.shape(x), "bool")


# ---------------------------------------------------------------- NaN-aware reductions


def nansum(x, axis=None, keepdims: bool = False):
    """Sum over `axis` treating NaN as zero (small integers widened as in `sum`)."""
    x = _t(x)
    x = tf.where(_is_nan(x), tf.zeros_like(x), x)
    x = tf.cast(x, _reduce_int_dtype(_dt(x)))
    return tf.math.reduce_sum(x, axis=_axis(axis), keepdims=keepdims)


def nanprod(x, axis=None, keepdims: bool = False):
    """Product over `axis` treating NaN as one."""
    x = _t(x)
    if x.dtype.is_floating:
        x = tf.where(tf.math.is_nan(x), tf.ones_like(x), x)
    return prod(x, axis=axis, keepdims=keepdims)


def nanmax(x, axis=None, keepdims: bool = False):
    """Maximum over `axis` ignoring NaNs (NaN where a slice is all NaN)."""
    x = _t(x)
    if not x.dtype.is_floating:
        fn = tf.math.reduce_any if _dt(x) == "bool" else tf.math.reduce_max
        return fn(x, axis=_axis(axis), keepdims=keepdims)
    nan = tf.math.is_nan(x)
    clean = tf.where(nan, tf.constant(float("-inf"), x.dtype), x)
    return tf.where(tf.math.reduce_all(nan, axis=_axis(axis), keepdims=keepdims),
                    tf.constant(float("nan"), x.dtype),
                    tf.math.reduce_max(clean, axis=_axis(axis), keepdims=keepdims))


def nanmin(x, axis=None, keepdims: bool = False):
    """Minimum over `axis` ignoring NaNs (NaN where a slice is all NaN)."""
    x = _t(x)
    if not x.dtype.is_floating:
        fn = tf.math.reduce_all if _dt(x) == "bool" else tf.math.reduce_min
        return fn(x, axis=_axis(axis), keepdims=keepdims)
    nan = tf.math.is_nan(x)
    clean = tf.where(nan, tf.constant(float("inf"), x.dtype), x)
    return tf.where(tf.math.reduce_all(nan, axis=_axis(axis), keepdims=keepdims),
                    tf.constant(float("nan"), x.dtype),
                    tf.math.reduce_min(clean, axis=_axis(axis), keepdims=keepdims))


def nanmean(x, axis=None, keepdims: bool = False):
    """Mean over `axis` of the non-NaN elements (integers -> float32)."""
    x = _t(x)
    if axis == () or axis == []:
        return x
    if not x.dtype.is_floating:
        return tf.math.reduce_mean(tf.cast(x, "float32"), axis=_axis(axis), keepdims=keepdims)
    dtype = result_type(_dt(x), float)
    total = tf.cast(nansum(x, axis=axis, keepdims=keepdims), dtype)
    count = tf.math.reduce_sum(tf.cast(~tf.math.is_nan(x), dtype), axis=_axis(axis),
                               keepdims=keepdims)
    return total / count


def nanvar(x, axis=None, keepdims: bool = False):
    """Population variance over `axis` of the non-NaN elements."""
    x = _t(x)
    x = tf.cast(x, result_type(_dt(x), float))
    mean = nanmean(x, axis=axis, keepdims=True)
    valid = ~tf.math.is_nan(x)
    centered = tf.where(valid, x - mean, tf.zeros_like(x))
    centered = tf.math.real(centered * tf.math.conj(centered)) if x.dtype.is_complex else \
        tf.math.square(centered)
    count = tf.math.reduce_sum(tf.cast(valid, centered.dtype), axis=_axis(axis), keepdims=keepdims)
    return tf.math.reduce_sum(centered, axis=_axis(axis), keepdims=keepdims) / count


def nanstd(x, axis=None, keepdims: bool = False):
    """Population standard deviation over `axis` of the non-NaN elements."""
    return tf.math.sqrt(nanvar(x, axis=axis, keepdims=keepdims))


def nanargmax(x, axis=None, keepdims: bool = False):
    """Index of the maximum ignoring NaNs (-1 where a slice is all NaN), int32."""
    return _nan_arg(argmax, float("-inf"), x, axis, keepdims)


def nanargmin(x, axis=None, keepdims: bool = False):
    """Index of the minimum ignoring NaNs (-1 where a slice is all NaN), int32."""
    return _nan_arg(argmin, float("inf"), x, axis, keepdims)


def _nan_arg(fn, fill, x, axis, keepdims):
    x = _t(x)
    if not x.dtype.is_floating:
        return fn(x, axis=axis, keepdims=keepdims)
    nan = tf.math.is_nan(x)
    idx = fn(tf.where(nan, tf.constant(fill, x.dtype), x), axis=axis, keepdims=keepdims)
    all_nan = tf.math.reduce_all(nan, axis=axis, keepdims=keepdims)
    if axis is None and keepdims:
        all_nan = tf.reshape(all_nan, tf.shape(idx))
    return tf.where(all_nan, tf.constant(-1, "int32"), idx)


def nancumsum(x, axis=None, dtype=None):
    """Cumulative sum treating NaN as zero."""
    return cumsum(nan_to_num(x), axis=axis, dtype=dtype)


def nancumprod(x, axis=None, dtype=None):
    """Cumulative product treating NaN as one."""
    return cumprod(nan_to_num(x, nan=1.0), axis=axis, dtype=dtype)


def nanquantile(x, q, axis=None, method: str = "linear", keepdims: bool = False):
    """The `q`-th quantile(s) over `axis` of the non-NaN elements (NaN if none)."""
    x = _t(x)
    out_dtype = result_type(_dt(x), float)
    xf = tf.cast(x, out_dtype)
    rank = len(x.shape)
    axes = list(range(rank)) if axis is None else [
        _canon(a, rank) for a in ([axis] if isinstance(axis, int) else axis)]
    nan = tf.math.is_nan(xf)
    # Push NaNs to the end of each sorted slice by replacing them with +inf, then pick positions
    # within the per-slice count of valid values.
    keep = [a for a in range(rank) if a not in axes]
    y = tf.transpose(xf, keep + axes)
    valid = tf.transpose(~nan, keep + axes)
    kept_shape = tf.shape(y)[:len(keep)]
    y = tf.reshape(y, tf.concat([kept_shape, [-1]], 0))
    valid = tf.reshape(valid, tf.concat([kept_shape, [-1]], 0))
    y = tf.sort(tf.where(valid, y, tf.constant(float("inf"), out_dtype)), axis=-1)
    n = tf.math.reduce_sum(tf.cast(valid, out_dtype), axis=-1, keepdims=True)
    q = _t(q, floatx())
    qv = tf.reshape(tf.cast(q, out_dtype), [-1])
    pos = qv * tf.math.maximum(n - 1, 0)
    lo_f, hi_f = tf.math.floor(pos), tf.math.ceil(pos)
    if method == "lower":
        hi_f = lo_f
    elif method == "higher":
        lo_f = hi_f
    elif method == "nearest":
        lo_f = hi_f = tf.math.round(pos)
    elif method not in ("linear", "midpoint"):
        raise ValueError(f"Invalid method: {method}")
    lo = tf.gather(y, tf.cast(lo_f, "int32"), batch_dims=len(keep))
    hi = tf.gather(y, tf.cast(hi_f, "int32"), batch_dims=len(keep))
    if method == "midpoint":
        res = tf.where(tf.math.equal(lo_f, hi_f), lo, (lo + hi) * 0.5)
    else:
        res = lo + (hi - lo) * (pos - lo_f)
    res = tf.where(n > 0, res, tf.constant(float("nan"), out_dtype))
    # res: kept..., nq -> q..., kept...
    res = tf.transpose(res, [len(keep)] + list(range(len(keep))))
    if keepdims:
        kept_shape = tf.shape(tf.math.reduce_sum(xf, axis=axes, keepdims=True))
    res = tf.reshape(res, tf.concat([tf.shape(q), kept_shape], 0))
    return res


def nanmedian(x, axis=None, keepdims: bool = False):
    """Median over `axis` of the non-NaN elements."""
    x = _t(x)
    if axis == () or axis == []:
        return x
    return nanquantile(x, 0.5, axis=axis, keepdims=keepdims)


def percentile(x, q, axis=None, method: str = "linear", keepdims: bool = False):
    """The `q`-th percentile(s) (0..100) over `axis`."""
    return quantile(x, _t(q, floatx()) / 100.0, axis=axis, method=method, keepdims=keepdims)


def nanpercentile(x, q, axis=None, method: str = "linear", keepdims: bool = False):
    """The `q`-th percentile(s) (0..100) over `axis` of the non-NaN elements."""
    return nanquantile(x, _t(q, floatx()) / 100.0, axis=axis, method=method, keepdims=keepdims)


def ptp(x, axis=None, keepdims: bool = False):
    """Range (max - min) over `axis`."""
    x = _t(x)
    return (tf.math.reduce_max(x, axis=_axis(axis), keepdims=keepdims)
            - tf.math.reduce_min(x, axis=_axis(axis), keepdims=keepdims))


def corrcoef(x):
    """Pearson correlation coefficients of the rows of `x` (clipped to [-1, 1])."""
    x = _t(x)
    d = _dt(x)
    if d in ("bool", "int8", "int16", "int32", "uint8", "uint16", "uint32"):
        x = tf.cast(x, floatx())
    if len(x.shape) == 0:
        return tf.constant(float("nan"), floatx())
    xc = x - tf.math.reduce_mean(x, axis=-1, keepdims=True)
    n = tf.cast(tf.shape(x)[-1], x.dtype)
    cov = tf.linalg.matmul(xc, xc, adjoint_b=True) / (n - 1)
    std = tf.math.sqrt(tf.math.real(tf.linalg.diag_part(cov)))
    corr = cov / tf.cast(tf.tensordot(std, std, axes=0), cov.dtype)
    real = tf.clip_by_value(tf.math.real(corr), -1.0, 1.0)
    if corr.dtype.is_complex:
        return tf.complex(real, tf.clip_by_value(tf.math.imag(corr), -1.0, 1.0))
    return real


# ---------------------------------------------------------------- counting and searching


def bincount(x, weights=None, minlength: int = 0, sparse: bool = False):
    """Counts (or summed `weights`) of each non-negative integer value of `x` (last axis)."""
    if sparse:
        raise ValueError("keras.ops.bincount(sparse=True) is not supported by tensorforge: "
                         "tensorforge has no sparse bincount output.")
    x = _t(x)
    dtypes = [_dt(x)]
    if _dt(x) not in ("int32", "int64"):
        x = tf.cast(x, "int32")
    if weights is not None:
        weights = _t(weights)
        dtypes.append(_dt(weights))
        dtype = result_type(*dtypes)
        wd = _dt(weights)
        if wd not in ("int32", "int64", "float32", "float64"):
            weights = tf.cast(weights, "int32" if "int" in wd else "float32")
        out = tf.math.bincount(x, weights=weights, minlength=minlength, axis=-1,
                               dtype=weights.dtype)
    else:
        dtype = "int32"
        out = tf.math.bincount(x, minlength=minlength, axis=-1)
    return tf.cast(out, dtype)


def digitize(x, bins):
    """The index of the bin of each value: i with bins[i-1] <= x < bins[i] (int32)."""
    x = _t(x)
    bins = [float(b) for b in (bins.numpy().tolist() if tf.is_tensor(bins) else list(bins))]
    d = _dt(x)
    if d in ("bool", "int8", "int16", "uint8", "uint16"):
        x = tf.cast(x, "int32")
    elif d == "uint32":
        x = tf.cast(x, "int64")
    elif d in ("bfloat16", "float16"):
        x = tf.cast(x, "float32")
    boundaries = tf.constant(bins, x.dtype if x.dtype.is_floating else "float64")
    values = tf.cast(x, boundaries.dtype)
    flat = tf.reshape(values, [-1])
    return tf.reshape(tf.searchsorted(boundaries, flat, side="right", out_type="int32"),
                      tf.shape(x))


def searchsorted(sorted_sequence, values, side: str = "left"):
    """Insertion indices of `values` into the 1-D `sorted_sequence` keeping it sorted (int32)."""
    sorted_sequence, values = _t(sorted_sequence), _t(values)
    if len(sorted_sequence.shape) != 1:
        raise ValueError("`searchsorted` only supports 1-D sorted sequences. You can use "
                         "`keras.ops.vectorized_map` to extend it to N-D sequences. Received: "
                         f"sorted_sequence.shape={sorted_sequence.shape}")
    dtype = result_type(_dt(sorted_sequence), _dt(values))
    sorted_sequence, values = tf.cast(sorted_sequence, dtype), tf.cast(values, dtype)
    out = tf.searchsorted(sorted_sequence, tf.reshape(values, [-1]), side=side, out_type="int32")
    return tf.reshape(out, tf.shape(values))


def histogram(x, bins: int = 10, range=None):  # noqa: A002
    """Counts of `x` in `bins` equal-width bins over `range` (default: [min, max]) and the edges."""
    x = _t(x)
    if range is None:
        lo, hi = tf.math.reduce_min(x), tf.math.reduce_max(x)
    else:
        lo, hi = (tf.cast(v, x.dtype) for v in range)
    x = tf.boolean_mask(x, (x >= lo) & (x <= hi))
    edges = tf.cast(tf.linspace(tf.cast(lo, "float64"), tf.cast(hi, "float64"), bins + 1), x.dtype)
    idx = tf.searchsorted(edges[1:-1], x, side="right")
    counts = tf.math.unsorted_segment_sum(tf.ones_like(idx), idx, bins)
    return tf.cast(counts, x.dtype), edges


def isin(x1, x2, assume_unique: bool = False, invert: bool = False):
    """Element-wise: whether each element of `x1` occurs in `x2`."""
    x1, x2 = _t(x1), _t(x2)
    dtype = result_type(_dt(x1), _dt(x2))
    x1, x2 = tf.cast(x1, dtype), tf.reshape(tf.cast(x2, dtype), [-1])
    hit = tf.math.reduce_any(tf.math.equal(tf.expand_dims(x1, -1), x2), axis=-1)
    return tf.math.logical_not(hit) if invert else hit


def argpartition(x, kth, axis=-1):
    """Indices that partition `x` along `axis`: the kth element in place, smaller ones before it."""
    x = _t(x, "int32")
    if axis is None:
        x, axis = tf.reshape(x, [-1]), -1
    x = swapaxes(x, axis, -1)
    n = x.shape[-1]
    k = min(max(int(kth), 0), n - 1)
    order = tf.argsort(x, axis=-1, stable=True)
    bottom = order[..., :k + 1]
    top = tf.reverse(order[..., k + 1:], [-1])
    return swapaxes(tf.concat([bottom, top], axis=-1), -1, axis)


def select(condlist, choicelist, default=0):
    """Elements of the first choice whose condition holds, else `default`."""
    if len(condlist) != len(choicelist):
        raise ValueError("condlist must have length equal to choicelist")
    conds = [tf.cast(_t(c), "bool") for c in condlist]
    choices = [_t(c) for c in choicelist]
    names = [_dt(c) for c in choices]
    if tf.is_tensor(default) or not isinstance(default, (bool, int, float)):
        default = _t(default)
        names.append(_dt(default))
    dtype = standardize_dtype(np.result_type(*[np.dtype(n) if n != "bfloat16" else np.float32
                                               for n in names]).name)
    out = tf.cast(_t(default), dtype)
    for c, v in zip(reversed(conds), reversed(choices)):
        out = tf.where(c, tf.cast(v, dtype), out)
    return out


def slogdet(x):
    """(sign, log|det|) of (a batch of) square matrices."""
    return tuple(tf.linalg.slogdet(_t(x)))


def unique(x, sorted: bool = True, return_index: bool = False,  # noqa: A002
           return_inverse: bool = False, return_counts: bool = False, axis=None, size=None,
           fill_value=None):
    """The unique elements of the flattened `x` (or unique slices along `axis`)."""
    x = _t(x)
    shape = tf.shape(x)
    if axis is None:
        flat = tf.reshape(x, [-1])
        y, inverse, counts = tf.unique_with_counts(flat)
        positions = tf.range(tf.size(flat))
        along = 0
    else:
        along = _canon(axis, len(x.shape))
        moved = tf.reshape(swapaxes(x, along, 0), [shape[along], -1])
        # Lexicographic ids of the rows: compare every row with every other row.
        same = tf.math.reduce_all(tf.math.equal(tf.expand_dims(moved, 1),
                                                tf.expand_dims(moved, 0)), axis=-1)
        first = tf.math.argmax(tf.cast(same, "int32"), axis=1, output_type="int32")
        firsts, inverse, counts = tf.unique_with_counts(first)
        y = tf.gather(x, firsts, axis=along)
        positions = tf.range(shape[along])
    num = tf.shape(counts)[0]
    index = tf.math.unsorted_segment_min(positions, inverse, num)
    if sorted:
        if axis is None or len(y.shape) == 1:
            order = tf.argsort(y, stable=True) if _dt(y) != "bool" else tf.argsort(
                tf.cast(y, "int32"), stable=True)
        else:
            rows = tf.reshape(swapaxes(y, along, 0), [num, -1])
            ncols = int(np.prod([d for i, d in enumerate(x.shape) if i != along]))
            order = tf.range(num)
            for col in range(ncols - 1, -1, -1):
                order = tf.gather(order, tf.argsort(tf.gather(rows[:, col], order), stable=True))
        y = tf.gather(y, order, axis=along)
        index, counts = tf.gather(index, order), tf.gather(counts, order)
        inverse = tf.gather(tf.math.invert_permutation(order), inverse)
    if size is not None:
        y = tf.gather(y, tf.range(tf.math.minimum(num, size)), axis=along)
        index, counts = index[:size], counts[:size]
        pad = tf.math.maximum(0, size - num)
        pad_shape = tf.reshape(pad, [1])
        fill_shape = tf.tensor_scatter_nd_update(tf.shape(y), [[along]], pad_shape)
        fill = tf.cast(0 if fill_value is None else fill_value, y.dtype)
        y = tf.concat([y, tf.fill(fill_shape, fill)], axis=along)
        index = tf.concat([index, tf.fill(pad_shape, tf.constant(1, index.dtype))], 0)
        counts = tf.concat([counts, tf.fill(pad_shape, tf.constant(0, counts.dtype))], 0)
    if axis is None and return_inverse:
        inverse = tf.reshape(inverse, shape)
    out = [y] + [v for v, flag in ((index, return_index), (inverse, return_inverse),
                                   (counts, return_counts)) if flag]
    return tuple(out) if len(out) > 1 else out[0]
