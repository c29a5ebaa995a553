"""Adaptive pooling layers: AdaptiveAveragePooling1D/2D/3D and AdaptiveMaxPooling1D/2D/3D.

They pool the spatial axes of the inputs to a fixed `output_size` whatever the input size. Bin
`i` of an axis of length L pooled to O bins starts at floor(i * L / O) and has the size of Keras's
"two-pool" method: ceil(L / O) + 1 when ceil((i + 1) * L / O) - floor(i * L / O) equals that,
else ceil(L / O). The edges are computed on the host in float32, as Keras computes them, so the
bins match Keras's exactly; each axis is then pooled with one gather and one reduction.
"""
from __future__ import annotations

import math

import numpy as np

from ... import ops as _ops  # noqa: F401 - registers ops
from ...ops import array_ops, math_ops
from .._registry import keras_export
from .convolutional import cached_constant, check_input_spec, shape_tuple
from .layer import Layer


def adaptive_bins(length: int, output_size: int) -> tuple:
    """(starts, sizes) of the `output_size` bins Keras pools an axis of `length` into."""
    small = math.ceil(length / output_size)
    big = small + 1
    f32 = np.float32
    starts = np.floor(np.arange(output_size, dtype=f32) * f32(length) / f32(output_size)).astype(np.int64)
    ends = np.ceil(np.arange(1, output_size + 1, dtype=f32) * f32(length) / f32(output_size)).astype(np.int64)
    ends = np.minimum(ends, length)
    starts = np.minimum(starts, length - 1)
    sizes = np.where(ends - starts == big, big, small)
    return starts, np.minimum(sizes, length - starts)


def _window_indices(length: int, output_size: int) -> tuple:
    """(indices [O * K], valid [O, K], sizes [O]) of the bins, K the largest bin."""
    starts, sizes = adaptive_bins(length, output_size)
    k = int(sizes.max())
    offsets = np.arange(k)
    idx = np.minimum(starts[:, None] + offsets[None, :], length - 1)
    return idx.reshape(-1).astype(np.int32), offsets[None, :] < sizes[:, None], sizes


class BaseAdaptivePooling(Layer):
    """Shared parts of the adaptive pooling layers (Keras's BaseAdaptivePooling)."""

    _rank = 1
    _size_desc = "tuple of 1 integer"
    _reduce = "avg"

    def __init__(self, output_size, data_format=None, **kwargs):
        output_size = self._standardize_output_size(output_size)
        super().__init__(**kwargs)
        self.output_size = output_size
        from ..config import image_data_format
        self.data_format = data_format or image_data_format()
        if self.data_format not in {"channels_first", "channels_last"}:
            raise ValueError("Invalid data_format: %s. Expected 'channels_first' or 'channels_last'."
                             % self.data_format)

    def _standardize_output_size(self, output_size) -> tuple:
        if isinstance(output_size, int):
            return (output_size,) * self._rank
        if isinstance(output_size, (tuple, list)) and len(output_size) == self._rank:
            return tuple(output_size)
        if self._rank == 1 and isinstance(output_size, (tuple, list)):
            raise ValueError("For 1D input, `output_size` tuple must have length 1. Received: %s" % (output_size,))
        raise TypeError("`output_size` must be an integer or %s. Received: %s of type %s"
                        % (self._size_desc, output_size, type(output_size)))

    def _axes(self) -> tuple:
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self._rank))

    def _pool_axis(self, x, axis: int, out: int):
        length = x.shape[axis]
        if length is None:
            raise ValueError("Input length must be statically known for adaptive pooling. Received input shape %s"
                             % (x.shape,))
        if length == out and self._reduce == "avg":
            return x
        idx, valid, sizes = _window_indices(length, out)
        k = valid.shape[1]
        rank = x.shape.rank
        g = array_ops.gather(x, cached_constant(self, ("idx", length, out), lambda: idx), axis=axis)
        shape = [-1 if d is None else d for d in x.shape.as_list()]
        shape[axis:axis + 1] = [out, k]
        g = array_ops.reshape(g, shape)
        vshape = [1] * (rank + 1)
        vshape[axis], vshape[axis + 1] = out, k
        if valid.all():
            if self._reduce == "max":
                return math_ops.reduce_max(g, axis=axis + 1)
            return math_ops.reduce_mean(g, axis=axis + 1)
        key = (length, out, tuple(vshape), g.dtype.name)
        if self._reduce == "max":
            mask = cached_constant(self, ("valid",) + key, lambda: valid.reshape(vshape))
            low = cached_constant(self, ("low",) + key, lambda: np.array(-np.inf, g.dtype.as_numpy_dtype))
            return math_ops.reduce_max(array_ops.where(mask, g, low), axis=axis + 1)
        weights = cached_constant(self, ("weights",) + key, lambda: (valid / sizes[:, None]).reshape(vshape).astype(
            g.dtype.as_numpy_dtype))
        return math_ops.reduce_sum(g * weights, axis=axis + 1)

    def call(self, inputs):
        check_input_spec(self, shape_tuple(inputs.shape), ndim=self._rank + 2)
        x = inputs
        for axis, out in zip(self._axes(), self.output_size):
            x = self._pool_axis(x, axis, out)
        return x

    def compute_output_shape(self, input_shape):
        shape = shape_tuple(input_shape)
        if self.data_format == "channels_last":
            return (shape[0], *self.output_size, shape[-1])
        return (shape[0], shape[1], *self.output_size)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(output_size=self.output_size, data_format=self.data_format)
        return c


