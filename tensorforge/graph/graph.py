"""The graph IR: symbolic tensors, nodes and function graphs.

A FuncGraph is what tracing builds: `bind` calls `add_op`, which runs the op's shape/dtype
inference and appends a Node whose outputs are SymbolicTensors. Nodes carry TF's op names
and attrs. Eager tensors used while tracing become Const nodes; an outer graph's tensors
become captured placeholders; variables are captured by handle and read or written by
ReadVariableOp / Assign*VariableOp nodes. Stateful nodes are chained in program order, as
TF's automatic control dependencies do.
"""
from __future__ import annotations

import os
import sys
import threading

import numpy as np

from .._api import tf_export
from ..framework.convert import convert_to_tensor
from ..framework.tensor import Tensor
from ..framework.tensor_shape import TensorShape
from ..ops import operators
from ..ops.registry import OpDef

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class SymbolicTensor:
    """A tensor in a graph being built: a node's output with a (partial) shape and a dtype."""

    _is_symbolic_tensor = True
    __array_priority__ = 100
    __slots__ = ("graph", "node", "index", "_shape", "_dtype", "__weakref__")

    def __init__(self, graph, node, index, shape, dtype):
        self.graph = graph
        self.node = node
        self.index = index
        self._shape = shape if isinstance(shape, TensorShape) else TensorShape(shape)
        self._dtype = dtype

    dtype = property(lambda self: self._dtype)
    shape = property(lambda self: self._shape)
    op = property(lambda self: self.node)

    @property
    def name(self) -> str:
        return "%s:%d" % (self.node.name, self.index)

    @property
    def ndim(self):
        return self._shape.rank

    def get_shape(self) -> TensorShape:
        return self._shape

    def set_shape(self, shape) -> None:
        self._shape = self._shape.merge_with(shape)

    def ref(self):
        from ..framework.tensor import Reference
        return Reference(self)

    def _static_value(self):
        """The value when it is known at trace time (tf.get_static_value), else None."""
        return static_value(self)

    def numpy(self):
        raise NotImplementedError("Cannot convert a symbolic tf.Tensor (%s) to a numpy array: it has no value "
                                  "while a tf.function is being traced." % self.name)

    def __array__(self, dtype=None, copy=None):
        self.numpy()

    def __bool__(self):
        raise TypeError("Using a symbolic `tf.Tensor` as a Python `bool` is not allowed. Use tf.cond, or let "
                        "tf.function's AutoGraph convert the `if`/`while` (tensor %s)." % self.name)

    def __len__(self):
        if self._shape.rank is None or self._shape[0] is None:
            raise TypeError("len is not well defined for a symbolic Tensor (%s) whose first dimension is "
                            "unknown." % self.name)
        return self._shape[0]

    def __iter__(self):
        if self._shape.rank is None or self._shape[0] is None:
            raise TypeError("Iterating over a symbolic `tf.Tensor` (%s) with an unknown first dimension is not "
                            "allowed." % self.name)
        for i in range(self._shape[0]):
            yield self[i]

    def __index__(self):
        raise TypeError("A symbolic tensor (%s) cannot be used as a Python index." % self.name)

    __hash__ = object.__hash__

    def __repr__(self):
        return "<tf.Tensor '%s' shape=%s dtype=%s>" % (self.name, self._shape, self._dtype.name)


operators.install_symbolic(SymbolicTensor)
SymbolicTensor.__hash__ = object.__hash__  # operators.install set __eq__; identity hashing stays


_STATIC_DEPTH = 32


def static_value(t, depth: int = 0):
    """`t`'s value if it can be computed while tracing: constants, shapes that are fully
    known, and stateless ops of such values. None otherwise."""
    if isinstance(t, Tensor):
        return t._value
    if not isinstance(t, SymbolicTensor) or depth > _STATIC_DEPTH:
        return None
    node = t.node
    if node.op is CONST:
        return node.payload
    if node.op.name == "Shape" and node.inputs[0].shape.is_fully_defined():
        return np.asarray(node.inputs[0].shape.as_list(), dtype=node.attrs["out_type"].as_numpy_dtype)
    if node.op.kernel is None or node.op.stateful:
        return None
    args = [static_value(x, depth + 1) for x in node.inputs]
    if any(a is None for a in args):
        return None
    out = node.op.kernel(np, *args, **node.attrs)
    return out if node.op.num_outputs == 1 else out[t.index]


