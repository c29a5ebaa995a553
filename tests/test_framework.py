"""The data model: dtypes, shapes, tensors, conversion rules, variables, modules."""
import copy
import pickle

import numpy as np
import pytest

import tensorforge as tf


# ---------------------------------------------------------------- dtypes
@pytest.mark.parametrize("name", ["float16", "float32", "float64", "bfloat16", "int8", "int16", "int32", "int64",
                                  "uint8", "uint16", "uint32", "uint64", "bool", "complex64", "complex128", "string"])
def test_every_tf_dtype_exists(name):
    d = getattr(tf, name)
    assert isinstance(d, tf.DType)
    assert d.name == name
    assert tf.as_dtype(name) is d
    assert tf.as_dtype(d.as_datatype_enum) is d
    assert getattr(tf.dtypes, name) is d
    assert repr(d) == "tf." + name


def test_dtype_properties():
    assert tf.float32.is_floating and not tf.float32.is_integer
    assert tf.bfloat16.is_floating and tf.bfloat16.size == 2
    assert tf.int32.is_integer and tf.int32.max == 2 ** 31 - 1
    assert tf.uint8.is_unsigned and tf.uint8.min == 0
    assert tf.complex64.is_complex and tf.complex64.real_dtype is tf.float32
    assert tf.as_dtype(np.float64) is tf.float64
    assert tf.float32 == np.float32 and tf.float32 != tf.float64
    assert pickle.loads(pickle.dumps(tf.int64)) is tf.int64
    with pytest.raises(TypeError):
        tf.as_dtype("float99")


def test_bfloat16_tensor_uses_ml_dtypes():
    t = tf.constant([1.0, 2.5], dtype=tf.bfloat16)
    assert t.dtype is tf.bfloat16
    assert t.numpy().dtype.name == "bfloat16"


# ---------------------------------------------------------------- shapes
def test_tensor_shape_unknown_dims():
    s = tf.TensorShape([None, 3])
    assert s.rank == 2 and s.as_list() == [None, 3]
    assert not s.is_fully_defined()
    assert s.is_compatible_with([5, 3]) and not s.is_compatible_with([5, 4])
    assert s.merge_with([5, None]) == tf.TensorShape([5, 3])
    assert repr(s) == "TensorShape([None, 3])" and str(s) == "(None, 3)"
    assert tf.TensorShape(None).rank is None
    assert tf.TensorShape([2, 3]).num_elements() == 6
    assert tf.TensorShape([2, 3])[1:] == tf.TensorShape([3])
    assert tf.TensorShape([2]) + tf.TensorShape([4]) == [2, 4]
    with pytest.raises(ValueError):
        tf.TensorShape([2]).merge_with([3])


# ---------------------------------------------------------------- constants and conversion
def test_constant_dtype_inference_matches_tf():
    assert tf.constant(3).dtype is tf.int32
    assert tf.constant(3.0).dtype is tf.float32
    assert tf.constant(True).dtype is tf.bool
    assert tf.constant("a").dtype is tf.string
    assert tf.constant([1, 2]).dtype is tf.int32
    assert tf.constant([1, 2.5]).dtype is tf.float32
    assert tf.constant(2 ** 40).dtype is tf.int64
    assert tf.constant(1 + 2j).dtype is tf.complex128
    assert tf.constant(np.array([1.0])).dtype is tf.float64  # NumPy keeps its dtype
    assert tf.constant(np.int64(3)).dtype is tf.int64


def test_constant_with_dtype_and_shape():
    t = tf.constant(7, dtype=tf.float64, shape=[2, 2])
    assert t.dtype is tf.float64 and t.shape == [2, 2]
    np.testing.assert_array_equal(t.numpy(), np.full((2, 2), 7.0))
    np.testing.assert_array_equal(tf.constant([1, 2, 3, 4], shape=[2, 2]).numpy(), [[1, 2], [3, 4]])
    with pytest.raises(TypeError):
        tf.constant(1.5, dtype=tf.int32)
    with pytest.raises(TypeError):
        tf.constant([1, 2, 3], shape=[2, 2])


def test_constant_copies_numpy_input():
    a = np.array([1.0, 2.0], dtype=np.float32)
    t = tf.constant(a)
    a[0] = 100.0
    assert t.numpy()[0] == 1.0


def test_convert_to_tensor():
    t = tf.constant([1.0])
    assert tf.convert_to_tensor(t) is t
    assert tf.convert_to_tensor([1, 2], dtype=tf.float32).dtype is tf.float32
    assert tf.convert_to_tensor(1, dtype_hint=tf.float32).dtype is tf.float32
    with pytest.raises(ValueError):
        tf.convert_to_tensor(tf.constant(1), dtype=tf.float32)
    assert tf.convert_to_tensor([tf.constant(1.0), tf.constant(2.0)]).shape == [2]
    assert tf.is_tensor(t) and not tf.is_tensor(np.ones(2))


