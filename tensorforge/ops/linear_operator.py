"""tf.linalg.LinearOperator and its structured subclasses, written with tensorforge ops.

Every method builds its result from tensorforge ops, so gradients and tf.function work.
Structured operators override the methods they can do cheaply; the rest go through
`to_dense()`.
"""
from __future__ import annotations

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import convert_to_tensor
from ..framework.tensor_shape import TensorShape
from . import array_ops, linalg_ops, math_ops, signal_ops

_t = convert_to_tensor


def _as_tensor(x, dtype=None):
    if dtype is not None and not math_ops._is_tensorish(x):
        return _t(x, dtype=dtype)
    return _t(x)


def _adj(x):
    return linalg_ops.adjoint(x)


def _fmt(t) -> str:
    """A tensor as TF's f-string messages print it (its NumPy value when eager)."""
    v = getattr(t, "_value", None)
    return str(np.asarray(v)) if isinstance(v, (np.ndarray, np.generic)) else str(t)


def _solve_broadcast(matrix, rhs, adjoint=False):
    """tf.linalg.solve with the batch dims of `matrix` and `rhs` broadcast against each other."""
    m, r = matrix.shape.as_list(), rhs.shape.as_list()
    if m[:-2] != r[:-2] and None not in m[:-2] + r[:-2]:
        batch = list(np.broadcast_shapes(tuple(m[:-2]), tuple(r[:-2])))
        if m[:-2] != batch:
            matrix = array_ops.broadcast_to(matrix, batch + m[-2:])
        if r[:-2] != batch:
            rhs = array_ops.broadcast_to(rhs, batch + r[-2:])
    return linalg_ops.solve(matrix, rhs, adjoint=adjoint)


@tf_export("linalg.LinearOperator")
class LinearOperator:
    """Base class of the linear operators (tf.linalg.LinearOperator): a [B1..Bb, M, N] batch of matrices."""

    def __init__(self, dtype, graph_parents=None, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None, parameters=None):
        if is_positive_definite and is_non_singular is False:
            raise ValueError("A positive definite matrix is always non-singular.")
        if is_positive_definite:
            is_non_singular = True
        if is_non_singular and is_square is False:
            raise ValueError("A non-singular matrix is always square.")
        if is_non_singular:
            is_square = True
        if is_self_adjoint:
            if is_square is False:
                raise ValueError("A self-adjoint matrix is always square.")
            is_square = True
        self._dtype = dtypes.as_dtype(dtype) if dtype is not None else None
        self._is_non_singular = is_non_singular
        self._is_self_adjoint = is_self_adjoint
        self._is_positive_definite = is_positive_definite
        self._is_square_hint = is_square
        self._name = name or type(self).__name__
        self._parameters = dict(parameters or {})

    # -- properties
    @property
    def dtype(self):
        return self._dtype

    @property
    def name(self):
        return self._name

    @property
    def parameters(self):
        return dict(self._parameters)

    @property
    def is_non_singular(self):
        return self._is_non_singular

    @property
    def is_self_adjoint(self):
        return self._is_self_adjoint

    @property
    def is_positive_definite(self):
        return self._is_positive_definite

    @property
    def is_square(self):
        s = self.shape
        if s.rank is not None and s[-1] is not None and s[-2] is not None:
            auto = s[-1] == s[-2]
            if self._is_square_hint is not None and self._is_square_hint != auto:
                raise ValueError("User set is_square hint to %s, but the operator was %s." % (self._is_square_hint,
                                                                                             auto))
            return auto
        return self._is_square_hint

    @property
    def shape(self) -> TensorShape:
        return TensorShape(self._shape())

    def _shape(self):
        raise NotImplementedError

    def shape_tensor(self, name="shape_tensor"):
        return array_ops.shape(self.to_dense())

    @property
    def batch_shape(self) -> TensorShape:
        return self.shape[:-2]

    def batch_shape_tensor(self, name="batch_shape_tensor"):
        return self.shape_tensor()[:-2]

    @property
    def tensor_rank(self):
        return self.shape.rank

    @property
    def domain_dimension(self):
        return self.shape[-1] if self.shape.rank is not None else None

    @property
    def range_dimension(self):
        return self.shape[-2] if self.shape.rank is not None else None

    def domain_dimension_tensor(self, name="domain_dimension_tensor"):
        return self.shape_tensor()[-1]

    def range_dimension_tensor(self, name="range_dimension_tensor"):
        return self.shape_tensor()[-2]

    # -- the operations (subclasses override the _ methods)
    def to_dense(self, name="to_dense"):
        return self._to_dense()

    def _to_dense(self):
        n = self.domain_dimension
        ident = linalg_ops.eye(n, batch_shape=self.batch_shape.as_list(), dtype=self.dtype)
        return self.matmul(ident)

    def matmul(self, x, adjoint=False, adjoint_arg=False, name="matmul"):
        if isinstance(x, LinearOperator):
            left = self.adjoint() if adjoint else self
            right = x.adjoint() if adjoint_arg else x
            return LinearOperatorComposition([left, right])
        x = self._checked_arg(x, (self.range_dimension if adjoint else self.domain_dimension),
                              -1 if adjoint_arg else -2)
        return self._matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _checked_arg(self, x, dim, axis):
        """`x` as a tensor of the operator's dtype whose `axis` dimension is compatible with `dim` (TF's checks)."""
        x = _as_tensor(x, self.dtype)
        if x.dtype != self.dtype:
            raise TypeError("Expected argument to have dtype %s.  Found: %s in tensor %s" % (self.dtype, x.dtype, x))
        got = x.shape[axis] if x.shape.rank is not None and x.shape.rank >= -axis else None
        if dim is not None and got is not None and dim != got:
            raise ValueError("Dimensions %d and %d are not compatible" % (dim, got))
        return x

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return linalg_ops.matmul(self.to_dense(), x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def __matmul__(self, other):
        return self.matmul(other)

    def matvec(self, x, adjoint=False, name="matvec"):
        x = self._checked_arg(x, self.range_dimension if adjoint else self.domain_dimension, -1)
        return array_ops.squeeze(self.matmul(array_ops.expand_dims(x, -1), adjoint=adjoint), -1)

    def solve(self, rhs, adjoint=False, adjoint_arg=False, name="solve"):
        if self.is_non_singular is False:
            raise NotImplementedError("Exact solve not implemented for an operator that is expected to be singular.")
        if self.is_square is False:
            raise NotImplementedError("Exact solve not implemented for an operator that is expected to not be square.")
        if isinstance(rhs, LinearOperator):
            left = self.inverse()
            left = left.adjoint() if adjoint else left
            return LinearOperatorComposition([left, rhs.adjoint() if adjoint_arg else rhs])
        rhs = self._checked_arg(rhs, self.domain_dimension if adjoint else self.range_dimension,
                                -1 if adjoint_arg else -2)
        return self._solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = _adj(rhs) if adjoint_arg else rhs
        return _solve_broadcast(self.to_dense(), rhs, adjoint=adjoint)

    def solvevec(self, rhs, adjoint=False, name="solve"):
        rhs = self._checked_arg(rhs, self.domain_dimension if adjoint else self.range_dimension, -1)
        return array_ops.squeeze(self.solve(array_ops.expand_dims(rhs, -1), adjoint=adjoint), -1)

    def _check_square(self):
        if self.is_square is False:
            raise NotImplementedError("Determinant not implemented for an operator that is expected to not be square.")

    def determinant(self, name="det"):
        self._check_square()
        return self._determinant()

    def _determinant(self):
        return linalg_ops.det(self.to_dense())

    def log_abs_determinant(self, name="log_abs_det"):
        self._check_square()
        return self._log_abs_determinant()

    def _log_abs_determinant(self):
        out = linalg_ops.slogdet(self.to_dense())[1]
        return out if out.dtype == self.dtype else math_ops.cast(out, self.dtype)

    def inverse(self, name="inverse"):
        if self.is_square is False:
            raise ValueError("Cannot take the Inverse: This operator represents a non square matrix.")
        if self.is_non_singular is False:
            raise ValueError("Cannot take the Inverse: This operator represents a singular matrix.")
        return self._linop_inverse()

    def _linop_inverse(self):
        return LinearOperatorInversion(self)

    def adjoint(self, name="adjoint"):
        if self.is_self_adjoint is True:
            return self
        return self._linop_adjoint()

    def _linop_adjoint(self):
        return LinearOperatorAdjoint(self)

    H = property(adjoint)

    def diag_part(self, name="diag_part"):
        return self._diag_part()

    def _diag_part(self):
        return linalg_ops.diag_part(self.to_dense())

    def trace(self, name="trace"):
        return math_ops.reduce_sum(self.diag_part(), axis=-1)

    def add_to_tensor(self, x, name="add_to_tensor"):
        return math_ops.add(self.to_dense(), _as_tensor(x, self.dtype))

    def eigvals(self, name="eigvals"):
        if not self.is_self_adjoint:
            raise NotImplementedError("Only self-adjoint matrices are supported.")
        return self._eigvals()

    def _eigvals(self):
        return linalg_ops.eigvalsh(self.to_dense())

    def cond(self, name="cond"):
        s = linalg_ops.svd(self.to_dense(), compute_uv=False)
        return math_ops.divide(math_ops.reduce_max(s, axis=-1), math_ops.reduce_min(s, axis=-1))

    def cholesky(self, name="cholesky"):
        if not (self.is_self_adjoint and self.is_positive_definite):
            raise ValueError("Cholesky decomposition is only supported for an operator that is self-adjoint and "
                             "positive definite.")
        return LinearOperatorLowerTriangular(linalg_ops.cholesky(self.to_dense()), is_non_singular=True,
                                             is_square=True)

    def assert_non_singular(self, name="assert_non_singular"):
        return None

    def assert_positive_definite(self, name="assert_positive_definite"):
        return None

    def assert_self_adjoint(self, name="assert_self_adjoint"):
        return None

    def __repr__(self):
        return "<tf.linalg.%s '%s' is_non_singular=%s is_self_adjoint=%s is_positive_definite=%s is_square=%s " \
               "shape=%s dtype=%s>" % (type(self).__name__, self.name, self.is_non_singular, self.is_self_adjoint,
                                       self.is_positive_definite, self.is_square, self.shape,
                                       None if self.dtype is None else self.dtype.name)


@tf_export("linalg.LinearOperatorFullMatrix")
class LinearOperatorFullMatrix(LinearOperator):
    """A LinearOperator wrapping a [..., M, N] matrix (tf.linalg.LinearOperatorFullMatrix)."""

    def __init__(self, matrix, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None, is_square=None,
                 name="LinearOperatorFullMatrix"):
        self._matrix = _t(matrix)
        allowed = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128)
        if self._matrix.dtype not in allowed:
            raise TypeError("Argument matrix must have dtype in %s. Found: %s" % ([d.name for d in allowed],
                                                                                   self._matrix.dtype))
        if self._matrix.shape.rank is not None and self._matrix.shape.rank < 2:
            raise ValueError("Argument matrix must have at least 2 dimensions.  Found: %s" % self._matrix)
        super().__init__(self._matrix.dtype, is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                         is_positive_definite=is_positive_definite, is_square=is_square, name=name,
                         parameters={"matrix": matrix})

    def _shape(self):
        return self._matrix.shape

    def shape_tensor(self, name="shape_tensor"):
        return array_ops.shape(self._matrix)

    def _to_dense(self):
        return self._matrix

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = _adj(rhs) if adjoint_arg else rhs
        if self.is_self_adjoint and self.is_positive_definite:
            return linalg_ops.cholesky_solve(linalg_ops.cholesky(self._matrix), rhs)
        return _solve_broadcast(self._matrix, rhs, adjoint=adjoint)


