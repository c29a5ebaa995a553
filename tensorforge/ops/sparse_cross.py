"""tf.sparse.cross and tf.sparse.cross_hashed: feature crosses, as TF's SparseCross ops.

Each input is a 2-D tensor or SparseTensor of features per row; row r of the result holds every
combination of one feature from each input, the last input varying fastest. `cross` joins them
as strings with `separator`; `cross_hashed` chains TF's FingerprintCat64 over each feature's
hash (FarmHash Fingerprint64 of a string, the value itself of an int64) from the key
0xDECAFCAFFE, then takes it modulo `num_buckets` (modulo 2**63 - 1 when num_buckets is 0), so
the ids are TF's. All combinations are indexed at once (mixed-radix digits), with no loop over
rows.
"""
from __future__ import annotations

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError
from .registry import NON_DIFFERENTIABLE, bind, register
from .string_hashes import fingerprint64

_MUL = np.uint64(0xC6A4A7935BD1E995)
_DEFAULT_KEY = 0xDECAFCAFFE
_INT64_MAX = np.uint64((1 << 63) - 1)


def _shift_mix(v):
    return v ^ (v >> np.uint64(47))


def _fingerprint_cat64(fp1, fp2):
    """TF's FingerprintCat64 on uint64 arrays (wrapping arithmetic)."""
    r = fp1 ^ _MUL
    r = r ^ (_shift_mix(fp2 * _MUL) * _MUL)
    r = r * _MUL
    r = _shift_mix(r) * _MUL
    return _shift_mix(r)


def _feature_hashes(values: np.ndarray) -> np.ndarray:
    if values.dtype == object:
        uniq, inverse = np.unique(values, return_inverse=True)
        fps = np.array([fingerprint64(v if isinstance(v, bytes) else str(v).encode()) for v in uniq.tolist()],
                       dtype=np.uint64)
        return fps[inverse.reshape(-1)]
    return values.astype(np.int64).view(np.uint64)


def _combinations(row_ids: list, batch: int):
    """For inputs whose features belong to rows `row_ids[i]` (sorted): the output row of each
    combination and, per input, the feature index it takes."""
    counts = [np.bincount(r, minlength=batch) for r in row_ids]
    starts = [np.concatenate([[0], np.cumsum(c)[:-1]]) for c in counts]
    per_row = np.prod(np.stack(counts), axis=0) if counts else np.zeros(batch, np.int64)
    rows = np.repeat(np.arange(batch), per_row)
    k = np.arange(len(rows)) - np.repeat(np.concatenate([[0], np.cumsum(per_row)[:-1]]), per_row)
    picks = [None] * len(row_ids)
    for i in range(len(row_ids) - 1, -1, -1):  # the last input is the fastest digit
        c = counts[i][rows]
        digit = k % np.maximum(c, 1)
        k = k // np.maximum(c, 1)
        picks[i] = starts[i][rows] + digit
    within = np.arange(len(rows)) - np.repeat(np.concatenate([[0], np.cumsum(per_row)[:-1]]), per_row)
    return rows, within, picks, int(per_row.max()) if batch else 0


