"""tf.keras.losses and tf.keras.metrics against NumPy references computed here."""
import warnings

import numpy as np
import pytest

import tensorforge as tf
from tensorforge.keras import _registry
from tensorforge.keras.losses import to_snake_case

EPS = 1e-7
rng = np.random.default_rng(1234)


def normal(*shape):
    return rng.standard_normal(shape).astype("float32")


def prob(*shape):
    return rng.uniform(0.02, 0.98, shape).astype("float32")


def labels(n_classes, *shape):
    return rng.integers(0, n_classes, shape).astype("int32")


def close(a, b, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


def np_log_softmax(z, axis=-1):
    z = z - z.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


# ---------------------------------------------------------------- loss functions (per-sample values)

YT, YP = normal(6, 3), normal(6, 3)
POS1, POS2 = rng.uniform(0.1, 3, (6, 3)).astype("float32"), rng.uniform(0.1, 3, (6, 3)).astype("float32")
P63 = prob(6, 3)
L6 = labels(3, 6)
OH = np.eye(3, dtype="float32")[L6]
B84, P84 = labels(2, 8, 4).astype("float32"), prob(8, 4)


def _huber(d):
    def fn(t, p):
        e = np.abs(p - t)
        return np.where(e <= d, 0.5 * e ** 2, d * e - 0.5 * d ** 2).mean(-1)
    return fn


def _unit(x, axis=-1):
    return x / np.sqrt((x ** 2).sum(axis, keepdims=True))


LOSS_REFS = {
    "mean_squared_error": (YT, YP, lambda t, p: ((t - p) ** 2).mean(-1)),
    "mean_absolute_error": (YT, YP, lambda t, p: np.abs(t - p).mean(-1)),
    "mean_absolute_percentage_error": (YT, YP, lambda t, p: 100 * np.abs((t - p) / np.maximum(np.abs(t), EPS)).mean(-1)),
    "mean_squared_logarithmic_error": (POS1, POS2, lambda t, p: ((np.log(p + 1) - np.log(t + 1)) ** 2).mean(-1)),
    "log_cosh": (YT, YP, lambda t, p: np.log(np.cosh(p - t)).mean(-1)),
    "huber": (YT, YP, _huber(1.0)),
    "hinge": (B84, P84 * 2 - 1, lambda t, p: np.maximum(1 - (2 * t - 1) * p, 0).mean(-1)),
    "squared_hinge": (B84, P84 * 2 - 1, lambda t, p: (np.maximum(1 - (2 * t - 1) * p, 0) ** 2).mean(-1)),
    "categorical_hinge": (OH, YP, lambda t, p: np.maximum((p * (1 - t)).max(-1) - (t * p).sum(-1) + 1, 0)),
    "kl_divergence": (P63, P63[::-1], lambda t, p: (t * np.log(t / p)).sum(-1)),
    "poisson": (POS1, POS2, lambda t, p: (p - t * np.log(p + EPS)).mean(-1)),
    "cosine_similarity": (YT, YP, lambda t, p: -(_unit(t) * _unit(p)).sum(-1)),
    "binary_crossentropy": (B84, P84, lambda t, p: -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean(-1)),
    "categorical_crossentropy": (OH, P63, lambda t, p: -(t * np.log(p / p.sum(-1, keepdims=True))).sum(-1)),
    "sparse_categorical_crossentropy": (L6, P63, lambda t, p: -np_log_softmax(np.log(p))[np.arange(6), t.astype(int)]),
}


@pytest.mark.parametrize("name", sorted(LOSS_REFS))
def test_loss_functions_match_numpy(name):
    y_true, y_pred, ref = LOSS_REFS[name]
    fn = getattr(tf.keras.losses, name)
    out = fn(y_true, y_pred)
    assert out.dtype == tf.float32
    close(out, ref(y_true.astype("float64"), y_pred.astype("float64")), rtol=2e-5, atol=2e-6)


def test_hinge_keeps_non_binary_labels():
    t = np.sign(YT)
    close(tf.keras.losses.hinge(t, YP), np.maximum(1 - t * YP, 0).mean(-1))


def test_huber_delta_and_log_cosh_stability():
    close(tf.keras.losses.huber(YT, YP, delta=0.3), _huber(0.3)(YT, YP))
    big = np.array([[100.0, -100.0]], "float32")
    close(tf.keras.losses.log_cosh(np.zeros_like(big), big), [100.0 - np.log(2.0)], rtol=1e-6)


def test_crossentropy_from_logits_and_label_smoothing():
    z = normal(6, 3)
    close(tf.keras.losses.sparse_categorical_crossentropy(L6, z, from_logits=True),
          -np_log_softmax(z)[np.arange(6), L6])
    smooth = OH * 0.8 + 0.2 / 3
    close(tf.keras.losses.categorical_crossentropy(OH, z, from_logits=True, label_smoothing=0.2),
          -(smooth * np_log_softmax(z)).sum(-1))
    zb = normal(8, 4)
    tb = B84 * 0.9 + 0.05
    sig = 1 / (1 + np.exp(-zb.astype("float64")))
    close(tf.keras.losses.binary_crossentropy(B84, zb, from_logits=True, label_smoothing=0.1),
          -(tb * np.log(sig) + (1 - tb) * np.log(1 - sig)).mean(-1))


def test_probabilities_are_clipped_at_epsilon():
    y = np.array([[1.0, 0.0]], "float32")
    p = np.array([[0.0, 1.0]], "float32")
    lo, hi = np.float32(EPS), np.float32(1) - np.float32(EPS)
    out = tf.keras.losses.binary_crossentropy(y, p)
    close(out, [-(np.log(lo) + np.log(np.float32(1) - hi)) / 2], rtol=1e-4)
    out = tf.keras.losses.categorical_crossentropy(y, p)
    close(out, [-np.log(lo)], rtol=1e-4)


def test_focal_crossentropies():
    p, t = P84.astype("float64"), B84.astype("float64")
    bce = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    p_t = t * p + (1 - t) * (1 - p)
    close(tf.keras.losses.binary_focal_crossentropy(B84, P84, gamma=2.0), ((1 - p_t) ** 2 * bce).mean(-1))
    balanced = (t * 0.3 + (1 - t) * 0.7) * (1 - p_t) ** 1.5 * bce
    close(tf.keras.losses.binary_focal_crossentropy(B84, P84, apply_class_balancing=True, alpha=0.3, gamma=1.5),
          balanced.mean(-1))
    q = P63 / P63.sum(-1, keepdims=True)
    close(tf.keras.losses.categorical_focal_crossentropy(OH, P63), (0.25 * (1 - q) ** 2 * -OH * np.log(q)).sum(-1))


def test_dice_and_tversky():
    inter = (B84 * P84).sum()
    close(tf.keras.losses.dice(B84, P84), 1 - 2 * inter / (B84.sum() + P84.sum() + EPS))
    fp, fn = ((1 - P84) * B84).sum(1), (P84 * (1 - B84)).sum(1)
    i1 = (B84 * P84).sum(1)
    close(tf.keras.losses.tversky(B84, P84, alpha=0.3, beta=0.7, axis=1), 1 - i1 / (i1 + 0.3 * fp + 0.7 * fn + EPS))


# ---------------------------------------------------------------- Loss classes: reductions, weights, masks


def test_reductions_and_sample_weight():
    per = ((YT - YP) ** 2).mean(-1)
    sw = prob(6)
    close(tf.keras.losses.MeanSquaredError()(YT, YP), per.mean())
    close(tf.keras.losses.MeanSquaredError()(YT, YP, sample_weight=sw), (per * sw).sum() / 6)
    close(tf.keras.losses.MeanSquaredError(reduction="sum")(YT, YP, sample_weight=sw), (per * sw).sum())
    close(tf.keras.losses.MeanSquaredError(reduction="none")(YT, YP, sample_weight=sw), per * sw)
    close(tf.keras.losses.MeanSquaredError(reduction=None)(YT, YP), per)
    close(tf.keras.losses.MeanSquaredError(reduction="mean_with_sample_weight")(YT, YP, sample_weight=sw),
          (per * sw).sum() / sw.sum())
    close(tf.keras.losses.MeanSquaredError()(YT, YP, sample_weight=2.0), 2 * per.mean())
    # A (batch, 1) weight is squeezed to the per-sample losses.
    close(tf.keras.losses.MeanSquaredError()(YT, YP, sample_weight=sw[:, None]), (per * sw).sum() / 6)


def test_sum_over_batch_size_divides_by_element_count():
    l, p = labels(4, 2, 5), prob(2, 5, 4)
    per = -np_log_softmax(np.log(p))[np.arange(2)[:, None], np.arange(5), l]
    sw = prob(2, 5)
    close(tf.keras.losses.SparseCategoricalCrossentropy()(l, p, sample_weight=sw), (per * sw).sum() / 10)


def test_python_list_inputs_are_structures():
    # As in Keras, nested Python lists are structures: equal structures pair up element by element.
    close(tf.keras.losses.BinaryCrossentropy()([[0.0], [1.0]], [[0.1], [0.8]]), -(np.log(0.9) + np.log(0.8)) / 2)
    close(tf.keras.losses.MeanSquaredError()([0.0, 1.0], [1.0, 1.0]), 0.5)
    with pytest.raises(ValueError, match="same nested structure"):
        tf.keras.losses.SparseCategoricalCrossentropy()([1], [[0.2, 0.8]])


def test_invalid_reduction():
    with pytest.raises(ValueError, match="reduction"):
        tf.keras.losses.MeanSquaredError(reduction="average")


def test_rank_reconciliation():
    y = labels(2, 6).astype("float32")
    p = prob(6, 1)
    ref = -(y * np.log(p[:, 0]) + (1 - y) * np.log(1 - p[:, 0])).mean()
    close(tf.keras.losses.BinaryCrossentropy()(y, p), ref)
    close(tf.keras.losses.MeanSquaredError()(y[:, None], p[:, 0]), ((y - p[:, 0]) ** 2).mean())


def test_sparse_categorical_ignore_class_masks_the_mean():
    per = -np.log(P63[np.arange(6), L6] / P63.sum(-1))
    valid = L6 != 1
    close(tf.keras.losses.SparseCategoricalCrossentropy(ignore_class=1)(L6, P63), per[valid].mean())
    close(tf.keras.losses.SparseCategoricalCrossentropy(ignore_class=1, reduction="sum")(L6, P63), per[valid].sum())
    close(tf.keras.losses.SparseCategoricalCrossentropy(ignore_class=1, reduction="none")(L6, P63),
          np.where(valid, per, 0))


def test_loss_dtype_and_int_labels():
    out = tf.keras.losses.MeanSquaredError()(np.ones((2, 2)), np.zeros((2, 2)))
    assert out.dtype == tf.float32
    loss = tf.keras.losses.MeanSquaredError(dtype="float64")
    assert loss.dtype == "float64"
    assert loss(np.ones((2, 2), "float32"), np.zeros((2, 2), "float32")).dtype == tf.float64
    close(tf.keras.losses.SparseCategoricalCrossentropy()(tf.constant(L6, tf.int64), P63),
          (-np.log(P63[np.arange(6), L6] / P63.sum(-1))).mean())


def test_losses_are_differentiable():
    p = tf.Variable(P84)
    with tf.GradientTape() as tape:
        loss = tf.keras.losses.MeanSquaredError()(B84, p)
    close(tape.gradient(loss, p), 2 * (P84 - B84) / B84.size)
    z = tf.constant(normal(6, 3))
    with tf.GradientTape() as tape:
        tape.watch(z)
        loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)(L6, z)
    sm = np.exp(np_log_softmax(z.numpy()))
    close(tape.gradient(loss, z), (sm - OH) / 6, atol=1e-6)
    zb = tf.constant(normal(8, 4))
    with tf.GradientTape() as tape:
        tape.watch(zb)
        loss = tf.keras.losses.BinaryCrossentropy(from_logits=True, reduction="sum")(B84, zb)
    close(tape.gradient(loss, zb), (1 / (1 + np.exp(-zb.numpy())) - B84) / 4, atol=1e-6)


