"""tf.keras.activations: Keras 3's activation functions, written with tensorforge ops.

Example:

>>> tf.keras.activations.relu(tf.constant([-1.0, 0.5, 8.0]), max_value=6.0).numpy()
array([0. , 0.5, 6. ], dtype=float32)
"""
from __future__ import annotations

import types

import tensorforge as tf

from ._registry import keras_export
from .optimizers import _serial

def _t(x):
    return x if tf.is_tensor(x) else tf.convert_to_tensor(x)


@keras_export("keras.activations.relu")
def relu(x, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0):
    """Rectified linear unit: max(x, 0), with an optional leak below `threshold` and a ceiling.

    Args:
      x: input tensor.
      negative_slope: slope for values below the threshold.
      max_value: the largest output value (None: unbounded).
      threshold: values below it are damped (to 0 without a slope).
    """
    x = _t(x)
    if negative_slope != 0.0:
        if max_value is None and threshold == 0:
            return tf.nn.leaky_relu(x, alpha=negative_slope)
        negative_part = tf.nn.relu(-x + threshold) if threshold != 0 else tf.nn.relu(-x)
    else:
        negative_part = 1
    clip_max = max_value is not None
    if threshold != 0:
        x = tf.where(tf.greater(x, tf.cast(threshold, x.dtype)), x, tf.zeros_like(x))
    elif max_value == 6:
        x = tf.nn.relu6(x)
        clip_max = False
    else:
        x = tf.nn.relu(x)
    if clip_max:
        x = tf.clip_by_value(x, tf.cast(0.0, x.dtype), tf.cast(max_value, x.dtype))
    if negative_slope != 0.0:
        x -= negative_slope * negative_part
    return x


@keras_export("keras.activations.leaky_relu")
def leaky_relu(x, negative_slope: float = 0.2):
    """x for x >= 0, negative_slope * x otherwise."""
    return tf.nn.leaky_relu(_t(x), alpha=negative_slope)


@keras_export("keras.activations.relu6")
def relu6(x):
    """min(max(x, 0), 6)."""
    return tf.nn.relu6(_t(x))


@keras_export("keras.activations.softmax")
def softmax(x, axis: int = -1):
    """exp(x) / sum(exp(x)) along `axis` (None: over all elements)."""
    x = _t(x)
    if axis is None:
        return tf.reshape(tf.nn.softmax(tf.reshape(x, [-1]), axis=-1), tf.shape(x))
    return tf.nn.softmax(x, axis=axis)


@keras_export("keras.activations.log_softmax")
def log_softmax(x, axis: int = -1):
    """log(softmax(x)) along `axis`, computed stably."""
    x = _t(x)
    if axis is None:
        return tf.reshape(tf.nn.log_softmax(tf.reshape(x, [-1]), axis=-1), tf.shape(x))
    return tf.nn.log_softmax(x, axis=axis)


@keras_export("keras.activations.elu")
def elu(x, alpha: float = 1.0):
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    x = _t(x)
    res = tf.nn.elu(x)
    return res if alpha == 1 else tf.where(x > 0, res, alpha * res)


@keras_export("keras.activations.selu")
def selu(x):
    """Scaled ELU (scale 1.0507, alpha 1.6733)."""
    return tf.nn.selu(_t(x))


@keras_export("keras.activations.celu")
def celu(x, alpha: float = 1.0):
    """max(x, 0) + alpha * expm1(min(x, 0) / alpha)."""
    x = _t(x)
    return tf.maximum(x, 0.0) + alpha * tf.math.expm1(tf.minimum(x, 0.0) / alpha)


@keras_export("keras.activations.softplus")
def softplus(x):
    """log(exp(x) + 1)."""
    return tf.math.softplus(_t(x))


@keras_export("keras.activations.softsign")
def softsign(x):
    """x / (abs(x) + 1)."""
    return tf.nn.softsign(_t(x))


