"""tf.RaggedTensor and tf.ragged: tensors with rows of different lengths.

A RaggedTensor is a composite of a `values` tensor (or RaggedTensor) and an int64 (or int32)
`row_splits` vector: row i is values[row_splits[i]:row_splits[i+1]]. Values always move
through registered ops (gather, slice, RaggedTensorToTensor), so gradients reach them; the
integer partition bookkeeping of eager tensors is done on their NumPy values.
"""
from __future__ import annotations

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import constant_value, convert_to_tensor
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor
from ..framework.tensor_shape import TensorShape
from . import sample_inputs as S
from . import shapes as sh
from .registry import NON_DIFFERENTIABLE, bind, register

_t = convert_to_tensor
_I64 = dtypes.int64
_SPLIT_DTYPES = (dtypes.int32, dtypes.int64)


def _np(t):
    """The NumPy value of an eager tensor, else None (a symbolic tensor)."""
    return t._value if type(t) is Tensor else None


def _eager(t, what: str):
    v = _np(t)
    if v is None:
        raise NotImplementedError("%s needs eager row partitions (not supported while building a graph yet)" % what)
    return v


def _int_tensor(arr, dtype) -> Tensor:
    return Tensor(np.asarray(arr, dtype=dtype.as_numpy_dtype), dtype)


def _is_sym(x) -> bool:
    return getattr(x, "_is_symbolic_tensor", False)


def _ops():
    from . import array_ops, math_ops
    return array_ops, math_ops


# -- partition arithmetic with registered ops: these work on symbolic (graph) row partitions too
def _g_lengths(splits):
    """splits[1:] - splits[:-1]."""
    return _ops()[1].subtract(splits[1:], splits[:-1])


def _g_nvals(values, dtype):
    """The number of rows of `values` (a Tensor or RaggedTensor) as a scalar `dtype` tensor."""
    array_ops, math_ops = _ops()
    if isinstance(values, RaggedTensor):
        n = values.nrows_static()
        return _int_tensor(n, dtype) if n is not None else values.nrows(out_type=dtype)
    n = values.shape[0] if values.shape.rank is not None else None
    return _int_tensor(n, dtype) if n is not None else array_ops.shape(values, out_type=dtype)[0]


def _g_rowids(splits, nvals=None):
    """The row of each value (value_rowids) for a row_splits vector: a binary search over the row limits."""
    array_ops, _ = _ops()
    if nvals is None:
        nvals = splits[-1]
    return array_ops.searchsorted(splits[1:], array_ops.range(nvals, dtype=splits.dtype), side="right",
                                  out_type=splits.dtype)


def _g_splits_from_lengths(lengths, dtype):
    array_ops, math_ops = _ops()
    lengths = lengths if lengths.dtype is dtype else math_ops.cast(lengths, dtype)
    return array_ops.concat([_int_tensor([0], dtype), math_ops.cumsum(lengths)], 0)


def _g_ranges(starts, limits, delta=1):
    """(row_splits, values) of the ranges [starts[i], limits[i]) with step `delta` (RaggedRange)."""
    d = starts.dtype
    return bind("RaggedRange", [starts, limits, delta if not isinstance(delta, int) else _int_tensor(delta, d)],
                {"Tsplits": d})


def _g_take_range(values, a, b):
    """values[a:b] along the first dimension for scalar tensors a, b (values may be ragged)."""
    array_ops, math_ops = _ops()
    if isinstance(values, RaggedTensor):
        s = values.row_splits
        a, b = math_ops.cast(a, s.dtype), math_ops.cast(b, s.dtype)
        sub = array_ops.gather(s, array_ops.range(a, b + 1, dtype=s.dtype))
        inner = _g_take_range(values.values, array_ops.gather(s, a), array_ops.gather(s, b))
        return RaggedTensor(inner, sub - sub[0], internal=True, uniform_row_length=values._uniform_row_length)
    return array_ops.gather(values, array_ops.range(a, b, dtype=a.dtype))


def _g_gather_rows(rt, rows):
    """The rows `rows` (an int tensor) of rt (a RaggedTensor or a Tensor), with registered ops."""
    array_ops, math_ops = _ops()
    if not isinstance(rt, RaggedTensor):
        return array_ops.gather(rt, rows)
    s = rt.row_splits
    rows = rows if rows.dtype is s.dtype else math_ops.cast(rows, s.dtype)
    splits, idx = _g_ranges(array_ops.gather(s, rows), array_ops.gather(s, rows + 1))
    return RaggedTensor(_g_gather_rows(rt.values, idx), splits, internal=True,
                        uniform_row_length=rt._uniform_row_length)


def _invalid(msg):
    return InvalidArgumentError(None, None, msg)


def _elementwise_msg(prefix, x):
    return ("%s  \nCondition x >= 0 did not hold element-wise:\nx (shape=%s dtype=%s) = \n%s"
            % (prefix, tuple(x.shape), x.dtype.name, [str(v) for v in x.tolist()]))


def _equal_msg(prefix, x, y):
    return "%s\nCondition x == y did not hold.\nFirst 1 elements of x:\n[%d]\nFirst 1 elements of y:\n[%d]" % (prefix, x, y)


