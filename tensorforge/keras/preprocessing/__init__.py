"""tf.keras.preprocessing: Keras 3's legacy preprocessing namespace."""
from .._dataset_utils import (image_dataset_from_directory, text_dataset_from_directory,  # noqa: F401
                              timeseries_dataset_from_array)
from . import image, sequence  # noqa: F401,E402
