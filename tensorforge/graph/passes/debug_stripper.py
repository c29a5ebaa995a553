"""Debug stripping (TF's option `debug_stripper`, off by default): removes numeric checks.

CheckNumerics passes its input through when the check holds; stripped, its readers read the
input directly. Stateful debug ops (printing) are left alone: they are ordered side effects.
"""
from __future__ import annotations

from ._rewrite import Sweep

_CHECKS = frozenset({"CheckNumerics"})


def strip_debug_ops(graph, outputs: list) -> tuple[list, bool]:
    """Readers of CheckNumerics outputs read the checked tensor instead."""
    sweep = Sweep(graph)
    for n in sweep.visit():
        if n.op.name in _CHECKS and not n.op.stateful and not n.control_inputs:
            sweep.replace(n.outputs[0], n.inputs[0])
    return sweep.finish(outputs), sweep.changed