# ---------------------------------------------------------------- RaggedTensor
@tf_export("RaggedTensor")
class RaggedTensor:
    """A tensor with one or more ragged dimensions (tf.RaggedTensor).

    Build one with `tf.ragged.constant` or a factory classmethod (`from_row_splits`,
    `from_row_lengths`, `from_value_rowids`, `from_tensor`, `from_nested_row_splits`).

    >>> rt = tf.ragged.constant([[1, 2], [3], []])
    >>> rt
    <tf.RaggedTensor [[1, 2], [3], []]>
    >>> rt.row_splits
    <tf.Tensor: shape=(4,), dtype=int64, numpy=array([0, 2, 3, 3])>
    """

    __slots__ = ("_values", "_row_splits", "_uniform_row_length", "_lengths_cache", "_rowids_cache", "__weakref__")

    def __init__(self, values, row_partition, internal=False, uniform_row_length=None):
        if not internal:
            raise ValueError("RaggedTensor constructor is private; please use one of the factory methods instead "
                             "(e.g., RaggedTensor.from_row_lengths())")
        self._values = values
        self._row_splits = row_partition  # the row_splits tensor
        self._uniform_row_length = uniform_row_length
        self._lengths_cache = None
        self._rowids_cache = None

    # -- factories
    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate=True) -> "RaggedTensor":
        """Rows values[row_splits[i]:row_splits[i+1]]; row_splits starts at 0 and ends at len(values)."""
        values = _convert_values(values)
        splits = _convert_partition(row_splits, "row_splits")
        if splits.shape[0] == 0:
            raise ValueError("row_splits tensor may not be empty.")
        _check_inner_dtype(values, splits)
        s = _np(splits)
        if validate and s is not None:
            if s[0] != 0:
                raise _invalid(_equal_msg("Arguments to from_row_splits do not form a valid RaggedTensor:zero", s[0], 0))
            d = np.diff(s)
            if (d < 0).any():
                raise _invalid(_elementwise_msg("Arguments to from_row_splits do not form a valid RaggedTensor:monotonic.", d))
            _check_nvals(values, int(s[-1]))
        return cls(values, splits, internal=True)

    @classmethod
    def from_row_lengths(cls, values, row_lengths, name=None, validate=True) -> "RaggedTensor":
        """Rows of lengths `row_lengths` taken in order from `values`."""
        values = _convert_values(values)
        lengths = _convert_partition(row_lengths, "row_lengths")
        _check_inner_dtype(values, lengths)
        n = _np(lengths)
        if n is None:
            from . import array_ops, math_ops
            splits = array_ops.concat([array_ops.zeros([1], lengths.dtype), math_ops.cumsum(lengths)], 0)
            return cls(values, splits, internal=True)
        if validate and (n < 0).any():
            raise _invalid(_elementwise_msg("Arguments to from_row_lengths do not form a valid RowPartition.", n))
        splits = np.concatenate([[0], np.cumsum(n)]).astype(n.dtype)
        if validate:
            _check_nvals(values, int(splits[-1]))
        out = cls(values, _int_tensor(splits, lengths.dtype), internal=True)
        out._lengths_cache = lengths
        return out

    @classmethod
    def from_value_rowids(cls, values, value_rowids, nrows=None, name=None, validate=True) -> "RaggedTensor":
        """values[i] goes to row value_rowids[i] (sorted ids); `nrows` defaults to the last id + 1."""
        values = _convert_values(values)
        ids_t = _convert_partition(value_rowids, "value_rowids")
        _check_inner_dtype(values, ids_t)
        if _np(ids_t) is None:  # symbolic (graph) row ids: row splits by a binary search over them
            from . import array_ops, math_ops
            if nrows is None:
                nrows = math_ops.reduce_max(array_ops.concat([ids_t, _int_tensor(np.array([-1]), ids_t.dtype)], 0)) + 1
            bounds = array_ops.range(math_ops.cast(nrows, ids_t.dtype) + 1, dtype=ids_t.dtype)
            splits = array_ops.searchsorted(array_ops.reshape(ids_t, [1, -1]), array_ops.reshape(bounds, [1, -1]),
                                            side="left", out_type=ids_t.dtype)
            return cls(values, array_ops.reshape(splits, [-1]), internal=True)
        ids = _eager(ids_t, "RaggedTensor.from_value_rowids")
        if ids.ndim != 1:
            raise ValueError("Shape %s must have rank 1" % (TensorShape(ids.shape),))
        nv = values.shape[0] if isinstance(values, Tensor) else values.nrows_static()
        if nv is not None and nv != len(ids):
            raise ValueError("Shapes (%d,) and (%d,) are incompatible" % (nv, len(ids)))
        if validate and len(ids):
            if ids[0] < 0:
                raise _invalid(_elementwise_msg("Arguments to from_value_rowids do not form a valid RowPartition.",
                                                ids[:1]))
            d = np.diff(ids)
            if (d < 0).any():
                raise _invalid(_elementwise_msg("Arguments to from_value_rowids do not form a valid RowPartition.", d))
        last = int(ids[-1]) + 1 if len(ids) else 0
        if nrows is None:
            n = last
        else:
            n = int(nrows._value if isinstance(nrows, Tensor) else nrows)
            if n < last:
                raise ValueError("Expected nrows >= value_rowids[-1] + 1; got nrows=%d, value_rowids[-1]=%d" % (n, last - 1))
        lengths = np.bincount(ids, minlength=n) if len(ids) else np.zeros(n, np.int64)
        splits = np.concatenate([[0], np.cumsum(lengths)]).astype(ids.dtype)
        out = cls(values, _int_tensor(splits, ids_t.dtype), internal=True)
        out._rowids_cache = ids_t
        return out

    @classmethod
    def from_row_starts(cls, values, row_starts, name=None, validate=True) -> "RaggedTensor":
        """Rows starting at `row_starts` (the last row runs to the end of `values`)."""
        values = _convert_values(values)
        starts = _convert_partition(row_starts, "row_starts")
        st = _np(starts)
        if st is None or values.shape.rank is None or _nvals_static(values) is None:
            from . import array_ops
            splits = array_ops.concat([starts, array_ops.reshape(_g_nvals(values, starts.dtype), [1])], 0)
            return cls.from_row_splits(values, splits, validate=validate)
        s = np.concatenate([st, [_nvals(values)]]).astype(starts.dtype.as_numpy_dtype)
        return cls.from_row_splits(values, _int_tensor(s, starts.dtype), validate=validate)

    @classmethod
    def from_row_limits(cls, values, row_limits, name=None, validate=True) -> "RaggedTensor":
        """Rows ending at `row_limits` (the first row starts at 0)."""
        values = _convert_values(values)
        limits = _convert_partition(row_limits, "row_limits")
        lim = _np(limits)
        if lim is None:
            from . import array_ops
            splits = array_ops.concat([_int_tensor([0], limits.dtype), limits], 0)
            return cls.from_row_splits(values, splits, validate=validate)
        s = np.concatenate([[0], lim]).astype(limits.dtype.as_numpy_dtype)
        return cls.from_row_splits(values, _int_tensor(s, limits.dtype), validate=validate)

    @classmethod
    def from_uniform_row_length(cls, values, uniform_row_length, nrows=None, validate=True, name=None) -> "RaggedTensor":
        """Rows of `uniform_row_length` values each (a uniform, not ragged, dimension)."""
        values = _convert_values(values)
        length = int(uniform_row_length._value if isinstance(uniform_row_length, Tensor) else uniform_row_length)
        nv = _nvals(values)
        if nrows is None:
            nrows = nv // length if length else 0
        nrows = int(nrows)
        if validate and nrows * length != nv:
            raise _invalid("Arguments to from_uniform_row_length do not form a valid RaggedTensor: nrows * "
                           "uniform_row_length (%d * %d) != nvals (%d)" % (nrows, length, nv))
        dtype = values.row_splits.dtype if isinstance(values, RaggedTensor) else _I64
        splits = _int_tensor(np.arange(nrows + 1) * length, dtype)
        return cls(values, splits, internal=True, uniform_row_length=length)

    @classmethod
    def from_nested_row_splits(cls, flat_values, nested_row_splits, name=None, validate=True) -> "RaggedTensor":
        """A RaggedTensor with one ragged dimension per splits vector (outermost first)."""
        if isinstance(nested_row_splits, Tensor):
            raise TypeError("nested_row_splits must be a list of Tensors")
        result = _convert_values(flat_values)
        for splits in reversed(list(nested_row_splits)):
            result = cls.from_row_splits(result, splits, validate=validate)
        return result

    @classmethod
    def from_nested_row_lengths(cls, flat_values, nested_row_lengths, name=None, validate=True) -> "RaggedTensor":
        """A RaggedTensor with one ragged dimension per row-lengths vector (outermost first)."""
        result = _convert_values(flat_values)
        for lengths in reversed(list(nested_row_lengths)):
            result = cls.from_row_lengths(result, lengths, validate=validate)
        return result

    @classmethod
    def from_nested_value_rowids(cls, flat_values, nested_value_rowids, nested_nrows=None, name=None,
                                 validate=True) -> "RaggedTensor":
        """A RaggedTensor with one ragged dimension per value_rowids vector (outermost first)."""
        ids = list(nested_value_rowids)
        nrows = [None] * len(ids) if nested_nrows is None else list(nested_nrows)
        if len(nrows) != len(ids):
            raise ValueError("Argument `nested_nrows` must have the same length as argument `nested_value_rowids`. "
                             "len(nested_nrows) = %d vs. len(nested_values_rowids) = %d." % (len(nrows), len(ids)))
        result = _convert_values(flat_values)
        for rowids, n in reversed(list(zip(ids, nrows))):
            result = cls.from_value_rowids(result, rowids, n, validate=validate)
        return result

    @classmethod
    def from_tensor(cls, tensor, lengths=None, padding=None, ragged_rank=1, name=None,
                    row_splits_dtype=dtypes.int64) -> "RaggedTensor":
        """A RaggedTensor from a dense tensor, cutting each row at `lengths` or before trailing `padding`.

        Args:
          tensor: a dense tensor of rank > ragged_rank.
          lengths: optional lengths of the rows (of the innermost ragged dimension).
          padding: optional value (of the inner shape) marking trailing padding to drop.
          ragged_rank: the number of ragged dimensions (the outer ones stay uniform).
          row_splits_dtype: int64 or int32.
        """
        from . import array_ops
        if lengths is not None and padding is not None:
            raise ValueError("Specify argument `lengths` or `padding`, but not both.")
        if lengths is not None and ragged_rank == 1 and np.ndim(lengths._value if isinstance(lengths, Tensor) else lengths) > 1:
            raise ValueError("Shape %s must have rank at least %d" % (TensorShape(np.shape(lengths)), np.ndim(lengths) + 1))
        if not isinstance(ragged_rank, int):
            raise TypeError("Argument `ragged_rank` must be an int. Received %r." % (ragged_rank,))
        if ragged_rank <= 0:
            raise ValueError("Argument `ragged_rank` must be greater than 0. Received %d." % ragged_rank)
        split_dtype = dtypes.as_dtype(row_splits_dtype)
        x = _t(tensor)
        rank = x.shape.rank
        if rank is not None and rank < 2:
            raise ValueError("The rank of a RaggedTensor must be greater than 1, i.e., a list of scalars won't have "
                             "ragged dimensions. Received argument `tensor` with rank %d." % rank)
        if rank is not None and rank < ragged_rank + 1:
            raise ValueError("Shape %s must have rank at least %d" % (x.shape, ragged_rank + 1))
        dims = x.shape.as_list()
        if ragged_rank > 1:
            # Uniform outer dimensions around one ragged (innermost) dimension.
            if None in dims[:ragged_rank + 1]:
                raise NotImplementedError("RaggedTensor.from_tensor with ragged_rank > 1 needs the outer dimensions of "
                                          "`tensor` to be statically known; got shape %s" % (x.shape,))
            outer = dims[:ragged_rank]
            flat = array_ops.reshape(x, [-1] + dims[ragged_rank:])
            if lengths is not None:
                lengths = array_ops.reshape(_t(lengths), [-1])
            result = cls.from_tensor(flat, lengths, padding, 1, row_splits_dtype=split_dtype)
            for d in reversed(outer[1:]):
                result = cls.from_uniform_row_length(result, d)
            return result
        nrows, ncols = dims[0], dims[1]
        static = nrows is not None and ncols is not None and (
            _np(x) is not None and _np(_t(padding, x.dtype)) is not None if padding is not None else True) and (
            lengths is None or _np(_t(lengths)) is not None)
        if not static:
            return cls._from_tensor_graph(x, lengths, padding, split_dtype)
        if lengths is None and padding is None:
            values = array_ops.reshape(x, [-1] + dims[2:])
            splits = _int_tensor(np.arange(nrows + 1) * ncols, split_dtype)
            return cls(values, splits, internal=True, uniform_row_length=ncols)
        if padding is not None:
            pad = _t(padding, x.dtype)
            is_pad = _eager(x, "RaggedTensor.from_tensor(padding=...)") == _eager(pad, "RaggedTensor.from_tensor")
            if is_pad.ndim > 2:
                is_pad = is_pad.reshape(nrows, ncols, -1).all(axis=2)
            keep = ~is_pad
            n = np.where(keep.any(axis=1), ncols - np.argmax(keep[:, ::-1], axis=1), 0)
        else:
            n = np.asarray(_eager(_t(lengths), "RaggedTensor.from_tensor(lengths=...)")).reshape(-1)
            if len(n) != nrows:
                raise ValueError("Shapes (%d,) and (%d,) are incompatible" % (nrows, len(n)))
            n = np.clip(n, 0, ncols)
        mask = np.arange(ncols)[None, :] < n[:, None]
        flat_idx = np.flatnonzero(mask.reshape(-1))
        values = array_ops.gather(array_ops.reshape(x, [-1] + dims[2:]), Tensor(flat_idx.astype(np.int64)))
        splits = np.concatenate([[0], np.cumsum(n)])
        return cls(values, _int_tensor(splits, split_dtype), internal=True)

    @classmethod
    def _from_tensor_graph(cls, x, lengths, padding, split_dtype) -> "RaggedTensor":
        """from_tensor (ragged_rank 1) with registered ops: symbolic tensor, lengths or unknown dimensions."""
        array_ops, math_ops = _ops()
        dims = x.shape.as_list()
        shape = None

        def dim(i):
            nonlocal shape
            if dims[i] is not None:
                return _int_tensor(dims[i], split_dtype)
            shape = array_ops.shape(x, out_type=split_dtype) if shape is None else shape
            return shape[i]

        inner = dims[2:]
        if None in inner:
            flat_shape = array_ops.concat([_int_tensor([-1], dtypes.int32), array_ops.shape(x)[2:]], 0)
        else:
            flat_shape = [-1] + inner
        ncols = dim(1)
        if lengths is None and padding is None:
            splits = array_ops.range(dim(0) + 1, dtype=split_dtype) * ncols
            return cls(array_ops.reshape(x, flat_shape), splits, internal=True, uniform_row_length=dims[1])
        if padding is not None:
            is_pad = math_ops.equal(x, _t(padding, x.dtype))
            if len(dims) > 2:
                is_pad = math_ops.reduce_all(is_pad, axis=list(range(2, len(dims))))
            keep = math_ops.logical_not(is_pad)
            last = math_ops.argmax(array_ops.reverse(math_ops.cast(keep, dtypes.int32), [1]), axis=1,
                                   output_type=split_dtype)
            n = array_ops.where(math_ops.reduce_any(keep, axis=1), ncols - last, array_ops.zeros_like(last))
        else:
            n = array_ops.reshape(_t(lengths), [-1])
            n = n if n.dtype is split_dtype else math_ops.cast(n, split_dtype)
            if dims[0] is not None and n.shape[0] is not None and n.shape[0] != dims[0]:
                raise ValueError("Shapes (%d,) and (%d,) are incompatible" % (dims[0], n.shape[0]))
            n = math_ops.minimum(math_ops.maximum(n, 0), ncols)
        mask = array_ops.reshape(array_ops.sequence_mask(n, ncols), [-1])
        idx = array_ops.reshape(array_ops.where(mask), [-1])
        values = array_ops.gather(array_ops.reshape(x, flat_shape), idx)
        return cls(values, _g_splits_from_lengths(n, split_dtype), internal=True)

    @classmethod
    def from_sparse(cls, st_input, name=None, row_splits_dtype=dtypes.int64) -> "RaggedTensor":
        """A 2-D RaggedTensor holding each row's explicit values of a ragged-right 2-D SparseTensor."""
        from . import array_ops
        idx = _eager(st_input.indices, "RaggedTensor.from_sparse")
        shape = _eager(st_input.dense_shape, "RaggedTensor.from_sparse")
        if idx.shape[1] != 2 or len(shape) != 2:
            raise ValueError("rank(st_input) must be 2.")
        if len(idx):
            new_row = np.concatenate([[True], idx[1:, 0] != idx[:-1, 0]])
            prev = np.concatenate([[-1], idx[:-1, 1]])
            expect = np.where(new_row, 0, prev + 1)
            if (idx[:, 1] != expect).any() or (np.diff(idx[:, 0]) < 0).any():
                raise _invalid("SparseTensor is not right-ragged")
        ids = _int_tensor(idx[:, 0], dtypes.as_dtype(row_splits_dtype))
        return cls.from_value_rowids(array_ops.identity(st_input.values), ids, int(shape[0]), validate=False)

    # -- structure
    values = property(lambda self: self._values, doc="The concatenated rows (a Tensor or RaggedTensor).")
    row_splits = property(lambda self: self._row_splits, doc="The row boundaries into `values`.")

    @property
    def flat_values(self) -> Tensor:
        """The innermost values tensor (all ragged dimensions removed)."""
        v = self._values
        while isinstance(v, RaggedTensor):
            v = v._values
        return v

    @property
    def nested_row_splits(self) -> tuple:
        """The row_splits of every ragged dimension, outermost first."""
        out = [self._row_splits]
        v = self._values
        while isinstance(v, RaggedTensor):
            out.append(v._row_splits)
            v = v._values
        return tuple(out)

    @property
    def ragged_rank(self) -> int:
        """The number of ragged (partitioned) dimensions."""
        v = self._values
        return v.ragged_rank + 1 if isinstance(v, RaggedTensor) else 1

    @property
    def dtype(self):
        """The DType of the values."""
        return self.flat_values.dtype

    @property
    def shape(self) -> TensorShape:
        """The static shape: None for the ragged dimensions (and other unknown ones)."""
        n = self._row_splits.shape[0]
        vshape = self._values.shape
        inner = vshape[1:] if vshape.rank is not None else TensorShape(None)
        return TensorShape([None if n is None else n - 1, self._uniform_row_length]).concatenate(inner)

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def uniform_row_length(self):
        """The length of every row when the dimension is uniform, else None."""
        if self._uniform_row_length is None:
            return None
        return _int_tensor(self._uniform_row_length, self._row_splits.dtype)

    def nrows_static(self):
        n = self._row_splits.shape[0]
        return None if n is None else n - 1

    def nrows(self, out_type=None, name=None) -> Tensor:
        """The number of rows, as a scalar tensor (of the row_splits dtype by default)."""
        dtype = self._row_splits.dtype if out_type is None else dtypes.as_dtype(out_type)
        n = self.nrows_static()
        if n is None:
            from . import array_ops
            return array_ops.shape(self._row_splits, out_type=dtype)[0] - 1
        return _int_tensor(n, dtype)

    def row_starts(self, name=None) -> Tensor:
        """The start of each row in `values` (row_splits[:-1])."""
        return self._row_splits[:-1]

    def row_limits(self, name=None) -> Tensor:
        """The end of each row in `values` (row_splits[1:])."""
        return self._row_splits[1:]

    def row_lengths(self, axis=1, name=None):
        """The length of each row (axis=1), or of each row of an inner ragged dimension (axis > 1)."""
        if axis == 0:
            return self.nrows()
        if axis < 0:
            rank = self.shape.rank
            axis += rank
        if axis == 1:
            if self._lengths_cache is None:
                s = _np(self._row_splits)
                if s is not None:
                    self._lengths_cache = _int_tensor(np.diff(s), self._row_splits.dtype)
                else:
                    from . import math_ops
                    self._lengths_cache = math_ops.subtract(self._row_splits[1:], self._row_splits[:-1])
            return self._lengths_cache
        if isinstance(self._values, RaggedTensor):
            return self.with_values(self._values.row_lengths(axis - 1))
        from . import array_ops
        shape = array_ops.shape(self._values, out_type=self._row_splits.dtype)
        n = _nvals_static(self._values)
        dims = [n] if n is not None else array_ops.reshape(_g_nvals(self._values, dtypes.int32), [1])
        return self.with_values(array_ops.fill(dims, shape[axis - 1]))

    def nested_row_lengths(self, name=None) -> tuple:
        """The row lengths of every ragged dimension, outermost first."""
        out, rt = [], self
        while isinstance(rt, RaggedTensor):
            out.append(rt.row_lengths())
            rt = rt._values
        return tuple(out)

    def value_rowids(self, name=None) -> Tensor:
        """The row index of each element of `values`."""
        if self._rowids_cache is None:
            s = _np(self._row_splits)
            if s is None:
                nv = self._values.nrows_static() if isinstance(self._values, RaggedTensor) else (
                    self._values.shape[0] if self._values.shape.rank is not None else None)
                self._rowids_cache = _g_rowids(self._row_splits, None if nv is None else _int_tensor(nv, self._row_splits.dtype))
            else:
                ids = np.repeat(np.arange(len(s) - 1, dtype=s.dtype), np.diff(s))
                self._rowids_cache = _int_tensor(ids, self._row_splits.dtype)
        return self._rowids_cache

    def nested_value_rowids(self, name=None) -> tuple:
        """The value_rowids of every ragged dimension, outermost first."""
        out, rt = [], self
        while isinstance(rt, RaggedTensor):
            out.append(rt.value_rowids())
            rt = rt._values
        return tuple(out)

    def bounding_shape(self, axis=None, name=None, out_type=None) -> Tensor:
        """The smallest dense shape holding this tensor: [nrows, longest row, ..., inner dims]."""
        dtype = self._row_splits.dtype if out_type is None else dtypes.as_dtype(out_type)
        splits_list = self.nested_row_splits
        flat = self.flat_values
        inner = flat.shape.as_list()[1:] if flat.shape.rank is not None else None
        known = [_np(s) for s in splits_list]
        if inner is not None and None not in inner and all(s is not None for s in known):
            dims = [len(known[0]) - 1] + [int(np.diff(s).max()) if len(s) > 1 else 0 for s in known] + inner
            out = _int_tensor(dims, dtype)
            return out if axis is None else out[axis]
        array_ops, math_ops = _ops()
        dims = [self.nrows(out_type=dtype)]
        for splits, s in zip(splits_list, known):
            if s is not None:
                dims.append(_int_tensor(int(np.diff(s).max()) if len(s) > 1 else 0, dtype))
            else:
                longest = math_ops.reduce_max(array_ops.concat([_int_tensor([0], splits.dtype), _g_lengths(splits)], 0))
                dims.append(longest if splits.dtype is dtype else math_ops.cast(longest, dtype))
        if inner is None:
            raise ValueError("RaggedTensor.bounding_shape needs flat_values of known rank")
        fshape = None
        for i, d in enumerate(inner):
            if d is None:
                fshape = array_ops.shape(flat, out_type=dtype) if fshape is None else fshape
                dims.append(fshape[i + 1])
            else:
                dims.append(_int_tensor(d, dtype))
        if axis is not None:
            return dims[axis]
        return array_ops.stack(dims)

    # -- new tensors of the same structure
    def with_values(self, new_values) -> "RaggedTensor":
        """This partition with `new_values` (same number of rows as `values`) as values."""
        new_values = _convert_values(new_values)
        _check_inner_dtype(new_values, self._row_splits)
        out = RaggedTensor(new_values, self._row_splits, internal=True, uniform_row_length=self._uniform_row_length)
        out._lengths_cache, out._rowids_cache = self._lengths_cache, self._rowids_cache
        return out

    def with_flat_values(self, new_values) -> "RaggedTensor":
        """This nested partition with `new_values` as flat values."""
        if isinstance(self._values, RaggedTensor):
            return self.with_values(self._values.with_flat_values(new_values))
        return self.with_values(new_values)

    def with_row_splits_dtype(self, dtype) -> "RaggedTensor":
        """A copy whose row partitions use `dtype` (int32 or int64)."""
        from . import math_ops
        dtype = dtypes.as_dtype(dtype)
        if dtype not in _SPLIT_DTYPES:
            raise ValueError("dtype must be int32 or int64")
        if self._row_splits.dtype is dtype:
            return self
        values = self._values.with_row_splits_dtype(dtype) if isinstance(self._values, RaggedTensor) else self._values
        return RaggedTensor(values, math_ops.cast(self._row_splits, dtype), internal=True,
                            uniform_row_length=self._uniform_row_length)

    def merge_dims(self, outer_axis, inner_axis) -> "RaggedTensor | Tensor":
        """Merges dimensions outer_axis..inner_axis (inclusive) into one."""
        from . import array_ops
        rank = self.shape.rank
        outer_axis = outer_axis + rank if outer_axis < 0 else outer_axis
        inner_axis = inner_axis + rank if inner_axis < 0 else inner_axis
        if not 0 <= outer_axis <= inner_axis < rank:
            raise ValueError("Expected outer_axis (%d) to be less than or equal to inner_axis (%d)"
                             % (outer_axis, inner_axis))
        if outer_axis == inner_axis:
            return self
        if outer_axis > 1:
            v = self._values
            if isinstance(v, RaggedTensor):
                return self.with_values(v.merge_dims(outer_axis - 1, inner_axis - 1))
            d = v.shape.as_list()
            return self.with_values(array_ops.reshape(v, d[:outer_axis - 1] + [-1] + d[inner_axis:]))
        if outer_axis == 1:
            # Row i keeps its values, with their dimensions 1..inner_axis flattened.
            offsets = _np(self._row_splits)
            offsets = self._row_splits if offsets is None else offsets
            x = self._values
            for _ in range(inner_axis - 1):
                if isinstance(x, RaggedTensor):
                    inner = _np(x.row_splits)
                    if inner is None or not isinstance(offsets, np.ndarray):
                        offsets = array_ops.gather(x.row_splits, offsets)
                    else:
                        offsets = inner[offsets]
                    x = x._values
                else:
                    d = x.shape.as_list()
                    if d[1] is None:
                        width = array_ops.shape(x, out_type=self._row_splits.dtype)[1]
                        offsets = _ops()[1].multiply(offsets, width)
                        x = array_ops.reshape(x, array_ops.concat([[-1], array_ops.shape(x)[2:]], 0))
                    else:
                        offsets = offsets * d[1]
                        x = array_ops.reshape(x, [-1] + d[2:])
            if isinstance(offsets, np.ndarray):
                offsets = _int_tensor(offsets, self._row_splits.dtype)
            return RaggedTensor(x, offsets, internal=True)
        x = self
        for _ in range(inner_axis):
            if isinstance(x, RaggedTensor):
                x = x._values
            else:
                d = x.shape.as_list()
                x = array_ops.reshape(x, [-1] + d[2:])
        return x

    # -- conversion
    def to_tensor(self, default_value=None, name=None, shape=None) -> Tensor:
        """A dense tensor, padding the short rows with `default_value` (zero) to `shape` (the bounding shape).

        Dimensions of `shape` that are None (or -1) take the bounding shape; smaller ones truncate.
        """
        dtype = self.dtype
        if default_value is None:
            from .sparse_ops import _zero
            default = _zero(dtype)
        else:
            default = _t(default_value, dtype)
        splits = self.nested_row_splits
        sdtype = splits[0].dtype
        if shape is None:
            shape_t = _int_tensor(-1, sdtype)
        elif isinstance(shape, Tensor):
            shape_t = shape
        else:
            dims = TensorShape(shape).dims if not isinstance(shape, TensorShape) else shape.dims
            if dims is None:
                shape_t = _int_tensor(-1, sdtype)
            else:
                shape_t = _int_tensor([-1 if d is None else d for d in dims], sdtype)
        types = ("ROW_SPLITS",) * len(splits)
        return bind("RaggedTensorToTensor", [shape_t, self.flat_values, default, *splits], {"row_partition_types": types})

    def to_sparse(self, name=None):
        """A SparseTensor with the same values, at their coordinates (tf.RaggedTensor.to_sparse)."""
        from . import array_ops, sparse_ops
        known = [_np(s) for s in self.nested_row_splits]
        if any(s is None for s in known):
            return self._to_sparse_graph()
        coords, maxlens = _coordinates(known)
        flat = self.flat_values
        inner = flat.shape.as_list()[1:]
        idx = np.stack(coords, axis=1) if coords else np.zeros((0, 0), np.int64)
        if inner:
            sub = np.indices(inner).reshape(len(inner), -1).T
            idx = np.concatenate([np.repeat(idx, len(sub), axis=0), np.tile(sub, (len(idx), 1))], axis=1)
        dense_shape = [self.nrows_static()] + maxlens + inner
        values = array_ops.reshape(flat, [-1])
        return sparse_ops.SparseTensor(Tensor(idx.astype(np.int64)), values, _int_tensor(dense_shape, _I64))

    def _to_sparse_graph(self):
        """to_sparse with registered ops, for symbolic row partitions."""
        from . import sparse_ops
        array_ops, math_ops = _ops()
        splits_list = self.nested_row_splits
        flat = self.flat_values
        inner = flat.shape.as_list()[1:] if flat.shape.rank is not None else None
        if inner is None or None in inner:
            raise NotImplementedError("RaggedTensor.to_sparse while building a graph needs flat_values whose inner "
                                      "dimensions are statically known; got shape %s" % (flat.shape,))
        coords = None
        values = self._values
        for s in splits_list:
            nv = _g_nvals(values, s.dtype)
            rid = _g_rowids(s, nv)
            col = array_ops.range(nv, dtype=s.dtype) - array_ops.gather(s, rid) + s[0]
            coords = [rid, col] if coords is None else [array_ops.gather(c, rid) for c in coords] + [col]
            values = values._values if isinstance(values, RaggedTensor) else values
        coords = [c if c.dtype is _I64 else math_ops.cast(c, _I64) for c in coords]
        idx = array_ops.stack(coords, axis=1)
        if inner:
            sub = np.indices(inner).reshape(len(inner), -1).T.astype(np.int64)
            m, r = len(sub), len(coords)
            zero = array_ops.zeros_like(idx[:, :1])  # [N, 1]
            left = array_ops.expand_dims(idx, 1) + Tensor(np.zeros((1, m, r), np.int64))
            right = array_ops.expand_dims(zero, 1) + Tensor(sub[None])
            idx = array_ops.reshape(array_ops.concat([left, right], 2), [-1, r + len(inner)])
        return sparse_ops.SparseTensor(idx, array_ops.reshape(flat, [-1]), self.bounding_shape(out_type=_I64))

    def to_list(self) -> list:
        """The value as a nested Python list (bytes for strings)."""
        v = _np(self.flat_values)
        if v is None:
            raise ValueError("RaggedTensor.to_list() is only supported in eager mode.")
        rows = np.asarray(v).tolist()
        for splits in reversed(self.nested_row_splits):
            s = np.asarray(splits._value).tolist()
            rows = [rows[a:b] for a, b in zip(s[:-1], s[1:])]
        return rows

    def numpy(self):
        """The value as NumPy: an object array of row arrays where rows differ in length."""
        if _np(self._row_splits) is None:
            raise ValueError("RaggedTensor.numpy() is only supported in eager mode.")
        values = self._values.numpy()
        values = np.asarray(values) if not isinstance(values, np.ndarray) else values
        splits = self._row_splits._value
        rows = [values[splits[i]:splits[i + 1]] for i in range(len(splits) - 1)]
        if not rows:
            return np.zeros((0, 0) + values.shape[1:], dtype=values.dtype)
        if any(len(row) != len(rows[0]) for row in rows):
            result = np.empty((len(rows),), np.object_)
            result[:] = rows
            return result
        return np.array(rows, dtype=values.dtype)

    def _to_components(self) -> tuple:
        """The component tensors: flat_values, then each row_splits."""
        return (self.flat_values,) + self.nested_row_splits

    def __tf_tensor__(self, dtype=None, name=None):
        raise ValueError("TypeError: object of type 'RaggedTensor' has no len()\n")

    def __repr__(self) -> str:
        if _np(self.flat_values) is None or any(_np(s) is None for s in self.nested_row_splits):
            return "tf.RaggedTensor(values=%s, row_splits=%s)" % (self._values, self._row_splits)
        with np.printoptions(formatter={"all": _formatter}):
            return "<tf.RaggedTensor %s>" % _formatter(self.numpy())

    def __bool__(self):
        raise TypeError("RaggedTensor may not be used as a boolean.")

    def __hash__(self):
        raise TypeError("RaggedTensor is unhashable.")

    def __getitem__(self, key):
        return _getitem(self, key)

    def _map_binary(self, fn, other, reflected=False):
        mine, theirs = _broadcast_operand(self, other)
        return self.with_flat_values(fn(mine, theirs))


