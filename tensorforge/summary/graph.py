"""Graphs for TensorBoard: tf.summary.graph, tf.summary.trace_on / trace_off / trace_export.

A traced FuncGraph becomes a GraphDef with one NodeDef per node: its name, TF op name, inputs
("node", "node:1", "^node" for control inputs) and attrs (dtypes, shapes, ints, floats,
strings, Const values, `_output_shapes`), which is what TensorBoard's graph dashboard draws.
Branch and loop bodies of control flow nodes and the function library are not included.

trace_on(graph=True) records the tf.functions that run until trace_export, which writes their
graphs as a RunMetadata (`function_graphs`) under the "graph_run_metadata_graph" plugin, as TF
does; with profiler=True it also starts tf.profiler (tensorforge.profiler) in profiler_outdir.
"""
from __future__ import annotations

import logging
import threading

import numpy as np

from ..framework import dtypes
from ..framework.context import ctx
from ..framework.convert import convert_to_tensor
from ..framework.tensor_shape import TensorShape
from ..ops.registry import bind
from .ops import _FALSE, _TRUE, choose_step, emit, recording, summary_scope
from .writer import _state

__all__ = ["graph", "graph_def", "trace_on", "trace_off", "trace_export"]

_log = logging.getLogger("tensorforge")


# ---------------------------------------------------------------- FuncGraph -> GraphDef
def _shape_proto(shape, proto) -> None:
    shape = shape if isinstance(shape, TensorShape) else TensorShape(shape)
    if shape.rank is None:
        proto.unknown_rank = True
        return
    for d in shape.as_list():
        proto.dim.add().size = -1 if d is None else int(d)


def _is_shape_like(v) -> bool:
    return isinstance(v, TensorShape) or (isinstance(v, tuple) and all(d is None or isinstance(d, int) for d in v)
                                          and any(d is None for d in v))


def _set_attr(attr, value) -> bool:
    """Stores a Python attr value in an AttrValue proto; False when it has no AttrValue form."""
    try:
        return _set_attr_value(attr, value)
    except (TypeError, ValueError, OverflowError):
        return False


def _set_attr_value(attr, value) -> bool:
    if isinstance(value, bool) or isinstance(value, np.bool_):
        attr.b = bool(value)
    elif isinstance(value, (int, np.integer)):
        attr.i = int(value)
    elif isinstance(value, (float, np.floating)):
        attr.f = float(value)
    elif isinstance(value, str):
        attr.s = value.encode("utf-8")
    elif isinstance(value, bytes):
        attr.s = value
    elif isinstance(value, dtypes.DType):
        attr.type = value.as_datatype_enum
    elif isinstance(value, TensorShape):
        _shape_proto(value, attr.shape)
    elif isinstance(value, (tuple, list)):
        lst = attr.list
        attr.list.SetInParent()
        if all(isinstance(v, bool) for v in value):
            lst.b.extend(value)
        elif all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
            lst.i.extend(int(v) for v in value)
        elif all(isinstance(v, (float, int)) for v in value):
            lst.f.extend(float(v) for v in value)
        elif all(isinstance(v, str) for v in value):
            lst.s.extend(v.encode("utf-8") for v in value)
        elif all(isinstance(v, dtypes.DType) for v in value):
            lst.type.extend(v.as_datatype_enum for v in value)
        elif all(v is None or _is_shape_like(v) or isinstance(v, tuple) for v in value):
            for v in value:
                _shape_proto(TensorShape(None) if v is None else v, lst.shape.add())
        else:
            return False
    else:
        return False
    return True


def _input_name(t) -> str:
    return t.node.name if t.index == 0 else "%s:%d" % (t.node.name, t.index)


