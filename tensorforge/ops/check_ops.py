"""Assertions (tf.debugging.assert_*), static type/shape checks and debugging flags.

Eagerly every check runs at once: it returns None or raises (InvalidArgumentError for a value
check, with TF's eager message; ValueError/TypeError for static shape/rank/dtype failures).
Inside a tf.function a value check stages the stateful `Assert` op (graph/autograph_assert.py)
and returns that op, so that `with tf.control_dependencies([tf.debugging.assert_positive(x)])`
orders later ops after it; checks that are decided while tracing raise then (ValueError for
ranks and shapes, InvalidArgumentError for values known statically), as TF does, and return a
NoOp. The `Assert` and `NoOp` ops are registered by the graph package; they are looked up in
the registry when used, so this module imports nothing above `ops`.
"""
from __future__ import annotations

import ml_dtypes
import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.context import ctx
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor
from . import array_ops, math_ops
from . import registry as _registry
from .registry import bind

_t = convert_to_tensor


# ---------------------------------------------------------------- helpers
def _is_symbolic(t) -> bool:
    return getattr(t, "_is_symbolic_tensor", False)


def _static(t):
    """`t`'s NumPy value when known now (eager tensors, constants while tracing), else None."""
    if type(t) is Tensor:
        return t._value
    if _is_symbolic(t):
        return t._static_value()
    return None


def _tensor_name(t) -> str:
    """The name TF prints for `t` in graph messages (captured eager constants are 'Const:0')."""
    return t.name if _is_symbolic(t) else "Const:0"


def _shape_and_dtype_str(t) -> str:
    return "shape=%s dtype=%s" % (t.shape, t.dtype.name)


def _message_prefix(message) -> str:
    return "%s.  " % message if message else ""


def _stage_assert(condition, data, summarize):
    """Stages an Assert node in the graph being built and returns it (the op)."""
    tensors = [d if isinstance(d, Tensor) or _is_symbolic(d) else _t(d) for d in data]
    bind("Assert", [condition] + tensors, {"summarize": 3 if summarize is None else int(summarize)})
    return ctx.graph.nodes[-1]


def _no_op():
    """None eagerly; in a graph a NoOp node (what TF returns for checks decided statically)."""
    if ctx.graph is None:
        return None
    bind("NoOp", [])
    return ctx.graph.nodes[-1]


def _pretty_print(item, summarize) -> str:
    """One data item of an eager binary assertion's message (TF's _pretty_print)."""
    if isinstance(item, Tensor):
        arr = item.numpy()
        if np.ndim(arr) == 0:
            return str(arr)
        flat = arr.reshape((-1,))
        lst = [str(v) for v in flat[:summarize]]
        if len(lst) < flat.size:
            lst.append("...")
        return str(lst)
    return str(item)


def _summarize_eager(t, summarize) -> str:
    """One data item of an eager tf.debugging.Assert message (TF's _summarize_eager)."""
    summarize = 3 if summarize is None else (t._value.size if summarize < 0 else summarize)
    if t._value.ndim:
        flat = t.numpy().reshape((-1,))
        lst = [str(v) for v in flat[:summarize]]
        if len(lst) < flat.size:
            lst.append("...")
    else:
        lst = [str(t.numpy())] if summarize else []
    return ", ".join(lst)


def _eager_assert(condition: bool, data, summarize):
    """tf.debugging.Assert's eager behaviour and message ("Expected '...' to be true. ...")."""
    if condition:
        return
    xs = [d if isinstance(d, Tensor) else _t(d) for d in data]
    raise InvalidArgumentError(None, None, "Expected '%s' to be true. Summarized data: %s" % (
        Tensor(np.array(False)), "\n".join(_summarize_eager(x, summarize) for x in xs)))


