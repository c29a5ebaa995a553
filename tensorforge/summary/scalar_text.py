"""tf.summary.scalar and tf.summary.text: TensorBoard's "scalars" and "text" plugins.

A scalar is written as a float32 scalar tensor, text as the string tensor itself, each with
`metadata.plugin_data.plugin_name` naming the plugin (content empty), as tensorboard's
summary_v2 does under TF2.
"""
from __future__ import annotations

import time

import numpy as np

from ..framework import dtypes
from ..framework.context import ctx
from ..framework.convert import convert_to_tensor
from ..framework.tensor import Tensor
from ..framework.tensor_shape import TensorShape
from . import _wire
from .ops import _FALSE, _TRUE, NO_STEP, choose_step, current_tag, emit, plugin_metadata, recording, step_value, \
    summary_scope
from .writer import _state

__all__ = ["scalar", "text"]


_PARTS: dict = {}   # (tag, metadata) -> the scalar event's bytes around its value


def _not_scalar(shape) -> ValueError:
    return ValueError("Expected scalar shape, saw shape: %s." % (TensorShape(shape),))


def _scalar_value(data) -> float:
    """`data` as a Python float of float32 precision; raises TF's error for a non-scalar."""
    if type(data) is float or type(data) is int:
        return float(np.float32(data))
    if not isinstance(data, Tensor):
        if hasattr(data, "_as_tensor"):
            data = data._as_tensor()
        else:
            data = np.asarray(data) if isinstance(data, (np.ndarray, np.generic, list, tuple)) else \
                convert_to_tensor(data)
    a = data._value if isinstance(data, Tensor) else data
    if np.ndim(a) != 0:
        raise _not_scalar(np.shape(a))
    if isinstance(data, Tensor) and data.dtype is dtypes.string:
        raise TypeError("tf.summary.scalar: cannot cast a tf.string tensor to float32")
    return float(np.asarray(a).astype(np.float32))


def scalar(name, data, step=None, description=None):
    """Writes a scalar summary (tf.summary.scalar).

    Example:

    >>> with tf.summary.create_file_writer("/tmp/logs").as_default():
    ...     for step in range(100):
    ...         tf.summary.scalar("loss", 1.0 / (step + 1), step=step)

    Args:
      name: a name for this summary. The summary tag used for TensorBoard will be this name
        prefixed by any active name scopes.
      data: a real numeric scalar value, convertible to a `float32` Tensor.
      step: explicit `int64`-castable monotonic step value for this summary. If omitted, this
        defaults to `tf.summary.experimental.get_step()`, which must not be None.
      description: optional long-form description for this summary, as a constant `str`.
        Markdown is supported. Defaults to empty.

    Returns:
      True on success, or False if no summary was written because no default summary writer
      was available.

    Raises:
      ValueError: if a default writer exists, but no step was provided and
        `tf.summary.experimental.get_step()` is None; or if `data` is not a scalar.
    """
    metadata = plugin_metadata("scalars", description)
    if ctx.graph is None:
        # The eager path builds the event bytes directly: a few microseconds.
        value = _scalar_value(data)
        if step is not None:
            step = choose_step(step)
        writer = _state.writer
        if writer is None or not hasattr(writer, "_id"):
            return _FALSE
        if step is None:
            step = _state.step
        if not recording():
            return _FALSE
        if step is None:
            raise ValueError(NO_STEP)
        tag = current_tag(name or "scalar_summary")
        parts = _PARTS.get((tag, metadata))
        if parts is None:
            parts = _wire.scalar_parts(tag.encode("utf-8"), metadata)
            if len(_PARTS) < 4096:
                _PARTS[(tag, metadata)] = parts
        writer._add(_wire.scalar_event(time.time(), step_value(step), parts, value))
        return _TRUE
    from ..ops import math_ops
    with summary_scope(name, "scalar_summary") as (tag, _):
        data = convert_to_tensor(data)
        if data.shape.rank != 0:
            raise _not_scalar(data.shape)
        if step is not None:
            step = choose_step(step)
        return emit(tag, lambda: math_ops.cast(data, dtypes.float32), step, metadata)


def text(name, data, step=None, description=None):
    """Writes a text summary (tf.summary.text).

    Args:
      name: a name for this summary. The summary tag used for TensorBoard will be this name
        prefixed by any active name scopes.
      data: a UTF-8 string tensor (or something convertible to one) of any shape.
      step: explicit `int64`-castable monotonic step value for this summary. If omitted, this
        defaults to `tf.summary.experimental.get_step()`, which must not be None.
      description: optional long-form description for this summary, as a constant `str`.
        Markdown is supported. Defaults to empty.

    Returns:
      True on success, or False if no summary was written because no default summary writer
      was available.

    Raises:
      ValueError: if a default writer exists, but no step was provided and
        `tf.summary.experimental.get_step()` is None.
      TypeError: if `data` is not a string tensor.
    """
    metadata = plugin_metadata("text", description)
    with summary_scope(name, "text_summary") as (tag, _):
        data = convert_to_tensor(data)
        if data.dtype is not dtypes.string:
            raise TypeError("tensor must be of type tf.string; got tf.%s" % data.dtype.name)
        if step is not None:
            step = choose_step(step)
        return emit(tag, lambda: data, step, metadata)
