"""Less common TF ops: approximate top-k, isotonic regression, space-to-batch helpers, Sobol
sequences, index shuffling, parameterized truncated normals, 3-D patches, the generic Conv op and
its V2 backprops, and JPEG-quality image augmentation.

Ops with their own kernel are registry entries under TF's op names (IsotonicRegression,
SobolSample, RandomIndexShuffle, StatelessParameterizedTruncatedNormal, ExtractVolumePatches);
the rest are composites of other ops.
"""
from __future__ import annotations

import collections

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor
from . import array_ops, math_ops, nn_ops, random_ops
from . import sample_inputs as S
from . import shapes as sh
from .registry import NON_DIFFERENTIABLE, bind, register

_t = convert_to_tensor
_M64 = (1 << 64) - 1


def _const(v):
    """The NumPy value of `v` when known now (eager tensor or Python value), else None."""
    if isinstance(v, Tensor):
        return np.asarray(v._value)
    if getattr(v, "_is_symbolic_tensor", False):
        return None
    return np.asarray(v)


# ---------------------------------------------------------------- approximate top-k (composite)
ApproxTopK = collections.namedtuple("ApproxTopK", ["values", "indices"])
_APPROX_DTYPES = (dtypes.float16, dtypes.bfloat16, dtypes.float32)


@tf_export("approx_top_k")
def approx_top_k(input, k: int, reduction_dimension: int = -1, recall_target: float = 0.95,  # noqa: A002
                 is_max_k: bool = True, reduction_input_size_override: int = -1, aggregate_to_topk: bool = True,
                 name=None) -> ApproxTopK:
    """The top (or bottom) `k` values of `input` along `reduction_dimension` and their int32
    indices (tf.approx_top_k). The exact top-k is returned: it meets every `recall_target`."""
    x = _t(input)
    api, op = "tf.approx_top_k", "ApproxTopK"
    if x.dtype not in _APPROX_DTYPES:
        sh.check_dtype(api, op, x, _APPROX_DTYPES, "input")
    k = int(k)
    if k < 0:
        raise sh.error(api, op, "Value for attr 'k' of %d must be at least minimum 0" % k)
    rank = x.shape.rank
    if rank is None:
        raise ValueError("tf.approx_top_k needs an input of known rank")
    if not -rank <= reduction_dimension < rank:
        raise sh.error(api, op, "reduction_dimension %d is out of range for an input of rank %d"
                       % (reduction_dimension, rank))
    axis = reduction_dimension % rank
    n = x.shape[axis]
    if n is not None and n < k:
        raise sh.error(api, op, "input must have at least k columns. Had %d, needed %d" % (n, k))
    perm = None
    if axis != rank - 1:
        perm = list(range(rank))
        perm[axis], perm[-1] = perm[-1], perm[axis]
        x = array_ops.transpose(x, perm)
    values, indices = array_ops.top_k(x if is_max_k else math_ops.negative(x), k, sorted=True)
    if not is_max_k:
        values = math_ops.negative(values)
    if perm is not None:
        values, indices = array_ops.transpose(values, perm), array_ops.transpose(indices, perm)
    return ApproxTopK(values, indices)


@tf_export("math.approx_max_k", "nn.approx_max_k")
def approx_max_k(operand, k: int, reduction_dimension: int = -1, recall_target: float = 0.95,
                 reduction_input_size_override: int = -1, aggregate_to_topk: bool = True,
                 name=None) -> ApproxTopK:
    """The `k` largest values along `reduction_dimension` and their indices (tf.math.approx_max_k)."""
    return approx_top_k(operand, k, reduction_dimension, recall_target, True, reduction_input_size_override,
                        aggregate_to_topk, name)


@tf_export("math.approx_min_k", "nn.approx_min_k")
def approx_min_k(operand, k: int, reduction_dimension: int = -1, recall_target: float = 0.95,
                 reduction_input_size_override: int = -1, aggregate_to_topk: bool = True,
                 name=None) -> ApproxTopK:
    """The `k` smallest values along `reduction_dimension` and their indices (tf.math.approx_min_k)."""
    return approx_top_k(operand, k, reduction_dimension, recall_target, False, reduction_input_size_override,
                        aggregate_to_topk, name)


# ---------------------------------------------------------------- IsotonicRegression
_ISO_API = "tf.nn.isotonic_regression"
_ISO_IN = sh.FLOATS + (dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64)
IsotonicRegression = collections.namedtuple("IsotonicRegression", ["output", "segments"])


def _pav_decreasing(x: np.ndarray):
    """Non-increasing isotonic regression of each row of the float64 matrix `x` by pool-adjacent-
    violators: every round pools each maximal run of adjacent blocks whose means increase, for all
    rows at once (pooling such a run in one step gives what pooling its pairs one by one gives)."""
    rows, n = x.shape
    if rows * n == 0:
        return x.copy(), np.zeros(x.shape, np.int64)
    flat = x.reshape(-1)
    row_start = np.zeros(rows * n, bool)
    row_start[::n] = True
    starts = np.ones(rows * n, bool)  # block boundaries: every element starts as its own block
    while True:
        ids = np.cumsum(starts) - 1
        means = np.bincount(ids, weights=flat) / np.bincount(ids)
        begin = np.flatnonzero(starts)
        violate = (means[:-1] < means[1:]) & ~row_start[begin[1:]]
        if not violate.any():
            break
        starts[begin[1:][violate]] = False
    seg = ids - np.repeat(ids[::n], n)
    return means[ids].reshape(rows, n), seg.reshape(rows, n)


