"""Math ops: elementwise arithmetic, comparisons, reductions, scans, segments.

Elementwise kernels check the dtype kinds TF allows (a float-only op given an int32 tensor
raises TF's InvalidArgumentError, never NumPy's silent promotion); float16/bfloat16 special
functions run in float32 or float64 and round back. Special functions NumPy lacks (erf, erfc,
lgamma, digamma, ndtri, erfinv) are implemented here, vectorised, to float64 accuracy.
"""
from __future__ import annotations

import math

import ml_dtypes
import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import constant_value, convert_to_tensor, mixed_dtype_error
from ..framework.errors import InvalidArgumentError
from ..framework.indexed_slices import IndexedSlices
from ..framework.tensor import Tensor
from ..framework.tensor_shape import TensorShape
from . import array_ops, intra_op
from . import sample_inputs as S
from . import shapes as sh
from .registry import NON_DIFFERENTIABLE, bind, register

_t = convert_to_tensor


# ---------------------------------------------------------------- conversion of operands
def binary_operands(op_name: str, x, y):
    """Converts the two operands of a binary op with TF's rules.

    A Python or NumPy value takes the dtype of the tensor beside it (NumPy values are cast, as
    TF casts them; a Python value that does not fit, like 0.5 for an int32 tensor, raises
    TypeError "Cannot convert ..."); two tensors must share a dtype, else InvalidArgumentError
    (TF never promotes implicitly).
    """
    tx, ty = type(x), type(y)
    if tx is Tensor:
        if ty is Tensor:
            if x._dtype is not y._dtype:
                raise mixed_dtype_error(op_name, 1, x._dtype, y._dtype)
            return x, y
        if ty is float or ty is int:
            if x._dtype.is_floating:
                return x, Tensor(x._dtype._np.type(y), x._dtype)
        return x, _convert_like(op_name, y, x._dtype, 1)
    if ty is Tensor or _is_tensorish(y):
        y = _t(y)
        return _convert_like(op_name, x, y.dtype, 0), y
    x = _t(x)
    return x, _convert_like(op_name, y, x.dtype, 1)


def _is_tensorish(v) -> bool:
    return isinstance(v, Tensor) or hasattr(v, "_as_tensor") or getattr(v, "_is_symbolic_tensor", False)


_NUMERIC_KINDS = "biufcV"


def _convert_like(op_name, v, dtype, index):
    """`v` (the operand at `index`) as a tensor of `dtype`, the other operand's."""
    if _is_tensorish(v):
        t = _t(v)
        if t.dtype is not dtype:
            raise mixed_dtype_error(op_name, index, dtype, t.dtype) if index else mixed_dtype_error(
                op_name, 1, t.dtype, dtype)
        return t
    if isinstance(v, (np.ndarray, np.generic)) and v.dtype.kind in _NUMERIC_KINDS and dtype._np.kind in _NUMERIC_KINDS:
        # TF casts NumPy values to the tensor's dtype (float64 -> float32, even float -> int).
        return Tensor(np.array(v, dtype=dtype._np), dtype)
    try:
        return constant_value(v, dtype)
    except (TypeError, ValueError):
        if type(v) is int and dtype.is_integer and -2 ** 63 <= v < 2 ** 64:
            return Tensor(np.array(v).astype(dtype._np), dtype)  # TF wraps Python ints around, like C
        if op_name == "AddV2" and index:
            # tf.add and `+` convert the second operand with a dtype hint only, so the op
            # itself reports the mismatch.
            raise mixed_dtype_error(op_name, 1, dtype, _t(v).dtype) from None
        raise TypeError("Cannot convert %r to EagerTensor of dtype %s" % (v, dtype.name)) from None


def _rank(x):
    return x._value.ndim if type(x) is Tensor else x.shape.rank


def _static_value(spec):
    """The NumPy value of an eager tensor spec (None for symbolic specs)."""
    return spec._value if type(spec) is Tensor else None


# ---------------------------------------------------------------- gradient helpers
def unbroadcast(g, shape, x=None):
    """Sums `g` over the axes that broadcasting added to reach it from `shape`.

    `x` (the input whose shape is `shape`) is used when the static shapes cannot decide
    which axes were broadcast (unknown dims inside tf.function): its run-time shape then
    picks them (BroadcastGradientArgs), as TF's gradients do.
    """
    gshape = g.shape._dims
    if getattr(shape, "rank", 0) is None or getattr(shape, "_dims", 0) is None:  # unknown rank
        if x is None:
            raise ValueError("Cannot reduce a gradient of shape %s to an input of unknown rank" % g.shape)
        return _dynamic_unbroadcast(g, x, None)
    target = tuple(shape)
    if gshape == target and None not in target:
        return g
    if gshape is None or None in target:
        if x is not None and _ambiguous_broadcast(gshape, target):
            return _dynamic_unbroadcast(g, x, target)
        if gshape == target:
            return g
    nlead = len(gshape) - len(target)
    axes = list(range(nlead)) + [i + nlead for i, d in enumerate(target) if d == 1 and gshape[i + nlead] != 1]
    if axes:
        g = reduce_sum(g, axis=axes, keepdims=False)
    if g.shape._dims == target:
        return g
    # Unknown dims (inside tf.function) are left to the reshape as -1 when there is only one.
    if sum(d is None for d in target) > 1:
        if x is not None:
            return array_ops.reshape(g, array_ops.dynamic_shape(x, "unbroadcast"))
        raise ValueError("Cannot reduce a gradient of shape %s to the input shape %s with more than one unknown "
                         "dimension" % (g.shape, TensorShape(target)))
    return array_ops.reshape(g, [-1 if d is None else d for d in target])


def _ambiguous_broadcast(gshape, target) -> bool:
    """Whether static shapes leave open which axes of a gradient were broadcast from `target`."""
    if gshape is None or len(gshape) < len(target):
        return True
    lead = len(gshape) - len(target)
    return any(t is None and gshape[i + lead] != 1 for i, t in enumerate(target))


def _dynamic_unbroadcast(g, x, target):
    """unbroadcast with run-time shapes: sum over BroadcastGradientArgs' axes, reshape to shape(x)."""
    sx = array_ops.shape(x)
    rx, _ = bind("BroadcastGradientArgs", [sx, array_ops.shape(g)])
    out = array_ops.reshape(bind("Sum", [g, rx], {"keep_dims": True}), sx)
    if target is not None:
        out.set_shape(target)
    return out


def _bga_kernel(xp, s0, s1):
    a, b = [int(d) for d in s0], [int(d) for d in s1]
    if a == b:
        return np.zeros(0, s0.dtype), np.zeros(0, s1.dtype)
    n = max(len(a), len(b))
    a, b = [1] * (n - len(a)) + a, [1] * (n - len(b)) + b
    for u, v in zip(a, b):
        if u != v and u != 1 and v != 1:
            raise sh.error("tf.raw_ops.BroadcastGradientArgs", "BroadcastGradientArgs",
                           "Incompatible shapes: [%s] vs. [%s]" % (",".join(map(str, s0)), ",".join(map(str, s1))))
    return (np.array([i for i in range(n) if a[i] == 1], s0.dtype),
            np.array([i for i in range(n) if b[i] == 1], s1.dtype))


def _bga_infer(specs, attrs):
    sh.same_dtype("tf.raw_ops.BroadcastGradientArgs", "BroadcastGradientArgs", specs, ("s0", "s1"))
    v = [array_ops._const(s) for s in specs]
    if v[0] is not None and v[1] is not None:
        r0, r1 = _bga_kernel(np, np.asarray(v[0]), np.asarray(v[1]))
        return [(r0.shape, specs[0].dtype), (r1.shape, specs[1].dtype)]
    return [((None,), specs[0].dtype), ((None,), specs[1].dtype)]


register("BroadcastGradientArgs", kernel=_bga_kernel, infer=_bga_infer, grad=NON_DIFFERENTIABLE, num_outputs=2,
         api="tf.raw_ops.BroadcastGradientArgs", args=("s0", "s1"),
         samples=lambda: [([np.array([1, 3], np.int32), np.array([1, 1], np.int32)], {}),
                          ([np.array([2, 1, 3], np.int64), np.array([3], np.int64)], {}),
                          ([np.array([2, 3], np.int32), np.array([2, 3], np.int32)], {})])


def _cj(t):
    """conj(t) for complex tensors (TF's gradients use the conjugate), t otherwise."""
    return conj(t) if t.dtype.is_complex else t


def _binary_grads(op, gx, gy):
    """Unbroadcasts a binary op's two input gradients to the inputs' shapes."""
    x, y = op.inputs
    return [None if gx is None else unbroadcast(gx, x.shape, x), None if gy is None else unbroadcast(gy, y.shape, y)]


def _finfo(dtype):
    return ml_dtypes.finfo(dtype.as_numpy_dtype)


# ---------------------------------------------------------------- inference helpers
def _binary_infer(api, op_name, out_dtype=None, allowed=None, names=("x", "y")):
    def infer(specs, attrs):
        d = sh.same_dtype(api, op_name, specs, names)
        if allowed is not None:
            sh.check_dtype(api, op_name, specs[0], allowed, names[0])
        return [(sh.broadcast_shapes(sh.dims(specs[0]), sh.dims(specs[1]), api, op_name, names), out_dtype or d)]
    return infer


def _unary_infer(api, op_name, allowed=None, out_dtype=None, name="x"):
    def infer(specs, attrs):
        if allowed is not None:
            sh.check_dtype(api, op_name, specs[0], allowed, name)
        return [(sh.dims(specs[0]), out_dtype or specs[0].dtype)]
    return infer


def _bool_inputs(api, op_name, specs, names):
    for i, s in enumerate(specs):
        if s.dtype is not dtypes.bool:
            raise InvalidArgumentError(
                None, None, "%s: cannot compute %s as input #%d(zero-based) (argument %s) was expected to be a bool "
                "tensor but is a %s tensor [Op:%s]" % (api, op_name, i, names[i], s.dtype.name, op_name))


def _binary_samples(a=S.normal, b=S.normal):
    return lambda: [([a(3, 4), b(3, 4)], {}), ([a(2, 1, 4), b(3, 1)], {})]


# ---------------------------------------------------------------- kernel helpers
_BF16 = np.dtype(ml_dtypes.bfloat16)
_F16 = np.dtype(np.float16)


def _unsupported(x):
    return TypeError("unsupported dtype %s" % x.dtype)


_SPLIT = intra_op.SPLIT_ELEMENTS


def _ew(fn, kinds="fc", up16=False):
    """An elementwise kernel: `fn(x)` for dtype kinds in `kinds` (f float, c complex, i/u ints,
    b bool); bfloat16 (and float16 when `up16`) is computed in float32 and rounded back."""
    def kernel(xp, x):
        dt = x.dtype
        k = dt.kind
        if k in kinds and not (up16 and dt == _F16):
            return fn(x) if x.size < _SPLIT else intra_op.elementwise(fn, x)
        if "f" in kinds and (dt == _BF16 or dt == _F16):
            r = fn(x.astype(np.float32))
            return r if r.dtype.kind == "b" else r.astype(dt)
        raise _unsupported(x)
    return kernel


def _ew2(fn, kinds="fc"):
    """A binary elementwise kernel over two arrays of one dtype whose kind is in `kinds`."""
    def kernel(xp, x, y):
        dt = x.dtype
        if dt != y.dtype:
            raise TypeError("mismatched dtypes %s and %s" % (dt, y.dtype))
        if dt.kind in kinds:
            return fn(x, y)
        if "f" in kinds and dt == _BF16:
            r = fn(x.astype(np.float32), y.astype(np.float32))
            return r if r.dtype.kind == "b" else r.astype(dt)
        raise _unsupported(x)
    return kernel


_BLOCK = 65536


def _blockwise(fn, x, work_dtype):
    """fn (1-D array -> 1-D array) over blocks of x computed in `work_dtype`, so that its
    temporaries stay in cache; the result has x's dtype and shape."""
    flat = x.reshape(-1)
    n = flat.size
    if n <= _BLOCK:
        return np.asarray(fn(flat.astype(work_dtype, copy=False)), dtype=x.dtype).reshape(x.shape)
    out = np.empty(n, dtype=x.dtype)
    for i in range(0, n, _BLOCK):
        out[i:i + _BLOCK] = fn(flat[i:i + _BLOCK].astype(work_dtype, copy=False))
    return out.reshape(x.shape)


def _in64(fn):
    """Runs the float64 special function `fn` blockwise and rounds back to the input dtype."""
    return lambda x: _blockwise(fn, x, np.float64)


# ---------------------------------------------------------------- special functions (float64 NumPy)
# W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969).
_ERF_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
          3.20937758913846947e03, 1.85777706184603153e-1)
_ERF_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03)
_ERF_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01, 2.98635138197400131e02,
          8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03,
          2.15311535474403846e-8)
_ERF_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02, 1.62138957456669019e03,
          3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03, 1.23033935480374942e03)
_ERF_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
          6.58749161529837803e-4, 1.63153871373020978e-2)
_ERF_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1, 6.05183413124413191e-2,
          2.33520497626869185e-3)
_SQRPI = 5.6418958354775628695e-1  # 1/sqrt(pi)


def _erf_small(y):
    """erf(y) for |y| <= 0.46875 (Cody's first interval)."""
    z = y * y
    num = _ERF_A[4] * z
    den = z
    for i in range(3):
        num = (num + _ERF_A[i]) * z
        den = (den + _ERF_B[i]) * z
    return y * (num + _ERF_A[3]) / (den + _ERF_B[3])


def _erfc_large(y):
    """erfc(y) for y > 0.46875, inf included (Cody's second and third intervals)."""
    y = np.minimum(y, 30.0)  # erfc underflows to 0 well before 30
    out = np.empty_like(y)
    mid = y <= 4.0
    if mid.any():
        v = y[mid]
        num = _ERF_C[8] * v
        den = v
        for i in range(7):
            num = (num + _ERF_C[i]) * v
            den = (den + _ERF_D[i]) * v
        out[mid] = (num + _ERF_C[7]) / (den + _ERF_D[7])
    big = ~mid
    if big.any():
        v = y[big]
        z = 1.0 / (v * v)
        num = _ERF_P[5] * z
        den = z
        for i in range(4):
            num = (num + _ERF_P[i]) * z
            den = (den + _ERF_Q[i]) * z
        out[big] = (_SQRPI - z * (num + _ERF_P[4]) / (den + _ERF_Q[4])) / v
    # exp(-y*y) as exp(-ysq*ysq) * exp(-del) keeps its relative accuracy for large y
    ysq = np.trunc(y * 16.0) / 16.0
    return np.exp(-ysq * ysq) * np.exp(-(y - ysq) * (y + ysq)) * out


def _erf64(x):
    flat = x.reshape(-1)
    out = np.full(flat.shape, np.nan)
    y = np.abs(flat)
    small = y <= 0.46875
    if small.any():
        out[small] = _erf_small(flat[small])
    large = y > 0.46875
    if large.any():
        v = flat[large]
        out[large] = np.copysign(1.0 - _erfc_large(np.abs(v)), v)
    return out.reshape(x.shape)


# The float32 rational approximation of erf on [-4, 4] used by Eigen (and so by TF on CPU).
_ERF32_P = (-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06, -5.69250639462346e-05,
            -7.34990630326855e-04, -2.95459980854025e-03, -1.60960333262415e-02)
_ERF32_Q = (-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03, -7.37332916720468e-03,
            -1.42647390514189e-02)


def _erf32(x):
    """erf for float32 arrays: one rational function of x on [-4, 4], a few float32 ulps."""
    x = _arr(np.clip(x, -4.0, 4.0))
    x2 = x * x
    p = np.full_like(x, _ERF32_P[0])
    for c in _ERF32_P[1:]:
        p *= x2
        p += c
    q = np.full_like(x, _ERF32_Q[0])
    for c in _ERF32_Q[1:]:
        q *= x2
        q += c
    p *= x
    p /= q
    return np.clip(p, -1.0, 1.0, out=p)


def _erf_any(x):
    """erf: Cody's float64 approximation for float64, the float32 rational function otherwise."""
    return _erf64_blocks(x) if x.dtype == np.float64 else _blockwise(_erf32, x, np.float32)


def _erfc64(x):
    flat = x.reshape(-1)
    out = np.full(flat.shape, np.nan)
    y = np.abs(flat)
    small = y <= 0.46875
    if small.any():
        out[small] = 1.0 - _erf_small(flat[small])
    large = y > 0.46875
    if large.any():
        v = flat[large]
        e = _erfc_large(np.abs(v))
        out[large] = np.where(v < 0, 2.0 - e, e)
    return out.reshape(x.shape)


def _zeta_minus_one(k: int) -> float:
    """zeta(k) - 1 = sum_{n>=2} n**-k for an integer k >= 2 (Euler-Maclaurin, full double precision)."""
    n0 = 20
    head = math.fsum(n ** -float(k) for n in range(2, n0))
    terms = [n0 ** (1.0 - k) / (k - 1), 0.5 * n0 ** -float(k)]
    for j, b in enumerate((1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6), 1):
        m = 2 * j - 1
        terms.append(b / math.factorial(2 * j) * math.prod(range(k, k + m)) * n0 ** (-float(k) - m))
    return head + math.fsum(terms)


_EULER = 0.57721566490153286061
# lgamma(2 + t) = (1 - euler) t + sum_{k>=2} (-1)^k (zeta(k) - 1)/k t^k, used for |t| < 1/4: full
# relative accuracy around the roots of lgamma at 1 and 2.
_LG2 = (0.0, 1.0 - _EULER) + tuple((-1) ** k * _zeta_minus_one(k) / k for k in range(2, 23))
# Lanczos approximation, g = 7, n = 9.
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7)
_HALF_LOG_2PI = 0.91893853320467274178


def _lg2_series(t):
    acc = np.full_like(t, _LG2[-1])
    for c in _LG2[-2::-1]:
        acc *= t
        acc += c
    return acc


def _lanczos_lgamma(x):
    """lgamma(x) for x >= 1/2 (inf included), by the Lanczos approximation."""
    z = x - 1.0
    s = np.full_like(z, _LANCZOS[0])
    for i in range(1, 9):
        s += _LANCZOS[i] / (z + i)
    t = z + 7.5
    v = _HALF_LOG_2PI + (z + 0.5) * np.log(t) - t + np.log(s)
    return np.where(np.isinf(z), np.inf, v)


def _lgamma_pos(x):
    """lgamma for x > 0 (inf included)."""
    out = np.empty_like(x)
    near1 = np.abs(x - 1.0) < 0.25
    near2 = np.abs(x - 2.0) < 0.25
    rest = ~(near1 | near2)
    if near1.any():
        t = x[near1] - 1.0
        out[near1] = _lg2_series(t) - np.log1p(t)
    if near2.any():
        out[near2] = _lg2_series(x[near2] - 2.0)
    if rest.any():
        v = x[rest]
        small = v < 0.5  # lgamma(x) = lgamma(x + 1) - log(x)
        lg = _lanczos_lgamma(np.where(small, v + 1.0, v))
        if small.any():
            lg[small] -= np.log(v[small])
        out[rest] = lg
    return out


def _lgamma64(x):
    flat = x.reshape(-1)
    out = np.full(flat.shape, np.nan)
    pos = flat > 0
    if pos.any():
        out[pos] = _lgamma_pos(flat[pos])
    neg = flat <= 0
    if neg.any():  # reflection: lgamma(x) = log(pi / |sin(pi x)|) - lgamma(1 - x)
        v = flat[neg]
        frac = v - np.round(v)
        r = np.log(np.pi / np.abs(np.sin(np.pi * frac))) - _lgamma_pos(1.0 - v)
        out[neg] = np.where(np.isinf(v) | (frac == 0), np.inf, r)
    return out.reshape(x.shape)


def _digamma_ge_half(z):
    """digamma for z >= 1/2: recurrence up to 10, then the asymptotic series."""
    shift = np.zeros_like(z)
    m = z < 10.0
    if m.any():
        v = z[m]
        acc = np.zeros_like(v)
        for k in range(10):
            acc += 1.0 / (v + k)
        shift[m] = acc
        z = np.where(m, z + 10.0, z)
    w = 1.0 / (z * z)
    poly = w * (1 / 12 - w * (1 / 120 - w * (1 / 252 - w * (1 / 240 - w * (1 / 132 - w * (691 / 32760 - w / 12))))))
    return np.log(z) - 0.5 / z - poly - shift


