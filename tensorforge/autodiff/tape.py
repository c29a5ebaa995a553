"""tf.GradientTape: records ops on watched tensors and walks them backwards.

Recording: `bind` calls `_record` on every active tape; a tape keeps an op only when one
of its inputs is watched, and then watches the op's floating outputs. Backward: the
records are visited in reverse, each op's registered gradient (written with tensorforge
ops, so an outer tape records it) maps output gradients to input gradients.
"""
from __future__ import annotations

import enum

from ..framework.context import ctx
from ..framework.convert import convert_to_tensor
from ..framework.indexed_slices import IndexedSlices
from ..framework.nest import flatten as _flatten
from ..framework.nest import pack_sequence_as
from ..ops import array_ops, math_ops
from ..ops.registry import OpRecord


class UnconnectedGradients(enum.Enum):
    """What `gradient` returns for a source the target does not depend on."""

    NONE = "none"
    ZERO = "zero"


def _differentiable_dtype(d) -> bool:
    # "variant": TensorArray flows inside tf.function, whose gradients are lists of gradients.
    return d.is_floating or d.is_complex or d.name == "variant"


def _zero_grad(o):
    """The zero gradient of output `o` (None for a variant: its gradient functions take None as zero)."""
    return None if o.dtype.name == "variant" else array_ops.zeros_like(o)


