"""tf.keras saving: Keras 3 `.keras` archives and `.weights.h5` files (fixtures made by real Keras 3)."""
import json
import os
import pathlib
import zipfile

import h5py
import numpy as np
import pytest

import tensorforge as tf

FIXTURES = pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
keras = tf.keras


def _fixture(name):
    path = FIXTURES / (name + ".keras")
    if not path.exists():
        pytest.skip("fixture %s is missing" % path)
    return path, np.load(FIXTURES / (name + ".io.npz"))


@pytest.mark.parametrize("name", ["seed_mlp", "seed_functional", "small_cnn", "lstm_gru"])
def test_real_keras_fixture_predicts_its_outputs(name):
    path, io = _fixture(name)
    model = keras.models.load_model(path)
    np.testing.assert_allclose(np.asarray(model(io["x"])), io["y"], rtol=1e-5, atol=1e-6)


def test_compiled_fixture_restores_compile_state_and_optimizer():
    path, io = _fixture("seed_mlp")
    model = keras.saving.load_model(path)
    with zipfile.ZipFile(path) as zf, h5py.File(__import__("io").BytesIO(zf.read("model.weights.h5")), "r") as h5:
        saved = [np.asarray(h5["optimizer/vars/%d" % i]) for i in range(len(h5["optimizer/vars"]))]
    assert type(model.optimizer).__name__ == "Adam"
    assert len(model.optimizer.variables) == len(saved)
    for v, s in zip(model.optimizer.variables, saved):
        np.testing.assert_array_equal(v.numpy(), s)
    np.testing.assert_allclose(model.predict(io["x"], verbose=0), io["y"], rtol=1e-5, atol=1e-6)
    model.evaluate(io["x"], np.argmax(io["y"], -1), verbose=0)
    assert not hasattr(keras.saving.load_model(path, compile=False), "optimizer") or \
        not keras.saving.load_model(path, compile=False)._compiled


def test_functional_fixture_rebuilds_graph():
    path, _ = _fixture("seed_functional")
    model = keras.models.load_model(path, compile=False)
    config = json.loads(zipfile.ZipFile(path).read("config.json"))
    names = [l["name"] for l in config["config"]["layers"]]
    assert sorted(l.name for l in model.layers) == sorted(names)


def _roundtrip(model, tmp_path, x, **load_kwargs):
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        assert set(zf.namelist()) == {"config.json", "metadata.json", "model.weights.h5"}
        meta = json.loads(zf.read("metadata.json"))
        assert meta["keras_version"].startswith("3.") and "@" in meta["date_saved"]
    loaded = keras.models.load_model(path, **load_kwargs)
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), rtol=1e-6, atol=1e-6)
    return loaded, path


def test_sequential_roundtrip_keeps_predictions_and_layout(tmp_path):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu", name="d1"),
                              keras.layers.Dense(3, name="d2")])
    x = np.random.RandomState(0).rand(5, 4).astype("float32")
    loaded, path = _roundtrip(model, tmp_path, x)
    assert [l.name for l in loaded.layers if l.weights] == ["d1", "d2"]
    with zipfile.ZipFile(path) as zf, h5py.File(__import__("io").BytesIO(zf.read("model.weights.h5")), "r") as h5:
        np.testing.assert_array_equal(h5["layers/dense/vars/0"], model.get_layer("d1").kernel.numpy())
        np.testing.assert_array_equal(h5["layers/dense_1/vars/1"], model.get_layer("d2").bias.numpy())
        assert h5["layers/dense/vars"].attrs["name"] == "d1"
        config = json.loads(zf.read("config.json"))
    assert config["class_name"] == "Sequential"
    assert [l["class_name"] for l in config["config"]["layers"]] == ["InputLayer", "Dense", "Dense"]


