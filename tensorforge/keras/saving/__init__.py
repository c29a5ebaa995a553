"""tf.keras.saving: Keras 3's `.keras` archives, `.weights.h5` files and object (de)serialisation."""
from __future__ import annotations

from .._registry import keras_export, register_keras_serializable  # noqa: F401
from ..losses import deserialize_keras_object as _deserialize_object
from ..losses import serialize_keras_object as _serialize_object
from . import keras_archive, serialization, weights_h5  # noqa: F401


@keras_export("keras.saving.save_model", "keras.models.save_model")
def save_model(model, filepath, overwrite: bool = True, zipped: bool = True, **kwargs) -> None:
    """Saves `model` (architecture, weights, compile state) to a `.keras` zip (tf.keras.saving.save_model)."""
    keras_archive.save_model(model, filepath, overwrite=overwrite, zipped=zipped)


@keras_export("keras.saving.load_model", "keras.models.load_model")
def load_model(filepath, custom_objects: dict | None = None, compile: bool = True, safe_mode: bool = True):
    """Loads a model saved as a Keras 3 `.keras` file (tf.keras.saving.load_model).

    Args:
      filepath: path to the `.keras` file.
      custom_objects: a dict of names to custom classes or functions used by the model.
      compile: whether to compile the model as it was saved (optimizer, loss, metrics).
      safe_mode: refuse to deserialise Python lambdas (arbitrary code) unless False.
    """
    return keras_archive.load_model(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


@keras_export("keras.saving.save_weights")
def save_weights(model, filepath, overwrite: bool = True) -> None:
    """Saves `model`'s weights to a `.weights.h5` file."""
    keras_archive.save_weights(model, filepath, overwrite=overwrite)


@keras_export("keras.saving.load_weights")
def load_weights(model, filepath, skip_mismatch: bool = False) -> None:
    """Loads `model`'s weights from a `.weights.h5` (or `.keras`) file."""
    keras_archive.load_weights(model, filepath, skip_mismatch=skip_mismatch)


@keras_export("keras.saving.serialize_keras_object")
def serialize_keras_object(obj):
    """Keras 3's serialised form of a Keras object (a layer or model, or a loss, metric, function...)."""
    from ..layers.layer import Layer
    if isinstance(obj, Layer):
        return serialization.serialize_layer(obj)
    return _serialize_object(obj)


@keras_export("keras.saving.deserialize_keras_object")
def deserialize_keras_object(config, custom_objects: dict | None = None, safe_mode: bool = True, **kwargs):
    """Rebuilds an object from `serialize_keras_object` output."""
    if isinstance(config, dict) and config.get("module", "").startswith(("keras.layers", "keras.src.models")) or \
            isinstance(config, dict) and config.get("class_name") in ("Sequential", "Functional"):
        with serialization.SafeModeScope(safe_mode):
            return serialization.deserialize_layer(config, custom_objects)
    package = (config.get("module", "keras.losses").split(".") + ["losses"])[1] if isinstance(config, dict) \
        else "losses"
    return _deserialize_object(config, package, custom_objects)


@keras_export("keras.saving.get_registered_name")
def get_registered_name(obj) -> str:
    """The name `obj` is registered under ('package>Name' for custom objects)."""
    return getattr(obj, "_keras_registered_name", None) or obj.__name__


@keras_export("keras.saving.get_registered_object")
def get_registered_object(name: str, custom_objects: dict | None = None, module_objects: dict | None = None):
    """The class or function registered under `name`, or None."""
    from .._registry import _CUSTOM
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name in _CUSTOM:
        return _CUSTOM[name]
    return (module_objects or {}).get(name)