def _digamma64(x):
    flat = x.reshape(-1)
    out = np.full(flat.shape, np.nan)
    hi = flat >= 0.5
    if hi.any():
        out[hi] = _digamma_ge_half(flat[hi])
    lo = flat < 0.5
    if lo.any():  # reflection: digamma(x) = digamma(1 - x) - pi / tan(pi x); poles give nan like TF
        v = flat[lo]
        frac = v - np.round(v)
        r = _digamma_ge_half(1.0 - v) - np.pi / np.tan(np.pi * frac)
        out[lo] = np.where((v <= 0) & (frac == 0), np.nan, r)
    return out.reshape(x.shape)


# P. J. Acklam's rational approximation to the normal quantile, refined by one Halley step.
_ND_A = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
         -3.066479806614716e+01, 2.506628277459239e+00)
_ND_B = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
         -1.328068155288572e+01)
_ND_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
         4.374664141464968e+00, 2.938163982698783e+00)
_ND_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00)


def _poly(coeffs, x):
    acc = np.full_like(x, coeffs[0])
    for c in coeffs[1:]:
        acc = acc * x + c
    return acc


def _ndtri64(p):
    """The standard normal quantile (inverse CDF) of p, for float64 p; +-inf at 0 and 1."""
    flat = p.reshape(-1)
    out = np.full(flat.shape, np.nan)
    plow = 0.02425
    q = np.minimum(flat, 1.0 - flat)  # tail probability
    ok = (flat > 0) & (flat < 1)
    central = ok & (q >= plow)
    if central.any():
        v = flat[central] - 0.5
        r = v * v
        out[central] = _poly(_ND_A, r) * v / (_poly(_ND_B + (1.0,), r))
    tail = ok & (q < plow)
    if tail.any():
        v = flat[tail]
        t = np.sqrt(-2.0 * np.log(np.where(v < 0.5, v, 1.0 - v)))
        z = _poly(_ND_C, t) / _poly(_ND_D + (1.0,), t)
        out[tail] = np.where(v < 0.5, z, -z)
    if ok.any():  # Halley refinement with an accurate tail probability
        x = out[ok]
        v = flat[ok]
        lower = x < 0
        # e = Phi(x) - p, computed from the tail on the side where it is small
        phi = 0.5 * _erfc64(np.abs(x) / math.sqrt(2.0))
        e = np.where(lower, phi - v, (1.0 - v) - phi)
        u = e * math.sqrt(2.0 * math.pi) * np.exp(0.5 * x * x)
        out[ok] = x - u / (1.0 + 0.5 * x * u)
    out[flat == 0] = -np.inf
    out[flat == 1] = np.inf
    return out.reshape(p.shape)


def _erfinv64(x):
    """erfinv via the normal quantile: erfinv(x) = ndtri((1 + x) / 2) / sqrt(2), with the tail
    probability (1 - |x|) / 2 formed exactly and a Newton step on erf near 0."""
    flat = x.reshape(-1)
    a = np.abs(flat)
    out = -_ndtri64(0.5 * (1.0 - a)) / math.sqrt(2.0)
    small = a < 0.5
    if small.any():  # Newton on erf, well conditioned near 0
        y = out[small]
        v = a[small]
        for _ in range(2):
            y = y - (_erf64(y) - v) / (2.0 * _SQRPI * np.exp(-y * y))
        out[small] = y
    out = np.copysign(out, flat)
    out[np.abs(flat) > 1] = np.nan
    return out.reshape(x.shape)


_erf64_blocks = _in64(_erf64)

# Cephes Chebyshev coefficients of exp(-x) I0(x), exp(-x) I1(x) / x on [0, 8] and of
# exp(-x) sqrt(x) I0(x), exp(-x) sqrt(x) I1(x) on (8, inf).
_I0E_A = (-4.41534164647933937950E-18, 3.33079451882223809783E-17, -2.43127984654795469359E-16,
          1.71539128555513303061E-15, -1.16853328779934516808E-14, 7.67618549860493561688E-14,
          -4.85644678311192946090E-13, 2.95505266312963983461E-12, -1.72682629144155570723E-11,
          9.67580903537323691224E-11, -5.18979560163526290666E-10, 2.65982372468238665035E-9,
          -1.30002500998624804212E-8, 6.04699502254191894932E-8, -2.67079385394061173391E-7,
          1.11738753912010371815E-6, -4.41673835845875056359E-6, 1.64484480707288970893E-5,
          -5.75419501008210370398E-5, 1.88502885095841655729E-4, -5.76375574538582365885E-4,
          1.63947561694133579842E-3, -4.32430999505057594430E-3, 1.05464603945949983183E-2,
          -2.37374148058994688156E-2, 4.93052842396707084878E-2, -9.49010970480476444210E-2,
          1.71620901522208775349E-1, -3.04682672343198398683E-1, 6.76795274409476084995E-1)
_I0E_B = (-7.23318048787475395456E-18, -4.83050448594418207126E-18, 4.46562142029675999901E-17,
          3.46122286769746109310E-17, -2.82762398051658348494E-16, -3.42548561967721913462E-16,
          1.77256013305652638360E-15, 3.81168066935262242075E-15, -9.55484669882830764870E-15,
          -4.15056934728722208663E-14, 1.54008621752140982691E-14, 3.85277838274214270114E-13,
          7.18012445138366623367E-13, -1.79417853150680611778E-12, -1.32158118404477131188E-11,
          -3.14991652796324136454E-11, 1.18891471078464383424E-11, 4.94060238822496958910E-10,
          3.39623202570838634515E-9, 2.26666899049817806459E-8, 2.04891858946906374183E-7,
          2.89137052083475648297E-6, 6.88975834691682398426E-5, 3.36911647825569408990E-3,
          8.04490411014108831608E-1)
_I1E_A = (2.77791411276104639959E-18, -2.11142121435816608115E-17, 1.55363195773620046921E-16,
          -1.10559694773538630805E-15, 7.60068429473540693410E-15, -5.04218550472791168711E-14,
          3.22379336594557470981E-13, -1.98397439776494371520E-12, 1.17361862988909016308E-11,
          -6.66348972350202774223E-11, 3.62559028155211703701E-10, -1.88724975172282928790E-9,
          9.38153738649577178388E-9, -4.44505912879632808065E-8, 2.00329475355213526229E-7,
          -8.56872026469545474066E-7, 3.47025130813767847674E-6, -1.32731636560394358279E-5,
          4.78156510755005422638E-5, -1.61760815825896745588E-4, 5.12285956168575772895E-4,
          -1.51357245063125314899E-3, 4.15642294431288815669E-3, -1.05640848946261981558E-2,
          2.47264490306265168283E-2, -5.29459812080949914269E-2, 1.02643658689847095384E-1,
          -1.76416518357834055153E-1, 2.52587186443633654823E-1)
_I1E_B = (7.51729631084210481353E-18, 4.41434832307170791151E-18, -4.65030536848935832153E-17,
          -3.20952592199342395980E-17, 2.96262899764595013876E-16, 3.30820231092092828324E-16,
          -1.88035477551078244854E-15, -3.81440307243700780478E-15, 1.04202769841288027642E-14,
          4.27244001671195135429E-14, -2.10154184277266431302E-14, -4.08355111109219731823E-13,
          -7.19855177624590851209E-13, 2.03562854414708950722E-12, 1.41258074366137813316E-11,
          3.25260358301548823856E-11, -1.89749581235054123450E-11, -5.58974346219658380687E-10,
          -3.83538038596423702205E-9, -2.63146884688951950684E-8, -2.51223623787020892529E-7,
          -3.88256480887769039346E-6, -1.10588938762623716291E-4, -9.76109749136146840777E-3,
          7.78576235018280120474E-1)


def _chbevl(x, coeffs):
    """The Chebyshev series sum by Clenshaw's recurrence (Cephes chbevl)."""
    b0 = np.full_like(x, coeffs[0])
    b1 = np.zeros_like(x)
    b2 = b1
    for c in coeffs[1:]:
        b2 = b1
        b1 = b0
        b0 = x * b1 - b2 + c
    return 0.5 * (b0 - b2)


def _bessel_e(a_coeffs, b_coeffs, odd):
    """exp(-|x|) I0(x) or exp(-|x|) I1(x), float64."""
    def fn(x):
        ax = np.abs(x)
        small = ax <= 8.0
        lo = _chbevl(np.minimum(ax, 8.0) * 0.5 - 2.0, a_coeffs)
        if odd:
            lo = lo * ax
        big = ~small
        out = lo
        if big.any():
            hi_x = np.maximum(ax, 8.0)
            hi = _chbevl(32.0 / hi_x - 2.0, b_coeffs) / np.sqrt(hi_x)
            out = np.where(small, lo, hi)
        return np.copysign(out, x) if odd else out
    return fn


_i0e64 = _bessel_e(_I0E_A, _I0E_B, False)
_i1e64 = _bessel_e(_I1E_A, _I1E_B, True)


def _i0_64(x):
    return np.exp(np.abs(x)) * _i0e64(x)


def _i1_64(x):
    return np.exp(np.abs(x)) * _i1e64(x)


# ---------------------------------------------------------------- arithmetic
def _add_grad(op, dy):
    x, y = op.inputs
    return [unbroadcast(dy, x.shape, x), unbroadcast(dy, y.shape, y)]


def _add_kernel(xp, x, y):
    out = x + y  # for tf.string (object arrays of bytes) `+` concatenates, as in TF
    if type(out) is bytes:  # 0-d object arrays give back a bare Python value
        out = xp.array(out, dtype=object)
    return out


register("AddV2", kernel=_add_kernel, infer=_binary_infer("tf.math.add", "AddV2"), grad=_add_grad,
         api="tf.math.add", args=("x", "y"), samples=_binary_samples())


@tf_export("math.add", "add")
def add(x, y, name=None) -> Tensor:
    """Returns x + y element-wise, with broadcasting (tf.math.add)."""
    if type(x) is Tensor and type(y) is Tensor and x._dtype is y._dtype:
        return bind("AddV2", (x, y))
    return bind("AddV2", binary_operands("AddV2", x, y))


register("Sub", kernel=lambda xp, x, y: x - y, infer=_binary_infer("tf.math.subtract", "Sub"),
         grad=lambda op, dy: [unbroadcast(dy, op.inputs[0].shape, op.inputs[0]),
                              unbroadcast(negative(dy), op.inputs[1].shape, op.inputs[1])],
         api="tf.math.subtract", args=("x", "y"), samples=_binary_samples())


@tf_export("math.subtract", "subtract")
def subtract(x, y, name=None) -> Tensor:
    """Returns x - y element-wise (tf.math.subtract)."""
    return bind("Sub", binary_operands("Sub", x, y))


def _mul_grad(op, dy):
    x, y = op.inputs
    return [unbroadcast(multiply(dy, _cj(y)), x.shape, x), unbroadcast(multiply(_cj(x), dy), y.shape, y)]


register("Mul", kernel=lambda xp, x, y: x * y, infer=_binary_infer("tf.math.multiply", "Mul"), grad=_mul_grad,
         api="tf.math.multiply", args=("x", "y"), samples=_binary_samples())


@tf_export("math.multiply", "multiply")
def multiply(x, y, name=None) -> Tensor:
    """Returns x * y element-wise (tf.math.multiply)."""
    return bind("Mul", binary_operands("Mul", x, y))


def _realdiv_grad(op, dy):
    x, y = op.inputs
    return [unbroadcast(divide(dy, _cj(y)), x.shape, x),
            unbroadcast(negative(multiply(dy, _cj(divide(op.outputs[0], y)))), y.shape, y)]


register("RealDiv", kernel=_ew2(lambda x, y: x / y), infer=_binary_infer("tf.math.divide", "RealDiv", allowed=sh.FLOATS_COMPLEX),
         grad=_realdiv_grad, api="tf.math.divide", args=("x", "y"), samples=_binary_samples(S.normal, S.positive))


@tf_export("math.truediv", "truediv")
def truediv(x, y, name=None) -> Tensor:
    """x / y; integer inputs are cast to floating first, as Python 3 division (tf.math.truediv)."""
    try:
        x, y = binary_operands("RealDiv", x, y)
    except (InvalidArgumentError, TypeError):
        raise TypeError("`x` and `y` must have the same dtype, got %r != %r." % (_t(x).dtype, _t(y).dtype)) from None
    d = x.dtype
    if d.is_integer:
        ft = dtypes.float64 if d.size >= 4 else dtypes.float32
        x, y = cast(x, ft), cast(y, ft)
    return bind("RealDiv", (x, y))


@tf_export("math.divide", "divide")
def divide(x, y, name=None) -> Tensor:
    """Returns x / y element-wise (tf.math.divide)."""
    return truediv(x, y)


@tf_export("realdiv")
def realdiv(x, y, name=None) -> Tensor:
    """x / y for floating or complex tensors (tf.realdiv)."""
    return bind("RealDiv", binary_operands("RealDiv", x, y))


register("Neg", kernel=_ew(lambda x: -x, "fic"), infer=_unary_infer("tf.math.negative", "Neg", sh.FLOATS_COMPLEX + sh.INTS[:4]),
         grad=lambda op, dy: [negative(dy)], api="tf.math.negative", samples=lambda: [([S.normal(3, 4)], {})])


@tf_export("math.negative", "negative")
def negative(x, name=None) -> Tensor:
    """Returns -x element-wise (tf.math.negative)."""
    return bind("Neg", [x if type(x) is Tensor else _t(x)])


@tf_export("math.scalar_mul", "scalar_mul")
def scalar_mul(scalar, x, name=None):
    """Multiplies the tensor (or IndexedSlices) `x` by the scalar `scalar` (tf.math.scalar_mul)."""
    if isinstance(x, IndexedSlices):
        return IndexedSlices(scalar_mul(scalar, x.values), x.indices, x.dense_shape)
    x = _t(x)
    s = _t(scalar, dtype=x.dtype) if _is_tensorish(scalar) else constant_value(scalar, x.dtype)
    if s.shape.rank != 0:
        raise ValueError("Only scalar multiply works, got shape %s" % s.shape)
    return multiply(s, x)


# ---------------------------------------------------------------- binary elementwise ops
def _register_binary(op_name, api, fn, kinds, allowed, grad, samples=None, out_dtype=None, names=("x", "y")):
    register(op_name, kernel=_ew2(fn, kinds), infer=_binary_infer(api, op_name, out_dtype, allowed, names),
             grad=grad, api=api, args=names, samples=samples or _binary_samples())


def _maximum_grad(op, dy):
    x, y = op.inputs
    m = cast(greater_equal(x, y), dy.dtype)
    return _binary_grads(op, multiply(dy, m), subtract(dy, multiply(dy, m)))


def _minimum_grad(op, dy):
    x, y = op.inputs
    m = cast(less_equal(x, y), dy.dtype)
    return _binary_grads(op, multiply(dy, m), subtract(dy, multiply(dy, m)))


def _untied_samples():  # x and y never equal, so that finite differences see no kink
    return [([S.distinct(3, 4), S.distinct(3, 4) + 0.1], {}), ([S.distinct(2, 1, 4), S.distinct(3, 1) + 0.1], {})]


_register_binary("Maximum", "tf.math.maximum", np.maximum, "fiu", sh.REAL, _maximum_grad, _untied_samples)
_register_binary("Minimum", "tf.math.minimum", np.minimum, "fiu", sh.REAL, _minimum_grad, _untied_samples)


@tf_export("math.maximum", "maximum")
def maximum(x, y, name=None) -> Tensor:
    """Returns max(x, y) element-wise, with broadcasting; NaN propagates (tf.math.maximum)."""
    return bind("Maximum", binary_operands("Maximum", x, y))


@tf_export("math.minimum", "minimum")
def minimum(x, y, name=None) -> Tensor:
    """Returns min(x, y) element-wise, with broadcasting; NaN propagates (tf.math.minimum)."""
    return bind("Minimum", binary_operands("Minimum", x, y))


def _pow_grad(op, dy):
    x, y = op.inputs
    z = op.outputs[0]
    gx = multiply(dy, _cj(multiply(y, pow(x, subtract(y, 1)))))
    # d/dy = z * log(x), taken as 0 where x <= 0 (x == 0 for complex), as TF does.
    if x.dtype.is_complex:
        m = cast(not_equal(x, 0), x.dtype)
        log_x = multiply(log(add(x, subtract(1, m))), m)
    else:
        m = cast(greater(x, 0), x.dtype)
        log_x = multiply(log(maximum(x, float(_finfo(x.dtype).tiny))), m)
    gy = multiply(dy, _cj(multiply(z, log_x)))
    return _binary_grads(op, gx, gy)


def _pow_kernel(x, y):
    return np.power(x, y)  # NumPy raises for negative integer powers of integers, as TF does


_register_binary("Pow", "tf.math.pow", _pow_kernel, "fic", sh.FLOATS_COMPLEX + sh.INTS[:4], _pow_grad,
                 _binary_samples(S.positive, S.normal))


@tf_export("math.pow", "pow")
def pow(x, y, name=None) -> Tensor:  # noqa: A001 - TF's public name
    """x ** y element-wise (tf.math.pow)."""
    return bind("Pow", binary_operands("Pow", x, y))


def _squared_difference_kernel(x, y):
    d = x - y
    return d * np.conj(d) if d.dtype.kind == "c" else d * d


def _squared_difference_grad(op, dy):
    x, y = op.inputs
    g = multiply(multiply(dy, 2.0), _cj(subtract(x, y)))
    return _binary_grads(op, g, negative(g))


_register_binary("SquaredDifference", "tf.math.squared_difference", _squared_difference_kernel, "fic",
                 sh.FLOATS_COMPLEX + (dtypes.int32, dtypes.int64), _squared_difference_grad)


@tf_export("math.squared_difference")
def squared_difference(x, y, name=None) -> Tensor:
    """(x - y) * conj(x - y) element-wise (tf.math.squared_difference)."""
    return bind("SquaredDifference", binary_operands("SquaredDifference", x, y))


def _atan2_grad(op, dy):
    y, x = op.inputs
    inv = divide(dy, add(square(x), square(y)))
    return _binary_grads(op, multiply(x, inv), negative(multiply(y, inv)))


_register_binary("Atan2", "tf.math.atan2", np.arctan2, "f", sh.FLOATS, _atan2_grad, names=("y", "x"))


@tf_export("math.atan2", "atan2")
def atan2(y, x, name=None) -> Tensor:
    """The angle of the point (x, y): arctan(y / x) in the right quadrant (tf.math.atan2)."""
    return bind("Atan2", binary_operands("Atan2", y, x))


def _div_no_nan_kernel(x, y):
    return np.where(y == 0, 0, x / y).astype(x.dtype, copy=False)


def _div_no_nan_grad(op, dy):
    x, y = op.inputs
    return _binary_grads(op, div_no_nan(dy, _cj(y)), multiply(dy, _cj(div_no_nan(div_no_nan(negative(x), y), y))))


_register_binary("DivNoNan", "tf.math.divide_no_nan", _div_no_nan_kernel, "fc", sh.FLOATS_COMPLEX, _div_no_nan_grad,
                 _binary_samples(S.normal, S.positive))


@tf_export("math.divide_no_nan")
def div_no_nan(x, y, name=None) -> Tensor:
    """x / y, or 0 where y is 0; integer inputs are cast to floating first (tf.math.divide_no_nan)."""
    x, y = binary_operands("DivNoNan", x, y)
    if x.dtype.is_integer:
        ft = dtypes.float64 if x.dtype.size >= 4 else dtypes.float32
        x, y = cast(x, ft), cast(y, ft)
    return bind("DivNoNan", (x, y))


divide_no_nan = div_no_nan


def _check_int_divisor(y):
    if y.dtype.kind in "iu" and not np.all(y):
        raise ZeroDivisionError("Integer division by zero")


def _floordiv_kernel(x, y):
    if x.dtype.kind == "f":
        return np.floor(x / y)
    _check_int_divisor(y)
    return np.floor_divide(x, y)


register("FloorDiv", kernel=_ew2(_floordiv_kernel, "fiu"), infer=_binary_infer("tf.math.floordiv", "FloorDiv", allowed=sh.REAL),
         grad=NON_DIFFERENTIABLE, api="tf.math.floordiv", args=("x", "y"),
         samples=lambda: [([S.normal(3, 4), S.positive(3, 4)], {}), ([S.ints(-9, 9, 6), S.ints(1, 4, 6)], {})])


