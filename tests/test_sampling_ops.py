"""Candidate samplers, accidental hits, sampled softmax and NCE losses (TF's formulas)."""
import numpy as np
import pytest

import tensorforge as tf


def test_samplers_expected_counts():
    tc = tf.constant([[1], [5]], tf.int64)
    s = tf.random.log_uniform_candidate_sampler(tc, 1, 4, True, 10, seed=1)
    cands = s.sampled_candidates.numpy()
    assert len(set(cands.tolist())) == 4 and (cands >= 0).all() and (cands < 10).all()
    p = lambda c: (np.log(c + 2.0) - np.log(c + 1.0)) / np.log(11.0)  # noqa: E731
    # unique sampling: -expm1(tries * log1p(-p)) with one `tries` shared by every class
    tries = np.log1p(-s.sampled_expected_count.numpy()) / np.log1p(-p(cands))
    np.testing.assert_allclose(tries, tries[0], rtol=1e-4)
    np.testing.assert_allclose(s.true_expected_count.numpy()[:, 0], -np.expm1(tries[0] * np.log1p(-p(np.array([1, 5])))),
                               rtol=1e-4)
    u = tf.random.uniform_candidate_sampler(tc, 1, 4, False, 10, seed=1)
    np.testing.assert_allclose(u.sampled_expected_count.numpy(), 0.4)
    a = tf.random.all_candidate_sampler(tf.constant([[1]], tf.int64), 1, 3, True)
    assert a.sampled_candidates.numpy().tolist() == [0, 1, 2]
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.random.uniform_candidate_sampler(tc, 1, 20, True, 10)


def test_accidental_hits_and_losses_with_given_samples():
    tc = tf.constant([[1], [5]], tf.int64)
    rows, ids, weights = tf.nn.compute_accidental_hits(tc, tf.constant([1, 2, 5, 1], tf.int64), 1)
    assert rows.numpy().tolist() == [0, 0, 1] and ids.numpy().tolist() == [0, 3, 2]
    assert (weights.numpy() == -np.finfo(np.float32).max).all()
    rng = np.random.default_rng(0)
    w = rng.normal(size=(10, 4)).astype(np.float32)
    x = rng.normal(size=(2, 4)).astype(np.float32)
    sampled = np.array([0, 2, 3])
    sv = (tf.constant(sampled, tf.int64), tf.ones([2, 1]), tf.ones([3]))
    got = tf.nn.sampled_softmax_loss(tf.constant(w), tf.zeros([10]), tc, tf.constant(x), 3, 10, sampled_values=sv)
    logits = np.concatenate([np.sum(x * w[[1, 5]], axis=1, keepdims=True), x @ w[sampled].T], axis=1)
    want = -logits[:, 0] + np.log(np.exp(logits).sum(axis=1))
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-5)
    nce = tf.nn.nce_loss(tf.constant(w), tf.zeros([10]), tc, tf.constant(x), 3, 10, sampled_values=sv)
    sig = lambda z, y: np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))  # noqa: E731
    np.testing.assert_allclose(nce.numpy(), sig(logits[:, 0], 1) + sig(logits[:, 1:], 0).sum(axis=1), rtol=1e-5)
    var = tf.Variable(w)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.nn.sampled_softmax_loss(var, tf.zeros([10]), tc, tf.constant(x), 4, 10, seed=3))
    assert tape.gradient(loss, var) is not None