def test_no_implicit_promotion():
    with pytest.raises(tf.errors.InvalidArgumentError, match="AddV2"):
        tf.constant(1) + tf.constant(1.0)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.constant(1) + 1.5
    # As in TF, a NumPy operand is converted to the tensor's dtype.
    assert (tf.constant([1.0], dtype=tf.float32) + np.array([1.0])).dtype is tf.float32
    assert (tf.constant([1, 2]) + 1).dtype is tf.int32
    assert (tf.constant([1.0], dtype=tf.float64) * 2).dtype is tf.float64
    assert (2.5 * tf.constant([1.0])).dtype is tf.float32


def test_string_tensors():
    s = tf.constant(["ab", "cde"])
    assert s.dtype is tf.string and s.shape == [2]
    assert s.numpy().tolist() == [b"ab", b"cde"]
    assert tf.constant("x").numpy() == b"x"
    assert (tf.constant("a") + tf.constant("b")).numpy() == b"ab"  # string + concatenates, as in TF
    assert (s + tf.constant(["!", "?"])).numpy().tolist() == [b"ab!", b"cde?"]


# ---------------------------------------------------------------- tensor protocol
def test_repr_and_str_like_tf():
    assert repr(tf.constant([1.0, 2.0])) == \
        "<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>"
    assert repr(tf.constant(3.0)) == "<tf.Tensor: shape=(), dtype=float32, numpy=3.0>"
    assert repr(tf.constant(3)) == "<tf.Tensor: shape=(), dtype=int32, numpy=3>"
    assert repr(tf.constant("ab")) == "<tf.Tensor: shape=(), dtype=string, numpy=b'ab'>"
    assert str(tf.constant(3.0)) == "tf.Tensor(3.0, shape=(), dtype=float32)"
    assert str(tf.constant([[1, 2], [3, 4]])) == "tf.Tensor(\n[[1 2]\n [3 4]], shape=(2, 2), dtype=int32)"


def test_tensor_python_protocol():
    t = tf.constant([[1, 2], [3, 4]])
    assert len(t) == 2 and t.ndim == 2 and t.shape == (2, 2)
    rows = list(t)
    assert len(rows) == 2 and rows[1].numpy().tolist() == [3, 4]
    assert bool(tf.constant(True)) and not bool(tf.constant(0))
    assert int(tf.constant(3)) == 3 and float(tf.constant(2.5)) == 2.5
    assert [10, 20, 30][tf.constant(1)] == 20
    np.testing.assert_array_equal(np.asarray(t), [[1, 2], [3, 4]])
    assert isinstance(tf.constant(1.0).numpy(), np.float32)
    with pytest.raises(TypeError):
        len(tf.constant(1))
    with pytest.raises(TypeError):
        hash(t)
    with pytest.raises(ValueError):
        bool(tf.constant([True, False]))
    d = {t.ref(): 1}
    assert d[t.ref()] == 1 and t.ref().deref() is t
    assert copy.deepcopy(t) is t
    assert pickle.loads(pickle.dumps(t)).numpy().tolist() == [[1, 2], [3, 4]]
    assert f"{tf.constant(1.5):.2f}" == "1.50"


def test_numpy_operands_defer_to_tensor():
    r = np.ones(2, dtype=np.float32) + tf.constant([1.0, 2.0])
    assert isinstance(r, tf.Tensor)


# ---------------------------------------------------------------- variables
def test_variable_basics():
    v = tf.Variable([1.0, 2.0], name="w")
    assert v.dtype is tf.float32 and v.shape == [2] and v.trainable
    assert v.name.startswith("w") and v.name.endswith(":0")
    v.assign([3.0, 4.0])
    v.assign_add([1.0, 1.0])
    v.assign_sub([0.5, 0.5])
    np.testing.assert_allclose(v.numpy(), [3.5, 4.5])
    np.testing.assert_allclose(v.read_value().numpy(), [3.5, 4.5])
    assert repr(v).startswith("<tf.Variable 'w")
    assert (v * 2.0).numpy().tolist() == [7.0, 9.0]
    with pytest.raises(ValueError):
        v.assign([1.0, 2.0, 3.0])
    with pytest.raises((TypeError, tf.errors.InvalidArgumentError)):
        v.assign(tf.constant([1, 2]))


def test_variable_read_is_a_snapshot():
    v = tf.Variable([1.0])
    before = v.read_value()
    v.assign([5.0])
    assert before.numpy()[0] == 1.0 and v.numpy()[0] == 5.0


def test_variable_options():
    v = tf.Variable(1.0, trainable=False, dtype=tf.float64, constraint=lambda x: x)
    assert not v.trainable and v.dtype is tf.float64 and v.constraint is not None
    assert tf.Variable(lambda: tf.zeros([2])).shape == [2]
    with pytest.raises(ValueError):
        tf.Variable(None)


