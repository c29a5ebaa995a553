"""tf.io: TFRecord files, tf.train.Example parsing, tensor serialisation, file and image I/O.

Each module lists its public names in ``__all__``; this package is the ``tf.io`` namespace
(loaded on first use of ``tf.io``), and ``tf.io.gfile`` is the ``gfile`` module.
"""
from . import gfile  # noqa: F401
from .file_io import *  # noqa: F401,F403
from .image import *  # noqa: F401,F403
from .decoding import *  # noqa: F401,F403
from .parse_example import *  # noqa: F401,F403
from .parse_sequence import *  # noqa: F401,F403
from .parsing_config import *  # noqa: F401,F403
from .tensor_proto import *  # noqa: F401,F403
from .tfrecord import *  # noqa: F401,F403
from .sparse_serialization import *  # noqa: F401,F403
