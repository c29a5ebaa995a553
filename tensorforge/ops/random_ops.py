"""Random ops: tf.random.* with TensorFlow's seed semantics, on NumPy's Philox generator.

Seeds work as in TF 2 (see `set_seed`): every random op gets a pair (seed, seed2) from
`get_seed(op_seed)`:

- neither a global nor an op seed: (0, 0), and the kernel draws from OS entropy;
- a global seed only: the op seed comes from a `random.Random(global_seed)` sequence, as
  TF's eager context does, so a program rerun after `set_seed` draws the same numbers;
- an op seed: (global seed or TF's DEFAULT_GRAPH_SEED, op seed); each (op, dtype, seed,
  seed2) keeps a call counter, like TF's cached eager kernel, so repeated calls differ
  and `set_seed` resets them.

The numbers come from NumPy's Philox (4x64) keyed by the seed pair and counter, so the
values differ from TF's (TF uses its own Philox-4x32 and transforms); the semantics, shapes,
dtypes and distributions match. Stateless ops (`tf.random.stateless_*`) and
`tf.random.Generator` are deterministic functions of their seed / state.
"""
from __future__ import annotations

import enum
import os
import random as _pyrandom
import threading
import weakref

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.context import ctx
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor
from ..framework.variables import Variable
from . import array_ops, math_ops
from . import sample_inputs as S
from . import shapes as sh
from .registry import NON_DIFFERENTIABLE, bind, register

_t = convert_to_tensor
_M64 = (1 << 64) - 1
_MAXINT32 = 2 ** 31 - 1
DEFAULT_GRAPH_SEED = 87654321


# ---------------------------------------------------------------- seeds (TF's random_seed module)
class _SeedState:
    """The global seed, the op-seed sequence drawn from it and the per-kernel call counters."""

    def __init__(self):
        self.global_seed = None
        self.rng = _pyrandom.Random()
        self.counters: dict = {}
        self.lock = threading.Lock()
        self.graph_counts = weakref.WeakKeyDictionary()


_seeds = _SeedState()


@tf_export("random.set_seed")
def set_seed(seed) -> None:
    """Sets the global random seed (tf.random.set_seed).

    With a global seed set, ops without their own seed draw an op seed from a sequence
    determined by the global seed; calling `set_seed` again restarts that sequence and the
    counters of ops with explicit seeds, so the same program gives the same numbers.
    """
    graph = ctx.graph
    if graph is not None:
        graph.seed = seed
        return
    if seed is not None:
        try:
            hash(seed)
            seed = int(seed)
        except TypeError:
            seed = int(np.array(seed))
    with _seeds.lock:
        _seeds.global_seed = seed
        _seeds.rng = _pyrandom.Random(seed)
        _seeds.counters.clear()


def _truncate_seed(seed) -> int:
    return int(seed) % _MAXINT32


def get_seed(op_seed):
    """The (seed, seed2) pair an op uses for the op-level seed `op_seed` (TF's get_seed).

    Returns (None, None) when neither a global nor an op seed is set.
    """
    graph = ctx.graph
    global_seed = _seeds.global_seed if graph is None else getattr(graph, "seed", _seeds.global_seed)
    if global_seed is not None:
        if op_seed is None:
            if graph is None:
                with _seeds.lock:
                    op_seed = _seeds.rng.randint(0, _MAXINT32)
            else:
                op_seed = _graph_op_seed(graph)
        seeds = _truncate_seed(global_seed), _truncate_seed(op_seed)
    elif op_seed is not None:
        seeds = DEFAULT_GRAPH_SEED, _truncate_seed(op_seed)
    else:
        seeds = None, None
    if seeds == (0, 0):
        return 0, _MAXINT32
    return seeds


def _graph_op_seed(graph) -> int:
    """Inside a graph, op seeds count up per graph, as TF's _graph_to_seed_dict does."""
    try:
        n = _seeds.graph_counts.get(graph, 0)
        _seeds.graph_counts[graph] = n + 1
    except TypeError:
        n = getattr(graph, "_random_op_seed_count", 0)
        graph._random_op_seed_count = n + 1
    return n


def _seed_attrs(seed) -> dict:
    s1, s2 = get_seed(seed)
    return {"seed": 0 if s1 is None else int(s1), "seed2": 0 if s2 is None else int(s2)}


# ---------------------------------------------------------------- bit generators
_tls = threading.local()
_entropy = None  # made on first unseeded use: numpy.random is not imported with tensorforge


def _philox(key: int, counter: int) -> np.random.Generator:
    """A (thread-local, reused) NumPy Philox generator at 128-bit `key`, 256-bit `counter`."""
    cache = getattr(_tls, "philox", None)
    if cache is None:
        bg = np.random.Philox(0)
        cache = _tls.philox = (bg, np.random.Generator(bg), bg.state)
    bg, gen, st = cache
    s = st["state"]
    s["counter"][:] = [counter & _M64, (counter >> 64) & _M64, (counter >> 128) & _M64, (counter >> 192) & _M64]
    s["key"][:] = [key & _M64, (key >> 64) & _M64]
    st["buffer_pos"] = 4
    st["has_uint32"] = 0
    bg.state = st
    return gen


def _stateful_gen(op: str, dtype, seed: int, seed2: int) -> np.random.Generator:
    """The generator for one call of a stateful random op (TF's per-kernel Philox state)."""
    if seed == 0 and seed2 == 0:
        global _entropy
        if _entropy is None:
            _entropy = np.random.default_rng()
        return _entropy
    k = (op, dtype, seed, seed2)
    with _seeds.lock:
        n = _seeds.counters.get(k, 0)
        _seeds.counters[k] = n + 1
    # Word 1 of the counter marks the stateful domain, word 2 counts calls.
    return _philox((seed & _M64) | ((seed2 & _M64) << 64), (1 << 64) | (n << 128))


def _u64(v) -> int:
    return int(np.int64(v)) & _M64 if np.asarray(v).dtype.kind == "i" else int(v) & _M64


def _key_counter_gen(key, counter) -> np.random.Generator:
    """The generator of a (key [1], counter [1 or 2]) pair of the V2 stateless ops."""
    key = np.asarray(key).reshape(-1)
    counter = np.asarray(counter).reshape(-1)
    c0 = _u64(counter[0]) if counter.size else 0
    c1 = _u64(counter[1]) if counter.size > 1 else 0
    return _philox(_u64(key[0]), (c0 << 128) | (c1 << 192))


def _seed_key_counter(seed):
    """TF's StatelessRandomGetKeyCounter: a shape-[2] seed to key [1] and counter [2] (uint64)."""
    seed = np.asarray(seed)
    if seed.shape != (2,):
        raise ValueError("seed must have shape [2]")  # bind reports inference's TF message
    seed = seed.astype(np.int64).view(np.uint64)
    return np.array([seed[0]], np.uint64), np.array([0, seed[1]], np.uint64)


def _seed_gen(seed) -> np.random.Generator:
    key, counter = _seed_key_counter(seed)
    return _key_counter_gen(key, counter)


# ---------------------------------------------------------------- samplers (shared by all kernels)
_NATIVE = (np.dtype(np.float32), np.dtype(np.float64))


def _np(dtype):
    return dtype.as_numpy_dtype


def _normal(gen, shape, dtype):
    npd = np.dtype(_np(dtype))
    if npd in _NATIVE:
        return gen.standard_normal(shape, dtype=npd)
    return gen.standard_normal(shape, dtype=np.float32).astype(npd)


