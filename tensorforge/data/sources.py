"""Dataset sources: from_tensor_slices, from_tensors, range, from_generator, zip."""
from __future__ import annotations

import numpy as np

from ..framework import dtypes, nest
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import TensorSpec
from ..framework.tensor_shape import TensorShape
from ..ops.composite_specs import COMPOSITE_SPECS, RaggedTensorSpec
from . import composites, structure
from .dataset import INFINITE, UNKNOWN, Dataset, as_int


def _chunks_from_random_access(n: int, gather, size: int):
    for start in range(0, n, size):
        yield gather(np.arange(start, min(start + size, n)))


_OBJECT = np.dtype(object)


def _iter_rows(a):
    """The rows of an array; a 1-D string array's rows stay 0-d arrays (not Python bytes)."""
    if getattr(a, "dtype", None) is _OBJECT and a.ndim == 1:
        return (np.array(x, dtype=object) for x in a)
    return iter(a)


def _rows(chunks):
    """Splits chunks into single elements."""
    for c in chunks:
        if len(c) == 1:
            for a in _iter_rows(c[0]):
                yield (a,)
        elif len(c) == 2:
            yield from zip(_iter_rows(c[0]), _iter_rows(c[1]))
        else:
            yield from zip(*[_iter_rows(a) for a in c])


class TensorSlices(Dataset):
    def __init__(self, tensors):
        value = structure.normalize(tensors)
        spec = structure.spec_of(value)
        flat = structure.flat_specs(spec)
        if any(isinstance(s, structure.DatasetSpec) for s in flat):
            raise TypeError("from_tensor_slices of dataset values is not supported.")
        comps = structure.to_components(value)
        if not comps:
            raise ValueError("Invalid `tensors`: `tensors` must not be empty.")
        for c, s in zip(comps, flat):
            if (s.shape.rank == 0) if not isinstance(s, TensorSpec) else np.ndim(c) == 0:
                raise ValueError("Unbatching a tensor is only supported for rank >= 1")
        # Our own copy: the caller may change their arrays later, elements must not change.
        # Sparse and ragged values are sliced into their rows now (object arrays of rows).
        self._arrays = tuple(np.array(c, copy=True) if isinstance(s, TensorSpec) else _object_array(
            composites.rows(c, s)) for c, s in zip(comps, flat))
        n = len(self._arrays[0])
        for a in self._arrays:
            if len(a) != n:
                raise InvalidArgumentError(None, None, "Dimensions %d and %d are not compatible" % (n, len(a)))
        self._n = n
        self._dense = structure.all_dense(spec)
        self._flat = flat
        self._spec = structure.unbatched_spec(spec)

    def _cardinality(self):
        return self._n

    def _elements(self):
        # Dense columns yield their rows; sparse/ragged columns already hold one value per row.
        cols = [_iter_rows(a) if isinstance(s, TensorSpec) else iter(a) for a, s in zip(self._arrays, self._flat)]
        if len(cols) == 1:
            return ((a,) for a in cols[0])
        return zip(*cols)

    def _gather(self, idx):
        if len(idx) and idx[-1] - idx[0] == len(idx) - 1 and np.all(idx[1:] > idx[:-1]):
            s = slice(int(idx[0]), int(idx[-1]) + 1)
            return tuple(a[s] for a in self._arrays)
        return tuple(a[idx] for a in self._arrays)

    def _random_access(self):
        return (self._n, self._gather) if self._dense else None

    def _chunks(self, size):
        if not self._dense:
            return None
        arrays, n = self._arrays, self._n
        return (tuple(a[i:i + size] for a in arrays) for i in range(0, n, size))


def _object_array(items: list) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    for i, v in enumerate(items):  # one step per row: rows of different lengths make no ndarray
        out[i] = v
    return out


class Tensors(Dataset):
    def __init__(self, tensors):
        value = structure.normalize(tensors)
        self._spec = structure.spec_of(value)
        self._comps = structure.to_components(value)

    def _cardinality(self):
        return 1

    def _elements(self):
        return iter((self._comps,))

    def _random_access(self):
        if not structure.all_dense(self._spec):
            return None
        return 1, lambda idx: tuple(np.stack([c] * len(idx)) for c in self._comps)


