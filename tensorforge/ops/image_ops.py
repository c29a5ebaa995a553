"""Image ops: tf.image.* (resizing, flips and rotations, crops and pads, dtype conversion,
colour and contrast adjustments) with TensorFlow's semantics.

Images are 3-D [height, width, channels] or 4-D [batch, height, width, channels]. Resizing is
separable: each method gives, per axis, a small table of source indices and weights (computed
in float32 exactly as TF's kernels compute them), applied along one axis then the other (the
order with the smaller intermediate); the gradient applies the transposed tables.
"""
from __future__ import annotations

import functools

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.context import ctx
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor
from . import array_ops, linalg_ops, math_ops, nn_ops, random_ops
from . import sample_inputs as S
from . import shapes as sh
from .registry import NON_DIFFERENTIABLE, bind, register

_t = convert_to_tensor
_F32 = np.float32


# ---------------------------------------------------------------- interpolation tables (one axis)
def _resize_scale(in_size: int, out_size: int, align_corners: bool):
    """TF's CalculateResizeScale, in float32."""
    if align_corners and out_size > 1:
        return _F32(in_size - 1) / _F32(out_size - 1)
    return _F32(in_size) / _F32(out_size)


def _source(out_size, scale, half_pixel, nearest=False):
    """Source coordinates of the output pixels (TF's HalfPixelScaler / LegacyScaler), float32."""
    i = np.arange(out_size, dtype=_F32)
    if half_pixel:
        return (i + _F32(0.5)) * scale if nearest else (i + _F32(0.5)) * scale - _F32(0.5)
    return i * scale


def _bilinear_table(in_size, out_size, align_corners, half_pixel):
    src = _source(out_size, _resize_scale(in_size, out_size, align_corners), half_pixel)
    f = np.floor(src)
    lower = np.maximum(f.astype(np.int64), 0)
    upper = np.minimum(np.ceil(src).astype(np.int64), in_size - 1)
    lerp = src - f
    return np.stack([lower, upper], 1), np.stack([_F32(1) - lerp, lerp], 1)


def _nearest_table(in_size, out_size, align_corners, half_pixel):
    src = _source(out_size, _resize_scale(in_size, out_size, align_corners), half_pixel, nearest=True)
    src = src.astype(np.float64)
    idx = np.floor(src + 0.5) if align_corners else np.floor(src)  # roundf: src >= 0
    idx = np.minimum(idx.astype(np.int64), in_size - 1)
    if half_pixel:
        idx = np.maximum(idx, 0)
    return idx[:, None], np.ones((out_size, 1), _F32)


_TABLE_SIZE = 1024
_CUBIC_TABLES: dict = {}


def _cubic_coeffs(a: float) -> np.ndarray:
    """TF's InitCoeffsTable: [(kTableSize + 1), 2] float32 Keys-cubic coefficients."""
    t = _CUBIC_TABLES.get(a)
    if t is None:
        x = (np.arange(_TABLE_SIZE + 1) * 1.0 / _TABLE_SIZE).astype(_F32).astype(np.float64)
        c0 = ((a + 2) * x - (a + 3)) * x * x + 1
        x1 = (x.astype(_F32) + _F32(1.0)).astype(np.float64)
        c1 = ((a * x1 - 5 * a) * x1 + 8 * a) * x1 - 4 * a
        t = _CUBIC_TABLES[a] = np.stack([c0, c1], 1).astype(_F32)
    return t


def _bicubic_table(in_size, out_size, align_corners, half_pixel):
    keys = half_pixel  # TF uses Keys' a=-0.5 with renormalised borders for half-pixel centres
    table = _cubic_coeffs(-0.5 if keys else -0.75)
    src = _source(out_size, _resize_scale(in_size, out_size, align_corners), half_pixel)
    loc = np.floor(src).astype(np.int64)
    delta = src - loc.astype(_F32)
    off = np.rint(delta * _F32(_TABLE_SIZE)).astype(np.int64)
    w = np.stack([table[off, 1], table[off, 0], table[_TABLE_SIZE - off, 0], table[_TABLE_SIZE - off, 1]], 1)
    raw = loc[:, None] + np.arange(-1, 3)
    idx = np.clip(raw, 0, in_size - 1)
    if keys:
        w = np.where(idx == raw, w, _F32(0))
        total = w.sum(axis=1, dtype=_F32)
        ok = np.abs(total) >= _F32(1000.0) * np.finfo(_F32).tiny
        w = np.where(ok[:, None], w * (_F32(1) / np.where(ok, total, _F32(1)))[:, None], w)
    return idx, w.astype(_F32)


def _area_table(in_size, out_size, align_corners, half_pixel):
    scale = _resize_scale(in_size, out_size, align_corners)
    i = np.arange(out_size, dtype=_F32)
    lo, hi = i * scale, (i + _F32(1)) * scale
    start = np.floor(lo).astype(np.int64)
    end = np.ceil(hi).astype(np.int64)
    k = int((end - start).max()) if out_size else 1
    cell = start[:, None] + np.arange(k)
    cf = cell.astype(_F32)
    lo2, hi2 = lo[:, None], hi[:, None]
    w = np.where(cf < lo2, np.where(cf + 1 > hi2, scale, cf + 1 - lo2), np.where(cf + 1 > hi2, hi2 - cf, _F32(1)))
    w = np.where(cell < end[:, None], w, _F32(0)).astype(_F32) * (_F32(1) / scale)
    return np.clip(cell, 0, in_size - 1), w.astype(_F32)


_TABLES = {"bilinear": _bilinear_table, "nearest": _nearest_table, "bicubic": _bicubic_table, "area": _area_table}


@functools.lru_cache(maxsize=512)
def _table(method, in_size, out_size, align_corners, half_pixel):
    idx, w = _TABLES[method](in_size, out_size, align_corners, half_pixel)
    idx.setflags(write=False)
    w.setflags(write=False)
    return idx, w


def _tables(method, in_hw, out_hw, align_corners, half_pixel):
    return [_table(method, int(i), int(o), bool(align_corners), bool(half_pixel)) for i, o in zip(in_hw, out_hw)]


_BLOCK = 1 << 16  # elements per tap temporary: blocks stay in cache


