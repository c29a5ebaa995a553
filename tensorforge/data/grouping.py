"""group_by_window and bucket_by_sequence_length."""
from __future__ import annotations

import numpy as np

from ..framework import dtypes
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import TensorSpec
from . import functions
from .dataset import Dataset, as_int


def _scalar_int64(fn, what):
    s = fn.output_spec
    if not (isinstance(s, TensorSpec) and s.dtype == dtypes.int64 and s.shape.rank in (0, None)):
        raise ValueError("Invalid `%s`. `%s` must return a single tf.int64 scalar tensor but its return type is %r."
                         % (what, what, s))


class GroupByWindow(Dataset):
    def __init__(self, input_ds, key_func, reduce_func, window_size, window_size_func):
        if (window_size is None) == (window_size_func is None):
            raise ValueError("Either the `window_size` argument or the `window_size_func` argument must be specified.")
        self._input = input_ds
        self._inputs = (input_ds,)
        spec = input_ds.element_spec
        self._key = functions.trace(key_func, spec, "key_func")
        _scalar_int64(self._key, "key_func")
        self._size_fn = None
        if window_size_func is not None:
            self._size_fn = functions.trace(window_size_func, TensorSpec([], dtypes.int64), "window_size_func")
            _scalar_int64(self._size_fn, "window_size_func")
            self._size = None
        else:
            self._size = as_int(window_size, "window_size")
        self._reduce = reduce_func
        from ..framework.tensor import Tensor
        from .dataset import _Empty
        out = reduce_func(Tensor(np.int64(0)), _Empty(spec))
        if not isinstance(out, Dataset):
            raise TypeError("`reduce_func` must return a `Dataset` object, got %r" % (type(out),))
        self._spec = out.element_spec
        self._in_spec = spec

    def _window_size(self, key):
        if self._size is not None:
            return self._size
        n = int(self._size_fn.run((np.int64(key),))[0])
        if n <= 0:
            raise InvalidArgumentError(None, None, "Window size must be greater than zero, but got %d." % n)
        return n

    def _emit(self, key, rows):
        from ..framework.tensor import Tensor
        from .sources import ElementList
        out = self._reduce(Tensor(np.int64(key)), ElementList(rows, self._in_spec))
        return out._elements()

    def _elements(self):
        groups: dict = {}
        order = []
        for c in self._input._elements():
            k = int(self._key.run(c)[0])
            if k not in groups:
                groups[k] = []
                order.append(k)
            groups[k].append(c)
            if len(groups[k]) >= self._window_size(k):
                yield from self._emit(k, groups.pop(k))
                order.remove(k)
        for k in order:
            yield from self._emit(k, groups.pop(k))


def bucket_by_sequence_length(ds, element_length_func, bucket_boundaries, bucket_batch_sizes, padded_shapes,
                              padding_values, pad_to_bucket_boundary, no_padding, drop_remainder):
    boundaries = [int(b) for b in bucket_boundaries]
    sizes = [int(b) for b in bucket_batch_sizes]
    if len(sizes) != len(boundaries) + 1:
        raise ValueError("len(bucket_batch_sizes) must equal len(bucket_boundaries) + 1 but len(bucket_batch_sizes)=%d "
                         "and len(bucket_boundaries)=%d" % (len(sizes), len(boundaries)))
    if any(b >= a for b, a in zip(boundaries, boundaries[1:])):
        raise ValueError("bucket_boundaries must be sorted in increasing order, got %r" % (boundaries,))
    edges = np.array(boundaries, np.int64)

    def key(*elem):
        from ..ops import math_ops
        from ..framework.convert import convert_to_tensor
        n = element_length_func(*elem) if len(elem) > 1 else element_length_func(elem[0])
        n = math_ops.cast(convert_to_tensor(n), dtypes.int64)
        below = math_ops.cast(math_ops.less(n, convert_to_tensor(edges)), dtypes.int64) if len(edges) else None
        if below is None:
            return convert_to_tensor(np.int64(0))
        return math_ops.cast(len(edges), dtypes.int64) - math_ops.reduce_sum(below)

    def window_size(k):
        from ..ops import array_ops
        from ..framework.convert import convert_to_tensor
        return array_ops.gather(convert_to_tensor(np.array(sizes, np.int64)), k)

    def reduce(k, window):
        kk = int(k.numpy())
        size = sizes[kk]
        if no_padding:
            return window.batch(size, drop_remainder=drop_remainder)
        shapes = padded_shapes
        if pad_to_bucket_boundary:
            if kk >= len(boundaries):
                raise InvalidArgumentError(None, None, "When pad_to_bucket_boundary=True, elements must have length < "
                                           "max(bucket_boundaries).")
            bound = boundaries[kk] - 1
            spec = window.element_spec
            shapes = [bound] + [None] * (spec.shape.rank - 1) if isinstance(spec, TensorSpec) else padded_shapes
        return window.padded_batch(size, shapes, padding_values, drop_remainder=drop_remainder)

    return GroupByWindow(ds, key, reduce, None, window_size)
