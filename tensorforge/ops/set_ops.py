"""tf.sets (size, intersection, union, difference) and tf.edit_distance.

A set is the last dimension of a dense tensor, or the values sharing all but the last index
of a SparseTensor. Set results are SparseTensors whose rows hold each group's elements in
ascending order; their last dimension is the largest result set. Kernels turn (group, value)
pairs into int64 codes (np.unique keeps the values' order, strings included) and work on
those with sorting and run-length logic.
"""
from __future__ import annotations

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import convert_to_tensor
from ..framework.tensor import Tensor
from . import shapes as sh
from .registry import NON_DIFFERENTIABLE, bind, register

_I64 = dtypes.int64
_SET_DTYPES = (dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64, dtypes.uint8, dtypes.uint16, dtypes.string)
_OPS = ("a-b", "b-a", "intersection", "union")


def _sparse_ops():
    from . import sparse_ops
    return sparse_ops


def _fmt(shape) -> str:
    return "[%s]" % ",".join(str(int(d)) for d in shape)


def _check_sorted(api, op_name, indices, dense_shape):
    """TF's validate_indices: index rows in bounds and in row-major order (repeats allowed within a set)."""
    if len(indices) == 0:
        return
    dims = np.asarray(dense_shape, np.int64)
    bad = ((indices < 0) | (indices >= dims)).any(axis=1)
    if bad.any():
        i = int(bad.argmax())
        raise sh.error(api, op_name, "Invalid indices %s for shape %s" % (_fmt(indices[i]), _fmt(dense_shape)))
    d = indices[1:] - indices[:-1]
    nz = d != 0
    first = nz.argmax(axis=1)
    step = np.where(nz.any(axis=1), np.sign(d[np.arange(len(d)), first]), 0)
    if (step < 0).any():
        i = int((step < 0).argmax()) + 1
        raise sh.error(api, op_name, "indices[%d] = %s is out of order. Many sparse ops require sorted indices.\n"
                       "    Use `tf.sparse.reorder` to create a correctly ordered copy.\n\n" % (i, _fmt(indices[i])))


def _groups_of_sparse(indices, dense_shape):
    """Linear group number (row-major over dense_shape[:-1]) of each sparse entry."""
    lead = [int(d) for d in dense_shape[:-1]]
    if not lead:
        return np.zeros(len(indices), np.int64)
    return np.ravel_multi_index(tuple(indices[:, :-1].T.astype(np.int64)), lead).astype(np.int64) if len(indices) \
        else np.zeros(0, np.int64)


