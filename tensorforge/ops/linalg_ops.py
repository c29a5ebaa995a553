"""Linear algebra ops: matmul, einsum, tensordot, decompositions, solvers, diagonals, norms."""
from __future__ import annotations

import collections
import functools
import string

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.context import ctx
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor
from . import array_ops, math_ops
from . import sample_inputs as S
from . import shapes as sh
from .registry import NON_DIFFERENTIABLE, REGISTRY, bind, register

_t = convert_to_tensor

MATMUL_TYPES = (dtypes.bfloat16, dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64,
                dtypes.uint8, dtypes.uint16, dtypes.uint32, dtypes.uint64, dtypes.complex64, dtypes.complex128)
_MATMUL_OK = frozenset(MATMUL_TYPES)
LAPACK_TYPES = (dtypes.float64, dtypes.float32, dtypes.float16, dtypes.complex64, dtypes.complex128)
EINSUM_TYPES = MATMUL_TYPES + (dtypes.int8, dtypes.int16)
_EINSUM_OK = frozenset(EINSUM_TYPES)

_LOW_PRECISION = (np.dtype(np.float16), dtypes.bfloat16._np)


def _lapack(fn):
    """Runs a NumPy LAPACK routine; half precision goes through float32 (LAPACK has none)."""
    @functools.wraps(fn)
    def run(xp, x, *args, **kw):
        if x.dtype in _LOW_PRECISION:
            out = fn(xp, x.astype(np.float32), *args, **kw)
            if isinstance(out, tuple):
                return tuple(o.astype(x.dtype) for o in out)
            return out.astype(x.dtype)
        return fn(xp, x, *args, **kw)
    return run


_NO_ATTRS: dict = {}


def _checked(op_name, inputs, attrs=_NO_ATTRS):
    """bind() after running shape/dtype inference eagerly too (NumPy would silently promote dtypes)."""
    if ctx.graph is None:
        REGISTRY[op_name].infer(inputs, attrs)
    return bind(op_name, inputs, attrs)


def _ct(x):
    """Conjugate transpose of the last two axes of a NumPy array."""
    x = x.swapaxes(-1, -2)
    return x.conj() if x.dtype.kind == "c" else x


# ---------------------------------------------------------------- helpers written with ops
def _conj(x):
    return math_ops.conj(x) if x.dtype.is_complex else x


def _swap_perm(rank):
    return list(range(rank - 2)) + [rank - 1, rank - 2]


def _append_ones(x, n):
    """x with `n` trailing size-1 dimensions."""
    s = x.shape.as_list()
    if None not in s:
        return array_ops.reshape(x, s + [1] * n)
    for _ in range(n):
        x = array_ops.expand_dims(x, -1)
    return x


def _unbroadcast_batch(g, x):
    """Sums the gradient `g` of a batched matrix op down to the batch shape of input `x`."""
    gs, xs = g.shape._dims, x.shape._dims
    if gs == xs and None not in xs:
        return g
    if xs is None or gs is None:
        raise ValueError("The gradient of a batched matrix op needs inputs of known rank, got %s" % x)
    # The matrix dims of g are x's at run time: only the batch dims may have been broadcast.
    target = list(xs[:-2]) + [a if a is not None else b for a, b in zip(xs[-2:], gs[-2:])]
    return math_ops.unbroadcast(g, target, x)


# ---------------------------------------------------------------- MatMul
def _matmul_infer(specs, attrs):
    a, b = sh.dims(specs[0]), sh.dims(specs[1])
    api = "tf.matmul"
    sh.check_dtype(api, "MatMul", specs[0], MATMUL_TYPES, "a")
    d = sh.same_dtype(api, "MatMul", specs, ("a", "b"))
    if a is None or b is None:
        return [((None, None), d)]
    if len(a) != 2 or len(b) != 2:
        if len(a) != len(b):
            raise sh.error(api, "MatMul", "In[0] and In[1] has different ndims: %s vs. %s (arguments a and b)"
                           % (sh.fmt(a), sh.fmt(b)))
        raise sh.error(api, "MatMul", "In[0] is not a matrix. Instead it has shape %s (argument a)" % sh.fmt(a))
    ta, tb = attrs["transpose_a"], attrs["transpose_b"]
    ka = a[0] if ta else a[1]
    kb = b[1] if tb else b[0]
    if ka is not None and kb is not None and ka != kb:
        raise sh.error(api, "MatMul", "Matrix size-incompatible: In[0]: %s, In[1]: %s (arguments a and b)"
                       % (sh.fmt(a), sh.fmt(b)))
    return [((a[1] if ta else a[0], b[0] if tb else b[1]), d)]


def _matmul_kernel(xp, a, b, transpose_a, transpose_b):
    if transpose_a:
        a = a.T
    if transpose_b:
        b = b.T
    out = a @ b
    if out.dtype is not a.dtype and out.dtype != a.dtype:  # ml_dtypes bfloat16 products come back as float32
        out = out.astype(a.dtype)
    return out


def _matmul_grad(op, dy):
    a, b = op.inputs
    ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
    if a.dtype.is_complex:
        a, b = math_ops.conj(a), math_ops.conj(b)
    skip = op.skip_input_indices
    if not ta and not tb:
        ga, gb = (lambda: _mm(dy, b, False, True)), (lambda: _mm(a, dy, True, False))
    elif not ta and tb:
        ga, gb = (lambda: _mm(dy, b, False, False)), (lambda: _mm(dy, a, True, False))
    elif ta and not tb:
        ga, gb = (lambda: _mm(b, dy, False, True)), (lambda: _mm(a, dy, False, False))
    else:
        ga, gb = (lambda: _mm(b, dy, True, True)), (lambda: _mm(dy, a, True, True))
    return [None if 0 in skip else ga(), None if 1 in skip else gb()]


_MM_ATTRS = {(ta, tb): {"transpose_a": ta, "transpose_b": tb} for ta in (False, True) for tb in (False, True)}
_MM_PLAIN = _MM_ATTRS[False, False]


def _mm(a, b, ta=False, tb=False):
    return bind("MatMul", (a, b), _MM_ATTRS[ta, tb])


register("MatMul", kernel=_matmul_kernel, infer=_matmul_infer, grad=_matmul_grad, api="tf.matmul", args=("a", "b"),
         samples=lambda: [([S.normal(3, 4), S.normal(4, 2)], {"transpose_a": False, "transpose_b": False}),
                          ([S.normal(4, 3), S.normal(2, 4)], {"transpose_a": True, "transpose_b": True}),
                          ([S.normal(3, 4), S.normal(2, 4)], {"transpose_a": False, "transpose_b": True}),
                          ([S.normal(4, 3), S.normal(4, 2)], {"transpose_a": True, "transpose_b": False}),
                          ([S.ints(-3, 3, 2, 3), S.ints(-3, 3, 3, 2)], {"transpose_a": False, "transpose_b": False})])


# ---------------------------------------------------------------- BatchMatMulV2
def _batch_matmul_infer(specs, attrs):
    a, b = sh.dims(specs[0]), sh.dims(specs[1])
    api = "tf.matmul"
    sh.check_dtype(api, "BatchMatMulV2", specs[0], MATMUL_TYPES, "a")
    d = sh.same_dtype(api, "BatchMatMulV2", specs, ("a", "b"))
    if a is None or b is None:
        return [(None, d)]
    for i, s in enumerate((a, b)):
        if len(s) < 2:
            raise sh.error(api, "BatchMatMulV2", "In[%d] ndims must be >= 2: %d (arguments a and b shapes %s and %s)"
                           % (i, len(s), sh.fmt(a), sh.fmt(b)))
    try:
        batch = sh.broadcast_shapes(a[:-2], b[:-2])
    except InvalidArgumentError:
        raise sh.error(api, "BatchMatMulV2", "In[0] and In[1] must have compatible batch dimensions: %s vs. %s "
                       "(arguments a and b)" % (sh.fmt(a), sh.fmt(b))) from None
    ax, ay = attrs["adj_x"], attrs["adj_y"]
    ka = a[-2] if ax else a[-1]
    kb = b[-1] if ay else b[-2]
    if ka is not None and kb is not None and ka != kb:
        raise sh.error(api, "BatchMatMulV2", "Matrix size-incompatible: In[0]: %s, In[1]: %s (arguments a and b)"
                       % (sh.fmt(a), sh.fmt(b)))
    return [(batch + (a[-1] if ax else a[-2], b[-2] if ay else b[-1]), d)]


def _batch_matmul_kernel(xp, x, y, adj_x, adj_y):
    if adj_x:
        x = _ct(x)
    if adj_y:
        y = _ct(y)
    out = xp.matmul(x, y)
    if out.dtype != x.dtype:
        out = out.astype(x.dtype)
    return out


def _bmm(x, y, adj_x=False, adj_y=False):
    return bind("BatchMatMulV2", (x, y), _BMM_ATTRS[adj_x, adj_y])


_BMM_ATTRS = {(ax, ay): {"adj_x": ax, "adj_y": ay} for ax in (False, True) for ay in (False, True)}


def _batch_matmul_grad(op, dy):
    x, y = op.inputs
    ax, ay = op.attrs["adj_x"], op.attrs["adj_y"]
    if not ax and not ay:
        gx, gy = (lambda: _bmm(dy, y, False, True)), (lambda: _bmm(x, dy, True, False))
    elif not ax and ay:
        gx, gy = (lambda: _bmm(dy, y, False, False)), (lambda: _bmm(dy, x, True, False))
    elif ax and not ay:
        gx, gy = (lambda: _bmm(y, dy, False, True)), (lambda: _bmm(x, dy, False, False))
    else:
        gx, gy = (lambda: _bmm(y, dy, True, True)), (lambda: _bmm(dy, x, True, True))
    skip = op.skip_input_indices
    return [None if 0 in skip else _unbroadcast_batch(gx(), x), None if 1 in skip else _unbroadcast_batch(gy(), y)]


register("BatchMatMulV2", kernel=_batch_matmul_kernel, infer=_batch_matmul_infer, grad=_batch_matmul_grad,
         api="tf.matmul", args=("a", "b"),
         samples=lambda: [([S.normal(2, 3, 4), S.normal(2, 4, 2)], {"adj_x": False, "adj_y": False}),
                          ([S.normal(2, 1, 4, 3), S.normal(3, 2, 4)], {"adj_x": True, "adj_y": True}),
                          ([S.normal(3, 4), S.normal(2, 2, 4)], {"adj_x": False, "adj_y": True}),
                          ([S.normal(2, 4, 3), S.normal(4, 2)], {"adj_x": True, "adj_y": False})])


@tf_export("linalg.matmul", "matmul")
def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False, a_is_sparse=False,
           b_is_sparse=False, output_type=None, grad_a=False, grad_b=False, name=None) -> Tensor:
    """Multiplies matrix `a` by matrix `b`, producing `a` * `b` (tf.linalg.matmul).

    Inputs of rank 2 use the MatMul op; inputs of higher rank are batches of matrices
    (BatchMatMulV2), whose batch dimensions broadcast.

    Args:
      a: a tensor of rank >= 2.
      b: a tensor of the same dtype and rank >= 2.
      transpose_a, transpose_b: transpose the matrix before multiplying.
      adjoint_a, adjoint_b: conjugate and transpose the matrix before multiplying.
      a_is_sparse, b_is_sparse: hints, ignored.
      output_type: the output dtype; inputs are cast to it when it differs.
      grad_a, grad_b: hints, ignored.
      name: unused in eager mode.

    Returns:
      A tensor of the same dtype as `a` and `b` (or `output_type`).

    Raises:
      InvalidArgumentError: the inner dimensions or batch dimensions do not match, or the
        dtypes differ.
    """
    if type(a) is Tensor and type(b) is Tensor and a._dtype is b._dtype and a._dtype in _MATMUL_OK \
            and not (adjoint_a or adjoint_b or output_type):
        # The eager fast paths: NumPy's own errors (re-explained by inference) cover bad shapes.
        na, nb = a._value.ndim, b._value.ndim
        if na == 2 and nb == 2:
            if not (transpose_a or transpose_b):
                return bind("MatMul", (a, b), _MM_PLAIN)
            attrs = _MM_ATTRS.get((transpose_a, transpose_b))
            if attrs is not None:
                return bind("MatMul", (a, b), attrs)
        elif na >= 2 and nb >= 2 and not (a._dtype.is_complex and (transpose_a or transpose_b)):
            attrs = _BMM_ATTRS.get((transpose_a, transpose_b))
            if attrs is not None:
                return bind("BatchMatMulV2", (a, b), attrs)
    return _matmul(a, b, transpose_a, transpose_b, adjoint_a, adjoint_b, output_type)


def _matmul(a, b, transpose_a, transpose_b, adjoint_a, adjoint_b, output_type):
    if transpose_a and adjoint_a:
        raise ValueError("Only one of transpose_a and adjoint_a can be True.")
    if transpose_b and adjoint_b:
        raise ValueError("Only one of transpose_b and adjoint_b can be True.")
    a = _t(a)
    if not math_ops._is_tensorish(b):
        b = _t(b, dtype_hint=a.dtype)
    else:
        b = _t(b)
    if output_type is not None:
        output_type = dtypes.as_dtype(output_type)
        if a.dtype is not output_type:
            a = math_ops.cast(a, output_type)
        if b.dtype is not output_type:
            b = math_ops.cast(b, output_type)
    ra, rb = a.shape.rank, b.shape.rank
    if ra is not None and rb is not None and ra <= 2 and rb <= 2:
        if a.dtype.is_complex:
            if adjoint_a:
                a = math_ops.conj(a)
            if adjoint_b:
                b = math_ops.conj(b)
        return _checked("MatMul", (a, b), _MM_ATTRS[bool(transpose_a or adjoint_a), bool(transpose_b or adjoint_b)])
    if a.dtype.is_complex:
        if transpose_a:
            a = math_ops.conj(a)
        if transpose_b:
            b = math_ops.conj(b)
    return _checked("BatchMatMulV2", (a, b), _BMM_ATTRS[bool(transpose_a or adjoint_a), bool(transpose_b or adjoint_b)])


@tf_export("linalg.matvec")
def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False, name=None) -> Tensor:
    """Multiplies matrix `a` by vector `b`, producing `a` * `b` (tf.linalg.matvec)."""
    a = _t(a)
    b = _t(b, dtype_hint=a.dtype) if not math_ops._is_tensorish(b) else _t(b)
    out = matmul(a, array_ops.expand_dims(b, -1), transpose_a=transpose_a, adjoint_a=adjoint_a)
    return array_ops.squeeze(out, -1)


# ---------------------------------------------------------------- Einsum
_EINSUM_LETTERS = string.ascii_letters


@functools.lru_cache(maxsize=512)
def _parse_einsum(equation: str, ranks: tuple):
    """Parses `equation` for inputs of `ranks`; '...' becomes fresh letters.

    Returns (input label lists, output label list, ellipsis labels), or None when an
    ellipsis meets an input of unknown rank.
    """
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->", 1)
    else:
        lhs, rhs = eq, None
    subs = lhs.split(",")
    if len(subs) != len(ranks):
        raise ValueError("Expecting %d inputs for equation %r but got %d" % (len(subs), equation, len(ranks)))
    for s in subs + ([rhs] if rhs is not None else []):
        rest = s.replace("...", "")
        if "." in rest or not all(c in _EINSUM_LETTERS for c in rest):
            raise ValueError("Invalid einsum equation %r: subscripts must be letters or '...'" % equation)
    used = set(c for c in eq if c in _EINSUM_LETTERS)
    free = [c for c in _EINSUM_LETTERS if c not in used]
    ell_ranks = []
    for s, r in zip(subs, ranks):
        if "..." in s:
            if r is None:
                return None
            n = r - len(s.replace("...", ""))
            if n < 0:
                raise ValueError("Input of rank %d does not match the subscripts %r of equation %r" % (r, s, equation))
            ell_ranks.append(n)
        else:
            if r is not None and r != len(s):
                raise ValueError("Input of rank %d does not match the subscripts %r of equation %r" % (r, s, equation))
            ell_ranks.append(0)
    ell = free[:max(ell_ranks, default=0)]
    ins = []
    for s, n in zip(subs, ell_ranks):
        if "..." in s:
            before, after = s.split("...")
            ins.append(list(before) + ell[len(ell) - n:] + list(after))
        else:
            ins.append(list(s))
    if rhs is None:
        counts = {}
        for labels in ins:
            for c in labels:
                if c not in ell:
                    counts[c] = counts.get(c, 0) + 1
        out = list(ell) + sorted(c for c, k in counts.items() if k == 1)
    else:
        if "..." in rhs:
            before, after = rhs.split("...")
            out = list(before) + ell + list(after)
        else:
            out = list(rhs)
        present = set(c for labels in ins for c in labels)
        for c in out:
            if c not in present:
                raise ValueError("einstein sum subscripts string included output subscript '%s' which never "
                                 "appeared in an input" % c)
    return ins, out, ell


