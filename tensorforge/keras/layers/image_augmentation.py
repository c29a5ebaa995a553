"""Keras 3 image augmentation layers: AutoContrast, Equalization, ContrastLimitedAdaptiveHistogramEqualization,
Solarization, RandomInvert, RandomGrayscale, RandomPosterization, RandomColorDegeneration, RandomHue,
RandomSaturation, RandomSharpness, RandomGaussianBlur, RandomErasing, RandomColorJitter, RandomShear,
RandomPerspective, RandomElasticTransform, MixUp, CutMix, AugMix, RandAugment, MaxNumBoundingBoxes and
Pipeline.

Each layer takes a batch of images (rank 4) or one image (rank 3), or a dict with "images" (and
"labels", which MixUp and CutMix mix, and "bounding_boxes", which MaxNumBoundingBoxes pads). Random
draws use the batch size read at run time (tf.shape), so the layers also work inside tf.function
and tf.data.Dataset.map with an unknown batch size. As in Keras 3, a direct call defaults to
training=True; with training=False the random layers (and Equalization) return their inputs.
"""
from __future__ import annotations

import threading

from ... import ops as _ops  # noqa: F401 - registers ops
from ...framework import dtypes
from ...ops import array_ops, image_ops, math_ops, nn_ops, random_ops
from .._registry import keras_export
from .layer import Layer
from .image_preprocessing import RandomBrightness, RandomContrast
from .preprocessing import (_TrainingDefaultTrue, _from_channels_last, _image_data_format, _sample_images,
                            _to_channels_last)

_VALUE_RANGE_VALIDATION_ERROR = "The `value_range` argument should be a list of two numbers. "


def _factor_pair(factor, bounds, name="factor", arg="factor"):
    """Keras's BaseImagePreprocessingLayer._set_factor: a number f means [max(-|f|, lo), |f|]."""
    msg = ("The `%s` argument should be a number (or a list of two numbers) in the range [%s, %s]. Received: "
           "%s=%s" % (name, bounds[0], bounds[1], arg, factor))
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(msg)
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        if factor < bounds[0] or factor > bounds[1]:
            raise ValueError(msg)
        factor = abs(factor)
        return (max(-factor, bounds[0]), factor)
    raise ValueError(msg)


def _value_range(value_range):
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(_VALUE_RANGE_VALIDATION_ERROR + "Received: value_range=%s" % (value_range,))
    return sorted(value_range)


def _rescale(images, original, target, dtype):
    """Keras's _transform_value_range: maps `original` (lo, hi) linearly onto `target`."""
    if original[0] == target[0] and original[1] == target[1]:
        return images
    images = math_ops.cast(images, dtype)
    o_lo, o_hi = math_ops.cast(original[0], dtype), math_ops.cast(original[1], dtype)
    t_lo, t_hi = math_ops.cast(target[0], dtype), math_ops.cast(target[1], dtype)
    return (images - o_lo) / (o_hi - o_lo) * (t_hi - t_lo) + t_lo


def _grayscale(images, data_format):
    """keras.ops.image.rgb_to_grayscale: one channel (kept as is for one-channel input)."""
    axis = -1 if data_format == "channels_last" else -3
    channels = images.shape[axis]
    if channels not in (1, 3):
        raise ValueError("Invalid channel size: expected 3 (RGB) or 1 (Grayscale). Received input with shape: "
                         "images.shape=%s" % (tuple(images.shape.as_list()),))
    if channels == 1:
        return images
    dt = images.dtype
    x = images if dt.is_floating else math_ops.cast(images, dtypes.float32)
    w = math_ops.cast([0.2989, 0.587, 0.114], x.dtype)
    w = array_ops.reshape(w, [3] if axis == -1 else [3, 1, 1])
    gray = math_ops.reduce_sum(x * w, axis=axis, keepdims=True)
    return gray if gray.dtype == dt else math_ops.cast(gray, dt)


_BATCH_HINT = threading.local()


def _batch_size(images):
    """The batch size: a Python int when static, else a run-time scalar tensor (read from the outer
    layer's input while AugMix / RandAugment run their sub-layers, which keeps the traced shape
    computations shallow)."""
    b = images.shape[0]
    if b is not None:
        return b
    hint = getattr(_BATCH_HINT, "value", None)
    return hint if hint is not None else array_ops.shape(images)[0]


class _BatchHint:
    def __init__(self, images):
        self.value = None if images.shape[0] is not None else array_ops.shape(images)[0]

    def __enter__(self):
        self.prev = getattr(_BATCH_HINT, "value", None)
        _BATCH_HINT.value = self.value

    def __exit__(self, *exc):
        _BATCH_HINT.value = self.prev


def _depthwise_same(images, kernel2d, dtype, channels=None):
    """Depthwise 'SAME' convolution of NHWC `images` by one 2-D kernel for every channel."""
    c = channels or images.shape[-1]
    kh, kw = kernel2d.shape.as_list()
    k = array_ops.tile(array_ops.reshape(math_ops.cast(kernel2d, dtype), [kh, kw, 1, 1]), [1, 1, c, 1])
    return nn_ops.depthwise_conv2d(images, k, strides=[1, 1, 1, 1], padding="SAME")


def _permutation(n, seed):
    """A random permutation of range(n) (n may be known only at run time)."""
    return math_ops.cast(array_ops.argsort(random_ops.random_uniform([n], seed=seed)), dtypes.int32)


def _beta(shape, alpha, seed, dtype):
    """Beta(alpha, alpha) samples as G1 / (G1 + G2) with G ~ Gamma(alpha)."""
    g1 = _gamma(shape, alpha, seed, dtype)
    g2 = _gamma(shape, alpha, seed, dtype)
    return g1 / (g1 + g2)


def _gamma(shape, alpha, seed, dtype):
    """Gamma(alpha) samples of `shape` ([] or [n], n possibly a run-time tensor)."""
    if all(isinstance(d, int) for d in shape):
        return random_ops.random_gamma(shape, alpha, dtype=dtype, seed=seed)
    from ...graph.functional_ops import map_fn
    return map_fn(lambda _: random_ops.random_gamma([], alpha, dtype=dtype, seed=seed),
                  array_ops.zeros(shape, dtype), fn_output_signature=dtype)