def _uniform(gen, shape, dtype):
    npd = np.dtype(_np(dtype))
    if npd in _NATIVE:
        return gen.random(shape, dtype=npd)
    bits = 10 if dtype is dtypes.float16 else 7  # mantissa bits, as TF: always < 1 after rounding
    return (gen.integers(0, 1 << bits, shape, dtype=np.int32) * (1.0 / (1 << bits))).astype(npd)


def _truncated_normal(gen, shape, dtype):
    npd = np.dtype(_np(dtype))
    work = npd if npd in _NATIVE else np.dtype(np.float32)
    out = gen.standard_normal(shape, dtype=work)
    flat = out.reshape(-1)
    bad = np.flatnonzero(np.abs(flat) >= 2.0)
    while bad.size:  # rounds of resampling (each keeps ~95%), not a loop per element
        flat[bad] = gen.standard_normal(bad.size, dtype=work)
        bad = bad[np.abs(flat[bad]) >= 2.0]
    return out if work == npd else out.astype(npd)


def _uniform_int(gen, shape, lo, hi, npd, api, op):
    lo, hi = lo[()], hi[()]
    if not lo < hi:
        raise sh.error(api, op, "Need minval < maxval, got %d >= %d" % (lo, hi))
    return gen.integers(lo, hi, shape, dtype=npd)


def _full_int(gen, shape, dtype):
    npd = np.dtype(_np(dtype))
    info = np.iinfo(npd)
    return gen.integers(info.min, info.max, shape, dtype=npd, endpoint=True)


def _multinomial(gen, logits, num_samples, out_dtype):
    """TF's Multinomial kernel: in float64, non-finite logits have probability 0; a row with no
    finite logit gives the index num_classes."""
    b, k = logits.shape
    npd = _np(out_dtype)
    if b == 0 or num_samples == 0:
        return np.zeros((b, num_samples), npd)
    lg = logits.astype(np.float64)
    finite = np.isfinite(lg)
    mx = np.where(finite, lg, -np.inf).max(axis=1, keepdims=True)
    p = np.where(finite, np.exp(lg - np.where(np.isfinite(mx), mx, 0.0)), 0.0)
    cdf = np.cumsum(p, axis=1)
    total = cdf[:, -1:]
    good = total[:, 0] > 0
    cdf /= np.where(good[:, None], total, 1.0)
    # One searchsorted for all rows: row i lives in [2i, 2i + 1].
    offs = 2.0 * np.arange(b)[:, None]
    u = gen.random((b, num_samples)) + offs
    idx = np.searchsorted((cdf + offs).reshape(-1), u.reshape(-1), side="right").reshape(b, num_samples)
    idx -= np.arange(b)[:, None] * k
    idx = np.where(good[:, None], np.clip(idx, 0, k - 1), k)
    return idx.astype(npd)


def _shuffle(gen, x):
    if x.ndim == 0 or x.shape[0] <= 1:
        return x.copy()
    return x[gen.permutation(x.shape[0])]


def _gamma(gen, shape, alpha):
    npd = alpha.dtype
    work = npd if npd in _NATIVE else np.dtype(np.float32)
    a = np.broadcast_to(alpha.astype(work), tuple(shape)) if len(shape) >= alpha.ndim else alpha
    out = gen.standard_gamma(a, dtype=work) if a.ndim else np.asarray(gen.standard_gamma(a, dtype=work))
    return out.astype(npd)


# ---------------------------------------------------------------- inference helpers
def _check_shape(api, op, shape):
    for d in shape:
        if d < 0:
            raise sh.error(api, op, "Dimension %d must be >= 0" % d)
    return tuple(shape)


def _out_shape(api, op, specs, attrs, index):
    """The output shape: the `shape` attr, or (TF's form) the run-time shape input specs[index]."""
    if "shape" in attrs:
        return _check_shape(api, op, attrs["shape"])
    known = array_ops._const(specs[index])
    if known is not None:
        return _check_shape(api, op, tuple(int(d) for d in np.asarray(known).reshape(-1)))
    n = sh.dims(specs[index])
    return None if not n or n[0] is None else (None,) * n[0]


def _shape_dtype_infer(api, op, allowed):
    def infer(specs, attrs):
        d = attrs["dtype"]
        if d not in allowed:
            raise sh.error(api, op, "Value for attr 'dtype' of %s is not in the list of allowed values: %s"
                           % (d.name, ", ".join(a.name for a in allowed)))
        return [(_out_shape(api, op, specs, attrs, 0), d)]
    return infer


_SEED = {"seed": 87654321, "seed2": 7}


# ---------------------------------------------------------------- stateful ops
def _rsn_kernel(xp, shape, dtype, seed, seed2):
    return _normal(_stateful_gen("RandomStandardNormal", dtype, seed, seed2), shape, dtype)


register("RandomStandardNormal", kernel=_rsn_kernel, stateful=True, args=(),
         infer=_shape_dtype_infer("tf.random.normal", "RandomStandardNormal", sh.FLOATS),
         grad=NON_DIFFERENTIABLE, api="tf.random.normal",
         samples=lambda: [([], dict(shape=(2, 3), dtype=dtypes.float32, **_SEED)),
                          ([], dict(shape=(4,), dtype=dtypes.float64, **_SEED))])


def _ru_kernel(xp, shape, dtype, seed, seed2):
    return _uniform(_stateful_gen("RandomUniform", dtype, seed, seed2), shape, dtype)


register("RandomUniform", kernel=_ru_kernel, stateful=True, args=(),
         infer=_shape_dtype_infer("tf.random.uniform", "RandomUniform", sh.FLOATS),
         grad=NON_DIFFERENTIABLE, api="tf.random.uniform",
         samples=lambda: [([], dict(shape=(2, 3), dtype=dtypes.float32, **_SEED)),
                          ([], dict(shape=(5,), dtype=dtypes.float16, **_SEED))])


def _tn_kernel(xp, shape, dtype, seed, seed2):
    return _truncated_normal(_stateful_gen("TruncatedNormal", dtype, seed, seed2), shape, dtype)


register("TruncatedNormal", kernel=_tn_kernel, stateful=True, args=(),
         infer=_shape_dtype_infer("tf.random.truncated_normal", "TruncatedNormal", sh.FLOATS),
         grad=NON_DIFFERENTIABLE, api="tf.random.truncated_normal",
         samples=lambda: [([], dict(shape=(3, 4), dtype=dtypes.float32, **_SEED))])


def _int_range_infer(api, op, lead=0):
    """minval/maxval inputs (after `lead` others) must be scalars of int32/int64."""
    def infer(specs, attrs):
        lo, hi = specs[lead], specs[lead + 1]
        d = sh.same_dtype(api, op, [lo, hi], ("minval", "maxval"))
        sh.check_dtype(api, op, lo, (dtypes.int32, dtypes.int64), "minval")
        for name, s in (("minval", lo), ("maxval", hi)):
            if sh.dims(s) not in (None, ()):
                raise sh.error(api, op, "%s must be 0-D, got shape %s" % (name, sh.fmt(sh.dims(s))))
        return [(_out_shape(api, op, specs, attrs, lead + 2), d)]
    return infer


def _rui_kernel(xp, lo, hi, shape, seed, seed2):
    gen = _stateful_gen("RandomUniformInt", lo.dtype, seed, seed2)
    return _uniform_int(gen, shape, lo, hi, lo.dtype, "tf.random.uniform", "RandomUniformInt")


