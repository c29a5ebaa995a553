"""Python operators on Tensor and Variable, mapped to TF's ops as TF maps them."""
from __future__ import annotations

from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor
from ..framework.variables import Variable
from . import array_ops, linalg_ops, math_ops, shapes


def _eq(x, y):
    # TF's tensor_equals: None compares unequal; shapes that do not broadcast give False
    # (Equal with incompatible_shape_error=False); a dtype mismatch still raises.
    if y is None:
        return False
    x, y = math_ops.binary_operands("Equal", x, y)
    try:
        shapes.broadcast_shapes(x.shape._dims, y.shape._dims)
    except InvalidArgumentError:
        return convert_to_tensor(False)
    return math_ops.equal(x, y)


def _ne(x, y):
    if y is None:
        return True
    x, y = math_ops.binary_operands("NotEqual", x, y)
    try:
        shapes.broadcast_shapes(x.shape._dims, y.shape._dims)
    except InvalidArgumentError:
        return convert_to_tensor(True)
    return math_ops.not_equal(x, y)


def _and(x, y):
    x, y = math_ops.binary_operands("LogicalAnd", x, y)
    return math_ops.logical_and(x, y) if x.dtype.is_bool else math_ops.bitwise_and(x, y)


def _or(x, y):
    x, y = math_ops.binary_operands("LogicalOr", x, y)
    return math_ops.logical_or(x, y) if x.dtype.is_bool else math_ops.bitwise_or(x, y)


def _xor(x, y):
    x, y = math_ops.binary_operands("LogicalXor", x, y)
    return math_ops.logical_xor(x, y) if x.dtype.is_bool else math_ops.bitwise_xor(x, y)


def _invert(x):
    x = math_ops._t(x)
    return math_ops.logical_not(x) if x.dtype.is_bool else math_ops.bitwise_invert(x)


_OPERATORS = {
    "__add__": lambda x, y: math_ops.add(x, y),
    "__radd__": lambda x, y: math_ops.add(y, x),
    "__sub__": lambda x, y: math_ops.subtract(x, y),
    "__rsub__": lambda x, y: math_ops.subtract(y, x),
    "__mul__": lambda x, y: math_ops.multiply(x, y),
    "__rmul__": lambda x, y: math_ops.multiply(y, x),
    "__truediv__": lambda x, y: math_ops.truediv(x, y),
    "__rtruediv__": lambda x, y: math_ops.truediv(y, x),
    "__floordiv__": lambda x, y: math_ops.floordiv(x, y),
    "__rfloordiv__": lambda x, y: math_ops.floordiv(y, x),
    "__mod__": lambda x, y: math_ops.floormod(x, y),
    "__rmod__": lambda x, y: math_ops.floormod(y, x),
    "__pow__": lambda x, y: math_ops.pow(x, y),
    "__rpow__": lambda x, y: math_ops.pow(y, x),
    "__matmul__": lambda x, y: linalg_ops.matmul(x, y),
    "__rmatmul__": lambda x, y: linalg_ops.matmul(y, x),
    "__neg__": lambda x: math_ops.negative(x),
    "__abs__": lambda x: math_ops.abs(x),
    "__invert__": _invert,
    "__and__": _and,
    "__rand__": lambda x, y: _and(y, x),
    "__or__": _or,
    "__ror__": lambda x, y: _or(y, x),
    "__xor__": _xor,
    "__rxor__": lambda x, y: _xor(y, x),
    "__lt__": lambda x, y: math_ops.less(x, y),
    "__le__": lambda x, y: math_ops.less_equal(x, y),
    "__gt__": lambda x, y: math_ops.greater(x, y),
    "__ge__": lambda x, y: math_ops.greater_equal(x, y),
    "__eq__": _eq,
    "__ne__": _ne,
    "__getitem__": lambda x, key: array_ops.slice_helper(x, key),
}


def install(cls) -> None:
    for name, fn in _OPERATORS.items():
        setattr(cls, name, fn)


# Set by tensorforge.keras: an operator applied to a Keras functional tensor (outside a layer's
# call) becomes a Keras operation node of the model being built, as keras.KerasTensor's do.
KERAS_OPERATOR = None


def _symbolic_method(name, fn):
    def method(x, *rest):
        hook = KERAS_OPERATOR
        if hook is not None and getattr(x.graph, "keras_history", None) is not None:
            return hook(name, fn, x, *rest)
        return fn(x, *rest)
    method.__name__ = name
    return method


def install_symbolic(cls) -> None:
    """The operators of graph tensors, which may be Keras functional tensors."""
    for name, fn in _OPERATORS.items():
        setattr(cls, name, _symbolic_method(name, fn) if name not in ("__eq__",) else fn)


install(Tensor)
install(Variable)
Variable.__hash__ = lambda self: id(self)