def _einsum_sizes(api, ins, shapes, ell):
    """Label -> size (None unknown); checks that the inputs agree."""
    size = {}
    for labels, s in zip(ins, shapes):
        for axis, (c, d) in enumerate(zip(labels, s)):
            prev = size.get(c)
            if c in ell:
                if prev is None or prev == 1:
                    size[c] = d if prev is None or d is not None else prev
                elif d not in (None, 1, prev):
                    raise sh.error(api, "Einsum", "Incompatible broadcast shapes %s in ellipsis dimensions"
                                   % ", ".join(sh.fmt(x) for x in shapes))
            elif c in size:
                if prev is not None and d is not None and prev != d:
                    raise sh.error(api, "Einsum", "Expected dimension %d at axis %d of the input shaped %s but got "
                                   "dimension %d" % (prev, axis, sh.fmt(s), d))
                if prev is None:
                    size[c] = d
            else:
                size[c] = d
    return size


def _einsum_infer(specs, attrs):
    api = "tf.einsum"
    sh.check_dtype(api, "Einsum", specs[0], EINSUM_TYPES, "inputs")
    d = sh.same_dtype(api, "Einsum", specs, ["inputs[%d]" % i for i in range(len(specs))])
    shapes = [sh.dims(s) for s in specs]
    try:
        parsed = _parse_einsum(attrs["equation"], tuple(None if s is None else len(s) for s in shapes))
    except ValueError as e:
        raise sh.error(api, "Einsum", str(e)) from None
    if parsed is None or any(s is None for s in shapes):
        return [(None, d)]
    ins, out, ell = parsed
    size = _einsum_sizes(api, ins, shapes, ell)
    return [(tuple(size[c] for c in out), d)]


def _einsum_kernel(xp, *xs, equation):
    low = xs[0].dtype in _LOW_PRECISION
    arrays = [x.astype(np.float32) for x in xs] if low else xs
    plan = _einsum_matmul_plan(equation, arrays[0].shape, arrays[1].shape) if len(xs) == 2 else None
    if plan is not None:
        out = _run_matmul_plan(xp, plan, *arrays)
    else:
        out = xp.einsum(equation, *arrays, optimize=len(xs) > 2)
    if out.dtype != xs[0].dtype:
        out = out.astype(xs[0].dtype)
    return out


@functools.lru_cache(maxsize=512)
def _einsum_matmul_plan(equation, sa, sb):
    """Two-operand einsum as one batched matmul (as TF computes it), or None when it does not fit.

    Labels are sorted into batch (both inputs and the output), contracted (both inputs only),
    and free (one input and the output); labels in one input only are summed first.
    """
    try:
        parsed = _parse_einsum(equation, (len(sa), len(sb)))
    except ValueError:
        return None
    if parsed is None:
        return None
    (la, lb), out, ell = parsed
    size = {}
    for labels, shape in ((la, sa), (lb, sb)):
        for c, d in zip(labels, shape):
            if size.setdefault(c, d) != d:
                if c not in ell:  # NumPy would broadcast a size-1 label; TF refuses
                    raise ValueError("einsum: dimension mismatch for label %r" % c)
                return None  # broadcast ellipsis dimensions: leave it to np.einsum
    if len(set(la)) != len(la) or len(set(lb)) != len(lb) or len(set(out)) != len(out):
        return None
    sum_a = tuple(i for i, c in enumerate(la) if c not in lb and c not in out)
    sum_b = tuple(i for i, c in enumerate(lb) if c not in la and c not in out)
    la2 = [c for i, c in enumerate(la) if i not in sum_a]
    lb2 = [c for i, c in enumerate(lb) if i not in sum_b]
    batch = [c for c in out if c in la2 and c in lb2]
    contract = [c for c in la2 if c in lb2 and c not in out]
    free_a = [c for c in la2 if c not in lb2]
    free_b = [c for c in lb2 if c not in la2]
    if not contract and not batch and not (free_a and free_b):
        return None  # nothing to multiply: np.einsum is as good
    perm_a = tuple(la2.index(c) for c in batch + free_a + contract)
    perm_b = tuple(lb2.index(c) for c in batch + contract + free_b)

    def prod(labels):
        return int(np.prod([size[c] for c in labels], dtype=np.int64))

    shape_a = (prod(batch), prod(free_a), prod(contract))
    shape_b = (prod(batch), prod(contract), prod(free_b))
    mid = batch + free_a + free_b
    mid_shape = tuple(size[c] for c in mid)
    out_perm = tuple(mid.index(c) for c in out)
    return sum_a, sum_b, perm_a, perm_b, shape_a, shape_b, mid_shape, out_perm


def _run_matmul_plan(xp, plan, a, b):
    sum_a, sum_b, perm_a, perm_b, shape_a, shape_b, mid_shape, out_perm = plan
    if sum_a:
        a = a.sum(axis=sum_a, dtype=a.dtype)
    if sum_b:
        b = b.sum(axis=sum_b, dtype=b.dtype)
    out = xp.matmul(a.transpose(perm_a).reshape(shape_a), b.transpose(perm_b).reshape(shape_b))
    out = out.reshape(mid_shape)
    if out_perm != tuple(range(len(out_perm))):
        out = out.transpose(out_perm)
    return out


def _fresh_letters(taken, n):
    return [c for c in _EINSUM_LETTERS if c not in taken][:n]


def _einsum_grad(op, dy):
    xs = op.inputs
    shapes = [tuple(x.shape.as_list()) for x in xs]
    ins, out, ell = _parse_einsum(op.attrs["equation"], tuple(len(s) for s in shapes))
    size = {}
    for labels, s in zip(ins, shapes):
        for c, d in zip(labels, s):
            if size.get(c) in (None, 1):
                size[c] = d
    # The sizes to build tensors with: ints, or scalar tensors read at run time for unknown dims.
    run = dict(size)
    if None in size.values():
        for x, labels in zip(xs, ins):
            for c, d in zip(labels, array_ops.dynamic_shape(x, "tf.einsum's gradient")):
                if run[c] is None:
                    run[c] = d
                elif type(run[c]) is not int and type(d) is not int:
                    run[c] = math_ops.maximum(run[c], d)
    # Size-1 dimensions that broadcast against a larger size act as if the label were absent.
    squeezed = [[c for c, d in zip(labels, s) if d == 1 and size[c] != 1] for labels, s in zip(ins, shapes)]
    eff = []
    for x, labels, s, sq in zip(xs, ins, shapes, squeezed):
        if sq:
            keep = [(c, d) for c, d in zip(labels, s) if c not in sq]
            x = array_ops.reshape(x, [run[c] if d is None else d for c, d in keep])
            labels = [c for c, _ in keep]
        eff.append((_conj(x), labels))
    taken = set(c for labels in ins for c in labels)
    grads = []
    for i, x in enumerate(xs):
        if not (x.dtype.is_floating or x.dtype.is_complex):
            grads.append(None)
            continue
        labels = ins[i]
        dedup = list(dict.fromkeys(labels))
        operands, subs = [dy], [out]
        for j, (xe, le) in enumerate(eff):
            if j != i:
                operands.append(xe)
                subs.append(le)
        present = set(c for s in subs for c in s)
        for c in dedup:
            if c not in present and c not in squeezed[i]:  # summed in x alone: the gradient broadcasts
                operands.append(array_ops.ones([run[c]], x.dtype))
                subs.append([c])
        target = [c for c in dedup if c not in squeezed[i]]
        eq = ",".join("".join(s) for s in subs) + "->" + "".join(target)
        g = einsum(eq, *operands) if eq.split("->")[0] != eq.split("->")[1] else dy
        if squeezed[i]:
            g = array_ops.reshape(g, [1 if c in squeezed[i] else run[c] for c in dedup])
        if len(dedup) != len(labels):  # repeated labels: the gradient lives on the diagonal
            fresh = iter(_fresh_letters(taken | set(dedup), len(labels) - len(dedup)))
            seen, final, eyes, eye_subs = set(), [], [], []
            for c in labels:
                if c in seen:
                    z = next(fresh)
                    final.append(z)
                    eyes.append(eye(size[c], dtype=x.dtype) if size[c] is not None else
                                diag(array_ops.ones([run[c]], x.dtype)))
                    eye_subs.append(c + z)
                else:
                    seen.add(c)
                    final.append(c)
            g = einsum("".join(dedup) + "," + ",".join(eye_subs) + "->" + "".join(final), g, *eyes)
        grads.append(g)
    return grads


register("Einsum", kernel=_einsum_kernel, infer=_einsum_infer, grad=_einsum_grad, api="tf.einsum",
         args=("inputs",),
         samples=lambda: [([S.normal(3, 4), S.normal(4, 2)], {"equation": "ij,jk->ik"}),
                          ([S.normal(3, 4)], {"equation": "ij->j"}),
                          ([S.normal(3, 4), S.normal(3, 4)], {"equation": "ij,ij->i"}),
                          ([S.normal(3, 3)], {"equation": "ii->i"}),
                          ([S.normal(2, 3), S.normal(3)], {"equation": "ij,j"}),
                          ([S.normal(1, 2, 3), S.normal(4, 3, 2)], {"equation": "...ij,...jk->...ik"}),
                          ([S.normal(2, 1, 3), S.normal(3)], {"equation": "i...j,j->i..."}),
                          ([S.normal(2, 3), S.normal(3, 4), S.normal(4, 2)], {"equation": "ij,jk,kl->il"}),
                          ([S.normal(2, 3), S.normal(4)], {"equation": "ij,k->ijk"})])


@tf_export("linalg.einsum", "einsum")
def einsum(equation, *inputs, **kwargs) -> Tensor:
    """A generalized contraction between tensors of arbitrary dimension (tf.einsum).

    `equation` names each input's axes with letters ('ij,jk->ik'); letters missing from the
    output are summed. '...' stands for broadcast batch dimensions; without '->' the output
    holds, in alphabetical order, the letters that occur once.

    Args:
      equation: the subscripts, e.g. 'bij,bjk->bik'.
      *inputs: the tensors, one per comma-separated subscript.
      **kwargs: `name` (unused in eager mode); `optimize` (ignored).

    Returns:
      The contracted tensor.
    """
    unknown = set(kwargs) - {"name", "optimize"}
    if unknown:
        raise TypeError("Invalid keyword arguments for this function: %s. Expected: name, optimize"
                        % ", ".join(sorted(unknown)))
    if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)) and equation.count(",") == len(inputs[0]) - 1 \
            and len(inputs[0]) > 1:
        inputs = tuple(inputs[0])
    xs = [_t(x) for x in inputs]
    attrs = {"equation": str(equation).replace(" ", "")}
    d = xs[0].dtype if xs else None
    if d in _EINSUM_OK and all(type(x) is Tensor and x._dtype is d for x in xs):
        return bind("Einsum", xs, attrs)  # eager: the kernel's errors are re-explained by inference
    return _checked("Einsum", xs, attrs)


# ---------------------------------------------------------------- tensordot (composite)
def _tensordot_axes(a, b, axes):
    ra = a.shape.rank
    if isinstance(axes, Tensor):
        axes = np.asarray(axes._value).tolist()
    if isinstance(axes, (int, np.integer)):
        axes = int(axes)
        if axes < 0:
            raise ValueError("`axes` must be at least 0. Received: %d." % axes)
        if axes > ra:
            raise ValueError("`axes` must not be larger than the number of dimensions of tensor %s.  Received %d, "
                             "vs tensor dimensions %d." % (a, axes, ra))
        return list(range(ra - axes, ra)), list(range(axes))
    if isinstance(axes, (list, tuple, np.ndarray)):
        axes = list(axes)
        if len(axes) != 2:
            raise ValueError("`axes` must be an integer or have length 2. Received %s." % (axes,))
        a_axes, b_axes = axes
        if isinstance(a_axes, (int, np.integer)):
            a_axes = [a_axes]
        if isinstance(b_axes, (int, np.integer)):
            b_axes = [b_axes]
        a_axes, b_axes = [int(v) for v in np.ravel(a_axes)], [int(v) for v in np.ravel(b_axes)]
        if len(a_axes) != len(b_axes):
            raise ValueError("Different number of contraction axes `a` and `b`, %d != %d." % (len(a_axes), len(b_axes)))
        return a_axes, b_axes
    raise TypeError("`axes` must be an integer or a pair of lists of axes, got %r" % (axes,))


def _tensordot_reshape(x, axes, flipped):
    """x transposed and reshaped to a matrix; also its free dims (static, and ints/tensors for reshapes)."""
    shape = x.shape.as_list()
    axes = [i % len(shape) if len(shape) else i for i in axes]
    free = [i for i in range(len(shape)) if i not in axes]
    free_dims = [shape[i] for i in free]
    prod_free = int(np.prod(free_dims)) if None not in free_dims else -1
    axes_dims = [shape[i] for i in axes]
    prod_axes = int(np.prod(axes_dims)) if None not in axes_dims else -1
    run_free = free_dims
    if None in free_dims:
        ds = array_ops.dynamic_shape(x, "tf.tensordot")  # run-time shapes
        run_free = [ds[i] for i in free]
        if prod_axes == -1:
            prod_axes = array_ops._dyn_prod([ds[i] for i in axes])
    perm = axes + free if flipped else free + axes
    if perm != list(range(len(shape))):
        x = array_ops.transpose(x, perm)
    new_shape = [prod_axes, prod_free] if flipped else [prod_free, prod_axes]
    if x.shape.as_list() != new_shape:
        x = array_ops.reshape(x, new_shape)
    return x, free_dims, run_free


@tf_export("linalg.tensordot", "tensordot")
def tensordot(a, b, axes, name=None) -> Tensor:
    """Tensor contraction of `a` and `b` along the given axes (tf.tensordot).

    Args:
      a: a float or int tensor.
      b: a tensor of the same dtype.
      axes: an int N (the last N axes of `a` with the first N of `b`), or a pair of axis
        lists `[a_axes, b_axes]` of equal length.
      name: unused in eager mode.

    Returns:
      A tensor of shape a's free dims + b's free dims.
    """
    a = _t(a)
    b = _t(b, dtype_hint=a.dtype) if not math_ops._is_tensorish(b) else _t(b)
    a_axes, b_axes = _tensordot_axes(a, b, axes)
    ar, a_free, a_run = _tensordot_reshape(a, a_axes, False)
    br, b_free, b_run = _tensordot_reshape(b, b_axes, True)
    out = matmul(ar, br)
    final = a_free + b_free
    if out.shape.as_list() != final:
        if final.count(None) > 1:
            out = array_ops.reshape(out, a_run + b_run)
            out.set_shape(final)
        else:
            out = array_ops.reshape(out, [-1 if d is None else d for d in final])
    return out


# ---------------------------------------------------------------- square-matrix ops (shared checks)
def _square_infer(api, op_name, name="input", allowed=LAPACK_TYPES):
    def check(spec):
        sh.check_dtype(api, op_name, spec, allowed, name)
        s = sh.dims(spec)
        if s is None:
            return None
        if len(s) < 2:
            raise sh.error(api, op_name, "Input tensor 0 must have rank >= 2, got shape %s (argument %s)"
                           % (sh.fmt(s), name))
        if s[-1] is not None and s[-2] is not None and s[-1] != s[-2]:
            raise sh.error(api, op_name, "Input matrix must be square. (argument %s shape %s)" % (name, sh.fmt(s)))
        return s
    return check


# ---------------------------------------------------------------- MatrixInverse
_inv_check = _square_infer("tf.linalg.inv", "MatrixInverse")


def _not_invertible(api, op_name, what="Input"):
    return InvalidArgumentError(None, None, "%s: %s is not invertible. [Op:%s]" % (api, what, op_name))


@_lapack
def _inverse_kernel(xp, x, adjoint):
    try:
        out = xp.linalg.inv(x)
    except np.linalg.LinAlgError:
        raise _not_invertible("tf.linalg.inv", "MatrixInverse") from None
    return _ct(out) if adjoint else out


def _inverse_grad(op, dy):
    ainv = op.outputs[0]
    adj = op.attrs["adjoint"]
    return [math_ops.negative(_bmm(ainv, _bmm(dy, ainv, adj, not adj), not adj, False))]


register("MatrixInverse", kernel=_inverse_kernel,
         infer=lambda s, a: [(_inv_check(s[0]), s[0].dtype)], grad=_inverse_grad, api="tf.linalg.inv",
         args=("input",),
         samples=lambda: [([S.normal(3, 3) + 3 * np.eye(3)], {"adjoint": False}),
                          ([S.normal(2, 3, 3) + 3 * np.eye(3)], {"adjoint": True})])