def test_losses_inside_tf_function_use_logits_of_softmax():
    z = np.array([[20.0, -20.0, 0.0], [1.0, 2.0, 30.0]], "float32")
    y = np.array([1, 2], "int32")
    loss = tf.keras.losses.SparseCategoricalCrossentropy()

    @tf.function
    def traced(z):
        with tf.GradientTape() as tape:
            tape.watch(z)
            value = loss(y, tf.nn.softmax(z))
        return value, tape.gradient(value, z)

    value, grad = traced(tf.constant(z))
    # In a graph the Softmax is traced back to its logits: no clipping at epsilon.
    exact = -np_log_softmax(z.astype("float64"))[np.arange(2), y]
    close(value, exact.mean(), rtol=1e-6)
    close(grad, (np.exp(np_log_softmax(z)) - np.eye(3)[y]) / 2, atol=1e-6)
    # Eagerly, probabilities are clipped (as Keras does for a plain tf.nn.softmax output).
    close(loss(y, tf.nn.softmax(z)), -np.log(np.float32(EPS)) / 2 + exact[1] / 2, rtol=1e-4)


def test_from_logits_on_softmax_output_warns():
    loss = tf.keras.losses.CategoricalCrossentropy(from_logits=True)

    @tf.function
    def traced(z):
        return loss(OH, tf.nn.softmax(z))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        traced(tf.constant(YP))
    assert any("from_logits=True" in str(w.message) for w in caught)


