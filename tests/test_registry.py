"""Registry-driven tests: every op's inference agrees with its kernel, and every
differentiable op's gradient agrees with central finite differences in float64."""
import numpy as np
import pytest

import tensorforge as tf
import tensorforge.data  # noqa: F401 - registers the iterator ops (a lazily imported namespace)
import tensorforge.io  # noqa: F401 - registers the tf.io ops (a lazily imported namespace)
import tensorforge.lookup  # noqa: F401 - registers the table ops (a lazily imported namespace)
import tensorforge.summary  # noqa: F401 - registers the summary-writing ops
from tensorforge.framework.tensor import Tensor
from tensorforge.framework.tensor_shape import TensorShape
from tensorforge.ops.registry import REGISTRY, bind

ALL_OPS = sorted(REGISTRY)
DIFFERENTIABLE = [n for n in ALL_OPS if REGISTRY[n].differentiable]
# Ops whose output shapes only the run decides (a user function, a table, the data), checked for compatibility.
RUN_TIME_SHAPES = {"PyFunc", "PyFuncStateless", "EagerPyFunc", "LookupTableExportV2", "SparseCrossHashed", "SparseCrossV2",
                   "ComputeAccidentalHits"}


class Spec:
    def __init__(self, shape, dtype):
        self.shape = TensorShape(shape)
        self.dtype = dtype


def _outputs(result):
    return result if isinstance(result, tuple) else (result,)


def _run(name, arrays, attrs):
    return _outputs(bind(name, [tf.constant(a) for a in arrays], attrs))


@pytest.mark.parametrize("name", ALL_OPS)
def test_inference_matches_kernel(name):
    op = REGISTRY[name]
    samples = op.samples()
    assert samples, "op %s has no samples" % name
    for arrays, attrs in samples:
        inputs = [tf.constant(a) for a in arrays]
        outs = _outputs(bind(name, inputs, attrs))
        for o in outs:
            assert isinstance(o._value, (np.ndarray, np.generic)), "%s kernel returned %r" % (name, type(o._value))
        inferred = op.infer(inputs, attrs)
        assert len(inferred) == len(outs), name
        for (shape, dtype), o in zip(inferred, outs):
            assert dtype is o.dtype, "%s: inferred %s, kernel gave %s" % (name, dtype, o.dtype)
            if shape is None or name in RUN_TIME_SHAPES:  # shapes only the run decides (PyFunc, table exports)
                assert name in RUN_TIME_SHAPES, "%s: inferred an unknown rank" % name
                assert TensorShape(shape).is_compatible_with(o.shape), name
                continue
            assert tuple(shape) == o.shape._dims, "%s: inferred %s, kernel gave %s" % (name, shape, o.shape)
        # With the leading dimension unknown (a batch), inference still agrees where it can.
        specs = [Spec((None,) + tuple(x.shape._dims[1:]) if x.ndim else (), x.dtype) for x in inputs]
        try:
            partial = op.infer(specs, attrs)
        except Exception as e:  # noqa: BLE001
            pytest.fail("%s: inference with an unknown leading dimension raised %r" % (name, e))
        for (shape, dtype), o in zip(partial, outs):
            assert dtype is o.dtype, name
            assert TensorShape(shape).is_compatible_with(o.shape), "%s: %s vs %s" % (name, shape, o.shape)


def _loss(name, arrays, attrs, cots):
    """sum(real(out * conj(c))) over the outputs: for real values the plain weighted sum."""
    outs = _run(name, arrays, attrs)
    total = 0.0
    for o, c in zip(outs, cots):
        if c is not None:
            v = np.asarray(o._value)
            total += float(np.sum(np.real(v.astype(np.complex128) * np.conj(c)))) if v.dtype.kind == "c" else \
                float(np.sum(v.astype(np.float64) * c))
    return total


def _cotangent(rng, o):
    """A random cotangent for a float or complex output (None for the others)."""
    shape = o.shape._dims
    if o.dtype.is_complex:
        return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    return rng.standard_normal(shape) if o.dtype.is_floating else None


_CHECKED_KINDS = {"f": np.float64, "c": np.complex128}


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_gradient_matches_finite_differences(name):
    """Float64 and complex128 inputs; for complex values TF's convention, dL/dRe + i dL/dIm."""
    op = REGISTRY[name]
    checked = False
    for arrays, attrs in op.samples():
        arrays = [np.asarray(a) for a in arrays]
        fidx = [i for i, a in enumerate(arrays) if a.dtype.kind in _CHECKED_KINDS and i not in op.nondiff_inputs]
        if not fidx:
            continue
        arrays = [a.astype(_CHECKED_KINDS[a.dtype.kind]) if i in fidx else a for i, a in enumerate(arrays)]
        if any(o.dtype.is_floating and o.dtype is not tf.float64 or o.dtype.is_complex and o.dtype is not
               tf.complex128 for o in _run(name, arrays, attrs)):
            continue  # finite differences need double-precision outputs
        inputs = [tf.constant(a) for a in arrays]
        rng = np.random.default_rng(7)
        with tf.GradientTape() as tape:
            for i in fidx:
                tape.watch(inputs[i])
            outs = _outputs(bind(name, inputs, attrs))
            cots = [_cotangent(rng, o) for o in outs]
            if all(c is None for c in cots):
                continue
            terms = [tf.math.real(o * tf.math.conj(tf.constant(c))) if o.dtype.is_complex else o * tf.constant(c)
                     for o, c in zip(outs, cots) if c is not None]
            loss = tf.add_n([tf.reduce_sum(t) for t in terms])
        grads = tape.gradient(loss, [inputs[i] for i in fidx])
        eps = 1e-6
        for i, g in zip(fidx, grads):
            g = np.zeros_like(arrays[i]) if g is None else np.asarray(tf.convert_to_tensor(g)._value)
            assert g.shape == arrays[i].shape, "%s: gradient shape %s for input %d of shape %s" % (
                name, g.shape, i, arrays[i].shape)
            num = np.zeros_like(arrays[i])
            units = (1.0, 1j) if arrays[i].dtype.kind == "c" else (1.0,)
            for j in np.ndindex(arrays[i].shape):
                for unit in units:
                    plus = [a.copy() for a in arrays]
                    minus = [a.copy() for a in arrays]
                    plus[i][j] += eps * unit
                    minus[i][j] -= eps * unit
                    num[j] += (_loss(name, plus, attrs, cots) - _loss(name, minus, attrs, cots)) / (2 * eps) * unit
            np.testing.assert_allclose(g, num, rtol=1e-4, atol=1e-5, err_msg="%s input %d" % (name, i))
            checked = True
    assert checked, "differentiable op %s has no float sample to check" % name


def test_every_op_declares_gradient_or_non_differentiable():
    for name, op in REGISTRY.items():
        assert op.grad is not None, name
        assert isinstance(op.api, str) and op.api.startswith("tf."), name


def test_eager_outputs_are_tensors():
    assert isinstance(tf.add(tf.constant(1.0), 2.0), Tensor)