def _make_assert_msg_data(sym, x, y, summarize, test):
    """The eager message items of a failed binary assertion (TF's _make_assert_msg_data)."""
    data = ["Condition x %s y did not hold." % sym]
    if summarize > 0:
        xv, yv = np.asarray(x._value), np.asarray(y._value)
        if x.shape == y.shape and x.shape.as_list():
            mask = ~np.asarray(test)
            indices = np.argwhere(mask)
            num = int(min(summarize, indices.shape[0]))
            data += ["Indices of first %d different values:" % num, indices[:num],
                     "Corresponding x values:", xv[mask].reshape((-1,))[:num],
                     "Corresponding y values:", yv[mask].reshape((-1,))[:num]]
        xf, yf = xv.reshape((-1,)), yv.reshape((-1,))
        xs, ys = int(min(xf.size, summarize)), int(min(yf.size, summarize))
        data += ["First %d elements of x:" % xs, xf[:xs], "First %d elements of y:" % ys, yf[:ys]]
    return data


_COMPARE = {
    "==": (math_ops.equal, np.equal), "!=": (math_ops.not_equal, np.not_equal),
    "<": (math_ops.less, np.less), "<=": (math_ops.less_equal, np.less_equal),
    ">": (math_ops.greater, np.greater), ">=": (math_ops.greater_equal, np.greater_equal),
}


def _binary_assert(sym, x, y, data, summarize, message):
    """TF's _binary_assert: `x sym y` element-wise (with broadcasting)."""
    op_fn, static_fn = _COMPARE[sym]
    x = _t(x)
    y = _t(y)
    if ctx.graph is None:
        test = op_fn(x, y)._value
        if np.all(test):
            return None
        if summarize is None:
            summarize = 3
        elif summarize < 0:
            summarize = 10 ** 9
        if data is None:
            data = _make_assert_msg_data(sym, x, y, summarize, test)
        if message is not None:
            data = [message] + list(data)
        raise InvalidArgumentError(None, None, "\n".join(_pretty_print(d, summarize) for d in data))
    if data is None:
        data = ["Condition x %s y did not hold element-wise:" % sym,
                "x (%s) = " % _tensor_name(x), x, "y (%s) = " % _tensor_name(y), y]
    if message is not None:
        data = [message] + list(data)
    condition = math_ops.reduce_all(op_fn(x, y))
    xs, ys = _static(x), _static(y)
    if xs is not None and ys is not None and not np.all(static_fn(xs, ys)):
        raise InvalidArgumentError(None, None, "\n".join(
            str(_static(d)) if (isinstance(d, Tensor) or _is_symbolic(d)) and _static(d) is not None else str(d)
            for d in data))
    return _stage_assert(condition, data, summarize)


def _doc_binary(sym, opname):
    def deco(fn):
        fn.__doc__ = """Asserts the condition `x %s y` element-wise (with broadcasting) (tf.debugging.%s).

    If both `x` and `y` are empty the condition holds trivially. When it does not hold,
    InvalidArgumentError is raised with `message`, "Condition x %s y did not hold." and the first
    `summarize` (default 3) differing entries and entries of `x` and `y`.

    Args:
      x: Numeric `Tensor`.
      y: Numeric `Tensor` of x's dtype, broadcastable to `x`.
      message: A string to prefix to the default message.
      summarize: Print this many entries of each tensor.
      name: unused.

    Returns:
      None eagerly; inside tf.function the Assert op, for tf.control_dependencies.

    Raises:
      InvalidArgumentError: eagerly (or while tracing when `x` and `y` are known) if the
        condition is false.
    """ % (sym, opname, sym)
        return fn
    return deco


@tf_export("debugging.assert_equal", "assert_equal")
@_doc_binary("==", "assert_equal")
def assert_equal(x, y, message=None, summarize=None, name=None):
    return _binary_assert("==", x, y, None, summarize, message)


@tf_export("debugging.assert_none_equal")
@_doc_binary("!=", "assert_none_equal")
def assert_none_equal(x, y, summarize=None, message=None, name=None):
    return _binary_assert("!=", x, y, None, summarize, message)


@tf_export("debugging.assert_less", "assert_less")
@_doc_binary("<", "assert_less")
def assert_less(x, y, message=None, summarize=None, name=None):
    return _binary_assert("<", x, y, None, summarize, message)


