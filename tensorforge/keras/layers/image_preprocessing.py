"""Image preprocessing layers: CenterCrop, RandomCrop, RandomZoom, RandomTranslation, RandomContrast and
RandomBrightness (Keras 3). Random layers draw only with training=True (the default when called
directly, as in Keras 3); random crop offsets are gathered (tf.gather over a tf.range from a random
start), so they work inside tf.function and tf.data.Dataset.map."""
from __future__ import annotations

from ... import ops as _ops  # noqa: F401 - registers ops
from ...framework import dtypes
from ...ops import array_ops, image_ops, math_ops, random_ops
from .._registry import keras_export
from .layer import Layer
from .preprocessing import (_TrainingDefaultTrue, _affine_images, _factor_range, _from_channels_last,
                            _image_data_format, _symbolic_unknown_batch, _to_channels_last)


def _hw_axes(data_format: str) -> tuple:
    return (-2, -1) if data_format == "channels_first" else (-3, -2)


def _smart_resize(images, height: int, width: int, data_format: str, dtype):
    """Keras's smart_resize: centre-crop to the target aspect ratio, then bilinear resize."""
    images = _to_channels_last(images, data_format)
    h, w = images.shape[-3], images.shape[-2]
    crop_h = max(min(h, int(float(w * height) / width)), 1)
    crop_w = max(min(w, int(float(h * width) / height)), 1)
    hs, ws = int(float(h - crop_h) / 2), int(float(w - crop_w) / 2)
    images = images[..., hs:hs + crop_h, ws:ws + crop_w, :]
    out = image_ops.resize(math_ops.cast(images, dtypes.float32) if not images.dtype.is_floating else images,
                           (height, width))
    return _from_channels_last(math_ops.cast(out, dtype), data_format)


