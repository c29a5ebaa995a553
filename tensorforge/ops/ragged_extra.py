"""tf.ragged.cross, tf.ragged.cross_hashed and tf.ragged.stack_dynamic_partitions.

The crosses reuse the SparseCross ops of tf.sparse.cross (sparse_cross.py): a ragged input
gives its flat values and their row ids, a dense or sparse input its features per row, and
the crossed features of each row become that row of a RaggedTensor. The ids of
cross_hashed equal TF's (FarmHash fingerprints chained with FingerprintCat64).
"""
from __future__ import annotations

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor
from . import sparse_cross
from .registry import bind

_t = convert_to_tensor


def _ragged():
    from . import ragged_ops
    return ragged_ops


def _feature(i, x):
    """(values, row ids, batch size, is_ragged, splits dtype) of input `i` of a cross."""
    from . import array_ops, math_ops, sparse_ops
    rops = _ragged()
    if isinstance(x, rops.RaggedTensor):
        if x.ragged_rank != 1 or x.flat_values.shape.rank != 1:
            raise ValueError("tf.ragged.cross only supports inputs with rank=2")
        values = x.values
        if values.dtype.is_integer:
            values = math_ops.cast(values, dtypes.int64)
        elif values.dtype is not dtypes.string:
            raise ValueError("Unexpected dtype for inputs[%d]: %s" % (i, x.dtype))
        rows = math_ops.cast(x.value_rowids(), dtypes.int64)
        batch = x.nrows_static()
        if batch is None:
            raise ValueError("tf.ragged.cross needs inputs whose number of rows is known when the function is traced.")
        return values, rows, int(batch), True, x.row_splits.dtype
    if not isinstance(x, sparse_ops.SparseTensor):
        x = _t(x)
        if x.shape.rank is not None and x.shape.rank != 2:
            raise ValueError("tf.ragged.cross only supports inputs with rank=2")
    if not (x.dtype.is_integer or x.dtype is dtypes.string):
        raise ValueError("Unexpected dtype for inputs[%d]: %s" % (i, x.dtype))
    if isinstance(x, sparse_ops.SparseTensor) and x.dtype.is_integer and x.dtype is not dtypes.int64:
        x = x.with_values(math_ops.cast(x.values, dtypes.int64))
    elif isinstance(x, Tensor) and x.dtype.is_integer and x.dtype is not dtypes.int64:
        x = math_ops.cast(x, dtypes.int64)
    values, rows, batch = sparse_cross._features(x)
    return values, array_ops.reshape(rows, [-1]), batch, False, None


def _cross(inputs, hashed, num_buckets, hash_key):
    rops = _ragged()
    if not isinstance(inputs, (tuple, list)):
        raise TypeError("Inputs must be a list")
    out_dtype = dtypes.int64 if hashed else dtypes.string
    feats = [_feature(i, x) for i, x in enumerate(inputs)]
    ragged_splits = [f[4] for f in feats if f[3]]
    splits_dtype = dtypes.int32 if ragged_splits and all(d is dtypes.int32 for d in ragged_splits) else dtypes.int64
    if not feats:
        empty = np.empty(0, dtype=object) if out_dtype is dtypes.string else np.zeros(0, np.int64)
        return rops.RaggedTensor.from_row_splits(_t(empty, dtype=out_dtype),
                                                 _t(np.zeros(1, splits_dtype.as_numpy_dtype)), validate=False)
    batch = feats[0][2]
    if any(f[2] != batch for f in feats):
        raise InvalidArgumentError(None, None, "inputs must all have the same batch dimension size.")
    key = sparse_cross._DEFAULT_KEY if hash_key is None else int(hash_key)
    indices, values, _ = bind("SparseCrossHashed" if hashed else "SparseCrossV2",
                              [f[0] for f in feats] + [f[1] for f in feats],
                              dict(n=len(feats), batch=batch, hashed=hashed, num_buckets=int(num_buckets),
                                   hash_key=key, separator="_X_"))
    from . import math_ops
    rows = math_ops.cast(indices[:, 0], splits_dtype)
    return rops.RaggedTensor.from_value_rowids(values, rows, nrows=batch, validate=False)


@tf_export("ragged.cross")
def cross(inputs, name=None):
    """Crosses the features of each row of `inputs` into strings joined by "_X_" (tf.ragged.cross).

    Example:

    >>> tf.ragged.cross([tf.ragged.constant([['a', 'b'], ['c']]), tf.constant([['d'], ['e']])])
    <tf.RaggedTensor [[b'a_X_d', b'b_X_d'], [b'c_X_e']]>

    Args:
      inputs: a list of rank-2 RaggedTensors, Tensors or SparseTensors of int or string
        features, all with the same number of rows.
      name: unused.

    Returns:
      A 2-D string RaggedTensor: row r holds every combination of one feature from each
      input's row r, the last input varying fastest. Its row splits are int32 when every
      ragged input's are, else int64.

    Raises:
      ValueError: for an input that is not rank 2 or not of an int or string dtype.
      InvalidArgumentError: for inputs with different numbers of rows.
    """
    return _cross(inputs, False, 0, None)


