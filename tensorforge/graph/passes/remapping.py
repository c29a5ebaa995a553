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

Two patterns of convolutional networks are fused the same way, with kernels from nn_ops
(`fuse_patterns`, after the chains):
  Conv2D -> BiasAdd [-> Relu]      `_FusedConv2D` (TF's name): the bias and relu are applied to
     [and -> MaxPool]              each block of the convolution's output while it is in cache;
                                   a MaxPool reading the result becomes the node's second output,
                                   pooled from the same blocks
  MaxPoolGrad -> ReluGrad          `_FusedMaxPoolGrad`: the backward of MaxPool(Relu(...)), the
                                   relu mask applied at the pooled size; when the MaxPool is one
                                   fused above (2x2 windows), the forward node also outputs where
                                   each window's maximum is (a uint8 "argmax code") and the
                                   backward routes the gradient by it
Each intermediate result must be read by the next op only (and not be returned; the MaxPool's
input may have other readers), the ops must have no control edges, no side effect may lie between
the first and the last (as for chains), and the tensors must be float32/float64 (NHWC for the
convolution and the pooling).
"""
from __future__ import annotations

import numpy as np

from ...framework import dtypes
from ...ops import intra_op, nn_ops
from ...ops.registry import NON_DIFFERENTIABLE, OpDef, bind
from ..graph import READ_VARIABLE, SymbolicTensor
from ._rewrite import Sweep, broadcast_keeps_shape, dims, new_node

FUSED_ELEMENTWISE = OpDef("_FusedElementwise", None, None, NON_DIFFERENTIABLE, None, "tf.function", 1, False, (), None)
FUSED_CONV2D = OpDef("_FusedConv2D", None, None, NON_DIFFERENTIABLE, None, "tf.function", 1, False, (), None)
FUSED_CONV2D_POOL = OpDef("_FusedConv2D", None, None, NON_DIFFERENTIABLE, None, "tf.function", 2, False, (), None)
FUSED_CONV2D_CODED = OpDef("_FusedConv2D", None, None, NON_DIFFERENTIABLE, None, "tf.function", 3, False, (), None)
FUSED_MAX_POOL_GRAD = OpDef("_FusedMaxPoolGrad", None, None, NON_DIFFERENTIABLE, None, "tf.function", 1, False, (),
                            None)

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
# Whether a fused 2x2 MaxPool passes its argmax codes to the fused pool gradient (see fuse_patterns).
ARGMAX_CODES = True
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
    """The remapping pass: replaces elementwise chains, then the convolutional patterns, by fused
    nodes; returns (outputs, whether anything changed)."""
    outputs, chained = _fuse_chains(graph, outputs)
    outputs, patterned = fuse_patterns(graph, outputs)
    return outputs, chained or patterned


def _fuse_chains(graph, outputs: list) -> tuple[list, bool]:
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
    ("c", v) for a constant. Generated as source once, so a call runs no interpretive loop.

    Results of at least intra_op.SPLIT_ELEMENTS elements are computed in blocks of rows on the
    intra-op threads (as TF's Eigen kernels split large elementwise work): every op of the chain runs on a
    block while it is in cache, and blocks run in parallel since NumPy releases the GIL. The
    arithmetic per element is unchanged, so the results are the same bits."""
    env: dict = {}
    params = ", ".join("a%d" % k for k in range(n_inputs))
    body = []
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
        body.append((step, fn, ", ".join(names)))
    lines = ["def whole(%s):" % params]
    lines += ["    t = %s(%s)" % (fn, a) if step == 0 else "    %s(%s, out=t)" % (fn, a) for step, fn, a in body]
    lines.append("    return t")
    lines.append("def into(t, %s):" % params)
    lines += ["    %s(%s, out=t)" % (fn, a) for _, fn, a in body]
    exec("\n".join(lines), env)  # noqa: S102 - source built above from the fixed PROGRAMS table
    whole, into = env["whole"], env["into"]
    dtype = np.dtype(np_dtype)

    def fused(*arrays):
        if max(a.size for a in arrays) < intra_op.SPLIT_ELEMENTS or intra_op.threads() < 2:
            return (whole(*arrays),)
        return (_split_rows(whole, into, arrays, dtype),)

    return fused


def _split_rows(whole, into, arrays, dtype):
    """Runs a chain on blocks of the result's leading dimension (see compile_program)."""
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    rows = shape[0] if shape else 0
    row_size = int(np.prod(shape[1:], dtype=np.int64)) if rows else 0
    step = max(1, intra_op.BLOCK_ELEMENTS // max(1, row_size))
    if rows < 2 * step:  # a result of few, huge rows: not split
        return whole(*arrays)
    # Inputs spanning the leading dimension are sliced with the result; the others broadcast whole.
    spans = [a.ndim == len(shape) and a.shape[0] == rows for a in arrays]
    out = np.empty(shape, dtype)

    def block(r0, r1):
        into(out[r0:r1], *[a[r0:r1] if sp else a for a, sp in zip(arrays, spans)])

    intra_op.run_chunks(block, intra_op.blocks(rows, step))
    return out


# ---------------------------------------------------------------- convolutional patterns
def fuse_patterns(graph, outputs: list) -> tuple[list, bool]:
    """Replaces Conv2D -> BiasAdd [-> Relu] (with a MaxPool of the result) and MaxPoolGrad -> ReluGrad
    by fused nodes; returns (outputs, whether anything changed)."""
    matches = _pattern_matches(graph, outputs)
    if not matches:
        return list(outputs), False
    tails = {}
    sweep = Sweep(graph)
    for group, pool, make, link in matches:
        for member in group[:-1] + ([pool] if pool is not None else []):
            sweep.drop(member)
        tails[id(group[-1])] = (group, pool, make, link)
    made = {}  # id(first member) -> fused node, for the links from backward to forward nodes
    for n in sweep.visit():
        hit = tails.get(id(n))
        if hit is not None:
            group, pool, make, link = hit
            fused = make(graph, group, pool, link if link is None or link is True else made[link].outputs[2])
            made[id(group[0])] = fused
            sweep.emit(fused)
            sweep.replace(n.outputs[0], fused.outputs[0])
            if pool is not None:
                sweep.replace(pool.outputs[0], fused.outputs[1])
    return sweep.finish(outputs), sweep.changed


def _pattern_matches(graph, outputs) -> list:
    """[(member nodes in order, absorbed MaxPool node or None, node maker, link)] for each fusible pattern.
    link: for a convolution, True when a pool gradient will read its argmax codes; for a pool gradient,
    id(first member) of the convolution whose codes it reads; else None."""
    readers: dict[int, list] = {}
    for n in graph.nodes:
        for t in n.inputs:
            readers.setdefault(id(t), []).append(n)
    controlled = {id(c) for n in graph.nodes for c in n.control_inputs}
    returned = {id(o) for o in outputs}
    position = {id(n): i for i, n in enumerate(graph.nodes)}
    effects = [i for i, n in enumerate(graph.nodes) if (n.op.stateful and n.op is not READ_VARIABLE)
               or (n.op.kernel is None and hasattr(n.payload, "run") and not isinstance(n.payload, FusedElementwise))]

    def plain(n, op_name) -> bool:
        return (n.op.name == op_name and not n.control_inputs and id(n) not in controlled and len(n.outputs) == 1
                and n.outputs[0].dtype in _FLOAT_DTYPES and all(t.dtype is n.outputs[0].dtype for t in n.inputs))

    def next_op(n, op_name):
        """The node of type op_name that alone reads n's output (as its first input), or None."""
        out = n.outputs[0]
        rs = readers.get(id(out), ())
        if len(rs) != 1 or id(out) in returned or not plain(rs[0], op_name) or rs[0].inputs[0] is not out:
            return None
        return rs[0]

    def no_effect_between(group) -> bool:
        a, b = position[id(group[0])], position[id(group[-1])]
        return not any(a < i < b for i in effects)

    matches = []
    for n in graph.nodes:
        if plain(n, "Conv2D") and n.attrs.get("data_format") == "NHWC":
            bias = next_op(n, "BiasAdd")
            if bias is None or bias.attrs.get("data_format", "NHWC").startswith("NC"):
                continue
            group = [n, bias]
            relu = next_op(bias, "Relu")
            if relu is not None:
                group.append(relu)
            if no_effect_between(group):
                pools = [r for r in readers.get(id(group[-1].outputs[0]), ()) if plain(r, "MaxPool")
                         and r.attrs.get("data_format") == "NHWC" and r.inputs[0] is group[-1].outputs[0]]
                matches.append([group, pools[0] if pools else None, _fused_conv_node, None])
        elif plain(n, "MaxPoolGrad"):
            rg = next_op(n, "ReluGrad")
            if rg is not None and rg.inputs[1] is n.inputs[0] and no_effect_between([n, rg]):
                matches.append([[n, rg], None, _fused_max_pool_grad_node, None])
    pooled = {id(m[1].outputs[0]): m for m in matches if m[1] is not None} if ARGMAX_CODES else {}
    for m in matches:  # a pool gradient of a fused 2x2 pooling reads the forward node's argmax codes
        mpg = m[0][0]
        fwd = pooled.get(id(mpg.inputs[1])) if mpg.op.name == "MaxPoolGrad" else None
        if (fwd is not None and mpg.inputs[0] is fwd[0][-1].outputs[0] and mpg.attrs == fwd[1].attrs
                and tuple(mpg.attrs.get("ksize", ())) == (1, 2, 2, 1) == tuple(mpg.attrs.get("strides", ()))):
            fwd[3] = True
            m[3] = id(fwd[0][0])
    return [tuple(m) for m in matches]


def _fused_conv_node(graph, group, pool, coded):
    conv, bias = group[0], group[1]
    relu = len(group) == 3
    x, w = conv.inputs
    b = bias.inputs[1]
    attrs = dict(conv.attrs)
    members = (("Conv2D", conv.attrs, (0, 1)), ("BiasAdd", bias.attrs, (-1, 2)))
    if relu:
        members += (("Relu", group[2].attrs, (-1,)),)
    fused_ops = tuple(m[0] for m in members[1:])
    if pool is None:
        def run(xa, wa, ba):
            return (nn_ops.fused_conv2d(xa, wa, ba, relu, **attrs),)
        return _pattern_node(graph, FUSED_CONV2D, [x, w, b], dict(attrs, fused_ops=fused_ops), "FusedConv2D",
                             group, FusedElementwise(members, run))
    pool_attrs = {k: v for k, v in pool.attrs.items() if k != "data_format"}

    def run_pooled(xa, wa, ba):
        return nn_ops.fused_conv2d(xa, wa, ba, relu, pool=pool_attrs, code=bool(coded), **attrs)
    node = _pattern_node(graph, FUSED_CONV2D_CODED if coded else FUSED_CONV2D_POOL, [x, w, b],
                         dict(attrs, fused_ops=fused_ops + ("MaxPool",)), "FusedConv2D", group,
                         FusedPooled(members, run_pooled, pool.attrs, bool(coded)), pool)
    if coded:  # the argmax codes: one uint8 per pooled element
        out = pool.outputs[0]
        node.outputs.append(SymbolicTensor(graph, node, 2, out.shape, dtypes.uint8))
    return node


class FusedPooled(FusedElementwise):
    """A fused chain whose result is also max-pooled: outputs (result, MaxPool(result)[, argmax codes])."""

    __slots__ = ("pool_attrs", "coded")

    def __init__(self, members, run, pool_attrs, coded):
        super().__init__(members, run)
        self.pool_attrs = pool_attrs
        self.coded = coded
        self.name += "+MaxPool"

    def replay(self, tensors) -> list:
        r = super().replay(tensors)[0]
        out = [r, bind("MaxPool", [r], self.pool_attrs)]
        # The codes only serve the fused pool gradient, whose replay (MaxPoolGrad, ReluGrad) ignores them.
        return out + [None] if self.coded else out


def _fused_max_pool_grad_node(graph, group, pool, code):
    mpg, rg = group
    attrs = dict(mpg.attrs)

    def run(x, y, g, codes=None):
        return (nn_ops.max_pool_grad_relu(x, y, g, code=codes, **attrs),)
    members = (("MaxPoolGrad", mpg.attrs, (0, 1, 2)), ("ReluGrad", rg.attrs, (-1, 0)))
    return _pattern_node(graph, FUSED_MAX_POOL_GRAD, list(mpg.inputs) + ([code] if code is not None else []),
                         dict(attrs, fused_ops=("ReluGrad",)), "FusedMaxPoolGrad", group,
                         FusedElementwise(members, run))


def _pattern_node(graph, op, inputs, attrs, name, group, payload, pool=None):
    """The fused node of `group` (at the place of its last member), with the outputs it replaces."""
    outs = [group[-1].outputs[0]] + ([pool.outputs[0]] if pool is not None else [])
    node = new_node(graph, op, inputs, attrs, name, [(o.shape, o.dtype) for o in outs], group[-1].source)
    node.payload = payload
    return node