def test_custom_loss_subclass():
    class Cubed(tf.keras.losses.Loss):
        def call(self, y_true, y_pred):
            return tf.reduce_mean(tf.abs(y_pred - y_true) ** 3, axis=-1)

    loss = Cubed(reduction="sum")
    close(loss(YT, YP), (np.abs(YP - YT) ** 3).mean(-1).sum(), rtol=2e-5)
    assert loss.name.startswith("cubed")
    assert tf.keras.losses.Loss().name != tf.keras.losses.Loss().name  # auto names are made unique


def test_loss_function_wrapper():
    w = tf.keras.losses.LossFunctionWrapper(tf.keras.losses.huber, delta=0.5, reduction="sum")
    close(w(YT, YP), _huber(0.5)(YT, YP).sum())
    config = w.get_config()
    assert config["delta"] == 0.5 and config["fn"]["config"] == "huber"
    again = tf.keras.losses.LossFunctionWrapper.from_config(config)
    assert again.fn is tf.keras.losses.huber and again.reduction == "sum"
    close(again(YT, YP), w(YT, YP))


LOSS_CLASSES = ["BinaryCrossentropy", "BinaryFocalCrossentropy", "CategoricalCrossentropy",
                "CategoricalFocalCrossentropy", "CategoricalHinge", "CosineSimilarity", "Dice", "Hinge", "Huber",
                "KLDivergence", "LogCosh", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredError",
                "MeanSquaredLogarithmicError", "Poisson", "SparseCategoricalCrossentropy", "SquaredHinge", "Tversky"]


@pytest.mark.parametrize("name", LOSS_CLASSES)
def test_loss_config_round_trip(name):
    cls = getattr(tf.keras.losses, name)
    loss = cls(reduction="sum", name="my_" + name.lower())
    config = loss.get_config()
    assert config["name"] == "my_" + name.lower() and config["reduction"] == "sum"
    again = cls.from_config(config)
    assert again.get_config() == config
    ser = tf.keras.losses.serialize(loss)
    assert ser["module"] == "keras.losses" and ser["class_name"] == name and ser["registered_name"] is None
    rebuilt = tf.keras.losses.deserialize(ser)
    assert type(rebuilt) is cls and rebuilt.get_config() == config


