"""Summary writers: tf.summary.create_file_writer, SummaryWriter, the default writer and step.

A file writer owns one event file, named as TF2 names it
(``events.out.tfevents.<10-digit seconds>.<host>.<pid>.<n>`` + ``.v2``), framed as TFRecords,
whose first record is ``Event{wall_time, file_version: "brain.Event:2"}``. Summary calls queue
serialized events; a background thread appends them to the file when more than `max_queue`
are waiting and every `flush_millis`, so the calling thread does no file I/O. `flush()` and
`close()` write synchronously. Records are appended whole, so a crash can only cut the last one.

Graphs refer to a writer by an integer id (the `writer` attr of the summary ops), looked up in
a weak table when the op runs: a writer that was closed or collected makes those ops fail with
NotFoundError, as TF's deleted writer resource does.
"""
from __future__ import annotations

import abc
import atexit
import itertools
import os
import socket
import threading
import time
import weakref

from ..framework import errors
from ..framework.context import ctx
from ..io.gfile import os_error, path_str
from ..io.tfrecord import frame
from . import _wire

__all__ = ["SummaryWriter", "create_file_writer", "create_noop_writer", "flush"]


class _SummaryState(threading.local):
    """The default writer, step and recording condition of the current thread."""

    def __init__(self):
        self.is_recording = None
        self.writer = None
        self.step = None


_state = _SummaryState()

# id -> writer, for the summary ops of traced graphs.
_WRITERS: "weakref.WeakValueDictionary[int, _FileSummaryWriter]" = weakref.WeakValueDictionary()
_writer_ids = itertools.count(1)
_file_uids = itertools.count()       # the per-process counter in TF's event file names
_OPEN_FILES: "weakref.WeakSet[EventFileWriter]" = weakref.WeakSet()


# ---------------------------------------------------------------- the event file
class EventFileWriter:
    """Appends serialized Event records to one event file, flushing from a background thread.

    Args:
      logdir: the directory (created if missing).
      max_queue: the background thread is woken when more events than this are queued.
      flush_millis: the longest time between flushes, in milliseconds.
      filename_suffix: appended to the file name.
    """

    def __init__(self, logdir: str, max_queue: int = 10, flush_millis: int = 120000, filename_suffix: str = ".v2"):
        try:
            os.makedirs(logdir, exist_ok=True)
        except OSError as e:
            raise os_error(e, logdir) from None
        now = time.time()
        name = "events.out.tfevents.%010d.%s.%d.%d%s" % (now, socket.gethostname(), os.getpid(), next(_file_uids),
                                                          filename_suffix)
        self.path = os.path.join(logdir, name)
        try:
            self._f = open(self.path, "wb")
        except OSError as e:
            raise os_error(e, self.path) from None
        self._f.write(frame(_wire.file_version_event(float(int(now)))))
        self._f.flush()
        self._max_queue = int(max_queue)
        self._interval = max(int(flush_millis), 1) / 1000.0
        self._queue: list = []
        self._lock = threading.Lock()       # guards _queue
        self._io_lock = threading.Lock()    # serialises writes to the file
        self._wake = threading.Event()
        self._thread = None
        self._closed = False
        _OPEN_FILES.add(self)

    def add(self, event: bytes) -> None:
        """Queues one serialized Event (no I/O here)."""
        with self._lock:
            q = self._queue
            q.append(event)
            n = len(q)
        if self._thread is None:
            self._start()
        if n > self._max_queue:
            self._wake.set()

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None or self._closed:
                return
            t = threading.Thread(target=_flush_loop, args=(weakref.ref(self), self._wake, self._interval),
                                 name="tf.summary writer", daemon=True)
            self._thread = t
        t.start()

    def flush(self) -> None:
        """Writes every queued event to the file and flushes it."""
        with self._io_lock:
            with self._lock:
                events, self._queue = self._queue, []
            f = self._f
            if f is None:
                return
            try:
                if events:
                    f.write(b"".join([frame(e) for e in events]))
                f.flush()
            except OSError as e:
                raise os_error(e, self.path) from None

    def close(self) -> None:
        """Flushes, stops the background thread and closes the file. Closing twice is fine."""
        if self._closed:
            return
        self._closed = True
        try:
            self.flush()
        finally:
            self._wake.set()
            with self._io_lock:
                f, self._f = self._f, None
            if f is not None:
                f.close()
            _OPEN_FILES.discard(self)

    @property
    def closed(self) -> bool:
        return self._closed