@keras_export("keras.activations.soft_shrink")
def soft_shrink(x, threshold: float = 0.5):
    """x - threshold above it, x + threshold below -threshold, 0 between."""
    x = _t(x)
    return tf.where(x > threshold, x - threshold, tf.where(x < -threshold, x + threshold, tf.zeros_like(x)))


@keras_export("keras.activations.sparse_plus")
def sparse_plus(x):
    """0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x otherwise."""
    x = _t(x)
    return tf.where(x <= -1, tf.zeros_like(x), tf.where(x < 1, (1 / 4) * tf.pow(x + 1, 2), x))


@keras_export("keras.activations.silu", "keras.activations.swish")
def silu(x):
    """x * sigmoid(x) (swish)."""
    return tf.nn.silu(_t(x))


@keras_export("keras.activations.squareplus")
def squareplus(x, b: float = 4):
    """(x + sqrt(x^2 + b)) / 2."""
    x = _t(x)
    y = x + tf.sqrt(tf.square(x) + tf.cast(b, x.dtype))
    return y / 2


@keras_export("keras.activations.gelu")
def gelu(x, approximate: bool = False):
    """Gaussian error linear unit: x * P(X <= x), X ~ N(0, 1) (tanh approximation when `approximate`)."""
    return tf.nn.gelu(_t(x), approximate=approximate)


@keras_export("keras.activations.glu")
def glu(x, axis: int = -1):
    """Gated linear unit: a * sigmoid(b), with x split in halves a, b along `axis`."""
    x = _t(x)
    if x.shape[axis] % 2 != 0:
        raise ValueError("axis size must be divisible by 2. Received: x.shape=%s with axis=%s" % (x.shape, axis))
    x1, x2 = tf.split(x, 2, axis=axis)
    return x1 * tf.sigmoid(x2)


@keras_export("keras.activations.tanh")
def tanh(x):
    """Hyperbolic tangent."""
    return tf.nn.tanh(_t(x))


@keras_export("keras.activations.tanh_shrink")
def tanh_shrink(x):
    """x - tanh(x)."""
    x = _t(x)
    return x - tf.math.tanh(x)


@keras_export("keras.activations.hard_tanh")
def hard_tanh(x):
    """x clipped to [-1, 1]."""
    return tf.clip_by_value(_t(x), -1.0, 1.0)


@keras_export("keras.activations.hard_shrink")
def hard_shrink(x, threshold: float = 0.5):
    """x where abs(x) > threshold, else 0."""
    x = _t(x)
    return tf.where(tf.abs(x) > threshold, x, tf.zeros_like(x))


@keras_export("keras.activations.threshold")
def threshold(x, threshold, default_value):  # noqa: F811 - Keras names the argument like the function
    """x where x > threshold, else default_value."""
    x = _t(x)
    return tf.where(x > threshold, x, tf.cast(default_value, x.dtype))


@keras_export("keras.activations.sigmoid")
def sigmoid(x):
    """1 / (1 + exp(-x))."""
    return tf.nn.sigmoid(_t(x))


@keras_export("keras.activations.sparse_sigmoid")
def sparse_sigmoid(x):
    """0 for x <= -1, 1 for x >= 1, (x + 1) / 2 between."""
    x = _t(x)
    return tf.where(x <= -1, tf.zeros_like(x), tf.where(x >= 1, tf.ones_like(x), 0.5 * (x + 1)))


@keras_export("keras.activations.exponential")
def exponential(x):
    """exp(x)."""
    return tf.exp(_t(x))


@keras_export("keras.activations.hard_sigmoid")
def hard_sigmoid(x):
    """Keras 3's piecewise-linear sigmoid: relu6(x + 3) / 6."""
    x = _t(x)
    return tf.nn.relu6(x + tf.constant(3.0, x.dtype)) / tf.constant(6.0, x.dtype)


@keras_export("keras.activations.log_sigmoid")
def log_sigmoid(x):
    """log(sigmoid(x)), computed stably."""
    return tf.math.log_sigmoid(_t(x))


