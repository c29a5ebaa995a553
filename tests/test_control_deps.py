"""tf.control_dependencies, tf.group, tf.no_op, tf.tuple, tf.init_scope, tf.inside_function,
tf.get_current_name_scope, tf.timestamp, tf.get_logger and tf.Assert."""
import logging

import numpy as np
import pytest

import tensorforge as tf


def test_eager_forms():
    assert tf.no_op() is None and tf.group(tf.constant(1)) is None
    assert not tf.inside_function()
    assert tf.timestamp().dtype == tf.float64
    assert isinstance(tf.get_logger(), logging.Logger) and tf.get_logger().name == "tensorflow"
    with tf.name_scope("outer"):
        with tf.name_scope("inner"):
            assert tf.get_current_name_scope() == "outer/inner"
    assert tf.get_current_name_scope() == ""
    with tf.control_dependencies([tf.constant(1)]):
        assert int(tf.identity(tf.constant(3))) == 3


def test_control_dependencies_order_pure_ops_after_a_check():
    ran = []

    def record(v):
        ran.append("check")
        return v

    @tf.function
    def f(x):
        checked = tf.numpy_function(record, [x], tf.float32, stateful=False)
        with tf.control_dependencies([checked]):
            y = tf.identity(x)  # pure: without the dependency the unused check would be pruned
        assert tf.inside_function()
        return y * 2

    np.testing.assert_array_equal(f(tf.constant([1.0, 2.0])).numpy(), [2.0, 4.0])
    assert ran == ["check"]


def test_asserts_gate_results_and_group_returns_none():
    @tf.function
    def positive_double(x):
        a = tf.Assert(tf.reduce_all(x > 0), [x])
        with tf.control_dependencies([a]):
            return tf.identity(x) * 2

    assert positive_double(tf.constant([1.0])).numpy().tolist() == [2.0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="assertion failed"):
        positive_double(tf.constant([-1.0]))

    counter = tf.Variable(0)

    @tf.function
    def bump():
        return tf.group(counter.assign_add(1), counter.assign_add(10))

    assert bump() is None and int(counter) == 11


def test_tuple_and_init_scope():
    @tf.function
    def f(x):
        a, b = tf.tuple([x + 1, x * 2])
        with tf.init_scope():
            assert not tf.inside_function()
            made = tf.constant(5)
        assert tf.inside_function()
        return a + b + made

    assert int(f(tf.constant(3))) == (3 + 1) + 3 * 2 + 5
