"""tf.autodiff.ForwardAccumulator: JVPs of every registry op against finite differences and
GradientTape, Hessian-vector products, variables, nesting, tf.function, errors."""
import numpy as np
import pytest

import tensorforge as tf
import tensorforge.data  # noqa: F401 - registers the iterator ops
import tensorforge.io  # noqa: F401 - registers the tf.io ops
import tensorforge.lookup  # noqa: F401 - registers the table ops
import tensorforge.summary  # noqa: F401 - registers the summary-writing ops
from tensorforge.ops.registry import REGISTRY, bind

DIFFERENTIABLE = [n for n in sorted(REGISTRY) if REGISTRY[n].differentiable]
_KINDS = {"f": np.float64, "c": np.complex128}
# Ops whose gradient uses an op without a gradient of its own: the JVP raises TF's LookupError.
NO_JVP = {"CTCLoss", "CTCLossDense", "CropAndResize", "Dilation2D", "FractionalMaxPool", "SparseAdd"}
# Empty segments: TF's JVP is NaN there (0/0 in the transposed gradient), as here.
NAN_AT_EMPTY = {"SegmentMax", "SegmentMin"}
# Samples with ties (integer-valued floats) sit on kinks, where a directional difference is not the derivative.
KINKED = {"IsotonicRegression"}


def _outs(r):
    return r if isinstance(r, tuple) else (r,)


def _values(name, arrays, attrs):
    return [np.asarray(o._value) for o in _outs(bind(name, [tf.constant(a) for a in arrays], attrs))]


def _jvp_case(name, arrays, attrs, fidx, rng):
    tans = {}
    for i in fidx:
        t = rng.standard_normal(arrays[i].shape)
        tans[i] = t + 1j * rng.standard_normal(arrays[i].shape) if arrays[i].dtype.kind == "c" else t
    inputs = [tf.constant(a) for a in arrays]
    with tf.autodiff.ForwardAccumulator([inputs[i] for i in fidx], [tf.constant(tans[i]) for i in fidx]) as acc:
        outs = _outs(bind(name, inputs, attrs))
    jvps = []
    for o in outs:
        j = acc.jvp(o)
        if j is None and (o.dtype.is_floating or o.dtype.is_complex):
            j = acc.jvp(o, unconnected_gradients=tf.UnconnectedGradients.ZERO)
        jvps.append(None if j is None else np.asarray(j._value))
    return inputs, outs, tans, jvps


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_jvp_matches_finite_differences_and_tape(name):
    op = REGISTRY[name]
    checked = False
    for arrays, attrs in op.samples():
        arrays = [np.asarray(a) for a in arrays]
        fidx = [i for i, a in enumerate(arrays) if a.dtype.kind in _KINDS and i not in op.nondiff_inputs]
        if not fidx:
            continue
        arrays = [a.astype(_KINDS[a.dtype.kind]) if i in fidx else a for i, a in enumerate(arrays)]
        if any(o.dtype.is_floating and o.dtype is not tf.float64 or o.dtype.is_complex and o.dtype is not
               tf.complex128 for o in _outs(bind(name, [tf.constant(a) for a in arrays], attrs))):
            continue
        rng = np.random.default_rng(11)
        if name in NO_JVP:
            try:
                _jvp_case(name, arrays, attrs, fidx, rng)
            except LookupError as e:
                assert "gradient registry has no entry for" in str(e)
                checked = True
                continue
        inputs, outs, tans, jvps = _jvp_case(name, arrays, attrs, fidx, rng)
        # Finite differences along the tangent.
        eps = 1e-6
        plus = _values(name, [a + eps * tans[i] if i in tans else a for i, a in enumerate(arrays)], attrs)
        minus = _values(name, [a - eps * tans[i] if i in tans else a for i, a in enumerate(arrays)], attrs)
        for k, o in enumerate(outs):
            if not (o.dtype.is_floating or o.dtype.is_complex):
                assert jvps[k] is None, name
                continue
            j = jvps[k]
            assert j.shape == tuple(o.shape._dims), "%s: JVP shape %s for output of shape %s" % (name, j.shape, o.shape)
            if name in KINKED:
                continue
            num = (plus[k] - minus[k]) / (2 * eps)
            if name in NAN_AT_EMPTY:
                ok = np.isfinite(j)
                j, num = j[ok], num[ok]
            np.testing.assert_allclose(j, num, rtol=1e-4, atol=1e-4, err_msg="%s output %d" % (name, k))
        # Against GradientTape: <J t, c> == <t, J^T c> (real parts, TF's complex convention).
        cots = [rng.standard_normal(o.shape._dims) * (1 + 1j if o.dtype.is_complex else 1)
                if (o.dtype.is_floating or o.dtype.is_complex) else None for o in outs]
        if all(c is None for c in cots):
            continue
        with tf.GradientTape() as tape:
            for i in fidx:
                tape.watch(inputs[i])
            outs2 = _outs(bind(name, inputs, attrs))
            terms = [tf.reduce_sum(tf.math.real(o * tf.math.conj(tf.constant(c))) if o.dtype.is_complex
                                   else o * tf.constant(c)) for o, c in zip(outs2, cots) if c is not None]
            loss = tf.add_n(terms)
        grads = tape.gradient(loss, [inputs[i] for i in fidx], unconnected_gradients="zero")
        lhs = sum(float(np.sum(np.real(j * np.conj(c)))) for j, c in zip(jvps, cots) if c is not None)
        rhs = sum(float(np.sum(np.real(np.asarray(tf.convert_to_tensor(g)._value) * np.conj(tans[i]))))
                  for i, g in zip(fidx, grads))
        if name not in NAN_AT_EMPTY:
            np.testing.assert_allclose(lhs, rhs, rtol=1e-6, atol=1e-8, err_msg=name)
        checked = True
    assert checked, "differentiable op %s has no float sample to check" % name