@tf_export("ragged.cross_hashed")
def cross_hashed(inputs, num_buckets=0, hash_key=None, name=None):
    """Crosses the features of each row of `inputs` into hashed int64 ids (tf.ragged.cross_hashed).

    The ids are TF's: FarmHash Fingerprint64 of each feature chained with FingerprintCat64 from
    `hash_key`, modulo `num_buckets` (when > 0); they equal tf.sparse.cross_hashed's.

    Args:
      inputs: a list of rank-2 RaggedTensors, Tensors or SparseTensors of int or string features.
      num_buckets: the number of buckets (0: no modulo, the ids are below 2**63 - 1).
      hash_key: the key of the first FingerprintCat64 (TF's default when None).
      name: unused.

    Returns:
      A 2-D int64 RaggedTensor.
    """
    return _cross(inputs, True, num_buckets, hash_key)


@tf_export("ragged.stack_dynamic_partitions")
def stack_dynamic_partitions(data, partitions, num_partitions, name=None):
    """Stacks the dynamic partitions of `data` into one RaggedTensor (tf.ragged.stack_dynamic_partitions).

    Row p of the result holds, in their original order, the elements of `data` whose partition
    is p: it equals `tf.ragged.stack(tf.dynamic_partition(data, partitions, num_partitions))`.

    Example:

    >>> tf.ragged.stack_dynamic_partitions(['a', 'b', 'c', 'd', 'e'], [3, 0, 2, 2, 3], 5)
    <tf.RaggedTensor [[b'b'], [], [b'c', b'd'], [b'a', b'e'], []]>

    Args:
      data: a Tensor or RaggedTensor.
      partitions: an int Tensor or RaggedTensor with a prefix of `data`'s shape, values in
        [0, num_partitions).
      num_partitions: a scalar int, the number of partitions (rows of the result).
      name: unused.

    Returns:
      A RaggedTensor with `num_partitions` rows and `data`'s remaining dimensions.

    Raises:
      ValueError: for `partitions` of unknown rank or a shape incompatible with `data`'s.
      InvalidArgumentError: for partitions out of range, or ragged shapes that differ.
    """
    from . import array_ops, check_ops, math_ops
    rops = _ragged()
    is_r = lambda x: isinstance(x, rops.RaggedTensor)  # noqa: E731
    data = data if is_r(data) else _t(data)
    splits_dtype = data.row_splits.dtype if is_r(data) else None
    if not is_r(partitions):
        partitions = _t(partitions) if splits_dtype is None or math_ops._is_tensorish(partitions) \
            else _t(partitions, dtype=splits_dtype)
    if splits_dtype is not None:
        partitions = partitions.with_flat_values(math_ops.cast(partitions.flat_values, splits_dtype)) \
            if is_r(partitions) else math_ops.cast(partitions, splits_dtype)
    num_partitions = _t(num_partitions) if math_ops._is_tensorish(num_partitions) \
        else _t(num_partitions, dtype=partitions.dtype)
    num_partitions = math_ops.cast(num_partitions, partitions.dtype)
    rank = partitions.shape.rank
    if rank is None:
        raise ValueError("partitions must have known rank.")
    if num_partitions.shape.rank != 0:
        raise ValueError("Shape %s must have rank 0" % num_partitions.shape)
    if not partitions.shape.is_compatible_with(data.shape[:rank]):
        raise ValueError("Shapes %s and %s are incompatible" % (partitions.shape, data.shape[:rank]))
    if rank == 0:
        return rops.RaggedTensor.from_value_rowids(array_ops.stack([data]), array_ops.stack([partitions]),
                                                   nrows=num_partitions, validate=False)
    if rank == 1:
        perm = array_ops.argsort(partitions, stable=True)
        rowids = array_ops.gather(partitions, perm)
        check_ops.assert_less(rowids[-1:], num_partitions, message="partitions must be less than num_partitions")
        check_ops.assert_non_negative(partitions, message="partitions must be non-negative.")
        return rops.RaggedTensor.from_value_rowids(rops._gather_rows(data, perm), rowids, nrows=num_partitions,
                                                   validate=False)
    if not is_r(data):
        data = rops.RaggedTensor.from_tensor(data, row_splits_dtype=partitions.dtype, ragged_rank=1)
    if not is_r(partitions):
        partitions = rops.RaggedTensor.from_tensor(partitions, row_splits_dtype=partitions.dtype,
                                                   ragged_rank=max(data.ragged_rank, rank - 1))
    check_ops.assert_equal(data.row_splits, partitions.row_splits,
                           message="data and partitions have incompatible ragged shapes")
    return stack_dynamic_partitions(data.values, partitions.values, num_partitions)