@tf_export("get_static_value")
def get_static_value(tensor, partial: bool = False):
    """The NumPy value of `tensor` if it is known without running a graph, else None
    (tf.get_static_value)."""
    v = static_value(tensor) if isinstance(tensor, (Tensor, SymbolicTensor)) else None
    if v is None and hasattr(tensor, "_as_tensor") and not getattr(tensor, "_is_symbolic_tensor", False):
        return None  # variables can change: never static
    return None if v is None else np.asarray(v)


class Node:
    """One op in a graph: its OpDef, input tensors, attrs, outputs and where the user made it."""

    __slots__ = ("graph", "id", "name", "op", "inputs", "attrs", "outputs", "control_inputs", "source", "payload")

    def __init__(self, graph, op, inputs, attrs, name, source):
        self.graph = graph
        self.id = len(graph.nodes)
        self.op = op
        self.inputs = list(inputs)
        self.attrs = attrs
        self.name = name
        self.outputs = []
        self.control_inputs = []
        self.source = source
        self.payload = None  # Const value, captured variable, outer tensor, or a branch graph

    @property
    def type(self) -> str:
        return self.op.name

    def get_attr(self, name):
        return self.attrs[name]

    def __repr__(self):
        return "<Node %s %s>" % (self.name, self.op.name)


# Per thread, the stack of tf.control_dependencies blocks: each entry the nodes that every node
# created inside the block depends on.
CONTROL_DEPENDENCIES = threading.local()


def _special(name, stateful=False) -> OpDef:
    """Graph-level ops the executor implements itself (not in the kernel registry)."""
    return OpDef(name, None, None, "non-differentiable", None, "tf.function", 1, stateful, (), None)


PLACEHOLDER = _special("Placeholder")
CONST = _special("Const")
READ_VARIABLE = _special("ReadVariableOp", stateful=True)
ASSIGN_OPS = {kind: _special(name, stateful=True) for kind, name in (
    ("assign", "AssignVariableOp"), ("assign_add", "AssignAddVariableOp"), ("assign_sub", "AssignSubVariableOp"))}


def user_source() -> str | None:
    """'file:line' of the innermost caller outside tensorforge (the user's line)."""
    f = sys._getframe(1)
    while f is not None:
        fn = f.f_code.co_filename
        if not fn.startswith(_PACKAGE_DIR) and not fn.startswith("<frozen"):
            return "%s:%d" % (fn, f.f_lineno)
        f = f.f_back
    return None