def _apply(x, table, axis):
    """Resamples `x` along `axis` with a (indices [out, K], weights [out, K] or None) table.

    out[..., i, ...] = sum_k w[i, k] * x[..., idx[i, k], ...]. The gather runs over long
    contiguous runs (rows of the trailing dimensions when they are large, else flattened
    (index, trailing) positions) and over cache-sized blocks of the leading dimensions, so
    each tap costs one pass over a cached block instead of a full-size temporary.
    """
    idx, w = table
    shape = x.shape
    outer = int(np.prod(shape[:axis], dtype=np.int64))
    n = shape[axis]
    inner = int(np.prod(shape[axis + 1:], dtype=np.int64))
    m, taps = idx.shape
    if inner < 32:  # gather flattened (index, trailing) columns
        src = x.reshape(outer, n * inner)
        cols = np.arange(inner)
        gather = [(idx[:, k, None] * inner + cols).reshape(-1) for k in range(taps)]
        weights = None if w is None else [np.repeat(w[:, k].astype(x.dtype), inner) for k in range(taps)]
        out = np.empty((outer, m * inner), x.dtype)
    else:
        src = x.reshape(outer, n, inner)
        gather = [np.ascontiguousarray(idx[:, k]) for k in range(taps)]
        weights = None if w is None else [w[:, k].astype(x.dtype)[:, None] for k in range(taps)]
        out = np.empty((outer, m, inner), x.dtype)
    per_row = m * inner
    step = max(1, _BLOCK // max(per_row, 1))
    tmp = np.empty((min(step, outer),) + out.shape[1:], x.dtype) if taps > 1 else None
    for a in range(0, outer, step):  # cache-sized blocks of rows, each fully vectorised
        b = min(a + step, outer)
        blk = out[a:b]
        np.take(src[a:b], gather[0], axis=1, out=blk, mode="clip")
        if weights is not None:
            blk *= weights[0]
        for k in range(1, taps):
            t = tmp[:b - a]
            np.take(src[a:b], gather[k], axis=1, out=t, mode="clip")
            if weights is not None:
                t *= weights[k]
            blk += t
    return out.reshape(shape[:axis] + (m,) + shape[axis + 1:])


def _transpose_table(table, n):
    """The adjoint table of `table` onto an axis of size `n`: for each source index, the output
    positions that read it and their weights (padded with weight 0)."""
    idx, w = table
    m, k = idx.shape
    src = idx.reshape(-1)
    dst = np.repeat(np.arange(m), k)
    wt = np.ones(src.size, _F32) if w is None else w.reshape(-1)
    order = np.argsort(src, kind="stable")
    src, dst, wt = src[order], dst[order], wt[order]
    counts = np.bincount(src, minlength=n)
    kt = max(int(counts.max()) if counts.size else 1, 1)
    first = np.cumsum(counts) - counts
    pos = np.arange(src.size) - first[src]
    idx_t = np.zeros((n, kt), np.int64)
    w_t = np.zeros((n, kt), _F32)
    idx_t[src, pos] = dst
    w_t[src, pos] = wt
    return idx_t, w_t


def _apply_transpose(g, table, axis, n):
    """The adjoint of `_apply`: scatters `g` back onto an axis of size `n`."""
    if g.size == 0:
        shape = list(g.shape)
        shape[axis] = n
        return np.zeros(shape, g.dtype)
    return _apply(g, _transpose_table(table, n), axis)


def _compute_dtype(dtype):
    return np.float64 if dtype == np.float64 else _F32


# ---------------------------------------------------------------- resize ops
_RESIZE_TYPES = (dtypes.int8, dtypes.uint8, dtypes.int16, dtypes.uint16, dtypes.int32, dtypes.int64,
                 dtypes.bfloat16, dtypes.float16, dtypes.float32, dtypes.float64)


def _float_out(d):
    """Output dtype of ResizeBilinear/Bicubic: float32, except float64 stays float64 (so the registry can
    check the gradient by finite differences); tf.image.resize casts that to float32 as TF does."""
    return dtypes.float64 if d is dtypes.float64 else dtypes.float32


def _resize_infer(api, op, out_dtype, allowed=_RESIZE_TYPES):
    def infer(specs, attrs):
        s = sh.dims(specs[0])
        sh.check_dtype(api, op, specs[0], allowed, "images")
        if attrs.get("half_pixel_centers") and attrs.get("align_corners"):
            raise sh.error(api, op, "If half_pixel_centers is True, align_corners must be False.")
        h, w = attrs["size"]
        if h <= 0 or w <= 0:
            raise sh.error(api, op, "output dimensions must be positive")
        d = out_dtype(specs[0].dtype)
        if s is None:
            return [((None, h, w, None), d)]
        if len(s) != 4:
            raise sh.error(api, op, "input must be 4-dimensional%s" % sh.fmt(s))
        if 0 in s[1:3]:
            raise sh.error(api, op, "input image must be of non-zero size, got %s" % sh.fmt(s))
        return [((s[0], h, w, s[3]), d)]
    return infer


def _check_resize(images, size, align_corners, half_pixel_centers):
    """Kernel-side checks; bind turns the failure into inference's TF message."""
    if images.ndim != 4 or size[0] <= 0 or size[1] <= 0 or (align_corners and half_pixel_centers) \
            or 0 in images.shape[1:3]:
        raise ValueError("invalid resize arguments")


def _resize_kernel(method, keep_dtype=False, out32=False):
    def kernel(xp, images, size, align_corners=False, half_pixel_centers=False):
        _check_resize(images, size, align_corners, half_pixel_centers)
        th, tw = _tables(method, images.shape[1:3], size, align_corners, half_pixel_centers)
        if keep_dtype:
            th, tw = (th[0], None), (tw[0], None)
            x = images
        else:
            x = images.astype(_F32 if out32 else _compute_dtype(images.dtype), copy=False)
        if size[0] * images.shape[2] <= images.shape[1] * size[1]:  # the smaller intermediate first
            return _apply(_apply(x, th, 1), tw, 2)
        return _apply(_apply(x, tw, 2), th, 1)
    return kernel


def _resize_grad_kernel(method):
    def kernel(xp, grads, original_image, align_corners=False, half_pixel_centers=False):
        in_hw = original_image.shape[1:3]
        th, tw = _tables(method, in_hw, grads.shape[1:3], align_corners, half_pixel_centers)
        g = grads.astype(_compute_dtype(original_image.dtype), copy=False)
        dx = _apply_transpose(_apply_transpose(g, tw, 2, in_hw[1]), th, 1, in_hw[0])
        return dx.astype(original_image.dtype, copy=False)
    return kernel


def _resize_grad_infer(api, op):
    def infer(specs, attrs):
        g, x = sh.dims(specs[0]), sh.dims(specs[1])
        sh.check_dtype(api, op, specs[0], (dtypes.float32, dtypes.float64), "grads")
        sh.check_dtype(api, op, specs[1], sh.FLOATS, "original_image")
        for name, s in (("input_grad", g), ("original_image", x)):
            if s is not None and len(s) != 4:
                raise sh.error(api, op, "%s must be 4-dimensional%s" % (name, sh.fmt(s)))
        if g is not None and x is not None:
            for i, name in ((0, "batch"), (3, "channel")):
                if None not in (g[i], x[i]) and g[i] != x[i]:
                    raise sh.error(api, op, "input_grad and original_image must have the same %s size: %s vs %s"
                                   % (name, sh.fmt(g), sh.fmt(x)))
        return [(x, specs[1].dtype)]
    return infer


def _resize_attrs(op):
    return {"align_corners": op.attrs["align_corners"], "half_pixel_centers": op.attrs["half_pixel_centers"]}


def _float_resize_grad(grad_op):
    def grad(op, dy):
        x = op.inputs[0]
        if not x.dtype.is_floating:
            return [None]
        return [bind(grad_op, [dy, x], _resize_attrs(op))]
    return grad


def _grad_of_grad(fwd_op):
    """ResizeXGrad is linear in `grads`; its gradient is the forward resize back to grads' size."""
    def grad(op, ddx):
        g = op.inputs[0]
        attrs = dict(_resize_attrs(op), size=tuple(g.shape.as_list()[1:3]))
        out = bind(fwd_op, [ddx], attrs)
        return [out if out.dtype is g.dtype else math_ops.cast(out, g.dtype), None]
    return grad


def _resize_samples():
    base = {"align_corners": False, "half_pixel_centers": True}
    return [([S.normal(2, 4, 5, 3)], dict(base, size=(3, 7))),
            ([S.normal(1, 3, 2, 2)], dict(base, size=(5, 5))),
            ([S.normal(1, 4, 4, 1)], {"size": (3, 6), "align_corners": True, "half_pixel_centers": False}),
            ([S.ints(0, 255, 1, 3, 4, 2, dtype=np.uint8)], dict(base, size=(4, 3)))]


def _resize_grad_samples():
    base = {"align_corners": False, "half_pixel_centers": True}
    return [([S.normal(2, 3, 7, 3), S.normal(2, 4, 5, 3)], base),
            ([S.normal(1, 5, 3, 1), S.normal(1, 2, 4, 1)], {"align_corners": True, "half_pixel_centers": False}),
            ([S.normal(1, 2, 2, 2, dtype=np.float32), S.normal(1, 3, 3, 2, dtype=np.float32)], base)]


for _m, _op, _api in (("bilinear", "ResizeBilinear", "tf.image.resize"),
                      ("bicubic", "ResizeBicubic", "tf.image.resize")):
    register(_op, kernel=_resize_kernel(_m), infer=_resize_infer(_api, _op, _float_out),
             grad=_float_resize_grad(_op + "Grad"), api=_api, args=("images",), samples=_resize_samples)
    register(_op + "Grad", kernel=_resize_grad_kernel(_m), infer=_resize_grad_infer(_api, _op + "Grad"),
             grad=_grad_of_grad(_op), api=_api, args=("grads", "original_image"), samples=_resize_grad_samples)

register("ResizeArea", kernel=_resize_kernel("area", out32=True), infer=_resize_infer("tf.image.resize", "ResizeArea",
                                                                          lambda d: dtypes.float32),
         grad=NON_DIFFERENTIABLE, api="tf.image.resize", args=("images",),
         samples=lambda: [([S.normal(2, 5, 7, 3)], {"size": (2, 3), "align_corners": False}),
                          ([S.normal(1, 3, 2, 1)], {"size": (7, 5), "align_corners": False}),
                          ([S.ints(0, 99, 1, 4, 4, 1)], {"size": (3, 3), "align_corners": True})])

_NN_TYPES = (dtypes.int8, dtypes.uint8, dtypes.int16, dtypes.uint16, dtypes.int32, dtypes.int64,
             dtypes.bfloat16, dtypes.float16, dtypes.float32, dtypes.float64)


def _nn_grad(op, dy):
    x = op.inputs[0]
    if not x.dtype.is_floating:
        return [None]
    attrs = dict(_resize_attrs(op), size=tuple(x.shape.as_list()[1:3]))
    return [bind("ResizeNearestNeighborGrad", [dy], attrs)]


register("ResizeNearestNeighbor", kernel=_resize_kernel("nearest", keep_dtype=True),
         infer=_resize_infer("tf.image.resize", "ResizeNearestNeighbor", lambda d: d, _NN_TYPES),
         grad=_nn_grad, api="tf.image.resize", args=("images",), samples=_resize_samples)


def _nn_grad_kernel(xp, grads, size, align_corners=False, half_pixel_centers=False):
    th, tw = _tables("nearest", size, grads.shape[1:3], align_corners, half_pixel_centers)
    return _apply_transpose(_apply_transpose(grads, tw, 2, size[1]), th, 1, size[0])


def _nn_grad_infer(specs, attrs):
    api, op = "tf.image.resize", "ResizeNearestNeighborGrad"
    sh.check_dtype(api, op, specs[0], (dtypes.uint8, dtypes.int8, dtypes.int32, dtypes.float16, dtypes.float32,
                                       dtypes.float64, dtypes.bfloat16), "grads")
    s = sh.dims(specs[0])
    h, w = attrs["size"]
    if s is None:
        return [((None, h, w, None), specs[0].dtype)]
    if len(s) != 4:
        raise sh.error(api, op, "input must be 4-dimensional%s" % sh.fmt(s))
    return [((s[0], h, w, s[3]), specs[0].dtype)]


def _nn_grad_grad(op, ddx):
    g = op.inputs[0]
    attrs = dict(_resize_attrs(op), size=tuple(g.shape.as_list()[1:3]))
    return [bind("ResizeNearestNeighbor", [ddx], attrs)]


register("ResizeNearestNeighborGrad", kernel=_nn_grad_kernel, infer=_nn_grad_infer, grad=_nn_grad_grad,
         api="tf.image.resize", args=("grads",),
         samples=lambda: [([S.normal(2, 3, 7, 3)], {"size": (4, 5), "align_corners": False,
                                                     "half_pixel_centers": True}),
                          ([S.normal(1, 6, 2, 1)], {"size": (3, 3), "align_corners": True,
                                                    "half_pixel_centers": False})])


# ---------------------------------------------------------------- AdjustContrastv2
def _contrast_kernel(xp, images, contrast_factor):
    x = images.astype(_F32, copy=False)
    mean = x.mean(axis=(-3, -2), keepdims=True, dtype=_F32)
    return ((x - mean) * _F32(contrast_factor) + mean).astype(images.dtype, copy=False)


def _contrast_infer(specs, attrs):
    api, op = "tf.image.adjust_contrast", "AdjustContrastv2"
    sh.check_dtype(api, op, specs[0], (dtypes.float16, dtypes.float32), "images")
    s, f = sh.dims(specs[0]), sh.dims(specs[1])
    if s is not None and len(s) < 3:
        raise sh.error(api, op, "input must be at least 3-D, got shape%s" % sh.fmt(s))
    if f is not None and len(f) != 0:
        raise sh.error(api, op, "contrast_factor must be scalar: %s" % sh.fmt(f))
    return [(s, specs[0].dtype)]


register("AdjustContrastv2", kernel=_contrast_kernel, infer=_contrast_infer, grad=NON_DIFFERENTIABLE,
         api="tf.image.adjust_contrast", args=("images", "contrast_factor"),
         samples=lambda: [([S.normal(2, 3, 4, 3, dtype=np.float32), S.scalar(1.7, np.float32)], {}),
                          ([S.normal(3, 3, 2, dtype=np.float16), S.scalar(0.5, np.float32)], {})])


# ---------------------------------------------------------------- shape checks (TF's messages)
def _image(image, name="image"):
    return _t(image)


def _check_at_least_3d(image):
    s = image.shape
    if s.rank is not None and s.rank < 3:
        raise ValueError("'image' (shape %s) must be at least three-dimensional." % s)
    if s.rank is not None and any(d == 0 for d in s.as_list()[-3:]):
        raise ValueError("inner 3 dims of 'image.shape' must be > 0: %s" % s)


def _rank_3_or_4(image, msg="'image' (shape %s) must have either 3 or 4 dimensions."):
    r = image.shape.rank
    if r not in (3, 4):
        raise ValueError(msg % image.shape)
    return r


def _static_int(v):
    """A Python int for an int or a scalar eager tensor; symbolic tensors are returned as is."""
    if isinstance(v, Tensor):
        return int(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    return v


# ---------------------------------------------------------------- resize
@tf_export("image.ResizeMethod")
class ResizeMethod:
    """The resize methods of tf.image.resize."""
    BILINEAR = "bilinear"
    NEAREST_NEIGHBOR = "nearest"
    BICUBIC = "bicubic"
    AREA = "area"
    LANCZOS3 = "lanczos3"
    LANCZOS5 = "lanczos5"
    GAUSSIAN = "gaussian"
    MITCHELLCUBIC = "mitchellcubic"


_SCALE_AND_TRANSLATE = ("lanczos3", "lanczos5", "gaussian", "mitchellcubic")


def _size_tuple(size):
    try:
        sz = array_ops._int_tuple(size)
    except (TypeError, ValueError):
        raise ValueError("'size' must be a 1-D int32 Tensor") from None
    if len(sz) != 2:
        raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
    return sz


@tf_export("image.resize")
def resize(images, size, method=ResizeMethod.BILINEAR, preserve_aspect_ratio=False, antialias=False,
           name=None) -> Tensor:
    """Resizes `images` (3-D HWC or 4-D NHWC) to `size` = [new_height, new_width] (tf.image.resize).

    Methods follow TF 2 (half-pixel centres): "bilinear" (default), "nearest", "bicubic", "area".
    Every method but "nearest" returns float32; "nearest" keeps the input dtype.
    With `preserve_aspect_ratio`, the image is scaled to fit inside `size`.
    """
    images = _t(images)
    rank = images.shape.rank
    if rank is None:
        raise ValueError("'images' contains no shape.")
    if rank not in (3, 4):
        raise ValueError("'images' must have either 3 or 4 dimensions.")
    size = _size_tuple(size)
    method = getattr(method, "value", method)
    if method not in _TABLES:
        if method in _SCALE_AND_TRANSLATE:
            raise NotImplementedError("tf.image.resize: method %r is not supported by tensorforge yet" % method)
        raise ValueError("Resize method is not implemented: {}".format(method))
    if antialias and method in ("bilinear", "bicubic"):
        raise NotImplementedError("tf.image.resize: antialias=True is not supported by tensorforge yet")
    x = images if rank == 4 else array_ops.expand_dims(images, 0)
    if preserve_aspect_ratio:
        h, w = x.shape.as_list()[1:3]
        scale = min(_F32(size[0]) / _F32(h), _F32(size[1]) / _F32(w))
        size = (int(np.round(scale * _F32(h))), int(np.round(scale * _F32(w))))
    if method == "nearest":
        out = bind("ResizeNearestNeighbor", [x], {"size": size, "align_corners": False, "half_pixel_centers": True})
    elif method == "area":
        out = bind("ResizeArea", [x], {"size": size, "align_corners": False})
    else:
        op = "ResizeBilinear" if method == "bilinear" else "ResizeBicubic"
        out = bind(op, [x], {"size": size, "align_corners": False, "half_pixel_centers": True})
        if out.dtype is not dtypes.float32:  # float64 images: TF's op returns float32
            out = math_ops.cast(out, dtypes.float32)
    return out if rank == 4 else array_ops.squeeze(out, axis=[0])


# ---------------------------------------------------------------- flips, rotations, transpose
def _flip(image, flip_index):
    image = _image(image)
    _check_at_least_3d(image)
    r = _rank_3_or_4(image, "'image' (shape %s)must have either 3 or 4 dimensions.")
    return array_ops.reverse(image, [flip_index + (r - 3)])


@tf_export("image.flip_left_right")
def flip_left_right(image) -> Tensor:
    """Flips an image (or batch) horizontally, along width (tf.image.flip_left_right)."""
    return _flip(image, 1)


@tf_export("image.flip_up_down")
def flip_up_down(image) -> Tensor:
    """Flips an image (or batch) vertically, along height (tf.image.flip_up_down)."""
    return _flip(image, 0)


def _random_flip(image, flip_index, random_func):
    image = _image(image)
    _check_at_least_3d(image)
    r = _rank_3_or_4(image)
    if r == 3:
        u = random_func(shape=[], minval=0, maxval=1.0)
        mirror = math_ops.less(u, 0.5)
        if ctx.graph is None:
            return array_ops.reverse(image, [flip_index]) if bool(mirror) else image
        return array_ops.where(mirror, array_ops.reverse(image, [flip_index]), image)
    batch = image.shape[0]
    u = random_func(shape=[batch], minval=0, maxval=1.0)
    flips = math_ops.cast(math_ops.round(array_ops.reshape(u, [batch, 1, 1, 1])), image.dtype)
    flipped = array_ops.reverse(image, [flip_index + 1])
    return math_ops.add(math_ops.multiply(flips, flipped), math_ops.multiply(math_ops.subtract(1, flips), image))


@tf_export("image.random_flip_left_right")
def random_flip_left_right(image, seed=None) -> Tensor:
    """Flips horizontally with probability 1/2 (per image of a batch) (tf.image.random_flip_left_right)."""
    return _random_flip(image, 1, lambda **kw: random_ops.random_uniform(seed=seed, **kw))


@tf_export("image.random_flip_up_down")
def random_flip_up_down(image, seed=None) -> Tensor:
    """Flips vertically with probability 1/2 (per image of a batch) (tf.image.random_flip_up_down)."""
    return _random_flip(image, 0, lambda **kw: random_ops.random_uniform(seed=seed, **kw))


@tf_export("image.stateless_random_flip_left_right")
def stateless_random_flip_left_right(image, seed) -> Tensor:
    """Deterministic random horizontal flip for a shape-[2] `seed` (tf.image.stateless_random_flip_left_right)."""
    return _random_flip(image, 1, lambda **kw: random_ops.stateless_random_uniform(seed=seed, **kw))


@tf_export("image.stateless_random_flip_up_down")
def stateless_random_flip_up_down(image, seed) -> Tensor:
    """Deterministic random vertical flip for a shape-[2] `seed` (tf.image.stateless_random_flip_up_down)."""
    return _random_flip(image, 0, lambda **kw: random_ops.stateless_random_uniform(seed=seed, **kw))


@tf_export("image.rot90")
def rot90(image, k=1, name=None) -> Tensor:
    """Rotates an image (or batch) counter-clockwise by k * 90 degrees (tf.image.rot90)."""
    image = _image(image)
    _check_at_least_3d(image)
    r = _rank_3_or_4(image)
    k = _static_int(k)
    if not isinstance(k, int):
        raise NotImplementedError("tf.image.rot90 with a symbolic `k` is not supported by tensorforge yet")
    k %= 4
    o = r - 3  # 1 for a batch
    hw = [o, o + 1]
    perm = list(range(o)) + [o + 1, o, o + 2]
    if k == 1:
        return array_ops.transpose(array_ops.reverse(image, [o + 1]), perm)
    if k == 2:
        return array_ops.reverse(image, hw)
    if k == 3:
        return array_ops.reverse(array_ops.transpose(image, perm), [o + 1])
    return image


@tf_export("image.transpose")
def transpose(image, name=None) -> Tensor:
    """Swaps height and width of an image (or batch) (tf.image.transpose)."""
    image = _image(image)
    _check_at_least_3d(image)
    r = _rank_3_or_4(image)
    return array_ops.transpose(image, [1, 0, 2] if r == 3 else [0, 2, 1, 3])


# ---------------------------------------------------------------- crops and pads
def _hw(image):
    s = image.shape.as_list()
    return s[-3], s[-2]


@tf_export("image.central_crop")
def central_crop(image, central_fraction) -> Tensor:
    """Crops the central `central_fraction` of an image (or batch) (tf.image.central_crop)."""
    image = _image(image)
    f = float(central_fraction)
    if f <= 0.0 or f > 1.0:
        raise ValueError("central_fraction must be within (0, 1]")
    if f == 1.0:
        return image
    _check_at_least_3d(image)
    r = image.shape.rank
    if r != 3 and r != 4:
        raise ValueError("`image` should either be a Tensor with rank = 3 or rank = 4. Had rank = {}.".format(r))
    h, w = _hw(image)
    if h is None or w is None:
        raise NotImplementedError("tf.image.central_crop needs a static height and width in tensorforge")
    top = int((float(h) - float(h) * f) / 2)
    left = int((float(w) - float(w) * f) / 2)
    begin = [top, left, 0] if r == 3 else [0, top, left, 0]
    size = [h - 2 * top, w - 2 * left, -1] if r == 3 else [-1, h - 2 * top, w - 2 * left, -1]
    return array_ops.slice(image, begin, size)


@tf_export("image.crop_to_bounding_box")
def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width) -> Tensor:
    """Crops the box with top-left corner (offset_height, offset_width) and the target size
    (tf.image.crop_to_bounding_box)."""
    image = _image(image)
    r = _rank_3_or_4(image)
    _check_at_least_3d(image)
    oh, ow, th, tw = (_static_int(v) for v in (offset_height, offset_width, target_height, target_width))
    height, width = _hw(image)
    if ow < 0:
        raise ValueError("offset_width must be >= 0.")
    if oh < 0:
        raise ValueError("offset_height must be >= 0.")
    if tw <= 0:
        raise ValueError("target_width must be > 0.")
    if th <= 0:
        raise ValueError("target_height must be > 0.")
    if width is not None and width < tw + ow:
        raise ValueError("width must be >= target + offset.")
    if height is not None and height < th + oh:
        raise ValueError("height must be >= target + offset.")
    if r == 3:
        return array_ops.slice(image, [oh, ow, 0], [th, tw, -1])
    return array_ops.slice(image, [0, oh, ow, 0], [-1, th, tw, -1])


@tf_export("image.pad_to_bounding_box")
def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width) -> Tensor:
    """Pads an image with zeros: `offset_*` rows/columns before, up to the target size
    (tf.image.pad_to_bounding_box)."""
    image = _image(image)
    r = _rank_3_or_4(image)
    oh, ow, th, tw = (_static_int(v) for v in (offset_height, offset_width, target_height, target_width))
    height, width = _hw(image)
    after_w = tw - ow - width
    after_h = th - oh - height
    _check_at_least_3d(image)
    if oh < 0:
        raise ValueError("offset_height must be >= 0")
    if ow < 0:
        raise ValueError("offset_width must be >= 0")
    if after_w < 0:
        raise ValueError("width must be <= target - offset")
    if after_h < 0:
        raise ValueError("height must be <= target - offset")
    paddings = [[oh, after_h], [ow, after_w], [0, 0]]
    if r == 4:
        paddings = [[0, 0]] + paddings
    return array_ops.pad(image, paddings)


