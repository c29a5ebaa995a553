"""tf.train.ExponentialMovingAverage, eagerly and inside tf.function."""
import numpy as np
import pytest

import tensorforge as tf


def test_variable_averages_follow_tfs_update():
    v = tf.Variable([1.0, 2.0], name="w")
    ema = tf.train.ExponentialMovingAverage(0.9)
    assert ema.apply([v]) is None
    np.testing.assert_allclose(ema.average(v).numpy(), [1.0, 2.0])  # starts at the value
    assert ema.average_name(v) == "w/ExponentialMovingAverage"
    v.assign([3.0, 6.0])
    ema.apply([v])
    np.testing.assert_allclose(ema.average(v).numpy(), [1.0 + 0.1 * 2, 2.0 + 0.1 * 4], rtol=1e-6)

    @tf.function
    def step():
        v.assign_add([1.0, 1.0])
        return ema.apply([v])

    before = ema.average(v).numpy()
    assert step() is None  # a returned op comes back as None
    np.testing.assert_allclose(ema.average(v).numpy(), before + 0.1 * (v.numpy() - before), rtol=1e-6)
    assert list(ema.variables_to_restore()) == ["w/ExponentialMovingAverage"]


def test_num_updates_and_zero_debias():
    u = tf.Variable([0.0])
    ema = tf.train.ExponentialMovingAverage(0.99, num_updates=tf.Variable(3))
    ema.apply([u])
    u.assign([10.0])
    ema.apply([u])
    decay = min(0.99, 4 / 13)
    np.testing.assert_allclose(ema.average(u).numpy(), [(1 - decay) * 10.0], rtol=1e-6)
    debiased = tf.train.ExponentialMovingAverage(0.5, zero_debias=True)
    t = tf.constant([4.0])
    debiased.apply([t])
    np.testing.assert_allclose(debiased.average(t).numpy(), [4.0])  # 0.5 * 4 / (1 - 0.5)
    with pytest.raises(TypeError, match="half, float, or double"):
        debiased.apply([tf.Variable([1])])