@tf_export("math.floordiv")
def floordiv(x, y, name=None) -> Tensor:
    """floor(x / y) element-wise; integers round toward -inf like Python's // (tf.math.floordiv)."""
    return bind("FloorDiv", binary_operands("FloorDiv", x, y))


def _floormod_kernel(x, y):
    if x.dtype.kind != "f":
        _check_int_divisor(y)
    return np.mod(x, y)


def _floormod_grad(op, dy):
    x, y = op.inputs
    return _binary_grads(op, dy, multiply(dy, negative(floordiv(x, y))))


register("FloorMod", kernel=_ew2(_floormod_kernel, "fiu"), infer=_binary_infer("tf.math.floormod", "FloorMod", allowed=sh.REAL),
         grad=_floormod_grad, api="tf.math.floormod", args=("x", "y"),
         samples=lambda: [([S.normal(3, 4) * 3, S.positive(3, 4)], {}), ([S.ints(-9, 9, 6), S.ints(1, 4, 6)], {})])


@tf_export("math.floormod", "math.mod")
def floormod(x, y, name=None) -> Tensor:
    """x - floor(x / y) * y element-wise: the remainder takes the sign of y (tf.math.floormod)."""
    return bind("FloorMod", binary_operands("FloorMod", x, y))


mod = floormod


def _truncatediv_kernel(x, y):
    if x.dtype.kind == "f":
        return np.trunc(x / y)
    _check_int_divisor(y)
    q = np.floor_divide(x, y)
    if x.dtype.kind == "i":
        q = q + ((q * y != x) & ((x < 0) != (y < 0))).astype(q.dtype)
    return q


register("TruncateDiv", kernel=_ew2(_truncatediv_kernel, "fiu"),
         infer=_binary_infer("tf.truncatediv", "TruncateDiv", allowed=sh.REAL),
         grad=NON_DIFFERENTIABLE, api="tf.truncatediv", args=("x", "y"),
         samples=lambda: [([S.ints(-9, 9, 6), S.ints(1, 4, 6)], {}), ([S.normal(3, 4), S.positive(3, 4)], {})])


@tf_export("truncatediv")
def truncatediv(x, y, name=None) -> Tensor:
    """x / y rounded toward zero, like C (tf.truncatediv)."""
    return bind("TruncateDiv", binary_operands("TruncateDiv", x, y))


def _truncatemod_kernel(x, y):
    if x.dtype.kind != "f":
        _check_int_divisor(y)
    return np.fmod(x, y)


register("TruncateMod", kernel=_ew2(_truncatemod_kernel, "fi"),
         infer=_binary_infer("tf.truncatemod", "TruncateMod", allowed=sh.FLOATS + (dtypes.int32, dtypes.int64)),
         grad=NON_DIFFERENTIABLE, api="tf.truncatemod", args=("x", "y"),
         samples=lambda: [([S.ints(-9, 9, 6), S.ints(1, 4, 6)], {}), ([S.normal(3, 4), S.positive(3, 4)], {})])


@tf_export("truncatemod")
def truncatemod(x, y, name=None) -> Tensor:
    """The remainder of truncated division: it takes the sign of x, like C's fmod (tf.truncatemod)."""
    return bind("TruncateMod", binary_operands("TruncateMod", x, y))


def _xlogy_kernel(x, y):
    return np.where(x == 0, 0, x * np.log(y)).astype(x.dtype, copy=False)


def _xdivy_kernel(x, y):
    return np.where(x == 0, 0, x / y).astype(x.dtype, copy=False)


def _xlog1py_kernel(x, y):
    return np.where(x == 0, 0, x * np.log1p(y)).astype(x.dtype, copy=False)


def _nonzero_mask(x):
    return cast(not_equal(x, 0), x.dtype)


def _xlogy_grad(op, dy):
    x, y = op.inputs
    return _binary_grads(op, multiply(dy, xlogy(_nonzero_mask(x), y)), multiply(dy, xdivy(x, y)))


def _xdivy_grad(op, dy):
    x, y = op.inputs
    return _binary_grads(op, multiply(dy, xdivy(_nonzero_mask(x), y)), multiply(dy, xdivy(negative(x), square(y))))


def _xlog1py_grad(op, dy):
    x, y = op.inputs
    return _binary_grads(op, multiply(dy, xlog1py(_nonzero_mask(x), y)), multiply(dy, xdivy(x, add(y, 1))))


_register_binary("Xlogy", "tf.math.xlogy", _xlogy_kernel, "fc", sh.FLOATS_COMPLEX, _xlogy_grad,
                 _binary_samples(S.normal, S.positive))
_register_binary("Xdivy", "tf.math.xdivy", _xdivy_kernel, "fc", sh.FLOATS_COMPLEX, _xdivy_grad,
                 _binary_samples(S.normal, S.positive))
_register_binary("Xlog1py", "tf.math.xlog1py", _xlog1py_kernel, "fc", sh.FLOATS_COMPLEX, _xlog1py_grad,
                 _binary_samples(S.normal, S.positive))


@tf_export("math.xlogy")
def xlogy(x, y, name=None) -> Tensor:
    """x * log(y), or 0 where x is 0 (tf.math.xlogy)."""
    return bind("Xlogy", binary_operands("Xlogy", x, y))


@tf_export("math.xdivy")
def xdivy(x, y, name=None) -> Tensor:
    """x / y, or 0 where x is 0 (tf.math.xdivy)."""
    return bind("Xdivy", binary_operands("Xdivy", x, y))


@tf_export("math.xlog1py")
def xlog1py(x, y, name=None) -> Tensor:
    """x * log1p(y), or 0 where x is 0 (tf.math.xlog1py)."""
    return bind("Xlog1py", binary_operands("Xlog1py", x, y))


def _mul_no_nan_kernel(x, y):
    return np.where(y == 0, 0, x * y).astype(x.dtype, copy=False)


def _mul_no_nan_grad(op, dy):
    x, y = op.inputs
    return _binary_grads(op, multiply_no_nan(dy, _cj(y)), multiply_no_nan(_cj(x), dy))


_register_binary("MulNoNan", "tf.math.multiply_no_nan", _mul_no_nan_kernel, "fc", sh.FLOATS_COMPLEX, _mul_no_nan_grad)


@tf_export("math.multiply_no_nan")
def multiply_no_nan(x, y, name=None) -> Tensor:
    """x * y, or 0 where y is 0 even if x is inf or NaN (tf.math.multiply_no_nan)."""
    return bind("MulNoNan", binary_operands("MulNoNan", x, y))


_register_binary("NextAfter", "tf.math.nextafter", np.nextafter, "f", (dtypes.float32, dtypes.float64),
                 NON_DIFFERENTIABLE, names=("x1", "x2"))


@tf_export("math.nextafter")
def nextafter(x1, x2, name=None) -> Tensor:
    """The next representable value of x1 in the direction of x2 (tf.math.nextafter)."""
    return bind("NextAfter", binary_operands("NextAfter", x1, x2))


# ---------------------------------------------------------------- unary elementwise ops
def _register_unary(op_name, api, kernel, allowed, grad, samples=None, out_dtype=None):
    register(op_name, kernel=kernel, infer=_unary_infer(api, op_name, allowed, out_dtype), grad=grad, api=api,
             samples=samples or (lambda: [([S.normal(3, 4)], {})]))


def _public_unary(op_name, names, doc):
    """The public wrapper of a one-input op: tf.<names> with signature (x, name=None)."""
    def fn(x, name=None) -> Tensor:
        return bind(op_name, [x if type(x) is Tensor else _t(x)])
    fn.__name__ = fn.__qualname__ = names[0].rsplit(".", 1)[-1]
    fn.__doc__ = doc
    fn.__module__ = __name__
    return tf_export(*names)(fn)


_FC = sh.FLOATS_COMPLEX
_SINTS = (dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64)
_SQRT_PI_2 = 2.0 / math.sqrt(math.pi)


def _one_minus_square(x):
    return subtract(1.0, square(x))


def _arr(v):
    """v as an ndarray (NumPy ufuncs return scalars for 0-d input; `out=` needs arrays)."""
    return v if type(v) is np.ndarray else np.asarray(v)


def _sigmoid(x):
    t = _arr(np.negative(x))
    np.exp(t, out=t)
    t += 1
    return np.reciprocal(t, out=t)


def _softplus(x):
    t = _arr(np.abs(x))
    np.negative(t, out=t)
    np.exp(t, out=t)
    np.log1p(t, out=t)
    t += np.maximum(x, 0)
    return t


_pos_plus_one = lambda *s: S.positive(*s) + 1.0  # noqa: E731


def _bessel_i1_like_grad(op, dy, i0_fn, scaled):
    """I1'(x) = I0(x) - I1(x) / x (for the scaled i1e, also - sign(x) i1e(x)); 1/2 at x = 0."""
    x = op.inputs[0]
    y = op.outputs[0]
    zero = cast(equal(x, 0), x.dtype)
    safe_x = add(x, zero)
    d = subtract(i0_fn(x), divide(y, safe_x))
    if scaled:
        d = subtract(d, multiply(sign(x), y))
    d = add(multiply(d, subtract(1.0, zero)), multiply(zero, 0.5))
    return [multiply(dy, d)]


def _bessel_i1_grad(op, dy):
    return _bessel_i1_like_grad(op, dy, bessel_i0, False)


def _bessel_i1e_grad(op, dy):
    return _bessel_i1_like_grad(op, dy, bessel_i0e, True)

# op name: (api, kernel, allowed dtypes, grad, sample generator)
_UNARY = {
    "Abs": ("tf.math.abs", _ew(np.abs, "fi"), sh.FLOATS + _SINTS,
            lambda op, dy: [multiply(dy, sign(op.inputs[0]))], S.distinct),
    "Exp": ("tf.math.exp", _ew(np.exp), _FC, lambda op, dy: [multiply(dy, _cj(op.outputs[0]))], S.normal),
    "Log": ("tf.math.log", _ew(np.log), _FC, lambda op, dy: [multiply(dy, reciprocal(_cj(op.inputs[0])))], S.positive),
    "Log1p": ("tf.math.log1p", _ew(np.log1p), _FC,
              lambda op, dy: [multiply(dy, reciprocal(_cj(add(op.inputs[0], 1))))], S.positive),
    "Expm1": ("tf.math.expm1", _ew(np.expm1), _FC, lambda op, dy: [multiply(dy, _cj(exp(op.inputs[0])))], S.normal),
    "Sqrt": ("tf.math.sqrt", _ew(np.sqrt), _FC,
             lambda op, dy: [divide(multiply(dy, 0.5), _cj(op.outputs[0]))], S.positive),
    "Rsqrt": ("tf.math.rsqrt", _ew(lambda x: 1 / np.sqrt(x)), _FC,
              lambda op, dy: [multiply(multiply(dy, -0.5), _cj(multiply(op.outputs[0], square(op.outputs[0]))))],
              S.positive),
    "Square": ("tf.math.square", _ew(np.square, "fiuc"), _FC + sh.INTS,
               lambda op, dy: [multiply(dy, multiply(_cj(op.inputs[0]), 2.0))], S.normal),
    "Reciprocal": ("tf.math.reciprocal", _ew(lambda x: 1 / x), _FC,
                   lambda op, dy: [negative(multiply(dy, square(_cj(op.outputs[0]))))], S.positive),
    "Sin": ("tf.math.sin", _ew(np.sin), _FC, lambda op, dy: [multiply(dy, _cj(cos(op.inputs[0])))], S.normal),
    "Cos": ("tf.math.cos", _ew(np.cos), _FC, lambda op, dy: [negative(multiply(dy, _cj(sin(op.inputs[0]))))], S.normal),
    "Tan": ("tf.math.tan", _ew(np.tan), _FC,
            lambda op, dy: [multiply(dy, _cj(square(reciprocal(cos(op.inputs[0])))))], S.unit),
    "Asin": ("tf.math.asin", _ew(np.arcsin), _FC,
             lambda op, dy: [multiply(dy, reciprocal(_cj(sqrt(_one_minus_square(op.inputs[0])))))], S.unit),
    "Acos": ("tf.math.acos", _ew(np.arccos), _FC,
             lambda op, dy: [negative(multiply(dy, reciprocal(_cj(sqrt(_one_minus_square(op.inputs[0]))))))], S.unit),
    "Atan": ("tf.math.atan", _ew(np.arctan), _FC,
             lambda op, dy: [multiply(dy, reciprocal(_cj(add(square(op.inputs[0]), 1.0))))], S.normal),
    "Sinh": ("tf.math.sinh", _ew(np.sinh), _FC, lambda op, dy: [multiply(dy, _cj(cosh(op.inputs[0])))], S.normal),
    "Cosh": ("tf.math.cosh", _ew(np.cosh), _FC, lambda op, dy: [multiply(dy, _cj(sinh(op.inputs[0])))], S.normal),
    "Tanh": ("tf.math.tanh", _ew(np.tanh), _FC,
             lambda op, dy: [multiply(dy, _cj(_one_minus_square(op.outputs[0])))], S.normal),
    "Asinh": ("tf.math.asinh", _ew(np.arcsinh), _FC, lambda op, dy: [divide(dy, _cj(cosh(op.outputs[0])))], S.normal),
    "Acosh": ("tf.math.acosh", _ew(np.arccosh), _FC, lambda op, dy: [divide(dy, _cj(sinh(op.outputs[0])))],
              _pos_plus_one),
    "Atanh": ("tf.math.atanh", _ew(np.arctanh), _FC,
              lambda op, dy: [multiply(dy, reciprocal(_cj(_one_minus_square(op.inputs[0]))))], S.unit),
    "Sigmoid": ("tf.math.sigmoid", _ew(_sigmoid, up16=True), _FC,
                lambda op, dy: [multiply(dy, _cj(multiply(op.outputs[0], subtract(1.0, op.outputs[0]))))], S.normal),
    "Erf": ("tf.math.erf", _ew(_erf_any, "f", up16=True), sh.FLOATS,
            lambda op, dy: [multiply(dy, multiply(exp(negative(square(op.inputs[0]))), _SQRT_PI_2))], S.normal),
    "Erfc": ("tf.math.erfc", _ew(_in64(_erfc64), "f"), sh.FLOATS,
             lambda op, dy: [multiply(dy, multiply(exp(negative(square(op.inputs[0]))), -_SQRT_PI_2))], S.normal),
    "Erfinv": ("tf.math.erfinv", _ew(_in64(_erfinv64), "f"), sh.FLOATS,
               lambda op, dy: [multiply(dy, multiply(exp(square(op.outputs[0])), math.sqrt(math.pi) / 2))], S.unit),
    "Ndtri": ("tf.math.ndtri", _ew(_in64(_ndtri64), "f"), sh.FLOATS,
              lambda op, dy: [multiply(dy, multiply(exp(multiply(square(op.outputs[0]), 0.5)), math.sqrt(2 * math.pi)))],
              lambda *s: S.unit(*s) * 0.5 + 0.5),
    "Lgamma": ("tf.math.lgamma", _ew(_in64(_lgamma64), "f"), sh.FLOATS,
               lambda op, dy: [multiply(dy, digamma(op.inputs[0]))], S.positive),
    "Digamma": ("tf.math.digamma", _ew(_in64(_digamma64), "f"), sh.FLOATS,
                lambda op, dy: [multiply(dy, _trigamma(op.inputs[0]))], lambda *s: S.normal(*s) * 3 + 0.25),
    "BesselI0e": ("tf.math.bessel_i0e", _ew(_in64(_i0e64), "f"), sh.FLOATS,
                  lambda op, dy: [multiply(dy, subtract(bessel_i1e(op.inputs[0]),
                                                        multiply(sign(op.inputs[0]), op.outputs[0])))], S.normal),
    "BesselI1e": ("tf.math.bessel_i1e", _ew(_in64(_i1e64), "f"), sh.FLOATS, _bessel_i1e_grad, S.normal),
    "BesselI0": ("tf.math.bessel_i0", _ew(_in64(_i0_64), "f"), sh.FLOATS,
                 lambda op, dy: [multiply(dy, bessel_i1(op.inputs[0]))], S.normal),
    "BesselI1": ("tf.math.bessel_i1", _ew(_in64(_i1_64), "f"), sh.FLOATS, _bessel_i1_grad, S.normal),
    "Softplus": ("tf.math.softplus", _ew(_softplus, "f", up16=True), sh.FLOATS,
                 lambda op, dy: [multiply(dy, sigmoid(op.inputs[0]))], S.normal),
    "Softsign": ("tf.math.softsign", _ew(lambda x: x / (1 + np.abs(x)), "f", up16=True), sh.FLOATS,
                 lambda op, dy: [divide(dy, square(add(abs(op.inputs[0]), 1.0)))], S.normal),
    "Sign": ("tf.math.sign", _ew(np.sign, "fic"), _FC + _SINTS,
             lambda op, dy: [array_ops.zeros_like(op.inputs[0])], S.normal),
    "Floor": ("tf.math.floor", _ew(np.floor, "f"), sh.FLOATS, NON_DIFFERENTIABLE, S.normal),
    "Ceil": ("tf.math.ceil", _ew(np.ceil, "f"), sh.FLOATS, NON_DIFFERENTIABLE, S.normal),
    "Round": ("tf.math.round", _ew(np.round, "fiuc"), _FC + _SINTS, NON_DIFFERENTIABLE, S.normal),
    "Rint": ("tf.math.rint", _ew(np.rint, "f"), sh.FLOATS, NON_DIFFERENTIABLE, S.normal),
    "Invert": ("tf.bitwise.invert", _ew(np.invert, "iu"), sh.INTS, NON_DIFFERENTIABLE, lambda *s: S.ints(-9, 9, *s)),
}
for _name, (_api, _kernel, _allowed, _grad, _sample) in _UNARY.items():
    _register_unary(_name, _api, _kernel, _allowed, _grad, (lambda s: lambda: [([s(3, 4)], {})])(_sample))
# Inv is TF's older name of Reciprocal; graphs may still carry it.
_register_unary("Inv", "tf.math.reciprocal", _UNARY["Reciprocal"][1], _FC, _UNARY["Reciprocal"][3],
                lambda: [([S.positive(3, 4)], {})])
del _name, _api, _kernel, _allowed, _grad, _sample

exp = _public_unary("Exp", ("math.exp", "exp"), "e ** x element-wise (tf.math.exp).")
log = _public_unary("Log", ("math.log",), "The natural logarithm of x element-wise (tf.math.log).")
log1p = _public_unary("Log1p", ("math.log1p",), "log(1 + x) element-wise, accurate for small x (tf.math.log1p).")
expm1 = _public_unary("Expm1", ("math.expm1",), "exp(x) - 1 element-wise, accurate for small x (tf.math.expm1).")
sqrt = _public_unary("Sqrt", ("math.sqrt", "sqrt"), "The square root of x element-wise (tf.math.sqrt).")
rsqrt = _public_unary("Rsqrt", ("math.rsqrt",), "1 / sqrt(x) element-wise (tf.math.rsqrt).")
square = _public_unary("Square", ("math.square", "square"), "x * x element-wise (tf.math.square).")
reciprocal = _public_unary("Reciprocal", ("math.reciprocal",), "1 / x element-wise (tf.math.reciprocal).")
sin = _public_unary("Sin", ("math.sin", "sin"), "sin(x) element-wise (tf.math.sin).")
cos = _public_unary("Cos", ("math.cos", "cos"), "cos(x) element-wise (tf.math.cos).")
tan = _public_unary("Tan", ("math.tan", "tan"), "tan(x) element-wise (tf.math.tan).")
asin = _public_unary("Asin", ("math.asin", "asin"), "arcsin(x) element-wise (tf.math.asin).")
acos = _public_unary("Acos", ("math.acos", "acos"), "arccos(x) element-wise (tf.math.acos).")
atan = _public_unary("Atan", ("math.atan", "atan"), "arctan(x) element-wise (tf.math.atan).")
sinh = _public_unary("Sinh", ("math.sinh", "sinh"), "sinh(x) element-wise (tf.math.sinh).")
cosh = _public_unary("Cosh", ("math.cosh", "cosh"), "cosh(x) element-wise (tf.math.cosh).")
tanh = _public_unary("Tanh", ("math.tanh", "tanh", "nn.tanh"), "tanh(x) element-wise (tf.math.tanh).")
asinh = _public_unary("Asinh", ("math.asinh", "asinh"), "arcsinh(x) element-wise (tf.math.asinh).")
acosh = _public_unary("Acosh", ("math.acosh", "acosh"), "arccosh(x) element-wise (tf.math.acosh).")
atanh = _public_unary("Atanh", ("math.atanh", "atanh"), "arctanh(x) element-wise (tf.math.atanh).")
sigmoid = _public_unary("Sigmoid", ("math.sigmoid", "sigmoid", "nn.sigmoid"),
                        "1 / (1 + exp(-x)) element-wise (tf.math.sigmoid).")
