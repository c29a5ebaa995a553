"""Regularization layers: GaussianNoise, GaussianDropout, AlphaDropout, SpatialDropout1D/2D/3D and
ActivityRegularization (Keras 3). The noise layers are identities unless called with training=True."""
from __future__ import annotations

import math

from ... import ops as _ops  # noqa: F401 - registers ops
from ...ops import array_ops, math_ops, random_ops
from .._registry import keras_export
from .core import Dropout
from .input_spec import InputSpec, InputSpecChecked
from .layer import Layer


def _check_rate(value, arg: str = "rate") -> None:
    if not 0 <= value <= 1:
        raise ValueError("Invalid value received for argument `%s`. Expected a float value between 0 and 1. "
                         "Received: %s=%s" % (arg, arg, value))


def _dims(x, axes) -> list:
    """The sizes of `axes` of `x`: Python ints where static, else scalars of tf.shape(x)."""
    static = x.shape.as_list()
    dynamic = None
    out = []
    for a in axes:
        if static[a] is not None:
            out.append(static[a])
        else:
            dynamic = array_ops.shape(x) if dynamic is None else dynamic
            out.append(dynamic[a])
    return out


def _noise_shape_of(x, noise_shape=None):
    """A shape for random ops: x's shape with the axes where `noise_shape` gives a size (not None)
    set to it. Static sizes give a list; unknown ones the run-time shape of a slice of x (random
    ops take a run-time shape as a whole tf.shape tensor)."""
    rank = x.shape.rank
    sizes = [None] * rank if noise_shape is None else list(noise_shape)
    static = [sizes[i] if sizes[i] is not None else d for i, d in enumerate(x.shape.as_list())]
    if all(d is not None for d in static):
        return static
    src = x[tuple(slice(0, s) if s is not None else slice(None) for s in sizes)]
    return array_ops.shape(src)


class _Noise(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


@keras_export("keras.layers.GaussianNoise")
class GaussianNoise(_Noise):
    """Adds zero-centred Gaussian noise of standard deviation `stddev` during training
    (tf.keras.layers.GaussianNoise)."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_rate(stddev, "stddev")
        self.stddev = stddev
        self.seed = seed

    def call(self, inputs, training=False):
        if training and self.stddev > 0:
            shape = _noise_shape_of(inputs)
            return inputs + random_ops.random_normal(shape, mean=0.0, stddev=self.stddev, dtype=inputs.dtype,
                                                     seed=self.seed)
        return inputs

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(stddev=self.stddev, seed=self.seed)
        return c


@keras_export("keras.layers.GaussianDropout")
class GaussianDropout(_Noise):
    """Multiplies inputs by Gaussian noise of mean 1 and standard deviation sqrt(rate / (1 - rate))
    during training (tf.keras.layers.GaussianDropout)."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_rate(rate)
        self.rate = rate
        self.seed = seed

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            stddev = math.sqrt(self.rate / (1.0 - self.rate))
            shape = _noise_shape_of(inputs)
            return inputs * random_ops.random_normal(shape, mean=1.0, stddev=stddev, dtype=inputs.dtype,
                                                     seed=self.seed)
        return inputs

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(rate=self.rate, seed=self.seed)
        return c


@keras_export("keras.layers.AlphaDropout")
class AlphaDropout(_Noise):
    """Dropout for self-normalising (SELU) networks: dropped units are set to SELU's negative
    saturation value and an affine correction keeps the mean and variance
    (tf.keras.layers.AlphaDropout)."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_rate(rate)
        self.rate = rate
        self.seed = seed
        self.noise_shape = noise_shape

    def call(self, inputs, training=False):
        if not (training and self.rate > 0):
            return inputs
        noise_shape = _noise_shape_of(inputs, self.noise_shape)
        alpha = 1.6732632423543772848170429916717
        scale = 1.0507009873554804934193349852946
        alpha_p = -alpha * scale
        kept = math_ops.greater_equal(random_ops.random_uniform(noise_shape, seed=self.seed), self.rate)
        kept = math_ops.cast(kept, inputs.dtype)
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        x = inputs * kept + alpha_p * (1 - kept)
        return a * x + b

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(rate=self.rate, seed=self.seed, noise_shape=self.noise_shape)
        return c


def _data_format(data_format) -> str:
    data_format = data_format or "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', 'channels_last'}. Received: "
                         "data_format=%s" % (data_format,))
    return data_format


class _SpatialDropout(InputSpecChecked, Dropout):
    """Dropout of whole feature maps: one draw per (sample, channel)."""

    _ndim = 3

    def __init__(self, rate, seed=None, name=None, dtype=None, data_format=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.data_format = _data_format(data_format)
        self.input_spec = InputSpec(ndim=self._ndim)

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            n = self._ndim
            channel = 1 if self.data_format == "channels_first" else n - 1
            sizes = [None if i in (0, channel) else 1 for i in range(n)]
            keep = math_ops.greater_equal(random_ops.random_uniform(_noise_shape_of(inputs, sizes),
                                                                    dtype=inputs.dtype, seed=self.seed), self.rate)
            scaled = inputs * math_ops.cast(1.0 / (1.0 - self.rate), inputs.dtype)
            return array_ops.where(keep, scaled, array_ops.zeros_like(inputs))
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype.name}


@keras_export("keras.layers.SpatialDropout1D")
class SpatialDropout1D(_SpatialDropout):
    """Drops whole 1D feature maps (channels of [batch, steps, channels] inputs) during training
    (tf.keras.layers.SpatialDropout1D)."""

    _ndim = 3

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)


@keras_export("keras.layers.SpatialDropout2D")
class SpatialDropout2D(_SpatialDropout):
    """Drops whole 2D feature maps during training (tf.keras.layers.SpatialDropout2D)."""

    _ndim = 4

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, data_format=data_format)

    def get_config(self) -> dict:
        c = super().get_config()
        c["data_format"] = self.data_format
        return c


@keras_export("keras.layers.SpatialDropout3D")
class SpatialDropout3D(SpatialDropout2D):
    """Drops whole 3D feature maps during training (tf.keras.layers.SpatialDropout3D)."""

    _ndim = 5


@keras_export("keras.layers.ActivityRegularization")
class ActivityRegularization(Layer):
    """Returns its input and adds l1 * sum(|x|) + l2 * sum(x^2), divided by the batch size, to the
    layer's (and its model's) `losses` (tf.keras.layers.ActivityRegularization).

    The losses are those of the latest call, as in Keras, where each outer call clears them.
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(**kwargs)
        from ..regularizers import L1L2
        self._activity_l1l2 = L1L2(l1=l1, l2=l2)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2
        self.built = True

    def call(self, inputs):
        loss = self._activity_l1l2(inputs)
        if inputs.shape.rank:
            batch = _dims(inputs, [0])[0]
            loss = math_ops.div_no_nan(loss, math_ops.cast(batch, loss.dtype))
        self._losses = [loss]
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(l1=self.l1, l2=self.l2)
        return c
