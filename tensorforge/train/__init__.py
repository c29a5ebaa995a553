"""tf.train: tf.train.Example and friends (protobuf messages) and object-based checkpoints."""
from .checkpoint import *  # noqa: F401,F403
from .example import *  # noqa: F401,F403
from .moving_averages import *  # noqa: F401,F403
