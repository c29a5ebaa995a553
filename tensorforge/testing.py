"""tf.test: a unittest TestCase with TF's array assertions, the GPU queries and tf.test.main.

`tf.test.TestCase` adds what TF tests use most: assertAllClose / assertAllEqual (nested
structures of tensors, arrays and numbers), the element-wise comparisons, assertShapeEqual,
assertDTypeEqual, assertRaisesOpError and `evaluate` (tensors to NumPy). Sessions are a TF1
notion: `session()` / `cached_session()` are no-op context managers.
"""
from __future__ import annotations

import contextlib
import re
import unittest

import numpy as np

from ._api import tf_export
from .framework import nest
from .framework.errors import OpError


def _np(x):
    if hasattr(x, "numpy"):
        return x.numpy()
    if hasattr(x, "_value"):
        return np.asarray(x._value)
    return np.asarray(x)


def _pairs(a, b):
    """Leaf pairs of two nested structures (dicts by key, sequences in order, tensors as leaves)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            raise AssertionError("dict keys differ: %s vs %s" % (sorted(a), sorted(b)))
        return [p for k in sorted(a) for p in _pairs(a[k], b[k])]
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and not (
            _is_numeric_list(a) and _is_numeric_list(b)):
        if len(a) != len(b):
            raise AssertionError("Length of a (%d) differs from length of b (%d)" % (len(a), len(b)))
        return [p for x, y in zip(a, b) for p in _pairs(x, y)]
    return [(a, b)]


def _is_numeric_list(v) -> bool:
    return all(not isinstance(x, (list, tuple, dict)) and not hasattr(x, "numpy") for x in nest.flatten(v)) and \
        all(isinstance(x, (int, float, complex, bool, np.generic, bytes, str)) for x in nest.flatten(v))


@tf_export("test.TestCase")
class TestCase(unittest.TestCase):
    """unittest.TestCase with TF's assertion helpers (tf.test.TestCase)."""

    def evaluate(self, tensors):
        """The NumPy values of a (nested) structure of tensors."""
        return nest.map_structure(lambda t: _np(t) if hasattr(t, "numpy") or hasattr(t, "_value") else t, tensors)

    @contextlib.contextmanager
    def session(self, graph=None, config=None, use_gpu=True, force_gpu=False):
        yield None

    cached_session = session

    def assertAllClose(self, a, b, rtol=1e-6, atol=1e-6, msg=None):  # noqa: N802 - TF's names
        for x, y in _pairs(a, b):
            xa, ya = _np(x), _np(y)
            self.assertEqual(xa.shape, ya.shape, "Shape mismatch: expected %s, got %s. %s" % (ya.shape, xa.shape,
                                                                                              msg or ""))
            np.testing.assert_allclose(xa, ya, rtol=rtol, atol=atol, err_msg=msg or "", equal_nan=True)

    def assertAllCloseAccordingToType(self, a, b, rtol=1e-6, atol=1e-6, float_rtol=1e-6, float_atol=1e-6,  # noqa: N802
                                      half_rtol=1e-3, half_atol=1e-3, bfloat16_rtol=1e-2, bfloat16_atol=1e-2,
                                      msg=None):
        kind = str(_np(a).dtype)
        if kind in ("float16",):
            rtol, atol = max(rtol, half_rtol), max(atol, half_atol)
        elif kind == "bfloat16":
            rtol, atol = max(rtol, bfloat16_rtol), max(atol, bfloat16_atol)
        elif kind in ("float32", "complex64"):
            rtol, atol = max(rtol, float_rtol), max(atol, float_atol)
        self.assertAllClose(a, b, rtol=rtol, atol=atol, msg=msg)

    def assertNotAllClose(self, a, b, rtol=1e-6, atol=1e-6, msg=None):  # noqa: N802
        try:
            self.assertAllClose(a, b, rtol=rtol, atol=atol)
        except AssertionError:
            return
        raise AssertionError("The two values are close at all elements. %s" % (msg or ""))

    def assertAllEqual(self, a, b, msg=None):  # noqa: N802
        for x, y in _pairs(a, b):
            xa, ya = _np(x), _np(y)
            self.assertEqual(xa.shape, ya.shape, "Shape mismatch: expected %s, got %s. %s" % (ya.shape, xa.shape,
                                                                                              msg or ""))
            np.testing.assert_array_equal(xa, ya, err_msg=msg or "")

    def assertNotAllEqual(self, a, b, msg=None):  # noqa: N802
        try:
            self.assertAllEqual(a, b)
        except AssertionError:
            return
        raise AssertionError("The two values are equal at all elements. %s" % (msg or ""))

    def _all(self, a, test, what):
        arr = _np(a)
        if not np.all(test(arr)):
            raise AssertionError("Not all elements of %s are %s" % (arr, what))

    def assertAllGreater(self, a, comparison_target):  # noqa: N802
        self._all(a, lambda x: x > comparison_target, "> %r" % (comparison_target,))

    def assertAllGreaterEqual(self, a, comparison_target):  # noqa: N802
        self._all(a, lambda x: x >= comparison_target, ">= %r" % (comparison_target,))

    def assertAllLess(self, a, comparison_target):  # noqa: N802
        self._all(a, lambda x: x < comparison_target, "< %r" % (comparison_target,))

    def assertAllLessEqual(self, a, comparison_target):  # noqa: N802
        self._all(a, lambda x: x <= comparison_target, "<= %r" % (comparison_target,))

    def assertAllInRange(self, target, lower_bound, upper_bound, open_lower_bound=False,  # noqa: N802
                         open_upper_bound=False):
        lo = (lambda x: x > lower_bound) if open_lower_bound else (lambda x: x >= lower_bound)
        hi = (lambda x: x < upper_bound) if open_upper_bound else (lambda x: x <= upper_bound)
        self._all(target, lambda x: lo(x) & hi(x), "in range [%r, %r]" % (lower_bound, upper_bound))

    def assertAllInSet(self, target, expected_set):  # noqa: N802
        self._all(target, lambda x: np.isin(x, list(expected_set)), "in %r" % (expected_set,))

    def assertNear(self, f1, f2, err, msg=None):  # noqa: N802
        if not abs(float(f1) - float(f2)) <= err:
            raise AssertionError("%f != %f +/- %f%s" % (f1, f2, err, " (%s)" % msg if msg else ""))

    def assertArrayNear(self, farray1, farray2, err, msg=None):  # noqa: N802
        self.assertEqual(len(farray1), len(farray2), msg)
        for f1, f2 in zip(farray1, farray2):
            self.assertNear(float(f1), float(f2), err, msg)

    def assertNDArrayNear(self, ndarray1, ndarray2, err, msg=None):  # noqa: N802
        self.assertTrue(np.allclose(_np(ndarray1), _np(ndarray2), atol=err), msg)

    def assertShapeEqual(self, input_a, input_b, msg=None):  # noqa: N802
        shape_b = input_b.shape.as_list() if hasattr(input_b.shape, "as_list") else list(input_b.shape)
        self.assertEqual(list(np.shape(_np(input_a))), shape_b, msg)

    def assertDTypeEqual(self, target, expected_dtype):  # noqa: N802
        dt = getattr(expected_dtype, "as_numpy_dtype", expected_dtype)
        for t in nest.flatten(target):
            self.assertEqual(_np(t).dtype, np.dtype(dt))

    def assertRaisesOpError(self, expected_err_re_or_predicate):  # noqa: N802
        return self.assertRaisesWithPredicateMatch(OpError, expected_err_re_or_predicate)

    @contextlib.contextmanager
    def assertRaisesWithPredicateMatch(self, exception_type, expected_err_re_or_predicate):  # noqa: N802
        if callable(expected_err_re_or_predicate):
            predicate = expected_err_re_or_predicate
        else:
            def predicate(e):
                return re.search(expected_err_re_or_predicate, str(e)) is not None
        try:
            yield
        except exception_type as e:
            if not predicate(e):
                raise AssertionError("Exception of type %s: %s does not match %r" % (
                    type(e), e, expected_err_re_or_predicate)) from e
        else:
            raise AssertionError("Exception of type %s not raised" % (exception_type,))

    def assertStartsWith(self, actual, expected_start, msg=None):  # noqa: N802
        if not actual.startswith(expected_start):
            raise AssertionError("%r does not start with %r%s" % (actual, expected_start, msg or ""))

    def assertLen(self, container, expected_len, msg=None):  # noqa: N802
        self.assertEqual(len(container), expected_len, msg)

    def assertEmpty(self, container, msg=None):  # noqa: N802
        self.assertEqual(len(container), 0, msg)

    def assertNotEmpty(self, container, msg=None):  # noqa: N802
        self.assertNotEqual(len(container), 0, msg)


