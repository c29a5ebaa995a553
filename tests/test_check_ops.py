"""tf.debugging assertions (eager and inside tf.function), debugging flags, and the tf.math
special functions betainc/igamma/igammac/polygamma/zeta/confusion_matrix."""
import math

import numpy as np
import pytest

import tensorforge as tf

IAE = tf.errors.InvalidArgumentError


def first_line(e) -> str:
    return str(e.value).split("\n")[0]


@pytest.mark.parametrize("fn,sym,ok,bad", [
    (tf.debugging.assert_equal, "==", ([1., 2.], [1., 2.]), ([1., 2.], [1., 3.])),
    (tf.debugging.assert_none_equal, "!=", ([1., 2.], [3., 4.]), ([1., 2.], [1., 3.])),
    (tf.debugging.assert_less, "<", ([1., 2.], [2., 3.]), ([1., 2.], [1., 3.])),
    (tf.debugging.assert_less_equal, "<=", ([1., 2.], [1., 3.]), ([1., 4.], [1., 3.])),
    (tf.debugging.assert_greater, ">", ([2., 3.], [1., 2.]), ([1., 2.], [1., 3.])),
    (tf.debugging.assert_greater_equal, ">=", ([2., 3.], [2., 2.]), ([1., 2.], [1., 3.])),
])
def test_binary_asserts_eager(fn, sym, ok, bad):
    assert fn(tf.constant(ok[0]), tf.constant(ok[1])) is None
    with pytest.raises(IAE) as e:
        fn(tf.constant(bad[0]), tf.constant(bad[1]))
    assert first_line(e) == "Condition x %s y did not hold." % sym
    with pytest.raises(IAE) as e:
        fn(tf.constant(bad[0]), tf.constant(bad[1]), message="custom")
    assert str(e.value).split("\n")[:2] == ["custom", "Condition x %s y did not hold." % sym]


def test_assert_equal_message_details_and_broadcasting():
    with pytest.raises(IAE) as e:
        tf.debugging.assert_equal(tf.constant([1., 2.]), tf.constant([1., 3.]))
    lines = str(e.value).split("\n")
    assert lines[1:5] == ["Indices of first 1 different values:", "[[1]]", "Corresponding x values:", "[2.]"]
    assert "First 2 elements of x:" in lines
    assert tf.debugging.assert_equal(tf.zeros([2, 3]), tf.zeros([3])) is None  # broadcasts
    assert tf.assert_equal(1, 1) is None and tf.assert_less(1, 2) is None and tf.assert_greater(2, 1) is None
    with pytest.raises(IAE, match="Incompatible shapes"):
        tf.debugging.assert_equal(tf.zeros([2]), tf.zeros([3]))
    with pytest.raises(IAE, match="expected to be a float tensor"):
        tf.debugging.assert_equal(tf.constant([1., 2.]), tf.constant([1, 2]))


@pytest.mark.parametrize("fn,sym,good,bad", [
    (tf.debugging.assert_negative, "<", [-1., -2.], [1., -2.]),
    (tf.debugging.assert_positive, ">", [1., 2.], [-1., 2.]),
    (tf.debugging.assert_non_negative, ">=", [0., 2.], [-1., 2.]),
    (tf.debugging.assert_non_positive, "<=", [0., -2.], [1., 2.]),
])
def test_unary_asserts(fn, sym, good, bad):
    assert fn(tf.constant(good)) is None
    with pytest.raises(IAE) as e:
        fn(tf.constant(bad))
    lines = str(e.value).split("\n")
    assert lines[0] == "" and lines[1].startswith("Condition x %s 0 did not hold element-wise:" % sym)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def f(x):
        with tf.control_dependencies([fn(x)]):
            return tf.identity(x) * 2

    np.testing.assert_array_equal(f(tf.constant(good)).numpy(), np.array(good, np.float32) * 2)
    with pytest.raises(IAE, match="Condition x %s 0 did not hold element-wise" % sym):
        f(tf.constant(bad))


def test_binary_assert_in_tf_function_returns_op_and_gates():
    ops = []

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)] * 2)
    def f(a, b):
        op = tf.debugging.assert_less(a, b, message="need a < b")
        ops.append(op)
        with tf.control_dependencies([op]):
            return tf.identity(a)

    np.testing.assert_array_equal(f(tf.constant([1., 2.]), tf.constant([2., 3.])).numpy(), [1., 2.])
    assert ops[0] is not None and ops[0].type == "Assert"
    with pytest.raises(IAE, match="need a < b"):
        f(tf.constant([1., 2.]), tf.constant([1., 3.]))

    @tf.function
    def g():  # both sides known while tracing: fails at trace time
        return tf.debugging.assert_equal(tf.constant([1, 2]), tf.constant([1, 3]))

    with pytest.raises(IAE) as e:
        g()
    assert first_line(e) == "Condition x == y did not hold element-wise:"