@tf_export("linalg.inv")
def inv(input, adjoint=False, name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """The inverse of each square matrix in `input` (tf.linalg.inv).

    Args:
      input: a tensor of shape [..., M, M].
      adjoint: return the inverse of the conjugate transpose instead.
      name: unused in eager mode.

    Raises:
      InvalidArgumentError: a matrix is singular ("Input is not invertible.").
    """
    return _checked("MatrixInverse", [_t(input)], {"adjoint": bool(adjoint)})


# ---------------------------------------------------------------- MatrixDeterminant / LogMatrixDeterminant
_det_check = _square_infer("tf.linalg.det", "MatrixDeterminant")


@_lapack
def _det_kernel(xp, x):
    return xp.asarray(xp.linalg.det(x))


def _det_grad(op, dy):
    a = op.inputs[0]
    det_ = op.outputs[0]
    return [math_ops.multiply(_append_ones(math_ops.multiply(dy, det_), 2), inv(a, adjoint=True))]


register("MatrixDeterminant", kernel=_det_kernel,
         infer=lambda s, a: [(None if _det_check(s[0]) is None else _det_check(s[0])[:-2], s[0].dtype)],
         grad=_det_grad, api="tf.linalg.det", args=("input",),
         samples=lambda: [([S.normal(3, 3) + 2 * np.eye(3)], {}), ([S.normal(2, 2, 2) + 2 * np.eye(2)], {})])


@tf_export("linalg.det")
def det(input, name=None) -> Tensor:  # noqa: A002
    """The determinant of each square matrix in `input` (tf.linalg.det)."""
    return _checked("MatrixDeterminant", [_t(input)])


_slogdet_check = _square_infer("tf.linalg.slogdet", "LogMatrixDeterminant")


@_lapack
def _slogdet_kernel(xp, x):
    sign, logabs = xp.linalg.slogdet(x)
    return xp.asarray(sign, dtype=x.dtype), xp.asarray(logabs, dtype=x.dtype.type(0).real.dtype)


def _slogdet_infer(specs, attrs):
    s = _slogdet_check(specs[0])
    d = specs[0].dtype
    batch = None if s is None else s[:-2]
    return [(batch, d), (batch, d.real_dtype)]


def _slogdet_grad(op, dsign, dlog):
    a = op.inputs[0]
    if dlog is None:
        return [None]
    if a.dtype.is_complex:
        dlog = math_ops.cast(dlog, a.dtype)
    return [math_ops.multiply(_append_ones(dlog, 2), inv(a, adjoint=True))]


register("LogMatrixDeterminant", kernel=_slogdet_kernel, infer=_slogdet_infer, grad=_slogdet_grad,
         api="tf.linalg.slogdet", num_outputs=2, args=("input",),
         samples=lambda: [([S.normal(3, 3) + 2 * np.eye(3)], {}), ([S.normal(2, 2, 2) - 2 * np.eye(2)], {})])


@tf_export("linalg.slogdet")
def slogdet(input, name=None):  # noqa: A002
    """Sign and log of the absolute value of each determinant (tf.linalg.slogdet).

    Returns:
      A pair `(sign, log_abs_determinant)`, each of shape [...].
    """
    return _LogDet(*_checked("LogMatrixDeterminant", [_t(input)]))


_LogDet = collections.namedtuple("LogMatrixDeterminant", ["sign", "log_abs_determinant"])


@tf_export("linalg.logdet")
def logdet(matrix, name=None) -> Tensor:
    """Log of the determinant of Hermitian positive definite matrices (tf.linalg.logdet)."""
    chol = cholesky(matrix)
    d = diag_part(chol)
    if d.dtype.is_complex:
        d = math_ops.real(d)
    return math_ops.multiply(2.0, math_ops.reduce_sum(math_ops.log(d), axis=-1))


# ---------------------------------------------------------------- Cholesky
_chol_check = _square_infer("tf.linalg.cholesky", "Cholesky")


@_lapack
def _cholesky_kernel(xp, x):
    # The matrix is Hermitian by contract; symmetrising makes the (symmetric) gradient exact.
    h = (x + _ct(x)) * x.dtype.type(0.5) if x.ndim >= 2 and x.shape[-1] > 1 else x
    try:
        return xp.linalg.cholesky(h)
    except np.linalg.LinAlgError:
        pass
    # TF fills a failed factorisation with NaNs (per matrix) instead of raising.
    flat = h.reshape((-1,) + h.shape[-2:])
    out = xp.full_like(flat, np.nan)
    for i in range(flat.shape[0]):  # only reached for invalid (non-positive-definite) input
        try:
            out[i] = xp.linalg.cholesky(flat[i])
        except np.linalg.LinAlgError:
            pass
    return out.reshape(h.shape)


def _cholesky_grad(op, dy):
    l = op.outputs[0]
    n = l.shape[-1]
    if l.shape.is_fully_defined():
        ident = eye(n, batch_shape=l.shape[:-2], dtype=l.dtype)
    else:  # run-time shapes: the identity from l's own diagonal
        ident = diag(array_ops.ones_like(diag_part(l)))
    l_inv = triangular_solve(l, ident, lower=True)
    middle = _bmm(l, dy, True, False)
    middle = set_diag(middle, math_ops.multiply(diag_part(middle), 0.5))
    middle = band_part(middle, -1, 0)
    g = _bmm(_bmm(l_inv, middle, True, False), l_inv)
    g = math_ops.add(g, adjoint(g))
    return [math_ops.multiply(g, 0.5)]


def _spd(*shape):
    a = S.normal(*shape)
    return a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])


register("Cholesky", kernel=_cholesky_kernel, infer=lambda s, a: [(_chol_check(s[0]), s[0].dtype)],
         grad=_cholesky_grad, api="tf.linalg.cholesky", args=("input",),
         samples=lambda: [([_spd(3, 3)], {}), ([_spd(2, 2, 2)], {})])


@tf_export("linalg.cholesky")
def cholesky(input, name=None) -> Tensor:  # noqa: A002
    """The Cholesky factor L (lower triangular, A = L L^H) of each matrix (tf.linalg.cholesky).

    A matrix that is not positive definite gives NaNs, as in TensorFlow.
    """
    return _checked("Cholesky", [_t(input)])


@tf_export("linalg.cholesky_solve")
def cholesky_solve(chol, rhs, name=None) -> Tensor:
    """Solves A X = rhs given the Cholesky factor of A (tf.linalg.cholesky_solve)."""
    y = triangular_solve(chol, rhs, lower=True, adjoint=False)
    return triangular_solve(chol, y, lower=True, adjoint=True)


# ---------------------------------------------------------------- MatrixSolve / MatrixTriangularSolve
def _solve_infer(api, op_name, broadcast):
    def infer(specs, attrs):
        a, b = sh.dims(specs[0]), sh.dims(specs[1])
        sh.check_dtype(api, op_name, specs[0], LAPACK_TYPES, "matrix")
        d = sh.same_dtype(api, op_name, specs, ("matrix", "rhs"))
        if a is None or b is None:
            return [(None, d)]
        if len(a) < 2 or len(b) < 2:
            raise sh.error(api, op_name, "Input matrix and rhs must have rank >= 2: %s vs. %s (arguments matrix "
                           "and rhs)" % (sh.fmt(a), sh.fmt(b)))
        if a[-1] is not None and a[-2] is not None and a[-1] != a[-2]:
            raise sh.error(api, op_name, "Input matrix must be square. (argument matrix shape %s)" % sh.fmt(a))
        if a[-2] is not None and b[-2] is not None and a[-2] != b[-2]:
            raise sh.error(api, op_name, "Input matrix and rhs are incompatible: %s vs. %s (arguments matrix and rhs)"
                           % (sh.fmt(a), sh.fmt(b)))
        if broadcast:
            try:
                batch = sh.broadcast_shapes(a[:-2], b[:-2])
            except InvalidArgumentError:
                raise sh.error(api, op_name, "Incompatible batch shapes: %s vs. %s (arguments matrix and rhs)"
                               % (sh.fmt(a), sh.fmt(b))) from None
        else:
            if len(a) != len(b):
                raise sh.error(api, op_name, "All input tensors must have the same rank: %s vs. %s (arguments matrix "
                               "and rhs)" % (sh.fmt(a), sh.fmt(b)))
            if any(x is not None and y is not None and x != y for x, y in zip(a[:-2], b[:-2])):
                raise sh.error(api, op_name, "All input tensors must have the same outer dimensions: %s vs. %s "
                               "(arguments matrix and rhs)" % (sh.fmt(a), sh.fmt(b)))
            batch = tuple(x if x is not None else y for x, y in zip(a[:-2], b[:-2]))
        return [(batch + (a[-1], b[-1]), d)]
    return infer


def _solve_kernel(xp, a, b, adjoint):
    low = a.dtype in _LOW_PRECISION
    if low:
        a32, b32 = a.astype(np.float32), b.astype(np.float32)
    else:
        a32, b32 = a, b
    if adjoint:
        a32 = _ct(a32)
    try:
        out = xp.linalg.solve(a32, b32)
    except np.linalg.LinAlgError:
        raise _not_invertible("tf.linalg.solve", "MatrixSolve", "Input matrix") from None
    return out.astype(a.dtype) if low else out


def _solve_grad(op, dy):
    a = op.inputs[0]
    adj = op.attrs["adjoint"]
    c = op.outputs[0]
    gb = solve(a, dy, adjoint=not adj)
    ga = _bmm(c, gb, False, True) if adj else _bmm(gb, c, False, True)
    return [math_ops.negative(ga), gb]


register("MatrixSolve", kernel=_solve_kernel, infer=_solve_infer("tf.linalg.solve", "MatrixSolve", False),
         grad=_solve_grad, api="tf.linalg.solve", args=("matrix", "rhs"),
         samples=lambda: [([S.normal(3, 3) + 3 * np.eye(3), S.normal(3, 2)], {"adjoint": False}),
                          ([S.normal(2, 3, 3) + 3 * np.eye(3), S.normal(2, 3, 1)], {"adjoint": True})])


@tf_export("linalg.solve")
def solve(matrix, rhs, adjoint=False, name=None) -> Tensor:
    """Solves `matrix` X = `rhs` for X (tf.linalg.solve).

    Args:
      matrix: a tensor of shape [..., M, M].
      rhs: a tensor of shape [..., M, K].
      adjoint: solve with the conjugate transpose of `matrix`.
      name: unused in eager mode.
    """
    m = _t(matrix)
    r = _t(rhs, dtype_hint=m.dtype) if not math_ops._is_tensorish(rhs) else _t(rhs)
    return _checked("MatrixSolve", [m, r], {"adjoint": bool(adjoint)})


def _triangular_solve_kernel(xp, a, b, lower, adjoint):
    low = a.dtype in _LOW_PRECISION
    a_, b_ = (a.astype(np.float32), b.astype(np.float32)) if low else (a, b)
    n = a_.shape[-1]
    tri = xp.tril(a_) if lower else xp.triu(a_)
    if adjoint:
        tri = _ct(tri)
    batch = np.broadcast_shapes(tri.shape[:-2], b_.shape[:-2])
    tri = xp.broadcast_to(tri, batch + (n, n))
    b_ = xp.broadcast_to(b_, batch + b_.shape[-2:])
    try:
        out = xp.linalg.solve(tri, b_)
    except np.linalg.LinAlgError:
        # A zero on the diagonal: substitution gives inf/nan, as TF's kernel does.
        out = _substitute(xp, tri, b_, lower != adjoint)
    return out.astype(a.dtype) if low else out


def _substitute(xp, tri, b, lower):
    """Forward/back substitution over the rows (vectorised across the batch and columns)."""
    n = tri.shape[-1]
    x = xp.zeros(np.broadcast_shapes(tri.shape[:-2], b.shape[:-2]) + b.shape[-2:], dtype=np.result_type(tri, b))
    order = range(n) if lower else range(n - 1, -1, -1)
    for i in order:
        acc = b[..., i, :] - xp.einsum("...j,...jk->...k", tri[..., i, :], x)
        x[..., i, :] = acc / tri[..., i, i][..., None]
    return x


def _triangular_solve_grad(op, dy):
    a, b = op.inputs
    adj, lower = op.attrs["adjoint"], op.attrs["lower"]
    c = op.outputs[0]
    gb = triangular_solve(a, dy, lower=lower, adjoint=not adj)
    ga = _bmm(c, gb, False, True) if adj else _bmm(gb, c, False, True)
    ga = math_ops.negative(ga)
    ga = band_part(ga, -1, 0) if lower else band_part(ga, 0, -1)
    return [_unbroadcast_batch(ga, a), _unbroadcast_batch(gb, b)]


register("MatrixTriangularSolve", kernel=_triangular_solve_kernel,
         infer=_solve_infer("tf.linalg.triangular_solve", "MatrixTriangularSolve", True),
         grad=_triangular_solve_grad, api="tf.linalg.triangular_solve", args=("matrix", "rhs"),
         samples=lambda: [([S.normal(3, 3) + 3 * np.eye(3), S.normal(3, 2)], {"lower": True, "adjoint": False}),
                          ([S.normal(3, 3) + 3 * np.eye(3), S.normal(2, 3, 2)], {"lower": False, "adjoint": True}),
                          ([S.normal(2, 3, 3) + 3 * np.eye(3), S.normal(3, 1)], {"lower": True, "adjoint": True})])


@tf_export("linalg.triangular_solve")
def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None) -> Tensor:
    """Solves `matrix` X = `rhs` for a triangular `matrix` (tf.linalg.triangular_solve).

    Only the lower (`lower=True`) or upper triangle of `matrix` is read; batch dimensions
    broadcast.
    """
    m = _t(matrix)
    r = _t(rhs, dtype_hint=m.dtype) if not math_ops._is_tensorish(rhs) else _t(rhs)
    return _checked("MatrixTriangularSolve", [m, r], {"lower": bool(lower), "adjoint": bool(adjoint)})


@tf_export("linalg.lstsq")
def lstsq(matrix, rhs, l2_regularizer=0.0, fast=True, name=None) -> Tensor:
    """Least-squares solutions of `matrix` X = `rhs`, optionally L2-regularised (tf.linalg.lstsq).

    Solves the regularised normal equations with a Cholesky factorisation (TF's `fast` path;
    `fast=False` takes the same path here).
    """
    a = _t(matrix)
    b = _t(rhs, dtype_hint=a.dtype) if not math_ops._is_tensorish(rhs) else _t(rhs)
    m, n = a.shape[-2], a.shape[-1]
    batch = a.shape[:-2]
    l2 = float(l2_regularizer) if not isinstance(l2_regularizer, Tensor) else float(l2_regularizer._value)
    if m is None or n is None or m >= n:
        gram = _bmm(a, a, True, False)
        if l2:
            gram = math_ops.add(gram, math_ops.multiply(eye(n, batch_shape=batch, dtype=a.dtype), l2))
        return cholesky_solve(cholesky(gram), _bmm(a, b, True, False))
    gram = _bmm(a, a, False, True)
    if l2:
        gram = math_ops.add(gram, math_ops.multiply(eye(m, batch_shape=batch, dtype=a.dtype), l2))
    return _bmm(a, cholesky_solve(cholesky(gram), b), True, False)


# ---------------------------------------------------------------- MatrixBandPart
def _band_infer(specs, attrs):
    s = sh.dims(specs[0])
    if s is not None and len(s) < 2:
        raise sh.error("tf.linalg.band_part", "MatrixBandPart", "input must be at least 2-dim, received shape: %s"
                       % sh.fmt(s))
    return [(s, specs[0].dtype)]


@functools.lru_cache(maxsize=256)
def _band_mask(m, n, lower, upper):
    i = np.arange(m)[:, None]
    j = np.arange(n)[None, :]
    mask = np.ones((m, n), bool)
    if lower >= 0:
        mask &= (i - j) <= lower
    if upper >= 0:
        mask &= (j - i) <= upper
    return mask


def _band_kernel(xp, x, num_lower, num_upper):
    mask = _band_mask(x.shape[-2], x.shape[-1], num_lower, num_upper)
    return xp.where(mask, x, x.dtype.type(0))


register("MatrixBandPart", kernel=_band_kernel, infer=_band_infer,
         grad=lambda op, dy: [band_part(dy, op.attrs["num_lower"], op.attrs["num_upper"])],
         api="tf.linalg.band_part", args=("input",),
         samples=lambda: [([S.normal(4, 4)], {"num_lower": 1, "num_upper": -1}),
                          ([S.normal(2, 3, 4)], {"num_lower": 0, "num_upper": 1}),
                          ([S.ints(0, 9, 3, 3)], {"num_lower": -1, "num_upper": 0})])


@tf_export("linalg.band_part")
def band_part(input, num_lower, num_upper, name=None) -> Tensor:  # noqa: A002
    """Keeps a central band of each matrix and zeroes the rest (tf.linalg.band_part).

    Args:
      input: a tensor of rank >= 2.
      num_lower: number of subdiagonals to keep; negative keeps the whole lower triangle.
      num_upper: number of superdiagonals to keep; negative keeps the whole upper triangle.
    """
    return bind("MatrixBandPart", [_t(input)], {"num_lower": int(num_lower), "num_upper": int(num_upper)})


# ---------------------------------------------------------------- transposes
@tf_export("linalg.matrix_transpose")
def matrix_transpose(a, name="matrix_transpose", conjugate=False) -> Tensor:
    """Transposes the last two dimensions of `a` (tf.linalg.matrix_transpose)."""
    a = _t(a)
    rank = a.shape.rank
    if rank is not None and rank < 2:
        raise ValueError("Argument `a` should be a (batch) matrix with rank >= 2.  Received `a` = %s with shape: %s"
                         % (a, a.shape))
    out = array_ops.transpose(a, _swap_perm(rank))
    return math_ops.conj(out) if conjugate and a.dtype.is_complex else out


@tf_export("linalg.adjoint")
def adjoint(matrix, name=None) -> Tensor:
    """The conjugate transpose of the last two dimensions (tf.linalg.adjoint)."""
    return matrix_transpose(matrix, conjugate=True)


# ---------------------------------------------------------------- diagonals: MatrixDiagV3 / PartV3 / SetDiagV3
_ALIGNS = ("LEFT_RIGHT", "RIGHT_LEFT", "LEFT_LEFT", "RIGHT_RIGHT")


def _diag_len(m, n, d):
    return min(n - max(d, 0), m + min(d, 0))