@tf_export("debugging.assert_less_equal")
@_doc_binary("<=", "assert_less_equal")
def assert_less_equal(x, y, message=None, summarize=None, name=None):
    return _binary_assert("<=", x, y, None, summarize, message)


@tf_export("debugging.assert_greater", "assert_greater")
@_doc_binary(">", "assert_greater")
def assert_greater(x, y, message=None, summarize=None, name=None):
    return _binary_assert(">", x, y, None, summarize, message)


@tf_export("debugging.assert_greater_equal")
@_doc_binary(">=", "assert_greater_equal")
def assert_greater_equal(x, y, message=None, summarize=None, name=None):
    return _binary_assert(">=", x, y, None, summarize, message)


# ---------------------------------------------------------------- x against zero
def _unary_assert(sym, cmp, x_first, x, message, summarize, sep=True):
    """TF's assert_negative & co: `x sym 0` element-wise, via assert_less/assert_less_equal."""
    prefix = _message_prefix(message)
    x = _t(x)
    xname = _shape_and_dtype_str(x) if ctx.graph is None else _tensor_name(x)
    cond_line = "Condition x %s 0 did not hold element-wise:" % sym
    xline = "x (%s) = " % xname
    # TF's assert_non_positive lacks a comma here, so its two lines run together.
    data = [prefix, cond_line, xline, x] if sep else [prefix, cond_line + xline, x]
    zero = _t(0, dtype=x.dtype)
    a, b = (x, zero) if x_first else (zero, x)
    return _binary_assert(cmp, a, b, data, summarize, None)


def _doc_unary(sym, opname):
    def deco(fn):
        fn.__doc__ = """Asserts the condition `x %s 0` element-wise (tf.debugging.%s).

    Args:
      x: Numeric `Tensor`.
      message: A string to prefix to the default message.
      summarize: Print this many entries of `x`.
      name: unused.

    Returns:
      None eagerly; inside tf.function the Assert op, for tf.control_dependencies.

    Raises:
      InvalidArgumentError: eagerly (or while tracing when `x` is known) if the condition is false.
    """ % (sym, opname)
        return fn
    return deco


@tf_export("debugging.assert_negative")
@_doc_unary("<", "assert_negative")
def assert_negative(x, message=None, summarize=None, name=None):
    return _unary_assert("<", "<", True, x, message, summarize)


@tf_export("debugging.assert_positive")
@_doc_unary(">", "assert_positive")
def assert_positive(x, message=None, summarize=None, name=None):
    return _unary_assert(">", "<", False, x, message, summarize)


@tf_export("debugging.assert_non_negative")
@_doc_unary(">=", "assert_non_negative")
def assert_non_negative(x, message=None, summarize=None, name=None):
    return _unary_assert(">=", "<=", False, x, message, summarize)


@tf_export("debugging.assert_non_positive")
@_doc_unary("<=", "assert_non_positive")
def assert_non_positive(x, message=None, summarize=None, name=None):
    return _unary_assert("<=", "<=", True, x, message, summarize, sep=False)


@tf_export("debugging.assert_near")
def assert_near(x, y, rtol=None, atol=None, message=None, summarize=None, name=None):
    """Asserts that `x` and `y` are close element-wise: |x - y| < atol + rtol * |y| (tf.debugging.assert_near).

    The default `rtol` and `atol` are 10 * eps of x's (real) dtype.

    Args:
      x: Float or complex `Tensor`.
      y: Float or complex `Tensor` of x's dtype, broadcastable to `x`.
      rtol: relative tolerance (default 10 * eps).
      atol: absolute tolerance (default 10 * eps).
      message: A string to prefix to the default message.
      summarize: Print this many entries of each tensor.
      name: unused.

    Returns:
      None eagerly; inside tf.function the Assert op, for tf.control_dependencies.

    Raises:
      InvalidArgumentError: if `x` and `y` are not close (eagerly at once).
      ValueError: if x's dtype is not inexact.
    """
    message = _message_prefix(message)
    x = _t(x)
    y = _t(y, dtype=x.dtype)
    dtype = x.dtype.real_dtype if x.dtype.is_complex else x.dtype
    eps = ml_dtypes.finfo(dtype.as_numpy_dtype).eps if dtype.is_floating else np.finfo(dtype.as_numpy_dtype).eps
    rtol = _t(10 * eps if rtol is None else rtol, dtype=dtype)
    atol = _t(10 * eps if atol is None else atol, dtype=dtype)
    eager = ctx.graph is None
    x_name = _shape_and_dtype_str(x) if eager else _tensor_name(x)
    y_name = _shape_and_dtype_str(y) if eager else _tensor_name(y)
    data = [message, "x and y not equal to tolerance rtol = %s, atol = %s" % (rtol, atol),
            "x (%s) = " % x_name, x, "y (%s) = " % y_name, y]
    tol = math_ops.add(atol, math_ops.multiply(rtol, math_ops.abs(y)))
    diff = math_ops.abs(math_ops.subtract(x, y))
    condition = math_ops.reduce_all(math_ops.less(diff, tol))
    if eager:
        return _eager_assert(bool(condition._value), data, summarize)
    return _stage_assert(condition, data, summarize)


