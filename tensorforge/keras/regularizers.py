"""tf.keras.regularizers: weight penalties added to a layer's losses (Keras 3)."""
from __future__ import annotations

import math

import tensorforge as tf

from ._registry import keras_export
from .optimizers import _serial

__all__ = ["Regularizer", "L1", "L2", "L1L2", "OrthogonalRegularizer", "serialize", "deserialize", "get"]


def validate_float_arg(value, name: str) -> float:
    """`value` as a float; a ValueError unless it is a finite, non-negative number."""
    if not isinstance(value, (float, int)) or (math.isinf(value) or math.isnan(value)) or value < 0:
        raise ValueError("Invalid value for argument %s: expected a non-negative float.Received: %s=%s"
                         % (name, name, value))
    return float(value)


@keras_export("keras.regularizers.Regularizer")
class Regularizer:
    """Regularizer base class: `__call__(x)` returns a scalar penalty tensor."""

    def __call__(self, x):
        return 0.0

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def get_config(self) -> dict:
        raise NotImplementedError("%s does not implement get_config()" % self)


@keras_export("keras.regularizers.L1L2", "keras.regularizers.l1_l2")
class L1L2(Regularizer):
    """l1 * sum(abs(x)) + l2 * sum(square(x)) (tf.keras.regularizers.L1L2)."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = validate_float_arg(0.0 if l1 is None else l1, name="l1")
        self.l2 = validate_float_arg(0.0 if l2 is None else l2, name="l2")

    def __call__(self, x):
        x = tf.convert_to_tensor(x)
        regularization = tf.constant(0.0, dtype=x.dtype)
        if self.l1 != 0.0:
            regularization += tf.cast(self.l1, x.dtype) * tf.reduce_sum(tf.abs(x))
        if self.l2 != 0.0:
            regularization += tf.cast(self.l2, x.dtype) * tf.reduce_sum(tf.square(x))
        return regularization

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


@keras_export("keras.regularizers.L1", "keras.regularizers.l1")
class L1(Regularizer):
    """l1 * sum(abs(x)) (tf.keras.regularizers.L1); the factor is kept as a float32 tensor, as Keras."""

    def __init__(self, l1: float = 0.01):
        self.l1 = tf.constant(validate_float_arg(0.01 if l1 is None else l1, name="l1"))

    def __call__(self, x):
        x = tf.convert_to_tensor(x)
        return tf.cast(self.l1, x.dtype) * tf.reduce_sum(tf.abs(x))

    def get_config(self) -> dict:
        return {"l1": float(self.l1)}


@keras_export("keras.regularizers.L2", "keras.regularizers.l2")
class L2(Regularizer):
    """l2 * sum(square(x)) (tf.keras.regularizers.L2)."""

    def __init__(self, l2: float = 0.01):
        self.l2 = validate_float_arg(0.01 if l2 is None else l2, name="l2")

    def __call__(self, x):
        x = tf.convert_to_tensor(x)
        return tf.cast(self.l2, x.dtype) * tf.reduce_sum(tf.square(x))

    def get_config(self) -> dict:
        return {"l2": self.l2}


@keras_export("keras.regularizers.OrthogonalRegularizer", "keras.regularizers.orthogonal_regularizer")
class OrthogonalRegularizer(Regularizer):
    """Penalises non-orthogonal rows (or columns) of a 2-D weight: factor times the mean absolute
    dot product of distinct L2-normalised rows (tf.keras.regularizers.OrthogonalRegularizer)."""

    def __init__(self, factor: float = 0.01, mode: str = "rows"):
        validate_float_arg(factor, name="factor")
        self.factor = tf.constant(float(factor))
        if mode not in {"rows", "columns"}:
            raise ValueError('Invalid value for argument `mode`. Expected one of {"rows", "columns"}. '
                             "Received: mode=%s" % (mode,))
        self.mode = mode

    def __call__(self, inputs):
        inputs = tf.convert_to_tensor(inputs)
        if len(inputs.shape) != 2:
            raise ValueError("Inputs to OrthogonalRegularizer must have rank 2. Received: inputs.shape=%s"
                             % (inputs.shape,))
        axis = 1 if self.mode == "rows" else 0
        square_sum = tf.reduce_sum(tf.square(inputs), axis=axis, keepdims=True)
        inputs = inputs * tf.minimum(tf.math.rsqrt(square_sum), 1.0 / 1e-7)
        if self.mode == "rows":
            product = tf.matmul(inputs, inputs, transpose_b=True)
            size = inputs.shape[0]
        else:
            product = tf.matmul(inputs, inputs, transpose_a=True)
            size = inputs.shape[1]
        product_no_diagonal = product * (1.0 - tf.eye(size, dtype=inputs.dtype))
        num_pairs = size * (size - 1.0) / 2.0
        return tf.cast(self.factor, inputs.dtype) * 0.5 * tf.reduce_sum(tf.abs(product_no_diagonal)) / num_pairs

    def get_config(self) -> dict:
        return {"factor": float(self.factor), "mode": self.mode}


l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer  # Keras' lower-case aliases

ALL_OBJECTS_DICT = {cls.__name__: cls for cls in (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)}
ALL_OBJECTS_DICT.update({"regularizer": Regularizer, "l1": L1, "l2": L2, "l1l2": L1L2, "l1_l2": L1L2,
                         "orthogonal_regularizer": OrthogonalRegularizer})


@keras_export("keras.regularizers.serialize")
def serialize(regularizer) -> dict:
    """The regularizer's Keras config dict."""
    return _serial.serialize_object(regularizer)


@keras_export("keras.regularizers.deserialize")
def deserialize(config, custom_objects: dict | None = None):
    """A regularizer from its config dict."""
    return _serial.deserialize_object(config, "regularizers", ALL_OBJECTS_DICT, custom_objects, "regularizer")


@keras_export("keras.regularizers.get")
def get(identifier):
    """A regularizer from a name ('l2'), a config dict, a class or a callable."""
    return _serial.get_object(identifier, "regularizer", ALL_OBJECTS_DICT, deserialize)
