"""Keras models and the trainer: Sequential / Functional / subclassed, compile-fit-evaluate-predict,
callbacks."""
import csv

import numpy as np
import pytest

import tensorforge as tf

keras = tf.keras


def _data(n=64, d=8, k=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)).astype("float32")
    w = rng.standard_normal((d, k)).astype("float32")
    y = np.argmax(x @ w, axis=1).astype("int32")
    return x, y


def _mlp(d=8, k=3):
    return keras.Sequential([keras.Input(shape=(d,)), keras.layers.Dense(16, activation="relu"),
                             keras.layers.Dense(k, activation="softmax")])


def test_fit_evaluate_predict_learns():
    x, y = _data(256)
    model = _mlp()
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    hist = model.fit(x, y, batch_size=32, epochs=8, verbose=0)
    assert set(hist.history) == {"loss", "accuracy"} and len(hist.history["loss"]) == 8
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    loss, acc = model.evaluate(x, y, verbose=0)
    assert acc > 0.8 and loss == pytest.approx(model.evaluate(x, y, verbose=0, return_dict=True)["loss"])
    pred = model.predict(x[:10], verbose=0)
    assert isinstance(pred, np.ndarray) and pred.shape == (10, 3)
    np.testing.assert_allclose(pred.sum(axis=1), 1.0, rtol=1e-5)


def test_validation_split_and_data():
    x, y = _data(100)
    model = _mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    h = model.fit(x, y, epochs=2, validation_split=0.2, verbose=0)
    assert {"val_loss", "val_accuracy"} <= set(h.history)
    h = model.fit(x, y, epochs=1, validation_data=(x[:10], y[:10]), verbose=0)
    assert "val_loss" in h.history


def test_steps_per_execution_matches_single_steps():
    x, y = _data(64)
    weights = _mlp().get_weights()
    results = []
    for k in (1, 4):
        model = _mlp()
        model.set_weights(weights)
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                      steps_per_execution=k)
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        results.append(model.get_weights())
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_run_eagerly_matches_tf_function():
    x, y = _data(32)
    weights = _mlp().get_weights()
    out = []
    for eager in (True, False):
        model = _mlp()
        model.set_weights(weights)
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                      run_eagerly=eager)
        model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
        out.append(model.get_weights())
    for a, b in zip(*out):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_functional_multi_input_output_and_shared_layers():
    a = keras.Input(shape=(4,), name="a")
    b = keras.Input(shape=(4,), name="b")
    shared = keras.layers.Dense(3, name="shared")
    ha, hb = shared(a), shared(b)
    out1 = keras.layers.Dense(1, name="o1")(ha)
    out2 = keras.layers.Dense(2, name="o2")(hb)
    model = keras.Model(inputs=[a, b], outputs=[out1, out2])
    assert len(model.weights) == 6
    ya, yb = model([np.ones((5, 4), "float32"), np.zeros((5, 4), "float32")])
    assert ya.shape == [5, 1] and yb.shape == [5, 2]
    assert model.get_layer("shared") is shared


def test_subclassed_model_trains():
    class MLP(keras.Model):
        def __init__(self):
            super().__init__()
            self.d1 = keras.layers.Dense(16, activation="relu")
            self.d2 = keras.layers.Dense(3)

        def call(self, x, training=False):
            return self.d2(self.d1(x))

    x, y = _data(64)
    model = MLP()
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    h = model.fit(x, y, epochs=3, verbose=0)
    assert len(model.trainable_weights) == 4 and h.history["loss"][-1] < h.history["loss"][0]


def test_summary_like_keras(capsys):
    model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(16, name="dense_a"),
                              keras.layers.Dense(3, name="dense_b")], name="seq")
    model.summary()
    out = capsys.readouterr().out
    assert 'Model: "seq"' in out and "dense_a (Dense)" in out and "(None, 16)" in out
    assert "Total params: 195 (780.00 B)" in out and "Trainable params: 195" in out


def test_set_weights_checks_shapes():
    model = _mlp()
    w = model.get_weights()
    with pytest.raises(ValueError):
        model.set_weights(w[:-1])
    w[0] = np.zeros((3, 3), "float32")
    with pytest.raises(ValueError):
        model.set_weights(w)


def test_early_stopping_restores_best_weights():
    x, y = _data(64)
    model = _mlp()
    model.compile(optimizer=keras.optimizers.SGD(5.0), loss="sparse_categorical_crossentropy")
    snapshots = []
    record = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights()))
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True)
    h = model.fit(x, y, epochs=30, verbose=0, callbacks=[record, stop])
    assert stop.stopped_epoch > 0 and len(h.history["loss"]) == stop.stopped_epoch + 1
    best = int(np.argmin(h.history["loss"]))
    assert stop.best_epoch == best
    for a, b in zip(model.get_weights(), snapshots[best]):
        np.testing.assert_array_equal(a, b)


