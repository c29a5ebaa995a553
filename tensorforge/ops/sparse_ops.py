"""tf.SparseTensor and tf.sparse: sparse tensors as (indices, values, dense_shape) and their ops.

A SparseTensor is a composite of three tensors: `indices` (int64 [N, rank]), `values` ([N])
and `dense_shape` (int64 [rank]). The ops take these components as TF's ops do, with the
dense shape as a tensor input; shape inference reads it when its value is known (eager).
"""
from __future__ import annotations

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor
from ..framework.tensor_shape import TensorShape
from . import sample_inputs as S
from . import shapes as sh
from .registry import NON_DIFFERENTIABLE, bind, register

_t = convert_to_tensor
_I64 = dtypes.int64
_INDEX_DTYPES = (dtypes.int32, dtypes.int64)


# ---------------------------------------------------------------- helpers
def _known(spec):
    """The NumPy value of `spec` when it is known now (an eager tensor), else None."""
    return spec._value if type(spec) is Tensor else None


def _shape_input(spec):
    """A 1-D shape input as a tuple of ints (None where unknown), or None for unknown rank."""
    v = _known(spec)
    if v is not None:
        return tuple(int(d) for d in np.asarray(v).reshape(-1))
    d = sh.dims(spec)
    if d is None or len(d) != 1 or d[0] is None:
        return None
    return (None,) * d[0]


def _fmt_index(row) -> str:
    return "[%s]" % ",".join(str(int(v)) for v in row)


def _keys(idx: np.ndarray, dims) -> np.ndarray | None:
    """Row-major linear positions of index rows, for 0 <= idx < dims; None if they may overflow int64.

    Comparing keys compares index rows lexicographically, so keys sort, group and merge.
    """
    total = 1
    for d in dims:
        total *= max(int(d), 1)
    if total >= 2 ** 62:
        return None
    if idx.shape[1] == 0:
        return np.zeros(len(idx), np.int64)
    keys = idx[:, 0].astype(np.int64)
    for c in range(1, idx.shape[1]):
        keys *= max(int(dims[c]), 1)
        keys += idx[:, c]
    return keys


def _order_keys(idx: np.ndarray, dims=None) -> np.ndarray | None:
    """Order-preserving int64 keys for index rows (dims grown to cover them), else None.

    Only columns 1.. must be non-negative; the keys may not overflow int64.
    """
    n, rank = idx.shape
    if n == 0 or rank == 0:
        return np.zeros(n, np.int64)
    sizes, total = [], 1
    for c in range(1, rank):
        col = idx[:, c]
        if col.min() < 0:
            return None
        d = int(col.max()) + 1
        if dims is not None:
            d = max(d, int(dims[c]))
        sizes.append(d)
        total *= d
    first = idx[:, 0]
    if (max(abs(int(first.min())), abs(int(first.max()))) + 1) * total >= 2 ** 62:
        return None
    keys = first.astype(np.int64)
    for c, d in enumerate(sizes, 1):
        keys *= d
        keys += idx[:, c]
    return keys


def _lex_steps(idx: np.ndarray) -> np.ndarray:
    """Sign (-1, 0, 1) of row i+1 against row i, comparing index rows lexicographically."""
    d = idx[1:] - idx[:-1]
    if d.shape[1] == 0:
        return np.zeros(len(d), np.int64)
    nz = d != 0
    first = nz.argmax(axis=1)
    return np.sign(d[np.arange(len(d)), first])


def _lex_order(idx: np.ndarray, keys=None) -> np.ndarray:
    """A stable permutation that sorts index rows in row-major (lexicographic) order."""
    if keys is not None:
        return np.argsort(keys, kind="stable")
    if idx.shape[1] == 1:
        return np.argsort(idx[:, 0], kind="stable")
    return np.lexsort(idx.T[::-1])


def _is_sorted(idx: np.ndarray) -> bool:
    return len(idx) < 2 or bool(np.all(_lex_steps(idx) >= 0))


def _group_starts(idx_sorted: np.ndarray, keys_sorted=None) -> np.ndarray:
    """Boolean flags: row i (of rows in sorted order) starts a new group of equal index rows."""
    if len(keys_sorted if idx_sorted is None else idx_sorted) == 0:
        return np.zeros(0, bool)
    steps = (keys_sorted[1:] != keys_sorted[:-1]) if keys_sorted is not None else (_lex_steps(idx_sorted) != 0)
    return np.concatenate([[True], steps])


def _dtype_error(api, op_name, index, want, got):
    return InvalidArgumentError(None, None, "%s: cannot compute %s as input #%d(zero-based) was expected to be a %s "
                                "tensor but is a %s tensor [Op:%s]" % (api, op_name, index, want.name, got.name, op_name))


def _check_index_dtype(api, op_name, spec, index):
    if spec.dtype not in _INDEX_DTYPES:
        raise _dtype_error(api, op_name, index, _I64, spec.dtype)


def _nnz(spec):
    d = sh.dims(spec)
    return None if d is None or not d else d[0]


def _rank_of(indices_spec, shape_spec):
    d = sh.dims(indices_spec)
    if d is not None and len(d) == 2 and d[1] is not None:
        return d[1]
    s = _shape_input(shape_spec)
    return None if s is None else len(s)


# ---------------------------------------------------------------- SparseTensor
@tf_export("sparse.SparseTensor", "SparseTensor")
class SparseTensor:
    """A sparse tensor: `values[i]` sits at `indices[i]` of a dense tensor of shape `dense_shape`.

    Example:

    >>> st = tf.sparse.SparseTensor(indices=[[0, 0], [1, 2]], values=[1.0, 2.0], dense_shape=[3, 4])
    >>> tf.sparse.to_dense(st).shape
    TensorShape([3, 4])

    Args:
      indices: int64 tensor [N, rank], the index of each value (row-major order expected by
        most ops; see `tf.sparse.reorder`).
      values: 1-D tensor [N], any dtype.
      dense_shape: int64 tensor [rank], the shape of the dense tensor.
    """

    __slots__ = ("_indices", "_values", "_dense_shape", "_shape")

    def __init__(self, indices, values, dense_shape):
        self._indices = _component(indices, "indices", _I64)
        self._values = values if type(values) is Tensor else _t(values)
        self._dense_shape = _component(dense_shape, "dense_shape", _I64)
        self._shape = None
        ind, val, ds = self._indices.shape, self._values.shape, self._dense_shape.shape
        ind.with_rank(2)
        val.with_rank(1)
        ds.with_rank(1)
        _merge_dim(ind[0], val[0])
        _merge_dim(ind[1], ds[0])

    @classmethod
    def from_value(cls, sparse_tensor_value) -> "SparseTensor":
        """A SparseTensor from a SparseTensor (returned as is) or a SparseTensorValue-like object."""
        if isinstance(sparse_tensor_value, SparseTensor):
            return sparse_tensor_value
        return cls(sparse_tensor_value.indices, sparse_tensor_value.values, sparse_tensor_value.dense_shape)

    indices = property(lambda self: self._indices, doc="int64 tensor [N, rank]: the indices of the values.")
    values = property(lambda self: self._values, doc="1-D tensor [N]: the values.")
    dense_shape = property(lambda self: self._dense_shape, doc="int64 tensor [rank]: the dense shape.")
    dtype = property(lambda self: self._values.dtype, doc="The DType of the values.")

    @property
    def shape(self) -> TensorShape:
        """The static dense shape (a TensorShape; unknown dims are None)."""
        if self._shape is None:
            v = _known(self._dense_shape)
            if v is not None:
                self._shape = TensorShape(tuple(int(d) for d in v))
            else:
                r = self._dense_shape.shape[0]
                self._shape = TensorShape(None if r is None else [None] * r)
        return self._shape

    def get_shape(self) -> TensorShape:
        return self.shape

    def set_shape(self, shape) -> None:
        shape = TensorShape(shape)
        if not self.shape.is_compatible_with(shape):
            raise ValueError("Shapes %s and %s are incompatible" % (self.shape, shape))
        self._shape = self.shape.merge_with(shape)

    def with_values(self, new_values) -> "SparseTensor":
        """A SparseTensor with the same indices and dense shape and `new_values` as values."""
        new_values = _t(new_values)
        new_values.shape.with_rank(1)
        _merge_dim(self._values.shape[0], new_values.shape[0])
        out = SparseTensor.__new__(SparseTensor)
        out._indices, out._values, out._dense_shape, out._shape = self._indices, new_values, self._dense_shape, self._shape
        return out

    def _to_components(self) -> tuple:
        """The component tensors (indices, values, dense_shape)."""
        return (self._indices, self._values, self._dense_shape)

    def __tf_tensor__(self, dtype=None, name=None):
        # TF never converts a SparseTensor to a dense tensor implicitly.
        raise ValueError("Attempt to convert a value (%r) with an unsupported type (%r) to a Tensor." % (self, type(self)))

    def __repr__(self) -> str:
        return "SparseTensor(indices=%s, values=%s, dense_shape=%s)" % (self._indices, self._values, self._dense_shape)

    __str__ = __repr__

    # sparse (op) dense, elementwise, with the dense side broadcast to the sparse shape
    def __mul__(self, other):
        return _sparse_dense_cwise("SparseDenseCwiseMul", self, other)

    def __truediv__(self, other):
        return _sparse_dense_cwise("SparseDenseCwiseDiv", self, other)

    __div__ = __truediv__


SparseTensor.__module__ = "tensorforge"


def _component(value, name, dtype):
    try:
        return _t(value, dtype)
    except ValueError as e:
        raise ValueError("%s: %s" % (name, e)) from None


def _merge_dim(a, b):
    if a is not None and b is not None and a != b:
        raise ValueError("Dimensions %d and %d are not compatible" % (a, b))


def _convert_to_sparse_tensor(sp_input) -> SparseTensor:
    if isinstance(sp_input, SparseTensor):
        return sp_input
    if all(hasattr(sp_input, a) for a in ("indices", "values", "dense_shape")):
        return SparseTensor.from_value(sp_input)
    raise TypeError("Input must be a SparseTensor.")


def _wrap(indices, values, dense_shape, static_shape=None) -> SparseTensor:
    """A SparseTensor from op outputs, skipping the public constructor's conversions."""
    out = SparseTensor.__new__(SparseTensor)
    out._indices, out._values, out._dense_shape, out._shape = indices, values, dense_shape, static_shape
    return out


def _zero(dtype) -> Tensor:
    """The scalar zero of `dtype` ("" for strings)."""
    if dtype is dtypes.string:
        v = np.empty((), object)
        v[()] = b""
        return Tensor(v, dtype)
    return Tensor(np.zeros((), dtype.as_numpy_dtype), dtype)


def _shape_tensor(shape) -> Tensor:
    return Tensor(np.asarray(shape, dtype=np.int64), _I64)


# ---------------------------------------------------------------- SparseToDense
_TO_DENSE = "tf.sparse.to_dense"
_ORDER_HINT = " Many sparse ops require sorted indices.\n    Use `tf.sparse.reorder` to create a correctly ordered copy.\n\n"


def _index_matrix(indices: np.ndarray, rank: int) -> np.ndarray:
    if indices.ndim == 2:
        return indices
    return indices.reshape(-1, 1) if indices.ndim == 1 else indices.reshape(1, -1)


def _sparse_to_dense_kernel(xp, sparse_indices, output_shape, sparse_values, default_value, validate_indices=True):
    shape = tuple(int(d) for d in np.asarray(output_shape).reshape(-1))
    idx = _index_matrix(np.asarray(sparse_indices), len(shape))
    if np.ndim(default_value) != 0:
        raise sh.error(_TO_DENSE, "SparseToDense", "default_value should be a scalar.")
    if sparse_values.dtype != object and not default_value:
        out = np.zeros(shape, dtype=sparse_values.dtype)
    else:
        out = np.empty(shape, dtype=sparse_values.dtype)
        out[...] = default_value
    if len(idx) == 0:
        return out
    dims = np.asarray(shape, dtype=idx.dtype)
    in_bounds = not ((idx < 0).any() or (idx >= dims).any())
    keys = _keys(idx, shape) if in_bounds else None
    if validate_indices:
        if keys is not None:
            steps = np.sign(keys[1:] - keys[:-1])
        else:
            steps = _lex_steps(idx)
        if not in_bounds or (steps <= 0).any():
            bad = ((idx < 0) | (idx >= dims)).any(axis=1)
            wrong = np.concatenate([[False], steps <= 0]) | bad
            i = int(wrong.argmax())
            if bad[i]:
                msg = "indices[%d] = %s is out of bounds: need 0 <= index < %s" % (i, _fmt_index(idx[i]), _fmt_index(shape))
            elif steps[i - 1] == 0:
                msg = "indices[%d] = %s is repeated" % (i, _fmt_index(idx[i]))
            else:
                msg = "indices[%d] = %s is out of order.%s" % (i, _fmt_index(idx[i]), _ORDER_HINT)
            raise sh.error(_TO_DENSE, "SparseToDense", msg)
    elif not in_bounds:
        raise sh.error(_TO_DENSE, "SparseToDense", "Indices are not valid (out of bounds).  Shape: %s" % _fmt_index(shape))
    if keys is not None:
        out.reshape(-1)[keys] = sparse_values
    else:
        out[tuple(idx.T)] = sparse_values
    return out


