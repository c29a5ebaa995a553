"""ConvLSTM1D/2D/3D, adaptive pooling, 1-D/3-D cropping/padding/up-sampling, GroupQueryAttention,
ReversibleEmbedding and MelSpectrogram, checked against NumPy references."""
import itertools

import numpy as np
import pytest

import tensorforge as tf
from keras_layer_testing import run_layer_test

layers = tf.keras.layers
rng = np.random.default_rng(0)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# ---------------------------------------------------------------- NumPy references
def np_conv(x, w, strides, padding, dilation):
    """N-D cross-correlation of channels-last x [n, *spatial, c] with w [*k, c, f] (TF's 'same')."""
    rank = w.ndim - 2
    k = w.shape[:rank]
    pads = [(0, 0)]
    outs = []
    for i in range(rank):
        n, eff = x.shape[1 + i], (k[i] - 1) * dilation[i] + 1
        if padding == "same":
            out = -(-n // strides[i])
            total = max((out - 1) * strides[i] + eff - n, 0)
            pads.append((total // 2, total - total // 2))
        else:
            out = (n - eff) // strides[i] + 1
            pads.append((0, 0))
        outs.append(out)
    xp = np.pad(x, pads + [(0, 0)])
    y = np.zeros((x.shape[0],) + tuple(outs) + (w.shape[-1],), np.float64)
    for off in itertools.product(*[range(kk) for kk in k]):
        sl = tuple(slice(o * d, o * d + (m - 1) * s + 1, s) for o, d, m, s in zip(off, dilation, outs, strides))
        y += xp[(slice(None),) + sl] @ w[off]
    return y


def np_conv_lstm(x, kernel, rec, bias, strides, padding, dilation, go_backwards=False, h=None, c=None):
    """(all outputs [b, t, ...], h, c) of a ConvLSTM over channels-last x [b, t, *spatial, c]."""
    rank = kernel.ndim - 2
    steps = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
    outs = []
    for t in steps:
        z = np_conv(x[:, t], kernel, strides, padding, dilation)
        if bias is not None:
            z = z + bias
        if h is None:
            h = np.zeros(z.shape[:-1] + (kernel.shape[-1] // 4,))
            c = np.zeros_like(h)
        z = z + np_conv(h, rec, (1,) * rank, "same", (1,) * rank)
        zi, zf, zc, zo = np.split(z, 4, axis=-1)
        c = _sigmoid(zf) * c + _sigmoid(zi) * np.tanh(zc)
        h = _sigmoid(zo) * np.tanh(c)
        outs.append(h)
    return np.stack(outs, 1), h, c


def _random_weights(layer, scale=0.3, seed=1):
    r = np.random.default_rng(seed)
    layer.set_weights([(r.standard_normal(w.shape) * scale).astype("float32") for w in layer.weights])
    return layer.get_weights()


# ---------------------------------------------------------------- ConvLSTM
CONV_CASES = [
    (1, (9,), dict(padding="same")),
    (1, (9,), dict(padding="valid", strides=2, return_sequences=True)),
    (2, (6, 5), dict(padding="valid")),
    (2, (6, 5), dict(padding="same", strides=2, go_backwards=True, return_sequences=True)),
    (2, (7, 6), dict(padding="same", dilation_rate=2)),
    (2, (7, 6), dict(padding="valid", dilation_rate=(2, 1), use_bias=False)),
    (3, (5, 4, 5), dict(padding="same", return_sequences=True)),
    (3, (5, 6, 5), dict(padding="valid", strides=(1, 2, 2), go_backwards=True)),
]


@pytest.mark.parametrize("rank,spatial,kw", CONV_CASES)
def test_conv_lstm_matches_numpy(rank, spatial, kw):
    cls = getattr(layers, "ConvLSTM%dD" % rank)
    x = rng.standard_normal((2, 4) + spatial + (3,)).astype("float32")
    layer = cls(5, 3, **kw)
    layer.build(x.shape)
    ws = _random_weights(layer)
    kernel, rec = ws[0], ws[1]
    bias = ws[2] if len(ws) == 3 else None
    k = layer.cell
    seq, h, c = np_conv_lstm(x.astype(np.float64), kernel, rec, bias, k.strides, k.padding, k.dilation_rate,
                             go_backwards=kw.get("go_backwards", False))
    want = seq if kw.get("return_sequences") else h
    got = layer(x).numpy()
    assert got.shape == want.shape == tuple(layer.compute_output_shape(x.shape))
    np.testing.assert_allclose(got, want, atol=2e-5)


def test_conv_lstm_weights_config_and_state():
    layer = layers.ConvLSTM2D(4, (3, 2), padding="same", return_state=True, name="clstm")
    x = rng.standard_normal((2, 3, 5, 6, 2)).astype("float32")
    out, h, c = layer(x)
    assert [w.path for w in layer.weights] == ["clstm/conv_lstm_cell/kernel", "clstm/conv_lstm_cell/recurrent_kernel",
                                                "clstm/conv_lstm_cell/bias"]
    assert [tuple(w.shape) for w in layer.weights] == [(3, 2, 2, 16), (3, 2, 4, 16), (16,)]
    # unit_forget_bias: the forget gate's bias starts at one
    np.testing.assert_array_equal(layer.weights[2].numpy(), np.r_[np.zeros(4), np.ones(4), np.zeros(8)])
    np.testing.assert_array_equal(out.numpy(), h.numpy())
    assert c.shape == (2, 5, 6, 4)
    cfg = layer.get_config()
    assert cfg["kernel_size"] == (3, 2) and cfg["strides"] == (1, 1) and cfg["filters"] == 4
    assert "cell" not in cfg and cfg["unit_forget_bias"] is True and cfg["seed"] is None
    assert list(cfg)[:9] == ["name", "trainable", "dtype", "return_sequences", "return_state", "go_backwards",
                             "stateful", "unroll", "zero_output_for_mask"]
    clone = layers.ConvLSTM2D.from_config(cfg)
    assert clone.get_config() == cfg
    clone(x)
    clone.set_weights(layer.get_weights())
    for a, b in zip(clone(x), (out, h, c)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6)
    assert layer.filters == 4 and layer.padding == "same"
    # initial_state continues from the given states
    x2 = rng.standard_normal((2, 2, 5, 6, 2)).astype("float32")
    ws = layer.get_weights()
    seq, h2, c2 = np_conv_lstm(x2.astype(np.float64), ws[0], ws[1], ws[2], (1, 1), "same", (1, 1),
                               h=h.numpy().astype(np.float64), c=c.numpy().astype(np.float64))
    _, gh, gc = layer(x2, initial_state=[h, c])
    np.testing.assert_allclose(gh.numpy(), h2, atol=2e-5)
    np.testing.assert_allclose(gc.numpy(), c2, atol=2e-5)


def test_conv_lstm_errors():
    with pytest.raises(ValueError, match="strides > 1"):
        layers.ConvLSTM2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="expected ndim=5"):
        layers.ConvLSTM2D(2, 3)(np.zeros((2, 3, 4, 4), "float32"))
    with pytest.raises(ValueError, match="padding"):
        layers.ConvLSTM1D(2, 3, padding="causal")


def test_conv_lstm_stateful_and_mask():
    x = rng.standard_normal((2, 3, 6, 2)).astype("float32")
    layer = layers.ConvLSTM1D(3, 3, padding="same", stateful=True)
    layer(x)
    ws = layer.get_weights()
    layer.reset_states()
    first = layer(x).numpy()
    second = layer(x).numpy()
    _, h, c = np_conv_lstm(x.astype(np.float64), *ws, (1,), "same", (1,))
    np.testing.assert_allclose(first, h, atol=2e-5)
    _, h2, _ = np_conv_lstm(x.astype(np.float64), *ws, (1,), "same", (1,), h=h, c=c)
    np.testing.assert_allclose(second, h2, atol=2e-5)
    layer.reset_states()
    np.testing.assert_allclose(layer(x).numpy(), first, atol=1e-6)
    # A masked step keeps the states and repeats the previous output.
    masked = layers.ConvLSTM1D(3, 3, padding="same", return_sequences=True)
    masked.build(x.shape)
    masked.set_weights(ws)
    mask = np.array([[True, False, True], [True, True, False]])
    got = masked(x, mask=mask).numpy()
    for b in range(2):
        keep = x[b:b + 1, mask[b]]
        seq, _, _ = np_conv_lstm(keep.astype(np.float64), *ws, (1,), "same", (1,))
        np.testing.assert_allclose(got[b, mask[b]], seq[0], atol=2e-5)
        idx = np.flatnonzero(~mask[b])[0]
        np.testing.assert_allclose(got[b, idx], got[b, idx - 1], atol=1e-6)


def test_conv_lstm_models_fit_and_function():
    x = rng.standard_normal((8, 3, 5, 5, 2)).astype("float32")
    y = rng.standard_normal((8, 5, 5, 2)).astype("float32")
    model = tf.keras.Sequential([tf.keras.Input((3, 5, 5, 2)), layers.ConvLSTM2D(2, 3, padding="same")])
    model.compile("adam", "mse")
    before = [w.copy() for w in model.get_weights()]
    hist = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert len(hist.history["loss"]) == 2
    assert all(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))
    # unknown time steps: a functional model runs the loop symbolically
    inp = tf.keras.Input((None, 5, 5, 2))
    out = layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True, go_backwards=True)(inp)
    fmodel = tf.keras.Model(inp, out)
    ws = fmodel.layers[-1].get_weights()
    got = fmodel.predict(x, verbose=0)
    seq, _, _ = np_conv_lstm(x.astype(np.float64), *ws, (1, 1), "same", (1, 1), go_backwards=True)
    np.testing.assert_allclose(got, seq, atol=2e-5)
    layer = layers.ConvLSTM3D(2, 2, return_sequences=True)
    xs = rng.standard_normal((2, 2, 3, 3, 3, 1)).astype("float32")
    eager = layer(xs).numpy()
    np.testing.assert_allclose(tf.function(layer)(xs).numpy(), eager, atol=1e-6)


def test_conv_lstm_layer_test():
    run_layer_test(layers.ConvLSTM1D, dict(filters=2, kernel_size=2, return_sequences=True),
                   input_shape=(2, 3, 5, 2), expected_output_shape=(2, 3, 4, 2), expected_num_trainable_weights=3)


# ---------------------------------------------------------------- adaptive pooling
def np_adaptive(x, out_sizes, axes, reduce):
    for axis, out in zip(axes, out_sizes):
        n = x.shape[axis]
        small = -(-n // out)
        parts = []
        for i in range(out):
            start, end = (i * n) // out, -(-((i + 1) * n) // out)
            size = small + 1 if end - start == small + 1 else small
            parts.append(reduce(np.take(x, np.arange(start, start + size), axis=axis), axis=axis, keepdims=True))
        x = np.concatenate(parts, axis=axis)
    return x


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("kind", ["Average", "Max"])
@pytest.mark.parametrize("n,out", [(10, 4), (7, 5), (3, 5), (6, 6), (13, 1)])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_adaptive_pooling(rank, kind, n, out, data_format):
    cls = getattr(layers, "Adaptive%sPooling%dD" % (kind, rank))
    shape = (2,) + (n,) * rank + (3,) if data_format == "channels_last" else (2, 3) + (n,) * rank
    x = rng.standard_normal(shape).astype("float32")
    first = 1 if data_format == "channels_last" else 2
    want = np_adaptive(x, (out,) * rank, range(first, first + rank), np.mean if kind == "Average" else np.max)
    layer = cls(out, data_format=data_format)
    got = layer(x).numpy()
    assert got.shape == want.shape == layer.compute_output_shape(shape)
    np.testing.assert_allclose(got, want, atol=1e-6)


def test_adaptive_pooling_args_and_layer_test():
    assert layers.AdaptiveMaxPooling2D((2, 3)).get_config()["output_size"] == (2, 3)
    assert layers.AdaptiveAveragePooling1D([4]).output_size == (4,)
    with pytest.raises(TypeError, match="output_size"):
        layers.AdaptiveAveragePooling2D((1, 2, 3))
    with pytest.raises(ValueError, match="length 1"):
        layers.AdaptiveMaxPooling1D((1, 2))
    with pytest.raises(ValueError, match="Invalid data_format"):
        layers.AdaptiveMaxPooling3D(2, data_format="nhwc")
    run_layer_test(layers.AdaptiveAveragePooling2D, dict(output_size=(2, 3)), input_shape=(2, 5, 7, 3),
                   expected_output_shape=(2, 2, 3, 3), expected_num_trainable_weights=0, supports_training=False)
    # gradients flow to the pooled inputs only
    x = tf.constant(rng.standard_normal((1, 5, 2)).astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(layers.AdaptiveMaxPooling1D(2)(x))
    g = tape.gradient(y, x).numpy()
    assert g.sum() == pytest.approx(4.0)


# ---------------------------------------------------------------- reshaping
def test_cropping_padding_upsampling_1d_3d():
    x1 = rng.standard_normal((2, 7, 3)).astype("float32")
    np.testing.assert_array_equal(layers.Cropping1D((1, 2))(x1).numpy(), x1[:, 1:-2])
    np.testing.assert_array_equal(layers.Cropping1D(0)(x1).numpy(), x1)
    np.testing.assert_array_equal(layers.ZeroPadding1D((2, 1))(x1).numpy(), np.pad(x1, [(0, 0), (2, 1), (0, 0)]))
    np.testing.assert_array_equal(layers.ZeroPadding1D(1, data_format="channels_first")(x1).numpy(),
                                  np.pad(x1, [(0, 0), (0, 0), (1, 1)]))
    np.testing.assert_array_equal(layers.UpSampling1D(3)(x1).numpy(), np.repeat(x1, 3, axis=1))
    x3 = rng.standard_normal((2, 5, 6, 4, 3)).astype("float32")
    np.testing.assert_array_equal(layers.Cropping3D(((1, 0), 2, (0, 1)))(x3).numpy(), x3[:, 1:, 2:-2, :-1])
    np.testing.assert_array_equal(layers.Cropping3D(1, data_format="channels_first")(x3).numpy(),
                                  x3[:, :, 1:-1, 1:-1, 1:-1])
    np.testing.assert_array_equal(layers.ZeroPadding3D((1, (0, 2), 0))(x3).numpy(),
                                  np.pad(x3, [(0, 0), (1, 1), (0, 2), (0, 0), (0, 0)]))
    up = layers.UpSampling3D((1, 2, 3))(x3).numpy()
    np.testing.assert_array_equal(up, np.repeat(np.repeat(x3, 2, axis=2), 3, axis=3))
    with pytest.raises(ValueError, match="smaller than the input length"):
        layers.Cropping1D((4, 3))(x1)
    with pytest.raises(ValueError, match="smaller than the corresponding"):
        layers.Cropping3D(((3, 3), 0, 0))(x3)
    with pytest.raises(ValueError, match="3 elements"):
        layers.ZeroPadding3D((1, 2))
    with pytest.raises(TypeError, match="integer"):
        layers.UpSampling1D(2.0)
    assert layers.ZeroPadding3D(2).get_config()["padding"] == ((2, 2),) * 3
    assert layers.Cropping3D().cropping == ((1, 1),) * 3
    assert layers.Cropping1D(2).get_config()["cropping"] == (2, 2)


@pytest.mark.parametrize("cls,kw,shape,out", [
    (layers.Cropping1D, dict(cropping=(1, 2)), (2, 6, 3), (2, 3, 3)),
    (layers.Cropping3D, dict(cropping=1), (2, 4, 4, 5, 2), (2, 2, 2, 3, 2)),
    (layers.ZeroPadding1D, dict(padding=2), (2, 4, 3), (2, 8, 3)),
    (layers.ZeroPadding3D, dict(padding=1), (2, 2, 3, 2, 1), (2, 4, 5, 4, 1)),
    (layers.UpSampling1D, dict(size=2), (2, 3, 4), (2, 6, 4)),
    (layers.UpSampling3D, dict(size=2), (2, 2, 2, 1, 3), (2, 4, 4, 2, 3)),
])
def test_reshaping_layer_test(cls, kw, shape, out):
    run_layer_test(cls, kw, input_shape=shape, expected_output_shape=out, expected_num_trainable_weights=0,
                   supports_training=False)


# ---------------------------------------------------------------- GroupQueryAttention
def np_gqa(q, v, ws, heads, kv_heads, head_dim, mask=None, gate=False, use_bias=True):
    it = iter(ws)

    def proj(x, eq):
        k = next(it)
        out = np.einsum(eq, x, k)
        return out + next(it) if use_bias else out
    qp = proj(q, "bqm,muh->bquh")
    kp = proj(v, "bkm,mvh->bkvh")
    g = _sigmoid(proj(q, "bqm,muh->bquh")) if gate else None
    vp = proj(v, "bkm,mvh->bkvh")
    rep = heads // kv_heads
    kp, vp = np.repeat(kp, rep, axis=2), np.repeat(vp, rep, axis=2)
    s = np.einsum("bquh,bkuh->buqk", qp / np.sqrt(head_dim), kp)
    if mask is not None:
        s = np.where(mask[:, None], s, -1e9)
    p = np.exp(s - s.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    out = np.einsum("buqk,bkuh->bquh", p, vp)
    if gate:
        out = out * g
    return proj(out, "bquh,uhm->bqm"), p


@pytest.mark.parametrize("kw", [dict(), dict(use_gate=True), dict(use_bias=False)])
def test_group_query_attention(kw):
    q = rng.standard_normal((2, 5, 8)).astype("float32")
    v = rng.standard_normal((2, 6, 8)).astype("float32")
    layer = layers.GroupQueryAttention(4, 6, 2, **kw)
    layer(q, v)
    names = [w.path.split("/", 1)[1] for w in layer.weights]
    proj = ["query", "key"] + (["gate"] if kw.get("use_gate") else []) + ["value", "attention_output"]
    assert names == [p + "/" + n for p in proj for n in (("kernel", "bias") if kw.get("use_bias", True)
                                                          else ("kernel",))]
    assert tuple(layer.weights[0].shape) == (8, 6, 4) and tuple(layer.weights[-1 if not kw.get("use_bias", True)
                                                                             else -2].shape) == (6, 4, 8)
    ws = _random_weights(layer)
    mask = rng.random((2, 5, 6)) > 0.3
    mask[:, :, 0] = True
    want, probs = np_gqa(q.astype(np.float64), v.astype(np.float64), ws, 6, 2, 4, mask, kw.get("use_gate", False),
                         kw.get("use_bias", True))
    out, scores = layer(q, v, attention_mask=mask, return_attention_scores=True)
    np.testing.assert_allclose(out.numpy(), want, atol=2e-5)
    np.testing.assert_allclose(scores.numpy(), probs, atol=2e-6)
    causal = np.tril(np.ones((5, 6), bool))[None].repeat(2, 0)
    np.testing.assert_allclose(layer(q, v, use_causal_mask=True).numpy(),
                               np_gqa(q, v, ws, 6, 2, 4, causal, kw.get("use_gate", False),
                                      kw.get("use_bias", True))[0], atol=2e-5)
    cfg = layer.get_config()
    assert cfg["head_dim"] == 4 and cfg["num_query_heads"] == 6 and cfg["num_key_value_heads"] == 2
    assert layers.GroupQueryAttention.from_config(cfg).get_config() == cfg


def test_group_query_attention_errors_and_model():
    with pytest.raises(ValueError, match="divisible"):
        layers.GroupQueryAttention(4, 6, 4)
    with pytest.raises(ValueError, match="sliding_window"):
        layers.GroupQueryAttention(4, 4, 2, sliding_window=0)
    assert layers.GroupQueryAttention(4, 4, 2).name.startswith("grouped_query_attention")
    inp = tf.keras.Input((5, 8))
    out = layers.GroupQueryAttention(4, 4, 2)(inp, inp)
    model = tf.keras.Model(inp, out)
    model.compile("adam", "mse")
    x = rng.standard_normal((4, 5, 8)).astype("float32")
    before = [w.copy() for w in model.get_weights()]
    model.fit(x, x, epochs=1, verbose=0)
    assert all(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))
    layer = model.layers[-1]
    np.testing.assert_allclose(tf.function(lambda t: layer(t, t))(x).numpy(), layer(x, x).numpy(), atol=1e-6)


# ---------------------------------------------------------------- ReversibleEmbedding
@pytest.mark.parametrize("kw", [dict(), dict(tie_weights=False), dict(logit_soft_cap=2.0)])
def test_reversible_embedding(kw):
    layer = layers.ReversibleEmbedding(7, 4, **kw)
    ids = np.array([[1, 0, 3], [6, 2, 0]])
    emb = layer(ids).numpy()
    ws = _random_weights(layer, scale=1.0)
    assert [w.name for w in layer.weights] == ["embeddings"] + ([] if kw.get("tie_weights", True)
                                                                 else ["reverse_embeddings"])
    np.testing.assert_array_equal(layer(ids).numpy(), ws[0][ids])
    assert emb.shape == (2, 3, 4)
    h = rng.standard_normal((2, 3, 4)).astype("float32")
    kernel = ws[0].T if kw.get("tie_weights", True) else ws[1]
    logits = h @ kernel
    if "logit_soft_cap" in kw:
        logits = np.tanh(logits / 2.0) * 2.0
    np.testing.assert_allclose(layer(h, reverse=True).numpy(), logits, atol=1e-5)
    assert layer.compute_output_shape((2, 3, 4), reverse=True) == [2, 3, 7]
    cfg = layer.get_config()
    assert cfg["tie_weights"] == kw.get("tie_weights", True) and cfg["reverse_dtype"] is None
    assert layers.ReversibleEmbedding.from_config(cfg).get_config() == cfg


def test_reversible_embedding_mask_and_model():
    layer = layers.ReversibleEmbedding(5, 3, mask_zero=True)
    out = layer(np.array([[1, 0, 2]]))
    np.testing.assert_array_equal(tf.keras.masking.get_keras_mask(out).numpy(), [[True, False, True]])
    inp = tf.keras.Input((4,), dtype="int32")
    emb = layers.ReversibleEmbedding(9, 6)
    logits = emb(emb(inp), reverse=True)
    model = tf.keras.Model(inp, logits)
    model.compile("adam", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    ids = rng.integers(0, 9, (8, 4))
    hist = model.fit(ids, ids, epochs=3, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]


# ---------------------------------------------------------------- MelSpectrogram
def np_mel(x, fft_length=2048, stride=512, seq_len=None, window="hann", sr=16000, bins=128, fmin=20.0, fmax=None,
           to_db=True, top_db=80.0, mag_exp=2.0, min_power=1e-10, ref_power=1.0):
    seq_len = seq_len or fft_length
    fmax = fmax or sr // 2
    xp = np.pad(x.astype(np.float64), [(0, 0)] * (x.ndim - 1) + [(fft_length // 2,) * 2], mode="reflect")
    n_frames = 1 + (xp.shape[-1] - fft_length) // stride
    idx = np.arange(fft_length)[None] + stride * np.arange(n_frames)[:, None]
    frames = xp[..., idx]
    if window is not None:
        k = np.arange(seq_len)
        w = 0.5 - 0.5 * np.cos(2 * np.pi * k / seq_len) if window == "hann" else \
            0.54 - 0.46 * np.cos(2 * np.pi * k / seq_len)
        left = (fft_length - seq_len) // 2
        frames = frames * np.pad(w, (left, fft_length - seq_len - left))
    spec = np.abs(np.fft.rfft(frames, fft_length)) ** mag_exp
    mel = lambda f: 1127.0 * np.log(1.0 + f / 700.0)  # noqa: E731
    nb = fft_length // 2 + 1
    fmel = mel(np.linspace(0, sr / 2, nb)[1:])[:, None]
    edges = np.linspace(mel(fmin), mel(fmax), bins + 2)
    lo, ce, hi = edges[:-2], edges[1:-1], edges[2:]
    fb = np.maximum(0, np.minimum((fmel - lo) / (ce - lo), (hi - fmel) / (hi - ce)))
    out = spec @ np.vstack([np.zeros((1, bins)), fb])
    if to_db:
        out = 10 * np.log10(np.maximum(out, min_power)) - 10 * np.log10(max(abs(ref_power), min_power))
        out = np.maximum(out, out.max() - top_db)
    return np.swapaxes(out, -1, -2)


@pytest.mark.parametrize("kw,shape", [
    (dict(), (2, 3000)),
    (dict(fft_length=512, sequence_stride=128, num_mel_bins=40), (2, 3000)),
    (dict(fft_length=512, sequence_length=400, sequence_stride=160, window="hamming", power_to_db=False), (3000,)),
    (dict(fft_length=256, sequence_stride=100, window=None, mag_exp=1.0, ref_power=2.0, top_db=40.0, min_freq=100,
          max_freq=3000, sampling_rate=8000), (2, 1000)),
])
def test_mel_spectrogram(kw, shape):
    x = rng.standard_normal(shape).astype("float32")
    args = dict(fft_length=kw.get("fft_length", 2048), stride=kw.get("sequence_stride", 512),
                seq_len=kw.get("sequence_length"), window=kw.get("window", "hann"), sr=kw.get("sampling_rate", 16000),
                bins=kw.get("num_mel_bins", 128), fmin=kw.get("min_freq", 20.0), fmax=kw.get("max_freq"),
                to_db=kw.get("power_to_db", True), top_db=kw.get("top_db", 80.0), mag_exp=kw.get("mag_exp", 2.0),
                ref_power=kw.get("ref_power", 1.0))
    want = np_mel(x, **args)
    layer = layers.MelSpectrogram(**kw)
    got = layer(x).numpy()
    assert got.shape == want.shape and list(got.shape) == layer.compute_output_shape(shape)
    if kw.get("power_to_db", True):
        np.testing.assert_allclose(got, want, atol=2e-3)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-3 * np.abs(want).max())
    cfg = layer.get_config()
    assert cfg["sequence_length"] == kw.get("sequence_length", args["fft_length"])
    assert layers.MelSpectrogram.from_config(cfg).get_config() == cfg


def test_mel_spectrogram_errors_and_model():
    with pytest.raises(ValueError, match="fft_length"):
        layers.MelSpectrogram(fft_length=256, sequence_length=512)
    with pytest.raises(ValueError, match="window"):
        layers.MelSpectrogram(window="blackman")
    inp = tf.keras.Input((2048,))
    model = tf.keras.Sequential([inp, layers.MelSpectrogram(fft_length=256, sequence_stride=128, num_mel_bins=16),
                                 layers.Flatten(), layers.Dense(1)])
    x = rng.standard_normal((4, 2048)).astype("float32")
    assert model.predict(x, verbose=0).shape == (4, 1)
    mel = model.layers[0]
    np.testing.assert_allclose(tf.function(mel)(x).numpy(), mel(x).numpy(), atol=1e-4)
