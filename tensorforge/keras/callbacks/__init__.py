"""tf.keras.callbacks."""
from .callback import Callback, CallbackList, History, ProgbarLogger  # noqa: F401
