"""tf.summary.write and its machinery: the default step, record_if, summary scopes, and the
stateful ops that write events from traced graphs.

Eagerly, a summary call builds its event bytes and queues them on the default writer. While a
tf.function is traced it stages the same work as graph ops, as TF does: the tensor's
preprocessing (cast, histogram buckets, PNG encoding...) and a `WriteSummary` node (TF's op:
inputs step, tensor, tag, summary_metadata; the writer is its `writer` attr, an id looked up
when the node runs). The default writer and a Python `record_if` condition are read at trace
time; a step or condition that is a tensor or variable is read when the function runs (the
write then sits in a `cond`, like TF's smart_cond).
"""
from __future__ import annotations

import atexit
import contextlib
import re
import shutil
import tempfile
import time

import numpy as np

from ..framework import dtypes, errors
from ..framework.context import ctx
from ..framework.convert import convert_to_tensor
from ..framework.module import name_scope
from ..framework.tensor import Tensor
from ..io.tensor_proto import serialize_array
from ..ops.registry import NON_DIFFERENTIABLE, bind, register
from . import _wire
from .writer import _state, lookup

__all__ = ["get_step", "set_step", "record_if", "should_record_summaries", "summary_scope", "write", "write_raw_pb"]

NO_STEP = ("No step set. Please specify one either through the `step` argument or through "
           "tf.summary.experimental.set_step()")
_TRUE = Tensor(np.array(True))
_FALSE = Tensor(np.array(False))
_INVALID_SCOPE_CHARACTERS = re.compile(r"[^-_/.A-Za-z0-9]")


# ---------------------------------------------------------------- ops
def _as_bytes(a) -> bytes:
    v = a.item() if isinstance(a, np.ndarray) else a
    return v.encode("utf-8") if isinstance(v, str) else bytes(v)


def _int(step) -> int:
    return int(np.asarray(step).reshape(-1)[0])


def _write_summary_kernel(xp, step, tensor, tag, summary_metadata, writer=0):
    w = lookup(writer)
    w._add_summary(_int(step), _wire.summary_value(_as_bytes(tag), serialize_array(tensor), _as_bytes(summary_metadata)))
    return ()


def _write_raw_kernel(xp, step, tensor, writer=0):
    w = lookup(writer)
    from ..protos import summary_pb2
    for i, s in enumerate(np.asarray(tensor, dtype=object).reshape(-1)):
        s = _as_bytes(s)
        try:
            summary_pb2.Summary.FromString(s)
        except Exception:  # noqa: BLE001 - protobuf's DecodeError
            raise errors.InvalidArgumentError(None, None, "failed to parse Summary proto (element %d of tensor) "
                                              "[Op:WriteRawProtoSummary]" % i) from None
        w._add_summary(_int(step), s)
    return ()


def _write_graph_kernel(xp, step, tensor, writer=0):
    w = lookup(writer)
    w._add(_wire.graph_event(time.time(), _int(step), _as_bytes(tensor)))
    return ()


def _flush_kernel(xp, writer=0):
    lookup(writer)._events.flush()
    return ()


def _close_kernel(xp, writer=0):
    lookup(writer).close()
    return ()


def _check_scalar(api: str, op: str, spec, what: str) -> None:
    shape = spec.shape._dims
    if shape is not None and len(shape) != 0 and not (len(shape) == 1 and shape[0] in (1, None)):
        raise errors.InvalidArgumentError(None, None, "%s: %s must be a scalar, got shape %s [Op:%s]"
                                          % (api, what, list(shape), op))


def _write_summary_infer(specs, attrs):
    _check_scalar("tf.summary.write", "WriteSummary", specs[0], "step")
    for spec, what in ((specs[2], "tag"), (specs[3], "summary_metadata")):
        if spec.dtype is not dtypes.string:
            raise errors.InvalidArgumentError(None, None, "tf.summary.write: %s must be a string, got %s "
                                              "[Op:WriteSummary]" % (what, spec.dtype.name))
    return []


def _write_raw_infer(specs, attrs):
    _check_scalar("tf.summary.experimental.write_raw_pb", "WriteRawProtoSummary", specs[0], "step")
    if specs[1].dtype is not dtypes.string:
        raise errors.InvalidArgumentError(None, None, "tf.summary.experimental.write_raw_pb: tensor must be a string "
                                          "tensor, got %s [Op:WriteRawProtoSummary]" % specs[1].dtype.name)
    return []


