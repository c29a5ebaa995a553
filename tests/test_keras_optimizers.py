"""tf.keras optimizers (against NumPy versions of Keras 3's update rules), learning-rate schedules,
initializers, regularizers, constraints and activations."""
import math
import random
import warnings

import numpy as np
import pytest

import tensorforge as tf

K = tf.keras
S = tf.keras.optimizers.schedules

# ---------------------------------------------------------------- a quadratic problem
W0 = np.array([[0.3, -1.2, 0.8, 2.0], [-0.5, 0.1, 1.5, -2.2], [0.9, -0.7, 0.05, 1.1]], np.float32)
B0 = np.array([0.4, -0.3, 1.7, -0.9], np.float32)
COEF = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
TARGET = np.float32(0.5)


def _np_grads(w, b):
    """Gradients of sum(coef * (w - 0.5)^2) + sum(3 sin(b)), in float32."""
    return 2.0 * COEF * (w - TARGET), np.float32(3.0) * np.cos(b).astype(np.float32)


def _loss(w, b):
    return tf.reduce_sum(tf.constant(COEF) * (w - 0.5) ** 2) + tf.reduce_sum(tf.sin(b) * 3.0)


def _run(opt, steps=5, traced=False):
    w, b = tf.Variable(W0), tf.Variable(B0)

    def step():
        with tf.GradientTape() as tape:
            loss = _loss(w, b)
        gw, gb = tape.gradient(loss, [w, b])
        opt.apply_gradients([(gw, w), (gb, b)])

    if traced:
        step = tf.function(step)
    for _ in range(steps):
        step()
    return w.numpy(), b.numpy()


def _reference(update, steps=5, **hp):
    """Runs `update(p, g, state, t, **hp) -> new p` on both variables for `steps` steps."""
    params = [W0.copy(), B0.copy()]
    states = [{}, {}]
    for t in range(1, steps + 1):
        grads = _np_grads(*params)
        params = [update(p, g, s, t, **hp).astype(np.float32) for p, g, s in zip(params, grads, states)]
    return params


def _slot(state, name, like, init=0.0):
    return state.get(name, np.full_like(like, init))


# Keras 3's update rules, written once more in NumPy.
def np_sgd(p, g, s, t, lr, momentum=0.0, nesterov=False):
    if momentum == 0:
        return p - g * lr
    m = _slot(s, "m", p) * momentum - g * lr
    s["m"] = m
    return p + (m * momentum - g * lr if nesterov else m)