erf = _public_unary("Erf", ("math.erf",), "The Gauss error function element-wise (tf.math.erf).")
erfc = _public_unary("Erfc", ("math.erfc",), "The complementary error function 1 - erf(x) element-wise (tf.math.erfc).")
erfinv = _public_unary("Erfinv", ("math.erfinv",), "The inverse of erf element-wise (tf.math.erfinv).")
ndtri = _public_unary("Ndtri", ("math.ndtri",), "The standard normal quantile (inverse CDF) element-wise (tf.math.ndtri).")
lgamma = _public_unary("Lgamma", ("math.lgamma",), "log(|Gamma(x)|) element-wise (tf.math.lgamma).")
digamma = _public_unary("Digamma", ("math.digamma",), "Psi(x), the derivative of lgamma, element-wise (tf.math.digamma).")
bessel_i0 = _public_unary("BesselI0", ("math.bessel_i0", "math.special.bessel_i0"),
                          "The modified Bessel function of order 0, I0(x) (tf.math.bessel_i0).")
bessel_i0e = _public_unary("BesselI0e", ("math.bessel_i0e", "math.special.bessel_i0e"),
                           "exp(-|x|) I0(x), which does not overflow (tf.math.bessel_i0e).")
bessel_i1 = _public_unary("BesselI1", ("math.bessel_i1", "math.special.bessel_i1"),
                          "The modified Bessel function of order 1, I1(x) (tf.math.bessel_i1).")
bessel_i1e = _public_unary("BesselI1e", ("math.bessel_i1e", "math.special.bessel_i1e"),
                           "exp(-|x|) I1(x), which does not overflow (tf.math.bessel_i1e).")
sign = _public_unary("Sign", ("math.sign", "sign"),
                     "-1, 0 or 1 by the sign of x (x / |x| for complex x) element-wise (tf.math.sign).")
floor = _public_unary("Floor", ("math.floor", "floor"), "The largest integer <= x element-wise (tf.math.floor).")
ceil = _public_unary("Ceil", ("math.ceil",), "The smallest integer >= x element-wise (tf.math.ceil).")
rint = _public_unary("Rint", ("math.rint",), "The nearest integer, halves to even, element-wise (tf.math.rint).")
invert = _public_unary("Invert", ("bitwise.invert",), "Flips all bits of an integer tensor (tf.bitwise.invert).")


@tf_export("math.abs", "abs")
def abs(x, name=None) -> Tensor:  # noqa: A001 - TF's public name
    """|x| element-wise; for complex x the magnitude, a real tensor (tf.math.abs)."""
    x = x if type(x) is Tensor else _t(x)
    if x.dtype.is_complex:
        return bind("ComplexAbs", [x], {"Tout": x.dtype.real_dtype})
    return bind("Abs", [x])


@tf_export("math.round", "round")
def round(x, name=None) -> Tensor:  # noqa: A001 - TF's public name
    """Rounds x to the nearest integer, halves to even (banker's rounding) (tf.math.round)."""
    x = x if type(x) is Tensor else _t(x)
    if x.dtype.is_integer:
        return x
    return bind("Round", [x])


@tf_export("math.softplus", "nn.softplus")
def softplus(features, name=None) -> Tensor:
    """log(exp(features) + 1) element-wise, computed stably (tf.math.softplus)."""
    return bind("Softplus", [features if type(features) is Tensor else _t(features)])


@tf_export("math.softsign", "nn.softsign")
def softsign(features, name=None) -> Tensor:
    """features / (|features| + 1) element-wise (tf.math.softsign)."""
    return bind("Softsign", [features if type(features) is Tensor else _t(features)])


@tf_export("math.log_sigmoid")
def log_sigmoid(x, name=None) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x) element-wise, computed stably (tf.math.log_sigmoid)."""
    return negative(softplus(negative(x)))


@tf_export("math.reciprocal_no_nan")
def reciprocal_no_nan(x, name=None) -> Tensor:
    """1 / x, or 0 where x is 0 (tf.math.reciprocal_no_nan)."""
    x = _t(x)
    return div_no_nan(array_ops.ones_like(x), x)


@tf_export("math.erfcinv")
def erfcinv(x, name=None) -> Tensor:
    """The inverse of erfc: erfcinv(erfc(y)) = y (tf.math.erfcinv)."""
    x = _t(x)
    return divide(negative(ndtri(multiply(x, 0.5))), math.sqrt(2.0))


def _trigamma(x):
    """polygamma(1, x), written with ops so that digamma's gradient can be differentiated again:
    the recurrence up to x + 10, the asymptotic series, and the reflection formula for x < 1/2."""
    m = cast(less(x, 0.5), x.dtype)
    z = add(x, multiply(m, subtract(1.0, multiply(x, 2.0))))  # x, or 1 - x where x < 1/2
    acc = None
    for k in range(10):
        term = reciprocal(square(add(z, float(k))))
        acc = term if acc is None else add(acc, term)
    iw = reciprocal(add(z, 10.0))
    iw2 = square(iw)
    poly = 7 / 6
    for c in (-691 / 2730, 5 / 66, -1 / 30, 1 / 42, -1 / 30, 1 / 6):
        poly = add(multiply(poly, iw2), c)
    t = add(acc, add(iw, multiply(iw2, add(0.5, multiply(iw, poly)))))
    # trigamma(x) = pi^2 / sin^2(pi x) - trigamma(1 - x); sin^2 kept away from 0 so that the
    # unselected branch stays finite.
    s2 = maximum(square(sin(multiply(subtract(x, round(x)), math.pi))), float(10.0 / _finfo(x.dtype).max))
    return add(t, multiply(m, subtract(divide(math.pi ** 2, s2), multiply(t, 2.0))))


# ---------------------------------------------------------------- predicates and logical ops
for _name, _api, _fn in (("IsNan", "tf.math.is_nan", np.isnan), ("IsInf", "tf.math.is_inf", np.isinf),
                         ("IsFinite", "tf.math.is_finite", np.isfinite)):
    _register_unary(_name, _api, _ew(_fn, "f"), sh.FLOATS, NON_DIFFERENTIABLE,
                    lambda: [([np.array([1.0, np.nan, np.inf, -np.inf, -2.0])], {})], dtypes.bool)
del _name, _api, _fn
is_nan = _public_unary("IsNan", ("math.is_nan",), "Whether x is NaN, element-wise (tf.math.is_nan).")
is_inf = _public_unary("IsInf", ("math.is_inf",), "Whether x is +-inf, element-wise (tf.math.is_inf).")
is_finite = _public_unary("IsFinite", ("math.is_finite",), "Whether x is finite, element-wise (tf.math.is_finite).")


def _logical_not_infer(specs, attrs):
    _bool_inputs("tf.math.logical_not", "LogicalNot", specs, ("x",))
    return [(sh.dims(specs[0]), dtypes.bool)]


register("LogicalNot", kernel=_ew(np.logical_not, "b"), infer=_logical_not_infer, grad=NON_DIFFERENTIABLE,
         api="tf.math.logical_not", samples=lambda: [([S.bools(3, 4)], {})])


@tf_export("math.logical_not", "logical_not")
def logical_not(x, name=None) -> Tensor:
    """NOT x element-wise, for bool tensors (tf.math.logical_not)."""
    return bind("LogicalNot", [x if type(x) is Tensor else _t(x)])


def _logical_infer(api, op_name):
    def infer(specs, attrs):
        _bool_inputs(api, op_name, specs, ("x", "y"))
        return [(sh.broadcast_shapes(sh.dims(specs[0]), sh.dims(specs[1]), api, op_name), dtypes.bool)]
    return infer


for _name, _api, _fn in (("LogicalAnd", "math.logical_and", np.logical_and),
                         ("LogicalOr", "math.logical_or", np.logical_or)):
    register(_name, kernel=_ew2(_fn, "b"), infer=_logical_infer("tf." + _api, _name), grad=NON_DIFFERENTIABLE,
             api="tf." + _api, args=("x", "y"), samples=lambda: [([S.bools(3, 4), S.bools(3, 4)], {}),
                                                                ([S.bools(2, 1, 4), S.bools(3, 1)], {})])
del _name, _api, _fn


@tf_export("math.logical_and", "logical_and")
def logical_and(x, y, name=None) -> Tensor:
    """x AND y element-wise, with broadcasting (tf.math.logical_and)."""
    return bind("LogicalAnd", binary_operands("LogicalAnd", x, y))


@tf_export("math.logical_or", "logical_or")
def logical_or(x, y, name=None) -> Tensor:
    """x OR y element-wise, with broadcasting (tf.math.logical_or)."""
    return bind("LogicalOr", binary_operands("LogicalOr", x, y))


@tf_export("math.logical_xor")
def logical_xor(x, y, name="LogicalXor") -> Tensor:
    """x XOR y element-wise: (x | y) & ~(x & y) (tf.math.logical_xor)."""
    x, y = binary_operands("LogicalAnd", x, y)
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)))


# ---------------------------------------------------------------- comparisons
for _name, _api, _fn in (("Less", "math.less", np.less), ("LessEqual", "math.less_equal", np.less_equal),
                         ("Greater", "math.greater", np.greater), ("GreaterEqual", "math.greater_equal", np.greater_equal)):
    _register_binary(_name, "tf." + _api, _fn, "fiu", sh.REAL, NON_DIFFERENTIABLE, out_dtype=dtypes.bool)
del _name, _api, _fn


@tf_export("math.less", "less")
def less(x, y, name=None) -> Tensor:
    """x < y element-wise, with broadcasting (tf.math.less)."""
    return bind("Less", binary_operands("Less", x, y))


@tf_export("math.less_equal", "less_equal")
def less_equal(x, y, name=None) -> Tensor:
    """x <= y element-wise, with broadcasting (tf.math.less_equal)."""
    return bind("LessEqual", binary_operands("LessEqual", x, y))


@tf_export("math.greater", "greater")
def greater(x, y, name=None) -> Tensor:
    """x > y element-wise, with broadcasting (tf.math.greater)."""
    return bind("Greater", binary_operands("Greater", x, y))


@tf_export("math.greater_equal", "greater_equal")
def greater_equal(x, y, name=None) -> Tensor:
    """x >= y element-wise, with broadcasting (tf.math.greater_equal)."""
    return bind("GreaterEqual", binary_operands("GreaterEqual", x, y))


def _equality_kernel(fn, mismatch):
    def kernel(xp, x, y, incompatible_shape_error=True):
        if x.dtype != y.dtype:
            raise TypeError("mismatched dtypes %s and %s" % (x.dtype, y.dtype))
        if not incompatible_shape_error:
            try:
                np.broadcast_shapes(x.shape, y.shape)
            except ValueError:
                return np.asarray(mismatch)
        return fn(x, y)
    return kernel


def _equality_infer(api, op_name):
    def infer(specs, attrs):
        sh.same_dtype(api, op_name, specs, ("x", "y"))
        try:
            shape = sh.broadcast_shapes(sh.dims(specs[0]), sh.dims(specs[1]), api, op_name)
        except InvalidArgumentError:
            if attrs.get("incompatible_shape_error", True):
                raise
            shape = ()
        return [(shape, dtypes.bool)]
    return infer


for _name, _api, _fn, _mis in (("Equal", "math.equal", np.equal, False), ("NotEqual", "math.not_equal", np.not_equal, True)):
    register(_name, kernel=_equality_kernel(_fn, _mis), infer=_equality_infer("tf." + _api, _name), grad=NON_DIFFERENTIABLE,
             api="tf." + _api, args=("x", "y"),
             samples=lambda: [([S.ints(0, 3, 3, 4), S.ints(0, 3, 3, 4)], {"incompatible_shape_error": True}),
                              ([S.normal(2, 1, 4), S.normal(3, 1)], {"incompatible_shape_error": True}),
                              ([S.bools(3), S.bools(2, 1)], {"incompatible_shape_error": True})])
del _name, _api, _fn, _mis

_SHAPE_ERROR_ATTRS = {"incompatible_shape_error": True}


@tf_export("math.equal", "equal")
def equal(x, y, name=None) -> Tensor:
    """x == y element-wise, with broadcasting; any dtype, strings included (tf.math.equal)."""
    return bind("Equal", binary_operands("Equal", x, y), _SHAPE_ERROR_ATTRS)


@tf_export("math.not_equal", "not_equal")
def not_equal(x, y, name=None) -> Tensor:
    """x != y element-wise, with broadcasting (tf.math.not_equal)."""
    return bind("NotEqual", binary_operands("NotEqual", x, y), _SHAPE_ERROR_ATTRS)


# ---------------------------------------------------------------- bitwise ops
def _shift_kernel(fn):
    def run(x, y):
        bits = x.dtype.itemsize * 8
        return fn(x, np.clip(y, 0, bits - 1).astype(y.dtype, copy=False))  # TF clamps the shift
    return run


for _name, _api, _fn in (("BitwiseAnd", "bitwise.bitwise_and", np.bitwise_and),
                         ("BitwiseOr", "bitwise.bitwise_or", np.bitwise_or),
                         ("BitwiseXor", "bitwise.bitwise_xor", np.bitwise_xor),
                         ("LeftShift", "bitwise.left_shift", _shift_kernel(np.left_shift)),
                         ("RightShift", "bitwise.right_shift", _shift_kernel(np.right_shift))):
    _register_binary(_name, "tf." + _api, _fn, "iu", sh.INTS, NON_DIFFERENTIABLE,
                     lambda: [([S.ints(-20, 20, 3, 4), S.ints(0, 5, 3, 4)], {}),
                              ([S.ints(0, 200, 2, 1, 4, dtype=np.uint8), S.ints(0, 9, 3, 1, dtype=np.uint8)], {})])
del _name, _api, _fn


@tf_export("bitwise.bitwise_and")
def bitwise_and(x, y, name=None) -> Tensor:
    """Bitwise AND of two integer tensors (tf.bitwise.bitwise_and)."""
    return bind("BitwiseAnd", binary_operands("BitwiseAnd", x, y))


@tf_export("bitwise.bitwise_or")
def bitwise_or(x, y, name=None) -> Tensor:
    """Bitwise OR of two integer tensors (tf.bitwise.bitwise_or)."""
    return bind("BitwiseOr", binary_operands("BitwiseOr", x, y))


@tf_export("bitwise.bitwise_xor")
def bitwise_xor(x, y, name=None) -> Tensor:
    """Bitwise XOR of two integer tensors (tf.bitwise.bitwise_xor)."""
    return bind("BitwiseXor", binary_operands("BitwiseXor", x, y))


@tf_export("bitwise.left_shift")
def left_shift(x, y, name=None) -> Tensor:
    """x << y element-wise; shifts are clamped to [0, bits - 1] like TF (tf.bitwise.left_shift)."""
    return bind("LeftShift", binary_operands("LeftShift", x, y))


@tf_export("bitwise.right_shift")
def right_shift(x, y, name=None) -> Tensor:
    """x >> y element-wise (arithmetic for signed types) (tf.bitwise.right_shift)."""
    return bind("RightShift", binary_operands("RightShift", x, y))


bitwise_invert = invert  # Python's ~ on integer tensors (tensorforge.ops.operators)


# ---------------------------------------------------------------- Cast
def _cast_kernel(xp, x, DstT):
    if DstT is dtypes.string:
        raise TypeError("Cast to string is not supported")
    if x.dtype.kind == "f" and DstT.is_integer:
        # TF truncates toward zero; NumPy's cast of nan/inf is undefined, TF gives INT_MIN.
        return xp.trunc(x).astype(DstT.as_numpy_dtype)
    if x.dtype.kind == "c" and not DstT.is_complex:
        x = x.real
    return x.astype(DstT.as_numpy_dtype)


def _cast_grad(op, dy):
    src = op.inputs[0].dtype
    if not (src.is_floating or src.is_complex):
        return [None]
    return [cast(dy, src)]  # complex -> real keeps the real part


register("Cast", kernel=_cast_kernel, infer=lambda s, a: [(sh.dims(s[0]), a["DstT"])], grad=_cast_grad,
         api="tf.cast", samples=lambda: [([S.normal(3, 4)], {"DstT": dtypes.float32}),
                                         ([S.normal(2, 2)], {"DstT": dtypes.int32}),
                                         ([S.normal(3)], {"DstT": dtypes.float64})])


@tf_export("cast", "dtypes.cast")
def cast(x, dtype, name=None) -> Tensor:
    """Casts `x` to `dtype`; float to int truncates toward zero (tf.cast)."""
    dtype = dtypes.as_dtype(dtype)
    if not _is_tensorish(x):
        x = _t(x) if not isinstance(x, (float, int, bool, list, tuple)) else constant_value(x)
    else:
        x = _t(x)
    if x.dtype is dtype:
        return x
    return bind("Cast", [x], {"DstT": dtype})


def _saturate_limits(src, dst):
    """The clip range, in `src`'s dtype, that keeps a cast from `src` to the real dtype `dst`
    in range; None when every `src` value fits."""
    if src.is_bool or dst.is_bool or (src.min >= dst.min and src.max <= dst.max):
        return None
    lo = max(src.min, dst.min)
    hi = min(src.max, dst.max)
    np_src = src.as_numpy_dtype
    lo_c = np.array(lo).astype(np_src)
    hi_c = np.array(hi).astype(np_src)
    if src.is_floating:  # a bound that rounded outside dst's range steps back toward zero
        if float(lo_c) < dst.min:
            lo_c = np.nextafter(lo_c, np.zeros((), np_src))
        if float(hi_c) > dst.max:
            hi_c = np.nextafter(hi_c, np.zeros((), np_src))
    return Tensor(np.asarray(lo_c, np_src), src), Tensor(np.asarray(hi_c, np_src), src)


@tf_export("dtypes.saturate_cast", "saturate_cast")
def saturate_cast(value, dtype, name=None) -> Tensor:
    """Casts `value` to `dtype`, clipping to the range of `dtype` first instead of overflowing;
    complex to real keeps the real part (tf.dtypes.saturate_cast)."""
    x = _t(value)
    dtype = dtypes.as_dtype(dtype)
    if x.dtype.is_complex and not dtype.is_complex:
        x = real(x)
    if not x.dtype.is_complex and x.dtype.is_numeric:
        limits = _saturate_limits(x.dtype, dtype.real_dtype)
        if limits is not None:
            x = bind("ClipByValue", [x, limits[0], limits[1]])
    return cast(x, dtype)


# ---------------------------------------------------------------- complex numbers
# Real, Imag, Conj, Angle and ComplexAbs take complex tensors in TF; they also accept real ones
# here (with the meaning tf.math.real & co. give them), which the registry's gradient check uses.
def _complex_part_infer(api, op_name, real_out=True):
    def infer(specs, attrs):
        sh.check_dtype(api, op_name, specs[0], _FC, "input")
        d = specs[0].dtype
        return [(sh.dims(specs[0]), d.real_dtype if real_out else d)]
    return infer


def _complex_samples():
    return [([(S.normal(3, 4) + 1j * S.normal(3, 4)).astype(np.complex128)], {}),
            ([(S.normal(2, 3) + 1j * S.normal(2, 3)).astype(np.complex64)], {}),
            ([S.distinct(3, 4)], {})]


def _real_grad(op, dy):
    x = op.inputs[0]
    return [cast(dy, x.dtype)]  # complex(dy, 0)


def _imag_grad(op, dy):
    x = op.inputs[0]
    if not x.dtype.is_complex:
        return [array_ops.zeros_like(dy)]
    return [multiply(cast(dy, x.dtype), 1j)]  # complex(0, dy)


def _angle_grad(op, dy):
    x = op.inputs[0]
    if not x.dtype.is_complex:
        return [array_ops.zeros_like(dy)]
    # d angle = -complex(dy, 0) / complex(imag(x), real(x))
    z = reciprocal(add(cast(imag(x), x.dtype), multiply(cast(real(x), x.dtype), 1j)))
    return [negative(multiply(cast(dy, x.dtype), z))]


def _complex_abs_grad(op, dy):
    x = op.inputs[0]
    return [div_no_nan(multiply(cast(dy, x.dtype), x), cast(op.outputs[0], x.dtype))]


def _angle_kernel(x):
    return np.angle(x) if x.dtype.kind == "c" else np.where(x < 0, np.pi, 0).astype(x.dtype)


def _complex_part_samples(with_tout):
    def samples():
        out = []
        for arrays, _ in _complex_samples():
            d = dtypes.from_numpy(arrays[0].dtype)
            out.append((arrays, {"Tout": d.real_dtype} if with_tout else {}))
        return out
    return samples


def _complex_part_kernel(fn):
    k = _ew(fn, "fc")
    return lambda xp, x, Tout=None: k(xp, x)


for _name, _api, _fn, _grad, _real_out in (
        ("Real", "tf.math.real", lambda x: np.real(x).copy(), _real_grad, True),
        ("Imag", "tf.math.imag", lambda x: np.imag(x).copy() if x.dtype.kind == "c" else np.zeros_like(x), _imag_grad, True),
        ("Angle", "tf.math.angle", _angle_kernel, _angle_grad, True),
        ("ComplexAbs", "tf.math.abs", np.abs, _complex_abs_grad, True),
        ("Conj", "tf.math.conj", np.conj, lambda op, dy: [conj(dy)], False)):
    register(_name, kernel=_complex_part_kernel(_fn), infer=_complex_part_infer(_api, _name, _real_out), grad=_grad,
             api=_api, args=("input",), samples=_complex_part_samples(_real_out))
del _name, _api, _fn, _grad, _real_out


@tf_export("math.real")
def real(input, name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """The real part of a complex tensor; a real tensor is returned as it is (tf.math.real)."""
    x = _t(input)
    if x.dtype.is_complex:
        return bind("Real", [x], {"Tout": x.dtype.real_dtype})
    if not x.dtype.is_numeric:
        raise TypeError("input must be a numeric tensor, but got tensor with dtype %r" % x.dtype)
    return x


@tf_export("math.imag")
def imag(input, name=None) -> Tensor:  # noqa: A002
    """The imaginary part of a complex tensor; zeros for a real tensor (tf.math.imag)."""
    x = _t(input)
    if x.dtype.is_complex:
        return bind("Imag", [x], {"Tout": x.dtype.real_dtype})
    if not x.dtype.is_numeric:
        raise TypeError("input must be a numeric tensor, but got tensor with dtype %r" % x.dtype)
    return array_ops.zeros_like(x)


@tf_export("math.angle")
def angle(input, name=None) -> Tensor:  # noqa: A002
    """The argument of a complex tensor; pi where a real tensor is negative, else 0 (tf.math.angle)."""
    x = _t(input)
    if x.dtype.is_complex:
        return bind("Angle", [x], {"Tout": x.dtype.real_dtype})
    return multiply(cast(less(x, 0), x.dtype), math.pi)


@tf_export("math.conj")
def conj(x, name=None) -> Tensor:
    """The complex conjugate; real and integer tensors are returned as they are (tf.math.conj)."""
    x = _t(x)
    if x.dtype.is_complex:
        return bind("Conj", [x])
    if x.dtype.is_floating or x.dtype.is_integer:
        return x
    raise TypeError("Expected numeric or variant tensor, got dtype %r" % x.dtype)


@tf_export("complex", "dtypes.complex")
def complex(real, imag, name=None) -> Tensor:  # noqa: A001 - TF's public name
    """The complex tensor real + imag * 1j; float32 gives complex64, float64 complex128 (tf.complex)."""
    re, im = binary_operands("Complex", real, imag)
    if re.dtype is dtypes.float32:
        ct = dtypes.complex64
    elif re.dtype is dtypes.float64:
        ct = dtypes.complex128
    else:
        raise TypeError("real and imag should be float32 or float64, got %s" % re.dtype.name)
    return add(cast(re, ct), multiply(cast(im, ct), 1j))


# ---------------------------------------------------------------- ClipByValue
def _clip_infer(specs, attrs):
    api, op_name = "tf.clip_by_value", "ClipByValue"
    d = sh.same_dtype(api, op_name, specs, ("t", "clip_value_min", "clip_value_max"))
    sh.check_dtype(api, op_name, specs[0], sh.NUMERIC, "t")
    t = sh.dims(specs[0])
    for name, s in zip(("clip_value_min", "clip_value_max"), specs[1:]):
        b = sh.broadcast_shapes(t, sh.dims(s), api, op_name, ("t", name))
        if t is not None and b is not None and (
                len(b) != len(t) or any(u is not None and v is not None and u != v for u, v in zip(b, t))):
            raise sh.error(api, op_name, "%s must be a scalar or broadcast to the shape of t: shapes %s and %s "
                           "(arguments t and %s)" % (name, sh.fmt(t), sh.fmt(sh.dims(s)), name))
    return [(t, d)]


def _clip_kernel(xp, t, lo, hi):
    out = np.maximum(np.minimum(t, hi), lo)  # as TF: min with the maximum first, then max with the minimum
    if out.shape != t.shape:
        raise ValueError("clip values broadcast beyond the shape of t")
    return out


def _clip_grad(op, dy):
    x, lo, hi = op.inputs
    below = less(x, lo)
    above = greater(x, hi)
    inside = cast(logical_not(logical_or(below, above)), dy.dtype)
    return [multiply(dy, inside), unbroadcast(multiply(dy, cast(below, dy.dtype)), lo.shape, lo),
            unbroadcast(multiply(dy, cast(above, dy.dtype)), hi.shape, hi)]


register("ClipByValue", kernel=_clip_kernel, infer=_clip_infer, grad=_clip_grad, api="tf.clip_by_value",
         args=("t", "clip_value_min", "clip_value_max"),
         samples=lambda: [([S.distinct(4, 3), S.scalar(-0.5, np.float64), S.scalar(0.6, np.float64)], {}),
                          ([S.distinct(2, 3), S.distinct(1, 3) - 0.25, S.scalar(0.4, np.float64)], {}),
                          ([S.ints(-9, 9, 5), S.scalar(-2), S.scalar(3)], {})])


@tf_export("clip_by_value")
def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """Clips `t` to [clip_value_min, clip_value_max] element-wise; the gradient flows where
    t is inside the range (tf.clip_by_value). IndexedSlices clip their values."""
    if isinstance(t, IndexedSlices):
        return IndexedSlices(clip_by_value(t.values, clip_value_min, clip_value_max), t.indices, t.dense_shape)
    t = t if type(t) is Tensor else _t(t)
    lo = _convert_like("ClipByValue", clip_value_min, t.dtype, 1)
    hi = _convert_like("ClipByValue", clip_value_max, t.dtype, 2)
    return bind("ClipByValue", [t, lo, hi])


@tf_export("clip_by_norm")
def clip_by_norm(t, clip_norm, axes=None, name=None):
    """Scales `t` so that its L2 norm over `axes` is at most `clip_norm` (tf.clip_by_norm)."""
    if isinstance(t, IndexedSlices):
        return IndexedSlices(clip_by_norm(t.values, clip_norm, axes), t.indices, t.dense_shape)
    t = _t(t)
    sq = real(multiply(t, conj(t))) if t.dtype.is_complex else multiply(t, t)
    l2sum = reduce_sum(sq, axes, keepdims=True)
    positive = cast(greater(l2sum, 0), l2sum.dtype)
    # sqrt only of positive sums, so that the gradient at t == 0 stays finite
    l2norm = multiply(sqrt(add(l2sum, subtract(1.0, positive))), positive)
    clip_norm = cast(clip_norm, l2norm.dtype)
    scaled = multiply(t, cast(clip_norm, t.dtype))
    return divide(scaled, cast(maximum(l2norm, clip_norm), t.dtype))


@tf_export("linalg.global_norm")
def global_norm(t_list, name=None) -> Tensor:
    """sqrt(sum(||t||^2 for t in t_list)), ignoring None entries (tf.linalg.global_norm)."""
    if isinstance(t_list, (Tensor, IndexedSlices)) or not isinstance(t_list, (list, tuple)):
        raise TypeError("`t_list` should be a sequence of tensors. Received %s." % type(t_list))
    sums = []
    for v in t_list:
        if v is None:
            continue
        v = v.values if isinstance(v, IndexedSlices) else _t(v)
        sums.append(reduce_sum(real(multiply(v, conj(v))) if v.dtype.is_complex else square(v)))
    if not sums:
        return constant_value(0.0, dtypes.float32)
    d = sums[0].dtype
    return sqrt(add_n([cast(s, d) for s in sums]))


@tf_export("clip_by_global_norm")
def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scales every tensor of `t_list` by clip_norm / max(global_norm, clip_norm); returns
    (clipped list, global norm). A non-finite norm gives NaN tensors, as TF (tf.clip_by_global_norm)."""
    if isinstance(t_list, (Tensor, IndexedSlices)) or not isinstance(t_list, (list, tuple)):
        raise TypeError("`t_list` should be a sequence of tensors. Received %s." % type(t_list))
    t_list = list(t_list)
    norm = global_norm(t_list) if use_norm is None else _t(use_norm)
    c = cast(clip_norm, norm.dtype)
    scale = multiply(c, minimum(reciprocal(norm), reciprocal(c)))
    scale = add(scale, subtract(norm, norm))  # NaN when the norm is not finite
    out = []
    for v in t_list:
        if v is None:
            out.append(None)
        elif isinstance(v, IndexedSlices):
            out.append(IndexedSlices(multiply(v.values, cast(scale, v.values.dtype)), v.indices, v.dense_shape))
        else:
            v = _t(v)
            out.append(multiply(v, cast(scale, v.dtype)))
    return out, norm


