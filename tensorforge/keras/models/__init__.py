"""tf.keras.models."""
from .model import Functional, Model, Sequential  # noqa: F401
from .cloning import clone_model, model_from_json  # noqa: F401


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a Keras 3 `.keras` model (tf.keras.models.load_model)."""
    from ..saving import load_model as _load
    return _load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, zipped=True, **kwargs):
    """Saves a model to a Keras 3 `.keras` file (tf.keras.models.save_model)."""
    from ..saving import save_model as _save
    _save(model, filepath, overwrite=overwrite, zipped=zipped)
