"""Preprocessing layers: Normalization, Resizing, RandomFlip, RandomRotation, CategoryEncoding,
StringLookup, IntegerLookup and TextVectorization, with Keras 3's configs and behaviour.

Vocabularies and statistics are learned by `adapt` on the host (eagerly); the layers' calls are
built from tensorforge ops, so they also run inside tf.function and functional models. Lookups
binary-search a sorted copy of the vocabulary (tf.searchsorted) instead of using a hash table.
"""
from __future__ import annotations

import math

import numpy as np

from ... import ops as _ops  # noqa: F401 - registers ops
from ...framework import dtypes
from ...framework.convert import convert_to_tensor, is_tensor
from ...framework.tensor import Tensor
from ...framework.tensor_shape import TensorShape
from ...ops import array_ops, image_ops, math_ops, random_ops
from .._registry import keras_export
from .layer import Layer, _call_context, functional_graph_of

_EPSILON = 1e-7
_PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'


def _as_numpy(data):
    """Host-side copy of eager data (numpy arrays, tensors, lists) for adapt()."""
    if is_tensor(data):
        return np.asarray(data)
    return np.asarray(data)


def _batches(data, lists_are_batches=False):
    """The batches of `data` for adapt(): one array, or the items of a dataset / iterable
    (the first element of (x, y) tuples). Normalization treats a list as a list of batches, the
    lookup layers as data (as Keras 3 does)."""
    if isinstance(data, np.ndarray) or is_tensor(data) or (
            isinstance(data, (list, tuple)) and not lists_are_batches):
        return [data], False
    if hasattr(data, "__iter__"):
        def gen():
            for b in data:
                yield b[0] if isinstance(b, tuple) else b
        return gen(), True
    raise TypeError("Unsupported data type: %s. `adapt` supports `np.ndarray`, tensors, datasets and iterables of "
                    "batches (e.g. list, generator)." % type(data))


def _static_reshape_dims(shape: list, what: str) -> list:
    """A reshape target for a tensor of static `shape` (at most one unknown dimension)."""
    unknown = [i for i, d in enumerate(shape) if d is None]
    if len(unknown) > 1:
        raise ValueError("%s needs at most one unknown dimension in its input; got shape %s" % (what, shape))
    return [-1 if d is None else d for d in shape]


class _TrainingDefaultTrue:
    """Keras 3 random augmentation layers default to training=True when called directly (the
    base Layer otherwise resolves a missing `training` to False)."""

    def _call_and_build(self, inputs, args, kwargs):
        if kwargs.get("training") is None and getattr(_call_context, "training", None) is None:
            kwargs = dict(kwargs, training=True)
        return super()._call_and_build(inputs, args, kwargs)


def _image_data_format(data_format):
    data_format = data_format or "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', 'channels_last'}. Received: "
                         "data_format=%s" % (data_format,))
    return data_format


def _to_channels_last(images, data_format):
    if data_format == "channels_first":
        perm = [0, 2, 3, 1] if images.shape.rank == 4 else [1, 2, 0]
        return array_ops.transpose(images, perm)
    return images


def _from_channels_last(images, data_format):
    if data_format == "channels_first":
        perm = [0, 3, 1, 2] if images.shape.rank == 4 else [2, 0, 1]
        return array_ops.transpose(images, perm)
    return images


