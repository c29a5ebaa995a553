"""Linear algebra ops against NumPy references and TensorFlow's documented behaviour."""
import numpy as np
import pytest

import tensorforge as tf

rng = np.random.default_rng(42)


def normal(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


def spd(n, batch=()):
    a = normal(*batch, n, n)
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def grad_of(fn, *xs):
    xs = [tf.constant(x) for x in xs]
    with tf.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        y = fn(*xs)
    return [g.numpy() for g in tape.gradient(y, xs)]


# ---------------------------------------------------------------- matmul
@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_matmul_2d_transposes(ta, tb):
    a = normal(4, 3, dtype=np.float32) if ta else normal(3, 4, dtype=np.float32)
    b = normal(2, 4, dtype=np.float32) if tb else normal(4, 2, dtype=np.float32)
    out = tf.matmul(a, b, transpose_a=ta, transpose_b=tb)
    assert out.dtype is tf.float32
    np.testing.assert_allclose(out.numpy(), (a.T if ta else a) @ (b.T if tb else b), rtol=1e-5)


def test_matmul_operator_and_aliases():
    a, b = tf.constant(normal(3, 4, dtype=np.float32)), tf.constant(normal(4, 5, dtype=np.float32))
    np.testing.assert_allclose((a @ b).numpy(), a.numpy() @ b.numpy(), rtol=1e-5)
    assert tf.linalg.matmul is tf.matmul
    np.testing.assert_allclose(tf.matmul([[1.0, 2.0]], [[3.0], [4.0]]).numpy(), [[11.0]])
    # A Python list beside a float tensor takes the tensor's dtype.
    assert tf.matmul(tf.ones([2, 3]), [[1], [2], [3]]).dtype is tf.float32


def test_matmul_batched_broadcast_and_adjoint():
    a = normal(2, 1, 3, 4)
    b = normal(3, 4, 5)
    np.testing.assert_allclose(tf.matmul(a, b).numpy(), np.matmul(a, b), rtol=1e-10)
    c = (normal(2, 4, 3) + 1j * normal(2, 4, 3)).astype(np.complex128)
    d = (normal(2, 4, 2) + 1j * normal(2, 4, 2)).astype(np.complex128)
    np.testing.assert_allclose(tf.matmul(c, d, adjoint_a=True).numpy(), np.conj(np.swapaxes(c, -1, -2)) @ d)
    np.testing.assert_allclose(tf.matmul(c, d, transpose_a=True).numpy(), np.swapaxes(c, -1, -2) @ d)
    e = (normal(4, 3) + 1j * normal(4, 3)).astype(np.complex128)
    np.testing.assert_allclose(tf.matmul(e, e, adjoint_a=True).numpy(), e.conj().T @ e)


def test_matmul_int_and_output_dtype():
    a = np.arange(6, dtype=np.int32).reshape(2, 3)
    out = tf.matmul(a, a.T)
    assert out.dtype is tf.int32
    np.testing.assert_array_equal(out.numpy(), a @ a.T)
    out = tf.matmul(tf.ones([2, 2], tf.bfloat16), tf.ones([2, 2], tf.bfloat16))
    assert out.dtype is tf.bfloat16


def test_matmul_errors():
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.matmul(tf.zeros([2, 3]), tf.zeros([4, 5]))
    assert str(e.value) == ("tf.matmul: Matrix size-incompatible: In[0]: [2,3], In[1]: [4,5] "
                            "(arguments a and b) [Op:MatMul]")
    with pytest.raises(tf.errors.InvalidArgumentError, match="compatible batch dimensions"):
        tf.matmul(tf.zeros([2, 2, 3]), tf.zeros([3, 3, 5]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"In\[0\]: \[2,2,3\], In\[1\]: \[2,4,5\]"):
        tf.matmul(tf.zeros([2, 2, 3]), tf.zeros([2, 4, 5]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="int32"):
        tf.zeros([2, 3], tf.int32) @ tf.zeros([3, 5])
    with pytest.raises(tf.errors.InvalidArgumentError, match="different ndims"):
        tf.matmul(tf.zeros([3]), tf.zeros([3, 5]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="bool"):
        tf.matmul(tf.zeros([2, 2], tf.bool), tf.zeros([2, 2], tf.bool))
    with pytest.raises(ValueError):
        tf.matmul(tf.zeros([2, 2]), tf.zeros([2, 2]), transpose_a=True, adjoint_a=True)


def test_matmul_gradients():
    a, b = normal(3, 4), normal(4, 2)
    ga, gb = grad_of(lambda x, y: tf.reduce_sum(tf.matmul(x, y)), a, b)
    np.testing.assert_allclose(ga, np.ones((3, 2)) @ b.T)
    np.testing.assert_allclose(gb, a.T @ np.ones((3, 2)))
    a3, b2 = normal(2, 3, 4), normal(4, 2)  # broadcast batch: b's gradient sums over the batch
    ga, gb = grad_of(lambda x, y: tf.reduce_sum(x @ y), a3, b2)
    assert ga.shape == a3.shape and gb.shape == b2.shape
    np.testing.assert_allclose(gb, np.einsum("bij,bik->jk", a3, np.ones((2, 3, 2))))


# ---------------------------------------------------------------- einsum / tensordot
@pytest.mark.parametrize("eq,shapes", [
    ("ij,jk->ik", [(3, 4), (4, 2)]), ("ij->j", [(3, 4)]), ("ij,ij->i", [(3, 4), (3, 4)]),
    ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("ij,jk", [(2, 3), (3, 4)]), ("bA", [(2, 3)]),
    ("...ij,...jk->...ik", [(4, 2, 3), (3, 2)]), ("i...j,j->i...", [(2, 5, 3), (3,)]),
    ("bij,bjk,bkl->bil", [(2, 2, 3), (2, 3, 4), (2, 4, 2)]), ("ij,k->ijk", [(2, 3), (4,)]),
])
def test_einsum_matches_numpy(eq, shapes):
    xs = [normal(*s) for s in shapes]
    out = tf.einsum(eq, *xs)
    np.testing.assert_allclose(out.numpy(), np.einsum(eq, *xs), rtol=1e-10, atol=1e-12)
    assert tf.linalg.einsum is tf.einsum


def test_einsum_gradients():
    (g,) = grad_of(lambda x: tf.einsum("ii->i", x), normal(3, 3))
    np.testing.assert_array_equal(g, np.eye(3))
    (g,) = grad_of(lambda x: tf.einsum("ij->", x), normal(2, 3))
    np.testing.assert_array_equal(g, np.ones((2, 3)))
    a, b = normal(1, 2, 3), normal(4, 3, 2)
    ga, gb = grad_of(lambda x, y: tf.einsum("...ij,...jk->...ik", x, y), a, b)
    assert ga.shape == (1, 2, 3) and gb.shape == (4, 3, 2)
    np.testing.assert_allclose(ga, np.einsum("bik,bjk->ij", np.ones((4, 2, 2)), b)[None])
    np.testing.assert_allclose(gb, np.broadcast_to(np.einsum("ij,ik->jk", a[0], np.ones((2, 2))), (4, 3, 2)))


def test_einsum_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Expected dimension 3 at axis 0"):
        tf.einsum("ij,jk->ik", normal(2, 3), normal(4, 4))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.einsum("ij,jk->ik", np.ones((2, 3), np.int32), np.ones((3, 4), np.float32))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.einsum("ij,jk->ik", normal(2, 3))


@pytest.mark.parametrize("axes,sa,sb", [(1, (3, 4, 5), (5, 2)), (0, (2, 3), (4,)), (2, (3, 4, 5), (4, 5, 2)),
                                         ([[1], [0]], (3, 4, 5), (4, 2)), ([1, 0], (3, 4), (4, 5)),
                                         ([[0, 2], [2, 0]], (3, 4, 5), (5, 2, 3))])
def test_tensordot_matches_numpy(axes, sa, sb):
    a, b = normal(*sa), normal(*sb)
    out = tf.tensordot(a, b, axes)
    np.testing.assert_allclose(out.numpy(), np.tensordot(a, b, axes), rtol=1e-10)
    assert tf.linalg.tensordot is tf.tensordot


def test_tensordot_gradient():
    a, b = normal(3, 4), normal(4, 2)
    ga, gb = grad_of(lambda x, y: tf.tensordot(x, y, axes=1), a, b)
    np.testing.assert_allclose(ga, np.ones((3, 2)) @ b.T)
    np.testing.assert_allclose(gb, a.T @ np.ones((3, 2)))


# ---------------------------------------------------------------- inverses, determinants
def test_inv_det_slogdet():
    a = normal(2, 3, 3) + 3 * np.eye(3)
    np.testing.assert_allclose(tf.linalg.inv(a).numpy(), np.linalg.inv(a), rtol=1e-10)
    np.testing.assert_allclose(tf.linalg.inv(a, adjoint=True).numpy(), np.linalg.inv(np.swapaxes(a, -1, -2)))
    np.testing.assert_allclose(tf.linalg.det(a).numpy(), np.linalg.det(a))
    sign, logabs = tf.linalg.slogdet(a)
    s_ref, l_ref = np.linalg.slogdet(a)
    np.testing.assert_allclose(sign.numpy(), s_ref)
    np.testing.assert_allclose(logabs.numpy(), l_ref)
    r = tf.linalg.slogdet(a)
    assert r.log_abs_determinant is r[1]
    assert tf.linalg.det(a.astype(np.float32)).dtype is tf.float32


def test_logdet_of_positive_definite():
    m = spd(3)
    np.testing.assert_allclose(tf.linalg.logdet(m).numpy(), np.linalg.slogdet(m)[1], rtol=1e-10)


def test_inverse_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="not invertible"):
        tf.linalg.inv(tf.zeros([2, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be square"):
        tf.linalg.inv(tf.zeros([2, 3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be square"):
        tf.linalg.det(tf.zeros([2, 3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="int32"):
        tf.linalg.inv(tf.zeros([2, 2], tf.int32))


def test_det_and_inv_gradients():
    a = normal(3, 3) + 3 * np.eye(3)
    (g,) = grad_of(tf.linalg.det, a)
    np.testing.assert_allclose(g, np.linalg.det(a) * np.linalg.inv(a).T, rtol=1e-8)
    (g,) = grad_of(lambda x: tf.linalg.slogdet(x)[1], a)
    np.testing.assert_allclose(g, np.linalg.inv(a).T, rtol=1e-8)
    (g,) = grad_of(lambda x: tf.reduce_sum(tf.linalg.inv(x)), a)
    ai = np.linalg.inv(a)
    np.testing.assert_allclose(g, -ai.T @ np.ones((3, 3)) @ ai.T, rtol=1e-8)


# ---------------------------------------------------------------- factorisations
def test_cholesky():
    m = spd(3, (2,))
    l = tf.linalg.cholesky(m).numpy()
    np.testing.assert_allclose(l, np.linalg.cholesky(m), rtol=1e-10)
    assert np.isnan(tf.linalg.cholesky(tf.constant([[1.0, 0.0], [0.0, -1.0]])).numpy()).all()
    (g,) = grad_of(tf.linalg.cholesky, spd(3))
    np.testing.assert_allclose(g, g.T, rtol=1e-10)  # TF's gradient is symmetric


def test_qr():
    a = normal(2, 4, 3)
    q, r = tf.linalg.qr(a)
    assert q.shape == (2, 4, 3) and r.shape == (2, 3, 3)
    np.testing.assert_allclose(q.numpy() @ r.numpy(), a, atol=1e-12)
    np.testing.assert_allclose(np.swapaxes(q.numpy(), -1, -2) @ q.numpy(), np.broadcast_to(np.eye(3), (2, 3, 3)),
                               atol=1e-12)
    assert np.allclose(np.tril(r.numpy(), -1), 0)
    q, r = tf.linalg.qr(a, full_matrices=True)
    assert q.shape == (2, 4, 4) and r.shape == (2, 4, 3)
    res = tf.linalg.qr(a)
    assert res.q is res[0] and res.r is res[1]


def test_svd():
    a = normal(4, 3)
    s, u, v = tf.linalg.svd(a)
    np.testing.assert_allclose(s.numpy(), np.linalg.svd(a, compute_uv=False), rtol=1e-10)
    assert u.shape == (4, 3) and v.shape == (3, 3)
    np.testing.assert_allclose(u.numpy() @ np.diag(s.numpy()) @ v.numpy().T, a, atol=1e-12)
    s_only = tf.linalg.svd(a, compute_uv=False)
    np.testing.assert_allclose(s_only.numpy(), s.numpy())
    s, u, v = tf.linalg.svd(a, full_matrices=True)
    assert u.shape == (4, 4) and v.shape == (3, 3)
    (g,) = grad_of(lambda x: tf.reduce_sum(tf.linalg.svd(x, compute_uv=False)), a)
    uu, _, vh = np.linalg.svd(a, full_matrices=False)
    np.testing.assert_allclose(g, uu @ vh, rtol=1e-8)


def test_eigh():
    a = normal(3, 3)
    a = a + a.T
    e, v = tf.linalg.eigh(a)
    np.testing.assert_allclose(e.numpy(), np.linalg.eigvalsh(a), rtol=1e-10)
    np.testing.assert_allclose(v.numpy() @ np.diag(e.numpy()) @ v.numpy().T, a, atol=1e-10)
    np.testing.assert_allclose(tf.linalg.eigvalsh(a).numpy(), np.linalg.eigvalsh(a), rtol=1e-10)


# ---------------------------------------------------------------- solvers
def test_solve():
    a = normal(2, 3, 3) + 3 * np.eye(3)
    b = normal(2, 3, 2)
    np.testing.assert_allclose(tf.linalg.solve(a, b).numpy(), np.linalg.solve(a, b), rtol=1e-10)
    np.testing.assert_allclose(tf.linalg.solve(a, b, adjoint=True).numpy(),
                               np.linalg.solve(np.swapaxes(a, -1, -2), b), rtol=1e-10)
    with pytest.raises(tf.errors.InvalidArgumentError, match="incompatible"):
        tf.linalg.solve(tf.eye(2), tf.ones([3, 1]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="not invertible"):
        tf.linalg.solve(tf.zeros([2, 2]), tf.ones([2, 1]))
    ga, gb = grad_of(lambda x, y: tf.reduce_sum(tf.linalg.solve(x, y)), a[0], b[0])
    gb_ref = np.linalg.solve(a[0].T, np.ones((3, 2)))
    np.testing.assert_allclose(gb, gb_ref, rtol=1e-8)
    np.testing.assert_allclose(ga, -gb_ref @ np.linalg.solve(a[0], b[0]).T, rtol=1e-8)


@pytest.mark.parametrize("lower,adjoint", [(True, False), (False, False), (True, True), (False, True)])
def test_triangular_solve(lower, adjoint):
    a = normal(3, 3) + 3 * np.eye(3)
    b = normal(2, 3, 2)  # batch dimensions broadcast
    tri = np.tril(a) if lower else np.triu(a)
    ref = np.linalg.solve(tri.T if adjoint else tri, b)
    np.testing.assert_allclose(tf.linalg.triangular_solve(a, b, lower=lower, adjoint=adjoint).numpy(), ref,
                               rtol=1e-10)


def test_triangular_solve_singular_gives_inf():
    out = tf.linalg.triangular_solve(tf.zeros([2, 2]), tf.ones([2, 1])).numpy()
    assert not np.isfinite(out).any()


def test_cholesky_solve_and_lstsq():
    m = spd(3)
    rhs = normal(3, 2)
    chol = tf.linalg.cholesky(m)
    np.testing.assert_allclose(tf.linalg.cholesky_solve(chol, rhs).numpy(), np.linalg.solve(m, rhs), rtol=1e-8)
    a, b = normal(5, 3), normal(5, 2)
    np.testing.assert_allclose(tf.linalg.lstsq(a, b).numpy(), np.linalg.lstsq(a, b, rcond=None)[0], rtol=1e-8)
    lam = 0.5
    ref = np.linalg.solve(a.T @ a + lam * np.eye(3), a.T @ b)
    np.testing.assert_allclose(tf.linalg.lstsq(a, b, l2_regularizer=lam).numpy(), ref, rtol=1e-8)
    w = normal(2, 4)  # under-determined: the minimum-norm solution
    np.testing.assert_allclose(tf.linalg.lstsq(w, normal(2, 1)).shape, (4, 1))


# ---------------------------------------------------------------- band, diagonals, eye, trace
@pytest.mark.parametrize("lo,hi", [(0, -1), (-1, 0), (1, 1), (0, 0), (-1, -1), (2, 0)])
def test_band_part(lo, hi):
    x = normal(2, 4, 5)
    i, j = np.arange(4)[:, None], np.arange(5)[None, :]
    mask = ((lo < 0) | (i - j <= lo)) & ((hi < 0) | (j - i <= hi))
    np.testing.assert_array_equal(tf.linalg.band_part(x, lo, hi).numpy(), np.where(mask, x, 0))


def test_diag_and_diag_part():
    d = normal(2, 3)
    m = tf.linalg.diag(d).numpy()
    np.testing.assert_array_equal(m, np.stack([np.diag(r) for r in d]))
    np.testing.assert_array_equal(tf.linalg.diag_part(m).numpy(), d)
    np.testing.assert_array_equal(tf.linalg.diag(d, k=1).numpy(), np.stack([np.diag(r, 1) for r in d]))
    np.testing.assert_array_equal(tf.linalg.diag(d, k=-1, num_rows=4, num_cols=3).numpy(),
                                  np.stack([np.diag(r, -1)[:, :3] for r in d]))
    x = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(tf.linalg.diag_part(x, k=1).numpy(), np.diagonal(x, 1))
    # A band: rows from the highest diagonal down; shorter ones padded (RIGHT_LEFT alignment).
    band = tf.linalg.diag_part(x, k=(-1, 1), padding_value=9).numpy()
    np.testing.assert_array_equal(band, [[1, 6, 11], [0, 5, 10], [4, 9, 9]])
    band = tf.linalg.diag_part(x, k=(-1, 1), padding_value=9, align="LEFT_RIGHT").numpy()
    np.testing.assert_array_equal(band, [[1, 6, 11], [0, 5, 10], [9, 4, 9]])
    back = tf.linalg.diag(tf.linalg.diag_part(x, k=(-1, 1)), k=(-1, 1), num_rows=3, num_cols=4).numpy()
    np.testing.assert_array_equal(back, np.where(np.abs(np.arange(3)[:, None] - np.arange(4)) <= 1, x, 0))


def test_set_diag_and_trace():
    x = normal(2, 3, 3)
    d = normal(2, 3)
    out = tf.linalg.set_diag(x, d).numpy()
    ref = x.copy()
    ref[:, np.arange(3), np.arange(3)] = d
    np.testing.assert_array_equal(out, ref)
    np.testing.assert_allclose(tf.linalg.trace(x).numpy(), np.trace(x, axis1=-2, axis2=-1))


def test_diag_gradients():
    (g,) = grad_of(lambda v: tf.reduce_sum(tf.linalg.diag(v) * tf.constant(np.arange(9.0).reshape(3, 3))),
                   normal(3))
    np.testing.assert_array_equal(g, [0.0, 4.0, 8.0])
    (g,) = grad_of(lambda m: tf.linalg.diag_part(m), normal(2, 3))
    np.testing.assert_array_equal(g, np.eye(2, 3))


def test_eye():
    np.testing.assert_array_equal(tf.eye(3).numpy(), np.eye(3, dtype=np.float32))
    assert tf.eye(3).dtype is tf.float32
    e = tf.eye(2, num_columns=3, batch_shape=[4], dtype=tf.int32)
    assert e.dtype is tf.int32 and e.shape == (4, 2, 3)
    np.testing.assert_array_equal(e.numpy()[1], np.eye(2, 3))
    assert tf.linalg.eye is tf.eye


def test_matrix_transpose_adjoint_cross():
    x = normal(2, 3, 4)
    np.testing.assert_array_equal(tf.linalg.matrix_transpose(x).numpy(), np.swapaxes(x, -1, -2))
    c = (normal(3, 2) + 1j * normal(3, 2)).astype(np.complex128)
    np.testing.assert_array_equal(tf.linalg.adjoint(c).numpy(), c.conj().T)
    a, b = normal(4, 3), normal(4, 3)
    np.testing.assert_allclose(tf.linalg.cross(a, b).numpy(), np.cross(a, b))


# ---------------------------------------------------------------- norms
@pytest.mark.parametrize("ord,axis", [("euclidean", None), ("euclidean", 1), (1, 0), (np.inf, 1), (3, 1),
                                      ("fro", (0, 1)), (1, (0, 1)), (np.inf, (0, 1)), (2, (0, 1)), (2, -1)])
def test_norm_matches_numpy(ord, axis):
    x = normal(3, 4)
    ref_ord = None if ord == "euclidean" else ord
    if axis is None:
        ref = np.linalg.norm(x.reshape(-1))
    else:
        ref = np.linalg.norm(x, ord=ref_ord, axis=axis)
    out = tf.norm(x, ord=ord, axis=axis)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-10)
    kept = tf.norm(x, ord=ord, axis=axis, keepdims=True)
    assert kept.shape.rank == 2


def test_norm_errors_and_alias():
    assert tf.linalg.norm is tf.norm
    with pytest.raises(ValueError):
        tf.norm(tf.ones([2, 2]), ord="fro", axis=0)
    with pytest.raises(ValueError):
        tf.norm(tf.ones([2, 2]), ord=-1)


def test_l2_normalize():
    x = normal(3, 4, dtype=np.float32)
    ref = x / np.sqrt(np.maximum(np.sum(x ** 2, axis=1, keepdims=True), 1e-12))
    np.testing.assert_allclose(tf.math.l2_normalize(x, axis=1).numpy(), ref, rtol=1e-6)
    assert tf.nn.l2_normalize is tf.math.l2_normalize is tf.linalg.l2_normalize
    np.testing.assert_array_equal(tf.math.l2_normalize(tf.zeros([3])).numpy(), np.zeros(3))
    n, nrm = tf.linalg.normalize(x, axis=1)
    np.testing.assert_allclose(n.numpy(), ref, rtol=1e-6)
    assert nrm.shape == (3, 1)
