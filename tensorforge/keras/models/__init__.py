"""tf.keras.models."""
from .model import Functional, Model, Sequential  # noqa: F401
