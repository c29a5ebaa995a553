"""tf.compat: string conversion helpers, numeric type tuples, shape dimension helpers, the
forward-compatibility horizon, and tf.compat.v2 (the tf module itself)."""
from __future__ import annotations

import contextlib
import datetime
import numbers
import os
import sys

import numpy as np

bytes_or_text_types = (bytes, str)
complex_types = (numbers.Complex, np.number)
integral_types = (numbers.Integral, np.integer)
real_types = (numbers.Real, np.integer, np.floating)


def as_bytes(bytes_or_text, encoding: str = "utf-8") -> bytes:
    """`bytes_or_text` as bytes: str is encoded with `encoding`, bytes and bytearray are copied.

    Raises:
      TypeError: for anything else.
    """
    if isinstance(bytes_or_text, bytearray):
        return bytes(bytes_or_text)
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text
    raise TypeError("Expected binary or unicode string, got %r" % (bytes_or_text,))


def as_text(bytes_or_text, encoding: str = "utf-8") -> str:
    """`bytes_or_text` as str: bytes are decoded with `encoding`.

    Raises:
      TypeError: for anything but str and bytes.
    """
    if isinstance(bytes_or_text, str):
        return bytes_or_text
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text.decode(encoding)
    raise TypeError("Expected binary or unicode string, got %r" % (bytes_or_text,))


def as_str(bytes_or_text, encoding: str = "utf-8") -> str:
    """The same as `as_text`."""
    return as_text(bytes_or_text, encoding)


def as_str_any(value, encoding: str = "utf-8") -> str:
    """`str(value)`, except that bytes are decoded with `encoding`."""
    if isinstance(value, bytes):
        return as_str(value, encoding=encoding)
    return str(value)


def path_to_str(path):
    """A path-like object as str (via os.fspath); anything else is returned unchanged."""
    if isinstance(path, os.PathLike):
        return os.fspath(path)
    return path


def dimension_value(dimension):
    """The value of a shape dimension: an int, or None when unknown."""
    if dimension is None:
        return None
    return getattr(dimension, "value", dimension)


def dimension_at_index(shape, index):
    """Dimension `index` of the TensorShape `shape` (None when unknown, also when the rank is unknown).

    Raises:
      IndexError: `index` is out of range for a shape of known rank.
    """
    from ..framework.tensor_shape import TensorShape
    if not isinstance(shape, TensorShape):
        raise TypeError("dimension_at_index expects a TensorShape, got %r" % (shape,))
    if shape.rank is None:
        return None
    return shape.as_list()[index]


# TF 2.21's forward-compatibility horizon, moved by TF_FORWARD_COMPATIBILITY_DELTA_DAYS.
_FORWARD_COMPATIBILITY_HORIZON = datetime.date(2026, 1, 16)
_DELTA_DAYS_VAR = "TF_FORWARD_COMPATIBILITY_DELTA_DAYS"
_horizon_number = [0]


def _date_number(year: int, month: int, day: int) -> int:
    return (year << 9) | (month << 5) | day


def _update_horizon(date: datetime.date | None = None) -> None:
    if date is None:
        date = _FORWARD_COMPATIBILITY_HORIZON
        delta = os.getenv(_DELTA_DAYS_VAR)
        if delta:
            date += datetime.timedelta(days=int(delta))
    _horizon_number[0] = _date_number(date.year, date.month, date.day)


_update_horizon()


def forward_compatible(year: int, month: int, day: int) -> bool:
    """Whether the forward-compatibility horizon is past the given date: code may then rely on
    features that consumers of its graphs gained on that date."""
    return _horizon_number[0] > _date_number(year, month, day)


@contextlib.contextmanager
def forward_compatibility_horizon(year: int, month: int, day: int):
    """A context in which the forward-compatibility horizon is the given date (for tests).

    >>> with tf.compat.forward_compatibility_horizon(2100, 1, 2):
    ...     tf.compat.forward_compatible(2100, 1, 1)
    True
    """
    try:
        _update_horizon(datetime.date(year, month, day))
        yield
    finally:
        _update_horizon()


v2 = sys.modules[__name__.rsplit(".", 2)[0]]

__all__ = ["as_bytes", "as_str", "as_str_any", "as_text", "path_to_str", "bytes_or_text_types", "complex_types",
           "integral_types", "real_types", "dimension_value", "dimension_at_index", "forward_compatible",
           "forward_compatibility_horizon", "v2"]