# ---------------------------------------------------------------- ranks
def _check_rank_arg(rank):
    assert_type(rank, dtypes.int32)
    v = _static(rank)
    if v is not None and np.ndim(v) != 0:
        raise ValueError("Rank must be a scalar.")
    return v


def _rank_assert(kind, x, ranks, message, data, summarize):
    """assert_rank ('rank'), assert_rank_at_least ('rank at least') and assert_rank_in ('rank in')."""
    x = _t(x)
    message = _message_prefix(message)
    eager = ctx.graph is None
    name = "" if eager else _tensor_name(x)
    if kind == "rank in":
        ranks = [_t(r) for r in ranks]
        rank_arg = None
        rank_items = list(ranks)
        statics = [_static(r) for r in ranks]
        for r in ranks:
            assert_type(r, dtypes.int32)
        if all(v is not None for v in statics) and any(np.ndim(v) != 0 for v in statics):
            raise ValueError("Rank must be a scalar.")
    else:
        rank_arg = _t(ranks)
        rank_items = [rank_arg]
        statics = [_check_rank_arg(rank_arg)]
    if data is None:
        data = [message, "Tensor %s must have %s" % (name, kind)] + rank_items + ["Received shape: ",
                                                                              array_ops.shape(x)]
    xr = x.shape.rank
    if xr is not None and all(v is not None for v in statics):
        vals = [int(v) for v in statics]
        ok = (xr == vals[0] if kind == "rank" else xr >= vals[0] if kind == "rank at least" else xr in vals)
        if not ok:
            given = "%d" % vals[0] if kind != "rank in" else str(tuple(vals))
            raise ValueError("%sTensor %s must have %s %s.  Received rank %d, shape %s"
                             % (message, name, kind, given, xr, x.shape))
        return _no_op()
    actual = array_ops.rank(x)
    if kind == "rank":
        condition = math_ops.equal(actual, rank_arg)
    elif kind == "rank at least":
        condition = math_ops.greater_equal(actual, rank_arg)
    else:
        condition = _t(False)
        for r in ranks:
            condition = math_ops.logical_or(condition, math_ops.equal(r, actual))
    return _stage_assert(condition, data, summarize)


@tf_export("debugging.assert_rank", "assert_rank")
def assert_rank(x, rank, message=None, name=None):
    """Asserts that `x` has rank `rank` (tf.debugging.assert_rank).

    Args:
      x: `Tensor`.
      rank: Scalar integer `Tensor` (int32).
      message: A string to prefix to the default message.
      name: unused.

    Returns:
      None eagerly; inside tf.function an op (a NoOp when decided statically, else an Assert).

    Raises:
      ValueError: if the rank is known statically and is not `rank`, or `rank` is not a scalar.
      InvalidArgumentError: at run time of a tf.function when the rank is only known then.
    """
    return _rank_assert("rank", x, rank, message, None, None)