# ---------------------------------------------------------------- reductions
def _axes(axis, rank, api="", op_name=""):
    """A reduction's `axis` (None, an int, a list or a 1-D tensor) as a sorted tuple of
    non-negative axes; out-of-range and repeated axes raise TF's InvalidArgumentError."""
    if axis is None:
        return tuple(range(rank))
    if isinstance(axis, (Tensor, np.ndarray, np.generic)):
        axis = np.asarray(axis).tolist()
    if isinstance(axis, (int, np.integer)):
        axis = [axis]
    out = []
    for a in axis:
        a = int(a)
        if rank is not None:
            if not -rank <= a < rank:
                raise sh.error(api or "tf.math.reduce_sum", op_name or "Sum",
                               "Invalid reduction dimension (%d for input with %d dimension(s)" % (a, rank))
            a %= rank
        out.append(a)
    if len(set(out)) != len(out):
        dup = next(a for a in out if out.count(a) > 1)
        raise sh.error(api or "tf.math.reduce_sum", op_name or "Sum",
                       "Invalid reduction arguments: Axes contains duplicate dimension: %d" % dup)
    return tuple(sorted(out))


def _reduce_infer(api, op_name, out_dtype=None, allowed=None):
    def infer(specs, attrs):
        s = sh.dims(specs[0])
        if allowed is not None:
            sh.check_dtype(api, op_name, specs[0], allowed, "input_tensor")
        d = out_dtype or specs[0].dtype
        if s is None:
            return [(None, d)]
        if len(specs) == 2:  # reduction_indices is an input tensor
            v = specs[1]._static_value() if getattr(specs[1], "_is_symbolic_tensor", False) else _static_value(specs[1])
            if v is None:
                return [(((None,) * len(s)) if attrs["keep_dims"] else None, d)]
            attrs = {"axis": _axes(np.asarray(v).reshape(-1).tolist(), len(s), api, op_name),
                     "keep_dims": attrs["keep_dims"]}
        for a in attrs["axis"]:
            if not 0 <= a < len(s):
                raise sh.error(api, op_name, "Invalid reduction dimension (%d for input with %d dimension(s)" % (a, len(s)))
        if attrs["keep_dims"]:
            return [(tuple(1 if i in attrs["axis"] else d_ for i, d_ in enumerate(s)), d)]
        return [(tuple(d_ for i, d_ in enumerate(s) if i not in attrs["axis"]), d)]
    return infer


def _count(x, axis):
    n = 1
    for a in axis:
        n *= x.shape[a]
    return n


def _sum_kernel(xp, x, axis, keep_dims):
    if type(axis) is not tuple:  # the run-time reduction_indices input
        axis = tuple(int(a) % max(x.ndim, 1) for a in np.reshape(axis, -1))
    k = x.dtype.kind
    if k in "iuc" or (k == "f" and x.dtype != _F16):
        return xp.asarray(xp.sum(x, axis=axis, keepdims=keep_dims, dtype=x.dtype))
    if x.dtype == _F16 or x.dtype == _BF16:  # accumulate in float32, as TF does
        return xp.asarray(xp.sum(x, axis=axis, keepdims=keep_dims, dtype=np.float32)).astype(x.dtype)
    raise _unsupported(x)


def restore_reduced(dy, x_shape, axis, keep_dims):
    """Reshape a reduction's gradient so it broadcasts against the input."""
    if keep_dims:
        return dy
    return array_ops.reshape(dy, [1 if i in axis else d for i, d in enumerate(x_shape)])


def _sum_grad(op, dy):
    x = op.inputs[0]
    if len(op.inputs) == 2:  # run-time axes
        sx = array_ops.shape(x)
        if not op.attrs["keep_dims"]:
            axes = floormod(cast(op.inputs[1], dtypes.int32), array_ops.size(sx))
            kept = array_ops.tensor_scatter_nd_update(sx, array_ops.reshape(axes, [-1, 1]),
                                                      array_ops.ones_like(array_ops.reshape(axes, [-1])))
            dy = array_ops.reshape(dy, kept)
        return [array_ops.broadcast_to(dy, sx), None]
    xs = array_ops.dynamic_shape(x, "tf.math.reduce_sum's gradient")
    dy = restore_reduced(dy, xs, op.attrs["axis"], op.attrs["keep_dims"])
    return [array_ops.broadcast_to(dy, xs)]


def _reduce_samples(make=S.normal):
    return lambda: [([make(2, 3, 4)], {"axis": (0, 2), "keep_dims": False}),
                    ([make(2, 3)], {"axis": (1,), "keep_dims": True}),
                    ([make(3, 2)], {"axis": (0, 1), "keep_dims": False})]


register("Sum", kernel=_sum_kernel, infer=_reduce_infer("tf.math.reduce_sum", "Sum", allowed=sh.NUMERIC), grad=_sum_grad,
         api="tf.math.reduce_sum", args=("input_tensor", "axis"),
         samples=lambda: _reduce_samples()() + [([S.normal(2, 3, 4), np.array([0, -1], np.int32)], {"keep_dims": False}),
                                                ([S.normal(2, 3), np.array([1], np.int64)], {"keep_dims": True})])


def _reduce(op_name, api, input_tensor, axis, keepdims):
    if type(input_tensor) is not Tensor and type(input_tensor).__name__ == "RaggedTensor":
        from . import ragged_ops  # TF dispatches reductions of ragged tensors to tf.ragged's
        return ragged_ops.reduce(op_name, input_tensor, axis, keepdims)
    x = input_tensor if type(input_tensor) is Tensor else _t(input_tensor)
    if op_name == "Sum" and getattr(axis, "_is_symbolic_tensor", False) and axis._static_value() is None:
        return bind("Sum", [x, axis], {"keep_dims": bool(keepdims)})  # axes known at run time only
    if axis is None and not keepdims and _rank(x) is None:  # a graph tensor of unknown rank: reduce it flat
        from .array_ops import reshape
        x, axis = reshape(x, [-1]), 0
    return bind(op_name, [x], {"axis": _axes(axis, _rank(x), api, op_name), "keep_dims": bool(keepdims)})


