"""User functions of tf.data transformations, traced once into graphs.

`map`, `filter`, `scan` and friends trace their function once, with symbolic tensors of the
element's spec (so a Python side effect in it runs once, as in TF), and then run the traced
plan on each element's NumPy arrays. A function whose graph is purely elementwise (casts,
arithmetic with scalar constants, comparisons...) can also run on a whole chunk of elements
at once (TF's map vectorisation): `vectorizable` says so, and `run_chunk` does it.

Functions over composite elements (nested datasets, sparse or ragged tensors) are called
eagerly per element instead, since our graphs hold dense tensors only.
"""
from __future__ import annotations

import numpy as np

from ..framework import nest
from ..framework.convert import convert_to_tensor
from ..framework.tensor import Tensor, TensorSpec
from ..graph.function import Function
from ..graph.graph import SymbolicTensor
from ..ops.composite_specs import COMPOSITE_SPECS, RaggedTensorSpec, SparseTensorSpec
from . import structure

# Ops whose kernels act elementwise with NumPy broadcasting, so running them on a stack of
# elements equals stacking their per-element results (given the operand checks below).
_ELEMENTWISE = frozenset("""
Identity Cast Neg Abs Sign Sqrt Rsqrt Square Exp Expm1 Log Log1p Sin Cos Tan Tanh Sigmoid Relu Relu6 Elu Selu
Softplus Floor Ceil Round Rint Reciprocal Inv IsNan IsInf IsFinite LogicalNot Erf
AddV2 Add Sub Mul RealDiv Div DivNoNan FloorDiv FloorMod Mod TruncateDiv Maximum Minimum Pow SquaredDifference
Greater GreaterEqual Less LessEqual Equal NotEqual LogicalAnd LogicalOr ClipByValue SelectV2
_FusedElementwise
""".split())
_STRUCTURAL = frozenset({"Placeholder", "Const"})
DEBUG_MODE = False  # set by tf.data.experimental.enable_debug_mode()


def _list_to_tensor(v):
    if isinstance(v, list) and any(isinstance(x, (Tensor, SymbolicTensor)) for x in nest.flatten(v)):
        from ..ops.array_ops import stack
        return stack(v)
    return convert_to_tensor(v)


def _call_with_element(fn, element):
    """TF's calling convention: a tuple element is passed as positional arguments."""
    if type(element) is tuple:
        return fn(*element)
    return fn(element)


