"""Control flow with TensorFlow's semantics: tf.cond, tf.case, tf.switch_case, tf.while_loop and
tf.TensorArray, eagerly and in graphs.

Eagerly these are Python control flow. While tracing, each branch (or a loop's cond and body) is
traced into a child FuncGraph and the choice becomes one node ("If", "Case", "While") whose
payload runs the chosen sub-graph on arrays (`run`, called by executor.Plan) or replays it op by
op through `bind` (`replay`, called by ConcreteFunction._replay: eager tapes then record only the
ops that ran, and an outer trace inlines the node by tracing it again).

Gradients inside a traced function follow TF's design. When a tape is recording, every branch
and loop body is traced under a private tape. The gradient of an If/Case node is another If/Case
node whose branches walk those tapes backwards; the forward intermediates they need become extra
outputs of the forward node (None from the branches that do not compute them). A While node
records its body's intermediates once per iteration (a "history" output) and its gradient is a
WhileGrad node that runs the body's vector-Jacobian product over the history in reverse.

A TensorArray is eagerly a Python list of tensors. In graphs it is a variant "flow" tensor whose
runtime value is that list, updated functionally by TensorList* nodes, so it can be a loop
variable or a branch output.
"""
from __future__ import annotations

import functools

import numpy as np

from .._api import tf_export
from ..autodiff.tape import GradientTape
from ..framework import dtypes, nest
from ..framework.context import ctx, graph_scope
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError, OutOfRangeError
from ..framework.indexed_slices import IndexedSlices
from ..framework.tensor import Tensor
from ..framework.tensor_shape import TensorShape, as_shape
from ..ops import array_ops, math_ops
from ..ops.registry import NON_DIFFERENTIABLE, OpDef, bind
from .executor import Plan, live_nodes
from .graph import ASSIGN_OPS, CONST, PLACEHOLDER, READ_VARIABLE, FuncGraph, SymbolicTensor

# TF's DT_VARIANT: the dtype of TensorArray flows and While histories (Python lists at run time).
VARIANT = dtypes.DType("variant", np.object_, 21)
_ASSIGN_KIND = {op.name: kind for kind, op in ASSIGN_OPS.items()}


def _differentiable(dtype) -> bool:
    """Whether gradients flow through values of `dtype` (TensorList flows carry gradient lists)."""
    return dtype.is_floating or dtype.is_complex or dtype is VARIANT


def _dtype_text(d) -> str:
    return "<dtype: '%s'>" % d.name


def _in_graph(graph, value):
    """`value` (an eager tensor or an enclosing graph's tensor) as a tensor of `graph`."""
    if isinstance(value, SymbolicTensor) and value.graph is graph:
        return value
    return graph.capture(value)


def _dense(g):
    return array_ops.indexed_slices_to_dense(g) if isinstance(g, IndexedSlices) else g


def _as_graph_value(leaf):
    """A branch/loop output leaf as a tensor of the graph being built (None stays None)."""
    if leaf is None:
        return None
    if isinstance(leaf, TensorArray):
        return leaf._graph_flow()
    t = convert_to_tensor(leaf)
    return _in_graph(ctx.graph, t)


def _record(op: OpDef, node) -> None:
    """Lets the active tapes see `node` (bind's graph path does this for registry ops).

    The records share the node's output list, so outputs added later for gradients (exported
    intermediates) receive gradients too when a tape differentiates a gradient (second order).
    """
    for tape in ctx.tapes:
        tape._record(op, node.inputs, node.attrs, node.outputs)


def _special(name: str, grad, api: str, stateful: bool = False) -> OpDef:
    """A graph-level op whose node payload runs it (kernel None, as graph.py's special ops)."""
    return OpDef(name, None, None, grad, None, api, -1, stateful, (), None)


# ---------------------------------------------------------------- child graphs
class _ControlFlowGraph(FuncGraph):
    """A branch, loop cond or loop body: a FuncGraph nested in `outer`.

    Reads of variables the graph has not assigned are hoisted into the enclosing graph and
    captured, so they become inputs of the control-flow node and tapes there can reach them
    (a loop retraces without hoisting the variables it assigns).
    """

    def __init__(self, name, outer, no_hoist=frozenset()):
        super().__init__(name, outer=outer)
        self.created_variables = getattr(outer, "created_variables", [])
        self.assigned: set[int] = set()       # ids of variables assigned here or in nested graphs
        self.hoisted: set[int] = set()        # ids of variables whose reads were hoisted
        self._no_hoist = no_hoist
        self._hoisted_reads: dict[int, SymbolicTensor] = {}
        self._outer_tapes = list(ctx.tapes)   # the tapes recording in `outer`
        self.tape: GradientTape | None = None  # private tape recording this graph's ops

    def start_recording(self, watch=()):
        self.tape = GradientTape(persistent=True, watch_accessed_variables=False)
        self.tape._push()
        for t in watch:
            if _differentiable(t.dtype):
                self.tape.watch(t)

    def stop_recording(self):
        if self.tape is not None:
            self.tape._pop()

    def capture(self, value):
        known = id(value) in self.captures
        ph = super().capture(value)
        if not known and id(value) in self.captures and self.tape is not None and _differentiable(ph.dtype):
            # bind records ops with the tensors it was given: the outer one, not the placeholder.
            self.tape.watch([ph, value])
        return ph

    def read_variable(self, var):
        key = id(var)
        if key in self.assigned or key in self._no_hoist or not hasattr(self.outer, "read_variable"):
            return super().read_variable(var)
        ph = self._hoisted_reads.get(key)
        if ph is None:
            value = self.outer.read_variable(var)
            for tape in self._outer_tapes:
                tape._variable_accessed(var, value)
            self._use_variable(var)
            self.hoisted.add(key)
            ph = self._hoisted_reads[key] = self.capture(value)
        return ph

    def assign_variable(self, var, value, read_value=True, kind="assign"):
        self.assigned.add(id(var))
        self._hoisted_reads.pop(id(var), None)
        return super().assign_variable(var, value, read_value, kind)


def _adopt(graph, children) -> None:
    """The enclosing graph takes on the variables its child graphs use and assign."""
    for g in children:
        for v in g.variables:
            graph._use_variable(v)
        if isinstance(graph, _ControlFlowGraph):
            graph.assigned |= g.assigned


class _Branch:
    """A traced sub-graph: leading parameters, captured outer values and outputs."""

    __slots__ = ("graph", "params", "outputs", "placeholders", "captured", "positions", "_plan", "_live")

    def __init__(self, graph, outputs, params=()):
        self.graph = graph
        self.params = list(params)
        self.outputs = list(outputs)
        self.placeholders: list = []   # capture placeholders, in the node's capture order
        self.captured: list = []       # the outer value each one stands for
        self.positions: list = []      # index of each one's value among the node's captures
        self._plan = None
        self._live = None

    def changed(self) -> None:
        self._plan = self._live = None

    def run(self, arrays) -> list:
        plan = self._plan
        if plan is None:
            plan = self._plan = Plan(self.graph, self.params + self.placeholders, self.outputs)
        return plan.run(arrays)

    def replay(self, values) -> list:
        if self._live is None:
            self._live = live_nodes(self.graph, self.outputs)
        return _replay_nodes(self._live, self.params + self.placeholders, values, self.outputs)


def _replay_nodes(nodes, params, values, outputs) -> list:
    """Runs `nodes` op by op through `bind` (eager tapes record them; a trace stages them)."""
    env = {id(p): v for p, v in zip(params, values)}
    for n in nodes:
        op = n.op
        if op is PLACEHOLDER:
            continue
        if op is CONST:
            env[id(n.outputs[0])] = n.payload if n.outputs[0].dtype is VARIANT else Tensor(n.payload)
        elif op is READ_VARIABLE:
            env[id(n.outputs[0])] = n.payload._as_tensor()
        elif op.name in _ASSIGN_KIND:
            getattr(n.payload, _ASSIGN_KIND[op.name])(env[id(n.inputs[0])])
        else:
            ins = [env[id(t)] for t in n.inputs]
            r = n.payload.replay(ins) if op.kernel is None else bind(op.name, ins, n.attrs)
            for o, v in zip(n.outputs, r if isinstance(r, (tuple, list)) else (r,)):
                env[id(o)] = v
    return [env[id(o)] for o in outputs]


def _collect_captures(branches) -> list:
    """The outer values the branches capture (each once); sets each branch's input mapping."""
    values, where = [], {}
    for br in branches:
        br.placeholders, br.captured, br.positions = [], [], []
        for value, ph in br.graph.captures.values():
            j = where.get(id(value))
            if j is None:
                j = where[id(value)] = len(values)
                values.append(value)
            br.placeholders.append(ph)
            br.captured.append(value)
            br.positions.append(j)
    return values


def _is_stateful(graphs) -> bool:
    return any(n.op.stateful for g in graphs for n in g.nodes)


