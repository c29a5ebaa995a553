"""Keras layers B (recurrent, wrappers, attention, preprocessing): every layer through
run_layer_test, numerics against NumPy references written from Keras 3's equations, Keras 3's
weight layouts and config keys, preprocessing behaviour (adapt, lookups, OOV, output modes), and
use inside tf.function and functional models."""
import numpy as np
import pytest

import tensorforge as tf
from keras_layer_testing import run_layer_test

L = tf.keras.layers
RNG = np.random.default_rng(11)


def normal(*shape, scale=1.0):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# ---------------------------------------------------------------- NumPy references of Keras 3's cells
def np_rnn(cell, x, weights, h0=None, go_backwards=False, mask=None, zero_output_for_mask=False, **kw):
    """Runs a reference cell over x [batch, time, features]; returns (outputs [b, t, u], states)."""
    b, t, _ = x.shape
    units = weights[1].shape[0]
    states = [np.zeros((b, units))] * (2 if cell is np_lstm_step else 1) if h0 is None else [np.asarray(s, np.float64)
                                                                                            for s in h0]
    steps = range(t - 1, -1, -1) if go_backwards else range(t)
    outs, prev = [], np.zeros((b, units))
    for i in steps:
        out, new = cell(x[:, i].astype(np.float64), states, *weights, **kw)
        if mask is not None:
            m = mask[:, i:i + 1]
            new = [np.where(m, n, s) for n, s in zip(new, states)]
            out = np.where(m, out, 0.0 if zero_output_for_mask else prev)
        states, prev = new, out
        outs.append(out)
    return np.stack(outs, 1), states


def np_simple_step(x, states, k, r, b, activation=np.tanh):
    h = activation(x @ k + states[0] @ r + b)
    return h, [h]


def np_lstm_step(x, states, k, r, b):
    h, c = states
    z = x @ k + h @ r + b
    zi, zf, zc, zo = np.split(z, 4, axis=-1)
    c = sigmoid(zf) * c + sigmoid(zi) * np.tanh(zc)
    h = sigmoid(zo) * np.tanh(c)
    return h, [h, c]


def np_gru_step(x, states, k, r, b, reset_after=True):
    h = states[0]
    u = h.shape[-1]
    if reset_after:
        xz = x @ k + b[0]
        hz = h @ r + b[1]
        z = sigmoid(xz[:, :u] + hz[:, :u])
        rr = sigmoid(xz[:, u:2 * u] + hz[:, u:2 * u])
        hh = np.tanh(xz[:, 2 * u:] + rr * hz[:, 2 * u:])
    else:
        xz = x @ k + b
        z = sigmoid(xz[:, :u] + h @ r[:, :u])
        rr = sigmoid(xz[:, u:2 * u] + h @ r[:, u:2 * u])
        hh = np.tanh(xz[:, 2 * u:] + (rr * h) @ r[:, 2 * u:])
    h = z * h + (1 - z) * hh
    return h, [h]


def set_random_weights(layer, scale=0.5):
    ws = [normal(*w.shape, scale=scale) for w in layer.get_weights()]
    layer.set_weights(ws)
    return ws


# ---------------------------------------------------------------- recurrent layers: run_layer_test
@pytest.mark.parametrize("cls,kwargs,shape,n_weights", [
    (L.SimpleRNN, {"units": 3}, (2, 3), 3),
    (L.SimpleRNN, {"units": 3, "return_sequences": True, "activation": "relu", "use_bias": False}, (2, 5, 3), 2),
    (L.LSTM, {"units": 4}, (2, 4), 3),
    (L.LSTM, {"units": 4, "return_sequences": True, "return_state": True, "go_backwards": True},
     [(2, 5, 4), (2, 4), (2, 4)], 3),
    (L.LSTM, {"units": 2, "unit_forget_bias": False, "recurrent_activation": "hard_sigmoid"}, (2, 2), 3),
    (L.GRU, {"units": 4}, (2, 4), 3),
    (L.GRU, {"units": 4, "reset_after": False, "return_sequences": True}, (2, 5, 4), 3),
    (L.GRU, {"units": 3, "return_state": True, "dropout": 0.2, "recurrent_dropout": 0.2}, [(2, 3), (2, 3)], 3),
])
def test_recurrent_layers_run_layer_test(cls, kwargs, shape, n_weights):
    run_layer_test(cls, kwargs, input_shape=(2, 5, 3), expected_output_shape=shape,
                   expected_num_trainable_weights=n_weights, expected_num_non_trainable_weights=0)


def test_rnn_with_cells_run_layer_test():
    run_layer_test(L.RNN, {"cell": L.LSTMCell(3), "return_sequences": True}, input_shape=(2, 4, 3),
                   expected_output_shape=(2, 4, 3), expected_num_trainable_weights=3)
    run_layer_test(L.RNN, {"cell": [L.SimpleRNNCell(3), L.GRUCell(2)]}, input_shape=(2, 4, 3),
                   expected_output_shape=(2, 2), expected_num_trainable_weights=6)


@pytest.mark.parametrize("cls", [L.SimpleRNNCell, L.LSTMCell, L.GRUCell])
def test_cells_single_step(cls):
    cell = cls(4)
    x = normal(2, 3)
    n_states = 2 if cls is L.LSTMCell else 1
    states = [normal(2, 4) for _ in range(n_states)]
    out, new = cell(x, states)
    assert isinstance(new, list) and len(new) == n_states
    ref_step = {L.SimpleRNNCell: np_simple_step, L.LSTMCell: np_lstm_step, L.GRUCell: np_gru_step}[cls]
    ref, ref_states = ref_step(x.astype(np.float64), [s.astype(np.float64) for s in states], *cell.get_weights())
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-5, atol=1e-6)
    for a, b in zip(new, ref_states):
        np.testing.assert_allclose(a.numpy(), b, rtol=1e-5, atol=1e-6)
    config = cell.get_config()
    assert cls.from_config(config).get_config() == config