def test_loss_config_keys_follow_keras():
    assert tf.keras.losses.Huber(delta=2.0).get_config() == {"name": "huber_loss", "reduction": "sum_over_batch_size"}
    assert tf.keras.losses.BinaryCrossentropy(from_logits=True).get_config() == {
        "name": "binary_crossentropy", "reduction": "sum_over_batch_size", "from_logits": True,
        "label_smoothing": 0.0, "axis": -1}
    assert set(tf.keras.losses.SparseCategoricalCrossentropy().get_config()) == {
        "name", "reduction", "from_logits", "ignore_class"}


def test_losses_get():
    assert tf.keras.losses.get("mse") is tf.keras.losses.mean_squared_error
    assert tf.keras.losses.get("BCE") is tf.keras.losses.binary_crossentropy
    assert tf.keras.losses.get("kld") is tf.keras.losses.kl_divergence
    assert tf.keras.losses.get(None) is None
    inst = tf.keras.losses.get("CategoricalCrossentropy")
    assert isinstance(inst, tf.keras.losses.CategoricalCrossentropy)
    inst = tf.keras.losses.get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}})
    assert inst.from_logits is True
    fn = lambda y, p: y  # noqa: E731
    assert tf.keras.losses.get(fn) is fn
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        tf.keras.losses.get("not_a_loss")
    assert tf.keras.losses.serialize(tf.keras.losses.mse) == {
        "module": "builtins", "class_name": "function", "config": "mean_squared_error", "registered_name": "function"}
    assert tf.keras.losses.deserialize(tf.keras.losses.serialize(tf.keras.losses.mse)) is tf.keras.losses.mse


def test_custom_registered_loss_round_trip():
    @_registry.register_keras_serializable(package="LMTest")
    class Scaled(tf.keras.losses.Loss):
        def __init__(self, scale=1.0, **kwargs):
            super().__init__(**kwargs)
            self.scale = scale

        def call(self, y_true, y_pred):
            return self.scale * tf.reduce_mean(tf.square(y_pred - y_true), axis=-1)

        def get_config(self):
            return {**super().get_config(), "scale": self.scale}

    ser = tf.keras.losses.serialize(Scaled(scale=3.0))
    assert ser["registered_name"] == "LMTest>Scaled"
    again = tf.keras.losses.deserialize(ser)
    assert isinstance(again, Scaled) and again.scale == 3.0


# ---------------------------------------------------------------- metrics: base and reductions


def test_mean_sum_weights_and_reset():
    x = normal(5)
    m = tf.keras.metrics.Mean()
    assert [v.name for v in m.variables] == ["mean/total:0", "mean/count:0"]
    assert all(not v.trainable for v in m.variables)
    m.update_state(x)
    close(m.result(), x.mean())
    m.reset_state()
    close(m.result(), 0.0)
    sw = prob(5)
    m.update_state(x, sample_weight=sw)
    m.update_state(x[:2])
    close(m.result(), ((x * sw).sum() + x[:2].sum()) / (sw.sum() + 2))
    # 2-D values with per-sample weights: values are averaged per sample first.
    sw6 = prob(6)
    m = tf.keras.metrics.Mean()
    close(m(YT, sample_weight=sw6), (YT.mean(-1) * sw6).sum() / sw6.sum())
    s = tf.keras.metrics.Sum()
    close(s(YT, sample_weight=sw6), (YT.sum(-1) * sw6).sum())
    close(s(x), (YT.sum(-1) * sw6).sum() + x.sum(), rtol=1e-5)


def test_mean_in_tf_function_and_call():
    m = tf.keras.metrics.Mean(name="loss_mean")

    @tf.function
    def update(v):
        m.update_state(v)
        return m.result()

    a, b = normal(4), normal(3)
    update(a)
    close(update(b), np.concatenate([a, b]).mean())
    close(m(a), np.concatenate([a, b, a]).mean())