@tf_export("linalg.LinearOperatorDiag")
class LinearOperatorDiag(LinearOperator):
    """A batch of diagonal matrices diag(`diag`) (tf.linalg.LinearOperatorDiag)."""

    def __init__(self, diag, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None, is_square=True,
                 name="LinearOperatorDiag"):
        self._diag = _t(diag)
        if self._diag.shape.rank is not None and self._diag.shape.rank < 1:
            raise ValueError("Argument diag must have at least 1 dimension.  Found: %s" % self._diag)
        if not self._diag.dtype.is_complex and is_self_adjoint is None:
            is_self_adjoint = True
        if is_square is False:
            raise ValueError("Only square diagonal operators currently supported.")
        super().__init__(self._diag.dtype, is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                         is_positive_definite=is_positive_definite, is_square=True, name=name,
                         parameters={"diag": diag})

    @property
    def diag(self):
        return self._diag

    def _shape(self):
        s = self._diag.shape
        return s.concatenate([s[-1]]) if s.rank is not None else s

    def _to_dense(self):
        return linalg_ops.diag(self._diag)

    def _d(self, adjoint):
        return math_ops.conj(self._diag) if adjoint and self.dtype.is_complex else self._diag

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = _adj(x) if adjoint_arg else x
        return math_ops.multiply(array_ops.expand_dims(self._d(adjoint), -1), x)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = _adj(rhs) if adjoint_arg else rhs
        return math_ops.divide(rhs, array_ops.expand_dims(self._d(adjoint), -1))

    def _determinant(self):
        return math_ops.reduce_prod(self._diag, axis=-1)

    def _log_abs_determinant(self):
        return math_ops.reduce_sum(math_ops.log(math_ops.abs(self._diag)), axis=-1)

    def _diag_part(self):
        return self._diag

    def _eigvals(self):
        return math_ops.real(self._diag) if self.dtype.is_complex else self._diag

    def add_to_tensor(self, x, name="add_to_tensor"):
        x = _as_tensor(x, self.dtype)
        return linalg_ops.set_diag(x, math_ops.add(linalg_ops.diag_part(x), self._diag))

    def _linop_inverse(self):
        return LinearOperatorDiag(math_ops.reciprocal(self._diag), is_non_singular=self.is_non_singular,
                                  is_self_adjoint=self.is_self_adjoint, is_positive_definite=self.is_positive_definite)

    def _linop_adjoint(self):
        return LinearOperatorDiag(self._d(True), is_non_singular=self.is_non_singular,
                                  is_self_adjoint=self.is_self_adjoint, is_positive_definite=self.is_positive_definite)

    def cholesky(self, name="cholesky"):
        return LinearOperatorDiag(math_ops.sqrt(self._diag), is_non_singular=True, is_self_adjoint=True,
                                  is_positive_definite=True)


class _BaseIdentity(LinearOperator):
    def _init_identity(self, num_rows, batch_shape, dtype):
        if isinstance(num_rows, (int, np.integer)) or not hasattr(num_rows, "shape"):
            n = int(num_rows)
        else:
            n = int(np.asarray(num_rows._value))
        if n < 0:
            raise ValueError("Argument num_rows must be non-negative.  Found: %s" % n)
        self._num_rows = n
        if batch_shape is None:
            self._batch = []
        else:
            b = batch_shape._value if hasattr(batch_shape, "_value") else batch_shape
            self._batch = [int(v) for v in np.ravel(np.asarray(b))]
        self._dtype_ = dtypes.as_dtype(dtype or dtypes.float32)

    def _shape(self):
        return self._batch + [self._num_rows, self._num_rows]

    def _ones_diag(self):
        return array_ops.ones(self._batch + [self._num_rows], dtype=self.dtype)


@tf_export("linalg.LinearOperatorIdentity")
class LinearOperatorIdentity(_BaseIdentity):
    """The identity (optionally batched) as a LinearOperator (tf.linalg.LinearOperatorIdentity)."""

    def __init__(self, num_rows, batch_shape=None, dtype=None, is_non_singular=True, is_self_adjoint=True,
                 is_positive_definite=True, is_square=True, assert_proper_shapes=False, name="LinearOperatorIdentity"):
        self._init_identity(num_rows, batch_shape, dtype)
        if not (is_non_singular and is_self_adjoint and is_positive_definite and is_square):
            raise ValueError("An identity operator is always non-singular, self-adjoint, positive definite and "
                             "square.")
        super().__init__(self._dtype_, is_non_singular=True, is_self_adjoint=True, is_positive_definite=True,
                         is_square=True, name=name,
                         parameters={"num_rows": num_rows, "batch_shape": batch_shape, "dtype": dtype})

    def _to_dense(self):
        return linalg_ops.eye(self._num_rows, batch_shape=self._batch or None, dtype=self.dtype)

    def _broadcast(self, x):
        if not self._batch:
            return x
        xs = x.shape.as_list()
        out = list(np.broadcast_shapes(tuple(xs[:-2]), tuple(self._batch))) + xs[-2:]
        return array_ops.broadcast_to(x, out) if out != xs else x

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._broadcast(_adj(x) if adjoint_arg else x)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint_arg=adjoint_arg)

    def _determinant(self):
        return array_ops.ones(self._batch, dtype=self.dtype)

    def _log_abs_determinant(self):
        return array_ops.zeros(self._batch, dtype=self.dtype.real_dtype)

    def _diag_part(self):
        return self._ones_diag()

    def _eigvals(self):
        return self._ones_diag()

    def add_to_tensor(self, x, name="add_to_tensor"):
        x = _as_tensor(x, self.dtype)
        return linalg_ops.set_diag(x, math_ops.add(linalg_ops.diag_part(x), 1))

    def _linop_inverse(self):
        return self


@tf_export("linalg.LinearOperatorScaledIdentity")
class LinearOperatorScaledIdentity(_BaseIdentity):
    """`multiplier` times the identity (tf.linalg.LinearOperatorScaledIdentity); `multiplier` has the batch shape."""

    def __init__(self, num_rows, multiplier, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=True, assert_proper_shapes=False, name="LinearOperatorScaledIdentity"):
        self._multiplier = _t(multiplier)
        self._init_identity(num_rows, None, self._multiplier.dtype)
        self._batch = self._multiplier.shape.as_list()
        if not self._multiplier.dtype.is_complex and is_self_adjoint is None:
            is_self_adjoint = True
        super().__init__(self._multiplier.dtype, is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                         is_positive_definite=is_positive_definite, is_square=True, name=name,
                         parameters={"num_rows": num_rows, "multiplier": multiplier})

    @property
    def multiplier(self):
        return self._multiplier

    def _m(self, adjoint, extra=2):
        m = math_ops.conj(self._multiplier) if adjoint and self.dtype.is_complex else self._multiplier
        for _ in range(extra):
            m = array_ops.expand_dims(m, -1)
        return m

    def _to_dense(self):
        return math_ops.multiply(linalg_ops.eye(self._num_rows, dtype=self.dtype), self._m(False))

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return math_ops.multiply(_adj(x) if adjoint_arg else x, self._m(adjoint))

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return math_ops.divide(_adj(rhs) if adjoint_arg else rhs, self._m(adjoint))

    def _determinant(self):
        return math_ops.pow(self._multiplier, self._num_rows)

    def _log_abs_determinant(self):
        return math_ops.multiply(math_ops.log(math_ops.abs(self._multiplier)), float(self._num_rows))

    def _diag_part(self):
        return math_ops.multiply(self._ones_diag(), self._m(False, 1))

    def _eigvals(self):
        return self._diag_part()

    def trace(self, name="trace"):
        return math_ops.multiply(self._multiplier, math_ops.cast(self._num_rows, self.dtype))

    def add_to_tensor(self, x, name="add_to_tensor"):
        x = _as_tensor(x, self.dtype)
        return linalg_ops.set_diag(x, math_ops.add(linalg_ops.diag_part(x), self._m(False, 1)))

    def _linop_inverse(self):
        return LinearOperatorScaledIdentity(self._num_rows, math_ops.reciprocal(self._multiplier),
                                            is_non_singular=self.is_non_singular,
                                            is_self_adjoint=self.is_self_adjoint,
                                            is_positive_definite=self.is_positive_definite)