# ---------------------------------------------------------------- behaviour
def test_basic_and_unconnected():
    x = tf.constant([1.0, 2.0, 3.0])
    acc = tf.autodiff.ForwardAccumulator(x, tf.constant([1.0, 0.5, 0.0]))
    assert acc.jvp(x) is not None  # the primal's own tangent, even before entering
    with acc:
        y = tf.reduce_sum(tf.sin(x) * x)
        c = tf.constant(2.0)
        i = tf.cast(x, tf.int32)
    xv = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(acc.jvp(y).numpy(), np.sum((np.cos(xv) * xv + np.sin(xv)) * [1.0, 0.5, 0.0]), rtol=1e-6)
    assert acc.jvp(c) is None and acc.jvp(i) is None
    z = acc.jvp([c, {"y": y}], unconnected_gradients=tf.UnconnectedGradients.ZERO)
    assert z[0].numpy() == 0.0 and z[1]["y"] is acc.jvp(y)
    assert acc.jvp(c, unconnected_gradients="zero").numpy() == 0.0
    with pytest.raises(ValueError, match="is not a valid UnconnectedGradients"):
        acc.jvp(c, unconnected_gradients="foo")
    with acc:  # re-entered: new ops get tangents again
        y2 = y * 2.0
    np.testing.assert_allclose(acc.jvp(y2).numpy(), 2 * acc.jvp(y).numpy())
    w = x * 2.0  # after exit: not recorded
    assert acc.jvp(w) is None


def test_nested_structures():
    a, b = tf.constant([1.0, 2.0]), tf.constant(3.0)
    with tf.autodiff.ForwardAccumulator({"a": a, "b": (b,)}, {"a": tf.constant([1.0, 1.0]), "b": (tf.constant(2.0),)}) \
            as acc:
        y = tf.reduce_sum(a * a) * b
    assert np.isclose(acc.jvp(y).numpy(), (2 * 1 + 2 * 2) * 3.0 + 5.0 * 2.0)


