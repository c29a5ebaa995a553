"""Tests of tensorforge/ops/extra_ops.py against NumPy references and properties."""
import numpy as np
import pytest

import tensorforge as tf


def _isotonic_ref(row, decreasing):
    """Textbook sequential pool-adjacent-violators on one row."""
    sign = 1.0 if decreasing else -1.0
    blocks = []  # [sum, count]
    for v in sign * np.asarray(row, np.float64):
        blocks.append([v, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] < blocks[-1][0] / blocks[-1][1]:
            s, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += c
    out = np.concatenate([np.full(c, s / c) for s, c in blocks])
    seg = np.concatenate([np.full(c, i) for i, (_, c) in enumerate(blocks)])
    return sign * out, seg


@pytest.mark.parametrize("decreasing", [True, False])
def test_isotonic_regression_matches_sequential_pav(decreasing):
    x = np.random.RandomState(0).randn(20, 31)
    x[:, 3:7] = 0.5  # ties stay separate segments unless pooled
    out, seg = tf.nn.isotonic_regression(x, decreasing=decreasing)
    assert out.dtype == tf.float64 and seg.dtype == tf.int32
    for i in range(x.shape[0]):
        ref, ref_seg = _isotonic_ref(x[i], decreasing)
        np.testing.assert_allclose(out.numpy()[i], ref, rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(seg.numpy()[i], ref_seg)
    diffs = np.diff(out.numpy(), axis=1)
    assert (diffs <= 1e-12).all() if decreasing else (diffs >= -1e-12).all()


def test_isotonic_regression_axis_dtypes_and_gradient():
    x = np.random.RandomState(1).randn(4, 6, 3).astype(np.float32)
    out, seg = tf.nn.isotonic_regression(x, axis=1)
    ref = np.stack([_isotonic_ref(x[i, :, j], True)[0] for i in range(4) for j in range(3)]).reshape(4, 3, 6)
    np.testing.assert_allclose(out.numpy(), ref.transpose(0, 2, 1), rtol=1e-5)
    assert tf.nn.isotonic_regression(np.array([[1, 3, 2]], np.int8))[0].dtype == tf.float32
    assert tf.nn.isotonic_regression(np.array([[1, 3, 2]], np.int64))[0].dtype == tf.float64
    v = tf.Variable([[1.0, 3.0, 2.0, 4.0]])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.nn.isotonic_regression(v)[0] * [[1.0, 2.0, 3.0, 4.0]])
    np.testing.assert_allclose(tape.gradient(y, v).numpy(), [[2.5] * 4])


def test_approx_max_min_k_equal_exact_top_k():
    x = np.random.RandomState(2).randn(3, 7, 5).astype(np.float32)
    vals, idx = tf.math.approx_max_k(x, 3)
    order = np.argsort(-x, axis=-1, kind="stable")[..., :3]
    np.testing.assert_array_equal(idx.numpy(), order)
    np.testing.assert_array_equal(vals.numpy(), np.take_along_axis(x, order, -1))
    vals, idx = tf.math.approx_min_k(x, 2, reduction_dimension=1)
    order = np.argsort(x, axis=1, kind="stable")[:, :2]
    np.testing.assert_array_equal(idx.numpy(), order)
    np.testing.assert_array_equal(vals.numpy(), np.take_along_axis(x, order, 1))
    assert idx.dtype == tf.int32
    vals, idx = tf.approx_top_k(x, 2, is_max_k=False)
    np.testing.assert_array_equal(vals.numpy(), np.sort(x, -1)[..., :2])
    assert tf.nn.approx_max_k is tf.math.approx_max_k


def test_approx_top_k_errors_and_gradient():
    with pytest.raises(tf.errors.InvalidArgumentError, match="at least k columns"):
        tf.math.approx_max_k(np.ones((2, 5), np.float32), 9)
    with pytest.raises(tf.errors.InvalidArgumentError, match="not in the list of allowed values"):
        tf.math.approx_max_k(np.ones((2, 5), np.float64), 2)
    v = tf.Variable([[3.0, 1.0, 4.0, 1.5, 5.0]])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.math.approx_max_k(v, 2)[0])
    np.testing.assert_array_equal(tape.gradient(y, v).numpy(), [[0, 0, 1, 0, 1]])