register("RandomUniformInt", kernel=_rui_kernel, stateful=True, args=("minval", "maxval"),
         infer=_int_range_infer("tf.random.uniform", "RandomUniformInt"),
         grad=NON_DIFFERENTIABLE, api="tf.random.uniform",
         samples=lambda: [([S.scalar(-3), S.scalar(7)], dict(shape=(2, 5), **_SEED)),
                          ([S.scalar(0, np.int64), S.scalar(10, np.int64)], dict(shape=(3,), **_SEED))])


def _multinomial_infer(api, op, logits_index=0):
    def infer(specs, attrs):
        s = sh.dims(specs[logits_index])
        sh.check_dtype(api, op, specs[logits_index], sh.REAL, "logits")
        if attrs["output_dtype"] not in (dtypes.int32, dtypes.int64):
            raise sh.error(api, op, "Value for attr 'output_dtype' of %s is not in the list of allowed values: "
                           "int32, int64" % attrs["output_dtype"].name)
        n = attrs["num_samples"]
        if n < 0:
            raise sh.error(api, op, "num_samples should be non-negative, got %d" % n)
        if s is None:
            return [((None, n), attrs["output_dtype"])]
        if len(s) != 2:
            raise sh.error(api, op, "logits should be a matrix, got shape %s" % sh.fmt(s))
        if s[1] == 0:
            raise sh.error(api, op, "num_classes should be positive, got 0")
        return [((s[0], n), attrs["output_dtype"])]
    return infer


def _multinomial_kernel(xp, logits, num_samples, seed, seed2, output_dtype):
    gen = _stateful_gen("Multinomial", output_dtype, seed, seed2)
    return _multinomial(gen, logits, num_samples, output_dtype)


register("Multinomial", kernel=_multinomial_kernel, stateful=True, args=("logits",),
         infer=_multinomial_infer("tf.random.categorical", "Multinomial"),
         grad=NON_DIFFERENTIABLE, api="tf.random.categorical",
         samples=lambda: [([S.normal(3, 4)], dict(num_samples=5, output_dtype=dtypes.int64, **_SEED)),
                          ([S.normal(2, 3, dtype=np.float32)], dict(num_samples=1, output_dtype=dtypes.int32, **_SEED))])


def _shuffle_kernel(xp, value, seed, seed2):
    return _shuffle(_stateful_gen("RandomShuffle", None, seed, seed2), value)


register("RandomShuffle", kernel=_shuffle_kernel, stateful=True, args=("value",),
         infer=lambda s, a: [(sh.dims(s[0]), s[0].dtype)], grad=NON_DIFFERENTIABLE, api="tf.random.shuffle",
         samples=lambda: [([S.normal(5, 2)], dict(_SEED)), ([S.ints(0, 9, 4)], dict(_SEED))])


def _gamma_infer(api, op, alpha_index=0, prepend=True):
    def infer(specs, attrs):
        a = specs[alpha_index]
        sh.check_dtype(api, op, a, (dtypes.float16, dtypes.float32, dtypes.float64), "alpha")
        shape = _check_shape(api, op, attrs["shape"])
        if not prepend:
            return [(shape, a.dtype)]
        s = sh.dims(a)
        return [(None if s is None else shape + s, a.dtype)]
    return infer


def _gamma_kernel(xp, alpha, shape, seed, seed2):
    gen = _stateful_gen("RandomGamma", alpha.dtype, seed, seed2)
    return _gamma(gen, tuple(shape) + alpha.shape, alpha)


register("RandomGamma", kernel=_gamma_kernel, stateful=True, args=("alpha",),
         infer=_gamma_infer("tf.random.gamma", "RandomGamma"), grad=NON_DIFFERENTIABLE, api="tf.random.gamma",
         samples=lambda: [([S.positive(2)], dict(shape=(3,), **_SEED)),
                          ([S.positive(2, 2, dtype=np.float32)], dict(shape=(), **_SEED))])

_POISSON_DTYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64)


def _poisson_infer(api, op, rate_index=0, prepend=True):
    def infer(specs, attrs):
        r = specs[rate_index]
        sh.check_dtype(api, op, r, _POISSON_DTYPES, "lam")
        if attrs["dtype"] not in _POISSON_DTYPES:
            raise sh.error(api, op, "Value for attr 'dtype' of %s is not in the list of allowed values: %s"
                           % (attrs["dtype"].name, ", ".join(d.name for d in _POISSON_DTYPES)))
        shape = _check_shape(api, op, attrs["shape"])
        if not prepend:
            return [(shape, attrs["dtype"])]
        s = sh.dims(r)
        return [(None if s is None else shape + s, attrs["dtype"])]
    return infer


def _poisson_kernel(xp, rate, shape, seed, seed2, dtype):
    gen = _stateful_gen("RandomPoissonV2", dtype, seed, seed2)
    return gen.poisson(rate.astype(np.float64), tuple(shape) + rate.shape).astype(_np(dtype))


register("RandomPoissonV2", kernel=_poisson_kernel, stateful=True, args=("lam",),
         infer=_poisson_infer("tf.random.poisson", "RandomPoissonV2"), grad=NON_DIFFERENTIABLE,
         api="tf.random.poisson",
         samples=lambda: [([S.positive(2)], dict(shape=(3,), dtype=dtypes.float32, **_SEED)),
                          ([S.positive(2, dtype=np.float32)], dict(shape=(2, 2), dtype=dtypes.int64, **_SEED))])


# ---------------------------------------------------------------- stateless ops (seed input, V1)
_SEED_DTYPES = (dtypes.int32, dtypes.int64)


def _check_seed(api, op, spec, name="seed"):
    sh.check_dtype(api, op, spec, _SEED_DTYPES, name)
    s = sh.dims(spec)
    if s is not None and (len(s) != 1 or s[0] not in (None, 2)):
        raise sh.error(api, op, "seed must have shape [2], not %s" % sh.fmt(s))


def _stateless_infer(api, op, allowed):
    base = _shape_dtype_infer(api, op, allowed)

    def infer(specs, attrs):
        _check_seed(api, op, specs[0])
        return base(specs, attrs)
    return infer


_FULL_INT_DTYPES = (dtypes.int32, dtypes.int64, dtypes.uint32, dtypes.uint64)


def _seed_sample():
    return np.array([12, 34], np.int64)


for _name, _api, _fn, _allowed in (
        ("StatelessRandomNormal", "tf.random.stateless_normal", _normal, sh.FLOATS),
        ("StatelessRandomUniform", "tf.random.stateless_uniform", _uniform, sh.FLOATS),
        ("StatelessTruncatedNormal", "tf.random.stateless_truncated_normal", _truncated_normal, sh.FLOATS),
        ("StatelessRandomUniformFullInt", "tf.random.stateless_uniform", _full_int, _FULL_INT_DTYPES)):
    register(_name, kernel=lambda xp, seed, shape, dtype, _f=_fn: _f(_seed_gen(seed), shape, dtype),
             infer=_stateless_infer(_api, _name, _allowed), grad=NON_DIFFERENTIABLE, api=_api, args=("seed",),
             samples=lambda _d=_allowed[0] if _allowed is _FULL_INT_DTYPES else dtypes.float32: [
                 ([_seed_sample()], {"shape": (2, 3), "dtype": _d}),
                 ([np.array([-5, 7], np.int32)], {"shape": (4,), "dtype": dtypes.float64 if _d.is_floating
                                                  else dtypes.uint64})])