class Range(Dataset):
    def __init__(self, *args, output_type=dtypes.int64):
        if not 1 <= len(args) <= 3:
            raise ValueError("Invalid arguments to range: %r" % (args,))
        args = [as_int(a, "range argument") for a in args]
        start, stop, step = (0, args[0], 1) if len(args) == 1 else (args[0], args[1], 1) if len(args) == 2 else args
        if step == 0:
            raise InvalidArgumentError(None, None, "step must be a non-zero integer.")
        self._start, self._stop, self._step = start, stop, step
        self._dtype = dtypes.as_dtype(output_type)
        self._np = self._dtype.as_numpy_dtype
        self._spec = TensorSpec([], self._dtype)
        self._n = max(0, -(-(stop - start) // step)) if step > 0 else max(0, -(-(start - stop) // -step))

    def _cardinality(self):
        return self._n

    def _elements(self):
        t = self._np
        return ((t(v),) for v in range(self._start, self._stop, self._step))

    def _gather(self, idx):
        return ((self._start + idx.astype(np.int64) * self._step).astype(self._np),)

    def _random_access(self):
        return self._n, self._gather

    def _chunks(self, size):
        return _chunks_from_random_access(self._n, self._gather, size)


class FromGenerator(Dataset):
    def __init__(self, generator, output_types, output_shapes, args, output_signature):
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        if output_signature is not None:
            if output_types is not None or output_shapes is not None:
                raise TypeError("The `output_types` and `output_shapes` arguments can only be used without "
                                "`output_signature`.")
            spec = output_signature
            for s in nest.flatten(spec):
                if not isinstance(s, (TensorSpec,) + COMPOSITE_SPECS):
                    raise TypeError("The `output_signature` argument must contain tf.TypeSpec objects (tf.TensorSpec, "
                                    "tf.RaggedTensorSpec or tf.SparseTensorSpec), got %r." % (s,))
        else:
            if output_types is None:
                raise TypeError("The `output_types` argument can not be None.")
            if output_shapes is None:
                output_shapes = nest.map_structure(lambda _: None, output_types)
            spec = nest.map_structure(lambda t, s: TensorSpec(TensorShape(s), dtypes.as_dtype(t)),
                                      output_types, output_shapes)
        self._spec = spec
        self._generator = generator
        self._args = tuple(a._value if hasattr(a, "_value") else a for a in (args or ()))
        self._flat = structure.flat_specs(spec)

    def _elements(self):
        flat_specs = self._flat
        spec = self._spec
        for value in self._generator(*self._args):
            if isinstance(value, list) and isinstance(spec, tuple):
                value = tuple(value)
            leaves = structure.flatten_value(value)
            if not structure.same_structure(spec, value):
                raise TypeError("`generator` yielded an element that did not match the expected structure. The "
                                "expected structure was %r, but the yielded element was %r." % (spec, value)) from None
            yield tuple(_check(v, s) for v, s in zip(leaves, flat_specs))


def _check(v, spec):
    if isinstance(spec, COMPOSITE_SPECS):
        return _check_composite(v, spec)
    if hasattr(v, "_value"):
        v = v._value
    try:
        a = structure.check_component(v, spec, "from_generator")
    except (ValueError, TypeError):
        raise TypeError("`generator` yielded an element that could not be converted to the expected type. The "
                        "expected type was %s, but the yielded element was %r." % (spec.dtype.name, v)) from None
    except InvalidArgumentError:
        raise InvalidArgumentError(
            None, None, "`generator` yielded an element of shape %s where an element of shape %s was expected."
            % (structure._fmt(np.shape(v)), spec.shape)) from None
    return a


def _check_composite(v, spec):
    """A generator's sparse/ragged value (a ragged_rank-0 spec takes any array-like), checked."""
    if isinstance(spec, RaggedTensorSpec) and spec.ragged_rank == 0:
        return _check(v, TensorSpec(spec.shape, spec.dtype))
    if isinstance(spec, RaggedTensorSpec) and type(v).__name__ != "RaggedTensor":
        from ..ops.ragged_ops import constant
        try:
            v = constant(v, dtype=spec.dtype, ragged_rank=spec.ragged_rank,
                         row_splits_dtype=spec.row_splits_dtype)
        except (TypeError, ValueError):
            pass
    if not spec.is_compatible_with(v):
        raise TypeError("`generator` yielded an element that did not match the expected type. The expected type was "
                        "%r, but the yielded element was %r." % (spec, v))
    return v


class Zip(Dataset):
    def __init__(self, datasets):
        flat = nest.flatten(datasets)
        for d in flat:
            if not isinstance(d, Dataset):
                raise TypeError("Invalid input to `zip`. Inputs are expected to be (nested) structures of "
                                "`tf.data.Dataset` objects. Python `list` is not supported and you should use "
                                "`tuple` instead." if isinstance(datasets, list) else
                                "Invalid input to `zip`: expected datasets, got %r." % (d,))
        if isinstance(datasets, list):
            raise TypeError("Invalid input to `zip`. Inputs are expected to be (nested) structures of "
                            "`tf.data.Dataset` objects. Python `list` is not supported and you should use "
                            "`tuple` instead.")
        self._structure = datasets
        self._inputs = tuple(flat)
        self._spec = nest.map_structure(lambda d: d.element_spec, datasets)
        self._widths = [len(structure.flat_specs(d.element_spec)) for d in flat]

    def _cardinality(self):
        cards = [d._cardinality() for d in self._inputs]
        finite = [c for c in cards if c >= 0]
        if finite:
            return min(finite)
        return INFINITE if all(c == INFINITE for c in cards) else UNKNOWN

    def _elements(self):
        its = [d._elements() for d in self._inputs]
        if all(w == 1 for w in self._widths):
            for parts in zip(*its):
                yield tuple(p[0] for p in parts)
        else:
            for parts in zip(*its):
                yield tuple(c for p in parts for c in p)

    def _random_access(self):
        ras = [d._random_access() for d in self._inputs]
        if any(r is None for r in ras):
            return None
        n = min(r[0] for r in ras)
        gathers = [r[1] for r in ras]
        return n, lambda idx: tuple(c for g in gathers for c in g(idx))

    def _chunks(self, size):
        ra = self._random_access()
        if ra is not None:
            return _chunks_from_random_access(ra[0], ra[1], size)
        return None


class ElementList(Dataset):
    """A dataset over a list of component tuples (windows, groups, loaded datasets)."""

    def __init__(self, elements: list, spec):
        self._list, self._spec = elements, spec

    def _cardinality(self):
        return len(self._list)

    def _elements(self):
        return iter(self._list)
