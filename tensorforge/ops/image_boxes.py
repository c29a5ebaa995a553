"""Box and patch image ops: tf.image.crop_and_resize, extract_patches, draw_bounding_boxes and
the non-max-suppression family, with TensorFlow's kernels' arithmetic (float32 coordinates)."""
from __future__ import annotations

import collections

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor
from . import array_ops, math_ops, random_ops
from . import sample_inputs as S
from . import shapes as sh
from .registry import NON_DIFFERENTIABLE, bind, register

_t = convert_to_tensor
_F32 = np.float32
_CR_API = "tf.image.crop_and_resize"
_CR_TYPES = (dtypes.uint8, dtypes.uint16, dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64,
             dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64)


# ---------------------------------------------------------------- CropAndResize
def _crop_coords(boxes, k, n_out, in_size):
    """Source coordinates [num_boxes, n_out] along one axis (k=0: y, k=1: x), float32 as TF."""
    wd = np.float64 if boxes.dtype == np.float64 else _F32  # float64 boxes: the registry's gradient check
    b = boxes.astype(wd, copy=False)
    a1, a2 = b[:, k], b[:, k + 2]
    span = wd(in_size - 1)
    if n_out > 1:
        scale = (a2 - a1) * span / wd(n_out - 1)
        return a1[:, None] * span + np.arange(n_out, dtype=wd)[None, :] * scale[:, None]
    return ((a1 + a2).astype(np.float64) * 0.5 * (in_size - 1)).astype(wd)[:, None]


def _check_crop(image, boxes, box_ind, crop_size):
    if image.ndim != 4 or boxes.ndim != 2 or boxes.shape[1] != 4 or box_ind.ndim != 1 \
            or box_ind.shape[0] != boxes.shape[0] or min(crop_size) <= 0 or 0 in image.shape[1:3]:
        raise ValueError("invalid crop_and_resize arguments")
    if box_ind.size and (box_ind.min() < 0 or box_ind.max() >= image.shape[0]):
        raise InvalidArgumentError(None, None, "box_index has values outside [0, batch_size) [Op:CropAndResize]")


def _crop_tables(image_hw, boxes, crop_size, method):
    """Per axis: (index pairs, lerp, valid) for bilinear or (index, None, valid) for nearest."""
    out = []
    for k, (n_out, n_in) in enumerate(zip(crop_size, image_hw)):
        c = _crop_coords(boxes, k, n_out, n_in)
        valid = (c >= 0) & (c <= n_in - 1)
        cc = np.where(valid, c, c.dtype.type(0))
        lo = np.floor(cc)
        if method == "bilinear":
            out.append((lo.astype(np.int64), np.ceil(cc).astype(np.int64), cc - lo, valid))
        else:
            near = np.where(cc - lo >= 0.5, lo + 1, lo).astype(np.int64)
            out.append((near, None, None, valid))
    return out


def _crop_and_resize_kernel(xp, image, boxes, box_ind, crop_size, method="bilinear", extrapolation_value=0.0):
    _check_crop(image, boxes, box_ind, crop_size)
    (ty, by, yl, vy), (lx, rx, xl, vx) = _crop_tables(image.shape[1:3], boxes, crop_size, method)
    wd = np.float64 if image.dtype == np.float64 else _F32
    bi = box_ind.astype(np.int64)[:, None, None]
    if method == "bilinear":
        def at(yy, xx):
            return image[bi, yy[:, :, None], xx[:, None, :]].astype(wd, copy=False)
        tl, tr, bl, br = at(ty, lx), at(ty, rx), at(by, lx), at(by, rx)
        xw = xl.astype(wd)[:, None, :, None]
        top = tl + (tr - tl) * xw
        bottom = bl + (br - bl) * xw
        out = top + (bottom - top) * yl.astype(wd)[:, :, None, None]
    else:
        out = image[bi, ty[:, :, None], lx[:, None, :]].astype(wd)
    valid = (vy[:, :, None] & vx[:, None, :])[..., None]
    return np.where(valid, out, wd(extrapolation_value)).astype(wd, copy=False)


def _crop_infer(specs, attrs):
    op = "CropAndResize"
    sh.check_dtype(_CR_API, op, specs[0], _CR_TYPES, "image")
    sh.check_dtype(_CR_API, op, specs[1], (dtypes.float32, dtypes.float64), "boxes")
    sh.check_dtype(_CR_API, op, specs[2], (dtypes.int32,), "box_ind")
    s, b, i = sh.dims(specs[0]), sh.dims(specs[1]), sh.dims(specs[2])
    if s is not None and len(s) != 4:
        raise sh.error(_CR_API, op, "input image must be 4-D%s" % sh.fmt(s))
    if b is not None and (len(b) != 2 or b[1] not in (None, 4)):
        raise sh.error(_CR_API, op, "boxes must have shape [num_boxes, 4]%s" % sh.fmt(b))
    if i is not None and len(i) != 1:
        raise sh.error(_CR_API, op, "box_index must be 1-D%s" % sh.fmt(i))
    if b is not None and i is not None and None not in (b[0], i[0]) and b[0] != i[0]:
        raise sh.error(_CR_API, op, "box_index has incompatible shape")
    ch, cw = attrs["crop_size"]
    if ch <= 0 or cw <= 0:
        raise sh.error(_CR_API, op, "crop dimensions must be positive")
    if s is not None and 0 in s[1:3]:
        raise sh.error(_CR_API, op, "image dimensions must be positive")
    n = b[0] if b is not None else None
    if n is None and i is not None:
        n = i[0]
    depth = s[3] if s is not None else None
    out = dtypes.float64 if specs[0].dtype is dtypes.float64 else dtypes.float32
    return [((n, ch, cw, depth), out)]


def _crop_grad_image_kernel(xp, grads, boxes, box_ind, image_size, T, method="bilinear"):
    b, h, w, d = image_size
    (ty, by, yl, vy), (lx, rx, xl, vx) = _crop_tables((h, w), boxes, grads.shape[1:3], method)
    wd = np.float64 if grads.dtype == np.float64 else _F32
    g = grads.astype(wd, copy=False)
    valid = (vy[:, :, None] & vx[:, None, :])
    bi = np.broadcast_to(box_ind.astype(np.int64)[:, None, None], valid.shape)
    out = np.zeros((b * h * w, d), wd)

    def add(yy, xx, weight):
        flat = ((bi * h + yy[:, :, None]) * w + xx[:, None, :])[valid]
        vals = g[valid] if weight is None else g[valid] * weight[valid][:, None]
        np.add.at(out, flat, vals)

    if method == "bilinear":
        ylw, xlw = yl.astype(wd)[:, :, None], xl.astype(wd)[:, None, :]
        add(ty, lx, (1 - ylw) * (1 - xlw))
        add(ty, rx, (1 - ylw) * xlw)
        add(by, lx, ylw * (1 - xlw))
        add(by, rx, ylw * xlw)
    else:
        add(ty, lx, None)
    return out.reshape(b, h, w, d).astype(dtypes.as_dtype(T).as_numpy_dtype, copy=False)


def _crop_grad_boxes_kernel(xp, grads, image, boxes, box_ind, method="bilinear"):
    n, ch, cw, _ = grads.shape
    h, w = image.shape[1:3]
    (ty, by, yl, vy), (lx, rx, xl, vx) = _crop_tables((h, w), boxes, (ch, cw), "bilinear")
    wd = np.float64 if image.dtype == np.float64 or grads.dtype == np.float64 else _F32
    bi = box_ind.astype(np.int64)[:, None, None]

    def at(yy, xx):
        return image[bi, yy[:, :, None], xx[:, None, :]].astype(wd, copy=False)
    tl, tr, bl, br = at(ty, lx), at(ty, rx), at(by, lx), at(by, rx)
    xw, yw = xl.astype(wd)[:, None, :, None], yl.astype(wd)[:, :, None, None]
    valid = (vy[:, :, None] & vx[:, None, :])[..., None]
    g = np.where(valid, grads.astype(wd, copy=False), wd(0))
    gy = ((1 - xw) * (bl - tl) + xw * (br - tr)) * g
    gx = ((1 - yw) * (tr - tl) + yw * (br - bl)) * g
    gy_rows = gy.sum(axis=(2, 3))  # [n, ch]
    gx_cols = gx.sum(axis=(1, 3))  # [n, cw]
    if ch > 1:
        yr = np.arange(ch, dtype=wd) * (wd(h - 1) / wd(ch - 1))
        dy1, dy2 = (gy_rows * (wd(h - 1) - yr)).sum(1), (gy_rows * yr).sum(1)
    else:
        dy1 = dy2 = gy_rows.sum(1) * wd(0.5 * (h - 1))
    if cw > 1:
        xr = np.arange(cw, dtype=wd) * (wd(w - 1) / wd(cw - 1))
        dx1, dx2 = (gx_cols * (wd(w - 1) - xr)).sum(1), (gx_cols * xr).sum(1)
    else:
        dx1 = dx2 = gx_cols.sum(1) * wd(0.5 * (w - 1))
    return np.stack([dy1, dx1, dy2, dx2], 1).astype(boxes.dtype, copy=False)


