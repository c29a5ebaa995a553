"""tf.keras.layers.HashedCrossing: crosses categorical features into hashed bins (TF's
tf.sparse.cross_hashed ids, so the bins are Keras's)."""
from __future__ import annotations

from ...framework.convert import convert_to_tensor
from ...ops import array_ops, sparse_cross, sparse_ops
from .._registry import keras_export
from .layer import Layer
from .preprocessing import _encode_categorical


@keras_export("keras.layers.HashedCrossing")
class HashedCrossing(Layer):
    """Hashes the cross of two or more categorical features into `num_bins` bins.

    Example:

    >>> layer = tf.keras.layers.HashedCrossing(num_bins=5)
    >>> layer((tf.constant([1, 2]), tf.constant(["A", "B"]))).shape
    TensorShape([2])

    Args:
      num_bins: the number of bins.
      output_mode: "int" (bin ids, int64) or "one_hot".
      sparse: must be False here.
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None, **kwargs):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        if output_mode not in ("int", "one_hot"):
            raise ValueError("Invalid value for argument `output_mode`. Expected one of ('int', 'one_hot'). "
                             "Received: output_mode=%s" % (output_mode,))
        if sparse:
            raise ValueError("HashedCrossing(sparse=True) is not supported by tensorforge; use sparse=False.")
        self.num_bins = num_bins
        self.output_mode = output_mode
        self.sparse = sparse

    def __call__(self, inputs, *args, **kwargs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError("`HashedCrossing` should be called on a list or tuple of at least two inputs. "
                             "Received: inputs=%s" % (inputs,))
        return super().__call__(tuple(convert_to_tensor(x) for x in inputs), *args, **kwargs)

    def call(self, inputs):
        first = inputs[0].shape
        for x in inputs[1:]:
            if x.shape.as_list() != first.as_list():
                raise ValueError("All `HashedCrossing` inputs should have the same shape. Received: inputs=%s"
                                 % (inputs,))
        rank = first.rank
        if rank is not None and rank > 2:
            raise ValueError("All `HashedCrossing` inputs should have rank less than 2. Received: inputs=%s"
                             % (inputs,))
        xs = list(inputs)
        for _ in range(2 - rank):
            xs = [array_ops.expand_dims(x, -1) for x in xs]
        ids = sparse_ops.to_dense(sparse_cross.cross_hashed(xs, self.num_bins))
        if rank == 2:
            ids = array_ops.reshape(ids, first.as_list())
        elif rank == 1:
            ids = array_ops.reshape(ids, [first[0]])
        else:
            ids = array_ops.reshape(ids, [])
        return _encode_categorical(ids, self.output_mode, self.num_bins, self._dtype)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape[0])
        return shape if self.output_mode == "int" else shape + (self.num_bins,)

    def get_config(self) -> dict:
        return {"num_bins": self.num_bins, "output_mode": self.output_mode, "sparse": self.sparse, "name": self.name,
                "dtype": self._dtype.name}
