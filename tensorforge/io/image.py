"""Image codecs: tf.io.decode_png / decode_jpeg / decode_gif / decode_bmp / decode_image /
decode_and_crop_jpeg / extract_jpeg_shape, encode_png / encode_jpeg, is_jpeg.

Ops (TF's names): DecodePng, DecodeJpeg, DecodeGif, DecodeBmp, DecodeImage, DecodeAndCropJpeg,
ExtractJpegShape, EncodePng, EncodeJpeg. As in TF 2.x, every decoder sniffs the format, so
decode_png also decodes a JPEG or a single-frame GIF (but not a BMP).

PNG is encoded here with NumPy and zlib (adaptive row filters, as libpng); every other codec
uses Pillow, imported when a kernel first needs it (the `image` extra). Differences from TF:
JPEG decoding uses libjpeg's accurate integer DCT (TF's dct_method="INTEGER_ACCURATE"; TF's
default fast DCT differs by a few levels), and `fancy_upscaling`, `try_recover_truncated`,
`acceptable_fraction` and `dct_method` are accepted but not used.
"""
from __future__ import annotations

import io
import struct
import zlib

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import convert_to_tensor
from ..framework.errors import InternalError, InvalidArgumentError, UnimplementedError
from ..framework.tensor import Tensor
from ..ops import shapes as sh
from ..ops.registry import NON_DIFFERENTIABLE, bind, register

__all__ = ["decode_and_crop_jpeg", "decode_bmp", "decode_gif", "decode_image", "decode_jpeg", "decode_png",
           "encode_jpeg", "encode_png", "extract_jpeg_shape", "is_jpeg"]

_U8, _U16, _F32 = dtypes.uint8, dtypes.uint16, dtypes.float32
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def _err(op: str, msg: str) -> InvalidArgumentError:
    return InvalidArgumentError(None, None, "%s [Op:%s]" % (msg, op))


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise UnimplementedError(None, None, "image decoding and JPEG encoding need Pillow: pip install pillow "
                                             "(or tensorforge[image])") from None
    return Image


def _contents(op: str, contents) -> bytes:
    if np.ndim(contents) != 0:
        raise _err(op, "`contents` must be scalar but got shape%s" % sh.fmt(np.shape(contents)))
    v = contents[()] if isinstance(contents, np.ndarray) else contents
    return v if isinstance(v, bytes) else bytes(v)


def _sniff(op: str, data: bytes) -> str:
    if not data:
        raise _err(op, "Input is empty.")
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == _PNG_SIGNATURE:
        return "PNG"
    if data[:4] == b"GIF8":
        return "GIF"
    if data[:2] == b"BM":
        return "BMP"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    raise _err(op, "Unknown image file format. One of JPEG, JPEG XL, PNG, GIF, BMP, WebP required.")


def _hw3(a: np.ndarray) -> np.ndarray:
    return a[:, :, None] if a.ndim == 2 else a


# ---------------------------------------------------------------- decoders (native channels and depth)
def _decode_png(op: str, data: bytes) -> np.ndarray:
    if len(data) >= 29 and data[12:16] == b"IHDR" and data[24] == 16 and data[25] in (2, 4, 6) and data[28] == 0:
        return _decode_png16_color(op, data)  # Pillow keeps only 8 bits of 16-bit color samples
    Image = _pil()
    try:
        im = Image.open(io.BytesIO(data), formats=["PNG"])
        im.load()
    except Exception:  # noqa: BLE001 - any decoder failure is TF's InvalidArgumentError
        raise _err(op, "Invalid PNG data, size %d" % len(data)) from None
    mode = im.mode
    if mode in ("P", "PA"):
        im = im.convert("RGBA" if mode == "PA" or "transparency" in im.info else "RGB")
    elif mode == "1":
        im = im.convert("L")
    elif mode.startswith("I"):  # 16-bit grayscale
        return _hw3(np.asarray(im).astype(np.uint16))
    return _hw3(np.asarray(im))


def _decode_png16_color(op: str, data: bytes) -> np.ndarray:
    """16-bit RGB / gray+alpha / RGBA PNGs (not interlaced), unfiltered here row by row."""
    bad = _err(op, "Invalid PNG data, size %d" % len(data))
    w, h = struct.unpack(">II", data[16:24])
    channels = {2: 3, 4: 2, 6: 4}[data[25]]
    pos, idat = 8, []
    while pos + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat.append(data[pos + 8:pos + 8 + n])
        elif kind == b"IEND":
            break
        pos += 12 + n
    bpp = 2 * channels
    stride = w * bpp
    try:
        raw = zlib.decompress(b"".join(idat))
    except zlib.error:
        raise bad from None
    if len(raw) < h * (stride + 1):
        raise bad
    rows = np.frombuffer(raw, np.uint8, h * (stride + 1)).reshape(h, stride + 1)
    out = np.empty((h, stride), np.uint8)
    prev = np.zeros(stride, np.uint8)
    for y in range(h):
        kind, line = int(rows[y, 0]), rows[y, 1:]
        if kind == 0:
            cur = line.copy()
        elif kind == 1:
            cur = np.cumsum(line.reshape(w, bpp), axis=0, dtype=np.uint8).reshape(-1)
        elif kind == 2:
            cur = line + prev
        elif kind in (3, 4):  # Average and Paeth depend on the pixel just decoded: one pixel at a time
            cur = line.astype(np.int32)
            up = prev.astype(np.int32)
            for x in range(0, stride, bpp):
                left = cur[x - bpp:x] if x else np.zeros(bpp, np.int32)
                b = up[x:x + bpp]
                if kind == 3:
                    pred = (left + b) >> 1
                else:
                    c = up[x - bpp:x] if x else np.zeros(bpp, np.int32)
                    pred = _paeth(left, b, c)
                cur[x:x + bpp] = (cur[x:x + bpp] + pred) & 0xFF
            cur = cur.astype(np.uint8)
        else:
            raise bad
        out[y] = cur
        prev = cur
    return out.view(">u2").reshape(h, w, channels).astype(np.uint16)


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
    return np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))