@tf_export("linalg.LinearOperatorLowerTriangular")
class LinearOperatorLowerTriangular(LinearOperator):
    """A lower triangular matrix (the upper triangle of `tril` is ignored) (tf.linalg.LinearOperatorLowerTriangular)."""

    def __init__(self, tril, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None, is_square=None,
                 name="LinearOperatorLowerTriangular"):
        if is_square is False:
            raise ValueError("Only square lower triangular operators supported at this time.")
        self._tril = linalg_ops.band_part(_t(tril), -1, 0)
        super().__init__(self._tril.dtype, is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                         is_positive_definite=is_positive_definite, is_square=True, name=name,
                         parameters={"tril": tril})

    def _shape(self):
        return self._tril.shape

    def _to_dense(self):
        return self._tril

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = _adj(rhs) if adjoint_arg else rhs
        return linalg_ops.triangular_solve(self._tril, rhs, lower=True, adjoint=adjoint)

    def _d(self):
        return linalg_ops.diag_part(self._tril)

    def _determinant(self):
        return math_ops.reduce_prod(self._d(), axis=-1)

    def _log_abs_determinant(self):
        return math_ops.reduce_sum(math_ops.log(math_ops.abs(self._d())), axis=-1)

    def _eigvals(self):
        return self._d()


def _batch(ops):
    out = ()
    for o in ops:
        out = np.broadcast_shapes(out, tuple(o.batch_shape.as_list()))
    return list(out)


@tf_export("linalg.LinearOperatorComposition")
class LinearOperatorComposition(LinearOperator):
    """The product op1 @ op2 @ ... of operators (tf.linalg.LinearOperatorComposition)."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name=None):
        operators = list(operators)
        if not operators:
            raise ValueError("Expected a non-empty list of operators. Found: %s" % operators)
        d = operators[0].dtype
        for o in operators[1:]:
            if o.dtype != d:
                raise TypeError("Expected all operators to have the same dtype.  Found %s and %s"
                                % (d.name, o.dtype.name))
        if all(o.is_non_singular for o in operators):
            if is_non_singular is False:
                raise ValueError("The composition of non-singular operators is always non-singular.")
            is_non_singular = True
        self._operators = operators
        super().__init__(d, is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                         is_positive_definite=is_positive_definite, is_square=is_square,
                         name=name or "_o_".join(o.name for o in operators),
                         parameters={"operators": operators})

    @property
    def operators(self):
        return self._operators

    def _shape(self):
        return _batch(self._operators) + [self._operators[0].range_dimension, self._operators[-1].domain_dimension]

    def _to_dense(self):
        out = self._operators[-1].to_dense()
        for o in reversed(self._operators[:-1]):
            out = o.matmul(out)
        return out

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        ops_ = self._operators if not adjoint else list(reversed(self._operators))
        out = ops_[-1].matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)
        for o in reversed(ops_[:-1]):
            out = o.matmul(out, adjoint=adjoint)
        return out

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        ops_ = list(reversed(self._operators)) if adjoint else self._operators
        out = ops_[0].solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)
        for o in ops_[1:]:
            out = o.solve(out, adjoint=adjoint)
        return out

    def _determinant(self):
        out = self._operators[0].determinant()
        for o in self._operators[1:]:
            out = math_ops.multiply(out, o.determinant())
        return out

    def _log_abs_determinant(self):
        return math_ops.add_n([o.log_abs_determinant() for o in self._operators])


@tf_export("linalg.LinearOperatorInversion")
class LinearOperatorInversion(LinearOperator):
    """The inverse of `operator` (tf.linalg.LinearOperatorInversion)."""

    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name=None):
        self._operator = operator
        if operator.is_non_singular is False or is_non_singular is False:
            raise ValueError("operator and supplied hints must have is_non_singular=True or None.")
        if operator.is_square is False or is_square is False:
            raise ValueError("operator and supplied hints must have is_square=True or None.")
        super().__init__(operator.dtype,
                         is_non_singular=operator.is_non_singular if is_non_singular is None else is_non_singular,
                         is_self_adjoint=operator.is_self_adjoint if is_self_adjoint is None else is_self_adjoint,
                         is_positive_definite=operator.is_positive_definite if is_positive_definite is None
                         else is_positive_definite, is_square=True, name=name or operator.name + "_inv",
                         parameters={"operator": operator})

    @property
    def operator(self):
        return self._operator

    def _shape(self):
        return self._operator.shape

    def _to_dense(self):
        return linalg_ops.inv(self._operator.to_dense())

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._operator.solve(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._operator.matmul(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _determinant(self):
        return math_ops.reciprocal(self._operator.determinant())

    def _log_abs_determinant(self):
        return math_ops.negative(self._operator.log_abs_determinant())

    def _linop_inverse(self):
        return self._operator


@tf_export("linalg.LinearOperatorAdjoint")
class LinearOperatorAdjoint(LinearOperator):
    """The conjugate transpose of `operator` (tf.linalg.LinearOperatorAdjoint)."""

    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name=None):
        self._operator = operator
        super().__init__(operator.dtype,
                         is_non_singular=operator.is_non_singular if is_non_singular is None else is_non_singular,
                         is_self_adjoint=operator.is_self_adjoint if is_self_adjoint is None else is_self_adjoint,
                         is_positive_definite=operator.is_positive_definite if is_positive_definite is None
                         else is_positive_definite,
                         is_square=operator.is_square if is_square is None else is_square,
                         name=name or operator.name + "_adjoint", parameters={"operator": operator})

    @property
    def operator(self):
        return self._operator

    def _shape(self):
        s = self._operator.shape.as_list()
        return s[:-2] + [s[-1], s[-2]]

    def _to_dense(self):
        return _adj(self._operator.to_dense())

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._operator.matmul(x, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._operator.solve(rhs, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _determinant(self):
        d = self._operator.determinant()
        return math_ops.conj(d) if self.dtype.is_complex else d

    def _log_abs_determinant(self):
        return self._operator.log_abs_determinant()

    def _diag_part(self):
        d = self._operator.diag_part()
        return math_ops.conj(d) if self.dtype.is_complex else d

    def _linop_adjoint(self):
        return self._operator


@tf_export("linalg.LinearOperatorBlockDiag")
class LinearOperatorBlockDiag(LinearOperator):
    """A block-diagonal operator of square `operators` (tf.linalg.LinearOperatorBlockDiag)."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=True, name=None):
        operators = list(operators)
        if not operators:
            raise ValueError("Expected a non-empty list of operators. Found: %s" % operators)
        self._operators = operators
        if all(o.is_non_singular for o in operators):
            is_non_singular = True
        super().__init__(operators[0].dtype, is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                         is_positive_definite=is_positive_definite, is_square=is_square,
                         name=name or "_ds_".join(o.name for o in operators), parameters={"operators": operators})

    @property
    def operators(self):
        return self._operators

    def _shape(self):
        return _batch(self._operators) + [sum(o.range_dimension for o in self._operators),
                                          sum(o.domain_dimension for o in self._operators)]

    def _to_dense(self):
        batch = _batch(self._operators)
        rows = []
        total = sum(o.domain_dimension for o in self._operators)
        start = 0
        for o in self._operators:
            d = o.to_dense()
            d = array_ops.broadcast_to(d, batch + d.shape.as_list()[-2:])
            n = o.domain_dimension
            rank = len(batch) + 2
            rows.append(array_ops.pad(d, [[0, 0]] * (rank - 1) + [[start, total - start - n]]))
            start += n
        return array_ops.concat(rows, axis=-2)

    def _split(self, x, dims):
        return array_ops.split(x, dims, axis=-2)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = _adj(x) if adjoint_arg else x
        dims = [o.range_dimension if adjoint else o.domain_dimension for o in self._operators]
        parts = self._split(x, dims)
        return array_ops.concat([o.matmul(p, adjoint=adjoint) for o, p in zip(self._operators, parts)], axis=-2)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = _adj(rhs) if adjoint_arg else rhs
        parts = self._split(rhs, [o.domain_dimension for o in self._operators])
        return array_ops.concat([o.solve(p, adjoint=adjoint) for o, p in zip(self._operators, parts)], axis=-2)

    def _determinant(self):
        out = self._operators[0].determinant()
        for o in self._operators[1:]:
            out = math_ops.multiply(out, o.determinant())
        return out

    def _log_abs_determinant(self):
        return math_ops.add_n([o.log_abs_determinant() for o in self._operators])

    def _diag_part(self):
        return array_ops.concat([o.diag_part() for o in self._operators], axis=-1)


