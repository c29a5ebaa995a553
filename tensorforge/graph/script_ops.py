"""tf.numpy_function and tf.py_function: a Python function as an op.

Three ops, TF's names: `PyFunc` (numpy_function, stateful), `PyFuncStateless`
(numpy_function(stateful=False), which graph passes may deduplicate or drop when unused) and
`EagerPyFunc` (py_function). The Python callable travels in the node's `func` attr and the
`token` attr names it as TF's does ("pyfunc_3"). Eagerly the op runs at once; inside a
tf.function or a tf.data function it is a node that calls back into Python every time the
graph runs, holding the GIL while it does (as TF's kernels do).

numpy_function hands the function NumPy arrays and requires each returned value to have
exactly the declared dtype; py_function hands it eager Tensors (so tf ops inside run eagerly)
and converts what it returns to the declared dtypes. py_function is differentiable with
respect to its inputs: the gradient op runs the function again under a GradientTape.
Outputs have unknown shape in a graph, as in TF (callers use `set_shape` / `ensure_shape`).
"""
from __future__ import annotations

import itertools
import traceback
from typing import Any, Callable

import numpy as np

from .._api import tf_export
from ..framework import dtypes, errors
from ..framework.convert import convert_to_tensor
from ..framework.tensor import Tensor
from ..ops.registry import NON_DIFFERENTIABLE, bind, register

_tokens = itertools.count()

# Python exception -> TF error class, as TF's py_func kernel maps them.
_ERROR_FOR = ((StopIteration, errors.OutOfRangeError), (IndexError, errors.OutOfRangeError),
              (TypeError, errors.InvalidArgumentError), (ValueError, errors.InvalidArgumentError),
              (MemoryError, errors.ResourceExhaustedError), (NotImplementedError, errors.UnimplementedError))


# The names TF's kernels print for dtypes (DataTypeString), where they differ from Python's.
_C_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def _python_error(e: BaseException, op_name: str) -> errors.OpError:
    cls = next((c for exc, c in _ERROR_FOR if isinstance(e, exc)), errors.UnknownError)
    text = "".join(traceback.format_exception(type(e), e, e.__traceback__))
    return cls(None, None, "%s: %s\n%s [Op:%s]" % (type(e).__name__, e, text, op_name))


def _outputs(ret, tout: tuple, token: str, convert: bool) -> tuple:
    if not tout:
        return ()
    values = list(ret) if isinstance(ret, (list, tuple)) else [ret]
    if len(values) != len(tout):
        raise errors.InvalidArgumentError(
            None, None, "%s returns %d values, but expects to see %d values." % (token, len(values), len(tout)))
    out = []
    for i, (v, dt) in enumerate(zip(values, tout)):
        if convert:  # py_function: Python values convert to the declared dtype; tensors must match it
            if isinstance(v, Tensor):
                a = v._value
            else:
                try:
                    a = convert_to_tensor(v, dtype=dt)._value
                except (TypeError, ValueError) as e:
                    raise errors.InvalidArgumentError(None, None, "%s: the %d-th value returned could not be "
                                                      "converted to %s: %s" % (token, i, dt.name, e)) from None
        else:
            a = v._value if isinstance(v, Tensor) else np.asarray(v)
            if a.dtype.kind in "SU":
                a = a.astype(object)
        got = dtypes.as_dtype(a.dtype) if a.dtype != object else dtypes.string
        if got is not dt:
            raise errors.InvalidArgumentError(None, None, "%d-th value returned by %s is %s, but expects %s"
                                              % (i, token, _C_NAMES.get(got.name, got.name),
                                                 _C_NAMES.get(dt.name, dt.name)))
        out.append(a)
    return tuple(out)


def _numpy_kernel(xp, *arrays, func, Tout, token, op_name):
    try:
        ret = func(*[np.asarray(a) for a in arrays])
    except errors.OpError:
        raise
    except Exception as e:  # noqa: BLE001 - the user's error, as the TF error TF raises for it
        raise _python_error(e, op_name) from e
    return _outputs(ret, Tout, token, convert=False)


def _pyfunc_kernel(xp, *arrays, func, Tout, token):
    return _numpy_kernel(xp, *arrays, func=func, Tout=Tout, token=token, op_name="PyFunc")


def _pyfunc_stateless_kernel(xp, *arrays, func, Tout, token):
    return _numpy_kernel(xp, *arrays, func=func, Tout=Tout, token=token, op_name="PyFuncStateless")


def _eager_kernel(xp, *arrays, func, Tout, token):
    try:
        ret = func(*[Tensor(a) for a in arrays])
    except errors.OpError:
        raise
    except Exception as e:  # noqa: BLE001
        raise _python_error(e, "EagerPyFunc") from e
    return _outputs(ret, Tout, token, convert=True)


def _infer(specs, attrs):
    return [(None, dt) for dt in attrs["Tout"]]  # the function decides the shapes at run time


def _eager_grad(op, *dys):
    """Runs the function again on the forward inputs under a tape, for the upstream gradients."""
    from ..autodiff.tape import GradientTape
    from ..ops.array_ops import zeros_like
    func = op.attrs["func"]
    n = len(op.inputs)
    float_outputs = [i for i, o in enumerate(op.outputs) if o.dtype.is_floating or o.dtype.is_complex]

    def backward(*args):
        xs, upstream = args[:n], args[n:]
        with GradientTape() as tape:
            for x in xs:
                tape.watch(x)
            ys = func(*xs)
            ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
            ys = [convert_to_tensor(y, dtype=dt) for y, dt in zip(ys, op.attrs["Tout"])]
        grads = tape.gradient([ys[i] for i in float_outputs], list(xs),
                              output_gradients=[upstream[i] for i in float_outputs])
        return [zeros_like(x) if g is None else convert_to_tensor(g) for g, x in zip(grads, xs)]

    tout = tuple(x.dtype for x in op.inputs)
    grads = bind("EagerPyFunc", list(op.inputs) + list(dys),
                 {"func": backward, "Tout": tout, "token": "%s_grad" % op.attrs["token"]})
    grads = grads if isinstance(grads, tuple) else (grads,)
    return [g if x.dtype.is_floating or x.dtype.is_complex else None for g, x in zip(grads, op.inputs)]


