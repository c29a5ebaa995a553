"""Keras names: one decorator publishes a class or function for deserialisation by name.

`@keras_export("keras.losses.MeanSquaredError", "keras.losses.mse")` records the object under
its package ("losses") and short names, which `get(identifier)` lookups, `from_config` of
containers, and .keras loading use. (The Python attribute `tf.keras.losses.MeanSquaredError`
is simply the module attribute.)
"""
from __future__ import annotations

_BUILTINS: dict[tuple[str, str], object] = {}
_CUSTOM: dict[str, object] = {}


def keras_export(*names: str):
    def deco(obj):
        for n in names:
            parts = n.split(".")
            if parts[0] != "keras" or len(parts) < 2:
                raise ValueError("keras_export names look like 'keras[.<package>].<Name>', got %r" % n)
            key = (".".join(parts[1:-1]), parts[-1])
            if key in _BUILTINS and _BUILTINS[key] is not obj:
                raise ValueError("%s exported twice" % n)
            _BUILTINS[key] = obj
        return obj
    return deco


def lookup(package: str, name: str, custom_objects: dict | None = None):
    """The object registered as `name` in `package` ('losses', 'metrics', ...), or None."""
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name in _CUSTOM:
        return _CUSTOM[name]
    return _BUILTINS.get((package, name))


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Registers a user class/function under 'package>name' for deserialisation
    (tf.keras.saving.register_keras_serializable)."""
    def deco(obj):
        key = "%s>%s" % (package, name or obj.__name__)
        if key in _CUSTOM and _CUSTOM[key] is not obj:
            raise ValueError("%s has already been registered to %r" % (key, _CUSTOM[key]))
        _CUSTOM[key] = obj
        _CUSTOM[name or obj.__name__] = obj
        obj._keras_registered_name = key
        return obj
    return deco
