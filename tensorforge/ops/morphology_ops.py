"""Morphological and fractional pooling ops: tf.nn.dilation2d / erosion2d (Dilation2D and its two
backprops) and tf.nn.fractional_max_pool / fractional_avg_pool (with their Grad ops).

Dilation2D is a max-plus correlation: windows come from sliding_window_view and the max (and, for the
backprops, the first argmax in row-major tap order, as TF's kernel) is taken over the flattened taps.
Fractional pooling cells are rows/columns ranges [seq[i], seq[i + 1]) (or [seq[i], seq[i + 1]] when
overlapping, clipped to the input), reduced with ufunc.reduceat; the sequences are drawn as
fractional_pool_common.cc draws them (pseudo-random: ceil(alpha * (i + u)); random: a shuffle of
k and k + 1 steps).
"""
from __future__ import annotations

import threading

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import constant, convert_to_tensor
from ..framework.tensor import Tensor
from . import array_ops, math_ops, random_ops
from . import sample_inputs as S
from . import shapes as sh
from .registry import NON_DIFFERENTIABLE, bind, register

_t = convert_to_tensor
_DIL_API = "tf.nn.dilation2d"
_FMP_API = "tf.nn.fractional_max_pool"
_FAP_API = "tf.nn.fractional_avg_pool"
_FRAC_T = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64)


def _lowest(dtype):
    """Eigen's NumTraits<T>::lowest(): the most negative finite value."""
    return np.finfo(dtype).min if dtype.kind == "f" else np.iinfo(dtype).min


# ================================================================ Dilation2D geometry
def _out_pad(n, k, s, r, padding):
    """(output size, pad before) of one spatial dim, TF's GetWindowedOutputSize on the dilated filter."""
    if n is None or k is None:
        return None, 0
    eff = (k - 1) * r + 1
    if padding == "SAME":
        out = (n + s - 1) // s
        return out, max((out - 1) * s + eff - n, 0) // 2
    return (n - eff + s) // s, 0


def _dilation_infer(specs, attrs, api=_DIL_API, op="Dilation2D"):
    sh.check_dtype(api, op, specs[0], sh.REAL, "input")
    sh.same_dtype(api, op, specs[:2], ("input", "filter"))
    xs, fs = sh.dims(specs[0]), sh.dims(specs[1])
    if xs is not None and len(xs) != 4:
        raise sh.error(api, op, "input must be 4-dimensional, got shape %s (argument input)" % sh.fmt(xs))
    if fs is not None and len(fs) != 3:
        raise sh.error(api, op, "filter must be 3-dimensional, got shape %s (argument filter)" % sh.fmt(fs))
    for name in ("strides", "rates"):
        v = attrs[name]
        if len(v) != 4 or v[0] != 1 or v[3] != 1:
            raise sh.error(api, op, "%s must be [1, height, width, 1], got %s" % (name, list(v)))
    if attrs["padding"] not in ("SAME", "VALID"):
        raise sh.error(api, op, "padding must be SAME or VALID, got %r" % (attrs["padding"],))
    xs = xs or (None,) * 4
    fs = fs or (None,) * 3
    if xs[3] is not None and fs[2] is not None and xs[3] != fs[2]:
        raise sh.error(api, op, "input and filter must have the same depth: %d vs %d (input shape %s, filter shape "
                       "%s)" % (xs[3], fs[2], sh.fmt(xs), sh.fmt(fs)))
    s, r = attrs["strides"], attrs["rates"]
    oh, _ = _out_pad(xs[1], fs[0], s[1], r[1], attrs["padding"])
    ow, _ = _out_pad(xs[2], fs[1], s[2], r[2], attrs["padding"])
    for o, n, k, rr in ((oh, xs[1], fs[0], r[1]), (ow, xs[2], fs[1], r[2])):
        if o is not None and o < 0:
            raise sh.error(api, op, "Computed output size would be negative: %d [input_size: %d, effective_filter_"
                           "size: %d, stride: %d]" % (o, n, (k - 1) * rr + 1, s[1]))
    depth = xs[3] if xs[3] is not None else fs[2]
    return (xs[0], oh, ow, depth)