@tf_export("math.reduce_sum", "reduce_sum")
def reduce_sum(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Sums elements across `axis` (all axes when None) (tf.math.reduce_sum)."""
    return _reduce("Sum", "tf.math.reduce_sum", input_tensor, axis, keepdims)


def _mean_kernel(xp, x, axis, keep_dims):
    k = x.dtype.kind
    n = _count(x, axis)
    if k in "iu":  # TF keeps the integer dtype: the sum divided by the count, truncated
        s = np.asarray(np.sum(x, axis=axis, keepdims=keep_dims, dtype=x.dtype))
        if n == 0:
            return np.zeros_like(s)
        q = s // n
        if k == "i":
            q = q + ((q * n != s) & (s < 0)).astype(q.dtype)
        return q.astype(x.dtype, copy=False)
    if k == "c" or (k == "f" and x.dtype != _F16):
        return np.asarray(np.sum(x, axis=axis, keepdims=keep_dims, dtype=x.dtype) / n).astype(x.dtype, copy=False)
    if x.dtype == _F16 or x.dtype == _BF16:
        return np.asarray(np.sum(x, axis=axis, keepdims=keep_dims, dtype=np.float32) / n).astype(x.dtype)
    raise _unsupported(x)


def _mean_grad(op, dy):
    x = op.inputs[0]
    xs = array_ops.dynamic_shape(x, "tf.math.reduce_mean's gradient")
    axis = op.attrs["axis"]
    g = restore_reduced(dy, xs, axis, op.attrs["keep_dims"])
    if not all(type(d) is int for d in xs):  # run-time shapes: the count from the reduced dims
        n = array_ops._dyn_prod([xs[a] for a in axis])
        return [divide(array_ops.broadcast_to(g, xs), float(n) if type(n) is int else cast(n, dy.dtype))]
    n = 1
    for a in axis:
        n *= xs[a]
    return [divide(array_ops.broadcast_to(g, xs), float(n))]


register("Mean", kernel=_mean_kernel, infer=_reduce_infer("tf.math.reduce_mean", "Mean", allowed=sh.NUMERIC),
         grad=_mean_grad, api="tf.math.reduce_mean", args=("input_tensor",), samples=_reduce_samples())


@tf_export("math.reduce_mean", "reduce_mean")
def reduce_mean(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The mean across `axis`; integer tensors give an integer (truncated) mean, as TF (tf.math.reduce_mean)."""
    return _reduce("Mean", "tf.math.reduce_mean", input_tensor, axis, keepdims)


def _extreme_kernel(fn, lowest):
    def kernel(xp, x, axis, keep_dims):
        dt = x.dtype
        if not (dt.kind in "fiu" or dt == _BF16):
            raise _unsupported(x)
        if x.size == 0:  # TF gives the identity: -inf / INT_MIN for max, inf / INT_MAX for min
            if dt.kind in "iu":
                init = np.iinfo(dt).min if lowest else np.iinfo(dt).max
            else:
                init = -np.inf if lowest else np.inf
            return np.asarray(fn(x, axis=axis, keepdims=keep_dims, initial=init))
        return np.asarray(fn(x, axis=axis, keepdims=keep_dims))
    return kernel


def _extreme_grad(op, dy):
    """Max/Min: the gradient goes to the elements equal to the result, split evenly between ties."""
    x = op.inputs[0]
    xs = array_ops.dynamic_shape(x, "tf.math.reduce_max's gradient")
    axis, kd = op.attrs["axis"], op.attrs["keep_dims"]
    y = restore_reduced(op.outputs[0], xs, axis, kd)
    g = restore_reduced(dy, xs, axis, kd)
    hits = cast(equal(y, x), dy.dtype)
    num = reduce_sum(hits, axis=list(axis), keepdims=True)
    return [multiply(divide(hits, num), g)]


register("Max", kernel=_extreme_kernel(np.max, True), infer=_reduce_infer("tf.math.reduce_max", "Max", allowed=sh.REAL),
         grad=_extreme_grad, api="tf.math.reduce_max", args=("input_tensor",), samples=_reduce_samples(S.distinct))
register("Min", kernel=_extreme_kernel(np.min, False), infer=_reduce_infer("tf.math.reduce_min", "Min", allowed=sh.REAL),
         grad=_extreme_grad, api="tf.math.reduce_min", args=("input_tensor",), samples=_reduce_samples(S.distinct))


@tf_export("math.reduce_max", "reduce_max")
def reduce_max(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The maximum across `axis`; NaN propagates, an empty reduction gives -inf (tf.math.reduce_max)."""
    return _reduce("Max", "tf.math.reduce_max", input_tensor, axis, keepdims)


@tf_export("math.reduce_min", "reduce_min")
def reduce_min(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The minimum across `axis`; NaN propagates, an empty reduction gives +inf (tf.math.reduce_min)."""
    return _reduce("Min", "tf.math.reduce_min", input_tensor, axis, keepdims)


def _prod_kernel(xp, x, axis, keep_dims):
    k = x.dtype.kind
    if k in "iuc" or (k == "f" and x.dtype != _F16):
        return np.asarray(np.prod(x, axis=axis, keepdims=keep_dims, dtype=x.dtype))
    if x.dtype == _F16 or x.dtype == _BF16:
        return np.asarray(np.prod(x, axis=axis, keepdims=keep_dims, dtype=np.float32)).astype(x.dtype)
    raise _unsupported(x)


def _prod_grad(op, dy):
    """The product of all the other reduced elements, from exclusive cumulative products along
    each reduced axis in turn (exact with zeros; no division)."""
    x = op.inputs[0]
    xs = array_ops.dynamic_shape(x, "tf.math.reduce_prod's gradient")
    axis = op.attrs["axis"]
    g = restore_reduced(dy, xs, axis, op.attrs["keep_dims"])
    others = None
    part = x
    for a in axis:
        excl = multiply(cumprod(part, axis=a, exclusive=True), cumprod(part, axis=a, exclusive=True, reverse=True))
        others = excl if others is None else multiply(others, excl)
        part = reduce_prod(part, axis=a, keepdims=True)
    if others is None:
        return [g]
    return [multiply(_cj(others), g)]


register("Prod", kernel=_prod_kernel, infer=_reduce_infer("tf.math.reduce_prod", "Prod", allowed=sh.NUMERIC),
         grad=_prod_grad, api="tf.math.reduce_prod", args=("input_tensor",),
         samples=lambda: _reduce_samples()() + [([np.array([[0.5, 0.0, 2.0], [1.5, -1.0, 0.0]])],
                                                 {"axis": (0, 1), "keep_dims": True})])


@tf_export("math.reduce_prod", "reduce_prod")
def reduce_prod(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The product across `axis` (tf.math.reduce_prod)."""
    return _reduce("Prod", "tf.math.reduce_prod", input_tensor, axis, keepdims)


def _logical_reduce_kernel(fn):
    def kernel(xp, x, axis, keep_dims):
        if x.dtype.kind != "b":
            raise _unsupported(x)
        return np.asarray(fn(x, axis=axis, keepdims=keep_dims))
    return kernel


def _logical_reduce_infer(api, op_name):
    inner = _reduce_infer(api, op_name)

    def infer(specs, attrs):
        _bool_inputs(api, op_name, specs[:1], ("input_tensor",))
        return inner(specs, attrs)
    return infer


register("All", kernel=_logical_reduce_kernel(np.all), infer=_logical_reduce_infer("tf.math.reduce_all", "All"),
         grad=NON_DIFFERENTIABLE, api="tf.math.reduce_all", args=("input_tensor",), samples=_reduce_samples(S.bools))
register("Any", kernel=_logical_reduce_kernel(np.any), infer=_logical_reduce_infer("tf.math.reduce_any", "Any"),
         grad=NON_DIFFERENTIABLE, api="tf.math.reduce_any", args=("input_tensor",), samples=_reduce_samples(S.bools))


@tf_export("math.reduce_all", "reduce_all")
def reduce_all(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Logical AND across `axis` of a bool tensor (tf.math.reduce_all)."""
    return _reduce("All", "tf.math.reduce_all", input_tensor, axis, keepdims)


@tf_export("math.reduce_any", "reduce_any")
def reduce_any(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Logical OR across `axis` of a bool tensor (tf.math.reduce_any)."""
    return _reduce("Any", "tf.math.reduce_any", input_tensor, axis, keepdims)


def _euclidean_norm_kernel(xp, x, axis, keep_dims):
    k = x.dtype.kind
    if k == "c":
        return np.asarray(np.sqrt(np.sum(x * np.conj(x), axis=axis, keepdims=keep_dims)))
    if k in "iu":
        s = np.sum(np.square(x.astype(np.float64)), axis=axis, keepdims=keep_dims)
        return np.asarray(np.sqrt(s)).astype(x.dtype)
    if k == "f" and x.dtype != _F16:
        return np.asarray(np.sqrt(np.sum(np.square(x), axis=axis, keepdims=keep_dims)))
    if x.dtype == _F16 or x.dtype == _BF16:
        xf = x.astype(np.float32)
        return np.asarray(np.sqrt(np.sum(xf * xf, axis=axis, keepdims=keep_dims))).astype(x.dtype)
    raise _unsupported(x)


def _euclidean_norm_grad(op, dy):
    x = op.inputs[0]
    xs = array_ops.dynamic_shape(x, "tf.math.reduce_euclidean_norm's gradient")
    axis, kd = op.attrs["axis"], op.attrs["keep_dims"]
    y = restore_reduced(op.outputs[0], xs, axis, kd)
    g = restore_reduced(dy, xs, axis, kd)
    return [divide(x, divide(y, g))]  # x / (norm / dy), as TF


register("EuclideanNorm", kernel=_euclidean_norm_kernel,
         infer=_reduce_infer("tf.math.reduce_euclidean_norm", "EuclideanNorm", allowed=sh.NUMERIC),
         grad=_euclidean_norm_grad, api="tf.math.reduce_euclidean_norm", args=("input_tensor",),
         samples=_reduce_samples())


@tf_export("math.reduce_euclidean_norm")
def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """sqrt(sum(x * conj(x))) across `axis` (tf.math.reduce_euclidean_norm)."""
    return _reduce("EuclideanNorm", "tf.math.reduce_euclidean_norm", input_tensor, axis, keepdims)


@tf_export("math.reduce_logsumexp", "reduce_logsumexp")
def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """log(sum(exp(x))) across `axis`, computed without overflow (tf.math.reduce_logsumexp)."""
    x = _t(input_tensor)
    sh.check_dtype("tf.math.reduce_logsumexp", "IsFinite", x, sh.FLOATS)
    raw_max = reduce_max(x, axis, keepdims=True)
    # The shift is the maximum, clamped to a finite value when it is +-inf (the sum is then
    # +-inf anyway). Its gradient contributions cancel, so no stop_gradient is needed.
    big = float(_finfo(x.dtype).max)
    m = maximum(minimum(raw_max, big), -big)
    r = log(reduce_sum(exp(subtract(x, m)), axis, keepdims=keepdims))
    return add(r, m if keepdims else array_ops.reshape(m, array_ops.dynamic_shape(r, "tf.math.reduce_logsumexp")))


@tf_export("math.reduce_variance")
def reduce_variance(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The (biased) variance across `axis`; complex input gives a real variance (tf.math.reduce_variance)."""
    x = _t(input_tensor)
    if not (x.dtype.is_floating or x.dtype.is_complex):
        raise TypeError("Input must be either real or complex. Received integer type %r." % x.dtype)
    diff = subtract(x, reduce_mean(x, axis, keepdims=True))
    sq = real(multiply(diff, conj(diff))) if x.dtype.is_complex else square(diff)
    return reduce_mean(sq, axis, keepdims=keepdims)


@tf_export("math.reduce_std")
def reduce_std(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The (biased) standard deviation across `axis` (tf.math.reduce_std)."""
    return sqrt(reduce_variance(input_tensor, axis, keepdims))


@tf_export("math.count_nonzero")
def count_nonzero(input, axis=None, keepdims=None, dtype=dtypes.int64, name=None) -> Tensor:  # noqa: A002
    """The number of non-zero (non-empty, for strings) elements across `axis` (tf.math.count_nonzero)."""
    x = _t(input)
    zero = b"" if x.dtype is dtypes.string else 0
    nz = cast(not_equal(x, zero), dtypes.int64)
    return cast(reduce_sum(nz, axis, keepdims=bool(keepdims)), dtype)


@tf_export("math.zero_fraction", "nn.zero_fraction")
def zero_fraction(value, name=None) -> Tensor:
    """The fraction of zeros in `value`, as float32 (tf.math.zero_fraction)."""
    x = _t(value)
    return reduce_mean(cast(equal(x, array_ops.zeros_like(x)), dtypes.float32))


# ---------------------------------------------------------------- ArgMax / ArgMin
def _arg_kernel(fn, fill):
    def kernel(xp, x, axis, output_type):
        dt = x.dtype
        if not (dt.kind in "fiub" or dt == _BF16):
            raise _unsupported(x)
        if x.shape[axis] == 0:
            raise ValueError("Reduction axis %d is empty in shape %s" % (axis, sh.fmt(x.shape)))
        r = fn(x, axis=axis)
        if dt.kind == "f" or dt == _BF16:
            # NumPy returns the first NaN; TF's comparisons skip NaNs.
            picked = np.take_along_axis(x, np.expand_dims(r, axis), axis)
            if np.isnan(picked).any():
                r = fn(np.where(np.isnan(x), fill, x), axis=axis)
        return np.asarray(r, dtype=output_type.as_numpy_dtype)
    return kernel


def _arg_infer(api, op_name):
    def infer(specs, attrs):
        s = sh.dims(specs[0])
        sh.check_dtype(api, op_name, specs[0], sh.REAL + (dtypes.bool,), "input")
        if s is None:
            return [(None, attrs["output_type"])]
        a = attrs["axis"]
        if not 0 <= a < len(s):
            raise sh.error(api, op_name, "Expected dimension in the range [%d, %d), but got %d" % (-len(s), len(s), a))
        return [(s[:a] + s[a + 1:], attrs["output_type"])]
    return infer


register("ArgMax", kernel=_arg_kernel(np.argmax, -np.inf), infer=_arg_infer("tf.math.argmax", "ArgMax"),
         grad=NON_DIFFERENTIABLE, api="tf.math.argmax", args=("input",),
         samples=lambda: [([S.distinct(3, 5)], {"axis": 1, "output_type": dtypes.int64}),
                          ([S.ints(0, 9, 4, 3)], {"axis": 0, "output_type": dtypes.int32})])
register("ArgMin", kernel=_arg_kernel(np.argmin, np.inf), infer=_arg_infer("tf.math.argmin", "ArgMin"),
         grad=NON_DIFFERENTIABLE, api="tf.math.argmin", args=("input",),
         samples=lambda: [([S.distinct(3, 5)], {"axis": 1, "output_type": dtypes.int64}),
                          ([S.ints(0, 9, 4, 3)], {"axis": 0, "output_type": dtypes.int32})])


def _arg(op_name, api, input, axis, output_type):
    x = input if type(input) is Tensor else _t(input)
    axis = 0 if axis is None else int(axis)
    r = _rank(x)
    if r is not None and -r <= axis < 0:
        axis += r
    elif r is not None and not 0 <= axis < max(r, 1):
        raise sh.error(api, op_name, "Expected dimension in the range [%d, %d), but got %d" % (-r, r, axis))
    return bind(op_name, [x], {"axis": axis, "output_type": dtypes.as_dtype(output_type)})


@tf_export("math.argmax", "argmax")
def argmax(input, axis=None, output_type=dtypes.int64, name=None) -> Tensor:  # noqa: A002
    """The index of the largest value across `axis` (0 when None); int64 unless `output_type` (tf.math.argmax)."""
    return _arg("ArgMax", "tf.math.argmax", input, axis, output_type)


@tf_export("math.argmin", "argmin")
def argmin(input, axis=None, output_type=dtypes.int64, name=None) -> Tensor:  # noqa: A002
    """The index of the smallest value across `axis` (0 when None); int64 unless `output_type` (tf.math.argmin)."""
    return _arg("ArgMin", "tf.math.argmin", input, axis, output_type)


# ---------------------------------------------------------------- scans
def _scan_kernel(accumulate, identity, kinds="fiuc"):
    def kernel(xp, x, axis, exclusive, reverse):
        dt = x.dtype
        low = dt == _F16 or dt == _BF16
        if not (dt.kind in kinds or low):
            raise _unsupported(x)
        v = x.astype(np.float32) if low else x
        if reverse:
            v = np.flip(v, axis)
        out = accumulate(v, axis)
        n = out.shape[axis]
        if exclusive and n:
            head = [slice(None)] * out.ndim
            head[axis] = slice(0, 1)
            body = list(head)
            body[axis] = slice(0, n - 1)
            out = np.concatenate([np.full(out[tuple(head)].shape, identity, out.dtype), out[tuple(body)]], axis=axis)
        if reverse:
            out = np.flip(out, axis)
        return np.ascontiguousarray(out.astype(dt, copy=False))
    return kernel


def _scan_infer(api, op_name, allowed):
    def infer(specs, attrs):
        sh.check_dtype(api, op_name, specs[0], allowed)
        s = sh.dims(specs[0])
        if s is not None and not 0 <= attrs["axis"] < len(s):
            raise sh.error(api, op_name, "axis %d is out of range for a tensor of rank %d" % (attrs["axis"], len(s)))
        return [(s, specs[0].dtype)]
    return infer


def _scan_samples(make=S.normal):
    return lambda: [([make(3, 4)], {"axis": 1, "exclusive": False, "reverse": False}),
                    ([make(3, 4)], {"axis": 0, "exclusive": True, "reverse": True}),
                    ([make(2, 3)], {"axis": 1, "exclusive": True, "reverse": False}),
                    ([make(4)], {"axis": 0, "exclusive": False, "reverse": True})]


def _cumsum_grad(op, dy):
    a = op.attrs
    return [cumsum(dy, a["axis"], exclusive=a["exclusive"], reverse=not a["reverse"])]


def _cumprod_grad(op, dy):
    x = op.inputs[0]
    a = op.attrs
    prod = op.outputs[0]
    out = cumsum(multiply(prod, dy), a["axis"], exclusive=a["exclusive"], reverse=not a["reverse"])
    return [div_no_nan(out, x)]


def _cumulative_logsumexp_grad(op, dy):
    x = op.inputs[0]
    a = op.attrs
    out = op.outputs[0]
    lowest = float(_finfo(dy.dtype).min)
    tiny = float(_finfo(dy.dtype).tiny)
    pos = cast(greater(dy, 0), dy.dtype)
    neg = cast(less(dy, 0), dy.dtype)
    # log(dy) where dy > 0 (log(-dy) where dy < 0), the lowest float elsewhere
    log_pos = add(multiply(log(maximum(dy, tiny)), pos), multiply(subtract(1.0, pos), lowest))
    log_neg = add(multiply(log(maximum(negative(dy), tiny)), neg), multiply(subtract(1.0, neg), lowest))
    rev = not a["reverse"]
    out_pos = exp(add(cumulative_logsumexp(subtract(log_pos, out), a["axis"], a["exclusive"], rev), x))
    out_neg = exp(add(cumulative_logsumexp(subtract(log_neg, out), a["axis"], a["exclusive"], rev), x))
    return [subtract(out_pos, out_neg)]


register("Cumsum", kernel=_scan_kernel(lambda v, a: np.cumsum(v, axis=a, dtype=v.dtype), 0),
         infer=_scan_infer("tf.math.cumsum", "Cumsum", sh.NUMERIC), grad=_cumsum_grad, api="tf.math.cumsum",
         samples=_scan_samples())
register("Cumprod", kernel=_scan_kernel(lambda v, a: np.cumprod(v, axis=a, dtype=v.dtype), 1),
         infer=_scan_infer("tf.math.cumprod", "Cumprod", sh.NUMERIC), grad=_cumprod_grad, api="tf.math.cumprod",
         samples=_scan_samples(S.positive))
register("CumulativeLogsumexp", kernel=_scan_kernel(lambda v, a: np.logaddexp.accumulate(v, axis=a), -np.inf, "f"),
         infer=_scan_infer("tf.math.cumulative_logsumexp", "CumulativeLogsumexp", sh.FLOATS),
         grad=_cumulative_logsumexp_grad, api="tf.math.cumulative_logsumexp",
         # exclusive scans start at -inf, which finite differences cannot check: tested in test_math_ops
         samples=lambda: [([S.normal(3, 4)], {"axis": 1, "exclusive": False, "reverse": False}),
                          ([S.normal(3, 4)], {"axis": 0, "exclusive": False, "reverse": True})])


def _scan(op_name, api, x, axis, exclusive, reverse):
    x = x if type(x) is Tensor else _t(x)
    if isinstance(axis, Tensor):
        axis = int(axis)
    axis = int(axis)
    r = _rank(x)
    if r is not None:
        if not -r <= axis < r:
            raise sh.error(api, op_name, "axis %d is out of range for a tensor of rank %d" % (axis, r))
        axis %= r
    return bind(op_name, [x], {"axis": axis, "exclusive": bool(exclusive), "reverse": bool(reverse)})


@tf_export("math.cumsum", "cumsum")
def cumsum(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """The cumulative sum along `axis`; `exclusive` starts from 0, `reverse` sums from the end (tf.math.cumsum)."""
    return _scan("Cumsum", "tf.math.cumsum", x, axis, exclusive, reverse)


@tf_export("math.cumprod")
def cumprod(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """The cumulative product along `axis`; `exclusive` starts from 1 (tf.math.cumprod)."""
    return _scan("Cumprod", "tf.math.cumprod", x, axis, exclusive, reverse)


@tf_export("math.cumulative_logsumexp")
def cumulative_logsumexp(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """log(cumsum(exp(x))) along `axis`, computed stably (tf.math.cumulative_logsumexp)."""
    return _scan("CumulativeLogsumexp", "tf.math.cumulative_logsumexp", x, axis, exclusive, reverse)


# ---------------------------------------------------------------- AddN
def _add_n_infer(specs, attrs):
    d = sh.same_dtype("tf.math.add_n", "AddN", specs, ["inputs[%d]" % i for i in range(len(specs))])
    s0 = sh.dims(specs[0])
    for i, s in enumerate(specs[1:], 1):
        if sh.dims(s) != s0:
            raise sh.error("tf.math.add_n", "AddN", "Inputs to operation AddN must have the same size and shape. "
                           "Input 0: %s != input %d: %s" % (sh.fmt(s0), i, sh.fmt(sh.dims(s))))
    return [(s0, d)]


def _add_n_kernel(xp, *xs):
    s0 = xs[0].shape
    for x in xs[1:]:
        if x.shape != s0:
            raise ValueError("Inputs to operation AddN must have the same size and shape")
    out = xs[0] + xs[1] if len(xs) > 1 else xs[0].copy()
    for x in xs[2:]:
        out += x
    return out


register("AddN", kernel=_add_n_kernel, infer=_add_n_infer, grad=lambda op, dy: [dy] * len(op.inputs),
         api="tf.math.add_n", args=("inputs",), samples=lambda: [([S.normal(3), S.normal(3), S.normal(3)], {})])


@tf_export("math.add_n", "add_n")
def add_n(inputs, name=None) -> Tensor:
    """Adds all input tensors element-wise (tf.math.add_n)."""
    xs = [_t(v) for v in inputs]
    if not xs:
        raise ValueError("inputs must be an iterable of at least one Tensor/IndexedSlices with the same dtype and shape")
    return bind("AddN", xs)


@tf_export("math.accumulate_n")
def accumulate_n(inputs, shape=None, tensor_dtype=None, name=None) -> Tensor:
    """Adds all input tensors element-wise, like add_n (tf.math.accumulate_n)."""
    return add_n(inputs)


# ---------------------------------------------------------------- segments
def _segment_infer(api, op_name, allowed):
    def infer(specs, attrs):
        x, ids = sh.dims(specs[0]), sh.dims(specs[1])
        sh.check_dtype(api, op_name, specs[0], allowed, "data")
        if specs[1].dtype not in (dtypes.int32, dtypes.int64):
            raise sh.error(api, op_name, "segment_ids must be int32 or int64, got %s" % specs[1].dtype.name)
        if ids is not None and len(ids) != 1:
            raise sh.error(api, op_name, "segment_ids should be a vector, but got shape %s" % sh.fmt(ids))
        if x is not None and len(x) == 0:
            raise sh.error(api, op_name, "data must be at least rank 1")
        if x is not None and ids is not None and None not in (x[0], ids[0]) and x[0] != ids[0]:
            raise sh.error(api, op_name, "segment_ids should be the same size as dimension 0 of data, but got shapes "
                           "%s and %s (arguments data and segment_ids)" % (sh.fmt(x), sh.fmt(ids)))
        v = _static_value(specs[1])
        n = None if v is None else (int(v[-1]) + 1 if v.size else 0)
        return [(None if x is None else (n,) + tuple(x[1:]), specs[0].dtype)]
    return infer


def _sorted_segments(data, ids):
    """Segment boundaries of sorted ids: (ids as int64, number of segments, start of each run)."""
    ids = np.asarray(ids, dtype=np.int64).reshape(-1)
    if data.ndim == 0 or ids.size != data.shape[0]:
        raise ValueError("segment_ids should be the same size as dimension 0 of data")
    if ids.size == 0:
        return ids, 0, ids
    if ids[0] < 0:
        raise ValueError("segment ids must be >= 0")
    if ids.size > 1 and (ids[1:] < ids[:-1]).any():
        raise ValueError("segment ids are not increasing")
    starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
    return ids, int(ids[-1]) + 1, starts


def _segment_kernel(ufunc, empty, kinds):
    def kernel(xp, data, ids):
        if not (data.dtype.kind in kinds or data.dtype == _BF16):
            raise _unsupported(data)
        ids, n, starts = _sorted_segments(data, ids)
        out = np.full((n,) + data.shape[1:], empty, dtype=data.dtype)
        if ids.size:
            kw = {"dtype": data.dtype} if ufunc in (np.add, np.multiply) else {}
            out[ids[starts]] = ufunc.reduceat(data, starts, axis=0, **kw)
        return out
    return kernel


def _segment_mean_kernel(xp, data, ids):
    if not (data.dtype.kind in "fiuc" or data.dtype == _BF16):
        raise _unsupported(data)
    ids, n, starts = _sorted_segments(data, ids)
    out = np.zeros((n,) + data.shape[1:], dtype=data.dtype)
    if ids.size:
        sums = np.add.reduceat(data, starts, axis=0, dtype=data.dtype)
        counts = np.diff(np.append(starts, ids.size)).reshape((-1,) + (1,) * (data.ndim - 1))
        if data.dtype.kind in "iu":
            q = sums // counts
            if data.dtype.kind == "i":
                q = q + ((q * counts != sums) & (sums < 0)).astype(q.dtype)
            out[ids[starts]] = q
        else:
            out[ids[starts]] = sums / counts
    return out


def _segment_sum_grad(op, dy):
    return [array_ops.gather(dy, op.inputs[1]), None]


def _segment_mean_grad(op, dy):
    data, ids = op.inputs
    n = data.shape[0]
    n = array_ops.shape(data)[0] if n is None else n
    ones = array_ops.ones([n] + [1] * (data.shape.rank - 1), dtype=dy.dtype)
    counts = segment_sum(ones, ids)
    return [array_ops.gather(divide(dy, counts), ids), None]


def _segment_extreme_grad(op, dy):
    """Max/Min: to the elements equal to their segment's result, split evenly between ties."""
    data, ids = op.inputs
    hits = cast(equal(data, array_ops.gather(op.outputs[0], ids)), dy.dtype)
    num = segment_sum(hits, ids)
    return [multiply(hits, array_ops.gather(divide(dy, num), ids)), None]


def _prod_partials(data, prod_all, gather_rows, segment_prod_fn, segment_sum_fn, ids):
    """d prod / d data for segment products, exact when a segment holds one zero (TF's rule)."""
    zero = cast(equal(data, 0), data.dtype)
    num_zeros = segment_sum_fn(zero, ids)
    nonzero_data = add(data, zero)  # zeros replaced by ones
    nonzero_prod = segment_prod_fn(nonzero_data, ids)
    by_el = divide(gather_rows(prod_all, ids), nonzero_data)
    partial = add(multiply(zero, gather_rows(nonzero_prod, ids)), multiply(subtract(1.0, zero), by_el))
    return partial, cast(less_equal(num_zeros, 1.0), data.dtype)


def _segment_prod_grad(op, dy):
    data, ids = op.inputs
    partial, single = _prod_partials(data, op.outputs[0], array_ops.gather, segment_prod, segment_sum, ids)
    return [multiply(array_ops.gather(multiply(dy, single), ids), partial), None]


def _segment_samples():
    return [([S.normal(5, 2), np.array([0, 0, 1, 3, 3], np.int32)], {}),
            ([S.normal(4), np.array([1, 1, 2, 2], np.int64)], {})]


for _name, _api, _kernel, _allowed, _grad in (
        ("SegmentSum", "tf.math.segment_sum", _segment_kernel(np.add, 0, "fiuc"), sh.NUMERIC, _segment_sum_grad),
        ("SegmentMean", "tf.math.segment_mean", _segment_mean_kernel, sh.NUMERIC, _segment_mean_grad),
        ("SegmentProd", "tf.math.segment_prod", _segment_kernel(np.multiply, 1, "fiuc"), sh.NUMERIC, _segment_prod_grad),
        ("SegmentMax", "tf.math.segment_max", _segment_kernel(np.maximum, 0, "fiu"), sh.REAL, _segment_extreme_grad),
        ("SegmentMin", "tf.math.segment_min", _segment_kernel(np.minimum, 0, "fiu"), sh.REAL, _segment_extreme_grad)):
    register(_name, kernel=_kernel, infer=_segment_infer(_api, _name, _allowed), grad=_grad, api=_api,
             args=("data", "segment_ids"), samples=_segment_samples)
del _name, _api, _kernel, _allowed, _grad


def _segment(op_name, data, segment_ids):
    return bind(op_name, [data if type(data) is Tensor else _t(data),
                          segment_ids if type(segment_ids) is Tensor else _t(segment_ids)])


@tf_export("math.segment_sum")
def segment_sum(data, segment_ids, name=None) -> Tensor:
    """Sums the rows of `data` with equal (sorted) `segment_ids`; missing ids give 0 (tf.math.segment_sum)."""
    return _segment("SegmentSum", data, segment_ids)


@tf_export("math.segment_mean")
def segment_mean(data, segment_ids, name=None) -> Tensor:
    """The mean of the rows of `data` with equal (sorted) `segment_ids` (tf.math.segment_mean)."""
    return _segment("SegmentMean", data, segment_ids)


@tf_export("math.segment_prod")
def segment_prod(data, segment_ids, name=None) -> Tensor:
    """The product of the rows of `data` with equal (sorted) `segment_ids`; missing ids give 1 (tf.math.segment_prod)."""
    return _segment("SegmentProd", data, segment_ids)


@tf_export("math.segment_max")
def segment_max(data, segment_ids, name=None) -> Tensor:
    """The maximum of the rows of `data` with equal (sorted) `segment_ids`; missing ids give 0 (tf.math.segment_max)."""
    return _segment("SegmentMax", data, segment_ids)


@tf_export("math.segment_min")
def segment_min(data, segment_ids, name=None) -> Tensor:
    """The minimum of the rows of `data` with equal (sorted) `segment_ids`; missing ids give 0 (tf.math.segment_min)."""
    return _segment("SegmentMin", data, segment_ids)


def _unsorted_segment_infer(api, op_name, allowed=sh.NUMERIC):
    def infer(specs, attrs):
        x, ids = sh.dims(specs[0]), sh.dims(specs[1])
        sh.check_dtype(api, op_name, specs[0], allowed, "data")
        if x is None or ids is None:
            return [(None, specs[0].dtype)]
        if len(x) < len(ids) or any(a != b and None not in (a, b) for a, b in zip(x, ids)):
            raise sh.error(api, op_name, "data.shape = %s does not start with segment_ids.shape = %s"
                           % (sh.fmt(x), sh.fmt(ids)))
        if len(specs) == 3:  # num_segments is an input tensor
            v = _static_value(specs[2])
            if v is None and getattr(specs[2], "_is_symbolic_tensor", False):
                v = specs[2]._static_value()
            return [((None if v is None else int(v),) + x[len(ids):], specs[0].dtype)]
        return [((attrs["num_segments"],) + x[len(ids):], specs[0].dtype)]
    return infer


def _unsorted_rows(data, ids, num_segments):
    """(segment of each row, the rows) with negative ids dropped; ids >= num_segments raise."""
    ids = np.asarray(ids)
    if data.shape[:ids.ndim] != ids.shape:
        raise ValueError("data.shape = %s does not start with segment_ids.shape = %s" % (data.shape, ids.shape))
    flat = ids.reshape(-1).astype(np.int64, copy=False)
    rows = data.reshape((flat.size,) + data.shape[ids.ndim:])
    if flat.size:
        bad = flat >= num_segments
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError("segment_ids[%d] = %d is out of range [0, %d)" % (i, flat[i], num_segments))
        keep = flat >= 0  # TF drops negative ids
        if not keep.all():
            flat, rows = flat[keep], rows[keep]
    return flat, rows


def _unsorted_segment_kernel(ufunc, empty, kinds):
    def kernel(xp, data, ids, num_segments):
        if type(num_segments) is not int:  # the run-time num_segments input
            num_segments = int(num_segments)
        dt = data.dtype
        if not (dt.kind in kinds or dt == _BF16):
            raise _unsupported(data)
        flat, rows = _unsorted_rows(data, ids, num_segments)
        if ufunc is np.add and rows.ndim == 1 and dt.kind == "f":
            return np.bincount(flat, weights=rows, minlength=num_segments).astype(dt)
        init = empty(dt) if callable(empty) else empty
        out = np.full((num_segments,) + data.shape[np.ndim(ids):], init, dtype=dt)
        if flat.size:
            # Sort the rows by segment (a no-op when already sorted), then reduce each run.
            if flat.size > 1 and (flat[1:] < flat[:-1]).any():
                order = np.argsort(flat, kind="stable")
                flat, rows = flat[order], rows[order]
            starts = np.flatnonzero(np.concatenate(([True], flat[1:] != flat[:-1])))
            kw = {"dtype": dt} if ufunc is np.add or ufunc is np.multiply else {}
            out[flat[starts]] = ufunc.reduceat(rows, starts, axis=0, **kw)
        return out
    return kernel


def _lowest(dt):
    return np.iinfo(dt).min if dt.kind in "iu" else ml_dtypes.finfo(dt).min


def _highest(dt):
    return np.iinfo(dt).max if dt.kind in "iu" else ml_dtypes.finfo(dt).max


def _segment_rows(dy, ids):
    """Row ids[i] of dy for each i; zero where the id was negative (dropped by the op)."""
    valid = greater_equal(ids, array_ops.zeros_like(ids))
    rows = array_ops.gather(dy, maximum(ids, array_ops.zeros_like(ids)))
    mask = cast(valid, dy.dtype)
    extra = rows.shape.rank - mask.shape.rank
    if not extra:
        return multiply(rows, mask)
    return multiply(rows, array_ops.reshape(mask, array_ops.dynamic_shape(mask) + [1] * extra))


def _num_segments(op):
    """An unsorted segment op's num_segments: its attr, or its run-time input tensor."""
    return op.inputs[2] if len(op.inputs) == 3 else op.attrs["num_segments"]


def _unsorted_extreme_grad(op, dy):
    data, ids = op.inputs[:2]
    n = _num_segments(op)
    hits = cast(equal(data, _segment_rows(op.outputs[0], ids)), dy.dtype)
    num = unsorted_segment_sum(hits, ids, n)
    return [multiply(hits, _segment_rows(divide(dy, num), ids))] + [None] * (len(op.inputs) - 1)


def _unsorted_prod_grad(op, dy):
    data, ids = op.inputs[:2]
    n = _num_segments(op)
    partial, single = _prod_partials(data, op.outputs[0], _segment_rows,
                                     lambda d, i: unsorted_segment_prod(d, i, n),
                                     lambda d, i: unsorted_segment_sum(d, i, n), ids)
    return [multiply(_segment_rows(multiply(dy, single), ids), partial)] + [None] * (len(op.inputs) - 1)


def _unsorted_samples():
    return [([S.normal(5, 2), np.array([0, 2, 1, -1, 2], np.int32)], {"num_segments": 3}),
            ([S.normal(4, 2), np.array([0, 2, 2, 1], np.int32), np.array(3, np.int32)], {}),
            ([S.normal(2, 3, 2), np.array([[1, 0, 1], [2, 2, 0]], np.int64)], {"num_segments": 3})]


for _name, _api, _kernel, _allowed, _grad in (
        ("UnsortedSegmentSum", "tf.math.unsorted_segment_sum", _unsorted_segment_kernel(np.add, 0, "fiuc"), sh.NUMERIC,
         lambda op, dy: [_segment_rows(dy, op.inputs[1])] + [None] * (len(op.inputs) - 1)),
        ("UnsortedSegmentProd", "tf.math.unsorted_segment_prod", _unsorted_segment_kernel(np.multiply, 1, "fiuc"),
         sh.NUMERIC, _unsorted_prod_grad),
        ("UnsortedSegmentMax", "tf.math.unsorted_segment_max", _unsorted_segment_kernel(np.maximum, _lowest, "fiu"),
         sh.REAL, _unsorted_extreme_grad),
        ("UnsortedSegmentMin", "tf.math.unsorted_segment_min", _unsorted_segment_kernel(np.minimum, _highest, "fiu"),
         sh.REAL, _unsorted_extreme_grad)):
    register(_name, kernel=_kernel, infer=_unsorted_segment_infer(_api, _name, _allowed), grad=_grad, api=_api,
             args=("data", "segment_ids", "num_segments"), samples=_unsorted_samples)
del _name, _api, _kernel, _allowed, _grad


def _unsorted(op_name, data, segment_ids, num_segments):
    inputs = [data if type(data) is Tensor else _t(data),
              segment_ids if type(segment_ids) is Tensor else _t(segment_ids)]
    if getattr(num_segments, "_is_symbolic_tensor", False) and num_segments._static_value() is None:
        return bind(op_name, inputs + [num_segments], {})  # known at run time only (TF's input)
    return bind(op_name, inputs, {"num_segments": int(num_segments)})


@tf_export("math.unsorted_segment_sum")
def unsorted_segment_sum(data, segment_ids, num_segments, name=None) -> Tensor:
    """Sums rows of `data` by `segment_ids` into `num_segments` rows; negative ids are dropped
    (tf.math.unsorted_segment_sum)."""
    return _unsorted("UnsortedSegmentSum", data, segment_ids, num_segments)


@tf_export("math.unsorted_segment_prod")
def unsorted_segment_prod(data, segment_ids, num_segments, name=None) -> Tensor:
    """Multiplies rows of `data` by `segment_ids`; empty segments give 1 (tf.math.unsorted_segment_prod)."""
    return _unsorted("UnsortedSegmentProd", data, segment_ids, num_segments)


@tf_export("math.unsorted_segment_max")
def unsorted_segment_max(data, segment_ids, num_segments, name=None) -> Tensor:
    """The maximum of the rows of `data` by `segment_ids`; empty segments give the dtype's lowest
    value (tf.math.unsorted_segment_max)."""
    return _unsorted("UnsortedSegmentMax", data, segment_ids, num_segments)


@tf_export("math.unsorted_segment_min")
def unsorted_segment_min(data, segment_ids, num_segments, name=None) -> Tensor:
    """The minimum of the rows of `data` by `segment_ids`; empty segments give the dtype's highest
    value (tf.math.unsorted_segment_min)."""
    return _unsorted("UnsortedSegmentMin", data, segment_ids, num_segments)


def _unsorted_segment_n(data, segment_ids, num_segments):
    """The number of rows in each segment (at least 1), shaped to broadcast against the sums."""
    ids = _t(segment_ids)
    ones = array_ops.ones(array_ops.dynamic_shape(ids, "tf.math.unsorted_segment_mean"), dtype=data.dtype)
    n = maximum(unsorted_segment_sum(ones, ids, num_segments), 1)
    return array_ops.reshape(n, [-1] + [1] * (data.shape.rank - ids.shape.rank))


@tf_export("math.unsorted_segment_mean")
def unsorted_segment_mean(data, segment_ids, num_segments, name=None) -> Tensor:
    """The mean of the rows of `data` by `segment_ids`; empty segments give 0 (tf.math.unsorted_segment_mean)."""
    data = _t(data)
    summed = unsorted_segment_sum(data, segment_ids, num_segments)
    return truediv(summed, _unsorted_segment_n(data, segment_ids, num_segments))


@tf_export("math.unsorted_segment_sqrt_n")
def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None) -> Tensor:
    """The sum of the rows of `data` by `segment_ids` divided by sqrt(count) (tf.math.unsorted_segment_sqrt_n)."""
    data = _t(data)
    summed = unsorted_segment_sum(data, segment_ids, num_segments)
    return divide(summed, sqrt(_unsorted_segment_n(data, segment_ids, num_segments)))


# ---------------------------------------------------------------- bincount
def _bincount_infer(specs, attrs):
    api, op_name = "tf.math.bincount", "DenseBincount"
    x = sh.dims(specs[0])
    if specs[0].dtype not in (dtypes.int32, dtypes.int64):
        raise sh.error(api, op_name, "arr must be int32 or int64, got %s" % specs[0].dtype.name)
    sh.check_dtype(api, op_name, specs[2], (dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64), "weights")
    if x is not None and len(x) > 2:
        raise sh.error(api, op_name, "arr must be 1-D or 2-D, got shape %s" % sh.fmt(x))
    w = sh.dims(specs[2])
    if w is not None and x is not None and w != (0,) and len(w) == len(x) and any(
            a != b and None not in (a, b) for a, b in zip(w, x)):
        raise sh.error(api, op_name, "weights and arr must have the same shape, got shapes %s and %s (arguments "
                       "weights and arr)" % (sh.fmt(w), sh.fmt(x)))
    v = _static_value(specs[1])
    n = None if v is None else int(v)
    if x is None:
        return [(None, specs[2].dtype)]
    return [((n,) if len(x) <= 1 else (x[0], n), specs[2].dtype)]


def _bincount_kernel(xp, arr, size, weights, binary_output):
    size = int(size)
    dt = weights.dtype
    if arr.size and arr.min() < 0:
        raise ValueError("Input arr must be non-negative!")
    if arr.ndim == 2:
        rows = arr.shape[0]
        idx = (np.arange(rows, dtype=np.int64)[:, None] * size + arr).reshape(-1)
        keep = (arr < size).reshape(-1)
        total = rows * size
        shape = (rows, size)
    else:
        idx = arr.reshape(-1).astype(np.int64, copy=False)
        keep = idx < size
        total = size
        shape = (size,)
    w = None if weights.size == 0 or binary_output else weights.reshape(-1)
    if not keep.all():
        idx = idx[keep]
        w = None if w is None else w[keep]
    if binary_output:
        out = np.zeros(total, dtype=dt)
        out[idx] = 1
        return out.reshape(shape)
    return np.bincount(idx, weights=w, minlength=total).astype(dt).reshape(shape)


register("DenseBincount", kernel=_bincount_kernel, infer=_bincount_infer, grad=NON_DIFFERENTIABLE,
         api="tf.math.bincount", args=("input", "size", "weights"),
         samples=lambda: [([S.ints(0, 5, 8), S.scalar(6), np.zeros(0, np.int32)], {"binary_output": False}),
                          ([S.ints(0, 5, 8), S.scalar(3), S.normal(8)], {"binary_output": False}),
                          ([S.ints(0, 5, 2, 4), S.scalar(5), np.zeros(0, np.float32)], {"binary_output": True})])


@tf_export("math.bincount")
def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=dtypes.int32, name=None, axis=None,
             binary_output=False) -> Tensor:
    """Counts the occurrences of each value of the non-negative integer tensor `arr` (summing
    `weights` instead when given; the output then has their dtype). `axis=-1` counts each row of a
    2-D `arr` separately (tf.math.bincount)."""
    arr = _t(arr)
    if axis is None:
        axis = 0
    if axis not in (0, -1):
        raise ValueError("Unsupported axis value %s. Only 0 and -1 are currently supported." % axis)
    if weights is not None:
        weights = _t(weights)
    if axis == 0 or arr.shape.rank is not None and arr.shape.rank <= 1:
        arr = array_ops.reshape(arr, [-1])
        if weights is not None:
            weights = array_ops.reshape(weights, [-1])
    if type(arr) is Tensor:
        v = np.asarray(arr._value)
        size = int(v.max()) + 1 if v.size else 0
        if minlength is not None:
            size = max(size, int(minlength))
        if maxlength is not None:
            size = min(size, int(maxlength))
        size_t = Tensor(np.asarray(max(size, 0), np.int32))
    else:  # graph building: the size from ops
        size_t = maximum(add(cast(reduce_max(arr), dtypes.int32), 1), 0)
        if minlength is not None:
            size_t = maximum(size_t, cast(minlength, dtypes.int32))
        if maxlength is not None:
            size_t = minimum(size_t, cast(maxlength, dtypes.int32))
    if weights is None:
        weights = Tensor(np.zeros(0, dtypes.as_dtype(dtype).as_numpy_dtype))
    return bind("DenseBincount", [arr, size_t, weights], {"binary_output": bool(binary_output)})


# ---------------------------------------------------------------- other composites
@tf_export("math.polyval")
def polyval(coeffs, x, name=None) -> Tensor:
    """coeffs[0] * x**(n-1) + ... + coeffs[n-1], by Horner's rule (tf.math.polyval)."""
    if not isinstance(coeffs, (list, tuple)):
        raise ValueError("Argument coeffs must be list type found %s." % type(coeffs))
    x = _t(x)
    if not coeffs:
        return array_ops.zeros_like(x)
    coeffs = [_t(c) for c in coeffs]  # each converted on its own, as TF (so dtypes must agree)
    p = coeffs[0]
    for c in coeffs[1:]:
        p = add(c, multiply(p, x))
    return p


@tf_export("math.lbeta")
def lbeta(x, name=None) -> Tensor:
    """log(|Beta(x)|) over the last dimension: sum(lgamma(x)) - lgamma(sum(x)) (tf.math.lbeta)."""
    x = _t(x)
    return subtract(reduce_sum(lgamma(x), axis=-1), lgamma(reduce_sum(x, axis=-1)))


def _monotone(x, strict):
    x = array_ops.reshape(_t(x), [-1])
    n = x.shape[0]
    if n is not None and n < 2:
        return constant_value(True)
    first, rest = array_ops.split(x, [1, n - 1])
    head, _ = array_ops.split(x, [n - 1, 1])
    return reduce_all(greater(rest, head) if strict else greater_equal(rest, head))


@tf_export("math.is_non_decreasing")
def is_non_decreasing(x, name=None) -> Tensor:
    """Whether x[i] <= x[i + 1] for all i, over the flattened tensor (tf.math.is_non_decreasing)."""
    return _monotone(x, False)


@tf_export("math.is_strictly_increasing")
def is_strictly_increasing(x, name=None) -> Tensor:
    """Whether x[i] < x[i + 1] for all i, over the flattened tensor (tf.math.is_strictly_increasing)."""
    return _monotone(x, True)


# ---------------------------------------------------------------- incomplete gamma/beta, zeta, polygamma
# Float64 NumPy implementations (no SciPy): series / Lentz continued fractions with a fixed
# iteration budget over the elements still converging, Euler-Maclaurin for the Hurwitz zeta.
_SF_EPS = 1e-16
_SF_TINY = 1e-300
_SF_ITERS = 600


def _igamma_prefactor(a, x):
    """x**a e**-x / Gamma(a), in logs."""
    return np.exp(a * np.log(x) - x - _lgamma64(a))


def _igamma_series(a, x):
    """P(a, x) = prefactor * sum x**n / (a (a+1) ... (a+n)), for x < a + 1."""
    term = 1.0 / a
    total = term.copy()
    ap = a.copy()
    active = np.ones(a.shape, bool)
    for _ in range(_SF_ITERS):
        ap = ap + 1.0
        term = np.where(active, term * x / ap, 0.0)
        total = total + term
        active &= np.abs(term) > np.abs(total) * _SF_EPS
        if not active.any():
            break
    return total * _igamma_prefactor(a, x) / 1.0


def _igammac_cf(a, x):
    """Q(a, x) by Lentz's continued fraction, for x >= a + 1."""
    b = x + 1.0 - a
    c = np.full(a.shape, 1.0 / _SF_TINY)
    d = 1.0 / b
    h = d.copy()
    active = np.ones(a.shape, bool)
    for i in range(1, _SF_ITERS):
        an = -i * (i - a)
        b = b + 2.0
        d = an * d + b
        d = np.where(np.abs(d) < _SF_TINY, _SF_TINY, d)
        c = b + an / c
        c = np.where(np.abs(c) < _SF_TINY, _SF_TINY, c)
        d = 1.0 / d
        delta = np.where(active, d * c, 1.0)
        h = h * delta
        active &= np.abs(delta - 1.0) > _SF_EPS
        if not active.any():
            break
    return _igamma_prefactor(a, x) * h


def _igamma_pq(a, x, upper):
    """P(a, x) (upper=False) or Q(a, x) (upper=True) in float64, broadcast; NaN outside a > 0, x >= 0."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    a, x = a.ravel(), x.ravel()
    out = np.full(a.shape, np.nan)
    ok = (a > 0) & (x >= 0) & ~np.isnan(a) & ~np.isnan(x)
    zero = ok & (x == 0)
    out[zero] = 1.0 if upper else 0.0
    inf = ok & np.isposinf(x)
    out[inf] = 0.0 if upper else 1.0
    rest = ok & ~zero & ~inf
    ser = rest & (x < a + 1.0)
    cf = rest & ~ser
    if ser.any():
        p = _igamma_series(a[ser], x[ser])
        out[ser] = 1.0 - p if upper else p
    if cf.any():
        q = _igammac_cf(a[cf], x[cf])
        out[cf] = q if upper else 1.0 - q
    return out


def _sf_binary(fn):
    """A float kernel of two (or more) same-dtype arrays, computed in float64 and rounded back."""
    def kernel(xp, *arrays):
        dt = arrays[0].dtype
        if any(a.dtype != dt for a in arrays):
            raise TypeError("mismatched dtypes")
        if dt.kind != "f" and dt != _BF16:
            raise _unsupported(arrays[0])
        shape = np.broadcast_shapes(*[a.shape for a in arrays])
        return np.asarray(fn(*arrays), np.float64).reshape(shape).astype(dt)
    return kernel


def _sf_infer(api, op_name, names):
    def infer(specs, attrs):
        sh.same_dtype(api, op_name, specs, names)
        sh.check_dtype(api, op_name, specs[0], sh.FLOATS, names[0])
        shape = sh.dims(specs[0])
        for s in specs[1:]:
            shape = sh.broadcast_shapes(shape, sh.dims(s), api, op_name, names[:2])
        return [(shape, specs[0].dtype)]
    return infer


def _igamma_grad_a64(a, x):
    """dP(a, x)/da by Richardson-extrapolated central differences of P (about 1e-10 relative)."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    h = 1e-3 * np.maximum(np.abs(a), 1e-3)
    h = np.minimum(h, 0.5 * a)

    def d(step):
        return (_igamma_pq(a + step, x, False) - _igamma_pq(a - step, x, False)) / (2 * step.ravel())

    d1, d2 = d(h), d(h / 2)
    return (4 * d2 - d1) / 3


register("IgammaGradA", kernel=_sf_binary(_igamma_grad_a64),
         infer=_sf_infer("tf.math.igamma_grad_a", "IgammaGradA", ("a", "x")), grad=NON_DIFFERENTIABLE,
         api="tf.math.igamma_grad_a", args=("a", "x"),
         samples=lambda: [([S.positive(3, 4) * 3, S.positive(3, 4) * 3], {})])


def _igamma_dx(a, x):
    """dP/dx = x**(a-1) e**-x / Gamma(a)."""
    return exp(subtract(subtract(multiply(subtract(a, 1.0), log(x)), x), lgamma(a)))


def _igamma_grad(op, dy):
    a, x = op.inputs
    ga = bind("IgammaGradA", [a, x])
    return _binary_grads(op, multiply(dy, ga), multiply(dy, _igamma_dx(a, x)))


def _igammac_grad(op, dy):
    a, x = op.inputs
    ga = bind("IgammaGradA", [a, x])
    return _binary_grads(op, negative(multiply(dy, ga)), negative(multiply(dy, _igamma_dx(a, x))))


def _igamma_samples():
    # x below and above a + 1 (series and continued fraction), broadcasting too.
    return [([S.positive(3, 4) * 3 + 0.2, S.positive(3, 4) * 4 + 0.1], {}),
            ([S.positive(2, 1, 4) * 2 + 0.5, S.positive(3, 1) * 6 + 0.1], {})]


register("Igamma", kernel=_sf_binary(lambda a, x: _igamma_pq(a, x, False)),
         infer=_sf_infer("tf.math.igamma", "Igamma", ("a", "x")), grad=_igamma_grad, api="tf.math.igamma",
         args=("a", "x"), samples=_igamma_samples)
register("Igammac", kernel=_sf_binary(lambda a, x: _igamma_pq(a, x, True)),
         infer=_sf_infer("tf.math.igammac", "Igammac", ("a", "x")), grad=_igammac_grad, api="tf.math.igammac",
         args=("a", "x"), samples=_igamma_samples)


@tf_export("math.igamma")
def igamma(a, x, name=None) -> Tensor:
    """The regularized lower incomplete gamma function P(a, x) element-wise (tf.math.igamma).

    P(a, x) = 1 / Gamma(a) * integral_0^x t**(a-1) e**-t dt; NaN where a <= 0 or x < 0.
    """
    return bind("Igamma", binary_operands("Igamma", a, x))


@tf_export("math.igammac")
def igammac(a, x, name=None) -> Tensor:
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x) element-wise (tf.math.igammac)."""
    return bind("Igammac", binary_operands("Igammac", a, x))


def _betacf(a, b, x):
    """The continued fraction of the incomplete beta function (Lentz), for x < (a + 1) / (a + b + 2)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones(a.shape)
    d = 1.0 - qab * x / qap
    d = np.where(np.abs(d) < _SF_TINY, _SF_TINY, d)
    d = 1.0 / d
    h = d.copy()
    active = np.ones(a.shape, bool)
    for m in range(1, _SF_ITERS):
        m2 = 2.0 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = np.where(np.abs(d) < _SF_TINY, _SF_TINY, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < _SF_TINY, _SF_TINY, c)
        d = 1.0 / d
        h = np.where(active, h * d * c, h)
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = np.where(np.abs(d) < _SF_TINY, _SF_TINY, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < _SF_TINY, _SF_TINY, c)
        d = 1.0 / d
        delta = d * c
        h = np.where(active, h * delta, h)
        active &= np.abs(delta - 1.0) > _SF_EPS
        if not active.any():
            break
    return h


def _betainc64(a, b, x):
    a, b, x = np.broadcast_arrays(*(np.asarray(v, np.float64) for v in (a, b, x)))
    a, b, x = a.ravel(), b.ravel(), x.ravel()
    out = np.full(a.shape, np.nan)
    ok = (a > 0) & (b > 0) & (x >= 0) & (x <= 1)
    out[ok & (x == 0)] = 0.0
    out[ok & (x == 1)] = 1.0
    rest = ok & (x > 0) & (x < 1)
    if rest.any():
        av, bv, xv = a[rest], b[rest], x[rest]
        lbt = _lgamma64(av + bv) - _lgamma64(av) - _lgamma64(bv) + av * np.log(xv) + bv * np.log1p(-xv)
        front = np.exp(lbt)
        direct = xv < (av + 1.0) / (av + bv + 2.0)
        r = np.empty(av.shape)
        if direct.any():
            r[direct] = front[direct] * _betacf(av[direct], bv[direct], xv[direct]) / av[direct]
        flip = ~direct
        if flip.any():
            r[flip] = 1.0 - front[flip] * _betacf(bv[flip], av[flip], 1.0 - xv[flip]) / bv[flip]
        out[rest] = r
    return out


def _betainc_infer(specs, attrs):
    api, op_name, names = "tf.math.betainc", "Betainc", ("a", "b", "x")
    sh.same_dtype(api, op_name, specs, names)
    sh.check_dtype(api, op_name, specs[0], (dtypes.float32, dtypes.float64), "a")
    shapes = [sh.dims(s) for s in specs]
    nonscalar = [s for s in shapes if s != ()]
    if nonscalar:
        out = nonscalar[0]
        for s in nonscalar[1:]:  # TF's Betainc does not broadcast: non-scalar shapes must be equal
            if out is not None and s is not None and len(out) == len(s) and all(
                    p is None or q is None or p == q for p, q in zip(out, s)):
                out = tuple(p if p is not None else q for p, q in zip(out, s))
            elif out is not None and s is not None:
                raise sh.error(api, op_name, "Shapes of a and x are inconsistent: %s vs. %s"
                               % (sh.fmt(out), sh.fmt(s)))
            else:
                out = out if out is not None else s
        return [(out, specs[0].dtype)]
    return [((), specs[0].dtype)]


def _betainc_kernel(xp, a, b, x):
    dt = a.dtype
    if b.dtype != dt or x.dtype != dt or dt not in (np.float32, np.float64):
        raise _unsupported(a)
    return np.asarray(_betainc64(a, b, x)).reshape(np.broadcast_shapes(a.shape, b.shape, x.shape)).astype(dt)


def _betainc_grad(op, dy):
    """TF's gradient: with respect to x only, x**(a-1) (1-x)**(b-1) / B(a, b) (in log space)."""
    a, b, x = op.inputs
    log_beta = subtract(add(lgamma(a), lgamma(b)), lgamma(add(a, b)))
    partial = exp(subtract(add(xlogy(subtract(a, 1.0), x), xlog1py(subtract(b, 1.0), negative(x))), log_beta))
    return [None, None, unbroadcast(multiply(dy, partial), x.shape._dims)]


register("Betainc", kernel=_betainc_kernel, infer=_betainc_infer, grad=_betainc_grad, api="tf.math.betainc",
         args=("a", "b", "x"), nondiff_inputs=(0, 1),
         samples=lambda: [([S.positive(3, 4) * 3, S.positive(3, 4) * 2, np.abs(S.unit(3, 4)) * 0.98 + 0.01], {}),
                          ([np.array(2.5), S.positive(2, 3), np.abs(S.unit(2, 3)) * 0.9 + 0.05], {})])


@tf_export("math.betainc")
def betainc(a, b, x, name=None) -> Tensor:
    """The regularized incomplete beta function I_x(a, b) element-wise (tf.math.betainc).

    a, b and x share a float32/float64 dtype; non-scalar arguments must have one shape
    (scalars are broadcast). NaN outside a > 0, b > 0, 0 <= x <= 1.
    """
    a = _t(a)
    b = _t(b, dtype=a.dtype) if not _is_tensorish(b) else _t(b)
    x = _t(x, dtype=a.dtype) if not _is_tensorish(x) else _t(x)
    return bind("Betainc", [a, b, x])


# Bernoulli numbers B_2j / (2j)! for the Euler-Maclaurin tail of the Hurwitz zeta.
_ZETA_B = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798, -174611 / 330,
           854513 / 138, -236364091 / 2730)
_ZETA_C = tuple(b / math.factorial(2 * j) for j, b in enumerate(_ZETA_B, 1))
_ZETA_N = 12


def _zeta_pos(s, q):
    """Hurwitz zeta(s, q) for s > 1, q > 0: N terms, then the Euler-Maclaurin tail."""
    total = np.zeros_like(q)
    for k in range(_ZETA_N):
        total += (q + k) ** -s
    w = q + _ZETA_N
    total += w ** (1.0 - s) / (s - 1.0) + 0.5 * w ** -s
    fac = s * w ** (-s - 1.0)  # s (s+1) ... (s+2j-2) w**(-s-2j+1)
    for j, c in enumerate(_ZETA_C, 1):
        total += c * fac
        fac = fac * (s + 2 * j - 1) * (s + 2 * j) / (w * w)
    return total


def _zeta64(s, q):
    s, q = np.broadcast_arrays(np.asarray(s, np.float64), np.asarray(q, np.float64))
    s, q = s.ravel(), q.ravel()
    out = np.full(s.shape, np.nan)
    out[s == 1] = np.inf
    ok = (s > 1) & (q > 0)
    if ok.any():
        out[ok] = _zeta_pos(s[ok], q[ok])
    neg = (s > 1) & (q <= 0)
    if neg.any():  # poles at non-positive integers q; elsewhere only integer s is real-valued
        sv, qv = s[neg], q[neg]
        pole = qv == np.floor(qv)
        r = np.full(sv.shape, np.nan)
        r[pole] = np.inf
        fine = ~pole & (sv == np.floor(sv))
        if fine.any():
            sf, qf = sv[fine], qv[fine]
            m = np.ceil(-qf) + 1.0  # zeta(s, q) = sum_{k<m} (q+k)**-s + zeta(s, q+m)
            head = np.zeros_like(qf)
            for k in range(int(m.max())):
                head += np.where(k < m, np.power(qf + k, -sf), 0.0)
            r[fine] = head + _zeta_pos(sf, qf + m)
        out[neg] = r
    return out


def _zeta_grad(op, dy):
    """TF's gradient: with respect to q only, -x zeta(x + 1, q)."""
    x, q = op.inputs
    partial = negative(multiply(x, zeta(add(x, 1.0), q)))
    return [None, unbroadcast(multiply(dy, partial), q.shape._dims)]


register("Zeta", kernel=_sf_binary(_zeta64), infer=_sf_infer("tf.math.zeta", "Zeta", ("x", "q")),
         grad=_zeta_grad, api="tf.math.zeta", args=("x", "q"), nondiff_inputs=(0,),
         samples=lambda: [([S.positive(3, 4) * 3 + 1.1, S.positive(3, 4) * 2 + 0.1], {}),
                          ([S.positive(2, 1, 4) + 1.5, S.positive(3, 1) * 5], {})])


@tf_export("math.zeta")
def zeta(x, q, name=None) -> Tensor:
    """The Hurwitz zeta function sum_k (q + k)**-x element-wise (tf.math.zeta); inf at x == 1, NaN for x < 1."""
    return bind("Zeta", binary_operands("Zeta", x, q))


def _polygamma64(n, x):
    n, x = np.broadcast_arrays(np.asarray(n, np.float64), np.asarray(x, np.float64))
    n, x = n.ravel(), x.ravel()
    out = np.full(n.shape, np.nan)
    zero = n == 0
    if zero.any():
        out[zero] = _digamma64(x[zero])
    pos = (n > 0) & (n == np.floor(n))
    if pos.any():
        nv = n[pos]
        sign = np.where(np.mod(nv, 2) == 1, 1.0, -1.0)  # (-1)**(n+1)
        fact = np.exp(_lgamma64(nv + 1.0))
        out[pos] = sign * fact * _zeta64(nv + 1.0, x[pos])
    return out


def _polygamma_grad(op, dy):
    """TF's gradient: with respect to x only, polygamma(a + 1, x)."""
    a, x = op.inputs
    return [None, unbroadcast(multiply(dy, polygamma(add(a, 1.0), x)), x.shape._dims)]


register("Polygamma", kernel=_sf_binary(_polygamma64), infer=_sf_infer("tf.math.polygamma", "Polygamma", ("a", "x")),
         grad=_polygamma_grad, api="tf.math.polygamma", args=("a", "x"), nondiff_inputs=(0,),
         samples=lambda: [([np.array([[0.0, 1.0, 2.0, 3.0]] * 3), S.positive(3, 4) * 3 + 0.2], {}),
                          ([np.array(1.0), S.normal(2, 3) * 3 + 0.3], {})])


@tf_export("math.polygamma")
def polygamma(a, x, name=None) -> Tensor:
    """The polygamma function psi^(a)(x), the a-th derivative of digamma, element-wise (tf.math.polygamma).

    `a` holds non-negative integers (as floats of x's dtype); NaN elsewhere.
    """
    return bind("Polygamma", binary_operands("Polygamma", a, x))


@tf_export("math.confusion_matrix")
def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype=dtypes.int32, name=None) -> Tensor:
    """The confusion matrix of `labels` (rows) against `predictions` (columns) (tf.math.confusion_matrix).

    Both are 1-D class indices; `num_classes` defaults to max(labels, predictions) + 1; entry
    [i, j] sums `weights` (or counts) over the positions with label i and prediction j.

    Raises:
      InvalidArgumentError: if a label or prediction is negative or not below `num_classes`.
    """
    dtype = dtypes.as_dtype(dtype)
    labels = cast(_t(labels), dtypes.int64)
    predictions = cast(_t(predictions), dtypes.int64)
    if labels.shape.rank is not None and predictions.shape.rank is not None and \
            labels.shape.rank != predictions.shape.rank:
        raise ValueError("Dimensions of labels and predictions must match: %s vs. %s"
                         % (labels.shape, predictions.shape))
    from . import check_ops
    check_ops.assert_non_negative(labels, message="`labels` contains negative values")
    check_ops.assert_non_negative(predictions, message="`predictions` contains negative values")
    if num_classes is None:
        num_classes = add(maximum(reduce_max(predictions), reduce_max(labels)), 1)
    else:
        num_classes = cast(_t(num_classes), dtypes.int64)
        check_ops.assert_less(labels, num_classes, message="`labels` out of bound")
        check_ops.assert_less(predictions, num_classes, message="`predictions` out of bound")
    values = array_ops.ones_like(predictions, dtype=dtype) if weights is None else cast(_t(weights), dtype)
    indices = array_ops.stack([labels, predictions], axis=1)
    shape = array_ops.stack([num_classes, num_classes])
    return array_ops.scatter_nd(indices, values, cast(shape, dtypes.int64))