class GradientTape:
    """Records operations for automatic differentiation (tf.GradientTape).

    Example:

    >>> x = tf.constant(3.0)
    >>> with tf.GradientTape() as g:
    ...     g.watch(x)
    ...     y = x * x
    >>> g.gradient(y, x)
    <tf.Tensor: shape=(), dtype=float32, numpy=6.0>

    Args:
      persistent: allow more than one `gradient` call.
      watch_accessed_variables: watch trainable variables when they are read.
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self._persistent = persistent
        self._watch_accessed = watch_accessed_variables
        self._records: list[OpRecord] = []
        self._watched: dict[int, object] = {}   # id -> tensor (kept alive so ids stay unique)
        self._var_values: dict[int, list] = {}  # id(variable) -> the value tensors it had
        self._variables: dict[int, object] = {}
        self._recording = False
        self._used = False

    # -- context
    def __enter__(self) -> "GradientTape":
        self._push()
        return self

    def __exit__(self, *exc):
        self._pop()

    def _push(self):
        if self._recording:
            raise ValueError("Tape is still recording, This can happen if you try to re-enter an already-active tape.")
        self._recording = True
        ctx.tapes = ctx.tapes + [self]

    def _pop(self):
        if self._recording:
            ctx.tapes = [t for t in ctx.tapes if t is not self]
            self._recording = False

    # -- watching
    def watch(self, tensor) -> None:
        """Ensures `tensor` (or a nested structure of tensors/variables) is traced."""
        for t in _flatten(tensor):
            if hasattr(t, "_to_components"):  # SparseTensor, RaggedTensor: watch their tensors
                self.watch([c for c in t._to_components() if _differentiable_dtype(c.dtype)])
            elif hasattr(t, "_variable_value"):
                self._watch_variable(t)
            elif hasattr(t, "dtype") and hasattr(t, "_value") or getattr(t, "_is_symbolic_tensor", False):
                if not _differentiable_dtype(t.dtype):
                    import warnings
                    warnings.warn("The dtype of the watched tensor must be floating (e.g. tf.float32), got %r" % t.dtype,
                                  stacklevel=2)
                self._watched[id(t)] = t
            else:
                raise ValueError("Passed in object %r of type %r, not tf.Tensor or tf.Variable" % (t, type(t).__name__))

    def _watch_variable(self, var, value=None):
        self._variables[id(var)] = var
        if value is None:
            value = var._variable_value()
        self._watched[id(value)] = value
        vals = self._var_values.setdefault(id(var), [])
        if not any(v is value for v in vals):
            vals.append(value)

    def _variable_accessed(self, var, value=None) -> None:
        """Called by Variable reads while this tape is active; `value` is the tensor the read gave."""
        if id(var) in self._variables or (self._watch_accessed and var.trainable):
            self._watch_variable(var, value)

    def watched_variables(self) -> tuple:
        return tuple(self._variables.values())

    # -- recording
    def _record(self, op, inputs, attrs, outputs) -> None:
        w = self._watched
        for x in inputs:
            if id(x) in w:
                break
        else:
            return
        if op.grad == "non-differentiable":
            return
        keep = False
        for o in outputs:
            if _differentiable_dtype(o.dtype):
                w[id(o)] = o
                keep = True
        if keep:
            self._records.append(OpRecord(op, inputs, attrs, outputs))

    def stop_recording(self):
        """A context manager in which ops are not recorded on this tape."""
        tape = self

        class _Stop:
            def __enter__(self_inner):
                if not tape._recording:
                    raise ValueError("Tape.stop_recording() called while the tape was not recording.")
                tape._pop()

            def __exit__(self_inner, *exc):
                tape._push()

        return _Stop()

    def _release(self) -> None:
        """Drop recorded tensors once a non-persistent tape has been used, so that memory (and
        variables' copy-on-write buffers) are freed."""
        self._records = []
        self._watched = {}
        self._var_values = {}

    def reset(self) -> None:
        """Clears everything recorded so far (watched variables included)."""
        self._records = []
        self._watched = {}
        self._var_values = {}
        self._variables = {}

    # -- gradients
    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """The gradient of `target` with respect to `sources` (same structure as `sources`).

        Args:
          target: a tensor or a list of tensors; non-scalar targets are summed.
          sources: a tensor, variable, or a nested structure of them.
          output_gradients: gradients of `target` to start from (default ones).
          unconnected_gradients: 'none' or 'zero', for sources `target` does not reach.
        """
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one set of "
                               "gradients (or jacobians)")
        unconnected = UnconnectedGradients(getattr(unconnected_gradients, "value", unconnected_gradients))
        if self._recording and self._persistent:
            import warnings
            warnings.warn("Calling GradientTape.gradient on a persistent tape inside its context is "
                          "significantly less efficient than calling it outside the context.", stacklevel=2)
        self._used = True
        flat_sources = _flatten(sources)
        targets = _flatten(target)
        if output_gradients is None:
            out_grads = [None] * len(targets)
        else:
            out_grads = _flatten(output_gradients)
        # The tape does not record its own backward pass unless it is persistent.
        paused = self._recording and not self._persistent
        if paused:
            self._pop()
        try:
            results = self._backward(targets, out_grads, flat_sources)
        finally:
            if paused:
                self._push()
        if not self._persistent:
            self._release()
        final = []
        for s, g in zip(flat_sources, results):
            if g is None and unconnected is UnconnectedGradients.ZERO:
                g = array_ops.zeros_like(_source_value(s))
            final.append(g)
        return pack_sequence_as(sources, final)

    def _backward(self, targets, out_grads, sources):
        grads: dict[int, object] = {}
        for t, g in zip(targets, out_grads):
            if t is None:
                continue
            t = convert_to_tensor(t) if not hasattr(t, "_variable_value") else t._variable_value()
            if g is None:
                if not _differentiable_dtype(t.dtype):
                    continue
                g = array_ops.ones_like(t)
            else:
                g = convert_to_tensor(g, dtype=t.dtype)
            _accumulate(grads, id(t), g)
        source_ids = []
        for s in sources:
            if hasattr(s, "_variable_value"):
                ids = [id(v) for v in self._var_values.get(id(s), [])]
            elif s is None or not hasattr(s, "dtype"):
                raise ValueError("Argument `sources` must contain tensors or variables, got %r" % (s,))
            else:
                ids = [id(s)]
            source_ids.append(ids)
        # Forward reachability from the sources prunes records that cannot matter.
        reach = {i for ids in source_ids for i in ids}
        relevant = []
        for rec in list(self._records):
            if any(id(x) in reach for x in rec.inputs):
                relevant.append(rec)
                for o in rec.outputs:
                    reach.add(id(o))
        for rec in reversed(relevant):
            dys = [grads.get(id(o)) for o in rec.outputs]
            if all(d is None for d in dys):
                continue
            dys = [_dense(d) if d is not None else _zero_grad(o) if _differentiable_dtype(o.dtype) else None
                   for d, o in zip(dys, rec.outputs)]
            rec.skip_input_indices = tuple(i for i, x in enumerate(rec.inputs) if id(x) not in reach)
            in_grads = rec.op_def.grad(rec, *dys)
            if not isinstance(in_grads, (list, tuple)):
                in_grads = (in_grads,)
            for x, g in zip(rec.inputs, in_grads):
                if g is not None and id(x) in reach and _differentiable_dtype(x.dtype):
                    _accumulate(grads, id(x), g)
        results = []
        for s, ids in zip(sources, source_ids):
            if not _differentiable_dtype(s.dtype):
                results.append(None)
                continue
            parts = [grads[i] for i in ids if i in grads]
            if not parts:
                results.append(None)
            elif len(parts) == 1:
                results.append(parts[0])
            else:
                results.append(math_ops.add_n([_dense(p) for p in parts]))
        return results

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """The Jacobian of `target` w.r.t. `sources`: shape target.shape + source.shape."""
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one set of "
                               "gradients (or jacobians)")
        self._used = True
        flat_sources = _flatten(sources)
        target = convert_to_tensor(target)
        n = target.shape.num_elements()
        rows = [[] for _ in flat_sources]
        paused = self._recording
        if paused:
            self._pop()
        try:
            for i in range(n):
                seed = array_ops.reshape(array_ops.one_hot(i, n, dtype=target.dtype), array_ops.shape(target))
                gs = self._backward([target], [seed], flat_sources)
                for j, (s, g) in enumerate(zip(flat_sources, gs)):
                    if g is None:
                        g = None if UnconnectedGradients(getattr(unconnected_gradients, "value", unconnected_gradients)) \
                            is UnconnectedGradients.NONE else array_ops.zeros_like(_source_value(s))
                    rows[j].append(g if g is None else _dense(g))
        finally:
            if paused:
                self._push()
        out = []
        for s, r in zip(flat_sources, rows):
            if any(g is None for g in r):
                out.append(None)
                continue
            sv = _source_value(s)
            stacked = array_ops.stack(r) if r else array_ops.zeros([0] + sv.shape.as_list(), dtype=sv.dtype)
            out.append(array_ops.reshape(stacked, target.shape.as_list() + sv.shape.as_list()))
        if not self._persistent:
            self._release()
        return pack_sequence_as(sources, out)

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Per-example Jacobian: target [b, ...] w.r.t. source [b, ...] -> [b, target..., source...]."""
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one set of "
                               "gradients (or jacobians)")
        self._used = True
        target = convert_to_tensor(target)
        sv = _source_value(source)
        b = target.shape[0]
        inner = target.shape[1:].as_list()
        m = 1
        for d in inner:
            m *= d
        cols = []
        paused = self._recording
        if paused:
            self._pop()
        try:
            for j in range(m):
                seed = array_ops.reshape(array_ops.tile(array_ops.one_hot(j, m, dtype=target.dtype)[None], [b, 1]),
                                         array_ops.shape(target))
                (g,) = self._backward([target], [seed], [source])
                if g is None:
                    if UnconnectedGradients(getattr(unconnected_gradients, "value", unconnected_gradients)) \
                            is UnconnectedGradients.NONE:
                        return None
                    g = array_ops.zeros_like(sv)
                cols.append(_dense(g))
        finally:
            if paused:
                self._push()
        if not self._persistent:
            self._release()
        stacked = array_ops.stack(cols, axis=1)  # [b, m, source...]
        return array_ops.reshape(stacked, [b] + inner + sv.shape.as_list()[1:])


def _source_value(s):
    return s._variable_value() if hasattr(s, "_variable_value") else s


def _dense(g):
    if isinstance(g, IndexedSlices):
        return array_ops.indexed_slices_to_dense(g)
    return g


def _accumulate(grads: dict, key: int, g) -> None:
    prev = grads.get(key)
    if prev is None:
        grads[key] = g
    elif isinstance(prev, IndexedSlices) and isinstance(g, IndexedSlices):
        grads[key] = IndexedSlices(array_ops.concat([prev.values, g.values], 0),
                                   array_ops.concat([prev.indices, g.indices], 0), prev.dense_shape)
    elif g.dtype.name == "variant":
        from ..graph.control_flow import list_add
        grads[key] = list_add(prev, g)
    else:
        grads[key] = math_ops.add(_dense(prev), _dense(g))
