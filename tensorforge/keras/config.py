"""tf.keras.config: Keras 3's global settings (default float type, fuzz factor, image data format,
interactive logging, traceback filtering, unsafe deserialisation).

The settings are process-wide, as in Keras. `floatx()` is the default dtype of layer weights,
`keras.Input` and the `keras.ops` / `keras.random` functions that take `dtype=None`.
"""
from __future__ import annotations

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_FLOATX_CHOICES = ("bfloat16", "float16", "float32", "float64")

# Keras keeps these in its resettable global state: `clear_session()` restores the defaults.
_DEFAULT_STATE = {"interactive_logging": True, "traceback_filtering": True}
_state: dict = dict(_DEFAULT_STATE)


def floatx() -> str:
    """The default float type, as a string ('float32' unless `set_floatx` changed it)."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Sets the default float type: one of 'bfloat16', 'float16', 'float32', 'float64'.

    Raises:
      ValueError: for any other value.
    """
    global _FLOATX
    if value not in _FLOATX_CHOICES:
        raise ValueError("Unknown `floatx` value: %s. Expected one of %s" % (value, set(_FLOATX_CHOICES)))
    _FLOATX = str(value)


def epsilon() -> float:
    """The fuzz factor used in numeric expressions (1e-07 by default)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Sets the fuzz factor used in numeric expressions."""
    global _EPSILON
    _EPSILON = value


def image_data_format() -> str:
    """The default image data format convention: 'channels_last' (default) or 'channels_first'."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format: str) -> None:
    """Sets the default image data format: 'channels_first' or 'channels_last'."""
    global _IMAGE_DATA_FORMAT
    data_format = str(data_format).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
                         "Received: data_format=%s" % data_format)
    _IMAGE_DATA_FORMAT = data_format


def standardize_data_format(data_format: str | None) -> str:
    """`data_format`, or `image_data_format()` when None; validated."""
    if data_format is None:
        return image_data_format()
    data_format = str(data_format).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
                         "Received: data_format=%s" % data_format)
    return data_format


def backend() -> str:
    """The name of the backend Keras runs on: 'tensorflow' (tensorforge stands in for it)."""
    return "tensorflow"


def enable_interactive_logging() -> None:
    """Progress bars and messages go to stdout (the default)."""
    _state["interactive_logging"] = True


def disable_interactive_logging() -> None:
    """Progress bars and messages go to the `logging` module (logger 'keras', level INFO) instead of stdout."""
    _state["interactive_logging"] = False


def is_interactive_logging_enabled() -> bool:
    """Whether progress bars and messages are written to stdout."""
    return _state["interactive_logging"]


def enable_traceback_filtering() -> None:
    """Turns on filtering of framework-internal frames from tracebacks."""
    _state["traceback_filtering"] = True


def disable_traceback_filtering() -> None:
    """Turns off filtering of framework-internal frames from tracebacks."""
    _state["traceback_filtering"] = False


def is_traceback_filtering_enabled() -> bool:
    """Whether traceback filtering is on (True by default)."""
    return _state["traceback_filtering"]


def enable_unsafe_deserialization() -> None:
    """Disables safe mode, allowing deserialisation of lambdas (Python bytecode) in this thread."""
    from .saving import serialization
    serialization._state.safe_mode = False


def print_msg(message: str, line_break: bool = True) -> None:
    """Writes `message` to stdout, or logs it at INFO level when interactive logging is off."""
    import sys
    message = str(message)
    if is_interactive_logging_enabled():
        sys.stdout.write(message + "\n" if line_break else message)
        sys.stdout.flush()
    else:
        import logging
        logging.getLogger("keras").info(message)


def _reset_state() -> None:
    """Restores the resettable settings (called by `keras.backend.clear_session`)."""
    _state.clear()
    _state.update(_DEFAULT_STATE)
