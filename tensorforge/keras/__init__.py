"""tf.keras: Keras 3 on tensorforge (layers, models, training, losses, metrics, optimizers, saving)."""
from . import (activations, constraints, datasets, initializers, losses, metrics, optimizers,  # noqa: F401
               regularizers, utils)
from . import callbacks, layers, masking, models  # noqa: F401,E402
from .layers import Input, InputSpec, Layer  # noqa: F401,E402
from .models import Model, Sequential  # noqa: F401,E402
from ._registry import register_keras_serializable  # noqa: F401,E402
from . import ops, saving  # noqa: F401,E402
from . import backend, config, preprocessing, random  # noqa: F401,E402
from . import mixed_precision  # noqa: F401,E402
from . import operations  # noqa: F401,E402  (operators on Keras tensors)
from .dtype_policies import DTypePolicy  # noqa: F401,E402
# Keras 3's top-level base classes.
from .initializers import Initializer  # noqa: F401,E402
from .losses import Loss  # noqa: F401,E402
from .metrics import Metric  # noqa: F401,E402
from .optimizers import Optimizer  # noqa: F401,E402
from .regularizers import Regularizer  # noqa: F401,E402
from .variables import Variable  # noqa: F401,E402
