"""tf.profiler.experimental: programmatic profiling of eager ops, tf.function graph nodes and
Trace spans.

A profile is written as Chrome trace-event JSON to
`<logdir>/plugins/profile/<YYYY_MM_DD_HH_MM_SS>/<hostname>.trace.json.gz` (with an uncompressed
`.trace.json` beside it), which Perfetto (ui.perfetto.dev) and chrome://tracing open. TensorFlow
writes an XSpace `.xplane.pb` there instead, for TensorBoard's Profile tab.
"""
from __future__ import annotations

import collections as _collections
import functools as _functools
import logging as _logging
import os as _os
import threading as _threading
import types as _types

from ..framework import errors as _errors
from . import recorder as _recorder
from . import trace_events as _trace_events

__all__ = ["Profile", "ProfilerOptions", "Trace", "client", "server", "start", "stop", "summary"]

_lock = _threading.Lock()
_log = _logging.getLogger("tensorforge.profiler")


class ProfilerOptions(_collections.namedtuple("ProfilerOptions", [
        "host_tracer_level", "python_tracer_level", "device_tracer_level", "delay_ms"])):
    """Options for finer control over the profiler (tf.profiler.experimental.ProfilerOptions).

    Fields:
      host_tracer_level: `1` records Trace spans only, `2` (the default) and `3` also every op
        execution, tf.function run and graph node. `0` records nothing.
      python_tracer_level: `1` would trace Python function calls; not supported (ignored with a
        warning). Default `0`.
      device_tracer_level: accepted for compatibility; tensorforge runs on the host. Default `1`.
      delay_ms: accepted for compatibility (remote profiling). Default `None`.
    """

    def __new__(cls, host_tracer_level=2, python_tracer_level=0, device_tracer_level=1, delay_ms=None):
        return super().__new__(cls, host_tracer_level, python_tracer_level, device_tracer_level, delay_ms)


class _ProfileSummary(str):
    """The text summary `stop()` returns; prints as the table it holds. `trace_path` is the
    `.trace.json.gz` file written. (A tensorforge addition: TF's `stop` returns None.)"""

    trace_path: str = ""

    def __repr__(self) -> str:
        return str(self)


def start(logdir, options: ProfilerOptions | None = None) -> None:
    """Starts profiling (tf.profiler.experimental.start).

    Args:
      logdir: Profiling results log directory.
      options: `ProfilerOptions` namedtuple to specify miscellaneous profiler options.

    Raises:
      AlreadyExistsError: If a profiling session is already running.
    """
    options = options if options is not None else ProfilerOptions()
    with _lock:
        if _recorder.current is not None:
            raise _errors.AlreadyExistsError(None, None, "Another profiler is running.")
        if options.python_tracer_level:
            _log.warning("python_tracer_level=%s is not supported: Python function calls are not traced.",
                         options.python_tracer_level)
        session = _recorder.Session(_os.fspath(logdir), int(options.host_tracer_level))
        session.install()
        _recorder.current = session


def stop(save: bool = True) -> _ProfileSummary | None:
    """Stops the current profiling session and, with `save`, writes its trace (tf.profiler.experimental.stop).

    Args:
      save: Whether to save the profile results under the session's logdir. Default True.

    Returns:
      With `save`, the text summary of the top ops by time (a tensorforge addition; see `summary`),
      whose `trace_path` attribute is the file written; else None.

    Raises:
      UnavailableError: If there is no active profiling session.
    """
    with _lock:
        session = _recorder.current
        if session is None:
            raise _errors.UnavailableError(None, None, "Cannot export profiling results. No profiler is running.")
        _recorder.current = None
        session.uninstall()
    if not save:
        return None
    trace = _trace_events.to_chrome_trace(session)
    path = _trace_events.write(trace, session.logdir)
    result = _ProfileSummary(_trace_events.summarize_spans(_trace_events.session_spans(session)))
    result.trace_path = path
    _log.info("Profile written to %s\n%s", path, result)
    return result


def summary(path_or_events, top: int = 20) -> str:
    """The top `top` op types of a profile by total time, as a text table (a tensorforge addition).

    Each row gives the op type, its number of executions, its total and mean self time (time spent
    in ops it ran inside it, such as the body of a While, counted for those ops) and its share of
    the time spent in all ops. Eager op executions and tf.function graph nodes both count.

    Args:
      path_or_events: a `.trace.json` or `.trace.json.gz` file, a log directory (its newest profile
        is used), a trace dict as written, or a list of its trace events.
      top: how many op types to list.

    Returns:
      The table as a string.
    """
    return _trace_events.summary(path_or_events, top)


class Profile:
    """Context manager that profiles its body (tf.profiler.experimental.Profile).

    ```python
    with tf.profiler.experimental.Profile("/path/to/logdir"):
      # do some work
    ```
    """

    def __init__(self, logdir, options: ProfilerOptions | None = None):
        self._logdir = logdir
        self._options = options

    def __enter__(self):
        start(self._logdir, self._options)

    def __exit__(self, typ, value, tb):
        stop()


class Trace:
    """Context manager that records a named span in the profile (tf.profiler.experimental.Trace).

    The span starts when the Trace is created and ends when its context exits; keyword arguments
    (e.g. `step_num`) become the event's args. Nothing is recorded while no profiler runs.

    ```python
    tf.profiler.experimental.start('logdir')
    for step in range(num_steps):
      with tf.profiler.experimental.Trace("Train", step_num=step, _r=1):
        train_fn()
    tf.profiler.experimental.stop()
    ```

    A Trace also decorates a function (a tensorforge addition): each call is then one span.
    """

    def __init__(self, name: str, **kwargs):
        self._name = name
        self._kwargs = kwargs
        self._session = session = _recorder.current
        self._start = _recorder._now() if session is not None and session.host_tracer_level >= 1 else None

    def __enter__(self):
        return self

    def set_metadata(self, **kwargs) -> None:
        """Sets metadata (args) in this trace event."""
        if self._start is not None and kwargs:
            self._kwargs = {**self._kwargs, **kwargs}

    def __exit__(self, exc_type, exc_val, exc_tb):
        if self._start is not None:
            _recorder.record_span(self._session, self._name, self._start, self._kwargs or None)
            self._start = None

    def __call__(self, func):
        name, kwargs = self._name, self._kwargs

        @_functools.wraps(func)
        def traced(*args, **kw):
            if _recorder.current is None:
                return func(*args, **kw)
            with Trace(name, **kwargs):
                return func(*args, **kw)
        return traced


def _unsupported(what: str):
    def fail(*args, **kwargs):
        raise _errors.UnimplementedError(None, None, "%s is not supported by tensorforge: profile in-process "
                                        "with tf.profiler.experimental.start/stop." % what)
    fail.__name__ = what.rsplit(".", 1)[-1]
    return fail


server = _types.SimpleNamespace(start=_unsupported("tf.profiler.experimental.server.start"))
client = _types.SimpleNamespace(trace=_unsupported("tf.profiler.experimental.client.trace"),
                               monitor=_unsupported("tf.profiler.experimental.client.monitor"))
