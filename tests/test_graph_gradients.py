"""tf.gradients / tf.hessians inside tf.function, tf.RegisterGradient, tf.no_gradient,
tf.recompute_grad and tf.grad_pass_through."""
import numpy as np
import pytest

import tensorforge as tf


def test_gradients_inside_tf_function():
    v = tf.Variable([1.0, 2.0])

    @tf.function
    def f(x):
        y = tf.reduce_sum(x * x * v)
        gx, gv = tf.gradients(y, [x, v])
        (h,) = tf.hessians(tf.reduce_sum(x ** 3), x)
        (held,) = tf.gradients(x * tf.stop_gradient(x), x)
        doubled = x * 2.0
        (stopped,) = tf.gradients(doubled * doubled + x, x, stop_gradients=[doubled])
        (seeded,) = tf.gradients(x * 2.0, x, grad_ys=tf.constant([10.0, 1.0]))
        (none,) = tf.gradients(tf.constant(1.0), x)
        return gx, gv, h, held, stopped, seeded, none

    x = np.array([3.0, 4.0], np.float32)
    gx, gv, h, held, stopped, seeded, none = f(tf.constant(x))
    np.testing.assert_allclose(gx.numpy(), 2 * x * np.array([1.0, 2.0]))
    np.testing.assert_allclose(gv.numpy(), x * x)
    np.testing.assert_allclose(h.numpy(), np.diag(6 * x))
    np.testing.assert_allclose(held.numpy(), x)
    np.testing.assert_allclose(stopped.numpy(), [1.0, 1.0])  # nothing flows back through `doubled`
    np.testing.assert_allclose(seeded.numpy(), [20.0, 2.0])
    assert none is None
    with pytest.raises(RuntimeError, match="Use tf.GradientTape instead"):
        tf.gradients(tf.constant(1.0), tf.constant(2.0))


def test_register_gradient_for_an_op_without_one():
    name = "Timestamp"  # a registered op TF declares non-differentiable
    with pytest.raises(KeyError, match="Registering two gradient"):
        tf.RegisterGradient("Sin")(lambda op, g: g)
    tf.no_gradient(name)  # already none: fine


def test_grad_pass_through_and_recompute_grad():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.grad_pass_through(tf.round)(x * 1.3)
        z = tf.recompute_grad(lambda a: a * a)(x)
        total = tf.reduce_sum(y) + tf.reduce_sum(z)
    np.testing.assert_allclose(y.numpy(), np.round(np.array([1.3, 2.6], np.float32)))
    np.testing.assert_allclose(tape.gradient(total, x).numpy(), 1.3 + 2 * x.numpy())