def test_custom_metric_with_add_weight():
    class BinaryTruePositives(tf.keras.metrics.Metric):
        def __init__(self, name="binary_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_weight(name="tp", initializer="zeros")
            self.mean = tf.keras.metrics.Mean()

        def update_state(self, y_true, y_pred, sample_weight=None):
            hits = tf.logical_and(tf.cast(y_true, tf.bool), tf.cast(y_pred, tf.bool))
            self.true_positives.assign_add(tf.reduce_sum(tf.cast(hits, self.dtype)))
            self.mean.update_state(y_pred)

        def result(self):
            return self.true_positives + 0.0

    m = BinaryTruePositives()
    close(m([1, 1, 0, 1], [1, 0, 0, 1]), 2.0)
    assert len(m.variables) == 3  # its own and the sub-metric's
    m.reset_state()
    close(m.result(), 0.0)
    assert repr(m) == "<BinaryTruePositives name=binary_true_positives>"


def test_metric_without_super_init_is_reported():
    class Broken(tf.keras.metrics.Metric):
        def __init__(self):
            pass

    with pytest.raises(RuntimeError, match="super"):
        Broken().add_weight(name="x")


# ---------------------------------------------------------------- accuracy and wrapper metrics


def test_accuracy_metrics():
    y = labels(3, 10)
    p = prob(10, 3)
    close(tf.keras.metrics.SparseCategoricalAccuracy()(y, p), (p.argmax(-1) == y).mean())
    close(tf.keras.metrics.SparseCategoricalAccuracy()(y[:, None], p), (p.argmax(-1) == y).mean())
    sw = prob(10)
    close(tf.keras.metrics.CategoricalAccuracy()(np.eye(3)[y], p, sample_weight=sw),
          ((p.argmax(-1) == y) * sw).sum() / sw.sum())
    close(tf.keras.metrics.Accuracy()(y, p.argmax(-1)), (p.argmax(-1) == y).mean())
    yb, pb = labels(2, 20, 1).astype("float32"), prob(20, 1)
    close(tf.keras.metrics.BinaryAccuracy()(yb, pb), ((pb > 0.5) == yb).mean())
    close(tf.keras.metrics.BinaryAccuracy(threshold=0.3)(yb, pb), ((pb > 0.3) == yb).mean())
    ranks = (-p).argsort(-1).argsort(-1)[np.arange(10), y]
    close(tf.keras.metrics.SparseTopKCategoricalAccuracy(k=2)(y, p), (ranks < 2).mean())
    close(tf.keras.metrics.TopKCategoricalAccuracy(k=1)(np.eye(3)[y], p), (ranks < 1).mean())


def test_regression_and_probabilistic_metrics():
    sw = prob(6)

    def wmean(v):
        return (v * sw).sum() / sw.sum()

    close(tf.keras.metrics.MeanSquaredError()(YT, YP, sample_weight=sw), wmean(((YT - YP) ** 2).mean(-1)))
    close(tf.keras.metrics.MeanAbsoluteError()(YT, YP), np.abs(YT - YP).mean())
    close(tf.keras.metrics.RootMeanSquaredError()(YT, YP, sample_weight=sw), np.sqrt(wmean(((YT - YP) ** 2).mean(-1))))
    close(tf.keras.metrics.CosineSimilarity()(YT, YP), (_unit(YT) * _unit(YP)).sum(-1).mean())
    close(tf.keras.metrics.LogCoshError()(YT, YP), np.log(np.cosh(YP - YT)).mean(), rtol=2e-5)
    z = normal(6, 3)
    close(tf.keras.metrics.SparseCategoricalCrossentropy(from_logits=True)(L6, z),
          (-np_log_softmax(z)[np.arange(6), L6]).mean())
    close(tf.keras.metrics.BinaryCrossentropy()(B84, P84),
          (-(B84 * np.log(P84) + (1 - B84) * np.log(1 - P84))).mean(), rtol=2e-5)
    x, y = normal(20, 2), normal(20, 2)
    xc, yc = x - x.mean(-1, keepdims=True), y - y.mean(-1, keepdims=True)
    pearson = ((xc / xc.std(-1, keepdims=True)) * (yc / yc.std(-1, keepdims=True))).mean(-1)
    close(tf.keras.metrics.PearsonCorrelation()(x, y), pearson.mean(), rtol=1e-4, atol=1e-5)


def test_mean_metric_wrapper_and_direction():
    m = tf.keras.metrics.MeanMetricWrapper(tf.keras.losses.huber, delta=0.5)
    assert m.name == "mean_metric_wrapper" or m.name.startswith("mean_metric_wrapper")
    assert m._direction == "down"
    close(m(YT, YP), _huber(0.5)(YT, YP).mean())
    config = m.get_config()
    assert config["fn"]["config"] == "huber" and config["delta"] == 0.5
    again = tf.keras.metrics.MeanMetricWrapper.from_config(config)
    assert again._fn is tf.keras.losses.huber and again._fn_kwargs == {"delta": 0.5}
    w = tf.keras.metrics.MeanMetricWrapper(tf.keras.metrics.binary_accuracy, threshold=0.3)
    rebuilt = tf.keras.metrics.deserialize(tf.keras.metrics.serialize(w))
    assert rebuilt._fn is tf.keras.metrics.binary_accuracy


# ---------------------------------------------------------------- confusion-matrix metrics


def np_counts(y, p, thresholds, w=None):
    w = np.ones(p.size) if w is None else np.broadcast_to(w, p.shape).reshape(-1)
    y = y.reshape(-1).astype(bool)
    p = p.reshape(-1)
    pos = p[None, :] > np.asarray(thresholds)[:, None]
    tp = (pos & y) @ w
    fp = (pos & ~y) @ w
    tn = (~pos & ~y) @ w
    fn = (~pos & y) @ w
    return tp, fp, tn, fn


def test_counts_precision_recall():
    y, p, w = labels(2, 40, 1).astype("float32"), prob(40, 1), prob(40)
    tp, fp, tn, fn = np_counts(y, p, [0.5], w[:, None])
    close(tf.keras.metrics.TruePositives()(y, p, sample_weight=w), tp[0])
    close(tf.keras.metrics.FalsePositives()(y, p, sample_weight=w), fp[0])
    close(tf.keras.metrics.TrueNegatives()(y, p, sample_weight=w), tn[0])
    close(tf.keras.metrics.FalseNegatives()(y, p, sample_weight=w), fn[0])
    thresholds = [0.0, 0.25, 0.5, 0.75, 1.0]  # evenly spaced: the bucketed path
    tp, fp, tn, fn = np_counts(y, p, thresholds)
    close(tf.keras.metrics.TruePositives(thresholds=thresholds)(y, p), tp)
    close(tf.keras.metrics.TrueNegatives(thresholds=thresholds)(y, p), tn)
    close(tf.keras.metrics.Precision(thresholds=thresholds)(y, p), np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1e-9), 0))
    close(tf.keras.metrics.Recall(thresholds=[0.3, 0.6])(y, p), (lambda c: c[0] / (c[0] + c[3]))(np_counts(y, p, [0.3, 0.6])))
    tp, fp, _, fn = np_counts(y, p, [0.5], w[:, None])
    close(tf.keras.metrics.Precision()(y, p, sample_weight=w), tp[0] / (tp[0] + fp[0]))
    close(tf.keras.metrics.Recall()(y, p, sample_weight=w), tp[0] / (tp[0] + fn[0]))


