"""Behaviour of tensorforge.ops.math_ops: values against NumPy and Python's math module,
TF's dtype rules and error messages, gradients that the registry's finite-difference test
cannot see (ties, zeros, masks, non-finite values)."""
import math

import ml_dtypes
import numpy as np
import pytest

import tensorforge as tf
from tensorforge.ops import math_ops

RNG = np.random.default_rng(1234)
F32 = RNG.standard_normal((3, 4)).astype(np.float32)
POS = RNG.uniform(0.2, 2.0, (3, 4))
I32 = RNG.integers(-9, 9, (3, 4)).astype(np.int32)


def val(t):
    return np.asarray(t.numpy())


def grad(fn, *xs):
    xs = [tf.constant(x) for x in xs]
    with tf.GradientTape(persistent=True) as tape:
        for x in xs:
            tape.watch(x)
        y = fn(*xs)
    gs = [tape.gradient(y, x) for x in xs]
    return [None if g is None else val(tf.convert_to_tensor(g)) for g in gs]


# ---------------------------------------------------------------- elementwise values and dtypes
UNARY_FLOAT = [
    (tf.exp, np.exp, "normal"), (tf.math.log, np.log, "positive"), (tf.math.log1p, np.log1p, "positive"),
    (tf.math.expm1, np.expm1, "normal"), (tf.sqrt, np.sqrt, "positive"), (tf.math.rsqrt, lambda x: 1 / np.sqrt(x), "positive"),
    (tf.math.reciprocal, lambda x: 1 / x, "positive"), (tf.sin, np.sin, "normal"), (tf.cos, np.cos, "normal"),
    (tf.tan, np.tan, "unit"), (tf.asin, np.arcsin, "unit"), (tf.acos, np.arccos, "unit"), (tf.atan, np.arctan, "normal"),
    (tf.sinh, np.sinh, "normal"), (tf.cosh, np.cosh, "normal"), (tf.tanh, np.tanh, "normal"),
    (tf.asinh, np.arcsinh, "normal"), (tf.acosh, lambda x: np.arccosh(x + 1), "positive"), (tf.atanh, np.arctanh, "unit"),
    (tf.sigmoid, lambda x: 1 / (1 + np.exp(-x)), "normal"), (tf.math.softplus, lambda x: np.logaddexp(0, x), "normal"),
    (tf.math.softsign, lambda x: x / (1 + np.abs(x)), "normal"), (tf.floor, np.floor, "normal"),
    (tf.math.ceil, np.ceil, "normal"), (tf.math.rint, np.rint, "normal"), (tf.sign, np.sign, "normal"),
    (tf.abs, np.abs, "normal"), (tf.square, np.square, "normal"), (tf.negative, np.negative, "normal"),
]


def _sample(dist, dtype):
    base = {"normal": F32 * 2, "positive": POS, "unit": np.clip(F32 * 0.4, -0.9, 0.9)}[dist]
    return base.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("fn,ref,dist", UNARY_FLOAT, ids=lambda v: getattr(v, "__name__", ""))
def test_unary_float_matches_numpy(fn, ref, dist, dtype):
    x = _sample(dist, dtype)
    if fn is tf.acosh:
        out = fn(tf.constant(x + dtype(1)))
    else:
        out = fn(tf.constant(x))
    assert out.dtype == tf.as_dtype(dtype)
    want = ref(x.astype(np.float64))
    tol = {np.float16: 2e-3, np.float32: 2e-6, np.float64: 1e-12}[dtype]
    np.testing.assert_allclose(val(out).astype(np.float64), want, rtol=tol, atol=tol)


def test_unary_bfloat16_runs_and_keeps_dtype():
    x = tf.constant(F32.astype(ml_dtypes.bfloat16))
    for fn in (tf.exp, tf.sigmoid, tf.math.erf, tf.math.lgamma, tf.math.softplus, tf.abs, tf.math.is_nan):
        out = fn(x)
        assert out.dtype in (tf.bfloat16, tf.bool)
    np.testing.assert_allclose(val(tf.exp(x)).astype(np.float64), np.exp(F32), rtol=2e-2)


def test_integer_unary_ops_keep_dtype():
    x = tf.constant(I32)
    for fn, ref in ((tf.abs, np.abs), (tf.negative, np.negative), (tf.sign, np.sign), (tf.square, np.square),
                    (tf.round, lambda v: v)):
        out = fn(x)
        assert out.dtype == tf.int32
        np.testing.assert_array_equal(val(out), ref(I32))


@pytest.mark.parametrize("fn", [tf.exp, tf.sqrt, tf.math.log, tf.sigmoid, tf.math.erf, tf.math.lgamma,
                                tf.math.is_nan, tf.floor, tf.math.softplus])
def test_float_only_ops_reject_integers(fn):
    with pytest.raises(tf.errors.InvalidArgumentError, match="int32"):
        fn(tf.constant([1, 2]))


def test_round_is_bankers_rounding():
    x = tf.constant([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6])
    np.testing.assert_array_equal(val(tf.round(x)), [0, 2, 2, -0, -2, -2, 2, 3])
    np.testing.assert_array_equal(val(tf.math.rint(x)), [0, 2, 2, -0, -2, -2, 2, 3])


