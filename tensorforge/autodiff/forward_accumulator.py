"""tf.autodiff.ForwardAccumulator: forward-mode autodiff (Jacobian-vector products).

An active accumulator sits in `ctx.tapes` beside the GradientTapes, so `bind` hands it every
op (`_record`) with no hook of its own. When an op has an input with a tangent, the
accumulator computes the output tangents at once (eagerly, as TF does):

- a few ops have a direct rule: ops linear in their float inputs apply themselves to the
  tangents, multilinear ones (Mul, MatMul, convolutions, Einsum) sum one term per tangent,
  and real elementwise unary ops (a diagonal, hence symmetric, Jacobian) apply their own
  gradient to the tangent;
- every other op uses TF's transpose trick: its registered gradient `vjp(u)` is linear in
  the output cotangent `u`, so `J t = d/du <vjp(u), t>`, taken with an inner GradientTape.

The tangent ops run with only the tapes entered before the accumulator active, which gives
TF's nesting rules: an outer tape or accumulator sees (and can differentiate) an inner
accumulator's JVP computation, an inner one does not.
"""
from __future__ import annotations

import logging
import weakref

from .._api import tf_export
from ..framework.context import ctx
from ..framework.convert import convert_to_tensor
from ..framework.indexed_slices import IndexedSlices
from ..framework.nest import _children, flatten, is_nested, map_structure
from ..ops import array_ops, math_ops
from ..ops.registry import NON_DIFFERENTIABLE, OpRecord, bind
from .tape import GradientTape, UnconnectedGradients

_log = logging.getLogger("tensorflow")


def _has_tangent_dtype(d) -> bool:
    return d.is_floating or d.is_complex


# ---------------------------------------------------------------- JVP rules
# Ops jointly linear in the listed inputs (None: all inputs but a trailing int axis for
# ConcatV2, every input otherwise); their other inputs are integer (shapes, axes, indices).
_LINEAR = {
    "AddV2": (0, 1), "Sub": (0, 1), "BiasAdd": (0, 1), "AddN": None, "Pack": None, "ConcatV2": None,
    "Neg": (0,), "Identity": (0,), "Reshape": (0,), "Transpose": (0,), "ExpandDims": (0,), "Squeeze": (0,),
    "Sum": (0,), "Mean": (0,), "StridedSlice": (0,), "Slice": (0,), "GatherV2": (0,), "Tile": (0,),
    "BroadcastTo": (0,), "Pad": (0,), "ReverseV2": (0,), "Real": (0,), "Imag": (0,), "Conj": (0,), "Cast": (0,),
    "SegmentSum": (0,), "SegmentMean": (0,), "UnsortedSegmentSum": (0,), "SparseSegmentSum": (0,),
    "SparseSegmentMean": (0,), "CropAndResize": (0,), "FractionalAvgPool": (0,),
}
# Linear only under these attrs (CropAndResize's extrapolation value is a constant term, dropped below).
_LINEAR_IF = {"FractionalAvgPool": lambda attrs: attrs.get("deterministic") is True}
# Non-differentiable ops whose output does not vary with a (float) input: no broken chain in a gradient.
_CONSTANT_OUTPUT = frozenset(("ZerosLike", "OnesLike", "StopGradient", "Floor", "Ceil", "Round", "Rint", "Shape",
                              "Size", "Rank"))
# Ops linear in each listed input separately (None: all inputs).
_MULTILINEAR = {"Mul": (0, 1), "MatMul": (0, 1), "BatchMatMulV2": (0, 1), "Conv2D": (0, 1), "Conv3D": (0, 1),
                "DepthwiseConv2dNative": (0, 1), "Einsum": None}
# Real elementwise unary ops: the Jacobian is diagonal, so the gradient applied to the tangent is the JVP.
_SELF_ADJOINT = frozenset((
    "Exp", "Log", "Log1p", "Expm1", "Tanh", "Sigmoid", "Relu", "Relu6", "Elu", "Selu", "Softplus", "Softsign",
    "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Sqrt", "Rsqrt",
    "Square", "Reciprocal", "Inv", "Abs", "Erf", "Erfc", "LeakyRelu",
))


def _linear_indices(name: str, spec, n: int) -> tuple:
    if spec is not None:
        return spec
    return tuple(range(n - 1)) if name == "ConcatV2" else tuple(range(n))


def _only_at(ts, allowed) -> bool:
    return all(t is None or i in allowed for i, t in enumerate(ts))


