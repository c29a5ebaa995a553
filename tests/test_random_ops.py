"""tf.random: TF's seed semantics, distributions, shapes and dtypes, stateless ops and Generator."""
import random

import numpy as np
import pytest

import tensorforge as tf
from tensorforge.ops import random_ops

MAXINT32 = 2 ** 31 - 1


@pytest.fixture(autouse=True)
def _reset_seed():
    tf.random.set_seed(None)
    yield
    tf.random.set_seed(None)


def _np(t):
    return np.asarray(t.numpy())


# ---------------------------------------------------------------- seeds
def test_get_seed_follows_tf_rules():
    assert random_ops.get_seed(None) == (None, None)
    assert random_ops.get_seed(7) == (random_ops.DEFAULT_GRAPH_SEED, 7)
    tf.random.set_seed(1)
    # Op seeds come from random.Random(global_seed), as TF's eager context draws them.
    ref = random.Random(1)
    assert [random_ops.get_seed(None) for _ in range(3)] == [(1, ref.randint(0, MAXINT32)) for _ in range(3)]
    assert random_ops.get_seed(7) == (1, 7)
    assert random_ops.get_seed(MAXINT32 + 5) == (1, 5)  # truncated into 31 bits
    tf.random.set_seed(0)
    assert random_ops.get_seed(0) == (0, MAXINT32)  # (0, 0) would mean "nondeterministic"


def test_set_seed_makes_program_repeatable():
    tf.random.set_seed(1)
    a = _np(tf.random.uniform([4]))
    b = _np(tf.random.uniform([4]))
    tf.random.set_seed(1)
    a2 = _np(tf.random.uniform([4]))
    b2 = _np(tf.random.uniform([4]))
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a, a2)
    np.testing.assert_array_equal(b, b2)


def test_op_seed_stream_advances_and_resets():
    tf.random.set_seed(3)
    u1 = _np(tf.random.uniform([3], seed=5))
    n1 = _np(tf.random.normal([3], seed=5))
    u2 = _np(tf.random.uniform([3], seed=5))
    assert not np.array_equal(u1, u2)  # a per-(op, seed) counter advances
    tf.random.set_seed(3)
    n1b = _np(tf.random.normal([3], seed=5))  # the normal op has its own counter
    np.testing.assert_array_equal(n1, n1b)
    np.testing.assert_array_equal(u1, _np(tf.random.uniform([3], seed=5)))
    np.testing.assert_array_equal(u2, _np(tf.random.uniform([3], seed=5)))


def test_op_seed_without_global_seed_is_deterministic():
    a = _np(tf.random.normal([5], seed=11))
    tf.random.set_seed(None)
    b = _np(tf.random.normal([5], seed=11))
    np.testing.assert_array_equal(a, b)
    # Equivalent to a global seed of DEFAULT_GRAPH_SEED.
    tf.random.set_seed(random_ops.DEFAULT_GRAPH_SEED)
    np.testing.assert_array_equal(a, _np(tf.random.normal([5], seed=11)))


def test_no_seed_is_nondeterministic():
    draws = {tuple(_np(tf.random.uniform([4]))) for _ in range(5)}
    assert len(draws) == 5
    assert not np.array_equal(_np(tf.random.normal([8])), _np(tf.random.normal([8])))


def test_global_seeds_differ():
    tf.random.set_seed(1)
    a = _np(tf.random.normal([6]))
    tf.random.set_seed(2)
    assert not np.array_equal(a, _np(tf.random.normal([6])))


# ---------------------------------------------------------------- distributions
N = 200_000


def test_normal_moments_and_params():
    tf.random.set_seed(0)
    x = _np(tf.random.normal([N]))
    assert x.dtype == np.float32
    assert abs(x.mean()) < 0.01 and abs(x.std() - 1) < 0.01
    y = _np(tf.random.normal([N], mean=3.0, stddev=0.5, dtype=tf.float64))
    assert y.dtype == np.float64
    assert abs(y.mean() - 3) < 0.01 and abs(y.std() - 0.5) < 0.01


def test_uniform_float_range_and_moments():
    tf.random.set_seed(0)
    x = _np(tf.random.uniform([N]))
    assert x.min() >= 0 and x.max() < 1
    assert abs(x.mean() - 0.5) < 0.01 and abs(x.var() - 1 / 12) < 0.005
    y = _np(tf.random.uniform([N], minval=-2.0, maxval=6.0, dtype=tf.float64))
    assert y.dtype == np.float64 and y.min() >= -2 and y.max() < 6 and abs(y.mean() - 2) < 0.05
    for d in (tf.float16, tf.bfloat16):
        h = tf.random.uniform([5000], dtype=d)
        assert h.dtype is d
        hv = _np(h).astype(np.float32)
        assert hv.min() >= 0 and hv.max() < 1 and abs(hv.mean() - 0.5) < 0.03