# ---------------------------------------------------------------- If / Case
def _trace_branch(graph, fn, record: bool):
    """Traces `fn()` into a child of `graph`: (branch, returned structure, its leaves)."""
    g = _ControlFlowGraph("branch", graph)
    with graph_scope(g):
        if record:
            g.start_recording()
        try:
            structure = fn()
            leaves = nest.flatten(structure)
            flat = [_as_graph_value(x) for x in leaves]
        finally:
            g.stop_recording()
    return _Branch(g, flat), structure, leaves


class _ConditionalPayload:
    """Runs or replays the branch an If (pred) or Case (branch index) node chooses."""

    def __init__(self, kind, branches, missing_default=None):
        self.kind = kind
        self.branches = branches
        self.missing_default = missing_default  # tf.case without default: message for "none true"
        self._exported: dict[int, int] = {}

    @property
    def name(self) -> str:
        return "|".join(br.graph.name for br in self.branches)

    def choose(self, index) -> int:
        if self.kind == "If":
            return 0 if index else 1
        i, n = int(index), len(self.branches)
        if 0 <= i < n:
            return i
        if self.missing_default is not None:
            raise InvalidArgumentError(None, None, self.missing_default)
        return n - 1  # out of range: the default (last) branch, as TF's Case

    def run(self, index, *args):
        br = self.branches[self.choose(index)]
        return tuple(br.run(list(args[p] for p in br.positions)))

    def replay(self, tensors) -> list:
        if ctx.graph is not None:  # inlined into a trace: stage the node again
            fns = [functools.partial(_replay_captured, br, tensors[1:]) for br in self.branches]
            branches = [_trace_branch(ctx.graph, fn, True)[0] for fn in fns]
            node = _make_conditional(ctx.graph, self.kind, tensors[0], branches, self.kind.lower(),
                                     self.missing_default)
            return list(node.outputs)
        br = self.branches[self.choose(tensors[0]._value)]
        return br.replay([tensors[1 + p] for p in br.positions])

    def export(self, node, value) -> SymbolicTensor:
        """A forward intermediate of one branch as an output of `node` (for its gradient)."""
        idx = self._exported.get(id(value))
        if idx is None:
            owner = [br for br in self.branches if br.graph is value.graph]
            if not owner:
                raise ValueError("%s is not a tensor of a branch of %s" % (value, node.name))
            for br in self.branches:
                br.outputs.append(value if br is owner[0] else _placeholder_zeros(br.graph, value))
                br.changed()
            idx = self._exported[id(value)] = len(node.outputs)
            node.outputs.append(SymbolicTensor(node.graph, node, idx, value.shape, value.dtype))
            node.attrs = dict(node.attrs, Tout=tuple(o.dtype for o in node.outputs))
        return node.outputs[idx]


def _placeholder_zeros(graph, like):
    """Zeros standing in for `like` in a branch that does not compute it (only the branch that
    does is ever read, but every output must hold a tensor: tapes may take its zeros_like)."""
    if like.dtype is VARIANT:  # a While history or TensorArray flow: an empty list
        node = graph._new_node(CONST, [], {"dtype": VARIANT}, [((), VARIANT)], "Const")
        node.payload = []
        return node.outputs[0]
    with graph_scope(graph):
        if like.shape.is_fully_defined():
            return array_ops.zeros(like.shape.as_list(), like.dtype)
        return _in_graph(graph, array_ops.zeros([], like.dtype))


def _replay_captured(br, captured) -> list:
    return br.replay([captured[p] for p in br.positions])


def _make_conditional(graph, kind, index, branches, name, missing_default=None, resolve=None):
    """Adds the If/Case node choosing among traced `branches` to `graph`."""
    keep = [i for i, o in enumerate(branches[0].outputs) if o is not None]  # None leaves: None in all
    for br in branches:
        br.outputs = [br.outputs[i] for i in keep]
    specs = []
    for outs in zip(*(br.outputs for br in branches)):
        shape = outs[0].shape
        for o in outs[1:]:
            shape = shape.most_specific_compatible_shape(o.shape)
        specs.append((shape, outs[0].dtype))
    captured = _collect_captures(branches)
    resolve = resolve or functools.partial(_in_graph, graph)
    inputs = [_in_graph(graph, index)] + [resolve(v) for v in captured]
    graphs = [br.graph for br in branches]
    op = _COND_OPS[kind, _is_stateful(graphs)]
    attrs = {"Tout": tuple(d for _, d in specs)}
    node = graph._new_node(op, inputs, attrs, specs, name)
    node.payload = _ConditionalPayload(kind, branches, missing_default)
    labels = ("true", "false") if kind == "If" else tuple("branch%d" % i for i in range(len(branches)))
    for g, label in zip(graphs, labels):
        g.name = "%s_%s" % (node.name, label)
    _adopt(graph, graphs)
    _record(op, node)
    return node


def _conditional_grad(rec, *dys):
    """The gradient of an If/Case node: the same choice among the branches' backward passes."""
    node = rec.outputs[0].node
    payload = node.payload
    inputs = rec.inputs
    want = [j for j in range(1, len(inputs))
            if _differentiable(inputs[j].dtype) and j not in rec.skip_input_indices]
    if not want:
        return [None] * len(inputs)
    graph = ctx.graph
    if graph is None:
        raise ValueError("The gradient of a %s node is built while tracing" % node.type)
    record = bool(ctx.tapes)
    fns = [functools.partial(_branch_vjp, br, inputs, want, dys) for br in payload.branches]
    branches = [_trace_branch(graph, fn, record)[0] for fn in fns]
    graphs = {id(br.graph) for br in payload.branches}
    fed = {id(v): node.inputs[1 + p] for br in payload.branches for v, p in zip(br.captured, br.positions)}

    def resolve(value):
        # Ops recorded in a branch name the outer tensors they were given; the node's input
        # carries that value at run time. Branch tensors come out as extra outputs.
        if id(value) in fed:
            value = fed[id(value)]
        elif id(getattr(value, "graph", None)) in graphs:
            value = payload.export(node, value)
        return _in_graph(graph, value)

    gnode = _make_conditional(graph, payload.kind, inputs[0], branches, node.name + "_grad", resolve=resolve)
    grads = [None] * len(inputs)
    for j, g in zip(want, gnode.outputs):
        grads[j] = g
    return grads


def _branch_vjp(br, inputs, want, dys) -> list:
    """One branch's gradients w.r.t. the node inputs `want` (zeros where it does not use them)."""
    src_of = {1 + p: (ph, v) for p, ph, v in zip(br.positions, br.placeholders, br.captured)}
    targets, seeds = [], []
    for o, dy in zip(br.outputs, dys):
        if o is not None and dy is not None and _differentiable(o.dtype):
            targets.append(o)
            seeds.append(dy)
    sources = [src_of[j] for j in want if j in src_of]
    flat = [t for pair in sources for t in pair]
    grads = iter(_paired_sum(br.graph.tape.gradient(targets, flat, output_gradients=seeds)) if targets and flat
                 else [None] * len(sources))
    return [_or_zeros(next(grads) if j in src_of else None, inputs[j]) for j in want]


def _paired_sum(grads) -> list:
    """Gradients of (placeholder, outer value) source pairs, each pair summed."""
    out = []
    for a, b in zip(grads[0::2], grads[1::2]):
        out.append(a if b is None else b if a is None else list_add(a, b) if a.dtype is VARIANT
                   else math_ops.add(_dense(a), _dense(b)))
    return out


def _or_zeros(g, like):
    if g is None:
        return list_zeros_like(like) if like.dtype is VARIANT else array_ops.zeros_like(like)
    return _dense(g)


_COND_OPS = {(kind, stateful): _special(kind, _conditional_grad, api, stateful)
             for kind, api in (("If", "tf.cond"), ("Case", "tf.switch_case")) for stateful in (False, True)}


def _check_same_outputs(traced, api: str, labels, word: str) -> None:
    """TF's checks that all branches return the same structure, number and dtypes."""
    _, s0, _ = traced[0]
    f0 = traced[0][0].outputs
    for b in range(1, len(traced)):
        br, sb, _ = traced[b]

        def error(detail, b=b, sb=sb):
            raise TypeError(
                "%s and %s arguments to %s must have the same number, type, and overall structure of return "
                "values.\n\n%s output: %s\n%s output: %s\n\nError details:\n%s"
                % (labels[0], labels[b], api, labels[0], s0, labels[b], sb, detail))

        try:
            nest.assert_same_structure(s0, sb, check_types=True)
        except (ValueError, TypeError) as e:
            error(str(e))
        n0 = sum(v is not None for v in f0)
        nb = sum(v is not None for v in br.outputs)
        if n0 != nb:
            raise ValueError("Lengths of branch outputs of %s must match.\nlen(graphs[0].outputs): %d\n"
                             "len(graphs[%d].outputs): %d\n" % (word, n0, b, nb))
        for x, y in zip(f0, br.outputs):
            if (x is None) != (y is None) or (x is not None and x.dtype != y.dtype):
                error("%s and %s have different types" % (x, y))


