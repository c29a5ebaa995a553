"""tf.data.Dataset: the base class, its iterators, and the methods that build pipelines.

A dataset is a Python object describing one stage; iterating it builds a fresh chain of
generators, one per stage, that pass flat component tuples (see structure.py). Stages can
offer two faster protocols that the stages after them use when present:

- `_chunks(size)`: an iterator of *chunks*, component tuples holding up to `size` consecutive
  elements stacked along a new leading axis. `batch` asks for chunks of its batch size, a
  vectorisable `map` transforms whole chunks, so `shuffle -> map -> batch` moves arrays of 128
  rows rather than 128 single rows (TF's map-and-batch fusion and map vectorisation).
- `_random_access()`: (length, gather) when element i can be read directly (sources built
  from arrays, ranges, and maps/zips/takes of those); `shuffle` then permutes indices
  instead of buffering elements.

Order is deterministic unless an option or argument says otherwise.
"""
from __future__ import annotations

import contextvars
import json

import numpy as np

from ..framework import dtypes
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor
from . import structure
from .options import Options

AUTOTUNE = -1
INFINITE = -1
UNKNOWN = -2


class Dataset:
    """Represents a potentially large set of elements (`tf.data.Dataset`).

    Example:

    >>> ds = tf.data.Dataset.range(10).map(lambda v: v * 2).batch(4)
    >>> [b.numpy().tolist() for b in ds]
    [[0, 2, 4, 6], [8, 10, 12, 14], [16, 18]]
    """

    _inputs: tuple = ()

    # ------------------------------------------------------------ protocol for subclasses
    @property
    def element_spec(self):
        """The type specification of an element of this dataset (nested tf.TensorSpec)."""
        return self._spec

    def _elements(self):
        """A fresh iterator over this dataset's elements as component tuples."""
        raise NotImplementedError("%s must implement _elements" % type(self).__name__)

    def _chunks(self, size: int):
        """An iterator of chunks of up to `size` elements, or None when this stage has no fast path."""
        return None

    def _random_access(self):
        """(length, gather(indices) -> chunk) when elements can be read by index, else None."""
        return None

    def _cardinality(self) -> int:
        return UNKNOWN

    # ------------------------------------------------------------ iteration
    def __iter__(self):
        from ..framework.context import ctx
        if ctx.graph is not None:
            raise RuntimeError("`tf.data.Dataset` only supports Python-style iteration in eager mode or within "
                               "tf.function (`for x in dataset` in a converted function).")
        return OwnedIterator(self)

    def __len__(self):
        n = self._cardinality()
        if n == INFINITE:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN:
            raise TypeError("The dataset length is unknown.")
        return n

    def __bool__(self):
        return True

    def as_numpy_iterator(self):
        """An iterator over the elements as NumPy values (bytes for strings)."""
        if not structure.all_dense(self.element_spec):
            for s in structure.flat_specs(self.element_spec):
                if isinstance(s, structure.DatasetSpec):
                    raise TypeError("Dataset.as_numpy_iterator() is not supported for datasets that produce "
                                    "values of type DatasetSpec")
        pack = structure.numpy_packer(self.element_spec)
        _share_options(self)
        for c in _guarded(self._elements()):
            yield pack(c)

    def cardinality(self) -> Tensor:
        """The number of elements as a scalar int64 tensor; tf.data.INFINITE_CARDINALITY (-1) or
        tf.data.UNKNOWN_CARDINALITY (-2) when infinite or unknown."""
        return Tensor(np.array(self._cardinality(), np.int64))

    def options(self) -> Options:
        opts = Options()
        for d in self._inputs:
            opts = opts.merge(d.options())
        return opts

    def __repr__(self):
        return "<%s element_spec=%r>" % (type(self).__name__, self.element_spec)

    # ------------------------------------------------------------ sources
    @staticmethod
    def from_tensor_slices(tensors, name=None) -> "Dataset":
        """A dataset whose elements are slices of `tensors` along their first dimension."""
        from .sources import TensorSlices
        return TensorSlices(tensors)

    @staticmethod
    def from_tensors(tensors, name=None) -> "Dataset":
        """A dataset with a single element, `tensors`."""
        from .sources import Tensors
        return Tensors(tensors)

    @staticmethod
    def range(*args, output_type=dtypes.int64, name=None) -> "Dataset":
        """A dataset of a step-separated range of values, like Python's range()."""
        from .sources import Range
        return Range(*args, output_type=output_type)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None, output_signature=None,
                       name=None) -> "Dataset":
        """A dataset whose elements are generated by calling `generator(*args)`."""
        from .sources import FromGenerator
        return FromGenerator(generator, output_types, output_shapes, args, output_signature)

    @staticmethod
    def zip(*datasets, name=None) -> "Dataset":
        """Zips datasets together (a nested structure of datasets, or several datasets)."""
        from .sources import Zip
        if len(datasets) == 1:
            datasets = datasets[0]
        return Zip(datasets)

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None, name=None) -> "Dataset":
        """A dataset of the file names matching `file_pattern` (shuffled by default)."""
        from .readers import list_files
        return list_files(file_pattern, shuffle, seed)

    @staticmethod
    def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False,
                             rerandomize_each_iteration=None) -> "Dataset":
        """Samples elements at random from `datasets` with probabilities `weights`."""
        from .combine import SampleFromDatasets
        return SampleFromDatasets(datasets, weights, seed, stop_on_empty_dataset)

    @staticmethod
    def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True) -> "Dataset":
        """Takes each element from `datasets[c]` for c from `choice_dataset`."""
        from .combine import ChooseFromDatasets
        return ChooseFromDatasets(datasets, choice_dataset, stop_on_empty_dataset)

    @staticmethod
    def counter(start=0, step=1, dtype=dtypes.int64, name=None) -> "Dataset":
        """start, start + step, start + 2 * step, ... without end."""
        from .extras import Counter
        return Counter(start, step, dtype)

    @staticmethod
    def random(seed=None, rerandomize_each_iteration=None, name=None) -> "Dataset":
        """Pseudo-random non-negative int64 values without end (the same sequence for a fixed seed)."""
        from .extras import RandomDataset
        return RandomDataset(seed, rerandomize_each_iteration)

    @staticmethod
    def load(path, element_spec=None, compression=None, reader_func=None) -> "Dataset":
        """Loads a dataset written by `Dataset.save`."""
        from .saving import load
        return load(path, element_spec, compression)

    def save(self, path, compression=None, shard_func=None, checkpoint_args=None) -> None:
        """Saves this dataset's elements under the directory `path`."""
        from .saving import save
        save(self, path, compression)

    # ------------------------------------------------------------ transformations
    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None) -> "Dataset":
        """Maps `map_func` across the elements; it is traced once into a graph.

        With `num_parallel_calls` (an int or tf.data.AUTOTUNE) elements are mapped on background
        threads; results keep their order unless `deterministic=False`.
        """
        from .transforms import Map
        return Map(self, map_func, num_parallel_calls, deterministic)

    def filter(self, predicate, name=None) -> "Dataset":
        """Keeps the elements for which `predicate` is True."""
        from .transforms import Filter
        return Filter(self, predicate)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None,
              name=None) -> "Dataset":
        """Stacks consecutive elements into batches of `batch_size`."""
        from .batching import Batch
        return Batch(self, batch_size, drop_remainder)

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None, drop_remainder=False,
                     name=None) -> "Dataset":
        """Batches elements, padding each component to a common shape."""
        from .batching import PaddedBatch
        return PaddedBatch(self, batch_size, padded_shapes, padding_values, drop_remainder)

    def ragged_batch(self, batch_size, drop_remainder=False, row_splits_dtype=dtypes.int64,
                     name=None) -> "Dataset":
        """Batches elements of different shapes into tf.RaggedTensors."""
        from .batching import RaggedBatch
        return RaggedBatch(self, batch_size, drop_remainder, row_splits_dtype)

    def unbatch(self, name=None) -> "Dataset":
        """Splits each element into its rows."""
        from .batching import Unbatch
        return Unbatch(self)

    def rebatch(self, batch_size, drop_remainder=False, name=None) -> "Dataset":
        """Re-batches a batched dataset into batches of `batch_size`."""
        from .batching import Batch, Unbatch
        return Batch(Unbatch(self), batch_size, drop_remainder)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None) -> "Dataset":
        """Randomly shuffles the elements with a buffer of `buffer_size` elements."""
        from .transforms import Shuffle
        return Shuffle(self, buffer_size, seed, reshuffle_each_iteration)

    def repeat(self, count=None, name=None) -> "Dataset":
        """Repeats this dataset `count` times (forever when None or -1)."""
        from .transforms import Repeat
        return Repeat(self, count)

    def take(self, count, name=None) -> "Dataset":
        """The first `count` elements (all when -1)."""
        from .transforms import Take
        return Take(self, count)

    def skip(self, count, name=None) -> "Dataset":
        """All but the first `count` elements (none when -1)."""
        from .transforms import Skip
        return Skip(self, count)

    def cache(self, filename="", name=None) -> "Dataset":
        """Caches elements in memory (filename "") or in files at `filename` after the first full pass."""
        from .transforms import Cache
        return Cache(self, filename)

    def prefetch(self, buffer_size, name=None) -> "Dataset":
        """Produces elements on a background thread, up to `buffer_size` ahead (AUTOTUNE: adaptive)."""
        from .parallel import Prefetch
        return Prefetch(self, buffer_size)

    def interleave(self, map_func, cycle_length=None, block_length=None, num_parallel_calls=None,
                   deterministic=None, name=None) -> "Dataset":
        """Maps `map_func` (element -> dataset) and interleaves the results."""
        from .parallel import Interleave
        return Interleave(self, map_func, cycle_length, block_length, num_parallel_calls, deterministic)

    def flat_map(self, map_func, name=None) -> "Dataset":
        """Maps `map_func` (element -> dataset) and concatenates the results."""
        from .parallel import Interleave
        return Interleave(self, map_func, 1, 1, None, None)

    def window(self, size, shift=None, stride=1, drop_remainder=False, name=None) -> "Dataset":
        """Groups elements into windows: each element is a (structure of) dataset(s)."""
        from .transforms import Window
        return Window(self, size, shift, stride, drop_remainder)

    def enumerate(self, start=0, name=None) -> "Dataset":
        """Pairs each element with its index: (i, element)."""
        from .sources import Range, Zip
        return Zip((Range(start, np.iinfo(np.int64).max), self))

    def concatenate(self, dataset, name=None) -> "Dataset":
        """This dataset's elements followed by `dataset`'s."""
        from .combine import Concatenate
        return Concatenate(self, dataset)

    def reduce(self, initial_state, reduce_func, name=None):
        """Reduces all elements to one value with `reduce_func(state, element)` (traced once)."""
        from .transforms import reduce
        return reduce(self, initial_state, reduce_func)

    def scan(self, initial_state, scan_func, name=None) -> "Dataset":
        """A running reduction: `scan_func(state, element) -> (new_state, output)`."""
        from .transforms import Scan
        return Scan(self, initial_state, scan_func)

    def shard(self, num_shards, index, name=None) -> "Dataset":
        """Every `num_shards`-th element, starting at `index`."""
        from .transforms import Shard
        return Shard(self, num_shards, index)

    def take_while(self, predicate, name=None) -> "Dataset":
        """Elements up to (not including) the first for which `predicate` is False."""
        from .transforms import TakeWhile
        return TakeWhile(self, predicate)

    def unique(self, name=None) -> "Dataset":
        """The distinct elements (scalar int or string components), in first-seen order."""
        from .transforms import Unique
        return Unique(self)

    def group_by_window(self, key_func, reduce_func, window_size=None, window_size_func=None,
                        name=None) -> "Dataset":
        """Groups elements by `key_func` into windows and reduces each with `reduce_func`."""
        from .grouping import GroupByWindow
        return GroupByWindow(self, key_func, reduce_func, window_size, window_size_func)

    def bucket_by_sequence_length(self, element_length_func, bucket_boundaries, bucket_batch_sizes,
                                  padded_shapes=None, padding_values=None, pad_to_bucket_boundary=False,
                                  no_padding=False, drop_remainder=False, name=None) -> "Dataset":
        """Batches elements of similar length together, padding within each bucket."""
        from .grouping import bucket_by_sequence_length
        return bucket_by_sequence_length(self, element_length_func, bucket_boundaries, bucket_batch_sizes,
                                         padded_shapes, padding_values, pad_to_bucket_boundary, no_padding,
                                         drop_remainder)

    def get_single_element(self, name=None):
        """The dataset's only element; InvalidArgumentError when it has none or more than one."""
        from .extras import get_single_element
        return get_single_element(self)

    def ignore_errors(self, log_warning=False, name=None) -> "Dataset":
        """Drops the elements whose map or filter function raised an error."""
        from .transforms import IgnoreErrors
        return IgnoreErrors(self, log_warning)

    def sparse_batch(self, batch_size, row_shape, name=None) -> "Dataset":
        """Batches dense elements of varying shape into tf.SparseTensors of shape [batch] + row_shape."""
        from .extras import SparseBatch
        return SparseBatch(self, batch_size, row_shape)

    def rejection_resample(self, class_func, target_dist, initial_dist=None, seed=None, name=None) -> "Dataset":
        """(class, element) pairs resampled by rejection so that classes follow `target_dist`."""
        from .extras import RejectionResample
        return RejectionResample(self, class_func, target_dist, initial_dist, seed)

    def snapshot(self, path, compression="AUTO", reader_func=None, shard_func=None, name=None) -> "Dataset":
        """Writes the elements under `path` on the first full pass and reads them back afterwards."""
        from .extras import Snapshot
        return Snapshot(self, path, compression)

    def apply(self, transformation_func) -> "Dataset":
        """Applies `transformation_func(dataset) -> dataset`."""
        out = transformation_func(self)
        if not isinstance(out, Dataset):
            raise TypeError("`transformation_func` must return a `tf.data.Dataset` object. Got %r." % (out,))
        return out

    def with_options(self, options, name=None) -> "Dataset":
        """This dataset with `options` (tf.data.Options) set."""
        from .transforms import WithOptions
        return WithOptions(self, options)