def _iso_kernel(xp, x, output_dtype):
    n = x.shape[-1] if x.ndim else 1
    rows = x.reshape(-1, n) if x.size else x.reshape(0, n)
    out, seg = _pav_decreasing(rows.astype(np.float64))
    od = output_dtype.as_numpy_dtype
    return out.astype(od).reshape(x.shape), seg.astype(np.int32).reshape(x.shape)


def _iso_infer(specs, attrs):
    sh.check_dtype(_ISO_API, "IsotonicRegression", specs[0], _ISO_IN, "input")
    s = sh.dims(specs[0])
    return [(s, attrs["output_dtype"]), (s, dtypes.int32)]


def _iso_grad(op, dy, dseg):
    if not op.inputs[0].dtype.is_floating:
        return [None]
    seg = op.outputs[1]
    n = array_ops.shape(dy)[-1]
    total = array_ops.size(dy)
    rows = math_ops.floordiv(array_ops.range(total), n)
    ids = array_ops.reshape(seg, [-1]) + rows * n
    means = math_ops.unsorted_segment_mean(array_ops.reshape(dy, [-1]), ids, total)
    return [array_ops.reshape(array_ops.gather(means, ids), array_ops.shape(dy))]


register("IsotonicRegression", kernel=_iso_kernel, infer=_iso_infer, grad=_iso_grad, api=_ISO_API,
         num_outputs=2, args=("input",),
         samples=lambda: [([np.array([[1.0, 3.0, 2.0, 4.0], [5.0, 4.0, 3.2, 2.0]])], {"output_dtype": dtypes.float64}),
                          ([S.distinct(3, 2, 5)], {"output_dtype": dtypes.float64}),
                          ([S.ints(0, 9, 2, 6)], {"output_dtype": dtypes.float64})])


@tf_export("nn.isotonic_regression")
def isotonic_regression(inputs, decreasing: bool = True, axis: int = -1) -> IsotonicRegression:
    """Isotonic regression along `axis` (tf.nn.isotonic_regression): the closest (least squares)
    non-increasing sequence, or non-decreasing with `decreasing=False`.

    Returns:
      (output: the solutions, float (int8/int16 -> float32, other ints -> float64), segments: int32
      ids, from 0 per problem, of the runs that share one value).
    """
    x = _t(inputs)
    promote = {dtypes.float16: dtypes.float16, dtypes.bfloat16: dtypes.bfloat16, dtypes.float32: dtypes.float32,
               dtypes.int8: dtypes.float32, dtypes.int16: dtypes.float32}
    out_dtype = promote.get(x.dtype, dtypes.float64)
    rank = x.shape.rank
    if rank is not None and not -rank <= axis < max(rank, 1):
        raise InvalidArgumentError(None, None, "%s: axis %d is out of bounds for a tensor of rank %d"
                                   % (_ISO_API, axis, rank))
    perm = None
    if rank is not None and rank > 1 and axis % rank != rank - 1:
        perm = list(range(rank))
        perm[axis % rank], perm[-1] = perm[-1], perm[axis % rank]
        x = array_ops.transpose(x, perm)
    if not decreasing:
        x = math_ops.negative(x)
    out, seg = bind("IsotonicRegression", [x], {"output_dtype": out_dtype})
    if not decreasing:
        out = math_ops.negative(out)
    if perm is not None:
        out, seg = array_ops.transpose(out, perm), array_ops.transpose(seg, perm)
    return IsotonicRegression(out, seg)


# ---------------------------------------------------------------- space-to-batch helpers (composite)
@tf_export("required_space_to_batch_paddings")
def required_space_to_batch_paddings(input_shape, block_shape, base_paddings=None, name=None):
    """Paddings and crops that make `input_shape` (+ `base_paddings`) divisible by `block_shape`
    (tf.required_space_to_batch_paddings).

    Returns:
      (paddings [n, 2] int32, crops [n, 2] int32): paddings[:, 0] = base_paddings[:, 0],
      paddings[:, 1] = base_paddings[:, 1] + extra, crops = [0, extra] per dimension.
    """
    input_shape = _t(input_shape, dtype=dtypes.int32)
    block_shape = _t(block_shape, dtype=dtypes.int32)
    bs = block_shape.shape
    if bs.rank != 1 or bs[0] is None:
        raise ValueError("Shape %s must have rank 1 and be fully defined" % (bs,))
    n = bs[0]
    if n == 0:
        return array_ops.zeros([0, 2], dtypes.int32), array_ops.zeros([0, 2], dtypes.int32)
    if not input_shape.shape.is_compatible_with([n]):
        raise ValueError("Shapes %s and [%d] are incompatible" % (input_shape.shape, n))
    if base_paddings is None:
        base_paddings = array_ops.zeros([n, 2], dtypes.int32)
    else:
        base_paddings = _t(base_paddings, dtype=dtypes.int32)
        if not base_paddings.shape.is_compatible_with([n, 2]):
            raise ValueError("Shapes %s and [%d, 2] are incompatible" % (base_paddings.shape, n))
    consts = [_const(v) for v in (input_shape, block_shape, base_paddings)]
    if all(c is not None for c in consts):
        shape_v, block_v, base_v = consts
        extra = (block_v - (shape_v + base_v[:, 0] + base_v[:, 1]) % block_v) % block_v
        pads = np.stack([base_v[:, 0], base_v[:, 1] + extra], 1).astype(np.int32)
        crops = np.stack([np.zeros_like(extra), extra], 1).astype(np.int32)
        return _t(pads), _t(crops)
    start, end = base_paddings[:, 0], base_paddings[:, 1]
    extra = math_ops.floormod(block_shape - math_ops.floormod(input_shape + start + end, block_shape), block_shape)
    return (array_ops.stack([start, end + extra], axis=1),
            array_ops.stack([array_ops.zeros_like(extra), extra], axis=1))