@functools.lru_cache(maxsize=256)
def _diag_index(m, n, lo, hi, max_len, align):
    """Index arrays (rows, cols, diag_row, pos): matrix[rows, cols] is diagonal[diag_row, pos]."""
    sup_right = align.split("_")[0] == "RIGHT"
    sub_right = align.split("_")[1] == "RIGHT"
    rows, cols, drow, pos = [], [], [], []
    for idx, d in enumerate(range(hi, lo - 1, -1)):
        n_d = max(_diag_len(m, n, d), 0)
        offset = max_len - n_d if (d >= 0 and sup_right) or (d <= 0 and sub_right) else 0
        j = np.arange(n_d)
        rows.append(j + max(-d, 0))
        cols.append(j + max(d, 0))
        drow.append(np.full(n_d, idx))
        pos.append(j + offset)
    return tuple(np.concatenate(v).astype(np.intp) for v in (rows, cols, drow, pos))


def _diag_dims(max_len, lo, hi, num_rows, num_cols):
    min_rows = max_len - min(hi, 0)
    min_cols = max_len + max(lo, 0)
    if num_rows == -1 and num_cols == -1:
        num_rows = num_cols = max(min_rows, min_cols)
    elif num_rows == -1:
        num_rows = min_rows
    elif num_cols == -1:
        num_cols = min_cols
    return num_rows, num_cols, min_rows, min_cols


def _diag_infer(specs, attrs):
    api, op_name = "tf.linalg.diag", "MatrixDiagV3"
    s = sh.dims(specs[0])
    lo, hi = attrs["k"]
    if lo > hi:
        raise sh.error(api, op_name, "lower_diag_index must not be larger than upper_diag_index: %d > %d" % (lo, hi))
    if s is None:
        return [(None, specs[0].dtype)]
    need = 1 if lo == hi else 2
    if len(s) < need:
        raise sh.error(api, op_name, "diagonal must be at least %d-dim, received shape: %s (argument diagonal)"
                       % (need, sh.fmt(s)))
    if lo != hi and s[-2] is not None and s[-2] != hi - lo + 1:
        raise sh.error(api, op_name, "The number of diagonals provided in the input does not match the lower_diag_index "
                       "and upper_diag_index range. (argument diagonal shape %s, k (%d, %d))" % (sh.fmt(s), lo, hi))
    batch = s[:-1] if lo == hi else s[:-2]
    max_len = s[-1]
    if max_len is None:
        return [(batch + (None if attrs["num_rows"] == -1 else attrs["num_rows"],
                          None if attrs["num_cols"] == -1 else attrs["num_cols"]), specs[0].dtype)]
    m, n, min_rows, min_cols = _diag_dims(max_len, lo, hi, attrs["num_rows"], attrs["num_cols"])
    if m < min_rows or n < min_cols or (m != min_rows and n != min_cols):
        raise sh.error(api, op_name, "The number of rows or columns is not consistent with the specified d_lower, "
                       "d_upper, and diagonal. (argument diagonal shape %s, num_rows %d, num_cols %d)"
                       % (sh.fmt(s), m, n))
    return [(batch + (m, n), specs[0].dtype)]


def _diag_kernel(xp, diagonal, k, num_rows, num_cols, padding_value, align):
    lo, hi = k
    diags = diagonal[..., None, :] if lo == hi else diagonal
    max_len = diags.shape[-1]
    m, n, _, _ = _diag_dims(max_len, lo, hi, num_rows, num_cols)
    batch = diags.shape[:-2]
    out = xp.full(batch + (m, n), padding_value, dtype=diagonal.dtype)
    rows, cols, drow, pos = _diag_index(m, n, lo, hi, max_len, align)
    out[..., rows, cols] = diags[..., drow, pos]
    return out


def _diag_grad(op, dy):
    return [diag_part(dy, k=op.attrs["k"], align=op.attrs["align"])]


register("MatrixDiagV3", kernel=_diag_kernel, infer=_diag_infer, grad=_diag_grad, api="tf.linalg.diag",
         args=("diagonal",),
         samples=lambda: [([S.normal(3)], {"k": (0, 0), "num_rows": -1, "num_cols": -1, "padding_value": 0,
                                           "align": "RIGHT_LEFT"}),
                          ([S.normal(2, 3)], {"k": (1, 1), "num_rows": -1, "num_cols": -1, "padding_value": 0,
                                              "align": "RIGHT_LEFT"}),
                          ([S.normal(2, 3, 3)], {"k": (-1, 1), "num_rows": 3, "num_cols": 4, "padding_value": 0,
                                                 "align": "RIGHT_LEFT"}),
                          ([S.normal(2, 3)], {"k": (-1, 0), "num_rows": -1, "num_cols": -1, "padding_value": 9,
                                              "align": "LEFT_RIGHT"})])


def _k_pair(k):
    if isinstance(k, Tensor):
        k = np.asarray(k._value).tolist()
    if isinstance(k, (list, tuple, np.ndarray)):
        k = [int(v) for v in np.ravel(k)]
        return (k[0], k[-1])
    return (int(k), int(k))


def _scalar_attr(v):
    if isinstance(v, Tensor):
        v = v._value
    v = np.asarray(v)
    return v.item()


def _check_align(align):
    if align not in _ALIGNS:
        raise ValueError("align must be one of %s, got %r" % (", ".join(_ALIGNS), align))
    return align


@tf_export("linalg.diag")
def diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0, align="RIGHT_LEFT") -> Tensor:
    """A batched matrix with the given diagonal(s), padded elsewhere (tf.linalg.diag).

    Args:
      diagonal: shape [..., L] for one diagonal, [..., num_diags, L] for a band `k=(lo, hi)`.
      k: the diagonal offset (0 main, > 0 above, < 0 below) or a pair (lo, hi).
      num_rows, num_cols: the output matrix size (-1: the smallest that fits).
      padding_value: the value outside the diagonals.
      align: how shorter diagonals of a band are aligned: 'RIGHT_LEFT' (default), ...
    """
    d = _t(diagonal)
    return _checked("MatrixDiagV3", [d], {"k": _k_pair(k), "num_rows": int(_scalar_attr(num_rows)),
                                      "num_cols": int(_scalar_attr(num_cols)),
                                      "padding_value": _scalar_attr(padding_value), "align": _check_align(align)})


def _diag_part_infer(specs, attrs):
    api, op_name = "tf.linalg.diag_part", "MatrixDiagPartV3"
    s = sh.dims(specs[0])
    lo, hi = attrs["k"]
    if lo > hi:
        raise sh.error(api, op_name, "lower_diag_index must not be larger than upper_diag_index: %d > %d" % (lo, hi))
    if s is None:
        return [(None, specs[0].dtype)]
    if len(s) < 2:
        raise sh.error(api, op_name, "input must be at least 2-dim, received shape: %s (argument input)" % sh.fmt(s))
    m, n = s[-2], s[-1]
    if m is not None and n is not None:
        for what, v in (("lower", lo), ("upper", hi)):
            if not (-m < v < n or v == 0):
                raise sh.error(api, op_name, "%s_diag_index is out of bound: %d. It must be between %d and %d "
                               "(argument input shape %s)" % (what, v, -m, n, sh.fmt(s)))
        max_len = max(min(m + min(hi, 0), n - max(lo, 0)), 0)
    else:
        max_len = None
    tail = (max_len,) if lo == hi else (hi - lo + 1, max_len)
    return [(s[:-2] + tail, specs[0].dtype)]


def _diag_part_kernel(xp, x, k, padding_value, align):
    lo, hi = k
    m, n = x.shape[-2], x.shape[-1]
    max_len = max(min(m + min(hi, 0), n - max(lo, 0)), 0)
    nd = hi - lo + 1
    rows, cols, drow, pos = _diag_index(m, n, lo, hi, max_len, align)
    if lo == hi and drow.size == max_len:
        return x[..., rows, cols]
    out = xp.full(x.shape[:-2] + (nd, max_len), padding_value, dtype=x.dtype)
    out[..., drow, pos] = x[..., rows, cols]
    return out[..., 0, :] if lo == hi else out


def _diag_part_grad(op, dy):
    x = op.inputs[0]
    s = x.shape.as_list()
    if s[-1] is not None and s[-2] is not None:
        return [diag(dy, k=op.attrs["k"], num_rows=s[-2], num_cols=s[-1], align=op.attrs["align"])]
    return [set_diag(array_ops.zeros_like(x), dy, k=op.attrs["k"], align=op.attrs["align"])]


register("MatrixDiagPartV3", kernel=_diag_part_kernel, infer=_diag_part_infer, grad=_diag_part_grad,
         api="tf.linalg.diag_part", args=("input",),
         samples=lambda: [([S.normal(3, 3)], {"k": (0, 0), "padding_value": 0, "align": "RIGHT_LEFT"}),
                          ([S.normal(2, 3, 4)], {"k": (1, 1), "padding_value": 0, "align": "RIGHT_LEFT"}),
                          ([S.normal(2, 4, 3)], {"k": (-1, 2), "padding_value": 0, "align": "RIGHT_LEFT"}),
                          ([S.normal(3, 4)], {"k": (-2, 0), "padding_value": 5, "align": "LEFT_RIGHT"})])


@tf_export("linalg.diag_part")
def diag_part(input, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT") -> Tensor:  # noqa: A002
    """The diagonal(s) of each matrix (tf.linalg.diag_part).

    Returns:
      Shape [..., L] for one diagonal, [..., num_diags, L] for a band `k=(lo, hi)`; shorter
      diagonals of a band are padded with `padding_value` according to `align`.
    """
    return _checked("MatrixDiagPartV3", [_t(input)], {"k": _k_pair(k), "padding_value": _scalar_attr(padding_value),
                                                  "align": _check_align(align)})


def _set_diag_infer(specs, attrs):
    api, op_name = "tf.linalg.set_diag", "MatrixSetDiagV3"
    d = sh.same_dtype(api, op_name, specs, ("input", "diagonal"))
    s, ds = sh.dims(specs[0]), sh.dims(specs[1])
    if s is None:
        return [(None, d)]
    if len(s) < 2:
        raise sh.error(api, op_name, "input must be at least 2-dim, received shape: %s (argument input)" % sh.fmt(s))
    want = _diag_part_infer([specs[0]], {"k": attrs["k"], "padding_value": 0, "align": attrs["align"]})[0][0]
    if ds is not None and want is not None and (len(ds) != len(want) or any(
            a is not None and b is not None and a != b for a, b in zip(ds, want))):
        raise sh.error(api, op_name, "diagonal must have shape %s to set the diagonal(s) %s of input of shape %s, "
                       "got %s (arguments input and diagonal)" % (sh.fmt(want), attrs["k"], sh.fmt(s), sh.fmt(ds)))
    return [(s, d)]


def _set_diag_kernel(xp, x, diagonal, k, align):
    lo, hi = k
    m, n = x.shape[-2], x.shape[-1]
    max_len = max(min(m + min(hi, 0), n - max(lo, 0)), 0)
    diags = diagonal[..., None, :] if lo == hi else diagonal
    rows, cols, drow, pos = _diag_index(m, n, lo, hi, max_len, align)
    out = x.copy()
    out[..., rows, cols] = diags[..., drow, pos]
    return out


def _set_diag_grad(op, dy):
    k, align = op.attrs["k"], op.attrs["align"]
    return [set_diag(dy, array_ops.zeros_like(op.inputs[1]), k=k, align=align), diag_part(dy, k=k, align=align)]


register("MatrixSetDiagV3", kernel=_set_diag_kernel, infer=_set_diag_infer, grad=_set_diag_grad,
         api="tf.linalg.set_diag", args=("input", "diagonal"),
         samples=lambda: [([S.normal(3, 3), S.normal(3)], {"k": (0, 0), "align": "RIGHT_LEFT"}),
                          ([S.normal(2, 3, 4), S.normal(2, 2, 3)], {"k": (0, 1), "align": "RIGHT_LEFT"})])


@tf_export("linalg.set_diag")
def set_diag(input, diagonal, name="set_diag", k=0, align="RIGHT_LEFT") -> Tensor:  # noqa: A002
    """`input` with its diagonal(s) `k` replaced by `diagonal` (tf.linalg.set_diag)."""
    x = _t(input)
    d = _t(diagonal, dtype_hint=x.dtype) if not math_ops._is_tensorish(diagonal) else _t(diagonal)
    return _checked("MatrixSetDiagV3", [x, d], {"k": _k_pair(k), "align": _check_align(align)})


@tf_export("linalg.trace")
def trace(x, name=None) -> Tensor:
    """The sum of the main diagonal of each matrix (tf.linalg.trace)."""
    return math_ops.reduce_sum(diag_part(x), axis=-1)


@tf_export("linalg.eye", "eye")
def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None) -> Tensor:
    """An identity matrix, or a batch of them (tf.eye).

    Args:
      num_rows: rows of each matrix.
      num_columns: columns of each matrix (default `num_rows`).
      batch_shape: leading batch dimensions.
      dtype: the element type.
    """
    dtype = dtypes.as_dtype(dtype)
    n = int(_scalar_attr(num_rows))
    m = n if num_columns is None else int(_scalar_attr(num_columns))
    batch = [] if batch_shape is None else list(array_ops._int_tuple(batch_shape))
    return _checked("MatrixDiagV3", [array_ops.ones(batch + [min(n, m)], dtype)],
                {"k": (0, 0), "num_rows": n, "num_cols": m, "padding_value": 0, "align": "RIGHT_LEFT"})


# ---------------------------------------------------------------- Cross
def _cross_infer(specs, attrs):
    api, op_name = "tf.linalg.cross", "Cross"
    d = sh.same_dtype(api, op_name, specs, ("a", "b"))
    a, b = sh.dims(specs[0]), sh.dims(specs[1])
    if a is None or b is None:
        return [(a if b is None else b, d)]
    if len(a) != len(b) or any(x is not None and y is not None and x != y for x, y in zip(a, b)):
        raise sh.error(api, op_name, "a and b must be the same shape: %s vs. %s (arguments a and b)" % (sh.fmt(a), sh.fmt(b)))
    if not a or (a[-1] is not None and a[-1] != 3):
        raise sh.error(api, op_name, "Dimension 0 in both shapes must be equal, but are %s and 3. (argument a shape %s)"
                       % (a[-1] if a else "?", sh.fmt(a)))
    return [(tuple(x if x is not None else y for x, y in zip(a, b)), d)]


register("Cross", kernel=lambda xp, a, b: xp.cross(a, b), infer=_cross_infer,
         grad=lambda op, dy: [cross(op.inputs[1], dy), cross(dy, op.inputs[0])],
         api="tf.linalg.cross", args=("a", "b"), samples=lambda: [([S.normal(2, 3), S.normal(2, 3)], {})])


@tf_export("linalg.cross")
def cross(a, b, name=None) -> Tensor:
    """Pairwise cross product of 3-vectors along the last axis (tf.linalg.cross)."""
    a = _t(a)
    b = _t(b, dtype_hint=a.dtype) if not math_ops._is_tensorish(b) else _t(b)
    return _checked("Cross", [a, b])


# ---------------------------------------------------------------- Qr
def _matrix_check(api, op_name, spec, allowed=LAPACK_TYPES, name="input"):
    sh.check_dtype(api, op_name, spec, allowed, name)
    s = sh.dims(spec)
    if s is not None and len(s) < 2:
        raise sh.error(api, op_name, "Input tensor 0 must have rank >= 2, got shape %s (argument %s)" % (sh.fmt(s), name))
    return s


def _qr_infer(specs, attrs):
    s = _matrix_check("tf.linalg.qr", "Qr", specs[0])
    d = specs[0].dtype
    if s is None:
        return [(None, d), (None, d)]
    m, n = s[-2], s[-1]
    k = None if m is None or n is None else min(m, n)
    if attrs["full_matrices"]:
        return [(s[:-2] + (m, m), d), (s[:-2] + (m, n), d)]
    return [(s[:-2] + (m, k), d), (s[:-2] + (k, n), d)]


@_lapack
def _qr_kernel(xp, x, full_matrices):
    q, r = xp.linalg.qr(x, mode="complete" if full_matrices else "reduced")
    return q, r


def _qr_grad_deep(q, r, dq, dr):
    qdq = _bmm(q, dq, True, False)
    qdq_ = math_ops.subtract(qdq, adjoint(qdq))
    rdr = _bmm(r, dr, False, True)
    rdr_ = math_ops.subtract(rdr, adjoint(rdr))
    tril = band_part(math_ops.add(qdq_, rdr_), -1, 0)

    def tri_solve(x, rr):
        return adjoint(triangular_solve(rr, adjoint(x), lower=False, adjoint=False))

    grad_a = _bmm(q, math_ops.add(dr, tri_solve(tril, r)))
    grad_b = tri_solve(math_ops.subtract(dq, _bmm(q, qdq)), r)
    ret = math_ops.add(grad_a, grad_b)
    if q.dtype.is_complex:
        m = _bmm(r, dr, False, True)
        latent = math_ops.cast(math_ops.imag(diag_part(math_ops.subtract(m, adjoint(m)))), q.dtype)
        latent = math_ops.multiply(latent, math_ops.cast(1j, q.dtype))
        ret = math_ops.add(ret, _bmm(q, tri_solve(diag(latent), r)))
    return ret


