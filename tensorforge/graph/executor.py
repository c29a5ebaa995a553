"""Runs a FuncGraph as a flat plan: pre-resolved kernels over slot indices.

Building the plan does the per-node work once: dead nodes are dropped (stateful ones are
kept), every tensor gets a slot index, constants are pre-filled, and each step knows the
slots it reads, the slots it writes and the slots whose last reader it is (freed after it
runs, so intermediate buffers go as soon as they can).
"""
from __future__ import annotations

import functools

import numpy as np

from ..framework.errors import InvalidArgumentError, OpError
from ..framework.tensor import Tensor
from .graph import ASSIGN_OPS, CONST, PLACEHOLDER, READ_VARIABLE, FuncGraph

_ASSIGN_NAMES = {op.name: kind for kind, op in ASSIGN_OPS.items()}


def live_nodes(graph: FuncGraph, outputs) -> list:
    """Nodes that outputs or side effects depend on, in graph (topological) order."""
    needed = set()
    stack = [t.node for t in outputs] + [n for n in graph.nodes if n.op.stateful]
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
    """An executable form of a graph with fixed inputs and outputs."""

    def __init__(self, graph: FuncGraph, inputs, outputs):
        self.graph = graph
        nodes = live_nodes(graph, outputs)
        slot_of: dict[int, int] = {}

        def slot(t):
            key = id(t)
            if key not in slot_of:
                slot_of[key] = len(slot_of)
            return slot_of[key]

        self.input_slots = [slot(t) for t in inputs]
        prefill = {}
        steps = []
        for n in nodes:
            op = n.op
            if op is PLACEHOLDER:
                slot(n.outputs[0])
                continue
            if op is CONST:
                prefill[slot(n.outputs[0])] = n.payload
                continue
            ins = tuple(slot(t) for t in n.inputs)
            if op is READ_VARIABLE:
                fn = functools.partial(_read, n.payload)
                steps.append([fn, (), slot(n.outputs[0]), n, False])
            elif op.name in _ASSIGN_NAMES:
                fn = functools.partial(_assign, n.payload, _ASSIGN_NAMES[op.name])
                steps.append([fn, ins, None, n, False])
            elif op.kernel is None and hasattr(n.payload, "run"):
                # Control flow (If, While, ...): the payload runs its sub-plans on arrays and
                # returns a tuple of output arrays.
                outs = tuple(slot(o) for o in n.outputs)
                steps.append([n.payload.run, ins, outs, n, True])
            else:
                fn = functools.partial(op.kernel, np, **n.attrs) if n.attrs else functools.partial(op.kernel, np)
                outs = slot(n.outputs[0]) if op.num_outputs == 1 else tuple(slot(o) for o in n.outputs)
                steps.append([fn, ins, outs, n, op.num_outputs != 1])
        self.output_slots = [slot(t) for t in outputs]
        self.n_slots = len(slot_of)
        self.prefill = prefill
        # Free each intermediate slot after its last reader (never inputs, outputs, constants).
        keep = set(self.output_slots) | set(prefill) | set(self.input_slots)
        last = {}
        for i, st in enumerate(steps):
            for s in st[1]:
                last[s] = i
        frees = [[] for _ in steps]
        for s, i in last.items():
            if s not in keep:
                frees[i].append(s)
        self.steps = [(st[0], st[1], st[2], st[4], tuple(f)) for st, f in zip(steps, frees)]
        self._nodes = [st[3] for st in steps]
        self._template = [None] * self.n_slots
        for s, v in prefill.items():
            self._template[s] = v

    def run(self, arrays) -> list:
        """Runs the plan on input arrays; returns the output arrays."""
        slots = list(self._template)
        for s, a in zip(self.input_slots, arrays):
            slots[s] = a
        i = 0
        try:
            for i, (fn, ins, out, multi, free) in enumerate(self.steps):
                r = fn(*[slots[s] for s in ins])
                if out is not None:
                    if multi:
                        for s, v in zip(out, r):
                            slots[s] = v
                    else:
                        slots[out] = r
                for s in free:
                    slots[s] = None
        except Exception as e:  # noqa: BLE001 - a kernel failure names the node and the user's line
            raise self._error(i, e, slots) from None
        return [slots[s] for s in self.output_slots]

    def _error(self, i, exc, slots):
        node = self._nodes[i]
        where = " (defined at %s)" % node.source if node.source else ""
        if isinstance(exc, OpError):
            msg = str(exc)
        else:
            try:
                ins = [Tensor(np.asarray(slots[s])) for s in self.steps[i][1]]
                node.op.infer(ins, node.attrs)
                msg = "%s: %s [Op:%s]" % (node.op.api, exc, node.op.name)
            except OpError as e:
                msg = str(e)
            except Exception:  # noqa: BLE001
                msg = "%s: %s [Op:%s]" % (node.op.api, exc, node.op.name)
        cls = type(exc) if isinstance(exc, OpError) else InvalidArgumentError
        return cls(None, None, "%s\n\tin graph node %s%s" % (msg, node.name, where))