@tf_export("nn.with_space_to_batch")
def with_space_to_batch(input, dilation_rate, padding, op, filter_shape=None, spatial_dims=None,  # noqa: A002
                        data_format=None):
    """Runs `op(converted_input, num_spatial_dims, padding)` on `input` rearranged by
    space_to_batch_nd with block `dilation_rate`, then rearranges the result back with
    batch_to_space_nd (tf.nn.with_space_to_batch): an atrous op built from a plain one."""
    x = _t(input)
    rate = np.asarray(array_ops._int_tuple(dilation_rate), np.int64)
    if rate.ndim != 1:
        raise ValueError("`dilation_rate.shape.rank` must be 1. Received: dilation_rate=%s" % (dilation_rate,))
    nsp = rate.shape[0]
    first = 2 if data_format is not None and data_format.startswith("NC") else 1
    if spatial_dims is None:
        spatial_dims = list(range(first, nsp + first))
    orig = list(spatial_dims)
    spatial_dims = sorted(set(int(d) for d in orig))
    if spatial_dims != orig or any(d < 1 for d in spatial_dims):
        raise ValueError("`spatial_dims` must be a monotonically increasing sequence of positive integers. "
                         "Received: spatial_dims=%s" % orig)
    need = spatial_dims[-1] if first == 2 else spatial_dims[-1] + 1
    if x.shape.rank is not None and x.shape.rank < need:
        raise ValueError("`input.shape.rank` must be at least %d. Received: input.shape=%s with rank %d"
                         % (need, x.shape, x.shape.rank))
    if (rate < 1).any():
        raise ValueError("`dilation_rate` must be positive. Received: dilation_rate=%s" % rate)
    if (rate == 1).all():
        return op(x, nsp, padding)
    if isinstance(padding, (list, tuple)):
        base = np.asarray(padding, np.int64).reshape(-1, 2)
        base = base[2:] if first == 2 else base[1:-1]
    elif padding == "SAME":
        if filter_shape is None:
            raise ValueError("`filter_shape` must be specified for `padding='SAME'`. Received: filter_shape=None "
                             "and padding=SAME")
        fs = np.asarray(array_ops._int_tuple(filter_shape), np.int64)[:nsp]
        extra = (fs - 1) * rate
        base = np.stack([extra // 2, extra - extra // 2], 1)
    elif padding == "VALID":
        base = np.zeros([nsp, 2], np.int64)
    else:
        raise ValueError("`padding` must be one of 'SAME' or 'VALID'. Received: padding=%s" % (padding,))
    dims = x.shape.as_list() if x.shape.rank is not None else None
    sizes = None if dims is None else [dims[d] for d in spatial_dims]
    if sizes is None or None in sizes:
        sizes = _const(array_ops.shape(x))
        if sizes is None:
            raise ValueError("tf.nn.with_space_to_batch needs the spatial dimensions of `input` known when it "
                             "is traced")
        sizes = [int(sizes[d]) for d in spatial_dims]
    sizes = np.asarray(sizes, np.int64)
    extra = (rate - (sizes + base[:, 0] + base[:, 1]) % rate) % rate
    last = spatial_dims[-1]
    block, pads, crops = [1] * last, [[0, 0]] * last, [[0, 0]] * last
    for i, d in enumerate(spatial_dims):
        block[d - 1] = int(rate[i])
        pads[d - 1] = [int(base[i, 0]), int(base[i, 1] + extra[i])]
        crops[d - 1] = [0, int(extra[i])]
    converted = array_ops.space_to_batch_nd(x, block, pads)
    result = op(converted, nsp, "VALID")
    return array_ops.batch_to_space(result, block, crops)


# ---------------------------------------------------------------- SobolSample
# Joe & Kuo's direction numbers (new-joe-kuo-6.21201) for dimensions 2, 3, ...: (degree s,
# coefficients a, initial m_1..m_s). Dimension 1 is the van der Corput sequence (all m_k = 1).
_JOE_KUO = (
    (1, 0, (1,)), (2, 1, (1, 3)), (3, 1, (1, 3, 1)), (3, 2, (1, 1, 1)), (4, 1, (1, 1, 3, 3)),
    (4, 4, (1, 3, 5, 13)), (5, 2, (1, 1, 5, 5, 17)), (5, 4, (1, 1, 5, 5, 5)), (5, 7, (1, 1, 7, 11, 19)),
    (5, 11, (1, 1, 5, 1, 1)), (5, 13, (1, 1, 1, 3, 11)), (5, 14, (1, 3, 5, 5, 31)),
    (6, 1, (1, 3, 3, 9, 7, 49)), (6, 13, (1, 1, 1, 15, 21, 21)), (6, 16, (1, 3, 1, 13, 27, 49)),
    (6, 19, (1, 1, 1, 15, 7, 5)), (6, 22, (1, 3, 1, 15, 13, 25)), (6, 25, (1, 1, 5, 5, 19, 61)),
    (7, 1, (1, 3, 7, 11, 23, 15, 103)), (7, 4, (1, 3, 7, 13, 13, 15, 69)),
)
_SOBOL_MAX_DIM = 21200  # TF's limit
_SOBOL_BITS = 32
_sobol_cache: dict = {}


def _direction_numbers(dim: int) -> np.ndarray:
    """[dim, 32] uint64 direction numbers v_k = m_k << (32 - k)."""
    v = _sobol_cache.get(dim)
    if v is not None:
        return v
    v = np.zeros((dim, _SOBOL_BITS), np.uint64)
    v[0] = [1 << (_SOBOL_BITS - 1 - k) for k in range(_SOBOL_BITS)]
    for d in range(1, dim):
        s, a, m0 = _JOE_KUO[d - 1]
        m = list(m0)
        for k in range(s, _SOBOL_BITS):  # m_k = 2a_1 m_{k-1} ^ 4a_2 m_{k-2} ^ ... ^ 2^s m_{k-s} ^ m_{k-s}
            new = m[k - s] ^ (m[k - s] << s)
            for j in range(1, s):
                if (a >> (s - 1 - j)) & 1:
                    new ^= m[k - j] << j
            m.append(new)
        v[d] = [m[k] << (_SOBOL_BITS - 1 - k) for k in range(_SOBOL_BITS)]
    _sobol_cache[dim] = v
    return v


def _sobol_check(dim, num_results, skip):
    if dim < 1:
        return "dim must be at least one"
    if dim > _SOBOL_MAX_DIM:
        return "dim must be at most %d" % _SOBOL_MAX_DIM
    if num_results < 1:
        return "num_results must be at least one"
    if skip < 0:
        return "skip must be non-negative"
    if dim > len(_JOE_KUO) + 1:
        return ("tensorforge has Sobol direction numbers for the first %d dimensions only; dim is %d"
                % (len(_JOE_KUO) + 1, dim))
    return None


def _sobol_kernel(xp, dim, num_results, skip, dtype):
    v = _direction_numbers(dim)
    n = np.arange(skip + 1, skip + 1 + num_results, dtype=np.uint64)  # the zero point is left out
    gray = n ^ (n >> np.uint64(1))
    x = np.zeros((num_results, dim), np.uint64)
    for b in range(int(gray.max()).bit_length()):
        bit = ((gray >> np.uint64(b)) & np.uint64(1)).astype(bool)
        x[bit] ^= v[:, b]
    return (x.astype(np.float64) * 2.0 ** -_SOBOL_BITS).astype(dtype.as_numpy_dtype)


def _sobol_infer(specs, attrs):
    if attrs["dtype"] not in (dtypes.float32, dtypes.float64):
        raise sh.error("tf.math.sobol_sample", "SobolSample", "Value for attr 'dtype' of %s is not in the list of "
                       "allowed values: float, double" % attrs["dtype"].name)
    problem = _sobol_check(attrs["dim"], attrs["num_results"], attrs["skip"])
    if problem:
        raise sh.error("tf.math.sobol_sample", "SobolSample", problem)
    return [((attrs["num_results"], attrs["dim"]), attrs["dtype"])]


register("SobolSample", kernel=_sobol_kernel, infer=_sobol_infer, grad=NON_DIFFERENTIABLE,
         api="tf.math.sobol_sample", args=(),
         samples=lambda: [([], {"dim": 3, "num_results": 5, "skip": 0, "dtype": dtypes.float32}),
                          ([], {"dim": 21, "num_results": 9, "skip": 7, "dtype": dtypes.float64})])


@tf_export("math.sobol_sample")
def sobol_sample(dim, num_results, skip=0, dtype=dtypes.float32, name=None) -> Tensor:
    """Points of the Sobol low-discrepancy sequence in [0, 1)^dim (tf.math.sobol_sample):
    [num_results, dim], starting after the first `skip` points (the zero point is never returned).

    `dim`, `num_results` and `skip` are int32 scalars known when the call is made (or traced)."""
    vals = []
    for v in (dim, num_results, skip):
        c = _const(_t(v, dtype=dtypes.int32))
        if c is None:
            raise ValueError("tf.math.sobol_sample needs dim, num_results and skip known when it is traced")
        vals.append(int(c))
    attrs = {"dim": vals[0], "num_results": vals[1], "skip": vals[2], "dtype": dtypes.as_dtype(dtype)}
    _sobol_infer((), attrs)
    return bind("SobolSample", [], attrs)


# ---------------------------------------------------------------- RandomIndexShuffle
_SHUFFLE_DTYPES = (dtypes.int32, dtypes.int64, dtypes.uint32, dtypes.uint64)
_SHUFFLE_API = "tf.random.experimental.index_shuffle"


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijective 64-bit hash."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _index_shuffle_kernel(xp, index, seed, max_index, rounds):
    seed = np.asarray(seed)
    if not (seed.shape == (3,) or (seed.ndim == 2 and seed.shape[1] == 3)):
        raise InvalidArgumentError(None, None, "Seed must be a vector of size [3] or a matrix of size [1, 3] but "
                                   "got %s." % list(seed.shape))
    if rounds < 4 or rounds % 2:
        raise InvalidArgumentError(None, None, "Rounds must be an even integer >= 4, got %d" % rounds)
    s = seed.astype(np.int64).astype(np.uint64).reshape(-1, 3)
    key = _mix(_mix(_mix(s[:, 0]) ^ s[:, 1]) ^ s[:, 2])
    shape = np.broadcast_shapes(np.shape(index), np.shape(max_index), key.shape if seed.ndim == 2 else ())
    idx = np.broadcast_to(np.asarray(index).astype(np.uint64), shape)
    top = np.broadcast_to(np.asarray(max_index).astype(np.uint64), shape)
    key = np.broadcast_to(key.reshape(-1) if seed.ndim == 2 else key[0], shape)
    # A balanced Feistel network on the smallest even bit width covering [0, max_index], with
    # cycle walking back into range: a bijection of [0, max_index] for every (seed, max_index).
    width = np.maximum(np.ceil(np.log2(top.astype(np.float64) + 1.0)).astype(np.uint64), np.uint64(2))
    width += width & np.uint64(1)
    half = width >> np.uint64(1)
    mask = (np.uint64(1) << half) - np.uint64(1)
    top, key, half, mask = (np.ascontiguousarray(a).reshape(-1) for a in (top, key, half, mask))
    out = np.minimum(idx.reshape(-1), top)
    todo = np.ones(out.shape, bool)
    while todo.any():
        y, h, m, k = out[todo], half[todo], mask[todo], key[todo]
        left, right = y >> h, y & m
        for r in range(rounds):
            f = _mix(right ^ k ^ (np.uint64(r + 1) * np.uint64(0x9E3779B97F4A7C15))) & m
            left, right = right, left ^ f
        y = (left << h) | right
        out[todo] = y
        todo[todo] = y > top[todo]
    return out.reshape(shape).astype(np.asarray(index).dtype)


def _index_shuffle_infer(specs, attrs):
    api, op = _SHUFFLE_API, "RandomIndexShuffle"
    sh.check_dtype(api, op, specs[0], _SHUFFLE_DTYPES, "index")
    sh.check_dtype(api, op, specs[1], _SHUFFLE_DTYPES, "seed")
    sh.same_dtype(api, op, [specs[0], specs[2]], ("index", "max_index"))
    seed = sh.dims(specs[1])
    if seed is not None and len(seed) not in (1, 2):
        raise sh.error(api, op, "Seed must be a vector of size [3] or a matrix of size [1, 3] but got %s."
                       % sh.fmt(seed))
    out = sh.broadcast_shapes(sh.dims(specs[0]), sh.dims(specs[2]), api, op, ("index", "max_index"))
    if seed is None:
        return [(None, specs[0].dtype)]
    if len(seed) == 2:
        out = sh.broadcast_shapes(out, seed[:1], api, op, ("index", "seed"))
    return [(out, specs[0].dtype)]


register("RandomIndexShuffle", kernel=_index_shuffle_kernel, infer=_index_shuffle_infer, grad=NON_DIFFERENTIABLE,
         api=_SHUFFLE_API, args=("index", "seed", "max_index"),
         samples=lambda: [([np.arange(10, dtype=np.int64), np.array([1, 2, 3], np.int64), np.int64(9)],
                           {"rounds": 4}),
                          ([np.arange(3, dtype=np.int32), np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], np.int64),
                            np.array([3, 4, 5], np.int32)], {"rounds": 6})])