@tf_export("linalg.LinearOperatorKronecker")
class LinearOperatorKronecker(LinearOperator):
    """The Kronecker product op1 (x) op2 (x) ... (tf.linalg.LinearOperatorKronecker)."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name=None):
        operators = list(operators)
        if not operators:
            raise ValueError("Expected a list of >=1 operators. Found: %s" % operators)
        self._operators = operators
        if all(o.is_non_singular for o in operators):
            is_non_singular = True
        super().__init__(operators[0].dtype, is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                         is_positive_definite=is_positive_definite, is_square=is_square,
                         name=name or "_x_".join(o.name for o in operators), parameters={"operators": operators})

    @property
    def operators(self):
        return self._operators

    def _shape(self):
        m = int(np.prod([o.range_dimension for o in self._operators]))
        n = int(np.prod([o.domain_dimension for o in self._operators]))
        return _batch(self._operators) + [m, n]

    def _to_dense(self):
        out = self._operators[0].to_dense()
        for o in self._operators[1:]:
            b = o.to_dense()
            (m1, n1), (m2, n2) = out.shape.as_list()[-2:], b.shape.as_list()[-2:]
            k = linalg_ops.einsum("...ij,...kl->...ikjl", out, b)
            out = array_ops.reshape(k, k.shape.as_list()[:-4] + [m1 * m2, n1 * n2])
        return out

    def _determinant(self):
        n = self.domain_dimension
        out = None
        for o in self._operators:
            term = math_ops.pow(o.determinant(), n // o.domain_dimension)
            out = term if out is None else math_ops.multiply(out, term)
        return out

    def _log_abs_determinant(self):
        n = self.domain_dimension
        return math_ops.add_n([math_ops.multiply(o.log_abs_determinant(), float(n // o.domain_dimension))
                               for o in self._operators])

    def _diag_part(self):
        out = self._operators[0].diag_part()
        for o in self._operators[1:]:
            d = o.diag_part()
            prod = math_ops.multiply(array_ops.expand_dims(out, -1), array_ops.expand_dims(d, -2))
            s = prod.shape.as_list()
            out = array_ops.reshape(prod, s[:-2] + [s[-2] * s[-1]])
        return out

    def _linop_inverse(self):
        return LinearOperatorKronecker([o.inverse() for o in self._operators], is_non_singular=self.is_non_singular,
                                       is_self_adjoint=self.is_self_adjoint,
                                       is_positive_definite=self.is_positive_definite, is_square=True)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self.inverse().matmul(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)


@tf_export("linalg.LinearOperatorLowRankUpdate")
class LinearOperatorLowRankUpdate(LinearOperator):
    """A + U D V^H for a base operator A (tf.linalg.LinearOperatorLowRankUpdate); solves use the Woodbury
    identity."""

    def __init__(self, base_operator, u, diag_update=None, v=None, is_diag_update_positive=None,
                 is_non_singular=None, is_self_adjoint=None, is_positive_definite=None, is_square=None,
                 name="LinearOperatorLowRankUpdate"):
        self._base = base_operator
        self._u = _as_tensor(u, base_operator.dtype)
        self._v = self._u if v is None else _as_tensor(v, base_operator.dtype)
        self._diag = None if diag_update is None else _as_tensor(diag_update, base_operator.dtype)
        if v is None and base_operator.is_self_adjoint and is_self_adjoint is None:
            is_self_adjoint = True
        super().__init__(base_operator.dtype, is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                         is_positive_definite=is_positive_definite, is_square=is_square, name=name,
                         parameters={"base_operator": base_operator, "u": u, "diag_update": diag_update, "v": v})

    @property
    def base_operator(self):
        return self._base

    @property
    def u(self):
        return self._u

    @property
    def v(self):
        return self._v

    @property
    def diag_update(self):
        return self._diag

    def _shape(self):
        return self._base.shape

    def _ud(self):
        return self._u if self._diag is None else math_ops.multiply(self._u, array_ops.expand_dims(self._diag, -2))

    def _to_dense(self):
        return math_ops.add(self._base.to_dense(), linalg_ops.matmul(self._ud(), self._v, adjoint_b=True))

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = _adj(x) if adjoint_arg else x
        base = self._base.matmul(x, adjoint=adjoint)
        if adjoint:
            vd = self._v if self._diag is None else math_ops.multiply(
                self._v, array_ops.expand_dims(math_ops.conj(self._diag) if self.dtype.is_complex else self._diag, -2))
            return math_ops.add(base, linalg_ops.matmul(vd, linalg_ops.matmul(self._u, x, adjoint_a=True)))
        return math_ops.add(base, linalg_ops.matmul(self._ud(), linalg_ops.matmul(self._v, x, adjoint_a=True)))

    def _capacitance(self):
        # C = D^-1 + V^H A^-1 U
        ainv_u = self._base.solve(self._u)
        vau = linalg_ops.matmul(self._v, ainv_u, adjoint_a=True)
        k = self._u.shape[-1]
        dinv = linalg_ops.eye(k, dtype=self.dtype) if self._diag is None else \
            linalg_ops.diag(math_ops.reciprocal(self._diag))
        return math_ops.add(dinv, vau)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        if adjoint:
            d = None if self._diag is None else (math_ops.conj(self._diag) if self.dtype.is_complex else self._diag)
            flipped = LinearOperatorLowRankUpdate(self._base.adjoint(), self._v, diag_update=d, v=self._u)
            return flipped.solve(rhs, adjoint_arg=adjoint_arg)
        rhs = _adj(rhs) if adjoint_arg else rhs
        ainv_rhs = self._base.solve(rhs)
        ainv_u = self._base.solve(self._u)
        inner = linalg_ops.solve(self._capacitance(), linalg_ops.matmul(self._v, ainv_rhs, adjoint_a=True))
        return math_ops.subtract(ainv_rhs, linalg_ops.matmul(ainv_u, inner))

    def _log_abs_determinant(self):
        # det(A + U D V^H) = det(C) det(D) det(A)
        out = math_ops.add(self._base.log_abs_determinant(), linalg_ops.slogdet(self._capacitance())[1])
        if self._diag is not None:
            out = math_ops.add(out, math_ops.reduce_sum(math_ops.log(math_ops.abs(self._diag)), axis=-1))
        return out

    def _determinant(self):
        out = math_ops.multiply(self._base.determinant(), linalg_ops.det(self._capacitance()))
        if self._diag is not None:
            out = math_ops.multiply(out, math_ops.reduce_prod(self._diag, axis=-1))
        return out


@tf_export("linalg.LinearOperatorToeplitz")
class LinearOperatorToeplitz(LinearOperator):
    """A square Toeplitz matrix from its first column `col` and first row `row`
    (tf.linalg.LinearOperatorToeplitz); `row[..., 0]` is ignored in favour of `col[..., 0]`."""

    def __init__(self, col, row, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name="LinearOperatorToeplitz"):
        self._col = _t(col)
        self._row = _as_tensor(row, self._col.dtype)
        allowed = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128)
        for arg, v in (("col", self._col), ("row", self._row)):
            if v.dtype not in allowed:
                raise TypeError("Argument %s must have dtype in %s. Found: %s" % (arg, [d.name for d in allowed],
                                                                                  v.dtype))
            if v.shape.rank is not None and v.shape.rank < 1:
                raise ValueError("Argument %s must have at least 1 dimension.  Found: %s" % (arg, v))
        if self._row.dtype != self._col.dtype:
            raise TypeError("Expected `row` and `col` to have the same dtype, found %s and %s"
                            % (self._row.dtype.name, self._col.dtype.name))
        if is_square is False:
            raise ValueError("Only square Toeplitz operators currently supported.")
        super().__init__(self._col.dtype, is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                         is_positive_definite=is_positive_definite, is_square=True, name=name,
                         parameters={"col": col, "row": row})

    @property
    def col(self):
        return self._col

    @property
    def row(self):
        return self._row

    def _shape(self):
        c, r = self._col.shape.as_list(), self._row.shape.as_list()
        n = c[-1] if c[-1] is not None else r[-1]
        return list(np.broadcast_shapes(tuple(c[:-1]), tuple(r[:-1]))) + [n, n]

    def _broadcast(self, v):
        batch = self.batch_shape.as_list()
        if v.shape.as_list()[:-1] == batch:
            return v
        return array_ops.broadcast_to(v, batch + [v.shape[-1]])

    def _to_dense(self):
        # values t_{i-j}: index n - 1 + i - j into [row[n-1], ..., row[1], col[0], ..., col[n-1]]
        n = self.domain_dimension
        col, row = self._broadcast(self._col), self._broadcast(self._row)
        seq = array_ops.concat([array_ops.reverse(row[..., 1:], [-1]), col], axis=-1)
        i = np.arange(n)
        idx = (n - 1 + i[:, None] - i[None, :]).astype(np.int32)
        return array_ops.gather(seq, idx, axis=-1, batch_dims=0)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        # Embeds T in a circulant matrix of size 2N (as TF does) and multiplies through FFTs.
        x = _adj(x) if adjoint_arg else x
        n = self.domain_dimension
        col, row = self._broadcast(self._col), self._broadcast(self._row)
        if adjoint:  # T^H is Toeplitz with first column conj(row) and first row conj(col), same diagonal
            col, row = _conj(array_ops.concat([col[..., :1], row[..., 1:]], axis=-1)), _conj(col)
        # circulant first column: [col[0], ..., col[n-1], 0, row[n-1], ..., row[1]]
        zero = array_ops.zeros_like(col[..., :1])
        first = array_ops.concat([col, zero, array_ops.reverse(row[..., 1:], [-1])], axis=-1)
        cdt = dtypes.complex128 if self.dtype in (dtypes.float64, dtypes.complex128) else dtypes.complex64
        spectrum = signal_ops.fft(math_ops.cast(first, cdt))
        xt = linalg_ops.matrix_transpose(math_ops.cast(x, cdt))  # [..., K, N]
        xt = array_ops.pad(xt, [[0, 0]] * (xt.shape.rank - 1) + [[0, n]])
        y = signal_ops.ifft(math_ops.multiply(array_ops.expand_dims(spectrum, -2), signal_ops.fft(xt)))
        y = linalg_ops.matrix_transpose(y[..., :n])
        if not self.dtype.is_complex:
            y = math_ops.real(y)
        return math_ops.cast(y, self.dtype)

    def _log_abs_determinant(self):
        return math_ops.cast(linalg_ops.slogdet(self.to_dense())[1], self.dtype)

    def _diag_part(self):
        diag_entry = self._col[..., :1]
        return math_ops.multiply(diag_entry, array_ops.ones(self.shape[:-1].as_list(), dtype=self.dtype))


def _conj(x):
    return math_ops.conj(x) if x.dtype.is_complex else x


_FFT = {1: ("fft", "ifft"), 2: ("fft2d", "ifft2d"), 3: ("fft3d", "ifft3d")}


def _to_complex(x):
    if x.dtype.is_complex:
        return x
    return math_ops.cast(x, dtypes.complex128 if x.dtype == dtypes.float64 else dtypes.complex64)


class _BaseLinearOperatorCirculant(LinearOperator):
    """A (nested) block circulant operator of `block_depth` levels given by its `spectrum`, the
    `block_depth`-dimensional DFT of its convolution kernel; products and solves go through FFTs."""

    def __init__(self, spectrum, block_depth, input_output_dtype=dtypes.complex64, is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=True, name="LinearOperatorCirculant",
                 parameters=None):
        if block_depth not in (1, 2, 3):
            raise ValueError("Argument `block_depth` must be one of [1, 2, 3]. Received: %s." % block_depth)
        self._block_depth = block_depth
        self._spectrum = _t(spectrum)
        allowed = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128)
        if self._spectrum.dtype not in allowed:
            raise TypeError("Argument spectrum must have dtype in %s. Found: %s"
                            % ([d.name for d in allowed], self._spectrum.dtype))
        if self._spectrum.shape.rank is not None and self._spectrum.shape.rank < block_depth:
            raise ValueError("Argument `spectrum` must have at least %d dimensions. Received: %s."
                             % (block_depth, _fmt(self._spectrum)))
        if not self._spectrum.dtype.is_complex:
            if is_self_adjoint is False:
                raise ValueError("A real spectrum always corresponds to a self-adjoint operator. Expected argument "
                                 "`is_self_adjoint` to be True when `spectrum.dtype.is_complex` = True. "
                                 "Received: %s." % is_self_adjoint)
            is_self_adjoint = True
        if is_square is False:
            raise ValueError("A [[nested] block] circulant operator is always square. Expected argument "
                             "`is_square` to be True. Received: %s." % is_square)
        super().__init__(dtypes.as_dtype(input_output_dtype), is_non_singular=is_non_singular,
                         is_self_adjoint=is_self_adjoint, is_positive_definite=is_positive_definite, is_square=True,
                         name=name, parameters=parameters or {"spectrum": spectrum,
                                                              "input_output_dtype": input_output_dtype})

    @property
    def spectrum(self):
        return self._spectrum

    @property
    def block_depth(self) -> int:
        """The number of nested circulant levels (1, 2 or 3)."""
        return self._block_depth

    @property
    def block_shape(self) -> TensorShape:
        """The trailing `block_depth` dimensions of the spectrum."""
        return self._spectrum.shape[-self._block_depth:]

    def block_shape_tensor(self):
        return array_ops.shape(self._spectrum)[-self._block_depth:]

    def _shape(self):
        s = self._spectrum.shape
        if s.rank is None:
            return s
        block = s[-self._block_depth:].as_list()
        n = None if None in block else int(np.prod(block))
        return s[:-self._block_depth].concatenate([n, n])

    def _axes(self):
        return [-(i + 1) for i in range(self._block_depth)]

    def _fft(self, x, inverse=False):
        return getattr(signal_ops, _FFT[self._block_depth][int(inverse)])(x)

    def _apply(self, x, adjoint, solve):
        spectrum = _to_complex(self._spectrum)
        if adjoint:
            spectrum = math_ops.conj(spectrum)
        block = self.block_shape.as_list()
        xt = linalg_ops.matrix_transpose(math_ops.cast(x, spectrum.dtype))  # [..., R, N]
        lead = xt.shape.as_list()[:-1]
        fx = self._fft(array_ops.reshape(xt, lead + block))
        sp = array_ops.expand_dims(spectrum, -self._block_depth - 1)
        y = self._fft(math_ops.divide(fx, sp) if solve else math_ops.multiply(sp, fx), inverse=True)
        ys = y.shape.as_list()
        y = array_ops.reshape(y, ys[:-self._block_depth] + [int(np.prod(block))])
        return math_ops.cast(linalg_ops.matrix_transpose(y), self.dtype)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = _adj(x) if adjoint_arg else x
        return self._apply(x, adjoint, False)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = _adj(rhs) if adjoint_arg else rhs
        return self._apply(rhs, adjoint, True)

    def _to_dense(self):
        n = self.domain_dimension
        ident = linalg_ops.eye(n, batch_shape=self.batch_shape.as_list(), dtype=self.dtype)
        return self._matmul(ident)

    def convolution_kernel(self, name="convolution_kernel"):
        """The convolution kernel: the inverse DFT of the spectrum, cast to the operator's dtype."""
        return math_ops.cast(self._fft(_to_complex(self._spectrum), inverse=True), self.dtype)

    def _determinant(self):
        return math_ops.cast(math_ops.reduce_prod(self._spectrum, axis=self._axes()), self.dtype)

    def _log_abs_determinant(self):
        return math_ops.cast(math_ops.reduce_sum(math_ops.log(math_ops.abs(self._spectrum)), axis=self._axes()),
                             self.dtype)

    def trace(self, name="trace"):
        s = self._spectrum
        re = math_ops.reduce_sum(math_ops.real(s) if s.dtype.is_complex else s, axis=self._axes())
        if not self.dtype.is_complex:
            return math_ops.cast(re, self.dtype)
        if self.is_self_adjoint or not s.dtype.is_complex:
            im = array_ops.zeros_like(re)
        else:
            im = math_ops.reduce_sum(math_ops.imag(s), axis=self._axes())
        return math_ops.cast(math_ops.complex(re, im), self.dtype)

    def _diag_part(self):
        n = self.domain_dimension
        value = math_ops.divide(self.trace(), math_ops.cast(n, self.dtype))
        return math_ops.multiply(array_ops.expand_dims(value, -1),
                                 array_ops.ones(self.shape[:-1].as_list(), dtype=self.dtype))

    def _eigvals(self):
        s = self._spectrum.shape.as_list()
        return array_ops.reshape(self._spectrum, s[:-self._block_depth] + [self.domain_dimension])

    def cond(self, name="cond"):
        a = math_ops.abs(self._eigvals())
        return math_ops.divide(math_ops.reduce_max(a, axis=-1), math_ops.reduce_min(a, axis=-1))

    def _same_kind(self, spectrum):
        kw = dict(input_output_dtype=self.dtype, is_non_singular=self.is_non_singular,
                  is_self_adjoint=self.is_self_adjoint, is_positive_definite=self.is_positive_definite)
        if type(self) is _BaseLinearOperatorCirculant:
            return _BaseLinearOperatorCirculant(spectrum, self._block_depth, **kw)
        return type(self)(spectrum, **kw)

    def _linop_adjoint(self):
        s = self._spectrum
        return self._same_kind(math_ops.conj(s) if s.dtype.is_complex else s)

    def _linop_inverse(self):
        return self._same_kind(math_ops.reciprocal(self._spectrum))