def _qr_grad(op, dq, dr):
    a = op.inputs[0]
    q, r = op.outputs
    if dq is None:
        dq = array_ops.zeros_like(q)
    if dr is None:
        dr = array_ops.zeros_like(r)
    m, n = a.shape[-2], a.shape[-1]
    if m is None or n is None:
        raise NotImplementedError("QrGrad not implemented with dynamic shapes.")
    if op.attrs["full_matrices"] and m > n:
        raise NotImplementedError("QrGrad not implemented when nrows > ncols and full_matrices is true.")
    if m >= n:
        return [_qr_grad_deep(q, r, dq, dr)]
    # Wide matrices: A = [X | Y], R = [U | V]; see TF's _QrGrad.
    _, y = array_ops.split(a, [m, n - m], axis=-1)
    u, _ = array_ops.split(r, [m, n - m], axis=-1)
    du, dv = array_ops.split(dr, [m, n - m], axis=-1)
    dy = _bmm(q, dv)
    dx = _qr_grad_deep(q, u, math_ops.add(dq, _bmm(y, dv, False, True)), du)
    return [array_ops.concat([dx, dy], axis=-1)]


register("Qr", kernel=_qr_kernel, infer=_qr_infer, grad=_qr_grad, api="tf.linalg.qr", num_outputs=2, args=("input",),
         samples=lambda: [([S.normal(4, 3)], {"full_matrices": False}),
                          ([S.normal(2, 3, 3)], {"full_matrices": True}),
                          ([S.normal(2, 4)], {"full_matrices": False})])


@tf_export("linalg.qr")
def qr(input, full_matrices=False, name=None):  # noqa: A002
    """QR decomposition of each matrix: `input` = Q R (tf.linalg.qr).

    Returns:
      A namedtuple `(q, r)`; with `full_matrices=False` q is [..., M, P] and r
      [..., P, N] with P = min(M, N); with True q is [..., M, M] and r [..., M, N].
    """
    return _Qr(*_checked("Qr", [_t(input)], {"full_matrices": bool(full_matrices)}))


_Qr = collections.namedtuple("Qr", ["q", "r"])


# ---------------------------------------------------------------- Svd
def _svd_infer(specs, attrs):
    s = _matrix_check("tf.linalg.svd", "Svd", specs[0])
    d = specs[0].dtype
    rd = d.real_dtype
    if s is None:
        return [(None, rd), (None, d), (None, d)]
    m, n = s[-2], s[-1]
    k = None if m is None or n is None else min(m, n)
    batch = s[:-2]
    if not attrs["compute_uv"]:
        return [(batch + (k,), rd), ((0,), d), ((0,), d)]
    if attrs["full_matrices"]:
        return [(batch + (k,), rd), (batch + (m, m), d), (batch + (n, n), d)]
    return [(batch + (k,), rd), (batch + (m, k), d), (batch + (n, k), d)]


@_lapack
def _svd_kernel(xp, x, compute_uv, full_matrices):
    if not compute_uv:
        s = xp.linalg.svd(x, compute_uv=False)
        empty = xp.zeros((0,), x.dtype)
        return s, empty, empty
    u, s, vh = xp.linalg.svd(x, full_matrices=full_matrices)
    return s, u, _ct(vh)


def _safe_reciprocal(x, epsilon=1e-20):
    return math_ops.divide(x, math_ops.add(math_ops.multiply(x, x), epsilon))


def _svd_grad(op, ds, du, dv):
    a = op.inputs[0]
    s, u, v = op.outputs
    ds = array_ops.zeros_like(s) if ds is None else ds
    if a.dtype.is_complex:
        ds = math_ops.cast(ds, a.dtype)
        s = math_ops.cast(s, a.dtype)
    ds_mat = diag(ds)
    if not op.attrs["compute_uv"]:
        _, u_, v_ = svd(a, full_matrices=False, compute_uv=True)
        return [_bmm(u_, _bmm(ds_mat, v_, False, True))]
    du = array_ops.zeros_like(u) if du is None else du
    dv = array_ops.zeros_like(v) if dv is None else dv
    full = op.attrs["full_matrices"]
    m, n = a.shape[-2], a.shape[-1]
    if m is None or n is None:
        raise NotImplementedError("SVD gradient has not been implemented for input with unknown inner matrix shape.")
    if full and abs(m - n) > 1:
        raise NotImplementedError("svd gradient is not implemented for abs(m - n) > 1 when full_matrices is True")
    use_adjoint = m > n
    if use_adjoint:
        m, n = n, m
        u, v = v, u
        du, dv = dv, du
    s_mat = diag(s)
    s2 = math_ops.multiply(s, s)
    diff = math_ops.subtract(array_ops.expand_dims(s2, -2), array_ops.expand_dims(s2, -1))
    f = set_diag(_safe_reciprocal(diff), array_ops.zeros_like(s))
    s_inv_mat = diag(_safe_reciprocal(s))
    if v.shape[-1] != m:
        v1, v2 = array_ops.split(v, [m, v.shape[-1] - m], axis=-1)
        dv1, dv2 = array_ops.split(dv, [m, dv.shape[-1] - m], axis=-1)
    else:
        v1, dv1, v2, dv2 = v, dv, None, None
    u_gu = _bmm(u, du, True, False)
    v_gv = _bmm(v1, dv1, True, False)
    f_u = math_ops.multiply(f, u_gu)
    f_v = math_ops.multiply(f, v_gv)
    term1_nouv = math_ops.add(math_ops.add(ds_mat, _bmm(math_ops.add(f_u, adjoint(f_u)), s_mat)),
                              _bmm(s_mat, math_ops.add(f_v, adjoint(f_v))))
    term1 = _bmm(u, _bmm(term1_nouv, v1, False, True))
    if m == n:
        grad = term1
    else:
        gv1t = adjoint(dv1)
        term2_nous = math_ops.subtract(gv1t, _bmm(_bmm(gv1t, v1), v1, False, True))
        if full and v2 is not None:
            v1t_gv2 = _bmm(v1, dv2, True, False)
            term2_nous = math_ops.subtract(term2_nous, _bmm(v1t_gv2, v2, False, True))
        term2 = _bmm(_bmm(u, s_inv_mat), term2_nous)
        grad = math_ops.add(term1, term2)
    if a.dtype.is_complex:
        eye_ = eye(s.shape[-1], batch_shape=s.shape[:-1], dtype=a.dtype)
        l = math_ops.multiply(eye_, v_gv)
        term3_nouv = math_ops.multiply(_bmm(s_inv_mat, math_ops.subtract(adjoint(l), l)), 0.5)
        grad = math_ops.add(grad, _bmm(u, _bmm(term3_nouv, v1, False, True)))
    return [adjoint(grad) if use_adjoint else grad]


register("Svd", kernel=_svd_kernel, infer=_svd_infer, grad=_svd_grad, api="tf.linalg.svd", num_outputs=3,
         args=("tensor",),
         samples=lambda: [([S.normal(4, 3)], {"compute_uv": True, "full_matrices": False}),
                          ([S.normal(2, 3, 4)], {"compute_uv": True, "full_matrices": False}),
                          ([S.normal(3, 3)], {"compute_uv": True, "full_matrices": True}),
                          ([S.normal(3, 4)], {"compute_uv": True, "full_matrices": True}),
                          ([S.normal(2, 4, 3)], {"compute_uv": False, "full_matrices": False})])


@tf_export("linalg.svd")
def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """Singular value decomposition: `tensor` = u diag(s) v^H (tf.linalg.svd).

    Returns:
      `s` alone when `compute_uv` is False, else the triple `(s, u, v)` (note: v, not v^H),
      with s in descending order.
    """
    s, u, v = _checked("Svd", [_t(tensor)], {"compute_uv": bool(compute_uv), "full_matrices": bool(full_matrices)})
    if not compute_uv:
        return s
    return s, u, v


# ---------------------------------------------------------------- SelfAdjointEigV2
def _eigh_infer(specs, attrs):
    s = _square_infer("tf.linalg.eigh", "SelfAdjointEigV2", "tensor")(specs[0])
    d = specs[0].dtype
    if s is None:
        return [(None, d.real_dtype), (None, d)]
    return [(s[:-1], d.real_dtype), (s if attrs["compute_v"] else (0,), d)]


@_lapack
def _eigh_kernel(xp, x, compute_v):
    if not compute_v:
        return xp.linalg.eigvalsh(x), xp.zeros((0,), x.dtype)
    e, v = xp.linalg.eigh(x)
    return e, v


def _eigh_grad(op, de, dv):
    a = op.inputs[0]
    e = op.outputs[0]
    de = array_ops.zeros_like(e) if de is None else de
    if a.dtype.is_complex:
        e = math_ops.cast(e, a.dtype)
        de = math_ops.cast(de, a.dtype)
    if op.attrs["compute_v"]:
        v = op.outputs[1]
        dv = array_ops.zeros_like(v) if dv is None else dv
        f = set_diag(_safe_reciprocal(math_ops.subtract(array_ops.expand_dims(e, -2), array_ops.expand_dims(e, -1))),
                     array_ops.zeros_like(e))
        inner = math_ops.add(diag(de), math_ops.multiply(f, _bmm(v, dv, True, False)))
        g = _bmm(v, _bmm(inner, v, False, True))
    else:
        _, v = eigh(a)
        g = _bmm(v, _bmm(diag(de), v, False, True))
    # The kernel reads only the lower triangle: symmetrise and keep that triangle.
    g = band_part(math_ops.add(g, adjoint(g)), -1, 0)
    return [set_diag(g, math_ops.multiply(diag_part(g), 0.5))]


def _sym(*shape):
    a = S.normal(*shape)
    return a + np.swapaxes(a, -1, -2)


register("SelfAdjointEigV2", kernel=_eigh_kernel, infer=_eigh_infer, grad=_eigh_grad, api="tf.linalg.eigh",
         num_outputs=2, args=("tensor",),
         samples=lambda: [([_sym(3, 3)], {"compute_v": True}), ([_sym(2, 3, 3)], {"compute_v": False})])


@tf_export("linalg.eigh")
def eigh(tensor, name=None):
    """Eigen-decomposition of self-adjoint matrices (tf.linalg.eigh).

    Only the lower triangle of each matrix is read.

    Returns:
      `(e, v)`: eigenvalues in ascending order and the eigenvectors as columns of v.
    """
    return _checked("SelfAdjointEigV2", [_t(tensor)], {"compute_v": True})


@tf_export("linalg.eigvalsh")
def eigvalsh(tensor, name=None) -> Tensor:
    """Eigenvalues of self-adjoint matrices, ascending (tf.linalg.eigvalsh)."""
    return _checked("SelfAdjointEigV2", [_t(tensor)], {"compute_v": False})[0]


# ---------------------------------------------------------------- norms (composite)
_VECTOR_NORMS = ("euclidean", 1, 2, np.inf)
_MATRIX_NORMS = ("euclidean", "fro", 1, 2, np.inf)


def _is_ord(ord, allowed) -> bool:  # noqa: A002 - TF's argument name
    if isinstance(ord, str):
        return ord in [o for o in allowed if isinstance(o, str)]
    if isinstance(ord, bool):
        return False
    return any(not isinstance(o, str) and ord == o for o in allowed)


@tf_export("norm", "linalg.norm")
def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None) -> Tensor:  # noqa: A002
    """Vector and matrix norms (tf.norm).

    Args:
      tensor: a float or complex tensor.
      ord: 'euclidean' (default), 'fro', 1, 2, np.inf, or any p > 0 for vector norms.
      axis: None (the whole tensor as a vector), an int (vector norms) or a pair of ints
        (matrix norms).
      keepdims: keep the reduced dimensions with size 1.
      name: unused in eager mode.
    """
    if isinstance(axis, Tensor):
        axis = np.asarray(axis._value).tolist()
    is_matrix = isinstance(axis, (tuple, list)) and len(axis) == 2
    if is_matrix:
        axis = tuple(axis)
        if not all(isinstance(a, (int, np.integer)) for a in axis) or axis[0] == axis[1]:
            raise ValueError("'axis' must be None, an integer, or a tuple of 2 unique integers, got %s" % (axis,))
        if not _is_ord(ord, _MATRIX_NORMS):
            raise ValueError("'ord' must be a supported matrix norm in %s, got %s" % (list(_MATRIX_NORMS), ord))
        axis = (int(axis[0]), int(axis[1]))
    else:
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]
        if not (axis is None or isinstance(axis, (int, np.integer))):
            raise ValueError("'axis' must be None, an integer, or a tuple of 2 unique integers, got %s" % (axis,))
        if not _is_ord(ord, _VECTOR_NORMS) and (isinstance(ord, str) or not np.isreal(ord) or ord <= 0):
            raise ValueError("'ord' must be a supported vector norm, got %s" % (ord,))
        axis = None if axis is None else (int(axis),)
    x = _t(tensor)
    keep = bool(keepdims)
    if isinstance(ord, str) or ord == 2:
        if is_matrix and ord == 2:
            rank = x.shape.rank
            pos = [a % rank for a in axis]
            perm = [i for i in range(rank) if i not in pos] + pos
            s = svd(array_ops.transpose(x, perm) if perm != list(range(rank)) else x, compute_uv=False)
            result = math_ops.reduce_max(s, axis=-1)
            if keep:
                result = _insert_axes(result, sorted(pos), rank)
            return result
        sq = math_ops.multiply(x, math_ops.conj(x)) if x.dtype.is_complex else math_ops.multiply(x, x)
        if x.dtype.is_complex:
            sq = math_ops.real(sq)
        return math_ops.sqrt(math_ops.reduce_sum(sq, axis=axis, keepdims=keep))
    a = math_ops.abs(x)
    if ord == 1:
        if is_matrix:
            r = math_ops.reduce_sum(a, axis=axis[0], keepdims=True)
            r = math_ops.reduce_max(r, axis=axis[1], keepdims=True)
            return r if keep else array_ops.squeeze(r, list(axis))
        return math_ops.reduce_sum(a, axis=axis, keepdims=keep)
    if ord == np.inf:
        if is_matrix:
            r = math_ops.reduce_sum(a, axis=axis[1], keepdims=True)
            r = math_ops.reduce_max(r, axis=axis[0], keepdims=True)
            return r if keep else array_ops.squeeze(r, list(axis))
        return math_ops.reduce_max(a, axis=axis, keepdims=keep)
    p = float(ord)
    return math_ops.pow(math_ops.reduce_sum(math_ops.pow(a, p), axis=axis, keepdims=keep), 1.0 / p)


def _insert_axes(x, positions, rank):
    """x (rank - len(positions)) with size-1 axes inserted at `positions` of the rank-`rank` result."""
    for p in positions:
        x = array_ops.expand_dims(x, p)
    return x


@tf_export("linalg.normalize")
def normalize(tensor, ord="euclidean", axis=None, name=None):  # noqa: A002
    """Normalizes `tensor` along `axis` by its norm (tf.linalg.normalize).

    Returns:
      `(normalized, norm)`, with `norm` keeping the reduced dimensions.
    """
    x = _t(tensor)
    n = norm(x, ord=ord, axis=axis, keepdims=True)
    return math_ops.divide(x, n), n


@tf_export("linalg.l2_normalize", "math.l2_normalize", "nn.l2_normalize")
def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None) -> Tensor:
    """Divides `x` by its L2 norm along `axis`: x / sqrt(max(sum(x**2), epsilon)) (tf.math.l2_normalize).

    Args:
      x: a float or complex tensor.
      axis: the dimension(s) to normalize along (None: all).
      epsilon: the lower bound of the squared norm, to avoid dividing by zero.
      name: unused in eager mode.
      dim: deprecated alias of `axis`.
    """
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'dim' and 'axis'")
        axis = dim
    x = _t(x)
    if x.dtype.is_complex:
        sq = math_ops.real(math_ops.multiply(x, math_ops.conj(x)))
        sum_sq = math_ops.reduce_sum(sq, axis=axis, keepdims=True)
        inv_norm = math_ops.rsqrt(math_ops.maximum(sum_sq, epsilon))
        return math_ops.multiply(x, math_ops.cast(inv_norm, x.dtype))
    sum_sq = math_ops.reduce_sum(math_ops.square(x), axis=axis, keepdims=True)
    inv_norm = math_ops.rsqrt(math_ops.maximum(sum_sq, epsilon))
    return math_ops.multiply(x, inv_norm)


@tf_export("linalg.pinv")
def pinv(a, rcond=None, validate_args=False, name=None) -> Tensor:
    """Moore-Penrose pseudo-inverse of each matrix, via the SVD (tf.linalg.pinv)."""
    a = _t(a)
    m, n = a.shape[-2], a.shape[-1]
    if rcond is None:
        rcond = 10.0 * max(m, n) * float(np.finfo(a.dtype.as_numpy_dtype).eps)
    s, u, v = svd(a, full_matrices=False, compute_uv=True)
    cutoff = math_ops.multiply(math_ops.reduce_max(s, axis=-1, keepdims=True), rcond)
    s_inv = array_ops.where(math_ops.greater(s, cutoff), math_ops.reciprocal(s),
                            array_ops.zeros_like(s))
    return _bmm(math_ops.multiply(v, array_ops.expand_dims(s_inv, -2)), u, False, True)


# ================================================================ LU, tensor diag, tridiagonal, banded, eig, matrix functions
_FLOAT_COMPLEX = (dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128)
_Lu = collections.namedtuple("Lu", ["lu", "p"])


def _square_spec(api, op_name, spec, allowed, name="input"):
    return _square_infer(api, op_name, name, allowed)(spec)