def _dilation_taps(x, f, strides, rates, padding):
    """(vals [N, oh, ow, C, kh*kw] = window + filter with out-of-image taps at lowest, geometry).

    NaN sums are set to lowest too: TF's `val > cur_val` never picks them."""
    n, h, w, c = x.shape
    kh, kw, _ = f.shape
    sr, sc, rr, rc = strides[1], strides[2], rates[1], rates[2]
    oh, pt = _out_pad(h, kh, sr, rr, padding)
    ow, pl = _out_pad(w, kw, sc, rc, padding)
    if oh < 0 or ow < 0:
        raise ValueError("negative output size")
    eh, ew = (kh - 1) * rr + 1, (kw - 1) * rc + 1
    need_h, need_w = max((oh - 1) * sr + eh, eh), max((ow - 1) * sc + ew, ew)
    pb, pr = max(need_h - h - pt, 0), max(need_w - w - pl, 0)
    padded = pt or pl or pb or pr
    xp_ = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0))) if padded else x
    win = sliding_window_view(xp_, (eh, ew), axis=(1, 2))[:, :(oh - 1) * sr + 1:sr, :(ow - 1) * sc + 1:sc, :, ::rr, ::rc]
    vals = win + np.moveaxis(f, 2, 0)  # [N, oh, ow, C, kh, kw]
    low = _lowest(vals.dtype)
    if padded:
        rows = np.arange(oh)[:, None] * sr - pt + np.arange(kh) * rr  # [oh, kh] input rows of the taps
        cols = np.arange(ow)[:, None] * sc - pl + np.arange(kw) * rc
        rv, cv = (rows >= 0) & (rows < h), (cols >= 0) & (cols < w)
        valid = rv[:, None, None, :, None] & cv[None, :, None, None, :]  # [oh, ow, 1, kh, kw]
        np.copyto(vals, low, where=~valid)
    if vals.dtype.kind == "f":
        nan = np.isnan(vals)
        if nan.any():
            np.copyto(vals, low, where=nan)
    return vals.reshape(n, oh, ow, c, kh * kw), (oh, ow, pt, pl)


def _dilation_kernel(xp, x, f, strides, rates, padding):
    vals, (oh, ow, _, _) = _dilation_taps(x, f, strides, rates, padding)
    if vals.size == 0:
        return np.full((x.shape[0], oh, ow, x.shape[3]), _lowest(x.dtype), x.dtype)
    out = vals.max(axis=-1)
    if out.dtype.kind == "f":
        np.maximum(out, _lowest(out.dtype), out=out)  # TF starts from lowest: -inf sums never win
    return out


def _dilation_argmax(x, f, strides, rates, padding):
    """Per output (b, y, x, c): the winning tap (th, tw), whether any sum beat lowest, and the geometry."""
    vals, geo = _dilation_taps(x, f, strides, rates, padding)
    kw = f.shape[1]
    if vals.shape[-1] == 0:
        z = np.zeros(vals.shape[:-1], np.intp)
        return z, z, np.zeros(vals.shape[:-1], bool), geo
    arg = vals.argmax(axis=-1)  # first maximum in row-major tap order = TF's strict `>` scan
    found = np.take_along_axis(vals, arg[..., None], -1)[..., 0] > _lowest(vals.dtype)
    th, tw = np.divmod(arg, kw)
    return th, tw, found, geo


def _scatter_add(index, weights, size, dtype):
    if dtype.kind == "f":
        return np.bincount(index.ravel(), weights.ravel().astype(np.float64), size).astype(dtype)
    out = np.zeros(size, dtype)
    np.add.at(out, index.ravel(), weights.ravel())
    return out


def _check_backprop(x, dy, oh, ow):
    if dy.ndim != 4 or dy.shape != (x.shape[0], oh, ow, x.shape[3]):
        raise ValueError("out_backprop has incompatible size.")


def _dilation_backprop_input_kernel(xp, x, f, dy, strides, rates, padding):
    th, tw, found, (oh, ow, pt, pl) = _dilation_argmax(x, f, strides, rates, padding)
    _check_backprop(x, dy, oh, ow)
    n, h, w, c = x.shape
    if x.size == 0 or dy.size == 0:
        return np.zeros_like(x)
    hb = (np.arange(oh) * strides[1] - pt)[None, :, None, None]
    wb = (np.arange(ow) * strides[2] - pl)[None, None, :, None]
    hin = np.where(found, hb + th * rates[1], np.maximum(hb, 0))
    win = np.where(found, wb + tw * rates[2], np.maximum(wb, 0))
    keep = (hin < h) & (win < w)
    idx = ((np.arange(n)[:, None, None, None] * h + hin) * w + win) * c + np.arange(c)
    g = dy if keep.all() else np.where(keep, dy, 0)
    idx = np.where(keep, idx, 0)
    return _scatter_add(idx, g, x.size, x.dtype).reshape(x.shape)