@tf_export("random_index_shuffle")
def random_index_shuffle(index, seed, max_index, rounds: int = 4, name=None) -> Tensor:
    """The position of each `index` in a random permutation of [0, max_index] fixed by `seed`
    (shape [3], or [n, 3] for n indices) (tf.random_index_shuffle).

    The permutation is a keyed Feistel network, so it is a bijection for every seed, but not the
    same one as TF's for the same seed."""
    index = _t(index)
    return bind("RandomIndexShuffle", [index, _t(seed), _t(max_index, dtype_hint=index.dtype)],
                {"rounds": int(rounds)})


@tf_export("random.experimental.index_shuffle")
def index_shuffle(index, seed, max_index) -> Tensor:
    """Where `index` goes under a random permutation of [0, max_index] fixed by the shape-[2]
    `seed` (tf.random.experimental.index_shuffle); TF pads the seed to the raw op's three words."""
    index = _t(index)
    seed = _t(seed)
    rank = seed.shape.rank
    seed = array_ops.pad(seed, [[1, 0]] + [[0, 0]] * ((rank or 1) - 1), constant_values=498247692)
    return bind("RandomIndexShuffle", [index, seed, _t(max_index, dtype_hint=index.dtype)], {"rounds": 4})


# ---------------------------------------------------------------- Conv2DBackprop*V2 (composite)
def _conv2d_backprop_attrs(strides, padding, explicit_paddings, data_format, dilations) -> dict:
    return {"strides": tuple(int(s) for s in strides), "padding": padding,
            "explicit_paddings": tuple(int(p) for p in explicit_paddings), "data_format": data_format,
            "dilations": tuple(int(d) for d in dilations)}


