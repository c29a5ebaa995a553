"""tf.keras.mixed_precision: dtype policies, autocasting in layers, LossScaleOptimizer and
compile's automatic loss scaling (behaviour as Keras 3's)."""
import numpy as np
import pytest

import tensorforge as tf

keras = tf.keras
mp = keras.mixed_precision


@pytest.fixture
def mixed():
    mp.set_global_policy("mixed_float16")
    yield
    mp.set_global_policy(None)


def test_policy_names_dtypes_and_errors():
    p = mp.Policy("mixed_float16")
    assert (p.compute_dtype, p.variable_dtype, p.name) == ("float16", "float32", "mixed_float16")
    assert repr(p) == '<DTypePolicy "mixed_float16">' and p.get_config() == {"name": "mixed_float16"}
    assert mp.DTypePolicy.from_config(p.get_config()) == p
    b = keras.DTypePolicy("mixed_bfloat16")
    assert (b.compute_dtype, b.variable_dtype) == ("bfloat16", "float32")
    assert keras.DTypePolicy("float64").compute_dtype == "float64"
    assert mp.global_policy().name == "float32"
    with pytest.raises(ValueError, match="Cannot convert 'foo' to a mixed precision DTypePolicy"):
        mp.Policy("foo")
    with pytest.raises(TypeError, match="'name' must be a string"):
        mp.Policy(3)
    with pytest.raises(ValueError, match="floating-point policies"):
        mp.set_global_policy("int32")


def test_layers_store_float32_and_compute_float16(mixed):
    dense = keras.layers.Dense(3)
    head = keras.layers.Activation("softmax", dtype="float32")
    x = np.random.RandomState(0).rand(5, 4).astype("float32")
    y = dense(x)
    assert dense.kernel.dtype == tf.float32 and dense.compute_dtype == tf.float16
    assert y.dtype == tf.float16 and head(y).dtype == tf.float32
    expected = x.astype(np.float16) @ dense.kernel.numpy().astype(np.float16) + dense.bias.numpy().astype(np.float16)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-3, atol=1e-3)
    assert dense.get_config()["dtype"]["config"]["name"] == "mixed_float16"
    # Gradients reach the float32 weights through the casts.
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.cast(dense(x), tf.float32))
    g = tape.gradient(loss, dense.kernel)
    assert g.dtype == tf.float32
    np.testing.assert_allclose(g.numpy(), np.repeat(x.sum(0)[:, None], 3, 1), rtol=1e-2)
    # A layer rebuilt from its config keeps the policy.
    assert keras.layers.Dense.from_config(dense.get_config()).compute_dtype == tf.float16


def test_loss_scale_optimizer_skips_non_finite_steps_and_grows():
    opt = mp.LossScaleOptimizer(keras.optimizers.SGD(0.5), initial_scale=8.0, dynamic_growth_steps=2)
    v = tf.Variable([1.0, 2.0])
    assert float(opt.scale_loss(tf.constant(2.0))) == 16.0
    opt.apply([tf.constant([np.inf, 1.0])], [v])
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])  # skipped
    assert float(opt.dynamic_scale.numpy()) == 4.0 and int(opt.iterations.numpy()) == 0

    @tf.function
    def step(g):
        opt.apply([g], [v])

    step(tf.constant([4.0, 8.0]))  # gradients arrive scaled by 4: SGD sees [1, 2]
    np.testing.assert_allclose(v.numpy(), [0.5, 1.0])
    assert int(opt.step_counter.numpy()) == 1 and float(opt.dynamic_scale.numpy()) == 4.0
    step(tf.constant([0.0, 0.0]))
    assert int(opt.step_counter.numpy()) == 0 and float(opt.dynamic_scale.numpy()) == 8.0  # grew after 2 steps
    step(tf.constant([np.nan, 0.0]))
    assert float(opt.dynamic_scale.numpy()) == 4.0 and int(opt.iterations.numpy()) == 2
    assert [x.path for x in opt.variables][:4] == ["loss_scale_optimizer/iteration", "loss_scale_optimizer/learning_rate",
                                                  "loss_scale_optimizer/step_counter",
                                                  "loss_scale_optimizer/dynamic_scale"]
    again = keras.optimizers.deserialize(keras.optimizers.serialize(opt))
    assert isinstance(again, mp.LossScaleOptimizer) and isinstance(again.inner_optimizer, keras.optimizers.SGD)
    assert (again.initial_scale, again.dynamic_growth_steps) == (8.0, 2)
    with pytest.raises(ValueError, match="does not support `clipnorm`"):
        mp.LossScaleOptimizer(keras.optimizers.SGD(), clipnorm=1.0)


def test_compile_wraps_optimizer_and_fit_trains(mixed):
    rng = np.random.RandomState(0)
    x = rng.rand(256, 4).astype("float32")
    y = (x.sum(1) > 2).astype("int32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(2), keras.layers.Activation("softmax", dtype="float32")])
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
    assert isinstance(model.optimizer, mp.LossScaleOptimizer)
    assert isinstance(model.optimizer.inner_optimizer, keras.optimizers.Adam)
    hist = model.fit(x, y, epochs=8, batch_size=32, verbose=0).history
    assert np.all(np.isfinite(hist["loss"])) and hist["loss"][-1] < hist["loss"][0] * 0.8
    assert hist["accuracy"][-1] > 0.8
    assert int(model.optimizer.iterations.numpy()) == 8 * 8
    assert model.layers[0].kernel.dtype == tf.float32
    model.compile("sgd", "mse", auto_scale_loss=False)
    assert isinstance(model.optimizer, keras.optimizers.SGD)


def test_loss_scale_factor_scales_the_loss_in_fit():
    """Keras multiplies the loss by `loss_scale_factor` and divides the gradients by it: fit's result
    is that of the unscaled optimizer."""
    rng = np.random.RandomState(1)
    x, y = rng.rand(64, 3).astype("float32"), rng.rand(64, 1).astype("float32")
    weights = []
    for factor in (None, 128.0):
        tf.keras.utils.set_random_seed(3)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(keras.optimizers.SGD(0.1, loss_scale_factor=factor), "mse")
        model.fit(x, y, epochs=2, batch_size=16, verbose=0, shuffle=False)
        weights.append(model.get_weights())
    for a, b in zip(*weights):
        np.testing.assert_allclose(a, b, rtol=1e-5)