def test_precision_recall_top_k_and_class_id():
    y, p = B84, P84
    top2 = np.zeros_like(p, bool)
    top2[np.arange(8)[:, None], (-p).argsort(-1)[:, :2]] = True
    yb = y.astype(bool)
    close(tf.keras.metrics.Precision(top_k=2)(y, p), (top2 & yb).sum() / top2.sum())
    close(tf.keras.metrics.Recall(top_k=2)(y, p), (top2 & yb).sum() / yb.sum())
    c = 1
    pred = p[:, c] > 0.5
    close(tf.keras.metrics.Precision(class_id=c)(y, p), (pred & yb[:, c]).sum() / max(pred.sum(), 1))
    close(tf.keras.metrics.Recall(class_id=c)(y, p), (pred & yb[:, c]).sum() / max(yb[:, c].sum(), 1))


def np_auc(y, p, num_thresholds=200, curve="ROC", w=None):
    thresholds = [-EPS] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [1 + EPS]
    tp, fp, tn, fn = np_counts(y, p, thresholds, w)
    rec = tp / np.maximum(tp + fn, 1e-12)
    if curve == "ROC":
        x, h = fp / np.maximum(fp + tn, 1e-12), rec
    else:  # PR with minoring
        x, h = rec, np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1e-12), 0)
        return ((x[:-1] - x[1:]) * np.minimum(h[:-1], h[1:])).sum()
    return ((x[:-1] - x[1:]) * (h[:-1] + h[1:]) / 2).sum()


def test_auc_roc_and_pr():
    y, p, w = labels(2, 60, 1).astype("float32"), prob(60, 1), prob(60)
    m = tf.keras.metrics.AUC()
    m.update_state(y[:30], p[:30])
    m.update_state(y[30:], p[30:])
    close(m.result(), np_auc(y, p), rtol=1e-5)
    close(tf.keras.metrics.AUC(num_thresholds=11)(y, p, sample_weight=w), np_auc(y, p, 11, w=w[:, None]), rtol=1e-5)
    close(tf.keras.metrics.AUC(curve="PR", summation_method="minoring")(y, p), np_auc(y, p, curve="PR"), rtol=1e-5)
    logits = np.log(p / (1 - p))
    close(tf.keras.metrics.AUC(from_logits=True)(y, logits), np_auc(y, p), rtol=1e-4)
    # With many thresholds, the ROC AUC approaches the rank statistic.
    yy = y.ravel().astype(bool)
    pairs = (p.ravel()[yy][:, None] > p.ravel()[~yy][None, :]).mean()
    close(tf.keras.metrics.AUC(num_thresholds=2000)(y, p), pairs, atol=2e-3)


def test_auc_multi_label_and_label_weights():
    y, p = B84, P84
    m = tf.keras.metrics.AUC(multi_label=True)
    assert m.variables == []  # built at the first update, once the number of labels is known
    got = m(y, p)
    per_label = [np_auc(y[:, j], p[:, j]) for j in range(4)]
    close(got, np.mean(per_label), rtol=1e-5)
    assert m.true_positives.shape == (200, 4)
    lw = np.array([1.0, 2.0, 0.5, 1.0], "float32")
    close(tf.keras.metrics.AUC(multi_label=True, label_weights=lw)(y, p), (np.array(per_label) * lw).sum() / lw.sum(),
          rtol=1e-5)
    close(tf.keras.metrics.AUC(label_weights=lw)(y, p), np_auc(y, p, w=np.broadcast_to(lw, p.shape)), rtol=1e-5)


def test_auc_inside_tf_function_and_reset():
    m = tf.keras.metrics.AUC(multi_label=True, curve="PR")
    r = tf.keras.metrics.Recall(thresholds=[0.2, 0.8])

    @tf.function
    def update(y, p):
        m.update_state(y, p)
        r.update_state(y, p)
        return m.result(), r.result()

    update(B84, P84)
    eager = tf.keras.metrics.AUC(multi_label=True, curve="PR")
    eager.update_state(B84, P84)
    eager.update_state(B84[::-1], P84)
    got, rec = update(B84[::-1], P84)
    close(got, eager.result(), rtol=1e-6)
    tp, _, _, fn = np_counts(np.concatenate([B84, B84[::-1]]), np.concatenate([P84, P84]), [0.2, 0.8])
    close(rec, tp / (tp + fn))
    m.reset_state()
    close(m.true_positives.numpy(), np.zeros((200, 4)))