def test_variable_primal_and_assign():
    v = tf.Variable([1.0, 2.0])
    with tf.autodiff.ForwardAccumulator(v, tf.constant([1.0, 0.0])) as acc:
        y = tf.reduce_sum(v ** 3.0)
        np.testing.assert_allclose(acc.jvp(v).numpy(), [1.0, 0.0])
        v.assign([3.0, 4.0])
        y2 = tf.reduce_sum(v * v)
    assert np.isclose(acc.jvp(y).numpy(), 3.0)
    assert np.isclose(acc.jvp(y2).numpy(), 6.0)  # reads after the assignment keep the variable's tangent


def test_dense_layer_matches_tape():
    x = tf.constant([[2.0, 3.0], [1.0, 4.0]])
    targets = tf.constant([[1.0], [-1.0]])
    dense = tf.keras.layers.Dense(1)
    dense.build([None, 2])
    loss_fn = lambda: tf.reduce_sum((dense(x) - targets) ** 2.0)  # noqa: E731
    fprop = []
    for t in ([[1.0], [0.0]], [[0.0], [1.0]]):
        with tf.autodiff.ForwardAccumulator(dense.kernel, tf.constant(t)) as acc:
            fprop.append(acc.jvp(loss_fn()).numpy())
    with tf.autodiff.ForwardAccumulator(dense.bias, tf.constant([1.0])) as acc:
        bias_fprop = acc.jvp(loss_fn()).numpy()
    with tf.GradientTape() as tape:
        loss = loss_fn()
    kg, bg = tape.gradient(loss, (dense.kernel, dense.bias))
    np.testing.assert_allclose(kg.numpy(), np.array(fprop)[:, None], rtol=1e-5)
    np.testing.assert_allclose(bg.numpy(), [bias_fprop], rtol=1e-5)


def _f(x):
    return tf.reduce_sum(tf.tanh(x) * x ** 2) + tf.reduce_prod(x)


def test_hvp_forward_over_backward():
    x0 = np.array([0.3, -0.7, 1.2])
    x = tf.Variable(x0)
    t = np.array([1.0, -2.0, 0.5])
    with tf.autodiff.ForwardAccumulator(x, tf.constant(t)) as acc:
        with tf.GradientTape() as tape:
            y = _f(x)
        g = tape.gradient(y, x)
    hvp = acc.jvp(g).numpy()
    with tf.GradientTape() as outer:  # reverse-over-reverse reference
        with tf.GradientTape() as inner:
            y = _f(x)
        g2 = inner.gradient(y, x)
        s = tf.reduce_sum(g2 * tf.constant(t))
    np.testing.assert_allclose(hvp, outer.gradient(s, x).numpy(), rtol=1e-10)


def test_hvp_backward_over_forward_and_inner_tape_ignores_jvp():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        with tf.autodiff.ForwardAccumulator(x, tf.constant([1.0, 0.0])) as acc:
            y = tf.reduce_sum(x ** 3.0)
        j = acc.jvp(y)
    np.testing.assert_allclose(tape.gradient(j, x).numpy(), [6.0, 0.0])
    with tf.autodiff.ForwardAccumulator(x, tf.constant([1.0, 0.0])) as acc:
        with tf.GradientTape() as tape:
            tape.watch(x)
            j = acc.jvp(tf.reduce_sum(x ** 3.0))
        assert tape.gradient(j, x) is None  # the inner tape does not see the outer accumulator's JVPs


def test_nested_accumulators_second_derivative():
    primal = tf.constant(1.1)
    with tf.autodiff.ForwardAccumulator(primal, tf.constant(1.0)) as outer:
        with tf.autodiff.ForwardAccumulator(primal, tf.constant(1.0)) as inner:
            out = primal ** tf.constant(3.5)
    np.testing.assert_allclose(inner.jvp(out).numpy(), 3.5 * 1.1 ** 2.5, rtol=1e-5)
    np.testing.assert_allclose(outer.jvp(inner.jvp(out)).numpy(), 3.5 * 2.5 * 1.1 ** 1.5, rtol=1e-5)
    assert inner.jvp(outer.jvp(out)) is None