@tf_export("linalg.LinearOperatorCirculant")
class LinearOperatorCirculant(_BaseLinearOperatorCirculant):
    """A circulant matrix given by its `spectrum`, the DFT of its first column
    (tf.linalg.LinearOperatorCirculant); products and solves go through FFTs.

    Example:

    >>> op = tf.linalg.LinearOperatorCirculant(tf.constant([6., 2., 2.]), input_output_dtype=tf.float32)
    >>> op.to_dense().shape
    TensorShape([3, 3])
    """

    def __init__(self, spectrum, input_output_dtype=dtypes.complex64, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, name="LinearOperatorCirculant"):
        super().__init__(spectrum, 1, input_output_dtype=input_output_dtype, is_non_singular=is_non_singular,
                         is_self_adjoint=is_self_adjoint, is_positive_definite=is_positive_definite,
                         is_square=is_square, name=name)


@tf_export("linalg.LinearOperatorCirculant2D")
class LinearOperatorCirculant2D(_BaseLinearOperatorCirculant):
    """A block circulant operator with circulant blocks, given by the 2-D DFT `spectrum` [..., N0, N1]
    of its kernel (tf.linalg.LinearOperatorCirculant2D); its shape is [..., N0 * N1, N0 * N1]."""

    def __init__(self, spectrum, input_output_dtype=dtypes.complex64, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, name="LinearOperatorCirculant2D"):
        super().__init__(spectrum, 2, input_output_dtype=input_output_dtype, is_non_singular=is_non_singular,
                         is_self_adjoint=is_self_adjoint, is_positive_definite=is_positive_definite,
                         is_square=is_square, name=name)


