"""TF's top-level aliases: tf.losses/metrics/optimizers/initializers and the TF2 initializers."""
import numpy as np
import pytest

import tensorforge as tf


def test_keras_namespace_aliases():
    assert tf.losses is tf.keras.losses and tf.metrics is tf.keras.metrics
    assert tf.optimizers is tf.keras.optimizers and tf.initializers is tf.keras.initializers


def test_tf2_initializers():
    np.testing.assert_array_equal(tf.constant_initializer(3.0)([2], tf.float32).numpy(), [3.0, 3.0])
    np.testing.assert_array_equal(tf.zeros_initializer()([2, 1]).numpy(), np.zeros((2, 1)))
    np.testing.assert_array_equal(tf.ones_initializer()([3]).numpy(), np.ones(3))
    normal = tf.random_normal_initializer(seed=1)([4000]).numpy()
    assert abs(normal.std() - 0.05) < 0.005
    uniform = tf.random_uniform_initializer(-1.0, 1.0, seed=2)([1000]).numpy()
    assert uniform.min() >= -1.0 and uniform.max() < 1.0
    v = tf.Variable(tf.constant_initializer(0.5)([2, 2]))
    assert v.numpy().tolist() == [[0.5, 0.5], [0.5, 0.5]]


def test_raw_ops_bind_ops_by_tf_name():
    assert float(tf.raw_ops.AddV2(x=tf.constant(1.0), y=tf.constant(2.0))) == 3.0
    total = tf.raw_ops.Sum(input=tf.constant([[1.0, 2.0], [3.0, 4.0]]), axis=[1], keep_dims=False)
    assert total.numpy().tolist() == [3.0, 7.0]
    assert float(tf.raw_ops.AddN(inputs=[tf.constant(1.0), tf.constant(2.0)])) == 3.0
    assert tf.raw_ops.Reshape(tensor=tf.range(6), shape=[2, 3]).shape == (2, 3)
    assert "MatMul" in dir(tf.raw_ops)
    with pytest.raises(AttributeError):
        tf.raw_ops.NoSuchOp()


def test_version_and_sysconfig():
    assert tf.version.VERSION.startswith("2.") and isinstance(tf.version.GRAPH_DEF_VERSION, int)
    info = tf.sysconfig.get_build_info()
    assert info["is_cuda_build"] is False
    assert tf.sysconfig.get_compile_flags() == [] and tf.sysconfig.get_include()


def test_device_spec_parses_and_merges():
    spec = tf.DeviceSpec.from_string("/job:worker/replica:0/task:1/device:GPU:2")
    assert (spec.job, spec.replica, spec.task, spec.device_type, spec.device_index) == ("worker", 0, 1, "GPU", 2)
    assert spec.to_string() == "/job:worker/replica:0/task:1/device:GPU:2"
    short = tf.DeviceSpec.from_string("/cpu:0")
    assert short.to_string() == "/device:CPU:0"
    merged = spec.make_merged_spec(tf.DeviceSpec(device_type="CPU", device_index=0))
    assert merged.to_string() == "/job:worker/replica:0/task:1/device:CPU:0"
    assert spec.replace(task=3).task == 3 and spec.task == 1


def test_symbolic_tensor_queries_and_graph_only_ops():
    assert not tf.is_symbolic_tensor(tf.constant(1.0))
    seen = []

    @tf.function
    def f(x):
        seen.append(tf.is_symbolic_tensor(x))
        return tf.parallel_stack([x, tf.guarantee_const(x) * 2.0])

    np.testing.assert_array_equal(f(tf.constant([1.0, 2.0])).numpy(), [[1.0, 2.0], [2.0, 4.0]])
    assert seen == [True]
    with pytest.raises(RuntimeError, match="eager"):
        tf.parallel_stack([tf.constant(1.0)])
    assert tf.AggregationMethod.DEFAULT == tf.AggregationMethod.ADD_N