def _sparse_to_dense_infer(specs, attrs):
    ind, shp, val, default = specs
    _check_index_dtype(_TO_DENSE, "SparseToDense", ind, 0)
    if default.dtype is not val.dtype:
        raise _dtype_error(_TO_DENSE, "SparseToDense", 3, val.dtype, default.dtype)
    if sh.dims(default) not in (None, ()):
        raise sh.error(_TO_DENSE, "SparseToDense", "default_value should be a scalar.")
    return [(_shape_input(shp), val.dtype)]


def _sparse_to_dense_grad(op, dy):
    from . import math_ops
    indices, shape = op.inputs[0], op.inputs[1]
    values_grad = _gather_at(indices, shape, dy)
    if op.inputs[2].shape.rank == 0:  # one value broadcast to every index
        values_grad = math_ops.reduce_sum(values_grad)
    default_grad = math_ops.subtract(math_ops.reduce_sum(dy), math_ops.reduce_sum(values_grad))
    return [None, None, values_grad, default_grad]


def _gather_at(indices, shape, dense):
    """dense[indices[i]] for each i (what tf.gather_nd gives), as an op with a gradient of its own."""
    from . import array_ops
    if indices.shape.rank != 2:
        indices = array_ops.reshape(indices, [-1, 1] if indices.shape.rank == 1 else [1, -1])
    n = indices.shape[0]
    ones = array_ops.ones([n] if n is not None else array_ops.shape(indices)[:1], dense.dtype)
    return bind("SparseDenseCwiseMul", [indices, ones, shape, dense])


def _idx_samples():
    return np.array([[0, 1], [1, 0], [1, 2], [2, 3]], np.int64), np.array([3, 4], np.int64)


def _to_dense_samples():
    idx, shp = _idx_samples()
    return [([idx, shp, S.normal(4), S.scalar(0.5, np.float64)], {"validate_indices": True}),
            ([np.array([2, 0], np.int64), np.array([4], np.int64), S.normal(2), S.scalar(0.0, np.float64)],
             {"validate_indices": False}),
            ([idx, shp, S.ints(0, 9, 4), S.scalar(-1)], {"validate_indices": True})]


register("SparseToDense", kernel=_sparse_to_dense_kernel, infer=_sparse_to_dense_infer, grad=_sparse_to_dense_grad,
         api=_TO_DENSE, args=("sparse_indices", "output_shape", "sparse_values", "default_value"),
         samples=_to_dense_samples)


@tf_export("sparse.to_dense")
def to_dense(sp_input, default_value=None, validate_indices=True, name=None) -> Tensor:
    """Converts a SparseTensor to a dense tensor, filling the gaps with `default_value` (tf.sparse.to_dense).

    Args:
      sp_input: the SparseTensor.
      default_value: scalar for the indices not in `sp_input` (zero, or "" for strings, when None).
      validate_indices: check that the indices are sorted, unique and in bounds.
      name: unused in eager mode.

    Returns:
      A dense tensor of shape `sp_input.dense_shape` and dtype `sp_input.dtype`.
    """
    sp = _convert_to_sparse_tensor(sp_input)
    dtype = sp.dtype
    if default_value is None:
        default = _zero(dtype)
    else:
        default = _t(default_value, dtype)
    out = bind("SparseToDense", [sp.indices, sp.dense_shape, sp.values, default],
               {"validate_indices": bool(validate_indices)})
    if type(out) is not Tensor and out.shape.is_compatible_with(sp.shape):
        out.set_shape(sp.shape)  # in a graph: what the SparseTensor knows statically (e.g. a tf.data spec)
    return out


# ---------------------------------------------------------------- SparseDenseCwiseMul / Div
def _cwise_kernel(fn):
    def kernel(xp, sp_indices, sp_values, sp_shape, dense):
        shape = tuple(int(d) for d in sp_shape)
        if dense.ndim > len(shape) or any(a not in (1, b) for a, b in zip(dense.shape[::-1], shape[::-1])):
            raise ValueError("SparseDenseBinaryOpShared broadcasts dense to sparse only; got incompatible shapes: "
                             "%s vs. %s" % (_fmt_index(shape), _fmt_index(dense.shape)))
        lead = len(shape) - dense.ndim
        cols = tuple(np.zeros(len(sp_indices), np.int64) if d == 1 else sp_indices[:, lead + i]
                     for i, d in enumerate(dense.shape))
        picked = dense[cols] if cols else np.broadcast_to(dense, (len(sp_indices),))
        return np.asarray(fn(sp_values, picked), dtype=sp_values.dtype)
    return kernel


def _cwise_infer(api, op_name):
    def infer(specs, attrs):
        ind, val, shp, dense = specs
        if dense.dtype is not val.dtype:
            raise _dtype_error(api, op_name, 3, val.dtype, dense.dtype)
        s, d = _shape_input(shp), sh.dims(dense)
        if s is not None and d is not None and (len(d) > len(s) or any(
                a is not None and b is not None and a not in (1, b) for a, b in zip(d[::-1], s[::-1]))):
            raise sh.error(api, op_name, "SparseDenseBinaryOpShared broadcasts dense to sparse only; got incompatible "
                           "shapes: %s vs. %s" % (sh.fmt(s), sh.fmt(d)))
        return [((_nnz(ind) if _nnz(ind) is not None else _nnz(val),), val.dtype)]
    return infer


def _scatter_to_dense_shape(indices, shape, vals, dense):
    """The gradient for `dense` in a SparseDenseCwise op: vals summed into the broadcast positions."""
    from . import array_ops, math_ops
    dshape = dense.shape.as_list()
    lead = indices.shape[1] - len(dshape) if indices.shape[1] is not None else None
    if lead is None:
        raise ValueError("the gradient of a sparse-dense op needs the static rank of the sparse operand")
    strides, acc = [], 1
    for d in reversed(dshape):
        strides.append(0 if d == 1 else acc)
        acc *= d
    strides = [0] * lead + strides[::-1]
    lin = math_ops.reduce_sum(math_ops.multiply(indices, Tensor(np.asarray(strides, np.int64), _I64)), axis=1)
    flat = math_ops.unsorted_segment_sum(vals, lin, max(acc, 1))
    if acc == 0:
        flat = array_ops.zeros([0], vals.dtype)
    return array_ops.reshape(flat, dshape)


def _cwise_mul_grad(op, dy):
    from . import math_ops
    indices, values, shape, dense = op.inputs
    dx = bind("SparseDenseCwiseMul", [indices, dy, shape, dense])
    ddense = _scatter_to_dense_shape(indices, shape, math_ops.multiply(dy, values), dense)
    return [None, dx, None, ddense]


def _cwise_div_grad(op, dy):
    from . import math_ops
    indices, values, shape, dense = op.inputs
    dx = bind("SparseDenseCwiseDiv", [indices, dy, shape, dense])
    # d(v / d)/dd = -v / d^2 = -(out / d)
    dvals = math_ops.negative(bind("SparseDenseCwiseDiv", [indices, math_ops.multiply(dy, op.outputs[0]), shape, dense]))
    return [None, dx, None, _scatter_to_dense_shape(indices, shape, dvals, dense)]


def _cwise_samples(dense_fn):
    def samples():
        idx, shp = _idx_samples()
        return [([idx, S.normal(4), shp, dense_fn(3, 4)], {}),
                ([idx, S.normal(4), shp, dense_fn(4)], {}),
                ([idx, S.normal(4), shp, dense_fn(3, 1)], {})]
    return samples


register("SparseDenseCwiseMul", kernel=_cwise_kernel(np.multiply), infer=_cwise_infer("tf.sparse.SparseTensor.__mul__",
                                                                                       "SparseDenseCwiseMul"),
         grad=_cwise_mul_grad, api="tf.sparse.SparseTensor.__mul__", args=("sp_indices", "sp_values", "sp_shape", "dense"),
         samples=_cwise_samples(S.normal))
register("SparseDenseCwiseDiv", kernel=_cwise_kernel(np.true_divide),
         infer=_cwise_infer("tf.sparse.SparseTensor.__truediv__", "SparseDenseCwiseDiv"),
         grad=_cwise_div_grad, api="tf.sparse.SparseTensor.__truediv__",
         args=("sp_indices", "sp_values", "sp_shape", "dense"), samples=_cwise_samples(S.positive))


def _sparse_dense_cwise(op_name, sp, other):
    if isinstance(other, SparseTensor):
        return NotImplemented
    dense = _t(other, sp.dtype) if not isinstance(other, Tensor) else other
    if dense.dtype is not sp.dtype:
        raise _dtype_error("tf.sparse.SparseTensor", op_name, 3, sp.dtype, dense.dtype)
    return sp.with_values(bind(op_name, [sp.indices, sp.values, sp.dense_shape, dense]))


# ---------------------------------------------------------------- SparseTensorDenseMatMul
_MATMUL = "tf.sparse.sparse_dense_matmul"


