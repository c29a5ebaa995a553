"""tf.keras.layers.Discretization: buckets numbers by boundaries, given or learnt by `adapt`.

`adapt` keeps Keras 3's streaming quantile summary (values at regular steps of the sorted batch,
with weights; summaries merged and compressed to `epsilon`), so the learnt boundaries are
Keras's for the same data. Bucketing is `searchsorted(boundaries, x, side="right")`, Keras's
`digitize`, built from ops so it runs inside tf.function and tf.data.
"""
from __future__ import annotations

import numpy as np

from ...framework import dtypes
from ...framework.convert import convert_to_tensor
from ...ops import array_ops
from .._registry import keras_export
from .layer import Layer
from .preprocessing import _as_numpy, _batches, _encode_categorical

_MODES = ("int", "one_hot", "multi_hot", "count")


def _summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    """[2, k]: values at regular steps of the sorted data, and the count each stands for."""
    values = np.sort(values.reshape(-1))
    step = max(values.size * epsilon, 1)
    picked = values[int(step - 1)::int(step)]
    return np.stack([picked, np.full_like(picked, step)])


def _compress(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """The summary at the cumulative-weight fractions epsilon, 2 epsilon, ..., 1 (interpolated)."""
    if summary.shape[1] * epsilon < 1:
        return summary
    fractions = epsilon + np.arange(0.0, 1.0, epsilon)
    cum = summary[1].cumsum()
    at = cum / cum[-1]
    bins = np.interp(fractions, at, summary[0])
    cum = np.interp(fractions, at, cum)
    return np.stack([bins, cum - np.concatenate([[0.0], cum[:-1]])]).astype(np.float32)


def _merge(a: np.ndarray, b: np.ndarray, epsilon: float) -> np.ndarray:
    merged = np.concatenate([a, b], axis=1)
    return _compress(merged[:, np.argsort(merged[0], kind="stable")], epsilon)


@keras_export("keras.layers.Discretization")
class Discretization(Layer):
    """Maps numbers to the index of their bucket (tf.keras.layers.Discretization).

    Bucket i holds bin_boundaries[i - 1] <= x < bin_boundaries[i]; with `num_bins`, `adapt`
    learns num_bins - 1 boundaries at the data's quantiles.

    Example:

    >>> layer = tf.keras.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    >>> layer([[-1.5, 1.0, 3.4, 0.5]]).numpy().tolist()
    [[0, 2, 3, 1]]

    Args:
      bin_boundaries: sorted boundaries (or None with `num_bins` and `adapt`).
      num_bins: how many buckets `adapt` should make.
      epsilon: the quantile summary's error tolerance.
      output_mode: "int", "one_hot", "multi_hot" or "count".
      sparse: must be False here.
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int", sparse=False, dtype=None,
                 name=None):
        if sparse and output_mode == "int":
            raise ValueError("`sparse=True` may only be used if `output_mode` is `'one_hot'`, `'multi_hot'`, or "
                             "`'count'`. Received: sparse=%s and output_mode=%s" % (sparse, output_mode))
        if sparse:
            raise ValueError("Discretization(sparse=True) is not supported by tensorforge; use sparse=False.")
        if output_mode not in _MODES:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of %s. Received: output_mode=%s"
                             % (_MODES, output_mode))
        if num_bins is not None and num_bins < 0:
            raise ValueError("`num_bins` must be greater than or equal to 0. Received: `num_bins=%s`" % num_bins)
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Both `num_bins` and `bin_boundaries` should not be set. Received: `num_bins=%s` and "
                             "`bin_boundaries=%s`" % (num_bins, bin_boundaries))
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        super().__init__(name=name, dtype=dtype)
        self.bin_boundaries = list(bin_boundaries) if bin_boundaries is not None else None
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self.summary = None if bin_boundaries is not None else np.zeros((2, 0), np.float32)

    @property
    def output_dtype(self):
        return dtypes.int32 if self.output_mode == "int" else self._dtype

    # -- adapt (Keras's streaming quantiles)
    def adapt(self, data, steps=None) -> None:
        """Learns `num_bins - 1` boundaries at the quantiles of `data` (an array or batches)."""
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized with `bin_boundaries`, "
                             "use `num_bins` instead.")
        self.reset_state()
        batches, _ = _batches(data, lists_are_batches=True)
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data) -> None:
        summary = _summarize(_as_numpy(data).astype(np.float32), self.epsilon)
        self.summary = _merge(summary, self.summary, self.epsilon)

    def finalize_state(self) -> None:
        if self.num_bins is not None:
            self.bin_boundaries = _compress(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def reset_state(self) -> None:
        if self.num_bins is not None:
            self.summary = np.zeros((2, 0), np.float32)

    # -- calling
    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at construction time or call "
                             "`adapt(dataset)` before you can start using the `Discretization` layer.")
        x = convert_to_tensor(inputs)
        boundaries = convert_to_tensor(np.asarray(self.bin_boundaries, x.dtype.as_numpy_dtype
                                                  if x.dtype.is_floating else np.float64))
        if not x.dtype.is_floating:
            from ...ops import math_ops
            x = math_ops.cast(x, boundaries.dtype)
        flat = array_ops.reshape(x, [1, -1])
        idx = array_ops.searchsorted(array_ops.reshape(boundaries, [1, -1]), flat, side="right",
                                     out_type=dtypes.int64)
        idx = array_ops.reshape(idx, array_ops.shape(x))
        return _encode_categorical(idx, self.output_mode, len(self.bin_boundaries) + 1, self.output_dtype)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins
        if self.output_mode == "one_hot" and input_shape and input_shape[-1] != 1:
            return input_shape + (depth,)
        return input_shape[:-1] + (depth,)

    def get_config(self) -> dict:
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse, "name": self.name, "dtype": self._dtype.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """An adapted layer's config holds both num_bins and bin_boundaries: the boundaries are set
        after construction, as Keras does."""
        config = dict(config)
        boundaries = config.pop("bin_boundaries", None)
        if boundaries is not None and config.get("num_bins") is not None:
            layer = cls(**config)
            layer.bin_boundaries = list(boundaries)
            return layer
        return cls(bin_boundaries=boundaries, **config)
