"""The `ag__` operators that converted code calls (TF's autograph operators).

Each decides at run time: a condition or iterable that is a SymbolicTensor (we are tracing
and it depends on graph values) stages graph control flow (tf.cond / tf.while_loop);
anything else - Python values, eager tensors - runs the plain Python statement. The
blocks are functions that read and write the function's variables through `nonlocal`;
`get_state`/`set_state` read and write the variables that must flow through the staged
cond or loop, as in TF:

    if_stmt(cond, body, orelse, get_state, set_state, symbol_names)
    while_stmt(test, body, get_state, set_state, symbol_names, opts)
    for_stmt(iter_, extra_test, body, get_state, set_state, symbol_names, opts)
"""
from __future__ import annotations

import builtins
import functools
import inspect
from types import FunctionType as _FunctionType, MethodType as _MethodType

import numpy as np

from ..framework import nest
from ..framework.context import ctx, graph_scope
from ..framework.convert import convert_to_tensor
from ..framework.dtypes import bool as tf_bool
from ..framework.tensor import Tensor
from ..framework.tensor_shape import TensorShape
from .graph import FuncGraph, SymbolicTensor, static_value

_PY_SCALARS = (bool, int, float, str, np.ndarray, np.generic)
LEGAL_LOOP_TYPES = "Tensor, int, float, bool or a list, tuple or dict thereof"


# ---------------------------------------------------------------- undefined values
class Undefined:
    """The value of a variable that has not been assigned yet (TF's ag__.Undefined)."""

    __slots__ = ("symbol_name",)

    def __init__(self, symbol_name: str):
        self.symbol_name = symbol_name

    def __getattr__(self, attr):
        raise AttributeError("'%s' is used before it is assigned (reading .%s)" % (self.symbol_name, attr))

    def __repr__(self):
        return "<undefined %s>" % self.symbol_name


class UndefinedReturnValue:
    """The return value of a converted function before any `return` ran."""

    __slots__ = ()


def ld(value):
    """Reads a variable that may be undefined: raises as Python would for an unbound local."""
    if type(value) is Undefined:
        raise UnboundLocalError("cannot access local variable '%s' where it is not associated with a value"
                                % value.symbol_name)
    return value


def retval(value):
    """The converted function's result: None when no `return` ran."""
    return None if type(value) is UndefinedReturnValue else value


def _undefined(v) -> bool:
    return v is None or type(v) in (Undefined, UndefinedReturnValue)


# ---------------------------------------------------------------- helpers
def _is_symbolic(x) -> bool:
    return type(x) is SymbolicTensor


def _cf():
    from . import control_flow
    return control_flow


def _as_tensor_leaves(values):
    """Python scalars/arrays in the state become tensors (what tf.cond/while_loop carry)."""
    return nest.map_structure(lambda v: convert_to_tensor(v) if isinstance(v, _PY_SCALARS) else v, values)


def _verify_condition(cond, tag: str):
    """`cond` as a scalar tf.bool tensor, or TF's error."""
    cond = convert_to_tensor(cond)
    hint = "to check for None, use `is not None`"
    if cond.dtype is not tf_bool:
        raise ValueError("condition of %s expected to be `tf.bool` scalar, got %s; to use as boolean Tensor, use "
                         "`tf.cast`; %s" % (tag, cond, hint))
    dims = cond.shape._dims
    if dims is None or len(dims) > 0:
        known = [d for d in (dims or ()) if d is not None]
        if known and int(np.prod(known)) > 1:
            raise ValueError("condition of %s expected to be `tf.bool` scalar, got %s; %s" % (tag, cond, hint))
        from ..ops import array_ops
        cond = array_ops.reshape(cond, ())
    return cond


def _tmp_graph():
    return graph_scope(FuncGraph("autograph_tmp", outer=ctx.graph))


