"""The profiler's recording session: what is timed while tf.profiler runs, and how.

Nothing here costs anything while no profile is being taken. Starting a session swaps hooks in:

- every registered kernel is replaced by a timing wrapper (`registry.instrument_kernels`), so each
  eager op execution is one event;
- every tf.function plan runs a node-timing variant of itself (`executor.set_profiler_sink`), so
  each graph node execution is one event, plus one for the whole plan run;
- `Trace` spans append their own event.

An event is the tuple `(meta, start_ns, end_ns, thread_ident)` with `meta = (category, name,
op_type, extra)`; appending a tuple to a list is atomic, so threads (tf.data workers) record
without a lock. Stopping swaps the hooks out again and hands the events over.
"""
from __future__ import annotations

import os
import threading
import time
from typing import Callable

EAGER_OP = "eager_op"      # an eager op execution: meta (EAGER_OP, op type, op type, None)
GRAPH_NODE = "graph_node"  # a graph node run by a plan: meta (GRAPH_NODE, node name, op type, function)
FUNCTION = "function"      # a whole plan run: meta (FUNCTION, function name, None, None)
TRACE = "trace"            # a Trace span: meta (TRACE, name, None, {metadata})
OP_CATEGORIES = (EAGER_OP, GRAPH_NODE)

_now = time.perf_counter_ns
_ident = threading.get_ident


class Session:
    """One profiling session: its options, its events and the threads that recorded them."""

    def __init__(self, logdir: str, host_tracer_level: int = 2):
        self.logdir = logdir
        self.host_tracer_level = host_tracer_level
        self.events: list = []
        self.sink: Callable = self.events.append
        self.pid = os.getpid()
        self.thread_names: dict[int, str] = {}
        self.start_ns = self.stop_ns = _now()
        self.start_wall = time.time()

    def _note_threads(self) -> None:
        for t in threading.enumerate():
            if t.ident is not None:
                self.thread_names.setdefault(t.ident, t.name)

    def _timed(self, op_name: str, kernel: Callable) -> Callable:
        """`kernel` wrapped so that each call records an eager-op event."""
        meta = (EAGER_OP, op_name, op_name, None)
        sink, now, ident, names = self.sink, _now, _ident, self.thread_names

        def timed(*args, **kwargs):
            start = now()
            out = kernel(*args, **kwargs)
            end, tid = now(), ident()
            sink((meta, start, end, tid))
            if tid not in names:  # name it now: a worker thread may be gone by the end
                names[tid] = threading.current_thread().name
            return out

        timed.__name__ = getattr(kernel, "__name__", op_name)
        return timed

    def install(self) -> None:
        """Swaps the timing hooks in (kernels, plans) as the tracer level asks."""
        from ..graph import executor
        from ..ops import registry
        self._note_threads()
        self.start_ns = _now()
        if self.host_tracer_level >= 2:
            registry.instrument_kernels(self._timed)
            executor.set_profiler_sink(self.sink)

    def uninstall(self) -> None:
        """Swaps the hooks out; the session's events are complete once this returns."""
        from ..graph import executor
        from ..ops import registry
        if self.host_tracer_level >= 2:
            executor.set_profiler_sink(None)
            registry.instrument_kernels(None)
        self.stop_ns = _now()
        self._note_threads()


current: Session | None = None  # the running session, read by Trace


def record_span(session: Session, name: str, start_ns: int, metadata: dict | None) -> None:
    """Records a `Trace` span that started at `start_ns` and ends now."""
    tid = _ident()
    session.sink(((TRACE, name, None, metadata), start_ns, _now(), tid))
    if tid not in session.thread_names:
        session.thread_names[tid] = threading.current_thread().name