RaggedTensor.__module__ = "tensorforge"


def _formatter(x):
    if isinstance(x, np.ndarray):
        if x.size != 0:
            return np.array2string(x, separator=", ")
        return repr(x.tolist())
    return str(x)


def _install_operators():
    binary = ["__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__",
              "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__pow__", "__rpow__", "__and__", "__rand__",
              "__or__", "__ror__", "__xor__", "__rxor__", "__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__"]
    unary = ["__neg__", "__abs__", "__invert__"]

    def make_binary(name):
        def method(self, other):
            from .operators import _OPERATORS
            if name in ("__eq__", "__ne__"):
                try:
                    return self._map_binary(_OPERATORS[name], other)
                except (TypeError, ValueError, InvalidArgumentError):
                    return name == "__ne__"  # not comparable: unequal, as Python's default
            return self._map_binary(_OPERATORS[name], other)
        method.__name__ = name
        return method

    def make_unary(name):
        def method(self):
            from .operators import _OPERATORS
            return self.with_flat_values(_OPERATORS[name](self.flat_values))
        method.__name__ = name
        return method

    for name in binary:
        setattr(RaggedTensor, name, make_binary(name))
    for name in unary:
        setattr(RaggedTensor, name, make_unary(name))


_install_operators()


# ---------------------------------------------------------------- construction helpers
def _convert_values(values):
    if isinstance(values, RaggedTensor):
        return values
    v = values if type(values) is Tensor else _t(values)
    if v.shape.rank == 0:
        raise ValueError("Shape () must have rank at least 1")
    return v