class StructuredFunction:
    """A user function of one dataset element (or of (state, element) for scan/reduce)."""

    def __init__(self, fn, input_spec, name: str, unpack: bool = True):
        self.python_function = fn
        self.input_spec = input_spec
        self.name = name
        self._unpack = unpack
        self.output_spec = None
        self._concrete = None
        flat_in = structure.flat_specs(input_spec)
        self._eager = any(isinstance(s, structure.DatasetSpec) for s in flat_in)
        # Sparse/ragged input leaves: their specs (the graph takes their components), else None.
        self._in_composite = [s if isinstance(s, COMPOSITE_SPECS) else None for s in flat_in]
        if not any(self._in_composite):
            self._in_composite = None
        self._out_kinds = None  # per output leaf: None (dense) or ("sparse"|"ragged", n_components)
        self.vectorizable = False
        if not self._eager:
            self._trace()
            self._eager = DEBUG_MODE  # tf.data.experimental.enable_debug_mode: run the Python function per element
        else:
            self._infer_eager_output()

    # -- tracing
    def _trace(self):
        kinds = []
        out_struct = []

        in_specs = structure.flat_specs(self.input_spec)

        def wrapper(*args):
            # Sparse/ragged leaves come in as their component placeholders.
            element = nest.pack_sequence_as(self.input_spec, structure.leaves_from_components(in_specs, args))
            out = _call_with_element(self.python_function, element) if self._unpack else self.python_function(element)
            out = structure.normalize(out, _list_to_tensor)
            out_struct.append(out)
            flat = []
            for leaf in nest.flatten(out):
                name = type(leaf).__name__
                if name == "SparseTensor":
                    kinds.append(("sparse", 3))
                    flat.extend([leaf.indices, leaf.values, leaf.dense_shape])
                elif name == "RaggedTensor":
                    parts = [leaf.flat_values] + list(leaf.nested_row_splits)
                    kinds.append(("ragged", len(parts)))
                    flat.extend(parts)
                elif isinstance(leaf, (Tensor, SymbolicTensor)):
                    kinds.append(None)
                    flat.append(leaf)
                elif structure._is_dataset(leaf):
                    raise TypeError("%s: a traced function may not return %s values; use flat_map/interleave for "
                                    "datasets." % (self.name, name))
                else:
                    kinds.append(None)
                    flat.append(convert_to_tensor(leaf))
            return flat

        specs = structure.component_specs(in_specs)
        fn = Function(wrapper, name=self.name, autograph=True)
        self._concrete = fn.get_concrete_function(*specs)
        self._plan = self._concrete._plan
        self._out_kinds = kinds
        self._out_struct = out_struct[0]
        flat_out = nest.flatten(self._concrete.structured_outputs)
        out_leaves = nest.flatten(self._out_struct)  # the traced (symbolic) values, for composite specs
        leaves = []
        i = 0
        for k in kinds:
            if k is None:
                t = flat_out[i]
                leaves.append(TensorSpec(t.shape, t.dtype))
                i += 1
            elif k[0] == "sparse":
                leaves.append(SparseTensorSpec(out_leaves[len(leaves)].shape, flat_out[i + 1].dtype))
                i += 3
            else:
                rt = out_leaves[len(leaves)]
                leaves.append(RaggedTensorSpec(rt.shape, rt.dtype, rt.ragged_rank, rt.row_splits.dtype))
                i += k[1]
        self.output_spec = nest.pack_sequence_as(self._out_struct, leaves) if nest.is_nested(self._out_struct) \
            else leaves[0]
        self._all_dense = all(k is None for k in kinds)
        self._n_out = len(flat_out)
        self.vectorizable = self._all_dense and self._check_vectorizable()
        self._packer = None

    def _infer_eager_output(self):
        # Dataset-valued inputs (windows): the function runs eagerly per element; a first call on
        # empty datasets of the input's spec (the "trace") gives its output spec.
        def proto(s):
            if isinstance(s, structure.DatasetSpec):
                from .dataset import _Empty
                return _Empty(s.element_spec)
            raise TypeError("%s: functions of sparse or ragged dataset elements are not supported yet; got an "
                            "element of type %r." % (self.name, s))
        value = nest.map_structure(proto, self.input_spec)
        self.output_spec = structure.spec_of(self.call_eager(value))

    def _check_vectorizable(self) -> bool:
        graph_inputs = set(id(t) for t in self._concrete.inputs)
        elem = set(graph_inputs)  # tensors derived from the element
        for node in self._concrete._live:
            op = node.op.name
            if op in _STRUCTURAL:
                if op == "Const" and np.ndim(node.payload) != 0:
                    return False
                continue
            if op not in _ELEMENTWISE:
                return False
            if op == "_FusedElementwise" and not set(node.attrs.get("fused_ops", ())) <= _ELEMENTWISE:
                return False
            from_elem = [t for t in node.inputs if id(t) in elem]
            if not from_elem:
                continue  # a constant computation
            shapes = {tuple(t.shape.as_list()) if t.shape.rank is not None else None for t in from_elem}
            if len(shapes) != 1 or None in shapes or any(d is None for d in next(iter(shapes))):
                return False
            shape = next(iter(shapes))
            for t in node.inputs:
                if id(t) not in elem and t.shape.rank != 0:
                    return False  # a non-scalar constant could broadcast against the batch dim
            if len(shape) == 0 and any(id(t) not in elem for t in node.inputs):
                pass
            for o in node.outputs:
                elem.add(id(o))
        self._elem_outputs = [id(o) in elem for o in self._concrete.outputs]
        return True

    # -- running
    def run(self, components: tuple) -> tuple:
        """The output components for one element's input components."""
        outs = self._plan.run(components if self._in_composite is None else self._expand(components))
        if self._all_dense:
            return tuple(outs)
        return self._assemble(outs)

    def _expand(self, components: tuple) -> list:
        args = []
        for c, s in zip(components, self._in_composite):
            if s is None:
                args.append(c)
            else:
                args.extend(s._to_components(c))
        return args

    def _assemble(self, outs):
        from .composites import _ragged, _sparse
        res = []
        i = 0
        for k in self._out_kinds:
            if k is None:
                res.append(outs[i])
                i += 1
            elif k[0] == "sparse":
                res.append(_sparse(outs[i], outs[i + 1], outs[i + 2]))
                i += 3
            else:
                res.append(_ragged(outs[i], list(outs[i + 1:i + k[1]])))
                i += k[1]
        return tuple(res)

    def run_chunk(self, chunk: tuple) -> tuple:
        """The output chunk for a chunk of elements (only when `vectorizable`)."""
        outs = self._plan.run(chunk)
        n = len(chunk[0]) if chunk else 0
        return tuple(o if e else np.broadcast_to(o, (n,) + np.shape(o)).copy()
                     for o, e in zip(outs, self._elem_outputs))

    def call_eager(self, value):
        """Calls the Python function eagerly on a user-facing element (composite inputs)."""
        out = _call_with_element(self.python_function, value) if self._unpack else self.python_function(value)
        return structure.normalize(out)

    def predicate(self, components: tuple) -> bool:
        out = self._plan.run(components if self._in_composite is None else self._expand(components))[0]
        return bool(out)


def trace(fn, input_spec, name: str, unpack: bool = True) -> StructuredFunction:
    return StructuredFunction(fn, input_spec, name, unpack)