class UnaryDataset(Dataset):
    """A stage with one input (most transformations): its spec and cardinality default to the input's."""

    def __init__(self, input_ds: Dataset, spec=None):
        self._input = input_ds
        self._inputs = (input_ds,)
        self._spec = input_ds.element_spec if spec is None else spec

    def _cardinality(self):
        return self._input._cardinality()


def _autograph_for(ds, extra_test, body, get_state, set_state, names, opts):
    from .graph_iteration import dataset_for_stmt
    return dataset_for_stmt(ds, extra_test, body, get_state, set_state, names, opts)


Dataset._autograph_for = _autograph_for


# The seed sequence of the iterator whose elements are being computed: stages without a seed
# draw their random generators from it (unseeded_rng), so a restored iterator can replay them.
_ITERATION_SEEDS: contextvars.ContextVar = contextvars.ContextVar("tf_data_iteration_seeds", default=None)


def unseeded_rng() -> np.random.Generator:
    """A random generator for a stage given no seed: the next one of the running iterator's seed
    sequence, or fresh entropy outside an iterator."""
    seeds = _ITERATION_SEEDS.get()
    return np.random.default_rng(seeds.spawn(1)[0] if seeds is not None else None)


def _stages(root: Dataset) -> list:
    """Every stage of a pipeline, in a fixed (depth-first) order."""
    out, stack, seen = [], [root], set()
    while stack:
        d = stack.pop()
        if id(d) in seen:
            continue
        seen.add(id(d))
        out.append(d)
        stack.extend(reversed([x for x in d._inputs if isinstance(x, Dataset)]))
    return out


