"""Graph surgery shared by the passes.

A pass walks `graph.nodes` once, in topological order, through a `Sweep`: each node's inputs
are first redirected to the tensors that replaced them, then the pass may replace the node's
outputs. A node whose every output was replaced is dead by construction (all its consumers and
the returned outputs now read the replacements), so the sweep drops it. Node ids stay equal to
list positions, which `executor.live_nodes` relies on.
"""
from __future__ import annotations

import numpy as np

from ...framework.tensor import Tensor
from ..graph import CONST, Node, SymbolicTensor


class Sweep:
    """One forward rewrite of a graph: `replace` tensors, `emit` new nodes, then `finish`."""

    def __init__(self, graph):
        self.graph = graph
        self.nodes: list[Node] = []
        self.repl: dict[int, SymbolicTensor] = {}
        self.dropped: set[int] = set()
        self.changed = False

    def visit(self):
        """Yields each node of the graph with its inputs already redirected."""
        repl, dropped = self.repl, self.dropped
        for n in self.graph.nodes:
            if repl:
                for t in n.inputs:
                    if id(t) in repl:
                        n.inputs = [repl.get(id(t), t) for t in n.inputs]
                        break
            if dropped and id(n) in dropped:
                continue
            yield n
            outs = n.outputs
            if not repl or not outs or (id(outs[0]) not in repl if len(outs) == 1 else
                                        not all(id(o) in repl for o in outs)):
                self.nodes.append(n)

    def replace(self, old: SymbolicTensor, new: SymbolicTensor) -> None:
        """Every reader of `old` (later nodes, the returned outputs) reads `new` instead."""
        self.repl[id(old)] = new
        self.changed = True

    def drop(self, node: Node) -> None:
        """Leaves out `node`, not yet visited, whose outputs nothing will read (a fused group's member)."""
        self.dropped.add(id(node))
        self.changed = True

    def emit(self, node: Node) -> None:
        """Adds a new node at the current position (before the node being visited)."""
        self.nodes.append(node)
        self.changed = True

    def finish(self, outputs: list) -> list:
        self.graph.nodes = self.nodes
        renumber(self.graph)
        repl = self.repl
        return [repl.get(id(o), o) for o in outputs]


def renumber(graph) -> None:
    for i, n in enumerate(graph.nodes):
        n.id = i


def new_node(graph, op, inputs, attrs, name: str, specs, source) -> Node:
    """A node that is not yet in `graph.nodes` (the caller places it)."""
    node = Node(graph, op, inputs, attrs, graph._unique(name), source)
    node.outputs = [SymbolicTensor(graph, node, i, s, d) for i, (s, d) in enumerate(specs)]
    return node


def new_const(graph, value, name: str, source) -> SymbolicTensor:
    """A Const node holding the NumPy `value` (the same form FuncGraph.constant makes)."""
    t = Tensor(value)
    node = new_node(graph, CONST, [], {"dtype": t.dtype}, name, [(t.shape, t.dtype)], source)
    node.payload = value
    return node.outputs[0]


def const_value(t: SymbolicTensor):
    """The NumPy value of `t` when a Const node makes it, else None."""
    n = t.node
    return n.payload if n.op is CONST else None


def dims(t: SymbolicTensor):
    """The static shape of `t` as a tuple (None entries for unknown sizes), or None for unknown rank."""
    return t.shape._dims


def broadcast_keeps_shape(x: SymbolicTensor, other_shape) -> bool:
    """Whether broadcasting `x` against a tensor of static shape `other_shape` surely gives x's shape.

    True when every size of `other_shape` is 1 or the same known size as x's, so that at run
    time the result can be neither larger than x nor of another rank.
    """
    xd = dims(x)
    if xd is None or other_shape is None or len(other_shape) > len(xd):
        return False
    return all(o == 1 or (o is not None and o == d) for o, d in zip(reversed(other_shape), reversed(xd)))


def as_value(v, dtype):
    """A kernel result as an array of exactly `dtype`, or None when it is not one."""
    if not isinstance(v, (np.ndarray, np.generic)):
        return None
    try:
        return v if Tensor(v).dtype is dtype else None
    except (TypeError, KeyError, ValueError):
        return None