def _dilation_backprop_filter_kernel(xp, x, f, dy, strides, rates, padding):
    th, tw, found, (oh, ow, _, _) = _dilation_argmax(x, f, strides, rates, padding)
    _check_backprop(x, dy, oh, ow)
    if f.size == 0 or dy.size == 0:
        return np.zeros_like(f)
    kw, c = f.shape[1], f.shape[2]
    idx = np.where(found, th * kw + tw, 0) * c + np.arange(c)  # no winner: TF adds at tap (0, 0)
    return _scatter_add(idx, dy, f.size, f.dtype).reshape(f.shape)


def _dilation_fwd_infer(specs, attrs):
    return [(_dilation_infer(specs, attrs), specs[0].dtype)]


def _backprop_infer(op, which):
    def infer(specs, attrs):
        out = _dilation_infer(specs, attrs, _DIL_API, op)
        sh.same_dtype(_DIL_API, op, specs, ("input", "filter", "out_backprop"))
        gs = sh.dims(specs[2])
        if gs is not None and not _compatible(gs, out):
            raise sh.error(_DIL_API, op, "out_backprop has incompatible size: %s, expected %s (argument "
                           "out_backprop)" % (sh.fmt(gs), sh.fmt(out)))
        return [(sh.dims(specs[which]), specs[which].dtype)]
    return infer


def _compatible(a, b):
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def _dilation_grad(op, dy):
    x, f = op.inputs
    return [bind("Dilation2DBackpropInput", [x, f, dy], op.attrs),
            bind("Dilation2DBackpropFilter", [x, f, dy], op.attrs)]


def _dil_attrs(s, r, padding):
    return {"strides": (1, s, s, 1), "rates": (1, r, r, 1), "padding": padding}


_DIL_SAMPLES = [((2, 5, 6, 3), (2, 3, 3), _dil_attrs(1, 1, "SAME")),
                ((1, 7, 6, 2), (3, 2, 2), _dil_attrs(2, 2, "SAME")),
                ((2, 7, 8, 2), (2, 2, 2), _dil_attrs(2, 1, "VALID")),
                ((1, 6, 7, 2), (2, 3, 2), _dil_attrs(1, 2, "VALID"))]


def _dil_inputs(xs, fs):
    # Distinct inputs (gaps 0.37) plus small filters: every window has one clear winner.
    return S.distinct(*xs), S.unit(*fs) * 0.1


def _dil_samples():
    out = [(list(_dil_inputs(xs, fs)), a) for xs, fs, a in _DIL_SAMPLES]
    out.append(([S.ints(-9, 9, 1, 4, 4, 2), S.ints(-3, 3, 2, 2, 2)], _dil_attrs(1, 1, "SAME")))
    return out


def _dil_backprop_samples():
    out = []
    for xs, fs, a in _DIL_SAMPLES:
        x, f = _dil_inputs(xs, fs)
        y = _dilation_kernel(np, x, f, **a)
        out.append(([x, f, S.normal(*y.shape)], a))
    return out


register("Dilation2D", kernel=_dilation_kernel, infer=_dilation_fwd_infer, grad=_dilation_grad, api=_DIL_API,
         args=("input", "filter"), samples=_dil_samples)
register("Dilation2DBackpropInput", kernel=_dilation_backprop_input_kernel,
         infer=_backprop_infer("Dilation2DBackpropInput", 0), grad=NON_DIFFERENTIABLE, api=_DIL_API,
         args=("input", "filter", "out_backprop"), samples=_dil_backprop_samples)
register("Dilation2DBackpropFilter", kernel=_dilation_backprop_filter_kernel,
         infer=_backprop_infer("Dilation2DBackpropFilter", 1), grad=NON_DIFFERENTIABLE, api=_DIL_API,
         args=("input", "filter", "out_backprop"), samples=_dil_backprop_samples)