def test_keras3_weight_layouts_and_configs():
    lstm = L.LSTM(6)
    lstm.build((None, 7, 4))
    assert [tuple(w.shape.as_list()) for w in lstm.weights] == [(4, 24), (6, 24), (24,)]
    assert [w.path.split("/")[-1] for w in lstm.weights] == ["kernel", "recurrent_kernel", "bias"]
    bias = lstm.weights[2].numpy()
    np.testing.assert_array_equal(bias, np.concatenate([np.zeros(6), np.ones(6), np.zeros(12)]))  # unit_forget_bias
    assert lstm.cell.name == "lstm_cell" and lstm.layers == [lstm.cell]
    gru = L.GRU(5)
    gru.build((None, 7, 6))
    assert [tuple(w.shape.as_list()) for w in gru.weights] == [(6, 15), (5, 15), (2, 15)]
    gru2 = L.GRU(5, reset_after=False)
    gru2.build((None, 7, 6))
    assert tuple(gru2.weights[2].shape.as_list()) == (15,)
    c = lstm.get_config()
    assert set(c) == {"name", "trainable", "dtype", "return_sequences", "return_state", "go_backwards", "stateful",
                      "unroll", "zero_output_for_mask", "units", "activation", "recurrent_activation", "use_bias",
                      "kernel_initializer", "recurrent_initializer", "bias_initializer", "unit_forget_bias",
                      "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
                      "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout",
                      "seed"}
    assert c["recurrent_initializer"]["class_name"] == "Orthogonal" and c["activation"] == "tanh"
    assert "reset_after" in gru.get_config() and "seed" not in L.SimpleRNN(2).get_config()
    rnn_c = L.RNN(L.GRUCell(2)).get_config()
    assert rnn_c["cell"]["class_name"] == "GRUCell" and rnn_c["cell"]["module"] == "keras.layers"
    assert isinstance(L.RNN.from_config(rnn_c).cell, L.GRUCell)
    assert lstm.units == 6 and gru.reset_after is True


# ---------------------------------------------------------------- recurrent numerics against the references
@pytest.mark.parametrize("go_backwards", [False, True])
def test_lstm_matches_reference(go_backwards):
    x = normal(3, 6, 4)
    layer = L.LSTM(5, return_sequences=True, return_state=True, go_backwards=go_backwards)
    layer(x)
    w = set_random_weights(layer)
    out, h, c = layer(x)
    ref, (rh, rc) = np_rnn(np_lstm_step, x, w, go_backwards=go_backwards)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(h.numpy(), rh, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(c.numpy(), rc, rtol=1e-5, atol=1e-5)
    last = L.LSTM(5, go_backwards=go_backwards)
    last(x)
    last.set_weights(w)
    np.testing.assert_allclose(last(x).numpy(), ref[:, -1], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_matches_reference(reset_after):
    x = normal(3, 6, 4)
    layer = L.GRU(5, return_sequences=True, reset_after=reset_after)
    layer(x)
    w = set_random_weights(layer)
    ref, _ = np_rnn(np_gru_step, x, w, reset_after=reset_after)
    np.testing.assert_allclose(layer(x).numpy(), ref, rtol=1e-5, atol=1e-5)


def test_simple_rnn_initial_state_and_mask():
    x = normal(3, 5, 4)
    mask = np.ones((3, 5), bool)
    mask[0, 3:] = False
    mask[1, 1] = False
    layer = L.SimpleRNN(4, return_sequences=True)
    layer(x)
    w = set_random_weights(layer)
    h0 = normal(3, 4)
    ref, _ = np_rnn(np_simple_step, x, w, h0=[h0], mask=mask)
    out = layer(x, initial_state=[h0], mask=mask)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-5, atol=1e-5)
    zero = L.SimpleRNN(4, return_sequences=True, zero_output_for_mask=True)
    zero(x)
    zero.set_weights(w)
    ref0, _ = np_rnn(np_simple_step, x, w, h0=[h0], mask=mask, zero_output_for_mask=True)
    np.testing.assert_allclose(zero(x, initial_state=h0, mask=mask).numpy(), ref0, rtol=1e-5, atol=1e-5)


def test_lstm_masked_states_carry_over():
    x = normal(2, 4, 3)
    mask = np.array([[True, True, False, False], [True, True, True, True]])
    layer = L.LSTM(3, return_state=True)
    _, h, c = layer(x, mask=mask)
    _, h2, c2 = layer(x[:, :2])
    np.testing.assert_allclose(h.numpy()[0], h2.numpy()[0], rtol=1e-6)
    np.testing.assert_allclose(c.numpy()[0], c2.numpy()[0], rtol=1e-6)


def test_stacked_cells_state_structure():
    x = normal(2, 4, 3)
    layer = L.RNN([L.LSTMCell(3), L.GRUCell(2)], return_state=True)
    out, s1, s2 = layer(x)
    assert isinstance(s1, list) and len(s1) == 2 and isinstance(s2, list) and len(s2) == 1
    k1, r1, b1, k2, r2, b2 = layer.get_weights()
    b, t = x.shape[:2]
    st1, st2 = [np.zeros((b, 3))] * 2, [np.zeros((b, 2))]
    for i in range(t):
        o1, st1 = np_lstm_step(x[:, i].astype(np.float64), st1, k1, r1, b1)
        o2, st2 = np_gru_step(o1, st2, k2, r2, b2)
    np.testing.assert_allclose(out.numpy(), o2, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(s1[1].numpy(), st1[1], rtol=1e-5, atol=1e-6)


def test_recurrent_gradients_match_finite_differences():
    x = RNG.standard_normal((2, 4, 3))
    for layer in (L.LSTM(3, dtype="float64"), L.GRU(3, dtype="float64")):
        layer(x)
        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            loss = tf.reduce_sum(tf.sin(layer(xt)))
        g = tape.gradient(loss, xt).numpy()
        eps = 1e-6
        num = np.zeros_like(x)
        for idx in np.ndindex(*x.shape):
            d = np.zeros_like(x)
            d[idx] = eps
            num[idx] = (np.sum(np.sin(layer(x + d).numpy())) - np.sum(np.sin(layer(x - d).numpy()))) / (2 * eps)
        np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-7)


def test_recurrent_dropout_only_in_training():
    x = normal(4, 5, 3)
    layer = L.LSTM(4, dropout=0.5, recurrent_dropout=0.5, seed=1)
    ref = layer(x).numpy()
    np.testing.assert_array_equal(layer(x, training=False).numpy(), ref)
    plain = L.LSTM(4)
    plain(x)
    plain.set_weights(layer.get_weights())
    np.testing.assert_allclose(plain(x).numpy(), ref, rtol=1e-6)
    assert not np.allclose(layer(x, training=True).numpy(), ref)


def test_recurrent_layers_in_tf_function_and_gradients():
    x = tf.constant(normal(3, 6, 4))
    layer = L.GRU(5, return_sequences=True)
    eager = layer(x).numpy()

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x)
            loss = tf.reduce_sum(y * y)
        return y, tape.gradient(loss, [x] + layer.trainable_weights)

    y, grads = step(x)
    np.testing.assert_allclose(y.numpy(), eager, rtol=1e-6)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(layer(x) ** 2)
    eager_grads = tape.gradient(loss, [x] + layer.trainable_weights)
    for a, b in zip(grads, eager_grads):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