# ---------------------------------------------------------------- if
def if_stmt(cond, body, orelse, get_state, set_state, symbol_names):
    """Functional form of an `if` statement (tf.cond when `cond` is a graph tensor)."""
    if _is_symbolic(cond):
        _tf_if_stmt(cond, body, orelse, get_state, set_state, tuple(symbol_names))
    elif cond:
        body()
    else:
        orelse()


def _verify_branch_vars(values, names, branch):
    for n, v in zip(names, values):
        if type(v) is Undefined:
            raise ValueError("'%s' must also be initialized in the %s branch" % (n, branch))
        if type(v) is UndefinedReturnValue:
            raise ValueError("the %s branch must also have a return statement." % branch)


def _verify_single_cond_var(name, body_var, orelse_var):
    if body_var is None:
        raise ValueError("'%s' is None at the end of the main branch." % name)
    if orelse_var is None:
        raise ValueError("'%s' is None at the end of the else branch." % name)
    if isinstance(body_var, _PY_SCALARS):
        body_var = convert_to_tensor(body_var)
    if isinstance(orelse_var, _PY_SCALARS):
        orelse_var = convert_to_tensor(orelse_var)
    if hasattr(body_var, "dtype") and hasattr(orelse_var, "dtype") and body_var.dtype != orelse_var.dtype:
        raise TypeError("'%s' has dtype %s in the main branch, but dtype %s in the else branch"
                        % (name, body_var.dtype.name, orelse_var.dtype.name))


def _verify_cond_vars(body_vars, orelse_vars, names):
    for n, b, o in zip(names, body_vars, orelse_vars):
        try:
            nest.assert_same_structure(b, o)
        except (ValueError, TypeError) as e:
            raise TypeError("'%s' must have the same nested structure in the main and else branches:\n\n%s"
                            % (n, e)) from e
        for bl, ol in zip(nest.flatten(b), nest.flatten(o)):
            _verify_single_cond_var(n, bl, ol)


def _tf_if_stmt(cond, body, orelse, get_state, set_state, names):
    cond = _verify_condition(cond, "if statement")
    if not names:  # tf.cond needs an output; the branches may only have side effects
        get_state, set_state, names = (lambda: (0,)), (lambda v: None), ("<unused dummy>",)
    init = get_state()
    outs = {}

    def branch(fn, label, other):
        def run():
            set_state(init)
            fn()
            new = tuple(get_state())
            _verify_branch_vars(new, names, label)
            outs[label] = new
            if other in outs:
                _verify_cond_vars(outs["main"], outs["else"], names)
            return _as_tensor_leaves(new)
        return run

    final = _cf().cond(cond, branch(body, "main", "else"), branch(orelse, "else", "main"))
    set_state(_unpack(final, len(names)))


def _unpack(result, n):
    """The staged op's outputs as an n-tuple."""
    if n == 1 and not (isinstance(result, (tuple, list)) and len(result) == 1):
        return (result,)
    return tuple(result)


# ---------------------------------------------------------------- while
def while_stmt(test, body, get_state, set_state, symbol_names, opts):
    """Functional form of a `while` statement (tf.while_loop when the test is a graph tensor)."""
    if ctx.graph is not None:
        with _tmp_graph():  # a first look at the test, without leaving ops behind
            init_test = test()
    else:
        init_test = test()
    if _is_symbolic(init_test):
        _tf_while_stmt(test, body, get_state, set_state, tuple(symbol_names), dict(opts))
        return
    if not init_test:
        return
    body()
    while True:
        t = test()
        if _is_symbolic(t):
            raise NotImplementedError(
                "The condition of while loop started as non-Tensor, then changed to Tensor. This may happen either "
                "because variables changed type, or when a break or return statement inside the loop depends on a "
                "Tensor condition. In both cases, changing to a TF loop should remove the error.")
        if not t:
            return
        body()


def _is_subshape(left: TensorShape, right: TensorShape) -> bool:
    if right.rank is None:
        return True
    if left.rank != right.rank:
        return False
    return all(r is None or l_ == r for l_, r in zip(left._dims, right._dims))


