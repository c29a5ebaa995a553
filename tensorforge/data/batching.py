"""batch, padded_batch, ragged_batch and unbatch."""
from __future__ import annotations

import numpy as np

from ..framework import dtypes, nest
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor, TensorSpec
from ..framework.tensor_shape import TensorShape
from ..ops.composite_specs import RaggedTensorSpec
from . import composites, structure
from .dataset import INFINITE, UNKNOWN, Dataset, UnaryDataset, as_int


def _batch_cardinality(c: int, size: int, drop: bool) -> int:
    if c < 0:
        return c
    return c // size if drop else -(-c // size)


def _groups(rows, size: int, drop: bool):
    """Lists of `size` consecutive elements (and the shorter last one unless `drop`)."""
    buf = []
    for c in rows:
        buf.append(c)
        if len(buf) == size:
            yield buf
            buf = []
    if buf and not drop:
        yield buf


def _check_batch_size(size):
    size = as_int(size, "batch_size")
    if size <= 0:
        raise InvalidArgumentError(None, None, "Batch size must be greater than zero.")
    return size


class Batch(UnaryDataset):
    def __init__(self, input_ds, batch_size, drop_remainder):
        super().__init__(input_ds, spec=None)
        self._size = _check_batch_size(batch_size)
        self._drop = bool(drop_remainder)
        c = input_ds._cardinality()
        static = self._size if self._drop or (c >= 0 and c % self._size == 0 and c > 0) or c == INFINITE else None
        self._spec = structure.batched_spec(input_ds.element_spec, static if self._drop or c == INFINITE else None)

    def _cardinality(self):
        return _batch_cardinality(self._input._cardinality(), self._size, self._drop)

    def _elements(self):
        size = self._size
        if structure.all_dense(self._input.element_spec):
            chunks = self._input._chunks(size)
            if chunks is not None:
                return self._from_chunks(chunks, size)
        return self._from_rows(self._input._elements(), size)

    def _from_chunks(self, chunks, size):
        parts: list = []
        have = 0
        try:
            for c in chunks:
                k = len(c[0])
                if not parts and k == size:
                    yield c
                    continue
                while k:
                    take = min(size - have, k)
                    parts.append(c if take == k else tuple(a[:take] for a in c))
                    c = c if take == k else tuple(a[take:] for a in c)
                    k -= take
                    have += take
                    if have == size:
                        yield _concat(parts)
                        parts, have = [], 0
            if parts and not self._drop:
                yield _concat(parts)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    def _from_rows(self, rows, size):
        flat = structure.flat_specs(self._input.element_spec)
        return (_stack_rows(g, flat) for g in _groups(rows, size, self._drop))

    def _chunks(self, size):
        return None


def _concat(parts):
    if len(parts) == 1:
        return parts[0]
    return tuple(np.concatenate(cols) for cols in zip(*parts))


def _stack_rows(rows, flat_specs):
    out = []
    for i, s in enumerate(flat_specs):
        col = [r[i] for r in rows]
        if isinstance(s, TensorSpec):
            out.append(structure.stack(col, i))
        else:
            out.append(composites.batch(col, s, i))
    return tuple(out)


class Unbatch(UnaryDataset):
    def __init__(self, input_ds):
        super().__init__(input_ds, spec=None)
        self._spec = structure.unbatched_spec(input_ds.element_spec)
        first = [s.shape[0] if s.shape.rank else None for s in structure.flat_specs(input_ds.element_spec)]
        known = {d for d in first if d is not None}
        if len(known) > 1:
            raise ValueError("Cannot unbatch components with different leading dimensions: %s" % sorted(known))

    def _cardinality(self):
        c = self._input._cardinality()
        if c == INFINITE:
            return INFINITE
        first = structure.flat_specs(self._input.element_spec)[0].shape
        if c >= 0 and first.rank and first[0] is not None:
            return c * first[0]
        return UNKNOWN

    def _elements(self):
        from .sources import _rows
        flat = structure.flat_specs(self._input.element_spec)
        if all(isinstance(s, TensorSpec) for s in flat):
            return _rows(self._checked(self._input._elements()))
        return self._composite_rows(flat)

    def _composite_rows(self, flat):
        for b in self._input._elements():
            cols = [list(v) if isinstance(sp, TensorSpec) else composites.rows(v, sp) for v, sp in zip(b, flat)]
            n = len(cols[0])
            if any(len(c) != n for c in cols):
                raise InvalidArgumentError(None, None, "Input element must have the same batch size in each "
                                           "component. Component 0 had size %d but component had size %d."
                                           % (n, next(len(c) for c in cols if len(c) != n)))
            yield from zip(*cols)

    def _checked(self, batches):
        for b in batches:
            n = len(b[0])
            for a in b[1:]:
                if len(a) != n:
                    raise InvalidArgumentError(None, None, "Input element must have the same batch size in each "
                                               "component. Component 0 had size %d but component had size %d."
                                               % (n, len(a)))
            yield b

    def _chunks(self, size):
        return self._checked(self._input._elements())


