"""Arithmetic simplification (TF's option `arithmetic_optimization`, with dedup.py).

Rewrites that give bit-identical results, output dtypes and static shapes:
  x * 1, 1 * x, x + 0, 0 + x, x - 0, x / 1, pow(x, 1)  -> x  (real dtypes; only when the
        constant's broadcast cannot enlarge x, so the result's shape is x's)
  -(-x), !(!x), conj(conj(x))                         -> x  (involutions)
  transpose(transpose(x, p), q) with p∘q the identity -> x; transpose(x, identity) -> x
  reshape(x) to x's own fully known shape             -> x; reshape(reshape(x)) -> reshape(x)
  cast(x) to x's own dtype                            -> x
  add_n([x])                                          -> x
x * 0 is kept (0 * inf is nan), as is anything on complex numbers but conj.
"""
from __future__ import annotations

import numpy as np

from ._rewrite import Sweep, broadcast_keeps_shape, const_value, dims


def simplify(graph, outputs: list) -> tuple[list, bool]:
    """Applies the rewrites above; returns (outputs, whether anything changed)."""
    sweep = Sweep(graph)
    for n in sweep.visit():
        rule = _RULES.get(n.op.name)
        if rule is None or n.op.stateful or n.control_inputs:
            continue
        if rule is _reshape and _reshape_of_reshape(n):
            sweep.changed = True
        new = rule(n)
        if new is not None and new.dtype is n.outputs[0].dtype:
            sweep.replace(n.outputs[0], new)
    return sweep.finish(outputs), sweep.changed


def _real(t) -> bool:
    d = t.dtype
    return (d.is_floating or d.is_integer) and not d.is_bool


def _is_all(t, value) -> bool:
    v = const_value(t)
    if v is None or not isinstance(v, (np.ndarray, np.generic)) or v.dtype.kind not in "iuf":
        return False
    return v.item() == value if v.size == 1 else bool((v == value).all())


def _neutral_operand(n, value, commutative: bool):
    """x when the node is `x op c` (or `c op x`) with c all `value` and not enlarging x."""
    x, y = n.inputs
    out = n.outputs[0]
    if not _real(out):
        return None
    if _is_all(y, value) and broadcast_keeps_shape(x, dims(y)) and dims(x) == dims(out):
        return x
    if commutative and _is_all(x, value) and broadcast_keeps_shape(y, dims(x)) and dims(y) == dims(out):
        return y
    return None


def _involution(n):
    inner = n.inputs[0].node
    if inner.op is n.op and not inner.control_inputs and len(inner.inputs) == 1:
        return inner.inputs[0]
    return None


def _transpose(n):
    perm = tuple(n.attrs["perm"])
    if perm == tuple(range(len(perm))):
        return n.inputs[0]
    inner = n.inputs[0].node
    if inner.op is n.op and not inner.control_inputs:
        inner_perm = tuple(inner.attrs["perm"])
        if len(inner_perm) == len(perm) and all(inner_perm[p] == i for i, p in enumerate(perm)):
            return inner.inputs[0]
    return None


def _reshape(n):
    x = n.inputs[0]
    d = dims(x)
    if d is not None and None not in d and d == dims(n.outputs[0]):
        return x
    return None


def _reshape_of_reshape(n) -> bool:
    """reshape(reshape(x, a), b) reads x directly: only the element count matters to the outer one."""
    inner = n.inputs[0].node
    if inner.op is n.op and not inner.control_inputs:
        n.inputs = [inner.inputs[0]] + n.inputs[1:]
        return True
    return False


def _cast(n):
    x = n.inputs[0]
    return x if x.dtype is n.outputs[0].dtype else None


def _add_n(n):
    return n.inputs[0] if len(n.inputs) == 1 and dims(n.inputs[0]) == dims(n.outputs[0]) else None


def _pow(n):
    x, y = n.inputs
    out = n.outputs[0]
    if out.dtype.is_floating and _is_all(y, 1) and broadcast_keeps_shape(x, dims(y)) and dims(x) == dims(out):
        return x
    return None


_RULES = {
    "Mul": lambda n: _neutral_operand(n, 1, True),
    "AddV2": lambda n: _neutral_operand(n, 0, True),
    "Sub": lambda n: _neutral_operand(n, 0, False),
    "RealDiv": lambda n: _neutral_operand(n, 1, False),
    "Pow": _pow,
    "Neg": _involution,
    "LogicalNot": _involution,
    "Conj": _involution,
    "Transpose": _transpose,
    "Reshape": _reshape,
    "Cast": _cast,
    "AddN": _add_n,
}