def _convert_partition(x, name):
    if isinstance(x, Tensor) or getattr(x, "_is_symbolic_tensor", False):
        t = x
    else:
        arr = np.asarray(x)
        if arr.size == 0 and arr.dtype.kind == "f":
            arr = arr.astype(np.int64)
        if arr.dtype.kind not in "iu":
            raise ValueError("%s must have dtype int32 or int64" % name)
        t = constant_value(arr if arr.dtype == np.int32 else arr.astype(np.int64))
    if t.dtype not in _SPLIT_DTYPES:
        raise ValueError("%s must have dtype int32 or int64" % name)
    if t.shape.rank is not None and t.shape.rank != 1:
        raise ValueError("Shape %s must have rank 1" % (t.shape,))
    return t


def _check_inner_dtype(values, splits):
    if isinstance(values, RaggedTensor) and values.row_splits.dtype is not splits.dtype:
        raise ValueError("dtype mismatch: the row partition of `values` is %s but the new partition is %s; use "
                         "RaggedTensor.with_row_splits_dtype" % (values.row_splits.dtype.name, splits.dtype.name))


def _nvals(values) -> int:
    if isinstance(values, RaggedTensor):
        n = values.nrows_static()
    else:
        n = values.shape[0]
    if n is None:
        raise NotImplementedError("this RaggedTensor operation needs the number of values (the first dimension of "
                                  "`values`) to be statically known while building a graph")
    return n


def _nvals_static(values):
    if isinstance(values, RaggedTensor):
        return values.nrows_static()
    return values.shape[0] if values.shape.rank is not None else None


def _check_nvals(values, last):
    n = values.nrows_static() if isinstance(values, RaggedTensor) else values.shape[0]
    if n is not None and n != last:
        raise _invalid(_equal_msg("Arguments to _from_row_partition do not form a valid RaggedTensor", last, n))


def _coordinates(splits_list):
    """Dense coordinates of each flat value row, and the longest row of each ragged dimension."""
    s0 = np.asarray(splits_list[0])
    lens = np.diff(s0)
    rid = np.repeat(np.arange(len(lens)), lens)
    coords = [rid, np.arange(len(rid)) - s0[rid] + s0[0]]
    maxlens = [int(lens.max()) if len(lens) else 0]
    for s in splits_list[1:]:
        s = np.asarray(s)
        lens = np.diff(s)
        parent = np.repeat(np.arange(len(lens)), lens)
        coords = [c[parent] for c in coords] + [np.arange(len(parent)) - s[parent] + s[0]]
        maxlens.append(int(lens.max()) if len(lens) else 0)
    return coords, maxlens


def _is_ragged(x) -> bool:
    return isinstance(x, RaggedTensor)


def _broadcast_operand(rt: RaggedTensor, other):
    """rt's flat values and `other` made elementwise-compatible with them."""
    from . import array_ops
    flat = rt.flat_values
    if isinstance(other, RaggedTensor):
        _assert_same_partition(rt, other)
        return flat, other.flat_values
    if not (isinstance(other, Tensor) or getattr(other, "_is_symbolic_tensor", False)):
        if isinstance(other, (int, float, bool, complex, str, bytes)):
            return flat, other
        other = _t(other, dtype_hint=flat.dtype)
    inner_rank = flat.shape.rank - 1
    orank = other.shape.rank
    if orank <= inner_rank:
        return flat, other
    extra = other.shape.as_list()[:orank - inner_rank]
    if all(d == 1 for d in extra):
        return flat, array_ops.reshape(other, other.shape.as_list()[orank - inner_rank:])
    n = rt.nrows_static()
    if rt.ragged_rank == 1 and orank == rt.shape.rank and other.shape[1] == 1 and (
            other.shape[0] in (n, 1) or n is None or other.shape[0] is None):
        rest = other.shape.as_list()[2:]
        rows = array_ops.reshape(other, [other.shape[0]] + rest)
        if other.shape[0] == 1:
            return flat, array_ops.reshape(rows, rest)
        return flat, array_ops.gather(rows, rt.value_rowids())
    raise ValueError("Unable to broadcast a tensor of shape %s against a RaggedTensor of shape %s"
                     % (other.shape, rt.shape))


def _assert_same_partition(a: RaggedTensor, b: RaggedTensor):
    sa, sb = a.nested_row_splits, b.nested_row_splits
    if len(sa) != len(sb):
        raise ValueError("Ragged tensors have different ragged ranks: %d vs %d" % (len(sa), len(sb)))
    for x, y in zip(sa, sb):
        if x is y:
            continue
        vx, vy = _np(x), _np(y)
        if vx is None or vy is None:
            continue
        if vx.shape != vy.shape or not np.array_equal(vx, vy):
            raise _invalid("Inputs must have identical ragged splits.  Condition x == y did not hold element-wise.")


# ---------------------------------------------------------------- __getitem__
# Eager row partitions are indexed with NumPy; symbolic ones (inside tf.function / tf.data graphs)
# with registered ops (gather, range, RaggedRange, searchsorted), which also carry the gradients.
def _getitem(rt: RaggedTensor, key):
    if isinstance(key, RaggedTensor):
        raise TypeError("Ragged masks and index tensors are not supported as RaggedTensor keys")
    if not isinstance(key, tuple):
        key = (key,)
    key = list(key)
    if any(k is Ellipsis for k in key):
        i = key.index(Ellipsis)
        rank = rt.shape.rank
        n_real = sum(1 for k in key if k is not None and k is not Ellipsis)
        key = key[:i] + [slice(None)] * (rank - n_real) + key[i + 1:]
    if not key:
        return rt
    k0, rest = key[0], key[1:]
    if k0 is None:  # tf.newaxis: one row holding rt
        n = rt.nrows_static()
        dtype = rt.row_splits.dtype
        if n is not None:
            splits = _int_tensor([0, n], dtype)
        else:
            splits = _ops()[0].stack([_int_tensor(0, dtype), rt.nrows()])
        outer = RaggedTensor(rt, splits, internal=True, uniform_row_length=n)
        return _getitem_inner(outer, rest) if rest else outer
    if isinstance(k0, slice):
        sliced = _slice_rows(rt, k0)
        return _getitem_inner(sliced, rest) if rest else sliced
    row = _row(rt, _index(k0))
    if not rest:
        return row
    return row[tuple(rest)]


def _index(k):
    """A key entry as a Python int, or a symbolic scalar int tensor kept as it is."""
    if isinstance(k, Tensor):
        if k.shape.rank != 0 or not k.dtype.is_integer:
            raise TypeError("RaggedTensor indices must be integers or slices, got %r" % (k,))
        return int(k._value)
    if _is_sym(k):
        if k.shape.rank not in (0, None) or not k.dtype.is_integer:
            raise TypeError("RaggedTensor indices must be integers or slices, got %r" % (k,))
        return k
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)):
        raise TypeError("RaggedTensor indices must be integers, slices, `...` or tf.newaxis, got %r" % (k,))
    return int(k)


def _row(rt: RaggedTensor, i):
    s = _np(rt.row_splits)
    if s is None or not isinstance(i, int):
        return _row_graph(rt, i)
    n = len(s) - 1
    if i >= n:
        raise IndexError("Row key %d out of bounds" % i)
    if i < -n:
        raise InvalidArgumentError(None, None, "slice index %d of dimension 0 out of bounds." % (i + n))
    i %= n
    return _take_range(rt.values, int(s[i]), int(s[i + 1]))


def _row_graph(rt: RaggedTensor, i):
    """Row i (a Python int or a scalar int tensor) of rt whose row partition is symbolic."""
    array_ops, math_ops = _ops()
    s = rt.row_splits
    if isinstance(i, int):
        n = rt.nrows_static()
        if n is not None:
            if i >= n:
                raise IndexError("Row key %d out of bounds" % i)
            if i < -n:
                raise InvalidArgumentError(None, None, "slice index %d of dimension 0 out of bounds." % (i + n))
            i %= n
        a, b = (s[i], s[i + 1]) if i >= 0 else (s[i - 1], s[i])
    else:
        i = math_ops.cast(i, s.dtype)
        i = array_ops.where(math_ops.less(i, 0), i + rt.nrows(), i)
        a, b = array_ops.gather(s, i), array_ops.gather(s, i + 1)
    return _g_take_range(rt.values, a, b)


def _take_range(values, a: int, b: int):
    """values[a:b] along the first dimension (values may be ragged)."""
    if isinstance(values, RaggedTensor):
        s = _np(values.row_splits)
        if s is None:
            d = values.row_splits.dtype
            return _g_take_range(values, _int_tensor(a, d), _int_tensor(b, d))
        inner = _take_range(values.values, int(s[a]), int(s[b]))
        return RaggedTensor(inner, _int_tensor(s[a:b + 1] - s[a], values.row_splits.dtype), internal=True,
                            uniform_row_length=values._uniform_row_length)
    return values[a:b]


