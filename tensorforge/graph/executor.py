"""Runs a FuncGraph as a flat plan: pre-resolved kernels over slot indices.

Building the plan does the per-node work once: dead nodes are dropped (stateful ones are
kept), every tensor gets a slot index, constants are pre-filled, and each step knows the
slots it reads, the slots it writes and the slots whose last reader it is (freed after it
runs, so intermediate buffers go as soon as they can).
"""
from __future__ import annotations

import functools
import threading
import time

import numpy as np

from ..framework.errors import InvalidArgumentError, OpError
from ..ops.registry import raw_kernel
from .graph import ASSIGN_OPS, CONST, PLACEHOLDER, READ_VARIABLE, FuncGraph

_ASSIGN_NAMES = {op.name: kind for kind, op in ASSIGN_OPS.items()}


def live_nodes(graph: FuncGraph, outputs, side_effects: bool = True) -> list:
    """Nodes that outputs (and, with `side_effects`, stateful nodes) depend on, in graph order."""
    needed = set()
    stack = [t.node for t in outputs] + ([n for n in graph.nodes if n.op.stateful] if side_effects else [])
    while stack:
        n = stack.pop()
        if n.id in needed:
            continue
        needed.add(n.id)
        stack.extend(t.node for t in n.inputs)
        stack.extend(n.control_inputs)
    return [n for n in graph.nodes if n.id in needed]


def _read(var):
    return var._value._value


def _assign(var, kind, value):
    if kind == "assign":
        var._set(np.array(value), False)
    else:
        var._update(np.add if kind == "assign_add" else np.subtract, value, False)


