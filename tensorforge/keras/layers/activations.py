"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax and the legacy ThresholdedReLU (Keras 3)."""
from __future__ import annotations

import numpy as np

from ... import ops as _ops  # noqa: F401 - registers ops
from ...framework import dtypes
from ...framework.convert import convert_to_tensor
from ...ops import array_ops, math_ops, nn_ops
from .. import activations as _activations
from .._registry import keras_export
from .core import _init_config, _opt_config
from .input_spec import InputSpec, InputSpecChecked
from .layer import Layer


class _ElementwiseActivation(Layer):
    """An activation layer: no weights, masks pass through, output shape = input shape."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


@keras_export("keras.layers.ReLU")
class ReLU(_ElementwiseActivation):
    """Rectified linear unit layer (tf.keras.layers.ReLU).

    f(x) = max_value for x >= max_value; x for threshold <= x < max_value;
    negative_slope * (x - threshold) otherwise.

    Example:

    >>> tf.keras.layers.ReLU(max_value=2.0)([-1.0, 1.0, 3.0]).numpy()
    array([0., 1., 2.], dtype=float32)
    """

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0, threshold: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError("max_value of a ReLU layer cannot be a negative value. Received: max_value=%s"
                             % (max_value,))
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError("negative_slope of a ReLU layer cannot be None or a negative value. Received: "
                             "negative_slope=%s" % (negative_slope,))
        if threshold is None or threshold < 0.0:
            raise ValueError("threshold of a ReLU layer cannot be None or a negative value. Received: threshold=%s"
                             % (threshold,))
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold

    def call(self, inputs):
        return _activations.relu(inputs, negative_slope=self.negative_slope, max_value=self.max_value,
                                 threshold=self.threshold)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(max_value=self.max_value, negative_slope=self.negative_slope, threshold=self.threshold)
        return c


@keras_export("keras.layers.LeakyReLU")
class LeakyReLU(_ElementwiseActivation):
    """Leaky rectified linear unit layer: x for x >= 0, negative_slope * x otherwise
    (tf.keras.layers.LeakyReLU; `alpha` is the deprecated name of `negative_slope`)."""

    def __init__(self, negative_slope: float = 0.3, **kwargs):
        if "alpha" in kwargs:
            import warnings
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.", stacklevel=2)
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError("The negative_slope value of a Leaky ReLU layer cannot be None or negative value. "
                             "Expected a float. Received: negative_slope=%s" % (negative_slope,))
        self.negative_slope = negative_slope

    def call(self, inputs):
        return nn_ops.leaky_relu(inputs, alpha=self.negative_slope)

    def get_config(self) -> dict:
        c = super().get_config()
        c["negative_slope"] = self.negative_slope
        return c


@keras_export("keras.layers.PReLU")
class PReLU(InputSpecChecked, Layer):
    """Parametric ReLU: x for x >= 0, alpha * x otherwise, with a learned `alpha` of the input's
    shape (less the batch axis; axes in `shared_axes` share one value) (tf.keras.layers.PReLU)."""

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None, shared_axes=None,
                 **kwargs):
        super().__init__(**kwargs)
        from .. import constraints, initializers, regularizers
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer) if alpha_regularizer is not None else None
        self.alpha_constraint = constraints.get(alpha_constraint) if alpha_constraint is not None else None
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)

    def build(self, input_shape):
        input_shape = list(input_shape)
        param_shape = list(input_shape[1:])
        if self.shared_axes is not None:
            for i in self.shared_axes:
                param_shape[i - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError("PReLU needs the non-shared input dimensions to be known; got input shape %s and "
                             "shared_axes=%s" % (tuple(input_shape), self.shared_axes))
        self.alpha = self.add_weight(shape=param_shape, name="alpha", initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer, constraint=self.alpha_constraint)
        axes = {}
        if self.shared_axes:
            for i in range(1, len(input_shape)):
                if i not in self.shared_axes:
                    axes[i] = input_shape[i]
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs):
        pos = nn_ops.relu(inputs)
        neg = -self.alpha * nn_ops.relu(-inputs)
        return pos + neg

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        c = super().get_config()
        c.update(alpha_initializer=_init_config(self.alpha_initializer),
                 alpha_regularizer=_opt_config("regularizers", self.alpha_regularizer),
                 alpha_constraint=_opt_config("constraints", self.alpha_constraint), shared_axes=self.shared_axes)
        return c


@keras_export("keras.layers.ELU")
class ELU(_ElementwiseActivation):
    """Exponential linear unit layer: x for x >= 0, alpha * (exp(x) - 1) otherwise (tf.keras.layers.ELU)."""

    def __init__(self, alpha: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def call(self, inputs):
        return _activations.elu(inputs, alpha=self.alpha)

    def get_config(self) -> dict:
        c = super().get_config()
        c["alpha"] = self.alpha
        return c


def _large_negative_number(dtype) -> float:
    return -3e4 if dtype == dtypes.float16 else -1e9


@keras_export("keras.layers.Softmax")
class Softmax(_ElementwiseActivation):
    """Softmax layer: exp(x - max(x)) / sum(exp(x - max(x))) over `axis` (an int or a list of axes)
    (tf.keras.layers.Softmax). Positions where `mask` is False get weight 0.

    Example:

    >>> tf.keras.layers.Softmax()([1.0, 2.0, 1.0]).numpy()
    array([0.21194157, 0.5761169 , 0.21194157], dtype=float32)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = convert_to_tensor(mask)
            in_shape, m_shape = inputs.shape.as_list(), mask.shape.as_list()
            if len(m_shape) > len(in_shape):
                raise ValueError("The `mask` must be broadcastable to `inputs` and must not have more dimensions. "
                                 "Received: inputs.shape=%s, mask.shape=%s" % (tuple(in_shape), tuple(m_shape)))
            for m_dim, i_dim in zip(m_shape[::-1], in_shape[::-1]):
                if m_dim is not None and i_dim is not None and m_dim != 1 and m_dim != i_dim:
                    raise ValueError("The `mask` must be broadcastable to `inputs`. Each mask dimension must be 1 or "
                                     "match the corresponding input dimension. Received: inputs.shape=%s, mask.shape="
                                     "%s" % (tuple(in_shape), tuple(m_shape)))
            if mask.dtype != dtypes.bool:
                mask = math_ops.greater(mask, math_ops.cast(0.5, mask.dtype))
            fill = array_ops.zeros_like(inputs) + _large_negative_number(inputs.dtype)
            inputs = array_ops.where(mask, inputs, fill)
        if isinstance(self.axis, (tuple, list)):
            if len(self.axis) > 1:
                out = math_ops.exp(inputs - math_ops.reduce_logsumexp(inputs, axis=list(self.axis), keepdims=True))
            else:
                out = nn_ops.softmax(inputs, axis=self.axis[0])
        else:
            out = nn_ops.softmax(inputs, axis=self.axis)
        if mask is not None:
            out = array_ops.where(mask, out, array_ops.zeros_like(out))
        return out

    def get_config(self) -> dict:
        c = super().get_config()
        c["axis"] = self.axis
        return c


@keras_export("keras.layers.ThresholdedReLU")
class ThresholdedReLU(_ElementwiseActivation):
    """Thresholded ReLU (deprecated in Keras 3, kept by tf.keras): x for x > theta, else 0
    (tf.keras.layers.ThresholdedReLU)."""

    def __init__(self, theta: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        if theta is None:
            raise ValueError("Theta of a Thresholded ReLU layer cannot be None, expecting a float. Received: %s"
                             % (theta,))
        if theta < 0:
            raise ValueError("The theta value of a Thresholded ReLU layer should be >=0. Received: %s" % (theta,))
        self.theta = float(np.asarray(theta, dtype=self.compute_dtype.as_numpy_dtype))  # Keras keeps a tensor

    def call(self, inputs):
        theta = math_ops.cast(self.theta, inputs.dtype)
        return inputs * math_ops.cast(math_ops.greater(inputs, theta), inputs.dtype)

    def get_config(self) -> dict:
        c = super().get_config()
        c["theta"] = float(self.theta)
        return c