def _flush_loop(ref, wake: threading.Event, interval: float) -> None:
    """The background thread of an EventFileWriter: flush when woken or every `interval` seconds."""
    while True:
        wake.wait(interval)
        wake.clear()
        writer = ref()
        if writer is None or writer._closed:
            return
        try:
            writer.flush()
        except errors.OpError:
            pass  # the next explicit flush() or close() reports it
        del writer


@atexit.register
def _flush_all_at_exit() -> None:
    for w in list(_OPEN_FILES):
        try:
            w.flush()
        except Exception:  # noqa: BLE001 - nothing to report to at exit
            pass


# ---------------------------------------------------------------- writers
class _SummaryContextManager:
    """`writer.as_default(step)`: makes the writer (and step) the thread's default until exit."""

    def __init__(self, writer, step=None):
        self._writer = writer
        self._step = step
        self._old_writer = None
        self._old_step = None

    def __enter__(self):
        self._old_writer = _state.writer
        _state.writer = self._writer
        if self._step is not None:
            self._old_step = _state.step
            _state.step = self._step
        return self._writer

    def __exit__(self, *exc):
        _state.writer.flush()
        _state.writer = self._old_writer
        if self._step is not None:
            _state.step = self._old_step
        return False


class SummaryWriter(metaclass=abc.ABCMeta):  # noqa: B024 - TF's interface: an ABC whose methods raise
    """Interface representing a stateful summary writer object (tf.summary.SummaryWriter)."""

    def set_as_default(self, step=None) -> None:
        """Enables this summary writer for the current thread.

        Args:
          step: an `int64`-castable default step value, or None to leave the step as it is.
        """
        self.as_default(step).__enter__()

    def as_default(self, step=None):
        """Returns a context manager that enables summary writing to this writer.

        Args:
          step: an `int64`-castable default step value (a constant or a variable), or None.
            It is restored when the context manager exits.

        Returns:
          The context manager; entering it returns the writer.
        """
        return _SummaryContextManager(self, step)

    def init(self):
        """Initializes the summary writer."""
        raise NotImplementedError()

    def flush(self):
        """Flushes any buffered data."""
        raise NotImplementedError()

    def close(self):
        """Flushes and closes the summary writer."""
        raise NotImplementedError()


class _FileSummaryWriter(SummaryWriter):
    """The writer create_file_writer returns (TF's _ResourceSummaryWriter)."""

    def __init__(self, logdir: str, max_queue: int, flush_millis: int, filename_suffix: str):
        self._events = EventFileWriter(logdir, max_queue, flush_millis, filename_suffix)
        self._logdir = logdir
        self._closed = False
        self._id = next(_writer_ids)
        _WRITERS[self._id] = self

    def set_as_default(self, step=None) -> None:
        if ctx.graph is None and self._closed:
            raise RuntimeError(f"SummaryWriter {self!r} is already closed")
        super().set_as_default(step)

    def as_default(self, step=None):
        if ctx.graph is None and self._closed:
            raise RuntimeError(f"SummaryWriter {self!r} is already closed")
        return super().as_default(step)

    def init(self):
        """Initializes the summary writer (its file exists from creation; nothing to do)."""
        if ctx.graph is None and self._closed:
            raise RuntimeError(f"SummaryWriter {self!r} is already closed")
        return None

    def flush(self):
        """Writes every queued event to the file (inside tf.function: when the function runs)."""
        if ctx.graph is not None:
            from . import ops
            return ops.flush_op(self._id)
        if not self._closed:
            self._events.flush()
        return None

    def close(self):
        """Flushes and closes the event file; later writes to this writer fail."""
        if ctx.graph is not None:
            from . import ops
            return ops.close_op(self._id)
        if self._closed:
            return None
        self._closed = True
        _WRITERS.pop(self._id, None)
        self._events.close()
        return None

    # -- used by the summary functions and the ops' kernels
    def _add(self, event: bytes) -> None:
        if self._closed:
            raise _closed_error(self._id)
        self._events.add(event)

    def _add_summary(self, step: int, summary: bytes) -> None:
        self._add(_wire.summary_event(time.time(), step, summary))

    @property
    def _path(self) -> str:
        return self._events.path

    def __del__(self):
        # TF destroys the writer resource when the Python object goes: flush and close.
        if not getattr(self, "_closed", True):
            try:
                self._closed = True
                self._events.close()
            except Exception:  # noqa: BLE001 - never raise from a finalizer
                pass