# What a random stage's output depends on besides the iterator's entropy: its resolved seeds
# (global and op seed), whether they were fixed, and its epoch counter (reshuffle_each_iteration).
_REPLAY_ATTRS = ("_epoch", "_seed", "_fixed")


def _replay_state(stage) -> dict:
    return {a: (list(v) if isinstance(v, tuple) else v) for a in _REPLAY_ATTRS
            if hasattr(stage, a) for v in (getattr(stage, a),)}


class OwnedIterator:
    """The iterator `iter(dataset)` returns: yields structures of tf.Tensors.

    It is checkpointable (`tf.train.Checkpoint(iterator=it)`): its state is how many elements it
    has produced, the entropy its unseeded random stages drew from, and the seeds and epoch
    counters of its random stages when it started. Restoring starts the pipeline again from that state and
    skips the elements already produced, so a pipeline whose order depends only on its seeds
    (every one but those with deterministic=False) continues exactly where it was; the skipped
    elements are computed again.
    """

    def __init__(self, dataset: Dataset):
        self._dataset = dataset
        _share_options(dataset)
        self._pack = structure.packer(dataset.element_spec)
        self.element_spec = dataset.element_spec
        self._entropy = int(np.random.SeedSequence().entropy) & ((1 << 126) - 1)
        self._stage_state = [_replay_state(d) for d in _stages(dataset)]
        self._start(0)

    def _start(self, skip: int) -> None:
        self._seeds = np.random.SeedSequence(self._entropy)
        self._consumed = 0
        token = _ITERATION_SEEDS.set(self._seeds)
        try:
            self._it = self._dataset._elements()
            for _ in range(skip):
                next(self._it)
                self._consumed += 1
        finally:
            _ITERATION_SEEDS.reset(token)

    def __iter__(self):
        return self

    def __next__(self):
        token = _ITERATION_SEEDS.set(self._seeds)
        try:
            c = next(self._it)
        finally:
            _ITERATION_SEEDS.reset(token)
        self._consumed += 1
        return self._pack(c)

    # -- checkpointing (TF's Trackable protocol)
    def _serialize_to_tensors(self) -> dict:
        state = {"format": 1, "consumed": self._consumed, "entropy": str(self._entropy), "stages": self._stage_state}
        text = json.dumps(state, default=lambda o: o.item() if isinstance(o, np.generic) else str(o))
        return {"ITERATOR_STATE": np.array(text.encode(), dtype=object)}

    def _restore_from_tensors(self, tensors: dict) -> None:
        raw = np.asarray(tensors["ITERATOR_STATE"]).reshape(-1)
        try:
            state = json.loads(bytes(raw[0]).decode())
            consumed, entropy, stage_state = int(state["consumed"]), int(state["entropy"]), list(state["stages"])
        except (ValueError, KeyError, TypeError, IndexError):
            from ..framework.errors import InvalidArgumentError
            raise InvalidArgumentError(None, None, "The checkpoint's ITERATOR_STATE was not written by a tensorforge "
                                       "iterator (TensorFlow's iterator states cannot be read).") from None
        stages = _stages(self._dataset)
        if len(stage_state) != len(stages) or any(
                set(saved) != set(_replay_state(d)) for saved, d in zip(stage_state, stages)):
            raise ValueError("The checkpointed iterator was over a different pipeline (%d stages, this one has %d)."
                             % (len(stage_state), len(stages)))
        self.close()
        for d, saved in zip(stages, stage_state):
            for attr, value in saved.items():
                setattr(d, attr, tuple(value) if isinstance(getattr(d, attr), tuple) else value)
        self._entropy, self._stage_state = entropy, stage_state
        self._start(consumed)

    def get_next(self):
        """The next element; raises tf.errors.OutOfRangeError at the end (TF1-style)."""
        from ..framework.errors import OutOfRangeError
        try:
            return self.__next__()
        except StopIteration:
            raise OutOfRangeError(None, None, "End of sequence") from None

    def get_next_as_optional(self):
        from .optional import Optional
        try:
            return Optional.from_value(self.__next__())
        except StopIteration:
            return Optional.empty(self.element_spec)

    def close(self):
        close = getattr(self._it, "close", None)
        if close is not None:
            close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