def test_assert_near():
    assert tf.debugging.assert_near(tf.constant([1., 2.]), tf.constant([1., 2.0000001])) is None
    with pytest.raises(IAE) as e:
        tf.debugging.assert_near(tf.constant([1., 2.]), tf.constant([1., 3.]))
    assert first_line(e).startswith("Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true.")
    assert tf.debugging.assert_near(tf.constant([1., 2.]), tf.constant([1., 3.]), rtol=1.0) is None
    with pytest.raises(ValueError):
        tf.debugging.assert_near(tf.constant([1, 2]), tf.constant([1, 2]))

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float64)])
    def f(x):
        with tf.control_dependencies([tf.debugging.assert_near(x, tf.constant([1.0, 2.0], tf.float64))]):
            return tf.identity(x)

    f(tf.constant([1.0, 2.0], tf.float64))
    with pytest.raises(IAE, match="not equal to tolerance"):
        f(tf.constant([1.0, 2.5], tf.float64))


def test_rank_asserts():
    x = tf.zeros([2])
    assert tf.debugging.assert_rank(x, 1) is None and tf.assert_rank(x, 1) is None
    with pytest.raises(ValueError) as e:
        tf.debugging.assert_rank(x, 2)
    assert str(e.value) == "Tensor  must have rank 2.  Received rank 1, shape (2,)"
    with pytest.raises(ValueError, match=r"^msg\.  Tensor  must have rank 2"):
        tf.debugging.assert_rank(x, 2, message="msg")
    with pytest.raises(ValueError, match="Rank must be a scalar."):
        tf.debugging.assert_rank(x, [2])
    assert tf.debugging.assert_rank_at_least(tf.zeros([2, 3]), 1) is None
    with pytest.raises(ValueError, match=r"^Tensor  must have rank at least 2\.  Received rank 1, shape \(2,\)"):
        tf.debugging.assert_rank_at_least(x, 2)
    assert tf.debugging.assert_rank_in(x, [0, 1]) is None
    with pytest.raises(ValueError, match=r"^Tensor  must have rank in \(0, 2\)\.  Received rank 1"):
        tf.debugging.assert_rank_in(x, [0, 2])

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def known(a):
        return tf.debugging.assert_rank(a, 2)

    with pytest.raises(ValueError, match="Tensor a:0 must have rank 2"):
        known(x)

    @tf.function(input_signature=[tf.TensorSpec(None, tf.float32)])
    def unknown(a):
        with tf.control_dependencies([tf.debugging.assert_rank(a, 2)]):
            return tf.identity(a)

    assert unknown(tf.zeros([2, 2])).shape == (2, 2)
    with pytest.raises(IAE, match="must have rank"):
        unknown(x)


def test_static_type_and_scalar_checks():
    assert tf.debugging.assert_scalar(tf.constant(1.0)) is None
    with pytest.raises(ValueError, match=r"^Expected scalar shape, saw shape: \(2,\)\.$"):
        tf.debugging.assert_scalar(tf.zeros([2]))
    assert tf.debugging.assert_type(tf.zeros([2]), tf.float32) is None
    with pytest.raises(TypeError, match="^tensor must be of type tf.int32; got tf.float32$"):
        tf.debugging.assert_type(tf.zeros([2]), tf.int32)
    assert tf.debugging.assert_integer(tf.constant(1)) is None
    with pytest.raises(TypeError, match='Expected "x" to be integer type'):
        tf.debugging.assert_integer(tf.zeros([2]))
    assert tf.debugging.assert_same_float_dtype([tf.zeros([2])]) is tf.float32
    assert tf.debugging.assert_same_float_dtype() is tf.float32
    with pytest.raises(ValueError, match="must be of the same type"):
        tf.debugging.assert_same_float_dtype([tf.zeros([2]), tf.zeros([1], tf.float64)])
    with pytest.raises(ValueError, match="Expected floating point type"):
        tf.debugging.assert_same_float_dtype([tf.constant([1])])
    assert tf.debugging.is_numeric_tensor(tf.constant(1.0))
    assert not tf.debugging.is_numeric_tensor(tf.constant("a")) and not tf.debugging.is_numeric_tensor(1.0)
    assert tf.debugging.assert_proper_iterable([1]) is None
    with pytest.raises(TypeError, match='"proper" iterable'):
        tf.debugging.assert_proper_iterable("abc")
    with pytest.raises(TypeError, match="to be iterable"):
        tf.debugging.assert_proper_iterable(3)
    np.testing.assert_array_equal(tf.debugging.assert_all_finite(tf.constant([1.0]), "bad").numpy(), [1.0])
    with pytest.raises(IAE, match="bad : Tensor had Inf values"):
        tf.debugging.assert_all_finite(tf.constant([1.0, np.inf]), "bad")


