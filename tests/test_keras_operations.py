"""Operators on Keras functional tensors become Keras operation nodes (Keras 3's GetItem, Add, ...):
the model replays them, configs name them as Keras does, and TF functions on Keras tensors raise
Keras's ValueError."""
import json
import os

import numpy as np
import pytest

import tensorforge as tf

keras = tf.keras
XV = np.array([[0.5, 2.0, -1.0], [1.5, 0.25, 3.0]], np.float32)

EXPRESSIONS = {
    "add": (lambda x: x + 1.0, lambda v: v + 1.0, ["Add"]),
    "radd": (lambda x: 1.0 + x, lambda v: 1.0 + v, ["Add"]),
    "rsub": (lambda x: 1.0 - x, lambda v: 1.0 - v, ["Subtract"]),
    "rdiv": (lambda x: 2.0 / x, lambda v: 2.0 / v, ["TrueDivide"]),
    "pow": (lambda x: x ** 2, lambda v: v ** 2, ["Power"]),
    "neg_abs": (lambda x: abs(-x), lambda v: np.abs(-v), ["Negative", "Absolute"]),
    "matmul": (lambda x: x @ tf.ones((3, 2)), lambda v: v @ np.ones((3, 2), np.float32), ["Matmul"]),
    "slice": (lambda x: x[:, 1:], lambda v: v[:, 1:], ["GetItem"]),
    "index": (lambda x: x[..., 1], lambda v: v[..., 1], ["GetItem"]),
    "logic": (lambda x: ~((x > 0) & (x < 1)), lambda v: ~((v > 0) & (v < 1)),
              ["Greater", "Less", "LogicalAnd", "LogicalNot"]),
}


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_operators_become_operation_nodes(name):
    build, reference, classes = EXPRESSIONS[name]
    x = keras.Input((3,))
    model = keras.Model(x, build(x))
    assert [type(l).__name__ for l in model.layers] == ["InputLayer"]  # operations are not layers
    np.testing.assert_allclose(np.asarray(model(XV)), reference(XV), rtol=1e-6)
    config = json.loads(json.dumps(model.get_config()))
    entries = config["layers"][1:]
    assert [e["class_name"] for e in entries] == classes
    assert all(e["module"] == "keras.src.ops.numpy" and e["registered_name"] == e["class_name"] for e in entries)
    again = keras.Model.from_config(config)
    np.testing.assert_array_equal(np.asarray(again(XV)), np.asarray(model(XV)))
    assert [e["config"]["name"] for e in json.loads(json.dumps(again.get_config()))["layers"][1:]] == \
        [e["config"]["name"] for e in entries]


def test_operations_between_layers_train_and_save(tmp_path):
    pytest.importorskip("h5py")
    x = keras.Input((3,))
    y = keras.layers.Dense(2, name="d")(x[:, :2] + 1.0) * 2.0
    model = keras.Model(x, y)
    model.compile("sgd", "mse")
    model.fit(XV, np.zeros((2, 2), np.float32), epochs=2, verbose=0)
    kernel, bias = model.get_layer("d").get_weights()
    np.testing.assert_allclose(np.asarray(model(XV)), ((XV[:, :2] + 1.0) @ kernel + bias) * 2.0, rtol=1e-5)
    path = os.path.join(tmp_path, "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(np.asarray(loaded(XV)), np.asarray(model(XV)), rtol=1e-6)


def test_tf_functions_on_keras_tensors_raise_keras_error():
    x = keras.Input((3,))
    with pytest.raises(ValueError, match="A KerasTensor cannot be used as input to a TensorFlow function"):
        tf.concat([x, x], axis=1)
    with pytest.raises(ValueError, match="wrap `tf_fn` in a layer"):
        tf.reduce_sum(x)


def test_operators_inside_layer_calls_stay_inside_the_layer():
    class Shift(keras.layers.Layer):
        def call(self, x):
            return x[:, :2] * 3.0 + 1.0

    x = keras.Input((3,))
    model = keras.Model(x, Shift()(x))
    assert [e["class_name"] for e in model.get_config()["layers"]] == ["InputLayer", "Shift"]
    np.testing.assert_allclose(np.asarray(model(XV)), XV[:, :2] * 3.0 + 1.0)


def test_keras_ops_functions_become_operation_nodes():
    x, y = keras.Input((3,)), keras.Input((2,))
    z = keras.ops.expand_dims(keras.ops.sum(keras.ops.concatenate([x, y], axis=1), axis=-1), 1)
    model = keras.Model([x, y], keras.ops.relu(z))
    entries = model.get_config()["layers"][2:]
    assert [(e["class_name"], e["module"]) for e in entries] == [
        ("Concatenate", "keras.src.ops.numpy"), ("Sum", "keras.src.ops.numpy"),
        ("ExpandDims", "keras.src.ops.numpy"), ("Relu", "keras.src.ops.nn")]
    assert entries[0]["config"] == {"name": "concatenate", "axis": 1}  # non-tensor arguments: the op's config
    xv, yv = XV, np.array([[1.0, -2.0], [0.5, 0.5]], np.float32)
    want = np.maximum(np.concatenate([xv, yv], 1).sum(-1, keepdims=True), 0)
    np.testing.assert_allclose(np.asarray(model([xv, yv])), want, rtol=1e-6)
    again = keras.Model.from_config(json.loads(json.dumps(model.get_config())))
    np.testing.assert_allclose(np.asarray(again([xv, yv])), want, rtol=1e-6)
    # Eagerly (and inside layers) the same functions just compute.
    assert float(keras.ops.sum(keras.ops.concatenate([tf.ones(2), tf.ones(1)], axis=0))) == 3.0
