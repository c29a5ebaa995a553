"""tensorforge: the TensorFlow platform in Python, on NumPy.

    import tensorforge as tf
"""
from __future__ import annotations

import sys as _sys
import types as _types

from . import _memory  # noqa: F401 - tunes malloc for NumPy kernels, first
from . import ops as _ops  # registers every op  # noqa: F401
from . import graph as _graph  # tf.function  # noqa: F401
from .framework import nest as _nest  # tf.nest  # noqa: F401
from ._api import EXPORTS as _EXPORTS
from .autodiff import GradientTape, UnconnectedGradients  # noqa: F401
from .autodiff.custom_gradient import custom_gradient  # noqa: F401
from .autodiff import graph_gradients as _graph_gradients  # noqa: F401  (tf.gradients, tf.hessians, ...)
from .framework import dtypes  # noqa: F401
from .framework import errors  # noqa: F401
from .framework.context import executing_eagerly  # noqa: F401
from .framework.convert import (constant, convert_to_tensor, is_tensor,  # noqa: F401
                                register_tensor_conversion_function)
from .framework.dtypes import (DType, as_dtype, bfloat16, bool, complex64, complex128, double,  # noqa: F401,A004
                               float16, float32, float64, half, int8, int16, int32, int64, string, uint8,
                               uint16, uint32, uint64)
from .framework.indexed_slices import IndexedSlices  # noqa: F401
from .framework.module import Module, device, name_scope  # noqa: F401
from .framework.tensor import Tensor, TensorSpec, TypeSpec  # noqa: F401
from .framework.tensor_shape import TensorShape  # noqa: F401
from .framework.variables import Variable, VariableAggregation, VariableSynchronization  # noqa: F401
from . import config  # noqa: F401,E402

__version__ = "0.1.0"
newaxis = None


def _namespace(path: str) -> _types.ModuleType:
    """The public sub-namespace `tf.<path>` (a module object), created on first use."""
    mod = _sys.modules[__name__]
    full = __name__
    for part in path.split("."):
        full += "." + part
        sub = mod.__dict__.get(part)
        if not isinstance(sub, _types.ModuleType):
            sub = _types.ModuleType(full, "tf.%s" % full.split(".", 1)[1])
            sub.__getattr__ = _lazy_lookup(sub)
            _sys.modules.setdefault(full, sub)
            setattr(mod, part, sub)
        mod = sub
    return mod


# Lazy subpackages that also export names into eager namespaces (tf.image.decode_png is tf.io's).
_EXPORTING_SUBPACKAGES = ("io", "data")


def _lazy_lookup(namespace: _types.ModuleType):
    """A module __getattr__ for a namespace: a missing name may come from a lazy subpackage."""
    def __getattr__(name: str):
        if not name.startswith("__"):
            import importlib
            for sub in _EXPORTING_SUBPACKAGES:
                if __name__ + "." + sub not in _sys.modules:
                    importlib.import_module("." + sub, __name__)
                    _publish()
            if name in namespace.__dict__:
                return namespace.__dict__[name]
        raise AttributeError("module %r has no attribute %r" % (namespace.__name__, name))
    return __getattr__


def _publish() -> None:
    """Puts every tf_export'ed name into its namespace (again after a lazy subpackage added some)."""
    for name, obj in sorted(_EXPORTS.items()):
        parent, _, leaf = name.rpartition(".")
        setattr(_namespace(parent) if parent else _sys.modules[__name__], leaf, obj)


_publish()

# tf.dtypes exposes the dtype objects too.
for _d in dtypes.ALL_DTYPES:
    setattr(_namespace("dtypes"), _d.name, _d)
_namespace("dtypes").DType = DType
_namespace("dtypes").as_dtype = as_dtype
del _d


# Namespaces that are real subpackages, imported on first use (they need protobuf, h5py, threads...).
_LAZY_SUBPACKAGES = frozenset({"keras", "data", "io", "train", "summary", "compat", "profiler", "lookup"})


# TF's aliases of Keras namespaces (tf.losses is tf.keras.losses, ...).
_KERAS_ALIASES = frozenset({"losses", "metrics", "optimizers", "initializers"})


def __getattr__(name: str):
    # Heavy namespaces load on first use, keeping `import tensorforge` fast.
    if name == "raw_ops":
        from .graph.raw_ops import raw_ops
        return raw_ops
    if name == "test":  # tf.test imports unittest: loaded on first use
        from . import testing  # noqa: F401
        _publish()
        return _sys.modules[__name__].__dict__["test"]
    if name in _KERAS_ALIASES:
        import importlib
        return importlib.import_module(".keras." + name, __name__)
    if name in _LAZY_SUBPACKAGES:
        import importlib
        module = importlib.import_module("." + name, __name__)
        _publish()  # names a lazy subpackage exported into eager namespaces (tf.image.decode_png...)
        return module
    if not name.startswith("__"):
        # Top-level names a lazy subpackage exports (tf.make_ndarray, tf.make_tensor_proto...).
        import importlib
        for sub in _EXPORTING_SUBPACKAGES:
            if __name__ + "." + sub not in _sys.modules:
                importlib.import_module("." + sub, __name__)
                _publish()
        if name in globals():
            return globals()[name]
    raise AttributeError("module 'tensorforge' has no attribute %r" % name)