def _matmul_kernel(xp, a_indices, a_values, a_shape, b, adjoint_a=False, adjoint_b=False):
    shape = [int(d) for d in a_shape]
    if len(shape) != 2:
        raise sh.error(_MATMUL, "SparseTensorDenseMatMul", "Tensor 'a_shape' is not a vector of length 2")
    if b.ndim != 2:
        raise sh.error(_MATMUL, "SparseTensorDenseMatMul", "Tensor 'b' is not a matrix")
    lhs, rhs = (1, 0) if adjoint_a else (0, 1)
    m, k = shape[lhs], shape[rhs]
    bm = b.conj().T if adjoint_b else b
    if bm.shape[0] != k:
        raise sh.error(_MATMUL, "SparseTensorDenseMatMul", "Cannot multiply A and B because inner dimension does not "
                       "match: %d vs. %d.  Did you forget a transpose?  Dimensions of A: [%d, %d).  Dimensions of B: %s"
                       % (k, bm.shape[0], shape[0], shape[1], _fmt_index(b.shape)))
    rows, cols = a_indices[:, lhs], a_indices[:, rhs]
    bad_k, bad_m = (cols < 0) | (cols >= k), (rows < 0) | (rows >= m)
    if bad_k.any() or bad_m.any():
        i = int((bad_k | bad_m).argmax())
        if bad_k[i]:
            msg = "k (%d) from index[%d,%d] out of bounds (>=%d)" % (cols[i], i, rhs, k)
        else:
            msg = "m (%d) from index[%d,%d] out of bounds (>=%d)" % (rows[i], i, lhs, m)
        raise sh.error(_MATMUL, "SparseTensorDenseMatMul", msg)
    vals = a_values.conj() if adjoint_a and a_values.dtype.kind == "c" else a_values
    n = bm.shape[1]
    if m * k <= 16 * len(vals) or m * k <= 4096:
        # Dense enough: scatter A into a dense matrix and use BLAS.
        keys = rows * k + cols
        dense = np.zeros((m, k), dtype=vals.dtype)
        if len(keys) < 2 or (keys[1:] > keys[:-1]).all():
            dense.reshape(-1)[keys] = vals
        elif vals.dtype.kind == "f":
            dense = np.bincount(keys, weights=vals, minlength=m * k).astype(vals.dtype).reshape(m, k)
        else:
            np.add.at(dense.reshape(-1), keys, vals)
        return np.asarray(dense @ bm, dtype=b.dtype)
    out = np.zeros((m, n), dtype=b.dtype)
    if len(vals) == 0:
        return out
    if len(vals) <= 4096:
        contrib = np.take(bm, cols, axis=0)
        contrib *= vals[:, None]
        if (rows[1:] > rows[:-1]).all():  # one value per row
            out[rows] = contrib
        else:
            np.add.at(out, rows, contrib)
        return out
    if not (rows[1:] >= rows[:-1]).all():
        order = np.argsort(rows, kind="stable")
        rows, cols, vals = rows[order], cols[order], vals[order]
    if adjoint_b:
        bm = np.ascontiguousarray(bm)
    # Sum vals[i] * B[cols[i]] per row, in cache-sized chunks of nonzeros (rows sorted within each chunk).
    chunk = max(256, 262144 // max(n, 1))
    for s0 in range(0, len(vals), chunk):
        r = rows[s0:s0 + chunk]
        starts = np.flatnonzero(np.concatenate([[True], r[1:] != r[:-1]]))
        part = np.take(bm, cols[s0:s0 + chunk], axis=0)
        part *= vals[s0:s0 + chunk, None]
        out[r[starts]] += np.add.reduceat(part, starts, axis=0)
    return out


def _matmul_infer(specs, attrs):
    ind, val, shp, b = specs
    op = "SparseTensorDenseMatMul"
    _check_index_dtype(_MATMUL, op, ind, 0)
    if b.dtype is not val.dtype:
        raise _dtype_error(_MATMUL, op, 3, val.dtype, b.dtype)
    s, bd = _shape_input(shp), sh.dims(b)
    if s is not None and len(s) != 2:
        raise sh.error(_MATMUL, op, "Tensor 'a_shape' is not a vector of length 2")
    if bd is not None and len(bd) != 2:
        raise sh.error(_MATMUL, op, "Tensor 'b' is not a matrix")
    m = None if s is None else s[1 if attrs.get("adjoint_a") else 0]
    k = None if s is None else s[0 if attrs.get("adjoint_a") else 1]
    bk = None if bd is None else bd[1 if attrs.get("adjoint_b") else 0]
    n = None if bd is None else bd[0 if attrs.get("adjoint_b") else 1]
    if k is not None and bk is not None and k != bk:
        raise sh.error(_MATMUL, op, "Cannot multiply A and B because inner dimension does not match: %d vs. %d.  Did you "
                       "forget a transpose?  Dimensions of A: [%d, %d).  Dimensions of B: %s" % (k, bk, s[0], s[1], sh.fmt(bd)))
    return [((m, n), val.dtype)]


def _matmul_grad(op, dy):
    from . import array_ops, math_ops
    a_indices, a_values, a_shape, b = op.inputs
    adj_a, adj_b = op.attrs.get("adjoint_a", False), op.attrs.get("adjoint_b", False)
    b_grad = bind("SparseTensorDenseMatMul", [a_indices, a_values, a_shape, dy],
                  {"adjoint_a": not adj_a, "adjoint_b": False})
    if adj_b:
        b_grad = array_ops.transpose(b_grad)
        if b_grad.dtype.is_complex:
            b_grad = math_ops.conj(b_grad)
    # d/d values[i] at (r, c): sum_j dy[r, j] * op(b)[c, j] (swap r and c, conjugate, for adjoint_a).
    rows, cols = array_ops.split(a_indices, 2, axis=1)
    rows, cols = array_ops.reshape(rows, [-1]), array_ops.reshape(cols, [-1])
    if adj_a:
        rows, cols = cols, rows
    bm = array_ops.transpose(b) if adj_b else b
    if b.dtype.is_complex and not adj_b:
        bm = math_ops.conj(bm)
    parts = math_ops.multiply(array_ops.gather(dy, rows), array_ops.gather(bm, cols))
    a_grad = math_ops.reduce_sum(parts, axis=1)
    if adj_a and a_grad.dtype.is_complex:
        a_grad = math_ops.conj(a_grad)
    return [None, a_grad, None, b_grad]


def _matmul_samples():
    idx, shp = _idx_samples()
    return [([idx, S.normal(4), shp, S.normal(4, 2)], {"adjoint_a": False, "adjoint_b": False}),
            ([idx, S.normal(4), shp, S.normal(3, 5)], {"adjoint_a": True, "adjoint_b": False}),
            ([idx, S.normal(4), shp, S.normal(2, 4)], {"adjoint_a": False, "adjoint_b": True}),
            ([idx, S.normal(4), shp, S.normal(2, 3)], {"adjoint_a": True, "adjoint_b": True})]


register("SparseTensorDenseMatMul", kernel=_matmul_kernel, infer=_matmul_infer, grad=_matmul_grad, api=_MATMUL,
         args=("a_indices", "a_values", "a_shape", "b"), samples=_matmul_samples)


@tf_export("sparse.sparse_dense_matmul")
def sparse_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None) -> Tensor:
    """Multiplies a rank-2 SparseTensor by a dense matrix (or a dense matrix by a SparseTensor).

    Args:
      sp_a: a SparseTensor [m, k] (or a dense matrix when `b` is the SparseTensor).
      b: a dense matrix [k, n] with the dtype of `sp_a` (or a SparseTensor).
      adjoint_a: use the adjoint (conjugate transpose) of `sp_a`.
      adjoint_b: use the adjoint of `b`.
      name: unused in eager mode.

    Returns:
      The dense product (tf.sparse.sparse_dense_matmul).
    """
    from . import array_ops
    if isinstance(b, SparseTensor):
        if adjoint_a != adjoint_b:
            return array_ops.transpose(sparse_dense_matmul(b, sp_a, adjoint_a, adjoint_b))
        return array_ops.transpose(sparse_dense_matmul(b, sp_a, adjoint_a=not adjoint_a, adjoint_b=not adjoint_b))
    sp = _convert_to_sparse_tensor(sp_a)
    b = _t(b)
    if b.dtype is not sp.dtype:
        raise _dtype_error(_MATMUL, "SparseTensorDenseMatMul", 3, sp.dtype, b.dtype)
    return bind("SparseTensorDenseMatMul", [sp.indices, sp.values, sp.dense_shape, b],
                {"adjoint_a": bool(adjoint_a), "adjoint_b": bool(adjoint_b)})


# ---------------------------------------------------------------- SparseReorder
_REORDER = "tf.sparse.reorder"


def _reorder_kernel(xp, input_indices, input_values, input_shape):
    keys = _order_keys(input_indices, input_shape)
    if keys is not None:
        if len(keys) < 2 or (keys[1:] >= keys[:-1]).all():
            return input_indices, input_values
    elif _is_sorted(input_indices):
        return input_indices, input_values
    order = _lex_order(input_indices, keys)
    return np.take(input_indices, order, axis=0), input_values[order]  # np.take: fast row gather


def _reorder_infer(specs, attrs):
    ind, val, shp = specs
    return [(sh.dims(ind) if sh.dims(ind) is not None else (_nnz(val), _rank_of(ind, shp)), _I64), (sh.dims(val), val.dtype)]


def _reorder_grad(op, d_indices, d_values):
    from . import array_ops, math_ops
    indices, values, shape = op.inputs
    n = values.shape[0]
    positions = array_ops.range(n if n is not None else array_ops.shape(values)[0], dtype=dtypes.int64)
    _, perm = bind("SparseReorder", [indices, positions, shape])
    # output[k] = input[perm[k]]: route d_values[k] back to position perm[k].
    return [None, math_ops.unsorted_segment_sum(d_values, perm, n), None]


register("SparseReorder", kernel=_reorder_kernel, infer=_reorder_infer, grad=_reorder_grad, api=_REORDER, num_outputs=2,
         args=("input_indices", "input_values", "input_shape"),
         samples=lambda: [([np.array([[1, 2], [0, 3], [2, 0], [0, 1]], np.int64), S.normal(4), np.array([3, 4], np.int64)],
                           {}),
                          ([np.array([[0], [2], [1]], np.int64), S.normal(3), np.array([3], np.int64)], {})])


@tf_export("sparse.reorder")
def reorder(sp_input, name=None) -> SparseTensor:
    """Reorders a SparseTensor into the canonical row-major ordering (tf.sparse.reorder)."""
    sp = _convert_to_sparse_tensor(sp_input)
    indices, values = bind("SparseReorder", [sp.indices, sp.values, sp.dense_shape])
    return _wrap(indices, values, sp.dense_shape, sp._shape)


# ---------------------------------------------------------------- SparseAdd / SparseAddGrad
_ADD = "tf.sparse.add"


def _check_same_shape(a_shape, b_shape, op_name="SparseAdd"):
    a_shape, b_shape = [int(d) for d in a_shape], [int(d) for d in b_shape]
    if len(a_shape) != len(b_shape):
        raise sh.error(_ADD, op_name, "Operands do not have the same ranks; got shapes: %s and %s"
                       % (_fmt_index(a_shape), _fmt_index(b_shape)))
    for i, (x, y) in enumerate(zip(a_shape, b_shape)):
        if x != y:
            raise sh.error(_ADD, op_name, "Operands' shapes do not match: got %d and %d for dimension %d" % (x, y, i))


def _sparse_add_kernel(xp, a_indices, a_values, a_shape, b_indices, b_values, b_shape, thresh):
    rank = a_indices.shape[1]
    if rank != b_indices.shape[1]:
        raise sh.error(_ADD, "SparseAdd", "Input indices must have the same dimension, got %d and %d"
                       % (rank, b_indices.shape[1]))
    _check_same_shape(a_shape, b_shape)
    shape_out = np.asarray(a_shape, np.int64)
    idx = np.concatenate([a_indices, b_indices]).astype(np.int64, copy=False)
    vals = np.concatenate([a_values, b_values])
    keys = _order_keys(idx, a_shape)
    # TF merges operands assumed sorted; sorting both (stable: a's entry first at equal indices) gives the same
    # sum for sorted operands, and the canonical one for unsorted ones.
    order = _lex_order(idx, keys)
    starts = _group_starts(None, keys[order]) if keys is not None else _group_starts(np.take(idx, order, axis=0))
    vals = vals[order]
    first = np.flatnonzero(starts)
    if len(first) == len(vals):
        return np.take(idx, order, axis=0), vals, shape_out
    sums = np.add.reduceat(vals, first) if len(first) else vals[:0]
    merged = np.diff(np.append(first, len(vals))) > 1
    kept = ~merged | (np.abs(sums) >= thresh)
    return np.take(idx, order[first[kept]], axis=0), np.asarray(sums[kept], dtype=vals.dtype), shape_out


def _sparse_add_infer(specs, attrs):
    ai, av, ash, bi, bv, bsh, th = specs
    op = "SparseAdd"
    _check_index_dtype(_ADD, op, ai, 0)
    _check_index_dtype(_ADD, op, bi, 3)
    if bv.dtype is not av.dtype:
        raise _dtype_error(_ADD, op, 4, av.dtype, bv.dtype)
    sa, sb = _shape_input(ash), _shape_input(bsh)
    if sa is not None and sb is not None and None not in sa + sb:
        _check_same_shape(sa, sb)
    rank = _rank_of(ai, ash)
    nnz = None
    vals = [_known(s) for s in specs]
    if all(v is not None for v in vals):  # every input known: the output size is too
        nnz = len(_sparse_add_kernel(np, *vals)[0])
    return [((nnz, rank), _I64), ((nnz,), av.dtype), ((rank,), _I64)]


def _sparse_add_grad(op, d_indices, d_values, d_shape):
    a_grad, b_grad = bind("SparseAddGrad", [d_values, op.inputs[0], op.inputs[3], op.outputs[0]])
    return [None, a_grad, None, None, b_grad, None, None]


def _add_samples():
    a = np.array([[0, 0], [1, 1], [2, 3]], np.int64)
    b = np.array([[0, 0], [1, 2], [2, 3]], np.int64)
    shp = np.array([3, 4], np.int64)
    va, vb = np.array([1.0, 2.0, 0.3]), np.array([1.5, -1.0, -0.1])
    return [([a, va, shp, b, vb, shp, S.scalar(0.0, np.float64)], {}),
            ([a, va, shp, b, vb, shp, S.scalar(0.5, np.float64)], {})]


register("SparseAdd", kernel=_sparse_add_kernel, infer=_sparse_add_infer, grad=_sparse_add_grad, api=_ADD, num_outputs=3,
         args=("a_indices", "a_values", "a_shape", "b_indices", "b_values", "b_shape", "thresh"), samples=_add_samples)


