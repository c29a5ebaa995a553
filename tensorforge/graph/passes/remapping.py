"""Remapping (TF's option `remapping`): fuses chains of elementwise ops into one node.

A chain like relu(x * w + b) * 0.5 on float32/float64 tensors becomes one `_FusedElementwise`
node (TF's remapper makes `_Fused*` nodes the same way). Its kernel computes the first op
into a fresh array and every later op in place in that array (NumPy's `out=`), so the chain
allocates one buffer instead of one per op, and the executor runs one step instead of many.
Each op's NumPy program below is the one its registered kernel runs, so results are
bit-identical (tests/test_passes.py checks every entry against the kernel).

A chain grows through tensors that only the next op reads (and that are not returned): those
are the buffers it may overwrite. The other operand of a later op must not enlarge the chain's
shape by broadcasting, the chain never reaches across a side effect (a stateful node other than
a variable read) or a control-flow node, and it never writes into its inputs, which may be
constants, variables' buffers or the caller's arrays.

The fused node follows the executor's protocol for nodes without a kernel (as If / While do):
its payload's `run(*arrays)` returns the output arrays, and `replay(tensors)` binds the
original ops one by one, so tapes record differentiable ops and an enclosing trace inlines
ordinary nodes.
"""
from __future__ import annotations

import numpy as np

from ...framework import dtypes
from ...ops.registry import NON_DIFFERENTIABLE, OpDef, bind
from ..graph import READ_VARIABLE
from ._rewrite import Sweep, broadcast_keeps_shape, dims, new_node

FUSED_ELEMENTWISE = OpDef("_FusedElementwise", None, None, NON_DIFFERENTIABLE, None, "tf.function", 1, False, (), None)

# The NumPy program of each fusible op, as its registered kernel computes it for float32 and
# float64: steps (ufunc, operands) where "x" and "y" are the op's inputs, "r" the result so
# far (only after the first step) and numbers are constants of the tensor's dtype.
PROGRAMS = {
    "AddV2": ((np.add, ("x", "y")),),
    "Sub": ((np.subtract, ("x", "y")),),
    "Mul": ((np.multiply, ("x", "y")),),
    "RealDiv": ((np.divide, ("x", "y")),),
    "Maximum": ((np.maximum, ("x", "y")),),
    "Minimum": ((np.minimum, ("x", "y")),),
    "SquaredDifference": ((np.subtract, ("x", "y")), (np.multiply, ("r", "r"))),
    "Neg": ((np.negative, ("x",)),),
    "Abs": ((np.absolute, ("x",)),),
    "Square": ((np.square, ("x",)),),
    "Sqrt": ((np.sqrt, ("x",)),),
    "Rsqrt": ((np.sqrt, ("x",)), (np.divide, (1, "r"))),
    "Reciprocal": ((np.divide, (1, "x")),),
    "Exp": ((np.exp, ("x",)),),
    "Expm1": ((np.expm1, ("x",)),),
    "Log": ((np.log, ("x",)),),
    "Log1p": ((np.log1p, ("x",)),),
    "Sin": ((np.sin, ("x",)),),
    "Cos": ((np.cos, ("x",)),),
    "Tanh": ((np.tanh, ("x",)),),
    "Floor": ((np.floor, ("x",)),),
    "Ceil": ((np.ceil, ("x",)),),
    "Sigmoid": ((np.negative, ("x",)), (np.exp, ("r",)), (np.add, ("r", 1)), (np.reciprocal, ("r",))),
    "Relu": ((np.maximum, ("x", 0)),),
    "Relu6": ((np.maximum, ("x", 0)), (np.minimum, ("r", 6))),
}
_FLOAT_DTYPES = (dtypes.float32, dtypes.float64)
_ARITY = {name: 2 if any("y" in args for _, args in prog) else 1 for name, prog in PROGRAMS.items()}


class FusedElementwise:
    """The payload of a fused node: `run` on arrays (the executor), `replay` through bind (tapes)."""

    __slots__ = ("name", "members", "run")

    def __init__(self, members, run):
        self.members = members  # ((op name, attrs, input refs: index into inputs, or -1 for the chain), ...)
        self.name = "+".join(m[0] for m in members)
        self.run = run

    def replay(self, tensors) -> list:
        r = None
        for op_name, attrs, refs in self.members:
            r = bind(op_name, [r if k < 0 else tensors[k] for k in refs], attrs)
        return [r]

    def __repr__(self):
        return "<FusedElementwise %s>" % self.name


