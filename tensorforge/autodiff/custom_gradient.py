"""tf.custom_gradient: a function that supplies its own gradient."""
from __future__ import annotations

import functools
import inspect

from ..framework.context import ctx
from ..framework.convert import convert_to_tensor
from ..ops import array_ops
from ..ops.registry import OpDef
from ..framework.nest import flatten as _flatten
from ..framework.nest import pack_sequence_as
from .tape import GradientTape


def custom_gradient(f=None):
    """Decorates `f(*x) -> (y, grad_fn)` so that tapes use `grad_fn(*dy)` as its gradient.

    `grad_fn` may take a `variables` keyword; it then returns `(input_grads, variable_grads)`
    for the trainable variables `f` read.

    Example:

    >>> @tf.custom_gradient
    ... def clip_grad(x):
    ...     def grad(dy):
    ...         return tf.clip_by_value(dy, -1.0, 1.0)
    ...     return tf.identity(x), grad
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        inputs = [convert_to_tensor(a) if not hasattr(a, "_variable_value") else a for a in args]
        if not ctx.tapes:
            y, _ = f(*inputs, **kwargs)
            return y
        outer = ctx.tapes
        recorder = GradientTape(watch_accessed_variables=True)
        ctx.tapes = [recorder]
        recorder._recording = True
        try:
            y, grad_fn = f(*inputs, **kwargs)
        finally:
            recorder._recording = False
            ctx.tapes = outer
        variables = list(recorder.watched_variables())
        wants_vars = "variables" in inspect.signature(grad_fn).parameters
        flat_y = [array_ops.identity(v) for v in _flatten(y)]
        tensor_inputs = [a._variable_value() if hasattr(a, "_variable_value") else a for a in inputs]
        var_values = [v._variable_value() for v in variables]
        n_in = len(tensor_inputs)

        def grad(op, *dys):
            if wants_vars:
                in_grads, var_grads = grad_fn(*dys, variables=variables)
            else:
                if variables:
                    raise TypeError("If using @custom_gradient with a function that uses variables, then grad_fn "
                                    "must accept a keyword argument 'variables'.")
                in_grads, var_grads = grad_fn(*dys), []
            in_grads = _flatten(in_grads) if isinstance(in_grads, (list, tuple)) else [in_grads]
            if len(in_grads) != n_in:
                raise ValueError("custom_gradient function expected to return %d gradients, but returned %d instead."
                                 % (n_in, len(in_grads)))
            return list(in_grads) + list(var_grads)

        op = OpDef("CustomGradient", None, None, grad, None, "tf.custom_gradient", len(flat_y), False, (), None)
        for tape in ctx.tapes:
            for v in variables:
                tape._variable_accessed(v)
            tape._record(op, tensor_inputs + var_values, {}, tuple(flat_y))
        return pack_sequence_as(y, flat_y)

    return wrapper