class FuncGraph:
    """A graph built by tracing a Python function."""

    def __init__(self, name: str = "graph", outer=None):
        self.name = name
        self.outer = outer               # the enclosing FuncGraph (cond/while branches), or None
        self.nodes: list[Node] = []
        self.inputs: list[SymbolicTensor] = []
        self.outputs: list = []
        self.captures: dict[int, tuple] = {}   # id(outer value) -> (outer value, placeholder)
        self.variables: list = []              # variables read or written, in first-use order
        self.created_variables: list = []
        self._var_ids: set[int] = set()
        self._last_stateful: Node | None = None
        self._names: dict[str, int] = {}

    # -- building
    def _unique(self, base: str) -> str:
        n = self._names.get(base, 0)
        self._names[base] = n + 1
        return base if n == 0 else "%s_%d" % (base, n)

    def _new_node(self, op, inputs, attrs, specs, name=None):
        node = Node(self, op, inputs, attrs, self._unique(name or op.name), user_source())
        node.outputs = [SymbolicTensor(self, node, i, s, d) for i, (s, d) in enumerate(specs)]
        deps = getattr(CONTROL_DEPENDENCIES, "stack", None)
        if deps and deps[-1]:  # inside tf.control_dependencies (graph/control_deps.py)
            node.control_inputs.extend(d for d in deps[-1] if d.graph is self)
        if op.stateful:
            if self._last_stateful is not None:
                node.control_inputs.append(self._last_stateful)
            self._last_stateful = node
        self.nodes.append(node)
        return node

    def placeholder(self, shape, dtype, name="input") -> SymbolicTensor:
        node = self._new_node(PLACEHOLDER, [], {"dtype": dtype, "shape": TensorShape(shape)},
                              [(shape, dtype)], name)
        self.inputs.append(node.outputs[0])
        return node.outputs[0]

    def constant(self, tensor: Tensor) -> SymbolicTensor:
        node = self._new_node(CONST, [], {"dtype": tensor.dtype}, [(tensor.shape, tensor.dtype)], "Const")
        node.payload = tensor._value
        return node.outputs[0]

    def capture(self, value):
        """`value` (an eager tensor or an outer graph's tensor) as a tensor of this graph."""
        if isinstance(value, SymbolicTensor):
            if value.graph is self:
                return value
            key = id(value)
            hit = self.captures.get(key)
            if hit is None:
                ph = self._new_node(PLACEHOLDER, [], {"dtype": value.dtype, "shape": value.shape},
                                    [(value.shape, value.dtype)], "capture").outputs[0]
                ph.node.payload = value
                hit = self.captures[key] = (value, ph)
            return hit[1]
        return self.constant(value if isinstance(value, Tensor) else convert_to_tensor(value))

    def add_op(self, op: OpDef, inputs, attrs):
        """Stage `op` on `inputs`: inference gives the output specs (bind's graph path)."""
        inputs = [x if isinstance(x, SymbolicTensor) and x.graph is self else self.capture(x) for x in inputs]
        specs = op.infer(inputs, attrs)
        node = self._new_node(op, inputs, attrs, specs)
        outs = node.outputs
        if op.num_outputs == 1:
            return outs[0]
        return tuple(outs)

    def evaluate_constant(self, t: SymbolicTensor) -> Tensor:
        """The value of `t` when it depends on no input (a variable's initial value)."""
        from .executor import Plan, live_nodes
        # Only what `t` depends on: the graph's other stateful nodes neither run nor matter here.
        if any(n.op is PLACEHOLDER for n in live_nodes(self, [t], side_effects=False)):
            raise ValueError("The initial value of a tf.Variable created inside tf.function must not depend on "
                             "the function's inputs (%s does)." % t.name)
        return Tensor(Plan(self, [], [t], side_effects=False).run([])[0])

    # -- variables (captured by handle)
    def _use_variable(self, var):
        if id(var) not in self._var_ids:
            self._var_ids.add(id(var))
            self.variables.append(var)

    def read_variable(self, var) -> SymbolicTensor:
        self._use_variable(var)
        node = self._new_node(READ_VARIABLE, [], {"dtype": var.dtype}, [(var.shape, var.dtype)], "ReadVariableOp")
        node.payload = var
        return node.outputs[0]

    def assign_variable(self, var, value, read_value=True, kind="assign"):
        self._use_variable(var)
        value = convert_to_tensor(value, dtype=var.dtype) if not isinstance(value, (Tensor, SymbolicTensor)) else value
        if value.dtype is not var.dtype:
            from ..framework.errors import InvalidArgumentError
            raise InvalidArgumentError(None, None, "%s: cannot assign a %s value to variable %s of dtype %s"
                                       % (kind, value.dtype.name, var.name, var.dtype.name))
        if not var.shape.is_compatible_with(value.shape):
            raise ValueError("Cannot assign value of shape %s to variable %s of shape %s"
                             % (value.shape, var.name, var.shape))
        value = value if isinstance(value, SymbolicTensor) and value.graph is self else self.capture(value)
        node = self._new_node(ASSIGN_OPS[kind], [value], {"dtype": var.dtype}, [], ASSIGN_OPS[kind].name)
        node.payload = var
        return var if read_value else None

    # -- text form
    def as_text(self) -> str:
        """A readable listing of the graph, one node a line (in the spirit of a jaxpr)."""
        def name(t):
            return "%%%s" % t.name if isinstance(t, SymbolicTensor) else repr(t)

        def spec(t):
            return "%s%s" % (t.dtype.name, list(t.shape.as_list()) if t.shape.rank is not None else "[?]")

        lines = ["%s(%s) {" % (self.name, ", ".join("%s: %s" % (name(t), spec(t)) for t in self.inputs))]
        for n in self.nodes:
            if n.op is PLACEHOLDER and n.payload is None:
                continue
            outs = ", ".join("%s: %s" % (name(o), spec(o)) for o in n.outputs)
            attrs = {k: v for k, v in n.attrs.items() if k not in ("dtype",)}
            args = [name(i) for i in n.inputs]
            if n.op is CONST:
                args = [np.array2string(np.asarray(n.payload), threshold=6)]
            elif n.op is READ_VARIABLE or n.op in ASSIGN_OPS.values():
                args = ["var=%s" % n.payload.name] + args
            elif n.op is PLACEHOLDER:
                args = ["captured"]
            attr_text = (" " + ", ".join("%s=%r" % kv for kv in sorted(attrs.items()))) if attrs else ""
            lines.append("  %s%s(%s)%s" % (outs + " = " if outs else "", n.op.name, ", ".join(args), attr_text))
        flat_out = [o for o in self.outputs if isinstance(o, SymbolicTensor)]
        lines.append("  return (%s)" % ", ".join(name(o) for o in flat_out))
        lines.append("}")
        return "\n".join(lines)

    def __repr__(self):
        return "<FuncGraph %s: %d nodes>" % (self.name, len(self.nodes))


