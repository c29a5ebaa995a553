"""Common subexpression elimination: the "dedup" stage of TF's `arithmetic_optimization`.

Two nodes with the same op, the same attrs and the same input tensors compute the same
values, so readers of the second read the first. Const nodes are the same when their dtype,
shape and bytes are (small ones) or when they hold the same array (large ones: a captured
tensor used twice). Inputs of commutative ops are put in a canonical order first, so that
`a * b` and `b * a` meet. Stateful nodes (each variable read, each random draw is its own
event), control-flow nodes and placeholders are never merged.
"""
from __future__ import annotations

from ..graph import CONST, PLACEHOLDER
from ._rewrite import Sweep

_SMALL_CONST_BYTES = 4096
_COMMUTATIVE = frozenset({"AddV2", "Mul", "Maximum", "Minimum", "Equal", "NotEqual", "LogicalAnd", "LogicalOr",
                          "BitwiseAnd", "BitwiseOr", "BitwiseXor", "SquaredDifference"})


def dedup(graph, outputs: list) -> tuple[list, bool]:
    """Merges equal nodes; returns (outputs, whether anything changed)."""
    sweep = Sweep(graph)
    seen: dict = {}
    for n in sweep.visit():
        key = _key(n)
        if key is None:
            continue
        first = seen.setdefault(key, n)
        if first is not n:
            for old, new in zip(n.outputs, first.outputs):
                sweep.replace(old, new)
    return sweep.finish(outputs), sweep.changed


def _key(n):
    op = n.op
    if op is CONST:
        v = n.payload
        dtype = getattr(v, "dtype", None)
        if dtype is None:
            return None
        if dtype.kind != "O" and v.nbytes <= _SMALL_CONST_BYTES:
            return ("Const", n.attrs.get("dtype"), dtype, v.shape, v.tobytes())
        return ("Const", id(v))
    if op is PLACEHOLDER or op.kernel is None or op.stateful or n.control_inputs or not n.outputs:
        return None
    ins = [id(t) for t in n.inputs]
    if op.name in _COMMUTATIVE and n.inputs[0].dtype.name != "string":
        ins.sort()
    try:
        attrs = tuple(sorted(n.attrs.items()))
        key = (op.name, tuple(ins), attrs)
        hash(key)
    except TypeError:  # an attr value that cannot be compared safely
        return None
    return key