def _samples_numpy():
    return [([np.arange(6.0).reshape(2, 3)], {"func": lambda x: (np.sin(x), x.sum()), "Tout": (dtypes.float64,) * 2,
                                               "token": "pyfunc_sample"})]


def _samples_eager():
    from ..ops.math_ops import multiply, sin
    return [([np.arange(6.0).reshape(2, 3) / 7, np.array([0.5, -1.0, 2.0])],
             {"func": lambda x, y: (multiply(sin(x), y), x * 2.0), "Tout": (dtypes.float64,) * 2,
              "token": "pyfunc_sample"})]


register("PyFunc", kernel=_pyfunc_kernel, infer=_infer, grad=NON_DIFFERENTIABLE, api="tf.numpy_function",
         num_outputs=-1, stateful=True, args=("inp",), samples=_samples_numpy)
register("PyFuncStateless", kernel=_pyfunc_stateless_kernel, infer=_infer, grad=NON_DIFFERENTIABLE,
         api="tf.numpy_function", num_outputs=-1, args=("inp",), samples=_samples_numpy)
register("EagerPyFunc", kernel=_eager_kernel, infer=_infer, grad=_eager_grad, api="tf.py_function",
         num_outputs=-1, stateful=True, args=("inp",), samples=_samples_eager)


def _tout(Tout) -> tuple[tuple, bool]:  # noqa: N803 - TF's argument name
    """(dtypes, whether one value is returned rather than a list)."""
    if Tout is None:
        return (), False
    single = not isinstance(Tout, (list, tuple))
    items = [Tout] if single else list(Tout)
    out = []
    for t in items:
        dt = getattr(t, "dtype", None) if not isinstance(t, (dtypes.DType, str, type, np.dtype)) else None
        try:
            out.append(dtypes.as_dtype(dt if dt is not None else t))
        except TypeError:
            raise TypeError("Tout must be a tf.DType, a TensorSpec or a list of them, got %r" % (t,)) from None
    return tuple(out), single


def _call(op_name: str, func: Callable, inp, Tout, api: str):  # noqa: N803
    if not callable(func):
        raise TypeError("%s: func must be callable, got %r" % (api, func))
    tout, single = _tout(Tout)
    inputs = [convert_to_tensor(x) for x in (inp if isinstance(inp, (list, tuple)) else [] if inp is None
                                             else [inp])]
    token = "pyfunc_%d" % next(_tokens)
    result = bind(op_name, inputs, {"func": func, "Tout": tout, "token": token})
    result = result if isinstance(result, tuple) else (result,)
    if Tout is None:
        return None
    return result[0] if single else list(result)


@tf_export("numpy_function")
def numpy_function(func: Callable, inp, Tout, stateful: bool = True, name: str | None = None) -> Any:  # noqa: N803
    """Wraps a Python function taking and returning NumPy arrays as a TensorFlow op.

    Eagerly it runs at once; inside a `tf.function` or a `tf.data` transformation it runs every
    time the graph runs. The function receives each input as a `np.ndarray` and must return
    values whose dtypes are exactly `Tout` (a Python float is float64, for instance).

    Args:
      func: a Python function of `len(inp)` NumPy arrays.
      inp: a list of tensors (or values convertible to tensors).
      Tout: a single `tf.DType` (one tensor returned) or a list of them (a list returned).
      stateful: when False, graph optimisations may deduplicate the call or drop it if its
        result is unused.
      name: unused.

    Returns:
      One tensor, or a list of tensors, of unknown shape inside a graph.

    Raises:
      InvalidArgumentError: the function returned the wrong number or dtype of values, or raised
        TypeError/ValueError (other exceptions map as TF maps them).
    """
    return _call("PyFunc" if stateful else "PyFuncStateless", func, inp, Tout, "tf.numpy_function")


@tf_export("py_function")
def py_function(func: Callable | None = None, inp=None, Tout=None, name: str | None = None) -> Any:  # noqa: N803
    """Wraps a Python function that runs eagerly on tensors as a TensorFlow op.

    The function receives eager `tf.Tensor`s (so TensorFlow ops inside it run eagerly, even
    when the call sits in a `tf.function` or a `tf.data` map) and may return tensors, NumPy
    arrays or Python values, converted to `Tout`. Gradients flow to `inp` (the function is run
    again under a tape to compute them). With `func` omitted it returns a decorator.

    Args:
      func: a Python function of `len(inp)` tensors.
      inp: a list of tensors.
      Tout: a `tf.DType` or `tf.TensorSpec` (one tensor returned), a list of them (a list
        returned), or None (the function's result is discarded and None returned).
      name: unused.

    Returns:
      One tensor, a list of tensors, or None.
    """
    if func is None:
        def decorator(f):
            def wrapped(*args):
                return py_function(f, list(args), Tout, name)
            return wrapped
        return decorator
    return _call("EagerPyFunc", func, inp, Tout, "tf.py_function")
