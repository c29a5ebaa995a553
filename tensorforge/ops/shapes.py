"""Shape and dtype inference helpers shared by the op registry entries.

Specs are anything with `.shape` (a TensorShape) and `.dtype`: eager tensors, symbolic
tensors, TensorSpecs. Inference returns a list of (shape tuple or None, DType) pairs;
a None dimension is unknown, a None shape is unknown rank.
"""
from __future__ import annotations

from ..framework import dtypes
from ..framework.errors import InvalidArgumentError


def dims(spec):
    """The shape of `spec` as a tuple of ints/None, or None for unknown rank."""
    return spec.shape._dims


def fmt(shape) -> str:
    """A shape as TF prints it in messages: [2,3] (unknown dims as ?)."""
    if shape is None:
        return "<unknown>"
    return "[%s]" % ",".join("?" if d is None else str(d) for d in shape)


def error(api: str, op_name: str, message: str) -> InvalidArgumentError:
    return InvalidArgumentError(None, None, "%s: %s [Op:%s]" % (api, message, op_name))


def broadcast_shapes(a, b, api="", op_name="", names=("x", "y")):
    """NumPy/TF broadcasting of two static shapes; raises TF's 'Incompatible shapes'."""
    if a is None or b is None:
        return None
    n = max(len(a), len(b))
    a2 = (1,) * (n - len(a)) + tuple(a)
    b2 = (1,) * (n - len(b)) + tuple(b)
    out = []
    for da, db in zip(a2, b2):
        if da == 1:
            out.append(db)
        elif db == 1:
            out.append(da)
        elif da is None:
            out.append(db)
        elif db is None or da == db:
            out.append(da)
        else:
            raise error(api, op_name, "Incompatible shapes: %s vs. %s (arguments %s and %s)"
                        % (fmt(a), fmt(b), names[0], names[1]))
    return tuple(out)


def same_dtype(api: str, op_name: str, specs, names):
    """All specs share one dtype, as TF's type attr `T` requires; returns it."""
    d0 = specs[0].dtype
    for i, s in enumerate(specs[1:], 1):
        if s.dtype is not d0:
            raise InvalidArgumentError(
                None, None, "%s: cannot compute %s as input #%d(zero-based) (argument %s) was expected "
                "to be a %s tensor but is a %s tensor [Op:%s]" % (api, op_name, i, names[i] if i < len(names) else i,
                                                                   d0.name, s.dtype.name, op_name))
    return d0


def check_dtype(api: str, op_name: str, spec, allowed, name="x"):
    """Raise TF's error when `spec.dtype` is not one of `allowed`."""
    if spec.dtype not in allowed:
        raise InvalidArgumentError(
            None, None, "%s: Value for attr 'T' of %s is not in the list of allowed values: %s "
            "(argument %s) [Op:%s]" % (api, spec.dtype.name, ", ".join(d.name for d in allowed), name, op_name))


def normalize_axis(axis: int, rank: int, api="", op_name="") -> int:
    if not -rank <= axis < max(rank, 1):
        raise error(api, op_name, "axis %d is out of bounds for a tensor of rank %d" % (axis, rank))
    return axis % rank if rank else 0


FLOATS = (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64)
FLOATS_COMPLEX = FLOATS + (dtypes.complex64, dtypes.complex128)
INTS = (dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64,
        dtypes.uint8, dtypes.uint16, dtypes.uint32, dtypes.uint64)
NUMERIC = FLOATS_COMPLEX + INTS
REAL = FLOATS + INTS