def _conditional(kind, index, fns, name, api, labels, word, missing_default=None):
    """Traces `fns` as branches of an If/Case node on `index`; returns the first's structure."""
    graph = ctx.graph
    # Branches are always recorded, so tf.gradients (which reads the graph after the fact) can
    # differentiate the node as a tape recording at trace time could.
    traced = [_trace_branch(graph, fn, True) for fn in fns]
    _check_same_outputs(traced, api, labels, word)
    branches = [t[0] for t in traced]
    flat0 = list(branches[0].outputs)
    node = _make_conditional(graph, kind, index, branches, name, missing_default)
    outs = iter(node.outputs)
    _, structure, leaves = traced[0]
    values = []
    for i, (leaf, v) in enumerate(zip(leaves, flat0)):
        if v is None:
            values.append(None)
            continue
        out = next(outs)
        if isinstance(leaf, TensorArray):
            shape = leaf._element_shape
            for t in traced[1:]:
                shape = shape.most_specific_compatible_shape(t[2][i]._element_shape)
            out = leaf._with_flow(out, shape)
        values.append(out)
    return nest.pack_sequence_as(structure, values)


def _graph_pred(pred, what: str):
    """The symbolic scalar predicate/index of a traced conditional, or None when it is eager."""
    if ctx.graph is None:
        return None
    if not isinstance(pred, (SymbolicTensor, Tensor)) and hasattr(pred, "_as_tensor"):
        pred = pred._as_tensor()  # a variable: read it in the graph
    if not isinstance(pred, SymbolicTensor):
        return None
    if what == "pred" and pred.dtype is not dtypes.bool:
        raise InvalidArgumentError(None, None, "Input '%s' passed %s expected bool (tf.cond)"
                                   % (what, pred.dtype.name))
    if pred.shape.rank not in (None, 0):
        raise InvalidArgumentError(None, None, "The %s of a conditional must be a scalar, but it has shape %s"
                                   % (what, pred.shape))
    return pred


@tf_export("cond")
def cond(pred, true_fn=None, false_fn=None, name=None):
    """Returns `true_fn()` if `pred` is true else `false_fn()` (tf.cond).

    Eagerly (or with a Python bool `pred`) only the chosen function runs. While tracing a
    tf.function with a tensor `pred`, both functions are traced and an `If` node picks one at
    run time; they must return the same structure of tensors with the same dtypes.

    Args:
      pred: a scalar boolean tensor (or Python bool).
      true_fn: the callable to run when `pred` is true.
      false_fn: the callable to run when `pred` is false.
      name: a name for the node.

    Returns:
      What the chosen function returns.
    """
    if true_fn is None:
        raise TypeError("cond(): 'true_fn' argument required")
    if false_fn is None:
        raise TypeError("cond(): 'false_fn' argument required")
    if not callable(true_fn):
        raise TypeError("'true_fn' must be callable.")
    if not callable(false_fn):
        raise TypeError("'false_fn' must be callable.")
    p = _graph_pred(pred, "pred")
    if p is None:
        return true_fn() if bool(pred) else false_fn()
    return _conditional("If", p, [true_fn, false_fn], name or "cond", "tf.cond", ("true_fn", "false_fn"), "cond")


def _canonical_branch_fns(branch_fns) -> list:
    """TF's checks on switch_case's `branch_fns` (list, dict or (int, fn) pairs)."""
    if not isinstance(branch_fns, (list, tuple, dict)):
        raise TypeError("'branch_fns' must be a list, tuple, or dict")
    if not branch_fns:
        raise ValueError("Must provide at least one item in 'branch_fns'")
    pairs = list(branch_fns.items()) if isinstance(branch_fns, dict) else list(branch_fns)
    if all(callable(fn) for fn in pairs):
        pairs = list(enumerate(pairs))
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError("Each entry in 'branch_fns' must be a 2-tuple. Received %s." % (pair,))
        key, fn = pair
        if not isinstance(key, int):
            raise TypeError("key must be a Python `int`, got %s" % type(key))
        if not callable(fn):
            raise TypeError("fn for key %d must be callable." % key)
    keys = sorted(k for k, _ in pairs)
    if keys != list(range(len(keys))):
        raise ValueError("branch indices (keys) must form contiguous range of [0 to %d) but found {%s}"
                         % (len(keys), ",".join(map(str, keys))))
    return [fn for _, fn in sorted(pairs, key=lambda kv: kv[0])]


@tf_export("switch_case")
def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """Runs `branch_fns[branch_index]()`, or `default()` when the index is out of range (tf.switch_case).

    Args:
      branch_index: a scalar int32 tensor.
      branch_fns: a list of callables, a dict {int: callable}, or a list of (int, callable) pairs.
      default: the callable for out-of-range indices (the last branch when None).
      name: a name for the node.

    Returns:
      What the chosen function returns.
    """
    if not isinstance(branch_index, (Tensor, SymbolicTensor)) and hasattr(branch_index, "_as_tensor"):
        branch_index = branch_index._as_tensor()
    if not isinstance(branch_index, (Tensor, SymbolicTensor)):
        raise TypeError("'branch_index' must be a Tensor, got %s" % type(branch_index))
    if not branch_index.dtype.is_integer:
        raise TypeError("'branch_index' must be an integer Tensor, got %s" % _dtype_text(branch_index.dtype))
    fns = _canonical_branch_fns(branch_fns)
    if default is not None:
        if not callable(default):
            raise TypeError("'default' must be callable.")
        fns.append(default)
    p = _graph_pred(branch_index, "branch_index")
    if p is None:
        i = int(branch_index)
        return fns[i if 0 <= i < len(fns) else -1]()
    if p.dtype is not dtypes.int32:
        raise TypeError("Input 'branch_index' of 'Case' Op has type %s that does not match expected type of int32."
                        % p.dtype.name)
    labels = ["branches[%d]" % i for i in range(len(fns))]
    return _conditional("Case", p, fns, name or "switch_case", "tf.switch_case", labels, "case")


def _unpack_if_singleton(x):
    return x[0] if isinstance(x, (list, tuple)) and len(x) == 1 else x


_NONE_TRUE = "Input error: None of conditions evaluated as True:"


@tf_export("case")
def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """Runs the callable of the first true predicate, else `default` (tf.case).

    Args:
      pred_fn_pairs: a list of (scalar bool tensor, callable) pairs.
      default: the callable when no predicate is true; when None, the last pair is the
        default and it is an error if no predicate is true.
      exclusive: whether at most one predicate may be true (as in TF, not enforced).
      strict: when False, single-element list/tuple results are unpacked.
      name: a name for the node.

    Returns:
      What the chosen callable returns.
    """
    if not isinstance(pred_fn_pairs, (list, tuple)):
        raise TypeError("'pred_fn_pairs' must be a list, tuple, or dict. Received: %s" % type(pred_fn_pairs))
    for pair in pred_fn_pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError("Each entry in 'pred_fn_pairs' must be a 2-tuple. Received %s." % (pair,))
        pred, fn = pair
        if isinstance(pred, (Tensor, SymbolicTensor)):
            if pred.dtype is not dtypes.bool:
                raise TypeError("pred must be Tensor of type bool: %s" % getattr(pred, "node", pred))
        else:
            raise TypeError("pred must be a Tensor, got: %s" % (pred,))
        if not callable(fn):
            raise TypeError("fn for pred %s must be callable." % (pred,))
    if not pred_fn_pairs:
        raise ValueError("not enough values to unpack (expected 2, got 0)")
    preds = [p for p, _ in pred_fn_pairs]
    fns = [f for _, f in pred_fn_pairs]
    if default is not None and not callable(default):
        raise TypeError("'default' must be callable.")
    post = (lambda r: r) if strict else _unpack_if_singleton
    if ctx.graph is None or not any(isinstance(p, SymbolicTensor) for p in preds):
        for p, fn in zip(preds, fns):
            if bool(p):
                return post(fn())
        if default is None:
            raise InvalidArgumentError(None, None, "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. "
                                       "Summarized data: b'%s'\n%s" % (_NONE_TRUE, ", ".join("False" for _ in preds)))
        return post(default())
    # The index of the first true predicate (len(preds) when none is).
    flags = math_ops.cast(array_ops.stack(preds + [convert_to_tensor(True)]), dtypes.int32)
    index = math_ops.argmax(flags, output_type=dtypes.int32)
    missing = None
    if default is None:
        missing = "assertion failed: [%s] (tf.case)" % _NONE_TRUE
    else:
        fns = fns + [default]
    labels = ["branches[%d]" % i for i in range(len(fns))]
    return post(_conditional("Case", index, fns, name or "case", "tf.case", labels, "case", missing))