def _verify_single_loop_var(name, init, entry, exit_, invariant):
    if exit_ is None:
        raise ValueError("'%s' is None at the end of the iteration." % name)
    init, entry, exit_ = (convert_to_tensor(v) if isinstance(v, _PY_SCALARS) else v for v in (init, entry, exit_))
    if not all(hasattr(v, "dtype") and hasattr(v, "shape") for v in (entry, exit_)):
        return
    if entry.dtype != exit_.dtype:
        raise TypeError("'%s' has dtype %s before the loop, but dtype %s after one iteration"
                        % (name, entry.dtype.name, exit_.dtype.name))
    if invariant is None:
        if not _is_subshape(exit_.shape, entry.shape):
            raise ValueError("'%s' has shape %s before the loop, but shape %s after one iteration. Use "
                             "tf.autograph.experimental.set_loop_options to set shape invariants."
                             % (name, entry.shape, exit_.shape))
    else:
        invariant = TensorShape(invariant)
        if hasattr(init, "shape") and not _is_subshape(init.shape, invariant):
            raise ValueError("'%s' has shape %s before the loop, which does not conform with the shape invariant %s."
                             % (name, init.shape, invariant))
        if not _is_subshape(exit_.shape, invariant):
            raise ValueError("'%s' has shape %s after one iteration, which does not conform with the shape "
                             "invariant %s." % (name, exit_.shape, invariant))


def _verify_loop_vars(init_vars, entry_vars, exit_vars, names, invariants):
    for i, n in enumerate(names):
        try:
            nest.assert_same_structure(entry_vars[i], exit_vars[i])
        except (ValueError, TypeError) as e:
            raise TypeError("'%s' does not have the same nested structure after one iteration.\n\n%s" % (n, e)) from e
        inv = invariants[i]
        inv_leaves = nest.flatten(inv) if inv is not None and nest.is_nested(inv) else [inv] * len(
            nest.flatten(entry_vars[i]))
        for a, b, c, d in zip(nest.flatten(init_vars[i]), nest.flatten(entry_vars[i]), nest.flatten(exit_vars[i]),
                              inv_leaves):
            _verify_single_loop_var(n, a, b, c, d)


def _verify_init_vars(init_vars, names, first_iter_vars=None, extra_message=None):
    first_iter_vars = first_iter_vars or (None,) * len(names)
    for n, v, fv in zip(names, init_vars, first_iter_vars):
        if type(v) is UndefinedReturnValue:
            if fv is not None and type(fv) is not UndefinedReturnValue:
                raise ValueError("the return value from a TensorFlow loop may only be a %s; got %s"
                                 % (LEGAL_LOOP_TYPES, type(fv)))
            raise NotImplementedError("a return statement cannot be placed inside this TensorFlow loop; this may "
                                      "happen if a return statement depends on a static Python condition such as "
                                      "a hyperparameter")
        if v is None:
            raise ValueError("'%s' is not allowed to be None before the loop" % n)
        if type(v) is Undefined:
            msg = "'%s' must be defined before the loop" % n
            raise ValueError(msg + ("\n" + extra_message if extra_message else ""))


def _placeholder_value(like, original):
    """A zero value shaped like `like` (the value after one iteration) for a variable that is
    undefined before the loop, and its shape invariant when some dimensions are unknown."""
    if _undefined(like):
        return original, None
    if isinstance(like, (bool, int, float)):
        return type(like)(0), None
    if isinstance(like, (Tensor, SymbolicTensor)):
        from ..ops import array_ops
        dims = like.shape._dims
        if dims is None:
            return array_ops.zeros((), like.dtype), like.shape
        zero = array_ops.zeros([0 if d is None else d for d in dims], like.dtype)
        return zero, (like.shape if None in dims else None)
    if isinstance(like, (list, tuple, dict)):
        pairs = [_placeholder_value(v, None) for v in nest.flatten(like)]
        return (nest.pack_sequence_as(like, [p[0] for p in pairs]),
                nest.pack_sequence_as(like, [p[1] for p in pairs]))
    raise TypeError("Found an unsupported type '%s' while creating placeholder for %s. Supported types include "
                    "Tensor, int, float, bool, list, tuple or dict." % (type(like).__name__, like))