_sample_dir = None


def _sample_writer() -> int:
    """A writer in a temporary directory for the registry tests' samples."""
    global _sample_dir
    from .writer import create_file_writer
    if _sample_dir is None:
        _sample_dir = tempfile.mkdtemp(prefix="tf_summary_samples_")
        atexit.register(shutil.rmtree, _sample_dir, True)
    w = create_file_writer(_sample_dir)
    _SAMPLE_WRITERS.append(w)  # kept open for the samples' lifetime
    return w._id


_SAMPLE_WRITERS: list = []


def _str(s) -> np.ndarray:
    a = np.empty((), dtype=object)
    a[()] = s
    return a


def _summary_samples():
    w = _sample_writer()
    return [([np.int64(3), np.float32(0.5), _str(b"loss"), _str(b"")], {"writer": w}),
            ([np.int64(0), np.arange(6, dtype=np.float64).reshape(2, 3), _str(b"t"), _str(b"\n\x04\n\x02hi")],
             {"writer": w})]


def _raw_samples():
    from ..protos import summary_pb2
    s = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="x", simple_value=1.0)]).SerializeToString()
    return [([np.int64(1), _str(s)], {"writer": _sample_writer()})]


register("WriteSummary", kernel=_write_summary_kernel, infer=_write_summary_infer, grad=NON_DIFFERENTIABLE,
         api="tf.summary.write", num_outputs=0, stateful=True, args=("step", "tensor", "tag", "summary_metadata"),
         samples=_summary_samples)
register("WriteRawProtoSummary", kernel=_write_raw_kernel, infer=_write_raw_infer, grad=NON_DIFFERENTIABLE,
         api="tf.summary.experimental.write_raw_pb", num_outputs=0, stateful=True, args=("step", "tensor"),
         samples=_raw_samples)
register("WriteGraphSummary", kernel=_write_graph_kernel, infer=lambda s, a: [], grad=NON_DIFFERENTIABLE,
         api="tf.summary.graph", num_outputs=0, stateful=True, args=("step", "tensor"),
         samples=lambda: [([np.int64(0), _str(b"")], {"writer": _sample_writer()})])
register("FlushSummaryWriter", kernel=_flush_kernel, infer=lambda s, a: [], grad=NON_DIFFERENTIABLE,
         api="tf.summary.flush", num_outputs=0, stateful=True, args=(),
         samples=lambda: [([], {"writer": _sample_writer()})])
register("CloseSummaryWriter", kernel=_close_kernel, infer=lambda s, a: [], grad=NON_DIFFERENTIABLE,
         api="tf.summary.SummaryWriter.close", num_outputs=0, stateful=True, args=(),
         samples=lambda: [([], {"writer": _sample_writer()})])


def flush_op(writer_id: int):
    return bind("FlushSummaryWriter", [], {"writer": writer_id})


def close_op(writer_id: int):
    return bind("CloseSummaryWriter", [], {"writer": writer_id})


# ---------------------------------------------------------------- step and recording condition
def get_step():
    """Returns the default summary step for the current thread (tf.summary.experimental.get_step).

    Returns:
      The step set by `tf.summary.experimental.set_step()` if one has been set, otherwise None.
    """
    return _state.step


def set_step(step) -> None:
    """Sets the default summary step for the current thread (tf.summary.experimental.set_step).

    The value can be a constant or a variable. Inside a tf.function the step is captured when
    the function is traced, so later changes are seen only through a `tf.Variable` step.

    Args:
      step: an `int64`-castable default step value, or None to unset.
    """
    _state.step = step


@contextlib.contextmanager
def record_if(condition):
    """Sets summary recording on or off per the provided boolean value (tf.summary.record_if).

    Args:
      condition: True, False, a bool tensor or variable, or a callable returning one. A callable
        is called each time a summary is about to be written (inside tf.function: when it is
        traced, so its tensor ops run with the function).

    Yields:
      A context manager that sets this condition on enter and restores the previous one on exit.
    """
    old = _state.is_recording
    try:
        _state.is_recording = condition
        yield
    finally:
        _state.is_recording = old


