"""tf.keras.datasets: loaders for the small real datasets shipped with tensorforge."""
from . import breast_cancer, digits  # noqa: F401