def _try_handling_undefineds(body, get_state, set_state, init_vars, nulls, names):
    """Stages one iteration in a scratch graph to learn the types of the variables the loop
    defines, and starts them at zeros of those types (TF's behaviour)."""
    first_iter_vars, failure, modified = None, None, False
    invariants = (None,) * len(init_vars)
    try:
        with _tmp_graph() as g:
            def to_placeholder(v):
                if isinstance(v, _PY_SCALARS):
                    t = convert_to_tensor(v)
                    return g.placeholder(t.shape, t.dtype)
                return v
            set_state(tuple(nest.map_structure(to_placeholder, v) if not _undefined(v) else v for v in init_vars))
            modified = True
            body()
            first_iter_vars = tuple(get_state())
        pairs = [(_placeholder_value(fv, v) if null else (v, None))
                 for v, null, fv in zip(init_vars, nulls, first_iter_vars)]
        init_vars = tuple(p[0] for p in pairs)
        invariants = tuple(p[1] for p in pairs)
    except (UnboundLocalError, TypeError, ValueError, KeyError) as e:
        failure = "Note: AutoGraph tried to define it automatically, but ran into a %s: %s" % (type(e).__name__, e)
    finally:
        if modified:
            set_state(init_vars)
    _verify_init_vars(init_vars, names, first_iter_vars, failure)
    return init_vars, invariants


def _loop_kwargs(opts: dict) -> dict:
    """The options tf.while_loop understands (set_loop_options and maximum_iterations)."""
    wl = _cf().while_loop
    try:
        params = inspect.signature(wl).parameters
    except (TypeError, ValueError):
        params = {}
    out = {k: v for k, v in opts.items() if k in ("maximum_iterations", "parallel_iterations", "swap_memory",
                                                      "shape_invariants") and k in params and v is not None}
    return out


def _tf_while_stmt(test, body, get_state, set_state, names, opts):
    init_vars = tuple(get_state())
    orig_init = init_vars
    nulls = tuple(_undefined(v) for v in init_vars)
    by_id = {id(v): s for v, s in opts.pop("shape_invariants", None) or ()}
    invariants = tuple(by_id.get(id(v)) for v in init_vars)
    require_one = any(nulls)
    if require_one:
        init_vars, extra = _try_handling_undefineds(body, get_state, set_state, init_vars, nulls, names)
        invariants = tuple(i if i is not None else e for i, e in zip(invariants, extra))
    init_vars = _as_tensor_leaves(init_vars)
    opts.pop("iterate_names", None)

    def aug_test(*loop_vars):
        set_state(loop_vars[1:] if require_one else loop_vars)
        return _verify_condition(test(), "while loop")

    def aug_body(*loop_vars):
        loop_vars = loop_vars[1:] if require_one else loop_vars
        set_state(loop_vars)
        body()
        new = tuple(get_state())
        _verify_loop_vars(init_vars, loop_vars, new, names, invariants)
        new = _as_tensor_leaves(new)
        return ((convert_to_tensor(True),) + new) if require_one else new

    loop_vars = ((convert_to_tensor(False),) + init_vars) if require_one else init_vars
    if any(i is not None for i in invariants):
        opts["shape_invariants"] = ((None,) + invariants) if require_one else invariants
    final = _unpack(_cf().while_loop(aug_test, aug_body, loop_vars, **_loop_kwargs(opts)), len(loop_vars))
    if require_one:
        from .autograph_assert import Assert
        missing = ", ".join("the function return value" if type(v) is UndefinedReturnValue else n
                            for n, v, null in zip(names, orig_init, nulls) if null)
        Assert(final[0], ["loop must iterate at least once to initialize %s" % missing])
        final = final[1:]
    set_state(final)


