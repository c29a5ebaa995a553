"""Gradients through TensorArrays inside tf.function (TensorList ops in while loops and conds),
checked against the same computation run eagerly."""
import numpy as np
import pytest

import tensorforge as tf

X = np.random.RandomState(0).rand(5, 3).astype("float32")
W = np.random.RandomState(1).rand(3).astype("float32")


def _ta_loop(x, w):
    n = tf.shape(x)[0]
    ta = tf.TensorArray(tf.float32, size=n)
    rows = tf.TensorArray(tf.float32, size=0, dynamic_size=True).unstack(x)

    def body(i, acc, ta):
        r = rows.read(i)
        acc = acc + r * w
        return i + 1, acc, ta.write(i, acc * r)

    _, acc, ta = tf.while_loop(lambda i, *_: i < n, body, [0, tf.zeros([3]), ta])
    return (tf.reduce_sum(ta.stack()) + tf.reduce_sum(ta.gather([0, 0, 2])) + tf.reduce_sum(acc)
            + tf.reduce_sum(ta.read(1)))


def _ta_split_concat(x, w):
    ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True, infer_shape=False).split(
        tf.reshape(x * w, [-1]), [4, 6, 5])
    ta = ta.write(1, ta.read(1) * 3.0)
    return tf.reduce_sum(ta.concat() ** 2)


def _ta_scatter(x, w):
    ta = tf.TensorArray(tf.float32, size=6).scatter([0, 2, 4, 1, 3], x * w)
    ta = ta.scatter([2], x[:1] * 5.0)  # overwrites element 2: its old value gets no gradient
    return tf.reduce_sum(ta.stack() * tf.range(6, dtype=tf.float32)[:, None])


CASES = {
    "map_fn": lambda x, w: tf.reduce_sum(tf.map_fn(lambda r: tf.sin(r) * w, x) ** 2),
    "scan": lambda x, w: tf.reduce_sum(tf.scan(lambda a, r: a * 0.5 + r * w, x)),
    "foldl": lambda x, w: tf.reduce_sum(tf.foldl(lambda a, r: a * r + w, x)),
    "foldr": lambda x, w: tf.reduce_sum(tf.foldr(lambda a, r: a * r + w, x, initializer=tf.ones([3]))),
    "map_fn_two_outputs": lambda x, w: tf.reduce_sum(tf.map_fn(lambda r: (r * 2.0, tf.reduce_sum(r * w)), x,
                                                               fn_output_signature=(tf.float32, tf.float32))[1]),
    "while_loop": _ta_loop,
    "split_concat": _ta_split_concat,
    "scatter": _ta_scatter,
}


def _close(a, b):
    assert (a is None) == (b is None)
    if a is not None:
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradients_inside_function_match_eager(name):
    f = CASES[name]
    x, w = tf.constant(X), tf.Variable(W)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x, w)
    want = tape.gradient(y, [x, w])

    @tf.function(input_signature=[tf.TensorSpec([None, 3])])  # length unknown: a real while_loop
    def inside(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x, w)
        return y, tape.gradient(y, [x, w])

    y_in, got = inside(x)
    np.testing.assert_allclose(y_in.numpy(), y.numpy(), rtol=1e-6)
    for a, b in zip(want, got):
        _close(a, b)
    # An eager tape over the tf.function gives the same gradients.
    outer_fn = tf.function(lambda x: f(x, w), input_signature=[tf.TensorSpec([None, 3])])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = outer_fn(x)
    for a, b in zip(want, tape.gradient(y, [x, w])):
        _close(a, b)


def test_tensor_array_written_in_cond_branches():
    @tf.function(input_signature=[tf.TensorSpec([None]), tf.TensorSpec([], tf.bool)])
    def f(x, p):
        with tf.GradientTape() as tape:
            tape.watch(x)
            ta = tf.TensorArray(tf.float32, size=3)
            ta = tf.cond(p, lambda: ta.write(0, x[0] * 5.0), lambda: ta.write(0, x[1] * 7.0))
            ta = ta.write(1, x[2] ** 2)
            y = tf.reduce_sum(ta.stack())
        return tape.gradient(y, x)

    x = tf.constant([1.0, 2.0, 3.0])
    np.testing.assert_allclose(f(x, tf.constant(True)).numpy(), [5.0, 0.0, 6.0])
    np.testing.assert_allclose(f(x, tf.constant(False)).numpy(), [0.0, 7.0, 6.0])


def test_nested_map_fn_gradient():
    @tf.function(input_signature=[tf.TensorSpec([None, None])])
    def f(m):
        with tf.GradientTape() as tape:
            tape.watch(m)
            y = tf.reduce_sum(tf.map_fn(lambda row: tf.reduce_sum(tf.map_fn(lambda v: v * v * v, row)), m))
        return tape.gradient(y, m)

    m = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    np.testing.assert_allclose(f(tf.constant(m)).numpy(), 3 * m ** 2)


def test_second_order_through_graph_loop_raises_instead_of_none():
    @tf.function(input_signature=[tf.TensorSpec([None])])
    def hessian_diag(x):
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = tf.reduce_sum(tf.map_fn(lambda v: v ** 3, x))
            g = t1.gradient(y, x)
        return t2.gradient(g, x)

    with pytest.raises(NotImplementedError, match="Second-order"):
        hessian_diag(tf.constant([1.0, 2.0]))

    @tf.function  # a length known while tracing unrolls under a tape, so second order works
    def known(x):
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = tf.reduce_sum(tf.map_fn(lambda v: v ** 3, x))
            g = t1.gradient(y, x)
        return t2.gradient(g, x)

    np.testing.assert_allclose(known(tf.constant([1.0, 2.0])).numpy(), [6.0, 12.0])


def test_reduce_sum_of_unknown_rank_in_graph():
    @tf.function(input_signature=[tf.TensorSpec(None)])
    def f(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(x * x)
        return y, tape.gradient(y, x)

    y, g = f(tf.constant([[1.0, 2.0], [3.0, 4.0]]))
    assert float(y) == 30.0
    np.testing.assert_allclose(g.numpy(), [[2.0, 4.0], [6.0, 8.0]])


def test_tf_gradients_through_loops_and_conds():
    """tf.gradients reads the graph after tracing: loop bodies and branches are recorded anyway."""
    @tf.function(input_signature=[tf.TensorSpec([None])])
    def scan_grad(x):
        return tf.gradients(tf.reduce_sum(tf.scan(lambda a, v: a * v, x)), x)[0]

    x = np.array([1.0, 2.0, 3.0], np.float32)
    # d/dx of x0 + x0*x1 + x0*x1*x2
    want = [1 + x[1] + x[1] * x[2], x[0] + x[0] * x[2], x[0] * x[1]]
    np.testing.assert_allclose(scan_grad(tf.constant(x)).numpy(), want)

    @tf.function
    def cond_grad(x):
        y = tf.cond(x[0] > 0, lambda: x * x, lambda: x * 3.0)
        return tf.gradients(tf.reduce_sum(y), x)[0]

    np.testing.assert_allclose(cond_grad(tf.constant([1.0, 2.0])).numpy(), [2.0, 4.0])
    np.testing.assert_allclose(cond_grad(tf.constant([-1.0, 2.0])).numpy(), [3.0, 3.0])

    @tf.function
    def loop_grad(x):
        _, y = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * x), [0, tf.ones_like(x)])
        return tf.gradients(tf.reduce_sum(y), x)[0]

    np.testing.assert_allclose(loop_grad(tf.constant([1.0, 2.0])).numpy(), [3.0, 12.0])
