"""The rest of TF's Dataset API: counter, random, get_single_element, sparse_batch,
rejection_resample, snapshot, and the tf.data.experimental helpers built on them
(Counter, at, dense_to_ragged_batch, group_by_reducer/Reducer, parallel_interleave,
make_batched_features_dataset, prefetch_to_device, copy_to_device)."""
from __future__ import annotations

import itertools
import os

import numpy as np

from ..framework import dtypes
from ..framework.errors import InvalidArgumentError, OutOfRangeError
from ..framework.tensor import Tensor, TensorSpec
from ..framework.tensor_shape import TensorShape
from ..ops.composite_specs import SparseTensorSpec
from . import functions, structure
from .dataset import AUTOTUNE, INFINITE, Dataset, UnaryDataset, as_int, unseeded_rng


# ---------------------------------------------------------------- sources
class Counter(Dataset):
    """start, start + step, ... forever (Dataset.counter)."""

    def __init__(self, start=0, step=1, dtype=dtypes.int64):
        self._dtype = dtypes.as_dtype(dtype)
        self._start, self._step = as_int(start, "start"), as_int(step, "step")
        self._spec = TensorSpec([], self._dtype)

    def _cardinality(self):
        return INFINITE

    def _elements(self):
        t = self._dtype.as_numpy_dtype
        return ((t(v),) for v in itertools.count(self._start, self._step))

    def _random_access(self):
        t = self._dtype.as_numpy_dtype
        return INFINITE, lambda idx: ((self._start + np.asarray(idx, np.int64) * self._step).astype(t),)


class RandomDataset(Dataset):
    """Pseudo-random int64 values forever (Dataset.random); a seed fixes the sequence."""

    def __init__(self, seed=None, rerandomize_each_iteration=None):
        from ..ops.random_ops import get_seed
        s1, s2 = get_seed(None if seed is None else as_int(seed, "seed"))
        self._seed = None if s1 is None and s2 is None else [s1 or 0, s2 or 0]
        self._rerandomize = bool(rerandomize_each_iteration)
        self._epoch = 0
        self._spec = TensorSpec([], dtypes.int64)

    def _cardinality(self):
        return INFINITE

    def _elements(self):
        epoch = self._epoch
        self._epoch += 1
        seed = None if self._seed is None else self._seed + ([epoch] if self._rerandomize else [])
        rng = unseeded_rng() if seed is None else np.random.default_rng(seed)
        while True:
            for v in rng.integers(0, np.iinfo(np.int64).max, 1024, dtype=np.int64):
                yield (v,)


# ---------------------------------------------------------------- get_single_element
def get_single_element(dataset: Dataset):
    """The only element of `dataset` (tf.data.Dataset.get_single_element).

    Raises:
      InvalidArgumentError: the dataset is empty or has more than one element.
    """
    it = iter(dataset._elements())
    first = next(it, None)
    if first is None:
        raise InvalidArgumentError(None, None, "Dataset was empty.")
    if next(it, None) is not None:
        raise InvalidArgumentError(None, None, "Dataset had more than one element.")
    close = getattr(it, "close", None)
    if close is not None:
        close()
    return structure.packer(dataset.element_spec)(first)


def at(dataset: Dataset, index):
    """The element at `index` (tf.data.experimental.at), for datasets that support random access."""
    index = as_int(index, "index")
    n = dataset._cardinality()
    if index < 0 or (n >= 0 and index >= n):
        raise OutOfRangeError(None, None, "Index out of range [0, %d): %d" % (n, index))
    ra = dataset._random_access()
    if ra is None:
        raise InvalidArgumentError(None, None, "tf.data.experimental.at needs a dataset that supports random "
                                   "access (sources, map and other element-wise stages over them).")
    _, gather = ra
    comps = gather(np.array([index]))
    return structure.packer(dataset.element_spec)(tuple(c[0] for c in comps))