def test_recurrent_layers_in_functional_model():
    inp = tf.keras.Input((6, 4))
    seq, h, c = L.LSTM(5, return_sequences=True, return_state=True)(inp)
    assert seq.shape.as_list() == [None, 6, 5] and h.shape.as_list() == [None, 5]
    out = L.Dense(2)(L.GRU(3)(seq))
    model = tf.keras.Model(inp, [out, c])
    x = normal(3, 6, 4)
    y, cc = model(x)
    assert y.shape.as_list() == [3, 2] and cc.shape.as_list() == [3, 5]
    lstm = [layer for layer in model.layers if isinstance(layer, L.LSTM)][0]
    _, _, c_direct = lstm(x)
    np.testing.assert_allclose(cc.numpy(), c_direct.numpy(), rtol=1e-6)
    seq_model = tf.keras.Sequential([tf.keras.Input((6, 4)), L.SimpleRNN(3, return_sequences=True), L.LSTM(2)])
    assert seq_model(x).shape.as_list() == [3, 2]


def traced_with_mask(layer):
    @tf.function(input_signature=[tf.TensorSpec([None, None, 3]), tf.TensorSpec([None, None], tf.bool)])
    def traced(x, m):
        return layer(x, mask=m)
    return traced


def test_unknown_number_of_time_steps():
    inp = tf.keras.Input((None, 4))
    seq = L.LSTM(5, return_sequences=True)(inp)
    out = L.GRU(3, go_backwards=True)(seq)
    assert seq.shape.as_list() == [None, None, 5] and out.shape.as_list() == [None, 3]
    model = tf.keras.Model(inp, out)
    for steps in (3, 7):
        assert model(normal(2, steps, 4)).shape.as_list() == [2, 3]
    x, mask = tf.constant(normal(2, 6, 3)), tf.constant(RNG.random((2, 6)) > 0.3)
    for layer in (L.LSTM(4, return_sequences=True, return_state=True),
                  L.RNN([L.SimpleRNNCell(3), L.LSTMCell(2)], return_sequences=True, return_state=True,
                        go_backwards=True)):
        eager = tf.nest.flatten(layer(x, mask=mask))
        for a, b in zip(eager, tf.nest.flatten(traced_with_mask(layer)(x, mask))):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-7)


def test_keras3_fixture_weights():
    """lstm_gru.keras (made by Keras 3): its weights, loaded in file order, reproduce Keras's outputs."""
    import os
    import zipfile
    h5py = pytest.importorskip("h5py")
    fixtures = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "fixtures")
    path = os.path.join(fixtures, "lstm_gru.keras")
    if not os.path.exists(path):
        pytest.skip("shared fixtures not available")
    import io
    with zipfile.ZipFile(path) as z:
        f = h5py.File(io.BytesIO(z.read("model.weights.h5")), "r")
        weights = {name: [f["layers/%s/vars/%d" % (name, i)][()] for i in range(len(f["layers/%s/vars" % name]))]
                   for name in ("lstm/cell", "gru/cell", "dense")}
    data = np.load(os.path.join(fixtures, "lstm_gru.io.npz"))
    model = tf.keras.Sequential([tf.keras.Input((7, 4)), L.LSTM(6, return_sequences=True), L.GRU(5), L.Dense(2)])
    lstm, gru, dense = [layer for layer in model.layers if layer.weights]
    lstm.set_weights(weights["lstm/cell"])
    gru.set_weights(weights["gru/cell"])
    dense.set_weights(weights["dense"])
    np.testing.assert_allclose(model(data["x"]).numpy(), data["y"], rtol=1e-5, atol=1e-6)


def test_rnn_errors():
    with pytest.raises(ValueError, match="positive integer"):
        L.GRU(0)
    with pytest.raises(ValueError, match="state_size"):
        L.RNN(L.Dense(2))
    with pytest.raises(ValueError, match="stateful=True"):
        L.LSTM(2, stateful=True)(tf.keras.Input((3, 3)))


# ---------------------------------------------------------------- wrappers
@pytest.mark.parametrize("merge_mode,shape", [("concat", (2, 5, 8)), ("sum", (2, 5, 4)), ("mul", (2, 5, 4)),
                                              ("ave", (2, 5, 4)), (None, [(2, 5, 4), (2, 5, 4)])])
def test_bidirectional_run_layer_test(merge_mode, shape):
    run_layer_test(L.Bidirectional, {"layer": L.LSTM(4, return_sequences=True), "merge_mode": merge_mode},
                   input_shape=(2, 5, 3), expected_output_shape=shape, expected_num_trainable_weights=6)