def test_predicates():
    x = tf.constant([1.0, np.nan, np.inf, -np.inf])
    np.testing.assert_array_equal(val(tf.math.is_nan(x)), [False, True, False, False])
    np.testing.assert_array_equal(val(tf.math.is_inf(x)), [False, False, True, True])
    np.testing.assert_array_equal(val(tf.math.is_finite(x)), [True, False, False, False])
    assert tf.math.is_nan(x).dtype == tf.bool


def test_complex_parts():
    c = (F32 + 1j * F32[::-1]).astype(np.complex64)
    t = tf.constant(c)
    np.testing.assert_allclose(val(tf.math.real(t)), c.real)
    np.testing.assert_allclose(val(tf.math.imag(t)), c.imag)
    np.testing.assert_allclose(val(tf.math.conj(t)), np.conj(c))
    np.testing.assert_allclose(val(tf.math.angle(t)), np.angle(c), rtol=1e-6)
    assert tf.abs(t).dtype == tf.float32
    np.testing.assert_allclose(val(tf.abs(t)), np.abs(c), rtol=1e-6)
    z = tf.complex(tf.constant([1.0, 2.0]), tf.constant([3.0, -1.0]))
    assert z.dtype == tf.complex64
    np.testing.assert_array_equal(val(z), [1 + 3j, 2 - 1j])
    # real inputs: real is the identity, imag zeros, angle pi where negative
    np.testing.assert_array_equal(val(tf.math.imag(tf.constant([1.0, -2.0]))), [0, 0])
    np.testing.assert_allclose(val(tf.math.angle(tf.constant([1.0, -2.0]))), [0, np.pi], rtol=1e-6)
    with pytest.raises(TypeError):
        tf.math.real(tf.constant(["a"]))


def test_complex_gradient_conventions():
    x = np.array([1.0, -2.0])
    y = np.array([0.5, 3.0])
    gx, gy = grad(lambda a, b: tf.math.real(tf.complex(a, b) * tf.complex(a, -b)), x, y)
    np.testing.assert_allclose(gx, 2 * x)  # |z|^2 = a^2 + b^2
    np.testing.assert_allclose(gy, 2 * y)


# ---------------------------------------------------------------- special functions vs float64 references
def test_erf_erfc_match_python_math():
    x = np.concatenate([np.linspace(-7, 7, 4001), [0.0, -0.0, 1e-300, 0.46875, 4.0, 26.5, 27.3]])
    erf = val(tf.math.erf(tf.constant(x)))
    erfc = val(tf.math.erfc(tf.constant(x)))
    for v, a, b in zip(x, erf, erfc):
        assert a == pytest.approx(math.erf(v), rel=1e-13, abs=1e-300)
        assert b == pytest.approx(math.erfc(v), rel=1e-12, abs=1e-300)
    assert val(tf.math.erf(tf.constant([np.inf, -np.inf]))).tolist() == [1.0, -1.0]
    assert val(tf.math.erfc(tf.constant([np.inf, -np.inf]))).tolist() == [0.0, 2.0]


def test_erf_float32_is_accurate_to_float32():
    x = np.linspace(-5, 5, 2001).astype(np.float32)
    ref = np.array([math.erf(v) for v in x.astype(np.float64)])
    np.testing.assert_allclose(val(tf.math.erf(tf.constant(x))), ref, rtol=1e-6, atol=1e-7)


def test_lgamma_matches_python_math():
    x = np.concatenate([np.linspace(0.01, 40, 3001), np.linspace(-20.5, -0.01, 2001), [1e-8, 1e5, 1e200]])
    x = x[x != np.round(x)]
    got = val(tf.math.lgamma(tf.constant(x)))
    ref = np.array([math.lgamma(v) for v in x])
    # relative accuracy, with an absolute floor near the roots of lgamma (1, 2 and negative x)
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=5e-14)
    assert val(tf.math.lgamma(tf.constant([0.0, -1.0, -2.0, np.inf, -np.inf]))).tolist() == [np.inf] * 5


def test_lgamma_is_accurate_near_its_roots():
    # lgamma(1 + t) = -euler t + zeta(2)/2 t^2 - ... : relative accuracy near the roots at 1 and 2
    for t in (1e-3, -1e-4, 3e-6):
        want = -0.5772156649015329 * t + 0.8224670334241132 * t * t - 0.40068563438653143 * t ** 3
        assert val(tf.math.lgamma(tf.constant(1.0 + t, tf.float64))) == pytest.approx(want, rel=1e-8)


def test_digamma_against_lgamma_derivative_and_known_values():
    euler = 0.5772156649015329
    got = val(tf.math.digamma(tf.constant([1.0, 0.5, 2.0, 10.0, -0.5], tf.float64)))
    np.testing.assert_allclose(got, [-euler, -euler - 2 * math.log(2), 1 - euler,
                                     sum(1 / k for k in range(1, 10)) - euler, 0.03648997397857652], rtol=1e-13)
    x = np.linspace(0.3, 12, 500)
    h = 1e-5
    numeric = np.array([(math.lgamma(v + h) - math.lgamma(v - h)) / (2 * h) for v in x])
    np.testing.assert_allclose(val(tf.math.digamma(tf.constant(x))), numeric, rtol=1e-7, atol=1e-7)
    assert np.isnan(val(tf.math.digamma(tf.constant([0.0, -1.0, -3.0])))).all()  # poles give NaN, as TF