# ---------------------------------------------------------------- sparse_batch
class SparseBatch(UnaryDataset):
    """Batches dense elements of varying shape into SparseTensors of shape [batch] + row_shape."""

    def __init__(self, input_ds, batch_size, row_shape):
        super().__init__(input_ds, spec=None)
        spec = input_ds.element_spec
        if not structure.is_array_leaf(spec):
            raise TypeError("sparse_batch needs single-tensor elements, got %r." % (spec,))
        self._size = as_int(batch_size, "batch_size")
        if self._size <= 0:
            raise InvalidArgumentError(None, None, "Batch size must be greater than zero.")
        shape = row_shape._value.tolist() if isinstance(row_shape, Tensor) else row_shape
        self._row_shape = TensorShape([None if d is None or d == -1 else int(d) for d in shape])
        self._spec = SparseTensorSpec(TensorShape([None]).concatenate(self._row_shape), spec.dtype)

    def _cardinality(self):
        c = self._input._cardinality()
        return c if c < 0 else -(-c // self._size)

    def _elements(self):
        from .batching import _groups
        from .composites import _sparse
        rank = self._row_shape.rank
        limits = self._row_shape.as_list()
        for group in _groups(self._input._elements(), self._size, False):
            idx, vals, longest = [], [], np.zeros(rank, np.int64)
            for b, (a,) in enumerate(group):
                a = np.asarray(a)
                if a.ndim != rank:
                    raise InvalidArgumentError(None, None, "Input element had rank %d but the row shape %s has rank "
                                               "%d." % (a.ndim, self._row_shape, rank))
                for d, (n, limit) in enumerate(zip(a.shape, limits)):
                    if limit is not None and n > limit:
                        raise InvalidArgumentError(None, None, "Input element had shape %s, larger than the row shape "
                                                   "%s in dimension %d." % (list(a.shape), self._row_shape, d))
                longest = np.maximum(longest, a.shape)
                # Every entry of the element becomes a value (zeros included), as in TF.
                where = np.indices(a.shape).reshape(rank, -1).T
                idx.append(np.concatenate([np.full((len(where), 1), b, np.int64), where], axis=1))
                vals.append(a.reshape(-1))
            dense = [len(group)] + [int(longest[d]) if lim is None else lim for d, lim in enumerate(limits)]
            yield (_sparse(np.concatenate(idx).astype(np.int64).reshape(-1, rank + 1), np.concatenate(vals),
                           np.array(dense, np.int64)),)


# ---------------------------------------------------------------- rejection_resample
class RejectionResample(UnaryDataset):
    """(class, element) pairs, elements kept with a probability that moves the class distribution
    to `target_dist` (TF's rejection_resample). Without `initial_dist` the class frequencies seen
    so far stand for it."""

    def __init__(self, input_ds, class_func, target_dist, initial_dist=None, seed=None):
        super().__init__(input_ds, spec=None)
        self._fn = functions.trace(class_func, input_ds.element_spec, "class_func")
        if not isinstance(self._fn.output_spec, TensorSpec) or not self._fn.output_spec.dtype.is_integer:
            raise TypeError("class_func must return a scalar integer tensor, got %r." % (self._fn.output_spec,))
        self._target = _distribution(target_dist, "target_dist")
        self._initial = None if initial_dist is None else _distribution(initial_dist, "initial_dist")
        if self._initial is not None and len(self._initial) != len(self._target):
            raise ValueError("initial_dist and target_dist must have the same number of classes.")
        from ..ops.random_ops import get_seed
        s1, s2 = get_seed(None if seed is None else as_int(seed, "seed"))
        self._seed = None if s1 is None and s2 is None else [s1 or 0, s2 or 0]
        self._spec = (TensorSpec([], dtypes.int32), input_ds.element_spec)

    def _cardinality(self):
        c = self._input._cardinality()
        return INFINITE if c == INFINITE else -2  # UNKNOWN

    def _elements(self):
        rng = unseeded_rng() if self._seed is None else np.random.default_rng(self._seed)
        k = len(self._target)
        seen = np.zeros(k)
        for c in self._input._elements():
            cls = int(np.asarray(self._fn.run(c)[0]))
            if not 0 <= cls < k:
                raise InvalidArgumentError(None, None, "class_func returned %d, outside [0, %d)." % (cls, k))
            if self._initial is None:
                seen[cls] += 1
                initial = seen / seen.sum()
            else:
                initial = self._initial
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(initial > 0, self._target / initial, 0.0)
            top = ratio.max()
            if top > 0 and rng.random() < ratio[cls] / top:
                yield (np.int32(cls),) + tuple(c)


def _distribution(v, name) -> np.ndarray:
    a = np.asarray(v._value if isinstance(v, Tensor) else v, np.float64).reshape(-1)
    if a.size == 0 or (a < 0).any() or a.sum() <= 0:
        raise ValueError("%s must be a non-empty vector of non-negative probabilities, got %r." % (name, v))
    return a / a.sum()


# ---------------------------------------------------------------- snapshot
class Snapshot(UnaryDataset):
    """snapshot(path): the first full iteration writes the elements under `path` (Dataset.save's
    format, written atomically once the input is exhausted); later iterations, also in other
    processes, read them instead of running the input. Unlike TF, the directory is not keyed by a
    fingerprint of the input pipeline: delete it when the input changes."""

    def __init__(self, input_ds, path, compression="AUTO"):
        super().__init__(input_ds)
        path = path._value.item() if isinstance(path, Tensor) else path
        self._path = os.fsdecode(path)
        self._compression = None if compression in (None, "", "AUTO", "NONE") else compression

    def _elements(self):
        from .saving import load, save
        if os.path.exists(os.path.join(self._path, "spec.json")):
            return load(self._path, self._input.element_spec, self._compression)._elements()
        return self._write_through(save)

    def _write_through(self, save):
        from .sources import ElementList
        elements = []
        for c in self._input._elements():
            elements.append(c)
            yield c
        save(ElementList(elements, self._input.element_spec), self._path, self._compression)


# ---------------------------------------------------------------- experimental helpers
class Reducer:
    """tf.data.experimental.Reducer: init_func(key) -> state, reduce_func(state, element) -> state,
    finalize_func(state) -> result, for group_by_reducer."""

    def __init__(self, init_func, reduce_func, finalize_func):
        self.init_func, self.reduce_func, self.finalize_func = init_func, reduce_func, finalize_func


class GroupByReducer(UnaryDataset):
    """One element per key: the reduction of all elements with that key (in first-seen key order)."""

    def __init__(self, input_ds, key_func, reducer):
        super().__init__(input_ds, spec=None)
        spec = input_ds.element_spec
        self._key = functions.trace(key_func, spec, "key_func")
        if self._key.output_spec != TensorSpec([], dtypes.int64):
            raise ValueError("`key_func` must return a single tf.int64 scalar tensor, got %r." % (self._key.output_spec,))
        self._reducer = reducer
        self._init = functions.trace(reducer.init_func, TensorSpec([], dtypes.int64), "init_func")
        state_spec = self._init.output_spec
        self._reduce = functions.trace(reducer.reduce_func, (state_spec, spec), "reduce_func", unpack=True)
        self._finalize = functions.trace(reducer.finalize_func, state_spec, "finalize_func")
        self._spec = self._finalize.output_spec
        self._state_n = len(structure.flat_specs(state_spec))

    def _cardinality(self):
        return -2

    def _elements(self):
        states: dict = {}
        for c in self._input._elements():
            key = int(np.asarray(self._key.run(c)[0]))
            state = states.get(key)
            if state is None:
                state = self._init.run((np.int64(key),))
            states[key] = tuple(self._reduce.run(tuple(state) + tuple(c)))
        for state in states.values():
            yield self._finalize.run(state)


def group_by_reducer(key_func, reducer):
    return lambda ds: GroupByReducer(ds, key_func, reducer)


def dense_to_ragged_batch(batch_size, drop_remainder=False, row_splits_dtype=dtypes.int64):
    return lambda ds: ds.ragged_batch(batch_size, drop_remainder, row_splits_dtype)


def dense_to_sparse_batch(batch_size, row_shape):
    return lambda ds: SparseBatch(ds, batch_size, row_shape)


def parallel_interleave(map_func, cycle_length, block_length=1, sloppy=False, buffer_output_elements=None,
                        prefetch_input_elements=None):
    return lambda ds: ds.interleave(map_func, cycle_length, block_length, num_parallel_calls=cycle_length,
                                    deterministic=not sloppy)


def prefetch_to_device(device, buffer_size=None):
    """Prefetches onto `device`; every device is the CPU here, so this is `prefetch`."""
    return lambda ds: ds.prefetch(AUTOTUNE if buffer_size is None else buffer_size)


def copy_to_device(target_device, source_device="/cpu:0"):
    """Copies elements to `target_device`; every device is the CPU here, so elements are unchanged."""
    return lambda ds: ds


def make_batched_features_dataset(file_pattern, batch_size, features, reader=None, label_key=None,
                                  reader_args=None, num_epochs=None, shuffle=True, shuffle_buffer_size=10000,
                                  shuffle_seed=None, prefetch_buffer_size=None, reader_num_threads=None,
                                  parser_num_threads=None, sloppy_ordering=False, drop_final_batch=False):
    """Batches of parsed tf.train.Examples from the files matching `file_pattern` (a dict of features,
    or (features, label) with `label_key`)."""
    from ..io.parse_example import parse_example
    from .readers import TFRecordDataset
    reader = reader or TFRecordDataset
    files = Dataset.list_files(file_pattern, shuffle=shuffle, seed=shuffle_seed)
    args = list(reader_args or [])
    ds = files.interleave(lambda f: reader(f, *args), cycle_length=reader_num_threads or 1,
                          num_parallel_calls=reader_num_threads, deterministic=not sloppy_ordering)
    ds = ds.repeat(num_epochs)
    if shuffle:
        ds = ds.shuffle(shuffle_buffer_size, seed=shuffle_seed)
    ds = ds.batch(batch_size, drop_remainder=drop_final_batch)
    ds = ds.map(lambda s: parse_example(s, features), num_parallel_calls=parser_num_threads)
    if label_key is not None:
        if label_key not in features:
            raise ValueError("The `label_key` provided (%r) must be one of the `features` keys." % (label_key,))
        ds = ds.map(lambda f: ({k: v for k, v in f.items() if k != label_key}, f[label_key]))
    return ds.prefetch(AUTOTUNE if prefetch_buffer_size is None else prefetch_buffer_size)

