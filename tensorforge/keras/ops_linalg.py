"""keras.ops.linalg: Keras 3's linear-algebra ops over tf.linalg (batched over leading axes)."""
from __future__ import annotations

import tensorforge as tf

from .ops_dtypes import floatx, result_type
from .ops_numpy import convert_to_tensor, moveaxis

_t = convert_to_tensor


def cholesky(x, upper: bool = False):
    """Cholesky factor of a Hermitian positive-definite matrix (lower unless `upper`)."""
    out = tf.linalg.cholesky(_t(x))
    out = tf.debugging.check_numerics(out, "Cholesky")
    return tf.linalg.adjoint(out) if upper else out


def det(x):
    """Determinant of (a batch of) square matrices."""
    return tf.linalg.det(_t(x))


def eig(x):
    """Eigenvalues and eigenvectors of (a batch of) square matrices (complex)."""
    return tf.linalg.eig(_t(x))


def eigh(x):
    """Eigenvalues (ascending) and eigenvectors of (a batch of) Hermitian matrices."""
    return tf.linalg.eigh(_t(x))


def inv(x):
    """Inverse of (a batch of) square matrices."""
    return tf.linalg.inv(_t(x))


def solve(a, b):
    """x with a @ x = b; a vector `b` (rank one less than `a`) gives a vector."""
    a, b = _t(a), _t(b)
    if len(b.shape) == len(a.shape) - 1:
        return tf.squeeze(tf.linalg.solve(a, tf.expand_dims(b, -1)), -1)
    return tf.linalg.solve(a, b)


def solve_triangular(a, b, lower: bool = False):
    """x with a @ x = b for triangular `a`."""
    a, b = _t(a), _t(b)
    if len(b.shape) == len(a.shape) - 1:
        return tf.squeeze(tf.linalg.triangular_solve(a, tf.expand_dims(b, -1), lower=lower), -1)
    return tf.linalg.triangular_solve(a, b, lower=lower)


def qr(x, mode: str = "reduced"):
    """QR decomposition: (q, r); mode "reduced" or "complete"."""
    if mode not in {"reduced", "complete"}:
        raise ValueError("`mode` argument value not supported. Expected one of {'reduced', 'complete'}. "
                         f"Received: mode={mode}")
    return tf.linalg.qr(_t(x), full_matrices=mode == "complete")


def svd(x, full_matrices: bool = True, compute_uv: bool = True):
    """Singular value decomposition: (u, s, vh), or just s when not `compute_uv`."""
    x = _t(x)
    if not compute_uv:
        return tf.linalg.svd(x, full_matrices=full_matrices, compute_uv=False)
    s, u, v = tf.linalg.svd(x, full_matrices=full_matrices, compute_uv=True)
    return u, s, tf.linalg.adjoint(v)


def norm(x, ord=None, axis=None, keepdims: bool = False):  # noqa: A002
    """Vector (one axis) or matrix (two axes) norm, as numpy.linalg.norm (integers -> floatx)."""
    x = _t(x)
    ndim = len(x.shape)
    axis = tuple(range(ndim)) if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
    if any(a < -ndim or a >= ndim for a in axis):
        raise ValueError(f"All `axis` values must be in the range [-ndim, ndim). Received inputs with "
                         f"ndim={ndim}, while axis={axis}")
    dtype = floatx() if x.dtype.name == "int64" else result_type(x.dtype.name, float)
    x = tf.cast(x, dtype)
    if len(axis) == 1:
        ax = axis[0]
        if ord is None or ord == 2:
            return tf.math.sqrt(tf.math.reduce_sum(x * tf.math.conj(x), axis=ax, keepdims=keepdims))
        if ord == float("inf"):
            return tf.math.reduce_max(tf.math.abs(x), axis=ax, keepdims=keepdims)
        if ord == float("-inf"):
            return tf.math.reduce_min(tf.math.abs(x), axis=ax, keepdims=keepdims)
        if ord == 0:
            return tf.math.reduce_sum(tf.cast(tf.math.not_equal(x, 0), x.dtype), axis=ax, keepdims=keepdims)
        if isinstance(ord, str):
            raise ValueError(f"Invalid `ord` argument for vector norm. Received: ord={ord}")
        p = tf.constant(ord, x.dtype)
        return tf.math.pow(tf.math.reduce_sum(tf.math.pow(tf.math.abs(x), p), axis=ax, keepdims=keepdims),
                           1.0 / p)
    if len(axis) != 2:
        raise ValueError(f"Invalid axis values. Received: axis={axis}")
    row, col = (a + ndim if a < 0 else a for a in axis)
    if ord is None or ord == "fro":
        return tf.math.sqrt(tf.math.reduce_sum(x * tf.math.conj(x), axis=list(axis), keepdims=keepdims))
    if ord in (1, -1, float("inf"), float("-inf")):
        inner, outer = (row, col) if ord in (1, -1) else (col, row)
        if not keepdims and outer > inner:
            outer -= 1
        red = tf.math.reduce_max if ord in (1, float("inf")) else tf.math.reduce_min
        return red(tf.math.reduce_sum(tf.math.abs(x), axis=inner, keepdims=keepdims), axis=outer,
                   keepdims=keepdims)
    if ord in ("nuc", 2, -2):
        s = tf.linalg.svd(moveaxis(x, axis, (-2, -1)), compute_uv=False)
        out = {"nuc": tf.math.reduce_sum, 2: tf.math.reduce_max, -2: tf.math.reduce_min}[ord](s, axis=-1)
        if keepdims:
            out = tf.expand_dims(tf.expand_dims(out, axis[0]), axis[1])
        return out
    raise ValueError(f"Invalid `ord` argument for matrix norm. Received: ord={ord}")