def test_learning_rate_scheduler_and_csv_logger(tmp_path):
    x, y = _data(32)
    model = _mlp()
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    path = tmp_path / "log.csv"
    sched = keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    model.fit(x, y, epochs=3, verbose=0, callbacks=[sched, keras.callbacks.CSVLogger(str(path))])
    assert float(np.asarray(model.optimizer.learning_rate)) == pytest.approx(0.1 / 3)
    rows = list(csv.DictReader(open(path)))
    assert [r["epoch"] for r in rows] == ["0", "1", "2"] and "loss" in rows[0]


def test_terminate_on_nan():
    x, y = _data(32)
    x[0, 0] = np.nan
    model = _mlp()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    h = model.fit(x, y, batch_size=8, epochs=5, verbose=0, shuffle=False,
                  callbacks=[keras.callbacks.TerminateOnNaN()])
    assert len(h.history["loss"]) == 1


def test_train_and_test_on_batch():
    x, y = _data(16)
    model = _mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    logs = model.train_on_batch(x, y, return_dict=True)
    assert set(logs) == {"loss", "accuracy"}
    assert len(model.test_on_batch(x, y)) == 2
    assert model.predict_on_batch(x).shape == (16, 3)


def test_nested_model_and_residual_graph():
    inner = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(4, activation="relu")], name="inner")
    x = keras.Input(shape=(4,))
    h = inner(x)
    out = keras.layers.Add()([x, h])  # residual
    model = keras.Model(x, keras.layers.Dense(2)(out))
    n_history = len(x.graph.keras_history)
    data = np.ones((3, 4), "float32")
    y1 = model(data)
    assert len(x.graph.keras_history) == n_history  # calling the model records nothing new
    expected = inner(data).numpy() + data
    dense = model.layers[-1]
    np.testing.assert_allclose(y1.numpy(), expected @ dense.kernel.numpy() + dense.bias.numpy(), rtol=1e-5)
    assert len(model.trainable_weights) == 4
    model.compile(optimizer="sgd", loss="mse")
    model.fit(data, np.zeros((3, 2), "float32"), verbose=0)


def test_training_default_comes_from_call_signature():
    class Noisy(keras.layers.Layer):
        def call(self, x, training=True):
            return x + 1.0 if training else x

    layer = Noisy()
    assert layer(tf.constant(1.0)).numpy() == 2.0
    assert layer(tf.constant(1.0), training=False).numpy() == 1.0


def test_model_checkpoint_best_only_and_reload(tmp_path):
    x, y = _data(64)
    model = _mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    path = str(tmp_path / "best_model.keras")
    ckpt = keras.callbacks.ModelCheckpoint(path, monitor="val_loss", save_best_only=True)
    h = model.fit(x, y, epochs=4, validation_split=0.25, verbose=0, callbacks=[ckpt])
    assert ckpt.best == pytest.approx(min(h.history["val_loss"]))
    best = keras.models.load_model(path)
    assert best.predict(x[:4], verbose=0).shape == (4, 3)
    weights = str(tmp_path / "w-{epoch:02d}.weights.h5")
    model.fit(x, y, epochs=2, verbose=0, callbacks=[keras.callbacks.ModelCheckpoint(weights, save_weights_only=True,
                                                                                     monitor="loss")])
    assert (tmp_path / "w-01.weights.h5").exists() and (tmp_path / "w-02.weights.h5").exists()
    with pytest.raises(ValueError):
        keras.callbacks.ModelCheckpoint(str(tmp_path / "x.h5"))


def test_backup_and_restore_resumes_an_interrupted_fit(tmp_path):
    x, y = _data(32)
    model = _mlp()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    backup = str(tmp_path / "backup")

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        model.fit(x, y, epochs=5, verbose=0, callbacks=[keras.callbacks.BackupAndRestore(backup), Interrupt()])
    h = model.fit(x, y, epochs=5, verbose=0, callbacks=[keras.callbacks.BackupAndRestore(backup)])
    assert len(h.history["loss"]) == 3  # epochs 2, 3, 4: it resumed after the last finished epoch
    assert not (tmp_path / "backup").exists()


def test_class_weight_scales_the_loss_like_sample_weights():
    x, y = _data(32)
    weights = _mlp().get_weights()
    results = []
    for kwargs in ({"class_weight": {0: 1.0, 1: 2.0, 2: 0.5}},
                   {"sample_weight": np.array([{0: 1.0, 1: 2.0, 2: 0.5}[int(c)] for c in y], "float32")}):
        model = _mlp()
        model.set_weights(weights)
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
        model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0, **kwargs)
        results.append(model.get_weights())
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_masks_flow_from_embedding_to_recurrent_layers():
    x = np.array([[1, 2, 0, 0], [3, 4, 5, 0]], "int32")
    emb = keras.layers.Embedding(6, 3, mask_zero=True)
    lstm = keras.layers.LSTM(2)
    e = emb(x)
    np.testing.assert_array_equal(keras.masking.get_keras_mask(e).numpy(), x != 0)
    masked = lstm(e).numpy()
    # Masked steps are skipped: the result equals running on the unpadded prefix.
    np.testing.assert_allclose(masked[0], lstm(e[:1, :2]).numpy()[0], rtol=1e-6)
    np.testing.assert_allclose(masked[1], lstm(e[1:, :3]).numpy()[0], rtol=1e-6)
    inp = keras.Input(shape=(4,), dtype="int32")
    model = keras.Model(inp, lstm(emb(inp)))
    np.testing.assert_allclose(model(x).numpy(), masked, rtol=1e-6)