def test_variable_scatter_updates():
    v = tf.Variable([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    v.scatter_update(tf.IndexedSlices(tf.constant([[9.0, 9.0]]), tf.constant([1])))
    v.scatter_add(tf.IndexedSlices(tf.constant([[1.0, 1.0], [1.0, 1.0]]), tf.constant([0, 0])))
    np.testing.assert_allclose(v.numpy(), [[3, 3], [9, 9], [3, 3]])
    v.scatter_nd_update([[2, 1]], [7.0])
    assert v.numpy()[2, 1] == 7.0
    with pytest.raises(tf.errors.InvalidArgumentError):
        v.scatter_update(tf.IndexedSlices(tf.constant([[1.0, 1.0]]), tf.constant([5])))


# ---------------------------------------------------------------- module, scopes, devices, config
def test_module_tracks_variables_and_submodules():
    class Dense(tf.Module):
        def __init__(self, n_in, n_out, name=None):
            super().__init__(name=name)
            self.w = tf.Variable(tf.ones([n_in, n_out]))
            self.b = tf.Variable(tf.zeros([n_out]), trainable=False)

    class MLP(tf.Module):
        def __init__(self):
            super().__init__()
            self.layers = [Dense(2, 3), Dense(3, 1)]

    m = MLP()
    assert m.name == "mlp"
    assert len(m.variables) == 4 and len(m.trainable_variables) == 2 and len(m.non_trainable_variables) == 2
    assert len(m.submodules) == 2
    with pytest.raises(ValueError):
        tf.Module(name="bad name")


def test_name_scope_prefixes_variable_names():
    with tf.name_scope("block"):
        v = tf.Variable(1.0, name="kernel")
    assert v.name.startswith("block/kernel")


def test_device_and_config():
    with tf.device("/CPU:0"):
        t = tf.constant(1.0)
    assert "CPU" in t.device
    with tf.device("/GPU:0"):  # soft placement: still runs
        assert tf.constant(1.0).numpy() == 1.0
    cpus = tf.config.list_physical_devices("CPU")
    assert len(cpus) == 1 and cpus[0].device_type == "CPU"
    assert tf.config.list_physical_devices("GPU") == []
    assert tf.executing_eagerly()


def test_errors_namespace():
    e = tf.errors.InvalidArgumentError(None, None, "bad")
    assert isinstance(e, tf.errors.OpError) and e.message == "bad"
    assert e.error_code == tf.errors.INVALID_ARGUMENT
    assert issubclass(tf.errors.NotFoundError, tf.errors.OpError)
    assert tf.errors.exception_type_from_error_code(5) is tf.errors.NotFoundError


def test_malloc_tuning_can_be_disabled(monkeypatch):
    from tensorforge import _memory
    monkeypatch.setenv("TENSORFORGE_MALLOC_TUNING", "0")
    assert _memory.tune_malloc() is False


def test_variable_updates_are_copy_on_write():
    v = tf.Variable(np.ones(3, np.float32))
    snapshot = v.read_value()
    v.assign_add([1.0, 1.0, 1.0])  # a read is held: the update must not change it
    v.assign_sub([0.5, 0.5, 0.5])  # nothing holds the value now: updated in place
    np.testing.assert_allclose(snapshot.numpy(), [1, 1, 1])
    np.testing.assert_allclose(v.numpy(), [1.5, 1.5, 1.5])
    held = v.numpy()
    v.assign_add([1.0, 1.0, 1.0])
    np.testing.assert_allclose(held, [1.5, 1.5, 1.5])


def test_config_logical_devices_and_soft_placement():
    assert tf.config.list_logical_devices("CPU") == [tf.config.LogicalDevice("/device:CPU:0", "CPU")]
    assert tf.config.get_soft_device_placement()
    tf.config.set_soft_device_placement(False)
    assert not tf.config.get_soft_device_placement()
    tf.config.set_soft_device_placement(True)
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration(memory_limit=64)])
    assert tf.config.get_logical_device_configuration(cpu)[0].memory_limit == 64
    tf.config.set_logical_device_configuration(cpu, None)
    assert tf.config.experimental_functions_run_eagerly() is False


def test_type_spec_is_the_base_of_every_spec():
    for spec in (tf.TensorSpec([2]), tf.RaggedTensorSpec([None, None], tf.int32), tf.SparseTensorSpec([3], tf.float32),
                 tf.data.DatasetSpec(tf.TensorSpec([]))):
        assert isinstance(spec, tf.TypeSpec)
    assert tf.TensorSpec([2]).value_type is tf.Tensor and tf.SparseTensorSpec().value_type is tf.SparseTensor