# ---------------------------------------------------------------- for
_FOR_LOOPS: list = []  # (type, fn) pairs from register_for_loop


def register_for_loop(cls, fn) -> None:
    """Makes `for x in <instance of cls>` in converted code call `fn(iter_, extra_test, body,
    get_state, set_state, symbol_names, opts)` (how tf.data datasets plug in)."""
    _FOR_LOOPS.append((cls, fn))


def for_stmt(iter_, extra_test, body, get_state, set_state, symbol_names, opts):
    """Functional form of a `for` statement, dispatched on what is iterated:
    tf.range (a counter loop), another graph tensor (its first dimension), an object with an
    `_autograph_for` hook or a registered type (datasets), else a Python loop."""
    names = tuple(symbol_names)
    if _is_symbolic(iter_):
        fn = _tf_range_for_stmt if iter_.node.op.name == "Range" else _known_len_tf_for_stmt
        return fn(iter_, extra_test, body, get_state, set_state, names, dict(opts))
    hook = getattr(type(iter_), "_autograph_for", None)
    if hook is not None:
        return hook(iter_, extra_test, body, get_state, set_state, names, dict(opts))
    for cls, fn in _FOR_LOOPS:
        if isinstance(iter_, cls):
            return fn(iter_, extra_test, body, get_state, set_state, names, dict(opts))
    return _py_for_stmt(iter_, extra_test, body)


def _py_for_stmt(iter_, extra_test, body):
    if extra_test is None:
        for target in iter_:
            body(target)
        return

    def keep_going():
        t = extra_test()
        if _is_symbolic(t):
            raise NotImplementedError(
                "break and return statements which depend on a TF condition are not supported in Python for loops. "
                "Did you intend to make it a TF loop?")
        return bool(t)

    if keep_going():
        for target in iter_:
            body(target)
            if not keep_going():
                break


def _and_extra(main, extra_test):
    """The loop test with the extra (break/return) test; both are cheap flags, so it is a
    logical_and rather than a nested cond."""
    if extra_test is None:
        return main
    from ..ops import math_ops
    extra = extra_test()
    if not _is_symbolic(extra) and not isinstance(extra, Tensor):
        return main if extra else math_ops.logical_and(main, False)
    return math_ops.logical_and(main, extra)


def _tf_range_for_stmt(iter_, extra_test, body, get_state, set_state, names, opts):
    start, limit, delta = iter_.node.inputs
    iterate_name = opts.get("iterate_names")
    iterate = start

    def aug_get_state():
        state = tuple(iterate if (n == iterate_name and type(v) is Undefined) else v
                      for n, v in zip(names, get_state()))
        return (iterate,) + state

    def aug_set_state(values):
        nonlocal iterate
        iterate = values[0]
        set_state(tuple(values[1:]))

    def aug_body():
        nonlocal iterate
        body(iterate)
        iterate = iterate + delta

    def aug_test():
        d = static_value(delta)
        if d is not None:
            main = iterate < limit if d >= 0 else iterate > limit
        else:
            from ..ops import math_ops
            main = math_ops.logical_or(math_ops.logical_and(delta >= 0, iterate < limit),
                                       math_ops.logical_and(delta < 0, iterate > limit))
        return _and_extra(main, extra_test)

    _tf_while_stmt(aug_test, aug_body, aug_get_state, aug_set_state, ("<internal iterate>",) + names, opts)


def _known_len_tf_for_stmt(iter_, extra_test, body, get_state, set_state, names, opts):
    from ..ops import array_ops
    dims = iter_.shape._dims
    if dims is None or len(dims) == 0:
        raise ValueError("len requires a non-scalar tensor, got one of shape %s" % iter_.shape)
    n = dims[0] if dims[0] is not None else array_ops.shape(iter_)[0]
    index = 0

    def aug_get_state():
        return (index,) + tuple(get_state())

    def aug_set_state(values):
        nonlocal index
        index = values[0]
        set_state(tuple(values[1:]))

    def aug_body():
        nonlocal index
        body(iter_[index])
        index = index + 1

    def aug_test():
        return _and_extra(index < n, extra_test)

    _tf_while_stmt(aug_test, aug_body, aug_get_state, aug_set_state, ("<internal iterate>",) + names, opts)