def test_functional_roundtrip_with_branches_and_compile(tmp_path):
    inp = keras.Input((5,))
    a = keras.layers.Dense(4, activation="relu")(inp)
    b = keras.layers.Dense(4)(inp)
    out = keras.layers.Dense(2)(keras.layers.Concatenate()([a, b]))
    model = keras.Model(inp, out)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    x = np.random.RandomState(1).rand(6, 5).astype("float32")
    model.fit(x, np.ones((6, 2), "float32"), verbose=0)
    loaded, path = _roundtrip(model, tmp_path, x)
    layer_cfgs = json.loads(zipfile.ZipFile(path).read("config.json"))["config"]["layers"]
    concat = [c for c in layer_cfgs if c["class_name"] == "Concatenate"][0]
    hist = [t["config"]["keras_history"] for t in concat["inbound_nodes"][0]["args"][0]]
    assert hist == [[a_layer.name, 0, 0] for a_layer in (model.get_layer(index=i) for i in range(len(model.layers)))
                    if a_layer.name in (h[0] for h in hist)] and len(hist) == 2
    assert all(name.startswith("dense") for name, _, _ in hist)
    assert type(loaded.optimizer).__name__ == "Adam"
    for v, w in zip(loaded.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(v.numpy(), w.numpy())
    assert int(loaded.optimizer.iterations.numpy()) == 1


@keras.saving.register_keras_serializable(package="SavingTest")
class TwoDense(keras.Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = keras.layers.Dense(units, activation="tanh")
        self.head = keras.layers.Dense(1)

    def call(self, inputs):
        return self.head(self.hidden(inputs))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_registered_subclassed_model_roundtrip(tmp_path):
    model = TwoDense(units=4)
    x = np.random.RandomState(2).rand(3, 6).astype("float32")
    model(x)
    loaded, path = _roundtrip(model, tmp_path, x)
    assert isinstance(loaded, TwoDense) and loaded.units == 4
    config = json.loads(zipfile.ZipFile(path).read("config.json"))
    assert config["registered_name"] == "SavingTest>TwoDense"


def test_custom_objects_resolve_unregistered_class(tmp_path):
    class Scale(keras.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    model = keras.Sequential([keras.Input((2,)), Scale(3.0)])
    path = tmp_path / "c.keras"
    model.save(path)
    with pytest.raises(TypeError, match="Scale"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(path, custom_objects={"Scale": Scale})
    np.testing.assert_allclose(np.asarray(loaded(np.ones((1, 2), "float32"))), [[3.0, 3.0]])


def test_safe_mode_refuses_lambda(tmp_path):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Lambda(lambda t: t * 2.0 + 1.0)])
    path = tmp_path / "lam.keras"
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(np.asarray(loaded(np.ones((1, 2), "float32"))), [[3.0, 3.0]])


def test_failed_save_leaves_no_partial_file(tmp_path, monkeypatch):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    path = tmp_path / "m.keras"
    model.save(path)
    before = path.read_bytes()

    def boom(self, name, data, *a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(zipfile.ZipFile, "writestr", boom)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    with pytest.raises(OSError, match="disk full"):
        model.save(tmp_path / "new.keras")
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["m.keras"]


def test_save_and_load_weights(tmp_path):
    def make():
        return keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.BatchNormalization(),
                                 keras.layers.Dense(2)])
    a, b = make(), make()
    x = np.random.RandomState(3).rand(4, 3).astype("float32")
    [bn] = [l for l in a.layers if isinstance(l, keras.layers.BatchNormalization)]
    bn.moving_mean.assign(np.full((4,), 0.5, "float32"))
    path = tmp_path / "w.weights.h5"
    a.save_weights(path)
    b.load_weights(path)
    np.testing.assert_allclose(np.asarray(b(x)), np.asarray(a(x)), rtol=1e-6)
    with h5py.File(path, "r") as h5:
        assert h5["layers/batch_normalization/vars/2"].shape == (4,)
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        a.save_weights(tmp_path / "w.h5")
    with pytest.raises(ValueError, match="must match"):
        keras.Sequential([keras.Input((3,)), keras.layers.Dense(5)]).load_weights(path)
    with pytest.raises(ValueError, match="expected 2 variables, but received 0"):
        keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(2),
                          keras.layers.Dense(2)]).load_weights(path)


def test_load_model_rejects_non_keras_files(tmp_path):
    bad = tmp_path / "x.keras"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="File format not supported"):
        keras.models.load_model(bad)


def test_saving_without_h5py_says_how_to_get_it(tmp_path, monkeypatch):
    import sys
    model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(1)])
    monkeypatch.setitem(sys.modules, "h5py", None)  # as if h5py were not installed
    with pytest.raises(ImportError, match=r"tensorforge\[h5\]"):
        model.save(str(tmp_path / "m.keras"))