def fuse_elementwise(graph, outputs: list) -> tuple[list, bool]:
    """Replaces elementwise chains by fused nodes; returns (outputs, whether anything changed)."""
    groups = [g for g in _chains(graph, outputs) if len(g) > 1]
    if not groups:
        return list(outputs), False
    tails = {}
    sweep = Sweep(graph)
    for g in groups:
        for member in g[:-1]:
            sweep.drop(member)
        tails[id(g[-1])] = g
    for n in sweep.visit():
        g = tails.get(id(n))
        if g is not None:
            fused = _fused_node(graph, g)
            sweep.emit(fused)
            sweep.replace(n.outputs[0], fused.outputs[0])
    return sweep.finish(outputs), sweep.changed


def _fusible(n) -> bool:
    prog = PROGRAMS.get(n.op.name)
    if prog is None or n.control_inputs or len(n.outputs) != 1 or len(n.inputs) != _ARITY[n.op.name]:
        return False
    out = n.outputs[0]
    d = dims(out)
    return out.dtype in _FLOAT_DTYPES and d is not None and len(d) >= 1 and all(t.dtype is out.dtype for t in n.inputs)


def _chains(graph, outputs) -> list:
    """Groups of nodes, in order, each reading the previous one's output as its buffer."""
    readers: dict[int, set] = {}
    for n in graph.nodes:
        for t in n.inputs:
            readers.setdefault(id(t), set()).add(id(n))
    returned = {id(o) for o in outputs}
    groups, open_tails, barrier = [], {}, 0
    for n in graph.nodes:
        if (n.op.stateful and n.op is not READ_VARIABLE) or (n.op.kernel is None and hasattr(n.payload, "run")):
            barrier += 1  # side effects and control flow keep their place: no chain crosses them
            continue
        if not _fusible(n):
            continue
        joined = None
        for i, t in enumerate(n.inputs):
            entry = open_tails.get(id(t))
            if entry is not None and entry[1] == barrier and _extends(n, i, t, readers, returned):
                joined = entry[0]
                del open_tails[id(t)]
                break
        if joined is None:
            joined = []
            groups.append(joined)
        joined.append(n)
        open_tails[id(n.outputs[0])] = (joined, barrier)
    return groups


def _extends(n, i, t, readers, returned) -> bool:
    """Whether `n` may compute in place in `t`'s buffer (t being its input number i)."""
    if readers.get(id(t)) != {id(n)} or id(t) in returned:
        return False
    out = n.outputs[0]
    if dims(out) != dims(t) or out.dtype is not t.dtype:
        return False
    return all(o is t or broadcast_keeps_shape(t, dims(o)) for j, o in enumerate(n.inputs) if j != i)


def _fused_node(graph, group):
    dtype = group[-1].outputs[0].dtype
    inputs, index = [], {}
    program, members = [], []
    prev = None
    for n in group:
        refs = []
        for t in n.inputs:
            if t is prev:
                refs.append(-1)
                continue
            if id(t) not in index:
                index[id(t)] = len(inputs)
                inputs.append(t)
            refs.append(index[id(t)])
        members.append((n.op.name, n.attrs, tuple(refs)))
        names = {"x": refs[0], "y": refs[-1], "r": -1}
        for ufunc, args in PROGRAMS[n.op.name]:
            program.append((ufunc, tuple(("a", names[a]) if isinstance(a, str) else ("c", a) for a in args)))
        prev = n.outputs[0]
    tail = group[-1]
    out = tail.outputs[0]
    node = new_node(graph, FUSED_ELEMENTWISE, inputs, {"fused_ops": tuple(m[0] for m in members)},
                    "FusedElementwise", [(out.shape, out.dtype)], tail.source)
    node.payload = FusedElementwise(tuple(members), compile_program(program, len(inputs), dtype.as_numpy_dtype))
    return node


def compile_program(program, n_inputs: int, np_dtype):
    """A Python function running `program` on `n_inputs` arrays: the first step allocates the
    result, the others write into it. Operands are ("a", k) for input k (-1: the result) or
    ("c", v) for a constant. Generated as source once, so a call runs no interpretive loop."""
    env: dict = {}
    lines = ["def fused(%s):" % ", ".join("a%d" % k for k in range(n_inputs))]
    for step, (ufunc, args) in enumerate(program):
        names = []
        for kind, v in args:
            if kind == "c":
                name = "c%d" % len(env)
                env[name] = np_dtype(v)
            else:
                name = "t" if v < 0 else "a%d" % v
            names.append(name)
        fn = "u_" + ufunc.__name__
        env[fn] = ufunc
        if step == 0:
            lines.append("    t = %s(%s)" % (fn, ", ".join(names)))
        else:
            lines.append("    %s(%s, out=t)" % (fn, ", ".join(names)))
    lines.append("    return (t,)")
    exec("\n".join(lines), env)  # noqa: S102 - source built above from the fixed PROGRAMS table
    return env["fused"]