# ---------------------------------------------------------------- While
class _WhilePayload:
    """Runs or replays a While node: cond/body sub-graphs over the loop variables."""

    def __init__(self, cond_br, body_br, n, has_max, history):
        self.cond = cond_br
        self.body = body_br      # outputs: n loop variables, then intermediates kept per iteration
        self.n = n
        self.has_max = has_max
        self.history = history   # whether the node has a history output (its gradient needs it)

    @property
    def name(self) -> str:
        return "%s|%s" % (self.cond.graph.name, self.body.graph.name)

    def add_extra(self, value) -> int:
        """Index (in each history record) of body tensor `value`, kept once per iteration."""
        outs = self.body.outputs
        for i in range(self.n, len(outs)):
            if outs[i] is value:
                return i - self.n
        outs.append(value)
        self.body.changed()
        return len(outs) - 1 - self.n

    def _split(self, args):
        n, k = self.n, self.n + self.has_max
        caps = args[k:]
        return (list(args[:n]), args[n] if self.has_max else None,
                [caps[p] for p in self.cond.positions], [caps[p] for p in self.body.positions])

    def run(self, *args):
        vars_, limit, ccaps, bcaps = self._split(args)
        limit = None if limit is None else int(limit)
        history = [] if self.history else None
        n, i = self.n, 0
        while (limit is None or i < limit) and self.cond.run(vars_ + ccaps)[0]:
            out = self.body.run(vars_ + bcaps)
            vars_ = out[:n]
            if history is not None:
                history.append(tuple(out[n:]))
            i += 1
        return tuple(vars_) + ((history,) if history is not None else ())

    def replay(self, tensors) -> list:
        if ctx.graph is not None:
            return self._restage(tensors)
        vars_, limit, ccaps, bcaps = self._split(tensors)
        limit = None if limit is None else int(limit._value)
        history = [] if self.history else None
        n, i = self.n, 0
        while (limit is None or i < limit) and bool(self.cond.replay(vars_ + ccaps)[0]._value):
            out = self.body.replay(vars_ + bcaps)
            vars_ = out[:n]
            if history is not None:
                history.append(tuple(out[n:]))
            i += 1
        return vars_ + ([history] if history is not None else [])

    def _restage(self, tensors) -> list:
        n, k = self.n, self.n + self.has_max
        caps = tensors[k:]
        cond_br, body_br = self.cond, self.body

        def trace_cond(phs):
            return _as_graph_value(cond_br.replay(phs + [caps[p] for p in cond_br.positions])[0])

        def trace_body(phs):
            return [_as_graph_value(o) for o in body_br.replay(phs + [caps[p] for p in body_br.positions])]

        specs = [(p.shape, p.dtype) for p in body_br.params]
        node = _build_while(ctx.graph, list(tensors[:n]), tensors[n] if self.has_max else None, specs,
                            trace_cond, trace_body, "while", True, self.history)
        return list(node.outputs)


def _build_while(graph, flat_in, max_t, specs, trace_cond, trace_body, name, record, history=False):
    """Traces the loop's cond and body and adds the While node to `graph`."""
    no_hoist: set = set()
    while True:
        cg = _ControlFlowGraph("while_cond", graph, frozenset(no_hoist))
        with graph_scope(cg):
            cphs = [cg.placeholder(s, d, name="loop_var") for s, d in specs]
            pred = trace_cond(cphs)
        bg = _ControlFlowGraph("while_body", graph, frozenset(no_hoist))
        with graph_scope(bg):
            bphs = [bg.placeholder(s, d, name="loop_var") for s, d in specs]
            if record:
                bg.start_recording(bphs)
            try:
                outs = trace_body(bphs)
            finally:
                bg.stop_recording()
        # A variable the loop assigns must be read afresh each iteration: retrace reading it inside.
        clash = (cg.hoisted | bg.hoisted) & (cg.assigned | bg.assigned)
        if not clash:
            break
        no_hoist |= clash
    cond_br, body_br = _Branch(cg, [pred], cphs), _Branch(bg, outs, bphs)
    captured = _collect_captures([cond_br, body_br])
    inputs = [_in_graph(graph, v) for v in flat_in]
    if max_t is not None:
        inputs.append(_in_graph(graph, max_t))
    inputs += [_in_graph(graph, v) for v in captured]
    op = _WHILE_OPS[_is_stateful([cg, bg])]
    out_specs = list(specs) + ([((), VARIANT)] if history else [])
    node = graph._new_node(op, inputs, {"T": tuple(d for _, d in specs)}, out_specs, name)
    node.payload = _WhilePayload(cond_br, body_br, len(specs), max_t is not None, history)
    cg.name, bg.name = node.name + "_cond", node.name + "_body"
    _adopt(graph, [cg, bg])
    _record(op, node)
    return node


class _WhileGradPayload:
    """Runs the body's vector-Jacobian product over a While node's history, last iteration first."""

    def __init__(self, vjp, n_vars, extra_idx, n_inv, n_caps, specs):
        self.vjp = vjp              # _Branch: params = grads of vars, per-iteration values, invariants
        self.n_vars = n_vars
        self.extra_idx = extra_idx  # where each per-iteration value sits in a history record
        self.n_inv = n_inv
        self.n_caps = n_caps
        self.specs = specs
        self.name = vjp.graph.name

    def _walk(self, args, step, add, zeros):
        history, rest = args[0], args[1:]
        nv, ni = self.n_vars, self.n_inv
        dv = list(rest[:nv])
        inv = list(rest[nv:nv + ni])
        cap_values = rest[nv + ni:]
        acc = [None] * self.n_caps
        for rec in reversed(history):
            out = step(dv + [rec[e] for e in self.extra_idx] + inv)
            dv = out[:nv]
            acc = [g if a is None else add(a, g) for a, g in zip(acc, out[nv:])]
        acc = [zeros(v) if a is None else a for a, v in zip(acc, cap_values)]
        return dv + acc

    def run(self, *args):
        return tuple(self._walk(args, self.vjp.run, functools.partial(_add_any, _NumpyOps), _zeros_any))

    def replay(self, tensors) -> list:
        graph = ctx.graph
        if graph is not None:
            node = graph._new_node(_WHILE_GRAD, [_in_graph(graph, t) for t in tensors], {}, self.specs, "while_grad")
            node.payload = self
            return list(node.outputs)
        return self._walk(tensors, self.vjp.replay, functools.partial(_add_any, _TensorOps), _zeros_any)


def _add_any(ops, a, b):
    return _list_add(ops, a, b) if isinstance(a, _TensorList) else ops.add(a, b)


def _zeros_any(v):
    if isinstance(v, _TensorList):
        return _grad_list(v.size)
    return np.zeros_like(v) if isinstance(v, np.ndarray) or np.isscalar(v) else array_ops.zeros_like(v)


def _while_grad(rec, *dys):
    """The gradient of a While node (traced inside a tf.function under a tape)."""
    node = rec.outputs[0].node
    p = node.payload
    n, k = p.n, p.n + p.has_max
    body = p.body
    inputs = rec.inputs
    graph = ctx.graph
    if graph is None or body.graph.tape is None:
        raise ValueError("The gradient of a While node is built while tracing, under the tape that saw it")
    vars_d = [i for i in range(n) if _differentiable(body.params[i].dtype)]
    cap_src = {k + pos: (ph, v) for pos, ph, v in zip(body.positions, body.placeholders, body.captured)}
    caps_d = [j for j in sorted(cap_src) if _differentiable(inputs[j].dtype) and j not in rec.skip_input_indices]
    if not vars_d:
        return [None] * len(inputs)
    # One iteration's VJP, written in terms of the body's tensors.
    g = FuncGraph(node.name + "_grad_body", outer=graph)
    with graph_scope(g):
        dv = [g.placeholder(body.params[i].shape, body.params[i].dtype, name="grad") for i in vars_d]
        sources = [body.params[i] for i in vars_d] + [cap_src[j][0] for j in caps_d]
        flat = [t for i in vars_d for t in (body.params[i], None)] + [t for j in caps_d for t in cap_src[j]]
        grads = body.graph.tape.gradient([body.outputs[i] for i in vars_d], [t for t in flat if t is not None],
                                         output_gradients=dv)
        it = iter(grads)
        grads = _paired_sum([None if t is None else next(it) for t in flat])
        outs = [_in_graph(g, _or_zeros(gr, s)) for s, gr in zip(sources, grads)]
    per_iter = [(v, ph) for v, ph in g.captures.values() if getattr(v, "graph", None) is body.graph]
    invariant = [(v, ph) for v, ph in g.captures.values() if getattr(v, "graph", None) is not body.graph]
    fed = {id(v): inputs[k + pos] for v, pos in zip(body.captured, body.positions)}
    extra_idx = [p.add_extra(v) for v, _ in per_iter]
    if not p.history:
        p.history = True
        node.outputs.append(SymbolicTensor(node.graph, node, len(node.outputs), TensorShape([]), VARIANT))
    vjp = _Branch(g, outs, dv + [ph for _, ph in per_iter] + [ph for _, ph in invariant])
    seeds = [dys[i] if dys[i] is not None else _or_zeros(None, rec.outputs[i]) for i in vars_d]
    gin = ([_in_graph(graph, node.outputs[n])] + [_in_graph(graph, s) for s in seeds]
           + [_in_graph(graph, fed.get(id(v), v)) for v, _ in invariant] + [_in_graph(graph, inputs[j]) for j in caps_d])
    specs = [(body.params[i].shape, body.params[i].dtype) for i in vars_d] + [(inputs[j].shape, inputs[j].dtype)
                                                                             for j in caps_d]
    gnode = graph._new_node(_WHILE_GRAD, gin, {}, specs, node.name + "_grad")
    gnode.payload = _WhileGradPayload(vjp, len(vars_d), extra_idx, len(invariant), len(caps_d), specs)
    _record(_WHILE_GRAD, gnode)  # so that differentiating it again raises instead of giving None
    result = [None] * len(inputs)
    for i, o in zip(vars_d + caps_d, gnode.outputs):
        if i >= n or i not in rec.skip_input_indices:
            result[i] = o
    return result


