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
from .framework.tensor import Tensor, TensorSpec  # noqa: F401
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
        sub = getattr(mod, part, None)
        if not isinstance(sub, _types.ModuleType):
            sub = _types.ModuleType(full, "tf.%s" % full.split(".", 1)[1])
            _sys.modules.setdefault(full, sub)
            setattr(mod, part, sub)
        mod = sub
    return mod


for _name, _obj in sorted(_EXPORTS.items()):
    _parent, _, _leaf = _name.rpartition(".")
    setattr(_namespace(_parent) if _parent else _sys.modules[__name__], _leaf, _obj)

# tf.dtypes exposes the dtype objects too.
for _d in dtypes.ALL_DTYPES:
    setattr(_namespace("dtypes"), _d.name, _d)
_namespace("dtypes").DType = DType
_namespace("dtypes").as_dtype = as_dtype
del _name, _obj, _parent, _leaf, _d


# Namespaces that are real subpackages, imported on first use (they need protobuf, h5py, threads...).
_LAZY_SUBPACKAGES = frozenset({"keras", "data", "io", "train"})


def __getattr__(name: str):
    # Heavy namespaces load on first use, keeping `import tensorforge` fast.
    if name in _LAZY_SUBPACKAGES:
        import importlib
        return importlib.import_module("." + name, __name__)
    raise AttributeError("module 'tensorforge' has no attribute %r" % name)
