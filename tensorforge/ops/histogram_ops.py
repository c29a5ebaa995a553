"""tf.histogram_fixed_width and tf.histogram_fixed_width_bins: equal-width histograms."""
from __future__ import annotations

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import convert_to_tensor
from ..framework.tensor import Tensor
from . import shapes as sh
from .registry import NON_DIFFERENTIABLE, bind, register

_API = "tf.histogram_fixed_width"
_VALUE_DTYPES = (dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64, dtypes.float16, dtypes.bfloat16)


def _histogram_kernel(xp, values, value_range, nbins, dtype=dtypes.int32):
    n = int(nbins)
    if n <= 0:
        raise sh.error(_API, "HistogramFixedWidth", "nbins should be a positive number, but got '%d'" % n)
    lo, hi = value_range[0], value_range[1]
    if not lo < hi:
        raise sh.error(_API, "HistogramFixedWidth", "value_range should satisfy value_range[0] < value_range[1], but "
                       "got '[%g, %g]'" % (lo, hi))
    flat = values.reshape(-1)
    if flat.dtype.kind == "f" and np.isnan(flat).any():
        raise sh.error(_API, "HistogramFixedWidth", "Histogram values must not contain NaN")
    # TF: the offset in the values' dtype, then the bin as double (value - lo) / step, clipped to [0, nbins - 1].
    step = float(hi - lo) / float(n)
    offset = (np.maximum(flat, lo) - lo).astype(np.float64)
    bins = np.minimum(offset / step, n - 1).astype(np.int64)
    return np.bincount(bins, minlength=n).astype(dtype.as_numpy_dtype)


def _histogram_infer(specs, attrs):
    values, value_range, nbins = specs
    if values.dtype not in _VALUE_DTYPES:
        raise sh.error(_API, "HistogramFixedWidth", "Value for attr 'T' of %s is not in the list of allowed values"
                       % values.dtype.name)
    if value_range.dtype is not values.dtype:
        raise sh.error(_API, "HistogramFixedWidth", "cannot compute HistogramFixedWidth as input #1(zero-based) was "
                       "expected to be a %s tensor but is a %s tensor" % (values.dtype.name, value_range.dtype.name))
    r = sh.dims(value_range)
    if r is not None and r != (2,) and None not in r:
        raise sh.error(_API, "HistogramFixedWidth", "Dimension must be 2 but is %s for value_range" % (r[0] if r else
                                                                                                   "a scalar"))
    if attrs["dtype"] not in (dtypes.int32, dtypes.int64):
        raise sh.error(_API, "HistogramFixedWidth", "Value for attr 'dtype' of %s is not in the list of allowed values: "
                       "int32, int64" % attrs["dtype"].name)
    n = nbins._value if type(nbins) is Tensor else None
    return [((None if n is None else int(n),), attrs["dtype"])]


register("HistogramFixedWidth", kernel=_histogram_kernel, infer=_histogram_infer, grad=NON_DIFFERENTIABLE, api=_API,
         args=("values", "value_range", "nbins"),
         samples=lambda: [([np.array([-1.0, 0.0, 1.5, 2.0, 5.0, 15.0]), np.array([0.0, 5.0]), np.int32(5)],
                           {"dtype": dtypes.int32}),
                          ([np.array([[1, 7], [3, 9]], np.int32), np.array([0, 10], np.int32), np.int32(3)],
                           {"dtype": dtypes.int64})])


@tf_export("histogram_fixed_width")
def histogram_fixed_width(values, value_range, nbins=100, dtype=dtypes.int32, name=None) -> Tensor:
    """Counts `values` in `nbins` equal-width bins over `value_range` (tf.histogram_fixed_width).

    Values below value_range[0] count in the first bin, values at or above value_range[1] in the last.

    Args:
      values: a numeric tensor.
      value_range: [lo, hi] of the values' dtype, lo < hi.
      nbins: the number of bins (a positive int32 scalar).
      dtype: int32 or int64, the dtype of the counts.

    Returns:
      A 1-D tensor [nbins] of counts.
    """
    values = convert_to_tensor(values)
    value_range = convert_to_tensor(value_range, values.dtype) if not isinstance(value_range, Tensor) else value_range
    nbins = convert_to_tensor(nbins, dtypes.int32)
    return bind("HistogramFixedWidth", [values, value_range, nbins], {"dtype": dtypes.as_dtype(dtype)})


@tf_export("histogram_fixed_width_bins")
def histogram_fixed_width_bins(values, value_range, nbins=100, dtype=dtypes.int32, name=None) -> Tensor:
    """The bin index (int32, of the shape of `values`) of each value in `nbins` equal-width bins over `value_range`.

    The bin is floor(nbins * (value - lo) / (hi - lo)) in the values' dtype, clipped to [0, nbins - 1]
    (tf.histogram_fixed_width_bins; `dtype` is accepted for TF's signature, the result is int32 as in TF).
    """
    from . import array_ops, math_ops
    from ..framework.errors import InvalidArgumentError
    values = convert_to_tensor(values)
    shape = array_ops.shape(values)
    flat = array_ops.reshape(values, [-1])
    value_range = convert_to_tensor(value_range)
    n = int(nbins._value if isinstance(nbins, Tensor) else nbins)
    if n <= 0:
        raise InvalidArgumentError(None, None, "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. "
                                   "Summarized data: b'nbins tf.Tensor(%d, shape=(), dtype=int32) must > 0'" % n)
    nbins_float = math_ops.cast(n, flat.dtype)
    scaled = math_ops.truediv(math_ops.subtract(flat, value_range[0]),
                              math_ops.subtract(value_range[1], value_range[0]))
    indices = math_ops.floor(math_ops.multiply(nbins_float, scaled))
    indices = math_ops.cast(math_ops.clip_by_value(indices, 0, math_ops.subtract(nbins_float, 1)), dtypes.int32)
    return array_ops.reshape(indices, shape)