# ---------------------------------------------------------------- expressions
def if_exp(cond, if_true, if_false, expr_repr):
    """`a if cond else b`: tf.cond for a graph tensor condition."""
    if not _is_symbolic(cond):
        return if_true() if cond else if_false()
    cond = _verify_condition(cond, "if expression")
    seen = {}

    def branch(fn, key):
        def run():
            v = seen[key] = fn()
            if "t" in seen and "f" in seen:
                _verify_single_cond_var(expr_repr, seen["t"], seen["f"])
            return _as_tensor_leaves(v)
        return run

    return _cf().cond(cond, branch(if_true, "t"), branch(if_false, "f"))


def not_(a):
    if _is_symbolic(a):
        from ..ops import math_ops
        return math_ops.logical_not(a)
    return not a


def and_(a, b):
    """Lazy `a and b` (`a`, `b` are thunks): tf.cond when `a` is a graph tensor."""
    v = a()
    if _is_symbolic(v):
        return _cf().cond(v, lambda: _as_tensor_leaves(b()), lambda: v)
    return v and b()


def or_(a, b):
    """Lazy `a or b` (`a`, `b` are thunks): tf.cond when `a` is a graph tensor."""
    v = a()
    if _is_symbolic(v):
        return _cf().cond(v, lambda: v, lambda: _as_tensor_leaves(b()))
    return v or b()


def assert_stmt(expression, message, expr_repr):
    """`assert expression, message`: a graph Assert for tensors (InvalidArgumentError when
    false), Python's assert otherwise. `message` is a thunk or None."""
    if isinstance(expression, (Tensor, SymbolicTensor)):
        from .autograph_assert import Assert
        data = message() if message is not None else "Assertion error: %s" % expr_repr
        Assert(expression, list(data) if isinstance(data, (list, tuple)) else [data])
        return
    if not expression:
        raise AssertionError(message()) if message is not None else AssertionError()


# ---------------------------------------------------------------- calls
def _range(start_or_stop, stop=None, step=None):
    args = [a for a in (start_or_stop, stop, step) if a is not None]
    if any(isinstance(a, (Tensor, SymbolicTensor)) for a in args):
        from ..ops import array_ops
        if stop is None:
            return array_ops.range(start_or_stop, delta=1 if step is None else step)
        return array_ops.range(start_or_stop, stop, 1 if step is None else step)
    return builtins.range(*args)


def _len(s):
    if isinstance(s, SymbolicTensor):
        dims = s.shape._dims
        if dims is None or not dims:
            raise ValueError("len requires a non-scalar tensor, got one of shape %s" % s.shape)
        if dims[0] is not None:
            return dims[0]
        from ..ops import array_ops
        return array_ops.shape(s)[0]
    return builtins.len(s)


def converted_call(f, args, kwargs):
    """Calls `f(*args, **kwargs)`, converting `f` first when it is user code."""
    t = type(f)
    if t is _FunctionType:
        f = _convert(f)
    elif t is _MethodType:
        fn = f.__func__
        if type(fn) is _FunctionType:
            conv = _convert(fn)
            if conv is not fn:
                f = _MethodType(conv, f.__self__)
    elif f is builtins.range:
        f = _range
    elif f is builtins.len:
        f = _len
    elif t is functools.partial and type(f.func) is _FunctionType:
        conv = _convert(f.func)
        if conv is not f.func:
            f = functools.partial(conv, *f.args, **f.keywords)
    return f(*args, **kwargs) if kwargs else f(*args)


def _convert(fn):
    global _convert  # bound on first use: autograph imports this module
    from .autograph import converted_function
    _convert = converted_function
    return converted_function(fn)

