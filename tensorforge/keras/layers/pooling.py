"""Pooling layers: Max/AveragePooling1D/2D/3D and GlobalAverage/GlobalMaxPooling1D/2D/3D."""
from __future__ import annotations

from ... import ops as _ops  # noqa: F401 - registers ops
from ...framework import dtypes
from ...ops import array_ops, math_ops, nn_ops
from .._registry import keras_export
from .convolutional import (check_input_spec, conv_output_length, shape_tuple, spatial_output_shape,
                            standardize_data_format, standardize_tuple, tf_data_format)
from .layer import Layer


class BasePooling(Layer):
    """Window pooling (Keras's BasePooling): `pool_mode` 'max' or 'average' over `pool_size` windows
    moved by `strides` (default: `pool_size`)."""

    def __init__(self, pool_size, strides, pool_dimensions: int, pool_mode: str = "max", padding="valid",
                 data_format=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.pool_size = standardize_tuple(pool_size, pool_dimensions, "pool_size")
        self.strides = standardize_tuple(pool_size if strides is None else strides, pool_dimensions, "strides",
                                         allow_zero=True)
        self.pool_mode = pool_mode
        self.padding = padding
        self.data_format = standardize_data_format(data_format)
        self._pool_dimensions = pool_dimensions
        if str(padding).lower() not in ("valid", "same"):
            raise ValueError("The `padding` argument must be one of 'valid', 'same'. Received: padding=%s"
                             % (padding,))
        self.built = True

    def call(self, inputs):
        check_input_spec(self, shape_tuple(inputs.shape), ndim=self._pool_dimensions + 2)
        fn = nn_ops.max_pool if self.pool_mode == "max" else nn_ops.avg_pool
        return fn(inputs, ksize=list(self.pool_size), strides=list(self.strides), padding=str(self.padding).upper(),
                  data_format=tf_data_format(self.data_format, self._pool_dimensions + 2))

    def compute_output_shape(self, input_shape):
        shape = shape_tuple(input_shape)
        spatial = shape[1:-1] if self.data_format == "channels_last" else shape[2:]
        channels = shape[-1] if self.data_format == "channels_last" else shape[1]
        padding = str(self.padding).lower()
        return spatial_output_shape(shape, self.data_format, channels, [
            conv_output_length(n, self.pool_size[i], self.strides[i], padding) for i, n in enumerate(spatial)])

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(pool_size=self.pool_size, padding=self.padding, strides=self.strides, data_format=self.data_format)
        return c


@keras_export("keras.layers.MaxPooling1D", "keras.layers.MaxPool1D")
class MaxPooling1D(BasePooling):
    """Max pooling over windows of (batch, steps, features) inputs (tf.keras.layers.MaxPooling1D).

    `strides` defaults to `pool_size`."""

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=1, pool_mode="max", padding=padding,
                         data_format=data_format, name=name, **kwargs)


@keras_export("keras.layers.MaxPooling2D", "keras.layers.MaxPool2D")
class MaxPooling2D(BasePooling):
    """Max pooling over 2-D windows (tf.keras.layers.MaxPooling2D).

    Example:

    >>> tf.keras.layers.MaxPooling2D()(tf.ones([1, 4, 4, 3])).shape
    TensorShape([1, 2, 2, 3])"""

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=2, pool_mode="max", padding=padding,
                         data_format=data_format, name=name, **kwargs)


@keras_export("keras.layers.MaxPooling3D", "keras.layers.MaxPool3D")
class MaxPooling3D(BasePooling):
    """Max pooling over 3-D windows (tf.keras.layers.MaxPooling3D)."""

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=3, pool_mode="max", padding=padding,
                         data_format=data_format, name=name, **kwargs)


@keras_export("keras.layers.AveragePooling1D", "keras.layers.AvgPool1D")
class AveragePooling1D(BasePooling):
    """Average pooling over windows of (batch, steps, features) inputs (tf.keras.layers.AveragePooling1D).

    With padding='same' each window averages its real (unpadded) elements only."""

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=1, pool_mode="average", padding=padding,
                         data_format=data_format, name=name, **kwargs)


@keras_export("keras.layers.AveragePooling2D", "keras.layers.AvgPool2D")
class AveragePooling2D(BasePooling):
    """Average pooling over 2-D windows (tf.keras.layers.AveragePooling2D)."""

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=2, pool_mode="average", padding=padding,
                         data_format=data_format, name=name, **kwargs)