@tf_export("linalg.LinearOperatorCirculant3D")
class LinearOperatorCirculant3D(_BaseLinearOperatorCirculant):
    """A doubly nested block circulant operator, given by the 3-D DFT `spectrum` [..., N0, N1, N2] of its
    kernel (tf.linalg.LinearOperatorCirculant3D); its shape is [..., N0 * N1 * N2, N0 * N1 * N2]."""

    def __init__(self, spectrum, input_output_dtype=dtypes.complex64, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, name="LinearOperatorCirculant3D"):
        super().__init__(spectrum, 3, input_output_dtype=input_output_dtype, is_non_singular=is_non_singular,
                         is_self_adjoint=is_self_adjoint, is_positive_definite=is_positive_definite,
                         is_square=is_square, name=name)


_FLOAT_COMPLEX = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128)
_TRIDIAG_FORMATS = ("compact", "matrix", "sequence")


def _roll_last(x, shift):
    return array_ops.roll(x, shift=shift, axis=-1)


@tf_export("linalg.LinearOperatorTridiag")
class LinearOperatorTridiag(LinearOperator):
    """A [batch] square tridiagonal matrix (tf.linalg.LinearOperatorTridiag).

    `diagonals` is, by `diagonals_format`: 'compact', a [..., 3, N] tensor (superdiagonal,
    diagonal, subdiagonal; the superdiagonal's last and the subdiagonal's first entry are
    padding); 'sequence', a list of those three [..., N] tensors; 'matrix', the [..., N, N]
    matrix itself. Products use tf.linalg.tridiagonal_matmul and solves tf.linalg.tridiagonal_solve.

    Example:

    >>> op = tf.linalg.LinearOperatorTridiag([[3., 4., 5.], [1., -1., 2.], [6., 7., 8.]],
    ...                                      diagonals_format='sequence')
    >>> op.to_dense().numpy()
    array([[ 1.,  3.,  0.],
           [ 7., -1.,  4.],
           [ 0.,  8.,  2.]], dtype=float32)
    """

    def __init__(self, diagonals, diagonals_format="compact", is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorTridiag"):
        if diagonals_format not in _TRIDIAG_FORMATS:
            raise ValueError("Argument `diagonals_format` must be one of compact, matrix, or sequence. Received : %s."
                             % diagonals_format)
        if diagonals_format == "sequence":
            self._diagonals = [_t(d) for d in diagonals]
            dtype = self._diagonals[0].dtype
        else:
            self._diagonals = _t(diagonals)
            dtype = self._diagonals.dtype
        self._diagonals_format = diagonals_format
        super().__init__(dtype, is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                         is_positive_definite=is_positive_definite, is_square=is_square, name=name,
                         parameters={"diagonals": diagonals, "diagonals_format": diagonals_format})

    @property
    def diagonals(self):
        return self._diagonals

    @property
    def diagonals_format(self) -> str:
        return self._diagonals_format

    def _shape(self):
        if self._diagonals_format == "matrix":
            return self._diagonals.shape
        if self._diagonals_format == "compact":
            s = self._diagonals.shape
            if s.rank is None:
                return s
            d = s[:-2].concatenate(s[-1:])
        else:
            sup, main, sub = (d.shape.as_list() for d in self._diagonals)
            batch = np.broadcast_shapes(tuple(x if x is not None else 1 for x in sup[:-1]),
                                        tuple(x if x is not None else 1 for x in main[:-1]),
                                        tuple(x if x is not None else 1 for x in sub[:-1]))
            d = TensorShape(list(batch) + [main[-1]])
        return d.concatenate(d[-1:])

    def _compact(self, diagonals=None):
        """The [..., 3, N] compact form of the diagonals."""
        d = self._diagonals if diagonals is None else diagonals
        if self._diagonals_format == "compact":
            return d
        if self._diagonals_format == "matrix":
            return linalg_ops.diag_part(d, k=(-1, 1), padding_value=0, align="LEFT_RIGHT")
        batch = self.batch_shape.as_list()
        n = self.domain_dimension
        return array_ops.stack([array_ops.broadcast_to(x, batch + [n]) for x in d], axis=-2)

    def _adjoint_diagonals(self):
        d = self._diagonals
        if self._diagonals_format == "matrix":
            return _adj(d)
        if self._diagonals_format == "sequence":
            sup, main, sub = (_conj(x) for x in d)
            return [_roll_last(sub, -1), main, _roll_last(sup, 1)]
        c = _conj(d)
        sup, main, sub = c[..., 0, :], c[..., 1, :], c[..., 2, :]
        return array_ops.stack([_roll_last(sub, -1), main, _roll_last(sup, 1)], axis=-2)

    def _to_dense(self):
        if self._diagonals_format == "matrix":
            return self._diagonals
        return linalg_ops.diag(self._compact(), k=(-1, 1), align="LEFT_RIGHT")

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        d = self._adjoint_diagonals() if adjoint else self._diagonals
        x = _adj(x) if adjoint_arg else x
        return linalg_ops.tridiagonal_matmul(d, x, diagonals_format=self._diagonals_format)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        d = self._adjoint_diagonals() if adjoint else self._diagonals
        n = self.domain_dimension
        rs = rhs.shape.as_list()
        batch = list(np.broadcast_shapes(tuple(self.batch_shape.as_list()), tuple(rs[:-2])))
        if rs[:-2] != batch:
            rhs = array_ops.broadcast_to(rhs, batch + rs[-2:])
        if self._diagonals_format == "matrix":
            d = array_ops.broadcast_to(d, batch + [n, n])
        elif self._diagonals_format == "compact":
            d = array_ops.broadcast_to(d, batch + [3, n])
        else:
            d = [array_ops.broadcast_to(x, batch + [n]) for x in d]
        return linalg_ops.tridiagonal_solve(d, rhs, diagonals_format=self._diagonals_format,
                                            transpose_rhs=adjoint_arg, conjugate_rhs=adjoint_arg)

    def _diag_part(self):
        if self._diagonals_format == "matrix":
            return linalg_ops.diag_part(self._diagonals)
        if self._diagonals_format == "sequence":
            return array_ops.broadcast_to(self._diagonals[1], self.shape[:-1].as_list())
        return self._diagonals[..., 1, :]


@tf_export("linalg.LinearOperatorHouseholder")
class LinearOperatorHouseholder(LinearOperator):
    """The Householder reflection I - 2 v v^H / (v^H v) about the hyperplane orthogonal to
    `reflection_axis` v [..., N] (tf.linalg.LinearOperatorHouseholder): self-adjoint, its own
    inverse, determinant -1."""

    def __init__(self, reflection_axis, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name="LinearOperatorHouseholder"):
        self._reflection_axis = _t(reflection_axis)
        if self._reflection_axis.shape.rank is not None and self._reflection_axis.shape.rank < 1:
            raise ValueError("Argument reflection_axis must have at least 1 dimension.  Found: %s"
                             % self._reflection_axis)
        if is_self_adjoint is False:
            raise ValueError("A Householder operator is always self adjoint.")
        if is_positive_definite is True:
            raise ValueError("A Householder operator is always non-positive definite.")
        if is_square is False:
            raise ValueError("A Householder operator is always square.")
        super().__init__(self._reflection_axis.dtype, is_non_singular=is_non_singular, is_self_adjoint=True,
                         is_positive_definite=False, is_square=True, name=name,
                         parameters={"reflection_axis": reflection_axis})

    @property
    def reflection_axis(self):
        return self._reflection_axis

    def _shape(self):
        s = self._reflection_axis.shape
        return s.concatenate(s[-1:]) if s.rank is not None else s

    def _unit(self):
        return linalg_ops.l2_normalize(self._reflection_axis, axis=-1)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = _adj(x) if adjoint_arg else x
        v = array_ops.expand_dims(self._unit(), -1)
        vx = linalg_ops.matmul(v, x, adjoint_a=True)
        return math_ops.subtract(x, math_ops.multiply(math_ops.multiply(v, vx), math_ops.cast(2, self.dtype)))

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint, adjoint_arg)

    def _to_dense(self):
        v = array_ops.expand_dims(self._unit(), -1)
        m = math_ops.multiply(linalg_ops.matmul(v, v, adjoint_b=True), math_ops.cast(-2, self.dtype))
        return linalg_ops.set_diag(m, math_ops.add(linalg_ops.diag_part(m), math_ops.cast(1, self.dtype)))

    def _diag_part(self):
        v = self._unit()
        return math_ops.subtract(math_ops.cast(1, self.dtype),
                                 math_ops.multiply(math_ops.multiply(v, _conj(v)), math_ops.cast(2, self.dtype)))

    def trace(self, name="trace"):
        return math_ops.multiply(math_ops.cast(self.domain_dimension - 2, self.dtype),
                                 array_ops.ones(self.batch_shape.as_list(), dtype=self.dtype))

    def _determinant(self):
        return math_ops.negative(array_ops.ones(self.batch_shape.as_list(), dtype=self.dtype))

    def _log_abs_determinant(self):
        return array_ops.zeros(self.batch_shape.as_list(), dtype=self.dtype)

    def _eigvals(self):
        s = self._reflection_axis.shape.as_list()
        return array_ops.concat([math_ops.negative(array_ops.ones(s[:-1] + [1], dtype=self.dtype)),
                                 array_ops.ones(s[:-1] + [s[-1] - 1], dtype=self.dtype)], axis=-1)

    def cond(self, name="cond"):
        return array_ops.ones(self.batch_shape.as_list(), dtype=self.dtype)

    def _linop_adjoint(self):
        return self

    def _linop_inverse(self):
        return self

    def assert_positive_definite(self, name="assert_positive_definite"):
        from ..framework.errors import InvalidArgumentError
        raise InvalidArgumentError(None, None, "Householder operators are always non-positive definite.")