def test_assert_shapes():
    x, y = tf.zeros([2, 3]), tf.zeros([2, 4])
    assert tf.debugging.assert_shapes([(x, ("N", "Q")), (y, ("N", "D")), (tf.zeros([3]), ("Q",)),
                                       (tf.constant(1.0), ())]) is None
    with pytest.raises(ValueError, match=r"^Specified by tensor shape=\(2, 3\) dtype=float32 dimension 1\.  "
                                         r"Tensor shape=\(2, 4\) dtype=float32 dimension 1 must have size 3"):
        tf.debugging.assert_shapes([(x, ("N", "D")), (y, ("N", "D"))])
    with pytest.raises(ValueError, match="must have rank 2"):
        tf.debugging.assert_shapes([(tf.zeros([2]), ("N", "M"))])
    assert tf.debugging.assert_shapes([(tf.zeros([5, 2, 3]), (..., 2, 3))]) is None

    @tf.function(input_signature=[tf.TensorSpec(None, tf.float32)])
    def f(a):
        with tf.control_dependencies([tf.debugging.assert_shapes([(a, ("N", 2))])]):
            return tf.identity(a)

    assert f(tf.zeros([3, 2])).shape == (3, 2)
    with pytest.raises(IAE, match="must have size"):
        f(tf.zeros([3, 3]))
    with pytest.raises(IAE, match="must have rank"):
        f(tf.zeros([2]))


def test_flags_and_check_numerics():
    assert tf.debugging.get_log_device_placement() is False
    tf.debugging.set_log_device_placement(True)
    assert tf.debugging.get_log_device_placement() is True
    tf.debugging.set_log_device_placement(False)
    assert tf.debugging.is_traceback_filtering_enabled()
    tf.debugging.disable_traceback_filtering()
    assert not tf.debugging.is_traceback_filtering_enabled()
    tf.debugging.enable_traceback_filtering()

    tf.debugging.enable_check_numerics()
    try:
        with pytest.raises(IAE) as e:
            tf.math.log(tf.constant([-1.0, 2.0]))
        msg = str(e.value)
        assert 'Detected Infinity or NaN in output 0 of eagerly-executing op "Log"' in msg
        assert msg.endswith(": Tensor had NaN values")
        assert float(tf.math.log(tf.constant(1.0))) == 0.0
        assert bool(tf.math.is_nan(tf.constant(np.nan)))  # bool outputs are not checked
    finally:
        tf.debugging.disable_check_numerics()
    assert np.isnan(tf.math.log(tf.constant(-1.0)).numpy())


# ---------------------------------------------------------------- special functions
def _gammainc_ref(a, x, n=4000):
    """P(a, x) by the power series with math.fsum (a slow independent reference)."""
    term = 1.0 / a
    terms = [term]
    for k in range(1, n):
        term *= x / (a + k)
        terms.append(term)
        if term < 1e-30:
            break
    return math.exp(a * math.log(x) - x - math.lgamma(a)) * math.fsum(terms)


def test_igamma_igammac_against_series():
    a = np.array([0.5, 1.0, 2.5, 7.0, 30.0])
    x = np.array([0.3, 2.0, 1.0, 9.0, 25.0])
    ref = np.array([_gammainc_ref(ai, xi) for ai, xi in zip(a, x)])
    np.testing.assert_allclose(tf.math.igamma(a, x).numpy(), ref, rtol=1e-12)
    np.testing.assert_allclose(tf.math.igammac(a, x).numpy(), 1 - ref, rtol=1e-11)
    np.testing.assert_allclose(tf.math.igamma(np.ones(2), np.array([0.5, 3.0])).numpy(), 1 - np.exp([-0.5, -3.0]), rtol=1e-13)
    out = tf.math.igamma(tf.constant([-1.0, 1.0, 1.0]), tf.constant([1.0, -1.0, 0.0])).numpy()
    assert np.isnan(out[0]) and np.isnan(out[1]) and out[2] == 0.0
    assert tf.math.igamma(tf.constant([1.0], tf.float32), tf.constant([1.0], tf.float32)).dtype == tf.float32
    with pytest.raises(IAE):
        tf.math.igamma(tf.constant([1, 2]), tf.constant([1, 2]))


