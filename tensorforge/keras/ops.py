"""tf.keras.ops: Keras 3's backend-agnostic ops (NumPy-style, core, nn, math, linalg, image).

Written over tensorforge ops, so they run eagerly, inside tf.function and under tf.GradientTape,
with Keras 3's names, argument names and (TensorFlow-backend) result dtypes. The sub-namespaces
`ops.numpy`, `ops.nn`, `ops.math`, `ops.linalg`, `ops.image` and `ops.core` mirror Keras 3's; every
public function of numpy/core/nn/math/linalg is also a top-level `ops.<name>`, as in Keras 3.

>>> from tensorforge.keras import ops
>>> ops.mean(ops.arange(4)).numpy()
np.float32(1.5)
"""
from . import ops_core as core
from . import ops_image as image  # noqa: F401
from . import ops_linalg as linalg
from . import ops_math as math
from . import ops_nn as nn
from . import ops_numpy as numpy
from .ops_dtypes import result_type  # noqa: F401


def _export(*modules) -> None:
    """Publish the public functions defined in `modules` as attributes of this module."""
    namespace = globals()
    for mod in modules:
        for name, obj in vars(mod).items():
            if not name.startswith("_") and callable(obj) and getattr(obj, "__module__", None) == mod.__name__:
                namespace[name] = obj


_export(numpy, core, nn, math, linalg)