@keras_export("keras.activations.hard_silu", "keras.activations.hard_swish")
def hard_silu(x):
    """x * hard_sigmoid(x)."""
    x = _t(x)
    return x * hard_sigmoid(x)


@keras_export("keras.activations.linear")
def linear(x):
    """The identity: returns x unchanged."""
    return x


@keras_export("keras.activations.mish")
def mish(x):
    """x * tanh(softplus(x))."""
    x = _t(x)
    return x * tf.nn.tanh(tf.math.softplus(x))


@keras_export("keras.activations.sparsemax")
def sparsemax(x, axis: int = -1):
    """The Euclidean projection of x onto the probability simplex along `axis` (sparse softmax)."""
    logits = _t(x)
    logits_sorted = tf.sort(logits, direction="DESCENDING", axis=axis)
    logits_cumsum = tf.cumsum(logits_sorted, axis=axis)
    r = tf.range(1, tf.shape(logits)[axis] + 1, dtype=logits.dtype)
    r_shape = [1] * len(logits.shape)
    r_shape[axis] = -1
    r = tf.reshape(r, r_shape)
    support = logits_sorted - (logits_cumsum - 1) / r > 0
    logits_cumsum_safe = tf.where(support, logits_cumsum, tf.zeros_like(logits_cumsum))
    k = tf.reduce_sum(tf.cast(support, logits.dtype), axis=axis, keepdims=True)
    tau = (tf.reduce_sum(logits_cumsum_safe, axis=axis, keepdims=True) - 1) / k
    return tf.maximum(logits - tau, tf.zeros_like(logits))


swish = silu
hard_swish = hard_silu

_FUNCTIONS = [relu, leaky_relu, relu6, softmax, celu, elu, selu, softplus, softsign, squareplus, soft_shrink,
              sparse_plus, silu, gelu, glu, tanh, tanh_shrink, threshold, sigmoid, sparse_sigmoid, exponential,
              hard_sigmoid, hard_silu, hard_tanh, hard_shrink, linear, mish, log_softmax, log_sigmoid, sparsemax]
ALL_OBJECTS_DICT = {fn.__name__: fn for fn in _FUNCTIONS}
ALL_OBJECTS_DICT["swish"] = silu
ALL_OBJECTS_DICT["hard_swish"] = hard_silu
_BUILTIN_IDS = {id(fn) for fn in _FUNCTIONS}


@keras_export("keras.activations.serialize")
def serialize(activation):
    """A built-in activation's name ('relu'); a registered custom function's registered name; an
    activation object's config dict."""
    if id(activation) in _BUILTIN_IDS:
        return activation.__name__
    if isinstance(activation, types.FunctionType):
        name = getattr(activation, "_keras_registered_name", None)
        if name is None:
            raise ValueError("Unknown activation function '%s' cannot be serialized due to invalid function name. "
                             "Make sure to use an activation name that matches the references defined in "
                             "activations.py or use `@keras.saving.register_keras_serializable()`to register any "
                             "custom activations." % (activation,))
        return {"module": activation.__module__, "class_name": "function", "config": name, "registered_name": name}
    if not hasattr(activation, "get_config"):
        raise ValueError("Unknown activation function '%s' cannot be serialized." % (activation,))
    return _serial.serialize_object(activation)


@keras_export("keras.activations.deserialize")
def deserialize(config, custom_objects: dict | None = None):
    """The activation function named or described by `config`."""
    return _serial.deserialize_object(config, "activations", ALL_OBJECTS_DICT, custom_objects, "activation")


@keras_export("keras.activations.get")
def get(identifier):
    """An activation function from a name ('relu'), a config dict or a callable; None gives `linear`."""
    if identifier is None:
        return linear
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier) or _serial.find("activations", identifier, None, None)
    else:
        obj = identifier
    if callable(obj):
        return obj
    raise ValueError("Could not interpret activation function identifier: %s" % (identifier,))
