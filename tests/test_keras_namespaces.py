"""tf.keras.config / backend / random / utils / preprocessing namespaces."""
import os

import numpy as np
import pytest

import tensorforge as tf

k = tf.keras


def test_config_floatx_routes_layer_and_input_dtype():
    assert k.config.floatx() == "float32" and k.backend.epsilon() == 1e-7
    k.config.set_floatx("float64")
    try:
        d = k.layers.Dense(2)
        d.build((None, 3))
        assert d.kernel.dtype.name == "float64" and k.Input((3,)).dtype.name == "float64"
    finally:
        k.config.set_floatx("float32")
    with pytest.raises(ValueError):
        k.config.set_floatx("int32")
    with pytest.raises(ValueError):
        k.config.set_image_data_format("nhwc")
    assert k.config.backend() == "tensorflow"


def test_clear_session_and_uid():
    k.backend.clear_session()
    assert k.backend.get_uid("x") == 1 and k.backend.get_uid("x") == 2
    names = [k.layers.Dense(1).name for _ in range(2)]
    assert names == ["dense", "dense_1"]
    k.backend.clear_session()
    assert k.layers.Dense(1).name == "dense" and k.backend.get_uid("x") == 1


def test_backend_dtype_helpers():
    assert k.backend.standardize_dtype(float) == "float32" and k.backend.standardize_dtype(np.int16) == "int16"
    with pytest.raises(ValueError):
        k.backend.standardize_dtype("float")
    assert k.backend.is_float_dtype("bfloat16") and not k.backend.is_int_dtype("bool")
    assert k.backend.is_keras_tensor(k.Input((2,))) and not k.backend.is_keras_tensor(np.zeros(2))


def test_seed_generator_advances_eager_and_in_function():
    g = k.random.SeedGenerator(7)
    a, b = k.random.normal((4,), seed=g).numpy(), k.random.normal((4,), seed=g).numpy()
    assert not np.allclose(a, b) and list(g.state.numpy()) == [7, 2]
    f = tf.function(lambda: k.random.uniform((3,), seed=g))
    x, y = f().numpy(), f().numpy()
    assert not np.allclose(x, y) and list(g.state.numpy()) == [7, 4]
    np.testing.assert_array_equal(k.random.normal((3,), seed=5).numpy(), k.random.normal((3,), seed=5).numpy())


def test_random_distributions():
    u = k.random.uniform((2000,), 2.0, 3.0, seed=1).numpy()
    assert u.min() >= 2 and u.max() < 3 and abs(u.mean() - 2.5) < 0.05
    r = k.random.randint((1000,), 0, 5, seed=1).numpy()
    assert r.dtype == np.int32 and set(r) == set(range(5))
    t = k.random.truncated_normal((2000,), seed=2).numpy()
    assert np.abs(t).max() <= 2
    d = k.random.dropout(tf.ones((100, 10)), 0.5, seed=3).numpy()
    assert set(np.unique(d)) <= {0.0, 2.0}
    s = k.random.shuffle(tf.range(10), seed=4).numpy()
    assert sorted(s) == list(range(10))
    bt = k.random.beta((1000,), 2.0, 3.0, seed=5).numpy()
    assert abs(bt.mean() - 0.4) < 0.05
    bn = k.random.binomial((1000,), 10.0, 0.5, seed=6).numpy()
    assert abs(bn.mean() - 5) < 0.3
    c = k.random.categorical(tf.math.log([[0.0001, 0.9999]]), 20, seed=1).numpy()
    assert c.shape == (1, 20) and c.mean() > 0.9
    with pytest.raises(ValueError):
        k.random.uniform((2,), dtype="int32")


def test_array_utils():
    y = np.array([0, 2, 1])
    np.testing.assert_array_equal(k.utils.to_categorical(y), np.eye(3)[y])
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    np.testing.assert_allclose(k.utils.normalize(x), x / np.where(norm == 0, 1, norm))
    seqs = [[1, 2, 3], [4]]
    np.testing.assert_array_equal(k.preprocessing.sequence.pad_sequences(seqs, maxlen=2), [[2, 3], [0, 4]])
    np.testing.assert_array_equal(k.utils.pad_sequences(seqs, padding="post", truncating="post"),
                                  [[1, 2, 3], [4, 0, 0]])


def test_timeseries_and_split():
    data = np.arange(20)
    ds = k.utils.timeseries_dataset_from_array(data, data * 10, sequence_length=3, sampling_rate=2, batch_size=4)
    xs, ys = zip(*[(x.numpy(), y.numpy()) for x, y in ds])
    xs, ys = np.concatenate(xs), np.concatenate(ys)
    starts = np.arange(20 - 4)
    np.testing.assert_array_equal(xs, starts[:, None] + np.arange(3) * 2)
    np.testing.assert_array_equal(ys, starts * 10)
    left, right = k.utils.split_dataset(np.arange(10), left_size=0.8)
    assert [int(v) for v in left] == list(range(8)) and [int(v) for v in right] == [8, 9]


def test_progbar_and_interactive_logging(capsys):
    p = k.utils.Progbar(2, verbose=2)
    p.update(1, [("loss", 1.0)])
    p.update(2, [("loss", 3.0)])
    assert "2/2" in capsys.readouterr().out
    k.config.disable_interactive_logging()
    try:
        assert not k.utils.is_interactive_logging_enabled()
        k.utils.Progbar(1, verbose=2).update(1)
        assert capsys.readouterr().out == ""
    finally:
        k.config.enable_interactive_logging()


def test_image_utils_and_directory_datasets(tmp_path):
    pytest.importorskip("PIL")
    arr = np.random.RandomState(0).randint(0, 255, (6, 8, 3)).astype("float32")
    for cls in ("a", "b"):
        os.makedirs(tmp_path / cls)
        k.utils.save_img(str(tmp_path / cls / "x.png"), arr, scale=False)
        (tmp_path / cls / "t.txt").write_text("hello " + cls)
    back = k.utils.img_to_array(k.utils.load_img(str(tmp_path / "a" / "x.png")))
    np.testing.assert_array_equal(back, arr)
    ds = k.utils.image_dataset_from_directory(str(tmp_path), image_size=(6, 8), shuffle=False, batch_size=2)
    (imgs, labels), = list(ds)
    assert ds.class_names == ["a", "b"] and imgs.shape == (2, 6, 8, 3)
    np.testing.assert_array_equal(labels.numpy(), [0, 1])
    np.testing.assert_allclose(imgs.numpy()[0], arr, atol=1e-4)
    tds = k.preprocessing.text_dataset_from_directory(str(tmp_path), shuffle=False)
    (texts, tl), = list(tds)
    assert [t.decode() for t in texts.numpy()] == ["hello a", "hello b"]
    r = k.preprocessing.image.smart_resize(np.ones((10, 20, 3), "float32"), (5, 5))
    assert r.shape == (5, 5, 3)