def _slice_rows(rt: RaggedTensor, key: slice) -> RaggedTensor:
    s = _np(rt.row_splits)
    if s is None and key.start is None and key.stop is None and key.step in (None, 1):
        return rt  # all rows: nothing to gather (keeps graphs and their gradients simple)
    start, stop, step = (None if v is None else _index(v) for v in (key.start, key.stop, key.step))
    if s is None or any(_is_sym(v) for v in (start, stop, step)):
        return _slice_rows_graph(rt, slice(start, stop, step))
    n = len(s) - 1
    start, stop, step = slice(start, stop, step).indices(n)
    if step == 1:
        stop = max(stop, start)
        return _take_range_rows(rt, start, stop)
    return _gather_rows(rt, np.arange(start, stop, step))


def _slice_rows_graph(rt: RaggedTensor, key: slice) -> RaggedTensor:
    array_ops, _ = _ops()
    if _is_sym(key.step):
        raise NotImplementedError("RaggedTensor.__getitem__: a slice step given as a symbolic tensor is not "
                                  "supported while building a graph; use a Python int step")
    n = rt.nrows_static()
    s = rt.row_splits
    if n is not None and not _is_sym(key.start) and not _is_sym(key.stop):
        start, stop, step = key.indices(n)
        if step == 1:  # contiguous rows: a slice of the row partition
            stop = max(stop, start)
            sub = s[start:stop + 1]
            return RaggedTensor(_g_take_range(rt.values, s[start], s[stop]), sub - sub[0], internal=True,
                                uniform_row_length=rt._uniform_row_length)
        rows = _int_tensor(np.arange(start, stop, step), s.dtype)
    else:
        rows = array_ops.range(rt.nrows())[key]
    return _g_gather_rows(rt, rows)


def _take_range_rows(rt: RaggedTensor, start: int, stop: int) -> RaggedTensor:
    s = rt.row_splits._value
    values = _take_range(rt.values, int(s[start]), int(s[stop]))
    return RaggedTensor(values, _int_tensor(s[start:stop + 1] - s[start], rt.row_splits.dtype), internal=True,
                        uniform_row_length=rt._uniform_row_length)


def _gather_rows(rt, rows):
    """The rows `rows` (a NumPy int vector, or an int tensor) of rt (a RaggedTensor or a Tensor), in that order."""
    from . import array_ops
    if not isinstance(rows, np.ndarray):
        return _g_gather_rows(rt, rows)
    rows = np.asarray(rows, np.int64)
    if not isinstance(rt, RaggedTensor):
        return array_ops.gather(rt, Tensor(rows))
    s = _np(rt.row_splits)
    if s is None:
        return _g_gather_rows(rt, _int_tensor(rows, rt.row_splits.dtype))
    lens = np.diff(s)[rows]
    splits = np.concatenate([[0], np.cumsum(lens)]).astype(s.dtype)
    starts = s[rows]
    value_idx = np.repeat(starts - splits[:-1], lens) + np.arange(splits[-1])
    return RaggedTensor(_gather_rows(rt.values, value_idx), _int_tensor(splits, rt.row_splits.dtype), internal=True,
                        uniform_row_length=rt._uniform_row_length)


def _getitem_inner(rt: RaggedTensor, rest):
    """Applies `rest` (keys for dimensions 1..) to each row of rt."""
    k1, more = rest[0], rest[1:]
    if k1 is None:
        raise ValueError("tf.newaxis is not supported for the inner dimensions of a RaggedTensor")
    if not isinstance(k1, slice):
        if rt._uniform_row_length is None:
            raise ValueError("Cannot index into an inner ragged dimension.")
        i = _index(k1)
        L = rt._uniform_row_length
        if _is_sym(i):
            raise NotImplementedError("RaggedTensor.__getitem__: a symbolic index into a uniform inner dimension is "
                                      "not supported while building a graph; use a Python int")
        if not -L <= i < L:
            raise InvalidArgumentError(None, None, "slice index %d of dimension 1 out of bounds." % i)
        n = rt.nrows_static()
        if n is not None:
            rows = np.arange(n) * L + (i % L)
        else:
            array_ops, _ = _ops()
            d = rt.row_splits.dtype
            rows = array_ops.range(rt.nrows(), dtype=d) * L + (i % L)
        picked = _gather_rows(rt.values, rows)
        return picked[(slice(None),) + tuple(more)] if more else picked
    if k1 != slice(None):
        s = _np(rt.row_splits)
        parts = [None if v is None else _index(v) for v in (k1.start, k1.stop, k1.step)]
        if s is None or any(_is_sym(v) for v in parts):
            rt = _slice_each_row_graph(rt, slice(*parts))
        else:
            starts, lens = s[:-1], np.diff(s)
            new_idx, new_lens = _slice_each_row(starts, lens, k1)
            values = _gather_rows(rt.values, new_idx)
            splits = np.concatenate([[0], np.cumsum(new_lens)]).astype(s.dtype)
            rt = RaggedTensor(values, _int_tensor(splits, rt.row_splits.dtype), internal=True)
    if not more:
        return rt
    return rt.with_values(rt.values[(slice(None),) + tuple(more)])