def _sl_uniform_int_kernel(xp, seed, lo, hi, shape):
    return _uniform_int(_seed_gen(seed), shape, lo, hi, lo.dtype, "tf.random.stateless_uniform",
                        "StatelessRandomUniformInt")


def _sl_int_infer(specs, attrs):
    _check_seed("tf.random.stateless_uniform", "StatelessRandomUniformInt", specs[0])
    return _int_range_infer("tf.random.stateless_uniform", "StatelessRandomUniformInt", lead=1)(specs, attrs)


register("StatelessRandomUniformInt", kernel=_sl_uniform_int_kernel, infer=_sl_int_infer, grad=NON_DIFFERENTIABLE,
         api="tf.random.stateless_uniform", args=("seed", "minval", "maxval"),
         samples=lambda: [([_seed_sample(), S.scalar(-4), S.scalar(9)], {"shape": (3, 2)})])


def _sl_multinomial_kernel(xp, logits, seed, num_samples, output_dtype):
    return _multinomial(_seed_gen(seed), logits, num_samples, output_dtype)


def _sl_multinomial_infer(specs, attrs):
    _check_seed("tf.random.stateless_categorical", "StatelessMultinomial", specs[1])
    return _multinomial_infer("tf.random.stateless_categorical", "StatelessMultinomial")(specs, attrs)


register("StatelessMultinomial", kernel=_sl_multinomial_kernel, infer=_sl_multinomial_infer,
         grad=NON_DIFFERENTIABLE, api="tf.random.stateless_categorical", args=("logits", "seed"),
         samples=lambda: [([S.normal(3, 4), _seed_sample()], {"num_samples": 6, "output_dtype": dtypes.int64})])


def _trailing_check(api, op, shape, param, name):
    """Stateless gamma/poisson: the parameter's shape must match the trailing dims of `shape`."""
    p = sh.dims(param)
    if p is None:
        return
    if len(p) > len(shape) or any(a is not None and a != 1 and a != b for a, b in zip(p[::-1], shape[::-1])):
        raise sh.error(api, op, "Shape passed in, %s, is not broadcast compatible with %s shape %s"
                       % (sh.fmt(shape), name, sh.fmt(p)))


def _sl_gamma_infer(specs, attrs):
    api, op = "tf.random.stateless_gamma", "StatelessRandomGammaV2"
    _check_seed(api, op, specs[0])
    out = _gamma_infer(api, op, alpha_index=1, prepend=False)(specs, attrs)
    _trailing_check(api, op, attrs["shape"], specs[1], "alpha")
    return out


register("StatelessRandomGammaV2", kernel=lambda xp, seed, alpha, shape: _gamma(_seed_gen(seed), shape, alpha),
         infer=_sl_gamma_infer, grad=NON_DIFFERENTIABLE, api="tf.random.stateless_gamma", args=("seed", "alpha"),
         samples=lambda: [([_seed_sample(), S.positive(2)], {"shape": (3, 2)})])


def _sl_poisson_kernel(xp, seed, lam, shape, dtype):
    lam = np.broadcast_to(lam.astype(np.float64), tuple(shape))
    return _seed_gen(seed).poisson(lam).astype(_np(dtype))


def _sl_poisson_infer(specs, attrs):
    api, op = "tf.random.stateless_poisson", "StatelessRandomPoisson"
    _check_seed(api, op, specs[0])
    out = _poisson_infer(api, op, rate_index=1, prepend=False)(specs, attrs)
    _trailing_check(api, op, attrs["shape"], specs[1], "lam")
    return out


register("StatelessRandomPoisson", kernel=_sl_poisson_kernel, infer=_sl_poisson_infer, grad=NON_DIFFERENTIABLE,
         api="tf.random.stateless_poisson", args=("seed", "lam"),
         samples=lambda: [([_seed_sample(), S.positive(2)], {"shape": (3, 2), "dtype": dtypes.int32})])


def _sl_binomial_kernel(xp, seed, counts, probs, shape, dtype):
    n = np.broadcast_to(counts.astype(np.int64), tuple(shape))
    p = np.broadcast_to(probs.astype(np.float64), tuple(shape))
    return _seed_gen(seed).binomial(n, p).astype(_np(dtype))


def _sl_binomial_infer(specs, attrs):
    api, op = "tf.random.stateless_binomial", "StatelessRandomBinomial"
    _check_seed(api, op, specs[0])
    shape = _check_shape(api, op, attrs["shape"])
    _trailing_check(api, op, shape, specs[1], "counts")
    _trailing_check(api, op, shape, specs[2], "probs")
    return [(shape, attrs["dtype"])]


register("StatelessRandomBinomial", kernel=_sl_binomial_kernel, infer=_sl_binomial_infer, grad=NON_DIFFERENTIABLE,
         api="tf.random.stateless_binomial", args=("seed", "counts", "probs"),
         samples=lambda: [([_seed_sample(), S.scalar(10.0, np.float32), np.array([0.2, 0.7], np.float32)],
                           {"shape": (3, 2), "dtype": dtypes.int32})])


# ---------------------------------------------------------------- stateless ops on key/counter (V2)
def _gkc_infer(specs, attrs):
    _check_seed("tf.random.stateless_uniform", "StatelessRandomGetKeyCounter", specs[0])
    return [((1,), dtypes.uint64), ((2,), dtypes.uint64)]


register("StatelessRandomGetKeyCounter", kernel=lambda xp, seed: _seed_key_counter(seed), infer=_gkc_infer,
         grad=NON_DIFFERENTIABLE, api="tf.random.stateless_uniform", args=("seed",), num_outputs=2,
         samples=lambda: [([_seed_sample()], {}), ([np.array([3, -4], np.int32)], {})])

_KEY_DTYPES = (dtypes.uint64, dtypes.int64)


def _check_key_counter(api, op, key, counter, alg):
    sh.check_dtype(api, op, key, _KEY_DTYPES, "key")
    sh.check_dtype(api, op, counter, _KEY_DTYPES, "counter")
    k = sh.dims(key)
    if k is not None and k != (1,) and k != (None,):
        raise sh.error(api, op, "key must have shape [1], not %s. (Note that batched keys are not supported "
                       "yet.)" % sh.fmt(k))
    if sh.dims(alg) not in (None, ()):
        raise sh.error(api, op, "alg must be a scalar, got shape %s" % sh.fmt(sh.dims(alg)))


def _v2_infer(api, op, allowed):
    base = _shape_dtype_infer(api, op, allowed)

    def infer(specs, attrs):
        _check_key_counter(api, op, *specs[:3])
        return base(specs, attrs)
    return infer


def _check_alg(alg, api, op):
    a = int(alg)
    if a not in (1, 2, 3):
        raise sh.error(api, op, "Unsupported algorithm id: %d" % a)


def _key_counter_sample():
    return [np.array([1234], np.uint64), np.array([5, 0], np.uint64), S.scalar(1)]


def _v2_kernel(fn, api, op):
    def kernel(xp, key, counter, alg, shape, dtype):
        _check_alg(alg, api, op)
        return fn(_key_counter_gen(key, counter), shape, dtype)
    return kernel