# ---------------------------------------------------------------- padded_batch
class PaddedBatch(UnaryDataset):
    def __init__(self, input_ds, batch_size, padded_shapes, padding_values, drop_remainder):
        super().__init__(input_ds, spec=None)
        self._size = _check_batch_size(batch_size)
        self._drop = bool(drop_remainder)
        spec = input_ds.element_spec
        if not structure.all_dense(spec):
            odd = next(s for s in structure.flat_specs(spec) if type(s).__name__ != "TensorSpec")
            raise TypeError("`padded_batch` is only supported for datasets that produce tensor elements but type spec "
                            "of elements in the input dataset is not a subclass of TensorSpec: `%r`." % (odd,))
        flat = structure.flat_specs(spec)
        if padded_shapes is None:
            for s in flat:
                if s.shape.rank is None:
                    raise ValueError("You must provide `padded_shapes` argument because component %r has unknown "
                                     "rank." % (s,))
            shapes = [TensorShape(s.shape) for s in flat]
        else:
            shapes = [_as_padded_shape(p) for p in _flatten_up_to(spec, padded_shapes)]
            for s, p in zip(flat, shapes):
                if not p.is_compatible_with(TensorShape([None] * p.rank)) or (
                        s.shape.rank is not None and p.rank != s.shape.rank):
                    raise ValueError("The padded shape %s is not compatible with the shape %s of the corresponding "
                                     "input component." % (p, s.shape))
        self._padded = [tuple(p.as_list()) for p in shapes]
        if padding_values is None:
            pads = [b"" if s.dtype == dtypes.string else 0 for s in flat]
        else:
            pads = _flatten_up_to(spec, padding_values)
        self._pads = [np.asarray(p._value if isinstance(p, Tensor) else p, dtype=s.dtype.as_numpy_dtype)
                      for p, s in zip(pads, flat)]
        self._flat = flat
        batch = self._size if self._drop else None
        self._spec = nest.pack_sequence_as(spec, [TensorSpec(TensorShape([batch]).concatenate(p), s.dtype)
                                                  for p, s in zip(shapes, flat)])

    def _cardinality(self):
        return _batch_cardinality(self._input._cardinality(), self._size, self._drop)

    def _elements(self):
        return (self._pad(g) for g in _groups(self._input._elements(), self._size, self._drop))

    def _pad(self, rows):
        out = []
        for i, (padded, pad) in enumerate(zip(self._padded, self._pads)):
            col = [np.asarray(r[i]) for r in rows]
            target = []
            for d, p in enumerate(padded):
                longest = max(a.shape[d] for a in col)
                if p is not None and p >= 0:
                    if longest > p:
                        raise InvalidArgumentError(
                            None, None, "Attempted to pad to a smaller size than the input element.")
                    target.append(p)
                else:
                    target.append(longest)
            arr = np.empty([len(col)] + target, dtype=col[0].dtype)
            arr[...] = pad
            for b, a in enumerate(col):
                arr[(b,) + tuple(slice(0, n) for n in a.shape)] = a
            out.append(arr)
        return tuple(out)


def _flatten_up_to(spec, value):
    if not nest.is_nested(spec):
        return [value]
    try:
        nest.assert_same_structure(spec, value, check_types=False)
    except (ValueError, TypeError):
        # a shape given as a list where the spec is a single tensor, etc.
        raise ValueError("The structure of padded_shapes/padding_values %r does not match the element structure %r"
                         % (value, spec)) from None
    return nest.flatten(value)


def _as_padded_shape(p):
    if isinstance(p, TensorShape):
        return p
    if isinstance(p, Tensor):
        p = p._value.tolist()
    return TensorShape([None if d is None or d == -1 else int(d) for d in p])


# ---------------------------------------------------------------- ragged_batch
class RaggedBatch(Dataset):
    def __init__(self, input_ds, batch_size, drop_remainder, row_splits_dtype):
        self._input = input_ds
        self._inputs = (input_ds,)
        self._size = _check_batch_size(batch_size)
        self._drop = bool(drop_remainder)
        self._splits_dtype = dtypes.as_dtype(row_splits_dtype)
        flat = structure.flat_specs(input_ds.element_spec)
        batch = self._size if self._drop else None
        self._ragged = [s.shape.rank != 0 and (s.shape.rank is None or not s.shape.is_fully_defined()) for s in flat]
        leaves = [RaggedTensorSpec(TensorShape([batch]).concatenate(s.shape), s.dtype, 1, self._splits_dtype) if r
                  else TensorSpec(TensorShape([batch]).concatenate(s.shape), s.dtype)
                  for s, r in zip(flat, self._ragged)]
        self._spec = nest.pack_sequence_as(input_ds.element_spec, leaves)

    def _cardinality(self):
        return _batch_cardinality(self._input._cardinality(), self._size, self._drop)

    def _elements(self):
        return (self._batch(g) for g in _groups(self._input._elements(), self._size, self._drop))

    def _batch(self, rows):
        from ..ops.ragged_ops import RaggedTensor
        out = []
        for i, ragged in enumerate(self._ragged):
            col = [np.asarray(r[i]) for r in rows]
            if not ragged:
                out.append(structure.stack(col, i))
                continue
            if col[0].ndim != 1:
                raise InvalidArgumentError(None, None, "ragged_batch supports rank-1 ragged components only "
                                           "(component %d has rank %d)." % (i, col[0].ndim))
            lengths = np.array([len(a) for a in col], self._splits_dtype.as_numpy_dtype)
            splits = np.concatenate([[0], np.cumsum(lengths)]).astype(self._splits_dtype.as_numpy_dtype)
            values = np.concatenate(col) if col else np.zeros((0,), col[0].dtype)
            out.append(RaggedTensor.from_row_splits(Tensor(values), Tensor(splits), validate=False))
        return tuple(out)
