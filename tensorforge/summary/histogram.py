"""tf.summary.histogram: TensorBoard's "histograms" plugin.

The data is bucketed as tensorboard's summary_v2 does under TF2: `k` buckets (default 30) of
equal width between the minimum and the maximum, written as a float64 `[k, 3]` tensor of rows
`[left_edge, right_edge, count]`; the last bucket is closed. Empty data gives `k` all-zero rows;
data with a single distinct value gives `k` rows with both edges at that value and every count in
the last row. Eagerly the buckets are computed with NumPy; inside tf.function with graph ops.
"""
from __future__ import annotations

import numpy as np

from ..framework import dtypes
from ..framework.context import ctx
from ..framework.convert import convert_to_tensor
from ..framework.tensor import Tensor
from .ops import choose_step, emit, plugin_metadata, summary_scope

__all__ = ["histogram"]

DEFAULT_BUCKET_COUNT = 30


def _bucket_count(buckets) -> int:
    if buckets is None:
        return DEFAULT_BUCKET_COUNT
    if getattr(buckets, "_is_symbolic_tensor", False):
        from ..graph.graph import static_value
        value = static_value(buckets)
        if value is None:
            raise ValueError("tf.summary.histogram inside tf.function needs a bucket count known when the function "
                             "is traced (a Python int), got %r" % (buckets,))
        buckets = value
    elif hasattr(buckets, "numpy"):
        buckets = buckets.numpy()
    return max(0, int(buckets))


def buckets_numpy(data, bucket_count=None) -> np.ndarray:
    """The `[k, 3]` float64 histogram of `data` (NumPy), equal to tensorboard's `_buckets` ops."""
    k = _bucket_count(bucket_count)
    x = np.asarray(data).reshape(-1).astype(np.float64)
    if x.size == 0 or k == 0:
        return np.zeros((k, 3))
    lo = x.min()
    hi = x.max()
    span = hi - lo
    if span == 0:
        out = np.zeros((k, 3))
        out[:, :2] = hi
        out[-1, 2] = x.size
        return out
    with np.errstate(all="ignore"):
        idx = np.floor((x - lo) / (span / k))
        # A NaN or infinite offset gives no valid bucket (TF's one_hot of INT_MIN is all zeros).
        idx = np.where(np.isfinite(idx), np.minimum(idx, k - 1), -1).astype(np.int64)
        edges = np.linspace(lo, hi, k + 1)
    edges[-1] = hi
    counts = np.bincount(idx[idx >= 0], minlength=k)[:k].astype(np.float64)
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


def buckets_graph(data, bucket_count=None):
    """The same histogram built from graph ops (inside tf.function), for a static `bucket_count`."""
    from ..ops import array_ops as A
    from ..ops import math_ops as M
    k = _bucket_count(bucket_count)
    x = A.reshape(M.cast(data, dtypes.float64), [-1])
    if k == 0:
        return A.zeros((0, 3), dtypes.float64)
    inf = np.array([np.inf])
    lo = M.reduce_min(A.concat([x, inf], 0))   # +inf for empty data, as TF's reduce_min
    hi = M.reduce_max(A.concat([x, -inf], 0))
    span = hi - lo
    multi = M.not_equal(span, 0.0)
    width = A.where(multi, span / float(k), 1.0)
    offsets = M.floor((x - lo) / width)
    valid = M.is_finite(offsets)
    idx = M.cast(A.where(valid, M.minimum(offsets, float(k - 1)), 0.0), dtypes.int32)
    idx = A.where(multi, idx, k - 1)
    counts = A.reshape(M.bincount(idx, weights=M.cast(valid, dtypes.float64), minlength=k, maxlength=k,
                                  dtype=dtypes.float64), [k])
    edges = A.concat([A.linspace(lo, hi, k + 1)[:-1], A.reshape(hi, [1])], 0)
    table = A.transpose(A.stack([edges[:-1], edges[1:], counts]))
    return A.where(A.size(x) > 0, table, A.zeros((k, 3), dtypes.float64))


def histogram(name, data, step=None, buckets=None, description=None):
    """Writes a histogram summary (tf.summary.histogram).

    The histogram is calculated over all the elements of `data`, whatever its shape, for
    TensorBoard's Histograms and Distributions dashboards.

    Args:
      name: a name for this summary. The summary tag used for TensorBoard will be this name
        prefixed by any active name scopes.
      data: a `Tensor` of any shape, castable to `float64`.
      step: explicit `int64`-castable monotonic step value for this summary. If omitted, this
        defaults to `tf.summary.experimental.get_step()`, which must not be None.
      buckets: optional positive `int`: the number of buckets (default 30).
      description: optional long-form description for this summary, as a constant `str`.
        Markdown is supported. Defaults to empty.

    Returns:
      True on success, or False if no summary was written because no default summary writer
      was available.

    Raises:
      ValueError: if a default writer exists, but no step was provided and
        `tf.summary.experimental.get_step()` is None.
    """
    metadata = plugin_metadata("histograms", description)
    with summary_scope(name, "histogram_summary") as (tag, _):
        if step is not None:
            step = choose_step(step)
        if ctx.graph is None:
            def make():
                arr = data._value if isinstance(data, Tensor) else (
                    data.numpy() if hasattr(data, "_as_tensor") else convert_to_tensor(data)._value)
                return buckets_numpy(arr, buckets)
            return emit(tag, make, step, metadata)
        tensor = convert_to_tensor(data)
        return emit(tag, lambda: buckets_graph(tensor, buckets), step, metadata)
