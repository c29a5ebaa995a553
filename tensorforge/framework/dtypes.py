"""TensorFlow's dtypes, backed by NumPy (and ml_dtypes for bfloat16)."""
from __future__ import annotations

import ml_dtypes
import numpy as np


class DType:
    """A TensorFlow element type (`tf.float32`, `tf.int64`, `tf.string`, ...)."""

    __slots__ = ("name", "as_numpy_dtype", "_np", "as_datatype_enum", "size",
                 "is_floating", "is_integer", "is_complex", "is_bool", "is_unsigned",
                 "is_quantized")

    def __init__(self, name: str, np_type, enum: int):
        self.name = name
        self.as_numpy_dtype = np_type
        self._np = np.dtype(np_type)
        self.as_datatype_enum = enum
        kind = self._np.kind
        self.is_floating = kind == "f" or name == "bfloat16"
        self.is_complex = kind == "c"
        self.is_bool = kind == "b"
        self.is_integer = kind in "iu"
        self.is_unsigned = kind == "u" or self.is_bool
        self.is_quantized = False
        self.size = self._np.itemsize if kind != "O" else 8

    @property
    def base_dtype(self) -> "DType":
        return self

    @property
    def real_dtype(self) -> "DType":
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    @property
    def is_numeric(self) -> bool:
        return self.name not in ("string", "bool")

    @property
    def min(self):
        if self.is_floating:
            return ml_dtypes.finfo(self._np).min if self.name == "bfloat16" else np.finfo(self._np).min
        if self.is_integer:
            return np.iinfo(self._np).min
        if self.is_bool:
            return False
        raise TypeError("Cannot find minimum value of %s." % self.name)

    @property
    def max(self):
        if self.is_floating:
            return ml_dtypes.finfo(self._np).max if self.name == "bfloat16" else np.finfo(self._np).max
        if self.is_integer:
            return np.iinfo(self._np).max
        if self.is_bool:
            return True
        raise TypeError("Cannot find maximum value of %s." % self.name)

    @property
    def limits(self):
        return self.min, self.max

    def is_compatible_with(self, other) -> bool:
        return as_dtype(other) is self

    def __repr__(self) -> str:
        return "tf." + self.name

    def __str__(self) -> str:
        return "<dtype: %r>" % self.name

    def __eq__(self, other) -> bool:
        if other is self:
            return True
        if other is None:
            return False
        try:
            return as_dtype(other) is self
        except TypeError:
            return False

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return self.as_datatype_enum

    def __reduce__(self):
        return as_dtype, (self.name,)


# Enum values are TF's DataType proto numbers (types.proto), so graphs and files agree with TF.
float16 = DType("float16", np.float16, 19)
half = float16
float32 = DType("float32", np.float32, 1)
float64 = DType("float64", np.float64, 2)
double = float64
bfloat16 = DType("bfloat16", ml_dtypes.bfloat16, 14)
int8 = DType("int8", np.int8, 6)
int16 = DType("int16", np.int16, 5)
int32 = DType("int32", np.int32, 3)
int64 = DType("int64", np.int64, 9)
uint8 = DType("uint8", np.uint8, 4)
uint16 = DType("uint16", np.uint16, 17)
uint32 = DType("uint32", np.uint32, 22)
uint64 = DType("uint64", np.uint64, 23)
bool = DType("bool", np.bool_, 10)  # noqa: A001 - TF's public name
complex64 = DType("complex64", np.complex64, 8)
complex128 = DType("complex128", np.complex128, 18)
string = DType("string", np.object_, 7)

ALL_DTYPES = (float16, float32, float64, bfloat16, int8, int16, int32, int64, uint8, uint16,
              uint32, uint64, bool, complex64, complex128, string)
_BY_NAME = {d.name: d for d in ALL_DTYPES}
_BY_NAME.update(half=float16, double=float64)
_BY_ENUM = {d.as_datatype_enum: d for d in ALL_DTYPES}
# Keyed by np.dtype: the eager hot path maps every kernel result through this dict.
_BY_NP = {d._np: d for d in ALL_DTYPES}
_BY_NP[np.dtype("S")] = string
_BY_NP[np.dtype("U")] = string

FLOATING = (float16, bfloat16, float32, float64)
INTEGER = (int8, int16, int32, int64, uint8, uint16, uint32, uint64)


def from_numpy(np_dtype) -> DType:
    """The DType of a NumPy dtype (byte and unicode strings map to tf.string)."""
    d = _BY_NP.get(np_dtype)
    if d is None:
        np_dtype = np.dtype(np_dtype)
        d = _BY_NP.get(np_dtype)
        if d is None:
            if np_dtype.kind in "SU":
                return string
            raise TypeError("Cannot convert NumPy dtype %s to a TensorFlow DType." % np_dtype)
    return d


def as_dtype(type_value) -> DType:
    """Converts `type_value` (a DType, name, NumPy type or enum) to a `tf.DType`."""
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        d = _BY_NAME.get(type_value)
        if d is not None:
            return d
    elif isinstance(type_value, int) and not isinstance(type_value, type(True)):
        d = _BY_ENUM.get(type_value)
        if d is not None:
            return d
    elif type_value is float:
        return float32
    elif type_value is int:
        return int32
    elif type_value is type(True):
        return bool
    elif type_value in (str, bytes):
        return string
    elif type_value is complex:
        return complex128
    else:
        dt = getattr(type_value, "dtype", None)
        if isinstance(dt, DType):
            return dt
        try:
            return from_numpy(np.dtype(type_value))
        except TypeError:
            pass
    raise TypeError("Cannot convert value %r to a TensorFlow DType." % (type_value,))


DType.__module__ = "tensorforge"
