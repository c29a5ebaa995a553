"""tf.map_fn, tf.scan, tf.foldl, tf.foldr, tf.vectorized_map: eagerly and inside tf.function
(a while_loop over TensorArrays), with gradients."""
import numpy as np
import pytest

import tensorforge as tf

X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, -1.0]], np.float32)


def _both(fn, *args):
    """fn(*args) eagerly and traced (with an unknown leading dimension)."""
    eager = fn(*args)
    sig = [tf.TensorSpec([None] + list(np.shape(a))[1:], tf.as_dtype(np.asarray(a).dtype)) for a in args]
    traced = tf.function(fn, input_signature=sig)(*args)
    return eager, traced


def test_map_fn_structures_and_signatures():
    e, t = _both(lambda x: tf.map_fn(lambda r: r * r + 1.0, x), X)
    for v in (e, t):
        np.testing.assert_allclose(v.numpy(), X * X + 1)
    pair = (tf.constant([1, 2]), tf.constant([3, 4]))
    out = tf.map_fn(lambda p: (p[0], p[1] * 2), pair)
    assert [o.numpy().tolist() for o in out] == [[1, 2], [6, 8]]
    summed = tf.map_fn(lambda p: p[0] + p[1], pair, fn_output_signature=tf.int32)
    assert summed.numpy().tolist() == [4, 6]
    d = tf.map_fn(lambda d: {"s": tf.cast(d["a"], tf.float32) * 0.5}, {"a": tf.constant([2, 4])},
                  fn_output_signature={"s": tf.float32})
    assert d["s"].numpy().tolist() == [1.0, 2.0]
    assert tf.map_fn(lambda r: r * 2, tf.zeros([0, 3])).shape[0] == 0


def test_map_fn_errors_as_tf():
    with pytest.raises(tf.errors.InvalidArgumentError, match="TensorArray dtype is int32 but Op is trying to write "
                                                             "dtype float32"):
        tf.map_fn(lambda x: tf.cast(x, tf.float32), tf.constant([1, 2]))
    with pytest.raises(ValueError, match="not compatible"):
        tf.map_fn(lambda p: p, (tf.constant([1, 2]), tf.constant([3, 4, 5])))


def test_scan_fold_forward_and_reverse():
    v = np.array([1, 2, 3, 4], np.int32)
    cases = [
        (lambda e: tf.scan(lambda a, x: a + x, e), np.cumsum(v)),
        (lambda e: tf.scan(lambda a, x: a * x, e, initializer=tf.constant(10), reverse=True),
         10 * np.cumprod(v[::-1])[::-1]),
        (lambda e: tf.foldl(lambda a, x: a + x, e), v.sum()),
        (lambda e: tf.foldr(lambda a, x: a - x, e, initializer=100), 100 - v.sum()),
        (lambda e: tf.foldl(lambda a, x: a * 10 + x, e), 1234),
        (lambda e: tf.foldr(lambda a, x: a * 10 + x, e), 4321),
    ]
    for fn, want in cases:
        for got in _both(fn, v):
            np.testing.assert_array_equal(got.numpy(), want)
    two = tf.scan(lambda a, x: (a[0] + x, a[1] * x), tf.constant([1, 2, 3]),
                  initializer=(tf.constant(0), tf.constant(1)))
    assert [t.numpy().tolist() for t in two] == [[1, 3, 6], [1, 2, 6]]
    with pytest.raises(tf.errors.OutOfRangeError):
        tf.foldl(lambda a, x: a + x, tf.zeros([0]))


def test_gradients_flow_through_map_fn_and_scan():
    x = tf.constant(X)

    def loss(v):
        mapped = tf.map_fn(lambda r: tf.reduce_sum(r * r), v)
        running = tf.scan(lambda a, r: a * 0.5 + r, v)
        return tf.reduce_sum(mapped) + tf.reduce_sum(running)

    # d/dv: 2 v from the map; each row i of the scan contributes sum_k>=i 0.5^(k-i)
    weights = np.array([1 + 0.5 + 0.25, 1 + 0.5, 1], np.float32)[:, None]
    want = 2 * X + weights
    for traced in (False, True):
        f = tf.function(lambda v: _grad(loss, v)) if traced else (lambda v: _grad(loss, v))
        np.testing.assert_allclose(f(x).numpy(), want, rtol=1e-6)


def _grad(loss, v):
    with tf.GradientTape() as tape:
        tape.watch(v)
        out = loss(v)
    return tape.gradient(out, v)


def test_vectorized_map_matches_a_loop():
    want = np.stack([r.sum() * r for r in X])
    for got in _both(lambda x: tf.vectorized_map(lambda r: tf.reduce_sum(r) * r, x), X):
        np.testing.assert_allclose(got.numpy(), want)
