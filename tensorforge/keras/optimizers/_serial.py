"""Keras 3's object serialisation, as far as optimizers, schedules, initializers, regularizers,
constraints and activations need it: `{"module", "class_name", "config", "registered_name"}`
dicts, and the reverse lookup by name through tensorforge/keras/_registry.py."""
from __future__ import annotations

import inspect
import types

from .. import _registry

_PLAIN = (str, int, float, bool)


def public_module(obj) -> str | None:
    """'keras.<package>' where `obj` (a class or function) is registered as a built-in, else None."""
    found = None
    for (package, name), value in _registry._BUILTINS.items():
        if value is obj and name == getattr(obj, "__name__", None):
            if package:
                return "keras." + package
            found = "keras"
    return found


def serialize_value(value):
    """A config value as JSON-friendly data (tensors and arrays become `__tensor__`/`__numpy__`)."""
    if value is None or isinstance(value, _PLAIN):
        return value
    if isinstance(value, (list, tuple)):
        out = [serialize_value(v) for v in value]
        return tuple(out) if isinstance(value, tuple) else out
    if isinstance(value, dict):
        return {k: serialize_value(v) for k, v in value.items()}
    if hasattr(value, "as_numpy_dtype") and hasattr(value, "name"):  # a DType
        return value.name
    if hasattr(value, "numpy") and hasattr(value, "dtype"):  # an eager tensor or variable
        return {"class_name": "__tensor__",
                "config": {"value": value.numpy().tolist(), "dtype": value.dtype.name}}
    if type(value).__module__ == "numpy":
        if getattr(value, "ndim", 0) > 0:
            return {"class_name": "__numpy__", "config": {"value": value.tolist(), "dtype": str(value.dtype)}}
        return value.item()
    if hasattr(value, "get_config") or callable(value):
        return serialize_object(value)
    return value


def serialize_object(obj):
    """Keras 3's `serialize_keras_object` for objects with `get_config` and named functions."""
    if obj is None or isinstance(obj, _PLAIN):
        return obj
    if isinstance(obj, types.FunctionType):
        module = public_module(obj)
        name = getattr(obj, "_keras_registered_name", None) or obj.__name__
        return {"module": module or obj.__module__, "class_name": "function", "config": name,
                "registered_name": name}
    cls = obj.__class__
    module = public_module(cls)
    config = {k: serialize_value(v) for k, v in obj.get_config().items()}
    if module is not None:
        return {"module": module, "class_name": cls.__name__, "config": config, "registered_name": None}
    return {"module": cls.__module__, "class_name": cls.__name__, "config": config,
            "registered_name": getattr(cls, "_keras_registered_name", cls.__name__)}


def deserialize_value(value):
    """The reverse of `serialize_value` for `__tensor__` and `__numpy__` entries."""
    if isinstance(value, dict) and value.get("class_name") in ("__tensor__", "__numpy__"):
        import tensorforge as tf
        cfg = value["config"]
        return tf.constant(cfg["value"], dtype=cfg["dtype"])
    return value


def find(package: str, name: str, module_objects: dict | None, custom_objects: dict | None):
    """The class or function registered as `name` (custom objects first, then built-ins)."""
    found = _registry.lookup(package, name, custom_objects)
    if found is None and module_objects:
        found = module_objects.get(name)
    return found


def deserialize_object(config, package: str, module_objects: dict | None = None,
                       custom_objects: dict | None = None, printable_module_name: str = "object"):
    """Keras 3's `deserialize_keras_object`: a name string or a serialised dict to the object.

    A string gives the registered class or function itself; a dict gives
    `cls.from_config(config["config"])` (or the named function when `class_name` is 'function').
    """
    if config is None:
        return None
    if isinstance(config, str):
        obj = find(package, config, module_objects, custom_objects)
        if obj is None:
            raise ValueError("Could not interpret %s identifier: %s" % (printable_module_name, config))
        return obj
    if not isinstance(config, dict):
        return config
    if "class_name" not in config or "config" not in config:
        raise ValueError("Unknown %s config: %r" % (printable_module_name, config))
    class_name = config["class_name"]
    inner = config["config"]
    if class_name == "function":
        name = config.get("registered_name") or inner
        obj = find(package, name, module_objects, custom_objects) or find(package, inner, module_objects,
                                                                           custom_objects)
        if obj is None:
            raise ValueError("Could not locate function '%s'. Make sure custom functions are registered "
                             "with `@keras.saving.register_keras_serializable()`." % inner)
        return obj
    obj = None
    if config.get("registered_name"):
        obj = find(package, config["registered_name"], None, custom_objects)
    if obj is None:
        obj = find(package, class_name, module_objects, custom_objects)
    if obj is None:
        raise ValueError("Could not locate class '%s'. Make sure custom classes are decorated with "
                         "`@keras.saving.register_keras_serializable()`. Full object config: %r"
                         % (class_name, config))
    if not inspect.isclass(obj):
        return obj
    inner = {k: deserialize_value(v) for k, v in (inner or {}).items()}
    from_config = obj.from_config
    if custom_objects is not None and "custom_objects" in inspect.signature(from_config).parameters:
        return from_config(inner, custom_objects=custom_objects)
    return from_config(inner)


def get_object(identifier, kind: str, module_objects: dict, deserialize):
    """Keras's `get` for a config dict, a registered name, a class (instantiated) or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = module_objects.get(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj() if isinstance(obj, type) else obj
    raise ValueError("Could not interpret %s identifier: %s" % (kind, identifier))