def test_erfinv_ndtri_invert_erf():
    p = np.array([1e-300, 1e-20, 1e-5, 0.02, 0.3, 0.5, 0.7, 0.99, 1 - 1e-12])
    x = val(tf.math.ndtri(tf.constant(p)))
    np.testing.assert_allclose(0.5 * np.array([math.erfc(-v / math.sqrt(2)) for v in x]), p, rtol=1e-12)
    y = np.array([-0.999999, -0.5, -1e-9, 0.0, 0.2, 0.9, 0.9999999])
    z = val(tf.math.erfinv(tf.constant(y)))
    np.testing.assert_allclose([math.erf(v) for v in z], y, rtol=1e-13, atol=1e-300)
    assert val(tf.math.erfinv(tf.constant([-1.0, 1.0]))).tolist() == [-np.inf, np.inf]


def test_special_function_gradients():
    x = np.array([0.3, 1.5, 4.0, -2.5])
    (g,) = grad(tf.math.lgamma, x)
    np.testing.assert_allclose(g, val(tf.math.digamma(tf.constant(x))), rtol=1e-12)
    # digamma' = trigamma; trigamma(1) = pi^2 / 6, trigamma(1/2) = pi^2 / 2, reflection for x < 1/2
    (g,) = grad(tf.math.digamma, np.array([1.0, 0.5, -0.5]))
    np.testing.assert_allclose(g, [math.pi ** 2 / 6, math.pi ** 2 / 2, math.pi ** 2 / 2 + 4], rtol=1e-12)
    (g,) = grad(tf.math.erf, np.array([0.0, 1.0]))
    np.testing.assert_allclose(g, 2 / math.sqrt(math.pi) * np.exp(-np.array([0.0, 1.0])), rtol=1e-14)


# ---------------------------------------------------------------- binary ops and TF's dtype rules
def test_binary_ops_match_numpy():
    a = F32
    b = POS.astype(np.float32)
    cases = [(tf.maximum, np.maximum), (tf.minimum, np.minimum), (tf.pow, np.power), (tf.math.atan2, np.arctan2),
             (tf.math.squared_difference, lambda x, y: (x - y) ** 2), (tf.math.floordiv, lambda x, y: np.floor(x / y)),
             (tf.math.floormod, np.mod), (tf.truncatediv, lambda x, y: np.trunc(x / y)), (tf.truncatemod, np.fmod)]
    for fn, ref in cases:
        out = fn(tf.constant(a), tf.constant(b))
        assert out.dtype == tf.float32
        np.testing.assert_allclose(val(out), ref(a, b), rtol=2e-6, atol=2e-6, err_msg=fn.__name__)