class BaseImageAugmentationLayer(_TrainingDefaultTrue, Layer):
    """The shared call of the image augmentation layers (Keras 3's BaseImagePreprocessingLayer).

    Subclasses implement `_transform(images, training)` on a rank-4 batch (in `data_format`) and
    return the images, or `(images, transformation)` when they also change labels.
    """


    def __init__(self, data_format=None, bounding_box_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _image_data_format(data_format)
        self.bounding_box_format = bounding_box_format

    def _transform(self, images, training):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def _transform_labels(self, labels, transformation):
        return labels

    def _transform_boxes(self, boxes, transformation):
        return boxes

    def _images_batch(self, images):
        rank = images.shape.rank
        if rank not in (3, 4):
            raise ValueError("Expected image tensor to have rank 3 (single image) or 4 (batch of images). Received: "
                             "data.shape=%s" % (tuple(images.shape.as_list()),))
        return rank == 3

    def _apply(self, images, training):
        unbatched = self._images_batch(images)
        if unbatched:
            images = array_ops.expand_dims(images, 0)
        out = self._transform(images, training)
        out, transformation = out if isinstance(out, tuple) else (out, None)
        return (array_ops.squeeze(out, [0]) if unbatched else out), transformation, unbatched

    def call(self, inputs, training=True):
        if isinstance(inputs, dict):
            data = dict(inputs)
            from ...framework.convert import convert_to_tensor
            images, transformation, unbatched = self._apply(convert_to_tensor(data["images"]), training)
            data["images"] = images
            if "labels" in data and transformation is not None:
                labels = convert_to_tensor(data["labels"])
                if unbatched:
                    labels = array_ops.expand_dims(labels, 0)
                labels = self._transform_labels(labels, transformation)
                data["labels"] = array_ops.squeeze(labels, [0]) if unbatched else labels
            if "bounding_boxes" in data:
                if not self.bounding_box_format:
                    raise ValueError("You passed an input with a 'bounding_boxes' key, but you didn't specify a "
                                     "bounding box format. Pass a `bounding_box_format` argument to your %s layer, "
                                     "e.g. `bounding_box_format='xyxy'`." % type(self).__name__)
                data["bounding_boxes"] = self._transform_boxes(data["bounding_boxes"], transformation)
            return data
        return self._apply(inputs, training)[0]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        c = super().get_config()
        c["data_format"] = self.data_format
        if self.bounding_box_format is not None:
            c["bounding_box_format"] = self.bounding_box_format
        return c


def _channels_last(images, data_format):
    return _to_channels_last(images, data_format)


# ---------------------------------------------------------------- deterministic colour layers
@keras_export("keras.layers.AutoContrast")
class AutoContrast(BaseImageAugmentationLayer):
    """Stretches each image's channels over the whole `value_range` (tf.keras.layers.AutoContrast).

    Per image and channel, the minimum maps to value_range[0] and the maximum to value_range[1];
    constant channels are kept. Applied at training and inference time. Output is in the compute
    dtype (float32).
    """

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        self.value_range = _value_range(value_range)

    def _transform(self, images, training):
        dt = self.compute_dtype
        original = math_ops.cast(images, dt)
        x = _rescale(original, self.value_range, (0, 255), dt)
        low = math_ops.reduce_min(x, axis=[1, 2], keepdims=True)
        high = math_ops.reduce_max(x, axis=[1, 2], keepdims=True)
        scale = 255.0 / (high - low)
        out = math_ops.clip_by_value(x * scale + (-low * scale), 0.0, 255.0)
        out = _rescale(out, (0, 255), self.value_range, dt)
        return array_ops.where(math_ops.is_nan(out), original, out)

    def get_config(self) -> dict:
        c = super().get_config()
        c["value_range"] = self.value_range
        return c


@keras_export("keras.layers.Equalization")
class Equalization(BaseImageAugmentationLayer):
    """Histogram equalisation of each channel (tf.keras.layers.Equalization).

    As in Keras 3, each channel's histogram (`bins` bins over `value_range`) is taken over the
    whole batch, and a channel with at most one occupied bin is kept. Identity with training=False.
    """

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.bins = bins
        self.value_range = _value_range(value_range)

    def _transform(self, images, training):
        if not training:
            return images
        dt = self.compute_dtype
        x = _channels_last(math_ops.cast(images, dt), self.data_format)
        x = _rescale(x, self.value_range, (0.0, 255.0), dt) if list(self.value_range) != [0, 255] else x
        nb = self.bins
        c = x.shape[-1]
        idx = math_ops.cast(math_ops.cast(x, dtypes.float32) * float(nb - 1) / 255.0, dtypes.int32)
        idx = math_ops.clip_by_value(idx, 0, nb - 1)
        # per-channel histograms over the batch: one bincount of (channel * bins + bin)
        offsets = array_ops.range(c) * nb
        flat = array_ops.reshape(idx + offsets, [-1])
        hist = array_ops.reshape(math_ops.bincount(flat, minlength=c * nb, maxlength=c * nb), [c, nb])
        cdf = math_ops.cast(math_ops.cumsum(hist, axis=1), dtypes.float32)
        nonzero = math_ops.reduce_sum(math_ops.cast(hist > 0, dtypes.int32), axis=1)
        cdf_min = math_ops.reduce_min(array_ops.where(cdf > 0, cdf, array_ops.zeros_like(cdf) + 3.0e38), axis=1,
                                      keepdims=True)
        denom = cdf[:, -1:] - cdf_min
        denom = array_ops.where(math_ops.equal(denom, 0.0), array_ops.ones_like(denom), denom)
        lut = math_ops.clip_by_value(math_ops.round((cdf - cdf_min) * 255.0 / denom), 0.0, 255.0)
        lut_idx = math_ops.cast(math_ops.clip_by_value(x / 255.0 * float(nb - 1), 0.0, float(nb - 1)), dtypes.int32)
        eq = array_ops.gather(array_ops.reshape(lut, [-1]), lut_idx + offsets)
        eq = array_ops.where(nonzero <= 1, x, math_ops.cast(eq, dt))
        eq = _rescale(eq, (0.0, 255.0), self.value_range, dt) if list(self.value_range) != [0, 255] else eq
        return _from_channels_last(math_ops.cast(eq, dt), self.data_format)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(bins=self.bins, value_range=self.value_range)
        return c


@keras_export("keras.layers.Solarization")
class Solarization(BaseImageAugmentationLayer):
    """Inverts the pixels above a random threshold after adding a random offset
    (tf.keras.layers.Solarization)."""

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.addition_factor = self._set_factor(addition_factor, "addition_factor")
        self.threshold_factor = self._set_factor(threshold_factor, "threshold_factor")
        self.value_range = _value_range(value_range)

    _FACTOR_VALIDATION_ERROR = ("The `addition_factor` and `threshold_factor` arguments should be a number (or a list "
                                "of two numbers) in the range [0, 1]. ")

    def _set_factor(self, factor, name):
        def check(v):
            if v > 1.0 or v < 0:
                raise ValueError(self._FACTOR_VALIDATION_ERROR + "Received: input_number=%s" % (v,))
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2:
                raise ValueError(self._FACTOR_VALIDATION_ERROR + "Received: %s=%s" % (name, factor))
            check(factor[0])
            check(factor[1])
            return tuple(sorted(factor))
        if isinstance(factor, (int, float)):
            check(factor)
            return (0, factor)
        raise ValueError(self._FACTOR_VALIDATION_ERROR + "Received: %s=%s" % (name, factor))

    def _transform(self, images, training):
        dt = self.compute_dtype
        images = math_ops.cast(images, dt)
        if not training:
            return images
        shape = [_batch_size(images), 1, 1, 1]
        add = random_ops.random_uniform(shape, self.addition_factor[0], self.addition_factor[1] * 255, dtype=dt,
                                        seed=self.seed)
        thr = random_ops.random_uniform(shape, self.threshold_factor[0], self.threshold_factor[1] * 255, dtype=dt,
                                        seed=self.seed)
        x = _rescale(images, self.value_range, (0, 255), dt)
        x = math_ops.clip_by_value(x + add, 0.0, 255.0)
        x = array_ops.where(x < thr, x, 255.0 - x)
        return _rescale(x, (0, 255), self.value_range, dt)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(value_range=self.value_range, addition_factor=self.addition_factor,
                 threshold_factor=self.threshold_factor, seed=self.seed)
        return c


# ---------------------------------------------------------------- random colour layers
class _SeededLayer(BaseImageAugmentationLayer):
    def _uniform(self, shape, lo, hi, dtype=dtypes.float32):
        return random_ops.random_uniform(shape, lo, hi, dtype=dtype, seed=self.seed)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(self._config())
        c["seed"] = self.seed
        return c

    def _config(self) -> dict:
        return {}


@keras_export("keras.layers.RandomInvert")
class RandomInvert(_SeededLayer):
    """Inverts each image (value_range[1] - x) with a probability drawn from `factor`
    (tf.keras.layers.RandomInvert)."""

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = _factor_pair(factor, (0, 1))
        self.value_range = value_range
        self.seed = seed

    def _transform(self, images, training):
        if not training:
            return images
        images = math_ops.cast(images, self.compute_dtype)
        b = _batch_size(images)
        prob = self._uniform([b], self.factor[0], self.factor[1])
        apply = array_ops.reshape(self._uniform([b], 0.0, 1.0) < prob, [-1, 1, 1, 1])
        return array_ops.where(apply, math_ops.cast(self.value_range[1], images.dtype) - images, images)

    def _config(self):
        return dict(factor=self.factor, value_range=self.value_range)


@keras_export("keras.layers.RandomGrayscale")
class RandomGrayscale(_SeededLayer):
    """Converts each image to grayscale (kept with its channels) with probability `factor`
    (tf.keras.layers.RandomGrayscale)."""

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if factor < 0 or factor > 1:
            raise ValueError("`factor` should be between 0 and 1. Received: factor=%s" % (factor,))
        self.factor = factor
        self.seed = seed

    def _transform(self, images, training):
        if not training:
            return images
        apply = array_ops.reshape(self._uniform([_batch_size(images)], 0.0, 1.0) < self.factor, [-1, 1, 1, 1])
        gray = _grayscale(images, self.data_format)
        return array_ops.where(apply, gray + array_ops.zeros_like(images), images)

    def get_config(self) -> dict:
        c = BaseImageAugmentationLayer.get_config(self)
        c["factor"] = self.factor
        return c


@keras_export("keras.layers.RandomPosterization")
class RandomPosterization(_SeededLayer):
    """Keeps the top `bits` bits of each 8-bit pixel value, `bits` drawn per image from the integer
    range `factor` in [1, 8] (tf.keras.layers.RandomPosterization)."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = _factor_pair(factor, (1, 8))
        self.value_range = _value_range(value_range)
        self.seed = seed

    def _transform(self, images, training):
        if not training:
            return images
        b = _batch_size(images)
        if self.factor[0] != self.factor[1]:
            bits = random_ops.random_uniform([b], int(self.factor[0]), int(self.factor[1]), dtype=dtypes.int32,
                                             seed=self.seed)
        else:
            bits = array_ops.fill([b], int(self.factor[0]))
        shift = array_ops.reshape(math_ops.cast(8 - bits, dtypes.uint8), [-1, 1, 1, 1])
        dt = self.compute_dtype
        x = _rescale(images, self.value_range, (0, 255), dt)
        x = math_ops.cast(x, dtypes.uint8)
        shift = shift + array_ops.zeros_like(x)
        x = math_ops.left_shift(math_ops.right_shift(x, shift), shift)
        return _rescale(math_ops.cast(x, dt), (0, 255), self.value_range, dt)

    def _config(self):
        return dict(factor=self.factor, value_range=self.value_range)


@keras_export("keras.layers.RandomColorDegeneration")
class RandomColorDegeneration(_SeededLayer):
    """Blends each image towards its grayscale version by a factor drawn from `factor`, clipped to
    `value_range` (tf.keras.layers.RandomColorDegeneration)."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = _factor_pair(factor, (-1, 1))
        self.value_range = _value_range(value_range)
        self.seed = seed

    def _transform(self, images, training):
        if not training:
            return images
        dt = self.compute_dtype
        images = math_ops.cast(images, dt)
        f = self._uniform([_batch_size(images), 1, 1, 1], self.factor[0], self.factor[1], dt)
        out = images + f * (_grayscale(images, self.data_format) - images)
        return math_ops.clip_by_value(out, math_ops.cast(self.value_range[0], dt), math_ops.cast(self.value_range[1],
                                                                                                 dt))

    def _config(self):
        return dict(factor=self.factor, value_range=self.value_range)


def _hsv_roundtrip(images, data_format, fn):
    x = _channels_last(images, data_format)
    hsv = image_ops.rgb_to_hsv(x)
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    h, s = fn(h, s)
    return _from_channels_last(image_ops.hsv_to_rgb(array_ops.stack([h, s, v], axis=-1)), data_format)


@keras_export("keras.layers.RandomHue")
class RandomHue(_SeededLayer):
    """Shifts each image's hue by +-u / 2 of a turn, u drawn from `factor` in [0, 1]
    (tf.keras.layers.RandomHue)."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = _factor_pair(factor, (0, 1))
        self.value_range = value_range
        self.seed = seed

    def _transform(self, images, training):
        if not training:
            return images
        dt = self.compute_dtype
        b = _batch_size(images)
        sign = array_ops.where(self._uniform([b], 0.0, 1.0) > 0.5, -array_ops.ones([b]), array_ops.ones([b]))
        delta = array_ops.reshape(math_ops.cast(sign * self._uniform([b], self.factor[0], self.factor[1]) * 0.5, dt),
                                  [-1, 1, 1])
        x = _rescale(math_ops.cast(images, dt), self.value_range, (0, 1), dt)

        def shift(h, s):
            h = h + delta
            h = array_ops.where(h > 1.0, h - 1.0, h)
            return array_ops.where(h < 0.0, h + 1.0, h), s
        x = math_ops.clip_by_value(_hsv_roundtrip(x, self.data_format, shift), 0.0, 1.0)
        return math_ops.cast(_rescale(x, (0, 1), self.value_range, dt), dt)

    def _config(self):
        return dict(factor=self.factor, value_range=self.value_range)


@keras_export("keras.layers.RandomSaturation")
class RandomSaturation(_SeededLayer):
    """Scales each image's saturation by f / (1 - f), f drawn from `factor`
    (tf.keras.layers.RandomSaturation; 0.5 keeps the image, 0 makes it gray, 1 saturates it)."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = _factor_pair(factor, (-1, 1))
        self.value_range = _value_range(value_range)
        self.seed = seed

    def _transform(self, images, training):
        if not training:
            return images
        dt = self.compute_dtype
        f = self._uniform([_batch_size(images)], self.factor[0], self.factor[1])
        f = array_ops.reshape(math_ops.cast(f / (1.0 - f + 1e-7), dt), [-1, 1, 1])
        lo, hi = self.value_range

        def scale(h, s):
            return h, math_ops.clip_by_value(s * f, math_ops.cast(lo, dt), math_ops.cast(hi, dt))
        return _hsv_roundtrip(math_ops.cast(images, dt), self.data_format, scale)

    def _config(self):
        return dict(factor=self.factor, value_range=self.value_range)


@keras_export("keras.layers.RandomSharpness")
class RandomSharpness(_SeededLayer):
    """Blends each image with a smoothed copy: x + (1 - 2u) (smooth(x) - x), u drawn from `factor`
    (tf.keras.layers.RandomSharpness)."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = _factor_pair(factor, (0, 1))
        self.value_range = _value_range(value_range)
        self.seed = seed

    def _transform(self, images, training):
        dt = self.compute_dtype
        images = math_ops.cast(images, dt)
        if not training:
            return images
        x = _channels_last(images, self.data_format)
        f = self._uniform([_batch_size(images)], self.factor[0], self.factor[1])
        f = array_ops.reshape(math_ops.cast(f * 2.0, dt), [-1, 1, 1, 1])
        a, b = 1.0 / 13.0, 5.0 / 13.0
        kernel = math_ops.cast([[a, a, a], [a, b, a], [a, a, a]], dt)
        smooth = _depthwise_same(x, kernel, dt)
        x = math_ops.clip_by_value(x + (1.0 - f) * (smooth - x), math_ops.cast(self.value_range[0], dt),
                                   math_ops.cast(self.value_range[1], dt))
        return _from_channels_last(x, self.data_format)

    def _config(self):
        return dict(factor=self.factor, value_range=self.value_range)


@keras_export("keras.layers.RandomGaussianBlur")
class RandomGaussianBlur(_SeededLayer):
    """Blurs each image, with a probability drawn from `factor`, by a Gaussian kernel of
    `kernel_size` whose sigma is drawn from `sigma` (tf.keras.layers.RandomGaussianBlur)."""

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255), data_format=None, seed=None,
                 **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = _factor_pair(factor, (0, 1))
        self.kernel_size = self._kernel_size(kernel_size)
        self.sigma = _factor_pair(sigma, (0, 1), "sigma")
        self.value_range = value_range
        self.seed = seed

    @staticmethod
    def _kernel_size(k):
        msg = "kernel_size must be an odd number. Received: kernel_size=%s" % (k,)
        if isinstance(k, (tuple, list)):
            if len(k) != 2:
                raise ValueError("The `kernel_size` argument should be a number (or a list of two numbers) Received: "
                                 "kernel_size=%s" % (k,))
            if k[0] % 2 == 0 or k[1] % 2 == 0:
                raise ValueError(msg)
            return (k[0], k[1])
        if isinstance(k, (int, float)):
            if k % 2 == 0:
                raise ValueError(msg)
            return (k, k)
        raise ValueError(msg)

    def _transform(self, images, training):
        dt = self.compute_dtype
        images = math_ops.cast(images, dt)
        if not training:
            return images
        b = _batch_size(images)
        prob = self._uniform([b], self.factor[0], self.factor[1])
        apply = array_ops.reshape(self._uniform([b], 0.0, 1.0) < prob, [-1, 1, 1, 1])
        sigma = self._uniform([2], self.sigma[0], self.sigma[1], dt) + 1e-6
        k0, k1 = int(self.kernel_size[0]), int(self.kernel_size[1])

        def k1d(size, s):
            x = array_ops.range(size, dtype=dt) - (size - 1) / 2.0
            k = math_ops.exp(-0.5 * (x / s) ** 2)
            return k / math_ops.reduce_sum(k)
        kernel = array_ops.reshape(k1d(k1, sigma[1])[:, None] * k1d(k0, sigma[0])[None, :], [k0, k1])
        x = _channels_last(images, self.data_format)
        blurred = _from_channels_last(_depthwise_same(x, kernel, dt), self.data_format)
        out = array_ops.where(apply, blurred, images)
        return math_ops.clip_by_value(out, math_ops.cast(self.value_range[0], dt),
                                      math_ops.cast(self.value_range[1], dt))

    def _config(self):
        return dict(factor=self.factor, kernel_size=self.kernel_size, sigma=self.sigma, value_range=self.value_range)


@keras_export("keras.layers.RandomColorJitter")
class RandomColorJitter(_SeededLayer):
    """Applies RandomBrightness, RandomContrast, RandomSaturation and RandomHue, in that order, for
    the factors given (tf.keras.layers.RandomColorJitter)."""

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None, saturation_factor=None,
                 hue_factor=None, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.brightness_factor = brightness_factor
        self.contrast_factor = contrast_factor
        self.saturation_factor = saturation_factor
        self.hue_factor = hue_factor
        self.seed = seed
        self.random_brightness = None if brightness_factor is None else RandomBrightness(
            brightness_factor, value_range=value_range, seed=seed, data_format=data_format)
        self.random_contrast = None if contrast_factor is None else RandomContrast(
            contrast_factor, value_range=value_range, seed=seed, data_format=data_format)
        self.random_saturation = None if saturation_factor is None else RandomSaturation(
            saturation_factor, value_range=value_range, seed=seed, data_format=data_format)
        self.random_hue = None if hue_factor is None else RandomHue(
            hue_factor, value_range=value_range, seed=seed, data_format=data_format)

    def _transform(self, images, training):
        if not training:
            return images
        dt = self.compute_dtype
        images = math_ops.cast(images, dt)
        shape = [_batch_size(images), 1, 1, 1]
        if self.random_brightness is not None:
            images = self.random_brightness._adjust(images, shape)
        if self.random_contrast is not None:
            images = self.random_contrast._adjust(images, shape)
        if self.random_saturation is not None:
            images = self.random_saturation._transform(images, True)
        if self.random_hue is not None:
            images = self.random_hue._transform(images, True)
        return math_ops.cast(images, dt)

    def get_config(self) -> dict:
        c = BaseImageAugmentationLayer.get_config(self)
        c.update(value_range=self.value_range, brightness_factor=self.brightness_factor,
                 contrast_factor=self.contrast_factor, saturation_factor=self.saturation_factor,
                 hue_factor=self.hue_factor, seed=self.seed)
        return c


# ---------------------------------------------------------------- masks and mixing
def _box_masks(images, x0, x1, y0, y1, data_format, dtype):
    """[b, h, w, 1] (or [b, 1, h, w]) masks of the boxes x0 <= x < x1, y0 <= y < y1."""
    h_ax, w_ax = (1, 2) if data_format == "channels_last" else (2, 3)
    shape = array_ops.shape(images)
    ys = math_ops.cast(array_ops.range(shape[h_ax]), dtype)
    xs = math_ops.cast(array_ops.range(shape[w_ax]), dtype)
    ys = array_ops.reshape(ys, [1, -1, 1, 1] if h_ax == 1 else [1, 1, -1, 1])
    xs = array_ops.reshape(xs, [1, 1, -1, 1] if h_ax == 1 else [1, 1, 1, -1])

    def col(v):
        return array_ops.reshape(v, [-1, 1, 1, 1])
    return math_ops.logical_and(math_ops.logical_and(xs >= col(x0), xs < col(x1)),
                                math_ops.logical_and(ys >= col(y0), ys < col(y1)))


def _hw(images, data_format):
    shape = array_ops.shape(images)
    return (shape[1], shape[2]) if data_format == "channels_last" else (shape[2], shape[3])


@keras_export("keras.layers.RandomErasing")
class RandomErasing(_SeededLayer):
    """Erases a random rectangle of each image (area fraction drawn from `scale`), with a
    probability drawn from `factor`, filling it with `fill_value` or Gaussian noise
    (tf.keras.layers.RandomErasing)."""

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255), seed=None,
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = _factor_pair(factor, (0, 1))
        self.scale = _factor_pair(scale, (0, 1), "scale")
        self.fill_value = fill_value
        self.value_range = value_range
        self.seed = seed

    def _fill(self, images):
        dt = self.compute_dtype
        fv = self.fill_value
        if fv is None:
            fill = random_ops.random_normal(array_ops.shape(images), dtype=dt, seed=self.seed) * float(
                self.value_range[1])
        else:
            msg = "The `fill_value` argument should be a number (or a list of three numbers) "
            if isinstance(fv, (tuple, list)):
                if len(fv) != 3:
                    raise ValueError(msg)
                v = math_ops.cast(fv, dt)
                v = v if self.data_format == "channels_last" else array_ops.reshape(v, [3, 1, 1])
                fill = array_ops.zeros_like(images) + v
            elif isinstance(fv, (int, float)):
                fill = array_ops.zeros_like(images) + math_ops.cast(fv, dt)
            else:
                raise ValueError(msg)
        return math_ops.clip_by_value(fill, math_ops.cast(self.value_range[0], dt),
                                      math_ops.cast(self.value_range[1], dt))

    def _transform(self, images, training):
        dt = self.compute_dtype
        images = math_ops.cast(images, dt)
        if not training:
            return images
        b = _batch_size(images)
        h, w = _hw(images, self.data_format)
        h, w = math_ops.cast(h, dt), math_ops.cast(w, dt)
        ratio = math_ops.sqrt(self._uniform([b, 2], self.scale[0], self.scale[1], dt))
        cw, ch = ratio[:, 0] * w, ratio[:, 1] * h
        x0 = self._uniform([b], 0.0, 1.0, dt) * (w - cw)
        y0 = self._uniform([b], 0.0, 1.0, dt) * (h - ch)
        masks = _box_masks(images, x0, x0 + cw, y0, y0 + ch, self.data_format, dt)
        prob = self._uniform([b], self.factor[0], self.factor[1])
        apply = array_ops.reshape(self._uniform([b], 0.0, 1.0) < prob, [-1, 1, 1, 1])
        erased = array_ops.where(math_ops.logical_and(masks, apply), self._fill(images), images)
        return erased

    def _config(self):
        return dict(factor=self.factor, scale=self.scale, fill_value=self.fill_value, value_range=self.value_range)


@keras_export("keras.layers.MixUp")
class MixUp(_SeededLayer):
    """Mixes each image (and its labels, given {"images", "labels"}) with another of the batch:
    w x + (1 - w) x[perm], w ~ Beta(alpha, alpha) (tf.keras.layers.MixUp)."""

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.alpha = alpha
        self.seed = seed

    def _transform(self, images, training):
        if not training:
            return images
        dt = self.compute_dtype
        images = math_ops.cast(images, dt)
        b = _batch_size(images)
        perm = _permutation(b, self.seed)
        w = _beta([b], float(self.alpha), self.seed, dtypes.float32)
        wi = math_ops.cast(array_ops.reshape(w, [-1, 1, 1, 1]), dt)
        out = wi * images + (1.0 - wi) * array_ops.gather(images, perm)
        return out, (w, perm)

    def _transform_labels(self, labels, transformation):
        w, perm = transformation
        w = array_ops.reshape(math_ops.cast(w, labels.dtype if labels.dtype.is_floating else dtypes.float32),
                              [-1] + [1] * (labels.shape.rank - 1))
        labels = math_ops.cast(labels, w.dtype)
        return w * labels + (1.0 - w) * array_ops.gather(labels, perm)

    def _config(self):
        return dict(alpha=self.alpha)


@keras_export("keras.layers.CutMix")
class CutMix(_SeededLayer):
    """Pastes a random box of another image of the batch into each image and mixes the labels by
    the pasted area (tf.keras.layers.CutMix)."""

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = _factor_pair(factor, (0, 1))
        self.seed = seed

    def _transform(self, images, training):
        dt = self.compute_dtype
        images = math_ops.cast(images, dt)
        if not training or self._unbatched:
            return images
        b = _batch_size(images)
        h, w = _hw(images, self.data_format)
        h, w = math_ops.cast(h, dt), math_ops.cast(w, dt)
        alpha = self._uniform([], self.factor[0], self.factor[1], dt) + 1e-6
        ratio = math_ops.sqrt(1.0 - _beta([b], alpha, self.seed, dt))
        cw, ch = ratio * w, ratio * h
        x0 = self._uniform([b], 0.0, 1.0, dt) * (w - cw)
        y0 = self._uniform([b], 0.0, 1.0, dt) * (h - ch)
        masks = _box_masks(images, x0, x0 + cw, y0, y0 + ch, self.data_format, dt)
        mix_weight = 1.0 - cw * ch / (w * h)
        perm = _permutation(b, self.seed)
        return array_ops.where(masks, array_ops.gather(images, perm), images), (mix_weight, perm)

    def _apply(self, images, training):
        self._unbatched = self._images_batch(images)
        return super()._apply(images, training)

    _transform_labels = MixUp._transform_labels

    def _config(self):
        return dict(factor=self.factor)


# ---------------------------------------------------------------- geometry
def _shear_factor(factor, name):
    msg = "The `factor` argument should be a number (or a list of two numbers) in the range [0, 1.0]. "

    def check(v):
        if v > 1.0 or v < 0.0:
            raise ValueError(msg + "Received: input_number=%s" % (v,))
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(msg + "Received: %s=%s" % (name, factor))
        check(factor[0])
        check(factor[1])
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)):
        check(factor)
        factor = abs(factor)
        return (-factor, factor)
    raise ValueError(msg + "Received: %s=%s" % (name, factor))


def _sample(images, in_x, in_y, fill_mode, interpolation, fill_value):
    """_sample_images for a static or a run-time batch size."""
    if images.shape[0] is not None:
        return _sample_images(images, in_x, in_y, fill_mode, interpolation, fill_value)
    return _sample_dynamic(images, in_x, in_y, fill_mode, interpolation, fill_value)


def _static_hw(x, layer):
    _, h, w, _ = x.shape.as_list()
    if h is None or w is None:
        raise ValueError("%s needs static image heights and widths; received %s" % (layer, x.shape))
    return h, w


@keras_export("keras.layers.RandomShear")
class RandomShear(_SeededLayer):
    """Shears each image: the output pixel (x, y) samples the input at (x + sx y, sy x + y), with
    sx, sy drawn from `x_factor`, `y_factor` (each within [0, 1]; a number f means [-f, f]) and a
    random common sign per image (tf.keras.layers.RandomShear)."""

    _SUPPORTED_FILL_MODE = ("reflect", "wrap", "constant", "nearest")
    _SUPPORTED_INTERPOLATION = ("nearest", "bilinear")

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                 data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.x_factor = _shear_factor(x_factor, "x_factor")
        self.y_factor = _shear_factor(y_factor, "y_factor")
        if fill_mode not in self._SUPPORTED_FILL_MODE:
            raise NotImplementedError("Unknown `fill_mode` %s. Expected of one %s." % (fill_mode,
                                                                                     self._SUPPORTED_FILL_MODE))
        if interpolation not in self._SUPPORTED_INTERPOLATION:
            raise NotImplementedError("Unknown `interpolation` %s. Expected of one %s."
                                      % (interpolation, self._SUPPORTED_INTERPOLATION))
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.interpolation = interpolation
        self.seed = seed

    def _transform(self, images, training):
        dt = self.compute_dtype
        images = math_ops.cast(images, dt)
        if not training:
            return images
        x = _channels_last(images, self.data_format)
        h, w = _static_hw(x, "RandomShear")
        b = _batch_size(x)
        sign = array_ops.where(self._uniform([b, 1, 1], 0.0, 1.0, dt) > 0.5, -array_ops.ones([b, 1, 1], dt),
                               array_ops.ones([b, 1, 1], dt))
        sy = self._uniform([b, 1, 1], self.y_factor[0], self.y_factor[1], dt) * sign
        sx = self._uniform([b, 1, 1], self.x_factor[0], self.x_factor[1], dt) * sign
        xs = array_ops.reshape(array_ops.range(w, dtype=dt), [1, 1, w])
        ys = array_ops.reshape(array_ops.range(h, dtype=dt), [1, h, 1])
        out = _sample(x, xs + sx * ys, sy * xs + ys, self.fill_mode, self.interpolation, self.fill_value)
        return _from_channels_last(math_ops.cast(out, dt), self.data_format)

    def _config(self):
        return dict(x_factor=self.x_factor, y_factor=self.y_factor, fill_mode=self.fill_mode,
                    interpolation=self.interpolation, fill_value=self.fill_value)


def _homography(start, end):
    """The 8 projective coefficients that map `end` points ([b, 4, 2]) onto `start` points (Keras's
    compute_homography_matrix)."""
    rows = []
    for i in range(4):
        sx, sy = start[:, i, 0], start[:, i, 1]
        ex, ey = end[:, i, 0], end[:, i, 1]
        one, zero = array_ops.ones_like(ex), array_ops.zeros_like(ex)
        rows.append(array_ops.stack([ex, ey, one, zero, zero, zero, -sx * ex, -sx * ey], axis=-1))
        rows.append(array_ops.stack([zero, zero, zero, ex, ey, one, -sy * ex, -sy * ey], axis=-1))
    a = array_ops.stack(rows, axis=1)
    target = array_ops.reshape(start, [-1, 8, 1])
    from ...ops.linalg_ops import solve
    return array_ops.reshape(solve(a, target), [-1, 8])


def _projective_coords(transform, h, w, dt):
    """Input coordinates of each output pixel for projective transforms [b, 8] (as
    ImageProjectiveTransformV3 reads them)."""
    t = [array_ops.reshape(transform[:, i], [-1, 1, 1]) for i in range(8)]
    xs = array_ops.reshape(array_ops.range(w, dtype=dt), [1, 1, w])
    ys = array_ops.reshape(array_ops.range(h, dtype=dt), [1, h, 1])
    k = t[6] * xs + t[7] * ys + 1.0
    return (t[0] * xs + t[1] * ys + t[2]) / k, (t[3] * xs + t[4] * ys + t[5]) / k


@keras_export("keras.layers.RandomPerspective")
class RandomPerspective(_SeededLayer):
    """Moves the four corners of each image by up to `scale` / 2 of their coordinates and warps the
    image accordingly, with a probability drawn from `factor` (tf.keras.layers.RandomPerspective).
    Points outside the input are filled with `fill_value`."""

    _SUPPORTED_INTERPOLATION = ("nearest", "bilinear")

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0, seed=None, data_format=None,
                 **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = _factor_pair(factor, (0, 1))
        self.scale = scale
        self.fill_value = fill_value
        self.interpolation = interpolation
        self.seed = seed
        if scale < 0.0 or scale > 1.0:
            raise ValueError("The `scale` argument should be a number in the range [0,1]. Received: scale=%s"
                             % (scale,))
        if interpolation not in self._SUPPORTED_INTERPOLATION:
            raise NotImplementedError("Unknown `interpolation` %s. Expected of one %s."
                                      % (interpolation, self._SUPPORTED_INTERPOLATION))

    def _transform(self, images, training):
        dt = self.compute_dtype
        images = math_ops.cast(images, dt)
        if not training:
            return images
        x = _channels_last(images, self.data_format)
        h, w = _static_hw(x, "RandomPerspective")
        b = _batch_size(x)
        prob = self._uniform([b], self.factor[0], self.factor[1])
        apply = array_ops.reshape(self._uniform([b], 0.0, 1.0) < prob, [-1, 1, 1, 1])
        pf = self._uniform([b, 4, 2], -0.5 * self.scale, 0.5 * self.scale, dtypes.float32)
        start = math_ops.cast([[[0.0, 0.0], [w - 1.0, 0.0], [0.0, h - 1.0], [w - 1.0, h - 1.0]]], dtypes.float32)
        start = start + array_ops.zeros_like(pf)
        end = start + start * pf
        in_x, in_y = _projective_coords(_homography(start, end), h, w, dtypes.float32)
        out = _sample(math_ops.cast(x, dtypes.float32), in_x, in_y, "constant", self.interpolation, self.fill_value)
        out = _from_channels_last(math_ops.cast(out, dt), self.data_format)
        return array_ops.where(apply, out, images)

    def _config(self):
        return dict(factor=self.factor, scale=self.scale, interpolation=self.interpolation,
                    fill_value=self.fill_value)


def _sample_dynamic(images, in_x, in_y, fill_mode, interpolation, fill_value):
    """_sample_images for an unknown batch size: samples image by image with tf.map_fn."""
    from ...graph.functional_ops import map_fn
    return map_fn(lambda a: _sample_images(a[0][None], a[1][None], a[2][None], fill_mode, interpolation,
                                           fill_value)[0], (images, in_x + array_ops.zeros_like(in_y),
                                                            in_y + array_ops.zeros_like(in_x)),
                  fn_output_signature=images.dtype)


def _fix_index(i, n: int, fill_mode: str):
    """Keras's map_coordinates index fixers: integer indices `i` (float tensor) into [0, n)."""
    if fill_mode == "nearest" or fill_mode == "constant":
        return math_ops.clip_by_value(i, 0.0, float(n - 1))
    if fill_mode == "wrap":
        return i - float(n) * math_ops.floor(i / float(n))
    if fill_mode == "mirror":  # d c b | a b c d | c b a
        if n == 1:
            return array_ops.zeros_like(i)
        period = 2.0 * (n - 1)
        i = math_ops.abs(i)
        i = i - period * math_ops.floor(i / period)
        return array_ops.where(i > float(n - 1), period - i, i)
    # reflect, as Keras 3 on TensorFlow computes it: |i| mod 2n, folded back at n (n -> n - 1)
    period = 2.0 * n
    i = math_ops.abs(i)
    i = i - period * math_ops.floor(i / period)
    return array_ops.where(i < float(n), i, period - i - 1.0)


def _map_coordinates(images, ys, xs, order: int, fill_mode: str, fill_value):
    """Samples NHWC `images` at the coordinates ys, xs ([b, h, w]) like keras.ops.image.map_coordinates
    (order 0: nearest, 1: linear; each neighbour index is fixed by `fill_mode`)."""
    shape = array_ops.shape(images)
    b, c = shape[0], images.shape[-1]
    h, w = images.shape[1], images.shape[2]
    flat = array_ops.reshape(images, [-1, c])
    base = array_ops.reshape(array_ops.range(b) * (h * w), [-1, 1, 1])
    fill = math_ops.cast(fill_value, images.dtype)

    def read(yi, xi):
        vals = array_ops.gather(flat, base + math_ops.cast(_fix_index(yi, h, fill_mode), dtypes.int32) * w +
                                math_ops.cast(_fix_index(xi, w, fill_mode), dtypes.int32))
        if fill_mode != "constant":
            return vals
        valid = math_ops.logical_and(math_ops.logical_and(yi >= 0.0, yi <= float(h - 1)),
                                     math_ops.logical_and(xi >= 0.0, xi <= float(w - 1)))
        return array_ops.where(array_ops.expand_dims(valid, -1), vals, array_ops.zeros_like(vals) + fill)

    if order == 0:
        return read(math_ops.round(ys), math_ops.round(xs))
    y0, x0 = math_ops.floor(ys), math_ops.floor(xs)
    wy, wx = array_ops.expand_dims(ys - y0, -1), array_ops.expand_dims(xs - x0, -1)
    top = (1.0 - wx) * read(y0, x0) + wx * read(y0, x0 + 1.0)
    bottom = (1.0 - wx) * read(y0 + 1.0, x0) + wx * read(y0 + 1.0, x0 + 1.0)
    return (1.0 - wy) * top + wy * bottom


@keras_export("keras.layers.RandomElasticTransform")
class RandomElasticTransform(_SeededLayer):
    """Displaces each pixel by a smoothed (Gaussian-blurred) random field, with a probability drawn
    from `factor` (tf.keras.layers.RandomElasticTransform).

    With a distortion d drawn from `scale` per call, the displacement is alpha * blur(noise * sigma)
    with alpha = 0.1 d max(h, w) and sigma = 0.05 d min(h, w) (a Gaussian kernel of size
    6 int(sigma) | 1). As in Keras 3 on TensorFlow, the same noise displaces x and y.
    """

    _SUPPORTED_INTERPOLATION = ("nearest", "bilinear")
    _SUPPORTED_FILL_MODES = {"constant", "nearest", "wrap", "mirror", "reflect"}

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                 value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = _factor_pair(factor, (0, 1))
        self.scale = _factor_pair(scale, (0, 1), "scale")
        self.interpolation = interpolation
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.value_range = value_range
        self.seed = seed
        if interpolation not in self._SUPPORTED_INTERPOLATION:
            raise NotImplementedError("Unknown `interpolation` %s. Expected of one %s."
                                      % (interpolation, self._SUPPORTED_INTERPOLATION))
        if fill_mode not in self._SUPPORTED_FILL_MODES:
            raise NotImplementedError("Unknown `fill_mode` %s. Expected of one %s."
                                      % (fill_mode, self._SUPPORTED_FILL_MODES))

    def _transform(self, images, training):
        dt = self.compute_dtype
        images = math_ops.cast(images, dt)
        if not training or self.scale[1] == 0 or self.factor[1] == 0:
            return images
        x = _channels_last(images, self.data_format)
        h, w = _static_hw(x, "RandomElasticTransform")
        b = _batch_size(x)
        prob = self._uniform([b], self.factor[0], self.factor[1])
        apply = array_ops.reshape(self._uniform([b], 0.0, 1.0) < prob, [-1, 1, 1, 1])
        d = self._uniform([], self.scale[0], self.scale[1], dt)
        alpha = float(max(h, w)) * 0.1 * d
        sigma = float(min(h, w)) * 0.05 * d
        # a Gaussian of the run-time size 6 int(sigma) | 1, zero-padded to the largest possible size
        half_max = 3 * int(min(h, w) * 0.05 * self.scale[1])
        half = math_ops.cast(3 * math_ops.cast(sigma, dtypes.int32), dt)
        pos = array_ops.range(-half_max, half_max + 1, dtype=dt)
        k = math_ops.exp(-0.5 * (pos / sigma) ** 2) * math_ops.cast(math_ops.abs(pos) <= half, dt)
        k = k / math_ops.reduce_sum(k)
        kernel = array_ops.reshape(k, [-1, 1]) * array_ops.reshape(k, [1, -1])
        noise = random_ops.random_normal([b, h, w, 1], dtype=dt, seed=self.seed) * sigma
        disp = alpha * _depthwise_same(noise, kernel, dt, 1)[..., 0]
        xs = array_ops.reshape(array_ops.range(w, dtype=dt), [1, 1, w]) + disp
        ys = array_ops.reshape(array_ops.range(h, dtype=dt), [1, h, 1]) + disp
        out = _map_coordinates(x, ys, xs, 0 if self.interpolation == "nearest" else 1, self.fill_mode,
                               self.fill_value)
        out = array_ops.where(apply, _from_channels_last(out, self.data_format), images)
        return math_ops.cast(math_ops.clip_by_value(out, math_ops.cast(self.value_range[0], dt),
                                                    math_ops.cast(self.value_range[1], dt)), dt)

    def _config(self):
        return dict(factor=self.factor, scale=self.scale, interpolation=self.interpolation,
                    fill_mode=self.fill_mode, fill_value=self.fill_value, value_range=self.value_range)


# ---------------------------------------------------------------- AugMix and RandAugment
def _augment_layers(layer, factor, value_range, interpolation, seed, data_format, all_ops, kwargs):
    """The sub-layers AugMix and RandAugment draw from (Keras 3's lists and arguments)."""
    from .image_preprocessing import RandomTranslation
    from .preprocessing import RandomRotation
    common = dict(seed=seed, data_format=data_format, **kwargs)
    out = {
        "random_shear": RandomShear(x_factor=factor, y_factor=factor, interpolation=interpolation, **common),
        "random_translation": RandomTranslation(height_factor=factor, width_factor=factor,
                                                interpolation=interpolation, **common),
        "random_rotation": RandomRotation(factor=factor, interpolation=interpolation, **common),
    }
    if all_ops:
        out.update(
            random_brightness=RandomBrightness(factor=factor, value_range=value_range, **common),
            random_color_degeneration=RandomColorDegeneration(factor=factor, value_range=value_range, **common),
            random_contrast=RandomContrast(factor=factor, value_range=value_range, **common),
            random_sharpness=RandomSharpness(factor=factor, value_range=value_range, **common))
    out.update(
        random_posterization=RandomPosterization(factor=max(1, int(8 * factor[1])), value_range=value_range,
                                                 **common),
        solarization=Solarization(addition_factor=factor, threshold_factor=factor, value_range=value_range, seed=seed,
                                  data_format=data_format, **kwargs),
        auto_contrast=AutoContrast(value_range=value_range, data_format=data_format, **kwargs),
        equalization=Equalization(value_range=value_range, data_format=data_format, **kwargs))
    for name, sub in out.items():
        setattr(layer, name, sub)
    return out


def _run_sublayer(sub, images):
    """One augmentation on a rank-4 batch, in training mode."""
    if isinstance(sub, BaseImageAugmentationLayer):
        out = sub._transform(images, True)
        return out[0] if isinstance(out, tuple) else out
    if isinstance(sub, (RandomBrightness, RandomContrast)):
        return sub._adjust(math_ops.cast(images, sub.compute_dtype), [_batch_size(images), 1, 1, 1])
    if images.shape[0] is None:  # RandomTranslation / RandomRotation need a static batch: one image at a time
        from ...graph.functional_ops import map_fn
        return map_fn(lambda im: sub.call(im, training=True), images, fn_output_signature=sub.compute_dtype)
    return sub.call(images, training=True)


@keras_export("keras.layers.AugMix")
class AugMix(_SeededLayer):
    """AugMix (tf.keras.layers.AugMix): `num_chains` chains of up to `chain_depth` random
    augmentations, mixed with Dirichlet(alpha) weights, then blended with the original image by a
    Beta(alpha, alpha) weight and clipped to `value_range`.

    As in Keras 3, the augmentations of each chain are chosen on the host (Python's random) at each
    call, so inside tf.function or Dataset.map they are fixed when the function is traced.
    """

    _AUGMENT_LAYERS_ALL = ["random_shear", "random_translation", "random_rotation", "random_posterization",
                           "solarization", "auto_contrast", "equalization", "random_brightness",
                           "random_color_degeneration", "random_contrast", "random_sharpness"]

    def __init__(self, value_range=(0, 255), num_chains=3, chain_depth=3, factor=0.3, alpha=1.0, all_ops=True,
                 interpolation="bilinear", seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.num_chains = num_chains
        self.chain_depth = chain_depth
        self.factor = _factor_pair(factor, (0, 1))
        self.alpha = alpha
        self.all_ops = all_ops
        self.interpolation = interpolation
        self.seed = seed
        import random as _py_random
        self._py_random = _py_random.Random(seed)
        self._augment_layers = self._AUGMENT_LAYERS_ALL if all_ops else self._AUGMENT_LAYERS_ALL[:7]
        self._subs = _augment_layers(self, self.factor, value_range, interpolation, seed, data_format, all_ops,
                                     kwargs)

    def _transform(self, images, training):
        dt = self.compute_dtype
        images = math_ops.cast(images, dt)
        if not training:
            return images
        g = random_ops.random_gamma([self.num_chains], float(self.alpha), dtype=dt, seed=self.seed)
        chain_w = g / math_ops.reduce_sum(g)
        mix = _beta([], float(self.alpha), self.seed, dt)
        aug = array_ops.zeros_like(images)
        with _BatchHint(images):
            aug = self._chains(images, aug, chain_w, dt)
        out = mix * images + (1.0 - mix) * aug
        return math_ops.clip_by_value(out, math_ops.cast(self.value_range[0], dt),
                                      math_ops.cast(self.value_range[1], dt))

    def _chains(self, images, aug, chain_w, dt):
        for idx in range(self.num_chains):
            x = images
            for _ in range(self.chain_depth):
                name = self._py_random.choice(self._augment_layers + [None])
                if name is not None:
                    x = math_ops.cast(_run_sublayer(self._subs[name], x), dt)
            aug = aug + x * chain_w[idx]
        return aug

    def get_config(self) -> dict:
        c = BaseImageAugmentationLayer.get_config(self)
        c.update(value_range=self.value_range, num_chains=self.num_chains, chain_depth=self.chain_depth,
                 factor=self.factor, alpha=self.alpha, all_ops=self.all_ops, interpolation=self.interpolation,
                 seed=self.seed)
        return c


@keras_export("keras.layers.RandAugment")
class RandAugment(_SeededLayer):
    """RandAugment (tf.keras.layers.RandAugment): applies `num_ops` augmentations, each chosen at
    random (per call, the same for the batch) among 11, with magnitudes from `factor`."""

    _AUGMENT_LAYERS = ["random_shear", "random_translation", "random_rotation", "random_brightness",
                       "random_color_degeneration", "random_contrast", "random_sharpness", "random_posterization",
                       "solarization", "auto_contrast", "equalization"]

    def __init__(self, value_range=(0, 255), num_ops=2, factor=0.5, interpolation="bilinear", seed=None,
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.num_ops = num_ops
        self.factor = _factor_pair(factor, (0, 1))
        self.interpolation = interpolation
        self.seed = seed
        self._subs = _augment_layers(self, self.factor, value_range, interpolation, seed, data_format, True, kwargs)

    def _transform(self, images, training):
        dt = self.compute_dtype
        images = math_ops.cast(images, dt)
        if not training:
            return images
        idxes = random_ops.random_uniform([self.num_ops], 0, len(self._AUGMENT_LAYERS), dtype=dtypes.int32,
                                          seed=self.seed)
        with _BatchHint(images):
            for i in range(self.num_ops):
                for idx, name in enumerate(self._AUGMENT_LAYERS):
                    out = math_ops.cast(_run_sublayer(self._subs[name], images), dt)
                    images = array_ops.where(math_ops.equal(idxes[i], idx), out, images)
        return images

    def get_config(self) -> dict:
        c = BaseImageAugmentationLayer.get_config(self)
        c.update(value_range=self.value_range, num_ops=self.num_ops, factor=self.factor,
                 interpolation=self.interpolation, seed=self.seed)
        return c


@keras_export("keras.layers.ContrastLimitedAdaptiveHistogramEqualization")
class ContrastLimitedAdaptiveHistogramEqualization(BaseImageAugmentationLayer):
    """Contrast-limited adaptive histogram equalisation (CLAHE), per channel
    (tf.keras.layers.ContrastLimitedAdaptiveHistogramEqualization).

    The image is split into `tile_grid_size` tiles (padded symmetrically to whole tiles); each tile's
    256-bin histogram is clipped at `clip_limit` * pixels / 256 (the excess spread evenly), and each
    pixel maps through the bilinear blend of its four nearest tiles' CDFs. Applied at training and
    inference time; the output keeps the input dtype (cast, as Keras does).
    """

    def __init__(self, value_range=(0, 255), clip_limit=4.0, tile_grid_size=(8, 8), data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.clip_limit = clip_limit
        self.tile_grid_size = tile_grid_size

    def _transform(self, images, training):
        original_dtype = images.dtype
        x = _channels_last(images, self.data_format)
        x = math_ops.cast(_rescale(x, self.value_range, (0, 255), dtypes.float32), dtypes.float32)
        x = self._clahe(x)
        x = _rescale(x, (0, 255), self.value_range, dtypes.float32)
        return _from_channels_last(math_ops.cast(x, original_dtype), self.data_format)

    def _clahe(self, images):
        _, height, width, channels = images.shape.as_list()
        if height is None or width is None or channels is None:
            raise ValueError("ContrastLimitedAdaptiveHistogramEqualization needs static image heights, widths and "
                             "channels; received %s" % (images.shape,))
        b = _batch_size(images)
        gh, gw = self.tile_grid_size
        th, tw = (height + gh - 1) // gh, (width + gw - 1) // gw
        ph, pw = th * gh - height, tw * gw - width
        padded = images
        if ph or pw:
            padded = array_ops.pad(images, [[0, 0], [0, ph], [0, pw], [0, 0]], mode="SYMMETRIC")
        hp, wp = th * gh, tw * gw
        pixels = math_ops.cast(math_ops.clip_by_value(math_ops.cast(padded, dtypes.int32), 0, 255), dtypes.int32)
        # per (image, tile row, tile col, channel) histograms: one bincount / segment sum of flat bins
        tile_y = array_ops.reshape(array_ops.range(hp) // th, [1, hp, 1, 1])
        tile_x = array_ops.reshape(array_ops.range(wp) // tw, [1, 1, wp, 1])
        chan = array_ops.reshape(array_ops.range(channels), [1, 1, 1, channels])
        per_image = gh * gw * channels * 256
        bidx = array_ops.reshape(array_ops.range(b), [-1, 1, 1, 1])
        ids = bidx * per_image + ((tile_y * gw + tile_x) * channels + chan) * 256 + pixels
        ids = array_ops.reshape(ids, [-1])
        hists = math_ops.unsorted_segment_sum(array_ops.ones_like(ids, dtypes.float32), ids, b * per_image)
        hists = array_ops.reshape(hists, [-1, gh, gw, channels, 256])
        if self.clip_limit > 0:
            limit = float(self.clip_limit * (th * tw) / 256.0)
            clipped = math_ops.clip_by_value(hists, 0.0, limit)
            hists = clipped + math_ops.reduce_sum(hists - clipped, axis=-1, keepdims=True) / 256.0
        cdf = math_ops.cumsum(hists, axis=-1)
        cdf_min = math_ops.reduce_min(cdf, axis=-1, keepdims=True)
        den = float(th * tw) - cdf_min
        den = array_ops.where(math_ops.equal(den, 0.0), array_ops.ones_like(den), den)
        cdf = math_ops.clip_by_value((cdf - cdf_min) * 255.0 / den, 0.0, 255.0)
        cdf = array_ops.concat([cdf[:, :1], cdf, cdf[:, -1:]], axis=1)
        cdf = array_ops.concat([cdf[:, :, :1], cdf, cdf[:, :, -1:]], axis=2)  # [b, gh + 2, gw + 2, c, 256]
        flat = array_ops.reshape(cdf, [-1])

        def grid(n, t, g):
            v = (array_ops.range(n, dtype=dtypes.float32) - t / 2.0) / t + 1.0
            v0 = math_ops.floor(v)
            i0 = math_ops.cast(math_ops.clip_by_value(v0, 0.0, g + 1.0), dtypes.int32)
            i1 = math_ops.cast(math_ops.clip_by_value(v0 + 1.0, 0.0, g + 1.0), dtypes.int32)
            return i0, i1, v - v0
        y0, y1, wy = grid(hp, th, gh)
        x0, x1, wx = grid(wp, tw, gw)
        sx = 256 * channels
        sy = sx * (gw + 2)
        sb = sy * (gh + 2)
        base = bidx * sb + chan * 256 + pixels
        y0, y1 = array_ops.reshape(y0 * sy, [1, -1, 1, 1]), array_ops.reshape(y1 * sy, [1, -1, 1, 1])
        x0, x1 = array_ops.reshape(x0 * sx, [1, 1, -1, 1]), array_ops.reshape(x1 * sx, [1, 1, -1, 1])
        wy, wx = array_ops.reshape(wy, [1, -1, 1, 1]), array_ops.reshape(wx, [1, 1, -1, 1])
        top = array_ops.gather(flat, base + y0 + x0) * (1.0 - wx) + array_ops.gather(flat, base + y0 + x1) * wx
        bottom = array_ops.gather(flat, base + y1 + x0) * (1.0 - wx) + array_ops.gather(flat, base + y1 + x1) * wx
        return (top * (1.0 - wy) + bottom * wy)[:, :height, :width, :]

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(value_range=self.value_range, clip_limit=self.clip_limit, tile_grid_size=self.tile_grid_size,
                 data_format=self.data_format)
        return c


# ---------------------------------------------------------------- bounding boxes and pipelines
@keras_export("keras.layers.MaxNumBoundingBoxes")
class MaxNumBoundingBoxes(BaseImageAugmentationLayer):
    """Pads (with `fill_value`) or truncates the bounding boxes of a batch to `max_number` boxes per
    image (tf.keras.layers.MaxNumBoundingBoxes). Images and labels pass through."""


    def __init__(self, max_number, fill_value=-1, **kwargs):
        super().__init__(**kwargs)
        self.max_number = int(max_number)
        self.fill_value = int(fill_value)

    def _transform(self, images, training):
        return images

    def _transform_boxes(self, bounding_boxes, transformation):
        from ...framework.convert import convert_to_tensor
        boxes = convert_to_tensor(bounding_boxes["boxes"])
        labels = convert_to_tensor(bounding_boxes["labels"])
        unbatched = boxes.shape.rank == 2
        if unbatched:
            boxes, labels = boxes[None], labels[None]
        n = array_ops.shape(boxes)[1]
        pad = math_ops.maximum(self.max_number - n, 0)
        boxes = array_ops.pad(boxes[:, :self.max_number], [[0, 0], [0, pad], [0, 0]],
                              constant_values=math_ops.cast(self.fill_value, boxes.dtype))
        labels = array_ops.pad(labels[:, :self.max_number], [[0, 0], [0, pad]],
                               constant_values=math_ops.cast(self.fill_value, labels.dtype))
        boxes = array_ops.reshape(boxes, [-1, self.max_number, 4])
        labels = array_ops.reshape(labels, [-1, self.max_number])
        out = dict(bounding_boxes)
        out["boxes"], out["labels"] = (boxes[0], labels[0]) if unbatched else (boxes, labels)
        return out

    def get_config(self) -> dict:
        c = super().get_config()
        c["max_number"] = self.max_number
        return c


@keras_export("keras.layers.Pipeline")
class Pipeline(Layer):
    """Applies a list of layers in sequence, passing `training` to those that take it
    (tf.keras.layers.Pipeline); unlike Sequential it is not a model and accepts dict inputs."""

    def __init__(self, layers, name=None):
        super().__init__(name=name)
        self._pipeline_layers = layers

    @property
    def layers(self) -> list:
        return self._pipeline_layers

    def call(self, inputs, training=True):
        outputs = inputs
        for layer in self._pipeline_layers:
            kwargs = {}
            if getattr(layer, "_call_has_training", False) and training is not None:
                kwargs["training"] = training
            outputs = layer(outputs, **kwargs)
        return outputs

    def _call_and_build(self, inputs, args, kwargs):
        from .layer import _call_context
        if kwargs.get("training") is None and getattr(_call_context, "training", None) is None:
            kwargs = dict(kwargs, training=True)
        return super()._call_and_build(inputs, args, kwargs)

    def compute_output_shape(self, input_shape):
        for layer in self._pipeline_layers:
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape

    def get_config(self) -> dict:
        from ..saving import serialize_keras_object
        return {"layers": [serialize_keras_object(layer) for layer in self._pipeline_layers], "name": self.name}

    @classmethod
    def from_config(cls, config):
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError("`Pipeline` config must contain a `layers` key mapping to a list of serialized layers. "
                             "Received config with layers=%s." % (layers,))
        from ..saving import deserialize_keras_object
        config = dict(config)
        config["layers"] = [deserialize_keras_object(x) for x in layers]
        return cls(**config)


__all__ = ["AugMix", "AutoContrast", "ContrastLimitedAdaptiveHistogramEqualization", "CutMix", "Equalization",
           "MaxNumBoundingBoxes", "MixUp", "Pipeline", "RandAugment", "RandomColorDegeneration",
           "RandomColorJitter", "RandomElasticTransform", "RandomErasing", "RandomGaussianBlur",
           "RandomGrayscale", "RandomHue", "RandomInvert", "RandomPerspective", "RandomPosterization",
           "RandomSaturation", "RandomSharpness", "RandomShear", "Solarization"]