def test_bidirectional_numerics_and_config():
    x = normal(3, 5, 4)
    layer = L.Bidirectional(L.GRU(3, return_sequences=True, return_state=True), merge_mode="concat")
    out, hf, hb = layer(x)
    wf, wb = layer.get_weights()[:3], layer.get_weights()[3:]
    ref_f, (rf,) = np_rnn(np_gru_step, x, wf)
    ref_b, (rb,) = np_rnn(np_gru_step, x, wb, go_backwards=True)
    np.testing.assert_allclose(out.numpy(), np.concatenate([ref_f, ref_b[:, ::-1]], -1), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(hf.numpy(), rf, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(hb.numpy(), rb, rtol=1e-5, atol=1e-5)
    c = layer.get_config()
    assert c["merge_mode"] == "concat" and c["layer"]["class_name"] == "GRU"
    assert c["layer"]["config"]["name"].startswith("forward_") and c["backward_layer"]["config"]["go_backwards"]
    summed = L.Bidirectional(L.SimpleRNN(2), merge_mode="ave")
    y = summed(x)
    f, b = summed.forward_layer(x), summed.backward_layer(x)
    np.testing.assert_allclose(y.numpy(), (f.numpy() + b.numpy()) / 2, rtol=1e-6)
    with pytest.raises(ValueError, match="Invalid merge mode"):
        L.Bidirectional(L.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="go_backwards"):
        L.Bidirectional(L.LSTM(2), backward_layer=L.LSTM(2))


def test_bidirectional_initial_state_and_functional():
    x = normal(2, 4, 3)
    states = [normal(2, 2) for _ in range(4)]
    layer = L.Bidirectional(L.LSTM(2))
    y = layer(x, initial_state=states)
    f = layer.forward_layer(x, initial_state=states[:2])
    np.testing.assert_allclose(y.numpy()[:, :2], f.numpy(), rtol=1e-6)
    inp = tf.keras.Input((4, 3))
    model = tf.keras.Model(inp, L.Bidirectional(L.GRU(2, return_sequences=True), merge_mode=None)(inp))
    assert len(model.layers) == 2
    a, b = model(x)
    assert a.shape.as_list() == [2, 4, 2] and b.shape.as_list() == [2, 4, 2]


def test_time_distributed():
    run_layer_test(L.TimeDistributed, {"layer": L.Dense(3)}, input_shape=(2, 4, 5), expected_output_shape=(2, 4, 3),
                   expected_num_trainable_weights=2)
    run_layer_test(L.TimeDistributed, {"layer": L.Conv2D(2, 3)}, input_shape=(2, 3, 6, 6, 1),
                   expected_output_shape=(2, 3, 4, 4, 2), expected_num_trainable_weights=2)
    x = normal(2, 4, 5)
    td = L.TimeDistributed(L.Dense(3, activation="tanh"))
    k, b = td(x), None
    k, b = td.get_weights()
    np.testing.assert_allclose(td(x).numpy(), np.tanh(x @ k + b), rtol=1e-5, atol=1e-6)
    assert td.get_config()["layer"]["class_name"] == "Dense"
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        L.TimeDistributed(L.Dense(2))(normal(2, 3))


# ---------------------------------------------------------------- attention
@tf.keras.saving.register_keras_serializable(package="tests")
class SelfMultiHeadAttention(L.MultiHeadAttention):
    """MultiHeadAttention on one input (query = value) so run_layer_test can drive it."""

    def call(self, inputs, training=None):
        return super().call(inputs, inputs, training=training)


@tf.keras.saving.register_keras_serializable(package="tests")
class SelfAttention(L.Attention):
    """Attention on one input (query = value) so run_layer_test can drive it."""

    def build(self, input_shape):
        super().build([input_shape, input_shape])

    def call(self, inputs, training=False):
        return super().call([inputs, inputs], training=training)


def np_softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_mha(q_in, v_in, w, num_heads, key_dim, mask=None):
    wq, bq, wk, bk, wv, bv, wo, bo = [a.astype(np.float64) for a in w]
    q = np.einsum("btd,dnh->btnh", q_in, wq) + bq
    k = np.einsum("bsd,dnh->bsnh", v_in, wk) + bk
    v = np.einsum("bsd,dnh->bsnh", v_in, wv) + bv
    scores = np.einsum("bsnh,btnh->bnts", k, q / np.sqrt(key_dim))
    if mask is not None:
        m = mask[:, None]
        scores = np.where(m, scores, -1e9)
    p = np_softmax(scores)
    if mask is not None:
        p = np.where(mask[:, None], p, 0.0)
    ctx = np.einsum("bnts,bsnh->btnh", p, v)
    return np.einsum("btnh,nhd->btd", ctx, wo) + bo, p


def test_multi_head_attention_run_layer_test():
    run_layer_test(SelfMultiHeadAttention, {"num_heads": 2, "key_dim": 3}, input_shape=(2, 4, 5),
                   expected_output_shape=(2, 4, 5), expected_num_trainable_weights=8)
    run_layer_test(SelfMultiHeadAttention, {"num_heads": 2, "key_dim": 3, "value_dim": 4, "output_shape": 6,
                                            "use_bias": False, "dropout": 0.1},
                   input_shape=(2, 4, 5), expected_output_shape=(2, 4, 6), expected_num_trainable_weights=4)


def test_multi_head_attention_matches_reference():
    q, v = normal(2, 4, 5), normal(2, 6, 3)
    mha = L.MultiHeadAttention(num_heads=2, key_dim=3)
    mha(q, v)
    w = set_random_weights(mha)
    assert [tuple(a.shape) for a in w] == [(5, 2, 3), (2, 3), (3, 2, 3), (2, 3), (3, 2, 3), (2, 3), (2, 3, 5), (5,)]
    out, scores = mha(q, v, return_attention_scores=True)
    ref, ref_p = np_mha(q.astype(np.float64), v.astype(np.float64), w, 2, 3)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(scores.numpy(), ref_p, rtol=1e-4, atol=1e-6)
    mask = RNG.random((2, 4, 6)) > 0.3
    mask[0, 1] = False  # a fully masked row gives zero weights
    out, scores = mha(q, v, attention_mask=mask, return_attention_scores=True)
    ref, ref_p = np_mha(q.astype(np.float64), v.astype(np.float64), w, 2, 3, mask=mask)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(scores.numpy(), ref_p, rtol=1e-4, atol=1e-6)
    causal = np.tril(np.ones((4, 4), bool))[None].repeat(2, 0)
    out_c = mha(q, q[..., :3], use_causal_mask=True)
    ref_c, _ = np_mha(q.astype(np.float64), q[..., :3].astype(np.float64), w, 2, 3, mask=causal)
    np.testing.assert_allclose(out_c.numpy(), ref_c, rtol=1e-4, atol=1e-5)
    config = mha.get_config()
    assert config["num_heads"] == 2 and config["value_dim"] == 3 and config["attention_axes"] == (1,)
    assert mha.get_build_config() == {"shapes_dict": {"query_shape": (2, 4, 5), "value_shape": (2, 6, 3)}}


def test_multi_head_attention_attention_axes_and_tf_function():
    x = normal(2, 3, 4, 5)
    mha = L.MultiHeadAttention(num_heads=2, key_dim=3, attention_axes=(1, 2))
    out, scores = mha(x, x, return_attention_scores=True)
    assert out.shape.as_list() == [2, 3, 4, 5] and scores.shape.as_list() == [2, 2, 3, 4, 3, 4]
    np.testing.assert_allclose(scores.numpy().reshape(2, 2, 12, 12).sum(-1), 1.0, rtol=1e-5)
    seq = tf.constant(normal(2, 4, 6))
    layer = L.MultiHeadAttention(3, 2)
    eager = layer(seq, seq).numpy()

    @tf.function
    def f(s):
        with tf.GradientTape() as tape:
            y = layer(s, s, use_causal_mask=True)
            loss = tf.reduce_sum(y)
        return layer(s, s), tape.gradient(loss, layer.trainable_weights)

    y, grads = f(seq)
    np.testing.assert_allclose(y.numpy(), eager, rtol=1e-5, atol=1e-6)
    assert all(g is not None for g in grads)
    inp = tf.keras.Input((4, 6))
    model = tf.keras.Model(inp, L.MultiHeadAttention(2, 3)(inp, inp))
    assert len(model.layers) == 2 and model(seq).shape.as_list() == [2, 4, 6]


def test_attention_layer():
    run_layer_test(SelfAttention, {}, input_shape=(2, 4, 3), expected_output_shape=(2, 4, 3),
                   expected_num_trainable_weights=0)
    run_layer_test(SelfAttention, {"use_scale": True, "score_mode": "concat"}, input_shape=(2, 4, 3),
                   expected_output_shape=(2, 4, 3), expected_num_trainable_weights=2)
    q, v, k = normal(2, 3, 4), normal(2, 5, 4), normal(2, 5, 4)
    att = L.Attention(use_scale=True)
    att([q, v])
    att.set_weights([np.array(1.5, np.float32)])
    out, w = att([q, v, k], return_attention_scores=True)
    p = np_softmax(1.5 * q @ k.transpose(0, 2, 1))
    np.testing.assert_allclose(w.numpy(), p, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out.numpy(), p @ v, rtol=1e-5, atol=1e-6)
    concat = L.Attention(score_mode="concat")
    p = np_softmax(np.tanh(q[:, :, None, :] + k[:, None, :, :]).sum(-1))
    np.testing.assert_allclose(concat([q, v, k]).numpy(), p @ v, rtol=1e-5, atol=1e-6)
    v_mask = np.array([[True, True, False, True, False], [True] * 5])
    q_mask = np.array([[True, False, True], [True, True, True]])
    out = L.Attention()([q, v], mask=[q_mask, v_mask])
    s = q @ v.transpose(0, 2, 1)
    p = np_softmax(np.where(v_mask[:, None], s, s - 1e9))
    np.testing.assert_allclose(out.numpy(), np.where(q_mask[..., None], p @ v, 0.0), rtol=1e-5, atol=1e-6)
    out = L.Attention()([q, q], use_causal_mask=True)
    s = q @ q.transpose(0, 2, 1)
    p = np_softmax(np.where(np.tril(np.ones((3, 3), bool)), s, s - 1e9))
    np.testing.assert_allclose(out.numpy(), p @ q, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="list of inputs"):
        L.Attention()(q)
    with pytest.raises(ValueError, match="score_mode"):
        L.Attention(score_mode="add")


# ---------------------------------------------------------------- Normalization
def test_normalization():
    x = normal(10, 3) * 3 + 1
    layer = L.Normalization()
    layer.adapt(x)
    assert [w.path.split("/")[-1] for w in layer.weights] == ["mean", "variance", "count"]
    np.testing.assert_allclose(layer(x).numpy(), (x - x.mean(0)) / x.std(0), rtol=1e-4, atol=1e-5)
    streamed = L.Normalization()
    streamed.adapt([x[:4], x[4:]])
    np.testing.assert_allclose(streamed.get_weights()[0], x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(streamed.get_weights()[1], x.var(0), rtol=1e-4)
    flat = L.Normalization(axis=None)
    flat.adapt(x)
    np.testing.assert_allclose(flat(x).numpy(), (x - x.mean()) / x.std(), rtol=1e-4, atol=1e-5)
    x3 = normal(4, 3, 5)
    per = L.Normalization(axis=(1, 2))
    per.adapt(x3)
    np.testing.assert_allclose(per(x3).numpy(), (x3 - x3.mean(0)) / x3.std(0), rtol=1e-3, atol=1e-4)
    inv = L.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 1.0, 9.0], invert=True)
    np.testing.assert_allclose(inv(x).numpy(), x * [2.0, 1.0, 3.0] + [1.0, 2.0, 3.0], rtol=1e-6)
    run_layer_test(L.Normalization, {"mean": [1.0, 2.0, 3.0], "variance": [4.0, 1.0, 9.0]}, input_shape=(2, 3),
                   expected_output_shape=(2, 3), expected_num_trainable_weights=0)
    run_layer_test(L.Normalization, {"axis": -1}, input_shape=(2, 3), expected_output_shape=(2, 3),
                   expected_num_non_trainable_weights=3)
    assert layer.get_config()["axis"] == (-1,) and layer.get_config()["mean"] is None

    @tf.function
    def f(v):
        return layer(v)
    np.testing.assert_allclose(f(tf.constant(x)).numpy(), layer(x).numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        L.Normalization(mean=1.0)


# ---------------------------------------------------------------- image layers
def test_resizing():
    img = RNG.random((2, 7, 9, 3)).astype(np.float32)
    run_layer_test(L.Resizing, {"height": 4, "width": 5}, input_data=img, expected_output_shape=(2, 4, 5, 3))
    np.testing.assert_allclose(L.Resizing(4, 5)(img).numpy(), tf.image.resize(img, (4, 5)).numpy(), rtol=1e-6)
    # crop_to_aspect_ratio: the centred 7 x 8 crop (4:5 of a 9-wide image) is resized.
    cropped = L.Resizing(4, 5, crop_to_aspect_ratio=True)(img).numpy()
    np.testing.assert_allclose(cropped, tf.image.resize(img[:, :, 0:8], (4, 5)).numpy(), rtol=1e-6)
    # pad_to_aspect_ratio: a 9 x 4 image gets int((9 - 4) / 2) = 2 columns of fill_value on each side.
    tall = RNG.random((1, 9, 4, 1)).astype(np.float32)
    padded = L.Resizing(4, 4, pad_to_aspect_ratio=True, fill_value=0.5)(tall).numpy()
    ref = np.pad(tall, [(0, 0), (0, 0), (2, 2), (0, 0)], constant_values=0.5)
    np.testing.assert_allclose(padded, tf.image.resize(ref, (4, 4)).numpy(), rtol=1e-6)
    u8 = (img * 255).astype(np.uint8)
    out = L.Resizing(4, 5)(u8)
    assert out.dtype == tf.uint8
    np.testing.assert_array_equal(out.numpy(), np.clip(np.round(tf.image.resize(u8, (4, 5)).numpy()), 0, 255))
    cf = L.Resizing(4, 5, data_format="channels_first")(img.transpose(0, 3, 1, 2)).numpy()
    np.testing.assert_allclose(cf, tf.image.resize(img, (4, 5)).numpy().transpose(0, 3, 1, 2), rtol=1e-6)


def test_random_flip():
    img = np.tile(np.arange(6, dtype=np.float32)[None, None, :, None], (40, 3, 1, 1))
    img = img + np.arange(3, dtype=np.float32)[None, :, None, None] * 10
    run_layer_test(L.RandomFlip, {"mode": "horizontal", "seed": 3}, input_data=img, expected_output_shape=img.shape,
                   call_kwargs={"training": False})
    np.testing.assert_array_equal(L.RandomFlip()(img, training=False).numpy(), img)
    out = L.RandomFlip("horizontal")(img).numpy()  # training defaults to True when called directly
    flipped = (out == img[:, :, ::-1]).all(axis=(1, 2, 3))
    kept = (out == img).all(axis=(1, 2, 3))
    assert (flipped | kept).all() and 5 <= flipped.sum() <= 35
    both = L.RandomFlip("horizontal_and_vertical")(img).numpy()
    flipped = (both == img[:, ::-1, ::-1]).all(axis=(1, 2, 3))
    assert (flipped | (both == img).all(axis=(1, 2, 3))).all() and flipped.any()
    single = L.RandomFlip("vertical")(img[0]).numpy()
    assert single.shape == img[0].shape
    inp = tf.keras.Input((3, 6, 1))
    model = tf.keras.Model(inp, L.RandomFlip("horizontal")(inp))
    np.testing.assert_array_equal(model(img, training=False).numpy(), img)


def np_rotate(images, angles, fill_mode, interpolation, fill_value):
    """TF's ImageProjectiveTransformV3 kernel for rotations about the image centre."""
    b, h, w, c = images.shape
    out = np.zeros_like(images, dtype=np.float64)

    def mapc(v, n):
        if fill_mode == "constant":
            return v
        if fill_mode == "nearest":
            return min(max(v, 0.0), n - 1.0)
        if fill_mode == "reflect":
            if v < 0:
                sz2 = 2 * n
                if v < -sz2:
                    v = sz2 * int(-v / sz2) + v
                v = v + sz2 if v < -n else -v - 1
            elif v > n - 1:
                sz2 = 2 * n
                v -= sz2 * int(v / sz2)
                if v >= n:
                    v = sz2 - v - 1
        else:  # wrap
            if v < 0:
                v += n * (int(-v / (n - 1)) + 1)
            elif v > n - 1:
                v -= n * int(v / (n - 1))
        return min(max(v, 0.0), n - 1.0)

    def read(i, yy, xx):
        if 0 <= yy <= h - 1 and 0 <= xx <= w - 1:
            return images[i, int(yy), int(xx)]
        return np.full(c, fill_value)

    for i in range(b):
        cs, sn = np.cos(angles[i]), np.sin(angles[i])
        cx, cy = (w - 1) / 2, (h - 1) / 2
        for y in range(h):
            for x in range(w):
                ix = mapc(cs * (x - cx) - sn * (y - cy) + cx, w)
                iy = mapc(sn * (x - cx) + cs * (y - cy) + cy, h)
                if interpolation == "nearest":
                    out[i, y, x] = read(i, np.sign(iy) * np.floor(abs(iy) + 0.5), np.sign(ix) * np.floor(abs(ix) + 0.5))
                    continue
                x0, y0 = np.floor(ix), np.floor(iy)
                top = (x0 + 1 - ix) * read(i, y0, x0) + (ix - x0) * read(i, y0, x0 + 1)
                bot = (x0 + 1 - ix) * read(i, y0 + 1, x0) + (ix - x0) * read(i, y0 + 1, x0 + 1)
                out[i, y, x] = (y0 + 1 - iy) * top + (iy - y0) * bot
    return out


@pytest.mark.parametrize("fill_mode", ["reflect", "wrap", "constant", "nearest"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_rotation_transform_matches_reference(fill_mode, interpolation):
    from tensorforge.keras.layers.preprocessing import _rotate_images
    img = RNG.random((2, 5, 7, 2)).astype(np.float32)
    angles = np.array([0.7, -2.6], np.float32)
    out = _rotate_images(tf.constant(img), tf.constant(angles), fill_mode, interpolation, 0.25).numpy()
    ref = np_rotate(img.astype(np.float64), angles.astype(np.float64), fill_mode, interpolation, 0.25)
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-4)


def test_random_rotation():
    img = RNG.random((3, 6, 6, 2)).astype(np.float32)
    run_layer_test(L.RandomRotation, {"factor": 0.2, "seed": 1}, input_data=img, expected_output_shape=img.shape,
                   call_kwargs={"training": False})
    layer = L.RandomRotation(0.3)
    assert layer.get_config()["factor"] == (-0.3, 0.3) and layer.get_config()["fill_mode"] == "reflect"
    np.testing.assert_array_equal(layer(img, training=False).numpy(), img)
    assert not np.allclose(layer(img).numpy(), img)
    np.testing.assert_allclose(L.RandomRotation(0.0)(img).numpy(), img, atol=1e-6)
    half_turn = L.RandomRotation((0.5, 0.5), fill_mode="constant")(img).numpy()
    np.testing.assert_allclose(half_turn, img[:, ::-1, ::-1], atol=1e-4)

    @tf.function
    def f(x):
        return L.RandomRotation((0.25, 0.25), interpolation="nearest")(x, training=True)
    np.testing.assert_allclose(f(tf.constant(img)).numpy(), np.rot90(img, k=1, axes=(1, 2)), atol=1e-5)
    with pytest.raises(ValueError, match="factor"):
        L.RandomRotation(1.5)


# ---------------------------------------------------------------- CategoryEncoding
def test_category_encoding():
    x = np.array([[0, 1], [3, 3]])
    run_layer_test(L.CategoryEncoding, {"num_tokens": 4}, input_data=x, input_dtype="int64",
                   expected_output_shape=(2, 4))
    eye = np.eye(4, dtype=np.float32)
    np.testing.assert_array_equal(L.CategoryEncoding(4, "one_hot")(x).numpy(), eye[x])
    np.testing.assert_array_equal(L.CategoryEncoding(4, "one_hot")(np.array([[0], [3]])).numpy(), eye[[0, 3]])
    np.testing.assert_array_equal(L.CategoryEncoding(4, "multi_hot")(x).numpy(), np.minimum(eye[x].sum(1), 1))
    np.testing.assert_array_equal(L.CategoryEncoding(4, "count")(x).numpy(), eye[x].sum(1))
    np.testing.assert_array_equal(L.CategoryEncoding(4, "multi_hot")(np.array([1, 3])).numpy(), [0, 1, 0, 1])
    w = np.array([[0.5, 1.0], [2.0, 3.0]], np.float32)
    np.testing.assert_allclose(L.CategoryEncoding(4, "count")(x, count_weights=w).numpy(),
                               (eye[x] * w[..., None]).sum(1))
    layer = L.CategoryEncoding(5, "count")

    @tf.function
    def f(v):
        return layer(v)
    np.testing.assert_array_equal(f(tf.constant(x)).numpy(), np.eye(5)[x].sum(1))
    with pytest.raises(ValueError, match="num_tokens must be set"):
        L.CategoryEncoding()
    with pytest.raises(ValueError, match="count_weights"):
        L.CategoryEncoding(4, "multi_hot")(x, count_weights=w)


# ---------------------------------------------------------------- StringLookup / IntegerLookup
def test_string_lookup_vocabulary_and_oov():
    data = np.array([["a", "c", "d", "z"], ["d", "a", "b", "a"]])
    layer = L.StringLookup(vocabulary=["a", "b", "c", "d"])
    out = layer(data)
    assert out.dtype == tf.int64
    np.testing.assert_array_equal(out.numpy(), [[1, 3, 4, 0], [4, 1, 2, 1]])
    assert layer.get_vocabulary() == ["[UNK]", "a", "b", "c", "d"] and layer.vocabulary_size() == 5
    run_layer_test(L.StringLookup, {"vocabulary": ["a", "b", "c", "d"]}, input_data=data, input_dtype="string",
                   expected_output_shape=(2, 4))
    masked = L.StringLookup(vocabulary=["a", "b", "c", "d"], mask_token="")
    np.testing.assert_array_equal(masked(np.array(["", "a", "z"])).numpy(), [0, 2, 1])
    assert masked.get_vocabulary()[:2] == ["", "[UNK]"]
    assert L.StringLookup(vocabulary=["a", "b"])(tf.constant("b")).numpy() == 2
    # A vocabulary that already holds the special tokens is accepted as is.
    assert L.StringLookup(vocabulary=["[UNK]", "x"]).get_vocabulary() == ["[UNK]", "x"]
    strict = L.StringLookup(vocabulary=["a"], num_oov_indices=0)
    np.testing.assert_array_equal(strict(np.array(["a"])).numpy(), [0])
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        strict(np.array(["a", "q"]))
    with pytest.raises(ValueError, match="repeated term"):
        L.StringLookup(vocabulary=["a", "b", "a"])
    with pytest.raises(ValueError, match="max_tokens"):
        L.StringLookup(vocabulary=["a", "b", "c"], max_tokens=3)


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
def test_string_lookup_output_modes(mode):
    data = np.array([["a", "c", "d", "z"], ["d", "a", "b", "a"]])
    idx = np.array([[1, 3, 4, 0], [4, 1, 2, 1]])
    eye = np.eye(5, dtype=np.int64)
    out = L.StringLookup(vocabulary=["a", "b", "c", "d"], output_mode=mode)(data)
    assert out.dtype == tf.int64
    expected = {"one_hot": eye[idx], "multi_hot": np.minimum(eye[idx].sum(1), 1), "count": eye[idx].sum(1)}[mode]
    np.testing.assert_array_equal(out.numpy(), expected)
    padded = L.StringLookup(vocabulary=["a", "b", "c", "d"], output_mode=mode, max_tokens=8, pad_to_max_tokens=True)
    assert padded(data).shape.as_list()[-1] == 8
    run_layer_test(L.StringLookup, {"vocabulary": ["a", "b", "c", "d"], "output_mode": mode}, input_data=data,
                   input_dtype="string", expected_output_shape=expected.shape)
    if mode != "one_hot":  # a mask token is dropped from the encodings
        masked = L.StringLookup(vocabulary=["a", "b"], mask_token="", output_mode=mode)
        np.testing.assert_array_equal(masked(np.array([["", "a"]])).numpy(), [[0, 1, 0]])


def test_string_lookup_adapt_and_tf_idf():
    layer = L.StringLookup()
    layer.adapt(np.array(["b", "a", "b", "c", "c", "c", "[UNK]", "a", "a", "a"]))
    assert layer.get_vocabulary() == ["[UNK]", "a", "c", "b"]  # by count; the OOV token is not learned
    assert layer.get_config()["vocabulary"] is None and layer.get_config()["vocabulary_size"] == 4
    capped = L.StringLookup(max_tokens=3)
    capped.adapt(np.array([["b", "a", "b"], ["c", "c", "c"]]))
    assert capped.get_vocabulary() == ["[UNK]", "c", "b"]
    ties = L.StringLookup()
    ties.adapt(np.array(["x", "y", "z", "y"]))
    assert ties.get_vocabulary() == ["[UNK]", "y", "z", "x"]  # equal counts: decreasing token order
    docs = np.array([["a", "b", "a"], ["c", "a", "d"]])
    tfidf = L.StringLookup(output_mode="tf_idf")
    tfidf.adapt(docs)
    vocab = tfidf.get_vocabulary()
    assert vocab == ["[UNK]", "a", "d", "c", "b"]
    doc_freq = np.array([sum(t in row for row in docs.tolist()) for t in vocab[1:]])
    idf = np.log(1 + 2 / (1 + doc_freq))
    idf = np.concatenate([[idf.mean()], idf])
    out = tfidf(np.array([["a", "b", "a", "z"]])).numpy()
    np.testing.assert_allclose(out, [[idf[0], 2 * idf[1], 0, 0, idf[4]]], rtol=1e-5)
    given = L.StringLookup(output_mode="tf_idf", vocabulary=["a", "b"], idf_weights=[0.5, 2.0])
    np.testing.assert_allclose(given(np.array([["a", "b", "a", "z"]])).numpy(), [[1.25, 1.0, 2.0]], rtol=1e-6)
    with pytest.raises(ValueError, match="idf_weights"):
        L.StringLookup(output_mode="tf_idf", vocabulary=["a"])
    with pytest.raises(ValueError, match="Cannot adapt"):
        L.StringLookup(vocabulary=["a"]).adapt(np.array(["a"]))


def test_string_lookup_invert_and_tf_function():
    inv = L.StringLookup(vocabulary=["a", "b", "c"], invert=True)
    assert inv(np.array([0, 1, 3, 7])).numpy().tolist() == [b"[UNK]", b"a", b"c", b"[UNK]"]
    inv_m = L.StringLookup(vocabulary=["a", "b", "c"], invert=True, mask_token="")
    assert inv_m(np.array([0, 1, 3, 7])).numpy().tolist() == [b"", b"[UNK]", b"b", b"[UNK]"]
    layer = L.StringLookup(vocabulary=["a", "b", "c"])

    @tf.function
    def f(s):
        return layer(s)
    np.testing.assert_array_equal(f(tf.constant([["c", "x"], ["a", "b"]])).numpy(), [[3, 0], [1, 2]])
    inp = tf.keras.Input((2,), dtype="string")
    model = tf.keras.Model(inp, L.StringLookup(vocabulary=["a", "b"])(inp))
    np.testing.assert_array_equal(model(np.array([["b", "q"]])).numpy(), [[2, 0]])


def test_integer_lookup():
    layer = L.IntegerLookup(vocabulary=[12, 36, 1138, 42])
    np.testing.assert_array_equal(layer(np.array([12, 1138, 42, 42, 1000, 36])).numpy(), [1, 3, 4, 4, 0, 2])
    assert layer.get_vocabulary() == [-1, 12, 36, 1138, 42]
    run_layer_test(L.IntegerLookup, {"vocabulary": [12, 36, 1138, 42]}, input_data=np.array([[12, 3], [42, 36]]),
                   input_dtype="int64", expected_output_shape=(2, 2))
    buckets = L.IntegerLookup(vocabulary=[12, 36, 1138, 42], num_oov_indices=2, mask_token=0)
    x = np.array([0, 12, 1138, 42, 1000, 1001, 36])
    np.testing.assert_array_equal(buckets(x).numpy(), [0, 3, 5, 6, 1 + 1000 % 2, 1 + 1001 % 2, 4])
    assert buckets.get_vocabulary() == [0, -1, -1, 12, 36, 1138, 42]
    assert buckets(np.array([12], np.int32)).dtype == tf.int64
    adapted = L.IntegerLookup()
    adapted.adapt(np.array([[12, 1138, 42], [42, 1000, 36]]))
    assert adapted.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    inv = L.IntegerLookup(vocabulary=[5, 6], invert=True)
    np.testing.assert_array_equal(inv(np.array([0, 1, 2, 9])).numpy(), [-1, 5, 6, -1])
    cfg = layer.get_config()
    assert cfg["vocabulary"] == [12, 36, 1138, 42] and cfg["vocabulary_dtype"] == "int64" and cfg["oov_token"] == -1
    mh = L.IntegerLookup(vocabulary=[3, 4], output_mode="multi_hot")

    @tf.function
    def f(v):
        return mh(v)
    np.testing.assert_array_equal(f(tf.constant([[3, 9], [4, 4]])).numpy(), [[1, 1, 0], [0, 0, 1]])


# ---------------------------------------------------------------- TextVectorization
CORPUS = np.array(["The cat sat.", "the DOG sat!", "a cat, a dog"])


def test_text_vectorization_int():
    tv = L.TextVectorization()
    tv.adapt(CORPUS)
    assert tv.get_vocabulary() == ["", "[UNK]", "the", "sat", "dog", "cat", "a"]
    np.testing.assert_array_equal(tv(np.array(["the cat ate a fish", "dog"])).numpy(),
                                  [[2, 5, 1, 6, 1], [4, 0, 0, 0, 0]])
    fixed = L.TextVectorization(max_tokens=5, output_sequence_length=6)
    fixed.adapt(CORPUS)
    assert fixed.get_vocabulary() == ["", "[UNK]", "the", "sat", "dog"]
    out = fixed(np.array(["the cat ate a fish", "dog"]))
    assert out.dtype == tf.int64
    np.testing.assert_array_equal(out.numpy(), [[2, 1, 1, 1, 1, 0], [4, 0, 0, 0, 0, 0]])
    short = L.TextVectorization(output_sequence_length=2, vocabulary=["x", "y"])
    np.testing.assert_array_equal(short(np.array([["x y z"], ["y"]])).numpy(), [[2, 3], [3, 0]])
    cfg = fixed.get_config()
    assert cfg["max_tokens"] == 5 and cfg["vocabulary_size"] == 5 and cfg["standardize"] == \
        "lower_and_strip_punctuation"
    chars = L.TextVectorization(standardize="lower", split="character")
    chars.adapt(np.array(["Ab,a", "bc"]))
    assert chars.get_vocabulary() == ["", "[UNK]", "b", "a", "c", ","]
    # Without splitting, each (standardised) string is one token: usable in functional models too.
    run_layer_test(L.TextVectorization, {"split": None, "vocabulary": ["cat", "dog"]},
                   input_data=np.array([["Cat"], ["bird"]]), input_dtype="string", expected_output_shape=(2, 1))


def test_text_vectorization_encodings():
    multi = L.TextVectorization(output_mode="multi_hot")
    multi.adapt(CORPUS)
    assert multi.get_vocabulary() == ["[UNK]", "the", "sat", "dog", "cat", "a"]
    np.testing.assert_array_equal(multi(np.array(["the cat ate a fish", "dog"])).numpy(),
                                  [[1, 1, 0, 0, 1, 1], [0, 0, 0, 1, 0, 0]])
    count = L.TextVectorization(output_mode="count", vocabulary=["cat", "dog"])
    np.testing.assert_array_equal(count(np.array(["the cat cat ate a fish dog", "dog"])).numpy(),
                                  [[4, 2, 1], [0, 0, 1]])
    tfidf = L.TextVectorization(output_mode="tf_idf")
    tfidf.adapt(CORPUS)
    vocab = tfidf.get_vocabulary()
    docs = [set(s.lower().replace(".", "").replace("!", "").replace(",", "").split()) for s in CORPUS]
    idf = np.log(1 + 3 / (1 + np.array([sum(t in d for d in docs) for t in vocab[1:]])))
    idf = np.concatenate([[idf.mean()], idf])
    out = tfidf(np.array(["the cat ate a fish"])).numpy()[0]
    counts = np.array([2, 1, 0, 0, 1, 1])  # [UNK] twice (ate, fish), the, cat, a
    np.testing.assert_allclose(out, counts * idf, rtol=1e-5)
    with pytest.raises(ValueError, match="output_sequence_length"):
        L.TextVectorization(output_mode="count", output_sequence_length=3)


def test_text_vectorization_inside_graphs():
    tv = L.TextVectorization(max_tokens=20, output_sequence_length=5)
    tv.adapt(["the cat sat", "the dog ran far away", "a cat"])
    eager = tv(["the cat ran", "a dog"]).numpy()
    traced = tf.function(lambda s: tv(s))(tf.constant(["the cat ran", "a dog"])).numpy()
    np.testing.assert_array_equal(eager, traced)
    mapped = next(iter(tf.data.Dataset.from_tensor_slices(["the cat ran", "a dog"]).batch(2).map(tv))).numpy()
    np.testing.assert_array_equal(eager, mapped)
    inp = tf.keras.Input(shape=(1,), dtype="string")
    model = tf.keras.Model(inp, tv(inp))
    np.testing.assert_array_equal(model(tf.constant([["the cat ran"], ["a dog"]])).numpy(), eager)
