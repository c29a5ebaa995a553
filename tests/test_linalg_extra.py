"""tf.linalg extras: LU, tensor_diag, tridiagonal/banded solvers, eig, matrix functions, LinearOperators."""
import numpy as np
import pytest

import tensorforge as tf

rng = np.random.default_rng(0)


def _np(x):
    return np.asarray(x._value) if hasattr(x, "_value") else np.asarray(x)


def test_lu_and_friends():
    a = rng.standard_normal((2, 4, 4))
    lu, p = tf.linalg.lu(a)
    assert p.dtype == tf.int32 and lu.dtype == tf.float64
    l_ = np.tril(_np(lu), -1) + np.eye(4)
    u = np.triu(_np(lu))
    pa = np.take_along_axis(a, _np(p)[..., None], axis=-2)
    np.testing.assert_allclose(l_ @ u, pa, atol=1e-12)
    np.testing.assert_allclose(_np(tf.linalg.lu_reconstruct(lu, p)), a, atol=1e-12)
    b = rng.standard_normal((2, 4, 3))
    np.testing.assert_allclose(_np(tf.linalg.lu_solve(lu, p, b)), np.linalg.solve(a, b), atol=1e-10)
    np.testing.assert_allclose(_np(tf.linalg.lu_matrix_inverse(lu, p)), np.linalg.inv(a), atol=1e-10)
    assert tf.linalg.lu(a[0], output_idx_type=tf.int64).p.dtype == tf.int64
    with pytest.raises(tf.errors.InvalidArgumentError, match="not invertible"):
        tf.linalg.lu(np.zeros((2, 2)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="square"):
        tf.linalg.lu(np.zeros((2, 3)))


def test_matrix_rank():
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    r = tf.linalg.matrix_rank(a)
    assert r.dtype == tf.int32 and int(_np(r)) == 1
    np.testing.assert_array_equal(_np(tf.linalg.matrix_rank(np.stack([np.eye(3), np.ones((3, 3))]))), [3, 1])


def test_tensor_diag():
    x = rng.standard_normal((2, 3))
    d = _np(tf.linalg.tensor_diag(x))
    assert d.shape == (2, 3, 2, 3)
    np.testing.assert_allclose(d.reshape(6, 6), np.diag(x.ravel()))
    np.testing.assert_allclose(_np(tf.linalg.tensor_diag_part(d)), x)
    with pytest.raises(tf.errors.InvalidArgumentError, match="even"):
        tf.linalg.tensor_diag_part(np.zeros((2, 3, 2)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="do not"):
        tf.linalg.tensor_diag_part(np.zeros((2, 3)))


def _dense_tridiag(d):
    m = d.shape[-1]
    out = np.zeros(d.shape[:-2] + (m, m))
    i = np.arange(m)
    out[..., i, i] = d[..., 1, :]
    out[..., i[:-1], i[1:]] = d[..., 0, :-1]
    out[..., i[1:], i[:-1]] = d[..., 2, 1:]
    return out


def test_tridiagonal_solve_formats():
    d = rng.standard_normal((2, 3, 5))
    d[:, 1] += 4
    a = _dense_tridiag(d)
    b = rng.standard_normal((2, 5, 2))
    want = np.linalg.solve(a, b)
    np.testing.assert_allclose(_np(tf.linalg.tridiagonal_solve(tf.constant(d), tf.constant(b))), want, atol=1e-12)
    np.testing.assert_allclose(_np(tf.linalg.tridiagonal_solve(tf.constant(a), b, diagonals_format="matrix")), want,
                               atol=1e-12)
    seq = [tf.constant(d[:, 0, :-1]), tf.constant(d[:, 1]), tf.constant(d[:, 2, 1:])]
    np.testing.assert_allclose(_np(tf.linalg.tridiagonal_solve(seq, b, diagonals_format="sequence")), want,
                               atol=1e-12)
    np.testing.assert_allclose(_np(tf.linalg.tridiagonal_solve(tf.constant(d), tf.constant(b[..., 0]))),
                               want[..., 0], atol=1e-12)
    bt = np.swapaxes(b, -1, -2)
    np.testing.assert_allclose(_np(tf.linalg.tridiagonal_solve(tf.constant(d), tf.constant(bt), transpose_rhs=True)),
                               want, atol=1e-12)
    np.testing.assert_allclose(_np(tf.linalg.tridiagonal_matmul(tf.constant(d), tf.constant(b))), a @ b, atol=1e-12)
    np.testing.assert_allclose(_np(tf.linalg.tridiagonal_matmul(tf.constant(a), b, diagonals_format="matrix")),
                               a @ b, atol=1e-12)
    with pytest.raises(ValueError, match="Expected 3 diagonals"):
        tf.linalg.tridiagonal_solve(tf.constant(np.ones((4, 3))), tf.constant(np.ones((3, 1))))
    with pytest.raises(ValueError, match="Unrecognized"):
        tf.linalg.tridiagonal_solve(tf.constant(d), tf.constant(b), diagonals_format="foo")
    x = tf.constant(d)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.linalg.tridiagonal_solve(x, tf.constant(b)))
    g = _np(tape.gradient(y, x))
    assert g.shape == d.shape and np.isfinite(g).all()


def test_banded_triangular_solve():
    m = 5
    bands = rng.standard_normal((3, m))
    bands[0] += 4
    dense = np.zeros((m, m))
    for i in range(3):  # row i: subdiagonal i, right aligned (LEFT_RIGHT)
        dense += np.diag(bands[i, i:], -i)
    b = rng.standard_normal((m, 2))
    np.testing.assert_allclose(_np(tf.linalg.banded_triangular_solve(bands, b)), np.linalg.solve(dense, b),
                               atol=1e-12)
    np.testing.assert_allclose(_np(tf.linalg.banded_triangular_solve(bands, b, adjoint=True)),
                               np.linalg.solve(dense.T, b), atol=1e-12)
    up = np.zeros((m, m))
    ub = bands[::-1].copy()  # rows: superdiagonal 2, 1, then the diagonal (bottom), left aligned
    for r in range(3):
        k = 2 - r
        up += np.diag(ub[r, :m - k], k)
    np.testing.assert_allclose(_np(tf.linalg.banded_triangular_solve(ub, b, lower=False)), np.linalg.solve(up, b),
                               atol=1e-12)


def test_eig_and_eigvals():
    a = rng.standard_normal((2, 4, 4))
    e, v = tf.linalg.eig(a)
    assert e.dtype == tf.complex128 and v.dtype == tf.complex128
    e, v = _np(e), _np(v)
    np.testing.assert_allclose(a @ v, v * e[..., None, :], atol=1e-10)
    np.testing.assert_allclose(np.sort_complex(_np(tf.linalg.eigvals(a)).ravel()), np.sort_complex(e.ravel()),
                               atol=1e-10)
    assert tf.linalg.eig(a.astype(np.float32))[0].dtype == tf.complex64
    assert tf.eigvals is tf.linalg.eigvals


def _expm_series(a):
    out, term = np.eye(a.shape[-1]), np.eye(a.shape[-1])
    for k in range(1, 60):
        term = term @ a / k
        out = out + term
    return out


def test_expm_logm_sqrtm():
    a = rng.standard_normal((3, 3))
    np.testing.assert_allclose(_np(tf.linalg.expm(a)), _expm_series(a), rtol=1e-10, atol=1e-12)
    big = 6 * rng.standard_normal((2, 3, 3))
    e = _np(tf.linalg.expm(big))
    np.testing.assert_allclose(e[0] @ _np(tf.linalg.expm(-big[0])), np.eye(3), atol=1e-6)
    with pytest.raises(ValueError):
        tf.linalg.expm(np.eye(2, dtype=np.int32))
    c = (rng.standard_normal((3, 3)) + 1j * rng.standard_normal((3, 3))) + 3 * np.eye(3)
    np.testing.assert_allclose(_np(tf.linalg.expm(tf.linalg.logm(c))), c, atol=1e-10)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.linalg.logm(np.eye(2))
    s = rng.standard_normal((3, 3))
    spd = s @ s.T + np.eye(3)
    r = _np(tf.linalg.sqrtm(spd))
    np.testing.assert_allclose(r @ r, spd, atol=1e-10)
    np.testing.assert_allclose(_np(tf.linalg.sqrtm(np.array([[1.0, 1.0], [0.0, 1.0]]))), [[1, 0.5], [0, 1]],
                               atol=1e-12)
    assert np.isnan(_np(tf.linalg.sqrtm(np.array([[-1.0, 0.0], [0.0, 4.0]])))).all()
    assert tf.matrix_square_root is tf.linalg.sqrtm


def test_eigh_tridiagonal():
    alpha, beta = np.array([1.0, 2.0, 3.0, 0.5]), np.array([1.0, -0.5, 0.25])
    t = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
    want = np.linalg.eigvalsh(t)
    np.testing.assert_allclose(_np(tf.linalg.eigh_tridiagonal(alpha, beta)), want, atol=1e-12)
    e, v = tf.linalg.eigh_tridiagonal(alpha, beta, eigvals_only=False)
    np.testing.assert_allclose(t @ _np(v), _np(v) * _np(e), atol=1e-10)
    np.testing.assert_allclose(_np(tf.linalg.eigh_tridiagonal(alpha, beta, select="i", select_range=[1, 2])),
                               want[1:3], atol=1e-12)
    lo, hi = want[0] + 1e-3, want[2]
    np.testing.assert_allclose(_np(tf.linalg.eigh_tridiagonal(alpha, beta, select="v", select_range=[lo, hi])),
                               want[1:3], atol=1e-12)
    with pytest.raises(ValueError):
        tf.linalg.eigh_tridiagonal(alpha, beta, select="x")


# ---------------------------------------------------------------- LinearOperators
def _check_operator(op, dense, square=True):
    dense = np.asarray(dense)
    np.testing.assert_allclose(_np(op.to_dense()), dense, atol=1e-10)
    assert op.shape.as_list() == list(dense.shape)
    assert op.batch_shape.as_list() == list(dense.shape[:-2])
    assert op.domain_dimension == dense.shape[-1] and op.range_dimension == dense.shape[-2]
    x = rng.standard_normal(dense.shape[:-2] + (dense.shape[-1], 2))
    np.testing.assert_allclose(_np(op.matmul(x)), dense @ x, atol=1e-10)
    np.testing.assert_allclose(_np(op @ x), dense @ x, atol=1e-10)
    y = rng.standard_normal(dense.shape[:-2] + (dense.shape[-2], 2))
    np.testing.assert_allclose(_np(op.matmul(y, adjoint=True)), np.swapaxes(dense, -1, -2) @ y, atol=1e-10)
    np.testing.assert_allclose(_np(op.matvec(x[..., 0])), (dense @ x)[..., 0], atol=1e-10)
    np.testing.assert_allclose(_np(op.diag_part()), np.diagonal(dense, axis1=-2, axis2=-1), atol=1e-10)
    np.testing.assert_allclose(_np(op.trace()), np.trace(dense, axis1=-2, axis2=-1), atol=1e-10)
    np.testing.assert_allclose(_np(op.add_to_tensor(dense)), 2 * dense, atol=1e-10)
    np.testing.assert_allclose(_np(op.adjoint().to_dense()), np.swapaxes(dense, -1, -2), atol=1e-10)
    if square:
        np.testing.assert_allclose(_np(op.solve(x)), np.linalg.solve(dense, x), atol=1e-8)
        np.testing.assert_allclose(_np(op.solve(x, adjoint=True)), np.linalg.solve(np.swapaxes(dense, -1, -2), x),
                                   atol=1e-8)
        np.testing.assert_allclose(_np(op.solvevec(x[..., 0])), np.linalg.solve(dense, x)[..., 0], atol=1e-8)
        np.testing.assert_allclose(_np(op.determinant()), np.linalg.det(dense), rtol=1e-8)
        np.testing.assert_allclose(_np(op.log_abs_determinant()), np.linalg.slogdet(dense)[1], rtol=1e-8)
        np.testing.assert_allclose(_np(op.inverse().to_dense()), np.linalg.inv(dense), atol=1e-8)


def _wellcond(*shape):
    return rng.standard_normal(shape) + 3 * np.eye(shape[-1])


def test_linear_operators_against_dense():
    m = _wellcond(2, 3, 3)
    _check_operator(tf.linalg.LinearOperatorFullMatrix(m), m)
    rect = rng.standard_normal((3, 4))
    _check_operator(tf.linalg.LinearOperatorFullMatrix(rect), rect, square=False)
    d = rng.uniform(1, 2, (2, 3))
    _check_operator(tf.linalg.LinearOperatorDiag(d), np.stack([np.diag(v) for v in d]))
    _check_operator(tf.linalg.LinearOperatorIdentity(3, dtype=tf.float64), np.eye(3))
    _check_operator(tf.linalg.LinearOperatorScaledIdentity(3, np.array([2.0, -3.0])),
                    np.array([2.0, -3.0])[:, None, None] * np.eye(3))
    _check_operator(tf.linalg.LinearOperatorLowerTriangular(m), np.tril(m))
    a, b = _wellcond(3, 3), _wellcond(3, 3)
    fa, fb = tf.linalg.LinearOperatorFullMatrix(a), tf.linalg.LinearOperatorFullMatrix(b)
    _check_operator(tf.linalg.LinearOperatorComposition([fa, fb]), a @ b)
    _check_operator(tf.linalg.LinearOperatorInversion(fa), np.linalg.inv(a))
    _check_operator(tf.linalg.LinearOperatorAdjoint(fa), a.T)
    c = _wellcond(2, 2)
    block = np.zeros((5, 5))
    block[:3, :3], block[3:, 3:] = a, c
    _check_operator(tf.linalg.LinearOperatorBlockDiag([fa, tf.linalg.LinearOperatorFullMatrix(c)]), block)
    _check_operator(tf.linalg.LinearOperatorKronecker([fa, tf.linalg.LinearOperatorFullMatrix(c)]), np.kron(a, c))
    u = rng.standard_normal((3, 2))
    dg = np.array([1.5, 0.5])
    _check_operator(tf.linalg.LinearOperatorLowRankUpdate(tf.linalg.LinearOperatorDiag(np.array([2.0, 3, 4])), u,
                                                          diag_update=dg),
                    np.diag([2.0, 3, 4]) + u @ np.diag(dg) @ u.T)


def test_linear_operator_hints_gradients_and_function():
    d = tf.linalg.LinearOperatorDiag([1.0, 2.0], is_positive_definite=True)
    assert d.is_non_singular and d.is_square and d.is_self_adjoint and d.dtype == tf.float32
    np.testing.assert_allclose(_np(d.eigvals()), [1.0, 2.0])
    with pytest.raises(ValueError):
        tf.linalg.LinearOperatorDiag([1.0], is_positive_definite=True, is_non_singular=False)
    x = tf.constant(_wellcond(3, 3))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.linalg.LinearOperatorFullMatrix(x).log_abs_determinant()
    np.testing.assert_allclose(_np(tape.gradient(y, x)), np.linalg.inv(_np(x)).T, atol=1e-10)

    @tf.function
    def f(v):
        return tf.linalg.LinearOperatorDiag(v).solvevec(tf.ones_like(v))

    np.testing.assert_allclose(_np(f(tf.constant([2.0, 4.0]))), [0.5, 0.25])
