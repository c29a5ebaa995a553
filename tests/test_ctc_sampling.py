"""tf.nn.ctc_loss (dense and sparse labels, gradients), the CTC decoders and label helpers, keras CTC."""
import itertools

import numpy as np
import pytest

import tensorforge as tf


def _log_softmax(x):
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


def _collapse(path, blank):
    out = []
    prev = None
    for c in path:
        if c != prev and c != blank:
            out.append(c)
        prev = c
    return out


def _brute_ctc(logits_tc, label, blank):
    """-log sum over all alignments of length T that collapse to `label` (tiny cases only)."""
    lp = _log_softmax(logits_tc.astype(np.float64))
    t, c = lp.shape
    total = 0.0
    for path in itertools.product(range(c), repeat=t):
        if _collapse(path, blank) == list(label):
            total += np.exp(sum(lp[i, k] for i, k in enumerate(path)))
    return -np.log(total)


def _case():
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((5, 3, 3)).astype(np.float32)
    labels = np.array([[1, 2, 0], [2, 2, 0], [1, 0, 0]], np.int32)
    return logits, labels, np.array([2, 2, 1], np.int32), np.array([5, 4, 3], np.int32)


def test_dense_ctc_loss_matches_brute_force():
    logits, labels, ll, lg = _case()
    loss = tf.nn.ctc_loss(labels, logits, ll, lg).numpy()
    assert loss.dtype == np.float32 and loss.shape == (3,)
    for b in range(3):
        want = _brute_ctc(logits[:lg[b], b], labels[b, :ll[b]], blank=0)
        np.testing.assert_allclose(loss[b], want, rtol=1e-5)


def test_blank_index_and_batch_major():
    logits, labels, ll, lg = _case()
    # blank as the last class: labels 0..C-2
    lab = labels - 1
    lab[lab < 0] = 0
    loss = tf.nn.ctc_loss(lab, logits, ll, lg, blank_index=-1).numpy()
    for b in range(3):
        np.testing.assert_allclose(loss[b], _brute_ctc(logits[:lg[b], b], lab[b, :ll[b]], blank=2), rtol=1e-5)
    bm = tf.nn.ctc_loss(labels, np.transpose(logits, (1, 0, 2)), ll, lg, logits_time_major=False).numpy()
    np.testing.assert_allclose(bm, tf.nn.ctc_loss(labels, logits, ll, lg).numpy(), rtol=1e-6)


def test_sparse_labels_match_dense():
    logits, labels, ll, lg = _case()
    sp = tf.sparse.from_dense(labels)
    dense = tf.nn.ctc_loss(labels, logits, ll, lg).numpy()
    sparse = tf.nn.ctc_loss(sp, logits, None, lg, blank_index=0).numpy()
    np.testing.assert_allclose(sparse, dense, rtol=1e-5)
    d64 = tf.nn.ctc_loss(sp, logits.astype(np.float64), None, lg, blank_index=0)
    assert d64.dtype == tf.float64
    with pytest.raises(ValueError, match="blank_index"):
        tf.nn.ctc_loss(sp, logits, None, lg)


def test_sparse_not_enough_time_raises():
    logits, labels, ll, _ = _case()
    with pytest.raises(tf.errors.InvalidArgumentError, match="Not enough time"):
        tf.nn.ctc_loss(tf.sparse.from_dense(labels), logits, None, np.array([5, 2, 3], np.int32), blank_index=0)


def test_half_precision_and_impossible_dense():
    logits, labels, ll, lg = _case()
    out = tf.nn.ctc_loss(labels, logits.astype(np.float16), ll, lg)
    assert out.dtype == tf.float16
    # an alignment that cannot exist costs a large finite amount (TF's log(1e-307) floor), not inf
    bad = tf.nn.ctc_loss(labels, logits, ll, np.array([5, 2, 3], np.int32)).numpy()
    assert np.isfinite(bad[1]) and bad[1] > 500