def test_required_space_to_batch_paddings():
    shape, block, base = np.array([5, 7]), np.array([2, 3]), np.array([[1, 0], [2, 2]])
    pads, crops = tf.required_space_to_batch_paddings(shape, block, base)
    assert pads.dtype == tf.int32
    full = shape + pads.numpy().sum(1)
    assert (full % block == 0).all()
    np.testing.assert_array_equal(pads.numpy()[:, 0], base[:, 0])
    np.testing.assert_array_equal(crops.numpy()[:, 1], pads.numpy()[:, 1] - base[:, 1])
    with pytest.raises(ValueError):
        tf.required_space_to_batch_paddings([5, 7], [2, 3, 4])


def test_with_space_to_batch_gives_dilated_conv():
    x = tf.random.normal([2, 9, 8, 3], seed=1)
    w = tf.random.normal([3, 3, 3, 4], seed=2)
    for padding in ("VALID", "SAME"):
        got = tf.nn.with_space_to_batch(x, [2, 2], padding, lambda inp, n, p: tf.nn.conv2d(inp, w, 1, p),
                                        filter_shape=[3, 3])
        want = tf.nn.conv2d(x, w, 1, padding, dilations=2)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-4, atol=1e-4)


def _sobol_ref(dim, n, skip):
    """Bratley-Fox Sobol points from scratch with the primitive polynomials / initial numbers of dims 1-3."""
    params = [None, (1, 0, [1]), (2, 1, [1, 3])]
    out = np.zeros((n, dim))
    for d in range(dim):
        if d == 0:
            v = [1 << (31 - k) for k in range(32)]
        else:
            s, a, m = params[d]
            m = list(m)
            for k in range(s, 32):
                new = m[k - s] ^ (m[k - s] << s)
                for j in range(1, s):
                    if (a >> (s - 1 - j)) & 1:
                        new ^= m[k - j] << j
                m.append(new)
            v = [m[k] << (31 - k) for k in range(32)]
        x = 0
        for i in range(1, skip + n + 1):  # Antonov-Saleev: flip the direction of the lowest zero bit of i-1
            c = (~(i - 1) & i).bit_length() - 1
            x ^= v[c]
            if i > skip:
                out[i - skip - 1, d] = x / 2.0 ** 32
    return out


