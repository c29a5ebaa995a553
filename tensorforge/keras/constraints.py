"""tf.keras.constraints: projections applied to a variable after each optimizer update (Keras 3)."""
from __future__ import annotations


import tensorforge as tf

from ._registry import keras_export
from .optimizers import _serial

__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "serialize", "deserialize", "get"]

_EPSILON = 1e-7  # keras.backend.epsilon()


def _norms(w, axis):
    return tf.sqrt(tf.reduce_sum(tf.square(w), axis=axis, keepdims=True))


@keras_export("keras.constraints.Constraint")
class Constraint:
    """Constraint base class: `__call__(w)` returns the projected weight."""

    def __call__(self, w):
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


@keras_export("keras.constraints.MaxNorm", "keras.constraints.max_norm")
class MaxNorm(Constraint):
    """Rescales weights whose norm along `axis` exceeds `max_value` (tf.keras.constraints.MaxNorm)."""

    def __init__(self, max_value: float = 2, axis: int = 0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = tf.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = tf.clip_by_value(norms, 0, self.max_value)
        return tf.cast(w, norms.dtype) * (desired / (_EPSILON + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


@keras_export("keras.constraints.NonNeg", "keras.constraints.non_neg")
class NonNeg(Constraint):
    """Clips weights at 0 from below (tf.keras.constraints.NonNeg)."""

    def __call__(self, w):
        w = tf.convert_to_tensor(w)
        return tf.maximum(w, tf.zeros_like(w))


@keras_export("keras.constraints.UnitNorm", "keras.constraints.unit_norm")
class UnitNorm(Constraint):
    """Divides weights by their norm along `axis` (tf.keras.constraints.UnitNorm)."""

    def __init__(self, axis: int = 0):
        self.axis = axis

    def __call__(self, w):
        w = tf.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        return tf.cast(w, norms.dtype) / (_EPSILON + norms)

    def get_config(self) -> dict:
        return {"axis": self.axis}


@keras_export("keras.constraints.MinMaxNorm", "keras.constraints.min_max_norm")
class MinMaxNorm(Constraint):
    """Moves the norm along `axis` towards [min_value, max_value] at `rate`
    (tf.keras.constraints.MinMaxNorm)."""

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: int = 0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = tf.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = self.rate * tf.clip_by_value(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return tf.cast(w, norms.dtype) * (desired / (_EPSILON + norms))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm  # Keras' lower-case aliases

ALL_OBJECTS_DICT = {cls.__name__: cls for cls in (Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm)}
ALL_OBJECTS_DICT.update({"constraint": Constraint, "max_norm": MaxNorm, "min_max_norm": MinMaxNorm,
                         "non_neg": NonNeg, "unit_norm": UnitNorm})


@keras_export("keras.constraints.serialize")
def serialize(constraint) -> dict:
    """The constraint's Keras config dict."""
    return _serial.serialize_object(constraint)


@keras_export("keras.constraints.deserialize")
def deserialize(config, custom_objects: dict | None = None):
    """A constraint from its config dict."""
    return _serial.deserialize_object(config, "constraints", ALL_OBJECTS_DICT, custom_objects, "constraint")


@keras_export("keras.constraints.get")
def get(identifier):
    """A constraint from a name ('non_neg'), a config dict, a class or a callable."""
    return _serial.get_object(identifier, "constraint", ALL_OBJECTS_DICT, deserialize)