for _name, _api, _fn, _allowed in (
        ("StatelessRandomNormalV2", "tf.random.stateless_normal", _normal, sh.FLOATS),
        ("StatelessRandomUniformV2", "tf.random.stateless_uniform", _uniform, sh.FLOATS),
        ("StatelessTruncatedNormalV2", "tf.random.stateless_truncated_normal", _truncated_normal, sh.FLOATS),
        ("StatelessRandomUniformFullIntV2", "tf.random.stateless_uniform", _full_int, _FULL_INT_DTYPES)):
    register(_name, kernel=_v2_kernel(_fn, _api, _name), infer=_v2_infer(_api, _name, _allowed),
             grad=NON_DIFFERENTIABLE, api=_api, args=("key", "counter", "alg"),
             samples=lambda _d=_allowed[1] if _allowed is _FULL_INT_DTYPES else dtypes.float32: [
                 (_key_counter_sample(), {"shape": (2, 3), "dtype": _d})])


def _v2_int_kernel(xp, key, counter, alg, lo, hi, shape):
    api, op = "tf.random.stateless_uniform", "StatelessRandomUniformIntV2"
    _check_alg(alg, api, op)
    return _uniform_int(_key_counter_gen(key, counter), shape, lo, hi, lo.dtype, api, op)


def _v2_int_infer(specs, attrs):
    api, op = "tf.random.stateless_uniform", "StatelessRandomUniformIntV2"
    _check_key_counter(api, op, *specs[:3])
    return _int_range_infer(api, op, lead=3)(specs, attrs)


register("StatelessRandomUniformIntV2", kernel=_v2_int_kernel, infer=_v2_int_infer, grad=NON_DIFFERENTIABLE,
         api="tf.random.stateless_uniform", args=("key", "counter", "alg", "minval", "maxval"),
         samples=lambda: [(_key_counter_sample() + [S.scalar(2, np.int64), S.scalar(50, np.int64)], {"shape": (4,)})])


def _sl_shuffle_kernel(xp, value, key, counter, alg):
    _check_alg(alg, "tf.random.experimental.stateless_shuffle", "StatelessShuffle")
    return _shuffle(_key_counter_gen(key, counter), value)


def _sl_shuffle_infer(specs, attrs):
    _check_key_counter("tf.random.experimental.stateless_shuffle", "StatelessShuffle", *specs[1:4])
    return [(sh.dims(specs[0]), specs[0].dtype)]


register("StatelessShuffle", kernel=_sl_shuffle_kernel, infer=_sl_shuffle_infer, grad=NON_DIFFERENTIABLE,
         api="tf.random.experimental.stateless_shuffle", args=("value", "key", "counter", "alg"),
         samples=lambda: [([S.normal(6, 2)] + _key_counter_sample(), {})])


# ---------------------------------------------------------------- public stateful API
def _shape(shape) -> tuple:
    return array_ops._int_tuple(shape)


def _shape_or_tensor(shape):
    """A shape argument as a tuple of ints, or as an int tensor when it is known only at run time
    (then the op takes it as an input, as TF's random ops do)."""
    try:
        return array_ops._int_tuple(shape)
    except TypeError:
        if not array_ops._run_time(shape):
            raise
        return array_ops._index_vector(shape)


def _shape_inputs(shape, attrs: dict) -> list:
    """The op's inputs for `shape` (none: it went into attrs) and its attrs."""
    if isinstance(shape, tuple):
        attrs["shape"] = shape
        return []
    return [shape]


def _is_default(v, default) -> bool:
    return (type(v) is int or type(v) is float) and v == default


def _scale_shift(rnd, scale, shift, dtype):
    """rnd * scale + shift as TF's wrappers compute it (skipped for the defaults 1 and 0)."""
    if not _is_default(scale, 1):
        rnd = math_ops.multiply(rnd, _t(scale, dtype))
    if not _is_default(shift, 0):
        rnd = math_ops.add(rnd, _t(shift, dtype))
    return rnd


def _scale_args(mean, stddev, dtype):
    """mean and stddev as tensors of `dtype` (left as Python numbers when they are the defaults)."""
    if not dtype.is_floating:
        _t(mean, dtype)  # TF's error for a non-float dtype: cannot convert 0.0 to it
    mean = mean if _is_default(mean, 0) else _t(mean, dtype)
    stddev = stddev if _is_default(stddev, 1) else _t(stddev, dtype)
    return mean, stddev


@tf_export("random.normal")
def random_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """Outputs random values from a normal distribution (tf.random.normal).

    Args:
      shape: a 1-D integer tensor or Python list, the output's shape.
      mean: the mean, a tensor or Python value of type `dtype` broadcastable with `stddev`.
      stddev: the standard deviation.
      dtype: float16, bfloat16, float32 or float64.
      seed: an op-level seed; see `tf.random.set_seed`.
    """
    dtype = dtypes.as_dtype(dtype)
    mean, stddev = _scale_args(mean, stddev, dtype)
    attrs = dict(dtype=dtype, **_seed_attrs(seed))
    rnd = bind("RandomStandardNormal", _shape_inputs(_shape_or_tensor(shape), attrs), attrs)
    return _scale_shift(rnd, stddev, mean, dtype)


@tf_export("random.truncated_normal")
def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """Random values from a normal distribution truncated (resampled) beyond 2 stddev (tf.random.truncated_normal)."""
    dtype = dtypes.as_dtype(dtype)
    mean, stddev = _scale_args(mean, stddev, dtype)
    attrs = dict(dtype=dtype, **_seed_attrs(seed))
    rnd = bind("TruncatedNormal", _shape_inputs(_shape_or_tensor(shape), attrs), attrs)
    return _scale_shift(rnd, stddev, mean, dtype)


_UNIFORM_DTYPES = (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64)


def _dtype_list(ds) -> str:
    return "(%s)" % ", ".join("tf.%s" % d.name for d in ds)


@tf_export("random.uniform")
def random_uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """Random values from a uniform distribution on [minval, maxval) (tf.random.uniform).

    Floats default to [0, 1); integer dtypes (int32, int64) require `maxval`.

    Raises:
      ValueError: for an integer dtype without `maxval`, or an unsupported dtype.
    """
    dtype = dtypes.as_dtype(dtype)
    if dtype not in _UNIFORM_DTYPES:
        raise ValueError("Argument `dtype` got invalid value %r. Accepted dtypes are %s."
                         % (dtype, _dtype_list(_UNIFORM_DTYPES)))
    if maxval is None:
        if dtype.is_integer:
            raise ValueError("Must specify maxval for integer dtype %r" % dtype)
        maxval = 1
    shape = _shape_or_tensor(shape)
    minval_is_zero = isinstance(minval, int) and minval == 0
    maxval_is_one = isinstance(maxval, int) and maxval == 1
    if not minval_is_zero or not maxval_is_one or dtype.is_integer:
        minval = _t(minval, dtype)
        maxval = _t(maxval, dtype)
    seeds = _seed_attrs(seed)
    if dtype.is_integer:
        attrs = dict(seeds)
        return bind("RandomUniformInt", [minval, maxval] + _shape_inputs(shape, attrs), attrs)
    attrs = dict(dtype=dtype, **seeds)
    result = bind("RandomUniform", _shape_inputs(shape, attrs), attrs)
    if minval_is_zero:
        if not maxval_is_one:
            result = math_ops.multiply(result, maxval)
        return result
    return math_ops.add(math_ops.multiply(result, math_ops.subtract(maxval, minval)), minval)


