"""tf.keras.preprocessing.sequence."""
from .._array_utils import pad_sequences  # noqa: F401
