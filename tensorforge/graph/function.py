"""tf.function: trace a Python function into a graph once per input signature, then run the
graph's plan on later calls."""
from __future__ import annotations

import functools
import inspect
import warnings
import weakref

import numpy as np

from .._api import tf_export
from ..config import _functions_run_eagerly
from ..framework import dtypes, nest
from ..framework.context import ctx, graph_scope
from ..framework.convert import convert_to_tensor
from ..framework.tensor import Tensor, TensorSpec
from ..ops.registry import bind
from .executor import Plan, live_nodes
from .passes import optimize
from .graph import ASSIGN_OPS, CONST, PLACEHOLDER, READ_VARIABLE, FuncGraph, Node, SymbolicTensor

_ASSIGN_KIND = {op.name: kind for kind, op in ASSIGN_OPS.items()}
RETRACE_WARNING_THRESHOLD = 5
_RUN_EAGERLY = _functions_run_eagerly  # tf.config.run_functions_eagerly's flag, read on every call


# ---------------------------------------------------------------- signatures
def _is_variable(v) -> bool:
    return hasattr(v, "_variable_value")


def _leaf_key(v):
    """The part of the cache key one argument leaf contributes."""
    if isinstance(v, (Tensor, SymbolicTensor)):
        return TensorSpec(v.shape, v.dtype)
    if isinstance(v, np.ndarray):
        return TensorSpec(v.shape, dtypes.from_numpy(v.dtype))
    if _is_variable(v):
        return ("variable", id(v))
    if isinstance(v, TensorSpec):
        return TensorSpec(v.shape, v.dtype)
    try:
        hash(v)
        return ("python", type(v).__name__, v)
    except TypeError:
        return ("object", id(v))


def _is_tensor_leaf(v) -> bool:
    return isinstance(v, (Tensor, np.ndarray))


def _is_traced_leaf(v) -> bool:
    """Leaves that become placeholders: tensors, arrays, and TensorSpecs (get_concrete_function)."""
    return isinstance(v, (Tensor, np.ndarray, SymbolicTensor, TensorSpec))


def _describe(k) -> str:
    if isinstance(k, TensorSpec):
        return "TensorSpec(shape=%s, dtype=%r)" % (k.shape, k.dtype)
    if k[0] == "python":
        return "Python %s %r" % (k[1], k[2])
    return "%s at %#x" % k


def _relax(a: TensorSpec, b: TensorSpec) -> TensorSpec:
    return TensorSpec(a.shape.most_specific_compatible_shape(b.shape), a.dtype)


# ---------------------------------------------------------------- concrete functions
# Callables run with each ConcreteFunction that is called (tf.summary.trace_on collects the graphs
# that ran); empty, the check costs one truth test per call.
CALL_OBSERVERS: list = []