@tf_export("conv2d_backprop_filter_v2")
def conv2d_backprop_filter_v2(input, filter, out_backprop, strides, padding, use_cudnn_on_gpu=True,  # noqa: A002
                              explicit_paddings=(), data_format="NHWC", dilations=(1, 1, 1, 1), name=None) -> Tensor:
    """The gradient of conv2d w.r.t. its filter, shaped like `filter` (tf.conv2d_backprop_filter_v2)."""
    x, w = _t(input), _t(filter)
    attrs = _conv2d_backprop_attrs(strides, padding, explicit_paddings, data_format, dilations)
    attrs["filter_sizes"] = tuple(w.shape.as_list())
    return bind("Conv2DBackpropFilter", [x, _t(out_backprop, dtype=x.dtype)], attrs)


@tf_export("conv2d_backprop_input_v2")
def conv2d_backprop_input_v2(input, filter, out_backprop, strides, padding, use_cudnn_on_gpu=True,  # noqa: A002
                             explicit_paddings=(), data_format="NHWC", dilations=(1, 1, 1, 1), name=None) -> Tensor:
    """The gradient of conv2d w.r.t. its input, shaped like `input` (tf.conv2d_backprop_input_v2)."""
    x, w = _t(input), _t(filter)
    attrs = _conv2d_backprop_attrs(strides, padding, explicit_paddings, data_format, dilations)
    attrs["input_sizes"] = tuple(x.shape.as_list())
    return bind("Conv2DBackpropInput", [w, _t(out_backprop, dtype=w.dtype)], attrs)