_WHILE_OPS = {stateful: _special("While", _while_grad, "tf.while_loop", stateful) for stateful in (False, True)}
def _while_grad_grad(rec, *dys):
    raise NotImplementedError("Second-order gradients through a tf.while_loop inside a tf.function are not supported "
                              "yet: take the inner gradient eagerly, or with a loop whose length is known while tracing "
                              "(tf.map_fn/tf.scan then unroll under a tape).")


_WHILE_GRAD = _special("WhileGrad", _while_grad_grad, "tf.while_loop")


def _invariants_for(loop_vars, shape_invariants) -> list:
    """The shape invariant of each leaf of `loop_vars` (None where none is given)."""
    if shape_invariants is None:
        return [None] * len(nest.flatten(loop_vars))
    out = []

    def walk(lv, inv):
        if nest.is_nested(lv):
            if not nest.is_nested(inv) or len(inv) != len(lv):
                if inv is None or isinstance(inv, TensorShape):
                    out.extend([inv] * len(nest.flatten(lv)))
                    return
                nest.assert_same_structure(lv, inv, check_types=False)
            keys = sorted(lv) if isinstance(lv, dict) else range(len(lv))
            for key in keys:
                walk(lv[key], inv[key])
        else:
            out.append(None if inv is None else as_shape(inv))

    walk(loop_vars, shape_invariants)
    return out


def _loop_args(structure, leaves, values) -> list:
    """The loop variables rebuilt from flat values (TensorArrays around their flows)."""
    packed = [leaf._with_flow(v) if isinstance(leaf, TensorArray) else v for leaf, v in zip(leaves, values)]
    return list(nest.pack_sequence_as(structure, packed))


def _tensor_name(t) -> str:
    return t.name if isinstance(t, SymbolicTensor) else repr(t)


@tf_export("while_loop")
def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10, back_prop=True,
               swap_memory=False, maximum_iterations=None, name=None):
    """Repeats `body` while `cond` is true (tf.while_loop).

    Eagerly this is a Python loop. While tracing a tf.function it becomes one `While` node whose
    cond and body are traced once; each loop variable must keep its dtype, and its shape unless
    `shape_invariants` gives a less specific one.

    Args:
      cond: a callable returning a scalar boolean tensor, called with the loop variables.
      body: a callable returning new loop variables, of the same structure.
      loop_vars: a (nested) list/tuple of tensors, TensorArrays or values (or one tensor).
      shape_invariants: the shape each loop variable may take (same structure as loop_vars).
      parallel_iterations: accepted for compatibility (must be positive).
      back_prop: whether gradients flow through the loop.
      swap_memory: accepted for compatibility.
      maximum_iterations: an upper bound on the number of iterations.
      name: a name for the node.

    Returns:
      The final loop variables, in the structure of `loop_vars`.
    """
    if not callable(cond):
        raise TypeError("'cond' must be callable.")
    if not callable(body):
        raise TypeError("'body' must be callable.")
    if parallel_iterations < 1:
        raise TypeError("'parallel_iterations' must be a positive integer.")
    if loop_vars is None or (isinstance(loop_vars, (list, tuple, dict)) and not loop_vars):
        raise ValueError("'loop_vars' must be provided.")
    single = not isinstance(loop_vars, (list, tuple))
    structure = [loop_vars] if single else loop_vars
    if ctx.graph is None:
        result = _eager_while(cond, body, structure, single, maximum_iterations)
    else:
        result = _graph_while(cond, body, structure, single, shape_invariants, maximum_iterations, back_prop,
                              name or "while")
    return result[0] if single else result


def _normalize_body_output(out, structure, single) -> list:
    if single or not nest.is_nested(out):
        out = [out]
    nest.assert_same_structure(list(out), list(structure), check_types=False)
    return out


def _eager_while(cond, body, structure, single, maximum_iterations):
    limit = None if maximum_iterations is None else int(maximum_iterations)
    vars_ = list(structure)
    i = 0
    while (limit is None or i < limit) and bool(cond(*vars_)):
        vars_ = list(_normalize_body_output(body(*vars_), structure, single))
        i += 1
    leaves = [v if v is None or isinstance(v, TensorArray) else convert_to_tensor(v) for v in nest.flatten(vars_)]
    return nest.pack_sequence_as(structure, leaves)


def _graph_while(cond, body, structure, single, shape_invariants, maximum_iterations, back_prop, name):
    graph = ctx.graph
    leaves = nest.flatten(structure)
    if any(x is None for x in leaves):
        raise ValueError("None values not supported.")
    flat_in = [_as_graph_value(x) for x in leaves]
    invariants = _invariants_for(structure if not single else structure[0], shape_invariants)
    specs = []
    for x, inv in zip(flat_in, invariants):
        if x.dtype is VARIANT or inv is None:
            specs.append((x.shape, x.dtype))
            continue
        if not inv.is_compatible_with(x.shape):
            raise ValueError("The shape invariant specified for %s is not compatible with the initial shape of the "
                             "loop variable. It enters the loop with shape %s, but the specified shape invariant is "
                             "%s." % (_tensor_name(x), x.shape, inv))
        specs.append((inv, x.dtype))
    max_t = None
    if maximum_iterations is not None:
        try:
            max_t = convert_to_tensor(maximum_iterations, dtype=dtypes.int32)
        except (ValueError, TypeError) as e:
            raise ValueError("maximum_iterations: %s" % e) from None
        if max_t.shape.rank not in (None, 0):
            raise ValueError("maximum_iterations must be a scalar, got shape %s" % max_t.shape)
    body_leaves: list = []

    def trace_cond(phs):
        pred = _as_graph_value(cond(*_loop_args(structure, leaves, phs)))
        if pred is None or pred.dtype is not dtypes.bool:
            raise InvalidArgumentError(None, None, "Input 'input' passed %s expected bool: the cond of "
                                       "tf.while_loop must return a boolean scalar"
                                       % (pred.dtype.name if pred is not None else None))
        if pred.shape.rank not in (None, 0):
            raise ValueError("Shape must be rank 0 but is rank %d for the cond of tf.while_loop"
                             % pred.shape.rank)
        return pred

    def trace_body(phs):
        out = _normalize_body_output(body(*_loop_args(structure, leaves, phs)), structure, single)
        out_leaves = nest.flatten(out)
        body_leaves[:] = out_leaves
        flat = []
        for x, o, (shape, dtype) in zip(flat_in, out_leaves, specs):
            if o is None:
                raise ValueError("None values not supported.")
            o = _as_graph_value(o)
            if o.dtype is not dtype:
                raise TypeError("Loop var %s enters the loop with type %s but has type %s after 1 iteration. %s type "
                                "should remain constant." % (_tensor_name(x), _dtype_text(dtype), _dtype_text(o.dtype),
                                                             _tensor_name(x)))
            if not shape.is_compatible_with(o.shape):
                raise ValueError("Input tensor `%s` enters the loop with shape %s, but has shape %s after one "
                                 "iteration. To allow the shape to vary across iterations, use the `shape_invariants` "
                                 "argument of tf.while_loop to specify a less-specific shape."
                                 % (_tensor_name(x), shape, o.shape))
            flat.append(o)
        return flat

    record = back_prop  # recorded even without a tape, for tf.gradients (see _conditional)
    node = _build_while(graph, flat_in, max_t, specs, trace_cond, trace_body, name, record)
    outs = [tmpl._with_flow(o) if isinstance(tmpl, TensorArray) else o
            for tmpl, o in zip(body_leaves, node.outputs[:len(specs)])]
    if not back_prop:
        outs = [o if isinstance(o, TensorArray) else array_ops.stop_gradient(o) for o in outs]
    return nest.pack_sequence_as(structure, outs)