def test_gradient_matches_finite_differences():
    logits, labels, ll, lg = _case()
    x = tf.constant(logits.astype(np.float64))
    w = np.array([1.0, -0.5, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(tf.nn.ctc_loss(labels, x, ll, lg) * w)
    g = tape.gradient(loss, x).numpy()

    def f(a):
        return sum(w[b] * _brute_ctc(a[:lg[b], b], labels[b, :ll[b]], 0) for b in range(3))

    num = np.zeros_like(g)
    base = logits.astype(np.float64)
    for idx in np.ndindex(base.shape):
        p, m = base.copy(), base.copy()
        p[idx] += 1e-5
        m[idx] -= 1e-5
        num[idx] = (f(p) - f(m)) / 2e-5
    np.testing.assert_allclose(g, num, atol=1e-6)
    assert not g[4:, 1].any() and not g[3:, 2].any()  # frames past logit_length


def test_greedy_decoder():
    logits = np.full((4, 1, 3), -5.0, np.float32)
    for t, c in enumerate([0, 0, 2, 1]):  # blank is 2 by default
        logits[t, 0, c] = 1.0 + t
    (dec,), neg = tf.nn.ctc_greedy_decoder(logits, np.array([4], np.int32))
    assert dec.values.numpy().tolist() == [0, 1] and dec.values.dtype == tf.int64
    assert dec.dense_shape.numpy().tolist() == [1, 2]
    np.testing.assert_allclose(neg.numpy(), [[-(1 + 2 + 3 + 4)]])
    (dec,), _ = tf.nn.ctc_greedy_decoder(logits, np.array([4], np.int32), merge_repeated=False)
    assert dec.values.numpy().tolist() == [0, 0, 1]


def test_beam_search_finds_most_likely_labelling():
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((4, 1, 3)).astype(np.float32) * 2
    dec, logp = tf.nn.ctc_beam_search_decoder(logits, np.array([4], np.int32), beam_width=50, top_paths=2)
    assert len(dec) == 2 and logp.shape == (1, 2)
    # exact labelling probabilities by enumeration (blank = last class)
    lp = _log_softmax(logits[:, 0].astype(np.float64))
    probs = {}
    for path in itertools.product(range(3), repeat=4):
        key = tuple(_collapse(path, 2))
        probs[key] = probs.get(key, 0.0) + np.exp(sum(lp[i, k] for i, k in enumerate(path)))
    best = sorted(probs.items(), key=lambda kv: -kv[1])[:2]
    for j in range(2):
        assert tuple(dec[j].values.numpy().tolist()) == best[j][0]
        np.testing.assert_allclose(logp.numpy()[0, j], np.log(best[j][1]), rtol=1e-5)


def test_collapse_repeated_and_unique_labels():
    labels = np.array([[3, 4, 4, 3, 0], [1, 1, 2, 2, 0]])
    out, n = tf.nn.collapse_repeated(labels, np.array([4, 3]))
    assert out.numpy().tolist() == [[3, 4, 3], [1, 2, 0]] and n.numpy().tolist() == [3, 2]
    y, idx = tf.nn.ctc_unique_labels(labels)
    assert y.dtype == tf.int64 and idx.dtype == tf.int32
    assert y.numpy().tolist() == [[3, 4, 0, 0, 0], [1, 2, 0, 0, 0]]
    assert idx.numpy().tolist() == [[0, 1, 1, 0, 2], [0, 0, 1, 1, 2]]


def test_keras_ctc_loss():
    rng = np.random.default_rng(0)
    yt = np.array([[1, 2, 0], [2, 0, 0]])
    yp = rng.standard_normal((2, 4, 3)).astype(np.float32)
    per = tf.keras.losses.ctc(yt, yp).numpy()
    for b, lab in enumerate([[1, 2], [2]]):
        np.testing.assert_allclose(per[b], _brute_ctc(yp[b], lab, 0), rtol=1e-5)
    loss = tf.keras.losses.CTC()
    assert loss.get_config() == {"name": "ctc", "reduction": "sum_over_batch_size"}
    np.testing.assert_allclose(loss(yt, yp).numpy(), per.mean(), rtol=1e-6)
    np.testing.assert_allclose(tf.keras.losses.CTC(reduction="sum")(yt, yp).numpy(), per.sum(), rtol=1e-6)
    assert tf.keras.losses.ctc(yt, yp.astype(np.float64)).dtype == tf.float64


def test_ctc_loss_in_tf_function():
    logits, labels, ll, lg = _case()

    @tf.function
    def f(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(tf.nn.ctc_loss(labels, x, ll, lg))
        return loss, tape.gradient(loss, x)

    loss, g = f(tf.constant(logits))
    np.testing.assert_allclose(loss.numpy(), tf.nn.ctc_loss(labels, logits, ll, lg).numpy().sum(), rtol=1e-5)
    assert g.shape == logits.shape
