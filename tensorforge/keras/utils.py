"""tf.keras.utils."""
from __future__ import annotations

import random

import numpy as np

from ._array_utils import normalize, pad_sequences, to_categorical  # noqa: F401
from ._custom_objects import CustomObjectScope, custom_object_scope, get_custom_objects  # noqa: F401
from ._dataset_utils import (image_dataset_from_directory, split_dataset,  # noqa: F401
                             text_dataset_from_directory, timeseries_dataset_from_array)
from ._image_utils import array_to_img, img_to_array, load_img, save_img  # noqa: F401
from ._progbar import Progbar  # noqa: F401
from ._registry import register_keras_serializable  # noqa: F401
from .backend import clear_session, is_keras_tensor, standardize_dtype  # noqa: F401
from .config import (disable_interactive_logging, enable_interactive_logging,  # noqa: F401
                     is_interactive_logging_enabled)
from .saving import (deserialize_keras_object, get_registered_name, get_registered_object,  # noqa: F401
                     serialize_keras_object)


def set_random_seed(seed: int) -> None:
    """Seeds Python's, NumPy's and tensorforge's random generators (tf.keras.utils.set_random_seed)."""
    if not isinstance(seed, int):
        raise ValueError("Expected `seed` argument to be an integer. Received: seed=%r" % (seed,))
    from ..ops import random_ops
    from .random import _reset_global_seed_generator
    random.seed(seed)
    np.random.seed(seed)
    random_ops.set_seed(seed)
    _reset_global_seed_generator()  # Keras's global SeedGenerator is re-seeded from Python's random