@keras_export("keras.layers.AdaptiveAveragePooling1D")
class AdaptiveAveragePooling1D(BaseAdaptivePooling):
    """Averages [batch, steps, channels] inputs over `output_size` adaptive bins of the time axis
    (tf.keras.layers.AdaptiveAveragePooling1D).

    >>> tf.keras.layers.AdaptiveAveragePooling1D(4)(tf.ones([1, 10, 3])).shape
    TensorShape([1, 4, 3])
    """

    _rank, _size_desc, _reduce = 1, "tuple of 1 integer", "avg"


@keras_export("keras.layers.AdaptiveAveragePooling2D")
class AdaptiveAveragePooling2D(BaseAdaptivePooling):
    """Averages 4-D inputs over `output_size` (height, width) adaptive bins
    (tf.keras.layers.AdaptiveAveragePooling2D)."""

    _rank, _size_desc, _reduce = 2, "(height, width) tuple", "avg"


@keras_export("keras.layers.AdaptiveAveragePooling3D")
class AdaptiveAveragePooling3D(BaseAdaptivePooling):
    """Averages 5-D inputs over `output_size` (depth, height, width) adaptive bins
    (tf.keras.layers.AdaptiveAveragePooling3D)."""

    _rank, _size_desc, _reduce = 3, "(depth, height, width) tuple", "avg"


@keras_export("keras.layers.AdaptiveMaxPooling1D")
class AdaptiveMaxPooling1D(BaseAdaptivePooling):
    """The maximum of [batch, steps, channels] inputs over `output_size` adaptive bins of the time
    axis (tf.keras.layers.AdaptiveMaxPooling1D)."""

    _rank, _size_desc, _reduce = 1, "tuple of 1 integer", "max"


@keras_export("keras.layers.AdaptiveMaxPooling2D")
class AdaptiveMaxPooling2D(BaseAdaptivePooling):
    """The maximum of 4-D inputs over `output_size` (height, width) adaptive bins
    (tf.keras.layers.AdaptiveMaxPooling2D)."""

    _rank, _size_desc, _reduce = 2, "(height, width) tuple", "max"


@keras_export("keras.layers.AdaptiveMaxPooling3D")
class AdaptiveMaxPooling3D(BaseAdaptivePooling):
    """The maximum of 5-D inputs over `output_size` (depth, height, width) adaptive bins
    (tf.keras.layers.AdaptiveMaxPooling3D)."""

    _rank, _size_desc, _reduce = 3, "(depth, height, width) tuple", "max"