def _slice_each_row(starts, lens, key: slice):
    """Value indices and new lengths when every row (start, length) is sliced by `key`."""
    step = 1 if key.step is None else _index(key.step)
    if step == 0:
        raise ValueError("slice step cannot be zero")

    def bound(v, default):
        if v is None:
            return default
        v = np.full(lens.shape, _index(v), np.int64)
        v = np.where(v < 0, v + lens, v)
        lo, hi = (0, lens) if step > 0 else (-1, lens - 1)
        return np.clip(v, lo, hi)

    if step > 0:
        b, e = bound(key.start, np.zeros_like(lens)), bound(key.stop, lens)
        new_lens = np.maximum(0, (e - b + step - 1) // step)
    else:
        b, e = bound(key.start, lens - 1), bound(key.stop, np.full(lens.shape, -1))
        new_lens = np.maximum(0, (b - e - step - 1) // (-step))
    total = int(new_lens.sum())
    new_splits = np.concatenate([[0], np.cumsum(new_lens)])
    row = np.repeat(np.arange(len(lens)), new_lens)
    k = np.arange(total) - new_splits[row]
    return starts[row] + b[row] + k * step, new_lens


def _slice_each_row_graph(rt: RaggedTensor, key: slice) -> RaggedTensor:
    """Every row of rt sliced by `key` (Python ints or symbolic scalars; a Python int step), with registered ops."""
    array_ops, math_ops = _ops()
    if _is_sym(key.step):
        raise NotImplementedError("RaggedTensor.__getitem__: a slice step given as a symbolic tensor is not "
                                  "supported while building a graph; use a Python int step")
    step = 1 if key.step is None else key.step
    if step == 0:
        raise ValueError("slice step cannot be zero")
    s = rt.row_splits
    d = s.dtype
    starts, lens = s[:-1], _g_lengths(s)
    lo, hi = (_int_tensor(0, d), lens) if step > 0 else (_int_tensor(-1, d), lens - 1)

    def bound(v, default):
        if v is None:
            return default
        v = math_ops.cast(v, d) if _is_sym(v) else _int_tensor(v, d)
        v = array_ops.where(math_ops.less(v, 0), v + lens, v)
        return math_ops.minimum(math_ops.maximum(v, lo), hi)

    if step > 0:
        b, e = bound(key.start, array_ops.zeros_like(lens)), bound(key.stop, lens)
    else:
        b, e = bound(key.start, lens - 1), bound(key.stop, array_ops.fill(array_ops.shape(lens), _int_tensor(-1, d)))
    splits, idx = _g_ranges(starts + b, starts + e, step)
    return RaggedTensor(_gather_rows(rt.values, idx), splits, internal=True)


# ---------------------------------------------------------------- RaggedTensorToTensor
_TO_TENSOR = "tf.RaggedTensor.to_tensor"


def _to_tensor_shape(shape, values_shape, splits_list):
    """The output shape (ints) of RaggedTensorToTensor, from the known split values."""
    k = len(splits_list)
    rank = 1 + k + len(values_shape) - 1
    maxlens = None
    if splits_list and all(s is not None for s in splits_list):
        maxlens = [int(np.diff(s).max()) if len(s) > 1 else 0 for s in splits_list]
    req = None if shape is None else [int(d) for d in np.asarray(shape).reshape(-1)]
    if req is not None and np.asarray(shape).ndim == 0:
        req = None if req[0] == -1 else req
    if req is not None and len(req) != rank:
        raise sh.error(_TO_TENSOR, "RaggedTensorToTensor", "rt_input.shape and shape=%s are incompatible: rt_input.rank = "
                       "%d but shape.rank = %d" % (_fmt(req), rank, len(req)))
    nrows = None if splits_list[0] is None else len(splits_list[0]) - 1
    natural = [nrows] + (maxlens if maxlens is not None else [None] * k) + list(values_shape[1:])
    if req is None:
        return natural
    out = [n if r == -1 else r for r, n in zip(req, natural)]
    for i in range(1 + k, rank):
        if req[i] != -1 and natural[i] is not None and req[i] != natural[i]:
            raise sh.error(_TO_TENSOR, "RaggedTensorToTensor", "rt_input.shape and shape=%s are incompatible: "
                           "rt_input.shape[%d] = %d but shape[%d] = %d" % (_fmt(req), i, natural[i], i, req[i]))
    return out


def _fmt(dims):
    return "[%s]" % ",".join(str(d) for d in dims)


def _to_tensor_kernel(xp, shape, values, default_value, *row_partition_tensors, row_partition_types):
    parts = list(row_partition_tensors)
    out_shape = _to_tensor_shape(shape, values.shape, parts)
    if values.dtype != object and not default_value.any():
        out = np.zeros(out_shape, dtype=values.dtype)
    else:
        out = np.empty(out_shape, dtype=values.dtype)
        out[...] = default_value
    last = parts[-1]
    if len(last) and last[-1] - last[0] != len(values):
        raise sh.error(_TO_TENSOR, "RaggedTensorToTensor", "Invalid row partition: %d values but the splits end at %d"
                       % (len(values), last[-1]))
    if len(parts) == 1:
        # One ragged dimension: value j of row r lands at flat cell r * width + (j - splits[r]).
        s = parts[0]
        lens = np.diff(s)
        rows, width = min(out_shape[0], len(lens)), out_shape[1]
        flat = out.reshape((out.shape[0] * out.shape[1],) + out.shape[2:])
        if rows < len(lens) or (lens[:rows] > width).any():
            pos = np.arange(len(values)) - np.repeat(s[:-1] - s[0], lens)
            rid = np.repeat(np.arange(len(lens)), lens)
            keep = (rid < rows) & (pos < width)
            flat[(rid * width + pos)[keep]] = values[keep]
        else:
            flat[np.arange(len(values)) + np.repeat(np.arange(len(lens)) * width - (s[:-1] - s[0]), lens)] = values
        return out
    coords, _ = _coordinates(parts)
    mask = None
    for c, d in zip(coords, out_shape):
        if len(c) and c.max() >= d:
            m = c < d
            mask = m if mask is None else mask & m
    if mask is None:
        out[tuple(coords)] = values
    else:
        out[tuple(c[mask] for c in coords)] = values[mask]
    return out


def _static_np(spec):
    """The NumPy value of an eager tensor, or of a symbolic one whose value is known at trace time; else None."""
    if type(spec) is Tensor:
        return spec._value
    static = getattr(spec, "_static_value", None)
    if static is not None:
        v = static()
        return None if v is None else np.asarray(v)
    return None


def _to_tensor_infer(specs, attrs):
    shape, values, default = specs[:3]
    parts = specs[3:]
    if default.dtype is not values.dtype:
        raise InvalidArgumentError(None, None, "%s: cannot compute RaggedTensorToTensor as input #2(zero-based) was "
                                   "expected to be a %s tensor but is a %s tensor [Op:RaggedTensorToTensor]"
                                   % (_TO_TENSOR, values.dtype.name, default.dtype.name))
    vshape = sh.dims(values)
    if vshape is None:
        return [(None, values.dtype)]
    known = [_static_np(p) for p in parts]
    sv = _static_np(shape)
    if all(k is not None for k in known) and (sv is not None or not _is_sym(shape)):
        return [(tuple(_to_tensor_shape(sv, vshape, known)), values.dtype)]
    if known[0] is not None:
        nrows = len(known[0]) - 1
    else:
        n0 = sh.dims(parts[0])
        nrows = None if n0 is None or n0[0] is None else n0[0] - 1
    dims = [nrows] + [None] * len(parts) + list(vshape[1:])
    if sv is not None and np.asarray(sv).ndim == 1:
        req = [int(d) for d in sv]
        if len(req) != len(dims):
            raise sh.error(_TO_TENSOR, "RaggedTensorToTensor", "rt_input.shape and shape=%s are incompatible: "
                           "rt_input.rank = %d but shape.rank = %d" % (_fmt(req), len(dims), len(req)))
        dims = [d if r == -1 else r for r, d in zip(req, dims)]
    return [(tuple(dims), values.dtype)]


def _arange_like(values, dtype):
    """0, 1, ..., len(values) - 1."""
    from . import array_ops
    n = values.shape[0]
    if n is not None:
        return _int_tensor(np.arange(n), dtype)
    return array_ops.range(array_ops.shape(values, out_type=dtype)[0], dtype=dtype)


def _to_tensor_grad(op, dy):
    from . import array_ops, math_ops
    shape, values, default = op.inputs[:3]
    parts = list(op.inputs[3:])
    k = len(parts)
    out_dims = dy.shape.as_list()
    inner = values.shape.as_list()[1:]
    n = values.shape[0]
    dynamic = n is None or None in out_dims[:1 + k]
    outer = (array_ops.shape(dy, out_type=parts[0].dtype)[:1 + k] if dynamic
             else _int_tensor(out_dims[:1 + k], parts[0].dtype))
    index_map = bind("RaggedTensorToTensor", [outer, _arange_like(values, _I64), _int_tensor(-1, _I64), *parts],
                     op.attrs)
    rows = array_ops.reshape(dy, [-1] + inner)
    flat_map = array_ops.reshape(index_map, [-1])
    if dynamic:  # the number of values is only known when the graph runs: scatter the cells that hold values
        held = math_ops.greater_equal(flat_map, 0)
        values_grad = array_ops.tensor_scatter_nd_add(
            array_ops.zeros_like(values), array_ops.expand_dims(array_ops.boolean_mask(flat_map, held), 1),
            array_ops.boolean_mask(rows, held))
    else:
        values_grad = math_ops.unsorted_segment_sum(rows, flat_map, n)
    total = math_ops.reduce_sum(rows, axis=0)
    used = math_ops.reduce_sum(values_grad, axis=0)
    default_grad = math_ops.unbroadcast(math_ops.subtract(total, used), default.shape)
    return [None, values_grad, default_grad] + [None] * k


def _to_tensor_samples():
    splits = np.array([0, 2, 3, 3, 6], np.int64)
    nested = [np.array([0, 2, 3], np.int64), np.array([0, 1, 3, 5], np.int64)]
    return [([S.scalar(-1, np.int64), S.normal(6), S.scalar(0.5, np.float64), splits],
             {"row_partition_types": ("ROW_SPLITS",)}),
            ([np.array([3, 2], np.int64), S.normal(6), S.scalar(0.0, np.float64), splits],
             {"row_partition_types": ("ROW_SPLITS",)}),
            ([np.array([-1, 4, 2], np.int64), S.normal(6, 2), S.normal(2), splits],
             {"row_partition_types": ("ROW_SPLITS",)}),
            ([S.scalar(-1, np.int64), S.normal(5), S.scalar(0.0, np.float64), *nested],
             {"row_partition_types": ("ROW_SPLITS", "ROW_SPLITS")}),
            ([S.scalar(-1, np.int64), S.ints(0, 5, 6), S.scalar(-1), splits],
             {"row_partition_types": ("ROW_SPLITS",)})]


register("RaggedTensorToTensor", kernel=_to_tensor_kernel, infer=_to_tensor_infer, grad=_to_tensor_grad, api=_TO_TENSOR,
         args=("shape", "values", "default_value", "row_partition_tensors"), samples=_to_tensor_samples)


# ---------------------------------------------------------------- RaggedRange
_RANGE = "tf.ragged.range"


def _range_sizes(starts, limits, deltas):
    for name, v in (("starts", starts), ("limits", limits), ("deltas", deltas)):
        if np.ndim(v) > 1:
            raise sh.error(_RANGE, "RaggedRange", "%s must be a scalar or vector" % name)
    lens = {len(v) for v in (starts, limits, deltas) if np.ndim(v) == 1}
    if len(lens) > 1:
        raise sh.error(_RANGE, "RaggedRange", "starts, limits, and deltas must have the same shape")
    n = lens.pop() if lens else 1
    s, lim, d = (np.ascontiguousarray(np.broadcast_to(np.asarray(v).reshape(-1) if np.ndim(v) else v, (n,)))
                 for v in (starts, limits, deltas))
    if (d == 0).any():
        raise sh.error(_RANGE, "RaggedRange", "Requires delta != 0")
    if np.asarray(s).dtype.kind in "iu":
        ad = np.abs(d)
        sizes = np.where((d > 0) & (lim < s) | (d < 0) & (lim > s), 0, (np.abs(lim - s) + ad - 1) // ad)
    else:
        sizes = np.where((d > 0) & (lim < s) | (d < 0) & (lim > s), 0, np.ceil(np.abs((lim - s) / d)))
    return s, d, sizes.astype(np.int64)


def _ragged_range_kernel(xp, starts, limits, deltas, Tsplits):
    s, d, sizes = _range_sizes(starts, limits, deltas)
    splits = np.zeros(len(sizes) + 1, np.int64)
    np.cumsum(sizes, out=splits[1:])
    # value j of row r is starts[r] + (j - splits[r]) * deltas[r], as TF computes it (in place: few temporaries)
    values = np.arange(splits[-1], dtype=s.dtype)
    values -= np.repeat(splits[:-1].astype(s.dtype), sizes)
    values *= d[0] if len(d) and (d == d[0]).all() else np.repeat(d, sizes)
    values += np.repeat(s, sizes)
    return splits.astype(Tsplits.as_numpy_dtype, copy=False), values


def _ragged_range_infer(specs, attrs):
    ds = [sh.dims(s) for s in specs]
    d0 = sh.same_dtype(_RANGE, "RaggedRange", specs, ("starts", "limits", "deltas"))
    lens = [d[0] for d in ds if d is not None and len(d) == 1]
    n = 1 if all(d == () for d in ds) else next((x for x in lens if x is not None), None)
    vals = [_np(s) for s in specs]
    total = None
    if all(v is not None for v in vals):
        total = int(_range_sizes(*vals)[2].sum())
    return [((None if n is None else n + 1,), attrs["Tsplits"]), ((total,), d0)]


register("RaggedRange", kernel=_ragged_range_kernel, infer=_ragged_range_infer, grad=NON_DIFFERENTIABLE, api=_RANGE,
         num_outputs=2, args=("starts", "limits", "deltas"),
         samples=lambda: [([np.array([0, 5, 2], np.int32), np.array([3, 8, 2], np.int32), S.scalar(1)],
                           {"Tsplits": _I64}),
                          ([np.array([0.5, 5.0]), np.array([3.0, 8.0]), np.array([1.0, 2.0])], {"Tsplits": _I64}),
                          ([S.scalar(5, np.int64), S.scalar(0, np.int64), S.scalar(-2, np.int64)], {"Tsplits": dtypes.int32})])


_RANGE_ORDER = (dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64)


@tf_export("ragged.range")
def ragged_range(starts, limits=None, deltas=1, dtype=None, name=None, row_splits_dtype=dtypes.int64) -> RaggedTensor:
    """A RaggedTensor whose row i is range(starts[i], limits[i], deltas[i]) (tf.ragged.range).

    Scalars broadcast against vectors; with `limits` None the ranges are [0, starts).
    """
    from . import math_ops
    if limits is None:
        starts, limits = 0, starts
    if dtype is None:
        ts = [_t(v) for v in (starts, limits, deltas)]
        dtype = max((t.dtype for t in ts), key=lambda d: _RANGE_ORDER.index(d) if d in _RANGE_ORDER else 0)
        ts = [t if t.dtype is dtype else math_ops.cast(t, dtype) for t in ts]
    else:
        dtype = dtypes.as_dtype(dtype)
        ts = [_t(v, dtype) if not isinstance(v, Tensor) else math_ops.cast(v, dtype) for v in (starts, limits, deltas)]
    splits, values = bind("RaggedRange", ts, {"Tsplits": dtypes.as_dtype(row_splits_dtype)})
    return RaggedTensor(values, splits, internal=True)


# ---------------------------------------------------------------- tf.ragged.constant
@tf_export("ragged.constant")
def constant(pylist, dtype=None, ragged_rank=None, inner_shape=None, name=None,
             row_splits_dtype=dtypes.int64):
    """A RaggedTensor from a nested Python list with rows of different lengths (tf.ragged.constant).

    Args:
      pylist: nested lists/tuples of scalars; all scalars at the same depth.
      dtype: the element type (inferred as tf.constant does when None).
      ragged_rank: the number of ragged dimensions (default: all but `inner_shape`).
      inner_shape: the shape of the uniform innermost dimensions.
      row_splits_dtype: int64 or int32.

    Returns:
      A RaggedTensor, or a Tensor when the result has no ragged dimension (ragged_rank 0).
    """
    split_dtype = dtypes.as_dtype(row_splits_dtype)

    def ragged_factory(values, row_splits):
        return RaggedTensor(values, _int_tensor(row_splits, split_dtype), internal=True)

    def inner_factory(pylist, dtype, shape):
        from ..framework.convert import _infer_python, constant as tf_constant
        if isinstance(pylist, list) and pylist:
            # Fast path for a flat list of Python scalars (the values of every ragged row).
            try:
                arr = np.asarray(pylist)
                if arr.dtype != object:
                    return tf_constant(arr, dtype=dtype or _infer_python(arr), shape=shape)
            except (TypeError, ValueError):
                pass
        return tf_constant(pylist, dtype=dtype, shape=shape)

    return _constant_value(ragged_factory, inner_factory, pylist, dtype, ragged_rank, inner_shape)


def _constant_value(ragged_factory, inner_factory, pylist, dtype, ragged_rank, inner_shape):
    if isinstance(pylist, RaggedTensor):
        raise TypeError("pylist may not be a RaggedTensor or RaggedTensorValue.")
    if not isinstance(pylist, (list, tuple)) and np.ndim(pylist) == 0:
        if ragged_rank is not None and ragged_rank != 0:
            raise ValueError("Invalid pylist=%r: incompatible with ragged_rank=%d" % (pylist, ragged_rank))
        if inner_shape is not None and inner_shape:
            raise ValueError("Invalid pylist=%r: incompatible with dim(inner_shape)=%d" % (pylist, len(inner_shape)))
        return inner_factory(pylist, dtype, ())
    if ragged_rank is not None and ragged_rank < 0:
        raise ValueError("Invalid ragged_rank=%r: must be nonnegative" % ragged_rank)
    scalar_depth, max_depth = _find_scalar_and_max_depth(pylist)
    if scalar_depth is not None:
        if max_depth > scalar_depth:
            raise ValueError("Invalid pylist=%r: empty list nesting is greater than scalar value nesting" % (pylist,))
        if ragged_rank is not None and max_depth < ragged_rank:
            raise ValueError("Invalid pylist=%s, max depth smaller than ragged_rank=%d" % (pylist, ragged_rank))
    if inner_shape is not None and ragged_rank is not None:
        expected_depth = ragged_rank + len(inner_shape) + 1
        if ((scalar_depth is not None and expected_depth != scalar_depth)
                or (scalar_depth is None and expected_depth < max_depth)):
            raise ValueError("Invalid pylist=%r: incompatible with ragged_rank=%d and dim(inner_shape)=%d"
                             % (pylist, ragged_rank, len(inner_shape)))
    if (ragged_rank == 0 or (ragged_rank is None and (
            (max_depth < 2) or (inner_shape is not None and max_depth - len(inner_shape) < 2)))):
        return inner_factory(pylist, dtype, inner_shape)
    if inner_shape is None:
        inner_shape = () if ragged_rank is None else _default_inner_shape_for_pylist(pylist, ragged_rank)
    inner_shape = tuple(inner_shape)
    if ragged_rank is None:
        if scalar_depth is None:
            ragged_rank = max(1, max_depth - 1)
        else:
            ragged_rank = max(1, scalar_depth - 1 - len(inner_shape))
    nested_splits = []
    values = pylist
    for _ in range(ragged_rank):
        lengths = [len(row) for row in values]
        nested_splits.append(np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]))
        values = [v for row in values for v in row]
    values = inner_factory(values, dtype, (len(values),) + inner_shape)
    for row_splits in reversed(nested_splits):
        values = ragged_factory(values, row_splits)
    return values


_SCALAR_TYPES = (int, float, bool, str, bytes, complex)


def _find_scalar_and_max_depth(pylist):
    """(depth of the scalars or None, depth of the deepest list), walking the nesting one level at a time."""
    level, depth, scalar_depth, max_depth = [pylist], 0, None, 0
    while level:
        below, has_scalar = [], False
        for item in level:
            t = type(item)
            if t is list or t is tuple:
                below.extend(item)
            elif t in _SCALAR_TYPES or np.ndim(item) == 0:
                has_scalar = True
            else:
                below.extend(item)
                t = list
            if t is list or t is tuple:
                max_depth = depth + 1
        if has_scalar:
            if scalar_depth is not None:
                raise ValueError("all scalar values must have the same nesting depth")
            scalar_depth = depth
        level = below
        depth += 1
    if scalar_depth == 0 and max_depth == 0:
        return 0, 0
    return scalar_depth, max_depth


def _default_inner_shape_for_pylist(pylist, ragged_rank):
    def get_inner_shape(item):
        if not isinstance(item, (list, tuple)) and np.ndim(item) == 0:
            return ()
        if len(item) > 0:
            return (len(item),) + get_inner_shape(item[0])
        return (0,)

    def check_inner_shape(item, shape):
        is_nested = isinstance(item, (list, tuple)) or np.ndim(item) != 0
        if is_nested != bool(shape):
            raise ValueError("inner values have inconsistent shape")
        if is_nested:
            if shape[0] != len(item):
                raise ValueError("inner values have inconsistent shape")
            for child in item:
                check_inner_shape(child, shape[1:])

    flat_values = pylist
    for dim in range(ragged_rank):
        if not all(isinstance(v, (list, tuple)) or np.ndim(v) != 0 for v in flat_values):
            raise ValueError("pylist has scalar values depth %d, but ragged_rank=%d requires scalar value depth greater "
                             "than %d" % (dim + 1, ragged_rank, ragged_rank))
        flat_values = [x for v in flat_values for x in v]
    inner_shape = get_inner_shape(flat_values)
    check_inner_shape(flat_values, inner_shape)
    return inner_shape[1:]


# ---------------------------------------------------------------- map_flat_values, segment ids
@tf_export("ragged.map_flat_values")
def map_flat_values(op, *args, **kwargs):
    """Applies `op` to the flat values of the RaggedTensors in args/kwargs (tf.ragged.map_flat_values).

    All RaggedTensor arguments must share their row partitions; the result has that partition.
    """
    found = []

    def swap(v):
        if isinstance(v, RaggedTensor):
            found.append(v)
            return v.flat_values
        if isinstance(v, list):
            return [swap(x) for x in v]
        if isinstance(v, tuple):
            return tuple(swap(x) for x in v)
        if isinstance(v, dict):
            return {k: swap(x) for k, x in v.items()}
        return v

    args2 = swap(list(args))
    kwargs2 = swap(kwargs)
    if not found:
        return op(*args, **kwargs)
    sizes = {rt.flat_values.shape[0] for rt in found}
    if len(sizes) > 1:
        raise ValueError("Input RaggedTensors' flat_values must all have the same outer-dimension size.  Got sizes: %s"
                     % sizes)
    for other in found[1:]:
        _assert_same_partition(found[0], other)
    return found[0].with_flat_values(op(*args2, **kwargs2))


@tf_export("ragged.row_splits_to_segment_ids")
def row_splits_to_segment_ids(splits, name=None, out_type=None) -> Tensor:
    """The row index of each value for a row_splits vector (tf.ragged.row_splits_to_segment_ids)."""
    t = _convert_partition(splits, "splits")
    s = _np(t)
    dtype = t.dtype if out_type is None else dtypes.as_dtype(out_type)
    if s is None:
        ids = _g_rowids(t)
        return ids if ids.dtype is dtype else _ops()[1].cast(ids, dtype)
    return _int_tensor(np.repeat(np.arange(len(s) - 1), np.diff(s)), dtype)


@tf_export("ragged.segment_ids_to_row_splits")
def segment_ids_to_row_splits(segment_ids, num_segments=None, out_type=None, name=None) -> Tensor:
    """The row_splits for sorted segment ids (tf.ragged.segment_ids_to_row_splits)."""
    t = _convert_partition(segment_ids, "segment_ids")
    ids = _np(t)
    dtype = t.dtype if out_type is None else dtypes.as_dtype(out_type)
    if ids is None or _is_sym(num_segments):
        array_ops, math_ops = _ops()
        if num_segments is None:
            num_segments = math_ops.reduce_max(array_ops.concat([t, _int_tensor([-1], t.dtype)], 0)) + 1
        n = math_ops.cast(num_segments, t.dtype)
        splits = array_ops.searchsorted(t, array_ops.range(n + 1, dtype=t.dtype), side="left", out_type=dtype)
        return splits
    n = int(num_segments._value if isinstance(num_segments, Tensor) else num_segments) if num_segments is not None else (
        int(ids.max()) + 1 if len(ids) else 0)
    lengths = np.bincount(ids, minlength=n) if len(ids) else np.zeros(n, np.int64)
    return _int_tensor(np.concatenate([[0], np.cumsum(lengths)]), dtype)


# ---------------------------------------------------------------- stack / concat
def _to_tensor_or_ragged(x):
    return x if isinstance(x, RaggedTensor) else _t(x)


def _match_splits_dtypes(inputs):
    ds = {x.row_splits.dtype for x in inputs if isinstance(x, RaggedTensor)}
    if len(ds) > 1:
        raise ValueError("Input RaggedTensors have mismatched row_splits dtypes; use RaggedTensor.with_row_splits_dtype() "
                         "to convert them to compatible dtypes.")
    return ds.pop() if ds else _I64


def _expand_rank(rt, ragged_rank, split_dtype):
    if ragged_rank > 0:
        if not isinstance(rt, RaggedTensor):
            rt = RaggedTensor.from_tensor(rt, row_splits_dtype=split_dtype)
        if rt.ragged_rank < ragged_rank:
            rt = rt.with_values(_expand_rank(rt.values, ragged_rank - 1, split_dtype))
    return rt


def _concat_splits(splits_list, dtype):
    if all(isinstance(x, np.ndarray) for x in splits_list):
        pieces, offset = [splits_list[0]], splits_list[0][-1]
        for s in splits_list[1:]:
            pieces.append(s[1:] + offset)
            offset += s[-1]
        return _int_tensor(np.concatenate(pieces), dtype)
    array_ops, _ = _ops()
    splits_list = [_int_tensor(x, dtype) if isinstance(x, np.ndarray) else x for x in splits_list]
    pieces, offset = [splits_list[0]], splits_list[0][-1]
    for s in splits_list[1:]:
        pieces.append(s[1:] + offset)
        offset = offset + s[-1]
    return array_ops.concat(pieces, 0)


def _splits_value(s):
    v = _np(s)
    return s if v is None else v


def _stack_concat(inputs, axis, stack_values):
    from . import array_ops
    if not inputs:
        raise ValueError("rt_inputs may not be empty.")
    inputs = [_to_tensor_or_ragged(x) for x in inputs]
    split_dtype = _match_splits_dtypes(inputs)
    if len(inputs) == 1 and not stack_values:
        return inputs[0]
    ndims = inputs[0].shape.rank
    for x in inputs[1:]:
        if x.shape.rank != ndims:
            raise ValueError("Shape %s must have rank %d" % (x.shape, ndims))
    out_ndims = ndims + 1 if stack_values else ndims
    if not -out_ndims <= axis < out_ndims:
        raise ValueError("axis=%d out of bounds: expected %d<=axis<%d" % (axis, -out_ndims, out_ndims))
    axis %= out_ndims
    if stack_values and ndims == 1 and axis == 0:
        if all(x.shape[0] is not None for x in inputs):
            lengths = _int_tensor([x.shape[0] for x in inputs], split_dtype)
        else:
            lengths = array_ops.stack([_g_nvals(x, split_dtype) for x in inputs])
        return RaggedTensor.from_row_lengths(array_ops.concat(inputs, 0), lengths, validate=False)
    if all(not isinstance(x, RaggedTensor) for x in inputs) and (axis == out_ndims - 1 or axis == ndims - 1):
        return array_ops.stack(inputs, axis) if stack_values else array_ops.concat(inputs, axis)
    inputs = [x if isinstance(x, RaggedTensor) else RaggedTensor.from_tensor(x, row_splits_dtype=split_dtype)
              for x in inputs]
    ragged_rank = max(max(x.ragged_rank for x in inputs), 1)
    inputs = [_expand_rank(x, ragged_rank, split_dtype) for x in inputs]
    if axis == 0:
        return _stack_concat_axis0(inputs, stack_values, split_dtype)
    if axis == 1:
        return _stack_concat_axis1(inputs, stack_values, split_dtype)
    splits = [_np(x.row_splits) for x in inputs]
    if all(s is not None for s in splits):
        for s in splits[1:]:
            if s.shape != splits[0].shape or not np.array_equal(s, splits[0]):
                raise _invalid("Inputs must have identical ragged splits.")
    inner = _stack_concat([x.values for x in inputs], axis - 1, stack_values)
    return RaggedTensor(inner, inputs[0].row_splits, internal=True)


def _stack_concat_axis0(inputs, stack_values, split_dtype):
    from . import array_ops
    flat = array_ops.concat([x.flat_values for x in inputs], 0)
    nested = [[_splits_value(s) for s in x.nested_row_splits] for x in inputs]
    splits = [_concat_splits([ns[d] for ns in nested], split_dtype) for d in range(inputs[0].ragged_rank)]
    if stack_values:
        n = [x.nrows_static() for x in inputs]
        if None not in n:
            splits.insert(0, _int_tensor(np.concatenate([[0], np.cumsum(n)]), split_dtype))
        else:
            splits.insert(0, _g_splits_from_lengths(array_ops.stack([x.nrows(out_type=split_dtype) for x in inputs]),
                                                    split_dtype))
    result = flat
    for s in reversed(splits):
        result = RaggedTensor(result, s, internal=True)
    return result


def _stack_concat_axis1(inputs, stack_values, split_dtype):
    array_ops, _ = _ops()
    k = len(inputs)
    n = inputs[0].nrows_static()
    for i, x in enumerate(inputs[1:], 1):
        m = x.nrows_static()
        if m != n and None not in (m, n):
            raise _invalid("Input tensors at index 0 (=x) and %d (=y) have incompatible shapes." % i)
    cat = _stack_concat_axis0(inputs, False, split_dtype)
    if n is None:
        n = next((x.nrows_static() for x in inputs if x.nrows_static() is not None), None)
    if n is not None:
        perm = np.arange(n * k).reshape(k, n).T.reshape(-1)
        permuted = _gather_rows(cat, perm)
    else:
        nt = inputs[0].nrows(out_type=split_dtype)
        perm = array_ops.reshape(array_ops.transpose(array_ops.reshape(array_ops.range(nt * k, dtype=split_dtype),
                                                                       array_ops.stack([_int_tensor(k, split_dtype), nt]))),
                                 [-1])
        permuted = _g_gather_rows(cat, perm)
    if stack_values:
        if n is not None:
            outer = _int_tensor(np.arange(0, n * k + 1, k), split_dtype)
        else:
            outer = array_ops.range(inputs[0].nrows(out_type=split_dtype) + 1, dtype=split_dtype) * k
        return RaggedTensor(permuted, outer, internal=True)
    ps = _np(permuted.row_splits)
    splits = _int_tensor(ps[::k], split_dtype) if ps is not None else permuted.row_splits[::k]
    return RaggedTensor(permuted.values, splits, internal=True)


@tf_export("ragged.stack")
def stack(values, axis=0, name=None) -> RaggedTensor:
    """Stacks Tensors/RaggedTensors of equal rank along a new `axis` (tf.ragged.stack)."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    return _stack_concat(list(values), int(axis), True)


def concat(values, axis, name=None) -> RaggedTensor:
    """Concatenates Tensors/RaggedTensors along `axis`: what tf.concat does when an input is ragged."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    return _stack_concat(list(values), int(axis), False)


# ---------------------------------------------------------------- reductions (tf.reduce_* of a RaggedTensor)
_REDUCE_KINDS = {"Sum": "sum", "Prod": "prod", "Max": "max", "Min": "min", "Mean": "mean", "Any": "any", "All": "all",
                 "sum": "sum", "prod": "prod", "max": "max", "min": "min", "mean": "mean", "any": "any", "all": "all"}


def _seg_reduce(kind, data, ids, n, ids_sorted):
    """Reduces the rows of `data` by segment `ids` into `n` rows; empty segments give the reduction's identity
    (0, 1, the dtype's lowest/highest, False, True). `n` is a Python int or a scalar int tensor."""
    array_ops, math_ops = _ops()
    if kind == "any":  # any: some true value; all: no false value
        return math_ops.greater(_seg_reduce("sum", math_ops.cast(data, dtypes.int32), ids, n, ids_sorted), 0)
    if kind == "all":
        false = math_ops.cast(math_ops.logical_not(data), dtypes.int32)
        return math_ops.equal(_seg_reduce("sum", false, ids, n, ids_sorted), 0)
    if isinstance(n, (int, np.integer)):
        return getattr(math_ops, "unsorted_segment_" + kind)(data, ids, int(n))
    info = np.iinfo if data.dtype.is_integer else np.finfo
    np_dtype = data.dtype.as_numpy_dtype
    if kind != "prod":  # a symbolic number of segments: scatter into a tensor filled with the identity
        ident = {"sum": 0, "max": info(np_dtype).min, "min": info(np_dtype).max}[kind]
        dims = array_ops.concat([array_ops.reshape(math_ops.cast(n, dtypes.int32), [1]), array_ops.shape(data)[1:]], 0)
        base = array_ops.fill(dims, _t(np.asarray(ident, np_dtype)))
        inner = data.shape.as_list()[1:] if data.shape.rank is not None else None
        if inner and None not in inner:  # keep the static inner dimensions
            base = array_ops.reshape(base, [-1] + inner)
        idx = array_ops.expand_dims(ids, 1)
        if kind == "sum":
            return array_ops.tensor_scatter_nd_add(base, idx, data)
        scatter = array_ops.tensor_scatter_nd_max if kind == "max" else array_ops.tensor_scatter_nd_min
        const = array_ops.stop_gradient(data)
        out = scatter(base, idx, const)
        if not data.dtype.is_floating:
            return out
        # The gradient, as TF's: to the values equal to their row's extreme, split evenly between ties. Added
        # as a zero-valued term (data - stop_gradient(data)) so that only differentiable scatters carry it.
        hits = math_ops.cast(math_ops.equal(const, array_ops.gather(out, ids)), data.dtype)
        zeros = array_ops.zeros_like(out)
        count = array_ops.tensor_scatter_nd_add(zeros, idx, hits)
        share = math_ops.divide_no_nan(hits, array_ops.gather(count, ids))
        return out + array_ops.tensor_scatter_nd_add(zeros, idx, (data - const) * share)
    if not ids_sorted:
        raise NotImplementedError("a product over a ragged dimension of a RaggedTensor whose size is only known "
                                  "when the graph runs (reduce_prod along axis 0, or along axis 1 of a tensor "
                                  "with ragged_rank > 1) is not supported while building a graph")
    # A product over a symbolic number of sorted segments: SegmentProd, with one dummy row in segment n so
    # that the result has exactly n + 1 rows (the last one dropped).
    n = math_ops.cast(n, ids.dtype)
    inner = data.shape.as_list()[1:] if data.shape.rank is not None else None
    if inner is not None and None not in inner:
        pad = array_ops.zeros([1] + inner, data.dtype)
    else:
        pad = array_ops.zeros(array_ops.concat([[1], array_ops.shape(data)[1:]], 0), data.dtype)
    ids2 = array_ops.concat([ids, array_ops.reshape(n, [1])], 0)
    return math_ops.segment_prod(array_ops.concat([data, pad], 0), ids2)[:-1]


def _grouped_reduce(kind, v, gid, n, ids_sorted):
    """Reduces the rows of `v` (a Tensor or RaggedTensor) that share a group id into `n` rows, elementwise
    along their (possibly ragged) dimensions: a ragged row of the result is as long as its longest input."""
    array_ops, math_ops = _ops()
    if not isinstance(v, RaggedTensor):
        return _seg_reduce(kind, v, gid, n, ids_sorted)
    d = v.row_splits.dtype
    out_len = math_ops.maximum(_seg_reduce("max", v.row_lengths(), gid, n, ids_sorted), _int_tensor(0, d))
    out_splits = _g_splits_from_lengths(out_len, d)
    rid = v.value_rowids()
    nv = _g_nvals(v.values, d)
    pos = array_ops.range(nv, dtype=d) - array_ops.gather(v.row_splits, rid)
    gid = gid if gid.dtype is d else math_ops.cast(gid, d)
    new_ids = array_ops.gather(out_splits, array_ops.gather(gid, rid)) + pos
    total = _np(out_splits)
    total = int(total[-1]) if total is not None else out_splits[-1]
    return RaggedTensor(_grouped_reduce(kind, v.values, new_ids, total, False), out_splits, internal=True)


def _reduce_axis(kind, rt, axis):
    """rt reduced along one (non-negative) axis; rt is a RaggedTensor."""
    array_ops, math_ops = _ops()
    if axis == 0:
        return _grouped_reduce(kind, rt, array_ops.zeros_like(rt.row_lengths()), 1, True).values
    if axis == 1:
        n = rt.nrows_static()
        return _grouped_reduce(kind, rt.values, rt.value_rowids(), rt.nrows() if n is None else n, True)
    v = rt.values
    if isinstance(v, RaggedTensor):
        return rt.with_values(_reduce_axis(kind, v, axis - 1))
    red = {"sum": math_ops.reduce_sum, "prod": math_ops.reduce_prod, "max": math_ops.reduce_max,
           "min": math_ops.reduce_min, "any": math_ops.reduce_any, "all": math_ops.reduce_all}[kind]
    return rt.with_values(red(v, axis=axis - 1))


def _expand_axis(x, axis):
    """x with a new dimension of size 1 at `axis` (x may be ragged)."""
    array_ops, _ = _ops()
    if not isinstance(x, RaggedTensor):
        return array_ops.expand_dims(x, axis)
    d = x.row_splits.dtype
    if axis == 0:
        return _getitem(x, (None,))
    if axis == 1:
        n = x.nrows_static()
        splits = _int_tensor(np.arange(n + 1), d) if n is not None else array_ops.range(x.nrows() + 1, dtype=d)
        return RaggedTensor(x, splits, internal=True, uniform_row_length=1)
    return x.with_values(_expand_axis(x.values, axis - 1))


def reduce(op, input_tensor, axis=None, keepdims=False):
    """tf.reduce_<op> (op: Sum, Prod, Max, Min, Mean, Any, All) of a RaggedTensor, as TF computes it: along a
    ragged axis, rows of different lengths reduce into rows of the longest length (the identity fills in)."""
    array_ops, math_ops = _ops()
    kind = _REDUCE_KINDS[op]
    rt = input_tensor
    rank = rt.shape.rank
    if kind == "mean":
        total = reduce("sum", rt, axis, keepdims)
        count = reduce("sum", rt.with_flat_values(array_ops.ones_like(rt.flat_values)), axis, keepdims)
        if isinstance(total, RaggedTensor):
            return total.with_flat_values(math_ops.truediv(total.flat_values, count.flat_values))
        return math_ops.truediv(total, count)
    if axis is None:
        red = {"sum": math_ops.reduce_sum, "prod": math_ops.reduce_prod, "max": math_ops.reduce_max,
               "min": math_ops.reduce_min, "any": math_ops.reduce_any, "all": math_ops.reduce_all}[kind]
        out = red(rt.flat_values)
        return array_ops.reshape(out, [1] * rank) if keepdims else out
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    norm = []
    for a in axes:
        a = int(a._value) if isinstance(a, Tensor) else int(a)
        if not -rank <= a < rank:
            raise ValueError("axis=%d out of bounds: expected %d<=axis<%d" % (a, -rank, rank))
        norm.append(a % rank)
    norm = sorted(set(norm))
    out = rt
    for a in reversed(norm):
        out = _reduce_axis(kind, out, a) if isinstance(out, RaggedTensor) else {
            "sum": math_ops.reduce_sum, "prod": math_ops.reduce_prod, "max": math_ops.reduce_max,
            "min": math_ops.reduce_min, "any": math_ops.reduce_any, "all": math_ops.reduce_all}[kind](out, axis=a)
    if keepdims:
        for a in norm:
            out = _expand_axis(out, a)
    return out


# ---------------------------------------------------------------- tf.ragged.boolean_mask
@tf_export("ragged.boolean_mask")
def boolean_mask(data, mask, name=None):
    """The items of `data` where `mask` is true, keeping the rows: a RaggedTensor when mask has rank > 1
    (tf.ragged.boolean_mask).

    Args:
      data: a Tensor or RaggedTensor.
      mask: a bool Tensor or RaggedTensor whose shape is a prefix of data's (same row partitions where ragged).

    Returns:
      `data` with the masked-out items removed: the outer dimension (mask rank 1) or the innermost masked one.
    """
    array_ops, math_ops = _ops()
    if not isinstance(mask, RaggedTensor):
        mask = _t(mask)
    if not isinstance(data, RaggedTensor):
        data = _t(data)
    if mask.dtype is not dtypes.bool:
        raise ValueError("mask.dtype=%s is not bool" % mask.dtype.name)
    mrank = mask.shape.rank
    if mrank is None:
        raise ValueError("mask.shape.ndims must be known statically.")
    if mrank == 0:
        raise ValueError("mask cannot be scalar.")
    if data.shape.rank is not None and mrank > data.shape.rank:
        raise ValueError("mask.shape.ndims must be less than or equal to data.shape.ndims.")
    if isinstance(mask, RaggedTensor):
        if not isinstance(data, RaggedTensor):
            data = RaggedTensor.from_tensor(data, ragged_rank=mask.ragged_rank,
                                            row_splits_dtype=mask.row_splits.dtype)
        if data.ragged_rank < mask.ragged_rank:
            raise ValueError("data.ragged_rank must be at least mask.ragged_rank")
        if data.ragged_rank == mask.ragged_rank:
            _assert_same_partition(data, mask)
        if mask.ragged_rank > 1 or mask.values.shape.rank > 1:
            return data.with_values(boolean_mask(data.values, mask.values))
        keep = mask.values
        d = data.row_splits.dtype
        kept = _grouped_lengths(keep, mask, d)
        values = boolean_mask(data.values, keep)
        return RaggedTensor(values, _g_splits_from_lengths(kept, d), internal=True)
    if mrank == 1:
        if isinstance(data, RaggedTensor):
            rows = array_ops.reshape(array_ops.where(mask), [-1])
            m = _np(mask)
            return _gather_rows(data, np.flatnonzero(m) if m is not None else rows)
        return array_ops.boolean_mask(data, mask)
    # A dense mask of rank > 1: its dimensions 1.. become ragged.
    d = data.row_splits.dtype if isinstance(data, RaggedTensor) else _I64
    if isinstance(data, RaggedTensor):
        mask = RaggedTensor.from_tensor(mask, ragged_rank=min(data.ragged_rank, mrank - 1), row_splits_dtype=d)
    else:
        data = RaggedTensor.from_tensor(data, ragged_rank=mrank - 1, row_splits_dtype=d)
        mask = RaggedTensor.from_tensor(mask, ragged_rank=mrank - 1, row_splits_dtype=d)
    return boolean_mask(data, mask)


def _grouped_lengths(keep, mask, d):
    """The number of true values of each row of a ragged_rank-1 bool mask (`keep` its values)."""
    _, math_ops = _ops()
    n = mask.nrows_static()
    counts = _seg_reduce("sum", math_ops.cast(keep, d), mask.value_rowids(), mask.nrows() if n is None else n, True)
    return counts