# ---------------------------------------------------------------- Lu
def _lu_infer(specs, attrs):
    s = _square_spec("tf.linalg.lu", "Lu", specs[0], LAPACK_TYPES)
    idx = attrs["output_idx_type"]
    if idx not in (dtypes.int32, dtypes.int64):
        raise sh.error("tf.linalg.lu", "Lu", "output_idx_type must be int32 or int64, got %s" % idx.name)
    return [(s, specs[0].dtype), (None if s is None else s[:-1], idx)]


def _lu_factor(xp, x):
    """Batched LU with partial pivoting (row-major Doolittle): returns the packed LU and the permutation."""
    n = x.shape[-1]
    batch = x.shape[:-2]
    a = xp.array(x.reshape((-1, n, n)), copy=True)
    b = a.shape[0]
    perm = xp.tile(xp.arange(n), (b, 1))
    rows = xp.arange(b)
    for k in range(n):
        piv = k + xp.argmax(xp.abs(a[:, k:, k]), axis=1)
        if (a[rows, piv, k] == 0).any():
            raise InvalidArgumentError(None, None, "tf.linalg.lu: Input is not invertible. [Op:Lu]")
        rk = a[rows, k].copy()
        a[rows, k] = a[rows, piv]
        a[rows, piv] = rk
        pk = perm[rows, k].copy()
        perm[rows, k] = perm[rows, piv]
        perm[rows, piv] = pk
        if k + 1 < n:
            a[:, k + 1:, k] /= a[:, k, k][:, None]
            a[:, k + 1:, k + 1:] -= a[:, k + 1:, k, None] * a[:, k, None, k + 1:]
    return a.reshape(batch + (n, n)), perm.reshape(batch + (n,))


def _lu_kernel(xp, x, output_idx_type):
    low = x.dtype in _LOW_PRECISION
    lu_, p = _lu_factor(xp, x.astype(np.float32) if low else x)
    return (lu_.astype(x.dtype) if low else lu_), p.astype(output_idx_type.as_numpy_dtype)


register("Lu", kernel=_lu_kernel, infer=_lu_infer, grad=NON_DIFFERENTIABLE, api="tf.linalg.lu", num_outputs=2,
         args=("input",),
         samples=lambda: [([S.normal(3, 3)], {"output_idx_type": dtypes.int32}),
                          ([S.normal(2, 4, 4)], {"output_idx_type": dtypes.int64})])


@tf_export("linalg.lu")
def lu(input, output_idx_type=dtypes.int32, name=None):  # noqa: A002 - TF's argument name
    """LU decomposition with partial pivoting of each square matrix (tf.linalg.lu).

    Returns:
      A namedtuple `(lu, p)`: `lu` packs the unit-lower factor L (below the diagonal) and U
      (on and above it); `p` is the permutation with `input[..., p, :] = L @ U`.
    """
    return _Lu(*_checked("Lu", [_t(input)], {"output_idx_type": dtypes.as_dtype(output_idx_type)}))


def _unit_lower(lu_):
    return set_diag(band_part(lu_, -1, 0), array_ops.ones_like(diag_part(lu_)))


@tf_export("linalg.lu_reconstruct")
def lu_reconstruct(lower_upper, perm, validate_args=False, name=None) -> Tensor:
    """The matrix whose LU decomposition is `(lower_upper, perm)` (tf.linalg.lu_reconstruct)."""
    lu_ = _t(lower_upper)
    p = _t(perm)
    x = matmul(_unit_lower(lu_), band_part(lu_, 0, -1))
    inv_p = array_ops.argsort(p, axis=-1)
    return array_ops.gather(x, inv_p, axis=-2, batch_dims=p.shape.rank - 1)


@tf_export("linalg.lu_solve")
def lu_solve(lower_upper, perm, rhs, validate_args=False, name=None) -> Tensor:
    """Solves A X = rhs given the LU decomposition `(lower_upper, perm)` of A (tf.linalg.lu_solve)."""
    lu_ = _t(lower_upper)
    p = _t(perm)
    rhs = _t(rhs, dtype_hint=lu_.dtype) if not math_ops._is_tensorish(rhs) else _t(rhs)
    if rhs.shape.rank is not None and rhs.shape.rank < 2:
        raise ValueError("Input `rhs` must have at least 2 dimensions.")
    if rhs.shape.rank == 2 and p.shape.rank == 1:
        permuted = array_ops.gather(rhs, p, axis=-2)
    else:
        rs, ps = rhs.shape.as_list(), p.shape.as_list()
        if None in rs or None in ps:
            batch = array_ops.broadcast_dynamic_shape(array_ops.shape(rhs)[:-2], array_ops.shape(p)[:-1])
            nb = None
            rhs_b = array_ops.broadcast_to(rhs, array_ops.concat([batch, array_ops.shape(rhs)[-2:]], 0))
            p_b = array_ops.broadcast_to(p, array_ops.concat([batch, array_ops.shape(p)[-1:]], 0))
            nb = max(len(rs) - 2, len(ps) - 1)
        else:
            batch = list(np.broadcast_shapes(tuple(rs[:-2]), tuple(ps[:-1])))
            rhs_b = array_ops.broadcast_to(rhs, batch + rs[-2:]) if rs[:-2] != batch else rhs
            p_b = array_ops.broadcast_to(p, batch + ps[-1:]) if ps[:-1] != batch else p
            nb = len(batch)
        permuted = array_ops.gather(rhs_b, p_b, axis=-2, batch_dims=nb)
    return triangular_solve(lu_, triangular_solve(_unit_lower(lu_), permuted), lower=False)


@tf_export("linalg.lu_matrix_inverse")
def lu_matrix_inverse(lower_upper, perm, validate_args=False, name=None) -> Tensor:
    """The inverse of A given its LU decomposition `(lower_upper, perm)` (tf.linalg.lu_matrix_inverse)."""
    lu_ = _t(lower_upper)
    ident = set_diag(array_ops.zeros_like(lu_), array_ops.ones_like(diag_part(lu_)))
    return lu_solve(lu_, perm, ident)


@tf_export("linalg.matrix_rank")
def matrix_rank(a, tol=None, validate_args=False, name=None) -> Tensor:
    """The numerical rank of each matrix: singular values above `tol` (tf.linalg.matrix_rank).

    The default `tol` is eps * max(M, N) * max(singular value), per matrix.
    """
    a = _t(a, dtype_hint=dtypes.float32) if not math_ops._is_tensorish(a) else _t(a)
    s = svd(a, compute_uv=False)
    if tol is None:
        m = a.shape[-2:].as_list()
        mx = max(m) if None not in m else math_ops.cast(math_ops.reduce_max(array_ops.shape(a)[-2:]), s.dtype)
        eps = float(np.finfo(a.dtype.real_dtype.as_numpy_dtype).eps)
        tol = math_ops.multiply(math_ops.multiply(eps, mx) if not isinstance(mx, int) else eps * mx,
                                math_ops.reduce_max(s, axis=-1, keepdims=True))
    else:
        tol = _t(tol, dtype=s.dtype) if not math_ops._is_tensorish(tol) else math_ops.cast(tol, s.dtype)
    return math_ops.reduce_sum(math_ops.cast(math_ops.greater(s, tol), dtypes.int32), axis=-1)


# ---------------------------------------------------------------- Diag / DiagPart (tf.linalg.tensor_diag*)
_TDIAG_TYPES = (dtypes.bfloat16, dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64,
                dtypes.complex64, dtypes.complex128)


def _tdiag_infer(specs, attrs):
    sh.check_dtype("tf.linalg.tensor_diag", "Diag", specs[0], _TDIAG_TYPES, "diagonal")
    s = sh.dims(specs[0])
    if s is None:
        return [(None, specs[0].dtype)]
    if not s:
        raise sh.error("tf.linalg.tensor_diag", "Diag", "Input must be at least rank 1, got 0 (argument diagonal)")
    return [(s + s, specs[0].dtype)]


def _tdiag_kernel(xp, x):
    n = x.size
    out = xp.zeros((n, n), x.dtype)
    out.flat[::n + 1] = x.ravel()
    return out.reshape(x.shape + x.shape)


def _tdiag_part_infer(specs, attrs):
    sh.check_dtype("tf.linalg.tensor_diag_part", "DiagPart", specs[0], _TDIAG_TYPES, "input")
    s = sh.dims(specs[0])
    if s is None:
        return [(None, specs[0].dtype)]
    k = len(s) // 2
    if not s or len(s) % 2:
        raise sh.error("tf.linalg.tensor_diag_part", "DiagPart", "The rank of the tensor should be even and positive, "
                       "got shape %s (argument input)" % sh.fmt(s))
    out = []
    for i in range(k):
        a, b = s[i], s[i + k]
        if a is not None and b is not None and a != b:
            raise sh.error("tf.linalg.tensor_diag_part", "DiagPart", "Invalid shape %s: dimensions %d and %d do not "
                           "match. (argument input)" % (sh.fmt(s), i, i + k))
        out.append(a if a is not None else b)
    return [(tuple(out), specs[0].dtype)]


def _tdiag_part_kernel(xp, x):
    k = x.ndim // 2
    n = int(np.prod(x.shape[:k], dtype=np.int64))
    return x.reshape(n, n).diagonal().reshape(x.shape[:k]).copy()


register("Diag", kernel=_tdiag_kernel, infer=_tdiag_infer, grad=lambda op, dy: [tensor_diag_part(dy)],
         api="tf.linalg.tensor_diag", args=("diagonal",),
         samples=lambda: [([S.normal(3)], {}), ([S.normal(2, 3)], {}), ([S.ints(-3, 3, 2, 2)], {})])
register("DiagPart", kernel=_tdiag_part_kernel, infer=_tdiag_part_infer, grad=lambda op, dy: [tensor_diag(dy)],
         api="tf.linalg.tensor_diag_part", args=("input",),
         samples=lambda: [([S.normal(3, 3)], {}), ([S.normal(2, 3, 2, 3)], {})])


@tf_export("linalg.tensor_diag")
def tensor_diag(diagonal, name=None) -> Tensor:
    """A tensor of rank 2k with `diagonal` (rank k) on its diagonal (tf.linalg.tensor_diag)."""
    return _checked("Diag", [_t(diagonal)])


@tf_export("linalg.tensor_diag_part")
def tensor_diag_part(input, name=None) -> Tensor:  # noqa: A002
    """The diagonal part of a rank-2k tensor: output[i..] = input[i.., i..] (tf.linalg.tensor_diag_part)."""
    return _checked("DiagPart", [_t(input)])


# ---------------------------------------------------------------- TridiagonalSolve / TridiagonalMatMul
def _tridiag_solve_infer(specs, attrs):
    api, op = "tf.linalg.tridiagonal_solve", "TridiagonalSolve"
    sh.check_dtype(api, op, specs[0], _FLOAT_COMPLEX, "diagonals")
    d = sh.same_dtype(api, op, specs, ("diagonals", "rhs"))
    a, b = sh.dims(specs[0]), sh.dims(specs[1])
    if a is None or b is None:
        return [(b, d)]
    if len(a) < 2 or a[-2] not in (None, 3):
        raise sh.error(api, op, "Expected diagonals to have shape [..., 3, M], got %s (argument diagonals)" % sh.fmt(a))
    vec = len(b) == len(a) - 1
    if len(b) != len(a) and not vec:
        raise sh.error(api, op, "Expected the rank of rhs to be %d or %d, got %d (arguments diagonals and rhs shapes "
                       "%s and %s)" % (len(a) - 1, len(a), len(b), sh.fmt(a), sh.fmt(b)))
    m = b[-1] if vec else b[-2]
    if a[-1] is not None and m is not None and a[-1] != m:
        raise sh.error(api, op, "Expected number of left-hand sides and right-hand sides to be equal, got %d and %d "
                       "(arguments diagonals and rhs)" % (a[-1], m))
    nb = len(a) - 2
    if any(x is not None and y is not None and x != y for x, y in zip(a[:-2], b[:nb])):
        raise sh.error(api, op, "Batch shapes %s and %s are incompatible (arguments diagonals and rhs)"
                       % (sh.fmt(a[:-2]), sh.fmt(b[:nb])))
    out = tuple(y if y is not None else x for x, y in zip(a[:-2], b[:nb])) + tuple(b[nb:])
    return [(out, d)]


def _tridiag_perturb_pivot(xp, pivot, row, perturb):
    """LAPACK xLAGTS's guard (TF's MaybePerturbPivot), vectorised over a batch: nudges pivots with |pivot| < 1
    so that neither 1 / pivot nor row / pivot overflows. pivot: [B], row: [B, K], perturb: [B] (real)."""
    rdt = np.finfo(pivot.real.dtype)
    safemin = max(float(rdt.tiny), (1.0 + float(rdt.eps)) / float(rdt.max))
    bignum = 1.0 / safemin
    pivot, row = pivot.copy(), row.copy()
    perturb = xp.copysign(xp.maximum(xp.abs(perturb), safemin), pivot.real).astype(rdt.dtype)
    max_factor = xp.abs(row).max(axis=-1) if row.shape[-1] else xp.zeros(pivot.shape, rdt.dtype)
    active = xp.abs(pivot) < 1
    while active.any():
        ap = xp.abs(pivot)
        tiny = ap < safemin
        bump = active & ((tiny & ((ap == 0) | (max_factor * safemin > ap))) | (~tiny & (max_factor > ap * bignum)))
        scale = active & tiny & ~bump
        pivot = xp.where(bump, pivot + perturb, pivot)
        perturb = xp.where(bump, perturb * 2, perturb)
        pivot = xp.where(scale, pivot * bignum, pivot)
        row = xp.where(scale[:, None], row * bignum, row)
        active = bump & (xp.abs(pivot) < 1)
    return pivot, row


def _tridiag_solve_kernel(xp, diagonals, rhs, partial_pivoting, perturb_singular):
    """TF's CPU kernel (Gaussian elimination with partial pivoting as in LAPACK's xGTSV, the Thomas algorithm
    without it, xLAGTF/xLAGTS with perturb_singular): O(M) steps, each vectorised over the batch and the
    right-hand sides. A system whose pivot vanishes gives NaN, as TF's does."""
    vec = rhs.ndim == diagonals.ndim - 1
    b = rhs[..., None] if vec else rhs
    m, k = diagonals.shape[-1], b.shape[-1]
    batch = np.broadcast_shapes(diagonals.shape[:-2], b.shape[:-2])
    dt = np.result_type(diagonals.dtype, b.dtype)
    out_shape = batch + (m, k)
    if m == 0 or k == 0 or 0 in batch:
        out = xp.zeros(out_shape, diagonals.dtype)
        return out[..., 0] if vec else out
    nb = int(np.prod(batch, dtype=np.int64))
    # time-major copies: [M, B] diagonals, [M, B, K] right-hand sides
    d = xp.ascontiguousarray(xp.broadcast_to(diagonals, batch + (3, m)).reshape(nb, 3, m).transpose(1, 2, 0), dt)
    sup, dg, sub = d[0], d[1], d[2]
    r = xp.ascontiguousarray(xp.broadcast_to(b, out_shape).reshape(nb, m, k).transpose(1, 0, 2), dt)
    if partial_pivoting and not perturb_singular and m >= _LAPACK_MIN_ROWS and nb <= _LAPACK_MAX_SYSTEMS:
        x = _tridiag_lapack(sup, dg, sub, r)
        if x is not None:
            out = xp.moveaxis(x, 0, 1).reshape(out_shape).astype(diagonals.dtype, copy=False)
            return out[..., 0] if vec else out
    with np.errstate(all="ignore"):
        if partial_pivoting:
            x = _tridiag_gtsv(xp, sup, dg, sub, r, perturb_singular)
        else:
            x = _tridiag_thomas(xp, sup, dg, sub, r)
    out = xp.moveaxis(x, 0, 1).reshape(out_shape).astype(diagonals.dtype, copy=False)
    return out[..., 0] if vec else out


# Few long systems go to LAPACK's xGTSV (the same partial pivoting) one system at a time; many short
# ones stay with the NumPy elimination, vectorised over the batch.
_LAPACK_MIN_ROWS, _LAPACK_MAX_SYSTEMS = 64, 16


def _tridiag_lapack(sup, dg, sub, r):
    """Solves each system with LAPACKE ?gtsv from NumPy's OpenBLAS; None when it is not available.
    sup/dg/sub: [M, B]; r: [M, B, K] (time-major, as the NumPy path takes them)."""
    from .._blas import lapack_gtsv
    gtsv = lapack_gtsv(dg.dtype)
    if gtsv is None:
        return None
    m, nb = dg.shape
    k = r.shape[2]
    x = np.empty_like(r)
    for j in range(nb):
        # Copies: gtsv overwrites all four (the inputs may be the caller's own buffers).
        dl, d, du = np.array(sub[1:, j]), np.array(dg[:, j]), np.array(sup[:-1, j])
        b = np.array(r[:, j, :], order="C")
        if gtsv(m, k, dl, d, du, b) != 0:  # a zero pivot: TF fills the failed system
            b[...] = _tridiag_fail_value(b.dtype)
        x[:, j, :] = b
    return x


def _tridiag_fail_value(dt):
    # TF fills a failed system with numeric_limits<Scalar>::quiet_NaN(), which is 0 for std::complex.
    return 0 if np.dtype(dt).kind == "c" else np.nan