def _condition(c):
    """A recording condition as a Python bool, or a symbolic bool tensor whose value comes at run time."""
    if c is None:
        return True
    if callable(c) and not hasattr(c, "_as_tensor"):
        c = c()
    if isinstance(c, (bool, np.bool_)):
        return bool(c)
    if not isinstance(c, Tensor) and not getattr(c, "_is_symbolic_tensor", False) and hasattr(c, "_as_tensor"):
        c = c._as_tensor()  # a variable: read now (in a graph: when the function runs)
    if isinstance(c, Tensor):
        return bool(c._value)
    if getattr(c, "_is_symbolic_tensor", False):
        from ..graph.graph import static_value
        v = static_value(c)
        return c if v is None else bool(v)
    return bool(c)


def recording():
    """Whether summaries are recorded now: a Python bool, or a symbolic tensor while tracing."""
    return _condition(_state.is_recording)


def should_record_summaries():
    """Returns a boolean tensor which is True if summaries will be recorded (tf.summary.should_record_summaries).

    If no default summary writer is registered this is always False; otherwise it reflects the
    condition set with `tf.summary.record_if()` (True when none is set).
    """
    if _state.writer is None:
        return _FALSE
    r = recording()
    if r is True:
        return _TRUE
    if r is False:
        return _FALSE
    return r


# ---------------------------------------------------------------- steps
def choose_step(step):
    """`step` checked as TF's _choose_step does: an int64-castable scalar (returned converted)."""
    if type(step) is int:
        return step
    t = convert_to_tensor(step, dtypes.int64)
    if t.shape.num_elements() != 1:
        raise ValueError("Argument `step` must be a scalar. Received step with shape %s." % t.shape)
    return t


def step_value(step) -> int:
    """The int value of a step (eager)."""
    if type(step) is int:
        return step
    if hasattr(step, "_as_tensor") and not isinstance(step, Tensor):
        step = step._as_tensor()
    if isinstance(step, Tensor):
        return int(np.asarray(step._value).reshape(()))
    return int(np.asarray(convert_to_tensor(step, dtypes.int64)._value).reshape(()))


def step_tensor(step):
    """`step` as an int64 tensor for a graph op (a variable is read where this is called)."""
    if isinstance(step, Tensor) or getattr(step, "_is_symbolic_tensor", False):
        return step
    return convert_to_tensor(step, dtypes.int64)


# ---------------------------------------------------------------- scopes and metadata
def current_tag(name: str) -> str:
    """`name` prefixed by the enclosing name scopes (a summary's tag)."""
    scope = ctx.name_scope
    return name if not scope else "/".join(scope) + "/" + name


@contextlib.contextmanager
def summary_scope(name, default_name="summary", values=None):
    """A name scope that also yields a summary tag (tf.summary.experimental.summary_scope).

    The tag is `name` prefixed by the enclosing name scopes, not made unique and keeping
    characters that scope names do not allow.

    Args:
      name: the name of the summary.
      default_name: used when `name` is empty.
      values: unused (TF passes them to name_scope).

    Yields:
      `(tag, scope)`.
    """
    del values
    name = name or default_name
    tag = current_tag(name)
    with name_scope(_INVALID_SCOPE_CHARACTERS.sub("", name) or default_name) as scope:
        yield tag, scope


_METADATA_CACHE: dict = {}


def plugin_metadata(plugin_name: str, description=None, content: bytes = b"", display_name=None) -> bytes:
    """Serialized SummaryMetadata naming a TensorBoard plugin, as tensorboard's summary_v2 writes it (cached)."""
    key = (plugin_name, description, content, display_name)
    m = _METADATA_CACHE.get(key)
    if m is None:
        from ..protos import summary_pb2
        md = summary_pb2.SummaryMetadata(display_name=display_name, summary_description=description,
                                         plugin_data=summary_pb2.SummaryMetadata.PluginData(
                                             plugin_name=plugin_name, content=content))
        m = md.SerializeToString()
        if len(_METADATA_CACHE) < 4096:
            _METADATA_CACHE[key] = m
    return m


def _serialize_metadata(metadata) -> bytes:
    if metadata is None:
        return b""
    if hasattr(metadata, "SerializeToString"):
        return metadata.SerializeToString()
    if isinstance(metadata, Tensor):
        return _as_bytes(metadata._value)
    return bytes(metadata)


def _as_array(value) -> np.ndarray:
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, Tensor):
        return np.asarray(value._value)
    return np.asarray(convert_to_tensor(value)._value)


