"""Toeplitz / Circulant linear operators and the O(M) tridiagonal solver, against NumPy references."""
import numpy as np
import pytest

import tensorforge as tf


def _dense_tridiag(d):
    m = d.shape[-1]
    a = np.zeros(d.shape[:-2] + (m, m), d.dtype)
    i = np.arange(m)
    a[..., i, i] = d[..., 1, :]
    a[..., i[:-1], i[1:]] = d[..., 0, :-1]
    a[..., i[1:], i[:-1]] = d[..., 2, 1:]
    return a


def _toeplitz(col, row):
    n = col.shape[-1]
    i = np.arange(n)
    seq = np.concatenate([row[..., 1:][..., ::-1], col], axis=-1)
    return seq[..., n - 1 + i[:, None] - i[None, :]]


@pytest.mark.parametrize("pp,ps", [(True, False), (False, False), (True, True)])
@pytest.mark.parametrize("dt", [np.float64, np.complex128])
def test_tridiagonal_solve_matches_dense(pp, ps, dt):
    rng = np.random.default_rng(0)
    d = rng.normal(size=(2, 3, 3, 9)).astype(dt)
    d[..., 1, :] += 4
    b = rng.normal(size=(2, 3, 9, 2)).astype(dt)
    x = tf.linalg.tridiagonal_solve(tf.constant(d), tf.constant(b), partial_pivoting=pp, perturb_singular=ps).numpy()
    np.testing.assert_allclose(x, np.linalg.solve(_dense_tridiag(d), b), rtol=1e-10, atol=1e-12)


def test_tridiagonal_solve_pivoting_and_singular():
    rng = np.random.default_rng(1)
    d = rng.normal(size=(4, 3, 6))
    d[:, 1] = 0.0  # zero diagonal (even size: invertible) needs pivoting
    b = rng.normal(size=(4, 6))
    x = tf.linalg.tridiagonal_solve(tf.constant(d), tf.constant(b)).numpy()
    np.testing.assert_allclose(x, np.linalg.solve(_dense_tridiag(d), b[..., None])[..., 0], rtol=1e-9, atol=1e-12)
    assert np.isnan(tf.linalg.tridiagonal_solve(tf.constant(d), tf.constant(b), partial_pivoting=False).numpy()).all()
    d[1] = 0.0  # one singular system: only it is NaN
    x = tf.linalg.tridiagonal_solve(tf.constant(d), tf.constant(b)).numpy()
    assert np.isnan(x[1]).all() and not np.isnan(x[[0, 2, 3]]).any()
    x = tf.linalg.tridiagonal_solve(tf.constant(d), tf.constant(b), perturb_singular=True).numpy()
    assert np.isfinite(x).all()


def test_tridiagonal_solve_formats_and_gradient():
    rng = np.random.default_rng(2)
    d = rng.normal(size=(3, 5)) + np.array([0, 4.0, 0])[:, None]
    b = rng.normal(size=(5, 2))
    ref = np.linalg.solve(_dense_tridiag(d), b)
    seq = [tf.constant(d[0, :-1]), tf.constant(d[1]), tf.constant(d[2, 1:])]
    np.testing.assert_allclose(tf.linalg.tridiagonal_solve(seq, b, diagonals_format="sequence").numpy(), ref)
    np.testing.assert_allclose(tf.linalg.tridiagonal_solve(tf.constant(_dense_tridiag(d)), b,
                                                           diagonals_format="matrix").numpy(), ref)
    dv, bv = tf.Variable(d), tf.Variable(b)
    w = rng.normal(size=(5, 2))
    with tf.GradientTape() as t:
        loss = tf.reduce_sum(tf.linalg.tridiagonal_solve(dv, bv) * w)
    gd, gb = t.gradient(loss, [dv, bv])
    a = _dense_tridiag(d)
    gb_ref = np.linalg.solve(a.T, w)
    np.testing.assert_allclose(gb.numpy(), gb_ref, rtol=1e-10)
    ga = -gb_ref @ ref.T  # dL/dA, projected on the three diagonals
    np.testing.assert_allclose(gd.numpy()[1], np.diag(ga), rtol=1e-10)
    np.testing.assert_allclose(gd.numpy()[0, :-1], np.diag(ga, 1), rtol=1e-10)
    np.testing.assert_allclose(gd.numpy()[2, 1:], np.diag(ga, -1), rtol=1e-10)


