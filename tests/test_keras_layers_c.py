"""Keras layers C (activations, noise/regularization, Masking, Unit/RMS normalization, InputSpec):
every layer through run_layer_test, inference numerics against NumPy formulas of Keras 3's
definitions, training-mode statistics of the noise layers, tf.function, and models with fit."""
import numpy as np
import pytest

import tensorforge as tf
from keras_layer_testing import run_layer_test

L = tf.keras.layers
RNG = np.random.default_rng(3)


def normal(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


# ---------------------------------------------------------------- activations
@pytest.mark.parametrize("cls,kwargs", [
    (L.ReLU, {}), (L.ReLU, {"max_value": 1.5, "negative_slope": 0.1, "threshold": 0.2}), (L.LeakyReLU, {}),
    (L.LeakyReLU, {"negative_slope": 0.1}), (L.ELU, {"alpha": 0.5}), (L.Softmax, {}), (L.Softmax, {"axis": [1, 2]}),
    (L.ThresholdedReLU, {"theta": 0.3}), (L.PReLU, {"alpha_initializer": "ones"}),
    (L.PReLU, {"shared_axes": [1], "alpha_initializer": "ones"}),
])
def test_activation_layers_run_layer_test(cls, kwargs):
    n_weights = 1 if cls is L.PReLU else 0
    run_layer_test(cls, kwargs, input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=n_weights, expected_num_non_trainable_weights=0)


def np_relu(x, max_value=None, negative_slope=0.0, threshold=0.0):
    y = np.where(x >= threshold, x, negative_slope * (x - threshold))
    return np.minimum(y, max_value) if max_value is not None else y


def np_softmax(x, axis):
    axis = tuple(axis) if isinstance(axis, list) else axis
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def test_activation_numerics():
    x = normal(3, 4, 5) * 2
    for kw in ({}, {"max_value": 1.0}, {"negative_slope": 0.2}, {"threshold": 0.5, "negative_slope": 0.1},
               {"max_value": 6.0}):
        np.testing.assert_allclose(L.ReLU(**kw)(x).numpy(), np_relu(x, **kw), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(L.LeakyReLU()(x).numpy(), np.where(x >= 0, x, 0.3 * x), rtol=1e-6)
    np.testing.assert_allclose(L.ELU(alpha=0.7)(x).numpy(), np.where(x > 0, x, 0.7 * (np.exp(x) - 1)), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(L.ThresholdedReLU(theta=0.5)(x).numpy(), np.where(x > 0.5, x, 0), rtol=1e-6)
    np.testing.assert_allclose(L.Softmax()(x).numpy(), np_softmax(x, -1), rtol=1e-5)
    np.testing.assert_allclose(L.Softmax(axis=1)(x).numpy(), np_softmax(x, 1), rtol=1e-5)
    np.testing.assert_allclose(L.Softmax(axis=[1, 2])(x).numpy(), np_softmax(x, [1, 2]), rtol=1e-5)
    # A mask: masked positions get weight exactly 0, the rest renormalise.
    mask = RNG.random((3, 1, 5)) > 0.3
    mask[..., 0] = True
    got = L.Softmax()(x, mask=mask).numpy()
    e = np.where(mask, np.exp(x - np.where(mask, x, -np.inf).max(-1, keepdims=True)), 0.0)
    np.testing.assert_allclose(got, e / e.sum(-1, keepdims=True), rtol=1e-5, atol=1e-7)
    # A float mask counts as True above 0.5.
    np.testing.assert_allclose(L.Softmax()(x, mask=mask.astype(np.float32)).numpy(), got, rtol=1e-6)
    with pytest.raises(ValueError, match="broadcastable"):
        L.Softmax()(x, mask=np.ones((3, 2, 5), bool))


def test_activation_configs_and_errors():
    assert L.LeakyReLU().get_config()["negative_slope"] == 0.3
    c = L.ReLU().get_config()
    assert {k: c[k] for k in ("max_value", "negative_slope", "threshold")} == {
        "max_value": None, "negative_slope": 0.0, "threshold": 0.0}
    assert L.ReLU().name.startswith("re_lu") and L.PReLU().name.startswith("p_re_lu")
    c = L.PReLU().get_config()
    assert c["alpha_initializer"]["class_name"] == "Zeros" and c["shared_axes"] is None
    assert L.ELU(alpha=0.5).get_config()["alpha"] == 0.5
    assert L.ThresholdedReLU(theta=0.1).get_config()["theta"] == float(np.float32(0.1))
    with pytest.raises(ValueError, match="max_value of a ReLU layer cannot be a negative"):
        L.ReLU(max_value=-1)
    with pytest.raises(ValueError, match="negative_slope"):
        L.LeakyReLU(negative_slope=-0.1)
    with pytest.raises(ValueError, match="theta"):
        L.ThresholdedReLU(theta=-1)


def test_prelu_weights_numerics_and_input_spec():
    layer = L.PReLU(alpha_initializer=tf.keras.initializers.Constant(0.25), shared_axes=[1, 2])
    x = normal(2, 3, 4, 5)
    y = layer(x).numpy()
    assert layer.alpha.shape.as_list() == [1, 1, 5] and layer.alpha.path == layer.name + "/alpha"
    alpha = normal(1, 1, 5)
    layer.set_weights([alpha])
    np.testing.assert_allclose(layer(x).numpy(), np.where(x > 0, x, alpha * x), rtol=1e-6)
    assert y.shape == x.shape
    with pytest.raises(ValueError, match="expected axis 3 of input shape to have value 5"):
        layer(normal(2, 3, 4, 6))
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        layer(normal(2, 3, 5))


def test_activation_layers_in_tf_function_and_fit():
    model = tf.keras.Sequential([tf.keras.Input((4,)), L.Dense(8), L.PReLU(), L.Dense(8), L.LeakyReLU(),
                                 L.Dense(3), L.Softmax()])
    model.compile("adam", "categorical_crossentropy")
    x = normal(16, 4)
    y = np.eye(3, dtype=np.float32)[RNG.integers(0, 3, 16)]
    hist = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert np.isfinite(hist.history["loss"]).all()
    f = tf.function(lambda a: model(a))
    np.testing.assert_allclose(f(x).numpy(), model(x).numpy(), rtol=1e-5)
    np.testing.assert_allclose(f(x).numpy().sum(-1), 1.0, rtol=1e-5)


# ---------------------------------------------------------------- noise / regularization
@pytest.mark.parametrize("cls,kwargs,shape", [
    (L.GaussianNoise, {"stddev": 0.1}, (2, 3)), (L.GaussianDropout, {"rate": 0.3}, (2, 3)),
    (L.AlphaDropout, {"rate": 0.3}, (2, 3)), (L.SpatialDropout1D, {"rate": 0.3}, (2, 3, 4)),
    (L.SpatialDropout2D, {"rate": 0.3}, (2, 3, 4, 5)),
    (L.SpatialDropout2D, {"rate": 0.3, "data_format": "channels_first"}, (2, 3, 4, 5)),
    (L.SpatialDropout3D, {"rate": 0.3}, (2, 3, 4, 5, 2)), (L.ActivityRegularization, {"l1": 0.1}, (2, 3)),
    (L.Masking, {}, (2, 3, 4)), (L.Masking, {"mask_value": 1.5}, (2, 3, 4)),
])
def test_noise_layers_run_layer_test(cls, kwargs, shape):
    layer = run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=shape,
                           expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)
    x = normal(*shape)
    np.testing.assert_array_equal(layer(x).numpy(), x)  # inference: identity (no mask value in x)


def test_noise_layers_training_statistics():
    x = np.ones((200, 300), np.float32)
    y = L.GaussianNoise(0.5, seed=1)(x, training=True).numpy()
    assert abs((y - 1).mean()) < 0.01 and abs((y - 1).std() - 0.5) < 0.01
    rate = 0.3
    y = L.GaussianDropout(rate, seed=1)(x, training=True).numpy()
    assert abs(y.mean() - 1) < 0.01 and abs(y.std() - np.sqrt(rate / (1 - rate))) < 0.01
    # AlphaDropout keeps mean 0 / variance 1 of standard normal inputs, and drops to a*alpha'+b.
    z = normal(400, 300)
    y = L.AlphaDropout(rate, seed=2)(z, training=True).numpy()
    alpha_p = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946
    a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
    b = -a * alpha_p * rate
    dropped = np.isclose(y, a * alpha_p + b, atol=1e-6)
    assert abs(dropped.mean() - rate) < 0.01
    np.testing.assert_allclose(y[~dropped], a * z[~dropped] + b, rtol=1e-5, atol=1e-6)
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02


@pytest.mark.parametrize("cls,shape,data_format,channel", [
    (L.SpatialDropout1D, (8, 6, 40), None, 2), (L.SpatialDropout2D, (8, 5, 6, 40), None, 3),
    (L.SpatialDropout2D, (8, 40, 5, 6), "channels_first", 1), (L.SpatialDropout3D, (8, 3, 4, 5, 40), None, 4),
    (L.SpatialDropout3D, (8, 40, 3, 4, 5), "channels_first", 1)])
def test_spatial_dropout_drops_whole_channels(cls, shape, data_format, channel):
    kw = {} if data_format is None else {"data_format": data_format}
    layer = cls(0.5, seed=3, **kw)
    x = np.ones(shape, np.float32)
    y = layer(x, training=True).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0}
    moved = np.moveaxis(y, channel, 1).reshape(shape[0], shape[channel], -1)
    assert (moved.min(-1) == moved.max(-1)).all()  # one draw per (sample, channel)
    assert 0.3 < (moved[..., 0] == 0).mean() < 0.7
    # Inside tf.function (random ops need static shapes there, as for Dropout).
    f = tf.function(lambda a: layer(a, training=True))
    y = f(x).numpy()
    moved = np.moveaxis(y, channel, 1).reshape(shape[0], shape[channel], -1)
    assert (moved.min(-1) == moved.max(-1)).all() and set(np.unique(y)) <= {0.0, 2.0}
    with pytest.raises(ValueError, match="expected ndim=%d" % len(shape)):
        layer(np.ones((2, 3), np.float32))


def test_spatial_dropout_config_is_keras_3s():
    assert L.SpatialDropout1D(0.2, name="sd").get_config() == {"rate": 0.2, "seed": None, "name": "sd",
                                                                 "dtype": "float32"}
    c = L.SpatialDropout2D(0.2, name="sd2").get_config()
    assert c == {"rate": 0.2, "seed": None, "name": "sd2", "dtype": "float32", "data_format": "channels_last"}
    assert L.SpatialDropout3D.from_config(c).get_config() == c


def test_activity_regularization_losses_and_fit():
    layer = L.ActivityRegularization(l1=0.1, l2=0.2)
    x = normal(4, 3)
    layer(x)
    expected = (0.1 * np.abs(x).sum() + 0.2 * np.square(x).sum()) / 4
    assert len(layer.losses) == 1
    np.testing.assert_allclose(layer.losses[0].numpy(), expected, rtol=1e-5)
    layer(x)
    assert len(layer.losses) == 1  # the latest call's loss, as Keras's per-call clearing gives
    assert "activity_regularizer" not in layer.get_config()
    # In a model, the regularization term is part of the training loss.
    model = tf.keras.Sequential([tf.keras.Input((3,)), L.Dense(2, kernel_initializer="ones"),
                                 L.ActivityRegularization(l2=0.5)])
    model.compile("sgd", "mse")
    y = np.zeros((4, 2), np.float32)
    loss = model.evaluate(x, y, batch_size=4, verbose=0)
    h = x @ np.ones((3, 2), np.float32)
    np.testing.assert_allclose(loss, np.mean(h ** 2) + 0.5 * np.sum(h ** 2) / 4, rtol=1e-5)
    assert len(model.losses) == 1
    hist = model.fit(x, y, epochs=2, batch_size=2, verbose=0)
    assert hist.history["loss"][1] < hist.history["loss"][0]


# ---------------------------------------------------------------- Masking
def np_lstm(x, k, r, b):
    def sig(v):
        return 1 / (1 + np.exp(-v))
    h = np.zeros((x.shape[0], r.shape[0]))
    c = np.zeros_like(h)
    for t in range(x.shape[1]):
        z = x[:, t] @ k + h @ r + b
        zi, zf, zc, zo = np.split(z, 4, -1)
        c = sig(zf) * c + sig(zi) * np.tanh(zc)
        h = sig(zo) * np.tanh(c)
    return h


def test_masking_mask_and_outputs():
    x = normal(2, 4, 3)
    x[0, 1] = 0.0
    x[1, 3] = 0.0
    x[1, 0, 0] = 0.0  # partially zero: kept
    out = L.Masking()(x)
    keep = np.any(x != 0, -1)
    np.testing.assert_array_equal(tf.keras.masking.get_keras_mask(out).numpy(), keep)
    np.testing.assert_array_equal(out.numpy(), np.where(keep[..., None], x, 0))
    m = L.Masking(mask_value=x[0, 2, 0])
    x2 = x.copy()
    x2[1, 2] = x[0, 2, 0]
    np.testing.assert_array_equal(m.compute_mask(x2).numpy(), np.any(x2 != x[0, 2, 0], -1))


@pytest.mark.parametrize("traced", [False, True])
def test_masking_then_lstm_skips_masked_steps(traced):
    x = normal(3, 5, 2)
    x[0, 1] = 0.0
    x[0, 4] = 0.0
    x[2, 0] = 0.0
    model = tf.keras.Sequential([tf.keras.Input((5, 2)), L.Masking(), L.LSTM(4)])
    k, r, b = model.layers[-1].get_weights()
    got = (tf.function(model) if traced else model)(x).numpy()
    for i in range(3):
        keep = np.any(x[i] != 0, -1)
        want = np_lstm(x[i:i + 1, keep].astype(np.float64), k, r, b)
        np.testing.assert_allclose(got[i:i + 1], want, rtol=1e-4, atol=1e-5)


def test_masking_functional_fit():
    inp = tf.keras.Input((5, 2))
    h = L.Masking()(inp)
    out = L.Dense(1)(L.LSTM(3)(h))
    model = tf.keras.Model(inp, out)
    model.compile("adam", "mse")
    x = normal(8, 5, 2)
    x[:, 3:] = 0.0
    hist = model.fit(x, normal(8, 1), epochs=2, batch_size=4, verbose=0)
    assert np.isfinite(hist.history["loss"]).all()
    # Trailing padding changes nothing once masked.
    x2 = x.copy()
    x2 = x2[:, :3]
    inp2 = tf.keras.Input((3, 2))
    model2 = tf.keras.Model(inp2, model.layers[-1](model.layers[-2](inp2)))
    np.testing.assert_allclose(model.predict(x, verbose=0), model2.predict(x2, verbose=0), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- UnitNormalization / RMSNormalization
@pytest.mark.parametrize("cls,kwargs,n_weights", [
    (L.UnitNormalization, {}, 0), (L.UnitNormalization, {"axis": [1, 2]}, 0), (L.RMSNormalization, {}, 1),
    (L.RMSNormalization, {"axis": [1, 2], "epsilon": 1e-3}, 1)])
def test_normalization_layers_run_layer_test(cls, kwargs, n_weights):
    run_layer_test(cls, kwargs, input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=n_weights, expected_num_non_trainable_weights=0)


def test_unit_and_rms_normalization_numerics():
    x = normal(3, 4, 5)
    for axis in (-1, 1, [1, 2]):
        ax = tuple(axis) if isinstance(axis, list) else axis
        want = x / np.sqrt(np.square(x).sum(axis=ax, keepdims=True))
        np.testing.assert_allclose(L.UnitNormalization(axis=axis)(x).numpy(), want, rtol=1e-5)
    np.testing.assert_array_equal(L.UnitNormalization()(np.zeros((1, 3), np.float32)).numpy(), 0.0)
    layer = L.RMSNormalization(epsilon=1e-3)
    layer(x)
    scale = normal(5)
    layer.set_weights([scale])
    want = x / np.sqrt(np.mean(np.square(x), -1, keepdims=True) + 1e-3) * scale
    np.testing.assert_allclose(layer(x).numpy(), want, rtol=1e-5)
    assert layer.scale.path == layer.name + "/scale" and layer.get_config()["axis"] == [-1]
    layer2 = L.RMSNormalization(axis=[1, 2])
    layer2(x)
    assert layer2.scale.shape.as_list() == [4, 5]
    want = x / np.sqrt(np.mean(np.square(x), (1, 2), keepdims=True) + 1e-6)
    np.testing.assert_allclose(tf.function(layer2)(x).numpy(), want, rtol=1e-5)
    assert L.UnitNormalization().get_config()["axis"] == -1
    with pytest.raises(TypeError, match="Invalid value for `axis`"):
        L.UnitNormalization(axis="x")


# ---------------------------------------------------------------- InputSpec
def test_input_spec_repr_config_and_checks():
    from tensorforge.keras.layers.input_spec import assert_input_compatibility
    spec = L.InputSpec(ndim=4, axes={-1: 3})
    assert repr(spec) == "InputSpec(ndim=4, axes={-1: 3})"
    assert spec.get_config() == {"dtype": None, "shape": None, "ndim": 4, "max_ndim": None, "min_ndim": None,
                                 "axes": {-1: 3}, "optional": False}
    assert L.InputSpec.from_config(spec.get_config()).axes == {-1: 3}
    s = L.InputSpec(shape=(None, 3), dtype="float32")
    assert s.ndim == 2 and s.shape == (None, 3) and s.dtype == "float32"
    x = tf.zeros([2, 4, 3])
    with pytest.raises(ValueError, match="Input 0 with name 'None' of layer 'l' is incompatible with the layer: "
                                         r"expected ndim=2, found ndim=3. Full shape received: \(2, 4, 3\)"):
        assert_input_compatibility(s, x, "l")
    with pytest.raises(ValueError, match="expected min_ndim=4"):
        assert_input_compatibility(L.InputSpec(min_ndim=4), x, "l")
    with pytest.raises(ValueError, match="expected max_ndim=2"):
        assert_input_compatibility(L.InputSpec(max_ndim=2), x, "l")
    with pytest.raises(ValueError, match="expected dtype=int32, found dtype=float32"):
        assert_input_compatibility(L.InputSpec(dtype="int32"), x, "l")
    with pytest.raises(ValueError, match=r"expected shape=\(None, 5, 3\), found shape=\(2, 4, 3\)"):
        assert_input_compatibility(L.InputSpec(shape=(None, 5, 3)), x, "l")
    assert_input_compatibility(L.InputSpec(shape=(None, 4, 3)), x, "l")
    assert_input_compatibility(L.InputSpec(shape=(None, 4), allow_last_axis_squeeze=True), tf.zeros([2, 4, 1]), "l")
    with pytest.raises(ValueError, match='expects 2 input\\(s\\), but it received 1'):
        assert_input_compatibility([L.InputSpec(), L.InputSpec()], [x], "l")
    with pytest.raises(TypeError, match="integer keys"):
        L.InputSpec(axes={"a": 1})
    with pytest.raises(ValueError, match="Axis 4 is greater than the maximum allowed value: 3"):
        L.InputSpec(ndim=4, axes={4: 1})


# ---------------------------------------------------------------- EinsumDense / AdditiveAttention
@pytest.mark.parametrize("equation,output_shape,bias_axes,in_shape,out_shape,kernel,bias", [
    ("ab,bc->ac", 4, "c", (2, 3), (2, 4), (3, 4), (4,)),
    ("abc,cde->abde", (None, 4, 5), "de", (2, 3, 6), (2, 3, 4, 5), (6, 4, 5), (4, 5)),
    ("abc,cd->abd", (3, 4), "b", (2, 3, 6), (2, 3, 4), (6, 4), (3, 1)),
    ("...b,bc->...c", 4, "c", (2, 5, 3), (2, 5, 4), (3, 4), (4,)),
    ("ab...,bc->ac...", 4, "c", (2, 3, 5), (2, 4, 5), (3, 4), (4, 1)),
    ("ab,bc->ac", 4, None, (2, 3), (2, 4), (3, 4), None),
])
def test_einsum_dense_shapes_and_numerics(equation, output_shape, bias_axes, in_shape, out_shape, kernel, bias):
    kw = {"equation": equation, "output_shape": output_shape, "bias_axes": bias_axes}
    layer = run_layer_test(L.EinsumDense, kw, input_shape=in_shape, expected_output_shape=out_shape,
                           expected_num_trainable_weights=1 if bias is None else 2)
    assert tuple(layer.kernel.shape.as_list()) == kernel and layer.kernel.path == layer.name + "/kernel"
    if bias is not None:
        assert tuple(layer.bias.shape.as_list()) == bias
    weights = [normal(*w.shape) for w in layer.get_weights()]
    layer.set_weights(weights)
    x = normal(*in_shape)
    want = np.einsum(equation, x, weights[0]) + (weights[1] if bias is not None else 0)
    np.testing.assert_allclose(layer(x).numpy(), want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(tf.function(layer)(x).numpy(), want, rtol=1e-5, atol=1e-5)
    got = layer.compute_output_shape((None,) + in_shape[1:])  # None where output_shape leaves it, as Keras
    assert len(got) == len(out_shape) and all(g in (None, o) for g, o in zip(got[1:], out_shape[1:]))


def test_einsum_dense_config_errors_and_fit():
    c = L.EinsumDense("ab,bc->ac", output_shape=4, bias_axes="c", activation="relu").get_config()
    assert c["output_shape"] == (4,) and c["activation"] == "relu" and c["quantization_config"] is None
    assert c["kernel_initializer"]["class_name"] == "GlorotUniform"
    with pytest.raises(ValueError, match="Invalid einsum equation"):
        L.EinsumDense("ab->b", output_shape=2)(normal(2, 3))
    with pytest.raises(ValueError, match="Bias dimension 'z' was requested"):
        L.EinsumDense("ab,bc->ac", output_shape=2, bias_axes="z")(normal(2, 3))
    with pytest.raises(ValueError, match="expected ndim=2, found ndim=3"):
        layer = L.EinsumDense("ab,bc->ac", output_shape=2)
        layer(normal(2, 3))
        layer(normal(2, 3, 3))
    model = tf.keras.Sequential([tf.keras.Input((5, 3)), L.EinsumDense("abc,cd->abd", (5, 4), bias_axes="d",
                                                                        activation="tanh"), L.Flatten(), L.Dense(1)])
    model.compile("adam", "mse")
    hist = model.fit(normal(16, 5, 3), normal(16, 1), epochs=3, batch_size=8, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]


def np_additive_attention(q, v, k, scale, v_mask=None, q_mask=None):
    scores = (scale * np.tanh(q[:, :, None, :] + k[:, None, :, :])).sum(-1)
    if v_mask is not None:
        scores = np.where(v_mask[:, None, :], scores, scores - 1e9)
    w = np.exp(scores - scores.max(-1, keepdims=True))
    w /= w.sum(-1, keepdims=True)
    out = w @ v
    if q_mask is not None:
        out = np.where(q_mask[..., None], out, 0.0)
    return out, w


def test_additive_attention():
    layer = L.AdditiveAttention()
    q, v, k = normal(2, 3, 4), normal(2, 5, 4), normal(2, 5, 4)
    layer([q, v])
    assert layer.scale.shape.as_list() == [4] and layer.scale.path == layer.name + "/scale"
    scale = normal(4)
    layer.set_weights([scale])
    out, w = layer([q, v, k], return_attention_scores=True)
    want_out, want_w = np_additive_attention(q, v, k, scale)
    np.testing.assert_allclose(out.numpy(), want_out, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w.numpy(), want_w, rtol=1e-5, atol=1e-6)
    v_mask = np.array([[1, 1, 0, 1, 0], [1, 1, 1, 1, 1]], bool)
    q_mask = np.array([[1, 0, 1], [1, 1, 1]], bool)
    got = tf.function(lambda a, b, c: layer([a, b, c], mask=[q_mask, v_mask]))(q, v, k)
    np.testing.assert_allclose(got.numpy(), np_additive_attention(q, v, k, scale, v_mask, q_mask)[0], rtol=1e-5,
                               atol=1e-6)
    no_scale = L.AdditiveAttention(use_scale=False)
    np.testing.assert_allclose(no_scale([q, v]).numpy(), np_additive_attention(q, v, v, 1.0)[0], rtol=1e-5,
                               atol=1e-6)
    assert not no_scale.weights
    c = layer.get_config()
    assert "score_mode" not in c and c["use_scale"] is True and c["dropout"] == 0.0
    run_layer_test(L.AdditiveAttention, {}, input_data=[q, v], expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=1)
    qi, vi = tf.keras.Input((3, 4)), tf.keras.Input((5, 4))
    model = tf.keras.Model([qi, vi], L.Dense(1)(L.GlobalAveragePooling1D()(L.AdditiveAttention(dropout=0.1)([qi, vi]))))
    model.compile("adam", "mse")
    hist = model.fit([normal(8, 3, 4), normal(8, 5, 4)], normal(8, 1), epochs=2, batch_size=4, verbose=0)
    assert np.isfinite(hist.history["loss"]).all()


# ---------------------------------------------------------------- image preprocessing
IMAGES = np.arange(2 * 5 * 6 * 3, dtype=np.float32).reshape(2, 5, 6, 3)


@pytest.mark.parametrize("cls,kwargs,out_shape", [
    (L.CenterCrop, {"height": 3, "width": 4}, (2, 3, 4, 3)), (L.RandomCrop, {"height": 3, "width": 4}, (2, 3, 4, 3)),
    (L.RandomZoom, {"height_factor": 0.2}, (2, 5, 6, 3)),
    (L.RandomTranslation, {"height_factor": 0.1, "width_factor": 0.2}, (2, 5, 6, 3)),
    (L.RandomContrast, {"factor": 0.3}, (2, 5, 6, 3)), (L.RandomBrightness, {"factor": 0.2}, (2, 5, 6, 3))])
def test_image_layers_shapes_config_tf_function_and_dataset(cls, kwargs, out_shape):
    layer = cls(**kwargs)
    assert tuple(layer(IMAGES).shape.as_list()) == out_shape
    assert tuple(layer(IMAGES[0]).shape.as_list()) == out_shape[1:]
    assert tuple(tf.function(lambda a: layer(a, training=True))(IMAGES).shape.as_list()) == out_shape
    ds = tf.data.Dataset.from_tensor_slices(IMAGES).map(lambda a: layer(a, training=True))
    assert [tuple(b.shape.as_list()) for b in ds] == [out_shape[1:]] * 2
    c = layer.get_config()
    assert cls.from_config(c).get_config() == c
    if cls is not L.CenterCrop:  # random layers: inference is the identity (RandomCrop too, as in Keras 3.15)
        np.testing.assert_array_equal(layer(IMAGES, training=False).numpy(), IMAGES)


def test_center_crop_numerics():
    np.testing.assert_array_equal(L.CenterCrop(3, 4)(IMAGES).numpy(), IMAGES[:, 1:4, 1:5])
    cf = np.moveaxis(IMAGES, -1, 1)
    np.testing.assert_array_equal(L.CenterCrop(3, 4, data_format="channels_first")(cf).numpy(), cf[:, :, 1:4, 1:5])
    # Larger than the image: centre crop to the aspect ratio, then resize.
    got = L.CenterCrop(8, 4)(IMAGES).numpy()
    want = tf.image.resize(IMAGES[:, :, 2:4], (8, 4)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-6)
    assert L.CenterCrop(3, 4)(IMAGES.astype(np.uint8)).dtype == tf.float32


def test_random_crop_window_is_contiguous_and_random():
    layer = L.RandomCrop(3, 4, seed=5)
    starts = set()
    for _ in range(20):
        out = layer(IMAGES).numpy()
        hs, ws = int(out[0, 0, 0, 0] // 18), int(out[0, 0, 0, 0] % 18 // 3)
        np.testing.assert_array_equal(out, IMAGES[:, hs:hs + 3, ws:ws + 4])
        starts.add((hs, ws))
    assert len(starts) > 2 and all(0 <= h <= 2 and 0 <= w <= 2 for h, w in starts)
    # Not larger than the window: Keras slices [hs:hs + height, ws:ws + width] from the aspect-ratio
    # box's start (here rows 0:8, columns 2:6) and resizes.
    small = L.RandomCrop(8, 4)(IMAGES).numpy()
    np.testing.assert_allclose(small, tf.image.resize(IMAGES[:, :, 2:6], (8, 4)).numpy(), rtol=1e-6)
    f = tf.function(lambda a: layer(a, training=True))
    out = f(IMAGES).numpy()
    hs, ws = int(out[0, 0, 0, 0] // 18), int(out[0, 0, 0, 0] % 18 // 3)
    np.testing.assert_array_equal(out, IMAGES[:, hs:hs + 3, ws:ws + 4])


def test_random_translation_and_zoom_numerics():
    # A fixed one-row shift down; the uncovered row is filled by reflection (row -1 -> row 0).
    out = L.RandomTranslation((0.2, 0.2), (0.0, 0.0))(IMAGES).numpy()
    np.testing.assert_allclose(out, IMAGES[:, [0, 0, 1, 2, 3]], rtol=1e-6)
    out = L.RandomTranslation((0.2, 0.2), (0.0, 0.0), fill_mode="constant", fill_value=-1.0)(IMAGES).numpy()
    np.testing.assert_allclose(out[:, 1:], IMAGES[:, :4], rtol=1e-6)
    np.testing.assert_array_equal(out[:, 0], -1.0)
    np.testing.assert_allclose(L.RandomZoom((0.0, 0.0))(IMAGES).numpy(), IMAGES, rtol=1e-6)
    # Zoom 1 + (-0.5): the output samples the input at 0.5 * (x - c) + c (bilinear), c the centre.
    out = L.RandomZoom((-0.5, -0.5), (-0.5, -0.5))(IMAGES).numpy()
    ys, xs = 0.5 * np.arange(5) + 1.0, 0.5 * np.arange(6) + 1.25
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    wy, wx = (ys - y0)[:, None, None], (xs - x0)[None, :, None]
    y1, x1 = np.minimum(y0 + 1, 4), np.minimum(x0 + 1, 5)
    im = IMAGES[0]
    want = ((1 - wy) * ((1 - wx) * im[y0][:, x0] + wx * im[y0][:, x1]) + wy * ((1 - wx) * im[y1][:, x0]
                                                                               + wx * im[y1][:, x1]))
    np.testing.assert_allclose(out[0], want, rtol=1e-5)


def test_random_contrast_and_brightness_numerics():
    x = RNG.uniform(50, 200, (4, 5, 6, 3)).astype(np.float32)
    out = L.RandomContrast((0.4, 0.4))(x).numpy()
    mean = x.mean(axis=(1, 2), keepdims=True)
    f = (out - mean) / (x - mean)
    assert np.allclose(f, f[:, :1, :1, :1], rtol=1e-3) and ((f >= 0.6 - 1e-3) & (f <= 1.4 + 1e-3)).all()
    out = L.RandomBrightness((0.1, 0.2), value_range=(0, 1000))(x).numpy()
    d = out - x
    assert np.allclose(d, d[:, :1, :1, :1], atol=1e-3) and ((d >= 100 - 1e-2) & (d <= 200 + 1e-2)).all()
    out = L.RandomBrightness(1.0)(x).numpy()
    assert out.min() >= 0 and out.max() <= 255
    assert L.RandomBrightness(0.2).get_config()["value_range"] == [0, 255]
    assert L.RandomContrast(0.3).get_config()["factor"] == (0, 0.3)
    with pytest.raises(ValueError, match="value_range"):
        L.RandomBrightness(0.2, value_range=5)


def test_image_augmentation_model_fit():
    model = tf.keras.Sequential([tf.keras.Input((5, 6, 3)), L.RandomTranslation(0.1, 0.1), L.RandomZoom(0.1),
                                 L.RandomContrast(0.2), L.RandomBrightness(0.1), L.CenterCrop(4, 4), L.Flatten(),
                                 L.Dense(1)])
    model.compile("adam", "mse")
    hist = model.fit(IMAGES / 255.0, np.ones((2, 1), np.float32), epochs=2, verbose=0)
    assert np.isfinite(hist.history["loss"]).all()
    np.testing.assert_allclose(model.predict(IMAGES / 255.0, verbose=0),
                               model.layers[-1](model.layers[-2](L.CenterCrop(4, 4)(IMAGES / 255.0))).numpy(),
                               rtol=1e-5)


def test_weight_and_activity_regularizers_reach_the_training_loss():
    model = tf.keras.Sequential([tf.keras.Input((3,)), L.Dense(2, kernel_regularizer="l2", activity_regularizer="l1",
                                                                 kernel_initializer="ones")])
    x = np.ones((4, 3), np.float32)
    model(x)
    reg, act = sorted(float(v) for v in model.losses)
    assert len(model.losses) == 2
    np.testing.assert_allclose(act, 0.01 * np.abs(x @ np.ones((3, 2))).sum() / 4, rtol=1e-6)  # per example
    np.testing.assert_allclose(reg, 0.01 * 6, rtol=1e-6)
    model(x)
    assert len(model.losses) == 2  # a new call replaces the last call's activity loss
    model.compile("sgd", "mse")
    loss = model.evaluate(np.ones((8, 3), np.float32), np.zeros((8, 2), np.float32), verbose=0)
    np.testing.assert_allclose(loss, 9.0 + act + reg, rtol=1e-5)  # mse of 3s, plus both regularizers


def test_keras_top_level_base_classes():
    k = tf.keras
    assert k.InputSpec is L.InputSpec and k.Layer is L.Layer
    assert issubclass(k.losses.MeanSquaredError, k.Loss) and issubclass(k.metrics.Mean, k.Metric)
    assert issubclass(k.optimizers.Adam, k.Optimizer) and isinstance(k.regularizers.L2(), k.Regularizer)
    assert isinstance(k.initializers.Zeros(), k.Initializer)


def test_discretization_buckets_adapts_and_encodes():
    layer = L.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    x = np.array([[-1.5, 1.0, 3.4, 0.5], [2.0, 0.0, -0.1, 1.99]], np.float32)
    out = layer(x)
    assert out.dtype == tf.int32
    np.testing.assert_array_equal(out.numpy(), np.digitize(x, [0.0, 1.0, 2.0]))
    traced = tf.function(lambda v: layer(v), input_signature=[tf.TensorSpec([None, 4], tf.float32)])
    np.testing.assert_array_equal(traced(x).numpy(), np.digitize(x, [0.0, 1.0, 2.0]))
    counts = L.Discretization(bin_boundaries=[0.0, 1.0], output_mode="count")(np.array([[0.5, 2.0, 0.7]]))
    assert counts.numpy().tolist() == [[0.0, 2.0, 1.0]]
    data = np.random.default_rng(0).normal(size=(4000,)).astype(np.float32)
    adapted = L.Discretization(num_bins=4, epsilon=0.01)
    adapted.adapt(data)
    np.testing.assert_allclose(adapted.bin_boundaries, np.quantile(data, [0.25, 0.5, 0.75]), atol=0.03)
    again = L.Discretization.from_config(adapted.get_config())
    assert again.bin_boundaries == adapted.bin_boundaries
    ds = tf.data.Dataset.from_tensor_slices(data[:8]).batch(4).map(adapted)
    np.testing.assert_array_equal(np.concatenate([b.numpy() for b in ds]),
                                  np.digitize(data[:8], adapted.bin_boundaries))
    with pytest.raises(ValueError, match="either `num_bins` or `bin_boundaries`"):
        L.Discretization()
    with pytest.raises(ValueError, match="Cannot adapt"):
        L.Discretization(bin_boundaries=[1.0]).adapt(data)
