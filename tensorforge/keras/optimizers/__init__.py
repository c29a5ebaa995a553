"""tf.keras.optimizers: Keras 3's optimizers and learning-rate schedules.

Example:

>>> opt = tf.keras.optimizers.get("adam")
>>> opt.get_config()["learning_rate"]
0.0010000000474974513
"""
from __future__ import annotations

from .._registry import keras_export
from . import _serial, legacy, schedules  # noqa: F401
from .adagrad import Adadelta, Adagrad
from .adam import Adam, Adamax, AdamW, Nadam
from .base import Optimizer
from .factored import Adafactor, Lamb, Muon
from .ftrl import Ftrl
from .lion import Lion
from .loss_scale import LossScaleOptimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "Adagrad", "Adadelta", "Lion",
           "Ftrl", "Adafactor", "Lamb", "Muon", "LossScaleOptimizer", "schedules", "serialize", "deserialize", "get"]

ALL_OBJECTS_DICT = {cls.__name__.lower(): cls for cls in (Optimizer, SGD, Adam, AdamW, Adamax, Nadam, RMSprop,
                                                          Adagrad, Adadelta, Lion, Ftrl, Adafactor, Lamb, Muon,
                                                          LossScaleOptimizer)}


@keras_export("keras.optimizers.serialize")
def serialize(optimizer) -> dict:
    """The optimizer's Keras config dict (module, class_name, config, registered_name)."""
    return _serial.serialize_object(optimizer)


@keras_export("keras.optimizers.deserialize")
def deserialize(config, custom_objects: dict | None = None):
    """An optimizer from its config dict; built-in class names are matched case-insensitively."""
    config = dict(config)
    if config["class_name"].lower() in ALL_OBJECTS_DICT:
        config["class_name"] = config["class_name"].lower()
    return _serial.deserialize_object(config, "optimizers", ALL_OBJECTS_DICT, custom_objects, "optimizer")


@keras_export("keras.optimizers.get")
def get(identifier):
    """An optimizer from a name ('adam', 'sgd', ...), a config dict or an Optimizer (returned as is)."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = deserialize({"class_name": identifier, "config": {}})
    else:
        obj = identifier
    if isinstance(obj, Optimizer):
        return obj
    raise ValueError("Could not interpret optimizer identifier: %s" % (identifier,))