def _sparse_add_grad_kernel(xp, backprop_val_grad, a_indices, b_indices, sum_indices):
    na, ns = len(a_indices), len(sum_indices)
    idx = np.concatenate([sum_indices, a_indices, b_indices]).astype(np.int64, copy=False)
    keys = _order_keys(idx)
    order = _lex_order(idx, keys)  # stable: at equal indices the sum's entry comes first
    starts = _group_starts(np.take(idx, order, axis=0), None if keys is None else keys[order])
    group = np.cumsum(starts) - 1
    first = order[np.flatnonzero(starts)]
    group_src = np.where(first < ns, first, ns)  # ns: no sum entry (dropped by the threshold)
    where = np.empty(len(idx), np.int64)
    where[order] = np.arange(len(idx))
    src = group_src[group[where]] if len(idx) else np.zeros(0, np.int64)
    grads = np.concatenate([backprop_val_grad, np.zeros((1,), backprop_val_grad.dtype)])
    return grads[src[ns:ns + na]], grads[src[ns + na:]]


def _sparse_add_grad_infer(specs, attrs):
    g, ai, bi, si = specs
    return [((_nnz(ai),), g.dtype), ((_nnz(bi),), g.dtype)]


register("SparseAddGrad", kernel=_sparse_add_grad_kernel, infer=_sparse_add_grad_infer, grad=NON_DIFFERENTIABLE,
         api=_ADD, num_outputs=2, args=("backprop_val_grad", "a_indices", "b_indices", "sum_indices"),
         samples=lambda: [([S.normal(4), np.array([[0, 0], [1, 1], [2, 3]], np.int64),
                            np.array([[0, 0], [1, 2], [2, 3]], np.int64),
                            np.array([[0, 0], [1, 1], [1, 2], [2, 3]], np.int64)], {})])


# ---------------------------------------------------------------- SparseTensorDenseAdd
def _sparse_dense_add_kernel(xp, a_indices, a_values, a_shape, b):
    shape = [int(d) for d in a_shape]
    if len(shape) != b.ndim:
        raise sh.error(_ADD, "SparseTensorDenseAdd", "Dimensions must match: sparse rank %d vs dense rank %d"
                       % (len(shape), b.ndim))
    for i, (x, y) in enumerate(zip(shape, b.shape)):
        if x != y:
            raise sh.error(_ADD, "SparseTensorDenseAdd", "Dimension %d does not equal (no broadcasting is supported): "
                           "sparse side %d vs dense side %d" % (i, x, y))
    out = b.copy()
    if len(a_indices) == 0:
        return out
    dims = np.asarray(shape, np.int64)
    if (a_indices < 0).any() or (a_indices >= dims).any():
        i = int(((a_indices < 0) | (a_indices >= dims)).any(axis=1).argmax())
        raise sh.error(_ADD, "SparseTensorDenseAdd", "Index %s is out of bounds" % _fmt_index(a_indices[i]))
    keys = _keys(a_indices, shape)
    if keys is None:
        np.add.at(out, tuple(a_indices.T), a_values)
    elif len(keys) < 2 or (keys[1:] > keys[:-1]).all():  # distinct indices: one fancy update
        out.reshape(-1)[keys] += a_values
    else:
        np.add.at(out.reshape(-1), keys, a_values)
    return out


def _sparse_dense_add_infer(specs, attrs):
    ind, val, shp, b = specs
    if b.dtype is not val.dtype:
        raise _dtype_error(_ADD, "SparseTensorDenseAdd", 3, val.dtype, b.dtype)
    s, d = _shape_input(shp), sh.dims(b)
    if s is not None and d is not None:
        if len(s) != len(d):
            raise sh.error(_ADD, "SparseTensorDenseAdd", "Dimensions must match: sparse rank %d vs dense rank %d"
                           % (len(s), len(d)))
        for i, (x, y) in enumerate(zip(s, d)):
            if x is not None and y is not None and x != y:
                raise sh.error(_ADD, "SparseTensorDenseAdd", "Dimension %d does not equal (no broadcasting is "
                               "supported): sparse side %d vs dense side %d" % (i, x, y))
        d = tuple(y if y is not None else x for x, y in zip(s, d))
    return [(d, val.dtype)]


register("SparseTensorDenseAdd", kernel=_sparse_dense_add_kernel, infer=_sparse_dense_add_infer,
         grad=lambda op, dy: [None, _gather_at(op.inputs[0], op.inputs[2], dy), None, dy], api=_ADD,
         args=("a_indices", "a_values", "a_shape", "b"),
         samples=lambda: [([_idx_samples()[0], S.normal(4), _idx_samples()[1], S.normal(3, 4)], {})])


@tf_export("sparse.add")
def add(a, b, threshold=0) -> SparseTensor | Tensor:
    """Adds two tensors, at least one of which is a SparseTensor (tf.sparse.add).

    Sparse + sparse gives a SparseTensor; entries present in both whose sum has magnitude
    below `threshold` are dropped. Sparse + dense gives a dense tensor.
    """
    if not isinstance(a, SparseTensor) and not isinstance(b, SparseTensor):
        raise TypeError("At least one input should be SparseTensor; do you mean to use tf.add()?")
    if isinstance(a, SparseTensor) and isinstance(b, SparseTensor):
        if b.dtype is not a.dtype:
            raise _dtype_error(_ADD, "SparseAdd", 4, a.dtype, b.dtype)
        thresh = _t(threshold, a.dtype.real_dtype)
        indices, values, shape = bind("SparseAdd", [a.indices, a.values, a.dense_shape, b.indices, b.values,
                                                    b.dense_shape, thresh])
        return _wrap(indices, values, shape, a._shape)
    if isinstance(b, SparseTensor):
        a, b = b, a
    b = _t(b, a.dtype) if not isinstance(b, Tensor) else b
    if b.dtype is not a.dtype:
        raise _dtype_error(_ADD, "SparseTensorDenseAdd", 3, a.dtype, b.dtype)
    return bind("SparseTensorDenseAdd", [a.indices, a.values, a.dense_shape, b])


# ---------------------------------------------------------------- SparseReduceSum
_REDUCE_SUM = "tf.sparse.reduce_sum"


def _reduce_axes(axes, rank, op_name="SparseReduceSum"):
    axes = [int(a) for a in np.asarray(axes).reshape(-1)]
    out = []
    for a in axes:
        if not -rank <= a < rank:
            raise sh.error(_REDUCE_SUM, op_name, "Invalid reduction dimension %d, for input with %d dimensions." % (a, rank))
        out.append(a % rank)
    return sorted(set(out))


def _reduce_sum_kernel(xp, input_indices, input_values, input_shape, reduction_axes, keep_dims=False):
    shape = [int(d) for d in input_shape]
    axes = _reduce_axes(reduction_axes, len(shape))
    kept = [i for i in range(len(shape)) if i not in axes]
    out_shape = [shape[i] for i in kept]
    if not kept:
        out = np.asarray(input_values.sum(dtype=input_values.dtype))
    else:
        out = np.zeros(out_shape, dtype=input_values.dtype)
        if len(input_values):
            np.add.at(out, tuple(input_indices[:, i] for i in kept), input_values)
    if keep_dims:
        out = out.reshape([1 if i in axes else d for i, d in enumerate(shape)])
    return out


def _reduce_sum_infer(specs, attrs):
    ind, val, shp, axes = specs
    s, a = _shape_input(shp), _known(axes)
    if s is None or a is None:
        return [(None, val.dtype)]
    axes_n = _reduce_axes(a, len(s))
    if attrs.get("keep_dims"):
        return [(tuple(1 if i in axes_n else d for i, d in enumerate(s)), val.dtype)]
    return [(tuple(d for i, d in enumerate(s) if i not in axes_n), val.dtype)]


def _reduce_sum_grad(op, dy):
    from . import array_ops
    indices, values, shape, axes = op.inputs
    s = [int(d) for d in _known(shape)] if _known(shape) is not None else None
    if s is None or _known(axes) is None:
        raise ValueError("the gradient of tf.sparse.reduce_sum needs a static dense shape and static axes")
    ax = _reduce_axes(_known(axes), len(s))
    kept = array_ops.reshape(dy, [1 if i in ax else d for i, d in enumerate(s)])
    return [None, _gather_at(indices, shape, kept), None, None]


def _reduce_sum_samples():
    idx, shp = _idx_samples()
    idx3 = np.array([[0, 0, 1], [0, 2, 0], [1, 1, 1], [1, 2, 1]], np.int64)
    return [([idx, S.normal(4), shp, np.array([1], np.int32)], {"keep_dims": False}),
            ([idx, S.normal(4), shp, np.array([0, 1], np.int32)], {"keep_dims": False}),
            ([idx3, S.normal(4), np.array([2, 3, 2], np.int64), np.array([-1, 0], np.int32)], {"keep_dims": True})]


register("SparseReduceSum", kernel=_reduce_sum_kernel, infer=_reduce_sum_infer, grad=_reduce_sum_grad, api=_REDUCE_SUM,
         args=("input_indices", "input_values", "input_shape", "reduction_axes"), samples=_reduce_sum_samples)