class Plan:
    """An executable form of a graph with fixed inputs and outputs.

    The plan is compiled to straight-line Python: one line per node calling its pre-resolved
    kernel on local variables (one per tensor), with `del` after a tensor's last reader so
    buffers are freed early. That leaves about one Python call of overhead per node.
    """

    def __init__(self, graph: FuncGraph, inputs, outputs, side_effects: bool = True):
        self.graph = graph
        nodes = live_nodes(graph, outputs, side_effects)
        slot_of: dict[int, int] = {}

        def slot(t):
            key = id(t)
            if key not in slot_of:
                slot_of[key] = len(slot_of)
            return slot_of[key]

        self.input_slots = [slot(t) for t in inputs]
        consts = {}
        steps = []  # (callable, attrs or None (None: no `np` first argument), ins, outs, multi, node)
        for n in nodes:
            op = n.op
            if op is PLACEHOLDER:
                slot(n.outputs[0])
                continue
            if op is CONST:
                consts[slot(n.outputs[0])] = n.payload
                continue
            ins = tuple(slot(t) for t in n.inputs)
            if op is READ_VARIABLE:
                steps.append((functools.partial(_read, n.payload), None, (), slot(n.outputs[0]), False, n))
            elif op.name in _ASSIGN_NAMES:
                steps.append((functools.partial(_assign, n.payload, _ASSIGN_NAMES[op.name]), None, ins, None, False, n))
            elif op.kernel is None and hasattr(n.payload, "run"):
                # Control flow (If, While, ...): the payload runs its sub-plans on arrays and
                # returns a tuple of output arrays.
                steps.append((n.payload.run, None, ins, tuple(slot(o) for o in n.outputs), True, n))
            else:
                multi = op.num_outputs != 1
                outs = tuple(slot(o) for o in n.outputs) if multi else slot(n.outputs[0])
                steps.append((raw_kernel(op), n.attrs, ins, outs, multi, n))
        self.output_slots = [slot(t) for t in outputs]
        self._steps = steps
        self._nodes = [st[5] for st in steps]
        self._filename = "<tf.function %s plan %#x>" % (graph.name, id(self))
        self._fn, self._line_to_step = self._compile(consts)
        self._consts = consts
        self._profiled = None  # (fn, line_to_step, filename): the node-timing variant, made on first use

    def _compile(self, consts, profiled: bool = False):
        ns = {"np": np}
        names = {}
        for s, v in consts.items():
            names[s] = "c%d" % s
            ns[names[s]] = v

        def name(s):
            return names.get(s, "s%d" % s)

        keep = set(self.output_slots) | set(consts) | set(self.input_slots)
        last = {}
        for i, st in enumerate(self._steps):
            for s in st[2]:
                last[s] = i
        frees = [[] for _ in self._steps]
        for s, i in last.items():
            if s not in keep:
                frees[i].append(s)
        params = ["s%d" % s for s in self.input_slots]
        lines = ["def _plan(%s):" % ", ".join((["_ev", "_now", "_tid"] if profiled else []) + params)]
        line_to_step = {}
        for i, (fn, attrs, ins, outs, multi, node) in enumerate(self._steps):
            ns["f%d" % i] = fn
            args = [name(s) for s in ins]
            if attrs is not None:
                args.insert(0, "np")
                for j, (k, v) in enumerate(attrs.items()):
                    ns["a%d_%d" % (i, j)] = v
                    args.append("%s=a%d_%d" % (k, i, j))
            call = "f%d(%s)" % (i, ", ".join(args))
            if outs is None:
                line = call
            elif multi:
                line = "%s, = %s" % (", ".join("s%d" % o for o in outs), call) if outs else call
            else:
                line = "s%d = %s" % (outs, call)
            if profiled:  # time the node: (meta, start ns, end ns, thread) into the profiler's sink
                ns["m%d" % i] = ("graph_node", node.name, node.op.name, self.graph.name)
                lines.append("    _t = _now()")
            lines.append("    " + line)
            line_to_step[len(lines)] = i
            if profiled:
                lines.append("    _ev((m%d, _t, _now(), _tid))" % i)
            if frees[i]:
                lines.append("    del %s" % ", ".join("s%d" % s for s in sorted(set(frees[i]))))
        lines.append("    return [%s]" % ", ".join(name(s) for s in self.output_slots))
        source = "\n".join(lines)
        filename = self._filename[:-1] + ", profiled>" if profiled else self._filename
        if not profiled:
            self.source = source
        exec(compile(source, filename, "exec"), ns)  # noqa: S102 - our own generated code
        return ns["_plan"], line_to_step

    def run(self, arrays) -> list:
        """Runs the plan on input arrays; returns the output arrays."""
        try:
            return self._fn(*arrays)
        except Exception as e:  # noqa: BLE001 - a kernel failure names the node and the user's line
            i = self._failed_step(e)
            if i is None:
                raise
            raise self._error(i, e) from None

    _run_plain = run

    def _failed_step(self, exc, filename=None, line_to_step=None):
        if filename is None:
            filename, line_to_step = self._filename, self._line_to_step
        tb = exc.__traceback__
        step = None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == filename:
                step = line_to_step.get(tb.tb_lineno)
            tb = tb.tb_next
        return step

    # -- profiler hook (tensorforge/profiler): while it runs, `Plan.run` is this method, which runs
    # a variant of the plan that times every node; when it does not, nothing is checked.
    def _run_profiled(self, arrays) -> list:
        sink = _profiler_sink
        if sink is None:  # the profiler stopped meanwhile
            return self._run_plain(arrays)
        if self._profiled is None:
            fn, line_to_step = self._compile(self._consts, profiled=True)
            self._profiled = (fn, line_to_step, self._filename[:-1] + ", profiled>")
        fn, line_to_step, filename = self._profiled
        now, tid = time.perf_counter_ns, threading.get_ident()
        start = now()
        try:
            out = fn(sink, now, tid, *arrays)
        except Exception as e:  # noqa: BLE001
            i = self._failed_step(e, filename, line_to_step)
            if i is None:
                raise
            raise self._error(i, e) from None
        sink((("function", self.graph.name, None, None), start, now(), tid))
        return out

    def _error(self, i, exc):
        node = self._nodes[i]
        where = " (defined at %s)" % node.source if node.source else ""
        if isinstance(exc, OpError):
            msg = str(exc)
        else:
            msg = "%s: %s [Op:%s]" % (node.op.api, exc, node.op.name)
        cls = type(exc) if isinstance(exc, OpError) else InvalidArgumentError
        return cls(None, None, "%s\n\tin graph node %s%s" % (msg, node.name, where))


_profiler_sink = None  # the profiler's event sink (a list's append) while tf.profiler runs


def set_profiler_sink(sink) -> None:
    """Installs the profiler's event sink (`None` removes it): while one is set, every Plan run
    records a (meta, start ns, end ns, thread id) tuple per node and one for the whole run."""
    global _profiler_sink
    _profiler_sink = sink
    Plan.run = Plan._run_plain if sink is None else Plan._run_profiled