def _linear_jvp(op, inputs, attrs, outputs, ts, lin):
    present = [i for i in lin if ts[i] is not None]
    if len(present) == 1 and op.name in ("AddV2", "Sub", "BiasAdd") and outputs[0].shape.is_fully_defined() \
            and inputs[present[0]].shape == outputs[0].shape:
        t = ts[present[0]]  # x + c or x - c or c - x with nothing to broadcast
        return [math_ops.negative(t) if op.name == "Sub" and present[0] == 1 else t]
    if op.name == "Identity":
        return [ts[0]]
    if op.name == "CropAndResize":
        attrs = dict(attrs, extrapolation_value=0.0)
    args = list(inputs)
    for i in lin:
        args[i] = ts[i] if ts[i] is not None else array_ops.zeros_like(inputs[i])
    out = bind(op.name, args, attrs)
    return list(out) if isinstance(out, tuple) else [out]


def _multilinear_jvp(op, inputs, attrs, outputs, ts, lin):
    total = None
    for i in lin:
        if ts[i] is None:
            continue
        args = list(inputs)
        args[i] = ts[i]
        term = bind(op.name, args, attrs)
        total = term if total is None else math_ops.add(total, term)
    return [total]


class _TransposeTape(GradientTape):
    """The inner tape of `_transpose_jvp`; it notes the tensors that a gradient computed through
    an op that has no gradient itself (TF's LookupError for the JVP), instead of dropping them."""

    def __init__(self):
        super().__init__(watch_accessed_variables=False)
        self.tainted: dict[int, str] = {}   # id(tensor) -> the op without a gradient it came through

    def _record(self, op, inputs, attrs, outputs) -> None:
        tainted = self.tainted
        if tainted:
            for x in inputs:
                name = tainted.get(id(x))
                if name is not None:
                    for o in outputs:
                        tainted[id(o)] = name
                    break
        if op.grad is NON_DIFFERENTIABLE and op.name not in _CONSTANT_OUTPUT:
            w = self._watched
            if any(id(x) in w and _has_tangent_dtype(x.dtype) for x in inputs):
                for o in outputs:
                    if _has_tangent_dtype(o.dtype):
                        tainted[id(o)] = op.name
            return
        GradientTape._record(self, op, inputs, attrs, outputs)


def _transpose_jvp(op, inputs, attrs, outputs, ts):
    """J t from the op's VJP: the gradient of <vjp(u), t> with respect to the cotangent u."""
    diff_out = [j for j, o in enumerate(outputs) if _has_tangent_dtype(o.dtype)]
    if not diff_out:
        return None
    rec = OpRecord(op, inputs, attrs, outputs)
    rec.skip_input_indices = tuple(i for i, t in enumerate(ts) if t is None)
    transpose = _TransposeTape()
    with transpose:
        aids = [array_ops.ones_like(outputs[j]) for j in diff_out]
        transpose.watch(aids)
        dys = [None] * len(outputs)
        for j, a in zip(diff_out, aids):
            dys[j] = a
        grads = op.grad(rec, *dys)
        if not isinstance(grads, (list, tuple)):
            grads = (grads,)
        targets, seeds = [], []
        for g, t in zip(grads, ts):
            if g is not None and t is not None:
                targets.append(array_ops.indexed_slices_to_dense(g) if isinstance(g, IndexedSlices) else g)
                seeds.append(t)
    if not targets:
        return None
    for g in targets:
        missing = transpose.tainted.get(id(g))
        if missing is not None:
            raise LookupError("gradient registry has no entry for: %s (ForwardAccumulator computes the JVP of %s "
                              "from its gradient, which uses %s)" % (missing, op.name, missing))
    results = transpose.gradient(targets, aids, output_gradients=seeds)
    out = [None] * len(outputs)
    for j, r in zip(diff_out, results):
        out[j] = array_ops.indexed_slices_to_dense(r) if isinstance(r, IndexedSlices) else r
    return out


def _jvp(op, inputs, attrs, outputs, ts):
    """The output tangents of one op (None where an output has none)."""
    name = op.name
    lin = _LINEAR.get(name, False)
    if lin is not False:
        lin = _linear_indices(name, lin, len(inputs))
        cond = _LINEAR_IF.get(name)
        if _only_at(ts, lin) and (name != "Cast" or _has_tangent_dtype(outputs[0].dtype)) and \
                (cond is None or cond(attrs)):
            return _linear_jvp(op, inputs, attrs, outputs, ts, lin)
    lin = _MULTILINEAR.get(name, False)
    if lin is not False:
        lin = _linear_indices(name, lin, len(inputs))
        if _only_at(ts, lin):
            return _multilinear_jvp(op, inputs, attrs, outputs, ts, lin)
    if name in _SELF_ADJOINT and len(inputs) == 1 and inputs[0].dtype.is_floating:
        rec = OpRecord(op, inputs, attrs, outputs)
        g = op.grad(rec, ts[0])
        return [g[0] if isinstance(g, (list, tuple)) else g]
    return _transpose_jvp(op, inputs, attrs, outputs, ts)