def _window_attr(value, name):
    """strides/dilations as [1, h, w, 1] (an int, or 1, 2 or 4 values)."""
    if value is None:
        return (1, 1, 1, 1)
    if isinstance(value, Tensor):
        value = np.asarray(value._value).reshape(-1).tolist()
    if not isinstance(value, (list, tuple)):
        value = [value]
    value = [int(v) for v in value]
    if len(value) == 1:
        value = value * 2
    if len(value) == 2:
        return (1, value[0], value[1], 1)
    if len(value) == 4:
        return tuple(value)
    raise ValueError("%s should be of length 1, 2 or 4. Received: %s=%s of length %d"
                     % (name, name, value, len(value)))


def _check_nhwc(data_format):
    if data_format != "NHWC":
        raise ValueError("`data_format` values other  than 'NHWC' are not supported. Received: data_format=%s"
                         % data_format)


@tf_export("nn.dilation2d")
def dilation2d(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None) -> Tensor:  # noqa: A002
    """Computes the grayscale dilation of 4-D `input` and 3-D `filters` tensors (tf.nn.dilation2d).

        output[b, y, x, c] = max_{dy, dx} input[b, strides[1] * y + dilations[1] * dy,
                                                 strides[2] * x + dilations[2] * dx, c] + filters[dy, dx, c]

    Args:
      input: A 4-D `Tensor` [batch, in_height, in_width, depth] of a real dtype.
      filters: A 3-D `Tensor` [filter_height, filter_width, depth] of the same dtype.
      strides: `[1, stride_height, stride_width, 1]`.
      padding: "SAME" or "VALID".
      data_format: only "NHWC" is supported.
      dilations: `[1, rate_height, rate_width, 1]` (the atrous rates).
      name: A name for the operation (optional).

    Returns:
      A `Tensor` [batch, out_height, out_width, depth] of `input`'s dtype.
    """
    _check_nhwc(data_format)
    attrs = {"strides": _window_attr(strides, "strides"), "rates": _window_attr(dilations, "dilations"),
             "padding": padding}
    return bind("Dilation2D", [_t(input), _t(filters)], attrs)


@tf_export("nn.erosion2d")
def erosion2d(value, filters, strides, padding, data_format="NHWC", dilations=None, name=None) -> Tensor:
    """Computes the grayscale erosion of 4-D `value` and 3-D `filters` tensors (tf.nn.erosion2d):
    -dilation2d(-value, reverse(filters, [0, 1])).

        output[b, y, x, c] = min_{dy, dx} value[b, strides[1] * y - dilations[1] * dy,
                                                 strides[2] * x - dilations[2] * dx, c] - filters[dy, dx, c]

    Returns:
      A `Tensor` [batch, out_height, out_width, depth] of `value`'s dtype.
    """
    _check_nhwc(data_format)
    attrs = {"strides": _window_attr(strides, "strides"), "rates": _window_attr(dilations, "dilations"),
             "padding": padding}
    flipped = array_ops.reverse(_t(filters), [0, 1])
    return math_ops.negative(bind("Dilation2D", [math_ops.negative(_t(value)), flipped], attrs))


# ================================================================ fractional pooling
_gen_lock = threading.Lock()
_unseeded = {}


def _sequence(n_in, n_out, rng, pseudo_random):
    """TF's GeneratePoolingSequence: the cumulative row/column boundaries [0, ..., n_in] (int64)."""
    k = n_in // n_out
    if pseudo_random:
        alpha = n_in / n_out
        u_max = min((k + 2) / alpha - 1, (n_in + 1 - k) / alpha - (n_out - 1))
        u = rng.random() * u_max
        cum = np.empty(n_out + 1, np.int64)
        cum[0], cum[n_out] = 1, n_in + 1
        cum[1:n_out] = np.ceil(alpha * (np.arange(1, n_out) + u))
        diff = np.diff(cum)
    else:
        diff = np.full(n_out, k, np.int64)
        diff[:n_in % n_out] += 1
        diff = diff[rng.permutation(n_out)]
    out = np.zeros(n_out + 1, np.int64)
    np.cumsum(diff, out=out[1:])
    return out


def _frac_out_size(n, ratio):
    # TF divides the int size by the float32 ratio in float32.
    return None if n is None else int(np.floor(np.float32(n) / np.float32(ratio)))