@tf_export("debugging.assert_rank_at_least")
def assert_rank_at_least(x, rank, message=None, name=None):
    """Asserts that `x` has rank `rank` or higher (tf.debugging.assert_rank_at_least).

    Returns None eagerly; inside tf.function an op. Raises ValueError when the rank is
    known statically and too small, InvalidArgumentError at run time otherwise.
    """
    return _rank_assert("rank at least", x, rank, message, None, None)


@tf_export("debugging.assert_rank_in")
def assert_rank_in(x, ranks, message=None, name=None):
    """Asserts that the rank of `x` is one of `ranks` (tf.debugging.assert_rank_in).

    Returns None eagerly; inside tf.function an op. Raises ValueError when the rank is
    known statically and not in `ranks`, InvalidArgumentError at run time otherwise.
    """
    return _rank_assert("rank in", x, ranks, message, None, None)


@tf_export("debugging.assert_scalar")
def assert_scalar(tensor, message=None, name=None):
    """Asserts statically that `tensor` is a scalar (tf.debugging.assert_scalar).

    Raises ValueError unless the rank is known to be 0 (an unknown shape fails too).
    Returns None.
    """
    tensor = _t(tensor)
    shape = tensor.shape
    message = _message_prefix(message)
    if shape.rank != 0:
        if ctx.graph is None or not _is_symbolic(tensor):
            raise ValueError("%sExpected scalar shape, saw shape: %s." % (message, shape))
        raise ValueError("%sExpected scalar shape for %s, saw shape: %s." % (message, tensor.name, shape))
    return None


# ---------------------------------------------------------------- dtypes
@tf_export("debugging.assert_type")
def assert_type(tensor, tf_type, message=None, name=None):
    """Asserts statically that `tensor` has dtype `tf_type` (tf.debugging.assert_type).

    Raises TypeError otherwise. Returns None eagerly, a NoOp inside tf.function.
    """
    if not (hasattr(tensor, "indices") and hasattr(tensor, "dense_shape")):  # SparseTensors keep their dtype
        tensor = _t(tensor)
    tf_type = dtypes.as_dtype(tf_type)
    if tensor.dtype != tf_type:
        tname = tensor.name if _is_symbolic(tensor) else "tensor"
        raise TypeError("%s%s must be of type %r; got %r" % (_message_prefix(message), tname, tf_type, tensor.dtype))
    return _no_op()


@tf_export("debugging.assert_integer")
def assert_integer(x, message=None, name=None):
    """Asserts statically that `x` has an integer dtype (tf.debugging.assert_integer).

    Raises TypeError otherwise. Returns None eagerly, a NoOp inside tf.function.
    """
    x = _t(x)
    if not x.dtype.is_integer:
        xname = x.name if _is_symbolic(x) else "tensor"
        raise TypeError('%sExpected "x" to be integer type.  Found: %s of dtype %s'
                        % (_message_prefix(message), xname, x.dtype))
    return _no_op()


def _item_str(item) -> str:
    return item.name if _is_symbolic(item) else str(item)


@tf_export("debugging.assert_same_float_dtype")
def assert_same_float_dtype(tensors=None, dtype=None):
    """Validates that `tensors` (None entries ignored) share one float dtype, equal to `dtype` if given,
    and returns it; float32 when neither is given (tf.debugging.assert_same_float_dtype).

    Raises:
      ValueError: if the dtypes differ or the common dtype is not floating point.
    """
    expected = None if dtype is None else dtypes.as_dtype(dtype)
    if tensors:
        original = expected
        items = [t for t in tensors if t is not None]
        first_str = None
        for item in items:
            item_type = item.dtype
            if expected is None:
                expected = item_type
                first_str = _item_str(item) if original is None else None
            elif expected != item_type:
                raise ValueError("%s, type=%s, must be of the same type (%s)%s." % (
                    _item_str(item), item_type, expected, (" as %s" % first_str) if first_str else ""))
    if expected is None:
        return dtypes.float32
    if not expected.is_floating:
        raise ValueError("Expected floating point type, got %s." % expected)
    return expected