def _categorical_dtype(dtype):
    dtype = dtypes.as_dtype(dtype) if dtype else dtypes.int64
    if dtype not in (dtypes.int32, dtypes.int64):
        raise ValueError("Argument `dtype` got invalid value %r. Accepted dtypes are (tf.int32, tf.int64)." % dtype)
    return dtype


@tf_export("random.categorical")
def categorical(logits, num_samples, dtype=None, seed=None, name=None) -> Tensor:
    """Draws samples from categorical distributions (tf.random.categorical).

    Args:
      logits: [batch_size, num_classes] unnormalised log-probabilities.
      num_samples: samples to draw per row.
      dtype: int32 or int64 (default) output.
    Returns:
      [batch_size, num_samples] class indices.
    """
    dtype = _categorical_dtype(dtype)
    return bind("Multinomial", [_t(logits)], dict(num_samples=int(num_samples), output_dtype=dtype,
                                                   **_seed_attrs(seed)))


@tf_export("random.shuffle")
def random_shuffle(value, seed=None, name=None) -> Tensor:
    """Randomly shuffles a tensor along its first dimension (tf.random.shuffle)."""
    return bind("RandomShuffle", [_t(value)], _seed_attrs(seed))


@tf_export("random.gamma")
def random_gamma(shape, alpha, beta=None, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """Samples from Gamma(alpha, beta) distributions (tf.random.gamma).

    The result has shape `shape + broadcast(alpha.shape, beta.shape)`.
    """
    dtype = dtypes.as_dtype(dtype)
    alpha = _t(alpha, dtype)
    beta = _t(beta if beta is not None else 1, dtype)
    bshape = sh.broadcast_shapes(sh.dims(alpha), sh.dims(beta), "tf.random.gamma", "RandomGamma", ("alpha", "beta"))
    if bshape != sh.dims(alpha):
        alpha = array_ops.broadcast_to(alpha, bshape)
    rnd = bind("RandomGamma", [alpha], dict(shape=_shape(shape), **_seed_attrs(seed)))
    tiny = np.finfo(dtype.as_numpy_dtype).tiny
    return math_ops.maximum(_t(tiny, dtype), math_ops.divide(rnd, beta))


@tf_export("random.poisson")
def random_poisson(shape, lam, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """Samples from Poisson(lam) distributions; shape `shape + lam.shape` (tf.random.poisson)."""
    lam = _t(lam)
    return bind("RandomPoissonV2", [lam], dict(shape=_shape(shape), dtype=dtypes.as_dtype(dtype), **_seed_attrs(seed)))


# Short names used by other modules (dropout, initializers): random_ops.uniform(...).
normal = random_normal
uniform = random_uniform
shuffle = random_shuffle
gamma = random_gamma
poisson = random_poisson


# ---------------------------------------------------------------- public stateless API
def _seed_tensor(seed, api, op):
    s = _t(seed)
    if s.dtype not in _SEED_DTYPES:
        raise InvalidArgumentError(None, None, "%s: Value for attr 'Tseed' of %s is not in the list of allowed "
                                   "values: int32, int64 [Op:%s]" % (api, s.dtype.name, op))
    return s


def _stateless_bind(op, api, shape, seed, dtype, extra=()):
    return bind(op, [_seed_tensor(seed, api, op)] + list(extra), {"shape": _shape(shape), "dtype": dtype})


_STATELESS_UNIFORM_DTYPES = _UNIFORM_DTYPES + (dtypes.uint32, dtypes.uint64)


@tf_export("random.stateless_uniform")
def stateless_random_uniform(shape, seed, minval=0, maxval=None, dtype=dtypes.float32, name=None,
                             alg="auto_select") -> Tensor:
    """Deterministic uniform values: the same `seed` (shape [2]) always gives the same numbers
    (tf.random.stateless_uniform). Integer dtypes with minval=maxval=None cover the full range."""
    dtype = dtypes.as_dtype(dtype)
    if dtype not in _STATELESS_UNIFORM_DTYPES:
        raise ValueError("Argument `dtype` got invalid value %r. Accepted dtypes are %s."
                         % (dtype, _dtype_list(_STATELESS_UNIFORM_DTYPES)))
    if dtype.is_integer:
        if (minval is None) != (maxval is None):
            raise ValueError("For integer `dtype` argument %r, argument `minval` and `maxval` must be both None or "
                             "not None. Got `minval`=%s and `maxval`=%s." % (dtype, minval, maxval))
        if minval is not None and dtype in (dtypes.uint32, dtypes.uint64):
            raise ValueError("Argument `dtype` got invalid value %r when argument `minval` is not None. Please "
                             "don't use unsigned integers in this case." % dtype)
    elif maxval is None:
        maxval = 1
    _alg_int(alg)
    api = "tf.random.stateless_uniform"
    if dtype.is_integer and minval is None:
        return _stateless_bind("StatelessRandomUniformFullInt", api, shape, seed, dtype)
    minval = _t(minval, dtype)
    maxval = _t(maxval, dtype)
    if dtype.is_integer:
        return bind("StatelessRandomUniformInt", [_seed_tensor(seed, api, "StatelessRandomUniformInt"), minval, maxval],
                    {"shape": _shape(shape)})
    rnd = _stateless_bind("StatelessRandomUniform", api, shape, seed, dtype)
    return math_ops.add(math_ops.multiply(rnd, math_ops.subtract(maxval, minval)), minval)


@tf_export("random.stateless_normal")
def stateless_random_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None,
                            alg="auto_select") -> Tensor:
    """Deterministic normal values for a shape-[2] `seed` (tf.random.stateless_normal)."""
    dtype = dtypes.as_dtype(dtype)
    mean, stddev = _scale_args(mean, stddev, dtype)
    _alg_int(alg)
    rnd = _stateless_bind("StatelessRandomNormal", "tf.random.stateless_normal", shape, seed, dtype)
    return _scale_shift(rnd, stddev, mean, dtype)


@tf_export("random.stateless_truncated_normal")
def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None,
                               alg="auto_select") -> Tensor:
    """Deterministic truncated-normal values for a shape-[2] `seed` (tf.random.stateless_truncated_normal)."""
    dtype = dtypes.as_dtype(dtype)
    mean, stddev = _scale_args(mean, stddev, dtype)
    _alg_int(alg)
    rnd = _stateless_bind("StatelessTruncatedNormal", "tf.random.stateless_truncated_normal", shape, seed, dtype)
    return _scale_shift(rnd, stddev, mean, dtype)


@tf_export("random.stateless_categorical")
def stateless_categorical(logits, num_samples, seed, dtype=dtypes.int64, name=None) -> Tensor:
    """Deterministic categorical samples for a shape-[2] `seed` (tf.random.stateless_categorical)."""
    dtype = _categorical_dtype(dtype)
    seed = _seed_tensor(seed, "tf.random.stateless_categorical", "StatelessMultinomial")
    return bind("StatelessMultinomial", [_t(logits), seed], {"num_samples": int(num_samples), "output_dtype": dtype})