def _rng(deterministic, seed, seed2):
    if deterministic or seed or seed2:
        return np.random.default_rng([int(seed), int(seed2)])
    with _gen_lock:
        if "rng" not in _unseeded:
            _unseeded["rng"] = np.random.default_rng()
        return np.random.default_rng(_unseeded["rng"].integers(0, 2 ** 63))


def _cell_bounds(seq, n, overlapping):
    """(starts, inclusive ends) of the pooling cells along a dim of size n."""
    seq = np.asarray(seq, np.int64)
    ends = seq[1:] if overlapping else seq[1:] - 1
    return seq[:-1], np.minimum(ends, n - 1)


def _check_seq(seq, n, name):
    seq = np.asarray(seq)
    if seq.ndim != 1 or seq.size < 2 or seq[0] < 0 or seq[-1] > n or np.any(np.diff(seq) <= 0):
        raise ValueError("invalid %s %s for an input dimension of size %d" % (name, seq.tolist(), n))


def _reduce_cells(ufunc, x, seq, axis, overlapping):
    """ufunc reduced over the cells of `seq` along `axis` (plus the shared boundary when overlapping)."""
    n = x.shape[axis]
    seq = np.asarray(seq, np.int64)
    out = ufunc.reduceat(x, seq[:-1], axis=axis)
    if overlapping:
        nxt = seq[1:]
        inside = nxt < n  # the cell's end is the next cell's start, when that is in the input
        extra = np.take(x, np.minimum(nxt, n - 1), axis=axis)
        shape = [1] * x.ndim
        shape[axis] = -1
        if ufunc is np.maximum:
            out = np.maximum(out, extra)  # a clipped end repeats the last row: max is unchanged
        else:
            out = out + extra * inside.reshape(shape).astype(x.dtype)
    return out


def _cell_counts(seq, n, overlapping):
    starts, ends = _cell_bounds(seq, n, overlapping)
    return ends - starts + 1


def _fractional_kernel(kind):
    def kernel(xp, x, pooling_ratio, pseudo_random, overlapping, deterministic, seed, seed2):
        if x.ndim != 4:
            raise ValueError("tensor_in must be 4-dimensional")
        n, h, w, c = x.shape
        oh, ow = _frac_out_size(h, pooling_ratio[1]), _frac_out_size(w, pooling_ratio[2])
        if oh <= 0 or ow <= 0:
            raise ValueError("pooling ratio is higher than an input dimension")
        rng = _rng(deterministic, seed, seed2)
        rs = _sequence(h, oh, rng, pseudo_random)
        cs = _sequence(w, ow, rng, pseudo_random)
        if kind == "max":
            out = _reduce_cells(np.maximum, _reduce_cells(np.maximum, x, rs, 1, overlapping), cs, 2, overlapping)
        else:
            work = x.astype(np.float64) if x.dtype.kind != "f" else x
            s = _reduce_cells(np.add, _reduce_cells(np.add, work, rs, 1, overlapping), cs, 2, overlapping)
            cnt = _cell_counts(rs, h, overlapping)[:, None] * _cell_counts(cs, w, overlapping)[None, :]
            if x.dtype.kind == "f":
                out = (s / cnt[None, :, :, None].astype(x.dtype)).astype(x.dtype)
            else:  # TF divides integers with truncation
                out = np.trunc(s / cnt[None, :, :, None]).astype(x.dtype)
        return out, rs, cs
    return kernel


def _fractional_infer(api, op):
    def infer(specs, attrs):
        sh.check_dtype(api, op, specs[0], _FRAC_T, "value")
        ratio = attrs["pooling_ratio"]
        if len(ratio) != 4:
            raise sh.error(api, op, "pooling_ratio field must specify 4 dimensions")
        xs = sh.dims(specs[0])
        if xs is not None and len(xs) != 4:
            raise sh.error(api, op, "tensor_in must be 4-dimensional, got shape %s (argument value)" % sh.fmt(xs))
        xs = xs or (None,) * 4
        out = tuple(_frac_out_size(d, r) for d, r in zip(xs, ratio))
        for i, o in enumerate(out):
            if o is not None and o <= 0 and (i in (1, 2)):
                raise sh.error(api, op, "Pooling ratio is higher than input dimension size for dimension %d. Input "
                               "dim size: %d pooling ratio: %s (argument value shape %s)"
                               % (i, xs[i], ratio[i], sh.fmt(xs)))
        seq = lambda o: (None if o is None else o + 1,)  # noqa: E731
        return [(out, specs[0].dtype), (seq(out[1]), dtypes.int64), (seq(out[2]), dtypes.int64)]
    return infer


