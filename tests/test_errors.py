"""Bad calls raise TF's error types with messages that name the call, the shapes or dtypes,
and the arguments; no NumPy exception escapes."""
import numpy as np
import pytest

import tensorforge as tf


def _raises(exc_type, fn, *needles):
    with pytest.raises(exc_type) as info:
        fn()
    msg = str(info.value)
    for n in needles:
        assert n in msg, "%r not in %r" % (n, msg)
    # The NumPy error is not chained into the traceback the user sees.
    assert info.value.__cause__ is None and (info.value.__context__ is None or info.value.__suppress_context__)
    return msg


def test_matmul_shape_mismatch():
    _raises(tf.errors.InvalidArgumentError, lambda: tf.matmul(tf.ones([2, 3]), tf.ones([4, 5])),
            "tf.matmul", "[2,3]", "[4,5]")


def test_matmul_mixed_dtypes():
    _raises(tf.errors.InvalidArgumentError, lambda: tf.matmul(tf.ones([2, 2], tf.int32), tf.ones([2, 2])),
            "int32", "float")


def test_add_broadcast_mismatch():
    _raises(tf.errors.InvalidArgumentError, lambda: tf.ones([2, 3]) + tf.ones([3, 2]),
            "tf.math.add", "[2,3]", "[3,2]")


def test_mixed_dtype_add():
    _raises(tf.errors.InvalidArgumentError, lambda: tf.add(tf.constant([1]), tf.constant([1.0])),
            "AddV2", "int32", "float")


def test_bad_reshape():
    _raises(tf.errors.InvalidArgumentError, lambda: tf.reshape(tf.ones([2, 3]), [4, 5]),
            "tf.reshape", "6 values", "[2,3]", "[4,5]")


def test_concat_mismatch():
    _raises(tf.errors.InvalidArgumentError, lambda: tf.concat([tf.ones([2, 3]), tf.ones([2, 4])], axis=0),
            "tf.concat", "[2,3]", "[2,4]")


def test_conv2d_channel_mismatch():
    _raises(tf.errors.InvalidArgumentError,
            lambda: tf.nn.conv2d(tf.ones([1, 5, 5, 3]), tf.ones([3, 3, 2, 4]), strides=1, padding="SAME"),
            "tf.nn.conv2d", "3", "2")


def test_reduce_bad_axis():
    _raises(tf.errors.InvalidArgumentError, lambda: tf.reduce_sum(tf.ones([2, 3]), axis=5), "5")


def test_errors_inside_kernels_become_tf_errors():
    # A kernel failure that inference cannot foresee still surfaces as a TF error naming the call.
    with pytest.raises(tf.errors.OpError):
        tf.gather(tf.ones([3, 2]), [0, 7])


def test_numpy_warnings_are_silent_like_tf():
    r = tf.constant([1.0, 0.0]) / tf.constant([0.0, 0.0])
    assert np.isinf(r.numpy()[0]) and np.isnan(r.numpy()[1])


def test_lists_of_tensors_keep_the_tensors_dtype():
    assert tf.convert_to_tensor([tf.constant(1, tf.int64), 2]).dtype == tf.int64
    assert tf.convert_to_tensor([tf.constant(1.0, tf.float64), 2.0]).dtype == tf.float64
    with pytest.raises(tf.errors.InvalidArgumentError, match="cannot compute Pack as input #1"):
        tf.convert_to_tensor([tf.constant(1.0), tf.constant(2)])
    assert tf.constant([], tf.string).shape == (0,)
    assert tf.constant(["a", b"b"], tf.string).numpy().tolist() == [b"a", b"b"]