@tf_export("image.resize_with_crop_or_pad")
def resize_with_crop_or_pad(image, target_height, target_width) -> Tensor:
    """Centrally crops and/or zero-pads an image to the target size (tf.image.resize_with_crop_or_pad)."""
    image = _image(image)
    _rank_3_or_4(image)
    _check_at_least_3d(image)
    th, tw = _static_int(target_height), _static_int(target_width)
    if tw <= 0:
        raise ValueError("target_width must be > 0.")
    if th <= 0:
        raise ValueError("target_height must be > 0.")
    height, width = _hw(image)
    width_diff = tw - width
    offset_crop_width = max(-width_diff // 2, 0)
    offset_pad_width = max(width_diff // 2, 0)
    height_diff = th - height
    offset_crop_height = max(-height_diff // 2, 0)
    offset_pad_height = max(height_diff // 2, 0)
    cropped = crop_to_bounding_box(image, offset_crop_height, offset_crop_width, min(th, height), min(tw, width))
    return pad_to_bounding_box(cropped, offset_pad_height, offset_pad_width, th, tw)


# ---------------------------------------------------------------- dtype conversion
@tf_export("image.convert_image_dtype")
def convert_image_dtype(image, dtype, saturate=False, name=None) -> Tensor:
    """Converts an image to `dtype`, rescaling values: floats are in [0, 1), integers span
    [0, dtype.max] (tf.image.convert_image_dtype). With `saturate`, values are clipped first."""
    image = _t(image)
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating and not dtype.is_integer:
        raise AttributeError("dtype must be either floating point or integer")
    if not image.dtype.is_floating and not image.dtype.is_integer:
        raise AttributeError("image dtype must be either floating point or integer")
    if dtype is image.dtype:
        return array_ops.identity(image)
    if image.dtype.is_integer and dtype.is_integer:
        scale_in, scale_out = image.dtype.max, dtype.max
        if scale_in > scale_out:
            scale = (scale_in + 1) // (scale_out + 1)
            scaled = math_ops.floordiv(image, scale)
            return math_ops.saturate_cast(scaled, dtype) if saturate else math_ops.cast(scaled, dtype)
        cast = math_ops.saturate_cast(image, dtype) if saturate else math_ops.cast(image, dtype)
        return math_ops.multiply(cast, (scale_out + 1) // (scale_in + 1))
    if image.dtype.is_floating and dtype.is_floating:
        return math_ops.cast(image, dtype)
    if image.dtype.is_integer:
        return math_ops.multiply(math_ops.cast(image, dtype), 1.0 / image.dtype.max)
    scaled = math_ops.multiply(image, dtype.max + 0.5)
    return math_ops.saturate_cast(scaled, dtype) if saturate else math_ops.cast(scaled, dtype)


# ---------------------------------------------------------------- colour
@tf_export("image.rgb_to_grayscale")
def rgb_to_grayscale(images, name=None) -> Tensor:
    """Converts RGB images [..., 3] to grayscale [..., 1] with TF's luma weights (tf.image.rgb_to_grayscale)."""
    images = _t(images)
    orig = images.dtype
    flt = convert_image_dtype(images, dtypes.float32)
    gray = linalg_ops.tensordot(flt, _t(np.array([0.2989, 0.5870, 0.1140], _F32)), [[-1], [-1]])
    return convert_image_dtype(array_ops.expand_dims(gray, -1), orig)


@tf_export("image.grayscale_to_rgb")
def grayscale_to_rgb(images, name=None) -> Tensor:
    """Repeats a grayscale image's single channel three times (tf.image.grayscale_to_rgb)."""
    images = _t(images)
    s = images.shape
    if s.rank is not None and s.rank < 2:
        raise ValueError("A grayscale image (shape %s) must be at least two-dimensional." % s)
    if s.rank is not None and s[-1] is not None and s[-1] != 1:
        raise ValueError("Last dimension of a grayscale image should be size 1.")
    return array_ops.tile(images, [1] * (s.rank - 1) + [3])


@tf_export("image.adjust_brightness")
def adjust_brightness(image, delta) -> Tensor:
    """Adds `delta` to an image in float (integer images are converted and saturated back)
    (tf.image.adjust_brightness)."""
    image = _t(image)
    orig = image.dtype
    flt = image if orig in (dtypes.float16, dtypes.float32) else convert_image_dtype(image, dtypes.float32)
    adjusted = math_ops.add(flt, math_ops.cast(delta, flt.dtype))
    return convert_image_dtype(adjusted, orig, saturate=True)


@tf_export("image.adjust_contrast")
def adjust_contrast(images, contrast_factor) -> Tensor:
    """(x - mean) * contrast_factor + mean per channel, the mean over height and width
    (tf.image.adjust_contrast)."""
    images = _t(images)
    orig = images.dtype
    flt = images if orig in (dtypes.float16, dtypes.float32) else convert_image_dtype(images, dtypes.float32)
    factor = _t(contrast_factor, dtypes.float32)
    adjusted = bind("AdjustContrastv2", [flt, factor])
    return convert_image_dtype(adjusted, orig, saturate=True)


@tf_export("image.adjust_gamma")
def adjust_gamma(image, gamma=1, gain=1) -> Tensor:
    """gain * image ** gamma, in float (tf.image.adjust_gamma)."""
    image = _t(image)
    orig = image.dtype
    flt = image if orig in (dtypes.float16, dtypes.float32) else convert_image_dtype(image, dtypes.float32)
    if isinstance(gamma, (int, float)) and gamma < 0:
        raise ValueError("Gamma should be a non-negative real number.")
    adjusted = math_ops.multiply(math_ops.pow(flt, _t(gamma, flt.dtype)), _t(gain, flt.dtype))
    return convert_image_dtype(adjusted, orig, saturate=True)


@tf_export("image.random_brightness")
def random_brightness(image, max_delta, seed=None) -> Tensor:
    """adjust_brightness by a delta uniform in [-max_delta, max_delta) (tf.image.random_brightness)."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    delta = random_ops.random_uniform([], -max_delta, max_delta, seed=seed)
    return adjust_brightness(image, delta)


@tf_export("image.random_contrast")
def random_contrast(image, lower, upper, seed=None) -> Tensor:
    """adjust_contrast by a factor uniform in [lower, upper) (tf.image.random_contrast)."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    factor = random_ops.random_uniform([], lower, upper, seed=seed)
    return adjust_contrast(image, factor)


@tf_export("image.per_image_standardization")
def per_image_standardization(image) -> Tensor:
    """(x - mean) / max(stddev, 1/sqrt(num_pixels)) per image, in float32
    (tf.image.per_image_standardization)."""
    image = _image(image)
    _check_at_least_3d(image)
    image = math_ops.cast(image, dtypes.float32)
    num_pixels = int(np.prod(image.shape.as_list()[-3:]))
    axes = [-1, -2, -3]
    mean = math_ops.reduce_mean(image, axis=axes, keepdims=True)
    stddev = math_ops.reduce_std(image, axis=axes, keepdims=True)
    min_stddev = math_ops.rsqrt(_t(np.float32(num_pixels)))
    adjusted = math_ops.maximum(stddev, min_stddev)
    return math_ops.divide(math_ops.subtract(image, mean), adjusted)


@tf_export("image.stateless_random_brightness")
def stateless_random_brightness(image, max_delta, seed) -> Tensor:
    """adjust_brightness by a deterministic delta in [-max_delta, max_delta) for a shape-[2] `seed`
    (tf.image.stateless_random_brightness)."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    delta = random_ops.stateless_random_uniform([], seed=seed, minval=-max_delta, maxval=max_delta)
    return adjust_brightness(image, delta)


@tf_export("image.stateless_random_contrast")
def stateless_random_contrast(image, lower, upper, seed) -> Tensor:
    """adjust_contrast by a deterministic factor in [lower, upper) for a shape-[2] `seed`
    (tf.image.stateless_random_contrast)."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    factor = random_ops.stateless_random_uniform([], seed=seed, minval=lower, maxval=upper)
    return adjust_contrast(image, factor)


# ---------------------------------------------------------------- random crops, resize with pad
def _random_crop(value, size, uniform):
    value = _t(value)
    size = array_ops._int_tuple(size)
    shape = value.shape.as_list()
    if len(size) != len(shape):
        raise sh.error("tf.image.random_crop", "Slice", "Expected size to have %d elements, got %d"
                       % (len(shape), len(size)))
    if any(s is not None and s < z for s, z in zip(shape, size)):
        raise InvalidArgumentError(
            None, None, "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized data: "
            "b'Need value.shape >= size, got '\n%s\n%s" % (", ".join(map(str, shape)), ", ".join(map(str, size))))
    limit = _t(np.array([s - z + 1 for s, z in zip(shape, size)], np.int32))
    offset = math_ops.floormod(uniform([len(shape)], np.iinfo(np.int32).max), limit)
    return array_ops.slice(value, offset, size)


@tf_export("image.random_crop")
def random_crop(value, size, seed=None, name=None) -> Tensor:
    """A random `size`-shaped slice of `value`, uniform over offsets (tf.image.random_crop)."""
    return _random_crop(value, size, lambda shape, m: random_ops.random_uniform(
        shape, dtype=dtypes.int32, maxval=m, seed=seed))


@tf_export("image.stateless_random_crop")
def stateless_random_crop(value, size, seed, name=None) -> Tensor:
    """A deterministic random `size`-shaped slice of `value` for a shape-[2] `seed` (tf.image.stateless_random_crop)."""
    return _random_crop(value, size, lambda shape, m: random_ops.stateless_random_uniform(
        shape, seed=seed, dtype=dtypes.int32, maxval=m))


@tf_export("image.resize_with_pad")
def resize_with_pad(image, target_height, target_width, method=ResizeMethod.BILINEAR, antialias=False) -> Tensor:
    """Resizes keeping the aspect ratio, then zero-pads to the target size (tf.image.resize_with_pad)."""
    image = _image(image)
    _rank_3_or_4(image)
    _check_at_least_3d(image)
    th, tw = _static_int(target_height), _static_int(target_width)
    if tw <= 0:
        raise ValueError("target_width must be > 0.")
    if th <= 0:
        raise ValueError("target_height must be > 0.")
    height, width = _hw(image)
    fh, fw, fth, ftw = _F32(height), _F32(width), _F32(th), _F32(tw)
    ratio = max(fw / ftw, fh / fth)
    rh, rw = fh / ratio, fw / ratio
    p_h = max(0, int(np.floor((fth - rh) / _F32(2))))
    p_w = max(0, int(np.floor((ftw - rw) / _F32(2))))
    resized = resize(image, [int(np.floor(rh)), int(np.floor(rw))], method, antialias=antialias)
    return pad_to_bounding_box(resized, p_h, p_w, th, tw)


# ---------------------------------------------------------------- HSV colour space (TF's kernels, float32)
from ..framework.errors import FailedPreconditionError  # noqa: E402

_HSV_TYPES = (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64)


def _work_dtype(dtype):
    return np.float64 if dtype == np.float64 else _F32


def _three_channels_infer(api, op, allowed, min_rank=1, scalar=None):
    def infer(specs, attrs):
        sh.check_dtype(api, op, specs[0], allowed, "images")
        s = sh.dims(specs[0])
        if s is not None:
            if len(s) < min_rank:
                raise sh.error(api, op, "input must be at least %d-D, got shape%s" % (min_rank, sh.fmt(s)))
            if s[-1] is not None and s[-1] != 3:
                if scalar is None:
                    raise FailedPreconditionError(None, None, "%s: input must have 3 channels but input only has "
                                                  "%d channels. [Op:%s]" % (api, s[-1], op))
                raise sh.error(api, op, "input must have 3 channels but instead has %d channels." % s[-1])
        if scalar is not None:
            f = sh.dims(specs[1])
            if f is not None and len(f) != 0:
                raise sh.error(api, op, "%s must be scalar: %s" % (scalar, sh.fmt(f)))
        return [(s, specs[0].dtype)]
    return infer


def _check_rgb(images, min_rank=1, scalar=None):
    if images.ndim < min_rank or images.shape[-1] != 3 or (scalar is not None and np.ndim(scalar) != 0):
        raise ValueError("invalid image")


def _rgb_to_hsv_kernel(xp, images):
    _check_rgb(images)
    wd = _work_dtype(images.dtype)
    x = images.astype(wd, copy=False)
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    v = np.maximum(np.maximum(r, g), b)
    rng = v - np.minimum(np.minimum(r, g), b)
    zero = wd(0)
    s = np.where(v > zero, rng / np.where(v > zero, v, wd(1)), zero)
    with np.errstate(all="ignore"):
        norm = (wd(1) / rng) * (wd(1) / wd(6))
        h = np.where(r == v, norm * (g - b),
                     np.where(g == v, norm * (b - r) + wd(2) / wd(6), norm * (r - g) + wd(4) / wd(6)))
    h = np.where(rng > zero, h, zero)
    h = np.where(h < zero, h + wd(1), h)
    return np.stack([h, s, v], -1).astype(images.dtype, copy=False)


def _hsv_to_rgb_kernel(xp, images):
    _check_rgb(images)
    wd = _work_dtype(images.dtype)
    x = images.astype(wd, copy=False)
    h, s, v = x[..., 0], x[..., 1], x[..., 2]
    dh = h * wd(6)
    one, two = wd(1), wd(2)
    dr = np.clip(np.abs(dh - wd(3)) - one, 0, 1)
    dg = np.clip(two - np.abs(dh - two), 0, 1)
    db = np.clip(two - np.abs(dh - wd(4)), 0, 1)
    one_s = one - s
    out = np.stack([(one_s + s * dr) * v, (one_s + s * dg) * v, (one_s + s * db) * v], -1)
    return out.astype(images.dtype, copy=False)


def _rgb_to_hsv_grad(op, grad):
    """TF's _RGBToHSVGrad: piecewise derivatives of hue, saturation and value."""
    x = op.inputs[0]
    reds, greens, blues = x[..., 0], x[..., 1], x[..., 2]
    saturation, value = op.outputs[0][..., 1], op.outputs[0][..., 2]
    dtype = x.dtype

    def c(b):
        return math_ops.cast(b, dtype)

    def rec(t):
        return math_ops.divide_no_nan(math_ops.cast(1.0, dtype), t)

    sq = math_ops.square
    red_biggest = c((reds >= blues) & (reds >= greens))
    green_biggest = c((greens > reds) & (greens >= blues))
    blue_biggest = c((blues > reds) & (blues > greens))
    red_smallest = c((reds < blues) & (reds < greens))
    green_smallest = c((greens <= reds) & (greens < blues))
    blue_smallest = c((blues <= reds) & (blues <= greens))
    rpos, gpos, bpos = c(reds > 0), c(greens > 0), c(blues > 0)
    ds_dr = rpos * (red_biggest * (green_smallest * greens + blue_smallest * blues) * rec(sq(reds))
                    + red_smallest * -1 * rec(green_biggest * greens + blue_biggest * blues))
    ds_dg = gpos * (green_biggest * (red_smallest * reds + blue_smallest * blues) * rec(sq(greens))
                    + green_smallest * -1 * rec(red_biggest * reds + blue_biggest * blues))
    ds_db = bpos * (blue_biggest * (green_smallest * greens + red_smallest * reds) * rec(sq(blues))
                    + blue_smallest * -1 * rec(green_biggest * greens + red_biggest * reds))
    inv_sv = rec(sq(saturation)) * rec(sq(value))
    dh_dr = 60 * (rpos * red_biggest * -1 * (greens - blues) * inv_sv) \
        + 60 * (gpos * green_biggest * red_smallest * (blues - greens) * rec(sq(reds - greens))) \
        + 60 * (gpos * green_biggest * blue_smallest * -1 * rec(greens - blues)) \
        + 60 * (bpos * blue_biggest * red_smallest * (blues - greens) * rec(sq(blues - reds))) \
        + 60 * (bpos * blue_biggest * green_smallest * rec(blues - greens))
    dh_dg = 60 * (gpos * green_biggest * -1 * (blues - reds) * inv_sv) \
        + 60 * (rpos * red_biggest * green_smallest * (reds - blues) * rec(sq(reds - greens))) \
        + 60 * (rpos * red_biggest * blue_smallest * rec(reds - blues)) \
        + 60 * (bpos * blue_biggest * green_smallest * (reds - blues) * rec(sq(blues - greens))) \
        + 60 * (bpos * blue_biggest * red_smallest * -1 * rec(blues - reds))
    dh_db = 60 * (bpos * blue_biggest * -1 * (reds - greens) * inv_sv) \
        + 60 * (rpos * red_biggest * blue_smallest * (greens - reds) * rec(sq(reds - blues))) \
        + 60 * (rpos * red_biggest * green_smallest * -1 * rec(reds - greens)) \
        + 60 * (gpos * green_biggest * blue_smallest * (greens - reds) * rec(sq(greens - blues))) \
        + 60 * (gpos * green_biggest * red_smallest * rec(greens - reds))
    dh_dr, dh_dg, dh_db = dh_dr / 360, dh_dg / 360, dh_db / 360
    gh, gs, gv = grad[..., 0], grad[..., 1], grad[..., 2]
    dv = array_ops.stack([gv * red_biggest, gv * green_biggest, gv * blue_biggest], axis=-1)
    ds = array_ops.stack([gs * ds_dr, gs * ds_dg, gs * ds_db], axis=-1)
    dh = array_ops.stack([gh * dh_dr, gh * dh_dg, gh * dh_db], axis=-1)
    return [math_ops.add(math_ops.add(dv, ds), dh)]


def _rgb_samples():
    rng = np.random.default_rng(3)
    x = rng.uniform(0.05, 1.0, (2, 4, 3))
    return [([x], {}), ([rng.uniform(0, 1, (5, 3)).astype(np.float32)], {})]


register("RGBToHSV", kernel=_rgb_to_hsv_kernel, infer=_three_channels_infer("tf.image.rgb_to_hsv", "RGBToHSV",
                                                                            _HSV_TYPES),
         grad=_rgb_to_hsv_grad, api="tf.image.rgb_to_hsv", args=("images",), samples=_rgb_samples)
register("HSVToRGB", kernel=_hsv_to_rgb_kernel, infer=_three_channels_infer("tf.image.hsv_to_rgb", "HSVToRGB",
                                                                            _HSV_TYPES),
         grad=NON_DIFFERENTIABLE, api="tf.image.hsv_to_rgb", args=("images",), samples=_rgb_samples)


@tf_export("image.rgb_to_hsv")
def rgb_to_hsv(images, name=None) -> Tensor:
    """Converts RGB images [..., 3] (values in [0, 1]) to HSV, hue in [0, 1) (tf.image.rgb_to_hsv)."""
    return bind("RGBToHSV", [_t(images)])


@tf_export("image.hsv_to_rgb")
def hsv_to_rgb(images, name=None) -> Tensor:
    """Converts HSV images [..., 3] (values in [0, 1]) to RGB (tf.image.hsv_to_rgb)."""
    return bind("HSVToRGB", [_t(images)])


def _rgb_split(x):
    """TF's rgb_to_hv orderings: (v_max, v_mid, v_min, h_category) of each pixel, float32."""
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    rg = r < g
    b_lt_r, b_gt_g, b_lt_g, b_gt_r = b < r, b > g, b < g, b > r
    conds = [rg & b_lt_r, rg & ~b_lt_r & b_gt_g, rg & ~b_lt_r & ~b_gt_g,
             ~rg & b_lt_g, ~rg & ~b_lt_g & b_gt_r]
    vmax = np.select(conds, [g, b, g, r, b], r)
    vmid = np.select(conds, [r, g, b, g, r], b)
    vmin = np.select(conds, [b, r, r, b, g], g)
    cat = np.select(conds, [1, 3, 2, 0, 4], 5)
    return vmax, vmid, vmin, cat


def _hv_to_rgb(h, vmin, vmax):
    cat = h.astype(np.int32)
    ratio = h - cat.astype(_F32)
    ratio = np.where(cat & 1, _F32(1) - ratio, ratio)
    vmid = vmin + ratio * (vmax - vmin)
    conds = [cat == 0, cat == 1, cat == 2, cat == 3, cat == 4]
    r = np.select(conds, [vmax, vmid, vmin, vmin, vmid], vmax)
    g = np.select(conds, [vmid, vmax, vmax, vmid, vmin], vmin)
    b = np.select(conds, [vmin, vmin, vmid, vmax, vmax], vmid)
    return np.stack([r, g, b], -1)


def _adjust_hue_kernel(xp, images, delta):
    _check_rgb(images, 3, delta)
    x = images.astype(_F32, copy=False)
    vmax, vmid, vmin, cat = _rgb_split(x)
    with np.errstate(all="ignore"):
        ratio = (vmid - vmin) / (vmax - vmin)
    h = cat.astype(_F32) + np.where(cat & 1, _F32(1) - ratio, ratio)
    h = np.where(vmax == vmin, _F32(0), h)
    h = h + _F32(delta) * _F32(6)
    for _ in range(2):
        h = np.where(h < 0, h + _F32(6), h)
    for _ in range(2):
        h = np.where(h >= _F32(6), h - _F32(6), h)
    return _hv_to_rgb(h, vmin, vmax).astype(images.dtype, copy=False)


def _adjust_saturation_kernel(xp, images, scale):
    _check_rgb(images, 3, scale)
    x = images.astype(_F32, copy=False)
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    v = np.maximum(r, np.maximum(g, b))
    rng = v - np.minimum(r, np.minimum(g, b))
    s = np.where(v > 0, rng / np.where(v > 0, v, _F32(1)), _F32(0))
    with np.errstate(all="ignore"):
        norm = _F32(1) / (_F32(6) * rng)
        h = np.where(r == v, norm * (g - b),
                     np.where(g == v, ((norm * (b - r)).astype(np.float64) + 2.0 / 6.0).astype(_F32),
                              ((norm * (r - g)).astype(np.float64) + 4.0 / 6.0).astype(_F32)))
    h = np.where(rng <= 0, _F32(0), h)
    h = np.where(h < 0, h + _F32(1), h)
    s = np.minimum(_F32(1), np.maximum(_F32(0), s * _F32(scale)))
    c = s * v
    m = v - c
    dh = h * _F32(6)
    cat = dh.astype(np.int32)
    fmodu = np.where(dh <= 0, dh + _F32(2), dh)
    fmodu = np.where(fmodu >= 2, np.fmod(fmodu, _F32(2)), fmodu)
    xx = c * (_F32(1) - np.abs(fmodu - _F32(1)))
    zero = np.zeros_like(c)
    conds = [cat == 0, cat == 1, cat == 2, cat == 3, cat == 4, cat == 5]
    rr = np.select(conds, [c, xx, zero, zero, xx, c], zero)
    gg = np.select(conds, [xx, c, c, xx, zero, zero], zero)
    bb = np.select(conds, [zero, zero, xx, c, c, xx], zero)
    return np.stack([rr + m, gg + m, bb + m], -1).astype(images.dtype, copy=False)


def _adjust_samples():
    rng = np.random.default_rng(5)
    return [([rng.uniform(0, 1, (2, 3, 4, 3)).astype(np.float32), S.scalar(0.3, np.float32)], {}),
            ([rng.uniform(0, 1, (3, 2, 3)).astype(np.float16), S.scalar(-0.7, np.float32)], {})]


register("AdjustHue", kernel=_adjust_hue_kernel,
         infer=_three_channels_infer("tf.image.adjust_hue", "AdjustHue", (dtypes.float16, dtypes.float32), 3,
                                     "delta"),
         grad=NON_DIFFERENTIABLE, api="tf.image.adjust_hue", args=("images", "delta"), samples=_adjust_samples)
register("AdjustSaturation", kernel=_adjust_saturation_kernel,
         infer=_three_channels_infer("tf.image.adjust_saturation", "AdjustSaturation",
                                     (dtypes.float16, dtypes.float32), 3, "scale"),
         grad=NON_DIFFERENTIABLE, api="tf.image.adjust_saturation", args=("images", "scale"),
         samples=_adjust_samples)


def _float_image(image):
    image = _t(image)
    orig = image.dtype
    return (image if orig in (dtypes.float16, dtypes.float32) else convert_image_dtype(image, dtypes.float32)), orig


@tf_export("image.adjust_hue")
def adjust_hue(image, delta, name=None) -> Tensor:
    """Rotates the hue of RGB images by `delta` (in [-1, 1]) in HSV space (tf.image.adjust_hue)."""
    if ctx.graph is None and np.ndim(delta) == 0 and not -1 <= float(delta) <= 1:
        raise ValueError("delta must be in the interval [-1, 1]")
    flt, orig = _float_image(image)
    out = bind("AdjustHue", [flt, _t(delta, dtypes.float32)])
    return convert_image_dtype(out, orig)


@tf_export("image.adjust_saturation")
def adjust_saturation(image, saturation_factor, name=None) -> Tensor:
    """Multiplies the HSV saturation of RGB images by `saturation_factor`, clipped to [0, 1]
    (tf.image.adjust_saturation)."""
    flt, orig = _float_image(image)
    out = bind("AdjustSaturation", [flt, _t(saturation_factor, dtypes.float32)])
    return convert_image_dtype(out, orig)


def _check_hue_delta(max_delta):
    if max_delta > 0.5:
        raise ValueError("max_delta must be <= 0.5.")
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")


def _check_saturation_bounds(lower, upper):
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")


@tf_export("image.random_hue")
def random_hue(image, max_delta, seed=None) -> Tensor:
    """adjust_hue by a delta uniform in [-max_delta, max_delta), max_delta <= 0.5 (tf.image.random_hue)."""
    _check_hue_delta(max_delta)
    return adjust_hue(image, random_ops.random_uniform([], -max_delta, max_delta, seed=seed))


@tf_export("image.stateless_random_hue")
def stateless_random_hue(image, max_delta, seed) -> Tensor:
    """adjust_hue by a deterministic delta in [-max_delta, max_delta) for a shape-[2] `seed`
    (tf.image.stateless_random_hue)."""
    _check_hue_delta(max_delta)
    delta = random_ops.stateless_random_uniform([], seed=seed, minval=-max_delta, maxval=max_delta)
    return adjust_hue(image, delta)


@tf_export("image.random_saturation")
def random_saturation(image, lower, upper, seed=None) -> Tensor:
    """adjust_saturation by a factor uniform in [lower, upper) (tf.image.random_saturation)."""
    _check_saturation_bounds(lower, upper)
    return adjust_saturation(image, random_ops.random_uniform([], lower, upper, seed=seed))


@tf_export("image.stateless_random_saturation")
def stateless_random_saturation(image, lower, upper, seed=None) -> Tensor:
    """adjust_saturation by a deterministic factor in [lower, upper) for a shape-[2] `seed`
    (tf.image.stateless_random_saturation)."""
    _check_saturation_bounds(lower, upper)
    factor = random_ops.stateless_random_uniform([], seed=seed, minval=lower, maxval=upper)
    return adjust_saturation(image, factor)


# ---------------------------------------------------------------- YIQ / YUV (linear: tensordot)
_RGB_TO_YIQ = [[0.299, 0.59590059, 0.2115], [0.587, -0.27455667, -0.52273617], [0.114, -0.32134392, 0.31119955]]
_YIQ_TO_RGB = [[1, 1, 1], [0.95598634, -0.27201283, -1.10674021], [0.6208248, -0.64720424, 1.70423049]]
_RGB_TO_YUV = [[0.299, -0.14714119, 0.61497538], [0.587, -0.28886916, -0.51496512], [0.114, 0.43601035, -0.10001026]]
_YUV_TO_RGB = [[1, 1, 1], [0, -0.394642334, 2.03206185], [1.13988303, -0.58062185, 0]]


def _colour_matmul(images, kernel):
    images = _t(images)
    k = _t(kernel, images.dtype)
    ndims = images.shape.rank
    return linalg_ops.tensordot(images, k, axes=[[ndims - 1], [0]])


@tf_export("image.rgb_to_yiq")
def rgb_to_yiq(images) -> Tensor:
    """Converts RGB images [..., 3] to YIQ (tf.image.rgb_to_yiq)."""
    return _colour_matmul(images, _RGB_TO_YIQ)


@tf_export("image.yiq_to_rgb")
def yiq_to_rgb(images) -> Tensor:
    """Converts YIQ images [..., 3] to RGB (tf.image.yiq_to_rgb)."""
    return _colour_matmul(images, _YIQ_TO_RGB)


@tf_export("image.rgb_to_yuv")
def rgb_to_yuv(images) -> Tensor:
    """Converts RGB images [..., 3] to YUV (tf.image.rgb_to_yuv)."""
    return _colour_matmul(images, _RGB_TO_YUV)


@tf_export("image.yuv_to_rgb")
def yuv_to_rgb(images) -> Tensor:
    """Converts YUV images [..., 3] to RGB (tf.image.yuv_to_rgb)."""
    return _colour_matmul(images, _YUV_TO_RGB)


# ---------------------------------------------------------------- image metrics and gradients (composites)
@tf_export("image.total_variation")
def total_variation(images, name=None) -> Tensor:
    """Sum of absolute differences of neighbouring pixels: a scalar for a 3-D image, [batch]
    for a 4-D batch (tf.image.total_variation)."""
    images = _t(images)
    ndims = images.shape.rank
    if ndims == 3:
        d1 = images[1:, :, :] - images[:-1, :, :]
        d2 = images[:, 1:, :] - images[:, :-1, :]
        axis = None
    elif ndims == 4:
        d1 = images[:, 1:, :, :] - images[:, :-1, :, :]
        d2 = images[:, :, 1:, :] - images[:, :, :-1, :]
        axis = [1, 2, 3]
    else:
        raise ValueError("'images' must be either 3 or 4-dimensional.")
    return math_ops.add(math_ops.reduce_sum(math_ops.abs(d1), axis=axis),
                        math_ops.reduce_sum(math_ops.abs(d2), axis=axis))


def _verify_compatible_image_shapes(img1, img2):
    s1, s2 = img1.shape, img2.shape
    for s in (s1, s2):
        if s.rank is not None and s.rank < 3:
            raise ValueError("Shape %s must have rank at least 3" % s)
    if s1.rank is not None and s2.rank is not None:
        if not s1[-3:].is_compatible_with(s2[-3:]):
            raise ValueError("Shapes %s and %s are incompatible" % (s1[-3:], s2[-3:]))
        for d1, d2 in zip(reversed(s1.as_list()[:-3]), reversed(s2.as_list()[:-3])):
            if not (d1 == 1 or d2 == 1 or d1 is None or d2 is None or d1 == d2):
                raise ValueError("Two images are not compatible: %s and %s" % (s1, s2))


def _max_val_f32(max_val, dtype):
    return convert_image_dtype(math_ops.cast(max_val, dtype), dtypes.float32)


@tf_export("image.psnr")
def psnr(a, b, max_val, name=None) -> Tensor:
    """Peak signal-to-noise ratio between images `a` and `b` over their last three dimensions,
    float32 (tf.image.psnr)."""
    a, b = _t(a), _t(b)
    max_val = _max_val_f32(max_val, a.dtype)
    a = convert_image_dtype(a, dtypes.float32)
    b = convert_image_dtype(b, dtypes.float32)
    mse = math_ops.reduce_mean(math_ops.squared_difference(a, b), [-3, -2, -1])
    val = math_ops.subtract(math_ops.divide(math_ops.multiply(20.0, math_ops.log(max_val)), math_ops.log(_F32(10.0))),
                            math_ops.multiply(np.float32(10 / np.log(10)), math_ops.log(mse)))
    _verify_compatible_image_shapes(a, b)
    return val


def _ssim_helper(x, y, reducer, max_val, compensation=1.0, k1=0.01, k2=0.03):
    c1 = (k1 * max_val) ** 2
    c2 = (k2 * max_val) ** 2
    mean0 = reducer(x)
    mean1 = reducer(y)
    num0 = mean0 * mean1 * 2.0
    den0 = math_ops.square(mean0) + math_ops.square(mean1)
    luminance = (num0 + c1) / (den0 + c1)
    num1 = reducer(x * y) * 2.0
    den1 = reducer(math_ops.square(x) + math_ops.square(y))
    c2 *= compensation
    cs = (num1 - num0 + c2) / (den1 - den0 + c2)
    return luminance, cs


def _fspecial_gauss(size, sigma, dtype):
    """The normalised [size, size, 1, 1] Gaussian window (TF's _fspecial_gauss, as a softmax)."""
    sigma = _t(sigma, dtype)
    coords = math_ops.cast(array_ops.range(size), dtype)
    coords = coords - math_ops.cast(size - 1, dtype) / 2.0
    g = math_ops.square(coords)
    g = g * (-0.5 / math_ops.square(sigma))
    g = array_ops.reshape(g, [1, -1]) + array_ops.reshape(g, [-1, 1])
    g = nn_ops.softmax(array_ops.reshape(g, [1, -1]))
    return array_ops.reshape(g, [size, size, 1, 1])


def _static_or_dynamic_shape(x):
    s = x.shape.as_list()
    return s if None not in s else array_ops.shape(x)


def _ssim_per_channel(img1, img2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
                      return_index_map=False):
    filter_size = int(filter_size)
    for img in (img1, img2):
        hw = img.shape.as_list()[-3:-1]
        if None not in hw and (hw[0] < filter_size or hw[1] < filter_size):
            raise InvalidArgumentError(
                None, None, "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized data: %s\n%d"
                % (", ".join(str(d) for d in img.shape.as_list()), filter_size))
    kernel = _fspecial_gauss(filter_size, filter_sigma, img1.dtype)
    channels = img1.shape[-1]
    kernel = array_ops.tile(kernel, [1, 1, channels if channels is not None else array_ops.shape(img1)[-1], 1])

    def reducer(x):
        if x.shape.rank == 4:
            return nn_ops.depthwise_conv2d(x, kernel, strides=[1, 1, 1, 1], padding="VALID")
        shape = array_ops.shape(x)
        flat = array_ops.reshape(x, array_ops.concat([[-1], shape[-3:]], 0))
        y = nn_ops.depthwise_conv2d(flat, kernel, strides=[1, 1, 1, 1], padding="VALID")
        static = x.shape.as_list()[:-3]
        if None not in static:
            return array_ops.reshape(y, static + y.shape.as_list()[1:])
        return array_ops.reshape(y, array_ops.concat([shape[:-3], array_ops.shape(y)[1:]], 0))

    luminance, cs = _ssim_helper(img1, img2, reducer, max_val, 1.0, k1, k2)
    if return_index_map:
        ssim_val = luminance * cs
    else:
        ssim_val = math_ops.reduce_mean(luminance * cs, [-3, -2])
        cs = math_ops.reduce_mean(cs, [-3, -2])
    return ssim_val, cs


@tf_export("image.ssim")
def ssim(img1, img2, max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03, return_index_map=False) -> Tensor:
    """Structural similarity between two image batches [..., h, w, c] with an 11x11 Gaussian
    window (tf.image.ssim): one value per image, or the local map with `return_index_map`."""
    img1, img2 = _t(img1), _t(img2)
    _verify_compatible_image_shapes(img1, img2)
    max_val = _max_val_f32(max_val, img1.dtype)
    img1 = convert_image_dtype(img1, dtypes.float32)
    img2 = convert_image_dtype(img2, dtypes.float32)
    per_channel, _ = _ssim_per_channel(img1, img2, max_val, filter_size, filter_sigma, k1, k2, return_index_map)
    return math_ops.reduce_mean(per_channel, [-1])


_MSSSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


@tf_export("image.ssim_multiscale")
def ssim_multiscale(img1, img2, max_val, power_factors=_MSSSIM_WEIGHTS, filter_size=11, filter_sigma=1.5,
                    k1=0.01, k2=0.03) -> Tensor:
    """Multi-scale SSIM (tf.image.ssim_multiscale): SSIM at len(power_factors) scales, each
    downsampled 2x by average pooling (odd sizes padded symmetrically first)."""
    img1, img2 = _t(img1), _t(img2)
    _verify_compatible_image_shapes(img1, img2)
    max_val = _max_val_f32(max_val, img1.dtype)
    imgs = [convert_image_dtype(img1, dtypes.float32), convert_image_dtype(img2, dtypes.float32)]
    mcs = []
    ssim_per_channel = None
    for k in range(len(power_factors)):
        if k > 0:
            tail = imgs[0].shape.as_list()[-3:]
            if None in tail[:2]:
                raise NotImplementedError("tf.image.ssim_multiscale needs static image heights and widths "
                                          "in tensorforge")
            rh, rw = tail[0] % 2, tail[1] % 2
            nxt = []
            for x in imgs:
                rank4 = x.shape.rank == 4
                heads = None if rank4 else _static_or_dynamic_shape(x)
                flat = x if rank4 else array_ops.reshape(x, [-1] + x.shape.as_list()[-3:])
                if rh or rw:
                    flat = array_ops.pad(flat, [[0, 0], [0, rh], [0, rw], [0, 0]], mode="SYMMETRIC")
                down = nn_ops.avg_pool(flat, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID")
                if not rank4:
                    t = down.shape.as_list()[1:]
                    if isinstance(heads, list):
                        down = array_ops.reshape(down, heads[:-3] + t)
                    else:
                        down = array_ops.reshape(down, array_ops.concat([heads[:-3], t], 0))
                nxt.append(down)
            imgs = nxt
        ssim_per_channel, cs = _ssim_per_channel(*imgs, max_val=max_val, filter_size=filter_size,
                                                 filter_sigma=filter_sigma, k1=k1, k2=k2)
        mcs.append(nn_ops.relu(cs))
    mcs.pop()
    stacked = array_ops.stack(mcs + [nn_ops.relu(ssim_per_channel)], axis=-1)
    ms = math_ops.reduce_prod(math_ops.pow(stacked, _t(np.asarray(power_factors, _F32))), [-1])
    return math_ops.reduce_mean(ms, [-1])


@tf_export("image.image_gradients")
def image_gradients(image):
    """One-step finite differences (dy, dx) of a 4-D image batch, zero in the last row / column
    (tf.image.image_gradients)."""
    image = _t(image)
    if image.shape.rank != 4:
        raise ValueError("image_gradients expects a 4D tensor [batch_size, h, w, d], not {}.".format(image.shape))
    dy = image[:, 1:, :, :] - image[:, :-1, :, :]
    dx = image[:, :, 1:, :] - image[:, :, :-1, :]
    dy = array_ops.concat([dy, array_ops.zeros_like(image[:, :1, :, :])], 1)
    dx = array_ops.concat([dx, array_ops.zeros_like(image[:, :, :1, :])], 2)
    return dy, dx


@tf_export("image.sobel_edges")
def sobel_edges(image) -> Tensor:
    """Sobel edge maps [batch, h, w, d, 2] (dy, dx) of a 4-D image batch, reflect-padded
    (tf.image.sobel_edges)."""
    image = _t(image)
    kernels = np.array([[[-1, -2, -1], [0, 0, 0], [1, 2, 1]], [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]])
    kernels = np.expand_dims(np.transpose(kernels, (1, 2, 0)), -2)
    k = _t(kernels.astype(image.dtype.as_numpy_dtype) if image.dtype.is_floating else kernels, image.dtype)
    depth = image.shape[-1]
    k = array_ops.tile(k, [1, 1, depth if depth is not None else array_ops.shape(image)[-1], 1])
    padded = array_ops.pad(image, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
    out = nn_ops.depthwise_conv2d(padded, k, [1, 1, 1, 1], "VALID")
    static = image.shape.as_list()
    if None not in static:
        return array_ops.reshape(out, static + [2])
    return array_ops.reshape(out, array_ops.concat([array_ops.shape(image), [2]], 0))
from . import image_boxes  # noqa: E402,F401 - registers the box and patch ops
