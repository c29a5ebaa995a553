"""Sparse and ragged elements in pipelines: slicing them into rows and batching rows back.

Done on the components' NumPy arrays (a ragged value is flat values plus one row-splits vector
per ragged dimension; a sparse value is indices, values and dense shape), with no per-value
Python loops beyond one step per row. Rows of a ragged value with one ragged dimension are
plain arrays (TF's element spec for them is a RaggedTensorSpec of ragged_rank 0); deeper ones
stay RaggedTensors.
"""
from __future__ import annotations

import numpy as np

from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor
from ..ops.composite_specs import RaggedTensorSpec, SparseTensorSpec


def _arrays(value, spec) -> tuple:
    return spec._to_components(value)


def _ragged(flat_values, splits: list):
    from ..ops.ragged_ops import RaggedTensor
    return RaggedTensor.from_nested_row_splits(Tensor(flat_values), [Tensor(s) for s in splits], validate=False)


def _sparse(indices, values, dense_shape):
    from ..ops.sparse_ops import SparseTensor
    return SparseTensor(Tensor(indices), Tensor(values), Tensor(dense_shape))


# ---------------------------------------------------------------- rows
def rows(value, spec) -> list:
    """The rows (slices along the first dimension) of a composite value, as pipeline components."""
    if isinstance(spec, SparseTensorSpec):
        return _sparse_rows(*_arrays(value, spec))
    if isinstance(spec, RaggedTensorSpec):
        if spec.ragged_rank == 0:
            return list(np.asarray(value))
        fv, *splits = _arrays(value, spec)
        return _ragged_rows(fv, splits)
    raise TypeError("Cannot slice elements of type %r." % (spec,))


def _ragged_rows(fv, splits: list) -> list:
    outer = splits[0]
    out = []
    for i in range(len(outer) - 1):
        a, b = int(outer[i]), int(outer[i + 1])
        inner = []
        for s in splits[1:]:
            part = s[a:b + 1]
            inner.append(part - part[0])
            a, b = int(part[0]), int(part[-1])
        out.append(fv[a:b] if not inner else _ragged(fv[a:b], inner))
    return out


def _sparse_rows(indices, values, dense_shape) -> list:
    n = int(dense_shape[0])
    order = np.argsort(indices[:, 0], kind="stable")
    indices, values = indices[order], values[order]
    bounds = np.searchsorted(indices[:, 0], np.arange(n + 1))
    inner = dense_shape[1:]
    return [_sparse(indices[a:b, 1:], values[a:b], inner) for a, b in zip(bounds[:-1], bounds[1:])]


# ---------------------------------------------------------------- batching
def batch(values: list, spec, index: int):
    """One batched composite of a list of pipeline components of leaf `spec` (component `index`)."""
    if isinstance(spec, SparseTensorSpec):
        return _batch_sparse([_arrays(v, spec) for v in values])
    if isinstance(spec, RaggedTensorSpec):
        return _batch_ragged(values, spec, index)
    raise TypeError("Cannot batch elements of type %r (component %d)." % (spec, index))


def _batch_sparse(parts: list):
    shapes = np.stack([p[2] for p in parts])
    if len({len(s) for s in shapes}) > 1:
        raise InvalidArgumentError(None, None, "Cannot batch SparseTensors of different ranks.")
    idx = [np.concatenate([np.full((len(p[0]), 1), b, np.int64), p[0]], axis=1) for b, p in enumerate(parts)]
    rank = shapes.shape[1]
    return _sparse(np.concatenate(idx).reshape(-1, rank + 1), np.concatenate([p[1] for p in parts]),
                   np.concatenate([[len(parts)], shapes.max(axis=0)]).astype(np.int64))


def _batch_ragged(values: list, spec: RaggedTensorSpec, index: int):
    """Rows of ragged_rank k -> one value of ragged_rank k + 1: a new outer splits vector, and each
    deeper splits vector concatenated with offsets of what the earlier rows hold."""
    dt = spec.row_splits_dtype.as_numpy_dtype
    if spec.ragged_rank == 0:
        arrays = [np.asarray(v) for v in values]
        inner = {a.shape[1:] for a in arrays}
        if len(inner) > 1:
            raise InvalidArgumentError(None, None, "Cannot batch ragged rows with different inner shapes in "
                                       "component %d: %s." % (index, sorted(inner)))
        lengths = [len(a) for a in arrays]
        fv = np.concatenate(arrays) if arrays else np.zeros((0,), spec.dtype.as_numpy_dtype)
        return _ragged(fv, [np.concatenate([[0], np.cumsum(lengths)]).astype(dt)])
    parts = [_arrays(v, spec) for v in values]
    outer = np.concatenate([[0], np.cumsum([len(p[1]) - 1 for p in parts])]).astype(dt)
    splits = [outer]
    for level in range(1, spec.ragged_rank + 1):
        level_splits = [p[level] for p in parts]
        offsets = np.concatenate([[0], np.cumsum([s[-1] for s in level_splits])])
        joined = [s[:-1] + off for s, off in zip(level_splits, offsets[:-1])] + [offsets[-1:]]
        splits.append(np.concatenate(joined).astype(dt))
    return _ragged(np.concatenate([p[0] for p in parts]), splits)