def _tridiag_thomas(xp, sup, dg, sub, r):
    m = dg.shape[0]
    bad = dg[0] == 0
    u = xp.empty_like(dg)
    x = xp.empty_like(r)
    den = xp.where(bad, 1, dg[0])
    u[0] = sup[0] / den
    x[0] = r[0] / den[:, None]
    for i in range(1, m):
        den = dg[i] - sub[i] * u[i - 1]
        z = den == 0
        bad |= z
        den[z] = 1
        u[i] = sup[i] / den
        x[i] = (r[i] - sub[i][:, None] * x[i - 1]) / den[:, None]
    for i in range(m - 2, -1, -1):
        x[i] -= u[i][:, None] * x[i + 1]
    x[:, bad] = _tridiag_fail_value(x.dtype)
    return x


def _tridiag_gtsv(xp, sup, dg, sub, r, perturb):
    """Row-pivoted LU of the tridiagonal matrices fused with the forward solve, then back substitution.
    Each step keeps as pivot row whichever of rows i, i + 1 has the larger (scaled, with `perturb`) entry
    in column i; U has the diagonal u0 and two superdiagonals u1, u2."""
    m, nb = dg.shape
    rdt = np.finfo(dg.real.dtype).dtype
    u0, u1, u2 = xp.empty_like(dg), xp.empty_like(dg), xp.zeros_like(dg)
    x = xp.zeros((m + 2,) + r.shape[1:], r.dtype)  # two zero rows below for the back substitution
    u0[0], u1[0] = dg[0], (sup[0] if m > 1 else 0)
    x[0] = r[0]
    bad = xp.zeros(nb, bool)
    zero = xp.zeros(nb, dg.dtype)
    if perturb:
        scale1 = xp.abs(u0[0]) + xp.abs(u1[0])
        max_u = xp.maximum(xp.abs(u0[0]), xp.abs(u1[0]))
    for i in range(m - 1):
        a, s, d1 = u0[i], sub[i + 1], dg[i + 1]
        s1 = sup[i + 1] if i < m - 2 else zero
        if perturb:
            scale2 = xp.abs(s) + xp.abs(d1) + xp.abs(s1)
            piv1 = xp.where(a == 0, 0, xp.abs(a) / scale1)
            swap = (s != 0) & (xp.abs(s) / scale2 > piv1)
            scale1 = xp.where(swap, scale1, scale2)
        else:
            swap = xp.abs(a) < xp.abs(s)
        p0, q0 = xp.where(swap, s, a), xp.where(swap, a, s)
        p1, q1 = xp.where(swap, d1, u1[i]), xp.where(swap, u1[i], d1)
        p2, q2 = xp.where(swap, s1, 0), xp.where(swap, 0, s1)
        sw = swap[:, None]
        px, qx = xp.where(sw, r[i + 1], x[i]), xp.where(sw, x[i], r[i + 1])
        if perturb:  # a zero subdiagonal needs no elimination; p0 may be zero here and is handled later
            f = xp.where(s == 0, 0, q0 / xp.where(p0 == 0, 1, p0))
        else:
            z = p0 == 0
            bad |= z
            f = q0 / xp.where(z, 1, p0)
        u0[i], u1[i], u2[i] = p0, p1, p2
        u0[i + 1], u1[i + 1] = q1 - f * p1, q2 - f * p2
        x[i] = px
        x[i + 1] = qx - f[:, None] * px
        if perturb and i < m - 2:
            max_u = xp.maximum(max_u, xp.maximum(xp.abs(p0), xp.maximum(xp.abs(p1), xp.abs(p2))))
    if perturb:
        tol = float(np.finfo(rdt).eps) * xp.maximum(max_u, xp.abs(u0[m - 1]))
        for i in range(m - 1, -1, -1):
            row = x[i] - u1[i][:, None] * x[i + 1] - u2[i][:, None] * x[i + 2] if i < m - 1 else x[i]
            den, row = _tridiag_perturb_pivot(xp, u0[i], row, tol)
            x[i] = row * (1 / den)[:, None]
        return x[:m]
    z = u0[m - 1] == 0
    bad |= z
    u0[:, bad] = 1
    x[m - 1] /= u0[m - 1][:, None]
    for i in range(m - 2, -1, -1):
        x[i] = (x[i] - u1[i][:, None] * x[i + 1] - u2[i][:, None] * x[i + 2]) / u0[i][:, None]
    x = x[:m]
    x[:, bad] = _tridiag_fail_value(x.dtype)
    return x


def _pad_last(x, before, after):
    rank = x.shape.rank
    return array_ops.pad(x, [[0, 0]] * (rank - 1) + [[before, after]])


def _tridiag_adjoint(diags):
    """The compact diagonals of the conjugate transpose of a tridiagonal matrix."""
    sup, main, sub = array_ops.unstack(diags, num=3, axis=-2)
    new_sup = _pad_last(sub[..., 1:], 0, 1)
    new_sub = _pad_last(sup[..., :-1], 1, 0)
    return _conj(array_ops.stack([new_sup, main, new_sub], axis=-2))


def _three_diagonals_of_product(x, y):
    """The compact diagonals of x @ y^H for x, y of shape [..., M, K]."""
    yc = _conj(y)
    main = math_ops.reduce_sum(math_ops.multiply(x, yc), axis=-1)
    rank = y.shape.rank
    up = array_ops.pad(yc[..., 1:, :], [[0, 0]] * (rank - 2) + [[0, 1], [0, 0]])
    down = array_ops.pad(yc[..., :-1, :], [[0, 0]] * (rank - 2) + [[1, 0], [0, 0]])
    sup = math_ops.reduce_sum(math_ops.multiply(x, up), axis=-1)
    sub = math_ops.reduce_sum(math_ops.multiply(x, down), axis=-1)
    return array_ops.stack([sup, main, sub], axis=-2)


def _tridiag_solve_grad(op, dy):
    diags = op.inputs[0]
    x = op.outputs[0]
    vec = op.inputs[1].shape.rank == diags.shape.rank - 1
    attrs = op.attrs
    g_rhs = bind("TridiagonalSolve", [_tridiag_adjoint(diags), dy], attrs)
    gx, xx = (array_ops.expand_dims(g_rhs, -1), array_ops.expand_dims(x, -1)) if vec else (g_rhs, x)
    return [math_ops.negative(_three_diagonals_of_product(gx, xx)), g_rhs]


def _tridiag_sample(*batch, m=4):
    d = S.normal(*batch, 3, m)
    d[..., 1, :] += 4.0
    return d


register("TridiagonalSolve", kernel=_tridiag_solve_kernel, infer=_tridiag_solve_infer, grad=_tridiag_solve_grad,
         api="tf.linalg.tridiagonal_solve", args=("diagonals", "rhs"),
         samples=lambda: [([_tridiag_sample(), S.normal(4, 2)], {"partial_pivoting": True, "perturb_singular": False}),
                          ([_tridiag_sample(2), S.normal(2, 4)], {"partial_pivoting": False,
                                                                  "perturb_singular": False})])


def _tridiagonal_solve_compact(diagonals, rhs, transpose_rhs, conjugate_rhs, partial_pivoting, perturb_singular):
    dr, rr = diagonals.shape.rank, rhs.shape.rank
    if dr:
        if dr < 2:
            raise ValueError("Expected diagonals to have rank at least 2, got {}".format(dr))
        if rr and rr != dr and rr != dr - 1:
            raise ValueError("Expected the rank of rhs to be {} or {}, got {}".format(dr - 1, dr, rr))
        if rr and not diagonals.shape[:-2].is_compatible_with(rhs.shape[:dr - 2]):
            raise ValueError("Batch shapes {} and {} are incompatible".format(diagonals.shape[:-2],
                                                                               rhs.shape[:dr - 2]))
    if diagonals.shape[-2] and diagonals.shape[-2] != 3:
        raise ValueError("Expected 3 diagonals got {}".format(diagonals.shape[-2]))
    attrs = {"partial_pivoting": bool(partial_pivoting), "perturb_singular": bool(perturb_singular)}

    def check_counts(r, axis):
        m, k = diagonals.shape[-1], r.shape[axis]
        if m and k and m != k:
            raise ValueError("Expected number of left-hand sided and right-hand sides to be equal, got {} and {}"
                             .format(m, k))

    if rr and dr and rr == dr - 1:
        if conjugate_rhs:
            rhs = _conj(rhs)
        check_counts(rhs, -1)
        return _checked("TridiagonalSolve", [diagonals, rhs], attrs)
    if transpose_rhs:
        rhs = matrix_transpose(rhs, conjugate=conjugate_rhs)
    elif conjugate_rhs:
        rhs = _conj(rhs)
    check_counts(rhs, -2)
    return _checked("TridiagonalSolve", [diagonals, rhs], attrs)


def _tridiag_from_sequence(diagonals):
    if not isinstance(diagonals, (tuple, list)) or len(diagonals) != 3:
        raise ValueError("Expected diagonals to be a sequence of length 3.")
    sup, main, sub = (_t(d) for d in diagonals)
    if (not sub.shape[:-1].is_compatible_with(main.shape[:-1])
            or not sup.shape[:-1].is_compatible_with(main.shape[:-1])):
        raise ValueError("Tensors representing the three diagonals must have the same shape,except for the last "
                         "dimension, got {}, {}, {}".format(sub.shape, main.shape, sup.shape))
    m = main.shape[-1]

    def pad_if_necessary(t, name, before, after):
        n = t.shape[-1]
        if not n or n == m:
            return t
        if n == m - 1:
            return _pad_last(t, before, after)
        raise ValueError("Expected {} to be have length {} or {}, got {}.".format(name, m, m - 1, n))

    sub = pad_if_necessary(sub, "subdiagonal", 1, 0)
    sup = pad_if_necessary(sup, "superdiagonal", 0, 1)
    return array_ops.stack([sup, main, sub], axis=-2)


def _tridiag_from_matrix(diagonals):
    m1, m2 = diagonals.shape[-1], diagonals.shape[-2]
    if m1 and m2 and m1 != m2:
        raise ValueError("Expected last two dimensions of diagonals to be same, got {} and {}".format(m1, m2))
    return diag_part(diagonals, k=(-1, 1), padding_value=0.0, align="LEFT_RIGHT")


@tf_export("linalg.tridiagonal_solve")
def tridiagonal_solve(diagonals, rhs, diagonals_format="compact", transpose_rhs=False, conjugate_rhs=False,
                      name=None, partial_pivoting=True, perturb_singular=False) -> Tensor:
    """Solves tridiagonal systems of equations (tf.linalg.tridiagonal_solve).

    Args:
      diagonals: 'compact': a [..., 3, M] tensor (superdiagonal, diagonal, subdiagonal; the
        superdiagonal's last and the subdiagonal's first element are ignored); 'sequence':
        a list of three [..., M] (or M - 1) tensors; 'matrix': [..., M, M] matrices.
      rhs: [..., M, K] right-hand sides, or [..., M] for a batch of vectors.
      transpose_rhs, conjugate_rhs: transpose / conjugate `rhs` first.
      partial_pivoting: solve with partial pivoting (this implementation always pivots).
      perturb_singular: accepted for compatibility; singular systems give NaN.
    """
    if perturb_singular and not partial_pivoting:
        raise ValueError("partial_pivoting must be True if perturb_singular is.")
    if diagonals_format == "compact":
        d = _t(diagonals)
    elif diagonals_format == "sequence":
        d = _tridiag_from_sequence(diagonals)
    elif diagonals_format == "matrix":
        d = _tridiag_from_matrix(_t(diagonals))
    else:
        raise ValueError("Unrecognized diagonals_format: {}".format(diagonals_format))
    r = _t(rhs, dtype_hint=d.dtype) if not math_ops._is_tensorish(rhs) else _t(rhs)
    return _tridiagonal_solve_compact(d, r, transpose_rhs, conjugate_rhs, partial_pivoting, perturb_singular)


def _tmm_infer(specs, attrs):
    api, op = "tf.linalg.tridiagonal_matmul", "TridiagonalMatMul"
    sh.check_dtype(api, op, specs[0], _FLOAT_COMPLEX, "superdiag")
    d = sh.same_dtype(api, op, specs, ("superdiag", "maindiag", "subdiag", "rhs"))
    ss = [sh.dims(s) for s in specs]
    r = ss[3]
    if any(s is None for s in ss):
        return [(r, d)]
    if len({len(s) for s in ss}) != 1:
        raise sh.error(api, op, "All input tensors must have the same rank. (argument shapes %s)"
                       % ", ".join(sh.fmt(s) for s in ss))
    if len(r) < 2:
        raise sh.error(api, op, "Input must have rank >= 2, but got %s (argument rhs)" % sh.fmt(r))
    for name, s in zip(("superdiagonal", "maindiagonal", "subdiagonal"), ss[:3]):
        if s[-2] not in (None, 1) or (s[-1] is not None and r[-2] is not None and s[-1] != r[-2]) or \
                any(x is not None and y is not None and x != y for x, y in zip(s[:-2], r[:-2])):
            raise sh.error(api, op, "Invalid %s shape. (argument shape %s, rhs shape %s)" % (name, sh.fmt(s), sh.fmt(r)))
    return [(r, d)]


def _tmm_kernel(xp, superdiag, maindiag, subdiag, rhs):
    sup, main, sub = (xp.swapaxes(v, -1, -2) for v in (superdiag, maindiag, subdiag))
    out = main * rhs
    out[..., :-1, :] += sup[..., :-1, :] * rhs[..., 1:, :]
    out[..., 1:, :] += sub[..., 1:, :] * rhs[..., :-1, :]
    return out


def _shift_rows(x, up):
    """x shifted one row up (row i takes row i + 1, zero last) or down, along axis -2."""
    rank = x.shape.rank
    pads = [[0, 0]] * (rank - 2)
    if up:
        return array_ops.pad(x[..., 1:, :], pads + [[0, 1], [0, 0]])
    return array_ops.pad(x[..., :-1, :], pads + [[1, 0], [0, 0]])


def _tmm_grad(op, dy):
    sup, main, sub, rhs = op.inputs
    sup_c, main_c, sub_c = (matrix_transpose(v, conjugate=True) for v in (sup, main, sub))
    rhs_c = _conj(rhs)
    g_sup = math_ops.reduce_sum(math_ops.multiply(_shift_rows(rhs_c, True), dy), axis=-1)
    g_main = math_ops.reduce_sum(math_ops.multiply(rhs_c, dy), axis=-1)
    g_sub = math_ops.reduce_sum(math_ops.multiply(_shift_rows(rhs_c, False), dy), axis=-1)
    g_rhs = math_ops.add_n([_shift_rows(math_ops.multiply(sup_c, dy), False), math_ops.multiply(main_c, dy),
                            _shift_rows(math_ops.multiply(sub_c, dy), True)])
    return [array_ops.expand_dims(g, -2) for g in (g_sup, g_main, g_sub)] + [g_rhs]


register("TridiagonalMatMul", kernel=_tmm_kernel, infer=_tmm_infer, grad=_tmm_grad, api="tf.linalg.tridiagonal_matmul",
         args=("superdiag", "maindiag", "subdiag", "rhs"),
         samples=lambda: [([S.normal(1, 4), S.normal(1, 4), S.normal(1, 4), S.normal(4, 2)], {}),
                          ([S.normal(2, 1, 3), S.normal(2, 1, 3), S.normal(2, 1, 3), S.normal(2, 3, 3)], {})])


@tf_export("linalg.tridiagonal_matmul")
def tridiagonal_matmul(diagonals, rhs, diagonals_format="compact", name=None) -> Tensor:
    """Multiplies tridiagonal matrices by `rhs` [..., M, N] (tf.linalg.tridiagonal_matmul).

    `diagonals` is in 'compact' ([..., 3, M]), 'sequence' (three [..., M] tensors) or
    'matrix' ([..., M, M]) format, as for tf.linalg.tridiagonal_solve.
    """
    if diagonals_format == "compact":
        d = _t(diagonals)
        sup, main, sub = d[..., 0, :], d[..., 1, :], d[..., 2, :]
    elif diagonals_format == "sequence":
        sup, main, sub = (_t(v) for v in diagonals)
    elif diagonals_format == "matrix":
        d = _tridiag_from_matrix(_t(diagonals))
        sup, main, sub = d[..., 0, :], d[..., 1, :], d[..., 2, :]
    else:
        raise ValueError("Unrecognized diagonals_format: %s" % diagonals_format)
    r = _t(rhs, dtype_hint=main.dtype) if not math_ops._is_tensorish(rhs) else _t(rhs)
    return _checked("TridiagonalMatMul", [array_ops.expand_dims(v, -2) for v in (sup, main, sub)] + [r])


# ---------------------------------------------------------------- BandedTriangularSolve
def _banded_infer(specs, attrs):
    api, op = "tf.linalg.banded_triangular_solve", "BandedTriangularSolve"
    sh.check_dtype(api, op, specs[0], _FLOAT_COMPLEX, "bands")
    d = sh.same_dtype(api, op, specs, ("bands", "rhs"))
    a, b = sh.dims(specs[0]), sh.dims(specs[1])
    if a is None or b is None:
        return [(None, d)]
    for i, s in enumerate((a, b)):
        if len(s) < 2:
            raise sh.error(api, op, "In[%d] ndims must be >= 2: %d (arguments bands and rhs)" % (i, len(s)))
    if a[-1] is not None and b[-2] is not None and a[-1] != b[-2]:
        raise sh.error(api, op, "In[0] mismatch In[1] shape: %d vs. %d: %s %s %d %d (arguments bands and rhs)"
                       % (a[-1], b[-2], sh.fmt(a), sh.fmt(b), attrs["lower"], attrs["adjoint"]))
    try:
        batch = sh.broadcast_shapes(a[:-2], b[:-2])
    except InvalidArgumentError:
        raise sh.error(api, op, "Incompatible batch shapes: %s vs. %s (arguments bands and rhs)"
                       % (sh.fmt(a), sh.fmt(b))) from None
    return [(batch + b[-2:], d)]