def test_sobol_sample_matches_reference_and_properties():
    got = tf.math.sobol_sample(3, 40, skip=3, dtype=tf.float64).numpy()
    np.testing.assert_array_equal(got, _sobol_ref(3, 40, 3))
    pts = tf.math.sobol_sample(21, 256).numpy()
    assert pts.dtype == np.float32 and pts.shape == (256, 21)
    # a (0, m, s)-net property of dimension 1 and 2: the first 2^k - 1 points (plus 0) stratify
    first = np.vstack([np.zeros((1, 21)), pts[:255]])
    for d in range(21):
        assert (np.bincount((first[:, d] * 16).astype(int), minlength=16) == 16).all()
    with pytest.raises(tf.errors.InvalidArgumentError, match="dim must be at least one"):
        tf.math.sobol_sample(0, 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_results must be at least one"):
        tf.math.sobol_sample(2, 0)


def test_index_shuffle_is_a_permutation():
    for top in (0, 1, 9, 100, 1000):
        out = tf.random_index_shuffle(np.arange(top + 1, dtype=np.int64), np.array([1, 2, 3], np.int64),
                                      np.int64(top)).numpy()
        assert out.dtype == np.int64
        np.testing.assert_array_equal(np.sort(out), np.arange(top + 1))
    a = tf.random.experimental.index_shuffle(tf.range(50), [5, 9], 49).numpy()
    b = tf.random.experimental.index_shuffle(tf.range(50), [5, 9], 49).numpy()
    c = tf.random.experimental.index_shuffle(tf.range(50), [5, 10], 49).numpy()
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.int32 and (a != c).any()
    with pytest.raises(tf.errors.InvalidArgumentError, match="Seed must be a vector of size"):
        tf.random_index_shuffle(np.int32(3), np.array([1, 2], np.int64), np.int32(9))


def test_conv2d_backprop_v2_match_gradients():
    x = tf.random.normal([2, 6, 5, 3], seed=3)
    w = tf.random.normal([3, 2, 3, 4], seed=4)
    dy = tf.random.normal([2, 2, 4, 4], seed=5)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, w])
        loss = tf.reduce_sum(tf.nn.conv2d(x, w, [1, 2, 1, 1], "VALID") * dy)
    np.testing.assert_allclose(tf.conv2d_backprop_filter_v2(x, w, dy, [1, 2, 1, 1], "VALID").numpy(),
                               tape.gradient(loss, w).numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(tf.conv2d_backprop_input_v2(x, w, dy, [1, 2, 1, 1], "VALID").numpy(),
                               tape.gradient(loss, x).numpy(), rtol=1e-5, atol=1e-5)


def test_jpeg_quality():
    img = np.random.RandomState(1).randint(0, 256, (16, 16, 3)).astype(np.uint8)
    hi = tf.image.adjust_jpeg_quality(img, 100).numpy().astype(int)
    lo = tf.image.adjust_jpeg_quality(img, 5).numpy().astype(int)
    assert hi.dtype == int and np.abs(hi - img).mean() < np.abs(lo - img).mean()
    f = tf.image.adjust_jpeg_quality(img.astype(np.float32) / 255, 90)
    assert f.dtype == tf.float32 and f.shape == (16, 16, 3)
    assert tf.image.stateless_random_jpeg_quality(img, 50, 60, seed=(1, 2)).dtype == tf.uint8
    with pytest.raises(ValueError, match="must be less than"):
        tf.image.random_jpeg_quality(img, 50, 40)
    with pytest.raises(ValueError, match="between 0 and 100"):
        tf.image.random_jpeg_quality(img, -1, 40)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.image.adjust_jpeg_quality(img, 101)


def test_operator_not_allowed_in_graph_error():
    assert issubclass(tf.errors.OperatorNotAllowedInGraphError, TypeError)
    with pytest.raises(TypeError):
        raise tf.errors.OperatorNotAllowedInGraphError("using a tf.Tensor as a Python bool is not allowed")


def test_fixed_unigram_sampler_expected_counts():
    unigrams = [1.0, 2.0, 3.0, 4.0, 5.0]
    out = tf.random.fixed_unigram_candidate_sampler([[1], [2]], 1, 4, False, 7, unigrams=unigrams,
                                                    num_reserved_ids=2, distortion=0.5, seed=1)
    w = np.concatenate([[0.0, 0.0], np.power(unigrams, 0.5)])
    p = w / w.sum()
    np.testing.assert_allclose(out.true_expected_count.numpy(), 4 * p[[[1], [2]]], rtol=1e-6)
    s = out.sampled_candidates.numpy()
    assert s.dtype == np.int64 and (s >= 2).all()  # reserved ids have probability 0
    np.testing.assert_allclose(out.sampled_expected_count.numpy(), 4 * p[s], rtol=1e-6)
    u = tf.nn.fixed_unigram_candidate_sampler([[1], [2]], 1, 4, True, 5, unigrams=unigrams, seed=3)
    assert len(set(u.sampled_candidates.numpy().tolist())) == 4
    assert (u.true_expected_count.numpy() <= 1).all()
    # shards keep ids with id % num_shards == shard
    sh = tf.random.fixed_unigram_candidate_sampler([[0]], 1, 2, False, 3, unigrams=unigrams, num_shards=2, shard=0,
                                                   seed=1)
    np.testing.assert_allclose(sh.true_expected_count.numpy(), [[2 * 1 / 9]], rtol=1e-6)
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be equal to weights size"):
        tf.random.fixed_unigram_candidate_sampler([[1]], 1, 2, False, 6, unigrams=unigrams, seed=1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Must provide either vocab_file or unigrams"):
        tf.random.fixed_unigram_candidate_sampler([[1]], 1, 2, False, 5, seed=1)


def test_fixed_unigram_sampler_vocab_file(tmp_path):
    path = tmp_path / "vocab.csv"
    path.write_text("a,1\nb,3\nc,4\n")
    out = tf.random.fixed_unigram_candidate_sampler([[2]], 1, 2, False, 3, vocab_file=str(path), seed=1)
    np.testing.assert_allclose(out.true_expected_count.numpy(), [[2 * 4 / 8]], rtol=1e-6)


def test_learned_unigram_sampler_learns_from_true_classes():
    expected = []
    for _ in range(3):
        out = tf.random.learned_unigram_candidate_sampler([[1], [1]], 1, 4, False, 5, seed=11)
        expected.append(out.true_expected_count.numpy()[0, 0])
    counts = np.ones(5)
    for e in expected:  # counts start at 1 and grow by each occurrence after the call
        np.testing.assert_allclose(e, 4 * counts[1] / counts.sum(), rtol=1e-6)
        counts[1] += 2


def test_extract_volume_patches_against_numpy():
    x = np.random.RandomState(3).randn(2, 4, 5, 3, 2).astype(np.float32)
    out = tf.extract_volume_patches(x, [1, 2, 3, 2, 1], [1, 2, 1, 1, 1], "VALID").numpy()
    assert out.shape == (2, 2, 3, 2, 24)
    for b, i, j, k in [(0, 0, 0, 0), (1, 1, 2, 1), (0, 1, 1, 0)]:
        ref = x[b, 2 * i:2 * i + 2, j:j + 3, k:k + 2, :].reshape(-1)
        np.testing.assert_array_equal(out[b, i, j, k], ref)
    same = tf.extract_volume_patches(x, [1, 2, 2, 2, 1], [1, 1, 2, 2, 1], "SAME").numpy()
    assert same.shape == (2, 4, 3, 2, 16)
    with pytest.raises(tf.errors.InvalidArgumentError, match="5-dimensional"):
        tf.extract_volume_patches(np.ones((1, 2, 2, 1)), [1, 1, 1, 1, 1], [1, 1, 1, 1, 1], "VALID")
    v = tf.Variable(x)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.extract_volume_patches(v, [1, 2, 2, 2, 1], [1, 1, 1, 1, 1], "VALID"))
    counts = np.ones(x.shape[1:4])  # how many patches read each voxel
    for axis, n in zip(range(3), x.shape[1:4]):
        c = np.full(n, 2.0)
        c[0] = c[-1] = 1.0
        counts = counts * c.reshape([-1 if a == axis else 1 for a in range(3)])
    np.testing.assert_allclose(tape.gradient(y, v).numpy(), np.broadcast_to(counts[None, ..., None], x.shape))


def test_stateless_parameterized_truncated_normal():
    f = tf.random.stateless_parameterized_truncated_normal
    means, lo, hi = np.array([0.0, 1.0, 2.0], np.float32), np.float32(-1.0), np.array([1.0, 2.0, 3.0], np.float32)
    x = f([4000, 3], [1, 2], means=means, stddevs=np.float32(1.5), minvals=lo, maxvals=hi).numpy()
    assert x.dtype == np.float32 and ((x >= lo) & (x <= hi)).all()
    np.testing.assert_array_equal(x, f([4000, 3], [1, 2], means=means, stddevs=np.float32(1.5), minvals=lo,
                                       maxvals=hi).numpy())
    tail = f([20000], [3, 4], minvals=8.0, maxvals=np.inf).numpy()
    assert tail.min() >= 8.0 and abs(tail.mean() - 8.1212) < 0.01  # E[Z | Z > 8] = phi(8) / (1 - Phi(8))
    narrow = f([5000], [3, 4], minvals=-3.0, maxvals=-2.9).numpy()
    assert narrow.min() >= -3.0 and narrow.max() <= -2.9
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid parameters"):
        f([3], [1, 2], stddevs=0.0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="must end with broadcasted shape"):
        f([2, 3], [1, 2], means=[[0.0], [1.0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="expected to be a float64 tensor"):
        f([3], [1, 2], means=np.float64(0.0))


def test_conv_generic_op():
    x = tf.random.normal([2, 3, 7, 6, 3], seed=5)
    w = tf.random.normal([3, 2, 3, 4], seed=6)
    got = tf.conv(x, w, [1, 2, 1, 1], "SAME", batch_dims=2)
    want = tf.nn.conv2d(tf.reshape(x, [6, 7, 6, 3]), w, [1, 2, 1, 1], "SAME")
    np.testing.assert_allclose(got.numpy(), tf.reshape(want, [2, 3, 4, 6, 4]).numpy(), rtol=1e-5, atol=1e-5)
    got = tf.conv(x[0], w, [1, 1, 1, 1], "EXPLICIT", explicit_paddings=[0, 0, 1, 2, 0, 3, 0, 0])
    want = tf.nn.conv2d(x[0], w, 1, [[0, 0], [1, 2], [0, 3], [0, 0]])
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="strides field must specify 4 dimensions"):
        tf.conv(x[0], w, [1, 1, 1], "VALID")