def test_uniform_int():
    tf.random.set_seed(0)
    x = tf.random.uniform([N], minval=-3, maxval=4, dtype=tf.int32)
    assert x.dtype is tf.int32
    v = _np(x)
    assert set(np.unique(v)) == set(range(-3, 4))
    counts = np.bincount(v + 3)
    assert np.all(np.abs(counts / N - 1 / 7) < 0.01)
    assert tf.random.uniform([3], maxval=10, dtype=tf.int64).dtype is tf.int64


def test_truncated_normal():
    tf.random.set_seed(0)
    x = _np(tf.random.truncated_normal([N]))
    assert np.abs(x).max() < 2
    assert abs(x.mean()) < 0.01 and abs(x.std() - 0.8796) < 0.01  # std of N(0,1) truncated to (-2, 2)
    y = _np(tf.random.truncated_normal([1000], mean=10.0, stddev=3.0))
    assert y.min() > 4 and y.max() < 16


def test_categorical_frequencies():
    tf.random.set_seed(0)
    p = np.array([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]])
    with np.errstate(divide="ignore"):
        logits = np.log(p).astype(np.float32)
    s = tf.random.categorical(logits, 50_000)
    assert s.dtype is tf.int64 and s.shape == (2, 50_000)
    v = _np(s)
    for row in range(2):
        freq = np.bincount(v[row], minlength=3) / v.shape[1]
        np.testing.assert_allclose(freq, p[row], atol=0.01)
    assert not np.any(v[1] == 2)  # probability zero is never drawn
    assert tf.random.categorical(logits, 3, dtype=tf.int32).dtype is tf.int32
    assert tf.random.categorical(logits, 0).shape == (2, 0)


def test_shuffle_is_permutation_of_rows():
    x = np.arange(20).reshape(10, 2)
    y = _np(tf.random.shuffle(x, seed=4))
    assert sorted(map(tuple, y)) == sorted(map(tuple, x))
    assert not np.array_equal(x, y)
    assert _np(tf.random.shuffle(tf.constant(3))) == 3


def test_gamma_and_poisson_moments():
    tf.random.set_seed(0)
    g = tf.random.gamma([20_000], alpha=[1.0, 4.0], beta=[[1.0], [2.0]])
    assert g.shape == (20_000, 2, 2) and g.dtype is tf.float32
    m = _np(g).mean(axis=0)
    np.testing.assert_allclose(m, np.array([1.0, 4.0]) / np.array([[1.0], [2.0]]), rtol=0.05)
    assert _np(g).min() > 0
    p = tf.random.poisson([20_000], lam=[0.5, 6.0])
    assert p.shape == (20_000, 2) and p.dtype is tf.float32
    np.testing.assert_allclose(_np(p).mean(axis=0), [0.5, 6.0], rtol=0.05)
    assert tf.random.poisson([3], 2.0, dtype=tf.int64).dtype is tf.int64


def test_shapes_and_dtypes():
    assert tf.random.normal([2, 3]).shape == (2, 3)
    assert tf.random.normal(tf.constant([2, 3])).shape == (2, 3)
    assert tf.random.uniform(()).shape == ()
    assert tf.random.normal([0, 4]).shape == (0, 4)
    assert tf.random.normal([2], dtype=tf.float16).dtype is tf.float16
    assert tf.random.truncated_normal([2], dtype=tf.bfloat16).dtype is tf.bfloat16


