"""tf.test: TestCase assertions as TF's, GPU queries, compute_gradient."""
import numpy as np
import pytest

import tensorforge as tf


class _Case(tf.test.TestCase):
    def runTest(self):  # noqa: N802 - unittest's name
        pass


def test_testcase_assertions():
    t = _Case()
    t.assertAllClose(tf.constant([1.0, 2.0]), [1.0, 2.0000001])
    t.assertAllClose({"a": tf.constant(1.0), "b": [tf.constant([2.0])]}, {"a": 1.0, "b": [np.array([2.0])]})
    with pytest.raises(AssertionError):
        t.assertAllClose(tf.constant([1.0]), [1.1])
    with pytest.raises(AssertionError):
        t.assertAllClose(tf.constant([1.0, 2.0]), [1.0])  # shape mismatch
    t.assertNotAllClose([1.0], [2.0])
    t.assertAllEqual(tf.constant([[1, 2]]), np.array([[1, 2]]))
    t.assertAllGreater(tf.constant([2, 3]), 1)
    t.assertAllInRange(tf.constant([0.0, 1.0]), 0.0, 1.0)
    with pytest.raises(AssertionError):
        t.assertAllInRange(tf.constant([0.0, 1.0]), 0.0, 1.0, open_upper_bound=True)
    t.assertDTypeEqual(tf.constant([1.0]), np.float32)
    t.assertShapeEqual(np.zeros((2, 3)), tf.zeros([2, 3]))
    assert t.evaluate({"x": tf.constant(3)})["x"] == 3
    with t.assertRaisesOpError("must have the same"):
        tf.debugging.assert_equal(tf.constant([1]), tf.constant([2]), message="must have the same")
    with t.cached_session():
        pass
    assert not tf.test.is_gpu_available() and tf.test.gpu_device_name() == ""


def test_compute_gradient_jacobians():
    theoretical, numerical = tf.test.compute_gradient(lambda x: x * x, [tf.constant([1.0, 3.0], tf.float64)])
    np.testing.assert_allclose(theoretical[0], np.diag([2.0, 6.0]))
    np.testing.assert_allclose(numerical[0], theoretical[0], rtol=1e-6)