# ---------------------------------------------------------------- TensorArray
def _index(i) -> int:
    return int(i)  # a Python int, NumPy scalar or 0-d array, or a scalar eager tensor


class _TensorList:
    """The runtime value of a TensorList: one version of a persistent array of tensors.

    Versions share a store of (version, value) entries per index. Only the newest version
    writes into the store, so a loop writing one element per step costs O(1) a write; writing
    to an older version copies it first. None marks an unwritten element.
    """

    __slots__ = ("_store", "_version", "size")

    def __init__(self, store, version, size):
        self._store = store      # [latest version, [[(version, value), ...] per index]]
        self._version = version
        self.size = size

    @classmethod
    def of(cls, values) -> "_TensorList":
        return cls([0, [[(0, v)] if v is not None else [] for v in values]], 0, len(values))

    def get(self, i):
        for version, v in reversed(self._store[1][i]):
            if version <= self._version:
                return v
        return None

    def items(self) -> list:
        return [self.get(i) for i in range(self.size)]

    def set(self, idx, values, size) -> "_TensorList":
        store = self._store
        if self._version != store[0]:
            return _TensorList.of(self.items()).set(idx, values, size)
        version = store[0] = store[0] + 1
        entries = store[1]
        if size > len(entries):
            entries.extend([] for _ in range(size - len(entries)))
        for i, v in zip(idx, values):
            entries[i].append((version, v))
        return _TensorList(store, version, size)


class _NumpyOps:
    """Array operations for TensorList values inside a Plan (elements are NumPy arrays)."""

    stack = staticmethod(np.stack)
    unstack = staticmethod(list)

    @staticmethod
    def concat(items):
        return np.concatenate(items, 0)

    @staticmethod
    def split(value, lengths):
        return np.split(value, np.cumsum(lengths)[:-1]) if lengths else []

    @staticmethod
    def zeros(shape, dtype):
        return np.zeros(shape, dtype.as_numpy_dtype)

    @staticmethod
    def zeros_as(like, shape):
        return np.zeros(shape, np.asarray(like).dtype)

    add = staticmethod(np.add)

    @staticmethod
    def shape(x) -> tuple:
        return np.shape(x)

    @staticmethod
    def length(n):
        return np.int32(n)

    @staticmethod
    def ints(x) -> list:
        return np.asarray(x).reshape(-1).tolist()


class _TensorOps:
    """The same operations on eager tensors, through bind (tapes record them)."""

    stack = staticmethod(array_ops.stack)
    unstack = staticmethod(array_ops.unstack)
    split = staticmethod(array_ops.split)
    zeros = staticmethod(array_ops.zeros)

    @staticmethod
    def concat(items):
        return array_ops.concat(items, 0)

    @staticmethod
    def zeros_as(like, shape):
        return array_ops.zeros(shape, like.dtype)

    add = staticmethod(math_ops.add)

    @staticmethod
    def shape(x) -> tuple:
        return tuple(x.shape.as_list())

    @staticmethod
    def length(n):
        return convert_to_tensor(np.int32(n))

    @staticmethod
    def ints(x) -> list:
        return np.asarray(x._value).reshape(-1).tolist()


def _element_zeros(ops, items, dtype, element_shape):
    """The value of an unwritten element: zeros of the element shape (or of a written element)."""
    shape = element_shape
    if shape is None or None in shape:
        written = next((x for x in items if x is not None), None)
        if written is None:
            raise InvalidArgumentError(None, None, "Trying to read an uninitialized tensor but element_shape is not "
                                       "fully defined: %s and no list element is set." % TensorShape(shape))
        shape = ops.shape(written)
    return ops.zeros(shape, dtype)


def _filled(ops, items, dtype, element_shape) -> list:
    if all(x is not None for x in items):
        return items
    zeros = _element_zeros(ops, items, dtype, element_shape)
    return [zeros if x is None else x for x in items]


def _write_size(tl, idx, dynamic) -> int:
    """The list's size after writing at `idx` (TF's errors for bad indices)."""
    size = tl.size
    for i in idx:
        if i < 0:
            raise OutOfRangeError(None, None, "Writing to negative indices (index %d) is not allowed." % i)
        if i >= size:
            if not dynamic:
                raise OutOfRangeError(None, None, "Tried to write to index %d but array is not resizeable and size "
                                      "is: %d " % (i, tl.size))
            size = i + 1
    return size


def _check_read(tl, i):
    if not 0 <= i < tl.size:
        raise OutOfRangeError(None, None, "Tried to read from index %d but array size is: %d " % (i, tl.size))


# The TensorList operations: `ops` is _NumpyOps (in a Plan) or _TensorOps (eager, replay).
def _tl_reserve(ops, size, *, element_dtype, element_shape):
    return (_TensorList.of([None] * _index(size)),)


def _tl_set_item(ops, tl, index, item, *, dynamic):
    i = int(index)
    size = tl.size if 0 <= i < tl.size else _write_size(tl, (i,), dynamic)
    return (tl.set((i,), (item,), size),)


def _tl_get_item(ops, tl, index, *, element_dtype, element_shape):
    i = _index(index)
    _check_read(tl, i)
    x = tl.get(i)
    return (_element_zeros(ops, tl.items(), element_dtype, element_shape) if x is None else x,)


def _stacked(ops, items, element_dtype, element_shape):
    if not items:
        dims = element_shape if element_shape is not None and None not in element_shape else ()
        return ops.zeros((0,) + tuple(dims), element_dtype)
    return ops.stack(_filled(ops, items, element_dtype, element_shape))


def _tl_stack(ops, tl, *, element_dtype, element_shape):
    return (_stacked(ops, tl.items(), element_dtype, element_shape),)


def _tl_gather(ops, tl, indices, *, element_dtype, element_shape):
    idx = ops.ints(indices)
    for i in idx:
        _check_read(tl, i)
    items = [tl.get(i) for i in idx]
    if any(x is None for x in items):
        zeros = _element_zeros(ops, tl.items(), element_dtype, element_shape)
        items = [zeros if x is None else x for x in items]
    return (_stacked(ops, items, element_dtype, element_shape),)


def _tl_scatter(ops, tl, indices, value, *, dynamic):
    idx = ops.ints(indices)
    n = ops.shape(value)[0]
    if n != len(idx):
        raise InvalidArgumentError(None, None, "Number of indices (%d) and number of values (%d) must match in "
                                   "TensorArray.scatter" % (len(idx), n))
    return (tl.set(idx, ops.unstack(value) if idx else [], _write_size(tl, idx, dynamic)),)


def _tl_from_tensor(ops, tl, value, *, dynamic):
    n = ops.shape(value)[0]
    if not dynamic and n > tl.size:
        raise ValueError("Cannot unstack %d tensors into a TensorArray of static size %d " % (n, tl.size))
    return (_TensorList.of(ops.unstack(value) if n else []),)


def _tl_concat(ops, tl, *, element_dtype, element_shape):
    full = _filled(ops, tl.items(), element_dtype, element_shape)
    for i, x in enumerate(full):
        if len(ops.shape(x)) == 0:
            raise InvalidArgumentError(None, None, "Concat saw a scalar shape at index %d but requires at least "
                                       "vectors." % i)
    if not full:
        rest = element_shape[1:] if element_shape is not None and None not in element_shape else ()
        return (ops.zeros((0,) + tuple(rest), element_dtype),)
    return (ops.concat(full),)


def _tl_split(ops, tl, value, lengths, *, dynamic):
    lens = [int(v) for v in ops.ints(lengths)]
    n = ops.shape(value)[0]
    if sum(lens) != n:
        raise InvalidArgumentError(None, None, "Expected sum of lengths to be equal to values.shape[0], but sum of "
                                   "lengths is %d and value's shape is: %s " % (sum(lens), list(ops.shape(value))))
    if not dynamic and len(lens) > tl.size:
        raise ValueError("Cannot split into %d tensors a TensorArray of static size %d" % (len(lens), tl.size))
    return (_TensorList.of(ops.split(value, lens) if lens else []),)


def _tl_length(ops, tl):
    return (ops.length(tl.size),)


def _tl_from_elements(ops, *values, present):
    it = iter(values)
    return (_TensorList.of([next(it) if p else None for p in present]),)