def _share_options(root: Dataset) -> None:
    """Options apply to the whole pipeline they are set on, as in TF: every stage sees the root's."""
    opts = root.options()
    stack, seen = [root], set()
    while stack:
        d = stack.pop()
        if id(d) in seen:
            continue
        seen.add(id(d))
        d._pipeline_options = opts
        stack.extend(x for x in d._inputs if isinstance(x, Dataset))


def pipeline_options(ds: Dataset) -> Options:
    """The options in force for `ds` (those of the pipeline being iterated, else its own)."""
    return getattr(ds, "_pipeline_options", None) or ds.options()


def _guarded(it):
    try:
        yield from it
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            close()


class _Empty(Dataset):
    """An empty dataset of a given spec (stands in for window datasets while tracing)."""

    def __init__(self, spec):
        self._spec = spec

    def _elements(self):
        return iter(())

    def _cardinality(self):
        return 0


def as_int(v, what: str) -> int:
    """A Python int from an int, NumPy scalar or scalar tensor argument."""
    if isinstance(v, Tensor):
        v = v._value
    try:
        return int(np.asarray(v).item())
    except (TypeError, ValueError):
        raise TypeError("%s must be an integer scalar, got %r" % (what, v)) from None


def as_tensor_value(v, dtype=None):
    return convert_to_tensor(v, dtype=dtype)._value


def check_positive(v: int, what: str) -> None:
    if v <= 0:
        raise InvalidArgumentError(None, None, "%s must be greater than zero." % what)


__all__ = ["Dataset", "UnaryDataset", "AUTOTUNE", "INFINITE", "UNKNOWN"]