@tf_export("linalg.LinearOperatorPermutation")
class LinearOperatorPermutation(LinearOperator):
    """The permutation matrix P with P[..., i, perm[..., i]] = 1, so that (P x)[i] = x[perm[i]]
    (tf.linalg.LinearOperatorPermutation); products and solves are gathers."""

    def __init__(self, perm, dtype=dtypes.float32, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorPermutation"):
        self._perm = _t(perm)
        if self._perm.shape.rank is not None and self._perm.shape.rank < 1:
            raise ValueError("Argument `perm` must have at least 1 dimension. Received: %s." % _fmt(self._perm))
        if not self._perm.dtype.is_integer:
            raise TypeError("Argument `perm` must be integer dtype. Received: %s." % _fmt(self._perm))
        static = getattr(self._perm, "_value", None)
        if static is not None and not isinstance(static, np.ndarray):
            static = None
        if static is not None:
            n = static.shape[-1]
            if np.any(np.sort(static, axis=-1) != np.arange(n)):
                raise ValueError("Argument `perm` must be a vector of unique integers from 0 to %d." % (n - 1))
        if is_non_singular is False:
            raise ValueError("A Permutation operator is always non-singular. Expected argument `is_non_singular` to "
                             "be True. Received: %s." % is_non_singular)
        if is_square is False:
            raise ValueError("A Permutation operator is always square. Expected argument `is_square` to be True. "
                             "Received: %s." % is_square)
        super().__init__(dtype, is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                         is_positive_definite=is_positive_definite, is_square=True, name=name,
                         parameters={"perm": perm, "dtype": dtype})

    @property
    def perm(self):
        return self._perm

    def _shape(self):
        s = self._perm.shape
        return s.concatenate(s[-1:]) if s.rank is not None else s

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        perm = self._perm
        if adjoint and not self.is_self_adjoint:
            perm = array_ops.argsort(perm, axis=-1, stable=True)
        x = _adj(x) if adjoint_arg else x
        xs, ps = x.shape.as_list(), perm.shape.as_list()
        batch = list(np.broadcast_shapes(tuple(xs[:-2]), tuple(ps[:-1])))
        if xs[:-2] != batch:
            x = array_ops.broadcast_to(x, batch + xs[-2:])
        if ps[:-1] != batch:
            perm = array_ops.broadcast_to(perm, batch + ps[-1:])
        return array_ops.gather(x, perm, axis=len(batch), batch_dims=len(batch))

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _one_hot_eq(self, perm):
        n = self.domain_dimension
        return math_ops.cast(math_ops.equal(array_ops.range(0, n, dtype=self._perm.dtype), perm), self.dtype)

    def _to_dense(self):
        return self._one_hot_eq(array_ops.expand_dims(self._perm, -1))

    def _diag_part(self):
        return self._one_hot_eq(self._perm)

    def _log_abs_determinant(self):
        return array_ops.zeros(self.batch_shape.as_list(), dtype=self.dtype)

    def cond(self, name="cond"):
        return array_ops.ones(self.batch_shape.as_list(), dtype=self.dtype)


def _static_int(value, what):
    """A Python int (or None when unknown) from a shape argument, with TF's checks."""
    t = value if math_ops._is_tensorish(value) else _t(value)
    if not t.dtype.is_integer:
        raise TypeError("Argument %s must be integer type.  Found: %s" % (what, t))
    v = getattr(t, "_value", None)
    if not isinstance(v, (np.ndarray, np.generic)):
        return None
    v = np.asarray(v)
    if v.ndim != 0:
        raise ValueError("Argument %s must be a 0-D Tensor.  Found: %s" % (what, v))
    if v < 0:
        raise ValueError("Argument %s must be non-negative.  Found: %s" % (what, v))
    return int(v)


@tf_export("linalg.LinearOperatorZeros")
class LinearOperatorZeros(LinearOperator):
    """An all-zeros [batch] matrix of shape batch_shape + [num_rows, num_columns]
    (tf.linalg.LinearOperatorZeros); singular, so it has no solve or inverse."""

    def __init__(self, num_rows, num_columns=None, batch_shape=None, dtype=None, is_non_singular=False,
                 is_self_adjoint=True, is_positive_definite=False, is_square=True, assert_proper_shapes=False,
                 name="LinearOperatorZeros"):
        dtype = dtypes.as_dtype(dtype or dtypes.float32)
        if not is_self_adjoint and is_square:
            raise ValueError("A zero operator is always self adjoint.")
        if is_non_singular:
            raise ValueError("A zero operator is always singular.")
        if is_positive_definite:
            raise ValueError("A zero operator is always not positive-definite.")
        self._assert_proper_shapes = assert_proper_shapes
        self._num_rows = _static_int(num_rows, "num_rows")
        self._num_columns = _static_int(num_rows if num_columns is None else num_columns, "num_columns")
        if is_square and self._num_rows is not None and self._num_columns is not None \
                and self._num_rows != self._num_columns:
            raise ValueError("LinearOperatorZeros initialized as is_square=True, but got num_rows({}) != "
                             "num_columns({})".format(self._num_rows, self._num_columns))
        if batch_shape is None:
            self._batch = None
        else:
            b = batch_shape if math_ops._is_tensorish(batch_shape) else _t(batch_shape, dtype=dtypes.int32)
            if not b.dtype.is_integer:
                raise TypeError("Argument batch_shape must be integer type.  Found: %s" % b)
            v = np.asarray(b._value)
            if v.ndim != 1:
                raise ValueError("Argument batch_shape must be a 1-D Tensor.  Found: %s" % v)
            if np.any(v < 0):
                raise ValueError("Argument batch_shape must be non-negative.  Found:%s" % v)
            self._batch = [int(d) for d in v]
        super().__init__(dtype, is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                         is_positive_definite=is_positive_definite, is_square=is_square, name=name,
                         parameters={"num_rows": num_rows, "num_columns": num_columns, "batch_shape": batch_shape,
                                     "dtype": dtype, "assert_proper_shapes": assert_proper_shapes})

    def _shape(self):
        return (self._batch or []) + [self._num_rows, self._num_columns]

    def _batch_broadcast(self, x):
        if self._batch is None:
            return x
        xs = x.shape.as_list()
        out = list(np.broadcast_shapes(tuple(xs[:-2]), tuple(self._batch))) + xs[-2:]
        return x if out == xs else math_ops.add(x, array_ops.zeros(self._batch + [1, 1], dtype=x.dtype))

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        xs = x.shape.as_list()
        if adjoint_arg:
            xs = xs[:-2] + [xs[-1], xs[-2]]
        n = self._num_columns if adjoint else self._num_rows
        return self._batch_broadcast(array_ops.zeros(xs[:-2] + [n, xs[-1]], dtype=x.dtype))

    def matmul(self, x, adjoint=False, adjoint_arg=False, name="matmul"):
        if isinstance(x, LinearOperator):
            if not self.is_square or not x.is_square:
                raise ValueError("Matmul with non-square `LinearOperator`s or non-square `LinearOperatorZeros` not "
                                 "supported at this time.")
            return self
        return super().matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg, name=name)

    def _zeros(self, shape):
        return array_ops.zeros(shape, dtype=self.dtype)

    def _determinant(self):
        return self._zeros(self._batch or [])

    def trace(self, name="trace"):
        return self._zeros(self._batch or [])

    def _diag_part(self):
        return self._zeros((self._batch or []) + [min(self._num_rows, self._num_columns)])

    def _eigvals(self):
        return self._diag_part()

    def add_to_tensor(self, x, name="add_to_tensor"):
        return self._batch_broadcast(_as_tensor(x, self.dtype))

    def assert_non_singular(self, name="assert_non_singular"):
        from ..framework.errors import InvalidArgumentError
        raise InvalidArgumentError(None, None, "Zero operators are always non-invertible.")

    def assert_positive_definite(self, name="assert_positive_definite"):
        from ..framework.errors import InvalidArgumentError
        raise InvalidArgumentError(None, None, "Zero operators are always non-positive definite.")


def _is_blockwise(dims, arg, axis):
    """Whether `arg` is a list of blocks (one per diagonal block) rather than one tensor (TF's rule)."""
    if not isinstance(arg, (tuple, list)) or len(arg) != len(dims):
        return False
    if not any(isinstance(x, (list, tuple)) for x in arg):
        return True
    arg_dims = [_t(x).shape[axis] for x in arg]
    if all(d == a or d is None for d, a in zip(dims, arg_dims)):
        return True
    if all(a == arg_dims[0] for a in arg_dims) and arg_dims[0] >= sum(d for d in dims if d is not None):
        return False
    raise ValueError("Input dimension does not match operator dimension.")


def _broadcast_batch(mats):
    """Tensors [..., M, N] broadcast to one batch shape."""
    batch = ()
    for m in mats:
        batch = np.broadcast_shapes(batch, tuple(m.shape.as_list()[:-2]))
    batch = list(batch)
    return [m if m.shape.as_list()[:-2] == batch else array_ops.broadcast_to(m, batch + m.shape.as_list()[-2:])
            for m in mats]


