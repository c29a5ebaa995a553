"""GradientTape semantics: watching, persistence, nesting, jacobians, custom gradients."""
import numpy as np
import pytest

import tensorforge as tf


def test_watch_constant_and_gradient():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(x * x)
    np.testing.assert_allclose(t.gradient(y, x).numpy(), [2.0, 4.0, 6.0])


def test_unwatched_constant_gives_none():
    x = tf.constant(2.0)
    with tf.GradientTape() as t:
        y = x * x
    assert t.gradient(y, x) is None


def test_trainable_variables_are_watched_automatically():
    v = tf.Variable(3.0)
    frozen = tf.Variable(1.0, trainable=False)
    with tf.GradientTape() as t:
        y = v * v + frozen
    gv, gf = t.gradient(y, [v, frozen])
    assert gv.numpy() == 6.0 and gf is None


def test_watch_accessed_variables_false():
    v = tf.Variable(3.0)
    w = tf.Variable(2.0)
    with tf.GradientTape(watch_accessed_variables=False) as t:
        t.watch(w)
        y = v * w
    gv, gw = t.gradient(y, [v, w])
    assert gv is None and gw.numpy() == 3.0
    assert t.watched_variables() == (w,)


def test_non_persistent_tape_used_once():
    x = tf.constant(1.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    t.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent"):
        t.gradient(y, x)


def test_persistent_tape():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        z = y * y
    assert t.gradient(y, x).numpy() == 6.0
    assert t.gradient(z, x).numpy() == 108.0


def test_nested_tapes_second_order():
    x = tf.Variable(2.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = x * x * x
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x)
    assert dy.numpy() == 12.0 and d2y.numpy() == 12.0


def test_third_order():
    x = tf.constant(1.5)
    with tf.GradientTape() as t3:
        t3.watch(x)
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = x * x * x * x
            g1 = t1.gradient(y, x)
        g2 = t2.gradient(g1, x)
    g3 = t3.gradient(g2, x)
    np.testing.assert_allclose(g3.numpy(), 24 * 1.5, rtol=1e-6)


def test_stop_recording_and_reset():
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        with t.stop_recording():
            z = y * x  # not recorded
        w = y * 3.0
    assert t.gradient(z, x) is None
    assert t.gradient(w, x).numpy() == 12.0
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
        t.reset()
        t.watch(x)
        y = x * 5.0
    assert t.gradient(y, x).numpy() == 5.0


def test_unconnected_gradients_zero():
    x = tf.constant([1.0, 2.0])
    u = tf.constant([5.0])
    with tf.GradientTape() as t:
        t.watch([x, u])
        y = tf.reduce_sum(x)
    gx, gu = t.gradient(y, [x, u], unconnected_gradients=tf.UnconnectedGradients.ZERO)
    np.testing.assert_array_equal(gu.numpy(), [0.0])
    np.testing.assert_array_equal(gx.numpy(), [1.0, 1.0])
    with tf.GradientTape() as t:
        t.watch([x, u])
        y = tf.reduce_sum(x)
    assert t.gradient(y, u, unconnected_gradients="zero").numpy().tolist() == [0.0]


def test_output_gradients_and_structures():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * 3.0
    g = t.gradient(y, {"a": x, "b": [x]}, output_gradients=tf.constant([1.0, 10.0]))
    np.testing.assert_allclose(g["a"].numpy(), [3.0, 30.0])
    np.testing.assert_allclose(g["b"][0].numpy(), [3.0, 30.0])


def test_integer_targets_and_sources_give_none():
    x = tf.constant([1.0, 2.0])
    i = tf.constant([1, 2])
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = tf.cast(x, tf.int32)
        z = tf.cast(y, tf.float32) * x
    assert t.gradient(y, x) is None
    np.testing.assert_allclose(t.gradient(z, x).numpy(), [1.0, 2.0])  # the int path carries nothing
    with pytest.warns(UserWarning):
        with tf.GradientTape() as t2:
            t2.watch(i)
    assert t2.gradient(tf.constant(1.0), i) is None


def test_multiple_targets_are_summed():
    x = tf.constant(2.0)
    with tf.GradientTape() as t:
        t.watch(x)
        a = x * x
        b = x * 3.0
    assert t.gradient([a, b], x).numpy() == 7.0


def test_jacobian_and_batch_jacobian():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    j = t.jacobian(y, x)
    np.testing.assert_allclose(j.numpy(), np.diag([2.0, 4.0, 6.0]))
    xb = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as t:
        t.watch(xb)
        yb = tf.stack([xb[:, 0] * xb[:, 1], xb[:, 0] * 2.0, xb[:, 1] * 3.0], axis=1)
    bj = t.batch_jacobian(yb, xb)
    assert bj.shape == [2, 3, 2]
    np.testing.assert_allclose(bj.numpy()[1], [[4.0, 3.0], [2.0, 0.0], [0.0, 3.0]])


def test_custom_gradient():
    @tf.custom_gradient
    def clip_grad_identity(x):
        def grad(dy):
            return dy * 0.5
        return tf.identity(x) * 1.0, grad

    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(clip_grad_identity(x) * 4.0)
    np.testing.assert_allclose(t.gradient(y, x).numpy(), [2.0, 2.0])


def test_custom_gradient_with_variables():
    v = tf.Variable(2.0)

    @tf.custom_gradient
    def scale(x):
        def grad(dy, variables=None):
            return dy * v, [dy * x * 10.0]
        return x * v, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = scale(x)
    gx, gv = t.gradient(y, [x, v])
    assert gx.numpy() == 2.0 and gv.numpy() == 30.0


def test_stop_gradient():
    x = tf.constant(3.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * tf.stop_gradient(x)
    assert t.gradient(y, x).numpy() == 3.0


def test_gather_gradient_is_indexed_slices_and_densifies():
    v = tf.Variable(tf.ones([5, 2]))
    with tf.GradientTape() as t:
        y = tf.reduce_sum(tf.gather(v, [0, 3, 3]))
    g = t.gradient(y, v)
    assert isinstance(g, tf.IndexedSlices)
    np.testing.assert_allclose(tf.convert_to_tensor(g).numpy()[:, 0], [1, 0, 0, 2, 0])


def test_variable_assigned_inside_tape():
    v = tf.Variable(1.0)
    with tf.GradientTape() as t:
        a = v * 2.0
        v.assign(5.0)
        b = v * 3.0
        total = a + b
    assert t.gradient(total, v).numpy() == 5.0


def test_watch_composite_tensors():
    sp = tf.sparse.from_dense(tf.constant([[1.0, 0.0], [0.0, 2.0]]))
    assert tf.is_tensor(sp)
    with tf.GradientTape() as t:
        t.watch(sp)
        y = tf.reduce_sum(tf.sparse.to_dense(sp) * 3.0)
    np.testing.assert_allclose(t.gradient(y, sp.values).numpy(), [3.0, 3.0])