# ---------------------------------------------------------------- Normalization
@keras_export("keras.layers.Normalization")
class Normalization(Layer):
    """Shifts and scales inputs to mean 0 and variance 1 per feature: (x - mean) / sqrt(var)
    (tf.keras.layers.Normalization).

    `mean` and `variance` are given, or learned from data by `adapt(data)`. `axis` names the
    axes that keep separate statistics (default the last); `invert=True` undoes the scaling.

    Example:

    >>> layer = tf.keras.layers.Normalization()
    >>> layer.adapt(np.array([[1.0, 2.0], [3.0, 6.0]]))
    >>> layer(np.array([[1.0, 2.0]])).numpy()
    array([[-1., -1.]], dtype=float32)
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True
        self._build_input_shape = None
        self.mean = None
        self.variance = None
        if (mean is not None) != (variance is not None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be set. Received: mean=%s "
                             "and variance=%s" % (mean, variance))
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError("When setting values directly, `mean` and `variance` must have the same shape. "
                                 "Received: mean shape %s and variance shape %s" % (np.shape(mean), np.shape(variance)))
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError("The rank of `mean` must be less than or equal to the number of axes (%d). Received: "
                                 "mean shape %s for axis %s" % (len(self.axis), np.shape(mean), self.axis))

    def build(self, input_shape):
        if input_shape is None:
            return
        dims = list(TensorShape(input_shape).as_list())
        ndim = len(dims)
        self._build_input_shape = tuple(dims)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError("All `axis` values must be in the range [-ndim, ndim). Received inputs with ndim=%d, "
                             "while axis=%s" % (ndim, self.axis))
        self._keep_axis = tuple(sorted(a if a >= 0 else a + ndim for a in self.axis))
        for d in self._keep_axis:
            if dims[d] is None:
                raise ValueError("All `axis` values to be kept must have a known shape. Received axis=%s, "
                                 "inputs.shape=%s, with unknown axis at index %d" % (self.axis, tuple(dims), d))
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = [dims[d] if d in self._keep_axis else 1 for d in range(ndim)]
        self._mean_and_var_shape = tuple(dims[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=self._mean_and_var_shape, initializer="zeros",
                                              trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=self._mean_and_var_shape,
                                                  initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int64", initializer="zeros", trainable=False)
        else:
            mean = np.asarray(self.input_mean, dtype=self.compute_dtype.as_numpy_dtype)
            variance = np.asarray(self.input_variance, dtype=self.compute_dtype.as_numpy_dtype)
            if mean.ndim:
                expanded = [1] * ndim
                for i in range(1, mean.ndim + 1):
                    expanded[self._keep_axis[-i]] = mean.shape[-i]
                mean, variance = mean.reshape(expanded), variance.reshape(expanded)
            self.mean = np.broadcast_to(mean, self._broadcast_shape).copy()
            self.variance = np.broadcast_to(variance, self._broadcast_shape).copy()
        self.built = True

    def adapt(self, data) -> None:
        """Computes the mean and variance of `data` (an array, a tensor, or an iterable of batches)."""
        batches, streaming = _batches(data, lists_are_batches=True)
        batches = iter(batches)
        first = next(batches, None)
        if first is None:
            raise ValueError("adapt() received an empty iterable (no batches). Expected at least one batch.")
        first = _as_numpy(first)
        if not self.built:
            self.build(first.shape)
        else:
            for d in self._keep_axis:
                if first.shape[d] != self._build_input_shape[d]:
                    raise ValueError("The layer was built with input_shape=%s, but adapt() is being called with data "
                                     "with an incompatible shape, data.shape=%s" % (self._build_input_shape,
                                                                                     first.shape))
        total_mean = total_var = None
        total_count = 0
        for batch in [first] + [_as_numpy(b) for b in batches]:
            batch = batch.astype(np.float64)
            mean = batch.mean(axis=self._reduce_axis)
            var = batch.var(axis=self._reduce_axis)
            count = int(np.prod([batch.shape[d] for d in self._reduce_axis])) if self._reduce_axis else 1
            if total_mean is None:
                total_mean, total_var, total_count = mean, var, count
                continue
            total_count += count
            w = count / total_count
            new_mean = total_mean * (1.0 - w) + mean * w
            total_var = (total_var + (total_mean - new_mean) ** 2) * (1.0 - w) + (var + (mean - new_mean) ** 2) * w
            total_mean = new_mean
        if self.input_mean is not None:
            return
        dt = self.compute_dtype.as_numpy_dtype
        self.adapt_mean.assign(np.asarray(total_mean, dt).reshape(self._mean_and_var_shape))
        self.adapt_variance.assign(np.asarray(total_var, dt).reshape(self._mean_and_var_shape))

    def finalize_state(self) -> None:
        """Kept for Keras compatibility: the statistics are read from the weights on every call."""

    def _stats(self):
        if self.input_mean is not None:
            return convert_to_tensor(self.mean), convert_to_tensor(self.variance)
        return (array_ops.reshape(self.adapt_mean, self._broadcast_shape),
                array_ops.reshape(self.adapt_variance, self._broadcast_shape))

    def call(self, inputs):
        if not self.built:
            raise ValueError("You must call `.build(input_shape)` on the layer before using it.")
        x = inputs if inputs.dtype == self.compute_dtype else math_ops.cast(inputs, self.compute_dtype)
        mean, variance = self._stats()
        scale = math_ops.maximum(math_ops.sqrt(variance), _EPSILON)
        if self.invert:
            return mean + x * scale
        return (x - mean) / scale

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(axis=self.axis, invert=self.invert, mean=np.array(self.input_mean).tolist(),
                 variance=np.array(self.input_variance).tolist())
        return c

    def get_build_config(self):
        if self._build_input_shape:
            return {"input_shape": self._build_input_shape}
        return None

    def build_from_config(self, config):
        if config and not self.built:
            self.build(config["input_shape"])


# ---------------------------------------------------------------- image layers
@keras_export("keras.layers.Resizing")
class Resizing(Layer):
    """Resizes images to (height, width) (tf.keras.layers.Resizing).

    Optionally crops (`crop_to_aspect_ratio`) or pads (`pad_to_aspect_ratio`, with
    `fill_value`) the images to the target aspect ratio first, as Keras 3 does.

    Example:

    >>> tf.keras.layers.Resizing(4, 6)(tf.zeros([2, 8, 8, 3])).shape
    TensorShape([2, 4, 6, 3])
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False, pad_to_aspect_ratio=False,
                 fill_mode="constant", fill_value=0.0, antialias=False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if pad_to_aspect_ratio and crop_to_aspect_ratio:
            raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`.")
        if fill_mode != "constant":
            raise ValueError("Invalid value for argument `fill_mode`. Only `'constant'` is supported. Received: "
                             "fill_mode=%s" % (fill_mode,))
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.data_format = _image_data_format(data_format)
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def call(self, inputs):
        images = _to_channels_last(inputs, self.data_format)
        if images.shape.rank not in (3, 4):
            raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). "
                             "Received input with shape: images.shape=%s" % (inputs.shape,))
        in_dtype = images.dtype
        if in_dtype.is_floating and in_dtype != self.compute_dtype:
            images = math_ops.cast(images, self.compute_dtype)
        h, w = images.shape[-3], images.shape[-2]
        th, tw = self.height, self.width
        if (self.crop_to_aspect_ratio or self.pad_to_aspect_ratio) and (h is None or w is None):
            raise ValueError("Resizing with crop_to_aspect_ratio/pad_to_aspect_ratio needs static image sizes; got "
                             "%s" % (inputs.shape,))
        if self.crop_to_aspect_ratio:
            ch = max(min(h, int(np.float32(w * th) / np.float32(tw))), 1)
            cw = max(min(w, int(np.float32(h * tw) / np.float32(th))), 1)
            hs, ws = int(np.float32(h - ch) / 2), int(np.float32(w - cw) / 2)
            images = images[..., hs:hs + ch, ws:ws + cw, :]
        elif self.pad_to_aspect_ratio:
            ph = max(h, int(np.float32(w * th) / np.float32(tw)))
            pw = max(w, int(np.float32(h * tw) / np.float32(th)))
            hs, ws = int(np.float32(ph - h) / 2), int(np.float32(pw - w) / 2)
            pads = [[0, 0]] * (images.shape.rank - 3) + [[hs, hs], [ws, ws], [0, 0]]
            if hs > 0 or ws > 0:
                images = array_ops.pad(images, pads, constant_values=self.fill_value)
        resized = image_ops.resize(images, (th, tw), method=self.interpolation, antialias=self.antialias)
        if resized.dtype != in_dtype:
            if in_dtype.is_integer:
                resized = math_ops.saturate_cast(math_ops.round(resized), in_dtype)
            elif in_dtype.is_floating and resized.dtype != self.compute_dtype:
                resized = math_ops.cast(resized, self.compute_dtype)
        return _from_channels_last(resized, self.data_format)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        if self.data_format == "channels_last":
            shape[-3], shape[-2] = self.height, self.width
        else:
            shape[-2], shape[-1] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(data_format=self.data_format, height=self.height, width=self.width, interpolation=self.interpolation,
                 crop_to_aspect_ratio=self.crop_to_aspect_ratio, pad_to_aspect_ratio=self.pad_to_aspect_ratio,
                 fill_mode=self.fill_mode, fill_value=self.fill_value, antialias=self.antialias)
        return c


def _symbolic_unknown_batch(images) -> bool:
    """True while a Keras functional model is being built with an unknown batch size: random
    augmentation needs the batch size, and the staged ops only serve shape inference there."""
    return images.shape[0] is None and functional_graph_of(images) is not None


@keras_export("keras.layers.RandomFlip")
class RandomFlip(_TrainingDefaultTrue, Layer):
    """Randomly flips images horizontally and/or vertically during training (tf.keras.layers.RandomFlip).

    Each image is flipped with probability 1/2; with "horizontal_and_vertical" the same draw
    flips it both ways, as in Keras 3.
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
            raise ValueError("RandomFlip layer %s received an unknown mode argument %s" % (self.name, mode))
        self.mode = mode
        self.seed = seed
        self.data_format = _image_data_format(data_format)

    def call(self, inputs, training=True):
        images = inputs if inputs.dtype == self.compute_dtype else math_ops.cast(inputs, self.compute_dtype)
        if not training:
            return images
        unbatched = images.shape.rank == 3
        if unbatched:
            images = array_ops.expand_dims(images, 0)
        if _symbolic_unknown_batch(images):
            return images[0] if unbatched else images
        flips = math_ops.less_equal(random_ops.random_uniform([images.shape[0], 1, 1, 1], seed=self.seed), 0.5)
        h_axis, v_axis = (2, 1) if self.data_format == "channels_last" else (3, 2)
        out = images
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            out = array_ops.where(flips, array_ops.reverse(out, [h_axis]), out)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            out = array_ops.where(flips, array_ops.reverse(out, [v_axis]), out)
        return out[0] if unbatched else out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(data_format=self.data_format, seed=self.seed, mode=self.mode)
        return c


def _trunc_div(x, d):
    """trunc(x / d) for x >= 0 (as C's static_cast<int>)."""
    return math_ops.floor(x / d)


def _map_coordinate(c, length: int, fill_mode: str):
    """TF's ImageProjectiveTransformV3 coordinate mapping for one axis."""
    if fill_mode == "constant":
        return c
    if length <= 1:
        return array_ops.zeros_like(c)
    hi = float(length - 1)
    if fill_mode == "reflect":
        sz2 = 2.0 * length
        neg = array_ops.where(c < -sz2, sz2 * _trunc_div(-c, sz2) + c, c)
        neg = array_ops.where(neg < -float(length), neg + sz2, -neg - 1.0)
        pos = c - sz2 * _trunc_div(array_ops.where(c > 0, c, array_ops.zeros_like(c)), sz2)
        pos = array_ops.where(pos >= float(length), sz2 - pos - 1.0, pos)
        c = array_ops.where(c < 0, neg, array_ops.where(c > hi, pos, c))
    elif fill_mode == "wrap":
        sz = float(length - 1)
        neg = c + float(length) * (_trunc_div(-c, sz) + 1.0)
        pos = c - float(length) * _trunc_div(array_ops.where(c > 0, c, array_ops.zeros_like(c)), sz)
        c = array_ops.where(c < 0, neg, array_ops.where(c > hi, pos, c))
    return math_ops.clip_by_value(c, 0.0, hi)


def _rotate_images(images, angles, fill_mode="reflect", interpolation="bilinear", fill_value=0.0):
    """Rotates NHWC `images` by `angles` (radians, one per image) about their centres, sampling like
    TF's ImageProjectiveTransformV3 (Keras 3's RandomRotation transform)."""
    b, h, w, c = images.shape.as_list()
    dt = images.dtype
    cx, cy = 0.5 * (w - 1), 0.5 * (h - 1)
    cos = array_ops.reshape(math_ops.cos(angles), [b, 1, 1])
    sin = array_ops.reshape(math_ops.sin(angles), [b, 1, 1])
    xs = convert_to_tensor(np.arange(w, dtype=dt.as_numpy_dtype).reshape(1, 1, w))
    ys = convert_to_tensor(np.arange(h, dtype=dt.as_numpy_dtype).reshape(1, h, 1))
    # The output pixel (x, y) samples the input at M (x, y, 1) with M the rotation about the centre.
    in_x = cos * (xs - cx) - sin * (ys - cy) + cx
    in_y = sin * (xs - cx) + cos * (ys - cy) + cy
    return _sample_images(images, in_x, in_y, fill_mode, interpolation, fill_value)


def _affine_images(images, scale_x, offset_x, scale_y, offset_y, fill_mode="reflect", interpolation="bilinear",
                   fill_value=0.0):
    """Samples NHWC `images` at (scale_x * x + offset_x, scale_y * y + offset_y) for each output pixel
    (x, y): TF's ImageProjectiveTransformV3 with transform [sx, 0, ox, 0, sy, oy, 0, 0]. The scales
    and offsets are [batch, 1, 1] tensors (or numbers)."""
    _, h, w, _ = images.shape.as_list()
    dt = images.dtype
    xs = convert_to_tensor(np.arange(w, dtype=dt.as_numpy_dtype).reshape(1, 1, w))
    ys = convert_to_tensor(np.arange(h, dtype=dt.as_numpy_dtype).reshape(1, h, 1))
    in_x = scale_x * xs + offset_x + array_ops.zeros_like(ys)
    in_y = scale_y * ys + offset_y + array_ops.zeros_like(xs)
    return _sample_images(images, in_x, in_y, fill_mode, interpolation, fill_value)


def _sample_images(images, in_x, in_y, fill_mode, interpolation, fill_value):
    """Reads NHWC `images` at the input coordinates in_x, in_y ([batch, h, w]) of each output pixel,
    with ImageProjectiveTransformV3's fill modes and nearest/bilinear interpolation."""
    b, h, w, c = images.shape.as_list()
    dt = images.dtype
    x = _map_coordinate(in_x, w, fill_mode)
    y = _map_coordinate(in_y, h, fill_mode)
    flat = array_ops.reshape(images, [b * h * w, c])
    base = convert_to_tensor(np.arange(b, dtype=np.int32).reshape(b, 1, 1) * (h * w))
    fill = math_ops.cast(fill_value, dt)

    def read(yi, xi):
        valid = math_ops.logical_and(math_ops.logical_and(yi >= 0.0, yi <= float(h - 1)),
                                     math_ops.logical_and(xi >= 0.0, xi <= float(w - 1)))
        yc = math_ops.cast(math_ops.clip_by_value(yi, 0.0, float(h - 1)), dtypes.int32)
        xc = math_ops.cast(math_ops.clip_by_value(xi, 0.0, float(w - 1)), dtypes.int32)
        vals = array_ops.gather(flat, base + yc * w + xc)
        return array_ops.where(array_ops.expand_dims(valid, -1), vals, array_ops.zeros_like(vals) + fill)

    if interpolation == "nearest":
        def rnd(v):  # std::round: halves away from zero
            return math_ops.sign(v) * math_ops.floor(math_ops.abs(v) + 0.5)
        return read(rnd(y), rnd(x))
    x0, y0 = math_ops.floor(x), math_ops.floor(y)
    x1, y1 = x0 + 1.0, y0 + 1.0
    wx0, wx1 = array_ops.expand_dims(x1 - x, -1), array_ops.expand_dims(x - x0, -1)
    wy0, wy1 = array_ops.expand_dims(y1 - y, -1), array_ops.expand_dims(y - y0, -1)
    top = wx0 * read(y0, x0) + wx1 * read(y0, x1)
    bottom = wx0 * read(y1, x0) + wx1 * read(y1, x1)
    return wy0 * top + wy1 * bottom


def _factor_range(factor, bounds=(-1, 1)):
    msg = ("The `factor` argument should be a number (or a list of two numbers) in the range [%s, %s]. Received: "
           "factor=%s" % (bounds[0], bounds[1], factor))
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(msg)
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)):
        if factor < bounds[0] or factor > bounds[1]:
            raise ValueError(msg)
        factor = abs(factor)
        return (max(-factor, bounds[0]), factor)
    raise ValueError(msg)


@keras_export("keras.layers.RandomRotation")
class RandomRotation(_TrainingDefaultTrue, Layer):
    """Randomly rotates images during training (tf.keras.layers.RandomRotation).

    `factor` is a fraction of a full turn: 0.2 rotates each image by a random angle in
    [-72, 72] degrees; a pair (lo, hi) gives the range. Points outside the image are filled by
    `fill_mode` ("reflect", "wrap", "constant" with `fill_value`, "nearest").
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.factor = _factor_range(factor)
        if fill_mode not in ("reflect", "wrap", "constant", "nearest"):
            raise NotImplementedError("Unknown `fill_mode` %s. Expected of one ('reflect', 'wrap', 'constant', "
                                      "'nearest')." % (fill_mode,))
        if interpolation not in ("nearest", "bilinear"):
            raise NotImplementedError("Unknown `interpolation` %s. Expected of one ('nearest', 'bilinear')."
                                      % (interpolation,))
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.seed = seed
        self.fill_value = fill_value
        self.data_format = _image_data_format(data_format)

    def call(self, inputs, training=True):
        images = inputs if inputs.dtype == self.compute_dtype else math_ops.cast(inputs, self.compute_dtype)
        if not training:
            return images
        unbatched = images.shape.rank == 3
        if unbatched:
            images = array_ops.expand_dims(images, 0)
        if _symbolic_unknown_batch(images):
            return images[0] if unbatched else images
        images = _to_channels_last(images, self.data_format)
        if None in images.shape.as_list():
            raise ValueError("RandomRotation needs static image shapes; received %s" % (inputs.shape,))
        lo, hi = self.factor[0] * 2.0 * math.pi, self.factor[1] * 2.0 * math.pi
        angles = random_ops.random_uniform([images.shape[0]], minval=lo, maxval=hi, seed=self.seed,
                                           dtype=images.dtype)
        out = _rotate_images(images, angles, self.fill_mode, self.interpolation, self.fill_value)
        out = _from_channels_last(out, self.data_format)
        return out[0] if unbatched else out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(data_format=self.data_format, factor=self.factor, fill_mode=self.fill_mode,
                 fill_value=self.fill_value, interpolation=self.interpolation, seed=self.seed)
        return c


# ---------------------------------------------------------------- categorical encoding
def _encode_categorical(inputs, output_mode, depth, dtype, count_weights=None):
    """Keras's encode_categorical_inputs: one_hot / multi_hot / count over `depth` tokens
    (indices outside [0, depth) are ignored)."""
    if output_mode == "int":
        return math_ops.cast(inputs, dtype)
    x = inputs
    if x.shape.rank == 0:
        x = array_ops.expand_dims(x, -1)
    if output_mode == "one_hot":
        if x.shape.rank > 1 and x.shape[-1] == 1:
            x = array_ops.squeeze(x, [-1])
        return array_ops.one_hot(x, depth, dtype=dtype)
    if not x.dtype.is_integer:
        x = math_ops.cast(x, dtypes.int64)
    if x.shape.rank <= 2:
        keep = math_ops.logical_and(x >= 0, x < depth)
        safe = array_ops.where(keep, x, array_ops.zeros_like(x) + depth)  # out of range: dropped by maxlength
        if count_weights is not None:
            weights = array_ops.where(keep, math_ops.cast(count_weights, dtype), array_ops.zeros_like(
                math_ops.cast(count_weights, dtype)))
            counts = math_ops.bincount(safe, weights=weights, minlength=depth, maxlength=depth,
                                       axis=-1 if x.shape.rank == 2 else 0)
        else:
            counts = math_ops.bincount(safe, minlength=depth, maxlength=depth, dtype=dtypes.int64,
                                       axis=-1 if x.shape.rank == 2 else 0,
                                       binary_output=output_mode == "multi_hot")
        counts = array_ops.reshape(counts, [-1, depth] if x.shape.rank == 2 else [depth])
        return math_ops.cast(counts, dtype)
    hot = array_ops.one_hot(x, depth, dtype=dtype)
    if count_weights is not None:
        hot = hot * array_ops.expand_dims(math_ops.cast(count_weights, dtype), -1)
    # Keras 3 reduces rank > 2 inputs over axis 1 (not the last input axis).
    if output_mode == "multi_hot":
        return math_ops.reduce_max(hot, axis=1)
    return math_ops.reduce_sum(hot, axis=1)


@keras_export("keras.layers.CategoryEncoding")
class CategoryEncoding(Layer):
    """Encodes integer features as one-hot, multi-hot or count vectors over `num_tokens`
    (tf.keras.layers.CategoryEncoding).

    Example:

    >>> tf.keras.layers.CategoryEncoding(4, output_mode="count")([[0, 1], [3, 3]]).numpy()
    array([[1., 1., 0., 0.],
           [0., 0., 0., 2.]], dtype=float32)
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError("Unknown arg for output_mode: %s" % (output_mode,))
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of tokens is not known "
                             "beforehand, use the IntegerLookup layer instead.")
        if num_tokens < 1:
            raise ValueError("`num_tokens` must be >= 1. Received: num_tokens=%s." % (num_tokens,))
        if sparse:
            raise ValueError("CategoryEncoding(sparse=True) is not supported by tensorforge; use sparse=False.")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse

    def _call_and_build(self, inputs, args, kwargs):
        if not is_tensor(inputs) and not isinstance(inputs, (list, tuple, dict)):
            inputs = convert_to_tensor(inputs)
        elif isinstance(inputs, (list, tuple)):
            inputs = convert_to_tensor(inputs)
        return super()._call_and_build(inputs, (inputs,) + tuple(args[1:]), kwargs)

    def call(self, inputs, count_weights=None):
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError("`count_weights` is not used when `output_mode` is not `'count'`. Received "
                                 "`count_weights=%s`." % (count_weights,))
            count_weights = convert_to_tensor(count_weights, dtype=self.compute_dtype)
        return _encode_categorical(inputs, self.output_mode, self.num_tokens, self.compute_dtype, count_weights)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if not input_shape:
            return (self.num_tokens,)
        if self.output_mode == "one_hot" and (input_shape[-1] != 1 or len(input_shape) == 1):
            return input_shape + (self.num_tokens,)
        return input_shape[:-1] + (self.num_tokens,)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(num_tokens=self.num_tokens, output_mode=self.output_mode)
        return c


@keras_export("keras.layers.Hashing")
class Hashing(Layer):
    """Hashes categorical features into `num_bins` bins (tf.keras.layers.Hashing).

    Strings (and numbers, through their decimal strings, as Keras does) are hashed with
    FarmHash Fingerprint64 (`tf.strings.to_hash_bucket_fast`), or with SipHash-2-4 keyed by
    `salt` (`tf.strings.to_hash_bucket_strong`). With `mask_value`, bin 0 is reserved for it.

    Example:

    >>> tf.keras.layers.Hashing(num_bins=3)([["A"], ["B"], ["C"], ["D"], ["E"]]).shape
    TensorShape([5, 1])
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False, **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else "float32"
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError("The `num_bins` for `Hashing` cannot be `None` or non-positive values. Received: "
                             "num_bins=%s." % (num_bins,))
        if output_mode == "int" and self._dtype.name not in ("int32", "int64"):
            raise ValueError("When `output_mode=\"int\"`, `dtype` should be an integer type, 'int32' or 'in64'. "
                             "Received: dtype=%s" % (kwargs["dtype"],))
        modes = ("int", "one_hot", "multi_hot", "count")
        if output_mode not in modes:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of %s. Received: output_mode=%s"
                             % (modes, output_mode))
        if sparse:
            raise ValueError("Hashing(sparse=True) is not supported by tensorforge; use sparse=False.")
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.strong_hash = salt is not None
        self.output_mode = output_mode
        self.sparse = sparse
        self.salt = None
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                self.salt = list(salt)
            elif isinstance(salt, int):
                self.salt = [salt, salt]
            else:
                raise ValueError("The `salt` argument for `Hashing` can only be a tuple of size 2 integers, or a "
                                 "single integer. Received: salt=%s." % (salt,))

    def _call_and_build(self, inputs, args, kwargs):
        if not is_tensor(inputs):
            inputs = convert_to_tensor(inputs)
        return super()._call_and_build(inputs, (inputs,) + tuple(args[1:]), kwargs)

    def _bins(self, values):
        from ...ops import string_ops
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = math_ops.equal(values, convert_to_tensor(self.mask_value, dtype=values.dtype))
        if values.dtype.is_floating:
            values = math_ops.cast(values, dtypes.int64)
        if values.dtype != dtypes.string:
            values = string_ops.as_string(values)
        if self.strong_hash:
            out = string_ops.to_hash_bucket_strong(values, bins, self.salt)
        else:
            out = string_ops.to_hash_bucket_fast(values, bins)
        if mask is not None:
            out = array_ops.where(mask, array_ops.zeros_like(out), out + 1)
        return out

    def call(self, inputs):
        x = inputs
        if self.output_mode == "one_hot" and x.shape.rank and x.shape[-1] == 1:
            x = array_ops.squeeze(x, [-1])
        return _encode_categorical(self._bins(x), self.output_mode, self.num_bins, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        if self.output_mode == "one_hot" and (not input_shape or input_shape[-1] != 1):
            return input_shape + (self.num_bins,)
        return input_shape[:-1] + (self.num_bins,)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(num_bins=self.num_bins, salt=self.salt, mask_value=self.mask_value, output_mode=self.output_mode,
                 sparse=self.sparse)
        return c


# ---------------------------------------------------------------- vocabulary lookups
def _lookup_sorted(x, keys: np.ndarray, values: np.ndarray, default):
    """Maps each element of `x` to values[i] where keys[i] equals it (keys sorted), else `default`
    (a scalar or a tensor shaped like x). Returns int64 of x's shape."""
    shape = x.shape.as_list()
    if len(keys) == 0:
        d = math_ops.cast(default, dtypes.int64)
        return array_ops.zeros_like(x, dtype=dtypes.int64) + d
    flat = array_ops.reshape(x, [1, -1])
    sorted_keys = convert_to_tensor(keys, dtype=x.dtype)
    pos = array_ops.searchsorted(array_ops.reshape(sorted_keys, [1, -1]), flat, out_type=dtypes.int64)
    pos = math_ops.minimum(pos, len(keys) - 1)
    found = math_ops.equal(array_ops.gather(sorted_keys, pos), flat)
    hit = array_ops.gather(convert_to_tensor(values, dtype=dtypes.int64), pos)
    if is_tensor(default):
        default = array_ops.reshape(math_ops.cast(default, dtypes.int64), [1, -1])
    else:
        default = array_ops.zeros_like(hit) + int(default)
    out = array_ops.where(found, hit, default)
    return array_ops.reshape(out, _static_reshape_dims(shape, "A vocabulary lookup"))


def _listify(x):
    if x is None:
        return None
    if is_tensor(x):
        x = np.asarray(x)
    if isinstance(x, np.ndarray):
        x = x.tolist()
    return [v.decode("utf-8") if isinstance(v, bytes) else v for v in x]


class _IndexLookup(Layer):
    """The shared machinery of StringLookup and IntegerLookup (Keras 3's IndexLookup).

    Index layout: [mask (only with a mask token in "int" mode)] + [OOV] * num_oov_indices + tokens.
    """

    _string_keys = True

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype, vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", sparse=False, pad_to_max_tokens=False,
                 oov_method="floormod", name=None, salt=None, **kwargs):
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError("If set, `max_tokens` must be greater than 1. Received: max_tokens=%s" % (max_tokens,))
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError("If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens=%s"
                             % (max_tokens,))
        if num_oov_indices < 0:
            raise ValueError("`num_oov_indices` must be greater than or equal to 0. Received: num_oov_indices=%s"
                             % (num_oov_indices,))
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError("The `oov_method` argument of %s must be one of 'floormod', 'farmhash'. Received: "
                             "oov_method=%s" % (type(self).__name__, oov_method))
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        if output_mode not in ("int", "one_hot", "multi_hot", "count", "tf_idf"):
            raise ValueError("The `output_mode` argument of %s must be one of 'int', 'one_hot', 'multi_hot', "
                             "'count', 'tf_idf'. Received: output_mode=%s" % (type(self).__name__, output_mode))
        if invert and output_mode != "int":
            raise ValueError("`output_mode` must be `'int'` when `invert` is true. Received: output_mode=%s"
                             % (output_mode,))
        if sparse and output_mode == "int":
            raise ValueError("`sparse` may only be true if `output_mode` is `'one_hot'`, `'multi_hot'`, `'count'` or "
                             "`'tf_idf'`. Received: sparse=%s and output_mode=%s" % (sparse, output_mode))
        if sparse:
            raise ValueError("sparse=True outputs are not supported by tensorforge's %s; use sparse=False."
                             % type(self).__name__)
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError("`idf_weights` should only be set if `output_mode` is `'tf_idf'`. Received: "
                             "idf_weights=%s and output_mode=%s" % (idf_weights, output_mode))
        frozen = kwargs.pop("vocabulary_size", None)
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("trainable", None)
        kwargs.pop("dtype", None)
        if kwargs:
            raise ValueError("Unrecognized keyword argument(s): %s" % (kwargs,))
        super().__init__(name=name)
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_dtype = dtypes.as_dtype(vocabulary_dtype).name
        self.oov_method = oov_method
        self.salt = salt
        self._frozen_vocab_size = frozen
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = has_input_vocabulary
        self._tokens = self._empty_tokens()
        self._idf = None
        self._counts: list = []
        self._doc_counts: list = []
        self._num_documents = 0
        if output_mode == "tf_idf" and has_input_vocabulary and idf_weights is None:
            raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output mode, the `idf_weights` "
                             "argument must also be provided.")
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.built = True

    # -- keys
    def _empty_tokens(self):
        return np.array([], dtype=object if self._string_keys else np.int64)

    def _to_keys(self, values) -> np.ndarray:
        """Vocabulary entries as the tensors' NumPy keys (bytes for strings, int64 for ints)."""
        if self._string_keys:
            out = [v.encode("utf-8") if isinstance(v, str) else bytes(v) for v in np.asarray(values, object).ravel()]
            return np.array(out, dtype=object)
        return np.asarray(values).astype(np.int64).ravel()

    def _key(self, token):
        if token is None:
            return None
        return self._to_keys([token])[0]

    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    # -- vocabulary
    def vocabulary_size(self) -> int:
        """The size of the vocabulary, mask and OOV indices included."""
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens=True) -> list:
        """The vocabulary as a list (index i holds the token that maps to i)."""
        specials = [self.oov_token] * self._token_start_index()
        if self.mask_token is not None and self.output_mode == "int" and specials:
            specials[0] = self.mask_token
        tokens = [t.decode("utf-8") for t in self._tokens] if self._string_keys else [int(t) for t in self._tokens]
        vocab = specials + tokens
        if not include_special_tokens:
            vocab = vocab[self._token_start_index():]
        return vocab

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Sets the vocabulary (and, in "tf_idf" mode, the IDF weights) from a list or array."""
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        elif idf_weights is not None:
            raise ValueError("`idf_weights` should only be set if output_mode is `'tf_idf'`. Received: output_mode=%s "
                             "and idf_weights=%s" % (self.output_mode, idf_weights))
        if isinstance(vocabulary, str):
            with open(vocabulary, encoding="utf-8") as f:
                lines = f.read().splitlines()
            while lines and lines[-1] == "":
                lines.pop()
            vocabulary = lines if self._string_keys else [int(v) for v in lines]
        vocab = self._to_keys(_listify(vocabulary) if not isinstance(vocabulary, np.ndarray) else vocabulary)
        if vocab.size == 0:
            raise ValueError("Cannot set an empty vocabulary. Received: vocabulary=%s" % (vocabulary,))
        token_start = self._token_start_index()
        specials = [self._key(self.mask_token)] * self._oov_start_index() + [self._key(self.oov_token)] * \
            self.num_oov_indices
        found_specials = len(vocab) >= token_start and list(vocab[:token_start]) == specials
        tokens = vocab[token_start:] if found_specials else vocab
        uniq, counts = np.unique(tokens, return_counts=True)
        if (counts > 1).any():
            repeated = [_listify([t])[0] for t in uniq[counts > 1]]
            raise ValueError("The passed vocabulary has at least one repeated term. Please uniquify your dataset. The "
                             "repeated terms are: %s" % (repeated,))
        mask_key = self._key(self.mask_token)
        if mask_key is not None and mask_key in set(tokens.tolist()):
            raise ValueError("Found reserved mask token at unexpected location in `vocabulary`. Note that passed "
                             "`vocabulary` does not need to include the OOV and mask tokens. Either remove all mask "
                             "and OOV tokens, or include them only at the start of the vocabulary in precisely this "
                             "order: %s. Received: mask_token=%s" % (_listify(specials), self.mask_token))
        if self.invert and self.oov_token is not None and self._key(self.oov_token) in set(tokens.tolist()):
            raise ValueError("Found reserved OOV token at unexpected location in `vocabulary`. Note that passed "
                             "`vocabulary` does not need to include the OOV and mask tokens. Either remove all mask "
                             "and OOV tokens, or include them only at the start of the vocabulary in precisely this "
                             "order: %s. Received: oov_token=%s" % (_listify(specials), self.oov_token))
        size = token_start + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError("Attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary "
                             "size is %d; `max_tokens` is %d." % (size, self.max_tokens))
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            idf = np.asarray(idf_weights, dtype=np.float64).ravel()
            if len(idf) != len(vocab):
                raise ValueError("`idf_weights` must be the same length as vocabulary. len(idf_weights) is %d; "
                                 "len(vocabulary) is %d" % (len(idf), len(vocab)))
            if not found_specials:
                idf = np.concatenate([np.full(token_start, idf.mean()), idf])
            self._set_idf(idf)

    def _set_tokens(self, tokens) -> None:
        self._tokens = np.asarray(tokens, dtype=object if self._string_keys else np.int64)
        order = np.argsort(self._tokens, kind="stable")
        self._sorted_keys = self._tokens[order]
        self._sorted_index = (order + self._token_start_index()).astype(np.int64)
        self._record_vocabulary_size()

    def _set_idf(self, idf) -> None:
        if self.pad_to_max_tokens and self.max_tokens is not None:
            idf = np.pad(idf, (0, self.max_tokens - len(idf)))
        self._idf = np.asarray(idf, dtype=self.compute_dtype.as_numpy_dtype
                               if self.compute_dtype.is_floating else np.float32)

    def _record_vocabulary_size(self) -> None:
        size = self.vocabulary_size()
        if (self.output_mode != "int" and not self.pad_to_max_tokens and self._frozen_vocab_size is not None
                and getattr(self, "_called", False) and size != self._frozen_vocab_size):
            raise RuntimeError("When using `output_mode=%s` and `pad_to_max_tokens=False`, the vocabulary size cannot "
                               "be changed after the layer is called. Old vocab size is %s, new vocab size is %s"
                               % (self.output_mode, self._frozen_vocab_size, size))
        self._frozen_vocab_size = size

    # -- adapt
    def adapt(self, data, steps=None) -> None:
        """Learns the vocabulary from `data` (an array, a tensor, or an iterable of batches): tokens
        sorted by decreasing frequency (ties by decreasing value), capped by `max_tokens`."""
        self.reset_state()
        batches, streaming = _batches(data)
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            self.update_state(batch)
        self.finalize_state()

    def _prepare_adapt_batch(self, data):
        """(flat token keys, row ids or None) of one batch."""
        arr = _as_numpy(data)
        if arr.ndim == 0:
            arr = arr.reshape(1, 1)
        elif arr.ndim == 1:
            arr = arr.reshape(1, -1)
        rows = np.repeat(np.arange(arr.shape[0]), int(np.prod(arr.shape[1:])))
        return self._to_keys(arr), rows

    def update_state(self, data) -> None:
        if self._has_input_vocabulary:
            raise ValueError("Cannot adapt layer '%s' after setting a static vocabulary via `vocabulary` argument or "
                             "`set_vocabulary()` method." % self.name)
        self._update_from_keys(*self._prepare_adapt_batch(data))

    def _update_from_keys(self, keys, rows) -> None:
        """Accumulates token (and, for tf_idf, document) counts of one batch of flat keys."""
        uniq, inv, counts = np.unique(keys, return_inverse=True, return_counts=True)
        self._counts.append((uniq, counts))
        if self.output_mode == "tf_idf":
            pairs = np.unique(rows.astype(np.int64) * max(len(uniq), 1) + inv.reshape(-1))
            self._doc_counts.append((uniq, np.bincount(pairs % max(len(uniq), 1), minlength=len(uniq))))
            self._num_documents += int(rows.max()) + 1 if rows.size else 0

    @staticmethod
    def _merge(parts):
        if not parts:
            return np.array([]), np.array([], np.int64)
        keys = np.concatenate([p[0] for p in parts])
        counts = np.concatenate([p[1] for p in parts])
        uniq, inv = np.unique(keys, return_inverse=True)
        return uniq, np.bincount(inv.reshape(-1), weights=counts, minlength=len(uniq)).astype(np.int64)

    def finalize_state(self) -> None:
        if self._has_input_vocabulary or not self._counts:
            return
        tokens, counts = self._merge(self._counts)
        drop = {k for k in (self._key(self.mask_token), self._key(self.oov_token)) if k is not None}
        if drop:
            keep = np.array([t not in drop for t in tokens.tolist()], bool)
            tokens, counts = tokens[keep], counts[keep]
        order = np.lexsort((np.arange(len(tokens)), counts))[::-1]  # count desc; ties: token desc (tokens sorted)
        if self.max_tokens:
            order = order[: self.max_tokens - self._token_start_index()]
        tokens = tokens[order]
        if self.output_mode == "tf_idf":
            doc_tokens, doc_counts = self._merge(self._doc_counts)
            lookup = dict(zip(doc_tokens.tolist(), doc_counts.tolist()))
            dc = np.array([lookup.get(t, 0) for t in tokens.tolist()], np.float64)
            idf = np.log(1.0 + self._num_documents / (1.0 + dc))
            idf = np.concatenate([np.full(self._token_start_index(), idf.mean() if idf.size else 0.0), idf])
            self._set_tokens(tokens)
            self._set_idf(idf)
        else:
            self._set_tokens(tokens)
        self._counts, self._doc_counts, self._num_documents = [], [], 0

    def reset_state(self) -> None:
        if self._has_input_vocabulary:
            return
        self._counts, self._doc_counts, self._num_documents = [], [], 0

    # -- call
    def _lookup_dense(self, x):
        if self.invert:
            return self._invert_lookup(x)
        if self._string_keys:
            if x.dtype != dtypes.string:
                raise ValueError("%s expects string inputs; received dtype %s" % (type(self).__name__, x.dtype.name))
        elif x.dtype != dtypes.int64:
            x = math_ops.cast(x, dtypes.int64)
        oov_start = self._oov_start_index()
        if self.num_oov_indices == 1:
            default = oov_start
        elif self.num_oov_indices == 0:
            default = -1
        else:
            default = self._oov_buckets(x) + oov_start
        out = _lookup_sorted(x, self._sorted_keys, self._sorted_index, default)
        if self.mask_token is not None:
            mask_value = 0 if self.output_mode == "int" else np.iinfo(np.int64).max
            out = array_ops.where(math_ops.equal(x, self._key(self.mask_token)),
                                  array_ops.zeros_like(out) + mask_value, out)
        if self.num_oov_indices == 0:
            self._check_no_oov(x, out)
        return out

    def _check_no_oov(self, x, out):
        if type(out) is Tensor:  # eagerly; graphs cannot raise on values
            bad = np.asarray(out) == -1
            if bad.any():
                values = np.asarray(x)[bad]
                raise ValueError("When `num_oov_indices=0` all inputs should be in vocabulary, found OOV values %s, "
                                 "consider setting `num_oov_indices=1`." % (_listify(values.ravel()),))

    def _oov_buckets(self, x):
        if not self._string_keys and self.oov_method != "farmhash":
            return math_ops.floormod(x, self.num_oov_indices)
        from ...ops import string_ops
        keys = x if self._string_keys else string_ops.as_string(x)
        if self.salt is not None:  # Keras: a salt means SipHash keyed by it
            salt = [self.salt, self.salt] if isinstance(self.salt, int) else list(self.salt)
            return string_ops.to_hash_bucket_strong(keys, self.num_oov_indices, salt)
        return string_ops.to_hash_bucket_fast(keys, self.num_oov_indices)

    def _invert_lookup(self, x):
        idx = math_ops.cast(x, dtypes.int64)
        start = self._token_start_index()
        table = [self.oov_token] * start + self.get_vocabulary()[start:] + [self.oov_token]
        if self.mask_token is not None:
            table[0] = self.mask_token
        n = len(table) - 1  # the last entry answers out-of-range indices
        values = convert_to_tensor(self._to_keys(table) if self._string_keys else np.asarray(table, np.int64))
        valid = math_ops.logical_and(idx >= 0, idx < n)
        return array_ops.gather(values, array_ops.where(valid, idx, array_ops.zeros_like(idx) + n))

    def _depth(self):
        return self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size

    def _call_and_build(self, inputs, args, kwargs):
        if not is_tensor(inputs) and not _is_ragged(inputs):
            inputs = convert_to_tensor(inputs, dtype=dtypes.string if self._string_keys and not self.invert else None)
            args = (inputs,) + tuple(args[1:])
        return super()._call_and_build(inputs, args, kwargs)

    def call(self, inputs):
        if self.output_mode != "int" and not self.pad_to_max_tokens and self._frozen_vocab_size is None:
            raise RuntimeError("When using `output_mode=%s` and `pad_to_max_tokens=False`, you must set the layer's "
                               "vocabulary before calling it. Either pass a `vocabulary` argument to the layer, or "
                               "call `adapt` with some sample data." % self.output_mode)
        self._called = True
        if _is_ragged(inputs):
            from ...ops import ragged_ops
            lookups = ragged_ops.map_flat_values(self._lookup_dense, inputs)
        else:
            x = inputs
            scalar = x.shape.rank == 0
            if scalar:
                x = array_ops.expand_dims(x, -1)
            lookups = self._lookup_dense(x)
            if self.output_mode == "int":
                return array_ops.squeeze(lookups, [-1]) if scalar else lookups
        if self.output_mode == "int":
            return lookups
        if _is_ragged(lookups):
            lookups = lookups.to_tensor(default_value=np.iinfo(np.int64).max)
        depth = self._depth()
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = _encode_categorical(lookups, mode, depth, dtypes.int64)
        if self.output_mode == "tf_idf":
            if self._idf is None:
                raise ValueError("When `output_mode` is `'tf_idf'`, `idf_weights` must be provided.")
            idf = convert_to_tensor(self._idf)
            out = math_ops.cast(out, idf.dtype) * idf
        return out

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        depth = self._depth()
        input_shape = tuple(input_shape)
        if self.output_mode == "one_hot":
            if len(input_shape) > 1 and input_shape[-1] == 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        return input_shape[:-1] + (depth,)

    def _lookup_config(self) -> dict:
        return {"invert": self.invert, "max_tokens": self.max_tokens, "num_oov_indices": self.num_oov_indices,
                "oov_token": self.oov_token, "mask_token": self.mask_token, "output_mode": self.output_mode,
                "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens}

    def get_build_config(self):
        return {}

    def build_from_config(self, config):
        self.built = True

    # -- saving (Keras 3 keeps adapted vocabularies and IDF weights outside the config)
    def save_own_variables(self, store) -> None:
        if self.output_mode == "tf_idf" and self._idf is not None:
            store["idf_weights"] = np.asarray(self._idf)

    def load_own_variables(self, store) -> None:
        if self.output_mode == "tf_idf" and "idf_weights" in store:
            self._idf = np.asarray(store["idf_weights"])

    def save_assets(self, dir_path) -> None:
        if self.input_vocabulary is not None:
            return
        import os
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(str(w) for w in self.get_vocabulary(include_special_tokens=True)))

    def load_assets(self, dir_path) -> None:
        if self.input_vocabulary is not None:
            return
        import os
        with open(os.path.join(dir_path, "vocabulary.txt"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        values = lines if self._string_keys else [int(v) for v in lines]
        has_input = self._has_input_vocabulary
        self._has_input_vocabulary = False
        idf = self._idf
        if self.output_mode == "tf_idf":
            self.set_vocabulary(values, idf_weights=idf)
        else:
            self.set_vocabulary(values)
        self._has_input_vocabulary = has_input


def _is_ragged(x) -> bool:
    return type(x).__name__ == "RaggedTensor"


@keras_export("keras.layers.StringLookup")
class StringLookup(_IndexLookup):
    """Maps strings to integer indices from a vocabulary (tf.keras.layers.StringLookup).

    Index 0 is the OOV token "[UNK]" (after the mask token's index 0 when `mask_token` is set);
    vocabulary indices follow. `output_mode` "one_hot", "multi_hot", "count" or "tf_idf" encode
    the indices instead, and `invert=True` maps indices back to strings.

    Example:

    >>> layer = tf.keras.layers.StringLookup(vocabulary=["a", "b", "c"])
    >>> layer([["a", "c"], ["d", "b"]]).numpy()
    array([[1, 3],
           [0, 2]])
    """

    _string_keys = True

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]", vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", pad_to_max_tokens=False, sparse=False,
                 encoding="utf-8", name=None, oov_method="floormod", salt=None, **kwargs):
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         vocabulary_dtype="string", oov_method=oov_method, salt=salt, **kwargs)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(self._lookup_config())
        c.update(idf_weights=_listify(self.input_idf_weights), vocabulary=_listify(self.input_vocabulary),
                 vocabulary_size=self._frozen_vocab_size, oov_method=self.oov_method, salt=self.salt,
                 encoding=self.encoding)
        return c


@keras_export("keras.layers.IntegerLookup")
class IntegerLookup(_IndexLookup):
    """Maps integers to contiguous indices from a vocabulary (tf.keras.layers.IntegerLookup).

    Same index layout and output modes as StringLookup; the OOV token is -1 and OOV inputs
    spread over `num_oov_indices` buckets by value modulo the bucket count.

    Example:

    >>> layer = tf.keras.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
    >>> layer([12, 1138, 42, 1000]).numpy()
    array([1, 3, 4, 0])
    """

    _string_keys = False

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1, vocabulary=None,
                 vocabulary_dtype="int64", idf_weights=None, invert=False, output_mode="int", sparse=False,
                 pad_to_max_tokens=False, name=None, oov_method="floormod", salt=None, **kwargs):
        if not dtypes.as_dtype(vocabulary_dtype).is_integer:
            raise ValueError("The `vocabulary_dtype` argument must be an integer dtype. Received: vocabulary_dtype=%s"
                             % (vocabulary_dtype,))
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         vocabulary_dtype=vocabulary_dtype, oov_method=oov_method, salt=salt, **kwargs)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(self._lookup_config())
        c.update(vocabulary_dtype=self.vocabulary_dtype, idf_weights=_listify(self.input_idf_weights),
                 vocabulary=_listify(self.input_vocabulary), vocabulary_size=self._frozen_vocab_size,
                 oov_method=self.oov_method, salt=self.salt)
        return c


# ---------------------------------------------------------------- TextVectorization
@keras_export("keras.layers.TextVectorization")
class TextVectorization(Layer):
    """Turns raw strings into token indices or token-count vectors (tf.keras.layers.TextVectorization).

    Each string is standardised ("lower_and_strip_punctuation" by default, "lower",
    "strip_punctuation", None or a callable), split ("whitespace", "character", None or a
    callable) and looked up in a vocabulary learned by `adapt` (index 0 is padding, 1 is OOV).
    `output_mode="int"` pads or truncates to `output_sequence_length`; "multi_hot", "count" and
    "tf_idf" give one vector per string.

    Example:

    >>> layer = tf.keras.layers.TextVectorization(output_sequence_length=4)
    >>> layer.adapt(["the cat sat", "the dog sat", "the cat"])
    >>> layer(["The cat ate."]).numpy()
    array([[2, 3, 1, 0]])
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation", split="whitespace", ngrams=None,
                 output_mode="int", output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None, **kwargs):
        if not (standardize is None or callable(standardize) or standardize in (
                "lower_and_strip_punctuation", "lower", "strip_punctuation")):
            raise ValueError("The `standardize` argument of TextVectorization must be one of "
                             "'lower_and_strip_punctuation', 'lower', 'strip_punctuation', None or a callable. "
                             "Received: standardize=%s" % (standardize,))
        if not (split is None or callable(split) or split in ("whitespace", "character")):
            raise ValueError("The `split` argument of TextVectorization must be one of 'whitespace', 'character', "
                             "None or a callable. Received: split=%s" % (split,))
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        if output_mode not in ("int", "one_hot", "multi_hot", "count", "tf_idf"):
            raise ValueError("The `output_mode` argument of TextVectorization must be one of 'int', 'one_hot', "
                             "'multi_hot', 'count', 'tf_idf'. Received: output_mode=%s" % (output_mode,))
        if ngrams is not None:
            raise ValueError("TextVectorization(ngrams=...) is not supported by tensorforge; use ngrams=None.")
        if output_mode == "int" and not (output_sequence_length is None or isinstance(output_sequence_length, int)):
            raise ValueError("`output_sequence_length` must be either None or an integer when `output_mode` is 'int'. "
                             "Received: output_sequence_length=%s" % (output_sequence_length,))
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError("`output_sequence_length` must not be set if `output_mode` is not 'int'. Received "
                             "output_sequence_length=%s." % (output_sequence_length,))
        if ragged and output_mode != "int":
            raise ValueError("`ragged` must not be true if `output_mode` is `'int'`. Received: ragged=%s and "
                             "output_mode=%s" % (ragged, output_mode))
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        self._max_tokens = max_tokens
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ragged = ragged
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._lookup_layer = StringLookup(max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
                                          pad_to_max_tokens=pad_to_max_tokens, mask_token="",
                                          output_mode=output_mode, sparse=sparse,
                                          has_input_vocabulary=has_input_vocabulary, encoding=encoding,
                                          vocabulary_size=vocabulary_size)
        self.built = True

    def build(self, input_shape=None):
        self.built = True

    def _preprocess(self, inputs):
        x = inputs if is_tensor(inputs) else convert_to_tensor(inputs, dtype=dtypes.string)
        from ...ops import string_ops
        if self._standardize in ("lower", "lower_and_strip_punctuation"):
            x = string_ops.lower(x)
        if self._standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            x = string_ops.regex_replace(x, _PUNCTUATION, "")
        if callable(self._standardize):
            x = self._standardize(x)
        if self._split is not None:
            if x.shape.rank > 1:
                if x.shape[-1] != 1:
                    raise ValueError("When using `TextVectorization` to tokenize strings, the input rank must be 1 or "
                                     "the last shape dimension must be 1. Received: inputs.shape=%s with rank=%s"
                                     % (x.shape, x.shape.rank))
                x = array_ops.squeeze(x, [-1])
            if self._split == "whitespace":
                x = string_ops.split(x)
            elif self._split == "character":
                x = string_ops.unicode_split(x, "UTF-8")
            else:
                x = self._split(x)
        return x

    def _call_and_build(self, inputs, args, kwargs):
        if not is_tensor(inputs) and not _is_ragged(inputs):
            inputs = convert_to_tensor(inputs, dtype=dtypes.string)
            args = (inputs,) + tuple(args[1:])
        return super()._call_and_build(inputs, args, kwargs)

    def call(self, inputs):
        tokens = self._preprocess(inputs)
        lookups = self._lookup_layer.call(tokens)
        if self._output_mode != "int":
            return lookups
        length = self._output_sequence_length
        if _is_ragged(lookups):
            if self._ragged:
                return lookups
            if length is not None:
                return lookups.to_tensor(default_value=0, shape=[lookups.shape[0], length])
            return lookups.to_tensor(default_value=0)
        if length is not None:
            out = lookups[..., :length]
            have = out.shape[-1]
            if have is None:
                raise ValueError("TextVectorization needs a static token axis to pad to output_sequence_length; got "
                                 "%s" % (out.shape,))
            if have < length:
                out = array_ops.pad(out, [[0, 0]] * (out.shape.rank - 1) + [[0, length - have]])
            return out
        return lookups

    # -- vocabulary
    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learns the vocabulary (and IDF weights) from `data`: strings, an array, or an iterable of batches."""
        self._lookup_layer.reset_state()
        batches, streaming = _batches(data)
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            self.update_state(batch)
        self._lookup_layer.finalize_state()

    def update_state(self, data) -> None:
        data = data if is_tensor(data) else convert_to_tensor(data, dtype=dtypes.string)
        if data.shape.rank == 1 and self._split is not None:
            data = array_ops.expand_dims(data, -1)
        tokens = self._preprocess(data)
        if _is_ragged(tokens):
            flat = np.asarray(tokens.flat_values)
            splits = np.asarray(tokens.row_splits)
            rows = np.repeat(np.arange(len(splits) - 1), np.diff(splits))
            self._lookup_layer._update_from_keys(self._lookup_layer._to_keys(flat), rows)
        else:
            self._lookup_layer.update_state(tokens)

    def finalize_state(self) -> None:
        self._lookup_layer.finalize_state()

    def reset_state(self) -> None:
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens=True) -> list:
        """The vocabulary ('' for padding and '[UNK]' first in "int" mode)."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    def compute_output_shape(self, input_shape):
        if self._output_mode == "int":
            return (tuple(input_shape)[0], self._output_sequence_length)
        return (tuple(input_shape)[0], self._lookup_layer._depth())

    def get_config(self) -> dict:
        c = super().get_config()
        lk = self._lookup_layer
        c.update(max_tokens=lk.max_tokens, standardize=self._standardize, split=self._split, ngrams=self._ngrams_arg,
                 output_mode=self._output_mode, output_sequence_length=self._output_sequence_length,
                 pad_to_max_tokens=lk.pad_to_max_tokens, sparse=lk.sparse, ragged=self._ragged,
                 vocabulary=_listify(lk.input_vocabulary), idf_weights=_listify(lk.input_idf_weights),
                 encoding=self._encoding, vocabulary_size=self.vocabulary_size())
        return c

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        from ..optimizers._serial import deserialize_object
        for k in ("standardize", "split"):
            if config.get(k) is not None and not isinstance(config[k], str):
                config[k] = deserialize_object(config[k], "layers")
        return cls(**config)

    def save_own_variables(self, store) -> None:
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store) -> None:
        self._lookup_layer.load_own_variables(store)

    def save_assets(self, dir_path) -> None:
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path) -> None:
        self._lookup_layer.load_assets(dir_path)