def graph_def(func_graph):
    """A GraphDef (tensorforge.protos.graph_pb2) of a traced FuncGraph, for TensorBoard's graph dashboard."""
    from ..graph.graph import CONST, PLACEHOLDER, READ_VARIABLE
    from ..io.tensor_proto import make_tensor_proto
    from ..protos import graph_pb2
    g = graph_pb2.GraphDef()
    handles: dict = {}

    def handle(var) -> str:
        # A captured variable appears as a resource Placeholder, as TF's captured handles do.
        name = handles.get(id(var))
        if name is None:
            name = handles[id(var)] = "%s_handle" % var.name.split(":")[0]
            h = g.node.add(name=name, op="Placeholder")
            h.attr["dtype"].type = 20  # DT_RESOURCE
            _shape_proto(TensorShape([]), h.attr["shape"].shape)
        return name

    for n in func_graph.nodes:
        nd = g.node.add(name=n.name, op=n.op.name)
        nd.input.extend(_input_name(t) for t in n.inputs)
        if n.op is READ_VARIABLE or n.op.name in ("AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp"):
            nd.input.insert(0, handle(n.payload))
        nd.input.extend("^" + c.name for c in n.control_inputs)
        for key, value in (n.attrs or {}).items():
            if not _set_attr(nd.attr[key], value):
                del nd.attr[key]
        if n.op is CONST:
            try:
                nd.attr["value"].tensor.CopyFrom(make_tensor_proto(np.asarray(n.payload)))
            except (TypeError, ValueError):
                del nd.attr["value"]
        elif n.op is PLACEHOLDER and n.outputs:
            nd.attr["dtype"].type = n.outputs[0].dtype.as_datatype_enum
            nd.attr["shape"].shape.Clear()
            _shape_proto(n.outputs[0].shape, nd.attr["shape"].shape)
        if "T" not in nd.attr and "dtype" not in nd.attr and n.inputs:
            nd.attr["T"].type = n.inputs[0].dtype.as_datatype_enum
        if n.outputs:
            shapes = nd.attr["_output_shapes"].list
            for o in n.outputs:
                _shape_proto(o.shape, shapes.shape.add())
    return g


def _graph_bytes(graph_data) -> bytes:
    from ..graph.graph import FuncGraph
    if isinstance(graph_data, FuncGraph):
        return graph_def(graph_data).SerializeToString()
    if type(graph_data).__name__ == "GraphDef" and hasattr(graph_data, "SerializeToString"):
        return graph_data.SerializeToString()
    raise ValueError("Argument 'graph_data' is not tf.Graph or tf.compat.v1.GraphDef. Received graph_data="
                     f"{graph_data} of type {type(graph_data).__name__}.")


def graph(graph_data):
    """Writes a TensorFlow graph summary (tf.summary.graph), eagerly only.

    Example:

    >>> @tf.function
    ... def f(x):
    ...     return x ** 2
    >>> with writer.as_default():
    ...     tf.summary.graph(f.get_concrete_function(tf.constant(2.0)).graph)

    Args:
      graph_data: the graph to write: a tf.function's graph (`ConcreteFunction.graph`) or a
        GraphDef proto.

    Returns:
      True on success, or False if no summary was written because no default summary writer
      was available.

    Raises:
      ValueError: if called inside a graph, or `graph_data` is not a graph.
    """
    if ctx.graph is not None:
        raise ValueError("graph() cannot be invoked inside a graph context.")
    writer = _state.writer
    if writer is None or not hasattr(writer, "_id"):
        return _FALSE
    if not recording():
        return _FALSE
    data = _graph_bytes(graph_data)
    bind("WriteGraphSummary", [convert_to_tensor(0, dtypes.int64), convert_to_tensor(data)], {"writer": writer._id})
    return _TRUE


# ---------------------------------------------------------------- tracing
class _Trace:
    def __init__(self, graph: bool, profiler: bool):
        self.graph = graph
        self.profiler = profiler
        self.functions: dict = {}   # id -> ConcreteFunction, in the order they first ran


_trace_lock = threading.Lock()
_trace = None


def _collect(concrete) -> None:
    t = _trace
    if t is not None and t.graph:
        t.functions.setdefault(id(concrete), concrete)


def _start_collecting() -> None:
    """Records every ConcreteFunction that runs (TF's graph collection) until _stop_collecting."""
    from ..graph.function import CALL_OBSERVERS
    if _collect not in CALL_OBSERVERS:
        CALL_OBSERVERS.append(_collect)