@pytest.mark.parametrize("dt", [np.float64, np.complex128])
def test_toeplitz(dt):
    rng = np.random.default_rng(3)
    col = (rng.normal(size=(2, 5)) + 3).astype(dt)
    row = rng.normal(size=(2, 5)).astype(dt)
    if dt == np.complex128:
        col = col + 1j * rng.normal(size=col.shape)
    x = rng.normal(size=(2, 5, 3)).astype(dt)
    op = tf.linalg.LinearOperatorToeplitz(col, row)
    t = _toeplitz(col, row)
    assert op.shape.as_list() == [2, 5, 5]
    np.testing.assert_allclose(op.to_dense().numpy(), t)
    np.testing.assert_allclose(op.matmul(x).numpy(), t @ x, atol=1e-10)
    np.testing.assert_allclose(op.matmul(x, adjoint=True).numpy(), np.conj(t.swapaxes(-1, -2)) @ x, atol=1e-10)
    np.testing.assert_allclose(op.solve(x).numpy(), np.linalg.solve(t, x), atol=1e-10)
    np.testing.assert_allclose(op.determinant().numpy(), np.linalg.det(t), rtol=1e-10)
    np.testing.assert_allclose(op.log_abs_determinant().numpy(), np.linalg.slogdet(t)[1], rtol=1e-10)
    np.testing.assert_allclose(op.diag_part().numpy(), np.diagonal(t, axis1=-2, axis2=-1))


def test_circulant():
    rng = np.random.default_rng(4)
    h = rng.normal(size=(2, 6))
    spec = np.fft.fft(h)
    op = tf.linalg.LinearOperatorCirculant(tf.constant(spec), input_output_dtype=tf.float64)
    i = np.arange(6)
    c = h[..., (i[:, None] - i[None, :]) % 6]  # circulant with first column h
    x = rng.normal(size=(2, 6, 2))
    assert op.dtype == tf.float64 and op.shape.as_list() == [2, 6, 6]
    np.testing.assert_allclose(op.to_dense().numpy(), c, atol=1e-12)
    np.testing.assert_allclose(op.matmul(x).numpy(), c @ x, atol=1e-12)
    np.testing.assert_allclose(op.matmul(x, adjoint=True).numpy(), c.swapaxes(-1, -2) @ x, atol=1e-12)
    np.testing.assert_allclose(op.solve(x).numpy(), np.linalg.solve(c, x), atol=1e-10)
    np.testing.assert_allclose(op.determinant().numpy(), np.linalg.det(c), rtol=1e-9)
    np.testing.assert_allclose(op.log_abs_determinant().numpy(), np.linalg.slogdet(c)[1], rtol=1e-10)
    np.testing.assert_allclose(op.diag_part().numpy(), np.diagonal(c, axis1=-2, axis2=-1), atol=1e-12)
    cop = tf.linalg.LinearOperatorCirculant(tf.constant(spec.real))  # real spectrum: self-adjoint, complex64
    assert cop.is_self_adjoint and cop.dtype == tf.complex64
    sv = tf.Variable(spec)
    with tf.GradientTape() as t:
        y = tf.linalg.LinearOperatorCirculant(sv, input_output_dtype=tf.complex128).matmul(
            tf.constant(x.astype(np.complex128)))
        loss = tf.reduce_sum(tf.math.real(y))
    assert t.gradient(loss, sv).shape == (2, 6)


def test_tridiagonal_solve_long_systems_through_lapack():
    rng = np.random.default_rng(7)
    n = 3000
    diags = rng.standard_normal((2, 3, n))
    rhs = rng.standard_normal((2, n, 2))
    diag_t, rhs_t = tf.constant(diags), tf.constant(rhs)
    x = tf.linalg.tridiagonal_solve(diag_t, rhs_t).numpy()
    for b in range(2):
        a = np.diag(diags[b, 1]) + np.diag(diags[b, 0, :-1], 1) + np.diag(diags[b, 2, 1:], -1)
        np.testing.assert_allclose(x[b], np.linalg.solve(a, rhs[b]), rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(diag_t.numpy(), diags)  # inputs untouched (LAPACK overwrites its arguments)
    np.testing.assert_array_equal(rhs_t.numpy(), rhs)
    singular = tf.linalg.tridiagonal_solve(tf.zeros((3, 100), tf.float64), tf.ones((100,), tf.float64),
                                           diagonals_format="compact")
    assert np.isnan(singular.numpy()).all()
