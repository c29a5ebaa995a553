"""tf.nn.dilation2d / erosion2d and tf.nn.fractional_max_pool / fractional_avg_pool against NumPy references."""
import itertools

import numpy as np
import pytest

import tensorforge as tf


def _ref_dilation(x, f, s, r, padding):
    """Loop reference of TF's Dilation2D kernel: (output, input grad, filter grad) for an all-ones cotangent."""
    n, h, w, c = x.shape
    kh, kw, _ = f.shape
    eh, ew = (kh - 1) * r + 1, (kw - 1) * r + 1
    if padding == "SAME":
        oh, ow = -(-h // s), -(-w // s)
        pt, pl = max((oh - 1) * s + eh - h, 0) // 2, max((ow - 1) * s + ew - w, 0) // 2
    else:
        oh, ow, pt, pl = (h - eh) // s + 1, (w - ew) // s + 1, 0, 0
    low = np.finfo(x.dtype).min
    y = np.empty((n, oh, ow, c), x.dtype)
    gx, gf = np.zeros_like(x), np.zeros_like(f)
    for b, i, j, ch in itertools.product(range(n), range(oh), range(ow), range(c)):
        best, at, tap = low, (max(i * s - pt, 0), max(j * s - pl, 0)), (0, 0)
        for di, dj in itertools.product(range(kh), range(kw)):
            hi, wj = i * s - pt + di * r, j * s - pl + dj * r
            if 0 <= hi < h and 0 <= wj < w and x[b, hi, wj, ch] + f[di, dj, ch] > best:
                best, at, tap = x[b, hi, wj, ch] + f[di, dj, ch], (hi, wj), (di, dj)
        y[b, i, j, ch] = best
        gx[b, at[0], at[1], ch] += 1
        gf[tap[0], tap[1], ch] += 1
    return y, gx, gf


@pytest.mark.parametrize("padding,s,r", list(itertools.product(["SAME", "VALID"], [1, 2], [1, 2])))
def test_dilation2d_matches_reference(padding, s, r):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 7, 8, 3))
    f = rng.standard_normal((2, 3, 3))
    xt, ft = tf.constant(x), tf.constant(f)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(xt)
        tape.watch(ft)
        y = tf.nn.dilation2d(xt, ft, [1, s, s, 1], padding, "NHWC", [1, r, r, 1])
    ry, rgx, rgf = _ref_dilation(x, f, s, r, padding)
    np.testing.assert_allclose(y.numpy(), ry)
    np.testing.assert_allclose(tape.gradient(y, xt).numpy(), rgx)
    np.testing.assert_allclose(tape.gradient(y, ft).numpy(), rgf)


def test_dilation2d_ties_go_to_first_tap_and_empty_windows_give_lowest():
    x = np.zeros((1, 3, 3, 1), np.float32)
    f = np.zeros((2, 2, 1), np.float32)
    xt, ft = tf.constant(x), tf.constant(f)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(xt)
        tape.watch(ft)
        y = tf.nn.dilation2d(xt, ft, [1, 1, 1, 1], "SAME", "NHWC", [1, 1, 1, 1])
    _, rgx, rgf = _ref_dilation(x, f, 1, 1, "SAME")
    np.testing.assert_allclose(tape.gradient(y, xt).numpy(), rgx)
    np.testing.assert_allclose(tape.gradient(y, ft).numpy(), rgf)
    # a rate that skips the single input pixel: no valid tap, the output is the lowest float
    e = tf.nn.dilation2d(np.ones((1, 1, 1, 1), np.float32), np.ones((2, 2, 1), np.float32), 1, "SAME",
                         dilations=[1, 3, 3, 1])
    assert e.numpy().item() == np.finfo(np.float32).min


def test_erosion2d_is_dual_of_dilation():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((1, 6, 5, 2))
    f = rng.standard_normal((3, 2, 2))
    e = tf.nn.erosion2d(x, f, [1, 1, 1, 1], "VALID", "NHWC", [1, 1, 1, 1]).numpy()
    ry, _, _ = _ref_dilation(-x, f[::-1, ::-1], 1, 1, "VALID")
    np.testing.assert_allclose(e, -ry)


def test_dilation2d_int_and_shapes():
    x = np.arange(2 * 5 * 6 * 2, dtype=np.int32).reshape(2, 5, 6, 2)
    f = np.ones((2, 2, 2), np.int32)
    y = tf.nn.dilation2d(x, f, [1, 2, 2, 1], "SAME", "NHWC", [1, 1, 1, 1])
    assert y.dtype == tf.int32 and y.shape == (2, 3, 3, 2)

    @tf.function(input_signature=[tf.TensorSpec([None, 9, 9, 3], tf.float32)])
    def g(v):
        out = tf.nn.dilation2d(v, tf.zeros([3, 3, 3]), [1, 2, 2, 1], "VALID", "NHWC", [1, 2, 2, 1])
        assert out.shape.as_list() == [None, 3, 3, 3]
        return out
    assert g(np.zeros((2, 9, 9, 3), np.float32)).shape == (2, 3, 3, 3)