def test_tf_function_calls_and_accumulator_inside_function():
    @tf.function
    def f(a):
        s = tf.constant(0.0)
        for i in tf.range(3):
            s += tf.reduce_sum(tf.sin(a) * tf.cast(i, tf.float32))
        return s

    x = tf.constant([0.5, 1.0, 2.0])
    with tf.autodiff.ForwardAccumulator(x, tf.ones(3)) as acc:
        y = f(x)
    np.testing.assert_allclose(acc.jvp(y).numpy(), 3 * np.sum(np.cos([0.5, 1.0, 2.0])), rtol=1e-5)

    @tf.function
    def g(a):
        with tf.autodiff.ForwardAccumulator(a, tf.ones_like(a)) as acc:
            y = tf.exp(a) * a
        return acc.jvp(y)

    xv = np.array([0.5, 1.0, 2.0])
    np.testing.assert_allclose(g(x).numpy(), np.exp(xv) * (1 + xv), rtol=1e-5)


def test_custom_gradient_used_for_jvp():
    @tf.custom_gradient
    def clip(x):
        return tf.identity(x), lambda dy: 3.0 * dy

    x = tf.constant([1.0, 2.0])
    with tf.autodiff.ForwardAccumulator(x, tf.constant([1.0, 1.0])) as acc:
        y = clip(x)
    np.testing.assert_allclose(acc.jvp(y).numpy(), [3.0, 3.0])


def test_complex_holomorphic():
    z = np.array([1 + 2j, 3 - 1j])
    t = np.array([1.0 + 0j, 1j])
    x = tf.constant(z, tf.complex128)
    with tf.autodiff.ForwardAccumulator(x, tf.constant(t)) as acc:
        y = tf.exp(x) * x
    np.testing.assert_allclose(acc.jvp(y).numpy(), (np.exp(z) * (1 + z)) * t, rtol=1e-10)


def test_missing_gradient_of_gradient_raises_lookup_error():
    x = tf.constant(np.random.default_rng(0).standard_normal((1, 4, 4, 2)))
    f = tf.constant(np.random.default_rng(1).standard_normal((2, 2, 2)))
    with pytest.raises(LookupError, match="Dilation2DBackprop"):
        with tf.autodiff.ForwardAccumulator(x, tf.ones_like(x)):
            tf.nn.dilation2d(x, f, [1, 1, 1, 1], "SAME", "NHWC", [1, 1, 1, 1])


def test_errors():
    x = tf.constant([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="Tensor conversion requested dtype float32"):
        tf.autodiff.ForwardAccumulator(x, tf.constant([1.0, 2.0, 3.0], tf.float64))
    with pytest.raises(ValueError, match="expected to be of shape"):
        tf.autodiff.ForwardAccumulator(x, tf.constant([1.0, 2.0]))
    with pytest.raises(ValueError, match="specified as a primal multiple times"):
        tf.autodiff.ForwardAccumulator([x, x], [x, x])
    with pytest.raises(ValueError, match="same nested structure"):
        tf.autodiff.ForwardAccumulator(x, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="same nested structure"):
        tf.autodiff.ForwardAccumulator([x, x * 2], [x])
    with pytest.raises(TypeError, match="same nested structure"):
        tf.autodiff.ForwardAccumulator((x, x * 2), [x, x])
    with pytest.raises(ValueError, match="None"):
        tf.autodiff.ForwardAccumulator(x, None)
    acc = tf.autodiff.ForwardAccumulator(x, tf.ones(3))
    with acc:
        with pytest.raises(ValueError, match="already recording"):
            acc.__enter__()
    with pytest.raises(ValueError, match="not recording"):
        acc._pop_accumulator()


def test_exports():
    assert tf.autodiff.GradientTape is tf.GradientTape
    assert tf.autodiff.ForwardAccumulator.__name__ == "ForwardAccumulator"
