"""Constant folding (TF's option `constant_folding`).

A node whose inputs are all Const nodes is run once, with its registered kernel, while the
graph is optimised, and becomes Const nodes holding the results. As in TF's constant folder,
results over 10 MiB are not folded (the graph would hold them for its whole life), nor are
stateful nodes (random ops, variable reads), nodes that depend on the function's inputs, or
nodes whose kernel fails (the error stays where the user will see it, at run time).

Shape, Size and Rank of a tensor whose static shape is known become constants too (TF's
"materialize shapes" step of the same pass), which lets the arithmetic that follows fold.
"""
from __future__ import annotations

import numpy as np

from ..graph import CONST
from ._rewrite import Sweep, as_value, dims, new_const

MAX_CONSTANT_BYTES = 10 * 1024 * 1024  # TF's kMaxConstantSize


def fold_constants(graph, outputs: list) -> tuple[list, bool]:
    """Replaces computable nodes by Const nodes; returns (outputs, whether anything changed)."""
    sweep = Sweep(graph)
    for n in sweep.visit():
        op = n.op
        if op.kernel is None or op.stateful or n.control_inputs or not n.outputs:
            continue
        values = _shape_values(n) if op.name in _SHAPE_OPS else None
        if values is None and all(t.node.op is CONST for t in n.inputs):
            values = _run(n)
        if values is not None:
            for out, v in zip(n.outputs, values):
                const = new_const(graph, v, "ConstantFolding/" + n.name, n.source)
                sweep.emit(const.node)
                sweep.replace(out, const)
    return sweep.finish(outputs), sweep.changed


def _too_big(n) -> bool:
    for o in n.outputs:
        d = dims(o)
        if d is not None and None not in d and int(np.prod(d, dtype=np.int64)) * o.dtype.size > MAX_CONSTANT_BYTES:
            return True
    return False


def _run(n):
    """The node's output values from its constant inputs, or None when it must not fold."""
    if _too_big(n):
        return None
    op = n.op
    try:
        out = op.kernel(np, *[t.node.payload for t in n.inputs], **n.attrs)
    except Exception:  # noqa: BLE001 - a failing kernel is left for run time to report
        return None
    outs = (out,) if op.num_outputs == 1 else tuple(out)
    if len(outs) != len(n.outputs):
        return None
    values = []
    for o, v in zip(n.outputs, outs):
        v = as_value(v, o.dtype)
        if v is None or v.nbytes > MAX_CONSTANT_BYTES or not o.shape.is_compatible_with(np.shape(v)):
            return None
        values.append(v)
    return values


def _shape_values(n):
    """Shape / Size / Rank of an input whose static shape answers them, or None."""
    d = dims(n.inputs[0])
    if d is None:
        return None
    name = n.op.name
    out = n.outputs[0]
    if name == "Rank":
        return [np.asarray(len(d), dtype=out.dtype.as_numpy_dtype)]
    if None in d:
        return None
    value = d if name == "Shape" else int(np.prod(d, dtype=np.int64))
    return [np.asarray(value, dtype=out.dtype.as_numpy_dtype)]


_SHAPE_OPS = frozenset({"Shape", "Size", "Rank"})
