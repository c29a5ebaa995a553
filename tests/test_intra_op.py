"""Large elementwise kernels and fused chains split over the intra-op threads give the same bits
as computing them whole, and run on more than one thread."""
import threading

import numpy as np
import pytest

import tensorforge as tf
from tensorforge.ops import intra_op

N = intra_op.SPLIT_ELEMENTS * 2 + 12_345  # several blocks and a ragged last one


@pytest.fixture
def threads():
    before = tf.config.threading.get_intra_op_parallelism_threads()
    yield lambda n: tf.config.threading.set_intra_op_parallelism_threads(n)
    tf.config.threading.set_intra_op_parallelism_threads(before)


@pytest.mark.parametrize("op", [tf.tanh, tf.exp, tf.sigmoid, tf.sin, tf.math.log1p, tf.math.softplus, tf.abs])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_split_unary_ops_match_whole(threads, op, dtype):
    x = tf.constant(np.random.default_rng(0).standard_normal(N - N % 5).astype(dtype).reshape(-1, 5))
    threads(2)
    split = op(x).numpy()
    threads(1)
    whole = op(x).numpy()
    assert split.dtype == whole.dtype and split.shape == whole.shape
    np.testing.assert_array_equal(split, whole)


def test_split_runs_on_two_threads(threads, monkeypatch):
    seen = set()
    real = intra_op._each_chunk

    def spy(fn, chunks):
        def tracked(a, b):
            seen.add(threading.get_ident())
            fn(a, b)
        real(tracked, chunks)

    monkeypatch.setattr(intra_op, "_each_chunk", spy)
    threads(2)
    x = np.random.default_rng(1).standard_normal(N).astype(np.float32)
    for _ in range(20):  # the pool thread takes at least one block in one of these runs
        tf.tanh(tf.constant(x))
        if len(seen) > 1:
            break
    assert len(seen) == 2


def _chain(x, b):
    y = tf.nn.relu(x * 1.5 + b)
    y = y * y - 0.25
    return tf.maximum(tf.tanh(y) * 0.5 + 0.5, 0.1)


@pytest.mark.parametrize("shape, bshape", [((N,), (N,)), ((N // 64, 64), (64,)), ((N // 64, 64), (N // 64, 1)),
                                           ((3, N // 3), (N // 3,))])
def test_fused_chain_split_matches_unfused(threads, shape, bshape):
    rng = np.random.default_rng(2)
    n = int(np.prod(shape))
    x = tf.constant(rng.standard_normal(n).astype(np.float32).reshape(shape))
    b = tf.constant(rng.standard_normal(int(np.prod(bshape))).astype(np.float32).reshape(bshape))
    fused = tf.function(_chain)
    threads(2)
    got = fused(x, b).numpy()
    assert "_FusedElementwise" in [nd.op.name for nd in fused.get_concrete_function(x, b)._live]
    tf.config.optimizer.set_experimental_options({"remapping": False})
    try:
        want = tf.function(_chain)(x, b).numpy()
    finally:
        tf.config.optimizer.set_experimental_options({"remapping": None})
    np.testing.assert_array_equal(got, want)


def test_blas_threads_follow_the_intra_op_setting(threads):
    from tensorforge import _blas
    if _blas.get_threads() is None:
        pytest.skip("no OpenBLAS loaded")
    threads(1)
    assert _blas.get_threads() == 1
    threads(0)
    assert _blas.get_threads() == intra_op._CPUS
