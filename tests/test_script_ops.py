"""tf.numpy_function and tf.py_function: eagerly, in tf.function, in tf.data, and their errors."""
import numpy as np
import pytest

import tensorforge as tf


def test_numpy_function_eager_single_and_list():
    x = tf.constant([1.0, 2.0, 4.0])
    seen = []

    def f(a):
        seen.append(type(a))
        return a * 2

    y = tf.numpy_function(f, [x], tf.float32)
    assert isinstance(y, tf.Tensor) and y.dtype is tf.float32
    np.testing.assert_array_equal(y.numpy(), [2.0, 4.0, 8.0])
    assert seen == [np.ndarray]
    both = tf.numpy_function(lambda a: (a, a.sum()), [x], [tf.float32, tf.float32])
    assert isinstance(both, list) and len(both) == 2 and float(both[1]) == 7.0


def test_numpy_function_checks_what_it_returns():
    x = tf.constant([1.0])
    # A Python float is float64: TF refuses it for a float32 output, naming both dtypes.
    with pytest.raises(tf.errors.InvalidArgumentError, match="0-th value returned by pyfunc_[0-9]+ is double, "
                                                             "but expects float"):
        tf.numpy_function(lambda a: 1.5, [x], tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="returns 2 values, but expects to see 1 values"):
        tf.numpy_function(lambda a: (a, a), [x], [tf.float32])


@pytest.mark.parametrize("exc, err", [(ValueError, tf.errors.InvalidArgumentError),
                                      (TypeError, tf.errors.InvalidArgumentError),
                                      (IndexError, tf.errors.OutOfRangeError),
                                      (NotImplementedError, tf.errors.UnimplementedError),
                                      (KeyError, tf.errors.UnknownError)])
def test_python_exceptions_become_tf_errors(exc, err):
    def f(a):
        raise exc("the function failed")

    with pytest.raises(err, match="the function failed"):
        tf.numpy_function(f, [tf.constant(1.0)], tf.float32)


def test_inside_tf_function_runs_every_call():
    calls = []

    def record(v):
        calls.append(v.copy())
        return np.sort(v)

    @tf.function
    def f(a):
        y = tf.numpy_function(record, [a], tf.float32)
        assert y.shape.rank is None  # the function decides its shape at run time
        y.set_shape(a.shape)
        return y * 2

    np.testing.assert_array_equal(f(tf.constant([3.0, 1.0, 2.0])).numpy(), [2.0, 4.0, 6.0])
    np.testing.assert_array_equal(f(tf.constant([9.0, 7.0, 8.0])).numpy(), [14.0, 16.0, 18.0])
    assert len(calls) == 2  # traced once, run twice


def test_stateful_call_runs_even_when_unused_in_a_graph():
    calls = []

    @tf.function
    def f(a):
        tf.numpy_function(lambda v: calls.append(1) or v, [a], tf.float32)
        tf.numpy_function(lambda v: calls.append(2) or v, [a], tf.float32, stateful=False)
        return a + 1

    f(tf.constant(1.0))
    assert calls == [1]  # the stateless call's unused result is pruned, the stateful call runs


def test_py_function_gets_eager_tensors_and_converts_results():
    def f(a, b):
        assert isinstance(a, tf.Tensor) and tf.executing_eagerly()
        return tf.reduce_sum(a).numpy() * b.numpy()  # a NumPy value, converted to Tout

    @tf.function
    def g(a, b):
        return tf.py_function(f, [a, b], tf.float32)

    assert float(g(tf.constant([1.0, 2.0]), tf.constant(3.0))) == 9.0
    assert tf.py_function(lambda: None, [], None) is None


def test_py_function_decorator_form():
    @tf.py_function(Tout=tf.int64)
    def plus_one(v):
        return v + 1

    assert int(plus_one(tf.constant(4, tf.int64))) == 5


def test_py_function_gradients_eager_and_in_a_graph():
    x = tf.constant([0.5, 1.0, 2.0], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.py_function(lambda v: tf.sin(v) * 3.0, [x], tf.float64)
        loss = tf.reduce_sum(y * y)
    expected = 2 * 3 * np.sin(x.numpy()) * 3 * np.cos(x.numpy())
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(), expected, rtol=1e-12)

    @tf.function
    def grad(v):
        with tf.GradientTape() as t:
            t.watch(v)
            out = tf.py_function(lambda a: a * a, [v], tf.float64)
        return t.gradient(out, v)

    np.testing.assert_allclose(grad(x).numpy(), 2 * x.numpy())


def test_in_dataset_map_sequential_and_parallel():
    def fn(i):
        return tf.py_function(lambda v: v.numpy() * 10, [i], tf.int64)

    assert list(tf.data.Dataset.range(6).map(fn).as_numpy_iterator()) == [0, 10, 20, 30, 40, 50]
    par = tf.data.Dataset.range(50).map(
        lambda i: tf.numpy_function(lambda v: v + 1, [i], tf.int64), num_parallel_calls=4)
    assert list(par.as_numpy_iterator()) == list(range(1, 51))


def test_bad_arguments():
    with pytest.raises(TypeError, match="func must be callable"):
        tf.numpy_function(3, [1.0], tf.float32)
    with pytest.raises(TypeError, match="Tout must be"):
        tf.numpy_function(lambda a: a, [1.0], "not a dtype")