def test_dilation2d_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="same depth"):
        tf.nn.dilation2d(np.zeros((1, 4, 4, 2)), np.zeros((2, 2, 3)), 1, "SAME", "NHWC", 1)
    with pytest.raises(ValueError, match="data_format"):
        tf.nn.dilation2d(np.zeros((1, 4, 4, 2)), np.zeros((2, 2, 2)), 1, "SAME", "NCHW", 1)


def _ref_frac(x, rs, cs, overlapping, reduce):
    h, w = x.shape[1:3]
    out = np.empty((x.shape[0], len(rs) - 1, len(cs) - 1, x.shape[3]), x.dtype)
    for i in range(len(rs) - 1):
        r1 = min(rs[i + 1] if overlapping else rs[i + 1] - 1, h - 1)
        for j in range(len(cs) - 1):
            c1 = min(cs[j + 1] if overlapping else cs[j + 1] - 1, w - 1)
            out[:, i, j] = reduce(x[:, rs[i]:r1 + 1, cs[j]:c1 + 1], axis=(1, 2))
    return out


def _check_sequence(seq, n, ratio):
    steps = np.diff(seq)
    assert seq.dtype == np.int64 and seq[0] == 0 and seq[-1] == n
    assert len(seq) - 1 == int(np.floor(np.float32(n) / np.float32(ratio)))
    k = n // (len(seq) - 1)
    assert steps.min() >= k and steps.max() <= k + 1


@pytest.mark.parametrize("pseudo_random,overlapping", list(itertools.product([False, True], repeat=2)))
def test_fractional_pools(pseudo_random, overlapping):
    rng = np.random.default_rng(5)
    x = rng.permutation(2 * 11 * 13 * 3).reshape(2, 11, 13, 3).astype(np.float64)
    for fn, reduce in ((tf.nn.fractional_max_pool, np.max), (tf.nn.fractional_avg_pool, np.mean)):
        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            y, rs, cs = fn(xt, [1.0, 1.5, 1.7, 1.0], pseudo_random=pseudo_random, overlapping=overlapping, seed=3)
            loss = tf.reduce_sum(y)
        rs, cs = rs.numpy(), cs.numpy()
        _check_sequence(rs, 11, 1.5)
        _check_sequence(cs, 13, 1.7)
        np.testing.assert_allclose(y.numpy(), _ref_frac(x, rs, cs, overlapping, reduce))
        g = tape.gradient(loss, xt).numpy()
        # numeric gradient of sum(y): cells are fixed by the seed
        eps, num = 1e-3, np.zeros_like(x)
        for idx in [(0, 0, 0, 0), (1, 5, 6, 2), (0, 10, 12, 1), (1, 3, 9, 0)]:
            p, m = x.copy(), x.copy()
            p[idx] += eps
            m[idx] -= eps
            yp = fn(p, [1.0, 1.5, 1.7, 1.0], pseudo_random=pseudo_random, overlapping=overlapping, seed=3)[0]
            ym = fn(m, [1.0, 1.5, 1.7, 1.0], pseudo_random=pseudo_random, overlapping=overlapping, seed=3)[0]
            num[idx] = (np.sum(yp.numpy()) - np.sum(ym.numpy())) / (2 * eps)
            np.testing.assert_allclose(g[idx], num[idx], atol=1e-6)


def test_fractional_seeded_is_repeatable_and_unseeded_varies():
    x = np.random.default_rng(0).standard_normal((1, 40, 40, 1))
    a = tf.nn.fractional_max_pool(x, 1.5, seed=9)[1].numpy()
    b = tf.nn.fractional_max_pool(x, 1.5, seed=9)[1].numpy()
    np.testing.assert_array_equal(a, b)
    seqs = {tuple(tf.nn.fractional_max_pool(x, 1.5)[1].numpy()) for _ in range(6)}
    assert len(seqs) > 1


def test_fractional_argument_checks():
    x = np.zeros((1, 6, 6, 1))
    with pytest.raises(ValueError, match="first and last"):
        tf.nn.fractional_max_pool(x, [1.5, 1.5])
    with pytest.raises(ValueError, match=">= 1.0"):
        tf.nn.fractional_max_pool(x, 0.5)
    with pytest.raises(TypeError, match="Expected list"):
        tf.nn.fractional_avg_pool(x, 1.5)
    y, rs, cs = tf.nn.fractional_avg_pool(np.arange(36, dtype=np.int32).reshape(1, 6, 6, 1), [1.0, 2.0, 2.0, 1.0])
    assert y.dtype == tf.int32 and rs.dtype == tf.int64 and y.shape == (1, 3, 3, 1)