@tf_export("debugging.is_numeric_tensor")
def is_numeric_tensor(tensor) -> bool:
    """Whether `tensor` is a tf.Tensor (eager or symbolic) of a numeric dtype (tf.debugging.is_numeric_tensor).

    Non-tensors (Python values, NumPy arrays, variables) give False, as in TF.
    """
    if not (isinstance(tensor, Tensor) or _is_symbolic(tensor)):
        return False
    d = tensor.dtype
    return bool(d.is_floating or d.is_integer or d.is_complex) and d is not dtypes.bool


@tf_export("debugging.assert_all_finite")
def assert_all_finite(x, message, name=None):
    """Asserts that `x` has no NaN or Inf values and returns `x` (tf.debugging.assert_all_finite).

    Raises InvalidArgumentError "<message> : Tensor had NaN values" (or Inf) eagerly, or when
    the tf.function runs.
    """
    return array_ops.check_numerics(x, message)


@tf_export("debugging.assert_proper_iterable")
def assert_proper_iterable(values):
    """Raises TypeError unless `values` is an iterable other than a Tensor, ndarray, bytes or str
    (tf.debugging.assert_proper_iterable)."""
    if isinstance(values, (Tensor, np.ndarray, bytes, str)) or _is_symbolic(values) or (
            hasattr(values, "indices") and hasattr(values, "dense_shape")):
        raise TypeError('Expected argument "values" to be a "proper" iterable.  Found: %s' % type(values))
    if not hasattr(values, "__iter__"):
        raise TypeError('Expected argument "values" to be iterable.  Found: %s' % type(values))


# ---------------------------------------------------------------- assert_shapes
def _known(v) -> bool:
    if v is None or isinstance(v, Tensor) or _is_symbolic(v):
        return False
    try:
        int(v)
    except (ValueError, TypeError):
        return False
    return True


def _dimension_sizes(x):
    """Static sizes as ints, unknown ones as scalar tensors; a scalar counts as shape (1,)."""
    rank = x.shape.rank
    if rank == 0:
        return (1,)
    dyn = array_ops.shape(x)
    if rank is not None:
        return [int(s) if s is not None else dyn[i] for i, s in enumerate(x.shape.as_list())]
    pad = array_ops.fill(array_ops.reshape(math_ops.subtract(1, math_ops.minimum(array_ops.size(dyn), 1)), [1]), 1)
    return _DynSizes(array_ops.concat([dyn, pad], 0))


class _DynSizes:
    """The sizes of a tensor of unknown rank, indexed lazily (negative indices count from the end)."""

    def __init__(self, sizes):
        self.sizes = sizes

    def __getitem__(self, i):
        return self.sizes[i]