def test_progress_bar_prints_like_keras(capsys):
    import re

    from tensorforge.keras.callbacks.callback import _fmt_duration, _fmt_per_step
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
    model.compile("adam", "mse", metrics=["mae"])
    model.fit(np.ones((100, 3), np.float32), np.ones((100, 2), np.float32), epochs=2, batch_size=10)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Epoch 1/2" and out[2] == "Epoch 2/2"
    assert re.fullmatch(r"10/10 ━{20} \d+s \d+(ms|us)/step - loss: \d\.\d{4} - mae: \d\.\d{4}", out[1]), out[1]
    assert _fmt_duration(5.2) == "5s" and _fmt_duration(65) == "1:05" and _fmt_duration(3723) == "1:02:03"
    assert _fmt_per_step(0.0031) == "3ms/step" and _fmt_per_step(0.00025) == "250us/step" and _fmt_per_step(2) == "2s/step"


def test_stateful_lstm_carries_states_between_batches():
    keras = tf.keras
    x = np.random.default_rng(0).standard_normal((4, 6, 3)).astype("float32")
    inp = keras.Input(batch_shape=(4, 3, 3))
    layer = keras.layers.LSTM(5, stateful=True)
    model = keras.Model(inp, layer(inp))
    first = model(x[:, :3])
    second = model(x[:, 3:])
    ref_layer = keras.layers.LSTM(5)
    ref_in = keras.Input(batch_shape=(4, 6, 3))
    ref = keras.Model(ref_in, ref_layer(ref_in))
    ref_layer.set_weights(layer.get_weights())
    np.testing.assert_allclose(second.numpy(), ref(x).numpy(), atol=1e-6)  # two halves == the whole sequence
    layer.reset_states()
    np.testing.assert_allclose(model(x[:, :3]).numpy(), first.numpy(), atol=1e-6)
    assert len(layer.weights) == 3
    with pytest.raises(ValueError, match="batch size must be static"):
        keras.layers.LSTM(5, stateful=True)(keras.Input((3, 3)))


def test_variable_paths_follow_keras_name_scopes():
    keras = tf.keras
    d = keras.layers.Dense(2, name="d")
    keras.Sequential([keras.Input((3,)), d], name="seq")
    assert [w.path for w in d.weights] == ["seq/d/kernel", "seq/d/bias"]
    lstm = keras.layers.LSTM(3, name="l")
    lstm(keras.Input((2, 4)))
    assert lstm.weights[0].path == "l/lstm_cell/kernel"
    bi = keras.layers.Bidirectional(keras.layers.GRU(2, name="g"), name="bi")
    keras.Sequential([keras.Input((3, 3)), bi], name="s2")
    assert bi.weights[0].path == "s2/bi/forward_g/gru_cell/kernel"
    assert bi.weights[3].path == "s2/bi/backward_g/gru_cell/kernel"


def test_logs_sorted_epoch_line_and_verbose_2(capsys):
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    hist = model.fit(np.ones((20, 3), np.float32), np.ones(20), epochs=1, batch_size=10, verbose=2)
    assert list(hist.history) == ["accuracy", "loss"]  # Keras sorts its logs
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and not out[0].startswith("Epoch")  # no "Epoch 1/1" for a single epoch
    import re
    assert re.fullmatch(r"2/2 - \d+s - \d+(ms|us)/step - accuracy: \S+ - loss: \d\.\d{4}", out[0]), out[0]
    model.evaluate(np.ones((20, 3), np.float32), np.ones(20), batch_size=10, verbose=1)
    assert re.fullmatch(r"2/2 ━{20} \d+s \d+(ms|us)/step - accuracy: \S+ - loss: \d\.\d{4}",
                        capsys.readouterr().out.strip())


def test_uncompiled_models_predict_and_refuse_fit_as_keras():
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
    assert model.predict(np.ones((2, 3), np.float32), verbose=0).shape == (2, 2)
    with pytest.raises(ValueError, match="You must call `compile\\(\\)`"):
        model.fit(np.ones((2, 3)), np.ones((2, 2)), verbose=0)
    with pytest.raises(ValueError, match="You must call `compile\\(\\)`"):
        model.evaluate(np.ones((2, 3)), np.ones((2, 2)), verbose=0)
