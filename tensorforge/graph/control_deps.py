"""tf.control_dependencies, tf.group, tf.no_op, tf.tuple, tf.init_scope, tf.inside_function,
tf.get_current_name_scope, tf.timestamp and tf.get_logger.

Inside a tf.function, `control_dependencies(deps)` makes every op created in its block run
after the ops that produced `deps` (the graph's nodes get control inputs, which the executor
honours). Stateful ops are already chained in program order, as TF's automatic control
dependencies do, so this matters for pure ops (e.g. `tf.identity` after an assertion).
Eagerly ops run in program order anyway: the context does nothing, and `group`/`no_op`
return None, as in TF.
"""
from __future__ import annotations

import contextlib
import logging
import time

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.context import ctx
from ..framework.context import init_scope as _init_scope
from ..framework.convert import convert_to_tensor
from ..ops.registry import NON_DIFFERENTIABLE, bind, register
from .graph import CONTROL_DEPENDENCIES, SymbolicTensor

_deps = CONTROL_DEPENDENCIES


def control_nodes() -> list:
    """The nodes every op created now must depend on (the innermost blocks' union)."""
    stack = getattr(_deps, "stack", None)
    return stack[-1] if stack else []


def _node_of(x):
    if x is None:
        return None
    if isinstance(x, SymbolicTensor):
        return x.node
    if hasattr(x, "control_inputs") and hasattr(x, "outputs"):  # a graph Node (an Operation)
        return x
    return None  # eager values and variables: nothing to wait for in this graph


@tf_export("control_dependencies")
@contextlib.contextmanager
def control_dependencies(control_inputs):
    """Ops created in this block run after `control_inputs` (tensors or ops) (tf.control_dependencies).

    `None` clears the dependencies of the enclosing blocks. Eagerly, ops already run in program
    order and this does nothing.
    """
    if ctx.graph is None:
        yield
        return
    stack = _deps.__dict__.setdefault("stack", [])
    if control_inputs is None:
        nodes = []
    else:
        nodes = list(control_nodes())
        for x in control_inputs:
            if callable(x) and not hasattr(x, "control_inputs"):
                x = x()
            n = _node_of(x)
            if n is not None and n not in nodes and n.graph is ctx.graph:
                nodes.append(n)
    stack.append(nodes)
    try:
        yield
    finally:
        stack.pop()


def _no_op_kernel(xp, *inputs):
    return ()


register("NoOp", kernel=_no_op_kernel, infer=lambda specs, attrs: [], grad=NON_DIFFERENTIABLE, api="tf.no_op",
         num_outputs=-1, stateful=True, args=("inputs",), samples=lambda: [([], {})])


@tf_export("no_op")
def no_op(name=None):
    """An op that does nothing (tf.no_op); in a graph it is a node others can depend on."""
    if ctx.graph is None:
        return None
    bind("NoOp", [])
    return ctx.graph.nodes[-1]


@tf_export("group")
def group(*inputs, name=None):
    """An op that runs after all of `inputs` (tf.group); None eagerly."""
    if ctx.graph is None:
        return None
    with control_dependencies([i for i in inputs if i is not None]):
        return no_op(name)


@tf_export("tuple")
def tuple_(tensors, control_inputs=None, name=None) -> list:
    """`tensors`, each returned only once all of them (and `control_inputs`) are computed (tf.tuple)."""
    from ..ops import array_ops
    tensors = [None if t is None else convert_to_tensor(t) for t in tensors]
    if ctx.graph is None:
        return tensors
    deps = [t for t in tensors if t is not None] + list(control_inputs or [])
    with control_dependencies(deps):
        return [None if t is None else array_ops.identity(t) for t in tensors]


@tf_export("init_scope")
@contextlib.contextmanager
def init_scope():
    """Leaves graph building for eager execution, e.g. to create variables (tf.init_scope)."""
    with _init_scope():
        yield


@tf_export("inside_function")
def inside_function() -> bool:
    """Whether the caller is being traced into a tf.function graph (tf.inside_function)."""
    return ctx.graph is not None


@tf_export("get_current_name_scope")
def get_current_name_scope() -> str:
    """The current name scope, e.g. 'outer/inner' ('' at the top) (tf.get_current_name_scope)."""
    return "/".join(ctx.name_scope)


def _timestamp_kernel(xp):
    return np.float64(time.time())


register("Timestamp", kernel=_timestamp_kernel, infer=lambda specs, attrs: [((), dtypes.float64)],
         grad=NON_DIFFERENTIABLE, api="tf.timestamp", stateful=True, args=(), samples=lambda: [([], {})])


@tf_export("timestamp")
def timestamp(name=None):
    """Seconds since the epoch as a float64 scalar, taken when the op runs (tf.timestamp)."""
    return bind("Timestamp", [])


@tf_export("get_logger")
def get_logger() -> logging.Logger:
    """TensorFlow's logger (the 'tensorflow' logging.Logger) (tf.get_logger)."""
    return logging.getLogger("tensorflow")