# ---------------------------------------------------------------- structure checks
def _assert_same_structure(primals, tangents) -> None:
    """TF's nest check: ValueError for a different nesting, TypeError for different sequence types."""
    def fail(exc):
        raise exc("The two structures don't have the same nested structure.\n\nFirst structure: %r\n\n"
                  "Second structure: %r" % (primals, tangents))

    def walk(a, b):
        na, nb = is_nested(a), is_nested(b)
        if na != nb:
            fail(ValueError)
        if not na:
            return
        if type(a) is not type(b):
            fail(TypeError)
        if isinstance(a, dict) and sorted(a) != sorted(b):
            fail(ValueError)
        ca, cb = list(_children(a)), list(_children(b))
        if len(ca) != len(cb):
            fail(ValueError)
        for x, y in zip(ca, cb):
            walk(x, y)

    walk(primals, tangents)


def _check_leaf(x, what: str):
    if hasattr(x, "_variable_value") or getattr(x, "_is_symbolic_tensor", False) or \
            hasattr(x, "dtype") and hasattr(x, "_value"):
        return x
    raise ValueError("ForwardAccumulator: %s must be tf.Tensor or tf.Variable objects, got %r of type %r"
                     % (what, x, type(x).__name__))


# ---------------------------------------------------------------- the accumulator
@tf_export("autodiff.ForwardAccumulator")
class ForwardAccumulator:
    """Computes Jacobian-vector products ("JVP"s) using forward-mode autodiff.

    While the context manager is active, every operation on a watched tensor (or on a tensor
    computed from one) also computes its tangent; `jvp` looks the tangents up afterwards. A
    `tf.GradientTape` computes vector-Jacobian products instead; forward mode is the better
    choice for functions with few inputs and many outputs.

    Example:

    >>> x = tf.constant([1.0, 2.0])
    >>> with tf.autodiff.ForwardAccumulator(x, tf.constant([1.0, 0.0])) as acc:
    ...     y = tf.reduce_sum(x ** 3.0)
    >>> acc.jvp(y)
    <tf.Tensor: shape=(), dtype=float32, numpy=3.0>

    Accumulators and tapes nest strictly: an outer one sees the JVP computations of an inner
    one, so a GradientTape inside an accumulator gives forward-over-backward Hessian-vector
    products:

    >>> v = tf.Variable([1.0, 2.0])
    >>> with tf.autodiff.ForwardAccumulator(v, tf.constant([1.0, 0.0])) as acc:
    ...     with tf.GradientTape() as tape:
    ...         y = tf.reduce_sum(v ** 3.0)
    ...     backward = tape.gradient(y, v)
    >>> acc.jvp(backward)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([6., 0.], dtype=float32)>

    Args:
      primals: a tensor or variable, or a nested structure of them, to watch.
      tangents: the same structure as `primals`: for each primal a tensor of its shape and
        dtype, the vector in the Jacobian-vector product.

    Raises:
      ValueError: if a primal is listed twice, the structures differ, or a tangent's shape
        or dtype does not match its primal.
    """

    def __init__(self, primals, tangents):
        self._recording = False
        # id(tensor) -> (weak reference to the tensor, tangent); an entry goes with its tensor.
        self._tangents: dict[int, tuple] = {}
        self._variables: dict[int, tuple] = {}   # id(variable) -> (variable, tangent)
        self._direct: dict[int, tuple] = {}      # non-float primals: (primal, tangent), no propagation
        seen = set()
        for p in flatten(primals):
            if id(p) in seen:
                raise ValueError("Tensor {} was specified as a primal multiple times. This may indicate an error. "
                                 "If it was intended, please sum the corresponding tangents.")
            seen.add(id(p))
        _assert_same_structure(primals, tangents)
        map_structure(self._watch, primals, tangents)

    # -- context
    def __enter__(self) -> "ForwardAccumulator":
        self._push_accumulator()
        return self

    def __exit__(self, typ, value, traceback):
        if self._recording:
            self._pop_accumulator()

    def _push_accumulator(self) -> None:
        if self._recording:
            raise ValueError("Accumulator is already recording.")
        ctx.tapes = ctx.tapes + [self]
        self._recording = True

    def _pop_accumulator(self) -> None:
        if not self._recording:
            raise ValueError("Accumulator is not recording.")
        ctx.tapes = [t for t in ctx.tapes if t is not self]
        self._recording = False

    # -- watching
    def _watch(self, primal, tangent) -> None:
        _check_leaf(primal, "primals")
        dtype = primal.dtype
        if not dtype.is_floating:
            _log.warning("The dtype of the watched primal must be floating (e.g. tf.float32), got %r", dtype)
        if tangent is None:
            raise ValueError("Attempt to convert a value (None) with an unsupported type (<class 'NoneType'>) "
                             "to a Tensor.")
        tangent = convert_to_tensor(tangent, dtype=dtype)
        if not tangent.shape.is_compatible_with(primal.shape):
            raise ValueError("Tangent %r was expected to be of shape %s but is instead of shape %s"
                             % (tangent, primal.shape, tangent.shape))
        if hasattr(primal, "_variable_value"):
            self._variables[id(primal)] = (primal, tangent)
            if _has_tangent_dtype(dtype):
                self._set(primal._variable_value(), tangent)
        elif _has_tangent_dtype(dtype):
            self._set(primal, tangent)
        else:
            self._direct[id(primal)] = (primal, tangent)

    def _set(self, tensor, tangent) -> None:
        key = id(tensor)
        tans = self._tangents

        def forget(ref, key=key, tans=tans):
            e = tans.get(key)
            if e is not None and e[0] is ref:
                del tans[key]

        tans[key] = (weakref.ref(tensor, forget), tangent)

    def _lookup(self, tensor):
        e = self._tangents.get(id(tensor))
        return e[1] if e is not None and e[0]() is tensor else None

    def _variable_accessed(self, var, value=None) -> None:
        """Called on a variable read while active: the value read carries the variable's tangent."""
        e = self._variables.get(id(var))
        if e is not None and _has_tangent_dtype(var.dtype):
            self._set(var._variable_value() if value is None else value, e[1])

    # -- recording (called by bind for every op while this accumulator is active)
    def _record(self, op, inputs, attrs, outputs) -> None:
        tans = self._tangents
        ts = None
        for i, x in enumerate(inputs):
            e = tans.get(id(x))
            if e is not None and e[0]() is x:
                if ts is None:
                    ts = [None] * len(inputs)
                ts[i] = e[1]
        if ts is None or op.grad is NON_DIFFERENTIABLE:
            return
        tapes = ctx.tapes
        outer = []
        for k, t in enumerate(tapes):
            if t is self:
                outer = tapes[:k]
                break
        # The JVP ops are seen by the tapes and accumulators entered before this one only.
        ctx.tapes = outer
        try:
            out_ts = _jvp(op, inputs, attrs, outputs, ts)
        finally:
            ctx.tapes = tapes
        if out_ts is None:
            return
        for o, t in zip(outputs, out_ts):
            if t is not None and _has_tangent_dtype(o.dtype):
                self._set(o, t)

    # -- results
    def jvp(self, primals, unconnected_gradients=UnconnectedGradients.NONE):
        """Fetches the Jacobian-vector product computed for `primals`.

        Computes nothing: the JVPs were computed as the ops ran. It may be called inside or
        after the accumulator's context.

        Args:
          primals: a watched tensor (or variable), or a nested structure of them.
          unconnected_gradients: 'none' or 'zero' (`tf.UnconnectedGradients`): what to return
            for a tensor with no JVP.

        Returns:
          Tensors with the structure, shapes and dtypes of `primals`, or None where no JVP
          is available.
        """
        unconnected = UnconnectedGradients(getattr(unconnected_gradients, "value", unconnected_gradients))

        def fetch(t):
            _check_leaf(t, "jvp() arguments")
            if hasattr(t, "_variable_value"):
                e = self._variables.get(id(t))
                result = e[1] if e is not None else None
            else:
                result = self._lookup(t)
                if result is None:
                    e = self._direct.get(id(t))
                    result = e[1] if e is not None and e[0] is t else None
            if result is None and unconnected is UnconnectedGradients.ZERO:
                value = t._variable_value() if hasattr(t, "_variable_value") else t
                result = array_ops.zeros_like(value)
            return result

        return map_structure(fetch, primals)


tf_export("autodiff.GradientTape")(GradientTape)