class ConcreteFunction:
    """One traced graph of a tf.function, for one input signature."""

    def __init__(self, name, graph, arg_structure, arg_names, specs, structured_outputs, param_kinds):
        self.name = name
        self.graph = graph
        self._arg_structure = arg_structure      # (args, kwargs) with placeholders / python values
        self._arg_names = arg_names
        self._specs = specs                       # TensorSpecs of the tensor leaves, in order
        self.structured_outputs = structured_outputs
        self._param_kinds = param_kinds
        flat_out = nest.flatten(structured_outputs)
        self._out_positions = [i for i, o in enumerate(flat_out) if isinstance(o, SymbolicTensor)]
        self._flat_out = flat_out
        self.inputs = list(graph.inputs)
        self.outputs = optimize(graph, self.inputs, [flat_out[i] for i in self._out_positions])
        for pos, o in zip(self._out_positions, self.outputs):  # the passes may replace output tensors
            flat_out[pos] = o
        self._composites = _has_composite(structured_outputs)
        self._template = structured_outputs
        self.structured_outputs = nest.pack_sequence_as(structured_outputs, flat_out)
        if self._composites:
            self.structured_outputs = _rebuild_composites(structured_outputs, self.structured_outputs)
        self._plan = Plan(graph, self.inputs, self.outputs)
        self._live = live_nodes(graph, self.outputs)

    @property
    def variables(self) -> tuple:
        return tuple(self.graph.variables)

    @property
    def trainable_variables(self) -> tuple:
        return tuple(v for v in self.graph.variables if v.trainable)

    def _call_flat(self, tensors: list):
        """Runs the graph on the flat list of input tensors; returns the structured outputs."""
        if CALL_OBSERVERS:
            for observe in CALL_OBSERVERS:
                observe(self)
        if ctx.graph is not None or ctx.tapes:
            outs = self._replay(tensors)  # inline into a graph, or let tapes record every op
        else:
            arrays = [t._value for t in tensors]
            outs = [Tensor(a) for a in self._plan.run(arrays)]
        flat = list(self._flat_out)
        for pos, o in zip(self._out_positions, outs):
            flat[pos] = o
        if self._composites:
            return _rebuild_composites(self._template, nest.pack_sequence_as(self._template, flat))
        return nest.pack_sequence_as(self.structured_outputs, flat)

    def _replay(self, tensors: list) -> list:
        """Runs the graph op by op through `bind`: tapes record it, an outer graph inlines it."""
        env = {id(p): t for p, t in zip(self.inputs, tensors)}
        for n in self._live:
            op = n.op
            if op is PLACEHOLDER:
                continue
            if op is CONST:
                env[id(n.outputs[0])] = Tensor(n.payload)
            elif op is READ_VARIABLE:
                env[id(n.outputs[0])] = n.payload._as_tensor()
            elif op.name in _ASSIGN_KIND:
                getattr(n.payload, _ASSIGN_KIND[op.name])(env[id(n.inputs[0])])
            elif op.kernel is None and hasattr(n.payload, "replay"):
                # Control flow: the node's payload replays its branch/body graphs through bind.
                r = n.payload.replay([env[id(t)] for t in n.inputs])
                for o, v in zip(n.outputs, r):
                    env[id(o)] = v
            else:
                r = bind(op.name, [env[id(t)] for t in n.inputs], n.attrs)
                for o, v in zip(n.outputs, r if isinstance(r, tuple) else (r,)):
                    env[id(o)] = v
        return [env[id(o)] for o in self.outputs]

    def __call__(self, *args, **kwargs):
        flat = [v for v in nest.flatten((list(args), kwargs)) if _is_tensor_leaf(v) or isinstance(v, SymbolicTensor)]
        if len(flat) != len(self._specs):
            raise TypeError("%s expected %d tensor arguments, got %d" % (self.name, len(self._specs), len(flat)))
        tensors = []
        for v, spec in zip(flat, self._specs):
            t = v if isinstance(v, (Tensor, SymbolicTensor)) else convert_to_tensor(v, dtype=spec.dtype)
            if t.dtype is not spec.dtype or not spec.shape.is_compatible_with(t.shape):
                raise TypeError("%s: argument %r is not compatible with %r" % (self.name, t, spec))
            tensors.append(t)
        return self._call_flat(tensors)

    def pretty_printed_signature(self, verbose=True) -> str:
        lines = ["Input Parameters:"]
        for name, kind, value in self._param_kinds:
            lines.append("  %s (%s): %s" % (name, kind, _spec_text(value)))
        lines.append("Output Type:")
        lines.append("  %s" % _spec_text(self.structured_outputs))
        lines.append("Captures:")
        lines.append("  None" if not self.graph.variables else "\n".join(
            "  %s: Variable %s" % (v.name, TensorSpec(v.shape, v.dtype)) for v in self.graph.variables))
        return "\n".join(lines)

    def __repr__(self):
        return "<ConcreteFunction %s at %#x>" % (self.name, id(self))

    def __str__(self):
        return "ConcreteFunction %s\n%s" % (self.name, self.pretty_printed_signature())