@tf_export("debugging.assert_shapes")
def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """Asserts that tensors have the specified shapes (tf.debugging.assert_shapes).

    `shapes` is a list of (tensor, shape) pairs (or a dict). A shape entry that parses as an
    int is an exact size, None or '.' any size, any other hashable a symbol that must take
    the same size everywhere; a leading `...` or '*' allows any number of outer dimensions.
    Scalars and empty shapes count as shape (1,).

    Returns:
      None eagerly; inside tf.function an op for tf.control_dependencies.

    Raises:
      ValueError: if a rank or size known statically violates the constraints.
      InvalidArgumentError: at run time of a tf.function for sizes only known then.
    """
    shape_constraints = [(x if not hasattr(x, "dense_shape") else x, s)
                         for x, s in (shapes.items() if isinstance(shapes, dict) else shapes)]
    shape_constraints = [(x if hasattr(x, "dense_shape") else _t(x), s) for x, s in shape_constraints]
    eager = ctx.graph is None
    prefix = _message_prefix(message)

    def tensor_name(t):
        return _shape_and_dtype_str(t) if eager else _tensor_name(t)

    entries = []
    for tensor, symbolic in shape_constraints:
        if not (hasattr(symbolic, "__iter__") or hasattr(symbolic, "__getitem__")):
            raise ValueError("%sTensor %s.  Specified shape must be an iterable.  An iterable has the attribute "
                             "`__iter__` or `__getitem__`.  Received specified shape: %s"
                             % (prefix, tensor_name(tensor), symbolic))
        sym = tuple(symbolic)
        innermost = False
        for i, s in enumerate(sym):
            if s is Ellipsis or (isinstance(s, str) and s == "*"):
                if i != 0:
                    raise ValueError("%sTensor %s specified shape index %d.  Symbol `...` or `*` for a variable "
                                     "number of unspecified dimensions is only allowed as the first entry"
                                     % (prefix, tensor_name(tensor), i))
                innermost = True
        sizes_sym = sym[1:] if innermost else sym
        entries.append((tensor, innermost, _dimension_sizes(tensor), sizes_sym or (1,)))

    rank_ops = []
    for x, innermost, _, sizes_sym in entries:
        rank = len(sizes_sym)
        if innermost:
            if rank in (0, 1):
                continue
            op = _rank_assert("rank at least", x, rank, message, data, summarize)
        elif rank in (0, 1):
            op = _rank_assert("rank in", x, [0, 1], message, data, summarize)
        else:
            op = _rank_assert("rank", x, rank, message, data, summarize)
        rank_ops.append(op)

    size_ops = []
    specs = {}
    for x, innermost, actual_sizes, sizes_sym in entries:
        for i, s in enumerate(sizes_sym):
            if s is None or (isinstance(s, str) and s == "."):
                continue
            dim = i - len(sizes_sym) if innermost else i
            if _known(s) or s in specs:
                if _known(s):
                    specified, check = int(s), "Specified explicitly"
                else:
                    specified, by, at = specs[s]
                    check = "Specified by tensor %s dimension %d" % (tensor_name(by), at)
                actual = actual_sizes[dim]
                if _known(actual) and _known(specified):
                    if int(actual) != int(specified):
                        raise ValueError("%s%s.  Tensor %s dimension %s must have size %d.  Received size %d, shape %s"
                                         % (prefix, check, tensor_name(x), dim, specified, actual, x.shape))
                    continue
                condition = math_ops.equal(_t(actual, dtype=dtypes.int32), _t(specified, dtype=dtypes.int32))
                d = data if data is not None else [prefix, check, "Tensor %s dimension" % tensor_name(x), dim,
                                                    "must have size", specified, "Received shape: ",
                                                    array_ops.shape(x)]
                size_ops.append(_stage_assert(condition, d, summarize))
            else:
                specs[s] = (actual_sizes[dim], x, dim)
    if eager:
        return None
    nodes = [n for n in rank_ops + size_ops if n is not None]
    bind("NoOp", [])
    group = ctx.graph.nodes[-1]
    for n in nodes:
        if n not in group.control_inputs:
            group.control_inputs.append(n)
    return group


# ---------------------------------------------------------------- flags
_LOG_DEVICE_PLACEMENT = [False]
_TRACEBACK_FILTERING = [True]


@tf_export("debugging.set_log_device_placement")
def set_log_device_placement(enabled: bool) -> None:
    """Turns logging of device placement on or off (tf.debugging.set_log_device_placement).

    tensorforge runs every op on the host (NumPy), so the flag is recorded (see
    get_log_device_placement) and nothing else is logged.
    """
    _LOG_DEVICE_PLACEMENT[0] = bool(enabled)


@tf_export("debugging.get_log_device_placement")
def get_log_device_placement() -> bool:
    """Whether device placement logging is on (tf.debugging.get_log_device_placement)."""
    return _LOG_DEVICE_PLACEMENT[0]


@tf_export("debugging.is_traceback_filtering_enabled")
def is_traceback_filtering_enabled() -> bool:
    """Whether traceback filtering is on (default True) (tf.debugging.is_traceback_filtering_enabled).

    The flag is recorded; tensorforge's tracebacks are not filtered either way.
    """
    return _TRACEBACK_FILTERING[0]


@tf_export("debugging.enable_traceback_filtering")
def enable_traceback_filtering() -> None:
    """Turns the traceback-filtering flag on (tf.debugging.enable_traceback_filtering)."""
    _TRACEBACK_FILTERING[0] = True