@keras_export("keras.layers.AveragePooling3D", "keras.layers.AvgPool3D")
class AveragePooling3D(BasePooling):
    """Average pooling over 3-D windows (tf.keras.layers.AveragePooling3D)."""

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=3, pool_mode="average", padding=padding,
                         data_format=data_format, name=name, **kwargs)


class BaseGlobalPooling(Layer):
    """Pooling over all spatial positions (Keras's BaseGlobalPooling); `keepdims` keeps them as size 1."""

    def __init__(self, pool_dimensions: int, data_format=None, keepdims: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.keepdims = keepdims
        self._pool_dimensions = pool_dimensions
        self.built = True

    def _axes(self, inputs):
        check_input_spec(self, shape_tuple(inputs.shape), ndim=self._pool_dimensions + 2)
        first = 1 if self.data_format == "channels_last" else 2
        return list(range(first, first + self._pool_dimensions))

    def compute_output_shape(self, input_shape):
        shape = shape_tuple(input_shape)
        channels = shape[-1] if self.data_format == "channels_last" else shape[1]
        return spatial_output_shape(shape, self.data_format, channels,
                                    [1] * (len(shape) - 2) if self.keepdims else [])

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(data_format=self.data_format, keepdims=self.keepdims)
        return c


class _GlobalAverage(BaseGlobalPooling):
    def call(self, inputs):
        return math_ops.reduce_mean(inputs, self._axes(inputs), keepdims=self.keepdims)


class _GlobalMax(BaseGlobalPooling):
    def call(self, inputs):
        return math_ops.reduce_max(inputs, self._axes(inputs), keepdims=self.keepdims)


@keras_export("keras.layers.GlobalAveragePooling1D", "keras.layers.GlobalAvgPool1D")
class GlobalAveragePooling1D(BaseGlobalPooling):
    """The mean over the steps of (batch, steps, features) inputs (tf.keras.layers.GlobalAveragePooling1D).

    Called with `mask` (batch, steps), masked steps are left out of the mean.
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        axes = self._axes(inputs)
        if mask is None:
            return math_ops.reduce_mean(inputs, axes, keepdims=self.keepdims)
        m = array_ops.expand_dims(math_ops.cast(mask, dtypes.bool), 2 if self.data_format == "channels_last" else 1)
        x = array_ops.where(m, inputs, array_ops.zeros_like(inputs))
        count = math_ops.reduce_sum(math_ops.cast(m, inputs.dtype), axes, keepdims=self.keepdims)
        return math_ops.divide(math_ops.reduce_sum(x, axes, keepdims=self.keepdims), count)

    def compute_mask(self, inputs, mask=None):
        return None


@keras_export("keras.layers.GlobalAveragePooling2D", "keras.layers.GlobalAvgPool2D")
class GlobalAveragePooling2D(_GlobalAverage):
    """The mean over height and width (tf.keras.layers.GlobalAveragePooling2D)."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, data_format=data_format, keepdims=keepdims, **kwargs)


@keras_export("keras.layers.GlobalAveragePooling3D", "keras.layers.GlobalAvgPool3D")
class GlobalAveragePooling3D(_GlobalAverage):
    """The mean over the three spatial axes (tf.keras.layers.GlobalAveragePooling3D)."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, data_format=data_format, keepdims=keepdims, **kwargs)


@keras_export("keras.layers.GlobalMaxPooling1D", "keras.layers.GlobalMaxPool1D")
class GlobalMaxPooling1D(_GlobalMax):
    """The maximum over the steps of (batch, steps, features) inputs (tf.keras.layers.GlobalMaxPooling1D)."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, data_format=data_format, keepdims=keepdims, **kwargs)


@keras_export("keras.layers.GlobalMaxPooling2D", "keras.layers.GlobalMaxPool2D")
class GlobalMaxPooling2D(_GlobalMax):
    """The maximum over height and width (tf.keras.layers.GlobalMaxPooling2D)."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, data_format=data_format, keepdims=keepdims, **kwargs)


@keras_export("keras.layers.GlobalMaxPooling3D", "keras.layers.GlobalMaxPool3D")
class GlobalMaxPooling3D(_GlobalMax):
    """The maximum over the three spatial axes (tf.keras.layers.GlobalMaxPooling3D)."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, data_format=data_format, keepdims=keepdims, **kwargs)


MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D