def np_adam(p, g, s, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
    m = _slot(s, "m", p)
    v = _slot(s, "v", p)
    m = m + (g - m) * (1 - beta_1)
    v = v + (g * g - v) * (1 - beta_2)
    s["m"], s["v"] = m, v
    if amsgrad:
        v = s["vh"] = np.maximum(_slot(s, "vh", p), v)
    alpha = lr * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    return p - m * alpha / (np.sqrt(v) + epsilon)


def np_adamw(p, g, s, t, lr, weight_decay, **kw):
    return np_adam(p - p * weight_decay * lr, g, s, t, lr, **kw)


def np_adamax(p, g, s, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = s["m"] = _slot(s, "m", p) + (g - _slot(s, "m", p)) * (1 - beta_1)
    u = s["u"] = np.maximum(beta_2 * _slot(s, "u", p), np.abs(g))
    return p - lr * m / ((1 - beta_1 ** t) * (u + epsilon))


def np_nadam(p, g, s, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    u_prev = s.get("u_product", 1.0)
    u_t = beta_1 * (1 - 0.5 * 0.96 ** t)
    u_t_1 = beta_1 * (1 - 0.5 * 0.96 ** (t + 1))
    u_product = s["u_product"] = u_prev * u_t
    m = s["m"] = _slot(s, "m", p) + (g - _slot(s, "m", p)) * (1 - beta_1)
    v = s["v"] = _slot(s, "v", p) + (g * g - _slot(s, "v", p)) * (1 - beta_2)
    m_hat = u_t_1 * m / (1 - u_product * u_t_1) + (1 - u_t) * g / (1 - u_product)
    v_hat = v / (1 - beta_2 ** t)
    return p - m_hat * lr / (np.sqrt(v_hat) + epsilon)


def np_rmsprop(p, g, s, t, lr, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    v = s["v"] = rho * _slot(s, "v", p) + (1 - rho) * g * g
    if centered:
        mg = s["mg"] = rho * _slot(s, "mg", p) + (1 - rho) * g
        denominator = v - mg * mg + epsilon
    else:
        denominator = v + epsilon
    increment = lr * g / np.sqrt(denominator)
    if momentum > 0:
        m = s["m"] = momentum * _slot(s, "m", p) + increment
        return p - m
    return p - increment


def np_adagrad(p, g, s, t, lr, initial_accumulator_value=0.1, epsilon=1e-7):
    a = s["a"] = _slot(s, "a", p, initial_accumulator_value) + g * g
    return p - lr * g / np.sqrt(a + epsilon)


def np_adadelta(p, g, s, t, lr, rho=0.95, epsilon=1e-7):
    a = s["a"] = rho * _slot(s, "a", p) + (1 - rho) * g * g
    d = -np.sqrt(_slot(s, "d", p) + epsilon) * g / np.sqrt(a + epsilon)
    s["d"] = rho * _slot(s, "d", p) + (1 - rho) * d * d
    return p + lr * d


def np_lion(p, g, s, t, lr, beta_1=0.9, beta_2=0.99):
    m = _slot(s, "m", p)
    p = p - lr * np.sign(m * beta_1 + g * (1 - beta_1))
    s["m"] = m * beta_2 + g * (1 - beta_2)
    return p


def np_ftrl(p, g, s, t, lr, learning_rate_power=-0.5, initial_accumulator_value=0.1, l1_regularization_strength=0.0,
            l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0, beta=0.0):
    accum = _slot(s, "accum", p, initial_accumulator_value)
    linear = _slot(s, "linear", p)
    l2 = l2_regularization_strength + beta / (2.0 * lr)
    new_accum = accum + g * g
    linear = linear + (g + 2 * l2_shrinkage_regularization_strength * p
                       - (new_accum ** -learning_rate_power - accum ** -learning_rate_power) / lr * p)
    quadratic = new_accum ** -learning_rate_power / lr + 2 * l2
    l1 = l1_regularization_strength
    s["accum"], s["linear"] = new_accum, linear
    return (np.clip(linear, -l1, l1) - linear) / quadratic


def _rms(x):
    return np.sqrt(np.mean(x * x))


def np_adafactor(p, g, s, t, lr, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3, clip_threshold=1.0,
                 relative_step=True):
    if relative_step:
        lr = min(lr, 1 / np.sqrt(t))
    rho = min(lr, 1 / np.sqrt(t))
    alpha = max(epsilon_2, _rms(p)) * rho
    g2 = g * g + epsilon_1
    beta_2 = 1 - t ** beta_2_decay
    if p.ndim >= 2:  # factored: a row and a column mean of the squared gradients
        r = s["r"] = beta_2 * _slot(s, "r", p[..., 0]) + (1 - beta_2) * g2.mean(axis=-1)
        c = s["c"] = beta_2 * _slot(s, "c", p[..., 0, :]) + (1 - beta_2) * g2.mean(axis=-2)
        v = (r / r.mean(axis=-1, keepdims=True))[..., None] * c[..., None, :]
    else:
        v = s["v"] = beta_2 * _slot(s, "v", p) + (1 - beta_2) * g2
    u = g / np.sqrt(v)
    return p - alpha * u / max(1.0, _rms(u) / clip_threshold)


def np_lamb(p, g, s, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = s["m"] = _slot(s, "m", p) + (g - _slot(s, "m", p)) * (1 - beta_1)
    v = s["v"] = _slot(s, "v", p) + (g * g - _slot(s, "v", p)) * (1 - beta_2)
    update = (m / (1 - beta_1 ** t)) / (np.sqrt(v / (1 - beta_2 ** t)) + epsilon)
    w_norm, u_norm = np.linalg.norm(p), np.linalg.norm(update)
    ratio = w_norm / u_norm if w_norm > 0 and u_norm > 0 else 1.0
    return p - ratio * lr * update


def np_muon(p, g, s, t, lr, weight_decay=0.004, adam_weight_decay=0.004, momentum=0.95, rms_rate=0.2):
    if p.ndim != 2:  # biases take AdamW steps
        return np_adamw(p, g, s, t, lr, adam_weight_decay)
    p = p - p * weight_decay * lr
    m = s["m"] = _slot(s, "m", p) + g + _slot(s, "m", p) * (momentum - 1)
    x = g + momentum * m  # Nesterov
    tall = x.shape[0] > x.shape[1]
    x = x.T if tall else x
    x = x / (np.linalg.norm(x) + 1e-7)
    for _ in range(5):  # the quintic Newton-Schulz iteration towards the orthogonal factor
        a = x @ x.T
        x = 3.4445 * x + (-4.7750 * a + 2.0315 * a @ a) @ x
    x = x.T if tall else x
    return p - lr * x * np.sqrt(max(p.shape)) * rms_rate


OPTIMIZERS = [
    ("sgd", lambda: K.optimizers.SGD(0.1), np_sgd, dict(lr=0.1)),
    ("sgd_momentum", lambda: K.optimizers.SGD(0.05, momentum=0.9), np_sgd, dict(lr=0.05, momentum=0.9)),
    ("sgd_nesterov", lambda: K.optimizers.SGD(0.05, momentum=0.9, nesterov=True), np_sgd,
     dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("adam", lambda: K.optimizers.Adam(0.01), np_adam, dict(lr=0.01)),
    ("adam_amsgrad", lambda: K.optimizers.Adam(0.02, beta_1=0.8, amsgrad=True), np_adam,
     dict(lr=0.02, beta_1=0.8, amsgrad=True)),
    ("adamw", lambda: K.optimizers.AdamW(0.01, weight_decay=0.1), np_adamw, dict(lr=0.01, weight_decay=0.1)),
    ("adamax", lambda: K.optimizers.Adamax(0.01), np_adamax, dict(lr=0.01)),
    ("nadam", lambda: K.optimizers.Nadam(0.01), np_nadam, dict(lr=0.01)),
    ("rmsprop", lambda: K.optimizers.RMSprop(0.01), np_rmsprop, dict(lr=0.01)),
    ("rmsprop_centered", lambda: K.optimizers.RMSprop(0.01, momentum=0.5, centered=True), np_rmsprop,
     dict(lr=0.01, momentum=0.5, centered=True)),
    ("adagrad", lambda: K.optimizers.Adagrad(0.1), np_adagrad, dict(lr=0.1)),
    ("adadelta", lambda: K.optimizers.Adadelta(1.0), np_adadelta, dict(lr=1.0)),
    ("lion", lambda: K.optimizers.Lion(0.01), np_lion, dict(lr=0.01)),
    ("ftrl", lambda: K.optimizers.Ftrl(0.1, l1_regularization_strength=0.01, l2_regularization_strength=0.02,
                                       l2_shrinkage_regularization_strength=0.01, beta=0.1), np_ftrl,
     dict(lr=0.1, l1_regularization_strength=0.01, l2_regularization_strength=0.02,
          l2_shrinkage_regularization_strength=0.01, beta=0.1)),
    ("adafactor", lambda: K.optimizers.Adafactor(0.05), np_adafactor, dict(lr=0.05)),
    ("adafactor_absolute", lambda: K.optimizers.Adafactor(0.05, relative_step=False, clip_threshold=0.5),
     np_adafactor, dict(lr=0.05, relative_step=False, clip_threshold=0.5)),
    ("lamb", lambda: K.optimizers.Lamb(0.01), np_lamb, dict(lr=0.01)),
    ("muon", lambda: K.optimizers.Muon(0.02), np_muon, dict(lr=0.02)),
]


@pytest.mark.parametrize("name,make,update,hp", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_optimizer_matches_numpy_reference(name, make, update, hp):
    got = _run(make())
    want = _reference(update, **hp)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name,make,update,hp", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_optimizer_in_tf_function_matches_eager(name, make, update, hp):
    eager = _run(make())
    traced = _run(make(), traced=True)
    for e, t in zip(eager, traced):
        np.testing.assert_allclose(t, e, rtol=1e-6, atol=1e-7)


def test_traced_step_reads_learning_rate_and_iterations_every_call():
    w = tf.Variable([1.0, 2.0])
    opt = K.optimizers.Adam(0.1)

    @tf.function
    def step():
        opt.apply_gradients([(tf.constant([1.0, -1.0]), w)])

    step()
    opt.learning_rate = 0.0
    before = w.numpy()
    step()
    np.testing.assert_array_equal(w.numpy(), before)
    opt.learning_rate = 0.1
    step()
    assert int(opt.iterations) == 3 and step.experimental_get_tracing_count() == 1
    # Adam's bias correction at t = 3 with a constant gradient: the step is lr * (1 - b1^3)/(1 - b1^3) = lr
    np.testing.assert_allclose(before - w.numpy(), [0.1, -0.1], rtol=1e-4)


# ---------------------------------------------------------------- base-class options
def test_clipnorm_clipvalue_global_clipnorm():
    def run(**kw):
        return _run(K.optimizers.SGD(0.1, **kw), steps=1)
    gw, gb = _np_grads(W0, B0)
    cn = [g * 0.5 / max(np.sqrt(np.sum(g * g)), 0.5) for g in (gw, gb)]
    for got, g, p in zip(run(clipnorm=0.5), cn, (W0, B0)):
        np.testing.assert_allclose(got, p - 0.1 * g, rtol=1e-5)
    for got, g, p in zip(run(clipvalue=0.3), (gw, gb), (W0, B0)):
        np.testing.assert_allclose(got, p - 0.1 * np.clip(g, -0.3, 0.3), rtol=1e-5)
    norm = np.sqrt(np.sum(gw * gw) + np.sum(gb * gb))
    for got, g, p in zip(run(global_clipnorm=0.7), (gw, gb), (W0, B0)):
        np.testing.assert_allclose(got, p - 0.1 * g * 0.7 / norm, rtol=1e-5)
    with pytest.raises(ValueError, match="Only one of"):
        K.optimizers.SGD(clipnorm=1.0, clipvalue=1.0)


def test_weight_decay_is_decoupled_and_can_exclude_variables():
    got = _run(K.optimizers.SGD(0.1, weight_decay=0.05), steps=3)
    want = _reference(lambda p, g, s, t: (p - p * 0.05 * 0.1) - g * 0.1, steps=3)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5)
    w, b = tf.Variable(W0), tf.Variable(B0, name="bias")
    opt = K.optimizers.AdamW(0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply_gradients([(tf.zeros_like(W0), w), (tf.zeros_like(B0), b)])
    np.testing.assert_allclose(w.numpy(), W0 * (1 - 0.05), rtol=1e-6)
    np.testing.assert_array_equal(b.numpy(), B0)
    with pytest.raises(ValueError, match="before the optimizer is built"):
        opt.exclude_from_weight_decay(var_names=["x"])
    with pytest.raises(ValueError, match="weight_decay"):
        K.optimizers.AdamW(weight_decay=None)


@pytest.mark.parametrize("traced", [False, True])
def test_ema_and_finalize_variable_values(traced):
    opt = K.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.9)
    w, b = tf.Variable(W0), tf.Variable(B0)

    def step():
        with tf.GradientTape() as tape:
            loss = _loss(w, b)
        opt.apply_gradients(zip(tape.gradient(loss, [w, b]), [w, b]))

    step = tf.function(step) if traced else step
    params, averages = [W0.copy(), B0.copy()], None
    for t in range(4):
        step()
        grads = _np_grads(*params)
        params = [p - 0.1 * g for p, g in zip(params, grads)]
        momentum = 0.0 if t == 0 else 0.9
        averages = params if averages is None else [momentum * a + (1 - momentum) * p for a, p in zip(averages, params)]
    np.testing.assert_allclose(w.numpy(), params[0], rtol=1e-5)
    opt.finalize_variable_values([w, b])
    np.testing.assert_allclose(w.numpy(), averages[0], rtol=1e-5)
    np.testing.assert_allclose(b.numpy(), averages[1], rtol=1e-5)


def test_ema_overwrite_frequency():
    w = tf.Variable([1.0])
    opt = K.optimizers.SGD(0.5, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=2)
    values = []
    for _ in range(2):
        opt.apply_gradients([(tf.constant([1.0]), w)])
        values.append(float(w.numpy()[0]))
    # step 1: w = 0.5, avg = 0.5; step 2: w = 0.0, avg = 0.25, then w is overwritten by avg
    assert values == [0.5, 0.25]


def test_gradient_accumulation_averages_every_n_steps():
    w = tf.Variable([1.0, 1.0])
    opt = K.optimizers.SGD(1.0, gradient_accumulation_steps=2)
    opt.apply_gradients([(tf.constant([1.0, 2.0]), w)])
    np.testing.assert_array_equal(w.numpy(), [1.0, 1.0])
    opt.apply_gradients([(tf.constant([3.0, 0.0]), w)])
    np.testing.assert_allclose(w.numpy(), [-1.0, 0.0])
    assert int(opt.iterations) == 1 and int(opt._iterations) == 2
    with pytest.raises(ValueError, match="gradient_accumulation_steps"):
        K.optimizers.SGD(gradient_accumulation_steps=1)


def test_gradient_accumulation_in_tf_function():
    w = tf.Variable([1.0, 1.0])
    opt = K.optimizers.Adam(0.1, gradient_accumulation_steps=2)
    step = tf.function(lambda g: opt.apply_gradients([(g, w)]))
    step(tf.constant([1.0, 2.0]))
    np.testing.assert_array_equal(w.numpy(), [1.0, 1.0])
    step(tf.constant([3.0, 0.0]))
    # one Adam step (t = 1) with the mean gradient [2, 1]: each coordinate moves by about lr
    np.testing.assert_allclose(w.numpy(), [0.9, 0.9], rtol=1e-5)


def test_loss_scale_factor_unscales_gradients():
    w = tf.Variable([1.0])
    opt = K.optimizers.SGD(0.1, loss_scale_factor=4.0)
    assert float(opt.scale_loss(tf.constant(2.0))) == 8.0
    opt.apply_gradients([(tf.constant([8.0]), w)])
    np.testing.assert_allclose(w.numpy(), [0.8])


def test_constraint_is_applied_after_the_update():
    w = tf.Variable([0.1, 1.0], constraint=K.constraints.NonNeg())
    K.optimizers.SGD(1.0).apply_gradients([(tf.constant([0.5, 0.5]), w)])
    np.testing.assert_allclose(w.numpy(), [0.0, 0.5])


def test_none_gradients_are_skipped_with_a_warning():
    w, b = tf.Variable([1.0]), tf.Variable([2.0])
    opt = K.optimizers.SGD(0.1)
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        opt.apply_gradients([(tf.constant([1.0]), w), (None, b)])
    np.testing.assert_allclose(w.numpy(), [0.9])
    assert float(b.numpy()[0]) == 2.0 and int(opt.iterations) == 1
    with pytest.raises(ValueError, match="No gradients provided"):
        opt.apply_gradients([(None, w)])


def test_unknown_variable_and_apply_without_variables():
    w = tf.Variable([1.0])
    opt = K.optimizers.SGD(0.1)
    with pytest.raises(ValueError, match="must already be built"):
        opt.apply([tf.constant([1.0])])
    opt.build([w])
    opt.apply([tf.constant([1.0])])
    np.testing.assert_allclose(w.numpy(), [0.9])
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.apply_gradients([(tf.constant([1.0]), tf.Variable([0.0]))])


def test_minimize_with_callable_loss_and_with_tape():
    w = tf.Variable(3.0)
    opt = K.optimizers.SGD(0.25)
    opt.minimize(lambda: w * w, [w])
    assert float(w) == pytest.approx(1.5)
    with tf.GradientTape() as tape:
        loss = w * w
    opt.minimize(loss, [w], tape=tape)
    assert float(w) == pytest.approx(0.75) and int(opt.iterations) == 2
    with pytest.raises(ValueError, match="tape"):
        opt.minimize(w * w, [w])


# ---------------------------------------------------------------- sparse gradients
def test_indexed_slices_match_dense_gradients_with_unique_rows():
    table = np.arange(15, dtype=np.float32).reshape(5, 3) / 10.0
    for make in (lambda: K.optimizers.SGD(0.1), lambda: K.optimizers.SGD(0.1, momentum=0.9),
                 lambda: K.optimizers.Adam(0.1), lambda: K.optimizers.Adagrad(0.1), lambda: K.optimizers.RMSprop(0.1),
                 lambda: K.optimizers.Adadelta(1.0), lambda: K.optimizers.Nadam(0.1), lambda: K.optimizers.Lion(0.1)):
        sparse_var, dense_var = tf.Variable(table), tf.Variable(table)
        sparse_opt, dense_opt = make(), make()
        for i in range(3):
            values = tf.ones((3, 3)) * (10.0 - i)
            sparse = tf.IndexedSlices(values, tf.constant([0, 2, 4]), tf.constant([5, 3]))
            dense = tf.math.unsorted_segment_sum(values, tf.constant([0, 2, 4]), 5)
            sparse_opt.apply_gradients([(sparse, sparse_var)])
            dense_opt.apply_gradients([(dense, dense_var)])
        np.testing.assert_allclose(sparse_var.numpy(), dense_var.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("traced", [False, True])
def test_gather_gradient_with_duplicate_rows(traced):
    # Keras squares each row of a sparse gradient before the duplicates are summed.
    table = tf.Variable(np.ones((4, 2), np.float32))
    opt = K.optimizers.Adagrad(0.1, initial_accumulator_value=0.0, epsilon=0.0)

    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.gather(table, [1, 1, 3]) * tf.constant([[1.0], [2.0], [4.0]]))
        grad = tape.gradient(loss, table)
        assert isinstance(grad, tf.IndexedSlices)
        opt.apply_gradients([(grad, table)])

    (tf.function(step) if traced else step)()
    # row 1: g = 1 + 2 = 3, accumulator = 1 + 4 = 5; row 3: g = 4, accumulator = 16
    want = np.ones((4, 2), np.float32)
    want[1] -= 0.1 * 3 / np.sqrt(5.0)
    want[3] -= 0.1 * 4 / 4.0
    np.testing.assert_allclose(table.numpy(), want, rtol=1e-6)


# ---------------------------------------------------------------- learning rate and schedules
def test_learning_rate_property_and_setter():
    opt = K.optimizers.Adam(0.01)
    assert isinstance(opt.learning_rate, tf.Variable)
    assert opt.learning_rate.dtype == tf.float32
    opt.learning_rate = 0.5
    assert float(opt.learning_rate) == 0.5 and opt.get_config()["learning_rate"] == 0.5
    with pytest.raises(ValueError, match="learning_rate"):
        K.optimizers.SGD(1)
    sched = K.optimizers.Adam(S.ExponentialDecay(0.1, 2, 0.5))
    with pytest.raises(TypeError, match="not settable"):
        sched.learning_rate = 0.2
    assert len(sched.variables) == 1
    opt.learning_rate = S.ExponentialDecay(0.1, 2, 0.5)  # replacing the rate variable untracks it
    assert [v.path for v in opt.variables] == ["%s/iteration" % opt.name]
    calls = K.optimizers.SGD(lambda: 0.25)
    assert calls.learning_rate == 0.25


def test_schedule_follows_iterations():
    w = tf.Variable([0.0])
    opt = K.optimizers.SGD(S.PiecewiseConstantDecay([1], [1.0, 0.5]))
    step = tf.function(lambda: opt.apply_gradients([(tf.constant([1.0]), w)]))
    for _ in range(3):
        step()
    # rates at iterations 0, 1, 2: 1.0, 1.0, 0.5
    np.testing.assert_allclose(w.numpy(), [-2.5])


STEPS = [0, 1, 2, 3, 4, 5, 7, 10, 13, 20]


def _cosine(step, decay_steps, alpha, initial):
    step = min(step, decay_steps)
    return initial * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * step / decay_steps)) + alpha)


def _cosine_restarts(step, first, t_mul, m_mul, alpha, initial):
    frac = step / first
    if t_mul == 1.0:
        i = math.floor(frac)
        frac -= i
    else:
        i = math.floor(math.log(1 - frac * (1 - t_mul)) / math.log(t_mul))
        frac = (frac - (1 - t_mul ** i) / (1 - t_mul)) / t_mul ** i
    return initial * ((1 - alpha) * 0.5 * m_mul ** i * (1 + math.cos(math.pi * frac)) + alpha)


def _cosine_warmup(step, decay_steps, alpha, initial, target, warmup):
    step = min(step, decay_steps + warmup)
    if step < warmup:
        return (target - initial) * step / warmup + initial
    return _cosine(step - warmup, decay_steps, alpha, target)


def _poly_cycle(step, initial, decay_steps, end, power):
    steps = decay_steps * (1.0 if step == 0 else math.ceil(step / decay_steps))
    return (initial - end) * (1 - step / steps) ** power + end


SCHEDULES = [
    (S.ExponentialDecay(0.1, 3, 0.5), lambda s: 0.1 * 0.5 ** (s / 3)),
    (S.ExponentialDecay(0.1, 3, 0.5, staircase=True), lambda s: 0.1 * 0.5 ** (s // 3)),
    (S.PiecewiseConstantDecay([2, 5], [1.0, 0.5, 0.1]), lambda s: 1.0 if s <= 2 else 0.5 if s <= 5 else 0.1),
    (S.PolynomialDecay(0.1, 4), lambda s: (0.1 - 1e-4) * (1 - min(s, 4) / 4) + 1e-4),
    (S.PolynomialDecay(0.1, 4, 0.01, power=0.5, cycle=True), lambda s: _poly_cycle(s, 0.1, 4, 0.01, 0.5)),
    (S.InverseTimeDecay(0.1, 2, 0.3), lambda s: 0.1 / (1 + 0.3 * s / 2)),
    (S.InverseTimeDecay(0.1, 2, 0.3, staircase=True), lambda s: 0.1 / (1 + 0.3 * (s // 2))),
    (S.CosineDecay(0.1, 5), lambda s: _cosine(s, 5, 0.0, 0.1)),
    (S.CosineDecay(0.1, 5, alpha=0.2, warmup_target=0.3, warmup_steps=3),
     lambda s: _cosine_warmup(s, 5, 0.2, 0.1, 0.3, 3)),
    (S.CosineDecayRestarts(0.1, 3), lambda s: _cosine_restarts(s, 3, 2.0, 1.0, 0.0, 0.1)),
    (S.CosineDecayRestarts(0.1, 3, t_mul=1.0, m_mul=0.7, alpha=0.05),
     lambda s: _cosine_restarts(s, 3, 1.0, 0.7, 0.05, 0.1)),
]


@pytest.mark.parametrize("schedule,formula", SCHEDULES, ids=[type(s).__name__ for s, _ in SCHEDULES])
def test_schedule_values(schedule, formula):
    got = [float(schedule(s)) for s in STEPS]
    np.testing.assert_allclose(got, [formula(s) for s in STEPS], rtol=1e-5, atol=1e-7)
    traced = tf.function(lambda step: schedule(step))
    np.testing.assert_allclose([float(traced(tf.constant(s, tf.int64))) for s in STEPS], got, rtol=1e-6)
    config = S.serialize(schedule)
    assert config["module"] == "keras.optimizers.schedules" and config["class_name"] == type(schedule).__name__
    assert S.deserialize(config).get_config() == schedule.get_config()


def test_schedule_validation():
    with pytest.raises(ValueError, match="decay_steps"):
        S.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="1 less than"):
        S.PiecewiseConstantDecay([1, 2], [0.1])
    with pytest.raises(NotImplementedError):
        S.LearningRateSchedule()(1)


# ---------------------------------------------------------------- configs and lookups
KERAS_BASE_KEYS = ["name", "learning_rate", "weight_decay", "clipnorm", "global_clipnorm", "clipvalue", "use_ema",
                   "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor", "gradient_accumulation_steps"]
EXTRA_KEYS = {"SGD": ["momentum", "nesterov"], "Adam": ["beta_1", "beta_2", "epsilon", "amsgrad"],
              "AdamW": ["beta_1", "beta_2", "epsilon", "amsgrad"], "Adamax": ["beta_1", "beta_2", "epsilon"],
              "Nadam": ["beta_1", "beta_2", "epsilon"], "RMSprop": ["rho", "momentum", "epsilon", "centered"],
              "Adagrad": ["initial_accumulator_value", "epsilon"], "Adadelta": ["rho", "epsilon"],
              "Lion": ["beta_1", "beta_2"],
              "Ftrl": ["learning_rate_power", "initial_accumulator_value", "l1_regularization_strength",
                       "l2_regularization_strength", "l2_shrinkage_regularization_strength", "beta"]}


@pytest.mark.parametrize("cls_name", sorted(EXTRA_KEYS))
def test_optimizer_config_round_trip(cls_name):
    cls = getattr(K.optimizers, cls_name)
    opt = cls(learning_rate=0.25, clipnorm=1.5)
    config = opt.get_config()
    assert list(config) == KERAS_BASE_KEYS + EXTRA_KEYS[cls_name]
    assert config["learning_rate"] == 0.25 and config["clipnorm"] == 1.5
    clone = cls.from_config(config)
    assert clone.get_config() == config
    serialized = K.optimizers.serialize(opt)
    assert serialized["module"] == "keras.optimizers" and serialized["class_name"] == cls_name
    assert K.optimizers.deserialize(serialized).get_config() == config
    assert type(K.optimizers.get(cls_name.lower())) is cls


def test_optimizer_with_schedule_config_round_trip():
    opt = K.optimizers.Adam(S.CosineDecay(0.1, 5, warmup_target=0.2, warmup_steps=2))
    config = opt.get_config()
    assert config["learning_rate"]["class_name"] == "CosineDecay"
    clone = K.optimizers.Adam.from_config(config)
    assert isinstance(clone._learning_rate, S.CosineDecay)
    assert clone._learning_rate.get_config() == opt._learning_rate.get_config()


def test_optimizer_get_and_names():
    assert isinstance(K.optimizers.get("adam"), K.optimizers.Adam)
    assert isinstance(K.optimizers.get("RMSprop"), K.optimizers.RMSprop)
    opt = K.optimizers.SGD()
    assert K.optimizers.get(opt) is opt and K.optimizers.get(None) is None
    with pytest.raises(ValueError):
        K.optimizers.get("no_such_optimizer")
    names = [K.optimizers.RMSprop().name for _ in range(2)]
    assert names[0].startswith("rm_sprop") and names[0] != names[1]
    with pytest.raises(ValueError, match="not recognized"):
        K.optimizers.SGD(bogus=1)
    with pytest.raises(ImportError, match="legacy"):
        K.optimizers.legacy.Adam()


def test_optimizer_variables_and_state():
    w = tf.Variable(W0, name="w")
    w.path = "dense/kernel"
    b = tf.Variable(B0, name="b")
    opt = K.optimizers.Adam(0.1)
    opt.apply_gradients([(tf.ones_like(W0), w), (tf.ones_like(B0), b)])
    paths = [v.path for v in opt.variables]
    name = opt.name
    assert paths == ["%s/iteration" % name, "%s/learning_rate" % name, "%s/dense_kernel_momentum" % name,
                     "%s/dense_kernel_velocity" % name, "%s/b_0_momentum" % name, "%s/b_0_velocity" % name]
    assert opt.iterations.dtype == tf.int64 and int(opt.iterations) == 1
    store = {}
    opt.save_own_variables(store)
    other = K.optimizers.Adam(0.1)
    other.build([w, b])
    other.load_own_variables(store)
    for x, y in zip(opt.variables, other.variables):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    other.set_weights([np.zeros(v.shape, v.dtype.as_numpy_dtype) for v in other.variables])
    assert int(other.iterations) == 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        K.optimizers.Adam().load_own_variables(store)
    assert any("Skipping variable loading" in str(c.message) for c in caught)


def test_custom_optimizer_subclass():
    class Halving(K.optimizers.Optimizer):
        def __init__(self, **kwargs):
            super().__init__(learning_rate=1.0, **kwargs)

        def build(self, variables):
            super().build(variables)
            self.counts = [self.add_variable_from_reference(v, "count") for v in variables]

        def update_step(self, gradient, variable, learning_rate):
            self.assign_add(self.counts[self._get_variable_index(variable)], tf.ones_like(variable))
            self.assign_sub(variable, 0.5 * gradient * tf.cast(learning_rate, variable.dtype))

    w = tf.Variable([4.0])
    opt = Halving()
    for _ in range(2):
        opt.apply_gradients([(w.value(), w)])
    np.testing.assert_allclose(w.numpy(), [1.0])
    assert float(opt.counts[0].numpy()[0]) == 2.0 and len(opt.variables) == 3


# ---------------------------------------------------------------- initializers
def test_variance_scaling_family_statistics():
    shape = (200, 300)
    fan_in, fan_out = 200, 300
    cases = [(K.initializers.GlorotUniform, "uniform", 2.0 / (fan_in + fan_out)),
             (K.initializers.HeUniform, "uniform", 2.0 / fan_in),
             (K.initializers.LecunUniform, "uniform", 1.0 / fan_in),
             (K.initializers.GlorotNormal, "normal", 2.0 / (fan_in + fan_out)),
             (K.initializers.HeNormal, "normal", 2.0 / fan_in),
             (K.initializers.LecunNormal, "normal", 1.0 / fan_in)]
    for cls, kind, variance in cases:
        x = cls(seed=1)(shape).numpy()
        assert x.shape == shape and x.dtype == np.float32
        assert abs(x.mean()) < 0.05 * math.sqrt(variance) * 10
        assert abs(x.var() / variance - 1) < 0.05, cls.__name__
        if kind == "uniform":
            assert np.abs(x).max() <= math.sqrt(3 * variance) + 1e-7
        else:  # truncated at two (pre-truncation) standard deviations
            assert np.abs(x).max() <= 2 * math.sqrt(variance) / 0.87962566103423978 + 1e-6
    conv = K.initializers.VarianceScaling(2.0, "fan_out", "untruncated_normal", seed=3)((3, 3, 16, 32)).numpy()
    assert abs(conv.var() / (2.0 / (3 * 3 * 32)) - 1) < 0.1


def test_random_initializers_seed_semantics():
    a = K.initializers.RandomNormal(mean=1.0, stddev=2.0, seed=5)
    x = a((100, 100)).numpy()
    np.testing.assert_array_equal(x, a((100, 100)).numpy())  # Keras 3: same seed, same values
    np.testing.assert_array_equal(x, K.initializers.RandomNormal(mean=1.0, stddev=2.0, seed=5)((100, 100)).numpy())
    assert not np.array_equal(x, K.initializers.RandomNormal(mean=1.0, stddev=2.0, seed=6)((100, 100)).numpy())
    assert abs(x.mean() - 1.0) < 0.1 and abs(x.std() - 2.0) < 0.1
    u = K.initializers.RandomUniform(-3.0, -1.0, seed=2)((1000,), dtype="float64").numpy()
    assert u.dtype == np.float64 and u.min() >= -3.0 and u.max() < -1.0
    t = K.initializers.TruncatedNormal(stddev=1.0, seed=2)((10000,)).numpy()
    assert np.abs(t).max() <= 2.0 and abs(t.std() - 0.88) < 0.03
    unseeded = K.initializers.GlorotUniform()
    np.testing.assert_array_equal(unseeded((4, 4)).numpy(), unseeded((4, 4)).numpy())
    assert not np.array_equal(unseeded((4, 4)).numpy(), K.initializers.GlorotUniform()((4, 4)).numpy())
    random.seed(3)
    first = K.initializers.GlorotUniform()((4, 4)).numpy()
    random.seed(3)
    np.testing.assert_array_equal(first, K.initializers.GlorotUniform()((4, 4)).numpy())
    with pytest.raises(ValueError, match="seed"):
        K.initializers.RandomNormal(seed="x")


def test_deterministic_initializers():
    np.testing.assert_array_equal(K.initializers.Zeros()((2, 3)).numpy(), np.zeros((2, 3), np.float32))
    np.testing.assert_array_equal(K.initializers.Ones()((2,), dtype=tf.float64).numpy(), np.ones(2))
    np.testing.assert_array_equal(K.initializers.Constant(3.5)((2, 2)).numpy(), np.full((2, 2), 3.5, np.float32))
    np.testing.assert_array_equal(K.initializers.Identity(2.0)((2, 3)).numpy(), 2 * np.eye(2, 3, dtype=np.float32))
    with pytest.raises(ValueError, match="2D"):
        K.initializers.Identity()((2, 2, 2))
    for shape in [(6, 4), (4, 6), (3, 3, 2, 5)]:
        q = K.initializers.Orthogonal(gain=1.5, seed=1)(shape).numpy().reshape(-1, shape[-1])
        small = q.T @ q if q.shape[0] >= q.shape[1] else q @ q.T
        np.testing.assert_allclose(small, 2.25 * np.eye(small.shape[0]), atol=1e-5)
    with pytest.raises(ValueError, match="two-dimensional"):
        K.initializers.Orthogonal()((3,))


def test_initializer_lookup_and_config():
    for name, cls in [("glorot_uniform", "GlorotUniform"), ("he_normal", "HeNormal"), ("zeros", "Zeros"),
                      ("ones", "Ones"), ("orthogonal", "Orthogonal"), ("random_normal", "RandomNormal"),
                      ("uniform", "RandomUniform"), ("GlorotNormal", "GlorotNormal"), ("lecun_uniform", "LecunUniform")]:
        assert type(K.initializers.get(name)).__name__ == cls
    assert K.initializers.serialize(K.initializers.GlorotUniform(seed=3)) == {
        "module": "keras.initializers", "class_name": "GlorotUniform",
        "config": {"seed": 3, "input_axes": None, "output_axes": None}, "registered_name": None}
    vs = K.initializers.VarianceScaling(2.0, "fan_out", "normal", seed=1)
    assert vs.get_config() == {"seed": 1, "scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal",
                               "input_axes": None, "output_axes": None}
    clone = K.initializers.deserialize(K.initializers.serialize(vs))
    np.testing.assert_array_equal(clone((3, 3)).numpy(), vs((3, 3)).numpy())
    assert K.initializers.Constant.from_config(K.initializers.Constant(2.0).get_config()).value == 2.0
    direct = K.initializers.get(np.full((2, 2), 7.0))
    np.testing.assert_array_equal(direct((2, 2)).numpy(), np.full((2, 2), 7.0, np.float32))
    with pytest.raises(ValueError, match="Could not interpret"):
        K.initializers.get(42)
    with pytest.raises(ValueError):
        K.initializers.VarianceScaling(mode="fan_sideways")


# ---------------------------------------------------------------- regularizers and constraints
def test_regularizers():
    w = np.arange(-3, 3, 0.5, dtype=np.float32).reshape(3, 4)
    tw = tf.constant(w)
    assert float(K.regularizers.L1(0.1)(tw)) == pytest.approx(0.1 * np.abs(w).sum(), rel=1e-6)
    assert float(K.regularizers.L2(0.2)(tw)) == pytest.approx(0.2 * (w * w).sum(), rel=1e-6)
    assert float(K.regularizers.L1L2(0.1, 0.2)(tw)) == pytest.approx(0.1 * np.abs(w).sum() + 0.2 * (w * w).sum(),
                                                                     rel=1e-6)
    n = w / np.linalg.norm(w, axis=1, keepdims=True)
    p = n @ n.T
    want = 0.3 * 0.5 * np.abs(p - np.diag(np.diag(p))).sum() / 3.0
    assert float(K.regularizers.OrthogonalRegularizer(0.3)(tw)) == pytest.approx(want, rel=1e-5)
    assert K.regularizers.L1().get_config() == {"l1": float(np.float32(0.01))}
    assert K.regularizers.serialize(K.regularizers.L2(0.1)) == {
        "module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.1}, "registered_name": None}
    assert type(K.regularizers.get("l2")).__name__ == "L2" and K.regularizers.get("l1").get_config()["l1"] > 0
    assert K.regularizers.deserialize(K.regularizers.serialize(K.regularizers.L1L2(0.5))).get_config() == \
        {"l1": 0.5, "l2": 0.0}
    with pytest.raises(ValueError, match="non-negative"):
        K.regularizers.L2(-1.0)


def test_constraints():
    w = np.arange(-3, 3, 0.5, dtype=np.float32).reshape(3, 4)
    norms = np.sqrt((w * w).sum(axis=0, keepdims=True))
    np.testing.assert_allclose(K.constraints.MaxNorm(2.0)(w).numpy(), w * np.clip(norms, 0, 2.0) / (1e-7 + norms),
                               rtol=1e-6)
    np.testing.assert_allclose(K.constraints.UnitNorm()(w).numpy(), w / (1e-7 + norms), rtol=1e-6)
    desired = 0.5 * np.clip(norms, 0.5, 2.0) + 0.5 * norms
    np.testing.assert_allclose(K.constraints.MinMaxNorm(0.5, 2.0, 0.5)(w).numpy(), w * desired / (1e-7 + norms),
                               rtol=1e-6)
    np.testing.assert_array_equal(K.constraints.NonNeg()(w).numpy(), np.maximum(w, 0))
    assert K.constraints.serialize(K.constraints.MaxNorm(2)) == {
        "module": "keras.constraints", "class_name": "MaxNorm", "config": {"max_value": 2, "axis": 0},
        "registered_name": None}
    assert type(K.constraints.get("non_neg")).__name__ == "NonNeg"
    assert K.constraints.get(None) is None


# ---------------------------------------------------------------- activations
X = np.linspace(-4, 4, 17).astype(np.float32)


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softplus(x):
    return np.log1p(np.exp(x))


_erf = np.vectorize(math.erf)
ACTIVATIONS = {
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": _sigmoid,
    "softmax": _softmax,
    "tanh": np.tanh,
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
    "gelu": lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2))),
    "silu": lambda x: x * _sigmoid(x),
    "swish": lambda x: x * _sigmoid(x),
    "softplus": _softplus,
    "softsign": lambda x: x / (1 + np.abs(x)),
    "exponential": np.exp,
    "hard_sigmoid": lambda x: np.clip(x + 3, 0, 6) / 6,
    "hard_silu": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "hard_swish": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "leaky_relu": lambda x: np.where(x >= 0, x, 0.2 * x),
    "relu6": lambda x: np.clip(x, 0, 6),
    "log_softmax": lambda x: np.log(_softmax(x)),
    "linear": lambda x: x,
    "mish": lambda x: x * np.tanh(_softplus(x)),
    "celu": lambda x: np.maximum(x, 0) + np.expm1(np.minimum(x, 0)),
    "log_sigmoid": lambda x: -_softplus(-x),
    "hard_tanh": lambda x: np.clip(x, -1, 1),
    "tanh_shrink": lambda x: x - np.tanh(x),
    "soft_shrink": lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0)),
    "hard_shrink": lambda x: np.where(np.abs(x) > 0.5, x, 0),
    "sparse_sigmoid": lambda x: np.clip((x + 1) / 2, 0, 1),
    "sparse_plus": lambda x: np.where(x <= -1, 0, np.where(x < 1, (x + 1) ** 2 / 4, x)),
    "squareplus": lambda x: (x + np.sqrt(x * x + 4)) / 2,
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_matches_numpy(name):
    fn = K.activations.get(name)
    np.testing.assert_allclose(np.asarray(fn(tf.constant(X))), ACTIVATIONS[name](X.astype(np.float64)),
                               rtol=1e-5, atol=1e-6)
    traced = tf.function(lambda x: fn(x))
    np.testing.assert_allclose(traced(tf.constant(X)).numpy(), np.asarray(fn(tf.constant(X))), rtol=1e-6, atol=1e-7)
    assert K.activations.get(K.activations.serialize(fn)) is fn


def test_activation_arguments():
    x = X.astype(np.float64)
    a = K.activations
    np.testing.assert_allclose(a.relu(X, negative_slope=0.1, max_value=2.5, threshold=0.5).numpy(),
                               np.where(x > 0.5, np.minimum(x, 2.5), 0) - 0.1 * np.maximum(0.5 - x, 0), rtol=1e-6)
    np.testing.assert_allclose(a.relu(X, max_value=6.0).numpy(), np.clip(x, 0, 6))
    np.testing.assert_allclose(a.relu(X, threshold=1.0).numpy(), np.where(x > 1.0, x, 0))
    np.testing.assert_allclose(a.relu(X, negative_slope=0.3).numpy(), np.where(x > 0, x, 0.3 * x), rtol=1e-6)
    np.testing.assert_allclose(a.elu(X, alpha=0.5).numpy(), np.where(x > 0, x, 0.5 * np.expm1(x)), rtol=1e-6)
    np.testing.assert_allclose(a.leaky_relu(X, negative_slope=0.01).numpy(), np.where(x > 0, x, 0.01 * x), rtol=1e-6)
    m = X.reshape(-1, 1) * np.ones((1, 3), np.float32)
    np.testing.assert_allclose(a.softmax(m, axis=0).numpy(), _softmax(m, axis=0), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(a.softmax(m, axis=None).numpy(), _softmax(m.reshape(-1)).reshape(m.shape), rtol=1e-5)
    np.testing.assert_allclose(a.gelu(X, approximate=True).numpy(),
                               0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))), rtol=1e-5,
                               atol=1e-6)
    g = X[:16].reshape(2, 8)
    np.testing.assert_allclose(a.glu(g).numpy(), g[:, :4] * _sigmoid(g[:, 4:]), rtol=1e-6)
    np.testing.assert_allclose(a.threshold(X, 0.5, -1.0).numpy(), np.where(x > 0.5, x, -1.0))
    sm = a.sparsemax(tf.constant([[0.1, 3.0, 0.5], [1.0, -2.0, 0.0]])).numpy()
    np.testing.assert_allclose(sm, [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], atol=1e-6)
    assert a.serialize(a.swish) == "silu" and a.serialize(a.hard_swish) == "hard_silu"
    assert a.get(None) is a.linear and a.deserialize("relu") is a.relu
    with pytest.raises(ValueError, match="Could not interpret"):
        a.get("no_such_activation")


def test_adafactor_lamb_muon_variables_and_configs():
    model = K.Sequential([K.Input((4,)), K.layers.Dense(3)])
    opt = K.optimizers.Adafactor()
    opt.build(model.trainable_variables)
    # Keras's layout: factored row/column moments for the kernel, int32 placeholders for the bias.
    assert [tuple(v.shape) for v in opt.variables] == [(), (), (4,), (3,), (4, 3), (), (), (3,)]
    assert [v.dtype for v in opt.variables[5:7]] == [tf.int32, tf.int32]
    for name in ("adafactor", "lamb", "muon"):
        o = K.optimizers.get(name)
        again = type(o).from_config(o.get_config())
        assert again.get_config() == o.get_config()
    muon = K.optimizers.Muon(exclude_layers=["dense"])
    muon.build(model.trainable_variables)
    assert muon.adam_velocities[0] is not None  # an excluded 2-D kernel takes AdamW steps