_LIST_FNS = {
    "TensorListReserve": _tl_reserve, "TensorListSetItem": _tl_set_item, "TensorListGetItem": _tl_get_item,
    "TensorListStack": _tl_stack, "TensorListGather": _tl_gather, "TensorListScatterIntoExistingList": _tl_scatter,
    "TensorListFromTensor": _tl_from_tensor, "TensorListConcatV2": _tl_concat, "TensorListSplit": _tl_split,
    "TensorListLength": _tl_length, "TensorListFromElements": _tl_from_elements,
}
# ---------------------------------------------------------------- TensorList gradients
# The gradient of a list is a list of the same size (a variant tensor too) holding each element's
# gradient, None where it is zero. TF builds the same mirror: TensorListStack's gradient is a
# TensorListFromTensor, TensorListGetItem's a list with one element set, and so on.
def _grad_list(size, idx=(), values=()) -> _TensorList:
    tl = _TensorList.of([None] * size)
    return tl.set(idx, values, size) if idx else tl


def _list_add(ops, a, b) -> _TensorList:
    """Element-wise sum of two gradient lists (None is zero)."""
    size = max(a.size, b.size)
    items = [a.get(i) if i < a.size else None for i in range(size)]
    for i in range(b.size):
        g = b.get(i)
        if g is not None:
            items[i] = g if items[i] is None else ops.add(items[i], g)
    return _TensorList.of(items)


def _tlg_zeros_like(ops, tl):
    return (_grad_list(tl.size),)


def _tlg_add(ops, a, b):
    return (_list_add(ops, a, b),)


def _get_or_zeros(ops, dtl, i, like, shape=None):
    g = dtl.get(i) if 0 <= i < dtl.size else None
    if g is not None:
        return g
    return ops.zeros_as(like, ops.shape(like) if shape is None else shape)


def _tlg_item(ops, dtl, index, like):
    """The gradient of the element written at `index` (zeros like `like` if none reached it)."""
    return (_get_or_zeros(ops, dtl, _index(index), like),)


def _tlg_clear(ops, dtl, indices):
    """`dtl` with the elements at `indices` zeroed: a write replaced whatever they held."""
    idx = [i for i in ops.ints(indices) if 0 <= i < dtl.size]
    return (dtl.set(idx, [None] * len(idx), dtl.size) if idx else dtl,)


def _tlg_one(ops, tl, index, dy):
    return (_grad_list(tl.size, (_index(index),), (dy,)),)


def _tlg_unstack(ops, tl, dy):
    return (_TensorList.of(ops.unstack(dy)),)


def _tlg_scatter_rows(ops, tl, indices, dy):
    idx = ops.ints(indices)
    rows = ops.unstack(dy) if idx else []
    acc: dict = {}
    for i, r in zip(idx, rows):
        acc[i] = r if i not in acc else ops.add(acc[i], r)
    return (_grad_list(tl.size, tuple(acc), tuple(acc.values())),)


def _tlg_rows(ops, dtl, indices, like):
    """The gradients of the rows of `like` (a tensor whose rows went to `indices`), stacked."""
    idx = ops.ints(indices)
    shape = ops.shape(like)[1:]
    if not idx:
        return (ops.zeros_as(like, (0,) + tuple(shape)),)
    return (ops.stack([_get_or_zeros(ops, dtl, i, like, shape) for i in idx]),)


def _tlg_stack_rows(ops, dtl, like):
    n = ops.shape(like)[0]
    shape = ops.shape(like)[1:]
    if not n:
        return (ops.zeros_as(like, ops.shape(like)),)
    return (ops.stack([_get_or_zeros(ops, dtl, i, like, shape) for i in range(n)]),)


def _tlg_split(ops, tl, dy, *, element_dtype, element_shape):
    full = _filled(ops, tl.items(), element_dtype, element_shape)
    return (_TensorList.of(ops.split(dy, [ops.shape(x)[0] for x in full]) if full else []),)


def _tlg_concat_parts(ops, dtl, value, lengths):
    lens = [int(v) for v in ops.ints(lengths)]
    rest = tuple(ops.shape(value)[1:])
    parts = [_get_or_zeros(ops, dtl, k, value, (n,) + rest) for k, n in enumerate(lens)]
    return (ops.concat(parts) if parts else ops.zeros_as(value, ops.shape(value)),)


_GRAD_LIST_FNS = {
    "TensorListZerosLike": _tlg_zeros_like, "TensorListAddN": _tlg_add, "TensorListGradItem": _tlg_item,
    "TensorListGradClear": _tlg_clear, "TensorListGradOne": _tlg_one, "TensorListGradUnstack": _tlg_unstack,
    "TensorListGradScatterRows": _tlg_scatter_rows, "TensorListGradRows": _tlg_rows,
    "TensorListGradStackRows": _tlg_stack_rows, "TensorListGradSplit": _tlg_split,
    "TensorListGradConcatParts": _tlg_concat_parts,
}
_LIST_FNS.update(_GRAD_LIST_FNS)


def _variant_spec():
    return [((), VARIANT)]


def list_zeros_like(flow):
    """A gradient list of `flow`'s size with no element set (the zero of a list)."""
    return _stage_list("TensorListZerosLike", [flow], {}, _variant_spec())[0]


def list_add(a, b):
    """The sum of two gradient lists (the tape uses it to accumulate them)."""
    return _stage_list("TensorListAddN", [a, b], {}, _variant_spec())[0]


def _item_grad(dtl, index, like):
    return _stage_list("TensorListGradItem", [dtl, index, like], {}, [(like.shape, like.dtype)])[0]


def _cleared(dtl, indices):
    return _stage_list("TensorListGradClear", [dtl, indices], {}, _variant_spec())[0]


def _rows_grad(dtl, indices, like):
    return _stage_list("TensorListGradRows", [dtl, indices, like], {}, [(like.shape, like.dtype)])[0]


def _tensor_list_grad(rec, *dys):
    """Gradients of the TensorList* ops: element gradients travel in gradient lists."""
    op, x, dy = rec.op_def.name, rec.inputs, dys[0]
    if op == "TensorListSetItem":   # (list, index, item)
        return [_cleared(dy, x[1]), None, _item_grad(dy, x[1], x[2])]
    if op == "TensorListGetItem":   # (list, index)
        return [_stage_list("TensorListGradOne", [x[0], x[1], dy], {}, _variant_spec())[0], None]
    if op == "TensorListStack":
        return [_stage_list("TensorListGradUnstack", [x[0], dy], {}, _variant_spec())[0]]
    if op == "TensorListGather":    # (list, indices)
        return [_stage_list("TensorListGradScatterRows", [x[0], x[1], dy], {}, _variant_spec())[0], None]
    if op == "TensorListFromTensor":  # (list, value): the old list is replaced
        return [None, _stage_list("TensorListGradStackRows", [dy, x[1]], {}, [(x[1].shape, x[1].dtype)])[0]]
    if op == "TensorListScatterIntoExistingList":  # (list, indices, value)
        return [_cleared(dy, x[1]), None, _rows_grad(dy, x[1], x[2])]
    if op == "TensorListConcatV2":
        return [_stage_list("TensorListGradSplit", [x[0], dy], dict(rec.attrs), _variant_spec())[0]]
    if op == "TensorListSplit":     # (list, value, lengths)
        return [None, _stage_list("TensorListGradConcatParts", [dy, x[1], x[2]], {}, [(x[1].shape, x[1].dtype)])[0],
                None]
    if op == "TensorListFromElements":
        pos = [i for i, p in enumerate(rec.attrs["present"]) if p]
        return [_item_grad(dy, convert_to_tensor(np.int32(i)), v) for i, v in zip(pos, x)]
    raise AssertionError(op)


def _second_order(rec, *dys):
    raise NotImplementedError("Second-order gradients through a tf.TensorArray inside a tf.function are not "
                              "supported (%s)." % rec.op_def.name)


# Only the ops a gradient can reach through an element value: the others' inputs are lists or ints.
_LIST_OPS = {name: _special(name, _tensor_list_grad if name in ("TensorListSetItem", "TensorListStack",
                                                                 "TensorListGetItem", "TensorListGather",
                                                                 "TensorListFromTensor", "TensorListConcatV2",
                                                                 "TensorListScatterIntoExistingList",
                                                                 "TensorListSplit", "TensorListFromElements")
                            else _second_order if name in _GRAD_LIST_FNS else NON_DIFFERENTIABLE, "tf.TensorArray")
             for name in _LIST_FNS}


class _ListOp:
    """Payload of a TensorList* node: its function on eager tensors and lists."""

    __slots__ = ("op", "fn", "attrs", "specs")

    def __init__(self, op, attrs, specs):
        self.op = op
        self.fn = _LIST_FNS[op]
        self.attrs = attrs
        self.specs = specs

    @property
    def name(self) -> str:
        return self.op

    def run(self, *arrays):
        return self.fn(_NumpyOps, *arrays, **self.attrs)

    def replay(self, tensors) -> list:
        if ctx.graph is not None:
            return _stage_list(self.op, tensors, self.attrs, self.specs)
        return list(self.fn(_TensorOps, *tensors, **self.attrs))