# ---------------------------------------------------------------- writing
def emit(tag: str, make_value, step, metadata: bytes, make_graph_value=None):
    """Writes `tag` to the default writer if recording: the shared body of every summary function.

    Args:
      tag: the summary tag.
      make_value: called (only when recording) for the value: an array or tensor; while tracing,
        a graph tensor (unless `make_graph_value` is given, which is then used instead).
      step: the step given by the caller, already checked, or None for the default step.
      metadata: serialized SummaryMetadata.

    Returns:
      True if written, False if there is no default writer or recording is off (a tensor).
    """
    writer = _state.writer
    if writer is None or not hasattr(writer, "_id"):
        return _FALSE
    if step is None:
        step = _state.step
    cond = recording()
    if ctx.graph is None:
        if not cond:
            return _FALSE
        if step is None:
            raise ValueError(NO_STEP)
        arr = _as_array(make_value())
        writer._add_summary(step_value(step), _wire.summary_value(tag.encode("utf-8"), serialize_array(arr), metadata))
        return _TRUE

    make = make_graph_value or make_value
    writer_id = writer._id

    def record():
        if step is None:
            raise ValueError(NO_STEP)
        value = make()
        if not isinstance(value, Tensor) and not getattr(value, "_is_symbolic_tensor", False):
            value = convert_to_tensor(value)
        bind("WriteSummary", [step_tensor(step), value, convert_to_tensor(tag), convert_to_tensor(metadata)],
             {"writer": writer_id})
        return _TRUE

    if cond is False:
        return _FALSE
    if cond is True:
        return record()
    from ..graph.control_flow import cond as tf_cond
    return tf_cond(cond, record, lambda: _FALSE)


def write(tag, tensor, step=None, metadata=None, name=None):
    """Writes a generic summary to the default SummaryWriter if one exists (tf.summary.write).

    This exists primarily to support the definition of type-specific summary ops like scalar()
    and image(), and is not intended for direct use unless defining a new type-specific summary op.

    Args:
      tag: string tag used to identify the summary (e.g. in TensorBoard), usually generated with
        `tf.summary.experimental.summary_scope`.
      tensor: the Tensor holding the summary data to write, or a callable that returns it. A
        callable is only called when a default writer exists and recording is on.
      step: explicit `int64`-castable monotonic step value for this summary. If omitted, this
        defaults to `tf.summary.experimental.get_step()`, which must not be None.
      metadata: optional SummaryMetadata, as a proto or serialized bytes.
      name: optional string name for this op (unused).

    Returns:
      True on success, or False if no summary was written because no default summary writer
      was available.

    Raises:
      ValueError: if a default writer exists, but no step was provided and
        `tf.summary.experimental.get_step()` is None.
    """
    del name
    if step is not None:
        step = choose_step(step)
    if isinstance(tag, Tensor):
        tag = _as_bytes(tag._value).decode("utf-8")
    return emit(tag, tensor if callable(tensor) else (lambda: tensor), step, _serialize_metadata(metadata))


def write_raw_pb(tensor, step=None, name=None):
    """Writes a summary using raw `tf.compat.v1.Summary` protocol buffers (tf.summary.experimental.write_raw_pb).

    Args:
      tensor: the string tensor (or bytes) holding one or more serialized `Summary` protobufs.
      step: explicit `int64`-castable monotonic step value for this summary. If omitted, this
        defaults to `tf.summary.experimental.get_step()`, which must not be None.
      name: optional string name for this op (unused).

    Returns:
      True on success, or False if no summary was written because no default summary writer
      was available.

    Raises:
      ValueError: if a default writer exists, but no step was provided and
        `tf.summary.experimental.get_step()` is None.
    """
    del name
    if step is not None:
        step = choose_step(step)
    writer = _state.writer
    if writer is None or not hasattr(writer, "_id"):
        return _FALSE
    if step is None:
        step = _state.step
        if step is None:
            raise ValueError(NO_STEP)
    cond = recording()
    if ctx.graph is None:
        if not cond:
            return _FALSE
        value = tensor if isinstance(tensor, Tensor) else convert_to_tensor(tensor, dtypes.string)
        _write_raw_kernel(np, np.int64(step_value(step)), value._value, writer=writer._id)
        return _TRUE
    writer_id = writer._id

    def record():
        bind("WriteRawProtoSummary", [step_tensor(step), convert_to_tensor(tensor, dtypes.string)],
             {"writer": writer_id})
        return _TRUE

    if cond is False:
        return _FALSE
    if cond is True:
        return record()
    from ..graph.control_flow import cond as tf_cond
    return tf_cond(cond, record, lambda: _FALSE)
