"""tf.IndexedSlices: a sparse set of rows of a dense tensor, as gather's gradient."""
from __future__ import annotations


class IndexedSlices:
    """Rows `values` at `indices` of a tensor of shape `dense_shape` (tf.IndexedSlices)."""

    def __init__(self, values, indices, dense_shape=None):
        self._values = values
        self._indices = indices
        self._dense_shape = dense_shape

    values = property(lambda self: self._values)
    indices = property(lambda self: self._indices)
    dense_shape = property(lambda self: self._dense_shape)
    dtype = property(lambda self: self._values.dtype)

    @property
    def shape(self):
        from .tensor_shape import TensorShape
        ds = self._dense_shape
        if ds is None:
            return TensorShape(None)
        if getattr(ds, "_is_symbolic_tensor", False):  # inside a graph: what is known at trace time
            v = ds._static_value()
            if v is None:
                n = ds.shape[0] if ds.shape.rank == 1 else None
                return TensorShape(None if n is None else [None] * n)
            return TensorShape([int(d) for d in v])
        return TensorShape([int(d) for d in (ds.numpy() if hasattr(ds, "numpy") else ds)])

    def __repr__(self):
        return "IndexedSlices(indices=%r, values=%r, dense_shape=%r)" % (self._indices, self._values, self._dense_shape)


IndexedSlices.__module__ = "tensorforge"
