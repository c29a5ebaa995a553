"""Execution context: eager vs graph building, active tapes, name and device scopes.

The one mutable global of the runtime. `bind` reads `ctx.graph` and `ctx.tapes` on every
op, so both are plain attributes of a thread-local object.
"""
from __future__ import annotations

import contextlib
import threading


class _Context(threading.local):
    def __init__(self):
        self.graph = None          # the graph being built, or None when executing eagerly
        self.tapes = []            # active GradientTapes that are recording
        self.name_scope = []       # name scope stack (strings)
        self.device = "/job:localhost/replica:0/task:0/device:CPU:0"


ctx = _Context()


def executing_eagerly() -> bool:
    """Whether ops run immediately (True outside tf.function tracing)."""
    return ctx.graph is None


@contextlib.contextmanager
def graph_scope(graph):
    """Makes `graph` the graph ops are added to (used by tracing)."""
    prev, prev_tapes = ctx.graph, ctx.tapes
    ctx.graph = graph
    ctx.tapes = []  # tapes outside the function see its call, not the ops traced inside
    try:
        yield graph
    finally:
        ctx.graph, ctx.tapes = prev, prev_tapes


@contextlib.contextmanager
def init_scope():
    """Leaves graph building for eager execution (variable initialisers run here)."""
    prev, prev_tapes = ctx.graph, ctx.tapes
    ctx.graph = None
    ctx.tapes = []
    try:
        yield
    finally:
        ctx.graph, ctx.tapes = prev, prev_tapes


_name_counts: dict = {}


def unique_name(base: str) -> str:
    """A scoped name, made unique with TF's `_N` suffix."""
    full = "/".join(ctx.name_scope + [base]) if ctx.name_scope else base
    n = _name_counts.get(full, 0)
    _name_counts[full] = n + 1
    return full if n == 0 else "%s_%d" % (full, n)