def test_sensitivity_specificity_family():
    y, p = labels(2, 50, 1).astype("float32"), prob(50, 1)
    thresholds = [0.0] + [(i + 1) / 199 for i in range(198)] + [1.0]
    tp, fp, tn, fn = np_counts(y, p, thresholds)
    sens, spec = tp / np.maximum(tp + fn, 1e-12), tn / np.maximum(tn + fp, 1e-12)
    prec = np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1e-12), 0)
    close(tf.keras.metrics.SensitivityAtSpecificity(0.5)(y, p), sens[spec >= 0.5].max(), rtol=1e-5)
    close(tf.keras.metrics.SpecificityAtSensitivity(0.7)(y, p), spec[sens >= 0.7].max(), rtol=1e-5)
    close(tf.keras.metrics.PrecisionAtRecall(0.5)(y, p), prec[sens >= 0.5].max(), rtol=1e-5)
    close(tf.keras.metrics.RecallAtPrecision(0.6)(y, p), np.max(sens[prec >= 0.6], initial=0), rtol=1e-5)
    with pytest.raises(ValueError, match="range"):
        tf.keras.metrics.PrecisionAtRecall(1.5)


# ---------------------------------------------------------------- IoU and scores


def np_confusion(y, p, n, w=None):
    cm = np.zeros((n, n))
    np.add.at(cm, (y, p), 1 if w is None else w)
    return cm


def test_iou_metrics():
    y, p = labels(3, 30), labels(3, 30)
    cm = np_confusion(y, p, 3)
    inter = np.diag(cm)
    union = cm.sum(0) + cm.sum(1) - inter
    iou = inter / (union + EPS)
    m = tf.keras.metrics.MeanIoU(num_classes=3)
    assert m.dtype == "int64" and m.variables[0].dtype == tf.int64
    close(m(y, p), iou.sum() / (3 + EPS))
    close(tf.keras.metrics.IoU(3, [0, 2])(y, p), iou[[0, 2]].sum() / (2 + EPS))
    oh = np.eye(3, dtype="float32")[y]
    scores = prob(30, 3)
    cm2 = np_confusion(y, scores.argmax(-1), 3)
    i2 = np.diag(cm2) / (cm2.sum(0) + cm2.sum(1) - np.diag(cm2) + EPS)
    close(tf.keras.metrics.OneHotMeanIoU(3)(oh, scores), i2.sum() / (3 + EPS))
    yb, pb = labels(2, 30), prob(30)
    cm3 = np_confusion(yb, (pb >= 0.5).astype(int), 2)
    i3 = np.diag(cm3) / (cm3.sum(0) + cm3.sum(1) - np.diag(cm3) + EPS)
    close(tf.keras.metrics.BinaryIoU()(yb, pb), i3.sum() / (2 + EPS))
    keep = y != 0
    cm4 = np_confusion(y[keep], p[keep], 3)
    i4 = np.diag(cm4) / (cm4.sum(0) + cm4.sum(1) - np.diag(cm4) + EPS)
    valid = (cm4.sum(0) + cm4.sum(1) - np.diag(cm4)) > 0
    close(tf.keras.metrics.MeanIoU(3, ignore_class=0)(y, p), i4[valid].sum() / (valid.sum() + EPS))


def test_f_scores():
    y, p = B84, P84
    pred = p > 0.5
    yb = y.astype(bool)
    tp, fp, fn = (pred & yb).sum(0), (pred & ~yb).sum(0), (~pred & yb).sum(0)
    prec, rec = tp / (tp + fp + EPS), tp / (tp + fn + EPS)
    f1 = 2 * prec * rec / (prec + rec + EPS)
    close(tf.keras.metrics.F1Score(threshold=0.5)(y, p), f1, rtol=1e-5)
    close(tf.keras.metrics.F1Score(average="macro", threshold=0.5)(y, p), f1.mean(), rtol=1e-5)
    f2 = 5 * prec * rec / (4 * prec + rec + EPS)
    close(tf.keras.metrics.FBetaScore(beta=2.0, threshold=0.5)(y, p), f2, rtol=1e-5)
    support = yb.sum(0)
    close(tf.keras.metrics.F1Score(average="weighted", threshold=0.5)(y, p), (f1 * support).sum() / support.sum(),
          rtol=1e-5)
    with pytest.raises(ValueError, match="beta"):
        tf.keras.metrics.FBetaScore(beta=2)


def test_r2_score():
    y, p = normal(20, 2), normal(20, 2)
    ss_res = ((y - p) ** 2).sum(0)
    ss_tot = ((y - y.mean(0)) ** 2).sum(0)
    close(tf.keras.metrics.R2Score()(y, p), (1 - ss_res / ss_tot).mean(), rtol=1e-4)
    close(tf.keras.metrics.R2Score(class_aggregation=None)(y, p), 1 - ss_res / ss_tot, rtol=1e-4)


# ---------------------------------------------------------------- configs, names, lookup