def _spec_text(v) -> str:
    if isinstance(v, SymbolicTensor):
        return "TensorSpec(shape=%s, dtype=%r, name=None)" % (v.shape, v.dtype)
    if isinstance(v, TensorSpec):
        return "TensorSpec(shape=%s, dtype=%r, name=%r)" % (v.shape, v.dtype, v.name)
    if isinstance(v, dict):
        return "Dict[%s]" % ", ".join("[%r, %s]" % (k, _spec_text(v[k])) for k in sorted(v))
    if isinstance(v, (list, tuple)):
        return "%s[%s]" % ("Tuple" if isinstance(v, tuple) else "List", ", ".join(_spec_text(x) for x in v))
    return "Literal[%r]" % (v,)


# ---------------------------------------------------------------- tf.function
class Function:
    """A Python function traced into graphs, one per input signature (tf.function).

    Example:

    >>> @tf.function
    ... def f(x):
    ...     return x * 2.0
    >>> f(tf.constant([1.0]))
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([2.], dtype=float32)>
    """

    def __init__(self, python_function, name=None, input_signature=None, autograph=True,
                 jit_compile=None, reduce_retracing=False, experimental_autograph_options=None):
        self._python_function = python_function
        self._name = name or getattr(python_function, "__name__", "function")
        self._signature = inspect.signature(python_function)
        self._input_signature = None if input_signature is None else list(input_signature)
        self._autograph = autograph
        self._jit_compile = jit_compile
        self._reduce_retracing = reduce_retracing
        self._cache: dict = {}
        self._fast: dict = {}
        self._relaxed: list = []
        self._tracing_count = 0
        self._last_key = None
        self._created_variables = False
        self._converted = None
        functools.update_wrapper(self, python_function)

    @property
    def python_function(self):
        return self._python_function

    @property
    def input_signature(self):
        return self._input_signature

    def experimental_get_tracing_count(self) -> int:
        """How many times the Python function has been traced."""
        return self._tracing_count

    def __get__(self, instance, owner):
        if instance is None:
            return self
        # A tf.function used as a method: one Function per instance, bound to it.
        cache = self.__dict__.setdefault("_bound", weakref.WeakKeyDictionary())
        try:
            bound = cache.get(instance)
        except TypeError:
            bound = None
        if bound is None:
            bound = Function(functools.partial(self._python_function, instance), name=self._name,
                             input_signature=self._input_signature, autograph=self._autograph,
                             jit_compile=self._jit_compile, reduce_retracing=self._reduce_retracing)
            bound._signature = _drop_first(self._signature)
            try:
                cache[instance] = bound
            except TypeError:
                pass
        return bound

    # -- canonicalisation
    def _bind_args(self, args, kwargs):
        try:
            ba = self._signature.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError("%s: %s" % (self._name, e)) from None
        ba.apply_defaults()
        return ba

    def _key(self, ba):
        flat = nest.flatten((list(ba.args), ba.kwargs))
        return tuple(_leaf_key(v) for v in flat), _structure_key((list(ba.args), ba.kwargs))

    # -- calling
    def __call__(self, *args, **kwargs):
        if _RUN_EAGERLY[0]:
            return self._python_function(*args, **kwargs)
        if not kwargs and ctx.graph is None:
            # Fast path for the common calls: positional eager tensors, or one tuple of them (a
            # Keras batch), whose shapes and dtypes were seen before. Defaults are fixed when no
            # kwargs are given, so they need no key.
            flat = _fast_flat(args)
            if flat is not None:
                concrete = self._fast.get(tuple((a._value.shape, a._dtype) for a in flat) + (_form(args),))
                if concrete is not None:
                    return concrete._call_flat(flat)
        concrete, ba = self._concrete_for(args, kwargs)
        flat = _fast_flat(args) if not kwargs and len(ba.kwargs) == 0 else None
        if flat is not None and len(concrete._specs) == len(flat):
            self._fast[tuple((a._value.shape, a._dtype) for a in flat) + (_form(args),)] = concrete
        flat = [v for v in nest.flatten((list(ba.args), ba.kwargs)) if _is_tensor_leaf(v)
                or isinstance(v, SymbolicTensor)]
        tensors = [v if isinstance(v, (Tensor, SymbolicTensor)) else convert_to_tensor(v) for v in flat]
        return concrete._call_flat(tensors)

    def _concrete_for(self, args, kwargs):
        if self._input_signature is not None:
            return self._concrete_with_signature(args, kwargs)
        ba = self._bind_args(args, kwargs)
        key = self._key(ba)
        concrete = self._cache.get(key)
        if concrete is None:
            concrete = self._find_relaxed(key)
        if concrete is None:
            specs = [k for k in key[0] if isinstance(k, TensorSpec)]
            if self._reduce_retracing and self._last_key is not None and self._last_key[1] == key[1]:
                prev = [k for k in self._last_key[0] if isinstance(k, TensorSpec)]
                if len(prev) == len(specs) and all(p.dtype == s.dtype for p, s in zip(prev, specs)):
                    specs = [_relax(p, s) for p, s in zip(prev, specs)]
            concrete = self._trace(ba, specs, key)
            if any(not s.shape.is_fully_defined() for s in specs):
                self._relaxed.append((key, concrete))
            self._cache[key] = concrete
        return concrete, ba

    def _find_relaxed(self, key):
        for rkey, concrete in self._relaxed:
            if rkey[1] != key[1] or len(rkey[0]) != len(key[0]):
                continue
            specs = concrete._specs
            mine = [k for k in key[0] if isinstance(k, TensorSpec)]
            others = [k for k in key[0] if not isinstance(k, TensorSpec)]
            rothers = [k for k in rkey[0] if not isinstance(k, TensorSpec)]
            if others == rothers and len(mine) == len(specs) and all(
                    s.dtype == m.dtype and s.shape.is_compatible_with(m.shape) for s, m in zip(specs, mine)):
                return concrete
        return None

    def _concrete_with_signature(self, args, kwargs):
        ba = self._bind_args(args, kwargs)
        flat = nest.flatten((list(ba.args), ba.kwargs))
        sig = nest.flatten(self._input_signature)
        tensors = [v for v in flat if v is not None]
        if len(tensors) != len(sig):
            raise TypeError("%s: expected %d arguments matching input_signature %s, got %d"
                            % (self._name, len(sig), self._input_signature, len(tensors)))
        for i, (v, spec) in enumerate(zip(tensors, sig)):
            if isinstance(v, TensorSpec):  # get_concrete_function() with the signature itself
                continue
            t = v if isinstance(v, (Tensor, SymbolicTensor)) else convert_to_tensor(v, dtype=spec.dtype)
            if t.dtype is not spec.dtype or not spec.shape.is_compatible_with(t.shape):
                raise TypeError("%s: argument %d (%r) is not compatible with input_signature %r"
                                % (self._name, i, t, spec))
        key = ("input_signature",)
        concrete = self._cache.get(key)
        if concrete is None:
            concrete = self._trace(ba, list(sig), key)
            self._cache[key] = concrete
        return concrete, ba

    # -- tracing
    def _trace(self, ba, specs, key):
        self._tracing_count += 1
        if self._tracing_count >= RETRACE_WARNING_THRESHOLD and self._last_key is not None:
            self._warn_retrace(key, _leaf_names(ba))
        self._last_key = key
        graph = FuncGraph(self._name)
        fn = self._python_function
        if self._autograph:
            fn = self._autograph_converted()
        spec_iter = iter(specs)
        names = iter(_leaf_names(ba))

        def to_placeholder(v):
            if _is_traced_leaf(v):
                spec = next(spec_iter)
                return graph.placeholder(spec.shape, spec.dtype, name=next(names))
            next(names)
            return v

        outer_scope = ctx.name_scope
        ctx.name_scope = []  # a function's graph starts at the root name scope, as in TF
        try:
            with graph_scope(graph):
                args_in = nest.map_structure(to_placeholder, list(ba.args))
                kwargs_in = nest.map_structure(to_placeholder, ba.kwargs)
                if self._created_variables:
                    graph.created_variables = None  # a Variable made now raises (see Variable.__init__)
                out = fn(*args_in, **kwargs_in)
                out = nest.map_structure(lambda o: _as_graph_output(graph, o), out)
        finally:
            ctx.name_scope = outer_scope
        if graph.created_variables:
            self._created_variables = True
        flat_out = nest.flatten(out)
        graph.outputs = [o for o in flat_out if isinstance(o, SymbolicTensor)]
        param_kinds = [(name, p.kind.name, ba.arguments.get(name)) for name, p in self._signature.parameters.items()]
        return ConcreteFunction(self._name, graph, (args_in, kwargs_in), list(ba.arguments), specs, out,
                                param_kinds)

    def _autograph_converted(self):
        if self._converted is None:
            try:
                from . import autograph
                self._converted = autograph.convert(self._python_function)
            except ImportError:
                self._converted = self._python_function
        return self._converted

    def _warn_retrace(self, key, names):
        prev, new = self._last_key, key
        change = "its input structure changed"
        if prev[1] == new[1]:
            for name, a, b in zip(names, prev[0], new[0]):
                if a != b:
                    change = "argument %r changed from %s to %s" % (name, _describe(a), _describe(b))
                    break
        warnings.warn(
            "%d out of the last %d calls to %s triggered tf.function retracing: %s. Tracing is expensive and "
            "the excessive number of tracings could be due to (1) creating @tf.function repeatedly in a loop, "
            "(2) passing tensors with different shapes, (3) passing Python objects instead of tensors. For (2), "
            "@tf.function has reduce_retracing=True option that can avoid unnecessary retracing."
            % (self._tracing_count, self._tracing_count, self._name, change), stacklevel=4)

    def get_concrete_function(self, *args, **kwargs) -> ConcreteFunction:
        """The ConcreteFunction for these arguments (tensors or tf.TensorSpecs), tracing if needed."""
        if not args and not kwargs and self._input_signature is not None:
            args = tuple(self._input_signature)
        return self._concrete_for(tuple(args), kwargs)[0]

    def __repr__(self):
        return "<tensorforge.function %s>" % self._name