def _decode_jpeg(op: str, data: bytes, channels: int, ratio: int) -> np.ndarray:
    if channels == 4:
        raise _err(op, "JPEG does not support 4 channels")
    Image = _pil()
    try:
        im = Image.open(io.BytesIO(data), formats=["JPEG"])
        w, h = im.size
        if channels == 1 or ratio > 1:
            # libjpeg gives the luma plane for one channel, and scales by 1/ratio while decoding.
            size = (max(1, w // ratio), max(1, h // ratio)) if ratio > 1 else None
            im.draft("L" if channels == 1 and im.mode in ("L", "RGB", "YCbCr") else im.mode, size)
        im.load()
    except Exception:  # noqa: BLE001
        raise _err(op, "jpeg::Uncompress failed. Invalid JPEG data or crop window.") from None
    if im.mode not in ("L", "RGB"):
        im = im.convert("RGB")
    return _hw3(np.asarray(im))


def _decode_frames(op: str, data: bytes, fmt: str) -> np.ndarray:
    """GIF / WebP (possibly animated) as (frames, height, width, channels)."""
    Image = _pil()
    try:
        im = Image.open(io.BytesIO(data), formats=[fmt])
        frames = []
        for i in range(getattr(im, "n_frames", 1)):
            im.seek(i)
            frames.append(np.asarray(im.convert("RGBA" if fmt == "WEBP" and im.mode == "RGBA" else "RGB")))
    except Exception:  # noqa: BLE001
        if fmt == "GIF":
            raise _err(op, "Invalid GIF data (size %d), failed to decode" % len(data)) from None
        raise _err(op, "Invalid WebP data, size %d" % len(data)) from None
    return np.stack(frames)


def _decode_bmp(op: str, data: bytes) -> np.ndarray:
    Image = _pil()
    try:
        im = Image.open(io.BytesIO(data), formats=["BMP"])
        im.load()
    except Exception:  # noqa: BLE001
        raise _err(op, "Invalid BMP data, size %d" % len(data)) from None
    if im.mode not in ("RGB", "RGBA"):
        im = im.convert("RGBA" if "A" in im.mode else "RGB")
    return np.asarray(im)


# ---------------------------------------------------------------- channels and dtypes, as TF
def _to_channels(a: np.ndarray, channels: int) -> np.ndarray:
    """Converts (..., c) pixels to `channels` (0: unchanged) like libpng/libjpeg do."""
    c = a.shape[-1]
    if channels == 0 or channels == c:
        return a
    if channels == 1:
        if c == 2:
            return a[..., :1]
        # libpng's rgb_to_gray with TF's 0.299/0.587 weights in 15-bit fixed point.
        x = a[..., :3].astype(np.int64)
        gray = (9797 * x[..., 0] + 19234 * x[..., 1] + 3737 * x[..., 2]) >> 15
        return gray.astype(a.dtype)[..., None]
    gray = a[..., :1] if c <= 2 else None
    rgb = np.repeat(gray, 3, axis=-1) if gray is not None else a[..., :3]
    if channels == 3:
        return np.ascontiguousarray(rgb)
    if c in (2, 4):
        alpha = a[..., -1:]
    else:
        alpha = np.full(a.shape[:-1] + (1,), np.iinfo(a.dtype).max, a.dtype)
    return np.concatenate([rgb, alpha], axis=-1)


def _to_dtype(a: np.ndarray, dtype: dtypes.DType) -> np.ndarray:
    if dtype is _U8:
        return a if a.dtype == np.uint8 else (a >> 8).astype(np.uint8)
    if dtype is _U16:
        return a if a.dtype == np.uint16 else a.astype(np.uint16) * np.uint16(257)
    scale = np.float32(255 if a.dtype == np.uint8 else 65535)
    return a.astype(np.float32) / scale


_WRONG_OP = "Trying to decode BMP format using a wrong op. Use `decode_bmp` or `decode_image` instead. Op used: %s"


def _decode(op: str, data: bytes, channels: int = 0, dtype=_U8, ratio: int = 1, animations: bool = False):
    """Decodes any supported format; `animations` keeps all frames of a GIF/WebP as a 4-D array."""
    fmt = _sniff(op, data)
    if fmt == "BMP" and op not in ("DecodeBmp", "DecodeImage"):
        raise _err(op, _WRONG_OP % op)
    if fmt == "PNG":
        a = _decode_png(op, data)
    elif fmt == "JPEG":
        a = _decode_jpeg(op, data, channels, ratio)
    elif fmt == "BMP":
        a = _decode_bmp(op, data)
    else:
        if fmt == "GIF" and channels not in (0, 3):
            raise _err(op, "channels must be 0 or 3 for GIF, got %d" % channels)
        frames = _decode_frames(op, data, fmt)
        if animations:
            return _to_dtype(_to_channels(frames, channels), dtype)
        if len(frames) > 1 and op != "DecodeImage":
            raise _err(op, "Got %d frames, but animated gifs can only be decoded by tf.io.decode_gif or "
                           "tf.io.decode_image" % len(frames))
        a = frames[0]
    a = _to_channels(a, channels)
    if animations:
        a = a[None]
    return _to_dtype(a, dtype)


# ---------------------------------------------------------------- inference helpers
def _check_channels(op: str, channels: int, allowed=(0, 1, 3, 4)) -> None:
    if channels not in allowed:
        raise _err(op, "`channels` must be 0, 1, 3 or 4 but got %d" % channels)


def _check_ratio(op: str, ratio: int) -> None:
    if ratio not in (1, 2, 4, 8):
        raise _err(op, "ratio must be 1, 2, 4, or 8, got %d" % ratio)


def _check_dtype_attr(op: str, dtype, allowed) -> None:
    if dtype not in allowed:
        raise _err(op, "Value for attr 'dtype' of %s is not in the list of allowed values: %s"
                   % (_CPP_NAMES.get(dtype.name, dtype.name), ", ".join(d.name for d in allowed)))


def _check_contents(api: str, op: str, spec) -> None:
    if spec.dtype is not dtypes.string:
        raise InvalidArgumentError(
            None, None, "%s: cannot compute %s as input #0(zero-based) (argument contents) was expected to be a "
            "string tensor but is a %s tensor [Op:%s]" % (api, op, spec.dtype.name, op))
    d = sh.dims(spec)
    if d is not None and len(d) != 0:
        raise _err(op, "`contents` must be scalar but got shape%s" % sh.fmt(d))


def _eager_shape(kernel, specs, attrs):
    """The output shape when every input is an eager value (decoded shapes depend on the bytes)."""
    if all(type(s) is Tensor for s in specs):
        return np.shape(kernel(np, *[s._value for s in specs], **attrs))
    return None


def _string_samples(*blobs):
    out = []
    for b in blobs:
        a = np.empty((), dtype=object)
        a[()] = b
        out.append(a)
    return out


def _sample_image(h=5, w=7, c=3, dtype=np.uint8):
    rng = np.random.default_rng(3)
    return rng.integers(0, np.iinfo(dtype).max, (h, w, c), endpoint=True).astype(dtype)


def _sample_jpeg(c=3) -> bytes:
    img = _sample_image(c=c)
    return _encode_jpeg_kernel(np, img)[()]


def _sample_gif(frames=2) -> bytes:
    Image = _pil()
    ims = [Image.fromarray(np.full((4, 6, 3), v, np.uint8)) for v in (0, 255, 128)[:frames]]
    buf = io.BytesIO()
    ims[0].save(buf, format="GIF", save_all=True, append_images=ims[1:])
    return buf.getvalue()


def _sample_bmp() -> bytes:
    buf = io.BytesIO()
    _pil().fromarray(_sample_image()).save(buf, format="BMP")
    return buf.getvalue()


# ---------------------------------------------------------------- DecodePng
def _decode_png_kernel(xp, contents, channels=0, dtype=_U8):
    _check_channels("DecodePng", channels)
    _check_dtype_attr("DecodePng", dtype, (_U8, _U16))
    return _decode("DecodePng", _contents("DecodePng", contents), channels, dtype)


def _decode_png_infer(specs, attrs):
    _check_contents("tf.io.decode_png", "DecodePng", specs[0])
    channels, dtype = attrs.get("channels", 0), attrs.get("dtype", _U8)
    _check_channels("DecodePng", channels)
    _check_dtype_attr("DecodePng", dtype, (_U8, _U16))
    shape = _eager_shape(_decode_png_kernel, specs, attrs)
    return [(shape or (None, None, channels or None), dtype)]


register("DecodePng", kernel=_decode_png_kernel, infer=_decode_png_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.decode_png", args=("contents",),
         samples=lambda: [(_string_samples(_png_bytes(_sample_image(), -1)), {"channels": 0, "dtype": _U8}),
                          (_string_samples(_png_bytes(_sample_image(c=4), -1)), {"channels": 3, "dtype": _U16}),
                          (_string_samples(_png_bytes(_sample_image(c=1, dtype=np.uint16), -1)),
                           {"channels": 1, "dtype": _U8})])


@tf_export("image.decode_png")
def decode_png(contents, channels: int = 0, dtype=dtypes.uint8, name=None) -> Tensor:
    """Decodes a PNG image (or a JPEG / single-frame GIF) to a uint8 or uint16 tensor (tf.io.decode_png).

    Args:
      contents: a scalar string tensor: the encoded image.
      channels: 0 (the image's own), 1 (grayscale), 3 (RGB) or 4 (RGBA).
      dtype: tf.uint8 or tf.uint16 (8-bit images are scaled by 257, 16-bit ones shifted down by 8 bits).
      name: unused.

    Returns:
      A `[height, width, channels]` tensor.

    Raises:
      InvalidArgumentError: for data that is not a valid image.
    """
    return bind("DecodePng", [convert_to_tensor(contents, dtype=dtypes.string)],
                {"channels": int(channels), "dtype": dtypes.as_dtype(dtype)})


# ---------------------------------------------------------------- DecodeJpeg
_JPEG_DEFAULTS = {"channels": 0, "ratio": 1, "fancy_upscaling": True, "try_recover_truncated": False,
                  "acceptable_fraction": 1.0, "dct_method": ""}


def _decode_jpeg_kernel(xp, contents, channels=0, ratio=1, fancy_upscaling=True, try_recover_truncated=False,
                        acceptable_fraction=1.0, dct_method=""):
    _check_channels("DecodeJpeg", channels)
    _check_ratio("DecodeJpeg", ratio)
    return _decode("DecodeJpeg", _contents("DecodeJpeg", contents), channels, _U8, ratio)


def _decode_jpeg_infer(specs, attrs):
    _check_contents("tf.io.decode_jpeg", "DecodeJpeg", specs[0])
    channels = attrs.get("channels", 0)
    _check_channels("DecodeJpeg", channels)
    _check_ratio("DecodeJpeg", attrs.get("ratio", 1))
    shape = _eager_shape(_decode_jpeg_kernel, specs, attrs)
    return [(shape or (None, None, channels or None), _U8)]


register("DecodeJpeg", kernel=_decode_jpeg_kernel, infer=_decode_jpeg_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.decode_jpeg", args=("contents",),
         samples=lambda: [(_string_samples(_sample_jpeg()), dict(_JPEG_DEFAULTS)),
                          (_string_samples(_sample_jpeg()), dict(_JPEG_DEFAULTS, channels=1, ratio=2)),
                          (_string_samples(_sample_jpeg(c=1)), dict(_JPEG_DEFAULTS, channels=3))])


def _jpeg_attrs(channels, ratio, fancy_upscaling, try_recover_truncated, acceptable_fraction, dct_method) -> dict:
    return {"channels": int(channels), "ratio": int(ratio), "fancy_upscaling": bool(fancy_upscaling),
            "try_recover_truncated": bool(try_recover_truncated), "acceptable_fraction": float(acceptable_fraction),
            "dct_method": str(dct_method)}


@tf_export("image.decode_jpeg")
def decode_jpeg(contents, channels: int = 0, ratio: int = 1, fancy_upscaling: bool = True,
                try_recover_truncated: bool = False, acceptable_fraction: float = 1, dct_method: str = "",
                name=None) -> Tensor:
    """Decodes a JPEG image (or a PNG / single-frame GIF) to a uint8 tensor (tf.io.decode_jpeg).

    Args:
      contents: a scalar string tensor: the encoded image.
      channels: 0 (the image's own), 1 (grayscale: the luma plane) or 3 (RGB).
      ratio: downscaling while decoding: 1, 2, 4 or 8.
      fancy_upscaling, try_recover_truncated, acceptable_fraction, dct_method: accepted for
        compatibility; decoding always uses the accurate integer DCT.
      name: unused.

    Returns:
      A uint8 `[height, width, channels]` tensor.

    Raises:
      InvalidArgumentError: for data that is not a valid image.
    """
    return bind("DecodeJpeg", [convert_to_tensor(contents, dtype=dtypes.string)],
                _jpeg_attrs(channels, ratio, fancy_upscaling, try_recover_truncated, acceptable_fraction, dct_method))


# ---------------------------------------------------------------- DecodeAndCropJpeg
def _crop_kernel(xp, contents, crop_window, channels=0, ratio=1, fancy_upscaling=True, try_recover_truncated=False,
                 acceptable_fraction=1.0, dct_method=""):
    _check_channels("DecodeAndCropJpeg", channels)
    _check_ratio("DecodeAndCropJpeg", ratio)
    window = np.asarray(crop_window).reshape(-1)
    if window.size != 4:
        raise _err("DecodeAndCropJpeg", "crop_window must have 4 elements, got shape %s"
                   % sh.fmt(np.shape(crop_window)))
    img = _decode("DecodeAndCropJpeg", _contents("DecodeAndCropJpeg", contents), channels, _U8, ratio)
    y, x, h, w = (int(v) for v in window)
    if y < 0 or x < 0 or h <= 0 or w <= 0 or y + h > img.shape[0] or x + w > img.shape[1]:
        raise _err("DecodeAndCropJpeg", "jpeg::Uncompress failed. Invalid JPEG data or crop window.")
    return np.ascontiguousarray(img[y:y + h, x:x + w])


def _crop_infer(specs, attrs):
    _check_contents("tf.io.decode_and_crop_jpeg", "DecodeAndCropJpeg", specs[0])
    channels = attrs.get("channels", 0)
    _check_channels("DecodeAndCropJpeg", channels)
    _check_ratio("DecodeAndCropJpeg", attrs.get("ratio", 1))
    shape = _eager_shape(_crop_kernel, specs, attrs)
    if shape is not None:
        return [(shape, _U8)]
    window = _static(specs[1])
    if window is not None and np.size(window) == 4:
        w = np.asarray(window).reshape(-1)
        return [((int(w[2]), int(w[3]), channels or None), _U8)]
    return [((None, None, channels or None), _U8)]


def _static(spec):
    if type(spec) is Tensor:
        return spec._value
    from ..graph.graph import static_value
    return static_value(spec)


register("DecodeAndCropJpeg", kernel=_crop_kernel, infer=_crop_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.decode_and_crop_jpeg", args=("contents", "crop_window"),
         samples=lambda: [(_string_samples(_sample_jpeg()) + [np.array([1, 2, 3, 4], np.int32)], dict(_JPEG_DEFAULTS))])


@tf_export("image.decode_and_crop_jpeg")
def decode_and_crop_jpeg(contents, crop_window, channels: int = 0, ratio: int = 1, fancy_upscaling: bool = True,
                         try_recover_truncated: bool = False, acceptable_fraction: float = 1, dct_method: str = "",
                         name=None) -> Tensor:
    """Decodes a JPEG image and crops it to `crop_window` = [y, x, height, width] (tf.io.decode_and_crop_jpeg).

    Returns:
      A uint8 `[height, width, channels]` tensor.

    Raises:
      InvalidArgumentError: for invalid data or a window outside the image.
    """
    return bind("DecodeAndCropJpeg", [convert_to_tensor(contents, dtype=dtypes.string),
                                      convert_to_tensor(crop_window, dtype=dtypes.int32)],
                _jpeg_attrs(channels, ratio, fancy_upscaling, try_recover_truncated, acceptable_fraction, dct_method))


# ---------------------------------------------------------------- ExtractJpegShape
def _extract_shape_kernel(xp, contents, output_type=dtypes.int32):
    data = _contents("ExtractJpegShape", contents)
    Image = _pil()
    try:
        if data[:3] != b"\xff\xd8\xff":
            raise ValueError("not a JPEG")
        im = Image.open(io.BytesIO(data), formats=["JPEG"])
        w, h = im.size
        c = len(im.getbands())
    except Exception:  # noqa: BLE001
        raise _err("ExtractJpegShape", "Invalid JPEG data, size %d" % len(data)) from None
    return np.array([h, w, c], dtype=output_type.as_numpy_dtype)


def _extract_shape_infer(specs, attrs):
    _check_contents("tf.io.extract_jpeg_shape", "ExtractJpegShape", specs[0])
    out = attrs.get("output_type", dtypes.int32)
    if out not in (dtypes.int32, dtypes.int64):
        raise _err("ExtractJpegShape", "Value for attr 'output_type' of %s is not in the list of allowed values: "
                   "int32, int64" % out.name)
    return [((3,), out)]


register("ExtractJpegShape", kernel=_extract_shape_kernel, infer=_extract_shape_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.extract_jpeg_shape", args=("contents",),
         samples=lambda: [(_string_samples(_sample_jpeg()), {"output_type": dtypes.int32}),
                          (_string_samples(_sample_jpeg(c=1)), {"output_type": dtypes.int64})])


@tf_export("image.extract_jpeg_shape")
def extract_jpeg_shape(contents, output_type=dtypes.int32, name=None) -> Tensor:
    """The `[height, width, channels]` of a JPEG image, read from its header (tf.io.extract_jpeg_shape)."""
    return bind("ExtractJpegShape", [convert_to_tensor(contents, dtype=dtypes.string)],
                {"output_type": dtypes.as_dtype(output_type)})


# ---------------------------------------------------------------- DecodeGif
def _decode_gif_kernel(xp, contents):
    return _decode("DecodeGif", _contents("DecodeGif", contents), 3, _U8, animations=True)


def _decode_gif_infer(specs, attrs):
    _check_contents("tf.io.decode_gif", "DecodeGif", specs[0])
    shape = _eager_shape(_decode_gif_kernel, specs, attrs)
    return [(shape or (None, None, None, 3), _U8)]


register("DecodeGif", kernel=_decode_gif_kernel, infer=_decode_gif_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.decode_gif", args=("contents",),
         samples=lambda: [(_string_samples(_sample_gif(3)), {}), (_string_samples(_sample_gif(1)), {})])


@tf_export("image.decode_gif")
def decode_gif(contents, name=None) -> Tensor:
    """Decodes every frame of a GIF image (tf.io.decode_gif).

    Returns:
      A uint8 `[num_frames, height, width, 3]` tensor (other formats give one frame).
    """
    return bind("DecodeGif", [convert_to_tensor(contents, dtype=dtypes.string)])


# ---------------------------------------------------------------- DecodeBmp
def _decode_bmp_kernel(xp, contents, channels=0):
    if channels not in (0, 3, 4):
        raise _err("DecodeBmp", "`channels` must be 0, 3 or 4 for BMP, but got %d" % channels)
    data = _contents("DecodeBmp", contents)
    fmt = _sniff("DecodeBmp", data)
    if fmt != "BMP":
        raise _err("DecodeBmp", "Trying to decode %s format using DecodeBmp op. Use `decode_%s` or `decode_image` "
                   "instead." % (fmt, fmt.lower()))
    return _decode("DecodeBmp", data, channels)


def _decode_bmp_infer(specs, attrs):
    _check_contents("tf.io.decode_bmp", "DecodeBmp", specs[0])
    channels = attrs.get("channels", 0)
    if channels not in (0, 3, 4):
        raise _err("DecodeBmp", "`channels` must be 0, 3 or 4 for BMP, but got %d" % channels)
    shape = _eager_shape(_decode_bmp_kernel, specs, attrs)
    return [(shape or (None, None, channels or None), _U8)]


register("DecodeBmp", kernel=_decode_bmp_kernel, infer=_decode_bmp_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.decode_bmp", args=("contents",),
         samples=lambda: [(_string_samples(_sample_bmp()), {"channels": 0}),
                          (_string_samples(_sample_bmp()), {"channels": 4})])


@tf_export("image.decode_bmp")
def decode_bmp(contents, channels: int = 0, name=None) -> Tensor:
    """Decodes a BMP image to a uint8 `[height, width, channels]` tensor (tf.io.decode_bmp)."""
    return bind("DecodeBmp", [convert_to_tensor(contents, dtype=dtypes.string)], {"channels": int(channels)})


# ---------------------------------------------------------------- DecodeImage
def _decode_image_kernel(xp, contents, channels=0, dtype=_U8, expand_animations=True):
    _check_channels("DecodeImage", channels)
    _check_dtype_attr("DecodeImage", dtype, (_U8, _U16, _F32))
    data = _contents("DecodeImage", contents)
    animated = expand_animations and _sniff("DecodeImage", data) in ("GIF", "WEBP")
    return _decode("DecodeImage", data, channels, dtype, animations=animated)


def _decode_image_infer(specs, attrs):
    _check_contents("tf.io.decode_image", "DecodeImage", specs[0])
    channels, dtype = attrs.get("channels", 0), attrs.get("dtype", _U8)
    _check_channels("DecodeImage", channels)
    _check_dtype_attr("DecodeImage", dtype, (_U8, _U16, _F32))
    shape = _eager_shape(_decode_image_kernel, specs, attrs)
    if shape is not None:
        return [(shape, dtype)]
    if attrs.get("expand_animations", True):
        return [(None, dtype)]
    return [((None, None, channels or None), dtype)]


register("DecodeImage", kernel=_decode_image_kernel, infer=_decode_image_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.decode_image", args=("contents",),
         samples=lambda: [
             (_string_samples(_png_bytes(_sample_image(), -1)), {"channels": 0, "dtype": _F32, "expand_animations": True}),
             (_string_samples(_sample_gif(3)), {"channels": 0, "dtype": _U8, "expand_animations": True}),
             (_string_samples(_sample_gif(3)), {"channels": 3, "dtype": _U16, "expand_animations": False}),
             (_string_samples(_sample_jpeg()), {"channels": 1, "dtype": _U8, "expand_animations": False})])


@tf_export("image.decode_image")
def decode_image(contents, channels=None, dtype=dtypes.uint8, name=None, expand_animations: bool = True) -> Tensor:
    """Decodes a BMP, GIF, JPEG, PNG or WebP image (tf.io.decode_image).

    Args:
      contents: a scalar string tensor: the encoded image.
      channels: None or 0 (the image's own), 1, 3 or 4.
      dtype: the output dtype; uint8, uint16 and float32 come from the decoder (float32 in
        [0, 1]), others through tf.image.convert_image_dtype.
      name: unused.
      expand_animations: if True a GIF gives `[num_frames, height, width, 3]`; if False
        every image gives `[height, width, channels]` (the first frame of a GIF).

    Returns:
      A tensor of `dtype`: 3-D, or 4-D for an animation.

    Raises:
      InvalidArgumentError: for data that is not a valid image.
    """
    channels = 0 if channels is None else int(channels)
    dtype = dtypes.as_dtype(dtype)
    decode_dtype = dtype if dtype in (_U8, _U16, _F32) else _U16
    image = bind("DecodeImage", [convert_to_tensor(contents, dtype=dtypes.string)],
                 {"channels": channels, "dtype": decode_dtype, "expand_animations": bool(expand_animations)})
    if decode_dtype is not dtype:
        from ..ops import image_ops
        image = image_ops.convert_image_dtype(image, dtype)
    return image


# ---------------------------------------------------------------- EncodePng
_PNG_COLOR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}
_FILTER_BLOCK_ROWS = 256


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _filter_rows(rows: np.ndarray, bpp: int) -> np.ndarray:
    """PNG rows with the filter byte, each filtered by the filter that minimises the sum of
    absolute (signed) bytes, libpng's heuristic. Blocks of rows bound the memory used."""
    h, stride = rows.shape
    out = np.empty((h, stride + 1), np.uint8)
    prev_last = np.zeros(stride, np.int16)
    for y0 in range(0, h, _FILTER_BLOCK_ROWS):
        x = rows[y0:y0 + _FILTER_BLOCK_ROWS].astype(np.int16)
        n = x.shape[0]
        a = np.zeros_like(x)
        a[:, bpp:] = x[:, :-bpp]
        b = np.empty_like(x)
        b[0] = prev_last
        b[1:] = x[:-1]
        c = np.zeros_like(x)
        c[:, bpp:] = b[:, :-bpp]
        cands = np.stack([x, x - a, x - b, x - ((a + b) >> 1), x - _paeth(a, b, c)]).astype(np.uint8)
        signed = cands.view(np.int8).astype(np.int16)
        scores = np.abs(signed).sum(axis=2, dtype=np.int64)  # (5, n)
        best = scores.argmin(axis=0)
        out[y0:y0 + n, 0] = best
        out[y0:y0 + n, 1:] = cands[best, np.arange(n)]
        prev_last = x[-1]
    return out


def _png_bytes(img: np.ndarray, compression: int) -> bytes:
    h, w, c = img.shape
    depth = 16 if img.dtype == np.uint16 else 8
    data = np.ascontiguousarray(img.astype(">u2") if depth == 16 else img).view(np.uint8).reshape(h, -1)
    filtered = _filter_rows(data, c * depth // 8)
    header = struct.pack(">IIBBBBB", w, h, depth, _PNG_COLOR_TYPES[c], 0, 0, 0)
    return b"".join((_PNG_SIGNATURE, _chunk(b"IHDR", header),
                     _chunk(b"IDAT", zlib.compress(filtered.tobytes(), compression)), _chunk(b"IEND", b"")))


def _encode_png_kernel(xp, image, compression=-1):
    a = np.asarray(image)
    if a.dtype != np.uint8 and a.dtype != np.uint16:
        sh.check_dtype("tf.io.encode_png", "EncodePng", Tensor(a), (_U8, _U16), "image")
    if a.ndim < 3:
        raise _err("EncodePng", "images must be at least rank 3%s" % sh.fmt(a.shape))
    if a.shape[-1] not in (1, 2, 3, 4):
        raise _err("EncodePng", "image must have 1, 2, 3, or 4 channels, got %d" % a.shape[-1])
    if not -1 <= compression <= 9:
        raise _err("EncodePng", "compression should be in [-1,9], got %d" % compression)
    batch = a.shape[:-3]
    flat = a.reshape((int(np.prod(batch, dtype=np.int64)),) + a.shape[-3:])
    out = np.empty(len(flat), dtype=object)
    for i, img in enumerate(flat):
        if img.shape[0] == 0 or img.shape[1] == 0:
            raise InternalError(None, None, "PNG encoding failed at the following flattened batch indices: %d "
                                            "[Op:EncodePng]" % i)
        out[i] = _png_bytes(img, compression)
    return out.reshape(batch)


def _encode_png_infer(specs, attrs):
    s = specs[0]
    sh.check_dtype("tf.io.encode_png", "EncodePng", s, (_U8, _U16), "image")
    compression = attrs.get("compression", -1)
    if not -1 <= compression <= 9:
        raise _err("EncodePng", "compression should be in [-1,9], got %d" % compression)
    d = sh.dims(s)
    if d is None:
        return [(None, dtypes.string)]
    if len(d) < 3:
        raise _err("EncodePng", "images must be at least rank 3%s" % sh.fmt(d))
    if d[-1] is not None and d[-1] not in (1, 2, 3, 4):
        raise _err("EncodePng", "image must have 1, 2, 3, or 4 channels, got %d" % d[-1])
    return [(tuple(d[:-3]), dtypes.string)]


register("EncodePng", kernel=_encode_png_kernel, infer=_encode_png_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.encode_png", args=("image",),
         samples=lambda: [([_sample_image()], {"compression": -1}),
                          ([np.stack([_sample_image(c=2, dtype=np.uint16)] * 2)], {"compression": 9})])


@tf_export("image.encode_png")
def encode_png(image, compression: int = -1, name=None) -> Tensor:
    """PNG-encodes an image, or a batch of them (tf.io.encode_png).

    Args:
      image: a uint8 or uint16 `[..., height, width, channels]` tensor, 1 to 4 channels.
      compression: zlib level 0-9, or -1 for zlib's default.
      name: unused.

    Returns:
      A string tensor of shape `image.shape[:-3]` (a scalar for one image).
    """
    return bind("EncodePng", [convert_to_tensor(image)], {"compression": int(compression)})


# ---------------------------------------------------------------- EncodeJpeg
_ENCODE_JPEG_DEFAULTS = {"format": "", "quality": 95, "progressive": False, "optimize_size": False,
                         "chroma_downsampling": True, "density_unit": "in", "x_density": 300, "y_density": 300,
                         "xmp_metadata": ""}


def _check_jpeg_shape(shape, fmt: str) -> None:
    if shape is None:
        return
    if len(shape) != 3:
        raise _err("EncodeJpeg", "image must be 3-dimensional%s" % sh.fmt(shape))
    c = shape[2]
    if c is None:
        return
    if fmt == "grayscale" and c != 1:
        raise _err("EncodeJpeg", "format grayscale expects 1 channels, got %s" % sh.fmt(shape))
    if fmt == "rgb" and c != 3:
        raise _err("EncodeJpeg", "format rgb expects 3 channels, got %s" % sh.fmt(shape))
    if c not in (1, 3):
        raise _err("EncodeJpeg", "image must have 1 or 3 channels, got %s" % sh.fmt(shape))


def _check_jpeg_attrs(format="", quality=95, density_unit="in", **_):  # noqa: A002 - TF's attr name
    if format not in ("", "grayscale", "rgb"):
        raise _err("EncodeJpeg", "Value for attr 'format' of \"%s\" is not in the list of allowed values: \"\", "
                   "\"grayscale\", \"rgb\"" % format)
    if density_unit not in ("in", "cm"):
        raise _err("EncodeJpeg", "Value for attr 'density_unit' of \"%s\" is not in the list of allowed values: "
                   "\"in\", \"cm\"" % density_unit)
    if not 0 <= quality <= 100:
        raise _err("EncodeJpeg", "quality must be in [0,100], got %d" % quality)


def _encode_jpeg_kernel(xp, image, format="", quality=95, progressive=False, optimize_size=False,  # noqa: A002
                        chroma_downsampling=True, density_unit="in", x_density=300, y_density=300, xmp_metadata=""):
    a = np.asarray(image)
    if a.dtype != np.uint8:
        sh.check_dtype("tf.io.encode_jpeg", "EncodeJpeg", Tensor(a), (_U8,), "image")
    _check_jpeg_attrs(format, quality, density_unit)
    _check_jpeg_shape(a.shape, format)
    if a.shape[0] == 0 or a.shape[1] == 0:
        raise InternalError(None, None, "JPEG encoding failed [Op:EncodeJpeg]")
    Image = _pil()
    im = Image.fromarray(np.ascontiguousarray(a[:, :, 0] if a.shape[2] == 1 else a), "L" if a.shape[2] == 1 else "RGB")
    per_inch = 2.54 if density_unit == "cm" else 1.0  # Pillow writes dots per inch
    kwargs = {"quality": int(quality), "progressive": bool(progressive), "optimize": bool(optimize_size),
              "subsampling": 2 if chroma_downsampling else 0,
              "dpi": (int(round(x_density * per_inch)), int(round(y_density * per_inch)))}
    if xmp_metadata:
        kwargs["xmp"] = xmp_metadata.encode("utf-8")
    buf = io.BytesIO()
    im.save(buf, format="JPEG", **kwargs)
    out = np.empty((), dtype=object)
    out[()] = buf.getvalue()
    return out


def _encode_jpeg_infer(specs, attrs):
    sh.check_dtype("tf.io.encode_jpeg", "EncodeJpeg", specs[0], (_U8,), "image")
    _check_jpeg_attrs(**attrs)
    _check_jpeg_shape(sh.dims(specs[0]), attrs.get("format", ""))
    return [((), dtypes.string)]


register("EncodeJpeg", kernel=_encode_jpeg_kernel, infer=_encode_jpeg_infer, grad=NON_DIFFERENTIABLE,
         api="tf.io.encode_jpeg", args=("image",),
         samples=lambda: [([_sample_image()], dict(_ENCODE_JPEG_DEFAULTS)),
                          ([_sample_image(c=1)], dict(_ENCODE_JPEG_DEFAULTS, format="grayscale", quality=50,
                                                      progressive=True, chroma_downsampling=False))])


@tf_export("image.encode_jpeg")
def encode_jpeg(image, format: str = "", quality: int = 95, progressive: bool = False,  # noqa: A002
                optimize_size: bool = False, chroma_downsampling: bool = True, density_unit: str = "in",
                x_density: int = 300, y_density: int = 300, xmp_metadata: str = "", name=None) -> Tensor:
    """JPEG-encodes a uint8 `[height, width, channels]` image, 1 or 3 channels (tf.io.encode_jpeg).

    Args:
      image: the image.
      format: "" (from the channels), "grayscale" or "rgb".
      quality: 0 to 100.
      progressive: write a progressive JPEG.
      optimize_size: optimise the Huffman tables.
      chroma_downsampling: 4:2:0 chroma subsampling (else 4:4:4).
      density_unit, x_density, y_density: the JFIF resolution ("cm" is stored as dots per inch).
      xmp_metadata: XMP metadata to embed, if not empty.
      name: unused.

    Returns:
      A scalar string tensor.
    """
    attrs = {"format": format, "quality": int(quality), "progressive": bool(progressive),
             "optimize_size": bool(optimize_size), "chroma_downsampling": bool(chroma_downsampling),
             "density_unit": density_unit, "x_density": int(x_density), "y_density": int(y_density),
             "xmp_metadata": xmp_metadata}
    return bind("EncodeJpeg", [convert_to_tensor(image, dtype=dtypes.uint8)], attrs)


# ---------------------------------------------------------------- is_jpeg
@tf_export("image.is_jpeg")
def is_jpeg(contents, name=None) -> Tensor:
    """Whether each string starts with the JPEG signature 0xff 0xd8 0xff (tf.io.is_jpeg)."""
    from ..ops import math_ops, string_ops
    return math_ops.equal(string_ops.substr(contents, 0, 3), b"\xff\xd8\xff")