def _fractional_max_pool_grad_kernel(xp, x, y, dy, rs, cs, overlapping):
    if x.ndim != 4 or dy.shape != y.shape:
        raise ValueError("orig_input must be 4-D and out_backprop the shape of orig_output")
    n, h, w, c = x.shape
    _check_seq(rs, h, "row_pooling_sequence")
    _check_seq(cs, w, "col_pooling_sequence")
    rstart, rend = _cell_bounds(rs, h, overlapping)
    cstart, cend = _cell_bounds(cs, w, overlapping)
    if dy.shape[1:3] != (len(rstart), len(cstart)):
        raise ValueError("out_backprop's shape does not match the pooling sequences")
    if x.size == 0 or dy.size == 0:
        return np.zeros_like(x)
    kh, kw = int((rend - rstart).max()) + 1, int((cend - cstart).max()) + 1
    ti, tj = np.arange(kh), np.arange(kw)
    rows = np.minimum(rstart[:, None] + ti, h - 1)  # [oh, kh]
    cols = np.minimum(cstart[:, None] + tj, w - 1)  # [ow, kw]
    rvalid = rstart[:, None] + ti <= rend[:, None]
    cvalid = cstart[:, None] + tj <= cend[:, None]
    # cells [N, oh, ow, C, kh*kw], taps in row-major order
    cells = x[:, rows][:, :, :, cols]  # [N, oh, kh, ow, kw, C]
    cells = cells.transpose(0, 1, 3, 5, 2, 4).reshape(n, len(rstart), len(cstart), c, kh * kw)
    valid = (rvalid[:, None, :, None] & cvalid[None, :, None, :]).reshape(len(rstart), len(cstart), 1, kh * kw)
    best = np.where(valid, cells, cells.min() if cells.dtype.kind != "f" else -np.inf).max(-1, keepdims=True)
    # TF's scan takes the first valid tap, then any strictly greater one: the first maximum.
    first = np.argmax(valid & (cells == best), axis=-1)
    fh, fw = np.divmod(first, kw)
    hin = rows[np.arange(len(rstart))[None, :, None, None], fh]
    win = cols[np.arange(len(cstart))[None, None, :, None], fw]
    idx = ((np.arange(n)[:, None, None, None] * h + hin) * w + win) * c + np.arange(c)
    return _scatter_add(idx, dy, x.size, x.dtype).reshape(x.shape)


def _fractional_avg_pool_grad_kernel(xp, orig_shape, dy, rs, cs, overlapping):
    shape = tuple(int(v) for v in np.asarray(orig_shape).reshape(-1))
    if len(shape) != 4:
        raise ValueError("original input tensor shape must be 1-dimensional and 4 elements")
    n, h, w, c = shape
    _check_seq(rs, h, "row_pooling_sequence")
    _check_seq(cs, w, "col_pooling_sequence")
    rstart, rend = _cell_bounds(rs, h, overlapping)
    cstart, cend = _cell_bounds(cs, w, overlapping)
    if dy.shape != (n, len(rstart), len(cstart), c):
        raise ValueError("out_backprop's shape does not match the pooling sequences")
    cnt = (rend - rstart + 1)[:, None] * (cend - cstart + 1)[None, :]
    g = dy.astype(np.float64) / cnt[None, :, :, None]  # TF accumulates in double
    # Each input row receives the sum over the cells covering it: cover matrices [h, oh], [w, ow].
    r = np.arange(h)[:, None]
    rcover = ((r >= rstart) & (r <= rend)).astype(np.float64)
    cl = np.arange(w)[:, None]
    ccover = ((cl >= cstart) & (cl <= cend)).astype(np.float64)
    out = np.einsum("ia,nabc,jb->nijc", rcover, g, ccover, optimize=True)
    return out.astype(dy.dtype)


def _fmp_grad_infer(specs, attrs):
    api, op = _FMP_API, "FractionalMaxPoolGrad"
    sh.check_dtype(api, op, specs[0], _FRAC_T, "orig_input")
    sh.same_dtype(api, op, specs[:3], ("orig_input", "orig_output", "out_backprop"))
    xs = sh.dims(specs[0])
    if xs is not None and len(xs) != 4:
        raise sh.error(api, op, "orig_input must be 4-dimensional, got shape %s" % sh.fmt(xs))
    return [(xs, specs[0].dtype)]