METRICS = {"AUC": {}, "Accuracy": {}, "BinaryAccuracy": {"threshold": 0.3}, "BinaryCrossentropy": {},
           "BinaryIoU": {}, "CategoricalAccuracy": {}, "CategoricalCrossentropy": {"label_smoothing": 0.1},
           "CategoricalHinge": {}, "ConcordanceCorrelation": {}, "CosineSimilarity": {}, "F1Score": {},
           "FBetaScore": {"beta": 2.0}, "FalseNegatives": {}, "FalsePositives": {}, "Hinge": {},
           "IoU": {"num_classes": 3, "target_class_ids": [0, 1]}, "KLDivergence": {}, "LogCoshError": {},
           "Mean": {}, "MeanAbsoluteError": {}, "MeanAbsolutePercentageError": {}, "MeanIoU": {"num_classes": 3},
           "MeanSquaredError": {}, "MeanSquaredLogarithmicError": {},
           "OneHotIoU": {"num_classes": 3, "target_class_ids": [0, 1]}, "OneHotMeanIoU": {"num_classes": 3},
           "PearsonCorrelation": {}, "Poisson": {}, "Precision": {"thresholds": [0.2, 0.6], "top_k": 2},
           "PrecisionAtRecall": {"recall": 0.5}, "R2Score": {}, "Recall": {"class_id": 1},
           "RecallAtPrecision": {"precision": 0.5}, "RootMeanSquaredError": {},
           "SensitivityAtSpecificity": {"specificity": 0.5}, "SparseCategoricalAccuracy": {},
           "SparseCategoricalCrossentropy": {"from_logits": True}, "SparseTopKCategoricalAccuracy": {"k": 3},
           "SpecificityAtSensitivity": {"sensitivity": 0.5}, "SquaredHinge": {}, "Sum": {},
           "TopKCategoricalAccuracy": {"k": 2}, "TrueNegatives": {"thresholds": [0.1, 0.9]}, "TruePositives": {}}


@pytest.mark.parametrize("name", sorted(METRICS))
def test_metric_config_round_trip(name):
    cls = getattr(tf.keras.metrics, name)
    metric = cls(**METRICS[name])
    config = metric.get_config()
    assert config["name"] == metric.name and "dtype" in config
    for key, value in METRICS[name].items():
        assert config[key] == value
    again = cls.from_config(config)
    assert again.get_config() == config
    ser = tf.keras.metrics.serialize(metric)
    assert ser["module"] == "keras.metrics" and ser["class_name"] == name
    assert type(tf.keras.metrics.deserialize(ser)) is cls
    assert all(not v.trainable for v in metric.variables)


def test_metric_names_and_variables():
    a, b = tf.keras.metrics.AUC(), tf.keras.metrics.AUC()
    assert a.name != b.name and b.name.startswith("auc")
    assert [v.name.split("/")[-1] for v in a.variables] == [
        "true_positives:0", "false_positives:0", "true_negatives:0", "false_negatives:0"]
    assert a.variables[0].shape == (200,)
    assert tf.keras.metrics.Mean().name == "mean"  # an explicit default name is kept as is
    assert tf.keras.metrics.Precision(thresholds=[0.1, 0.2, 0.3]).true_positives.shape == (3,)


def test_metrics_get():
    for name, cls in [("accuracy", "Accuracy"), ("acc", "Accuracy"), ("mse", "MeanSquaredError"),
                      ("AUC", "AUC"), ("auc", "AUC"), ("binary_accuracy", "BinaryAccuracy"),
                      ("sparse_categorical_accuracy", "SparseCategoricalAccuracy"), ("f1_score", "F1Score"),
                      ("root_mean_squared_error", "RootMeanSquaredError"), ("log_cosh_error", "LogCoshError"),
                      ("bce", "BinaryCrossentropy"), ("categorical_crossentropy", "CategoricalCrossentropy")]:
        assert type(tf.keras.metrics.get(name)).__name__ == cls, name
    assert tf.keras.metrics.get(None) is None
    m = tf.keras.metrics.get({"class_name": "AUC", "config": {"num_thresholds": 50, "curve": "PR"}})
    assert m.num_thresholds == 50 and m.curve.value == "PR"
    fn = tf.keras.metrics.binary_accuracy
    assert tf.keras.metrics.get(fn) is fn
    with pytest.raises(ValueError, match="Could not interpret metric identifier"):
        tf.keras.metrics.get("no_such_metric")


def test_registered_names_are_keras_snake_case():
    for (package, name), obj in list(_registry._BUILTINS.items()):
        if package == "metrics" and isinstance(obj, type) and name[0].islower() and name not in (
                "acc", "mse", "mae", "mape", "msle", "bce"):
            assert name == to_snake_case(obj.__name__), (name, obj)


def test_unknown_batch_dimension_in_tf_function():
    metrics = [tf.keras.metrics.AUC(), tf.keras.metrics.AUC(multi_label=True), tf.keras.metrics.Precision(top_k=1),
               tf.keras.metrics.CategoricalAccuracy(), tf.keras.metrics.Mean(), tf.keras.metrics.F1Score()]
    eager = [type(m).from_config(m.get_config()) for m in metrics]
    loss = tf.keras.losses.SparseCategoricalCrossentropy(ignore_class=0)

    def step(ms, p, y, w):
        oh = tf.one_hot(y, 3)
        for m in ms:
            if type(m) is tf.keras.metrics.Mean:
                m.update_state(p, sample_weight=w)
            else:
                m.update_state(oh, p, sample_weight=w)
        return loss(y, p, sample_weight=w)

    traced = tf.function(lambda p, y, w: step(metrics, p, y, w),
                         input_signature=[tf.TensorSpec([None, 3]), tf.TensorSpec([None], tf.int32), tf.TensorSpec([None])])
    for n in (5, 7):
        p, y, w = prob(n, 3), labels(3, n), prob(n)
        close(traced(p, y, w), step(eager, p, y, w), rtol=1e-6)
    for a, b in zip(metrics, eager):
        close(a.result(), b.result(), rtol=1e-6)