def _bands_to_dense(xp, bands, lower):
    k, m = bands.shape[-2], bands.shape[-1]
    if k > m:
        bands = bands[..., :m, :] if lower else bands[..., k - m:, :]
        k = m
    rng = (-(k - 1), 0) if lower else (0, k - 1)
    src = bands[..., 0, :] if k == 1 else bands
    return _diag_kernel(xp, src, rng, m, m, 0, "LEFT_RIGHT")


def _banded_kernel(xp, bands, rhs, lower, adjoint):
    return _triangular_solve_kernel(xp, _bands_to_dense(xp, bands, lower), rhs, lower, adjoint)


def _banded_grad(op, dy):
    a, b = op.inputs
    k = a.shape[-2]
    adj, lower = op.attrs["adjoint"], op.attrs["lower"]
    c = op.outputs[0]
    gb = bind("BandedTriangularSolve", [a, dy], {"lower": lower, "adjoint": not adj})
    ga = math_ops.negative(_bmm(c, gb, False, True) if adj else _bmm(gb, c, False, True))
    ga = diag_part(ga, k=(-(k - 1), 0) if lower else (0, k - 1), align="LEFT_RIGHT")
    if k == 1:
        ga = array_ops.expand_dims(ga, -2)
    return [_unbroadcast_batch(ga, a), _unbroadcast_batch(gb, b)]


def _bands_sample(*shape):
    x = S.normal(*shape)
    x[..., 0, :] += 4.0
    return x


register("BandedTriangularSolve", kernel=_banded_kernel, infer=_banded_infer, grad=_banded_grad,
         api="tf.linalg.banded_triangular_solve", args=("bands", "rhs"),
         samples=lambda: [([_bands_sample(2, 4), S.normal(4, 2)], {"lower": True, "adjoint": False}),
                          ([_bands_sample(3, 4)[..., ::-1, :].copy(), S.normal(2, 4, 1)],
                           {"lower": False, "adjoint": True}),
                          ([_bands_sample(2, 1, 3), S.normal(3, 2)], {"lower": True, "adjoint": True})])


@tf_export("linalg.banded_triangular_solve")
def banded_triangular_solve(bands, rhs, lower=True, adjoint=False, name=None) -> Tensor:
    """Solves triangular systems given in banded form (tf.linalg.banded_triangular_solve).

    `bands` is [..., K, M]: with `lower` the rows are the diagonal then the K - 1
    subdiagonals (top row the diagonal), else the K - 1-th superdiagonal down to the diagonal
    (bottom row), stored with 'LEFT_RIGHT' alignment.
    """
    a = _t(bands)
    r = _t(rhs, dtype_hint=a.dtype) if not math_ops._is_tensorish(rhs) else _t(rhs)
    return _checked("BandedTriangularSolve", [a, r], {"lower": bool(lower), "adjoint": bool(adjoint)})


# ---------------------------------------------------------------- Eig
_COMPLEX_OF = {dtypes.float32: dtypes.complex64, dtypes.float64: dtypes.complex128,
               dtypes.complex64: dtypes.complex64, dtypes.complex128: dtypes.complex128}


def _eig_infer(specs, attrs):
    s = _square_spec("tf.linalg.eig", "Eig", specs[0], _FLOAT_COMPLEX, "tensor")
    out = attrs["Tout"]
    if s is None:
        return [(None, out), (None, out)]
    return [(s[:-1], out), (s if attrs["compute_v"] else (0,), out)]


def _eig_kernel(xp, x, compute_v, Tout):  # noqa: N803 - TF's attr name
    ct = Tout.as_numpy_dtype
    if not compute_v:
        return xp.linalg.eigvals(x).astype(ct), xp.zeros((0,), ct)
    e, v = xp.linalg.eig(x)
    return e.astype(ct), v.astype(ct)


def _eig_grad(op, de, dv):
    a = op.inputs[0]
    e = op.outputs[0]
    de = array_ops.zeros_like(e) if de is None else de
    if op.attrs["compute_v"]:
        v = op.outputs[1]
        dv = array_ops.zeros_like(v) if dv is None else dv
        vt = adjoint(v)
        f = set_diag(_safe_reciprocal(math_ops.subtract(array_ops.expand_dims(e, -2), array_ops.expand_dims(e, -1))),
                     array_ops.zeros_like(e))
        f = math_ops.conj(f)
        vgv = _bmm(vt, dv)
        diag_grad = diag(math_ops.cast(math_ops.real(diag_part(vgv)), vgv.dtype))
        mid = math_ops.add(diag(de), math_ops.multiply(f, math_ops.subtract(vgv, _bmm(_bmm(vt, v), diag_grad))))
        g = solve(vt, _bmm(mid, vt))
    else:
        _, v = eig(a)
        vt = adjoint(v)
        g = solve(vt, _bmm(diag(de), vt))
    return [g if a.dtype.is_complex else math_ops.real(g)]


def _real_eig_sample():
    t = S.normal(3, 3) + 3 * np.eye(3)
    return t @ np.diag([1.0, -2.0, 3.5]) @ np.linalg.inv(t)


register("Eig", kernel=_eig_kernel, infer=_eig_infer, grad=_eig_grad, api="tf.linalg.eig", num_outputs=2,
         args=("tensor",),
         samples=lambda: [([_real_eig_sample()], {"compute_v": True, "Tout": dtypes.complex128}),
                          ([S.normal(2, 3, 3)], {"compute_v": False, "Tout": dtypes.complex128}),
                          ([S.normal(3, 3).astype(np.float32)], {"compute_v": True, "Tout": dtypes.complex64})])


@tf_export("linalg.eig", "eig")
def eig(tensor, name=None):
    """Eigen-decomposition of general square matrices (tf.linalg.eig).

    Returns:
      `(e, v)`, complex (complex64 for float32/complex64 input, complex128 otherwise):
      A v[..., :, i] = e[..., i] v[..., :, i], with unit-norm eigenvectors.
    """
    x = _t(tensor)
    out = _COMPLEX_OF.get(x.dtype, dtypes.complex128)
    return _checked("Eig", [x], {"compute_v": True, "Tout": out})


@tf_export("linalg.eigvals", "eigvals")
def eigvals(tensor, name=None) -> Tensor:
    """Eigenvalues of general square matrices, complex (tf.linalg.eigvals)."""
    x = _t(tensor)
    out = _COMPLEX_OF.get(x.dtype, dtypes.complex128)
    return _checked("Eig", [x], {"compute_v": False, "Tout": out})[0]


# ---------------------------------------------------------------- matrix functions: expm, logm, sqrtm
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0, 129060195264000.0,
           10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def _expm_kernel(xp, x):
    work = x.astype(np.complex128 if x.dtype.kind == "c" else np.float64)
    n = work.shape[-1]
    if n == 0 or work.size == 0:
        return x.copy()
    nrm = xp.abs(work).sum(axis=-2).max(axis=-1)
    with np.errstate(all="ignore"):
        s = xp.ceil(xp.log2(nrm / _THETA13))
    s = xp.where(xp.isfinite(s) & (s > 0), s, 0).astype(np.int64)
    a = work / xp.ldexp(1.0, s)[..., None, None]
    b = _PADE13
    ident = xp.eye(n, dtype=work.dtype)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * ident)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * ident
    try:
        r = xp.linalg.solve(v - u, v + u)
    except np.linalg.LinAlgError:
        r = xp.full_like(work, np.nan)
    for k in range(int(s.max()) if s.size else 0):
        r = xp.where((s > k)[..., None, None], r @ r, r)
    return r.astype(x.dtype)


def _expm_grad(op, dy):
    # The adjoint of the Frechet derivative: the top-right block of expm([[A^H, G], [0, A^H]]).
    ah = adjoint(op.inputs[0])
    top = array_ops.concat([ah, dy], axis=-1)
    bottom = array_ops.concat([array_ops.zeros_like(ah), ah], axis=-1)
    big = bind("MatrixExponential", [array_ops.concat([top, bottom], axis=-2)])
    upper = array_ops.split(big, 2, axis=-2)[0]
    return [array_ops.split(upper, 2, axis=-1)[1]]


register("MatrixExponential", kernel=_expm_kernel,
         infer=lambda s, a: [(_square_spec("tf.linalg.expm", "MatrixExponential", s[0], LAPACK_TYPES), s[0].dtype)],
         grad=_expm_grad, api="tf.linalg.expm", args=("input",),
         samples=lambda: [([S.normal(3, 3)], {}), ([S.normal(2, 2, 2) * 4.0], {})])


@tf_export("linalg.expm")
def expm(input, name=None) -> Tensor:  # noqa: A002
    """The matrix exponential of each square matrix (tf.linalg.expm), by Pade approximation with scaling
    and squaring."""
    x = _t(input)
    if x.dtype not in LAPACK_TYPES:
        raise ValueError("tf.linalg.expm does not support matrices of type %s" % x.dtype)
    return _checked("MatrixExponential", [x])


def _sqrtm_db(xp, a):
    """Principal square roots by the scaled Denman-Beavers iteration (batched)."""
    n = a.shape[-1]
    y = a
    z = xp.broadcast_to(xp.eye(n, dtype=a.dtype), a.shape)
    tol = np.finfo(a.real.dtype).eps * n
    for i in range(100):
        yi, zi = xp.linalg.inv(y), xp.linalg.inv(z)
        if i < 10:
            _, ly = xp.linalg.slogdet(y)
            _, lz = xp.linalg.slogdet(z)
            g = xp.exp(-(ly + lz) / (2.0 * n))[..., None, None]
        else:
            g = 1.0
        y_new = 0.5 * (g * y + zi / g)
        z = 0.5 * (g * z + yi / g)
        diff = xp.abs(y_new - y).max(axis=(-2, -1))
        y = y_new
        if (diff <= tol * xp.abs(y).max(axis=(-2, -1))).all() and i >= 1:
            break
    return y


def _sqrtm_eig(xp, a):
    e, v = xp.linalg.eig(a)
    return (v * xp.sqrt(e.astype(np.complex128))[..., None, :]) @ xp.linalg.inv(v)


def _sqrtm_kernel(xp, x):
    real = x.dtype.kind != "c"
    work = x.astype(np.complex128)
    if work.size == 0:
        return x.copy()
    try:
        with np.errstate(all="ignore"):
            r = _sqrtm_db(xp, work)
        if not xp.isfinite(r).all():
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:  # singular matrices: through the eigen-decomposition
        r = _sqrtm_eig(xp, work)
    if real:
        e = xp.linalg.eigvals(x.astype(np.float64))
        bad = ((e.real < 0) & (xp.abs(e.imag) <= 1e-12 * xp.abs(e).max(axis=-1, keepdims=True))).any(axis=-1)
        r = xp.where(bad[..., None, None], np.nan, r.real)
    return r.astype(x.dtype)


def _sqrtm_grad(op, dy):
    # S S = A, so dA = S dS + dS S; the gradient X solves S^H X + X S^H = G (row-major vec of a Kronecker system).
    s = op.outputs[0]
    n = s.shape[-1]
    if n is None:
        raise NotImplementedError("The gradient of tf.linalg.sqrtm needs a static matrix size")
    sh_ = adjoint(s)
    ident = eye(n, dtype=s.dtype)
    k1 = einsum("...ij,kl->...ikjl", sh_, ident)
    k2 = einsum("ij,...kl->...ikjl", ident, _conj(s))
    batch = s.shape[:-2].as_list()
    if None in batch:
        bs = array_ops.shape(s)[:-2]
        big = array_ops.reshape(math_ops.add(k1, k2), array_ops.concat([bs, [n * n, n * n]], 0))
        rhs = array_ops.reshape(dy, array_ops.concat([bs, [n * n, 1]], 0))
        return [array_ops.reshape(solve(big, rhs), array_ops.shape(dy))]
    big = array_ops.reshape(math_ops.add(k1, k2), batch + [n * n, n * n])
    x = solve(big, array_ops.reshape(dy, batch + [n * n, 1]))
    return [array_ops.reshape(x, batch + [n, n])]


register("MatrixSquareRoot", kernel=_sqrtm_kernel,
         infer=lambda s, a: [(_square_spec("tf.linalg.sqrtm", "MatrixSquareRoot", s[0], _FLOAT_COMPLEX), s[0].dtype)],
         grad=_sqrtm_grad, api="tf.linalg.sqrtm", args=("input",),
         samples=lambda: [([_spd(3, 3)], {}), ([S.normal(2, 2, 2) + 3 * np.eye(2)], {})])


@tf_export("linalg.sqrtm", "matrix_square_root")
def sqrtm(input, name=None) -> Tensor:  # noqa: A002
    """The principal square root of each square matrix (tf.linalg.sqrtm, tf.matrix_square_root).

    Real matrices with a negative real eigenvalue have no real square root: NaNs, as in TF.
    """
    return _checked("MatrixSquareRoot", [_t(input)])


def _logm_kernel(xp, x):
    a = x.astype(np.complex128)
    n = a.shape[-1]
    if a.size == 0:
        return x.copy()
    ident = xp.eye(n, dtype=a.dtype)
    k = 0
    with np.errstate(all="ignore"):
        while k < 64 and xp.abs(a - ident).sum(axis=-2).max() > 0.25:
            try:
                a = _sqrtm_db(xp, a)
            except np.linalg.LinAlgError:
                a = _sqrtm_eig(xp, a)
            k += 1
        try:
            z = xp.linalg.solve(a + ident, a - ident)  # (A - I)(A + I)^-1: the factors commute
        except np.linalg.LinAlgError:
            return xp.full_like(x, np.nan)
        z2 = z @ z
        term = z
        total = z.copy()
        for j in range(1, 16):
            term = term @ z2
            total = total + term / (2 * j + 1)
    return (total * (2.0 * 2.0 ** k)).astype(x.dtype)


register("MatrixLogarithm", kernel=_logm_kernel,
         infer=lambda s, a: [(_square_spec("tf.linalg.logm", "MatrixLogarithm", s[0],
                                           (dtypes.complex64, dtypes.complex128)), s[0].dtype)],
         grad=NON_DIFFERENTIABLE, api="tf.linalg.logm", args=("input",),
         samples=lambda: [([(_spd(3, 3)).astype(np.complex128)], {}),
                          ([(S.normal(2, 2, 2) + 1j * S.normal(2, 2, 2) + 3 * np.eye(2)).astype(np.complex64)], {})])


@tf_export("linalg.logm")
def logm(input, name=None) -> Tensor:  # noqa: A002
    """The principal logarithm of each complex square matrix (tf.linalg.logm), by inverse scaling and squaring."""
    return _checked("MatrixLogarithm", [_t(input)])


# ---------------------------------------------------------------- eigh_tridiagonal (composite)
@tf_export("linalg.eigh_tridiagonal")
def eigh_tridiagonal(alpha, beta, eigvals_only=True, select="a", select_range=None, tol=None, name=None):
    """Eigenvalues (and eigenvectors) of a Hermitian tridiagonal matrix (tf.linalg.eigh_tridiagonal).

    Args:
      alpha: the n diagonal elements (the imaginary part of complex values is ignored).
      beta: the n - 1 superdiagonal elements (the subdiagonal is their conjugate).
      eigvals_only: return only the eigenvalues.
      select: 'a' all, 'v' those in the half-open interval (select_range[0], select_range[1]],
        'i' those with indices select_range[0] <= i <= select_range[1].
      tol: accepted for compatibility (the eigenvalues are computed to full precision).

    Returns:
      The eigenvalues in ascending order, and with `eigvals_only=False` also the
      eigenvectors as the columns of a matrix.
    """
    a = _t(alpha)
    b = _t(beta)
    if a.dtype is not b.dtype:
        raise ValueError("'alpha' and 'beta' must have the same type.")
    if select not in ("a", "i", "v"):
        raise ValueError("'select must have a value in {'a', 'i', 'v'}.")
    if a.dtype.is_complex:
        a = math_ops.cast(math_ops.real(a), a.dtype)
    t = math_ops.add(diag(a), diag(_conj(b), k=-1))
    if eigvals_only:
        e, v = eigvalsh(t), None
    else:
        e, v = eigh(t)
    if select == "i":
        lo, hi = (int(_scalar_attr(r)) for r in select_range)
        e = e[lo:hi + 1]
        v = None if v is None else v[:, lo:hi + 1]
    elif select == "v":
        lo, hi = (_t(r, dtype=e.dtype) if not math_ops._is_tensorish(r) else math_ops.cast(r, e.dtype)
                  for r in select_range)
        mask = math_ops.logical_and(math_ops.greater(e, lo), math_ops.less_equal(e, hi))
        e = array_ops.boolean_mask(e, mask)
        v = None if v is None else array_ops.boolean_mask(v, mask, axis=1)
    return e if eigvals_only else (e, v)
from . import linear_operator  # noqa: E402,F401 - tf.linalg.LinearOperator* (uses the ops above)