def _dense_pairs(x):
    """(group, value) pairs of a dense set tensor [..., n]."""
    n = x.shape[-1]
    groups = np.repeat(np.arange(x.size // n if n else int(np.prod(x.shape[:-1])), dtype=np.int64), n)
    return groups, x.reshape(-1)


def _unique_pairs(groups, codes, ncodes):
    """The distinct (group, code) pairs, sorted, as int64 keys group * ncodes + code."""
    return np.unique(groups * ncodes + codes)


def _codes(*values):
    """Order-preserving int64 codes for the concatenation of `values` (and the sorted distinct values)."""
    allv = np.concatenate(values) if len(values) > 1 else values[0]
    uniq, inv = np.unique(allv, return_inverse=True)
    inv = inv.reshape(-1).astype(np.int64)
    out, start = [], 0
    for v in values:
        out.append(inv[start:start + len(v)])
        start += len(v)
    return uniq, out, max(len(uniq), 1)


def _set_result(keys, ncodes, uniq, lead_shape, dtype):
    """SparseTensor components for sorted distinct keys group * ncodes + code."""
    groups, codes = keys // ncodes, keys % ncodes
    n = len(keys)
    if n:
        starts = np.concatenate([[True], groups[1:] != groups[:-1]])
        first = np.flatnonzero(starts)
        run = np.repeat(first, np.diff(np.append(first, n)))
        pos = np.arange(n, dtype=np.int64) - run
        width = int(pos.max()) + 1
    else:
        pos = np.zeros(0, np.int64)
        width = 0
    lead = [int(d) for d in lead_shape]
    cols = np.unravel_index(groups, lead) if lead else ()
    indices = np.stack([np.asarray(c, np.int64) for c in cols] + [pos], axis=1) if n else \
        np.zeros((0, len(lead) + 1), np.int64)
    values = uniq[codes] if n else np.zeros(0, uniq.dtype)
    return indices, np.asarray(values, dtype=dtype), np.asarray(lead + [width], np.int64)


def _combine(ka, kb, set_operation):
    if set_operation == "intersection":
        return np.intersect1d(ka, kb, assume_unique=True)
    if set_operation == "union":
        return np.union1d(ka, kb)
    if set_operation == "a-b":
        return np.setdiff1d(ka, kb, assume_unique=True)
    return np.setdiff1d(kb, ka, assume_unique=True)


def _set_op(ga, va, gb, vb, lead, set_operation, dtype):
    uniq, (ca, cb), nc = _codes(va, vb)
    ka, kb = _unique_pairs(ga, ca, nc), _unique_pairs(gb, cb, nc)
    return _set_result(_combine(ka, kb, set_operation), nc, uniq, lead, dtype)


def _check_set_operation(api, op_name, set_operation):
    if set_operation not in _OPS:
        raise sh.error(api, op_name, "Invalid set_operation %s." % set_operation)


# ---------------------------------------------------------------- SetSize
_SIZE = "tf.sets.size"


def _set_size_kernel(xp, set_indices, set_values, set_shape, validate_indices=True):
    shape = [int(d) for d in set_shape]
    if len(shape) < 2:
        raise sh.error(_SIZE, "SetSize", "Invalid input rank %d." % len(shape))
    if validate_indices:
        _check_sorted(_SIZE, "SetSize", set_indices, shape)
    lead = shape[:-1]
    total = int(np.prod(lead))
    groups = _groups_of_sparse(set_indices, shape)
    _, (codes,), nc = _codes(set_values)
    keys = _unique_pairs(groups, codes, nc)
    return np.bincount(keys // nc, minlength=total).astype(np.int32).reshape(lead)


def _set_size_infer(specs, attrs):
    ind, val, shp = specs
    if val.dtype not in _SET_DTYPES:
        raise TypeError("Invalid dtype `%s` not in supported dtypes." % val.dtype.name)
    s = _sparse_ops()._shape_input(shp)
    return [(None if s is None else s[:-1], dtypes.int32)]


register("SetSize", kernel=_set_size_kernel, infer=_set_size_infer, grad=NON_DIFFERENTIABLE, api=_SIZE,
         args=("set_indices", "set_values", "set_shape"),
         samples=lambda: [([np.array([[0, 0], [0, 1], [0, 2], [2, 0]], np.int64), np.array([3, 1, 3, 5], np.int32),
                            np.array([3, 4], np.int64)], {"validate_indices": True})])


@tf_export("sets.size")
def size(a, validate_indices=True) -> Tensor:
    """The number of distinct values in each set (the last dimension) of a SparseTensor (tf.sets.size).

    Returns:
      An int32 tensor of shape `a.dense_shape[:-1]`.
    """
    sp = _sparse_ops()
    if not isinstance(a, sp.SparseTensor):
        raise TypeError("Expected `SparseTensor`, got %s." % (a,))
    if a.dtype not in _SET_DTYPES:
        raise TypeError("Invalid dtype `%s` not in supported dtypes: `%s`." % (a.dtype, frozenset(_SET_DTYPES)))
    return bind("SetSize", [a.indices, a.values, a.dense_shape], {"validate_indices": bool(validate_indices)})


# ---------------------------------------------------------------- set operations
def _result_specs(nnz, rank, dtype):
    return [((nnz, rank), _I64), ((nnz,), dtype), ((rank,), _I64)]


def _d2d_kernel(xp, set1, set2, set_operation, validate_indices=True):
    api, op = "tf.sets.%s" % _public(set_operation), "DenseToDenseSetOperation"
    _check_set_operation(api, op, set_operation)
    if set1.ndim < 2 or set2.ndim < 2:
        raise sh.error(api, op, "Invalid input rank %d." % min(set1.ndim, set2.ndim))
    if set1.shape[:-1] != set2.shape[:-1]:
        raise sh.error(api, op, "Mismatched shapes %s vs %s" % (_fmt(set1.shape[:-1]), _fmt(set2.shape[:-1])))
    ga, va = _dense_pairs(set1)
    gb, vb = _dense_pairs(set2)
    return _set_op(ga, va, gb, vb, set1.shape[:-1], set_operation, set1.dtype)


def _d2s_kernel(xp, set1, set2_indices, set2_values, set2_shape, set_operation, validate_indices=True):
    api, op = "tf.sets.%s" % _public(set_operation), "DenseToSparseSetOperation"
    _check_set_operation(api, op, set_operation)
    shape2 = [int(d) for d in set2_shape]
    if set1.ndim < 2 or len(shape2) < 2:
        raise sh.error(api, op, "Invalid input rank %d." % min(set1.ndim, len(shape2)))
    if validate_indices:
        _check_sorted(api, op, set2_indices, shape2)
    if list(set1.shape[:-1]) != shape2[:-1]:
        raise sh.error(api, op, "Mismatched shapes %s vs %s" % (_fmt(set1.shape[:-1]), _fmt(shape2[:-1])))
    ga, va = _dense_pairs(set1)
    gb = _groups_of_sparse(set2_indices, shape2)
    return _set_op(ga, va, gb, set2_values, set1.shape[:-1], set_operation, set1.dtype)


def _s2s_kernel(xp, set1_indices, set1_values, set1_shape, set2_indices, set2_values, set2_shape, set_operation,
                validate_indices=True):
    api, op = "tf.sets.%s" % _public(set_operation), "SparseToSparseSetOperation"
    _check_set_operation(api, op, set_operation)
    s1, s2 = [int(d) for d in set1_shape], [int(d) for d in set2_shape]
    if len(s1) < 2 or len(s2) < 2:
        raise sh.error(api, op, "Invalid input rank %d." % min(len(s1), len(s2)))
    if validate_indices:
        _check_sorted(api, op, set1_indices, s1)
        _check_sorted(api, op, set2_indices, s2)
    if len(s1) != len(s2):
        raise sh.error(api, op, "Mismatched shapes %s vs %s" % (_fmt(s1), _fmt(s2)))
    lead = [max(a, b) for a, b in zip(s1[:-1], s2[:-1])]
    ga = _groups_of_sparse(set1_indices, lead + [1])
    gb = _groups_of_sparse(set2_indices, lead + [1])
    return _set_op(ga, set1_values, gb, set2_values, lead, set_operation, set1_values.dtype)


def _public(set_operation):
    return {"a-b": "difference", "b-a": "difference"}.get(set_operation, set_operation)


def _set_infer(kind):
    def infer(specs, attrs):
        spo = _sparse_ops()
        dtype = specs[0].dtype if kind != "s2s" else specs[1].dtype
        other = specs[2].dtype if kind == "d2s" else specs[1].dtype if kind == "d2d" else specs[4].dtype
        api, op = "tf.sets.%s" % _public(attrs["set_operation"]), {
            "d2d": "DenseToDenseSetOperation", "d2s": "DenseToSparseSetOperation",
            "s2s": "SparseToSparseSetOperation"}[kind]
        if other is not dtype:
            raise sh.error(api, op, "Mismatched set dtypes %s and %s" % (dtype.name, other.name))
        if kind == "s2s":
            r = spo._rank_of(specs[0], specs[2])
        else:
            d = sh.dims(specs[0])
            r = None if d is None else len(d)
        vals = [spo._known(s) for s in specs]
        nnz = None
        if all(v is not None for v in vals):
            kern = {"d2d": _d2d_kernel, "d2s": _d2s_kernel, "s2s": _s2s_kernel}[kind]
            nnz = len(kern(np, *vals, **attrs)[0])
        return _result_specs(nnz, r, dtype)
    return infer


def _set_samples(kind):
    def samples():
        a = np.array([[1, 2, 2, 0], [3, -1, 0, 5]], np.int32)
        b = np.array([[2, 0, 7], [5, 5, 3]], np.int32)
        bi = np.array([[0, 0], [0, 1], [1, 0]], np.int64)
        bv = np.array([2, 9, 5], np.int32)
        bs = np.array([2, 3], np.int64)
        out = []
        for so in _OPS:
            attrs = {"set_operation": so, "validate_indices": True}
            if kind == "d2d":
                out.append(([a, b], attrs))
            elif kind == "d2s":
                out.append(([a, bi, bv, bs], attrs))
            else:
                out.append(([np.array([[0, 0], [0, 1], [1, 1]], np.int64), np.array([1, 2, 3], np.int32),
                             np.array([2, 4], np.int64), bi, bv, bs], attrs))
        return out
    return samples


register("DenseToDenseSetOperation", kernel=_d2d_kernel, infer=_set_infer("d2d"), grad=NON_DIFFERENTIABLE,
         api="tf.sets.union", num_outputs=3, args=("set1", "set2"), samples=_set_samples("d2d"))
register("DenseToSparseSetOperation", kernel=_d2s_kernel, infer=_set_infer("d2s"), grad=NON_DIFFERENTIABLE,
         api="tf.sets.union", num_outputs=3, args=("set1", "set2_indices", "set2_values", "set2_shape"),
         samples=_set_samples("d2s"))
register("SparseToSparseSetOperation", kernel=_s2s_kernel, infer=_set_infer("s2s"), grad=NON_DIFFERENTIABLE,
         api="tf.sets.union", num_outputs=3,
         args=("set1_indices", "set1_values", "set1_shape", "set2_indices", "set2_values", "set2_shape"),
         samples=_set_samples("s2s"))


def _convert_set(x, name):
    sp = _sparse_ops()
    if isinstance(x, sp.SparseTensor):
        return x
    return convert_to_tensor(x)


def _set_operation(a, b, set_operation, validate_indices=True):
    sp = _sparse_ops()
    a, b = _convert_set(a, "a"), _convert_set(b, "b")
    if a.dtype not in _SET_DTYPES:
        raise TypeError("'a' has invalid dtype `%s` not in supported dtypes: `%s`." % (a.dtype, frozenset(_SET_DTYPES)))
    if b.dtype is not a.dtype:
        raise TypeError("Types don't match, %s vs %s." % (a.dtype, b.dtype))
    attrs = {"set_operation": set_operation, "validate_indices": bool(validate_indices)}
    if isinstance(a, sp.SparseTensor):
        if not isinstance(b, sp.SparseTensor):
            raise ValueError("Sparse,Dense is not supported, but Dense,Sparse is. Please flip the order of your inputs.")
        out = bind("SparseToSparseSetOperation", [a.indices, a.values, a.dense_shape, b.indices, b.values,
                                                  b.dense_shape], attrs)
    elif isinstance(b, sp.SparseTensor):
        out = bind("DenseToSparseSetOperation", [a, b.indices, b.values, b.dense_shape], attrs)
    else:
        out = bind("DenseToDenseSetOperation", [a, b], attrs)
    return sp._wrap(*out)


@tf_export("sets.intersection")
def intersection(a, b, validate_indices=True):
    """The intersection of the sets in the last dimension of `a` and `b` (tf.sets.intersection).

    Args:
      a: a dense tensor or SparseTensor; its last dimension holds the sets.
      b: a dense tensor or SparseTensor of the same dtype (if `a` is sparse, `b` must be too).
      validate_indices: check that sparse indices are sorted.

    Returns:
      A SparseTensor whose rows list each intersection in ascending order.
    """
    return _set_operation(a, b, "intersection", validate_indices)


@tf_export("sets.union")
def union(a, b, validate_indices=True):
    """The union of the sets in the last dimension of `a` and `b`, sorted (tf.sets.union)."""
    return _set_operation(a, b, "union", validate_indices)


@tf_export("sets.difference")
def difference(a, b, aminusb=True, validate_indices=True):
    """`a - b` (or `b - a` when `aminusb` is False) for the sets in the last dimension (tf.sets.difference)."""
    return _set_operation(a, b, "a-b" if aminusb else "b-a", validate_indices)


# ---------------------------------------------------------------- EditDistance
_EDIT = "tf.edit_distance"


def _levenshtein(s, t) -> int:
    if not len(s):
        return len(t)
    if not len(t):
        return len(s)
    prev = list(range(len(t) + 1))
    for i, a in enumerate(s, 1):  # the classic two-row dynamic program
        cur = [i] + [0] * len(t)
        for j, b in enumerate(t, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a != b))
        prev = cur
    return prev[-1]


def _edit_kernel(xp, hypothesis_indices, hypothesis_values, hypothesis_shape, truth_indices, truth_values,
                 truth_shape, normalize=True):
    hs, ts = [int(d) for d in hypothesis_shape], [int(d) for d in truth_shape]
    if len(hs) != len(ts):
        raise sh.error(_EDIT, "EditDistance", "Expected truth and hypothesis to have matching ranks, but their shapes "
                       "are: %s and %s" % (_fmt(ts), _fmt(hs)))
    _check_sorted(_EDIT, "EditDistance", hypothesis_indices, hs)
    _check_sorted(_EDIT, "EditDistance", truth_indices, ts)
    lead = [max(a, b) for a, b in zip(hs[:-1], ts[:-1])]
    total = int(np.prod(lead)) if lead else 1
    gh = _groups_of_sparse(hypothesis_indices, lead + [1])
    gt = _groups_of_sparse(truth_indices, lead + [1])
    _, (ch, ct), _ = _codes(hypothesis_values, truth_values)
    nh = np.bincount(gh, minlength=total)
    nt = np.bincount(gt, minlength=total)
    out = np.zeros(total, np.float64)
    hstart = np.concatenate([[0], np.cumsum(nh)])
    tstart = np.concatenate([[0], np.cumsum(nt)])
    both = np.flatnonzero((nh > 0) & (nt > 0))
    chl, ctl = ch.tolist(), ct.tolist()
    for g in both.tolist():  # one dynamic program per pair of sequences
        out[g] = _levenshtein(chl[hstart[g]:hstart[g + 1]], ctl[tstart[g]:tstart[g + 1]])
    only_h = (nh > 0) & (nt == 0)
    out[only_h] = np.inf if normalize else nh[only_h]
    only_t = (nt > 0) & (nh == 0)
    out[only_t] = nt[only_t]
    if normalize:
        out[nt > 0] /= nt[nt > 0]
    return out.astype(np.float32).reshape(lead)


def _edit_infer(specs, attrs):
    spo = _sparse_ops()
    if specs[4].dtype is not specs[1].dtype:
        raise spo._dtype_error(_EDIT, "EditDistance", 4, specs[1].dtype, specs[4].dtype)
    hs, ts = spo._shape_input(specs[2]), spo._shape_input(specs[5])
    if hs is None or ts is None:
        return [(None if hs is None and ts is None else (None,) * (len(hs or ts) - 1), dtypes.float32)]
    if len(hs) != len(ts):
        raise sh.error(_EDIT, "EditDistance", "Expected truth and hypothesis to have matching ranks, but their shapes "
                       "are: %s and %s" % (sh.fmt(ts), sh.fmt(hs)))
    return [(tuple(None if a is None or b is None else max(a, b) for a, b in zip(hs[:-1], ts[:-1])), dtypes.float32)]


def _edit_samples():
    hi = np.array([[0, 0, 0], [1, 0, 0], [1, 0, 1]], np.int64)
    ti = np.array([[0, 1, 0], [1, 0, 0], [1, 0, 1], [1, 0, 2]], np.int64)
    hv = np.array([b"a", b"b", b"c"], dtype=object)
    tv = np.array([b"a", b"b", b"d", b"e"], dtype=object)
    return [([hi, hv, np.array([2, 1, 2], np.int64), ti, tv, np.array([2, 2, 3], np.int64)], {"normalize": True}),
            ([hi, np.array([1, 2, 3], np.int32), np.array([2, 1, 2], np.int64), ti, np.array([1, 2, 4, 5], np.int32),
              np.array([2, 2, 3], np.int64)], {"normalize": False})]


register("EditDistance", kernel=_edit_kernel, infer=_edit_infer, grad=NON_DIFFERENTIABLE, api=_EDIT,
         args=("hypothesis_indices", "hypothesis_values", "hypothesis_shape", "truth_indices", "truth_values",
               "truth_shape"), samples=_edit_samples)


@tf_export("edit_distance")
def edit_distance(hypothesis, truth, normalize=True, name="edit_distance") -> Tensor:
    """The Levenshtein distance between sequences in the last dimension of two SparseTensors (tf.edit_distance).

    Args:
      hypothesis: a SparseTensor of hypothesis sequences.
      truth: a SparseTensor of truth sequences (same rank).
      normalize: divide each distance by the length of the truth sequence.

    Returns:
      A float32 tensor of shape max(hypothesis.dense_shape, truth.dense_shape)[:-1].
    """
    sp = _sparse_ops()
    if not isinstance(hypothesis, sp.SparseTensor):
        raise TypeError("Hypothesis must be a SparseTensor.")
    if not isinstance(truth, sp.SparseTensor):
        raise TypeError("Truth must be a SparseTensor.")
    return bind("EditDistance", [hypothesis.indices, hypothesis.values, hypothesis.dense_shape, truth.indices,
                                 truth.values, truth.dense_shape], {"normalize": bool(normalize)})