@tf_export("random.stateless_gamma")
def stateless_random_gamma(shape, seed, alpha, beta=None, dtype=dtypes.float32, name=None) -> Tensor:
    """Deterministic Gamma samples; `shape` must end with the broadcast shape of alpha and beta
    (tf.random.stateless_gamma)."""
    dtype = dtypes.as_dtype(dtype)
    alpha = _t(alpha, dtype)
    beta = _t(beta if beta is not None else 1, dtype)
    bshape = sh.broadcast_shapes(sh.dims(alpha), sh.dims(beta), "tf.random.stateless_gamma",
                                 "StatelessRandomGammaV2", ("alpha", "beta"))
    if bshape != sh.dims(alpha):
        alpha = array_ops.broadcast_to(alpha, bshape)
    seed = _seed_tensor(seed, "tf.random.stateless_gamma", "StatelessRandomGammaV2")
    rnd = bind("StatelessRandomGammaV2", [seed, alpha], {"shape": _shape(shape)})
    tiny = np.finfo(dtype.as_numpy_dtype).tiny
    return math_ops.maximum(_t(tiny, dtype), math_ops.divide(rnd, beta))


@tf_export("random.stateless_poisson")
def stateless_random_poisson(shape, seed, lam, dtype=dtypes.int32, name=None) -> Tensor:
    """Deterministic Poisson samples; `lam` matches the trailing dims of `shape` (tf.random.stateless_poisson)."""
    return _stateless_bind("StatelessRandomPoisson", "tf.random.stateless_poisson", shape, seed,
                           dtypes.as_dtype(dtype), [_t(lam)])


@tf_export("random.stateless_binomial")
def stateless_random_binomial(shape, seed, counts, probs, output_dtype=dtypes.int32, name=None) -> Tensor:
    """Deterministic binomial samples (tf.random.stateless_binomial)."""
    probs = _t(probs)
    counts = _t(counts, probs.dtype) if not hasattr(counts, "dtype") else _t(counts)
    return _stateless_bind("StatelessRandomBinomial", "tf.random.stateless_binomial", shape, seed,
                           dtypes.as_dtype(output_dtype), [counts, probs])


@tf_export("random.split", "random.experimental.stateless_split")
def split(seed, num=2, alg="auto_select") -> Tensor:
    """Splits a shape-[2] seed into `num` new seeds, shape [num, 2] (tf.random.split)."""
    seed = _t(seed)
    return stateless_random_uniform(shape=[int(num), 2], seed=seed, dtype=seed.dtype, minval=None, maxval=None,
                                    alg=alg)


@tf_export("random.fold_in", "random.experimental.stateless_fold_in")
def fold_in(seed, data, alg="auto_select") -> Tensor:
    """Folds `data` into a shape-[2] seed, giving a new seed (tf.random.fold_in)."""
    data = _t(data)
    seed1 = stateless_random_uniform(shape=[], seed=seed, dtype=data.dtype, minval=None, maxval=None, alg=alg)
    return array_ops.stack([seed1, data])


@tf_export("random.experimental.stateless_shuffle")
def stateless_shuffle(value, seed, alg="auto_select", name=None) -> Tensor:
    """Deterministically shuffles `value` along its first dimension (tf.random.experimental.stateless_shuffle)."""
    api = "tf.random.experimental.stateless_shuffle"
    key, counter = bind("StatelessRandomGetKeyCounter", [_seed_tensor(seed, api, "StatelessRandomGetKeyCounter")])
    return bind("StatelessShuffle", [_t(value), key, counter, _t(np.int32(_alg_int(alg)))])


# ---------------------------------------------------------------- tf.random.Generator
@tf_export("random.Algorithm", "random.experimental.Algorithm")
class Algorithm(enum.Enum):
    """The RNG algorithms (tf.random.Algorithm). All map to NumPy's Philox here."""
    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


def _unsupported_alg(alg) -> str:
    return ("Argument `alg` got unsupported value %s. Supported values are %s for the Philox algorithm, %s for the "
            "ThreeFry algorithm, and %s for auto-selection." % (alg, Algorithm.PHILOX.value, Algorithm.THREEFRY.value,
                                                                Algorithm.AUTO_SELECT.value))


def _alg_int(alg) -> int:
    """TF's convert_alg_to_int: an Algorithm, its name or its number, as an int."""
    if isinstance(alg, Algorithm):
        return alg.value
    if isinstance(alg, (int, np.integer)):
        return int(alg)
    if isinstance(alg, Tensor):
        return int(alg)
    if isinstance(alg, str):
        canon = alg.strip().lower().replace("-", "").replace("_", "")
        names = {"philox": 1, "threefry": 2, "autoselect": 3}
        if canon in names:
            return names[canon]
        raise ValueError(_unsupported_alg(alg))
    raise TypeError("Can't convert argument `alg` (of value %s and type %s) to int." % (alg, type(alg)))


def _state_size(alg: int) -> int:
    if alg in (1, 3):
        return 3
    if alg == 2:
        return 2
    raise ValueError(_unsupported_alg(alg))


def _to_int64(n: int) -> int:
    n &= _M64
    return n - (1 << 64) if n >= 1 << 63 else n


def _make_1d_state(state_size: int, seed) -> np.ndarray:
    """TF's _make_1d_state: a Python int chopped into 64-bit words, or a vector, left-padded with zeros."""
    if isinstance(seed, (int, np.integer)):
        seed = int(seed)
        words = []
        for _ in range(state_size):
            words.append(seed & _M64)
            seed >>= 64
        arr = np.array([_to_int64(w) for w in words], np.int64)
    else:
        v = seed.numpy() if hasattr(seed, "numpy") else seed
        arr = np.array([_to_int64(int(w)) for w in np.asarray(v).reshape(-1)], np.int64)
    arr = arr[:state_size]
    return np.concatenate([np.zeros(state_size - arr.size, np.int64), arr])


@tf_export("random.create_rng_state", "random.experimental.create_rng_state")
def create_rng_state(seed, alg) -> Tensor:
    """An RNG state (int64 vector) from an integer or vector seed (tf.random.create_rng_state)."""
    return Tensor(_make_1d_state(_state_size(_alg_int(alg)), seed))


def _state_tensor(state) -> Tensor:
    if isinstance(state, Tensor) or hasattr(state, "_as_tensor") or getattr(state, "_is_symbolic_tensor", False):
        t = _t(state)
        return t if t.dtype is dtypes.int64 else math_ops.cast(t, dtypes.int64)
    arr = np.asarray(state, dtype=object).reshape(-1) if not isinstance(state, np.ndarray) else state.reshape(-1)
    return Tensor(np.array([_to_int64(int(v)) for v in arr], np.int64).reshape(np.shape(state)))


def _check_state_shape(shape, alg):
    shape.assert_is_compatible_with([_state_size(alg)])