def test_igamma_gradients():
    a = tf.constant([1.5, 4.0], tf.float64)
    x = tf.constant([0.7, 6.0], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch([a, x])
        y = tf.math.igamma(a, x)
    ga, gx = tape.gradient(y, [a, x])
    an, xn = a.numpy(), x.numpy()
    expected_x = np.exp((an - 1) * np.log(xn) - xn - np.array([math.lgamma(v) for v in an]))
    np.testing.assert_allclose(gx.numpy(), expected_x, rtol=1e-12)
    h = 1e-6
    num_a = (tf.math.igamma(an + h, xn).numpy() - tf.math.igamma(an - h, xn).numpy()) / (2 * h)
    np.testing.assert_allclose(ga.numpy(), num_a, rtol=1e-6)


def test_betainc_zeta_polygamma():
    # I_x(1, 1) = x; I_x(a, 1) = x**a; I_x(1, b) = 1 - (1 - x)**b.
    x = np.array([0.1, 0.5, 0.9])
    np.testing.assert_allclose(tf.math.betainc(np.ones(3), np.ones(3), x).numpy(), x, rtol=1e-13)
    np.testing.assert_allclose(tf.math.betainc(np.full(3, 2.5), np.ones(3), x).numpy(), x ** 2.5, rtol=1e-12)
    np.testing.assert_allclose(tf.math.betainc(np.ones(3), np.full(3, 3.5), x).numpy(), 1 - (1 - x) ** 3.5, rtol=1e-12)
    with pytest.raises(IAE, match="Shapes of a and x are inconsistent"):
        tf.math.betainc(tf.ones([2], tf.float64), tf.ones([3], tf.float64), tf.ones([3], tf.float64) * 0.5)
    # zeta(2, 1) = pi**2 / 6, zeta(4, 1) = pi**4 / 90, zeta(s, q) = zeta(s, q + 1) + q**-s.
    np.testing.assert_allclose(tf.math.zeta(np.array([2.0, 4.0]), np.ones(2)).numpy(), [math.pi ** 2 / 6, math.pi ** 4 / 90],
                               rtol=1e-14)
    z1, z2 = tf.math.zeta(np.float64(3.5), np.float64(0.7)).numpy(), tf.math.zeta(np.float64(3.5), np.float64(1.7)).numpy()
    np.testing.assert_allclose(z1, z2 + 0.7 ** -3.5, rtol=1e-14)
    assert np.isinf(tf.math.zeta(1.0, 1.0).numpy()) and np.isnan(tf.math.zeta(0.5, 1.0).numpy())
    # polygamma(0, x) = digamma; polygamma(1, 1) = pi**2 / 6; polygamma(2, 1) = -2 zeta(3).
    np.testing.assert_allclose(tf.math.polygamma(np.zeros(2), np.array([0.5, 3.0])).numpy(),
                               tf.math.digamma(np.array([0.5, 3.0])).numpy(), rtol=1e-14)
    np.testing.assert_allclose(tf.math.polygamma(np.array([1.0, 2.0]), np.ones(2)).numpy(),
                               [math.pi ** 2 / 6, -2 * 1.2020569031595942], rtol=1e-13)
    assert np.isnan(tf.math.polygamma(0.5, 1.0).numpy())


def test_confusion_matrix():
    cm = tf.math.confusion_matrix([1, 2, 4], [2, 2, 4])
    assert cm.dtype == tf.int32 and cm.shape == (5, 5)
    expected = np.zeros((5, 5), np.int32)
    expected[1, 2] = expected[2, 2] = expected[4, 4] = 1
    np.testing.assert_array_equal(cm.numpy(), expected)
    w = tf.math.confusion_matrix([0, 1], [1, 1], num_classes=3, weights=[0.5, 2.0], dtype=tf.float32)
    assert w.dtype == tf.float32
    np.testing.assert_array_equal(w.numpy(), [[0, 0.5, 0], [0, 2, 0], [0, 0, 0]])
    with pytest.raises(IAE, match="labels` out of bound"):
        tf.math.confusion_matrix([0, 3], [0, 1], num_classes=3)
    with pytest.raises(IAE, match="contains negative values"):
        tf.math.confusion_matrix([0, -1], [0, 1])