def _cross_kernel(xp, *arrays, n, batch, hashed, num_buckets, hash_key, separator):
    values = [np.asarray(a).reshape(-1) for a in arrays[:n]]
    row_ids = [np.asarray(a).reshape(-1).astype(np.int64) for a in arrays[n:2 * n]]
    rows, within, picks, width = _combinations(row_ids, batch)
    indices = np.stack([rows, within], axis=1).astype(np.int64).reshape(-1, 2)
    shape = np.array([batch, width], np.int64)
    if hashed:
        h = np.full(len(rows), np.uint64(hash_key), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for v, p in zip(values, picks):
                h = _fingerprint_cat64(h, _feature_hashes(v)[p])
        out = (h % np.uint64(num_buckets)) if num_buckets > 0 else (h % _INT64_MAX)
        return indices, out.astype(np.int64), shape
    sep = separator.encode()
    parts = [[x if isinstance(x, bytes) else str(x).encode() for x in v[p].tolist()] for v, p in zip(values, picks)]
    out = np.empty(len(rows), dtype=object)
    out[:] = [sep.join(t) for t in zip(*parts)] if parts else []
    return indices, out, shape


def _cross_infer(specs, attrs):
    out = dtypes.int64 if attrs["hashed"] else dtypes.string
    return [((None, 2), dtypes.int64), ((None,), out), ((2,), dtypes.int64)]


register("SparseCrossHashed", kernel=_cross_kernel, infer=_cross_infer, grad=NON_DIFFERENTIABLE,
         api="tf.sparse.cross_hashed", num_outputs=-1, args=("inputs",),
         samples=lambda: [([np.array([b"a", b"b", b"c"], dtype=object), np.array([3, 4], np.int64),
                            np.array([0, 0, 1]), np.array([0, 1])],
                           dict(n=2, batch=2, hashed=True, num_buckets=1000, hash_key=_DEFAULT_KEY, separator=""))])
register("SparseCrossV2", kernel=_cross_kernel, infer=_cross_infer, grad=NON_DIFFERENTIABLE, api="tf.sparse.cross",
         num_outputs=-1, args=("inputs",),
         samples=lambda: [([np.array([b"a", b"b", b"c"], dtype=object), np.array([3, 4], np.int64),
                            np.array([0, 0, 1]), np.array([0, 1])],
                           dict(n=2, batch=2, hashed=False, num_buckets=0, hash_key=0, separator="_X_"))])


def _features(x):
    """(values, row ids, batch size) of a 2-D dense tensor or SparseTensor of features."""
    from . import array_ops, math_ops, sparse_ops
    if isinstance(x, sparse_ops.SparseTensor):
        rows = array_ops.reshape(array_ops.slice(x.indices, [0, 0], [-1, 1]), [-1])
        values, batch = x.values, x.shape[0]
    else:
        t = convert_to_tensor(x)
        if t.shape.rank != 2:
            raise InvalidArgumentError(None, None, "Dense inputs should be a matrix but not: %s" % t.shape)
        batch, width = t.shape[0], t.shape[1]
        if batch is None or width is None:
            raise ValueError("cross needs inputs whose shapes are known when the function is traced.")
        rows = convert_to_tensor(np.repeat(np.arange(batch, dtype=np.int64), width))
        values = array_ops.reshape(t, [-1])
    if values.dtype == dtypes.int32:
        values = math_ops.cast(values, dtypes.int64)
    if values.dtype not in (dtypes.string, dtypes.int64):
        raise TypeError("Input values must be int64 or string, got %s" % values.dtype.name)
    if batch is None:
        raise ValueError("cross needs inputs whose batch size is known when the function is traced.")
    return values, rows, int(batch)


def _cross(inputs, hashed, num_buckets, hash_key, separator):
    from . import sparse_ops
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise TypeError("Inputs must be a non-empty list of tensors or SparseTensors, got %r" % (inputs,))
    feats = [_features(x) for x in inputs]
    batch = feats[0][2]
    outs = bind("SparseCrossHashed" if hashed else "SparseCrossV2", [v for v, _, _ in feats] + [r for _, r, _ in feats],
                dict(n=len(feats), batch=batch, hashed=hashed, num_buckets=int(num_buckets),
                     hash_key=int(_DEFAULT_KEY if hash_key is None else hash_key), separator=separator))
    return sparse_ops.SparseTensor(*outs)


@tf_export("sparse.cross")
def cross(inputs, name=None, separator=None):
    """The crosses of the features of `inputs` per row, as strings joined by `separator` ("_X_")."""
    return _cross(inputs, False, 0, 0, "_X_" if separator is None else separator)


@tf_export("sparse.cross_hashed")
def cross_hashed(inputs, num_buckets=0, hash_key=None, name=None):
    """The crosses of the features of `inputs` per row, hashed as TF hashes them into `num_buckets`."""
    return _cross(inputs, True, num_buckets, hash_key, "")