def _crop_grad(op, dy):
    image, boxes, box_ind = op.inputs
    method = op.attrs["method"]
    gi = None
    if image.dtype in (dtypes.float16, dtypes.float32, dtypes.float64):
        size = tuple(image.shape.as_list())
        if None in size:
            raise NotImplementedError("the gradient of tf.image.crop_and_resize needs a static image shape "
                                      "in tensorforge")
        gi = bind("CropAndResizeGradImage", [dy, boxes, box_ind],
                  {"image_size": size, "T": image.dtype, "method": method})
    gb = bind("CropAndResizeGradBoxes", [dy, image, boxes, box_ind], {"method": "bilinear"})
    return [gi, gb, None]


def _crop_samples():
    rng = np.random.default_rng(11)
    boxes = np.array([[0.1, 0.23, 0.83, 0.71], [0.61, -0.13, 0.17, 0.91], [-0.3, 0.05, 1.2, 0.55]])
    ind = np.array([0, 1, 0], np.int32)
    img = rng.standard_normal((2, 5, 6, 2))
    return [([img, boxes, ind], {"crop_size": (4, 3), "method": "bilinear", "extrapolation_value": 0.5}),
            ([img, boxes[:2], ind[:2]], {"crop_size": (1, 5), "method": "bilinear", "extrapolation_value": 0.0}),
            ([S.ints(0, 255, 2, 4, 4, 3, dtype=np.uint8), boxes.astype(np.float32), ind],
             {"crop_size": (3, 3), "method": "nearest", "extrapolation_value": 0.0})]


register("CropAndResize", kernel=_crop_and_resize_kernel, infer=_crop_infer, grad=_crop_grad, api=_CR_API,
         args=("image", "boxes", "box_ind"), samples=_crop_samples)


def _crop_grad_image_infer(specs, attrs):
    sh.check_dtype(_CR_API, "CropAndResizeGradImage", specs[0], (dtypes.float32, dtypes.float64), "grads")
    return [(tuple(attrs["image_size"]), attrs["T"])]


def _crop_grad_boxes_infer(specs, attrs):
    sh.check_dtype(_CR_API, "CropAndResizeGradBoxes", specs[0], (dtypes.float32, dtypes.float64), "grads")
    b = sh.dims(specs[2])
    return [((b[0] if b is not None else None, 4), specs[2].dtype)]


def _crop_grad_samples():
    rng = np.random.default_rng(12)
    boxes = np.array([[0.1, 0.23, 0.83, 0.71], [0.61, -0.13, 0.17, 0.91]])
    ind = np.array([1, 0], np.int32)
    return [([rng.standard_normal((2, 3, 4, 2)), boxes, ind],
             {"image_size": (2, 5, 6, 2), "T": dtypes.float64, "method": "bilinear"}),
            ([rng.standard_normal((2, 3, 4, 2)).astype(np.float32), boxes.astype(np.float32), ind],
             {"image_size": (2, 5, 6, 2), "T": dtypes.float32, "method": "nearest"})]


register("CropAndResizeGradImage", kernel=_crop_grad_image_kernel, infer=_crop_grad_image_infer,
         grad=NON_DIFFERENTIABLE, api=_CR_API, args=("grads", "boxes", "box_ind"), samples=_crop_grad_samples)
register("CropAndResizeGradBoxes", kernel=_crop_grad_boxes_kernel, infer=_crop_grad_boxes_infer,
         grad=NON_DIFFERENTIABLE, api=_CR_API, args=("grads", "image", "boxes", "box_ind"),
         samples=lambda: [([a[0], np.random.default_rng(1).standard_normal((2, 5, 6, 2)), a[1], a[2]],
                           {"method": "bilinear"}) for a, _ in _crop_grad_samples()[:1]])


@tf_export("image.crop_and_resize")
def crop_and_resize(image, boxes, box_indices, crop_size, method="bilinear", extrapolation_value=0.0,
                    name=None) -> Tensor:
    """Crops boxes ([y1, x1, y2, x2], normalised) out of `image` [batch, h, w, d] and resizes each
    to `crop_size` with bilinear or nearest sampling; float32 output (tf.image.crop_and_resize)."""
    image = _t(image)
    boxes = _t(boxes, dtypes.float32)
    box_indices = _t(box_indices, dtypes.int32)
    try:
        size = array_ops._int_tuple(crop_size)
    except (TypeError, ValueError):
        raise NotImplementedError("tf.image.crop_and_resize needs a constant crop_size in tensorforge") from None
    if len(size) != 2:
        raise InvalidArgumentError(None, None, "crop_size must be 1-D with 2 elements [Op:CropAndResize]")
    if method not in ("bilinear", "nearest"):
        raise InvalidArgumentError(None, None, "method must be 'bilinear' or 'nearest' [Op:CropAndResize]")
    out = bind("CropAndResize", [image, boxes, box_indices],
               {"crop_size": size, "method": method, "extrapolation_value": float(extrapolation_value)})
    return out if out.dtype is dtypes.float32 else math_ops.cast(out, dtypes.float32)


# ---------------------------------------------------------------- ExtractImagePatches
_EP_API = "tf.image.extract_patches"


