"""tf.keras.utils image helpers: PIL images <-> arrays, loading/saving files (Pillow, imported on use),
and `smart_resize` (resize after a centre crop to the target aspect ratio)."""
from __future__ import annotations

import numpy as np

import tensorforge as tf

from .config import floatx, standardize_data_format


def _pil():
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("Could not import PIL.Image. The use of `load_img` requires PIL (pip install pillow).") from e
    return Image


def array_to_img(x, data_format=None, scale: bool = True, dtype=None):
    """A PIL image from a 3D array (height, width, channels) with 1, 3 or 4 channels."""
    Image = _pil()
    data_format = standardize_data_format(data_format)
    x = np.asarray(x, dtype=dtype or floatx())
    if x.ndim != 3:
        raise ValueError("Expected image array to have rank 3 (single image). Got array with shape: %s" % (x.shape,))
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    if x.shape[2] == 4:
        return Image.fromarray(x.astype("uint8"), "RGBA")
    if x.shape[2] == 3:
        return Image.fromarray(x.astype("uint8"), "RGB")
    if x.shape[2] == 1:
        if np.max(x) > 255:
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError("Unsupported channel number: %s" % x.shape[2])


def img_to_array(img, data_format=None, dtype=None) -> np.ndarray:
    """A 3D NumPy array (floatx by default) from a PIL image."""
    data_format = standardize_data_format(data_format)
    x = np.asarray(img, dtype=dtype or floatx())
    if x.ndim == 3:
        return x.transpose(2, 0, 1) if data_format == "channels_first" else x
    if x.ndim == 2:
        return x[None] if data_format == "channels_first" else x[:, :, None]
    raise ValueError("Unsupported image shape: %s" % (x.shape,))


def save_img(path, x, data_format=None, file_format=None, scale: bool = True, **kwargs) -> None:
    """Saves a 3D array as an image file (the format from `file_format` or the extension)."""
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and (file_format == "jpg" or file_format == "jpeg" or
                               str(path).lower().endswith((".jpg", ".jpeg"))):
        img = img.convert("RGB")
    if file_format == "jpg":
        file_format = "jpeg"
    img.save(path, format=file_format, **kwargs)


_PIL_INTERP = {"nearest": "NEAREST", "bilinear": "BILINEAR", "bicubic": "BICUBIC", "hamming": "HAMMING",
               "box": "BOX", "lanczos": "LANCZOS"}


def load_img(path, color_mode: str = "rgb", target_size=None, interpolation: str = "nearest",
             keep_aspect_ratio: bool = False):
    """Loads an image file as a PIL image ('grayscale', 'rgb' or 'rgba'), resized to target_size (h, w)."""
    Image = _pil()
    if hasattr(path, "read"):
        img = Image.open(path)
    else:
        with open(path, "rb") as f:
            img = Image.open(f)
            img.load()
    mode = {"grayscale": ("L", "I;16", "I"), "rgba": ("RGBA",), "rgb": ("RGB",)}.get(color_mode)
    if mode is None:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    if img.mode not in mode:
        img = img.convert(mode[0])
    if target_size is not None:
        width_height = (target_size[1], target_size[0])
        if img.size != width_height:
            if interpolation not in _PIL_INTERP:
                raise ValueError("Invalid interpolation method %s specified. Supported methods are %s"
                                 % (interpolation, ", ".join(_PIL_INTERP)))
            resample = getattr(Image.Resampling, _PIL_INTERP[interpolation])
            if keep_aspect_ratio:
                w, h = img.size
                tw, th = width_height
                crop_h = min(h, (w * th) // tw)
                crop_w = min(w, (h * tw) // th)
                left, top = (w - crop_w) // 2, (h - crop_h) // 2
                img = img.crop((left, top, left + crop_w, top + crop_h))
            img = img.resize(width_height, resample)
    return img


def smart_resize(x, size, interpolation: str = "bilinear", data_format: str = "channels_last",
                 backend_module=None):
    """Resizes an image (or batch) to `size` = (height, width) after a centre crop to that aspect ratio."""
    if len(size) != 2:
        raise ValueError("Expected `size` to be a tuple of 2 integers, but got: %s." % (size,))
    img = tf.convert_to_tensor(x)
    if img.shape.rank not in (3, 4):
        raise ValueError("Expected an image array with shape `(height, width, channels)`, or `(batch_size, "
                         "height, width, channels)`, but got input with incorrect rank, of shape %s." % (img.shape,))
    channels_first = data_format == "channels_first"
    if channels_first:
        img = tf.transpose(img, (0, 2, 3, 1) if img.shape.rank == 4 else (1, 2, 0))
    shape = tf.shape(img)
    height, width = shape[-3], shape[-2]
    target_h, target_w = size
    crop_h = tf.cast(tf.cast(width * target_h, "float32") / target_w, "int32")
    crop_h = tf.maximum(tf.minimum(height, crop_h), 1)
    crop_w = tf.cast(tf.cast(height * target_w, "float32") / target_h, "int32")
    crop_w = tf.maximum(tf.minimum(width, crop_w), 1)
    off_h = tf.cast((height - crop_h) / 2, "int32")
    off_w = tf.cast((width - crop_w) / 2, "int32")
    if img.shape.rank == 4:
        img = img[:, off_h:off_h + crop_h, off_w:off_w + crop_w, :]
    else:
        img = img[off_h:off_h + crop_h, off_w:off_w + crop_w, :]
    img = tf.image.resize(img, size=size, method=interpolation)
    if channels_first:
        img = tf.transpose(img, (0, 3, 1, 2) if img.shape.rank == 4 else (2, 0, 1))
    if isinstance(x, np.ndarray):
        return img.numpy()
    return img
