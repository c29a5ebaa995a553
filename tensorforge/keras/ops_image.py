"""keras.ops.image: Keras 3's image ops over tf.image (resize; channels_last by default)."""
from __future__ import annotations

import tensorforge as tf

from .ops_nn import _data_format
from .ops_numpy import convert_to_tensor

_METHODS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5", "area")


def resize(images, size, interpolation: str = "bilinear", antialias: bool = False,
           crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
           fill_mode: str = "constant", fill_value: float = 0.0, data_format=None):
    """Resize a 3-D or 4-D image batch to `size` = (height, width)."""
    if interpolation not in _METHODS:
        raise ValueError(f"Invalid value for argument `interpolation`. Expected of one {_METHODS}. "
                         f"Received: interpolation={interpolation}")
    if crop_to_aspect_ratio or pad_to_aspect_ratio:
        raise NotImplementedError("keras.ops.image.resize: crop_to_aspect_ratio/pad_to_aspect_ratio "
                                  "are not supported by tensorforge.")
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers. Received: size={size}")
    data_format = _data_format(data_format)
    images = convert_to_tensor(images)
    rank = len(images.shape)
    if rank not in (3, 4):
        raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 (batch of "
                         f"images). Received input with shape: images.shape={images.shape}")
    if data_format == "channels_first":
        images = tf.transpose(images, [0, 2, 3, 1] if rank == 4 else [1, 2, 0])
    out = tf.image.resize(images, list(size), method=interpolation, antialias=antialias)
    if data_format == "channels_first":
        out = tf.transpose(out, [0, 3, 1, 2] if rank == 4 else [2, 0, 1])
    return out
