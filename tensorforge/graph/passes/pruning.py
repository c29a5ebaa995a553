"""Model pruning (TF's option `disable_model_pruning`): dead-code elimination.

Removes from `graph.nodes` every node that neither a returned output nor a side effect needs,
the same liveness the executor uses (stateful nodes and what they depend on stay). The
function's input placeholders stay, used or not: they are its signature.
"""
from __future__ import annotations

from ..executor import live_nodes
from ..graph import PLACEHOLDER
from ._rewrite import renumber


def prune(graph, outputs: list) -> tuple[list, bool]:
    """Drops dead nodes from `graph`; returns (outputs, whether anything changed)."""
    live = {id(n) for n in live_nodes(graph, outputs)}
    kept = [n for n in graph.nodes if id(n) in live or n.op is PLACEHOLDER]
    changed = len(kept) != len(graph.nodes)
    if changed:
        graph.nodes = kept
        renumber(graph)
    return list(outputs), changed