def _fap_grad_infer(specs, attrs):
    api, op = _FAP_API, "FractionalAvgPoolGrad"
    sh.check_dtype(api, op, specs[1], _FRAC_T, "out_backprop")
    v = array_ops._shape_value(specs[0])
    gs = sh.dims(specs[1])
    if v is None:
        v = (None,) * 4
    if len(v) != 4:
        raise sh.error(api, op, "original input tensor shape must be 1-dimensional and 4 elements, got %s"
                       % (list(v),))
    v = tuple(None if d is None or d < 0 else d for d in v)
    if gs is not None:
        v = (v[0] if v[0] is not None else gs[0],) + v[1:3] + (v[3] if v[3] is not None else gs[3],)
    return [(v, specs[1].dtype)]


def _fmp_grad(op, dy, *_):
    x = op.inputs[0]
    y, rs, cs = op.outputs
    return [bind("FractionalMaxPoolGrad", [x, y, dy, rs, cs], {"overlapping": op.attrs["overlapping"]})]


def _fap_grad(op, dy, *_):
    x = op.inputs[0]
    s = x.shape._dims
    if s is not None and None not in s:
        shape = constant(np.array(s, np.int64))
    else:
        shape = array_ops.shape(x, out_type=dtypes.int64)
    return [bind("FractionalAvgPoolGrad", [shape, dy, op.outputs[1], op.outputs[2]],
                 {"overlapping": op.attrs["overlapping"]})]


def _frac_attrs(ratio, pseudo_random, overlapping, seed=5, seed2=11):
    return {"pooling_ratio": (1.0, ratio[0], ratio[1], 1.0), "pseudo_random": pseudo_random,
            "overlapping": overlapping, "deterministic": True, "seed": seed, "seed2": seed2}


_FRAC_SAMPLES = [((2, 7, 9, 2), _frac_attrs((1.5, 1.44), False, False)),
                 ((1, 8, 7, 3), _frac_attrs((1.7, 2.0), True, False)),
                 ((2, 9, 10, 2), _frac_attrs((1.4, 1.6), True, True)),
                 ((1, 6, 8, 2), _frac_attrs((2.0, 1.3), False, True))]


def _frac_samples():
    return [([S.distinct(*xs)], a) for xs, a in _FRAC_SAMPLES] + \
        [([S.ints(-50, 50, 1, 5, 6, 2)], _frac_attrs((1.5, 1.5), False, False))]


def _fmp_grad_samples():
    out = []
    for xs, a in _FRAC_SAMPLES:
        x = S.distinct(*xs)
        y, rs, cs = _fractional_kernel("max")(np, x, **a)
        out.append(([x, y, S.normal(*y.shape), rs, cs], {"overlapping": a["overlapping"]}))
    return out


def _fap_grad_samples():
    out = []
    for xs, a in _FRAC_SAMPLES:
        y, rs, cs = _fractional_kernel("avg")(np, np.zeros(xs), **a)
        out.append(([np.array(xs, np.int64), S.normal(*y.shape), rs, cs], {"overlapping": a["overlapping"]}))
    return out


register("FractionalMaxPool", kernel=_fractional_kernel("max"), infer=_fractional_infer(_FMP_API, "FractionalMaxPool"),
         grad=_fmp_grad, api=_FMP_API, num_outputs=3, stateful=True, args=("value",), samples=_frac_samples)
register("FractionalAvgPool", kernel=_fractional_kernel("avg"), infer=_fractional_infer(_FAP_API, "FractionalAvgPool"),
         grad=_fap_grad, api=_FAP_API, num_outputs=3, stateful=True, args=("value",), samples=_frac_samples)
register("FractionalMaxPoolGrad", kernel=_fractional_max_pool_grad_kernel, infer=_fmp_grad_infer,
         grad=NON_DIFFERENTIABLE, api=_FMP_API,
         args=("orig_input", "orig_output", "out_backprop", "row_pooling_sequence", "col_pooling_sequence"),
         samples=_fmp_grad_samples)