@tf_export("sparse.reduce_sum")
def reduce_sum(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """Sums a SparseTensor's values across `axis` (all axes when None) (tf.sparse.reduce_sum).

    Returns a dense tensor, or a SparseTensor when `output_is_sparse` (built from the dense sum,
    so positions whose sum is exactly zero are left out).
    """
    sp = _convert_to_sparse_tensor(sp_input)
    rank = sp.shape.rank
    if axis is None:
        axes = np.arange(rank if rank is not None else 0, dtype=np.int32)
    else:
        axes = np.asarray(axis._value if isinstance(axis, Tensor) else axis, dtype=np.int32).reshape(-1)
    out = bind("SparseReduceSum", [sp.indices, sp.values, sp.dense_shape, Tensor(axes, dtypes.int32)],
               {"keep_dims": bool(keepdims)})
    if output_is_sparse:
        return from_dense(out)
    return out


# ---------------------------------------------------------------- SparseReshape
_RESHAPE = "tf.sparse.reshape"


def _reshape_target(input_shape, new_shape):
    total = int(np.prod(input_shape)) if len(input_shape) else 1
    new = [int(d) for d in new_shape]
    unknown = [i for i, d in enumerate(new) if d == -1]
    if len(unknown) > 1:
        raise sh.error(_RESHAPE, "SparseReshape", "only one output dimension may be -1, not both %d and %d"
                       % tuple(unknown[:2]))
    known = int(np.prod([d for d in new if d != -1])) if new else 1
    if unknown:
        if known == 0 or total % known:
            raise sh.error(_RESHAPE, "SparseReshape", "Input to reshape is a SparseTensor with %d dense values, but the "
                           "requested shape requires a multiple of %d. input_shape=%s output_shape=%s"
                           % (total, known, _fmt_index(input_shape), _fmt_index([1 if d == -1 else d for d in new])))
        new[unknown[0]] = total // known
    elif known != total:
        raise sh.error(_RESHAPE, "SparseReshape", "Input to reshape is a tensor with %d dense values, but the requested "
                       "shape has %d. input_shape=%s output_shape=%s" % (total, known, _fmt_index(input_shape),
                                                                       _fmt_index(new)))
    return new


def _sparse_reshape_kernel(xp, input_indices, input_shape, new_shape):
    shape = [int(d) for d in input_shape]
    new = _reshape_target(shape, new_shape)
    if len(input_indices) == 0:
        return np.zeros((0, len(new)), np.int64), np.asarray(new, np.int64)
    lin = np.ravel_multi_index(tuple(input_indices.T), shape) if shape else np.zeros(len(input_indices), np.int64)
    out = np.stack(np.unravel_index(lin, new), axis=1) if new else np.zeros((len(lin), 0), np.int64)
    return out.astype(np.int64, copy=False), np.asarray(new, np.int64)


def _sparse_reshape_infer(specs, attrs):
    ind, shp, new = specs
    n = _shape_input(new)
    s = _shape_input(shp)
    if n is not None and s is not None and None not in n + s:
        n = tuple(_reshape_target(s, n))
    elif n is not None:
        n = tuple(None if d is None or d < 0 else d for d in n)
    r = None if n is None else len(n)
    return [((_nnz(ind), r), _I64), ((r,), _I64)]


register("SparseReshape", kernel=_sparse_reshape_kernel, infer=_sparse_reshape_infer, grad=NON_DIFFERENTIABLE,
         api=_RESHAPE, num_outputs=2, args=("input_indices", "input_shape", "new_shape"),
         samples=lambda: [([_idx_samples()[0], _idx_samples()[1], np.array([2, -1], np.int64)], {}),
                          ([_idx_samples()[0], _idx_samples()[1], np.array([12], np.int64)], {})])


@tf_export("sparse.reshape")
def reshape(sp_input, shape, name=None) -> SparseTensor:
    """Reshapes a SparseTensor (one dimension of `shape` may be -1) (tf.sparse.reshape)."""
    from . import array_ops
    sp = _convert_to_sparse_tensor(sp_input)
    new = Tensor(np.asarray(array_ops._int_tuple(shape), np.int64), _I64)
    indices, dense_shape = bind("SparseReshape", [sp.indices, sp.dense_shape, new])
    return _wrap(indices, sp.values, dense_shape)


# ---------------------------------------------------------------- composites
@tf_export("sparse.from_dense")
def from_dense(tensor, name=None) -> SparseTensor:
    """A SparseTensor of the non-zero (non-empty for strings) entries of a dense tensor (tf.sparse.from_dense)."""
    from . import array_ops, math_ops
    x = _t(tensor)
    if x.shape.rank == 0:
        raise sh.error("tf.sparse.from_dense", "Where", "WhereOp : Unhandled input dimensions: 0")
    indices = array_ops.where(math_ops.not_equal(x, _zero(x.dtype)))
    values = array_ops.gather_nd(x, indices)
    return _wrap(indices, values, array_ops.shape(x, out_type=_I64), x.shape if x.shape.is_fully_defined() else None)


@tf_export("sparse.retain")
def retain(sp_input, to_retain) -> SparseTensor:
    """Keeps the entries of a SparseTensor where the boolean vector `to_retain` is True (tf.sparse.retain)."""
    from . import array_ops
    sp = _convert_to_sparse_tensor(sp_input)
    keep = _t(to_retain, dtypes.bool)
    if keep.shape.rank != 1:
        raise ValueError("Shape %s must have rank 1" % keep.shape)
    _merge_dim(sp.indices.shape[0], keep.shape[0])
    where = array_ops.reshape(array_ops.where(keep), [-1])
    return _wrap(array_ops.gather(sp.indices, where), array_ops.gather(sp.values, where), sp.dense_shape, sp._shape)


def _static_dense_shape(sp: SparseTensor, api: str) -> list:
    if not sp.shape.is_fully_defined():
        raise ValueError("%s needs a SparseTensor whose dense_shape is known" % api)
    return sp.shape.as_list()


@tf_export("sparse.slice")
def slice(sp_input, start, size, name=None) -> SparseTensor:  # noqa: A001 - TF's name
    """The entries of a SparseTensor inside the box [start, start + size) (tf.sparse.slice)."""
    from . import array_ops, math_ops
    sp = _convert_to_sparse_tensor(sp_input)
    shape = _static_dense_shape(sp, "tf.sparse.slice")
    start = [int(v) for v in array_ops._int_tuple(start)]
    size = [int(v) for v in array_ops._int_tuple(size)]
    if len(start) != len(shape) or len(size) != len(shape):
        raise sh.error("tf.sparse.slice", "SparseSlice", "Expected start and size to have length %d, got %d and %d"
                       % (len(shape), len(start), len(size)))
    lo = Tensor(np.asarray(start, np.int64), _I64)
    hi = Tensor(np.asarray([b + s for b, s in zip(start, size)], np.int64), _I64)
    inside = math_ops.logical_and(math_ops.greater_equal(sp.indices, lo), math_ops.less(sp.indices, hi))
    where = array_ops.reshape(array_ops.where(math_ops.reduce_all(inside, axis=1)), [-1])
    new_shape = [max(0, min(b + s, d) - b) for b, s, d in zip(start, size, shape)]
    return _wrap(math_ops.subtract(array_ops.gather(sp.indices, where), lo), array_ops.gather(sp.values, where),
                 _shape_tensor(new_shape), TensorShape(new_shape))


@tf_export("sparse.concat")
def concat(axis, sp_inputs, expand_nonconcat_dims=False, name=None) -> SparseTensor:
    """Concatenates SparseTensors along `axis`; the result is in row-major order (tf.sparse.concat)."""
    from . import array_ops, math_ops
    sps = [_convert_to_sparse_tensor(s) for s in sp_inputs]
    shapes = [_static_dense_shape(s, "tf.sparse.concat") for s in sps]
    rank = len(shapes[0])
    axis = int(axis)
    if not -rank <= axis < rank:
        raise sh.error("tf.sparse.concat", "SparseConcat", "Concat dimension out of range: %d" % axis)
    axis %= rank
    out_shape = list(shapes[0])
    for pos, s in enumerate(shapes[1:], 1):
        if len(s) != rank:
            raise sh.error("tf.sparse.concat", "SparseConcat", "Ranks of all input tensors must match: expected %d but "
                           "got %d at position %d" % (rank, len(s), pos))
        for d in range(rank):
            if d != axis and s[d] != out_shape[d]:
                if not expand_nonconcat_dims:
                    raise sh.error("tf.sparse.concat", "SparseConcat", "Input shapes must match: expected %d for "
                                   "dimension %d but got %d at position %d" % (out_shape[d], d, s[d], pos))
                out_shape[d] = max(out_shape[d], s[d])
    indices, offset = [], 0
    for sp, s in zip(sps, shapes):
        shift = np.zeros(rank, np.int64)
        shift[axis] = offset
        indices.append(math_ops.add(sp.indices, Tensor(shift, _I64)) if offset else sp.indices)
        offset += s[axis]
    out_shape[axis] = offset
    values = array_ops.concat([s.values for s in sps], 0)
    shape = _shape_tensor(out_shape)
    idx, vals = bind("SparseReorder", [array_ops.concat(indices, 0), values, shape])
    return _wrap(idx, vals, shape, TensorShape(out_shape))


@tf_export("sparse.to_indicator")
def to_indicator(sp_input, vocab_size, name=None) -> Tensor:
    """A dense bool tensor [..., vocab_size], True at the ids held in the last dimension (tf.sparse.to_indicator)."""
    from . import array_ops, math_ops
    sp = _convert_to_sparse_tensor(sp_input)
    if sp.dtype not in _INDEX_DTYPES:
        raise TypeError("sp_input.values must be a Tensor of type int32 or int64, got %s" % sp.dtype.name)
    rank = sp.indices.shape[1]
    lead, _ = array_ops.split(sp.indices, [rank - 1, 1], axis=1)
    ids = array_ops.reshape(math_ops.cast(sp.values, _I64), [-1, 1])
    indices = array_ops.concat([lead, ids], 1)
    shape = _shape_tensor(_static_dense_shape(sp, "tf.sparse.to_indicator")[:-1] + [int(vocab_size)])
    n = sp.values.shape[0]
    trues = Tensor(np.ones((n,), bool), dtypes.bool)
    return bind("SparseToDense", [indices, shape, trues, Tensor(np.asarray(False), dtypes.bool)],
                {"validate_indices": False})


@tf_export("sparse.expand_dims")
def expand_dims(sp_input, axis=None, name=None) -> SparseTensor:
    """Inserts a dimension of size 1 into a SparseTensor's shape at `axis` (tf.sparse.expand_dims)."""
    from . import array_ops
    sp = _convert_to_sparse_tensor(sp_input)
    shape = _static_dense_shape(sp, "tf.sparse.expand_dims")
    rank = len(shape)
    axis = -1 if axis is None else int(axis)
    if not -rank - 1 <= axis <= rank:
        raise ValueError("axis %d is out of range for a SparseTensor of rank %d" % (axis, rank))
    axis = axis % (rank + 1)
    n = sp.indices.shape[0]
    zeros = Tensor(np.zeros((n, 1), np.int64), _I64)
    before, after = array_ops.split(sp.indices, [axis, rank - axis], axis=1)
    indices = array_ops.concat([before, zeros, after], 1)
    new_shape = shape[:axis] + [1] + shape[axis:]
    return _wrap(indices, sp.values, _shape_tensor(new_shape), TensorShape(new_shape))


@tf_export("sparse.map_values")
def map_values(op, *args, **kwargs) -> SparseTensor:
    """Applies `op` to the values of the SparseTensors in args/kwargs, keeping their indices (tf.sparse.map_values)."""
    found = []

    def swap(v):
        if isinstance(v, SparseTensor):
            found.append(v)
            return v.values
        if isinstance(v, (list, tuple)):
            return type(v)(swap(x) for x in v)
        if isinstance(v, dict):
            return {k: swap(x) for k, x in v.items()}
        return v

    args2 = swap(list(args))
    kwargs2 = swap(kwargs)
    if not found:
        raise ValueError("No SparseTensor in argument list of map_values")
    first = found[0]
    for other in found[1:]:
        if other.indices is not first.indices and not (
                _known(other.indices) is not None and _known(first.indices) is not None
                and np.array_equal(_known(other.indices), _known(first.indices))):
            raise ValueError("Inputs must have identical indices.")
    return first.with_values(op(*args2, **kwargs2))


@tf_export("sparse.transpose")
def transpose(sp_input, perm=None, name=None) -> SparseTensor:
    """Permutes the dimensions of a SparseTensor and reorders it (tf.sparse.transpose)."""
    from . import array_ops
    sp = _convert_to_sparse_tensor(sp_input)
    shape = _static_dense_shape(sp, "tf.sparse.transpose")
    rank = len(shape)
    perm = list(range(rank - 1, -1, -1)) if perm is None else [int(p) for p in array_ops._int_tuple(perm)]
    if sorted(perm) != list(range(rank)):
        raise sh.error("tf.sparse.transpose", "Transpose", "%s is not a valid permutation of %d dimensions" % (perm, rank))
    indices = array_ops.gather(sp.indices, Tensor(np.asarray(perm, np.int32), dtypes.int32), axis=1)
    new_shape = [shape[p] for p in perm]
    shape_t = _shape_tensor(new_shape)
    idx, vals = bind("SparseReorder", [indices, sp.values, shape_t])
    return _wrap(idx, vals, shape_t, TensorShape(new_shape))


@tf_export("sparse.split")
def split(*, sp_input=None, num_split=None, axis=None, name=None) -> list:
    """Splits a SparseTensor into `num_split` pieces along `axis`; the first pieces get one more row when uneven."""
    sp = _convert_to_sparse_tensor(sp_input)
    shape = _static_dense_shape(sp, "tf.sparse.split")
    axis = int(axis) % len(shape)
    n = int(num_split)
    dim = shape[axis]
    out, begin = [], 0
    for i in range(n):
        size = dim // n + (1 if i < dim % n else 0)
        start = [0] * len(shape)
        start[axis] = begin
        sizes = list(shape)
        sizes[axis] = size
        out.append(slice(sp, start, sizes))
        begin += size
    return out


@tf_export("sparse.eye")
def eye(num_rows, num_columns=None, dtype=dtypes.float32, name=None) -> SparseTensor:
    """A 2-D SparseTensor with ones on the diagonal (tf.sparse.eye)."""
    rows = int(num_rows)
    cols = rows if num_columns is None else int(num_columns)
    dtype = dtypes.as_dtype(dtype)
    d = np.arange(min(rows, cols), dtype=np.int64)
    return _wrap(Tensor(np.stack([d, d], axis=1), _I64), Tensor(np.ones(len(d), dtype.as_numpy_dtype), dtype),
                 _shape_tensor([rows, cols]), TensorShape([rows, cols]))


@tf_export("sparse.reset_shape")
def reset_shape(sp_input, new_shape=None) -> SparseTensor:
    """The same entries with dense shape `new_shape`, or the tight bounding box when None (tf.sparse.reset_shape)."""
    from . import array_ops
    sp = _convert_to_sparse_tensor(sp_input)
    if new_shape is None:
        idx = _known(sp.indices)
        if idx is None:
            raise NotImplementedError("tf.sparse.reset_shape needs eager indices")
        shape = (idx.max(axis=0) + 1).tolist() if len(idx) else [0] * idx.shape[1]
    else:
        shape = [int(d) for d in array_ops._int_tuple(new_shape)]
        old = sp.shape
        if old.rank is not None and len(shape) != old.rank:
            raise ValueError("Shapes %s and %s must have the same rank" % (old, TensorShape(shape)))
        if old.is_fully_defined() and any(n < o for n, o in zip(shape, old.as_list())):
            raise ValueError("Requested new_shape should have dimension sizes >= sp_input.shape.  Found new_shape (%s), "
                             "sp_input.shape (%s)." % (shape, old.as_list()))
    return _wrap(sp.indices, sp.values, _shape_tensor(shape), TensorShape(shape))


from . import sparse_cross  # noqa: E402,F401 - tf.sparse.cross / cross_hashed


# ---------------------------------------------------------------- SparseReduceMax / SparseReduceMaxSparse
_REDUCE_MAX = "tf.sparse.reduce_max"


def _reduce_max_groups(input_indices, input_values, input_shape, reduction_axes, op_name):
    """(kept dims, output shape, linear output position of each entry) for a sparse max reduction."""
    shape = [int(d) for d in input_shape]
    axes = []
    for a in np.asarray(reduction_axes).reshape(-1).tolist():
        if not -len(shape) <= a < len(shape):
            raise sh.error(_REDUCE_MAX, op_name, "Invalid reduction dimension %d, for input with %d dimensions."
                           % (a, len(shape)))
        axes.append(a % len(shape))
    kept = [i for i in range(len(shape)) if i not in axes]
    out_shape = [shape[i] for i in kept]
    if kept and len(input_indices):
        pos = np.ravel_multi_index(tuple(input_indices[:, i] for i in kept), out_shape)
    else:
        pos = np.zeros(len(input_indices), np.int64)
    return shape, set(axes), kept, out_shape, pos


def _group_max(values, pos, size):
    """Per-position maximum of `values` (positions without values hold nothing: the mask says which have)."""
    order = np.argsort(pos, kind="stable")
    p, v = pos[order], values[order]
    starts = np.flatnonzero(np.concatenate([[True], p[1:] != p[:-1]])) if len(p) else np.zeros(0, np.int64)
    return p[starts], (np.maximum.reduceat(v, starts) if len(v) else v[:0])


def _reduce_max_kernel(xp, input_indices, input_values, input_shape, reduction_axes, keep_dims=False):
    shape, axes, kept, out_shape, pos = _reduce_max_groups(input_indices, input_values, input_shape, reduction_axes,
                                                           "SparseReduceMax")
    out = np.zeros(int(np.prod(out_shape)) if out_shape else 1, dtype=input_values.dtype)
    where, vals = _group_max(input_values, pos, len(out))
    out[where] = vals
    if keep_dims:
        return out.reshape([1 if i in axes else d for i, d in enumerate(shape)])
    return out.reshape(out_shape)


def _reduce_max_sparse_kernel(xp, input_indices, input_values, input_shape, reduction_axes, keep_dims=False):
    shape, axes, kept, out_shape, pos = _reduce_max_groups(input_indices, input_values, input_shape, reduction_axes,
                                                           "SparseReduceMaxSparse")
    where, vals = _group_max(input_values, pos, 0)
    full = [1 if i in axes else d for i, d in enumerate(shape)] if keep_dims else out_shape
    cols = np.unravel_index(where, out_shape) if out_shape else ()
    if keep_dims:
        it = iter(cols)
        cols = [np.zeros(len(where), np.int64) if i in axes else next(it) for i in range(len(shape))]
    idx = np.stack([np.asarray(c, np.int64) for c in cols], axis=1) if len(cols) else np.zeros((len(where), 0), np.int64)
    return idx.reshape(len(where), len(full)), vals, np.asarray(full, np.int64)


def _reduce_max_infer(specs, attrs):
    ind, val, shp, axes = specs
    if val.dtype.is_complex or val.dtype in (dtypes.string, dtypes.bool):
        raise sh.error(_REDUCE_MAX, "SparseReduceMax", "Value for attr 'T' of %s is not in the list of allowed values"
                       % val.dtype.name)
    s, a = _shape_input(shp), _known(axes)
    if s is None or a is None:
        return [(None, val.dtype)]
    ax = {x % len(s) for x in np.asarray(a).reshape(-1).tolist() if -len(s) <= x < len(s)}
    if attrs.get("keep_dims"):
        return [(tuple(1 if i in ax else d for i, d in enumerate(s)), val.dtype)]
    return [(tuple(d for i, d in enumerate(s) if i not in ax), val.dtype)]


def _reduce_max_sparse_infer(specs, attrs):
    ind, val, shp, axes = specs
    dense = _reduce_max_infer(specs, attrs)[0][0]
    r = None if dense is None else len(dense)
    nnz = None
    vals = [_known(s) for s in specs]
    if all(v is not None for v in vals):
        nnz = len(_reduce_max_sparse_kernel(np, *vals, **attrs)[1])
    return [((nnz, r), _I64), ((nnz,), val.dtype), ((r,), _I64)]


def _reduce_max_samples():
    idx, shp = _idx_samples()
    return [([idx, np.array([-1.0, -3.0, 2.0, 0.5]), shp, np.array([1], np.int32)], {"keep_dims": False}),
            ([idx, np.array([-1, -3, 2, 5], np.int32), shp, np.array([0], np.int32)], {"keep_dims": True}),
            ([idx, S.normal(4), shp, np.array([0, 1], np.int32)], {"keep_dims": False})]


register("SparseReduceMax", kernel=_reduce_max_kernel, infer=_reduce_max_infer, grad=NON_DIFFERENTIABLE,
         api=_REDUCE_MAX, args=("input_indices", "input_values", "input_shape", "reduction_axes"),
         samples=_reduce_max_samples)
register("SparseReduceMaxSparse", kernel=_reduce_max_sparse_kernel, infer=_reduce_max_sparse_infer,
         grad=NON_DIFFERENTIABLE, api=_REDUCE_MAX, num_outputs=3,
         args=("input_indices", "input_values", "input_shape", "reduction_axes"), samples=_reduce_max_samples)


@tf_export("sparse.reduce_max")
def reduce_max(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """The maximum of a SparseTensor's values across `axis` (all axes when None) (tf.sparse.reduce_max).

    Only the stored values take part (implicit zeros do not), so a result may be negative; a
    position with no stored value reduces to 0. With `output_is_sparse`, a SparseTensor of
    the positions that have values.
    """
    sp = _convert_to_sparse_tensor(sp_input)
    rank = sp.shape.rank
    if axis is None:
        axes = np.arange(rank if rank is not None else 0, dtype=np.int32)
    else:
        axes = np.asarray(axis._value if isinstance(axis, Tensor) else axis, dtype=np.int32).reshape(-1)
    inputs = [sp.indices, sp.values, sp.dense_shape, Tensor(axes, dtypes.int32)]
    attrs = {"keep_dims": bool(keepdims)}
    if output_is_sparse:
        return _wrap(*bind("SparseReduceMaxSparse", inputs, attrs))
    return bind("SparseReduceMax", inputs, attrs)


# ---------------------------------------------------------------- SparseSparseMaximum / Minimum
def _sparse_sparse_kernel(fn, op_name):
    def kernel(xp, a_indices, a_values, a_shape, b_indices, b_values, b_shape):
        api = "tf.sparse.maximum" if fn is np.maximum else "tf.sparse.minimum"
        if a_indices.shape[1] != b_indices.shape[1]:
            raise sh.error(api, op_name, "Operands' shapes do not match: got %d and %d dimensions"
                           % (a_indices.shape[1], b_indices.shape[1]))
        sa, sb = [int(d) for d in a_shape], [int(d) for d in b_shape]
        for i, (x, y) in enumerate(zip(sa, sb)):
            if x != y:
                raise sh.error(api, op_name, "Operands' shapes do not match: got %d and %d for dimension %d" % (x, y, i))
        na = len(a_indices)
        idx = np.concatenate([a_indices, b_indices]).astype(np.int64, copy=False)
        keys = _order_keys(idx, sa)
        order = _lex_order(idx, keys)
        starts = _group_starts(None, keys[order]) if keys is not None else _group_starts(np.take(idx, order, axis=0))
        first = np.flatnonzero(starts)
        group = np.cumsum(starts) - 1
        n = len(first)
        zero = np.zeros((), a_values.dtype)
        va = np.full(n, zero, a_values.dtype)
        vb = np.full(n, zero, a_values.dtype)
        from_a = order < na
        va[group[from_a]] = a_values[order[from_a]]
        vb[group[~from_a]] = b_values[order[~from_a] - na]
        return np.take(idx, order[first], axis=0), fn(va, vb).astype(a_values.dtype, copy=False)
    return kernel


def _sparse_sparse_infer(op_name):
    kern = _sparse_sparse_kernel(np.maximum if op_name.endswith("Maximum") else np.minimum, op_name)

    def infer(specs, attrs):
        ai, av, ash, bi, bv, bsh = specs
        api = "tf.sparse.maximum" if op_name.endswith("Maximum") else "tf.sparse.minimum"
        if bv.dtype is not av.dtype:
            raise _dtype_error(api, op_name, 4, av.dtype, bv.dtype)
        rank = _rank_of(ai, ash)
        vals = [_known(s) for s in specs]
        nnz = len(kern(np, *vals)[0]) if all(v is not None for v in vals) else None
        return [((nnz, rank), _I64), ((nnz,), av.dtype)]
    return infer


def _max_min_samples():
    a = np.array([[0, 0], [1, 2]], np.int64)
    b = np.array([[0, 0], [0, 1]], np.int64)
    shp = np.array([2, 3], np.int64)
    return [([a, np.array([-1.0, 5.0]), shp, b, np.array([2.0, -4.0]), shp], {}),
            ([a, np.array([3, 1], np.int32), shp, b, np.array([2, 7], np.int32), shp], {})]


for _name, _fn in (("SparseSparseMaximum", np.maximum), ("SparseSparseMinimum", np.minimum)):
    # TF registers these gradients as NotImplementedError: not differentiable.
    register(_name, kernel=_sparse_sparse_kernel(_fn, _name), infer=_sparse_sparse_infer(_name),
             grad=NON_DIFFERENTIABLE, api="tf.sparse." + _name[12:].lower(), num_outputs=2,
             args=("a_indices", "a_values", "a_shape", "b_indices", "b_values", "b_shape"), samples=_max_min_samples)


def _sparse_sparse(op_name, sp_a, sp_b):
    a, b = _convert_to_sparse_tensor(sp_a), _convert_to_sparse_tensor(sp_b)
    indices, values = bind(op_name, [a.indices, a.values, a.dense_shape, b.indices, b.values, b.dense_shape])
    return _wrap(indices, values, a.dense_shape, a._shape)


@tf_export("sparse.maximum")
def maximum(sp_a, sp_b, name=None) -> SparseTensor:
    """The element-wise maximum of two SparseTensors of one shape; missing entries count as 0 (tf.sparse.maximum)."""
    return _sparse_sparse("SparseSparseMaximum", sp_a, sp_b)


@tf_export("sparse.minimum")
def minimum(sp_a, sp_b, name=None) -> SparseTensor:
    """The element-wise minimum of two SparseTensors of one shape; missing entries count as 0 (tf.sparse.minimum)."""
    return _sparse_sparse("SparseSparseMinimum", sp_a, sp_b)


# ---------------------------------------------------------------- SparseSoftmax
_SOFTMAX = "tf.sparse.softmax"


def _softmax_kernel(xp, sp_indices, sp_values, sp_shape):
    shape = [int(d) for d in sp_shape]
    if len(shape) < 2:
        raise sh.error(_SOFTMAX, "SparseSoftmax", "Input should have rank >= 2, but received shape: %s" % _fmt_index(shape))
    if len(sp_values) == 0:
        return sp_values.copy()
    lead = shape[:-1]
    pos = np.ravel_multi_index(tuple(sp_indices[:, :-1].T), lead)
    _, inv = np.unique(pos, return_inverse=True)
    inv = inv.reshape(-1)
    gmax = np.full(inv.max() + 1, -np.inf, sp_values.dtype)
    np.maximum.at(gmax, inv, sp_values)
    e = np.exp(sp_values - gmax[inv])
    total = np.bincount(inv, weights=e)
    return (e / total[inv]).astype(sp_values.dtype, copy=False)


def _softmax_infer(specs, attrs):
    ind, val, shp = specs
    if not val.dtype.is_floating:
        raise sh.error(_SOFTMAX, "SparseSoftmax", "Value for attr 'T' of %s is not in the list of allowed values: "
                       "half, float, double" % val.dtype.name)
    s = _shape_input(shp)
    if s is not None and len(s) < 2:
        raise sh.error(_SOFTMAX, "SparseSoftmax", "Input should have rank >= 2, but received shape: %s" % sh.fmt(s))
    return [(sh.dims(val) if sh.dims(val) is not None else (_nnz(ind),), val.dtype)]


def _softmax_grad(op, dy):
    # TF's SparseSoftmaxGrad: (dy - sum_over_row(dy * out)) * out, on the stored values only.
    from . import math_ops
    indices, shape = op.inputs[0], op.inputs[2]
    out = op.outputs[0]
    prod = math_ops.multiply(out, dy)
    row_sum = bind("SparseReduceSum", [indices, prod, shape, Tensor(np.asarray([-1], np.int32), dtypes.int32)],
                   {"keep_dims": True})
    return [None, math_ops.multiply(math_ops.subtract(dy, _gather_at(indices, shape, row_sum)), out), None]


register("SparseSoftmax", kernel=_softmax_kernel, infer=_softmax_infer, grad=_softmax_grad, api=_SOFTMAX,
         args=("sp_indices", "sp_values", "sp_shape"),
         samples=lambda: [([_idx_samples()[0], S.normal(4), _idx_samples()[1]], {}),
                          ([np.array([[0, 0], [0, 2], [2, 1], [2, 3]], np.int64), S.normal(4),
                            np.array([3, 4], np.int64)], {})])


@tf_export("sparse.softmax")
def softmax(sp_input, name=None) -> SparseTensor:
    """Softmax over the stored values of each innermost row of a SparseTensor (tf.sparse.softmax).

    Implicit zeros take no part (they stay absent); the indices must be in row-major order.
    """
    sp = _convert_to_sparse_tensor(sp_input)
    return sp.with_values(bind("SparseSoftmax", [sp.indices, sp.values, sp.dense_shape]))


# ---------------------------------------------------------------- SparseSegmentSum / Mean / SqrtN
_SEGMENT_KINDS = {"Sum": "segment_sum", "Mean": "segment_mean", "SqrtN": "segment_sqrt_n"}


def _segment_kernel(kind, with_num):
    op_name = "SparseSegment%s%s" % (kind, "WithNumSegments" if with_num else "")
    api = "tf.sparse." + _SEGMENT_KINDS[kind]

    def kernel(xp, data, indices, segment_ids, num_segments=None):
        if data.ndim < 1:
            raise sh.error(api, op_name, "Shape must be at least rank 1 but is rank 0 (argument data)")
        n = data.shape[0]
        ids = segment_ids.astype(np.int64, copy=False)
        idx = indices.astype(np.int64, copy=False)
        if len(ids) and (ids[1:] < ids[:-1]).any():
            raise sh.error(api, op_name, "segment ids are not increasing")
        if len(ids) and ids[0] < 0:
            raise sh.error(api, op_name, "segment ids must be >= 0")
        bad = (idx < 0) | (idx >= n)
        if bad.any():
            i = int(bad.argmax())
            raise sh.error(api, op_name, "Bad: indices[%d] == %d out of range [0, %d)" % (i, idx[i], n))
        if with_num:
            out_rows = int(num_segments)
            if len(ids) and ids[-1] >= out_rows:
                raise sh.error(api, op_name, "segment ids must be < num_segments")
        else:
            out_rows = int(ids[-1]) + 1 if len(ids) else 0
        rows = np.take(data, idx, axis=0)
        out = np.zeros((out_rows,) + data.shape[1:], dtype=data.dtype)
        if len(ids):
            starts = np.flatnonzero(np.concatenate([[True], ids[1:] != ids[:-1]]))
            acc = np.add.reduceat(rows.astype(np.float64) if data.dtype.kind == "f" and data.itemsize < 4 else rows,
                                  starts, axis=0)
            if kind != "Sum":
                counts = np.diff(np.append(starts, len(ids))).astype(np.float64)
                div = counts if kind == "Mean" else np.sqrt(counts)
                acc = acc / div.reshape((-1,) + (1,) * (data.ndim - 1))
            out[ids[starts]] = acc
        return out
    return kernel


def _segment_infer(kind, with_num):
    op_name = "SparseSegment%s%s" % (kind, "WithNumSegments" if with_num else "")
    api = "tf.sparse." + _SEGMENT_KINDS[kind]

    def infer(specs, attrs):
        data, indices, ids = specs[:3]
        allowed = sh.FLOATS if kind != "Sum" else None
        if allowed is not None and data.dtype not in (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64):
            raise sh.error(api, op_name, "Value for attr 'T' of %s is not in the list of allowed values: bfloat16, "
                           "half, float, double" % data.dtype.name)
        if kind == "Sum" and not (data.dtype.is_floating or data.dtype.is_integer):
            raise sh.error(api, op_name, "Value for attr 'T' of %s is not in the list of allowed values" % data.dtype.name)
        for s, nm in ((indices, "indices"), (ids, "segment_ids")):
            if s.dtype not in _INDEX_DTYPES:
                raise sh.error(api, op_name, "%s must be int32 or int64, got %s" % (nm, s.dtype.name))
            d = sh.dims(s)
            if d is not None and len(d) != 1:
                raise sh.error(api, op_name, "Shape must be rank 1 but is rank %d (argument %s)" % (len(d), nm))
        dd = sh.dims(data)
        if with_num:
            v = _known(specs[3])
            rows = None if v is None else int(v)
        else:
            v = _known(ids)
            rows = None if v is None else (int(v[-1]) + 1 if len(v) else 0)
        return [(None if dd is None else (rows,) + tuple(dd[1:]), data.dtype)]
    return infer


def _segment_grad(kind, with_num):
    def grad(op, dy):
        from . import array_ops, math_ops
        data, indices, ids = op.inputs[:3]
        rows = array_ops.gather(dy, ids)
        if kind != "Sum":
            nseg = array_ops.shape(dy)[0]
            ones = array_ops.ones_like(math_ops.cast(ids, dy.dtype))
            counts = math_ops.maximum(math_ops.unsorted_segment_sum(ones, ids, nseg), math_ops.cast(1, dy.dtype))
            scale = math_ops.reciprocal(counts if kind == "Mean" else math_ops.sqrt(counts))
            w = array_ops.gather(scale, ids)
            rows = math_ops.multiply(rows, array_ops.reshape(w, [-1] + [1] * (dy.shape.rank - 1)))
        n = data.shape[0] if data.shape[0] is not None else array_ops.shape(data)[0]
        ddata = math_ops.unsorted_segment_sum(rows, indices, n)
        return [ddata, None, None] + ([None] if with_num else [])
    return grad


def _segment_samples(with_num):
    def samples():
        data = S.normal(4, 3)
        idx = np.array([0, 2, 1, 3, 2], np.int32)
        ids = np.array([0, 0, 2, 2, 3], np.int64)
        out = [([data, idx, ids] + ([np.int32(6)] if with_num else []), {})]
        out.append(([S.normal(3), np.array([2, 0], np.int64), np.array([1, 1], np.int32)] +
                    ([np.int64(2)] if with_num else []), {}))
        return out
    return samples


for _kind in ("Sum", "Mean", "SqrtN"):
    for _with_num in (False, True):
        _op = "SparseSegment%s%s" % (_kind, "WithNumSegments" if _with_num else "")
        register(_op, kernel=_segment_kernel(_kind, _with_num), infer=_segment_infer(_kind, _with_num),
                 grad=_segment_grad(_kind, _with_num), api="tf.sparse." + _SEGMENT_KINDS[_kind],
                 args=("data", "indices", "segment_ids") + (("num_segments",) if _with_num else ()),
                 samples=_segment_samples(_with_num))


def _sparse_segment(kind, data, indices, segment_ids, num_segments):
    data = _t(data)
    indices, ids = _t(indices), _t(segment_ids)
    if kind != "Sum" and data.dtype not in sh.FLOATS:
        raise InvalidArgumentError(None, None, "Value for attr 'T' of %s is not in the list of allowed values: "
                                   "bfloat16, half, float, double" % data.dtype.name)
    if num_segments is None:
        return bind("SparseSegment" + kind, [data, indices, ids])
    num = _t(num_segments)
    return bind("SparseSegment%sWithNumSegments" % kind, [data, indices, ids, num])


@tf_export("sparse.segment_sum")
def segment_sum(data, indices, segment_ids, num_segments=None, name=None, sparse_gradient=False) -> Tensor:
    """Sums the rows data[indices[i]] into segment segment_ids[i] (sorted ids) (tf.sparse.segment_sum).

    Args:
      data: a tensor [N, ...].
      indices: int32/int64 [K], rows of `data`.
      segment_ids: int32/int64 [K], non-decreasing.
      num_segments: the number of output rows (default: the last id + 1).
      sparse_gradient: accepted for TF's signature; the gradient is dense here.
    """
    return _sparse_segment("Sum", data, indices, segment_ids, num_segments)


@tf_export("sparse.segment_mean")
def segment_mean(data, indices, segment_ids, num_segments=None, name=None, sparse_gradient=False) -> Tensor:
    """The mean of the rows data[indices[i]] in each segment (empty segments give 0) (tf.sparse.segment_mean)."""
    return _sparse_segment("Mean", data, indices, segment_ids, num_segments)


@tf_export("sparse.segment_sqrt_n")
def segment_sqrt_n(data, indices, segment_ids, num_segments=None, name=None, sparse_gradient=False) -> Tensor:
    """The sum of each segment's rows divided by sqrt(its size) (tf.sparse.segment_sqrt_n)."""
    return _sparse_segment("SqrtN", data, indices, segment_ids, num_segments)


# ---------------------------------------------------------------- SparseFillEmptyRows
_FILL = "tf.sparse.fill_empty_rows"


def _fill_empty_rows_kernel(xp, indices, values, dense_shape, default_value):
    shape = [int(d) for d in dense_shape]
    if len(shape) < 1:
        raise sh.error(_FILL, "SparseFillEmptyRows", "dense_shape must be a vector of length >= 1")
    if np.ndim(default_value) != 0:
        raise sh.error(_FILL, "SparseFillEmptyRows", "default_value must be a scalar")
    nrows, n = shape[0], len(indices)
    rows = indices[:, 0].astype(np.int64) if n else np.zeros(0, np.int64)
    if n and ((rows < 0) | (rows >= nrows)).any():
        i = int(((rows < 0) | (rows >= nrows)).argmax())
        raise sh.error(_FILL, "SparseFillEmptyRows", "indices(%d, 0) is invalid: %d >= %d" % (i, rows[i], nrows))
    counts = np.bincount(rows, minlength=nrows)
    empty = counts == 0
    per_row = np.where(empty, 1, counts)
    start = np.concatenate([[0], np.cumsum(per_row)[:-1]]).astype(np.int64) if nrows else np.zeros(0, np.int64)
    order = np.argsort(rows, kind="stable")
    within = np.arange(n, dtype=np.int64) - np.searchsorted(rows[order], rows[order])
    reverse = np.empty(n, np.int64)
    reverse[order] = start[rows[order]] + within
    total = int(per_row.sum())
    out_idx = np.zeros((total, len(shape)), np.int64)
    out_val = np.empty(total, dtype=values.dtype)
    out_idx[reverse] = indices
    out_val[reverse] = values
    e = np.flatnonzero(empty)
    out_idx[start[e], 0] = e
    out_val[start[e]] = default_value
    return out_idx, out_val, empty, reverse


def _fill_empty_rows_infer(specs, attrs):
    ind, val, shp, default = specs
    if default.dtype is not val.dtype:
        raise _dtype_error(_FILL, "SparseFillEmptyRows", 3, val.dtype, default.dtype)
    s = _shape_input(shp)
    rank = _rank_of(ind, shp)
    vals = [_known(x) for x in specs]
    total = None
    if all(v is not None for v in vals):
        total = len(_fill_empty_rows_kernel(np, *vals)[1])
    return [((total, rank), _I64), ((total,), val.dtype), ((None if s is None else s[0],), dtypes.bool),
            ((_nnz(ind) if _nnz(ind) is not None else _nnz(val),), _I64)]


def _fill_empty_rows_grad(op, d_indices, d_values, d_empty, d_reverse):
    # TF's SparseFillEmptyRowsGrad: the values' gradient is picked at their new places, the rest goes to the default.
    from . import array_ops, math_ops
    d_in = array_ops.gather(d_values, op.outputs[3])
    d_default = math_ops.subtract(math_ops.reduce_sum(d_values), math_ops.reduce_sum(d_in))
    return [None, d_in, None, d_default]


register("SparseFillEmptyRows", kernel=_fill_empty_rows_kernel, infer=_fill_empty_rows_infer,
         grad=_fill_empty_rows_grad, api=_FILL, num_outputs=4, args=("indices", "values", "dense_shape",
                                                                     "default_value"),
         samples=lambda: [([np.array([[1, 0], [3, 2], [1, 1]], np.int64), S.normal(3), np.array([5, 4], np.int64),
                            S.scalar(-1.0, np.float64)], {}),
                          ([np.array([[0], [1]], np.int64), np.array([3, 4], np.int32), np.array([2], np.int64),
                            np.int32(7)], {})])


@tf_export("sparse.fill_empty_rows")
def fill_empty_rows(sp_input, default_value, name=None):
    """Adds `default_value` at [row, 0, ..., 0] for every row of a SparseTensor that has no values.

    Returns:
      (the filled SparseTensor, a bool vector: which rows were empty) (tf.sparse.fill_empty_rows).
    """
    sp = _convert_to_sparse_tensor(sp_input)
    default = _t(default_value, sp.dtype)
    indices, values, empty, _ = bind("SparseFillEmptyRows", [sp.indices, sp.values, sp.dense_shape, default])
    return _wrap(indices, values, sp.dense_shape, sp._shape), empty


# ---------------------------------------------------------------- mask (composite)
@tf_export("sparse.mask")
def mask(a, mask_indices, name=None):
    """The slices of IndexedSlices `a` whose indices are not in `mask_indices` (tf.sparse.mask).

    Order and repeats of `a.indices` are kept (TF's ListDiff).
    """
    from ..framework.indexed_slices import IndexedSlices
    from . import array_ops, math_ops
    idx = a.indices
    m = _t(mask_indices, idx.dtype)
    sorted_m = array_ops.sort(m)
    nm = sorted_m.shape[0]
    if nm == 0:
        keep = array_ops.reshape(array_ops.where(array_ops.ones_like(idx, dtypes.bool)), [-1])
    else:
        pos = array_ops.searchsorted(sorted_m, idx)
        pos = math_ops.minimum(pos, nm - 1)
        found = math_ops.equal(array_ops.gather(sorted_m, pos), idx)
        keep = array_ops.reshape(array_ops.where(math_ops.logical_not(found)), [-1])
    return IndexedSlices(array_ops.gather(a.values, keep), array_ops.gather(idx, keep), a.dense_shape)


# ---------------------------------------------------------------- DenseCountSparseOutput / SparseCountSparseOutput
_BINCOUNT = "tf.sparse.bincount"


def _count_sparse(batch, values, weights, nbatch, minlength, maxlength, binary_output, out_dtype, op_name):
    """(indices, counts, dense_shape) of the values per batch row, as TF's count ops."""
    vals = values.astype(np.int64, copy=False)
    if len(vals) and vals.min() < 0:
        raise sh.error(_BINCOUNT, op_name, "Input values must all be non-negative")
    keep = vals < maxlength if maxlength > 0 else np.ones(len(vals), bool)
    max_seen = int(vals[keep].max()) if keep.any() else 0
    size = maxlength if maxlength > 0 else max(max_seen + 1, minlength)
    b, v = (batch[keep] if batch is not None else None), vals[keep]
    key = v if b is None else b * size + v
    w = weights[keep] if len(weights) else None
    uniq, inv = np.unique(key, return_inverse=True)
    inv = inv.reshape(-1)
    if binary_output:
        counts = np.ones(len(uniq), out_dtype)
    elif w is None:
        counts = np.bincount(inv, minlength=len(uniq)).astype(out_dtype)
    else:
        counts = np.bincount(inv, weights=w, minlength=len(uniq)).astype(out_dtype)
    if batch is None:
        return uniq.reshape(-1, 1), counts, np.asarray([size], np.int64)
    return np.stack([uniq // size, uniq % size], axis=1), counts, np.asarray([nbatch, size], np.int64)


def _dense_count_kernel(xp, values, weights, minlength=-1, maxlength=-1, binary_output=False):
    if values.ndim not in (1, 2):
        raise sh.error(_BINCOUNT, "DenseCountSparseOutput", "Input must be a 1 or 2-dimensional tensor. Got: %d"
                       % values.ndim)
    if weights.size and weights.shape != values.shape:
        raise sh.error(_BINCOUNT, "DenseCountSparseOutput", "Weights and values must have the same shape.")
    if values.ndim == 1:
        return _count_sparse(None, values, weights.reshape(-1), 0, minlength, maxlength, binary_output,
                             weights.dtype, "DenseCountSparseOutput")
    nb, width = values.shape
    batch = np.repeat(np.arange(nb, dtype=np.int64), width)
    return _count_sparse(batch, values.reshape(-1), weights.reshape(-1), nb, minlength, maxlength, binary_output,
                         weights.dtype, "DenseCountSparseOutput")


def _sparse_count_kernel(xp, indices, values, dense_shape, weights, minlength=-1, maxlength=-1, binary_output=False):
    shape = [int(d) for d in dense_shape]
    if weights.size and weights.shape != values.shape:
        raise sh.error(_BINCOUNT, "SparseCountSparseOutput", "Weights and values must have the same shape.")
    if len(shape) == 1:
        return _count_sparse(None, values, weights, 0, minlength, maxlength, binary_output, weights.dtype,
                             "SparseCountSparseOutput")
    if len(shape) != 2:
        raise sh.error(_BINCOUNT, "SparseCountSparseOutput", "Input must be a 1 or 2-dimensional tensor. Got: %d"
                       % len(shape))
    return _count_sparse(indices[:, 0].astype(np.int64), values, weights, shape[0], minlength, maxlength,
                         binary_output, weights.dtype, "SparseCountSparseOutput")


def _count_infer(sparse_input):
    def infer(specs, attrs):
        vals = specs[1] if sparse_input else specs[0]
        weights = specs[3] if sparse_input else specs[1]
        op_name = "SparseCountSparseOutput" if sparse_input else "DenseCountSparseOutput"
        if vals.dtype not in _INDEX_DTYPES:
            raise sh.error(_BINCOUNT, op_name, "Value for attr 'T' of %s is not in the list of allowed values: "
                           "int32, int64" % vals.dtype.name)
        if sparse_input:
            r = _shape_input(specs[2])
            rank = None if r is None else len(r)
        else:
            d = sh.dims(vals)
            rank = None if d is None else len(d)
        known = [_known(s) for s in specs]
        nnz = None
        if all(k is not None for k in known):
            kern = _sparse_count_kernel if sparse_input else _dense_count_kernel
            nnz = len(kern(np, *known, **attrs)[1])
        return [((nnz, rank), _I64), ((nnz,), weights.dtype), ((rank,), _I64)]
    return infer


_COUNT_ATTRS = {"minlength": -1, "maxlength": -1, "binary_output": False}
register("DenseCountSparseOutput", kernel=_dense_count_kernel, infer=_count_infer(False), grad=NON_DIFFERENTIABLE,
         api=_BINCOUNT, num_outputs=3, args=("values", "weights"),
         samples=lambda: [([np.array([1, 5, 5, 2], np.int32), np.zeros(0, np.int32)], dict(_COUNT_ATTRS)),
                          ([np.array([[1, 5], [2, 2]], np.int64), np.array([[0.5, 1.0], [2.0, 3.0]])],
                           {"minlength": 8, "maxlength": -1, "binary_output": False}),
                          ([np.array([1, 5, 5, 2], np.int32), np.zeros(0, np.int32)],
                           {"minlength": -1, "maxlength": 3, "binary_output": True})])
register("SparseCountSparseOutput", kernel=_sparse_count_kernel, infer=_count_infer(True), grad=NON_DIFFERENTIABLE,
         api=_BINCOUNT, num_outputs=3, args=("indices", "values", "dense_shape", "weights"),
         samples=lambda: [([np.array([[0, 0], [0, 2], [2, 1]], np.int64), np.array([3, 3, 1], np.int32),
                            np.array([3, 4], np.int64), np.zeros(0, np.int32)], dict(_COUNT_ATTRS))])


@tf_export("sparse.bincount")
def bincount(values, weights=None, axis=0, minlength=None, maxlength=None, binary_output=False, name=None):
    """Counts each value (per row when axis=-1) into a SparseTensor (tf.sparse.bincount).

    Args:
      values: int32/int64 tensor or SparseTensor (rank 1, or 2 with axis=-1).
      weights: optional weights of the shape of `values` (or its values), summed instead of 1s.
      axis: 0 (flatten; one count vector) or -1 (one count row per row of `values`).
      minlength: the least size of the counted dimension.
      maxlength: values >= maxlength are dropped, and the counted dimension is maxlength.
      binary_output: 1 for present values instead of counts (exclusive with weights).

    Returns:
      A SparseTensor of counts, dtype that of `weights` (else of `values`).
    """
    if not isinstance(values, SparseTensor):
        values = _t(values)
    if weights is not None and not isinstance(weights, SparseTensor):
        weights = _t(weights)
    if weights is not None and binary_output:
        raise ValueError("Arguments `binary_output` and `weights` are mutually exclusive. Please specify only one.")
    if axis is None:
        axis = 0
    if axis not in [0, -1]:
        raise ValueError("Unsupported value for argument axis=%s. Only 0 and -1 are currently supported." % (axis,))
    attrs = {"minlength": -1 if minlength is None else int(minlength),
             "maxlength": -1 if maxlength is None else int(maxlength), "binary_output": bool(binary_output)}
    from . import array_ops
    if isinstance(values, SparseTensor) and weights is not None and not isinstance(weights, SparseTensor):
        raise ValueError("Argument `weights` must be a SparseTensor if `values` is a SparseTensor. Received weights=%s "
                         "of type: %s" % (np.asarray(weights._value) if isinstance(weights, Tensor) else weights,
                                          "EagerTensor" if type(weights) is Tensor else type(weights).__name__))
    if axis == 0:
        if isinstance(values, SparseTensor):
            if weights is not None and isinstance(weights, SparseTensor):
                weights = weights.values
            values = values.values
        else:
            if weights is not None:
                weights = array_ops.reshape(weights, [-1])
            values = array_ops.reshape(values, [-1])
    if isinstance(values, SparseTensor):
        if weights is None:
            weights = Tensor(np.zeros(0, values.dtype.as_numpy_dtype), values.dtype)
        elif isinstance(weights, SparseTensor):
            weights = weights.values
        out = bind("SparseCountSparseOutput", [values.indices, values.values, values.dense_shape, weights], attrs)
    else:
        if weights is None:
            weights = Tensor(np.zeros(0, values.dtype.as_numpy_dtype), values.dtype)
        out = bind("DenseCountSparseOutput", [values, weights], attrs)
    return _wrap(*out)


# ---------------------------------------------------------------- sampled_addmm (composite)
@tf_export("sparse.sampled_addmm")
def sampled_addmm(indices, values, dense_shape, mat1, mat2, beta=1.0, alpha=1.0, output_type=dtypes.float32):
    """beta * values + alpha * (mat1 @ mat2) at `indices` only (tf.sparse.sampled_addmm).

    Returns:
      (indices, values, dense_shape) of the result (batched when mat1/mat2 have batch dimensions).
    """
    from . import array_ops, linalg_ops, math_ops
    indices = _t(indices)
    values = _t(values, output_type)
    dense_shape = _t(dense_shape, dtypes.int32)
    mat1 = _t(mat1, output_type)
    mat2 = _t(mat2, output_type)
    m1, m2 = mat1.shape.as_list(), mat2.shape.as_list()
    want = [m1[-2], m2[-1]]
    got = _known(dense_shape)
    if got is not None:
        got = np.asarray(got).reshape(-1)
        if len(got) != 2:
            raise InvalidArgumentError(None, None, "Incompatible shapes: [%d] vs. [2]" % len(got))
        if got.tolist() != want:
            raise ValueError("Dense shape: %s does not match output shape: %s" % (got, np.asarray(want, np.int32)))
    rank = len(m1)
    batch_dims = rank - 2
    n = indices.shape[-1]
    batch_idx = indices[..., :n - 2]
    row_idx = indices[..., :n - 1]
    col_idx = array_ops.concat([batch_idx, indices[..., n - 1:]], axis=-1)
    rows = array_ops.gather_nd(mat1, row_idx, batch_dims=batch_dims)
    cols = array_ops.gather_nd(linalg_ops.matrix_transpose(mat2), col_idx, batch_dims=batch_dims)
    dot = math_ops.reduce_sum(math_ops.multiply(rows, cols), axis=-1)
    return (indices, math_ops.add(math_ops.multiply(dot, alpha), math_ops.multiply(values, beta)), dense_shape)