def test_errors():
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype"):
        tf.random.uniform([2], dtype=tf.int32)
    with pytest.raises(ValueError, match="Accepted dtypes"):
        tf.random.uniform([2], dtype=tf.uint8)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Need minval < maxval, got 5 >= 5"):
        tf.random.uniform([2], minval=5, maxval=5, dtype=tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"logits should be a matrix, got shape \[2\]"):
        tf.random.categorical([1.0, 2.0], 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_classes should be positive"):
        tf.random.categorical(np.zeros((2, 0), np.float32), 3)
    with pytest.raises(ValueError, match="Accepted dtypes are"):
        tf.random.categorical([[1.0, 2.0]], 3, dtype=tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Dimension -1 must be >= 0"):
        tf.random.normal([-1])
    with pytest.raises(TypeError):
        tf.random.normal([2], dtype=tf.int32)


def test_gradient_flows_through_mean_and_stddev():
    mean = tf.constant(2.0)
    std = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch([mean, std])
        x = tf.random.normal([1000], mean=mean, stddev=std, seed=1)
        loss = tf.reduce_sum(x)
    gm, gs = tape.gradient(loss, [mean, std])
    assert float(gm) == pytest.approx(1000.0)
    assert float(gs) == pytest.approx(float(np.sum((_np(x) - 2.0) / 3.0)), rel=1e-4)


# ---------------------------------------------------------------- stateless
STATELESS = [
    lambda s: tf.random.stateless_normal([50], seed=s),
    lambda s: tf.random.stateless_uniform([50], seed=s),
    lambda s: tf.random.stateless_truncated_normal([50], seed=s),
    lambda s: tf.random.stateless_uniform([50], seed=s, minval=0, maxval=100, dtype=tf.int32),
    lambda s: tf.random.stateless_uniform([50], seed=s, minval=None, maxval=None, dtype=tf.int64),
    lambda s: tf.random.stateless_categorical(np.zeros((2, 10), np.float32), 25, seed=s),
    lambda s: tf.random.stateless_gamma([50], seed=s, alpha=2.0),
    lambda s: tf.random.stateless_poisson([50], seed=s, lam=3.0),
    lambda s: tf.random.stateless_binomial([50], seed=s, counts=10.0, probs=0.5),
    lambda s: tf.random.experimental.stateless_shuffle(np.arange(50), seed=s),
]


@pytest.mark.parametrize("fn", STATELESS)
def test_stateless_is_deterministic(fn):
    a = _np(fn([1, 2]))
    tf.random.set_seed(5)  # the global seed plays no part
    b = _np(fn(tf.constant([1, 2], tf.int64)))
    c = _np(fn([2, 1]))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_stateless_moments_and_dtypes():
    x = _np(tf.random.stateless_normal([N], seed=[3, 4], mean=1.0, stddev=2.0))
    assert abs(x.mean() - 1) < 0.02 and abs(x.std() - 2) < 0.02
    u = tf.random.stateless_uniform([N], seed=[3, 4], minval=2.0, maxval=3.0, dtype=tf.float64)
    assert u.dtype is tf.float64 and 2 <= _np(u).min() and _np(u).max() < 3
    assert tf.random.stateless_uniform([2], seed=[1, 2], minval=None, maxval=None, dtype=tf.uint32).dtype is tf.uint32
    assert np.abs(_np(tf.random.stateless_truncated_normal([N], seed=[1, 1]))).max() < 2
    assert tf.random.stateless_poisson([3, 2], seed=[1, 2], lam=[1.0, 2.0]).dtype is tf.int32
    assert tf.random.stateless_gamma([3, 2], seed=[1, 2], alpha=[1.0, 2.0]).shape == (3, 2)


def test_stateless_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"seed must have shape \[2\], not \[3\]"):
        tf.random.stateless_uniform([2], seed=[1, 2, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Tseed"):
        tf.random.stateless_uniform([2], seed=[1.0, 2.0])
    with pytest.raises(ValueError, match="must be both None or not None"):
        tf.random.stateless_uniform([2], seed=[1, 2], minval=1, dtype=tf.int32)


def test_split_and_fold_in():
    s = tf.random.split([1, 2], 3)
    assert s.shape == (3, 2) and s.dtype is tf.int32
    np.testing.assert_array_equal(_np(s), _np(tf.random.split([1, 2], 3)))
    assert len({tuple(r) for r in _np(s)}) == 3
    f = _np(tf.random.fold_in([1, 2], 3))
    assert f.shape == (2,) and f[1] == 3
    assert not np.array_equal(f, _np(tf.random.fold_in([1, 2], 4)))
    assert tf.random.experimental.stateless_split is tf.random.split


# ---------------------------------------------------------------- Generator
def test_generator_from_seed_is_deterministic():
    g1 = tf.random.Generator.from_seed(1234)
    g2 = tf.random.Generator.from_seed(1234)
    a = [_np(g1.normal([3])), _np(g1.uniform([2], maxval=10, dtype=tf.int64)), _np(g1.truncated_normal([4]))]
    b = [_np(g2.normal([3])), _np(g2.uniform([2], maxval=10, dtype=tf.int64)), _np(g2.truncated_normal([4]))]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(_np(g1.normal([3])), a[0])
    g3 = tf.random.Generator.from_seed(1235)
    assert not np.array_equal(_np(g3.normal([3])), a[0])


def test_generator_state_layout_and_advance():
    g = tf.random.Generator.from_seed(1)
    assert isinstance(g.state, tf.Variable)
    assert g.state.dtype is tf.int64 and g.state.shape == (3,)
    np.testing.assert_array_equal(g.state.numpy(), [1, 0, 0])
    assert g.algorithm == tf.random.Algorithm.PHILOX.value
    g.normal([2])
    np.testing.assert_array_equal(g.state.numpy(), [1 + 2 * 256, 0, 0])  # counter += 256 per sample, as TF
    old = g.skip(3)
    np.testing.assert_array_equal(old.numpy(), [513, 0, 0])
    np.testing.assert_array_equal(g.state.numpy(), [513 + 768, 0, 0])
    assert int(g.key) == 0
    big = tf.random.Generator.from_seed(2 ** 64 + 5)
    np.testing.assert_array_equal(big.state.numpy(), [5, 1, 0])
    assert tf.random.Generator.from_seed(1, alg="threefry").state.shape == (2,)
    np.testing.assert_array_equal(tf.random.create_rng_state([12, 34], "philox").numpy(), [0, 12, 34])


def test_generator_reset_and_copy():
    g = tf.random.Generator.from_seed(7)
    a = _np(g.uniform([5]))
    g.reset_from_seed(7)
    np.testing.assert_array_equal(a, _np(g.uniform([5])))
    c = tf.random.Generator(copy_from=g)
    np.testing.assert_array_equal(_np(c.normal([4])), _np(g.normal([4])))
    k = tf.random.Generator.from_key_counter(5, [1, 2], "philox")
    np.testing.assert_array_equal(k.state.numpy(), [1, 2, 5])
    s = tf.random.Generator.from_state(k.state.numpy(), "philox")
    np.testing.assert_array_equal(_np(s.normal([3])), _np(k.normal([3])))


def test_generator_uniform_ranges():
    g = tf.random.Generator.from_seed(0)
    u = _np(g.uniform([N], minval=-1.0, maxval=1.0))
    assert u.min() >= -1 and u.max() < 1 and abs(u.mean()) < 0.01
    i = _np(g.uniform([N], minval=3, maxval=6, dtype=tf.int32))
    assert set(np.unique(i)) == {3, 4, 5}
    assert g.uniform_full_int([2]).dtype is tf.uint64
    assert g.uniform([2], minval=None, maxval=None, dtype=tf.int32).dtype is tf.int32
    with pytest.raises(ValueError, match="minval and maxval must be both"):
        g.uniform([2], dtype=tf.int32)
    b = _np(g.binomial([N], counts=10.0, probs=0.3))
    assert abs(b.mean() - 3.0) < 0.05


def test_generator_make_seeds_and_split():
    g = tf.random.Generator.from_seed(3)
    s = g.make_seeds(4)
    assert s.shape == (2, 4) and s.dtype is tf.int64
    np.testing.assert_array_equal(_np(s)[1], 0)
    assert len(set(_np(s)[0])) == 4
    gens = g.split(3)
    assert len(gens) == 3
    for child in gens:
        st = child.state.numpy()
        assert st[0] == 0 and st[1] == 0
    draws = [tuple(_np(c.normal([3]))) for c in gens]
    assert len(set(draws)) == 3
    # make_seeds feeds stateless ops.
    x = tf.random.stateless_normal([2], seed=s[:, 0])
    np.testing.assert_array_equal(_np(x), _np(tf.random.stateless_normal([2], seed=s[:, 0])))


def test_generator_non_deterministic_and_global():
    a = tf.random.Generator.from_non_deterministic_state()
    b = tf.random.Generator.from_non_deterministic_state()
    assert not np.array_equal(a.state.numpy(), b.state.numpy())
    g = tf.random.get_global_generator()
    assert tf.random.get_global_generator() is g
    mine = tf.random.Generator.from_seed(9)
    tf.random.set_global_generator(mine)
    try:
        assert tf.random.get_global_generator() is mine
        assert tf.random.experimental.get_global_generator() is mine
    finally:
        tf.random.set_global_generator(g)


def test_generator_bad_state():
    with pytest.raises(ValueError):
        tf.random.Generator(state=[1, 2], alg="philox")
    with pytest.raises(ValueError, match="unsupported value"):
        tf.random.Generator.from_seed(1, alg="mersenne")


def test_stateful_random_ops_take_run_time_shapes_in_graphs():
    @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])
    def noisy(x):
        n = tf.random.normal(tf.shape(x))
        u = tf.random.uniform(tf.shape(x), minval=2.0, maxval=3.0)
        t = tf.random.truncated_normal(tf.shape(x))
        i = tf.random.uniform([tf.shape(x)[0]], maxval=10, dtype=tf.int32)
        assert n.shape.as_list() == [None, None] and i.shape.as_list() == [None]
        return n, u, t, i, tf.nn.dropout(x, 0.5)

    n, u, t, i, d = noisy(tf.ones([3, 4]))
    assert n.shape == (3, 4) and u.shape == (3, 4) and t.shape == (3, 4) and i.shape == (3,)
    assert (u.numpy() >= 2).all() and (u.numpy() < 3).all() and (np.abs(t.numpy()) < 2).all()
    assert set(np.unique(d.numpy())) <= {0.0, 2.0}
    batches = tf.data.Dataset.from_tensor_slices(tf.zeros([10, 4])).batch(4).map(
        lambda b: b + tf.random.normal(tf.shape(b)))
    assert [b.shape[0] for b in batches] == [4, 4, 2]