# ---------------------------------------------------------------- JPEG quality (composite)
def _image_api():
    from . import image_ops
    from ..io import image as io_image
    return image_ops, io_image


@tf_export("image.adjust_jpeg_quality")
def adjust_jpeg_quality(image, jpeg_quality, dct_method="", name=None) -> Tensor:
    """Re-encodes a [height, width, 1 or 3] image as JPEG at `jpeg_quality` (0-100) and decodes it
    again, keeping the image's dtype (tf.image.adjust_jpeg_quality)."""
    image_ops, io_image = _image_api()
    image = _t(image)
    orig = image.dtype
    u8 = image_ops.convert_image_dtype(image, dtypes.uint8, saturate=True)
    quality = _const(jpeg_quality)
    if quality is None:
        raise ValueError("tf.image.adjust_jpeg_quality needs `jpeg_quality` known when it is traced")
    quality = int(quality)
    if not 0 <= quality <= 100:
        raise InvalidArgumentError(None, None, "quality must be in [0,100], got %d" % quality)
    encoded = io_image.encode_jpeg(u8, quality=quality)
    decoded = io_image.decode_jpeg(encoded, dct_method=dct_method)
    return image_ops.convert_image_dtype(decoded, orig, saturate=True)


def _check_jpeg_range(lo, hi):
    if lo < 0 or hi < 0 or lo > 100 or hi > 100:
        raise ValueError("jpeg encoding range must be between 0 and 100.")
    if lo >= hi:
        raise ValueError("`min_jpeg_quality` must be less than `max_jpeg_quality`.")


@tf_export("image.random_jpeg_quality")
def random_jpeg_quality(image, min_jpeg_quality, max_jpeg_quality, seed=None) -> Tensor:
    """adjust_jpeg_quality at a quality drawn uniformly from [min, max) (tf.image.random_jpeg_quality)."""
    _check_jpeg_range(min_jpeg_quality, max_jpeg_quality)
    q = random_ops.random_uniform([], min_jpeg_quality, max_jpeg_quality, dtypes.int32, seed=seed)
    return adjust_jpeg_quality(image, q)


@tf_export("image.stateless_random_jpeg_quality")
def stateless_random_jpeg_quality(image, min_jpeg_quality, max_jpeg_quality, seed) -> Tensor:
    """adjust_jpeg_quality at a quality drawn from [min, max) by the shape-[2] `seed`
    (tf.image.stateless_random_jpeg_quality)."""
    _check_jpeg_range(min_jpeg_quality, max_jpeg_quality)
    q = random_ops.stateless_random_uniform([], seed, min_jpeg_quality, max_jpeg_quality, dtypes.int32)
    return adjust_jpeg_quality(image, q)


# ---------------------------------------------------------------- ExtractVolumePatches
_EVP_API = "tf.extract_volume_patches"


def _volume_indices(shape, attrs):
    from .image_boxes import _patch_index
    k, st, p = attrs["ksizes"], attrs["strides"], attrs["padding"]
    return [_patch_index(shape[i], k[i], st[i], 1, p) for i in (1, 2, 3)]


def _evp_kernel(xp, x, ksizes, strides, padding):
    iz, iy, ix = _volume_indices(x.shape, {"ksizes": ksizes, "strides": strides, "padding": padding})
    padded = np.pad(x, [(0, 0), (0, 1), (0, 1), (0, 1), (0, 0)])  # index -1 reads the zero plane
    out = padded[:, iz[:, None, None, :, None, None], iy[None, :, None, None, :, None],
                 ix[None, None, :, None, None, :], :]  # [b, od, oh, ow, kd, kh, kw, c]
    return np.ascontiguousarray(out).reshape(out.shape[:4] + (-1,))


def _evp_infer(specs, attrs):
    from .image_boxes import _patch_geometry
    op = "ExtractVolumePatches"
    sh.check_dtype(_EVP_API, op, specs[0], sh.REAL, "input")
    k, st = attrs["ksizes"], attrs["strides"]
    for name, v in (("ksizes", k), ("strides", st)):
        if len(v) != 5:
            raise sh.error(_EVP_API, op, "%s must be a list of 5 ints" % name)
        if v[0] != 1 or v[4] != 1:
            raise sh.error(_EVP_API, op, "Only support %s across space." % name)
    if attrs["padding"] not in ("SAME", "VALID"):
        raise sh.error(_EVP_API, op, "padding must be 'SAME' or 'VALID'")
    s = sh.dims(specs[0])
    if s is None:
        return [((None,) * 5, specs[0].dtype)]
    if len(s) != 5:
        raise sh.error(_EVP_API, op, "input must be 5-dimensional%s" % sh.fmt(s))
    out = [None if s[i] is None else _patch_geometry(s[i], k[i], st[i], 1, attrs["padding"])[0] for i in (1, 2, 3)]
    depth = None if s[4] is None else s[4] * k[1] * k[2] * k[3]
    return [((s[0], out[0], out[1], out[2], depth), specs[0].dtype)]


def _evp_grad(op, grad):
    x = op.inputs[0]
    shape = x.shape.as_list()
    if None in shape[1:]:
        raise ValueError("the gradient of tf.extract_volume_patches needs the input's depth, height, width and "
                         "channels known statically")
    _, d, h, w, c = shape
    iz, iy, ix = _volume_indices(shape, op.attrs)
    valid = (iz[:, None, None, :, None, None] >= 0) & (iy[None, :, None, None, :, None] >= 0) & (
        ix[None, None, :, None, None, :] >= 0)
    flat = (iz[:, None, None, :, None, None] * h + iy[None, :, None, None, :, None]) * w + ix[
        None, None, :, None, None, :]
    flat = np.where(valid, flat, d * h * w).reshape(-1).astype(np.int32)
    g = array_ops.reshape(grad, [-1, flat.size, c])
    g = array_ops.transpose(g, [1, 0, 2])
    summed = math_ops.unsorted_segment_sum(g, _t(flat), d * h * w + 1)[: d * h * w]
    return [array_ops.transpose(array_ops.reshape(summed, [d, h, w, -1, c]), [3, 0, 1, 2, 4])]