register("FractionalAvgPoolGrad", kernel=_fractional_avg_pool_grad_kernel, infer=_fap_grad_infer,
         grad=NON_DIFFERENTIABLE, api=_FAP_API,
         args=("orig_input_tensor_shape", "out_backprop", "row_pooling_sequence", "col_pooling_sequence"),
         samples=_fap_grad_samples)


def _pooling_ratio(pooling_ratio):
    """TF's checks and _get_sequence(pooling_ratio, 2, 3): a 4-tuple of floats."""
    if isinstance(pooling_ratio, (list, tuple)):
        if pooling_ratio[0] != 1.0 or pooling_ratio[-1] != 1.0:
            raise ValueError("`pooling_ratio` should have first and last elements with value 1.0. Received: "
                             "pooling_ratio=%s" % (pooling_ratio,))
        for element in pooling_ratio:
            if element < 1.0:
                raise ValueError("`pooling_ratio` elements should be >= 1.0. Received: pooling_ratio=%s"
                                 % (pooling_ratio,))
        value = list(pooling_ratio)
    elif isinstance(pooling_ratio, (int, float)):
        if pooling_ratio < 1.0:
            raise ValueError("`pooling_ratio` should be >= 1.0. Received: pooling_ratio=%s" % (pooling_ratio,))
        value = [pooling_ratio]
    else:
        raise ValueError("`pooling_ratio` should be an int or a list of ints. Received: pooling_ratio=%s"
                         % (pooling_ratio,))
    if len(value) == 4:
        return tuple(float(v) for v in value)
    if len(value) == 1:
        value = value * 2
    if len(value) != 2:
        raise ValueError("pooling_ratio should be of length 1, 2 or 4. Received: pooling_ratio=%s of length %d"
                         % (value, len(value)))
    return (1.0, float(value[0]), float(value[1]), 1.0)


def _fractional_pool(op_name, api, value, pooling_ratio, pseudo_random, overlapping, seed):
    if op_name == "FractionalMaxPool":
        ratio = _pooling_ratio(pooling_ratio)
    else:  # TF's fractional_avg_pool passes pooling_ratio to the op unchecked: a list of 4 floats
        if isinstance(pooling_ratio, Tensor):
            pooling_ratio = np.asarray(pooling_ratio._value).reshape(-1).tolist()
        if not isinstance(pooling_ratio, (list, tuple)):
            raise TypeError("Expected list for 'pooling_ratio' argument to 'fractional_avg_pool' Op, not %s."
                            % (pooling_ratio,))
        ratio = tuple(float(v) for v in pooling_ratio)
    if seed == 0:
        s1, s2, det = 0, 0, False
    else:
        s1, s2 = random_ops.get_seed(seed)
        det = True
    attrs = {"pooling_ratio": ratio, "pseudo_random": bool(pseudo_random), "overlapping": bool(overlapping),
             "deterministic": det, "seed": int(s1 or 0), "seed2": int(s2 or 0)}
    return bind(op_name, [_t(value)], attrs)


@tf_export("nn.fractional_max_pool")
def fractional_max_pool(value, pooling_ratio, pseudo_random=False, overlapping=False, seed=0, name=None):
    """Fractional max pooling of a 4-D `value` [batch, height, width, channels] (tf.nn.fractional_max_pool).

    Each output row/column pools a run of floor(ratio) or ceil(ratio) input rows/columns, chosen
    randomly (or pseudo-randomly with `pseudo_random`); with `overlapping` each cell also includes
    the first row/column of the next one.

    Returns:
      A tuple (output, row_pooling_sequence, col_pooling_sequence); the sequences are int64 cell
      boundaries starting at 0 and ending at the input size.
    """
    return _fractional_pool("FractionalMaxPool", _FMP_API, value, pooling_ratio, pseudo_random, overlapping, seed)


@tf_export("nn.fractional_avg_pool")
def fractional_avg_pool(value, pooling_ratio, pseudo_random=False, overlapping=False, seed=0, name=None):
    """Fractional average pooling of a 4-D `value` [batch, height, width, channels] (tf.nn.fractional_avg_pool).

    Returns:
      A tuple (output, row_pooling_sequence, col_pooling_sequence), as tf.nn.fractional_max_pool.
    """
    return _fractional_pool("FractionalAvgPool", _FAP_API, value, pooling_ratio, pseudo_random, overlapping, seed)
