"""Dependency optimisation (TF's option `dependency_optimization`): Identity removal.

TF's dependency optimizer is the pass that prunes Identity and NoOp nodes; control
dependencies here only chain stateful nodes in program order and are never changed.
StopGradient is not an Identity: a function called under an outer GradientTape is replayed
op by op (ConcreteFunction._replay), so removing it would let gradients through.
"""
from __future__ import annotations

from ._rewrite import Sweep


def remove_identities(graph, outputs: list) -> tuple[list, bool]:
    """Readers of Identity / IdentityN outputs read their inputs instead."""
    sweep = Sweep(graph)
    for n in sweep.visit():
        name = n.op.name
        if (name == "Identity" or name == "IdentityN") and not n.control_inputs and not n.op.stateful:
            for out, src in zip(n.outputs, n.inputs):
                if out.dtype is src.dtype:
                    sweep.replace(out, src)
    return sweep.finish(outputs), sweep.changed
