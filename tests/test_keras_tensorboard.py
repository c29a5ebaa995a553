"""tf.keras.callbacks.TensorBoard: what it writes, read back with the tensorboard package."""
import glob
import gzip
import json
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge.profiler import experimental as profiler

pytest.importorskip("tensorforge.summary")
ea = pytest.importorskip("tensorboard.backend.event_processing.plugin_event_accumulator")
tensor_util = pytest.importorskip("tensorboard.util.tensor_util")

keras = tf.keras
BATCHES = 4  # per epoch: 64 samples at batch 16


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 8)).astype("float32"), rng.integers(0, 3, n).astype("int32")


def _model():
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(3)])
    model.compile(keras.optimizers.Adam(0.01), keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def _run(logdir, name):
    acc = ea.EventAccumulator(os.path.join(str(logdir), name), size_guidance=ea.STORE_EVERYTHING_SIZE_GUIDANCE)
    acc.Reload()
    return acc


def _series(acc, tag):
    """[(step, value)] of a tag."""
    return [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)]


def _scalars(acc, tag):
    return [(step, float(v)) for step, v in _series(acc, tag)]


def _plugin(acc, tag):
    return acc.SummaryMetadata(tag).plugin_data.plugin_name


def test_epoch_metrics_on_train_and_validation_runs(tmp_path):
    x, y = _data()
    vx, vy = _data(32, seed=1)
    model = _model()
    history = model.fit(x, y, batch_size=16, epochs=2, validation_data=(vx, vy), verbose=0,
                        callbacks=[keras.callbacks.TensorBoard(str(tmp_path))])
    assert sorted(os.listdir(tmp_path)) == ["train", "validation"]
    train, val = _run(tmp_path, "train"), _run(tmp_path, "validation")
    train_tags = set(train.Tags()["tensors"])
    # "__run_graph__" is the train step's graph (TensorBoard files graph events under that tag).
    assert {"epoch_loss", "epoch_accuracy", "epoch_learning_rate", "keras", "__run_graph__"} == train_tags
    # fit's validation runs the on_test_* hooks, where Keras also writes evaluation_*_vs_iterations
    assert set(val.Tags()["tensors"]) == {"epoch_loss", "epoch_accuracy", "evaluation_loss_vs_iterations",
                                          "evaluation_accuracy_vs_iterations"}
    for tag in ("epoch_loss", "epoch_accuracy", "epoch_learning_rate"):
        assert _plugin(train, tag) == "scalars"
    for key in ("loss", "accuracy"):
        got = _scalars(train, "epoch_" + key)
        assert [s for s, _ in got] == [0, 1]
        np.testing.assert_allclose([v for _, v in got], history.history[key], rtol=1e-6)
        got = _scalars(val, "epoch_" + key)
        assert [s for s, _ in got] == [0, 1]
        np.testing.assert_allclose([v for _, v in got], history.history["val_" + key], rtol=1e-6)
    np.testing.assert_allclose([v for _, v in _scalars(train, "epoch_learning_rate")], [0.01, 0.01], rtol=1e-6)
    # write_graph: the model's Keras config, for TensorBoard's graph tab.
    assert _plugin(train, "keras") == "graph_keras_model"
    (step, blob), = _series(train, "keras")
    config = json.loads(blob.reshape(-1)[0])
    assert step == 0 and config["class_name"] == "Sequential"
    assert [layer["class_name"] for layer in config["config"]["layers"]][-2:] == ["Dense", "Dense"]
    graph = train.Graph()  # the traced train step: forward, gradient and optimizer nodes
    assert {"MatMul", "Relu", "ReluGrad"} <= {n.op for n in graph.node}


@pytest.mark.parametrize("update_freq, steps", [("batch", list(range(1, 2 * BATCHES + 1))),
                                                (2, list(range(2, 2 * BATCHES + 1, 2)))])
def test_batch_level_metrics(tmp_path, update_freq, steps):
    x, y = _data()
    model = _model()
    losses = []
    record = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: losses.append(logs["loss"]))
    model.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False,
              callbacks=[keras.callbacks.TensorBoard(str(tmp_path), update_freq=update_freq,
                                                     write_steps_per_second=True), record])
    train = _run(tmp_path, "train")
    got = _scalars(train, "batch_loss")
    assert [s for s, _ in got] == steps
    np.testing.assert_allclose([v for _, v in got], [losses[s - 1] for s in steps], rtol=1e-6)
    assert [s for s, _ in _scalars(train, "batch_accuracy")] == steps
    assert all(v > 0 for _, v in _scalars(train, "batch_steps_per_second"))
    assert [s for s, _ in _scalars(train, "epoch_loss")] == [0, 1]
    assert all(v > 0 for _, v in _scalars(train, "epoch_steps_per_second"))


def test_epoch_mode_writes_no_batch_metrics(tmp_path):
    x, y = _data()
    _model().fit(x, y, batch_size=16, epochs=1, verbose=0,
                 callbacks=[keras.callbacks.TensorBoard(str(tmp_path), write_steps_per_second=True,
                                                        write_graph=False)])
    tags = set(_run(tmp_path, "train").Tags()["tensors"])
    assert tags == {"epoch_loss", "epoch_accuracy", "epoch_learning_rate", "epoch_steps_per_second"}