@tf_export("linalg.LinearOperatorBlockLowerTriangular")
class LinearOperatorBlockLowerTriangular(LinearOperator):
    """A block lower triangular operator (tf.linalg.LinearOperatorBlockLowerTriangular).

    `operators[i]` is row i of blocks: i + 1 operators, the last of which is the square
    diagonal block. matmul/solve accept one tensor or a list of per-block tensors (and then
    return a list); solves are block forward (or, with adjoint, backward) substitution.
    """

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name="LinearOperatorBlockLowerTriangular"):
        operators = [list(row) for row in operators]
        if not operators:
            raise ValueError("Argument `operators` must be a list of >=1 operators. Received: %s." % operators)
        self._operators = operators
        self._diagonal_operators = [row[-1] for row in operators]
        dtype = operators[0][0].dtype
        for i, row in enumerate(operators):
            for o in row:
                if o.dtype != dtype:
                    raise TypeError("Expected all operators to have the same dtype.  Found {} in row {} and {} in "
                                    "row 0.".format(str([(p.name, p.dtype) for p in row]), i, str(dtype)))
        diag = self._diagonal_operators
        if all(o.is_non_singular for o in diag):
            if is_non_singular is False:
                raise ValueError("A blockwise lower-triangular operator with non-singular operators on the main "
                                 "diagonal is always non-singular. Expected argument `is_non_singular` to be True. "
                                 "Received: %s." % is_non_singular)
            is_non_singular = True
        elif any(o.is_non_singular is False for o in diag):
            if is_non_singular is True:
                raise ValueError("A blockwise lower-triangular operator with a singular operator on the main "
                                 "diagonal is always singular. Expected argument `is_non_singular` to be True. "
                                 "Received: %s." % is_non_singular)
            is_non_singular = False
        for i, row in enumerate(operators):
            if len(row) != i + 1:
                raise ValueError("Argument `operators[%d]` must contain `%d` blocks. Received: %d blocks."
                                 % (i, i + 1, len(row)))
        for i in range(1, len(operators)):
            for j in range(i):
                o, above, right = operators[i][j], operators[i - 1][j], operators[i][j + 1]
                if o.domain_dimension is not None and above.domain_dimension is not None \
                        and o.domain_dimension != above.domain_dimension:
                    raise ValueError("Argument `operators[%d][%d].domain_dimension` (%s) must be the same as "
                                     "`operators[%d][%d].domain_dimension` (%s)."
                                     % (i, j, o.domain_dimension, i - 1, j, above.domain_dimension))
                if o.range_dimension is not None and right.range_dimension is not None \
                        and o.range_dimension != right.range_dimension:
                    raise ValueError("Argument `operators[%d][%d].range_dimension` (%s) must be the same as "
                                     "`operators[%d][%d].range_dimension` (%s)."
                                     % (i, j, o.range_dimension, i, j + 1, right.range_dimension))
        if is_square is False:
            raise ValueError("`LinearOperatorBlockLowerTriangular` must be square. Expected argument `is_square` to "
                             "be True. Received: %s." % is_square)
        for i, o in enumerate(diag):
            if o.is_square is False:
                raise ValueError("Matrices on the diagonal (the final elements of each row-partition in the "
                                 "`operators` list) must be square. Expected argument `operators[%d][-1].is_square` "
                                 "to be True. Received: %s." % (i, o.is_square))
        super().__init__(dtype, is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                         is_positive_definite=is_positive_definite, is_square=True, name=name,
                         parameters={"operators": operators})

    @property
    def operators(self):
        return self._operators

    def _dims(self):
        return [o.domain_dimension for o in self._diagonal_operators]

    def _shape(self):
        return _batch([o for row in self._operators for o in row]) + [sum(self._dims()), sum(self._dims())]

    def _blocks(self, x, adjoint_arg, what):
        """`x` as a list of per-block tensors (already adjointed when `adjoint_arg`), and whether it was a list."""
        axis = -1 if adjoint_arg else -2
        if _is_blockwise(self._dims(), x, axis):
            blocks = [b if isinstance(b, LinearOperator) else _as_tensor(b, self.dtype) for b in x]
            for d, b in zip(self._dims(), blocks):
                self._check_dim(d, b.shape[axis], what)
            return [_adj(b) if adjoint_arg else b for b in blocks], True
        x = _as_tensor(x, self.dtype)
        self._check_dim(self.domain_dimension, x.shape[axis], what)
        x = _adj(x) if adjoint_arg else x
        return array_ops.split(x, self._dims(), axis=-2), False

    def _check_dim(self, want, got, what):
        if want is not None and got is not None and want != got:
            raise ValueError("Dimensions %d and %d are not compatible" % (want, got))

    def _finish(self, parts, blockwise):
        return parts if blockwise else array_ops.concat(_broadcast_batch(parts), axis=-2)

    def matmul(self, x, adjoint=False, adjoint_arg=False, name="matmul"):
        if isinstance(x, LinearOperator):
            left = self.adjoint() if adjoint else self
            right = x.adjoint() if adjoint_arg else x
            if right.range_dimension is not None and left.domain_dimension is not None \
                    and right.range_dimension != left.domain_dimension:
                raise ValueError("Operators are incompatible. Expected `x` to have dimension {} but got {}."
                                 .format(left.domain_dimension, right.range_dimension))
            return LinearOperatorComposition([left, right])
        blocks, blockwise = self._blocks(x, adjoint_arg, "x")
        ops_, k = self._operators, len(self._operators)
        out = []
        for i in range(k):
            if adjoint:  # column i of the blocks, adjointed
                terms = [ops_[j][i].matmul(blocks[j], adjoint=True) for j in range(i, k)]
            else:
                terms = [ops_[i][j].matmul(blocks[j]) for j in range(i + 1)]
            out.append(terms[0] if len(terms) == 1 else math_ops.add_n(_broadcast_batch(terms)))
        return self._finish(out, blockwise)

    def matvec(self, x, adjoint=False, name="matvec"):
        if _is_blockwise(self._dims(), x, -1):
            y = self.matmul([array_ops.expand_dims(_as_tensor(b, self.dtype), -1) for b in x], adjoint=adjoint)
            return [array_ops.squeeze(b, -1) for b in y]
        return super().matvec(x, adjoint=adjoint)

    def solve(self, rhs, adjoint=False, adjoint_arg=False, name="solve"):
        if self.is_non_singular is False:
            raise NotImplementedError("Exact solve not implemented for an operator that is expected to be singular.")
        if isinstance(rhs, LinearOperator):
            return super().solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)
        blocks, blockwise = self._blocks(rhs, adjoint_arg, "rhs")
        ops_, diag, k = self._operators, self._diagonal_operators, len(self._operators)
        sol = [None] * k
        order = range(k - 1, -1, -1) if adjoint else range(k)
        for i in order:
            y = blocks[i]
            others = range(i + 1, k) if adjoint else range(i)
            for j in others:
                term = ops_[j][i].matmul(sol[j], adjoint=True) if adjoint else ops_[i][j].matmul(sol[j])
                y = math_ops.subtract(y, term)
            sol[i] = diag[i].solve(y, adjoint=adjoint)
        return self._finish(sol, blockwise)

    def solvevec(self, rhs, adjoint=False, name="solve"):
        if _is_blockwise(self._dims(), rhs, -1):
            y = self.solve([array_ops.expand_dims(_as_tensor(b, self.dtype), -1) for b in rhs], adjoint=adjoint)
            return [array_ops.squeeze(b, -1) for b in y]
        return super().solvevec(rhs, adjoint=adjoint)

    def _to_dense(self):
        n = self.domain_dimension
        mats = _broadcast_batch([o.to_dense() for row in self._operators for o in row])
        rows, start, cols = [], 0, 0
        for i in range(len(self._operators)):
            blocks = mats[start:start + i + 1]
            start += i + 1
            cols += self._dims()[i]
            if n - cols:
                bs = blocks[0].shape.as_list()
                blocks = blocks + [array_ops.zeros(bs[:-1] + [n - cols], dtype=self.dtype)]
            rows.append(array_ops.concat(blocks, axis=-1) if len(blocks) > 1 else blocks[0])
        return array_ops.concat(rows, axis=-2)

    def _stack_diag(self, parts):
        return array_ops.concat([p[..., 0] for p in _broadcast_batch([array_ops.expand_dims(p, -1)
                                                                     for p in parts])], axis=-1)

    def _diag_part(self):
        return self._stack_diag([o.diag_part() for o in self._diagonal_operators])

    def _eigvals(self):
        return self._stack_diag([o.eigvals() for o in self._diagonal_operators])

    def trace(self, name="trace"):
        out = self._diagonal_operators[0].trace()
        for o in self._diagonal_operators[1:]:
            out = math_ops.add(out, o.trace())
        return out

    def _determinant(self):
        if all(o.is_positive_definite for o in self._diagonal_operators):
            return math_ops.exp(self._log_abs_determinant())
        out = self._diagonal_operators[0].determinant()
        for o in self._diagonal_operators[1:]:
            out = math_ops.multiply(out, o.determinant())
        return out

    def _log_abs_determinant(self):
        out = self._diagonal_operators[0].log_abs_determinant()
        for o in self._diagonal_operators[1:]:
            out = math_ops.add(out, o.log_abs_determinant())
        return out