@keras_export("keras.layers.CenterCrop")
class CenterCrop(Layer):
    """Crops the central (height, width) part of images; images smaller than that are resized to it
    after a centre crop to the target aspect ratio (tf.keras.layers.CenterCrop)."""

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height = height
        self.width = width
        self.data_format = _image_data_format(data_format)

    def call(self, inputs):
        images = math_ops.cast(inputs, self.compute_dtype)
        ha, wa = _hw_axes(self.data_format)
        h, w = images.shape[ha], images.shape[wa]
        if h is None or w is None:
            raise ValueError("CenterCrop needs static image heights and widths; received %s" % (inputs.shape,))
        h_diff, w_diff = h - self.height, w - self.width
        if h_diff >= 0 and w_diff >= 0:
            hs, ws = h_diff // 2, w_diff // 2
            if self.data_format == "channels_first":
                return images[..., hs:hs + self.height, ws:ws + self.width]
            return images[..., hs:hs + self.height, ws:ws + self.width, :]
        return _smart_resize(images, self.height, self.width, self.data_format, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        ha, wa = _hw_axes(self.data_format)
        shape[ha], shape[wa] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(height=self.height, width=self.width, data_format=self.data_format)
        return c


@keras_export("keras.layers.RandomCrop")
class RandomCrop(_TrainingDefaultTrue, Layer):
    """Crops a random (height, width) window, the same for the whole batch, during training
    (tf.keras.layers.RandomCrop).

    Images not larger than the window are centre-cropped to its aspect ratio and resized. With
    training=False the images are returned unchanged, as in Keras 3.15.
    """

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.height = height
        self.width = width
        self.seed = seed
        self.data_format = _image_data_format(data_format)
        self.height_axis, self.width_axis = _hw_axes(self.data_format)
        self.supports_masking = False

    def call(self, inputs, training=True):
        if not training:
            return inputs
        images = math_ops.cast(inputs, self.compute_dtype)
        rank = images.shape.rank
        ha, wa = rank + self.height_axis, rank + self.width_axis
        h, w = images.shape[ha], images.shape[wa]
        if h is None or w is None:
            raise ValueError("RandomCrop requires the input to have a fully defined height and width. Received: "
                             "images.shape=%s" % (tuple(images.shape.as_list()),))
        if h > self.height and w > self.width:
            starts = random_ops.random_uniform([2], 0.0, 1.0, seed=self.seed)
            h_start = math_ops.cast(starts[0] * float(h - self.height + 1), dtypes.int32)
            w_start = math_ops.cast(starts[1] * float(w - self.width + 1), dtypes.int32)
            rows = h_start + array_ops.range(self.height)
            cols = w_start + array_ops.range(self.width)
            return array_ops.gather(array_ops.gather(images, rows, axis=ha), cols, axis=wa)
        crop_h = max(min(h, int(float(w * self.height) / self.width)), 1)
        crop_w = max(min(w, int(float(h * self.width) / self.height)), 1)
        hs, ws = int(float(h - crop_h) / 2), int(float(w - crop_w) / 2)
        idx = [slice(None)] * rank
        idx[ha], idx[wa] = slice(hs, hs + self.height), slice(ws, ws + self.width)
        images = images[tuple(idx)]
        if images.shape[ha] != self.height or images.shape[wa] != self.width:
            images = _to_channels_last(images, self.data_format)
            images = image_ops.resize(images, (self.height, self.width))
            images = _from_channels_last(math_ops.cast(images, self.compute_dtype), self.data_format)
        return images

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        shape[self.height_axis], shape[self.width_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(height=self.height, width=self.width, seed=self.seed, data_format=self.data_format)
        return c


_FILL_MODES = ("reflect", "wrap", "constant", "nearest")
_INTERPOLATIONS = ("nearest", "bilinear")


class _AffineLayer(_TrainingDefaultTrue, Layer):
    """Shared by RandomZoom and RandomTranslation: factors, fill modes, and the sampling."""

    _FACTOR_VALIDATION_ERROR = ""
    _lower_open = False

    def _set_factor(self, factor, factor_name):
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2:
                raise ValueError(self._FACTOR_VALIDATION_ERROR + "Received: %s=%s" % (factor_name, factor))
            self._check_factor_range(factor[0])
            self._check_factor_range(factor[1])
            return tuple(sorted(factor))
        if isinstance(factor, (int, float)):
            self._check_factor_range(factor)
            factor = abs(factor)
            return -factor, factor
        raise ValueError(self._FACTOR_VALIDATION_ERROR + "Received: %s=%s" % (factor_name, factor))

    def _check_factor_range(self, v):
        if v > 1.0 or (v <= -1.0 if self._lower_open else v < -1.0):
            raise ValueError(self._FACTOR_VALIDATION_ERROR + "Received: input_number=%s" % (v,))

    def _init_sampling(self, fill_mode, interpolation, seed, fill_value, data_format):
        if fill_mode not in _FILL_MODES:
            raise NotImplementedError("Unknown `fill_mode` %s. Expected of one %s." % (fill_mode, _FILL_MODES))
        if interpolation not in _INTERPOLATIONS:
            raise NotImplementedError("Unknown `interpolation` %s. Expected of one %s." % (interpolation,
                                                                                         _INTERPOLATIONS))
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.interpolation = interpolation
        self.seed = seed
        self.data_format = _image_data_format(data_format)

    def _transform(self, images, b):  # pragma: no cover - overridden
        raise NotImplementedError

    def call(self, inputs, training=True):
        images = math_ops.cast(inputs, self.compute_dtype)
        if not training:
            return images
        unbatched = images.shape.rank == 3
        if unbatched:
            images = array_ops.expand_dims(images, 0)
        if _symbolic_unknown_batch(images):
            return images[0] if unbatched else images
        images = _to_channels_last(images, self.data_format)
        if None in images.shape.as_list():
            raise ValueError("%s needs static image shapes; received %s" % (type(self).__name__, inputs.shape))
        out = _from_channels_last(self._transform(images, images.shape[0]), self.data_format)
        return out[0] if unbatched else out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(height_factor=self.height_factor, width_factor=self.width_factor, fill_mode=self.fill_mode,
                 interpolation=self.interpolation, seed=self.seed, fill_value=self.fill_value,
                 data_format=self.data_format)
        return c


@keras_export("keras.layers.RandomZoom")
class RandomZoom(_AffineLayer):
    """Randomly zooms each image during training (tf.keras.layers.RandomZoom).

    `height_factor` (a, b) draws the vertical zoom 1 + u, u uniform in [a, b] (a number f means
    [-f, f]); positive values zoom out. Without `width_factor` the zoom keeps the aspect ratio.
    """

    _FACTOR_VALIDATION_ERROR = ("The `height_factor` and `width_factor` arguments should be a number (or a list of "
                                "two numbers) in the range (-1.0, 1.0]. ")
    _lower_open = True

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = self._set_factor(height_factor, "height_factor")
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = self._set_factor(width_factor, "width_factor")
        self._init_sampling(fill_mode, interpolation, seed, fill_value, data_format)

    def _transform(self, images, b):
        _, h, w, _ = images.shape.as_list()
        zy = random_ops.random_uniform([b, 1, 1], 1.0 + self.height_lower, 1.0 + self.height_upper, seed=self.seed)
        zx = zy if self.width_factor is None else random_ops.random_uniform(
            [b, 1, 1], 1.0 + self.width_lower, 1.0 + self.width_upper, seed=self.seed)
        zx, zy = math_ops.cast(zx, images.dtype), math_ops.cast(zy, images.dtype)
        return _affine_images(images, zx, (w - 1.0) / 2.0 * (1.0 - zx), zy, (h - 1.0) / 2.0 * (1.0 - zy),
                              self.fill_mode, self.interpolation, self.fill_value)


@keras_export("keras.layers.RandomTranslation")
class RandomTranslation(_AffineLayer):
    """Randomly translates each image during training by fractions of its height and width drawn
    from `height_factor` and `width_factor` (tf.keras.layers.RandomTranslation)."""

    _FACTOR_VALIDATION_ERROR = "The `factor` argument should be a number (or a list of two numbers) in the range " \
                               "[-1.0, 1.0]. "

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = self._set_factor(height_factor, "height_factor")
        self.width_factor = width_factor
        self.width_lower, self.width_upper = self._set_factor(width_factor, "width_factor")
        self._init_sampling(fill_mode, interpolation, seed, fill_value, data_format)

    def _transform(self, images, b):
        _, h, w, _ = images.shape.as_list()
        dy = random_ops.random_uniform([b, 1, 1], self.height_lower, self.height_upper, seed=self.seed) * float(h)
        dx = random_ops.random_uniform([b, 1, 1], self.width_lower, self.width_upper, seed=self.seed) * float(w)
        one = math_ops.cast(1.0, images.dtype)
        return _affine_images(images, one, -math_ops.cast(dx, images.dtype), one, -math_ops.cast(dy, images.dtype),
                              self.fill_mode, self.interpolation, self.fill_value)


class _ColorLayer(_TrainingDefaultTrue, Layer):
    def call(self, inputs, training=True):
        if not training:
            return inputs
        images = inputs
        rank = images.shape.rank
        if rank not in (3, 4):
            raise ValueError("Expected the input image to be rank 3 or 4. Received inputs.shape=%s"
                             % (tuple(images.shape.as_list()),))
        if rank == 4 and _symbolic_unknown_batch(images):
            return images
        shape = [1, 1, 1] if rank == 3 else [images.shape[0], 1, 1, 1]
        return self._adjust(images, shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(factor=self.factor, value_range=self.value_range, seed=self.seed, data_format=self.data_format)
        return c


@keras_export("keras.layers.RandomContrast")
class RandomContrast(_ColorLayer):
    """Randomly adjusts each image's contrast during training: (x - mean) * f + mean per channel,
    f uniform in [1 - lower, 1 + upper], clipped to `value_range` (tf.keras.layers.RandomContrast)."""

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.factor = _factor_range(factor, (0, 1))
        self.value_range = value_range
        self.seed = seed
        self.data_format = _image_data_format(data_format)

    def _adjust(self, images, shape):
        f = random_ops.random_uniform(shape, 1.0 - self.factor[0], 1.0 + self.factor[1], seed=self.seed,
                                      dtype=self.compute_dtype)
        ha, wa = _hw_axes(self.data_format)
        mean = math_ops.reduce_mean(math_ops.reduce_mean(images, axis=ha, keepdims=True), axis=wa, keepdims=True)
        out = (images - mean) * math_ops.cast(f, images.dtype) + mean
        return math_ops.clip_by_value(out, math_ops.cast(self.value_range[0], out.dtype),
                                      math_ops.cast(self.value_range[1], out.dtype))


@keras_export("keras.layers.RandomBrightness")
class RandomBrightness(_ColorLayer):
    """Randomly shifts each image's brightness during training by u * (value_range[1] - value_range[0]),
    u uniform in the `factor` range, clipped to `value_range` (tf.keras.layers.RandomBrightness)."""

    _VALUE_RANGE_VALIDATION_ERROR = "The `value_range` argument should be a list of two numbers. "

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.factor = _factor_range(factor, (-1, 1))
        self.seed = seed
        self.data_format = _image_data_format(data_format)
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(self._VALUE_RANGE_VALIDATION_ERROR + "Received: value_range=%s" % (value_range,))
        self.value_range = sorted(value_range)

    def _adjust(self, images, shape):
        delta = random_ops.random_uniform(shape, self.factor[0], self.factor[1], seed=self.seed)
        delta = delta * float(self.value_range[1] - self.value_range[0])
        out = images + math_ops.cast(delta, images.dtype)
        return math_ops.clip_by_value(out, math_ops.cast(self.value_range[0], out.dtype),
                                      math_ops.cast(self.value_range[1], out.dtype))