def test_weight_histograms_and_images(tmp_path):
    x, y = _data()
    model = _model()
    model.fit(x, y, batch_size=16, epochs=3, verbose=0,
              callbacks=[keras.callbacks.TensorBoard(str(tmp_path), histogram_freq=2, write_images=True)])
    train = _run(tmp_path, "train")
    tags = set(train.Tags()["tensors"])
    for weight in model.weights:
        name = weight.path.replace(":", "_")
        hist = _series(train, name + "/histogram")
        assert [s for s, _ in hist] == [0, 2]  # every histogram_freq epochs
        assert _plugin(train, name + "/histogram") == "histograms"
        buckets = hist[-1][1]
        assert buckets.ndim == 2 and buckets.shape[1] == 3
        assert buckets[:, 2].sum() == np.prod(weight.shape)  # every element counted once
        assert buckets[:, 0].min() <= np.asarray(weight).min() and buckets[:, 1].max() >= np.asarray(weight).max()
        assert name + "/image" in tags and _plugin(train, name + "/image") == "images"
    kernel = model.layers[0].weights[0]
    (_, img), _ = _series(train, kernel.path + "/image")
    width, height = int(img[0]), int(img[1])
    assert (height, width) == (4, 8)  # the (8, 4) kernel is shown transposed, as Keras does


def test_evaluation_vs_iterations_on_test_end(tmp_path):
    x, y = _data()
    model = _model()
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    cb = keras.callbacks.TensorBoard(str(tmp_path))
    cb.set_model(model)
    # The hooks fit's validation and evaluate() call around an evaluation.
    cb.on_test_begin()
    cb.on_test_batch_begin(0)
    cb.on_test_batch_end(0)
    cb.on_test_end({"loss": 0.5, "accuracy": 0.25})
    cb.on_train_end()
    val = _run(tmp_path, "validation")
    assert _scalars(val, "evaluation_loss_vs_iterations") == [(BATCHES, 0.5)]  # step: optimizer.iterations
    assert _scalars(val, "evaluation_accuracy_vs_iterations") == [(BATCHES, 0.25)]


def test_profile_batch_range(tmp_path):
    x, y = _data()
    model = _model()
    cb = keras.callbacks.TensorBoard(str(tmp_path), profile_batch=(2, 3))
    model.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=[cb])
    found = glob.glob(os.path.join(str(tmp_path), "train", "plugins", "profile", "*", "*.trace.json.gz"))
    assert len(found) == 1
    with gzip.open(found[0]) as f:
        events = json.load(f)["traceEvents"]
    batches = [e for e in events if e["name"] == "Profiled batch"]
    assert [e["args"]["step_num"] for e in batches] == [1, 2]  # global batches 2 and 3
    steps = [e for e in events if e.get("cat") == "function"]
    assert len(steps) == 2
    for b, s in zip(batches, steps):
        assert b["ts"] <= s["ts"] and s["ts"] + s["dur"] <= b["ts"] + b["dur"] + 1e-3
    assert "MatMul" in {e.get("args", {}).get("op_type") for e in events if e.get("cat") == "graph_node"}
    assert "MatMul" in profiler.summary(found[0])


def test_profile_batch_single_and_invalid(tmp_path):
    x, y = _data()
    _model().fit(x, y, batch_size=16, epochs=1, verbose=0,
                 callbacks=[keras.callbacks.TensorBoard(str(tmp_path), profile_batch=3)])
    found = glob.glob(os.path.join(str(tmp_path), "train", "plugins", "profile", "*", "*.trace.json.gz"))
    with gzip.open(found[0]) as f:
        events = json.load(f)["traceEvents"]
    assert [e["args"]["step_num"] for e in events if e["name"] == "Profiled batch"] == [2]
    for bad in (-1, (3, 2), (1, 2, 3), "4"):
        with pytest.raises(ValueError, match="profile_batch must be a non-negative integer"):
            keras.callbacks.TensorBoard(str(tmp_path), profile_batch=bad)
    assert keras.callbacks.TensorBoard(str(tmp_path), profile_batch="2,4")._stop_batch == 4


def test_embeddings_projector_config(tmp_path):
    model = keras.Sequential([keras.Input((3,), dtype="int32"), keras.layers.Embedding(10, 4, name="emb"),
                              keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.random.default_rng(0).integers(0, 10, (16, 3)).astype("int32")
    model.fit(x, np.zeros((16, 1), "float32"), epochs=1, verbose=0,
              callbacks=[keras.callbacks.TensorBoard(str(tmp_path), embeddings_freq=1,
                                                     embeddings_metadata={"emb": "meta.tsv"})])
    with open(tmp_path / "projector_config.pbtxt") as f:
        text = f.read()
    assert 'tensor_name: "layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE"' in text
    assert 'metadata_path: "meta.tsv"' in text
    assert os.path.exists(tmp_path / "train" / "keras_embedding.ckpt-0.weights.h5")
    with pytest.raises(ValueError, match="Unrecognized `Embedding` layer names"):
        cb = keras.callbacks.TensorBoard(str(tmp_path), embeddings_freq=1, embeddings_metadata={"nope": "m.tsv"})
        cb.set_model(model)
