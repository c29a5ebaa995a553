"""The op registry and `bind`, the one path every op takes.

An op is registered once under its TensorFlow name with:
  infer(specs, attrs) -> [(shape, dtype), ...]   shape/dtype inference (graph building, errors)
  kernel(xp, *arrays, **attrs) -> array | tuple  the computation over an array namespace
  grad(op, *dys) -> [dx or None per input]       the gradient, written with tensorforge ops
  samples() -> [(arrays, attrs), ...]            inputs the registry tests run the op on
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..framework.context import ctx
from ..framework.errors import InvalidArgumentError, OpError
from ..framework.tensor import Tensor



def quiet_numpy() -> None:
    """Kernels follow TF: overflow and 0/0 give inf/nan without a warning. NumPy's error state is
    per thread, so every thread tensorforge starts calls this first (the importing thread here)."""
    np.seterr(all="ignore")


quiet_numpy()

NON_DIFFERENTIABLE = "non-differentiable"


class OpDef:
    """One registry entry: everything the runtime knows about an op."""

    __slots__ = ("name", "kernel", "infer", "grad", "samples", "api", "num_outputs",
                 "stateful", "args", "lower", "nondiff_inputs")

    def __init__(self, name, kernel, infer, grad, samples, api, num_outputs, stateful, args, lower,
                 nondiff_inputs=()):
        self.name = name
        self.kernel = kernel
        self.infer = infer
        self.grad = grad
        self.samples = samples
        self.api = api
        self.num_outputs = num_outputs
        self.stateful = stateful
        self.args = args
        self.lower = lower
        # Float inputs TF gives no gradient (its gradient function returns None for them).
        self.nondiff_inputs = tuple(nondiff_inputs)

    @property
    def differentiable(self) -> bool:
        return self.grad is not NON_DIFFERENTIABLE

    def __repr__(self):
        return "<OpDef %s>" % self.name


REGISTRY: dict[str, OpDef] = {}


def register(name: str, *, kernel: Callable, infer: Callable, grad, samples: Callable,
             api: str, num_outputs: int = 1, stateful: bool = False, args=("x",),
             lower: Callable | None = None, nondiff_inputs=()) -> OpDef:
    """Adds the op `name` to the registry.

    `grad` is a function or NON_DIFFERENTIABLE; `api` is the user-facing call that errors
    name (``tf.matmul``); `args` are the input argument names, used in messages;
    `num_outputs` is -1 when the output count depends on attrs (the kernel returns a tuple);
    `nondiff_inputs` lists float inputs TF's gradient leaves without one (it returns None there).
    """
    if name in REGISTRY:
        raise ValueError("op %s registered twice" % name)
    if grad is None:
        raise ValueError("op %s: give a gradient or declare it NON_DIFFERENTIABLE" % name)
    op = OpDef(name, kernel, infer, grad, samples, api, num_outputs, stateful, tuple(args), lower, nondiff_inputs)
    REGISTRY[name] = op
    return op


def get(name: str) -> OpDef:
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError("no op named %r is registered" % name) from None


class OpRecord:
    """An executed op as a gradient function sees it: `.inputs`, `.outputs`, `.attrs`.

    `skip_input_indices` (TF's name) lists the inputs whose gradient nobody needs, so that
    an expensive gradient (matmul, conv) can return None for them without computing it.
    """

    __slots__ = ("op_def", "inputs", "attrs", "outputs", "skip_input_indices")

    def __init__(self, op_def, inputs, attrs, outputs):
        self.op_def = op_def
        self.inputs = inputs
        self.attrs = attrs
        self.outputs = outputs
        self.skip_input_indices = ()

    @property
    def type(self) -> str:
        return self.op_def.name

    def get_attr(self, name):
        return self.attrs[name]


_NO_ATTRS: dict = {}


def bind(op_name: str, inputs, attrs=_NO_ATTRS):
    """Runs (eager) or stages (graph building) the op `op_name` on tensors `inputs`.

    Returns one tensor for single-output ops, else a tuple.
    """
    op = REGISTRY[op_name]
    graph = ctx.graph
    if graph is not None:
        result = graph.add_op(op, inputs, attrs)
        tapes = ctx.tapes
        if tapes:  # a tape inside a traced function: its gradient becomes graph nodes
            outs = result if isinstance(result, tuple) else (result,)
            for tape in tapes:
                tape._record(op, inputs, attrs, outs)
        return result
    try:
        # Unrolled for the common arities: this is the eager hot path.
        if attrs:
            out = op.kernel(np, *[x._value for x in inputs], **attrs)
        elif len(inputs) == 2:
            out = op.kernel(np, inputs[0]._value, inputs[1]._value)
        elif len(inputs) == 1:
            out = op.kernel(np, inputs[0]._value)
        else:
            out = op.kernel(np, *[x._value for x in inputs])
    except OpError:
        raise
    except Exception as e:  # noqa: BLE001 - every kernel failure becomes a TF error
        raise kernel_error(op, inputs, attrs, e) from None
    if op.num_outputs == 1:
        result = Tensor(out)
        tapes = ctx.tapes
        if tapes:
            for tape in tapes:
                tape._record(op, inputs, attrs, (result,))
        return result
    result = tuple(Tensor(o) for o in out)
    tapes = ctx.tapes
    if tapes:
        for tape in tapes:
            tape._record(op, inputs, attrs, result)
    return result


_KERAS_TENSOR_MESSAGE = (
    "A KerasTensor cannot be used as input to a TensorFlow function. A KerasTensor is a symbolic placeholder for a "
    "shape and dtype, used when constructing Keras Functional models or Keras Functions. You can only use it as "
    "input to a Keras layer or a Keras operation (from the namespaces `keras.layers` and `keras.ops`). You are likely "
    "doing something like:\n\n```\nx = Input(...)\n...\ntf_fn(x)  # Invalid.\n```\n\nWhat you should do instead "
    "is wrap `tf_fn` in a layer:\n\n```\nclass MyLayer(Layer):\n    def call(self, x):\n        return tf_fn(x)\n\n"
    "x = MyLayer()(x)\n```\n")


def kernel_error(op: OpDef, inputs, attrs, exc: Exception) -> Exception:
    """The TF error for a failed kernel: shape inference's message when it explains it (and Keras's
    ValueError for a Keras functional tensor given to a TF function, as Keras raises it)."""
    if any(getattr(getattr(x, "graph", None), "keras_history", None) is not None for x in inputs):
        return ValueError(_KERAS_TENSOR_MESSAGE)
    try:
        op.infer(inputs, attrs)
    except (OpError, TypeError, ValueError) as e:
        return e
    except Exception:  # noqa: BLE001
        pass
    return InvalidArgumentError(None, None, "%s: %s [Op:%s]" % (op.api, exc, op.name))


# -- profiler hook (tensorforge/profiler). While tf.profiler runs, every kernel is swapped for a
# timing wrapper, so `bind` itself checks nothing per op; Plans keep the op's own kernel.
_original_kernels: dict | None = None


def instrument_kernels(wrap: Callable | None) -> None:
    """Swaps every op's kernel for `wrap(op_name, kernel)`; `None` restores the op's own kernels."""
    global _original_kernels
    if _original_kernels is not None:
        for op, kernel in _original_kernels.items():
            op.kernel = kernel
        _original_kernels = None
    if wrap is not None:
        originals = _original_kernels = {op: op.kernel for op in REGISTRY.values() if op.kernel is not None}
        for op, kernel in originals.items():
            op.kernel = wrap(op.name, kernel)


def raw_kernel(op: OpDef) -> Callable | None:
    """`op`'s own kernel, also while the profiler has swapped in its timing wrapper."""
    originals = _original_kernels
    return op.kernel if originals is None else originals.get(op, op.kernel)