def test_integer_floordiv_and_floormod_follow_python():
    a = np.array([-7, -7, 7, 7, -6, 0, 5], np.int32)
    b = np.array([2, -2, 2, -2, 3, -3, 7], np.int32)
    q = tf.constant(a) // tf.constant(b)
    r = tf.constant(a) % tf.constant(b)
    assert q.dtype == tf.int32 and r.dtype == tf.int32
    np.testing.assert_array_equal(val(q), [x // y for x, y in zip(a.tolist(), b.tolist())])
    np.testing.assert_array_equal(val(r), [x % y for x, y in zip(a.tolist(), b.tolist())])
    np.testing.assert_array_equal(val(tf.constant(a) // 3), [x // 3 for x in a.tolist()])
    # truncation toward zero, like C
    np.testing.assert_array_equal(val(tf.truncatediv(tf.constant(a), tf.constant(b))),
                                  [int(x / y) for x, y in zip(a.tolist(), b.tolist())])
    np.testing.assert_array_equal(val(tf.truncatemod(tf.constant(a), tf.constant(b))), np.fmod(a, b))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
        tf.constant([1, 2]) // tf.constant([1, 0])


def test_int_true_division_gives_float64():
    out = tf.constant([1, -7], tf.int32) / tf.constant([2, 2], tf.int32)
    assert out.dtype == tf.float64
    np.testing.assert_array_equal(val(out), [0.5, -3.5])
    assert (tf.constant([1], tf.int16) / tf.constant([2], tf.int16)).dtype == tf.float32


def test_mixed_tensor_dtypes_raise_invalid_argument():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"AddV2.*int32.*float tensor"):
        tf.constant([1, 2]) + tf.constant([1.0, 2.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Maximum"):
        tf.maximum(tf.constant([1.0]), tf.constant([1.0], tf.float64))
    with pytest.raises(TypeError, match="must have the same dtype"):
        tf.constant([1.0]) / tf.constant([1])


def test_python_scalars_adopt_the_tensor_dtype():
    for dtype in (tf.float16, tf.float32, tf.float64, tf.int32, tf.int64):
        x = tf.constant([1, 2], dtype)
        for out in (x + 1, 2 * x, x - 1, tf.maximum(x, 1), x ** 2, x // 1, x < 2):
            assert out.dtype in (dtype, tf.bool)
    assert (tf.constant([1.0]) * 2.5).dtype == tf.float32
    with pytest.raises(TypeError, match="Cannot convert 0.5"):
        tf.maximum(tf.constant([1, 2]), 0.5)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.constant([1, 2]) + 0.5  # tf.add converts with a dtype hint only, as TF
    # NumPy values are cast to the tensor's dtype, as TF casts them
    out = tf.constant([1.0, 2.0]) + np.array([0.5, 0.25])
    assert out.dtype == tf.float32
    np.testing.assert_allclose(val(out), [1.5, 2.25])


def test_broadcasting_error_names_call_and_shapes():
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.maximum(tf.zeros([2, 3]), tf.zeros([4]))
    msg = str(e.value)
    assert "tf.math.maximum" in msg and "[2,3]" in msg and "[4]" in msg and "Maximum" in msg
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"tf.math.less.*\[2\] vs. \[3\]"):
        tf.less(tf.zeros([2]), tf.zeros([3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"tf.math.atan2.*arguments y and x"):
        tf.math.atan2(tf.zeros([2]), tf.zeros([3]))


def test_broadcasting_works():
    a = RNG.standard_normal((2, 1, 4)).astype(np.float32)
    b = RNG.standard_normal((3, 1)).astype(np.float32)
    np.testing.assert_allclose(val(tf.maximum(tf.constant(a), tf.constant(b))), np.maximum(a, b))
    np.testing.assert_array_equal(val(tf.equal(tf.constant(a), tf.constant(b))), a == b)
    ga, gb = grad(lambda x, y: tf.math.squared_difference(x, y), a.astype(np.float64), b.astype(np.float64))
    assert ga.shape == a.shape and gb.shape == b.shape


def test_division_variants():
    x = tf.constant([1.0, 0.0, -2.0])
    y = tf.constant([0.0, 0.0, 4.0])
    np.testing.assert_array_equal(val(tf.math.divide_no_nan(x, y)), [0, 0, -0.5])
    assert tf.math.divide_no_nan(tf.constant([1]), tf.constant([0])).dtype == tf.float64
    np.testing.assert_array_equal(val(tf.math.xdivy(tf.constant([0.0, 1.0]), tf.constant([0.0, 2.0]))), [0, 0.5])
    np.testing.assert_allclose(val(tf.math.xlogy(tf.constant([0.0, 2.0]), tf.constant([0.0, 3.0]))), [0, 2 * np.log(3)])
    np.testing.assert_array_equal(val(tf.math.multiply_no_nan(tf.constant([np.inf, np.nan, 2.0]), tf.constant([0.0, 0.0, 3.0]))),
                                  [0, 0, 6])
    np.testing.assert_array_equal(val(tf.math.reciprocal_no_nan(tf.constant([0.0, 4.0]))), [0, 0.25])


def test_pow_integer_rules():
    np.testing.assert_array_equal(val(tf.pow(tf.constant([2, 3]), tf.constant([3, 2]))), [8, 9])
    with pytest.raises(tf.errors.InvalidArgumentError, match="negative integer powers"):
        tf.constant(3) ** -1


def test_comparisons_and_logical_ops():
    a = tf.constant(F32)
    b = tf.constant(F32[::-1].copy())
    for fn, ref in ((tf.less, np.less), (tf.less_equal, np.less_equal), (tf.greater, np.greater),
                    (tf.greater_equal, np.greater_equal), (tf.equal, np.equal), (tf.not_equal, np.not_equal)):
        out = fn(a, b)
        assert out.dtype == tf.bool
        np.testing.assert_array_equal(val(out), ref(F32, F32[::-1]))
    np.testing.assert_array_equal(val(tf.equal(tf.constant(["a", "b"]), "a")), [True, False])
    p = np.array([True, True, False, False])
    q = np.array([True, False, True, False])
    tp, tq = tf.constant(p), tf.constant(q)
    np.testing.assert_array_equal(val(tf.logical_and(tp, tq)), p & q)
    np.testing.assert_array_equal(val(tf.logical_or(tp, tq)), p | q)
    np.testing.assert_array_equal(val(tf.math.logical_xor(tp, tq)), p ^ q)
    np.testing.assert_array_equal(val(tf.logical_not(tp)), ~p)
    np.testing.assert_array_equal(val(tp & tq), p & q)
    np.testing.assert_array_equal(val(~tp), ~p)
    with pytest.raises(tf.errors.InvalidArgumentError, match="bool"):
        tf.logical_and(tf.constant([1]), tf.constant([1]))


def test_bitwise_ops():
    a = np.array([-8, 5, 12, 0], np.int32)
    b = np.array([1, 3, 2, 40], np.int32)
    ta, tb = tf.constant(a), tf.constant(b)
    np.testing.assert_array_equal(val(tf.bitwise.bitwise_and(ta, tb)), a & b)
    np.testing.assert_array_equal(val(tf.bitwise.bitwise_or(ta, tb)), a | b)
    np.testing.assert_array_equal(val(tf.bitwise.bitwise_xor(ta, tb)), a ^ b)
    np.testing.assert_array_equal(val(tf.bitwise.invert(ta)), ~a)
    np.testing.assert_array_equal(val(~ta), ~a)
    np.testing.assert_array_equal(val(tf.bitwise.right_shift(ta, tb)), [-4, 0, 3, 0])  # shifts clamp to 31
    np.testing.assert_array_equal(val(tf.bitwise.left_shift(tf.constant([1, 1], tf.int8), tf.constant([7, 9], tf.int8))),
                                  [-128, -128])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.bitwise.bitwise_and(tf.constant([1.0]), tf.constant([1.0]))


def test_operator_functions_exist():
    for name in ("floordiv", "floormod", "pow", "less", "less_equal", "greater", "greater_equal", "equal", "not_equal",
                 "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor",
                 "bitwise_invert", "abs", "maximum", "minimum", "truediv", "negative"):
        assert callable(getattr(math_ops, name)), name


def test_public_aliases():
    assert tf.nn.sigmoid is tf.math.sigmoid is tf.sigmoid
    assert tf.nn.tanh is tf.math.tanh is tf.tanh
    assert tf.nn.softplus is tf.math.softplus and tf.nn.softsign is tf.math.softsign
    assert tf.abs is tf.math.abs and tf.pow is tf.math.pow and tf.equal is tf.math.equal
    assert tf.math.mod is tf.math.floormod
    assert tf.complex is tf.dtypes.complex


# ---------------------------------------------------------------- clip
def test_clip_by_value_and_gradient_mask():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    out = tf.clip_by_value(tf.constant(x), -0.5, 0.5)
    np.testing.assert_array_equal(val(out), np.clip(x, -0.5, 0.5))
    gx, glo, ghi = grad(lambda t, lo, hi: tf.clip_by_value(t, lo, hi), x, np.array(-0.5), np.array(0.5))
    np.testing.assert_array_equal(gx, [0, 1, 1, 1, 0])  # the bounds are inside the range
    assert glo == 1.0 and ghi == 1.0
    assert tf.clip_by_value(tf.constant([1, 5, 10]), 2, 8).dtype == tf.int32
    with pytest.raises(tf.errors.InvalidArgumentError, match="clip_value_min"):
        tf.clip_by_value(tf.zeros([1, 3]), tf.zeros([2, 1]), 1.0)


def test_clip_by_norm_and_global_norm():
    x = np.array([[3.0, 4.0], [0.0, 0.5]])
    np.testing.assert_allclose(val(tf.clip_by_norm(tf.constant(x), 1.0)), x / np.linalg.norm(x))
    np.testing.assert_allclose(val(tf.clip_by_norm(tf.constant(x), 1.0, axes=[1])), [[0.6, 0.8], [0.0, 0.5]])
    (g,) = grad(lambda t: tf.clip_by_norm(t, 1.0), np.zeros(3))
    assert np.isfinite(g).all()
    clipped, norm = tf.clip_by_global_norm([tf.constant(x), tf.constant([12.0])], 6.5)
    assert float(norm) == pytest.approx(math.sqrt(25.25 + 144))
    np.testing.assert_allclose(val(clipped[1]), [12.0 * 6.5 / math.sqrt(169.25)])


# ---------------------------------------------------------------- reductions
@pytest.mark.parametrize("dtype", [np.int32, np.float16, np.float32, np.float64])
def test_reductions_match_numpy(dtype):
    x = (F32 * 4).astype(dtype) if dtype != np.int32 else I32
    t = tf.constant(x)
    tol = 2e-3 if dtype == np.float16 else 1e-6
    small = tf.constant((POS if dtype != np.int32 else np.clip(I32, -2, 2)).astype(dtype))  # no overflow in prod
    for fn, ref in ((tf.reduce_sum, np.sum), (tf.reduce_max, np.max), (tf.reduce_min, np.min), (tf.reduce_prod, np.prod)):
        for axis in (None, 0, 1, (0, 1), -1):
            if fn is tf.reduce_prod:
                t, x = small, val(small)
            out = fn(t, axis=axis)
            assert out.dtype == tf.as_dtype(dtype)
            np.testing.assert_allclose(val(out).astype(np.float64), ref(x.astype(np.float64), axis=axis), rtol=tol, atol=tol)
    out = tf.reduce_mean(t, axis=1, keepdims=True)
    assert out.shape == (3, 1) and out.dtype == tf.as_dtype(dtype)


def test_integer_mean_stays_integer_and_truncates():
    assert val(tf.reduce_mean(tf.constant([1, 2]))) == 1
    assert val(tf.reduce_mean(tf.constant([-1, -2]))) == -1  # truncation toward zero, like TF
    assert tf.reduce_mean(tf.constant([1, 2], tf.uint8)).dtype == tf.uint8
    np.testing.assert_array_equal(val(tf.reduce_mean(tf.constant(I32), axis=0)),
                                  np.trunc(I32.sum(0) / 3).astype(np.int32))


def test_empty_reductions_give_identities():
    assert val(tf.reduce_max(tf.zeros([0]))) == -np.inf
    assert val(tf.reduce_min(tf.zeros([0], tf.int32))) == np.iinfo(np.int32).max
    assert val(tf.reduce_prod(tf.zeros([0]))) == 1
    assert np.isnan(val(tf.reduce_mean(tf.zeros([0]))))


def test_bool_reductions():
    b = RNG.uniform(size=(3, 4)) > 0.5
    np.testing.assert_array_equal(val(tf.reduce_all(tf.constant(b), axis=0)), b.all(0))
    np.testing.assert_array_equal(val(tf.reduce_any(tf.constant(b), axis=1, keepdims=True)), b.any(1, keepdims=True))
    with pytest.raises(tf.errors.InvalidArgumentError, match="bool"):
        tf.reduce_all(tf.constant([1, 0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="bool"):
        tf.reduce_sum(tf.constant([True]))


def test_reduction_axis_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"tf.math.reduce_sum.*Invalid reduction dimension \(2"):
        tf.reduce_sum(tf.zeros([2, 2]), axis=2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="duplicate"):
        tf.reduce_max(tf.zeros([2, 2]), axis=[0, -2])


def test_max_min_gradients_split_ties_evenly():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    (g,) = grad(lambda t: tf.reduce_max(t, axis=1), x)
    np.testing.assert_allclose(g, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    (g,) = grad(lambda t: tf.reduce_min(t), x)
    np.testing.assert_allclose(g, [[1, 0, 0], [0, 0, 0]])


def test_prod_gradient_with_zeros():
    x = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 4.0], [1.0, 2.0, 5.0]])
    (g,) = grad(lambda t: tf.reduce_prod(t, axis=1), x)
    np.testing.assert_allclose(g, [[0, 6, 0], [0, 0, 0], [10, 5, 2]])
    (g,) = grad(lambda t: tf.reduce_prod(t), np.array([[2.0, 3.0], [4.0, 0.0]]))
    np.testing.assert_allclose(g, [[0, 0], [0, 24]])


def test_logsumexp_variance_std_euclidean_norm_count_nonzero():
    x = F32.astype(np.float64) * 30
    np.testing.assert_allclose(val(tf.math.reduce_logsumexp(tf.constant(x), axis=1)),
                               np.log(np.sum(np.exp(x - x.max(1, keepdims=True)), 1)) + x.max(1), rtol=1e-12)
    np.testing.assert_array_equal(val(tf.math.reduce_logsumexp(tf.constant([[-np.inf, -np.inf], [np.inf, 1.0]]), axis=1)),
                                  [-np.inf, np.inf])
    np.testing.assert_allclose(val(tf.math.reduce_variance(tf.constant(x), axis=0)), x.var(0), rtol=1e-12)
    np.testing.assert_allclose(val(tf.math.reduce_std(tf.constant(x))), x.std(), rtol=1e-12)
    np.testing.assert_allclose(val(tf.math.reduce_euclidean_norm(tf.constant(x), axis=1)), np.linalg.norm(x, axis=1))
    assert val(tf.math.reduce_euclidean_norm(tf.constant([3, 4]))) == 5
    out = tf.math.count_nonzero(tf.constant(I32), axis=0)
    assert out.dtype == tf.int64
    np.testing.assert_array_equal(val(out), np.count_nonzero(I32, axis=0))
    assert val(tf.math.count_nonzero(tf.constant(["a", "", "b"]))) == 2
    with pytest.raises(TypeError):
        tf.math.reduce_variance(tf.constant([1, 2]))


def test_argmax_argmin():
    x = RNG.permutation(15).reshape(3, 5).astype(np.float32)
    out = tf.argmax(tf.constant(x), axis=1)
    assert out.dtype == tf.int64
    np.testing.assert_array_equal(val(out), x.argmax(1))
    out = tf.math.argmin(tf.constant(x), axis=0, output_type=tf.int32)
    assert out.dtype == tf.int32
    np.testing.assert_array_equal(val(out), x.argmin(0))
    assert val(tf.argmax(tf.constant(x))).tolist() == x.argmax(0).tolist()  # axis None means 0
    assert val(tf.argmax(tf.constant([1.0, np.nan, 3.0]))) == 2  # NaN never wins, as in TF
    assert val(tf.argmax(tf.constant([True, False]))) == 0
    with pytest.raises(tf.errors.InvalidArgumentError, match="empty"):
        tf.argmax(tf.zeros([0]))


# ---------------------------------------------------------------- scans
def test_cumsum_cumprod_variants():
    x = RNG.standard_normal((3, 4))
    t = tf.constant(x)
    np.testing.assert_allclose(val(tf.cumsum(t, axis=1)), np.cumsum(x, 1))
    rev_excl = np.flip(np.cumsum(np.flip(x, 0), 0), 0) - x
    np.testing.assert_allclose(val(tf.cumsum(t, axis=0, exclusive=True, reverse=True)), rev_excl, atol=1e-12)
    np.testing.assert_array_equal(val(tf.cumsum(tf.constant([1, 2, 3]), exclusive=True)), [0, 1, 3])
    np.testing.assert_allclose(val(tf.math.cumprod(tf.constant([1.0, 2.0, 3.0]), exclusive=True, reverse=True)), [6, 3, 1])
    np.testing.assert_allclose(val(tf.math.cumulative_logsumexp(t, axis=1)), np.logaddexp.accumulate(x, 1))
    excl = val(tf.math.cumulative_logsumexp(t, axis=1, exclusive=True))
    assert (excl[:, 0] == -np.inf).all()
    np.testing.assert_allclose(excl[:, 1:], np.logaddexp.accumulate(x, 1)[:, :-1])
    (g,) = grad(lambda v: tf.cumsum(v, axis=1, exclusive=True), x)
    np.testing.assert_allclose(g, np.tile([3.0, 2.0, 1.0, 0.0], (3, 1)))
    (g,) = grad(lambda v: tf.math.cumulative_logsumexp(v, axis=1, exclusive=True), x)
    assert np.isfinite(g).all()


# ---------------------------------------------------------------- segments and bincount
def test_sorted_segment_ops():
    data = np.array([[1.0, -2.0], [3.0, 4.0], [5.0, 6.0], [-7.0, 8.0]])
    ids = np.array([0, 0, 2, 2], np.int32)
    t, i = tf.constant(data), tf.constant(ids)
    np.testing.assert_array_equal(val(tf.math.segment_sum(t, i)), [[4, 2], [0, 0], [-2, 14]])
    np.testing.assert_array_equal(val(tf.math.segment_mean(t, i)), [[2, 1], [0, 0], [-1, 7]])
    np.testing.assert_array_equal(val(tf.math.segment_max(t, i)), [[3, 4], [0, 0], [5, 8]])
    np.testing.assert_array_equal(val(tf.math.segment_min(t, i)), [[1, -2], [0, 0], [-7, 6]])
    np.testing.assert_array_equal(val(tf.math.segment_prod(t, i)), [[3, -8], [1, 1], [-35, 48]])
    np.testing.assert_array_equal(val(tf.math.segment_mean(tf.constant([1, 2, -3, -4]), i)), [1, 0, -3])
    with pytest.raises(tf.errors.InvalidArgumentError, match="not increasing"):
        tf.math.segment_sum(t, tf.constant([0, 2, 1, 2]))


def test_unsorted_segment_ops():
    data = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    ids = tf.constant([0, 2, 0, -1, 2])
    t = tf.constant(data)
    np.testing.assert_array_equal(val(tf.math.unsorted_segment_sum(t, ids, 4)), [4, 0, 7, 0])
    np.testing.assert_array_equal(val(tf.math.unsorted_segment_prod(t, ids, 4)), [3, 1, 10, 1])
    np.testing.assert_array_equal(val(tf.math.unsorted_segment_max(t, ids, 4)),
                                  [3, np.finfo(np.float64).min, 5, np.finfo(np.float64).min])
    np.testing.assert_array_equal(val(tf.math.unsorted_segment_min(tf.constant([1, 2, 3]), tf.constant([0, 2, 0]), 3)),
                                  [1, np.iinfo(np.int32).max, 2])
    np.testing.assert_array_equal(val(tf.math.unsorted_segment_mean(t, ids, 4)), [2, 0, 3.5, 0])
    np.testing.assert_allclose(val(tf.math.unsorted_segment_sqrt_n(t, ids, 4)), [4 / np.sqrt(2), 0, 7 / np.sqrt(2), 0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"segment_ids\[1\] = 5 is out of range"):
        tf.math.unsorted_segment_sum(t, tf.constant([0, 5, 0, 0, 0]), 3)
    # N-D ids
    d = np.arange(12.0).reshape(2, 3, 2)
    out = val(tf.math.unsorted_segment_sum(tf.constant(d), tf.constant([[1, 0, 1], [2, 2, 0]]), 3))
    np.testing.assert_array_equal(out, [d[0, 1] + d[1, 2], d[0, 0] + d[0, 2], d[1, 0] + d[1, 1]])


def test_segment_gradients():
    data = np.array([[1.0, 2.0], [3.0, 0.0], [2.0, 2.0], [0.0, 1.0], [0.0, 4.0]])
    ids = np.array([0, 0, 1, 1, 1], np.int32)
    (g,) = grad(lambda d: tf.math.segment_max(d, tf.constant(ids)), data)
    np.testing.assert_allclose(g, [[0, 1], [1, 0], [1, 0], [0, 0], [0, 1]])
    (g,) = grad(lambda d: tf.math.segment_mean(d, tf.constant(ids)), data)
    np.testing.assert_allclose(g, [[0.5, 0.5]] * 2 + [[1 / 3, 1 / 3]] * 3)
    (g,) = grad(lambda d: tf.math.unsorted_segment_prod(d, tf.constant([0, 0, 1, 1, -1]), 2), data)
    np.testing.assert_allclose(g, [[3, 0], [1, 2], [0, 1], [2, 2], [0, 0]])


def test_bincount():
    arr = tf.constant([1, 2, 2, 5])
    out = tf.math.bincount(arr)
    assert out.dtype == tf.int32
    np.testing.assert_array_equal(val(out), [0, 1, 2, 0, 0, 1])
    np.testing.assert_array_equal(val(tf.math.bincount(arr, minlength=8)), [0, 1, 2, 0, 0, 1, 0, 0])
    np.testing.assert_array_equal(val(tf.math.bincount(arr, maxlength=3)), [0, 1, 2])
    w = tf.math.bincount(arr, weights=tf.constant([1.0, 2.0, 3.0, 4.0]))
    assert w.dtype == tf.float32
    np.testing.assert_array_equal(val(w), [0, 1, 5, 0, 0, 4])
    assert tf.math.bincount(arr, dtype=tf.float64).dtype == tf.float64
    m = tf.constant([[1, 2], [2, 5]])
    np.testing.assert_array_equal(val(tf.math.bincount(m, axis=-1)), [[0, 1, 1, 0, 0, 0], [0, 0, 1, 0, 0, 1]])
    np.testing.assert_array_equal(val(tf.math.bincount(tf.constant([2, 2, 0]), binary_output=True)), [1, 0, 1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="non-negative"):
        tf.math.bincount(tf.constant([1, -2]))


def test_misc_composites():
    np.testing.assert_allclose(val(tf.math.polyval([1.0, 2.0, 3.0], tf.constant([2.0, -1.0]))), [11, 2])
    np.testing.assert_allclose(val(tf.math.lbeta(tf.constant([[1.0, 2.0]]))), [math.log(0.5)], rtol=1e-6)
    assert bool(tf.math.is_non_decreasing([1, 2, 2])) and not bool(tf.math.is_strictly_increasing([1, 2, 2]))
    assert float(tf.math.zero_fraction(tf.constant([0.0, 1.0, 0.0, 3.0]))) == 0.5
    np.testing.assert_array_equal(val(tf.math.accumulate_n([tf.constant([1.0]), tf.constant([2.0])])), [3.0])
    np.testing.assert_array_equal(val(tf.math.scalar_mul(2, tf.constant([1.0, 2.0]))), [2, 4])
    with pytest.raises(tf.errors.InvalidArgumentError, match="same size and shape"):
        tf.add_n([tf.constant([1.0]), tf.constant([1.0, 2.0])])


def test_bessel_functions():
    x = np.array([-9.0, -1.5, 0.0, 0.5, 3.0, 8.0, 20.0])
    # I0 and I1 from their power series: sum (x/2)^(2k) / (k!)^2 and sum (x/2)^(2k+1) / (k! (k+1)!)
    i0 = np.array([sum((v / 2) ** (2 * k) / math.factorial(k) ** 2 for k in range(60)) for v in x])
    i1 = np.array([sum((v / 2) ** (2 * k + 1) / (math.factorial(k) * math.factorial(k + 1)) for k in range(60)) for v in x])
    np.testing.assert_allclose(val(tf.math.bessel_i0(tf.constant(x))), i0, rtol=1e-14)
    np.testing.assert_allclose(val(tf.math.bessel_i1(tf.constant(x))), i1, rtol=1e-14)
    np.testing.assert_allclose(val(tf.math.bessel_i0e(tf.constant(x))), i0 * np.exp(-np.abs(x)), rtol=1e-14)
    np.testing.assert_allclose(val(tf.math.bessel_i1e(tf.constant(x))), i1 * np.exp(-np.abs(x)), rtol=1e-14)
    assert np.isfinite(val(tf.math.bessel_i0e(tf.constant([1e4, -1e6])))).all()
    # I1'(x) = I0(x) - I1(x) / x, and 1/2 at 0
    (g,) = grad(tf.math.bessel_i1, np.array([0.0, 1.5]))
    i0_15 = sum(0.75 ** (2 * k) / math.factorial(k) ** 2 for k in range(40))
    i1_15 = sum(0.75 ** (2 * k + 1) / (math.factorial(k) * math.factorial(k + 1)) for k in range(40))
    np.testing.assert_allclose(g, [0.5, i0_15 - i1_15 / 1.5], rtol=1e-13)


def test_saturate_cast_clips_to_the_target_range():
    out = tf.dtypes.saturate_cast(tf.constant([300.0, -5.0, 1e10, 7.9]), tf.uint8)
    assert out.dtype == tf.uint8
    np.testing.assert_array_equal(val(out), [255, 0, 255, 7])
    np.testing.assert_array_equal(val(tf.saturate_cast(tf.constant([300, -500]), tf.int8)), [127, -128])
    # float32 cannot hold 2**31 - 1: the bound steps down to the largest float32 below it
    np.testing.assert_array_equal(val(tf.saturate_cast(tf.constant([3e9, -3e9]), tf.int32)), [2147483520, -2147483648])
    np.testing.assert_array_equal(val(tf.saturate_cast(tf.constant([1 + 2j]), tf.float32)), [1.0])