@tf_export("test.main")
def main(argv=None):
    """Runs the tests of the calling module (unittest.main)."""
    return unittest.main(argv=argv)


@tf_export("test.is_gpu_available")
def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None) -> bool:
    """False: tensorforge runs on the CPU."""
    return False


@tf_export("test.is_built_with_cuda")
def is_built_with_cuda() -> bool:
    return False


@tf_export("test.is_built_with_gpu_support")
def is_built_with_gpu_support() -> bool:
    return False


@tf_export("test.is_built_with_rocm")
def is_built_with_rocm() -> bool:
    return False


@tf_export("test.is_built_with_xla")
def is_built_with_xla() -> bool:
    return False


@tf_export("test.is_cpu_target_available")
def is_cpu_target_available(target) -> bool:
    return str(target).lower() in ("x86", "x86_64", "aarch64", "arm")


@tf_export("test.gpu_device_name")
def gpu_device_name() -> str:
    """'' (no GPU)."""
    return ""


@tf_export("test.compute_gradient")
def compute_gradient(f, x, delta=None):
    """(theoretical, numerical) Jacobians of `f` at `x` (a list of tensors), as TF's
    tf.test.compute_gradient: each a list of [size(y), size(x_i)] matrices (y flattened)."""
    from .autodiff.tape import GradientTape
    from .framework.convert import convert_to_tensor
    xs = [convert_to_tensor(v) for v in x]
    y = f(*xs)
    ny = int(np.size(_np(y)))
    theoretical, numerical = [], []
    for i, xi in enumerate(xs):
        base = _np(xi).astype(np.float64)
        eps = delta if delta is not None else (1e-3 if base.dtype == np.float32 or _np(xi).dtype != np.float64 else 1e-6)
        jt = np.zeros((ny, base.size))
        for k in range(ny):
            with GradientTape() as tape:
                tape.watch(xs[i])
                out = f(*xs)
                yk = _np_flat_index(out, k)
            g = tape.gradient(yk, xs[i])
            jt[k] = 0.0 if g is None else _np(convert_to_tensor(g)).reshape(-1)
        jn = np.zeros((ny, base.size))
        for j in range(base.size):
            for sign in (1, -1):
                pert = base.copy().reshape(-1)
                pert[j] += sign * eps
                args = list(xs)
                args[i] = convert_to_tensor(pert.reshape(base.shape).astype(_np(xi).dtype))
                jn[:, j] += sign * _np(f(*args)).astype(np.float64).reshape(-1) / (2 * eps)
        theoretical.append(jt)
        numerical.append(jn)
    return theoretical, numerical


def _np_flat_index(t, k):
    from .ops import array_ops
    return array_ops.gather(array_ops.reshape(t, [-1]), k)