def _stop_collecting() -> None:
    from ..graph.function import CALL_OBSERVERS
    if _collect in CALL_OBSERVERS:
        CALL_OBSERVERS.remove(_collect)


def _profiler():
    """tf.profiler.experimental (tensorforge.profiler), or None if it is not available."""
    try:
        import importlib
        return importlib.import_module("tensorforge.profiler").experimental
    except (ImportError, AttributeError):
        return None


def trace_on(graph=True, profiler=False, profiler_outdir=None) -> None:
    """Starts a trace to record computation graphs and profiling information (tf.summary.trace_on).

    Must be invoked eagerly. To stop the trace and export what it collected, use
    `tf.summary.trace_export`; to stop without exporting, `tf.summary.trace_off`.

    Args:
      graph: if True, collects the graphs of the tf.functions that run.
      profiler: if True, also starts the profiler (tf.profiler.experimental.start) writing to
        `profiler_outdir`.
      profiler_outdir: output directory for the profiler; required when `profiler` is True.
    """
    global _trace
    if ctx.graph is not None:
        _log.warning("Cannot enable trace inside a tf.function.")
        return
    with _trace_lock:
        if _trace is not None:
            _log.warning("Trace already enabled")
            return
        if profiler:
            prof = _profiler()
            if profiler_outdir is None:
                _log.warning("No `profiler_outdir` passed to trace_on(). Profiler won't be enabled.")
                profiler = False
            elif prof is None:
                _log.warning("tf.profiler is not available: the profiler won't be enabled.")
                profiler = False
            else:
                prof.start(profiler_outdir)
        _trace = _Trace(bool(graph) or bool(profiler), bool(profiler))
        if _trace.graph:
            _start_collecting()


def trace_off() -> None:
    """Stops the current trace and discards any collected information (tf.summary.trace_off)."""
    global _trace
    with _trace_lock:
        t = _trace
        if t is None:
            return
        _trace = None
        _stop_collecting()
    if t.profiler:
        prof = _profiler()
        try:
            if prof is not None:
                prof.stop()
        except Exception as e:  # noqa: BLE001 - as TF: a failing profiler stop is only logged
            _log.warning("Error while stopping profiler: %s", e)


def _run_metadata(functions) -> bytes:
    from ..protos import config_pb2
    meta = config_pb2.RunMetadata()
    for f in functions:
        g = graph_def(f.graph)
        fg = meta.function_graphs.add()
        fg.partition_graphs.add().CopyFrom(g)
        fg.pre_optimization_graph.CopyFrom(g)
        fg.post_optimization_graph.CopyFrom(g)
        meta.partition_graphs.add().CopyFrom(g)
    return meta.SerializeToString()


def trace_export(name, step=None, profiler_outdir=None) -> None:
    """Stops the active trace and writes what it collected to the default writer (tf.summary.trace_export).

    Args:
      name: a name for the summary to be written.
      step: explicit `int64`-castable monotonic step value for this summary. If omitted, this
        defaults to `tf.summary.experimental.get_step()`, which must not be None.
      profiler_outdir: unused (pass it to trace_on()).

    Raises:
      ValueError: if no trace is active, or if a default writer exists but no step was
        provided and `tf.summary.experimental.get_step()` is None.
    """
    if step is not None:
        step = choose_step(step)
    if ctx.graph is not None:
        _log.warning("Cannot export trace inside a tf.function.")
        return
    with _trace_lock:
        t = _trace
        if t is None:
            raise ValueError("Must enable trace before export through tf.summary.trace_on.")
    from ..protos import summary_pb2
    plugin = "graph_run_metadata" if t.profiler else "graph_run_metadata_graph"
    metadata = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(
        plugin_name=plugin, content=b"1")).SerializeToString()
    functions = list(t.functions.values())
    with summary_scope(name, plugin + "_summary") as (tag, _):
        def value():
            a = np.empty((), dtype=object)
            a[()] = _run_metadata(functions)
            return a
        emit(tag, value, step, metadata)
    if t.profiler and profiler_outdir:
        _log.warning("Ignoring `profiler_outdir` passed to trace_export(). Please pass it to trace_on() instead.")
    trace_off()
