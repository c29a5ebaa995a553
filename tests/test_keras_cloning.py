"""tf.keras.models.clone_model, model_from_json and Model.to_json."""
import json

import numpy as np
import pytest

import tensorforge as tf

keras = tf.keras


def _functional():
    x = keras.Input((3,), name="inp")
    h = keras.layers.Dense(5, activation="relu", name="h")(x)
    y = keras.layers.Dense(1, name="o")(keras.layers.Concatenate(name="cat")([h, x]))
    return keras.Model(x, y)


def test_to_json_round_trip_gives_same_architecture_new_weights():
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)])
    config = json.loads(m.to_json())
    assert config["class_name"] == "Sequential" and "build_config" in config
    again = keras.models.model_from_json(m.to_json())
    assert [type(l).__name__ for l in again.layers] == ["Dense", "Dense"]
    assert [w.shape for w in again.weights] == [w.shape for w in m.weights]
    f = keras.models.model_from_json(_functional().to_json())
    assert f(np.ones((2, 3), np.float32)).shape == (2, 1)


def test_clone_model_makes_new_layers_and_weights():
    m = _functional()
    c = keras.models.clone_model(m)
    assert [l.name for l in c.layers] == [l.name for l in m.layers]
    assert all(a is not b for a, b in zip(c.layers, m.layers))
    assert not np.allclose(c.get_layer("h").kernel.numpy(), m.get_layer("h").kernel.numpy())
    c.set_weights(m.get_weights())
    x = np.random.RandomState(0).rand(4, 3).astype("float32")
    np.testing.assert_allclose(c.predict(x, verbose=0), m.predict(x, verbose=0), rtol=1e-6)


def test_clone_model_hooks():
    m = _functional()
    renamed = keras.models.clone_model(
        m, clone_function=lambda l: l.__class__.from_config({**l.get_config(), "name": l.name + "_c"}))
    assert [l.name for l in renamed.layers] == ["inp", "h_c", "cat_c", "o_c"]
    called = []

    def call(layer, *args, **kwargs):
        called.append(layer.name)
        return layer(*args, **kwargs)

    keras.models.clone_model(m, call_function=call)
    assert called == ["h", "cat", "o"]
    new_input = keras.Input((3,), name="new")
    assert keras.models.clone_model(m, input_tensors=[new_input]).inputs[0] is new_input
    seq = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    assert keras.models.clone_model(seq, input_tensors=keras.Input((3,)))(np.ones((1, 3), np.float32)).shape == (1, 2)
    with pytest.raises(ValueError, match="Expected `model` argument to be a `Model` instance"):
        keras.models.clone_model(keras.layers.Dense(2))
