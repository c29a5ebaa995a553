"""tf.keras.layers."""
from .core import Activation, Dense, Dropout, Flatten, Identity, Reshape  # noqa: F401
from .input_layer import Input, InputLayer  # noqa: F401
from .layer import Layer  # noqa: F401
