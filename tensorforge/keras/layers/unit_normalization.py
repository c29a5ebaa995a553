"""UnitNormalization (L2-normalises along axes) and RMSNormalization (x / rms(x) * scale) (Keras 3)."""
from __future__ import annotations

from ... import ops as _ops  # noqa: F401 - registers ops
from ...framework import dtypes
from ...ops import array_ops, math_ops
from .._registry import keras_export
from .layer import Layer


def _check_axes(axis, input_shape, what) -> None:
    axes = [axis] if isinstance(axis, int) else axis
    n = len(input_shape)
    for a in axes:
        if a >= n or a < -n:
            raise ValueError(what % {"axis": axis, "a": a, "shape": tuple(input_shape)})


@keras_export("keras.layers.UnitNormalization")
class UnitNormalization(Layer):
    """Normalises each sample to unit L2 norm along `axis`: x * min(1 / ||x||, 1e12)
    (tf.keras.layers.UnitNormalization).

    Example:

    >>> tf.keras.layers.UnitNormalization()([[3.0, 4.0]]).numpy()
    array([[0.6, 0.8]], dtype=float32)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError("Invalid value for `axis` argument: expected an int or a list/tuple of ints. Received: "
                            "axis=%s" % (axis,))
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        x = inputs
        if x.shape.rank == 0:
            x = array_ops.expand_dims(x, 0)
        square_sum = math_ops.reduce_sum(math_ops.square(x), axis=self.axis, keepdims=True)
        inv_norm = math_ops.minimum(math_ops.rsqrt(square_sum), math_ops.cast(1.0 / 1e-12, x.dtype))
        return x * inv_norm

    def compute_output_shape(self, input_shape):
        _check_axes(self.axis, input_shape, "Axis %(axis)s is out of bounds for input shape %(shape)s.")
        return tuple(input_shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c["axis"] = self.axis
        return c


@keras_export("keras.layers.RMSNormalization")
class RMSNormalization(Layer):
    """Root-mean-square normalization (Zhang & Sennrich, 2019): x * rsqrt(mean(x^2) + epsilon) * scale,
    the mean over `axis`, with a learned `scale` (tf.keras.layers.RMSNormalization)."""

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = epsilon

    def build(self, input_shape):
        input_shape = list(input_shape)
        if isinstance(self.axis, (list, tuple)):
            self.axis = sorted(self.axis)
            shape = tuple(input_shape[d] for d in self.axis)
        else:
            shape = (input_shape[self.axis],)
            self.axis = [self.axis]
        self.scale = self.add_weight(name="scale", shape=shape, initializer="ones")
        self.built = True

    def call(self, x):
        in_dtype = x.dtype
        compute = in_dtype if in_dtype in (dtypes.float32, dtypes.float64) else dtypes.float32
        x = math_ops.cast(x, compute)
        if x.shape.rank == 0:
            x = array_ops.expand_dims(x, 0)
        rank = x.shape.rank
        axes = [a % rank for a in self.axis]
        rrms = math_ops.rsqrt(math_ops.reduce_mean(math_ops.square(x), axis=axes, keepdims=True) + self.epsilon)
        scale = math_ops.cast(self.scale, compute)  # broadcast against the trailing axes, as Keras does
        return math_ops.cast(x * rrms * scale, in_dtype)

    def compute_output_shape(self, input_shape):
        _check_axes(self.axis, input_shape, "Axis %(a)s is out of bounds for input shape %(shape)s. Received: "
                                            "axis=%(axis)s")
        return tuple(input_shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(axis=self.axis, epsilon=self.epsilon)
        return c
