"""tf.gradients, tf.hessians, tf.RegisterGradient, tf.no_gradient, tf.recompute_grad and
tf.grad_pass_through.

`tf.gradients` works inside a tf.function (as in TF2): it differentiates the graph being built,
reading its nodes as a tape would have recorded them, with the same per-op gradient functions;
eagerly it raises RuntimeError, as TF does, pointing to GradientTape.
"""
from __future__ import annotations

import functools
from typing import Callable

from .._api import tf_export
from ..framework.context import ctx
from ..framework.convert import convert_to_tensor
from ..framework.nest import flatten
from ..ops import array_ops
from ..ops.registry import NON_DIFFERENTIABLE, REGISTRY, OpRecord
from .custom_gradient import custom_gradient
from .tape import GradientTape, UnconnectedGradients


def _graph_tape(graph, stop_ids: set) -> GradientTape:
    """A tape holding the graph's nodes as records (what a tape would have seen while tracing)."""
    from ..graph.graph import READ_VARIABLE
    tape = GradientTape(persistent=True)
    records = []
    for n in graph.nodes:
        if n.op is READ_VARIABLE:
            tape._var_values.setdefault(id(n.payload), []).append(n.outputs[0])
            continue
        if n.op.grad is NON_DIFFERENTIABLE or not n.outputs:
            continue
        if any(id(o) in stop_ids for o in n.outputs):
            continue
        records.append(OpRecord(n.op, list(n.inputs), n.attrs, list(n.outputs)))
    tape._records = records
    return tape


@tf_export("gradients")
def gradients(ys, xs, grad_ys=None, name="gradients", gate_gradients=False, aggregation_method=None,
              stop_gradients=None, unconnected_gradients=UnconnectedGradients.NONE):
    """The symbolic gradient of sum(ys) with respect to each of `xs`, inside a tf.function (tf.gradients).

    Args:
      ys: a tensor or list of tensors to differentiate.
      xs: a tensor, variable, or list of them.
      grad_ys: the gradients of `ys` to start from (default ones).
      stop_gradients: tensors to hold constant (no gradient flows through them).
      unconnected_gradients: 'none' (None for unreached xs) or 'zero'.

    Raises:
      RuntimeError: when executing eagerly (use tf.GradientTape).
    """
    if ctx.graph is None:
        raise RuntimeError("tf.gradients is not supported when eager execution is enabled. Use tf.GradientTape "
                           "instead.")
    stop_ids = {id(t) for t in flatten(stop_gradients)} if stop_gradients is not None else set()
    tape = _graph_tape(ctx.graph, stop_ids)
    out = tape.gradient(flatten(ys), flatten(xs), output_gradients=None if grad_ys is None else flatten(grad_ys),
                        unconnected_gradients=unconnected_gradients)
    return list(out)


@tf_export("hessians")
def hessians(ys, xs, name="hessians", colocate_gradients_with_ops=False, gate_gradients=False,
             aggregation_method=None):
    """The Hessian of sum(ys) with respect to each of `xs` (tf.hessians), inside a tf.function."""
    xs = flatten(xs)
    out = []
    for x, g in zip(xs, gradients(ys, xs)):
        if g is None:
            out.append(None)
            continue
        n = 1
        for d in x.shape.as_list():
            if d is None:
                raise ValueError("tf.hessians needs fully known input shapes, got %s" % x.shape)
            n *= d
        flat = array_ops.reshape(g, [-1])
        rows = [gradients(flat[i], x)[0] for i in range(n)]
        rows = [array_ops.zeros_like(x) if r is None else r for r in rows]
        out.append(array_ops.reshape(array_ops.stack(rows), x.shape.as_list() + x.shape.as_list()))
    return out


# ---------------------------------------------------------------- gradient registration
class _OpView:
    """What a gradient function registered with tf.RegisterGradient receives as `op`."""

    def __init__(self, rec):
        self._rec = rec
        self.inputs = list(rec.inputs)
        self.outputs = list(rec.outputs)
        self.type = rec.op_def.name
        self.name = rec.op_def.name

    def get_attr(self, name):
        return self._rec.attrs[name]


@tf_export("RegisterGradient")
class RegisterGradient:
    """Registers a gradient function for the op type `op_type` (tf.RegisterGradient).

    Use as a decorator: `@tf.RegisterGradient("MyOp") def _grad(op, grad): ...`. The function gets
    an op with `.inputs`, `.outputs` and `.get_attr(name)` and the output gradients, and returns
    one gradient (or None) per input. Registering a type that has a gradient raises KeyError.
    """

    def __init__(self, op_type: str):
        if not isinstance(op_type, str):
            raise TypeError("op_type must be a string")
        self._op_type = op_type

    def __call__(self, f: Callable) -> Callable:
        op = REGISTRY.get(self._op_type)
        if op is None:
            raise KeyError("No op named %s is registered" % self._op_type)
        if op.grad is not NON_DIFFERENTIABLE:
            raise KeyError("Registering two gradient with name '%s'! (Previous registration was in %s)"
                           % (self._op_type, getattr(op.grad, "__module__", "tensorforge")))
        op.grad = lambda rec, *dys: f(_OpView(rec), *dys)
        return f


@tf_export("no_gradient")
def no_gradient(op_type: str) -> None:
    """Declares that the op type `op_type` has no gradient (tf.no_gradient)."""
    if not isinstance(op_type, str):
        raise TypeError("op_type must be a string")
    op = REGISTRY.get(op_type)
    if op is not None and op.grad is NON_DIFFERENTIABLE:
        return
    if op is not None:
        raise KeyError("Registering two gradient with name '%s'!" % op_type)


# ---------------------------------------------------------------- gradient helpers
@tf_export("recompute_grad")
def recompute_grad(f: Callable) -> Callable:
    """`f`, whose activations TF would recompute in the backward pass to save memory
    (tf.recompute_grad). The gradients are the same; here the forward values are kept."""
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        return f(*args, **kwargs)
    return wrapper


@tf_export("grad_pass_through")
def grad_pass_through(f: Callable) -> Callable:
    """`f` in the forward pass, the identity in the backward pass (tf.grad_pass_through): e.g.
    `tf.grad_pass_through(tf.round)(x)` rounds but lets the gradient of x through unchanged."""
    @functools.wraps(f)
    def wrapper(*args):
        @custom_gradient
        def passthrough(*xs):
            def grad(*dys):
                return dys[0] if len(xs) == 1 else list(dys) + [None] * (len(xs) - len(dys))
            return f(*xs), grad
        return passthrough(*[convert_to_tensor(a) if not hasattr(a, "_variable_value") else a for a in args])
    return wrapper