def _stage_list(op, inputs, attrs, specs) -> list:
    graph = ctx.graph
    node = graph._new_node(_LIST_OPS[op], [_in_graph(graph, x) for x in inputs], attrs, specs, op)
    node.payload = _ListOp(op, attrs, specs)
    _record(_LIST_OPS[op], node)
    return list(node.outputs)


def _dims(shape: TensorShape):
    return None if shape.rank is None else tuple(shape.as_list())


@tf_export("TensorArray")
class TensorArray:
    """A list of tensors of one dtype that can be written in loops (tf.TensorArray).

    Use the returned array of every write: `ta = ta.write(i, x)`. Eagerly writes also update
    the array in place, as in TF.

    Example:

    >>> ta = tf.TensorArray(tf.float32, size=2)
    >>> ta = ta.write(0, [1.0, 2.0]).write(1, [3.0, 4.0])
    >>> ta.stack().shape
    TensorShape([2, 2])

    Args:
      dtype: the element dtype.
      size: the initial number of elements.
      dynamic_size: whether writes past the end grow the array.
      clear_after_read: eagerly, whether an element can be read only once (default True).
      infer_shape: whether all elements must have the same shape (learned from writes).
      element_shape: the shape of every element, when known.
    """

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None, tensor_array_name=None,
                 handle=None, flow=None, infer_shape=True, element_shape=None, colocate_with_first_write_call=True,
                 name=None):
        self._dtype = dtypes.as_dtype(dtype)
        self._dynamic_size = bool(dynamic_size)
        self._clear_after_read = True if clear_after_read is None else bool(clear_after_read)
        self._infer_shape = infer_shape
        self._element_shape = TensorShape(None) if element_shape is None else as_shape(element_shape)
        self._cleared: set = set()
        self._static_size = None  # the size when it is known while tracing (graphs only)
        if flow is not None:
            self._flow = flow
            return
        if size is None:
            if ctx.graph is None:
                raise ValueError("Size must be declared for TensorArrays when eager execution is enabled.")
            if not self._dynamic_size:
                raise ValueError("Size must be provided if handle is not provided")
            size = 0
        if ctx.graph is None:
            self._flow = _TensorList.of([None] * _index(convert_to_tensor(size, dtype=dtypes.int32)))
        else:
            size_t = convert_to_tensor(size, dtype=dtypes.int32)
            if isinstance(size_t, Tensor) and not self._dynamic_size:
                self._static_size = int(size_t)
            self._flow = _stage_list("TensorListReserve", [size_t], self._attrs(), [((), VARIANT)])[0]

    # -- representation
    def _attrs(self) -> dict:
        return {"element_dtype": self._dtype, "element_shape": _dims(self._element_shape)}

    @property
    def _eager(self) -> bool:
        return isinstance(self._flow, _TensorList)

    def _with_flow(self, flow, element_shape=None) -> "TensorArray":
        ta = TensorArray.__new__(TensorArray)
        ta.__dict__.update(self.__dict__)
        ta._flow = flow
        ta._cleared = set()
        if element_shape is not None:
            ta._element_shape = element_shape
        return ta

    def _graph_flow(self):
        """The flow as a tensor of the graph being built (an eager array becomes a node)."""
        if not self._eager:
            return _in_graph(ctx.graph, self._flow)
        items = self._flow.items()
        present = tuple(x is not None for x in items)
        return _stage_list("TensorListFromElements", [x for x in items if x is not None],
                           {"present": present}, [((), VARIANT)])[0]

    def _update(self, op, inputs, attrs, size=-1) -> "TensorArray":
        """The array after `op`; `size` is its new static size (-1: unchanged, None: unknown)."""
        if self._eager:
            self._flow = _LIST_FNS[op](_TensorOps, self._flow, *inputs, **attrs)[0]
            return self
        ta = self._with_flow(_stage_list(op, [self._graph_flow()] + inputs, attrs, [((), VARIANT)])[0])
        if size != -1 or self._dynamic_size:
            ta._static_size = None if size == -1 else size
        return ta

    def _value_out(self, op, inputs, shape):
        if self._eager:
            return _LIST_FNS[op](_TensorOps, self._flow, *inputs, **self._attrs())[0]
        return _stage_list(op, [self._graph_flow()] + inputs, self._attrs(), [(shape, self._dtype)])[0]

    def _convert(self, value, shape_of=lambda s: s):
        if isinstance(value, (Tensor, SymbolicTensor)) and value.dtype is not self._dtype:
            raise InvalidArgumentError(None, None, "TensorArray dtype is %s but Op is trying to write dtype %s "
                                       % (self._dtype.name, value.dtype.name))
        value = convert_to_tensor(value, dtype=self._dtype)
        if self._infer_shape:
            shape = shape_of(value.shape)
            if not self._element_shape.is_compatible_with(shape):
                raise ValueError("Incompatible shape for value (%s), expected (%s)" % (shape, self._element_shape))
            self._element_shape = self._element_shape.merge_with(shape)
        return value

    @staticmethod
    def _int_tensor(x):
        return x if isinstance(x, (Tensor, SymbolicTensor)) else convert_to_tensor(x, dtype=dtypes.int32)

    # -- properties
    @property
    def dtype(self):
        return self._dtype

    @property
    def element_shape(self) -> TensorShape:
        return self._element_shape

    @property
    def dynamic_size(self) -> bool:
        return self._dynamic_size

    @property
    def flow(self):
        return convert_to_tensor(0) if self._eager else self._flow

    @property
    def handle(self):
        return None

    # -- element access
    def write(self, index, value, name=None) -> "TensorArray":
        """Writes `value` at `index`; returns the updated array."""
        if self._eager:  # TF checks the index before the value
            i = _index(index)
            _write_size(self._flow, [i], self._dynamic_size)
            self._cleared.discard(i)
        value = self._convert(value)
        return self._update("TensorListSetItem", [self._int_tensor(index), value], {"dynamic": self._dynamic_size})

    def read(self, index, name=None):
        """The element at `index` (zeros if it was never written)."""
        if self._eager:
            i = _index(index)
            if i in self._cleared:
                raise InvalidArgumentError(None, None, "Could not read index %d twice because it was cleared after a "
                                           "previous read (perhaps try setting clear_after_read = false?)" % i)
            value = _tl_get_item(_TensorOps, self._flow, i, **self._attrs())[0]
            if self._clear_after_read:
                self._cleared.add(i)
            return value
        return self._value_out("TensorListGetItem", [self._int_tensor(index)], self._element_shape)

    def stack(self, name=None):
        """All elements stacked along a new first axis."""
        shape = TensorShape([self._static_size]).concatenate(self._element_shape)
        return self._value_out("TensorListStack", [], shape)

    def gather(self, indices, name=None):
        """The elements at `indices`, stacked."""
        indices = self._int_tensor(indices)
        n = indices.shape[0] if indices.shape.rank == 1 else None
        return self._value_out("TensorListGather", [indices], TensorShape([n]).concatenate(self._element_shape))

    def concat(self, name=None):
        """All elements concatenated along their first axis."""
        rest = self._element_shape[1:] if self._element_shape.rank else TensorShape(None)
        return self._value_out("TensorListConcatV2", [], TensorShape([None]).concatenate(rest))

    def unstack(self, value, name=None) -> "TensorArray":
        """Sets the elements to the slices of `value` along its first axis."""
        value = self._convert(value, lambda s: s[1:] if s.rank else TensorShape(None))
        return self._update("TensorListFromTensor", [value], {"dynamic": self._dynamic_size},
                            value.shape[0] if value.shape.rank else None)

    def scatter(self, indices, value, name=None) -> "TensorArray":
        """Writes the slices of `value` at `indices`."""
        value = self._convert(value, lambda s: s[1:] if s.rank else TensorShape(None))
        return self._update("TensorListScatterIntoExistingList", [self._int_tensor(indices), value],
                            {"dynamic": self._dynamic_size})

    def split(self, value, lengths, name=None) -> "TensorArray":
        """Sets the elements to consecutive pieces of `value` with the given `lengths`."""
        value = self._convert(value, lambda s: TensorShape([None]).concatenate(s[1:]) if s.rank else TensorShape(None))
        lengths = self._int_tensor(lengths)
        return self._update("TensorListSplit", [value, lengths], {"dynamic": self._dynamic_size},
                            lengths.shape[0] if lengths.shape.rank == 1 else None)

    def size(self, name=None):
        """The number of elements (an int32 scalar)."""
        if self._eager:
            return _tl_length(_TensorOps, self._flow)[0]
        return _stage_list("TensorListLength", [self._graph_flow()], {}, [((), dtypes.int32)])[0]

    def identity(self) -> "TensorArray":
        return self if self._eager else self._with_flow(self._flow)

    def close(self, name=None):
        return None

    def mark_used(self):
        return None

    def __repr__(self):
        return "<tf.TensorArray dtype=%s element_shape=%s>" % (self._dtype.name, self._element_shape)