def _fast_flat(args):
    """The tensors of `args` when they are all eager tensors, or a single tuple of them; else None."""
    if len(args) == 1 and type(args[0]) is tuple:
        args = args[0]
        if not args:
            return None
    for a in args:
        if type(a) is not Tensor:
            return None
    return list(args)


def _form(args):
    """Tells f(x, y) from f((x, y)) in the fast-path key."""
    return "tuple" if len(args) == 1 and type(args[0]) is tuple else len(args)


def _structure_key(structure):
    def shape(s):
        if isinstance(s, dict):
            return ("dict", tuple((k, shape(s[k])) for k in sorted(s)))
        if isinstance(s, (list, tuple)):
            return (type(s).__name__, tuple(shape(x) for x in s))
        return None
    return shape(structure)


def _leaf_names(ba) -> list:
    """A name for each leaf of nest.flatten((list(ba.args), ba.kwargs)), for placeholders and messages."""
    positional = [p.name for p in ba.signature.parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    names = []

    def add(name, value):
        n = len(nest.flatten(value))
        names.extend([name] if n == 1 else ["%s_%d" % (name, i) for i in range(n)])

    for i, value in enumerate(ba.args):
        add(positional[i] if i < len(positional) else "args_%d" % (i - len(positional)), value)
    for key in sorted(ba.kwargs):
        add(key, ba.kwargs[key])
    return names


def _drop_first(sig):
    params = list(sig.parameters.values())[1:]
    return sig.replace(parameters=params)


class _Composite(tuple):
    """A SparseTensor, RaggedTensor or IndexedSlices returned by a traced function, as the tuple of its component
    tensors (so they become graph outputs); `rebuild` makes the composite again from their values."""

    rebuild = None


def _expand_composite(o):
    name = type(o).__name__
    if name == "SparseTensor":
        c = _Composite((o.indices, o.values, o.dense_shape))
        c.rebuild = lambda parts, cls=type(o): cls(*parts)
        return c
    if name == "RaggedTensor":
        splits = tuple(o.nested_row_splits)
        c = _Composite((o.flat_values,) + splits)
        uniform = []  # each ragged level's uniform row length (an int, or None), kept across the call
        level = o
        while type(level).__name__ == "RaggedTensor":
            uniform.append(level._uniform_row_length)
            level = level.values
        c.rebuild = lambda parts, cls=type(o), u=tuple(uniform): _ragged_with_uniform(
            cls.from_nested_row_splits(parts[0], list(parts[1:]), validate=False), u)
        return c
    if name == "IndexedSlices":
        has_shape = o.dense_shape is not None
        c = _Composite((o.values, o.indices) + ((o.dense_shape,) if has_shape else ()))
        c.rebuild = lambda parts, cls=type(o): cls(parts[0], parts[1], parts[2] if len(parts) > 2 else None)
        return c
    return o


def _ragged_with_uniform(rt, uniform):
    level = rt
    for u in uniform:
        level._uniform_row_length = u
        level = level.values
    return rt


def _has_composite(structure) -> bool:
    if isinstance(structure, _Composite):
        return True
    if isinstance(structure, (list, tuple)):
        return any(_has_composite(v) for v in structure)
    if isinstance(structure, dict):
        return any(_has_composite(v) for v in structure.values())
    return False


def _rebuild_composites(template, value):
    """Puts SparseTensor/RaggedTensor outputs back together after nest.pack_sequence_as."""
    if isinstance(template, _Composite):
        return template.rebuild(list(value))
    if isinstance(template, dict):
        return type(value)((k, _rebuild_composites(template[k], value[k])) for k in value)
    if isinstance(template, (list, tuple)):
        parts = [_rebuild_composites(t, v) for t, v in zip(template, value)]
        return type(value)(*parts) if hasattr(type(value), "_fields") else type(value)(parts)
    return value


def _as_graph_output(graph, o):
    if isinstance(o, Node):  # an op (tf.group, tf.no_op): it runs, and the call returns None, as in TF
        return None
    o = _expand_composite(o)
    if isinstance(o, _Composite):
        c = _Composite(_as_graph_output(graph, t) for t in o)
        c.rebuild = o.rebuild
        return c
    if isinstance(o, SymbolicTensor):
        return o if o.graph is graph else graph.capture(o)
    if isinstance(o, Tensor):
        return graph.capture(o)
    if _is_variable(o):
        return o._as_tensor()
    return o


@tf_export("function")
def function(func=None, input_signature=None, autograph=True, jit_compile=None, reduce_retracing=False,
             experimental_implements=None, experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None, experimental_follow_type_hints=None):
    """Compiles a Python function into a callable TensorFlow graph (tf.function).

    Args:
      func: the function to compile; when None, returns a decorator.
      input_signature: a list of tf.TensorSpec fixing the shapes and dtypes of the tensor
        arguments; a `None` dimension accepts any size.
      autograph: convert Python control flow on tensors into graph control flow.
      jit_compile: compile with XLA (not available yet: runs the graph executor).
      reduce_retracing: generalise shapes on retracing so fewer graphs are traced.

    Returns:
      A `Function`.
    """
    relax = reduce_retracing or bool(experimental_relax_shapes)

    def decorate(f):
        return Function(f, input_signature=input_signature, autograph=autograph, jit_compile=jit_compile,
                        reduce_retracing=relax)
    return decorate if func is None else decorate(func)