def _patch_geometry(in_size, k, stride, rate, padding):
    keff = k + (k - 1) * (rate - 1)
    if padding == "VALID":
        out = max(-(-(in_size - keff + 1) // stride), 0)
        before = 0
    else:
        out = -(-in_size // stride)
        before = max((out - 1) * stride + keff - in_size, 0) // 2
    return out, before


def _patch_index(in_size, k, stride, rate, padding):
    """[out, k] source indices along one axis (-1 where the patch reads padding)."""
    out, before = _patch_geometry(in_size, k, stride, rate, padding)
    idx = np.arange(out)[:, None] * stride + np.arange(k)[None, :] * rate - before
    return np.where((idx >= 0) & (idx < in_size), idx, -1)


def _extract_patches_kernel(xp, images, ksizes, strides, rates, padding):
    _, h, w, d = images.shape
    iy = _patch_index(h, ksizes[1], strides[1], rates[1], padding)
    ix = _patch_index(w, ksizes[2], strides[2], rates[2], padding)
    padded = np.pad(images, [(0, 0), (0, 1), (0, 1), (0, 0)])  # index -1 reads the zero row/column
    out = padded[:, iy[:, None, :, None], ix[None, :, None, :], :]  # [b, oh, ow, kh, kw, d]
    b, oh, ow = out.shape[:3]
    return np.ascontiguousarray(out).reshape(b, oh, ow, -1)


def _extract_patches_infer(specs, attrs):
    op = "ExtractImagePatches"
    sh.check_dtype(_EP_API, op, specs[0], sh.NUMERIC, "images")
    s = sh.dims(specs[0])
    k, st, r = attrs["ksizes"], attrs["strides"], attrs["rates"]
    for name, v in (("ksizes", k), ("strides", st), ("rates", r)):
        if len(v) != 4 or v[0] != 1 or v[3] != 1:
            raise sh.error(_EP_API, op, "%s must be a list of 4 ints [1, x, y, 1]" % name)
    if attrs["padding"] not in ("SAME", "VALID"):
        raise sh.error(_EP_API, op, "padding must be 'SAME' or 'VALID'")
    if s is None:
        return [((None, None, None, None), specs[0].dtype)]
    if len(s) != 4:
        raise sh.error(_EP_API, op, "input must be 4-dimensional%s" % sh.fmt(s))
    dims = []
    for i in (1, 2):
        dims.append(None if s[i] is None else _patch_geometry(s[i], k[i], st[i], r[i], attrs["padding"])[0])
    depth = None if s[3] is None else s[3] * k[1] * k[2]
    return [((s[0], dims[0], dims[1], depth), specs[0].dtype)]


def _extract_patches_grad(op, grad):
    x = op.inputs[0]
    _, h, w, d = x.shape.as_list()
    if None in (h, w, d):
        raise NotImplementedError("the gradient of tf.image.extract_patches needs static height, width and "
                                  "depth in tensorforge")
    a = op.attrs
    iy = _patch_index(h, a["ksizes"][1], a["strides"][1], a["rates"][1], a["padding"])
    ix = _patch_index(w, a["ksizes"][2], a["strides"][2], a["rates"][2], a["padding"])
    oh, kh = iy.shape
    ow, kw = ix.shape
    flat = np.where((iy[:, None, :, None] >= 0) & (ix[None, :, None, :] >= 0),
                    iy[:, None, :, None] * w + ix[None, :, None, :], h * w).reshape(-1).astype(np.int32)
    g = array_ops.reshape(grad, [-1, oh * ow * kh * kw, d])
    g = array_ops.transpose(g, [1, 0, 2])
    summed = math_ops.unsorted_segment_sum(g, _t(flat), h * w + 1)[: h * w]
    return [array_ops.transpose(array_ops.reshape(summed, [h, w, -1, d]), [2, 0, 1, 3])]


def _extract_samples():
    base = {"ksizes": (1, 2, 3, 1), "strides": (1, 2, 1, 1), "rates": (1, 1, 2, 1)}
    return [([S.normal(2, 5, 6, 2)], dict(base, padding="VALID")),
            ([S.normal(1, 5, 4, 3)], dict(base, padding="SAME")),
            ([S.ints(0, 9, 1, 4, 4, 1)], {"ksizes": (1, 3, 3, 1), "strides": (1, 1, 1, 1), "rates": (1, 1, 1, 1),
                                          "padding": "SAME"})]


register("ExtractImagePatches", kernel=_extract_patches_kernel, infer=_extract_patches_infer,
         grad=_extract_patches_grad, api=_EP_API, args=("images",), samples=_extract_samples)


def _four(v, name):
    v = array_ops._int_tuple(v)
    if len(v) != 4 or v[0] != 1 or v[3] != 1:
        raise ValueError("%s must be a list of 4 ints with the first and last equal to 1, got %s" % (name, list(v)))
    return v


@tf_export("image.extract_patches")
def extract_patches(images, sizes, strides, rates, padding, name=None) -> Tensor:
    """Patches of `sizes` [1, kh, kw, 1] from images [batch, h, w, d], flattened into the depth:
    [batch, out_rows, out_cols, kh * kw * d] (tf.image.extract_patches)."""
    images = _t(images)
    padding = padding.decode() if isinstance(padding, bytes) else str(padding)
    return bind("ExtractImagePatches", [images], {"ksizes": _four(sizes, "ksizes"),
                                                  "strides": _four(strides, "strides"),
                                                  "rates": _four(rates, "rates"), "padding": padding.upper()})


# ---------------------------------------------------------------- DrawBoundingBoxesV2
_DEFAULT_COLORS = np.array([[1, 1, 0, 1], [0, 0, 1, 1], [1, 0, 0, 1], [0, 1, 0, 1], [0.5, 0, 0.5, 1],
                            [0.5, 0.5, 0, 1], [0.5, 0, 0, 1], [0, 0, 0.5, 1], [0, 1, 1, 1], [1, 0, 1, 1]], _F32)


def _draw_boxes_kernel(xp, images, boxes, colors):
    if images.ndim != 4 or boxes.ndim != 3 or boxes.shape[0] != images.shape[0] or boxes.shape[2] != 4:
        raise ValueError("invalid draw_bounding_boxes arguments")
    b, h, w, depth = images.shape
    if colors.size:
        table = colors.astype(_F32).reshape(-1, colors.shape[-1])
    else:
        table = _DEFAULT_COLORS.copy()
        if depth == 1:  # grayscale: boxes drawn white
            table[:, 0] = 1
    if table.shape[1] < depth:
        raise InvalidArgumentError(None, None, "colors must have equal or more channels than the image provided: "
                                   "%s [Op:DrawBoundingBoxesV2]" % sh.fmt(colors.shape))
    canvas = images.copy()
    rows = (boxes[..., [0, 2]].astype(_F32) * _F32(h - 1)).astype(np.int64)  # truncation, as C++
    cols = (boxes[..., [1, 3]].astype(_F32) * _F32(w - 1)).astype(np.int64)
    for i in range(b):  # per box: at most four line segments each
        for j in range(boxes.shape[1]):
            color = table[j % len(table), :depth].astype(images.dtype)
            r0, r1 = rows[i, j]
            c0, c1 = cols[i, j]
            if r0 > r1 or c0 > c1 or r0 >= h or r1 < 0 or c0 >= w or c1 < 0:
                continue
            r0c, r1c, c0c, c1c = max(r0, 0), min(r1, h - 1), max(c0, 0), min(c1, w - 1)
            if r0 >= 0:
                canvas[i, r0, c0c:c1c + 1] = color
            if r1 < h:
                canvas[i, r1, c0c:c1c + 1] = color
            if c0 >= 0:
                canvas[i, r0c:r1c + 1, c0] = color
            if c1 < w:
                canvas[i, r0c:r1c + 1, c1] = color
    return canvas


def _draw_boxes_infer(specs, attrs):
    api, op = "tf.image.draw_bounding_boxes", "DrawBoundingBoxesV2"
    sh.check_dtype(api, op, specs[0], (dtypes.float16, dtypes.float32), "images")
    s, b = sh.dims(specs[0]), sh.dims(specs[1])
    if s is not None:
        if len(s) != 4:
            raise sh.error(api, op, "The rank of the images should be 4%s" % sh.fmt(s))
        if s[3] is not None and s[3] not in (1, 3, 4):
            raise sh.error(api, op, "Channel depth should be either 1 (GRY), 3 (RGB), or 4 (RGBA)")
    if b is not None and (len(b) != 3 or b[2] not in (None, 4)):
        raise sh.error(api, op, "boxes must have shape [batch, num_boxes, 4]%s" % sh.fmt(b))
    return [(s, specs[0].dtype)]


register("DrawBoundingBoxesV2", kernel=_draw_boxes_kernel, infer=_draw_boxes_infer, grad=NON_DIFFERENTIABLE,
         api="tf.image.draw_bounding_boxes", args=("images", "boxes", "colors"),
         samples=lambda: [([np.zeros((2, 6, 7, 3), _F32),
                            np.array([[[0.1, 0.2, 0.8, 0.9], [-0.2, 0.5, 0.5, 1.3]],
                                      [[0.5, 0.5, 0.2, 0.9], [0.0, 0.0, 1.0, 1.0]]], _F32),
                            np.array([[1, 0, 0, 1], [0, 0.5, 1, 1]], _F32)], {}),
                          ([np.ones((1, 4, 4, 1), np.float16), np.array([[[0.2, 0.2, 0.7, 0.7]]], _F32),
                            np.zeros((0, 4), _F32)], {})])


@tf_export("image.draw_bounding_boxes")
def draw_bounding_boxes(images, boxes, colors, name=None) -> Tensor:
    """Draws the outlines of `boxes` [batch, num_boxes, 4] (normalised [y1, x1, y2, x2]) on
    float images [batch, h, w, d], cycling through `colors` (tf.image.draw_bounding_boxes)."""
    images = _t(images)
    colors = _t(np.zeros((0, 4), _F32) if colors is None else colors, dtypes.float32)
    return bind("DrawBoundingBoxesV2", [images, _t(boxes, dtypes.float32), colors])


# ---------------------------------------------------------------- non-max suppression
_NMS_API = "tf.image.non_max_suppression"


def _iou_matrix_row(boxes, i, others):
    """TF's IOU of box i with boxes `others` (float32, corners in any order; empty boxes give 0)."""
    b = boxes
    y1, x1 = np.minimum(b[i, 0], b[i, 2]), np.minimum(b[i, 1], b[i, 3])
    y2, x2 = np.maximum(b[i, 0], b[i, 2]), np.maximum(b[i, 1], b[i, 3])
    o = b[others]
    oy1, ox1 = np.minimum(o[:, 0], o[:, 2]), np.minimum(o[:, 1], o[:, 3])
    oy2, ox2 = np.maximum(o[:, 0], o[:, 2]), np.maximum(o[:, 1], o[:, 3])
    area_i = (y2 - y1) * (x2 - x1)
    area_o = (oy2 - oy1) * (ox2 - ox1)
    inter = np.maximum(np.minimum(y2, oy2) - np.maximum(y1, oy1), _F32(0)) * \
        np.maximum(np.minimum(x2, ox2) - np.maximum(x1, ox1), _F32(0))
    with np.errstate(all="ignore"):
        iou = inter / (area_i + area_o - inter)
    return np.where((area_i <= 0) | (area_o <= 0), _F32(0), iou).astype(_F32)


def _nms_select(n, scores, similarity, max_out, threshold, score_threshold, sigma=0.0, suppressed_by=None):
    """TF's DoNonMaxSuppressionOp: returns (selected indices, selected scores).

    `similarity(i, js)` gives box i's similarity with boxes js. Hard NMS walks the candidates in
    score order (ties: lower index first) and drops those overlapping a selected box; soft NMS
    (sigma > 0) re-weights scores with a priority queue exactly like TF's kernel.
    """
    scores = scores.astype(_F32, copy=False)
    cand = np.nonzero(scores > score_threshold)[0]
    order = cand[np.lexsort((cand, -scores[cand]))]
    if sigma <= 0 and suppressed_by is not None:
        # `suppressed_by(i)`: the [n] mask of boxes that selecting box i suppresses (similarity > threshold)
        dead = np.zeros(n, bool)
        selected = []
        pos = 0
        while len(selected) < max_out and pos < order.size:
            alive = ~dead[order[pos:]]
            j = int(alive.argmax())
            if not alive[j]:
                break
            pos += j
            i = order[pos]
            selected.append(i)
            dead |= suppressed_by(i)
            pos += 1
        sel = np.asarray(selected, np.int64)
        return sel, scores[sel]
    if sigma <= 0:
        selected = []
        alive = np.ones(order.size, bool)
        pos = 0
        while len(selected) < max_out:
            nxt = np.flatnonzero(alive[pos:])
            if nxt.size == 0:
                break
            pos += int(nxt[0])
            i = order[pos]
            selected.append(i)
            alive[pos] = False
            rest = np.flatnonzero(alive[pos + 1:]) + pos + 1
            if rest.size:
                alive[rest[similarity(i, order[rest]) > threshold]] = False
            pos += 1
        sel = np.asarray(selected, np.int64)
        return sel, scores[sel]
    import heapq
    scale = _F32(-0.5 / sigma)
    heap = [(-scores[i], int(i), 0, scores[i]) for i in order]  # (-score, index, suppress_begin, score)
    heapq.heapify(heap)
    selected, sel_scores = [], []
    while len(selected) < max_out and heap:
        _, i, begin, score = heapq.heappop(heap)
        original = score
        if len(selected) > begin:
            sims = similarity(i, np.asarray(selected[begin:][::-1], np.int64))
            for sim in sims:
                score = _F32(score * np.exp(scale * sim * sim, dtype=_F32))
                if score <= score_threshold:
                    break
        begin = len(selected)
        if score == original:
            selected.append(i)
            sel_scores.append(score)
        elif score > score_threshold:
            heapq.heappush(heap, (-score, i, begin, score))
    return np.asarray(selected, np.int64), np.asarray(sel_scores, _F32)


def _nms_v5_kernel(xp, boxes, scores, max_output_size, iou_threshold, score_threshold, soft_nms_sigma,
                   pad_to_max_output_size=False):
    _check_nms(boxes, scores, max_output_size, iou_threshold)
    b = boxes.astype(_F32, copy=False)
    sel, sc = _nms_select(len(b), scores, lambda i, js: _iou_matrix_row(b, i, js), int(max_output_size),
                          _F32(iou_threshold), _F32(score_threshold), float(soft_nms_sigma))
    valid = len(sel)
    if pad_to_max_output_size:
        m = int(max_output_size)
        sel = np.concatenate([sel, np.zeros(m - valid, np.int64)])
        sc = np.concatenate([sc, np.zeros(m - valid, _F32)])
    return sel.astype(np.int32), sc.astype(scores.dtype), np.int32(valid)


def _check_nms(boxes, scores, max_output_size, threshold, overlaps=False):
    if np.ndim(max_output_size) != 0 or np.ndim(threshold) != 0:
        raise ValueError("scalars expected")
    if overlaps:
        if boxes.ndim != 2 or boxes.shape[0] != boxes.shape[1] or scores.shape != (boxes.shape[0],):
            raise ValueError("bad shapes")
        return
    if boxes.ndim != 2 or boxes.shape[1] != 4 or scores.ndim != 1 or scores.shape[0] != boxes.shape[0]:
        raise ValueError("bad shapes")
    if not 0 <= float(threshold) <= 1:
        raise InvalidArgumentError(None, None, "iou_threshold must be in [0, 1] [Op:NonMaxSuppressionV5]")
    if int(max_output_size) < 0:
        raise InvalidArgumentError(None, None, "max_output_size must be non-negative [Op:NonMaxSuppressionV5]")


def _const_value(spec):
    return array_ops._const(spec)


def _nms_infer(op, kernel, pad_attr=True, overlaps=False):
    def infer(specs, attrs):
        b, s = sh.dims(specs[0]), sh.dims(specs[1])
        sh.check_dtype(_NMS_API, op, specs[0], (dtypes.float16, dtypes.float32), "overlaps" if overlaps else "boxes")
        sh.check_dtype(_NMS_API, op, specs[1], (dtypes.float16, dtypes.float32), "scores")
        if b is not None and (len(b) != 2 or (not overlaps and b[1] not in (None, 4))):
            raise sh.error(_NMS_API, op, ("overlaps must be 2-D" if overlaps else "boxes must be 2-D") + sh.fmt(b))
        if s is not None and len(s) != 1:
            raise sh.error(_NMS_API, op, "scores must be 1-D%s" % sh.fmt(s))
        if b is not None and s is not None and None not in (b[0], s[0]) and b[0] != s[0]:
            raise sh.error(_NMS_API, op, "scores has incompatible shape%s vs%s" % (sh.fmt(s), sh.fmt(b)))
        for spec in specs[2:]:
            d = sh.dims(spec)
            if d is not None and len(d) != 0:
                raise sh.error(_NMS_API, op, "max_output_size and thresholds must be scalars, got%s" % sh.fmt(d))
        values = [_const_value(x) for x in specs]
        n = None
        if all(v is not None for v in values):
            n = len(kernel(np, *values, **attrs)[0])
        elif pad_attr and attrs.get("pad_to_max_output_size") and values[2] is not None:
            n = int(values[2])
        outs = [((n,), dtypes.int32)]
        if op == "NonMaxSuppressionV5":
            outs += [((n,), specs[1].dtype), ((), dtypes.int32)]
        return outs
    return infer


def _nms_samples():
    rng = np.random.default_rng(21)
    corner = rng.uniform(0, 1, (12, 2)).astype(_F32)
    boxes = np.concatenate([corner, corner + rng.uniform(0.1, 0.5, (12, 2)).astype(_F32)], 1)
    scores = rng.uniform(0, 1, 12).astype(_F32)
    scores[3] = scores[5]
    f = np.float32
    return [([boxes, scores, np.int32(6), f(0.4), f(-np.inf), f(0.0)], {"pad_to_max_output_size": False}),
            ([boxes, scores, np.int32(10), f(0.3), f(0.2), f(0.5)], {"pad_to_max_output_size": True}),
            ([boxes[:0], scores[:0], np.int32(3), f(0.5), f(0.0), f(0.0)], {"pad_to_max_output_size": True})]


register("NonMaxSuppressionV5", kernel=_nms_v5_kernel, infer=_nms_infer("NonMaxSuppressionV5", _nms_v5_kernel),
         grad=NON_DIFFERENTIABLE, api=_NMS_API, num_outputs=-1,
         args=("boxes", "scores", "max_output_size", "iou_threshold", "score_threshold", "soft_nms_sigma"),
         samples=_nms_samples)


def _nms_overlaps_kernel(xp, overlaps, scores, max_output_size, overlap_threshold, score_threshold):
    _check_nms(overlaps, scores, max_output_size, overlap_threshold, overlaps=True)
    ov = overlaps.astype(_F32, copy=False)
    sel, _ = _nms_select(len(ov), scores, lambda i, js: ov[js, i], int(max_output_size), _F32(overlap_threshold),
                         _F32(score_threshold))
    return (sel.astype(np.int32),)


def _overlap_samples():
    rng = np.random.default_rng(22)
    ov = rng.uniform(0, 1, (8, 8)).astype(_F32)
    ov = (ov + ov.T) / 2
    return [([ov, rng.uniform(0, 1, 8).astype(_F32), np.int32(5), np.float32(0.5), np.float32(0.1)], {})]


register("NonMaxSuppressionWithOverlaps", kernel=lambda xp, *a: _nms_overlaps_kernel(xp, *a)[0],
         infer=_nms_infer("NonMaxSuppressionWithOverlaps", _nms_overlaps_kernel, False, True),
         grad=NON_DIFFERENTIABLE, api="tf.image.non_max_suppression_overlaps",
         args=("overlaps", "scores", "max_output_size", "overlap_threshold", "score_threshold"),
         samples=_overlap_samples)


def _nms_inputs(boxes, scores, max_output_size, iou_threshold, score_threshold, soft_nms_sigma=0.0):
    scores = _t(scores)
    fd = scores.dtype if scores.dtype in (dtypes.float16, dtypes.float32) else dtypes.float32
    return [_t(boxes, fd), _t(scores, fd), _t(max_output_size, dtypes.int32), _t(iou_threshold, dtypes.float32),
            _t(score_threshold, dtypes.float32), _t(soft_nms_sigma, dtypes.float32)]


@tf_export("image.non_max_suppression")
def non_max_suppression(boxes, scores, max_output_size, iou_threshold=0.5, score_threshold=float("-inf"),
                        name=None) -> Tensor:
    """Greedy non-max suppression: indices (int32) of at most `max_output_size` boxes in decreasing
    score order, dropping boxes whose IoU with a selected box exceeds `iou_threshold`
    (tf.image.non_max_suppression)."""
    inputs = _nms_inputs(boxes, scores, max_output_size, iou_threshold, score_threshold)
    return bind("NonMaxSuppressionV5", inputs, {"pad_to_max_output_size": False})[0]


@tf_export("image.non_max_suppression_with_scores")
def non_max_suppression_with_scores(boxes, scores, max_output_size, iou_threshold=0.5,
                                    score_threshold=float("-inf"), soft_nms_sigma=0.0, name=None):
    """Non-max suppression returning (selected_indices, selected_scores); with `soft_nms_sigma` > 0,
    Soft-NMS (Gaussian re-weighting of overlapping scores) (tf.image.non_max_suppression_with_scores)."""
    inputs = _nms_inputs(boxes, scores, max_output_size, iou_threshold, score_threshold, soft_nms_sigma)
    idx, sc, _ = bind("NonMaxSuppressionV5", inputs, {"pad_to_max_output_size": False})
    return idx, sc


@tf_export("image.non_max_suppression_overlaps")
def non_max_suppression_overlaps(overlaps, scores, max_output_size, overlap_threshold=0.5,
                                 score_threshold=float("-inf"), name=None) -> Tensor:
    """Greedy non-max suppression over a precomputed [n, n] `overlaps` matrix
    (tf.image.non_max_suppression_overlaps)."""
    return bind("NonMaxSuppressionWithOverlaps",
                [_t(overlaps, dtypes.float32), _t(scores, dtypes.float32), _t(max_output_size, dtypes.int32),
                 _t(overlap_threshold, dtypes.float32), _t(score_threshold, dtypes.float32)])


@tf_export("image.non_max_suppression_padded")
def non_max_suppression_padded(boxes, scores, max_output_size, iou_threshold=0.5, score_threshold=float("-inf"),
                               pad_to_max_output_size=False, name=None, sorted_input=False,
                               canonicalized_coordinates=False, tile_size=512):
    """Non-max suppression returning (selected_indices, num_valid), indices padded with zeros to
    `max_output_size` when `pad_to_max_output_size`; boxes [..., n, 4] may carry batch dimensions
    (tf.image.non_max_suppression_padded)."""
    boxes, scores = _t(boxes, dtypes.float32), _t(scores, dtypes.float32)
    if boxes.shape.rank == 2 and not pad_to_max_output_size:
        inputs = _nms_inputs(boxes, scores, max_output_size, iou_threshold, score_threshold)
        idx, _, valid = bind("NonMaxSuppressionV5", inputs, {"pad_to_max_output_size": False})
        return idx, valid
    if boxes.shape.rank == 2:
        inputs = _nms_inputs(boxes, scores, max_output_size, iou_threshold, score_threshold)
        idx, _, valid = bind("NonMaxSuppressionV5", inputs, {"pad_to_max_output_size": True})
        return idx, valid
    raise NotImplementedError("tf.image.non_max_suppression_padded with batch dimensions is not supported by "
                              "tensorforge yet")


# ---------------------------------------------------------------- CombinedNonMaxSuppression
_CNMS_API = "tf.image.combined_non_max_suppression"
_CNMS = "CombinedNonMaxSuppression"
_CombinedNMS = collections.namedtuple(_CNMS, ["nmsed_boxes", "nmsed_scores", "nmsed_classes", "valid_detections"])
_CNMS_ARGS = ("boxes", "scores", "max_output_size_per_class", "max_total_size", "iou_threshold", "score_threshold")
_CNMS_TYPES = (dtypes.float32, dtypes.float32, dtypes.int32, dtypes.int32, dtypes.float32, dtypes.float32)


def _corners(b):
    """Per box (float32, TF's IOU): y_min, x_min, y_max, x_max (corners in any order) and area."""
    y1, x1 = np.minimum(b[:, 0], b[:, 2]), np.minimum(b[:, 1], b[:, 3])
    y2, x2 = np.maximum(b[:, 0], b[:, 2]), np.maximum(b[:, 1], b[:, 3])
    return y1, x1, y2, x2, (y2 - y1) * (x2 - x1)


def _iou_block(corners, rows, cols):
    """IOU [len(rows), len(cols)] with the arithmetic of TF's IOU (and of `_iou_matrix_row`)."""
    y1, x1, y2, x2, area = corners
    inter = np.maximum(np.minimum(y2[rows, None], y2[None, cols]) - np.maximum(y1[rows, None], y1[None, cols]),
                       _F32(0)) * \
        np.maximum(np.minimum(x2[rows, None], x2[None, cols]) - np.maximum(x1[rows, None], x1[None, cols]), _F32(0))
    ai, aj = area[rows, None], area[None, cols]
    with np.errstate(all="ignore"):
        iou = inter / (ai + aj - inter)
    return np.where((ai <= 0) | (aj <= 0), _F32(0), iou)


def _suppression_matrix(b, threshold):
    """[n, n] bool: IOU > threshold, in row blocks to bound the float temporaries."""
    corners = _corners(b)
    n = len(b)
    out = np.empty((n, n), bool)
    for lo in range(0, n, 512):
        out[lo:lo + 512] = _iou_block(corners, slice(lo, lo + 512), slice(None)) > threshold
    return out


def _combined_nms_kernel(xp, boxes, scores, max_output_size_per_class, max_total_size, iou_threshold,
                         score_threshold, pad_per_class=False, clip_boxes=True):
    """TF's BatchedNonMaxSuppressionOp: per (batch, class) greedy NMS with the shared selection
    loop `_nms_select`, then per batch the top candidates by score (stable for ties)."""
    arrays = (boxes, scores, max_output_size_per_class, max_total_size, iou_threshold, score_threshold)
    if any(a.dtype != t.as_numpy_dtype for a, t in zip(arrays, _CNMS_TYPES)) or boxes.ndim != 4 \
            or scores.ndim != 3 or any(np.ndim(a) for a in arrays[2:]) or boxes.shape[0] != scores.shape[0] \
            or boxes.shape[1] != scores.shape[1] or boxes.shape[2] not in (1, scores.shape[2]) or boxes.shape[3] != 4:
        raise ValueError("invalid combined_non_max_suppression arguments")  # inference gives TF's message
    mspc, total, iou = int(max_output_size_per_class), int(max_total_size), _F32(iou_threshold)
    if mspc <= 0:
        raise sh.error(_CNMS_API, _CNMS, "max_size_per_class must be positive")
    if total <= 0:
        raise sh.error(_CNMS_API, _CNMS, "max_total_size must be > 0")
    if not 0 <= iou <= 1:
        raise sh.error(_CNMS_API, _CNMS, "iou_threshold must be in [0, 1]")
    batch, n, q, _ = boxes.shape
    nc = scores.shape[2]
    spc = min(mspc, n)
    per_batch = min(total, mspc * nc) if pad_per_class else total
    slots = spc * nc
    out_boxes = np.zeros((batch, per_batch, 4), _F32)
    out_scores = np.zeros((batch, per_batch), _F32)
    out_classes = np.zeros((batch, per_batch), _F32)
    valid = np.zeros(batch, np.int32)
    st = _F32(score_threshold)
    for b in range(batch):
        # TF's result-candidate slots: class c owns [c * spc, (c + 1) * spc); unused slots keep
        # (index -1, score -1, class -1, box 0) and take part in the final sort, as in TF.
        c_idx = np.full(slots, -1, np.int64)
        c_score = np.full(slots, -1, _F32)
        c_class = np.full(slots, -1, _F32)
        c_box = np.zeros((slots, 4), _F32)
        shared = _suppression_matrix(boxes[b, :, 0], iou) if q == 1 and n <= 4096 else None
        for c in range(nc):
            bx = boxes[b, :, c if q > 1 else 0]
            if shared is not None:
                rows = shared.__getitem__
            else:
                corners = _corners(bx)
                rows = (lambda i, corners=corners: _iou_block(corners, np.array([i]), slice(None))[0] > iou)
            sel, sc = _nms_select(n, scores[b, :, c], None, spc, iou, st, suppressed_by=rows)
            lo, k = c * spc, len(sel)
            c_idx[lo:lo + k] = sel
            c_score[lo:lo + k] = sc
            c_class[lo:lo + k] = c
            c_box[lo:lo + k] = bx[sel]
        m = min(int(np.count_nonzero(c_idx > -1)), per_batch)
        top = np.argsort(-c_score, kind="stable")[:m]
        out_boxes[b, :m] = np.clip(c_box[top], _F32(0), _F32(1)) if clip_boxes else c_box[top]
        out_scores[b, :m] = c_score[top]
        out_classes[b, :m] = c_class[top]
        valid[b] = m
    return out_boxes, out_scores, out_classes, valid


def _combined_nms_infer(specs, attrs):
    api, op = _CNMS_API, _CNMS
    for spec, t, name in zip(specs, _CNMS_TYPES, _CNMS_ARGS):
        sh.check_dtype(api, op, spec, (t,), name)
    b, s = sh.dims(specs[0]), sh.dims(specs[1])
    if b is not None and len(b) != 4:
        raise sh.error(api, op, "boxes must be 4-D, got shape %s" % sh.fmt(b))
    if s is not None and len(s) != 3:
        raise sh.error(api, op, "scores must be 3-D, got shape %s" % sh.fmt(s))
    if b is not None and b[3] not in (None, 4):
        raise sh.error(api, op, "boxes must have 4 columns, got shape %s" % sh.fmt(b))
    if b is not None and s is not None:
        if None not in (b[0], s[0]) and b[0] != s[0]:
            raise sh.error(api, op, "boxes and scores must have same batch size: %s vs %s" % (sh.fmt(b), sh.fmt(s)))
        if None not in (b[1], s[1]) and b[1] != s[1]:
            raise sh.error(api, op, "scores has incompatible shape: %s vs boxes %s" % (sh.fmt(s), sh.fmt(b)))
        if None not in (b[2], s[2]) and b[2] not in (1, s[2]):
            raise sh.error(api, op, "third dimension of boxes must be either 1 or num classes: boxes %s, scores %s"
                           % (sh.fmt(b), sh.fmt(s)))
    for spec, name in zip(specs[2:], ("max_size_per_class", "max_total_size", "iou_threshold", "score_threshold")):
        d = sh.dims(spec)
        if d is not None and len(d) != 0:
            raise sh.error(api, op, "%s must be 0-D, got shape %s" % (name, sh.fmt(d)))
    batch = b[0] if b is not None and b[0] is not None else (s[0] if s is not None else None)
    total, mspc = _const_value(specs[3]), _const_value(specs[2])
    size = None if total is None else int(total)
    if size is not None and attrs.get("pad_per_class", False):
        nc = s[2] if s is not None else None
        size = None if mspc is None or nc is None else min(size, int(mspc) * nc)
    return [((batch, size, 4), dtypes.float32), ((batch, size), dtypes.float32), ((batch, size), dtypes.float32),
            ((batch,), dtypes.int32)]


def _combined_nms_samples():
    rng = np.random.default_rng(31)

    def boxes(*shape):
        corner = rng.uniform(-0.1, 0.9, shape + (2,)).astype(_F32)
        return np.concatenate([corner, corner + rng.uniform(0.05, 0.5, shape + (2,)).astype(_F32)], -1)
    f, i = np.float32, np.int32
    shared, per_class = boxes(2, 7, 1), boxes(2, 7, 3)
    sc = rng.uniform(0, 1, (2, 7, 3)).astype(_F32)
    return [([shared, sc, i(3), i(5), f(0.5), f(-np.inf)], {"pad_per_class": False, "clip_boxes": True}),
            ([per_class, sc, i(2), i(20), f(0.3), f(0.2)], {"pad_per_class": True, "clip_boxes": False}),
            ([per_class, sc, i(4), i(6), f(0.6), f(0.1)], {"pad_per_class": False, "clip_boxes": True})]


register(_CNMS, kernel=_combined_nms_kernel, infer=_combined_nms_infer, grad=NON_DIFFERENTIABLE, api=_CNMS_API,
         num_outputs=-1, args=_CNMS_ARGS, samples=_combined_nms_samples)


def _typed(x, dtype):
    """`x` as a tensor of `dtype`; a tensor of another dtype is kept, so that the op reports it as TF does."""
    try:
        return _t(x, dtype)
    except ValueError:
        return _t(x)


@tf_export("image.combined_non_max_suppression")
def combined_non_max_suppression(boxes, scores, max_output_size_per_class, max_total_size, iou_threshold=0.5,
                                 score_threshold=float("-inf"), pad_per_class=False, clip_boxes=True, name=None):
    """Greedy non-max suppression per class and batch item, then the `max_total_size` best
    detections over all classes (tf.image.combined_non_max_suppression).

    Args:
      boxes: float32 [batch, num_boxes, q, 4] with q 1 (boxes shared by all classes) or num_classes.
      scores: float32 [batch, num_boxes, num_classes].
      max_output_size_per_class: int32 scalar, the most boxes NMS keeps per class.
      max_total_size: int32 scalar, the most boxes kept per batch item over all classes.
      iou_threshold: overlaps above it suppress a box.
      score_threshold: only boxes scoring above it are considered.
      pad_per_class: pad the outputs to min(max_total_size, max_output_size_per_class * num_classes)
        instead of max_total_size.
      clip_boxes: clip the output coordinates to [0, 1].

    Returns:
      A namedtuple (nmsed_boxes [batch, N, 4], nmsed_scores [batch, N], nmsed_classes [batch, N],
      all float32, valid_detections int32 [batch]); entries past valid_detections are zeros.
    """
    out = bind(_CNMS, [_typed(boxes, dtypes.float32), _typed(scores, dtypes.float32),
                       _typed(max_output_size_per_class, dtypes.int32), _t(max_total_size),
                       _t(iou_threshold, dtypes.float32), _t(score_threshold, dtypes.float32)],
               {"pad_per_class": bool(pad_per_class), "clip_boxes": bool(clip_boxes)})
    return _CombinedNMS(*out)


# ---------------------------------------------------------------- (Stateless)SampleDistortedBoundingBox
_SDBB_T = (dtypes.uint8, dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64)
_SDBB_NP = tuple(np.dtype(t.as_numpy_dtype) for t in _SDBB_T)
_SDBBResult = {op: collections.namedtuple(op, ["begin", "size", "bboxes"])
               for op in ("SampleDistortedBoundingBoxV2", "StatelessSampleDistortedBoundingBox")}


def _fmt_floats(v):
    return "[%s]" % ", ".join("%g" % x for x in v)


def _sdbb_check_attrs(api, op, attrs):
    ar, area, attempts = attrs["aspect_ratio_range"], attrs["area_range"], attrs["max_attempts"]
    if len(ar) != 2:
        raise sh.error(api, op, "Aspect ratio range field must specify 2 dimensions")
    if not (ar[0] > 0 and ar[1] > 0):
        raise sh.error(api, op, "Aspect ratio range must be non-negative: %s" % _fmt_floats(ar))
    if len(area) != 2:
        raise sh.error(api, op, "Area range field must specify 2 dimensions")
    if not (area[0] > 0 and area[1] > 0):
        raise sh.error(api, op, "Area range must be non-negative: %s" % _fmt_floats(area))
    if not (area[0] <= 1 and area[1] <= 1):
        raise sh.error(api, op, "Area range must be less then or equal to 1.0: %s" % _fmt_floats(area))
    if attempts <= 0:
        raise sh.error(api, op, "Max attempts must be non-negative: %d" % attempts)


def _random_crops(gen, width, height, min_rel, max_rel, ar):
    """TF's GenerateRandomCrop for every attempt at once: (ok, x, y, w, h) arrays over attempts.

    Float32 arithmetic and round-half-even (lrintf) like the C++ kernel; the random draws of
    all attempts are taken up front, in a fixed order, so a seed fixes the result."""
    n = ar.size
    W, H = _F32(width), _F32(height)
    min_area, max_area = _F32(min_rel) * W * H, _F32(max_rel) * W * H
    ok = (ar > 0) & (max_rel > 0) & (width > 0) & (height > 0) & (min_rel <= max_rel)
    safe = np.where(ok, ar, _F32(1))
    with np.errstate(all="ignore"):
        h = np.rint(np.sqrt(min_area / safe)).astype(np.int64)
        max_h = np.rint(np.sqrt(max_area / safe)).astype(np.int64)
        over = np.rint(max_h.astype(_F32) * safe) > width
        alt = ((width + 0.5 - float(_F32(1e-7))) / safe.astype(np.float64)).astype(np.int64)
        alt -= np.rint(alt.astype(_F32) * safe) > width
        max_h = np.minimum(np.where(over, alt, max_h), height)
        h = np.minimum(h, max_h)
        h = h + gen.integers(0, np.maximum(max_h - h + 1, 1), n)

        def wa(hh):
            ww = np.rint(hh.astype(_F32) * safe).astype(np.int64)
            return ww, (ww * hh).astype(_F32)
        w, area = wa(h)
        low = area < min_area
        h = np.where(low, h + 1, h)
        w, area = wa(h)
        ok &= area >= min_area
        high = area > max_area
        h = np.where(high, h - 1, h)
        w, area = wa(h)
    ok &= (area >= min_area) & (area <= max_area) & (w <= width) & (h <= height) & (w > 0) & (h > 0)
    y = np.where(h < height, gen.integers(0, np.maximum(height - h, 1), n), 0)
    x = np.where(w < width, gen.integers(0, np.maximum(width - w, 1), n), 0)
    return ok, x, y, w, h


def _sample_distorted_box(gen, image_size, boxes, min_object_covered, api, op, aspect_ratio_range, area_range,
                          max_attempts, use_image_if_no_bounding_boxes):
    """TF's SampleDistortedBoundingBox kernel: (begin, size, bboxes)."""
    _sdbb_check_attrs(api, op, {"aspect_ratio_range": aspect_ratio_range, "area_range": area_range,
                                "max_attempts": max_attempts})
    if image_size.dtype not in _SDBB_NP or boxes.dtype != _F32 or min_object_covered.dtype != _F32:
        raise ValueError("invalid dtypes")  # inference gives TF's message
    if image_size.ndim != 1:
        raise sh.error(api, op, "image_size must be 1-dimensional%s" % sh.fmt(image_size.shape))
    if image_size.shape[0] != 3:
        raise sh.error(api, op, "image_size must contain 3 elements%s" % sh.fmt(image_size.shape))
    height, width = int(image_size[0]), int(image_size[1])
    if not (0 <= height < 2 ** 31 - 1 and 0 <= width < 2 ** 31 - 1):
        raise sh.error(api, op, "image height cannot be >= int32 max")
    if boxes.ndim != 3:
        raise sh.error(api, op, "input boxes must be 3-dimensional [batch, num_boxes, coords]: %s"
                       % sh.fmt(boxes.shape))
    if boxes.shape[2] != 4:
        raise sh.error(api, op, "bounding boxes must have shape [4] or [*, 4], got %s" % sh.fmt(boxes.shape))
    if min_object_covered.ndim != 0:
        raise sh.error(api, op, "min_object_covered must be 0-D, got shape %s" % sh.fmt(min_object_covered.shape))
    moc = _F32(min_object_covered)
    if not moc >= 0:
        raise sh.error(api, op, "Min object covered must be non-negative: %s" % moc)
    flat = boxes.reshape(-1, 4)
    bad = ~((flat >= 0) & (flat <= 1))
    if bad.any():
        raise sh.error(api, op, "All bounding box coordinates must be in [0.0, 1.0]: %s" % flat[bad][0])
    if flat.shape[0]:
        rects = np.stack([(flat[:, 1] * _F32(width)).astype(np.int64), (flat[:, 0] * _F32(height)).astype(np.int64),
                          (flat[:, 3] * _F32(width)).astype(np.int64), (flat[:, 2] * _F32(height)).astype(np.int64)],
                         1)
    elif use_image_if_no_bounding_boxes:
        rects = np.array([[0, 0, width, height]], np.int64)
    else:
        raise sh.error(api, op, "No bounding boxes provided as input. One must enable use_image_if_no_bounding_boxes "
                       "if you wish to not provide any bounding boxes.")
    lo, hi = _F32(aspect_ratio_range[0]), _F32(aspect_ratio_range[1])
    ar = gen.random(max_attempts, dtype=_F32) * (hi - lo) + lo
    ok, x, y, w, h = _random_crops(gen, width, height, area_range[0], area_range[1], ar)
    # SatisfiesOverlapConstraints: the crop has >= 10 pixels and covers enough of some non-empty box.
    box_area = (rects[:, 2] - rects[:, 0]) * (rects[:, 3] - rects[:, 1])
    ix = np.minimum((x + w)[:, None], rects[None, :, 2]) - np.maximum(x[:, None], rects[None, :, 0])
    iy = np.minimum((y + h)[:, None], rects[None, :, 3]) - np.maximum(y[:, None], rects[None, :, 1])
    inter = np.where((ix < 0) | (iy < 0), 0, ix * iy)
    with np.errstate(all="ignore"):
        covered = inter.astype(_F32) / box_area.astype(_F32)[None, :]
    hit = ((covered >= moc) & (box_area != 0)[None, :]).any(1)
    good = np.flatnonzero(ok & (w * h >= 10) & hit)
    if good.size:
        k = good[0]
        x0, y0, cw, ch = int(x[k]), int(y[k]), int(w[k]), int(h[k])
    else:
        x0, y0, cw, ch = 0, 0, width, height
    t = image_size.dtype
    begin = np.array([y0, x0, 0], np.int64).astype(t)
    size = np.array([ch, cw, -1], np.int64).astype(t)
    with np.errstate(all="ignore"):
        bboxes = (np.array([y0, x0, y0 + ch, x0 + cw], _F32) / np.array([height, width, height, width], _F32))
    return begin, size, bboxes.reshape(1, 1, 4)


def _sdbb_infer(api, op, stateless):
    def infer(specs, attrs):
        _sdbb_check_attrs(api, op, attrs)
        sh.check_dtype(api, op, specs[0], _SDBB_T, "image_size")
        sh.check_dtype(api, op, specs[1], (dtypes.float32,), "bounding_boxes")
        sh.check_dtype(api, op, specs[2], (dtypes.float32,), "min_object_covered")
        if stateless:
            random_ops._check_seed(api, op, specs[3])
        s, b, m = sh.dims(specs[0]), sh.dims(specs[1]), sh.dims(specs[2])
        if s is not None and len(s) != 1:
            raise sh.error(api, op, "image_size must be 1-dimensional%s" % sh.fmt(s))
        if s is not None and s[0] not in (None, 3):
            raise sh.error(api, op, "image_size must contain 3 elements%s" % sh.fmt(s))
        if b is not None and len(b) != 3:
            raise sh.error(api, op, "input boxes must be 3-dimensional [batch, num_boxes, coords]: %s" % sh.fmt(b))
        if b is not None and b[2] not in (None, 4):
            raise sh.error(api, op, "bounding boxes must have shape [4] or [*, 4], got %s" % sh.fmt(b))
        if m is not None and len(m) != 0:
            raise sh.error(api, op, "min_object_covered must be 0-D, got shape %s" % sh.fmt(m))
        t = specs[0].dtype
        return [((3,), t), ((3,), t), ((1, 1, 4), dtypes.float32)]
    return infer


_SDBB_API = "tf.image.sample_distorted_bounding_box"
_SSDBB_API = "tf.image.stateless_sample_distorted_bounding_box"


def _sdbb_kernel(xp, image_size, bounding_boxes, min_object_covered, seed, seed2, **attrs):
    gen = random_ops._stateful_gen("SampleDistortedBoundingBoxV2", None, seed, seed2)
    return _sample_distorted_box(gen, image_size, bounding_boxes, min_object_covered, _SDBB_API,
                                 "SampleDistortedBoundingBoxV2", **attrs)


def _ssdbb_kernel(xp, image_size, bounding_boxes, min_object_covered, seed, **attrs):
    if seed.dtype not in (np.int32, np.int64) or seed.shape != (2,):
        raise ValueError("seed must have shape [2]")  # inference gives TF's message
    return _sample_distorted_box(random_ops._seed_gen(seed), image_size, bounding_boxes, min_object_covered,
                                 _SSDBB_API, "StatelessSampleDistortedBoundingBox", **attrs)


def _sdbb_samples(stateless):
    def samples():
        boxes = np.array([[[0.1, 0.2, 0.5, 0.6], [0.3, 0.1, 0.9, 0.4]]], _F32)
        attrs = {"aspect_ratio_range": (0.75, 1.33), "area_range": (0.05, 1.0), "max_attempts": 100,
                 "use_image_if_no_bounding_boxes": False}
        extra = [] if stateless else [{"seed": 7, "seed2": 11}]
        tail = [np.array([5, 9], np.int64)] if stateless else []
        out = []
        for size, bx, moc, change in (
                (np.array([60, 80, 3], np.int32), boxes, 0.1, {}),
                (np.array([30, 20, 1], np.int64), boxes[:, :0], 0.5,
                 {"use_image_if_no_bounding_boxes": True, "area_range": (0.3, 0.9), "max_attempts": 20}),
                (np.array([50, 40, 3], np.uint8), boxes[:, :1], 0.9, {"aspect_ratio_range": (0.5, 2.0)})):
            a = dict(attrs, **change)
            for e in extra:
                a.update(e)
            out.append(([size, bx, np.float32(moc)] + tail, a))
        return out
    return samples


register("SampleDistortedBoundingBoxV2", kernel=_sdbb_kernel,
         infer=_sdbb_infer(_SDBB_API, "SampleDistortedBoundingBoxV2", False), grad=NON_DIFFERENTIABLE,
         api=_SDBB_API, num_outputs=-1, stateful=True, args=("image_size", "bounding_boxes", "min_object_covered"),
         samples=_sdbb_samples(False))
register("StatelessSampleDistortedBoundingBox", kernel=_ssdbb_kernel,
         infer=_sdbb_infer(_SSDBB_API, "StatelessSampleDistortedBoundingBox", True), grad=NON_DIFFERENTIABLE,
         api=_SSDBB_API, num_outputs=-1, args=("image_size", "bounding_boxes", "min_object_covered", "seed"),
         samples=_sdbb_samples(True))


def _sdbb_attrs(aspect_ratio_range, area_range, max_attempts, use_image_if_no_bounding_boxes):
    return {"aspect_ratio_range": (0.75, 1.33) if aspect_ratio_range is None
            else tuple(float(v) for v in np.asarray(aspect_ratio_range, np.float64).reshape(-1)),
            "area_range": (0.05, 1.0) if area_range is None
            else tuple(float(v) for v in np.asarray(area_range, np.float64).reshape(-1)),
            "max_attempts": 100 if max_attempts is None else int(max_attempts),
            "use_image_if_no_bounding_boxes": bool(use_image_if_no_bounding_boxes)}


@tf_export("image.sample_distorted_bounding_box")
def sample_distorted_bounding_box(image_size, bounding_boxes, seed=0, min_object_covered=0.1,
                                  aspect_ratio_range=None, area_range=None, max_attempts=None,
                                  use_image_if_no_bounding_boxes=None, name=None):
    """Samples a random crop of an image that covers at least `min_object_covered` of one of
    `bounding_boxes` (tf.image.sample_distorted_bounding_box).

    Args:
      image_size: 1-D [height, width, channels] (uint8, int8, int16, int32 or int64).
      bounding_boxes: float32 [batch, N, 4] of normalised [y_min, x_min, y_max, x_max] in [0, 1].
      seed: the op seed; 0 (the default) draws different crops on every call even with a
        global seed, as in TF.
      min_object_covered: the crop must contain at least this fraction of some box.
      aspect_ratio_range: (min, max) width / height of the crop, default (0.75, 1.33).
      area_range: (min, max) fraction of the image area the crop covers, default (0.05, 1.0).
      max_attempts: tries before the whole image is returned, default 100.
      use_image_if_no_bounding_boxes: with no boxes, use the whole image as the box instead of raising.

    Returns:
      A namedtuple (begin [offset_height, offset_width, 0], size [target_height, target_width, -1],
      both of image_size's dtype, for tf.slice; bboxes float32 [1, 1, 4], the crop's normalised box).
    """
    s1, s2 = random_ops.get_seed(seed) if seed else (0, 0)
    attrs = _sdbb_attrs(aspect_ratio_range, area_range, max_attempts, use_image_if_no_bounding_boxes)
    attrs.update(seed=int(s1), seed2=int(s2))
    out = bind("SampleDistortedBoundingBoxV2", [_t(image_size), _t(bounding_boxes, dtypes.float32),
                                                _t(min_object_covered, dtypes.float32)], attrs)
    return _SDBBResult["SampleDistortedBoundingBoxV2"](*out)


@tf_export("image.stateless_sample_distorted_bounding_box")
def stateless_sample_distorted_bounding_box(image_size, bounding_boxes, seed, min_object_covered=0.1,
                                            aspect_ratio_range=None, area_range=None, max_attempts=None,
                                            use_image_if_no_bounding_boxes=None, name=None):
    """tf.image.sample_distorted_bounding_box with a shape-[2] int32/int64 `seed`: the same seed
    gives the same crop (tf.image.stateless_sample_distorted_bounding_box)."""
    attrs = _sdbb_attrs(aspect_ratio_range, area_range, max_attempts, use_image_if_no_bounding_boxes)
    out = bind("StatelessSampleDistortedBoundingBox",
               [_t(image_size), _t(bounding_boxes, dtypes.float32), _t(min_object_covered, dtypes.float32),
                _t(seed)], attrs)
    return _SDBBResult["StatelessSampleDistortedBoundingBox"](*out)