def _closed_error(writer_id: int) -> errors.NotFoundError:
    return errors.NotFoundError(None, None, "Resource localhost/_AnonymousVar%d/N10tensorflow22SummaryWriterInterfaceE "
                                "does not exist. (The summary writer was closed.)" % writer_id)


def lookup(writer_id: int) -> _FileSummaryWriter:
    """The open writer with this id (the ops' kernels), or NotFoundError."""
    w = _WRITERS.get(writer_id)
    if w is None or w._closed:
        raise _closed_error(writer_id)
    return w


class _NoopSummaryWriter(SummaryWriter):
    """A summary writer that does nothing, for create_noop_writer()."""

    def set_as_default(self, step=None) -> None:
        pass

    def as_default(self, step=None):
        return _NoopContext()

    def init(self):
        pass

    def flush(self):
        pass

    def close(self):
        pass


class _NoopContext:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _check_arg(arg_name: str, value) -> None:
    if getattr(value, "_is_symbolic_tensor", False):
        raise ValueError(f"Invalid graph Tensor argument '{arg_name}={value}' to create_file_writer() inside an "
                         "@tf.function. The create call will be lifted into the outer eager execution context, so it "
                         "cannot consume graph tensors defined inside the function body.")


def _int_arg(value) -> int:
    return int(value.numpy()) if hasattr(value, "numpy") else int(value)


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None, name=None,
                       experimental_trackable=False, experimental_mesh=None) -> SummaryWriter:
    """Creates a summary file writer for the given log directory (tf.summary.create_file_writer).

    Args:
      logdir: a string specifying the directory in which to write an event file.
      max_queue: the largest number of summaries to keep in a queue; the queue is written out
        once it gets bigger than this. Defaults to 10.
      flush_millis: the largest interval between flushes. Defaults to 120,000.
      filename_suffix: optional suffix for the event file name. Defaults to `.v2`.
      name: a name for the op that creates the writer (unused).
      experimental_trackable: accepted for compatibility (the writer is not saved with a module).
      experimental_mesh: accepted for compatibility (DTensor meshes do not exist here).

    Returns:
      A SummaryWriter object.

    Raises:
      ValueError: if `logdir` is None, or an argument is a graph tensor.
    """
    del name, experimental_trackable, experimental_mesh
    if logdir is None:
        raise ValueError("Argument `logdir` cannot be None")
    for arg_name, value in (("logdir", logdir), ("max_queue", max_queue), ("flush_millis", flush_millis),
                            ("filename_suffix", filename_suffix)):
        _check_arg(arg_name, value)
    return _FileSummaryWriter(
        path_str(logdir),
        10 if max_queue is None else _int_arg(max_queue),
        120000 if flush_millis is None else _int_arg(flush_millis),
        ".v2" if filename_suffix is None else path_str(filename_suffix))


def create_noop_writer() -> SummaryWriter:
    """Returns a summary writer that does nothing (tf.summary.create_noop_writer).

    This is useful as a placeholder in code that expects a context manager.
    """
    return _NoopSummaryWriter()


def flush(writer=None, name=None):
    """Forces a summary writer to send any buffered data to storage (tf.summary.flush).

    This blocks until that finishes.

    Args:
      writer: the `tf.summary.SummaryWriter` to flush; None flushes the current default
        writer, if any.
      name: ignored legacy argument.

    Raises:
      ValueError: if `writer` is not a SummaryWriter.
    """
    del name
    if writer is None:
        writer = _state.writer
        if writer is None:
            return None
    if isinstance(writer, SummaryWriter):
        return writer.flush()
    raise ValueError("Invalid argument to flush(): %r" % (writer,))
