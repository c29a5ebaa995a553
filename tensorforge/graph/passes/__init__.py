"""Graph optimisation passes (the Grappler role), applied to every traced function.

`optimize(graph, inputs, outputs)` rewrites `graph` in place and returns the (possibly
replaced) output tensors.
"""
from __future__ import annotations


def optimize(graph, inputs, outputs) -> list:
    return list(outputs)