@tf_export("debugging.disable_traceback_filtering")
def disable_traceback_filtering() -> None:
    """Turns the traceback-filtering flag off (tf.debugging.disable_traceback_filtering)."""
    _TRACEBACK_FILTERING[0] = False


# -- check numerics: every op's kernel is wrapped so that a float output with NaN or Inf raises.
_SAFE_OPS = frozenset(("Concat", "ConcatV2", "ExpandDims", "Fill", "Gather", "GatherV2", "Maximum", "Minimum",
                       "Reshape", "Slice", "Squeeze", "Stack", "Pack", "StridedSlice", "StridedSliceGrad",
                       "Transpose", "Unpack", "Identity", "IdentityN", "CheckNumerics", "Const"))
_wrapped: dict = {}  # op -> (its kernel before wrapping, the wrapper)
_LOW_FLOATS = (np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16))


def _is_float(a) -> bool:
    return isinstance(a, (np.ndarray, np.generic)) and (a.dtype.kind == "f" or a.dtype in _LOW_FLOATS)


def _numerics_message(op_name, slot, n_out, out, inputs) -> str:
    a = np.asarray(out)
    lines = ['', '', '!!! Detected Infinity or NaN in output %d of eagerly-executing op "%s" (# of outputs: %d) !!!'
             % (slot, op_name, n_out), "  dtype: %s" % dtypes.as_dtype(a.dtype), "  shape: %s" % (a.shape,)]
    af = a.astype(np.float64)
    for label, count in (("+NaN", int(np.isnan(af).sum())), ("-Inf", int(np.isneginf(af).sum())),
                         ("+Inf", int(np.isposinf(af).sum()))):
        if count:
            lines.append("  # of %s elements: %d" % (label, count))
    lines.append("")
    for v in inputs:
        if isinstance(v, (np.ndarray, np.generic)):
            lines.append("  Input tensor: %s" % Tensor(np.asarray(v)))
    lines.append("")
    what = "NaN" if np.isnan(af).any() else "Inf"
    if np.isnan(af).any() and np.isinf(af).any():
        what = "Inf and NaN"
    return "\n".join(lines) + "\n : Tensor had %s values" % what


def _numerics_wrapper(op_name, kernel):
    def checked(xp, *arrays, **attrs):
        out = kernel(xp, *arrays, **attrs)
        outs = out if isinstance(out, tuple) else (out,)
        for slot, o in enumerate(outs):
            if _is_float(o) and not np.isfinite(o).all():
                raise InvalidArgumentError(None, None, _numerics_message(op_name, slot, len(outs), o, arrays))
        return out
    return checked


@tf_export("debugging.enable_check_numerics")
def enable_check_numerics(stack_height_limit=30, path_length_limit=50) -> None:
    """Makes every op raise InvalidArgumentError when a float output has NaN or Inf
    (tf.debugging.enable_check_numerics).

    Each op's kernel is wrapped with a check of its floating-point outputs, so eager ops, and
    tf.functions traced after this call, are checked; the message names the op and output
    ("!!! Detected Infinity or NaN in output 0 of eagerly-executing op "Log" ...") and ends
    with ": Tensor had NaN values" like TF's. Ops that only move data (Reshape, Concat, ...)
    are skipped, as in TF. `stack_height_limit` and `path_length_limit` are accepted for
    compatibility (no stack is printed). Idempotent; undone by disable_check_numerics.
    """
    if _wrapped:
        return
    for op in list(_registry.REGISTRY.values()):
        if op.kernel is None or op.name in _SAFE_OPS or op.name.startswith("Assert"):
            continue
        wrapper = _numerics_wrapper(op.name, op.kernel)
        _wrapped[op] = (op.kernel, wrapper)
        op.kernel = wrapper


@tf_export("debugging.disable_check_numerics")
def disable_check_numerics() -> None:
    """Undoes enable_check_numerics (tf.debugging.disable_check_numerics); a no-op when not enabled."""
    for op, (kernel, wrapper) in list(_wrapped.items()):
        if op.kernel is wrapper:
            op.kernel = kernel
    _wrapped.clear()
