"""All ops. Importing this package registers every op and installs the tensor operators."""
from . import array_ops, image_ops, linalg_ops, math_ops, nn_ops, random_ops  # noqa: F401
from . import ctc_ops, sampling_ops  # noqa: F401
from . import check_ops  # noqa: F401
from . import composite_specs, logging_ops, ragged_ops, sparse_ops, string_ops  # noqa: F401
from . import audio_ops, signal_ops  # noqa: F401
from . import histogram_ops, set_ops  # noqa: F401
from . import operators  # noqa: F401
from . import morphology_ops  # noqa: F401
from .registry import REGISTRY, bind  # noqa: F401
from . import extra_ops  # noqa: F401
from . import extra_specs  # noqa: F401,E402 - tf.TensorArraySpec, tf.NoneTensorSpec, tf.IndexedSlicesSpec
from . import ragged_extra  # noqa: F401