register("ExtractVolumePatches", kernel=_evp_kernel, infer=_evp_infer, grad=_evp_grad, api=_EVP_API,
         args=("input",),
         samples=lambda: [([S.normal(2, 4, 3, 4, 2)], {"ksizes": (1, 2, 2, 3, 1), "strides": (1, 2, 1, 2, 1),
                                                      "padding": "VALID"}),
                          ([S.normal(1, 3, 3, 2, 2)], {"ksizes": (1, 2, 2, 2, 1), "strides": (1, 1, 2, 1, 1),
                                                      "padding": "SAME"}),
                          ([S.ints(0, 9, 1, 3, 3, 3, 1)], {"ksizes": (1, 2, 2, 2, 1), "strides": (1, 1, 1, 1, 1),
                                                          "padding": "SAME"})])


@tf_export("extract_volume_patches")
def extract_volume_patches(input, ksizes, strides, padding: str, name=None) -> Tensor:  # noqa: A002
    """Patches of `ksizes` [1, kd, kh, kw, 1] from input [batch, depth, height, width, channels],
    flattened into the last axis: [batch, out_d, out_h, out_w, kd * kh * kw * channels]
    (tf.extract_volume_patches)."""
    padding = padding.decode() if isinstance(padding, bytes) else str(padding)
    return bind("ExtractVolumePatches", [_t(input)], {"ksizes": array_ops._int_tuple(ksizes),
                                                      "strides": array_ops._int_tuple(strides),
                                                      "padding": padding.upper()})


# ---------------------------------------------------------------- StatelessParameterizedTruncatedNormal
_PTN_API = "tf.random.stateless_parameterized_truncated_normal"
_PTN_OP = "StatelessParameterizedTruncatedNormal"