@tf_export("random.Generator", "random.experimental.Generator")
class Generator:
    """A random number generator whose state is a tf.Variable (tf.random.Generator).

    Example:

    >>> g = tf.random.Generator.from_seed(1234)
    >>> g.normal(shape=(2, 3))

    The state is an int64 vector [counter..., key]; each draw reads it and advances the counter,
    so two generators created from the same seed produce the same sequence. The numbers come from
    NumPy's Philox and differ from TF's, the semantics match.
    """

    @classmethod
    def from_state(cls, state, alg) -> "Generator":
        """A generator from a state vector and algorithm."""
        return cls(state=state, alg=alg)

    @classmethod
    def from_seed(cls, seed, alg=None) -> "Generator":
        """A generator from an integer (or vector) seed."""
        alg = _alg_int(Algorithm.PHILOX if alg is None else alg)
        return cls(state=create_rng_state(seed, alg), alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None) -> "Generator":
        """A generator seeded from OS entropy."""
        alg = _alg_int(Algorithm.PHILOX if alg is None else alg)
        state = np.frombuffer(os.urandom(8 * _state_size(alg)), np.int64).copy()
        return cls(state=Tensor(state), alg=alg)

    @classmethod
    def from_key_counter(cls, key, counter, alg) -> "Generator":
        """A generator from a key (scalar) and a counter vector."""
        alg = _alg_int(alg)
        return cls(state=_key_counter_state(key, counter, alg), alg=alg)

    def __init__(self, copy_from=None, state=None, alg=None):
        if copy_from is not None:
            assert (alg or state) is None
            self._state_var = self._create_variable(copy_from.state.read_value())
            self._alg = copy_from.algorithm
            return
        if alg is None or state is None:
            raise ValueError("Generator needs both `state` and `alg` (or `copy_from`); use "
                             "tf.random.Generator.from_seed or from_non_deterministic_state.")
        alg = _alg_int(alg)
        if isinstance(state, Variable):
            _check_state_shape(state.shape, alg)
            self._state_var = state
        else:
            state = _state_tensor(state)
            _check_state_shape(state.shape, alg)
            self._state_var = self._create_variable(state)
        self._alg = alg

    @staticmethod
    def _create_variable(state) -> Variable:
        return Variable(state, dtype=dtypes.int64, trainable=False, name="StateVar")

    # -- state
    @property
    def state(self) -> Variable:
        """The internal state of the RNG (an int64 tf.Variable)."""
        return self._state_var

    @property
    def algorithm(self) -> int:
        """The RNG algorithm id (1 Philox, 2 ThreeFry, 3 auto-select)."""
        return self._alg

    @property
    def key(self) -> Tensor:
        """The 'key' part of the state (its last element)."""
        size = _state_size(self._alg)
        return array_ops.reshape(array_ops.split(self._state_var.read_value(), [size - 1, 1])[1], [])

    def reset(self, state) -> None:
        """Resets the generator to a new state vector."""
        state = _state_tensor(state)
        _check_state_shape(state.shape, self._alg)
        self._state_var.assign(state)

    def reset_from_seed(self, seed) -> None:
        """Resets the generator from a seed (as `from_seed`)."""
        self._state_var.assign(create_rng_state(seed, self._alg))

    def reset_from_key_counter(self, key, counter) -> None:
        """Resets the generator from a key and a counter."""
        self._state_var.assign(_key_counter_state(key, counter, self._alg))

    def skip(self, delta) -> Tensor:
        """Advances the counter as `delta` draws would; returns the state before the skip."""
        old = self._state_var.read_value()
        inc = np.zeros(_state_size(self._alg), np.int64)
        inc[0] = _to_int64(256 * int(delta))
        self._state_var.assign_add(Tensor(inc))
        return old

    def _prepare_key_counter(self, shape):
        old = self.skip(int(np.prod(shape, dtype=np.int64)))
        size = _state_size(self._alg)
        counter, key = array_ops.split(old, [size - 1, 1])
        return key, counter

    def _v2(self, op, shape, dtype, extra=()):
        key, counter = self._prepare_key_counter(shape)
        attrs = {"shape": shape} if dtype is None else {"shape": shape, "dtype": dtype}
        return bind(op, [key, counter, _t(np.int32(self._alg))] + list(extra), attrs)

    # -- distributions
    def normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None) -> Tensor:
        """Normal samples; advances the state."""
        dtype = dtypes.as_dtype(dtype)
        mean, stddev = _scale_args(mean, stddev, dtype)
        rnd = self._v2("StatelessRandomNormalV2", _shape(shape), dtype)
        return _scale_shift(rnd, stddev, mean, dtype)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None) -> Tensor:
        """Truncated-normal samples (resampled beyond 2 stddev); advances the state."""
        dtype = dtypes.as_dtype(dtype)
        mean, stddev = _scale_args(mean, stddev, dtype)
        rnd = self._v2("StatelessTruncatedNormalV2", _shape(shape), dtype)
        return _scale_shift(rnd, stddev, mean, dtype)

    def uniform(self, shape, minval=0, maxval=None, dtype=dtypes.float32, name=None) -> Tensor:
        """Uniform samples on [minval, maxval); integers need both bounds or neither (full range)."""
        dtype = dtypes.as_dtype(dtype)
        if dtype.is_integer:
            if (minval is None) != (maxval is None):
                raise ValueError("For integer dtype {}, minval and maxval must be both `None` or both non-`None`; "
                                 "got minval={} and maxval={}".format(dtype, minval, maxval))
        elif maxval is None:
            maxval = 1
        shape = _shape(shape)
        if dtype.is_integer and minval is None:
            return self._v2("StatelessRandomUniformFullIntV2", shape, dtype)
        minval = _t(minval, dtype)
        maxval = _t(maxval, dtype)
        if dtype.is_integer:
            return self._v2("StatelessRandomUniformIntV2", shape, None, [minval, maxval])
        rnd = self._v2("StatelessRandomUniformV2", shape, dtype)
        return math_ops.add(math_ops.multiply(rnd, math_ops.subtract(maxval, minval)), minval)

    def uniform_full_int(self, shape, dtype=dtypes.uint64, name=None) -> Tensor:
        """Integers uniform over the dtype's whole range."""
        return self._v2("StatelessRandomUniformFullIntV2", _shape(shape), dtypes.as_dtype(dtype))

    def binomial(self, shape, counts, probs, dtype=dtypes.int32, name=None) -> Tensor:
        """Binomial samples; advances the state."""
        seed = array_ops.reshape(self.make_seeds(1), [2])
        return stateless_random_binomial(shape, seed, counts, probs, output_dtype=dtype)

    # -- seeds and splitting
    def _make_int64_keys(self, shape=()) -> Tensor:
        return self.uniform_full_int(shape=shape, dtype=dtypes.int64)

    def make_seeds(self, count=1) -> Tensor:
        """[2, count] int64 seeds for stateless ops; advances the state."""
        keys = self._make_int64_keys(shape=[count])
        return array_ops.stack([keys, array_ops.zeros_like(keys)])

    def split(self, count=1) -> list:
        """`count` new, independent generators; advances this one's state."""
        keys = self._make_int64_keys(shape=[count])
        size = _state_size(self._alg)
        zeros = array_ops.zeros([size - 1], dtypes.int64)
        return [Generator(state=array_ops.concat([zeros, array_ops.reshape(k, [1])], 0), alg=self._alg)
                for k in array_ops.unstack(keys, num=count)]


def _key_counter_state(key, counter, alg) -> Tensor:
    counter = _state_tensor(counter)
    key = _state_tensor(key)
    counter.shape.assert_is_compatible_with([_state_size(alg) - 1])
    key.shape.assert_is_compatible_with([])
    return array_ops.concat([counter, array_ops.reshape(key, [1])], 0)


_global_generator = None


@tf_export("random.get_global_generator", "random.experimental.get_global_generator")
def get_global_generator() -> Generator:
    """The global generator, created from non-deterministic state on first use."""
    global _global_generator
    if _global_generator is None:
        _global_generator = Generator.from_non_deterministic_state()
    return _global_generator


@tf_export("random.set_global_generator", "random.experimental.set_global_generator")
def set_global_generator(generator: Generator) -> None:
    """Replaces the global generator."""
    global _global_generator
    _global_generator = generator
