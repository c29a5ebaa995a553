"""Custom-object registration for tf.keras.utils: get_custom_objects and custom_object_scope."""
from __future__ import annotations

from ._registry import _CUSTOM


def get_custom_objects() -> dict:
    """The global dict of custom objects (name -> class or function) used when deserialising."""
    return _CUSTOM


class CustomObjectScope:
    """Makes custom objects visible to deserialisation inside a `with` block.

    Example:
      >>> with tf.keras.utils.custom_object_scope({"MyLayer": MyLayer}):
      ...     model = tf.keras.models.load_model("model.keras")
    """

    def __init__(self, custom_objects: dict | None = None):
        self.custom_objects = dict(custom_objects or {})
        self._backup = None

    def __enter__(self):
        self._backup = dict(_CUSTOM)
        _CUSTOM.update(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _CUSTOM.clear()
        _CUSTOM.update(self._backup)


custom_object_scope = CustomObjectScope