def _standard_truncated(gen, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Standard normals truncated to [a, b] (elementwise), by rejection in rounds over the
    unfinished elements: normal proposals for wide intervals around 0, uniform proposals for
    short ones and Robert's (1995) exponential proposals for tails."""
    flip = b < 0  # mirror intervals left of 0 so that b >= 0
    a, b = np.where(flip, -b, a), np.where(flip, -a, b)
    out = np.empty(a.shape)
    todo = np.arange(a.size)
    a, b = a.reshape(-1), b.reshape(-1)
    flat = out.reshape(-1)
    while todo.size:
        lo, hi = a[todo], b[todo]
        n = todo.size
        wide = (lo <= 0) & (hi - lo >= 1)
        near = np.maximum(lo, 0.0)  # the point of [lo, hi] closest to 0
        short = ~wide & ((lo <= 0) | ((hi - lo) * (hi + lo) <= 2))
        tail = ~wide & ~short
        z = np.empty(n)
        ok = np.zeros(n, bool)
        if wide.any():
            z[wide] = gen.standard_normal(int(wide.sum()))
            ok[wide] = True
        if short.any():
            u = gen.random(int(short.sum()))
            zs = lo[short] + u * (hi[short] - lo[short])
            z[short] = zs
            ok[short] = gen.random(zs.size) <= np.exp((near[short] ** 2 - zs ** 2) / 2)
        if tail.any():
            at = lo[tail]
            lam = (at + np.sqrt(at * at + 4)) / 2
            zt = at + gen.exponential(size=at.size) / lam
            z[tail] = zt
            ok[tail] = gen.random(zt.size) <= np.exp(-((zt - lam) ** 2) / 2)
        ok &= (z >= lo) & (z <= hi)
        flat[todo[ok]] = z[ok]
        todo = todo[~ok]
    return np.where(flip, -out, out)


def _ptn_kernel(xp, seed, means, stddevs, minvals, maxvals, shape):
    params = np.broadcast_arrays(means, stddevs, minvals, maxvals)
    bshape = params[0].shape
    if len(bshape) > len(shape) or tuple(shape[len(shape) - len(bshape):]) != bshape:
        raise InvalidArgumentError(None, None, "%s: Shape passed in must end with broadcasted shape. [Op:%s]"
                                   % (_PTN_API, _PTN_OP))
    mean, std, lo, hi = (np.broadcast_to(p.astype(np.float64), shape) for p in params)
    if ((std <= 0) | ~(lo < hi) | (np.isinf(lo) & np.isinf(hi)) | np.isnan(mean) | np.isnan(std)).any():
        raise InvalidArgumentError(None, None, "%s: Invalid parameters [Op:%s]" % (_PTN_API, _PTN_OP))
    gen = random_ops._seed_gen(seed)
    z = _standard_truncated(gen, (lo - mean) / std, (hi - mean) / std)
    return np.clip(z * std + mean, lo, hi).astype(np.asarray(means).dtype)


def _ptn_infer(specs, attrs):
    random_ops._check_seed(_PTN_API, _PTN_OP, specs[0])
    sh.check_dtype(_PTN_API, _PTN_OP, specs[1], (dtypes.float16, dtypes.float32, dtypes.float64), "means")
    d0 = specs[1].dtype
    for i, (s, name) in enumerate(zip(specs[2:], ("stddevs", "minvals", "maxvals")), 3):
        if s.dtype is not d0:
            raise InvalidArgumentError(None, None, "%s: cannot compute %s as input #%d(zero-based) (argument %s) was "
                                       "expected to be a %s tensor but is a %s tensor [Op:%s]"
                                       % (_PTN_API, _PTN_OP, i, name, d0.name, s.dtype.name, _PTN_OP))
    shape = attrs["shape"]
    b = sh.dims(specs[1])
    for s, name in zip(specs[2:], ("stddevs", "minvals", "maxvals")):
        b = sh.broadcast_shapes(b, sh.dims(s), _PTN_API, _PTN_OP, ("means", name))
    if b is not None and (len(b) > len(shape) or any(
            x is not None and x != y for x, y in zip(b, shape[len(shape) - len(b):]))):
        raise sh.error(_PTN_API, _PTN_OP, "Shape passed in must end with broadcasted shape.")
    return [(tuple(shape), d0)]


def _ptn_samples():
    seed = np.array([12, 34], np.int64)
    return [([seed, np.array([0.0, 1.0, 2.0]), np.array(1.0), np.array(-1.0), np.array([1.0, 2.0, 3.0])],
             {"shape": (2, 3)}),
            ([seed, np.array(0.0, np.float32), np.array(2.0, np.float32), np.array([3.0, -9.0, 0.0, -1.0], np.float32),
              np.array([np.inf, -8.5, 0.1, 1.0], np.float32)], {"shape": (2, 4)})]


register(_PTN_OP, kernel=_ptn_kernel, infer=_ptn_infer, grad=NON_DIFFERENTIABLE, api=_PTN_API,
         args=("seed", "means", "stddevs", "minvals", "maxvals"), samples=_ptn_samples)


@tf_export("random.stateless_parameterized_truncated_normal")
def stateless_parameterized_truncated_normal(shape, seed, means=0.0, stddevs=1.0, minvals=-2.0, maxvals=2.0,
                                             name=None) -> Tensor:
    """Deterministic normal values with per-element `means` and `stddevs`, truncated to
    [minvals, maxvals] (the parameters broadcast; `shape` must end with their broadcast shape)
    for a shape-[2] `seed` (tf.random.stateless_parameterized_truncated_normal)."""
    seed = random_ops._seed_tensor(seed, _PTN_API, _PTN_OP)
    inputs = [seed] + [_t(v) for v in (means, stddevs, minvals, maxvals)]
    attrs = {"shape": array_ops._int_tuple(shape)}
    _ptn_infer(inputs, attrs)  # dtype and broadcast errors, eager too
    return bind(_PTN_OP, inputs, attrs)


# ---------------------------------------------------------------- Conv (composite)
@tf_export("conv")
def conv(input, filter, strides, padding: str, explicit_paddings=(), data_format: str = "CHANNELS_LAST",  # noqa: A002
         dilations=(), batch_dims: int = 1, groups: int = 1, name=None) -> Tensor:
    """TF's generic N-D convolution op (tf.conv): 2 or 3 spatial dimensions from the rank of
    `filter` [spatial..., in_channels / groups, out_channels], `batch_dims` leading batch axes,
    `strides` and `dilations` of length N + 2, `padding` SAME, VALID or EXPLICIT."""
    x = _t(input)
    w = _t(filter, dtype_hint=x.dtype)
    api = "tf.conv"
    if w.shape.rank is None or x.shape.rank is None:
        raise ValueError("tf.conv needs `input` and `filter` of known rank")
    n = w.shape.rank - 2
    if n not in (2, 3):
        raise sh.error(api, "Conv", "The input must have 2 or 3 spatial dimensions but got %d" % n)
    strides = array_ops._int_tuple(strides)
    if len(strides) != n + 2:
        raise sh.error(api, "Conv", "Sliding window strides field must specify %d dimensions" % (n + 2))
    dilations = array_ops._int_tuple(dilations) if len(dilations) else (1,) * (n + 2)
    if len(dilations) != n + 2:
        raise sh.error(api, "Conv", "Dilations field must specify %d dimensions" % (n + 2))
    if x.shape.rank != batch_dims + n + 1:
        raise sh.error(api, "Conv", "input must be %d-dimensional for batch_dims=%d, got %s"
                       % (batch_dims + n + 1, batch_dims, x.shape))
    if data_format not in ("CHANNELS_LAST", "CHANNELS_FIRST"):
        raise sh.error(api, "Conv", "Invalid data format: %s" % data_format)
    first = data_format == "CHANNELS_FIRST"
    fmt = ("NC" if first else "N") + ("HW" if n == 2 else "DHW") + ("" if first else "C")
    shape = array_ops.shape(x)
    batch_shape = shape[:batch_dims]
    if batch_dims != 1:
        x = array_ops.reshape(x, array_ops.concat([[-1], shape[batch_dims:]], 0))
    if padding == "EXPLICIT":
        pads = np.asarray(array_ops._int_tuple(explicit_paddings), np.int64).reshape(-1, 2)
        if pads.shape[0] != n + 2:
            raise sh.error(api, "Conv", "explicit_paddings attribute must contain %d values, but got: %d"
                           % (2 * (n + 2), pads.size))
        x = array_ops.pad(x, pads.tolist())
        padding = "VALID"
    fn = nn_ops.conv2d if n == 2 else nn_ops.conv3d
    if groups != 1 and n == 3:
        raise sh.error(api, "Conv", "Grouped/Depthwise Convolutions are not supported for 3 spatial dimensions")
    out = fn(x, w, list(strides), padding, data_format=fmt, dilations=list(dilations))
    if batch_dims != 1:
        out = array_ops.reshape(out, array_ops.concat([batch_shape, array_ops.shape(out)[1:]], 0))
    return out
