"""tf.keras. This issue ships the dataset loaders and utils; layers and models come with Keras."""
from . import datasets, utils  # noqa: F401
