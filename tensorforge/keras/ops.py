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
from . import ops_more as _more
from . import ops_nn_extra as _nn_extra
from . import ops_numpy as numpy
from . import ops_numpy_extra as _numpy_extra
from . import ops_numpy_stats as _numpy_stats
from .ops_dtypes import result_type  # noqa: F401

_MATH = ("erfc", "logdet", "cdist", "extract_sequences", "ifft2", "view_as_complex", "view_as_real",
         "stft", "istft")
_LINALG = ("cholesky_inverse", "lu_factor", "matrix_rank", "pinv", "lstsq", "jvp")
_CORE = ("custom_gradient", "saturate_cast")


def _public(mod) -> dict:
    return {name: obj for name, obj in vars(mod).items()
            if not name.startswith("_") and callable(obj)
            and getattr(obj, "__module__", None) == mod.__name__}


def _attach(target, source, names=None) -> None:
    """Make the public functions of `source` (or just `names`) attributes of the namespace `target`."""
    funcs = _public(source)
    for name in names or funcs:
        setattr(target, name, funcs[name])


def _export(*modules) -> None:
    """Publish the public functions defined in `modules` as attributes of this module."""
    namespace = globals()
    for mod in modules:
        namespace.update(_public(mod))


_attach(numpy, _numpy_extra)
_attach(numpy, _numpy_stats)
_attach(nn, _nn_extra)
_attach(math, _more, _MATH)
_attach(linalg, _more, _LINALG)
_attach(core, _more, _CORE)
_export(numpy, _numpy_extra, _numpy_stats, core, nn, _nn_extra, math, linalg, _more)


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _wrap_for_keras_tensors() -> None:
    """keras.ops functions called on Keras functional tensors add operation nodes to the model
    (Keras 3's op classes: `concatenate` -> `Concatenate` in `keras.src.ops.numpy`)."""
    from .operations import keras_op
    namespace = globals()
    wrapped: dict = {}
    for label, mod in (("numpy", numpy), ("nn", nn), ("math", math), ("linalg", linalg), ("core", core),
                       ("image", image)):
        for name, fn in list(vars(mod).items()):
            if name.startswith("_") or not callable(fn) or isinstance(fn, type) or not hasattr(fn, "__code__"):
                continue
            if id(fn) not in wrapped:
                wrapped[id(fn)] = keras_op(fn, _camel(name), "keras.src.ops." + label)
            setattr(mod, name, wrapped[id(fn)])
    for name, fn in list(namespace.items()):
        if not name.startswith("_") and id(fn) in wrapped:
            namespace[name] = wrapped[id(fn)]


_wrap_for_keras_tensors()
